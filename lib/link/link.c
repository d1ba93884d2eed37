/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Links: one per physical device. A link thread takes the queued
 * operations of every handle one at a time and runs them on the wire
 * (C10); before the next one it finishes the cancel sequence of an
 * aborted transaction (C9), and it recovers a device that stopped
 * answering by closing and reopening it with spaced, quiet retries.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "link/internal.h"
#include "util/mem.h"

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void desc_free(ferry_device_desc *d)
{
    fy_free(d->manufacturer);
    fy_free(d->product);
    fy_free(d->serial);
}

static void link_free(fl_link *l)
{
    desc_free(&l->desc);
    fc_device_info_free(&l->di);
    for (size_t i = 0; i < l->nstorages; i++) {
        fy_free(l->storages[i].description);
        fy_free(l->storages[i].volume);
    }
    fy_free(l->storages);
    fl_dircache_drop(l);
    fl_selfset_free(l);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    fy_free(l);
}

/* ------------------------------------------------------------------ */
/* Queue                                                                 */

int fl_link_enqueue(fl_link *l, ferry_op *op)
{
    pthread_mutex_lock(&l->mu);
    if (l->stop) {
        pthread_mutex_unlock(&l->mu);
        return FERRY_ECLOSED;
    }
    op->qnext = NULL;
    op->queued = true;
    if (l->qtail)
        l->qtail->qnext = op;
    else
        l->qhead = op;
    l->qtail = op;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    return 0;
}

bool fl_link_dequeue(fl_link *l, ferry_op *op)
{
    bool found = false;
    pthread_mutex_lock(&l->mu);
    if (op->queued) {
        ferry_op **pp = &l->qhead;
        ferry_op *prev = NULL;
        while (*pp && *pp != op) {
            prev = *pp;
            pp = &(*pp)->qnext;
        }
        if (*pp) {
            *pp = op->qnext;
            if (l->qtail == op)
                l->qtail = prev;
            op->queued = false;
            found = true;
        }
    }
    pthread_mutex_unlock(&l->mu);
    return found;
}

