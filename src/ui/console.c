/*
 * The console's controller and its event loop, in one place.
 *
 * The loop: paint what changed, then wait in net_engine_wait() on the
 * terminal, the signal self-pipe and libcurl's sockets together — with the
 * spinner's period as timeout only while a job is in flight, else no timeout
 * at all, so an idle console never wakes up — then net_engine_dispatch(),
 * then every key waiting: key → keymap → action → handler. Handlers return
 * what must happen next (enum ui_result, as htop's Action.h); they never
 * paint. KEY_RESIZE is handled here and only here.
 */
#include "ui_internal.h"
#include "bench_internal.h" /* the benchmark's table, at the end of this file */

#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <portalctl/console.h>

/* ---- the panels: what each shows, as data ---------------------------------------- */

static const struct list_column connection_columns[] = {
    {RECORD_ROLE, "VENDOR", 8, 8, 0},
    {RECORD_NAME, "NAME", 8, 20, 1},
    {RECORD_STATUS, "STATE", 10, 26, 3},
};

static const struct list_column portal_columns[] = {
    {RECORD_ID, "ID", 6, 24, 2},
    {RECORD_NAME, "NAME", 10, 40, 3},
    {RECORD_STATUS, "STATUS", 8, 14, 1},
    {RECORD_URL, "URL", 10, 0, 3},
    {RECORD_CREATED, "CREATED", 20, 25, 0},
};

static const struct list_column user_columns[] = {
    {RECORD_ID, "ID", 6, 20, 1},        {RECORD_NAME, "NAME", 8, 30, 2},
    {RECORD_EMAIL, "EMAIL", 12, 40, 3}, {RECORD_STATUS, "STATUS", 8, 12, 1},
    {RECORD_ROLE, "ROLE", 8, 16, 1},    {RECORD_CREATED, "CREATED", 20, 25, 0},
};

static void panel_setup(struct panel *panel, enum ui_panel id, const char *caption,
                        const struct list_column *columns, size_t count, const char *empty,
                        const struct record_list *records, const unsigned *generation)
{
    panel->id = id;
    panel->caption = caption;
    panel->columns = columns;
    panel->column_count = count;
    panel->empty_text = empty;
    panel->records = records;
    panel->generation = generation;
    panel->generation_seen = *generation;
    list_model_init(&panel->model, records);
}

static void console_setup_panels(struct console *console)
{
    struct browser *b = console->browser;
    panel_setup(&console->panels[UI_PANEL_CONNECTIONS], UI_PANEL_CONNECTIONS, "Connections",
                connection_columns, G_N_ELEMENTS(connection_columns),
                "none: add one with 'portalctl connections add'", &b->connection_rows,
                &b->connection_generation);
    panel_setup(&console->panels[UI_PANEL_PORTALS], UI_PANEL_PORTALS, "Portals", portal_columns,
                G_N_ELEMENTS(portal_columns), "Enter on a connection lists its portals",
                &b->portals.records, &b->portals.generation);
    panel_setup(&console->panels[UI_PANEL_USERS], UI_PANEL_USERS, "Users", user_columns,
                G_N_ELEMENTS(user_columns), "Enter on a portal lists its users", &b->users.records,
                &b->users.generation);
}

/* ---- state helpers ------------------------------------------------------------------ */

struct list_model *console_current_model(struct console *console)
{
    if (console->overlay.kind != OVERLAY_NONE)
        return &console->overlay.model;
    return &console->panels[console->focus].model;
}

enum ui_context console_context(const struct console *console)
{
    if (console->dialog.purpose != DIALOG_NONE || console->bulk)
        return UI_CONTEXT_DIALOG;
    if (console->form)
        return UI_CONTEXT_FORM;
    switch (console->overlay.kind) {
    case OVERLAY_HELP:
        return UI_CONTEXT_HELP;
    case OVERLAY_DETAIL:
        return UI_CONTEXT_DETAIL;
    default:
        return UI_CONTEXT_MAIN;
    }
}

static void relayout(struct console *console)
{
    ui_layout_compute(COLS, LINES, &console->layout);
    for (int p = 0; p < UI_PANEL_COUNT && !console->layout.too_small; p++) {
        int rows = ui_layout_panel_rows(&console->layout.panels[p]);
        list_model_set_height(&console->panels[p].model, (size_t)(rows > 0 ? rows : 1));
    }
    overlay_resize(console);
}

/* Brings the panels' models up to date with the browser's lists. */
static bool sync_from_browser(struct console *console)
{
    bool changed = console->browser->changes != console->browser_changes_seen;
    console->browser_changes_seen = console->browser->changes;
    for (int p = 0; p < UI_PANEL_COUNT; p++) {
        struct panel *panel = &console->panels[p];
        if (*panel->generation != panel->generation_seen) {
            panel->generation_seen = *panel->generation;
            list_model_reload(&panel->model);
            changed = true;
        } else if (panel->model.scanned != panel->records->count) {
            list_model_sync(&panel->model);
            changed = true;
        }
    }
    return changed;
}

