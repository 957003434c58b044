/*
 * The console's side of changes: what is selected where the action was
 * asked for, the form or question that opens for it, and what happens when
 * the change ends (its form closes, or the refusal lands on its fields with
 * every typed value kept). The work itself — which vendor operation, the
 * request, the job, the audit line — is app/change.c.
 */
#include "ui_internal.h"

#include <string.h>

static const struct {
    enum ui_action action;
    enum change_intent intent;
} action_intents[] = {
    {UI_ACTION_NEW, CHANGE_NEW},
    {UI_ACTION_EDIT, CHANGE_EDIT},
    {UI_ACTION_DELETE, CHANGE_DELETE},
    {UI_ACTION_INVITE, CHANGE_INVITE},
    {UI_ACTION_SET_ROLE, CHANGE_SET_ROLE},
    {UI_ACTION_SET_PASSWORD, CHANGE_SET_PASSWORD},
    {UI_ACTION_RESET_SESSIONS, CHANGE_RESET_SESSIONS},
    {UI_ACTION_DEACTIVATE, CHANGE_DEACTIVATE},
    {UI_ACTION_REACTIVATE, CHANGE_REACTIVATE},
    {UI_ACTION_ADD_PORTAL, CHANGE_ADD_PORTAL},
    {UI_ACTION_CREDENTIALS, CHANGE_CREDENTIALS},
    {UI_ACTION_WHOAMI, CHANGE_WHOAMI},
    {UI_ACTION_USER_TYPES, CHANGE_USER_TYPES},
};

static bool intent_of(enum ui_action action, enum change_intent *intent)
{
    for (size_t i = 0; i < G_N_ELEMENTS(action_intents); i++) {
        if (action_intents[i].action == action) {
            *intent = action_intents[i].intent;
            return true;
        }
    }
    return false;
}

/* The connection a change on the focused panel would go through. */
static int focused_connection(const struct console *console)
{
    if (console->focus != UI_PANEL_CONNECTIONS)
        return console->browser->current;
    const struct record *row = list_model_selected(&console->panels[UI_PANEL_CONNECTIONS].model);
    return row ? browser_find_connection(console->browser, record_get(row, RECORD_ID))
               : console->browser->current;
}

bool changes_action_visible(const struct console *console, enum ui_action action)
{
    if (!ui_action_is_change(action))
        return true;
    return change_allowed(console->browser, focused_connection(console));
}

static const char *name_of(const struct record *record)
{
    const char *name = record ? record_get(record, RECORD_NAME) : NULL;
    if (!name && record)
        name = record_get(record, RECORD_EMAIL);
    return name;
}

static struct change_selection selection_for(struct console *console, enum change_scope scope)
{
    struct browser *b = console->browser;
    struct change_selection s = {.scope = scope, .connection = b->current};
    if (scope == CHANGE_SCOPE_CONNECTIONS) {
        s.connection = focused_connection(console);
        return s;
    }
    if (scope == CHANGE_SCOPE_PORTALS) {
        const struct record *portal = list_model_selected(&console->panels[UI_PANEL_PORTALS].model);
        s.portal_id = portal ? record_get(portal, RECORD_ID) : NULL;
        s.portal_name = name_of(portal);
        return s;
    }
    s.portal_id = b->users.owner;
    s.portal_name = b->users.owner_title;
    const struct record *user = list_model_selected(&console->panels[UI_PANEL_USERS].model);
    s.user_id = user ? record_get(user, RECORD_ID) : NULL;
    s.user_name = name_of(user);
    return s;
}

static void open_form(struct console *console, struct change *change)
{
    struct browser_connection *c =
        change->connection >= 0
            ? browser_connection_at(console->browser, (size_t)change->connection)
            : NULL;
    char *title = c && change->kind == CHANGE_KIND_VENDOR
                      ? g_strdup_printf("%s  (%s)", change->title, c->config->name)
                      : g_strdup(change->title);
    struct form_model *form = form_model_new(title);
    g_free(title);
    form_model_add_spec(form, change->form);
    if (change->several)
        form_model_add_field(form, &change_people_field, FORM_FIELD_MULTILINE);
    form_model_set_checker(form, change_check, change);
    struct form_values *initial = change_initial_values(change);
    for (size_t i = 0; i < form_values_count(initial); i++)
        form_model_set_value(form, form_values_key_at(initial, i),
                             form_values_value_at(initial, i));
    form_values_free(initial);
    console->form = form;
}

