#!/usr/bin/env bash
# Benchmark: `portalctl users list CONN --json` of a large portal, per vendor,
# against portal-sim --seed-users N. Measures wall time and peak RSS from the
# outside (/usr/bin/time -v) and the JSON received (the bytes portal-sim sent,
# measured by fetching the same pages with curl). Needs a real keyring: run it
# under scripts/with-keyring (bench/run.sh does).
#
# Usage: bench/cli_users_list.sh BUILD_DIR [USERS] [RUNS] [VENDORS...]
# Prints one line per run and a summary per vendor:
#   vendor=ecgrid users=100000 wall_s=… cpu_s=… peak_rss_kb=… json_kb=… rss_ratio=… load=…
set -euo pipefail

build=${1:?usage: cli_users_list.sh BUILD_DIR [USERS] [RUNS] [VENDORS...]}
users=${2:-100000}
runs=${3:-5}
shift $(($# < 3 ? $# : 3))
vendors=("$@")
[[ ${#vendors[@]} -gt 0 ]] || vendors=(ecgrid zoho valstorm)

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
portalctl="$build/portalctl"
work=$(mktemp -d "${TMPDIR:-/tmp}/portalctl-bench.XXXXXX")
cleanup() {
    bench_stop_sim
    rm -rf "$work"
}
trap cleanup EXIT

bench_start_sim "$build/portal-sim" "$work" --seed-users "$users"
sim_connections_ini "$url" b >"$work/config.ini"
pc() { "$portalctl" --config "$work/config.ini" "$@"; }
store_sim_credentials b pc

portal_of() {
    case $1 in
        ecgrid) echo 101 ;;
        zoho) echo CustomerHub ;;
        valstorm) echo portal_demo1 ;;
    esac
}

# The bytes received for one listing: the sum of what recvfrom/read returned on
# the sockets, counted by strace (HTTP headers included: a few hundred bytes
# per page, noise next to the JSON bodies).
json_bytes() {
    local portal=$1 vendor=$2
    strace -f -qq -e trace=recvfrom,recvmsg -o "$work/strace" "$portalctl" \
        --config "$work/config.ini" users list "b-$vendor" --portal "$portal" --json >/dev/null
    awk '/recv(from|msg)\(/ {n = $NF; if (n ~ /^[0-9]+$/) s += n} END {print s + 0}' "$work/strace"
}

exec 3>&2 2>"$work/stderr"  # progress lines go to a file; errors are shown on failure
for vendor in "${vendors[@]}"; do
    portal=$(portal_of "$vendor")
    pc users list "b-$vendor" --portal "$portal" --json >"$work/warm.json"
    count=$(jq length "$work/warm.json")
    bytes=$(json_bytes "$portal" "$vendor")
    walls=() rsss=() cpus=()
    for ((r = 0; r < runs; r++)); do
        load=$(cut -d' ' -f1 /proc/loadavg)
        /usr/bin/time -v -o "$work/time" "$portalctl" --config "$work/config.ini" \
            users list "b-$vendor" --portal "$portal" --json >"$work/out.json"
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
                for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time")
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
        # CPU time (user + system): what the listing costs whatever the load.
        cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/time")
        walls+=("$wall") rsss+=("$rss") cpus+=("$cpu")
        echo "run vendor=$vendor users=$count wall_s=$wall cpu_s=$cpu peak_rss_kb=$rss load=$load"
    done
    median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
    mw=$(median "${walls[@]}")
    mr=$(median "${rsss[@]}")
    mc=$(median "${cpus[@]}")
    printf 'vendor=%s users=%s wall_s_median=%s cpu_s_median=%s peak_rss_kb_median=%s json_kb=%d rss_ratio=%.2f load=%s\n' \
        "$vendor" "$count" "$mw" "$mc" "$mr" $((bytes / 1024)) "$(echo "$mr * 1024 / $bytes" | bc -l)" \
        "$(cut -d' ' -f1 /proc/loadavg)"
done
