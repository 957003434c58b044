# ECGrid's "Create users from CSV…" and "Remove users from CSV…" in the
# console, against a real portal-sim (--log) and the real keyring:
#  - a file with a password column is refused whole, the column's value never
#    on screen; a file with invalid rows shows FILE:LINE: field: message in
#    the preview, and answering No sends nothing (the simulator's log);
#  - a valid file previews the columns it reads, creates one user per row in
#    the mailbox shown, writes the generated passwords only to a 0600 report
#    whose path is on screen, never a password on the screen; the users list
#    reloads; the same file again finds every row done (the journal);
#  - removing with the very same file asks first: No (the default) sends
#    nothing, Yes terminates the users, and the users list reloads.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

# ui_wait_for with more patience, for runs that take seconds on a loaded machine.
ui_wait_long() { # REGEX WHAT [SECONDS]
    local deadline=$((SECONDS + ${3:-60}))
    while ((SECONDS < deadline)); do
        [[ "$(ui_screen)" =~ $1 ]] && return 0
        sleep 0.2
    done
    ui_wait_for "$1" "$2" # a last look that shows the screen and fails
}
requests() { wc -l <"$SIM_LOG"; }
# Waits until the simulator's log stops growing, then says how long it is.
settled_requests() {
    local last=-1 now
    for _ in $(seq 50); do
        now=$(requests)
        [[ "$now" == "$last" ]] && break
        last=$now
        sleep 0.2
    done
    echo "$now"
}
pc() { "$PORTALCTL_BIN" --config "$config" "$@"; }

start_sim --latency-ms 100
config="$TEST_TMP/portalctl.ini"
printf '[connection ec]\nvendor = ecgrid\nurl = %s\n' "$SIM_URL" >"$config"
printf 'sim-ecgrid-netadmin\n' | pc auth set ec >/dev/null 2>&1 ||
    fail "could not store the API key in the keyring"
bulk_dir="$TEST_TMP/state/portalctl/bulk"

printf 'login,password,email\ncc-pw,Cl3ar!Secret,cc-pw@example.com\n' >"$TEST_TMP/pw.csv"
cat >"$TEST_TMP/bad.csv" <<'CSV'
login,email,firstName
cc-ok,cc-ok@example.com,Olive
cc-bad,not-an-address,Bad
"cc
broken",cc-broken@example.com,Broken
CSV
{
    echo "login,email,firstName,lastName"
    for i in 0 1 2; do echo "cc-$i,cc-$i@example.com,First$i,Last$i"; done
} >"$TEST_TMP/good.csv"

ui_start 200 40
ui_run "$PORTALCTL_BIN" --config "$config" ec
ui_wait_for 'ACME Receiving' "the ECGrid mailboxes"
ui_keys g Enter
ui_wait_for 'Users \(5\)' "the users of mailbox 101"
ui_wait_loaded "the users loaded"

# A password column: the whole file refused, its value never shown.
ui_keys I
ui_wait_for ':create-csv[[:space:]]' "the command line asking for the file (ECGrid creates)"
ui_keys -l "$TEST_TMP/pw.csv"
ui_keys Enter
ui_wait_for 'Create users from CSV: ACME Receiving' "the create box"
ui_wait_for 'pw\.csv:1: column "password": passwords are never read' "the password column refused"
ui_wait_for 'Fix the file and try again' "nothing to answer"
[[ ! "$(ui_screen)" =~ Cl3ar ]] || fail "a password from the file is on screen"
ui_keys Enter
ui_wait_gone 'Create users from CSV' "the box closed"

# Invalid rows: listed as FILE:LINE: field: message; No sends nothing.
before=$(settled_requests)
ui_keys :
ui_keys -l "create-csv $TEST_TMP/bad.csv"
ui_keys Enter
ui_wait_for 'bad\.csv: 3 rows, 1 to send, 2 invalid, 0 done earlier' "the preview's counts"
ui_wait_for 'bad\.csv:3: email: ' "the bad e-mail as FILE:LINE: field: message"
ui_wait_for 'bad\.csv:4: login: ' "the broken login on the line its row starts"
ui_wait_for '3! +cc-bad +not-an-address' "the invalid row marked in the preview"
ui_wait_for '2 rows are not valid: nothing is sent while they are' "the question"
ui_wait_for '\[ No \] +\[ Yes, skip invalid rows \]' "the explicit choice"
ui_keys Enter # No is the default
ui_wait_for 'not confirmed: nothing was sent'
expect_eq "$before" "$(settled_requests)" "requests sent for a file with invalid rows"
[[ -z "$(ls "$bulk_dir"/*.csv 2>/dev/null)" ]] || fail "a report was written for an unsent file"

