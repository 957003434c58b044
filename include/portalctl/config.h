/*
 * store: the connections file, $XDG_CONFIG_HOME/portalctl/config.ini.
 *
 * One GKeyFile group per connection:
 *
 *     [connection acme-zoho]
 *     vendor = zoho
 *     data_centre = eu
 *     client_id = 1000.ABC
 *     read_only = false
 *
 * Owns reading, validating and writing that file. Every problem is reported
 * with the file, the line, the group and the key ("config.ini:7: [connection
 * acme] vendor: must be one of ecgrid, zoho, valstorm (found \"zohoo\")"), all
 * problems at once, and a file with any problem is refused as a whole: a typo
 * never passes silently. Saving keeps the user's comments (GKeyFile keeps
 * comment lines, not comments at the end of a value line) and replaces the file
 * atomically with mode 0600.
 *
 * Must never: hold or write a secret. A key that looks like one (api_key,
 * token, password…) is refused and the user is sent to `portalctl auth set`;
 * struct connection_config has no field a secret could go in.
 */
#ifndef PORTALCTL_CONFIG_H
#define PORTALCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <portalctl/store_files.h>

enum config_vendor {
    CONFIG_VENDOR_ECGRID,
    CONFIG_VENDOR_ZOHO,
    CONFIG_VENDOR_VALSTORM,
};

/* "ecgrid", "zoho", "valstorm". */
const char *config_vendor_name(enum config_vendor vendor);
bool config_vendor_from_name(const char *name, enum config_vendor *vendor);

/* One [connection NAME] group. NULL strings mean "not set": the vendor
 * adapter then uses its default (base URL, data centre hosts, system CAs). */
struct connection_config {
    char *name; /* 1-64 of [A-Za-z0-9._-], starting with a letter or digit */
    enum config_vendor vendor;
    char *url;          /* http(s) API base URL overriding the vendor default */
    char *accounts_url; /* zoho only: http(s) accounts server overriding the data centre */
    char *data_centre;  /* zoho only: com eu in com.au jp ca sa com.cn uk; NULL means com */
    char *client_id;    /* zoho only, required there */
    char *ca_file;      /* absolute path of a PEM bundle to trust instead of the system's */
    bool read_only;     /* refuse every change through this connection */
};

struct connection_config *connection_config_new(const char *name, enum config_vendor vendor);
struct connection_config *connection_config_copy(const struct connection_config *connection);
void connection_config_free(struct connection_config *connection);

/* The Zoho data centres, NULL-terminated, in the order shown to users. */
extern const char *const config_data_centres[];

struct config {
    char *path;             /* the file this was read from and is saved to */
    bool file_existed;      /* false: nothing on disk yet, saving creates it */
    GPtrArray *connections; /* of struct connection_config *, in file order */
    GKeyFile *keyfile;      /* private: keeps comments and order for config_save() */
};

/* "$XDG_CONFIG_HOME/portalctl/config.ini" or "~/.config/portalctl/config.ini". */
char *config_default_path(void);

/* Loads and validates. path NULL means the default path, and a missing default
 * file is an empty configuration; an explicit path (--config FILE) that does not
 * exist is STORE_ERROR_NOT_FOUND, so a mistyped path never looks like "no
 * connections". Problems are STORE_ERROR_INVALID, one line each. */
struct config *config_load(const char *path, GError **error);

/* An empty configuration that config_save() will create at path. */
struct config *config_new(const char *path);

void config_free(struct config *config);

/* NULL when there is no connection of that name. */
const struct connection_config *config_find(const struct config *config, const char *name);

/* Checks a connection against the same rules as the file (messages name the
 * group and the key, without a line). */
bool config_validate_connection(const struct connection_config *connection, GError **error);

/* Adds the connection, or replaces the one with the same name in place (its
 * comments stay). Nothing changes when it is invalid. Not saved yet. */
bool config_set_connection(struct config *config, const struct connection_config *connection,
                           GError **error);

/* Removes it with its comments. STORE_ERROR_NOT_FOUND when there is none. */
bool config_remove_connection(struct config *config, const char *name, GError **error);

/* Writes config->path atomically, mode 0600, the directory created 0700. */
bool config_save(const struct config *config, GError **error);

#endif
