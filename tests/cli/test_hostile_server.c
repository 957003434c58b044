/*
 * Hostile servers: a vendor that answers every endpoint portalctl calls with
 * names, logins, e-mails, field names and error messages full of terminal
 * escape sequences (OSC title set, cursor moves, screen clear, colours), C1
 * controls, invalid UTF-8, bidirectional overrides and line breaks; 100 KB
 * strings; wrong JSON types; JSON nested 100,000 deep; a 65 MiB answer.
 *
 * The real portalctl runs against it: the command line (table, detail,
 * --json, error messages) with its stdout and stderr captured as raw bytes,
 * and the console in a pseudo-terminal whose every output byte is captured.
 * Nothing the server sent may reach the terminal raw; --json must be valid
 * (json-c and jq) and carry the strings escaped, round-tripping exactly.
 *
 * The server is tests/support/script_server.c with a route per endpoint.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>
#include <json-c/json.h>

#include <portalctl/secrets.h>

#include "script_server.h"

/* ---- the hostile text ---------------------------------------------------------- */

/* One JSON string literal carrying every kind of hostile content; marker
 * names the field so the assertions can find it. \x9b and \xff\xfe are raw
 * bytes (invalid UTF-8) inside the JSON text; everything else is a JSON
 * escape that json-c decodes into the raw control character. */
#define HOSTILE_JSON(marker)                                                                       \
    "\"" marker " \\u001b]0;HX-TITLE\\u0007 \\u001b[5;5HHX-MOVE \\u001b[2JHX-CLEAR "               \
    "\\u001b[31mHX-RED \\u009b31mHX-C1 \x9b"                                                       \
    "31mHX-RAW \xff\xfeHX-BAD \\u202eHX-BIDI \\r\\nHX-CRLF \\u0000HX-NUL\""

/* What json-c decodes HOSTILE_JSON(marker) to, up to the NUL (C strings end there). */
#define HOSTILE_DECODED(marker)                                                                    \
    marker " \x1b]0;HX-TITLE\x07 \x1b[5;5HHX-MOVE \x1b[2JHX-CLEAR \x1b[31mHX-RED "                 \
           "\xc2\x9b"                                                                              \
           "31mHX-C1 \x9b"                                                                         \
           "31mHX-RAW \xff\xfeHX-BAD \xe2\x80\xaeHX-BIDI \r\nHX-CRLF "

/* Byte sequences that must never reach a terminal: each is hostile content
 * exactly as the server meant it to be interpreted. */
static const char *const forbidden[] = {
    "\x1b]0;HX-TITLE",
    "\x1b[5;5HHX-MOVE",
    "\x1b[2JHX-CLEAR",
    "\x1b[31mHX-RED",
    "\xc2\x9b"
    "31mHX-C1",
    "\x9b"
    "31mHX-RAW",
    "\xff\xfe",
    "\xe2\x80\xae",
    "\r\nHX-CRLF",
    "\x07 ",
};

/* ---- running portalctl ----------------------------------------------------------- */

struct run {
    GByteArray *out, *err; /* raw bytes */
    int status;            /* exit status, or 128 + signal */
};

static char *tmp_dir;
static char **child_env;

static void run_clear(struct run *run)
{
    g_byte_array_unref(run->out);
    g_byte_array_unref(run->err);
}

/* Drains fds into bufs until both close; false after deadline_s. */
static bool drain(int fds[2], GByteArray *bufs[2], int deadline_s)
{
    gint64 end = g_get_monotonic_time() + (gint64)deadline_s * G_USEC_PER_SEC;
    int open_count = 2;
    while (open_count > 0) {
        struct pollfd p[2];
        for (int i = 0; i < 2; i++)
            p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        int left_ms = (int)((end - g_get_monotonic_time()) / 1000);
        if (left_ms <= 0)
            return false;
        if (poll(p, 2, left_ms) < 0 && errno != EINTR)
            return false;
        for (int i = 0; i < 2; i++) {
            if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            guint8 chunk[65536];
            ssize_t n = read(fds[i], chunk, sizeof(chunk));
            if (n > 0) {
                g_byte_array_append(bufs[i], chunk, (guint)n);
            } else {
                close(fds[i]);
                fds[i] = -1;
                open_count--;
            }
        }
    }
    return true;
}

