"""Two-factor login (TOTP) through the generated Python, with codes from this test's own
RFC 6238 (a few lines of HMAC), not from the library."""

import base64
import hashlib
import hmac
import struct
import time

import dealer_portal as dp
from helpers import ADMIN, ADMIN_PASSWORD, raises_code, take_mail

CONFIG = '{"hash": {"m_cost_kib": 256, "t_cost": 1, "p_cost": 1}, "totp_key": "%s"}' % ("9d" * 32)
GARAGES = [dp.Establishment(code="T99999", name="GARAGE XYZ", city="VILLE 1", regime=dp.Regime.INSURANCE)]


def totp(secret_b32, at=None):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def admin(portal):
    portal.declare_administrator(ADMIN, "Geloen", "Alexandre", "Gérant", GARAGES)
    portal.request_password_reset(ADMIN)
    mail = take_mail(portal, "password_reset", ADMIN)
    portal.complete_password_reset(mail.token.expose(), ADMIN, ADMIN_PASSWORD, ADMIN_PASSWORD)
    return portal.login(ADMIN, ADMIN_PASSWORD).token.expose()


def test_own_totp_matches_rfc6238():
    assert totp(base64.b32encode(b"12345678901234567890").decode(), 59) == "287082"


def test_enrol_log_in_with_codes_and_recovery_codes():
    p = dp.Portal.in_memory(CONFIG)
    s = admin(p)
    e = p.begin_totp_enrollment(s, ADMIN_PASSWORD)
    assert e.secret.expose() not in repr(e) and e.secret.expose() not in str(e.uri) and e.uri.expose().startswith("otpauth://totp/")
    with raises_code("MFA_INVALID"):
        p.confirm_totp_enrollment(s, "abcdef")
    codes = p.confirm_totp_enrollment(s, totp(e.secret.expose()))
    assert len(codes) == 10
    assert p.authenticate(s).mfa_enrolled
    with raises_code("MFA_REQUIRED"):
        p.login(ADMIN, ADMIN_PASSWORD)
    ahead = totp(e.secret.expose(), time.time() + 30)
    p.login(ADMIN, ADMIN_PASSWORD, otp=ahead)
    with raises_code("INVALID_CREDENTIALS"):
        p.login(ADMIN, ADMIN_PASSWORD, otp=ahead)
    p.login(ADMIN, ADMIN_PASSWORD, otp=codes[0])
    with raises_code("INVALID_CREDENTIALS"):
        p.login(ADMIN, ADMIN_PASSWORD, otp=codes[0])
    p.disable_totp(s, ADMIN_PASSWORD, codes[1])
    assert not p.authenticate(s).mfa_enrolled


def test_required_policy_restricts_until_enrolled():
    p = dp.Portal.in_memory(CONFIG.replace("{", '{"mfa": "required", ', 1))
    s = admin(p)
    assert p.authenticate(s).restricted
    with raises_code("MFA_ENROLLMENT_REQUIRED"):
        p.list_sessions(s)
    e = p.begin_totp_enrollment(s, ADMIN_PASSWORD)
    p.confirm_totp_enrollment(s, totp(e.secret.expose()))
    assert not p.authenticate(s).restricted
    assert len(p.list_sessions(s)) == 1
