#!/usr/bin/env bash
# portal-sim, Valstorm over real HTTP: starts $PORTAL_SIM_BIN, runs each seed
# endpoint and the login / 2FA / refresh flow with curl, and checks statuses,
# headers and answer shapes with jq; then stops it (state saved), restarts it
# from the state file and checks the data came back. Bodies come from
# $PORTALCTL_FIXTURES/valstorm.
set -euo pipefail

: "${PORTAL_SIM_BIN:?}" "${PORTALCTL_FIXTURES:?}"
FIX="$PORTALCTL_FIXTURES/valstorm"
WORK=$(mktemp -d)
SIM_PID=""

cleanup() {
    if [[ -n "$SIM_PID" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID"
        wait "$SIM_PID" || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    [[ -f "$WORK/body" ]] && echo "last body: $(head -c 2000 "$WORK/body")" >&2
    exit 1
}

# start_sim EXTRA_ARGS...: runs portal-sim and sets BASE from its first line.
start_sim() {
    : >"$WORK/stdout"
    "$PORTAL_SIM_BIN" --listen 127.0.0.1:0 --log "$WORK/requests.jsonl" "$@" \
        >"$WORK/stdout" 2>"$WORK/stderr" &
    SIM_PID=$!
    for _ in $(seq 1 200); do
        if read -r line <"$WORK/stdout" && [[ "$line" == "portal-sim listening on "* ]]; then
            BASE=${line#portal-sim listening on }
            return 0
        fi
        kill -0 "$SIM_PID" 2>/dev/null || fail "portal-sim exited: $(cat "$WORK/stderr")"
        sleep 0.05
    done
    fail "portal-sim did not announce its address"
}

stop_sim() {
    kill -TERM "$SIM_PID"
    wait "$SIM_PID" || fail "portal-sim did not stop cleanly"
    SIM_PID=""
}

# call METHOD PATH [curl args...]: the status; body in $WORK/body, headers in $WORK/headers.
call() {
    local method=$1 path=$2
    shift 2
    curl -sS -X "$method" -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@" \
        "$BASE$path"
}

ADMIN=(-H "Authorization: Bearer sim-valstorm-admin")
JSON=(-H "Content-Type: application/json")

expect_status() { # expected actual what
    [[ "$2" == "$1" ]] || fail "$3: status $2, expected $1"
}

expect_json() { # jq-filter what
    jq -e "$1" "$WORK/body" >/dev/null || fail "$2: $1 does not hold"
}

start_sim --seed-users 1000 --state "$WORK/state.json"

# --- refusals -------------------------------------------------------------------
s=$(call GET /v1/portal/portal_demo1/users)
expect_status 401 "$s" "no Authorization"
expect_json '.detail == "Not authenticated"' "no Authorization"
grep -qi '^WWW-Authenticate: Bearer' "$WORK/headers" || fail "401 without WWW-Authenticate: Bearer"
s=$(call GET /v1/portal/portal_demo1/users -H "Authorization: Bearer nope")
expect_status 401 "$s" "unknown token"
expect_json '.detail == "Could not validate credentials"' "unknown token"
s=$(call GET /v1/portal/portal_demo1/users -H "Authorization: Bearer sim-valstorm-member")
expect_status 403 "$s" "member token"
expect_json '.detail == "Only production organization administrators can manage portals"' "member"
s=$(call GET /v1/nowhere "${ADMIN[@]}")
expect_status 404 "$s" "unknown route"
expect_json '.detail == "Not Found"' "unknown route"
s=$(call GET /v1/portal "${ADMIN[@]}")
expect_status 405 "$s" "GET /v1/portal"
expect_json '.detail == "Method Not Allowed"' "GET /v1/portal"

# --- login, 2FA, refresh ----------------------------------------------------------
s=$(call POST /v1/oauth2/login --data-binary "@$FIX/login.form")
expect_status 200 "$s" "login"
expect_json '.two_fa_required == true and .email == "admin@sim.example"' "login"
s=$(call POST /v1/oauth2/verify-2fa "${JSON[@]}" \
    --data '{"email":"admin@sim.example","code":"000000"}')
expect_status 401 "$s" "wrong 2FA code"
expect_json '.detail == "Invalid 2FA code"' "wrong 2FA code"
s=$(call POST /v1/oauth2/verify-2fa "${JSON[@]}" --data-binary "@$FIX/verify_2fa.json")
expect_status 200 "$s" "verify-2fa"
expect_json '.token_type == "bearer" and (.access_token|length) > 0
    and (.refresh_token|length) > 0' "verify-2fa"
TOKEN=$(jq -r .access_token "$WORK/body")
REFRESH=$(jq -r .refresh_token "$WORK/body")
USER=(-H "Authorization: Bearer $TOKEN")
s=$(call POST /v1/oauth2/refresh "${JSON[@]}" --data "{\"refresh_token\":\"$REFRESH\"}")
expect_status 200 "$s" "refresh with the login's token"
s=$(call POST /v1/oauth2/refresh "${JSON[@]}" --data-binary "@$FIX/refresh.json")
expect_status 200 "$s" "refresh with sim-valstorm-refresh"
REFRESHED=(-H "Authorization: Bearer $(jq -r .access_token "$WORK/body")")
s=$(call POST /v1/oauth2/refresh "${JSON[@]}" --data '{"refresh_token":"bogus"}')
expect_status 401 "$s" "bad refresh token"
expect_json '.detail == "Invalid refresh token"' "bad refresh token"

# --- the six portal endpoints ----------------------------------------------------------
s=$(call GET /v1/portal/portal_demo1/users "${USER[@]}")
expect_status 200 "$s" "list demo portal"
expect_json 'length == 1003
    and all(.[]; .portal_id == "portal_demo1" and .is_portal_user == true)' "list demo portal"

s=$(call POST /v1/portal "${USER[@]}" "${JSON[@]}" --data-binary "@$FIX/portal_create.json")
expect_status 201 "$s" "create portal"
expect_json '(.id|test("^portal_[0-9A-Za-z]{10}$")) and .name == "Partner Hub"
    and .custom_domain == "help.acme.com" and .organization_id == "org_sim"
    and (.created_date|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' "create portal"
PORTAL=$(jq -r .id "$WORK/body")

s=$(call PATCH "/v1/portal/$PORTAL" "${REFRESHED[@]}" "${JSON[@]}" \
    --data-binary "@$FIX/portal_update.json")
expect_status 200 "$s" "update portal"
expect_json '.name == "Partner Portal" and .custom_domain == "help.acme.com"' "update portal"
s=$(call PATCH "/v1/portal/$PORTAL" "${ADMIN[@]}" "${JSON[@]}" \
    --data-binary "@$FIX/portal_update_empty.json")
expect_status 422 "$s" "empty update"
expect_json '.detail[0].type == "value_error" and .detail[0].loc == ["body"]' "empty update"

s=$(call POST "/v1/portal/$PORTAL/users" "${ADMIN[@]}" "${JSON[@]}" \
    --data-binary "@$FIX/invite_users.json")
expect_status 201 "$s" "invite"
expect_json '(.invited|map(.email)) == ["ann@example.com","bo@example.com"]
    and (.linked|map(.email)) == ["carol@example.com"] and .failed == []' "invite"
ANN=$(jq -r '.invited[0].id' "$WORK/body")
s=$(call POST "/v1/portal/$PORTAL/users" "${ADMIN[@]}" "${JSON[@]}" \
    --data-binary "@$FIX/invite_users.json")
expect_status 201 "$s" "invite again"
expect_json '(.failed|length) == 3 and .failed[0].detail == "Already a member of this portal"' \
    "invite again"
s=$(call POST "/v1/portal/$PORTAL/users" "${ADMIN[@]}" "${JSON[@]}" \
    --data-binary "@$FIX/invite_bad_rows.json")
expect_status 422 "$s" "invite with bad rows"
expect_json '[.detail[].loc] == [["body","users",1,"email"],["body","users",2,"first_name"],
    ["body","users",3,"email"],["body","users",4],["body","users",5,"email"]]' "bad rows"
s=$(call POST "/v1/portal/$PORTAL/users" "${ADMIN[@]}" "${JSON[@]}" --data '{"users":[')
expect_status 422 "$s" "invite with broken JSON"
expect_json '.detail[0].type == "json_invalid" and .detail[0].loc == ["body",10]' "broken JSON"

s=$(call GET "/v1/portal/$PORTAL/users" "${ADMIN[@]}")
expect_status 200 "$s" "list users"
expect_json 'length == 3 and (.[0]|keys) == (["created_date","email","first_name","id",
    "is_active","is_portal_user","last_name","name","portal_id"])' "list users"

s=$(call DELETE "/v1/portal/$PORTAL/users/$ANN" "${ADMIN[@]}")
expect_status 200 "$s" "remove user"
expect_json '. == {}' "remove user"
s=$(call DELETE "/v1/portal/$PORTAL/users/$ANN" "${ADMIN[@]}")
expect_status 404 "$s" "remove user again"
expect_json '.detail == "User not found"' "remove user again"

s=$(call POST /v1/portal "${ADMIN[@]}" "${JSON[@]}" --data '{"name":"To Delete"}')
DOOMED=$(jq -r .id "$WORK/body")
s=$(call DELETE "/v1/portal/$DOOMED" "${ADMIN[@]}")
expect_status 200 "$s" "delete portal"
expect_json '. == {}' "delete portal"
s=$(call GET "/v1/portal/$DOOMED/users" "${ADMIN[@]}")
expect_status 404 "$s" "list deleted portal"
expect_json '.detail == "Portal not found"' "list deleted portal"

# --- personal access tokens ------------------------------------------------------
s=$(call POST /v1/auth/pats "${ADMIN[@]}" "${JSON[@]}" -d '{"name":"ci","expires_in_days":7}')
expect_status 201 "$s" "create a personal access token"
expect_json '(.id|test("^pat_[A-Za-z0-9]{10}$")) and .name == "ci" and (.token|startswith("vst_"))
             and (.created_date|type) == "string" and (.expires_date|type) == "string"' "PAT shape"
PAT=$(jq -r .token "$WORK/body")
s=$(call POST /v1/auth/pats "${ADMIN[@]}" "${JSON[@]}" -d '{}')
expect_status 422 "$s" "PAT without a name"
expect_json '.detail[0].type == "missing" and .detail[0].loc == ["body","name"]' "PAT without a name"
s=$(call POST /v1/auth/pats "${JSON[@]}" -d '{"name":"x"}')
expect_status 401 "$s" "PAT without a bearer token"
s=$(call GET /v1/portal/portal_demo1/users -H "Authorization: Bearer $PAT")
expect_status 200 "$s" "list with the PAT"

# --- the request log names the vendor and never a credential --------------------------------
grep -q '"vendor":"valstorm"' "$WORK/requests.jsonl" || fail "no valstorm lines in the log"
if grep -q -e "sim-valstorm" -e "$TOKEN" -e "$REFRESH" -e "Passw0rd" -e "$PAT" \
    "$WORK/requests.jsonl"; then
    fail "a credential reached the request log"
fi

# --- state survives a restart -------------------------------------------------------------
stop_sim
start_sim --state "$WORK/state.json"
s=$(call GET "/v1/portal/$PORTAL/users" "${ADMIN[@]}")
expect_status 200 "$s" "list after restart"
expect_json '(map(.email)|sort) == ["bo@example.com","carol@example.com"]' "list after restart"
s=$(call GET /v1/portal/portal_demo1/users "${ADMIN[@]}")
expect_json 'length == 1003' "demo portal after restart"
s=$(call GET "/v1/portal/$PORTAL/users" "${USER[@]}")
expect_status 401 "$s" "login token after restart" # issued tokens are not saved
s=$(call GET /v1/portal/portal_demo1/users -H "Authorization: Bearer $PAT")
expect_status 200 "$s" "a personal access token survives a restart"
stop_sim

echo "valstorm over HTTP: all checks passed"
