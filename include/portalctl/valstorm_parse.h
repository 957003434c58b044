/*
 * Valstorm v1 portals: reading answers and building request bodies as pure
 * functions (text in, records or an api_error out), so that every shape the
 * vendor may send is tested with fixture files alone
 * (tests/unit/test_valstorm_adapter.c). The jobs that send requests are
 * src/vendors/valstorm.c and valstorm_invite.c; this module never sends,
 * prints, sleeps or touches the local state.
 *
 * What it tolerates (shared/api/valstorm.md §4 and §6): FastAPI's "detail"
 * as a string (401, 403, 404) or as a list of validation errors (422) whose
 * loc items are strings or integers; a 201 invite answer with a non-empty
 * "failed" list; extra fields anywhere; missing optional fields. Anything
 * else that is not what the contract promises is a clear API_BAD_RESPONSE,
 * never a crash: the JSON reader is depth-limited, and the (possibly huge)
 * user list is read one element at a time.
 *
 * Server text is untrusted: messages put into an api_error are sanitized and
 * cut to a bounded length here; record values are kept as sent (the views
 * sanitize them when they draw). A token answer's secrets never reach a
 * message.
 */
#ifndef PORTALCTL_VALSTORM_PARSE_H
#define PORTALCTL_VALSTORM_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include <portalctl/form.h>
#include <portalctl/model.h>

/* The detail of a 404 for an unknown portal, and of an invite row that was
 * already in the portal (shared/api/valstorm.md §3, §4). */
#define VALSTORM_PORTAL_NOT_FOUND "Portal not found"
#define VALSTORM_USER_NOT_FOUND   "User not found"
#define VALSTORM_ALREADY_MEMBER   "Already a member of this portal"

/* What a request was about, so that an error is worded for it. */
struct valstorm_error_context {
    const char *connection; /* named in the advice after refused credentials */
    const char *action;     /* "create the portal", …; NULL: "do that" */
    const char *portal_id;  /* named after 404 "Portal not found", may be NULL */
    const char *user_id;    /* named after 404 "User not found", may be NULL */
    /* What to do after a 401; NULL: store a new token or log in again. */
    const char *auth_advice;
    /* For a bulk invite: loc ["body","users",i,…] is row row_map[i] of the
     * whole request (the batch's rows); i beyond row_count is not a row. */
    const int *row_map;
    size_t row_count;
};

/* Reads any answer that is not a success (or a success whose body is not
 * what was expected, with body NULL): sets *error with kind by status (401
 * API_AUTH; 403, 404, 422 and other 4xx API_REFUSED; 429 and 5xx
 * API_NETWORK; anything else API_BAD_RESPONSE), the HTTP status, the FastAPI
 * type of the first validation error as code, a message for a helpdesk
 * person, and one field error per 422 detail entry: ["body", F] on field F,
 * ["body","users",i,F] on row row_map[i] field F, ["body"] (and anything
 * unreadable) on the whole request. */
void valstorm_read_error(long http_status, const char *body, size_t body_len,
                         const struct valstorm_error_context *context, struct api_error *error);

/* The "detail" of an answer when it is a string ("Portal not found"), as a
 * g_malloc'd copy; NULL when there is none or it is not a string. */
char *valstorm_detail_text(const char *body, size_t body_len);

/* ---- records --------------------------------------------------------------- */

/* One PortalResponse as a record: id, name, url (the custom domain),
 * created (created_date), status as given, every member as an extra. False
 * (nothing added, *error API_BAD_RESPONSE) when the body is not an object
 * with a non-empty string id. */
bool valstorm_parse_portal(const char *body, size_t body_len, const char *status,
                           struct record_list *out, struct api_error *error);

/* Adds one PortalUserResponse as a record: id, email, name (else first and
 * last name, else the e-mail), status active/inactive from is_active,
 * created (created_date), every member as an extra. status_override, when
 * given, replaces the status (an invite's "invited"). False when user is not
 * an object with a non-empty string id or email. */
bool valstorm_add_user(struct record_list *list, json_object *user, const char *status_override);

/* Calls each(user, data) for every element of the JSON array in body, one
 * element parsed at a time (a 100,000-user list never becomes one tree).
 * each returns false to stop. False with *error API_BAD_RESPONSE when the
 * body is not an array of objects, is cut short or has trailing garbage. */
typedef bool (*valstorm_user_fn)(json_object *user, void *data);
bool valstorm_each_user(const char *body, size_t body_len, valstorm_user_fn each, void *data,
                        struct api_error *error);

/* ---- the user list, piece by piece (valstorm_users_stream.c) -------------- */

/* Reads the users array while it arrives: each complete entry is parsed on
 * its own and handed to each() as soon as its last byte is fed, whatever
 * the pieces' boundaries. Entries nested deeper than JSON_READ_MAX_DEPTH,
 * entries that are not JSON objects, missing or extra separators, text after
 * the list and a list cut short are API_BAD_RESPONSE. NULL when json-c has
 * no memory. */
struct valstorm_user_stream;
struct valstorm_user_stream *valstorm_user_stream_new(valstorm_user_fn each, void *data);
/* False with *error set once the text is known to be bad (each() refusing an
 * entry included); every later feed is then false with *error untouched. */
