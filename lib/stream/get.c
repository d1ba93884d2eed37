/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Downloads to a local path (C16): a part file in the target folder,
 * flushed, renamed over the target only when complete.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "stream/stream.h"
#include "util/mem.h"

#define PART_SUFFIX ".ferry-part"
#define PART_XATTR "user.ferry.part"

typedef struct get_params {
    uint32_t id;
    char *path;
    unsigned flags;
    ferry_data tee;
    bool has_tee;
} get_params;

typedef struct tee_sink {
    ferry_data *file;
    const ferry_data *tee;
} tee_sink;

static int tee_put(void *priv, const void *buf, size_t len)
{
    tee_sink *t = priv;
    int rc = t->file->put(t->file->priv, buf, len);
    return rc < 0 ? rc : t->tee->put(t->tee->priv, buf, len);
}

/* Writes behind the download: every WB_CHUNK bytes the kernel is asked to
 * start writing the last chunk out, so the fsync before the rename has
 * little left to do instead of a whole object's dirty pages. Asynchronous:
 * the transfer does not wait for the disk here. */
#define WB_CHUNK (2u << 20)

typedef struct wb_sink {
    const ferry_data *inner;
    int fd;
    uint64_t pos, kicked; /* file offsets */
} wb_sink;

static int wb_put(void *priv, const void *buf, size_t len)
{
    wb_sink *w = priv;
    int rc = w->inner->put(w->inner->priv, buf, len);
    if (rc < 0)
        return rc;
    w->pos += len;
#ifdef HAVE_SYNC_FILE_RANGE
    if (w->pos - w->kicked >= WB_CHUNK) {
        (void)sync_file_range(w->fd, (off_t)w->kicked, (off_t)(w->pos - w->kicked), SYNC_FILE_RANGE_WRITE);
        w->kicked = w->pos;
    }
#endif
    return 0;
}

static void cleanup_get(ferry_op *op)
{
    get_params *g = op->p.ext;
    if (g) {
        fy_free(g->path);
        fy_free(g);
    }
}

static int local_err(int e)
{
    switch (e) {
    case ENOSPC:
    case EDQUOT: return FERRY_ENOSPC;
    case EACCES:
    case EPERM:
    case EROFS: return FERRY_EACCESS;
    case ENOENT: return FERRY_ENOENT;
    case ENOTDIR: return FERRY_ENOTDIR;
    case ENAMETOOLONG: return FERRY_ENAMETOOLONG;
    case EEXIST: return FERRY_EEXIST;
    case EISDIR: return FERRY_EISDIR;
    default: return FERRY_ELOCAL_IO;
    }
}

/* "<dir>/.<base>.ferry-part", the base cut so the name fits NAME_MAX;
 * *dir_out gets the folder (for the fsync after the rename). */
static char *part_path(const char *path, char **dir_out)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t bl = strlen(base);
    size_t room = NAME_MAX - 1 - strlen(PART_SUFFIX);
    if (bl > room) {
        bl = room;
        while (bl && ((unsigned char)base[bl] & 0xC0) == 0x80)
            bl--;
    }
    char *dir = !slash ? fy_strdup(".") : slash == path ? fy_strdup("/") : fy_strndup(path, (size_t)(slash - path));
    char *p = NULL;
    if (!dir || asprintf(&p, "%s/.%.*s%s", dir, (int)bl, base, PART_SUFFIX) < 0) {
        fy_free(dir);
        return NULL;
    }
    char *r = fy_strdup(p);
    free(p);
    if (!r) {
        fy_free(dir);
        return NULL;
    }
    *dir_out = dir;
    return r;
}

