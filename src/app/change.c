/*
 * The console's changes (see change.h): what an intent means where the user
 * is (a table), the form and its initial values, the check of what was
 * typed (several people line by line), and the confirmation question.
 * Running them is change_run.c.
 */
#include "change_internal.h"

#include <string.h>

#include <portalctl/vendor_fields.h>

/* ---- what an intent means: candidates in order, the first the vendor has wins ---- */

#define NO_OP VOP_COUNT

struct intent_rule {
    enum change_intent intent;
    enum change_scope scope;
    enum vendor_op ops[2];
    const char *what; /* for "X has no …" */
};

static const struct intent_rule intent_rules[] = {
    {CHANGE_NEW, CHANGE_SCOPE_PORTALS, {VOP_CREATE_PORTAL, NO_OP}, "creating portals"},
    {CHANGE_NEW, CHANGE_SCOPE_USERS, {VOP_CREATE_USER, VOP_INVITE_USERS}, "creating users"},
    {CHANGE_EDIT, CHANGE_SCOPE_PORTALS, {VOP_UPDATE_PORTAL, NO_OP}, "changing portals"},
    {CHANGE_EDIT, CHANGE_SCOPE_USERS, {VOP_UPDATE_USER, NO_OP}, "changing users"},
    {CHANGE_DELETE, CHANGE_SCOPE_PORTALS, {VOP_DELETE_PORTAL, NO_OP}, "deleting portals"},
    {CHANGE_DELETE, CHANGE_SCOPE_USERS, {VOP_REMOVE_USER, NO_OP}, "removing users"},
    {CHANGE_INVITE, CHANGE_SCOPE_PORTALS, {VOP_INVITE_USERS, VOP_CREATE_USER}, "inviting"},
    {CHANGE_INVITE, CHANGE_SCOPE_USERS, {VOP_INVITE_USERS, VOP_CREATE_USER}, "inviting"},
    {CHANGE_SET_ROLE, CHANGE_SCOPE_USERS, {VOP_SET_ROLE, NO_OP}, "access levels"},
    {CHANGE_SET_PASSWORD, CHANGE_SCOPE_USERS, {VOP_SET_PASSWORD, NO_OP}, "setting passwords"},
    {CHANGE_RESET_SESSIONS, CHANGE_SCOPE_USERS, {VOP_RESET_SESSIONS, NO_OP}, "ending sessions"},
    {CHANGE_DEACTIVATE, CHANGE_SCOPE_USERS, {VOP_DEACTIVATE_USER, NO_OP}, "deactivating users"},
    {CHANGE_REACTIVATE, CHANGE_SCOPE_USERS, {VOP_REACTIVATE_USER, NO_OP}, "reactivating users"},
    {CHANGE_WHOAMI, CHANGE_SCOPE_CONNECTIONS, {VOP_WHOAMI, NO_OP}, "who-am-i"},
    {CHANGE_WHOAMI, CHANGE_SCOPE_PORTALS, {VOP_WHOAMI, NO_OP}, "who-am-i"},
    {CHANGE_WHOAMI, CHANGE_SCOPE_USERS, {VOP_WHOAMI, NO_OP}, "who-am-i"},
    {CHANGE_USER_TYPES, CHANGE_SCOPE_PORTALS, {VOP_LIST_USER_TYPES, NO_OP}, "user types"},
    {CHANGE_USER_TYPES, CHANGE_SCOPE_USERS, {VOP_LIST_USER_TYPES, NO_OP}, "user types"},
};

static bool is_portal_op(enum vendor_op op)
{
    return op == VOP_CREATE_PORTAL || op == VOP_UPDATE_PORTAL || op == VOP_DELETE_PORTAL;
}

