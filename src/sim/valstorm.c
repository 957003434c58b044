/*
 * portal-sim, Valstorm: the vendor's /v1 API answered the way its FastAPI
 * service answers — the OAuth2 login with 2FA and refresh, bearer
 * authentication, the six portal endpoints of the seed, FastAPI's request
 * handling order (JSON decoding, then authentication, then validation, then
 * the handler) and its error shapes. Owns the route table and the
 * simulator's login accounts; the data lives in valstorm_store.c and the
 * 422 machinery in valstorm_validate.c. Never sleeps, never logs secrets.
 */
#include <portalctl/sim/sim.h>
#include <portalctl/sim/valstorm_store.h>
#include <portalctl/sim/valstorm_validate.h>

#include <string.h>
#include <time.h>

#define TWO_FA_CODE       "123456"
#define USERS_PER_INVITE  100
#define NAME_MAX_CHARS    100
#define DOMAIN_MAX_CHARS  253
#define MEMBER_JSON_BYTES 260 /* a typical PortalUserResponse, to size the big list once */

/* Accounts that can log in with a password (valstorm.md section 5). */
static const struct login_account {
    const char *email;
    const char *password;
    bool two_fa;
    enum valstorm_role role;
} login_accounts[] = {
    {"admin@sim.example", "Passw0rd!", true, VALSTORM_ROLE_ADMIN},
};

/* --- request schemas (valstorm.md section 3) ----------------------------- */

static const struct valstorm_field_rule portal_create_rules[] = {
    {"name", VALSTORM_FIELD_STRING, true, false, true, 1, NAME_MAX_CHARS},
    {"custom_domain", VALSTORM_FIELD_HOSTNAME, false, true, false, 0, DOMAIN_MAX_CHARS},
};
static const struct valstorm_field_rule portal_update_rules[] = {
    {"name", VALSTORM_FIELD_STRING, false, true, true, 1, NAME_MAX_CHARS},
    {"custom_domain", VALSTORM_FIELD_HOSTNAME, false, true, false, 0, DOMAIN_MAX_CHARS},
};
static const struct valstorm_field_rule invite_row_rules[] = {
    {"email", VALSTORM_FIELD_EMAIL, true, false, false, 0, 0},
    {"first_name", VALSTORM_FIELD_STRING, false, true, false, 0, NAME_MAX_CHARS},
    {"last_name", VALSTORM_FIELD_STRING, false, true, false, 0, NAME_MAX_CHARS},
};
static const struct valstorm_field_rule verify_2fa_rules[] = {
    {"email", VALSTORM_FIELD_STRING, true, false, false, 0, 0},
    {"code", VALSTORM_FIELD_STRING, true, false, false, 0, 0},
};
static const struct valstorm_field_rule pat_rules[] = {
    {"name", VALSTORM_FIELD_STRING, true, false, false, 1, NAME_MAX_CHARS},
};
#define PAT_DAYS_MIN 1
#define PAT_DAYS_MAX 365
static const struct valstorm_field_rule refresh_rules[] = {
    {"refresh_token", VALSTORM_FIELD_STRING, true, false, false, 0, 0},
};

/* --- one request -------------------------------------------------------------- */

#define MAX_PARAMS 2

struct call {
    struct valstorm_store *store;
    const struct sim_request *req;
    struct sim_response *resp;
    char *params[MAX_PARAMS]; /* path parameters in pattern order */
    json_object *body;        /* the decoded JSON body, NULL when none */
    enum valstorm_role role;  /* the bearer token's, once authorized */
};

static void reply_detail(struct sim_response *resp, int status, const char *detail)
{
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "detail", json_object_new_string(detail));
    sim_response_json(resp, status, answer);
}

static void reply_unauthorized(struct sim_response *resp, const char *detail)
{
    reply_detail(resp, 401, detail);
    g_strlcpy(resp->www_authenticate, "Bearer", sizeof(resp->www_authenticate));
}

static void reply_empty_object(struct sim_response *resp)
{
    sim_response_json(resp, 200, json_object_new_object());
}

static void reply_tokens(struct sim_response *resp, char *access, const char *refresh)
{
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "access_token", json_object_new_string(access));
    json_object_object_add(answer, "refresh_token", json_object_new_string(refresh));
    json_object_object_add(answer, "token_type", json_object_new_string("bearer"));
    sim_response_json(resp, 200, answer);
    g_free(access);
}

