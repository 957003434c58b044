/*
 * form: the validator's rules and every vendor form, table-driven.
 *
 * Each vendor form has a baseline of valid values (the seed documents'
 * examples where there are some); each case changes one field and says
 * whether the form must pass or which message the field must get. Removing a
 * rule from src/form/ or a limit from a src/vendors/<vendor>_fields.c makes a case
 * fail, and test_every_vendor_field_has_cases makes sure no field is left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include <portalctl/form.h>
#include <portalctl/vendor_fields.h>

/* A value that means "leave the key out" (as opposed to ""). */
static const char MISSING[] = "<missing>";

/* ---- helpers ------------------------------------------------------------ */

/* form_normalize() leaves a secret value exactly as typed. */
static void assert_normalize_keeps(const struct form_spec *spec, const struct form_values *values,
                                   const char *key, const char *expected)
{
    struct form_values *copy = form_values_copy(values);
    form_normalize(spec, copy);
    assert_string_equal(form_values_get(copy, key), expected);
    form_values_free(copy);
}

/* pairs: key, value, key, value, …, NULL */
static struct form_values *values_of(const char *const *pairs)
{
    struct form_values *values = form_values_new();
    for (size_t i = 0; pairs[i] != NULL; i += 2)
        form_values_set(values, pairs[i], pairs[i + 1]);
    return values;
}

static char *repeat(const char *unit, size_t count)
{
    GString *text = g_string_new("");
    for (size_t i = 0; i < count; i++)
        g_string_append(text, unit);
    return g_string_free(text, FALSE);
}

/* ---- the vendor forms: baselines ---------------------------------------- */

struct baseline {
    const struct form_spec *spec;
    const char *pairs[20];
};

static const struct baseline baselines[] = {
    {&ecgrid_create_portal_form, {"mailboxId", "7890", NULL}},
    {&ecgrid_create_user_form,
     {"login", "jsmith", "password", "Passw0rd!", "email", "jsmith@example.com", "firstName",
      "John", "lastName", "Smith", "networkId", "1", "mailboxId", "101", "authLevel",
      "MailboxAdmin", NULL}},
    {&ecgrid_update_user_form, {"userId", "1042", "email", "jsmith@example.com", NULL}},
    {&ecgrid_set_role_form, {"userId", "1042", "authLevel", "NetworkUser", NULL}},
    {&ecgrid_set_password_form, {"userId", "1042", "newPassword", "Passw0rd!", NULL}},
    {&zoho_create_portal_form, {"name", "PortalsAPItest100", NULL}},
    {&zoho_rename_portal_form, {"name", "PortalsAPItest200", NULL}},
    {&zoho_invite_user_form,
     {"Email", "ann@example.com", "First_Name", "Ann", "Last_Name", "Lee", "user_type_id",
      "3652397000006231003", "type", "invite", NULL}},
    {&zoho_contact_form,
     {"Email", "ann@example.com", "First_Name", "Ann", "Last_Name", "Lee", NULL}},
    {&valstorm_create_portal_form,
     {"name", "Customer Hub", "custom_domain", "help.acme.com", NULL}},
    {&valstorm_update_portal_form, {"name", "Customer Hub", NULL}},
    {&valstorm_invite_user_form,
     {"email", "ann@example.com", "first_name", "Ann", "last_name", "Lee", NULL}},
    {&valstorm_add_portal_form, {"portal_id", "portal_3kT9xQ2mZ7", NULL}},
};

static struct form_values *baseline_values(const struct form_spec *spec)
{
    for (size_t i = 0; i < G_N_ELEMENTS(baselines); i++) {
        if (baselines[i].spec == spec)
            return values_of(baselines[i].pairs);
    }
    fail_msg("no baseline for %s", spec->id);
    return NULL;
}

/* ---- the vendor forms: one field changed per case ----------------------- */

/* value = prefix + unit * count + suffix when count > 0, else unit. */
struct field_case {
    const struct form_spec *spec;
    const char *key;
    const char *unit;
    const char *error; /* NULL: the form must pass; else part of the field's first error */
    size_t count;
    const char *prefix;
    const char *suffix;
};

/* clang-format off */
#define OK(spec, key, value) {&spec, key, value, NULL, 0, NULL, NULL}
#define BAD(spec, key, value, error) {&spec, key, value, error, 0, NULL, NULL}
#define OK_N(spec, key, pre, unit, n, suf) {&spec, key, unit, NULL, n, pre, suf}
#define BAD_N(spec, key, pre, unit, n, suf, error) {&spec, key, unit, error, n, pre, suf}
/* clang-format on */

#define LOWER_UPPER_DIGIT_SPECIAL                                                                  \
    "must contain a lower-case letter, an upper-case letter, a digit and a special character"
#define ZOHO_ALNUM "may contain only letters A-Z, a-z and digits 0-9"
#define EMAIL      "must be an e-mail address such as ann@example.com"
#define HOST       "must be a host name such as help.example.com"
#define ID_RANGE   "must be a number from 1 to 2147483647"
#define WHOLE      "must be a whole number"
#define CONTROL    "may not contain control characters"

