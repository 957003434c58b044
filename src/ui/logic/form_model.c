/*
 * The form view's model (see form_model.h): values, focus, cursor, errors,
 * enum choices and the masked display of secret fields. No curses here.
 */
#include <portalctl/form_model.h>

#include <string.h>

#include <portalctl/text.h>

/* ---- fields ------------------------------------------------------------------------ */

static void field_free(gpointer data)
{
    struct form_model_field *field = data;
    /* A value may be a password: wipe it before the memory goes back. */
    memset(field->value->str, 0, field->value->allocated_len);
    g_string_free(field->value, TRUE);
    g_free(field->error);
    g_free(field);
}

static bool focusable(const struct form_model_field *field)
{
    return !(field->flags & FORM_FIELD_READONLY);
}

static bool default_checker(const struct form_values *values, struct form_errors *errors,
                            void *user)
{
    const struct form_model *model = user;
    if (!model->spec) {
        form_errors_clear(errors);
        return true;
    }
    return form_validate(model->spec, values, errors);
}

struct form_model *form_model_new(const char *title)
{
    struct form_model *model = g_new0(struct form_model, 1);
    model->title = g_strdup(title);
    model->fields = g_ptr_array_new_with_free_func(field_free);
    model->checker = default_checker;
    model->checker_user = model;
    return model;
}

void form_model_free(struct form_model *model)
{
    if (!model)
        return;
    g_ptr_array_unref(model->fields);
    g_free(model->title);
    g_free(model->form_error);
    g_free(model);
}

void form_model_add_field(struct form_model *model, const struct field_spec *spec, unsigned flags)
{
    struct form_model_field *field = g_new0(struct form_model_field, 1);
    field->spec = spec;
    field->flags = flags;
    field->value = g_string_new(spec->default_value ? spec->default_value : "");
    field->cursor = field->value->len;
    g_ptr_array_add(model->fields, field);
    /* The focus starts on the first field that can take it. */
    while (model->focus < model->fields->len - 1 &&
           !focusable(g_ptr_array_index(model->fields, model->focus)))
        model->focus++;
    if (model->focus == model->fields->len - 1 && !focusable(field))
        model->focus = model->fields->len;
}

void form_model_add_spec(struct form_model *model, const struct form_spec *spec)
{
    model->spec = spec;
    for (size_t i = 0; i < spec->count; i++)
        form_model_add_field(model, &spec->fields[i],
                             spec->fields[i].from_context ? FORM_FIELD_READONLY : 0);
}

void form_model_set_checker(struct form_model *model, form_checker_fn checker, void *user)
{
    model->checker = checker ? checker : default_checker;
    model->checker_user = checker ? user : model;
}

size_t form_model_count(const struct form_model *model)
{
    return model->fields->len;
}

struct form_model_field *form_model_field(const struct form_model *model, size_t index)
{
    return index < model->fields->len ? g_ptr_array_index(model->fields, index) : NULL;
}

struct form_model_field *form_model_find(const struct form_model *model, const char *key)
{
    for (guint i = 0; key && i < model->fields->len; i++) {
        struct form_model_field *field = g_ptr_array_index(model->fields, i);
        if (strcmp(field->spec->key, key) == 0)
            return field;
    }
    return NULL;
}

struct form_model_field *form_model_focused(const struct form_model *model)
{
    return form_model_field(model, model->focus);
}

bool form_model_on_submit(const struct form_model *model)
{
    return model->focus >= model->fields->len;
}

void form_model_set_value(struct form_model *model, const char *key, const char *value)
{
    struct form_model_field *field = form_model_find(model, key);
    if (!field)
        return;
    g_string_assign(field->value, value ? value : "");
    field->cursor = field->value->len;
}

const char *form_model_value(const struct form_model *model, const char *key)
{
    const struct form_model_field *field = form_model_find(model, key);
    return field ? field->value->str : NULL;
}

struct form_values *form_model_values(const struct form_model *model)
{
    struct form_values *values = form_values_new();
    for (guint i = 0; i < model->fields->len; i++) {
        const struct form_model_field *field = g_ptr_array_index(model->fields, i);
        if (field->value->len > 0)
            form_values_set(values, field->spec->key, field->value->str);
    }
    return values;
}

/* ---- checking ------------------------------------------------------------------------ */

static void set_field_error(struct form_model_field *field, const char *message)
{
    g_free(field->error);
    field->error = message ? g_strdup(message) : NULL;
}

