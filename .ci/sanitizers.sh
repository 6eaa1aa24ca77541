#!/usr/bin/env bash
# The whole test suite under sanitizers, as CI runs it:
#   .ci/sanitizers.sh address,undefined   AddressSanitizer (with leak checks) + UBSan
#   .ci/sanitizers.sh thread              ThreadSanitizer
# Every target is built with them, the pullguard the tests start included (the fuzz inputs'
# replay is left to .ci/fuzz.sh, which runs them under ASan and UBSan); the first finding
# stops that process, and its test fails. Warnings stay errors (PULLGUARD_WERROR), except g++
# 12's known maybe-uninitialized false positive inside <regex> (see CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=${1:?usage: .ci/sanitizers.sh address,undefined|thread}
build=${SANITIZER_BUILD:-build-${sanitizers//,/-}}
jobs=${JOBS:-$(nproc)}
.ci/install-deps.sh
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}  # as the Makefile: both cores busy across targets
# -g1: line numbers in the reports. -O0 under ASan+UBSan: their checks make g++ 2.4 times slower
# at -O1 (the cli's largest batch: 63 s at -O1, 26 s at -O0), and the tests wait on sockets,
# not on the CPU. ThreadSanitizer compiles as fast at -O1, and runs faster there.
optimize=-O1
[[ $sanitizers == *address* ]] && optimize=-O0
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=$optimize -g1" -DPULLGUARD_WERROR=ON \
  -DPULLGUARD_SANITIZE="$sanitizers" -DPULLGUARD_BENCH=OFF -DPULLGUARD_FUZZ_INPUTS=OFF >/dev/null
cmake --build "$build" -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:history_size=4
root=$PWD
cd "$build"
"$root/.ci/loopback-only.sh" ctest --output-on-failure -j "$jobs" --timeout 600
