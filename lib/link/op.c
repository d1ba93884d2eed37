/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Operations: life cycle, cancel (C2-C5, C8), status (C7), close (C6). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "link/internal.h"
#include "util/mem.h"

#define PROGRESS_INTERVAL_NS 100000000ull /* at most ten progress callbacks a second */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int fl_op_new(ferry_dev *h, const fl_op_kind *kind, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (!h || !out)
        return FERRY_EINVAL;
    *out = NULL;
    if (atomic_load(&h->closed))
        return FERRY_ECLOSED;
    if (cbs && !cbs->done)
        return FERRY_EINVAL;
    ferry_op *op = fy_calloc(1, sizeof(*op));
    if (!op)
        return FERRY_ENOMEM;
    op->kind = kind;
    op->ctx = h->ctx;
    op->h = h;
    op->link = h->link;
    if (cbs) {
        op->cbs = *cbs;
        op->async = true;
    }
    atomic_init(&op->refs, 1); /* the user's */
    pthread_mutex_init(&op->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&op->cv, &ca);
    pthread_condattr_destroy(&ca);
    fy_hook_init(&op->hook);
    op->state = FERRY_OP_PENDING;
    fl_dev_ref(h);
    *out = op;
    return 0;
}

static void op_free(ferry_op *op)
{
    if (op->kind->cleanup)
        op->kind->cleanup(op);
    fl_item_node *n = op->ihead;
    while (n) {
        fl_item_node *next = n->next;
        ferry_item_clear(&n->item);
        fy_free(n);
        n = next;
    }
    fy_hook_destroy(&op->hook);
    pthread_mutex_destroy(&op->mu);
    pthread_cond_destroy(&op->cv);
    ferry_dev *h = op->h;
    fy_free(op);
    fl_dev_unref(h);
}

void fl_op_unref(ferry_op *op)
{
    if (atomic_fetch_sub(&op->refs, 1) == 1)
        op_free(op);
}

void fl_op_discard(ferry_op *op)
{
    fl_op_unref(op);
}

int fl_op_queue(ferry_op *op)
{
    atomic_fetch_add(&op->refs, 1); /* the link's, until finished */
    int rc = fl_link_enqueue(op->link, op);
    if (rc < 0)
        atomic_fetch_sub(&op->refs, 1);
    return rc;
}

int fl_op_start(ferry_dev *h, const fl_op_kind *kind, const ferry_op_cbs *cbs, ferry_op **out, ferry_op **made)
{
    ferry_op *op;
    int rc = fl_op_new(h, kind, cbs, &op);
    if (rc < 0)
        return rc;
    rc = fl_op_queue(op);
    if (rc < 0) {
        fl_op_discard(op);
        return rc;
    }
    *out = op;
    if (made)
        *made = op;
    return 0;
}

bool fl_op_begin(ferry_op *op)
{
    pthread_mutex_lock(&op->mu);
    bool go = !op->cancel_req && !op->finished;
    if (go)
        op->state = FERRY_OP_RUNNING;
    pthread_mutex_unlock(&op->mu);
    return go;
}

bool fl_op_cancelled(ferry_op *op)
{
    pthread_mutex_lock(&op->mu);
    bool c = op->cancel_req;
    pthread_mutex_unlock(&op->mu);
    return c;
}

void fl_op_set_error(ferry_op *op, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&op->mu);
    vsnprintf(op->errtext, sizeof(op->errtext), fmt, ap);
    pthread_mutex_unlock(&op->mu);
    va_end(ap);
}

void fl_op_finish(ferry_op *op, int result)
{
    fy_hook_complete(&op->hook); /* no cancel callback after this (C13) */
    pthread_mutex_lock(&op->mu);
    if (op->finished) {
        pthread_mutex_unlock(&op->mu);
        return;
    }
    if (result == FERRY_ETIMEDOUT) {
        /* FERRY_ETIMEDOUT from ferry_op_wait() and ferry_op_next() means
         * that the wait timed out and the operation goes on: a device that
         * did not answer in time is a device that stopped answering */
        if (!op->errtext[0])
            snprintf(op->errtext, sizeof(op->errtext), "the device did not answer in time");
        result = FERRY_EWEDGED;
    }
    op->finished = true;
    op->result = result;
    if (op->cancel_req && result != FERRY_ECANCELLED)
        op->too_late = true; /* C8: it ran to its end; the real outcome stands */
    if (result == 0)
        op->state = FERRY_OP_SUCCEEDED;
    else if (result == FERRY_ECANCELLED)
        op->state = FERRY_OP_CANCELLED;
    else
        op->state = FERRY_OP_FAILED;
    if (result < 0 && !op->errtext[0])
        snprintf(op->errtext, sizeof(op->errtext), "%s", ferry_strerror(result));
    bool async = op->async;
    pthread_cond_broadcast(&op->cv);
    pthread_mutex_unlock(&op->mu);
    if (async) {
        fl_msg *m = fy_calloc(1, sizeof(*m));
        if (!m) {
            /* the final callback is owed exactly once: run it here rather
             * than lose it */
            op->cbs.done(op, result, op->cbs.user);
            pthread_mutex_lock(&op->mu);
            op->final_retrieved = true;
            pthread_mutex_unlock(&op->mu);
        } else {
            m->kind = FL_MSG_DONE;
            m->op = op;
            atomic_fetch_add(&op->refs, 1);
            fl_deliver(op->ctx, m);
        }
    }
    fl_op_unref(op); /* the link's reference */
}