bool valstorm_user_stream_feed(struct valstorm_user_stream *stream, const char *piece, size_t len,
                               struct api_error *error);
/* After the last piece: true when the array was complete, with nothing but
 * white space after it. */
bool valstorm_user_stream_finish(struct valstorm_user_stream *stream, struct api_error *error);
/* Entries handed to each() so far. */
size_t valstorm_user_stream_count(const struct valstorm_user_stream *stream);
void valstorm_user_stream_free(struct valstorm_user_stream *stream);

/* The GET …/users answer as records, piece by piece: like
 * valstorm_parse_users, but each feed appends the users completed by that
 * piece to out (which may change between feeds). After a false feed, out
 * may hold the users read before the bad entry. */
struct valstorm_users_reader;
struct valstorm_users_reader *valstorm_users_reader_new(const char *filter);
bool valstorm_users_reader_feed(struct valstorm_users_reader *reader, const char *piece, size_t len,
                                struct record_list *out, struct api_error *error);
bool valstorm_users_reader_finish(struct valstorm_users_reader *reader, struct api_error *error);
void valstorm_users_reader_free(struct valstorm_users_reader *reader);

/* The GET …/users answer as records, keeping only users whose e-mail or
 * name contains filter (ignoring case; NULL or "" keeps all). False with
 * *error API_BAD_RESPONSE (and nothing added) for an unreadable answer or
 * an entry without a usable id or e-mail. */
bool valstorm_parse_users(const char *body, size_t body_len, const char *filter,
                          struct record_list *out, struct api_error *error);

/* The e-mail addresses of the members in a GET …/users answer, lower-cased,
 * as a set (g_hash_table_unref). NULL with *error for an unreadable answer. */
GHashTable *valstorm_parse_member_emails(const char *body, size_t body_len,
                                         struct api_error *error);

/* ---- the invite answer ----------------------------------------------------------- */

enum valstorm_row_status {
    VALSTORM_ROW_UNKNOWN, /* the answer did not mention it */
    VALSTORM_ROW_INVITED, /* a new guest account */
    VALSTORM_ROW_LINKED,  /* an existing Valstorm account attached to the portal */
    VALSTORM_ROW_ALREADY, /* was a member already: as good as done */
    VALSTORM_ROW_FAILED,  /* refused one by one, with the vendor's detail */
};

/* "invited", "linked", "already a member", "failed" ("unknown"). */
const char *valstorm_row_status_name(enum valstorm_row_status status);

struct valstorm_row_outcome {
    enum valstorm_row_status status;
    json_object *user; /* the PortalUserResponse (a reference) for invited/linked */
    char *detail;      /* the vendor's words for failed rows, sanitized */
};

void valstorm_row_outcome_clear(struct valstorm_row_outcome *outcome);

/* Reads a 201 PortalUserInviteResponse for the count rows whose e-mail
 * addresses were sent, in that order: each entry of invited, linked and
 * failed goes to the first row of the same address (ignoring case, spaces
 * around it) that has no outcome yet, so a duplicate row gets its own
 * answer. Rows not mentioned stay VALSTORM_ROW_UNKNOWN. False with *error
 * API_BAD_RESPONSE (outcomes untouched) when the answer is not an object
 * whose three members are arrays when present. */
bool valstorm_parse_invite(const char *body, size_t body_len, const char *const *emails,
                           size_t count, struct valstorm_row_outcome *outcomes,
                           struct api_error *error);

/* ---- tokens --------------------------------------------------------------------- */

/* A token answer of login, verify-2fa or refresh. Strings g_malloc'd; the
 * tokens are wiped by valstorm_token_answer_clear. */
struct valstorm_token_answer {
    char *access_token;
    char *refresh_token; /* NULL when the answer has none */
    bool two_fa_required;
    char *email; /* where the 2FA code went (two_fa_required) */
};

/* Reads the answer to a token call. True when it holds an access token, or
 * (login only) says two_fa_required. False: *error as valstorm_read_error
 * for a refusal, API_BAD_RESPONSE for a 200 that holds neither. */
bool valstorm_parse_token_answer(long http_status, const char *body, size_t body_len,
                                 const struct valstorm_error_context *context,
                                 struct valstorm_token_answer *answer, struct api_error *error);
void valstorm_token_answer_clear(struct valstorm_token_answer *answer);

/* ---- request bodies ------------------------------------------------------------- */

/* A JSON object of the values whose key is a field of spec, in the spec's
 * order (PortalCreateRequest, PortalUpdateRequest). g_free. */
char *valstorm_form_body(const struct form_spec *spec, const struct form_values *values);

/* {"users":[…]} from rows[indices[0..count)], each with the keys of the
 * invite form that are given. g_free. */
char *valstorm_invite_body(struct form_values *const *rows, const int *indices, size_t count);

/* application/x-www-form-urlencoded text of name/value pairs (NULL name
 * ends): for the login. The caller wipes and frees it. */
char *valstorm_form_encode(const char *const *pairs);

#endif
