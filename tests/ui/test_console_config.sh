# The console over a real config file and the real keyring (scripts/test runs
# the suite under a throwaway gnome-keyring): `portalctl --config FILE
# CONNECTION` opens on that connection, looks its secret up after the first
# frame (the status line says so), lists its portals from a real portal-sim;
# --read-only shows in the title; a connection without a secret gets its mark;
# unknown connections and bad keys.conf lines are refused before the screen
# opens, naming file:line.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

start_sim
UI_CONFIG_HOME="$TEST_TMP/config"
mkdir -p "$UI_CONFIG_HOME/portalctl"
config="$TEST_TMP/portalctl.ini"
cat >"$config" <<INI
[connection acme-ecgrid]
vendor = ecgrid
url = $SIM_URL

[connection empty-ecgrid]
vendor = ecgrid
url = $SIM_URL
INI
echo sim-ecgrid-netadmin | "$PORTALCTL_BIN" --config "$config" auth set acme-ecgrid >/dev/null 2>&1 ||
    fail "could not store the key in the keyring"

ui_start 140 30
ui_run "$PORTALCTL_BIN" --config "$config" --read-only acme-ecgrid
ui_wait_for 'ACME Receiving' "the portals of the named connection"
screen=$(ui_screen)
expect_match '\[read-only\]' "$screen" "read-only in the title"
expect_match 'acme-ecgrid +ok, read-only' "$screen" "the connection's marks"
grep -q '"path": *"/v2/' "$SIM_LOG" || grep -q '/v2/' "$SIM_LOG" || fail "nothing reached portal-sim"

# No secret stored: the mark says so and nothing is sent for it.
before=$(wc -l <"$SIM_LOG")
ui_keys Escape j Enter
ui_wait_for 'empty-ecgrid +no credentials' "the no-credentials mark"
ui_wait_for "Error: empty-ecgrid has no credentials stored: run 'portalctl auth set empty-ecgrid'"
expect_eq "$before" "$(wc -l <"$SIM_LOG")" "requests sent without a secret"
ui_keys q
ui_wait_exit 0

# Refused before the screen opens.
ui_run "$PORTALCTL_BIN" --config "$config" no-such-connection
ui_wait_exit 2
expect_match "no connection named 'no-such-connection'" "$(cat "$TEST_TMP/ui-stderr")" "message"

printf 'bind main x refresh\nbind main y frobnicate\n' >"$UI_CONFIG_HOME/portalctl/keys.conf"
ui_run "$PORTALCTL_BIN" --config "$config"
ui_wait_exit 2
expect_match "keys\\.conf:2: unknown action 'frobnicate'" "$(cat "$TEST_TMP/ui-stderr")" "file:line"

# A user keys.conf overrides the defaults: here Q quits and q does nothing.
printf 'unbind generic q\nbind generic Q quit\n' >"$UI_CONFIG_HOME/portalctl/keys.conf"
ui_run "$PORTALCTL_BIN" --config "$config"
ui_wait_for 'Connections \(2\)'
ui_wait_for 'Q quit' "the hints follow the user's keymap"
ui_keys q
sleep 0.3
[[ ! -s "$UI_DONE" ]] || fail "q still quits after unbind"
ui_keys Q
ui_wait_exit 0
echo ok
