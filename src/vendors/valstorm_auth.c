/*
 * Valstorm authentication (see valstorm_auth.h): the bearer header, the
 * refresh of a login's access token, and the password login with its 2FA
 * step, all on the session's engine through session_send_raw. Never: a
 * secret in a URL or a message, a copy of one left unwiped, sleeping, the
 * keyring (session_secret does that).
 */
#include <portalctl/valstorm_auth.h>

#include <portalctl/secrets.h>
#include <portalctl/text.h>
#include <portalctl/valstorm_parse.h>

#include <stdlib.h>
#include <string.h>

static bool present(const char *text)
{
    return text && text[0];
}

/* ---- which credential ------------------------------------------------------------ */

/* A secret of the connection; a keyring failure goes to *error once. */
static const char *secret_of(struct session *session, enum secret_kind kind, GError **error)
{
    GError *local = NULL;
    const char *value = session_secret(session, kind, &local);
    if (local)
        g_propagate_error(error, local);
    return present(value) ? value : NULL;
}

enum valstorm_credential valstorm_auth_credential(struct session *session, GError **error)
{
    if (secret_of(session, SECRET_KIND_API_KEY, error))
        return VALSTORM_CREDENTIAL_PAT;
    if (error && *error)
        return VALSTORM_CREDENTIAL_NONE;
    if (present(session_access_token(session)) ||
        secret_of(session, SECRET_KIND_ACCESS_TOKEN, error) ||
        (!(error && *error) && secret_of(session, SECRET_KIND_REFRESH_TOKEN, error)))
        return VALSTORM_CREDENTIAL_LOGIN;
    return VALSTORM_CREDENTIAL_NONE;
}

const char *valstorm_credential_name(enum valstorm_credential credential)
{
    switch (credential) {
    case VALSTORM_CREDENTIAL_PAT:
        return "personal access token";
    case VALSTORM_CREDENTIAL_LOGIN:
        return "access token from a login";
    case VALSTORM_CREDENTIAL_NONE:
    default:
        return "no credential";
    }
}

/* The token to send: a personal access token wins; then the session's
 * refreshed access token; then the one a login stored. */
static const char *bearer_token(struct session *session)
{
    const char *pat = secret_of(session, SECRET_KIND_API_KEY, NULL);
    if (pat)
        return pat;
    if (present(session_access_token(session)))
        return session_access_token(session);
    return secret_of(session, SECRET_KIND_ACCESS_TOKEN, NULL);
}

/* ---- shared helpers ------------------------------------------------------------------ */

static char *api_url(struct session *session, const char *path)
{
    static const char *const none[] = {NULL};
    return net_url_build(session_api_base(session), path, none, NULL);
}

/* A JSON object of two string members, sized up front: it carries a secret,
 * and a growing buffer would leave copies of it in freed memory. */
static char *json_pair_body(const char *key1, const char *value1, const char *key2,
                            const char *value2)
{
    GString *out = g_string_sized_new(64 + 2 * (strlen(value1) + (value2 ? strlen(value2) : 0)));
    g_string_append_printf(out, "{\"%s\":", key1);
    text_append_json_string(out, value1);
    if (key2) {
        g_string_append_printf(out, ",\"%s\":", key2);
        text_append_json_string(out, value2);
    }
    g_string_append_c(out, '}');
    return g_string_free(out, FALSE);
}

static void send_secret_body(struct session *session, const char *url, char *body,
                             const char *content_type, bool idempotent, session_raw_fn done,
                             void *data)
{
    struct vendor_call call = {
        .method = "POST",
        .url = url,
        .body = body,
        .content_type = content_type,
        .idempotent = idempotent,
        .no_auth = true,
    };
    session_send_raw(session, &call, done, data);
    secret_wipe(body);
    g_free(body);
}

/* A transport failure as *error; true when a whole answer arrived. */
static bool reached(const struct net_response *res, const char *action, struct api_error *error)
{
    if (res->error == NET_ERR_NONE)
        return true;
    enum api_error_kind kind = API_NETWORK;
    if (res->error == NET_ERR_TLS || res->error == NET_ERR_REFUSED_INSECURE)
        kind = API_TLS;
    else if (res->error == NET_ERR_CANCELLED)
        kind = API_CANCELLED;
    api_error_set(error, kind, res->status, net_error_name(res->error),
                  "could not %s: Valstorm did not answer: %s", action,
                  res->message[0] ? res->message : net_error_name(res->error));
    error->ambiguous = res->ambiguous;
    return false;
}

/* ---- the session's auth ops -------------------------------------------------------- */

