"""The second release's host surface through the binding, over both stores: what a host calls
on every request (authenticate), the connected establishment, one's sessions, profiles, the
email change and the header's quick search; the labels and lists a screen shows. The same
ground as the core's scenario suite (core/tests/suite/host.rs), walked from Python."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable

import pytest

import dealer_portal as dp
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, Seeded, invite, take_token

ALL_TABS_FR = [
    "ACCUEIL",
    "LISTE DEVIS ET CONTRATS",
    "PRISE EN CHARGE ATELIER",
    "EASICARE",
    "DOCUMENTS",
    "GESTION DES COMPTES",
]
NEW_EMAIL = "alexandre@garage-xyz.fr"


def fails(code: str, cls: type[dp.PortalError], call: Callable[[], Any]) -> dp.PortalError:
    """Runs `call`, which must raise `cls` with `code`; returns the exception."""
    with pytest.raises(dp.PortalError) as info:
        call()
    assert type(info.value) is cls and info.value.code == code, (type(info.value).__name__, info.value.code, str(info.value))
    return info.value


def user_session(s: Seeded, email: str, rights: list[dp.Right], code: str = "T99999") -> tuple[str, str]:
    """An active user with `rights` on `code`, logged in: (account id, session token)."""
    account_id = invite(s, email, rights, code=code)
    return account_id, s.portal.login(email, USER_PASSWORD).token


def when(iso: str) -> datetime:
    """An ISO 8601 UTC instant of the binding ("...Z", up to nanoseconds) as a datetime."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", iso)
    assert m, iso
    return datetime.fromisoformat(m[1]).replace(
        microsecond=int((m[2] or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc
    )


def kinds_for(portal: dp.Portal, email: str) -> list[str]:
    return [n.kind for n in portal.pending_notifications() if n.email == email]


# ----- labels and lists (no store) -----


def test_right_descriptions_sections_and_calling_codes() -> None:
    assert dp.Right.QUOTES_AND_SUBSCRIPTIONS.description_fr == "Permet de créer des devis et des souscriptions de contrats"
    assert dp.Right.MANAGE_ACCOUNTS.description_en == "Lets you create other user accounts"
    for r in dp.Right.all():
        assert r.description_fr and r.description_en and r.description_fr != r.label_fr

    assert [x.label_fr for x in dp.Section.all()] == ALL_TABS_FR
    assert [x.code for x in dp.Section.all()] == [
        "home", "quotes_and_contracts", "workshop_claims", "easicare", "documents", "account_management",
    ]  # fmt: skip
    assert dp.Section.WORKSHOP_CLAIMS.label_en == "WORKSHOP CLAIMS"
    assert dp.Section.from_code("Documents") == dp.Section.DOCUMENTS
    assert repr(dp.Section.HOME) == "Section.HOME" and str(dp.Section.HOME) == "home"
    assert len({dp.Section.HOME, dp.Section.from_code("home")}) == 1
    fails("UNKNOWN_CODE", dp.ValidationError, lambda: dp.Section.from_code("settings"))

    # The menu follows the rights, in the seed's order; ACCUEIL and EASICARE always.
    assert dp.visible_sections([]) == [dp.Section.HOME, dp.Section.EASICARE]
    assert [x.label_fr for x in dp.visible_sections([dp.Right.SUBMIT_CLAIMS])] == [
        "ACCUEIL", "PRISE EN CHARGE ATELIER", "EASICARE",
    ]  # fmt: skip
    assert dp.visible_sections({dp.Right.ACCOUNTING_DOCUMENTS, dp.Right.SEARCH_QUOTES_AND_CONTRACTS}) == [
        dp.Section.HOME, dp.Section.QUOTES_AND_CONTRACTS, dp.Section.EASICARE, dp.Section.DOCUMENTS,
    ]  # fmt: skip
    assert dp.visible_sections(dp.Right.all()) == dp.Section.all()
    with pytest.raises(TypeError):
        dp.visible_sections(["manage_accounts"])  # type: ignore[list-item]

    codes = dp.calling_codes()
    first = codes[0]
    assert (first.region, first.code, first.label_fr, first.label_en) == ("FR", "+33", "🇫🇷 FR +33", "🇫🇷 FR +33")
    assert any(c.region == "BE" and c.code == "+32" for c in codes)
    assert len(codes) > 200 and len({c.region for c in codes}) == len(codes)
    assert codes == dp.calling_codes() and hash(first) == hash(dp.calling_codes()[0])
    assert repr(first) == "CallingCode(region='FR', code='+33')"


# ----- authenticate and the connected establishment -----


def test_authenticate_says_who_where_and_which_menu(seeded: Seeded) -> None:
    s = seeded
    info = s.portal.authenticate(s.session)
    assert info.account_id == s.admin_id
    assert (info.email, info.last_name, info.first_name, info.role) == (ADMIN_EMAIL, "Geloen", "Alexandre", "administrator")
    # Connected at login to the first establishment, in code order, where it holds a right.
    assert info.establishment == "T88888"
    assert info.rights == {"T88888": dp.Right.all(), "T99999": dp.Right.all()}
    assert [x.label_fr for x in info.sections] == ALL_TABS_FR
    assert (info.mfa_enrolled, info.restricted) == (False, False)
    assert when(info.expires_at) > datetime.now(timezone.utc)
    assert s.session not in repr(info) and "T88888" in repr(info)
    assert s.portal.authenticate(s.session) == info

    # A user holding one search right sees that right's tab only.
    lea_id, lea = user_session(s, "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    mine = s.portal.authenticate(lea)
    assert (mine.account_id, mine.role, mine.establishment) == (lea_id, "user", "T99999")
    assert mine.rights == {"T99999": [dp.Right.SEARCH_CLAIMS]}
    assert [x.code for x in mine.sections] == ["home", "workshop_claims", "easicare"]
    assert mine.sections == dp.visible_sections([dp.Right.SEARCH_CLAIMS])

    # Unknown, malformed or ended sessions.
    fails("SESSION_INVALID", dp.AuthError, lambda: s.portal.authenticate("not-a-token"))
    fails("SESSION_INVALID", dp.AuthError, lambda: s.portal.authenticate("A" * 43))
    s.portal.logout(lea)
    fails("SESSION_INVALID", dp.AuthError, lambda: s.portal.authenticate(lea))
    assert s.portal.authenticate(s.session) == info, "another person's logout ends nothing else"


def test_the_connected_establishment(seeded: Seeded) -> None:
    s = seeded
    p = s.portal
    # None means the connected establishment: T88888 (delegated management) after login.
    assert p.monthly_statement(s.session, None, "1/2026").regime == dp.Regime.DELEGATED_MANAGEMENT

    info = p.select_establishment(s.session, " t99999 ")
    assert info.establishment == "T99999"
    assert p.authenticate(s.session).establishment == "T99999", "held by the session"
    assert p.monthly_statement(s.session, None, "1/2026").regime == dp.Regime.INSURANCE
    fails("UNKNOWN_ESTABLISHMENT", dp.NotFoundError, lambda: p.select_establishment(s.session, "T12345"))
    fails("INVALID_ESTABLISHMENT_CODE", dp.ValidationError, lambda: p.select_establishment(s.session, "T-99"))
    assert p.authenticate(s.session).establishment == "T99999", "a refused switch moves nothing"

    # Calls that name no establishment use the connected one.
    paul_id = p.create_user(s.session, None, "Durand", "Paul", "paul@garage-xyz.fr", [dp.Right.ACCOUNTING_DOCUMENTS])
    assert p.rights_matrix(s.session, paul_id) == {"T99999": [dp.Right.ACCOUNTING_DOCUMENTS]}
    p.add_document("T99999", dp.Document("accounting", "2204003143", "2026-01-10"))
    assert p.search_documents(s.session, None, "accounting").total == 1
    assert p.search_documents(s.session, "T88888", "accounting").total == 0
    connected_log = p.audit_log(s.session)
    assert connected_log == p.audit_log(s.session, None) == p.audit_log(s.session, "T99999")
    assert any(e.action == "user_created" and e.subject == paul_id for e in connected_log)
    assert not any(e.subject == paul_id for e in p.audit_log(s.session, "T88888"))

    # A user with rights on T99999 only cannot connect to T88888, and stays where it was.
    token = take_token(p, "paul@garage-xyz.fr", "activation")
    p.activate_account(token, "paul@garage-xyz.fr", USER_PASSWORD, USER_PASSWORD)
    paul = p.login("paul@garage-xyz.fr", USER_PASSWORD).token
    err = fails("FORBIDDEN", dp.ForbiddenError, lambda: p.select_establishment(paul, "T88888"))
    assert "T88888" in err.message
    assert p.authenticate(paul).establishment == "T99999"
    # Each session has its own connection: a new login of the administrator starts on T88888.
    again = p.login(ADMIN_EMAIL, ADMIN_PASSWORD).token
    assert p.authenticate(again).establishment == "T88888"
    assert p.authenticate(s.session).establishment == "T99999"


# ----- one's own sessions -----


def test_ones_own_sessions(seeded: Seeded) -> None:
    s = seeded
    p = s.portal
    first = s.session
    second = p.login(ADMIN_EMAIL, ADMIN_PASSWORD, remember=True).token
    listed = p.list_sessions(first)
    assert len(listed) == 2
    [mine] = [x for x in listed if x.current]
    [other] = [x for x in listed if not x.current]
    assert (mine.remembered, other.remembered) == (False, True)
    for x in listed:
        assert re.fullmatch(r"[0-9a-f]{32}", x.id), x.id
        assert x.id not in first and x.id not in second, "never the token"
        assert when(x.created_at) <= when(x.last_seen_at) < when(x.expires_at)
        assert first not in repr(x) and second not in repr(x)
    # Seen from the other session, the flags swap.
    assert {x.id: x.current for x in p.list_sessions(second)} == {mine.id: False, other.id: True}

    # Someone else's session id, garbage, or a token passed by mistake: UNKNOWN_SESSION, and
    # nothing ends.
    _, lea = user_session(s, "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    [lea_session] = p.list_sessions(lea)
    fails("UNKNOWN_SESSION", dp.NotFoundError, lambda: p.revoke_session(first, lea_session.id))
    fails("UNKNOWN_SESSION", dp.NotFoundError, lambda: p.revoke_session(first, "0" * 32))
    fails("UNKNOWN_SESSION", dp.NotFoundError, lambda: p.revoke_session(first, "not-an-id"))
    err = fails("UNKNOWN_SESSION", dp.NotFoundError, lambda: p.revoke_session(first, second))
    assert second not in err.message, "a token given as an id is never repeated"
    assert p.authenticate(lea).account_id and p.list_sessions(lea) == [lea_session]
    assert {x.id for x in p.list_sessions(first)} == {mine.id, other.id}
    fails("SESSION_INVALID", dp.AuthError, lambda: p.revoke_session("not-a-token", other.id))
    fails("SESSION_INVALID", dp.AuthError, lambda: p.list_sessions("not-a-token"))

    # Ending the other one.
    p.revoke_session(first, other.id)
    fails("SESSION_INVALID", dp.AuthError, lambda: p.authenticate(second))
    assert [x.id for x in p.list_sessions(first)] == [mine.id]

    # Ending all the others: two more logins, revoked from the fourth.
    third = p.login(ADMIN_EMAIL, ADMIN_PASSWORD).token
    fourth = p.login(ADMIN_EMAIL, ADMIN_PASSWORD).token
    assert p.revoke_other_sessions(fourth) == 2
    for ended in (first, third):
        fails("SESSION_INVALID", dp.AuthError, lambda: p.authenticate(ended))
    [left] = p.list_sessions(fourth)
    assert left.current
    assert p.revoke_other_sessions(fourth) == 0
    assert p.authenticate(lea).role == "user", "another person's sessions stay"

    # One's own current session can be ended by its id too.
    p.revoke_session(fourth, left.id)
    fails("SESSION_INVALID", dp.AuthError, lambda: p.authenticate(fourth))


# ----- profiles -----


def test_read_and_edit_a_profile(seeded: Seeded) -> None:
    s = seeded
    p = s.portal
    me = s.admin_id
    mine = p.account(s.session, me)
    assert (mine.id, mine.email, mine.last_name, mine.first_name, mine.function) == (
        me, ADMIN_EMAIL, "Geloen", "Alexandre", "Gérant",
    )  # fmt: skip
    assert (mine.mobile, mine.landline, mine.mobile_display, mine.landline_display) == (None, None, None, None)
    assert (mine.state, mine.role) == ("active", "administrator")
    assert mine.created_at.endswith("Z") and mine.last_login_at is not None and mine.last_login_at.endswith("Z")
    assert mine.rights == {"T88888": dp.Right.all(), "T99999": dp.Right.all()}

    # Both phones, as typed: +33 unless the number says otherwise.
    edited = p.update_profile(
        s.session, me, first_name="Alexandre-Marie", mobile="06 23 42 54 55", landline="+32 2 555 12 12"
    )
    assert edited.first_name == "Alexandre-Marie" and edited.function == "Gérant", "None keeps a field"
    assert (edited.mobile, edited.mobile_display) == ("+33623425455", "06 23 42 54 55")
    assert edited.landline == "+3225551212"
    assert edited.landline_display is not None and "555" in edited.landline_display
    assert p.account(s.session, me) == edited, "stored"
    assert p.authenticate(s.session).first_name == "Alexandre-Marie"
    assert p.update_profile(s.session, me) == edited, "no field: no change"
    landline_fr = p.update_profile(s.session, me, landline="0134346788")
    assert (landline_fr.landline, landline_fr.landline_display) == ("+33134346788", "01 34 34 67 88")

    # "" clears a phone, the other one stays.
    cleared = p.update_profile(s.session, me, landline="")
    assert (cleared.landline, cleared.landline_display) == (None, None)
    assert cleared.mobile == "+33623425455"

    # Bad input gets its code and changes nothing.
    before = p.account(s.session, me)
    bad: list[tuple[str, dict[str, str]]] = [
        ("INVALID_PHONE", {"mobile": "01 34 34 67 88"}),  # a landline in the mobile field
        ("INVALID_PHONE", {"landline": "06 23 42 54 55"}),  # a mobile in the landline field
        ("INVALID_PHONE", {"mobile": "06 23 42 54 5x"}),
        ("INVALID_INPUT", {"function": ""}),  # the function is required
        ("INVALID_INPUT", {"function": "   "}),
        ("INVALID_NAME", {"last_name": ""}),
        ("INVALID_PHONE", {"first_name": "Éric", "mobile": "01 34 34 67 88"}),  # one bad field: none saved
    ]
    for code, fields in bad:
        fails(code, dp.ValidationError, lambda: p.update_profile(s.session, me, **fields))
        assert p.account(s.session, me) == before, (code, fields)
    with pytest.raises(TypeError):
        p.update_profile(s.session, me, "Dupont")  # type: ignore[call-arg]

    # A manager edits a user of its establishments; the user cannot see the manager.
    lea_id, lea = user_session(s, "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    detail = p.account(s.session, lea_id)
    assert (detail.role, detail.state, detail.function) == ("user", "active", "")
    assert detail.rights == {"T99999": [dp.Right.SEARCH_CLAIMS]}
    assert p.update_profile(s.session, lea_id, function="Comptable").function == "Comptable"
    fails("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda: p.account(lea, me))
    fails("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda: p.update_profile(lea, me, function="Pirate"))
    assert p.account(s.session, me) == before
    assert p.update_profile(lea, lea_id, function="Cheffe d'atelier").function == "Cheffe d'atelier", "oneself"
    fails("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda: p.account(s.session, "not-an-id"))
    fails("UNKNOWN_ACCOUNT", dp.NotFoundError, lambda: p.account(s.session, "0" * 32))

    # A manager of one of the account's two establishments reads it, but cannot edit it.
    _, uvw_chief = user_session(s, "chef@garage-uvw.fr", [dp.Right.MANAGE_ACCOUNTS, dp.Right.SEARCH_CLAIMS], code="T88888")
    p.set_rights(s.session, lea_id, "T88888", [dp.Right.SEARCH_CLAIMS])
    seen = p.account(uvw_chief, lea_id)
    assert seen.rights == {"T88888": [dp.Right.SEARCH_CLAIMS]}, "only the establishments it manages"
    fails("FORBIDDEN", dp.ForbiddenError, lambda: p.update_profile(uvw_chief, lea_id, function="Autre"))
    assert p.account(s.session, lea_id).function == "Cheffe d'atelier"


# ----- email change -----


def test_change_email_end_to_end(seeded: Seeded) -> None:
    s = seeded
    p = s.portal
    other_session = p.login(ADMIN_EMAIL, ADMIN_PASSWORD).token

    # A wrong current password is refused, and nothing is sent.
    fails("INVALID_CREDENTIALS", dp.AuthError, lambda: p.request_email_change(s.session, NEW_EMAIL, "not my password"))
    fails("INVALID_INPUT", dp.ValidationError, lambda: p.request_email_change(s.session, ADMIN_EMAIL.upper(), ADMIN_PASSWORD))
    fails("INVALID_EMAIL", dp.ValidationError, lambda: p.request_email_change(s.session, "alexandre@", ADMIN_PASSWORD))
    fails("SESSION_INVALID", dp.AuthError, lambda: p.request_email_change("not-a-token", NEW_EMAIL, ADMIN_PASSWORD))
    assert kinds_for(p, NEW_EMAIL) == [] and kinds_for(p, ADMIN_EMAIL) == []

    p.request_email_change(s.session, "  Alexandre@Garage-XYZ.fr ", ADMIN_PASSWORD)
    assert kinds_for(p, NEW_EMAIL) == ["email_change"]
    [notice] = [n for n in p.pending_notifications() if n.email == ADMIN_EMAIL]
    assert notice.kind == "email_change_requested" and notice.token is None, "the notice carries no link"
    link = take_token(p, NEW_EMAIL, "email_change")
    assert p.inspect_token(link).kind == "email_change" and p.inspect_token(link).usable
    # Nothing changed yet.
    assert p.authenticate(s.session).email == ADMIN_EMAIL

    p.confirm_email_change(link)
    fails("TOKEN_INVALID", dp.TokenError, lambda: p.confirm_email_change(link))  # used once
    # The old address is refused at login, the new one works, the old sessions are dead.
    fails("INVALID_CREDENTIALS", dp.AuthError, lambda: p.login(ADMIN_EMAIL, ADMIN_PASSWORD))
    new_session = p.login(NEW_EMAIL, ADMIN_PASSWORD).token
    assert p.authenticate(new_session).email == NEW_EMAIL
    assert p.account(new_session, s.admin_id).email == NEW_EMAIL
    for dead in (s.session, other_session):
        fails("SESSION_INVALID", dp.AuthError, lambda: p.authenticate(dead))
    assert [x.current for x in p.list_sessions(new_session)] == [True]

    # A taken address: the same answer, its owner is told, no link is sent, nothing changes.
    invite(Seeded(p, s.admin_id, new_session), "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    before = kinds_for(p, "lea@garage-xyz.fr").count("account_exists")
    p.request_email_change(new_session, "lea@garage-xyz.fr", ADMIN_PASSWORD)
    assert "email_change" not in kinds_for(p, "lea@garage-xyz.fr")
    assert kinds_for(p, "lea@garage-xyz.fr").count("account_exists") == before + 1
    assert p.authenticate(new_session).email == NEW_EMAIL

    # Links that are no email-change link.
    fails("TOKEN_INVALID", dp.TokenError, lambda: p.confirm_email_change("garbage"))
    p.request_password_reset(NEW_EMAIL)
    reset = take_token(p, NEW_EMAIL, "password_reset")
    fails("TOKEN_INVALID", dp.TokenError, lambda: p.confirm_email_change(reset))
    assert p.authenticate(new_session).email == NEW_EMAIL


# ----- the header's quick search -----


def test_quick_search(seeded: Seeded) -> None:
    s = seeded
    p = s.portal
    p.add_documents(
        "T99999",
        [
            dp.Document("contract", "C1", "2026-01-02", registration="AB-123-CD"),
            dp.Document("workshop_claim", "W1", "2026-01-03", registration="AB-123-CD"),
            dp.Document("accounting", "2204003143", "2026-01-04", registration="AB-123-CD"),
            dp.Document("workshop_claim", "W2", "2026-01-05", registration="XY-999-ZZ"),
        ],
    )
    # Connected to T88888 after login: nothing there.
    assert p.search_reference(s.session, "AB-123-CD").total == 0
    # The administrator reads every category of T99999: three documents, newest first.
    p.select_establishment(s.session, "T99999")
    page = p.search_reference(s.session, "ab 123 cd")
    assert page.total == 3 and [d.number for d in page.items] == ["2204003143", "W1", "C1"]
    assert {d.establishment for d in page.items} == {"T99999"}
    second = p.search_reference(s.session, "AB-123-CD", "T99999", offset=1, limit=1)
    assert (second.total, [d.number for d in second.items]) == (3, ["W1"])

    # A user holding one search right finds the claims only.
    _, lea = user_session(s, "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    mine = p.search_reference(lea, "AB-123-CD")
    assert mine.total == 1 and [d.number for d in mine.items] == ["W1"]
    fails("INVALID_QUERY", dp.ValidationError, lambda: p.search_reference(lea, "not a reference"))
    fails("INVALID_QUERY", dp.ValidationError, lambda: p.search_reference(lea, "AB-123-CD", limit=0))
    fails("FORBIDDEN", dp.ForbiddenError, lambda: p.search_reference(lea, "AB-123-CD", "T88888"))
    fails("UNKNOWN_ESTABLISHMENT", dp.NotFoundError, lambda: p.search_reference(lea, "AB-123-CD", "T12345"))
    fails("SESSION_INVALID", dp.AuthError, lambda: p.search_reference("not-a-token", "AB-123-CD"))


def test_screen_labels_are_the_librarys_texts() -> None:
    labels = dp.screen_labels()
    by_key = {(l.group, l.code): l for l in labels}
    assert len(by_key) == len(labels), "no text twice"
    notice = by_key[("notice", "no_management_elsewhere")]
    assert notice.label_fr == (
        "Vous n'avez pas de droits de gestion de compte sur d'autres établissements"
    )
    assert by_key[("sort order", "a_to_z")].label_fr == "Ordre alphabétique (A à Z)"
    assert by_key[("account state", "invited")].label_fr == "Invité"
    assert by_key[("right", "manage_accounts")].label_en == "Manage accounts"
    assert {l.group for l in labels} >= {
        "password criterion", "right", "account state", "role", "section", "sort order", "notice",
    }
    assert "ScreenLabel(group='notice'" in repr(notice)
