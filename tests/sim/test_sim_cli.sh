# portal-sim's command line: help, version, bad usage, listening line, log,
# state file written atomically on SIGTERM and on SIGINT.
source "$(dirname "$0")/../lib/common.sh"

out=$("$PORTAL_SIM_BIN" --help)
for opt in --listen --state --log --seed-users --latency-ms --fault-rate --fault-kinds \
           --fault-seed --rate-limit --zoho-token-ttl --tls-cert --tls-key; do
    [[ "$out" == *"$opt"* ]] || fail "--help does not document $opt"
done
expect_match '^portal-sim [0-9]+\.[0-9]+\.[0-9]+$' "$("$PORTAL_SIM_BIN" --version)" "--version"

# Every kind of bad usage: one line on stderr, status 2, the option named.
check_usage() {
    local want=$1; shift
    local rc=0
    "$PORTAL_SIM_BIN" "$@" >/dev/null 2>"$TEST_TMP/err" || rc=$?
    expect_eq 2 "$rc" "exit status for: $*"
    expect_eq 1 "$(wc -l <"$TEST_TMP/err")" "stderr lines for: $*"
    [[ "$(cat "$TEST_TMP/err")" == *"$want"* ]] || fail "message for '$*' lacks '$want'"
}
check_usage "unknown option '--bogus'" --bogus
check_usage "--fault-rate" --fault-rate 1.5
check_usage "--fault-rate" --fault-rate abc
check_usage "unknown fault 'teapot'" --fault-kinds 500,teapot
check_usage "--seed-users" --seed-users -3
check_usage "--latency-ms" --latency-ms 10x
check_usage "--zoho-token-ttl" --zoho-token-ttl 0
check_usage "unexpected argument 'extra'" extra

# A bad listen address or a TLS half is a runtime error (1), with a message.
rc=0
"$PORTAL_SIM_BIN" --listen nonsense 2>"$TEST_TMP/err" >/dev/null || rc=$?
expect_eq 1 "$rc" "exit status for --listen nonsense"
expect_match 'expected ADDR:PORT' "$(cat "$TEST_TMP/err")" "listen message"
rc=0
"$PORTAL_SIM_BIN" --tls-cert /nonexistent 2>"$TEST_TMP/err" >/dev/null || rc=$?
expect_eq 1 "$rc" "exit status for --tls-cert alone"

# The listening line, then the request log.
start_sim --state "$TEST_TMP/state.json"
expect_match '^http://127\.0\.0\.1:[0-9]+$' "$SIM_URL" "listening URL"
curl -s -o /dev/null "$SIM_URL/nowhere?token=SECRET-IN-QUERY"
line=$(tail -n 1 "$SIM_LOG")
expect_eq GET "$(jq -r .method <<<"$line")" "log method"
expect_eq /nowhere "$(jq -r .path <<<"$line")" "log path (no query)"
expect_eq 404 "$(jq -r .status <<<"$line")" "log status"
jq -e '.ms | type == "number"' <<<"$line" >/dev/null || fail "log ms is not a number"
jq -e 'has("vendor")' <<<"$line" >/dev/null || fail "log has no vendor"
! grep -q SECRET "$SIM_LOG" || fail "a query value reached the log"

# SIGTERM saves state atomically (no temporary file left behind).
stop_sim
jq -e '.version == 1 and (.vendors | type == "object")' "$TEST_TMP/state.json" >/dev/null \
    || fail "state file is not a portal-sim state"
ls "$TEST_TMP" | grep -q 'state.json.tmp' && fail "temporary state file left behind"

# SIGINT too, and the state is loaded again at the next start.
start_sim --state "$TEST_TMP/state.json"
kill -INT "$SIM_PID"
wait "$SIM_PID"
SIM_PID=""
jq -e .vendors "$TEST_TMP/state.json" >/dev/null || fail "state not saved on SIGINT"

# A state file that is not JSON is refused with its name, not overwritten.
echo 'not json' >"$TEST_TMP/bad.json"
rc=0
"$PORTAL_SIM_BIN" --listen 127.0.0.1:0 --state "$TEST_TMP/bad.json" 2>"$TEST_TMP/err" \
    >/dev/null || rc=$?
expect_eq 1 "$rc" "exit status for a corrupt state file"
expect_match 'bad\.json' "$(cat "$TEST_TMP/err")" "corrupt state message names the file"
expect_eq 'not json' "$(cat "$TEST_TMP/bad.json")" "corrupt state file untouched"
echo "ok"
