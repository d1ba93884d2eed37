/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ferry: copy files to and from MTP/PTP devices.
 *
 *   ferry [-d DEVICE] [-q|-v] [--json] COMMAND [ARGS...]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

cli g;

const cli_cmd cli_commands[] = {
    {"devices", cmd_devices, false, "devices [--json]", "List the MTP/PTP devices that are connected."},
    {"info", cmd_info, true, "info [--json]", "Show the device's identity, battery and abilities."},
    {"df", cmd_df, true, "df [--json]", "Show the storages with their capacity and free space."},
    {"ls", cmd_ls, true, "ls [-l] [-R] [--json] [PATH...]",
     "List folders (default: the top). -l: type, size and time; -R: recursively; --json: a JSON array."},
    {"tree", cmd_tree, true, "tree [PATH]", "Show a folder's tree."},
    {"stat", cmd_stat, true, "stat [--json] PATH...", "Show what the device knows of objects."},
    {"get", cmd_get, true, "get [-r] [-p] [-n] [--continue] REMOTE... LOCAL",
     "Copy from the device. -r: folders with their contents; -p: keep modification times; -n: do not replace "
     "existing local files; --continue: resume interrupted downloads."},
    {"put", cmd_put, true, "put [-r] [-p] [-n] [--continue] LOCAL... REMOTE",
     "Copy to the device. -r: folders with their contents; -p: keep modification times; -n: do not replace "
     "existing objects; --continue: resume interrupted uploads where the device allows it."},
    {"rm", cmd_rm, true, "rm [-r] PATH...", "Delete objects; -r for folders with their contents."},
    {"mkdir", cmd_mkdir, true, "mkdir [-p] PATH...", "Make folders; -p: make missing parents, no error if it exists."},
    {"mv", cmd_mv, true, "mv SOURCE DEST", "Rename or move an object on the device."},
#ifdef ENABLE_SYNC
    {"sync", cmd_sync, false, "sync [--pull REMOTE LOCAL | --push LOCAL REMOTE | --both REMOTE LOCAL] [-n]",
     "Synchronise folder pairs: those configured for the device, or one given here (see ferry(1), docs/SYNC.md)."},
#endif
    {NULL, NULL, false, NULL, NULL},
};

const cli_cmd *cli_find_cmd(const char *name)
{
    for (const cli_cmd *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

void cli_cmd_usage(const cli_cmd *c, FILE *out)
{
    fprintf(out, "Usage: %s [GLOBAL OPTIONS] %s\n%s\n", g.prog, c->synopsis, c->help);
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [GLOBAL OPTIONS] COMMAND [ARGS...]\n"
            "Copy files to and from phones, cameras and players (MTP/PTP over USB).\n"
            "\n"
            "Remote paths are absolute and start with the storage's name:\n"
            "  \"/Internal storage/DCIM/a.jpg\"; with one storage it may be left out: \"/DCIM/a.jpg\".\n"
            "\n"
            "Commands:\n",
            g.prog);
    for (const cli_cmd *c = cli_commands; c->name; c++)
        fprintf(out, "  %-50s\n", c->synopsis);
    fprintf(out, "\n"
                 "Global options:\n"
                 "  -d, --device DEVICE   serial number, product name or BUS:ADDRESS (also FERRY_DEVICE);\n"
                 "                        not needed with one device\n"
                 "  -q, --quiet           errors only, no progress\n"
                 "  -v, --verbose         say what is done; twice: library log; three times: debug\n"
                 "      --json            machine-readable output (devices, info, df, ls, stat)\n"
                 "      --progress        draw progress even when stderr is not a terminal\n"
                 "  -h, --help            this help; `%s help COMMAND` for a command\n"
                 "  -V, --version         the version\n"
                 "\n"
                 "Exit status: 0 ok, 1 some of the work failed, 2 wrong arguments, 3 no device or\n"
                 "device gone, 4 device in use by another program, 5 no such file or folder,\n"
                 "6 storage or disk full, 7 permission denied, 8 the device failed, 130/143 interrupted\n"
                 "by SIGINT/SIGTERM (nothing half-copied is left). See ferry(1).\n",
            g.prog);
}

/* ------------------------------------------------------------------ */

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
    progress_clear();
    fprintf(stderr, "%s: ", g.prog);
    if (kind)
        fprintf(stderr, "%s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(NULL, fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    if (g.quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning", fmt, ap);
    va_end(ap);
}

void cli_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(NULL, fmt, ap);
    va_end(ap);
}

