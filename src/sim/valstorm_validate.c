/*
 * portal-sim, Valstorm: FastAPI/pydantic v2 request validation. Messages,
 * types and ctx objects are pydantic's own (checked against pydantic 2.x);
 * e-mail reasons are email-validator 2.x's. Owns no state and knows no
 * endpoint; never answers anything but 400 and 422.
 */
#include <portalctl/sim/valstorm_json.h>
#include <portalctl/sim/valstorm_validate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Python's json.loads and pydantic recurse; json-c must not stop earlier. */
#define PARSE_DEPTH 1000

/* email-validator's limits (RFC 5321) and the reserved names it refuses. */
#define EMAIL_LOCAL_MAX    64
#define EMAIL_DOMAIN_MAX   253
#define EMAIL_LABEL_MAX    63
#define EMAIL_TOTAL_MAX    254
#define PYDANTIC_EMAIL_MAX 2048
static const char *const special_use_domains[] = {"arpa",      "invalid", "local",
                                                  "localhost", "onion",   "test"};

/* --- reading the body --------------------------------------------------- */

/* FastAPI decodes JSON when there is no Content-Type or an application/json
 * or application/…+json one; any other body reaches pydantic as raw bytes. */
static bool content_type_is_json(const char *type)
{
    if (!type)
        return true;
    char *main = g_ascii_strdown(type, -1);
    char *semicolon = strchr(main, ';');
    if (semicolon)
        *semicolon = '\0';
    g_strstrip(main);
    bool json = strcmp(main, "application/json") == 0 ||
                (g_str_has_prefix(main, "application/") && g_str_has_suffix(main, "+json"));
    g_free(main);
    return json;
}

static json_object *json_invalid_errors(const char *text, const struct valstorm_json_error *e)
{
    json_object *loc = valstorm_loc_body();
    /* Python reports a character index, not a byte offset. */
    json_object_array_add(
        loc, json_object_new_int64(g_utf8_pointer_to_offset(text, text + e->byte_offset)));
    json_object *ctx = json_object_new_object();
    json_object_object_add(ctx, "error", json_object_new_string(e->message));
    json_object *errors = json_object_new_array();
    json_object *empty = json_object_new_object();
    valstorm_error_add(errors, "json_invalid", loc, "JSON decode error", empty, ctx);
    json_object_put(empty);
    return errors;
}

static enum valstorm_body_status parse_json_body(const char *text, size_t len, json_object **body,
                                                 json_object **errors)
{
    /* Starlette hands bytes to json.loads, which decodes them as utf-8-sig. */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (!g_utf8_validate_len(text, len, NULL))
        return VALSTORM_BODY_UNREADABLE;
    struct valstorm_json_error syntax;
    if (!valstorm_json_check(text, len, &syntax)) {
        if (syntax.too_deep)
            return VALSTORM_BODY_UNREADABLE;
        *errors = json_invalid_errors(text, &syntax);
        return VALSTORM_BODY_INVALID;
    }
    json_tokener *tok = json_tokener_new_ex(PARSE_DEPTH);
    if (!tok)
        abort();
    json_object *parsed = json_tokener_parse_ex(tok, text, (int)len);
    if (!parsed && json_tokener_get_error(tok) == json_tokener_continue)
        parsed = json_tokener_parse_ex(tok, "", 1); /* a top-level number needs an end */
    enum json_tokener_error err = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (err != json_tokener_success) {
        json_object_put(parsed);
        return VALSTORM_BODY_UNREADABLE; /* valid for Python, beyond json-c: rare */
    }
    *body = parsed;
    return VALSTORM_BODY_OK;
}

enum valstorm_body_status valstorm_read_body(const struct sim_request *req, json_object **body,
                                             json_object **errors)
{
    *body = NULL;
    *errors = NULL;
    if (req->body_len == 0)
        return VALSTORM_BODY_OK; /* FastAPI: no body at all is a missing body */
    if (!content_type_is_json(sim_request_header(req, "content-type"))) {
        if (!g_utf8_validate_len(req->body, req->body_len, NULL))
            return VALSTORM_BODY_UNREADABLE;
        *body = json_object_new_string_len(req->body, (int)req->body_len);
        return VALSTORM_BODY_OK;
    }
    return parse_json_body(req->body, req->body_len, body, errors);
}

