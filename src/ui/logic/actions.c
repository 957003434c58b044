/*
 * The action and context tables, expanded from the X-macros in ui_action.h.
 * Names and texts only; no curses here.
 */
#include <portalctl/ui_action.h>

#include <string.h>

struct action_row {
    const char *name;
    const char *hint;
    const char *help;
};

static const struct action_row action_rows[UI_ACTION_COUNT] = {
    [UI_ACTION_NONE] = {NULL, NULL, NULL},
#define UI_ACTION_ROW(id, name, hint, help) [UI_ACTION_##id] = {name, hint, help},
    UI_ACTIONS(UI_ACTION_ROW)
#undef UI_ACTION_ROW
};

struct context_row {
    const char *name;
    const char *title;
};

static const struct context_row context_rows[UI_CONTEXT_COUNT] = {
#define UI_CONTEXT_ROW(id, name, title) [UI_CONTEXT_##id] = {name, title},
    UI_CONTEXTS(UI_CONTEXT_ROW)
#undef UI_CONTEXT_ROW
};

static bool action_in_range(enum ui_action action)
{
    return action > UI_ACTION_NONE && action < UI_ACTION_COUNT;
}

const char *ui_action_name(enum ui_action action)
{
    return action_in_range(action) ? action_rows[action].name : NULL;
}

const char *ui_action_hint(enum ui_action action)
{
    return action_in_range(action) ? action_rows[action].hint : NULL;
}

const char *ui_action_help(enum ui_action action)
{
    return action_in_range(action) ? action_rows[action].help : NULL;
}

bool ui_action_from_name(const char *name, enum ui_action *action)
{
    for (int i = UI_ACTION_NONE + 1; i < UI_ACTION_COUNT; i++) {
        if (strcmp(action_rows[i].name, name) == 0) {
            *action = (enum ui_action)i;
            return true;
        }
    }
    return false;
}

bool ui_action_is_change(enum ui_action action)
{
    switch (action) {
#define UI_ACTION_CASE(id, name, hint, help) case UI_ACTION_##id:
        UI_CHANGE_ACTIONS(UI_ACTION_CASE)
#undef UI_ACTION_CASE
        return true;
    default:
        return false;
    }
}

const char *ui_context_name(enum ui_context context)
{
    return (unsigned)context < UI_CONTEXT_COUNT ? context_rows[context].name : NULL;
}

const char *ui_context_title(enum ui_context context)
{
    return (unsigned)context < UI_CONTEXT_COUNT ? context_rows[context].title : NULL;
}

bool ui_context_from_name(const char *name, enum ui_context *context)
{
    for (int i = 0; i < UI_CONTEXT_COUNT; i++) {
        if (strcmp(context_rows[i].name, name) == 0) {
            *context = (enum ui_context)i;
            return true;
        }
    }
    return false;
}
