#!/usr/bin/env bash
# The reference host's page latency (issue 19: p50 under 1 ms on loopback): builds the host in
# release, starts it on a free 127.0.0.1 port with a fresh database, opens a session the way a
# person does (the seeded administrator claims its account through "Mot de passe oublié ?" and
# the mail, then logs in), and has benches/page_latency.sh request the home page — which checks
# the session with the core and draws the menu — one request after the other.
#   bash core/examples/host/latency.sh [REQUESTS]     (default 20,000)
set -euo pipefail
cd "$(dirname "$0")/../../.."
target=${CARGO_TARGET_DIR:-$(pwd)/target}
cargo build -q --release -p dealer-portal-host
run=$(mktemp -d "$target/host-latency.XXXXXX")
"$target/release/dealer-portal-host" --db "$run/host.db" --mail-dir "$run/mail" \
    --listen 127.0.0.1:0 >"$run/stdout" 2>"$run/stderr" &
host=$!
trap 'kill "$host" 2>/dev/null || true; wait "$host" 2>/dev/null || true; rm -rf "$run"' EXIT
for _ in $(seq 1 300); do
    url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$run/stdout" 2>/dev/null || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "the host did not start" >&2; cat "$run/stderr" >&2; exit 1; }

admin=admin@garage-xyz.fr
password='Garage XYZ, 2026 !' # the benchmark's own account, on a throwaway database
jar="$run/cookies"
web() { curl -sS -o "$run/page" -w '%{http_code}' -c "$jar" -b "$jar" "$@"; }
web "$url/mot-de-passe-oublie" >/dev/null
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$run/page" | head -1 | sed 's/.*value="//; s/"$//')
web --data-urlencode "csrf=$csrf" --data-urlencode "email=$admin" "$url/mot-de-passe-oublie" >/dev/null
link=
for _ in $(seq 1 100); do
    link=$(grep -ho 'reinitialisation?token=[A-Za-z0-9_-]*' "$run"/mail/*.txt 2>/dev/null | head -1 || true)
    [ -n "$link" ] && break
    sleep 0.1
done
[ -n "$link" ] || { echo "no reset mail" >&2; exit 1; }
status=$(web --data-urlencode "csrf=$csrf" --data-urlencode "token=${link#*token=}" \
    --data-urlencode "email=$admin" --data-urlencode "password=$password" \
    --data-urlencode "confirmation=$password" "$url/reinitialisation")
[ "$status" = 303 ] || { echo "the reset answered $status" >&2; exit 1; }
status=$(web --data-urlencode "csrf=$csrf" --data-urlencode "email=$admin" \
    --data-urlencode "password=$password" "$url/connexion")
[ "$status" = 303 ] || { echo "the login answered $status" >&2; exit 1; }
session=$(awk '$6 == "dp_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "no session cookie" >&2; exit 1; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
bash benches/page_latency.sh "$url/" "${1:-20000}" "dp_session=$session" 200
