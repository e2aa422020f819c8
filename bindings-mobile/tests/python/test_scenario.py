"""The seed's scenario ("Formation création de compte") through the generated Python, with the
error codes callers branch on."""

import re

import dealer_portal as dp
import pytest
from helpers import ADMIN, ADMIN_PASSWORD, FAST, USER, USER_PASSWORD, raises_code, take_mail

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

GARAGES = [
    dp.Establishment(code="T99999", name="GARAGE XYZ", city="VILLE 1", regime=dp.Regime.INSURANCE),
    dp.Establishment(code="T88888", name="GARAGE UVW", city="VILLE 2", regime=dp.Regime.DELEGATED_MANAGEMENT),
]
USER_RIGHTS = [
    dp.Right.QUOTES_AND_SUBSCRIPTIONS,
    dp.Right.SEARCH_QUOTES_AND_CONTRACTS,
    dp.Right.ACCOUNTING_DOCUMENTS,
]


@pytest.fixture
def portal():
    return dp.Portal.in_memory(FAST)


def admin_session(portal):
    """§1: the declared administrator creates a password through "Mot de passe oublié"."""
    admin_id = portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
    portal.request_password_reset(ADMIN)
    mail = take_mail(portal, "password_reset", ADMIN)
    portal.complete_password_reset(mail.token, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    session = portal.login(ADMIN, ADMIN_PASSWORD)
    assert session.account_id == admin_id
    return admin_id, session.token


def test_administrator_account_through_forgotten_password(portal):
    admin_id = portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
    # declaring again adds, never duplicates
    assert portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES[:1]) == admin_id
    # a declared account cannot log in yet
    with raises_code("INVALID_CREDENTIALS"):
        portal.login(ADMIN, ADMIN_PASSWORD)

    # the same answer for a known and an unknown email; only the known one gets a mail
    portal.request_password_reset("  Admin@Garage-XYZ.fr ")
    portal.request_password_reset("nobody@example.fr")
    mails = portal.pending_notifications()
    assert [(m.kind, m.email) for m in mails] == [("password_reset", ADMIN)]
    mail = mails[0]
    assert mail.token and ISO_UTC.match(mail.expires_at) and ISO_UTC.match(mail.created_at)
    assert mail.subject == "Réinitialisation du mot de passe"
    assert mail.locale == "fr"

    status = portal.inspect_token(mail.token)
    assert (status.usable, status.kind) == (True, "password_reset")
    assert ISO_UTC.match(status.expires_at)

    # the form's errors, in the contract's order of precedence
    with raises_code("EMAIL_MISMATCH"):
        portal.complete_password_reset(mail.token, "other@garage-xyz.fr", ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert portal.inspect_token(mail.token).usable  # a wrong email does not burn the link
    with raises_code("PASSWORD_POLICY") as info:
        portal.complete_password_reset(mail.token, ADMIN, "garage", "different")
    assert info.value.failed_criteria == ["min_length", "uppercase", "digit", "special"]
    with raises_code("CONFIRMATION_MISMATCH"):
        portal.complete_password_reset(mail.token, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD + "?")

    portal.complete_password_reset(mail.token, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    portal.acknowledge_notification(mail.id)
    assert portal.pending_notifications() == []
    assert not portal.inspect_token(mail.token).usable
    with raises_code("TOKEN_INVALID"):
        portal.complete_password_reset(mail.token, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    with raises_code("TOKEN_INVALID"):
        portal.complete_password_reset("not-a-token", ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert portal.inspect_token("not-a-token").usable is False

    with raises_code("INVALID_CREDENTIALS"):
        portal.login(ADMIN, "Wrong password 2026 !")
    session = portal.login(ADMIN, ADMIN_PASSWORD, remember=True)
    assert session.account_id == admin_id and session.token and ISO_UTC.match(session.expires_at)
    assert [e.code for e in portal.manageable_establishments(session.token)] == ["T88888", "T99999"]

    # a new password must differ from the previous ones
    with raises_code("PASSWORD_REUSED"):
        portal.change_password(session.token, ADMIN_PASSWORD, ADMIN_PASSWORD, ADMIN_PASSWORD)
    portal.change_password(session.token, ADMIN_PASSWORD, "Nouveau mot de passe 2026 !", "Nouveau mot de passe 2026 !")
    with raises_code("SESSION_INVALID"):  # every session ends with a change of password
        portal.manageable_establishments(session.token)


def test_users_rights_menu_documents_and_audit(portal):
    admin_id, admin = admin_session(portal)

    # §2: "+ Ajouter un nouvel utilisateur" on GARAGE XYZ
    uid = portal.create_user(
        admin, "T99999", "GELOEN", "Alexandre", USER, USER_RIGHTS,
        mobile="06 23 42 54 55", landline="01 34 34 67 88",
    )
    with raises_code("EMAIL_TAKEN"):
        portal.create_user(admin, "T99999", "Autre", "Personne", USER.upper(), USER_RIGHTS)
    with raises_code("NO_RIGHTS_SELECTED"):
        portal.create_user(admin, "T99999", "Dupont", "Éric", "eric@garage-xyz.fr", [])
    with raises_code("UNKNOWN_ESTABLISHMENT"):
        portal.create_user(admin, "T00001", "Dupont", "Éric", "eric@garage-xyz.fr", USER_RIGHTS)
    with raises_code("INVALID_EMAIL"):
        portal.create_user(admin, "T99999", "Dupont", "Éric", "eric-at-garage", USER_RIGHTS)
    with raises_code("INVALID_NAME"):
        portal.create_user(admin, "T99999", "   ", "Éric", "eric@garage-xyz.fr", USER_RIGHTS)
    with raises_code("INVALID_PHONE"):
        portal.create_user(admin, "T99999", "Dupont", "Éric", "eric@garage-xyz.fr", USER_RIGHTS, mobile="01 34 34 67 88")
    portal.create_user(admin, "T99999", "Dupont", "Éric", "eric.dupont@garage-xyz.fr", [dp.Right.SUBMIT_CLAIMS])

    # "Activez votre compte", then the first connection
    mail = take_mail(portal, "activation", USER)
    assert mail.subject == "Activez votre compte"
    assert portal.inspect_token(mail.token).kind == "activation"
    with raises_code("PASSWORD_POLICY"):
        portal.activate_account(mail.token, USER, "court", "court")
    portal.activate_account(mail.token, USER, USER_PASSWORD, USER_PASSWORD)
    user = portal.login(USER, USER_PASSWORD, remember=True)
    assert user.account_id == uid

    # the user's rights drive the app's menu
    matrix = portal.rights_matrix(user.token, uid)
    assert matrix == {"T99999": USER_RIGHTS}
    assert [s.label_fr for s in dp.visible_sections(matrix["T99999"])] == [
        "ACCUEIL", "LISTE DEVIS ET CONTRATS", "EASICARE", "DOCUMENTS",
    ]
    # a user without manage_accounts cannot manage
    assert portal.manageable_establishments(user.token) == []
    with raises_code("FORBIDDEN"):
        portal.create_user(user.token, "T99999", "Durand", "Anne", "anne@garage-xyz.fr", USER_RIGHTS)
    with raises_code("FORBIDDEN"):
        portal.list_accounts(user.token)

    # rights on a second establishment; no escalation; the last manager stays
    portal.set_rights(admin, uid, "T88888", [dp.Right.SEARCH_CLAIMS])
    assert portal.rights_matrix(admin, uid) == {"T88888": [dp.Right.SEARCH_CLAIMS], "T99999": USER_RIGHTS}
    with raises_code("LAST_MANAGER"):
        portal.set_rights(admin, admin_id, "T99999", [dp.Right.SUBMIT_CLAIMS])
    with raises_code("UNKNOWN_ACCOUNT"):
        portal.set_rights(admin, "00000000000000000000000000000000", "T99999", USER_RIGHTS)

    # "Rechercher un utilisateur": every state, French order, text search, paging
    page = portal.list_accounts(admin)
    assert page.total == 3
    assert [a.last_name.lower() for a in page.items] == ["dupont", "geloen", "geloen"]
    assert {(a.email, a.state) for a in page.items} >= {("eric.dupont@garage-xyz.fr", "invited")}
    assert portal.list_accounts(admin, descending=True).items[-1].last_name == "Dupont"
    assert {a.email for a in page.items} == {ADMIN, USER, "eric.dupont@garage-xyz.fr"}
    found = portal.list_accounts(admin, text="éric")
    assert [a.email for a in found.items] == ["eric.dupont@garage-xyz.fr"]
    assert portal.list_accounts(admin, state="invited").total == 1
    assert portal.list_accounts(admin, right=dp.Right.MANAGE_ACCOUNTS).total == 1
    assert portal.list_accounts(admin, establishment_code="T88888").total == 2
    paged = portal.list_accounts(admin, descending=True, offset=1, limit=1)
    assert (paged.total, len(paged.items)) == (3, 1)
    with raises_code("INVALID_QUERY"):
        portal.list_accounts(admin, limit=0)
    with raises_code("UNKNOWN_CODE"):
        portal.list_accounts(admin, state="sleeping")

    # §3: documents of the establishment the user is connected to
    doc_id = portal.add_document("T99999", dp.Document(
        category="accounting", number="2204003143", issued_on="2022-04-15", kind="maintenance_invoice",
        amount_cents=12_345, registration="ab-123-cd", file_ref="s3://docs/2204003143.pdf",
    ))
    portal.add_document("T99999", dp.Document(
        category="accounting", number="2205000001", issued_on="2022-05-02", kind="credit_note", amount_cents=-500,
    ))
    portal.add_document("T99999", dp.Document(
        category="workshop_claim", number="PEC-1", issued_on="2022-05-03", agreement_number="2204 003 143",
    ))
    with raises_code("UNKNOWN_ESTABLISHMENT"):
        portal.add_document("T00001", dp.Document(category="quote", number="D1", issued_on="2022-05-02"))
    with raises_code("INVALID_INPUT"):
        portal.add_document("T99999", dp.Document(category="quote", number="D2", issued_on="2022-02-30"))
    with raises_code("INVALID_INPUT"):  # a kind is for accounting documents only
        portal.add_document("T99999", dp.Document(category="quote", number="D3", issued_on="2022-02-03", kind="credit_note"))

    everything = portal.search_documents(user.token, "T99999", "accounting")
    assert everything.total == 2
    assert [d.number for d in everything.items] == ["2205000001", "2204003143"]  # newest first
    april = portal.search_documents(user.token, "T99999", "accounting", period_from="4/2022", period_to="4/2022")
    assert [d.id for d in april.items] == [doc_id]
    (d,) = april.items
    assert (d.kind, d.kind_label_fr, d.issued_on, d.amount_cents, d.registration) == (
        "maintenance_invoice", "Facture Entretien", "2022-04-15", 12_345, "AB-123-CD",
    )
    assert portal.search_documents(user.token, "T99999", "accounting", reference="AB 123 CD").total == 1
    assert portal.search_documents(user.token, "T99999", "accounting", kind="credit_note").total == 1
    assert portal.search_documents(user.token, "T99999", "accounting", number="2204003143").total == 1
    with raises_code("FORBIDDEN"):  # the user cannot search workshop claims
        portal.search_documents(user.token, "T99999", "workshop_claim")
    claims = portal.search_documents(admin, "T99999", "workshop_claim", reference="2204003143")
    assert [(d.number, d.agreement_number) for d in claims.items] == [("PEC-1", "2204003143")]
    with raises_code("INVALID_PERIOD"):
        portal.search_documents(user.token, "T99999", "accounting", period_from="13/2022")
    with raises_code("INVALID_QUERY"):
        portal.search_documents(user.token, "T99999", "accounting", kind="invoice")
    with raises_code("UNKNOWN_ESTABLISHMENT"):
        portal.search_documents(user.token, "T00001", "accounting")

    # the audit log, for managers only
    log = portal.audit_log(admin, "T99999")
    actions = [e.action for e in log]
    assert "user_created" in actions and "administrator_declared" in actions
    assert log[0].seq > log[-1].seq  # newest first
    assert all(ISO_UTC.match(e.at) and len(e.hash) == 64 for e in log)
    assert portal.audit_log(admin, "T99999", offset=0, limit=2)[0].seq == log[0].seq
    with raises_code("FORBIDDEN"):
        portal.audit_log(user.token, "T99999")

    # disabling ends the user's sessions and logins
    portal.disable_account(admin, uid)
    with raises_code("SESSION_INVALID"):
        portal.rights_matrix(user.token, uid)
    with raises_code("INVALID_CREDENTIALS"):
        portal.login(USER, USER_PASSWORD)
    assert portal.list_accounts(admin, state="disabled").total == 1

    portal.logout(admin)
    portal.logout(admin)  # not an error
    with raises_code("SESSION_INVALID"):
        portal.manageable_establishments(admin)


def test_resend_activation_supersedes_the_first_link(portal):
    _, admin = admin_session(portal)
    uid = portal.create_user(admin, "T99999", "GELOEN", "Alexandre", USER, USER_RIGHTS)
    first = take_mail(portal, "activation", USER)
    portal.resend_activation(admin, uid)
    second = take_mail(portal, "activation", USER)
    assert first.token != second.token
    assert not portal.inspect_token(first.token).usable
    with raises_code("TOKEN_INVALID"):
        portal.activate_account(first.token, USER, USER_PASSWORD, USER_PASSWORD)
    portal.activate_account(second.token, USER, USER_PASSWORD, USER_PASSWORD)


def test_repairer_registers_itself_without_revealing_taken_emails(portal):
    portal.register_repairer("atelier@repar.fr", "Martin", "Luc", "ATELIER MARTIN", "VILLE 4")
    mail = take_mail(portal, "activation", "atelier@repar.fr")
    portal.activate_account(mail.token, "atelier@repar.fr", USER_PASSWORD, USER_PASSWORD)
    s = portal.login("atelier@repar.fr", USER_PASSWORD)
    (code,) = portal.rights_matrix(s.token, s.account_id).keys()
    assert code.startswith("R")
    assert [e.regime for e in portal.manageable_establishments(s.token)] == [None]
    assert [x.code for x in dp.visible_sections(portal.rights_matrix(s.token, s.account_id)[code])] == [
        "home", "workshop_claims", "easicare", "account_management",
    ]
    # taken: the same answer, an "account exists" mail instead
    portal.register_repairer("atelier@repar.fr", "Martin", "Luc", "ATELIER MARTIN", "VILLE 4")
    assert [m.kind for m in portal.pending_notifications()] == ["account_exists"]
    with raises_code("INVALID_EMAIL"):
        portal.register_repairer("nope", "Martin", "Luc", "ATELIER MARTIN", "VILLE 4")


def test_sqlite_file_persists_between_openings(tmp_path):
    path = str(tmp_path / "portal.db")
    p = dp.Portal.open(path, FAST)
    admin_id = p.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
    p.request_password_reset(ADMIN)
    del p
    again = dp.Portal.open(path, config_json=FAST)
    (mail,) = again.pending_notifications()
    again.complete_password_reset(mail.token, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert again.login(ADMIN, ADMIN_PASSWORD).account_id == admin_id


def test_default_config_hashes_with_owasp_parameters():
    p = dp.Portal.in_memory()
    p.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES[:1])
    p.request_password_reset(ADMIN)
    (mail,) = p.pending_notifications()
    p.complete_password_reset(mail.token, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert p.login(ADMIN, ADMIN_PASSWORD).token


def test_configuration_errors():
    with raises_code("INVALID_CONFIG"):
        dp.Portal.in_memory("{")
    with raises_code("INVALID_CONFIG"):
        dp.Portal.in_memory('{"lockout": {"max_failures": 0, "base": 900, "max": 900}}')
    p = dp.Portal.in_memory('{"policy": {"min_length": 8}}')
    assert p.evaluate_password("Ab1!abcd").acceptable
    assert not dp.evaluate_password("Ab1!abcd").acceptable


def test_errors_carry_code_detail_and_are_portal_errors(portal):
    with pytest.raises(dp.PortalError.Failed) as info:
        portal.login("nobody@example.fr", "whatever")
    e = info.value
    assert isinstance(e, dp.PortalError) and isinstance(e, Exception)
    assert (e.code, e.detail, e.failed_criteria) == ("INVALID_CREDENTIALS", "invalid email or password", [])
    with raises_code("UNKNOWN_NOTIFICATION"):
        portal.acknowledge_notification("42")
