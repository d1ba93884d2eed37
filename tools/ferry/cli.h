/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ferry command-line tool: shared state and helpers. */
#ifndef FERRY_CLI_H
#define FERRY_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <ferry/ferry.h>

/* Exit codes (documented in ferry(1) and `ferry --help`). */
enum {
    EX_OK_ = 0,
    EX_FAIL = 1,        /* some of the work failed */
    EX_USAGE_ = 2,      /* wrong arguments */
    EX_NODEVICE = 3,    /* no device, device gone */
    EX_DEVBUSY = 4,     /* device in use by another program, or it answered Busy */
    EX_NOTFOUND = 5,    /* no such file or folder */
    EX_FULL = 6,        /* storage or local disk full */
    EX_PERM = 7,        /* permission denied, read-only */
    EX_DEVERR = 8,      /* the device failed (I/O, protocol, stopped answering) */
    EX_SIGHUP = 129,    /* 128 + the signal: the terminal went away */
    EX_SIGINT = 130,
    EX_SIGTERM = 143,
};

typedef struct cli {
    const char *prog;
    const char *device_spec;
    int verbose;          /* -v count */
    bool quiet;
    bool json;
    bool progress;        /* draw progress bars (stderr is a terminal) */
    ferry_ctx *ctx;
    ferry_dev *dev;
    char *dev_name;       /* for messages */
    int sigpipe[2];
    volatile int signo;   /* first signal received */
    int nsignals;
    bool cancelling;
    bool cleaning;        /* undoing after an interrupt: do not cancel that */
    int worst;            /* exit code so far */
} cli;

extern cli g;

/* Messages: one line each, to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cli_err about a failed call that returned rc; says nothing when rc is
 * the cancel that the user's interrupt caused. */
void cli_err_rc(int rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A wrong argument: one line saying what, then the command's synopsis,
 * on stderr. cmd NULL: the global usage. Returns EX_USAGE_. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt_long (opterr = 0) returned '?': the same for that option. */
int cli_bad_option(const char *cmd, char **argv);
/* Why an operation failed, for "what path: why": the error's text, with
 * the library's detail (e.g. the device's response) in parentheses. The
 * string is valid until the next call. */
const char *cli_why(int err, ferry_op *op);
/* Why a remote path did not resolve: the error's text, or for
 * FERRY_EINVAL what a remote path must look like. */
const char *cli_path_why(int err);
/* The exit code for a ferry error, and remembering the worst one. */
int cli_exit_code(int err);
void cli_note_error(int err);

/* Opens the device chosen with -d (or the only one). Prints why not and
 * returns the exit code. */
int cli_open_device(void);
/* The same, once: 0 when the device is already open. Commands call it
 * after parsing their arguments, so --help and usage errors need no
 * device. */
int cli_need_device(void);
void cli_close(void);

/* Operation states the event loop fills. */
typedef struct cli_op {
    ferry_op *op;
    bool done;
    int result;
    uint64_t bytes, total;
    void (*on_item)(struct cli_op *c, const ferry_item *it);
    void *user;
    ferry_item first;      /* the first item (stat, resolve, mkdir) */
    bool have_first;
    struct cli_op *next;   /* in a list of pending operations */
} cli_op;

/* Callbacks to pass when starting an operation for cli_op c. */
ferry_op_cbs cli_cbs(cli_op *c);
/* Runs the event loop until c is done (or, with c NULL, once). A signal
 * cancels every operation in `all` (and c). Returns c's result. */
int cli_wait(cli_op *c);
/* Waits for any of the list to finish; returns it (removed from list). */
cli_op *cli_wait_any(cli_op **list);
/* Cancels the given operations (on a signal). */
void cli_cancel_all(cli_op *list);
void cli_op_release(cli_op *c);
bool cli_interrupted(void);
/* The exit code of an interrupted command: 128 + the signal. */
int cli_signal_exit(void);
/* Redraws the progress display now (event loop calls it). */
void cli_progress_tick(void);

/* Synchronous helpers built on the loop. */
int cli_resolve(const char *path, ferry_object *out);
int cli_stat(uint32_t id, ferry_object *out);
int cli_list(uint32_t storage, uint32_t folder, ferry_object **out, size_t *n);
void cli_objects_free(ferry_object *o, size_t n);
int cli_storages(ferry_storage **out, size_t *n);
/* Makes a remote folder and its missing parents (prints why not). */
int cli_mkdir_p(const char *path, ferry_object *out);
void cli_storages_free(ferry_storage *s, size_t n);

/* Paths */
/* "DCIM" -> "/DCIM": remote paths are absolute; a missing "/" is added. */
char *remote_abs(const char *p);
/* Joins a remote folder path and a name. */
char *rpath_join(const char *dir, const char *name);
const char *path_base(const char *p);
char *path_dirname(const char *p);
/* A device name that is safe as a local file name; NULL and *why set if
 * not (empty, ".", "..", '/', control characters, too long). */
bool local_name_ok(const char *name, const char **why);
/* Why the device refused a name (err FERRY_EBADNAME or FERRY_ENAMETOOLONG
 * from the library): "not valid UTF-8", "contains control characters",
 * "longer than 254 UTF-16 units", ... */
const char *device_name_why(const char *name, int err);
/* Prints a name with control and non-UTF-8 bytes escaped (\xNN). */
void put_escaped(FILE *f, const char *s);
char *escaped(const char *s);

/* Formatting */
void fmt_size(uint64_t n, char *buf, size_t len);
void fmt_time(int64_t t, char *buf, size_t len);
void json_str(FILE *f, const char *s);

/* Progress display */
void progress_begin_job(uint64_t files, uint64_t bytes);
void progress_job_add(uint64_t files, uint64_t bytes);
void progress_file(const char *name, uint64_t done, uint64_t total);
/* The file line follows the progress the operations report (the event
 * loop calls progress_report()); with progress_watch(c), only c's, until
 * progress_file(), progress_file_done() or progress_forget(c). */
void progress_watch(const cli_op *c);
void progress_report(const cli_op *c, uint64_t done, uint64_t total);
void progress_forget(const cli_op *c); /* c ends: stop watching it */
void progress_file_done(uint64_t bytes);
void progress_clear(void);
void progress_end(void);

/* Commands */
int cmd_devices(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_df(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_put(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_mkdir(int argc, char **argv);
int cmd_mv(int argc, char **argv);
int cmd_sync(int argc, char **argv);

typedef struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    /* true: main opens the device before calling fn; false: fn opens it
     * (cli_need_device()) after parsing its arguments, or needs none */
    bool needs_device;
    const char *synopsis;
    const char *help;     /* first line: what it does; then one line per option */
} cli_cmd;

extern const cli_cmd cli_commands[];
const cli_cmd *cli_find_cmd(const char *name);
void cli_cmd_usage(const cli_cmd *c, FILE *out);

#endif
