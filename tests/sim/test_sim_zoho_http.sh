# portal-sim's Zoho CRM half over real HTTP: the seed's own curl example
# (host and token replaced, the token got from /oauth/v2/token with the
# refresh token), the documented answer shapes, OAuth errors with HTTP 200,
# an expired token with --zoho-token-ttl 1, and the state file round trip.
source "$(dirname "$0")/../lib/common.sh"

FIXTURES=${PORTALCTL_FIXTURES:?}/zoho

# http METHOD URL [curl args...]: body to $TEST_TMP/body, prints the status.
http() {
    local method=$1 url=$2
    shift 2
    curl -s -o "$TEST_TMP/body" -w '%{http_code}' -X "$method" "$url" "$@"
}

body() { cat "$TEST_TMP/body"; }
json() { jq -r "$1" "$TEST_TMP/body"; }

token_for() {
    http POST "$SIM_URL/oauth/v2/token" -d grant_type=refresh_token \
        -d client_id=sim-zoho-client -d client_secret=sim-zoho-secret \
        -d "refresh_token=$1" >/dev/null
    json .access_token
}

# A bare Zoho error: exactly code, details, message, status.
expect_bare_error() {
    local status=$1 code=$2 got=$3 what=$4
    expect_eq "$status" "$got" "$what: HTTP status"
    expect_eq "$code" "$(json .code)" "$what: code"
    expect_eq "code,details,message,status" "$(jq -r 'keys | join(",")' "$TEST_TMP/body")" \
        "$what: keys"
    expect_eq error "$(json .status)" "$what: status"
}

start_sim
auth() { echo "Authorization: Zoho-oauthtoken $1"; }

# --- OAuth: refresh grant, api_domain is the simulator ------------------------
status=$(http POST "$SIM_URL/oauth/v2/token" -d grant_type=refresh_token \
    -d client_id=sim-zoho-client -d client_secret=sim-zoho-secret -d refresh_token=sim-zoho-refresh)
expect_eq 200 "$status" "token endpoint status"
expect_eq "$SIM_URL" "$(json .api_domain)" "api_domain"
expect_eq Bearer "$(json .token_type)" "token_type"
expect_eq 3600 "$(json .expires_in)" "expires_in"
expect_eq null "$(json .refresh_token)" "refresh grant hands out no refresh token"
TOKEN=$(json .access_token)
expect_match '^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$' "$TOKEN" "access token shape"

status=$(http POST "$SIM_URL/oauth/v2/token" -d grant_type=refresh_token \
    -d client_id=sim-zoho-client -d client_secret=wrong -d refresh_token=sim-zoho-refresh)
expect_eq 200 "$status" "OAuth errors come with HTTP 200"
expect_eq '{"error":"invalid_client_secret"}' "$(body)" "wrong client secret"

# --- the seed's example, host and token replaced -------------------------------
cp "$FIXTURES/create-portal.json" "$TEST_TMP/input.json"
status=$(cd "$TEST_TMP" && curl -s -o "$TEST_TMP/body" -w '%{http_code}' \
    "$SIM_URL/crm/v7/settings/portals" \
    -X POST \
    -H "Authorization: Zoho-oauthtoken $TOKEN" \
    -d "@input.json")
expect_eq 200 "$status" "seed example status"
expect_eq "$(jq -S -c . "$FIXTURES/create-portal-response.json")" "$(jq -S -c . "$TEST_TMP/body")" \
    "seed example answer"

status=$(cd "$TEST_TMP" && http POST "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$TOKEN")" \
    -d "@input.json")
expect_eq 400 "$status" "same name again"
expect_eq ALREADY_USED "$(json '.portals[0].code')" "same name again: code"
expect_eq name "$(json '.portals[0].details.api_name')" "same name again: api_name"

status=$(http POST "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$TOKEN")" \
    -H 'Content-Type: application/json' -d '{"portals":[{"name":"Portals-API"}]}')
