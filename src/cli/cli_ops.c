/*
 * Command line: the portal and user operations. One table maps command words
 * to vendor operations; one runner checks the request against the vendor's
 * operation table and form spec, refuses bad input before anything is sent,
 * asks before destructive changes, runs the job, prints, and audits.
 */
#include "cli_internal.h"

#include <portalctl/audit.h>
#include <portalctl/session.h>
#include <portalctl/state.h>
#include <portalctl/text.h>
#include <portalctl/vendor.h>

#include <string.h>

/* How the ID operand is used by a command. */
enum id_role {
    ID_NONE,   /* no ID operand */
    ID_PORTAL, /* the portal the command is about */
    ID_TARGET, /* the user the command is about */
};

struct op_command {
    const char *group;
    const char *verb;
    enum vendor_op op;
    enum id_role id_role;
    bool detail; /* print the result as one record's fields */
};

static const struct op_command op_commands[] = {
    {"portals", "list", VOP_LIST_PORTALS, ID_NONE, false},
    {"portals", "show", VOP_GET_PORTAL, ID_PORTAL, true},
    {"portals", "create", VOP_CREATE_PORTAL, ID_NONE, true},
    {"portals", "update", VOP_UPDATE_PORTAL, ID_PORTAL, true},
    {"portals", "delete", VOP_DELETE_PORTAL, ID_PORTAL, true},
    {"portals", "user-types", VOP_LIST_USER_TYPES, ID_PORTAL, false},
    {"users", "whoami", VOP_WHOAMI, ID_NONE, true},
    {"users", "list", VOP_LIST_USERS, ID_NONE, false},
    {"users", "show", VOP_GET_USER, ID_TARGET, true},
    {"users", "create", VOP_CREATE_USER, ID_NONE, true},
    {"users", "update", VOP_UPDATE_USER, ID_TARGET, true},
    {"users", "invite", VOP_INVITE_USERS, ID_NONE, false},
    {"users", "remove", VOP_REMOVE_USER, ID_TARGET, true},
    {"users", "set-role", VOP_SET_ROLE, ID_TARGET, true},
    {"users", "set-password", VOP_SET_PASSWORD, ID_TARGET, true},
    {"users", "reset-sessions", VOP_RESET_SESSIONS, ID_TARGET, true},
    {"users", "deactivate", VOP_DEACTIVATE_USER, ID_TARGET, true},
    {"users", "reactivate", VOP_REACTIVATE_USER, ID_TARGET, true},
};

struct op_run {
    struct cli_invocation inv;
    const struct op_command *command;
    struct config *config;
    const struct connection_config *connection;
    const struct vendor_ops *vendor;
    const struct vendor_operation *operation;
    struct record_list records;
    struct api_error error;
};

static const struct op_command *find_command(const char *group, const char *verb)
{
    for (size_t i = 0; i < G_N_ELEMENTS(op_commands); i++) {
        if (strcmp(op_commands[i].group, group) == 0 && strcmp(op_commands[i].verb, verb) == 0)
            return &op_commands[i];
    }
    return NULL;
}

/* --- input ------------------------------------------------------------------- */

/* Secret fields: "-" reads from the terminal; anything else in argv is refused,
 * because argv is visible to every user of the machine. */
static int read_secret_fields(struct op_run *run)
{
    const struct form_spec *form = run->operation->form;
    for (size_t i = 0; form && i < form->count; i++) {
        const struct field_spec *field = &form->fields[i];
        const char *given = form_values_get(run->inv.fields, field->key);
        if (!field->secret || !given)
            continue;
        if (strcmp(given, "-") != 0)
            return cli_fail(CLI_EXIT_USAGE,
                            "%s: secrets are never taken from the command line; write %s=- "
                            "and type it",
                            field->key, field->key);
        char *prompt = g_strdup_printf("%s for %s", field->label, run->connection->name);
        char *value = cli_read_secret(prompt);
        g_free(prompt);
        if (!value)
            return cli_fail(CLI_EXIT_INVALID, "%s: nothing was read", field->key);
        form_values_set(run->inv.fields, field->key, value);
        secret_value_free(value);
    }
    return -1;
}

/* Fields the form takes from the selected object (e.g. the user being edited). */
static void fill_context_fields(struct op_run *run)
{
    const struct form_spec *form = run->operation->form;
    for (size_t i = 0; form && run->inv.id && i < form->count; i++) {
        const struct field_spec *field = &form->fields[i];
        if (field->from_context && !form_values_get(run->inv.fields, field->key))
            form_values_set(run->inv.fields, field->key, run->inv.id);
    }
}

