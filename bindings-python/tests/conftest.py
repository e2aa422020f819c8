"""Shared fixtures: portals with cheap argon2 parameters, and the seed's administrator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

import dealer_portal as dp

# argon2id at the cheapest parameters the core accepts: tests hash many passwords.
FAST: dict[str, Any] = {"hash": {"m_cost_kib": 256, "t_cost": 1, "p_cost": 1}}

ADMIN_EMAIL = "admin@garage-xyz.fr"
ADMIN_PASSWORD = "Garage-XYZ-2026!"
USER_PASSWORD = "Utilisateur-2026!"

GARAGE_XYZ = ("T99999", "GARAGE XYZ", "VILLE 1", dp.Regime.INSURANCE)
GARAGE_UVW = ("T88888", "GARAGE UVW", "VILLE 2", dp.Regime.DELEGATED_MANAGEMENT)


def establishments() -> list[dp.Establishment]:
    return [dp.Establishment(*GARAGE_XYZ), dp.Establishment(*GARAGE_UVW)]


def take_token(portal: dp.Portal, email: str, kind: str) -> str:
    """The token of the newest pending notification of this kind for this email, acknowledged."""
    found = [n for n in portal.pending_notifications() if n.email == email and n.kind == kind]
    assert found, f"no {kind} notification for {email}"
    note = found[-1]
    assert note.token is not None
    token = note.token
    portal.acknowledge_notification(note.id)
    return token


@dataclass
class Seeded:
    """A portal with the seed's administrator of GARAGE XYZ and GARAGE UVW, logged in."""

    portal: dp.Portal
    admin_id: str
    session: str


def seed(portal: dp.Portal) -> Seeded:
    admin_id = portal.declare_administrator(ADMIN_EMAIL, "Geloen", "Alexandre", "Gérant", establishments())
    portal.request_password_reset(ADMIN_EMAIL)
    token = take_token(portal, ADMIN_EMAIL, "password_reset")
    portal.complete_password_reset(token, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_PASSWORD)
    session = portal.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    return Seeded(portal, admin_id, session.token)


def invite(s: Seeded, email: str, rights: list[dp.Right], code: str = "T99999", last: str = "Martin", first: str = "Léa") -> str:
    """Creates a user and activates it with USER_PASSWORD; returns its id."""
    account_id = s.portal.create_user(s.session, code, last, first, email, rights)
    token = take_token(s.portal, email, "activation")
    s.portal.activate_account(token, email, USER_PASSWORD, USER_PASSWORD)
    return account_id


@pytest.fixture
def portal() -> dp.Portal:
    return dp.Portal.in_memory(config=FAST)


@pytest.fixture(params=["memory", "sqlite"])
def any_portal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dp.Portal]:
    """The same tests over both stores."""
    if request.param == "memory":
        yield dp.Portal.in_memory(config=FAST)
    else:
        yield dp.Portal.open(tmp_path / "portal.db", config=FAST)


@pytest.fixture
def seeded(any_portal: dp.Portal) -> Seeded:
    return seed(any_portal)