void fl_link_wake(fl_link *l)
{
    pthread_mutex_lock(&l->mu);
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

void fl_link_add_handle(fl_link *l, ferry_dev *h)
{
    pthread_mutex_lock(&l->mu);
    h->lnext = l->handles;
    l->handles = h;
    pthread_mutex_unlock(&l->mu);
}

void fl_link_remove_handle(fl_link *l, ferry_dev *h)
{
    pthread_mutex_lock(&l->mu);
    for (ferry_dev **pp = &l->handles; *pp; pp = &(*pp)->lnext) {
        if (*pp == h) {
            *pp = h->lnext;
            break;
        }
    }
    l->nhandles--;
    bool last = l->thread_gone && l->nhandles <= 0;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    if (last)
        link_free(l); /* the link thread ended before this handle went */
}

/* ------------------------------------------------------------------ */
/* Events from the interrupt endpoint (I/O thread)                        */

void fl_link_event(void *user, const uint8_t *buf, size_t len, int err)
{
    fl_link *l = user;
    ferry_event ev = {0};
    if (err) {
        if (err != FERRY_ENODEV)
            return;
        ev.kind = FERRY_EVENT_DEVICE_GONE;
    } else {
        fc_msg m;
        if (fc_msg_decode(FC_CT_EVENT, buf, len, &m) < 0) {
            FY_WARN(l->log, "event: malformed container of %zu bytes ignored", len);
            return;
        }
        ev.code = m.code;
        ev.param = m.nparams ? m.params[0] : 0;
        switch (m.code) {
        case FC_EC_ObjectAdded: ev.kind = FERRY_EVENT_OBJECT_ADDED; break;
        case FC_EC_ObjectRemoved: ev.kind = FERRY_EVENT_OBJECT_REMOVED; break;
        case FC_EC_ObjectInfoChanged:
        case FC_EC_ObjectPropChanged: ev.kind = FERRY_EVENT_OBJECT_CHANGED; break;
        case FC_EC_StoreAdded: ev.kind = FERRY_EVENT_STORAGE_ADDED; break;
        case FC_EC_StoreRemoved: ev.kind = FERRY_EVENT_STORAGE_REMOVED; break;
        case FC_EC_StoreFull:
        case FC_EC_StorageInfoChanged: ev.kind = FERRY_EVENT_STORAGE_CHANGED; break;
        case FC_EC_DevicePropChanged:
        case FC_EC_DeviceInfoChanged: ev.kind = FERRY_EVENT_DEVICE_CHANGED; break;
        default: ev.kind = FERRY_EVENT_OTHER; break;
        }
        char nb[8];
        FY_DEBUG(l->log, "event %s 0x%08x", fc_code_str(fc_event_name, m.code, nb), ev.param);
    }
    pthread_mutex_lock(&l->mu);
    if (ev.kind != FERRY_EVENT_OTHER && ev.kind != FERRY_EVENT_DEVICE_CHANGED && ev.code) {
        /* for the link thread's caches (fl_cache_events) */
        if (l->nevq < sizeof(l->evq) / sizeof(l->evq[0])) {
            l->evq[l->nevq].code = ev.code;
            l->evq[l->nevq].param = ev.param;
            l->nevq++;
        } else {
            l->evq_overflow = true;
        }
    }
    for (ferry_dev *h = l->handles; h; h = h->lnext) {
        if (!h->ev_fn || atomic_load(&h->closed))
            continue;
        fl_msg *m = fy_calloc(1, sizeof(*m));
        if (!m)
            break;
        m->kind = FL_MSG_EVENT;
        m->h = h;
        m->ev = ev;
        fl_dev_ref(h);
        fl_deliver(l->ctx, m);
    }
    pthread_mutex_unlock(&l->mu);
}

/* ------------------------------------------------------------------ */
/* Connecting                                                            */

static void free_pipes(fl_link *l)
{
    if (l->pin)
        l->t->pipe_free(l->pin);
    if (l->pout)
        l->t->pipe_free(l->pout);
    l->pin = l->pout = NULL;
}

void fl_link_disconnect(fl_link *l, bool close_session)
{
    if (!l->dev)
        return;
    if (close_session && l->session && !l->t->gone(l->dev) && !l->wire_dirty) {
        fl_txn t = {.code = FC_OC_CloseSession, .timeout_ms = 2000, .no_cancel = true};
        fl_transact(l, NULL, &t);
    }
    l->session = false;
    l->t->events_stop(l->dev);
    free_pipes(l);
    if ((l->quirks & FU_QUIRK_FORCE_RESET_ON_CLOSE) && close_session && !l->t->gone(l->dev))
        l->t->port_reset(l->dev);
    l->t->close(l->dev);
    l->dev = NULL;
    l->wire_dirty = false;
    fl_dircache_drop(l);
    fl_selfset_free(l); /* handles mean nothing outside the session */
}

static void set_caps(fl_link *l)
{
    fc_device_info *di = &l->di;
    bool broken = (l->quirks & FU_QUIRK_BROKEN_PROPLIST) != 0;
    l->has_proplist = fc_device_info_has_op(di, FC_OC_GetObjectPropList) && !broken && !l->proplist_broken;
    l->has_partial = fc_device_info_has_op(di, FC_OC_GetPartialObject);
    l->has_partial64 = fc_device_info_has_op(di, FC_OC_GetPartialObject64);
    l->has_edit = fc_device_info_has_op(di, FC_OC_BeginEditObject) &&
                  fc_device_info_has_op(di, FC_OC_SendPartialObject) &&
                  fc_device_info_has_op(di, FC_OC_EndEditObject) && fc_device_info_has_op(di, FC_OC_TruncateObject);
    l->can_rename = fc_device_info_has_op(di, FC_OC_SetObjectPropValue);
    l->can_set_date = l->can_rename;
}

/* Looks for data a previous client left on bulk-IN (a real responder
 * keeps streaming the object a killed client asked for) and for a device
 * still busy with something: both get the cancel sequence. */
static int clear_stale(fl_link *l)
{
    const fu_transport *t = l->t;
    fu_urb *u = t->pipe_idle(l->pin);
    if (!u)
        return 0;
    int rc = t->pipe_submit(l->pin, u, u->cap, false);
    if (rc < 0)
        return rc;
    fu_urb *got = NULL;
    rc = t->pipe_wait(l->pin, 15, &got);
    bool stale = false;
    uint32_t tid = 0;
    if (rc == 0) {
        if (got->result == FERRY_ENODEV) {
            t->pipe_release(l->pin, got);
            return FERRY_ENODEV;
        }
        if (got->actual > 0) {
            stale = true;
            fc_hdr h;
            if (got->actual >= FC_HDR_LEN && fc_hdr_decode(got->buf, got->actual, &h) == 0 &&
                (h.type == FC_CT_DATA || h.type == FC_CT_RESPONSE))
                tid = h.tid;
            FY_WARN(l->log, "open: %zu bytes left on bulk-IN by an earlier client; cancelling transaction %u",
                    got->actual, tid);
        }
        t->pipe_release(l->pin, got);
    } else {
        t->pipe_abort(l->pin);
        t->pipe_reset(l->pin, 2000);
    }
    if (!stale) {
        uint8_t st[20];
        int n = t->control(l->dev, 0xA1, 0x67, 0, t->iface(l->dev), st, sizeof(st), 1000);
        if (n >= 4) {
            uint16_t code = (uint16_t)(st[2] | st[3] << 8);
            if (code != FC_RC_OK || n > 4) {
                FY_WARN(l->log, "open: device status 0x%04x; running the cancel sequence", code);
                stale = true;
            }
        }
    }
    return stale ? fl_wire_cancel(l, tid) : 0;
}

static int open_session(fl_link *l)
{
    l->session = false;
    l->tid = 0;
    fl_txn t = {.code = FC_OC_OpenSession, .nparams = 1, .params = {1}, .timeout_ms = 5000, .no_cancel = true};
    int rc = fl_transact(l, NULL, &t);
    if (rc < 0)
        return rc;
    if (t.resp.code == FC_RC_SessionAlreadyOpen) {
        /* a session of an earlier client: close it and start ours, so no
         * state of its (a pending SendObjectInfo, edits) stays around */
        FY_INFO(l->log, "open: a session was still open; closing it");
        l->session = true;
        fl_txn c = {.code = FC_OC_CloseSession, .timeout_ms = 5000, .no_cancel = true};
        fl_transact(l, NULL, &c);
        l->session = false;
        l->tid = 0;
        fl_txn t2 = {.code = FC_OC_OpenSession, .nparams = 1, .params = {1}, .timeout_ms = 5000, .no_cancel = true};
        rc = fl_transact(l, NULL, &t2);
        if (rc < 0)
            return rc;
        t.resp = t2.resp;
        if (t.resp.code == FC_RC_SessionAlreadyOpen)
            t.resp.code = FC_RC_OK; /* the device keeps its session: use it */
    }
    if (t.resp.code != FC_RC_OK)
        return ferry_err_from_response(t.resp.code);
    l->session = true;
    l->tid = 0;
    return 0;
}

static int read_device_info(fl_link *l)
{
    fc_wr w;
    fc_wr_init(&w);
    fl_txn t = {.code = FC_OC_GetDeviceInfo, .dir = FL_DATA_IN, .in_mem = &w, .in_max = 1 << 20,
                .in_expect = UINT64_MAX, .timeout_ms = 5000};
    int rc = fl_transact_ok(l, NULL, &t);
    if (rc == 0) {
        fc_device_info_free(&l->di);
        rc = fc_device_info_decode(w.buf, w.len, &l->di);
        if (rc == 0)
            l->have_di = true;
        else
            FY_ERR(l->log, "open: malformed DeviceInfo (%zu bytes)", w.len);
    }
    fc_wr_free(&w);
    return rc;
}

int fl_link_connect(fl_link *l)
{
    ferry_ctx *ctx = l->ctx;
    int rc = l->t->open(ctx->usb, l->desc.bus, l->desc.address, &l->dev);
    if (rc < 0) {
        FY_ERR(l->log, "open %u:%u: %s", l->desc.bus, l->desc.address, ferry_strerror(rc));
        return rc;
    }
    l->quirks = l->desc.quirks;
    l->stale = false; /* a new connection: clear_stale() sees to what is left */
    l->timeout_ms = (l->quirks & FU_QUIRK_LONG_TIMEOUT) && ctx->timeout_ms < 60000 ? 60000 : ctx->timeout_ms;
    l->depth = ctx->urb_depth;
    l->urb_size = ctx->urb_size;
    rc = l->t->pipe_new(l->dev, FU_EP_IN, l->depth, l->urb_size, &l->pin);
    if (rc == 0)
        rc = l->t->pipe_new(l->dev, FU_EP_OUT, l->depth, l->urb_size, &l->pout);
    if (rc < 0)
        goto fail;
    if (l->t->events_start(l->dev, fl_link_event, l) < 0)
        FY_INFO(l->log, "open: no event endpoint; device changes will not be reported");
    rc = clear_stale(l);
    if (rc < 0)
        goto fail;
    rc = read_device_info(l);
    if (rc == FERRY_ETIMEDOUT || rc == FERRY_EIO || rc == FERRY_EPROTO) {
        /* a device waiting for the rest of an earlier client's data phase
         * takes our command as data: cancel that and ask again */
        FY_WARN(l->log, "open: no device info (%s); cancelling and retrying", ferry_strerror(rc));
        rc = fl_wire_cancel(l, 0);
        if (rc == 0)
            rc = read_device_info(l);
    }
    if (rc < 0)
        goto fail;
    set_caps(l);
    rc = open_session(l);
    if (rc < 0)
        goto fail;
    rc = fl_refresh_storages(l, NULL);
    if (rc < 0)
        goto fail;
    FY_INFO(l->log, "open: %s %s (%s), %zu storage(s), proplist %s, partial64 %s, edit %s",
            l->di.manufacturer ? l->di.manufacturer : "?", l->di.model ? l->di.model : "?",
            l->di.serial ? l->di.serial : "?", l->nstorages, l->has_proplist ? "yes" : "no",
            l->has_partial64 ? "yes" : "no", l->has_edit ? "yes" : "no");
    return 0;
fail:
    fl_link_disconnect(l, false);
    return rc;
}

int fl_link_recover(fl_link *l, int why)
{
    static const unsigned delays[] = {200, 1000, 3000};
    FY_WARN(l->log, "device stopped answering (%s); reopening it", ferry_strerror(why));
    for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
        fl_link_disconnect(l, false);
        sleep_ms(delays[i]);
        int rc = fl_link_connect(l);
        if (rc == 0) {
            atomic_fetch_add(&l->n_recoveries, 1);
            FY_INFO(l->log, "device recovered after reopening (attempt %zu)", i + 1);
            return 0;
        }
        if (rc == FERRY_ENODEV || rc == FERRY_EACCESS)
            return rc;
    }
    FY_ERR(l->log, "device did not recover; giving up");
    return FERRY_EWEDGED;
}

