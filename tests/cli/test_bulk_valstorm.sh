# Bulk invitation to a Valstorm portal from a CSV file, against the real
# portal-sim with faults (500, 503, 429, reset, truncated answers) on 10% of
# requests: 1,000 invitations end with exactly 1,000 members from the file,
# no duplicate and none lost, the report and the journal agreeing row by row;
# then the same after the process is killed halfway and the command re-run.
source "$(dirname "$0")/../lib/common.sh"

faults=(--fault-rate 0.1 --fault-kinds 500,503,429,reset,truncate)

setup() { sim_connection_config valstorm vs "$TEST_TMP/config-$1.ini"; }

make_csv() { # make_csv FILE COUNT PREFIX: a header, a BOM and CRLF line ends
    python3 - "$@" <<'PY'
import sys
path, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w", newline="") as f:
    f.write("\ufeffemail,first_name,last_name\r\n")
    for i in range(count):
        # every 50th name has a comma and a quote, which must survive
        first = f'"Ann ""{i}"", Jr"' if i % 50 == 0 else f"First{i}"
        f.write(f"{prefix}{i}@example.com,{first},Last{i}\r\n")
PY
}

# Checks the portal, the report and the journal after a complete run.
check_result() { # check_result COUNT PREFIX REPORT JOURNAL
    local count=$1 prefix=$2 report=$3 journal=$4
    pc users list vs --portal portal_demo1 --json >"$TEST_TMP/members.json"
    local ours dupes
    ours=$(jq --arg p "$prefix" '[.[] | select(.email | startswith($p))] | length' "$TEST_TMP/members.json")
    dupes=$(jq '[.[].email | ascii_downcase] | group_by(.) | map(select(length > 1)) | length' "$TEST_TMP/members.json")
    expect_eq "$count" "$ours" "members from the file"
    expect_eq 0 "$dupes" "duplicate members"
    # The report: one line per row, every one a success.
    expect_eq "$count" "$(jq length "$report")" "report lines"
    jq -e 'all(.[]; .outcome | IN("invited","linked","already-a-member","done-earlier"))' "$report" \
        >/dev/null || fail "report has rows that did not succeed: $(jq -c '[.[] | select(.outcome | IN("invited","linked","already-a-member","done-earlier") | not)][:3]' "$report")"
    # The journal: its last event per row is "done", with the report's id.
    jq -s 'map(select(.key)) | group_by(.key) | map(last) | map({key: (.line|tostring), value: {state, id}}) | from_entries' \
        "$journal" >"$TEST_TMP/journal-last.json"
    expect_eq "$count" "$(jq length "$TEST_TMP/journal-last.json")" "journal rows"
    jq -e --slurpfile j "$TEST_TMP/journal-last.json" \
        'all(.[]; ($j[0][(.line|tostring)]) as $e | $e.state == "done" and (.id == null or .id == "" or $e.id == .id))' \
        "$report" >/dev/null || fail "report and journal disagree"
    # No e-mail address reached the journal (it keys rows by a hash).
    ! grep -q "@example.com" "$journal" || fail "the journal holds e-mail addresses"
}

# --- 1,000 invitations through 10% faults ------------------------------------------
start_sim "${faults[@]}" --fault-seed 7
setup one
make_csv "$TEST_TMP/people.csv" 1000 bulk-a-
journal="$TEST_TMP/one.jsonl"
pc users invite vs --portal portal_demo1 --csv "$TEST_TMP/people.csv" --journal "$journal" \
    --report "$TEST_TMP/one.json" >"$TEST_TMP/summary.json" || fail "bulk invite failed: $(cat "$TEST_TMP/summary.json")"
jq -e '.done == 1000 and .failed == 0' "$TEST_TMP/summary.json" >/dev/null \
    || fail "summary: $(cat "$TEST_TMP/summary.json")"
grep -q '"fault"' "$SIM_LOG" || grep -q '"status":50[03]' "$SIM_LOG" || grep -q '"status":429' "$SIM_LOG" \
    || fail "the simulator injected no fault: the test proves nothing"
check_result 1000 bulk-a- "$TEST_TMP/one.json" "$journal"
expect_eq 600 "$(stat -c %a "$TEST_TMP/one.json")" "report file mode"

# Running it again sends no invitation: every row is done already.
before=$(grep -c 'POST' "$SIM_LOG")
pc users invite vs --portal portal_demo1 --csv "$TEST_TMP/people.csv" --journal "$journal" \
    --report "$TEST_TMP/again.json" >"$TEST_TMP/summary.json"
expect_eq "$before" "$(grep -c 'POST' "$SIM_LOG")" "invitations sent by a re-run of a finished job"
jq -e 'all(.[]; .outcome == "done-earlier")' "$TEST_TMP/again.json" >/dev/null || fail "re-run report"
stop_sim

# --- killed halfway, then re-run -----------------------------------------------------
start_sim "${faults[@]}" --fault-seed 11 --latency-ms 20
setup two
make_csv "$TEST_TMP/more.csv" 1000 bulk-b-
journal="$TEST_TMP/two.jsonl"
# exec: $! must be portalctl itself, not a subshell around it
(exec "$PORTALCTL_BIN" --config "$cfg" users invite vs --portal portal_demo1 \
    --csv "$TEST_TMP/more.csv" --journal "$journal" --concurrency 1 \
    --report "$TEST_TMP/killed.json" >/dev/null 2>&1) &
victim=$!
for _ in $(seq 1 600); do
    done_rows=$(grep -c '"state":"done"' "$journal" 2>/dev/null || true)
    [[ "${done_rows:-0}" -ge 300 ]] && break
    sleep 0.05
done
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
done_rows=$(grep -c '"state":"done"' "$journal")
[[ "$done_rows" -ge 300 && "$done_rows" -lt 1000 ]] || fail "not killed halfway ($done_rows rows done)"
pc users invite vs --portal portal_demo1 --csv "$TEST_TMP/more.csv" --journal "$journal" \
    --report "$TEST_TMP/resumed.json" >"$TEST_TMP/summary.json" || fail "re-run after kill failed"
jq -e '.done_earlier >= 300 and .done + .done_earlier == 1000' "$TEST_TMP/summary.json" >/dev/null \
    || fail "re-run summary: $(cat "$TEST_TMP/summary.json")"
check_result 1000 bulk-b- "$TEST_TMP/resumed.json" "$journal"
stop_sim
echo "1 passed, 0 failed"
