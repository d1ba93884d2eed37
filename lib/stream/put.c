/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Transactional uploads (C14, C15): send under a temporary name, rename
 * when complete, delete on revert, failure or cancel. See ferry/stream.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ferry/stream.h>

#include "link/internal.h"
#include "stream/stream.h"
#include "util/mem.h"

#define PART_PREFIX ".ferry-part-"
#define OLD_PREFIX ".ferry-old-"
#define EDIT_CHUNK (64ull << 20)

/* ------------------------------------------------------------------ */
/* Names                                                                 */

static uint32_t fnv1a(const void *p, size_t n, uint32_t h)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return h;
}

/* prefix + 8 hex + "-" + name, with the name cut (at a UTF-8 boundary) so
 * the whole fits in a PTP string and in 255 bytes of UTF-8: devices keep
 * their objects as files (NAME_MAX 255 on ext4, f2fs, FAT's long names
 * through the kernel), so a longer temporary name is refused although the
 * real name fits. */
static char *special_name(const char *prefix, uint32_t tag, const char *name)
{
    size_t nl = strlen(name);
    for (;;) {
        char *s = NULL;
        if (asprintf(&s, "%s%08x-%.*s", prefix, tag, (int)nl, name) < 0)
            return NULL;
        if (strlen(s) <= 255 && fc_str_check(s) == 0) {
            char *r = fy_strdup(s);
            free(s);
            return r;
        }
        free(s);
        if (nl == 0)
            return NULL;
        nl--;
        while (nl && ((unsigned char)name[nl] & 0xC0) == 0x80)
            nl--;
    }
}

/* The real name behind a special name, or NULL. */
static const char *special_target(const char *prefix, const char *s)
{
    size_t pl = strlen(prefix);
    if (strncmp(s, prefix, pl) != 0 || strlen(s) < pl + 9 || s[pl + 8] != '-')
        return NULL;
    for (size_t i = 0; i < 8; i++) {
        char c = s[pl + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return NULL;
    }
    return s + pl + 9;
}

static uint32_t random_tag(void)
{
    uint32_t v = 0;
    if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        v = (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() << 16;
    }
    return v;
}

/* ------------------------------------------------------------------ */
/* Cleanup of what interrupted uploads left                              */

int fs_cleanup_folder(fl_link *l, ferry_op *op, uint32_t storage, uint32_t folder, const char *keep)
{
    const fl_dircache *d;
    int rc = fl_dircache_get(l, op, storage, folder, &d);
    if (rc < 0)
        return rc;
    /* what to do, decided on a copy: the actions change the cache */
    ferry_object *todo = NULL;
    char **restore = NULL;
    size_t ntodo = 0;
    for (size_t i = 0; i < d->n; i++) {
        const ferry_object *o = &d->ents[i];
        if (o->is_folder || (keep && strcmp(o->name, keep) == 0))
            continue;
        const char *real = special_target(OLD_PREFIX, o->name);
        if (!special_target(PART_PREFIX, o->name) && !real)
            continue;
        ferry_object *nt = fy_realloc(todo, (ntodo + 1) * sizeof(*nt));
        char **nr = fy_realloc(restore, (ntodo + 1) * sizeof(*nr));
        if (nt)
            todo = nt;
        if (nr)
            restore = nr;
        if (!nt || !nr || fl_object_copy(&todo[ntodo], o) < 0) {
            rc = FERRY_ENOMEM;
            break;
        }
        restore[ntodo] = NULL;
        if (real) {
            bool taken = false;
            for (size_t j = 0; j < d->n; j++)
                if (strcmp(d->ents[j].name, real) == 0)
                    taken = true;
            if (!taken)
                restore[ntodo] = fy_strdup(real);
        }
        ntodo++;
    }
    for (size_t i = 0; i < ntodo && rc == 0; i++) {
        const ferry_object *o = &todo[i];
        if (restore[i]) {
            FY_WARN(l->log, "cleanup: restoring %s as %s (an interrupted replace)", o->name, restore[i]);
            rc = fl_set_name(l, NULL, o->id, restore[i]);
        } else {
            FY_INFO(l->log, "cleanup: deleting %s (left by an interrupted upload)", o->name);
            rc = fl_delete_object(l, NULL, o->id);
        }
        if (rc == FERRY_ENOENT)
            rc = 0;
        if (rc == 0 && op) {
            ferry_item it = {.kind = FERRY_ITEM_OBJECT};
            it.u.object = *o;
            fl_op_item(op, &it);
        }
    }
    for (size_t i = 0; i < ntodo; i++) {
        fy_free(todo[i].name);
        fy_free(restore[i]);
    }
    fy_free(todo);
    fy_free(restore);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Sources                                                               */

/* Copies a source of unknown size into an unlinked temporary file. */
static int spool(const ferry_data *src, ferry_op *op, int *fd_out, uint64_t *size)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/ferry-spool-XXXXXX", dir);
        fd = mkostemp(path, O_CLOEXEC);
        if (fd >= 0)
            unlink(path);
    }
    if (fd < 0)
        return FERRY_ELOCAL_IO;
    uint8_t *buf = fy_malloc(1 << 20);
    if (!buf) {
        close(fd);
        return FERRY_ENOMEM;
    }
    uint64_t total = 0;
    int rc = 0;
    for (;;) {
        if (op && fl_op_cancelled(op)) {
            rc = FERRY_ECANCELLED;
            break;
        }
        ssize_t n = src->get(src->priv, buf, 1 << 20);
        if (n == FL_SRC_AGAIN)
            continue;
        if (n < 0) {
            rc = (int)n;
            break;
        }
        if (n == 0)
            break;
        const uint8_t *p = buf;
        size_t left = (size_t)n;
        while (left) {
            ssize_t w = write(fd, p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = errno == ENOSPC ? FERRY_ENOSPC : FERRY_ELOCAL_IO;
                break;
            }
            p += w;
            left -= (size_t)w;
        }
        if (rc)
            break;
        total += (uint64_t)n;
    }
    fy_free(buf);
    if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
        rc = FERRY_ELOCAL_IO;
    if (rc < 0) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    *size = total;
    return 0;
}

