/*
 * portal-sim, Valstorm: the state file — accounts, portals and memberships,
 * and the id counter — written as one JSON value in streamed pieces (a
 * million users never become a json-c tree on the way out) and read back
 * with every field checked, into a fresh store, so a bad file leaves the
 * running state alone. Issued tokens and pending 2FA logins are secrets and
 * are never written.
 */
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
    g_string_append(buf, "]}");
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

static bool load_members(struct valstorm_portal *portal, const struct valstorm_store *store,
                         json_object *members, char **error)
{
    for (size_t i = 0; i < json_object_array_length(members); i++) {
        json_object *item = json_object_array_get_idx(members, i);
        const char *user_id;
        int64_t created;
        if (!read_id(item, "user_id", &user_id) || !read_time(item, "created_date", &created))
            return fail(error, "members[%zu]: user_id or created_date missing or invalid", i);
        const struct valstorm_account *account = valstorm_account_by_id(store, user_id);
        if (!account)
            return fail(error, "members[%zu]: no account %s", i, user_id);
        if (valstorm_portal_has_member(portal, account))
            return fail(error, "members[%zu]: %s is a member twice", i, user_id);
        valstorm_portal_add_member(portal, account, created);
    }
    return true;
}

static bool load_portal(struct valstorm_store *store, json_object *item, size_t i, char **error)
{
    const char *id, *name, *domain;
    int64_t created, modified;
    json_object *members = NULL;
    if (!read_id(item, "id", &id) || !read_string(item, "name", false, PORTAL_NAME_MAX, &name) ||
        !read_string(item, "custom_domain", true, DOMAIN_MAX, &domain) ||
        !read_time(item, "created_date", &created) ||
        !read_time(item, "modified_date", &modified) ||
        !json_object_object_get_ex(item, "members", &members) ||
        !json_object_is_type(members, json_type_array))
        return fail(error, "portals[%zu]: a field is missing or invalid", i);
    if (valstorm_portal_find(store, id))
        return fail(error, "portals[%zu]: id %s appears twice", i, id);
    struct valstorm_portal *portal = valstorm_portal_add(store, id, name, domain, created);
    portal->modified = modified;
    if (!load_members(portal, store, members, error)) {
        char *inner = *error;
        *error = g_strdup_printf("portals[%zu].%s", i, inner);
        g_free(inner);
        return false;
    }
    return true;
}

static bool load_list(struct valstorm_store *store, json_object *saved, const char *key,
                      bool (*load_item)(struct valstorm_store *, json_object *, size_t, char **),
                      char **error)
{
    json_object *list = NULL;
    if (!json_object_object_get_ex(saved, key, &list) ||
        !json_object_is_type(list, json_type_array))
        return fail(error, "no \"%s\" list", key);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *item = json_object_array_get_idx(list, i);
        if (!json_object_is_type(item, json_type_object))
            return fail(error, "%s[%zu]: not an object", key, i);
        if (!load_item(store, item, i, error))
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

struct valstorm_store *valstorm_state_load(json_object *saved, char **error)
{
    struct valstorm_store *store = valstorm_store_new(0);
    *error = NULL;
    if (!load_header(store, saved, error) ||
        !load_list(store, saved, "accounts", load_account, error) ||
        !load_list(store, saved, "portals", load_portal, error)) {
        valstorm_store_free(store);
        return NULL;
    }
    return store;
}
