/*
 * net: when to send a request again, and after how long. Pure arithmetic over
 * one finished attempt; the engine turns the answer into a timer. Never sends
 * a non-idempotent request twice and never sleeps.
 */
#include "net_internal.h"

#include <string.h>

/* ECGrid retries 429, 500 and 503; 502 and 504 are the same "try again" from a
 * gateway in front of any of the vendors. 4xx other than 429 never change by
 * repeating (ECGrid: never retry 400, 401, 403 or 404). */
static const long RETRYABLE_STATUSES[] = {429, 500, 502, 503, 504};

/* Failures where the next attempt may well succeed. TLS, refusals, too-large
 * bodies and malformed answers would fail the same way again. */
static const enum net_error RETRYABLE_ERRORS[] = {
    NET_ERR_TIMEOUT,
    NET_ERR_CONNECT,
    NET_ERR_RECV,
    NET_ERR_TRUNCATED,
};

/* A longer Retry-After is nonsense or hostile; cap before multiplying. */
#define RETRY_AFTER_MAX_SECONDS (365L * 24 * 3600)

static bool status_retryable(long status)
{
    for (size_t i = 0; i < G_N_ELEMENTS(RETRYABLE_STATUSES); i++) {
        if (RETRYABLE_STATUSES[i] == status)
            return true;
    }
    return false;
}

static bool error_retryable(enum net_error error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(RETRYABLE_ERRORS); i++) {
        if (RETRYABLE_ERRORS[i] == error)
            return true;
    }
    return false;
}

static bool parse_delta_seconds(const char *text, size_t len, long *seconds)
{
    long value = 0;
    for (size_t i = 0; i < len; i++) {
        if (!g_ascii_isdigit(text[i]))
            return false;
        value = value * 10 + (text[i] - '0');
        if (value > RETRY_AFTER_MAX_SECONDS)
            value = RETRY_AFTER_MAX_SECONDS; /* stays bounded however many digits */
    }
    *seconds = value;
    return len > 0;
}

bool net_parse_retry_after(const char *value, time_t now, long *delay_ms)
{
    if (value == NULL)
        return false;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t len = strlen(value);
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    long seconds;
    if (len > 0 && g_ascii_isdigit(value[0])) {
        if (!parse_delta_seconds(value, len, &seconds))
            return false;
    } else if (len > 0 && g_ascii_isalpha(value[0])) {
        /* Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name. */
        char *date = g_strndup(value, len);
        time_t when = curl_getdate(date, NULL);
        g_free(date);
        if (when == -1)
            return false;
        seconds = when <= now ? 0 : (long)MIN((time_t)RETRY_AFTER_MAX_SECONDS, when - now);
    } else {
        return false;
    }
    *delay_ms = seconds * 1000;
    return true;
}

long net_backoff_ceiling_ms(const struct net_retry_policy *policy, unsigned retry_index)
{
    long ceiling = policy->base_delay_ms;
    for (unsigned i = 0; i < retry_index && ceiling < (long)policy->max_delay_ms; i++)
        ceiling *= 2;
    return MIN(ceiling, (long)policy->max_delay_ms);
}

static bool server_asked_delay(const struct transfer *t, long *delay_ms)
{
    const char *header = t->captured[CAPTURED_RETRY_AFTER];
    return header != NULL && net_parse_retry_after(header, time(NULL), delay_ms);
}

long net_retry_delay_ms(const struct transfer *t, const struct attempt_outcome *outcome, GRand *rng,
                        const char **note)
{
    *note = NULL;
    bool retryable = outcome->error == NET_ERR_NONE ? status_retryable(outcome->status)
                                                    : error_retryable(outcome->error);
    if (!retryable)
        return -1;
    if (t->streamed > 0) {
        *note = "not sent again: part of the answer was already handed over";
        return -1;
    }
    if (!t->idempotent) {
        *note = "not sent again: the request is not idempotent";
        return -1;
    }
    if (t->attempts > t->retry.max_retries) {
        if (t->attempts > 1)
            *note = "gave up after the last retry";
        return -1;
    }
    long asked;
    if (outcome->error == NET_ERR_NONE && server_asked_delay(t, &asked)) {
        if (asked > (long)t->retry.max_retry_after_ms) {
            *note = "the server asks to wait longer than this request may; try again later";
            return -1;
        }
        return asked;
    }
    long ceiling = net_backoff_ceiling_ms(&t->retry, t->attempts - 1);
    return g_rand_int_range(rng, 0, (gint32)MIN(ceiling, (long)G_MAXINT32 - 1) + 1);
}
