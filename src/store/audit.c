/*
 * store: audit.jsonl — one JSON object per line, appended with O_APPEND in a
 * single write so lines from two portalctl processes never interleave. Takes
 * no secret and writes none.
 */
#include <portalctl/audit.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

static const char *const result_names[] = {
    [AUDIT_RESULT_OK] = "ok",
    [AUDIT_RESULT_FAILED] = "failed",
    [AUDIT_RESULT_PARTIAL] = "partial",
};

const char *audit_result_name(enum audit_result result)
{
    return (size_t)result < G_N_ELEMENTS(result_names) ? result_names[result] : NULL;
}

char *audit_default_path(void)
{
    char *dir = store_state_dir();
    char *path = g_build_filename(dir, "audit.jsonl", NULL);
    g_free(dir);
    return path;
}

/* ISO-8601 UTC with milliseconds: "2026-05-07T09:00:00.123Z". */
static char *utc_now(void)
{
    GDateTime *now = g_date_time_new_now_utc();
    char *seconds = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
    char *text = g_strdup_printf("%s.%03dZ", seconds, g_date_time_get_microsecond(now) / 1000);
    g_free(seconds);
    g_date_time_unref(now);
    return text;
}

static const char *entry_problem(const struct audit_entry *entry)
{
    const char *strings[] = {entry->connection, entry->operation, entry->target, entry->message};
    if (entry->connection == NULL || entry->connection[0] == '\0')
        return "an audit entry needs a connection";
    if (entry->operation == NULL || entry->operation[0] == '\0')
        return "an audit entry needs an operation";
    if (audit_result_name(entry->result) == NULL)
        return "an audit entry needs a result of ok, failed or partial";
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++) {
        if (strings[i] != NULL && !g_utf8_validate(strings[i], -1, NULL))
            return "an audit entry must be UTF-8 text";
    }
    return NULL;
}

static char *entry_line(const struct audit_entry *entry)
{
    json_object *line = json_object_new_object();
    char *time = utc_now();
    json_object_object_add(line, "time", json_object_new_string(time));
    json_object_object_add(line, "connection", json_object_new_string(entry->connection));
    json_object_object_add(line, "operation", json_object_new_string(entry->operation));
    json_object_object_add(line, "target",
                           entry->target != NULL ? json_object_new_string(entry->target) : NULL);
    json_object_object_add(line, "result",
                           json_object_new_string(audit_result_name(entry->result)));
    if (entry->message != NULL)
        json_object_object_add(line, "message", json_object_new_string(entry->message));
    /* PLAIN never breaks lines: newlines inside values come out as \n. */
    char *text = g_strconcat(json_object_to_json_string_ext(
                                 line, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                             "\n", NULL);
    json_object_put(line);
    g_free(time);
    return text;
}

static int open_log(const char *path, GError **error)
{
    char *dir = g_path_get_dirname(path);
    bool dir_ok = store_make_private_dir(dir, error);
    g_free(dir);
    if (!dir_ok)
        return -1;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
        (void)fchmod(fd, 0600); /* the log names customers: keep it to the user */
    if (fd < 0) {
        int saved = errno;
        g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot open the audit log: %s", path,
                    g_strerror(saved));
    }
    return fd;
}

static bool write_line(int fd, const char *path, const char *line, GError **error)
{
    size_t length = strlen(line);
    ssize_t written;
    do
        written = write(fd, line, length);
    while (written < 0 && errno == EINTR);
    if (written == (ssize_t)length)
        return true;
    int saved = written < 0 ? errno : ENOSPC;
    g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot append to the audit log: %s", path,
                g_strerror(saved));
    return false;
}

bool audit_append(const char *path, const struct audit_entry *entry, GError **error)
{
    const char *problem = entry_problem(entry);
    if (problem != NULL) {
        g_set_error_literal(error, STORE_ERROR, STORE_ERROR_INVALID, problem);
        return false;
    }
    char *default_path = path == NULL ? audit_default_path() : NULL;
    const char *log_path = path != NULL ? path : default_path;
    int fd = open_log(log_path, error);
    bool ok = fd >= 0;
    if (ok) {
        char *line = entry_line(entry);
        ok = write_line(fd, log_path, line, error);
        g_free(line);
        if (close(fd) != 0 && ok) {
            int saved = errno;
            g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
                        "%s: cannot append to the audit log: %s", log_path, g_strerror(saved));
            ok = false;
        }
    }
    g_free(default_path);
    return ok;
}
