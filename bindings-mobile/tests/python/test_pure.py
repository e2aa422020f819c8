"""The pure functions through the generated Python: password criteria, debits, references,
support, rights and the menu."""

import dealer_portal as dp
from helpers import raises_code

SEED_ORDER = ["min_length", "uppercase", "lowercase", "digit", "special"]


def criteria(evaluation):
    return {c.criterion: c.met for c in evaluation.checks}


def test_password_criteria_in_the_seed_order_with_french_labels():
    e = dp.evaluate_password("garage")
    assert [c.criterion for c in e.checks] == SEED_ORDER
    assert not e.acceptable
    assert [c.label_fr for c in e.checks] == [
        "15 caractères",
        "1 majuscule",
        "1 minuscule",
        "1 chiffre",
        "1 caractère spécial (Hors €)",
    ]
    assert criteria(e) == {
        "min_length": False,
        "uppercase": False,
        "lowercase": True,
        "digit": False,
        "special": False,
    }
    assert e.checks[0].label_en == "15 characters"


def test_criteria_turn_green_one_by_one_as_the_person_types():
    typed = ["garage", "garage xyz", "Garage XYZ", "Garage XYZ, 2026", "Garage XYZ, 2026 !"]
    met = [sum(c.met for c in dp.evaluate_password(t).checks) for t in typed]
    assert met == sorted(met) and met[-1] == 5
    assert dp.evaluate_password("Garage XYZ, 2026 !").acceptable


def test_euro_sign_is_not_special_and_space_is():
    assert not criteria(dp.evaluate_password("GarageXYZ2026€€€"))["special"]
    assert criteria(dp.evaluate_password("Garage XYZ 2026"))["special"]


def test_confirmation_is_a_criterion_only_when_given():
    e = dp.evaluate_password("Garage XYZ, 2026 !", "Garage XYZ, 2026 ?")
    assert [c.criterion for c in e.checks] == SEED_ORDER + ["confirmation"]
    assert not e.acceptable and not criteria(e)["confirmation"]
    assert dp.evaluate_password("Garage XYZ, 2026 !", confirmation="Garage XYZ, 2026 !").acceptable


def test_a_policy_can_be_given_as_json():
    e = dp.evaluate_password("abc", policy_json='{"min_length": 12, "min_digits": 2}')
    assert e.checks[0].label_fr == "12 caractères"
    assert e.checks[3].label_fr == "2 chiffres"
    with raises_code("INVALID_CONFIG"):
        dp.evaluate_password("abc", policy_json="{not json")
    with raises_code("INVALID_CONFIG"):
        dp.evaluate_password("abc", policy_json='{"min_length": 12, "no_such_setting": 1}')


def test_expected_debits_by_regime():
    codes = lambda r: [d.code for d in dp.expected_debits(r)]  # noqa: E731
    assert codes(dp.Regime.INSURANCE) == ["insurance_monthly"]
    assert codes(dp.Regime.DELEGATED_MANAGEMENT) == ["claims_settled", "management_fees_and_npo"]
    assert codes(dp.Regime.SELF_INSURANCE) == ["self_insurance_npo"]
    (d,) = dp.expected_debits(dp.Regime.SELF_INSURANCE)
    assert d.issuer == "stellantis_services"
    assert d.label_fr == "Prélèvement NPO"
    assert [(a.issuer, a.nature) for a in d.accepted] == [("stellantis_services", "npo")]


def test_reconcile_in_cents_with_missing_and_unexpected():
    lines = [
        dp.DebitLine(issuer="stellantis_insurance", nature="premium", amount_cents=100_000, label=None),
        dp.DebitLine(issuer="stellantis_services", nature="npo", amount_cents=2_500, label=None),
        dp.DebitLine(issuer="stellantis_services", nature="claims_settled", amount_cents=7_000, label=None),
    ]
    r = dp.reconcile(dp.Regime.INSURANCE, "5/2024", lines)
    assert r.month == "5/2024"
    assert r.regime == dp.Regime.INSURANCE
    assert [(d.code, d.total_cents, len(d.lines)) for d in r.debits] == [("insurance_monthly", 102_500, 2)]
    assert r.missing == []
    assert [u.nature for u in r.unexpected] == ["claims_settled"]
    assert not r.complete

    r = dp.reconcile(dp.Regime.DELEGATED_MANAGEMENT, "12/2024", lines[1:2])
    assert r.missing == ["claims_settled"]
    assert [d.total_cents for d in r.debits] == [0, 2_500]


def test_reconcile_rejects_bad_months_and_codes():
    with raises_code("INVALID_PERIOD"):
        dp.reconcile(dp.Regime.INSURANCE, "13/2024", [])
    with raises_code("UNKNOWN_CODE"):
        dp.reconcile(dp.Regime.INSURANCE, "1/2024", [dp.DebitLine(issuer="acme", nature="npo", amount_cents=1)])


def test_parse_reference():
    r = dp.parse_reference(" ab 123-cd ")
    assert (r.kind, r.normalized, r.plate_format) == ("registration_plate", "AB-123-CD", "siv")
    r = dp.parse_reference("1234 ab 56")
    assert (r.kind, r.normalized, r.plate_format) == ("registration_plate", "1234 AB 56", "fni")
    r = dp.parse_reference("2204003143")
    assert (r.kind, r.normalized, r.plate_format) == ("agreement_number", "2204003143", None)
    r = dp.parse_reference("gv2024-000123")
    assert (r.kind, r.normalized) == ("contract_number", "GV2024000123")
    for bad in ["AI-123-CD", "", "??"]:
        with raises_code("INVALID_QUERY"):
            dp.parse_reference(bad)


