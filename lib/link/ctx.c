/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The context: the transport, the links, and the delivery of results. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "link/internal.h"
#include "util/mem.h"

static __thread int in_callback;

bool fl_in_callback(void)
{
    return in_callback > 0;
}

static void msg_free(fl_msg *m)
{
    ferry_item_clear(&m->item);
    fy_free(m->dev.manufacturer);
    fy_free(m->dev.product);
    fy_free(m->dev.serial);
    fy_free(m);
}

/* Runs one message's callback (no lock held). */
static void run_msg(ferry_ctx *ctx, fl_msg *m)
{
    (void)ctx;
    in_callback++;
    switch (m->kind) {
    case FL_MSG_ITEM:
        if (m->op->cbs.item)
            m->op->cbs.item(m->op, &m->item, m->op->cbs.user);
        break;
    case FL_MSG_PROGRESS: {
        ferry_op *op = m->op;
        pthread_mutex_lock(&op->mu);
        uint64_t done = op->done, total = op->total;
        op->progress_queued = false;
        pthread_mutex_unlock(&op->mu);
        if (op->cbs.progress)
            op->cbs.progress(op, done, total, op->cbs.user);
        break;
    }
    case FL_MSG_DONE: {
        ferry_op *op = m->op;
        op->cbs.done(op, op->result, op->cbs.user);
        pthread_mutex_lock(&op->mu);
        op->final_retrieved = true;
        pthread_cond_broadcast(&op->cv);
        pthread_mutex_unlock(&op->mu);
        break;
    }
    case FL_MSG_EVENT: {
        ferry_event_fn fn = NULL;
        void *user = NULL;
        fl_link *l = m->h->link;
        pthread_mutex_lock(&l->mu);
        if (!atomic_load(&m->h->closed)) {
            fn = m->h->ev_fn;
            user = m->h->ev_user;
        }
        pthread_mutex_unlock(&l->mu);
        if (fn)
            fn(m->h, &m->ev, user);
        break;
    }
    case FL_MSG_HOTPLUG:
        if (ctx->hp_fn)
            ctx->hp_fn(ctx, &m->dev, m->ev.param != 0, ctx->hp_user);
        break;
    }
    in_callback--;
    if (m->op)
        fl_op_unref(m->op);
    if (m->h)
        fl_dev_unref(m->h);
    msg_free(m);
}

void fl_deliver(ferry_ctx *ctx, fl_msg *m)
{
    m->next = NULL;
    pthread_mutex_lock(&ctx->dmu);
    bool was_empty = ctx->dhead == NULL;
    if (ctx->dtail)
        ctx->dtail->next = m;
    else
        ctx->dhead = m;
    ctx->dtail = m;
    if (ctx->delivery == FERRY_DELIVER_THREAD) {
        pthread_cond_signal(&ctx->dcv);
    } else if (was_empty) {
        uint64_t one = 1;
        ssize_t w = write(ctx->efd, &one, sizeof(one));
        (void)w;
    }
    pthread_mutex_unlock(&ctx->dmu);
}

static fl_msg *pop_msg(ferry_ctx *ctx)
{
    fl_msg *m = ctx->dhead;
    if (m) {
        ctx->dhead = m->next;
        if (!ctx->dhead)
            ctx->dtail = NULL;
    }
    return m;
}

static void *delivery_main(void *arg)
{
    ferry_ctx *ctx = arg;
    pthread_mutex_lock(&ctx->dmu);
    for (;;) {
        fl_msg *m = pop_msg(ctx);
        if (!m) {
            if (ctx->dstop)
                break;
            pthread_cond_wait(&ctx->dcv, &ctx->dmu);
            continue;
        }
        pthread_mutex_unlock(&ctx->dmu);
        run_msg(ctx, m);
        pthread_mutex_lock(&ctx->dmu);
    }
    pthread_mutex_unlock(&ctx->dmu);
    return NULL;
}

FERRY_API int ferry_ctx_dispatch(ferry_ctx *ctx)
{
    if (!ctx || ctx->delivery != FERRY_DELIVER_DISPATCH)
        return FERRY_EINVAL;
    if (fl_in_callback())
        return FERRY_ESTATE;
    uint64_t v;
    ssize_t r = read(ctx->efd, &v, sizeof(v));
    (void)r;
    int n = 0;
    for (;;) {
        pthread_mutex_lock(&ctx->dmu);
        fl_msg *m = pop_msg(ctx);
        pthread_mutex_unlock(&ctx->dmu);
        if (!m)
            break;
        run_msg(ctx, m);
        n++;
    }
    return n;
}

FERRY_API int ferry_ctx_fd(ferry_ctx *ctx)
{
    if (!ctx || ctx->delivery != FERRY_DELIVER_DISPATCH)
        return FERRY_EINVAL;
    return ctx->efd;
}

FERRY_API int ferry_ctx_set_log(ferry_ctx *ctx, ferry_log_level level, ferry_log_fn fn, void *user)
{
    if (!ctx || (int)level < FERRY_LOG_ERROR || level > FERRY_LOG_TRACE)
        return FERRY_EINVAL;
    fy_logger_set(&ctx->log, level, fn, user);
    return 0;
}