/* Answers 422 and returns true when errors holds anything; frees it otherwise. */
static bool reply_if_invalid(struct call *call, json_object *errors)
{
    if (json_object_array_length(errors) == 0) {
        json_object_put(errors);
        return false;
    }
    valstorm_reply_validation(call->resp, errors);
    return true;
}

/* A model body checked against one schema table; true when the answer is sent. */
static bool refuse_invalid_body(struct call *call, const struct valstorm_field_rule *rules,
                                size_t count)
{
    json_object *errors = json_object_new_array();
    if (valstorm_check_body(call->body, errors)) {
        json_object *loc = valstorm_loc_body();
        valstorm_check_fields(call->body, rules, count, loc, errors);
        json_object_put(loc);
    }
    return reply_if_invalid(call, errors);
}

static const char *body_string(const struct call *call, const char *field)
{
    json_object *value = NULL;
    json_object_object_get_ex(call->body, field, &value);
    return value ? json_object_get_string(value) : NULL;
}

/* Whitespace-trimmed copy, as pydantic's strip_whitespace keeps it (g_free). */
static char *stripped(const char *text)
{
    const char *start = text, *end = text + strlen(text);
    while (start < end && g_unichar_isspace(g_utf8_get_char(start)))
        start = g_utf8_next_char(start);
    while (end > start && g_unichar_isspace(g_utf8_get_char(g_utf8_prev_char(end))))
        end = g_utf8_prev_char(end);
    return g_strndup(start, (gsize)(end - start));
}

static struct valstorm_portal *find_portal_or_reply(struct call *call)
{
    struct valstorm_portal *portal = valstorm_portal_find(call->store, call->params[0]);
    if (!portal)
        reply_detail(call->resp, 404, "Portal not found");
    return portal;
}

static void reply_portal(struct sim_response *resp, int status,
                         const struct valstorm_portal *portal)
{
    GString *out = g_string_new(NULL);
    valstorm_append_portal(out, portal);
    sim_response_gstring(resp, status, out);
}

/* --- authentication endpoints -------------------------------------------------- */

static const struct login_account *find_login(const char *email)
{
    for (size_t i = 0; i < G_N_ELEMENTS(login_accounts); i++) {
        if (email && g_ascii_strcasecmp(login_accounts[i].email, email) == 0)
            return &login_accounts[i];
    }
    return NULL;
}

/* FastAPI reads form fields as absent when they are empty. */
static const char *form_field(const struct call *call, const char *name)
{
    const char *value = sim_pairs_get(&call->req->form, name);
    return value && *value ? value : NULL;
}

static void add_form_missing(json_object *errors, const char *field)
{
    json_object *loc = valstorm_loc_body();
    json_object_array_add(loc, json_object_new_string(field));
    valstorm_error_add(errors, "missing", loc, "Field required", NULL, NULL);
}

/* OAuth2PasswordRequestForm: grant_type (optional, "password"), username, password. */
static bool refuse_invalid_login_form(struct call *call)
{
    json_object *errors = json_object_new_array();
    const char *grant_type = form_field(call, "grant_type");
    if (grant_type && strcmp(grant_type, "password") != 0) {
        json_object *loc = valstorm_loc_body();
        json_object_array_add(loc, json_object_new_string("grant_type"));
        json_object *ctx = json_object_new_object();
        json_object_object_add(ctx, "pattern", json_object_new_string("^password$"));
        json_object *input = json_object_new_string(grant_type);
        valstorm_error_add(errors, "string_pattern_mismatch", loc,
                           "String should match pattern '^password$'", input, ctx);
        json_object_put(input);
    }
    if (!form_field(call, "username"))
        add_form_missing(errors, "username");
    if (!form_field(call, "password"))
        add_form_missing(errors, "password");
    return reply_if_invalid(call, errors);
}