int cli_exit_code(int err)
{
    switch (err) {
    case 0: return EX_OK_;
    case FERRY_ENODEV: return EX_NODEVICE;
    case FERRY_EDEVICE_BUSY: return EX_DEVBUSY;
    case FERRY_ENOENT:
    case FERRY_ENOTDIR: return EX_NOTFOUND;
    case FERRY_ESTORAGE_FULL:
    case FERRY_ENOSPC: return EX_FULL;
    case FERRY_EACCESS:
    case FERRY_EREADONLY: return EX_PERM;
    case FERRY_EIO:
    case FERRY_EPROTO:
    case FERRY_EWEDGED:
    case FERRY_ETIMEDOUT:
    case FERRY_EDEVICE: return EX_DEVERR;
    case FERRY_ECANCELLED: return g.signo == SIGTERM ? EX_SIGTERM : EX_SIGINT;
    default: return EX_FAIL;
    }
}

void cli_note_error(int err)
{
    int code = cli_exit_code(err);
    if (code == EX_OK_)
        return;
    /* the most specific code wins over "some work failed" */
    if (g.worst == EX_OK_ || g.worst == EX_FAIL)
        g.worst = code;
}

static void log_cb(ferry_log_level level, const char *msg, void *user)
{
    (void)user;
    progress_clear();
    fprintf(stderr, "%s: [%s] %s\n", g.prog, ferry_log_level_name(level), msg);
}

static void on_signal(int sig)
{
    if (!g.signo)
        g.signo = sig;
    char c = (char)sig;
    ssize_t w = write(g.sigpipe[1], &c, 1);
    (void)w;
}

static char *dev_label(const ferry_device_desc *d)
{
    char *s = NULL;
    if (asprintf(&s, "%s%s%s (%s)", d->manufacturer ? d->manufacturer : "", d->manufacturer ? " " : "",
                 d->product ? d->product : "device", d->serial ? d->serial : "no serial") < 0)
        return NULL;
    return s;
}

int cli_open_device(void)
{
    ferry_device_desc *d = NULL;
    int rc = ferry_device_find(g.ctx, g.device_spec, &d);
    if (rc == FERRY_ENODEV) {
        if (g.device_spec && *g.device_spec)
            cli_err("no device matches \"%s\" (see `%s devices`)", g.device_spec, g.prog);
        else
            cli_err("no MTP/PTP device is connected");
        return EX_NODEVICE;
    }
    if (rc == FERRY_EBUSY) {
        cli_err("several devices are connected; choose one with -d SERIAL, -d NAME or -d BUS:ADDRESS:");
        ferry_device_desc *list;
        size_t n;
        if (ferry_devices(g.ctx, &list, &n) == 0) {
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, "  %u:%u  %s  %s\n", list[i].bus, list[i].address,
                        list[i].serial ? list[i].serial : "-", list[i].product ? list[i].product : "-");
            ferry_devices_free(list, n);
        }
        return EX_USAGE_;
    }
    if (rc < 0) {
        cli_err("cannot list devices: %s", ferry_strerror(rc));
        return cli_exit_code(rc);
    }
    g.dev_name = dev_label(d);
    rc = ferry_dev_open(g.ctx, d, &g.dev);
    ferry_devices_free(d, 1);
    if (rc < 0) {
        cli_err("cannot open the device: %s", ferry_strerror(rc));
        return cli_exit_code(rc);
    }
    /* connect now, so a busy or broken device is one clear message */
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    rc = ferry_dev_info(g.dev, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    cli_op_release(&c);
    if (rc == FERRY_EDEVICE_BUSY) {
        cli_err("%s is in use by another program (close it and try again)", g.dev_name);
        return EX_DEVBUSY;
    }
    if (rc == FERRY_EACCESS) {
        cli_err("%s: permission denied (is the udev rule installed? see ferry(1))", g.dev_name);
        return EX_PERM;
    }
    if (rc < 0) {
        cli_err("%s: %s", g.dev_name, ferry_strerror(rc));
        return cli_exit_code(rc);
    }
    return 0;
}

void cli_close(void)
{
    if (g.dev)
        ferry_dev_close(g.dev);
    g.dev = NULL;
    if (g.ctx)
        ferry_ctx_free(g.ctx);
    g.ctx = NULL;
    free(g.dev_name);
}

/* ------------------------------------------------------------------ */
/* Synchronous helpers                                                   */

static int one_object(int rc, cli_op *c, ferry_object *out)
{
    memset(out, 0, sizeof(*out));
    if (rc == 0)
        rc = cli_wait(c);
    if (rc == 0 && c->have_first && c->first.kind == FERRY_ITEM_OBJECT) {
        *out = c->first.u.object;
        c->have_first = false;
        memset(&c->first, 0, sizeof(c->first));
    } else if (rc == 0) {
        rc = FERRY_EPROTO;
    }
    cli_op_release(c);
    return rc;
}

int cli_resolve(const char *path, ferry_object *out)
{
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    return one_object(ferry_resolve(g.dev, path, &cbs, &c.op), &c, out);
}

int cli_stat(uint32_t id, ferry_object *out)
{
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    return one_object(ferry_stat(g.dev, id, &cbs, &c.op), &c, out);
}

