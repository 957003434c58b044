/*
 * The form view's model without a terminal, over the vendors' real form
 * specs: focus moving over fields and the Submit button (context fields
 * skipped), UTF-8 editing with a cursor, validation when a field is left and
 * on submit, enum choices, secret fields that never show their value, a
 * vendor's refusal landing on its field with every value kept, the dirty
 * flag, horizontal scrolling, and the invite form's several-people check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <glib.h>

#include <portalctl/browser.h>
#include <portalctl/change.h>
#include <portalctl/form_model.h>
#include <portalctl/keymap.h>
#include <portalctl/vendor_fields.h>

static void type_text(struct form_model *form, const char *text)
{
    for (const char *p = text; *p; p = g_utf8_next_char(p))
        form_model_edit(form, (ui_key)g_utf8_get_char(p), true);
}

static void test_focus_skips_context_fields_and_wraps(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("set role");
    form_model_add_spec(form, &ecgrid_set_role_form); /* userId (context), authLevel */
    assert_int_equal(form_model_count(form), 2);
    assert_string_equal(form_model_focused(form)->spec->key, "authLevel");
    form_model_next(form);
    assert_true(form_model_on_submit(form));
    form_model_next(form); /* wraps, over the context field */
    assert_string_equal(form_model_focused(form)->spec->key, "authLevel");
    form_model_prev(form);
    assert_true(form_model_on_submit(form));
    form_model_free(form);
}

static void test_utf8_editing_with_cursor(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("create");
    form_model_add_spec(form, &valstorm_create_portal_form);
    assert_false(form->dirty);
    type_text(form, "Zoë Hub");
    assert_true(form->dirty);
    assert_string_equal(form_model_value(form, "name"), "Zoë Hub");
    form_model_edit(form, UI_KEY_HOME, false);
    form_model_edit(form, UI_KEY_RIGHT, false);
    form_model_edit(form, UI_KEY_RIGHT, false);
    form_model_edit(form, UI_KEY_DELETE, false); /* the two-byte ë */
    assert_string_equal(form_model_value(form, "name"), "Zo Hub");
    form_model_edit(form, (ui_key)0x00e9, true); /* é at the cursor */
    assert_string_equal(form_model_value(form, "name"), "Zoé Hub");
    form_model_edit(form, UI_KEY_END, false);
    form_model_edit(form, UI_KEY_BACKSPACE, false);
    assert_string_equal(form_model_value(form, "name"), "Zoé Hu");
    form_model_edit(form, UI_KEY_LEFT, false);
    form_model_edit(form, UI_KEY_LEFT, false);
    form_model_edit(form, UI_KEY_BACKSPACE, false); /* the space */
    assert_string_equal(form_model_value(form, "name"), "ZoéHu");
    size_t col = 99;
    char *shown = form_model_display(form, 0, 20, &col);
    assert_string_equal(shown, "ZoéHu");
    assert_int_equal(col, 3);
    g_free(shown);
    form_model_free(form);
}

static void test_check_on_leave_and_submit(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("zoho");
    form_model_add_spec(form, &zoho_create_portal_form);
    type_text(form, "bad name");
    assert_null(form_model_focused(form)->error);
    form_model_next(form); /* leaving it checks it */
    assert_non_null(form_model_find(form, "name")->error);
    assert_non_null(strstr(form_model_find(form, "name")->error, "letters"));
    assert_false(form_model_check_all(form));
    assert_string_equal(form_model_focused(form)->spec->key, "name"); /* focus on the error */
    for (int i = 0; i < 8; i++)
        form_model_edit(form, UI_KEY_BACKSPACE, false);
    type_text(form, "GoodName1");
    assert_true(form_model_check_all(form));
    assert_null(form_model_find(form, "name")->error);
    assert_int_equal(form_model_error_count(form), 0);
    form_model_free(form);
}

static void test_required_error_and_form_rule(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("valstorm update");
    form_model_add_spec(form, &valstorm_update_portal_form);
    assert_false(form_model_check_all(form));
    assert_non_null(form->form_error); /* "nothing to change" belongs to no field */
    assert_non_null(strstr(form->form_error, "nothing to change"));
    form_model_free(form);
}

static void test_enum_cycles_and_picks_by_letter(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("create user");
    form_model_add_spec(form, &ecgrid_create_user_form);
    assert_string_equal(form_model_value(form, "authLevel"), "MailboxUser"); /* the default */
    while (strcmp(form_model_focused(form)->spec->key, "authLevel") != 0)
        form_model_next(form);
    form_model_edit(form, UI_KEY_SPACE, true);
    assert_string_equal(form_model_value(form, "authLevel"), "TPUser");
    form_model_edit(form, UI_KEY_LEFT, false);
    assert_string_equal(form_model_value(form, "authLevel"), "MailboxUser");
    form_model_edit(form, 'r', true);
    assert_string_equal(form_model_value(form, "authLevel"), "Root");
    form_model_edit(form, 'x', true); /* no choice starts with x: nothing typed */
    assert_string_equal(form_model_value(form, "authLevel"), "Root");
    char *hint = form_model_choice_hint(form, form->focus);
    assert_string_equal(hint, "(1 of 9, Space changes)");
    g_free(hint);
    form_model_free(form);
}

