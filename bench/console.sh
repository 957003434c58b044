#!/usr/bin/env bash
# Benchmark: the console over a 100,000-user portal of each vendor, measured
# from inside with `portalctl --bench` (bench/console_users.bench: load the
# list, scroll it, filter it), then start-up with 20 connections and the idle
# wake-ups measured from outside. Run under scripts/with-keyring (bench/run.sh).
# Usage: bench/console.sh BUILD_DIR [USERS] [VENDORS...]
set -euo pipefail
build=${1:?usage: console.sh BUILD_DIR [USERS] [VENDORS...]}
users=${2:-100000}
shift $(($# < 2 ? $# : 2))
vendors=("$@")
[[ ${#vendors[@]} -gt 0 ]] || vendors=(ecgrid zoho valstorm)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/portalctl-bench.XXXXXX")
cleanup() {
    bench_stop_sim
    rm -rf "$work"
}
trap cleanup EXIT
bench_start_sim "$build/portal-sim" "$work" --seed-users "$users"
cfg="$work/config.ini"
sim_connections_ini "$url" b >"$cfg"
pc() { "$build/portalctl" --config "$cfg" "$@"; }
store_sim_credentials b pc

for vendor in "${vendors[@]}"; do
    case $vendor in ecgrid) portal=101 ;; zoho) portal=CustomerHub ;; valstorm) portal=portal_demo1 ;; esac
    sed "s/CONNECTION/b-$vendor/; s/PORTAL/$portal/" "$here/console_users.bench" >"$work/s.bench"
    echo "== $vendor load=$(cut -d' ' -f1 /proc/loadavg)"
    pc --bench "$work/s.bench"
done

# Start-up with 20 connections: from inside (start:to-first-frame), and from
# outside: the whole process (hyperfine), and no connect() to D-Bus or the
# network before the first frame (strace: the terminal write comes first;
# with --bench the "terminal" is /dev/null, written after the first frame).
cfg20="$work/twenty.ini"
for i in $(seq 1 20); do
    printf '[connection c%02d]\nvendor = ecgrid\nurl = %s\n\n' "$i" "$url"
done >"$cfg20"
printf 'start\n' >"$work/start.bench"
echo "== start, 20 connections load=$(cut -d' ' -f1 /proc/loadavg)"
"$build/portalctl" --config "$cfg20" --bench "$work/start.bench"
hyperfine -N --warmup 3 --runs 30 "$build/portalctl --config $cfg20 --bench $work/start.bench" 2>&1 \
    | grep -E 'Time|Range'
strace -f -qq -e trace=connect -o "$work/connects" "$build/portalctl" --config "$cfg20" \
    --bench "$work/start.bench" >/dev/null
echo "connect() calls during start: $(grep -c 'connect(' "$work/connects" || true)"

# Idle: the real console in a pty (tmux), nothing in flight: context switches
# of the process over 10 s, from /proc/PID/status.
if command -v tmux >/dev/null; then
    sock="pc-bench-$$"
    tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 40 \
        "env TERM=xterm-256color $build/portalctl --config $cfg20"
    sleep 2
    pid=$(pgrep -n -f "portalctl --config $cfg20" || true)
    if [[ -n "$pid" ]]; then
        switches() { awk '/ctxt_switches/ {s += $2} END {print s}' "/proc/$pid/status"; }
        a=$(switches); sleep 10; b=$(switches)
        echo "idle: $((b - a)) context switches in 10 s (pid $pid) load=$(cut -d' ' -f1 /proc/loadavg)"
    fi
    tmux -L "$sock" kill-server 2>/dev/null || true
fi
