/*
 * portal-sim, Valstorm: the state file — accounts, portals and memberships,
 * personal access tokens and the id counter — written as one JSON value in
 * streamed pieces and read back from a stream one account and one member at
 * a time (a million users never become a json-c tree either way), with every
 * field checked, into a fresh store, so a bad file leaves the running state
 * alone. Tokens of a login and pending 2FA logins are never written; personal
 * access tokens (the simulator's own long-lived test credentials) are.
 */
#include <portalctl/sim/json_stream.h>
#include <portalctl/sim/valstorm_store.h>

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#define FLUSH_AT        (256 * 1024)
#define EMAIL_MAX       2048 /* characters: pydantic's EmailStr limit */
#define NAME_MAX_CHARS  100
#define PORTAL_NAME_MAX 100
#define DOMAIN_MAX      253

/* --- saving -------------------------------------------------------------- */

static bool flush(GString *buf, FILE *out, bool force)
{
    if (!force && buf->len < FLUSH_AT)
        return true;
    bool ok = fwrite(buf->str, 1, buf->len, out) == buf->len;
    g_string_truncate(buf, 0);
    return ok;
}

static void append_time(GString *out, int64_t t)
{
    char text[SIM_TIME_LEN];
    sim_json_append_string(out, sim_format_time((time_t)t, text));
}

static bool save_accounts(const struct valstorm_store *store, GString *buf, FILE *out)
{
    bool ok = true;
    g_string_append(buf, "\"accounts\":[");
    for (guint i = 0; ok && i < store->accounts->len; i++) {
        const struct valstorm_account *account = g_ptr_array_index(store->accounts, i);
        g_string_append(buf, i ? ",{\"id\":" : "{\"id\":");
        sim_json_append_string(buf, account->id);
        g_string_append(buf, ",\"email\":");
        sim_json_append_string(buf, valstorm_account_email(account));
        g_string_append(buf, ",\"first_name\":");
        sim_json_append_string(buf, valstorm_account_first(account));
        g_string_append(buf, ",\"last_name\":");
        sim_json_append_string(buf, valstorm_account_last(account));
        g_string_append_c(buf, '}');
        ok = flush(buf, out, false);
    }
    g_string_append_c(buf, ']');
    return ok;
}

static bool save_portal(const struct valstorm_portal *portal, GString *buf, FILE *out)
{
    bool ok = true;
    g_string_append(buf, "{\"id\":");
    sim_json_append_string(buf, portal->id);
    g_string_append(buf, ",\"name\":");
    sim_json_append_string(buf, portal->name);
    g_string_append(buf, ",\"custom_domain\":");
    sim_json_append_string(buf, portal->custom_domain);
    g_string_append(buf, ",\"created_date\":");
    append_time(buf, portal->created);
    g_string_append(buf, ",\"modified_date\":");
    append_time(buf, portal->modified);
    g_string_append(buf, ",\"members\":[");
    for (guint i = 0; ok && i < portal->members->len; i++) {
        const struct valstorm_member *m =
            &g_array_index(portal->members, struct valstorm_member, i);
        g_string_append(buf, i ? ",{\"user_id\":" : "{\"user_id\":");
        sim_json_append_string(buf, m->account->id);
        g_string_append(buf, ",\"created_date\":");
        append_time(buf, m->created);
        g_string_append_c(buf, '}');
        ok = flush(buf, out, false);
    }
    g_string_append(buf, "]}");
    return ok;
}

static void save_pats(const struct valstorm_store *store, GString *buf)
{
    g_string_append(buf, ",\"pats\":[");
    for (guint i = 0; i < store->pats->len; i++) {
        const struct valstorm_pat *pat = g_ptr_array_index(store->pats, i);
        g_string_append(buf, i ? ",{\"id\":" : "{\"id\":");
        sim_json_append_string(buf, pat->id);
        g_string_append(buf, ",\"name\":");
        sim_json_append_string(buf, pat->name);
        g_string_append(buf, ",\"token\":");
        sim_json_append_string(buf, pat->token);
        g_string_append(buf, ",\"admin\":");
        g_string_append(buf, pat->role == VALSTORM_ROLE_ADMIN ? "true" : "false");
        g_string_append(buf, ",\"created_date\":");
        append_time(buf, pat->created);
        g_string_append(buf, ",\"expires_date\":");
        if (pat->expires)
            append_time(buf, pat->expires);
        else
            g_string_append(buf, "null");
        g_string_append_c(buf, '}');
    }
    g_string_append_c(buf, ']');
}

