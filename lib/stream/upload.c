/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The upload stream (C14, C15): create -> write* -> commit, revert,
 * release. Writes hand their buffer to the link thread, which copies it
 * straight into the URB buffers of the SendObject data phase.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stream/stream.h"
#include "util/mem.h"

enum { ST_OPEN, ST_FAILED, ST_COMMITTED, ST_REVERTED };

struct fs_stream {
    ferry_dev *h;
    ferry_op *op;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const uint8_t *wbuf;
    size_t wlen;
    bool eof;
    uint64_t size, written;
    int state;
    bool accepted;
    int accept_err;
    ferry_object result;
    /* unknown size: writes are spooled, the upload starts at commit */
    int spool_fd;
    uint32_t storage, parent;
    char *name;
    int64_t mtime;
    unsigned flags;
};

struct ferry_upload {
    fs_stream s;
};

static void timed_wait(fs_stream *s, unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

void fs_stream_accepted(fs_stream *s, int err)
{
    pthread_mutex_lock(&s->mu);
    if (!s->accepted) {
        s->accepted = true;
        s->accept_err = err;
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void fs_stream_result(fs_stream *s, const ferry_object *o)
{
    pthread_mutex_lock(&s->mu);
    fl_object_clear(&s->result);
    fl_object_copy(&s->result, o);
    pthread_mutex_unlock(&s->mu);
}

int fs_stream_wait_commit(fs_stream *s, ferry_op *op)
{
    pthread_mutex_lock(&s->mu);
    while (!s->eof && !fl_op_cancelled(op))
        timed_wait(s, 50);
    bool commit = s->eof;
    pthread_mutex_unlock(&s->mu);
    return commit ? 0 : FERRY_ECANCELLED;
}

/* The source the put operation reads (link thread). */
static ssize_t stream_get(void *priv, void *buf, size_t len)
{
    fs_stream *s = priv;
    bool waited = false;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (s->wlen) {
            size_t n = len < s->wlen ? len : s->wlen;
            memcpy(buf, s->wbuf, n);
            s->wbuf += n;
            s->wlen -= n;
            if (!s->wlen)
                pthread_cond_broadcast(&s->cv);
            pthread_mutex_unlock(&s->mu);
            return (ssize_t)n;
        }
        if (s->eof) {
            pthread_mutex_unlock(&s->mu);
            return 0;
        }
        if (fl_op_cancelled(s->op)) {
            pthread_mutex_unlock(&s->mu);
            return FERRY_ECANCELLED;
        }
        if (waited) {
            /* the link thread looks at the device, then asks again */
            pthread_mutex_unlock(&s->mu);
            return FL_SRC_AGAIN;
        }
        timed_wait(s, 50);
        waited = true;
    }
}

static bool op_over(ferry_op *op)
{
    ferry_op_state st = ferry_op_get_state(op);
    return st == FERRY_OP_SUCCEEDED || st == FERRY_OP_FAILED || st == FERRY_OP_CANCELLED ||
           st == FERRY_OP_CANCELLING;
}

static int start_op(fs_stream *s, const ferry_data *src, uint64_t size)
{
    int rc = fs_put_start(s->h, s->storage, s->parent, s->name, size, s->mtime, src, s->flags, NULL, &s->op, s);
    if (rc < 0)
        return rc;
    /* wait until the device took the object's information */
    pthread_mutex_lock(&s->mu);
    while (!s->accepted && ferry_op_get_state(s->op) < FERRY_OP_SUCCEEDED)
        timed_wait(s, 50);
    int err = s->accepted ? s->accept_err : 0;
    pthread_mutex_unlock(&s->mu);
    if (!s->accepted || err) {
        int r = ferry_op_wait(s->op, -1);
        return err ? err : r ? r : FERRY_EINTERNAL;
    }
    return 0;
}

static void stream_free(fs_stream *s)
{
    if (s->op) {
        ferry_op_wait(s->op, -1);
        ferry_op_close(s->op);
    }
    if (s->spool_fd >= 0)
        close(s->spool_fd);
    fl_object_clear(&s->result);
    fy_free(s->name);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    fl_dev_unref(s->h);
    fy_free(s);
}

FERRY_API int ferry_upload_create(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, uint64_t size,
                                  int64_t mtime, unsigned flags, ferry_upload **out)
{
    if (!h || !out || (parent == FERRY_ROOT && storage == 0))
        return FERRY_EINVAL;
    *out = NULL;
    if (fl_in_callback())
        return FERRY_ESTATE;
    int rc = fl_check_name(name);
    if (rc < 0)
        return rc;
    fs_stream *s = fy_calloc(1, sizeof(struct ferry_upload));
    if (!s)
        return FERRY_ENOMEM;
    s->name = fy_strdup(name);
    if (!s->name) {
        fy_free(s);
        return FERRY_ENOMEM;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    fl_dev_ref(h);
    s->h = h;
    s->spool_fd = -1;
    s->size = size;
    s->storage = storage;
    s->parent = parent;
    s->mtime = mtime;
    s->flags = flags;
    s->state = ST_OPEN;
    if (size == FERRY_SIZE_UNKNOWN) {
        const char *dir = getenv("TMPDIR");
        if (!dir || !*dir)
            dir = "/tmp";
        s->spool_fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (s->spool_fd < 0) {
            stream_free(s);
            return FERRY_ELOCAL_IO;
        }
        *out = (ferry_upload *)s;
        return 0;
    }
    ferry_data src = {stream_get, NULL, s};
    rc = start_op(s, &src, size);
    if (rc < 0) {
        stream_free(s);
        return rc;
    }
    *out = (ferry_upload *)s;
    return 0;
}

FERRY_API int ferry_upload_write(ferry_upload *u, const void *buf, size_t len)
{
    if (!u || (!buf && len))
        return FERRY_EINVAL;
    fs_stream *s = &u->s;
    if (s->state != ST_OPEN)
        return s->state == ST_FAILED ? FERRY_ECANCELLED : FERRY_ESTATE;
    if (s->spool_fd >= 0) {
        const uint8_t *p = buf;
        while (len) {
            ssize_t w = write(s->spool_fd, p, len);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return errno == ENOSPC ? FERRY_ENOSPC : FERRY_ELOCAL_IO;
            p += w;
            len -= (size_t)w;
            s->written += (uint64_t)w;
        }
        return 0;
    }
    if (s->written + len > s->size)
        return FERRY_EOVERFLOW;
    pthread_mutex_lock(&s->mu);
    s->wbuf = buf;
    s->wlen = len;
    pthread_cond_broadcast(&s->cv);
    while (s->wlen && !op_over(s->op))
        timed_wait(s, 50);
    size_t left = s->wlen;
    s->wlen = 0;
    s->wbuf = NULL;
    pthread_mutex_unlock(&s->mu);
    s->written += len - left;
    if (left) {
        /* C15: after a cancel only revert and release succeed */
        s->state = ST_FAILED;
        int r = ferry_op_result(s->op);
        return r == FERRY_ESTATE || r == 0 ? FERRY_ECANCELLED : r;
    }
    return 0;
}

FERRY_API int ferry_upload_commit(ferry_upload *u, ferry_object *obj)
{
    if (!u)
        return FERRY_EINVAL;
    fs_stream *s = &u->s;
    if (obj)
        memset(obj, 0, sizeof(*obj));
    if (s->state != ST_OPEN)
        return s->state == ST_FAILED ? FERRY_ECANCELLED : FERRY_ESTATE;
    if (fl_in_callback())
        return FERRY_ESTATE;
    int rc;
    if (s->spool_fd >= 0) {
        if (lseek(s->spool_fd, 0, SEEK_SET) < 0)
            return FERRY_ELOCAL_IO;
        pthread_mutex_lock(&s->mu);
        s->eof = true; /* committed already: the operation starts now */
        pthread_mutex_unlock(&s->mu);
        ferry_data_state st;
        ferry_data src = ferry_data_fd(&st, s->spool_fd);
        rc = start_op(s, &src, s->written);
        if (rc == 0)
            rc = ferry_op_wait(s->op, -1);
    } else {
        pthread_mutex_lock(&s->mu);
        s->eof = true;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        rc = ferry_op_wait(s->op, -1);
    }
    if (rc < 0) {
        /* the operation reverted what it sent */
        s->state = ST_FAILED;
        return rc;
    }
    s->state = ST_COMMITTED;
    if (obj) {
        pthread_mutex_lock(&s->mu);
        rc = fl_object_copy(obj, &s->result);
        pthread_mutex_unlock(&s->mu);
    }
    return rc;
}

FERRY_API int ferry_upload_cancel(ferry_upload *u, ferry_cancel_reason reason)
{
    if (!u)
        return FERRY_EINVAL;
    fs_stream *s = &u->s;
    if (!s->op)
        return FERRY_EALREADY_FINISHED;
    int rc = ferry_op_cancel(s->op, reason);
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

FERRY_API ferry_op *ferry_upload_op(ferry_upload *u)
{
    return u ? u->s.op : NULL;
}

FERRY_API int ferry_upload_revert(ferry_upload *u)
{
    if (!u)
        return FERRY_EINVAL;
    fs_stream *s = &u->s;
    if (s->state == ST_COMMITTED)
        return FERRY_ESTATE;
    if (s->state == ST_REVERTED)
        return 0;
    if (fl_in_callback())
        return FERRY_ESTATE;
    int rc = 0;
    if (s->op) {
        fs_put *pp = s->op->p.ext;
        atomic_store(&pp->revert_always, true); /* also a resumable one */
        ferry_op_cancel(s->op, FERRY_CANCEL_USER);
        pthread_mutex_lock(&s->mu);
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        int r = ferry_op_wait(s->op, -1);
        fs_put *p = s->op->p.ext;
        if (r == 0) {
            /* it committed before the cancel reached it (C8): too late */
            s->state = ST_COMMITTED;
            return FERRY_ESTATE;
        }
        if (p && p->created)
            rc = r == FERRY_ENODEV ? FERRY_ENODEV : FERRY_EWEDGED; /* could not delete it */
    }
    s->state = ST_REVERTED;
    return rc;
}

FERRY_API void ferry_upload_release(ferry_upload *u)
{
    if (!u)
        return;
    if (u->s.state != ST_COMMITTED)
        ferry_upload_revert(u);
    stream_free(&u->s);
}
