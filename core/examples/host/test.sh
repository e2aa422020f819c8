#!/usr/bin/env bash
# The reference host's browser tests, from nothing: Debian's Chromium (installed if missing),
# playwright-core (pinned by browser/package-lock.json), the WebAssembly build of the core's
# pure functions (bindings-node/wasm/build.sh), the native Node binding (which gives the tests
# their expected answers; built by bindings-node/test.sh if it is not there), and the host
# itself (dev profile, whose argon2 is optimised by the workspace's profile), started on a free
# 127.0.0.1 port with a fresh database and mail folder, stopped at the end.
#
#   bash core/examples/host/test.sh
#
# DEALER_PORTAL_WASM_DIR: serve an already built browser package from there instead of
# building it. Screenshots go to target/host-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
step() { printf '\n---- host: %s ----\n' "$*"; }

step "Chromium"
CHROMIUM=$(bash .ci/ensure-browser.sh)
export CHROMIUM
echo "$CHROMIUM"

step "playwright-core (npm ci)"
(cd core/examples/host/browser && npm ci --no-audit --no-fund --loglevel=error)

if [ -z "${DEALER_PORTAL_WASM_DIR:-}" ]; then
    step "WebAssembly build of evaluate_password (bindings-node/wasm/build.sh)"
    bash bindings-node/wasm/build.sh
    export DEALER_PORTAL_WASM_DIR="$root/bindings-node/browser"
fi
test -f "$DEALER_PORTAL_WASM_DIR/dealer_portal_wasm.js"

if ! ls bindings-node/*.node >/dev/null 2>&1; then
    step "native Node binding (bindings-node/test.sh)"
    bash bindings-node/test.sh
fi
export DP_NODE_BINDING="$root/bindings-node/index.js"

step "build the host (dev profile) and its unit tests"
cargo test -q -p dealer-portal-host
cargo build -q -p dealer-portal-host

step "start the host on a free port, fresh database and mail folder"
run=$(mktemp -d "$target/host-test.XXXXXX")
export MAIL_DIR="$run/mail"
"$target/debug/dealer-portal-host" --db "$run/host.db" --mail-dir "$MAIL_DIR" \
    --listen 127.0.0.1:0 >"$run/stdout" 2>"$run/stderr" &
host=$!
trap 'kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
    HOST_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$run/stdout" 2>/dev/null || true)
    [ -n "$HOST_URL" ] && break
    kill -0 "$host" 2>/dev/null || { cat "$run/stderr" >&2; exit 1; }
    sleep 0.1
done
[ -n "$HOST_URL" ] || { echo "the host did not start" >&2; cat "$run/stderr" >&2; exit 1; }
export HOST_URL
echo "$HOST_URL ($run)"

step "browser tests (node --test)"
export SCREENSHOTS="$target/host-screenshots"
rm -rf "$SCREENSHOTS"
(cd core/examples/host/browser && node --test host.test.mjs)
echo "screenshots: $SCREENSHOTS"
rm -rf "$run"
