# Without a Secret Service: a plain message pointing to --session-secrets and
# nothing written anywhere; with --session-secrets, the command asks for the
# secret (stdin here), uses it, and keeps it only in memory.
source "$(dirname "$0")/../lib/common.sh"

start_sim
cfg="$TEST_TMP/config.ini"
cat >"$cfg" <<INI
[connection mem-ecgrid]
vendor = ecgrid
url = $SIM_URL
INI
home="$TEST_TMP/home"
mkdir -p "$home"
# No session bus at all, and no way to start one.
nobus() {
    env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY HOME="$home" XDG_STATE_HOME="$home/state" \
        XDG_RUNTIME_DIR="$TEST_TMP/no-runtime" "$PORTALCTL_BIN" --config "$cfg" "$@"
}

rc=0
nobus users list mem-ecgrid >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
expect_eq 5 "$rc" "exit status without a Secret Service"
expect_match 'No Secret Service' "$(cat "$TEST_TMP/err")" "plain message"
expect_match '--session-secrets' "$(cat "$TEST_TMP/err")" "the session-only choice is named"

rc=0
printf 'sim-ecgrid-netadmin\n' | nobus --session-secrets users list mem-ecgrid --json \
    >"$TEST_TMP/users.json" 2>"$TEST_TMP/err" || rc=$?
expect_eq 0 "$rc" "users list with --session-secrets"
jq -e 'length >= 5' "$TEST_TMP/users.json" >/dev/null || fail "no users listed"

rc=0
printf 'x\n' | nobus --session-secrets auth set mem-ecgrid 2>"$TEST_TMP/err" || rc=$?
expect_eq 2 "$rc" "auth set refused with --session-secrets"

! grep -rqF sim-ecgrid-netadmin "$home" "$cfg" "$SIM_LOG" "$TEST_TMP/users.json" \
    || fail "the session-only secret reached a file"
stop_sim
echo "ok"