/* --- building errors ------------------------------------------------------ */

json_object *valstorm_loc_body(void)
{
    json_object *loc = json_object_new_array();
    json_object_array_add(loc, json_object_new_string("body"));
    return loc;
}

static json_object *loc_copy(json_object *prefix)
{
    json_object *loc = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(prefix); i++)
        json_object_array_add(loc, json_object_get(json_object_array_get_idx(prefix, i)));
    return loc;
}

json_object *valstorm_loc_field(json_object *prefix, const char *field)
{
    json_object *loc = loc_copy(prefix);
    json_object_array_add(loc, json_object_new_string(field));
    return loc;
}

json_object *valstorm_loc_index(json_object *prefix, size_t index)
{
    json_object *loc = loc_copy(prefix);
    json_object_array_add(loc, json_object_new_int64((int64_t)index));
    return loc;
}

void valstorm_error_add(json_object *errors, const char *type, json_object *loc, const char *msg,
                        json_object *input, json_object *ctx)
{
    json_object *error = json_object_new_object();
    json_object_object_add(error, "type", json_object_new_string(type));
    json_object_object_add(error, "loc", loc);
    json_object_object_add(error, "msg", json_object_new_string(msg));
    json_object_object_add(error, "input", json_object_get(input));
    if (ctx)
        json_object_object_add(error, "ctx", ctx);
    json_object_array_add(errors, error);
}

static json_object *ctx_int(const char *key, int64_t value)
{
    json_object *ctx = json_object_new_object();
    json_object_object_add(ctx, key, json_object_new_int64(value));
    return ctx;
}

void valstorm_reply_validation(struct sim_response *resp, json_object *errors)
{
    json_object *answer = json_object_new_object();
    json_object_object_add(answer, "detail", errors);
    sim_response_json(resp, 422, answer);
}

/* --- e-mail addresses (email-validator 2.x, as pydantic's EmailStr) -------- */

static bool is_atext_or_dot(unsigned char c)
{
    /* RFC 5322 atext and the dots between atoms; bytes >= 0x80 are
     * internationalised characters, which email-validator allows. */
    return g_ascii_isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~.", c)) || c >= 0x80;
}

static bool is_hostname_char(unsigned char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '.' || c >= 0x80;
}

/* email-validator's safe_character_display for an ASCII character. */
static void display_char(unsigned char c, char out[16])
{
    if (c == ' ')
        snprintf(out, 16, "SPACE");
    else if (c == '\\')
        snprintf(out, 16, "\"\\\"");
    else if (c == '\'')
        snprintf(out, 16, "\"'\"");
    else if (c < 0x20 || c == 0x7f)
        snprintf(out, 16, "U+%04X", c);
    else
        snprintf(out, 16, "'%c'", c);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* "'<', SPACE": the refused characters, sorted and unique, as Python lists them. */
static bool bad_chars(const char *s, size_t len, bool (*allowed)(unsigned char), char *out,
                      size_t size)
{
    bool seen[128] = {false};
    char shown[128][16];
    size_t count = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!allowed(c) && c < 128 && !seen[c]) {
            seen[c] = true;
            display_char(c, shown[count++]);
        }
    }
    qsort(shown, count, sizeof(shown[0]), compare_strings);
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (i)
            g_strlcat(out, ", ", size);
        g_strlcat(out, shown[i], size);
    }
    return count > 0;
}