static void handle_login(struct call *call)
{
    if (refuse_invalid_login_form(call))
        return;
    const struct login_account *account = find_login(form_field(call, "username"));
    if (!account || strcmp(account->password, form_field(call, "password")) != 0) {
        reply_unauthorized(call->resp, "Incorrect username or password");
        return;
    }
    if (!account->two_fa) {
        char *refresh = NULL;
        char *access = valstorm_token_issue(call->store, account->role, &refresh);
        reply_tokens(call->resp, access, refresh);
        g_free(refresh);
        return;
    }
    valstorm_two_fa_start(call->store, account->email);
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "detail", json_object_new_string("2FA code sent"));
    json_object_object_add(answer, "two_fa_required", json_object_new_boolean(1));
    json_object_object_add(answer, "email", json_object_new_string(account->email));
    sim_response_json(call->resp, 200, answer);
}

static void handle_verify_2fa(struct call *call)
{
    if (refuse_invalid_body(call, verify_2fa_rules, G_N_ELEMENTS(verify_2fa_rules)))
        return;
    const char *email = body_string(call, "email");
    const struct login_account *account = find_login(email);
    if (!account || !account->two_fa || !valstorm_two_fa_waiting(call->store, email) ||
        strcmp(body_string(call, "code"), TWO_FA_CODE) != 0) {
        reply_unauthorized(call->resp, "Invalid 2FA code");
        return;
    }
    valstorm_two_fa_clear(call->store, email);
    char *refresh = NULL;
    char *access = valstorm_token_issue(call->store, account->role, &refresh);
    reply_tokens(call->resp, access, refresh);
    g_free(refresh);
}

static void handle_refresh(struct call *call)
{
    if (refuse_invalid_body(call, refresh_rules, G_N_ELEMENTS(refresh_rules)))
        return;
    const char *refresh = body_string(call, "refresh_token");
    enum valstorm_role role;
    if (!valstorm_token_role(call->store, refresh, VALSTORM_TOKEN_REFRESH, &role)) {
        reply_unauthorized(call->resp, "Invalid refresh token");
        return;
    }
    /* The refresh token stays valid: the answer hands the same one back. */
    reply_tokens(call->resp, valstorm_token_issue(call->store, role, NULL), refresh);
}

/* --- portal endpoints ---------------------------------------------------------- */

static void handle_create_portal(struct call *call)
{
    if (refuse_invalid_body(call, portal_create_rules, G_N_ELEMENTS(portal_create_rules)))
        return;
    char *name = stripped(body_string(call, "name"));
    struct valstorm_portal *portal = valstorm_portal_add(
        call->store, NULL, name, body_string(call, "custom_domain"), (int64_t)time(NULL));
    g_free(name);
    reply_portal(call->resp, 201, portal);
}

/* PortalUpdateRequest's model validator: a name, or a custom_domain (null
 * included: that clears it). */
static bool refuse_empty_update(struct call *call)
{
    bool has_name = body_string(call, "name") != NULL;
    bool has_domain = json_object_object_get_ex(call->body, "custom_domain", NULL);
    if (has_name || has_domain)
        return false;
    json_object *errors = json_object_new_array();
    valstorm_error_add(errors, "value_error", valstorm_loc_body(),
                       "Value error, at least one of name or custom_domain is required", call->body,
                       NULL);
    return reply_if_invalid(call, errors);
}

static void handle_update_portal(struct call *call)
{
    if (refuse_invalid_body(call, portal_update_rules, G_N_ELEMENTS(portal_update_rules)) ||
        refuse_empty_update(call))
        return;
    struct valstorm_portal *portal = find_portal_or_reply(call);
    if (!portal)
        return;
    const char *name = body_string(call, "name");
    char *clean_name = name ? stripped(name) : NULL;
    valstorm_portal_set(portal, clean_name,
                        json_object_object_get_ex(call->body, "custom_domain", NULL),
                        body_string(call, "custom_domain"), (int64_t)time(NULL));
    g_free(clean_name);
    reply_portal(call->resp, 200, portal);
}

static void handle_delete_portal(struct call *call)
{
    struct valstorm_portal *portal = find_portal_or_reply(call);
    if (!portal)
        return;
    valstorm_portal_remove(call->store, portal);
    reply_empty_object(call->resp);
}

