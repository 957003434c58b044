/*
 * Zoho Accounts (zoho.md §2): reading token answers, device codes and device
 * polls, and wording OAuth errors for a person. Pure functions, see
 * zoho_parse.h. Zoho Accounts answers errors with HTTP 200 and an "error"
 * key, so success is the presence of access_token, never the status alone.
 * Never: a secret in a message (tokens, codes and the client secret are not
 * repeated; the client id is not a secret).
 */
#include <portalctl/zoho_parse.h>

#include <portalctl/json_read.h>
#include <portalctl/secrets.h>

#include <json-c/json.h>
#include <string.h>

/* Token lifetimes outside these bounds are not believed (seconds). */
#define TOKEN_LIFETIME_DEFAULT 3600.0
#define TOKEN_LIFETIME_MAX     86400.0
/* Device-flow defaults when Zoho leaves a time out (zoho.md §2). */
#define DEVICE_INTERVAL_DEFAULT_MS 5000
#define DEVICE_LIFETIME_DEFAULT_MS 300000

void zoho_token_clear(struct zoho_token *token)
{
    secret_value_free(token->access_token);
    secret_value_free(token->refresh_token);
    g_free(token->api_domain);
    memset(token, 0, sizeof(*token));
}

void zoho_device_code_clear(struct zoho_device_code *code)
{
    secret_value_free(code->device_code);
    g_free(code->user_code);
    g_free(code->verification_url);
    memset(code, 0, sizeof(*code));
}

long zoho_millis_or_seconds(long long value, long fallback_ms)
{
    if (value < 0)
        return fallback_ms;
    if (value < 1000)
        return (long)(value * 1000);
    return value > 24LL * 3600 * 1000 ? 24L * 3600 * 1000 : (long)value;
}

/* ---- errors --------------------------------------------------------------------- */

static const char *grant_name(enum zoho_grant grant)
{
    switch (grant) {
    case ZOHO_GRANT_REFRESH:
        return "refresh the access token";
    case ZOHO_GRANT_CODE:
        return "exchange the grant code";
    default:
        return "complete the device sign-in";
    }
}

static void invalid_code(const struct zoho_oauth_context *ctx, struct api_error *error)
{
    const char *name = ctx->connection ? ctx->connection : "CONNECTION";
    if (ctx->grant == ZOHO_GRANT_REFRESH)
        api_error_set(error, API_AUTH, 200, "invalid_code",
                      "Zoho refused the refresh token of %s (it was revoked, or belongs to "
                      "another client or data centre): run portalctl auth grant %s",
                      name, name);
    else if (ctx->grant == ZOHO_GRANT_CODE)
        api_error_set(error, API_AUTH, 200, "invalid_code",
                      "Zoho refused the grant code: it was used already, has expired (codes "
                      "last about 3 minutes) or was mistyped; generate a new one for the Self "
                      "Client and run portalctl auth grant %s again",
                      name);
    else
        api_error_set(error, API_AUTH, 200, "invalid_code",
                      "Zoho refused the device code: run portalctl auth grant %s again", name);
}

