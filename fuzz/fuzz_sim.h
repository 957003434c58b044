/*
 * Shared by the fuzz_sim_* targets: turns the fuzzer's bytes into a series
 * of HTTP requests for one simulated vendor and checks every answer. A
 * hostile client must not crash portal-sim, nor make it send an answer that
 * is not what it claims (a JSON content type with a body that is not JSON).
 *
 * Input: requests separated by a line "%%"; each is
 *
 *     METHOD PATH[?QUERY]
 *     Name: value          (any number of header lines)
 *
 *     body
 *
 * as the server would build it (src/sim/server.c): header names lower-cased,
 * the query decoded, a form-urlencoded body decoded into the form fields.
 * "{{token}}" in a header value stands for the last access_token any answer
 * of this run gave, so a run can log in and then use its token. Each run
 * starts from a fresh vendor state (seed 1): runs are repeatable.
 */
#ifndef PORTALCTL_FUZZ_SIM_H
#define PORTALCTL_FUZZ_SIM_H

#include "fuzz.h"

#include <json-c/json.h>

#include <portalctl/sim/sim.h>

#define FUZZ_SIM_MAX_REQUESTS 16

struct fuzz_sim_run {
    const struct sim_vendor *vendor;
    void *state;
    char *token; /* the last access_token seen, or NULL */
};

static inline void fuzz_sim_add_params(struct sim_pairs *pairs, const char *text, gssize len)
{
    GHashTable *params = g_uri_parse_params(text, len, "&", G_URI_PARAMS_WWW_FORM, NULL);
    if (!params)
        return;
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, params);
    while (g_hash_table_iter_next(&iter, &key, &value))
        sim_pairs_add(pairs, key, value);
    g_hash_table_unref(params);
}

static inline char *fuzz_sim_expand(const struct fuzz_sim_run *run, const char *value)
{
    if (!run->token || !strstr(value, "{{token}}"))
        return g_strdup(value);
    GString *out = g_string_new(value);
    g_string_replace(out, "{{token}}", run->token, 0);
    return g_string_free(out, FALSE);
}

/* Remembers an access token from an answer, for "{{token}}". */
static inline void fuzz_sim_note_token(struct fuzz_sim_run *run, json_object *answer)
{
    json_object *token = NULL;
    if (json_object_is_type(answer, json_type_object) &&
        json_object_object_get_ex(answer, "access_token", &token) &&
        json_object_is_type(token, json_type_string)) {
        g_free(run->token);
        run->token = g_strdup(json_object_get_string(token));
    }
}

static inline void fuzz_sim_check_response(struct fuzz_sim_run *run,
                                           const struct sim_response *resp)
{
    FUZZ_CHECK(resp->status >= 100 && resp->status <= 599);
    FUZZ_CHECK(resp->content_type != NULL);
    if (!resp->body)
        return;
    FUZZ_CHECK(strlen(resp->body) == resp->body_len);
    if (g_str_has_prefix(resp->content_type, "application/json") && resp->body_len > 0) {
        json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
        json_object *parsed = json_tokener_parse_ex(tok, resp->body, (int)resp->body_len);
        bool whole = json_tokener_get_error(tok) == json_tokener_success;
        for (size_t i = json_tokener_get_parse_end(tok); whole && i < resp->body_len; i++)
            whole = g_ascii_isspace(resp->body[i]);
        json_tokener_free(tok);
        if (!whole)
            fprintf(stderr, "answer %d is not JSON: %.200s\n", resp->status, resp->body);
        FUZZ_CHECK(whole);
        fuzz_sim_note_token(run, parsed);
        json_object_put(parsed);
    }
}

/* One request ("METHOD PATH\nheaders\n\nbody"), sent when the vendor owns
 * the path, as the server's dispatch would. */
static inline void fuzz_sim_send(struct fuzz_sim_run *run, const char *text, size_t len)
{
    const char *head_end = g_strstr_len(text, (gssize)len, "\n\n");
    size_t head_len = head_end ? (size_t)(head_end - text) : len;
    const char *body = head_end ? head_end + 2 : "";
    char *head = g_strndup(text, head_len);
    char **lines = g_strsplit(head, "\n", -1);
    char **request_line = g_strsplit(lines[0] ? lines[0] : "", " ", 2);
    const char *method = request_line[0] ? request_line[0] : "";
    char *target = g_strdup(request_line[0] && request_line[1] ? request_line[1] : "/");
    char *query = strchr(target, '?');
    if (query)
        *query++ = '\0';

    if (run->vendor->owns_path(target)) {
        struct sim_request req;
        sim_request_init(&req, method, target, body);
        req.body_len = head_end ? len - head_len - 2 : 0;
        for (char **line = lines[0] ? lines + 1 : lines; *line; line++) {
            char *colon = strchr(*line, ':');
            if (!colon)
                continue;
            char *name = g_ascii_strdown(*line, colon - *line);
            char *value = fuzz_sim_expand(run, g_strstrip(colon + 1));
            sim_pairs_add(&req.headers, name, value);
            g_free(value);
            g_free(name);
        }
        if (query)
            fuzz_sim_add_params(&req.query, query, -1);
        const char *type = sim_request_header(&req, "content-type");
        if (type && g_ascii_strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0)
            fuzz_sim_add_params(&req.form, req.body, (gssize)req.body_len);

        struct sim_response resp;
        sim_response_init(&resp);
        run->vendor->handle(run->state, &req, &resp);
        fuzz_sim_check_response(run, &resp);
        if (run->vendor->credential)
            (void)run->vendor->credential(&req);
        sim_response_clear(&resp);
        sim_request_clear(&req);
    }
    g_free(target);
    g_strfreev(request_line);
    g_strfreev(lines);
    g_free(head);
}

/* Sends every request of the input to a fresh state of vendor. prepare, when
 * given, runs first (e.g. to log in). */
static inline void fuzz_sim_run_input(const struct sim_vendor *vendor, const uint8_t *data,
                                      size_t size, void (*prepare)(struct fuzz_sim_run *run))
{
    struct sim_options options = {
        .base_url = "http://127.0.0.1:1", .zoho_token_ttl = 3600, .seed = 1};
    struct fuzz_sim_run run = {.vendor = vendor, .state = vendor->create(&options)};
    FUZZ_CHECK(run.state != NULL);
    if (prepare)
        prepare(&run);

    /* A NUL-terminated copy: the server hands vendors NUL-terminated bodies. */
    char *text = fuzz_copy(data, size);
    const char *p = text, *end = text + size;
    for (int n = 0; p <= end && n < FUZZ_SIM_MAX_REQUESTS; n++) {
        const char *sep = g_strstr_len(p, end - p, "\n%%\n");
        size_t len = sep ? (size_t)(sep - p) : (size_t)(end - p);
        char *one = g_strndup(p, len); /* its own allocation: overreads are caught */
        fuzz_sim_send(&run, one, len);
        g_free(one);
        if (!sep)
            break;
        p = sep + 4;
    }
    g_free(text);
    g_free(run.token);
    vendor->destroy(run.state);
}

#endif
