"""The seed's scenario ("Formation création de compte") through the generated Python, with the
error codes callers branch on."""

import re

import dealer_portal as dp
import pytest
from helpers import ADMIN, ADMIN_PASSWORD, FAST, USER, USER_PASSWORD, active_user, raises_code, take_mail

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
    portal.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    session = portal.login(ADMIN, ADMIN_PASSWORD)
    assert session.account_id == admin_id
    return admin_id, session.token.expose()


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
    assert mail.token.expose() and ISO_UTC.match(mail.expires_at) and ISO_UTC.match(mail.created_at)
    assert mail.subject == "Réinitialisation du mot de passe"
    assert mail.locale == "fr"

    status = portal.inspect_token(mail.token.expose())
    assert (status.usable, status.kind) == (True, "password_reset")
    assert ISO_UTC.match(status.expires_at)

    # the form's errors, in the contract's order of precedence
    with raises_code("EMAIL_MISMATCH"):
        portal.complete_password_reset(mail.token.expose(), "other@garage-xyz.fr", ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert portal.inspect_token(mail.token.expose()).usable  # a wrong email does not burn the link
    with raises_code("PASSWORD_POLICY") as info:
        portal.complete_password_reset(mail.token.expose(), ADMIN, "garage", "different")
    assert info.value.failed_criteria == ["min_length", "uppercase", "digit", "special"]
    with raises_code("CONFIRMATION_MISMATCH"):
        portal.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD + "?")

    portal.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    portal.acknowledge_notification(mail.id)
    assert portal.pending_notifications() == []
    assert not portal.inspect_token(mail.token.expose()).usable
    with raises_code("TOKEN_INVALID"):
        portal.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    with raises_code("TOKEN_INVALID"):
        portal.complete_password_reset("not-a-token", ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert portal.inspect_token("not-a-token").usable is False

    with raises_code("INVALID_CREDENTIALS"):
        portal.login(ADMIN, "Wrong password 2026 !")
    session = portal.login(ADMIN, ADMIN_PASSWORD, remember=True)
    assert session.account_id == admin_id and session.token.expose() and ISO_UTC.match(session.expires_at)
    assert [e.code for e in portal.manageable_establishments(session.token.expose())] == ["T88888", "T99999"]

    # a new password must differ from the previous ones
    with raises_code("PASSWORD_REUSED"):
        portal.change_password(session.token.expose(), ADMIN_PASSWORD, ADMIN_PASSWORD, ADMIN_PASSWORD)
    portal.change_password(session.token.expose(), ADMIN_PASSWORD, "Nouveau mot de passe 2026 !", "Nouveau mot de passe 2026 !")
    with raises_code("SESSION_INVALID"):  # every session ends with a change of password
        portal.manageable_establishments(session.token.expose())


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
    assert portal.inspect_token(mail.token.expose()).kind == "activation"
    with raises_code("PASSWORD_POLICY"):
        portal.activate_account(mail.token.expose(), USER, "court", "court")
    portal.activate_account(mail.token.expose(), USER, USER_PASSWORD, USER_PASSWORD)
    user = portal.login(USER, USER_PASSWORD, remember=True)
    assert user.account_id == uid

    # the user's rights drive the app's menu
    matrix = portal.rights_matrix(user.token.expose(), uid)
    assert matrix == {"T99999": USER_RIGHTS}
    assert [s.label_fr for s in dp.visible_sections(matrix["T99999"])] == [
        "ACCUEIL", "LISTE DEVIS ET CONTRATS", "EASICARE", "DOCUMENTS",
    ]
    # a user without manage_accounts cannot manage
    assert portal.manageable_establishments(user.token.expose()) == []
    with raises_code("FORBIDDEN"):
        portal.create_user(user.token.expose(), "T99999", "Durand", "Anne", "anne@garage-xyz.fr", USER_RIGHTS)
    with raises_code("FORBIDDEN"):
        portal.list_accounts(user.token.expose())

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

    everything = portal.search_documents(user.token.expose(), "T99999", "accounting")
    assert everything.total == 2
    assert [d.number for d in everything.items] == ["2205000001", "2204003143"]  # newest first
    april = portal.search_documents(user.token.expose(), "T99999", "accounting", period_from="4/2022", period_to="4/2022")
    assert [d.id for d in april.items] == [doc_id]
    (d,) = april.items
    assert (d.kind, d.kind_label_fr, d.issued_on, d.amount_cents, d.registration) == (
        "maintenance_invoice", "Facture Entretien", "2022-04-15", 12_345, "AB-123-CD",
    )
    assert portal.search_documents(user.token.expose(), "T99999", "accounting", reference="AB 123 CD").total == 1
    assert portal.search_documents(user.token.expose(), "T99999", "accounting", kind="credit_note").total == 1
    assert portal.search_documents(user.token.expose(), "T99999", "accounting", number="2204003143").total == 1
    with raises_code("FORBIDDEN"):  # the user cannot search workshop claims
        portal.search_documents(user.token.expose(), "T99999", "workshop_claim")
    claims = portal.search_documents(admin, "T99999", "workshop_claim", reference="2204003143")
    assert [(d.number, d.agreement_number) for d in claims.items] == [("PEC-1", "2204003143")]
    with raises_code("INVALID_PERIOD"):
        portal.search_documents(user.token.expose(), "T99999", "accounting", period_from="13/2022")
    with raises_code("INVALID_QUERY"):
        portal.search_documents(user.token.expose(), "T99999", "accounting", kind="invoice")
    with raises_code("UNKNOWN_ESTABLISHMENT"):
        portal.search_documents(user.token.expose(), "T00001", "accounting")

    # the audit log, for managers only
    log = portal.audit_log(admin, "T99999")
    actions = [e.action for e in log]
    assert "user_created" in actions and "administrator_declared" in actions
    assert log[0].seq > log[-1].seq  # newest first
    assert all(ISO_UTC.match(e.at) and len(e.hash) == 64 for e in log)
    assert portal.audit_log(admin, "T99999", offset=0, limit=2)[0].seq == log[0].seq
    with raises_code("FORBIDDEN"):
        portal.audit_log(user.token.expose(), "T99999")

    # disabling ends the user's sessions and logins
    portal.disable_account(admin, uid)
    with raises_code("SESSION_INVALID"):
        portal.rights_matrix(user.token.expose(), uid)
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
    assert first.token.expose() != second.token.expose()
    assert not portal.inspect_token(first.token.expose()).usable
    with raises_code("TOKEN_INVALID"):
        portal.activate_account(first.token.expose(), USER, USER_PASSWORD, USER_PASSWORD)
    portal.activate_account(second.token.expose(), USER, USER_PASSWORD, USER_PASSWORD)


def test_repairer_registers_itself_without_revealing_taken_emails(portal):
    portal.register_repairer("atelier@repar.fr", "Martin", "Luc", "ATELIER MARTIN", "VILLE 4")
    mail = take_mail(portal, "activation", "atelier@repar.fr")
    portal.activate_account(mail.token.expose(), "atelier@repar.fr", USER_PASSWORD, USER_PASSWORD)
    s = portal.login("atelier@repar.fr", USER_PASSWORD)
    (code,) = portal.rights_matrix(s.token.expose(), s.account_id).keys()
    assert code.startswith("R")
    assert [e.regime for e in portal.manageable_establishments(s.token.expose())] == [None]
    assert [x.code for x in dp.visible_sections(portal.rights_matrix(s.token.expose(), s.account_id)[code])] == [
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
    again.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert again.login(ADMIN, ADMIN_PASSWORD).account_id == admin_id


def test_default_config_hashes_with_owasp_parameters():
    p = dp.Portal.in_memory()
    p.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES[:1])
    p.request_password_reset(ADMIN)
    (mail,) = p.pending_notifications()
    p.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert p.login(ADMIN, ADMIN_PASSWORD).token.expose()


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


# ----- the second release: what a host calls on every request and every screen -----

FULL_MENU = ["home", "quotes_and_contracts", "workshop_claims", "easicare", "documents", "account_management"]


def test_authenticate_says_who_where_and_which_menu(portal):
    admin_id, admin = admin_session(portal)
    info = portal.authenticate(admin)
    assert (info.account_id, info.email, info.last_name, info.first_name, info.role) == (
        admin_id, ADMIN, "Geloen", "Alexandre", "administrator",
    )
    assert ISO_UTC.match(info.expires_at)
    # connected at login to the first establishment, in code order, where it holds a right
    assert info.establishment == "T88888"
    assert info.rights == {"T88888": list(dp.Right), "T99999": list(dp.Right)}
    assert [s.code for s in info.sections] == FULL_MENU
    assert info.sections[0].label_fr == "ACCUEIL" and info.sections[0].label_en == "HOME"
    assert (info.mfa_enrolled, info.restricted) == (False, False)
    with raises_code("SESSION_INVALID"):
        portal.authenticate("not-a-token")

    # a user holding one search right sees that right's tab only
    _, lea = active_user(portal, admin, "T99999", "lea@garage.fr", [dp.Right.SEARCH_CLAIMS])
    info = portal.authenticate(lea)
    assert (info.role, info.establishment) == ("user", "T99999")
    assert [s.code for s in info.sections] == ["home", "workshop_claims", "easicare"]
    assert info.rights == {"T99999": [dp.Right.SEARCH_CLAIMS]}
    portal.logout(lea)
    with raises_code("SESSION_INVALID"):
        portal.authenticate(lea)


def test_switching_establishment_moves_the_calls_that_name_none(portal):
    _, admin = admin_session(portal)
    info = portal.select_establishment(admin, "t99999")
    assert info.establishment == "T99999"
    assert portal.authenticate(admin).establishment == "T99999", "held by the session"
    with raises_code("UNKNOWN_ESTABLISHMENT"):
        portal.select_establishment(admin, "T12345")
    with raises_code("INVALID_ESTABLISHMENT_CODE"):
        portal.select_establishment(admin, "T 9")
    assert portal.authenticate(admin).establishment == "T99999", "a refused switch changes nothing"

    # create_user, search_documents, audit_log and monthly_statement given None: the connected one
    paul = portal.create_user(admin, None, "Durand", "Paul", "paul@garage.fr", [dp.Right.ACCOUNTING_DOCUMENTS])
    assert portal.rights_matrix(admin, paul) == {"T99999": [dp.Right.ACCOUNTING_DOCUMENTS]}
    portal.add_document("T99999", dp.Document(category="accounting", number="2204003143", issued_on="2026-01-10"))
    assert portal.search_documents(admin, None, "accounting").total == 1
    assert portal.search_documents(admin, "T88888", "accounting").total == 0
    assert [e.seq for e in portal.audit_log(admin)] == [e.seq for e in portal.audit_log(admin, "T99999")]
    assert [e.seq for e in portal.audit_log(admin, None)] != [e.seq for e in portal.audit_log(admin, "T88888")]
    portal.record_debit_line("T99999", "1/2026", dp.DebitLine(issuer="stellantis_insurance", nature="premium", amount_cents=100_000, label=None))
    statement = portal.monthly_statement(admin, None, "1/2026")
    assert (statement.regime, statement.complete) == (dp.Regime.INSURANCE, True)
    assert portal.monthly_statement(admin, "T88888", "1/2026").missing == ["claims_settled", "management_fees_and_npo"]

    # a user with rights on T99999 only cannot connect to T88888, and stays where it was
    mail = take_mail(portal, "activation", "paul@garage.fr")
    portal.activate_account(mail.token.expose(), "paul@garage.fr", USER_PASSWORD, USER_PASSWORD)
    paul_token = portal.login("paul@garage.fr", USER_PASSWORD).token.expose()
    with raises_code("FORBIDDEN") as info:
        portal.select_establishment(paul_token, "T88888")
    assert "T88888" in info.value.detail
    assert portal.authenticate(paul_token).establishment == "T99999"
    with raises_code("FORBIDDEN"):  # no right to manage accounts on the connected establishment
        portal.create_user(paul_token, None, "Roy", "Anne", "anne@garage.fr", [dp.Right.ACCOUNTING_DOCUMENTS])


def test_ones_own_sessions_from_two_logins(portal):
    _, first = admin_session(portal)
    second = portal.login(ADMIN, ADMIN_PASSWORD, remember=True).token.expose()
    listed = portal.list_sessions(first)
    assert len(listed) == 2
    (mine,) = [s for s in listed if s.current]
    (other,) = [s for s in listed if not s.current]
    assert (mine.remembered, other.remembered) == (False, True)
    assert [s.current for s in portal.list_sessions(second) if s.id == other.id] == [True]
    for s in listed:
        assert re.fullmatch(r"[0-9a-f]{32}", s.id)
        assert s.id not in first and s.id not in second, "an id is never the token"
        assert all(ISO_UTC.match(t) for t in (s.created_at, s.last_seen_at, s.expires_at))

    # bad ids: UNKNOWN_SESSION, and nothing ends
    _, lea = active_user(portal, first, "T99999", "lea@garage.fr", [dp.Right.SEARCH_CLAIMS])
    (lea_session,) = portal.list_sessions(lea)
    with raises_code("UNKNOWN_SESSION"):  # another person's session
        portal.revoke_session(first, lea_session.id)
    with raises_code("UNKNOWN_SESSION"):  # well-formed, nobody's
        portal.revoke_session(first, "0" * 32)
    with raises_code("UNKNOWN_SESSION") as info:  # a token given by mistake is not repeated
        portal.revoke_session(first, second)
    assert second not in info.value.detail
    with raises_code("SESSION_INVALID"):
        portal.revoke_session("not-a-token", other.id)
    assert portal.authenticate(lea).email == "lea@garage.fr"
    assert {s.id for s in portal.list_sessions(first)} == {mine.id, other.id}

    # ending the other one, then all the others
    portal.revoke_session(first, other.id)
    with raises_code("SESSION_INVALID"):
        portal.authenticate(second)
    assert portal.authenticate(first).email == ADMIN
    third = portal.login(ADMIN, ADMIN_PASSWORD).token.expose()
    fourth = portal.login(ADMIN, ADMIN_PASSWORD).token.expose()
    assert portal.revoke_other_sessions(fourth) == 2
    for gone in (first, third):
        with raises_code("SESSION_INVALID"):
            portal.authenticate(gone)
    assert [s.current for s in portal.list_sessions(fourth)] == [True]
    assert portal.revoke_other_sessions(fourth) == 0
    assert portal.authenticate(lea).email == "lea@garage.fr", "another person's sessions stay"
    # one's current session, by its id
    (current,) = portal.list_sessions(fourth)
    portal.revoke_session(fourth, current.id)
    with raises_code("SESSION_INVALID"):
        portal.list_sessions(fourth)


def test_profiles_read_and_edited_with_both_phones(portal):
    admin_id, admin = admin_session(portal)
    mine = portal.account(admin, admin_id)
    assert (mine.email, mine.function, mine.state, mine.role) == (ADMIN, "Gérant", "active", "administrator")
    assert (mine.mobile, mine.landline, mine.mobile_display, mine.landline_display) == (None, None, None, None)
    assert ISO_UTC.match(mine.created_at) and ISO_UTC.match(mine.last_login_at)
    assert mine.rights == {"T88888": list(dp.Right), "T99999": list(dp.Right)}

    edited = portal.update_profile(
        admin, admin_id, first_name="Alexandre-Marie", mobile="06 23 42 54 55", landline="+32 2 555 12 12",
    )
    assert edited.first_name == "Alexandre-Marie" and edited.last_name == "Geloen"
    assert (edited.mobile, edited.mobile_display) == ("+33623425455", "06 23 42 54 55")
    assert (edited.landline, edited.landline_display) == ("+3225551212", "02 555 12 12")
    assert portal.account(admin, admin_id) == edited, "stored"
    cleared = portal.update_profile(admin, admin_id, landline="")
    assert (cleared.landline, cleared.landline_display) == (None, None)
    assert cleared.mobile == "+33623425455", "None keeps a field"
    assert portal.update_profile(admin, admin_id) == cleared, "nothing given, nothing changed"

    # bad input gets its code and changes nothing
    with raises_code("INVALID_PHONE"):  # a landline in the mobile field
        portal.update_profile(admin, admin_id, first_name="Zoé", mobile="01 34 34 67 88")
    with raises_code("INVALID_PHONE"):  # a mobile in the landline field
        portal.update_profile(admin, admin_id, landline="06 11 22 33 44")
    with raises_code("INVALID_INPUT"):  # the function is required ("Mention obligatoire")
        portal.update_profile(admin, admin_id, function="  ")
    with raises_code("INVALID_NAME"):
        portal.update_profile(admin, admin_id, last_name="")
    with raises_code("UNKNOWN_ACCOUNT"):
        portal.update_profile(admin, "not-an-id", function="Comptable")
    with raises_code("UNKNOWN_ACCOUNT"):
        portal.account(admin, "0" * 32)
    assert portal.account(admin, admin_id) == cleared
    with raises_code("INVALID_INPUT"):  # declarations too
        portal.declare_administrator("other@garage.fr", "Roy", "Anne", "", GARAGES[:1])

    # a user created with both phones: its manager reads them; it cannot see the manager
    lea_id, lea = active_user(
        portal, admin, "T99999", "lea@garage.fr", [dp.Right.SEARCH_CLAIMS],
        mobile="06 23 42 54 55", landline="0033 1 34 34 67 88",
    )
    detail = portal.account(admin, lea_id)
    assert (detail.role, detail.function, detail.last_login_at is not None) == ("user", "", True)
    assert (detail.mobile, detail.landline, detail.landline_display) == ("+33623425455", "+33134346788", "01 34 34 67 88")
    assert detail.rights == {"T99999": [dp.Right.SEARCH_CLAIMS]}
    assert portal.update_profile(admin, lea_id, function="Comptable").function == "Comptable"
    with raises_code("UNKNOWN_ACCOUNT"):
        portal.account(lea, admin_id)
    with raises_code("UNKNOWN_ACCOUNT"):
        portal.update_profile(lea, admin_id, function="Pirate")
    assert portal.update_profile(lea, lea_id, mobile="+44 7400 123456").mobile == "+447400123456", "oneself"

    # a manager of one of the account's two establishments reads it, cannot edit it
    _, chef = active_user(
        portal, admin, "T88888", "chef@garage-uvw.fr", [dp.Right.MANAGE_ACCOUNTS, dp.Right.SEARCH_CLAIMS],
    )
    portal.set_rights(admin, lea_id, "T88888", [dp.Right.SEARCH_CLAIMS])
    before = portal.account(admin, lea_id)
    assert portal.account(chef, lea_id).rights == {"T88888": [dp.Right.SEARCH_CLAIMS]}
    with raises_code("FORBIDDEN"):
        portal.update_profile(chef, lea_id, function="Chef")
    assert portal.account(admin, lea_id) == before


def test_email_change_end_to_end(portal):
    admin_id, admin = admin_session(portal)
    other_session = portal.login(ADMIN, ADMIN_PASSWORD).token.expose()
    new = "alexandre@garage-xyz.fr"

    with raises_code("INVALID_CREDENTIALS"):  # the current password is checked
        portal.request_email_change(admin, new, "not my password")
    with raises_code("INVALID_INPUT"):
        portal.request_email_change(admin, ADMIN, ADMIN_PASSWORD)
    with raises_code("INVALID_EMAIL"):
        portal.request_email_change(admin, "alexandre-at-garage", ADMIN_PASSWORD)
    assert portal.pending_notifications() == [], "no mail for a refused request"

    portal.request_email_change(admin, new, ADMIN_PASSWORD)
    link = take_mail(portal, "email_change", new)
    notice = take_mail(portal, "email_change_requested", ADMIN)
    assert link.token.expose() and notice.token is None, "the notice to the old address carries no link"
    assert portal.inspect_token(link.token.expose()).kind == "email_change"
    assert portal.authenticate(admin).email == ADMIN, "nothing changes before the link"

    portal.confirm_email_change(link.token.expose())
    with raises_code("TOKEN_INVALID"):  # used once
        portal.confirm_email_change(link.token.expose())
    with raises_code("INVALID_CREDENTIALS"):  # the old address is refused
        portal.login(ADMIN, ADMIN_PASSWORD)
    s = portal.login(new, ADMIN_PASSWORD)
    assert s.account_id == admin_id
    assert portal.authenticate(s.token.expose()).email == new
    assert portal.account(s.token.expose(), admin_id).email == new
    for dead in (admin, other_session):  # every earlier session ended
        with raises_code("SESSION_INVALID"):
            portal.authenticate(dead)

    # a taken address: the same answer, its owner is told, no link is sent
    active_user(portal, s.token.expose(), "T99999", "lea@garage.fr", [dp.Right.SEARCH_CLAIMS])
    portal.request_email_change(s.token.expose(), "Lea@Garage.fr", ADMIN_PASSWORD)
    kinds = [(m.kind, m.email) for m in portal.pending_notifications()]
    assert ("account_exists", "lea@garage.fr") in kinds
    assert all(kind != "email_change" for kind, _ in kinds)
    with raises_code("TOKEN_INVALID"):
        portal.confirm_email_change("garbage")


def test_quick_search_with_one_search_right(portal):
    _, admin = admin_session(portal)
    ids = portal.add_documents("T99999", [
        dp.Document(category="contract", number="C1", issued_on="2026-01-02", registration="AB-123-CD"),
        dp.Document(category="workshop_claim", number="W1", issued_on="2026-01-03", registration="AB-123-CD"),
        dp.Document(category="accounting", number="2204003143", issued_on="2026-01-04", registration="AB-123-CD"),
        dp.Document(category="workshop_claim", number="W2", issued_on="2026-01-05", registration="XY-999-ZZ"),
    ])
    assert len(set(ids)) == 4
    # connected to T88888 at login: nothing there
    assert portal.search_reference(admin, "AB-123-CD").total == 0
    portal.select_establishment(admin, "T99999")
    page = portal.search_reference(admin, "ab 123 cd")
    assert page.total == 3
    assert [d.number for d in page.items] == ["2204003143", "W1", "C1"], "every category, newest first"
    second = portal.search_reference(admin, "AB-123-CD", "T99999", offset=1, limit=1)
    assert (second.total, [d.number for d in second.items]) == (3, ["W1"])

    _, lea = active_user(portal, admin, "T99999", "lea@garage.fr", [dp.Right.SEARCH_CLAIMS])
    page = portal.search_reference(lea, "AB-123-CD")
    assert (page.total, [(d.number, d.category) for d in page.items]) == (1, [("W1", "workshop_claim")])
    with raises_code("INVALID_QUERY"):
        portal.search_reference(lea, "not a reference")
    with raises_code("FORBIDDEN"):
        portal.search_reference(lea, "AB-123-CD", "T88888")
    with raises_code("INVALID_QUERY"):
        portal.search_reference(lea, "AB-123-CD", limit=0)
    with raises_code("UNKNOWN_ESTABLISHMENT"):
        portal.search_reference(lea, "AB-123-CD", "T12345")


def test_bulk_imports_establishments_statements_and_the_audit_chain(portal):
    _, admin = admin_session(portal)
    portal.add_establishment(dp.Establishment(code="t77777", name="GARAGE RST", city="VILLE 3", regime=dp.Regime.SELF_INSURANCE))
    with raises_code("INVALID_ESTABLISHMENT_CODE"):
        portal.add_establishment(dp.Establishment(code="T-7", name="X", city="Y", regime=None))
    with raises_code("FORBIDDEN"):  # recorded, but the administrator holds no right there
        portal.create_user(admin, "T77777", "Roy", "Anne", "anne@garage.fr", [dp.Right.SEARCH_CLAIMS])

    rights = [dp.Right.SEARCH_CLAIMS]
    outcomes = portal.create_users(admin, [
        dp.UserImport(establishment_code="T99999", last_name="Roy", first_name="Anne", email="anne@garage.fr", rights=rights, mobile="06 23 42 54 55"),
        dp.UserImport(establishment_code="T99999", last_name="Roy", first_name="Marc", email="marc-at-garage", rights=rights),
        dp.UserImport(establishment_code="T99999", last_name="Roy", first_name="Luc", email="luc@garage.fr", rights=rights, mobile="01 34 34 67 88"),
        dp.UserImport(establishment_code="T12345", last_name="Roy", first_name="Eve", email="eve@garage.fr", rights=rights),
        dp.UserImport(establishment_code="T88888", last_name="Roy", first_name="Paul", email="paul@garage.fr", rights=[]),
        dp.UserImport(establishment_code="T88888", last_name="Roy", first_name="Anne", email="ANNE@garage.fr", rights=rights),
        dp.UserImport(establishment_code="T88888", last_name="Roy", first_name="Zoé", email="zoe@garage.fr", rights=rights, landline="01 34 34 67 88"),
    ])
    assert [o.code for o in outcomes] == [
        None, "INVALID_EMAIL", "INVALID_PHONE", "UNKNOWN_ESTABLISHMENT", "NO_RIGHTS_SELECTED", "EMAIL_TAKEN", None,
    ]
    assert all((o.account_id is None) == (o.code is not None) == (o.detail is not None) for o in outcomes)
    anne = portal.account(admin, outcomes[0].account_id)
    assert (anne.email, anne.mobile, anne.state) == ("anne@garage.fr", "+33623425455", "invited")
    assert portal.account(admin, outcomes[6].account_id).landline == "+33134346788"
    assert portal.list_accounts(admin, text="roy").total == 2

    # documents in bulk: all or none
    with raises_code("INVALID_INPUT"):
        portal.add_documents("T99999", [
            dp.Document(category="quote", number="D1", issued_on="2026-01-02"),
            dp.Document(category="quote", number="D2", issued_on="2026-02-30"),
        ])
    assert portal.search_documents(admin, "T99999", "quote").total == 0

    # the month's statement from recorded debit lines
    portal.record_debit_line("T88888", "3/2026", dp.DebitLine(issuer="stellantis_services", nature="claims_settled", amount_cents=7_000, label="PRLV SEPA"))
    portal.record_debit_line("T88888", "3/2026", dp.DebitLine(issuer="stellantis_insurance", nature="premium", amount_cents=1_000, label=None))
    statement = portal.monthly_statement(admin, "T88888", "3/2026")
    assert [(d.code, d.total_cents) for d in statement.debits] == [("claims_settled", 7_000), ("management_fees_and_npo", 0)]
    assert statement.missing == ["management_fees_and_npo"]
    assert [u.nature for u in statement.unexpected] == ["premium"]
    with raises_code("INVALID_PERIOD"):
        portal.record_debit_line("T88888", "13/2026", dp.DebitLine(issuer="stellantis_services", nature="npo", amount_cents=1, label=None))
    with raises_code("UNKNOWN_ESTABLISHMENT"):
        portal.record_debit_line("T12345", "3/2026", dp.DebitLine(issuer="stellantis_services", nature="npo", amount_cents=1, label=None))
    with raises_code("INVALID_PERIOD"):
        portal.monthly_statement(admin, "T88888", "2026-03")
    lea_id, lea = active_user(portal, admin, "T88888", "lea@garage.fr", [dp.Right.SEARCH_CLAIMS])
    with raises_code("FORBIDDEN"):
        portal.monthly_statement(lea, None, "3/2026")
    with raises_code("INVALID_STATE"):  # only an invited account is sent a new activation link
        portal.resend_activation(admin, lea_id)

    # the audit chain holds every event so far, and grows
    verified = portal.verify_audit_chain()
    assert verified >= len(portal.audit_log(admin, "T99999", limit=500)) > 0
    portal.logout(lea)
    assert portal.verify_audit_chain() == verified + 1


def test_tokens_never_print(portal):
    """Issue 16 item 6: repr() and str() of a Session or a Notification never show its token."""
    portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
    portal.request_password_reset(ADMIN)
    (mail,) = portal.pending_notifications()
    link = mail.token.expose()
    assert len(link) == 43
    for text in (repr(mail), str(mail), repr([mail]), f"{mail}"):
        assert link not in text, "the link token printed"
    portal.complete_password_reset(link, ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    session = portal.login(ADMIN, ADMIN_PASSWORD)
    token = session.token.expose()
    assert len(token) == 43
    for text in (repr(session), str(session), repr([session]), f"{session}"):
        assert token not in text, "the session token printed"
    assert "token=SessionToken(***)" in str(session) and "token=LinkToken(***)" in str(mail)
    assert portal.authenticate(token).email == ADMIN


def test_email_taken_is_rationed_then_rate_limited():
    """Issue 16 item 3: 2 EMAIL_TAKEN answers per hour (configured), then RATE_LIMITED, in a
    bulk import as in a single creation; both audited, the email never echoed."""
    portal = dp.Portal.in_memory(FAST[:-1] + ', "email_taken": {"max_answers": 2, "window": 3600}}')
    _, admin = admin_session(portal)
    for _ in range(2):
        with raises_code("EMAIL_TAKEN"):
            portal.create_user(admin, "T99999", "Pris", "Deja", ADMIN, USER_RIGHTS)
    with raises_code("RATE_LIMITED") as info:
        portal.create_user(admin, "T99999", "Pris", "Deja", ADMIN, USER_RIGHTS)
    assert ADMIN not in info.value.detail
    out = portal.create_users(admin, [
        dp.UserImport(establishment_code="T99999", last_name="Pris", first_name="Deja", email=ADMIN,
                      rights=USER_RIGHTS, mobile=None, landline=None),
        dp.UserImport(establishment_code="T99999", last_name="Libre", first_name="Neuf", email="libre@garage-xyz.fr",
                      rights=USER_RIGHTS, mobile=None, landline=None),
    ])
    assert [o.code for o in out] == ["RATE_LIMITED", None]
    actions = [e.action for e in portal.audit_log(admin, "T99999", 0, 100)]
    assert actions.count("email_taken_answered") == 2
    assert actions.count("rate_limited") == 2
