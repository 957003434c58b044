/*
 * Zoho portal users (zoho.md §5 and §6): a portal's user types, its users
 * (paged, a few pages in flight, delivered in order), and a user's status
 * change and removal. Users belong to one user type and every call about a
 * user names it; the request names only the portal and the user, so the
 * status change and removal try the portal's types in turn, default first
 * (on the wrong type Zoho refuses harmlessly). Never: invitations
 * (zoho_invite.c).
 */
#include "zoho_internal.h"

#include <stdio.h>
#include <string.h>

/* Zoho's largest page (zoho.md §6), and how many pages we ask for at once
 * (well under the smallest concurrency limit of an org, 5). */
#define USERS_PER_PAGE        200
#define USERS_PAGES_IN_FLIGHT 3
#define USERS_PER_PAGE_TEXT   G_STRINGIFY(USERS_PER_PAGE)

/* The `type` selections of "Get Users of a User Type": a filter naming one
 * selects it; AllUsers otherwise. */
static const char *const user_selections[] = {
    "AllUsers",          "AllActiveUsers", "ActiveUsers",          "DeactiveUsers",
    "NotConfirmedUsers", "ConfirmedUsers", "ActiveConfirmedUsers",
};

/* ---- user types ---------------------------------------------------------------- */

static void deliver_types(struct vendor_job *job)
{
    vendor_job_deliver_page(job, &zoho_job_of(job)->types);
}

void zoho_list_user_types(struct vendor_job *job)
{
    zoho_job_of(job)->types_may_be_empty = true;
    zoho_fetch_user_types(job, deliver_types);
}

/* ---- listing users ----------------------------------------------------------------- */

struct users_pager {
    char *type_id;
    char *type_name;
    const char *selection;
    char *search;
    size_t next_page;    /* the next page to ask for */
    size_t last_page;    /* the last page as far as we know (0: none) */
    bool end_seen;       /* a page said the list ends: last_page can only shrink */
    size_t next_deliver; /* pages are handed on in order */
    unsigned in_flight;
    GHashTable *arrived; /* page -> struct record_list * waiting for its turn */
};

static void free_page(gpointer list)
{
    record_list_clear(list);
    g_free(list);
}

static void pager_free(void *op)
{
    struct users_pager *pager = op;
    g_free(pager->type_id);
    g_free(pager->type_name);
    g_free(pager->search);
    g_hash_table_unref(pager->arrived);
    g_free(pager);
}

static const char *selection_named(const char *text)
{
    for (size_t i = 0; text && i < G_N_ELEMENTS(user_selections); i++) {
        if (g_ascii_strcasecmp(user_selections[i], text) == 0)
            return user_selections[i];
    }
    return NULL;
}

static bool filter_names_type(struct vendor_job *job, const char *filter)
{
    const struct record_list *types = &zoho_job_of(job)->types;
    for (size_t i = 0; filter && i < types->count; i++) {
        const char *name = record_get(&types->items[i], RECORD_NAME);
        if (g_strcmp0(record_get(&types->items[i], RECORD_ID), filter) == 0 ||
            (name && g_ascii_strcasecmp(name, filter) == 0))
            return true;
    }
    return false;
}

static void on_users_page(struct vendor_job *job, const struct net_response *res, void *data);

static void send_users_page(struct vendor_job *job, struct users_pager *pager, size_t page)
{
    char page_text[24];
    snprintf(page_text, sizeof(page_text), "%zu", page);
    const char *const values[] = {job->request.portal_id, pager->type_id, NULL};
    const struct net_query_arg query[] = {
        {"type", pager->selection},
        {"page", page_text},
        {"per_page", USERS_PER_PAGE_TEXT},
        {NULL, NULL},
    };
    char *url = zoho_url(job, "/settings/portals/{}/user_type/{}/users", values, query);
    if (!url)
        return;
    pager->in_flight++;
    zoho_send(job, "GET", url, NULL, true, on_users_page, GSIZE_TO_POINTER(page));
}

/* Asks for the pages now known to be needed, a few at a time. */
static void fill_window(struct vendor_job *job, struct users_pager *pager)
{
    while (job->error.kind == API_OK && pager->in_flight < USERS_PAGES_IN_FLIGHT &&
           pager->last_page && pager->next_page <= pager->last_page)
        send_users_page(job, pager, pager->next_page++);
}

static void deliver_in_order(struct vendor_job *job, struct users_pager *pager)
{
    struct record_list *list;
    while ((list = g_hash_table_lookup(pager->arrived, GSIZE_TO_POINTER(pager->next_deliver)))) {
        if (list->count)
            vendor_job_deliver_page(job, list);
        g_hash_table_remove(pager->arrived, GSIZE_TO_POINTER(pager->next_deliver));
        pager->next_deliver++;
    }
}

/* What a page's info says about the pages still to come: a total gives the
 * last page at once (so several can be asked for together), more_records
 * one more, and a page that is empty or says no more ends the list. */
