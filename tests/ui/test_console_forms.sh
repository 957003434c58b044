# Forms and write actions in a real terminal (tmux) against a real portal-sim
# and the real keyring: a portal created on each vendor through its form, an
# ECGrid user created (the typed password never on screen), an invalid field
# refused with nothing sent (the simulator's request log does not grow), a
# Zoho ALREADY_USED refusal landing beside "name", a Valstorm portal deleted
# only after its name is typed (No by default), a user removed after a
# confirmation, a resize inside a form keeping what was typed, and the audit
# log written for every change.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/tmux.sh"

start_sim
config="$TEST_TMP/portalctl.ini"
cat >"$config" <<INI
[connection acme-ecgrid]
vendor = ecgrid
url = $SIM_URL

[connection acme-valstorm]
vendor = valstorm
url = $SIM_URL

[connection acme-zoho]
vendor = zoho
url = $SIM_URL
accounts_url = $SIM_URL
client_id = sim-zoho-client
INI
store() { echo "$3" | "$PORTALCTL_BIN" --config "$config" auth set "$1" "$2" >/dev/null 2>&1 ||
    fail "could not store $2 of $1"; }
store acme-ecgrid api-key sim-ecgrid-netadmin
store acme-valstorm api-key sim-valstorm-admin
store acme-zoho client-secret sim-zoho-secret
store acme-zoho refresh-token sim-zoho-refresh
requests() { wc -l <"$SIM_LOG"; }
audit="$TEST_TMP/state/portalctl/audit.jsonl"

ui_start 130 34
ui_run "$PORTALCTL_BIN" --config "$config" acme-ecgrid
ui_wait_for 'New Customer' "the ECGrid mailboxes"
ui_wait_for 'n new' "the change hints"

# ECGrid: a portal for mailbox 7890, its number taken from the selection.
ui_keys G
ui_keys n
ui_wait_for 'Create an ECGrid portal' "the create-portal form"
ui_wait_for '\* Mailbox number +\[7890' "the mailbox prefilled from the selection"
ui_keys C-s
ui_wait_for 'create-portal on acme-ecgrid: done' "the portal created"
ui_wait_gone 'Create an ECGrid portal' "the form closed"
grep -q '"operation":"create-portal".*"result":"ok"' "$audit" || fail "no audit line for create-portal"

# ECGrid: a user in mailbox 101; the password is masked and never on screen.
ui_keys g Enter
ui_wait_for 'Users \(5\)' "the users of ACME Receiving"
ui_keys n
ui_wait_for 'Create an ECGrid user' "the create-user form"
ui_keys -l 'carol'
ui_keys Tab
ui_keys -l 'Sup3r!Secret'
ui_wait_for '\[\*{12}' "the password masked"
[[ ! "$(ui_screen)" =~ Sup3r ]] || fail "the typed password is on screen"
ui_keys Tab
ui_keys -l 'carol@example.com'
ui_wait_for 'carol@example\.com'
ui_keys Tab Tab Tab Tab Tab   # first and last name, network, mailbox: to the access level
ui_keys Space
ui_wait_for 'Access level +\[TPUser' "the enum changed with Space"
ui_keys C-s
ui_wait_for 'create-user on acme-ecgrid: done' "the user created"
ui_wait_for 'carol@example\.com' "the new user in the list"
[[ ! "$(ui_tmux capture-pane -p -S -200)" =~ Sup3r ]] || fail "the password reached the screen"

# An invalid field: refused beside the field, nothing sent.
ui_keys n
ui_wait_for 'Create an ECGrid user'
ui_keys -l 'dave'
ui_keys Tab
ui_keys -l 'weak'
ui_keys Tab
ui_wait_for 'Password +\[\*{4} *\] +! ' "the error beside the password, as the field is left"
ui_keys -l 'dave@example.com'
before=$(requests)
ui_keys C-s
ui_wait_for 'problem.* nothing was sent' "the submit refused"
sleep 0.3
expect_eq "$before" "$(requests)" "requests sent for an invalid form"