enum ui_result changes_run_in_scope(struct console *console, enum ui_action action,
                                    enum change_scope scope)
{
    enum change_intent intent;
    if (!intent_of(action, &intent))
        return UI_DONE;
    if (change_running(console->change)) {
        browser_set_message(console->browser, true, "a change is still in flight: wait for it");
        return UI_REDRAW;
    }
    changes_drop(console);
    struct change_selection selection = selection_for(console, scope);
    char *why = NULL;
    struct change *change =
        change_prepare(console->browser, intent, &selection, console->config_path, &why);
    if (!change) {
        browser_set_message(console->browser, true, "%s", why);
        g_free(why);
        return UI_REDRAW;
    }
    console->change = change;
    if (change->form) {
        open_form(console, change);
        return UI_REDRAW;
    }
    char *typed = NULL;
    char *question = change_confirmation(change, &typed);
    if (question)
        dialog_open(console, DIALOG_CONFIRM_CHANGE, change->title, question, typed);
    else
        change_start(change, NULL);
    g_free(question);
    g_free(typed);
    return UI_REDRAW;
}

enum ui_result changes_run_action(struct console *console, enum ui_action action)
{
    static const enum change_scope scopes[] = {
        [UI_PANEL_CONNECTIONS] = CHANGE_SCOPE_CONNECTIONS,
        [UI_PANEL_PORTALS] = CHANGE_SCOPE_PORTALS,
        [UI_PANEL_USERS] = CHANGE_SCOPE_USERS,
    };
    return changes_run_in_scope(console, action, scopes[console->focus]);
}

enum ui_result changes_confirmed(struct console *console)
{
    if (console->change)
        change_start(console->change, NULL);
    return UI_REDRAW;
}

enum ui_result changes_submit(struct console *console)
{
    struct form_model *form = console->form;
    if (!form || form->busy || !console->change)
        return UI_DONE;
    if (!form_model_check_all(form)) {
        browser_set_message(
            console->browser, true, "%zu problem%s in the form (marked !): nothing was sent",
            form_model_error_count(form), form_model_error_count(form) == 1 ? "" : "s");
        return UI_REDRAW;
    }
    struct form_values *values = form_model_values(form);
    form->busy = true;
    change_start(console->change, values);
    form_values_free(values);
    return UI_REDRAW;
}

void changes_drop(struct console *console)
{
    form_close(console);
    change_free(console->change);
    console->change = NULL;
}

/* A refusal: every value stays, the errors go beside their fields. */
static void show_refusal(struct console *console, struct change *change)
{
    struct form_model *form = console->form;
    form->busy = false;
    form_model_clear_errors(form);
    size_t placed = form_model_apply_api_error(form, &change->error);
    for (size_t i = 0; i < form_errors_count(change->field_errors); i++) {
        const char *key = form_errors_key_at(change->field_errors, i);
        struct form_model_field *field = form_model_find(form, key);
        if (field && !field->error) {
            form_model_set_error(form, key, form_errors_message_at(change->field_errors, i));
            placed++;
        }
    }
    (void)placed;
}

bool changes_poll(struct console *console)
{
    struct change *change = console->change;
    if (!change || (change->state != CHANGE_DONE && change->state != CHANGE_FAILED))
        return false;
    if (console->form && !console->form->busy)
        return false; /* already shown */
    g_free(console->notice);
    console->notice = g_strdup(change->summary);
    console->notice_is_error = change->state == CHANGE_FAILED;
    if (change_is_read(change) && change->state == CHANGE_DONE)
        overlay_open_records(console, &change->result, change->summary);
    if (console->form && change->state == CHANGE_FAILED) {
        show_refusal(console, change);
        return true;
    }
    changes_drop(console);
    return true;
}
