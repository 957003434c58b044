/*
 * bulk report: one line per CSV row (line, identity, outcome, vendor id,
 * error, and the generated password when the run made any), as CSV or as a
 * JSON array with one object per line; written atomically with mode 0600
 * because it may hold passwords. Also the password generator, so that the
 * only two places a generated password exists are the row in memory and
 * this file. Never: print, or write a password anywhere else.
 */
#include "bulk_internal.h"

#include <portalctl/audit.h>
#include <portalctl/secrets.h>
#include <portalctl/store_files.h>
#include <portalctl/text.h>

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define PASSWORD_LENGTH 20

/* ---- passwords ------------------------------------------------------------------------ */

static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char digits[] = "0123456789";
/* No quote, backslash, comma or space (CSV and shells), none of = + - @
 * (spreadsheet formulas) at all. */
static const char specials[] = "!#%*?^_~.";

/* Random bytes from the kernel, refilled as used; false when getrandom
 * fails (there is no safe fallback for a password). */
struct random_pool {
    unsigned char bytes[256];
    size_t used;
    bool failed;
};

static bool random_byte(struct random_pool *pool, unsigned char *out)
{
    if (pool->used == 0 || pool->used >= sizeof(pool->bytes)) {
        size_t got = 0;
        while (got < sizeof(pool->bytes) && !pool->failed) {
            ssize_t n = getrandom(pool->bytes + got, sizeof(pool->bytes) - got, 0);
            if (n > 0)
                got += (size_t)n;
            else if (n < 0 && errno != EINTR)
                pool->failed = true;
        }
        pool->used = 0;
    }
    *out = pool->bytes[pool->used++];
    return !pool->failed;
}

/* A uniform index below n (n <= 256), by rejection: no modulo bias. */
static size_t random_below(struct random_pool *pool, size_t n)
{
    size_t limit = 256 - 256 % n;
    unsigned char byte = 0;
    while (random_byte(pool, &byte) && byte >= limit)
        ;
    return byte % n;
}

static bool has_any(const char *text, const char *set)
{
    return strpbrk(text, set) != NULL;
}

char *bulk_generate_password(void)
{
    char alphabet[128];
    g_snprintf(alphabet, sizeof(alphabet), "%s%s%s%s", lower, upper, digits, specials);
    size_t n = strlen(alphabet);
    char *password = g_malloc0(PASSWORD_LENGTH + 1);
    struct random_pool pool = {.used = 0};
    do {
        password[0] = (random_below(&pool, 2) ? lower : upper)[random_below(&pool, 26)];
        for (size_t i = 1; i < PASSWORD_LENGTH; i++)
            password[i] = alphabet[random_below(&pool, n)];
    } while (!pool.failed && (!has_any(password, lower) || !has_any(password, upper) ||
                              !has_any(password, digits) || !has_any(password, specials)));
    secret_wipe((char *)pool.bytes);
    memset(pool.bytes, 0, sizeof(pool.bytes));
    if (pool.failed) {
        secret_value_free(password);
        return NULL;
    }
    return password;
}

/* ---- the report -------------------------------------------------------------------------- */

enum bulk_report_format bulk_report_format_for(const char *path)
{
    return path && g_str_has_suffix(path, ".csv") ? BULK_REPORT_CSV : BULK_REPORT_JSON;
}

static const char *row_outcome(const struct bulk_row *row)
{
    if (row->status == BULK_STATUS_DONE && row->outcome)
        return row->outcome;
    if (row->status == BULK_STATUS_FAILED && row->permanent)
        return "refused"; /* for good: a re-run does not send it again unchanged */
    return bulk_status_name(row->status);
}

static bool plan_has_passwords(const struct bulk_plan *plan)
{
    return plan->action == BULK_CREATE && plan->generate_passwords;
}

/* The password a row's line shows: only one this run set. */
static const char *row_password(const struct bulk_row *row)
{
    return row->status == BULK_STATUS_DONE ? row->password : NULL;
}