int fl_op_item(ferry_op *op, const ferry_item *item)
{
    if (op->async) {
        if (!op->cbs.item)
            return 0;
        fl_msg *m = fy_calloc(1, sizeof(*m));
        if (!m)
            return FERRY_ENOMEM;
        if (ferry_item_copy(&m->item, item) < 0) {
            fy_free(m);
            return FERRY_ENOMEM;
        }
        m->kind = FL_MSG_ITEM;
        m->op = op;
        atomic_fetch_add(&op->refs, 1);
        fl_deliver(op->ctx, m);
        return 0;
    }
    fl_item_node *n = fy_calloc(1, sizeof(*n));
    if (!n)
        return FERRY_ENOMEM;
    if (ferry_item_copy(&n->item, item) < 0) {
        fy_free(n);
        return FERRY_ENOMEM;
    }
    pthread_mutex_lock(&op->mu);
    if (op->itail)
        op->itail->next = n;
    else
        op->ihead = n;
    op->itail = n;
    pthread_cond_broadcast(&op->cv);
    pthread_mutex_unlock(&op->mu);
    return 0;
}

void fl_op_progress(ferry_op *op, uint64_t done, uint64_t total)
{
    bool post = false;
    pthread_mutex_lock(&op->mu);
    op->done = done;
    op->total = total;
    if (op->async && op->cbs.progress && !op->progress_queued) {
        uint64_t now = now_ns();
        if (now - op->last_progress_ns >= PROGRESS_INTERVAL_NS || (total && done >= total)) {
            op->last_progress_ns = now;
            op->progress_queued = true;
            post = true;
        }
    }
    pthread_mutex_unlock(&op->mu);
    if (post) {
        fl_msg *m = fy_calloc(1, sizeof(*m));
        if (!m) {
            pthread_mutex_lock(&op->mu);
            op->progress_queued = false;
            pthread_mutex_unlock(&op->mu);
            return;
        }
        m->kind = FL_MSG_PROGRESS;
        m->op = op;
        atomic_fetch_add(&op->refs, 1);
        fl_deliver(op->ctx, m);
    }
}

/* ------------------------------------------------------------------ */
/* Public API                                                            */

FERRY_API int ferry_op_cancel(ferry_op *op, ferry_cancel_reason reason)
{
    if (!op || reason <= FERRY_CANCEL_NONE || reason > FERRY_CANCEL_DEVICE_GONE)
        return FERRY_EINVAL;
    pthread_mutex_lock(&op->mu);
    if (op->finished) {
        int r;
        if (op->state == FERRY_OP_CANCELLED)
            r = FERRY_EALREADY_CANCELLED;
        else if (op->result == 0)
            r = FERRY_EALREADY_FINISHED;
        else
            r = op->result; /* it had failed: that error */
        pthread_mutex_unlock(&op->mu);
        return r;
    }
    if (op->cancel_req) {
        pthread_mutex_unlock(&op->mu);
        return FERRY_EALREADY_CANCELLED;
    }
    op->cancel_req = true;
    op->reason = reason;
    if (op->state == FERRY_OP_RUNNING)
        op->state = FERRY_OP_CANCELLING;
    pthread_mutex_unlock(&op->mu);

    /* C8: a queued operation ends here, with no USB traffic */
    if (fl_link_dequeue(op->link, op)) {
        fl_op_finish(op, FERRY_ECANCELLED);
        return 0;
    }
    /* running: the stage's hook (C13) discards its URBs */
    fy_hook_fire(&op->hook);
    fl_link_wake(op->link);
    return 0;
}

FERRY_API ferry_op_state ferry_op_get_state(const ferry_op *op)
{
    if (!op)
        return FERRY_OP_FAILED;
    ferry_op *o = (ferry_op *)op;
    pthread_mutex_lock(&o->mu);
    ferry_op_state s = o->state;
    pthread_mutex_unlock(&o->mu);
    return s;
}

