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
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

cli g;

/* Commands that parse their arguments first open the device themselves with
 * cli_need_device(), so that --help and wrong arguments need no device. */
const cli_cmd cli_commands[] = {
    {"devices", cmd_devices, false, "devices [--json]",
     "List the connected MTP/PTP devices.\n"
     "One line each: bus:address, USB ids, serial number, name.\n"
     "      --json          a JSON array"},
    {"info", cmd_info, false, "info [--json]",
     "Show the device's identity, battery, abilities.\n"
     "      --json          a JSON object"},
    {"df", cmd_df, false, "df [--json]",
     "Show the storages, their size and free space.\n"
     "      --json          a JSON array"},
    {"ls", cmd_ls, false, "ls [-l] [-R] [--json] [PATH...]",
     "List folders.\n"
     "Without PATH: the top of the storage (with several storages: the storages).\n"
     "  -l, --long          type, size and modification time\n"
     "  -R, --recursive     the folders inside too\n"
     "      --json          a JSON array of objects with their full paths"},
    {"tree", cmd_tree, false, "tree [PATH]",
     "Show a folder's tree (default: the top)."},
    {"stat", cmd_stat, false, "stat [--json] PATH...",
     "Show what the device knows of objects.\n"
     "Type, size, modification time, object id, storage, parent and format.\n"
     "      --json          a JSON array"},
    {"get", cmd_get, false, "get [-r] [-p] [-n] [--continue] REMOTE... LOCAL",
     "Copy from the device.\n"
     "LOCAL is a folder to copy into (it must exist when there are several sources) or,\n"
     "for one file, the new file's path. A file is written as .NAME.ferry-part next to\n"
     "its target and renamed only when complete; names the device gives that are not\n"
     "safe as local names are refused and reported.\n"
     "  -r, --recursive     folders with their contents\n"
     "  -p, --preserve      keep modification times\n"
     "  -n, --no-clobber    do not replace existing local files\n"
     "      --continue      resume interrupted downloads (the part file is kept on failure)"},
    {"put", cmd_put, false, "put [-r] [-p] [-n] [--continue] LOCAL... REMOTE",
     "Copy to the device.\n"
     "REMOTE is a folder to copy into (it must exist when there are several sources) or,\n"
     "for one file, the new object's path. An object is sent as .ferry-part-XXXXXXXX-NAME\n"
     "and renamed only when complete; names the device cannot store are reported.\n"
     "  -r, --recursive     folders with their contents\n"
     "  -p, --preserve      keep modification times\n"
     "  -n, --no-clobber    do not replace existing objects\n"
     "      --continue      resume interrupted uploads where the device allows it"},
    {"rm", cmd_rm, false, "rm [-r] PATH...",
     "Delete objects.\n"
     "  -r, --recursive     folders with their contents"},
    {"mkdir", cmd_mkdir, false, "mkdir [-p] PATH...",
     "Make folders.\n"
     "  -p, --parents       make missing parents; no error if the folder exists"},
    {"mv", cmd_mv, false, "mv SOURCE DEST",
     "Rename or move an object on the device.\n"
     "DEST is an existing folder to move into, or a new path (its folder must exist)."},
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

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    const cli_cmd *c = cmd ? cli_find_cmd(cmd) : NULL;
    progress_clear();
    fprintf(stderr, "%s: ", g.prog);
    if (c)
        fprintf(stderr, "%s: ", c->name);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (c)
        fprintf(stderr, "Usage: %s [GLOBAL OPTIONS] %s\n(see `%s help %s`)\n", g.prog, c->synopsis, g.prog, c->name);
    else
        fprintf(stderr, "Usage: %s [GLOBAL OPTIONS] COMMAND [ARGS...]\n(see `%s --help`)\n", g.prog, g.prog);
    return EX_USAGE_;
}

int cli_bad_option(const char *cmd, char **argv)
{
    /* getopt_long with opterr = 0 returned '?': optopt is the unknown
     * option character; 0 for an unknown long option, the option's value
     * for "--long=ARG" given to one that takes none (argv[optind - 1]) */
    const char *prev = optind > 0 ? argv[optind - 1] : "";
    if (!optopt)
        return cli_usage_error(cmd, "unknown option %s", prev);
    if (strncmp(prev, "--", 2) == 0 && strchr(prev, '='))
        return cli_usage_error(cmd, "option %.*s takes no argument", (int)(strchr(prev, '=') - prev), prev);
    return cli_usage_error(cmd, "unknown option -%c", optopt);
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
    for (const cli_cmd *c = cli_commands; c->name; c++) {
        const char *nl = strchr(c->help, '\n');
        fprintf(out, "  %-8s %.*s\n", c->name, nl ? (int)(nl - c->help) : (int)strlen(c->help), c->help);
    }
    fprintf(out, "`%s help COMMAND` or `%s COMMAND --help` shows a command's arguments and options.\n", g.prog,
            g.prog);
    fprintf(out, "\n"
                 "Global options (before the command):\n"
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
                 "device gone, 4 device busy (in use by another program), 5 no such file or folder,\n"
                 "6 storage or disk full, 7 permission denied or read-only, 8 the device failed,\n"
                 "129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM (nothing half-copied is left).\n"
                 "See ferry(1).\n",
            g.prog);
}