/* A source limited to the next `left` bytes of another. */
typedef struct limit_src {
    const ferry_data *inner;
    uint64_t left;
} limit_src;

static ssize_t limit_get(void *priv, void *buf, size_t len)
{
    limit_src *s = priv;
    if (!s->left)
        return 0;
    if (len > s->left)
        len = (size_t)s->left;
    ssize_t n = s->inner->get(s->inner->priv, buf, len);
    if (n > 0)
        s->left -= (uint64_t)n;
    return n;
}

/* Skips `n` bytes of a source (resuming: the device has them). */
static int skip_source(const ferry_data *src, uint64_t n)
{
    uint8_t buf[65536];
    while (n) {
        ssize_t g = src->get(src->priv, buf, n < sizeof(buf) ? (size_t)n : sizeof(buf));
        if (g == FL_SRC_AGAIN)
            continue;
        if (g <= 0)
            return g < 0 ? (int)g : FERRY_EMISMATCH;
        n -= (uint64_t)g;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The put operation                                                     */

static void put_params_free(fs_put *p)
{
    if (!p)
        return;
    if (p->spool_fd >= 0)
        close(p->spool_fd);
    fy_free(p->name);
    fy_free(p->temp_name);
    fy_free(p);
}

static void cleanup_put(ferry_op *op)
{
    put_params_free(op->p.ext);
}

/* Deletes the partial object (C15). The operation may be cancelled: the
 * cleaning transactions run on the link without it. */
static void revert(fl_link *l, fs_put *p)
{
    if (!p->created)
        return;
    if (fl_link_ready(l) < 0) {
        FY_ERR(l->log, "upload %s: the device cannot be cleaned: %s is left", p->name, p->temp_name);
        return;
    }
    int rc = fl_delete_object(l, NULL, p->temp_id);
    if (rc < 0 && rc != FERRY_ENOENT)
        FY_ERR(l->log, "upload %s: deleting the partial object failed: %s", p->name, ferry_strerror(rc));
    else
        p->created = false;
    fl_dircache_forget(l, p->storage, p->parent);
}

static int find_child(fl_link *l, ferry_op *op, uint32_t storage, uint32_t folder, const char *name,
                      ferry_object *out)
{
    memset(out, 0, sizeof(*out));
    const fl_dircache *d;
    int rc = fl_dircache_get(l, op, storage, folder, &d);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->ents[i].name, name) == 0)
            return fl_object_copy(out, &d->ents[i]);
    return FERRY_ENOENT;
}

/* Sends the data with the edit extensions in chunks, from `from`. */
static int send_edit(fl_link *l, ferry_op *op, fs_put *p, const ferry_data *src, uint64_t from)
{
    fl_txn b = {.code = FC_OC_BeginEditObject, .nparams = 1, .params = {p->temp_id}, .no_cancel = true};
    int rc = fl_transact_ok(l, op, &b);
    if (rc < 0)
        return rc;
    uint64_t off = from;
    while (off < p->size && rc == 0) {
        uint64_t chunk = p->size - off > EDIT_CHUNK ? EDIT_CHUNK : p->size - off;
        limit_src ls = {src, chunk};
        ferry_data lim = {limit_get, NULL, &ls};
        fl_txn t = {.code = FC_OC_SendPartialObject, .nparams = 4,
                    .params = {p->temp_id, (uint32_t)off, (uint32_t)(off >> 32), (uint32_t)chunk},
                    .dir = FL_DATA_OUT, .out_src = &lim, .out_len = chunk, .progress = true,
                    .progress_base = off, .progress_total = p->size};
        rc = fl_transact_ok(l, op, &t);
        if (rc == 0)
            off += chunk;
    }
    if (rc < 0)
        return rc;
    fl_txn e = {.code = FC_OC_EndEditObject, .nparams = 1, .params = {p->temp_id}, .no_cancel = true};
    return fl_transact_ok(l, op, &e);
}