static void on_refresh_reply(struct session *session, const struct net_response *res, void *data)
{
    (void)data;
    const char *name = session_config(session)->name;
    char *advice = g_strdup_printf("the refresh token was refused; log in again with portalctl "
                                   "auth login %s",
                                   name);
    struct valstorm_error_context context = {
        .connection = name, .action = "renew the Valstorm access token", .auth_advice = advice};
    struct api_error error;
    api_error_init(&error);
    struct valstorm_token_answer answer;
    memset(&answer, 0, sizeof(answer));
    if (reached(res, context.action, &error) &&
        valstorm_parse_token_answer(res->status, res->body, res->body_len, &context, &answer,
                                    &error)) {
        if (answer.access_token) {
            session_set_access_token(session, answer.access_token, 0);
            if (answer.refresh_token)
                session_set_secret(session, SECRET_KIND_REFRESH_TOKEN, answer.refresh_token);
        } else {
            api_error_set(&error, API_BAD_RESPONSE, res->status, NULL,
                          "could not renew the Valstorm access token of %s: Valstorm asked for "
                          "a 2FA code instead; log in again with portalctl auth login %s",
                          name, name);
        }
    }
    valstorm_token_answer_clear(&answer);
    session_auth_done(session, error.kind == API_OK ? NULL : &error);
    api_error_clear(&error);
    g_free(advice);
}

/* Only a login's access token can be renewed: a refused personal access
 * token, or a login without a refresh token, ends here with advice. */
static bool refusal_without_refresh(struct session *session, struct api_error *error)
{
    const char *name = session_config(session)->name;
    if (secret_of(session, SECRET_KIND_API_KEY, NULL)) {
        api_error_set(error, API_AUTH, 401, NULL,
                      "Valstorm refused the personal access token of %s (HTTP 401): it may have "
                      "expired or been revoked; store a new one with portalctl auth set %s",
                      name, name);
        return true;
    }
    if (!secret_of(session, SECRET_KIND_REFRESH_TOKEN, NULL)) {
        api_error_set(error, API_AUTH, 401, NULL,
                      "Valstorm refused the access token of %s and no refresh token is stored: "
                      "log in again with portalctl auth login %s",
                      name, name);
        return true;
    }
    return false;
}

static void valstorm_refresh(struct session *session)
{
    struct api_error error;
    api_error_init(&error);
    char *url =
        refusal_without_refresh(session, &error) ? NULL : api_url(session, "/v1/oauth2/refresh");
    if (!url && error.kind == API_OK)
        api_error_set(&error, API_INVALID_INPUT, 0, NULL,
                      "cannot build the Valstorm address from the connection's url \"%s\"",
                      session_api_base(session));
    if (!url) {
        session_auth_done(session, &error);
        api_error_clear(&error);
        return;
    }
    const char *refresh = secret_of(session, SECRET_KIND_REFRESH_TOKEN, NULL);
    /* Re-sending a refresh only mints another access token: safe to retry. */
    send_secret_body(session, url, json_pair_body("refresh_token", refresh, NULL, NULL), NULL, true,
                     on_refresh_reply, NULL);
    free(url);
}

static bool valstorm_needs_refresh(struct session *session)
{
    return !secret_of(session, SECRET_KIND_API_KEY, NULL) && !bearer_token(session) &&
           secret_of(session, SECRET_KIND_REFRESH_TOKEN, NULL);
}

static void valstorm_add_headers(struct session *session, GPtrArray *headers)
{
    const char *token = bearer_token(session);
    if (token)
        g_ptr_array_add(headers, g_strdup_printf("Authorization: Bearer %s", token));
}

static bool valstorm_is_auth_failure(const struct net_response *res)
{
    return res->status == 401;
}

static const int valstorm_credential_kinds[] = {SECRET_KIND_API_KEY, SECRET_KIND_ACCESS_TOKEN,
                                                SECRET_KIND_REFRESH_TOKEN, -1};

const struct vendor_auth_ops valstorm_auth_ops = {
    .credential_kinds = valstorm_credential_kinds,
    .add_headers = valstorm_add_headers,
    .is_auth_failure = valstorm_is_auth_failure,
    .refresh = valstorm_refresh,
    .needs_refresh = valstorm_needs_refresh,
};

/* ---- the password login ----------------------------------------------------------------- */

struct valstorm_login {
    struct session *session;
    struct valstorm_login_events events;
    char *username;
    char *email;      /* where the 2FA code went */
    bool in_flight;   /* a request is out */
    bool cancelled;   /* done(API_CANCELLED) when its answer comes */
    unsigned sending; /* inside session_send_raw: its reply may come at once */
    bool ended;       /* done() ran while sending: free when sending ends */
};

static void login_free(struct valstorm_login *login)
{
    g_free(login->username);
    g_free(login->email);
    g_free(login);
}

static void login_finish(struct valstorm_login *login, const struct valstorm_tokens *tokens,
                         const struct api_error *error)
{
    if (login->events.done)
        login->events.done(tokens, error, login->events.user);
    if (login->sending)
        login->ended = true;
    else
        login_free(login);
}

static void login_fail(struct valstorm_login *login, enum api_error_kind kind, const char *message)
{
    struct api_error error;
    api_error_init(&error);
    api_error_set(&error, kind, 0, NULL, "%s", message);
    login_finish(login, NULL, &error);
    api_error_clear(&error);
}

