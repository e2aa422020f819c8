#!/usr/bin/env bash
# Short fuzzing runs on the committed corpora: what CI runs (.ci/test-all calls it).
#
# Installs what it needs on a fresh machine (cargo-fuzz; the nightly toolchain is expected to be
# installed, as it is on the project's machines), builds every target once, replays the
# regression inputs, then runs each target for FUZZ_SECONDS (default 20) on a scratch copy of
# its corpus, so the committed corpus is not modified. Exits non-zero on any crash, leak,
# timeout or failed assertion; the failing input is left in fuzz/artifacts/<target>/.
#
# Environment:
#   FUZZ_SECONDS      seconds per target (default 20)
#   FUZZ_TARGETS      space-separated subset of targets (default: all)
#   FUZZ_TARGET_DIR   cargo target dir for the fuzz build (default: ~/.cache/dealer-portal-fuzz/target,
#                     kept outside the clone so a later run on the same machine reuses the
#                     dependencies' build)
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$(pwd)

seconds=${FUZZ_SECONDS:-20}
targets=${FUZZ_TARGETS:-"values evaluate reference tokens document_query portal_ops"}
target_dir=${FUZZ_TARGET_DIR:-"${HOME:-/root}/.cache/dealer-portal-fuzz/target"}
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin_dir="$target_dir/$triple/release"

say() { printf '[fuzz] %s\n' "$*"; }

if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# 16 codegen units: a build about twice as fast on 2 cores for slightly slower runs, the right
# trade for short runs.
say "building all targets (release, debug assertions, AddressSanitizer)"
start=$(date +%s)
cargo +nightly fuzz build -O -a --codegen-units 16 --target-dir "$target_dir"
say "built in $(( $(date +%s) - start ))s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()

for t in $targets; do
  bin="$bin_dir/$t"
  [ -x "$bin" ] || { say "missing binary $bin"; exit 1; }
  mkdir -p "artifacts/$t"
  # Known crash inputs, fixed since: each must now pass.
  if [ -d "regressions/$t" ] && [ -n "$(ls -A "regressions/$t")" ]; then
    say "$t: replaying $(ls "regressions/$t" | wc -l) regression input(s)"
    if ! "$bin" -runs=0 "regressions/$t" >"$scratch/$t.regress.log" 2>&1; then
      tail -40 "$scratch/$t.regress.log"
      failed+=("$t (regression)")
      continue
    fi
  fi
  mkdir -p "$scratch/corpus/$t"
  cp -r "corpus/$t/." "$scratch/corpus/$t/"
  extra=()
  # Sequences of operations need room: let inputs grow at once.
  [ "$t" = portal_ops ] && extra=(-max_len=2048 -len_control=0)
  say "$t: ${seconds}s on $(ls "corpus/$t" | wc -l) seed(s)"
  if "$bin" "$scratch/corpus/$t" \
      -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 \
      -artifact_prefix="$fuzz_dir/artifacts/$t/" -print_final_stats=1 "${extra[@]}" \
      >"$scratch/$t.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch/$t.log")
    say "$t: ok, ${execs:-?} runs, ${rate:-?} runs/s"
  else
    tail -60 "$scratch/$t.log"
    say "$t: CRASH (input in fuzz/artifacts/$t/)"
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  say "failed: ${failed[*]}"
  exit 1
fi
say "all targets ran clean"
