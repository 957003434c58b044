/*
 * portal-sim, Zoho CRM half: Zoho Accounts (zoho.md section 2). Owns the
 * simulated OAuth client, the grant code, refresh and access tokens, the
 * device flow and revocation, and answers whether a CRM request's token is
 * live. Never: CRM resources. OAuth errors come with HTTP 200 and an "error"
 * key, as Zoho Accounts sends them.
 */
#include <portalctl/sim/zoho_sim.h>

#include <string.h>

/* zoho.md section 8: the simulator's accounts. */
static const char sim_client_id[] = "sim-zoho-client";
static const char sim_client_secret[] = "sim-zoho-secret";
static const char sim_refresh_token[] = "sim-zoho-refresh";
static const char sim_read_only_refresh_token[] = "sim-zoho-readonly";
static const char sim_grant_code[] = "sim-zoho-grant";
static const char sim_user_code[] = "SIMU-0001";

typedef void oauth_handler(struct zoho_sim_state *st, const struct sim_request *req,
                           struct sim_response *resp);

struct oauth_route {
    const char *method;
    const char *path;
    oauth_handler *handler;
};

void zoho_sim_seed_accounts(struct zoho_sim_state *st)
{
    g_hash_table_insert(st->refresh_tokens, g_strdup(sim_refresh_token),
                        GINT_TO_POINTER(ZOHO_SIM_REFRESH_FULL));
    g_hash_table_insert(st->refresh_tokens, g_strdup(sim_read_only_refresh_token),
                        GINT_TO_POINTER(ZOHO_SIM_REFRESH_READ_ONLY));
}

/* "1000.<32 hex>.<32 hex>", the shape of Zoho's tokens. */
static char *new_token(struct zoho_sim_state *st, const char *prefix)
{
    GString *token = g_string_new(prefix);
    for (int part = 0; part < 2; part++) {
        if (part)
            g_string_append_c(token, '.');
        for (int i = 0; i < 4; i++)
            g_string_append_printf(token, "%08x", g_rand_int(st->token_random));
    }
    return g_string_free(token, FALSE);
}

static gboolean token_expired(gpointer key, gpointer value, gpointer now)
{
    (void)key;
    return ((struct zoho_sim_access_token *)value)->expires_at <= *(double *)now;
}

/* Mints an access token (and, when new_refresh is set, hands that out too). */
static void reply_tokens(struct zoho_sim_state *st, struct sim_response *resp,
                         const char *source_refresh, bool read_only, const char *new_refresh)
{
    double now = sim_now();
    g_hash_table_foreach_remove(st->access_tokens, token_expired, &now);
    struct zoho_sim_access_token *entry = g_new0(struct zoho_sim_access_token, 1);
    entry->expires_at = now + st->token_ttl;
    entry->read_only = read_only;
    entry->refresh_token = g_strdup(source_refresh);
    char *access = new_token(st, "1000.");
    g_hash_table_insert(st->access_tokens, access, entry);

    GString *body = g_string_new("{\"access_token\":");
    sim_json_append_string(body, access);
    if (new_refresh) {
        g_string_append(body, ",\"refresh_token\":");
        sim_json_append_string(body, new_refresh);
    }
    g_string_append(body, ",\"api_domain\":");
    sim_json_append_string(body, st->base_url);
    g_string_append_printf(body, ",\"token_type\":\"Bearer\",\"expires_in\":%d}", st->token_ttl);
    sim_response_gstring(resp, 200, body);
}

/* A new refresh token with full rights, answered together with its first access token. */
static void reply_new_grant(struct zoho_sim_state *st, struct sim_response *resp)
{
    char *refresh = new_token(st, "1000.");
    g_hash_table_insert(st->refresh_tokens, refresh, GINT_TO_POINTER(ZOHO_SIM_REFRESH_FULL));
    reply_tokens(st, resp, refresh, false, refresh);
}

static bool client_known(const struct sim_request *req, struct sim_response *resp)
{
    const char *client_id = sim_request_param(req, "client_id");
    if (!client_id || strcmp(client_id, sim_client_id) != 0) {
        zoho_sim_reply_oauth_error(resp, "invalid_client");
        return false;
    }
    return true;
}

static bool client_authenticated(const struct sim_request *req, struct sim_response *resp)
{
    if (!client_known(req, resp))
        return false;
    const char *secret = sim_request_param(req, "client_secret");
    if (!secret || strcmp(secret, sim_client_secret) != 0) {
        zoho_sim_reply_oauth_error(resp, "invalid_client_secret");
        return false;
    }
    return true;
}

