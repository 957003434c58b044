/*
 * The console benchmark (see bench.h). Drives the console's own steps
 * (console_bench_hooks: init, sync, handle_input, the deferred open) and
 * draw_screen() on an ncurses screen writing to /dev/null, so what is timed
 * is the real work of a frame: key → action → model → paint → doupdate.
 * Owns the script reader, the timing and the report; never talks HTTP itself
 * (the browser does, as in the console) and never touches a real terminal.
 */
#include "bench_internal.h"

#include <portalctl/bench.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_DEFAULT_ROWS 50
#define BENCH_DEFAULT_COLS 200

struct bench {
    struct console console;
    bool console_ready;
    SCREEN *screen;
    FILE *term_out, *term_in;
    int rows, cols;
    double started_ms; /* when bench_run began */
    GArray *samples;   /* double ms, of the step being measured */
    /* The same frames' CPU time (this thread's): on a shared machine a frame
     * that lost its core for a scheduler tick shows in samples, not here. */
    GArray *cpu_samples;
};

/* ---- timing ------------------------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const GArray *sorted, double p)
{
    size_t n = sorted->len;
    size_t rank = (size_t)(p * (double)(n - 1) + 0.5);
    return g_array_index(sorted, double, MIN(rank, n - 1));
}

static size_t shown_rows(struct bench *b)
{
    return list_model_count(&b->console.panels[b->console.focus].model);
}

/* Prints the step's line and forgets its samples. */
static void report(struct bench *b, const char *step)
{
    GArray *s = b->samples;
    if (s->len == 0) {
        printf("bench %s n=0 rows=%zu\n", step, shown_rows(b));
    } else {
        qsort(s->data, s->len, sizeof(double), compare_doubles);
        printf("bench %s n=%u p50_ms=%.3f p99_ms=%.3f max_ms=%.3f rows=%zu", step, s->len,
               percentile(s, 0.50), percentile(s, 0.99), g_array_index(s, double, s->len - 1),
               shown_rows(b));
        GArray *c = b->cpu_samples;
        if (c->len > 0) {
            qsort(c->data, c->len, sizeof(double), compare_doubles);
            printf(" cpu_p50_ms=%.3f cpu_p99_ms=%.3f cpu_max_ms=%.3f", percentile(c, 0.50),
                   percentile(c, 0.99), g_array_index(c, double, c->len - 1));
        }
        printf("\n");
    }
    fflush(stdout);
    g_array_set_size(s, 0);
    g_array_set_size(b->cpu_samples, 0);
}

static void sample(struct bench *b, double since_ms, double since_cpu_ms)
{
    double ms = now_ms() - since_ms;
    g_array_append_val(b->samples, ms);
    double cpu_ms = cpu_now_ms() - since_cpu_ms;
    g_array_append_val(b->cpu_samples, cpu_ms);
}

/* ---- the console's steps ---------------------------------------------------------- */

static void frame(struct bench *b)
{
    console_bench_hooks.sync(&b->console);
    draw_screen(&b->console);
}

static bool press(struct bench *b, ui_key key, bool is_text)
{
    struct input input = {.kind = INPUT_KEY, .key = key, .is_text = is_text};
    double t0 = now_ms(), cpu0 = cpu_now_ms();
    enum ui_result result = console_bench_hooks.handle_input(&b->console, &input);
    frame(b);
    sample(b, t0, cpu0);
    return (result & UI_QUIT) == 0;
}

/* One turn of the loop while jobs are in flight: wait, then time from the
 * data's arrival (the wait returning) to the frame that shows it. */
static void turn(struct bench *b, GArray *first_rows, GArray *first_rows_cpu)
{
    net_engine_wait(b->console.net, NULL, 0, UI_SPINNER_MS);
    size_t before = b->console.panels[UI_PANEL_USERS].records->count;
    double t0 = now_ms(), cpu0 = cpu_now_ms();
    net_engine_dispatch(b->console.net);
    bool changed = console_bench_hooks.sync(&b->console);
    draw_screen(&b->console);
    if (!changed)
        return;
    sample(b, t0, cpu0);
    if (before == 0 && b->console.panels[UI_PANEL_USERS].records->count > 0) {
        double ms = g_array_index(b->samples, double, b->samples->len - 1);
        g_array_append_val(first_rows, ms);
        double cpu_ms = g_array_index(b->cpu_samples, double, b->cpu_samples->len - 1);
        g_array_append_val(first_rows_cpu, cpu_ms);
    }
}

static void wait_idle(struct bench *b)
{
    GArray *first_rows = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *first_rows_cpu = g_array_new(FALSE, FALSE, sizeof(double));
    while (console_bench_hooks.run_deferred(&b->console))
        frame(b);
    while (browser_jobs_in_flight(b->console.browser) > 0)
        turn(b, first_rows, first_rows_cpu);
    report(b, "wait:arrival-to-frame");
    g_array_append_vals(b->samples, first_rows->data, first_rows->len);
    g_array_append_vals(b->cpu_samples, first_rows_cpu->data, first_rows_cpu->len);
    report(b, "wait:first-rows-arrival-to-frame");
    g_array_free(first_rows, TRUE);
    g_array_free(first_rows_cpu, TRUE);
    if (b->console.browser->message)
        printf("bench-status %s\n", b->console.browser->message);
}

/* ---- the virtual terminal ----------------------------------------------------------- */

