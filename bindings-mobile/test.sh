#!/usr/bin/env bash
# The mobile binding's one test command, for a fresh Debian bookworm machine (Java 17, Node 20,
# Rust, Python 3.11; apt, npm, PyPI and crates.io reachable). Idempotent: installs are skipped
# when already done, the Kotlin test jar is rebuilt only when its inputs change.
#
#   bindings-mobile/test.sh          # from anywhere
#
# 1. builds the library (dev profile) and the workspace's uniffi-bindgen;
# 2. generates Kotlin, Swift and Python from the built .so (library mode) into
#    target/uniffi/{kotlin,swift,python}; fails if generation fails or if the generated Portal
#    lacks a method of the contract;
# 3. (a) pytest on tests/python against the generated Python module;
# 4. (b) compiles the generated Kotlin + tests/kotlin/Main.kt with the npm kotlin-compiler and
#    runs it on the JVM through Debian's JNA; it prints "N passed, N failed".
# Swift cannot run here (no toolchain): it is generated and name-checked only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
OUT="$TARGET/uniffi"
TOOLS="$HERE/.tools"
VENV="$HERE/.venv"
KOTLIN_VERSION="2.4.20"
JNA_JAR=/usr/share/java/jna.jar
LIB="$TARGET/debug/libdealer_portal_mobile.so"

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    # Installs Debian packages, refreshing the package lists only when a package is not found.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 || {
        as_root apt-get update -q >/dev/null
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
    }
}

cd "$ROOT"

step "cargo build -p dealer-portal-mobile (dev)"
cargo build -p dealer-portal-mobile
step "cargo test -p dealer-portal-mobile (Rust unit tests of the binding)"
cargo test -q -p dealer-portal-mobile
step "cargo build -p uniffi-bindgen"
cargo build -q -p uniffi-bindgen
BINDGEN="$TARGET/debug/uniffi-bindgen"

step "generate Kotlin, Swift and Python from $LIB"
rm -rf "$OUT/kotlin" "$OUT/swift" "$OUT/python"
for lang in kotlin swift python; do
    # --no-format: ktlint and swift-format are not installed here; the output is valid as is.
    "$BINDGEN" generate "$LIB" --language "$lang" --out-dir "$OUT/$lang" --no-format
done
cp "$LIB" "$OUT/python/"
python3 "$HERE/tests/check_names.py" "$OUT"

step "(a) Python: pytest on the generated module"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; rm -rf "$VENV"; python3 -m venv "$VENV"; }
fi
if ! "$VENV/bin/python" -c 'import pytest' 2>/dev/null; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check pytest
fi
DEALER_PORTAL_UNIFFI_PY="$OUT/python" "$VENV/bin/python" -m pytest -q "$HERE/tests/python"

step "(b) Kotlin: compile the generated Kotlin + tests/kotlin/Main.kt, run it on the JVM with JNA"
[ -f "$JNA_JAR" ] || apt_install libjna-java
KOTLINC="$TOOLS/node_modules/kotlin-compiler/bin/kotlinc"
if [ ! -x "$KOTLINC" ] || ! grep -q "\"version\": \"$KOTLIN_VERSION\"" "$TOOLS/node_modules/kotlin-compiler/package.json"; then
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error "kotlin-compiler@$KOTLIN_VERSION"
fi
KOTLIN_LIB="$TOOLS/node_modules/kotlin-compiler/lib"
JAR="$OUT/kotlin-test.jar"
SOURCES=("$OUT/kotlin/fr/dealerportal/dealer_portal.kt" "$HERE/tests/kotlin/Main.kt")
STAMP="$(cat "${SOURCES[@]}" | sha256sum | cut -d' ' -f1)-$KOTLIN_VERSION"
if [ ! -f "$JAR" ] || [ "$(cat "$JAR.stamp" 2>/dev/null)" != "$STAMP" ]; then
    rm -f "$JAR" "$JAR.stamp"
    "$KOTLINC" -nowarn -cp "$JNA_JAR" -d "$JAR" "${SOURCES[@]}"
    echo "$STAMP" >"$JAR.stamp"
else
    echo "Kotlin sources unchanged: reusing $JAR"
fi
java -Djna.library.path="$(dirname "$LIB")" \
    -cp "$JAR:$KOTLIN_LIB/kotlin-stdlib.jar:$JNA_JAR" \
    fr.dealerportal.test.MainKt

step "Swift: generated and name-checked only (no Swift toolchain here)"
ls "$OUT/swift"
echo
echo "bindings-mobile: all checks passed"
