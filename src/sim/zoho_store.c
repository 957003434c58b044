/*
 * portal-sim, Zoho CRM half: the data model. Owns the state's lifetime, the
 * contacts, portals, user types and memberships, the demo data of zoho.md
 * section 8 and --seed-users. Never: wire formats (zoho_reply.c and the
 * handlers) or persistence (zoho_save.c).
 */
#include <portalctl/sim/zoho_sim.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Contact ids are hash keys stored in the pointer itself. */
_Static_assert(sizeof(gpointer) >= sizeof(uint64_t), "ids are kept in pointers");

/* Seeded objects carry this creation time: 2024-01-15T15:00:00+05:30. */
#define ZOHO_SIM_SEED_TIME INT64_C(1705311000)
/* Portal user licences of the simulated org; a saved state may set fewer. */
#define ZOHO_SIM_DEFAULT_LICENSES ((size_t)1000000000)
/* The org's time zone, as Zoho's samples show it: +05:30. */
#define ZOHO_SIM_UTC_OFFSET (5 * 3600 + 30 * 60)
/* Compact a member array once holes outnumber members and pass this count. */
#define ZOHO_SIM_COMPACT_MIN_HOLES 64

struct demo_contact {
    const char *first_name;
    const char *last_name;
    const char *email;
    int membership; /* 0 none, 1 confirmed+active, 2 confirmed+inactive, 3 unconfirmed */
};

/* zoho.md section 8: three portal users of CustomerHub and two contacts not invited. */
static const struct demo_contact demo_contacts[] = {
    {"Alice", "Archer", "alice@example.com", 1}, {"Bob", "Baker", "bob@example.com", 2},
    {"Carol", "Chen", "carol@example.com", 3},   {"Dana", "Diaz", "dana@example.com", 0},
    {"Eli", "Evans", "eli@example.com", 0},
};

/* --- small values ----------------------------------------------------------- */

