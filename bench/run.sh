#!/usr/bin/env bash
# The benchmark suite (docs/PERFORMANCE.md): builds a release tree, then runs
# the command-line and console benchmarks against portal-sim --seed-users
# 100000, inside a throwaway keyring. The simulator's own throughput is
# bench/sim_throughput.sh. Not part of ctest (tests/bench/test_bench_smoke.sh
# is its short version there).
# Usage: bench/run.sh [BUILD_DIR] [USERS]     (default build-perf, 100000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-perf}
users=${2:-100000}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target portalctl portal-sim >/dev/null
"$root/scripts/with-keyring" "$root/bench/cli_users_list.sh" "$build" "$users" 5
"$root/scripts/with-keyring" "$root/bench/console.sh" "$build" "$users"
