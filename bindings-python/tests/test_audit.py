"""The audit chain's head and keyed verification, and the erasure of an account."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import dealer_portal as dp
from conftest import FAST, USER_PASSWORD, invite, seed

KEY = "5a" * 32


def test_audit_head_and_expected_head(portal: dp.Portal) -> None:
    empty = portal.audit_head()
    assert (empty.seq, empty.hash) == (0, "0" * 64)
    s = seed(portal)
    head = portal.audit_head()
    assert head.seq == portal.verify_audit_chain() > 0
    assert len(head.hash) == 64
    assert head == dp.AuditHead(head.seq, head.hash)
    # The log grows: the recorded head still holds.
    portal.logout(s.session)
    assert portal.verify_audit_chain(head) == head.seq + 1
    assert portal.verify_audit_chain(expected_head=head) == head.seq + 1
    with pytest.raises(dp.StorageError) as info:
        portal.verify_audit_chain(dp.AuditHead(head.seq + 10, head.hash))
    assert info.value.code == "AUDIT_CHAIN_BROKEN"
    assert "cut" in info.value.message
    with pytest.raises(dp.StorageError) as info:
        portal.verify_audit_chain(dp.AuditHead(head.seq, "ab" * 32))
    assert info.value.code == "AUDIT_CHAIN_BROKEN"


def test_keyed_chain_catches_an_unkeyed_rewrite(tmp_path: Path) -> None:
    path = tmp_path / "portal.db"
    portal = dp.Portal.open(path, config={**FAST, "audit_key": KEY})
    seed(portal)
    n = portal.verify_audit_chain()
    # Someone with write access rewrites event 2 and marks it and the rest as plain SHA-256
    # (the hashes need not even be right: the scheme alone is refused after keyed events).
    with sqlite3.connect(path) as db:
        db.execute("UPDATE audit SET details = '{\"x\":1}', scheme = 0 WHERE seq >= 2")
    with pytest.raises(dp.StorageError) as info:
        portal.verify_audit_chain()
    assert info.value.code == "AUDIT_CHAIN_BROKEN"
    assert "event 2" in info.value.message
    assert n > 2


def test_keyed_chain_needs_its_key(tmp_path: Path) -> None:
    path = tmp_path / "portal.db"
    keyed = dp.Portal.open(path, config={**FAST, "audit_key": KEY})
    seed(keyed)
    assert keyed.verify_audit_chain() > 0
    del keyed
    for config, says in [(FAST, "no audit_key"), ({**FAST, "audit_key": "11" * 32}, "not the one")]:
        with pytest.raises(dp.StorageError) as info:
            dp.Portal.open(path, config=config).verify_audit_chain()
        assert info.value.code == "AUDIT_CHAIN_BROKEN"
        assert says in info.value.message
    with pytest.raises(dp.ValidationError) as bad:
        dp.Portal.in_memory(config={**FAST, "audit_key": "12"})
    assert bad.value.code == "INVALID_CONFIG"
    assert "12" not in bad.value.message.replace("64", "")


def test_erase_account(tmp_path: Path) -> None:
    path = tmp_path / "portal.db"
    portal = dp.Portal.open(path, config={**FAST, "audit_key": KEY})
    s = seed(portal)
    victim = invite(s, "zebulonne@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS], last="Quichottard", first="Zébulonne")
    portal.update_profile(s.session, victim, mobile="06 23 42 54 55")
    other = invite(s, "hippolyte@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS], last="Barnabeau")
    with pytest.raises(dp.ValidationError) as info:
        portal.erase_account(s.session, victim)
    assert info.value.code == "INVALID_STATE"
    portal.disable_account(s.session, victim)
    portal.erase_account(s.session, victim)
    with pytest.raises(dp.NotFoundError) as gone:
        portal.account(s.session, victim)
    assert gone.value.code == "UNKNOWN_ACCOUNT"
    assert victim not in [a.id for a in portal.list_accounts(s.session).items]
    assert portal.account(s.session, other).last_name == "Barnabeau"
    assert portal.verify_audit_chain() > 0
    assert any(e.action == "account_erased" and e.subject == victim for e in portal.audit_log(s.session, "T99999"))
    with pytest.raises(dp.AuthError):
        portal.login("zebulonne@garage-xyz.fr", USER_PASSWORD)
    data = path.read_bytes() + (Path(f"{path}-wal").read_bytes() if Path(f"{path}-wal").exists() else b"")
    for value in ["zebulonne@garage-xyz.fr", "Quichottard", "Zébulonne", "+33623425455"]:
        assert value.encode() not in data, value
    assert b"Barnabeau" in data
