# Bulk user creation at ECGrid from a CSV file, against the real portal-sim:
# passwords are never read from the file (a password column is refused;
# without --generate-passwords nothing is sent), generated passwords appear
# only in the 0600 report, invalid rows are listed as FILE:LINE: field:
# message with nothing sent, the dry run shows the bodies with the password
# redacted, and creates through 10% faults — and after a kill halfway — end
# with exactly one user per row.
source "$(dirname "$0")/../lib/common.sh"

requests() { wc -l <"$SIM_LOG"; }

setup() { sim_connection_config ecgrid ec "$TEST_TMP/config-$1.ini"; }

make_csv() { # make_csv FILE COUNT PREFIX
    {
        echo "login,email,firstName,lastName,authLevel"
        for ((i = 0; i < $2; i++)); do
            echo "$3$i,$3$i@example.com,First$i,Last$i,MailboxUser"
        done
    } >"$1"
}

# The users of the file, from ECGrid's own list: one per login, no duplicate.
check_users() { # check_users COUNT PREFIX
    pc users list ec --json >"$TEST_TMP/users.json"
    expect_eq "$1" "$(jq --arg p "$2" '[.[] | select(.name | startswith($p))] | length' "$TEST_TMP/users.json")" \
        "users created from the file"
    expect_eq 0 "$(jq '[.[].name] | group_by(.) | map(select(length > 1)) | length' "$TEST_TMP/users.json")" \
        "duplicate logins"
}

start_sim
setup plain

# A password column is refused before anything is sent.
printf 'login,password,email\nann,Secret1!,ann@example.com\n' >"$TEST_TMP/pw.csv"
before=$(requests)
rc=$(status_of pc users create ec --csv "$TEST_TMP/pw.csv" --generate-passwords --report "$TEST_TMP/r.csv")
expect_eq 3 "$rc" "exit status for a password column"
expect_match 'pw.csv:1: column "password": passwords are never read' "$(cat "$TEST_TMP/err")" "password column refused"
! grep -q 'Secret1' "$TEST_TMP/err" "$TEST_TMP/out" || fail "the password was echoed"

# Without --generate-passwords: refused, nothing sent.
make_csv "$TEST_TMP/five.csv" 5 five-
rc=$(status_of pc users create ec --csv "$TEST_TMP/five.csv")
expect_eq 2 "$rc" "exit status without --generate-passwords"
expect_match 'generate-passwords' "$(cat "$TEST_TMP/err")" "the way out is named"

# Invalid rows: every problem as FILE:LINE: field: message, nothing sent.
cat >"$TEST_TMP/bad.csv" <<'CSV'
login,email,authLevel
good1,good1@example.com,MailboxUser
bad1,not-an-email,MailboxUser
"bad
two",bad2@example.com,Boss
good1,dup@example.com,MailboxUser
CSV
rc=$(status_of pc users create ec --csv "$TEST_TMP/bad.csv" --generate-passwords --report "$TEST_TMP/r.csv")
expect_eq 3 "$rc" "exit status for invalid rows"
err=$(cat "$TEST_TMP/err")
expect_match "bad.csv:3: email: " "$err" "bad e-mail on line 3"
expect_match "bad.csv:4: login: " "$err" "line break in a login, on the line where the row starts"
expect_match "bad.csv:4: authLevel: " "$err" "bad level on line 4"
expect_match "bad.csv:6: login: the same person as line 2" "$err" "duplicate login"
expect_match "nothing was sent" "$err" "nothing sent"
expect_eq "$before" "$(requests)" "requests sent for invalid input"
[[ ! -e "$TEST_TMP/r.csv" ]] || fail "a report was written for a refused file"

# Dry run: the bodies as JSON, the password redacted, nothing sent.
pc users create ec --csv "$TEST_TMP/five.csv" --generate-passwords --dry-run --portal 101 >"$TEST_TMP/dry.jsonl"
expect_eq 5 "$(wc -l <"$TEST_TMP/dry.jsonl")" "dry-run requests"
jq -e -s 'all(.[]; .method == "POST" and .path == "/v2/users" and .body.password == "<generated>" and .body.mailboxId == 101)' \
    "$TEST_TMP/dry.jsonl" >/dev/null || fail "dry run: $(head -1 "$TEST_TMP/dry.jsonl")"
expect_eq "$before" "$(requests)" "requests sent by a dry run"

# --skip-invalid sends the valid rows and exits non-zero for the others.
rc=$(status_of pc users create ec --csv "$TEST_TMP/bad.csv" --generate-passwords --skip-invalid \
    --report "$TEST_TMP/skip.csv")
expect_eq 3 "$rc" "exit status with skipped invalid rows"
expect_match '^2,good1,created,[0-9]+,,[^,]{20}$' "$(sed -n 2p "$TEST_TMP/skip.csv" | tr -d '\r')" \
    "the valid row, with its password"
expect_match '^3,,invalid,' "$(sed -n 3p "$TEST_TMP/skip.csv")" "the invalid row"
expect_eq 600 "$(stat -c %a "$TEST_TMP/skip.csv")" "report mode"
stop_sim

# --- 200 creates through 10% faults, killed halfway, re-run --------------------------
start_sim --fault-rate 0.1 --fault-kinds 500,503,429,reset,truncate --fault-seed 5 --latency-ms 20
setup faults
make_csv "$TEST_TMP/many.csv" 200 bulk-
journal="$TEST_TMP/many.jsonl"
(exec "$PORTALCTL_BIN" --config "$cfg" users create ec --csv "$TEST_TMP/many.csv" \
    --generate-passwords --journal "$journal" --concurrency 2 \
    --report "$TEST_TMP/killed.csv" >/dev/null 2>&1) &
victim=$!
for _ in $(seq 1 600); do
    [[ "$(grep -c '"state":"done"' "$journal" 2>/dev/null || true)" -ge 60 ]] && break
    sleep 0.05
done
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
done_rows=$(grep -c '"state":"done"' "$journal")
[[ "$done_rows" -ge 60 && "$done_rows" -lt 200 ]] || fail "not killed halfway ($done_rows rows done)"
pc users create ec --csv "$TEST_TMP/many.csv" --generate-passwords --journal "$journal" \
    --report "$TEST_TMP/resumed.csv" >"$TEST_TMP/summary.json" \
    || fail "re-run after kill: $(cat "$TEST_TMP/summary.json")"
check_users 200 bulk-
# The killed run never wrote its report, so nobody saw its passwords: the
# re-run gives every user a new one and shows it, once, in its report.
expect_eq 200 "$(tail -n +2 "$TEST_TMP/resumed.csv" | tr -d '\r' | grep -cE '^[0-9]+,bulk-[0-9]+,created,[0-9]+,,[^,]{20}$')" \
    "report lines with a user id and a password"
! grep -q 'password\|Password' "$journal" || fail "the journal mentions a password"
for pw in $(tail -n +2 "$TEST_TMP/resumed.csv" | cut -d, -f6 | tr -d '\r' | head -20); do
    ! grep -qF -- "$pw" "$journal" "$SIM_LOG" || fail "a generated password reached a file besides the report"
done
# A third run sends nothing at all.
before=$(requests)
pc users create ec --csv "$TEST_TMP/many.csv" --generate-passwords --journal "$journal" \
    --report "$TEST_TMP/third.csv" >/dev/null
expect_eq "$before" "$(requests)" "requests of a run with everything done"
[[ -e "$TEST_TMP/resumed.csv" ]] || fail "the earlier report was not kept"
stop_sim
echo "1 passed, 0 failed"