static bool param_is(const struct sim_request *req, const char *name, const char *value)
{
    const char *got = sim_request_param(req, name);
    return got && strcmp(got, value) == 0;
}

/* POST /oauth/v2/token: the authorization-code and refresh-token grants. */
static void token_endpoint(struct zoho_sim_state *st, const struct sim_request *req,
                           struct sim_response *resp)
{
    if (!client_authenticated(req, resp))
        return;
    if (param_is(req, "grant_type", "authorization_code")) {
        /* The Self Client grant code works once per simulator run. */
        if (!param_is(req, "code", sim_grant_code) || st->grant_code_used) {
            zoho_sim_reply_oauth_error(resp, "invalid_code");
            return;
        }
        st->grant_code_used = true;
        reply_new_grant(st, resp);
    } else if (param_is(req, "grant_type", "refresh_token")) {
        const char *refresh = sim_request_param(req, "refresh_token");
        gpointer kind = refresh ? g_hash_table_lookup(st->refresh_tokens, refresh) : NULL;
        if (!kind) {
            zoho_sim_reply_oauth_error(resp, "invalid_code");
            return;
        }
        reply_tokens(st, resp, refresh, GPOINTER_TO_INT(kind) == ZOHO_SIM_REFRESH_READ_ONLY, NULL);
    } else {
        zoho_sim_reply_oauth_error(resp, "unsupported_grant_type");
    }
}

static gboolean device_code_expired(gpointer key, gpointer value, gpointer now)
{
    (void)key;
    const struct zoho_sim_device_code *code = value;
    return code->issued_at + ZOHO_SIM_DEVICE_LIFETIME_MS / 1000.0 < *(double *)now;
}

/* POST /oauth/v3/device/code: step 1 of the device flow. */
static void device_code_endpoint(struct zoho_sim_state *st, const struct sim_request *req,
                                 struct sim_response *resp)
{
    if (!client_known(req, resp))
        return;
    if (!param_is(req, "grant_type", "device_request")) {
        zoho_sim_reply_oauth_error(resp, "unsupported_grant_type");
        return;
    }
    const char *scope = sim_request_param(req, "scope");
    if (!scope || !scope[0]) {
        zoho_sim_reply_oauth_error(resp, "invalid_scope");
        return;
    }
    double now = sim_now();
    /* Codes nobody finished polling would pile up otherwise; they expire anyway. */
    g_hash_table_foreach_remove(st->device_codes, device_code_expired, &now);
    struct zoho_sim_device_code *entry = g_new0(struct zoho_sim_device_code, 1);
    entry->issued_at = now;
    entry->last_poll = now;
    char *code = new_token(st, "1004.");
    g_hash_table_insert(st->device_codes, code, entry);

    GString *body = g_string_new("{\"device_code\":");
    sim_json_append_string(body, code);
    g_string_append(body, ",\"user_code\":");
    sim_json_append_string(body, sim_user_code);
    g_string_append(body, ",\"verification_url\":");
    char *url = g_strconcat(st->base_url, "/oauth/v3/device", NULL);
    sim_json_append_string(body, url);
    g_free(url);
    g_string_append_printf(body, ",\"interval\":%d,\"expires_in\":%d}", ZOHO_SIM_DEVICE_INTERVAL_MS,
                           ZOHO_SIM_DEVICE_LIFETIME_MS);
    sim_response_gstring(resp, 200, body);
}

/* POST /oauth/v3/device/token: polled until the person has approved. The
 * simulator approves on the second poll that keeps to the interval; a poll
 * sooner than the interval after the code or the last poll gets slow_down
 * and does not count. */
