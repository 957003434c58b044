# Per-row failures that are for good versus worth trying again, against the
# real portal-sim. Valstorm refuses an e-mail address under a special-use
# domain (".test") with a 422 naming the row; portalctl's own check lets it
# through, so the vendor's refusal is what is tested:
#  - that row is "refused" (permanent): not tried again within the run, and
#    not sent again by a re-run while the row is unchanged;
#  - the other rows of its batch (which Valstorm did not take either) are
#    sent again at once and succeed;
#  - --retry-refused, or a corrected row, sends it again.
# (Transient failures, 429 with Retry-After, are in test_bulk_retry_after.sh.)
source "$(dirname "$0")/../lib/common.sh"

invite() { # invite EXTRA_OPTIONS...: the summary on stdout; the exit status
    local rc=0
    pc users invite vs --portal portal_demo1 --csv "$TEST_TMP/in.csv" --journal "$TEST_TMP/j.jsonl" \
        --report "$TEST_TMP/report.json" "$@" >"$TEST_TMP/summary.json" 2>"$TEST_TMP/err" || rc=$?
    echo "$rc"
}
posts() { jq -s '[.[] | select(.method == "POST")] | length' "$SIM_LOG"; }
make_csv() { # make_csv FIRST_NAME_OF_THE_REFUSED_ROWS
    {
        echo "email,first_name,last_name"
        for ((i = 0; i < 250; i++)); do
            if ((i == 10 || i == 120)); then
                echo "refused$i@mail.test,$1,Last$i"
            else
                echo "ok$i@example.com,First$i,Last$i"
            fi
        done
    } >"$TEST_TMP/in.csv"
}

start_sim
sim_connection_config valstorm vs "$TEST_TMP/config.ini"
make_csv Ann

# --- the first run: two rows refused for good, the rest invited -----------------------------
expect_eq 4 "$(invite)" "exit status with refused rows"
expect_eq 248 "$(jq .done "$TEST_TMP/summary.json")" "rows invited"
expect_eq 2 "$(jq .refused "$TEST_TMP/summary.json")" "rows refused"
expect_eq 2 "$(jq .failed "$TEST_TMP/summary.json")" "rows failed (refused ones included)"
jq -e '[.[] | select(.outcome == "refused")] | map(.line) == [12, 122]' "$TEST_TMP/report.json" \
    >/dev/null || fail "refused rows in the report: $(jq -c '[.[] | select(.outcome != "invited")]' "$TEST_TMP/report.json")"
jq -e '[.[] | select(.outcome == "refused") | .error | test("email")] | all' "$TEST_TMP/report.json" \
    >/dev/null || fail "the refusal does not name the field"
grep -q "refused" "$TEST_TMP/err" || fail "stderr does not say the rows were refused"
# 3 batches, and each batch with a refused row sent once more without it:
# the refused rows themselves are never tried again.
expect_eq 5 "$(posts)" "invite requests"
expect_eq 2 "$(jq -s '[.[] | select(.status == 422)] | length' "$SIM_LOG")" "422 answers"
journal_refused=$(jq -s '[group_by(.key)[] | last | select(.state == "failed" and .permanent == true and (.content | length) == 64)] | length' "$TEST_TMP/j.jsonl")
expect_eq 2 "$journal_refused" "journal: rows failed for good, with their content digest"

# --- the same command again: nothing is sent ------------------------------------------------
: >"$SIM_LOG"
expect_eq 4 "$(invite)" "exit status of the re-run"
expect_eq 248 "$(jq .done_earlier "$TEST_TMP/summary.json")" "rows done earlier"
expect_eq 2 "$(jq .refused "$TEST_TMP/summary.json")" "rows still refused"
expect_eq 0 "$(posts)" "invite requests of the re-run"
jq -e '[.[] | select(.outcome == "refused") | .error | test("earlier run")] == [true, true]' \
    "$TEST_TMP/report.json" >/dev/null || fail "the re-run's report does not say the refusal is from an earlier run"

# --- asked to: the refused rows are sent again (once, in one batch) -----------------------------
: >"$SIM_LOG"
expect_eq 4 "$(invite --retry-refused)" "exit status with --retry-refused"
expect_eq 1 "$(posts)" "invite requests with --retry-refused"
expect_eq 2 "$(jq .refused "$TEST_TMP/summary.json")" "refused again"

# --- a corrected row is a new row: sent again ---------------------------------------------------
make_csv Anne
: >"$SIM_LOG"
expect_eq 4 "$(invite)" "exit status after changing the rows"
expect_eq 1 "$(posts)" "invite requests for the changed rows"

pc users list vs --portal portal_demo1 --json >"$TEST_TMP/members.json"
expect_eq 248 "$(jq '[.[] | select(.email | startswith("ok"))] | length' "$TEST_TMP/members.json")" "members"
expect_eq 0 "$(jq '[.[] | select(.email | startswith("refused"))] | length' "$TEST_TMP/members.json")" \
    "refused people in the portal"
stop_sim
