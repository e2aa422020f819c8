#!/usr/bin/env bash
# Node binding vs its peers, in one run (issue 6, Performance):
#   1. evaluatePassword per call vs the same checks in plain JavaScript;
#   2. loginAsync throughput with 4 in flight vs sequential, at the default argon2id parameters.
# Builds the addon in release with the package's own tools (npm ci, then its build:release script,
# napi build --platform --release) into target/bench-node/pkg, so bindings-node/ (its node_modules,
# its dev .node file, its generated index.js/index.d.ts) is left as it is for whoever is testing it.
#   benches/node_bench.sh [OUT_DIR]     writes OUT_DIR/node.txt (default target/bench-out)
# Environment: BENCH_QUICK=1 for a short smoke run.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$REPO/target/bench-out}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
PKG_SRC="$REPO/bindings-node"
PKG="$REPO/target/bench-node/pkg"

echo "== node bench: npm ci in $PKG (node $(node --version), npm $(npm --version))"
mkdir -p "$PKG"
cp "$PKG_SRC/package.json" "$PKG_SRC/package-lock.json" "$PKG/"
(cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error)

echo "== node bench: npm run build:release (napi build --platform --release), output in $PKG"
rm -f "$PKG"/*.node
# The crate, its napi config and dts header are bindings-node's; only the outputs go to $PKG.
(cd "$PKG" && npm run --silent build:release -- \
    --cwd "$PKG_SRC" --package-json-path "$PKG_SRC/package.json" --output-dir "$PKG")
ls -l "$PKG"/*.node

echo "== node bench: measuring (a few minutes on 2 busy cores)"
node "$REPO/benches/node_bench.mjs" "$PKG" > "$OUT/node.txt"
cat "$OUT/node.txt"