static int decode_status(int wait_status)
{
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

/* portalctl --config CONFIG ARGS..., stdin /dev/null, stdout and stderr captured. */
static struct run run_cli(const char *config, const char *const *args)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)getenv("PORTALCTL_BIN"));
    g_ptr_array_add(argv, "--config");
    g_ptr_array_add(argv, (char *)config);
    for (size_t i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    int out_fd = -1, err_fd = -1;
    GPid pid = 0;
    GError *error = NULL;
    gboolean ok =
        g_spawn_async_with_pipes(NULL, (char **)argv->pdata, child_env, G_SPAWN_DO_NOT_REAP_CHILD,
                                 NULL, NULL, &pid, NULL, &out_fd, &err_fd, &error);
    g_ptr_array_unref(argv);
    if (!ok)
        fail_msg("cannot run portalctl: %s", error->message);
    struct run run = {g_byte_array_new(), g_byte_array_new(), -1};
    int fds[2] = {out_fd, err_fd};
    GByteArray *bufs[2] = {run.out, run.err};
    if (!drain(fds, bufs, 120)) {
        kill(pid, SIGKILL);
        fail_msg("portalctl %s hung (no end after 120 s)", args[0]);
    }
    int wait_status = 0;
    waitpid(pid, &wait_status, 0);
    g_spawn_close_pid(pid);
    run.status = decode_status(wait_status);
    return run;
}

/* ---- assertions on bytes ------------------------------------------------------------ */

static bool contains(const GByteArray *bytes, const char *needle)
{
    return bytes->len > 0 && memmem(bytes->data, bytes->len, needle, strlen(needle)) != NULL;
}

static void assert_no_sanitizer_report(const GByteArray *err)
{
    if (contains(err, "Sanitizer") || contains(err, "runtime error:"))
        fail_msg("sanitizer report:\n%.*s", (int)err->len, (const char *)err->data);
}

static void assert_none_forbidden(const GByteArray *bytes, const char *where)
{
    for (size_t i = 0; i < G_N_ELEMENTS(forbidden); i++) {
        if (contains(bytes, forbidden[i]))
            fail_msg("%s: hostile sequence %zu reached the terminal raw", where, i);
    }
}

/* Command-line output has no escape sequence of its own: nothing but
 * printable UTF-8, line feeds and tabs may be in it. */
static void assert_inert_text(const GByteArray *bytes, const char *where)
{
    assert_none_forbidden(bytes, where);
    if (bytes->len == 0)
        return;
    if (!g_utf8_validate((const char *)bytes->data, (gssize)bytes->len, NULL))
        fail_msg("%s: output is not valid UTF-8", where);
    const char *p = (const char *)bytes->data, *end = p + bytes->len;
    for (; p < end; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        bool control = (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f) ||
                       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
        if (control)
            fail_msg("%s: control character U+%04X in the output", where, (unsigned)c);
    }
}

static void assert_status(const struct run *run, int want, const char *what)
{
    assert_no_sanitizer_report(run->err);
    if (run->status != want)
        fail_msg("%s: exit status %d, expected %d; stderr:\n%.*s", what, run->status, want,
                 (int)run->err->len, (const char *)run->err->data);
}

static void assert_shows(const GByteArray *bytes, const char *text, const char *what)
{
    if (!contains(bytes, text))
        fail_msg("%s: \"%s\" not in the output:\n%.*s", what, text, (int)MIN(bytes->len, 4000u),
                 (const char *)bytes->data);
}

/* ---- the hostile vendor --------------------------------------------------------------- */

