/*
 * ECGrid REST v2: reading answers and building request bodies, as pure
 * functions (text in, records or an api_error out), so that every shape the
 * vendor may send is tested with fixture files alone
 * (tests/unit/test_ecgrid_adapter.c). The job logic that sends requests is
 * src/vendors/ecgrid.c; this module never sends, prints or sleeps.
 *
 * What it tolerates (shared/api/ecgrid.md §2 and §9): errorCode "", null or
 * absent on success; a 401 with an empty or non-JSON body; keys in any letter
 * case (userId / userID); login or loginName, lockedOut or lockoutStatus;
 * AuthLevel and Status as names or as their ECGridOS numbers; a bare array
 * from users/list and a paged object from mailboxes/list. Anything else that
 * is not what the contract promises is a clear API_BAD_RESPONSE, never a crash.
 *
 * Server text is untrusted: messages put into an api_error are sanitized and
 * cut to a bounded length here; record values are kept as sent (the views
 * sanitize them when they draw).
 */
#ifndef PORTALCTL_ECGRID_PARSE_H
#define PORTALCTL_ECGRID_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include <portalctl/form.h>
#include <portalctl/model.h>

/* What a request was about, so that an error is worded for it. */
struct ecgrid_error_context {
    const char *connection;       /* named in the advice after a refused key */
    const char *action;           /* "create the user", … ; NULL: "do that" */
    const struct form_spec *form; /* "field: message" lands on a field of this form */
    const char *duplicate_field;  /* where DuplicateObject lands (create user: "login") */
    bool reads_only;              /* the request changes nothing (a list, a lookup) */
};

/* A successful answer: the envelope and its data (borrowed from root; NULL
 * when the envelope has no data or data is null). */
struct ecgrid_answer {
    json_object *root;
    json_object *data;
};

/* Reads one HTTP answer (any status). True when ECGrid says it succeeded:
 * *answer is filled (release with ecgrid_answer_clear). False: *error says why
 * (API_AUTH, API_REFUSED, API_NETWORK for 429 and 5xx, API_BAD_RESPONSE) with
 * the vendor's errorCode as code, and field errors from an InvalidParameter
 * (or any) message of the form "field: message" naming a field of the form. */
bool ecgrid_read_answer(long http_status, const char *body, size_t body_len,
                        const struct ecgrid_error_context *context, struct ecgrid_answer *answer,
                        struct api_error *error);
void ecgrid_answer_clear(struct ecgrid_answer *answer);

/* An AuthLevel or Status as its name: names are kept as sent, the ECGridOS
 * numbers (AuthLevel NoChange = 0 … General = 9; Status Development = 2 …
 * Terminated = -2) become names, anything else is shown as sent. NULL for
 * null, objects and arrays. buf holds JSON_READ_SCALAR_LEN bytes. */
const char *ecgrid_auth_level_text(json_object *value, char *buf);
const char *ecgrid_status_text(json_object *value, char *buf);

/* A positive 32-bit ECGrid id ("1042"), the whole string; false otherwise. */
bool ecgrid_parse_id(const char *text, int *out);

/* ---- records ------------------------------------------------------------- */

/* One UserIDInfo as a record: id userId, name login, email, status, role
 * authLevel, created; every member as an extra. False (nothing added) when
 * it is not an object with a usable userId. */
bool ecgrid_add_user(struct record_list *list, json_object *user);

/* data is one UserIDInfo (users/me, get, create, update, role). */
bool ecgrid_parse_user(json_object *data, struct record_list *out, struct api_error *error);

/* data is the users/list page: a bare array (or, tolerated, an object holding
 * a "users" array). *count is the number of entries on the page. */
bool ecgrid_parse_users(json_object *data, struct record_list *out, size_t *count,
                        struct api_error *error);

/* data is the users/by-name answer (an array, or tolerated one object): adds
 * the users whose login equals login, ignoring letter case. */
bool ecgrid_parse_users_by_login(json_object *data, const char *login, struct record_list *out,
                                 struct api_error *error);

/* One page of mailboxes/list. */
struct ecgrid_mailbox_page {
    GPtrArray *mailboxes; /* json_object * (own references), each with a usable mailboxId */
    long long total;      /* totalRecords, -1 when absent */
};

/* data is the paged object {"totalRecords","mailboxes":[…]} (or, tolerated,
 * a bare array of mailboxes). Release with ecgrid_mailbox_page_clear. */
bool ecgrid_parse_mailbox_page(json_object *data, struct ecgrid_mailbox_page *page,
                               struct api_error *error);
void ecgrid_mailbox_page_clear(struct ecgrid_mailbox_page *page);

/* The mailboxId of a MailboxIDInfo or PortalInfo; 0 when missing or unusable. */
int ecgrid_mailbox_id_of(json_object *object);

/* A portal row: id mailboxId, name the mailbox's name (or uniqueId), url,
 * status and created from the portal; status "no portal" when portal is NULL.
 * mailbox may be NULL (a single portal: the name is then unknown). Extras are
 * the mailbox's members as "mailbox.*" and the portal's as "portal.*". */
void ecgrid_add_portal_row(struct record_list *list, json_object *mailbox, json_object *portal);

/* data is one PortalInfo (create, by-mailbox). Its mailboxId is the record's
 * id; mailbox_id (the one asked for) stands in when the answer has none. */
bool ecgrid_parse_portal(json_object *data, int mailbox_id, struct record_list *out,
                         struct api_error *error);

/* data of calls that answer `true` (password, reset, terminate): true when
 * the data is true or absent (the envelope's success then speaks). */
bool ecgrid_parse_confirmation(json_object *data, struct api_error *error);

/* ---- requests ------------------------------------------------------------- */

/* The JSON object of a request body from form values, in the spec's field
 * order, only the fields given: FIELD_INTEGER values as JSON numbers, every
 * other value as a string. Values the spec does not know are left out. NULL
 * when an integer field does not hold an integer (form_validate refuses
 * that first). The text may hold a password: wipe it (secret_wipe) before
 * g_free. */
char *ecgrid_body_from_form(const struct form_spec *spec, const struct form_values *values);

/* Splits a vendor message "field: message" (the contract's InvalidParameter
 * shape). True when text starts with an identifier followed by ": "; *field
 * and *message are g_malloc'd. */
bool ecgrid_split_field_message(const char *text, char **field, char **message);

#endif
