/*
 * The console's browsing controller (see browser.h): connections, the two
 * lists and their jobs. Pages are moved into the lists as they arrive.
 */
#include <portalctl/browser.h>

#include <stdarg.h>
#include <string.h>

#include <portalctl/text.h>
#include <portalctl/vendor.h>

static const char *const mark_texts[] = {
    [BROWSER_MARK_UNUSED] = "",
    [BROWSER_MARK_OK] = "ok",
    [BROWSER_MARK_LOCKED] = "locked keyring",
    [BROWSER_MARK_NO_SECRET] = "no credentials",
    [BROWSER_MARK_AUTH_FAILED] = "auth failed",
    [BROWSER_MARK_UNREACHABLE] = "unreachable",
};

const char *browser_mark_text(enum browser_mark mark)
{
    return (unsigned)mark < G_N_ELEMENTS(mark_texts) ? mark_texts[mark] : "";
}

void browser_set_message(struct browser *browser, bool is_error, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *raw = g_strdup_vprintf(format, args);
    va_end(args);
    g_free(browser->message);
    browser->message = text_sanitize(raw);
    browser->message_is_error = is_error;
    browser->changes++;
    g_free(raw);
}

/* ---- connections ------------------------------------------------------------------ */

static void free_connection(gpointer data)
{
    struct browser_connection *c = data;
    session_free(c->session);
    connection_config_free(c->config);
    g_free(c);
}

/* The panel's rows: name, vendor title (ROLE) and the state words (STATUS). */
static void rebuild_connection_rows(struct browser *browser)
{
    record_list_clear(&browser->connection_rows);
    record_list_init(&browser->connection_rows);
    for (guint i = 0; i < browser->connections->len; i++) {
        const struct browser_connection *c = g_ptr_array_index(browser->connections, i);
        struct record_list *rows = &browser->connection_rows;
        struct record *r = record_list_append(rows);
        record_set(rows, r, RECORD_ID, c->config->name);
        record_set(rows, r, RECORD_NAME, c->config->name);
        record_set(rows, r, RECORD_ROLE,
                   c->vendor ? c->vendor->title : config_vendor_name(c->config->vendor));
        const char *mark = browser_mark_text(c->mark);
        char *state = g_strdup_printf("%s%s%s", mark, c->read_only && *mark ? ", " : "",
                                      c->read_only ? "read-only" : "");
        record_set(rows, r, RECORD_STATUS, state);
        g_free(state);
        if (c->config->url)
            record_add_extra(rows, r, "url", c->config->url);
        record_add_extra(rows, r, "vendor", config_vendor_name(c->config->vendor));
    }
    browser->connection_generation++;
    browser->changes++;
}

static void set_mark(struct browser_connection *c, struct browser *browser, enum browser_mark mark)
{
    if (c->mark == mark)
        return;
    c->mark = mark;
    rebuild_connection_rows(browser);
}

static int compare_connections(gconstpointer a, gconstpointer b)
{
    const struct browser_connection *x = *(struct browser_connection *const *)a;
    const struct browser_connection *y = *(struct browser_connection *const *)b;
    if (x->config->vendor != y->config->vendor)
        return (int)x->config->vendor - (int)y->config->vendor;
    return strcmp(x->config->name, y->config->name);
}

static void list_init(struct browser_list *list, struct browser *browser,
                      enum browser_list_kind kind)
{
    memset(list, 0, sizeof(*list));
    list->browser = browser;
    list->kind = kind;
    record_list_init(&list->records);
}

struct browser *browser_new(struct net_engine *net, struct secrets *secrets, bool read_only)
{
    struct browser *browser = g_new0(struct browser, 1);
    browser->net = net;
    browser->secrets = secrets;
    browser->read_only = read_only;
    browser->connections = g_ptr_array_new_with_free_func(free_connection);
    browser->current = -1;
    record_list_init(&browser->connection_rows);
    list_init(&browser->portals, browser, BROWSER_PORTALS);
    list_init(&browser->users, browser, BROWSER_USERS);
    return browser;
}

