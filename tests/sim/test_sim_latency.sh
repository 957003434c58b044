# --latency-ms delays every answer without holding up other connections:
# eight concurrent requests with 600 ms latency finish together, far sooner
# than the 4.8 s they would take one after another.
source "$(dirname "$0")/../lib/common.sh"

start_sim --latency-ms 600
start=$(date +%s%N)
for i in 1 2 3 4 5 6 7 8; do
    curl -s -o "$TEST_TMP/out.$i" -w '%{http_code}\n' "$SIM_URL/nowhere/$i" >"$TEST_TMP/status.$i" &
done
wait $(jobs -p | grep -v "^$SIM_PID$")
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
for i in 1 2 3 4 5 6 7 8; do
    expect_eq 404 "$(cat "$TEST_TMP/status.$i")" "status of request $i"
done
(( elapsed_ms >= 600 )) || fail "answers came back in ${elapsed_ms} ms, before the latency"
(( elapsed_ms < 2400 )) || fail "eight requests took ${elapsed_ms} ms: latency blocks connections"

# The log records the latency in ms.
min_ms=$(jq -s 'map(.ms) | min' "$SIM_LOG")
jq -e -n "$min_ms >= 590" >/dev/null || fail "logged ms $min_ms below the latency"
stop_sim
echo "ok"
