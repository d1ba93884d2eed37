/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ferry sync: folder pairs between a device and this machine, pull, push
 * or both ways, incremental through a state store (sync_state.c).
 *
 * Objects are identified by path, size and modification time (MTP object
 * handles change between sessions). For each path the walk compares both
 * sides with what the store says they were after the last sync:
 *
 *   - changed on one side only: copied to the other;
 *   - changed on both (or found on both at the first sync and different):
 *     a conflict; both versions are kept, the other side's under a
 *     "NAME (conflict WHO DATE).EXT" name (WHO made it, DATE is its time,
 *     so a rerun arrives at the same name), nothing is overwritten;
 *   - new on one side under the name of a file the other side kept alone
 *     (its copy there was deleted, or removed after import): a conflict
 *     too, never an overwrite of the only copy;
 *   - gone on one side and unchanged on the other: deleted there only if
 *     the pair asks for it (delete = yes), else left alone and remembered;
 *     gone on one side and changed on the other: the changed one wins;
 *   - a whole root missing (an SD card not inserted, a disk not mounted)
 *     after files were synced there is nothing to do, not a deletion.
 *
 * Nothing is lost: every copy goes through the library's transactional
 * get/put (part file / part object, renamed when complete), and a file is
 * removed from a side only after its copy on the other side was verified
 * (size, and the XXH3 checksum taken while the bytes went by; for
 * remove-after-import the copy here is read back and must give the
 * device's checksum). The store is updated after each file in its own
 * transaction, so a SIGKILL or a pulled cable at any moment leaves no
 * partial file (leftovers of killed transfers are removed by the next
 * run), a consistent store, and a next run that converges: a file copied
 * but not yet recorded is found the same on both sides and recorded.
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
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "cli.h"
#include "sync.h"

typedef struct rent {
    char *rel;
    uint64_t size;
    int64_t mtime;
    uint32_t id, storage, parent;
} rent;

typedef struct lent {
    char *rel;
    uint64_t size;
    int64_t mtime;
} lent;

typedef struct rdir {
    char *rel;
    uint32_t storage, id;
} rdir;

typedef struct counts {
    uint64_t copied, unchanged, conflicts, failed, deleted, removed, skipped, bytes;
} counts;

typedef struct syncx {
    const sync_pair *pair;
    const char *device;  /* state key of the device */
    const char *pairkey; /* state key of the pair */
    sqlite3 *db;
    bool dry;
    uint32_t rstorage, rroot;
    rent *r;
    size_t nr, capr;
    lent *l;
    size_t nl, capl;
    rdir *dirs;
    size_t ndirs, capdirs;
    char **dups; /* paths of several objects on the device (sorted) */
    size_t ndups, capdups;
    counts c;
} syncx;

/* ------------------------------------------------------------------ */
/* Hashing while the bytes go by                                         */

typedef struct hasher {
    XXH3_state_t *st;
    const ferry_data *inner; /* a source to wrap (push) */
} hasher;

static int hash_put(void *priv, const void *buf, size_t len)
{
    hasher *h = priv;
    XXH3_128bits_update(h->st, buf, len);
    return 0;
}

static ssize_t hash_get(void *priv, void *buf, size_t len)
{
    hasher *h = priv;
    ssize_t n = h->inner->get(h->inner->priv, buf, len);
    if (n > 0)
        XXH3_128bits_update(h->st, buf, (size_t)n);
    return n;
}

static void hash_hex(hasher *h, char out[33])
{
    XXH128_hash_t d = XXH3_128bits_digest(h->st);
    snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, (uint64_t)d.high64, (uint64_t)d.low64);
}

static int hash_file(const char *path, char out[33])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    XXH3_state_t *st = XXH3_createState();
    XXH3_128bits_reset(st);
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        XXH3_128bits_update(st, buf, (size_t)n);
    close(fd);
    hasher h = {st, NULL};
    hash_hex(&h, out);
    XXH3_freeState(st);
    return n < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Scanning both sides                                                   */

static char *join_rel(const char *a, const char *b)
{
    char *s = NULL;
    if (asprintf(&s, "%s%s%s", a, *a ? "/" : "", b) < 0)
        return NULL;
    return s;
}

static bool special_remote(const char *name)
{
    return strncmp(name, ".ferry-part-", 12) == 0 || strncmp(name, ".ferry-old-", 11) == 0;
}

/* Removes what interrupted uploads left in a device folder: part objects
 * go, an object set aside by an interrupted replace gets its name back
 * when that is free (before the walk, so it is not taken for a deletion). */