/* ------------------------------------------------------------------ */
/* The link thread                                                       */

/* A link to the same device whose handles all went a moment ago may
 * still be closing its session and holds the interface until then: a
 * new link waits for it to be gone (bounded) before it claims. */
static void wait_closing_links(fl_link *l)
{
    ferry_ctx *ctx = l->ctx;
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 15;
    pthread_mutex_lock(&ctx->lmu);
    for (;;) {
        bool closing = false;
        for (fl_link *o = ctx->links; o && !closing; o = o->next) {
            if (o == l || o->desc.bus != l->desc.bus || o->desc.address != l->desc.address)
                continue;
            pthread_mutex_lock(&o->mu);
            closing = o->state == FL_LINK_CLOSING;
            pthread_mutex_unlock(&o->mu);
        }
        if (!closing || pthread_cond_timedwait(&ctx->lcv, &ctx->lmu, &dl) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&ctx->lmu);
}

static bool permanent(int err)
{
    return err == FERRY_ENODEV || err == FERRY_EWEDGED;
}

int fl_link_ready(fl_link *l)
{
    if (l->state == FL_LINK_FAILED)
        return l->fail_err;
    if (l->dev && l->t->gone(l->dev)) {
        l->state = FL_LINK_FAILED;
        l->fail_err = FERRY_ENODEV;
        return FERRY_ENODEV;
    }
    if (l->state == FL_LINK_NEW) {
        if (!l->dev)
            wait_closing_links(l);
        int rc = fl_link_connect(l);
        if (rc < 0) {
            if (rc == FERRY_ETIMEDOUT || rc == FERRY_EIO || rc == FERRY_EPROTO)
                rc = fl_link_recover(l, rc);
            if (rc < 0) {
                if (permanent(rc)) {
                    l->state = FL_LINK_FAILED;
                    l->fail_err = rc;
                }
                return rc;
            }
        }
        l->state = FL_LINK_READY;
    }
    if (l->wire_dirty) {
        int rc = fl_wire_cancel(l, l->dirty_tid);
        if (rc < 0 && rc != FERRY_ENODEV)
            rc = fl_link_recover(l, rc);
        if (rc < 0) {
            l->state = FL_LINK_FAILED;
            l->fail_err = rc == FERRY_ENODEV ? FERRY_ENODEV : FERRY_EWEDGED;
            return l->fail_err;
        }
    }
    fl_cache_events(l);
    return 0;
}

static void *link_main(void *arg)
{
    fl_link *l = arg;
    ferry_ctx *ctx = l->ctx;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->qhead && !l->stop && l->nhandles > 0)
            pthread_cond_wait(&l->cv, &l->mu);
        if (!l->qhead) {
            /* no handle left (C12) or shutting down: leave, unless a new
             * handle came in the meantime (checked under both locks) */
            pthread_mutex_unlock(&l->mu);
            pthread_mutex_lock(&ctx->lmu);
            pthread_mutex_lock(&l->mu);
            if (!l->qhead && (l->stop || l->nhandles <= 0)) {
                /* no new handle can join from here (fl_link_get skips a
                 * stopped link); the link stays in ctx->links until it
                 * has let the device go (below) */
                l->state = FL_LINK_CLOSING;
                l->stop = true;
                pthread_mutex_unlock(&l->mu);
                pthread_mutex_unlock(&ctx->lmu);
                break;
            }
            pthread_mutex_unlock(&ctx->lmu);
            continue;
        }
        ferry_op *op = l->qhead;
        l->qhead = op->qnext;
        if (!l->qhead)
            l->qtail = NULL;
        op->queued = false;
        l->running = op;
        pthread_mutex_unlock(&l->mu);

        int rc;
        if (!fl_op_begin(op)) {
            rc = FERRY_ECANCELLED;
        } else {
            rc = op->kind->no_connect ? 0 : fl_link_ready(l);
            fl_test_phase(l, op, FL_PHASE_START);
            if (rc == 0)
                rc = op->kind->run(l, op);
            if (rc == FERRY_ENODEV && l->dev && l->t->gone(l->dev)) {
                l->state = FL_LINK_FAILED;
                l->fail_err = FERRY_ENODEV;
            }
        }
        /* the final result first (C2: as soon as possible) ... The op
         * stays l->running until it is cleared below, and ferry_dev_close()
         * and ferry_ctx_free() take a reference on l->running under l->mu:
         * hold one across the window, or the user's close after the final
         * callback can free it while it is still l->running. */
        atomic_fetch_add(&op->refs, 1);
        fl_op_finish(op, rc);
        pthread_mutex_lock(&l->mu);
        l->running = NULL;
        pthread_mutex_unlock(&l->mu);
        fl_op_unref(op);
        /* ... then the device's side of a cancel, before the next one (C9) */
        if (l->wire_dirty && l->state == FL_LINK_READY)
            fl_link_ready(l);
        pthread_mutex_lock(&l->mu);
    }
    /* The session ends and the interface is released (C12) before the
     * link leaves ctx->links: ferry_ctx_free() waits for that list to be
     * empty and then frees the USB context, and a new link to the same
     * device waits for this one to be gone before it claims the interface
     * (fl_link_ready). */
    fl_link_disconnect(l, true);
    pthread_mutex_lock(&ctx->lmu);
    for (fl_link **pp = &ctx->links; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    }
    pthread_cond_broadcast(&ctx->lcv);
    pthread_mutex_unlock(&ctx->lmu);
    /* ctx may be gone from here on. Handles still referenced (by an
     * operation not yet closed, or a callback not yet delivered when the
     * context shuts down) keep the link's memory: the last of the thread
     * and those handles frees it. */
    pthread_mutex_lock(&l->mu);
    l->thread_gone = true;
    bool last = l->nhandles <= 0;
    pthread_mutex_unlock(&l->mu);
    if (last)
        link_free(l);
    return NULL;
}