static int validate_fields(struct op_run *run)
{
    const struct form_spec *form = run->operation->form;
    if (!form) {
        if (form_values_count(run->inv.fields) > 0)
            return cli_fail(CLI_EXIT_INVALID, "%s %s takes no FIELD=VALUE (got %s)", run->inv.group,
                            run->inv.verb, form_values_key_at(run->inv.fields, 0));
        return -1;
    }
    form_apply_defaults(form, run->inv.fields);
    struct form_errors *errors = form_errors_new();
    bool ok = form_validate(form, run->inv.fields, errors);
    if (!ok) {
        char *lines = form_errors_format(errors);
        fprintf(stderr, "portalctl: invalid input, nothing was sent:\n");
        /* One line per error; each sanitized on its own, as input may hold anything. */
        char **split = g_strsplit(lines, "\n", -1);
        for (char **line = split; *line; line++) {
            if (!**line)
                continue;
            char *clean = text_sanitize(*line);
            fprintf(stderr, "  %s\n", clean);
            g_free(clean);
        }
        g_strfreev(split);
        g_free(lines);
    }
    form_errors_free(errors);
    if (!ok)
        return CLI_EXIT_INVALID;
    form_normalize(form, run->inv.fields);
    return -1;
}

static int check_operands(struct op_run *run)
{
    if (run->inv.extra->len > 0)
        return cli_fail(CLI_EXIT_USAGE, "unexpected operand '%s'",
                        (const char *)g_ptr_array_index(run->inv.extra, 0));
    if (run->command->id_role == ID_NONE && run->inv.id)
        return cli_fail(CLI_EXIT_USAGE, "%s %s takes no ID (got '%s')", run->inv.group,
                        run->inv.verb, run->inv.id);
    if (run->command->id_role != ID_NONE && !run->inv.id)
        return cli_fail(CLI_EXIT_USAGE, "%s %s needs the %s", run->inv.group, run->inv.verb,
                        run->command->id_role == ID_PORTAL ? run->vendor->portal_noun
                                                           : "user's id");
    return -1;
}

static int check_allowed(struct op_run *run)
{
    run->operation = vendor_find_operation(run->vendor, run->command->op);
    if (!run->operation)
        return cli_fail(CLI_EXIT_USAGE, "%s (%s) has no '%s %s': %s offers no such operation",
                        run->connection->name, run->vendor->title, run->inv.group, run->inv.verb,
                        run->vendor->title);
    if (run->operation->changes && (run->connection->read_only || run->inv.globals->read_only))
        return cli_fail(CLI_EXIT_INVALID, "%s is read-only: '%s %s' refused, nothing sent",
                        run->connection->name, run->inv.group, run->inv.verb);
    return -1;
}

static int confirm_destructive(struct op_run *run)
{
    if (!run->operation->destructive || run->inv.yes)
        return -1;
    char *question = g_strdup_printf("%s %s %s on %s?", run->inv.verb,
                                     run->inv.group[0] == 'p' ? "portal" : "user",
                                     run->inv.id ? run->inv.id : "", run->connection->name);
    bool yes = cli_confirm(question);
    g_free(question);
    return yes ? -1 : cli_fail(CLI_EXIT_USAGE, "not confirmed: nothing was sent");
}

/* --- running ------------------------------------------------------------------ */

static void on_page(struct vendor_job *job, struct record_list *records, void *user)
{
    (void)job;
    struct op_run *run = user;
    record_list_move_all(&run->records, records);
}

static void on_progress(struct vendor_job *job, const char *message, void *user)
{
    (void)job;
    (void)user;
    fprintf(stderr, "portalctl: %s\n", message);
}

static void on_done(struct vendor_job *job, const struct api_error *error,
                    struct record_list *result, void *user)
{
    (void)job;
    struct op_run *run = user;
    record_list_move_all(&run->records, result);
    api_error_copy(&run->error, error);
}

static void run_job(struct op_run *run, struct session *session)
{
    struct form_values *row = run->inv.fields;
    struct vendor_request request = {
        .op = run->command->op,
        .portal_id = run->command->id_role == ID_PORTAL ? run->inv.id : run->inv.portal,
        .target_id = run->inv.id,
        .rows = run->operation->form ? &row : NULL,
        .row_count = run->operation->form ? 1 : 0,
        .filter = run->inv.filter,
    };
    struct vendor_job_events events = {
        .page = on_page, .progress = on_progress, .done = on_done, .user = run};
    vendor_job_start(session, &request, &events);
    net_engine_run(session_net(session));
}

static void audit_change(struct op_run *run)
{
    if (!run->operation->changes)
        return;
    const char *target = run->inv.id;
    if (!target && run->records.count > 0)
        target = record_get(&run->records.items[0], RECORD_ID);
    struct audit_entry entry = {
        .connection = run->connection->name,
        .operation = vendor_op_name(run->command->op),
        .target = target,
        .result = run->error.kind == API_OK ? AUDIT_RESULT_OK : AUDIT_RESULT_FAILED,
        .message = run->error.kind == API_OK ? NULL : run->error.message,
    };
    GError *error = NULL;
    if (!audit_append(NULL, &entry, &error)) {
        cli_fail(0, "warning: could not write the audit log: %s", error->message);
        g_clear_error(&error);
    }
}

