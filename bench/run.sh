#!/usr/bin/env bash
# Runs pullguard's benchmarks, every number a ratio against a baseline in the same run:
#   pullguard_bench           (a) cold check vs curl, (b) warm /validate vs a do-nothing TLS
#                             server, (c) 200 images in one review
#   pullguard_fairness_bench  (d) a registry slower than a review, (e) a small review beside a
#                             big one on a hanging registry [--baseline BINARY to compare]
#   pullguard_check_bench     (f) check vs skopeo and curl loops, (g) files per second
#   pullguard_review_cost_bench (h) a warm review in process on real kube-apiserver bodies, vs
#                             parsing them into an nlohmann::json document
#   pullguard_audit_bench     (i) an audit cycle over 10,000 workloads sharing 500 images:
#                             registry requests, wall time, peak memory; (j) the same, paced
# Usage: bench/run.sh [BUILD_DIR] [--quick]
set -euo pipefail
build="${1:-build}"
shift || true
cmake --build "$build" --target pullguard_bench pullguard_fairness_bench pullguard_check_bench pullguard_review_cost_bench \
  pullguard_audit_bench \
  -j "$(nproc)" >/dev/null
"$build/bench/pullguard_bench" "$@"
"$build/bench/pullguard_fairness_bench"
"$build/bench/pullguard_check_bench"
"$build/bench/pullguard_review_cost_bench"
"$build/bench/pullguard_audit_bench"
