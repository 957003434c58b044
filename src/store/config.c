/*
 * store: config.ini — read with GKeyFile, checked by config_check.c, written
 * back atomically with the user's comments. Never holds a secret: struct
 * connection_config has no field for one and keys that look like one are
 * refused before their value is read.
 */
#include <portalctl/config.h>

#include <string.h>

#include "config_check.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

/* ---- reading ------------------------------------------------------------- */

static struct config *config_alloc(const char *path)
{
    struct config *config = g_new0(struct config, 1);
    config->path = g_strdup(path);
    config->connections = g_ptr_array_new_with_free_func((GDestroyNotify)connection_config_free);
    config->keyfile = g_key_file_new();
    return config;
}

/* GKeyFile's own words ("cannot be interpreted") do not say what to fix. */
static const char *unreadable_value_reason(const GError *error)
{
    if (g_error_matches(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE))
        return "has a backslash sequence GKeyFile cannot read (only \\s \\n \\t \\r and "
               "\\\\ are allowed; write \\\\ for a backslash)";
    return error->message;
}

static struct config_pair *read_pairs(struct config_problems *problems, GKeyFile *keyfile,
                                      const char *group, const char *name, size_t *count)
{
    gsize n = 0;
    char **keys = g_key_file_get_keys(keyfile, group, &n, NULL);
    struct config_pair *pairs = g_new0(struct config_pair, n + 1);
    for (gsize i = 0; i < n; i++) {
        pairs[i].key = keys[i];
        if (config_key_is_secret_like(keys[i]))
            continue; /* never even read a value that may be a secret */
        GError *error = NULL;
        pairs[i].value = g_key_file_get_string(keyfile, group, keys[i], &error);
        if (error != NULL && config_key_is_known(keys[i]))
            config_problem_at_key(problems, name, keys[i], "%s", unreadable_value_reason(error));
        g_clear_error(&error);
    }
    g_free(keys); /* the strings now belong to pairs */
    *count = n;
    return pairs;
}

static void free_pairs(struct config_pair *pairs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        g_free(pairs[i].key);
        g_free(pairs[i].value);
    }
    g_free(pairs);
}

static void load_connections(struct config *config, struct config_problems *problems)
{
    char **groups = g_key_file_get_groups(config->keyfile, NULL);
    for (int i = 0; groups[i] != NULL; i++) {
        const char *name = config_group_connection_name(problems, groups[i]);
        if (name == NULL)
            continue;
        size_t count = 0;
        struct config_pair *pairs = read_pairs(problems, config->keyfile, groups[i], name, &count);
        struct connection_config *connection =
            config_check_connection(problems, name, pairs, count);
        if (connection != NULL)
            g_ptr_array_add(config->connections, connection);
        free_pairs(pairs, count);
    }
    g_strfreev(groups);
}

static bool parse_text(struct config *config, const char *text, size_t length, GError **error)
{
    struct config_line_index index;
    struct config_problems problems;
    config_line_index_init(&index);
    config_problems_init(&problems, config->path, &index);
    if (memchr(text, '\0', length) != NULL)
        config_problem_add(&problems, 0, "contains a NUL byte; this is not a text file");
    else if (config_scan_text(&problems, &index, text)) {
        GError *parse_error = NULL;
        GKeyFileFlags flags = G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS;
        if (g_key_file_load_from_data(config->keyfile, text, length, flags, &parse_error))
            load_connections(config, &problems);
        else
            config_problem_add(&problems, 0, "%s", parse_error->message);
        g_clear_error(&parse_error);
    }
    bool ok = config_problems_finish(&problems, error);
    config_line_index_clear(&index);
    return ok;
}

char *config_default_path(void)
{
    char *dir = store_config_dir();
    char *path = g_build_filename(dir, "config.ini", NULL);
    g_free(dir);
    return path;
}

struct config *config_new(const char *path)
{
    return config_alloc(path);
}

