/*
 * portal-sim, ECGrid: the data model. Owns networks, mailboxes, portals and
 * users, the section 8 accounts and seeded data, and the JSON shapes of the
 * objects. Never checks permissions and never talks HTTP (src/sim/ecgrid.c).
 */
#include <portalctl/sim/ecgrid_model.h>
#include <portalctl/sim/sim.h>

#include <inttypes.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ enums */

static const char *const level_names[ECGRID_LEVEL_COUNT] = {
    "NoChange",    "Root",         "TechOps",     "NetOps", "NetworkAdmin",
    "NetworkUser", "MailboxAdmin", "MailboxUser", "TPUser", "General",
};

static const struct {
    enum ecgrid_status status;
    const char *name;
} status_names[] = {
    {ECGRID_STATUS_DEVELOPMENT, "Development"},     {ECGRID_STATUS_ACTIVE, "Active"},
    {ECGRID_STATUS_PREPRODUCTION, "Preproduction"}, {ECGRID_STATUS_SUSPENDED, "Suspended"},
    {ECGRID_STATUS_TERMINATED, "Terminated"},
};

const char *ecgrid_level_name(enum ecgrid_level level)
{
    return (unsigned)level < ECGRID_LEVEL_COUNT ? level_names[level] : "General";
}

bool ecgrid_level_from_json(json_object *value, enum ecgrid_level *out)
{
    if (json_object_is_type(value, json_type_int)) {
        int64_t number = json_object_get_int64(value);
        if (number < 0 || number >= ECGRID_LEVEL_COUNT)
            return false;
        *out = (enum ecgrid_level)number;
        return true;
    }
    if (!json_object_is_type(value, json_type_string))
        return false;
    const char *name = json_object_get_string(value);
    for (int level = 0; level < ECGRID_LEVEL_COUNT; level++) {
        if (g_ascii_strcasecmp(name, level_names[level]) == 0) {
            *out = (enum ecgrid_level)level;
            return true;
        }
    }
    return false;
}

char *ecgrid_level_choices(void)
{
    GString *choices = g_string_new(NULL);
    for (int level = 0; level < ECGRID_LEVEL_COUNT; level++)
        g_string_append_printf(choices, "%s%s", level ? ", " : "", level_names[level]);
    return g_string_free(choices, FALSE);
}

const char *ecgrid_status_name(enum ecgrid_status status)
{
    for (size_t i = 0; i < G_N_ELEMENTS(status_names); i++) {
        if (status_names[i].status == status)
            return status_names[i].name;
    }
    return "Terminated";
}

bool ecgrid_status_from_json(json_object *value, enum ecgrid_status *out)
{
    bool is_number = json_object_is_type(value, json_type_int);
    if (!is_number && !json_object_is_type(value, json_type_string))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(status_names); i++) {
        bool match = is_number ? json_object_get_int64(value) == status_names[i].status
                               : g_ascii_strcasecmp(json_object_get_string(value),
                                                    status_names[i].name) == 0;
        if (match) {
            *out = status_names[i].status;
            return true;
        }
    }
    return false;
}

char *ecgrid_status_choices(void)
{
    GString *choices = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(status_names); i++)
        g_string_append_printf(choices, "%s%s", i ? ", " : "", status_names[i].name);
    return g_string_free(choices, FALSE);
}

/* ------------------------------------------------- section 8: seeded data */

/* The API keys of the simulator's accounts. Fixed, so a saved state needs no
 * secrets: a key works when its user exists and is neither terminated nor
 * suspended. */
static const struct {
    const char *api_key;
    int user_id;
} accounts[] = {
    {"sim-ecgrid-netadmin", 1001},
    {"sim-ecgrid-mbxadmin", 1002},
    {"sim-ecgrid-mbxuser", 1003},
};

static const struct {
    int mailbox_id;
    const char *name;
    const char *description;
    const char *created;
    const char *modified;
    int portal_id; /* 0: no portal */
    const char *portal_created;
} seeded_mailboxes[] = {
    {101, "ACME Receiving", "ACME Corp inbound EDI", "2021-06-10T09:00:00Z", "2025-02-14T11:30:00Z",
     501, "2021-06-11T10:00:00Z"},
    {102, "ACME Shipping", "ACME Corp outbound EDI", "2021-06-10T09:05:00Z", "2024-11-02T16:45:00Z",
     0, NULL},
    {7890, "New Customer", "New customer mailbox awaiting its portal", "2026-04-30T12:00:00Z",
     "2026-04-30T12:00:00Z", 0, NULL},
};

