/*
 * store: portals.json — the portals known per connection. A file that does not
 * read as state is moved aside, never overwritten; no secrets here.
 */
#include <portalctl/state.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define STATE_MAX_SIZE   (64 * 1024 * 1024)
#define MOVE_ASIDE_TRIES 100

struct state {
    char *path;
    char *notice;            /* set when a corrupt file was moved aside */
    GHashTable *connections; /* connection name -> GPtrArray of struct known_portal * */
};

static const char *const origin_names[] = {
    [PORTAL_ORIGIN_CREATED] = "created",
    [PORTAL_ORIGIN_ADDED] = "added",
};

/* ---- values -------------------------------------------------------------- */

const char *portal_origin_name(enum portal_origin origin)
{
    return (size_t)origin < G_N_ELEMENTS(origin_names) ? origin_names[origin] : "added";
}

static bool origin_from_name(const char *name, enum portal_origin *origin)
{
    for (size_t i = 0; i < G_N_ELEMENTS(origin_names); i++) {
        if (strcmp(name, origin_names[i]) == 0) {
            *origin = (enum portal_origin)i;
            return true;
        }
    }
    return false;
}

struct known_portal *known_portal_new(const char *id, const char *name, const char *custom_domain,
                                      enum portal_origin origin)
{
    struct known_portal *portal = g_new0(struct known_portal, 1);
    portal->id = g_strdup(id);
    portal->name = g_strdup(name);
    portal->custom_domain = g_strdup(custom_domain);
    portal->origin = origin;
    return portal;
}

struct known_portal *known_portal_copy(const struct known_portal *portal)
{
    return known_portal_new(portal->id, portal->name, portal->custom_domain, portal->origin);
}

void known_portal_free(struct known_portal *portal)
{
    if (portal == NULL)
        return;
    g_free(portal->id);
    g_free(portal->name);
    g_free(portal->custom_domain);
    g_free(portal);
}

static GPtrArray *portal_list_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)known_portal_free);
}

static struct state *state_alloc(const char *path)
{
    struct state *state = g_new0(struct state, 1);
    state->path = g_strdup(path);
    state->connections =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    return state;
}

static struct known_portal *find_portal(GPtrArray *portals, const char *id, guint *index)
{
    for (guint i = 0; portals != NULL && i < portals->len; i++) {
        struct known_portal *portal = portals->pdata[i];
        if (strcmp(portal->id, id) == 0) {
            if (index != NULL)
                *index = i;
            return portal;
        }
    }
    return NULL;
}

/* The one place a portal enters the state, from the file or from the caller. */
static void put_portal(struct state *state, const char *connection,
                       const struct known_portal *portal)
{
    GPtrArray *portals = g_hash_table_lookup(state->connections, connection);
    if (portals == NULL) {
        portals = portal_list_new();
        g_hash_table_insert(state->connections, g_strdup(connection), portals);
    }
    struct known_portal *known = find_portal(portals, portal->id, NULL);
    if (known == NULL) {
        g_ptr_array_add(portals, known_portal_copy(portal));
        return;
    }
    g_free(known->name);
    g_free(known->custom_domain);
    known->name = g_strdup(portal->name);
    known->custom_domain = g_strdup(portal->custom_domain);
}

/* ---- reading the file ---------------------------------------------------- */

/* A string member, absent or null allowed unless required. false: wrong type. */
static bool optional_string(json_object *object, const char *key, bool required, const char **value)
{
    json_object *member = NULL;
    *value = NULL;
    if (!json_object_object_get_ex(object, key, &member) || member == NULL)
        return !required;
    if (!json_object_is_type(member, json_type_string))
        return false;
    *value = json_object_get_string(member);
    return !required || (*value)[0] != '\0';
}

static bool read_entry(struct state *state, const char *connection, json_object *entry,
                       size_t index, GString *why)
{
    const char *id = NULL, *name = NULL, *domain = NULL, *known_by = NULL;
    enum portal_origin origin = PORTAL_ORIGIN_ADDED;
    const char *problem = NULL;
    if (!json_object_is_type(entry, json_type_object))
        problem = "is not an object";
    else if (!optional_string(entry, "id", true, &id))
        problem = "\"id\" is missing or not a non-empty string";
    else if (!optional_string(entry, "name", false, &name))
        problem = "\"name\" is not a string";
    else if (!optional_string(entry, "custom_domain", false, &domain))
        problem = "\"custom_domain\" is not a string";
    else if (!optional_string(entry, "known_by", true, &known_by) ||
             !origin_from_name(known_by, &origin))
        problem = "\"known_by\" must be \"created\" or \"added\"";
    if (problem != NULL) {
        g_string_printf(why, "connections[\"%s\"][%zu]: %s", connection, index, problem);
        return false;
    }
    struct known_portal portal = {(char *)id, (char *)name, (char *)domain, origin};
    put_portal(state, connection, &portal);
    return true;
}

