/*
 * The console's pieces the benchmark drives (bench.c): the same functions
 * the event loop calls, reached through one table that console.c fills, so
 * the benchmark measures the real console code and console.c keeps them
 * private. Private to src/ui/. Never used by the interactive console.
 */
#ifndef PORTALCTL_UI_BENCH_INTERNAL_H
#define PORTALCTL_UI_BENCH_INTERNAL_H

#include "ui_internal.h"

#include <portalctl/console.h>

struct console_bench_hooks {
    bool (*init)(struct console *console, const struct console_options *options);
    void (*free)(struct console *console);
    void (*relayout)(struct console *console);
    /* Brings the panels up to date with the browser; true when something changed. */
    bool (*sync)(struct console *console);
    enum ui_result (*handle_input)(struct console *console, const struct input *input);
    /* Runs the connection opening deferred until after a frame; true when it did. */
    bool (*run_deferred)(struct console *console);
};

extern const struct console_bench_hooks console_bench_hooks;

#endif
