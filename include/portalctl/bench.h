/*
 * The console benchmark (portalctl --bench SCRIPT): runs the real console
 * code on a virtual terminal (ncurses on /dev/null, TERM=xterm-256color),
 * replays a script of keys and prints the processing time of every frame
 * (p50, p99, max) per step. Owns the script language and the report format;
 * never changes what the console does.
 *
 * Script, one command a line (# starts a comment):
 *   size ROWS COLS   the virtual terminal's size (before start; default 50 200)
 *   start            sets the console up and paints the first frame
 *   open NAME        opens the connection NAME (keyring look-up, then its portals)
 *   wait             runs the loop until no job is in flight, timing each turn
 *                    from the data's arrival to the frame that shows it
 *   select ID        puts the cursor of the focused list on the row of that id
 *   key KEY [N]      presses KEY (keys.conf syntax: j, <PgDn>, <Enter>) N times
 *   type TEXT        types TEXT one character at a time (e.g. in the filter)
 * Report: one line per measured step,
 *   bench STEP n=N p50_ms=… p99_ms=… max_ms=… rows=R
 */
#ifndef PORTALCTL_BENCH_H
#define PORTALCTL_BENCH_H

#include <portalctl/console.h>

/* Runs the script; the report goes to stdout. Returns 0, or 2 on a bad
 * script or a console that could not start (said on stderr). */
int bench_run(const struct console_options *options, const char *script_path);

#endif