int fl_link_get(ferry_ctx *ctx, const ferry_device_desc *desc, fl_link **out)
{
    pthread_mutex_lock(&ctx->lmu);
    for (fl_link *l = ctx->links; l; l = l->next) {
        pthread_mutex_lock(&l->mu);
        bool usable = l->desc.bus == desc->bus && l->desc.address == desc->address && !l->stop &&
                      l->state != FL_LINK_FAILED && l->state != FL_LINK_CLOSING;
        if (usable) {
            l->nhandles++;
            pthread_mutex_unlock(&l->mu);
            pthread_mutex_unlock(&ctx->lmu);
            *out = l;
            return 0;
        }
        pthread_mutex_unlock(&l->mu);
    }
    fl_link *l = fy_calloc(1, sizeof(*l));
    if (!l) {
        pthread_mutex_unlock(&ctx->lmu);
        return FERRY_ENOMEM;
    }
    l->ctx = ctx;
    l->t = ctx->t;
    l->log = &ctx->log;
    l->desc = *desc;
    l->desc.manufacturer = desc->manufacturer ? fy_strdup(desc->manufacturer) : NULL;
    l->desc.product = desc->product ? fy_strdup(desc->product) : NULL;
    l->desc.serial = desc->serial ? fy_strdup(desc->serial) : NULL;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    l->state = FL_LINK_NEW;
    l->nhandles = 1;
    if ((desc->manufacturer && !l->desc.manufacturer) || (desc->product && !l->desc.product) ||
        (desc->serial && !l->desc.serial) || pthread_create(&l->thread, NULL, link_main, l) != 0) {
        pthread_mutex_unlock(&ctx->lmu);
        link_free(l);
        return FERRY_ENOMEM;
    }
    pthread_detach(l->thread);
    l->thread_started = true;
    l->next = ctx->links;
    ctx->links = l;
    pthread_mutex_unlock(&ctx->lmu);
    *out = l;
    return 0;
}