static void learn_extent(struct users_pager *pager, size_t page, const struct zoho_page_info *info)
{
    if (info->entries == 0 || !info->more_records) {
        size_t end = info->entries == 0 ? page - 1 : page;
        pager->last_page = pager->end_seen ? MIN(pager->last_page, end) : end;
        pager->end_seen = true;
        return;
    }
    if (pager->end_seen)
        return;
    if (page == 1 && info->total_count > 0) {
        long long per_page = info->per_page > 0 ? info->per_page : USERS_PER_PAGE;
        pager->last_page = (size_t)((info->total_count + per_page - 1) / per_page);
    }
    if (pager->last_page <= page) /* more than we knew of (or no total given) */
        pager->last_page = page + 1;
}

static void on_users_page(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct users_pager *pager = zoho_job_of(job)->op;
    size_t page = GPOINTER_TO_SIZE(data);
    pager->in_flight--;
    if (job->error.kind != API_OK || !zoho_answer_ok(job, res, "users", "list the portal users"))
        return;
    struct record_list *list = g_new0(struct record_list, 1);
    record_list_init(list);
    struct zoho_page_info info;
    if (!zoho_parse_users(res->status, res->body, res->body_len, pager->type_id, pager->type_name,
                          pager->search, list, &info, &job->error)) {
        free_page(list);
        return;
    }
    learn_extent(pager, page, &info);
    if (page <= pager->last_page)
        g_hash_table_insert(pager->arrived, GSIZE_TO_POINTER(page), list);
    else
        free_page(list); /* beyond the end learnt meanwhile */
    deliver_in_order(job, pager);
    fill_window(job, pager);
}

static void start_listing(struct vendor_job *job)
{
    const char *filter = job->request.filter;
    const char *selection = selection_named(filter);
    const char *wanted = job->request.target_id;
    bool filter_is_type = !selection && !wanted && filter_names_type(job, filter);
    const struct record *type = zoho_pick_user_type(job, filter_is_type ? filter : wanted);
    if (!type)
        return;
    struct users_pager *pager = g_new0(struct users_pager, 1);
    pager->type_id = g_strdup(record_get(type, RECORD_ID));
    pager->type_name = g_strdup(record_get(type, RECORD_NAME));
    pager->selection = selection ? selection : "AllUsers";
    pager->search = !selection && !filter_is_type && filter && filter[0] ? g_strdup(filter) : NULL;
    pager->next_page = 2;
    pager->next_deliver = 1;
    pager->arrived = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_page);
    struct zoho_job *zjob = zoho_job_of(job);
    zjob->op = pager;
    zjob->free_op = pager_free;
    vendor_job_progress(job, "listing the users of type %s",
                        pager->type_name ? pager->type_name : pager->type_id);
    send_users_page(job, pager, 1);
}

void zoho_list_users(struct vendor_job *job)
{
    zoho_fetch_user_types(job, start_listing);
}

/* ---- one user: status change and removal ---------------------------------------------- */

/* The user types to try, default first. */
struct type_walk {
    size_t *order;
    size_t count;
    size_t next;
    bool repeated; /* an answer came after the engine repeated the request */
};

static void walk_free(void *op)
{
    struct type_walk *walk = op;
    g_free(walk->order);
    g_free(walk);
}

static struct type_walk *walk_begin(struct vendor_job *job)
{
    struct zoho_job *zjob = zoho_job_of(job);
    struct type_walk *walk = g_new0(struct type_walk, 1);
    const struct record *first = zoho_default_user_type(&zjob->types);
    walk->order = g_new0(size_t, zjob->types.count);
    if (first)
        walk->order[walk->count++] = (size_t)(first - zjob->types.items);
    for (size_t i = 0; i < zjob->types.count; i++) {
        if (&zjob->types.items[i] != first)
            walk->order[walk->count++] = i;
    }
    zjob->op = walk;
    zjob->free_op = walk_free;
    return walk;
}

/* The next type to try, or NULL when every one was tried. */
static const struct record *walk_next(struct vendor_job *job)
{
    struct zoho_job *zjob = zoho_job_of(job);
    struct type_walk *walk = zjob->op;
    if (walk->next >= walk->count)
        return NULL;
    return &zjob->types.items[walk->order[walk->next++]];
}

static const struct record *walk_current(struct vendor_job *job)
{
    struct zoho_job *zjob = zoho_job_of(job);
    struct type_walk *walk = zjob->op;
    return &zjob->types.items[walk->order[walk->next - 1]];
}

static void fail_not_a_user(struct vendor_job *job, long http_status)
{
    char *user = zoho_clean_text(job->request.target_id);
    char *portal = zoho_clean_text(job->request.portal_id);
    vendor_job_fail(job, API_REFUSED, http_status, "INVALID_DATA",
                    "%s is not a user of portal %s (ids are the personality_id shown by "
                    "list-users)",
                    user, portal);
    g_free(user);
    g_free(portal);
}