static int remote_cleanup(syncx *x, uint32_t storage, uint32_t folder, const char *rel)
{
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    int rc = ferry_cleanup(g.dev, storage, folder, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    if (rc < 0 && rc != FERRY_ECANCELLED)
        cli_err("sync %s: cleaning %s on the device: %s", x->pair->name, *rel ? rel : x->pair->remote,
                ferry_strerror(rc));
    cli_op_release(&c);
    return rc;
}

static int scan_remote(syncx *x, uint32_t storage, uint32_t folder, const char *rel)
{
    ferry_object *kids;
    size_t n;
    int rc = cli_list(storage, folder, &kids, &n);
    if (rc == 0 && !x->dry) {
        bool left = false;
        for (size_t i = 0; i < n; i++)
            if (!kids[i].is_folder && special_remote(kids[i].name))
                left = true;
        if (left) {
            cli_objects_free(kids, n);
            rc = remote_cleanup(x, storage, folder, rel);
            if (rc < 0)
                return rc;
            rc = cli_list(storage, folder, &kids, &n);
        }
    }
    if (rc < 0) {
        cli_err("sync %s: listing %s: %s", x->pair->name, *rel ? rel : x->pair->remote, ferry_strerror(rc));
        return rc;
    }
    for (size_t i = 0; i < n && !cli_interrupted(); i++) {
        ferry_object *k = &kids[i];
        const char *why;
        if (!local_name_ok(k->name, &why)) {
            char *e = escaped(k->name);
            cli_warn("sync %s: skipping %s%s%s on the device: %s", x->pair->name, rel, *rel ? "/" : "", e ? e : "?",
                     why);
            free(e);
            x->c.skipped++;
            continue;
        }
        if (special_remote(k->name))
            continue; /* an interrupted upload (dry run: left alone) */
        char *r = join_rel(rel, k->name);
        if (!r)
            return FERRY_ENOMEM;
        if (k->is_folder) {
            if (x->ndirs == x->capdirs) {
                x->capdirs = x->capdirs ? x->capdirs * 2 : 64;
                x->dirs = realloc(x->dirs, x->capdirs * sizeof(*x->dirs));
            }
            x->dirs[x->ndirs++] = (rdir){strdup(r), k->storage, k->id};
            rc = scan_remote(x, k->storage, k->id, r);
            free(r);
            if (rc < 0)
                break;
        } else if (!sync_pair_wants(x->pair, r)) {
            free(r);
        } else {
            if (x->nr == x->capr) {
                x->capr = x->capr ? x->capr * 2 : 256;
                x->r = realloc(x->r, x->capr * sizeof(*x->r));
            }
            x->r[x->nr++] = (rent){r, k->size, k->mtime, k->id, k->storage, k->parent};
        }
    }
    cli_objects_free(kids, n);
    return rc < 0 ? rc : 0;
}

static bool is_part_file(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' && n > 11 && strcmp(name + n - 11, ".ferry-part") == 0;
}

static int scan_local(syncx *x, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT && !*rel)
            return 0;
        cli_err("sync %s: %s: %s", x->pair->name, dir, strerror(errno));
        return FERRY_ELOCAL_IO;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) && rc == 0) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (is_part_file(e->d_name)) {
            /* what a killed download left (a download that fails or is
             * cancelled removes its own): the next run removes it */
            size_t nl = strlen(e->d_name);
            char *target = nl > 12 ? strndup(e->d_name + 1, nl - 12) : NULL;
            char *tr = target ? join_rel(rel, target) : NULL;
            if (!x->dry && tr && sync_pair_wants(x->pair, tr) && unlinkat(dirfd(d), e->d_name, 0) == 0 && g.verbose)
                cli_info("sync %s: removed %s%s%s (left by an interrupted download)", x->pair->name, rel,
                         *rel ? "/" : "", e->d_name);
            free(target);
            free(tr);
            continue;
        }
        char *full = join_rel(dir, e->d_name), *r = join_rel(rel, e->d_name);
        struct stat sb;
        if (!full || !r || lstat(full, &sb) < 0) {
            free(full);
            free(r);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            rc = scan_local(x, full, r);
            free(r);
        } else if (S_ISREG(sb.st_mode) && sync_pair_wants(x->pair, r)) {
            if (x->nl == x->capl) {
                x->capl = x->capl ? x->capl * 2 : 256;
                x->l = realloc(x->l, x->capl * sizeof(*x->l));
            }
            x->l[x->nl++] = (lent){r, (uint64_t)sb.st_size, sb.st_mtime};
        } else {
            free(r); /* symlinks and special files are not synced */
        }
        free(full);
    }
    closedir(d);
    return rc;
}

static int cmp_rent(const void *a, const void *b)
{
    return strcmp(((const rent *)a)->rel, ((const rent *)b)->rel);
}

static int cmp_lent(const void *a, const void *b)
{
    return strcmp(((const lent *)a)->rel, ((const lent *)b)->rel);
}

/* ------------------------------------------------------------------ */
/* Actions                                                               */

static char *local_path(syncx *x, const char *rel)
{
    return join_rel(x->pair->local, rel);
}