expect_bare_error 400 PATTERN_NOT_MATCHED "$status" "special characters"
status=$(http POST "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$TOKEN")" \
    -d '{"portals":[{"name":"Short"}]}')
expect_eq 400 "$status" "short name"
expect_eq INVALID_DATA "$(json '.portals[0].code')" "short name: code"
expect_eq 6 "$(json '.portals[0].details.minimum_length')" "short name: minimum_length"
status=$(http POST "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$TOKEN")" -d '{"portals":[{}]}')
expect_eq MANDATORY_NOT_FOUND "$(json '.portals[0].code')" "no name"
status=$(http POST "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$TOKEN")" -d 'portals=1')
expect_bare_error 400 JSON_PARSE_ERROR "$status" "not JSON"

# --- reads, 204, no delete, v8 ----------------------------------------------------
status=$(http GET "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$TOKEN")")
expect_eq 200 "$status" "portal list"
expect_eq "CustomerHub,PartnerDesk,PortalsAPItest100" "$(jq -r '[.portals[].name] | join(",")' \
    "$TEST_TMP/body")" "portal names"
expect_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}$' \
    "$(json '.portals[0].created_time')" "created_time with an offset"
status=$(http GET "$SIM_URL/crm/v8/settings/portals/NoSuchPortal" -H "$(auth "$TOKEN")")
expect_eq 204 "$status" "unknown portal"
expect_eq "" "$(body)" "unknown portal: no body"
status=$(http DELETE "$SIM_URL/crm/v7/settings/portals/PortalsAPItest100" -H "$(auth "$TOKEN")")
expect_bare_error 405 INVALID_REQUEST_METHOD "$status" "portal delete"

# --- tokens refused, read-only writes ----------------------------------------------
status=$(http GET "$SIM_URL/crm/v7/settings/portals")
expect_bare_error 401 INVALID_TOKEN "$status" "no token"
expect_eq "invalid oauth token" "$(json .message)" "no token: message"
RO=$(token_for sim-zoho-readonly)
status=$(http POST "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$RO")" \
    -d '{"portals":[{"name":"ReadOnly22"}]}')
expect_bare_error 403 NO_PERMISSION "$status" "read-only create"
expect_eq Crm_Implied_Manage_ClientPortal "$(json '.details.permissions[0]')" "permission named"

# --- an invitation, by query parameters only -----------------------------------------
http GET "$SIM_URL/crm/v7/settings/portals/CustomerHub/user_type" -H "$(auth "$TOKEN")" >/dev/null
TYPE=$(json '.user_type[0].id')
http GET "$SIM_URL/crm/v7/Contacts/search?email=dana@example.com" -H "$(auth "$TOKEN")" >/dev/null
DANA=$(json '.data[0].id')
status=$(http POST "$SIM_URL/crm/v7/Contacts/$DANA/actions/portal_invite?user_type_id=$TYPE&type=invite&language=en_US" \
    -H "$(auth "$TOKEN")")
expect_eq 200 "$status" "invite"
expect_eq SUCCESS "$(json '.portal_invite[0].code')" "invite: code"
status=$(http GET "$SIM_URL/crm/v7/settings/portals/CustomerHub/user_type/$TYPE/users?type=AllUsers&per_page=3&page=2" \
    -H "$(auth "$TOKEN")")
expect_eq 200 "$status" "users page 2"
expect_eq "1 4 false" "$(jq -r '"\(.info.count) \(.info.total_count) \(.info.more_records)"' \
    "$TEST_TMP/body")" "users page 2: info"

