/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * get and put: copies in both directions, recursively.
 *
 * The device is not trusted: every name it gives is checked before it
 * becomes a local file name, folders are made with mkdir and entered only
 * when they are real folders (never through a symlink), and files land
 * through the library's part file and rename, which replaces a symlink
 * rather than writing through it. Names the device cannot store are
 * reported, not changed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PIPELINE 4 /* operations queued ahead, so the link never idles between files */

typedef struct job {
    struct job *next;
    char *from;    /* shown in messages */
    char *to;
    uint32_t id;   /* get: object */
    uint32_t storage, parent; /* put: where */
    char *name;    /* put: object name */
    uint64_t size;
    int64_t mtime;
} job;

typedef struct copy {
    bool rec, preserve, no_clobber, resume;
    job *head, *tail;
    uint64_t files, bytes;
    uint64_t done_files, done_bytes, failed, skipped;
} copy;

static void add_job(copy *cp, job *j)
{
    if (cp->tail)
        cp->tail->next = j;
    else
        cp->head = j;
    cp->tail = j;
    cp->files++;
    cp->bytes += j->size;
}

static void job_free(job *j)
{
    free(j->from);
    free(j->to);
    free(j->name);
    free(j);
}

static void failed(copy *cp, int err)
{
    cp->failed++;
    cli_note_error(err);
}