static const struct {
    int user_id;
    const char *login;
    const char *first_name;
    const char *last_name;
    enum ecgrid_level level;
    const char *created;
} seeded_users[] = {
    {1001, "netadmin", "Nina", "Network", ECGRID_LEVEL_NETWORK_ADMIN, "2021-06-01T08:30:00Z"},
    {1002, "mbxadmin", "Max", "Mailbox", ECGRID_LEVEL_MAILBOX_ADMIN, "2021-06-10T09:30:00Z"},
    {1003, "mbxuser", "Mia", "User", ECGRID_LEVEL_MAILBOX_USER, "2021-06-10T09:45:00Z"},
    {1004, "alice", "Alice", "Anders", ECGRID_LEVEL_MAILBOX_USER, "2022-03-14T15:00:00Z"},
    {1005, "bob", "Bob", "Brown", ECGRID_LEVEL_MAILBOX_USER, "2023-09-01T07:15:00Z"},
};

enum {
    SEEDED_NETWORK_ID = 1,
    SEEDED_MAILBOX_ID = 101, /* where the seeded users and --seed-users go */
    /* The seed's create-user example answers userId 1042: the first user
     * created after start gets that id when nothing else took it first. */
    FIRST_NEW_USER_ID = 1042,
    FIRST_NEW_PORTAL_ID = 502,
};

#define PORTAL_URL_BASE "https://portal.ecgrid.io/"

int ecgrid_account_user_id(const char *api_key)
{
    for (size_t i = 0; api_key && i < G_N_ELEMENTS(accounts); i++) {
        if (strcmp(api_key, accounts[i].api_key) == 0)
            return accounts[i].user_id;
    }
    return 0;
}

int ecgrid_store_key_user_id(const struct ecgrid_store *store, const char *api_key)
{
    if (!api_key)
        return 0;
    gpointer user_id = g_hash_table_lookup(store->api_keys, api_key);
    if (user_id)
        return GPOINTER_TO_INT(user_id);
    int fixed = ecgrid_account_user_id(api_key);
    if (fixed && g_hash_table_contains(store->key_of_user, GINT_TO_POINTER(fixed)))
        return 0; /* rotated: the fixed key is retired */
    return fixed;
}

const char *ecgrid_store_set_key(struct ecgrid_store *store, int user_id, const char *key)
{
    const char *old = g_hash_table_lookup(store->key_of_user, GINT_TO_POINTER(user_id));
    if (old)
        g_hash_table_remove(store->api_keys, old);
    char *copy = key ? g_strdup(key) : g_uuid_string_random();
    g_hash_table_insert(store->api_keys, copy, GINT_TO_POINTER(user_id));
    g_hash_table_insert(store->key_of_user, GINT_TO_POINTER(user_id), copy);
    return copy;
}

/* ------------------------------------------------------------ the store */

static guint login_hash(gconstpointer key)
{
    guint hash = 5381;
    for (const char *p = key; *p; p++)
        hash = hash * 33 + (guint)g_ascii_tolower(*p);
    return hash;
}

static gboolean login_equal(gconstpointer a, gconstpointer b)
{
    return g_ascii_strcasecmp(a, b) == 0;
}

static void network_free(gpointer data)
{
    struct ecgrid_network *network = data;
    g_hash_table_destroy(network->logins);
    g_free(network->name);
    g_free(network);
}

static void mailbox_free(gpointer data)
{
    struct ecgrid_mailbox *mailbox = data;
    if (mailbox->portal) {
        g_free(mailbox->portal->url);
        g_free(mailbox->portal);
    }
    g_free(mailbox->name);
    g_free(mailbox->description);
    g_free(mailbox);
}

struct ecgrid_store *ecgrid_store_new(void)
{
    struct ecgrid_store *store = g_new0(struct ecgrid_store, 1);
    store->networks = g_ptr_array_new_with_free_func(network_free);
    store->mailboxes = g_ptr_array_new_with_free_func(mailbox_free);
    store->users = g_array_new(FALSE, TRUE, sizeof(struct ecgrid_user));
    store->strings = g_string_chunk_new(64 * 1024);
    store->next_user_id = FIRST_NEW_USER_ID;
    store->next_portal_id = FIRST_NEW_PORTAL_ID;
    store->api_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    store->key_of_user = g_hash_table_new(g_direct_hash, g_direct_equal);
    return store;
}

