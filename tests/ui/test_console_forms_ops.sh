# Every other operation of the core from the console, on `portalctl --demo`
# (portal-sim, secrets in memory): ECGrid access level, password (never on
# screen), e-mail and sign-out of a user, a portal through ":new portal";
# Zoho deactivate, reactivate, rename, user types and who-am-i; Valstorm rename, "add a portal by
# id", and an invitation of several people pasted as lines.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

ui_start 130 34
ui_run "$PORTALCTL_BIN" --demo
ui_wait_for 'Connections \(3\)'
ui_keys Enter
ui_wait_for 'ACME Shipping'

# ECGrid: a portal for the selected mailbox through the command line.
ui_keys j
ui_keys :
ui_keys -l 'new portal'
ui_keys Enter
ui_wait_for 'Mailbox number +\[102' "the form from :new portal"
ui_keys C-s
ui_wait_for 'create-portal on demo-ecgrid: done'

# ECGrid users: bob's level, password, e-mail, sessions.
ui_keys g Enter
ui_wait_for 'Users \(5\)'
ui_keys G R
ui_wait_for "Change an ECGrid user's access level"
ui_wait_for 'User number +1005 +\(from the selection\)' "the context field"
ui_keys M
ui_wait_for 'New access level +\[MailboxAdmin' "a choice picked by its letter"
ui_keys C-s
ui_wait_for 'set-role on demo-ecgrid: done, 1005'
ui_wait_for 'bob .*MailboxAdmin' "the new level listed"
ui_keys P
ui_wait_for "Set an ECGrid user's password"
ui_keys -l 'N3w!passw0rd'
ui_keys Enter
ui_wait_for 'set-password on demo-ecgrid: done, 1005'
[[ ! "$(ui_tmux capture-pane -p -S -200)" =~ passw0rd ]] || fail "the password on screen"
ui_keys e
ui_wait_for 'Change an ECGrid user'
ui_keys -l 'bob.baker@example.com'
ui_keys C-s
ui_wait_for 'update-user on demo-ecgrid: done, 1005'
ui_wait_for 'bob\.baker@example\.com' "the new e-mail listed"
ui_keys S
ui_wait_for 'Sign a user out everywhere'
ui_keys y
ui_wait_for 'reset-sessions on demo-ecgrid: done, 1005'
ui_wait_loaded "the users reloaded after the change"

# Zoho: deactivate and reactivate Alice, rename a portal.
ui_keys Escape Escape j Enter
ui_wait_for 'CustomerHub'
ui_keys Enter
ui_wait_for 'Alice Archer'
ui_keys D
ui_wait_for 'deactivate a portal user'
ui_keys y
ui_wait_for 'deactivate-user on demo-zoho: done'
ui_keys A
ui_wait_for 'reactivate a deactivated portal user'
ui_keys y
ui_wait_for 'reactivate-user on demo-zoho: done'
ui_wait_loaded "the users reloaded after the change"
ui_keys Escape
ui_keys T
ui_wait_for 'list-user-types on demo-zoho: 1 record' "the user types (a read)"
ui_wait_for 'name +Customers'
ui_keys Escape W
ui_wait_for 'whoami on demo-zoho: 1 record' "who am i (a read)"
ui_wait_for 'status +authenticated'
ui_keys Escape
ui_keys G e
ui_wait_for 'Rename a Zoho portal'
ui_keys -l 'PartnerDesk2'
ui_keys C-s
ui_wait_for 'update-portal on demo-zoho: done'
ui_wait_for 'PartnerDesk2' "the renamed portal listed"
ui_wait_loaded "the portals reloaded after the change"

# Valstorm: rename, remember a portal by id, invite several people.
ui_keys Escape Escape j Enter
ui_wait_for 'Customer Hub'
ui_keys e
ui_wait_for 'Change a Valstorm portal'
ui_keys -l 'Customer Hub Two'
ui_keys C-s
ui_wait_for 'update-portal on demo-valstorm: done'
ui_wait_for 'Customer Hub Two' "the new name listed"
ui_keys a
ui_wait_for 'Add an existing Valstorm portal'
ui_keys -l 'portal_zz9'
ui_keys Enter
ui_wait_for 'remembered portal portal_zz9'
ui_wait_for 'Portals \(2\)' "the remembered portal listed"
ui_keys g Enter
ui_wait_for 'Priya Shah'
ui_keys i
ui_wait_for 'Invite a person to a Valstorm portal'
ui_keys Up Up
ui_wait_for 'Or paste several people'
ui_keys -l 'ann@example.com, Ann, Archer'
ui_keys Enter
ui_keys -l 'carl@example.com'
ui_keys C-s
ui_wait_for 'invite-users on demo-valstorm: done' "several people invited"
ui_wait_for 'carl@example\.com' "an invited person listed"
ui_keys q
ui_wait_exit 0
echo ok