static void list_clear(struct browser_list *list)
{
    record_list_clear(&list->records);
    g_free(list->label);
    g_free(list->owner);
    g_free(list->owner_title);
}

void browser_free(struct browser *browser)
{
    if (!browser)
        return;
    browser_cancel(browser, BROWSER_USERS);
    browser_cancel(browser, BROWSER_PORTALS);
    /* Sessions may be freed only once their jobs have ended (session.h). */
    net_engine_run(browser->net);
    g_ptr_array_unref(browser->connections);
    record_list_clear(&browser->connection_rows);
    list_clear(&browser->portals);
    list_clear(&browser->users);
    g_free(browser->message);
    g_free(browser);
}

struct browser_connection *browser_add_connection(struct browser *browser,
                                                  const struct connection_config *config)
{
    struct browser_connection *c = g_new0(struct browser_connection, 1);
    c->config = connection_config_copy(config);
    c->vendor = vendor_by_id(config->vendor);
    c->read_only = config->read_only || browser->read_only;
    /* The session enforces read-only too: a change can never slip through. */
    c->config->read_only = c->read_only;
    c->session = session_new(c->config, browser->net, browser->secrets);
    g_ptr_array_add(browser->connections, c);
    g_ptr_array_sort(browser->connections, compare_connections);
    rebuild_connection_rows(browser);
    return c;
}

size_t browser_connection_count(const struct browser *browser)
{
    return browser->connections->len;
}

struct browser_connection *browser_connection_at(const struct browser *browser, size_t index)
{
    return index < browser->connections->len ? g_ptr_array_index(browser->connections, index)
                                             : NULL;
}

int browser_find_connection(const struct browser *browser, const char *name)
{
    for (guint i = 0; i < browser->connections->len; i++) {
        const struct browser_connection *c = g_ptr_array_index(browser->connections, i);
        if (strcmp(c->config->name, name) == 0)
            return (int)i;
    }
    return -1;
}

struct browser_connection *browser_current(const struct browser *browser)
{
    return browser->current < 0 ? NULL : browser_connection_at(browser, (size_t)browser->current);
}

struct browser_list *browser_list(struct browser *browser, enum browser_list_kind kind)
{
    return kind == BROWSER_PORTALS ? &browser->portals : &browser->users;
}

size_t browser_jobs_in_flight(const struct browser *browser)
{
    return (browser->portals.job ? 1 : 0) + (browser->users.job ? 1 : 0);
}

bool browser_needs_keyring(const struct browser *browser, size_t index)
{
    const struct browser_connection *c = browser_connection_at(browser, index);
    return c && !c->secrets_loaded && browser->secrets &&
           secrets_backend_of(browser->secrets) == SECRETS_BACKEND_KEYRING;
}

/* ---- secrets ------------------------------------------------------------------------ */

/* Looks every credential of the connection up once (blocking D-Bus calls). */
static bool load_secrets(struct browser *browser, struct browser_connection *c)
{
    if (c->secrets_loaded)
        return true;
    bool found = false;
    const int *kinds = c->vendor->auth ? c->vendor->auth->credential_kinds : NULL;
    for (size_t i = 0; kinds && kinds[i] >= 0; i++) {
        GError *error = NULL;
        found |= session_secret(c->session, (enum secret_kind)kinds[i], &error) != NULL;
        if (error) {
            bool locked = g_error_matches(error, SECRETS_ERROR, SECRETS_ERROR_LOCKED);
            set_mark(c, browser, locked ? BROWSER_MARK_LOCKED : BROWSER_MARK_NO_SECRET);
            browser_set_message(browser, true, "%s: %s", c->config->name, error->message);
            g_error_free(error);
            return false;
        }
    }
    c->secrets_loaded = true;
    if (kinds && !found) {
        set_mark(c, browser, BROWSER_MARK_NO_SECRET);
        browser_set_message(browser, true,
                            "%s has no credentials stored: run 'portalctl auth set %s'",
                            c->config->name, c->config->name);
        return false;
    }
    return true;
}

