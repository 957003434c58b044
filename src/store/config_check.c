/*
 * store: the checks of config.ini — one table of keys, each with its rule and
 * the vendors that use it; problems with file, line, group and key. Keys that
 * look like secrets are refused unread, and no value is echoed in a message
 * unless it is one of a short list of words (vendor, data_centre, read_only).
 */
#include "config_check.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_LENGTH 64
#define ECHO_MAX_LENGTH 40

/* ---- tables -------------------------------------------------------------- */

static const char *const vendor_names[] = {
    [CONFIG_VENDOR_ECGRID] = "ecgrid",
    [CONFIG_VENDOR_ZOHO] = "zoho",
    [CONFIG_VENDOR_VALSTORM] = "valstorm",
};
#define VENDOR_COUNT G_N_ELEMENTS(vendor_names)

const char *const config_data_centres[] = {
    "com", "eu", "in", "com.au", "jp", "ca", "sa", "com.cn", "uk", NULL,
};

/* Parts of key names that mean somebody is about to put a secret in the file. */
static const char *const secret_words[] = {
    "secret", "token", "password", "passwd", "pwd", "apikey", "api_key", "api-key", "credential",
};

#define ALL_VENDORS                                                                                \
    ((1u << CONFIG_VENDOR_ECGRID) | (1u << CONFIG_VENDOR_ZOHO) | (1u << CONFIG_VENDOR_VALSTORM))
#define ZOHO_ONLY (1u << CONFIG_VENDOR_ZOHO)

/* A rule checks one value and stores it; on failure it says why in `why`. */
typedef bool (*key_apply_fn)(struct connection_config *connection, const char *value, GString *why);

struct key_rule {
    const char *key;
    unsigned vendors; /* bit per enum config_vendor that uses this key */
    key_apply_fn apply;
};

static bool apply_vendor(struct connection_config *connection, const char *value, GString *why);
static bool apply_url(struct connection_config *connection, const char *value, GString *why);
static bool apply_accounts_url(struct connection_config *connection, const char *value,
                               GString *why);
static bool apply_data_centre(struct connection_config *connection, const char *value,
                              GString *why);
static bool apply_client_id(struct connection_config *connection, const char *value, GString *why);
static bool apply_ca_file(struct connection_config *connection, const char *value, GString *why);
static bool apply_read_only(struct connection_config *connection, const char *value, GString *why);

/* In the order they are written and listed to the user. */
static const struct key_rule key_rules[] = {
    {"vendor", ALL_VENDORS, apply_vendor},           /* required */
    {"url", ALL_VENDORS, apply_url},                 /* API base URL override */
    {"accounts_url", ZOHO_ONLY, apply_accounts_url}, /* OAuth server override */
    {"data_centre", ZOHO_ONLY, apply_data_centre},   /* sets both Zoho hosts */
    {"client_id", ZOHO_ONLY, apply_client_id},       /* required for zoho */
    {"ca_file", ALL_VENDORS, apply_ca_file},         /* PEM bundle to trust (portal-sim TLS) */
    {"read_only", ALL_VENDORS, apply_read_only},     /* refuse every change */
};
#define RULE_VENDOR 0
G_STATIC_ASSERT(G_N_ELEMENTS(key_rules) == CONFIG_KEY_COUNT);

/* ---- problems: collected, sorted by line, reported all at once ----------- */

struct problem {
    int line; /* 0 when unknown */
    char *text;
};

void config_problems_init(struct config_problems *problems, const char *path,
                          const struct config_line_index *lines)
{
    problems->path = path;
    problems->lines = lines;
    problems->items = g_array_new(FALSE, FALSE, sizeof(struct problem));
}

void config_problem_add(struct config_problems *problems, int line, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *text = g_strdup_vprintf(format, args);
    va_end(args);
    struct problem problem = {line, NULL};
    if (problems->path != NULL && line > 0)
        problem.text = g_strdup_printf("%s:%d: %s", problems->path, line, text);
    else if (problems->path != NULL)
        problem.text = g_strdup_printf("%s: %s", problems->path, text);
    else
        problem.text = g_strdup(text);
    g_free(text);
    g_array_append_val(problems->items, problem);
}

