/*
 * store, private to config.c and config_check.c: the rules config.ini is
 * checked against (one table of keys), the problems found with their lines,
 * and the scan of the file text that finds those lines. config.c reads and
 * writes the file; this half decides what is acceptable and says why.
 *
 * Must never: echo a value that may be a secret (keys that look like one are
 * refused unread), or touch the file system beyond checking a ca_file exists.
 */
#ifndef PORTALCTL_STORE_CONFIG_CHECK_H
#define PORTALCTL_STORE_CONFIG_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <portalctl/config.h>

#define CONFIG_GROUP_PREFIX      "connection "
#define CONFIG_GROUP_PREFIX_SIZE (sizeof(CONFIG_GROUP_PREFIX) - 1)
#define CONFIG_KEY_COUNT         7

/* Where each group and key sits in the file text; GKeyFile does not say. */
struct config_line_index {
    GHashTable *groups; /* group name -> first line */
    GHashTable *keys;   /* "group\nkey" -> last line (the value GKeyFile keeps) */
};

/* Problems are collected, then reported all at once, sorted by line. */
struct config_problems {
    const char *path;                      /* NULL when checking values, not a file */
    const struct config_line_index *lines; /* NULL when there is no file text */
    GArray *items;                         /* of a private struct: line and text */
};

/* One key of a group as read from the file (or made from a struct). */
struct config_pair {
    char *key;
    char *value; /* NULL when it could not be read (already reported) or was not read */
};

void config_problems_init(struct config_problems *problems, const char *path,
                          const struct config_line_index *lines);
/* "path:line: text" (or "path: text", or "text" when checking values). */
G_GNUC_PRINTF(3, 4)
void config_problem_add(struct config_problems *problems, int line, const char *format, ...);
/* "[connection NAME] key: text", at the key's line or else the group's. */
G_GNUC_PRINTF(4, 5)
void config_problem_at_key(struct config_problems *problems, const char *name, const char *key,
                           const char *format, ...);
/* Frees the problems; true when there were none, else one STORE_ERROR_INVALID
 * with every problem on its own line. */
bool config_problems_finish(struct config_problems *problems, GError **error);

void config_line_index_init(struct config_line_index *index);
void config_line_index_clear(struct config_line_index *index);
/* Learns the lines of groups and keys, and reports what GKeyFile would only
 * call a parse error (without echoing the line). False when GKeyFile cannot
 * read the text at all. */
bool config_scan_text(struct config_problems *problems, struct config_line_index *index,
                      const char *text);

/* The connection name of a "connection NAME" group, or NULL after reporting why not. */
const char *config_group_connection_name(struct config_problems *problems, const char *group);

bool config_key_is_secret_like(const char *key);
bool config_key_is_known(const char *key);
/* The keys in the order they are written: vendor, url, accounts_url, ... */
const char *config_key_name(size_t index);

/* Checks one connection's keys; returns it when all passed, else NULL. */
struct connection_config *config_check_connection(struct config_problems *problems,
                                                  const char *name, const struct config_pair *pairs,
                                                  size_t count);

/* The fields as the file spells them, in config_key_name() order; NULL = unset. */
void config_connection_values(const struct connection_config *connection,
                              const char *values[CONFIG_KEY_COUNT]);

#endif
