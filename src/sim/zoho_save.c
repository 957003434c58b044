/*
 * portal-sim, Zoho CRM half: saving the state as one JSON value and loading
 * it back. Saving streams text through a small buffer (a million users make
 * a file of some hundred megabytes; no json-c tree is built for it). Loading
 * reads the stream the server opened — contacts, portals, user types and
 * members one element at a time, the small rest whole — builds a fresh state
 * beside the live one and swaps it in only when all of it is valid.
 *
 * What is saved: ids, contacts, portals, user types and members, refresh
 * tokens, access tokens with their absolute expiry (so a restarted simulator
 * honours a client's cached token until it would have expired anyway), and
 * bulk jobs. What is not: device codes (they live five minutes; a restarted
 * simulator starts the flow anew) and whether the one-time grant code was
 * used (it works once per simulator run). Never: the run's options.
 */
#include <portalctl/sim/json_stream.h>
#include <portalctl/sim/zoho_sim.h>

#include <stdarg.h>
#include <string.h>

#define SAVE_FORMAT 1
#define FLUSH_AT    (1 << 20)

/* --- saving ------------------------------------------------------------------- */

struct writer {
    FILE *out;
    GString *buf;
    char flushed_last; /* the last character written out, for the comma rule */
    bool ok;
};

static void flush(struct writer *w)
{
    if (!w->buf->len)
        return;
    if (fwrite(w->buf->str, 1, w->buf->len, w->out) != w->buf->len)
        w->ok = false;
    w->flushed_last = w->buf->str[w->buf->len - 1];
    g_string_truncate(w->buf, 0);
}

static void maybe_flush(struct writer *w)
{
    if (w->buf->len >= FLUSH_AT)
        flush(w);
}

static void put_key(struct writer *w, const char *key)
{
    char last = w->buf->len ? w->buf->str[w->buf->len - 1] : w->flushed_last;
    if (last != '{' && last != '[' && last != '\0')
        g_string_append_c(w->buf, ',');
    sim_json_append_string(w->buf, key);
    g_string_append_c(w->buf, ':');
}

static void put_string(struct writer *w, const char *key, const char *value)
{
    put_key(w, key);
    sim_json_append_string(w->buf, value);
}

static void put_id(struct writer *w, const char *key, uint64_t id)
{
    char text[ZOHO_SIM_ID_LEN];
    put_string(w, key, zoho_sim_id_text(id, text));
}

static void put_bool(struct writer *w, const char *key, bool value)
{
    put_key(w, key);
    g_string_append(w->buf, value ? "true" : "false");
}

static void put_int(struct writer *w, const char *key, int64_t value)
{
    put_key(w, key);
    g_string_append_printf(w->buf, "%lld", (long long)value);
}

static void put_double(struct writer *w, const char *key, double value)
{
    put_key(w, key);
    g_string_append_printf(w->buf, "%.3f", value);
}

/* Opens an array member; items are separated by the caller. */
static void open_array(struct writer *w, const char *key)
{
    put_key(w, key);
    g_string_append_c(w->buf, '[');
}

static void open_item(struct writer *w, size_t index)
{
    g_string_append(w->buf, index ? ",{" : "{");
}

/* Keys in sorted order, so that saving twice gives the same text. */
static GList *sorted_keys(GHashTable *table)
{
    return g_list_sort(g_hash_table_get_keys(table), (GCompareFunc)strcmp);
}

static void save_tokens(struct writer *w, struct zoho_sim_state *st)
{
    size_t n = 0;
    open_array(w, "refresh_tokens");
    GList *keys = sorted_keys(st->refresh_tokens);
    for (GList *k = keys; k; k = k->next) {
        open_item(w, n++);
        put_string(w, "token", k->data);
        put_bool(w, "read_only",
                 GPOINTER_TO_INT(g_hash_table_lookup(st->refresh_tokens, k->data)) ==
                     ZOHO_SIM_REFRESH_READ_ONLY);
        g_string_append_c(w->buf, '}');
    }
    g_list_free(keys);
    g_string_append_c(w->buf, ']');
    n = 0;
    open_array(w, "access_tokens");
    keys = sorted_keys(st->access_tokens);
    for (GList *k = keys; k; k = k->next) {
        const struct zoho_sim_access_token *token = g_hash_table_lookup(st->access_tokens, k->data);
        open_item(w, n++);
        put_string(w, "token", k->data);
        put_double(w, "expires_at", token->expires_at);
        put_bool(w, "read_only", token->read_only);
        put_string(w, "refresh_token", token->refresh_token);
        g_string_append_c(w->buf, '}');
    }
    g_list_free(keys);
    g_string_append_c(w->buf, ']');
}