void ecgrid_store_free(struct ecgrid_store *store)
{
    if (!store)
        return;
    g_ptr_array_free(store->networks, TRUE);
    g_ptr_array_free(store->mailboxes, TRUE);
    g_array_free(store->users, TRUE);
    g_string_chunk_free(store->strings);
    g_hash_table_destroy(store->key_of_user);
    g_hash_table_destroy(store->api_keys);
    g_free(store);
}

static gint64 seeded_time(const char *text)
{
    gint64 t = 0;
    if (!ecgrid_parse_time(text, &t))
        g_error("ecgrid: bad seeded time %s", text); /* a typo in the table above */
    return t;
}

static void seed_mailboxes(struct ecgrid_store *store)
{
    for (size_t i = 0; i < G_N_ELEMENTS(seeded_mailboxes); i++) {
        struct ecgrid_mailbox mailbox = {
            .mailbox_id = seeded_mailboxes[i].mailbox_id,
            .network_id = SEEDED_NETWORK_ID,
            .name = (char *)seeded_mailboxes[i].name,
            .description = (char *)seeded_mailboxes[i].description,
            .status = ECGRID_STATUS_ACTIVE,
            .created = seeded_time(seeded_mailboxes[i].created),
            .modified = seeded_time(seeded_mailboxes[i].modified),
        };
        struct ecgrid_mailbox *added = ecgrid_store_add_mailbox(store, &mailbox);
        if (seeded_mailboxes[i].portal_id)
            ecgrid_store_add_portal(store, added, seeded_mailboxes[i].portal_id,
                                    seeded_time(seeded_mailboxes[i].portal_created));
    }
}

static void seed_accounts(struct ecgrid_store *store)
{
    for (size_t i = 0; i < G_N_ELEMENTS(seeded_users); i++) {
        char *email = g_strdup_printf("%s@example.com", seeded_users[i].login);
        gint64 created = seeded_time(seeded_users[i].created);
        struct ecgrid_user user = {
            .user_id = seeded_users[i].user_id,
            .login = seeded_users[i].login,
            .email = email,
            .first_name = seeded_users[i].first_name,
            .last_name = seeded_users[i].last_name,
            .company = "ACME Corp",
            .network_id = SEEDED_NETWORK_ID,
            .mailbox_id = SEEDED_MAILBOX_ID,
            .level = (gint8)seeded_users[i].level,
            .status = ECGRID_STATUS_ACTIVE,
            .created = created,
            .modified = created,
        };
        ecgrid_store_add_user(store, &user);
        g_free(email);
    }
    store->next_user_id = FIRST_NEW_USER_ID;
}

struct ecgrid_store *ecgrid_store_new_seeded(void)
{
    struct ecgrid_store *store = ecgrid_store_new();
    ecgrid_store_add_network(store, SEEDED_NETWORK_ID, "Sim Network",
                             seeded_time("2021-06-01T08:00:00Z"));
    seed_mailboxes(store);
    seed_accounts(store);
    return store;
}

/* ----------------------------------------------------------- look-ups */

struct ecgrid_network *ecgrid_store_network(const struct ecgrid_store *store, int network_id)
{
    for (guint i = 0; i < store->networks->len; i++) {
        struct ecgrid_network *network = g_ptr_array_index(store->networks, i);
        if (network->network_id == network_id)
            return network;
    }
    return NULL;
}

struct ecgrid_mailbox *ecgrid_store_mailbox(const struct ecgrid_store *store, int mailbox_id)
{
    for (guint i = 0; i < store->mailboxes->len; i++) {
        struct ecgrid_mailbox *mailbox = g_ptr_array_index(store->mailboxes, i);
        if (mailbox->mailbox_id == mailbox_id)
            return mailbox;
    }
    return NULL;
}

size_t ecgrid_store_user_count(const struct ecgrid_store *store)
{
    return store->users->len;
}

struct ecgrid_user *ecgrid_store_user_at(const struct ecgrid_store *store, size_t index)
{
    return &g_array_index(store->users, struct ecgrid_user, index);
}

