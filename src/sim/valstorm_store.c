/*
 * portal-sim, Valstorm: the tenant's data in compact structures. An account
 * is one allocation with its strings inline; a membership is 16 bytes; the
 * lookups are hash tables over the accounts' own strings, so a million
 * seeded users cost no per-user key copies. Ids are the vendor's
 * prefix + base62, generated from a counter through a keyed permutation:
 * random-looking, reproducible from the seed, never repeated. Never touches
 * HTTP or validation.
 */
#include <portalctl/sim/sim.h>
#include <portalctl/sim/valstorm_store.h>

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEED_TIME    1778144400 /* 2026-05-07T09:00:00Z: dates of the seeded data */
#define ID_DIGITS    10
#define ID_BITS      59 /* 2^59 < 62^10: every permuted counter fits ten digits */
#define TOKEN_DIGITS 40

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct valstorm_token {
    enum valstorm_role role;
    enum valstorm_token_kind kind;
    double expires;
};

/* The simulator's documented credentials (valstorm.md section 5). */
static const struct fixed_token {
    const char *token;
    enum valstorm_token_kind kind;
    enum valstorm_role role;
} fixed_tokens[] = {
    {"sim-valstorm-admin", VALSTORM_TOKEN_ACCESS, VALSTORM_ROLE_ADMIN},
    {"sim-valstorm-member", VALSTORM_TOKEN_ACCESS, VALSTORM_ROLE_MEMBER},
    {"sim-valstorm-refresh", VALSTORM_TOKEN_REFRESH, VALSTORM_ROLE_ADMIN},
};

/* The demo portal's three users and the global account that exists before
 * any invite (so inviting it links instead of inviting). */
static const struct seed_account {
    const char *id;
    const char *email;
    const char *first;
    const char *last;
    bool in_demo_portal;
} seed_accounts[] = {
    {"user_demo1", "alex.morgan@example.org", "Alex", "Morgan", true},
    {"user_demo2", "priya.shah@example.org", "Priya", "Shah", true},
    {"user_demo3", "sam.okafor@example.org", "Sam", "Okafor", true},
    {"user_carol1", "carol@example.com", "Carol", "Diaz", false},
};

/* Names for --seed-users: 16 x 16 combinations, numbered to stay unique. */
static const char *const seed_first[][2] = {
    {"Ann", "ann"},     {"Bo", "bo"},         {"Chen", "chen"},   {"Dara", "dara"},
    {"Eli", "eli"},     {"Fatima", "fatima"}, {"Goran", "goran"}, {"Hana", "hana"},
    {"Ivo", "ivo"},     {"Jade", "jade"},     {"Kofi", "kofi"},   {"Lena", "lena"},
    {"Mateo", "mateo"}, {"Nia", "nia"},       {"Omar", "omar"},   {"Pia", "pia"},
};
static const char *const seed_last[][2] = {
    {"Lee", "lee"},           {"Novak", "novak"},   {"Silva", "silva"},   {"Okoro", "okoro"},
    {"Berg", "berg"},         {"Rossi", "rossi"},   {"Tanaka", "tanaka"}, {"Khan", "khan"},
    {"Weber", "weber"},       {"Dubois", "dubois"}, {"Haddad", "haddad"}, {"Nguyen", "nguyen"},
    {"Kowalski", "kowalski"}, {"Moreau", "moreau"}, {"Santos", "santos"}, {"Ivanova", "ivanova"},
};

/* --- ids and tokens ------------------------------------------------------ */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* A bijection on 59-bit numbers: xor with the key, odd multiplications and
 * xor-shifts are each invertible modulo 2^59, so distinct counters give
 * distinct ids. */
static uint64_t permute(uint64_t x, uint64_t key)
{
    const uint64_t mask = (1ull << ID_BITS) - 1;
    x = (x ^ key) & mask;
    x = (x * 0x9E3779B97F4A7C15ull) & mask;
    x ^= x >> 29;
    x = (x * 0xBF58476D1CE4E5B9ull) & mask;
    x ^= x >> 31;
    return x;
}