/* The operation of the table that fits, or NULL with *why. */
static const struct vendor_operation *pick_operation(const struct vendor_ops *vendor,
                                                     enum change_intent intent,
                                                     enum change_scope scope, char **why)
{
    const struct intent_rule *wanted = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(intent_rules); i++) {
        const struct intent_rule *rule = &intent_rules[i];
        if (rule->intent != intent || rule->scope != scope)
            continue;
        wanted = rule;
        for (size_t k = 0; k < G_N_ELEMENTS(rule->ops) && rule->ops[k] != NO_OP; k++) {
            const struct vendor_operation *operation = vendor_find_operation(vendor, rule->ops[k]);
            if (operation)
                return operation;
        }
    }
    static const char *const scope_names[] = {"the connections", "the portals", "the users"};
    *why = wanted
               ? g_strdup_printf("%s offers no %s", vendor->title, wanted->what)
               : g_strdup_printf(
                     "nothing of that kind applies to %s (select a %s first)", scope_names[scope],
                     intent == CHANGE_NEW || intent == CHANGE_DELETE || intent == CHANGE_EDIT
                         ? "portal or user"
                         : "user");
    return NULL;
}

bool change_allowed(const struct browser *browser, int connection)
{
    const struct browser_connection *c =
        connection < 0 ? NULL : browser_connection_at(browser, (size_t)connection);
    return !browser->read_only && (!c || !c->read_only);
}

/* ---- building one ------------------------------------------------------------------ */

static struct change *change_new(struct browser *browser, enum change_kind kind,
                                 enum change_intent intent,
                                 const struct change_selection *selection)
{
    struct change *change = g_new0(struct change, 1);
    change->browser = browser;
    change->kind = kind;
    change->intent = intent;
    change->connection = selection->connection;
    change->portal_id = g_strdup(selection->portal_id);
    change->portal_name = g_strdup(selection->portal_name);
    change->user_id = g_strdup(selection->user_id);
    change->user_name = g_strdup(selection->user_name);
    change->field_errors = form_errors_new();
    change->row_lines = g_array_new(FALSE, FALSE, sizeof(int));
    api_error_init(&change->error);
    record_list_init(&change->result);
    return change;
}

/* Checks what the operation needs from the selection. */
static bool has_what_it_needs(const struct change *change, char **why)
{
    const struct vendor_operation *op = change->operation;
    bool portal_op = is_portal_op(op->op);
    if ((op->needs_portal || (portal_op && op->needs_target) || op->op == VOP_UPDATE_PORTAL ||
         op->op == VOP_DELETE_PORTAL) &&
        !change->portal_id) {
        *why = g_strdup("select a portal first");
        return false;
    }
    if (!portal_op && op->needs_target && !change->user_id) {
        *why = g_strdup("select a user first");
        return false;
    }
    return true;
}

static struct change *prepare_vendor(struct browser *browser, enum change_intent intent,
                                     const struct change_selection *selection, char **why)
{
    struct browser_connection *c = browser_connection_at(browser, (size_t)selection->connection);
    const struct vendor_operation *operation =
        pick_operation(c->vendor, intent, selection->scope, why);
    if (!operation)
        return NULL;
    struct change *change = change_new(browser, CHANGE_KIND_VENDOR, intent, selection);
    change->operation = operation;
    if (!has_what_it_needs(change, why)) {
        change_free(change);
        return NULL;
    }
    change->form = operation->form;
    change->several = operation->op == VOP_INVITE_USERS && operation->form;
    change->title = g_strdup(operation->form ? operation->form->title : operation->help);
    return change;
}

static struct change *prepare_special(struct browser *browser, enum change_intent intent,
                                      const struct change_selection *selection,
                                      const char *config_path, char **why)
{
    struct browser_connection *c =
        selection->connection < 0 ? NULL
                                  : browser_connection_at(browser, (size_t)selection->connection);
    if (intent == CHANGE_NEW) {
        struct change *change = change_new(browser, CHANGE_KIND_CONNECTION, intent, selection);
        change->form = &change_connection_form;
        change->config_path = g_strdup(config_path);
        change->title = g_strdup(change_connection_form.title);
        return change;
    }
    if (!c) {
        *why = g_strdup("select a connection first");
        return NULL;
    }
    if (intent == CHANGE_ADD_PORTAL && !c->vendor->local_portal_list) {
        *why = g_strdup_printf("%s lists its portals itself: there is nothing to add",
                               c->vendor->title);
        return NULL;
    }
    bool known = intent == CHANGE_ADD_PORTAL;
    struct change *change =
        change_new(browser, known ? CHANGE_KIND_KNOWN : CHANGE_KIND_CREDENTIALS, intent, selection);
    change->form = known ? &valstorm_add_portal_form : change_credentials_form(c->config->vendor);
    change->title = g_strdup_printf("%s: %s", c->config->name, change->form->title);
    return change;
}