/* ---- actions ------------------------------------------------------------------------------ */

enum ui_result console_open_connection(struct console *console, size_t index)
{
    struct browser_connection *c = browser_connection_at(console->browser, index);
    if (!c)
        return UI_DONE;
    console->focus = UI_PANEL_PORTALS;
    if (browser_needs_keyring(console->browser, index)) {
        /* The lookup blocks on D-Bus: say so on screen first, run it after the frame. */
        browser_set_message(console->browser, false, "looking up the secrets of %s in the keyring…",
                            c->config->name);
        console->pending_open = (int)index;
        return UI_REDRAW;
    }
    browser_open_connection(console->browser, index);
    return UI_REDRAW;
}

static enum ui_result open_selected(struct console *console)
{
    struct panel *panel = &console->panels[console->focus];
    const struct record *record = list_model_selected(&panel->model);
    if (!record)
        return UI_DONE;
    switch (console->focus) {
    case UI_PANEL_CONNECTIONS: {
        int index = browser_find_connection(console->browser, record_get(record, RECORD_ID));
        return index < 0 ? UI_DONE : console_open_connection(console, (size_t)index);
    }
    case UI_PANEL_PORTALS:
        browser_open_portal(console->browser, record);
        console->focus = UI_PANEL_USERS;
        return UI_REDRAW;
    default:
        return console_do_action(console, UI_ACTION_DETAIL);
    }
}

static enum ui_result show_detail(struct console *console)
{
    struct panel *panel = &console->panels[console->focus];
    const struct record *record = list_model_selected(&panel->model);
    if (!record)
        return UI_DONE;
    const char *name = record_get(record, RECORD_NAME);
    const char *id = record_get(record, RECORD_ID);
    char *title = g_strdup_printf("%s %s", panel->caption, name ? name : id ? id : "");
    overlay_open_detail(console, panel->records, record, title);
    g_free(title);
    return UI_REDRAW;
}

/* Esc: the overlay first, then a change in flight, then a list loading, then
 * the filter, then one panel back. */
static enum ui_result go_back(struct console *console)
{
    if (console->overlay.kind != OVERLAY_NONE) {
        if (list_model_filter(&console->overlay.model))
            list_model_set_filter(&console->overlay.model, NULL);
        else
            overlay_close(console);
        return UI_REDRAW;
    }
    if (change_running(console->change)) { /* confirmed, no form: remove, reset… */
        change_cancel(console->change);
        return UI_REDRAW;
    }
    enum ui_panel focus = console->focus;
    if (focus != UI_PANEL_CONNECTIONS &&
        browser_cancel(console->browser,
                       focus == UI_PANEL_PORTALS ? BROWSER_PORTALS : BROWSER_USERS))
        return UI_REDRAW;
    struct list_model *model = &console->panels[focus].model;
    if (list_model_filter(model)) {
        list_model_set_filter(model, NULL);
        return UI_REDRAW;
    }
    if (focus != UI_PANEL_CONNECTIONS)
        console->focus = focus - 1;
    return UI_REDRAW;
}

static enum ui_result refresh_list(struct console *console)
{
    switch (console->focus) {
    case UI_PANEL_USERS:
        browser_refresh(console->browser, BROWSER_USERS);
        break;
    case UI_PANEL_PORTALS:
        browser_refresh(console->browser, BROWSER_PORTALS);
        break;
    default:
        if (console->browser->current >= 0)
            return console_open_connection(console, (size_t)console->browser->current);
        break;
    }
    return UI_REDRAW;
}

static enum ui_result toggle_mouse(struct console *console)
{
    console->mouse = !console->mouse;
    terminal_set_mouse(console->mouse);
    browser_set_message(console->browser, false, "mouse %s", console->mouse ? "on" : "off");
    return UI_REDRAW;
}

static enum ui_result move_cursor(struct console *console, enum ui_action action)
{
    struct list_model *m = console_current_model(console);
    switch (action) {
    case UI_ACTION_MOVE_UP:
        list_model_move(m, -1);
        break;
    case UI_ACTION_MOVE_DOWN:
        list_model_move(m, 1);
        break;
    case UI_ACTION_PAGE_UP:
        list_model_page(m, -1);
        break;
    case UI_ACTION_PAGE_DOWN:
        list_model_page(m, 1);
        break;
    case UI_ACTION_FIRST:
        list_model_first(m);
        break;
    default:
        list_model_last(m);
        break;
    }
    return UI_REDRAW;
}