static void save_contacts(struct writer *w, struct zoho_sim_state *st)
{
    open_array(w, "contacts");
    for (guint i = 0; i < st->contacts->len; i++) {
        const struct zoho_sim_contact *c = zoho_sim_contact_at(st, i);
        open_item(w, i);
        put_id(w, "id", c->id);
        put_string(w, "email", c->email);
        put_string(w, "first_name", c->first_name);
        put_string(w, "last_name", c->last_name);
        put_int(w, "created", c->created);
        put_bool(w, "in_recycle_bin", c->in_recycle_bin);
        g_string_append_c(w->buf, '}');
        maybe_flush(w);
    }
    g_string_append_c(w->buf, ']');
}

static void save_user_type(struct writer *w, struct zoho_sim_state *st,
                           const struct zoho_sim_user_type *type)
{
    put_id(w, "id", type->id);
    put_string(w, "name", type->name);
    put_bool(w, "default", type->is_default);
    put_bool(w, "active", type->active);
    put_int(w, "created", type->created);
    put_int(w, "modified", type->modified);
    open_array(w, "members");
    size_t n = 0;
    for (guint i = 0; i < type->members->len; i++) {
        const struct zoho_sim_member *m = &g_array_index(type->members, struct zoho_sim_member, i);
        if (m->contact == ZOHO_SIM_NONE)
            continue;
        open_item(w, n++);
        put_id(w, "contact_id", zoho_sim_contact_at(st, m->contact)->id);
        put_bool(w, "confirmed", m->confirmed);
        put_bool(w, "active", m->active);
        put_int(w, "invited", m->invited);
        g_string_append_c(w->buf, '}');
        maybe_flush(w);
    }
    g_string_append_c(w->buf, ']');
}

static void save_portals(struct writer *w, struct zoho_sim_state *st)
{
    open_array(w, "portals");
    for (guint i = 0; i < st->portals->len; i++) {
        const struct zoho_sim_portal *portal = g_ptr_array_index(st->portals, i);
        open_item(w, i);
        put_string(w, "name", portal->name);
        put_string(w, "zaid", portal->zaid);
        put_bool(w, "active", portal->active);
        put_int(w, "created", portal->created);
        put_int(w, "modified", portal->modified);
        open_array(w, "user_types");
        for (guint k = 0; k < portal->user_types->len; k++) {
            open_item(w, k);
            save_user_type(w, st, g_ptr_array_index(portal->user_types, k));
            g_string_append_c(w->buf, '}');
        }
        g_string_append(w->buf, "]}");
    }
    g_string_append_c(w->buf, ']');
}

static void save_jobs(struct writer *w, struct zoho_sim_state *st)
{
    open_array(w, "jobs");
    for (guint i = 0; i < st->jobs->len; i++) {
        const struct zoho_sim_job *job = g_ptr_array_index(st->jobs, i);
        open_item(w, i);
        put_id(w, "id", job->id);
        put_double(w, "created_at", job->created_at);
        put_double(w, "due_at", job->due_at);
        open_array(w, "invites");
        for (guint k = 0; k < job->invites->len; k++) {
            const struct zoho_sim_invite *item = g_ptr_array_index(job->invites, k);
            open_item(w, k);
            put_string(w, "id", item->record_id);
            put_string(w, "user_type_id", item->user_type_id);
            put_string(w, "type", item->type);
            put_string(w, "language", item->language);
            g_string_append_c(w->buf, '}');
        }
        g_string_append_c(w->buf, ']');
        put_key(w, "results");
        g_string_append(w->buf, job->results ? job->results : "null");
        g_string_append_c(w->buf, '}');
    }
    g_string_append_c(w->buf, ']');
}

