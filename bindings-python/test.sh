#!/usr/bin/env bash
# Builds the Python binding and runs its tests, from nothing but Python 3 and a Rust toolchain:
#   1. a virtualenv in bindings-python/.venv (git-ignored) with maturin, pytest, mypy, argon2-cffi;
#   2. the abi3 wheel, built by maturin (dev profile) into target/py/wheels, installed in the venv;
#   3. pytest on tests/ (the seed scenario, every error code, threads, SQLite, interop, example);
#   4. mypy --strict on tests/typed_usage.py (the whole API), the tests and the example, through
#      the installed stubs;
#   5. mypy.stubtest: the stubs and the native module agree.
# Exits non-zero on the first failure. Environment: PYTHON (default python3), PROFILE
# (dev|release, default dev), CARGO_TARGET_DIR (default <repo>/target/py).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$HERE/.venv"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target/py}"
WHEELS="$CARGO_TARGET_DIR/wheels"

step() { printf '\n== python binding: %s\n' "$*"; }

step "virtualenv $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    # Debian's python3 may come without ensurepip (python3-venv): then make the venv bare and
    # let the system pip install pip into it.
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        "$PYTHON" -m venv --without-pip "$VENV"
        "$PYTHON" -m pip --python "$VENV/bin/python" install --quiet pip
    fi
fi
VPY="$VENV/bin/python"
"$VPY" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.7,<2" "pytest>=7,<10" "mypy>=1.10,<3" "argon2-cffi>=23,<26" "typing_extensions>=4.6"

step "wheel (maturin, ${PROFILE:-dev} profile, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
rm -f "$WHEELS"/dealer_portal-*.whl
profile_flag=()
if [ "${PROFILE:-dev}" = "release" ]; then profile_flag=(--release); fi
"$VENV/bin/maturin" build --quiet "${profile_flag[@]}" \
    --manifest-path "$HERE/Cargo.toml" --interpreter "$VPY" --out "$WHEELS"
wheel="$(ls -t "$WHEELS"/dealer_portal-*.whl | head -n 1)"
echo "built $(basename "$wheel")"
"$VPY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"

# Run from tests/ so that the source tree (python/, without the native module) never shadows
# the installed package.
cd "$HERE/tests"

step "pytest"
"$VPY" -m pytest -q -p no:cacheprovider "$HERE/tests"

step "mypy --strict: tests/typed_usage.py (the whole API), the tests and the example"
"$VPY" -m mypy --strict --no-incremental --cache-dir=/dev/null typed_usage.py
"$VPY" -m mypy --strict --no-incremental --cache-dir=/dev/null . "$HERE/examples/import_users.py"

step "stubtest dealer_portal (and its submodule _native)"
"$VPY" -m mypy.stubtest dealer_portal \
    --allowlist "$HERE/tests/stubtest-allowlist.txt"

step "ok"
