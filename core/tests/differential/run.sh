#!/usr/bin/env bash
# Differential test of phones and emails against independent references (values.py says what
# and which differences are deliberate): a virtualenv in core/tests/differential/.venv
# (git-ignored) with pinned PyPI `phonenumbers` (the libphonenumber release whose metadata the
# `phonenumber` crate carries) and `email-validator`, the core's `values_verdict` example, and
# values.py over the generated inputs. Exits non-zero on any unexplained difference.
# Environment: PYTHON (default python3), CARGO_TARGET_DIR (default <repo>/target).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$HERE/.venv"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"

if [ ! -x "$VENV/bin/python" ]; then
    # Debian's python3 may come without ensurepip (python3-venv): then make the venv bare and
    # let the system pip install pip into it (as bindings-python/test.sh does).
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        "$PYTHON" -m venv --without-pip "$VENV"
        "$PYTHON" -m pip --python "$VENV/bin/python" install --quiet pip
    fi
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "phonenumbers==9.0.33" "email-validator==2.3.0" "idna==3.10"

(cd "$REPO" && cargo build -q -p dealer-portal --example values_verdict)
"$VENV/bin/python" "$HERE/values.py" --verdict "$TARGET/debug/examples/values_verdict" "$@"
