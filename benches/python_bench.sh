#!/usr/bin/env bash
# Python binding vs its peers, in one run (issue 5, Performance):
#   1. dealer_portal.evaluate_password vs the same checks in pure Python (timeit, best of repeats);
#   2. Portal.login at the default argon2id parameters vs argon2-cffi's verify (the C reference),
#      interleaved, medians;
#   3. logins on 2 threads vs 1 (the GIL is released), with argon2-cffi on 2 threads as a peer.
# Builds the wheel in release (maturin, as bindings-python/test.sh does with PROFILE=release) into
# its own virtualenv, so it never disturbs bindings-python/.venv.
#   benches/python_bench.sh [OUT_DIR]     writes OUT_DIR/python.txt (default target/bench-out)
# Environment: PYTHON (default python3), CARGO_TARGET_DIR (default <repo>/target/py, shared with
# test.sh so pyo3 is not rebuilt), BENCH_QUICK=1 for a short smoke run.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$REPO/target/bench-out}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="$REPO/target/bench-py"
VENV="$WORK/venv"
WHEELS="$WORK/wheels"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target/py}"

echo "== python bench: virtualenv $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$WORK"
    # Debian's python3 may lack ensurepip: then a bare venv, and the system pip installs pip.
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        "$PYTHON" -m venv --without-pip "$VENV"
        "$PYTHON" -m pip --python "$VENV/bin/python" install --quiet pip
    fi
fi
VPY="$VENV/bin/python"
"$VPY" -m pip install --quiet --disable-pip-version-check "maturin>=1.7,<2" "argon2-cffi>=23,<26"

echo "== python bench: release wheel (maturin --release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
rm -f "$WHEELS"/dealer_portal-*.whl
"$VENV/bin/maturin" build --quiet --release \
    --manifest-path "$REPO/bindings-python/Cargo.toml" --interpreter "$VPY" --out "$WHEELS"
wheel="$(ls -t "$WHEELS"/dealer_portal-*.whl | head -n 1)"
echo "built $(basename "$wheel")"
"$VPY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"

echo "== python bench: measuring (takes a few minutes on 2 busy cores)"
# Run outside bindings-python/ so the source package (without _native) never shadows the wheel.
cd "$WORK"
"$VPY" "$REPO/benches/python_bench.py" > "$OUT/python.txt"
cat "$OUT/python.txt"
