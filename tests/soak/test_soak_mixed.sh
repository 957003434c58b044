# Fault soak, every fault kind mixed: portal-sim with --fault-rate 0.25 over
# all kinds (500, 503, 429, reset, truncate, malformed, slow) and 20 ms of
# latency; for about 35 seconds the command line lists, shows, renames and
# creates with all three vendors. Every run must end in bounded time with
# 0, 4 or 5 and a clear message (soak_run). Then, on the saved state and
# without faults: every user whose creation exited 0 exists exactly once,
# and no creation that failed left two users behind (sent at most once).
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/soak_lib.sh"

state="$TEST_TMP/sim-state.json"
start_sim --state "$state" --fault-rate 0.25 --fault-seed 20261130 --latency-ms 20
soak_config
"$PORTALCTL_BIN" --config "$SOAK_CFG" portals add soak-vs portal_demo1 >/dev/null
printf 'Passw0rd!\n' >"$TEST_TMP/pw"

declare -A outcomes=()
created_ok=()
created_failed=()
end=$(( $(date +%s) + 35 ))
i=0
while (( $(date +%s) < end )); do
    i=$((i + 1))
    case $((i % 6)) in
    0) soak_run list-ec users list soak-ec ;;
    1) soak_run list-zo portals list soak-zo --json ;;
    2) soak_run list-vs users list soak-vs --portal portal_demo1 ;;
    3) soak_run rename-vs portals update soak-vs portal_demo1 "name=Soak $i" ;;
    4) soak_run show-ec portals show soak-ec 101 ;;
    5) soak_run "create-$i" users create soak-ec "login=soak$i" password=- \
           "email=soak$i@example.com" <"$TEST_TMP/pw"
       if (( SOAK_RC == 0 )); then created_ok+=("soak$i"); else created_failed+=("soak$i"); fi ;;
    esac
    outcomes[$SOAK_RC]=$(( ${outcomes[$SOAK_RC]:-0} + 1 ))
done
echo "runs: $i; exit statuses: $(for k in "${!outcomes[@]}"; do printf '%s×%s ' "$k" "${outcomes[$k]}"; done)"
echo "creates: ${#created_ok[@]} succeeded, ${#created_failed[@]} failed"
(( i >= 30 )) || fail "only $i runs in 35 s"
(( ${outcomes[0]:-0} > 0 )) || fail "nothing succeeded: the soak proves nothing"
(( ${outcomes[5]:-0} + ${outcomes[4]:-0} > 0 )) || fail "nothing failed: were faults injected?"
faults=$(jq -s '[.[] | select(.fault != null and .fault != "")] | length' "$SIM_LOG" 2>/dev/null || echo 0)
echo "faults injected (request log): $faults of $(wc -l <"$SIM_LOG") requests"
stop_sim # saves the state

# Without faults, on the same state: what exists?
start_sim --state "$state"
soak_config
soak_run final users list soak-ec --json
expect_eq 0 "$SOAK_RC" "listing users without faults"
for login in "${created_ok[@]}"; do
    n=$(jq --arg l "$login" '[.[] | select(.name == $l)] | length' "$TEST_TMP/final.out")
    expect_eq 1 "$n" "users named $login (its creation exited 0)"
done
for login in "${created_failed[@]}"; do
    n=$(jq --arg l "$login" '[.[] | select(.name == $l)] | length' "$TEST_TMP/final.out")
    (( n <= 1 )) || fail "$login exists $n times after a failed creation"
done
stop_sim
echo ok
