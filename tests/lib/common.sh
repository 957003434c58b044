# Shared helpers for the shell tests (sourced). Every test runs with `set -eu`
# and these: fail MESSAGE, expect_eq WANT GOT WHAT, expect_match REGEX TEXT WHAT,
# start_sim [ARGS...] (sets SIM_PID, SIM_URL, SIM_LOG, SIM_DIR), stop_sim,
# pc ARGS... (portalctl with the config $cfg), status_of COMMAND... and
# sim_connection_config VENDOR NAME FILE.
set -euo pipefail

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/portalctl-test.XXXXXX")
SIM_PID=""

cleanup_test() {
    if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
    rm -rf "$TEST_TMP"
}
trap cleanup_test EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

expect_eq() {
    [[ "$1" == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

expect_match() {
    [[ "$2" =~ $1 ]] || fail "$3: '$2' does not match /$1/"
}

# Starts portal-sim on a free port; extra arguments are passed through.
start_sim() {
    SIM_DIR=$(mktemp -d "$TEST_TMP/sim.XXXXXX")
    SIM_LOG="$SIM_DIR/requests.jsonl"
    mkfifo "$SIM_DIR/out"
    "$PORTAL_SIM_BIN" --listen 127.0.0.1:0 --log "$SIM_LOG" "$@" >"$SIM_DIR/out" &
    SIM_PID=$!
    local line
    read -r line <"$SIM_DIR/out" || fail "portal-sim printed nothing"
    [[ "$line" == "portal-sim listening on "* ]] || fail "unexpected first line: $line"
    SIM_URL=${line#portal-sim listening on }
}

# Stops portal-sim with SIGTERM and checks it exits 0.
stop_sim() {
    kill -TERM "$SIM_PID"
    local rc=0
    wait "$SIM_PID" || rc=$?
    SIM_PID=""
    expect_eq 0 "$rc" "portal-sim exit status after SIGTERM"
}

# portalctl with the test's config file, $cfg.
pc() { "$PORTALCTL_BIN" --config "$cfg" "$@"; }

# Runs COMMAND with its stdout in $TEST_TMP/out and stderr in $TEST_TMP/err;
# prints its exit status (the test goes on whatever it is).
status_of() {
    local rc=0
    "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
    echo "$rc"
}

# sim_connection_config VENDOR NAME FILE: writes FILE, a config with one
# connection NAME to the running portal-sim, makes it $cfg, and stores the
# simulator's credentials for it in the keyring (on stdin, never in argv).
sim_connection_config() {
    local vendor=$1 name=$2
    cfg=$3
    case $vendor in
    ecgrid | valstorm) printf '[connection %s]\nvendor = %s\nurl = %s\n' "$name" "$vendor" "$SIM_URL" ;;
    zoho) printf '[connection %s]\nvendor = zoho\nclient_id = sim-zoho-client\nurl = %s\naccounts_url = %s\n' \
        "$name" "$SIM_URL" "$SIM_URL" ;;
    *) fail "sim_connection_config: unknown vendor $vendor" ;;
    esac >"$cfg"
    case $vendor in
    ecgrid) printf 'sim-ecgrid-netadmin\n' ;;
    zoho) printf 'sim-zoho-secret\nsim-zoho-refresh\n' ;;
    valstorm) printf 'sim-valstorm-admin\n' ;;
    esac | pc auth set "$name" >/dev/null
}