void fl_links_shutdown(ferry_ctx *ctx)
{
    /* cancel everything, tell every link to stop, wait for them to go */
    pthread_mutex_lock(&ctx->lmu);
    for (fl_link *l = ctx->links; l; l = l->next) {
        pthread_mutex_lock(&l->mu);
        l->stop = true;
        pthread_cond_broadcast(&l->cv);
        pthread_mutex_unlock(&l->mu);
    }
    pthread_mutex_unlock(&ctx->lmu);
    for (;;) {
        ferry_op *victim = NULL;
        pthread_mutex_lock(&ctx->lmu);
        for (fl_link *l = ctx->links; l && !victim; l = l->next) {
            pthread_mutex_lock(&l->mu);
            for (ferry_op *op = l->qhead; op && !victim; op = op->qnext)
                if (!fl_op_cancelled(op)) /* op->mu: the lock order allows it under l->mu */
                    victim = op;
            if (!victim && l->running && !fl_op_cancelled(l->running))
                victim = l->running;
            if (victim)
                atomic_fetch_add(&victim->refs, 1);
            pthread_mutex_unlock(&l->mu);
        }
        pthread_mutex_unlock(&ctx->lmu);
        if (!victim)
            break;
        ferry_op_cancel(victim, FERRY_CANCEL_SHUTDOWN);
        fl_op_unref(victim);
    }
    /* queued operations that were cancelled still sit in the queue until
     * the link thread takes them: it finishes them without traffic */
    pthread_mutex_lock(&ctx->lmu);
    while (ctx->links) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&ctx->lcv, &ctx->lmu, &ts);
    }
    pthread_mutex_unlock(&ctx->lmu);
}