# The valid file: the columns it reads, the question, the run.
ui_keys I
ui_wait_for ':create-csv'
ui_keys -l "$TEST_TMP/good.csv"
ui_keys Enter
ui_wait_for 'good\.csv: 3 rows, 3 to send, 0 invalid, 0 done earlier' "the preview's counts"
ui_wait_for 'line +login +email +firstName +lastName' "the columns a create reads"
ui_wait_for '2 +cc-0 +cc-0@example\.com +First0 +Last0' "the first row under its columns"
ui_wait_for 'generated password, written only to the report \(mode 0600\)' "the password rule"
ui_wait_for 'Create 3 users in ACME Receiving\?' "the question"
ui_wait_for '\[ No \] +\[ Yes, create \]' "the buttons"
ui_keys y
ui_wait_long 'create-user: 3 of 3 rows done \(0 earlier\), 0 failed' "the summary"
ui_wait_for '\[#{30}\] 3/3 rows .*/s +ETA .* failed 0' "the full progress bar"
ui_wait_for 'report: +[^ ]*/portalctl/bulk/create-user-ec-[^ ]*\.csv' "the report's path"
ui_wait_for 'passwords are in this report only \(mode 0600\)' "where the passwords are"
end_screen=$(ui_screen)
report=$(ls "$bulk_dir"/create-user-ec-*.csv)
[[ "$end_screen" == *"$report"* ]] || fail "the report's path on screen is not $report"
ui_keys Enter
ui_wait_long 'Users \(8\)' "the users list reloaded with the three users" 30
ui_wait_for 'cc-2@example\.com' "a created user in the list"

# The report: 0600, a working-looking password for every row; none on screen.
expect_eq 600 "$(stat -c %a "$report")" "report file mode"
expect_eq 3 "$(tr -d '\r' <"$report" | grep -cE '^[0-9]+,cc-[0-9],created,[0-9]+,,[^,]{20}$')" \
    "report rows with a created user and a password"
screens="$end_screen
$(ui_screen)"
while IFS=, read -r _ _ _ _ _ password; do
    [[ "$screens" != *"$password"* ]] || fail "a generated password is on screen"
    ! grep -rqF -- "$password" "$TEST_TMP/state/portalctl/audit.jsonl" "$bulk_dir"/*.jsonl ||
        fail "a generated password is in the journal or the audit log"
done < <(tail -n +2 "$report" | tr -d '\r')
pc users list ec --portal 101 --json >"$TEST_TMP/users.json"
expect_eq 3 "$(jq '[.[] | select(.name | test("^cc-[0-9]$"))] | length' "$TEST_TMP/users.json")" \
    "users created in mailbox 101"
expect_eq "cc-1@example.com" "$(jq -r '.[] | select(.name == "cc-1") | .email' "$TEST_TMP/users.json")" \
    "the e-mail of a created user"

# The same file again: the journal knows every row; nothing to send.
before=$(settled_requests)
ui_keys I
ui_wait_for ':create-csv'
ui_keys -l "$TEST_TMP/good.csv"
ui_keys Enter
ui_wait_for 'good\.csv: 3 rows, 0 to send, 0 invalid, 3 done earlier' "every row done earlier"
ui_wait_for 'Nothing to send\.'
ui_keys Enter
ui_wait_gone 'Create users from CSV'
expect_eq "$before" "$(settled_requests)" "requests sent for a file already done"

# Removal with the same file: asks first, and No sends nothing.
ui_keys X
ui_wait_for ':remove-csv[[:space:]]' "the command line asking for the file to remove"
ui_keys -l "$TEST_TMP/good.csv"
ui_keys Enter
ui_wait_for 'Remove users from CSV: ACME Receiving' "the removal box"
ui_wait_for 'line +login' "the column a removal reads"
ui_wait_for 'Terminate 3 users of ACME Receiving\?' "the question"
ui_wait_for 'Terminating is final' "the warning"
ui_wait_for '\[ No \] +\[ Yes, terminate \]' "the buttons"
ui_keys Enter # No is the default
ui_wait_for 'not confirmed: nothing was sent'
expect_eq "$before" "$(settled_requests)" "requests sent for a removal answered No"

# Yes: terminated, the list reloads without them.
ui_keys X
ui_wait_for ':remove-csv'
ui_keys -l "$TEST_TMP/good.csv"
ui_keys Enter
ui_wait_for 'Terminate 3 users of ACME Receiving\?'
ui_keys y
ui_wait_long 'remove-user: 3 of 3 rows done \(0 earlier\), 0 failed' "the removal's summary"
ui_wait_for 'report: +[^ ]*/portalctl/bulk/remove-user-ec-[^ ]*\.csv' "the removal's report"
ui_keys Enter
ui_wait_for 'remove-user: 3 of 3 rows done.*; report: ' "the summary kept on the status line"
ui_keys q
ui_wait_exit 0

pc users list ec --portal 101 --json >"$TEST_TMP/after.json"
expect_eq 0 "$(jq '[.[] | select((.name | test("^cc-[0-9]$")) and .status != "Terminated")] | length' \
    "$TEST_TMP/after.json")" "users of the file not terminated"
expect_eq 3 "$(grep -c '"method":"DELETE"' "$SIM_LOG")" "terminate requests sent"
grep -q '"operation":"bulk-remove-user"' "$TEST_TMP/state/portalctl/audit.jsonl" ||
    fail "no audit line for the removal"
echo ok
