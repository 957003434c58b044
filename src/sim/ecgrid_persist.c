/*
 * portal-sim, ECGrid: saving the whole simulated state as one JSON object and
 * loading it back. Owns the state file's shape (objects in their wire shape
 * plus the few fields the wire never shows), including the API keys issued by
 * key-generate (the simulator's own test credentials; the fixed section 8 keys
 * are not written). Writes users one at a time and reads them back one at a
 * time from the stream, so millions need no big buffer and no json-c tree of
 * the whole. Never changes a live store: load builds a new one.
 */
#include <portalctl/sim/ecgrid_model.h>
#include <portalctl/sim/json_stream.h>

#include <string.h>

#define STATE_FORMAT  "portal-sim/ecgrid"
#define STATE_VERSION 1

/* --------------------------------------------------------------- save */

static bool flush_chunk(GString *chunk, FILE *out)
{
    bool ok = fwrite(chunk->str, 1, chunk->len, out) == chunk->len;
    g_string_truncate(chunk, 0);
    return ok;
}

static void append_network(GString *out, const struct ecgrid_network *network)
{
    g_string_append_c(out, '{');
    ecgrid_json_int(out, "networkId", network->network_id);
    ecgrid_json_str(out, "name", network->name);
    ecgrid_json_time(out, "created", network->created);
    g_string_append_c(out, '}');
}

static void append_saved_mailbox(GString *out, const struct ecgrid_mailbox *mailbox)
{
    ecgrid_append_mailbox(out, mailbox);
    g_string_truncate(out, out->len - 1); /* reopen the object to add the portal */
    ecgrid_json_key(out, "portal");
    if (mailbox->portal)
        ecgrid_append_portal(out, mailbox);
    else
        g_string_append(out, "null");
    g_string_append_c(out, '}');
}

static void append_saved_user(GString *out, const struct ecgrid_user *user)
{
    ecgrid_append_user(out, user);
    g_string_truncate(out, out->len - 1);
    ecgrid_json_str(out, "passwordSha256", user->password_sha256);
    g_string_append_c(out, '}');
}

static void append_header(GString *out, const struct ecgrid_store *store)
{
    g_string_append_c(out, '{');
    ecgrid_json_str(out, "format", STATE_FORMAT);
    ecgrid_json_int(out, "version", STATE_VERSION);
    ecgrid_json_int(out, "nextUserId", store->next_user_id);
    ecgrid_json_int(out, "nextPortalId", store->next_portal_id);
    ecgrid_json_int(out, "seedSerial", (long long)store->seed_serial);
    ecgrid_json_key(out, "networks");
    g_string_append_c(out, '[');
    for (guint i = 0; i < store->networks->len; i++) {
        if (i)
            g_string_append_c(out, ',');
        append_network(out, g_ptr_array_index(store->networks, i));
    }
    g_string_append(out, "],\"mailboxes\":[");
    for (guint i = 0; i < store->mailboxes->len; i++) {
        if (i)
            g_string_append_c(out, ',');
        append_saved_mailbox(out, g_ptr_array_index(store->mailboxes, i));
    }
    g_string_append(out, "],\"users\":[");
}

static int compare_ints(gconstpointer a, gconstpointer b)
{
    int left = GPOINTER_TO_INT(a), right = GPOINTER_TO_INT(b);
    return (left > right) - (left < right);
}

/* After the users, which they name; in user id order so equal stores save alike. */
static void append_api_keys(GString *out, const struct ecgrid_store *store)
{
    g_string_append(out, ",\"apiKeys\":[");
    GList *ids = g_list_sort(g_hash_table_get_keys(store->key_of_user), compare_ints);
    for (GList *id = ids; id; id = id->next) {
        g_string_append(out, id == ids ? "{" : ",{");
        ecgrid_json_int(out, "userId", GPOINTER_TO_INT(id->data));
        ecgrid_json_str(out, "apiKey", g_hash_table_lookup(store->key_of_user, id->data));
        g_string_append_c(out, '}');
    }
    g_list_free(ids);
    g_string_append_c(out, ']');
}

