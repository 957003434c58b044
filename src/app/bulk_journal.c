/*
 * bulk journal (see bulk_journal.h): an append-only JSON-lines file, read
 * once at open into a table of the latest entry per key, then appended to
 * with one write() per event (O_APPEND) and synced in groups by the caller.
 */
#include <portalctl/bulk_journal.h>
#include <portalctl/store_files.h>
#include <portalctl/text.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#define JOURNAL_VERSION      1
#define JOURNAL_MAX_BYTES    ((size_t)512 * 1024 * 1024)
#define JOURNAL_BUFFER_BYTES (64 * 1024)

struct bulk_journal {
    char *path;
    int fd;
    GHashTable *entries; /* key -> struct bulk_journal_entry * (latest) */
    GHashTable *reported_runs;
    GString *buffer; /* events appended and not yet written */
    bool dirty;      /* written since the last sync */
    /* The last second formatted, "2026-11-30T04:57:00": a run appends
     * thousands of events a second, and formatting a date is not cheap. */
    gint64 formatted_second;
    char second_text[32];
};

static const char *const state_names[] = {
    [BULK_ROW_NONE] = "none",     [BULK_ROW_PENDING] = "pending",     [BULK_ROW_DONE] = "done",
    [BULK_ROW_FAILED] = "failed", [BULK_ROW_AMBIGUOUS] = "ambiguous",
};

const char *bulk_row_state_name(enum bulk_row_state state)
{
    return (size_t)state < G_N_ELEMENTS(state_names) ? state_names[state] : "none";
}

bool bulk_row_state_from_name(const char *name, enum bulk_row_state *state)
{
    for (size_t i = 0; name && i < G_N_ELEMENTS(state_names); i++) {
        if (strcmp(state_names[i], name) == 0) {
            *state = (enum bulk_row_state)i;
            return true;
        }
    }
    return false;
}

/* ---- keys and paths ----------------------------------------------------------------- */

static char *sha256_of_parts(const char *const *parts, size_t count)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    for (size_t i = 0; i < count; i++) {
        const char *part = parts[i] ? parts[i] : "";
        /* A length prefix keeps ("ab","c") and ("a","bc") apart. */
        char length[24];
        g_snprintf(length, sizeof(length), "%zu:", strlen(part));
        g_checksum_update(sum, (const guchar *)length, -1);
        g_checksum_update(sum, (const guchar *)part, -1);
    }
    char *hex = g_strdup(g_checksum_get_string(sum));
    g_checksum_free(sum);
    return hex;
}

char *bulk_journal_key(const char *connection, const char *operation, const char *portal,
                       const char *identity)
{
    const char *parts[] = {"portalctl-bulk-row", connection, operation, portal, identity};
    return sha256_of_parts(parts, G_N_ELEMENTS(parts));
}

char *bulk_journal_content_digest(const char *const *keys, const char *const *values, size_t count)
{
    GPtrArray *parts = g_ptr_array_new();
    g_ptr_array_add(parts, "portalctl-bulk-content");
    for (size_t i = 0; i < count; i++) {
        g_ptr_array_add(parts, (gpointer)keys[i]);
        g_ptr_array_add(parts, (gpointer)values[i]);
    }
    char *hex = sha256_of_parts((const char *const *)parts->pdata, parts->len);
    g_ptr_array_unref(parts);
    return hex;
}

char *bulk_journal_default_path(const char *connection, const char *operation, const char *portal,
                                const char *csv_path)
{
    char *absolute = g_canonicalize_filename(csv_path, NULL);
    const char *parts[] = {"portalctl-bulk-journal", connection, operation, portal, absolute};
    char *hash = sha256_of_parts(parts, G_N_ELEMENTS(parts));
    hash[16] = '\0';
    char *dir = store_state_dir();
    char *file = g_strdup_printf("%s-%s-%s.jsonl", operation, connection, hash);
    char *path = g_build_filename(dir, "bulk", file, NULL);
    g_free(file);
    g_free(dir);
    g_free(hash);
    g_free(absolute);
    return path;
}

