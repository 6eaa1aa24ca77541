#!/usr/bin/env bash
# Every fuzz target (tests/fuzz) under libFuzzer with ASan and UBSan, for FUZZ_SECONDS each
# (default 20), as many at once as there are cores (JOBS to change), from its seeds
# (tests/fuzz/seeds/NAME, folders of tests/data, and every input that ever crashed it:
# tests/fuzz/regressions/NAME). Prints each target's runs; on a crash, the input is left in
# BUILD/fuzz/crashes/NAME: fix the bug, then keep the input as
# tests/fuzz/regressions/NAME/<what broke> (the normal test suite replays it).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
# The libFuzzer binaries are built by `make test` (the ASan+UBSan tree, .ci/sanitizers.sh):
# after it, this builds nothing.
build=${FUZZ_BUILD:-build-test}
SANITIZER_BUILD=$build .ci/sanitizers.sh address,undefined --build-only
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One target, its result in $build/fuzz/NAME.result ("ok: ..." or "FAILED: ...").
fuzz_one() {
  local name=$1 seeds=$2
  local corpus crashes log result
  corpus=$(mktemp -d)  # what this run adds; the seeds themselves are only read
  crashes="$build/fuzz/crashes/$name"
  mkdir -p "$crashes"
  log="$build/fuzz/$name.log"
  result="$build/fuzz/$name.result"
  # shellcheck disable=SC2046  # the seed folders, one word each
  if "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$corpus" $(cat "$seeds") >"$log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" || echo "no run count")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "ok: fuzz_$name: $runs, $cov, corpus +$(find "$corpus" -type f | wc -l) inputs" >"$result"
  else
    echo "FAILED: fuzz_$name: FAILED; the input is in $crashes" >"$result"
  fi
  rm -rf "$corpus"
}

# Each libFuzzer process uses one core: as many targets at once as there are cores.
parallel=${JOBS:-$(nproc)}
names=()
for seeds in "$build"/fuzz/*.seeds; do
  name=$(basename "$seeds" .seeds)
  names+=("$name")
  rm -f "$build/fuzz/$name.result"
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  fuzz_one "$name" "$seeds" &
done
wait
failed=0
for name in "${names[@]}"; do
  line=$(cat "$build/fuzz/$name.result" 2>/dev/null || echo "FAILED: fuzz_$name: FAILED; no result")
  echo "${line#*: }"
  if [[ $line != ok:* ]]; then
    tail -40 "$build/fuzz/$name.log"
    failed=1
  fi
done
exit "$failed"
