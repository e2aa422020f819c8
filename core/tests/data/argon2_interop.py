#!/usr/bin/env python3
"""Checks that argon2-cffi (the C reference implementation) accepts our PHC strings.

The Rust side checks the other direction: `password::tests::verifies_hashes_made_by_argon2_cffi`
verifies hashes made by argon2-cffi. This script is not run in CI; run it by hand after changing
the hashing code:

    python3 -m pip install argon2-cffi
    python3 core/tests/data/argon2_interop.py                  # the vectors below
    python3 core/tests/data/argon2_interop.py 'PHC' 'password' # any hash of ours

Passwords are NFKC-normalised before hashing on the Rust side, so the vectors use the normalised
form (an ASCII password is its own normal form).
"""

import sys
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

# Made by `dealer_portal::password::PasswordHasher::new(HashParams::default()).hash(..)`.
OURS = [
    (
        "$argon2id$v=19$m=19456,t=2,p=1$Nc5lKyLWB9hD5WNjtWpvzA$"
        "YfndOUpWFdMCa/uPeP+vdEpS60trVWJpOTYGRtGVk9k",
        "correct horse battery staple",
    ),
    (
        # typed with a fullwidth "Ｃ", hashed as its NFKC form
        "$argon2id$v=19$m=19456,t=2,p=1$QomdEpnKFcS3uXcmqpblnA$"
        "MG0OfX/YnHpL47rKkeXv7r//cC4Zv2K5NhgjW7z7wTc",
        "\uff23orrect horse battery 1!",
    ),
]


def check(phc: str, password: str) -> None:
    hasher = PasswordHasher()
    normalised = unicodedata.normalize("NFKC", password)
    assert hasher.verify(phc, normalised), phc
    try:
        hasher.verify(phc, normalised + "x")
    except VerifyMismatchError:
        pass
    else:
        raise AssertionError("a wrong password verified")


def main() -> None:
    vectors = [(sys.argv[1], sys.argv[2])] if len(sys.argv) == 3 else OURS
    for phc, password in vectors:
        check(phc, password)
    owasp = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    for phc, _ in OURS:
        # same parameters, same encoding: argon2-cffi sees nothing to upgrade
        assert not owasp.check_needs_rehash(phc), phc
    print(f"argon2-cffi verified {len(vectors)} hash(es) made by dealer-portal")


if __name__ == "__main__":
    main()