/* A CSV field: quoted when needed; a leading = + - @ is neutralised with a
 * quote character so that a spreadsheet shows it instead of evaluating it. */
static void append_csv_field(GString *out, const char *value)
{
    char *text = text_sanitize(value ? value : "");
    bool formula = strchr("=+-@", text[0]) && text[0];
    bool quote = formula || strpbrk(text, ",\"\r\n") != NULL;
    if (quote)
        g_string_append_c(out, '"');
    if (formula)
        g_string_append_c(out, '\'');
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *c);
    }
    if (quote)
        g_string_append_c(out, '"');
    g_free(text);
}

static void append_csv(GString *out, const struct bulk_plan *plan)
{
    bool passwords = plan_has_passwords(plan);
    g_string_append(out, passwords ? "line,identity,outcome,id,error,password\r\n"
                                   : "line,identity,outcome,id,error\r\n");
    for (guint i = 0; i < plan->rows->len; i++) {
        const struct bulk_row *row = g_ptr_array_index(plan->rows, i);
        g_string_append_printf(out, "%u,", row->line);
        append_csv_field(out, row->identity);
        g_string_append_c(out, ',');
        append_csv_field(out, row_outcome(row));
        g_string_append_c(out, ',');
        append_csv_field(out, row->vendor_id);
        g_string_append_c(out, ',');
        append_csv_field(out, row->error);
        if (passwords) {
            g_string_append_c(out, ',');
            append_csv_field(out, row_password(row));
        }
        g_string_append(out, "\r\n");
    }
}

static void append_json(GString *out, const struct bulk_plan *plan)
{
    bool passwords = plan_has_passwords(plan);
    g_string_append_c(out, '[');
    for (guint i = 0; i < plan->rows->len; i++) {
        const struct bulk_row *row = g_ptr_array_index(plan->rows, i);
        g_string_append_printf(out, "%s\n{\"line\":%u,\"identity\":", i ? "," : "", row->line);
        text_append_json_string(out, row->identity);
        g_string_append(out, ",\"outcome\":");
        text_append_json_string(out, row_outcome(row));
        g_string_append(out, ",\"id\":");
        text_append_json_string(out, row->vendor_id);
        g_string_append(out, ",\"error\":");
        text_append_json_string(out, row->error);
        if (passwords) {
            g_string_append(out, ",\"password\":");
            text_append_json_string(out, row_password(row));
        }
        g_string_append_c(out, '}');
    }
    g_string_append(out, plan->rows->len ? "\n]\n" : "]\n");
}

char *bulk_report_text(const struct bulk_plan *plan, enum bulk_report_format format)
{
    GString *out = g_string_new(NULL);
    if (format == BULK_REPORT_CSV)
        append_csv(out, plan);
    else
        append_json(out, plan);
    return g_string_free(out, FALSE);
}

bool bulk_report_write(const struct bulk_plan *plan, const char *path,
                       enum bulk_report_format format, GError **error)
{
    char *text = bulk_report_text(plan, format);
    bool ok = store_replace_file(path, text, strlen(text), error);
    secret_wipe(text);
    g_free(text);
    return ok;
}

bool bulk_audit(const struct bulk_plan *plan, const char *connection, const char *portal,
                const char *csv_path, size_t succeeded, size_t failed, GError **error)
{
    char *operation = g_strdup_printf("bulk-%s", bulk_plan_operation(plan));
    char *message = g_strdup_printf("%zu rows done, %zu failed (%s)", succeeded, failed, csv_path);
    struct audit_entry entry = {
        .connection = connection,
        .operation = operation,
        .target = portal,
        .result = failed == 0      ? AUDIT_RESULT_OK
                  : succeeded == 0 ? AUDIT_RESULT_FAILED
                                   : AUDIT_RESULT_PARTIAL,
        .message = message,
    };
    bool ok = audit_append(NULL, &entry, error);
    g_free(message);
    g_free(operation);
    return ok;
}
