/*
 * Zoho OAuth for the adapter (see zoho_auth.h): the session's refresh grant,
 * the Self Client grant-code exchange and the device flow, all on the
 * session's engine through session_send_raw. Owns the access token's safety
 * margin and the device flow's clock. Never: a secret in a URL, a message or
 * anywhere but a form body that is wiped after sending; sleeping; the
 * keyring (session_secret does that).
 */
#include <portalctl/zoho_auth.h>

#include <portalctl/secrets.h>
#include <portalctl/zoho_parse.h>

#include <string.h>

/* An access token is not used in its last minute (tokens live an hour), or
 * in the second half of its life when it lives less than two minutes. */
#define TOKEN_MARGIN_SECONDS 60.0
/* RFC 8628 §3.5: after slow_down, poll this much less often. */
#define SLOW_DOWN_STEP_MS 5000
/* Polls lost to the network in a row before the device flow gives up. */
#define DEVICE_POLL_FAILURES_MAX 3

struct zoho_credentials {
    const char *client_id;
    const char *client_secret;
    const char *refresh_token;
};

/* ---- shared helpers ------------------------------------------------------------ */

static double now_seconds(void)
{
    return (double)g_get_real_time() / G_USEC_PER_SEC;
}

static struct zoho_oauth_context oauth_context(struct session *session, enum zoho_grant grant)
{
    const struct connection_config *config = session_config(session);
    struct zoho_oauth_context context = {grant, config->name, config->client_id};
    return context;
}

/* One secret of the connection, or false with *error set. */
static bool read_secret(struct session *session, enum secret_kind kind, const char *advice,
                        const char **out, struct api_error *error)
{
    GError *gerror = NULL;
    const char *name = session_config(session)->name;
    *out = session_secret(session, kind, &gerror);
    if (gerror) {
        api_error_set(error, API_AUTH, 0, NULL, "could not read the %s of %s from the keyring: %s",
                      secret_kind_name(kind), name, gerror->message);
        g_error_free(gerror);
        return false;
    }
    if (!*out || !(*out)[0]) {
        api_error_set(error, API_AUTH, 0, NULL, "%s has no %s stored: run %s %s", name,
                      secret_kind_name(kind), advice, name);
        return false;
    }
    return true;
}

static bool read_credentials(struct session *session, bool need_refresh_token,
                             struct zoho_credentials *credentials, struct api_error *error)
{
    memset(credentials, 0, sizeof(*credentials));
    const struct connection_config *config = session_config(session);
    credentials->client_id = config->client_id;
    if (!credentials->client_id || !credentials->client_id[0]) {
        api_error_set(error, API_AUTH, 0, NULL,
                      "%s has no client_id: add the Zoho client id to the connection's settings",
                      config->name);
        return false;
    }
    if (!read_secret(session, SECRET_KIND_CLIENT_SECRET, "portalctl auth set",
                     &credentials->client_secret, error))
        return false;
    return !need_refresh_token ||
           read_secret(session, SECRET_KIND_REFRESH_TOKEN, "portalctl auth grant",
                       &credentials->refresh_token, error);
}

/* Sends form (wiped afterwards: it carries secrets) to {accounts}{path}. */
static void send_form(struct session *session, const char *accounts, const char *path, char *form,
                      bool idempotent, session_raw_fn done, void *data)
{
    char *url = g_strconcat(accounts, path, NULL);
    struct vendor_call call = {
        .method = "POST",
        .url = url,
        .body = form,
        .content_type = "application/x-www-form-urlencoded",
        .idempotent = idempotent,
        .no_auth = true,
    };
    session_send_raw(session, &call, done, data);
    secret_wipe(form);
    g_free(form);
    g_free(url);
}

/* A transport failure talking to Zoho Accounts as *error; true when none. */
static bool accounts_reached(const struct net_response *res, struct api_error *error)
{
    if (res->error == NET_ERR_NONE)
        return true;
    enum api_error_kind kind = API_NETWORK;
    if (res->error == NET_ERR_TLS || res->error == NET_ERR_REFUSED_INSECURE)
        kind = API_TLS;
    else if (res->error == NET_ERR_CANCELLED)
        kind = API_CANCELLED;
    api_error_set(error, kind, res->status, net_error_name(res->error),
                  "could not reach Zoho Accounts: %s",
                  res->message[0] ? res->message : net_error_name(res->error));
    error->ambiguous = res->ambiguous;
    return false;
}

/* Takes a token answer into the session: api_domain, and the access token
 * with its safety margin. */
