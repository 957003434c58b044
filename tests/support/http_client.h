/*
 * Test support: one blocking HTTP request with libcurl's easy interface, for
 * tests that talk to portal-sim over real HTTP. (The product's own engine is
 * the multi interface in src/net/; this is deliberately independent of it.)
 */
#ifndef TESTS_HTTP_CLIENT_H
#define TESTS_HTTP_CLIENT_H

#include <stddef.h>

#include <json-c/json.h>

struct http_result {
    long status;   /* HTTP status, 0 when the transfer failed */
    int curl_code; /* CURLcode of the transfer (0 = ok) */
    char *body;    /* NUL-terminated response body ("" when none) */
    size_t body_len;
    char *headers;     /* the raw response header block */
    json_object *json; /* the parsed body, or NULL when it is not JSON */
};

/* method: "GET", "POST", ...; headers: NULL-terminated "Name: value" strings (or
 * NULL); body: sent as is when not NULL (set Content-Type yourself). Always fills
 * *out; returns 0 when a response was received, -1 otherwise. */
int http_request(const char *method, const char *url, const char *const headers[], const char *body,
                 struct http_result *out);

/* The value of a response header (case-insensitive name), malloc'd, or NULL. */
char *http_result_header(const struct http_result *res, const char *name);

/* Shortcut: the string at a json-c path such as "data.login" or "portals[0].code"
 * in res->json; NULL when absent or not a scalar. Points into res->json. */
const char *http_json_string(const struct http_result *res, const char *path);

void http_result_clear(struct http_result *res);

#endif