static const struct field_case ecgrid_cases[] = {
    /* create portal: mailboxId int, required (seed 000) */
    OK(ecgrid_create_portal_form, "mailboxId", "7890"),
    OK(ecgrid_create_portal_form, "mailboxId", " 7890 "),
    OK(ecgrid_create_portal_form, "mailboxId", "1"),
    OK(ecgrid_create_portal_form, "mailboxId", "2147483647"),
    OK(ecgrid_create_portal_form, "mailboxId", "007890"),
    BAD(ecgrid_create_portal_form, "mailboxId", MISSING, "is required"),
    BAD(ecgrid_create_portal_form, "mailboxId", "", "is required"),
    BAD(ecgrid_create_portal_form, "mailboxId", "   ", "is required"),
    BAD(ecgrid_create_portal_form, "mailboxId", "0", ID_RANGE),
    BAD(ecgrid_create_portal_form, "mailboxId", "-1", ID_RANGE),
    BAD(ecgrid_create_portal_form, "mailboxId", "2147483648", ID_RANGE),
    BAD(ecgrid_create_portal_form, "mailboxId", "9223372036854775807", ID_RANGE),
    BAD(ecgrid_create_portal_form, "mailboxId", "9223372036854775808", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "99999999999999999999999", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "12abc", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "1.5", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "1e3", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "+5", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "78 90", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "0x10", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "-", WHOLE),
    BAD(ecgrid_create_portal_form, "mailboxId", "\xd9\xa3", WHOLE), /* Arabic-Indic three */

    /* create user (seed 001) */
    OK(ecgrid_create_user_form, "login", "a"),
    OK(ecgrid_create_user_form, "login", "  jsmith  "),
    BAD(ecgrid_create_user_form, "login", MISSING, "is required"),
    BAD(ecgrid_create_user_form, "login", " ", "is required"),
    BAD(ecgrid_create_user_form, "login", "j\tsmith", CONTROL),
    BAD(ecgrid_create_user_form, "login", "j\xe2\x80\xaesmith", CONTROL), /* RLO */
    BAD(ecgrid_create_user_form, "login", "j\xe2\x80\xa8smith", CONTROL), /* LINE SEPARATOR */
    BAD(ecgrid_create_user_form, "login", "j\xffsmith", "is not valid text"),

    OK(ecgrid_create_user_form, "password", "Passw0rd!"),
    OK(ecgrid_create_user_form, "password", "Aa1!Aa1!"),        /* exactly 8 */
    OK(ecgrid_create_user_form, "password", "P\xc3\xa4ssw0rd"), /* ä is the special */
    OK(ecgrid_create_user_form, "password", "Passw0rd "),       /* space is special too */
    OK(ecgrid_create_user_form, "password", " Passw0rd"),
    BAD(ecgrid_create_user_form, "password", "Aa1!Aa1", "must be at least 8 characters long"),
    BAD(ecgrid_create_user_form, "password", "P\xc3\xa4ss0r!", "at least 8 characters"), /* 7 */
    BAD(ecgrid_create_user_form, "password", "password1!", LOWER_UPPER_DIGIT_SPECIAL),
    BAD(ecgrid_create_user_form, "password", "PASSWORD1!", LOWER_UPPER_DIGIT_SPECIAL),
    BAD(ecgrid_create_user_form, "password", "Password!!", LOWER_UPPER_DIGIT_SPECIAL),
    BAD(ecgrid_create_user_form, "password", "Password12", LOWER_UPPER_DIGIT_SPECIAL),
    BAD(ecgrid_create_user_form, "password", "        ", LOWER_UPPER_DIGIT_SPECIAL),
    BAD(ecgrid_create_user_form, "password", MISSING, "is required"),
    BAD(ecgrid_create_user_form, "password", "", "is required"),
    BAD(ecgrid_create_user_form, "password", "Passw0rd!\n", CONTROL), /* never trimmed */

    OK(ecgrid_create_user_form, "email", "john.smith+edi@mail.example.co.uk"),
    BAD(ecgrid_create_user_form, "email", MISSING, "is required"),
    BAD(ecgrid_create_user_form, "email", "jsmith.example.com", "the @ is missing"),

    OK(ecgrid_create_user_form, "firstName", MISSING),
    OK(ecgrid_create_user_form, "firstName", ""),
    OK_N(ecgrid_create_user_form, "firstName", "", "a", 50, ""),
    OK_N(ecgrid_create_user_form, "firstName", "  ", "a", 50, "  "),        /* trimmed first */
    OK_N(ecgrid_create_user_form, "firstName", "", "\xc3\xa9", 50, ""),     /* 50 é = 100 bytes */
    OK_N(ecgrid_create_user_form, "firstName", "", "\xe6\xbc\xa2", 50, ""), /* 50 CJK */
    BAD_N(ecgrid_create_user_form, "firstName", "", "a", 51, "",
          "must be at most 50 characters long (it has 51)"),
    BAD_N(ecgrid_create_user_form, "firstName", "", "\xc3\xa9", 51, "", "(it has 51)"),
    BAD(ecgrid_create_user_form, "firstName", "Jo\nhn", CONTROL),
    OK_N(ecgrid_create_user_form, "lastName", "", "b", 50, ""),
    BAD_N(ecgrid_create_user_form, "lastName", "", "b", 51, "", "at most 50 characters"),

    OK(ecgrid_create_user_form, "networkId", MISSING),
    OK(ecgrid_create_user_form, "networkId", ""),
    BAD(ecgrid_create_user_form, "networkId", "one", WHOLE),
    BAD(ecgrid_create_user_form, "networkId", "0", ID_RANGE),
    OK(ecgrid_create_user_form, "mailboxId", MISSING),
    BAD(ecgrid_create_user_form, "mailboxId", "-101", ID_RANGE),
    BAD(ecgrid_create_user_form, "mailboxId", "101a", WHOLE),

    OK(ecgrid_create_user_form, "authLevel", MISSING), /* default MailboxUser */
    OK(ecgrid_create_user_form, "authLevel", ""),
    OK(ecgrid_create_user_form, "authLevel", "Root"),
    OK(ecgrid_create_user_form, "authLevel", "TechOps"),
    OK(ecgrid_create_user_form, "authLevel", "NetOps"),
    OK(ecgrid_create_user_form, "authLevel", "NetworkAdmin"),
    OK(ecgrid_create_user_form, "authLevel", "NetworkUser"),
    OK(ecgrid_create_user_form, "authLevel", "MailboxUser"),
    OK(ecgrid_create_user_form, "authLevel", "TPUser"),
    OK(ecgrid_create_user_form, "authLevel", "General"),
    BAD(ecgrid_create_user_form, "authLevel", "mailboxuser", "(did you mean MailboxUser?)"),
    BAD(ecgrid_create_user_form, "authLevel", "NoChange",
        "must be one of Root, TechOps, NetOps, NetworkAdmin, NetworkUser, MailboxAdmin, "
        "MailboxUser, TPUser, General"),
    BAD(ecgrid_create_user_form, "authLevel", "Admin", "must be one of Root,"),
    BAD(ecgrid_create_user_form, "authLevel", "6", "must be one of"),

    /* update user */
    OK(ecgrid_update_user_form, "userId", "1042"),
    BAD(ecgrid_update_user_form, "userId", MISSING, "is required"),
    BAD(ecgrid_update_user_form, "userId", "jsmith", WHOLE),
    BAD(ecgrid_update_user_form, "userId", "0", ID_RANGE),
    OK(ecgrid_update_user_form, "firstName", "Johnny"),
    BAD_N(ecgrid_update_user_form, "firstName", "", "x", 51, "", "at most 50"),
    OK(ecgrid_update_user_form, "lastName", "Smyth"),
    BAD_N(ecgrid_update_user_form, "lastName", "", "x", 51, "", "at most 50"),
    OK(ecgrid_update_user_form, "email", "john.smith@example.org"),
    BAD(ecgrid_update_user_form, "email", "john@", "there is nothing after the @"),

    /* set role */
    OK(ecgrid_set_role_form, "authLevel", "MailboxAdmin"),
    BAD(ecgrid_set_role_form, "authLevel", MISSING, "is required"),
    BAD(ecgrid_set_role_form, "authLevel", "", "is required"),
    BAD(ecgrid_set_role_form, "authLevel", "NoChange", "must be one of"),
    BAD(ecgrid_set_role_form, "authLevel", "networkuser", "did you mean NetworkUser?"),
    BAD(ecgrid_set_role_form, "userId", "", "is required"),

    /* set password: the same rule as create */
    OK(ecgrid_set_password_form, "newPassword", "Zz9#Zz9#"),
    BAD(ecgrid_set_password_form, "newPassword", "Zz9#Zz9", "at least 8 characters"),
    BAD(ecgrid_set_password_form, "newPassword", "zz9#zz9#", LOWER_UPPER_DIGIT_SPECIAL),
    BAD(ecgrid_set_password_form, "newPassword", MISSING, "is required"),
    BAD(ecgrid_set_password_form, "userId", "1042x", WHOLE),
};