static void adopt_token(struct session *session, const struct zoho_token *token)
{
    if (token->api_domain)
        session_set_api_base(session, token->api_domain);
    double margin =
        token->expires_in < 2 * TOKEN_MARGIN_SECONDS ? token->expires_in / 2 : TOKEN_MARGIN_SECONDS;
    session_set_access_token(session, token->access_token,
                             now_seconds() + token->expires_in - margin);
}

/* ---- the session's auth ops -------------------------------------------------------- */

static void on_refresh_reply(struct session *session, const struct net_response *res, void *data)
{
    (void)data;
    struct api_error error;
    api_error_init(&error);
    struct zoho_oauth_context context = oauth_context(session, ZOHO_GRANT_REFRESH);
    struct zoho_token token;
    memset(&token, 0, sizeof(token));
    if (accounts_reached(res, &error) &&
        zoho_parse_token(res->status, res->body, res->body_len, &context, &token, NULL, &error))
        adopt_token(session, &token);
    zoho_token_clear(&token);
    session_auth_done(session, error.kind == API_OK ? NULL : &error);
    api_error_clear(&error);
}

static void zoho_refresh(struct session *session)
{
    struct api_error error;
    api_error_init(&error);
    struct zoho_credentials credentials;
    if (!read_credentials(session, true, &credentials, &error)) {
        session_auth_done(session, &error);
        api_error_clear(&error);
        return;
    }
    const char *const pairs[] = {
        "grant_type",          "refresh_token",           "client_id",
        credentials.client_id, "client_secret",           credentials.client_secret,
        "refresh_token",       credentials.refresh_token, NULL,
    };
    /* Re-sending a refresh only mints another token: safe to retry. */
    send_form(session, session_accounts_base(session), "/oauth/v2/token", zoho_form_encode(pairs),
              true, on_refresh_reply, NULL);
}

static bool zoho_needs_refresh(struct session *session)
{
    /* The expiry stored already has the safety margin taken off. */
    return !session_access_token(session) || now_seconds() >= session_access_expiry(session);
}

static void zoho_add_headers(struct session *session, GPtrArray *headers)
{
    const char *token = session_access_token(session);
    if (token)
        g_ptr_array_add(headers, g_strdup_printf("Authorization: Zoho-oauthtoken %s", token));
}

static bool zoho_is_auth_failure(const struct net_response *res)
{
    return zoho_is_token_refusal(res->status, res->body, res->body_len);
}

static const int zoho_credential_kinds[] = {SECRET_KIND_REFRESH_TOKEN, SECRET_KIND_CLIENT_SECRET,
                                            -1};

const struct vendor_auth_ops zoho_auth_ops = {
    .credential_kinds = zoho_credential_kinds,
    .add_headers = zoho_add_headers,
    .is_auth_failure = zoho_is_auth_failure,
    .refresh = zoho_refresh,
    .needs_refresh = zoho_needs_refresh,
};

/* ---- grants: what both ways end with ----------------------------------------------- */

static void report_grant(struct session *session, const struct zoho_token *token,
                         const char *data_centre, zoho_grant_done_fn done, void *user)
{
    adopt_token(session, token);
    struct zoho_grant_result result = {token->refresh_token, data_centre};
    done(&result, NULL, user);
}

/* ---- the Self Client grant code -------------------------------------------------------- */

struct code_exchange {
    zoho_grant_done_fn done;
    void *user;
};

static void on_code_reply(struct session *session, const struct net_response *res, void *data)
{
    struct code_exchange *exchange = data;
    struct api_error error;
    api_error_init(&error);
    struct zoho_oauth_context context = oauth_context(session, ZOHO_GRANT_CODE);
    struct zoho_token token;
    memset(&token, 0, sizeof(token));
    if (accounts_reached(res, &error) &&
        zoho_parse_token(res->status, res->body, res->body_len, &context, &token, NULL, &error)) {
        if (token.refresh_token)
            report_grant(session, &token, NULL, exchange->done, exchange->user);
        else
            api_error_set(&error, API_BAD_RESPONSE, res->status, NULL,
                          "Zoho Accounts exchanged the grant code but gave no refresh token");
    }
    if (error.kind != API_OK)
        exchange->done(NULL, &error, exchange->user);
    zoho_token_clear(&token);
    api_error_clear(&error);
    g_free(exchange);
}