static int run_put(fl_link *l, ferry_op *op)
{
    fs_put *p = op->p.ext;
    bool resumable = false;
    int rc = fl_parent_storage(l, op, p->storage, p->parent, &p->storage);
    if (rc < 0)
        goto fail;
    resumable = (p->flags & FERRY_PUT_RESUME) && l->has_edit && l->can_rename;
    /* the tag of a resumable upload is the same for the same source */
    uint32_t tag = random_tag();
    if (resumable) {
        uint32_t h = fnv1a(p->name, strlen(p->name), 2166136261u);
        h = fnv1a(&p->size, sizeof(p->size), h);
        tag = fnv1a(&p->mtime, sizeof(p->mtime), h);
    }
    if (l->can_rename) {
        p->temp_name = special_name(PART_PREFIX, tag, p->name);
        if (!p->temp_name) {
            rc = FERRY_ENOMEM;
            goto fail;
        }
    }
    /* what earlier interrupted uploads left here goes first */
    rc = fs_cleanup_folder(l, op, p->storage, p->parent, resumable ? p->temp_name : NULL);
    if (rc < 0)
        goto fail;
    ferry_object old;
    rc = find_child(l, op, p->storage, p->parent, p->name, &old);
    bool replace = rc == 0;
    if (rc < 0 && rc != FERRY_ENOENT)
        goto fail;
    uint32_t old_id = replace ? old.id : 0;
    bool old_folder = replace && old.is_folder;
    fl_object_clear(&old);
    if (replace && (!(p->flags & FERRY_PUT_REPLACE) || old_folder)) {
        fl_op_set_error(op, "%s: %s exists on the device", p->name, old_folder ? "a folder of that name" : "it");
        rc = old_folder ? FERRY_EISDIR : FERRY_EEXIST;
        goto fail;
    }
    const ferry_data *src = &p->src;
    ferry_data_state spool_st;
    ferry_data spool_src;
    if (p->size == FERRY_SIZE_UNKNOWN) {
        rc = spool(src, op, &p->spool_fd, &p->size);
        if (rc < 0)
            goto fail;
        spool_src = ferry_data_fd(&spool_st, p->spool_fd);
        src = &spool_src;
    }
    if (!l->can_rename && replace) {
        /* no rename on this device: the old object goes first */
        rc = fl_delete_object(l, op, old_id);
        if (rc < 0)
            goto fail;
        replace = false;
    }
    const char *send_name = p->temp_name ? p->temp_name : p->name;
    uint64_t resume_from = 0;
    if (resumable) {
        ferry_object part;
        if (find_child(l, op, p->storage, p->parent, send_name, &part) == 0) {
            if (!part.is_folder && part.size <= p->size) {
                p->temp_id = part.id;
                p->created = true;
                resume_from = part.size;
                FY_INFO(l->log, "upload %s: resuming at %" PRIu64 " of %" PRIu64 " bytes", p->name, resume_from,
                        p->size);
            }
            fl_object_clear(&part);
        }
    }
    if (!p->created) {
        rc = fl_send_object_info(l, op, p->storage, p->parent, send_name, false, resumable ? 0 : p->size, p->mtime,
                                 &p->temp_id);
        if (rc < 0)
            goto fail;
        p->created = true;
        if (resumable) {
            /* an empty object to edit */
            ferry_data_state est;
            ferry_data empty = ferry_data_buffer(&est, NULL, 0);
            rc = fl_send_object(l, op, &empty, 0);
            if (rc < 0)
                goto fail;
        }
    }
    if (p->stream)
        fs_stream_accepted(p->stream, 0);
    if (resumable) {
        if (resume_from && (rc = skip_source(src, resume_from)) < 0)
            goto fail;
        rc = send_edit(l, op, p, src, resume_from);
    } else {
        rc = fl_send_object(l, op, src, p->size);
    }
    if (rc < 0)
        goto fail;
    /* an upload stream is finished when the application commits it, not
     * when its last byte went out: until then revert still works (C14) */
    if (p->stream && (rc = fs_stream_wait_commit(p->stream, op)) < 0)
        goto fail;
    /* the commit point: until the rename nothing is finished; a cancel
     * that came meanwhile still reverts */
    if (fl_op_cancelled(op)) {
        rc = FERRY_ECANCELLED;
        goto fail;
    }
    char *old_name = NULL;
    if (replace) {
        old_name = special_name(OLD_PREFIX, random_tag(), p->name);
        rc = old_name ? fl_set_name(l, NULL, old_id, old_name) : FERRY_ENOMEM;
        fy_free(old_name);
        if (rc < 0)
            goto fail;
    }
    if (p->temp_name) {
        rc = fl_set_name(l, NULL, p->temp_id, p->name);
        if (rc < 0) {
            if (replace)
                fl_set_name(l, NULL, old_id, p->name); /* put the old one back */
            goto fail;
        }
    }
    p->created = false; /* committed: it is the real object now */
    p->committed = true;
    if (replace) {
        rc = fl_delete_object(l, NULL, old_id);
        if (rc < 0)
            FY_WARN(l->log, "upload %s: the replaced object stays set aside: %s", p->name, ferry_strerror(rc));
    }
    /* the listing cache followed every step; the object is as we made it */
    ferry_object o;
    rc = fl_cache_object(l, p->temp_id, &o);
    if (rc < 0)
        rc = fl_get_object(l, NULL, p->temp_id, &o);
    if (rc == 0) {
        ferry_item it = {.kind = FERRY_ITEM_OBJECT};
        it.u.object = o;
        fl_op_item(op, &it);
        if (p->stream)
            fs_stream_result(p->stream, &o);
        fl_object_clear(&o);
    }
    return 0;
fail:
    if (p->stream)
        fs_stream_accepted(p->stream, rc);
    /* a resumable upload that was interrupted keeps its part object for
     * the next run; one the device refused is reverted like any other */
    if (atomic_load(&p->revert_always) ||
        !(resumable && (rc == FERRY_ECANCELLED || rc == FERRY_ENODEV || rc == FERRY_EWEDGED || rc == FERRY_EIO)))
        revert(l, p);
    return rc;
}

