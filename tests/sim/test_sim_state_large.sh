# portal-sim with a large state: 100,000 seeded users per vendor are saved on
# SIGTERM and loaded back by streaming the file (never one json-c tree of it),
# each vendor answering the same totals as before the restart. The load is
# bounded in CPU time (the machine is shared, so wall time says little) and
# in peak memory, which a whole-file json-c tree would blow by far.
source "$(dirname "$0")/../lib/common.sh"

N=100000
STATE="$TEST_TMP/state.json"

call() {
    curl -s -o "$TEST_TMP/body" -w '%{http_code}' "$@"
}

# The three vendors' user totals, one line: "ecgrid zoho valstorm".
totals() {
    local ecgrid zoho valstorm token type
    # users/list has no total: the last page of 500 tells it.
    local last_page=$((N / 500 + 1))
    call -X POST "$SIM_URL/v2/users/list" -H "X-API-Key: sim-ecgrid-netadmin" \
        -H "Content-Type: application/json" \
        -d "{\"mailboxId\":101,\"recordsPerPage\":500,\"pageNo\":$last_page}" >/dev/null
    ecgrid=$(( (last_page - 1) * 500 + $(jq -r '.data | length' "$TEST_TMP/body") ))
    call -X POST "$SIM_URL/oauth/v2/token" -d grant_type=refresh_token -d client_id=sim-zoho-client \
        -d client_secret=sim-zoho-secret -d refresh_token=sim-zoho-refresh >/dev/null
    token=$(jq -r .access_token "$TEST_TMP/body")
    call "$SIM_URL/crm/v7/settings/portals/CustomerHub/user_type" \
        -H "Authorization: Zoho-oauthtoken $token" >/dev/null
    type=$(jq -r '.user_type[0].id' "$TEST_TMP/body")
    call "$SIM_URL/crm/v7/settings/portals/CustomerHub/user_type/$type/users?type=AllUsers&per_page=1" \
        -H "Authorization: Zoho-oauthtoken $token" >/dev/null
    zoho=$(jq -r .info.total_count "$TEST_TMP/body")
    call "$SIM_URL/v1/portal/portal_demo1/users" -H "Authorization: Bearer sim-valstorm-admin" \
        >/dev/null
    valstorm=$(jq -r length "$TEST_TMP/body")
    echo "$ecgrid $zoho $valstorm"
}

start_sim --seed-users "$N" --state "$STATE"
before=$(totals)
expect_match "^$((N + 5)) [0-9]+ $((N + 3))$" "$before" "seeded totals"
zoho_before=$(echo "$before" | cut -d' ' -f2)
(( zoho_before >= N )) || fail "zoho: $zoho_before users, expected at least $N"
stop_sim

size=$(stat -c %s "$STATE")
(( size > 15 * 1000 * 1000 )) || fail "state file of $size bytes is too small for 3 x $N users"
expect_eq '{"version":1,"vendors":{"ecgrid":{' "$(head -c 34 "$STATE")" "state file start"

started=$(date +%s%N)
start_sim --state "$STATE"
load_ms=$(( ($(date +%s%N) - started) / 1000000 ))
# CPU time and peak memory of the load, before any request adds to them.
load_cpu_ms=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$SIM_PID/stat")
peak_mb=$(awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$SIM_PID/status")
after=$(totals)
expect_eq "$before" "$after" "totals after loading the saved state"
# Generous bounds for a sanitized Debug build (ASan shadow memory included):
# it loads this in about 9 s of CPU and under 600 MB; the release figures for a
# million users per vendor are in docs/PERFORMANCE.md.
(( load_cpu_ms < 30000 )) || fail "loading 3 x $N users took $load_cpu_ms ms of CPU"
(( peak_mb < 1000 )) || fail "loading 3 x $N users peaked at $peak_mb MB"
stop_sim
echo "ok: 3 x $N users saved ($size bytes), loaded in $load_ms ms ($load_cpu_ms ms CPU, peak $peak_mb MB)"