bool zoho_sim_save(struct zoho_sim_state *st, FILE *out)
{
    struct writer w = {.out = out, .buf = g_string_sized_new(FLUSH_AT + 4096), .ok = true};
    g_string_append_c(w.buf, '{');
    put_int(&w, "format", SAVE_FORMAT);
    put_id(&w, "next_id", st->next_id);
    put_id(&w, "admin_id", st->admin_id);
    put_id(&w, "module_id", st->module_id);
    put_int(&w, "seeded_users", (int64_t)st->seeded_users);
    put_int(&w, "portal_user_licenses", (int64_t)st->portal_user_licenses);
    save_tokens(&w, st);
    save_contacts(&w, st);
    save_portals(&w, st);
    save_jobs(&w, st);
    g_string_append_c(w.buf, '}');
    flush(&w);
    g_string_free(w.buf, TRUE);
    return w.ok;
}

/* --- loading ------------------------------------------------------------------ */

struct loader {
    struct zoho_sim_state *st; /* the fresh state being filled */
    struct sim_json_stream *in;
    uint64_t max_id; /* ids handed out later must be above every loaded one */
    char *error;
};

G_GNUC_PRINTF(2, 3)
static bool fail(struct loader *l, const char *format, ...)
{
    if (!l->error) {
        va_list args;
        va_start(args, format);
        l->error = g_strdup_vprintf(format, args);
        va_end(args);
    }
    return false;
}

static json_object *member(json_object *obj, const char *key)
{
    json_object *value = NULL;
    json_object_object_get_ex(obj, key, &value);
    return value;
}

static bool read_id(struct loader *l, json_object *obj, const char *key, const char *where,
                    uint64_t *out)
{
    json_object *v = member(obj, key);
    if (!json_object_is_type(v, json_type_string) ||
        !zoho_sim_parse_id(json_object_get_string(v), out))
        return fail(l, "%s.%s: expected a string of digits", where, key);
    if (*out > l->max_id)
        l->max_id = *out;
    return true;
}

static bool read_bool(struct loader *l, json_object *obj, const char *key, const char *where,
                      bool *out)
{
    json_object *v = member(obj, key);
    if (!json_object_is_type(v, json_type_boolean))
        return fail(l, "%s.%s: expected true or false", where, key);
    *out = json_object_get_boolean(v);
    return true;
}

static bool read_int(struct loader *l, json_object *obj, const char *key, const char *where,
                     int64_t *out)
{
    json_object *v = member(obj, key);
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
        return fail(l, "%s.%s: expected a non-negative integer", where, key);
    *out = json_object_get_int64(v);
    return true;
}

static bool read_double(struct loader *l, json_object *obj, const char *key, const char *where,
                        double *out)
{
    json_object *v = member(obj, key);
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return fail(l, "%s.%s: expected a number", where, key);
    *out = json_object_get_double(v);
    return true;
}

/* A string, or (when optional) null or absent, which gives NULL. */
static bool read_string(struct loader *l, json_object *obj, const char *key, const char *where,
                        bool optional, const char **out)
{
    json_object *v = member(obj, key);
    *out = NULL;
    if (!v && optional)
        return true;
    if (!json_object_is_type(v, json_type_string))
        return fail(l, "%s.%s: expected a string", where, key);
    *out = json_object_get_string(v);
    return true;
}

static bool read_array(struct loader *l, json_object *obj, const char *key, const char *where,
                       json_object **out)
{
    *out = member(obj, key);
    if (!json_object_is_type(*out, json_type_array))
        return fail(l, "%s%s%s: expected an array", where, where[0] ? "." : "", key);
    return true;
}

static bool load_tokens(struct loader *l, json_object *saved)
{
    json_object *list = NULL;
    if (!read_array(l, saved, "refresh_tokens", "", &list))
        return false;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *item = json_object_array_get_idx(list, i);
        const char *token = NULL;
        bool read_only = false;
        if (!read_string(l, item, "token", "refresh_tokens[]", false, &token) ||
            !read_bool(l, item, "read_only", "refresh_tokens[]", &read_only))
            return false;
        g_hash_table_insert(
            l->st->refresh_tokens, g_strdup(token),
            GINT_TO_POINTER(read_only ? ZOHO_SIM_REFRESH_READ_ONLY : ZOHO_SIM_REFRESH_FULL));
    }
    if (!read_array(l, saved, "access_tokens", "", &list))
        return false;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *item = json_object_array_get_idx(list, i);
        const char *token = NULL, *refresh = NULL;
        struct zoho_sim_access_token entry = {0};
        if (!read_string(l, item, "token", "access_tokens[]", false, &token) ||
            !read_double(l, item, "expires_at", "access_tokens[]", &entry.expires_at) ||
            !read_bool(l, item, "read_only", "access_tokens[]", &entry.read_only) ||
            !read_string(l, item, "refresh_token", "access_tokens[]", true, &refresh))
            return false;
        entry.refresh_token = g_strdup(refresh);
        g_hash_table_insert(l->st->access_tokens, g_strdup(token),
                            g_memdup2(&entry, sizeof(entry)));
    }
    return true;
}

