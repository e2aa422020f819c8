"""Shared constants and helpers of the Python tests of the generated binding."""

import contextlib

import dealer_portal as dp
import pytest

# argon2 at tiny cost: the scenario hashes a dozen passwords. The default (OWASP) is tested once.
FAST = '{"hash": {"m_cost_kib": 256, "t_cost": 1, "p_cost": 1}}'

ADMIN = "admin@garage-xyz.fr"
ADMIN_PASSWORD = "Garage XYZ, 2026 !"
USER = "alexandre@gmail.com"
USER_PASSWORD = "Première-Connexion-26"


@contextlib.contextmanager
def raises_code(code):
    """Expects a PortalError with this stable code."""
    with pytest.raises(dp.PortalError) as info:
        yield info
    assert info.value.code == code, f"expected {code}, got {info.value.code}: {info.value.detail}"
    assert info.value.detail


def take_mail(portal, kind, email):
    """The pending notification of this kind for this email, acknowledged."""
    mails = [n for n in portal.pending_notifications() if n.kind == kind and n.email == email]
    assert mails, f"no {kind} mail for {email}"
    portal.acknowledge_notification(mails[-1].id)
    return mails[-1]


def active_user(portal, admin_token, code, email, rights, password=USER_PASSWORD, **phones):
    """Creates a user on `code`, activates it through its link and logs it in: (id, token)."""
    uid = portal.create_user(admin_token, code, "Martin", "Léa", email, rights, **phones)
    mail = take_mail(portal, "activation", email)
    portal.activate_account(mail.token.expose(), email, password, password)
    return uid, portal.login(email, password).token.expose()
