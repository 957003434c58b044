/*
 * store: secrets in the Secret Service (libsecret) or, when the user chose it,
 * in this process's memory. Never in a file, never in a message: errors name
 * the connection and the kind, not the value.
 */
#include <portalctl/secrets.h>

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <gio/gio.h>
#include <libsecret/secret.h>

/* xdg:schema is matched too (SECRET_SCHEMA_NONE, not DONT_MATCH_NAME), so
 * another program's items with the same attribute names are never touched. */
static const SecretSchema credential_schema = {
    .name = "io.portalctl.Credential",
    .flags = SECRET_SCHEMA_NONE,
    .attributes =
        {
            {"connection", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"kind", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {NULL, 0},
        },
};

static const char *const kind_names[SECRET_KIND_COUNT] = {
    [SECRET_KIND_API_KEY] = "api-key",
    [SECRET_KIND_CLIENT_SECRET] = "client-secret",
    [SECRET_KIND_REFRESH_TOKEN] = "refresh-token",
    [SECRET_KIND_ACCESS_TOKEN] = "access-token",
};

static const char missing_advice[] =
    "portalctl never writes secrets to files: start a keyring such as gnome-keyring, or run "
    "portalctl --session-secrets to keep secrets in memory until it exits";

struct secrets {
    enum secrets_backend backend;
    GMutex lock;           /* session backend: lookups may come from a helper thread */
    GHashTable *in_memory; /* session backend: "connection\nkind" -> secret */
};

GQuark secrets_error_quark(void)
{
    return g_quark_from_static_string("portalctl-secrets-error-quark");
}

/* ---- names --------------------------------------------------------------- */

const char *secret_kind_name(enum secret_kind kind)
{
    return (unsigned)kind < SECRET_KIND_COUNT ? kind_names[kind] : NULL;
}

bool secret_kind_from_name(const char *name, enum secret_kind *kind)
{
    for (unsigned i = 0; i < SECRET_KIND_COUNT; i++) {
        if (name != NULL && strcmp(name, kind_names[i]) == 0) {
            *kind = (enum secret_kind)i;
            return true;
        }
    }
    return false;
}

/* ---- memory -------------------------------------------------------------- */

void secret_wipe(char *value)
{
    if (value != NULL)
        explicit_bzero(value, strlen(value));
}

void secret_value_free(char *value)
{
    secret_wipe(value);
    g_free(value);
}

bool secrets_protect_process(GError **error)
{
    const struct rlimit no_core = {0, 0};
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &no_core) != 0) {
        int saved = errno;
        g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_PROTECT,
                    "cannot disable core dumps before holding secrets: %s", g_strerror(saved));
        return false;
    }
    return true;
}

/* ---- errors -------------------------------------------------------------- */

static bool means_no_service(const GError *error)
{
    static const int absent[] = {
        G_DBUS_ERROR_SERVICE_UNKNOWN,
        G_DBUS_ERROR_NAME_HAS_NO_OWNER,
        G_DBUS_ERROR_NO_SERVER,
        G_DBUS_ERROR_SPAWN_EXEC_FAILED,
        G_DBUS_ERROR_SPAWN_FAILED,
        G_DBUS_ERROR_SPAWN_CHILD_EXITED,
        G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND,
        G_DBUS_ERROR_DISCONNECTED,
        G_DBUS_ERROR_FILE_NOT_FOUND,
    };
    if (error->domain == G_IO_ERROR && error->code != G_IO_ERROR_CANCELLED)
        return true; /* the session bus itself cannot be reached */
    for (size_t i = 0; i < G_N_ELEMENTS(absent); i++) {
        if (g_error_matches(error, G_DBUS_ERROR, absent[i]))
            return true;
    }
    return false;
}

static char *plain_detail(const GError *error)
{
    GError *copy = g_error_copy(error);
    g_dbus_error_strip_remote_error(copy);
    char *detail = g_strdup(copy->message);
    g_error_free(copy);
    return detail;
}

static void set_missing_error(GError **error, const GError *cause)
{
    char *detail = plain_detail(cause);
    g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_NO_SERVICE,
                "No Secret Service answers on this desktop session (%s). %s.", detail,
                missing_advice);
    g_free(detail);
}

/* Turns a libsecret failure into one of ours. `what` names the secret ("the
 * api-key of \"acme\""), never its value. */
static void set_service_error(GError **error, const GError *cause, const char *doing,
                              const char *what)
{
    if (means_no_service(cause)) {
        set_missing_error(error, cause);
        return;
    }
    bool locked = g_error_matches(cause, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
                  g_error_matches(cause, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    if (locked) {
        g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_LOCKED,
                    "The keyring is locked, so %s cannot be %s; unlock it with your keyring "
                    "tool and try again",
                    what, doing);
        return;
    }
    char *detail = plain_detail(cause);
    g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_SERVICE,
                "The Secret Service failed: %s was not %s (%s)", what, doing, detail);
    g_free(detail);
}