char *bulk_journal_new_run_id(void)
{
    guint32 random = 0;
    if (getrandom(&random, sizeof(random), 0) != (ssize_t)sizeof(random))
        random = g_random_int();
    GDateTime *now = g_date_time_new_now_utc();
    char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
    char *id = g_strdup_printf("%s-%08x", stamp, random);
    g_free(stamp);
    g_date_time_unref(now);
    return id;
}

/* ---- entries ----------------------------------------------------------------------------- */

static void entry_free(gpointer data)
{
    struct bulk_journal_entry *entry = data;
    if (!entry)
        return;
    g_free(entry->key);
    g_free(entry->outcome);
    g_free(entry->vendor_id);
    g_free(entry->error);
    g_free(entry->run);
    g_free(entry->content);
    g_free(entry);
}

static struct bulk_journal_entry *entry_copy(const struct bulk_journal_entry *src)
{
    struct bulk_journal_entry *copy = g_new0(struct bulk_journal_entry, 1);
    *copy = *src;
    copy->key = g_strdup(src->key);
    copy->outcome = g_strdup(src->outcome);
    copy->vendor_id = g_strdup(src->vendor_id);
    copy->error = g_strdup(src->error);
    copy->run = g_strdup(src->run);
    copy->content = g_strdup(src->content);
    return copy;
}

static const char *string_member(json_object *obj, const char *name)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(obj, name, &value) ||
        !json_object_is_type(value, json_type_string))
        return NULL;
    return json_object_get_string(value);
}

static char *time_text(gint64 time_us)
{
    GDateTime *second = g_date_time_new_from_unix_utc(time_us / G_USEC_PER_SEC);
    GDateTime *when =
        second ? g_date_time_add(second, time_us % G_USEC_PER_SEC) : NULL; /* GLib 2.74 */
    if (second)
        g_date_time_unref(second);
    char *text = when ? g_date_time_format_iso8601(when) : g_strdup("");
    if (when)
        g_date_time_unref(when);
    return text;
}

static gint64 time_of(const char *text)
{
    GDateTime *when = text ? g_date_time_new_from_iso8601(text, NULL) : NULL;
    gint64 us =
        when ? g_date_time_to_unix(when) * G_USEC_PER_SEC + g_date_time_get_microsecond(when) : 0;
    if (when)
        g_date_time_unref(when);
    return us;
}

/* One line read back; false for a line that is not a journal event. */
static bool read_line(struct bulk_journal *journal, const char *line)
{
    json_object *obj = json_tokener_parse(line);
    if (!obj || !json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        return false;
    }
    const char *key = string_member(obj, "key");
    const char *run = string_member(obj, "run");
    const char *event = string_member(obj, "event");
    enum bulk_row_state state = BULK_ROW_NONE;
    bool ok = true;
    if (event && run && strcmp(event, "report") == 0) {
        g_hash_table_add(journal->reported_runs, g_strdup(run));
    } else if (key && bulk_row_state_from_name(string_member(obj, "state"), &state)) {
        json_object *value = NULL;
        struct bulk_journal_entry entry = {
            .key = (char *)key,
            .state = state,
            .outcome = (char *)string_member(obj, "outcome"),
            .vendor_id = (char *)string_member(obj, "id"),
            .error = (char *)string_member(obj, "error"),
            .run = (char *)run,
            .content = (char *)string_member(obj, "content"),
            .time_us = time_of(string_member(obj, "time")),
        };
        if (json_object_object_get_ex(obj, "line", &value))
            entry.line = (unsigned)json_object_get_int(value);
        if (json_object_object_get_ex(obj, "secret", &value))
            entry.secret = json_object_get_boolean(value);
        if (json_object_object_get_ex(obj, "permanent", &value))
            entry.permanent = json_object_get_boolean(value);
        g_hash_table_replace(journal->entries, g_strdup(key), entry_copy(&entry));
    } else {
        ok = false;
    }
    json_object_put(obj);
    return ok;
}

