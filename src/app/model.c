/*
 * Normalized records and error values (see model.h). Strings live in the
 * list's GStringChunk arena, records and extras in flat growable arrays.
 */
#include <portalctl/model.h>

#include <stdarg.h>
#include <string.h>

static const char *const record_field_names[RECORD_FIELD_COUNT] = {
    [RECORD_ID] = "id",           [RECORD_NAME] = "name", [RECORD_EMAIL] = "email",
    [RECORD_STATUS] = "status",   [RECORD_ROLE] = "role", [RECORD_URL] = "url",
    [RECORD_CREATED] = "created",
};

const char *record_field_name(enum record_field field)
{
    return field < RECORD_FIELD_COUNT ? record_field_names[field] : NULL;
}

void record_list_init(struct record_list *list)
{
    memset(list, 0, sizeof(*list));
}

static void free_string_chunk(gpointer chunk)
{
    g_string_chunk_free(chunk);
}

void record_list_clear(struct record_list *list)
{
    g_free(list->items);
    g_free(list->extras);
    if (list->strings)
        g_string_chunk_free(list->strings);
    if (list->adopted_strings)
        g_ptr_array_unref(list->adopted_strings);
    record_list_init(list);
}

static const char *keep_string(struct record_list *list, const char *value)
{
    if (!value)
        return NULL;
    if (!list->strings)
        list->strings = g_string_chunk_new(64 * 1024);
    return g_string_chunk_insert(list->strings, value);
}

/* Extra keys repeat on every record ("first_name", "created_by.name"): kept
 * once per arena, so 100,000 users do not hold a million copies of them. */
static const char *keep_key(struct record_list *list, const char *key)
{
    if (!key)
        return NULL;
    if (!list->strings)
        list->strings = g_string_chunk_new(64 * 1024);
    return g_string_chunk_insert_const(list->strings, key);
}

struct record *record_list_append(struct record_list *list)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 64;
        list->items = g_renew(struct record, list->items, list->capacity);
    }
    struct record *record = &list->items[list->count++];
    memset(record, 0, sizeof(*record));
    record->extra_first = (uint32_t)list->extra_count;
    return record;
}

void record_set(struct record_list *list, struct record *record, enum record_field field,
                const char *value)
{
    if (field < RECORD_FIELD_COUNT)
        record->fields[field] = keep_string(list, value);
}

void record_add_extra(struct record_list *list, struct record *record, const char *key,
                      const char *value)
{
    if (list->extra_count == list->extra_capacity) {
        list->extra_capacity = list->extra_capacity ? list->extra_capacity * 2 : 256;
        list->extras = g_renew(struct record_extra, list->extras, list->extra_capacity);
    }
    list->extras[list->extra_count].key = keep_key(list, key);
    list->extras[list->extra_count].value = keep_string(list, value);
    list->extra_count++;
    record->extra_count++;
}

const char *record_get(const struct record *record, enum record_field field)
{
    return field < RECORD_FIELD_COUNT ? record->fields[field] : NULL;
}

const struct record_extra *record_extras(const struct record_list *list,
                                         const struct record *record)
{
    return record->extra_count ? &list->extras[record->extra_first] : NULL;
}

static void reserve_records(struct record_list *list, size_t more)
{
    if (list->count + more <= list->capacity)
        return;
    list->capacity = MAX(list->capacity ? list->capacity * 2 : 64, list->count + more);
    list->items = g_renew(struct record, list->items, list->capacity);
}

static void reserve_extras(struct record_list *list, size_t more)
{
    if (list->extra_count + more <= list->extra_capacity)
        return;
    list->extra_capacity =
        MAX(list->extra_capacity ? list->extra_capacity * 2 : 256, list->extra_count + more);
    list->extras = g_renew(struct record_extra, list->extras, list->extra_capacity);
}

