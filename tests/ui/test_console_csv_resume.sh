# Bulk runs from the console that are interrupted, and removal at a vendor
# other than ECGrid, against a real portal-sim and the real keyring:
#  - an ECGrid "Create users from CSV…" killed (SIGKILL) halfway, before it
#    could write its final report: the same file again previews the rows
#    created as needing a new password (nobody saw theirs); that run, stopped
#    by SIGTERM, still writes its 0600 report; a third run creates the rest.
#    In the end: exactly one user per row, and each row's password in exactly
#    one of the reports — none on the screen, in the journal or the audit log;
#  - Valstorm and Zoho "Remove users from CSV…" of people invited from the
#    command line: asked first (No sends nothing), then removed, the users
#    list reloaded.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

ui_wait_long() { # REGEX WHAT [SECONDS]: ui_wait_for with more patience
    local deadline=$((SECONDS + ${3:-60}))
    while ((SECONDS < deadline)); do
        [[ "$(ui_screen)" =~ $1 ]] && return 0
        sleep 0.2
    done
    ui_wait_for "$1" "$2"
}
pc() { "$PORTALCTL_BIN" --config "$config" "$@"; }
# The simulator's log length once it stops growing (it logs as requests end).
settled_requests() {
    local last=-1 now
    for _ in $(seq 50); do
        now=$(wc -l <"$SIM_LOG")
        [[ "$now" == "$last" ]] && break
        last=$now
        sleep 0.3
    done
    echo "$now"
}
rows=120

# 300 ms a request, 8 in flight: the run takes seconds, so it can be caught halfway.
start_sim --latency-ms 300
config="$TEST_TMP/portalctl.ini"
cat >"$config" <<INI
[connection ec]
vendor = ecgrid
url = $SIM_URL

[connection vs]
vendor = valstorm
url = $SIM_URL

[connection zo]
vendor = zoho
client_id = sim-zoho-client
url = $SIM_URL
accounts_url = $SIM_URL
INI
printf 'sim-ecgrid-netadmin\n' | pc auth set ec >/dev/null 2>&1 || fail "could not store the API key"
printf 'sim-valstorm-admin\n' | pc auth set vs >/dev/null 2>&1 || fail "could not store the token"
printf 'sim-zoho-secret\nsim-zoho-refresh\n' | pc auth set zo >/dev/null 2>&1 ||
    fail "could not store the Zoho secrets"
bulk_dir="$TEST_TMP/state/portalctl/bulk"
{
    echo "login,email,firstName,lastName"
    for ((i = 0; i < rows; i++)); do echo "rs-$i,rs-$i@example.com,First$i,Last$i"; done
} >"$TEST_TMP/many.csv"

ui_start 200 40
ui_run "$PORTALCTL_BIN" --config "$config" ec
ui_wait_for 'ACME Receiving' "the ECGrid mailboxes"
ui_keys g Enter
ui_wait_for 'Users \(5\)' "the users of mailbox 101"
ui_keys I
ui_wait_for ':create-csv'
ui_keys -l "$TEST_TMP/many.csv"
ui_keys Enter
ui_wait_for "Create $rows users in ACME Receiving\\?"
ui_keys y
ui_wait_for "\\[[#.]{30}\\] [0-9]+/$rows rows" "the progress bar"

# Killed once a dozen users exist, well before the end.
journal=$(ls "$bulk_dir"/create-user-ec-*.jsonl)
for _ in $(seq 600); do
    [[ "$(grep -c '"state":"done"' "$journal" || true)" -ge 12 ]] && break
    sleep 0.05
done
victim=$(ui_command_pid)
[[ -n "$victim" ]] || fail "no portalctl process to kill"
kill -KILL "$victim"
ui_wait_for 'ui-shell\$' "the shell after the kill"
killed_done=$(grep -c '"state":"done"' "$journal")
[[ "$killed_done" -ge 12 && "$killed_done" -lt "$rows" ]] || fail "not killed halfway ($killed_done rows done)"

# The console on mailbox 101, the file's preview open.
preview_many() {
    ui_run "$PORTALCTL_BIN" --config "$config" ec
    ui_wait_for 'ACME Receiving'
    ui_keys g Enter
    ui_wait_for 'Users \([0-9]+\)'
    ui_keys I
    ui_wait_for ':create-csv'
    ui_keys -l "$TEST_TMP/many.csv"
    ui_keys Enter
    ui_wait_for "many\\.csv: $rows rows" "the preview"
}
# The lines of a report with a created user and their password.
with_password() { tr -d '\r' <"$1" | grep -E '^[0-9]+,rs-[0-9]+,created,[0-9]+,,[^,]{20}$' || true; }