enum ui_result console_do_action(struct console *console, enum ui_action action)
{
    if (ui_action_is_change(action)) {
        if (!changes_action_visible(console, action)) {
            browser_set_message(console->browser, true,
                                "read-only: changes are refused, nothing is sent");
            return UI_REDRAW;
        }
        if (action == UI_ACTION_INVITE_CSV || action == UI_ACTION_REMOVE_CSV)
            return bulk_view_ask(console, action);
        return changes_run_action(console, action);
    }
    switch (action) {
    case UI_ACTION_MOVE_UP:
    case UI_ACTION_MOVE_DOWN:
    case UI_ACTION_PAGE_UP:
    case UI_ACTION_PAGE_DOWN:
    case UI_ACTION_FIRST:
    case UI_ACTION_LAST:
        return move_cursor(console, action);
    case UI_ACTION_NEXT_PANEL:
        console->focus = (console->focus + 1) % UI_PANEL_COUNT;
        return UI_REDRAW;
    case UI_ACTION_PREV_PANEL:
        console->focus = (console->focus + UI_PANEL_COUNT - 1) % UI_PANEL_COUNT;
        return UI_REDRAW;
    case UI_ACTION_OPEN:
        return open_selected(console);
    case UI_ACTION_DETAIL:
        return show_detail(console);
    case UI_ACTION_BACK:
        return go_back(console);
    case UI_ACTION_REFRESH:
        return refresh_list(console);
    case UI_ACTION_FILTER:
        prompt_open(console, PROMPT_FILTER);
        return UI_REDRAW;
    case UI_ACTION_COMMAND:
        prompt_open(console, PROMPT_COMMAND);
        return UI_REDRAW;
    case UI_ACTION_HELP:
        overlay_open_help(console);
        return UI_REDRAW;
    case UI_ACTION_TOGGLE_MOUSE:
        return toggle_mouse(console);
    case UI_ACTION_QUIT:
        return UI_QUIT;
    case UI_ACTION_WHOAMI:
    case UI_ACTION_USER_TYPES:
        return changes_run_action(console, action);
    default:
        return UI_DONE;
    }
}

/* ---- input ------------------------------------------------------------------------------- */

static enum ui_result handle_mouse(struct console *console, const MEVENT *event)
{
    if (console->overlay.kind != OVERLAY_NONE || console->layout.too_small || console->form ||
        console->dialog.purpose != DIALOG_NONE || console->bulk)
        return UI_DONE;
    enum ui_panel panel = ui_layout_panel_at(&console->layout, event->y, event->x);
    if (panel == UI_PANEL_COUNT)
        return UI_DONE;
    console->focus = panel;
    struct list_model *m = &console->panels[panel].model;
    if (event->bstate & BUTTON4_PRESSED)
        list_model_move(m, -3);
    else if (event->bstate & BUTTON5_PRESSED)
        list_model_move(m, 3);
    else if (event->y >= console->layout.panels[panel].y + 2)
        list_model_click(m, (size_t)(event->y - console->layout.panels[panel].y - 2));
    return UI_REDRAW;
}

static enum ui_result handle_input(struct console *console, const struct input *input)
{
    if (input->kind == INPUT_KEY)
        g_clear_pointer(&console->notice, g_free);
    if (input->kind == INPUT_RESIZE) {
        relayout(console);
        return UI_REDRAW;
    }
    if (input->kind == INPUT_MOUSE)
        return handle_mouse(console, &input->mouse);
    if (console->layout.too_small) {
        /* Only quitting makes sense on the "too small" screen. */
        enum ui_action action = keymap_lookup(console->keymap, UI_CONTEXT_MAIN, input->key);
        return action == UI_ACTION_QUIT ? UI_QUIT : UI_DONE;
    }
    if (console->bulk && console->prompt.kind == PROMPT_NONE)
        return bulk_view_key(console, input);
    if (console->dialog.purpose != DIALOG_NONE)
        return dialog_key(console, input);
    if (console->form)
        return form_key(console, input);
    if (console->prompt.kind != PROMPT_NONE)
        return prompt_key(console, input);
    enum ui_action action = keymap_lookup(console->keymap, console_context(console), input->key);
    return console_do_action(console, action);
}

/* ---- the loop ------------------------------------------------------------------------------ */

static bool run_deferred(struct console *console)
{
    if (console->pending_open < 0)
        return false;
    size_t index = (size_t)console->pending_open;
    console->pending_open = -1;
    browser_open_connection(console->browser, index);
    return true;
}