bool ecgrid_store_save(const struct ecgrid_store *store, FILE *out)
{
    GString *chunk = g_string_sized_new(64 * 1024);
    append_header(chunk, store);
    bool ok = true;
    size_t count = ecgrid_store_user_count(store);
    for (size_t i = 0; i < count && ok; i++) {
        if (i)
            g_string_append_c(chunk, ',');
        append_saved_user(chunk, ecgrid_store_user_at(store, i));
        if (chunk->len >= 60 * 1024)
            ok = flush_chunk(chunk, out);
    }
    g_string_append_c(chunk, ']');
    append_api_keys(chunk, store);
    g_string_append_c(chunk, '}');
    ok = ok && flush_chunk(chunk, out);
    g_string_free(chunk, TRUE);
    return ok;
}

/* --------------------------------------------------------------- load */

/* Reading one saved object: the first problem found is kept in *error and every
 * later read fails, so a loader can read all fields and check once. */
struct reader {
    json_object *object;
    const char *where; /* "users[12]" */
    char **error;
};

static bool reader_fail(struct reader *r, const char *key, const char *problem)
{
    if (!*r->error)
        *r->error = g_strdup_printf("%s.%s %s", r->where, key, problem);
    return false;
}

static json_object *reader_member(struct reader *r, const char *key)
{
    json_object *value = NULL;
    if (*r->error || !json_object_object_get_ex(r->object, key, &value))
        return NULL;
    return value;
}

static int read_int(struct reader *r, const char *key)
{
    json_object *value = reader_member(r, key);
    if (!json_object_is_type(value, json_type_int) || json_object_get_int64(value) < 0 ||
        json_object_get_int64(value) > G_MAXINT32) {
        reader_fail(r, key, "is missing or not a non-negative integer");
        return 0;
    }
    return (int)json_object_get_int64(value);
}

/* NULL for a JSON null when nullable. */
static const char *read_string(struct reader *r, const char *key, bool nullable)
{
    json_object *value = reader_member(r, key);
    if (nullable && value == NULL && !*r->error && json_object_object_get_ex(r->object, key, NULL))
        return NULL;
    if (!json_object_is_type(value, json_type_string)) {
        reader_fail(r, key, "is missing or not a string");
        return NULL;
    }
    return json_object_get_string(value);
}

static gint64 read_time(struct reader *r, const char *key, bool nullable)
{
    const char *text = read_string(r, key, nullable);
    gint64 t = 0;
    if (text && !ecgrid_parse_time(text, &t))
        reader_fail(r, key, "is not a time like 2026-05-07T09:00:00Z");
    return t;
}

static bool read_bool(struct reader *r, const char *key)
{
    json_object *value = reader_member(r, key);
    if (!json_object_is_type(value, json_type_boolean))
        return reader_fail(r, key, "is missing or not a boolean");
    return json_object_get_boolean(value);
}

static enum ecgrid_level read_level(struct reader *r, const char *key)
{
    enum ecgrid_level level = ECGRID_LEVEL_GENERAL;
    json_object *value = reader_member(r, key);
    if (!*r->error && !ecgrid_level_from_json(value, &level))
        reader_fail(r, key, "is not an AuthLevel");
    return level;
}

static enum ecgrid_status read_status(struct reader *r, const char *key)
{
    enum ecgrid_status status = ECGRID_STATUS_TERMINATED;
    json_object *value = reader_member(r, key);
    if (!*r->error && !ecgrid_status_from_json(value, &status))
        reader_fail(r, key, "is not a Status");
    return status;
}

/* The array member key of the top object, or NULL with *error set. */
static json_object *read_array(json_object *saved, const char *key, char **error)
{
    json_object *array = NULL;
    if (!json_object_object_get_ex(saved, key, &array) ||
        !json_object_is_type(array, json_type_array)) {
        *error = g_strdup_printf("\"%s\" is missing or not an array", key);
        return NULL;
    }
    return array;
}