# The same file again: the users created have unseen passwords and get new ones.
ui_keys -l 'stty sane; tput rmcup; clear'
ui_keys Enter
preview_many
ui_wait_for "many\\.csv: $rows rows, $rows to send, 0 invalid, 0 done earlier" "the preview after the kill"
ui_wait_for '[0-9]+ users were created by a run that was interrupted before its report' \
    "the rows whose passwords nobody saw"
renewed=$(ui_screen | grep -oE '[0-9]+ users were created by a run' | grep -oE '^[0-9]+')
[[ "$renewed" -ge "$killed_done" ]] || fail "$renewed renewed passwords for $killed_done users created"
screen=$(ui_screen)

# This run is stopped by SIGTERM: it still writes its report, with the passwords it set.
ui_keys y
for _ in $(seq 600); do
    finished=$(ui_screen | grep -oE "\] [0-9]+/$rows rows" | grep -oE '[0-9]+/' | tr -d / || true)
    [[ -n "$finished" && "$finished" -ge 10 ]] && break
    sleep 0.05
done
kill -TERM "$(ui_command_pid)"
ui_wait_exit 0
second=$(ls -t "$bulk_dir"/create-user-ec-*.csv | head -1)
expect_eq 600 "$(stat -c %a "$second")" "the stopped run's report file mode"
set_second=$(with_password "$second" | wc -l)
[[ "$set_second" -gt 0 ]] || fail "no password in the stopped run's report"
not_sent=$(tr -d '\r' <"$second" | grep -c ',not-sent,' || true)
[[ "$not_sent" -gt 0 ]] || fail "the run ended before SIGTERM came: $(tr -d '\r' <"$second" | cut -d, -f3 | sort | uniq -c)"

# Once more: the rows done are skipped (their passwords were reported), the rest created.
preview_many
ui_wait_for "many\\.csv: $rows rows, [0-9]+ to send, 0 invalid, [0-9]+ done earlier" "the third preview"
[[ ! "$(ui_screen)" =~ "interrupted before its report" ]] || fail "passwords renewed after a reported run"
screen="$screen
$(ui_screen)"
ui_keys y
ui_wait_long "create-user: $rows of $rows rows done \\([0-9]+ earlier\\), 0 failed" "the last run's summary" 120
screen="$screen
$(ui_screen)"
ui_keys Enter
ui_wait_for 'create-user: .*; report: ' "the summary on the status line"
screen="$screen
$(ui_screen)"
ui_keys q
ui_wait_exit 0

# Exactly one user per row; every row's password in exactly one report, in
# no other file and never on the screen.
pc users list ec --portal 101 --json >"$TEST_TMP/users.json"
expect_eq "$rows" "$(jq '[.[] | select(.name | test("^rs-[0-9]+$"))] | length' "$TEST_TMP/users.json")" \
    "users created from the file"
expect_eq 0 "$(jq '[.[].name] | group_by(.) | map(select(length > 1)) | length' "$TEST_TMP/users.json")" \
    "duplicate logins"
third=$(ls -t "$bulk_dir"/create-user-ec-*.csv | head -1)
expect_eq 600 "$(stat -c %a "$third")" "report file mode"
{ with_password "$second"; with_password "$third"; } >"$TEST_TMP/passwords"
expect_eq "$rows" "$(cut -d, -f2 "$TEST_TMP/passwords" | sort -u | wc -l)" "rows with a password reported"
expect_eq "$rows" "$(wc -l <"$TEST_TMP/passwords")" "passwords reported (one per row)"
while IFS=, read -r _ _ _ _ _ password; do
    [[ "$screen" != *"$password"* ]] || fail "a generated password is on screen"
    ! grep -qF -- "$password" "$journal" "$TEST_TMP/state/portalctl/audit.jsonl" "$TEST_TMP/ui-stderr" ||
        fail "a generated password is in the journal, the audit log or stderr"
done <"$TEST_TMP/passwords"
# Users a lookup found (created as the kill came) get a new password too.
reset=$(grep -c '"path":"/v2/users/password"' "$SIM_LOG")
[[ "$reset" -ge "$renewed" ]] || fail "$reset new passwords set for $renewed users of the killed run"