bool valstorm_state_save(const struct valstorm_store *store, FILE *out)
{
    GString *buf = g_string_sized_new(FLUSH_AT + 4096);
    g_string_append_printf(buf,
                           "{\"format\":\"valstorm-sim-1\",\"id_key\":\"%016" PRIx64
                           "\",\"ids_issued\":%" PRIu64 ",\"seeded_users\":%" PRIu64 ",",
                           store->id_key, store->ids_issued, store->seeded_users);
    bool ok = save_accounts(store, buf, out);
    g_string_append(buf, ",\"portals\":[");
    for (guint i = 0; ok && i < store->portals->len; i++) {
        if (i)
            g_string_append_c(buf, ',');
        ok = save_portal(g_ptr_array_index(store->portals, i), buf, out);
    }
    g_string_append_c(buf, ']');
    save_pats(store, buf);
    g_string_append_c(buf, '}');
    ok = ok && flush(buf, out, true);
    g_string_free(buf, TRUE);
    return ok;
}

/* --- loading ---------------------------------------------------------------- */

G_GNUC_PRINTF(2, 3)
static bool fail(char **error, const char *format, ...)
{
    if (*error)
        return false; /* keep the first, innermost message */
    va_list args;
    va_start(args, format);
    *error = g_strdup_vprintf(format, args);
    va_end(args);
    return false;
}

/* A string member of at most max_chars characters (0: any); a nullable one
 * may be null (*out NULL) or empty, any other must have text. */
static bool read_string(json_object *obj, const char *key, bool nullable, size_t max_chars,
                        const char **out)
{
    json_object *value = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(obj, key, &value))
        return false;
    if (!value)
        return nullable;
    if (!json_object_is_type(value, json_type_string))
        return false;
    const char *text = json_object_get_string(value);
    if (!g_utf8_validate(text, -1, NULL) || (!nullable && *text == '\0'))
        return false;
    if (max_chars && (size_t)g_utf8_strlen(text, -1) > max_chars)
        return false;
    *out = text;
    return true;
}

static bool read_id(json_object *obj, const char *key, const char **out)
{
    return read_string(obj, key, false, VALSTORM_ID_SIZE - 1, out) &&
           strlen(*out) < VALSTORM_ID_SIZE;
}

static bool read_time(json_object *obj, const char *key, int64_t *out)
{
    const char *text = NULL;
    if (!read_string(obj, key, false, 64, &text))
        return false;
    GDateTime *when = g_date_time_new_from_iso8601(text, NULL);
    if (!when)
        return false;
    *out = g_date_time_to_unix(when);
    g_date_time_unref(when);
    return true;
}

static bool read_count(json_object *obj, const char *key, uint64_t *out)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(obj, key, &value) ||
        !json_object_is_type(value, json_type_int) || json_object_get_int64(value) < 0)
        return false;
    *out = (uint64_t)json_object_get_int64(value);
    return true;
}

static bool load_account(struct valstorm_store *store, json_object *item, size_t i, char **error)
{
    const char *id, *email, *first, *last;
    if (!read_id(item, "id", &id) || !read_string(item, "email", false, EMAIL_MAX, &email) ||
        !read_string(item, "first_name", true, NAME_MAX_CHARS, &first) ||
        !read_string(item, "last_name", true, NAME_MAX_CHARS, &last))
        return fail(error, "accounts[%zu]: id, email, first_name or last_name missing or invalid",
                    i);
    if (valstorm_account_by_id(store, id) || valstorm_account_by_email(store, email))
        return fail(error, "accounts[%zu]: id %s or its e-mail appears twice", i, id);
    valstorm_account_add(store, id, email, first, last);
    return true;
}

