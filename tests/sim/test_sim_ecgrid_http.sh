# portal-sim, ECGrid over real HTTP: the seeds' own curl examples, replayed as
# written (only the host and the key replaced), answer the documented shapes;
# a bad key is 401; injected faults and the rate limit answer in ECGrid's
# envelope; state survives a restart; --seed-users fills mailbox 101.
source "$(dirname "$0")/../lib/common.sh"

FIXTURES="$PORTALCTL_FIXTURES/ecgrid"
ISO_TIME='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

# Runs curl with the given arguments; the body goes to $TEST_TMP/body and the
# HTTP status to stdout.
call() {
    curl -s -o "$TEST_TMP/body" -w '%{http_code}' "$@"
}

body() {
    cat "$TEST_TMP/body"
}

# jq -e FILTER on the last body, failing with WHAT when it is not true.
expect_jq() {
    jq -e "$1" "$TEST_TMP/body" >/dev/null || fail "$2: $(body)"
}

expect_envelope_ok() {
    expect_jq '.success == true and .errorCode == "" and .message == ""' "$1 envelope"
}

expect_envelope_error() { # STATUS CODE GOT_STATUS WHAT
    expect_eq "$1" "$3" "$4 status"
    expect_jq ".success == false and .data == null and .errorCode == \"$2\" and
               (.message | type == \"string\" and length > 0)" "$4 error envelope"
}

# Every member of the seed's example data is in ours, with the same JSON type.
expect_seed_shape() { # RESPONSE_FIXTURE WHAT
    jq -e --slurpfile seed "$FIXTURES/$1" \
        '[$seed[0].data | to_entries[] | {key, t: (.value | type)}] -
         [.data | to_entries[] | {key, t: (.value | type)}] == []' \
        "$TEST_TMP/body" >/dev/null || fail "$2 lacks members of the seed's answer: $(body)"
}

start_sim --state "$TEST_TMP/state.json"

# --- seed 000: Create Portal, the cURL example as written ---------------------
ECGRID_API_KEY=sim-ecgrid-netadmin
status=$(call -X POST "$SIM_URL/v2/portals/create" \
-H "X-API-Key: $ECGRID_API_KEY" \
-H "Content-Type: application/json" \
-d '{ "mailboxId": 7890 }')
expect_eq 200 "$status" "create portal (seed example)"
expect_envelope_ok "create portal"
expect_seed_shape create-portal-response.json "create portal"
expect_jq '.data.mailboxId == 7890 and (.data.portalId | type == "number") and
           .data.status == "Active" and
           (.data.url | startswith("https://portal.ecgrid.io/"))' "create portal data"
expect_match "$ISO_TIME" "$(jq -r .data.created "$TEST_TMP/body")" "portal created time"
created_portal=$(jq -c .data "$TEST_TMP/body")

status=$(call "$SIM_URL/v2/portals/by-mailbox/7890" -H "X-API-Key: $ECGRID_API_KEY")
expect_eq 200 "$status" "portal by mailbox"
expect_eq "$created_portal" "$(jq -c .data "$TEST_TMP/body")" "by-mailbox answers the same portal"

# The same request again: the mailbox has a portal now.
status=$(call -X POST "$SIM_URL/v2/portals/create" \
-H "X-API-Key: $ECGRID_API_KEY" \
-H "Content-Type: application/json" \
-d '{ "mailboxId": 7890 }')
expect_envelope_error 400 DuplicateObject "$status" "second create portal"

# --- seed 001: Create User, the cURL example as written -----------------------
status=$(call -X POST "$SIM_URL/v2/users" \
-H "X-API-Key: $ECGRID_API_KEY" \
-H "Content-Type: application/json" \
-d '{ "login": "jsmith", "password": "Passw0rd!", "email": "jsmith@example.com", "firstName": "John", "lastName": "Smith", "networkId": 1, "mailboxId": 101, "authLevel": "MailboxAdmin" }')
expect_eq 200 "$status" "create user (seed example)"
expect_envelope_ok "create user"
expect_seed_shape create-user-response.json "create user"
jq -e --slurpfile seed "$FIXTURES/create-user-response.json" \
    '[.data | (.login, .email, .firstName, .lastName, .networkId, .mailboxId, .authLevel,
               .status)] ==
     [$seed[0].data | (.login, .email, .firstName, .lastName, .networkId, .mailboxId,
                       .authLevel, .status)]' "$TEST_TMP/body" >/dev/null \
    || fail "create user answers other values than the seed: $(body)"
! grep -q 'Passw0rd!' "$TEST_TMP/body" || fail "the password was echoed"
user_id=$(jq .data.userId "$TEST_TMP/body")

# The request body of the seed, from the fixture: now a duplicate.
status=$(call -X POST "$SIM_URL/v2/users" -H "X-API-Key: $ECGRID_API_KEY" \
    -H "Content-Type: application/json" --data-binary @"$FIXTURES/create-user.json")
