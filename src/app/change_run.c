/*
 * Running the console's changes (see change.h): the vendor job and its
 * report, the vendor's refusal put on the form's fields (several people: on
 * the line it came from), the audit line, the lists refreshed; and the
 * changes that are not vendor calls: storing credentials, remembering a
 * portal, writing a new connection to config.ini.
 */
#include "change_internal.h"

#include <string.h>

#include <portalctl/audit.h>
#include <portalctl/session.h>
#include <portalctl/state.h>

struct change_ticket {
    struct change *change; /* NULL once the change is gone */
};

struct browser_connection *change_connection(const struct change *change)
{
    return change->connection < 0
               ? NULL
               : browser_connection_at(change->browser, (size_t)change->connection);
}

bool change_running(const struct change *change)
{
    return change && change->state == CHANGE_RUNNING;
}

void change_detach(struct change *change)
{
    struct change_ticket *ticket = change->ticket;
    struct vendor_job *job = change->job;
    change->ticket = NULL;
    change->job = NULL;
    ticket->change = NULL;
    if (job)
        vendor_job_cancel(job); /* done() follows and frees the ticket */
}

void change_cancel(struct change *change)
{
    struct vendor_job *job = change->job;
    if (change->state == CHANGE_RUNNING && job)
        vendor_job_cancel(job); /* on_done follows, maybe at once, with API_CANCELLED */
}

/* ---- the audit log ------------------------------------------------------------------- */

static void audit(struct change *change, const char *operation, const char *target)
{
    struct browser_connection *c = change_connection(change);
    bool ok = change->state == CHANGE_DONE;
    struct audit_entry entry = {
        .connection = c ? c->config->name : change->title,
        .operation = operation,
        .target = target,
        .result = ok ? AUDIT_RESULT_OK : AUDIT_RESULT_FAILED,
        .message = ok ? NULL : change->error.message,
    };
    GError *error = NULL;
    if (!audit_append(NULL, &entry, &error)) {
        browser_set_message(change->browser, true, "could not write the audit log: %s",
                            error->message);
        g_error_free(error);
    }
}

static const char *vendor_target(const struct change *change)
{
    enum vendor_op op = change->operation->op;
    if (op == VOP_CREATE_PORTAL || op == VOP_CREATE_USER || op == VOP_INVITE_USERS) {
        if (change->result.count > 0 && record_get(&change->result.items[0], RECORD_ID))
            return record_get(&change->result.items[0], RECORD_ID);
        return NULL;
    }
    if (op == VOP_UPDATE_PORTAL || op == VOP_DELETE_PORTAL)
        return change->portal_id;
    return change->user_id;
}

/* ---- the vendor's answer ------------------------------------------------------------------ */

/* The form key and message a vendor's field error goes to. */
static void place_field_error(struct change *change, const struct api_field_error *fe)
{
    int line = -1;
    if (fe->row >= 0 && (guint)fe->row < change->row_lines->len)
        line = g_array_index(change->row_lines, int, fe->row);
    if (line < 0) {
        form_errors_add(change->field_errors, fe->field, fe->message);
        return;
    }
    form_errors_addf(change->field_errors, CHANGE_PEOPLE_KEY, "line %d: %s%s%s", line + 1,
                     fe->field ? fe->field : "", fe->field ? " " : "", fe->message);
}

static void refresh_lists(struct change *change)
{
    struct browser *browser = change->browser;
    if (browser->current != change->connection)
        return;
    enum vendor_op op = change->operation ? change->operation->op : VOP_LIST_PORTALS;
    bool portal_change = change->kind != CHANGE_KIND_VENDOR || op == VOP_CREATE_PORTAL ||
                         op == VOP_UPDATE_PORTAL || op == VOP_DELETE_PORTAL;
    if (portal_change)
        browser_refresh(browser, BROWSER_PORTALS);
    else if (browser->users.owner)
        browser_refresh(browser, BROWSER_USERS);
}

