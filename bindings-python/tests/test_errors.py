"""Every error code of the contract, reached from Python, with its exception class and details."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

import dealer_portal as dp
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FAST, USER_PASSWORD, Seeded, invite, seed, take_token

# The codes API.md says callers branch on.
CONTRACT_CODES = {
    "INVALID_EMAIL", "INVALID_NAME", "INVALID_PHONE", "EMAIL_TAKEN", "PASSWORD_POLICY",
    "PASSWORD_REUSED", "CONFIRMATION_MISMATCH", "TOKEN_INVALID", "EMAIL_MISMATCH",
    "INVALID_CREDENTIALS", "SESSION_INVALID", "FORBIDDEN", "RIGHTS_ESCALATION",
    "NO_RIGHTS_SELECTED", "LAST_MANAGER", "UNKNOWN_ESTABLISHMENT", "UNKNOWN_ACCOUNT",
    "INVALID_PERIOD", "INVALID_QUERY", "STORAGE",
}  # fmt: skip
# The codes the second release adds that the core has now (API.md, "Added in the second
# release"; the two-factor, rate-limit and audit-head codes come with their flows).
SECOND_RELEASE_CODES = {"SESSION_INVALID", "UNKNOWN_SESSION", "INVALID_STATE", "AUDIT_CHAIN_BROKEN", "RATE_LIMITED"}

NOBODY = "0" * 32
GOOD = "Valide-Motdepasse-1!"


def reset_token(s: Seeded) -> str:
    s.portal.request_password_reset(ADMIN_EMAIL)
    return take_token(s.portal, ADMIN_EMAIL, "password_reset")


def limited_manager(s: Seeded) -> str:
    """A user managing T99999 with only search_claims besides; returns its session token."""
    invite(s, "chef@garage-xyz.fr", [dp.Right.MANAGE_ACCOUNTS, dp.Right.SEARCH_CLAIMS])
    return s.portal.login("chef@garage-xyz.fr", USER_PASSWORD).token


def plain_user(s: Seeded) -> str:
    invite(s, "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    return s.portal.login("lea@garage-xyz.fr", USER_PASSWORD).token


def user(s: Seeded, last: str = "Martin", email: str = "lea@garage-xyz.fr", rights: list[dp.Right] | None = None,
         mobile: str | None = None, code: str = "T99999", session: str | None = None) -> str:  # fmt: skip
    rights = [dp.Right.SEARCH_CLAIMS] if rights is None else rights
    return s.portal.create_user(session or s.session, code, last, "Léa", email, rights, mobile=mobile)


def someone_elses_session_id(s: Seeded) -> None:
    [theirs] = s.portal.list_sessions(plain_user(s))
    s.portal.revoke_session(s.session, theirs.id)


def email_taken_until_rationed(s: Seeded) -> None:
    """20 EMAIL_TAKEN answers (the default ration of an actor in 24 h), then RATE_LIMITED."""
    for _ in range(20):
        with pytest.raises(dp.ValidationError) as info:
            user(s, email=ADMIN_EMAIL)
        assert info.value.code == "EMAIL_TAKEN"
    user(s, email=ADMIN_EMAIL)


def email_taken_since_the_request(s: Seeded) -> None:
    s.portal.request_email_change(s.session, "nouvelle@garage-xyz.fr", ADMIN_PASSWORD)
    link = take_token(s.portal, "nouvelle@garage-xyz.fr", "email_change")
    user(s, email="nouvelle@garage-xyz.fr")
    try:
        s.portal.confirm_email_change(link)
    finally:
        # Refused, the link stays usable and the email unchanged.
        assert s.portal.inspect_token(link).usable
        assert s.portal.authenticate(s.session).email == ADMIN_EMAIL


def storage(s: Seeded, tmp: Path) -> None:
    bad = tmp / "not-a-portal.db"
    bad.write_bytes(b"plain text, not SQLite" * 10)
    dp.Portal.open(bad, config=FAST)


def email_mismatch(s: Seeded) -> None:
    token = reset_token(s)
    try:
        s.portal.complete_password_reset(token, "someone.else@garage-xyz.fr", GOOD, GOOD)
    finally:
        # The token stays usable after a wrong email.
        assert s.portal.inspect_token(token).usable


def consumed_token(s: Seeded) -> None:
    token = reset_token(s)
    s.portal.complete_password_reset(token, ADMIN_EMAIL, GOOD, GOOD)
    s.portal.complete_password_reset(token, ADMIN_EMAIL, "Encore-Autre-Motdepasse-2!", "Encore-Autre-Motdepasse-2!")


Case = Callable[[Seeded, Path], object]

CASES: list[tuple[str, type[dp.PortalError], Case]] = [
    ("INVALID_EMAIL", dp.ValidationError, lambda s, t: s.portal.request_password_reset("not-an-email")),
    ("INVALID_EMAIL", dp.ValidationError, lambda s, t: user(s, email="lea@")),
    ("INVALID_NAME", dp.ValidationError, lambda s, t: user(s, last="  ")),
    ("INVALID_PHONE", dp.ValidationError, lambda s, t: user(s, mobile="01 34 34 67 88")),
    ("EMAIL_TAKEN", dp.ValidationError, lambda s, t: user(s, email=ADMIN_EMAIL.upper())),
    ("PASSWORD_POLICY", dp.ValidationError,
     lambda s, t: s.portal.complete_password_reset(reset_token(s), ADMIN_EMAIL, "court", "different")),
    ("PASSWORD_REUSED", dp.ValidationError,
     lambda s, t: s.portal.complete_password_reset(reset_token(s), ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD)),
    ("CONFIRMATION_MISMATCH", dp.ValidationError,
     lambda s, t: s.portal.complete_password_reset(reset_token(s), ADMIN_EMAIL, GOOD, GOOD + "x")),
    ("TOKEN_INVALID", dp.TokenError, lambda s, t: s.portal.complete_password_reset("garbage", ADMIN_EMAIL, GOOD, GOOD)),
    ("TOKEN_INVALID", dp.TokenError, lambda s, t: consumed_token(s)),
    ("TOKEN_INVALID", dp.TokenError,
     lambda s, t: s.portal.activate_account(reset_token(s), ADMIN_EMAIL, GOOD, GOOD)),  # wrong purpose
    ("EMAIL_MISMATCH", dp.TokenError, lambda s, t: email_mismatch(s)),
    ("INVALID_CREDENTIALS", dp.AuthError, lambda s, t: s.portal.login(ADMIN_EMAIL, "wrong password")),
    ("INVALID_CREDENTIALS", dp.AuthError, lambda s, t: s.portal.login("nobody@garage-xyz.fr", ADMIN_PASSWORD)),
    ("INVALID_CREDENTIALS", dp.AuthError,
     lambda s, t: s.portal.change_password(s.session, "wrong password", GOOD, GOOD)),
    ("SESSION_INVALID", dp.AuthError, lambda s, t: s.portal.manageable_establishments("not-a-session")),
    ("SESSION_INVALID", dp.AuthError, lambda s, t: s.portal.list_accounts("A" * 43)),
    ("FORBIDDEN", dp.ForbiddenError, lambda s, t: s.portal.list_accounts(plain_user(s))),
    ("FORBIDDEN", dp.ForbiddenError, lambda s, t: s.portal.search_documents(plain_user(s), "T99999", "accounting")),
    ("RIGHTS_ESCALATION", dp.ForbiddenError,
     lambda s, t: user(s, email="x@garage-xyz.fr", rights=[dp.Right.ACCOUNTING_DOCUMENTS], session=limited_manager(s))),
    ("NO_RIGHTS_SELECTED", dp.ValidationError, lambda s, t: user(s, rights=[])),
    ("LAST_MANAGER", dp.ForbiddenError,
     lambda s, t: s.portal.set_rights(s.session, s.admin_id, "T99999", [dp.Right.SEARCH_CLAIMS])),
    ("LAST_MANAGER", dp.ForbiddenError, lambda s, t: s.portal.disable_account(s.session, s.admin_id)),
    ("UNKNOWN_ESTABLISHMENT", dp.NotFoundError, lambda s, t: user(s, code="T12345")),
    ("UNKNOWN_ESTABLISHMENT", dp.NotFoundError, lambda s, t: s.portal.audit_log(s.session, "T12345")),
    ("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda s, t: s.portal.rights_matrix(s.session, NOBODY)),
    ("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda s, t: s.portal.disable_account(s.session, NOBODY)),
    ("INVALID_PERIOD", dp.ValidationError,
     lambda s, t: s.portal.search_documents(s.session, "T99999", "accounting", period_from="13/2024")),
    ("INVALID_PERIOD", dp.ValidationError, lambda s, t: s.portal.monthly_statement(s.session, "T99999", "1/0")),
    ("INVALID_PERIOD", dp.ValidationError, lambda s, t: dp.reconcile(dp.Regime.INSURANCE, "2024-01", [])),
    ("INVALID_QUERY", dp.ValidationError, lambda s, t: s.portal.search_documents(s.session, "T99999", "invoice")),
    ("INVALID_QUERY", dp.ValidationError,
     lambda s, t: s.portal.search_documents(s.session, "T99999", "contract", kind="credit_note")),
    ("INVALID_QUERY", dp.ValidationError, lambda s, t: s.portal.list_accounts(s.session, limit=0)),
    ("INVALID_QUERY", dp.ValidationError, lambda s, t: dp.parse_reference("??")),
    ("STORAGE", dp.StorageError, storage),
    # The second release's flows.
    ("SESSION_INVALID", dp.AuthError, lambda s, t: s.portal.authenticate("not-a-session")),
    ("SESSION_INVALID", dp.AuthError, lambda s, t: s.portal.revoke_other_sessions("A" * 43)),
    ("UNKNOWN_SESSION", dp.NotFoundError, lambda s, t: s.portal.revoke_session(s.session, NOBODY)),
    ("UNKNOWN_SESSION", dp.NotFoundError, lambda s, t: s.portal.revoke_session(s.session, "not-a-session-id")),
    ("UNKNOWN_SESSION", dp.NotFoundError, lambda s, t: someone_elses_session_id(s)),
    ("FORBIDDEN", dp.ForbiddenError, lambda s, t: s.portal.select_establishment(plain_user(s), "T88888")),
    ("FORBIDDEN", dp.ForbiddenError, lambda s, t: s.portal.search_reference(plain_user(s), "AB-123-CD", "T88888")),
    ("UNKNOWN_ESTABLISHMENT", dp.NotFoundError, lambda s, t: s.portal.select_establishment(s.session, "T12345")),
    ("INVALID_QUERY", dp.ValidationError, lambda s, t: s.portal.search_reference(s.session, "??")),
    ("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda s, t: s.portal.account(plain_user(s), s.admin_id)),
    ("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda s, t: s.portal.update_profile(s.session, NOBODY, function="X")),
    ("INVALID_INPUT", dp.ValidationError, lambda s, t: s.portal.update_profile(s.session, s.admin_id, function="")),
    ("INVALID_PHONE", dp.ValidationError,
     lambda s, t: s.portal.update_profile(s.session, s.admin_id, landline="06 23 42 54 55")),
    ("INVALID_NAME", dp.ValidationError, lambda s, t: s.portal.update_profile(s.session, s.admin_id, first_name=" ")),
    ("INVALID_CREDENTIALS", dp.AuthError,
     lambda s, t: s.portal.request_email_change(s.session, "nouvelle@garage-xyz.fr", "wrong password")),
    ("INVALID_EMAIL", dp.ValidationError,
     lambda s, t: s.portal.request_email_change(s.session, "nouvelle@", ADMIN_PASSWORD)),
    ("TOKEN_INVALID", dp.TokenError, lambda s, t: s.portal.confirm_email_change("garbage")),
    ("TOKEN_INVALID", dp.TokenError, lambda s, t: s.portal.confirm_email_change(reset_token(s))),  # wrong purpose
    ("EMAIL_TAKEN", dp.ValidationError, lambda s, t: email_taken_since_the_request(s)),
    ("RATE_LIMITED", dp.ValidationError, lambda s, t: email_taken_until_rationed(s)),
    ("INVALID_STATE", dp.ValidationError, lambda s, t: s.portal.erase_account(s.session, user(s))),
    ("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda s, t: s.portal.erase_account(s.session, NOBODY)),
    ("AUDIT_CHAIN_BROKEN", dp.StorageError,
     lambda s, t: s.portal.verify_audit_chain(dp.AuditHead(s.portal.audit_head().seq + 5, "0" * 64))),
    ("INVALID_INPUT", dp.ValidationError, lambda s, t: s.portal.verify_audit_chain(dp.AuditHead(1, "not hex"))),
    # Codes beyond the contract's list, still mapped by family.
    ("UNKNOWN_NOTIFICATION", dp.NotFoundError, lambda s, t: s.portal.acknowledge_notification(987_654)),
    ("UNKNOWN_CODE", dp.ValidationError, lambda s, t: dp.Right.from_code("fly")),
    ("UNKNOWN_CODE", dp.ValidationError, lambda s, t: dp.DebitLine("acme", "premium", 1)),
    ("INVALID_INPUT", dp.ValidationError, lambda s, t: dp.Document("accounting", "2204003143", "2024-02-30")),
    ("INVALID_STATE", dp.ValidationError, lambda s, t: s.portal.resend_activation(s.session, s.admin_id)),
    ("INVALID_CONFIG", dp.ValidationError, lambda s, t: dp.Portal.in_memory(config={"hash": {"m_cost_kib": 1}})),
    ("INVALID_CONFIG", dp.ValidationError, lambda s, t: dp.Portal.in_memory(config={"hash": {"memory": 1}})),
    ("INVALID_CONFIG", dp.ValidationError, lambda s, t: dp.evaluate_password("x", policy={"min_length": "fifteen"})),
    # TLS to PostgreSQL (issue 16, item 4): refused before any connection is tried.
    ("INVALID_CONFIG", dp.ValidationError, lambda s, t: dp.Portal.open("postgresql://portal@db.invalid/portal?sslmode=allow", config=FAST)),
    ("INVALID_CONFIG", dp.ValidationError, lambda s, t: dp.Portal.open("postgresql://portal@db.invalid/portal?sslmode=verify-ca", config=FAST)),
    ("INVALID_ESTABLISHMENT_CODE", dp.ValidationError, lambda s, t: dp.Establishment("T-99", "G", "V", None)),
]  # fmt: skip


@pytest.mark.parametrize(("code", "cls", "case"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_error_code_and_class(portal: dp.Portal, tmp_path: Path, code: str, cls: type[dp.PortalError], case: Case) -> None:
    s = seed(portal)
    with pytest.raises(dp.PortalError) as info:
        case(s, tmp_path)
    err = info.value
    assert type(err) is cls, f"{code}: {type(err).__name__}"
    assert err.code == code, str(err)
    assert err.message == str(err) and err.message
    assert err.criteria == ([] if code != "PASSWORD_POLICY" else err.criteria)
    # Secrets never appear in messages.
    for secret in (ADMIN_PASSWORD, GOOD, s.session):
        assert secret not in err.message


def test_every_contract_code_is_reached() -> None:
    assert CONTRACT_CODES | SECOND_RELEASE_CODES <= {c[0] for c in CASES}


def test_password_policy_lists_failed_criteria(portal: dp.Portal) -> None:
    s = seed(portal)
    with pytest.raises(dp.ValidationError) as info:
        # Fails the policy and the confirmation: the policy wins.
        s.portal.complete_password_reset(reset_token(s), ADMIN_EMAIL, "court", "autre")
    assert info.value.code == "PASSWORD_POLICY"
    assert info.value.criteria == ["min_length", "uppercase", "digit", "special"]
    assert "min_length" in info.value.message


def test_hierarchy() -> None:
    for cls in (dp.ValidationError, dp.AuthError, dp.TokenError, dp.ForbiddenError, dp.NotFoundError, dp.StorageError):
        assert issubclass(cls, dp.PortalError) and issubclass(cls, Exception)
        assert cls.__module__ == "dealer_portal"
    # Raised by Python code, they still carry the attributes.
    e = dp.PortalError("raised by hand")
    assert (e.code, e.message, e.criteria, str(e)) == ("", "", [], "raised by hand")


def test_wrong_argument_types_are_python_errors(portal: dp.Portal) -> None:
    with pytest.raises(TypeError):
        portal.login(42, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        dp.Portal.in_memory(config={"hash": object()})
    with pytest.raises(TypeError):
        portal.create_user("s", "T99999", "A", "B", "a@b.fr", ["manage_accounts"])  # type: ignore[list-item]


def test_the_email_taken_ration_is_configured_and_covers_bulk_imports() -> None:
    """A configured ration of 2 answers per hour: the third taken email of a bulk import is
    RATE_LIMITED (never echoing the email), a free one is still created; both audited."""
    portal = dp.Portal.in_memory(config={**FAST, "email_taken": {"max_answers": 2, "window": 3600}})
    s = seed(portal)
    rows = [dp.UserImport("T99999", "Pris", "Déjà", ADMIN_EMAIL, [dp.Right.SEARCH_CLAIMS]) for _ in range(3)]
    rows.append(dp.UserImport("T99999", "Libre", "Nouveau", "libre@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS]))
    out = s.portal.create_users(s.session, rows)
    codes = [r.code if isinstance(r, dp.PortalError) else "OK" for r in out]
    assert codes == ["EMAIL_TAKEN", "EMAIL_TAKEN", "RATE_LIMITED", "OK"]
    assert ADMIN_EMAIL not in str(out[2])
    actions = [e.action for e in s.portal.audit_log(s.session, "T99999")]
    assert actions.count("email_taken_answered") == 2
    assert actions.count("rate_limited") == 1
    with pytest.raises(dp.ValidationError) as info:
        dp.Portal.in_memory(config={**FAST, "email_taken": {"max_answers": 0}})
    assert info.value.code == "INVALID_CONFIG"