static const struct field_case zoho_cases[] = {
    /* portal name: mandatory, alphanumeric (seed 002), 6-30 (OpenAPI) */
    OK_N(zoho_create_portal_form, "name", "", "a", 6, ""),
    OK_N(zoho_create_portal_form, "name", "", "Z", 30, ""),
    OK_N(zoho_create_portal_form, "name", " ", "9", 30, " "),
    OK(zoho_create_portal_form, "name", "PortalsAPItest100"),
    BAD_N(zoho_create_portal_form, "name", "", "a", 5, "",
          "must be 6 to 30 characters long (it has 5)"),
    BAD_N(zoho_create_portal_form, "name", "", "a", 31, "",
          "must be 6 to 30 characters long (it has 31)"),
    BAD(zoho_create_portal_form, "name", MISSING, "is required"),
    BAD(zoho_create_portal_form, "name", "", "is required"),
    BAD(zoho_create_portal_form, "name", "Customer Hub", ZOHO_ALNUM),
    BAD(zoho_create_portal_form, "name", "Customer_Hub", ZOHO_ALNUM),
    BAD(zoho_create_portal_form, "name", "Customer-Hub", ZOHO_ALNUM),
    BAD(zoho_create_portal_form, "name", "Kundenb\xc3\xbcro", ZOHO_ALNUM), /* ü */
    BAD(zoho_create_portal_form, "name", "Portal\xd9\xa3\xd9\xa3",
        ZOHO_ALNUM), /* non-ASCII digits */
    OK_N(zoho_rename_portal_form, "name", "", "b", 6, ""),
    BAD_N(zoho_rename_portal_form, "name", "", "b", 5, "", "6 to 30"),
    BAD_N(zoho_rename_portal_form, "name", "", "b", 31, "", "6 to 30"),
    BAD(zoho_rename_portal_form, "name", "New Name", ZOHO_ALNUM),
    BAD(zoho_rename_portal_form, "name", MISSING, "is required"),

    /* invite */
    OK(zoho_invite_user_form, "Email", "p.brian@zylker.com"),
    BAD(zoho_invite_user_form, "Email", MISSING, "is required"),
    BAD(zoho_invite_user_form, "Email", "p.brian@zylker", "a domain with a dot"),
    OK(zoho_invite_user_form, "First_Name", MISSING),
    BAD(zoho_invite_user_form, "First_Name", "A\x1b[2Jnn", CONTROL),
    OK(zoho_invite_user_form, "Last_Name", MISSING), /* needed only for a new contact */
    OK(zoho_invite_user_form, "Last_Name", ""),
    BAD(zoho_invite_user_form, "Last_Name", "L\ree", CONTROL),
    OK(zoho_invite_user_form, "user_type_id", MISSING), /* the portal's default type */
    OK(zoho_invite_user_form, "user_type_id", "5020928000000523003"),
    BAD(zoho_invite_user_form, "user_type_id", "Customers", "must be the digits of a Zoho id"),
    BAD(zoho_invite_user_form, "user_type_id", "-3652397000006231003", "digits of a Zoho id"),
    OK(zoho_invite_user_form, "type", MISSING), /* default invite */
    OK(zoho_invite_user_form, "type", "reinvite"),
    BAD(zoho_invite_user_form, "type", "Invite",
        "must be one of invite, reinvite (did you mean invite?)"),
    BAD(zoho_invite_user_form, "type", "resend", "must be one of invite, reinvite"),

    /* contact to create */
    OK(zoho_contact_form, "Last_Name", "O'Brien-Lee"),
    OK(zoho_contact_form, "Email", "ann.lee@example.com"),
    BAD(zoho_contact_form, "Last_Name", MISSING, "is required"),
    BAD(zoho_contact_form, "Last_Name", "  ", "is required"),
    OK(zoho_contact_form, "First_Name", MISSING),
    BAD(zoho_contact_form, "First_Name", "A\x7fnn", CONTROL),
    BAD(zoho_contact_form, "Email", "", "is required"),
    BAD(zoho_contact_form, "Email", "ann@example..com", "empty part between dots"),
};