/* PortalUserInviteRequest: users, 1..100 rows; every row's errors in one answer. */
static bool refuse_invalid_invite(struct call *call)
{
    json_object *errors = json_object_new_array();
    json_object *body_loc = valstorm_loc_body();
    if (valstorm_check_body(call->body, errors) &&
        valstorm_check_list(call->body, "users", 1, USERS_PER_INVITE, body_loc, errors)) {
        json_object *users = json_object_object_get(call->body, "users");
        json_object *users_loc = valstorm_loc_field(body_loc, "users");
        for (size_t i = 0; i < json_object_array_length(users); i++) {
            json_object *row = json_object_array_get_idx(users, i);
            json_object *row_loc = valstorm_loc_index(users_loc, i);
            if (valstorm_check_model(row, json_object_get(row_loc), errors))
                valstorm_check_fields(row, invite_row_rules, G_N_ELEMENTS(invite_row_rules),
                                      row_loc, errors);
            json_object_put(row_loc);
        }
        json_object_put(users_loc);
    }
    json_object_put(body_loc);
    return reply_if_invalid(call, errors);
}

struct invite_answer {
    GString *invited;
    GString *linked;
    GString *failed;
    struct valstorm_time_cache times;
};

/* The lists start as "[" and are closed when the answer is put together. */
static void append_separator(GString *list)
{
    if (list->len > 1)
        g_string_append_c(list, ',');
}

static void invite_row(struct call *call, struct valstorm_portal *portal, json_object *row,
                       struct invite_answer *answer, int64_t now)
{
    char *email =
        valstorm_email_normalized(json_object_get_string(json_object_object_get(row, "email")));
    const struct valstorm_account *account = valstorm_account_by_email(call->store, email);
    GString *list = answer->linked;
    if (account && valstorm_portal_has_member(portal, account)) {
        append_separator(answer->failed);
        g_string_append(answer->failed, "{\"email\":");
        sim_json_append_string(answer->failed, email);
        g_string_append(answer->failed, ",\"detail\":\"Already a member of this portal\"}");
        g_free(email);
        return;
    }
    if (!account) {
        json_object *first = json_object_object_get(row, "first_name");
        json_object *last = json_object_object_get(row, "last_name");
        account = valstorm_account_add(call->store, NULL, email,
                                       first ? json_object_get_string(first) : NULL,
                                       last ? json_object_get_string(last) : NULL);
        list = answer->invited;
    }
    valstorm_portal_add_member(portal, account, now);
    const struct valstorm_member *member =
        &g_array_index(portal->members, struct valstorm_member, portal->members->len - 1);
    append_separator(list);
    valstorm_append_member(list, portal, member, &answer->times);
    g_free(email);
}

static void handle_invite(struct call *call)
{
    if (refuse_invalid_invite(call))
        return;
    struct valstorm_portal *portal = find_portal_or_reply(call);
    if (!portal)
        return;
    json_object *users = json_object_object_get(call->body, "users");
    size_t count = json_object_array_length(users);
    /* Sized once (the answer is built under the state lock: no regrowing). */
    struct invite_answer answer = {g_string_sized_new(count * MEMBER_JSON_BYTES + 2),
                                   g_string_sized_new(count * MEMBER_JSON_BYTES + 2),
                                   g_string_new("["),
                                   {0, ""}};
    g_string_append_c(answer.invited, '[');
    g_string_append_c(answer.linked, '[');
    int64_t now = (int64_t)time(NULL);
    for (size_t i = 0; i < count; i++)
        invite_row(call, portal, json_object_array_get_idx(users, i), &answer, now);
    GString *out =
        g_string_sized_new(answer.invited->len + answer.linked->len + answer.failed->len + 48);
    g_string_append(out, "{\"invited\":");
    g_string_append_len(out, answer.invited->str, (gssize)answer.invited->len);
    g_string_append(out, "],\"linked\":");
    g_string_append_len(out, answer.linked->str, (gssize)answer.linked->len);
    g_string_append(out, "],\"failed\":");
    g_string_append_len(out, answer.failed->str, (gssize)answer.failed->len);
    g_string_append(out, "]}");
    g_string_free(answer.invited, TRUE);
    g_string_free(answer.linked, TRUE);
    g_string_free(answer.failed, TRUE);
    sim_response_gstring(call->resp, 201, out);
}