static void event_loop(struct console *console)
{
    bool quit = false;
    bool redraw = true;
    while (!quit) {
        redraw |= changes_poll(console); /* local changes end at once, jobs later */
        redraw |= sync_from_browser(console);
        if (redraw)
            draw_screen(console);
        redraw = false;
        if (run_deferred(console)) {
            redraw = true;
            continue;
        }
        bool busy = browser_jobs_in_flight(console->browser) > 0 ||
                    change_running(console->change) || bulk_view_running(console);
        struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                                {.fd = terminal_signal_fd(), .events = POLLIN}};
        /* A bulk run's retry may be due before the spinner's next frame. */
        net_engine_wait(console->net, fds, 2,
                        bulk_view_timeout_ms(console, busy ? UI_SPINNER_MS : -1));
        if (fds[1].revents & POLLIN)
            quit |= terminal_take_signals();
        net_engine_dispatch(console->net);
        redraw |= bulk_view_pump(console);
        struct input input;
        while (!quit && (input = terminal_read()).kind != INPUT_NONE) {
            enum ui_result result = handle_input(console, &input);
            quit |= (result & UI_QUIT) != 0;
            redraw |= (result & UI_REDRAW) != 0;
        }
        redraw |= busy; /* the spinner and the seconds move on */
    }
}

/* ---- entry ---------------------------------------------------------------------------------- */

static struct keymap *load_keymap(void)
{
    struct keymap *keymap = keymap_new();
    GString *errors = g_string_new(NULL);
    char *path = keymap_user_path();
    bool ok = keymap_load_text(keymap, keymap_builtin_conf, "keys.conf (built in)", errors) &&
              keymap_load_file(keymap, path, errors);
    if (!ok) {
        fprintf(stderr, "portalctl: %s is refused:\n%s", path, errors->str);
        keymap_free(keymap);
        keymap = NULL;
    }
    g_free(path);
    g_string_free(errors, TRUE);
    return keymap;
}

static void console_free(struct console *console)
{
    overlay_close(console);
    dialog_close(console);
    bulk_view_close(console); /* lets its requests in flight end first */
    changes_drop(console);    /* its job's cancellation is delivered by browser_free */
    g_clear_pointer(&console->notice, g_free);
    browser_free(console->browser);
    for (int p = 0; p < UI_PANEL_COUNT; p++)
        list_model_clear(&console->panels[p].model);
    if (console->prompt.text)
        g_string_free(console->prompt.text, TRUE);
    net_engine_free(console->net);
    keymap_free(console->keymap);
}

static bool console_init(struct console *console, const struct console_options *options)
{
    memset(console, 0, sizeof(*console));
    console->pending_open = -1;
    console->read_only = options->read_only;
    console->mode_label = options->mode_label;
    console->config_path = options->config->path;
    console->prompt.text = g_string_new(NULL);
    console->keymap = load_keymap();
    console->net = net_engine_new(NULL);
    if (!console->keymap || !console->net) {
        if (!console->net)
            fprintf(stderr, "portalctl: cannot set up libcurl\n");
        return false;
    }
    console->browser = browser_new(console->net, options->secrets, options->read_only);
    for (guint i = 0; i < options->config->connections->len; i++)
        browser_add_connection(console->browser,
                               g_ptr_array_index(options->config->connections, i));
    console_setup_panels(console);
    console->mouse = keymap_mouse(console->keymap);
    return true;
}

/* Selects the connection named on the command line, to be opened after the first frame. */
static bool select_initial(struct console *console, const char *name)
{
    if (!name)
        return true;
    int index = browser_find_connection(console->browser, name);
    if (index < 0) {
        fprintf(stderr, "portalctl: no connection named '%s' (see 'portalctl connections')\n",
                name);
        return false;
    }
    list_model_move(&console->panels[UI_PANEL_CONNECTIONS].model, index);
    console_open_connection(console, (size_t)index);
    if (console->pending_open < 0) {
        /* No keyring involved: still open it after the first frame. */
        console->pending_open = index;
    }
    return true;
}

int console_run(const struct console_options *options)
{
    struct console console;
    int status = 2;
    setlocale(LC_ALL, ""); /* ncursesw measures and draws UTF-8 only under a UTF-8 locale */
    if (console_init(&console, options) && select_initial(&console, options->connection)) {
        char *error = NULL;
        if (terminal_start(&error)) {
            terminal_set_mouse(console.mouse);
            relayout(&console);
            if (browser_connection_count(console.browser) == 0)
                browser_set_message(console.browser, false,
                                    "no connections yet: add one with 'portalctl connections "
                                    "add' (or try portalctl --demo)");
            event_loop(&console);
            terminal_end();
            status = 0;
        } else {
            fprintf(stderr, "portalctl: %s\n", error);
            g_free(error);
        }
    }
    console_free(&console);
    return status;
}

/* ---- the benchmark's way in (bench.c, portalctl --bench): the loop's own steps ---- */

const struct console_bench_hooks console_bench_hooks = {
    .init = console_init,
    .free = console_free,
    .relayout = relayout,
    .sync = sync_from_browser,
    .handle_input = handle_input,
    .run_deferred = run_deferred,
};
