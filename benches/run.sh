#!/usr/bin/env bash
# Runs every benchmark with its peer in one run and writes benches/RESULTS.md.
#   benches/run.sh            all of it (~20-30 min on 2 cores)
#   benches/run.sh quick      the Rust criterion benches and examples only (8 interleaved rounds)
# Installs what it needs: libclang (argon2-kdf builds the C reference with bindgen),
# argon2-cffi (the Python peer), the bindings in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/target/bench-out"
mkdir -p "$out"
if ! ls /usr/lib/llvm-*/lib/libclang*.so >/dev/null 2>&1; then
  apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq libclang-dev
fi
# The argon2 peer is the C reference built for this CPU, as the goal is stated.
export ARGON2_KDF_C_COMPILER_FLAGS="-march=native"
for b in domain argon2 casbin stores timing totp; do
  if grep -q "name = \"$b\"" benches/Cargo.toml; then
    echo "== cargo bench $b"
    cargo bench -q -p dealer-portal-benches --bench "$b" -- --noplot 2>&1 | tee "$out/$b.txt"
  fi
done
echo "== PostgreSQL beside SQLite (a throwaway cluster on loopback; installs Debian's postgresql if missing)"
bash core/tests/postgres.sh cargo bench -q -p dealer-portal-benches --features postgres --bench postgres \
  -- --noplot 2>&1 | tee "$out/postgres.txt"
echo "== bulk import at scale, then create_user one by one (no harness)"
users=100000
if [ "${1:-}" = quick ]; then users=20000; fi
cargo build -q --release -p dealer-portal-benches --example import_scale
: > "$out/import_scale.txt"
for batch in 1000 10000 "$users"; do
  ./target/release/examples/import_scale "$users" "$batch" 2>/dev/null | tee -a "$out/import_scale.txt"
done
echo "== the floor: the same rows prebuilt, inserted with SQLite alone (no harness)"
cargo run -q --release -p dealer-portal-benches --example import_floor "$users" | tee "$out/import_floor.txt"
echo "== erase_account on a store of as many accounts (no harness)"
cargo run -q --release -p dealer-portal-benches --example erase_scale "$users" | tee "$out/erase_scale.txt"
echo "== run_maintenance on a year of expired rows (no harness)"
cargo build -q --release -p dealer-portal-benches --example maintenance
: > "$out/maintenance.txt"
for batch in 250 1000 10000; do
  ./target/release/examples/maintenance "$users" "$batch" 2>/dev/null | tee -a "$out/maintenance.txt"
done
echo "== argon2 peak memory (no harness)"
cargo run -q --release -p dealer-portal-benches --example argon2_rss | tee "$out/argon2_rss.txt"
echo "== argon2 vs the C reference, interleaved call by call (no harness)"
# Steadier than criterion's one-after-the-other on a loaded machine; 60 rounds, 8 when quick.
rounds=60
if [ "${1:-}" = quick ]; then rounds=quick; fi
cargo run -q --release -p dealer-portal-benches --example argon2_interleaved "$rounds" \
  | tee "$out/argon2_interleaved.txt"
echo "== login with a TOTP code vs without, interleaved call by call (no harness)"
totp_rounds=60
if [ "${1:-}" = quick ]; then totp_rounds=8; fi
cargo run -q --release -p dealer-portal-benches --example totp_interleaved "$totp_rounds" \
  | tee "$out/totp_interleaved.txt"
echo "== AsyncPortal::login vs OS threads, 8 in flight on SQLite, interleaved rounds (no harness)"
async_rounds=20
if [ "${1:-}" = quick ]; then async_rounds=quick; fi
cargo run -q --release -p dealer-portal-benches --features tokio --example async_logins "$async_rounds" \
  | tee "$out/async_logins.txt"
if [ "${1:-}" != quick ]; then
  for s in benches/python_bench.sh benches/node_bench.sh; do
    if [ -f "$s" ]; then echo "== $s"; bash "$s" "$out"; fi
  done
fi
if [ "${1:-}" != quick ]; then
  echo "== the reference host's page latency (core/examples/host/latency.sh)"
  bash core/examples/host/latency.sh | tee "$out/host_latency.txt"
fi
python3 benches/report.py "$root/target/criterion" "$out" > benches/RESULTS.md
echo "wrote benches/RESULTS.md"
