# "Invite from CSV…" in the console, against a real portal-sim (--log) and the
# real keyring: a Valstorm file of 250 people with one invalid row shows the
# preview with FILE:LINE: field: message and sends nothing (the simulator's
# log does not grow); the fixed file is sent with a progress bar, the portal
# then has every person exactly once, the users list is reloaded, the report
# is written under $XDG_STATE_HOME/portalctl/bulk/ with mode 0600 and the
# audit log has the run. With --read-only the action is not offered at all.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

start_sim --latency-ms 600 # long enough for the progress bar to be seen
config="$TEST_TMP/portalctl.ini"
printf '[connection vs]\nvendor = valstorm\nurl = %s\n' "$SIM_URL" >"$config"
printf 'sim-valstorm-admin\n' | "$PORTALCTL_BIN" --config "$config" auth set vs >/dev/null 2>&1 ||
    fail "could not store the token in the keyring"

csv="$TEST_TMP/people.csv"
python3 - "$csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("email,first_name,last_name\n")
    for i in range(250):
        email = "csv-not-an-address" if i == 99 else f"csv-{i}@example.com"
        f.write(f"{email},Ann{i},Archer{i}\n")
PY

ui_start 140 36
ui_run "$PORTALCTL_BIN" --config "$config" vs
ui_wait_for 'Connections \(1\)'
# Valstorm cannot list portals: remember the simulator's one by its id.
ui_keys a
ui_wait_for 'Add an existing Valstorm portal'
ui_keys -l 'portal_demo1'
ui_keys Enter
ui_wait_for 'remembered portal portal_demo1'
ui_keys g Enter
ui_wait_for 'Users \([0-9]+\)' "the portal's users"
ui_wait_listed 'alex\.morgan@example\.org' "the simulator's first member"
before=$(wc -l <"$SIM_LOG")

# One invalid row: the preview names it, and nothing is sent.
ui_keys I
ui_wait_for ':invite-csv[[:space:]]' "the command line asking for the file"
ui_keys -l "$csv"
ui_keys Enter
ui_wait_for 'people\.csv: 250 rows, 249 to send, 1 invalid' "the preview's counts"
ui_wait_for 'csv-0@example\.com +Ann0 +Archer0' "the first rows"
ui_wait_for 'people\.csv:101: email: ' "the invalid row as FILE:LINE: field: message"
ui_wait_for '1 rows are not valid: nothing is sent' "the question about invalid rows"
ui_wait_for '\[ No \] +\[ Yes, skip invalid rows \]' "the explicit choice"
ui_keys Enter # No is the default
ui_wait_for 'not confirmed: nothing was sent'
sleep 0.5
expect_eq "$before" "$(wc -l <"$SIM_LOG")" "requests sent for a file with an invalid row"

# The file fixed: sent, with progress, to the end.
sed -i 's/^csv-not-an-address,/csv-99@example.com,/' "$csv"
ui_keys I
ui_wait_for ':invite-csv'
ui_keys -l "$csv"
ui_keys Enter
ui_wait_for 'people\.csv: 250 rows, 250 to send, 0 invalid, 0 done earlier'
ui_wait_for 'Invite 250 people to portal_demo1\?'
ui_keys y
ui_wait_for '\[[#.]{30}\] [0-9]+/250 rows .*/s +ETA .* failed 0' "the progress bar"
ui_wait_for 'invite-users: 250 of 250 rows done \(0 earlier\), 0 failed' "the summary"
ui_wait_for 'report: +.*/portalctl/bulk/invite-users-vs-.*\.csv' "the report's path"
ui_keys Enter
ui_wait_for 'Users \(2[5-9][0-9]\)' "the users list reloaded with the people invited"
ui_keys q
ui_wait_exit 0

# The portal has every person of the file, once.
"$PORTALCTL_BIN" --config "$config" users list vs --portal portal_demo1 --json >"$TEST_TMP/members.json"
expect_eq 250 "$(jq '[.[] | select(.email | startswith("csv-"))] | length' "$TEST_TMP/members.json")" \
    "members from the file"
expect_eq 0 "$(jq '[.[].email | ascii_downcase] | group_by(.) | map(select(length > 1)) | length' \
    "$TEST_TMP/members.json")" "duplicate members"
report=$(ls "$TEST_TMP"/state/portalctl/bulk/invite-users-vs-*.csv)
expect_eq 600 "$(stat -c %a "$report")" "report file mode"
expect_eq 250 "$(grep -c '@example.com' "$report")" "report rows"
grep -q '"operation":"bulk-invite-users"' "$TEST_TMP/state/portalctl/audit.jsonl" ||
    fail "no audit line for the run: $(cat "$TEST_TMP/state/portalctl/audit.jsonl")"

# Read-only: no key, no command.
ui_run "$PORTALCTL_BIN" --config "$config" --read-only vs
ui_wait_for 'Connections \(1\)'
ui_keys I
ui_wait_for 'read-only: changes are refused, nothing is sent'
ui_keys :
ui_keys -l "invite-csv $csv"
ui_keys Enter
ui_wait_for "unknown command ':invite-csv'"
ui_keys q
ui_wait_exit 0
echo ok
