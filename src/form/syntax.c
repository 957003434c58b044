/*
 * form syntax: the built-in checks of the field types that are not plain
 * text: integers, e-mail addresses and host names. The rules and why they
 * were chosen are listed in include/portalctl/form.h.
 *
 * Input is trimmed, valid UTF-8 without control characters (validate.c sees
 * to that first). Never: echo the value in a reason, or allocate.
 */
#include "form_rules.h"

#include <portalctl/form.h>

#include <string.h>

#include <glib.h>

enum {
    EMAIL_MAX_CHARS = 254, /* RFC 5321 path limit, minus the angle brackets */
    EMAIL_LOCAL_MAX_CHARS = 64,
    HOSTNAME_MAX_CHARS = 253,
    DNS_LABEL_MAX_CHARS = 63,
};

bool form_parse_integer(const char *text, int64_t *out)
{
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (digits[0] == '\0')
        return false;
    for (const char *c = digits; *c != '\0'; c++) {
        if (!g_ascii_isdigit(*c))
            return false;
    }
    /* Digits only, so the one way to fail now is overflow. */
    gint64 number = 0;
    if (!g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &number, NULL))
        return false;
    *out = number;
    return true;
}

/* ---- e-mail ------------------------------------------------------------- */

static const char *email_local_problem(const char *local, size_t length)
{
    if (length == 0)
        return "there is nothing before the @";
    if (g_utf8_strlen(local, (gssize)length) > EMAIL_LOCAL_MAX_CHARS)
        return "the part before the @ is longer than 64 characters";
    for (size_t i = 0; i < length; i++) {
        if (strchr("()<>[],;:\\\"", local[i]) != NULL)
            return "the part before the @ may not contain ( ) < > [ ] , ; : \\ or \"";
    }
    if (local[0] == '.' || local[length - 1] == '.' || g_strstr_len(local, (gssize)length, ".."))
        return "the part before the @ may not start or end with a dot or have two dots in a row";
    return NULL;
}

static bool is_label_char(char c, bool allow_non_ascii)
{
    return g_ascii_isalnum(c) || c == '-' || (allow_non_ascii && (unsigned char)c >= 0x80);
}

/* A DNS name of at least two labels; the caller words the reasons. */
enum dns_problem {
    DNS_OK,
    DNS_EMPTY_LABEL,
    DNS_BAD_CHAR,
    DNS_LONG_LABEL,
    DNS_HYPHEN_EDGE,
    DNS_ONE_LABEL,
    DNS_NUMERIC_END,
};

static enum dns_problem dns_label_problem(const char *label, size_t length, bool allow_non_ascii)
{
    if (length == 0)
        return DNS_EMPTY_LABEL;
    for (size_t i = 0; i < length; i++) {
        if (!is_label_char(label[i], allow_non_ascii))
            return DNS_BAD_CHAR;
    }
    if (g_utf8_strlen(label, (gssize)length) > DNS_LABEL_MAX_CHARS)
        return DNS_LONG_LABEL;
    if (label[0] == '-' || label[length - 1] == '-')
        return DNS_HYPHEN_EDGE;
    return DNS_OK;
}

static bool all_digits(const char *text)
{
    for (; *text != '\0'; text++) {
        if (!g_ascii_isdigit(*text))
            return false;
    }
    return true;
}

static enum dns_problem dns_name_problem(const char *name, bool allow_non_ascii)
{
    const char *last_label = name;
    for (const char *label = name;; label++) {
        const char *end = strchr(label, '.');
        size_t length = end ? (size_t)(end - label) : strlen(label);
        enum dns_problem problem = dns_label_problem(label, length, allow_non_ascii);
        if (problem != DNS_OK)
            return problem;
        last_label = label;
        if (end == NULL)
            break;
        label = end;
    }
    if (last_label == name)
        return DNS_ONE_LABEL;
    return all_digits(last_label) ? DNS_NUMERIC_END : DNS_OK;
}

static const char *email_domain_problem(const char *domain)
{
    static const char *const reasons[] = {
        [DNS_EMPTY_LABEL] = "the domain after the @ has an empty part between dots",
        [DNS_BAD_CHAR] = "the domain after the @ may contain only letters, digits, hyphens "
                         "and dots",
        [DNS_LONG_LABEL] = "a part of the domain after the @ is longer than 63 characters",
        [DNS_HYPHEN_EDGE] = "a part of the domain after the @ starts or ends with a hyphen",
        [DNS_ONE_LABEL] = "the part after the @ must be a domain with a dot, such as example.com",
        [DNS_NUMERIC_END] = "the domain after the @ must end in a name such as .com, not a "
                            "number",
    };
    if (domain[0] == '\0')
        return "there is nothing after the @";
    enum dns_problem problem = dns_name_problem(domain, true);
    return problem == DNS_OK ? NULL : reasons[problem];
}

const char *form_email_problem(const char *text)
{
    if (g_utf8_strlen(text, -1) > EMAIL_MAX_CHARS)
        return "it is longer than 254 characters";
    if (strchr(text, ' ') != NULL)
        return "it contains a space";
    const char *at = strchr(text, '@');
    if (at == NULL)
        return "the @ is missing";
    if (strchr(at + 1, '@') != NULL)
        return "it has more than one @";
    const char *problem = email_local_problem(text, (size_t)(at - text));
    return problem ? problem : email_domain_problem(at + 1);
}

/* ---- host names --------------------------------------------------------- */

/* Things people paste from a browser's address bar, each with its own hint. */
static const char *hostname_paste_problem(const char *text)
{
    if (strstr(text, "://") != NULL)
        return "leave out the http:// or https:// in front";
    if (strchr(text, '/') != NULL)
        return "leave out the path: only the host name, such as help.example.com";
    if (strchr(text, ':') != NULL)
        return "leave out the port number";
    if (strchr(text, ' ') != NULL)
        return "it contains a space";
    if (text[0] != '\0' && text[strlen(text) - 1] == '.')
        return "leave out the dot at the end";
    return NULL;
}

const char *form_hostname_problem(const char *text)
{
    static const char *const reasons[] = {
        [DNS_EMPTY_LABEL] = "it has an empty part between dots",
        [DNS_BAD_CHAR] = "it may contain only letters a-z, digits, hyphens and dots (enter an "
                         "international name in its xn-- form)",
        [DNS_LONG_LABEL] = "each part between dots may be at most 63 characters",
        [DNS_HYPHEN_EDGE] = "a part between dots must not start or end with a hyphen",
        [DNS_ONE_LABEL] = "it needs at least two parts, such as example.com",
        [DNS_NUMERIC_END] = "enter a host name, not an IP address",
    };
    const char *problem = hostname_paste_problem(text);
    if (problem != NULL)
        return problem;
    if (g_utf8_strlen(text, -1) > HOSTNAME_MAX_CHARS)
        return "it is longer than 253 characters";
    enum dns_problem dns = dns_name_problem(text, false);
    return dns == DNS_OK ? NULL : reasons[dns];
}