static bool load(struct bulk_journal *journal, GError **error)
{
    char *data = NULL;
    size_t len = 0;
    GError *read_error = NULL;
    if (!store_read_file(journal->path, JOURNAL_MAX_BYTES, &data, &len, &read_error)) {
        bool missing = g_error_matches(read_error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
        if (missing)
            g_clear_error(&read_error);
        else
            g_propagate_error(error, read_error);
        return missing;
    }
    /* Lines that are not events (one cut short by a kill) are skipped: the
     * row they were about is then simply unknown, and checked again. */
    char **lines = g_strsplit(data, "\n", -1);
    for (char **line = lines; *line; line++) {
        if (**line)
            read_line(journal, *line);
    }
    g_strfreev(lines);
    g_free(data);
    return true;
}

/* ---- writing --------------------------------------------------------------------------------- */

static bool write_text(struct bulk_journal *journal, const char *text, size_t len, GError **error)
{
    while (len > 0) {
        ssize_t wrote = write(journal->fd, text, len);
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote < 0) {
            int saved = errno;
            g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot write: %s", journal->path,
                        g_strerror(saved));
            return false;
        }
        text += wrote;
        len -= (size_t)wrote;
    }
    journal->dirty = true;
    return true;
}

/* After a kill mid-line the file may not end with a line break: add one, so
 * the next event is a line of its own. */
static bool end_partial_line(struct bulk_journal *journal, GError **error)
{
    struct stat st;
    char last = '\n';
    if (fstat(journal->fd, &st) != 0 || st.st_size == 0)
        return true;
    if (pread(journal->fd, &last, 1, st.st_size - 1) != 1 || last == '\n')
        return true;
    return write_text(journal, "\n", 1, error);
}

static void append_member(GString *line, const char *name, const char *value)
{
    if (!value)
        return;
    g_string_append(line, ",\"");
    g_string_append(line, name);
    g_string_append(line, "\":");
    text_append_json_string(line, value);
}

/* ISO-8601 UTC with microseconds, "2026-11-30T04:57:00.123456Z" (as time_of reads it). */
static void append_time(struct bulk_journal *journal, GString *line, gint64 time_us)
{
    gint64 second = time_us / G_USEC_PER_SEC;
    if (second != journal->formatted_second || !journal->second_text[0]) {
        GDateTime *when = g_date_time_new_from_unix_utc(second);
        char *text = when ? g_date_time_format(when, "%Y-%m-%dT%H:%M:%S") : NULL;
        g_strlcpy(journal->second_text, text ? text : "", sizeof(journal->second_text));
        journal->formatted_second = second;
        g_free(text);
        if (when)
            g_date_time_unref(when);
    }
    if (!journal->second_text[0])
        return;
    g_string_append(line, ",\"time\":\"");
    g_string_append(line, journal->second_text);
    g_string_append_printf(line, ".%06dZ\"", (int)(time_us % G_USEC_PER_SEC));
}

bool bulk_journal_append(struct bulk_journal *journal, const struct bulk_journal_entry *entry,
                         GError **error)
{
    struct bulk_journal_entry stored = *entry;
    if (!stored.time_us)
        stored.time_us = g_get_real_time();
    GString *line = g_string_sized_new(256);
    g_string_append_printf(line, "{\"v\":%d", JOURNAL_VERSION);
    append_member(line, "key", stored.key);
    g_string_append_printf(line, ",\"line\":%u", stored.line);
    append_member(line, "state", bulk_row_state_name(stored.state));
    append_member(line, "outcome", stored.outcome);
    append_member(line, "id", stored.vendor_id);
    append_member(line, "error", stored.error);
    append_member(line, "run", stored.run);
    if (stored.secret)
        g_string_append(line, ",\"secret\":true");
    if (stored.permanent)
        g_string_append(line, ",\"permanent\":true");
    append_member(line, "content", stored.content);
    append_time(journal, line, stored.time_us);
    g_string_append(line, "}\n");
    g_string_append_len(journal->buffer, line->str, (gssize)line->len);
    g_string_free(line, TRUE);
    g_hash_table_replace(journal->entries, g_strdup(stored.key), entry_copy(&stored));
    /* Written in slabs: one write() per flush, not per event (a write to a
     * page the disk is still writing back waits for it). */
    return journal->buffer->len < JOURNAL_BUFFER_BYTES || bulk_journal_flush(journal, error);
}