bool zoho_sim_parse_id(const char *text, uint64_t *out)
{
    if (!text || !text[0] || strlen(text) > 20)
        return false;
    uint64_t value = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        uint64_t digit = (uint64_t)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

const char *zoho_sim_id_text(uint64_t id, char buf[ZOHO_SIM_ID_LEN])
{
    snprintf(buf, ZOHO_SIM_ID_LEN, "%llu", (unsigned long long)id);
    return buf;
}

const char *zoho_sim_format_time(int64_t t, char buf[SIM_TIME_LEN])
{
    time_t local = (time_t)(t + ZOHO_SIM_UTC_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(buf, SIM_TIME_LEN, "%Y-%m-%dT%H:%M:%S+05:30", &tm);
    return buf;
}

int64_t zoho_sim_now_seconds(void)
{
    return (int64_t)sim_now();
}

const char *zoho_sim_intern(struct zoho_sim_state *st, const char *s)
{
    return s ? g_string_chunk_insert(st->strings, s) : NULL;
}

char **zoho_sim_split_list(const char *text, size_t *count)
{
    char **parts = g_strsplit(text ? text : "", ",", -1);
    size_t kept = 0;
    for (size_t i = 0; parts[i]; i++) {
        g_strstrip(parts[i]);
        if (parts[i][0])
            parts[kept++] = parts[i];
        else
            g_free(parts[i]);
    }
    parts[kept] = NULL;
    *count = kept;
    return parts;
}

uint64_t zoho_sim_new_id(struct zoho_sim_state *st)
{
    return st->next_id++;
}

/* --- e-mail index: case-insensitive keys that point at the contacts' strings --- */

static guint email_hash(gconstpointer key)
{
    guint h = 5381;
    for (const char *p = key; *p; p++)
        h = h * 33 + (guchar)g_ascii_tolower(*p);
    return h;
}

static gboolean email_equal(gconstpointer a, gconstpointer b)
{
    return g_ascii_strcasecmp(a, b) == 0;
}

/* --- contacts ------------------------------------------------------------------ */

struct zoho_sim_contact *zoho_sim_contact_at(struct zoho_sim_state *st, uint32_t index)
{
    return &g_array_index(st->contacts, struct zoho_sim_contact, index);
}

static void index_email(struct zoho_sim_state *st, uint32_t index)
{
    const char *email = zoho_sim_contact_at(st, index)->email;
    if (!email)
        return;
    gpointer first = g_hash_table_lookup(st->contact_by_email, email);
    if (!first) {
        g_hash_table_insert(st->contact_by_email, (gpointer)email, GUINT_TO_POINTER(index + 1));
        return;
    }
    uint32_t at = GPOINTER_TO_UINT(first) - 1;
    while (zoho_sim_contact_at(st, at)->next_same_email != ZOHO_SIM_NONE)
        at = zoho_sim_contact_at(st, at)->next_same_email;
    zoho_sim_contact_at(st, at)->next_same_email = index;
}

uint32_t zoho_sim_contact_add(struct zoho_sim_state *st, uint64_t id, const char *email,
                              const char *first_name, const char *last_name, int64_t created)
{
    struct zoho_sim_contact contact = {
        .id = id,
        .email = zoho_sim_intern(st, email),
        .first_name = zoho_sim_intern(st, first_name),
        .last_name = zoho_sim_intern(st, last_name),
        .created = created,
        .next_same_email = ZOHO_SIM_NONE,
    };
    uint32_t index = st->contacts->len;
    g_array_append_val(st->contacts, contact);
    g_hash_table_insert(st->contact_by_id, (gpointer)(uintptr_t)id, GUINT_TO_POINTER(index + 1));
    index_email(st, index);
    return index;
}

uint32_t zoho_sim_contact_find(struct zoho_sim_state *st, const char *id_text)
{
    uint64_t id = 0;
    if (!zoho_sim_parse_id(id_text, &id))
        return ZOHO_SIM_NONE;
    gpointer found = g_hash_table_lookup(st->contact_by_id, (gpointer)(uintptr_t)id);
    return found ? GPOINTER_TO_UINT(found) - 1 : ZOHO_SIM_NONE;
}

uint32_t zoho_sim_contact_find_email(struct zoho_sim_state *st, const char *email)
{
    gpointer found = email ? g_hash_table_lookup(st->contact_by_email, email) : NULL;
    return found ? GPOINTER_TO_UINT(found) - 1 : ZOHO_SIM_NONE;
}

char *zoho_sim_contact_full_name(const struct zoho_sim_contact *c)
{
    if (c->first_name && c->first_name[0])
        return g_strdup_printf("%s %s", c->first_name, c->last_name ? c->last_name : "");
    return g_strdup(c->last_name ? c->last_name : "");
}

/* --- portals and user types ------------------------------------------------------ */

static void user_type_free(gpointer data)
{
    struct zoho_sim_user_type *type = data;
    g_free(type->name);
    g_array_free(type->members, TRUE);
    g_hash_table_destroy(type->member_by_contact);
    g_free(type);
}

static void portal_free(gpointer data)
{
    struct zoho_sim_portal *portal = data;
    g_free(portal->name);
    g_free(portal->zaid);
    g_ptr_array_free(portal->user_types, TRUE);
    g_free(portal);
}

struct zoho_sim_portal *zoho_sim_portal_add(struct zoho_sim_state *st, const char *name,
                                            int64_t created)
{
    struct zoho_sim_portal *portal = g_new0(struct zoho_sim_portal, 1);
    portal->name = g_strdup(name);
    /* Zoho's zaid is the portal's own account id: "10" and eight digits. */
    portal->zaid = g_strdup_printf("10%08llu", (unsigned long long)(st->next_id % 100000000ull));
    portal->active = true;
    portal->created = created;
    portal->modified = created;
    portal->user_types = g_ptr_array_new_with_free_func(user_type_free);
    g_ptr_array_add(st->portals, portal);
    return portal;
}

struct zoho_sim_portal *zoho_sim_portal_find(struct zoho_sim_state *st, const char *name)
{
    for (guint i = 0; name && i < st->portals->len; i++) {
        struct zoho_sim_portal *portal = g_ptr_array_index(st->portals, i);
        if (g_ascii_strcasecmp(portal->name, name) == 0)
            return portal;
    }
    return NULL;
}

struct zoho_sim_user_type *zoho_sim_user_type_add(struct zoho_sim_portal *portal, uint64_t id,
                                                  const char *name, bool is_default,
                                                  int64_t created)
{
    struct zoho_sim_user_type *type = g_new0(struct zoho_sim_user_type, 1);
    type->id = id;
    type->name = g_strdup(name);
    type->is_default = is_default;
    type->active = true;
    type->created = created;
    type->modified = created;
    type->members = g_array_new(FALSE, FALSE, sizeof(struct zoho_sim_member));
    type->member_by_contact = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(portal->user_types, type);
    return type;
}

struct zoho_sim_user_type *zoho_sim_user_type_find(struct zoho_sim_portal *portal,
                                                   const char *id_text)
{
    uint64_t id = 0;
    if (!portal || !zoho_sim_parse_id(id_text, &id))
        return NULL;
    for (guint i = 0; i < portal->user_types->len; i++) {
        struct zoho_sim_user_type *type = g_ptr_array_index(portal->user_types, i);
        if (type->id == id)
            return type;
    }
    return NULL;
}

/* --- memberships ------------------------------------------------------------------ */

struct zoho_sim_member *zoho_sim_member_find(struct zoho_sim_user_type *type, uint32_t contact)
{
    gpointer pos = g_hash_table_lookup(type->member_by_contact, GUINT_TO_POINTER(contact + 1));
    if (!pos)
        return NULL;
    return &g_array_index(type->members, struct zoho_sim_member, GPOINTER_TO_UINT(pos) - 1);
}

struct zoho_sim_user_type *zoho_sim_portal_member_type(struct zoho_sim_portal *portal,
                                                       uint32_t contact)
{
    for (guint i = 0; i < portal->user_types->len; i++) {
        struct zoho_sim_user_type *type = g_ptr_array_index(portal->user_types, i);
        if (zoho_sim_member_find(type, contact))
            return type;
    }
    return NULL;
}

static void adjust(size_t *count, bool arriving)
{
    if (arriving)
        (*count)++;
    else
        (*count)--;
}

/* Keeps the per-type counts and the licence count in step with a member
 * arriving in (or leaving) type, and invalidates list cursors. */
static void count_member(struct zoho_sim_state *st, struct zoho_sim_user_type *type,
                         const struct zoho_sim_member *m, bool arriving)
{
    if (m->active) {
        adjust(&type->active_count, arriving);
        adjust(&st->licenses_used, arriving);
    }
    if (m->confirmed)
        adjust(&type->confirmed_count, arriving);
    if (m->active && m->confirmed)
        adjust(&type->active_confirmed_count, arriving);
    type->generation++;
}

void zoho_sim_member_add(struct zoho_sim_state *st, struct zoho_sim_user_type *type,
                         uint32_t contact, bool confirmed, bool active, int64_t invited)
{
    struct zoho_sim_member member = {
        .contact = contact,
        .confirmed = confirmed,
        .active = active,
        .invited = invited,
    };
    g_array_append_val(type->members, member);
    g_hash_table_insert(type->member_by_contact, GUINT_TO_POINTER(contact + 1),
                        GUINT_TO_POINTER(type->members->len));
    type->member_count++;
    count_member(st, type, &member, true);
}

void zoho_sim_members_compact(struct zoho_sim_user_type *type)
{
    guint kept = 0;
    for (guint i = 0; i < type->members->len; i++) {
        struct zoho_sim_member member = g_array_index(type->members, struct zoho_sim_member, i);
        if (member.contact == ZOHO_SIM_NONE)
            continue;
        g_array_index(type->members, struct zoho_sim_member, kept) = member;
        kept++;
        g_hash_table_insert(type->member_by_contact, GUINT_TO_POINTER(member.contact + 1),
                            GUINT_TO_POINTER(kept));
    }
    g_array_set_size(type->members, kept);
    type->generation++;
}

bool zoho_sim_member_remove(struct zoho_sim_state *st, struct zoho_sim_user_type *type,
                            uint32_t contact)
{
    struct zoho_sim_member *member = zoho_sim_member_find(type, contact);
    if (!member)
        return false;
    count_member(st, type, member, false);
    member->contact = ZOHO_SIM_NONE;
    g_hash_table_remove(type->member_by_contact, GUINT_TO_POINTER(contact + 1));
    type->member_count--;
    size_t holes = type->members->len - type->member_count;
    if (holes > ZOHO_SIM_COMPACT_MIN_HOLES && holes > type->member_count)
        zoho_sim_members_compact(type);
    return true;
}

void zoho_sim_member_set_active(struct zoho_sim_state *st, struct zoho_sim_user_type *type,
                                struct zoho_sim_member *member, bool active)
{
    if (member->active == active)
        return;
    count_member(st, type, member, false);
    member->active = active;
    count_member(st, type, member, true);
}

/* --- lifetime ------------------------------------------------------------------------ */

static void access_token_free(gpointer data)
{
    struct zoho_sim_access_token *token = data;
    g_free(token->refresh_token);
    g_free(token);
}

struct zoho_sim_state *zoho_sim_state_new_empty(const char *base_url, int token_ttl,
                                                unsigned long long seed)
{
    struct zoho_sim_state *st = g_new0(struct zoho_sim_state, 1);
    st->base_url = g_strdup(base_url ? base_url : "http://127.0.0.1");
    st->token_ttl = token_ttl > 0 ? token_ttl : 3600;
    st->token_random = g_rand_new();
    /* Ids look like Zoho's: a seven-digit org prefix, then a running number. */
    st->next_id = (1000000ull + seed % 8000000ull) * 1000000000000ull + 1001ull;
    st->portal_user_licenses = ZOHO_SIM_DEFAULT_LICENSES;
    st->strings = g_string_chunk_new(1 << 16);
    st->contacts = g_array_new(FALSE, FALSE, sizeof(struct zoho_sim_contact));
    st->contact_by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
    st->contact_by_email = g_hash_table_new(email_hash, email_equal);
    st->portals = g_ptr_array_new_with_free_func(portal_free);
    st->refresh_tokens = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    st->access_tokens = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, access_token_free);
    st->device_codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    st->jobs = g_ptr_array_new_with_free_func((GDestroyNotify)zoho_sim_job_free);
    return st;
}

static void seed_demo_portals(struct zoho_sim_state *st)
{
    struct zoho_sim_portal *hub = zoho_sim_portal_add(st, "CustomerHub", ZOHO_SIM_SEED_TIME);
    struct zoho_sim_user_type *customers =
        zoho_sim_user_type_add(hub, zoho_sim_new_id(st), "Customers", true, ZOHO_SIM_SEED_TIME);
    struct zoho_sim_portal *desk = zoho_sim_portal_add(st, "PartnerDesk", ZOHO_SIM_SEED_TIME);
    zoho_sim_user_type_add(desk, zoho_sim_new_id(st), "Partners", true, ZOHO_SIM_SEED_TIME);

    for (size_t i = 0; i < G_N_ELEMENTS(demo_contacts); i++) {
        const struct demo_contact *d = &demo_contacts[i];
        int64_t created = ZOHO_SIM_SEED_TIME + 3600 * (int64_t)(i + 1);
        uint32_t index = zoho_sim_contact_add(st, zoho_sim_new_id(st), d->email, d->first_name,
                                              d->last_name, created);
        if (d->membership)
            zoho_sim_member_add(st, customers, index, d->membership != 3, d->membership != 2,
                                created + 600);
    }
}

struct zoho_sim_state *zoho_sim_state_new(const struct sim_options *options)
{
    struct zoho_sim_state *st =
        zoho_sim_state_new_empty(options->base_url, options->zoho_token_ttl, options->seed);
    st->admin_id = zoho_sim_new_id(st);
    st->module_id = zoho_sim_new_id(st);
    zoho_sim_seed_accounts(st);
    seed_demo_portals(st);
    return st;
}

void zoho_sim_state_free(struct zoho_sim_state *st)
{
    if (!st)
        return;
    g_ptr_array_free(st->jobs, TRUE);
    g_hash_table_destroy(st->device_codes);
    g_hash_table_destroy(st->access_tokens);
    g_hash_table_destroy(st->refresh_tokens);
    g_ptr_array_free(st->portals, TRUE);
    g_hash_table_destroy(st->contact_by_email);
    g_hash_table_destroy(st->contact_by_id);
    g_array_free(st->contacts, TRUE);
    g_string_chunk_free(st->strings);
    g_rand_free(st->token_random);
    g_free(st->base_url);
    g_free(st);
}

#define SWAP(a, b)                                                                                 \
    do {                                                                                           \
        __typeof__(a) swap_tmp = (a);                                                              \
        (a) = (b);                                                                                 \
        (b) = swap_tmp;                                                                            \
    } while (0)

void zoho_sim_state_take(struct zoho_sim_state *dst, struct zoho_sim_state *src)
{
    SWAP(dst->next_id, src->next_id);
    SWAP(dst->admin_id, src->admin_id);
    SWAP(dst->module_id, src->module_id);
    SWAP(dst->seeded_users, src->seeded_users);
    SWAP(dst->portal_user_licenses, src->portal_user_licenses);
    SWAP(dst->licenses_used, src->licenses_used);
    SWAP(dst->strings, src->strings);
    SWAP(dst->contacts, src->contacts);
    SWAP(dst->contact_by_id, src->contact_by_id);
    SWAP(dst->contact_by_email, src->contact_by_email);
    SWAP(dst->portals, src->portals);
    SWAP(dst->refresh_tokens, src->refresh_tokens);
    SWAP(dst->access_tokens, src->access_tokens);
    SWAP(dst->device_codes, src->device_codes);
    SWAP(dst->jobs, src->jobs);
    SWAP(dst->pending_jobs, src->pending_jobs);
    zoho_sim_state_free(src);
}

/* --- --seed-users ----------------------------------------------------------------------- */

/* The demo portal's default user type: CustomerHub's, or the first portal's. */
static struct zoho_sim_user_type *seed_target(struct zoho_sim_state *st)
{
    struct zoho_sim_portal *portal = zoho_sim_portal_find(st, "CustomerHub");
    if (!portal && st->portals->len)
        portal = g_ptr_array_index(st->portals, 0);
    if (!portal || !portal->user_types->len)
        return NULL;
    for (guint i = 0; i < portal->user_types->len; i++) {
        struct zoho_sim_user_type *type = g_ptr_array_index(portal->user_types, i);
        if (type->is_default)
            return type;
    }
    return g_ptr_array_index(portal->user_types, 0);
}

void zoho_sim_seed_users(struct zoho_sim_state *st, size_t n)
{
    struct zoho_sim_user_type *type = seed_target(st);
    if (!type)
        return; /* a loaded state without portals has nowhere to put them */
    for (size_t i = 0; i < n; i++) {
        size_t seq = ++st->seeded_users;
        char email[64], last_name[32];
        snprintf(email, sizeof(email), "seed.user%zu@example.com", seq);
        snprintf(last_name, sizeof(last_name), "User%07zu", seq);
        int64_t when = ZOHO_SIM_SEED_TIME + 86400 + (int64_t)(seq % 86400) * 60;
        uint32_t index =
            zoho_sim_contact_add(st, zoho_sim_new_id(st), email, "Seed", last_name, when);
        /* A realistic mix: two in three confirmed; some confirmed ones deactivated. */
        bool confirmed = seq % 3 != 0;
        bool active = !(confirmed && seq % 10 == 1);
        zoho_sim_member_add(st, type, index, confirmed, active, when + 60);
    }
}