static void next_id(struct valstorm_store *store, const char *prefix, char out[VALSTORM_ID_SIZE])
{
    uint64_t value = permute(store->ids_issued++, store->id_key);
    size_t plen = strlen(prefix);
    memcpy(out, prefix, plen);
    for (int i = ID_DIGITS - 1; i >= 0; i--) {
        out[plen + (size_t)i] = base62[value % 62];
        value /= 62;
    }
    out[plen + ID_DIGITS] = '\0';
}

static char *random_token(struct valstorm_store *store, const char *prefix)
{
    GString *token = g_string_new(prefix);
    for (int i = 0; i < TOKEN_DIGITS; i++)
        g_string_append_c(token, base62[g_rand_int_range(store->token_random, 0, 62)]);
    return g_string_free(token, FALSE);
}

/* --- e-mail keys: ASCII case-insensitive, hashing the accounts' own text -- */

static guint email_hash(gconstpointer key)
{
    guint h = 5381;
    for (const char *p = key; *p; p++)
        h = h * 33 + (guint)g_ascii_tolower(*p);
    return h;
}

static gboolean email_equal(gconstpointer a, gconstpointer b)
{
    return g_ascii_strcasecmp(a, b) == 0;
}

/* --- the store --------------------------------------------------------------- */

static void portal_free(gpointer data)
{
    struct valstorm_portal *portal = data;
    g_free(portal->name);
    g_free(portal->custom_domain);
    g_array_free(portal->members, TRUE);
    g_hash_table_unref(portal->member_set);
    g_free(portal);
}

static void pat_free(gpointer data)
{
    struct valstorm_pat *pat = data;
    g_free(pat->name);
    g_free(pat->token);
    g_free(pat);
}

struct valstorm_store *valstorm_store_new(unsigned long long seed)
{
    struct valstorm_store *store = g_new0(struct valstorm_store, 1);
    store->id_key = splitmix64(seed);
    store->access_token_ttl = VALSTORM_ACCESS_TTL;
    store->portals = g_ptr_array_new_with_free_func(portal_free);
    store->accounts = g_ptr_array_new_with_free_func(g_free);
    store->accounts_by_email = g_hash_table_new(email_hash, email_equal);
    store->accounts_by_id = g_hash_table_new(g_str_hash, g_str_equal);
    store->tokens = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    store->two_fa_pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    store->token_random = g_rand_new();
    store->pats = g_ptr_array_new_with_free_func(pat_free);
    return store;
}

void valstorm_store_free(struct valstorm_store *store)
{
    if (!store)
        return;
    g_ptr_array_unref(store->portals);
    g_hash_table_unref(store->accounts_by_email);
    g_hash_table_unref(store->accounts_by_id);
    g_ptr_array_unref(store->accounts); /* after the tables that point into it */
    g_hash_table_unref(store->tokens);
    g_hash_table_unref(store->two_fa_pending);
    g_rand_free(store->token_random);
    g_ptr_array_unref(store->pats);
    g_free(store);
}

void valstorm_store_seed_demo(struct valstorm_store *store)
{
    struct valstorm_portal *demo = valstorm_portal_add(store, VALSTORM_DEMO_PORTAL, "Customer Hub",
                                                       "help.sim.example", SEED_TIME);
    for (size_t i = 0; i < G_N_ELEMENTS(seed_accounts); i++) {
        const struct seed_account *s = &seed_accounts[i];
        const struct valstorm_account *account =
            valstorm_account_add(store, s->id, s->email, s->first, s->last);
        if (s->in_demo_portal)
            valstorm_portal_add_member(demo, account, SEED_TIME + 300 * (int64_t)(i + 1));
    }
}

static const struct valstorm_account *add_seed_user(struct valstorm_store *store, uint64_t k)
{
    const char *const *first = seed_first[k % G_N_ELEMENTS(seed_first)];
    const char *const *last = seed_last[(k / G_N_ELEMENTS(seed_first)) % G_N_ELEMENTS(seed_last)];
    char email[96];
    g_snprintf(email, sizeof(email), "%s.%s.%" PRIu64 "@example.net", first[1], last[1], k + 1);
    if (valstorm_account_by_email(store, email))
        return NULL;
    return valstorm_account_add(store, NULL, email, first[0], last[0]);
}

