/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * get and put: copies in both directions, recursively.
 *
 * The device is not trusted: every name it gives is checked before it
 * becomes a local file name (names that would leave the target folder,
 * control characters, names too long, two objects of one name: refused
 * and reported), folders are made with mkdir and entered only when they
 * are real folders (never through a symlink), and files land through the
 * library's part file and rename, which replaces a symlink rather than
 * writing through it. Names the device cannot store are reported, not
 * changed.
 *
 * An interrupt (SIGINT, SIGTERM, SIGHUP) cancels the running transfers
 * through the library, which removes their part file or part object;
 * transfers not started are dropped; folders this run made and left
 * empty are removed again. What was copied is complete, the rest is not
 * there.
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
    uint64_t seq;  /* order in the job */
    char *from;    /* shown in messages */
    char *to;
    uint32_t id;   /* get: object */
    uint32_t storage, parent; /* put: where */
    char *name;    /* put: object name */
    uint64_t size;
    int64_t mtime;
} job;

/* A folder this run made: removed again on an interrupt if still empty. */
typedef struct made {
    char *path;            /* get: local path; put: remote path (messages) */
    uint32_t id;           /* put: the folder's object */
} made;

typedef struct copy {
    bool is_get;
    bool rec, preserve, no_clobber, resume;
    job *head, *tail;
    uint64_t files, bytes;       /* jobs queued */
    uint64_t done_files, done_bytes, failed, skipped;
    uint64_t missed;             /* not copied because of the interrupt */
    uint64_t missed_seq;
    char *first_missed;
    made *made;
    size_t nmade, capmade;
} copy;

static void add_job(copy *cp, job *j)
{
    j->seq = cp->files;
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

static void note_made(copy *cp, const char *path, uint32_t id)
{
    if (cp->nmade == cp->capmade) {
        size_t nc = cp->capmade ? cp->capmade * 2 : 16;
        made *n = realloc(cp->made, nc * sizeof(*n));
        if (!n)
            return;
        cp->made = n;
        cp->capmade = nc;
    }
    char *p = strdup(path);
    if (!p)
        return;
    cp->made[cp->nmade].path = p;
    cp->made[cp->nmade].id = id;
    cp->nmade++;
}

/* A job that the interrupt kept from completing. */
static void missed(copy *cp, const job *j)
{
    if (!cp->missed || j->seq < cp->missed_seq) {
        free(cp->first_missed);
        cp->first_missed = escaped(j->from);
        cp->missed_seq = j->seq;
    }
    cp->missed++;
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
        default: return cli_bad_option(name, argv);
        }
    }
    if (argc - optind < 2)
        return cli_usage_error(name, argc - optind ? "no destination given" : "no source and destination given");
    return cli_need_device();
}

/* ------------------------------------------------------------------ */
/* Running the jobs                                                      */

typedef struct running {
    cli_op c;
    job *j;
    ferry_data_state st;
    ferry_data data;
    int fd;
    bool reported; /* the error was already said */
} running;

