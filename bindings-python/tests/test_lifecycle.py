"""Data lifecycle (RGPD) through the binding, over both stores: `run_maintenance` removes ended
links and says so, changing no answer; `export_account` gives JSON of what the account's flows
wrote, never a token or a hash, to oneself or a manager, and the same refusals as `account`."""

from __future__ import annotations

import json

import pytest

import dealer_portal as dp
from conftest import ADMIN_EMAIL, USER_PASSWORD, Seeded, invite, take_token


def test_run_maintenance_removes_ended_links_only(seeded: Seeded) -> None:
    p = seeded.portal
    # Two requests: the first link is superseded by the second, which stays usable.
    p.request_password_reset(ADMIN_EMAIL)
    first = take_token(p, ADMIN_EMAIL, "password_reset")
    p.request_password_reset(ADMIN_EMAIL)
    second = take_token(p, ADMIN_EMAIL, "password_reset")
    report = p.run_maintenance()
    assert isinstance(report, dp.MaintenanceReport)
    # The seed's consumed link and the superseded one; mails are kept 30 days, sessions live.
    assert report.tokens_purged == 2
    assert (report.notifications_purged, report.sessions_purged) == (0, 0)
    assert "tokens_purged=2" in repr(report)
    # The answers are those of before: the ended link is refused, the live one works.
    assert not p.inspect_token(first).usable and p.inspect_token(first).kind is None
    assert p.inspect_token(second).usable and p.inspect_token(second).kind == "password_reset"
    with pytest.raises(dp.TokenError):
        p.complete_password_reset(first, ADMIN_EMAIL, "Autre-Mot-2026!", "Autre-Mot-2026!")
    assert p.run_maintenance().tokens_purged == 0, "nothing more to remove"
    assert p.authenticate(seeded.session).email == ADMIN_EMAIL


def test_export_account_holds_what_the_flows_wrote(seeded: Seeded) -> None:
    p = seeded.portal
    lea_id = invite(seeded, "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    lea = p.login("lea@garage-xyz.fr", USER_PASSWORD).token
    for text in (p.export_account(lea, lea_id), p.export_account(seeded.session, lea_id)):
        doc = json.loads(text)
        assert doc["format"] == 1
        assert doc["profile"]["id"] == lea_id
        assert doc["profile"]["email"] == "lea@garage-xyz.fr"
        assert doc["profile"]["rights"] == {"T99999": ["search_claims"]}
        assert [s["id"] for s in doc["sessions"]] == [s.id for s in p.list_sessions(lea)]
        assert [link["state"] for link in doc["links"]] == ["consumed"]
        actions = [e["action"] for e in doc["audit"]]
        assert "user_created" in actions and "account_activated" in actions
        assert doc["security"]["password_set"] is True
        for secret in (lea, seeded.session, USER_PASSWORD, "argon2"):
            assert secret not in text
    # The same refusals as `account`: a user cannot read its administrator.
    with pytest.raises(dp.NotFoundError) as info:
        p.export_account(lea, seeded.admin_id)
    assert info.value.code == "UNKNOWN_ACCOUNT"
    with pytest.raises(dp.NotFoundError):
        p.export_account(seeded.session, "not-an-id")
    with pytest.raises(dp.PortalError) as bad:
        p.export_account("not a session", lea_id)
    assert bad.value.code == "SESSION_INVALID"


def test_retention_is_configurable_but_never_below_the_rate_limit_window() -> None:
    fast = {"hash": {"m_cost_kib": 256, "t_cost": 1, "p_cost": 1}}
    dp.Portal.in_memory({**fast, "retention": {"acknowledged_mails": 3600, "batch": 10}})
    with pytest.raises(dp.PortalError) as info:
        dp.Portal.in_memory({**fast, "retention": {"acknowledged_mails": 60}})
    assert info.value.code == "INVALID_CONFIG"