static struct form_errors *run_checker(struct form_model *model)
{
    struct form_values *values = form_model_values(model);
    struct form_errors *errors = form_errors_new();
    model->checker(values, errors, model->checker_user);
    form_values_free(values);
    return errors;
}

void form_model_check_field(struct form_model *model, size_t index)
{
    struct form_model_field *field = form_model_field(model, index);
    if (!field || !focusable(field))
        return;
    struct form_errors *errors = run_checker(model);
    set_field_error(field, form_errors_first_for(errors, field->spec->key));
    form_errors_free(errors);
}

bool form_model_check_all(struct form_model *model)
{
    struct form_errors *errors = run_checker(model);
    bool first_found = false;
    for (guint i = 0; i < model->fields->len; i++) {
        struct form_model_field *field = g_ptr_array_index(model->fields, i);
        set_field_error(field, form_errors_first_for(errors, field->spec->key));
        if (field->error && !first_found) {
            first_found = true;
            /* A context field cannot be fixed here; the form-wide line says it. */
            if (focusable(field))
                model->focus = i;
        }
    }
    /* Form-wide errors, and errors on keys the form does not show. */
    GString *wide = g_string_new(NULL);
    for (size_t i = 0; i < form_errors_count(errors); i++) {
        const char *key = form_errors_key_at(errors, i);
        const struct form_model_field *field = form_model_find(model, key);
        if (field && focusable(field))
            continue;
        g_string_append_printf(wide, "%s%s%s%s", wide->len ? "; " : "", key ? key : "",
                               key ? ": " : "", form_errors_message_at(errors, i));
    }
    g_free(model->form_error);
    model->form_error = wide->len ? g_string_free(wide, FALSE) : (g_string_free(wide, TRUE), NULL);
    bool ok = form_errors_count(errors) == 0;
    form_errors_free(errors);
    return ok;
}

void form_model_set_error(struct form_model *model, const char *key, const char *message)
{
    struct form_model_field *field = form_model_find(model, key);
    if (field)
        set_field_error(field, message);
}

void form_model_set_form_error(struct form_model *model, const char *message)
{
    g_free(model->form_error);
    model->form_error = message ? g_strdup(message) : NULL;
}

void form_model_clear_errors(struct form_model *model)
{
    for (guint i = 0; i < model->fields->len; i++)
        set_field_error(g_ptr_array_index(model->fields, i), NULL);
    form_model_set_form_error(model, NULL);
}

size_t form_model_apply_api_error(struct form_model *model, const struct api_error *error)
{
    size_t placed = 0;
    for (guint i = 0; i < model->fields->len; i++) {
        struct form_model_field *field = g_ptr_array_index(model->fields, i);
        const char *message = api_error_field_message(error, field->spec->key, -1);
        if (!message)
            message = api_error_field_message(error, field->spec->key, 0);
        set_field_error(field, message);
        if (message && placed++ == 0 && focusable(field))
            model->focus = i;
    }
    form_model_set_form_error(model, error->message ? error->message : "the vendor refused it");
    return placed;
}

size_t form_model_error_count(const struct form_model *model)
{
    size_t count = model->form_error ? 1 : 0;
    for (guint i = 0; i < model->fields->len; i++)
        count += ((struct form_model_field *)g_ptr_array_index(model->fields, i))->error ? 1 : 0;
    return count;
}

/* ---- focus ------------------------------------------------------------------------------ */

static void move_focus(struct form_model *model, int direction)
{
    size_t slots = model->fields->len + 1; /* the fields and the Submit button */
    size_t left = model->focus;
    size_t next = model->focus;
    for (size_t step = 0; step < slots; step++) {
        next = (next + slots + (size_t)(direction > 0 ? 1 : slots - 1)) % slots;
        if (next == model->fields->len || focusable(g_ptr_array_index(model->fields, next)))
            break;
    }
    model->focus = next;
    form_model_check_field(model, left);
}

void form_model_next(struct form_model *model)
{
    move_focus(model, 1);
}

void form_model_prev(struct form_model *model)
{
    move_focus(model, -1);
}

static bool is_last_field(const struct form_model *model)
{
    for (size_t i = model->focus + 1; i < model->fields->len; i++) {
        if (focusable(g_ptr_array_index(model->fields, i)))
            return false;
    }
    return true;
}