static const struct field_case valstorm_cases[] = {
    /* create portal: name 1-100 after trimming */
    OK(valstorm_create_portal_form, "name", "C"),
    OK(valstorm_create_portal_form, "name", "  Customer Hub  "),
    OK_N(valstorm_create_portal_form, "name", "", "n", 100, ""),
    OK_N(valstorm_create_portal_form, "name", "   ", "n", 100, "\t"),
    OK_N(valstorm_create_portal_form, "name", "", "\xe6\x97\xa5", 100, ""), /* 100 × 日 */
    BAD_N(valstorm_create_portal_form, "name", "", "n", 101, "",
          "must be 1 to 100 characters long (it has 101)"),
    BAD_N(valstorm_create_portal_form, "name", "", "\xe6\x97\xa5", 101, "", "(it has 101)"),
    BAD(valstorm_create_portal_form, "name", MISSING, "is required"),
    BAD(valstorm_create_portal_form, "name", "", "is required"),
    BAD(valstorm_create_portal_form, "name", " \t ", "is required"),

    /* custom_domain: a hostname, optional */
    OK(valstorm_create_portal_form, "custom_domain", MISSING),
    OK(valstorm_create_portal_form, "custom_domain", ""),
    OK(valstorm_create_portal_form, "custom_domain", "a.b"),
    OK(valstorm_create_portal_form, "custom_domain", "HELP.Acme.COM"),
    OK(valstorm_create_portal_form, "custom_domain", "portal-1.acme-corp.example"),
    OK(valstorm_create_portal_form, "custom_domain", "123.acme.com"),
    OK(valstorm_create_portal_form, "custom_domain", "xn--bcher-kva.example"),
    OK(valstorm_create_portal_form, "custom_domain", " help.acme.com "),
    OK_N(valstorm_create_portal_form, "custom_domain", "", "a", 63, ".acme.com"),
    OK_N(valstorm_create_portal_form, "custom_domain", "", "abcdefghi.", 25, "com"), /* 253 */
    BAD_N(valstorm_create_portal_form, "custom_domain", "", "abcdefghi.", 25, "comm",
          "longer than 253 characters"),
    BAD_N(valstorm_create_portal_form, "custom_domain", "", "a", 64, ".acme.com", "at most 63"),
    BAD(valstorm_create_portal_form, "custom_domain", "https://help.acme.com",
        "leave out the http://"),
    BAD(valstorm_create_portal_form, "custom_domain", "http://help.acme.com/",
        "leave out the http://"),
    BAD(valstorm_create_portal_form, "custom_domain", "help.acme.com/portal", "leave out the path"),
    BAD(valstorm_create_portal_form, "custom_domain", "help.acme.com:8443", "leave out the port"),
    BAD(valstorm_create_portal_form, "custom_domain", "help.acme.com.",
        "leave out the dot at the end"),
    BAD(valstorm_create_portal_form, "custom_domain", "localhost", "at least two parts"),
    BAD(valstorm_create_portal_form, "custom_domain", "-help.acme.com",
        "start or end with a hyphen"),
    BAD(valstorm_create_portal_form, "custom_domain", "help-.acme.com",
        "start or end with a hyphen"),
    BAD(valstorm_create_portal_form, "custom_domain", "help.acme.com-",
        "start or end with a hyphen"),
    BAD(valstorm_create_portal_form, "custom_domain", "help..acme.com", "empty part between dots"),
    BAD(valstorm_create_portal_form, "custom_domain", ".acme.com", "empty part between dots"),
    BAD(valstorm_create_portal_form, "custom_domain", "help_desk.acme.com",
        "only letters a-z, digits"),
    BAD(valstorm_create_portal_form, "custom_domain", "h\xc3\xa9lp.acme.com", "xn-- form"),
    BAD(valstorm_create_portal_form, "custom_domain", "help acme.com", "contains a space"),
    BAD(valstorm_create_portal_form, "custom_domain", "192.168.1.10", "not an IP address"),
    BAD(valstorm_create_portal_form, "custom_domain", "ann@acme.com", HOST),

    /* update portal: both optional */
    OK(valstorm_update_portal_form, "name", "Partner Desk"),
    BAD_N(valstorm_update_portal_form, "name", "", "n", 101, "", "1 to 100"),
    OK(valstorm_update_portal_form, "custom_domain", "partners.acme.com"),
    BAD(valstorm_update_portal_form, "custom_domain", "partners", "at least two parts"),

    /* invite row */
    OK(valstorm_invite_user_form, "email", "ann@example.com"),
    OK(valstorm_invite_user_form, "email", "  ann@example.com\t"),
    OK(valstorm_invite_user_form, "email", "zo\xc3\xab@ex\xc3\xa4mple.de"),
    OK(valstorm_invite_user_form, "email", "o'brien@example.ie"),
    OK_N(valstorm_invite_user_form, "email", "", "a", 64, "@example.com"),
    OK_N(valstorm_invite_user_form, "email", "a@", "abcdefghi.", 24, "abcdefgh.com"), /* 254 */
    BAD_N(valstorm_invite_user_form, "email", "a@", "abcdefghi.", 24, "abcdefghi.com",
          "longer than 254 characters"),
    BAD_N(valstorm_invite_user_form, "email", "", "a", 65, "@example.com", "longer than 64"),
    BAD_N(valstorm_invite_user_form, "email", "a@", "b", 64, ".com", "longer than 63"),
    BAD(valstorm_invite_user_form, "email", MISSING, "is required"),
    BAD(valstorm_invite_user_form, "email", "", "is required"),
    BAD(valstorm_invite_user_form, "email", "bo.example.com", EMAIL " (the @ is missing)"),
    BAD(valstorm_invite_user_form, "email", "a@b@example.com", "more than one @"),
    BAD(valstorm_invite_user_form, "email", "ann@@example.com", "more than one @"),
    BAD(valstorm_invite_user_form, "email", "@example.com", "nothing before the @"),
    BAD(valstorm_invite_user_form, "email", "ann@", "nothing after the @"),
    BAD(valstorm_invite_user_form, "email", "ann@localhost", "a domain with a dot"),
    BAD(valstorm_invite_user_form, "email", "ann lee@example.com", "contains a space"),
    BAD(valstorm_invite_user_form, "email", "ann@exa mple.com", "contains a space"),
    BAD(valstorm_invite_user_form, "email", ".ann@example.com", "start or end with a dot"),
    BAD(valstorm_invite_user_form, "email", "ann.@example.com", "start or end with a dot"),
    BAD(valstorm_invite_user_form, "email", "an..n@example.com", "two dots in a row"),
    BAD(valstorm_invite_user_form, "email", "\"ann\"@example.com", "may not contain ( ) < >"),
    BAD(valstorm_invite_user_form, "email", "Ann <ann@example.com>", "contains a space"),
    BAD(valstorm_invite_user_form, "email", "ann,bo@example.com", "may not contain"),
    BAD(valstorm_invite_user_form, "email", "ann@example.com.", "empty part between dots"),
    BAD(valstorm_invite_user_form, "email", "ann@-example.com", "starts or ends with a hyphen"),
    BAD(valstorm_invite_user_form, "email", "ann@exam_ple.com", "only letters, digits, hyphens"),
    BAD(valstorm_invite_user_form, "email", "ann@1.2.3.4", "not a number"),
    BAD(valstorm_invite_user_form, "email", "ann@[1.2.3.4]", "only letters, digits, hyphens"),
    BAD(valstorm_invite_user_form, "email", "ann@example.com\n\nbo@example.com", CONTROL),
    OK(valstorm_invite_user_form, "first_name", MISSING),
    OK_N(valstorm_invite_user_form, "first_name", "", "\xc3\xb8", 100, ""),
    BAD_N(valstorm_invite_user_form, "first_name", "", "f", 101, "",
          "at most 100 characters long (it has 101)"),
    OK(valstorm_invite_user_form, "last_name", ""),
    OK_N(valstorm_invite_user_form, "last_name", "", "l", 100, ""),
    BAD_N(valstorm_invite_user_form, "last_name", "", "l", 101, "", "at most 100 characters"),

    /* add an existing portal by id */
    OK(valstorm_add_portal_form, "portal_id", "portal_demo1"),
    BAD(valstorm_add_portal_form, "portal_id", MISSING, "is required"),
    BAD(valstorm_add_portal_form, "portal_id", "user_8Hq2LrT0aV", "portal_ followed by letters"),
    BAD(valstorm_add_portal_form, "portal_id", "portal_", "portal_ followed by letters"),
    BAD(valstorm_add_portal_form, "portal_id", "portal_3kT9 xQ2", "portal_ followed by letters"),
};

static char *case_value(const struct field_case *c)
{
    if (c->count == 0)
        return g_strdup(c->unit);
    char *middle = repeat(c->unit, c->count);
    char *value = g_strconcat(c->prefix, middle, c->suffix, NULL);
    g_free(middle);
    return value;
}

static void run_field_case(const struct field_case *c, size_t index)
{
    struct form_values *values = baseline_values(c->spec);
    char *value = case_value(c);
    if (c->unit == MISSING)
        form_values_unset(values, c->key);
    else
        form_values_set(values, c->key, value);
    struct form_errors *errors = form_errors_new();
    bool ok = form_validate(c->spec, values, errors);
    char *report = form_errors_format(errors);
    const char *message = form_errors_first_for(errors, c->key);
    if (c->error == NULL && !ok)
        fail_msg("case %zu (%s %s=\"%s\") should pass but got:\n%s", index, c->spec->id, c->key,
                 value, report);
    if (c->error != NULL && (ok || message == NULL || strstr(message, c->error) == NULL))
        fail_msg("case %zu (%s %s=\"%s\") should fail with \"%s\" but got:\n%s", index, c->spec->id,
                 c->key, value, c->error, report);
    if (c->error != NULL) /* the line names the field first */
        assert_true(g_str_has_prefix(report, c->key) && report[strlen(c->key)] == ':');
    g_free(report);
    g_free(value);
    form_errors_free(errors);
    form_values_free(values);
}

static void run_field_cases(const struct field_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++)
        run_field_case(&cases[i], i);
}

static void test_ecgrid_fields(void **state)
{
    (void)state;
    run_field_cases(ecgrid_cases, G_N_ELEMENTS(ecgrid_cases));
}

static void test_zoho_fields(void **state)
{
    (void)state;
    run_field_cases(zoho_cases, G_N_ELEMENTS(zoho_cases));
}

static void test_valstorm_fields(void **state)
{
    (void)state;
    run_field_cases(valstorm_cases, G_N_ELEMENTS(valstorm_cases));
}

static bool field_has_case(const struct field_case *cases, size_t count,
                           const struct form_spec *spec, const char *key, bool want_error)
{
    for (size_t i = 0; i < count; i++) {
        if (cases[i].spec == spec && strcmp(cases[i].key, key) == 0 &&
            (cases[i].error != NULL) == want_error)
            return true;
    }
    return false;
}