/* Each element of the array the stream is at, one json-c value at a time. */
typedef bool (*load_item_fn)(struct loader *l, json_object *item, size_t index, void *ctx);

static bool stream_items(struct loader *l, const char *where, load_item_fn load_item, void *ctx)
{
    if (!sim_json_stream_begin_array(l->in))
        return fail(l, "%s: expected an array", where);
    for (size_t i = 0; sim_json_stream_next_element(l->in); i++) {
        json_object *item = NULL;
        if (!sim_json_stream_value(l->in, &item))
            break;
        bool ok = load_item(l, item, i, ctx);
        json_object_put(item);
        if (!ok)
            return false;
    }
    return !sim_json_stream_error(l->in);
}

/* Reads an object's members up to the one named big; NULL after failing. */
static json_object *stream_head(struct loader *l, const char *big, const char *where)
{
    const char *const stop[] = {big, NULL};
    const char *at = NULL;
    if (!sim_json_stream_begin_object(l->in)) {
        fail(l, "%s: expected an object", where);
        return NULL;
    }
    json_object *head = sim_json_stream_members_until(l->in, stop, &at);
    if (head && !at) {
        json_object_put(head);
        fail(l, "%s%s%s: expected an array", where, where[0] ? "." : "", big);
        return NULL;
    }
    return head;
}

/* What follows the streamed member, to the object's end; NULL after failing. */
static json_object *stream_tail(struct loader *l)
{
    const char *at = NULL;
    return sim_json_stream_members_until(l->in, NULL, &at);
}

static bool load_contact(struct loader *l, json_object *item, size_t i, void *ctx)
{
    (void)ctx;
    uint64_t id = 0;
    int64_t created = 0;
    bool recycled = false;
    const char *email = NULL, *first = NULL, *last = NULL;
    char where[48];
    snprintf(where, sizeof(where), "contacts[%zu]", i);
    if (!read_id(l, item, "id", where, &id) ||
        !read_string(l, item, "email", where, true, &email) ||
        !read_string(l, item, "first_name", where, true, &first) ||
        !read_string(l, item, "last_name", where, true, &last) ||
        !read_int(l, item, "created", where, &created) ||
        !read_bool(l, item, "in_recycle_bin", where, &recycled))
        return false;
    if (g_hash_table_contains(l->st->contact_by_id, (gpointer)(uintptr_t)id))
        return fail(l, "%s.id: %llu appears twice", where, (unsigned long long)id);
    uint32_t index = zoho_sim_contact_add(l->st, id, email, first, last, created);
    zoho_sim_contact_at(l->st, index)->in_recycle_bin = recycled;
    return true;
}

struct member_target {
    struct zoho_sim_portal *portal;
    struct zoho_sim_user_type *type;
    const char *where;
};

static bool load_member(struct loader *l, json_object *m, size_t i, void *ctx)
{
    struct member_target *target = ctx;
    uint64_t contact_id = 0;
    bool confirmed = false, active = false;
    int64_t invited = 0;
    if (!read_id(l, m, "contact_id", "members[]", &contact_id) ||
        !read_bool(l, m, "confirmed", "members[]", &confirmed) ||
        !read_bool(l, m, "active", "members[]", &active) ||
        !read_int(l, m, "invited", "members[]", &invited))
        return false;
    char id_text[ZOHO_SIM_ID_LEN];
    uint32_t contact = zoho_sim_contact_find(l->st, zoho_sim_id_text(contact_id, id_text));
    if (contact == ZOHO_SIM_NONE)
        return fail(l, "%s.members[%zu]: no contact %s", target->where, i, id_text);
    if (zoho_sim_portal_member_type(target->portal, contact))
        return fail(l, "%s.members[%zu]: contact %s is already a user of the portal", target->where,
                    i, id_text);
    zoho_sim_member_add(l->st, target->type, contact, confirmed, active, invited);
    return true;
}

