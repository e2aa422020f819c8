#!/usr/bin/env bash
# The figures of benches/RESULTS.md's "Browser build" section, in one run: the browser package's
# sizes (raw and gzip -9, of the .wasm and of the JS glue; printed by build.sh) and the time of
# one evaluatePassword in Chromium (median over MEASURE_CALLS calls after a warm-up, and the first
# call including the module's import and init; printed by test/browser.test.mjs).
# Needs the Node binding's npm dependencies (npm ci in bindings-node).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$HERE/build.sh"
cd "$HERE/.."
MEASURE_CALLS="${MEASURE_CALLS:-10000}" node --test --test-reporter=spec wasm/test/browser.test.mjs
