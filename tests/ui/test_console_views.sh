# The console's views in a real terminal (tmux): the incremental filter, the
# help screen generated from the keymap (and filtered), the command line,
# resizing down to "terminal too small" and back, NO_COLOR, and Ctrl-C and
# SIGTERM restoring the terminal.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

ui_start 110 30
ui_run "$PORTALCTL_BIN" --demo demo-ecgrid 2>/dev/null || true
ui_wait_exit 2 # --demo takes no operand
ui_run "$PORTALCTL_BIN" --demo
ui_wait_for 'Connections \(3\)'
ui_keys Enter
ui_wait_for 'ACME Receiving'
ui_keys Enter
ui_wait_for 'Users \(5\)'

# Filter: incremental, case-insensitive; Enter keeps it, Esc clears it.
ui_keys /
ui_keys -l 'ALI'
ui_wait_for 'Users \(1 of 5\)  filter: ALI' "the filtered caption"
screen=$(ui_screen)
expect_match 'alice@example\.com' "$screen" "alice matches"
[[ ! "$screen" =~ bob@example ]] || fail "bob shown under filter ALI"
ui_keys BSpace BSpace BSpace
ui_keys -l 'bob'
ui_wait_for 'Users \(1 of 5\)  filter: bob'
ui_wait_for 'bob@example\.com'
ui_keys Enter
ui_wait_for 'q quit' "hints back after Enter"
ui_wait_for 'filter: bob' "the filter kept"
ui_keys Escape
ui_wait_for 'Users \(5\)' "the filter cleared"

# Help: generated from the keymap, filterable.
ui_keys '?'
ui_wait_for 'toggle-mouse' "the help screen"
ui_wait_for 'main +r +refresh' "refresh's key"
ui_keys /
ui_keys -l 'mouse'
ui_wait_for 'filter: mouse' "help filter"
screen=$(ui_screen)
[[ ! "$screen" =~ move-up ]] || fail "help filter shows move-up"
ui_keys Enter Escape Escape
ui_wait_gone 'toggle-mouse' "the help screen"

# The command line: Tab completes, Enter runs what was typed.
ui_keys :
ui_keys -l 'conn'
ui_keys Tab
ui_wait_for $':connect *\n' "completed command"
ui_keys -l 'demo-z'
ui_keys Tab
ui_wait_for ':connect demo-zoho' "completed connection"
ui_keys Enter
ui_wait_for 'demo-zoho \(Zoho CRM\)' "the command ran"
ui_wait_for 'CustomerHub'
ui_keys :
ui_keys -l 'nonsense'
ui_keys Enter
ui_wait_for "Error: unknown command ':nonsense'" "unknown command refused"

# Resize: too small, then back, with the state intact.
ui_tmux resize-window -x 50 -y 12
ui_wait_for 'terminal too small: 50×12, portalctl needs 60×15'
ui_tmux resize-window -x 110 -y 30
ui_wait_for 'Portals \(2\)' "panels back after resize"
ui_wait_for 'CustomerHub'

# Ctrl-C quits cleanly and restores the terminal.
ui_keys C-c
ui_wait_exit 0

# NO_COLOR: no colour escape sequences at all; with colour, there are some.
ui_run "$PORTALCTL_BIN" --demo
ui_wait_for 'Connections \(3\)'
coloured=$(ui_tmux capture-pane -p -e)
[[ "$coloured" =~ $'\e['(3[0-7]|4[0-7]|38|48)[\;m] ]] || fail "no colour without NO_COLOR"
ui_keys q
ui_wait_exit 0
ui_run env NO_COLOR=1 "$PORTALCTL_BIN" --demo
ui_wait_for 'Connections \(3\)'
plain=$(ui_tmux capture-pane -p -e)
[[ ! "$plain" =~ $'\e['([0-9]+\;)*(3[0-7]|4[0-7]|38|48)[\;m] ]] || fail "colour despite NO_COLOR"
expect_match $'\e\\[[0-9;]*7m' "$plain" "the selection still shown (reverse video)"

# SIGTERM quits cleanly too.
kill -TERM "$(ui_command_pid)" || fail "no portalctl to signal"
ui_wait_exit 0
echo ok
