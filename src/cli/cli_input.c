/*
 * Command line: reading secrets and confirmations from the person at the
 * terminal. Secrets are read with echo off and wiped after use; they never
 * come from argv or the environment.
 */
#include "cli_internal.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define MAX_SECRET_LEN 8192

/* Reads one line from fd, without the line end; NULL on EOF with nothing read. */
static char *read_line_fd(int fd)
{
    char *buf = g_malloc0(MAX_SECRET_LEN + 1);
    size_t used = 0;
    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n <= 0 || c == '\n')
            break;
        if (used < MAX_SECRET_LEN)
            buf[used++] = c;
    }
    if (used > 0 && buf[used - 1] == '\r')
        buf[--used] = '\0';
    if (used == 0) {
        secret_value_free(buf);
        return NULL;
    }
    return buf;
}

char *cli_read_secret(const char *prompt)
{
    if (!isatty(STDIN_FILENO))
        return read_line_fd(STDIN_FILENO);
    struct termios saved, silent;
    if (tcgetattr(STDIN_FILENO, &saved) != 0)
        return read_line_fd(STDIN_FILENO);
    fprintf(stderr, "%s: ", prompt);
    fflush(stderr);
    silent = saved;
    silent.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    char *value = read_line_fd(STDIN_FILENO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    fputc('\n', stderr);
    return value;
}

char *cli_read_line(const char *prompt)
{
    if (isatty(STDIN_FILENO)) {
        fprintf(stderr, "%s: ", prompt);
        fflush(stderr);
    }
    return read_line_fd(STDIN_FILENO);
}

bool cli_confirm(const char *question)
{
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "portalctl: %s — refusing without a terminal to ask; add --yes\n",
                question);
        return false;
    }
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    char answer[16] = "";
    if (!fgets(answer, sizeof(answer), stdin))
        return false;
    return answer[0] == 'y' || answer[0] == 'Y';
}