static void device_token_endpoint(struct zoho_sim_state *st, const struct sim_request *req,
                                  struct sim_response *resp)
{
    if (!client_authenticated(req, resp))
        return;
    if (!param_is(req, "grant_type", "device_token")) {
        zoho_sim_reply_oauth_error(resp, "unsupported_grant_type");
        return;
    }
    const char *code = sim_request_param(req, "code");
    struct zoho_sim_device_code *entry = code ? g_hash_table_lookup(st->device_codes, code) : NULL;
    if (!entry) {
        zoho_sim_reply_oauth_error(resp, "invalid_code");
        return;
    }
    double now = sim_now();
    if (now > entry->issued_at + ZOHO_SIM_DEVICE_LIFETIME_MS / 1000.0) {
        g_hash_table_remove(st->device_codes, code);
        zoho_sim_reply_oauth_error(resp, "expired");
        return;
    }
    if ((now - entry->last_poll) * 1000.0 < ZOHO_SIM_DEVICE_INTERVAL_MS) {
        zoho_sim_reply_oauth_error(resp, "slow_down");
        return;
    }
    entry->last_poll = now;
    if (++entry->polls < 2) {
        zoho_sim_reply_oauth_error(resp, "authorization_pending");
        return;
    }
    g_hash_table_remove(st->device_codes, code); /* a device code yields one grant */
    reply_new_grant(st, resp);
}

/* GET /oauth/v3/device: where verification_url points. */
static void device_page(struct zoho_sim_state *st, const struct sim_request *req,
                        struct sim_response *resp)
{
    (void)st;
    (void)req;
    static const char page[] = "portal-sim: no browser step is needed; every device code is "
                               "approved on its second poll.\n";
    GString *body = g_string_new(page);
    sim_response_gstring(resp, 200, body);
    resp->content_type = "text/plain; charset=utf-8";
}

static gboolean minted_from(gpointer key, gpointer value, gpointer refresh)
{
    (void)key;
    const struct zoho_sim_access_token *token = value;
    return token->refresh_token && strcmp(token->refresh_token, refresh) == 0;
}

/* POST /oauth/v2/token/revoke?token=…: a refresh token and what it minted, or
 * one access token. Like RFC 7009, an unknown token is no error. */
static void revoke_endpoint(struct zoho_sim_state *st, const struct sim_request *req,
                            struct sim_response *resp)
{
    const char *token = sim_request_param(req, "token");
    if (!token || !token[0]) {
        zoho_sim_reply_oauth_error(resp, "invalid_request");
        return;
    }
    if (g_hash_table_contains(st->refresh_tokens, token)) {
        char *refresh = g_strdup(token);
        g_hash_table_remove(st->refresh_tokens, refresh);
        g_hash_table_foreach_remove(st->access_tokens, minted_from, refresh);
        g_free(refresh);
    } else {
        g_hash_table_remove(st->access_tokens, token);
    }
    sim_response_gstring(resp, 200, g_string_new("{\"status\":\"success\"}"));
}

static const struct oauth_route oauth_routes[] = {
    {"POST", "/oauth/v2/token", token_endpoint},
    {"POST", "/oauth/v2/token/revoke", revoke_endpoint},
    {"POST", "/oauth/v3/device/code", device_code_endpoint},
    {"POST", "/oauth/v3/device/token", device_token_endpoint},
    {"GET", "/oauth/v3/device", device_page},
};

void zoho_sim_handle_oauth(struct zoho_sim_state *st, const struct sim_request *req,
                           struct sim_response *resp)
{
    bool path_known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(oauth_routes); i++) {
        if (strcmp(oauth_routes[i].path, req->path) != 0)
            continue;
        path_known = true;
        if (strcmp(oauth_routes[i].method, req->method) == 0) {
            oauth_routes[i].handler(st, req, resp);
            return;
        }
    }
    if (path_known) {
        /* Zoho Accounts takes these only by POST; say so in its own error shape. */
        GString *body = g_string_new("{\"error\":\"invalid_request_method\"}");
        sim_response_gstring(resp, 405, body);
        return;
    }
    zoho_sim_reply_error(resp, 404, "INVALID_URL_PATTERN", NULL,
                         "Please check if the URL trying to access is a correct one");
}

const char *zoho_sim_request_token(const struct sim_request *req)
{
    static const char scheme[] = "Zoho-oauthtoken";
    const char *header = sim_request_header(req, "authorization");
    size_t n = sizeof(scheme) - 1;
    if (!header || g_ascii_strncasecmp(header, scheme, n) != 0 || header[n] != ' ')
        return NULL;
    const char *token = header + n;
    while (*token == ' ')
        token++;
    return token[0] ? token : NULL;
}

bool zoho_sim_token_valid(struct zoho_sim_state *st, const char *token, bool *read_only)
{
    struct zoho_sim_access_token *entry =
        token ? g_hash_table_lookup(st->access_tokens, token) : NULL;
    if (!entry || entry->expires_at <= sim_now())
        return false;
    *read_only = entry->read_only;
    return true;
}
