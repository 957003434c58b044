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

# --demo starts a real portal-sim, prints how to reach it, stops it on SIGTERM.
mkfifo "$TEST_TMP/demo"
"$PORTALCTL_BIN" --demo >"$TEST_TMP/demo" &
demo_pid=$!
exec 3<"$TEST_TMP/demo"
read -r line <&3
expect_match '^portal-sim is running at http://127\.0\.0\.1:[0-9]+$' "$line" "demo banner"
url=${line#portal-sim is running at }
status=$(curl -s -o /dev/null -w '%{http_code}' "$url/no-such-vendor")
expect_eq 404 "$status" "the demo simulator answers"
sim_pid=$(pgrep -P "$demo_pid" portal-sim)
[[ -n "$sim_pid" ]] || fail "no portal-sim child of the demo"
kill -TERM "$demo_pid"
rc=0
wait "$demo_pid" || rc=$?
exec 3<&-
expect_eq 0 "$rc" "demo exit status"
! kill -0 "$sim_pid" 2>/dev/null || fail "portal-sim still running after the demo stopped"
echo "ok"