const fl_op_kind fs_put_kind = {"put", run_put, cleanup_put, false};

int fs_put_start(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, uint64_t size, int64_t mtime,
                 const ferry_data *src, unsigned flags, const ferry_op_cbs *cbs, ferry_op **out, fs_stream *stream)
{
    if (!out || !src || !src->get || (flags & ~(FERRY_PUT_REPLACE | FERRY_PUT_RESUME)) ||
        (parent == FERRY_ROOT && storage == 0))
        return FERRY_EINVAL;
    int rc = fl_check_name(name);
    if (rc < 0)
        return rc;
    fs_put *p = fy_calloc(1, sizeof(*p));
    if (!p)
        return FERRY_ENOMEM;
    p->spool_fd = -1;
    p->name = fy_strdup(name);
    if (!p->name) {
        fy_free(p);
        return FERRY_ENOMEM;
    }
    p->storage = storage;
    p->parent = parent;
    p->size = size;
    p->mtime = mtime == FERRY_MTIME_NONE ? -1 : mtime;
    p->src = *src;
    p->flags = flags;
    p->stream = stream;
    ferry_op *op;
    rc = fl_op_new(h, &fs_put_kind, cbs, &op);
    if (rc < 0) {
        put_params_free(p);
        return rc;
    }
    op->p.ext = p;
    /* before it is queued: an upload stream's source (stream_get, on the
     * link thread) reads it, and the queue's lock orders the two */
    *out = op;
    rc = fl_op_queue(op);
    if (rc < 0) {
        *out = NULL;
        fl_op_discard(op);
        return rc;
    }
    return 0;
}

FERRY_API int ferry_put(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, uint64_t size,
                        int64_t mtime, const ferry_data *src, unsigned flags, const ferry_op_cbs *cbs, ferry_op **out)
{
    return fs_put_start(h, storage, parent, name, size, mtime, src, flags, cbs, out, NULL);
}

/* ------------------------------------------------------------------ */
/* ferry_cleanup                                                         */

static int run_cleanup(fl_link *l, ferry_op *op)
{
    uint32_t st;
    int rc = fl_parent_storage(l, op, op->p.list.storage, op->p.list.folder, &st);
    if (rc < 0)
        return rc;
    return fs_cleanup_folder(l, op, st, op->p.list.folder, NULL);
}

static const fl_op_kind k_cleanup = {"cleanup", run_cleanup, NULL, false};

FERRY_API int ferry_cleanup(ferry_dev *h, uint32_t storage, uint32_t folder, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (!out || (folder == FERRY_ROOT && storage == 0))
        return FERRY_EINVAL;
    ferry_op *op;
    int rc = fl_op_new(h, &k_cleanup, cbs, &op);
    if (rc < 0)
        return rc;
    op->p.list.storage = storage;
    op->p.list.folder = folder;
    rc = fl_op_queue(op);
    if (rc < 0) {
        fl_op_discard(op);
        return rc;
    }
    *out = op;
    return 0;
}