static int problem_compare(const void *a, const void *b)
{
    const struct problem *left = a, *right = b;
    return (left->line > right->line) - (left->line < right->line);
}

/* Frees the problems; true when there were none, else sets one error holding
 * every problem on its own line, in file order. */
bool config_problems_finish(struct config_problems *problems, GError **error)
{
    GArray *items = problems->items;
    bool clean = items->len == 0;
    if (!clean) {
        g_array_sort(items, problem_compare); /* g_array_sort is stable */
        GString *message = g_string_new(NULL);
        for (guint i = 0; i < items->len; i++) {
            if (i > 0)
                g_string_append_c(message, '\n');
            g_string_append(message, g_array_index(items, struct problem, i).text);
        }
        g_set_error_literal(error, STORE_ERROR, STORE_ERROR_INVALID, message->str);
        g_string_free(message, TRUE);
    }
    for (guint i = 0; i < items->len; i++)
        g_free(g_array_index(items, struct problem, i).text);
    g_array_free(items, TRUE);
    return clean;
}

static int group_line(const struct config_problems *problems, const char *group)
{
    if (problems->lines == NULL)
        return 0;
    return GPOINTER_TO_INT(g_hash_table_lookup(problems->lines->groups, group));
}

static int key_line(const struct config_problems *problems, const char *group, const char *key)
{
    if (problems->lines == NULL)
        return 0;
    char *id = g_strconcat(group, "\n", key, NULL);
    int line = GPOINTER_TO_INT(g_hash_table_lookup(problems->lines->keys, id));
    g_free(id);
    return line;
}

/* "[connection NAME] key: why", at the key's line. */
void config_problem_at_key(struct config_problems *problems, const char *name, const char *key,
                           const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *why = g_strdup_vprintf(format, args);
    va_end(args);
    char *group = g_strconcat(CONFIG_GROUP_PREFIX, name, NULL);
    int line = key_line(problems, group, key);
    if (line == 0)
        line = group_line(problems, group);
    config_problem_add(problems, line, "[%s] %s: %s", group, key, why);
    g_free(group);
    g_free(why);
}

/* ---- small helpers ------------------------------------------------------- */

/* Values echoed back are short words; anything longer is cut. */
static char *echo_value(const char *value)
{
    if (g_utf8_strlen(value, -1) <= ECHO_MAX_LENGTH)
        return g_strdup(value);
    char *cut = g_utf8_substring(value, 0, ECHO_MAX_LENGTH);
    char *shown = g_strconcat(cut, "…", NULL);
    g_free(cut);
    return shown;
}

static bool has_whitespace(const char *value)
{
    for (const char *p = value; *p != '\0'; p++) {
        if (g_ascii_isspace(*p))
            return true;
    }
    return false;
}

/* GKeyFile has no end-of-line comments: "eu   # Europe" is the value. */
static bool has_trailing_comment(const char *value)
{
    for (const char *p = strchr(value, '#'); p != NULL; p = strchr(p + 1, '#')) {
        if (p > value && g_ascii_isspace(p[-1]))
            return true;
    }
    return false;
}

bool config_key_is_secret_like(const char *key)
{
    char *lower = g_ascii_strdown(key, -1);
    bool found = false;
    for (size_t i = 0; i < G_N_ELEMENTS(secret_words) && !found; i++)
        found = strstr(lower, secret_words[i]) != NULL;
    g_free(lower);
    return found;
}

static const struct key_rule *find_rule(const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(key_rules); i++) {
        if (strcmp(key_rules[i].key, key) == 0)
            return &key_rules[i];
    }
    return NULL;
}

bool config_key_is_known(const char *key)
{
    return find_rule(key) != NULL;
}

const char *config_key_name(size_t index)
{
    return index < G_N_ELEMENTS(key_rules) ? key_rules[index].key : NULL;
}