static int wait_locked(ferry_op *op, int timeout_ms, bool for_item)
{
    struct timespec dl;
    if (timeout_ms >= 0) {
        clock_gettime(CLOCK_MONOTONIC, &dl);
        dl.tv_sec += timeout_ms / 1000;
        dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    while (!op->finished && !(for_item && op->ihead)) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&op->cv, &op->mu);
        } else if (pthread_cond_timedwait(&op->cv, &op->mu, &dl) == ETIMEDOUT) {
            if (op->finished || (for_item && op->ihead))
                break;
            return FERRY_ETIMEDOUT;
        }
    }
    return 0;
}

FERRY_API int ferry_op_wait(ferry_op *op, int timeout_ms)
{
    if (!op)
        return FERRY_EINVAL;
    if (fl_in_callback())
        return FERRY_ESTATE;
    pthread_mutex_lock(&op->mu);
    int rc = wait_locked(op, timeout_ms, false);
    if (rc == 0 && op->async) {
        /* asynchronous: the result is final once the callback ran */
        while (!op->final_retrieved)
            pthread_cond_wait(&op->cv, &op->mu);
    }
    if (rc == 0) {
        rc = op->result;
        if (!op->async)
            op->final_retrieved = true;
    }
    pthread_mutex_unlock(&op->mu);
    return rc;
}

FERRY_API int ferry_op_next(ferry_op *op, ferry_item *item, int timeout_ms)
{
    if (!op || !item || op->async)
        return FERRY_EINVAL;
    if (fl_in_callback())
        return FERRY_ESTATE;
    memset(item, 0, sizeof(*item));
    pthread_mutex_lock(&op->mu);
    int rc = wait_locked(op, timeout_ms, true);
    if (rc == 0) {
        fl_item_node *n = op->ihead;
        if (n) {
            op->ihead = n->next;
            if (!op->ihead)
                op->itail = NULL;
            *item = n->item;
            fy_free(n);
        } else {
            op->final_retrieved = true;
            rc = op->result == 0 ? FERRY_EEND : op->result;
        }
    }
    pthread_mutex_unlock(&op->mu);
    return rc;
}

FERRY_API int ferry_op_result(const ferry_op *op)
{
    if (!op)
        return FERRY_EINVAL;
    ferry_op *o = (ferry_op *)op;
    pthread_mutex_lock(&o->mu);
    int r = o->finished ? o->result : FERRY_ESTATE;
    pthread_mutex_unlock(&o->mu);
    return r;
}

FERRY_API ferry_cancel_reason ferry_op_cancel_reason(const ferry_op *op)
{
    if (!op)
        return FERRY_CANCEL_NONE;
    ferry_op *o = (ferry_op *)op;
    pthread_mutex_lock(&o->mu);
    ferry_cancel_reason r = o->reason;
    pthread_mutex_unlock(&o->mu);
    return r;
}

FERRY_API int ferry_op_cancel_too_late(const ferry_op *op)
{
    if (!op)
        return 0;
    ferry_op *o = (ferry_op *)op;
    pthread_mutex_lock(&o->mu);
    int r = o->too_late;
    pthread_mutex_unlock(&o->mu);
    return r;
}

FERRY_API uint16_t ferry_op_response(const ferry_op *op)
{
    if (!op)
        return 0;
    ferry_op *o = (ferry_op *)op;
    pthread_mutex_lock(&o->mu);
    uint16_t r = o->response;
    pthread_mutex_unlock(&o->mu);
    return r;
}

FERRY_API int ferry_op_progress(const ferry_op *op, uint64_t *done, uint64_t *total)
{
    if (!op)
        return FERRY_EINVAL;
    ferry_op *o = (ferry_op *)op;
    pthread_mutex_lock(&o->mu);
    if (done)
        *done = o->done;
    if (total)
        *total = o->total;
    pthread_mutex_unlock(&o->mu);
    return 0;
}

FERRY_API const char *ferry_op_error_text(const ferry_op *op)
{
    if (!op)
        return "";
    return op->errtext;
}

FERRY_API int ferry_op_close(ferry_op *op)
{
    if (!op)
        return FERRY_EINVAL;
    pthread_mutex_lock(&op->mu);
    if (op->closed) {
        pthread_mutex_unlock(&op->mu);
        return FERRY_EINVAL;
    }
    if (!op->async && !op->final_retrieved) {
        /* C6: a synchronous operation whose results were not all retrieved */
        pthread_mutex_unlock(&op->mu);
        return FERRY_EBUSY;
    }
    op->closed = true;
    pthread_mutex_unlock(&op->mu);
    fl_op_unref(op);
    return 0;
}