static bool is_special(enum change_intent intent, enum change_scope scope)
{
    return intent == CHANGE_CREDENTIALS || intent == CHANGE_ADD_PORTAL ||
           (scope == CHANGE_SCOPE_CONNECTIONS && (intent == CHANGE_NEW || intent == CHANGE_EDIT));
}

struct change *change_prepare(struct browser *browser, enum change_intent intent,
                              const struct change_selection *selection, const char *config_path,
                              char **why)
{
    *why = NULL;
    bool read = intent == CHANGE_WHOAMI || intent == CHANGE_USER_TYPES;
    if (!read && !change_allowed(browser, selection->connection)) {
        *why = g_strdup("read-only: changes are refused, nothing is sent");
        return NULL;
    }
    if (intent == CHANGE_EDIT && selection->scope == CHANGE_SCOPE_CONNECTIONS)
        intent = CHANGE_CREDENTIALS; /* what the console edits of a connection */
    if (is_special(intent, selection->scope))
        return prepare_special(browser, intent, selection, config_path, why);
    struct browser_connection *c =
        selection->connection < 0 ? NULL
                                  : browser_connection_at(browser, (size_t)selection->connection);
    if (!c) {
        *why = g_strdup("open a connection first (Enter on it)");
        return NULL;
    }
    if (!c->vendor) {
        *why = g_strdup_printf("this build has no adapter for %s",
                               config_vendor_name(c->config->vendor));
        return NULL;
    }
    return prepare_vendor(browser, intent, selection, why);
}

bool change_is_read(const struct change *change)
{
    return change->operation && !change->operation->changes;
}

void change_free(struct change *change)
{
    if (!change)
        return;
    if (change->ticket) /* in flight: let its report go nowhere */
        change_detach(change);
    g_free(change->portal_id);
    g_free(change->portal_name);
    g_free(change->user_id);
    g_free(change->user_name);
    g_free(change->config_path);
    g_free(change->title);
    g_free(change->summary);
    form_errors_free(change->field_errors);
    g_array_unref(change->row_lines);
    api_error_clear(&change->error);
    record_list_clear(&change->result);
    g_free(change);
}

/* ---- the form's values --------------------------------------------------------------- */

struct form_values *change_initial_values(const struct change *change)
{
    struct form_values *values = form_values_new();
    const struct form_spec *form = change->form;
    for (size_t i = 0; form && i < form->count; i++) {
        const struct field_spec *field = &form->fields[i];
        if (field->from_context && change->user_id)
            form_values_set(values, field->key, change->user_id);
    }
    /* ECGrid: a new portal or user belongs to the mailbox selected. */
    if (change->operation && change->portal_id && form_spec_field(form, "mailboxId") &&
        (change->operation->op == VOP_CREATE_PORTAL || change->operation->op == VOP_CREATE_USER))
        form_values_set(values, "mailboxId", change->portal_id);
    return values;
}

/* One line of several people: "e-mail, first name, last name" (commas,
 * semicolons or tabs), onto the first three fields of the invite form. */
static struct form_values *line_row(const struct form_spec *form, const struct form_values *values,
                                    const char *line)
{
    struct form_values *row = form_values_new();
    /* The fields after the person's (type, user type) apply to every line. */
    for (size_t i = 3; i < form->count; i++) {
        const char *v = form_values_get(values, form->fields[i].key);
        if (v)
            form_values_set(row, form->fields[i].key, v);
    }
    char **parts = g_strsplit_set(line, ",;\t", 4);
    for (size_t i = 0; parts[i] && i < 3 && i < form->count; i++) {
        char *part = g_strstrip(parts[i]);
        if (*part)
            form_values_set(row, form->fields[i].key, part);
    }
    if (g_strv_length(parts) > 3)
        form_values_set(row, "(extra)", parts[3]); /* refused: an unknown field */
    g_strfreev(parts);
    return row;
}