/* ------------------------------------------------------------------ */

__attribute__((format(printf, 2, 0))) static void vmsg(const char *kind, const char *fmt, va_list ap)
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

void cli_err_rc(int rc, const char *fmt, ...)
{
    if (rc == FERRY_ECANCELLED && cli_interrupted())
        return; /* the user's Ctrl-C: "interrupted" said it all */
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
    case FERRY_EDEVICE_BUSY:
    case FERRY_EBUSY: return EX_DEVBUSY;
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
    case FERRY_ECANCELLED: return cli_signal_exit();
    default: return EX_FAIL;
    }
}

const char *cli_why(int err, ferry_op *op)
{
    static char buf[512];
    const char *text = ferry_strerror(err);
    const char *detail = op ? ferry_op_error_text(op) : NULL;
    if (!detail || !*detail || strstr(detail, text))
        snprintf(buf, sizeof(buf), "%s", text);
    else
        snprintf(buf, sizeof(buf), "%s (%s)", text, detail);
    return buf;
}

const char *cli_path_why(int err)
{
    if (err == FERRY_EINVAL)
        return "not a valid remote path (absolute, without \".\" or \"..\" parts)";
    return ferry_strerror(err);
}

int cli_signal_exit(void)
{
    return g.signo == SIGTERM ? EX_SIGTERM : g.signo == SIGHUP ? EX_SIGHUP : EX_SIGINT;
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

/* What ferry_device_find() matches a spec against. */
static bool device_matches(const ferry_device_desc *d, const char *spec)
{
    char ba[32];
    snprintf(ba, sizeof(ba), "%u:%u", d->bus, d->address);
    return (d->serial && strcmp(d->serial, spec) == 0) || (d->product && strcmp(d->product, spec) == 0) ||
           strcmp(ba, spec) == 0 || strcmp(d->port_path, spec) == 0;
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
        /* one line: the candidates, then how to choose */
        char *list = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&list, &len);
        ferry_device_desc *v;
        size_t n;
        if (m && ferry_devices(g.ctx, &v, &n) == 0) {
            for (size_t i = 0, k = 0; i < n; i++) {
                if (g.device_spec && *g.device_spec && !device_matches(&v[i], g.device_spec))
                    continue;
                fprintf(m, "%s%s at %u:%u", k++ ? ", " : "", v[i].serial ? v[i].serial : "(no serial)", v[i].bus,
                        v[i].address);
            }
            ferry_devices_free(v, n);
        }
        if (m)
            fclose(m);
        if (g.device_spec && *g.device_spec)
            cli_err("several devices match \"%s\" (%s): choose one with -d SERIAL or -d BUS:ADDRESS", g.device_spec,
                    list ? list : "");
        else
            cli_err("several devices are connected (%s): choose one with -d SERIAL, -d NAME or -d BUS:ADDRESS",
                    list ? list : "");
        free(list);
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
    if (rc == FERRY_ECANCELLED && cli_interrupted())
        return cli_signal_exit(); /* said by the signal's message */
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

int cli_need_device(void)
{
    if (g.dev)
        return 0;
    int rc = cli_open_device();
    if (rc && g.dev) {
        ferry_dev_close(g.dev);
        g.dev = NULL;
    }
    return rc;
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
    opterr = 0; /* our own one-line messages */
    /* global options come before the command */
    while ((o = getopt_long(argc, argv, "+:d:qvhV", opts, NULL)) != -1) {
        switch (o) {
        case 'd': g.device_spec = optarg; break;
        case 'q': g.quiet = true; break;
        case 'v': g.verbose++; break;
        case 'J': g.json = true; break;
        case 'P': force_progress = true; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("ferry %s\n", PACKAGE_VERSION); return 0;
        case ':': return cli_usage_error(NULL, "option %s needs an argument", argv[optind - 1]);
        default: return cli_bad_option(NULL, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error(NULL, "no command given");
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        const cli_cmd *c = optind + 1 < argc ? cli_find_cmd(argv[optind + 1]) : NULL;
        if (optind + 1 < argc && !c)
            return cli_usage_error(NULL, "no command \"%s\"", argv[optind + 1]);
        if (c)
            cli_cmd_usage(c, stdout);
        else
            usage(stdout);
        return 0;
    }
    const cli_cmd *cmd = cli_find_cmd(name);
    if (!cmd)
        return cli_usage_error(NULL, "no command \"%s\"", name);
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
    setlocale(LC_CTYPE, ""); /* the widths of names on the progress line */
    int argc2 = argc - optind;
    char **argv2 = argv + optind;
    optind = 0; /* reset getopt for the command */
    rc = cmd->fn(argc2, argv2);
    progress_end();
    cli_close();
    if (g.signo)
        return cli_signal_exit();
    return rc;
}
