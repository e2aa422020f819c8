"""The core's argon2id PHC strings and argon2-cffi's (the C reference) verify each other."""

from __future__ import annotations

import argon2
import pytest

import dealer_portal as dp

PASSWORD = "Garage-XYZ-2026!"


@pytest.mark.parametrize(("m", "t", "p"), [(256, 1, 1), (19 * 1024, 2, 1), (1024, 2, 2)])
def test_both_directions(m: int, t: int, p: int) -> None:
    ours = dp.PasswordHasher(m_cost_kib=m, t_cost=t, p_cost=p)
    theirs = argon2.PasswordHasher(
        time_cost=t, memory_cost=m, parallelism=p, hash_len=32, salt_len=16, type=argon2.Type.ID
    )

    phc = ours.hash(PASSWORD)
    assert phc.startswith(f"$argon2id$v=19$m={m},t={t},p={p}$")
    assert theirs.verify(phc, PASSWORD)
    with pytest.raises(argon2.exceptions.VerifyMismatchError):
        theirs.verify(phc, PASSWORD + "x")

    made_by_cffi = theirs.hash(PASSWORD)
    assert ours.verify(PASSWORD, made_by_cffi)
    assert not ours.verify(PASSWORD + "x", made_by_cffi)
    assert not ours.needs_rehash(made_by_cffi)


def test_other_parameters_need_rehash() -> None:
    ours = dp.PasswordHasher()
    assert (ours.m_cost_kib, ours.t_cost, ours.p_cost) == (19 * 1024, 2, 1)  # OWASP defaults
    old = argon2.PasswordHasher(time_cost=1, memory_cost=256, parallelism=1, type=argon2.Type.ID).hash(PASSWORD)
    assert ours.verify(PASSWORD, old)
    assert ours.needs_rehash(old)


def test_nfkc_normalisation_is_hashed() -> None:
    # A fullwidth password typed on another keyboard is the same password.
    ours = dp.PasswordHasher(m_cost_kib=256, t_cost=1, p_cost=1)
    phc = ours.hash("Ｇａｒａｇｅ-XYZ-2026!")
    assert ours.verify(PASSWORD, phc)
    assert argon2.PasswordHasher().verify(phc, PASSWORD)


def test_malformed_hash_is_a_validation_error() -> None:
    with pytest.raises(dp.ValidationError) as info:
        dp.PasswordHasher(m_cost_kib=256, t_cost=1, p_cost=1).verify(PASSWORD, "not a phc string")
    assert info.value.code == "INVALID_INPUT"
    assert "not a phc string" not in info.value.message
