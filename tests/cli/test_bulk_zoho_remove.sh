# Bulk invitation to a Zoho portal (contacts found or created, bulk invite
# jobs of 100) through faults, and bulk removal from Zoho and Valstorm with
# the very file the people were invited with, against the real portal-sim.
source "$(dirname "$0")/../lib/common.sh"

start_sim --fault-rate 0.05 --fault-kinds 500,503,429,reset,truncate --fault-seed 3
cfg="$TEST_TMP/config.ini"
cat >"$cfg" <<INI
[connection zo]
vendor = zoho
client_id = sim-zoho-client
url = $SIM_URL
accounts_url = $SIM_URL

[connection vs]
vendor = valstorm
url = $SIM_URL
INI
printf 'sim-zoho-secret\nsim-zoho-refresh\n' | pc auth set zo >/dev/null
printf 'sim-valstorm-admin\n' | pc auth set vs >/dev/null

# --- Zoho: 150 people, two of them existing contacts (dana, eli) -----------------------
{
    echo "Email,First_Name,Last_Name"
    echo "dana@example.com,Dana,"
    echo "ELI@example.com,Eli,"
    for ((i = 0; i < 148; i++)); do echo "zb$i@example.com,First$i,Last$i"; done
} >"$TEST_TMP/zoho.csv"
pc users invite zo --portal CustomerHub --csv "$TEST_TMP/zoho.csv" --journal "$TEST_TMP/zo.jsonl" \
    --report "$TEST_TMP/zoho-report.json" >"$TEST_TMP/summary.json" \
    || fail "zoho invite: $(cat "$TEST_TMP/summary.json") $(jq -c '[.[] | select(.outcome == "failed")][:3]' "$TEST_TMP/zoho-report.json")"
jq -e 'all(.[]; .outcome | IN("invited","already-invited","scheduled"))' "$TEST_TMP/zoho-report.json" \
    >/dev/null || fail "zoho report"
pc users list zo --portal CustomerHub --json >"$TEST_TMP/zoho-users.json"
expect_eq 150 "$(jq '[.[] | select(.email | test("^(zb[0-9]+|dana|eli)@example.com$"; "i"))] | length' "$TEST_TMP/zoho-users.json")" \
    "Zoho portal users from the file"
expect_eq 0 "$(jq '[.[].email | ascii_downcase] | group_by(.) | map(select(length > 1)) | length' "$TEST_TMP/zoho-users.json")" \
    "duplicate Zoho portal users"

# Removal asks first; without a terminal and without --yes nothing is sent.
rc=$(status_of pc users remove zo --portal CustomerHub --csv "$TEST_TMP/zoho.csv" </dev/null)
expect_eq 2 "$rc" "exit status of an unconfirmed removal"

# Removal with the same file (its name columns are ignored), by e-mail.
pc users remove zo --portal CustomerHub --csv "$TEST_TMP/zoho.csv" --yes \
    --report "$TEST_TMP/zoho-removed.csv" >"$TEST_TMP/summary.json" \
    || fail "zoho remove: $(cat "$TEST_TMP/summary.json") $(head -5 "$TEST_TMP/zoho-removed.csv")"
pc users list zo --portal CustomerHub --json >"$TEST_TMP/zoho-users.json"
expect_eq 0 "$(jq '[.[] | select(.email | test("^(zb[0-9]+|dana|eli)@example.com$"; "i"))] | length' "$TEST_TMP/zoho-users.json")" \
    "Zoho portal users left after the removal"

# --- Valstorm: invite 120, remove them by e-mail, one by id ------------------------------
{
    echo "email,first_name"
    for ((i = 0; i < 120; i++)); do echo "vr$i@example.com,V$i"; done
} >"$TEST_TMP/vs.csv"
pc users invite vs --portal portal_demo1 --csv "$TEST_TMP/vs.csv" >/dev/null || fail "valstorm invite"
pc users list vs --portal portal_demo1 --json >"$TEST_TMP/vs-users.json"
expect_eq 120 "$(jq '[.[] | select(.email | startswith("vr"))] | length' "$TEST_TMP/vs-users.json")" "invited"
id=$(jq -r '[.[] | select(.email == "vr0@example.com")][0].id' "$TEST_TMP/vs-users.json")
{ echo "id,email"; echo "$id,"; for ((i = 1; i < 120; i++)); do echo ",vr$i@example.com"; done; echo ",nobody@example.com"; } \
    >"$TEST_TMP/vs-remove.csv"
rc=$(status_of pc users remove vs --portal portal_demo1 --csv "$TEST_TMP/vs-remove.csv" --yes \
    --report "$TEST_TMP/vs-removed.json")
expect_eq 4 "$rc" "exit status when one row names nobody"
expect_eq 120 "$(jq '[.[] | select(.outcome == "removed")] | length' "$TEST_TMP/vs-removed.json")" "removed rows"
jq -e '.[-1].outcome == "failed" and (.[-1].error | test("not a member"))' "$TEST_TMP/vs-removed.json" \
    >/dev/null || fail "the unknown person's row: $(jq -c '.[-1]' "$TEST_TMP/vs-removed.json")"
pc users list vs --portal portal_demo1 --json >"$TEST_TMP/vs-users.json"
expect_eq 0 "$(jq '[.[] | select(.email | startswith("vr"))] | length' "$TEST_TMP/vs-users.json")" "left after removal"
stop_sim
echo "1 passed, 0 failed"