/* Makes a local folder and its missing parents. */
static int mkdir_parents(const char *path, mode_t mode)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || !*s) {
            char c = *s;
            *s = 0;
            if (mkdir(p, mode) < 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            if (!c)
                break;
            *s = c;
        }
    }
    free(p);
    struct stat sb;
    if (stat(path, &sb) < 0)
        return -1;
    if (!S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Makes the local folders of rel (never through a symlink). */
static int local_dirs(syncx *x, const char *rel)
{
    char *path = local_path(x, rel);
    if (!path)
        return FERRY_ENOMEM;
    size_t base = strlen(x->pair->local);
    for (char *s = path + base + 1; (s = strchr(s, '/')); s++) {
        *s = 0;
        if (mkdir(path, 0777) < 0 && errno != EEXIST) {
            int e = errno;
            cli_err("sync %s: cannot make %s: %s", x->pair->name, path, strerror(e));
            free(path);
            return e == ENOSPC ? FERRY_ENOSPC : FERRY_ELOCAL_IO;
        }
        struct stat sb;
        if (lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
            cli_err("sync %s: %s is not a folder (symlinks are not followed)", x->pair->name, path);
            free(path);
            return FERRY_EEXIST;
        }
        *s = '/';
    }
    free(path);
    return 0;
}

/* The device folder of rel's parent, made if missing. */
static int remote_dir(syncx *x, const char *rel, uint32_t *storage, uint32_t *id)
{
    const char *slash = strrchr(rel, '/');
    *storage = x->rstorage;
    *id = x->rroot;
    if (!slash)
        return 0;
    char *dir = strndup(rel, (size_t)(slash - rel));
    if (!dir)
        return FERRY_ENOMEM;
    for (size_t i = 0; i < x->ndirs; i++) {
        if (strcmp(x->dirs[i].rel, dir) == 0) {
            *storage = x->dirs[i].storage;
            *id = x->dirs[i].id;
            free(dir);
            return 0;
        }
    }
    uint32_t pst, pid;
    int rc = remote_dir(x, dir, &pst, &pid);
    if (rc == 0) {
        cli_op c = {0};
        ferry_op_cbs cbs = cli_cbs(&c);
        rc = ferry_mkdir(g.dev, pst, pid, path_base(dir), &cbs, &c.op);
        if (rc == 0)
            rc = cli_wait(&c);
        if (rc == 0 && c.have_first) {
            *storage = c.first.u.object.storage;
            *id = c.first.u.object.id;
            if (x->ndirs == x->capdirs) {
                x->capdirs = x->capdirs ? x->capdirs * 2 : 64;
                x->dirs = realloc(x->dirs, x->capdirs * sizeof(*x->dirs));
            }
            x->dirs[x->ndirs++] = (rdir){strdup(dir), *storage, *id};
        } else if (rc == 0) {
            rc = FERRY_EPROTO;
        }
        if (rc < 0)
            cli_err("sync %s: cannot make %s on the device: %s", x->pair->name, dir, ferry_strerror(rc));
        cli_op_release(&c);
    }
    free(dir);
    return rc;
}

/* Downloads R to local to_rel. out: the file as written; hash: the XXH3
 * of its bytes as they were written. flags: FERRY_GET_NO_REPLACE for a
 * name that must not be taken over (FERRY_EEXIST, quietly). */
static int pull(syncx *x, const rent *R, const char *to_rel, lent *out, char hash[33], unsigned flags)
{
    int rc = local_dirs(x, to_rel);
    if (rc < 0)
        return rc;
    char *path = local_path(x, to_rel);
    if (!path)
        return FERRY_ENOMEM;
    hasher h = {XXH3_createState(), NULL};
    XXH3_128bits_reset(h.st);
    ferry_data tee = {NULL, hash_put, &h};
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    progress_file(to_rel, 0, R->size);
    rc = ferry_get_tee(g.dev, R->id, path, FERRY_GET_PRESERVE_MTIME | flags, &tee, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    if (rc < 0 && rc != FERRY_ECANCELLED && !(rc == FERRY_EEXIST && (flags & FERRY_GET_NO_REPLACE))) {
        const char *d = c.op ? ferry_op_error_text(c.op) : "";
        cli_err("sync %s: get %s: %s", x->pair->name, R->rel, d && *d ? d : ferry_strerror(rc));
    }
    cli_op_release(&c);
    struct stat sb;
    if (rc == 0) {
        if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != R->size) {
            cli_err("sync %s: %s: the copy does not have the size of the original", x->pair->name, to_rel);
            rc = FERRY_EMISMATCH;
        } else {
            hash_hex(&h, hash);
            out->rel = NULL;
            out->size = (uint64_t)sb.st_size;
            out->mtime = sb.st_mtime;
            x->c.bytes += R->size;
            progress_file_done(R->size);
        }
    }
    XXH3_freeState(h.st);
    free(path);
    return rc;
}

/* Uploads local from_rel (L) to the device as to_rel. flags: FERRY_PUT_*
 * (without FERRY_PUT_REPLACE an existing name is FERRY_EEXIST, quietly). */
static int push(syncx *x, const lent *L, const char *from_rel, const char *to_rel, rent *out, char hash[33],
                unsigned flags)
{
    uint32_t storage, parent;
    int rc = remote_dir(x, to_rel, &storage, &parent);
    if (rc < 0)
        return rc;
    char *path = local_path(x, from_rel);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
    if (fd < 0) {
        cli_err("sync %s: %s: %s", x->pair->name, path ? path : from_rel, strerror(errno));
        free(path);
        return FERRY_ELOCAL_IO;
    }
    free(path);
    ferry_data_state st;
    ferry_data src = ferry_data_fd(&st, fd);
    hasher h = {XXH3_createState(), &src};
    XXH3_128bits_reset(h.st);
    ferry_data hsrc = {hash_get, NULL, &h};
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    progress_file(to_rel, 0, L->size);
    rc = ferry_put(g.dev, storage, parent, path_base(to_rel), L->size, L->mtime, &hsrc, flags, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    if (rc < 0 && rc != FERRY_ECANCELLED && rc != FERRY_EBADNAME && rc != FERRY_ENAMETOOLONG &&
        !(rc == FERRY_EEXIST && !(flags & FERRY_PUT_REPLACE))) {
        const char *d = c.op ? ferry_op_error_text(c.op) : "";
        cli_err("sync %s: put %s: %s", x->pair->name, to_rel, d && *d ? d : ferry_strerror(rc));
    }
    if (rc == 0 && c.have_first) {
        const ferry_object *o = &c.first.u.object;
        *out = (rent){NULL, o->size, o->mtime, o->id, o->storage, o->parent};
        if (o->size != L->size) {
            cli_err("sync %s: %s: the copy on the device does not have the size of the original", x->pair->name,
                    to_rel);
            rc = FERRY_EMISMATCH;
        } else {
            hash_hex(&h, hash);
            x->c.bytes += L->size;
            progress_file_done(L->size);
        }
    } else if (rc == 0) {
        rc = FERRY_EPROTO;
    }
    cli_op_release(&c);
    XXH3_freeState(h.st);
    close(fd);
    return rc;
}

static int remote_delete(syncx *x, const rent *R)
{
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    int rc = ferry_delete(g.dev, R->id, 0, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    if (rc < 0 && rc != FERRY_ENOENT && rc != FERRY_ECANCELLED)
        cli_err("sync %s: cannot delete %s on the device: %s", x->pair->name, R->rel, ferry_strerror(rc));
    cli_op_release(&c);
    return rc == FERRY_ENOENT ? 0 : rc;
}

/* The XXH3 of an object's bytes, read from the device. */
static int remote_hash(const rent *R, char out[33])
{
    hasher h = {XXH3_createState(), NULL};
    XXH3_128bits_reset(h.st);
    ferry_data sink = {NULL, hash_put, &h};
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    int rc = ferry_read(g.dev, R->id, 0, FERRY_TO_END, &sink, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    cli_op_release(&c);
    if (rc == 0)
        hash_hex(&h, out);
    XXH3_freeState(h.st);
    return rc;
}

/* Whether both sides hold the same bytes. Same size and time are taken
 * for the same file, unless read: then (as with another time) the
 * device's bytes are read and their checksum compared. hash: the local
 * file's checksum when they are the same. */
static bool same_content(syncx *x, const rent *R, const lent *L, bool read, char hash[33])
{
    hash[0] = 0;
    if (R->size != L->size)
        return false;
    char *path = local_path(x, L->rel);
    char lh[33];
    bool ok = path && hash_file(path, lh) == 0;
    free(path);
    if (!ok)
        return false;
    if (!read && R->mtime >= 0 && llabs(R->mtime - L->mtime) <= 1) {
        snprintf(hash, 33, "%s", lh); /* same size and time: the same file */
        return true;
    }
    char rh[33];
    if (remote_hash(R, rh) == 0 && strcmp(rh, lh) == 0) {
        snprintf(hash, 33, "%s", lh);
        return true;
    }
    return false;
}

static int record(syncx *x, const char *rel, const rent *R, const lent *L, const char *hash, bool conflict)
{
    if (x->dry)
        return 0;
    sync_rec r = {.path = (char *)rel, .has_remote = R != NULL, .has_local = L != NULL, .conflict = conflict};
    if (R) {
        r.rsize = R->size;
        r.rmtime = R->mtime;
    }
    if (L) {
        r.lsize = L->size;
        r.lmtime = L->mtime;
    }
    snprintf(r.hash, sizeof(r.hash), "%s", hash ? hash : "");
    return state_put(x->db, x->device, x->pairkey, &r);
}

/* "DIR/NAME (conflict WHO DATE[ N]).EXT": who made that version (the
 * device's serial, or this computer's name) and its modification time,
 * so that a rerun after an interruption arrives at the same name. The
 * name is cut to stay well within file name limits. */
static char *conflict_name(const char *rel, const char *who, int64_t mtime, unsigned n)
{
    char w[64];
    size_t o = 0;
    for (const char *s = who; *s && o + 1 < sizeof(w); s++)
        w[o++] = (*s == '/' || (unsigned char)*s < 0x20 || *s == 0x7f) ? '_' : *s;
    w[o] = 0;
    time_t t = mtime >= 0 ? (time_t)mtime : time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H%M%S", &tm);
    char num[16] = "";
    if (n > 1)
        snprintf(num, sizeof(num), " %u", n);
    const char *slash = strrchr(rel, '/');
    const char *base = slash ? slash + 1 : rel;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || strlen(dot) > 16)
        dot = base + strlen(base);
    size_t stem = (size_t)(dot - base);
    size_t room = 180 - strlen(dot) - strlen(w) - strlen(num);
    if (stem > room) {
        stem = room;
        while (stem && ((unsigned char)base[stem] & 0xC0) == 0x80)
            stem--;
    }
    char *s = NULL;
    if (asprintf(&s, "%.*s%.*s (conflict %s %s%s)%s", (int)(base - rel), rel, (int)stem, base, w, stamp, num, dot) < 0)
        return NULL;
    return s;
}

static void say(syncx *x, const char *what, const char *rel)
{
    if (x->dry || g.verbose) {
        char *e = escaped(rel);
        cli_info("%s%s %s: %s", x->dry ? "would " : "", what, x->pair->name, e ? e : "?");
        free(e);
    }
}

/* A pull pair that removes after import: the copy here (local_rel) of R
 * is complete; its bytes are read back and must give the checksum of the
 * device's bytes (hash, taken as they arrived). Only then R leaves the
 * device. The caller records the outcome. */
static int remove_imported(syncx *x, const rent *R, const char *local_rel, const char *hash)
{
    say(x, "remove from the device (imported)", R->rel);
    if (x->dry) {
        x->c.removed++;
        return 0;
    }
    char lh[33];
    char *path = local_path(x, local_rel);
    struct stat sb;
    bool ok = path && hash && hash[0] && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
              (uint64_t)sb.st_size == R->size && hash_file(path, lh) == 0 && strcmp(lh, hash) == 0;
    free(path);
    if (!ok) {
        cli_err("sync %s: %s: the copy here does not match the device's (size or checksum); it stays on the device",
                x->pair->name, local_rel);
        return FERRY_EMISMATCH;
    }
    int rc = remote_delete(x, R);
    if (rc == 0)
        x->c.removed++;
    return rc;
}

/* A record for a conflict copy about to be made: the path exists on
 * neither side yet. If the run stops before the copy is recorded, the
 * next run finds the copy (complete, or not at all) where it arrived and
 * records it there instead of taking it for a new file to propagate. */
static int record_pending(syncx *x, const char *rel)
{
    return record(x, rel, NULL, NULL, "", true);
}

static const rent *find_remote(syncx *x, const char *rel)
{
    rent key = {.rel = (char *)rel};
    return x->nr ? bsearch(&key, x->r, x->nr, sizeof(*x->r), cmp_rent) : NULL;
}

/* Pulls R to a conflict name here: a copy an interrupted run made is
 * reused, a name taken by another file is never overwritten (the next
 * number is tried). */
static int conflict_pull(syncx *x, const char *rel, const rent *R, char **cn_out, char hash[33])
{
    for (unsigned n = 1; n < 100; n++) {
        char *cn = conflict_name(rel, x->device, R->mtime, n);
        char *path = cn ? local_path(x, cn) : NULL;
        if (!path) {
            free(cn);
            return FERRY_ENOMEM;
        }
        struct stat sb;
        int rc;
        lent nl = {0};
        if (lstat(path, &sb) == 0) {
            /* made by a run that stopped before recording it? (before a
             * removal after import, the device's bytes must say so) */
            char rh[33];
            bool ours = S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == R->size && sb.st_mtime == R->mtime &&
                        hash_file(path, hash) == 0 &&
                        (!x->pair->remove_after_import || (remote_hash(R, rh) == 0 && strcmp(rh, hash) == 0));
            free(path);
            if (!ours) {
                free(cn);
                continue; /* another file has that name */
            }
            nl = (lent){NULL, (uint64_t)sb.st_size, sb.st_mtime};
            rc = 0;
        } else {
            free(path);
            rc = record_pending(x, cn);
            if (rc == 0)
                rc = pull(x, R, cn, &nl, hash, FERRY_GET_NO_REPLACE);
            if (rc == FERRY_EEXIST) {
                state_del(x->db, x->device, x->pairkey, cn);
                free(cn);
                continue;
            }
        }
        if (rc == 0)
            rc = record(x, cn, NULL, &nl, "", true); /* (a conflict copy's checksum is never used) */
        if (rc == 0)
            *cn_out = cn;
        else
            free(cn);
        return rc;
    }
    return FERRY_EEXIST;
}

/* Pushes local L to a conflict name on the device (as conflict_pull). */
static int conflict_push(syncx *x, const char *rel, const lent *L)
{
    char host[256] = "this-computer";
    if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
        snprintf(host, sizeof(host), "this-computer");
    host[sizeof(host) - 1] = 0;
    for (unsigned n = 1; n < 100; n++) {
        char *cn = conflict_name(rel, host, L->mtime, n);
        if (!cn)
            return FERRY_ENOMEM;
        const rent *have = find_remote(x, cn);
        rent nr = {0};
        char hash[33] = "";
        int rc;
        if (have && (have->size != L->size || have->mtime != L->mtime)) {
            free(cn);
            continue; /* another object has that name */
        }
        if (have) {
            nr = *have;
            rc = 0;
        } else {
            rc = record_pending(x, cn);
            if (rc == 0)
                rc = push(x, L, L->rel, cn, &nr, hash, 0);
            if (rc == FERRY_EEXIST) {
                state_del(x->db, x->device, x->pairkey, cn);
                free(cn);
                continue;
            }
        }
        if (rc == 0)
            rc = record(x, cn, &nr, NULL, "", true);
        free(cn);
        return rc;
    }
    return FERRY_EEXIST;
}

/* Keeps both versions: the one each side lacks goes there under a
 * conflict name; the canonical name keeps each side's own version, and
 * nothing is overwritten. In a pull pair that removes after import, the
 * device's version leaves the device once its copy here was verified. */
static int conflict(syncx *x, const char *rel, const rent *R, const lent *L)
{
    x->c.conflicts++;
    say(x, "keep both versions (conflict) of", rel);
    bool rai = x->pair->remove_after_import;
    if (x->dry) {
        if (rai)
            x->c.removed++;
        return 0;
    }
    int rc = 0;
    enum sync_dir d = x->pair->dir;
    bool removed = false;
    if (d & SYNC_PULL) {
        char *cn = NULL;
        char hash[33] = "";
        rc = conflict_pull(x, rel, R, &cn, hash);
        if (rc == 0 && rai) {
            rc = remove_imported(x, R, cn, hash);
            removed = rc == 0;
        }
        free(cn);
    }
    if (rc == 0 && (d & SYNC_PUSH))
        rc = conflict_push(x, rel, L);
    if (rc == 0)
        rc = record(x, rel, removed ? NULL : R, L, "", true);
    return rc;
}

static int do_pull(syncx *x, const rent *R, const char *rel)
{
    say(x, "get", rel);
    if (x->dry) {
        x->c.copied++;
        if (x->pair->remove_after_import)
            x->c.removed++;
        return 0;
    }
    lent nl = {0};
    char hash[33];
    int rc = pull(x, R, rel, &nl, hash, 0);
    if (rc < 0)
        return rc;
    x->c.copied++;
    rc = record(x, rel, R, &nl, hash, false);
    if (rc == 0 && x->pair->remove_after_import) {
        rc = remove_imported(x, R, rel, hash);
        if (rc == 0)
            rc = record(x, rel, NULL, &nl, hash, false);
    }
    return rc;
}

static int do_push(syncx *x, const lent *L, const char *rel)
{
    say(x, "put", rel);
    if (x->dry) {
        x->c.copied++;
        return 0;
    }
    rent nr = {0};
    char hash[33];
    int rc = push(x, L, rel, rel, &nr, hash, FERRY_PUT_REPLACE);
    if (rc == FERRY_EBADNAME || rc == FERRY_ENAMETOOLONG) {
        char *e = escaped(rel);
        cli_warn("sync %s: skipping %s: the device cannot store this name (%s)", x->pair->name, e ? e : "?",
                 ferry_strerror(rc));
        free(e);
        x->c.skipped++;
        return 0;
    }
    if (rc < 0)
        return rc;
    x->c.copied++;
    return record(x, rel, &nr, L, hash, false);
}

static int delete_local(syncx *x, const char *rel)
{
    say(x, "delete on this computer", rel);
    x->c.deleted++;
    if (x->dry)
        return 0;
    char *path = local_path(x, rel);
    int rc = path && unlink(path) == 0 ? 0 : FERRY_ELOCAL_IO;
    if (rc < 0)
        cli_err("sync %s: cannot delete %s: %s", x->pair->name, path ? path : rel, strerror(errno));
    free(path);
    return rc == 0 ? state_del(x->db, x->device, x->pairkey, rel) : rc;
}

static int delete_remote(syncx *x, const rent *R, const char *rel)
{
    say(x, "delete on the device", rel);
    x->c.deleted++;
    if (x->dry)
        return 0;
    int rc = remote_delete(x, R);
    return rc == 0 ? state_del(x->db, x->device, x->pairkey, rel) : rc;
}

/* Same bytes on both sides (recorded, and removed from the device when
 * the pair imports), or a conflict. */
static int same_or_conflict(syncx *x, const char *rel, const rent *R, const lent *L)
{
    char hash[33];
    bool rai = x->pair->remove_after_import;
    if (!same_content(x, R, L, rai, hash))
        return conflict(x, rel, R, L);
    x->c.unchanged++;
    int rc = record(x, rel, R, L, hash, false);
    if (rc == 0 && rai) {
        rc = remove_imported(x, R, L->rel, hash);
        if (rc == 0)
            rc = record(x, rel, NULL, L, hash, false);
    }
    return rc;
}

/* The decision for one path (see the file comment). */
static int decide(syncx *x, const char *rel, const rent *R, const lent *L, const sync_rec *S)
{
    bool rchg = R && (!S || !S->has_remote || R->size != S->rsize || R->mtime != S->rmtime);
    bool lchg = L && (!S || !S->has_local || L->size != S->lsize || L->mtime != S->lmtime);
    enum sync_dir d = x->pair->dir;
    bool pull_ok = d & SYNC_PULL;
    bool push_ok = d & SYNC_PUSH;
    bool rai = x->pair->remove_after_import;

    if (S && S->conflict && !S->has_remote && !S->has_local) {
        /* a conflict copy an interrupted run was making: it stays on the
         * side where it arrived */
        x->c.unchanged++;
        return record(x, rel, R, L, "", true);
    }
    if (R && L) {
        if (!rchg && !lchg) {
            x->c.unchanged++;
            if (rai && S->hash[0]) {
                /* imported by a run that stopped before removing it */
                int rc = remove_imported(x, R, L->rel, S->hash);
                return rc == 0 ? record(x, rel, NULL, L, S->hash, false) : rc;
            }
            return 0;
        }
        if (rchg && lchg)
            return same_or_conflict(x, rel, R, L); /* changed on both, or found on both at the first sync */
        if (rchg) {
            if (!pull_ok) {
                x->c.unchanged++; /* push pair: a change on the device stays there */
                return 0;
            }
            if (!S->has_remote)
                /* new on the device under the name of a file kept only
                 * here (its device copy was deleted, or removed after
                 * import): that one is never overwritten */
                return same_or_conflict(x, rel, R, L);
            return do_pull(x, R, rel);
        }
        if (!push_ok) {
            x->c.unchanged++; /* pull pair: a local change stays local */
            return 0;
        }
        if (!S->has_local)
            return same_or_conflict(x, rel, R, L); /* new here under the name of a file kept only on the device */
        return do_push(x, L, rel);
    }
    if (R) {
        if (S && S->has_local) {
            /* deleted here since the last sync */
            if (rchg && pull_ok)
                return do_pull(x, R, rel); /* changed on the device: it wins */
            if (!rchg && push_ok && x->pair->delete_)
                return delete_remote(x, R, rel);
            x->c.unchanged++; /* remembered, not propagated */
            return record(x, rel, R, NULL, rchg ? "" : S->hash, S->conflict);
        }
        if (S && !rchg) {
            x->c.unchanged++;
            return 0;
        }
        if (pull_ok)
            return do_pull(x, R, rel);
        return 0;
    }
    if (L) {
        if (S && S->has_remote) {
            /* gone from the device since the last sync */
            if (lchg && push_ok)
                return do_push(x, L, rel); /* changed here: it wins */
            if (!lchg && pull_ok && x->pair->delete_ && !rai)
                return delete_local(x, rel);
            /* remembered, not propagated; with remove-after-import, the
             * device's copy was removed by a run that stopped before
             * recording it (or by hand): the copy here stays */
            x->c.unchanged++;
            return record(x, rel, NULL, L, lchg ? "" : S->hash, S->conflict);
        }
        if (S && !lchg) {
            x->c.unchanged++;
            return 0;
        }
        if (push_ok)
            return do_push(x, L, rel);
        return 0;
    }
    /* gone on both sides */
    return x->dry ? 0 : state_del(x->db, x->device, x->pairkey, rel);
}

/* ------------------------------------------------------------------ */

static void free_scan(syncx *x)
{
    for (size_t i = 0; i < x->nr; i++)
        free(x->r[i].rel);
    for (size_t i = 0; i < x->nl; i++)
        free(x->l[i].rel);
    for (size_t i = 0; i < x->ndirs; i++)
        free(x->dirs[i].rel);
    for (size_t i = 0; i < x->ndups; i++)
        free(x->dups[i]);
    free(x->dups);
    free(x->r);
    free(x->l);
    free(x->dirs);
}

/* Finds the pair's device folder, making it for pairs that push when
 * nothing was synced there yet. Returns 1 when it is not on the device
 * and the pair only pulls, or files were synced there (an SD card that
 * is not inserted is not a deletion of everything on it). */
static int remote_root(syncx *x, bool had_remote)
{
    ferry_object o;
    int rc = cli_resolve(x->pair->remote, &o);
    if (rc == FERRY_ENOENT && (x->pair->dir == SYNC_PULL || x->dry || had_remote))
        return 1;
    if (rc == FERRY_ENOENT)
        rc = cli_mkdir_p(x->pair->remote, &o);
    if (rc < 0) {
        cli_err("sync %s: %s: %s", x->pair->name, x->pair->remote, ferry_strerror(rc));
        return rc;
    }
    if (!o.is_folder) {
        cli_err("sync %s: %s is not a folder on the device", x->pair->name, x->pair->remote);
        free(o.name);
        return FERRY_ENOTDIR;
    }
    x->rroot = o.id;
    x->rstorage = o.storage;
    free(o.name);
    return 0;
}

/* Objects of the same name in one device folder (a device may present
 * them): none of them is synced, so that one never overwrites another's
 * copy here. x->r is sorted. */
static void drop_duplicates(syncx *x)
{
    size_t o = 0;
    for (size_t i = 0; i < x->nr;) {
        size_t j = i + 1;
        while (j < x->nr && strcmp(x->r[j].rel, x->r[i].rel) == 0)
            j++;
        if (j - i > 1) {
            char *e = escaped(x->r[i].rel);
            cli_warn("sync %s: skipping %s: %zu objects have that name on the device", x->pair->name, e ? e : "?",
                     j - i);
            free(e);
            x->c.skipped += j - i;
            if (x->ndups == x->capdups) {
                x->capdups = x->capdups ? x->capdups * 2 : 16;
                x->dups = realloc(x->dups, x->capdups * sizeof(*x->dups));
            }
            x->dups[x->ndups++] = x->r[i].rel; /* left alone on both sides */
            for (size_t k = i + 1; k < j; k++)
                free(x->r[k].rel);
        } else {
            x->r[o++] = x->r[i];
        }
        i = j;
    }
    x->nr = o;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dup(syncx *x, const char *rel)
{
    return x->ndups && bsearch(&rel, x->dups, x->ndups, sizeof(*x->dups), cmp_str);
}

static int run_pair(const sync_pair *p, const char *device, const char *pairkey, sqlite3 *db, bool dry, counts *total)
{
    syncx x = {.pair = p, .device = device, .pairkey = pairkey, .db = db, .dry = dry};
    sync_rec *st = NULL;
    size_t ns = 0;
    if (state_load(db, device, pairkey, &st, &ns) < 0)
        return FERRY_EINTERNAL;
    bool had_remote = false, had_local = false;
    for (size_t k = 0; k < ns; k++) {
        had_remote |= st[k].has_remote;
        had_local |= st[k].has_local;
    }
    int rc = remote_root(&x, had_remote);
    if (rc == 1) {
        /* a missing device folder (an SD card not inserted) is not a
         * deletion of everything in it */
        if (!g.quiet)
            cli_info("sync %s: %s is not on the device%s; nothing to do", p->name, p->remote,
                     had_remote ? " (files were synced there: make the folder to sync into it again)" : "");
        state_recs_free(st, ns);
        return 0;
    }
    if (rc == 0) {
        struct stat sb;
        if (lstat(p->local, &sb) < 0 && errno == ENOENT && had_local) {
            /* nor is a missing local folder (a disk not mounted) */
            if (!g.quiet)
                cli_info("sync %s: %s is missing (files were synced there: make the folder to sync into it "
                         "again); nothing to do",
                         p->name, p->local);
            state_recs_free(st, ns);
            return 0;
        }
    }
    if (rc == 0)
        rc = scan_remote(&x, x.rstorage, x.rroot, "");
    if (rc == 0)
        rc = scan_local(&x, p->local, "");
    if (rc == 0 && !dry && (p->dir & SYNC_PULL) && mkdir_parents(p->local, 0777) < 0) {
        cli_err("sync %s: cannot make %s: %s", p->name, p->local, strerror(errno));
        rc = errno == ENOSPC ? FERRY_ENOSPC : FERRY_ELOCAL_IO;
    }
    if (rc < 0 || cli_interrupted()) {
        free_scan(&x);
        state_recs_free(st, ns);
        return rc < 0 ? rc : FERRY_ECANCELLED;
    }
    if (x.nr) /* (qsort and bsearch want a pointer even for nothing) */
        qsort(x.r, x.nr, sizeof(*x.r), cmp_rent);
    if (x.nl)
        qsort(x.l, x.nl, sizeof(*x.l), cmp_lent);
    drop_duplicates(&x);
    uint64_t bytes = 0;
    for (size_t i = 0; i < x.nr; i++)
        bytes += x.r[i].size;
    progress_begin_job(x.nr > x.nl ? x.nr : x.nl, bytes);
    /* merge-walk the three sorted lists */
    size_t i = 0, j = 0, k = 0;
    int gone = 0;
    while ((i < x.nr || j < x.nl || k < ns) && !cli_interrupted()) {
        const char *ri = i < x.nr ? x.r[i].rel : NULL;
        const char *lj = j < x.nl ? x.l[j].rel : NULL;
        const char *sk = k < ns ? st[k].path : NULL;
        const char *m = ri;
        if (!m || (lj && strcmp(lj, m) < 0))
            m = lj;
        if (!m || (sk && strcmp(sk, m) < 0))
            m = sk;
        const rent *R = ri && !strcmp(ri, m) ? &x.r[i++] : NULL;
        const lent *L = lj && !strcmp(lj, m) ? &x.l[j++] : NULL;
        const sync_rec *S = sk && !strcmp(sk, m) ? &st[k++] : NULL;
        if (S && !R && !L && !S->has_remote && !S->has_local) {
            /* a conflict copy an interrupted run did not make */
            if (!dry)
                state_del(db, device, pairkey, m);
            continue;
        }
        if (!sync_pair_wants(p, m) || is_dup(&x, m))
            continue;
        rc = decide(&x, m, R, L, S);
        if (rc < 0) {
            if (rc == FERRY_ECANCELLED || cli_interrupted())
                break;
            x.c.failed++;
            cli_note_error(rc);
            if (rc == FERRY_ENODEV || rc == FERRY_EWEDGED) {
                gone = rc;
                break; /* the device is gone: the rest waits for the next run */
            }
        }
        rc = 0;
        cli_progress_tick();
    }
    progress_end();
    if (!g.quiet)
        cli_info("sync %s%s: %" PRIu64 " copied, %" PRIu64 " unchanged, %" PRIu64 " skipped, %" PRIu64
                 " conflicts, %" PRIu64 " failed, %" PRIu64 " deleted, %" PRIu64 " removed after import",
                 dry ? "(dry run) " : "", p->name, x.c.copied, x.c.unchanged, x.c.skipped, x.c.conflicts,
                 x.c.failed, x.c.deleted, x.c.removed);
    total->copied += x.c.copied;
    total->conflicts += x.c.conflicts;
    total->failed += x.c.failed;
    free_scan(&x);
    state_recs_free(st, ns);
    if (cli_interrupted())
        return FERRY_ECANCELLED;
    if (gone)
        return gone;
    return x.c.failed ? 1 : 0; /* 1: some files failed (g.worst says how) */
}

/* ------------------------------------------------------------------ */

static int take_lock(const char *device, int *fd_out)
{
    const char *run = getenv("XDG_RUNTIME_DIR");
    char *dir = NULL, *path = NULL;
    if (run && *run) {
        if (asprintf(&dir, "%s/ferry", run) < 0)
            return -1;
    } else {
        char *st = sync_default_state();
        dir = st ? path_dirname(st) : NULL;
        free(st);
    }
    if (!dir)
        return -1;
    mkdir_parents(dir, 0700);
    char safe[128];
    size_t o = 0;
    for (const char *s = device; *s && o + 1 < sizeof(safe); s++)
        safe[o++] = (*s == '/' || *s == ' ') ? '_' : *s;
    safe[o] = 0;
    if (asprintf(&path, "%s/sync-%s.lock", dir, safe) < 0) {
        free(dir);
        return -1;
    }
    free(dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    free(path);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return 1;
    }
    *fd_out = fd;
    return 0;
}

static void close_device(void)
{
    if (g.dev)
        ferry_dev_close(g.dev);
    g.dev = NULL;
    free(g.dev_name);
    g.dev_name = NULL;
}

/* Opens the device at bus:address ba, retrying with backoff while
 * another program has it; says so when it stays busy. */
static int open_with_retry(const char *ba, const char *label)
{
    static const unsigned waits[] = {1, 2, 4, 8};
    const char *spec = g.device_spec;
    g.device_spec = ba;
    int rc;
    for (size_t i = 0;; i++) {
        rc = cli_open_device();
        if (rc == 0)
            break;
        close_device();
        if (rc != EX_DEVBUSY || cli_interrupted())
            break;
        if (i == sizeof(waits) / sizeof(waits[0])) {
            cli_err("sync: %s stayed in use by another program; tried %zu times in %u s, giving up", label, i + 1,
                    1 + 2 + 4 + 8);
            break;
        }
        cli_info("retrying in %u s", waits[i]);
        sleep(waits[i]);
        if (cli_interrupted())
            break;
    }
    g.device_spec = spec;
    return rc;
}

/* Whether -d (or FERRY_DEVICE) chose the device: bus:address, port path,
 * serial number or product name; all devices without -d. */
static bool device_chosen(const ferry_device_desc *dv)
{
    const char *spec = g.device_spec;
    if (!spec || !*spec)
        return true;
    char ba[16];
    snprintf(ba, sizeof(ba), "%u:%u", dv->bus, dv->address);
    return !strcmp(spec, ba) || !strcmp(spec, dv->port_path) || (dv->serial && !strcmp(spec, dv->serial)) ||
           (dv->product && !strcasecmp(spec, dv->product));
}

static void usage_sync(FILE *out)
{
    fprintf(out,
            "Usage: %s [-d DEVICE] sync [OPTIONS]\n"
            "       %s [-d DEVICE] sync --pull DEVICE_PATH LOCAL_DIR [OPTIONS]\n"
            "       %s [-d DEVICE] sync --push LOCAL_DIR DEVICE_PATH [OPTIONS]\n"
            "       %s [-d DEVICE] sync --both DEVICE_PATH LOCAL_DIR [OPTIONS]\n"
            "Without --pull/--push/--both: the pairs configured for every connected device\n"
            "(or the one chosen with -d) in %s/ferry/sync.conf and\n"
            "$XDG_CONFIG_HOME/ferry/sync.conf; nothing to do for a device without pairs.\n"
            "Options:\n"
            "  -n, --dry-run              show what would happen, change nothing\n"
            "      --delete               (ad hoc) propagate deletions\n"
            "      --remove-after-import  (ad hoc --pull) delete from the device once the\n"
            "                             copy is verified\n"
            "      --include GLOB         (ad hoc) only matching paths; repeatable\n"
            "      --exclude GLOB         (ad hoc) not matching paths; repeatable\n"
            "      --config FILE          read this file instead of the configured ones\n"
            "      --state FILE           the state store (default $XDG_STATE_HOME/ferry/sync.db)\n"
            "      --system               only %s/ferry/sync.conf (the system unit)\n"
            "      --user                 only $XDG_CONFIG_HOME/ferry/sync.conf (the user unit)\n",
            g.prog, g.prog, g.prog, g.prog, SYSCONFDIR, SYSCONFDIR);
}

int cmd_sync(int argc, char **argv)
{
    static const struct option opts[] = {
        {"pull", no_argument, NULL, 'P'},    {"push", no_argument, NULL, 'U'},
        {"both", no_argument, NULL, 'B'},    {"dry-run", no_argument, NULL, 'n'},
        {"delete", no_argument, NULL, 'D'},  {"remove-after-import", no_argument, NULL, 'R'},
        {"include", required_argument, NULL, 'i'}, {"exclude", required_argument, NULL, 'x'},
        {"config", required_argument, NULL, 'c'},  {"state", required_argument, NULL, 's'},
        {"system", no_argument, NULL, 'S'},  {"user", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},    {NULL, 0, NULL, 0},
    };
    sync_pair adhoc = {0};
    const char *config = NULL, *statef = NULL;
    bool dry = false;
    enum sync_conf_files which = SYNC_CONF_BOTH;
    int o;
    while ((o = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
        switch (o) {
        case 'P': adhoc.dir = SYNC_PULL; break;
        case 'U': adhoc.dir = SYNC_PUSH; break;
        case 'B': adhoc.dir = SYNC_BOTH; break;
        case 'n': dry = true; break;
        case 'D': adhoc.delete_ = true; break;
        case 'R': adhoc.remove_after_import = true; break;
        case 'i':
            adhoc.include = realloc(adhoc.include, (adhoc.ninclude + 1) * sizeof(char *));
            adhoc.include[adhoc.ninclude++] = strdup(optarg);
            break;
        case 'x':
            adhoc.exclude = realloc(adhoc.exclude, (adhoc.nexclude + 1) * sizeof(char *));
            adhoc.exclude[adhoc.nexclude++] = strdup(optarg);
            break;
        case 'c': config = optarg; break;
        case 's': statef = optarg; break;
        case 'S': which = SYNC_CONF_SYSTEM; break;
        case 'u': which = SYNC_CONF_USER; break;
        case 'h': usage_sync(stdout); sync_pair_free(&adhoc); return 0;
        default: usage_sync(stderr); sync_pair_free(&adhoc); return EX_USAGE_;
        }
    }
    sync_config cfg = {0};
    int rest = argc - optind;
    if (adhoc.dir) {
        if (rest != 2 || (adhoc.remove_after_import && adhoc.dir != SYNC_PULL)) {
            static const char *opt[] = {"", "--pull", "--push", "--both"};
            if (rest != 2)
                cli_err("sync: %s needs two folders (%s)", opt[adhoc.dir],
                        adhoc.dir == SYNC_PUSH ? "LOCAL_DIR DEVICE_PATH" : "DEVICE_PATH LOCAL_DIR");
            else
                cli_err("sync: --remove-after-import goes with --pull only");
            usage_sync(stderr);
            sync_pair_free(&adhoc);
            return EX_USAGE_;
        }
        const char *rem = adhoc.dir == SYNC_PUSH ? argv[optind + 1] : argv[optind];
        const char *loc = adhoc.dir == SYNC_PUSH ? argv[optind] : argv[optind + 1];
        adhoc.remote = remote_abs(rem);
        char *l = sync_expand_home(loc);
        adhoc.local = l ? realpath(l, NULL) : NULL;
        if (!adhoc.local && l && l[0] == '/')
            adhoc.local = strdup(l); /* made by the sync */
        else if (!adhoc.local && l) {
            char cwd[PATH_MAX];
            if (getcwd(cwd, sizeof(cwd)) && asprintf(&adhoc.local, "%s/%s", cwd, l) < 0)
                adhoc.local = NULL;
        }
        free(l);
        static const char *names[] = {"", "pull", "push", "both"};
        if (asprintf(&adhoc.name, "adhoc-%s:%s:%s", names[adhoc.dir], adhoc.remote, adhoc.local) < 0)
            adhoc.name = NULL;
        adhoc.file = strdup("(command line)");
        cfg.pairs = &adhoc;
        cfg.n = 1;
    } else {
        bool adhoc_opts = adhoc.delete_ || adhoc.remove_after_import || adhoc.ninclude || adhoc.nexclude;
        sync_pair_free(&adhoc);
        if (adhoc_opts) {
            cli_err("sync: --delete, --remove-after-import, --include and --exclude go with --pull, --push or --both "
                    "(configured pairs have their own keys)");
            usage_sync(stderr);
            return EX_USAGE_;
        }
        if (rest) {
            cli_err("sync: unexpected argument \"%s\" (one pair ad hoc: --pull, --push or --both)", argv[optind]);
            usage_sync(stderr);
            return EX_USAGE_;
        }
        if (sync_config_load(&cfg, config, which) < 0)
            return EX_USAGE_;
    }
    char *state_path = statef ? strdup(statef) : sync_default_state();
    sqlite3 *db = NULL;
    struct stat sb;
    if (dry && state_path && stat(state_path, &sb) < 0 && errno == ENOENT) {
        /* a dry run leaves no trace: no state store yet, an empty one */
        free(state_path);
        state_path = strdup(":memory:");
    }
    if (!state_path || state_open(state_path, &db) < 0) {
        free(state_path);
        if (adhoc.dir)
            sync_pair_free(&adhoc);
        else
            sync_config_free(&cfg);
        return EX_FAIL;
    }
    free(state_path);

    /* which devices */
    ferry_device_desc *list = NULL;
    size_t n = 0;
    int rc = ferry_devices(g.ctx, &list, &n);
    if (rc < 0) {
        cli_err("cannot list devices: %s", ferry_strerror(rc));
        n = 0;
    }
    int result = 0;
    bool any = false;
    counts total = {0};
    size_t matching = 0;
    for (size_t d = 0; d < n; d++)
        if (device_chosen(&list[d]))
            matching++;
    if (adhoc.dir && matching > 1) {
        /* one pair ad hoc is for one device */
        cli_err("several devices are connected; choose one with -d SERIAL, -d NAME or -d BUS:ADDRESS:");
        for (size_t d = 0; d < n; d++)
            if (device_chosen(&list[d]))
                fprintf(stderr, "  %u:%u  %s  %s\n", list[d].bus, list[d].address,
                        list[d].serial ? list[d].serial : "-", list[d].product ? list[d].product : "-");
        matching = 0;
        result = EX_USAGE_;
    } else if (!matching && g.device_spec && *g.device_spec) {
        cli_err("no device matches \"%s\" (see `%s devices`)", g.device_spec, g.prog);
        result = EX_NODEVICE;
    } else if (!matching && adhoc.dir) {
        cli_err("no MTP/PTP device is connected");
        result = EX_NODEVICE;
    }
    for (size_t d = 0; d < n && matching && !cli_interrupted(); d++) {
        ferry_device_desc *dv = &list[d];
        char ba[16];
        snprintf(ba, sizeof(ba), "%u:%u", dv->bus, dv->address);
        if (!device_chosen(dv))
            continue;
        bool has = false;
        for (size_t i = 0; i < cfg.n; i++)
            if (adhoc.dir || sync_pair_matches(&cfg.pairs[i], dv->serial, dv->product))
                has = true;
        if (!has)
            continue; /* a device nobody configured: nothing to do */
        any = true;
        char *devkey = NULL;
        if (asprintf(&devkey, "%s", dv->serial && *dv->serial ? dv->serial : dv->product ? dv->product : ba) < 0)
            break;
        int lockfd = -1;
        int lk = take_lock(devkey, &lockfd);
        if (lk < 0)
            cli_warn("sync: cannot make the lock of %s (%s); going on without", devkey, strerror(errno));
        if (lk == 1) {
            cli_err("sync: another ferry sync is running for %s", devkey);
            result = result ? result : EX_DEVBUSY;
            free(devkey);
            continue;
        }
        rc = open_with_retry(ba, devkey);
        if (rc) {
            result = result ? result : rc;
        } else {
            for (size_t i = 0; i < cfg.n && !cli_interrupted(); i++) {
                const sync_pair *p = &cfg.pairs[i];
                if (!adhoc.dir && !sync_pair_matches(p, dv->serial, dv->product))
                    continue;
                int pr = run_pair(p, devkey, p->name, db, dry, &total);
                if (pr > 0 && !result)
                    result = g.worst ? g.worst : EX_FAIL;
                else if (pr < 0 && !result)
                    result = pr == FERRY_ECANCELLED ? 0 : cli_exit_code(pr);
                if (pr == FERRY_ENODEV || pr == FERRY_EWEDGED)
                    break;
            }
            close_device();
        }
        if (lockfd >= 0)
            close(lockfd);
        free(devkey);
    }
    if (!any && !result && !cli_interrupted() && g.verbose)
        cli_info("sync: no configured pair for the connected device(s); nothing to do");
    ferry_devices_free(list, n);
    state_close(db);
    if (adhoc.dir)
        sync_pair_free(&adhoc);
    else
        sync_config_free(&cfg);
    if (!result && total.failed)
        result = g.worst ? g.worst : EX_FAIL;
    return result;
}