static bool single_given(const struct form_spec *form, const struct form_values *values)
{
    for (size_t i = 0; i < 3 && i < form->count; i++) {
        if (form_values_get(values, form->fields[i].key))
            return true;
    }
    return false;
}

/* Checks one row; errors go on the field, or on the people field with the line. */
static bool check_row(const struct form_spec *form, const struct form_values *row, int line,
                      struct form_errors *errors)
{
    struct form_errors *found = form_errors_new();
    bool ok = form_validate(form, row, found);
    for (size_t e = 0; e < form_errors_count(found); e++) {
        const char *key = form_errors_key_at(found, e);
        const char *message = form_errors_message_at(found, e);
        if (line < 0)
            form_errors_add(errors, key, message);
        else
            form_errors_addf(errors, CHANGE_PEOPLE_KEY, "line %d: %s %s", line + 1, key ? key : "",
                             message);
    }
    form_errors_free(found);
    return ok;
}

GPtrArray *change_build_rows(const struct change *change, const struct form_values *values,
                             GArray *row_lines, struct form_errors *errors)
{
    const struct form_spec *form = change->form;
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)form_values_free);
    bool ok = true;
    const char *people = change->several ? form_values_get(values, CHANGE_PEOPLE_KEY) : NULL;
    struct form_values *single = form_values_select(form, values);
    if (!people || single_given(form, values)) {
        ok &= check_row(form, single, -1, errors);
        g_ptr_array_add(rows, single);
        int line = -1;
        g_array_append_val(row_lines, line);
    } else {
        form_values_free(single);
    }
    char **lines = people ? g_strsplit(people, "\n", -1) : NULL;
    for (int i = 0; lines && lines[i]; i++) {
        if (!*g_strstrip(lines[i]))
            continue;
        struct form_values *row = line_row(form, values, lines[i]);
        ok &= check_row(form, row, i, errors);
        g_ptr_array_add(rows, row);
        g_array_append_val(row_lines, i);
    }
    g_strfreev(lines);
    if (!ok) {
        g_ptr_array_unref(rows);
        return NULL;
    }
    return rows;
}

bool change_check(const struct form_values *values, struct form_errors *errors, void *user)
{
    const struct change *change = user;
    form_errors_clear(errors);
    if (!change->form)
        return true;
    if (!change->several)
        return form_validate(change->form, values, errors);
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(int));
    GPtrArray *rows = change_build_rows(change, values, lines, errors);
    g_array_unref(lines);
    if (rows)
        g_ptr_array_unref(rows);
    return rows != NULL;
}

/* ---- confirmation ---------------------------------------------------------------------- */

char *change_confirmation(const struct change *change, char **typed_name)
{
    *typed_name = NULL;
    const struct vendor_operation *op = change->operation;
    if (!op || !op->changes || (op->form && !op->destructive))
        return NULL;
    struct browser_connection *c = change_connection(change);
    const char *user = change->user_name ? change->user_name : change->user_id;
    const char *portal = change->portal_name ? change->portal_name : change->portal_id;
    if (op->op == VOP_DELETE_PORTAL) {
        *typed_name = g_strdup(portal);
        return g_strdup_printf("Portal %s (%s) on %s, with everything in it. This cannot be "
                               "undone.",
                               portal, change->portal_id, c->config->name);
    }
    if (is_portal_op(op->op))
        return g_strdup_printf("Portal %s (%s) on %s. Go ahead?", portal ? portal : "",
                               change->portal_id, c->config->name);
    GString *q = g_string_new(NULL);
    g_string_append_printf(q, "User %s", user ? user : "");
    if (change->user_id && g_strcmp0(user, change->user_id) != 0)
        g_string_append_printf(q, " (%s)", change->user_id);
    if (portal && op->needs_portal)
        g_string_append_printf(q, " of portal %s", portal);
    g_string_append_printf(q, " on %s. Go ahead?", c->config->name);
    return g_string_free(q, FALSE);
}
