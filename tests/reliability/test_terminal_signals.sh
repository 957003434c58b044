# Terminal: in every screen of the console — main, help, detail, filter,
# command line, "terminal too small", a form with a value typed, the
# question a form asks before forgetting it, and the preview of a CSV run —
# Ctrl-C, SIGTERM and SIGHUP quit cleanly, and Ctrl-Z suspends and fg
# resumes (the screen, and what was typed, back as they were). Each time the
# terminal is restored: the shell's prompt is back, the alternate screen is
# left, the cursor is visible, and `stty -g` reads exactly what it read
# before portalctl started (so echo, canonical mode and signals are back on).
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

start_sim
cfg="$TEST_TMP/config.ini"
cat >"$cfg" <<INI
[connection rt-ec]
vendor = ecgrid
url = $SIM_URL
INI
printf 'sim-ecgrid-netadmin\n' | "$PORTALCTL_BIN" --config "$cfg" auth set rt-ec 2>/dev/null

csv="$TEST_TMP/people.csv"
printf 'login,email\nsig1,sig1@example.com\nsig2,sig2@example.com\n' >"$csv"

ui_start 100 30
STTY_BEFORE="$TEST_TMP/stty.before"
STTY_NOW="$TEST_TMP/stty.now"

# Types a command and waits for the file it writes.
shell_do() {
    rm -f "$2"
    ui_tmux send-keys -l "$1"
    ui_tmux send-keys Enter
    for _ in $(seq 100); do [[ -s "$2" ]] && return 0; sleep 0.1; done
    fail "the shell did not run: $1"
}

terminal_restored() {
    local when=$1
    ui_wait_for 'ui-shell\$ *$' "the shell prompt $when"
    expect_eq 0 "$(ui_tmux display-message -p '#{alternate_on}')" "alternate screen left $when"
    expect_eq 1 "$(ui_tmux display-message -p '#{cursor_flag}')" "cursor visible $when"
    shell_do "stty -g >$STTY_NOW" "$STTY_NOW"
    expect_eq "$(cat "$STTY_BEFORE")" "$(cat "$STTY_NOW")" "terminal modes $when"
}

start_console() {
    shell_do "stty -g >$STTY_BEFORE" "$STTY_BEFORE"
    ui_run "$PORTALCTL_BIN" --config "$cfg" rt-ec
    ui_wait_for 'ACME Receiving' "the portals"
    ui_keys Enter
    ui_wait_for 'Users \([0-9]+\)' "the users"
}


# Opens a screen; prints the regex that proves it is shown.
open_screen() {
    case $1 in
    main) echo 'Users \([0-9]+\)' ;;
    help) ui_keys '?'; echo 'toggle-mouse' ;;
    detail) ui_keys v; echo '› detail' ;;
    filter) ui_keys / x; echo 'Enter keep filter' ;;
    command) ui_keys : c o; echo 'Tab complete' ;;
    small) ui_tmux resize-window -x 30 -y 8; echo 'terminal too' ;;
    form) ui_keys n; ui_keys -l carol; echo 'Login +\[carol' ;;
    question) ui_keys n; ui_keys -l carol; ui_keys Escape; echo 'Forget what you typed' ;;
    csv-preview) ui_keys I; ui_keys -l "$csv"; ui_keys Enter; echo 'people\.csv: 2 rows, 2 to send' ;;
    esac
}

send_quit() {
    case $1 in
    ctrl-c) ui_keys C-c ;;
    term) kill -TERM "$(ui_command_pid)" ;;
    hup) kill -HUP "$(ui_command_pid)" ;;
    esac
}

# Ctrl-Z stops portalctl (the shell goes on with the rest of the command
# line and writes 148); fg resumes it and then reports its real exit status.
suspend_and_resume() {
    local shown=$1 screen=$2
    ui_keys C-z
    ui_wait_for 'Stopped' "the job stopped ($screen)"
    for _ in $(seq 50); do [[ -s "$UI_DONE" ]] && break; sleep 0.1; done
    expect_eq 148 "$(cat "$UI_DONE")" "status of the stopped job ($screen)"
    terminal_restored "while suspended in $screen"
    rm -f "$UI_DONE"
    ui_tmux send-keys -l "fg >/dev/null; echo \$? >$UI_DONE"
    ui_tmux send-keys Enter
    ui_wait_for "$shown" "$screen again after fg"
    expect_eq 1 "$(ui_tmux display-message -p '#{alternate_on}')" "alternate screen after fg"
}

runs=0
for screen in main help detail filter command small form question csv-preview; do
    for signal in ctrl-c term hup; do
        start_console
        shown=$(open_screen "$screen")
        ui_wait_for "$shown" "the $screen screen"
        [[ "$signal" == ctrl-c ]] && suspend_and_resume "$shown" "$screen"
        send_quit "$signal"
        ui_wait_exit 0
        terminal_restored "after $signal in $screen"
        [[ "$screen" == small ]] && ui_tmux resize-window -x 100 -y 30
        runs=$((runs + 1))
    done
done
expect_eq 27 "$runs" "screen × signal combinations"
# Quitting a form or a CSV preview sends nothing: the simulator saw reads only
# (ECGrid's lists are POSTs to .../list).
expect_eq 0 "$(jq -s '[.[] | select(.method != "GET" and (.path | endswith("/list") | not))] | length' \
    "$SIM_LOG")" "changes sent"
stop_sim
echo ok
