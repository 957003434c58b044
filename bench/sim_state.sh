#!/usr/bin/env bash
# Saving and loading a large portal-sim state: a release portal-sim seeds N
# users per vendor (default 1,000,000) and saves them on SIGTERM; a second
# one loads that file and saves it again. Each run goes through
# /usr/bin/time -v (peak RSS, CPU time); the script times the load (start to
# the "listening" line) and the save (SIGTERM to exit) itself. The machine is
# shared: the load average is printed next to each figure.
#
#   bench/sim_state.sh [N] [STATE_FILE]
#
# Env: SKIP_BUILD=1 reuses build-bench.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build-bench"
N=${1:-1000000}
WORK=$(mktemp -d)
STATE=${2:-$WORK/state.json}
trap 'rm -rf "$WORK"' EXIT

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target portal-sim >/dev/null
fi

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
load_average() { cut -d' ' -f1 /proc/loadavg; }

# run LABEL ARGS...: starts portal-sim, waits until it listens, stops it with
# SIGTERM (which saves the state), and prints the figures.
run() {
    local label=$1
    shift
    rm -f "$WORK/out"
    mkfifo "$WORK/out"
    local started load_before
    load_before=$(load_average)
    started=$(now_ms)
    /usr/bin/time -v "$BUILD/portal-sim" --listen 127.0.0.1:0 --state "$STATE" "$@" \
        >"$WORK/out" 2>"$WORK/time" &
    local time_pid=$!
    local line
    read -r line <"$WORK/out"
    local ready
    ready=$(now_ms)
    local sim_pid
    sim_pid=$(pgrep -P "$time_pid" -x portal-sim)
    kill -TERM "$sim_pid"
    wait "$time_pid"
    local stopped
    stopped=$(now_ms)
    local rss cpu_user cpu_sys
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
    cpu_user=$(awk -F': ' '/User time/ {print $2}' "$WORK/time")
    cpu_sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/time")
    printf '%-22s start->listening %6.2f s  save (SIGTERM->exit) %6.2f s  CPU %s+%s s  peak RSS %d MB  load average %s -> %s\n' \
        "$label" "$(echo "($ready - $started) / 1000" | bc -l)" \
        "$(echo "($stopped - $ready) / 1000" | bc -l)" "$cpu_user" "$cpu_sys" \
        "$((rss / 1024))" "$load_before" "$(load_average)"
}

rm -f "$STATE"
run "seed $N + save" --seed-users "$N"
echo "state file: $(stat -c %s "$STATE") bytes"
run "load $N + save"
