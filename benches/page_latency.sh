#!/usr/bin/env bash
# The latency of serving one page on loopback, with a bounded request count: Debian's `hey`
# (installed if missing), one connection kept alive, REQUESTS requests one after the other,
# redirects not followed. Prints p50/p90/p99/max in microseconds (hey's resolution: 100 µs) and
# how many answers had another status than expected: a page that checks the session answers 200
# only while the cookie's session is valid, and a redirect to the login page is counted here.
#   benches/page_latency.sh URL [requests] [cookie] [expected-status]
#   e.g. benches/page_latency.sh http://127.0.0.1:8080/comptes 5000 "session=…" 200
# A first run of a tenth of the requests warms the server up and is not reported.
# (`wrk` is no fit: it runs for a duration, and a script's `wrk.thread:stop()` leaves it waiting
# for the end of that duration.)
set -euo pipefail
url=${1:?usage: page_latency.sh URL [requests] [cookie] [expected-status]}
requests=${2:-2000}
cookie=${3:-}
expect=${4:-200}
if ! command -v hey >/dev/null 2>&1; then
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq hey >/dev/null
fi
run() {
  local args=(-n "$1" -c 1 -disable-redirects -o csv)
  if [ -n "$cookie" ]; then args+=(-H "Cookie: $cookie"); fi
  hey "${args[@]}" "$url"
}
run $(( requests / 10 + 1 )) >/dev/null
# CSV: response-time (s), …, status-code (column 7).
run "$requests" | python3 -c '
import csv, sys
expect = sys.argv[1]
rows = list(csv.DictReader(sys.stdin))
if not rows:
    sys.exit("page latency: no answer")
t = sorted(float(r["response-time"]) * 1e6 for r in rows)
bad = sum(r["status-code"] != expect for r in rows)
q = lambda f: round(t[int((len(t) - 1) * f)])
print(f"page latency: {len(t)} requests, p50 {q(0.5)} us, p90 {q(0.9)} us, p99 {q(0.99)} us, "
      f"max {round(t[-1])} us; {bad} not {expect}")
' "$expect"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
