# --latency-ms delays every answer without holding up other connections:
# eight concurrent requests with 600 ms latency finish together, far sooner
# than the 4.8 s they would take one after another.
source "$(dirname "$0")/../lib/common.sh"

start_sim --latency-ms 600
# One curl process sending all eight at once, so process start-up on a busy
# machine does not count.
urls=()
for i in 1 2 3 4 5 6 7 8; do urls+=(-o "$TEST_TMP/out.$i" "$SIM_URL/nowhere/$i"); done
start=$(date +%s%N)
curl -s --parallel --parallel-immediate --parallel-max 8 -w '%{http_code}\n' "${urls[@]}" \
    >"$TEST_TMP/statuses"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "404 404 404 404 404 404 404 404" "$(tr '\n' ' ' <"$TEST_TMP/statuses" | sed 's/ $//')" \
    "statuses"
(( elapsed_ms >= 600 )) || fail "answers came back in ${elapsed_ms} ms, before the latency"
(( elapsed_ms < 3000 )) || fail "eight requests took ${elapsed_ms} ms: latency blocks connections"

# The log records the latency in ms.
min_ms=$(jq -s 'map(.ms) | min' "$SIM_LOG")
jq -e -n "$min_ms >= 590" >/dev/null || fail "logged ms $min_ms below the latency"
stop_sim
echo "ok"