static struct zoho_sim_user_type *add_user_type(struct loader *l, json_object *t,
                                                struct zoho_sim_portal *portal, const char *where)
{
    uint64_t id = 0;
    const char *name = NULL;
    bool is_default = false, active = false;
    int64_t created = 0, modified = 0;
    if (!read_id(l, t, "id", where, &id) || !read_string(l, t, "name", where, false, &name) ||
        !read_bool(l, t, "default", where, &is_default) ||
        !read_bool(l, t, "active", where, &active) || !read_int(l, t, "created", where, &created) ||
        !read_int(l, t, "modified", where, &modified))
        return NULL;
    struct zoho_sim_user_type *type = zoho_sim_user_type_add(portal, id, name, is_default, created);
    type->active = active;
    type->modified = modified;
    return type;
}

/* The user types of one portal: each one's fields whole, its members streamed. */
static bool load_user_types(struct loader *l, struct zoho_sim_portal *portal,
                            const char *portal_where)
{
    if (!sim_json_stream_begin_array(l->in))
        return fail(l, "%s.user_types: expected an array", portal_where);
    for (size_t i = 0; sim_json_stream_next_element(l->in); i++) {
        char where[128];
        snprintf(where, sizeof(where), "%s.user_types[%zu]", portal_where, i);
        json_object *head = stream_head(l, "members", where);
        struct zoho_sim_user_type *type = head ? add_user_type(l, head, portal, where) : NULL;
        json_object_put(head);
        struct member_target target = {portal, type, where};
        json_object *tail =
            type && stream_items(l, where, load_member, &target) ? stream_tail(l) : NULL;
        json_object_put(tail);
        if (!tail)
            return false;
    }
    return !sim_json_stream_error(l->in);
}

static struct zoho_sim_portal *add_portal(struct loader *l, json_object *item, const char *where)
{
    const char *name = NULL, *zaid = NULL;
    bool active = false;
    int64_t created = 0, modified = 0;
    if (!read_string(l, item, "name", where, false, &name) ||
        !read_string(l, item, "zaid", where, false, &zaid) ||
        !read_bool(l, item, "active", where, &active) ||
        !read_int(l, item, "created", where, &created) ||
        !read_int(l, item, "modified", where, &modified))
        return NULL;
    if (zoho_sim_portal_find(l->st, name)) {
        fail(l, "%s.name: \"%s\" appears twice", where, name);
        return NULL;
    }
    struct zoho_sim_portal *portal = zoho_sim_portal_add(l->st, name, created);
    g_free(portal->zaid);
    portal->zaid = g_strdup(zaid);
    portal->active = active;
    portal->modified = modified;
    return portal;
}

static bool load_portals(struct loader *l)
{
    if (!sim_json_stream_begin_array(l->in))
        return fail(l, "portals: expected an array");
    for (size_t i = 0; sim_json_stream_next_element(l->in); i++) {
        char where[48];
        snprintf(where, sizeof(where), "portals[%zu]", i);
        json_object *head = stream_head(l, "user_types", where);
        struct zoho_sim_portal *portal = head ? add_portal(l, head, where) : NULL;
        json_object_put(head);
        json_object *tail = portal && load_user_types(l, portal, where) ? stream_tail(l) : NULL;
        json_object_put(tail);
        if (!tail)
            return false;
    }
    return !sim_json_stream_error(l->in);
}

