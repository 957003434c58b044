/*
 * Reading vendors' JSON answers defensively: size- and depth-limited parsing,
 * case-insensitive keys (ECGrid), scalars of any type read as text, and
 * flattening an object into a record's extra fields for the detail view.
 * Every string read here is untrusted: callers sanitize before display.
 */
#ifndef PORTALCTL_JSON_READ_H
#define PORTALCTL_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include <portalctl/model.h>

/* Nesting deeper than this is refused: a hostile answer cannot exhaust the stack. */
#define JSON_READ_MAX_DEPTH 64

/* Parses a whole body; NULL when it is empty, not JSON, too deep or has
 * trailing garbage. Release with json_object_put. */
json_object *json_read_parse(const char *body, size_t len);

/* The member named key, exactly / ignoring ASCII case; NULL when absent,
 * when obj is not an object, or when the member is JSON null. */
json_object *json_read_get(json_object *obj, const char *key);
json_object *json_read_get_ci(json_object *obj, const char *key);

/* A scalar as text: strings as they are, numbers and booleans printed
 * ("1042", "true"); NULL for null, objects and arrays. The text lives in buf
 * or in the object. buf must hold JSON_READ_SCALAR_LEN bytes. */
#define JSON_READ_SCALAR_LEN 64
const char *json_read_scalar(json_object *value, char buf[JSON_READ_SCALAR_LEN]);

/* json_read_scalar of json_read_get / json_read_get_ci. */
const char *json_read_string(json_object *obj, const char *key, char buf[JSON_READ_SCALAR_LEN]);
const char *json_read_string_ci(json_object *obj, const char *key, char buf[JSON_READ_SCALAR_LEN]);

/* Adds every member of obj to the record's extras, nested objects flattened
 * with dots ("created_by.name"), arrays as "key[0]"; null shown as "null". */
void json_read_add_extras(struct record_list *list, struct record *record, json_object *obj);

#endif
