/*
 * Test support: starts the real portal-sim binary as a child process on a free
 * loopback port and stops it again. The binary is $PORTAL_SIM_BIN.
 */
#ifndef TESTS_SIM_PROCESS_H
#define TESTS_SIM_PROCESS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct sim_process {
    pid_t pid;
    char base_url[128];      /* "http://127.0.0.1:PORT", from the first stdout line */
    char dir[PATH_MAX];      /* a private temporary directory for this run */
    char log_path[PATH_MAX]; /* dir/requests.jsonl, passed as --log */
    int exit_status;         /* after sim_process_stop: the exit status, or -1 */
};

/* Starts portal-sim with --listen 127.0.0.1:0 --log <dir>/requests.jsonl plus the
 * extra arguments (NULL-terminated, may be NULL) and waits for its first line.
 * Returns 0, or -1 with a message on stderr. */
int sim_process_start(struct sim_process *sim, const char *const extra_args[]);

/* Sends SIGTERM, waits for the exit and removes the temporary directory
 * (unless keep_dir). Returns the exit status (0 on a clean stop). */
int sim_process_stop(struct sim_process *sim, bool keep_dir);

/* base_url + path, in a static buffer overwritten by the next call. */
const char *sim_process_url(const struct sim_process *sim, const char *path);

/* Number of lines in the request log (requests the simulator received). */
int sim_process_log_lines(const struct sim_process *sim);

#endif