static bool load_networks(struct ecgrid_store *store, json_object *array, char **error)
{
    for (size_t i = 0; i < json_object_array_length(array); i++) {
        char where[32];
        g_snprintf(where, sizeof(where), "networks[%zu]", i);
        struct reader r = {json_object_array_get_idx(array, i), where, error};
        int network_id = read_int(&r, "networkId");
        const char *name = read_string(&r, "name", false);
        gint64 created = read_time(&r, "created", false);
        if (*error)
            return false;
        if (!ecgrid_store_add_network(store, network_id, name, created))
            return reader_fail(&r, "networkId", "is used twice");
    }
    return true;
}

static bool load_portal(struct ecgrid_store *store, struct ecgrid_mailbox *mailbox,
                        struct reader *outer)
{
    json_object *saved = reader_member(outer, "portal");
    if (!saved)
        return !*outer->error;
    char where[48];
    g_snprintf(where, sizeof(where), "%s.portal", outer->where);
    struct reader r = {saved, where, outer->error};
    int portal_id = read_int(&r, "portalId");
    const char *url = read_string(&r, "url", false);
    enum ecgrid_status status = read_status(&r, "status");
    gint64 created = read_time(&r, "created", false);
    if (*r.error)
        return false;
    struct ecgrid_portal *portal = ecgrid_store_add_portal(store, mailbox, portal_id, created);
    g_free(portal->url); /* keep the saved URL, not a new slug */
    portal->url = g_strdup(url);
    portal->status = status;
    return true;
}

static bool load_mailboxes(struct ecgrid_store *store, json_object *array, char **error)
{
    for (size_t i = 0; i < json_object_array_length(array); i++) {
        char where[32];
        g_snprintf(where, sizeof(where), "mailboxes[%zu]", i);
        struct reader r = {json_object_array_get_idx(array, i), where, error};
        struct ecgrid_mailbox mailbox = {
            .mailbox_id = read_int(&r, "mailboxId"),
            .network_id = read_int(&r, "networkId"),
            .name = (char *)read_string(&r, "name", false),
            .description = (char *)read_string(&r, "description", false),
            .status = read_status(&r, "status"),
            .created = read_time(&r, "created", false),
            .modified = read_time(&r, "modified", false),
        };
        if (*error)
            return false;
        struct ecgrid_mailbox *added = ecgrid_store_add_mailbox(store, &mailbox);
        if (!added)
            return reader_fail(&r, "mailboxId", "is used twice or its network is unknown");
        if (!load_portal(store, added, &r))
            return false;
    }
    return true;
}

static bool read_user(struct reader *r, struct ecgrid_user *user)
{
    user->user_id = read_int(r, "userId");
    user->login = read_string(r, "login", false);
    user->email = read_string(r, "email", false);
    user->first_name = read_string(r, "firstName", false);
    user->last_name = read_string(r, "lastName", false);
    user->company = read_string(r, "company", false);
    user->network_id = read_int(r, "networkId");
    user->mailbox_id = read_int(r, "mailboxId");
    user->level = (gint8)read_level(r, "authLevel");
    user->status = (gint8)read_status(r, "status");
    user->locked_out = read_bool(r, "lockedOut");
    user->last_login = read_time(r, "lastLogin", true);
    user->created = read_time(r, "created", false);
    user->modified = read_time(r, "modified", false);
    user->password_sha256 = read_string(r, "passwordSha256", true);
    return !*r->error;
}

/* Users come one element at a time, in the ascending id order save wrote. */
static bool load_users(struct ecgrid_store *store, struct sim_json_stream *in, char **error)
{
    if (!sim_json_stream_begin_array(in))
        return false;
    bool ok = true;
    for (size_t i = 0; ok && sim_json_stream_next_element(in); i++) {
        json_object *item = NULL;
        if (!sim_json_stream_value(in, &item))
            return false;
        char where[40];
        g_snprintf(where, sizeof(where), "users[%zu]", i);
        struct reader r = {item, where, error};
        struct ecgrid_user user = {0};
        ok = json_object_is_type(item, json_type_object)
                 ? read_user(&r, &user)
                 : reader_fail(&r, "(element)", "is not an object");
        const struct ecgrid_mailbox *mailbox =
            ok && user.mailbox_id ? ecgrid_store_mailbox(store, user.mailbox_id) : NULL;
        if (ok && user.mailbox_id && (!mailbox || mailbox->network_id != user.network_id))
            ok = reader_fail(&r, "mailboxId", "names no mailbox of the user's network");
        if (ok && !ecgrid_store_add_user(store, &user)) {
            *error = g_strdup_printf("user %d (%s): its id is not above the previous user's, "
                                     "its login is taken in its network, or its network is "
                                     "unknown",
                                     user.user_id, user.login);
            ok = false;
        }
        json_object_put(item);
    }
    return ok && !sim_json_stream_error(in);
}