/* Every field of every vendor form has a passing case and a failing one. */
static void test_every_vendor_field_has_cases(void **state)
{
    (void)state;
    const struct {
        const struct form_spec *const *specs;
        const struct field_case *cases;
        size_t count;
    } vendors[] = {
        {ecgrid_form_specs, ecgrid_cases, G_N_ELEMENTS(ecgrid_cases)},
        {zoho_form_specs, zoho_cases, G_N_ELEMENTS(zoho_cases)},
        {valstorm_form_specs, valstorm_cases, G_N_ELEMENTS(valstorm_cases)},
    };
    for (size_t v = 0; v < G_N_ELEMENTS(vendors); v++) {
        for (const struct form_spec *const *spec = vendors[v].specs; *spec; spec++) {
            for (size_t f = 0; f < (*spec)->count; f++) {
                const char *key = (*spec)->fields[f].key;
                bool has_ok =
                    field_has_case(vendors[v].cases, vendors[v].count, *spec, key, false) ||
                    (*spec)->fields[f].from_context; /* covered by the baseline */
                if (!has_ok ||
                    !field_has_case(vendors[v].cases, vendors[v].count, *spec, key, true))
                    fail_msg("%s: field %s lacks a passing or a failing case", (*spec)->id, key);
            }
        }
    }
}

/* ---- the vendor forms: structure ---------------------------------------- */

static void test_vendor_specs_are_well_formed(void **state)
{
    (void)state;
    const struct form_spec *const *lists[] = {ecgrid_form_specs, zoho_form_specs,
                                              valstorm_form_specs};
    size_t seen = 0;
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
        for (const struct form_spec *const *spec = lists[l]; *spec; spec++, seen++) {
            char *problem = NULL;
            if (!form_spec_check(*spec, &problem))
                fail_msg("%s: %s", (*spec)->id, problem);
            struct form_values *values = baseline_values(*spec);
            struct form_errors *errors = form_errors_new();
            if (!form_validate(*spec, values, errors)) {
                char *report = form_errors_format(errors);
                fail_msg("%s: the baseline does not pass:\n%s", (*spec)->id, report);
            }
            form_errors_free(errors);
            form_values_free(values);
        }
    }
    assert_int_equal(seen, G_N_ELEMENTS(baselines));
}

static void test_vendor_specs_match_the_documents(void **state)
{
    (void)state;
    /* Seed 001, character for character. */
    const char *seed_pattern = "^(?=.*[a-z])(?=.*[A-Z])(?=.*\\d)(?=.*[^a-zA-Z0-9]).+$";
    const struct field_spec *password = form_spec_field(&ecgrid_create_user_form, "password");
    const struct field_spec *new_password =
        form_spec_field(&ecgrid_set_password_form, "newPassword");
    assert_string_equal(password->pattern, seed_pattern);
    assert_string_equal(new_password->pattern, seed_pattern);
    assert_int_equal(password->min_len, 8);
    assert_true(password->secret && new_password->secret);
    assert_string_equal(form_spec_field(&ecgrid_create_user_form, "authLevel")->default_value,
                        "MailboxUser");
    assert_true(form_spec_field(&ecgrid_create_portal_form, "mailboxId")->required);
    assert_int_equal(form_spec_field(&zoho_create_portal_form, "name")->min_len, 6);
    assert_int_equal(form_spec_field(&zoho_create_portal_form, "name")->max_len, 30);
    assert_int_equal(form_spec_field(&valstorm_create_portal_form, "name")->max_len, 100);
    assert_int_equal(form_spec_field(&valstorm_create_portal_form, "custom_domain")->type,
                     FIELD_HOSTNAME);
    /* The order is the vendor's, highest level first. */
    const char *levels[] = {"Root",         "TechOps",     "NetOps", "NetworkAdmin", "NetworkUser",
                            "MailboxAdmin", "MailboxUser", "TPUser", "General"};
    for (size_t i = 0; i < G_N_ELEMENTS(levels); i++)
        assert_string_equal(ecgrid_auth_levels[i], levels[i]);
    assert_null(ecgrid_auth_levels[G_N_ELEMENTS(levels)]);
}

/* ---- form rules --------------------------------------------------------- */

struct rule_case {
    const struct form_spec *spec;
    const char *pairs[12];
    const char *error; /* NULL: passes; else the form-wide error */
};

static const struct rule_case rule_cases[] = {
    {&valstorm_update_portal_form,
     {NULL},
     "nothing to change: give a new name, a new "
     "custom_domain, or both"},
    {&valstorm_update_portal_form, {"name", "", "custom_domain", "  ", NULL}, "nothing to change"},
    {&valstorm_update_portal_form, {"name", "Partner Desk", NULL}, NULL},
    {&valstorm_update_portal_form, {"custom_domain", "help.acme.com", NULL}, NULL},
    {&valstorm_update_portal_form, {"name", "A", "custom_domain", "a.b", NULL}, NULL},
    {&ecgrid_update_user_form, {"userId", "1042", NULL}, "give a new email, firstName or lastName"},
    {&ecgrid_update_user_form, {"userId", "1042", "firstName", " ", NULL}, "nothing to change"},
    {&ecgrid_update_user_form, {"userId", "1042", "lastName", "Smyth", NULL}, NULL},
    {&ecgrid_update_user_form, {"userId", "1042", "firstName", "Jo", NULL}, NULL},
};

static void test_form_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(rule_cases); i++) {
        const struct rule_case *c = &rule_cases[i];
        struct form_values *values = values_of(c->pairs);
        struct form_errors *errors = form_errors_new();
        bool ok = form_validate(c->spec, values, errors);
        const char *message = form_errors_first_for(errors, NULL);
        if (c->error == NULL && !ok)
            fail_msg("rule case %zu should pass", i);
        if (c->error != NULL && (ok || message == NULL || strstr(message, c->error) == NULL))
            fail_msg("rule case %zu should fail with \"%s\"", i, c->error);
        if (c->error != NULL) /* a form-wide error is the only one, and has no field */
            assert_int_equal(form_errors_count(errors), 1);
        form_errors_free(errors);
        form_values_free(values);
    }
}

/* ---- rules that need a spec of their own -------------------------------- */

static const char *const colours[] = {"red", "green", NULL};

static const struct field_spec synthetic_fields[] = {
    {.key = "count", .label = "Count", .type = FIELD_INTEGER, .help = "any number"},
    {.key = "colour",
     .label = "Colour",
     .type = FIELD_ENUM,
     .allowed_values = colours,
     .help = "a colour"},
    {.key = "token",
     .label = "Token",
     .type = FIELD_TEXT,
     .secret = true,
     .min_len = 4,
     .max_len = 6,
     .help = "a secret that is not a password"},
    /* A password field is secret even without the flag. */
    {.key = "pin", .label = "PIN", .type = FIELD_PASSWORD, .min_len = 4, .help = "a password"},
    /* Required, but the default stands in when it is not given. */
    {.key = "size",
     .label = "Size",
     .type = FIELD_ENUM,
     .required = true,
     .allowed_values = colours,
     .default_value = "green",
     .help = "a required enum"},
};

static const struct form_spec synthetic_form = {
    .id = "test.synthetic",
    .title = "Synthetic",
    .fields = synthetic_fields,
    .count = G_N_ELEMENTS(synthetic_fields),
};

