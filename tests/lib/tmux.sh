# Screen-test helpers (sourced after common.sh): the real portalctl runs in a
# shell inside a private tmux server (its own -L socket), keys are typed with
# send-keys and the screen is read with capture-pane.
#   ui_start WIDTH HEIGHT      start the server with an interactive bash
#   ui_run COMMAND...          type a command line into that shell
#   ui_keys KEY...             tmux send-keys
#   ui_screen                  the screen as text
#   ui_wait_for REGEX [WHAT]   wait (10 s) until the screen matches, else fail
#   ui_wait_gone REGEX [WHAT]  wait until it no longer matches
#   ui_wait_exit               wait for the command to end; checks status 0,
#                              no sanitizer report, the terminal restored
#   ui_wait_loaded [WHAT]      wait until no list is loading (a change done
#                              reloads its list, and Esc then cancels that)
#   ui_wait_listed REGEX WHAT  wait for a row of a list, then for it loaded
#   ui_command_pid             the pid of the command the shell runs
# UI_WAIT_SCALE (default 1) multiplies every wait: scripts/valgrind-suite
# runs portalctl under valgrind, many times slower.
TMUX_SOCKET="portalctl-ui-$$"
UI_DONE="$TEST_TMP/ui-exit-status"
UI_WAIT_SCALE=${UI_WAIT_SCALE:-1}

ui_tmux() { tmux -L "$TMUX_SOCKET" "$@"; }

cleanup_ui() {
    tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null || true
    cleanup_test
}
trap cleanup_ui EXIT

ui_start() {
    mkdir -p "$TEST_TMP/home" "$TEST_TMP/config" "$TEST_TMP/state"
    ui_tmux -f /dev/null new-session -d -x "$1" -y "$2" \
        "env -i PATH=$PATH HOME=$TEST_TMP/home TERM=screen-256color LANG=C.UTF-8 \
         XDG_CONFIG_HOME=${UI_CONFIG_HOME:-$TEST_TMP/config} XDG_STATE_HOME=$TEST_TMP/state \
         DBUS_SESSION_BUS_ADDRESS=${DBUS_SESSION_BUS_ADDRESS:-} \
         ASAN_OPTIONS=${ASAN_OPTIONS:-} UBSAN_OPTIONS=${UBSAN_OPTIONS:-} \
         LSAN_OPTIONS=${LSAN_OPTIONS:-} PS1='ui-shell\$ ' bash --norc --noprofile"
    ui_tmux set-option -g escape-time 0 >/dev/null
    ui_wait_for 'ui-shell\$' "the shell prompt"
}

# Types a command line; its exit status lands in $UI_DONE, stderr in ui-stderr.
ui_run() {
    rm -f "$UI_DONE"
    ui_tmux send-keys -l "$* 2>$TEST_TMP/ui-stderr; echo \$? >$UI_DONE"
    ui_tmux send-keys Enter
}

ui_keys() { ui_tmux send-keys "$@"; }

ui_screen() { ui_tmux capture-pane -p; }

ui_wait_for() {
    local regex=$1 what=${2:-$1} screen
    for _ in $(seq $((100 * UI_WAIT_SCALE))); do
        screen=$(ui_screen)
        [[ "$screen" =~ $regex ]] && return 0
        sleep 0.1
    done
    echo "--- screen ---" >&2; echo "$screen" >&2
    [[ -f "$TEST_TMP/ui-stderr" ]] && { echo "--- stderr ---" >&2; cat "$TEST_TMP/ui-stderr" >&2; }
    fail "screen never showed $what (/$regex/)"
}

ui_wait_gone() {
    local regex=$1 what=${2:-$1} screen
    for _ in $(seq $((100 * UI_WAIT_SCALE))); do
        screen=$(ui_screen)
        [[ "$screen" =~ $regex ]] || return 0
        sleep 0.1
    done
    echo "$screen" >&2
    fail "screen still shows $what (/$regex/)"
}

ui_wait_loaded() { ui_wait_gone 'loading' "${1:-a list loading}"; }

# A panel says "Users (0)" before its list is even asked for, so its caption
# proves nothing: wait for a row the list must have, then for the load's end.
ui_wait_listed() {
    ui_wait_for "$1" "$2"
    ui_wait_loaded "$2, loaded"
}

# The command ended: status 0, nothing from the sanitizers, and the terminal is
# back to normal (no alternate screen, cursor visible, the shell prompt shown).
ui_wait_exit() {
    local want=${1:-0}
    for _ in $(seq $((150 * UI_WAIT_SCALE))); do [[ -s "$UI_DONE" ]] && break; sleep 0.1; done
    [[ -s "$UI_DONE" ]] || { ui_screen >&2; fail "portalctl did not exit"; }
    local rc; rc=$(cat "$UI_DONE")
    if grep -q -E 'Sanitizer|runtime error' "$TEST_TMP/ui-stderr"; then
        cat "$TEST_TMP/ui-stderr" >&2
        fail "sanitizer report"
    fi
    expect_eq "$want" "$rc" "portalctl exit status"
    ui_wait_for 'ui-shell\$ *$' "the shell prompt after portalctl"
    expect_eq 0 "$(ui_tmux display-message -p '#{alternate_on}')" "alternate screen left"
    expect_eq 1 "$(ui_tmux display-message -p '#{cursor_flag}')" "cursor visible again"
}

# The pid of the command the shell is running: its only child. Found by
# parentage, not by name, so that it is portalctl's pid also when a wrapper
# execs portalctl under valgrind.
ui_command_pid() {
    pgrep -P "$(ui_tmux display-message -p '#{pane_pid}')" | head -1
}