static void handle_list_users(struct call *call)
{
    struct valstorm_portal *portal = find_portal_or_reply(call);
    if (!portal)
        return;
    GString *out = g_string_sized_new(16 + (gsize)portal->members->len * MEMBER_JSON_BYTES);
    struct valstorm_time_cache times = {0, ""};
    g_string_append_c(out, '[');
    for (guint i = 0; i < portal->members->len; i++) {
        if (i)
            g_string_append_c(out, ',');
        valstorm_append_member(out, portal,
                               &g_array_index(portal->members, struct valstorm_member, i), &times);
    }
    g_string_append_c(out, ']');
    sim_response_gstring(call->resp, 200, out);
}

static void handle_remove_user(struct call *call)
{
    struct valstorm_portal *portal = find_portal_or_reply(call);
    if (!portal)
        return;
    const struct valstorm_account *account = valstorm_account_by_id(call->store, call->params[1]);
    if (!account || !valstorm_portal_remove_member(portal, account)) {
        reply_detail(call->resp, 404, "User not found");
        return;
    }
    reply_empty_object(call->resp);
}

/* --- personal access tokens ------------------------------------------------------ */

/* pydantic v2's lax int for expires_in_days: integers, integral floats,
 * booleans and integer strings are accepted. False after adding the error. */
static bool pat_days_as_int(json_object *value, json_object *loc, json_object *errors,
                            int64_t *days)
{
    const char *text = json_object_get_string(value);
    char *end = NULL;
    double real = json_object_get_double(value);
    switch (json_object_get_type(value)) {
    case json_type_int:
    case json_type_boolean:
        *days = json_object_get_int64(value);
        return true;
    case json_type_double:
        /* Beyond 2^53 every double is a whole number; within it the cast is exact. */
        if (real > -9007199254740992.0 && real < 9007199254740992.0 &&
            real != (double)(int64_t)real) {
            valstorm_error_add(errors, "int_from_float", json_object_get(loc),
                               "Input should be a valid integer, got a number with a "
                               "fractional part",
                               value, NULL);
            return false;
        }
        /* Clamped before the cast (which would overflow), the range check reports it. */
        *days = real < 0 ? -1 : real > PAT_DAYS_MAX ? PAT_DAYS_MAX + 1 : (int64_t)real;
        return true;
    case json_type_string:
        *days = g_ascii_strtoll(text, &end, 10);
        if (*text && !*end)
            return true;
        valstorm_error_add(errors, "int_parsing", json_object_get(loc),
                           "Input should be a valid integer, unable to parse string as an "
                           "integer",
                           value, NULL);
        return false;
    default:
        valstorm_error_add(errors, "int_type", json_object_get(loc),
                           "Input should be a valid integer", value, NULL);
        return false;
    }
}

/* expires_in_days: Optional[int] with ge=1, le=365. */
static void check_pat_days(json_object *value, json_object *errors, int64_t *days)
{
    json_object *loc = valstorm_loc_body();
    json_object_array_add(loc, json_object_new_string("expires_in_days"));
    if (pat_days_as_int(value, loc, errors, days) &&
        (*days < PAT_DAYS_MIN || *days > PAT_DAYS_MAX)) {
        bool low = *days < PAT_DAYS_MIN;
        int bound = low ? PAT_DAYS_MIN : PAT_DAYS_MAX;
        json_object *ctx = json_object_new_object();
        json_object_object_add(ctx, low ? "ge" : "le", json_object_new_int(bound));
        char *msg = g_strdup_printf("Input should be %s than or equal to %d",
                                    low ? "greater" : "less", bound);
        valstorm_error_add(errors, low ? "greater_than_equal" : "less_than_equal",
                           json_object_get(loc), msg, value, ctx);
        g_free(msg);
    }
    json_object_put(loc);
}

/* POST /v1/auth/pats: a new token acting with the caller's role. The token is
 * shown in this answer only, as the app shows it once. */