static void route(struct script_server *srv, const char *method, const char *prefix,
                  unsigned status, const char *body, size_t len)
{
    struct script_reply reply = {.status = status, .body = body, .body_len = len};
    reply.headers[0] = "Content-Type: application/json";
    script_server_route(srv, method, prefix, &reply);
}

static char *long_hostile_name(void)
{
    GString *s = g_string_new("\"HX-LONG \\u001b]0;HX-TITLE\\u0007");
    while (s->len < 160 * 1024) /* 25 characters of JSON decode to 16 bytes: 100 KB */
        g_string_append(s, "HX-LONG-\\u001b[2J-\\u009b-");
    g_string_append_c(s, '"');
    return g_string_free(s, FALSE);
}

/* 100,000 arrays deep: far past json-c's and the adapters' depth limit. */
static char *deep_json(void)
{
    GString *s = g_string_new("{\"success\":true,\"data\":{\"portalId\":1,\"x\":");
    for (int i = 0; i < 100000; i++)
        g_string_append_c(s, '[');
    for (int i = 0; i < 100000; i++)
        g_string_append_c(s, ']');
    g_string_append(s, "}}");
    return g_string_free(s, FALSE);
}

/* 65 MiB: one more than the session's body cap allows. */
static char *huge_json(size_t *len)
{
    size_t filler = (size_t)65 * 1024 * 1024;
    GString *s = g_string_sized_new(filler + 64);
    g_string_append(s, "{\"success\":true,\"data\":{\"portalId\":1,\"x\":\"");
    for (size_t i = 0; i < filler; i++)
        g_string_append_c(s, 'A');
    g_string_append(s, "\"}}");
    *len = s->len;
    return g_string_free(s, FALSE);
}

static void route_ecgrid(struct script_server *srv)
{
    char *long_name = long_hostile_name();
    char *mailboxes = g_strconcat(
        "{\"success\":true,\"data\":{\"totalRecords\":2,\"pageNo\":1,\"recordsPerPage\":500,"
        "\"mailboxes\":[{\"mailboxId\":101,\"name\":",
        HOSTILE_JSON("HX-PORTAL"), ",\"description\":", HOSTILE_JSON("HX-DESC"),
        ",\"status\":{\"wrong\":[1,2]},\"created\":12345},"
        "{\"mailboxId\":102,\"name\":",
        long_name,
        ",\"status\":[\"Active\"],\"created\":true}]},\"errorCode\":\"\",\"message\":\"\"}", NULL);
    route(srv, "POST", "/v2/mailboxes/list", 200, mailboxes, 0);
    char *portal = g_strconcat("{\"success\":true,\"data\":{\"portalId\":501,\"mailboxId\":101,"
                               "\"url\":",
                               HOSTILE_JSON("HX-URL"), ",\"status\":", HOSTILE_JSON("HX-STATUS"),
                               ",", HOSTILE_JSON("HX-KEY"), ":\"v\",\"created\":[1]}}", NULL);
    route(srv, "GET", "/v2/portals/by-mailbox/", 200, portal, 0);
    char *users = g_strconcat(
        "{\"success\":true,\"data\":[{\"userId\":1001,\"login\":", HOSTILE_JSON("HX-USER"),
        ",\"email\":", HOSTILE_JSON("HX-MAIL"), ",\"authLevel\":", HOSTILE_JSON("HX-ROLE"),
        ",\"status\":{\"a\":1},\"created\":", HOSTILE_JSON("HX-CREATED"), ",",
        HOSTILE_JSON("HX-XKEY"), ":", HOSTILE_JSON("HX-XVAL"),
        "},{\"userId\":1002,\"login\":", long_name,
        ",\"email\":42,\"authLevel\":[7],\"status\":null}],\"errorCode\":null}", NULL);
    route(srv, "POST", "/v2/users/list", 200, users, 0);
    char *me =
        g_strconcat("{\"success\":true,\"data\":{\"userId\":1001,\"login\":", HOSTILE_JSON("HX-ME"),
                    ",\"authLevel\":\"NetworkAdmin\"}}", NULL);
    route(srv, "GET", "/v2/users/me", 200, me, 0);
    char *refusal = g_strconcat("{\"success\":false,\"errorCode\":", HOSTILE_JSON("HX-CODE"),
                                ",\"message\":", HOSTILE_JSON("HX-ERROR"), ",\"data\":null}", NULL);
    route(srv, "GET", "/v2/users/999", 404, refusal, 0);
    char *deep = deep_json();
    route(srv, "GET", "/v2/portals/by-mailbox/103", 200, deep, 0);
    size_t huge_len = 0;
    char *huge = huge_json(&huge_len);
    route(srv, "GET", "/v2/portals/by-mailbox/104", 200, huge, huge_len);
    route(srv, "GET", "/v2/portals/by-mailbox/105", 200, "{\"success\":tru\x1b]0;HX-TITLE\x07", 0);
    g_free(huge);
    g_free(deep);
    g_free(refusal);
    g_free(me);
    g_free(users);
    g_free(portal);
    g_free(mailboxes);
    g_free(long_name);
}

