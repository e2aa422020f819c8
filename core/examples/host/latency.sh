#!/usr/bin/env bash
# The reference host's page latency (issue 19: p50 under 1 ms on loopback): builds the host and
# its load client in release, starts the host on a free 127.0.0.1 port with a fresh database,
# and requests the home page (which checks the session with the core) 20,000 times.
#   bash core/examples/host/latency.sh [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
target=${CARGO_TARGET_DIR:-$(pwd)/target}
cargo build -q --release -p dealer-portal-host --bins
run=$(mktemp -d "$target/host-latency.XXXXXX")
"$target/release/dealer-portal-host" --db "$run/host.db" --mail-dir "$run/mail" \
    --listen 127.0.0.1:0 >"$run/stdout" 2>"$run/stderr" &
host=$!
trap 'kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true; rm -rf "$run"' EXIT
for _ in $(seq 1 300); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$run/stdout" || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "the host did not start" >&2; cat "$run/stderr" >&2; exit 1; }
echo "Load average at start: $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores."
"$target/release/host-latency" --url "$url" --mail-dir "$run/mail" --requests "${1:-20000}"
echo "Load average at the end: $(cut -d' ' -f1 /proc/loadavg)."