static void test_integer_without_range(void **state)
{
    (void)state;
    const struct {
        const char *value;
        bool ok;
    } cases[] = {
        {"0", true},
        {"-9223372036854775808", true},
        {"9223372036854775807", true},
        {"9223372036854775808", false},
        {"-9223372036854775809", false},
        {"--1", false},
        {"1-", false},
        {"", true}, /* optional and blank */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *pairs[] = {"count", cases[i].value, NULL};
        struct form_values *values = values_of(pairs);
        struct form_errors *errors = form_errors_new();
        if (form_validate(&synthetic_form, values, errors) != cases[i].ok)
            fail_msg("count=\"%s\" should %s", cases[i].value, cases[i].ok ? "pass" : "fail");
        form_errors_free(errors);
        form_values_free(values);
    }
}

static void test_parse_integer(void **state)
{
    (void)state;
    int64_t number = 42;
    assert_true(form_parse_integer("-9223372036854775808", &number));
    assert_true(number == INT64_MIN);
    assert_true(form_parse_integer("9223372036854775807", &number));
    assert_true(number == INT64_MAX);
    assert_true(form_parse_integer("0042", &number));
    assert_int_equal(number, 42);
    const char *refused[] = {"", "-", "+1", " 1", "1 ", "1_000", "9223372036854775808", "１"};
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        number = 7;
        if (form_parse_integer(refused[i], &number))
            fail_msg("\"%s\" should not parse", refused[i]);
        assert_int_equal(number, 7); /* untouched on failure */
    }
}

/* A secret is never trimmed and never shows up in a message, nor its length. */
static void test_secret_values_are_not_echoed(void **state)
{
    (void)state;
    const char *secrets[] = {"Zq", "  ", "zq8#x", "zq8#zq8#zq8"};
    for (size_t i = 0; i < G_N_ELEMENTS(secrets); i++) {
        const char *pairs[] = {"login", "jsmith",        "password", secrets[i],
                               "email", "j@example.com", NULL};
        struct form_values *values = values_of(pairs);
        struct form_errors *errors = form_errors_new();
        assert_false(form_validate(&ecgrid_create_user_form, values, errors));
        char *report = form_errors_format(errors);
        if (strcmp(secrets[i], "  ") != 0)
            assert_null(strstr(report, secrets[i]));
        assert_null(strstr(report, "it has"));
        g_free(report);
        form_errors_free(errors);
        form_values_free(values);
    }
    /* The secret flag alone (not a password type) hides the length too. */
    const char *pairs[] = {"token", "abcdefgh", NULL};
    struct form_values *values = values_of(pairs);
    struct form_errors *errors = form_errors_new();
    assert_false(form_validate(&synthetic_form, values, errors));
    assert_string_equal(form_errors_first_for(errors, "token"), "must be 4 to 6 characters long");
    form_errors_free(errors);
    form_values_free(values);
}

static void test_password_type_is_secret(void **state)
{
    (void)state;
    const struct {
        const char *pin;
        const char *error;
    } cases[] = {
        {"12", "must be at least 4 characters long"}, /* no "(it has 2)" */
        {" 12 ", NULL},                               /* not trimmed: 4 characters */
        {"1234", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *pairs[] = {"pin", cases[i].pin, NULL};
        struct form_values *values = values_of(pairs);
        struct form_errors *errors = form_errors_new();
        bool ok = form_validate(&synthetic_form, values, errors);
        if (cases[i].error == NULL && !ok)
            fail_msg("pin case %zu should pass", i);
        if (cases[i].error != NULL)
            assert_string_equal(form_errors_first_for(errors, "pin"), cases[i].error);
        assert_normalize_keeps(&synthetic_form, values, "pin", cases[i].pin);
        form_errors_free(errors);
        form_values_free(values);
    }
}

/* A required field with a default is never missing, and a bad value is
 * still refused rather than replaced by the default. */
static void test_default_stands_in_for_missing(void **state)
{
    (void)state;
    const char *missing[] = {NULL};
    const char *blank[] = {"size", " ", NULL};
    const char *bad[] = {"size", "blue", NULL};
    const char *const *inputs[] = {missing, blank, bad};
    const bool expected[] = {true, true, false};
    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        struct form_values *values = values_of(inputs[i]);
        struct form_errors *errors = form_errors_new();
        if (form_validate(&synthetic_form, values, errors) != expected[i])
            fail_msg("size case %zu should %s", i, expected[i] ? "pass" : "fail");
        form_errors_free(errors);
        form_values_free(values);
    }
}

/* Independent rules on one field all report, so a person fixes them at once. */
static void test_several_errors_on_one_field(void **state)
{
    (void)state;
    const char *pairs[] = {"userId", "1042", "newPassword", "pa0!", NULL};
    struct form_values *values = values_of(pairs);
    struct form_errors *errors = form_errors_new();
    assert_false(form_validate(&ecgrid_set_password_form, values, errors));
    char *report = form_errors_format(errors);
    assert_string_equal(report, "newPassword: must be at least 8 characters long\n"
                                "newPassword: " LOWER_UPPER_DIGIT_SPECIAL "\n");
    g_free(report);
    form_errors_free(errors);
    form_values_free(values);
}

static void test_every_bad_field_is_named(void **state)
{
    (void)state;
    const char *pairs[] = {"login",     "",          "password", "short",     "email",
                           "nope",      "firstName", "Jo",       "networkId", "x",
                           "authLevel", "Boss",      "nickname", "Jojo",      NULL};
    struct form_values *values = values_of(pairs);
    struct form_errors *errors = form_errors_new();
    assert_false(form_validate(&ecgrid_create_user_form, values, errors));
    char *report = form_errors_format(errors);
    assert_string_equal(
        report, "login: is required\n"
                "password: must be at least 8 characters long\n"
                "password: " LOWER_UPPER_DIGIT_SPECIAL "\n"
                "email: must be an e-mail address such as ann@example.com (the @ is missing)\n"
                "networkId: must be a whole number, such as 7890\n"
                "authLevel: must be one of Root, TechOps, NetOps, NetworkAdmin, NetworkUser, "
                "MailboxAdmin, MailboxUser, TPUser, General\n"
                "nickname: unknown field; this form accepts login, password, email, firstName, "
                "lastName, networkId, mailboxId, authLevel\n");
    assert_string_equal(form_errors_first_for(errors, "password"),
                        "must be at least 8 characters long");
    assert_null(form_errors_first_for(errors, "firstName"));
    assert_null(form_errors_first_for(errors, NULL));
    g_free(report);
    form_errors_free(errors);
    form_values_free(values);
}

static void test_unknown_field(void **state)
{
    (void)state;
    const char *pairs[] = {"mailboxId", "7890", "mailboxID", "7890", "", "x", NULL};
    struct form_values *values = values_of(pairs);
    struct form_errors *errors = form_errors_new();
    assert_false(form_validate(&ecgrid_create_portal_form, values, errors));
    assert_int_equal(form_errors_count(errors), 2);
    assert_string_equal(form_errors_first_for(errors, "mailboxID"),
                        "unknown field; this form accepts mailboxId");
    assert_string_equal(form_errors_first_for(errors, ""),
                        "unknown field; this form accepts mailboxId");
    form_errors_free(errors);
    form_values_free(values);
}