void valstorm_store_seed_users(struct valstorm_store *store, size_t n)
{
    struct valstorm_portal *demo = valstorm_portal_find(store, VALSTORM_DEMO_PORTAL);
    if (!demo)
        demo = valstorm_portal_add(store, VALSTORM_DEMO_PORTAL, "Customer Hub", "help.sim.example",
                                   SEED_TIME);
    for (size_t added = 0; added < n; store->seeded_users++) {
        const struct valstorm_account *account = add_seed_user(store, store->seeded_users);
        if (!account)
            continue; /* that address exists already (a loaded state): try the next */
        /* Seeded users joined an hour after the portal opened, a second apart. */
        valstorm_portal_add_member(demo, account, SEED_TIME + 3600 + (int64_t)store->seeded_users);
        added++;
    }
}

/* --- accounts ----------------------------------------------------------------- */

const struct valstorm_account *valstorm_account_by_email(const struct valstorm_store *store,
                                                         const char *email)
{
    return g_hash_table_lookup(store->accounts_by_email, email);
}

const struct valstorm_account *valstorm_account_by_id(const struct valstorm_store *store,
                                                      const char *id)
{
    return g_hash_table_lookup(store->accounts_by_id, id);
}

/* Appends s and its NUL at *at; returns where it starts. */
static uint16_t put_text(char *text, size_t *at, const char *s)
{
    size_t start = *at, len = strlen(s);
    memcpy(text + start, s, len + 1);
    *at += len + 1;
    return (uint16_t)start;
}

const struct valstorm_account *valstorm_account_add(struct valstorm_store *store, const char *id,
                                                    const char *email, const char *first,
                                                    const char *last)
{
    bool has_first = first && *first, has_last = last && *last;
    char *name = has_first && has_last ? g_strconcat(first, " ", last, NULL)
                 : has_first           ? g_strdup(first)
                 : has_last            ? g_strdup(last)
                                       : NULL;
    size_t size = strlen(email) + 1 + (first ? strlen(first) + 1 : 0) +
                  (last ? strlen(last) + 1 : 0) + (name ? strlen(name) + 1 : 0);
    g_assert(size < UINT16_MAX); /* callers validate lengths; offsets are 16-bit */
    struct valstorm_account *account = g_malloc0(sizeof(*account) + size);
    size_t at = 0;
    put_text(account->text, &at, email);
    account->first_at = first ? put_text(account->text, &at, first) : 0;
    account->last_at = last ? put_text(account->text, &at, last) : 0;
    account->name_at = name ? put_text(account->text, &at, name) : 0;
    g_free(name);
    if (id) {
        g_strlcpy(account->id, id, sizeof(account->id));
    } else {
        do
            next_id(store, "user_", account->id);
        while (g_hash_table_contains(store->accounts_by_id, account->id));
    }
    g_ptr_array_add(store->accounts, account);
    g_hash_table_insert(store->accounts_by_email, account->text, account);
    g_hash_table_insert(store->accounts_by_id, account->id, account);
    return account;
}

const char *valstorm_account_email(const struct valstorm_account *account)
{
    return account->text;
}

const char *valstorm_account_first(const struct valstorm_account *account)
{
    return account->first_at ? account->text + account->first_at : NULL;
}

const char *valstorm_account_last(const struct valstorm_account *account)
{
    return account->last_at ? account->text + account->last_at : NULL;
}

const char *valstorm_account_name(const struct valstorm_account *account)
{
    return account->text + account->name_at; /* name_at 0: the e-mail */
}

/* --- portals -------------------------------------------------------------------- */

struct valstorm_portal *valstorm_portal_find(const struct valstorm_store *store, const char *id)
{
    /* Portals are few (there is not even a list endpoint): a scan is enough. */
    for (guint i = 0; i < store->portals->len; i++) {
        struct valstorm_portal *portal = g_ptr_array_index(store->portals, i);
        if (strcmp(portal->id, id) == 0)
            return portal;
    }
    return NULL;
}

struct valstorm_portal *valstorm_portal_add(struct valstorm_store *store, const char *id,
                                            const char *name, const char *custom_domain,
                                            int64_t now)
{
    struct valstorm_portal *portal = g_new0(struct valstorm_portal, 1);
    if (id) {
        g_strlcpy(portal->id, id, sizeof(portal->id));
    } else {
        do
            next_id(store, "portal_", portal->id);
        while (valstorm_portal_find(store, portal->id));
    }
    portal->name = g_strdup(name);
    portal->custom_domain = g_strdup(custom_domain);
    portal->created = portal->modified = now;
    portal->members = g_array_new(FALSE, FALSE, sizeof(struct valstorm_member));
    portal->member_set = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(store->portals, portal);
    return portal;
}