/* Edit distance, for "did you mean". Keys are short, so a plain table is fine. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = g_new(size_t, lb + 1);
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
            row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diagonal + cost);
            diagonal = above;
        }
    }
    size_t distance = row[lb];
    g_free(row);
    return distance;
}

static const char *closest_key(const char *key)
{
    const char *best = NULL;
    size_t best_distance = 3; /* more than two edits is not a typo */
    for (size_t i = 0; i < G_N_ELEMENTS(key_rules); i++) {
        size_t distance = edit_distance(key, key_rules[i].key);
        if (distance < best_distance) {
            best = key_rules[i].key;
            best_distance = distance;
        }
    }
    return best;
}

static char *known_keys_list(void)
{
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(key_rules); i++)
        g_string_append_printf(list, "%s%s", i > 0 ? ", " : "", key_rules[i].key);
    return g_string_free(list, FALSE);
}

static char *vendors_of_mask(unsigned mask)
{
    GString *list = g_string_new(NULL);
    for (size_t i = 0; i < VENDOR_COUNT; i++) {
        if (mask & (1u << i))
            g_string_append_printf(list, "%s%s", list->len > 0 ? ", " : "", vendor_names[i]);
    }
    return g_string_free(list, FALSE);
}

static bool is_valid_name(const char *name)
{
    size_t length = strlen(name);
    if (length == 0 || length > NAME_MAX_LENGTH || !g_ascii_isalnum(name[0]))
        return false;
    for (const char *p = name; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
            return false;
    }
    return true;
}

/* ---- key rules ----------------------------------------------------------- */

const char *config_vendor_name(enum config_vendor vendor)
{
    return (size_t)vendor < VENDOR_COUNT ? vendor_names[vendor] : "unknown";
}

bool config_vendor_from_name(const char *name, enum config_vendor *vendor)
{
    for (size_t i = 0; i < VENDOR_COUNT; i++) {
        if (name != NULL && strcmp(name, vendor_names[i]) == 0) {
            *vendor = (enum config_vendor)i;
            return true;
        }
    }
    return false;
}

static bool apply_vendor(struct connection_config *connection, const char *value, GString *why)
{
    if (config_vendor_from_name(value, &connection->vendor))
        return true;
    char *shown = echo_value(value);
    g_string_printf(why, "must be one of ecgrid, zoho, valstorm (found \"%s\")", shown);
    g_free(shown);
    return false;
}

static bool check_http_url(const char *value, GString *why)
{
    GUri *uri = has_whitespace(value) ? NULL : g_uri_parse(value, G_URI_FLAGS_NONE, NULL);
    const char *scheme = uri != NULL ? g_uri_get_scheme(uri) : NULL;
    const char *host = uri != NULL ? g_uri_get_host(uri) : NULL;
    bool web = scheme != NULL && (g_ascii_strcasecmp(scheme, "https") == 0 ||
                                  g_ascii_strcasecmp(scheme, "http") == 0);
    bool ok = web && host != NULL && host[0] != '\0';
    if (!ok)
        g_string_assign(why, "must be an http:// or https:// URL with a host, e.g. "
                             "https://api.example.com");
    else if (g_uri_get_userinfo(uri) != NULL) {
        ok = false;
        g_string_assign(why, "must not contain a user name or password; secrets belong in "
                             "the keyring (portalctl auth set)");
    }
    if (uri != NULL)
        g_uri_unref(uri);
    return ok;
}

static bool apply_url(struct connection_config *connection, const char *value, GString *why)
{
    if (!check_http_url(value, why))
        return false;
    g_free(connection->url);
    connection->url = g_strdup(value);
    return true;
}

static bool apply_accounts_url(struct connection_config *connection, const char *value,
                               GString *why)
{
    if (!check_http_url(value, why))
        return false;
    g_free(connection->accounts_url);
    connection->accounts_url = g_strdup(value);
    return true;
}