static void test_secret_never_displayed(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("create user");
    form_model_add_spec(form, &ecgrid_create_user_form);
    form_model_next(form); /* password */
    assert_string_equal(form_model_focused(form)->spec->key, "password");
    type_text(form, "S3cret!Pw");
    char *shown = form_model_display(form, form->focus, 40, NULL);
    assert_string_equal(shown, "*********");
    g_free(shown);
    form_model_insert(form, "xy\nz");
    assert_string_equal(form_model_value(form, "password"), "S3cret!Pwxy z");
    /* A failed check names the rule, never the value. */
    form_model_set_value(form, "password", "short");
    form_model_check_field(form, form->focus);
    assert_non_null(form_model_focused(form)->error);
    assert_null(strstr(form_model_focused(form)->error, "short"));
    form_model_free(form);
}

static void test_api_error_lands_on_field_values_kept(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("zoho");
    form_model_add_spec(form, &zoho_create_portal_form);
    type_text(form, "CustomerHub");
    struct api_error error;
    api_error_init(&error);
    api_error_set(&error, API_REFUSED, 400, "ALREADY_USED",
                  "The entered portal name is already in use");
    api_error_add_field(&error, "name", -1, "is already in use");
    assert_int_equal(form_model_apply_api_error(form, &error), 1);
    assert_string_equal(form_model_find(form, "name")->error, "is already in use");
    assert_string_equal(form_model_value(form, "name"), "CustomerHub");
    assert_non_null(strstr(form->form_error, "already in use"));
    api_error_clear(&error);
    form_model_free(form);
}

static void test_display_scrolls_to_cursor(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("valstorm");
    form_model_add_spec(form, &valstorm_create_portal_form);
    type_text(form, "abcdefghijklmnopqrstuvwxyz");
    size_t col = 0;
    char *shown = form_model_display(form, 0, 10, &col);
    assert_string_equal(shown, "rstuvwxyz"); /* and the cursor after z */
    assert_int_equal(col, 9);
    g_free(shown);
    form_model_edit(form, UI_KEY_HOME, false);
    shown = form_model_display(form, 0, 10, &col);
    assert_string_equal(shown, "abcdefghij");
    assert_int_equal(col, 0);
    g_free(shown);
    form_model_free(form);
}

static void test_accept_moves_then_submits(void **state)
{
    (void)state;
    struct form_model *form = form_model_new("valstorm");
    form_model_add_spec(form, &valstorm_create_portal_form);
    assert_false(form_model_accept(form)); /* name -> custom domain */
    assert_string_equal(form_model_focused(form)->spec->key, "custom_domain");
    assert_true(form_model_accept(form)); /* the last field submits */
    form_model_free(form);
}

/* The invite form with several people: checked line by line by the change's checker. */
static void test_several_people_checked_per_line(void **state)
{
    (void)state;
    struct net_engine *net = net_engine_new(NULL);
    struct browser *browser = browser_new(net, NULL, false);
    struct connection_config *config = connection_config_new("vs", CONFIG_VENDOR_VALSTORM);
    config->url = g_strdup("http://127.0.0.1:9");
    browser_add_connection(browser, config);
    connection_config_free(config);
    struct change_selection selection = {
        .scope = CHANGE_SCOPE_USERS, .connection = 0, .portal_id = "portal_x", .portal_name = "X"};
    char *why = NULL;
    struct change *change = change_prepare(browser, CHANGE_INVITE, &selection, NULL, &why);
    assert_non_null(change);
    assert_true(change->several);
    struct form_model *form = form_model_new(change->title);
    form_model_add_spec(form, change->form);
    form_model_add_field(form, &change_people_field, FORM_FIELD_MULTILINE);
    form_model_set_checker(form, change_check, change);
    while (strcmp(form_model_focused(form)->spec->key, CHANGE_PEOPLE_KEY) != 0)
        form_model_next(form);
    form_model_insert(form, "ann@example.com, Ann, Archer\nnot-an-email, Bob\n");
    assert_false(form_model_check_all(form));
    const char *error = form_model_find(form, CHANGE_PEOPLE_KEY)->error;
    assert_non_null(error);
    assert_non_null(strstr(error, "line 2"));
    assert_null(form_model_find(form, "email")->error); /* lines replace the single person */
    form_model_accept(form); /* Enter in a multi-line field is a new line */
    form_model_set_value(form, CHANGE_PEOPLE_KEY, "ann@example.com, Ann\nbob@example.com");
    assert_true(form_model_check_all(form));
    form_model_free(form);
    change_free(change);
    browser_free(browser);
    net_engine_free(net);
}

static void test_read_only_refuses_changes(void **state)
{
    (void)state;
    struct net_engine *net = net_engine_new(NULL);
    struct browser *browser = browser_new(net, NULL, true);
    struct change_selection selection = {.scope = CHANGE_SCOPE_CONNECTIONS, .connection = -1};
    char *why = NULL;
    assert_null(change_prepare(browser, CHANGE_NEW, &selection, "/nonexistent", &why));
    assert_non_null(strstr(why, "read-only"));
    g_free(why);
    browser_free(browser);
    net_engine_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_focus_skips_context_fields_and_wraps),
        cmocka_unit_test(test_utf8_editing_with_cursor),
        cmocka_unit_test(test_check_on_leave_and_submit),
        cmocka_unit_test(test_required_error_and_form_rule),
        cmocka_unit_test(test_enum_cycles_and_picks_by_letter),
        cmocka_unit_test(test_secret_never_displayed),
        cmocka_unit_test(test_api_error_lands_on_field_values_kept),
        cmocka_unit_test(test_display_scrolls_to_cursor),
        cmocka_unit_test(test_accept_moves_then_submits),
        cmocka_unit_test(test_several_people_checked_per_line),
        cmocka_unit_test(test_read_only_refuses_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
