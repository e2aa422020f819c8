"""Enums, frozen value classes and the pure functions."""

from __future__ import annotations

import time

import pytest

import dealer_portal as dp
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, seed


def test_rights_enum() -> None:
    rights = dp.Right.all()
    assert [r.code for r in rights] == [
        "quotes_and_subscriptions",
        "search_quotes_and_contracts",
        "submit_claims",
        "search_claims",
        "accounting_documents",
        "manage_accounts",
    ]
    assert dp.Right.MANAGE_ACCOUNTS.label_fr == "Gérer les comptes"
    assert dp.Right.MANAGE_ACCOUNTS.label_en == "Manage accounts"
    assert dp.Right.QUOTES_AND_SUBSCRIPTIONS.label_fr == "Réaliser des devis & souscriptions"
    assert dp.Right.from_code(" Manage_Accounts ") == dp.Right.MANAGE_ACCOUNTS
    # Hashable, equal to themselves, usable in sets and dicts, ordered canonically.
    assert {dp.Right.SUBMIT_CLAIMS, dp.Right.SUBMIT_CLAIMS, dp.Right.SEARCH_CLAIMS} == {
        dp.Right.SEARCH_CLAIMS,
        dp.Right.SUBMIT_CLAIMS,
    }
    assert {dp.Right.SUBMIT_CLAIMS: 1}[dp.Right.from_code("submit_claims")] == 1
    assert dp.Right.SUBMIT_CLAIMS != dp.Right.SEARCH_CLAIMS
    assert dp.Right.SUBMIT_CLAIMS != "submit_claims"
    assert sorted(reversed(rights)) == rights
    assert repr(dp.Right.SEARCH_CLAIMS) == "Right.SEARCH_CLAIMS"
    assert str(dp.Right.SEARCH_CLAIMS) == "search_claims"
    assert (dp.Right.SEARCH_CLAIMS.name, dp.Right.SEARCH_CLAIMS.value) == ("SEARCH_CLAIMS", "search_claims")
    assert isinstance(dp.Right.SEARCH_CLAIMS, dp.Right)


def test_regime_enum() -> None:
    assert [r.code for r in dp.Regime.all()] == ["insurance", "delegated_management", "self_insurance"]
    assert dp.Regime.DELEGATED_MANAGEMENT.label_fr == "Gestion déléguée"
    assert dp.Regime.from_code("self_insurance") == dp.Regime.SELF_INSURANCE
    assert len({dp.Regime.INSURANCE, dp.Regime.from_code("insurance")}) == 1
    assert repr(dp.Regime.INSURANCE) == "Regime.INSURANCE"


def test_value_classes_are_frozen_with_repr_and_eq() -> None:
    e = dp.Establishment("T99999", "GARAGE XYZ", "VILLE 1", dp.Regime.INSURANCE)
    assert e == dp.Establishment("t99999", " GARAGE XYZ ", "VILLE 1", dp.Regime.INSURANCE)  # normalised by the core
    assert e != dp.Establishment("T88888", "GARAGE UVW", "VILLE 2", None)
    assert repr(e) == "Establishment(code='T99999', name='GARAGE XYZ', city='VILLE 1', regime=Regime.INSURANCE)"
    assert hash(e) == hash(dp.Establishment("T99999", "GARAGE XYZ", "VILLE 1", dp.Regime.INSURANCE))
    with pytest.raises(AttributeError):
        e.code = "T1"  # type: ignore[misc]
    line = dp.DebitLine("stellantis_services", "npo", 2_500, label="NPO janvier")
    assert (line.issuer, line.nature, line.amount_cents, line.label) == ("stellantis_services", "npo", 2_500, "NPO janvier")
    assert line == dp.DebitLine("stellantis_services", "npo", 2_500, label="NPO janvier")
    assert len({line, dp.DebitLine("stellantis_services", "npo", 2_500, label="NPO janvier")}) == 1
    assert "amount_cents=2500" in repr(line)
    doc = dp.Document("contract", "C123456", "2024-02-01", registration="1234 ab 56", title="Contrat")
    assert (doc.id, doc.establishment, doc.kind, doc.registration) == (None, None, None, "1234 AB 56")
    assert doc.issued_on == "2024-02-01" and doc.title == "Contrat"
    assert doc == dp.Document("contract", "C123456", "2024-02-01", registration="1234AB56", title="Contrat")
    assert repr(doc).startswith("Document(id=None, establishment=None, category='contract', number='C123456'")
    with pytest.raises(AttributeError):
        doc.number = "x"  # type: ignore[misc]