static bool apply_data_centre(struct connection_config *connection, const char *value, GString *why)
{
    if (g_strv_contains(config_data_centres, value)) {
        g_free(connection->data_centre);
        connection->data_centre = g_strdup(value);
        return true;
    }
    char *choices = g_strjoinv(", ", (char **)config_data_centres);
    char *shown = echo_value(value);
    g_string_printf(why, "must be one of %s (found \"%s\")", choices, shown);
    g_free(shown);
    g_free(choices);
    return false;
}

static bool apply_client_id(struct connection_config *connection, const char *value, GString *why)
{
    if (has_whitespace(value) || strlen(value) > 200) {
        g_string_assign(why, "must be the client id shown in the Zoho API console "
                             "(no spaces, at most 200 characters)");
        return false;
    }
    g_free(connection->client_id);
    connection->client_id = g_strdup(value);
    return true;
}

static bool apply_ca_file(struct connection_config *connection, const char *value, GString *why)
{
    struct stat st;
    if (!g_path_is_absolute(value))
        g_string_assign(why, "must be an absolute path to a PEM file");
    else if (stat(value, &st) != 0)
        g_string_printf(why, "%s: no such file", value);
    else if (!S_ISREG(st.st_mode) || access(value, R_OK) != 0)
        g_string_printf(why, "%s: not a readable file", value);
    else {
        g_free(connection->ca_file);
        connection->ca_file = g_strdup(value);
        return true;
    }
    return false;
}

static bool apply_read_only(struct connection_config *connection, const char *value, GString *why)
{
    if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
        connection->read_only = value[0] == 't';
        return true;
    }
    char *shown = echo_value(value);
    g_string_printf(why, "must be true or false (found \"%s\")", shown);
    g_free(shown);
    return false;
}

/* ---- checking one connection --------------------------------------------- */

/* Checks one key; returns its rule when the key is known (even if the value is bad). */
static const struct key_rule *check_pair(struct config_problems *problems, const char *name,
                                         const struct config_pair *pair,
                                         struct connection_config *connection)
{
    if (config_key_is_secret_like(pair->key)) {
        config_problem_at_key(problems, name, pair->key,
                              "secrets are never kept in this file; delete this line and run "
                              "`portalctl auth set %s`, which stores it in the system keyring",
                              name);
        return NULL;
    }
    const struct key_rule *rule = find_rule(pair->key);
    if (rule == NULL) {
        const char *guess = closest_key(pair->key);
        char *known = known_keys_list();
        if (guess != NULL)
            config_problem_at_key(problems, name, pair->key, "unknown key; did you mean %s?",
                                  guess);
        else
            config_problem_at_key(problems, name, pair->key, "unknown key; the keys are %s", known);
        g_free(known);
        return NULL;
    }
    if (pair->value == NULL)
        return rule;
    GString *why = g_string_new(NULL);
    if (pair->value[0] == '\0')
        g_string_assign(why, "is empty; give a value or delete the line");
    else if (has_trailing_comment(pair->value))
        g_string_assign(why, "a comment must be on a line of its own (GKeyFile reads "
                             "\"# ...\" after a value as part of the value)");
    if (why->len > 0 || !rule->apply(connection, pair->value, why))
        config_problem_at_key(problems, name, pair->key, "%s", why->str);
    g_string_free(why, TRUE);
    return rule;
}

static void check_vendor_keys(struct config_problems *problems, const char *name,
                              const struct connection_config *connection,
                              const struct key_rule *const *rules, size_t count)
{
    bool has_client_id = false;
    for (size_t i = 0; i < count; i++) {
        if (rules[i] == NULL)
            continue;
        has_client_id |= strcmp(rules[i]->key, "client_id") == 0;
        if (rules[i]->vendors & (1u << connection->vendor))
            continue;
        char *users = vendors_of_mask(rules[i]->vendors);
        config_problem_at_key(problems, name, rules[i]->key,
                              "%s connections do not use this key (only %s)",
                              config_vendor_name(connection->vendor), users);
        g_free(users);
    }
    if (connection->vendor == CONFIG_VENDOR_ZOHO && !has_client_id)
        config_problem_at_key(problems, name, "client_id",
                              "missing; zoho connections need the client id from the Zoho API "
                              "console");
}