static void test_enum_is_exact(void **state)
{
    (void)state;
    const char *values_tried[] = {"red", "Red", "RED", " red ", "re", "redd"};
    const bool expected[] = {true, false, false, true, false, false};
    for (size_t i = 0; i < G_N_ELEMENTS(values_tried); i++) {
        const char *pairs[] = {"colour", values_tried[i], NULL};
        struct form_values *values = values_of(pairs);
        struct form_errors *errors = form_errors_new();
        assert_int_equal(form_validate(&synthetic_form, values, errors), expected[i]);
        if (i == 1)
            assert_string_equal(form_errors_first_for(errors, "colour"),
                                "must be one of red, green (did you mean red?)");
        form_errors_free(errors);
        form_values_free(values);
    }
}

/* ---- patterns ----------------------------------------------------------- */

static const struct field_spec broken_fields[] = {
    {.key = "code",
     .label = "Code",
     .type = FIELD_TEXT,
     .pattern = "^([a-z]+$",
     .pattern_message = "lower-case letters",
     .help = "a code"},
};

static const struct form_spec broken_form = {
    .id = "test.broken",
    .title = "Broken",
    .fields = broken_fields,
    .count = G_N_ELEMENTS(broken_fields),
};

static void test_broken_pattern_is_reported(void **state)
{
    (void)state;
    const char *pairs[] = {"code", "abc", NULL};
    struct form_values *values = values_of(pairs);
    struct form_errors *errors = form_errors_new();
    for (int round = 0; round < 2; round++) { /* not cached as good the second time */
        assert_false(form_validate(&broken_form, values, errors));
        const char *message = form_errors_first_for(errors, "code");
        assert_non_null(strstr(message, "bug in portalctl"));
        assert_non_null(strstr(message, "^([a-z]+$"));
    }
    char *problem = NULL;
    assert_false(form_spec_check(&broken_form, &problem));
    assert_non_null(strstr(problem, "code: the pattern ^([a-z]+$ does not compile"));
    g_free(problem);
    form_errors_free(errors);
    form_values_free(values);
}

/* Look-aheads are PCRE: each of the four must hold on its own. */
static void test_password_lookaheads(void **state)
{
    (void)state;
    const struct {
        const char *password;
        bool ok;
    } cases[] = {
        {"abcDEF1!", true},
        {"!1FEDcba", true},
        {"abcdef1!", false},
        {"ABCDEF1!", false},
        {"abcDEFG!", false},
        {"abcDEF12", false},
        {"aB3\xe2\x82\xac"
         "aaaa",
         true}, /* € */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *pairs[] = {"userId", "1", "newPassword", cases[i].password, NULL};
        struct form_values *values = values_of(pairs);
        struct form_errors *errors = form_errors_new();
        if (form_validate(&ecgrid_set_password_form, values, errors) != cases[i].ok)
            fail_msg("password case %zu should %s", i, cases[i].ok ? "pass" : "fail");
        form_errors_free(errors);
        form_values_free(values);
    }
}

/* ---- defaults and normalisation ----------------------------------------- */

static void test_apply_defaults(void **state)
{
    (void)state;
    const char *missing[] = {"login", "jsmith", NULL};
    const char *blank[] = {"login", "jsmith", "authLevel", "  ", NULL};
    const char *given[] = {"login", "jsmith", "authLevel", "MailboxAdmin", NULL};
    const char *const *inputs[] = {missing, blank, given};
    const char *expected[] = {"MailboxUser", "MailboxUser", "MailboxAdmin"};
    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        struct form_values *values = values_of(inputs[i]);
        form_apply_defaults(&ecgrid_create_user_form, values);
        assert_string_equal(form_values_get(values, "authLevel"), expected[i]);
        assert_string_equal(form_values_get(values, "login"), "jsmith");
        assert_null(form_values_get(values, "networkId")); /* no static default */
        form_values_free(values);
    }
    struct form_values *values = form_values_new();
    form_values_set(values, "Email", "ann@example.com");
    form_apply_defaults(&zoho_invite_user_form, values);
    assert_string_equal(form_values_get(values, "type"), "invite");
    assert_int_equal(form_values_count(values), 2);
    form_values_free(values);
}

static void test_normalize(void **state)
{
    (void)state;
    const char *pairs[] = {"login",     "  jsmith\t",
                           "password",  " Passw0rd! ",
                           "email",     "\nj@example.com ",
                           "firstName", "   ",
                           "lastName",  "",
                           "nickname",  " x ",
                           NULL};
    struct form_values *values = values_of(pairs);
    form_normalize(&ecgrid_create_user_form, values);
    assert_string_equal(form_values_get(values, "login"), "jsmith");
    assert_string_equal(form_values_get(values, "password"), " Passw0rd! ");
    assert_string_equal(form_values_get(values, "email"), "j@example.com");
    assert_null(form_values_get(values, "firstName"));
    assert_null(form_values_get(values, "lastName"));
    assert_string_equal(form_values_get(values, "nickname"), " x "); /* left for validate */
    assert_int_equal(form_values_count(values), 4);
    assert_string_equal(form_values_key_at(values, 0), "login"); /* order kept */
    assert_string_equal(form_values_key_at(values, 3), "nickname");
    form_values_free(values);
}

/* Validation is pure and sees values as form_normalize() would make them. */
static void test_validate_is_pure(void **state)
{
    (void)state;
    const char *pairs[] = {"name", "  Customer Hub ", "custom_domain", "", NULL};
    struct form_values *values = values_of(pairs);
    struct form_errors *errors = form_errors_new();
    form_errors_add(errors, "stale", "from an earlier run");
    assert_true(form_validate(&valstorm_create_portal_form, values, errors));
    assert_int_equal(form_errors_count(errors), 0); /* replaced, not appended */
    assert_string_equal(form_values_get(values, "name"), "  Customer Hub ");
    assert_string_equal(form_values_get(values, "custom_domain"), "");
    form_normalize(&valstorm_create_portal_form, values);
    assert_true(form_validate(&valstorm_create_portal_form, values, errors));
    assert_string_equal(form_values_get(values, "name"), "Customer Hub");
    form_errors_free(errors);
    form_values_free(values);
}

/* ---- containers --------------------------------------------------------- */

static void test_values_container(void **state)
{
    (void)state;
    struct form_values *values = form_values_new();
    char key[] = "email";
    char value[] = "ann@example.com";
    form_values_set(values, key, value);
    key[0] = 'X'; /* copies, not references */
    value[0] = 'X';
    assert_string_equal(form_values_get(values, "email"), "ann@example.com");
    form_values_set(values, "first_name", "Ann");
    form_values_set(values, "email", "bo@example.com");
    assert_int_equal(form_values_count(values), 2);
    assert_string_equal(form_values_key_at(values, 0), "email");
    assert_string_equal(form_values_value_at(values, 0), "bo@example.com");
    form_values_set(values, "email", form_values_get(values, "email")); /* aliasing */
    assert_string_equal(form_values_get(values, "email"), "bo@example.com");

    struct form_values *copy = form_values_copy(values);
    assert_true(form_values_unset(values, "email"));
    assert_false(form_values_unset(values, "email"));
    assert_null(form_values_get(values, "email"));
    assert_int_equal(form_values_count(values), 1);
    assert_string_equal(form_values_get(copy, "email"), "bo@example.com");
    assert_int_equal(form_values_count(copy), 2);

    form_values_set(copy, "Last_Name", "Lee");
    struct form_values *contact = form_values_select(&zoho_contact_form, copy);
    assert_int_equal(form_values_count(contact), 1);
    assert_string_equal(form_values_key_at(contact, 0), "Last_Name");
    form_values_free(contact);
    form_values_free(copy);
    form_values_free(values);
    form_values_free(NULL);
}

