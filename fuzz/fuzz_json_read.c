/*
 * Fuzz target: json_read.h, the defensive JSON reader every vendor parser
 * starts from. The input is a response body. Beyond "no crash": whatever
 * parses is not nested deeper than JSON_READ_MAX_DEPTH, every scalar reads
 * as text, and flattening into a record's extras gives NUL-terminated keys
 * and values for every member.
 */
#include "fuzz.h"

#include <portalctl/json_read.h>
#include <portalctl/model.h>

static int depth_of(json_object *obj)
{
    int deepest = 0;
    if (json_object_is_type(obj, json_type_object)) {
        json_object_object_foreach(obj, key, value)
        {
            (void)key;
            int d = depth_of(value);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    if (json_object_is_type(obj, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(obj); i++) {
            int d = depth_of(json_object_array_get_idx(obj, i));
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    }
    return 0;
}

/* Scalars (null included) in a value: each becomes one extra. */
static size_t leaves_of(json_object *obj)
{
    size_t n = 0;
    if (json_object_is_type(obj, json_type_object)) {
        json_object_object_foreach(obj, key, value)
        {
            (void)key;
            n += leaves_of(value);
        }
        return n;
    }
    if (json_object_is_type(obj, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(obj); i++)
            n += leaves_of(json_object_array_get_idx(obj, i));
        return n;
    }
    return 1;
}

static void read_members(json_object *obj)
{
    char buf[JSON_READ_SCALAR_LEN];
    json_object_object_foreach(obj, key, value)
    {
        const char *text = json_read_scalar(value, buf);
        bool scalar = value && !json_object_is_type(value, json_type_object) &&
                      !json_object_is_type(value, json_type_array);
        FUZZ_CHECK((text != NULL) == scalar);
        /* json_read_get gives NULL for JSON null, the member otherwise. */
        FUZZ_CHECK((json_read_get(obj, key) == NULL) == (value == NULL));
        char *upper = g_ascii_strup(key, -1);
        (void)json_read_get_ci(obj, upper);
        (void)json_read_string_ci(obj, upper, buf);
        (void)json_read_string(obj, key, buf);
        g_free(upper);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* net hands bodies over NUL-terminated (body_len is the truth): so does this. */
    char *body = fuzz_copy(data, size);
    json_object *root = json_read_parse(body, size);
    g_free(body);
    if (!root)
        return 0;
    FUZZ_CHECK(depth_of(root) <= JSON_READ_MAX_DEPTH + 1);

    struct record_list list;
    record_list_init(&list);
    struct record *record = record_list_append(&list);
    if (json_object_is_type(root, json_type_object)) {
        read_members(root);
        json_read_add_extras(&list, record, root);
        if (depth_of(root) < JSON_READ_MAX_DEPTH - 1)
            FUZZ_CHECK(record->extra_count == leaves_of(root));
    } else if (json_object_is_type(root, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(root) && i < 64; i++) {
            json_object *item = json_object_array_get_idx(root, i);
            if (json_object_is_type(item, json_type_object))
                json_read_add_extras(&list, record, item);
        }
    }
    const struct record_extra *extras = record_extras(&list, record);
    for (uint32_t i = 0; i < record->extra_count; i++) {
        FUZZ_CHECK(extras[i].key != NULL && extras[i].value != NULL);
        (void)strlen(extras[i].key);
        (void)strlen(extras[i].value);
    }
    record_list_clear(&list);
    json_object_put(root);
    return 0;
}