static bool load_job(struct loader *l, json_object *item, const char *where)
{
    struct zoho_sim_job *job = g_new0(struct zoho_sim_job, 1);
    job->invites = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_sim_invite_free);
    g_ptr_array_add(l->st->jobs, job); /* owned by the state from here, even on failure */
    json_object *invites = NULL, *results = member(item, "results");
    if (!read_id(l, item, "id", where, &job->id) ||
        !read_double(l, item, "created_at", where, &job->created_at) ||
        !read_double(l, item, "due_at", where, &job->due_at) ||
        !read_array(l, item, "invites", where, &invites))
        return false;
    for (size_t i = 0; i < json_object_array_length(invites); i++) {
        json_object *v = json_object_array_get_idx(invites, i);
        const char *fields[4];
        if (!read_string(l, v, "id", where, true, &fields[0]) ||
            !read_string(l, v, "user_type_id", where, true, &fields[1]) ||
            !read_string(l, v, "type", where, true, &fields[2]) ||
            !read_string(l, v, "language", where, true, &fields[3]))
            return false;
        struct zoho_sim_invite *invite = g_new0(struct zoho_sim_invite, 1);
        invite->record_id = g_strdup(fields[0]);
        invite->user_type_id = g_strdup(fields[1]);
        invite->type = g_strdup(fields[2]);
        invite->language = g_strdup(fields[3]);
        g_ptr_array_add(job->invites, invite);
    }
    if (results && !json_object_is_type(results, json_type_array))
        return fail(l, "%s.results: expected an array or null", where);
    if (results)
        job->results = g_strdup(json_object_to_json_string_ext(
            results, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    else
        l->st->pending_jobs++;
    return true;
}

static bool load_jobs(struct loader *l, json_object *saved)
{
    json_object *list = NULL;
    if (!read_array(l, saved, "jobs", "", &list))
        return false;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        char where[32];
        snprintf(where, sizeof(where), "jobs[%zu]", i);
        if (!load_job(l, json_object_array_get_idx(list, i), where))
            return false;
    }
    return true;
}

static bool load_counters(struct loader *l, json_object *saved)
{
    int64_t format = 0, seeded = 0, licenses = 0;
    if (!read_int(l, saved, "format", "", &format))
        return false;
    if (format != SAVE_FORMAT)
        return fail(l, "format %lld is not %d", (long long)format, SAVE_FORMAT);
    if (!read_id(l, saved, "next_id", "", &l->st->next_id))
        return false;
    l->max_id = 0; /* next_id itself is not an id in use */
    if (!read_id(l, saved, "admin_id", "", &l->st->admin_id) ||
        !read_id(l, saved, "module_id", "", &l->st->module_id) ||
        !read_int(l, saved, "seeded_users", "", &seeded) ||
        !read_int(l, saved, "portal_user_licenses", "", &licenses))
        return false;
    l->st->seeded_users = (size_t)seeded;
    l->st->portal_user_licenses = (size_t)licenses;
    return true;
}

/* The members in the order save writes them: counters and tokens whole,
 * contacts and portals streamed, jobs whole. */
static bool load_stream(struct loader *l)
{
    static const char *const streamed[] = {"contacts", "portals", NULL};
    const char *at = NULL;
    if (!sim_json_stream_begin_object(l->in))
        return fail(l, "expected a JSON object");
    json_object *head = sim_json_stream_members_until(l->in, streamed, &at);
    bool ok = head && load_counters(l, head) && load_tokens(l, head);
    json_object_put(head);
    if (ok && (!at || strcmp(at, "contacts") != 0))
        return fail(l, "contacts: expected an array before the portals");
    ok = ok && stream_items(l, "contacts", load_contact, NULL);
    json_object *middle = ok ? sim_json_stream_members_until(l->in, streamed, &at) : NULL;
    json_object_put(middle);
    if (middle && (!at || strcmp(at, "portals") != 0))
        return fail(l, "portals: expected an array");
    ok = middle && load_portals(l);
    json_object *tail = ok ? stream_tail(l) : NULL;
    ok = tail && load_jobs(l, tail);
    json_object_put(tail);
    return ok;
}

bool zoho_sim_load(struct zoho_sim_state *st, struct sim_json_stream *in, char **error)
{
    struct loader l = {.st = zoho_sim_state_new_empty(st->base_url, st->token_ttl, 0), .in = in};
    if (!load_stream(&l)) {
        zoho_sim_state_free(l.st);
        *error = l.error ? l.error
                         : g_strdup(sim_json_stream_error(in) ? sim_json_stream_error(in)
                                                              : "cannot read the state");
        return false;
    }
    if (l.st->next_id <= l.max_id)
        l.st->next_id = l.max_id + 1;
    zoho_sim_state_take(st, l.st);
    return true;
}