/* dst keeps every arena of src alive: the strings the moved records point at. */
static void adopt_arenas(struct record_list *dst, struct record_list *src)
{
    if (!dst->adopted_strings)
        dst->adopted_strings = g_ptr_array_new_with_free_func(free_string_chunk);
    if (src->strings)
        g_ptr_array_add(dst->adopted_strings, src->strings);
    src->strings = NULL;
    for (guint i = 0; src->adopted_strings && i < src->adopted_strings->len; i++)
        g_ptr_array_add(dst->adopted_strings, g_ptr_array_index(src->adopted_strings, i));
    if (src->adopted_strings)
        g_ptr_array_set_free_func(src->adopted_strings, NULL);
}

void record_list_move_all(struct record_list *dst, struct record_list *src)
{
    if (src == dst || src->count == 0) {
        if (src != dst)
            record_list_clear(src);
        return;
    }
    if (dst->count == 0 && dst->extra_count == 0) { /* the first page: take it whole */
        record_list_clear(dst);
        *dst = *src;
        record_list_init(src);
        return;
    }
    reserve_records(dst, src->count);
    reserve_extras(dst, src->extra_count);
    uint32_t shift = (uint32_t)dst->extra_count;
    for (size_t i = 0; i < src->count; i++) {
        struct record *to = &dst->items[dst->count + i];
        *to = src->items[i];
        to->extra_first = to->extra_count ? to->extra_first + shift : shift;
    }
    dst->count += src->count;
    if (src->extra_count)
        memcpy(&dst->extras[dst->extra_count], src->extras,
               src->extra_count * sizeof(*src->extras));
    dst->extra_count += src->extra_count;
    adopt_arenas(dst, src);
    record_list_clear(src);
}

/* ---- errors ------------------------------------------------------------- */

static void free_field_error(gpointer data)
{
    struct api_field_error *fe = data;
    g_free(fe->field);
    g_free(fe->message);
    g_free(fe);
}

void api_error_init(struct api_error *error)
{
    memset(error, 0, sizeof(*error));
}

void api_error_clear(struct api_error *error)
{
    g_free(error->code);
    g_free(error->message);
    if (error->fields)
        g_ptr_array_unref(error->fields);
    api_error_init(error);
}

void api_error_set(struct api_error *error, enum api_error_kind kind, long http_status,
                   const char *code, const char *format, ...)
{
    error->kind = kind;
    error->http_status = http_status;
    g_free(error->code);
    error->code = g_strdup(code);
    g_free(error->message);
    va_list args;
    va_start(args, format);
    error->message = g_strdup_vprintf(format, args);
    va_end(args);
}

void api_error_add_field(struct api_error *error, const char *field, int row, const char *message)
{
    if (!error->fields)
        error->fields = g_ptr_array_new_with_free_func(free_field_error);
    struct api_field_error *fe = g_new0(struct api_field_error, 1);
    fe->field = g_strdup(field);
    fe->row = row;
    fe->message = g_strdup(message);
    g_ptr_array_add(error->fields, fe);
}

const char *api_error_field_message(const struct api_error *error, const char *field, int row)
{
    for (guint i = 0; error->fields && i < error->fields->len; i++) {
        const struct api_field_error *fe = g_ptr_array_index(error->fields, i);
        if (fe->row == row && g_strcmp0(fe->field, field) == 0)
            return fe->message;
    }
    return NULL;
}

void api_error_copy(struct api_error *dst, const struct api_error *src)
{
    api_error_clear(dst);
    dst->kind = src->kind;
    dst->http_status = src->http_status;
    dst->code = g_strdup(src->code);
    dst->message = g_strdup(src->message);
    dst->ambiguous = src->ambiguous;
    dst->retry_after_ms = src->retry_after_ms;
    for (guint i = 0; src->fields && i < src->fields->len; i++) {
        const struct api_field_error *fe = g_ptr_array_index(src->fields, i);
        api_error_add_field(dst, fe->field, fe->row, fe->message);
    }
}

int api_error_exit_status(enum api_error_kind kind)
{
    switch (kind) {
    case API_OK:
        return 0;
    case API_UNSUPPORTED:
        return 2; /* asked for something the vendor does not have: a usage error */
    case API_INVALID_INPUT:
        return 3;
    case API_REFUSED:
        return 4;
    case API_AUTH:
    case API_NETWORK:
    case API_TLS:
    case API_BAD_RESPONSE:
    case API_CANCELLED:
        return 5;
    }
    return 5;
}