typedef struct collect {
    ferry_object *objs;
    ferry_storage *sts;
    size_t n, cap;
} collect;

static void collect_item(cli_op *c, const ferry_item *it)
{
    collect *col = c->user;
    if (col->n == col->cap) {
        size_t nc = col->cap ? col->cap * 2 : 64;
        if (it->kind == FERRY_ITEM_OBJECT) {
            ferry_object *n = realloc(col->objs, nc * sizeof(*n));
            if (!n)
                return;
            col->objs = n;
        } else {
            ferry_storage *n = realloc(col->sts, nc * sizeof(*n));
            if (!n)
                return;
            col->sts = n;
        }
        col->cap = nc;
    }
    ferry_item copy;
    if (ferry_item_copy(&copy, it) < 0)
        return;
    if (it->kind == FERRY_ITEM_OBJECT)
        col->objs[col->n++] = copy.u.object;
    else if (it->kind == FERRY_ITEM_STORAGE)
        col->sts[col->n++] = copy.u.storage;
    else
        ferry_item_clear(&copy);
}

void cli_objects_free(ferry_object *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(o[i].name);
    free(o);
}

void cli_storages_free(ferry_storage *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].description);
        free(s[i].volume);
    }
    free(s);
}

int cli_list(uint32_t storage, uint32_t folder, ferry_object **out, size_t *n)
{
    collect col = {0};
    cli_op c = {.on_item = collect_item, .user = &col};
    ferry_op_cbs cbs = cli_cbs(&c);
    int rc = ferry_list(g.dev, storage, folder, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    cli_op_release(&c);
    if (rc < 0) {
        cli_objects_free(col.objs, col.n);
        return rc;
    }
    *out = col.objs;
    *n = col.n;
    return 0;
}

int cli_storages(ferry_storage **out, size_t *n)
{
    collect col = {0};
    cli_op c = {.on_item = collect_item, .user = &col};
    ferry_op_cbs cbs = cli_cbs(&c);
    int rc = ferry_storages(g.dev, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    cli_op_release(&c);
    if (rc < 0) {
        cli_storages_free(col.sts, col.n);
        return rc;
    }
    *out = col.sts;
    *n = col.n;
    return 0;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"device", required_argument, NULL, 'd'}, {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},      {"json", no_argument, NULL, 'J'},
        {"progress", no_argument, NULL, 'P'},     {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    g.prog = "ferry";
    g.device_spec = getenv("FERRY_DEVICE");
    bool force_progress = false;
    int o;
    /* global options come before the command */
    while ((o = getopt_long(argc, argv, "+d:qvhV", opts, NULL)) != -1) {
        switch (o) {
        case 'd': g.device_spec = optarg; break;
        case 'q': g.quiet = true; break;
        case 'v': g.verbose++; break;
        case 'J': g.json = true; break;
        case 'P': force_progress = true; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("ferry %s\n", PACKAGE_VERSION); return 0;
        default: usage(stderr); return EX_USAGE_;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EX_USAGE_;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        const cli_cmd *c = optind + 1 < argc ? cli_find_cmd(argv[optind + 1]) : NULL;
        if (optind + 1 < argc && !c) {
            cli_err("no command \"%s\"", argv[optind + 1]);
            return EX_USAGE_;
        }
        if (c)
            cli_cmd_usage(c, stdout);
        else
            usage(stdout);
        return 0;
    }
    const cli_cmd *cmd = cli_find_cmd(name);
    if (!cmd) {
        cli_err("no command \"%s\" (see `%s --help`)", name, g.prog);
        return EX_USAGE_;
    }
    g.progress = !g.quiet && (force_progress || isatty(STDERR_FILENO));

    if (pipe2(g.sigpipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        cli_err("pipe: %s", strerror(errno));
        return EX_FAIL;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    ferry_ctx_opts co = {.size = sizeof(co), .delivery = FERRY_DELIVER_DISPATCH};
    if (g.verbose >= 2) {
        co.log = log_cb;
        co.log_level = g.verbose >= 4 ? FERRY_LOG_TRACE : g.verbose == 3 ? FERRY_LOG_DEBUG : FERRY_LOG_INFO;
    }
    int rc = ferry_ctx_new(&g.ctx, &co);
    if (rc < 0) {
        cli_err("cannot start: %s", ferry_strerror(rc));
        return cli_exit_code(rc);
    }
    if (cmd->needs_device) {
        rc = cli_open_device();
        if (rc) {
            cli_close();
            return rc;
        }
    }
    int argc2 = argc - optind;
    char **argv2 = argv + optind;
    optind = 0; /* reset getopt for the command */
    rc = cmd->fn(argc2, argv2);
    progress_end();
    cli_close();
    if (g.signo)
        return g.signo == SIGTERM ? EX_SIGTERM : EX_SIGINT;
    return rc;
}