void valstorm_portal_set(struct valstorm_portal *portal, const char *name, bool set_domain,
                         const char *custom_domain, int64_t now)
{
    if (name) {
        g_free(portal->name);
        portal->name = g_strdup(name);
    }
    if (set_domain) {
        g_free(portal->custom_domain);
        portal->custom_domain = g_strdup(custom_domain);
    }
    portal->modified = now;
}

void valstorm_portal_remove(struct valstorm_store *store, struct valstorm_portal *portal)
{
    g_ptr_array_remove(store->portals, portal); /* frees it */
}

bool valstorm_portal_has_member(const struct valstorm_portal *portal,
                                const struct valstorm_account *account)
{
    return g_hash_table_contains(portal->member_set, account);
}

void valstorm_portal_add_member(struct valstorm_portal *portal,
                                const struct valstorm_account *account, int64_t created)
{
    struct valstorm_member member = {.account = account, .created = created};
    g_array_append_val(portal->members, member);
    g_hash_table_add(portal->member_set, (gpointer)account);
}

bool valstorm_portal_remove_member(struct valstorm_portal *portal,
                                   const struct valstorm_account *account)
{
    if (!g_hash_table_remove(portal->member_set, account))
        return false;
    for (guint i = portal->members->len; i-- > 0;) {
        if (g_array_index(portal->members, struct valstorm_member, i).account == account) {
            g_array_remove_index(portal->members, i); /* keeps the others' order */
            break;
        }
    }
    return true;
}

/* --- tokens and 2FA -------------------------------------------------------------- */

static gboolean token_expired(gpointer key, gpointer value, gpointer now)
{
    (void)key;
    const struct valstorm_token *token = value;
    return token->expires <= *(double *)now;
}

bool valstorm_token_role(struct valstorm_store *store, const char *token,
                         enum valstorm_token_kind kind, enum valstorm_role *role)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fixed_tokens); i++) {
        if (strcmp(fixed_tokens[i].token, token) == 0 && fixed_tokens[i].kind == kind) {
            *role = fixed_tokens[i].role;
            return true;
        }
    }
    struct valstorm_token *issued = g_hash_table_lookup(store->tokens, token);
    if (!issued || issued->kind != kind)
        return false;
    if (issued->expires <= sim_now()) {
        g_hash_table_remove(store->tokens, token);
        return false;
    }
    *role = issued->role;
    return true;
}

static char *issue_one(struct valstorm_store *store, enum valstorm_role role,
                       enum valstorm_token_kind kind, double ttl)
{
    char *text = random_token(store, kind == VALSTORM_TOKEN_ACCESS ? "vsat_" : "vsrt_");
    struct valstorm_token *token = g_new(struct valstorm_token, 1);
    *token = (struct valstorm_token){.role = role, .kind = kind, .expires = sim_now() + ttl};
    g_hash_table_insert(store->tokens, g_strdup(text), token);
    return text;
}

char *valstorm_token_issue(struct valstorm_store *store, enum valstorm_role role,
                           char **refresh_token)
{
    double now = sim_now();
    g_hash_table_foreach_remove(store->tokens, token_expired, &now); /* keeps the table small */
    if (refresh_token)
        *refresh_token = issue_one(store, role, VALSTORM_TOKEN_REFRESH, VALSTORM_REFRESH_TTL);
    return issue_one(store, role, VALSTORM_TOKEN_ACCESS, store->access_token_ttl);
}

const struct valstorm_pat *valstorm_pat_add(struct valstorm_store *store, const char *id,
                                            const char *name, const char *token,
                                            enum valstorm_role role, int64_t created,
                                            int64_t expires)
{
    struct valstorm_pat *pat = g_new0(struct valstorm_pat, 1);
    if (id)
        g_strlcpy(pat->id, id, sizeof(pat->id));
    else
        next_id(store, "pat_", pat->id);
    pat->name = g_strdup(name);
    pat->token = token ? g_strdup(token) : random_token(store, "vst_");
    pat->role = role;
    pat->created = created;
    pat->expires = expires;
    g_ptr_array_add(store->pats, pat);
    struct valstorm_token *entry = g_new(struct valstorm_token, 1);
    *entry = (struct valstorm_token){
        .role = role,
        .kind = VALSTORM_TOKEN_ACCESS,
        .expires = expires ? (double)expires : INFINITY,
    };
    g_hash_table_insert(store->tokens, g_strdup(pat->token), entry);
    return pat;
}

