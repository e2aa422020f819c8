"""The seed's flows end to end, from Python, over both stores."""

from __future__ import annotations

import dealer_portal as dp
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD, establishments, take_token


def test_seed_scenario(any_portal: dp.Portal) -> None:
    portal = any_portal

    # §1: the administrator is declared with the manager's extranet, on both garages.
    admin_id = portal.declare_administrator(ADMIN_EMAIL, "Geloen", "Alexandre", "Gérant", establishments())
    assert isinstance(admin_id, str) and admin_id
    # Declaring again adds, never duplicates.
    assert portal.declare_administrator(ADMIN_EMAIL, "Geloen", "Alexandre", "Gérant", establishments()) == admin_id

    # "Mot de passe oublié": a reset mail, whose link is inspected (not consumed) then used.
    portal.request_password_reset("  Admin@Garage-XYZ.fr ")
    notes = portal.pending_notifications()
    assert [(n.kind, n.email) for n in notes] == [("password_reset", ADMIN_EMAIL)]
    note = notes[0]
    assert note.token is not None and note.expires_at is not None
    assert note.expires_at.endswith("Z") and "T" in note.expires_at
    assert note.token not in repr(note)
    assert note.link("https://portal.example/reset?token=") == "https://portal.example/reset?token=" + note.token
    token = note.token
    status = portal.inspect_token(token)
    assert status.usable and status.kind == "password_reset" and status.expires_at is not None
    assert portal.inspect_token(token).usable  # inspecting never consumes
    portal.acknowledge_notification(note.id)
    assert portal.pending_notifications() == []

    portal.complete_password_reset(token, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert not portal.inspect_token(token).usable

    session = portal.login(ADMIN_EMAIL, ADMIN_PASSWORD, remember=True)
    assert session.account_id == admin_id
    assert session.token not in repr(session)
    assert [e.code for e in portal.manageable_establishments(session.token)] == ["T88888", "T99999"]

    # §2: a user with some of the administrator's rights gets an activation mail.
    rights = [dp.Right.SUBMIT_CLAIMS, dp.Right.SEARCH_CLAIMS]
    user_id = portal.create_user(
        session.token, "T99999", "GELOEN", "Alexandre", "alexandre@gmail.com", rights, mobile="06 23 42 54 55"
    )
    activation = [n for n in portal.pending_notifications() if n.kind == "activation"]
    assert [n.email for n in activation] == ["alexandre@gmail.com"]
    assert activation[0].subject == "Activez votre compte"
    token = take_token(portal, "alexandre@gmail.com", "activation")
    assert portal.inspect_token(token).kind == "activation"
    portal.activate_account(token, "alexandre@gmail.com", USER_PASSWORD, USER_PASSWORD)
    user_session = portal.login("alexandre@gmail.com", USER_PASSWORD)
    assert user_session.account_id == user_id

    assert portal.rights_matrix(session.token, user_id) == {"T99999": rights}
    matrix = portal.rights_matrix(session.token, admin_id)
    assert set(matrix) == {"T99999", "T88888"} and matrix["T88888"] == dp.Right.all()

    # More accounts, to see the French order: Éric sorts among the E.
    for last, first, email in [
        ("Éluard", "Paul", "paul.eluard@garage-xyz.fr"),
        ("Dupont", "Éric", "eric.dupont@garage-xyz.fr"),
        ("Zola", "Émile", "emile.zola@garage-xyz.fr"),
    ]:
        portal.create_user(session.token, "T99999", last, first, email, [dp.Right.SEARCH_CLAIMS])
    page = portal.list_accounts(session.token)
    names = [a.last_name for a in page.items]
    assert names == ["Dupont", "Éluard", "Geloen", "GELOEN", "Zola"]
    assert page.total == 5
    states = {a.email: a.state for a in page.items}
    assert states[ADMIN_EMAIL] == "active" and states["paul.eluard@garage-xyz.fr"] == "invited"
    desc = portal.list_accounts(session.token, descending=True, limit=2)
    assert [a.last_name for a in desc.items][0] == "Zola" and desc.total == 5 and len(desc.items) == 2
    found = portal.list_accounts(session.token, text="eric")
    assert [a.email for a in found.items] == ["eric.dupont@garage-xyz.fr"]
    uvw = portal.list_accounts(session.token, establishment_code="T88888")
    assert [a.email for a in uvw.items] == [ADMIN_EMAIL]
    invited = portal.list_accounts(session.token, state="invited", right=dp.Right.SEARCH_CLAIMS)
    assert invited.total == 3

    # §3: documents, searched by the user connected to an establishment.
    portal.add_document(
        "T99999",
        dp.Document("accounting", "2204003143", "2024-01-15", kind="maintenance_invoice", amount_cents=12_345),
    )
    portal.add_documents(
        "T99999",
        [
            dp.Document("accounting", "2204003144", "2024-03-02", kind="warranty_invoice"),
            dp.Document("contract", "C123456", "2024-02-01", registration="ab-123-cd", contract_number="AB12345678"),
        ],
    )
    docs = portal.search_documents(session.token, "T99999", "accounting")
    assert docs.total == 2 and [d.number for d in docs.items] == ["2204003144", "2204003143"]
    assert docs.items[1].id is not None and docs.items[1].establishment == "T99999"
    assert docs.items[1].amount_cents == 12_345 and docs.items[1].kind == "maintenance_invoice"
    one = portal.search_documents(session.token, "T99999", "accounting", number="2204003143")
    assert [d.number for d in one.items] == ["2204003143"]
    jan = portal.search_documents(session.token, "T99999", "accounting", period_from="1/2024", period_to="1/2024")
    assert [d.number for d in jan.items] == ["2204003143"]
    plate = portal.search_documents(session.token, "T99999", "contract", reference="AB 123 cd")
    assert [d.registration for d in plate.items] == ["AB-123-CD"]

    # Monthly debits: recorded lines reconciled against the regime.
    portal.record_debit_line("T99999", "1/2024", dp.DebitLine("stellantis_insurance", "premium", 50_000))
    portal.record_debit_line("T99999", "1/2024", dp.DebitLine("stellantis_services", "npo", 2_500))
    statement = portal.monthly_statement(session.token, "T99999", "1/2024")
    assert statement.regime == dp.Regime.INSURANCE and statement.complete
    assert [(d.code, d.total_cents) for d in statement.debits] == [("insurance_monthly", 52_500)]
    offline = dp.reconcile(
        dp.Regime.INSURANCE,
        "1/2024",
        [dp.DebitLine("stellantis_insurance", "premium", 50_000), dp.DebitLine("stellantis_services", "npo", 2_500)],
    )
    assert offline == statement

    # The audit log of the establishment, chained.
    log = portal.audit_log(session.token, "T99999")
    actions = [e.action for e in log]
    assert "administrator_declared" in actions and "user_created" in actions and "account_activated" in actions
    assert log[0].seq > log[-1].seq  # newest first
    created = next(e for e in log if e.action == "user_created" and e.subject == user_id)
    assert created.actor == admin_id and created.establishments == ["T99999"]
    assert created.details == {"rights": ["submit_claims", "search_claims"]}
    assert portal.verify_audit_chain() >= len(log)

    # The user can no longer log in once disabled, and again once enabled.
    portal.disable_account(session.token, user_id)
    try:
        portal.login("alexandre@gmail.com", USER_PASSWORD)
        raise AssertionError("disabled account logged in")
    except dp.AuthError as e:
        assert e.code == "INVALID_CREDENTIALS"
    portal.enable_account(session.token, user_id)
    portal.login("alexandre@gmail.com", USER_PASSWORD)

    # Logout ends the session.
    portal.logout(session.token)
    try:
        portal.manageable_establishments(session.token)
        raise AssertionError("session still valid after logout")
    except dp.AuthError as e:
        assert e.code == "SESSION_INVALID"


def test_repairer_registration(portal: dp.Portal) -> None:
    portal.register_repairer("Garage.Libre@Example.fr", "Libre", "Jean", "GARAGE LIBRE", "VILLE 3")
    token = take_token(portal, "garage.libre@example.fr", "activation")
    portal.activate_account(token, "garage.libre@example.fr", USER_PASSWORD, USER_PASSWORD)
    session = portal.login("garage.libre@example.fr", USER_PASSWORD)
    [shop] = portal.manageable_establishments(session.token)
    assert shop.code.startswith("R") and shop.regime is None and shop.name == "GARAGE LIBRE"
    assert portal.rights_matrix(session.token, session.account_id) == {
        shop.code: [dp.Right.SUBMIT_CLAIMS, dp.Right.SEARCH_CLAIMS, dp.Right.MANAGE_ACCOUNTS]
    }
    info = portal.authenticate(session.token)
    assert (info.role, info.establishment) == ("repairer", shop.code)
    assert [x.code for x in info.sections] == ["home", "workshop_claims", "easicare", "account_management"]
    # Same answer when the email is taken; its owner is told instead.
    portal.register_repairer("garage.libre@example.fr", "Libre", "Jean", "GARAGE LIBRE", "VILLE 3")
    assert [n.kind for n in portal.pending_notifications()] == ["account_exists"]


def test_change_password_and_resend_activation(portal: dp.Portal) -> None:
    from conftest import seed

    s = seed(portal)
    user_id = portal.create_user(s.session, "T99999", "Martin", "Léa", "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    first = take_token(portal, "lea@garage-xyz.fr", "activation")
    portal.resend_activation(s.session, user_id)
    second = take_token(portal, "lea@garage-xyz.fr", "activation")
    assert not portal.inspect_token(first).usable and portal.inspect_token(second).usable

    new_password = "Nouveau-Garage-2027?"
    portal.change_password(s.session, ADMIN_PASSWORD, new_password, new_password)
    session = portal.login(ADMIN_EMAIL, new_password)
    assert session.account_id == s.admin_id


def test_bulk_create_users(any_portal: dp.Portal) -> None:
    from conftest import seed

    s = seed(any_portal)
    rows = [
        dp.UserImport("T99999", "GELOEN", "Alexandre", "alexandre@gmail.com", [dp.Right.SUBMIT_CLAIMS], mobile="06 23 42 54 55"),
        dp.UserImport("T99999", "Bad", "Email", "not-an-email", [dp.Right.SUBMIT_CLAIMS]),
        dp.UserImport("T12345", "Nowhere", "Man", "nowhere@garage.fr", [dp.Right.SUBMIT_CLAIMS]),
        dp.UserImport("T88888", "Martin", "Léa", "lea@garage-uvw.fr", {dp.Right.SEARCH_CLAIMS, dp.Right.SUBMIT_CLAIMS}),
        dp.UserImport("T88888", "Again", "Alexandre", "Alexandre@Gmail.com", [dp.Right.SEARCH_CLAIMS]),
    ]
    assert rows[3].rights == [dp.Right.SUBMIT_CLAIMS, dp.Right.SEARCH_CLAIMS]  # canonical order
    outcomes = s.portal.create_users(s.session, rows)
    codes = [o.code if isinstance(o, dp.PortalError) else "ok" for o in outcomes]
    assert codes == ["ok", "INVALID_EMAIL", "UNKNOWN_ESTABLISHMENT", "ok", "EMAIL_TAKEN"]
    assert isinstance(outcomes[1], dp.ValidationError) and isinstance(outcomes[2], dp.NotFoundError)
    created = {a.email: a.id for a in s.portal.list_accounts(s.session).items}
    assert created["alexandre@gmail.com"] == outcomes[0] and created["lea@garage-uvw.fr"] == outcomes[3]
    # A bad session fails the whole call.
    try:
        s.portal.create_users("not-a-session", rows)
        raise AssertionError("created users without a session")
    except dp.AuthError as e:
        assert e.code == "SESSION_INVALID"
