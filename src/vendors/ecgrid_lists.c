/*
 * ECGrid adapter: the paged lists.
 *
 * Users: POST /v2/users/list answers a bare array and says nothing of how
 * many there are, so the client pages until a page is shorter than
 * recordsPerPage. Once page 1 came back full, up to ECGRID_LIST_IN_FLIGHT
 * pages are kept on the wire by guessing ahead; pages after the short one
 * (the empty tail) are dropped. Pages are delivered in order as soon as all
 * before them are.
 *
 * Portals: ECGrid has no portal list. The mailboxes are listed (paged
 * object with totalRecords) and each one's portal is asked for with
 * GET /v2/portals/by-mailbox/{id}, a few at a time; 404 means "no portal".
 * A page of mailboxes is delivered when all its look-ups have answered.
 *
 * Never: more than ECGRID_LIST_IN_FLIGHT pages of users, or look-ups of
 * portals (plus the one mailbox page being read), on the wire at once.
 */
#include "ecgrid_internal.h"

#include <portalctl/text.h>

#include <stdlib.h>
#include <string.h>

/* Appends "name":filter, when there is a filter, and the paging members. */
static char *page_body(const char *filter, int mailbox_id, int page)
{
    GString *body = g_string_new("{");
    if (filter && filter[0]) {
        g_string_append(body, "\"name\":");
        text_append_json_string(body, filter);
        g_string_append_c(body, ',');
    }
    if (mailbox_id > 0)
        g_string_append_printf(body, "\"mailboxId\":%d,", mailbox_id);
    g_string_append_printf(body, "\"pageNo\":%d,\"recordsPerPage\":%d}", page, ECGRID_PAGE_SIZE);
    return g_string_free(body, FALSE);
}

static void send_list_page(struct vendor_job *job, const char *path, const char *body,
                           vendor_reply_fn reply, void *data)
{
    char *url = ecgrid_job_url(job, path, NULL);
    if (url) {
        struct vendor_call request = {
            .method = "POST", .url = url, .body = body, .idempotent = true};
        vendor_job_send(job, &request, reply, data);
    }
    free(url);
}

/* ---- users ----------------------------------------------------------------------- */

struct user_page {
    bool arrived;
    size_t count; /* entries ECGrid sent on this page */
    struct record_list records;
    struct api_error error; /* kind API_OK unless this page failed */
};

struct user_listing {
    GPtrArray *pages; /* struct user_page *, index = page number - 1 */
    char *filter;
    int mailbox_id;   /* 0: every mailbox */
    int next_to_send; /* page numbers from 1 */
    int next_to_deliver;
    int last_page; /* the first short page; 0 while unknown */
    unsigned in_flight;
    bool page_one_full; /* guess ahead only for a list longer than one page */
    bool stop_guessing; /* a page failed: send nothing more */
    bool failed;        /* the job has its error: ignore further answers */
    size_t delivered;
};

static void free_user_page(gpointer data)
{
    struct user_page *page = data;
    record_list_clear(&page->records);
    api_error_clear(&page->error);
    g_free(page);
}

static void free_user_listing(void *data)
{
    struct user_listing *listing = data;
    g_ptr_array_unref(listing->pages);
    g_free(listing->filter);
    g_free(listing);
}

static void on_user_page(struct vendor_job *job, const struct net_response *res, void *data);

static void send_user_page(struct vendor_job *job, struct user_listing *listing)
{
    int number = listing->next_to_send++;
    struct user_page *page = g_new0(struct user_page, 1);
    record_list_init(&page->records);
    api_error_init(&page->error);
    g_ptr_array_add(listing->pages, page);
    char *body = page_body(listing->filter, listing->mailbox_id, number);
    listing->in_flight++;
    send_list_page(job, "/v2/users/list", body, on_user_page, GINT_TO_POINTER(number));
    g_free(body);
}

/* Keeps up to ECGRID_LIST_IN_FLIGHT pages on the wire while the end is unknown. */
static void top_up_user_pages(struct vendor_job *job, struct user_listing *listing)
{
    unsigned limit = listing->page_one_full ? ECGRID_LIST_IN_FLIGHT : 1;
    while (!listing->failed && !listing->stop_guessing && listing->last_page == 0 &&
           listing->in_flight < limit && job->error.kind == API_OK)
        send_user_page(job, listing);
}

/* Hands over every page whose predecessors are all delivered. */
static void deliver_user_pages(struct vendor_job *job, struct user_listing *listing)
{
    while (!listing->failed && listing->next_to_deliver <= (int)listing->pages->len) {
        int number = listing->next_to_deliver;
        struct user_page *page = g_ptr_array_index(listing->pages, number - 1);
        if ((listing->last_page && number > listing->last_page) || !page->arrived)
            return;
        if (page->error.kind != API_OK) {
            api_error_copy(&job->error, &page->error);
            listing->failed = true;
            return;
        }
        listing->delivered += page->records.count;
        if (page->records.count)
            vendor_job_deliver_page(job, &page->records);
        listing->next_to_deliver++;
        vendor_job_progress(job, "%zu users so far", listing->delivered);
    }
}