static void route_zoho(struct script_server *srv)
{
    route(srv, "POST", "/oauth/v2/token", 200,
          "{\"access_token\":\"hx-access\",\"api_domain\":\"http://evil.example\\u001b]0;HX\","
          "\"token_type\":\"Bearer\",\"expires_in\":3600}",
          0);
    char *portals =
        g_strconcat("{\"portals\":[{\"name\":", HOSTILE_JSON("HX-ZPORTAL"),
                    ",\"active\":\"yes\","
                    "\"custom_domain\":12,\"created_by\":\"nobody\",\"created_time\":",
                    HOSTILE_JSON("HX-ZTIME"), ",\"zaid\":{\"deep\":{\"er\":[1]}}}]}", NULL);
    route(srv, "GET", "/crm/v7/settings/portals", 200, portals, 0);
    char *refusal =
        g_strconcat("{\"code\":", HOSTILE_JSON("HX-ZCODE"),
                    ",\"details\":{\"api_name\":", HOSTILE_JSON("HX-ZFIELD"),
                    "},\"message\":", HOSTILE_JSON("HX-ZERROR"), ",\"status\":\"error\"}", NULL);
    route(srv, "GET", "/crm/v7/settings/portals/", 400, refusal, 0);
    g_free(refusal);
    g_free(portals);
}

static void route_valstorm(struct script_server *srv)
{
    char *portal = g_strconcat(
        "{\"id\":\"portal_3kT9xQ2mZ7\",\"name\":", HOSTILE_JSON("HX-VPORTAL"),
        ",\"custom_domain\":", HOSTILE_JSON("HX-VDOMAIN"),
        ",\"created_date\":7,\"theme\":{\"colour\":", HOSTILE_JSON("HX-VTHEME"), "}}", NULL);
    route(srv, "PATCH", "/v1/portal/portal_3kT9xQ2mZ7", 200, portal, 0);
    char *users = g_strconcat("[{\"id\":\"user_8Hq2LrT0aV\",\"email\":", HOSTILE_JSON("HX-VMAIL"),
                              ",\"name\":", HOSTILE_JSON("HX-VUSER"),
                              ",\"is_active\":\"maybe\",\"created_date\":[]},"
                              "{\"id\":\"user_Bo00000001\",\"email\":\"bo@example.com\","
                              "\"name\":{\"x\":1},\"last_name\":[null],\"is_active\":7}]",
                              NULL);
    route(srv, "GET", "/v1/portal/portal_3kT9xQ2mZ7/users", 200, users, 0);
    char *refusal = g_strconcat("{\"detail\":", HOSTILE_JSON("HX-VERROR"), "}", NULL);
    route(srv, "PATCH", "/v1/portal/portal_nope0000", 422, refusal, 0);
    g_free(refusal);
    g_free(users);
    g_free(portal);
}

/* ---- fixture ------------------------------------------------------------------------------ */

struct fixture {
    struct script_server *srv;
    char *config;
};