static int parse_copy_opts(int argc, char **argv, const char *name, copy *cp)
{
    static const struct option opts[] = {
        {"recursive", no_argument, NULL, 'r'}, {"preserve", no_argument, NULL, 'p'},
        {"no-clobber", no_argument, NULL, 'n'}, {"continue", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "rRpnh", opts, NULL)) != -1) {
        switch (o) {
        case 'r':
        case 'R': cp->rec = true; break;
        case 'p': cp->preserve = true; break;
        case 'n': cp->no_clobber = true; break;
        case 'C': cp->resume = true; break;
        case 'h': cli_cmd_usage(cli_find_cmd(name), stdout); return -1;
        default: cli_cmd_usage(cli_find_cmd(name), stderr); return EX_USAGE_;
        }
    }
    if (argc - optind < 2) {
        cli_cmd_usage(cli_find_cmd(name), stderr);
        return EX_USAGE_;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Running the jobs                                                      */

typedef struct running {
    cli_op c;
    job *j;
    ferry_data_state st;
    ferry_data data;
    int fd;
} running;

static void summary(copy *cp, const char *verb, double secs)
{
    char sz[32];
    fmt_size(cp->done_bytes, sz, sizeof(sz));
    if (cli_interrupted()) {
        cli_info("interrupted: %s %" PRIu64 " of %" PRIu64 " files (%s); the others were not copied and "
                 "nothing half-copied was left",
                 verb, cp->done_files, cp->files, sz);
    } else if (cp->failed) {
        cli_info("%s %" PRIu64 " of %" PRIu64 " files (%s); %" PRIu64 " failed", verb, cp->done_files, cp->files, sz,
                 cp->failed);
    } else if (g.verbose) {
        char rate[32];
        fmt_size(secs > 0 ? (uint64_t)((double)cp->done_bytes / secs) : 0, rate, sizeof(rate));
        cli_info("%s %" PRIu64 " files (%s) in %.2f s, %s/s%s", verb, cp->done_files, sz, secs, rate,
                 cp->skipped ? "; some skipped" : "");
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef int (*start_fn)(copy *cp, running *r);

static void finish(copy *cp, running *r, bool is_get)
{
    job *j = r->j;
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    int rc = r->c.result;
    if (rc == 0) {
        cp->done_files++;
        cp->done_bytes += j->size;
        progress_file_done(j->size);
        if (g.verbose) {
            char *f = escaped(j->from), *t = escaped(j->to);
            cli_info("%s %s -> %s", is_get ? "got" : "put", f ? f : "?", t ? t : "?");
            free(f);
            free(t);
        }
    } else if (rc == FERRY_EEXIST && cp->no_clobber) {
        cp->skipped++;
        progress_file_done(0);
    } else if (rc != FERRY_ECANCELLED || !cli_interrupted()) {
        const char *detail = r->c.op ? ferry_op_error_text(r->c.op) : "";
        char *f = escaped(j->from);
        if (rc == FERRY_EBADNAME || rc == FERRY_ENAMETOOLONG)
            detail = "skipped: the device cannot store this name";
        cli_err("%s %s: %s", is_get ? "get" : "put", f ? f : "?", detail && *detail ? detail : ferry_strerror(rc));
        free(f);
        failed(cp, rc);
        progress_file_done(0);
    }
    cli_op_release(&r->c);
    job_free(j);
    free(r);
}

static int run_jobs(copy *cp, start_fn start, bool is_get)
{
    progress_begin_job(cp->files, cp->bytes);
    double t0 = now_s();
    cli_op *pending = NULL;
    unsigned npending = 0;
    while ((cp->head || pending) ) {
        while (cp->head && npending < PIPELINE && !cli_interrupted()) {
            job *j = cp->head;
            cp->head = j->next;
            if (!cp->head)
                cp->tail = NULL;
            j->next = NULL;
            running *r = calloc(1, sizeof(*r));
            if (!r) {
                job_free(j);
                failed(cp, FERRY_ENOMEM);
                continue;
            }
            r->j = j;
            r->fd = -1;
            r->c.user = r;
            int rc = start(cp, r);
            if (rc < 0) {
                r->c.result = rc;
                r->c.done = true;
                finish(cp, r, is_get);
                continue;
            }
            r->c.next = pending;
            pending = &r->c;
            npending++;
        }
        if (cli_interrupted() && cp->head) {
            /* not started: nothing to undo */
            while (cp->head) {
                job *j = cp->head;
                cp->head = j->next;
                job_free(j);
            }
            cp->tail = NULL;
        }
        if (!pending)
            break;
        /* show the oldest running file */
        cli_op *show = pending;
        while (show->next)
            show = show->next;
        running *sr = show->user;
        progress_file(sr->j->from, show->bytes, sr->j->size);
        cli_op *d = cli_wait_any(&pending);
        if (!d)
            break;
        npending--;
        finish(cp, d->user, is_get);
    }
    progress_end();
    summary(cp, is_get ? "copied" : "sent", now_s() - t0);
    if (cli_interrupted())
        return g.signo == 15 ? EX_SIGTERM : EX_SIGINT;
    return g.worst;
}

/* ------------------------------------------------------------------ */
/* get                                                                   */

/* A local folder to copy into: made if missing; an existing one must be
 * a real folder, not a symlink (we never follow one out of the target). */
static int local_folder(const char *path)
{
    if (mkdir(path, 0777) == 0)
        return 0;
    if (errno != EEXIST) {
        cli_err("get: cannot make %s: %s", path, strerror(errno));
        return errno == ENOSPC ? FERRY_ENOSPC : errno == EACCES ? FERRY_EACCESS : FERRY_ELOCAL_IO;
    }
    struct stat sb;
    if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    cli_err("get: %s exists and is not a folder (symlinks are not followed)", path);
    return FERRY_EEXIST;
}

static int scan_remote(copy *cp, const char *rpath, const ferry_object *dir, const char *lpath)
{
    int rc = local_folder(lpath);
    if (rc < 0) {
        failed(cp, rc);
        return rc;
    }
    ferry_object *kids;
    size_t n;
    rc = cli_list(dir->storage, dir->id, &kids, &n);
    if (rc < 0) {
        cli_err("get %s: %s", rpath, ferry_strerror(rc));
        failed(cp, rc);
        return rc;
    }
    for (size_t i = 0; i < n && !cli_interrupted(); i++) {
        ferry_object *k = &kids[i];
        char *rp = rpath_join(rpath, k->name);
        const char *why;
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            if (strcmp(kids[j].name, k->name) == 0)
                dup = true;
        if (!local_name_ok(k->name, &why) || dup) {
            char *e = escaped(rp ? rp : "?");
            cli_err("get %s: skipped: %s", e ? e : "?", dup ? "another object in this folder has the same name" : why);
            free(e);
            failed(cp, FERRY_EBADNAME);
            free(rp);
            continue;
        }
        char *lp = rpath_join(lpath, k->name);
        if (k->is_folder) {
            scan_remote(cp, rp, k, lp);
            free(lp);
            free(rp);
        } else {
            struct stat sb;
            if (cp->no_clobber && lstat(lp, &sb) == 0) {
                cp->skipped++;
                free(lp);
                free(rp);
                continue;
            }
            job *j = calloc(1, sizeof(*j));
            if (!j) {
                free(lp);
                free(rp);
                failed(cp, FERRY_ENOMEM);
                continue;
            }
            j->from = rp;
            j->to = lp;
            j->id = k->id;
            j->size = k->size;
            add_job(cp, j);
        }
    }
    cli_objects_free(kids, n);
    return 0;
}

static int start_get(copy *cp, running *r)
{
    unsigned flags = (cp->preserve ? FERRY_GET_PRESERVE_MTIME : 0) | (cp->resume ? FERRY_GET_RESUME : 0) |
                     (cp->no_clobber ? FERRY_GET_NO_REPLACE : 0);
    ferry_op_cbs cbs = cli_cbs(&r->c);
    return ferry_get(g.dev, r->j->id, r->j->to, flags, &cbs, &r->c.op);
}

int cmd_get(int argc, char **argv)
{
    copy cp = {0};
    int rc = parse_copy_opts(argc, argv, "get", &cp);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *local = argv[argc - 1];
    int nsrc = argc - 1 - optind;
    struct stat sb;
    bool into = stat(local, &sb) == 0 && S_ISDIR(sb.st_mode);
    size_t ll = strlen(local);
    if (!into && (nsrc > 1 || local[ll - 1] == '/')) {
        cli_err("get: %s is not a folder", local);
        return EX_USAGE_;
    }
    for (int i = optind; i < argc - 1 && !cli_interrupted(); i++) {
        char *rpath = remote_abs(argv[i]);
        ferry_object o;
        rc = cli_resolve(rpath, &o);
        if (rc < 0) {
            cli_err("get %s: %s", argv[i], ferry_strerror(rc));
            failed(&cp, rc);
            free(rpath);
            continue;
        }
        const char *why;
        char *target;
        if (into) {
            if (!local_name_ok(o.name, &why)) {
                char *e = escaped(o.name);
                cli_err("get %s: skipped: %s (\"%s\")", argv[i], why, e ? e : "?");
                free(e);
                failed(&cp, FERRY_EBADNAME);
                free(o.name);
                free(rpath);
                continue;
            }
            target = rpath_join(local, o.name);
        } else {
            target = strdup(local);
        }
        if (o.is_folder) {
            if (!cp.rec) {
                cli_err("get %s: is a folder (use -r)", argv[i]);
                failed(&cp, FERRY_EISDIR);
            } else {
                scan_remote(&cp, rpath, &o, target);
            }
            free(target);
            free(rpath);
        } else if (cp.no_clobber && lstat(target, &sb) == 0) {
            cp.skipped++;
            free(target);
            free(rpath);
        } else {
            job *j = calloc(1, sizeof(*j));
            if (!j) {
                free(target);
                free(rpath);
                free(o.name);
                return EX_FAIL;
            }
            j->from = rpath;
            j->to = target;
            j->id = o.id;
            j->size = o.size;
            add_job(&cp, j);
        }
        free(o.name);
    }
    return run_jobs(&cp, start_get, true);
}

/* ------------------------------------------------------------------ */
/* put                                                                   */

/* A remote folder to copy into: found or made. */
static int remote_folder(copy *cp, uint32_t storage, uint32_t parent, const char *name, const char *rpath,
                         ferry_object *out)
{
    ferry_object o;
    int rc = cli_resolve(rpath, &o);
    if (rc == 0) {
        if (!o.is_folder) {
            cli_err("put: %s exists on the device and is not a folder", rpath);
            free(o.name);
            failed(cp, FERRY_EEXIST);
            return FERRY_EEXIST;
        }
        *out = o;
        return 0;
    }
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    rc = ferry_mkdir(g.dev, storage, parent, name, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    if (rc == 0 && c.have_first) {
        *out = c.first.u.object;
        c.have_first = false;
    } else {
        char *e = escaped(rpath);
        if (rc == FERRY_EBADNAME || rc == FERRY_ENAMETOOLONG)
            cli_err("put %s: skipped: the device cannot store this name (%s)", e ? e : "?", ferry_strerror(rc));
        else
            cli_err("put %s: %s", e ? e : "?", ferry_strerror(rc ? rc : FERRY_EPROTO));
        free(e);
        failed(cp, rc ? rc : FERRY_EPROTO);
        rc = rc ? rc : FERRY_EPROTO;
    }
    cli_op_release(&c);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_put_job(copy *cp, const char *lpath, const struct stat *sb, uint32_t storage, uint32_t parent,
                        const char *name, const char *rpath)
{
    job *j = calloc(1, sizeof(*j));
    if (!j) {
        failed(cp, FERRY_ENOMEM);
        return;
    }
    j->from = strdup(lpath);
    j->to = strdup(rpath);
    j->name = strdup(name);
    j->storage = storage;
    j->parent = parent;
    j->size = (uint64_t)sb->st_size;
    j->mtime = cp->preserve ? sb->st_mtime : FERRY_MTIME_NONE;
    if (!j->from || !j->to || !j->name) {
        job_free(j);
        failed(cp, FERRY_ENOMEM);
        return;
    }
    add_job(cp, j);
}

static void scan_local(copy *cp, const char *lpath, const ferry_object *rdir, const char *rpath)
{
    DIR *d = opendir(lpath);
    if (!d) {
        cli_err("put %s: %s", lpath, strerror(errno));
        failed(cp, errno == EACCES ? FERRY_EACCESS : FERRY_ELOCAL_IO);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof(*nn));
            if (!nn)
                break;
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    size_t i = 0;
    for (; i < n && !cli_interrupted(); i++) {
        char *lp = rpath_join(lpath, names[i]);
        char *rp = rpath_join(rpath, names[i]);
        struct stat sb;
        if (!lp || !rp || stat(lp, &sb) < 0) {
            cli_err("put %s: %s", lp ? lp : "?", strerror(errno));
            failed(cp, FERRY_ELOCAL_IO);
        } else if (S_ISDIR(sb.st_mode)) {
            struct stat lsb;
            if (lstat(lp, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
                cli_warn("put %s: skipped: a symlink to a folder (not followed)", lp);
                cp->skipped++;
            } else {
                ferry_object sub;
                if (remote_folder(cp, rdir->storage, rdir->id, names[i], rp, &sub) == 0) {
                    scan_local(cp, lp, &sub, rp);
                    free(sub.name);
                }
            }
        } else if (S_ISREG(sb.st_mode)) {
            add_put_job(cp, lp, &sb, rdir->storage, rdir->id, names[i], rp);
        } else {
            cli_warn("put %s: skipped: not a regular file", lp);
            cp->skipped++;
        }
        free(lp);
        free(rp);
        free(names[i]);
    }
    for (; i < n; i++)
        free(names[i]); /* not reached: interrupted */
    free(names);
}

static int start_put(copy *cp, running *r)
{
    job *j = r->j;
    r->fd = open(j->from, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        cli_err("put %s: %s", j->from, strerror(errno));
        return errno == EACCES ? FERRY_EACCESS : FERRY_ELOCAL_IO;
    }
    r->data = ferry_data_fd(&r->st, r->fd);
    unsigned flags = (cp->no_clobber ? 0 : FERRY_PUT_REPLACE) | (cp->resume ? FERRY_PUT_RESUME : 0);
    ferry_op_cbs cbs = cli_cbs(&r->c);
    return ferry_put(g.dev, j->storage, j->parent, j->name, j->size, j->mtime, &r->data, flags, &cbs, &r->c.op);
}

int cmd_put(int argc, char **argv)
{
    copy cp = {0};
    int rc = parse_copy_opts(argc, argv, "put", &cp);
    if (rc)
        return rc < 0 ? 0 : rc;
    char *remote = remote_abs(argv[argc - 1]);
    int nsrc = argc - 1 - optind;
    ferry_object dst, parent = {0};
    bool into;
    rc = cli_resolve(remote, &dst);
    if (rc == 0 && dst.is_folder) {
        into = true;
    } else if (rc == 0 || rc == FERRY_ENOENT) {
        if (rc == 0)
            free(dst.name);
        if (nsrc > 1) {
            cli_err("put: %s is not a folder on the device", remote);
            free(remote);
            return rc == 0 ? EX_USAGE_ : EX_NOTFOUND;
        }
        into = false;
        char *dir = path_dirname(remote);
        rc = cli_resolve(dir, &parent);
        free(dir);
        if (rc < 0 || !parent.is_folder) {
            cli_err("put: no folder for %s on the device", remote);
            free(remote);
            if (rc == 0)
                free(parent.name);
            return cli_exit_code(rc < 0 ? rc : FERRY_ENOTDIR);
        }
        dst = parent;
        parent.name = NULL;
    } else {
        cli_err("put %s: %s", remote, ferry_strerror(rc));
        free(remote);
        return cli_exit_code(rc);
    }
    for (int i = optind; i < argc - 1 && !cli_interrupted(); i++) {
        const char *lp = argv[i];
        struct stat sb;
        if (stat(lp, &sb) < 0) {
            cli_err("put %s: %s", lp, strerror(errno));
            failed(&cp, errno == ENOENT ? FERRY_ENOENT : FERRY_ELOCAL_IO);
            continue;
        }
        const char *name = into ? path_base(lp) : path_base(remote);
        char *rp = into ? rpath_join(remote, name) : strdup(remote);
        if (S_ISDIR(sb.st_mode)) {
            if (!cp.rec) {
                cli_err("put %s: is a folder (use -r)", lp);
                failed(&cp, FERRY_EISDIR);
            } else {
                ferry_object sub;
                if (remote_folder(&cp, dst.storage, dst.id, name, rp, &sub) == 0) {
                    scan_local(&cp, lp, &sub, rp);
                    free(sub.name);
                }
            }
        } else if (S_ISREG(sb.st_mode)) {
            add_put_job(&cp, lp, &sb, dst.storage, dst.id, name, rp);
        } else {
            cli_err("put %s: not a regular file", lp);
            failed(&cp, FERRY_EINVAL);
        }
        free(rp);
    }
    free(dst.name);
    free(remote);
    return run_jobs(&cp, start_put, false);
}
