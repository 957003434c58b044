# portalctl --demo in a real terminal (tmux): the three demo connections,
# browsing each vendor from connections to portals to users, the detail of a
# row, the status line, and q restoring the terminal and stopping portal-sim.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

ui_start 120 32
ui_run "$PORTALCTL_BIN" --demo
ui_wait_for 'Connections \(3\)' "three connections"
screen=$(ui_screen)
expect_match 'ECGrid +demo-ecgrid' "$screen" "ECGrid group"
expect_match 'Zoho CRM +demo-zoho' "$screen" "Zoho group"
expect_match 'Valstorm +demo-valstorm' "$screen" "Valstorm group"
expect_match '\[demo\]' "$screen" "title says demo"
expect_match '\? help .*q quit' "$screen" "hints line from the keymap"
# The demo's own simulator: the portal-sim child of this portalctl (other
# tests run simulators of their own at the same time).
demo_pid=$(ui_command_pid)
[[ -n "$demo_pid" ]] || fail "no portalctl --demo process"
sim_pid=$(pgrep -P "$demo_pid" -x portal-sim | head -1)
[[ -n "$sim_pid" ]] || fail "no portal-sim running for the demo"

# ECGrid: mailboxes, then the users of mailbox 101, then one user's detail.
ui_keys Enter
ui_wait_for 'Portals \(3\)' "ECGrid portals"
ui_wait_for 'ACME Receiving' "ECGrid mailbox"
ui_wait_for 'demo-ecgrid +ok' "the ok mark"
ui_keys Enter
ui_wait_for 'Users \(5\)' "ECGrid users"
ui_wait_for 'netadmin@example\.com' "an ECGrid user"
ui_wait_for 'users of ACME Receiving: 5 users' "the status line"
ui_keys v
ui_wait_for 'firstName +Nina' "every field in the detail"
ui_keys Escape
ui_wait_gone 'firstName' "the detail"

# Zoho: back to the connections panel, the next connection.
ui_keys Escape Escape j Enter
ui_wait_for 'demo-zoho \(Zoho CRM\)' "Zoho opened"
ui_wait_for 'CustomerHub' "Zoho portal"
ui_keys Enter
ui_wait_for 'Alice Archer' "a Zoho user"

# Valstorm: its portals are known locally (the demo knows the seeded one).
ui_keys Escape Escape j Enter
ui_wait_for 'Customer Hub' "Valstorm portal"
ui_keys Enter
ui_wait_for 'Priya Shah' "a Valstorm user"
ui_wait_for 'demo-valstorm +ok' "the ok mark"

ui_keys q
ui_wait_exit 0
for _ in $(seq 50); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$sim_pid" 2>/dev/null || fail "portal-sim still running after the console quit"
echo ok
