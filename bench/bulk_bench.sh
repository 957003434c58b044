#!/usr/bin/env bash
# Bulk benchmark (not a test; ctest does not run it): in one go against
# portal-sim --latency-ms 20, times
#   - portalctl's bulk invite of 1,000 people to a Valstorm portal, and the
#     same invitations one request per user with curl in a loop;
#   - portalctl's bulk creation of 1,000 ECGrid users, and the seed's own
#     curl command (shared/seeds/001: POST /v2/users) in a loop;
# and prints the speed-ups and how close portalctl comes to the bound
# round trip x requests / concurrency, where concurrency is the most requests
# portalctl really had in flight (its summary's "concurrency"), not a number
# assumed here. Figures go in docs/BULK.md.
#
# Usage: scripts/with-keyring bench/bulk_bench.sh [BUILD_DIR]
#   BUILD_DIR holds portalctl and portal-sim; use a Release build
#   (cmake -B build-rel -DCMAKE_BUILD_TYPE=Release): the sanitizers of a
#   Debug build slow both programs down several times.
# Environment: ROWS (default 1000), LATENCY_MS (default 20), SKIP_CURL=1 to
# time portalctl only (the curl loops take minutes), REPEAT (default 5): how
# many times each portalctl run is repeated, each against a fresh simulator;
# the median is reported (and the fastest, to show the spread on a shared
# machine).
set -euo pipefail

