#!/usr/bin/env bash
# Throughput of portal-sim on one core: builds a release portal-sim in
# build-bench, pins it to one CPU with taskset, and runs wrk (keep-alive,
# several connections) from another CPU against one cheap authenticated GET
# per vendor. Prints requests/s per vendor and the load average next to each
# figure (the machine is shared). Target: >= 20,000 GETs/s on one core.
# Also prints requests per CPU-second of portal-sim (its utime+stime from
# /proc over the run): on a busy machine the pinned core is shared, and that
# figure is what one core given wholly to portal-sim would serve.
#
#   bench/sim_throughput.sh [SECONDS] [CONNECTIONS]
#
# Env: SIM_CPU (default 0), WRK_CPU (default 1), SKIP_BUILD=1 to reuse the build.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build-bench"
DURATION=${1:-10}
CONNECTIONS=${2:-8}
SIM_CPU=${SIM_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
WORK=$(mktemp -d)
SIM_PID=""

cleanup() {
    if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target portal-sim >/dev/null
fi

mkfifo "$WORK/out"
taskset -c "$SIM_CPU" "$BUILD/portal-sim" --listen 127.0.0.1:0 >"$WORK/out" &
SIM_PID=$!
read -r line <"$WORK/out"
URL=${line#portal-sim listening on }

ZOHO_TOKEN=$(curl -s -X POST "$URL/oauth/v2/token" -d grant_type=refresh_token \
    -d client_id=sim-zoho-client -d client_secret=sim-zoho-secret \
    -d refresh_token=sim-zoho-refresh | jq -r .access_token)

HZ=$(getconf CLK_TCK)
# portal-sim's user + system CPU time so far, in clock ticks.
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$SIM_PID/stat"
}

# vendor | path | header
TARGETS=(
    "ecgrid|/v2/users/me|X-API-Key: sim-ecgrid-netadmin"
    "zoho|/crm/v7/settings/portals|Authorization: Zoho-oauthtoken $ZOHO_TOKEN"
    "valstorm|/v1/portal/portal_demo1/users|Authorization: Bearer sim-valstorm-admin"
)

echo "portal-sim on CPU $SIM_CPU, wrk on CPU $WRK_CPU: ${DURATION}s, $CONNECTIONS connections, keep-alive"
for target in "${TARGETS[@]}"; do
    IFS='|' read -r vendor path header <<<"$target"
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$URL$path")
    [[ "$status" == 200 ]] || { echo "$vendor $path answered $status" >&2; exit 1; }
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    ticks_before=$(cpu_ticks)
    result=$(taskset -c "$WRK_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -H "$header" "$URL$path")
    ticks=$(( $(cpu_ticks) - ticks_before ))
    load_after=$(cut -d' ' -f1 /proc/loadavg)
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$result")
    requests=$(awk '/ requests in / {print $1}' <<<"$result")
    per_cpu=$(awk -v r="$requests" -v t="$ticks" -v hz="$HZ" 'BEGIN {printf "%.0f", t ? r * hz / t : 0}')
    errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$result")
    printf '%-9s GET %-31s %9s req/s  %7s req/CPU-s  load average %s -> %s%s\n' "$vendor" \
        "$path" "$rps" "$per_cpu" "$load_before" "$load_after" "${errors:+   ($errors)}"
done
