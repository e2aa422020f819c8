"""The whole API through the stubs: checked by `mypy --strict` (test.sh) and run by pytest.

Every value is annotated with the type the stubs promise, so a stub that drifts from the
contract fails the type check; running it checks the same calls at run time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import dealer_portal as dp

FAST: dict[str, Any] = {"hash": {"m_cost_kib": 256, "t_cost": 1, "p_cost": 1}}
ADMIN = "admin@garage-xyz.fr"
PASSWORD = "Garage-XYZ-2026!"


def pure_functions() -> None:
    evaluation: dp.Evaluation = dp.evaluate_password("Motdepasse 2024", confirmation=None, policy=None)
    acceptable: bool = evaluation.acceptable
    failed: list[str] = evaluation.failed
    checks: list[dp.Check] = evaluation.checks
    for check in checks:
        criterion: str = check.criterion
        met: bool = check.met
        threshold: int = check.threshold
        labels: tuple[str, str] = (check.label_fr, check.label_en)
        assert criterion and labels and threshold >= 0 and met in (True, False)
    assert acceptable and not failed
    dp.evaluate_password("x", "y", {"min_length": 8})

    rights: list[dp.Right] = dp.Right.all()
    right: dp.Right = dp.Right.from_code("manage_accounts")
    texts: tuple[str, str, str, str, str] = (right.code, right.value, right.name, right.label_fr, right.label_en)
    assert right in set(rights) and texts and right >= dp.Right.QUOTES_AND_SUBSCRIPTIONS
    regimes: list[dp.Regime] = dp.Regime.all()
    regime: dp.Regime = dp.Regime.from_code("insurance")
    assert regime in regimes and regime.label_fr and regime.label_en and regime.value == regime.code
    assert regime.name == "INSURANCE" and dp.Regime.INSURANCE < dp.Regime.SELF_INSURANCE

    expected: list[dp.ExpectedDebit] = dp.expected_debits(dp.Regime.DELEGATED_MANAGEMENT)
    for debit in expected:
        pairs: list[tuple[str, str]] = debit.accepted
        assert debit.code and debit.issuer and debit.label_fr and debit.label_en and pairs
    line = dp.DebitLine("stellantis_services", "claims_settled", 10_000, label=None)
    line_fields: tuple[str, str, int, str | None] = (line.issuer, line.nature, line.amount_cents, line.label)
    rec: dp.Reconciliation = dp.reconcile(dp.Regime.DELEGATED_MANAGEMENT, "3/2024", [line])
    reconciled: list[dp.ReconciledDebit] = rec.debits
    for d in reconciled:
        lines: list[dp.DebitLine] = d.lines
        total: int = d.total_cents
        assert d.code and d.issuer and d.label_fr and total >= 0 and lines is not None
    missing: list[str] = rec.missing
    unexpected: list[dp.DebitLine] = rec.unexpected
    complete: bool = rec.complete
    month: str = rec.month
    assert line_fields and rec.regime == dp.Regime.DELEGATED_MANAGEMENT and missing and not unexpected
    assert not complete and month == "3/2024"

    ref: dp.Reference = dp.parse_reference("AB-123-CD")
    plate: str | None = ref.plate_format
    assert ref.kind == "registration_plate" and ref.normalized == "AB-123-CD" and plate

    support: dp.SupportDirectory = dp.support_directory()
    channels: list[dp.SupportChannel] = support.channels
    for c in channels:
        topics: list[str] = c.topics
        assert c.kind and c.value and topics and c.topic_labels_fr

    hasher = dp.PasswordHasher(m_cost_kib=256, t_cost=1, p_cost=1)
    phc: str = hasher.hash(PASSWORD)
    ok: bool = hasher.verify(PASSWORD, phc)
    rehash: bool = hasher.needs_rehash(phc)
    params: tuple[int, int, int] = (hasher.m_cost_kib, hasher.t_cost, hasher.p_cost)
    assert ok and not rehash and params == (256, 1, 1)


def first_token(portal: dp.Portal, email: str, kind: str) -> str:
    notes: list[dp.Notification] = portal.pending_notifications()
    for n in notes:
        nid: int = n.id
        token: str | None = n.token
        expires: str | None = n.expires_at
        link: str | None = n.link("https://portal.example/form?token=")
        assert n.created_at and n.locale and n.subject and n.name is not None and (expires or not token)
        if n.email == email and n.kind == kind and token is not None and link is not None:
            portal.acknowledge_notification(nid)
            return token
    raise LookupError(f"no {kind} for {email}")


def portal_flows(portal: dp.Portal) -> None:
    xyz = dp.Establishment("T99999", "GARAGE XYZ", "VILLE 1", dp.Regime.INSURANCE)
    uvw = dp.Establishment("T88888", "GARAGE UVW", "VILLE 2", regime=dp.Regime.DELEGATED_MANAGEMENT)
    fields: tuple[str, str, str, dp.Regime | None] = (xyz.code, xyz.name, xyz.city, xyz.regime)
    assert fields
    portal.add_establishment(uvw)
    admin_id: str = portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", [xyz, uvw])

    portal.request_password_reset(ADMIN)
    token = first_token(portal, ADMIN, "password_reset")
    status: dp.TokenStatus = portal.inspect_token(token)
    usable: bool = status.usable
    kind: str | None = status.kind
    expires_at: str | None = status.expires_at
    assert usable and kind == "password_reset" and expires_at
    portal.complete_password_reset(token, ADMIN, PASSWORD, PASSWORD)
    session: dp.Session = portal.login(ADMIN, PASSWORD, remember=False)
    assert session.account_id == admin_id and session.expires_at
    s: str = session.token
    assert portal.evaluate_password(PASSWORD, PASSWORD).acceptable

    manageable: list[dp.Establishment] = portal.manageable_establishments(s)
    assert len(manageable) == 2
    user_id: str = portal.create_user(
        s, "T99999", "GELOEN", "Alexandre", "alexandre@gmail.com", {dp.Right.SUBMIT_CLAIMS}, mobile=None, landline=None
    )
    activation = first_token(portal, "alexandre@gmail.com", "activation")
    portal.resend_activation(s, user_id)
    activation = first_token(portal, "alexandre@gmail.com", "activation")
    portal.activate_account(activation, "alexandre@gmail.com", PASSWORD, PASSWORD)
    portal.set_rights(s, user_id, "T88888", [dp.Right.SEARCH_CLAIMS])
    matrix: dict[str, list[dp.Right]] = portal.rights_matrix(s, user_id)
    assert matrix == {"T88888": [dp.Right.SEARCH_CLAIMS], "T99999": [dp.Right.SUBMIT_CLAIMS]}

    rows = [
        dp.UserImport("T99999", "Martin", "Léa", "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS], mobile="06 23 42 54 55"),
        dp.UserImport("T99999", "Bad", "Row", "not-an-email", [dp.Right.SEARCH_CLAIMS]),
    ]
    row_fields = (rows[0].establishment_code, rows[0].last_name, rows[0].first_name, rows[0].email)
    row_options: tuple[list[dp.Right], str | None, str | None] = (rows[0].rights, rows[0].mobile, rows[0].landline)
    assert row_fields and row_options
    outcomes: list[str | dp.PortalError] = portal.create_users(s, rows)
    for outcome in outcomes:
        if isinstance(outcome, dp.PortalError):
            code: str = outcome.code
            criteria: list[str] = outcome.criteria
            message: str = outcome.message
            assert code == "INVALID_EMAIL" and not criteria and message
        else:
            assert outcome

    page: dp.AccountPage = portal.list_accounts(
        s, text=None, establishment_code="T99999", descending=False, offset=0, limit=50, right=None, state=None
    )
    items: list[dp.AccountSummary] = page.items
    total: int = page.total
    for a in items:
        summary: tuple[str, str, str, str, str, list[str]] = (
            a.id,
            a.email,
            a.last_name,
            a.first_name,
            a.state,
            a.establishments,
        )
        assert summary
    assert total == 3

    portal.register_repairer("repair@example.fr", "Libre", "Jean", "GARAGE LIBRE", "VILLE 3")
    doc_id: str = portal.add_document(
        "T99999",
        dp.Document(
            "accounting",
            "2204003143",
            "2024-01-15",
            kind="maintenance_invoice",
            title="Facture",
            amount_cents=1_000,
            registration=None,
            contract_number=None,
            agreement_number=None,
            file_ref="s3://bucket/2204003143.pdf",
        ),
    )
    ids: list[str] = portal.add_documents("T99999", [dp.Document("quote", "D1", "2024-02-01")])
    docs: dp.DocumentPage = portal.search_documents(
        s,
        "T99999",
        "accounting",
        kind=None,
        number=None,
        period_from="1/2024",
        period_to=None,
        reference=None,
        offset=0,
        limit=10,
    )
    found: list[dp.Document] = docs.items
    doc = found[0]
    doc_fields: tuple[str | None, str | None, str, str | None, str, str] = (
        doc.id,
        doc.establishment,
        doc.category,
        doc.kind,
        doc.number,
        doc.issued_on,
    )
    more: tuple[str | None, int | None, str | None, str | None, str | None, str | None] = (
        doc.title,
        doc.amount_cents,
        doc.registration,
        doc.contract_number,
        doc.agreement_number,
        doc.file_ref,
    )
    assert doc_fields[0] == doc_id and ids and more and docs.total == 1

    portal.record_debit_line("T99999", "1/2024", dp.DebitLine("stellantis_insurance", "premium", 5_000))
    statement: dp.Reconciliation = portal.monthly_statement(s, "T99999", "1/2024")
    assert statement.complete

    events: list[dp.AuditEvent] = portal.audit_log(s, "T99999", offset=0, limit=10)
    for e in events:
        seq: int = e.seq
        who: str | None = e.actor
        whom: str | None = e.subject
        where: list[str] = e.establishments
        details: Any = e.details
        chain: tuple[str, str, str, str, str] = (e.at, e.action, e.action_label_fr, e.prev_hash, e.hash)
        assert seq and chain and where is not None
        _ = (who, whom, details)
    count: int = portal.verify_audit_chain()
    report: dp.MaintenanceReport = portal.run_maintenance()
    purged: tuple[int, int, int] = (report.notifications_purged, report.tokens_purged, report.sessions_purged)
    assert purged[1] >= 0
    exported: str = portal.export_account(s, admin_id)
    assert exported.startswith("{")
    assert count >= len(events)
    head: dp.AuditHead = portal.audit_head()
    head_seq: int = head.seq
    head_hash: str = head.hash
    assert portal.verify_audit_chain(dp.AuditHead(head_seq, head_hash)) == head_seq
    assert portal.verify_audit_chain(expected_head=None) == head_seq

    portal.disable_account(s, user_id)
    portal.enable_account(s, user_id)
    new_password = "Nouveau-Garage-2027?"
    portal.change_password(s, PASSWORD, new_password, new_password)
    s = portal.login(ADMIN, new_password, remember=True).token
    portal.logout(s)
    try:
        portal.manageable_establishments(s)
    except dp.AuthError as e:
        assert e.code == "SESSION_INVALID"
    errors: tuple[type[dp.PortalError], ...] = (
        dp.ValidationError,
        dp.AuthError,
        dp.TokenError,
        dp.ForbiddenError,
        dp.NotFoundError,
        dp.StorageError,
    )
    assert all(issubclass(cls, dp.PortalError) for cls in errors)


def host_surface(portal: dp.Portal) -> None:
    """The second release: what a host calls on every request and shows on every screen."""
    xyz = dp.Establishment("T99999", "GARAGE XYZ", "VILLE 1", dp.Regime.INSURANCE)
    uvw = dp.Establishment("T88888", "GARAGE UVW", "VILLE 2", dp.Regime.DELEGATED_MANAGEMENT)
    admin_id: str = portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", [xyz, uvw])
    portal.request_password_reset(ADMIN)
    portal.complete_password_reset(first_token(portal, ADMIN, "password_reset"), ADMIN, PASSWORD, PASSWORD)
    s: str = portal.login(ADMIN, PASSWORD).token

    info: dp.SessionInfo = portal.authenticate(s)
    who: tuple[str, str, str, str, str, str] = (
        info.account_id,
        info.email,
        info.last_name,
        info.first_name,
        info.role,
        info.expires_at,
    )
    where: str | None = info.establishment
    rights: dict[str, list[dp.Right]] = info.rights
    sections: list[dp.Section] = info.sections
    flags: tuple[bool, bool] = (info.mfa_enrolled, info.restricted)
    assert who[0] == admin_id and where == "T88888" and len(rights) == 2 and flags == (False, False)
    section: dp.Section = sections[0]
    section_texts: tuple[str, str, str, str, str] = (
        section.code,
        section.value,
        section.name,
        section.label_fr,
        section.label_en,
    )
    assert section_texts and dp.Section.from_code("home") == section and sections == dp.Section.all()
    visible: list[dp.Section] = dp.visible_sections([dp.Right.MANAGE_ACCOUNTS])
    assert dp.Section.ACCOUNT_MANAGEMENT in visible and dp.Section.HOME < dp.Section.EASICARE
    codes: list[dp.CallingCode] = dp.calling_codes()
    code_texts: tuple[str, str, str, str] = (codes[0].region, codes[0].code, codes[0].label_fr, codes[0].label_en)
    assert code_texts[:2] == ("FR", "+33")
    descriptions: tuple[str, str] = (dp.Right.SUBMIT_CLAIMS.description_fr, dp.Right.SUBMIT_CLAIMS.description_en)
    assert all(descriptions)

    switched: dp.SessionInfo = portal.select_establishment(s, "T99999")
    assert switched.establishment == "T99999"
    portal.login(ADMIN, PASSWORD, remember=True)
    sessions: list[dp.SessionSummary] = portal.list_sessions(s)
    for x in sessions:
        times: tuple[str, str, str, str] = (x.id, x.created_at, x.last_seen_at, x.expires_at)
        marks: tuple[bool, bool] = (x.remembered, x.current)
        assert times and marks
    portal.revoke_session(s, next(x.id for x in sessions if not x.current))
    portal.login(ADMIN, PASSWORD)
    ended: int = portal.revoke_other_sessions(s)
    assert ended == 1

    detail: dp.AccountDetail = portal.account(s, admin_id)
    names: tuple[str, str, str, str, str] = (detail.id, detail.email, detail.last_name, detail.first_name, detail.function)
    phones: tuple[str | None, str | None, str | None, str | None] = (
        detail.mobile,
        detail.landline,
        detail.mobile_display,
        detail.landline_display,
    )
    state: tuple[str, str, str, str | None] = (detail.state, detail.role, detail.created_at, detail.last_login_at)
    detail_rights: dict[str, list[dp.Right]] = detail.rights
    assert names and phones == (None, None, None, None) and state and detail_rights
    updated: dp.AccountDetail = portal.update_profile(
        s, admin_id, last_name=None, first_name="Éric", function="Gérant", mobile="06 23 42 54 55", landline=""
    )
    assert updated.mobile == "+33623425455"

    # establishment_code=None: the connected establishment.
    user_id: str = portal.create_user(s, None, "Martin", "Léa", "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    portal.add_document("T99999", dp.Document("workshop_claim", "W1", "2026-01-02", registration="AB-123-CD"))
    found: dp.DocumentPage = portal.search_reference(s, "AB-123-CD", establishment_code=None, offset=0, limit=10)
    claims: dp.DocumentPage = portal.search_documents(s, None, "workshop_claim")
    statement: dp.Reconciliation = portal.monthly_statement(s, None, "1/2026")
    events: list[dp.AuditEvent] = portal.audit_log(s)
    assert found.total == claims.total == 1 and statement.regime == dp.Regime.INSURANCE
    assert any(e.subject == user_id for e in events)

    portal.request_email_change(s, "nouvelle@garage-xyz.fr", PASSWORD)
    portal.confirm_email_change(first_token(portal, "nouvelle@garage-xyz.fr", "email_change"))
    assert portal.login("nouvelle@garage-xyz.fr", PASSWORD).account_id == admin_id


def main() -> None:
    pure_functions()
    portal_flows(dp.Portal.in_memory(config=FAST))
    host_surface(dp.Portal.in_memory(config=FAST))
    with tempfile.TemporaryDirectory() as tmp:
        path: str | os.PathLike[str] = Path(tmp) / "portal.db"
        portal_flows(dp.Portal.open(path, config=FAST))


if __name__ == "__main__":
    main()
