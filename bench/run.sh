#!/usr/bin/env bash
# Runs pullguard's benchmark (see bench/pullguard_bench.cc). Usage: bench/run.sh [BUILD_DIR] [--quick]
set -euo pipefail
build="${1:-build}"
shift || true
cmake --build "$build" --target pullguard_bench -j "$(nproc)" >/dev/null
exec "$build/bench/pullguard_bench" "$@"