/* Maps Zoho Accounts' "error" value to *error, with advice. */
static void oauth_error(const struct zoho_oauth_context *ctx, long http_status, const char *code,
                        const char *description, struct api_error *error)
{
    const char *name = ctx->connection ? ctx->connection : "CONNECTION";
    char *clean_code = zoho_clean_text(code);
    if (strcmp(code, "invalid_code") == 0) {
        invalid_code(ctx, error);
    } else if (strcmp(code, "invalid_client") == 0) {
        char *client = zoho_clean_text(ctx->client_id ? ctx->client_id : "(none)");
        api_error_set(error, API_AUTH, http_status, clean_code,
                      "Zoho does not know the client id %s of %s: check client_id (and "
                      "data_centre) in the connection's settings",
                      client, name);
        g_free(client);
    } else if (strcmp(code, "invalid_client_secret") == 0) {
        api_error_set(error, API_AUTH, http_status, clean_code,
                      "Zoho refused the client secret of %s: store the right one with portalctl "
                      "auth set %s",
                      name, name);
    } else if (g_ascii_strcasecmp(code, "Access Denied") == 0) {
        api_error_set(error, API_NETWORK, http_status, clean_code,
                      "Zoho Accounts is throttling token requests (too many in a row): wait a "
                      "few minutes and try again");
    } else if (strcmp(code, "access_denied") == 0) {
        api_error_set(error, API_AUTH, http_status, clean_code,
                      "the sign-in was declined in the browser: run portalctl auth grant %s "
                      "again to retry",
                      name);
    } else if (strcmp(code, "expired") == 0) {
        api_error_set(error, API_AUTH, http_status, clean_code,
                      "the device code expired before it was approved: run portalctl auth "
                      "grant %s again",
                      name);
    } else {
        char *clean_description = description ? zoho_clean_text(description) : NULL;
        api_error_set(error, API_AUTH, http_status, clean_code,
                      "Zoho Accounts refused to %s: %s%s%s", grant_name(ctx->grant), clean_code,
                      clean_description ? ": " : "", clean_description ? clean_description : "");
        g_free(clean_description);
    }
    g_free(clean_code);
}

/* The parsed answer, or NULL with *error set. */
static json_object *read_accounts_answer(long http_status, const char *body, size_t len,
                                         const struct zoho_oauth_context *ctx,
                                         struct api_error *error)
{
    json_object *root = json_read_parse(body, len);
    bool failing = http_status == 429 || http_status >= 500; /* whatever the body says */
    if (json_object_is_type(root, json_type_object) && !failing)
        return root;
    json_object_put(root);
    if (failing)
        api_error_set(error, API_NETWORK, http_status, NULL,
                      "Zoho Accounts could not %s (HTTP %ld): try again later",
                      grant_name(ctx->grant), http_status);
    else
        api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                      "Zoho Accounts' answer (HTTP %ld) could not be read while trying to %s",
                      http_status, grant_name(ctx->grant));
    return NULL;
}

/* True (with *error set, and *code_out when given) when the answer has an
 * "error" key. */
static bool answer_is_error(json_object *root, long http_status,
                            const struct zoho_oauth_context *ctx, char **code_out,
                            struct api_error *error)
{
    char buf[JSON_READ_SCALAR_LEN], desc_buf[JSON_READ_SCALAR_LEN];
    const char *code = json_read_string(root, "error", buf);
    if (!code)
        return false;
    oauth_error(ctx, http_status, code, json_read_string(root, "error_description", desc_buf),
                error);
    if (code_out)
        *code_out = g_strdup(code);
    return true;
}

/* ---- tokens ------------------------------------------------------------------------ */

static double read_lifetime(json_object *root)
{
    char buf[JSON_READ_SCALAR_LEN];
    const char *text = json_read_string(root, "expires_in_sec", buf);
    if (!text) /* only without expires_in_sec is expires_in in seconds */
        text = json_read_string(root, "expires_in", buf);
    double seconds = text ? g_ascii_strtod(text, NULL) : TOKEN_LIFETIME_DEFAULT;
    if (!(seconds >= 1.0)) /* also NaN */
        return TOKEN_LIFETIME_DEFAULT;
    return seconds > TOKEN_LIFETIME_MAX ? TOKEN_LIFETIME_MAX : seconds;
}

static char *secret_string(json_object *root, const char *key)
{
    json_object *value = json_read_get(root, key);
    if (!json_object_is_type(value, json_type_string) || !json_object_get_string_len(value))
        return NULL;
    return g_strdup(json_object_get_string(value));
}

bool zoho_parse_token(long http_status, const char *body, size_t len,
                      const struct zoho_oauth_context *context, struct zoho_token *token,
                      char **oauth_error_code, struct api_error *error)
{
    memset(token, 0, sizeof(*token));
    if (oauth_error_code)
        *oauth_error_code = NULL;
    json_object *root = read_accounts_answer(http_status, body, len, context, error);
    if (!root)
        return false;
    bool ok = false;
    if (!answer_is_error(root, http_status, context, oauth_error_code, error)) {
        token->access_token = secret_string(root, "access_token");
        ok = token->access_token != NULL;
        if (ok) {
            token->refresh_token = secret_string(root, "refresh_token");
            token->api_domain = secret_string(root, "api_domain");
            token->expires_in = read_lifetime(root);
        } else {
            api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                          "Zoho Accounts answered without an access token while trying to %s",
                          grant_name(context->grant));
        }
    }
    json_object_put(root);
    return ok;
}

