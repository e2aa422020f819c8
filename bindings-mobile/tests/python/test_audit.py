"""The audit chain's head and keyed verification, and the erasure of an account, through the
generated Python."""

import json

import dealer_portal as dp
from helpers import FAST, active_user, raises_code, take_mail
from test_scenario import ADMIN, ADMIN_PASSWORD, GARAGES

KEYED = json.dumps({**json.loads(FAST), "audit_key": "5a" * 32})


def admin(portal):
    portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
    portal.request_password_reset(ADMIN)
    mail = take_mail(portal, "password_reset", ADMIN)
    portal.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    return portal.login(ADMIN, ADMIN_PASSWORD).token.expose()


def test_head_and_expected_head():
    portal = dp.Portal.in_memory(KEYED)
    assert portal.audit_head() == dp.AuditHead(seq=0, hash="0" * 64)
    token = admin(portal)
    head = portal.audit_head()
    assert portal.verify_audit_chain() == head.seq > 0
    portal.logout(token)
    assert portal.verify_audit_chain(head) == head.seq + 1
    with raises_code("AUDIT_CHAIN_BROKEN") as info:
        portal.verify_audit_chain(dp.AuditHead(seq=head.seq + 9, hash=head.hash))
    assert "cut" in info.value.detail
    with raises_code("AUDIT_CHAIN_BROKEN"):
        portal.verify_audit_chain(dp.AuditHead(seq=head.seq, hash="ab" * 32))


def test_keyed_chain_needs_its_key(tmp_path):
    path = str(tmp_path / "portal.db")
    admin(dp.Portal.open(path, KEYED))
    with raises_code("AUDIT_CHAIN_BROKEN") as info:
        dp.Portal.open(path, FAST).verify_audit_chain()
    assert "no audit_key" in info.value.detail


def test_erase_account():
    portal = dp.Portal.in_memory(KEYED)
    token = admin(portal)
    uid, _ = active_user(portal, token, "T99999", "zebulonne@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    with raises_code("INVALID_STATE"):
        portal.erase_account(token, uid)
    portal.disable_account(token, uid)
    portal.erase_account(token, uid)
    with raises_code("UNKNOWN_ACCOUNT"):
        portal.account(token, uid)
    with raises_code("UNKNOWN_ACCOUNT"):
        portal.erase_account(token, uid)
    assert portal.verify_audit_chain() > 0