expect_envelope_error 400 DuplicateObject "$status" "second create user"
expect_match '^login: ' "$(jq -r .message "$TEST_TMP/body")" "duplicate message names the field"

# --- 401 for a missing, unknown or empty key ----------------------------------
status=$(call "$SIM_URL/v2/users/me" -H "X-API-Key: not-a-key")
expect_eq 401 "$status" "unknown key status"
expect_eq '{"success":false,"errorCode":"InvalidAPIKey","message":"The provided API key is not valid or has been revoked.","data":null}' \
    "$(body)" "401 body"
status=$(call "$SIM_URL/v2/users/me")
expect_envelope_error 401 InvalidAPIKey "$status" "missing key"
status=$(call -X POST "$SIM_URL/v2/portals/create" -H "X-API-Key: " \
    -H "Content-Type: application/json" -d '{ "mailboxId": 102 }')
expect_envelope_error 401 InvalidAPIKey "$status" "empty key"

# --- the other calls the client makes, over HTTP -------------------------------
status=$(call "$SIM_URL/v2/users/me" -H "X-API-Key: sim-ecgrid-mbxadmin")
expect_eq 200 "$status" "users/me"
expect_jq '.data.userId == 1002 and .data.authLevel == "MailboxAdmin" and .data.networkId == 1
           and .data.mailboxId == 101' "users/me data"

status=$(call -X POST "$SIM_URL/v2/mailboxes/list" -H "X-API-Key: sim-ecgrid-mbxuser" \
    -H "Content-Type: application/json" \
    -d '{"networkId":1,"status":"Active","name":"acme","pageNo":1,"recordsPerPage":25}')
expect_eq 200 "$status" "mailboxes/list"
expect_jq '.data.totalRecords == 2 and .data.pageNo == 1 and .data.recordsPerPage == 25 and
           ([.data.mailboxes[].mailboxId] == [101, 102])' "mailboxes/list data"

status=$(call -X POST "$SIM_URL/v2/users/list" -H "X-API-Key: sim-ecgrid-mbxuser" \
    -H "Content-Type: application/json" -d '{"recordsPerPage":3,"pageNo":2}')
expect_eq 200 "$status" "users/list"
expect_jq '(.data | type == "array") and ([.data[].userId] == [1004, 1005, '"$user_id"'])' \
    "users/list is a bare array, paged"

status=$(call -X PUT "$SIM_URL/v2/users" -H "X-API-Key: sim-ecgrid-mbxadmin" \
    -H "Content-Type: application/json" -d '{"userId":'"$user_id"',"lastName":"Smythe"}')
expect_eq 200 "$status" "update user"
expect_jq '.data.lastName == "Smythe"' "update user data"

status=$(call -X POST "$SIM_URL/v2/users" -H "X-API-Key: sim-ecgrid-mbxadmin" \
    -H "Content-Type: application/json" \
    -d '{"login":"weak","password":"password1","email":"weak@example.com"}')
expect_envelope_error 400 InvalidParameter "$status" "weak password"
expect_match '^password: ' "$(jq -r .message "$TEST_TMP/body")" "weak password message"

status=$(call -X POST "$SIM_URL/v2/users" -H "X-API-Key: sim-ecgrid-mbxuser" \
    -H "Content-Type: application/json" \
    -d '{"login":"nope","password":"Passw0rd!","email":"nope@example.com"}')
expect_envelope_error 403 AccessDenied "$status" "MailboxUser creating a user"

status=$(call -X POST "$SIM_URL/v2/users" -H "X-API-Key: sim-ecgrid-mbxadmin" \
    -H "Content-Type: application/json" -d '{"login": "broken"')
expect_envelope_error 400 InvalidParameter "$status" "malformed JSON"

status=$(call -X DELETE "$SIM_URL/v2/users/$user_id" -H "X-API-Key: sim-ecgrid-netadmin")
expect_eq 200 "$status" "terminate user"
expect_jq '.data == true' "terminate answers true"

status=$(call "$SIM_URL/v2/nothing-here" -H "X-API-Key: sim-ecgrid-netadmin")
expect_envelope_error 404 ObjectNotFound "$status" "unknown /v2 path"
status=$(call -X DELETE "$SIM_URL/v2/users/me" -H "X-API-Key: sim-ecgrid-netadmin")
expect_envelope_error 405 MethodNotAllowed "$status" "wrong method"

# Keys never reach the request log.
grep -q '"vendor":"ecgrid"' "$SIM_LOG" || fail "requests not logged as ecgrid"
! grep -q 'sim-ecgrid-' "$SIM_LOG" || fail "an API key reached the request log"
! grep -q 'Passw0rd' "$SIM_LOG" || fail "a password reached the request log"

# --- state survives a restart --------------------------------------------------
stop_sim
start_sim --state "$TEST_TMP/state.json"
status=$(call -X POST "$SIM_URL/v2/users/by-name" -H "X-API-Key: sim-ecgrid-mbxuser" \
    -H "Content-Type: application/json" -d '{"login":"jsmith"}')