/* Zoho: the contact fields of an invite, checked when no contact exists. */
static void test_zoho_contact_from_invite(void **state)
{
    (void)state;
    const char *pairs[] = {"Email", "ann@example.com", "First_Name", "Ann", "type", "invite", NULL};
    struct form_values *invite = values_of(pairs);
    struct form_errors *errors = form_errors_new();
    assert_true(form_validate(&zoho_invite_user_form, invite, errors));
    struct form_values *contact = form_values_select(&zoho_contact_form, invite);
    assert_false(form_validate(&zoho_contact_form, contact, errors));
    char *report = form_errors_format(errors);
    assert_string_equal(report, "Last_Name: is required\n");
    g_free(report);
    form_values_free(contact);
    form_errors_free(errors);
    form_values_free(invite);
}

static void test_errors_container(void **state)
{
    (void)state;
    struct form_errors *errors = form_errors_new();
    char *empty = form_errors_format(errors);
    assert_string_equal(empty, "");
    g_free(empty);
    form_errors_add(errors, "name", "is required");
    form_errors_addf(errors, "name", "must be %d to %d characters long", 6, 30);
    form_errors_add(errors, NULL, "nothing to change");
    form_errors_add(errors, "Last_Name", "required field not found");
    assert_int_equal(form_errors_count(errors), 4);
    assert_string_equal(form_errors_first_for(errors, "name"), "is required");
    assert_string_equal(form_errors_first_for(errors, NULL), "nothing to change");
    assert_null(form_errors_first_for(errors, "email"));
    assert_null(form_errors_key_at(errors, 2));
    assert_string_equal(form_errors_message_at(errors, 1), "must be 6 to 30 characters long");
    char *report = form_errors_format(errors);
    assert_string_equal(report, "name: is required\n"
                                "name: must be 6 to 30 characters long\n"
                                "nothing to change\n"
                                "Last_Name: required field not found\n");
    g_free(report);
    form_errors_clear(errors);
    assert_int_equal(form_errors_count(errors), 0);
    form_errors_free(errors);
    form_errors_free(NULL);
}

/* ---- form_spec_check finds broken tables -------------------------------- */

static const char *const no_values[] = {NULL};
static const char *const ghost_key[] = {"ghost", NULL};
static const struct form_rule ghost_rule[] = {
    {.kind = FORM_RULE_AT_LEAST_ONE_OF, .keys = ghost_key, .message = "give a ghost"},
};

struct spec_check_case {
    struct field_spec fields[2];
    size_t count;
    const struct form_rule *rules;
    const char *problem;
};

#define PLAIN(k)                                                                                   \
    {                                                                                              \
        .key = k, .label = "L", .type = FIELD_TEXT, .help = "h"                                    \
    }

static const struct spec_check_case spec_check_cases[] = {
    {{PLAIN("a"), PLAIN("a")}, 2, NULL, "a: the key appears twice"},
    {{{.key = "a", .label = "L", .type = FIELD_ENUM, .help = "h"}}, 1, NULL, "allowed_values"},
    {{{.key = "a", .label = "L", .type = FIELD_ENUM, .allowed_values = no_values, .help = "h"}},
     1,
     NULL,
     "at least one allowed value"},
    {{{.key = "a", .label = "L", .type = FIELD_TEXT, .allowed_values = colours, .help = "h"}},
     1,
     NULL,
     "allowed_values"},
    {{{.key = "a", .label = "L", .type = FIELD_TEXT, .min_len = 9, .max_len = 3, .help = "h"}},
     1,
     NULL,
     "min_len is above max_len"},
    {{{.key = "a", .label = "L", .type = FIELD_INTEGER, .int_min = 5, .int_max = 1, .help = "h"}},
     1,
     NULL,
     "int_min is above int_max"},
    {{{.key = "a", .label = "L", .type = FIELD_TEXT, .int_max = 9, .help = "h"}},
     1,
     NULL,
     "belong to integer fields"},
    {{{.key = "a", .label = "L", .type = FIELD_TEXT, .pattern = "^a$", .help = "h"}},
     1,
     NULL,
     "pattern_message"},
    {{{.key = "a",
       .label = "L",
       .type = FIELD_ENUM,
       .allowed_values = colours,
       .default_value = "blue",
       .help = "h"}},
     1,
     NULL,
     "the default breaks the field's own rules: must be one of red, green"},
    {{{.key = "a", .type = FIELD_TEXT, .help = "h"}}, 1, NULL, "a: no label"},
    {{{.key = "a", .label = "L", .type = FIELD_TEXT}}, 1, NULL, "a: no help line"},
    {{{.label = "L", .type = FIELD_TEXT, .help = "h"}}, 1, NULL, "has no key"},
    {{PLAIN("a")}, 1, ghost_rule, "names ghost"},
    {{PLAIN("a")}, 1, NULL, NULL},
};

static void test_spec_check(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(spec_check_cases); i++) {
        const struct spec_check_case *c = &spec_check_cases[i];
        struct form_spec spec = {.id = "test.check",
                                 .title = "Check",
                                 .fields = c->fields,
                                 .count = c->count,
                                 .rules = c->rules,
                                 .rule_count = c->rules ? 1 : 0};
        char *problem = NULL;
        bool ok = form_spec_check(&spec, &problem);
        if (c->problem == NULL && !ok)
            fail_msg("spec case %zu should pass: %s", i, problem);
        if (c->problem != NULL && (ok || strstr(problem, c->problem) == NULL))
            fail_msg("spec case %zu should report \"%s\", got \"%s\"", i, c->problem,
                     ok ? "(nothing)" : problem);
        g_free(problem);
    }
    struct form_spec empty = {.id = "test.empty", .title = "Empty"};
    char *problem = NULL;
    assert_false(form_spec_check(&empty, &problem));
    g_free(problem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecgrid_fields),
        cmocka_unit_test(test_zoho_fields),
        cmocka_unit_test(test_valstorm_fields),
        cmocka_unit_test(test_every_vendor_field_has_cases),
        cmocka_unit_test(test_vendor_specs_are_well_formed),
        cmocka_unit_test(test_vendor_specs_match_the_documents),
        cmocka_unit_test(test_form_rules),
        cmocka_unit_test(test_integer_without_range),
        cmocka_unit_test(test_parse_integer),
        cmocka_unit_test(test_secret_values_are_not_echoed),
        cmocka_unit_test(test_password_type_is_secret),
        cmocka_unit_test(test_default_stands_in_for_missing),
        cmocka_unit_test(test_several_errors_on_one_field),
        cmocka_unit_test(test_every_bad_field_is_named),
        cmocka_unit_test(test_unknown_field),
        cmocka_unit_test(test_enum_is_exact),
        cmocka_unit_test(test_broken_pattern_is_reported),
        cmocka_unit_test(test_password_lookaheads),
        cmocka_unit_test(test_apply_defaults),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_validate_is_pure),
        cmocka_unit_test(test_values_container),
        cmocka_unit_test(test_zoho_contact_from_invite),
        cmocka_unit_test(test_errors_container),
        cmocka_unit_test(test_spec_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