/* Reads one page into its slot; a failure stays with the page until it is its
 * turn to be delivered (it does not matter if an earlier page was the last). */
static void read_user_page(struct vendor_job *job, const struct net_response *res,
                           struct user_page *page)
{
    struct ecgrid_error_context context = ecgrid_job_context(job, "list users");
    struct ecgrid_answer answer;
    if (ecgrid_job_answer(job, res, &context, &answer)) {
        ecgrid_parse_users(answer.data, &page->records, &page->count, &job->error);
        ecgrid_answer_clear(&answer);
    }
    if (job->error.kind != API_OK) {
        api_error_copy(&page->error, &job->error);
        api_error_clear(&job->error);
    }
    page->arrived = true;
}

static void on_user_page(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct user_listing *listing = job->adapter_state;
    int number = GPOINTER_TO_INT(data);
    struct user_page *page = g_ptr_array_index(listing->pages, number - 1);
    listing->in_flight--;
    if (listing->failed)
        return;
    read_user_page(job, res, page);
    if (page->error.kind != API_OK) {
        listing->stop_guessing = true;
    } else if (page->count < ECGRID_PAGE_SIZE) {
        if (!listing->last_page || number < listing->last_page)
            listing->last_page = number;
    } else if (number == 1) {
        listing->page_one_full = true;
    }
    deliver_user_pages(job, listing);
    top_up_user_pages(job, listing);
}

void ecgrid_start_list_users(struct vendor_job *job)
{
    int mailbox_id = ecgrid_job_mailbox(job);
    if (mailbox_id < 0)
        return;
    struct user_listing *listing = g_new0(struct user_listing, 1);
    listing->pages = g_ptr_array_new_with_free_func(free_user_page);
    listing->filter = g_strdup(job->request.filter);
    listing->mailbox_id = mailbox_id;
    listing->next_to_send = 1;
    listing->next_to_deliver = 1;
    job->adapter_state = listing;
    job->free_adapter_state = free_user_listing;
    top_up_user_pages(job, listing);
}

/* ---- portals: mailboxes, then each one's portal ------------------------------------- */

struct mailbox_row {
    json_object *mailbox;
    json_object *portal; /* NULL: none (404) */
    bool done;
};

struct portal_listing {
    GPtrArray *rows;   /* struct mailbox_row *, in mailbox order */
    GArray *page_ends; /* size_t: rows->len after each mailbox page */
    char *filter;
    size_t next_lookup; /* the next row to ask by-mailbox for */
    size_t rows_delivered;
    guint pages_delivered;
    unsigned lookups_in_flight;
    int mailbox_pages; /* pages of mailboxes requested */
    long long total;   /* totalRecords, -1 while unknown */
    bool failed;
};

static void free_mailbox_row(gpointer data)
{
    struct mailbox_row *row = data;
    json_object_put(row->mailbox);
    json_object_put(row->portal);
    g_free(row);
}

static void free_portal_listing(void *data)
{
    struct portal_listing *listing = data;
    g_ptr_array_unref(listing->rows);
    g_array_unref(listing->page_ends);
    g_free(listing->filter);
    g_free(listing);
}

static void on_portal(struct vendor_job *job, const struct net_response *res, void *data);
static void on_mailbox_page(struct vendor_job *job, const struct net_response *res, void *data);

static void send_mailbox_page(struct vendor_job *job, struct portal_listing *listing)
{
    char *body = page_body(listing->filter, 0, ++listing->mailbox_pages);
    send_list_page(job, "/v2/mailboxes/list", body, on_mailbox_page, NULL);
    g_free(body);
}

static void pump_portal_lookups(struct vendor_job *job, struct portal_listing *listing)
{
    while (!listing->failed && listing->lookups_in_flight < ECGRID_LIST_IN_FLIGHT &&
           listing->next_lookup < listing->rows->len) {
        struct mailbox_row *row = g_ptr_array_index(listing->rows, listing->next_lookup++);
        char id[16];
        g_snprintf(id, sizeof(id), "%d", ecgrid_mailbox_id_of(row->mailbox));
        const char *const values[] = {id, NULL};
        char *url = ecgrid_job_url(job, "/v2/portals/by-mailbox/{}", values);
        if (!url) {
            listing->failed = true;
            return;
        }
        struct vendor_call request = {.method = "GET", .url = url, .idempotent = true};
        listing->lookups_in_flight++;
        vendor_job_send(job, &request, on_portal, row);
        free(url);
    }
}