/* ---- device flow --------------------------------------------------------------------- */

static long long read_count(json_object *root, const char *key)
{
    char buf[JSON_READ_SCALAR_LEN];
    const char *text = json_read_string(root, key, buf);
    return text ? g_ascii_strtoll(text, NULL, 10) : -1;
}

bool zoho_parse_device_code(long http_status, const char *body, size_t len,
                            const struct zoho_oauth_context *context, struct zoho_device_code *out,
                            struct api_error *error)
{
    memset(out, 0, sizeof(*out));
    json_object *root = read_accounts_answer(http_status, body, len, context, error);
    if (!root)
        return false;
    bool ok = false;
    if (!answer_is_error(root, http_status, context, NULL, error)) {
        out->device_code = secret_string(root, "device_code");
        char *user_code = secret_string(root, "user_code");
        char *url = secret_string(root, "verification_url");
        if (!url)
            url = secret_string(root, "verification_uri"); /* RFC 8628's spelling */
        out->user_code = user_code ? zoho_clean_text(user_code) : NULL;
        out->verification_url = url ? zoho_clean_text(url) : NULL;
        g_free(user_code);
        g_free(url);
        out->interval_ms =
            zoho_millis_or_seconds(read_count(root, "interval"), DEVICE_INTERVAL_DEFAULT_MS);
        out->expires_in_ms =
            zoho_millis_or_seconds(read_count(root, "expires_in"), DEVICE_LIFETIME_DEFAULT_MS);
        ok = out->device_code && out->user_code && out->verification_url;
        if (!ok) {
            zoho_device_code_clear(out);
            api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                          "Zoho Accounts' device code answer lacks the device code, the user "
                          "code or the verification address");
        }
    }
    json_object_put(root);
    return ok;
}

static enum zoho_device_poll poll_error(json_object *root, const char *code, char **user_location,
                                        struct api_error *error)
{
    if (strcmp(code, "authorization_pending") == 0)
        return ZOHO_DEVICE_PENDING;
    if (strcmp(code, "slow_down") == 0)
        return ZOHO_DEVICE_SLOW_DOWN;
    if (strcmp(code, "other_dc") == 0) {
        char *location = secret_string(root, "user_location");
        if (location && zoho_data_centre_find(location)) {
            *user_location = location;
            return ZOHO_DEVICE_OTHER_DC;
        }
        g_free(location);
        api_error_set(error, API_BAD_RESPONSE, 200, "other_dc",
                      "Zoho Accounts says the account lives in another data centre but does "
                      "not name one portalctl knows");
    }
    return ZOHO_DEVICE_FAILED;
}

enum zoho_device_poll zoho_parse_device_poll(long http_status, const char *body, size_t len,
                                             const struct zoho_oauth_context *context,
                                             struct zoho_token *token, char **user_location,
                                             struct api_error *error)
{
    *user_location = NULL;
    char *code = NULL;
    if (zoho_parse_token(http_status, body, len, context, token, &code, error)) {
        if (token->refresh_token)
            return ZOHO_DEVICE_GRANTED;
        zoho_token_clear(token);
        api_error_set(error, API_BAD_RESPONSE, http_status, NULL,
                      "Zoho Accounts granted no refresh token (offline access was not given)");
        return ZOHO_DEVICE_FAILED;
    }
    if (!code)
        return ZOHO_DEVICE_FAILED;
    json_object *root = json_read_parse(body, len);
    enum zoho_device_poll result = poll_error(root, code, user_location, error);
    if (result != ZOHO_DEVICE_FAILED)
        api_error_clear(error); /* not a failure after all */
    json_object_put(root);
    g_free(code);
    return result;
}