static int run_get(fl_link *l, ferry_op *op)
{
    get_params *g = op->p.ext;
    ferry_object o;
    int rc = fl_find_object(l, op, g->id, &o); /* just listed, most of the time */
    if (rc < 0)
        return rc;
    if (o.is_folder) {
        fl_object_clear(&o);
        return FERRY_EISDIR;
    }
    char *dir = NULL;
    char *part = part_path(g->path, &dir);
    if (!part) {
        fl_object_clear(&o);
        return FERRY_ENOMEM;
    }
    int fd = -1;
    uint64_t offset = 0;
    char tag[64];
    snprintf(tag, sizeof(tag), "%" PRIu64 ":%" PRId64, o.size, o.mtime);
    struct stat sb;
    if ((g->flags & FERRY_GET_NO_REPLACE) && lstat(g->path, &sb) == 0) {
        fl_op_set_error(op, "%s: exists", g->path);
        rc = FERRY_EEXIST;
        goto out;
    }
    if ((g->flags & FERRY_GET_RESUME) && lstat(part, &sb) == 0 && S_ISREG(sb.st_mode)) {
        char have[64] = "";
        ssize_t n = getxattr(part, PART_XATTR, have, sizeof(have) - 1);
        if (n > 0 && (size_t)n == strlen(tag) && memcmp(have, tag, (size_t)n) == 0 &&
            (uint64_t)sb.st_size <= o.size) {
            fd = open(part, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0) {
                offset = (uint64_t)sb.st_size;
                FY_INFO(l->log, "get %s: resuming at %" PRIu64 " of %" PRIu64 " bytes", o.name, offset, o.size);
            }
        }
    }
    if (fd < 0) {
        /* a stale part file (or a symlink planted in its place) goes */
        if (unlink(part) < 0 && errno != ENOENT) {
            rc = local_err(errno);
            fl_op_set_error(op, "%s: %s", part, strerror(errno));
            goto out;
        }
        fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) {
            rc = local_err(errno);
            fl_op_set_error(op, "%s: %s", part, strerror(errno));
            goto out;
        }
        if (g->flags & FERRY_GET_RESUME)
            (void)fsetxattr(fd, PART_XATTR, tag, strlen(tag), 0); /* no xattrs: no resume, fine */
    }
    if (lseek(fd, (off_t)offset, SEEK_SET) < 0) {
        rc = FERRY_ELOCAL_IO;
        goto out;
    }
    ferry_data_state st;
    ferry_data sink = ferry_data_fd(&st, fd);
    wb_sink wb = {&sink, fd, offset, offset};
    ferry_data behind = {NULL, wb_put, &wb};
    tee_sink teed = {&behind, &g->tee};
    ferry_data both = {NULL, tee_put, &teed};
    rc = fl_read_object(l, op, &o, offset, FERRY_TO_END, g->has_tee ? &both : &behind);
    if (rc == FERRY_ENOSPC || rc == FERRY_ELOCAL_IO)
        fl_op_set_error(op, "%s: %s", g->path, strerror(st.err));
    if (rc == 0 && fsync(fd) < 0) {
        rc = local_err(errno);
        fl_op_set_error(op, "%s: %s", g->path, strerror(errno));
    }
    if (rc == 0 && (g->flags & FERRY_GET_PRESERVE_MTIME) && o.mtime >= 0) {
        struct timespec ts[2] = {{o.mtime, 0}, {o.mtime, 0}};
        futimens(fd, ts);
    }
    if (rc == 0)
        (void)fremovexattr(fd, PART_XATTR);
    if (close(fd) < 0 && rc == 0)
        rc = local_err(errno);
    fd = -1;
    if (rc == 0) {
        if (fl_op_cancelled(op)) {
            rc = FERRY_ECANCELLED; /* not renamed yet: the cancel still wins */
        } else if (rename(part, g->path) < 0) {
            rc = local_err(errno);
            fl_op_set_error(op, "%s: %s", g->path, strerror(errno));
        }
        /* the data was flushed before the rename, so after a crash the
         * target is the old one or the whole new one, never a part; the
         * rename itself is not forced to disk (a folder fsync per file
         * would cost more than a small file's transfer) */
    }
    if (rc == 0) {
        ferry_item it = {.kind = FERRY_ITEM_OBJECT};
        it.u.object = o;
        fl_op_item(op, &it);
    }
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0 && !(g->flags & FERRY_GET_RESUME))
        unlink(part);
    fy_free(part);
    fy_free(dir);
    fl_object_clear(&o);
    return rc;
}

static const fl_op_kind k_get = {"get", run_get, cleanup_get, false};

FERRY_API int ferry_get(ferry_dev *h, uint32_t id, const char *path, unsigned flags, const ferry_op_cbs *cbs,
                        ferry_op **out)
{
    return ferry_get_tee(h, id, path, flags, NULL, cbs, out);
}

FERRY_API int ferry_get_tee(ferry_dev *h, uint32_t id, const char *path, unsigned flags, const ferry_data *tee,
                            const ferry_op_cbs *cbs, ferry_op **out)
{
    if (tee && !tee->put)
        return FERRY_EINVAL;
    if (!out || !path || !*path || id == FERRY_ROOT ||
        (flags & ~(FERRY_GET_PRESERVE_MTIME | FERRY_GET_RESUME | FERRY_GET_NO_REPLACE)))
        return FERRY_EINVAL;
    size_t pl = strlen(path);
    if (path[pl - 1] == '/')
        return FERRY_EISDIR;
    get_params *g = fy_calloc(1, sizeof(*g));
    if (!g)
        return FERRY_ENOMEM;
    g->id = id;
    g->flags = flags;
    if (tee) {
        g->tee = *tee;
        g->has_tee = true;
    }
    g->path = fy_strdup(path);
    if (!g->path) {
        fy_free(g);
        return FERRY_ENOMEM;
    }
    ferry_op *op;
    int rc = fl_op_new(h, &k_get, cbs, &op);
    if (rc < 0) {
        fy_free(g->path);
        fy_free(g);
        return rc;
    }
    op->p.ext = g;
    rc = fl_op_queue(op);
    if (rc < 0) {
        fl_op_discard(op);
        return rc;
    }
    *out = op;
    return 0;
}