def test_secrets_stay_out_of_reprs(portal: dp.Portal) -> None:
    s = seed(portal)
    session = portal.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert session.token and session.token not in repr(session) and "<redacted>" in repr(session)
    assert session.expires_at.endswith("Z")
    assert session == session and session != portal.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    portal.request_password_reset(ADMIN_EMAIL)
    [note] = portal.pending_notifications()
    assert note.token and note.token not in repr(note) and "<redacted>" in repr(note)
    assert note.locale == "fr" and note.name and note.created_at.endswith("Z")
    assert s.session not in repr(portal)


def test_evaluate_password() -> None:
    e = dp.evaluate_password("Motdepasse 2024", "Motdepasse 2025")
    assert [(c.criterion, c.met) for c in e.checks] == [
        ("min_length", True),
        ("uppercase", True),
        ("lowercase", True),
        ("digit", True),
        ("special", True),
        ("confirmation", False),
    ]
    assert [c.label_fr for c in e.checks][:5] == [
        "15 caractères",
        "1 majuscule",
        "1 minuscule",
        "1 chiffre",
        "1 caractère spécial (Hors €)",
    ]
    assert e.checks[0].label_en == "15 characters" and e.checks[0].threshold == 15
    assert not e.acceptable and e.failed == ["confirmation"]
    assert [c.criterion for c in dp.evaluate_password("").checks] == [
        "min_length",
        "uppercase",
        "lowercase",
        "digit",
        "special",
    ]
    assert dp.evaluate_password("Motdepasse 2024").acceptable
    assert not dp.evaluate_password("Motdepasse€2024").acceptable  # € does not count
    assert dp.evaluate_password("Éléphant rose 42") == dp.evaluate_password("Éléphant rose 42")
    custom = dp.evaluate_password("abcdefgh", policy={"min_length": 8, "min_uppercase": 0, "min_digits": 0, "min_special": 0})
    assert custom.acceptable
    portal = dp.Portal.in_memory(config={"policy": {"min_length": 8, "min_uppercase": 0, "min_digits": 0, "min_special": 0}})
    assert portal.evaluate_password("abcdefgh", "abcdefgh").acceptable


def test_evaluate_password_is_cheap() -> None:
    # Called at every keystroke: a generous bound that still catches needless work (hashing,
    # policy rebuilding, eager label formatting).
    n = 20_000
    started = time.perf_counter()
    for _ in range(n):
        dp.evaluate_password("Motdepasse 2024", "Motdepasse 2024")
    per_call = (time.perf_counter() - started) / n
    assert per_call < 50e-6, per_call


def test_pure_functions() -> None:
    insurance = dp.expected_debits(dp.Regime.INSURANCE)
    assert [(d.code, d.issuer) for d in insurance] == [("insurance_monthly", "stellantis_insurance")]
    assert ("stellantis_services", "npo") in insurance[0].accepted and insurance[0].label_fr
    assert [d.code for d in dp.expected_debits(dp.Regime.DELEGATED_MANAGEMENT)] == [
        "claims_settled",
        "management_fees_and_npo",
    ]
    assert [d.code for d in dp.expected_debits(dp.Regime.SELF_INSURANCE)] == ["self_insurance_npo"]

    odd = dp.DebitLine("stellantis_insurance", "claims_settled", 700)
    rec = dp.reconcile(
        dp.Regime.DELEGATED_MANAGEMENT,
        "3/2024",
        [
            dp.DebitLine("stellantis_services", "claims_settled", 10_000),
            dp.DebitLine("stellantis_services", "claims_settled", 5_000),
            odd,
        ],
    )
    assert rec.regime == dp.Regime.DELEGATED_MANAGEMENT and rec.month == "3/2024"
    assert [(d.code, len(d.lines), d.total_cents) for d in rec.debits] == [
        ("claims_settled", 2, 15_000),
        ("management_fees_and_npo", 0, 0),
    ]
    assert rec.missing == ["management_fees_and_npo"] and rec.unexpected == [odd] and not rec.complete

    assert (dp.parse_reference("ab 123 cd").kind, dp.parse_reference("ab 123 cd").normalized) == (
        "registration_plate",
        "AB-123-CD",
    )
    assert dp.parse_reference("1234 ab 56").normalized == "1234 AB 56"
    assert dp.parse_reference("1234ab56").plate_format == "fni"
    assert dp.parse_reference(" ab12-34567 ").kind == "contract_number"
    assert dp.parse_reference("123 456 789").kind == "agreement_number"
    assert dp.parse_reference("ab-123-cd") == dp.parse_reference("AB123CD")

    support = dp.support_directory()
    assert [(c.kind, c.value) for c in support.channels] == [
        ("email", "info@garantiestellantis.fr"),
        ("phone", "01 86 99 02 69"),
    ]
    assert "billing" in support.channels[0].topics and support.channels[0].topic_labels_fr
    assert support == dp.support_directory()