bool form_model_accept(struct form_model *model)
{
    struct form_model_field *field = form_model_focused(model);
    if (field && (field->flags & FORM_FIELD_MULTILINE))
        return !form_model_edit(model, UI_KEY_ENTER, true);
    if (!field || is_last_field(model)) {
        form_model_check_field(model, model->focus);
        return true;
    }
    form_model_next(model);
    return false;
}

/* ---- editing ------------------------------------------------------------------------------ */

static size_t prev_char(const GString *s, size_t at)
{
    if (at == 0)
        return 0;
    const char *p = g_utf8_find_prev_char(s->str, s->str + at);
    return p ? (size_t)(p - s->str) : 0;
}

static size_t next_char(const GString *s, size_t at)
{
    if (at >= s->len)
        return s->len;
    return (size_t)(g_utf8_next_char(s->str + at) - s->str);
}

static void insert_char(struct form_model_field *field, gunichar c)
{
    char buf[8] = {0};
    int n = g_unichar_to_utf8(c, buf);
    g_string_insert_len(field->value, (gssize)field->cursor, buf, n);
    field->cursor += (size_t)n;
}

bool form_model_cycle(struct form_model *model, int direction)
{
    struct form_model_field *field = form_model_focused(model);
    if (!field || field->spec->type != FIELD_ENUM || !field->spec->allowed_values)
        return false;
    const char *const *values = field->spec->allowed_values;
    size_t n = g_strv_length((char **)values);
    /* An optional enum without a default may also be left empty. */
    bool blank_ok = !field->spec->required && !field->spec->default_value;
    size_t slots = n + (blank_ok ? 1 : 0), current = n; /* n: blank */
    for (size_t i = 0; i < n; i++) {
        if (strcmp(values[i], field->value->str) == 0)
            current = i;
    }
    if (current == n && !blank_ok)
        current = direction > 0 ? slots - 1 : 0;
    size_t next = (current + slots + (size_t)(direction > 0 ? 1 : slots - 1)) % slots;
    g_string_assign(field->value, next < n ? values[next] : "");
    field->cursor = field->value->len;
    model->dirty = true;
    return true;
}

/* A letter on an enum field: the next choice that starts with it. */
static bool pick_choice(struct form_model_field *field, gunichar c)
{
    const char *const *values = field->spec->allowed_values;
    size_t n = values ? g_strv_length((char **)values) : 0, current = n;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(values[i], field->value->str) == 0)
            current = i;
    }
    for (size_t step = 1; step <= n; step++) {
        size_t i = (current + step) % (n ? n : 1);
        if (g_unichar_tolower(g_utf8_get_char(values[i])) == g_unichar_tolower(c)) {
            g_string_assign(field->value, values[i]);
            field->cursor = field->value->len;
            return true;
        }
    }
    return false;
}

static bool edit_enum(struct form_model *model, struct form_model_field *field, ui_key key,
                      bool is_text)
{
    if (key == UI_KEY_SPACE || key == UI_KEY_RIGHT)
        return form_model_cycle(model, 1);
    if (key == UI_KEY_LEFT)
        return form_model_cycle(model, -1);
    if (is_text && pick_choice(field, (gunichar)key)) {
        model->dirty = true;
        return true;
    }
    return false;
}

static bool edit_text(struct form_model_field *field, ui_key key, bool is_text)
{
    GString *v = field->value;
    switch (key) {
    case UI_KEY_LEFT:
        field->cursor = prev_char(v, field->cursor);
        return true;
    case UI_KEY_RIGHT:
        field->cursor = next_char(v, field->cursor);
        return true;
    case UI_KEY_HOME:
        field->cursor = 0;
        return true;
    case UI_KEY_END:
        field->cursor = v->len;
        return true;
    case UI_KEY_BACKSPACE: {
        size_t from = prev_char(v, field->cursor);
        g_string_erase(v, (gssize)from, (gssize)(field->cursor - from));
        field->cursor = from;
        return true;
    }
    case UI_KEY_DELETE:
        g_string_erase(v, (gssize)field->cursor,
                       (gssize)(next_char(v, field->cursor) - field->cursor));
        return true;
    case UI_KEY_ENTER:
        if (!(field->flags & FORM_FIELD_MULTILINE))
            return false;
        insert_char(field, '\n');
        return true;
    default:
        if (!is_text || key < 0x20 || key >= UI_KEY_SPECIAL)
            return false;
        insert_char(field, (gunichar)key);
        return true;
    }
}

