# Credential flows against portal-sim and the real keyring: Zoho grant code
# (works once), Zoho device flow, Valstorm login with 2FA (a wrong code is
# refused), tokens stored in the keyring only, never in files or logs.
source "$(dirname "$0")/../lib/common.sh"

start_sim
cfg="$TEST_TMP/config.ini"
cat >"$cfg" <<INI
[connection flow-zoho]
vendor = zoho
client_id = sim-zoho-client
url = $SIM_URL
accounts_url = $SIM_URL

[connection flow-zoho-dc]
vendor = zoho
client_id = sim-zoho-client
accounts_url = $SIM_URL

[connection flow-vs]
vendor = valstorm
url = $SIM_URL
INI

printf 'sim-zoho-secret\n' | pc auth set flow-zoho client-secret
expect_eq 0 "$(status_of pc auth grant flow-zoho <<<'sim-zoho-grant')" "grant code exchange"
token=$(secret-tool lookup connection flow-zoho kind refresh-token)
[[ -n "$token" ]] || fail "no refresh token stored after the grant"
expect_eq 5 "$(status_of pc auth grant flow-zoho <<<'sim-zoho-grant')" "a used grant code"
expect_match 'used already' "$(cat "$TEST_TMP/err")" "used grant code message"
expect_eq "$token" "$(secret-tool lookup connection flow-zoho kind refresh-token)" \
    "a refused grant keeps the stored token"
pc portals list flow-zoho >"$TEST_TMP/portals"
expect_match 'CustomerHub' "$(cat "$TEST_TMP/portals")" "the granted token works"

expect_eq 0 "$(status_of pc auth grant flow-zoho --device </dev/null)" "device flow"

expect_match 'SIMU-0001' "$(cat "$TEST_TMP/err")" "device flow shows the user code"

# No url configured: the token answer's api_domain (the simulator) is where
# even the first request goes, not the data centre's default host.
printf 'sim-zoho-secret\nsim-zoho-refresh\n' | pc auth set flow-zoho-dc
expect_eq 0 "$(status_of pc portals list flow-zoho-dc)" "first request follows api_domain"
expect_match 'CustomerHub' "$(cat "$TEST_TMP/out")" "portals through api_domain"

expect_eq 5 "$(status_of pc auth login flow-vs <<<$'admin@sim.example\nPassw0rd!\n000000')" \
    "a wrong 2FA code"
expect_match 'Invalid 2FA code' "$(cat "$TEST_TMP/err")" "2FA refusal message"
expect_eq 0 "$(status_of pc auth login flow-vs <<<$'admin@sim.example\nPassw0rd!\n123456')" \
    "login with 2FA"
[[ -n "$(secret-tool lookup connection flow-vs kind access-token)" ]] || fail "no access token"
[[ -n "$(secret-tool lookup connection flow-vs kind refresh-token)" ]] || fail "no refresh token"
expect_eq 0 "$(status_of pc auth status flow-vs)" "the login's token is accepted"

# Nothing secret anywhere but the keyring.
for secret in sim-zoho-secret sim-zoho-grant Passw0rd! "$token"; do
    ! grep -rqF -- "$secret" "$cfg" "$XDG_STATE_HOME" "$SIM_LOG" "$TEST_TMP/out" \
        || fail "a secret reached a file or the output"
done
stop_sim
echo "ok"
