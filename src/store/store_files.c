/*
 * store: XDG paths, bounded reads and atomic private replacement of files.
 * Never interprets what it reads or writes.
 */
#include <portalctl/store_files.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

GQuark store_error_quark(void)
{
    return g_quark_from_static_string("portalctl-store-error-quark");
}

/* ---- paths --------------------------------------------------------------- */

/* The XDG spec says a relative value is invalid and must be ignored. */
static const char *absolute_env(const char *name)
{
    const char *value = g_getenv(name);
    if (value == NULL || value[0] == '\0' || !g_path_is_absolute(value))
        return NULL;
    return value;
}

static const char *home_dir(void)
{
    const char *home = absolute_env("HOME");
    return home != NULL ? home : g_get_home_dir();
}

static char *xdg_dir(const char *variable, const char *fallback_under_home)
{
    const char *base = absolute_env(variable);
    if (base != NULL)
        return g_build_filename(base, "portalctl", NULL);
    return g_build_filename(home_dir(), fallback_under_home, "portalctl", NULL);
}

char *store_config_dir(void)
{
    return xdg_dir("XDG_CONFIG_HOME", ".config");
}

char *store_state_dir(void)
{
    return xdg_dir("XDG_STATE_HOME", ".local/state");
}

bool store_make_private_dir(const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0700) == 0)
        return true;
    int saved = errno;
    g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot create directory: %s", dir,
                g_strerror(saved));
    return false;
}

/* ---- reading ------------------------------------------------------------- */

static bool read_all(int fd, const char *path, size_t max_size, GString *out, GError **error)
{
    char chunk[8192];
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int saved = errno;
            g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot read: %s", path,
                        g_strerror(saved));
            return false;
        }
        if (got == 0)
            return true;
        if (out->len + (size_t)got > max_size) {
            g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID,
                        "%s: larger than %zu bytes; is this the right file?", path, max_size);
            return false;
        }
        g_string_append_len(out, chunk, got);
    }
}

bool store_read_file(const char *path, size_t max_size, char **contents, size_t *length,
                     GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int saved = errno;
        g_set_error(error, STORE_ERROR, saved == ENOENT ? STORE_ERROR_NOT_FOUND : STORE_ERROR_IO,
                    "%s: %s", path, saved == ENOENT ? "no such file" : g_strerror(saved));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, STORE_ERROR, STORE_ERROR_INVALID, "%s: not a regular file", path);
        return false;
    }
    GString *text = g_string_new(NULL);
    bool ok = read_all(fd, path, max_size, text, error);
    close(fd);
    if (!ok) {
        g_string_free(text, TRUE);
        return false;
    }
    if (length != NULL)
        *length = text->len;
    *contents = g_string_free(text, FALSE);
    return true;
}

/* ---- atomic replacement -------------------------------------------------- */

static bool write_all(int fd, const char *contents, size_t length)
{
    while (length > 0) {
        ssize_t done = write(fd, contents, length);
        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0)
            return false;
        contents += done;
        length -= (size_t)done;
    }
    return true;
}

/* Writing through a symbolic link keeps the link (dotfile managers rely on it). */
static char *resolve_target(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (real != NULL) {
            char *copy = g_strdup(real);
            free(real);
            return copy;
        }
    }
    return g_strdup(path);
}

/* The rename is durable only once the directory entry itself is on disk. */
static void sync_directory(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static bool write_temporary(const char *dir, const char *target, const char *contents,
                            size_t length, char **temp_path, GError **error)
{
    char *base = g_path_get_basename(target);
    *temp_path = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    g_free(base);
    int fd = g_mkstemp_full(*temp_path, O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        int saved = errno;
        g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot create a file in %s: %s",
                    target, dir, g_strerror(saved));
        g_clear_pointer(temp_path, g_free);
        return false;
    }
    bool ok = write_all(fd, contents, length) && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot write: %s", target,
                    g_strerror(saved));
        (void)unlink(*temp_path);
        g_clear_pointer(temp_path, g_free);
    }
    return ok;
}

bool store_replace_file(const char *path, const char *contents, size_t length, GError **error)
{
    char *target = resolve_target(path);
    char *dir = g_path_get_dirname(target);
    char *temp_path = NULL;
    bool ok = store_make_private_dir(dir, error) &&
              write_temporary(dir, target, contents, length, &temp_path, error);
    if (ok && rename(temp_path, target) != 0) {
        int saved = errno;
        g_set_error(error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot replace: %s", target,
                    g_strerror(saved));
        (void)unlink(temp_path);
        ok = false;
    }
    if (ok)
        sync_directory(dir);
    g_free(temp_path);
    g_free(dir);
    g_free(target);
    return ok;
}