build=${1:-build}
rows=${ROWS:-1000}
latency=${LATENCY_MS:-20}
repeat=${REPEAT:-5}
portalctl="$build/portalctl"
sim_bin="$build/portal-sim"
[[ -x "$portalctl" && -x "$sim_bin" ]] || { echo "no portalctl/portal-sim in $build" >&2; exit 2; }
command -v curl >/dev/null && command -v jq >/dev/null || { echo "needs curl and jq" >&2; exit 2; }
[[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]] || { echo "run under scripts/with-keyring" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/portalctl-bench.XXXXXX")
sim_pid=""
cleanup() {
    [[ -n "$sim_pid" ]] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

start_sim() { # a fresh simulator per measurement: every run starts from the same state
    [[ -n "$sim_pid" ]] && { kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; }
    rm -f "$work/out"
    mkfifo "$work/out"
    rm -f "$work/sim.log"
    "$sim_bin" --listen 127.0.0.1:0 --latency-ms "$latency" --log "$work/sim.log" >"$work/out" &
    sim_pid=$!
    local line
    read -r line <"$work/out"
    url=${line#portal-sim listening on }
    printf '[connection vs]\nvendor = valstorm\nurl = %s\n\n[connection ec]\nvendor = ecgrid\nurl = %s\n' \
        "$url" "$url" >"$work/config.ini"
    printf 'sim-valstorm-admin\n' | "$portalctl" --config "$work/config.ini" auth set vs >/dev/null 2>&1
    printf 'sim-ecgrid-netadmin\n' | "$portalctl" --config "$work/config.ini" auth set ec >/dev/null 2>&1
}

now_ms() { date +%s%3N; }

# Runs portalctl once on a fresh simulator; appends "wall_ms engine_ms
# concurrency requests" to $work/runs and checks every row succeeded.
# (Not in a subshell: start_sim must keep track of the simulator it starts.)
run_portalctl_once() {
    local started ended summary requests
    start_sim
    rm -f "$work"/passwords.csv* # a report is never overwritten: it would be kept as FILE.~N~
    started=$(now_ms)
    "$portalctl" --config "$work/config.ini" "$@" --journal "$work/journal-$RANDOM.jsonl" \
        >"$work/summary.json"
    ended=$(now_ms)
    summary=$(cat "$work/summary.json")
    [[ "$(jq .done <<<"$summary")" == "$rows" ]] || { echo "portalctl: $summary" >&2; exit 1; }
    requests=$(jq -s '[.[] | select(.method == "POST")] | length' "$work/sim.log")
    echo "$((ended - started)) $(jq -r '"\(.elapsed_ms) \(.concurrency)"' <<<"$summary") $requests" \
        >>"$work/runs"
}

# REPEAT runs; writes to $work/result the medians "wall_ms engine_ms
# concurrency requests", then the fastest engine_ms.
run_portalctl() {
    : >"$work/runs"
    for ((k = 0; k < repeat; k++)); do run_portalctl_once "$@"; done
    sed 's/^/  run: wall, sending, in flight, requests: /' "$work/runs" >&2
    awk '{ w[NR] = $1; e[NR] = $2; c[NR] = $3; q[NR] = $4 }
        function median(a, n,   i, j, t) {
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return a[int((n + 1) / 2)]
        }
        END { n = NR; printf "%d %d %d %d %d\n", median(w, n), median(e, n), median(c, n), median(q, n), e[1] }' \
        "$work/runs" >"$work/result"
}

# Runs BODY_COMMAND for i in 0..rows-1 as one curl each; prints wall ms.
run_curl_loop() { # run_curl_loop URL HEADER BODY_TEMPLATE (%d = the row number)
    local started ended
    [[ "${SKIP_CURL:-0}" == 1 ]] && { echo 0; return; }
    started=$(now_ms)
    for ((i = 0; i < rows; i++)); do
        # shellcheck disable=SC2059
        curl -sS -f -o /dev/null -X POST "$1" -H "$2" -H "Content-Type: application/json" \
            -d "$(printf "$3" "$i" "$i")"
    done
    ended=$(now_ms)
    echo $((ended - started))
}

{
    echo "email,first_name,last_name"
    for ((i = 0; i < rows; i++)); do echo "bench$i@example.com,First$i,Last$i"; done
} >"$work/invite.csv"
{
    echo "login,email,firstName,lastName,authLevel"
    for ((i = 0; i < rows; i++)); do echo "bench$i,bench$i@example.com,First$i,Last$i,MailboxUser"; done
} >"$work/create.csv"

report() { # report NAME PORTALCTL_WALL ENGINE CURL REQUESTS CONCURRENCY FASTEST_ENGINE
    awk -v n="$1" -v w="$2" -v e="$3" -v c="$4" -v r="$5" -v k="$6" -v f="$7" -v l="$latency" 'BEGIN {
        b = l * r / k
        printf "%-26s portalctl %6d ms wall (%6.0f ms sending)   curl loop %6d ms   speed-up %5.1fx\n", n, w, e, c, c / w
        if (c > 0) printf "%-26s sending alone is %.1fx faster than the curl loop\n", "", c / e
        printf "%-26s bound %.0f ms (%d ms x %d requests / %d in flight): sending is %.2fx the bound, wall %.2fx\n", "", b, l, r, k, e / b, w / b
        printf "%-26s (medians of %d runs; fastest sending %d ms = %.2fx the bound)\n", "", '"$repeat"', f, f / b
    }'
}

# --- Valstorm: 1,000 invitations ------------------------------------------------------
run_portalctl users invite vs --portal portal_demo1 --csv "$work/invite.csv"
read -r vs_wall vs_engine vs_conc vs_requests vs_fastest <"$work/result"
start_sim
vs_curl=$(run_curl_loop "$url/v1/portal/portal_demo1/users" "Authorization: Bearer sim-valstorm-admin" \
    '{"users":[{"email":"bench%d@example.com","first_name":"First%d"}]}')

# --- ECGrid: 1,000 users --------------------------------------------------------------
run_portalctl users create ec --csv "$work/create.csv" --generate-passwords \
    --report "$work/passwords.csv"
read -r ec_wall ec_engine ec_conc ec_requests ec_fastest <"$work/result"
start_sim
ec_curl=$(run_curl_loop "$url/v2/users" "X-API-Key: sim-ecgrid-netadmin" \
    '{ "login": "bench%d", "password": "Passw0rd!", "email": "bench%d@example.com", "firstName": "John", "lastName": "Smith", "networkId": 1, "mailboxId": 101, "authLevel": "MailboxUser" }')

echo "portal-sim --latency-ms $latency, $rows rows, $(nproc) cores; build: $build; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
report "Valstorm invite (100/req)" "$vs_wall" "$vs_engine" "$vs_curl" "$vs_requests" "$vs_conc" "$vs_fastest"
report "ECGrid create (1/req)" "$ec_wall" "$ec_engine" "$ec_curl" "$ec_requests" "$ec_conc" "$ec_fastest"
