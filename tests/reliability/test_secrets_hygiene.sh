# Secrets hygiene: the command line and the console run with real keyring
# credentials for all three vendors (ECGrid API key, Zoho client secret and
# refresh token, Valstorm token and a login password). While they run — the
# simulator answers slowly, so each is caught holding its secrets — every
# process of this test (the test's own tree and the tmux server's) is
# scanned: no secret in any argv or environment, and each portalctl has its
# core-file limit at 0. Afterwards no secret is in the config file, the
# state directory, the audit log, the simulator's request log, any captured
# stdout or stderr, or the console's screen and scroll-back.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

# Core files allowed for everything this test starts: portalctl itself must
# turn them off (RLIMIT_CORE 0 and PR_SET_DUMPABLE 0) once it holds secrets.
ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -Hc)"
start_sim --latency-ms 1200
cfg_dir="$TEST_TMP/config/portalctl"
mkdir -p "$cfg_dir"
cfg="$cfg_dir/config.ini"
cat >"$cfg" <<INI
[connection hy-ec]
vendor = ecgrid
url = $SIM_URL

[connection hy-zo]
vendor = zoho
client_id = sim-zoho-client
url = $SIM_URL
accounts_url = $SIM_URL

[connection hy-vs]
vendor = valstorm
url = $SIM_URL

[connection hy-vs-login]
vendor = valstorm
url = $SIM_URL
INI
export XDG_STATE_HOME="$TEST_TMP/state" XDG_CONFIG_HOME="$TEST_TMP/config"
mkdir -p "$XDG_STATE_HOME"
secrets_file="$TEST_TMP/secrets.txt" # grep -f: the secrets never go in an argv
printf '%s\n' sim-ecgrid-netadmin sim-zoho-secret sim-zoho-refresh sim-valstorm-admin \
    'Passw0rd!' >"$secrets_file"
pc() { "$PORTALCTL_BIN" "$@"; }
out_dir="$TEST_TMP/captured"
mkdir -p "$out_dir"

# The processes of this test: its own tree and the tmux server's (a daemon).
test_pids() {
    local roots="$$ $(pgrep -f "tmux -L $TMUX_SOCKET" | tr '\n' ' ')"
    ps -eo pid=,ppid= | awk -v roots="$roots" '
        { parent[$1] = $2 }
        END {
            n = split(roots, r, " "); for (i = 1; i <= n; i++) mine[r[i]] = 1
            do { added = 0
                 for (p in parent) if (!(p in mine) && (parent[p] in mine)) { mine[p] = 1; added = 1 }
            } while (added)
            for (p in mine) print p
        }'
}

SCANS=0
# Fails when a secret is in any argv or environment of the test's processes;
# checks the core limit of every portalctl among them.
scan_processes() {
    local pid found=0 portalctls=0
    for pid in $(test_pids); do
        [[ -r /proc/$pid/cmdline ]] || continue
        if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -f "$secrets_file"; then
            echo "secret in the argv of $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline")" >&2; found=1
        fi
        if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qF -f "$secrets_file"; then
            echo "secret in the environment of $pid" >&2; found=1
        fi
        if [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$PORTALCTL_BIN")" ]]; then
            local core; core=$(awk '/^Max core file size/ {print $5 "/" $6}' "/proc/$pid/limits" 2>/dev/null || true)
            if [[ -n "$core" && "$core" != "0/0" ]]; then
                # A process caught between exec and its first instructions still
                # has the limits it inherited: look again a moment later.
                sleep 0.3
                core=$(awk '/^Max core file size/ {print $5 "/" $6}' "/proc/$pid/limits" 2>/dev/null || true)
            fi
            if [[ -n "$core" ]]; then
                [[ "$core" == "0/0" ]] || { echo "portalctl $pid core limit $core" >&2; found=1; }
                portalctls=$((portalctls + 1))
            fi
        fi
    done
    (( found == 0 )) || fail "a secret is visible in a process, or core dumps are on"
    SCANS=$((SCANS + portalctls))
}