struct config *config_load(const char *path, GError **error)
{
    char *default_path = path == NULL ? config_default_path() : NULL;
    struct config *config = config_alloc(path != NULL ? path : default_path);
    g_free(default_path);
    char *text = NULL;
    size_t length = 0;
    GError *read_error = NULL;
    if (!store_read_file(config->path, CONFIG_MAX_SIZE, &text, &length, &read_error)) {
        bool missing_default =
            path == NULL && g_error_matches(read_error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
        if (missing_default) {
            g_error_free(read_error);
            return config;
        }
        g_propagate_error(error, read_error);
        config_free(config);
        return NULL;
    }
    config->file_existed = true;
    bool ok = parse_text(config, text, length, error);
    g_free(text);
    if (!ok)
        g_clear_pointer(&config, config_free);
    return config;
}

void config_free(struct config *config)
{
    if (config == NULL)
        return;
    g_ptr_array_unref(config->connections);
    g_key_file_free(config->keyfile);
    g_free(config->path);
    g_free(config);
}

const struct connection_config *config_find(const struct config *config, const char *name)
{
    for (guint i = 0; i < config->connections->len; i++) {
        const struct connection_config *connection = config->connections->pdata[i];
        if (strcmp(connection->name, name) == 0)
            return connection;
    }
    return NULL;
}

/* ---- connections as values ----------------------------------------------- */

struct connection_config *connection_config_new(const char *name, enum config_vendor vendor)
{
    struct connection_config *connection = g_new0(struct connection_config, 1);
    connection->name = g_strdup(name);
    connection->vendor = vendor;
    return connection;
}

struct connection_config *connection_config_copy(const struct connection_config *connection)
{
    struct connection_config *copy = connection_config_new(connection->name, connection->vendor);
    copy->url = g_strdup(connection->url);
    copy->accounts_url = g_strdup(connection->accounts_url);
    copy->data_centre = g_strdup(connection->data_centre);
    copy->client_id = g_strdup(connection->client_id);
    copy->ca_file = g_strdup(connection->ca_file);
    copy->read_only = connection->read_only;
    return copy;
}

void connection_config_free(struct connection_config *connection)
{
    if (connection == NULL)
        return;
    g_free(connection->name);
    g_free(connection->url);
    g_free(connection->accounts_url);
    g_free(connection->data_centre);
    g_free(connection->client_id);
    g_free(connection->ca_file);
    g_free(connection);
}

/* ---- changing and writing ------------------------------------------------ */

static void write_group(GKeyFile *keyfile, const struct connection_config *connection)
{
    char *group = g_strconcat(CONFIG_GROUP_PREFIX, connection->name, NULL);
    const char *values[CONFIG_KEY_COUNT];
    config_connection_values(connection, values);
    for (size_t i = 0; i < CONFIG_KEY_COUNT; i++) {
        const char *key = config_key_name(i);
        bool keep_false =
            strcmp(key, "read_only") == 0 && g_key_file_has_key(keyfile, group, key, NULL);
        if (values[i] != NULL)
            g_key_file_set_string(keyfile, group, key, values[i]);
        else if (keep_false)
            g_key_file_set_string(keyfile, group, key, "false");
        else
            g_key_file_remove_key(keyfile, group, key, NULL);
    }
    g_free(group);
}

bool config_set_connection(struct config *config, const struct connection_config *connection,
                           GError **error)
{
    if (!config_validate_connection(connection, error))
        return false;
    write_group(config->keyfile, connection);
    struct connection_config *copy = connection_config_copy(connection);
    for (guint i = 0; i < config->connections->len; i++) {
        struct connection_config *old = config->connections->pdata[i];
        if (strcmp(old->name, connection->name) == 0) {
            config->connections->pdata[i] = copy;
            connection_config_free(old);
            return true;
        }
    }
    g_ptr_array_add(config->connections, copy);
    return true;
}

/* GKeyFile writes a blank line before every group. The comment paragraph right
 * above that blank line describes the group: returns its first line, or `at`
 * when there is none. */
static guint comment_paragraph_above(char **lines, guint at)
{
    if (at == 0 || lines[at - 1][0] != '\0')
        return at;
    guint first = at - 1;
    while (first > 0 && lines[first - 1][0] == '#')
        first--;
    return first < at - 1 ? first : at;
}

/* The lines [start, end) that make up a group in GKeyFile's output: its comment
 * paragraph, header and keys, up to the next group's comment paragraph. */
static void group_extent(char **lines, guint count, guint header, guint *start, guint *end)
{
    bool first_group = true;
    for (guint i = 0; i < header && first_group; i++)
        first_group = lines[i][0] != '[';
    *start = comment_paragraph_above(lines, header);
    if (first_group && *start == 0)
        *start = header; /* the only comment above the first group is the file's */
    guint next = header + 1;
    while (next < count && lines[next][0] != '[')
        next++;
    *end = next < count ? comment_paragraph_above(lines, next) : count;
    if (next == count) {
        while (*start > 0 && lines[*start - 1][0] == '\0')
            (*start)--; /* no blank lines left dangling at the end */
    }
}

/* GKeyFile files the comment above a group under the group before it, so its
 * remove_group() keeps the removed group's comment and drops the next group's.
 * Cut the group out of GKeyFile's own text instead and read that back. */
static void remove_group_with_comments(GKeyFile *keyfile, const char *group)
{
    gsize length = 0;
    char *text = g_key_file_to_data(keyfile, &length, NULL);
    char **lines = g_strsplit(text, "\n", -1);
    guint count = g_strv_length(lines), header = 0, start = 0, end = 0;
    if (count > 0 && lines[count - 1][0] == '\0')
        count--; /* the text ends with a newline */
    char *wanted = g_strdup_printf("[%s]", group);
    while (header < count && strcmp(lines[header], wanted) != 0)
        header++;
    g_free(wanted);
    GString *kept = g_string_new(NULL);
    if (header < count)
        group_extent(lines, count, header, &start, &end);
    for (guint i = 0; i < count && header < count; i++) {
        if (i < start || i >= end)
            g_string_append_printf(kept, "%s\n", lines[i]);
    }
    GKeyFileFlags flags = G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS;
    if (header == count || !g_key_file_load_from_data(keyfile, kept->str, kept->len, flags, NULL)) {
        /* not expected with GKeyFile's own text; fall back to its way */
        g_key_file_load_from_data(keyfile, text, length, flags, NULL);
        g_key_file_remove_group(keyfile, group, NULL);
    }
    g_string_free(kept, TRUE);
    g_strfreev(lines);
    g_free(text);
}

bool config_remove_connection(struct config *config, const char *name, GError **error)
{
    for (guint i = 0; i < config->connections->len; i++) {
        const struct connection_config *connection = config->connections->pdata[i];
        if (strcmp(connection->name, name) == 0) {
            char *group = g_strconcat(CONFIG_GROUP_PREFIX, name, NULL);
            remove_group_with_comments(config->keyfile, group);
            g_free(group);
            g_ptr_array_remove_index(config->connections, i);
            return true;
        }
    }
    g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s: no connection named \"%s\"",
                config->path, name);
    return false;
}

bool config_save(const struct config *config, GError **error)
{
    gsize length = 0;
    char *text = g_key_file_to_data(config->keyfile, &length, NULL);
    bool ok = store_replace_file(config->path, text, length, error);
    g_free(text);
    return ok;
}