void valstorm_two_fa_start(struct valstorm_store *store, const char *email)
{
    double *expiry = g_new(double, 1);
    *expiry = sim_now() + VALSTORM_TWO_FA_TTL;
    g_hash_table_insert(store->two_fa_pending, g_ascii_strdown(email, -1), expiry);
}

bool valstorm_two_fa_waiting(struct valstorm_store *store, const char *email)
{
    char *key = g_ascii_strdown(email, -1);
    double *expiry = g_hash_table_lookup(store->two_fa_pending, key);
    bool waiting = expiry && *expiry > sim_now();
    if (expiry && !waiting)
        g_hash_table_remove(store->two_fa_pending, key);
    g_free(key);
    return waiting;
}

void valstorm_two_fa_clear(struct valstorm_store *store, const char *email)
{
    char *key = g_ascii_strdown(email, -1);
    g_hash_table_remove(store->two_fa_pending, key);
    g_free(key);
}

/* --- wire shapes ---------------------------------------------------------------- */

static void append_time(GString *out, int64_t t)
{
    char buf[SIM_TIME_LEN];
    g_string_append_c(out, '"');
    g_string_append(out, sim_format_time((time_t)t, buf));
    g_string_append_c(out, '"');
}

void valstorm_append_portal(GString *out, const struct valstorm_portal *portal)
{
    g_string_append(out, "{\"id\":");
    sim_json_append_string(out, portal->id);
    g_string_append(out, ",\"name\":");
    sim_json_append_string(out, portal->name);
    g_string_append(out, ",\"custom_domain\":");
    sim_json_append_string(out, portal->custom_domain);
    g_string_append(out, ",\"organization_id\":\"" VALSTORM_ORG_ID "\",\"created_date\":");
    append_time(out, portal->created);
    g_string_append(out, ",\"modified_date\":");
    append_time(out, portal->modified);
    g_string_append_c(out, '}');
}

/* Appends a string literal without measuring it at run time. */
#define APPEND_LITERAL(out, literal) g_string_append_len((out), (literal), sizeof(literal) - 1)

/* The date of a membership. Neighbouring members mostly joined within the
 * same minute, so only the seconds are rewritten then: strftime per row
 * would be a tenth of a large list's time. */
static const char *cached_time(struct valstorm_time_cache *cache, int64_t t)
{
    if (strlen(cache->text) != 20 || t / 60 != cache->second / 60 || t < 0) {
        sim_format_time((time_t)t, cache->text);
    } else {
        int seconds = (int)(t % 60); /* "2026-05-07T09:00:SSZ": seconds at 17, 18 */
        cache->text[17] = (char)('0' + seconds / 10);
        cache->text[18] = (char)('0' + seconds % 10);
    }
    cache->second = t;
    return cache->text;
}

void valstorm_append_member(GString *out, const struct valstorm_portal *portal,
                            const struct valstorm_member *member,
                            struct valstorm_time_cache *time_cache)
{
    const struct valstorm_account *account = member->account;
    APPEND_LITERAL(out, "{\"id\":");
    sim_json_append_string(out, account->id);
    APPEND_LITERAL(out, ",\"email\":");
    sim_json_append_string(out, valstorm_account_email(account));
    APPEND_LITERAL(out, ",\"first_name\":");
    sim_json_append_string(out, valstorm_account_first(account));
    APPEND_LITERAL(out, ",\"last_name\":");
    sim_json_append_string(out, valstorm_account_last(account));
    APPEND_LITERAL(out, ",\"name\":");
    sim_json_append_string(out, valstorm_account_name(account));
    APPEND_LITERAL(out, ",\"is_active\":true,\"is_portal_user\":true,\"portal_id\":");
    sim_json_append_string(out, portal->id);
    APPEND_LITERAL(out, ",\"created_date\":\"");
    g_string_append(out, cached_time(time_cache, member->created));
    APPEND_LITERAL(out, "\"}");
}
