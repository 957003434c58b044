# The command line's contract against the real portal-sim and the real
# keyring: secrets in through stdin only, exit statuses 0/2/3/4/5, nothing
# sent for invalid input (the simulator's request log proves it), --json
# valid, destructive commands confirmed, read-only refused, audit lines.
source "$(dirname "$0")/../lib/common.sh"

start_sim
cfg="$TEST_TMP/config.ini"
cat >"$cfg" <<INI
[connection cli-ec]
vendor = ecgrid
url = $SIM_URL

[connection cli-ec-ro]
vendor = ecgrid
url = $SIM_URL
read_only = true

[connection cli-ec-user]
vendor = ecgrid
url = $SIM_URL

[connection cli-zo]
vendor = zoho
client_id = sim-zoho-client
url = $SIM_URL
accounts_url = $SIM_URL
INI
requests() { wc -l <"$SIM_LOG"; }

# Secrets go in through stdin (never argv) and land in the keyring only.
printf 'sim-ecgrid-netadmin\n' | pc auth set cli-ec
printf 'sim-ecgrid-mbxuser\n' | pc auth set cli-ec-ro
printf 'sim-ecgrid-mbxuser\n' | pc auth set cli-ec-user
printf 'sim-zoho-secret\nsim-zoho-refresh\n' | pc auth set cli-zo
expect_eq sim-ecgrid-netadmin "$(secret-tool lookup connection cli-ec kind api-key)" "keyring holds the key"
! grep -rq sim-ecgrid "$cfg" "$XDG_STATE_HOME" 2>/dev/null || fail "a secret reached a file"

# auth status names what is stored, never a value, and asks the vendor.
out=$(pc auth status cli-ec)
expect_match 'api-key +stored' "$out" "auth status lists the stored kind"
expect_match 'netadmin' "$out" "auth status says who we are"
[[ "$out" != *sim-ecgrid-netadmin* ]] || fail "auth status printed the key"

# Lists: a table by default, JSON with --json.
pc users list cli-ec >"$TEST_TMP/table"
expect_match '^ID +NAME +EMAIL' "$(head -1 "$TEST_TMP/table")" "table header"
pc users list cli-ec --json >"$TEST_TMP/users.json"
jq -e 'length >= 5 and (.[0] | has("id") and has("name"))' "$TEST_TMP/users.json" >/dev/null \
    || fail "users list --json is not the expected array"

# Invalid input: exit 3, every bad field named, nothing sent.
before=$(requests)
printf 'short\n' >"$TEST_TMP/pw"
rc=$(status_of pc users create cli-ec login=x1 password=- email=not-an-email authLevel=Boss <"$TEST_TMP/pw")
expect_eq 3 "$rc" "exit status for invalid input"
err=$(cat "$TEST_TMP/err")
expect_match 'password:' "$err" "password named"
expect_match 'email:' "$err" "email named"
expect_match 'authLevel:' "$err" "authLevel named"
expect_eq "$before" "$(requests)" "requests sent for invalid input"

# A secret on the command line is refused before anything else: exit 2.
rc=$(status_of pc users create cli-ec login=x1 password=Passw0rd! email=x1@example.com)
expect_eq 2 "$rc" "exit status for a password in argv"
expect_eq "$before" "$(requests)" "requests sent for a password in argv"

# Unknown operation for the vendor: exit 2, nothing sent (Zoho has no portal delete).
rc=$(status_of pc portals delete cli-zo CustomerHub --yes)
expect_eq 2 "$rc" "exit status for an operation the vendor lacks"
expect_eq "$before" "$(requests)" "requests sent for an unsupported operation"

# Success, then the vendor's refusal mapped to its field: exit 4.
printf 'Passw0rd!\n' | pc users create cli-ec login=jsmith password=- email=jsmith@example.com --json \
    >"$TEST_TMP/created.json"
expect_eq jsmith "$(jq -r '.[0].name' "$TEST_TMP/created.json")" "created user"
rc=$(status_of pc users create cli-ec login=jsmith password=- email=jsmith@example.com <<<'Passw0rd!')
expect_eq 4 "$rc" "exit status for a duplicate login"
expect_match 'login:' "$(cat "$TEST_TMP/err")" "DuplicateObject lands on login"

# Destructive: refused without a terminal unless --yes.
id=$(jq -r '.[0].id' "$TEST_TMP/created.json")
before=$(requests)
rc=$(status_of pc users remove cli-ec "$id" </dev/null)
expect_eq 2 "$rc" "exit status for an unconfirmed removal"
expect_eq "$before" "$(requests)" "requests sent for an unconfirmed removal"
expect_eq 0 "$(status_of pc users remove cli-ec "$id" --yes)" "removal with --yes"

# Read-only connection and --read-only: changes refused, exit 3, nothing sent.
before=$(requests)
expect_eq 3 "$(status_of pc portals create cli-ec-ro mailboxId=102)" "read_only connection"
expect_eq 3 "$(status_of pc --read-only portals create cli-ec mailboxId=102)" "--read-only"
expect_eq "$before" "$(requests)" "requests sent while read-only"

# The vendor refusing the caller's level (a MailboxUser): 403 is exit 4.
expect_eq 4 "$(status_of pc users update cli-ec-user 1004 email=a@example.com)" "403 AccessDenied"

# Authentication failure: exit 5.
printf 'wrong-key\n' | pc auth set cli-ec
expect_eq 5 "$(status_of pc users list cli-ec)" "exit status for a refused key"

# Unreachable vendor: exit 5.
cat >"$TEST_TMP/down.ini" <<INI
[connection down]
vendor = ecgrid
url = http://127.0.0.1:9
INI
printf 'k\n' | "$PORTALCTL_BIN" --config "$TEST_TMP/down.ini" auth set down
rc=0
"$PORTALCTL_BIN" --config "$TEST_TMP/down.ini" users list down >/dev/null 2>&1 || rc=$?
expect_eq 5 "$rc" "exit status when the vendor is unreachable"

# Audit: one line per change, no secret in it.
audit="$XDG_STATE_HOME/portalctl/audit.jsonl"
jq -e -s 'map(select(.operation == "create-user")) | length == 2' "$audit" >/dev/null \
    || fail "audit log lacks the two create-user lines"
! grep -q 'Passw0rd\|sim-ecgrid' "$audit" || fail "a secret reached the audit log"
! grep -q 'Passw0rd\|sim-ecgrid\|sim-zoho' "$SIM_LOG" || fail "a secret reached the request log"
stop_sim
echo "ok"
