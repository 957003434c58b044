# The mouse in a real terminal (tmux): off until asked for (M or "set mouse
# on"), then a click selects the row under it and focuses its panel, and the
# wheel scrolls. The clicks are the bytes a terminal sends (X10 mouse
# reports, ESC [ M button column row, each plus 32), written into the pty.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

# report ROW COL BUTTON: the bytes of one mouse report at 0-based ROW and COL;
# click ROW COL: a press of button 1 and its release; wheel_down ROW COL: a notch.
report() { printf '1b 5b 4d %02x %02x %02x' $((32 + $3)) $((32 + $2 + 1)) $((32 + $1 + 1)); }
click() {
    # shellcheck disable=SC2046 # the report is a list of hex bytes
    ui_keys -H $(report "$1" "$2" 0)
    # shellcheck disable=SC2046
    ui_keys -H $(report "$1" "$2" 3)
}
wheel_down() {
    # shellcheck disable=SC2046
    ui_keys -H $(report "$1" "$2" 65)
}

# The 0-based screen row of the first line matching REGEX (grep -E).
row_of() { ui_screen | grep -n -E -m1 "$1" | cut -d: -f1 | awk '{print $1 - 1}'; }

ui_start 110 30
ui_run "$PORTALCTL_BIN" --demo
ui_wait_for 'Connections \(3\)'
ui_wait_for 'Valstorm +demo-valstorm' "the Valstorm connection listed"
valstorm_row=$(row_of 'Valstorm +demo-valstorm')
(( valstorm_row > 0 )) || fail "no Valstorm row on screen"

zoho_row=$(row_of 'Zoho CRM +demo-zoho')

# Off by default: a click changes nothing, so Enter opens the first connection.
click "$zoho_row" 3
ui_keys Enter
ui_wait_for 'portalctl › demo-ecgrid' "the first connection opened (the click ignored)"
ui_keys Escape Escape

# On: a click on the Zoho row selects it; Enter opens it.
ui_keys M
ui_wait_for 'mouse on' "the mouse turned on"
click "$zoho_row" 3
ui_keys Enter
ui_wait_for 'portalctl › demo-zoho' "the clicked connection opened"
ui_wait_for 'Portals \(2\)' "its two portals"

# A click on the second portal focuses the portals panel and selects it;
# Enter there opens that portal (not the first, CustomerHub).
portal_x=$(ui_screen | grep -m1 'PartnerDesk' | awk '{ print index($0, "PartnerDesk") }')
click "$(row_of 'PartnerDesk')" $((portal_x + 1))
ui_keys Enter
ui_wait_for '› PartnerDesk › users' "the clicked portal's users"
# And back to the first, whose users are listed for the wheel.
click "$(row_of 'CustomerHub')" $((portal_x + 1))
ui_keys Enter
ui_wait_for '› CustomerHub › users' "the first portal's users"
ui_wait_for 'Users \([2-9]' "at least two users"

# The wheel scrolls the list under it (3 rows a notch): the highlighted
# (selected) first row is no longer highlighted.
first_user=$(( $(row_of 'Users \(') + 2 ))
line() { ui_tmux capture-pane -p -e | sed -n "$(($1 + 1))p"; }
before=$(line "$first_user")
wheel_down "$first_user" $((portal_x + 1))
for _ in $(seq 50); do
    [[ "$(line "$first_user")" != "$before" ]] && break
    sleep 0.1
done
[[ "$(line "$first_user")" != "$before" ]] || fail "the wheel did not move the selection"
ui_keys M
ui_wait_for 'mouse off' "the mouse turned off again"

ui_keys q
ui_wait_exit 0
echo ok