static char *describe(const char *connection, const char *kind_name)
{
    if (kind_name == NULL)
        return g_strdup_printf("the secrets of \"%s\"", connection);
    return g_strdup_printf("the %s of \"%s\"", kind_name, connection);
}

static void set_keyring_error(GError **error, const GError *cause, const char *doing,
                              const char *connection, const char *kind_name)
{
    char *what = describe(connection, kind_name);
    set_service_error(error, cause, doing, what);
    g_free(what);
}

/* D-Bus only carries UTF-8; a bad string would abort inside GDBus. */
static bool check_arguments(const char *connection, enum secret_kind kind, const char *value,
                            GError **error)
{
    const char *problem = NULL;
    if (connection == NULL || connection[0] == '\0' || !g_utf8_validate(connection, -1, NULL))
        problem = "the connection name is empty or not UTF-8 text";
    else if (secret_kind_name(kind) == NULL)
        problem = "unknown kind of secret";
    else if (value != NULL && value[0] == '\0')
        problem = "the secret is empty";
    else if (value != NULL && !g_utf8_validate(value, -1, NULL))
        problem = "the secret is not UTF-8 text";
    if (problem != NULL)
        g_set_error_literal(error, SECRETS_ERROR, SECRETS_ERROR_INVALID, problem);
    return problem == NULL;
}

/* ---- probe --------------------------------------------------------------- */

/* libsecret 0.20 needs a real SecretService for the alias call (NULL asserts). */
static SecretCollection *default_collection(GError **cause)
{
    SecretService *service = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, cause);
    if (service == NULL)
        return NULL;
    SecretCollection *collection = secret_collection_for_alias_sync(
        service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, NULL, cause);
    g_object_unref(service);
    return collection;
}

enum secrets_service_state secrets_probe(GError **error)
{
    GError *cause = NULL;
    SecretCollection *collection = default_collection(&cause);
    if (cause != NULL) {
        bool missing = means_no_service(cause);
        if (missing)
            set_missing_error(error, cause);
        g_error_free(cause);
        return missing ? SECRETS_SERVICE_MISSING : SECRETS_SERVICE_LOCKED;
    }
    /* No default collection yet: the first store asks the user to create one. */
    bool locked = collection == NULL || secret_collection_get_locked(collection);
    if (collection != NULL)
        g_object_unref(collection);
    return locked ? SECRETS_SERVICE_LOCKED : SECRETS_SERVICE_READY;
}

/* ---- the keyring backend ------------------------------------------------- */

static bool keyring_store(const char *connection, enum secret_kind kind, const char *value,
                          GError **error)
{
    char *label = g_strdup_printf("portalctl: %s %s", connection, secret_kind_name(kind));
    GError *cause = NULL;
    secret_password_store_sync(&credential_schema, SECRET_COLLECTION_DEFAULT, label, value, NULL,
                               &cause, "connection", connection, "kind", secret_kind_name(kind),
                               NULL);
    g_free(label);
    if (cause == NULL)
        return true;
    set_keyring_error(error, cause, "stored", connection, secret_kind_name(kind));
    g_error_free(cause);
    return false;
}

/* libsecret skips locked items silently (after a failed unlock prompt): tell
 * "nothing stored" from "stored but locked". kind_name NULL: any kind. */
static bool locked_item_exists(const char *connection, const char *kind_name)
{
    GList *items =
        kind_name != NULL
            ? secret_password_search_sync(&credential_schema, SECRET_SEARCH_ALL, NULL, NULL,
                                          "connection", connection, "kind", kind_name, NULL)
            : secret_password_search_sync(&credential_schema, SECRET_SEARCH_ALL, NULL, NULL,
                                          "connection", connection, NULL);
    bool locked = false;
    for (GList *item = items; item != NULL; item = item->next)
        locked |= secret_item_get_locked(item->data);
    g_list_free_full(items, g_object_unref);
    return locked;
}

static void set_locked_error(GError **error, const char *doing, const char *connection,
                             const char *kind_name)
{
    GError *cause = g_error_new_literal(SECRET_ERROR, SECRET_ERROR_IS_LOCKED, "locked");
    set_keyring_error(error, cause, doing, connection, kind_name);
    g_error_free(cause);
}

static char *keyring_lookup(const char *connection, enum secret_kind kind, GError **error)
{
    GError *cause = NULL;
    char *found = secret_password_lookup_sync(&credential_schema, NULL, &cause, "connection",
                                              connection, "kind", secret_kind_name(kind), NULL);
    if (cause != NULL) {
        set_keyring_error(error, cause, "read", connection, secret_kind_name(kind));
        g_error_free(cause);
        return NULL;
    }
    if (found == NULL) {
        if (locked_item_exists(connection, secret_kind_name(kind)))
            set_locked_error(error, "read", connection, secret_kind_name(kind));
        return NULL;
    }
    /* libsecret may hand out its own secure memory: copy into ours so that one
     * free function fits both backends, and wipe libsecret's copy now. */
    char *copy = g_strdup(found);
    secret_password_free(found);
    return copy;
}