# Resize inside the form: the layout follows, the values stay.
ui_tmux resize-window -x 72 -y 20
ui_wait_for 'Login +\[dave +\]' "the form after a resize"
ui_wait_for 'E-mail +\[dave@example' "an unfocused field shows its beginning"
ui_tmux resize-window -x 50 -y 12
ui_wait_for 'terminal too small'
ui_tmux resize-window -x 130 -y 34
ui_wait_for 'Login +\[dave' "the value kept through the resizes"

# Esc with something typed asks first; No keeps the form.
ui_keys Escape
ui_wait_for 'Forget what you typed' "the discard question"
ui_keys Enter
ui_wait_for 'Login +\[dave' "No (the default) keeps the form"
ui_keys Escape y
ui_wait_gone 'Create an ECGrid user' "the form closed after yes"

# Zoho: ALREADY_USED lands beside the name; the value stays and can be fixed.
ui_keys :
ui_keys -l 'connect acme-zoho'
ui_keys Enter
ui_wait_for 'CustomerHub' "the Zoho portals"
ui_keys n
ui_wait_for 'Create a Zoho portal'
ui_keys -l 'CustomerHub'
ui_keys C-s
ui_wait_for 'Portal name +\[CustomerHub *\] +! ' "the refusal beside the name"
ui_wait_for 'already' "the vendor's words"
for _ in $(seq 11); do ui_keys BSpace; done
ui_keys -l 'PartnerHub7'
ui_keys Enter
ui_wait_for 'create-portal on acme-zoho: done' "the fixed name created"
ui_wait_for 'PartnerHub7' "the new portal listed"

# Zoho: remove a user; the question defaults to No.
ui_keys g Enter
ui_wait_for 'Alice Archer' "the Zoho users"
ui_keys d
ui_wait_for '\[ No \]' "the confirmation"
before=$(requests)
ui_keys Enter
ui_wait_for 'not confirmed: nothing was sent'
expect_eq "$before" "$(requests)" "requests sent after No"
ui_keys d
ui_wait_for '\[ No \]'
ui_keys y
ui_wait_for 'remove-user on acme-zoho: done' "the user removed"

# Valstorm: create a portal, then delete it with its name typed.
ui_keys :
ui_keys -l 'connect acme-valstorm'
ui_keys Enter
ui_wait_for 'acme-valstorm \(Valstorm\)'
ui_keys n
ui_wait_for 'Create a Valstorm portal'
ui_keys -l 'Test Portal'
ui_keys Tab
ui_keys -l 'help.test.example'
ui_keys Enter
ui_wait_for 'create-portal on acme-valstorm: done' "the Valstorm portal created"
ui_wait_for 'Test Portal' "listed (known locally)"
ui_keys d
ui_wait_for 'Type Test Portal to confirm' "the typed-name question"
before=$(requests)
ui_keys Enter
ui_wait_for 'type the name exactly' "Enter alone deletes nothing"
ui_keys -l 'Test Portl'
ui_keys Enter
ui_wait_for 'type the name exactly'
expect_eq "$before" "$(requests)" "requests sent before the name was typed"
ui_keys Escape
ui_wait_for 'not confirmed: nothing was sent'
ui_keys d
ui_wait_for 'Type Test Portal to confirm'
ui_keys -l 'Test '
ui_tmux resize-window -x 80 -y 24 # resizing inside the question keeps it and what was typed
ui_wait_for '> Test +│' "the question after a resize"
ui_tmux resize-window -x 130 -y 34
ui_keys -l 'Portal'
ui_keys Enter
ui_wait_for 'delete-portal on acme-valstorm: done' "the portal deleted"
grep -q '"DELETE"' "$SIM_LOG" || grep -q 'DELETE' "$SIM_LOG" || fail "no DELETE reached portal-sim"
grep -q '"operation":"delete-portal".*"result":"ok"' "$audit" || fail "no audit line for delete-portal"

ui_keys q
ui_wait_exit 0
echo ok