# Runs a command in the background, scans until it ends, keeps its output.
run_scanned() {
    local name=$1; shift
    # A background command's stdin would be /dev/null: hand ours over on fd 3.
    exec 3<&0
    "$@" <&3 >"$out_dir/$name.out" 2>"$out_dir/$name.err" &
    local pid=$! rc=0
    exec 3<&-
    while kill -0 "$pid" 2>/dev/null; do scan_processes; sleep 0.2; done
    wait "$pid" || rc=$?
    ! grep -q -E 'Sanitizer|runtime error' "$out_dir/$name.err" || { cat "$out_dir/$name.err" >&2; fail "$name: sanitizer report"; }
    expect_eq 0 "$rc" "$name exit status"
}

# --- the command line ------------------------------------------------------------
printf 'sim-ecgrid-netadmin\n' | pc auth set hy-ec 2>"$out_dir/set-ec.err"
printf 'sim-zoho-secret\nsim-zoho-refresh\n' | pc auth set hy-zo 2>"$out_dir/set-zo.err"
printf 'sim-valstorm-admin\n' | pc auth set hy-vs 2>"$out_dir/set-vs.err"
run_scanned ec-list pc users list hy-ec
run_scanned ec-status pc auth status hy-ec
run_scanned zo-list pc portals list hy-zo --json
run_scanned vs-list pc users list hy-vs --portal portal_demo1
printf 'Passw0rd!\n' >"$TEST_TMP/pw"
run_scanned ec-create pc users create hy-ec login=hygiene1 password=- email=hy1@example.com \
    <"$TEST_TMP/pw"
run_scanned vs-login pc auth login hy-vs-login <<<$'admin@sim.example\nPassw0rd!\n123456'
(( SCANS >= 6 )) || fail "portalctl was caught running only $SCANS times: the scan proves nothing"
expect_match 'netadmin' "$(cat "$out_dir/ec-list.out")" "the CLI really used the key"
expect_match 'CustomerHub' "$(cat "$out_dir/zo-list.out")" "the CLI really used the Zoho token"
[[ -n "$(secret-tool lookup connection hy-vs-login kind access-token)" ]] || fail "login stored no token"

# --- the console, over the keyring ---------------------------------------------------
UI_CONFIG_HOME="$TEST_TMP/config"
ui_start 120 30
ui_run "$PORTALCTL_BIN" hy-ec
scans_before=$SCANS
for _ in $(seq 40); do
    scan_processes
    [[ "$(ui_screen)" =~ ACME\ Receiving ]] && break
    sleep 0.25
done
ui_wait_for 'ACME Receiving' "the console's portal list"
ui_keys Enter
ui_wait_for 'netadmin' "the console's user list"
ui_keys v
scan_processes
ui_keys Escape Tab Tab
ui_keys -l ':connect hy-zo'
ui_keys Enter
ui_wait_for 'CustomerHub' "Zoho portals in the console"
scan_processes
ui_keys -l ':connect hy-vs'
ui_keys Enter
ui_wait_for 'portal_demo1|Portals \(' "Valstorm in the console"
scan_processes
(( SCANS > scans_before )) || fail "the console was never caught by the scan"
ui_tmux capture-pane -p -S - >"$out_dir/pane.txt"
ui_keys q
ui_wait_exit 0
ui_tmux capture-pane -p -S - >>"$out_dir/pane.txt"
stop_sim

# --- files and captured output ----------------------------------------------------------
[[ -s "$XDG_STATE_HOME/portalctl/audit.jsonl" ]] || fail "no audit log: the scan would prove nothing"
[[ -s "$SIM_LOG" ]] || fail "no request log"
where=("$cfg" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$SIM_LOG" "$out_dir")
if grep -rlF -f "$secrets_file" "${where[@]}"; then
    fail "a secret reached one of the files above"
fi
echo "portalctl caught holding secrets $SCANS times; none visible, core files off each time"
echo ok