/* ---- jobs ---------------------------------------------------------------------------- */

/* A job's link to its list. A cancelled job still reports (its done()
 * arrives later): the serial tells its reports from the current job's. */
struct list_ticket {
    struct browser_list *list;
    unsigned serial;
    size_t rows; /* delivered by its pages so far */
};

static struct browser_list *ticket_list(void *user)
{
    struct list_ticket *ticket = user;
    return ticket->serial == ticket->list->serial ? ticket->list : NULL;
}

static void take_records(struct browser_list *list, struct record_list *records)
{
    if (list->replace_pending) {
        record_list_clear(&list->records);
        record_list_init(&list->records);
        list->replace_pending = false;
        list->generation++;
    }
    record_list_move_all(&list->records, records);
    list->browser->changes++;
}

static void on_page(struct vendor_job *job, struct record_list *records, void *user)
{
    (void)job;
    struct browser_list *list = ticket_list(user);
    if (!list)
        return;
    ((struct list_ticket *)user)->rows += records->count;
    take_records(list, records);
}

static void on_progress(struct vendor_job *job, const char *message, void *user)
{
    (void)job;
    struct browser_list *list = ticket_list(user);
    if (list)
        browser_set_message(list->browser, false, "%s", message);
}

static enum browser_mark mark_for_error(enum api_error_kind kind)
{
    switch (kind) {
    case API_AUTH:
        return BROWSER_MARK_AUTH_FAILED;
    case API_NETWORK:
    case API_TLS:
    case API_BAD_RESPONSE:
        return BROWSER_MARK_UNREACHABLE;
    default:
        return BROWSER_MARK_OK; /* the vendor answered */
    }
}

/* A load that failed after some of its pages arrived: the rows shown are a
 * part of the list, and must never pass for all of it. */
static void report_incomplete(struct browser_list *list, const struct api_error *error, size_t rows)
{
    list->incomplete = true;
    list->loaded = false;
    browser_set_message(list->browser, true, "%s: INCOMPLETE, only the first %zu %s arrived: %s",
                        list->label, rows, list->kind == BROWSER_PORTALS ? "portals" : "users",
                        error->message ? error->message : "failed");
}

static void finish_list(struct browser_list *list, const struct api_error *error,
                        struct record_list *result, size_t rows)
{
    struct browser *browser = list->browser;
    list->job = NULL;
    list->incomplete = false;
    if (error->kind != API_OK && error->kind != API_CANCELLED && rows > 0) {
        report_incomplete(list, error, rows);
    } else if (error->kind == API_OK) {
        take_records(list, result); /* an empty answer still replaces the old list */
        list->loaded = true;
        browser_set_message(browser, false, "%s: %zu %s", list->label, list->records.count,
                            list->kind == BROWSER_PORTALS ? "portals" : "users");
    } else if (error->kind == API_CANCELLED) {
        list->replace_pending = false;
        browser_set_message(browser, false, "%s: cancelled", list->label);
    } else {
        list->replace_pending = false; /* a failed reload keeps what was shown */
        browser_set_message(browser, true, "%s: %s", list->label,
                            error->message ? error->message : "failed");
    }
    struct browser_connection *c = browser_current(browser);
    if (c && error->kind != API_CANCELLED && error->kind != API_INVALID_INPUT &&
        error->kind != API_UNSUPPORTED)
        set_mark(c, browser, mark_for_error(error->kind));
    browser->changes++;
}

static void on_done(struct vendor_job *job, const struct api_error *error,
                    struct record_list *result, void *user)
{
    (void)job;
    struct browser_list *list = ticket_list(user);
    if (list)
        finish_list(list, error, result, ((struct list_ticket *)user)->rows);
    g_free(user);
}