/* Checks a whole connection; returns it when every key passed, else NULL. */
struct connection_config *config_check_connection(struct config_problems *problems,
                                                  const char *name, const struct config_pair *pairs,
                                                  size_t count)
{
    guint problems_before = problems->items->len;
    struct connection_config *connection = connection_config_new(name, CONFIG_VENDOR_ECGRID);
    const struct key_rule **rules = g_new0(const struct key_rule *, count + 1);
    bool vendor_given = false;
    for (size_t i = 0; i < count; i++) {
        guint before_key = problems->items->len;
        rules[i] = check_pair(problems, name, &pairs[i], connection);
        if (rules[i] == &key_rules[RULE_VENDOR])
            vendor_given = problems->items->len == before_key && pairs[i].value != NULL;
    }
    bool vendor_present = false;
    for (size_t i = 0; i < count; i++)
        vendor_present |= rules[i] == &key_rules[RULE_VENDOR];
    if (!vendor_present)
        config_problem_at_key(problems, name, "vendor",
                              "missing; must be one of ecgrid, zoho, valstorm");
    if (vendor_given)
        check_vendor_keys(problems, name, connection, rules, count);
    g_free(rules);
    if (problems->items->len != problems_before)
        g_clear_pointer(&connection, connection_config_free);
    return connection;
}

/* Returns the connection name of a group, or NULL after reporting why not. */
const char *config_group_connection_name(struct config_problems *problems, const char *group)
{
    int line = group_line(problems, group);
    if (!g_str_has_prefix(group, CONFIG_GROUP_PREFIX) && strcmp(group, "connection") != 0) {
        config_problem_add(problems, line,
                           "[%s]: unknown group; each connection is a [connection NAME] group",
                           group);
        return NULL;
    }
    const char *name =
        strlen(group) > CONFIG_GROUP_PREFIX_SIZE ? group + CONFIG_GROUP_PREFIX_SIZE : "";
    if (name[0] == '\0') {
        config_problem_add(problems, line,
                           "[%s]: the group needs a name, e.g. [connection acme-zoho]", group);
        return NULL;
    }
    if (!is_valid_name(name)) {
        config_problem_add(problems, line,
                           "[%s]: a connection name is 1-%d letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit",
                           group, NAME_MAX_LENGTH);
        return NULL;
    }
    return name;
}

/* ---- the file text: where things are, and what GKeyFile would choke on --- */

