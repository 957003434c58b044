# Terminal: in every screen of the console — main, help, detail, filter,
# command line, "terminal too small", a form with a value typed, the
# question a form asks before forgetting it, the preview of a CSV run and
# the CSV run under way — Ctrl-C, SIGTERM and SIGHUP quit cleanly, and
# Ctrl-Z suspends and fg resumes (the screen, and what was typed, back as
# they were). A run stopped so still leaves its 0600 report, with the
# password of every user it created and the rows it did not send. Each time the
# terminal is restored: the shell's prompt is back, the alternate screen is
# left, the cursor is visible, and `stty -g` reads exactly what it read
# before portalctl started (so echo, canonical mode and signals are back on).
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

# Every answer 100 ms late: a CSV run of 400 rows lasts long enough to be
# interrupted.
start_sim --latency-ms 100
sim_connection_config ecgrid rt-ec "$TEST_TMP/config.ini"

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
    ui_wait_listed 'netadmin' "the first user listed"
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
    csv-run)
        ui_keys I; ui_keys -l "$TEST_TMP/run-$signal.csv"; ui_keys Enter
        ui_wait_for 'Create 400 users in ACME Receiving\?' "the question before the run"
        ui_keys y
        echo '\] [1-9][0-9]*/400 rows' ;;
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

# A CSV run under way, a file of 400 new users for each signal.
bulk_dir="$TEST_TMP/state/portalctl/bulk"
for signal in ctrl-c term hup; do
    {
        echo "login,email"
        for ((i = 0; i < 400; i++)); do echo "rt-$signal-$i,rt-$signal-$i@example.com"; done
    } >"$TEST_TMP/run-$signal.csv"
    start_console
    shown=$(open_screen csv-run)
    ui_wait_for "$shown" "the CSV run under way"
    [[ "$signal" == ctrl-c ]] && suspend_and_resume "$shown" csv-run
    send_quit "$signal"
    ui_wait_exit 0
    terminal_restored "after $signal in the CSV run"
    report=$(ls -t "$bulk_dir"/create-user-rt-ec-*.csv | head -1)
    expect_eq 600 "$(stat -c %a "$report")" "mode of the report of the run stopped by $signal"
    created=$(tr -d '\r' <"$report" | grep -cE "^[0-9]+,rt-$signal-[0-9]+,created,[0-9]+,,[^,]{20}\$" || true)
    not_sent=$(tr -d '\r' <"$report" | grep -c ',not-sent,' || true)
    ((created > 0)) || fail "no created user with a password in the report after $signal"
    ((not_sent > 0)) || fail "the run ended before $signal came"
    echo "CSV run stopped by $signal: $created users created (passwords in the report), $not_sent rows not sent"
    runs=$((runs + 1))
done
expect_eq 30 "$runs" "screen × signal combinations, the CSV run included"
stop_sim
echo ok