static void start_list_job(struct browser_list *list, enum vendor_op op, const char *portal_id)
{
    struct browser_connection *c = browser_current(list->browser);
    browser_cancel(list->browser, list->kind);
    list->replace_pending = true;
    list->started_us = g_get_monotonic_time();
    struct list_ticket *ticket = g_new(struct list_ticket, 1);
    *ticket = (struct list_ticket){list, ++list->serial, 0};
    struct vendor_request request = {.op = op, .portal_id = portal_id};
    struct vendor_job_events events = {
        .page = on_page, .progress = on_progress, .done = on_done, .user = ticket};
    list->browser->changes++;
    struct vendor_job *job = vendor_job_start(c->session, &request, &events);
    /* done() may have run inside vendor_job_start (and freed the ticket):
     * then job is NULL and the list is already final. */
    list->job = job;
}

static void set_owner(struct browser_list *list, const char *owner, const char *title,
                      const char *label)
{
    if (g_strcmp0(list->owner, owner) != 0) {
        /* Another connection's or portal's list: start from empty. */
        record_list_clear(&list->records);
        record_list_init(&list->records);
        list->generation++;
        list->loaded = false;
        list->incomplete = false;
    }
    g_free(list->owner);
    g_free(list->owner_title);
    g_free(list->label);
    list->owner = g_strdup(owner);
    list->owner_title = g_strdup(title);
    list->label = g_strdup(label);
}

static void forget_list(struct browser_list *list)
{
    browser_cancel(list->browser, list->kind);
    set_owner(list, NULL, NULL, NULL);
}

void browser_open_connection(struct browser *browser, size_t index)
{
    struct browser_connection *c = browser_connection_at(browser, index);
    if (!c)
        return;
    if ((int)index != browser->current) {
        forget_list(&browser->users);
        browser_cancel(browser, BROWSER_PORTALS);
    }
    browser->current = (int)index;
    if (!c->vendor) {
        browser_set_message(browser, true, "%s: this build has no adapter for vendor %s",
                            c->config->name, config_vendor_name(c->config->vendor));
        return;
    }
    if (!load_secrets(browser, c)) {
        forget_list(&browser->portals);
        return;
    }
    char *label = g_strdup_printf("portals of %s", c->config->name);
    set_owner(&browser->portals, c->config->name, c->config->name, label);
    g_free(label);
    start_list_job(&browser->portals, VOP_LIST_PORTALS, NULL);
}

void browser_open_portal(struct browser *browser, const struct record *portal)
{
    struct browser_connection *c = browser_current(browser);
    const char *id = portal ? record_get(portal, RECORD_ID) : NULL;
    if (!c || !id)
        return;
    const char *name = record_get(portal, RECORD_NAME);
    char *label = g_strdup_printf("users of %s", name ? name : id);
    set_owner(&browser->users, id, name ? name : id, label);
    g_free(label);
    start_list_job(&browser->users, VOP_LIST_USERS, id);
}

void browser_refresh(struct browser *browser, enum browser_list_kind kind)
{
    struct browser_list *list = browser_list(browser, kind);
    if (!browser_current(browser) || !list->owner)
        return;
    if (kind == BROWSER_PORTALS)
        start_list_job(list, VOP_LIST_PORTALS, NULL);
    else
        start_list_job(list, VOP_LIST_USERS, list->owner);
}

bool browser_cancel(struct browser *browser, enum browser_list_kind kind)
{
    struct browser_list *list = browser_list(browser, kind);
    if (!list->job)
        return false;
    struct vendor_job *job = list->job;
    size_t rows = ((const struct list_ticket *)job->events.user)->rows;
    list->job = NULL;
    list->serial++; /* its reports are stale from now on */
    list->replace_pending = false;
    vendor_job_cancel(job); /* may free the ticket */
    if (rows > 0) {
        list->incomplete = true;
        list->loaded = false;
        browser_set_message(browser, false, "%s: cancelled after the first %zu: INCOMPLETE",
                            list->label, rows);
    } else {
        browser_set_message(browser, false, "%s: cancelled", list->label);
    }
    return true;
}