static void finish_vendor(struct change *change, const struct api_error *error)
{
    api_error_copy(&change->error, error);
    change->state = error->kind == API_OK ? CHANGE_DONE : CHANGE_FAILED;
    form_errors_clear(change->field_errors);
    for (guint i = 0; error->fields && i < error->fields->len; i++)
        place_field_error(change, g_ptr_array_index(error->fields, i));
    const char *op = vendor_op_name(change->operation->op);
    const char *target = vendor_target(change);
    struct browser_connection *c = change_connection(change);
    g_free(change->summary);
    if (change->state == CHANGE_DONE && change_is_read(change))
        change->summary =
            g_strdup_printf("%s on %s: %zu record%s", op, c->config->name, change->result.count,
                            change->result.count == 1 ? "" : "s");
    else if (change->state == CHANGE_DONE)
        change->summary = g_strdup_printf("%s on %s: done%s%s", op, c->config->name,
                                          target ? ", " : "", target ? target : "");
    else if (error->kind == API_CANCELLED && !change_is_read(change))
        change->summary = g_strdup_printf(
            "%s on %s cancelled: what was already sent may still be done by the vendor; "
            "check before sending it again",
            op, c->config->name);
    else
        change->summary = g_strdup_printf("%s on %s failed: %s", op, c->config->name,
                                          error->message ? error->message : "refused");
    if (change_is_read(change))
        return; /* nothing changed: no audit line, the console shows the result */
    audit(change, op, target);
    browser_set_message(change->browser, change->state == CHANGE_FAILED, "%s", change->summary);
    if (change->state == CHANGE_DONE)
        refresh_lists(change);
}

static void on_page(struct vendor_job *job, struct record_list *records, void *user)
{
    (void)job;
    struct change_ticket *ticket = user;
    if (ticket->change)
        record_list_move_all(&ticket->change->result, records);
}

static void on_progress(struct vendor_job *job, const char *message, void *user)
{
    (void)job;
    struct change_ticket *ticket = user;
    if (ticket->change)
        browser_set_message(ticket->change->browser, false, "%s", message);
}

static void on_done(struct vendor_job *job, const struct api_error *error,
                    struct record_list *result, void *user)
{
    (void)job;
    struct change_ticket *ticket = user;
    struct change *change = ticket->change;
    g_free(ticket);
    if (!change)
        return;
    change->ticket = NULL;
    change->job = NULL;
    record_list_move_all(&change->result, result);
    finish_vendor(change, error);
}

static bool start_vendor(struct change *change, GPtrArray *rows)
{
    struct browser_connection *c = change_connection(change);
    bool portal_op =
        change->operation->op == VOP_UPDATE_PORTAL || change->operation->op == VOP_DELETE_PORTAL;
    struct vendor_request request = {
        .op = change->operation->op,
        .portal_id = change->portal_id,
        .target_id = portal_op ? change->portal_id : change->user_id,
        .rows = rows ? (struct form_values *const *)rows->pdata : NULL,
        .row_count = rows ? rows->len : 0,
    };
    change->ticket = g_new0(struct change_ticket, 1);
    change->ticket->change = change;
    change->state = CHANGE_RUNNING;
    change->started_us = g_get_monotonic_time();
    struct vendor_job_events events = {
        .page = on_page, .progress = on_progress, .done = on_done, .user = change->ticket};
    struct vendor_job *job = vendor_job_start(c->session, &request, &events);
    /* done() may have run already (refused before sending): then job is NULL. */
    if (change->state == CHANGE_RUNNING)
        change->job = job;
    browser_set_message(change->browser, false, "%s…", change->title);
    return true;
}

/* ---- changes that are not vendor calls ------------------------------------------------------- */