static void print_result(struct op_run *run)
{
    if (run->inv.json)
        cli_print_json(stdout, &run->records);
    else if (run->command->detail)
        cli_print_detail(stdout, &run->records);
    else
        cli_print_table(stdout, &run->records);
}

static int execute(struct op_run *run)
{
    struct secrets *secrets = cli_open_secrets_for(run->inv.globals, run->connection);
    if (!secrets)
        return CLI_EXIT_FAILED;
    struct net_engine *net = net_engine_new(NULL);
    struct session *session = session_new(run->connection, net, secrets);
    run_job(run, session);
    session_free(session);
    net_engine_free(net);
    secrets_close(secrets);
    audit_change(run);
    if (run->error.kind != API_OK) {
        cli_print_error(&run->error);
        return api_error_exit_status(run->error.kind);
    }
    print_result(run);
    return CLI_EXIT_DONE;
}

/* --- portals add: local knowledge for vendors without a list endpoint --------- */

static int add_known_portal(struct op_run *run)
{
    if (!run->vendor->local_portal_list)
        return cli_fail(CLI_EXIT_USAGE,
                        "%s lists its portals itself: 'portals add' is only for "
                        "vendors without a list endpoint",
                        run->vendor->title);
    if (!run->inv.id)
        return cli_fail(CLI_EXIT_USAGE, "portals add needs the portal id");
    GError *error = NULL;
    struct state *state = state_load(NULL, &error);
    if (!state) {
        int rc = cli_fail(CLI_EXIT_FAILED, "%s", error->message);
        g_clear_error(&error);
        return rc;
    }
    struct known_portal *portal =
        known_portal_new(run->inv.id, form_values_get(run->inv.fields, "name"),
                         form_values_get(run->inv.fields, "custom_domain"), PORTAL_ORIGIN_ADDED);
    bool ok =
        state_put_portal(state, run->connection->name, portal, &error) && state_save(state, &error);
    known_portal_free(portal);
    state_free(state);
    if (!ok) {
        int rc = cli_fail(CLI_EXIT_FAILED, "%s", error->message);
        g_clear_error(&error);
        return rc;
    }
    printf("%s: remembered portal %s (%s has no list-portals endpoint; portalctl keeps the "
           "portals it knows locally)\n",
           run->connection->name, run->inv.id, run->vendor->title);
    return CLI_EXIT_DONE;
}

/* --- entry --------------------------------------------------------------------- */

static int prepare(struct op_run *run, const struct cli_globals *globals, const char *group,
                   int argc, char **argv)
{
    if (argc < 1)
        return cli_fail(CLI_EXIT_USAGE, "%s: which action? (try 'portalctl --help')", group);
    run->inv.globals = globals;
    run->inv.group = group;
    run->inv.verb = argv[0];
    run->command = find_command(group, argv[0]);
    bool is_add = strcmp(group, "portals") == 0 && strcmp(argv[0], "add") == 0;
    if (!run->command && !is_add)
        return cli_fail(CLI_EXIT_USAGE, "unknown action '%s %s' (try 'portalctl --help')", group,
                        argv[0]);
    int rc = cli_parse_invocation(&run->inv, argc - 1, argv + 1);
    if (rc >= 0)
        return rc;
    run->config = cli_load_config(globals, &rc);
    if (!run->config)
        return rc;
    run->connection = cli_find_connection(run->config, run->inv.connection, &rc);
    if (!run->connection)
        return rc;
    run->vendor = vendor_by_id(run->connection->vendor);
    if (!run->vendor)
        return cli_fail(CLI_EXIT_USAGE, "%s: this build has no adapter for vendor %s",
                        run->connection->name, config_vendor_name(run->connection->vendor));
    if (is_add)
        return add_known_portal(run);
    if ((rc = check_allowed(run)) >= 0 || (rc = check_operands(run)) >= 0)
        return rc;
    fill_context_fields(run);
    if ((rc = read_secret_fields(run)) >= 0 || (rc = validate_fields(run)) >= 0)
        return rc;
    if ((rc = confirm_destructive(run)) >= 0)
        return rc;
    return execute(run);
}

int cli_operation(const struct cli_globals *globals, const char *group, int argc, char **argv)
{
    if (cli_bulk_wanted(group, argc, argv)) /* users invite|create|remove --csv FILE */
        return cli_bulk_run(globals, group, argc, argv);
    struct op_run run;
    memset(&run, 0, sizeof(run));
    record_list_init(&run.records);
    api_error_init(&run.error);
    int rc = prepare(&run, globals, group, argc, argv);
    record_list_clear(&run.records);
    api_error_clear(&run.error);
    cli_invocation_clear(&run.inv);
    config_free(run.config);
    return rc;
}