static void add_user_result(struct vendor_job *job, const char *status,
                            const struct zoho_outcome *outcome)
{
    const struct record *type = walk_current(job);
    struct record *record = record_list_append(&job->result);
    record_set(&job->result, record, RECORD_ID, job->request.target_id);
    record_set(&job->result, record, RECORD_STATUS, status);
    record_set(&job->result, record, RECORD_ROLE, record_get(type, RECORD_NAME));
    record_add_extra(&job->result, record, "user_type_id", record_get(type, RECORD_ID));
    if (outcome && outcome->message)
        record_add_extra(&job->result, record, "message", outcome->message);
}

/* The first outcome of an answer (NULL with the job failed when unreadable). */
static struct zoho_outcome *first_outcome(struct vendor_job *job, const struct net_response *res,
                                          const char *key, GPtrArray *outcomes)
{
    if (!zoho_parse_outcomes(res->status, res->body, res->body_len, key, outcomes, &job->error))
        return NULL;
    for (guint i = 0; i < outcomes->len; i++) {
        struct zoho_outcome *o = g_ptr_array_index(outcomes, i);
        if (!o->id || g_strcmp0(o->id, job->request.target_id) == 0)
            return o;
    }
    if (outcomes->len)
        return g_ptr_array_index(outcomes, 0);
    zoho_error_from_answer(res->status, "", 0, NULL, "change the user", &job->error);
    return NULL;
}

static bool activating(const struct vendor_job *job)
{
    return job->request.op == VOP_REACTIVATE_USER;
}

static void send_status_change(struct vendor_job *job);

static void on_status_change(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    if (!zoho_answer_arrived(job, res))
        return;
    const char *action = activating(job) ? "reactivate the user" : "deactivate the user";
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    struct zoho_outcome *outcome = first_outcome(job, res, "change_status", outcomes);
    bool repeated_ok = outcome && res->attempts > 1 && activating(job) &&
                       g_strcmp0(outcome->code, "ALREADY_ACTIVATED") == 0;
    if (outcome && (outcome->success || repeated_ok))
        add_user_result(job, activating(job) ? "active" : "deactivated", outcome);
    else if (outcome && outcome->names_url_part && !outcome->param)
        send_status_change(job); /* not of this user type: try the next */
    else if (outcome)
        zoho_fail_outcome(job, outcome, res->status, action);
    g_ptr_array_unref(outcomes);
}

static void send_status_change(struct vendor_job *job)
{
    const struct record *type = walk_next(job);
    if (!type) {
        fail_not_a_user(job, 400);
        return;
    }
    const char *const values[] = {job->request.portal_id, record_get(type, RECORD_ID),
                                  job->request.target_id, NULL};
    const struct net_query_arg query[] = {
        {"active", activating(job) ? "true" : "false"},
        {NULL, NULL},
    };
    char *url = zoho_url(job, "/settings/portals/{}/user_type/{}/users/{}/actions/change_status",
                         values, query);
    if (url) /* it names the end state: repeating it is safe */
        zoho_send(job, "PUT", url, NULL, true, on_status_change, NULL);
}

static void start_status_change(struct vendor_job *job)
{
    walk_begin(job);
    send_status_change(job);
}

void zoho_change_user_status(struct vendor_job *job)
{
    zoho_fetch_user_types(job, start_status_change);
}

static void send_removal(struct vendor_job *job);

static void on_removal(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    if (!zoho_answer_arrived(job, res))
        return;
    struct type_walk *walk = zoho_job_of(job)->op;
    GPtrArray *outcomes = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_outcome_free);
    struct zoho_outcome *outcome = first_outcome(job, res, "users", outcomes);
    walk->repeated = walk->repeated || res->attempts > 1;
    bool not_here = outcome && !outcome->success && outcome->id &&
                    g_strcmp0(outcome->code, "INVALID_DATA") == 0;
    if (outcome && outcome->success)
        add_user_result(job, "removed", outcome);
    else if (not_here && walk->next < walk->count)
        send_removal(job); /* not of this user type: try the next */
    else if (not_here && walk->repeated)
        add_user_result(job, "removed", NULL); /* our first, unanswered attempt did it */
    else if (not_here)
        fail_not_a_user(job, res->status);
    else if (outcome)
        zoho_fail_outcome(job, outcome, res->status, "remove the user");
    g_ptr_array_unref(outcomes);
}

static void send_removal(struct vendor_job *job)
{
    const struct record *type = walk_next(job);
    const char *const values[] = {job->request.portal_id, record_get(type, RECORD_ID), NULL};
    const struct net_query_arg query[] = {
        {"personality_ids", job->request.target_id},
        {NULL, NULL},
    };
    char *url = zoho_url(job, "/settings/portals/{}/user_type/{}/users", values, query);
    if (url) /* removing twice leaves the same state: repeating it is safe */
        zoho_send(job, "DELETE", url, NULL, true, on_removal, NULL);
}

static void start_removal(struct vendor_job *job)
{
    walk_begin(job);
    send_removal(job);
}

void zoho_remove_user(struct vendor_job *job)
{
    if (strchr(job->request.target_id, ',')) {
        vendor_job_fail(job, API_INVALID_INPUT, 0, NULL,
                        "remove one user at a time: the id may not contain a comma; nothing "
                        "sent");
        return;
    }
    zoho_fetch_user_types(job, start_removal);
}