/* kind_name NULL: every kind of the connection. */
static bool keyring_clear(const char *connection, const char *kind_name, bool *removed,
                          GError **error)
{
    GError *cause = NULL;
    gboolean done = kind_name != NULL
                        ? secret_password_clear_sync(&credential_schema, NULL, &cause, "connection",
                                                     connection, "kind", kind_name, NULL)
                        : secret_password_clear_sync(&credential_schema, NULL, &cause, "connection",
                                                     connection, NULL);
    if (cause != NULL) {
        set_keyring_error(error, cause, "removed", connection, kind_name);
        g_error_free(cause);
        return false;
    }
    if (!done && locked_item_exists(connection, kind_name)) {
        set_locked_error(error, "removed", connection, kind_name);
        return false;
    }
    if (removed != NULL)
        *removed = done;
    return true;
}

/* ---- the session-only backend -------------------------------------------- */

static char *memory_key(const char *connection, enum secret_kind kind)
{
    return g_strconcat(connection, "\n", secret_kind_name(kind), NULL);
}

static void memory_store(struct secrets *secrets, const char *connection, enum secret_kind kind,
                         const char *value)
{
    g_mutex_lock(&secrets->lock);
    g_hash_table_replace(secrets->in_memory, memory_key(connection, kind), g_strdup(value));
    g_mutex_unlock(&secrets->lock);
}

static char *memory_lookup(struct secrets *secrets, const char *connection, enum secret_kind kind)
{
    char *key = memory_key(connection, kind);
    g_mutex_lock(&secrets->lock);
    char *copy = g_strdup(g_hash_table_lookup(secrets->in_memory, key));
    g_mutex_unlock(&secrets->lock);
    g_free(key);
    return copy;
}

static bool memory_clear(struct secrets *secrets, const char *connection, enum secret_kind kind)
{
    char *key = memory_key(connection, kind);
    g_mutex_lock(&secrets->lock);
    bool removed = g_hash_table_remove(secrets->in_memory, key);
    g_mutex_unlock(&secrets->lock);
    g_free(key);
    return removed;
}

/* ---- the public calls ---------------------------------------------------- */

struct secrets *secrets_open(enum secrets_backend backend, GError **error)
{
    if (!secrets_protect_process(error))
        return NULL;
    struct secrets *secrets = g_new0(struct secrets, 1);
    secrets->backend = backend;
    g_mutex_init(&secrets->lock);
    secrets->in_memory =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)secret_value_free);
    return secrets;
}

enum secrets_backend secrets_backend_of(const struct secrets *secrets)
{
    return secrets->backend;
}

void secrets_close(struct secrets *secrets)
{
    if (secrets == NULL)
        return;
    g_hash_table_destroy(secrets->in_memory); /* wipes every value */
    g_mutex_clear(&secrets->lock);
    g_free(secrets);
}

bool secrets_store(struct secrets *secrets, const char *connection, enum secret_kind kind,
                   const char *value, GError **error)
{
    if (value == NULL) {
        g_set_error_literal(error, SECRETS_ERROR, SECRETS_ERROR_INVALID, "the secret is empty");
        return false;
    }
    if (!check_arguments(connection, kind, value, error))
        return false;
    if (secrets->backend == SECRETS_BACKEND_KEYRING)
        return keyring_store(connection, kind, value, error);
    memory_store(secrets, connection, kind, value);
    return true;
}

char *secrets_lookup(struct secrets *secrets, const char *connection, enum secret_kind kind,
                     GError **error)
{
    if (!check_arguments(connection, kind, NULL, error))
        return NULL;
    if (secrets->backend == SECRETS_BACKEND_KEYRING)
        return keyring_lookup(connection, kind, error);
    return memory_lookup(secrets, connection, kind);
}

bool secrets_clear(struct secrets *secrets, const char *connection, enum secret_kind kind,
                   bool *removed, GError **error)
{
    if (!check_arguments(connection, kind, NULL, error))
        return false;
    if (secrets->backend == SECRETS_BACKEND_KEYRING)
        return keyring_clear(connection, secret_kind_name(kind), removed, error);
    bool was_there = memory_clear(secrets, connection, kind);
    if (removed != NULL)
        *removed = was_there;
    return true;
}

bool secrets_clear_connection(struct secrets *secrets, const char *connection, GError **error)
{
    if (!check_arguments(connection, SECRET_KIND_API_KEY, NULL, error))
        return false;
    if (secrets->backend == SECRETS_BACKEND_SESSION) {
        for (unsigned kind = 0; kind < SECRET_KIND_COUNT; kind++)
            memory_clear(secrets, connection, (enum secret_kind)kind);
        return true;
    }
    return keyring_clear(connection, NULL, NULL, error);
}