static bool load_member(struct valstorm_portal *portal, const struct valstorm_store *store,
                        json_object *item, size_t i, char **error)
{
    const char *user_id;
    int64_t created;
    if (!json_object_is_type(item, json_type_object) || !read_id(item, "user_id", &user_id) ||
        !read_time(item, "created_date", &created))
        return fail(error, "members[%zu]: user_id or created_date missing or invalid", i);
    const struct valstorm_account *account = valstorm_account_by_id(store, user_id);
    if (!account)
        return fail(error, "members[%zu]: no account %s", i, user_id);
    if (valstorm_portal_has_member(portal, account))
        return fail(error, "members[%zu]: %s is a member twice", i, user_id);
    valstorm_portal_add_member(portal, account, created);
    return true;
}

/* Calls load_item on each element of the array the stream is at, one at a time. */
struct item_loader {
    bool (*load)(struct item_loader *loader, json_object *item, size_t i, char **error);
    struct valstorm_store *store;
    struct valstorm_portal *portal; /* for members */
};

static bool load_streamed_list(struct sim_json_stream *in, const char *key,
                               struct item_loader *loader, char **error)
{
    if (!sim_json_stream_begin_array(in))
        return fail(error, "\"%s\" is not a list", key);
    for (size_t i = 0; sim_json_stream_next_element(in); i++) {
        json_object *item = NULL;
        if (!sim_json_stream_value(in, &item))
            break;
        bool ok = loader->load(loader, item, i, error);
        json_object_put(item);
        if (!ok)
            return false;
    }
    return !sim_json_stream_error(in);
}

static bool member_item(struct item_loader *loader, json_object *item, size_t i, char **error)
{
    return load_member(loader->portal, loader->store, item, i, error);
}

static bool account_item(struct item_loader *loader, json_object *item, size_t i, char **error)
{
    if (!json_object_is_type(item, json_type_object))
        return fail(error, "accounts[%zu]: not an object", i);
    return load_account(loader->store, item, i, error);
}

static struct valstorm_portal *add_portal(struct valstorm_store *store, json_object *head, size_t i,
                                          char **error)
{
    const char *id, *name, *domain;
    int64_t created, modified;
    if (!read_id(head, "id", &id) || !read_string(head, "name", false, PORTAL_NAME_MAX, &name) ||
        !read_string(head, "custom_domain", true, DOMAIN_MAX, &domain) ||
        !read_time(head, "created_date", &created) ||
        !read_time(head, "modified_date", &modified)) {
        fail(error, "portals[%zu]: a field is missing or invalid", i);
        return NULL;
    }
    if (valstorm_portal_find(store, id)) {
        fail(error, "portals[%zu]: id %s appears twice", i, id);
        return NULL;
    }
    struct valstorm_portal *portal = valstorm_portal_add(store, id, name, domain, created);
    portal->modified = modified;
    return portal;
}

/* One portal: its fields come whole, its members (maybe millions) one by one. */
static bool load_portal(struct valstorm_store *store, struct sim_json_stream *in, size_t i,
                        char **error)
{
    static const char *const streamed[] = {"members", NULL};
    const char *at = NULL;
    if (!sim_json_stream_begin_object(in))
        return fail(error, "portals[%zu]: not an object", i);
    json_object *head = sim_json_stream_members_until(in, streamed, &at);
    struct valstorm_portal *portal = head ? add_portal(store, head, i, error) : NULL;
    json_object_put(head);
    if (!portal)
        return false;
    if (!at)
        return fail(error, "portals[%zu]: no \"members\" list", i);
    struct item_loader loader = {member_item, store, portal};
    if (!load_streamed_list(in, "members", &loader, error)) {
        char *inner = *error;
        *error = inner ? g_strdup_printf("portals[%zu].%s", i, inner) : NULL;
        g_free(inner);
        return false;
    }
    json_object *rest = sim_json_stream_members_until(in, NULL, &at);
    json_object_put(rest);
    return rest != NULL;
}

static bool load_portals(struct valstorm_store *store, struct sim_json_stream *in, char **error)
{
    if (!sim_json_stream_begin_array(in))
        return fail(error, "\"portals\" is not a list");
    for (size_t i = 0; sim_json_stream_next_element(in); i++) {
        if (!load_portal(store, in, i, error))
            return false;
    }
    return !sim_json_stream_error(in);
}