void zoho_auth_exchange_code(struct session *session, const char *grant_code,
                             zoho_grant_done_fn done, void *user)
{
    struct api_error error;
    api_error_init(&error);
    struct zoho_credentials credentials;
    if (!grant_code || !grant_code[0])
        api_error_set(&error, API_INVALID_INPUT, 0, NULL, "the grant code is empty");
    if (error.kind != API_OK || !read_credentials(session, false, &credentials, &error)) {
        done(NULL, &error, user);
        api_error_clear(&error);
        return;
    }
    const char *const pairs[] = {
        "grant_type",
        "authorization_code",
        "client_id",
        credentials.client_id,
        "client_secret",
        credentials.client_secret,
        "code",
        grant_code,
        NULL,
    };
    struct code_exchange *exchange = g_new0(struct code_exchange, 1);
    exchange->done = done;
    exchange->user = user;
    /* A grant code works once: never re-sent. */
    send_form(session, session_accounts_base(session), "/oauth/v2/token", zoho_form_encode(pairs),
              false, on_code_reply, exchange);
}

/* ---- the device flow ------------------------------------------------------------------- */

struct zoho_device_flow {
    struct session *session;
    struct zoho_device_events events;
    char *accounts;    /* the accounts server polled (another one after other_dc) */
    char *data_centre; /* set after other_dc */
    struct zoho_device_code code;
    gint64 next_poll_us; /* monotonic clock; 0: no poll scheduled */
    gint64 deadline_us;
    long interval_ms;
    int failures_in_a_row;
    bool in_flight;
    bool finished;
    bool free_when_idle; /* zoho_device_flow_free came while a request was out */
};

static void device_finish(struct zoho_device_flow *flow, const struct zoho_token *token,
                          const struct api_error *error)
{
    if (flow->finished)
        return;
    flow->finished = true;
    flow->next_poll_us = 0;
    if (token)
        report_grant(flow->session, token, flow->data_centre, flow->events.done, flow->events.user);
    else
        flow->events.done(NULL, error, flow->events.user);
}

static void device_fail(struct zoho_device_flow *flow, enum api_error_kind kind,
                        const char *message)
{
    struct api_error error;
    api_error_init(&error);
    api_error_set(&error, kind, 0, NULL, "%s", message);
    device_finish(flow, NULL, &error);
    api_error_clear(&error);
}

static void device_schedule(struct zoho_device_flow *flow)
{
    flow->next_poll_us = g_get_monotonic_time() + (gint64)flow->interval_ms * 1000;
}

static void device_free_now(struct zoho_device_flow *flow)
{
    zoho_device_code_clear(&flow->code);
    g_free(flow->accounts);
    g_free(flow->data_centre);
    g_free(flow);
}

/* True when the flow was freed meanwhile (and is now gone). */
static bool device_reply_begins(struct zoho_device_flow *flow)
{
    flow->in_flight = false;
    if (!flow->free_when_idle)
        return false;
    device_free_now(flow);
    return true;
}

static void device_handle_poll(struct zoho_device_flow *flow, enum zoho_device_poll poll,
                               struct zoho_token *token, char *location,
                               const struct api_error *error)
{
    switch (poll) {
    case ZOHO_DEVICE_GRANTED:
        device_finish(flow, token, NULL);
        break;
    case ZOHO_DEVICE_SLOW_DOWN:
        flow->interval_ms += SLOW_DOWN_STEP_MS;
        device_schedule(flow);
        break;
    case ZOHO_DEVICE_OTHER_DC:
        g_free(flow->accounts);
        flow->accounts = g_strdup(zoho_data_centre_find(location)->accounts);
        g_free(flow->data_centre);
        flow->data_centre = g_strdup(location);
        device_schedule(flow);
        break;
    case ZOHO_DEVICE_PENDING:
        device_schedule(flow);
        break;
    default:
        device_finish(flow, NULL, error);
        break;
    }
}

static void on_device_poll_reply(struct session *session, const struct net_response *res,
                                 void *data)
{
    struct zoho_device_flow *flow = data;
    if (device_reply_begins(flow) || flow->finished)
        return;
    struct api_error error;
    api_error_init(&error);
    if (!accounts_reached(res, &error)) {
        /* A lost poll: try again at the next interval, a few times. */
        if (++flow->failures_in_a_row < DEVICE_POLL_FAILURES_MAX)
            device_schedule(flow);
        else
            device_finish(flow, NULL, &error);
        api_error_clear(&error);
        return;
    }
    flow->failures_in_a_row = 0;
    struct zoho_oauth_context context = oauth_context(session, ZOHO_GRANT_DEVICE);
    struct zoho_token token;
    char *location = NULL;
    enum zoho_device_poll poll = zoho_parse_device_poll(res->status, res->body, res->body_len,
                                                        &context, &token, &location, &error);
    device_handle_poll(flow, poll, &token, location, &error);
    zoho_token_clear(&token);
    g_free(location);
    api_error_clear(&error);
}