static void handle_create_pat(struct call *call)
{
    json_object *errors = json_object_new_array();
    int64_t days = 0;
    if (valstorm_check_body(call->body, errors)) {
        json_object *loc = valstorm_loc_body();
        valstorm_check_fields(call->body, pat_rules, G_N_ELEMENTS(pat_rules), loc, errors);
        json_object_put(loc);
        json_object *value = NULL;
        if (json_object_object_get_ex(call->body, "expires_in_days", &value) && value)
            check_pat_days(value, errors, &days);
    }
    if (reply_if_invalid(call, errors))
        return;
    int64_t now = (int64_t)time(NULL);
    const struct valstorm_pat *pat =
        valstorm_pat_add(call->store, NULL, body_string(call, "name"), NULL, call->role, now,
                         days ? now + days * 86400 : 0);
    char created[SIM_TIME_LEN], expires[SIM_TIME_LEN];
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "id", json_object_new_string(pat->id));
    json_object_object_add(answer, "name", json_object_new_string(pat->name));
    json_object_object_add(answer, "token", json_object_new_string(pat->token));
    json_object_object_add(answer, "created_date",
                           json_object_new_string(sim_format_time((time_t)pat->created, created)));
    json_object_object_add(
        answer, "expires_date",
        pat->expires ? json_object_new_string(sim_format_time((time_t)pat->expires, expires))
                     : NULL);
    sim_response_json(call->resp, 201, answer);
}

/* --- routing ------------------------------------------------------------------- */

enum need_auth {
    AUTH_NONE,
    AUTH_ANY,   /* any valid bearer token */
    AUTH_ADMIN, /* a token of a production organization administrator */
};

struct route {
    const char *method;
    const char *pattern; /* "{name}" matches one non-empty path segment */
    bool json_body;      /* FastAPI decodes the body before anything else */
    enum need_auth auth; /* FastAPI's security dependency, if any */
    void (*handler)(struct call *call);
};

static const struct route routes[] = {
    {"POST", "/v1/oauth2/login", false, AUTH_NONE, handle_login},
    {"POST", "/v1/oauth2/verify-2fa", true, AUTH_NONE, handle_verify_2fa},
    {"POST", "/v1/oauth2/refresh", true, AUTH_NONE, handle_refresh},
    {"POST", "/v1/auth/pats", true, AUTH_ANY, handle_create_pat},
    {"POST", "/v1/portal", true, AUTH_ADMIN, handle_create_portal},
    {"PATCH", "/v1/portal/{portal_id}", true, AUTH_ADMIN, handle_update_portal},
    {"DELETE", "/v1/portal/{portal_id}", false, AUTH_ADMIN, handle_delete_portal},
    {"POST", "/v1/portal/{portal_id}/users", true, AUTH_ADMIN, handle_invite},
    {"GET", "/v1/portal/{portal_id}/users", false, AUTH_ADMIN, handle_list_users},
    {"DELETE", "/v1/portal/{portal_id}/users/{user_id}", false, AUTH_ADMIN, handle_remove_user},
};

static void clear_params(char *params[MAX_PARAMS])
{
    for (int i = 0; i < MAX_PARAMS; i++) {
        g_free(params[i]);
        params[i] = NULL;
    }
}

/* Starlette's path match: literal segments equal, parameters non-empty. */
static bool path_matches(const char *pattern, const char *path, char *params[MAX_PARAMS])
{
    char **want = g_strsplit(pattern, "/", -1);
    char **got = g_strsplit(path, "/", -1);
    bool match = g_strv_length(want) == g_strv_length(got);
    int captured = 0;
    for (size_t i = 0; match && want[i]; i++) {
        if (want[i][0] != '{') {
            match = strcmp(want[i], got[i]) == 0;
        } else {
            match = got[i][0] != '\0' && captured < MAX_PARAMS;
            if (match)
                params[captured++] = g_strdup(got[i]);
        }
    }
    g_strfreev(want);
    g_strfreev(got);
    if (!match)
        clear_params(params);
    return match;
}