bool form_model_edit(struct form_model *model, ui_key key, bool is_text)
{
    struct form_model_field *field = form_model_focused(model);
    if (!field || !focusable(field))
        return false;
    if (field->spec->type == FIELD_ENUM)
        return edit_enum(model, field, key, is_text);
    size_t before = field->value->len;
    bool changed = edit_text(field, key, is_text);
    if (changed && (field->value->len != before || is_text || key == UI_KEY_ENTER))
        model->dirty = true;
    return changed;
}

bool form_model_insert(struct form_model *model, const char *text)
{
    struct form_model_field *field = form_model_focused(model);
    if (!field || !focusable(field) || field->spec->type == FIELD_ENUM || !text ||
        !g_utf8_validate(text, -1, NULL))
        return false;
    bool multiline = (field->flags & FORM_FIELD_MULTILINE) != 0;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c == '\r' && p[1] == '\n')
            continue; /* CR LF is one line break */
        if (c == '\r' || c == '\n')
            c = multiline ? '\n' : ' ';
        else if (c == '\t')
            c = ' ';
        else if (c < 0x20 || c == 0x7f)
            continue;
        insert_char(field, c);
    }
    model->dirty = true;
    return true;
}

/* ---- display --------------------------------------------------------------------------------- */

struct piece {
    size_t offset; /* byte offset of the character in the value */
    char text[8];
    size_t width;
};

/* Splits a value into what each character shows as. */
static GArray *display_pieces(const struct form_model_field *field)
{
    GArray *pieces = g_array_new(FALSE, TRUE, sizeof(struct piece));
    const GString *v = field->value;
    for (const char *p = v->str; *p; p = g_utf8_next_char(p)) {
        struct piece piece = {.offset = (size_t)(p - v->str)};
        gunichar c = g_utf8_get_char(p);
        if (field->spec->secret)
            strcpy(piece.text, "*");
        else if (c == '\n')
            strcpy(piece.text, "⏎");
        else
            g_unichar_to_utf8(c, piece.text);
        char *safe = text_sanitize(piece.text);
        g_strlcpy(piece.text, safe, sizeof(piece.text));
        g_free(safe);
        piece.width = text_width(piece.text);
        g_array_append_val(pieces, piece);
    }
    return pieces;
}

char *form_model_display(const struct form_model *model, size_t index, size_t width,
                         size_t *cursor_col)
{
    const struct form_model_field *field = form_model_field(model, index);
    GString *out = g_string_new(NULL);
    if (!field || width == 0) {
        if (cursor_col)
            *cursor_col = 0;
        return g_string_free(out, FALSE);
    }
    GArray *pieces = display_pieces(field);
    size_t at = pieces->len; /* the piece the cursor is on */
    if (index != model->focus)
        at = 0; /* a field without the focus shows its beginning */
    for (guint i = 0; at && i < pieces->len; i++) {
        if (g_array_index(pieces, struct piece, i).offset >= field->cursor) {
            at = i;
            break;
        }
    }
    /* Scroll: drop pieces from the left until the cursor's column fits. */
    size_t start = 0, before = 0;
    for (guint i = 0; i < at; i++)
        before += g_array_index(pieces, struct piece, i).width;
    while (start < at && before + 1 > width) {
        before -= g_array_index(pieces, struct piece, start).width;
        start++;
    }
    size_t used = 0;
    for (guint i = (guint)start; i < pieces->len; i++) {
        const struct piece *p = &g_array_index(pieces, struct piece, i);
        if (used + p->width > width)
            break;
        g_string_append(out, p->text);
        used += p->width;
    }
    if (cursor_col)
        *cursor_col = before < width ? before : width - 1;
    g_array_unref(pieces);
    return g_string_free(out, FALSE);
}

char *form_model_choice_hint(const struct form_model *model, size_t index)
{
    const struct form_model_field *field = form_model_field(model, index);
    if (!field || field->spec->type != FIELD_ENUM || !field->spec->allowed_values)
        return NULL;
    const char *const *values = field->spec->allowed_values;
    size_t n = g_strv_length((char **)values), current = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(values[i], field->value->str) == 0)
            current = i + 1;
    }
    if (current == 0)
        return g_strdup_printf("(%zu choices, Space changes)", n);
    return g_strdup_printf("(%zu of %zu, Space changes)", current, n);
}