FERRY_API int ferry_ctx_new(ferry_ctx **out, const ferry_ctx_opts *opts)
{
    if (!out)
        return FERRY_EINVAL;
    *out = NULL;
    ferry_ctx_opts o = {0};
    if (opts) {
        if (opts->size < offsetof(ferry_ctx_opts, timeout_ms) + sizeof(unsigned) || opts->size > 4096)
            return FERRY_EINVAL;
        memcpy(&o, opts, opts->size < sizeof(o) ? opts->size : sizeof(o));
    }
    if (o.delivery != FERRY_DELIVER_THREAD && o.delivery != FERRY_DELIVER_DISPATCH)
        return FERRY_EINVAL;
    if (o.urb_depth > 32 || (o.urb_size && (o.urb_size < 4096 || o.urb_size > (64u << 20))))
        return FERRY_EINVAL;
    ferry_ctx *ctx = fy_calloc(1, sizeof(*ctx));
    if (!ctx)
        return FERRY_ENOMEM;
    fy_logger_set(&ctx->log, o.log ? o.log_level : FERRY_LOG_ERROR, o.log, o.log_user);
    ctx->delivery = o.delivery;
    /* defaults chosen by bench/ (docs/TUNING.md) */
    ctx->urb_depth = o.urb_depth ? o.urb_depth : 4;
    ctx->urb_size = o.urb_size ? o.urb_size : (256u << 10);
    ctx->timeout_ms = o.timeout_ms ? o.timeout_ms : 10000;
    ctx->t = &fu_libusb;
    ctx->efd = -1;
    pthread_mutex_init(&ctx->dmu, NULL);
    pthread_cond_init(&ctx->dcv, NULL);
    pthread_mutex_init(&ctx->lmu, NULL);
    pthread_cond_init(&ctx->lcv, NULL);
    int rc = 0;
    if (ctx->delivery == FERRY_DELIVER_DISPATCH) {
        ctx->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (ctx->efd < 0) {
            rc = errno == ENOMEM ? FERRY_ENOMEM : FERRY_EINTERNAL;
            goto fail;
        }
    } else {
        if (pthread_create(&ctx->dthread, NULL, delivery_main, ctx) != 0) {
            rc = FERRY_EINTERNAL;
            goto fail;
        }
        ctx->dthread_started = true;
    }
    rc = fu_ctx_new(&ctx->usb, &ctx->log);
    if (rc < 0)
        goto fail;
    *out = ctx;
    return 0;
fail:
    if (ctx->dthread_started) {
        pthread_mutex_lock(&ctx->dmu);
        ctx->dstop = true;
        pthread_cond_signal(&ctx->dcv);
        pthread_mutex_unlock(&ctx->dmu);
        pthread_join(ctx->dthread, NULL);
    }
    if (ctx->efd >= 0)
        close(ctx->efd);
    pthread_mutex_destroy(&ctx->dmu);
    pthread_cond_destroy(&ctx->dcv);
    pthread_mutex_destroy(&ctx->lmu);
    pthread_cond_destroy(&ctx->lcv);
    fy_free(ctx);
    return rc;
}

FERRY_API void ferry_ctx_free(ferry_ctx *ctx)
{
    if (!ctx)
        return;
    /* cancel and finish every operation, stop the links */
    fl_links_shutdown(ctx);
    if (ctx->dthread_started) {
        pthread_mutex_lock(&ctx->dmu);
        ctx->dstop = true;
        pthread_cond_signal(&ctx->dcv);
        pthread_mutex_unlock(&ctx->dmu);
        pthread_join(ctx->dthread, NULL);
    } else {
        /* dispatch mode: the final callbacks still owed run here */
        for (;;) {
            pthread_mutex_lock(&ctx->dmu);
            fl_msg *m = pop_msg(ctx);
            pthread_mutex_unlock(&ctx->dmu);
            if (!m)
                break;
            run_msg(ctx, m);
        }
    }
    fu_ctx_free(ctx->usb);
    if (ctx->efd >= 0)
        close(ctx->efd);
    pthread_mutex_destroy(&ctx->dmu);
    pthread_cond_destroy(&ctx->dcv);
    pthread_mutex_destroy(&ctx->lmu);
    pthread_cond_destroy(&ctx->lcv);
    fy_free(ctx);
}

static void hotplug(void *user, uint8_t bus, uint8_t addr, bool arrived)
{
    ferry_ctx *ctx = user;
    fl_msg *m = fy_calloc(1, sizeof(*m));
    if (!m)
        return;
    m->kind = FL_MSG_HOTPLUG;
    m->dev.bus = bus;
    m->dev.address = addr;
    m->ev.param = arrived;
    fl_deliver(ctx, m);
}

FERRY_API int ferry_ctx_watch_devices(ferry_ctx *ctx, ferry_hotplug_fn fn, void *user)
{
    if (!ctx)
        return FERRY_EINVAL;
    ctx->hp_fn = fn;
    ctx->hp_user = user;
    if (!fn)
        return 0;
    return fu_ctx_hotplug(ctx->usb, hotplug, ctx);
}

void fl_ctx_set_test_hook(ferry_ctx *ctx, void (*fn)(ferry_op *, int, void *), void *user)
{
    ctx->test_user = user;
    ctx->test_hook = fn;
}

void fl_test_phase(fl_link *l, ferry_op *op, int phase)
{
    if (op && l->ctx->test_hook)
        l->ctx->test_hook(op, phase, l->ctx->test_user);
}