expect_eq 200 "$status" "by-name after restart"
expect_jq '(.data | length) == 1 and .data[0].status == "Terminated" and
           .data[0].lastName == "Smythe"' "jsmith after restart"
status=$(call "$SIM_URL/v2/portals/by-mailbox/7890" -H "X-API-Key: sim-ecgrid-netadmin")
expect_eq "$created_portal" "$(jq -c .data "$TEST_TMP/body")" "portal after restart"
status=$(call -X POST "$SIM_URL/v2/users" -H "X-API-Key: sim-ecgrid-netadmin" \
    -H "Content-Type: application/json" --data-binary @"$FIXTURES/create-user.json")
expect_envelope_error 400 DuplicateObject "$status" "terminated login stays taken"
stop_sim

# --- injected faults and the rate limit, in ECGrid's envelope ------------------
for kind in 500:InternalError 503:ServiceUnavailable 429:RateLimitExceeded; do
    start_sim --fault-rate 1 --fault-kinds "${kind%%:*}"
    status=$(call -D "$TEST_TMP/headers" "$SIM_URL/v2/users/me" -H "X-API-Key: sim-ecgrid-netadmin")
    expect_envelope_error "${kind%%:*}" "${kind#*:}" "$status" "injected ${kind%%:*}"
    if [[ ${kind%%:*} == 429 ]]; then
        grep -qi '^retry-after: [0-9]' "$TEST_TMP/headers" || fail "429 without Retry-After"
    fi
    stop_sim
done

start_sim --rate-limit 2
limited=0
for _ in 1 2 3 4 5 6; do
    status=$(call "$SIM_URL/v2/users/me" -H "X-API-Key: sim-ecgrid-mbxuser")
    if [[ $status == 429 ]]; then
        limited=1
        expect_envelope_error 429 RateLimitExceeded "$status" "rate limited"
    fi
done
expect_eq 1 "$limited" "six requests at once over a limit of 2 per second were all answered"
stop_sim

# --- key rotation: the old key is refused, the new one survives a restart --------
STATE="$TEST_TMP/keys-state.json"
start_sim --state "$STATE"
status=$(call -X POST "$SIM_URL/v2/users/key-generate/1004" -H "X-API-Key: sim-ecgrid-mbxuser")
expect_envelope_error 403 AccessDenied "$status" "MailboxUser rotating another user's key"
status=$(call -X POST "$SIM_URL/v2/users/key-generate/1002" -H "X-API-Key: sim-ecgrid-mbxadmin")
expect_eq 200 "$status" "own key rotated"
expect_envelope_ok "key-generate"
NEW_KEY=$(jq -r .data "$TEST_TMP/body")
expect_match '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "$NEW_KEY" "new key shape"
status=$(call "$SIM_URL/v2/users/me" -H "X-API-Key: sim-ecgrid-mbxadmin")
expect_envelope_error 401 InvalidAPIKey "$status" "the rotated-out key"
status=$(call "$SIM_URL/v2/users/me" -H "X-API-Key: $NEW_KEY")
expect_eq 200 "$status" "the new key"
expect_jq '.data.userId == 1002' "the new key is mbxadmin's"
status=$(call "$SIM_URL/v2/users/me" -H "X-API-Key: sim-ecgrid-netadmin")
expect_eq 200 "$status" "other fixed keys keep working"
stop_sim
grep -q "$NEW_KEY" "$SIM_LOG" && fail "the request log holds an issued key"
jq -e --arg k "$NEW_KEY" '.vendors.ecgrid.apiKeys == [{"userId":1002,"apiKey":$k}]' "$STATE" \
    >/dev/null || fail "the state file lacks the issued key"
start_sim --state "$STATE"
status=$(call "$SIM_URL/v2/users/me" -H "X-API-Key: $NEW_KEY")
expect_eq 200 "$status" "the new key after a restart"
status=$(call "$SIM_URL/v2/users/me" -H "X-API-Key: sim-ecgrid-mbxadmin")
expect_envelope_error 401 InvalidAPIKey "$status" "the rotated-out key after a restart"
stop_sim
grep -q "$NEW_KEY" "$SIM_LOG" && fail "the request log holds an issued key"

# --- --seed-users adds users to mailbox 101 ------------------------------------
start_sim --seed-users 1000
status=$(call -X POST "$SIM_URL/v2/users/list" -H "X-API-Key: sim-ecgrid-mbxadmin" \
    -H "Content-Type: application/json" -d '{"mailboxId":101,"pageNo":3,"recordsPerPage":500}')
expect_eq 200 "$status" "users/list of seeded users"
expect_jq '(.data | length) == 5 and .data[4].login == "user0001000" and
           all(.data[]; .mailboxId == 101)' "page 3 of 1,005 users"
stop_sim
echo "ok"
