/*
 * The list view's model (see list_model.h): filter, cursor, scrolling and
 * row formatting, without curses.
 */
#include <portalctl/list_model.h>

#include <stdint.h>
#include <string.h>

#include <portalctl/text.h>

/* ---- matching ---------------------------------------------------------------------- */

static bool is_ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80)
            return false;
    }
    return true;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Case-insensitive search of an ASCII needle (already case-folded) in a value,
 * in one pass and without allocation: the common case, and the one that must
 * be fast over 100,000 rows. 1 found, 0 not found, -1 the value has non-ASCII
 * text before any match (then Unicode case folding decides: U+212A is a 'k'). */
static int ascii_find(const char *value, const char *needle, size_t n)
{
    unsigned char first = (unsigned char)needle[0];
    for (const unsigned char *h = (const unsigned char *)value; *h; h++) {
        if (*h >= 0x80)
            return -1;
        if (ascii_lower(*h) != first)
            continue;
        size_t i = 1;
        while (i < n && h[i] && ascii_lower(h[i]) == (unsigned char)needle[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static bool field_contains(const char *value, const char *needle, bool needle_ascii)
{
    if (needle_ascii) {
        int found = ascii_find(value, needle, strlen(needle));
        if (found >= 0)
            return found == 1;
    }
    char *folded = g_utf8_casefold(value, -1);
    bool found = strstr(folded, needle) != NULL;
    g_free(folded);
    return found;
}

bool list_model_matches(const struct record *record, const char *needle, bool needle_ascii)
{
    if (!needle || !*needle)
        return true;
    for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
        const char *value = record->fields[f];
        if (value && field_contains(value, needle, needle_ascii))
            return true;
    }
    return false;
}

/* ---- the folded text ------------------------------------------------------------------ */

/* Appends value case-folded as the filter's needle is (ASCII lowered in place,
 * anything else through Unicode case folding), then its '\0'. */
static void append_folded(GString *out, const char *value)
{
    size_t start = out->len, len = strlen(value);
    g_string_set_size(out, start + len);
    unsigned char *dst = (unsigned char *)out->str + start;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c >= 0x80) {
            g_string_truncate(out, start);
            char *folded = g_utf8_casefold(value, -1);
            g_string_append(out, folded);
            g_free(folded);
            break;
        }
        dst[i] = ascii_lower(c);
    }
    g_string_append_c(out, '\0');
}

/* memmem() for the filter: glibc's runs at a byte or two per cycle on short
 * needles, too slow for 10 MB of folded text per keystroke. This compares
 * the needle's first and last bytes at 16 positions at once (GCC/Clang
 * vector extensions, so no architecture-specific code) and checks the rest
 * only where both match: W. Muła's "SIMD-friendly" substring search. */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

static const char *find_needle(const char *hay, size_t len, const char *needle, size_t n)
{
    if (n == 0 || len < n + 16)
        return memmem(hay, len, needle, n);
    bytes16 first, last;
    memset(&first, needle[0], sizeof(first));
    memset(&last, needle[n - 1], sizeof(last));
    size_t i = 0;
    for (; i + n - 1 + 16 <= len; i += 16) {
        bytes16 a, b;
        memcpy(&a, hay + i, 16);
        memcpy(&b, hay + i + n - 1, 16);
        bytes16 both = (bytes16)((a == first) & (b == last));
        uint64_t halves[2];
        memcpy(halves, &both, sizeof(halves));
        if ((halves[0] | halves[1]) == 0)
            continue;
        for (size_t j = 0; j < 16; j++) {
            if (both[j] && (n < 3 || memcmp(hay + i + j + 1, needle + 1, n - 2) == 0))
                return hay + i + j;
        }
    }
    return memmem(hay + i, len - i, needle, n);
}

/* The folded text lives in blocks of about 60 KiB, each holding whole
 * records, allocated once and never moved. Not one growing buffer: realloc
 * moves a large block with mremap(), and on this project's VM the first read
 * of every moved page then costs microseconds (the hypervisor maps it again),
 * which made the first keystroke after a 100,000-row load take 20 ms. Blocks
 * under malloc's mmap threshold come from the heap and stay where they are. */
#define FOLD_BLOCK_BYTES (60 * 1024)

struct fold_block {
    size_t first_record; /* records [first_record, first_record + ends->len) */
    GArray *ends;        /* of guint32: where each record's text ends in text */
    size_t len, capacity;
    char text[];
};

static void free_fold_block(gpointer data)
{
    struct fold_block *block = data;
    g_array_unref(block->ends);
    g_free(block);
}

static struct fold_block *last_block(const struct list_model *model)
{
    GPtrArray *blocks = model->folded_blocks;
    return blocks->len ? g_ptr_array_index(blocks, blocks->len - 1) : NULL;
}

static size_t folded_count(const struct list_model *model)
{
    const struct fold_block *last = last_block(model);
    return last ? last->first_record + last->ends->len : 0;
}

/* The block holding record (which is folded). */
static guint block_of(const struct list_model *model, size_t record)
{
    guint lo = 0, hi = model->folded_blocks->len - 1;
    while (lo < hi) {
        guint mid = lo + (hi - lo + 1) / 2;
        const struct fold_block *block = g_ptr_array_index(model->folded_blocks, mid);
        if (block->first_record <= record)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static size_t span_start(const struct fold_block *block, size_t k)
{
    return k == 0 ? 0 : g_array_index(block->ends, guint32, k - 1);
}

static size_t span_end(const struct fold_block *block, size_t k)
{
    return g_array_index(block->ends, guint32, k);
}

/* Room for `bytes` more text: the last block, or a new one. */
static struct fold_block *block_with_room(struct list_model *model, size_t bytes)
{
    struct fold_block *last = last_block(model);
    if (last && last->len + bytes <= last->capacity)
        return last;
    size_t capacity = MAX(bytes, (size_t)FOLD_BLOCK_BYTES);
    struct fold_block *block = g_malloc(sizeof(*block) + capacity);
    block->first_record = folded_count(model);
    block->ends = g_array_new(FALSE, FALSE, sizeof(guint32));
    block->len = 0;
    block->capacity = capacity;
    g_ptr_array_add(model->folded_blocks, block);
    return block;
}

/* Folds the records not folded yet, up to count. */
static void fold_records(struct list_model *model, size_t count)
{
    GString *one = g_string_new(NULL);
    for (size_t i = folded_count(model); i < count; i++) {
        const struct record *record = &model->records->items[i];
        g_string_truncate(one, 0);
        for (int f = 0; f < RECORD_FIELD_COUNT; f++) {
            if (record->fields[f])
                append_folded(one, record->fields[f]);
        }
        struct fold_block *block = block_with_room(model, one->len);
        memcpy(block->text + block->len, one->str, one->len);
        block->len += one->len;
        guint32 end = (guint32)block->len;
        g_array_append_val(block->ends, end);
    }
    g_string_free(one, TRUE);
}

/* Forgets the folded text of records [keep, …). */
static void forget_folded(struct list_model *model, size_t keep)
{
    struct fold_block *last;
    while ((last = last_block(model)) && last->first_record >= keep && last->first_record > 0)
        g_ptr_array_set_size(model->folded_blocks, model->folded_blocks->len - 1);
    if (keep == 0) {
        g_ptr_array_set_size(model->folded_blocks, 0);
        return;
    }
    if (last && keep < folded_count(model)) {
        size_t k = keep - last->first_record;
        last->len = span_start(last, k);
        g_array_set_size(last->ends, (guint)k);
    }
}

/* The record (index k in block) whose text holds byte pos, from k = from.
 * Galloping from `from`: hits are usually in that record or close after it,
 * so a search that matches most rows costs a step or two per row, not a
 * binary search over all of them. */
static size_t record_at(const struct fold_block *block, size_t from, size_t pos)
{
    size_t last = block->ends->len - 1;
    size_t lo = from, hi = from, step = 1;
    while (hi < last && span_end(block, hi) <= pos) {
        lo = hi + 1; /* every record before lo ends at or before pos */
        hi = hi + step < last ? hi + step : last;
        step *= 2;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (span_end(block, mid) <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void append_row(struct list_model *model, size_t record)
{
    guint32 index = (guint32)record;
    g_array_append_val(model->rows, index);
}

/* Appends the rows of block's records [k, …) that match the needle: one
 * search over their text, which skips whole records between hits. */
static void append_block_matches(struct list_model *model, const struct fold_block *block, size_t k)
{
    size_t n = strlen(model->needle);
    while (k < block->ends->len) {
        size_t pos = span_start(block, k);
        const char *hit = find_needle(block->text + pos, block->len - pos, model->needle, n);
        if (!hit)
            return;
        k = record_at(block, k, (size_t)(hit - block->text));
        append_row(model, block->first_record + k);
        k++;
    }
}

/* Appends the rows of the folded records [first, …) that match the needle. */
static void append_matches(struct list_model *model, size_t first)
{
    size_t count = folded_count(model);
    if (first >= count)
        return;
    if (!model->needle) {
        for (size_t i = first; i < count; i++)
            append_row(model, i);
        return;
    }
    for (guint b = block_of(model, first); b < model->folded_blocks->len; b++) {
        const struct fold_block *block = g_ptr_array_index(model->folded_blocks, b);
        size_t k = first > block->first_record ? first - block->first_record : 0;
        append_block_matches(model, block, k);
    }
}

static bool folded_matches(const struct list_model *model, size_t record)
{
    const struct fold_block *block =
        g_ptr_array_index(model->folded_blocks, block_of(model, record));
    size_t k = record - block->first_record, start = span_start(block, k);
    return find_needle(block->text + start, span_end(block, k) - start, model->needle,
                       strlen(model->needle)) != NULL;
}

/* ---- rows and cursor ------------------------------------------------------------------ */

static guint32 row_record(const struct list_model *model, size_t i)
{
    return g_array_index(model->rows, guint32, i);
}

static void keep_cursor_visible(struct list_model *model)
{
    size_t count = model->rows->len;
    if (count == 0) {
        model->cursor = model->top = 0;
        return;
    }
    if (model->cursor >= count)
        model->cursor = count - 1;
    if (model->cursor < model->top)
        model->top = model->cursor;
    if (model->cursor >= model->top + model->height)
        model->top = model->cursor - model->height + 1;
    /* No empty space below the last row while rows above are hidden. */
    if (model->top + model->height > count)
        model->top = count > model->height ? count - model->height : 0;
}

/* Remembers the record under the cursor, so a reload can find it again. */
static void take_anchor(struct list_model *model)
{
    g_clear_pointer(&model->anchor_id, g_free);
    model->anchor_pending = false;
    const struct record *selected = list_model_selected(model);
    const char *id = selected ? record_get(selected, RECORD_ID) : NULL;
    if (id)
        model->anchor_id = g_strdup(id);
    model->anchor_line = model->cursor - model->top;
}

static void place_cursor(struct list_model *model, size_t row, size_t line)
{
    model->cursor = row;
    model->top = row >= line ? row - line : 0;
    keep_cursor_visible(model);
}

/* Looks for the anchor among rows [from, count); true when found. */
static bool find_anchor(struct list_model *model, size_t from)
{
    if (!model->anchor_id)
        return false;
    for (size_t i = from; i < model->rows->len; i++) {
        const char *id = record_get(&model->records->items[row_record(model, i)], RECORD_ID);
        if (id && strcmp(id, model->anchor_id) == 0) {
            place_cursor(model, i, model->anchor_line);
            model->anchor_pending = false;
            return true;
        }
    }
    return false;
}

void list_model_init(struct list_model *model, const struct record_list *records)
{
    memset(model, 0, sizeof(*model));
    model->records = records;
    model->rows = g_array_new(FALSE, FALSE, sizeof(guint32));
    model->folded_blocks = g_ptr_array_new_with_free_func(free_fold_block);
    model->height = 1;
    list_model_sync(model);
}

void list_model_clear(struct list_model *model)
{
    if (model->rows)
        g_array_unref(model->rows);
    if (model->folded_blocks)
        g_ptr_array_unref(model->folded_blocks);
    g_free(model->filter);
    g_free(model->needle);
    g_free(model->anchor_id);
    memset(model, 0, sizeof(*model));
}

void list_model_set_height(struct list_model *model, size_t height)
{
    model->height = height ? height : 1;
    keep_cursor_visible(model);
}

/* The list shrank without a reload: forget what was scanned beyond its end. */
static void forget_vanished(struct list_model *model)
{
    size_t count = model->records->count;
    if (model->scanned > count) {
        model->scanned = count;
        forget_folded(model, count);
    }
}

void list_model_sync(struct list_model *model)
{
    size_t first_new_row = model->rows->len;
    size_t count = model->records->count;
    forget_vanished(model);
    size_t first = model->scanned;
    fold_records(model, count);
    append_matches(model, first);
    model->scanned = count;
    if (model->anchor_pending)
        find_anchor(model, first_new_row);
    keep_cursor_visible(model);
}

void list_model_reload(struct list_model *model)
{
    g_array_set_size(model->rows, 0);
    model->scanned = 0;
    forget_folded(model, 0); /* the records were replaced */
    model->anchor_pending = false;
    list_model_sync(model);
    if (model->anchor_id && !find_anchor(model, 0))
        model->anchor_pending = true;
    keep_cursor_visible(model);
}

void list_model_move(struct list_model *model, long delta)
{
    if (model->rows->len == 0)
        return;
    long target = (long)model->cursor + delta;
    if (target < 0)
        target = 0;
    model->cursor = (size_t)target;
    keep_cursor_visible(model);
    take_anchor(model);
}

void list_model_page(struct list_model *model, int direction)
{
    long step = model->height > 1 ? (long)model->height - 1 : 1;
    /* The screen scrolls with the cursor, so the cursor keeps its line. */
    size_t line = model->cursor - model->top;
    list_model_move(model, direction < 0 ? -step : step);
    if (model->rows->len > 0) {
        place_cursor(model, model->cursor, line);
        take_anchor(model);
    }
}

void list_model_first(struct list_model *model)
{
    list_model_move(model, -(long)model->rows->len);
}

void list_model_last(struct list_model *model)
{
    list_model_move(model, (long)model->rows->len);
}

bool list_model_click(struct list_model *model, size_t line)
{
    if (line >= model->height || model->top + line >= model->rows->len)
        return false;
    model->cursor = model->top + line;
    take_anchor(model);
    return true;
}

/* ---- the filter -------------------------------------------------------------------------- */

/* Keeps only the current rows that match: used when the new needle contains
 * the old one, so whatever matches it matched before. */
static void narrow_rows(struct list_model *model)
{
    guint kept = 0;
    for (guint i = 0; i < model->rows->len; i++) {
        guint32 index = row_record(model, i);
        if (folded_matches(model, index))
            g_array_index(model->rows, guint32, kept++) = index;
    }
    g_array_set_size(model->rows, kept);
}

/* The row showing record index, or rows->len; rows are in record order. */
static size_t row_of_record(const struct list_model *model, guint32 index)
{
    size_t lo = 0, hi = model->rows->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (row_record(model, mid) < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < model->rows->len && row_record(model, lo) == index ? lo : model->rows->len;
}

void list_model_set_filter(struct list_model *model, const char *filter)
{
    if (filter && !*filter)
        filter = NULL;
    bool had_rows = model->rows->len > 0;
    guint32 selected = had_rows ? row_record(model, model->cursor) : 0;
    size_t line = model->cursor - model->top;
    char *old_needle = model->needle;
    g_free(model->filter);
    model->filter = g_strdup(filter);
    model->needle = filter ? g_utf8_casefold(filter, -1) : NULL;
    model->needle_ascii = model->needle && is_ascii(model->needle);
    bool narrows = old_needle && model->needle && strstr(model->needle, old_needle);
    g_free(old_needle);
    /* Narrowing looks at each shown row on its own; while most rows are shown,
     * one pass over all the text is quicker and gives the same rows. */
    if (narrows && model->rows->len < model->scanned / 4) {
        narrow_rows(model);
    } else {
        g_array_set_size(model->rows, 0);
        forget_vanished(model);
        append_matches(model, 0); /* the records scanned so far, already folded */
        list_model_sync(model);   /* and any that arrived since */
    }
    size_t row = had_rows ? row_of_record(model, selected) : model->rows->len;
    if (row < model->rows->len)
        place_cursor(model, row, line);
    else
        place_cursor(model, 0, 0);
    take_anchor(model);
}

const char *list_model_filter(const struct list_model *model)
{
    return model->filter;
}

size_t list_model_count(const struct list_model *model)
{
    return model->rows->len;
}

const struct record *list_model_row(const struct list_model *model, size_t i)
{
    if (i >= model->rows->len)
        return NULL;
    return &model->records->items[row_record(model, i)];
}

const struct record *list_model_selected(const struct list_model *model)
{
    return list_model_row(model, model->cursor);
}

/* ---- columns ------------------------------------------------------------------------------- */

/* The most a column may grow to: its maximum, and no wider than its content. */
static unsigned column_cap(const struct list_column *column, const unsigned *natural, size_t i)
{
    unsigned cap = column->max_width ? column->max_width : UINT32_MAX;
    if (natural) {
        unsigned content = natural[i] > column->min_width ? natural[i] : column->min_width;
        if (content < cap)
            cap = content;
    }
    return cap;
}

size_t list_layout_columns(const struct list_column *columns, size_t count, size_t width,
                           const unsigned *natural, unsigned *widths)
{
    size_t shown = 0, used = 0;
    for (size_t i = 0; i < count; i++) {
        size_t need = columns[i].min_width + (shown ? 1 : 0);
        if (used + need > width)
            break;
        used += need;
        widths[i] = columns[i].min_width;
        shown++;
    }
    for (size_t i = shown; i < count; i++)
        widths[i] = 0;
    /* Share what is left by weight, up to each column's maximum; repeat while
     * a column hit its maximum and space is still left. */
    size_t left = width - used;
    while (left > 0) {
        unsigned total_weight = 0;
        for (size_t i = 0; i < shown; i++) {
            if (widths[i] < column_cap(&columns[i], natural, i))
                total_weight += columns[i].weight ? columns[i].weight : 1;
        }
        if (total_weight == 0)
            break;
        size_t given = 0;
        for (size_t i = 0; i < shown; i++) {
            unsigned cap = column_cap(&columns[i], natural, i);
            if (widths[i] >= cap)
                continue;
            unsigned weight = columns[i].weight ? columns[i].weight : 1;
            size_t share = left * weight / total_weight;
            if (share == 0 && given < left)
                share = 1;
            if (widths[i] + share > cap)
                share = cap - widths[i];
            if (given + share > left)
                share = left - given;
            widths[i] += (unsigned)share;
            given += share;
        }
        if (given == 0)
            break;
        left -= given;
    }
    return shown;
}

void list_natural_widths(const struct list_model *model, const struct list_column *columns,
                         size_t count, unsigned *natural)
{
    for (size_t c = 0; c < count; c++) {
        natural[c] = (unsigned)text_width(columns[c].title);
        for (size_t i = 0; i < model->height; i++) {
            const struct record *record = list_model_row(model, model->top + i);
            if (!record)
                break;
            const char *value = record_get(record, columns[c].field);
            if (!value)
                continue;
            char *safe = text_sanitize(value);
            unsigned w = (unsigned)text_width(safe);
            g_free(safe);
            if (w > natural[c])
                natural[c] = w;
        }
    }
}

static void format_cells(GString *out, const char *const *texts, size_t count,
                         const unsigned *widths, size_t width)
{
    size_t used = 0;
    for (size_t i = 0; i < count && widths[i] > 0; i++) {
        if (used > 0 && used < width) {
            g_string_append_c(out, ' ');
            used++;
        }
        char *safe = text_sanitize(texts[i]);
        size_t cell = widths[i] < width - used ? widths[i] : width - used;
        used += text_append_fitted(out, safe, cell, true);
        g_free(safe);
    }
    for (; used < width; used++)
        g_string_append_c(out, ' ');
}

void list_format_row(GString *out, const struct record *record, const struct list_column *columns,
                     size_t count, const unsigned *widths, size_t width)
{
    const char *texts[RECORD_FIELD_COUNT * 2];
    size_t n = count < G_N_ELEMENTS(texts) ? count : G_N_ELEMENTS(texts);
    for (size_t i = 0; i < n; i++)
        texts[i] = record_get(record, columns[i].field);
    format_cells(out, texts, n, widths, width);
}

void list_format_header(GString *out, const struct list_column *columns, size_t count,
                        const unsigned *widths, size_t width)
{
    const char *texts[RECORD_FIELD_COUNT * 2];
    size_t n = count < G_N_ELEMENTS(texts) ? count : G_N_ELEMENTS(texts);
    for (size_t i = 0; i < n; i++)
        texts[i] = columns[i].title;
    format_cells(out, texts, n, widths, width);
}