/* A page of mailboxes goes out once every look-up of it (and before it) is done. */
static void deliver_portal_pages(struct vendor_job *job, struct portal_listing *listing)
{
    while (!listing->failed && listing->pages_delivered < listing->page_ends->len) {
        size_t end = g_array_index(listing->page_ends, size_t, listing->pages_delivered);
        for (size_t i = listing->rows_delivered; i < end; i++) {
            if (!((struct mailbox_row *)g_ptr_array_index(listing->rows, i))->done)
                return;
        }
        struct record_list records;
        record_list_init(&records);
        for (size_t i = listing->rows_delivered; i < end; i++) {
            struct mailbox_row *row = g_ptr_array_index(listing->rows, i);
            ecgrid_add_portal_row(&records, row->mailbox, row->portal);
            json_object_put(row->mailbox);
            json_object_put(row->portal);
            row->mailbox = row->portal = NULL;
        }
        listing->rows_delivered = end;
        listing->pages_delivered++;
        if (records.count)
            vendor_job_deliver_page(job, &records);
        record_list_clear(&records);
        vendor_job_progress(
            job, "%zu of %zu mailboxes", listing->rows_delivered,
            (size_t)(listing->total >= 0 ? (size_t)listing->total : listing->rows->len));
    }
}

/* by-mailbox: the portal, or none when ECGrid says ObjectNotFound (404). */
static bool read_portal(struct vendor_job *job, const struct net_response *res,
                        struct mailbox_row *row)
{
    struct ecgrid_error_context context = ecgrid_job_context(job, "look up a mailbox's portal");
    struct ecgrid_answer answer;
    if (!ecgrid_job_answer(job, res, &context, &answer)) {
        bool none = job->error.http_status == 404 &&
                    (!job->error.code || strcmp(job->error.code, "ObjectNotFound") == 0);
        if (!none)
            return false;
        api_error_clear(&job->error);
        return true;
    }
    bool ok = json_object_is_type(answer.data, json_type_object);
    if (ok)
        row->portal = json_object_get(answer.data);
    else
        api_error_set(&job->error, API_BAD_RESPONSE, res->status, NULL,
                      "ECGrid's answer about a mailbox's portal had no portal in it: report this "
                      "to the portalctl maintainers");
    ecgrid_answer_clear(&answer);
    return ok;
}

static void on_portal(struct vendor_job *job, const struct net_response *res, void *data)
{
    struct portal_listing *listing = job->adapter_state;
    struct mailbox_row *row = data;
    listing->lookups_in_flight--;
    if (listing->failed)
        return;
    if (!read_portal(job, res, row)) {
        listing->failed = true;
        return;
    }
    row->done = true;
    pump_portal_lookups(job, listing);
    deliver_portal_pages(job, listing);
}

static void on_mailbox_page(struct vendor_job *job, const struct net_response *res, void *data)
{
    (void)data;
    struct portal_listing *listing = job->adapter_state;
    if (listing->failed)
        return;
    struct ecgrid_error_context context = ecgrid_job_context(job, "list mailboxes");
    struct ecgrid_answer answer;
    struct ecgrid_mailbox_page page = {0};
    if (!ecgrid_job_answer(job, res, &context, &answer)) {
        listing->failed = true;
        return;
    }
    bool ok = ecgrid_parse_mailbox_page(answer.data, &page, &job->error);
    ecgrid_answer_clear(&answer);
    if (!ok) {
        ecgrid_mailbox_page_clear(&page);
        listing->failed = true;
        return;
    }
    for (guint i = 0; i < page.mailboxes->len; i++) {
        struct mailbox_row *row = g_new0(struct mailbox_row, 1);
        row->mailbox = json_object_get(g_ptr_array_index(page.mailboxes, i));
        g_ptr_array_add(listing->rows, row);
    }
    size_t end = listing->rows->len;
    g_array_append_val(listing->page_ends, end);
    if (page.total >= 0)
        listing->total = page.total;
    bool more = page.mailboxes->len >= ECGRID_PAGE_SIZE &&
                (listing->total < 0 || (long long)listing->rows->len < listing->total);
    ecgrid_mailbox_page_clear(&page);
    if (more)
        send_mailbox_page(job, listing);
    pump_portal_lookups(job, listing);
    deliver_portal_pages(job, listing);
}

void ecgrid_start_list_portals(struct vendor_job *job)
{
    struct portal_listing *listing = g_new0(struct portal_listing, 1);
    listing->rows = g_ptr_array_new_with_free_func(free_mailbox_row);
    listing->page_ends = g_array_new(FALSE, FALSE, sizeof(size_t));
    listing->filter = g_strdup(job->request.filter);
    listing->total = -1;
    job->adapter_state = listing;
    job->free_adapter_state = free_portal_listing;
    send_mailbox_page(job, listing);
}