# Valstorm: people invited from the command line, removed from the console.
printf 'email,first_name\nrm-0@example.com,Ann\nrm-1@example.com,Bob\nrm-2@example.com,Cy\n' \
    >"$TEST_TMP/leavers.csv"
pc users invite vs --portal portal_demo1 --csv "$TEST_TMP/leavers.csv" >/dev/null ||
    fail "could not invite the people to remove"
ui_run "$PORTALCTL_BIN" --config "$config" vs
ui_wait_for 'Connections \(3\)'
ui_keys a
ui_wait_for 'Add an existing Valstorm portal'
ui_keys -l 'portal_demo1'
ui_keys Enter
ui_wait_for 'remembered portal portal_demo1'
ui_keys g Enter
ui_wait_for 'Users \([0-9]+\)' "the portal's users"
ui_wait_listed 'alex\.morgan@example\.org' "the simulator's first member"
members=$(ui_screen | grep -oE 'Users \([0-9]+\)' | grep -oE '[0-9]+')
before=$(settled_requests)
ui_keys X
ui_wait_for ':remove-csv[[:space:]]'
ui_keys -l "$TEST_TMP/leavers.csv"
ui_keys Enter
ui_wait_for 'Remove users from CSV: portal_demo1' "the removal box"
ui_wait_for 'line +email' "the column a Valstorm removal reads"
ui_wait_for 'Remove 3 people from portal_demo1\?' "the question"
ui_wait_for '\[ No \] +\[ Yes, remove \]' "No first"
ui_keys n
ui_wait_for 'not confirmed: nothing was sent'
expect_eq "$before" "$(settled_requests)" "requests sent for a removal answered No"
ui_keys X
ui_wait_for ':remove-csv'
ui_keys -l "$TEST_TMP/leavers.csv"
ui_keys Enter
ui_wait_for 'Remove 3 people from portal_demo1\?'
ui_keys Tab Enter # Yes highlighted, then Enter
ui_wait_long 'remove-user: 3 of 3 rows done \(0 earlier\), 0 failed' "the removal's summary"
ui_keys Enter
ui_wait_long "Users \\($((members - 3))\\)" "the users list reloaded without them" 30
ui_keys q
ui_wait_exit 0
pc users list vs --portal portal_demo1 --json >"$TEST_TMP/members.json"
expect_eq 0 "$(jq '[.[] | select(.email | startswith("rm-"))] | length' "$TEST_TMP/members.json")" \
    "members left from the file"

# Zoho: the same, by e-mail, from the portal CustomerHub.
printf 'Email,First_Name,Last_Name\nzrm-0@example.com,Ann,A\nzrm-1@example.com,Bob,B\n' \
    >"$TEST_TMP/zoho-leavers.csv"
pc users invite zo --portal CustomerHub --csv "$TEST_TMP/zoho-leavers.csv" >/dev/null ||
    fail "could not invite the Zoho people to remove"
ui_run "$PORTALCTL_BIN" --config "$config" zo
ui_wait_for 'CustomerHub' "the Zoho portals"
ui_keys Enter
ui_wait_for 'Users \([0-9]+\)' "the portal's users"
ui_wait_loaded "the users loaded"
ui_wait_for 'zrm-1@example\.com' "the people to remove listed"
members=$(ui_screen | grep -oE 'Users \([0-9]+\)' | grep -oE '[0-9]+')
ui_keys :
ui_keys -l "remove-csv $TEST_TMP/zoho-leavers.csv"
ui_keys Enter
ui_wait_for 'line +Email' "the column a Zoho removal reads"
ui_wait_for 'Remove 2 people from CustomerHub\?' "the question"
ui_keys y
ui_wait_long 'remove-user: 2 of 2 rows done \(0 earlier\), 0 failed' "the Zoho removal's summary"
ui_keys Enter
ui_wait_long "Users \\($((members - 2))\\)" "the users list reloaded without them" 30
ui_keys q
ui_wait_exit 0
pc users list zo --portal CustomerHub --json >"$TEST_TMP/zoho-users.json"
expect_eq 0 "$(jq '[.[] | select(.email | startswith("zrm-"))] | length' "$TEST_TMP/zoho-users.json")" \
    "Zoho portal users left from the file"
echo ok
