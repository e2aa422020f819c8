"""Data lifecycle (RGPD) through the generated Python: run_maintenance removes ended links only;
export_account gives JSON of what the account's flows wrote, never a token or a hash."""

import json

import dealer_portal as dp
import pytest
from helpers import ADMIN, ADMIN_PASSWORD, FAST, USER, active_user, raises_code, take_mail

GARAGES = [dp.Establishment(code="T99999", name="GARAGE XYZ", city="VILLE 1", regime=dp.Regime.INSURANCE)]


@pytest.fixture
def portal():
    return dp.Portal.in_memory(FAST)


def admin(portal):
    admin_id = portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
    portal.request_password_reset(ADMIN)
    mail = take_mail(portal, "password_reset", ADMIN)
    portal.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    return admin_id, portal.login(ADMIN, ADMIN_PASSWORD).token.expose()


def test_run_maintenance_removes_ended_links_only(portal):
    admin(portal)
    portal.request_password_reset(ADMIN)
    first = take_mail(portal, "password_reset", ADMIN).token.expose()
    portal.request_password_reset(ADMIN)
    second = take_mail(portal, "password_reset", ADMIN).token.expose()
    report = portal.run_maintenance()
    assert report == dp.MaintenanceReport(notifications_purged=0, tokens_purged=2, sessions_purged=0)
    assert not portal.inspect_token(first).usable and portal.inspect_token(first).kind is None
    assert portal.inspect_token(second).kind == "password_reset"
    assert portal.run_maintenance().tokens_purged == 0


def test_export_account_holds_what_the_flows_wrote(portal):
    admin_id, admin_token = admin(portal)
    uid, token = active_user(portal, admin_token, "T99999", USER, [dp.Right.SEARCH_CLAIMS])
    for text in (portal.export_account(token, uid), portal.export_account(admin_token, uid)):
        doc = json.loads(text)
        assert doc["profile"]["id"] == uid and doc["profile"]["email"] == USER
        assert doc["profile"]["rights"] == {"T99999": ["search_claims"]}
        assert [s["id"] for s in doc["sessions"]] == [s.id for s in portal.list_sessions(token)]
        assert "user_created" in [e["action"] for e in doc["audit"]]
        assert token not in text and admin_token not in text and "argon2" not in text
    with raises_code("UNKNOWN_ACCOUNT"):
        portal.export_account(token, admin_id)
    with raises_code("SESSION_INVALID"):
        portal.export_account("not a session", uid)
