# The console's setup forms and its failure paths, in a real terminal (tmux)
# against a real portal-sim and the real keyring: a connection added from the
# console is written to config.ini (and nothing secret is), its API key is
# stored through the masked credentials form, a submit that fails (the
# simulator answers 503 to everything) keeps every typed value, and
# --read-only shows no write action at all and refuses the keys anyway.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

start_sim --fault-rate 1 --fault-kinds 503
config="$TEST_TMP/portalctl.ini"
: >"$config"

ui_start 130 34
ui_run "$PORTALCTL_BIN" --config "$config"
ui_wait_for 'Connections \(0\)'

# A new connection through its form, written to the file.
ui_keys n
ui_wait_for 'Add a connection' "the connection form"
ui_keys -l 'lab-valstorm'
ui_keys Tab
ui_keys Space Space
ui_wait_for 'Vendor +\[valstorm' "the vendor chosen from the list"
ui_keys Tab
ui_keys -l "$SIM_URL"
ui_keys C-s
ui_wait_for 'connection lab-valstorm added' "the connection added"
ui_wait_for 'Valstorm +lab-valstorm' "listed"
grep -q '^\[connection lab-valstorm\]' "$config" || fail "not written to the config file"
grep -q '^vendor *= *valstorm' "$config" || fail "vendor not written"

# Its token, through the masked credentials form.
ui_keys K
ui_wait_for 'Store the Valstorm access token' "the credentials form"
ui_keys -l 'sim-valstorm-admin'
ui_wait_for 'Access token +\[\*{18}' "masked"
[[ ! "$(ui_screen)" =~ sim-valstorm-admin ]] || fail "the token is on screen"
ui_keys Enter
ui_wait_gone 'Store the Valstorm access token' "the form closed once stored"
! grep -q 'sim-valstorm-admin' "$config" || fail "a secret in the config file"
status=$("$PORTALCTL_BIN" --config "$config" auth status lab-valstorm 2>&1 || true)
expect_match 'api-key +stored' "$status" "the keyring has the token"

# A failed submit (503) keeps every value typed.
ui_keys Tab
ui_keys n
ui_wait_for 'Create a Valstorm portal'
ui_keys -l 'Kept Portal'
ui_keys Tab
ui_keys -l 'kept.example.com'
before=$(wc -l <"$SIM_LOG")
ui_keys C-s
ui_wait_for 'create-portal on lab-valstorm failed' "the failure said"
ui_wait_for 'Portal name +\[Kept Portal' "the name kept"
ui_wait_for 'Custom domain +\[kept\.example\.com' "the domain kept"
[[ $(wc -l <"$SIM_LOG") -gt $before ]] || fail "nothing reached portal-sim"
grep -q '"operation":"create-portal".*"result":"failed"' "$TEST_TMP/state/portalctl/audit.jsonl" ||
    fail "no audit line for the failure"
ui_keys Escape y
ui_wait_gone 'Create a Valstorm portal'
ui_keys q
ui_wait_exit 0

# --read-only: no write action shown, in the hints or the help, and the keys do nothing.
ui_run "$PORTALCTL_BIN" --config "$config" --read-only lab-valstorm
ui_wait_for '\[read-only\]'
screen=$(ui_screen)
[[ ! "$screen" =~ (n new|d delete|i invite) ]] || fail "write hints shown when read-only"
before=$(wc -l <"$SIM_LOG")
ui_keys n
ui_wait_for 'read-only: changes are refused, nothing is sent'
[[ ! "$(ui_screen)" =~ Create\ a ]] || fail "a form opened when read-only"
ui_keys '?'
ui_wait_for 'toggle-mouse' "the help"
[[ ! "$(ui_screen)" =~ (main +n +new|delete-portal|set-password) ]] || fail "changes in the help"
ui_keys Escape
ui_keys :
ui_keys -l 'new portal'
ui_keys Enter
ui_wait_for "unknown command ':new'" "the change commands are gone too"
expect_eq "$before" "$(wc -l <"$SIM_LOG")" "requests sent when read-only"
ui_keys q
ui_wait_exit 0
echo ok