static bool method_matches(const char *route_method, const char *method)
{
    /* Starlette serves HEAD wherever it serves GET. */
    return strcmp(route_method, method) == 0 ||
           (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

/* The route for the request; *path_known tells 405 from 404 when there is none. */
static const struct route *find_route(const struct sim_request *req, char *params[MAX_PARAMS],
                                      bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(routes); i++) {
        if (!path_matches(routes[i].pattern, req->path, params))
            continue;
        *path_known = true;
        if (method_matches(routes[i].method, req->method))
            return &routes[i];
        clear_params(params);
    }
    return NULL;
}

/* OAuth2PasswordBearer: "Bearer" (any case), one space, then the token. */
static const char *bearer_token(const struct sim_request *req)
{
    const char *header = sim_request_header(req, "authorization");
    const char *space = header ? strchr(header, ' ') : NULL;
    if (!space || (size_t)(space - header) != 6 || g_ascii_strncasecmp(header, "bearer", 6) != 0)
        return NULL;
    return space + 1;
}

/* FastAPI's security dependency; true when the request may go on. */
static bool authorize(struct call *call, enum need_auth need)
{
    const char *token = bearer_token(call->req);
    enum valstorm_role role;
    if (!token) {
        reply_unauthorized(call->resp, "Not authenticated");
        return false;
    }
    if (!valstorm_token_role(call->store, token, VALSTORM_TOKEN_ACCESS, &role)) {
        reply_unauthorized(call->resp, "Could not validate credentials");
        return false;
    }
    call->role = role;
    if (need == AUTH_ADMIN && role != VALSTORM_ROLE_ADMIN) {
        reply_detail(call->resp, 403,
                     "Only production organization administrators can manage "
                     "portals");
        return false;
    }
    return true;
}

static bool read_body(struct call *call)
{
    json_object *errors = NULL;
    switch (valstorm_read_body(call->req, &call->body, &errors)) {
    case VALSTORM_BODY_OK:
        return true;
    case VALSTORM_BODY_INVALID:
        valstorm_reply_validation(call->resp, errors);
        return false;
    case VALSTORM_BODY_UNREADABLE:
        reply_detail(call->resp, 400, "There was an error parsing the body");
        return false;
    }
    return false;
}

static void valstorm_handle(void *state, const struct sim_request *req, struct sim_response *resp)
{
    struct call call = {.store = state, .req = req, .resp = resp};
    bool path_known = false;
    const struct route *route = find_route(req, call.params, &path_known);
    if (!route)
        reply_detail(resp, path_known ? 405 : 404, path_known ? "Method Not Allowed" : "Not Found");
    else if ((!route->json_body || read_body(&call)) &&
             (route->auth == AUTH_NONE || authorize(&call, route->auth)))
        route->handler(&call);
    json_object_put(call.body);
    clear_params(call.params);
}

/* --- the vendor table ----------------------------------------------------------- */

static bool valstorm_owns_path(const char *path)
{
    return g_str_has_prefix(path, "/v1/");
}

static void *valstorm_create(const struct sim_options *options)
{
    struct valstorm_store *store = valstorm_store_new(options->seed);
    valstorm_store_seed_demo(store);
    return store;
}

static void valstorm_destroy(void *state)
{
    valstorm_store_free(state);
}

static void valstorm_seed_users(void *state, size_t n)
{
    valstorm_store_seed_users(state, n);
}

static bool valstorm_save(void *state, FILE *out)
{
    return valstorm_state_save(state, out);
}

/* The server holds on to the state pointer, so the loaded store's contents
 * move into it and the old contents go. */
static bool valstorm_load(void *state, struct sim_json_stream *in, char **error)
{
    struct valstorm_store *loaded = valstorm_state_load(in, error);
    if (!loaded)
        return false;
    struct valstorm_store *store = state;
    struct valstorm_store old = *store;
    *store = *loaded;
    store->access_token_ttl = old.access_token_ttl;
    *loaded = old;
    valstorm_store_free(loaded);
    return true;
}

static void valstorm_error(enum sim_error_kind kind, const struct sim_request *req,
                           struct sim_response *resp)
{
    (void)req; /* one error shape for every path */
    static const struct {
        int status;
        const char *detail;
    } answers[] = {
        [SIM_ERROR_INTERNAL] = {500, "Internal Server Error"},
        [SIM_ERROR_UNAVAILABLE] = {503, "Service Unavailable"},
        [SIM_ERROR_RATE_LIMITED] = {429, "Too Many Requests"},
        [SIM_ERROR_NOT_FOUND] = {404, "Not Found"},
    };
    reply_detail(resp, answers[kind].status, answers[kind].detail);
}

static const char *valstorm_credential(const struct sim_request *req)
{
    return bearer_token(req);
}

const struct sim_vendor sim_vendor_valstorm = {
    .name = "valstorm",
    .owns_path = valstorm_owns_path,
    .create = valstorm_create,
    .destroy = valstorm_destroy,
    .seed_users = valstorm_seed_users,
    .save = valstorm_save,
    .load = valstorm_load,
    .handle = valstorm_handle,
    .error = valstorm_error,
    .credential = valstorm_credential,
};