/* Sends body (wiped) to path; false when the login ended meanwhile (freed). */
static bool login_send(struct valstorm_login *login, const char *path, char *body,
                       const char *content_type, session_raw_fn done)
{
    char *url = api_url(login->session, path);
    if (!url) {
        secret_wipe(body);
        g_free(body);
        login_fail(login, API_INVALID_INPUT,
                   "cannot build the Valstorm address from the connection's url: check it with "
                   "portalctl connections");
        return false;
    }
    login->in_flight = true;
    login->sending++;
    send_secret_body(login->session, url, body, content_type, false, done, login);
    free(url);
    login->sending--;
    if (login->ended) {
        login_free(login);
        return false;
    }
    return true;
}

static void adopt_login_tokens(struct valstorm_login *login,
                               const struct valstorm_token_answer *answer)
{
    session_set_access_token(login->session, answer->access_token, 0);
    if (answer->refresh_token)
        session_set_secret(login->session, SECRET_KIND_REFRESH_TOKEN, answer->refresh_token);
    struct valstorm_tokens tokens = {answer->access_token, answer->refresh_token};
    login_finish(login, &tokens, NULL);
}

/* The common start of both replies; false when the login ended. */
static bool read_login_answer(struct valstorm_login *login, const struct net_response *res,
                              const char *action, const char *advice,
                              struct valstorm_token_answer *answer)
{
    login->in_flight = false;
    memset(answer, 0, sizeof(*answer));
    if (login->cancelled) {
        login_fail(login, API_CANCELLED, "the Valstorm login was cancelled");
        return false;
    }
    struct valstorm_error_context context = {
        .connection = session_config(login->session)->name,
        .action = action,
        .auth_advice = advice,
    };
    struct api_error error;
    api_error_init(&error);
    bool ok = reached(res, action, &error) &&
              valstorm_parse_token_answer(res->status, res->body, res->body_len, &context, answer,
                                          &error);
    if (!ok)
        login_finish(login, NULL, &error);
    api_error_clear(&error);
    return ok;
}

static void on_code_reply(struct session *session, const struct net_response *res, void *data)
{
    (void)session;
    struct valstorm_login *login = data;
    struct valstorm_token_answer answer;
    if (!read_login_answer(login, res, "log in to Valstorm",
                           "the 2FA code was wrong or too old; log in again and type the newest "
                           "code",
                           &answer))
        return;
    if (answer.access_token)
        adopt_login_tokens(login, &answer);
    else
        login_fail(login, API_BAD_RESPONSE,
                   "could not log in to Valstorm: it asked for a second 2FA code; try again");
    valstorm_token_answer_clear(&answer);
}

static void on_login_reply(struct session *session, const struct net_response *res, void *data)
{
    (void)session;
    struct valstorm_login *login = data;
    struct valstorm_token_answer answer;
    if (!read_login_answer(login, res, "log in to Valstorm",
                           "check the e-mail address and the password and try again", &answer))
        return;
    if (answer.access_token) {
        adopt_login_tokens(login, &answer);
        valstorm_token_answer_clear(&answer);
        return;
    }
    login->email = g_strdup(answer.email ? answer.email : login->username);
    valstorm_token_answer_clear(&answer);
    if (!login->events.code_needed) {
        login_fail(login, API_AUTH,
                   "could not log in to Valstorm: the account needs a 2FA code and nothing can "
                   "ask for it here");
        return;
    }
    /* Last: the caller may submit the code (and the login end) inside. */
    login->events.code_needed(login, login->email, login->events.user);
}

struct valstorm_login *valstorm_login_start(struct session *session, const char *username,
                                            const char *password,
                                            const struct valstorm_login_events *events)
{
    struct valstorm_login *login = g_new0(struct valstorm_login, 1);
    login->session = session;
    if (events)
        login->events = *events;
    login->username = g_strdup(username ? username : "");
    if (!present(username) || !present(password)) {
        login_fail(login, API_INVALID_INPUT,
                   "give the e-mail address and the password of the Valstorm account: nothing "
                   "sent");
        return NULL;
    }
    const char *const pairs[] = {
        "grant_type", "password", "username", username, "password", password, NULL,
    };
    /* A login sends a new 2FA code each time: never re-sent by the engine. */
    if (!login_send(login, "/v1/oauth2/login", valstorm_form_encode(pairs),
                    "application/x-www-form-urlencoded", on_login_reply))
        return NULL;
    return login;
}

void valstorm_login_submit_code(struct valstorm_login *login, const char *code)
{
    if (!login || login->in_flight)
        return;
    if (!present(code) || !login->email) {
        login_fail(login, API_INVALID_INPUT,
                   "no 2FA code given: nothing sent; log in again when you have the code");
        return;
    }
    /* A code is good once: never re-sent by the engine. */
    login_send(login, "/v1/oauth2/verify-2fa", json_pair_body("email", login->email, "code", code),
               NULL, on_code_reply);
}

void valstorm_login_cancel(struct valstorm_login *login)
{
    if (!login)
        return;
    if (login->in_flight)
        login->cancelled = true;
    else
        login_fail(login, API_CANCELLED, "the Valstorm login was cancelled");
}