# --- the one-time grant code ------------------------------------------------------------
status=$(http POST "$SIM_URL/oauth/v2/token?grant_type=authorization_code&client_id=sim-zoho-client&client_secret=sim-zoho-secret&code=sim-zoho-grant")
expect_eq 200 "$status" "grant code"
NEW_REFRESH=$(json .refresh_token)
[[ "$NEW_REFRESH" != null ]] || fail "grant code gave no refresh token"
status=$(http POST "$SIM_URL/oauth/v2/token?grant_type=authorization_code&client_id=sim-zoho-client&client_secret=sim-zoho-secret&code=sim-zoho-grant")
expect_eq '{"error":"invalid_code"}' "$(body)" "grant code used twice"
[[ -n "$(token_for "$NEW_REFRESH")" ]] || fail "the new refresh token does not work"

# Secrets never reach the request log.
if grep -qF -e "$TOKEN" -e sim-zoho-secret -e "$NEW_REFRESH" "$SIM_LOG"; then
    fail "a secret is in the request log"
fi
stop_sim

# --- an expired token, with --zoho-token-ttl 1 ---------------------------------------------
start_sim --zoho-token-ttl 1
issued=$(date +%s%N)
SHORT=$(token_for sim-zoho-refresh)
expect_eq 1 "$(json .expires_in)" "expires_in with --zoho-token-ttl 1"
status=$(http GET "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$SHORT")")
# On a loaded machine the second may be over before we ask; only then is 401 right.
if (( ($(date +%s%N) - issued) / 1000000 < 900 )); then
    expect_eq 200 "$status" "fresh token"
fi
sleep 1.2
status=$(http GET "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$SHORT")")
expect_bare_error 401 INVALID_TOKEN "$status" "expired token"
issued=$(date +%s%N)
SHORT=$(token_for sim-zoho-refresh)
status=$(http GET "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$SHORT")")
if (( ($(date +%s%N) - issued) / 1000000 < 900 )); then
    expect_eq 200 "$status" "token after refresh"
fi
stop_sim

# --- rate limit: Accounts shape on /oauth/, CRM shape on /crm/ -----------------------------------
start_sim --rate-limit 1
codes=""
for _ in 1 2 3; do
    codes+=$(http POST "$SIM_URL/oauth/v2/token" -d grant_type=refresh_token \
        -d client_id=sim-zoho-client -d client_secret=sim-zoho-secret \
        -d refresh_token=sim-zoho-refresh -D "$TEST_TMP/headers")" "
    if [[ $(json .error) == "Access Denied" ]]; then break; fi
done
expect_match ' 400 $' "$codes" "throttled token endpoint answers 400 (within the same second)"
expect_eq '{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time.","status":"failure"}' \
    "$(body)" "Accounts throttling shape"
grep -qi '^retry-after: 1' "$TEST_TMP/headers" || fail "throttled token endpoint: no Retry-After"
RL=$(token_for sim-zoho-refresh)
codes=""
for _ in 1 2 3; do
    codes+=$(http GET "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$RL")")" "
    if [[ $(json .code) == TOO_MANY_REQUESTS ]]; then break; fi
done
expect_match ' 429 $' "$codes" "throttled CRM call answers 429"
expect_bare_error 429 TOO_MANY_REQUESTS 429 "throttled CRM call"
stop_sim

# --- state saved on SIGTERM and loaded again --------------------------------------------------
STATE="$TEST_TMP/state.json"
start_sim --state "$STATE"
KEEP=$(token_for sim-zoho-refresh)
status=$(http POST "$SIM_URL/crm/v7/settings/portals" -H "$(auth "$KEEP")" \
    -d '{"portals":[{"name":"Persisted1"}]}')
expect_eq 200 "$status" "create before restart"
stop_sim
jq -e '.vendors.zoho.portals | map(.name) | index("Persisted1")' "$STATE" >/dev/null ||
    fail "the saved state lacks the new portal"
start_sim --state "$STATE"
status=$(http GET "$SIM_URL/crm/v7/settings/portals/Persisted1" -H "$(auth "$KEEP")")
expect_eq 200 "$status" "portal and token after restart"
stop_sim
echo "ok"
