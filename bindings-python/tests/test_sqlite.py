"""A SQLite file keeps the portal's data across openings."""

from __future__ import annotations

from pathlib import Path

import dealer_portal as dp
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FAST, USER_PASSWORD, invite, seed


def test_reopened_file_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "portal.db"
    first = dp.Portal.open(path, config=FAST)
    s = seed(first)
    user_id = invite(s, "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS, dp.Right.ACCOUNTING_DOCUMENTS])
    first.add_document("T99999", dp.Document("accounting", "2204003143", "2024-01-15", kind="credit_note"))
    first.record_debit_line("T88888", "2/2024", dp.DebitLine("stellantis_services", "claims_settled", 1_000))
    remembered = first.login(ADMIN_EMAIL, ADMIN_PASSWORD, remember=True)
    events = first.verify_audit_chain()
    del first, s

    # A str path works as well as a pathlib.Path.
    again = dp.Portal.open(str(path), config=FAST)
    session = again.login(ADMIN_EMAIL, ADMIN_PASSWORD).token
    assert again.login("lea@garage-xyz.fr", USER_PASSWORD).account_id == user_id
    # Sessions live in the store too.
    assert [e.code for e in again.manageable_establishments(remembered.token)] == ["T88888", "T99999"]
    assert again.rights_matrix(session, user_id) == {"T99999": [dp.Right.SEARCH_CLAIMS, dp.Right.ACCOUNTING_DOCUMENTS]}
    page = again.list_accounts(session)
    assert sorted(a.email for a in page.items) == [ADMIN_EMAIL, "lea@garage-xyz.fr"]
    docs = again.search_documents(session, "T99999", "accounting", kind="credit_note")
    assert [d.number for d in docs.items] == ["2204003143"]
    statement = again.monthly_statement(session, "T88888", "2/2024")
    assert statement.missing == ["management_fees_and_npo"] and not statement.complete
    assert again.verify_audit_chain() > events


def test_two_portals_on_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    a = dp.Portal.open(path, config=FAST)
    b = dp.Portal.open(path, config=FAST)
    s = seed(a)
    assert b.login(ADMIN_EMAIL, ADMIN_PASSWORD).account_id == s.admin_id