/* Binary search: users are kept in ascending id order. */
struct ecgrid_user *ecgrid_store_user(const struct ecgrid_store *store, int user_id)
{
    size_t low = 0;
    size_t high = store->users->len;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        struct ecgrid_user *user = ecgrid_store_user_at(store, middle);
        if (user->user_id == user_id)
            return user;
        if (user->user_id < user_id)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

struct ecgrid_user *ecgrid_store_user_by_login(const struct ecgrid_store *store, int network_id,
                                               const char *login)
{
    struct ecgrid_network *network = ecgrid_store_network(store, network_id);
    if (!network || !login)
        return NULL;
    size_t slot = GPOINTER_TO_SIZE(g_hash_table_lookup(network->logins, login));
    return slot ? ecgrid_store_user_at(store, slot - 1) : NULL;
}

/* ------------------------------------------------------------ changes */

struct ecgrid_network *ecgrid_store_add_network(struct ecgrid_store *store, int network_id,
                                                const char *name, gint64 created)
{
    if (ecgrid_store_network(store, network_id))
        return NULL;
    struct ecgrid_network *network = g_new0(struct ecgrid_network, 1);
    network->network_id = network_id;
    network->name = g_strdup(name);
    network->created = created;
    network->logins = g_hash_table_new(login_hash, login_equal);
    g_ptr_array_add(store->networks, network);
    return network;
}

struct ecgrid_mailbox *ecgrid_store_add_mailbox(struct ecgrid_store *store,
                                                const struct ecgrid_mailbox *mailbox)
{
    if (ecgrid_store_mailbox(store, mailbox->mailbox_id) ||
        !ecgrid_store_network(store, mailbox->network_id))
        return NULL;
    struct ecgrid_mailbox *copy = g_new0(struct ecgrid_mailbox, 1);
    *copy = *mailbox;
    copy->name = g_strdup(mailbox->name);
    copy->description = g_strdup(mailbox->description ? mailbox->description : "");
    copy->portal = NULL;
    g_ptr_array_add(store->mailboxes, copy);
    return copy;
}

static bool portal_url_taken(const struct ecgrid_store *store, const char *url)
{
    for (guint i = 0; i < store->mailboxes->len; i++) {
        const struct ecgrid_mailbox *mailbox = g_ptr_array_index(store->mailboxes, i);
        if (mailbox->portal && strcmp(mailbox->portal->url, url) == 0)
            return true;
    }
    return false;
}

/* "ACME Receiving" -> "https://portal.ecgrid.io/acme-receiving"; the mailbox id
 * is appended when two mailboxes share a name. */
static char *portal_url_for(const struct ecgrid_store *store, const struct ecgrid_mailbox *mailbox)
{
    GString *url = g_string_new(PORTAL_URL_BASE);
    size_t slug_start = url->len;
    for (const char *p = mailbox->name; *p; p++) {
        if (g_ascii_isalnum(*p))
            g_string_append_c(url, g_ascii_tolower(*p));
        else if (url->len > slug_start && url->str[url->len - 1] != '-')
            g_string_append_c(url, '-');
    }
    if (url->len > slug_start && url->str[url->len - 1] == '-')
        g_string_truncate(url, url->len - 1);
    if (url->len == slug_start)
        g_string_append(url, "mailbox");
    if (portal_url_taken(store, url->str))
        g_string_append_printf(url, "-%d", mailbox->mailbox_id);
    return g_string_free(url, FALSE);
}

struct ecgrid_portal *ecgrid_store_add_portal(struct ecgrid_store *store,
                                              struct ecgrid_mailbox *mailbox, int portal_id,
                                              gint64 created)
{
    if (mailbox->portal)
        return NULL;
    struct ecgrid_portal *portal = g_new0(struct ecgrid_portal, 1);
    portal->portal_id = portal_id ? portal_id : store->next_portal_id;
    portal->url = portal_url_for(store, mailbox);
    portal->status = ECGRID_STATUS_ACTIVE;
    portal->created = created;
    if (portal->portal_id >= store->next_portal_id)
        store->next_portal_id = portal->portal_id + 1;
    mailbox->portal = portal;
    return portal;
}

static const char *store_copy(struct ecgrid_store *store, const char *value)
{
    return value ? g_string_chunk_insert(store->strings, value) : NULL;
}

/* Names repeat a lot among generated users: share one copy of each. */
static const char *store_copy_shared(struct ecgrid_store *store, const char *value)
{
    return value ? g_string_chunk_insert_const(store->strings, value) : NULL;
}

void ecgrid_store_set_string(struct ecgrid_store *store, const char **field, const char *value)
{
    *field = store_copy(store, value);
}

struct ecgrid_user *ecgrid_store_add_user(struct ecgrid_store *store,
                                          const struct ecgrid_user *user)
{
    struct ecgrid_network *network = ecgrid_store_network(store, user->network_id);
    if (!network || !user->login || g_hash_table_contains(network->logins, user->login))
        return NULL;
    int user_id = user->user_id ? user->user_id : store->next_user_id;
    size_t count = store->users->len;
    if (user_id <= 0 || (count && ecgrid_store_user_at(store, count - 1)->user_id >= user_id))
        return NULL;

    struct ecgrid_user copy = *user;
    copy.user_id = user_id;
    copy.login = store_copy(store, user->login);
    copy.email = store_copy(store, user->email ? user->email : "");
    copy.first_name = store_copy_shared(store, user->first_name ? user->first_name : "");
    copy.last_name = store_copy_shared(store, user->last_name ? user->last_name : "");
    copy.company = store_copy_shared(store, user->company ? user->company : "");
    copy.password_sha256 = store_copy(store, user->password_sha256);
    g_array_append_val(store->users, copy);
    g_hash_table_insert(network->logins, (gpointer)copy.login, GSIZE_TO_POINTER(count + 1));
    if (user_id >= store->next_user_id)
        store->next_user_id = user_id + 1;
    return ecgrid_store_user_at(store, count);
}

void ecgrid_store_set_password(struct ecgrid_store *store, struct ecgrid_user *user,
                               const char *password)
{
    /* Salted with the user id so equal passwords do not look equal in a saved state. */
    char *salted = g_strdup_printf("portal-sim:ecgrid:%d:%s", user->user_id, password);
    char *digest = g_compute_checksum_for_string(G_CHECKSUM_SHA256, salted, -1);
    user->password_sha256 = store_copy(store, digest);
    g_free(digest);
    g_free(salted);
}

/* ----------------------------------------------------- --seed-users N */

static const char *const seed_first_names[] = {
    "Ava",  "Ben",  "Chloe", "David", "Emma", "Felix", "Grace", "Henry",
    "Isla", "Jack", "Kira",  "Liam",  "Maya", "Noah",  "Olive", "Paul",
};
static const char *const seed_last_names[] = {
    "Adams", "Baker", "Clark", "Diaz",  "Evans", "Foster", "Garcia", "Hughes",
    "Ito",   "Jones", "Kim",   "Lopez", "Moore", "Nguyen", "Owens",  "Patel",
};

/* The serial-th generated user: login "user0000042", a spread of names, every
 * 50th a MailboxAdmin and every 97th suspended so filters have something to find. */
static void seed_user_fields(size_t serial, char login[32], struct ecgrid_user *user)
{
    size_t first = serial % G_N_ELEMENTS(seed_first_names);
    size_t last = (serial / G_N_ELEMENTS(seed_first_names)) % G_N_ELEMENTS(seed_last_names);
    g_snprintf(login, 32, "user%07zu", serial);
    user->login = login;
    user->first_name = seed_first_names[first];
    user->last_name = seed_last_names[last];
    user->level = serial % 50 == 0 ? ECGRID_LEVEL_MAILBOX_ADMIN : ECGRID_LEVEL_MAILBOX_USER;
    user->status = serial % 97 == 0 ? ECGRID_STATUS_SUSPENDED : ECGRID_STATUS_ACTIVE;
}

static struct ecgrid_mailbox *seed_target_mailbox(const struct ecgrid_store *store)
{
    struct ecgrid_mailbox *mailbox = ecgrid_store_mailbox(store, SEEDED_MAILBOX_ID);
    if (!mailbox && store->mailboxes->len)
        mailbox = g_ptr_array_index(store->mailboxes, 0);
    return mailbox;
}

size_t ecgrid_store_seed_users(struct ecgrid_store *store, size_t n)
{
    const struct ecgrid_mailbox *mailbox = seed_target_mailbox(store);
    if (!mailbox || n == 0)
        return 0;
    /* One allocation up front instead of repeated doubling of a huge array. */
    g_array_set_size(store->users, store->users->len + n);
    g_array_set_size(store->users, store->users->len - n);

    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    size_t added = 0;
    char login[32];
    char email[64];
    while (added < n) {
        struct ecgrid_user user = {
            .network_id = mailbox->network_id,
            .mailbox_id = mailbox->mailbox_id,
            .company = "",
            .created = now,
            .modified = now,
        };
        seed_user_fields(++store->seed_serial, login, &user);
        g_snprintf(email, sizeof(email), "%s@example.com", login);
        user.email = email;
        if (ecgrid_store_add_user(store, &user))
            added++; /* a login already taken (loaded state) is skipped */
    }
    return added;
}

/* ----------------------------------------------------------- JSON out */

void ecgrid_json_key(GString *out, const char *key)
{
    if (out->len && out->str[out->len - 1] != '{')
        g_string_append_c(out, ',');
    g_string_append_c(out, '"');
    g_string_append(out, key); /* keys are our own literals: nothing to escape */
    g_string_append(out, "\":");
}

void ecgrid_json_str(GString *out, const char *key, const char *value)
{
    ecgrid_json_key(out, key);
    sim_json_append_string(out, value);
}

void ecgrid_json_int(GString *out, const char *key, long long value)
{
    ecgrid_json_key(out, key);
    g_string_append_printf(out, "%lld", value);
}

void ecgrid_json_bool(GString *out, const char *key, bool value)
{
    ecgrid_json_key(out, key);
    g_string_append(out, value ? "true" : "false");
}

void ecgrid_json_time(GString *out, const char *key, gint64 t)
{
    char buf[SIM_TIME_LEN];
    ecgrid_json_str(out, key, t ? sim_format_time((time_t)t, buf) : NULL);
}

bool ecgrid_parse_time(const char *text, gint64 *out)
{
    struct tm tm = {0};
    int consumed = 0;
    if (!text ||
        sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
        consumed == 0 || text[consumed] != '\0')
        return false;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (gint64)timegm(&tm);
    return true;
}

void ecgrid_append_user(GString *out, const struct ecgrid_user *user)
{
    g_string_append_c(out, '{');
    ecgrid_json_int(out, "userId", user->user_id);
    ecgrid_json_str(out, "login", user->login);
    ecgrid_json_str(out, "loginName", user->login);
    ecgrid_json_str(out, "email", user->email);
    ecgrid_json_str(out, "firstName", user->first_name);
    ecgrid_json_str(out, "lastName", user->last_name);
    ecgrid_json_str(out, "company", user->company);
    ecgrid_json_int(out, "networkId", user->network_id);
    ecgrid_json_int(out, "mailboxId", user->mailbox_id);
    ecgrid_json_str(out, "authLevel", ecgrid_level_name((enum ecgrid_level)user->level));
    ecgrid_json_str(out, "status", ecgrid_status_name((enum ecgrid_status)user->status));
    ecgrid_json_bool(out, "lockedOut", user->locked_out);
    ecgrid_json_time(out, "lastLogin", user->last_login);
    ecgrid_json_time(out, "created", user->created);
    ecgrid_json_time(out, "modified", user->modified);
    g_string_append_c(out, '}');
}

void ecgrid_append_mailbox(GString *out, const struct ecgrid_mailbox *mailbox)
{
    g_string_append_c(out, '{');
    ecgrid_json_int(out, "mailboxId", mailbox->mailbox_id);
    ecgrid_json_int(out, "networkId", mailbox->network_id);
    ecgrid_json_str(out, "name", mailbox->name);
    ecgrid_json_str(out, "description", mailbox->description);
    ecgrid_json_str(out, "status", ecgrid_status_name(mailbox->status));
    ecgrid_json_time(out, "created", mailbox->created);
    ecgrid_json_time(out, "modified", mailbox->modified);
    g_string_append_c(out, '}');
}

void ecgrid_append_portal(GString *out, const struct ecgrid_mailbox *mailbox)
{
    const struct ecgrid_portal *portal = mailbox->portal;
    g_string_append_c(out, '{');
    ecgrid_json_int(out, "portalId", portal->portal_id);
    ecgrid_json_int(out, "mailboxId", mailbox->mailbox_id);
    ecgrid_json_str(out, "url", portal->url);
    ecgrid_json_str(out, "status", ecgrid_status_name(portal->status));
    ecgrid_json_time(out, "created", portal->created);
    g_string_append_c(out, '}');
}