static void summary(copy *cp, double secs)
{
    const char *verb = cp->is_get ? "copied" : "sent";
    char sz[32];
    fmt_size(cp->done_bytes, sz, sizeof(sz));
    /* files found: the jobs, plus what was refused before it became one */
    uint64_t total = cp->done_files + cp->failed + cp->missed + cp->skipped;
    if (total < cp->files)
        total = cp->files;
    if (cli_interrupted()) {
        if (g.quiet)
            return;
        if (cp->missed && cp->first_missed && cp->missed > 1)
            cli_info("interrupted: %s %" PRIu64 " of %" PRIu64 " file%s (%s); not %s: %s and %" PRIu64
                     " more; nothing half-copied was left",
                     verb, cp->done_files, total, total == 1 ? "" : "s", sz, verb, cp->first_missed, cp->missed - 1);
        else if (cp->missed && cp->first_missed)
            cli_info("interrupted: %s %" PRIu64 " of %" PRIu64 " file%s (%s); not %s: %s; nothing half-copied was "
                     "left",
                     verb, cp->done_files, total, total == 1 ? "" : "s", sz, verb, cp->first_missed);
        else
            cli_info("interrupted: %s %" PRIu64 " of %" PRIu64 " file%s (%s); nothing half-copied was left", verb,
                     cp->done_files, total, total == 1 ? "" : "s", sz);
    } else if (cp->failed && total > 1) {
        if (!g.quiet)
            cli_info("%s %" PRIu64 " of %" PRIu64 " files (%s); %" PRIu64 " failed", verb, cp->done_files, total, sz,
                     cp->failed);
    } else if (g.verbose) {
        char rate[32];
        fmt_size(secs > 0 ? (uint64_t)((double)cp->done_bytes / secs) : 0, rate, sizeof(rate));
        cli_info("%s %" PRIu64 " file%s (%s) in %.2f s, %s/s%s", verb, cp->done_files, cp->done_files == 1 ? "" : "s",
                 sz, secs, rate, cp->skipped ? "; some skipped" : "");
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef int (*start_fn)(copy *cp, running *r);

static void finish(copy *cp, running *r)
{
    job *j = r->j;
    progress_forget(&r->c);
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
            cli_info("%s %s -> %s", cp->is_get ? "got" : "put", f ? f : "?", t ? t : "?");
            free(f);
            free(t);
        }
    } else if (rc == FERRY_EEXIST && cp->no_clobber) {
        cp->skipped++;
        progress_file_done(0);
    } else if (rc == FERRY_ECANCELLED && cli_interrupted()) {
        missed(cp, j);
    } else if (r->reported) {
        failed(cp, rc);
        progress_file_done(0);
    } else {
        char *f = escaped(j->from);
        const char *what = cp->is_get ? "get" : "put";
        if (rc == FERRY_EBADNAME || rc == FERRY_ENAMETOOLONG)
            cli_err("%s %s: skipped: %s", what, f ? f : "?", device_name_why(j->name ? j->name : j->from, rc));
        else
            cli_err("%s %s: %s", what, f ? f : "?", cli_why(rc, r->c.op));
        free(f);
        failed(cp, rc);
        progress_file_done(0);
    }
    cli_op_release(&r->c);
    job_free(j);
    free(r);
}

/* After an interrupt: folders this run made and left empty go again,
 * deepest first (a folder with anything in it stays). */
static void remove_made(copy *cp)
{
    g.cleaning = true;
    for (size_t i = cp->nmade; i-- > 0;) {
        made *m = &cp->made[i];
        if (cp->is_get) {
            if (rmdir(m->path) == 0 && g.verbose)
                cli_info("removed the empty folder %s", m->path);
            continue;
        }
        cli_op c = {0};
        ferry_op_cbs cbs = cli_cbs(&c);
        int rc = ferry_delete(g.dev, m->id, 0, &cbs, &c.op);
        if (rc == 0)
            rc = cli_wait(&c);
        cli_op_release(&c);
        if (rc == 0 && g.verbose)
            cli_info("removed the empty folder %s", m->path);
        if (rc < 0 && rc != FERRY_ENOTEMPTY && rc != FERRY_ENOENT) {
            char *e = escaped(m->path);
            cli_warn("could not remove the empty folder %s: %s", e ? e : "?", ferry_strerror(rc));
            free(e);
            break; /* the device is in trouble: do not insist */
        }
    }
    g.cleaning = false;
}

static void copy_free(copy *cp)
{
    while (cp->head) {
        job *j = cp->head;
        cp->head = j->next;
        job_free(j);
    }
    for (size_t i = 0; i < cp->nmade; i++)
        free(cp->made[i].path);
    free(cp->made);
    free(cp->first_missed);
}

