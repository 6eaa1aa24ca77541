#!/usr/bin/env bash
# The whole test suite under sanitizers:
#   .ci/sanitizers.sh address,undefined   AddressSanitizer (with leak checks) + UBSan, with clang;
#                                         `make test` runs this one (folder build-test)
#   .ci/sanitizers.sh thread              ThreadSanitizer, with g++ (folder build-thread)
#   ... --build-only                      build, run nothing (.ci/fuzz.sh)
# Every target is built with them, the pullguard the tests start included; the first finding
# stops that process, and its test fails. Warnings are errors (PULLGUARD_WERROR), except g++
# 12's known maybe-uninitialized false positive inside <regex> (see CMakeLists.txt).
# The ASan build also builds the fuzz targets as libFuzzer binaries (PULLGUARD_FUZZ): its
# tests replay their seeds through libFuzzer, and .ci/fuzz.sh fuzzes from the same tree.
# Two compilers, so both g++'s and clang's warnings stop CI; the image is built with g++.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=${1:?usage: .ci/sanitizers.sh address,undefined|thread [--build-only]}
build_only=${2:-}
jobs=${JOBS:-$(nproc)}
.ci/install-deps.sh
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}  # as the Makefile: both cores busy across targets
# -g1: line numbers in the reports. -O0 under ASan+UBSan: the tests wait on sockets, not on the
# CPU, and -O1 makes the build 2.4 times slower. ThreadSanitizer compiles as fast at -O1, and
# runs faster there.
case $sanitizers in
  address,undefined)
    build=${SANITIZER_BUILD:-build-test}
    settings=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "-DCMAKE_CXX_FLAGS=-O0 -g1" -DPULLGUARD_FUZZ=ON)
    ;;
  thread)
    build=${SANITIZER_BUILD:-build-thread}
    settings=(-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ "-DCMAKE_CXX_FLAGS=-O1 -g1" -DPULLGUARD_BENCH=OFF
              -DPULLGUARD_FUZZ_INPUTS=OFF)
    ;;
  *) echo "usage: .ci/sanitizers.sh address,undefined|thread [--build-only]" >&2; exit 2 ;;
esac
# A folder made with another compiler cannot be reconfigured for this one: start it again.
if [[ -f $build/CMakeCache.txt ]] && ! grep -q "^CMAKE_CXX_COMPILER:[A-Z]*=\(.*/\)\?${settings[1]#*=}\$" "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=None -DPULLGUARD_WERROR=ON -DPULLGUARD_SANITIZE="$sanitizers" \
  "${settings[@]}" >/dev/null
cmake --build "$build" -j "$jobs"
[[ $build_only == --build-only ]] && exit 0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:history_size=4
root=$PWD
cd "$build"
"$root/.ci/loopback-only.sh" ctest --output-on-failure -j "$jobs" --timeout 600
