/*
 * Demo support: runs portal-sim as a child process for `portalctl --demo`.
 * The child's stdout is read only for its first line (the URL); the rest of
 * its output goes to /dev/null so it can never draw over the console.
 */
#include <portalctl/demo.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#define LISTENING_PREFIX "portal-sim listening on "

char *demo_find_simulator(void)
{
    char *self = g_file_read_link("/proc/self/exe", NULL);
    if (self) {
        char *dir = g_path_get_dirname(self);
        char *beside = g_build_filename(dir, "portal-sim", NULL);
        g_free(dir);
        g_free(self);
        if (g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE))
            return beside;
        g_free(beside);
    }
    return g_find_program_in_path("portal-sim");
}

static void exec_simulator(const char *path, const char *const extra_args[], int out_fd)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)path);
    g_ptr_array_add(argv, "--listen");
    g_ptr_array_add(argv, "127.0.0.1:0");
    for (size_t i = 0; extra_args && extra_args[i]; i++)
        g_ptr_array_add(argv, (char *)extra_args[i]);
    g_ptr_array_add(argv, NULL);
    dup2(out_fd, STDOUT_FILENO);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDERR_FILENO);
    }
    execv(path, (char **)argv->pdata);
    _exit(127);
}

/* Reads one line byte by byte, so nothing after it is consumed. */
static bool read_first_line(int fd, char *line, size_t size)
{
    size_t used = 0;
    while (used + 1 < size) {
        ssize_t n = read(fd, line + used, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        if (line[used] == '\n')
            break;
        used++;
    }
    line[used] = '\0';
    return true;
}

bool demo_simulator_start(struct demo_simulator *sim, const char *const extra_args[], char **error)
{
    memset(sim, 0, sizeof(*sim));
    char *path = demo_find_simulator();
    if (!path) {
        *error = g_strdup("portal-sim not found beside portalctl or on PATH");
        return false;
    }
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        *error = g_strdup_printf("pipe: %s", g_strerror(errno));
        g_free(path);
        return false;
    }
    sim->pid = fork();
    if (sim->pid == 0)
        exec_simulator(path, extra_args, pipe_fds[1]);
    close(pipe_fds[1]);
    char line[256];
    bool ok = sim->pid > 0 && read_first_line(pipe_fds[0], line, sizeof(line)) &&
              g_str_has_prefix(line, LISTENING_PREFIX);
    /* portal-sim writes nothing after that line, and ignores SIGPIPE anyway. */
    close(pipe_fds[0]);
    if (ok) {
        g_strlcpy(sim->base_url, line + strlen(LISTENING_PREFIX), sizeof(sim->base_url));
    } else {
        *error = g_strdup_printf("%s did not start", path);
        if (sim->pid > 0)
            demo_simulator_stop(sim);
    }
    g_free(path);
    return ok;
}

int demo_simulator_stop(struct demo_simulator *sim)
{
    if (sim->pid <= 0)
        return -1;
    kill(sim->pid, SIGTERM);
    int status = 0;
    while (waitpid(sim->pid, &status, 0) < 0 && errno == EINTR)
        ;
    sim->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