static void store_secret(struct secrets *secrets, const char *connection, enum secret_kind kind,
                         const char *value)
{
    GError *error = NULL;
    if (!secrets_store(secrets, connection, kind, value, &error))
        fail_msg("keyring: %s", error->message);
}

static int setup(void **state)
{
    struct fixture *f = g_new0(struct fixture, 1);
    tmp_dir = g_dir_make_tmp("portalctl-hostile-XXXXXX", NULL);
    assert_non_null(tmp_dir);
    char *state_dir = g_build_filename(tmp_dir, "state", NULL);
    child_env = g_get_environ();
    child_env = g_environ_setenv(child_env, "XDG_STATE_HOME", state_dir, TRUE);
    child_env = g_environ_setenv(child_env, "LANG", "C.UTF-8", TRUE);
    g_free(state_dir);
    f->srv = script_server_start(NULL);
    assert_non_null(f->srv);
    script_server_set_default(f->srv, &(struct script_reply){.status = 404, .body = "{}"});
    route_ecgrid(f->srv);
    route_zoho(f->srv);
    route_valstorm(f->srv);
    const char *url = script_server_url(f->srv);
    char *ini = g_strdup_printf("[connection hx-ec]\nvendor = ecgrid\nurl = %s\n\n"
                                "[connection hx-zo]\nvendor = zoho\nclient_id = hx\nurl = %s\n"
                                "accounts_url = %s\n\n"
                                "[connection hx-vs]\nvendor = valstorm\nurl = %s\n",
                                url, url, url, url);
    f->config = g_build_filename(tmp_dir, "config.ini", NULL);
    assert_true(g_file_set_contents(f->config, ini, -1, NULL));
    g_free(ini);
    GError *error = NULL;
    struct secrets *secrets = secrets_open(SECRETS_BACKEND_KEYRING, &error);
    assert_non_null(secrets);
    store_secret(secrets, "hx-ec", SECRET_KIND_API_KEY, "hx-ecgrid-key");
    store_secret(secrets, "hx-zo", SECRET_KIND_CLIENT_SECRET, "hx-zoho-secret");
    store_secret(secrets, "hx-zo", SECRET_KIND_REFRESH_TOKEN, "hx-zoho-refresh");
    store_secret(secrets, "hx-vs", SECRET_KIND_API_KEY, "hx-valstorm-key");
    secrets_close(secrets);
    /* Valstorm has no portal list: portalctl knows the portals it was told of. */
    const char *known[] = {"portal_3kT9xQ2mZ7", "portal_nope0000"};
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
        struct run run =
            run_cli(f->config, (const char *[]){"portals", "add", "hx-vs", known[i], NULL});
        assert_int_equal(run.status, 0);
        run_clear(&run);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    script_server_stop(f->srv);
    char *argv[] = {"rm", "-rf", tmp_dir, NULL};
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    g_free(f->config);
    g_free(f);
    g_free(tmp_dir);
    g_strfreev(child_env);
    return 0;
}

/* ---- the command line ------------------------------------------------------------------------ */

static void test_cli_table_is_inert(void **state)
{
    struct fixture *f = *state;
    const char *lists[][6] = {
        {"portals", "list", "hx-ec", NULL},
        {"users", "list", "hx-ec", "--portal", "101", NULL},
        {"portals", "list", "hx-zo", NULL},
        {"users", "list", "hx-vs", "--portal", "portal_3kT9xQ2mZ7", NULL},
    };
    const char *markers[] = {"HX-PORTAL", "HX-USER", "HX-ZPORTAL", "HX-VUSER"};
    for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
        struct run run = run_cli(f->config, lists[i]);
        assert_status(&run, 0, lists[i][2]);
        assert_inert_text(run.out, "table stdout");
        assert_inert_text(run.err, "table stderr");
        /* Shown, escaped: the hostile text is displayed, not dropped. */
        assert_shows(run.out, markers[i], "marker");
        assert_shows(run.out, "\\e]0;HX-TITLE\\x07", "the OSC shown escaped");
        /* 100 KB strings are cut: no line of the table is longer than a few columns. */
        char **lines =
            g_strsplit((const char *)g_byte_array_append(run.out, (guint8 *)"", 1)->data, "\n", -1);
        for (char **line = lines; *line; line++)
            assert_true(g_utf8_strlen(*line, -1) < 400);
        g_strfreev(lines);
        run_clear(&run);
    }
}