/* "apiKeys" is absent from files written before key-generate existed. */
static bool load_api_keys(struct ecgrid_store *store, json_object *tail, char **error)
{
    json_object *keys = NULL;
    if (!json_object_object_get_ex(tail, "apiKeys", &keys))
        return true;
    if (!json_object_is_type(keys, json_type_array)) {
        *error = g_strdup("\"apiKeys\" is not an array");
        return false;
    }
    for (size_t i = 0; i < json_object_array_length(keys); i++) {
        char where[32];
        g_snprintf(where, sizeof(where), "apiKeys[%zu]", i);
        struct reader r = {json_object_array_get_idx(keys, i), where, error};
        int user_id = read_int(&r, "userId");
        const char *key = read_string(&r, "apiKey", false);
        if (*error)
            return false;
        if (!ecgrid_store_user(store, user_id) || !*key ||
            g_hash_table_contains(store->key_of_user, GINT_TO_POINTER(user_id)) ||
            g_hash_table_contains(store->api_keys, key))
            return reader_fail(&r, "apiKey", "is empty, used twice, or names no user");
        ecgrid_store_set_key(store, user_id, key);
    }
    return true;
}

static bool load_header(struct ecgrid_store *store, json_object *saved, char **error)
{
    struct reader r = {saved, "state", error};
    const char *format = read_string(&r, "format", false);
    int version = read_int(&r, "version");
    int next_user_id = read_int(&r, "nextUserId");
    int next_portal_id = read_int(&r, "nextPortalId");
    int seed_serial = read_int(&r, "seedSerial");
    if (*error)
        return false;
    if (strcmp(format, STATE_FORMAT) != 0 || version != STATE_VERSION)
        return reader_fail(&r, "format", "is not portal-sim/ecgrid version 1");
    /* Loading users and portals raises these past every loaded id if needed. */
    store->next_user_id = next_user_id;
    store->next_portal_id = next_portal_id;
    store->seed_serial = (size_t)seed_serial;
    return true;
}

/* The members before "users" (header, networks, mailboxes) are small and read
 * whole; the users are streamed; what follows them (apiKeys) is small again. */
static bool load_head(struct ecgrid_store *store, json_object *head, char **error)
{
    json_object *networks = read_array(head, "networks", error);
    json_object *mailboxes = networks ? read_array(head, "mailboxes", error) : NULL;
    return mailboxes && load_header(store, head, error) && load_networks(store, networks, error) &&
           load_mailboxes(store, mailboxes, error);
}

static bool load_stream(struct ecgrid_store *store, struct sim_json_stream *in, char **error)
{
    static const char *const streamed[] = {"users", NULL};
    const char *at = NULL;
    if (!sim_json_stream_begin_object(in)) {
        *error = g_strdup("not a JSON object");
        return false;
    }
    json_object *head = sim_json_stream_members_until(in, streamed, &at);
    bool ok = head && load_head(store, head, error);
    json_object_put(head);
    if (ok && !at) {
        *error = g_strdup("\"users\" is missing or not an array");
        return false;
    }
    ok = ok && load_users(store, in, error);
    json_object *tail = ok ? sim_json_stream_members_until(in, NULL, &at) : NULL;
    ok = tail && load_api_keys(store, tail, error);
    json_object_put(tail);
    return ok;
}

struct ecgrid_store *ecgrid_store_load(struct sim_json_stream *in, char **error)
{
    *error = NULL;
    struct ecgrid_store *store = ecgrid_store_new();
    if (!load_stream(store, in, error)) {
        if (!*error)
            *error = g_strdup(sim_json_stream_error(in) ? sim_json_stream_error(in)
                                                        : "cannot read the state");
        ecgrid_store_free(store);
        return NULL;
    }
    return store;
}