static bool load_pat(struct valstorm_store *store, json_object *item, size_t i, char **error)
{
    const char *id, *name, *token;
    int64_t created, expires = 0;
    json_object *admin = NULL, *expiry = NULL;
    if (!json_object_is_type(item, json_type_object) || !read_id(item, "id", &id) ||
        !read_string(item, "name", false, NAME_MAX_CHARS, &name) ||
        !read_string(item, "token", false, 128, &token) ||
        !json_object_object_get_ex(item, "admin", &admin) ||
        !json_object_is_type(admin, json_type_boolean) ||
        !read_time(item, "created_date", &created) ||
        !json_object_object_get_ex(item, "expires_date", &expiry) ||
        (expiry && !read_time(item, "expires_date", &expires)))
        return fail(error, "pats[%zu]: a field is missing or invalid", i);
    if (g_hash_table_contains(store->tokens, token))
        return fail(error, "pats[%zu]: its token appears twice", i);
    valstorm_pat_add(store, id, name, token,
                     json_object_get_boolean(admin) ? VALSTORM_ROLE_ADMIN : VALSTORM_ROLE_MEMBER,
                     created, expires);
    return true;
}

/* "pats" is absent from files written before personal access tokens existed. */
static bool load_pats(struct valstorm_store *store, json_object *tail, char **error)
{
    json_object *list = NULL;
    if (!json_object_object_get_ex(tail, "pats", &list))
        return true;
    if (!json_object_is_type(list, json_type_array))
        return fail(error, "\"pats\" is not a list");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        if (!load_pat(store, json_object_array_get_idx(list, i), i, error))
            return false;
    }
    return true;
}

static bool load_header(struct valstorm_store *store, json_object *saved, char **error)
{
    const char *format = NULL, *key = NULL;
    char *end = NULL;
    if (!json_object_is_type(saved, json_type_object) ||
        !read_string(saved, "format", false, 0, &format) || strcmp(format, "valstorm-sim-1") != 0)
        return fail(error, "not a Valstorm state (format \"valstorm-sim-1\" expected)");
    if (!read_string(saved, "id_key", false, 16, &key) ||
        !read_count(saved, "ids_issued", &store->ids_issued) ||
        !read_count(saved, "seeded_users", &store->seeded_users))
        return fail(error, "id_key, ids_issued or seeded_users missing or invalid");
    store->id_key = g_ascii_strtoull(key, &end, 16);
    if (*end != '\0')
        return fail(error, "id_key is not hexadecimal");
    return true;
}

/* The members in the order save writes them: the small header whole, then
 * "accounts" and "portals" streamed, then "pats" whole. */
static bool load_stream(struct valstorm_store *store, struct sim_json_stream *in, char **error)
{
    static const char *const streamed[] = {"accounts", "portals", NULL};
    const char *at = NULL;
    if (!sim_json_stream_begin_object(in))
        return fail(error, "not a Valstorm state (format \"valstorm-sim-1\" expected)");
    json_object *head = sim_json_stream_members_until(in, streamed, &at);
    bool ok = head && load_header(store, head, error);
    json_object_put(head);
    if (ok && (!at || strcmp(at, "accounts") != 0))
        return fail(error, "no \"accounts\" list before \"portals\"");
    struct item_loader accounts = {account_item, store, NULL};
    ok = ok && load_streamed_list(in, "accounts", &accounts, error);
    json_object *middle = ok ? sim_json_stream_members_until(in, streamed, &at) : NULL;
    json_object_put(middle);
    if (ok && middle && (!at || strcmp(at, "portals") != 0))
        return fail(error, "no \"portals\" list");
    ok = middle && load_portals(store, in, error);
    json_object *tail = ok ? sim_json_stream_members_until(in, NULL, &at) : NULL;
    ok = tail && load_pats(store, tail, error);
    json_object_put(tail);
    return ok;
}

struct valstorm_store *valstorm_state_load(struct sim_json_stream *in, char **error)
{
    struct valstorm_store *store = valstorm_store_new(0);
    *error = NULL;
    if (!load_stream(store, in, error)) {
        if (!*error)
            *error = g_strdup(sim_json_stream_error(in) ? sim_json_stream_error(in)
                                                        : "cannot read the state");
        valstorm_store_free(store);
        return NULL;
    }
    return store;
}
