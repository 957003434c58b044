/*
 * The terminal: curses mode on and off, keys translated into keymap keys,
 * and the self-pipe that turns SIGINT, SIGTERM, SIGHUP and SIGWINCH into
 * something the event loop's poll() sees. Whatever way portalctl leaves —
 * q, Ctrl-C, SIGTERM, an error return — the terminal is restored: by
 * terminal_end() on the normal path and by an atexit() handler otherwise.
 */
#include "ui_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int signal_pipe[2] = {-1, -1};
static bool curses_active;
static struct sigaction ncurses_winch; /* ncurses's own SIGWINCH handler, chained */

static void on_signal(int signo)
{
    int saved = errno;
    if (signo == SIGWINCH && ncurses_winch.sa_handler != SIG_DFL &&
        ncurses_winch.sa_handler != SIG_IGN)
        ncurses_winch.sa_handler(signo); /* so getch() reports KEY_RESIZE */
    unsigned char byte = (unsigned char)signo;
    if (signal_pipe[1] >= 0 && write(signal_pipe[1], &byte, 1) < 0) {
        /* full pipe: a wake-up is already pending */
    }
    errno = saved;
}

static void install_handlers(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    sigaction(SIGWINCH, &action, &ncurses_winch);
}

/* Ctrl-S sends a form: the terminal must not take it as XOFF (flow control).
 * def_prog_mode() keeps that in curses' "program mode"; endwin() restores
 * the shell's own settings. */
static void allow_ctrl_s(void)
{
    struct termios mode;
    if (tcgetattr(STDIN_FILENO, &mode) == 0) {
        mode.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
        tcsetattr(STDIN_FILENO, TCSANOW, &mode);
    }
    def_prog_mode();
}

static void restore_at_exit(void)
{
    terminal_end();
}

bool terminal_start(char **error)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        *error = g_strdup("the console needs a terminal; for scripts use the commands "
                          "(portalctl --help)");
        return false;
    }
    if (pipe2(signal_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        *error = g_strdup_printf("cannot create a pipe: %s", g_strerror(errno));
        return false;
    }
    static bool registered;
    if (!registered && atexit(restore_at_exit) == 0)
        registered = true;
    set_escdelay(25); /* Esc is a key of its own here; 1 s would feel broken */
    if (!initscr()) {
        *error = g_strdup("cannot initialise the terminal (is TERM set?)");
        return false;
    }
    curses_active = true;
    cbreak(); /* Ctrl-C stays a signal: the self-pipe turns it into a clean quit */
    allow_ctrl_s();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    mouseinterval(0);
    theme_init();
    install_handlers(); /* after initscr, so ncurses's SIGWINCH handler is chained */
    return true;
}

void terminal_end(void)
{
    if (curses_active) {
        mousemask(0, NULL);
        curs_set(1);
        endwin();
        curses_active = false;
    }
    for (int i = 0; i < 2; i++) {
        if (signal_pipe[i] >= 0) {
            close(signal_pipe[i]);
            signal_pipe[i] = -1;
        }
    }
}

int terminal_signal_fd(void)
{
    return signal_pipe[0];
}

bool terminal_take_signals(void)
{
    bool quit = false;
    unsigned char bytes[64];
    ssize_t n;
    while ((n = read(signal_pipe[0], bytes, sizeof(bytes))) > 0) {
        for (ssize_t i = 0; i < n; i++)
            quit |= bytes[i] == SIGINT || bytes[i] == SIGTERM || bytes[i] == SIGHUP;
    }
    return quit;
}

void terminal_set_mouse(bool on)
{
    mousemask(on ? (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED) : 0,
              NULL);
}

struct curses_key {
    int code;
    ui_key key;
};

static const struct curses_key curses_keys[] = {
    {KEY_UP, UI_KEY_UP},
    {KEY_DOWN, UI_KEY_DOWN},
    {KEY_LEFT, UI_KEY_LEFT},
    {KEY_RIGHT, UI_KEY_RIGHT},
    {KEY_PPAGE, UI_KEY_PAGE_UP},
    {KEY_NPAGE, UI_KEY_PAGE_DOWN},
    {KEY_HOME, UI_KEY_HOME},
    {KEY_END, UI_KEY_END},
    {KEY_ENTER, UI_KEY_ENTER},
    {KEY_BTAB, UI_KEY_BACK_TAB},
    {KEY_BACKSPACE, UI_KEY_BACKSPACE},
    {KEY_DC, UI_KEY_DELETE},
    {KEY_IC, UI_KEY_INSERT},
};

static struct input function_key(int code)
{
    struct input input = {.kind = INPUT_KEY};
    if (code == KEY_RESIZE) {
        input.kind = INPUT_RESIZE;
        return input;
    }
    if (code == KEY_MOUSE) {
        input.kind = getmouse(&input.mouse) == OK ? INPUT_MOUSE : INPUT_NONE;
        return input;
    }
    if (code >= KEY_F(1) && code <= KEY_F(12)) {
        input.key = UI_KEY_F1 + (code - KEY_F(1));
        return input;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(curses_keys); i++) {
        if (curses_keys[i].code == code) {
            input.key = curses_keys[i].key;
            return input;
        }
    }
    input.kind = INPUT_NONE; /* a key we have no name for */
    return input;
}

struct input terminal_read(void)
{
    wint_t ch = 0;
    int rc = wget_wch(stdscr, &ch);
    if (rc == ERR)
        return (struct input){.kind = INPUT_NONE};
    if (rc == KEY_CODE_YES)
        return function_key((int)ch);
    struct input input = {.kind = INPUT_KEY, .key = (ui_key)ch};
    if (ch == '\r' || ch == '\n')
        input.key = UI_KEY_ENTER;
    else if (ch == 0x7f || ch == 0x08)
        input.key = UI_KEY_BACKSPACE;
    else
        input.is_text = ch >= 0x20;
    return input;
}