/* email-validator's check_dot_atom: the local part (hostname false) or the domain. */
static const char *dot_atom_problem(const char *s, size_t len, bool hostname)
{
    if (len > 0 && s[len - 1] == '.')
        return hostname ? "An email address cannot end with a period."
                        : "An email address cannot have a period immediately before the "
                          "@-sign.";
    if (len > 0 && s[0] == '.')
        return hostname ? "An email address cannot have a period immediately after the @-sign."
                        : "An email address cannot start with a period.";
    if (g_strstr_len(s, (gssize)len, ".."))
        return "An email address cannot have two periods in a row.";
    if (!hostname)
        return NULL;
    if (s[len - 1] == '-')
        return "An email address cannot end with a hyphen.";
    if (s[0] == '-')
        return "An email address cannot have a hyphen immediately after the @-sign.";
    if (g_strstr_len(s, (gssize)len, ".-") || g_strstr_len(s, (gssize)len, "-."))
        return "An email address cannot have a period and a hyphen next to each other.";
    return NULL;
}

static const char *local_part_problem(const char *local, size_t len, char *buf, size_t size)
{
    if (len == 0)
        return "There must be something before the @-sign.";
    size_t chars = (size_t)g_utf8_strlen(local, (gssize)len);
    if (chars > EMAIL_LOCAL_MAX) {
        size_t over = chars - EMAIL_LOCAL_MAX;
        snprintf(buf, size,
                 "The email address is too long before the @-sign (%zu character%s too many).",
                 over, over == 1 ? "" : "s");
        return buf;
    }
    char list[256];
    if (bad_chars(local, len, is_atext_or_dot, list, sizeof(list))) {
        snprintf(buf, size, "The email address contains invalid characters before the @-sign: %s.",
                 list);
        return buf;
    }
    return dot_atom_problem(local, len, false);
}

static const char *label_problem(const char *domain, char *buf, size_t size)
{
    /* Walks the labels in place: this runs for every invited person. */
    for (const char *label = domain;;) {
        const char *dot = strchr(label, '.');
        size_t len = dot ? (size_t)(dot - label) : strlen(label);
        if (len > EMAIL_LABEL_MAX) {
            size_t over = len - EMAIL_LABEL_MAX;
            snprintf(buf, size,
                     "After the @-sign, periods cannot be separated by so many characters "
                     "(%zu character%s too many).",
                     over, over == 1 ? "" : "s");
            return buf;
        }
        if (!dot)
            return NULL;
        label = dot + 1;
    }
}

static bool is_special_use(const char *domain)
{
    for (size_t i = 0; i < G_N_ELEMENTS(special_use_domains); i++) {
        const char *d = special_use_domains[i];
        size_t dl = strlen(d), len = strlen(domain);
        if (g_ascii_strcasecmp(domain, d) == 0 || (len > dl && domain[len - dl - 1] == '.' &&
                                                   g_ascii_strcasecmp(domain + len - dl, d) == 0))
            return true;
    }
    return false;
}

static const char *domain_problem(const char *domain, char *buf, size_t size)
{
    size_t len = strlen(domain);
    char list[256];
    if (len == 0)
        return "There must be something after the @-sign.";
    if (bad_chars(domain, len, is_hostname_char, list, sizeof(list))) {
        snprintf(buf, size, "The part after the @-sign contains invalid characters: %s.", list);
        return buf;
    }
    const char *problem = dot_atom_problem(domain, len, true);
    if (problem || (problem = label_problem(domain, buf, size)))
        return problem;
    if (len > EMAIL_DOMAIN_MAX)
        return "The email address is too long after the @-sign.";
    if (!strchr(domain, '.'))
        return "The part after the @-sign is not valid. It should have a period.";
    if (!g_ascii_isalpha(domain[len - 1]))
        return "The part after the @-sign is not valid. It is not within a valid top-level "
               "domain.";
    if (is_special_use(domain))
        return "The part after the @-sign is a special-use or reserved name that cannot be "
               "used with email.";
    return NULL;
}