def test_support_directory_is_the_seeds():
    d = dp.support_directory()
    assert [(c.kind, c.value) for c in d.channels] == [
        ("email", "info@garantiestellantis.fr"),
        ("phone", "01 86 99 02 69"),
    ]
    assert d.channels[0].topics == ["subscription", "billing", "contract_changes", "connection_problems"]
    assert d.channels[0].topic_labels_fr[1] == "Pour la facturation"


def test_rights_have_codes_and_french_labels_and_are_hashable():
    assert dp.Right.MANAGE_ACCOUNTS.code() == "manage_accounts"
    assert dp.Right.MANAGE_ACCOUNTS.label_fr() == "Gérer les comptes"
    assert dp.Right.ACCOUNTING_DOCUMENTS.label_fr() == "Accéder aux documents comptables"
    assert dp.Regime.DELEGATED_MANAGEMENT.code() == "delegated_management"
    assert len({dp.Right.SUBMIT_CLAIMS, dp.Right.SUBMIT_CLAIMS, dp.Right.SEARCH_CLAIMS}) == 2
    assert [r.code() for r in dp.Right] == [
        "quotes_and_subscriptions",
        "search_quotes_and_contracts",
        "submit_claims",
        "search_claims",
        "accounting_documents",
        "manage_accounts",
    ]


def sections(rights):
    return [s.label_fr for s in dp.visible_sections(rights)]


def test_menu_sections_follow_the_rights_in_the_seeds_order():
    assert sections([]) == ["ACCUEIL", "EASICARE"]
    assert sections(list(dp.Right)) == [
        "ACCUEIL",
        "LISTE DEVIS ET CONTRATS",
        "PRISE EN CHARGE ATELIER",
        "EASICARE",
        "DOCUMENTS",
        "GESTION DES COMPTES",
    ]
    assert sections([dp.Right.SEARCH_QUOTES_AND_CONTRACTS]) == ["ACCUEIL", "LISTE DEVIS ET CONTRATS", "EASICARE"]
    assert sections([dp.Right.QUOTES_AND_SUBSCRIPTIONS]) == ["ACCUEIL", "LISTE DEVIS ET CONTRATS", "EASICARE"]
    assert sections([dp.Right.SUBMIT_CLAIMS]) == ["ACCUEIL", "PRISE EN CHARGE ATELIER", "EASICARE"]
    assert sections([dp.Right.SEARCH_CLAIMS]) == ["ACCUEIL", "PRISE EN CHARGE ATELIER", "EASICARE"]
    assert sections([dp.Right.ACCOUNTING_DOCUMENTS]) == ["ACCUEIL", "EASICARE", "DOCUMENTS"]
    assert sections([dp.Right.MANAGE_ACCOUNTS, dp.Right.MANAGE_ACCOUNTS]) == ["ACCUEIL", "EASICARE", "GESTION DES COMPTES"]
    codes = [s.code for s in dp.visible_sections(list(dp.Right))]
    assert codes == ["home", "quotes_and_contracts", "workshop_claims", "easicare", "documents", "account_management"]


def test_rights_carry_the_seeds_explanations_in_french_and_english():
    assert dp.Right.MANAGE_ACCOUNTS.description_fr() == "Permet de créer d'autres comptes utilisateurs"
    assert dp.Right.MANAGE_ACCOUNTS.description_en() == "Lets you create other user accounts"
    assert dp.Right.ACCOUNTING_DOCUMENTS.description_fr().endswith("du point de vente sur lequel je suis connecté")
    described = {r: (r.description_fr(), r.description_en()) for r in dp.Right}
    assert all(fr.startswith("Permet") and en.startswith("Lets you") for fr, en in described.values())
    assert len({fr for fr, _ in described.values()}) == 6, "one explanation per right"


def test_calling_codes_for_the_phone_field_start_with_france():
    codes = dp.calling_codes()
    assert (codes[0].region, codes[0].code) == ("FR", "+33")
    assert codes[0].label_fr == codes[0].label_en and codes[0].label_fr.endswith("FR +33")
    assert any((c.region, c.code) == ("BE", "+32") for c in codes)
    assert len({c.region for c in codes}) == len(codes) > 200
    rest = [c.region for c in codes[1:]]
    assert rest == sorted(rest)


def test_screen_labels_are_the_librarys_texts():
    labels = dp.screen_labels()
    by_key = {(l.group, l.code): l for l in labels}
    assert len(by_key) == len(labels)
    assert by_key[("sort order", "a_to_z")].label_fr == "Ordre alphabétique (A à Z)"
    assert by_key[("notice", "no_management_elsewhere")].label_en.startswith("You have no account")
    assert by_key[("account state", "invited")].label_fr == "Invité"


def test_error_codes_list_every_code_unknown_session_included():
    codes = dp.error_codes()
    assert "UNKNOWN_SESSION" in codes
    assert {"SESSION_INVALID", "FORBIDDEN", "INVALID_PHONE", "INVALID_INPUT", "STORAGE"} <= set(codes)
    assert len(codes) == len(set(codes))
