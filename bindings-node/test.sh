#!/usr/bin/env bash
# Builds the Node binding and runs its tests, from nothing but Node (>= 20.17, with npm) and a
# Rust toolchain:
#   1. npm ci: @napi-rs/cli, TypeScript and @types/node, pinned by package-lock.json, into
#      node_modules/;
#   2. napi build --platform (dev profile; PROFILE=release for --release) with the test-hooks
#      feature: the .node addon in the shared workspace target dir, and the generated
#      index.js / index.d.ts;
#   3. node --test on __test__/ (seed scenario and host surface, sync and async on both stores,
#      every error code, the event loop under 4 loginAsync and 4 requestEmailChangeAsync, values,
#      CommonJS and ESM, the example server);
#   4. tsc --noEmit --strict on __test__/typed-usage.ts, which uses the whole API via index.d.ts,
#      and on the example server (JavaScript with JSDoc types, --checkJs);
#   5. the browser package (wasm/build.sh: the WebAssembly build of evaluatePassword,
#      visibleSections and parseReference into browser/), then wasm/test/: the web build against
#      the addon above over generated inputs, and in Chromium through playwright-core
#      (.ci/ensure-browser.sh installs Debian's when missing); tsc on its typings.
# Exits non-zero on the first failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

step() { printf '\n== node binding: %s\n' "$*"; }

step "toolchain: node $(node --version), npm $(npm --version), $(cargo --version)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 17)) { console.error("Node >= 20.17 is needed"); process.exit(1) }'

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "napi build (${PROFILE:-dev} profile)"
# Feature test-hooks: the hidden panic hooks of __test__/errors.test.cjs (absent from the typings,
# so index.js / index.d.ts are the same as without it).
if [ "${PROFILE:-dev}" = "release" ]; then
    npm run --silent build:release -- --features test-hooks
else
    npm run --silent build -- --features test-hooks
fi
ls -l ./*.node

# The generated files are committed (they are part of the review): say when they drift.
if command -v git >/dev/null 2>&1 && git -C "$HERE" rev-parse --git-dir >/dev/null 2>&1; then
    if ! git -C "$HERE" diff --quiet -- index.js index.d.ts; then
        echo "warning: the generated index.js / index.d.ts differ from the committed ones; commit them"
    fi
fi

step "node --test __test__/"
node --test --test-reporter=spec __test__/

step "tsc --noEmit --strict __test__/typed-usage.ts"
npx --no-install tsc --noEmit --strict __test__/typed-usage.ts

step "tsc --noEmit --strict --checkJs examples/server.mjs"
npx --no-install tsc --noEmit --strict --allowJs --checkJs --module nodenext --moduleResolution nodenext \
    --target es2022 --types node examples/server.mjs

step "browser package: wasm/build.sh"
bash wasm/build.sh

step "node --test wasm/test/ (the web build against the addon; in Chromium)"
node --test --test-reporter=spec wasm/test/

step "tsc --noEmit --strict wasm/test/typed-usage.ts"
npx --no-install tsc --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 \
    wasm/test/typed-usage.ts

step "ok"