const char *valstorm_email_problem(const char *email, char *buf, size_t size)
{
    size_t chars = (size_t)g_utf8_strlen(email, -1);
    if (chars > PYDANTIC_EMAIL_MAX) {
        snprintf(buf, size, "Length must not exceed %d characters", PYDANTIC_EMAIL_MAX);
        return buf;
    }
    char *trimmed = g_strstrip(g_strdup(email)); /* pydantic strips before validating */
    const char *at = strrchr(trimmed, '@');
    const char *problem = NULL;
    if (!at)
        problem = "An email address must have an @-sign.";
    else if (!(problem = local_part_problem(trimmed, (size_t)(at - trimmed), buf, size)))
        problem = domain_problem(at + 1, buf, size);
    if (!problem && g_utf8_strlen(trimmed, -1) > EMAIL_TOTAL_MAX) {
        size_t over = (size_t)g_utf8_strlen(trimmed, -1) - EMAIL_TOTAL_MAX;
        snprintf(buf, size, "The email address is too long (%zu character%s too many).", over,
                 over == 1 ? "" : "s");
        problem = buf;
    }
    if (problem && problem != buf) {
        g_strlcpy(buf, problem, size);
        problem = buf;
    }
    g_free(trimmed);
    return problem;
}

char *valstorm_email_normalized(const char *email)
{
    char *normal = g_strstrip(g_strdup(email));
    char *at = strrchr(normal, '@');
    for (char *p = at; p && *p; p++)
        *p = g_ascii_tolower(*p);
    return normal;
}

/* --- hostnames ------------------------------------------------------------ */

bool valstorm_is_hostname(const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len > 253)
        return false;
    bool label_empty = true;
    for (const char *p = text; *p; p++) {
        if (*p == '.') {
            if (label_empty)
                return false;
            label_empty = true;
        } else if (g_ascii_isalnum(*p) || *p == '-') {
            label_empty = false;
        } else {
            return false;
        }
    }
    return !label_empty;
}

/* --- models and fields ------------------------------------------------------ */

bool valstorm_check_body(json_object *body, json_object *errors)
{
    if (!body) {
        /* FastAPI: an absent (or null) body is a missing body. */
        valstorm_error_add(errors, "missing", valstorm_loc_body(), "Field required", NULL, NULL);
        return false;
    }
    return valstorm_check_model(body, valstorm_loc_body(), errors);
}

bool valstorm_check_model(json_object *value, json_object *loc, json_object *errors)
{
    if (!json_object_is_type(value, json_type_object)) {
        valstorm_error_add(errors, "model_attributes_type", loc,
                           "Input should be a valid dictionary or object to extract fields from",
                           value, NULL);
        return false;
    }
    json_object_put(loc);
    return true;
}

/* The text pydantic measures: trimmed of Unicode whitespace when strip is on. */
static size_t measured_length(const char *s, bool strip)
{
    const char *start = s, *end = s + strlen(s);
    while (strip && start < end && g_unichar_isspace(g_utf8_get_char(start)))
        start = g_utf8_next_char(start);
    while (strip && end > start) {
        const char *prev = g_utf8_prev_char(end);
        if (!g_unichar_isspace(g_utf8_get_char(prev)))
            break;
        end = prev;
    }
    return (size_t)g_utf8_strlen(start, end - start);
}

static void check_string_length(json_object *value, const struct valstorm_field_rule *rule,
                                json_object *loc, json_object *errors)
{
    size_t len = measured_length(json_object_get_string(value), rule->strip);
    char msg[96];
    if (rule->min_length && len < rule->min_length) {
        snprintf(msg, sizeof(msg), "String should have at least %zu character%s", rule->min_length,
                 rule->min_length == 1 ? "" : "s");
        valstorm_error_add(errors, "string_too_short", json_object_get(loc), msg, value,
                           ctx_int("min_length", (int64_t)rule->min_length));
    } else if (rule->max_length && len > rule->max_length) {
        snprintf(msg, sizeof(msg), "String should have at most %zu character%s", rule->max_length,
                 rule->max_length == 1 ? "" : "s");
        valstorm_error_add(errors, "string_too_long", json_object_get(loc), msg, value,
                           ctx_int("max_length", (int64_t)rule->max_length));
    }
}