void config_line_index_init(struct config_line_index *index)
{
    index->groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    index->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void config_line_index_clear(struct config_line_index *index)
{
    g_hash_table_destroy(index->groups);
    g_hash_table_destroy(index->keys);
}

/* A group line as GKeyFile sees it: "[" name "]" then only blanks, the name not
 * empty and without brackets or control characters. */
static char *parse_group_line(const char *line)
{
    const char *close = strchr(line, ']');
    if (line[0] != '[' || close == NULL || close == line + 1)
        return NULL;
    for (const char *p = line + 1; p < close; p++) {
        if (*p == '[' || g_ascii_iscntrl(*p))
            return NULL;
    }
    for (const char *p = close + 1; *p != '\0'; p++) {
        if (*p != ' ' && *p != '\t')
            return NULL;
    }
    return g_strndup(line + 1, (gsize)(close - line - 1));
}

/* Returns the group's canonical name (GKeyFile merges a repeated group into the
 * first one, so its keys count as the same group's). Takes ownership of group. */
static const char *scan_group(struct config_problems *problems, struct config_line_index *index,
                              char *group, int number)
{
    gpointer stored = NULL, first = NULL;
    if (g_hash_table_lookup_extended(index->groups, group, &stored, &first)) {
        config_problem_add(
            problems, number,
            "[%s] appears again (first at line %d); keep all of its keys in one group", group,
            GPOINTER_TO_INT(first));
        g_free(group);
        return stored;
    }
    g_hash_table_insert(index->groups, group, GINT_TO_POINTER(number));
    return group;
}

static void scan_key(struct config_problems *problems, struct config_line_index *index,
                     const char *group, const char *line, const char *equals, int number)
{
    char *key = g_strstrip(g_strndup(line, (gsize)(equals - line)));
    if (group == NULL) {
        if (config_key_is_secret_like(key))
            config_problem_add(problems, number,
                               "%s: secrets are never kept in this file; delete this line and run "
                               "`portalctl auth set NAME`, which stores it in the system keyring",
                               key);
        else
            config_problem_add(problems, number,
                               "%s: a key before any [connection NAME] group line", key);
        g_free(key);
        return;
    }
    char *id = g_strconcat(group, "\n", key, NULL);
    int first = GPOINTER_TO_INT(g_hash_table_lookup(index->keys, id));
    if (first != 0 && !config_key_is_secret_like(key))
        config_problem_add(problems, number,
                           "[%s] %s: set again (first at line %d); only one may stay", group, key,
                           first);
    g_hash_table_insert(index->keys, id, GINT_TO_POINTER(number));
    g_free(key);
}

/* Mirrors GKeyFile's line rules (leading blanks ignored, "#" comments, "[group]",
 * "key = value") to learn line numbers and to report, without echoing the line
 * (it may be a pasted secret), what GKeyFile would only call a parse error.
 * Returns false when GKeyFile cannot read the text at all. */
bool config_scan_text(struct config_problems *problems, struct config_line_index *index,
                      const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    const char *group = NULL;
    bool readable = true;
    for (int i = 0; lines[i] != NULL; i++) {
        int number = i + 1;
        char *line = g_strstrip(lines[i]); /* also drops the \r of CRLF files */
        char *group_name = NULL;
        const char *equals = strchr(line, '=');
        if (!g_utf8_validate(line, -1, NULL)) {
            config_problem_add(problems, number, "not valid UTF-8 text");
            readable = false;
        } else if (line[0] == '\0' || line[0] == '#') {
            continue;
        } else if ((group_name = parse_group_line(line)) != NULL) {
            group = scan_group(problems, index, group_name, number);
        } else if (equals != NULL && equals != line) {
            scan_key(problems, index, group, line, equals, number);
            readable &= group != NULL;
        } else if (line[0] == '[') {
            config_problem_add(
                problems, number,
                "not a valid group line; write [connection NAME], with nothing after "
                "the ]");
            readable = false;
        } else {
            config_problem_add(problems, number,
                               "not a [group] line, a key = value line or a # comment");
            readable = false;
        }
    }
    g_strfreev(lines);
    return readable;
}

/* ---- the connection as values ---------------------------------------- */

/* The fields as the file would spell them, in key_rules order; NULL = unset. */
void config_connection_values(const struct connection_config *connection,
                              const char *values[CONFIG_KEY_COUNT])
{
    const char *by_key[] = {
        config_vendor_name(connection->vendor),
        connection->url,
        connection->accounts_url,
        connection->data_centre,
        connection->client_id,
        connection->ca_file,
        connection->read_only ? "true" : NULL,
    };
    G_STATIC_ASSERT(G_N_ELEMENTS(by_key) == G_N_ELEMENTS(key_rules));
    memcpy(values, by_key, sizeof(by_key));
}

bool config_validate_connection(const struct connection_config *connection, GError **error)
{
    struct config_problems problems;
    config_problems_init(&problems, NULL, NULL);
    const char *name = connection->name != NULL ? connection->name : "";
    char *group = g_strconcat(CONFIG_GROUP_PREFIX, name, NULL);
    if (config_group_connection_name(&problems, group) != NULL) {
        const char *values[G_N_ELEMENTS(key_rules)];
        struct config_pair pairs[G_N_ELEMENTS(key_rules)];
        size_t count = 0;
        config_connection_values(connection, values);
        for (size_t i = 0; i < G_N_ELEMENTS(key_rules); i++) {
            if (values[i] != NULL)
                pairs[count++] = (struct config_pair){(char *)key_rules[i].key, (char *)values[i]};
        }
        connection_config_free(config_check_connection(&problems, name, pairs, count));
    }
    g_free(group);
    return config_problems_finish(&problems, error);
}