static void test_cli_detail_is_inert(void **state)
{
    struct fixture *f = *state;
    const char *shows[][6] = {
        {"portals", "show", "hx-ec", "101", NULL},
        {"portals", "update", "hx-vs", "portal_3kT9xQ2mZ7", "name=Renamed", NULL},
        {"users", "whoami", "hx-ec", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(shows); i++) {
        struct run run = run_cli(f->config, shows[i]);
        assert_status(&run, 0, shows[i][2]);
        assert_inert_text(run.out, "detail stdout");
        assert_inert_text(run.err, "detail stderr");
        /* The whole string, every part escaped in its own way. */
        assert_shows(run.out,
                     "\\e]0;HX-TITLE\\x07 \\e[5;5HHX-MOVE \\e[2JHX-CLEAR \\e[31mHX-RED "
                     "\\u009b31mHX-C1 \\x9b31mHX-RAW \\xff\\xfeHX-BAD \\u202eHX-BIDI \\r\\nHX-CRLF",
                     "the escaped hostile string");
        run_clear(&run);
    }
}

/* Error messages (the vendor's message, code and field) reach stderr escaped. */
static void test_cli_errors_are_inert(void **state)
{
    struct fixture *f = *state;
    const char *calls[][6] = {
        {"users", "show", "hx-ec", "999", NULL},
        {"portals", "show", "hx-zo", "nope", NULL},
        {"portals", "update", "hx-vs", "portal_nope0000", "name=Renamed", NULL},
    };
    const char *markers[] = {"HX-ERROR", "HX-ZERROR", "HX-VERROR"};
    for (size_t i = 0; i < G_N_ELEMENTS(calls); i++) {
        struct run run = run_cli(f->config, calls[i]);
        assert_no_sanitizer_report(run.err);
        if (run.status != 4 && run.status != 5)
            fail_msg("%s: exit status %d for a refusal", calls[i][2], run.status);
        assert_inert_text(run.out, "error stdout");
        assert_inert_text(run.err, "error stderr");
        assert_shows(run.err, markers[i], "the vendor's message");
        run_clear(&run);
    }
}

/* Malformed, nested past every limit, larger than the cap: a clear error,
 * exit 5, no crash, nothing raw. */
static void test_cli_broken_bodies_fail_cleanly(void **state)
{
    struct fixture *f = *state;
    const char *ids[] = {"103", "104", "105"};
    const char *words[] = {NULL, "larger than allowed", NULL};
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        const char *args[] = {"portals", "show", "hx-ec", ids[i], NULL};
        struct run run = run_cli(f->config, args);
        assert_status(&run, 5, ids[i]);
        assert_inert_text(run.out, "broken stdout");
        assert_inert_text(run.err, "broken stderr");
        assert_true(run.err->len > 12); /* says something */
        if (words[i])
            assert_shows(run.err, words[i], "the cap named");
        run_clear(&run);
    }
}

/* --json: valid for json-c and jq, and each string round-trips: what was
 * received (decoded) is what the JSON says, invalid bytes as U+FFFD. */
static char *expected_round_trip(const char *decoded)
{
    GString *out = g_string_new(NULL);
    const char *p = decoded, *end = decoded + strlen(decoded);
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append(out, "\xef\xbf\xbd");
            p++;
            continue;
        }
        g_string_append_len(out, p, g_utf8_next_char(p) - p);
        p = g_utf8_next_char(p);
    }
    return g_string_free(out, FALSE);
}

