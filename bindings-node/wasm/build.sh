#!/usr/bin/env bash
# Builds the browser package of dealer-portal's pure functions into bindings-node/browser/:
#   1. the wasm32-unknown-unknown target (rustup) and wasm-bindgen-cli at exactly the version of
#      the `wasm-bindgen` crate in Cargo.lock (installed into $CARGO_HOME/bin when missing: the
#      CLI and the crate must match);
#   2. cargo build --profile wasm-release --target wasm32-unknown-unknown -p dealer-portal-wasm;
#   3. wasm-bindgen --target web: dealer_portal_wasm.js (an ES module whose default export is the
#      async `init`, named exports evaluatePassword, visibleSections, parseReference, initSync),
#      dealer_portal_wasm.d.ts and dealer_portal_wasm_bg.wasm.
# Prints the sizes (raw and gzip -9). Honours CARGO_TARGET_DIR.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/bindings-node/browser"
TARGET=wasm32-unknown-unknown
PROFILE=wasm-release
cd "$ROOT"

step() { printf '\n== wasm build: %s\n' "$*"; }

if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx "$TARGET"; then
    step "rustup target add $TARGET"
    rustup target add "$TARGET"
fi

# The wasm-bindgen crate's version in Cargo.lock: the CLI must be exactly this one.
VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$VERSION" ]; then
    echo "no wasm-bindgen in Cargo.lock" >&2
    exit 1
fi
BIN_DIR="${CARGO_HOME:-$HOME/.cargo}/bin"
WASM_BINDGEN="$BIN_DIR/wasm-bindgen"
if ! [ -x "$WASM_BINDGEN" ] || [ "$("$WASM_BINDGEN" --version | awk '{print $2}')" != "$VERSION" ]; then
    step "cargo install wasm-bindgen-cli --version =$VERSION"
    # --locked first (the CLI's own lock file); if one of the versions it pins is not in the
    # registry this machine reaches, the same release resolved afresh.
    cargo install wasm-bindgen-cli --version "=$VERSION" --locked --root "${CARGO_HOME:-$HOME/.cargo}" ||
        cargo install wasm-bindgen-cli --version "=$VERSION" --root "${CARGO_HOME:-$HOME/.cargo}"
fi
step "$("$WASM_BINDGEN" --version)"

step "cargo build --profile $PROFILE --target $TARGET -p dealer-portal-wasm"
cargo build --profile "$PROFILE" --target "$TARGET" -p dealer-portal-wasm
TARGET_DIR="${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}"
WASM="$TARGET_DIR/$TARGET/$PROFILE/dealer_portal_wasm.wasm"

step "wasm-bindgen --target web --out-dir bindings-node/browser"
# The `name` section (function names for stack traces: 72 KB) is removed here rather than by
# the profile's `strip = true`, which would also remove the `target_features` section that
# wasm-bindgen reads to know which Wasm features the code uses.
"$WASM_BINDGEN" --target web --remove-name-section --remove-producers-section \
    --out-dir "$OUT" --out-name dealer_portal_wasm "$WASM"

step "sizes (bytes: raw, gzip -9)"
for f in dealer_portal_wasm_bg.wasm dealer_portal_wasm.js; do
    printf '%-28s %9d %9d\n' "$f" "$(wc -c <"$OUT/$f")" "$(gzip -9 -c "$OUT/$f" | wc -c)"
done