static int run_jobs(copy *cp, start_fn start)
{
    progress_begin_job(cp->files, cp->bytes);
    double t0 = now_s();
    cli_op *pending = NULL;
    unsigned npending = 0;
    while (cp->head || pending) {
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
                finish(cp, r);
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
                missed(cp, j);
                job_free(j);
            }
            cp->tail = NULL;
        }
        if (!pending)
            break;
        /* show the oldest running file: the one on the wire */
        cli_op *show = pending;
        while (show->next)
            show = show->next;
        running *sr = show->user;
        progress_file(sr->j->from, show->bytes, sr->j->size);
        progress_watch(show);
        cli_op *d = cli_wait_any(&pending);
        if (!d)
            break;
        npending--;
        finish(cp, d->user);
    }
    progress_end();
    if (cli_interrupted() && cp->nmade)
        remove_made(cp);
    summary(cp, now_s() - t0);
    if (cli_interrupted())
        return cli_signal_exit();
    return g.worst;
}

/* ------------------------------------------------------------------ */
/* get                                                                   */

/* A local folder to copy into: made if missing; an existing one must be
 * a real folder, not a symlink (we never follow one out of the target). */
static int local_folder(copy *cp, const char *path)
{
    if (mkdir(path, 0777) == 0) {
        note_made(cp, path, 0);
        return 0;
    }
    int e = errno;
    char *p = escaped(path);
    struct stat sb;
    if (e == EEXIST && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        free(p);
        return 0;
    }
    int rc;
    if (e == EEXIST) {
        bool link = lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
        cli_err("get: %s: %s", p ? p : "?",
                link ? "is a symlink (not followed out of the target); skipped with its contents"
                     : "exists and is not a folder; skipped with its contents");
        rc = FERRY_EEXIST;
    } else {
        cli_err("get: cannot make the folder %s: %s", p ? p : "?", strerror(e));
        rc = e == ENOSPC || e == EDQUOT ? FERRY_ENOSPC
             : e == EACCES || e == EPERM || e == EROFS ? FERRY_EACCESS
             : e == ENOENT ? FERRY_ENOENT
             : FERRY_ELOCAL_IO;
    }
    free(p);
    return rc;
}

static int cmp_name_ptr(const void *a, const void *b)
{
    const ferry_object *x = *(const ferry_object *const *)a, *y = *(const ferry_object *const *)b;
    return strcmp(x->name, y->name);
}

/* Marks every object that shares its name with another in the folder. */
static bool *duplicates(ferry_object *kids, size_t n)
{
    bool *dup = calloc(n ? n : 1, sizeof(*dup));
    ferry_object **v = malloc((n ? n : 1) * sizeof(*v));
    if (!dup || !v) {
        free(v);
        return dup;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = &kids[i];
    qsort(v, n, sizeof(*v), cmp_name_ptr);
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i - 1]->name, v[i]->name) == 0)
            dup[v[i - 1] - kids] = dup[v[i] - kids] = true;
    free(v);
    return dup;
}