static void finish_local(struct change *change, bool ok, const char *operation, const char *target,
                         const char *message)
{
    change->state = ok ? CHANGE_DONE : CHANGE_FAILED;
    if (!ok)
        api_error_set(&change->error, API_INVALID_INPUT, 0, NULL, "%s", message);
    g_free(change->summary);
    change->summary = g_strdup(message);
    audit(change, operation, target);
    browser_set_message(change->browser, !ok, "%s", message);
}

static bool store_credentials(struct change *change, const struct form_values *values)
{
    struct browser_connection *c = change_connection(change);
    GError *error = NULL;
    GString *stored = g_string_new(NULL);
    bool ok = true;
    for (size_t i = 0; ok && i < form_values_count(values); i++) {
        enum secret_kind kind;
        const char *key = form_values_key_at(values, i);
        if (!secret_kind_from_name(key, &kind))
            continue;
        /* Blocks on D-Bus: the console says "storing…" in the frame before. */
        if (change->browser->secrets)
            ok = secrets_store(change->browser->secrets, c->config->name, kind,
                               form_values_value_at(values, i), &error);
        if (ok) {
            session_set_secret(c->session, kind, form_values_value_at(values, i));
            g_string_append_printf(stored, "%s%s", stored->len ? " and " : "", key);
        }
    }
    char *message = ok ? g_strdup_printf("%s: %s stored%s", c->config->name, stored->str,
                                         change->browser->secrets &&
                                                 secrets_backend_of(change->browser->secrets) ==
                                                     SECRETS_BACKEND_SESSION
                                             ? " for this session only"
                                             : " in the keyring")
                       : g_strdup_printf("%s: %s", c->config->name, error->message);
    finish_local(change, ok, "set-credentials", stored->str, message);
    if (ok) {
        c->secrets_loaded = false; /* looked up again (from the session cache) */
        browser_open_connection(change->browser, (size_t)change->connection);
        browser_set_message(change->browser, false, "%s", message);
    }
    g_free(message);
    g_string_free(stored, TRUE);
    g_clear_error(&error);
    return ok;
}

static bool remember_portal(struct change *change, const struct form_values *values)
{
    struct browser_connection *c = change_connection(change);
    const char *id = form_values_get(values, "portal_id");
    GError *error = NULL;
    struct state *state = state_load(NULL, &error);
    struct known_portal *portal = known_portal_new(id, NULL, NULL, PORTAL_ORIGIN_ADDED);
    bool ok = state && state_put_portal(state, c->config->name, portal, &error) &&
              state_save(state, &error);
    known_portal_free(portal);
    state_free(state);
    char *message = ok ? g_strdup_printf("%s: remembered portal %s", c->config->name, id)
                       : g_strdup_printf("%s: %s", c->config->name, error->message);
    finish_local(change, ok, "add-portal", id, message);
    g_free(message);
    g_clear_error(&error);
    if (ok)
        refresh_lists(change);
    return ok;
}

/* ---- a new connection ----------------------------------------------------------------------- */

static struct connection_config *connection_from(const struct form_values *values)
{
    enum config_vendor vendor = CONFIG_VENDOR_ECGRID;
    config_vendor_from_name(form_values_get(values, "vendor"), &vendor);
    struct connection_config *c = connection_config_new(form_values_get(values, "name"), vendor);
    c->url = g_strdup(form_values_get(values, "url"));
    c->accounts_url = g_strdup(form_values_get(values, "accounts_url"));
    c->data_centre = g_strdup(form_values_get(values, "data_centre"));
    c->client_id = g_strdup(form_values_get(values, "client_id"));
    c->ca_file = g_strdup(form_values_get(values, "ca_file"));
    c->read_only = g_strcmp0(form_values_get(values, "read_only"), "true") == 0;
    return c;
}

/* The store names the key in its message ("[connection x] url: …"): put it there. */
static void place_config_error(struct change *change, const char *message)
{
    for (size_t i = 0; i < change->form->count; i++) {
        char *needle = g_strdup_printf("] %s: ", change->form->fields[i].key);
        const char *at = strstr(message, needle);
        if (at) {
            form_errors_add(change->field_errors, change->form->fields[i].key, at + strlen(needle));
            g_free(needle);
            return;
        }
        g_free(needle);
    }
}

