# portalctl --help, --version, unknown options and --demo.
source "$(dirname "$0")/../lib/common.sh"

out=$("$PORTALCTL_BIN" --help)
expect_match '^Usage: portalctl' "$out" "--help first line"
expect_match '--demo' "$out" "--help mentions --demo"

out=$("$PORTALCTL_BIN" --version)
expect_match '^portalctl [0-9]+\.[0-9]+\.[0-9]+$' "$out" "--version"

# Unknown option: exactly one line on stderr, nothing on stdout, status 2.
rc=0
"$PORTALCTL_BIN" --no-such-option >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
expect_eq 2 "$rc" "exit status for an unknown option"
expect_eq 1 "$(wc -l <"$TEST_TMP/err")" "lines on stderr"
expect_eq 0 "$(wc -c <"$TEST_TMP/out")" "bytes on stdout"
expect_match "unknown option '--no-such-option'" "$(cat "$TEST_TMP/err")" "message"

rc=0
"$PORTALCTL_BIN" --config 2>"$TEST_TMP/err" || rc=$?
expect_eq 2 "$rc" "exit status for --config without a file"

# --demo starts a real portal-sim, opens the console on it (in a terminal:
# tmux), and stops the simulator when the console quits.
source "$(dirname "$0")/../lib/tmux.sh"
ui_start 100 30
ui_run "$PORTALCTL_BIN" --demo
ui_wait_for 'Connections \(3\)' "the demo's three connections"
# The demo's own simulator: the portal-sim child of this portalctl (other
# tests run simulators of their own at the same time).
demo_pid=$(ui_command_pid)
[[ -n "$demo_pid" ]] || fail "no portalctl --demo process"
sim_pid=$(pgrep -P "$demo_pid" -x portal-sim | head -1)
[[ -n "$sim_pid" ]] || fail "no portal-sim running for the demo"
sim_port=$(ss -ltnp 2>/dev/null | grep "pid=$sim_pid," | grep -o '127\.0\.0\.1:[0-9]*' | head -1)
[[ -n "$sim_port" ]] || fail "portal-sim of the demo listens on no loopback port"
status=$(curl -s -o /dev/null -w '%{http_code}' "http://$sim_port/no-such-vendor")
expect_eq 404 "$status" "the demo simulator answers"
ui_keys q
ui_wait_exit 0
for _ in $(seq 50); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$sim_pid" 2>/dev/null || fail "portal-sim still running after the demo stopped"
echo "ok"