static bool read_connections(struct state *state, json_object *connections, GString *why)
{
    if (!json_object_is_type(connections, json_type_object)) {
        g_string_assign(why, "\"connections\" is missing or not an object");
        return false;
    }
    json_object_object_foreach(connections, connection, portals)
    {
        if (!json_object_is_type(portals, json_type_array)) {
            g_string_printf(why, "connections[\"%s\"] is not an array", connection);
            return false;
        }
        for (size_t i = 0; i < json_object_array_length(portals); i++) {
            if (!read_entry(state, connection, json_object_array_get_idx(portals, i), i, why))
                return false;
        }
    }
    return true;
}

static int line_of_offset(const char *text, size_t offset)
{
    int line = 1;
    for (size_t i = 0; i < offset && text[i] != '\0'; i++)
        line += text[i] == '\n';
    return line;
}

static json_object *parse_json(const char *text, size_t length, GString *why)
{
    json_tokener *tokener = json_tokener_new();
    json_object *root = json_tokener_parse_ex(tokener, text, (int)length);
    enum json_tokener_error status = json_tokener_get_error(tokener);
    size_t end = json_tokener_get_parse_end(tokener);
    if (root == NULL && status == json_tokener_continue)
        g_string_assign(why, "not valid JSON: the text ends too early");
    else if (root == NULL)
        g_string_printf(why, "not valid JSON at line %d: %s", line_of_offset(text, end),
                        json_tokener_error_desc(status));
    else {
        while (end < length && g_ascii_isspace(text[end]))
            end++;
        if (end < length) {
            g_string_printf(why, "not valid JSON at line %d: text after the end",
                            line_of_offset(text, end));
            g_clear_pointer(&root, json_object_put);
        }
    }
    json_tokener_free(tokener);
    return root;
}

/* 0: fine; -1: corrupt (why says so); 1: from a newer portalctl (why says so). */
static int read_state(struct state *state, const char *text, size_t length, GString *why)
{
    if (length == 0) {
        g_string_assign(why, "the file is empty");
        return -1;
    }
    json_object *root = parse_json(text, length, why);
    if (root == NULL)
        return -1;
    json_object *version = NULL, *connections = NULL;
    int result = 0;
    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "version", &version) ||
        !json_object_is_type(version, json_type_int) || json_object_get_int(version) < 1) {
        g_string_assign(why, "not a portalctl state file (no \"version\" number)");
        result = -1;
    } else if (json_object_get_int(version) > STATE_VERSION) {
        g_string_printf(why, "written by a newer portalctl (state version %d, this one knows %d)",
                        json_object_get_int(version), STATE_VERSION);
        result = 1;
    } else {
        json_object_object_get_ex(root, "connections", &connections);
        result = read_connections(state, connections, why) ? 0 : -1;
    }
    json_object_put(root);
    return result;
}

/* Renames without replacing anything (two corrupt files in one second). */
static bool rename_no_replace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return true;
    if (errno != EINVAL && errno != ENOSYS)
        return false;
    /* The file system has no RENAME_NOREPLACE: check, then rename. */
    if (g_file_test(to, G_FILE_TEST_EXISTS)) {
        errno = EEXIST;
        return false;
    }
    return rename(from, to) == 0;
}

static char *move_aside(const char *path, GError **error)
{
    GDateTime *now = g_date_time_new_now_utc();
    char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
    g_date_time_unref(now);
    char *target = NULL;
    int saved = 0;
    for (int attempt = 1; attempt <= MOVE_ASIDE_TRIES; attempt++) {
        target = attempt == 1 ? g_strdup_printf("%s.corrupt-%s", path, stamp)
                              : g_strdup_printf("%s.corrupt-%s-%d", path, stamp, attempt);
        if (rename_no_replace(path, target))
            break;
        saved = errno;
        g_clear_pointer(&target, g_free);
        if (saved != EEXIST)
            break;
    }
    g_free(stamp);
    if (target == NULL)
        g_set_error(error, STORE_ERROR, STORE_ERROR_CORRUPT, "%s", g_strerror(saved));
    return target;
}

static bool handle_corrupt(struct state *state, const char *why, GError **error)
{
    GError *move_error = NULL;
    char *moved_to = move_aside(state->path, &move_error);
    if (moved_to == NULL) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_CORRUPT,
                    "%s: %s, and it could not be moved aside (%s); fix or move it by hand",
                    state->path, why, move_error->message);
        g_error_free(move_error);
        return false;
    }
    g_hash_table_remove_all(state->connections); /* nothing half-read survives */
    state->notice = g_strdup_printf("%s: %s. It was moved to %s and portalctl starts with no "
                                    "known portals; their ids are in that file, so they can be "
                                    "added again",
                                    state->path, why, moved_to);
    g_free(moved_to);
    return true;
}

/* ---- public -------------------------------------------------------------- */

char *state_default_path(void)
{
    char *dir = store_state_dir();
    char *path = g_build_filename(dir, "portals.json", NULL);
    g_free(dir);
    return path;
}

