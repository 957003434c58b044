/*
 * store: where portalctl's own files live and how they are read and replaced.
 *
 * Owns the XDG path rules (config under $XDG_CONFIG_HOME or ~/.config, state
 * under $XDG_STATE_HOME or ~/.local/state), reading a whole file with a size
 * limit, and replacing a file atomically and privately (temporary file, fsync,
 * rename; mode 0600; missing directories created 0700). config.c, state.c and
 * audit.c build on it.
 *
 * Must never: interpret file contents, or write a file any other way than
 * through store_replace_file() (a crash must leave the old or the new file,
 * never half of one).
 */
#ifndef PORTALCTL_STORE_FILES_H
#define PORTALCTL_STORE_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

/* Errors of config.c, state.c and audit.c: a message fit to show as is. */
#define STORE_ERROR store_error_quark()
GQuark store_error_quark(void);

enum store_error {
    STORE_ERROR_IO,        /* the file system refused: message has the path and errno text */
    STORE_ERROR_NOT_FOUND, /* a file that was named explicitly does not exist */
    STORE_ERROR_INVALID,   /* a file or a value breaks the rules: message names file/line/key */
    STORE_ERROR_CORRUPT,   /* the state file could not be read and could not be moved aside */
};

/* "$XDG_CONFIG_HOME/portalctl" (when set and absolute, as the XDG spec says)
 * or "$HOME/.config/portalctl". Read from the environment on every call. */
char *store_config_dir(void);

/* "$XDG_STATE_HOME/portalctl" or "$HOME/.local/state/portalctl". */
char *store_state_dir(void);

/* Creates the directory and its missing parents with mode 0700 (an existing
 * directory keeps its mode). */
bool store_make_private_dir(const char *dir, GError **error);

/* Reads the whole file. A missing file is STORE_ERROR_NOT_FOUND; a file larger
 * than max_size is STORE_ERROR_INVALID. *contents is NUL-terminated. */
bool store_read_file(const char *path, size_t max_size, char **contents, size_t *length,
                     GError **error);

/* Replaces path with contents atomically: a temporary file in the same
 * directory (mode 0600), fsync, rename over path, fsync of the directory. The
 * directory is created (0700) when missing. A symbolic link at path is
 * followed, so a linked dotfile stays a link. */
bool store_replace_file(const char *path, const char *contents, size_t length, GError **error);

#endif
