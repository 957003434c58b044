/*
 * portal-sim, Zoho CRM half: Zoho's answer shapes. Every answer is built as
 * text with GString (lists can hold hundreds of thousands of entries), in the
 * shapes of zoho.md section 3: {"code","details","message","status"} bare or
 * nested in the resource's array, and OAuth's {"error":…} with HTTP 200.
 * Never: decisions about which error applies (the handlers make those).
 */
#include <portalctl/sim/zoho_sim.h>

#include <string.h>

static void detail_key(GString *details, const char *key)
{
    if (details->len > 1)
        g_string_append_c(details, ',');
    sim_json_append_string(details, key);
    g_string_append_c(details, ':');
}

void zoho_sim_detail_string(GString *details, const char *key, const char *value)
{
    detail_key(details, key);
    sim_json_append_string(details, value);
}

void zoho_sim_detail_raw(GString *details, const char *key, const char *json)
{
    detail_key(details, key);
    g_string_append(details, json);
}

void zoho_sim_append_status(GString *out, const char *code, const char *details_json,
                            const char *message, bool success)
{
    g_string_append(out, "{\"code\":");
    sim_json_append_string(out, code);
    g_string_append(out, ",\"details\":");
    g_string_append(out, details_json ? details_json : "{}");
    g_string_append(out, ",\"message\":");
    sim_json_append_string(out, message);
    g_string_append(out, success ? ",\"status\":\"success\"}" : ",\"status\":\"error\"}");
}

static char *outcome_details(const struct zoho_sim_outcome *outcome)
{
    GString *details = g_string_new("{");
    if (outcome->detail_key)
        zoho_sim_detail_string(details, outcome->detail_key, outcome->detail_value);
    g_string_append_c(details, '}');
    return g_string_free(details, FALSE);
}

void zoho_sim_append_outcome(GString *out, const struct zoho_sim_outcome *outcome)
{
    char *details = outcome_details(outcome);
    zoho_sim_append_status(out, outcome->code, details, outcome->message,
                           outcome->http_status < 300);
    g_free(details);
}

void zoho_sim_reply_error(struct sim_response *resp, int status, const char *code,
                          const char *details_json, const char *message)
{
    GString *body = g_string_new(NULL);
    zoho_sim_append_status(body, code, details_json, message, false);
    sim_response_gstring(resp, status, body);
}

void zoho_sim_reply_error_detail(struct sim_response *resp, int status, const char *code,
                                 const char *detail_key_name, const char *detail_value,
                                 const char *message)
{
    struct zoho_sim_outcome outcome = {status, code, message, detail_key_name, detail_value};
    zoho_sim_reply_outcome(resp, &outcome);
}

void zoho_sim_reply_outcome(struct sim_response *resp, const struct zoho_sim_outcome *outcome)
{
    GString *body = g_string_new(NULL);
    zoho_sim_append_outcome(body, outcome);
    sim_response_gstring(resp, outcome->http_status, body);
}

void zoho_sim_reply_list(struct sim_response *resp, int status, const char *key, GString *entries)
{
    GString *body = g_string_sized_new(entries->len + 32);
    g_string_append_c(body, '{');
    sim_json_append_string(body, key);
    g_string_append(body, ":[");
    g_string_append_len(body, entries->str, (gssize)entries->len);
    g_string_append(body, "]}");
    g_string_free(entries, TRUE);
    sim_response_gstring(resp, status, body);
}

int zoho_sim_multi_status(size_t ok, size_t failed, int ok_status)
{
    if (!failed)
        return ok_status;
    return ok ? 207 : 400; /* Zoho's MULTI-STATUS for a partial success */
}

void zoho_sim_reply_missing_param(struct sim_response *resp, const char *param)
{
    zoho_sim_reply_error_detail(resp, 400, "REQUIRED_PARAM_MISSING", "param", param,
                                "One of the expected parameter is missing");
}

void zoho_sim_reply_json_parse_error(struct sim_response *resp)
{
    zoho_sim_reply_error(resp, 400, "JSON_PARSE_ERROR", NULL, "body is not a valid JSON");
}

void zoho_sim_reply_invalid_token(struct sim_response *resp)
{
    zoho_sim_reply_error(resp, 401, "INVALID_TOKEN", NULL, "invalid oauth token");
}

void zoho_sim_reply_no_permission(struct sim_response *resp, const char *permission)
{
    GString *details = g_string_new("{\"permissions\":[");
    sim_json_append_string(details, permission);
    g_string_append(details, "]}");
    zoho_sim_reply_error(resp, 403, "NO_PERMISSION", details->str, "Permission is invalid.");
    g_string_free(details, TRUE);
}

void zoho_sim_reply_invalid_path_part(struct sim_response *resp, size_t segment, const char *what)
{
    char index[24];
    snprintf(index, sizeof(index), "%zu", segment);
    GString *details = g_string_new("{");
    zoho_sim_detail_raw(details, "resource_path_index", index);
    g_string_append_c(details, '}');
    char *message = g_strdup_printf("the %s given seems to be invalid", what);
    zoho_sim_reply_error(resp, 400, "INVALID_DATA", details->str, message);
    g_free(message);
    g_string_free(details, TRUE);
}

void zoho_sim_reply_oauth_error(struct sim_response *resp, const char *error)
{
    GString *body = g_string_new("{\"error\":");
    sim_json_append_string(body, error);
    g_string_append_c(body, '}');
    sim_response_gstring(resp, 200, body); /* Zoho Accounts: errors come with HTTP 200 */
}

json_object *zoho_sim_parse_body(const struct sim_request *req, struct sim_response *resp)
{
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
    bool complete = json_tokener_get_error(tok) == json_tokener_success;
    for (size_t i = complete ? json_tokener_get_parse_end(tok) : 0; complete && i < req->body_len;
         i++)
        complete = g_ascii_isspace(req->body[i]); /* nothing but blanks after the value */
    json_tokener_free(tok);
    if (!obj || !complete || !json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        zoho_sim_reply_json_parse_error(resp);
        return NULL;
    }
    return obj;
}