static bool start(struct bench *b, const struct console_options *options)
{
    b->console_ready = true; /* console_free undoes even a half-done init */
    if (!console_bench_hooks.init(&b->console, options))
        return false;
    b->term_out = fopen("/dev/null", "w");
    b->term_in = fopen("/dev/null", "r");
    if (!b->term_out || !b->term_in)
        return false;
    b->screen = newterm("xterm-256color", b->term_out, b->term_in);
    if (!b->screen)
        return false;
    set_term(b->screen);
    resizeterm(b->rows, b->cols);
    noecho();
    curs_set(0);
    theme_init();
    console_bench_hooks.relayout(&b->console);
    frame(b);
    double ms = now_ms() - b->started_ms;
    g_array_append_val(b->samples, ms);
    report(b, "start:to-first-frame");
    printf("bench-start jobs_in_flight_at_first_frame=%zu\n",
           browser_jobs_in_flight(b->console.browser));
    return true;
}

static bool open_connection(struct bench *b, const char *name)
{
    int index = browser_find_connection(b->console.browser, name);
    if (index < 0)
        return false;
    list_model_first(&b->console.panels[UI_PANEL_CONNECTIONS].model);
    list_model_move(&b->console.panels[UI_PANEL_CONNECTIONS].model, index);
    console_open_connection(&b->console, (size_t)index);
    frame(b);
    return true;
}

static bool select_id(struct bench *b, const char *id)
{
    struct list_model *m = &b->console.panels[b->console.focus].model;
    for (size_t i = 0; i < list_model_count(m); i++) {
        if (g_strcmp0(record_get(list_model_row(m, i), RECORD_ID), id) == 0) {
            list_model_first(m);
            list_model_move(m, (long)i);
            frame(b);
            return true;
        }
    }
    return false;
}

/* ---- the script ---------------------------------------------------------------------- */

static bool press_key(struct bench *b, const char *word, const char *count_text, char **line)
{
    ui_key key;
    if (!keymap_parse_key(word, &key))
        return false;
    long count = count_text ? strtol(count_text, NULL, 10) : 1;
    bool is_text = g_utf8_strlen(word, -1) == 1;
    for (long i = 0; i < count; i++)
        if (!press(b, key, is_text))
            break;
    *line = g_strdup_printf("key:%s", word);
    return true;
}

static bool type_text(struct bench *b, const char *text, char **line)
{
    for (const char *p = text; *p; p = g_utf8_next_char(p))
        press(b, (ui_key)g_utf8_get_char(p), true);
    *line = g_strdup_printf("type:%s", text);
    return true;
}

/* Runs one command; *step is set when the command measured something. */
static bool run_command(struct bench *b, const struct console_options *options, char **words,
                        char **step)
{
    const char *verb = words[0], *arg = words[1];
    bool started = b->screen != NULL;
    if (strcmp(verb, "size") == 0 && arg && words[2] && !started) {
        b->rows = atoi(arg);
        b->cols = atoi(words[2]);
        return b->rows > 0 && b->cols > 0;
    }
    if (strcmp(verb, "start") == 0 && !started)
        return start(b, options);
    if (!started)
        return false;
    if (strcmp(verb, "open") == 0 && arg)
        return open_connection(b, arg);
    if (strcmp(verb, "wait") == 0) {
        wait_idle(b);
        return true;
    }
    if (strcmp(verb, "select") == 0 && arg)
        return select_id(b, arg);
    if (strcmp(verb, "key") == 0 && arg)
        return press_key(b, arg, words[2], step);
    if (strcmp(verb, "type") == 0 && arg)
        return type_text(b, arg, step);
    return false;
}

static bool run_script(struct bench *b, const struct console_options *options, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    bool ok = true;
    for (size_t n = 0; ok && lines[n]; n++) {
        char *hash = strchr(lines[n], '#');
        if (hash)
            *hash = '\0';
        char **words = g_strsplit_set(g_strstrip(lines[n]), " \t", -1);
        if (words[0] && words[0][0]) {
            char *step = NULL;
            ok = run_command(b, options, words, &step);
            if (!ok)
                fprintf(stderr, "portalctl: --bench: line %zu: cannot do '%s'\n", n + 1, lines[n]);
            else if (step)
                report(b, step);
            g_free(step);
        }
        g_strfreev(words);
    }
    g_strfreev(lines);
    return ok;
}

int bench_run(const struct console_options *options, const char *script_path)
{
    struct bench b = {.rows = BENCH_DEFAULT_ROWS, .cols = BENCH_DEFAULT_COLS};
    b.started_ms = now_ms();
    b.samples = g_array_new(FALSE, FALSE, sizeof(double));
    b.cpu_samples = g_array_new(FALSE, FALSE, sizeof(double));
    char *text = NULL;
    GError *error = NULL;
    int status = 2;
    if (!g_file_get_contents(script_path, &text, NULL, &error)) {
        fprintf(stderr, "portalctl: --bench: %s\n", error->message);
        g_clear_error(&error);
    } else if (run_script(&b, options, text)) {
        status = 0;
    }
    if (b.screen) {
        endwin();
        delscreen(b.screen);
    }
    if (b.console_ready)
        console_bench_hooks.free(&b.console);
    if (b.term_out)
        fclose(b.term_out);
    if (b.term_in)
        fclose(b.term_in);
    g_free(text);
    g_array_free(b.samples, TRUE);
    g_array_free(b.cpu_samples, TRUE);
    return status;
}