static void check_email(json_object *value, json_object *loc, json_object *errors)
{
    char reason[512], msg[600];
    if (!valstorm_email_problem(json_object_get_string(value), reason, sizeof(reason)))
        return;
    snprintf(msg, sizeof(msg), "value is not a valid email address: %s", reason);
    json_object *ctx = json_object_new_object();
    json_object_object_add(ctx, "reason", json_object_new_string(reason));
    valstorm_error_add(errors, "value_error", json_object_get(loc), msg, value, ctx);
}

static void check_hostname(json_object *value, const char *field, json_object *loc,
                           json_object *errors)
{
    if (valstorm_is_hostname(json_object_get_string(value)))
        return;
    char msg[200];
    snprintf(msg, sizeof(msg),
             "Value error, %s must be a hostname such as help.example.com: letters, digits and "
             "hyphens in dot-separated labels, without scheme or path",
             field);
    valstorm_error_add(errors, "value_error", json_object_get(loc), msg, value, NULL);
}

static void check_field(json_object *object, const struct valstorm_field_rule *rule,
                        json_object *loc, json_object *errors)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(object, rule->name, &value)) {
        if (rule->required)
            valstorm_error_add(errors, "missing", json_object_get(loc), "Field required", object,
                               NULL);
        return;
    }
    if (!value && rule->nullable)
        return;
    if (!json_object_is_type(value, json_type_string)) {
        valstorm_error_add(errors, "string_type", json_object_get(loc),
                           "Input should be a valid string", value, NULL);
        return;
    }
    size_t before = json_object_array_length(errors);
    if (rule->kind != VALSTORM_FIELD_EMAIL)
        check_string_length(value, rule, loc, errors);
    if (json_object_array_length(errors) != before)
        return;
    if (rule->kind == VALSTORM_FIELD_EMAIL)
        check_email(value, loc, errors);
    else if (rule->kind == VALSTORM_FIELD_HOSTNAME)
        check_hostname(value, rule->name, loc, errors);
}

void valstorm_check_fields(json_object *object, const struct valstorm_field_rule *rules,
                           size_t count, json_object *prefix, json_object *errors)
{
    for (size_t i = 0; i < count; i++) {
        json_object *loc = valstorm_loc_field(prefix, rules[i].name);
        check_field(object, &rules[i], loc, errors);
        json_object_put(loc);
    }
}

static json_object *list_length_ctx(const char *bound, size_t limit, size_t actual)
{
    json_object *ctx = json_object_new_object();
    json_object_object_add(ctx, "field_type", json_object_new_string("List"));
    json_object_object_add(ctx, bound, json_object_new_int64((int64_t)limit));
    json_object_object_add(ctx, "actual_length", json_object_new_int64((int64_t)actual));
    return ctx;
}

bool valstorm_check_list(json_object *object, const char *field, size_t min, size_t max,
                         json_object *prefix, json_object *errors)
{
    json_object *value = NULL;
    json_object *loc = valstorm_loc_field(prefix, field);
    char msg[128];
    if (!json_object_object_get_ex(object, field, &value)) {
        valstorm_error_add(errors, "missing", loc, "Field required", object, NULL);
    } else if (!json_object_is_type(value, json_type_array)) {
        valstorm_error_add(errors, "list_type", loc, "Input should be a valid list", value, NULL);
    } else if (json_object_array_length(value) < min) {
        size_t n = json_object_array_length(value);
        snprintf(msg, sizeof(msg), "List should have at least %zu item%s after validation, not %zu",
                 min, min == 1 ? "" : "s", n);
        valstorm_error_add(errors, "too_short", loc, msg, value,
                           list_length_ctx("min_length", min, n));
    } else if (json_object_array_length(value) > max) {
        size_t n = json_object_array_length(value);
        snprintf(msg, sizeof(msg), "List should have at most %zu item%s after validation, not %zu",
                 max, max == 1 ? "" : "s", n);
        valstorm_error_add(errors, "too_long", loc, msg, value,
                           list_length_ctx("max_length", max, n));
    } else {
        json_object_put(loc);
        return true;
    }
    return false;
}
