/*
 * Defensive JSON reading for the vendor adapters (see json_read.h).
 */
#include <portalctl/json_read.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

json_object *json_read_parse(const char *body, size_t len)
{
    if (!body || len == 0 || len > (size_t)INT32_MAX)
        return NULL;
    json_tokener *tok = json_tokener_new_ex(JSON_READ_MAX_DEPTH);
    if (!tok)
        return NULL;
    json_object *obj = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (err != json_tokener_success) {
        json_object_put(obj);
        return NULL;
    }
    /* Only white space may follow the value. */
    for (size_t i = used; i < len; i++) {
        if (!g_ascii_isspace(body[i])) {
            json_object_put(obj);
            return NULL;
        }
    }
    return obj;
}

json_object *json_read_get(json_object *obj, const char *key)
{
    json_object *value = NULL;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &value))
        return NULL;
    return value;
}

json_object *json_read_get_ci(json_object *obj, const char *key)
{
    json_object *exact = json_read_get(obj, key);
    if (exact || !json_object_is_type(obj, json_type_object))
        return exact;
    json_object_object_foreach(obj, name, value)
    {
        if (strcasecmp(name, key) == 0 && value)
            return value;
    }
    return NULL;
}

const char *json_read_scalar(json_object *value, char buf[JSON_READ_SCALAR_LEN])
{
    switch (json_object_get_type(value)) {
    case json_type_string:
        return json_object_get_string(value);
    case json_type_int:
        snprintf(buf, JSON_READ_SCALAR_LEN, "%" PRId64, json_object_get_int64(value));
        return buf;
    case json_type_double:
        snprintf(buf, JSON_READ_SCALAR_LEN, "%.17g", json_object_get_double(value));
        return buf;
    case json_type_boolean:
        return json_object_get_boolean(value) ? "true" : "false";
    default:
        return NULL;
    }
}

const char *json_read_string(json_object *obj, const char *key, char buf[JSON_READ_SCALAR_LEN])
{
    return json_read_scalar(json_read_get(obj, key), buf);
}

const char *json_read_string_ci(json_object *obj, const char *key, char buf[JSON_READ_SCALAR_LEN])
{
    return json_read_scalar(json_read_get_ci(obj, key), buf);
}

static void add_flattened(struct record_list *list, struct record *record, GString *key,
                          json_object *value, int depth)
{
    char buf[JSON_READ_SCALAR_LEN];
    size_t mark = key->len;
    if (json_object_is_type(value, json_type_object) && depth < JSON_READ_MAX_DEPTH) {
        json_object_object_foreach(value, name, member)
        {
            if (mark)
                g_string_append_c(key, '.');
            g_string_append(key, name);
            add_flattened(list, record, key, member, depth + 1);
            g_string_truncate(key, mark);
        }
    } else if (json_object_is_type(value, json_type_array) && depth < JSON_READ_MAX_DEPTH) {
        size_t n = json_object_array_length(value);
        for (size_t i = 0; i < n; i++) {
            g_string_append_printf(key, "[%zu]", i);
            add_flattened(list, record, key, json_object_array_get_idx(value, i), depth + 1);
            g_string_truncate(key, mark);
        }
    } else {
        const char *text = value ? json_read_scalar(value, buf) : "null";
        record_add_extra(list, record, key->str, text ? text : "…");
    }
}

void json_read_add_extras(struct record_list *list, struct record *record, json_object *obj)
{
    GString *key = g_string_new(NULL);
    add_flattened(list, record, key, obj, 0);
    g_string_free(key, TRUE);
}
