/*
 * Test support: the real portal-sim as a child process (see sim_process.h).
 */
#include "sim_process.h"
#include "temp_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#define LISTENING_PREFIX "portal-sim listening on "

static void exec_sim(const char *bin, const char *log_path, const char *const extra_args[],
                     int out_fd)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)bin);
    g_ptr_array_add(argv, "--listen");
    g_ptr_array_add(argv, "127.0.0.1:0");
    g_ptr_array_add(argv, "--log");
    g_ptr_array_add(argv, (char *)log_path);
    for (size_t i = 0; extra_args && extra_args[i]; i++)
        g_ptr_array_add(argv, (char *)extra_args[i]);
    g_ptr_array_add(argv, NULL);
    dup2(out_fd, STDOUT_FILENO);
    execv(bin, (char **)argv->pdata);
    fprintf(stderr, "sim_process: exec %s: %s\n", bin, strerror(errno));
    _exit(127);
}

static int read_line(FILE *in, char *line, size_t size)
{
    if (!fgets(line, (int)size, in))
        return -1;
    line[strcspn(line, "\n")] = '\0';
    return 0;
}

int sim_process_start(struct sim_process *sim, const char *const extra_args[])
{
    memset(sim, 0, sizeof(*sim));
    sim->exit_status = -1;
    const char *bin = getenv("PORTAL_SIM_BIN");
    if (!bin) {
        fprintf(stderr, "sim_process: PORTAL_SIM_BIN is not set\n");
        return -1;
    }
    char *dir = g_dir_make_tmp("portal-sim-test.XXXXXX", NULL);
    if (!dir)
        return -1;
    g_strlcpy(sim->dir, dir, sizeof(sim->dir));
    g_free(dir);
    char *log_path = g_build_filename(sim->dir, "requests.jsonl", NULL);
    g_strlcpy(sim->log_path, log_path, sizeof(sim->log_path));
    g_free(log_path);

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    sim->pid = fork();
    if (sim->pid == 0)
        exec_sim(bin, sim->log_path, extra_args, fds[1]);
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    char line[256] = "";
    int rc = in ? read_line(in, line, sizeof(line)) : -1;
    if (in)
        fclose(in);
    if (rc != 0 || !g_str_has_prefix(line, LISTENING_PREFIX)) {
        fprintf(stderr, "sim_process: portal-sim did not start (first line: '%s')\n", line);
        sim_process_stop(sim, false);
        return -1;
    }
    g_strlcpy(sim->base_url, line + strlen(LISTENING_PREFIX), sizeof(sim->base_url));
    return 0;
}

int sim_process_stop(struct sim_process *sim, bool keep_dir)
{
    if (sim->pid > 0) {
        kill(sim->pid, SIGTERM);
        int status = 0;
        while (waitpid(sim->pid, &status, 0) < 0 && errno == EINTR)
            ;
        sim->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        sim->pid = 0;
    }
    if (!keep_dir && sim->dir[0])
        temp_dir_remove(sim->dir);
    return sim->exit_status;
}

const char *sim_process_url(const struct sim_process *sim, const char *path)
{
    static char url[1024];
    snprintf(url, sizeof(url), "%s%s", sim->base_url, path);
    return url;
}

int sim_process_log_lines(const struct sim_process *sim)
{
    char *text = NULL;
    if (!g_file_get_contents(sim->log_path, &text, NULL, NULL))
        return 0;
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    g_free(text);
    return lines;
}
