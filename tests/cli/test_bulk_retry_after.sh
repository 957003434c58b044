# Bulk pacing against portal-sim's rate limit: after a 429 the runner waits
# exactly as long as the answer's Retry-After says (not a fixed second),
# proven from the simulator's own log: each request's arrival time ("at")
# and how long the simulator took to answer ("ms"). Only lower bounds and
# generous upper bounds are checked, so a loaded machine cannot fail it.
# Then a Retry-After beyond what a run waits for stops the run at once with
# a message saying when to go on, and the same command, re-run, finishes.
source "$(dirname "$0")/../lib/common.sh"

setup() { sim_connection_config valstorm vs "$TEST_TMP/config-$1.ini"; }

make_csv() { # make_csv FILE COUNT PREFIX
    {
        echo "email,first_name,last_name"
        for ((i = 0; i < $2; i++)); do echo "$3$i@example.com,First$i,Last$i"; done
    } >"$1"
}

invite() { # invite CSV JOURNAL [OPTIONS...]: prints the summary, returns the exit status
    local csv=$1 journal=$2
    shift 2
    pc users invite vs --portal portal_demo1 --csv "$csv" --journal "$journal" "$@"
}

# The gap between each 429 answer (arrival + time to answer) and the next
# request that arrived after it, for requests of one client in sequence.
gaps_after_429() {
    jq -s -r 'sort_by(.at) as $r | range(0; ($r | length) - 1) as $i
        | select($r[$i].status == 429)
        | ($r[$i + 1].at - ($r[$i].at + $r[$i].ms / 1000))' "$SIM_LOG"
}

# --- one batch in flight: every pause follows the header (2 s) -----------------------------
start_sim --rate-limit 3 --retry-after 2 --state "$TEST_TMP/state.json"
setup one
make_csv "$TEST_TMP/a.csv" 1000 paced-
invite "$TEST_TMP/a.csv" "$TEST_TMP/a.jsonl" --concurrency 1 >"$TEST_TMP/summary.json" \
    || fail "paced invite failed: $(cat "$TEST_TMP/summary.json")"
expect_eq 1000 "$(jq .done "$TEST_TMP/summary.json")" "rows done"
limited=$(jq -s '[.[] | select(.status == 429)] | length' "$SIM_LOG")
((limited >= 2)) || fail "the rate limit never answered 429 ($limited): nothing was tested"
expect_eq "$limited" "$(jq .pushbacks "$TEST_TMP/summary.json")" "pushbacks counted"
# Exactly the header's 2 s: never sooner (the old fixed pause was 1 s), and
# not some much longer fixed pause either.
gaps=$(gaps_after_429)
expect_eq "$limited" "$(wc -l <<<"$gaps")" "429s followed by a request"
while read -r gap; do
    awk -v g="$gap" 'BEGIN { exit !(g >= 1.99) }' || fail "a request came ${gap}s after a 429 with Retry-After: 2"
    awk -v g="$gap" 'BEGIN { exit !(g < 7) }' || fail "the pause after a 429 with Retry-After: 2 lasted ${gap}s"
done <<<"$gaps"
awk -v p="$(jq .paused_ms "$TEST_TMP/summary.json")" -v n="$limited" 'BEGIN { exit !(p >= 1990 * n) }' \
    || fail "paused_ms $(jq .paused_ms "$TEST_TMP/summary.json") for $limited pauses of 2 s"
stop_sim

# --- four in flight, Retry-After 3: the longest silence is the header's -------------------
start_sim --rate-limit 4 --retry-after 3
setup four
invite "$TEST_TMP/a.csv" "$TEST_TMP/b.jsonl" --concurrency 4 >"$TEST_TMP/summary.json" \
    || fail "paced invite (4 in flight) failed: $(cat "$TEST_TMP/summary.json")"
expect_eq 1000 "$(jq .done "$TEST_TMP/summary.json")" "rows done, 4 in flight"
(($(jq -s '[.[] | select(.status == 429)] | length' "$SIM_LOG") >= 1)) || fail "no 429 with 4 in flight"
longest=$(jq -s 'sort_by(.at) | [range(1; length) as $i | .[$i].at - .[$i - 1].at] | max' "$SIM_LOG")
awk -v g="$longest" 'BEGIN { exit !(g >= 2.9) }' || fail "the longest pause was ${longest}s, not Retry-After's 3 s"
stop_sim

# --- an absurd Retry-After: stop at once, say when, resume later ---------------------------
start_sim --rate-limit 3 --retry-after 7200 --state "$TEST_TMP/state.json"
setup absurd
make_csv "$TEST_TMP/c.csv" 1000 later-
set +e
invite "$TEST_TMP/c.csv" "$TEST_TMP/c.jsonl" --concurrency 1 --report "$TEST_TMP/c.json" \
    >"$TEST_TMP/summary.json" 2>"$TEST_TMP/err"
rc=$?
set -e
expect_eq 5 "$rc" "exit status after an absurd Retry-After"
grep -q "asks to wait 7200 s" "$TEST_TMP/err" || fail "no message about the 7200 s: $(head -3 "$TEST_TMP/err")"
grep -q "run the same command again after" "$TEST_TMP/err" || fail "the message does not say when to go on"
expect_eq 1 "$(jq -s '[.[] | select(.status == 429)] | length' "$SIM_LOG")" "requests answered 429"
expect_eq 429 "$(jq -s -r 'sort_by(.at) | last | .status' "$SIM_LOG")" "nothing sent after the 429"
first_done=$(jq .done "$TEST_TMP/summary.json") # whole batches before the 429
((first_done >= 100 && first_done < 1000 && first_done % 100 == 0)) \
    || fail "rows done before the 429: $first_done"
# The batch Valstorm refused with 429 failed as worth trying again, not for good.
expect_eq 100 "$(jq '[.[] | select(.outcome == "failed" and (.error | test("slow down")))] | length' \
    "$TEST_TMP/c.json")" "rows of the 429 batch reported as failed (transient)"
expect_eq 0 "$(jq '[.[] | select(.outcome == "refused")] | length' "$TEST_TMP/c.json")" "rows refused"
stop_sim # saves the portal's members
# Later, with the vendor no longer limiting: the same command finishes the
# job, sending only what the first run did not get done.
start_sim --state "$TEST_TMP/state.json"
setup resumed
invite "$TEST_TMP/c.csv" "$TEST_TMP/c.jsonl" >"$TEST_TMP/summary.json" \
    || fail "the re-run failed: $(cat "$TEST_TMP/summary.json")"
expect_eq "$first_done" "$(jq .done_earlier "$TEST_TMP/summary.json")" "rows done earlier"
expect_eq $((1000 - first_done)) "$(jq .done "$TEST_TMP/summary.json")" "rows done by the re-run"
expect_eq $(((1000 - first_done) / 100)) "$(jq -s '[.[] | select(.method == "POST")] | length' "$SIM_LOG")" \
    "invite requests of the re-run"
pc users list vs --portal portal_demo1 --json >"$TEST_TMP/users.json"
expect_eq 1000 "$(jq '[.[] | select(.email | startswith("later-"))] | length' "$TEST_TMP/users.json")" \
    "members from the file"
expect_eq 1000 "$(jq '[.[] | select(.email | startswith("paced-"))] | length' "$TEST_TMP/users.json")" \
    "members from the first file (state kept)"
stop_sim