static void assert_jq_accepts(const GByteArray *json)
{
    char *path = g_build_filename(tmp_dir, "out.json", NULL);
    assert_true(g_file_set_contents(path, (const char *)json->data, json->len, NULL));
    char *argv[] = {"jq", "-e", "length > 0", path, NULL};
    int wait_status = 0;
    assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                             NULL, NULL, NULL, NULL, &wait_status, NULL));
    assert_int_equal(decode_status(wait_status), 0);
    g_free(path);
}

static json_object *find_by(json_object *array, const char *key, const char *prefix)
{
    for (size_t i = 0; i < json_object_array_length(array); i++) {
        json_object *item = json_object_array_get_idx(array, i), *value = NULL;
        if (json_object_object_get_ex(item, key, &value) &&
            g_str_has_prefix(json_object_get_string(value), prefix))
            return item;
    }
    return NULL;
}

static void test_cli_json_round_trips(void **state)
{
    struct fixture *f = *state;
    const char *args[] = {"users", "list", "hx-ec", "--portal", "101", "--json", NULL};
    struct run run = run_cli(f->config, args);
    assert_status(&run, 0, "users list --json");
    assert_inert_text(run.out, "json stdout");
    assert_jq_accepts(run.out);
    g_byte_array_append(run.out, (const guint8 *)"", 1);
    json_object *root = json_tokener_parse((const char *)run.out->data);
    assert_non_null(root);
    assert_true(json_object_is_type(root, json_type_array));
    json_object *user = find_by(root, "name", "HX-USER");
    assert_non_null(user);
    const char *fields[][2] = {
        {"name", HOSTILE_DECODED("HX-USER")},
        {"email", HOSTILE_DECODED("HX-MAIL")},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        json_object *value = NULL;
        assert_true(json_object_object_get_ex(user, fields[i][0], &value));
        char *want = expected_round_trip(fields[i][1]);
        assert_string_equal(json_object_get_string(value), want);
        g_free(want);
    }
    /* The vendor's own field: hostile name and hostile value, both intact. */
    json_object *extra = NULL;
    assert_true(json_object_object_get_ex(user, "fields", &extra));
    char *want_key = expected_round_trip(HOSTILE_DECODED("HX-XKEY"));
    char *want_value = expected_round_trip(HOSTILE_DECODED("HX-XVAL"));
    json_object *value = NULL;
    assert_true(json_object_object_get_ex(extra, want_key, &value));
    assert_string_equal(json_object_get_string(value), want_value);
    g_free(want_key);
    g_free(want_value);
    /* The 100 KB login is there whole, not cut. */
    json_object *long_user = find_by(root, "name", "HX-LONG");
    assert_non_null(long_user);
    json_object *long_name = NULL;
    assert_true(json_object_object_get_ex(long_user, "name", &long_name));
    assert_true(strlen(json_object_get_string(long_name)) >= 100 * 1024);
    json_object_put(root);
    run_clear(&run);
}

/* ---- the console, in a pseudo-terminal ---------------------------------------------------- */

struct pty_run {
    int master;
    int slave; /* held open here too, so reading the master never fails with EIO */
    pid_t pid;
    GByteArray *screen; /* every byte portalctl wrote to its terminal */
};

static pid_t spawn_on_pty(int master, const char *config, const char *connection)
{
    const char *slave_name = ptsname(master);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setsid();
    int slave = open(slave_name, O_RDWR);
    if (slave < 0)
        _exit(126);
    ioctl(slave, TIOCSCTTY, 0);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2)
        close(slave);
    char **env = g_environ_setenv(g_strdupv(child_env), "TERM", "xterm-256color", TRUE);
    char *argv[] = {getenv("PORTALCTL_BIN"), "--config", (char *)config, (char *)connection, NULL};
    execve(argv[0], argv, env);
    _exit(127);
}