static int scan_remote(copy *cp, const char *rpath, const ferry_object *dir, const char *lpath)
{
    int rc = local_folder(cp, lpath);
    if (rc < 0) {
        cli_note_error(rc); /* reported; a folder, not counted as a file */
        return rc;
    }
    ferry_object *kids;
    size_t n;
    rc = cli_list(dir->storage, dir->id, &kids, &n);
    if (rc < 0) {
        if (rc != FERRY_ECANCELLED || !cli_interrupted()) {
            char *e = escaped(rpath);
            cli_err("get %s: %s", e ? e : "?", ferry_strerror(rc));
            free(e);
            cli_note_error(rc);
        }
        return rc;
    }
    bool *dup = duplicates(kids, n);
    for (size_t i = 0; i < n && !cli_interrupted(); i++) {
        ferry_object *k = &kids[i];
        char *rp = rpath_join(rpath, k->name);
        const char *why;
        if (!local_name_ok(k->name, &why) || (dup && dup[i])) {
            char *e = escaped(rp ? rp : "?");
            cli_err("get %s: skipped: %s", e ? e : "?",
                    dup && dup[i] ? "another object in this folder has the same name" : why);
            free(e);
            failed(cp, FERRY_EBADNAME);
            free(rp);
            continue;
        }
        char *lp = rpath_join(lpath, k->name);
        if (!rp || !lp) {
            free(rp);
            free(lp);
            failed(cp, FERRY_ENOMEM);
            continue;
        }
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
    free(dup);
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
    copy cp = {.is_get = true};
    int rc = parse_copy_opts(argc, argv, "get", &cp);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *local = argv[argc - 1];
    if (!*local)
        return cli_usage_error("get", "the local path is empty");
    int nsrc = argc - 1 - optind;
    struct stat sb;
    bool into = stat(local, &sb) == 0 && S_ISDIR(sb.st_mode);
    size_t ll = strlen(local);
    if (!into && (nsrc > 1 || local[ll - 1] == '/')) {
        cli_err("get: %s: %s", local, stat(local, &sb) == 0 ? "not a folder" : "no such folder");
        return stat(local, &sb) == 0 ? EX_USAGE_ : EX_NOTFOUND;
    }
    for (int i = optind; i < argc - 1 && !cli_interrupted(); i++) {
        char *rpath = remote_abs(argv[i]);
        ferry_object o;
        rc = cli_resolve(rpath, &o);
        if (rc < 0) {
            if (rc != FERRY_ECANCELLED || !cli_interrupted()) {
                cli_err("get %s: %s", argv[i], cli_path_why(rc));
                failed(&cp, rc);
            }
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
                copy_free(&cp);
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
    rc = run_jobs(&cp, start_get);
    copy_free(&cp);
    return rc;
}

/* ------------------------------------------------------------------ */
/* put                                                                   */

/* A remote folder to copy into: found or made. lpath is the local folder
 * it is for (messages name what the user gave). A folder that fails is
 * reported and decides the exit status, but is not counted as a file. */
static int remote_folder(copy *cp, uint32_t storage, uint32_t parent, const char *name, const char *rpath,
                         const char *lpath, ferry_object *out)
{
    ferry_object o;
    int rc = cli_resolve(rpath, &o);
    if (rc == 0) {
        if (!o.is_folder) {
            char *e = escaped(lpath), *r = escaped(rpath);
            cli_err("put %s: skipped with its contents: %s on the device is a file", e ? e : "?", r ? r : "?");
            free(e);
            free(r);
            free(o.name);
            cli_note_error(FERRY_EEXIST);
            return FERRY_EEXIST;
        }
        *out = o;
        return 0;
    }
    if (rc == FERRY_ECANCELLED && cli_interrupted())
        return rc;
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    rc = ferry_mkdir(g.dev, storage, parent, name, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    if (rc == 0 && c.have_first) {
        *out = c.first.u.object;
        c.have_first = false;
        note_made(cp, rpath, out->id);
    } else if (rc == FERRY_ECANCELLED && cli_interrupted()) {
        /* nothing to say */
    } else {
        char *e = escaped(lpath);
        rc = rc ? rc : FERRY_EPROTO;
        if (rc == FERRY_EBADNAME || rc == FERRY_ENAMETOOLONG)
            cli_err("put %s: skipped with its contents: %s", e ? e : "?", device_name_why(name, rc));
        else
            cli_err("put %s: skipped with its contents: %s", e ? e : "?", cli_why(rc, c.op));
        free(e);
        cli_note_error(rc);
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

static void local_error(copy *cp, const char *path, int e)
{
    char *p = escaped(path);
    cli_err("put %s: %s", p ? p : "?", strerror(e));
    free(p);
    failed(cp, e == ENOENT ? FERRY_ENOENT : e == EACCES || e == EPERM ? FERRY_EACCESS : FERRY_ELOCAL_IO);
}

static void scan_local(copy *cp, const char *lpath, const ferry_object *rdir, const char *rpath)
{
    DIR *d = opendir(lpath);
    if (!d) {
        local_error(cp, lpath, errno);
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
    if (n)
        qsort(names, n, sizeof(*names), cmp_str);
    size_t i = 0;
    for (; i < n && !cli_interrupted(); i++) {
        char *lp = rpath_join(lpath, names[i]);
        char *rp = rpath_join(rpath, names[i]);
        struct stat sb;
        if (!lp || !rp) {
            failed(cp, FERRY_ENOMEM);
        } else if (stat(lp, &sb) < 0) {
            local_error(cp, lp, errno);
        } else if (S_ISDIR(sb.st_mode)) {
            struct stat lsb;
            if (lstat(lp, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
                char *p = escaped(lp);
                cli_warn("put %s: skipped: a symlink to a folder (not followed)", p ? p : "?");
                free(p);
                cp->skipped++;
            } else {
                ferry_object sub;
                if (remote_folder(cp, rdir->storage, rdir->id, names[i], rp, lp, &sub) == 0) {
                    scan_local(cp, lp, &sub, rp);
                    free(sub.name);
                }
            }
        } else if (S_ISREG(sb.st_mode)) {
            add_put_job(cp, lp, &sb, rdir->storage, rdir->id, names[i], rp);
        } else {
            char *p = escaped(lp);
            cli_warn("put %s: skipped: not a regular file", p ? p : "?");
            free(p);
            cp->skipped++;
        }
        free(lp);
        free(rp);
        free(names[i]);
    }
    for (; i < n; i++)
        free(names[i]); /* interrupted */
    free(names);
}

static int start_put(copy *cp, running *r)
{
    job *j = r->j;
    r->fd = open(j->from, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        int e = errno;
        char *p = escaped(j->from);
        cli_err("put %s: %s", p ? p : "?", strerror(e));
        free(p);
        r->reported = true;
        return e == EACCES || e == EPERM ? FERRY_EACCESS : e == ENOENT ? FERRY_ENOENT : FERRY_ELOCAL_IO;
    }
    r->data = ferry_data_fd(&r->st, r->fd);
    unsigned flags = (cp->no_clobber ? 0 : FERRY_PUT_REPLACE) | (cp->resume ? FERRY_PUT_RESUME : 0);
    ferry_op_cbs cbs = cli_cbs(&r->c);
    return ferry_put(g.dev, j->storage, j->parent, j->name, j->size, j->mtime, &r->data, flags, &cbs, &r->c.op);
}

int cmd_put(int argc, char **argv)
{
    copy cp = {.is_get = false};
    int rc = parse_copy_opts(argc, argv, "put", &cp);
    if (rc)
        return rc < 0 ? 0 : rc;
    char *remote = remote_abs(argv[argc - 1]);
    if (!remote)
        return EX_FAIL;
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
            cli_err("put: %s: %s on the device", remote, rc == 0 ? "not a folder" : "no such folder");
            free(remote);
            return rc == 0 ? EX_USAGE_ : EX_NOTFOUND;
        }
        into = false;
        char *dir = path_dirname(remote);
        rc = dir ? cli_resolve(dir, &parent) : FERRY_ENOMEM;
        free(dir);
        if (rc < 0 || !parent.is_folder) {
            cli_err_rc(rc, "put: %s: %s", remote,
                       rc == FERRY_ENOENT || rc == 0 ? "no such folder on the device" : ferry_strerror(rc));
            free(remote);
            if (rc == 0)
                free(parent.name);
            return cli_exit_code(rc < 0 ? rc : FERRY_ENOTDIR);
        }
        dst = parent;
        parent.name = NULL;
    } else {
        cli_err_rc(rc, "put %s: %s", remote, cli_path_why(rc));
        free(remote);
        return cli_exit_code(rc);
    }
    for (int i = optind; i < argc - 1 && !cli_interrupted(); i++) {
        const char *lp = argv[i];
        struct stat sb;
        if (stat(lp, &sb) < 0) {
            local_error(&cp, lp, errno);
            continue;
        }
        const char *name = into ? path_base(lp) : path_base(remote);
        char *rp = into ? rpath_join(remote, name) : strdup(remote);
        if (!rp) {
            failed(&cp, FERRY_ENOMEM);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            if (!cp.rec) {
                cli_err("put %s: is a folder (use -r)", lp);
                failed(&cp, FERRY_EISDIR);
            } else {
                ferry_object sub;
                if (remote_folder(&cp, dst.storage, dst.id, name, rp, lp, &sub) == 0) {
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
    rc = run_jobs(&cp, start_put);
    copy_free(&cp);
    return rc;
}