struct state *state_load(const char *path, GError **error)
{
    char *default_path = path == NULL ? state_default_path() : NULL;
    struct state *state = state_alloc(path != NULL ? path : default_path);
    g_free(default_path);
    char *text = NULL;
    size_t length = 0;
    GError *read_error = NULL;
    if (!store_read_file(state->path, STATE_MAX_SIZE, &text, &length, &read_error)) {
        if (g_error_matches(read_error, STORE_ERROR, STORE_ERROR_NOT_FOUND)) {
            g_error_free(read_error);
            return state;
        }
        g_propagate_error(error, read_error);
        state_free(state);
        return NULL;
    }
    GString *why = g_string_new(NULL);
    int verdict = read_state(state, text, length, why);
    bool ok = verdict == 0;
    if (verdict > 0)
        g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
                    "%s: %s; refusing to read or change it", state->path, why->str);
    else if (verdict < 0)
        ok = handle_corrupt(state, why->str, error);
    g_string_free(why, TRUE);
    g_free(text);
    if (!ok)
        g_clear_pointer(&state, state_free);
    return state;
}

void state_free(struct state *state)
{
    if (state == NULL)
        return;
    g_hash_table_destroy(state->connections);
    g_free(state->notice);
    g_free(state->path);
    g_free(state);
}

const char *state_path(const struct state *state)
{
    return state->path;
}

const char *state_notice(const struct state *state)
{
    return state->notice;
}

bool state_put_portal(struct state *state, const char *connection,
                      const struct known_portal *portal, GError **error)
{
    if (connection == NULL || connection[0] == '\0' || portal->id == NULL ||
        portal->id[0] == '\0') {
        g_set_error_literal(error, STORE_ERROR, STORE_ERROR_INVALID,
                            "a known portal needs a connection name and a portal id");
        return false;
    }
    put_portal(state, connection, portal);
    return true;
}

bool state_remove_portal(struct state *state, const char *connection, const char *portal_id)
{
    GPtrArray *portals = g_hash_table_lookup(state->connections, connection);
    guint index = 0;
    if (find_portal(portals, portal_id, &index) == NULL)
        return false;
    g_ptr_array_remove_index(portals, index);
    if (portals->len == 0)
        g_hash_table_remove(state->connections, connection);
    return true;
}

void state_forget_connection(struct state *state, const char *connection)
{
    g_hash_table_remove(state->connections, connection);
}

GPtrArray *state_list_portals(const struct state *state, const char *connection)
{
    GPtrArray *copies = portal_list_new();
    GPtrArray *portals = g_hash_table_lookup(state->connections, connection);
    for (guint i = 0; portals != NULL && i < portals->len; i++)
        g_ptr_array_add(copies, known_portal_copy(portals->pdata[i]));
    return copies;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **state_connections(const struct state *state)
{
    guint count = 0;
    char **names = (char **)g_hash_table_get_keys_as_array(state->connections, &count);
    char **copies = g_new0(char *, count + 1);
    for (guint i = 0; i < count; i++)
        copies[i] = g_strdup(names[i]);
    g_free(names);
    qsort(copies, count, sizeof(char *), compare_names);
    return copies;
}

/* ---- writing ------------------------------------------------------------- */

static json_object *optional_json_string(const char *value)
{
    return value != NULL ? json_object_new_string(value) : NULL;
}

static json_object *portal_to_json(const struct known_portal *portal)
{
    json_object *entry = json_object_new_object();
    json_object_object_add(entry, "id", json_object_new_string(portal->id));
    json_object_object_add(entry, "name", optional_json_string(portal->name));
    json_object_object_add(entry, "custom_domain", optional_json_string(portal->custom_domain));
    json_object_object_add(entry, "known_by",
                           json_object_new_string(portal_origin_name(portal->origin)));
    return entry;
}

static json_object *state_to_json(const struct state *state)
{
    json_object *root = json_object_new_object();
    json_object *connections = json_object_new_object();
    json_object_object_add(root, "version", json_object_new_int(STATE_VERSION));
    char **names = state_connections(state);
    for (int i = 0; names[i] != NULL; i++) {
        GPtrArray *portals = g_hash_table_lookup(state->connections, names[i]);
        json_object *list = json_object_new_array();
        for (guint j = 0; j < portals->len; j++)
            json_object_array_add(list, portal_to_json(portals->pdata[j]));
        json_object_object_add(connections, names[i], list);
    }
    g_strfreev(names);
    json_object_object_add(root, "connections", connections);
    return root;
}

bool state_save(const struct state *state, GError **error)
{
    json_object *root = state_to_json(state);
    const char *json = json_object_to_json_string_ext(
        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *text = g_strconcat(json, "\n", NULL);
    bool ok = store_replace_file(state->path, text, strlen(text), error);
    g_free(text);
    json_object_put(root);
    return ok;
}
