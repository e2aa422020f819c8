"""Two-factor login (TOTP) from Python, with codes computed by this test's own RFC 6238."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from typing import Any

import pytest

import dealer_portal as dp
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, FAST, USER_PASSWORD, invite, seed, take_token

KEY: dict[str, Any] = {"totp_key": "7e" * 32}


def totp(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 with SHA-1, 6 digits, 30 s: a few lines of HMAC, not the library."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_own_totp_matches_rfc6238_appendix_b() -> None:
    seed_b32 = base64.b32encode(b"12345678901234567890").decode()
    assert totp(seed_b32, 59) == "287082"
    assert totp(seed_b32, 1111111109) == "081804"


def enrolled() -> tuple[dp.Portal, str, str, list[str]]:
    p = dp.Portal.in_memory({**FAST, **KEY})
    s = seed(p)
    e = p.begin_totp_enrollment(s.session, ADMIN_PASSWORD)
    assert e.uri.startswith("otpauth://totp/") and f"secret={e.secret}" in e.uri
    assert e.secret not in repr(e) and "otpauth" not in repr(e)
    assert not p.authenticate(s.session).mfa_enrolled
    with pytest.raises(dp.AuthError) as bad:
        p.confirm_totp_enrollment(s.session, "000000" if totp(e.secret) != "000000" else "111111")
    assert bad.value.code == "MFA_INVALID"
    codes = p.confirm_totp_enrollment(s.session, totp(e.secret))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert p.authenticate(s.session).mfa_enrolled
    return p, s.session, e.secret, codes


def test_login_needs_the_code_once_per_step() -> None:
    p, _, secret, _ = enrolled()
    with pytest.raises(dp.AuthError) as missing:
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert missing.value.code == "MFA_REQUIRED"
    with pytest.raises(dp.AuthError) as wrong_pw:
        p.login(ADMIN_EMAIL, "Pas-Le-Bon-1!")
    assert wrong_pw.value.code == "INVALID_CREDENTIALS"
    # The next step (one step of drift) was not used by the confirmation.
    ahead = totp(secret, time.time() + 30)
    session = p.login(ADMIN_EMAIL, ADMIN_PASSWORD, otp=ahead)
    info = p.authenticate(session.token)
    assert info.mfa_enrolled and not info.restricted
    with pytest.raises(dp.AuthError) as replay:
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD, otp=ahead)
    assert replay.value.code == "INVALID_CREDENTIALS"
    with pytest.raises(dp.AuthError) as too_far:
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD, otp=totp(secret, time.time() + 90))
    assert too_far.value.code == "INVALID_CREDENTIALS"
    for junk in ["", "abcdef", "１２３４５６", "1" * 100, "\u0000"]:
        with pytest.raises(dp.AuthError):
            p.login(ADMIN_EMAIL, ADMIN_PASSWORD, otp=junk)


def test_recovery_codes_work_once() -> None:
    p, session, secret, codes = enrolled()
    p.login(ADMIN_EMAIL, ADMIN_PASSWORD, otp=codes[0])
    with pytest.raises(dp.AuthError) as used:
        p.login(ADMIN_EMAIL, ADMIN_PASSWORD, otp=codes[0])
    assert used.value.code == "INVALID_CREDENTIALS"
    p.login(ADMIN_EMAIL, ADMIN_PASSWORD, otp=codes[1].upper())
    with pytest.raises(dp.AuthError) as bad:
        p.disable_totp(session, ADMIN_PASSWORD, "not-a-code")
    assert bad.value.code == "MFA_INVALID"
    p.disable_totp(session, ADMIN_PASSWORD, codes[2])
    assert not p.authenticate(session).mfa_enrolled
    p.login(ADMIN_EMAIL, ADMIN_PASSWORD)


def test_required_policy_restricts_until_enrolled() -> None:
    p = dp.Portal.in_memory({**FAST, **KEY, "mfa": "required"})
    s = seed(p)
    info = p.authenticate(s.session)
    assert info.restricted and not info.mfa_enrolled
    for call in (
        lambda: p.list_sessions(s.session),
        lambda: p.list_accounts(s.session),
        lambda: p.reset_totp(s.session, s.admin_id),
    ):
        with pytest.raises(dp.AuthError) as refused:
            call()
        assert refused.value.code == "MFA_ENROLLMENT_REQUIRED"
    e = p.begin_totp_enrollment(s.session, ADMIN_PASSWORD)
    p.confirm_totp_enrollment(s.session, totp(e.secret))
    assert not p.authenticate(s.session).restricted
    assert len(p.list_sessions(s.session)) == 1


def test_a_policy_without_key_is_refused() -> None:
    with pytest.raises(dp.ValidationError) as e:
        dp.Portal.in_memory({**FAST, "mfa": "required"})
    assert e.value.code == "INVALID_CONFIG"
    with pytest.raises(dp.PortalError) as bad_key:
        dp.Portal.in_memory({**FAST, "totp_key": "not hex"})
    assert "not hex" not in str(bad_key.value)


def test_manager_reset_notifies_the_owner_and_reset_password_keeps_the_factor() -> None:
    p = dp.Portal.in_memory({**FAST, **KEY})
    s = seed(p)
    lea = invite(s, "lea@garage-xyz.fr", [dp.Right.SEARCH_CLAIMS])
    u = p.login("lea@garage-xyz.fr", USER_PASSWORD).token
    e = p.begin_totp_enrollment(u, USER_PASSWORD)
    p.confirm_totp_enrollment(u, totp(e.secret))
    p.request_password_reset("lea@garage-xyz.fr")
    token = take_token(p, "lea@garage-xyz.fr", "password_reset")
    p.complete_password_reset(token, "lea@garage-xyz.fr", "Nouveau-Passe-2026!", "Nouveau-Passe-2026!")
    with pytest.raises(dp.AuthError) as still:
        p.login("lea@garage-xyz.fr", "Nouveau-Passe-2026!")
    assert still.value.code == "MFA_REQUIRED"
    p.reset_totp(s.session, lea)
    notes = [n for n in p.pending_notifications() if n.kind == "totp_reset"]
    assert [n.email for n in notes] == ["lea@garage-xyz.fr"] and notes[0].token is None
    p.login("lea@garage-xyz.fr", "Nouveau-Passe-2026!")