static void device_send_poll(struct zoho_device_flow *flow)
{
    struct api_error error;
    api_error_init(&error);
    struct zoho_credentials credentials;
    if (!read_credentials(flow->session, false, &credentials, &error)) {
        device_finish(flow, NULL, &error);
        api_error_clear(&error);
        return;
    }
    const char *const pairs[] = {
        "client_id",  credentials.client_id, "client_secret", credentials.client_secret,
        "grant_type", "device_token",        "code",          flow->code.device_code,
        NULL,
    };
    flow->next_poll_us = 0;
    flow->in_flight = true;
    /* Not repeated by the engine: an approved code yields one grant. */
    send_form(flow->session, flow->accounts, "/oauth/v3/device/token", zoho_form_encode(pairs),
              false, on_device_poll_reply, flow);
}

static void on_device_code_reply(struct session *session, const struct net_response *res,
                                 void *data)
{
    struct zoho_device_flow *flow = data;
    if (device_reply_begins(flow) || flow->finished)
        return;
    struct api_error error;
    api_error_init(&error);
    struct zoho_oauth_context context = oauth_context(session, ZOHO_GRANT_DEVICE);
    if (accounts_reached(res, &error) &&
        zoho_parse_device_code(res->status, res->body, res->body_len, &context, &flow->code,
                               &error)) {
        flow->interval_ms = flow->code.interval_ms;
        flow->deadline_us = g_get_monotonic_time() + (gint64)flow->code.expires_in_ms * 1000;
        device_schedule(flow);
        struct zoho_device_prompt prompt = {flow->code.user_code, flow->code.verification_url,
                                            flow->code.expires_in_ms};
        if (flow->events.prompt)
            flow->events.prompt(&prompt, flow->events.user);
    } else {
        device_finish(flow, NULL, &error);
    }
    api_error_clear(&error);
}

struct zoho_device_flow *zoho_device_flow_start(struct session *session,
                                                const struct zoho_device_events *events)
{
    struct zoho_device_flow *flow = g_new0(struct zoho_device_flow, 1);
    flow->session = session;
    flow->events = *events;
    flow->accounts = g_strdup(session_accounts_base(session));
    struct api_error error;
    api_error_init(&error);
    struct zoho_credentials credentials;
    if (!read_credentials(session, false, &credentials, &error)) {
        device_finish(flow, NULL, &error);
        api_error_clear(&error);
        return flow;
    }
    const char *const pairs[] = {
        "client_id", credentials.client_id, "grant_type",  "device_request",
        "scope",     ZOHO_SCOPES,           "access_type", "offline",
        NULL,
    };
    flow->in_flight = true;
    /* Asking again only makes another code: safe to retry. */
    send_form(session, flow->accounts, "/oauth/v3/device/code", zoho_form_encode(pairs), true,
              on_device_code_reply, flow);
    return flow;
}

int zoho_device_flow_timeout_ms(const struct zoho_device_flow *flow)
{
    if (flow->finished || flow->in_flight || !flow->next_poll_us)
        return -1;
    gint64 wait_us = flow->next_poll_us - g_get_monotonic_time();
    if (wait_us <= 0)
        return 0;
    return (int)MIN((wait_us + 999) / 1000, (gint64)G_MAXINT);
}

void zoho_device_flow_tick(struct zoho_device_flow *flow)
{
    if (flow->finished || flow->in_flight || !flow->next_poll_us)
        return;
    gint64 now = g_get_monotonic_time();
    if (now >= flow->deadline_us)
        device_fail(flow, API_AUTH,
                    "the device code expired before it was approved: run portalctl auth grant "
                    "again");
    else if (now >= flow->next_poll_us)
        device_send_poll(flow);
}

bool zoho_device_flow_finished(const struct zoho_device_flow *flow)
{
    return flow->finished;
}

int zoho_device_flow_run(struct zoho_device_flow *flow)
{
    struct net_engine *net = session_net(flow->session);
    while (!flow->finished) {
        int timeout = zoho_device_flow_timeout_ms(flow);
        if (timeout < 0 && net_engine_pending(net) == 0)
            break; /* nothing can move the flow on: cannot happen, but never hang */
        if (net_engine_wait(net, NULL, 0, timeout) < 0)
            return -1;
        net_engine_dispatch(net);
        zoho_device_flow_tick(flow);
    }
    return 0;
}

void zoho_device_flow_cancel(struct zoho_device_flow *flow)
{
    if (flow)
        device_fail(flow, API_CANCELLED, "cancelled");
}

void zoho_device_flow_free(struct zoho_device_flow *flow)
{
    if (!flow)
        return;
    if (!flow->finished)
        zoho_device_flow_cancel(flow);
    if (flow->in_flight)
        flow->free_when_idle = true; /* the reply frees it */
    else
        device_free_now(flow);
}
