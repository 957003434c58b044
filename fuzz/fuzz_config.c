/*
 * Fuzz target: the config reader (config.h), config_load() on a file whose
 * bytes are the input. The file is a memfd reached through /proc/self/fd,
 * so each run reads a real regular file without touching the disk.
 *
 * Beyond "no crash": a file that loads is kept whole (every connection it
 * has passes config_validate_connection), and its connections survive a
 * save and a reload unchanged. The save goes to a private directory in
 * /dev/shm (fsync is free there), created once and removed at exit.
 */
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <portalctl/config.h>

static int input_fd = -1;
static char input_path[64];
static char *save_dir;
static char *save_path;

static void remove_save_dir(void)
{
    if (save_path)
        g_unlink(save_path);
    if (save_dir)
        g_rmdir(save_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    input_fd = memfd_create("fuzz-config.ini", MFD_CLOEXEC);
    FUZZ_CHECK(input_fd >= 0);
    snprintf(input_path, sizeof(input_path), "/proc/self/fd/%d", input_fd);
    save_dir = g_dir_make_tmp("fuzz-config-XXXXXX", NULL);
    if (g_file_test("/dev/shm", G_FILE_TEST_IS_DIR)) {
        g_rmdir(save_dir);
        g_free(save_dir);
        save_dir = g_strdup("/dev/shm/fuzz-config-XXXXXX");
        FUZZ_CHECK(g_mkdtemp(save_dir) != NULL);
    }
    FUZZ_CHECK(save_dir != NULL);
    save_path = g_build_filename(save_dir, "config.ini", NULL);
    atexit(remove_save_dir);
    return 0;
}

static bool same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static bool same_connection(const struct connection_config *a, const struct connection_config *b)
{
    return same_text(a->name, b->name) && a->vendor == b->vendor && same_text(a->url, b->url) &&
           same_text(a->accounts_url, b->accounts_url) &&
           same_text(a->data_centre, b->data_centre) && same_text(a->client_id, b->client_id) &&
           same_text(a->ca_file, b->ca_file) && a->read_only == b->read_only;
}

/* Every connection of a loaded file, saved to a fresh file and read back. */
static void check_round_trip(const struct config *loaded)
{
    g_unlink(save_path);
    struct config *fresh = config_new(save_path);
    for (guint i = 0; i < loaded->connections->len; i++) {
        const struct connection_config *c = g_ptr_array_index(loaded->connections, i);
        GError *error = NULL;
        FUZZ_CHECK(config_validate_connection(c, &error));
        FUZZ_CHECK(config_set_connection(fresh, c, &error));
    }
    GError *error = NULL;
    FUZZ_CHECK(config_save(fresh, &error));
    struct config *again = config_load(save_path, &error);
    if (!again)
        fprintf(stderr, "reload failed: %s\n", error->message);
    FUZZ_CHECK(again != NULL);
    FUZZ_CHECK(again->connections->len == loaded->connections->len);
    for (guint i = 0; i < loaded->connections->len; i++)
        FUZZ_CHECK(same_connection(g_ptr_array_index(loaded->connections, i),
                                   g_ptr_array_index(again->connections, i)));
    config_free(again);
    config_free(fresh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_CHECK(ftruncate(input_fd, 0) == 0);
    FUZZ_CHECK(pwrite(input_fd, data, size, 0) == (ssize_t)size);

    GError *error = NULL;
    struct config *config = config_load(input_path, &error);
    if (config) {
        FUZZ_CHECK(error == NULL);
        for (guint i = 0; i < config->connections->len; i++) {
            const struct connection_config *c = g_ptr_array_index(config->connections, i);
            FUZZ_CHECK(config_find(config, c->name) != NULL);
        }
        check_round_trip(config);
        config_free(config);
    } else {
        FUZZ_CHECK(error != NULL && error->message != NULL);
        FUZZ_CHECK(g_utf8_validate(error->message, -1, NULL));
        g_error_free(error);
    }
    return 0;
}