static void pty_start(struct pty_run *p, const char *config, const char *connection)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(p->master >= 0);
    assert_int_equal(grantpt(p->master), 0);
    assert_int_equal(unlockpt(p->master), 0);
    struct winsize size = {.ws_row = 30, .ws_col = 120};
    /* The size is set on the slave side through the master: the child sees it at start. */
    p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    assert_true(p->slave >= 0);
    assert_int_equal(ioctl(p->slave, TIOCSWINSZ, &size), 0);
    p->screen = g_byte_array_new();
    p->pid = spawn_on_pty(p->master, config, connection);
    assert_true(p->pid > 0);
}

/* Reads what the terminal has within wait_ms; false when nothing came. */
static bool pty_read(struct pty_run *p, int wait_ms)
{
    struct pollfd fd = {.fd = p->master, .events = POLLIN};
    if (poll(&fd, 1, wait_ms) <= 0 || !(fd.revents & POLLIN))
        return false;
    guint8 chunk[65536];
    ssize_t n = read(p->master, chunk, sizeof(chunk));
    if (n <= 0)
        return false;
    g_byte_array_append(p->screen, chunk, (guint)n);
    return true;
}

/* Reads the terminal until needle shows (or timeout_s passes). */
static bool pty_wait_for(struct pty_run *p, const char *needle, int timeout_s)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
    while (!contains(p->screen, needle)) {
        if (g_get_monotonic_time() > end)
            return false;
        pty_read(p, 100);
    }
    return true;
}

static void pty_expect(struct pty_run *p, const char *needle, const char *what)
{
    if (!pty_wait_for(p, needle, 60)) {
        kill(p->pid, SIGKILL);
        fail_msg("console never showed %s (%s); %u bytes seen", what, needle, p->screen->len);
    }
}

static void pty_type(struct pty_run *p, const char *keys)
{
    assert_int_equal(write(p->master, keys, strlen(keys)), (ssize_t)strlen(keys));
}

/* Reads the output until the child has exited (30 s at most), reaps it:
 * its exit status. */
static int pty_finish(struct pty_run *p)
{
    int wait_status = 0;
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (waitpid(p->pid, &wait_status, WNOHANG) == 0) {
        if (g_get_monotonic_time() > end) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &wait_status, 0);
            fail_msg("the console did not exit after q");
        }
        pty_read(p, 100);
    }
    while (pty_read(p, 0))
        ; /* what it wrote last */
    close(p->slave);
    close(p->master);
    return decode_status(wait_status);
}

static void test_console_is_inert(void **state)
{
    struct fixture *f = *state;
    struct pty_run p;
    pty_start(&p, f->config, "hx-ec");
    /* Portals, then a portal's users, then one user's detail with its vendor fields. */
    pty_expect(&p, "HX-PORTAL", "the hostile portal name");
    pty_expect(&p, "HX-LONG", "the 100 KB portal name");
    pty_type(&p, "\r");
    pty_expect(&p, "HX-USER", "the hostile user");
    pty_type(&p, "v");
    pty_expect(&p, "HX-XKEY", "the hostile field name in the detail view");
    pty_expect(&p, "HX-XVAL", "the hostile field value in the detail view");
    pty_type(&p, "\x1b");
    g_usleep(300 * 1000);
    pty_type(&p, "q");
    int status = pty_finish(&p);
    assert_no_sanitizer_report(p.screen);
    assert_int_equal(status, 0);
    assert_none_forbidden(p.screen, "console");
    /* The console draws with its own escape sequences, but never an OSC (no
     * title, no palette, no hyperlink): one on screen came from a server. */
    assert_false(contains(p.screen, "\x1b]"));
    /* The hostile text was shown, escaped. */
    assert_shows(p.screen, "\\e]0;HX-TITLE", "the OSC shown escaped");
    g_byte_array_unref(p.screen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_table_is_inert),
        cmocka_unit_test(test_cli_detail_is_inert),
        cmocka_unit_test(test_cli_errors_are_inert),
        cmocka_unit_test(test_cli_broken_bodies_fail_cleanly),
        cmocka_unit_test(test_cli_json_round_trips),
        cmocka_unit_test(test_console_is_inert),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