static struct config *load_or_new(const char *path, GError **error)
{
    GError *local = NULL;
    struct config *config = config_load(path, &local);
    if (!config && g_error_matches(local, STORE_ERROR, STORE_ERROR_NOT_FOUND)) {
        g_clear_error(&local);
        return config_new(path);
    }
    if (local)
        g_propagate_error(error, local);
    return config;
}

static bool write_connection(struct change *change, struct connection_config *c, GError **error)
{
    if (!config_validate_connection(c, error))
        return false;
    if (browser_find_connection(change->browser, c->name) >= 0) {
        form_errors_add(change->field_errors, "name", "is taken: a connection has that name");
        g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "a connection named %s exists",
                    c->name);
        return false;
    }
    struct config *config = load_or_new(change->config_path, error);
    bool ok = config && config_set_connection(config, c, error) && config_save(config, error);
    config_free(config);
    return ok;
}

static bool add_connection(struct change *change, const struct form_values *values)
{
    struct connection_config *c = connection_from(values);
    GError *error = NULL;
    bool ok = write_connection(change, c, &error);
    if (!ok && form_errors_count(change->field_errors) == 0)
        place_config_error(change, error->message);
    if (ok) {
        /* Adding sorts the connections: keep the current one current. */
        struct browser_connection *current = browser_current(change->browser);
        char *current_name = current ? g_strdup(current->config->name) : NULL;
        browser_add_connection(change->browser, c);
        if (current_name)
            change->browser->current = browser_find_connection(change->browser, current_name);
        g_free(current_name);
    }
    char *message =
        ok ? g_strdup_printf("connection %s added to %s%s", c->name, change->config_path,
                             c->vendor == CONFIG_VENDOR_ZOHO || c->vendor == CONFIG_VENDOR_ECGRID ||
                                     c->vendor == CONFIG_VENDOR_VALSTORM
                                 ? "; store its credentials with K"
                                 : "")
           : g_strdup(error->message);
    finish_local(change, ok, "add-connection", c->name, message);
    g_free(message);
    g_clear_error(&error);
    connection_config_free(c);
    return ok;
}

/* ---- start --------------------------------------------------------------------------------- */

bool change_start(struct change *change, const struct form_values *values)
{
    if (change->state == CHANGE_RUNNING)
        return false;
    form_errors_clear(change->field_errors);
    api_error_clear(&change->error);
    api_error_init(&change->error);
    record_list_clear(&change->result);
    record_list_init(&change->result);
    g_array_set_size(change->row_lines, 0);
    struct form_values *input = values ? form_values_copy(values) : form_values_new();
    GPtrArray *rows = NULL;
    bool ok = true;
    if (change->form) {
        /* Checked again: nothing is sent while any field is invalid. */
        form_apply_defaults(change->form, input);
        rows = change_build_rows(change, input, change->row_lines, change->field_errors);
        ok = rows != NULL;
        for (guint i = 0; rows && i < rows->len; i++)
            form_normalize(change->form, g_ptr_array_index(rows, i));
    }
    if (!ok) {
        change->state = CHANGE_FAILED;
        api_error_set(&change->error, API_INVALID_INPUT, 0, NULL,
                      "invalid input: nothing was sent");
    } else if (change->kind == CHANGE_KIND_VENDOR) {
        ok = start_vendor(change, rows);
    } else {
        struct form_values *row = g_ptr_array_index(rows, 0);
        ok = change->kind == CHANGE_KIND_CREDENTIALS ? store_credentials(change, row)
             : change->kind == CHANGE_KIND_KNOWN     ? remember_portal(change, row)
                                                     : add_connection(change, row);
    }
    if (rows)
        g_ptr_array_unref(rows);
    form_values_free(input);
    return ok;
}