bool bulk_journal_flush(struct bulk_journal *journal, GError **error)
{
    if (journal->buffer->len == 0)
        return true;
    bool ok = write_text(journal, journal->buffer->str, journal->buffer->len, error);
    g_string_truncate(journal->buffer, 0);
    return ok;
}

bool bulk_journal_sync(struct bulk_journal *journal, GError **error)
{
    if (!bulk_journal_flush(journal, error))
        return false;
    if (!journal->dirty)
        return true;
    if (fdatasync(journal->fd) != 0) {
        int saved = errno;
        g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot sync: %s", journal->path,
                    g_strerror(saved));
        return false;
    }
    journal->dirty = false;
    return true;
}

bool bulk_journal_mark_report(struct bulk_journal *journal, const char *run, const char *path,
                              GError **error)
{
    char *when = time_text(g_get_real_time());
    GString *line = g_string_new(NULL);
    g_string_append_printf(line, "{\"v\":%d", JOURNAL_VERSION);
    append_member(line, "run", run);
    append_member(line, "event", "report");
    append_member(line, "path", path);
    append_member(line, "time", when);
    g_string_append(line, "}\n");
    g_string_append_len(journal->buffer, line->str, (gssize)line->len);
    bool ok = bulk_journal_sync(journal, error);
    if (ok)
        g_hash_table_add(journal->reported_runs, g_strdup(run));
    g_string_free(line, TRUE);
    g_free(when);
    return ok;
}

/* ---- open and close ----------------------------------------------------------------------------
 */

static bool open_file(struct bulk_journal *journal, GError **error)
{
    char *dir = g_path_get_dirname(journal->path);
    bool ok = store_make_private_dir(dir, error);
    g_free(dir);
    if (!ok)
        return false;
    journal->fd = open(journal->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (journal->fd < 0) {
        int saved = errno;
        g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot open: %s", journal->path,
                    g_strerror(saved));
        return false;
    }
    if (flock(journal->fd, LOCK_EX | LOCK_NB) != 0) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
                    "%s: another portalctl is running this bulk operation now (the journal is "
                    "locked); wait for it to end",
                    journal->path);
        return false;
    }
    return true;
}

struct bulk_journal *bulk_journal_open(const char *path, GError **error)
{
    struct bulk_journal *journal = g_new0(struct bulk_journal, 1);
    journal->path = g_strdup(path);
    journal->fd = -1;
    journal->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
    journal->reported_runs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    journal->buffer = g_string_new(NULL);
    /* Lock first, then read: what is read cannot change under us. */
    if (!open_file(journal, error) || !load(journal, error) || !end_partial_line(journal, error)) {
        bulk_journal_close(journal);
        return NULL;
    }
    return journal;
}

void bulk_journal_close(struct bulk_journal *journal)
{
    if (!journal)
        return;
    if (journal->fd >= 0) {
        bulk_journal_sync(journal, NULL);
        close(journal->fd); /* releases the lock */
    }
    g_hash_table_unref(journal->entries);
    g_hash_table_unref(journal->reported_runs);
    g_string_free(journal->buffer, TRUE);
    g_free(journal->path);
    g_free(journal);
}

const char *bulk_journal_path(const struct bulk_journal *journal)
{
    return journal->path;
}

const struct bulk_journal_entry *bulk_journal_lookup(const struct bulk_journal *journal,
                                                     const char *key)
{
    return g_hash_table_lookup(journal->entries, key);
}

guint bulk_journal_size(const struct bulk_journal *journal)
{
    return g_hash_table_size(journal->entries);
}

bool bulk_journal_run_reported(const struct bulk_journal *journal, const char *run)
{
    return run && g_hash_table_contains(journal->reported_runs, run);
}
