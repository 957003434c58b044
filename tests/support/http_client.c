/*
 * Test support: one blocking HTTP request over libcurl easy (http_client.h).
 */
#include "http_client.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <glib.h>

static size_t append_to_gstring(char *data, size_t size, size_t count, void *user)
{
    g_string_append_len(user, data, (gssize)(size * count));
    return size * count;
}

int http_request(const char *method, const char *url, const char *const headers[], const char *body,
                 struct http_result *out)
{
    memset(out, 0, sizeof(*out));
    GString *response_body = g_string_new(NULL);
    GString *response_headers = g_string_new(NULL);
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);

    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_to_gstring);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, response_body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append_to_gstring);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, response_headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    out->curl_code = (int)curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(list);

    out->body_len = response_body->len;
    out->body = g_string_free(response_body, FALSE);
    out->headers = g_string_free(response_headers, FALSE);
    if (out->body_len) {
        json_tokener *tok = json_tokener_new();
        out->json = json_tokener_parse_ex(tok, out->body, (int)out->body_len);
        if (json_tokener_get_error(tok) != json_tokener_success) {
            json_object_put(out->json);
            out->json = NULL;
        }
        json_tokener_free(tok);
    }
    return out->curl_code == CURLE_OK ? 0 : -1;
}

char *http_result_header(const struct http_result *res, const char *name)
{
    size_t name_len = strlen(name);
    char **lines = g_strsplit(res->headers ? res->headers : "", "\n", -1);
    char *value = NULL;
    for (char **line = lines; *line && !value; line++) {
        if (strncasecmp(*line, name, name_len) == 0 && (*line)[name_len] == ':')
            value = g_strstrip(g_strdup(*line + name_len + 1));
    }
    g_strfreev(lines);
    return value;
}

/* Walks "a.b[2].c" through objects and arrays. */
static json_object *json_walk(json_object *node, const char *path)
{
    char **parts = g_strsplit_set(path, ".[", -1);
    for (char **part = parts; *part && node; part++) {
        if (!**part)
            continue;
        size_t len = strlen(*part);
        if ((*part)[len - 1] == ']') {
            (*part)[len - 1] = '\0';
            node = json_object_is_type(node, json_type_array)
                       ? json_object_array_get_idx(node, (size_t)atol(*part))
                       : NULL;
        } else if (!json_object_object_get_ex(node, *part, &node)) {
            node = NULL;
        }
    }
    g_strfreev(parts);
    return node;
}

const char *http_json_string(const struct http_result *res, const char *path)
{
    json_object *node = res->json ? json_walk(res->json, path) : NULL;
    if (!node || json_object_is_type(node, json_type_object) ||
        json_object_is_type(node, json_type_array))
        return NULL;
    return json_object_get_string(node);
}

void http_result_clear(struct http_result *res)
{
    g_free(res->body);
    g_free(res->headers);
    json_object_put(res->json);
    memset(res, 0, sizeof(*res));
}
