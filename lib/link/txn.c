/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MTP transactions on USB (PIMA 15740 USB still image class): a command
 * container on bulk-OUT, an optional data phase either way, a response
 * container on bulk-IN. Bulk data moves through pipes of several URBs in
 * flight, straight between the URB buffers and the caller's sink or source.
 *
 * The IN side is planned so that no URB is left waiting after the
 * response: before the data header arrives one URB of full size is in
 * flight (plus one for the response of a transaction without data); once
 * the container length is known, URBs are sized to what remains (rounded
 * up to the packet size, so the last one ends on the device's short
 * packet), then one URB for the response. A zero-length packet after data
 * that ends on a packet boundary lands in the response URB and is skipped.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "link/internal.h"
#include "util/mem.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int fl_next_tid(fl_link *l)
{
    if (!l->session)
        return 0;
    l->tid++;
    if (l->tid == 0 || l->tid == 0xFFFFFFFFu)
        l->tid = 1;
    return (int)l->tid;
}

/* C13: the running stage's cancel callback discards the pending URBs. */
static void abort_pipes(void *data)
{
    fl_link *l = data;
    l->t->pipe_abort(l->pin);
    l->t->pipe_abort(l->pout);
}

static int rearm(fl_link *l)
{
    int rc = 0;
    if (l->t->pipe_inflight(l->pin) || l->t->pipe_aborted(l->pin)) {
        l->t->pipe_abort(l->pin);
        rc |= l->t->pipe_reset(l->pin, 5000);
    }
    if (l->t->pipe_inflight(l->pout) || l->t->pipe_aborted(l->pout)) {
        l->t->pipe_abort(l->pout);
        rc |= l->t->pipe_reset(l->pout, 5000);
    }
    return rc ? FERRY_EWEDGED : 0;
}

/* Stale bytes: when a transaction breaks off (a cancel, a timeout), the
 * device may have finished it already and still send the rest of its
 * data container and its response; how long that takes is the device's
 * (and the bus's) business, so no quiet period of the cancel sequence can
 * be sure to see it all, and URBs discarded on the host may have taken
 * the container's header with them, so its length is not known either.
 * Until the next transaction's own answer (its tid, its code) or the
 * response of the broken one comes, whatever else arrives is dropped: in
 * the cancel sequence's drain and before the next answer, bounded by that
 * transaction's timeout. Returns true when the bytes were stale. */
static bool stale_skip(fl_link *l, const uint8_t *b, size_t n)
{
    if (!l->stale)
        return false;
    fc_hdr h;
    if (n >= FC_HDR_LEN && fc_hdr_decode(b, n, &h) == 0 && h.tid == l->stale_tid && h.type == FC_CT_RESPONSE)
        l->stale = false; /* its last word */
    return true;
}

static size_t round_up(uint64_t n, uint16_t mps)
{
    return (size_t)((n + mps - 1) / mps * mps);
}

typedef struct in_state {
    fl_link *l;
    ferry_op *op;
    fl_txn *t;
    uint16_t mps;
    int phase;            /* 0 header, 1 data, 2 response, 3 done */
    uint64_t clen;        /* container length incl. header; UINT64_MAX unknown */
    uint64_t received;    /* container bytes received */
    uint64_t planned;     /* container bytes asked for by URBs in flight or done */
    bool resp_urb;        /* an URB for the response is in flight */
} in_state;

static int in_submit(in_state *s, size_t len)
{
    fu_urb *u = s->l->t->pipe_idle(s->l->pin);
    if (!u)
        return 1; /* all in flight */
    if (len > u->cap)
        len = u->cap;
    int rc = s->l->t->pipe_submit(s->l->pin, u, len, false);
    return rc < 0 ? rc : 0;
}

/* Keeps the right URBs in flight on bulk-IN. */
static int in_plan(in_state *s)
{
    fl_link *l = s->l;
    size_t cap = l->urb_size;
    for (;;) {
        unsigned inflight = l->t->pipe_inflight(l->pin);
        if (inflight >= l->depth)
            return 0;
        if (s->phase == 0) {
            if (inflight >= (s->t->dir == FL_DATA_IN ? 2u : 1u))
                return 0;
            /* a transaction without data needs room for a response only
             * (unless stale data may come first: big URBs skip it fast) */
            size_t len = s->t->dir == FL_DATA_IN || l->stale ? cap : s->mps;
            int rc = in_submit(s, len);
            if (rc)
                return rc < 0 ? rc : 0;
            s->planned += len;
        } else if (s->phase == 1 && s->clen == UINT64_MAX) {
            int rc = in_submit(s, cap);
            if (rc)
                return rc < 0 ? rc : 0;
        } else if (s->phase == 1 && s->planned < s->clen) {
            size_t len = round_up(s->clen - s->planned, s->mps);
            if (len > cap)
                len = cap;
            int rc = in_submit(s, len);
            if (rc)
                return rc < 0 ? rc : 0;
            s->planned += len;
        } else if (s->phase >= 1 && s->phase < 3 && !s->resp_urb) {
            int rc = in_submit(s, s->mps);
            if (rc)
                return rc < 0 ? rc : 0;
            s->resp_urb = true;
        } else {
            return 0;
        }
    }
}

static int consume(in_state *s, const uint8_t *p, size_t n)
{
    fl_txn *t = s->t;
    if (!n)
        return 0;
    if (t->in_mem) {
        if (t->in_mem->len + n > t->in_max)
            return FERRY_EPROTO;
        int rc = fc_wr_bytes(t->in_mem, p, n);
        if (rc < 0)
            return rc;
    } else if (t->in_sink && t->in_sink->put) {
        int rc = t->in_sink->put(t->in_sink->priv, p, n);
        if (rc < 0)
            return rc;
    }
    t->moved += n;
    if (t->progress && s->op)
        fl_op_progress(s->op, t->progress_base + t->moved, t->progress_total);
    return 0;
}

/* Handles one completed IN URB. */
static int in_complete(in_state *s, fu_urb *u, uint32_t tid)
{
    fl_txn *t = s->t;
    const uint8_t *b = u->buf;
    size_t n = u->actual;
    bool is_short = n < u->len || (n % s->mps) != 0 || n == 0;
    if (u->result)
        return u->result == FERRY_EOVERFLOW ? FERRY_EPROTO : u->result;
    if (s->phase == 0 || s->phase == 2) {
        if (n == 0) {
            /* the zero-length packet after data ending on a packet boundary */
            if (s->phase == 2)
                s->resp_urb = s->l->t->pipe_inflight(s->l->pin) > 0;
            return 0;
        }
        fc_hdr h;
        bool hdr = n >= FC_HDR_LEN && fc_hdr_decode(b, n, &h) == 0;
        bool ours = hdr && h.tid == tid && (h.type == FC_CT_RESPONSE || (h.type == FC_CT_DATA && h.code == t->code));
        if (s->phase == 0 && !ours && stale_skip(s->l, b, n)) {
            FY_DEBUG(s->l->log, "txn 0x%04x tid %u: %zu stale bytes of tid %u dropped", t->code, tid, n,
                     s->l->stale_tid);
            /* this URB carried none of our container: plan it again */
            s->planned -= u->len < s->planned ? u->len : s->planned;
            return 0;
        }
        if (ours)
            s->l->stale = false; /* the device has moved on */
        if (!hdr)
            return FERRY_EPROTO;
        if ((h.tid != tid || (h.type == FC_CT_DATA && h.code != t->code)) &&
            !(s->l->quirks & FU_QUIRK_IGNORE_HEADER_ERRORS)) {
            FY_WARN(s->l->log, "txn 0x%04x tid %u: container for tid %u code 0x%04x", t->code, tid, h.tid, h.code);
            return FERRY_EPROTO;
        }
        if (h.type == FC_CT_RESPONSE) {
            if (h.length > n || fc_msg_decode(FC_CT_RESPONSE, b, h.length, &t->resp) < 0)
                return FERRY_EPROTO;
            s->phase = 3;
            return 0;
        }
        if (h.type != FC_CT_DATA || s->phase != 0 || t->dir != FL_DATA_IN)
            return FERRY_EPROTO;
        if (h.length == FC_LEN_UNKNOWN)
            s->clen = t->in_expect == UINT64_MAX ? UINT64_MAX : t->in_expect + FC_HDR_LEN;
        else
            s->clen = h.length;
        s->received = n;
        s->phase = 1;
        size_t pay = n - FC_HDR_LEN;
        if (s->clen != UINT64_MAX && s->received > s->clen)
            return FERRY_EPROTO;
        int rc = consume(s, b + FC_HDR_LEN, pay);
        if (rc < 0)
            return rc;
    } else if (s->phase == 1) {
        if (s->clen != UINT64_MAX && s->received + n > s->clen)
            return FERRY_EPROTO;
        s->received += n;
        int rc = consume(s, b, n);
        if (rc < 0)
            return rc;
    } else {
        return FERRY_EPROTO;
    }
    /* the data phase ends on a short packet or when all came */
    if (s->phase == 1 && (is_short || (s->clen != UINT64_MAX && s->received >= s->clen))) {
        if (s->clen != UINT64_MAX && s->received < s->clen)
            t->short_data = true;
        s->phase = 2;
        /* URBs planned for data that will not come take the response */
        s->resp_urb = s->l->t->pipe_inflight(s->l->pin) > 0;
    }
    return 0;
}

/* Fills an OUT URB from the transaction's buffer or source. *again tells
 * that the source gave less than asked or nothing yet (FL_SRC_AGAIN): the
 * count filled so far is returned and the caller comes back for the rest. */
static int out_fill(fl_txn *t, uint8_t *buf, size_t room, uint64_t *sent, bool *end, bool *again)
{
    size_t filled = 0;
    *end = false;
    *again = false;
    while (filled < room) {
        uint64_t left = t->out_len == UINT64_MAX ? UINT64_MAX : t->out_len - *sent;
        if (left == 0) {
            *end = true;
            break;
        }
        size_t want = room - filled;
        if (left < want)
            want = (size_t)left;
        if (t->out_buf) {
            memcpy(buf + filled, t->out_buf + *sent, want);
            filled += want;
            *sent += want;
        } else {
            ssize_t g = t->out_src->get(t->out_src->priv, buf + filled, want);
            if (g == FL_SRC_AGAIN) {
                *again = true;
                break;
            }
            if (g < 0)
                return (int)g;
            if (g == 0) {
                if (t->out_len != UINT64_MAX)
                    return FERRY_EMISMATCH; /* the source ended before the size announced */
                *end = true;
                break;
            }
            filled += (size_t)g;
            *sent += (uint64_t)g;
            if ((size_t)g < want) {
                /* a source that gives less than asked may be waiting for
                 * its writer: let the caller look at the device first */
                *again = true;
                break;
            }
        }
    }
    if (t->out_len != UINT64_MAX && *sent == t->out_len)
        *end = true;
    return (int)filled;
}

static int wait_out(fl_link *l, unsigned to)
{
    fu_urb *u;
    int rc = l->t->pipe_wait(l->pout, to, &u);
    if (rc < 0)
        return rc;
    int res = u->result;
    l->t->pipe_release(l->pout, u);
    return res;
}

/* Without blocking: FERRY_ENODEV once the device is gone, the error of
 * the oldest OUT URB if it failed, else 0. */
static int out_check(fl_link *l)
{
    if (l->t->gone(l->dev))
        return FERRY_ENODEV;
    int rc = wait_out(l, 0);
    return rc == FERRY_ETIMEDOUT || rc == FERRY_EEND ? 0 : rc;
}

static int out_phase(fl_link *l, ferry_op *op, fl_txn *t, uint32_t tid, unsigned to)
{
    uint16_t mps = l->t->mps(l->dev);
    uint64_t sent = 0, container = 0;
    bool first = true, end = false;
    while (!end) {
        fu_urb *u = l->t->pipe_idle(l->pout);
        while (!u) {
            int rc = wait_out(l, to);
            if (rc < 0)
                return rc;
            u = l->t->pipe_idle(l->pout);
        }
        size_t len = 0;
        if (first) {
            fc_data_hdr_encode(t->code, tid, t->out_len, u->buf);
            len = FC_HDR_LEN;
            first = false;
        }
        bool again;
        for (;;) {
            int n = out_fill(t, u->buf + len, u->cap - len, &sent, &end, &again);
            if (n < 0)
                return n;
            len += (size_t)n;
            if (!again || end || len == u->cap)
                break;
            /* the source is waiting for its writer: meanwhile a URB sent
             * earlier may have failed, or the device gone */
            int rc = out_check(l);
            if (rc < 0)
                return rc;
        }
        container += len;
        /* the device learns the end from a short packet: add a zero-length
         * one when the container ends on a packet boundary */
        bool zlp = end && len > 0 && container % mps == 0;
        if (len == 0 && !end)
            continue;
        int rc = l->t->pipe_submit(l->pout, u, len, zlp);
        if (rc < 0)
            return rc;
        if (op && l->ctx->test_hook) {
            if (container == len)
                fl_test_phase(l, op, FL_PHASE_DATA_START);
            if (t->out_len != UINT64_MAX && t->moved < t->out_len / 2 && sent >= t->out_len / 2 && !end)
                fl_test_phase(l, op, FL_PHASE_DATA_MID);
            if (end)
                fl_test_phase(l, op, FL_PHASE_DATA_END);
        }
        t->moved = sent;
        if (t->progress && op)
            fl_op_progress(op, t->progress_base + sent, t->progress_total);
    }
    while (l->t->pipe_inflight(l->pout)) {
        int rc = wait_out(l, to);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int fl_transact(fl_link *l, ferry_op *op, fl_txn *t)
{
    if (!l->dev)
        return FERRY_ENODEV;
    if (op && fl_op_cancelled(op))
        return FERRY_ECANCELLED; /* nothing sent: the wire stays clean */
    if (l->t->gone(l->dev))
        return FERRY_ENODEV;
    int rc = rearm(l);
    if (rc < 0)
        return rc;
    unsigned to = t->timeout_ms ? t->timeout_ms : l->timeout_ms;
    uint32_t tid = (uint32_t)fl_next_tid(l);
    fc_msg cmd = {.code = t->code, .tid = tid, .nparams = t->nparams};
    memcpy(cmd.params, t->params, sizeof(cmd.params));
    uint8_t cbuf[32];
    int clen = fc_msg_encode(FC_CT_COMMAND, &cmd, cbuf);
    if (clen < 0)
        return clen;
    t->moved = 0;
    t->short_data = false;
    memset(&t->resp, 0, sizeof(t->resp));
    atomic_fetch_add(&l->n_transactions, 1);
    char nb[8];
    FY_DEBUG(l->log, "txn %s tid %u params %u", fc_code_str(fc_operation_name, t->code, nb), tid, t->nparams);

    /* C13: this stage can be cancelled unless the device cannot abort it */
    if (op) {
        fy_hook_stage(&op->hook, !t->no_cancel);
        fy_hook_register(&op->hook, abort_pipes, l);
    }

    in_state s = {.l = l, .op = op, .t = t, .mps = l->t->mps(l->dev), .clen = UINT64_MAX};
    bool sent_cmd = false;
    l->cur_code = t->code;
    fl_test_phase(l, op, FL_PHASE_COMMAND);
    /* the IN URBs first: the device's answer finds them waiting */
    rc = in_plan(&s);
    if (rc == 0) {
        fu_urb *u = l->t->pipe_idle(l->pout);
        if (!u) {
            rc = FERRY_EINTERNAL;
        } else {
            memcpy(u->buf, cbuf, (size_t)clen);
            rc = l->t->pipe_submit(l->pout, u, (size_t)clen, false);
            sent_cmd = rc == 0;
        }
    }
    if (rc == 0 && t->dir == FL_DATA_OUT)
        rc = out_phase(l, op, t, tid, to);
    else if (rc == 0)
        rc = wait_out(l, to); /* the command went out */

    if (rc == 0 && t->dir != FL_DATA_IN)
        fl_test_phase(l, op, FL_PHASE_RESPONSE);
    while (rc == 0 && s.phase != 3) {
        /* A cancel discards the URBs still in flight, but those that had
         * completed already are not aborted: stop here rather than hand
         * up to depth * urb_size more bytes to the sink (C2). Until the
         * response is in, the cancel wins. */
        if (op && !t->no_cancel && fl_op_cancelled(op)) {
            rc = FERRY_ECANCELLED;
            break;
        }
        rc = in_plan(&s);
        if (rc < 0)
            break;
        fu_urb *u;
        rc = l->t->pipe_wait(l->pin, to, &u);
        if (rc == FERRY_EEND) {
            rc = FERRY_EINTERNAL; /* nothing in flight while waiting: a planning bug */
            break;
        }
        if (rc < 0)
            break;
        int before = s.phase;
        uint64_t got_before = t->moved;
        rc = in_complete(&s, u, tid);
        if (rc == 0 && op && l->ctx->test_hook) {
            uint64_t half = s.clen != UINT64_MAX ? (s.clen - FC_HDR_LEN) / 2 : UINT64_MAX;
            if (before == 0 && s.phase >= 1 && t->dir == FL_DATA_IN)
                fl_test_phase(l, op, FL_PHASE_DATA_START);
            if (half != UINT64_MAX && got_before < half && t->moved >= half && s.phase == 1)
                fl_test_phase(l, op, FL_PHASE_DATA_MID);
            if (before <= 1 && s.phase == 2 && t->dir == FL_DATA_IN) {
                fl_test_phase(l, op, FL_PHASE_DATA_END);
                fl_test_phase(l, op, FL_PHASE_RESPONSE);
            }
            if (s.phase == 3)
                fl_test_phase(l, op, FL_PHASE_DONE);
        }
        bool stalled = u->stalled;
        l->t->pipe_release(l->pin, u);
        if (stalled) {
            FY_INFO(l->log, "txn 0x%04x: the device stalled bulk-IN (device-side cancel)", t->code);
            rc = FERRY_EIO;
        }
    }

    if (op)
        fy_hook_clear(&op->hook);
    if (rc == 0 && l->t->pipe_inflight(l->pin)) {
        /* URBs planned beyond the response (unknown length): discard them */
        l->t->pipe_abort(l->pin);
    }
    if (rc == 0) {
        if (rearm(l) < 0)
            rc = FERRY_EWEDGED;
        if (op) {
            pthread_mutex_lock(&op->mu);
            op->response = t->resp.code;
            pthread_mutex_unlock(&op->mu);
        }
        if (fy_log_enabled(l->log, FERRY_LOG_DEBUG)) {
            char rb[8];
            FY_DEBUG(l->log, "txn 0x%04x tid %u -> %s, %" PRIu64 " bytes", t->code, tid,
                     fc_code_str(fc_response_name, t->resp.code, rb), t->moved);
        }
        return rc;
    }
    /* the transaction broke off: the device may be anywhere in it */
    if (rc == FERRY_ECANCELLED && op && !fl_op_cancelled(op))
        rc = FERRY_EIO;
    FY_INFO(l->log, "txn 0x%04x tid %u: %s after %" PRIu64 " bytes", t->code, tid, ferry_strerror(rc), t->moved);
    l->t->pipe_abort(l->pin);
    l->t->pipe_abort(l->pout);
    if (sent_cmd && rc != FERRY_ENODEV) {
        l->wire_dirty = true;
        l->dirty_tid = tid;
        /* what the device may still send of it (stale_skip) */
        l->stale = true;
        l->stale_tid = tid;
    }
    if (l->t->gone(l->dev))
        rc = FERRY_ENODEV;
    return rc;
}

int fl_transact_ok(fl_link *l, ferry_op *op, fl_txn *t)
{
    int rc = fl_transact(l, op, t);
    if (rc < 0)
        return rc;
    if (t->resp.code != FC_RC_OK) {
        char rb[8];
        if (op)
            fl_op_set_error(op, "the device answered %s", fc_code_str(fc_response_name, t->resp.code, rb));
        return ferry_err_from_response(t->resp.code);
    }
    if (t->short_data) {
        if (op)
            fl_op_set_error(op, "the device sent %" PRIu64 " bytes, fewer than it announced", t->moved);
        return FERRY_EMISMATCH;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The host cancel sequence (CONTRACT.md "the wire"):                    */
/* discard URBs -> Cancel Request -> drain bulk-IN until quiet -> poll   */
/* Get Device Status until OK, clearing halted endpoints -> the event    */
/* (read by the standing interrupt URB).                                 */

#define QUIET_NS 5000000ull
/* A device that says OK at once was not busy with the transaction: it
 * had finished it (or it keeps streaming), so the rest of its data and its
 * response may still be on the way, and a pause of the device or the bus
 * must not be taken for the end: wait this long for quiet, or until the
 * response of the cancelled transaction came. */
#define QUIET_TAIL_NS 200000000ull
#define DRAIN_URB (64u << 10)

int fl_wire_cancel(fl_link *l, uint32_t tid)
{
    const fu_transport *t = l->t;
    if (!l->dev || t->gone(l->dev))
        return FERRY_ENODEV;
    uint64_t t0 = now_ns();
    atomic_fetch_add(&l->n_cancels, 1);
    t->pipe_abort(l->pin);
    t->pipe_abort(l->pout);
    if (t->pipe_reset(l->pin, 5000) < 0 || t->pipe_reset(l->pout, 5000) < 0)
        return FERRY_EWEDGED;
    uint8_t iface = t->iface(l->dev);
    uint8_t req[6] = {0x01, 0x40, (uint8_t)tid, (uint8_t)(tid >> 8), (uint8_t)(tid >> 16), (uint8_t)(tid >> 24)};
    int rc = t->control(l->dev, 0x21, 0x64, 0, iface, req, sizeof(req), 1000);
    if (rc == FERRY_ENODEV)
        return rc;
    if (rc < 0)
        FY_INFO(l->log, "cancel: Cancel Request refused (%s); draining anyway", ferry_strerror(rc));

    /* the confirmation waits as long as a transaction may (10 s by
     * default), 30 s at most even for slow devices */
    uint64_t deadline = t0 + (l->timeout_ms < 30000 ? l->timeout_ms : 30000ull) * 1000000ull;
    uint64_t last_data = now_ns(), drained = 0;
    unsigned polls = 0, busy = 0, poll_us = 500;
    bool status_ok = false, status_broken = false;
    bool ok_at_once = false, tail_seen = false;
    int result = 0;
    fu_urb *u = t->pipe_idle(l->pin);
    if (u && t->pipe_submit(l->pin, u, DRAIN_URB < u->cap ? DRAIN_URB : u->cap, false) < 0)
        u = NULL;
    for (;;) {
        if (!status_broken) {
            uint8_t st[20];
            int n = t->control(l->dev, 0xA1, 0x67, 0, iface, st, sizeof(st), 1000);
            polls++;
            if (n == FERRY_ENODEV) {
                result = FERRY_ENODEV;
                break;
            }
            if (n < 4) {
                /* no Get Device Status on this device: rely on the drain */
                status_broken = true;
                status_ok = true;
            } else {
                uint16_t code = (uint16_t)(st[2] | st[3] << 8);
                size_t len = (size_t)(st[0] | st[1] << 8);
                if (len > (size_t)n)
                    len = (size_t)n;
                bool halted = false;
                for (size_t o = 4; o + 4 <= len; o += 4) {
                    uint8_t ep = st[o];
                    if (!ep)
                        continue;
                    halted = true;
                    FY_DEBUG(l->log, "cancel: clearing halt on endpoint 0x%02x", ep);
                    if (t->clear_halt(l->dev, ep) == FERRY_ENODEV) {
                        result = FERRY_ENODEV;
                        break;
                    }
                }
                if (result)
                    break;
                status_ok = code == FC_RC_OK && !halted;
                if (polls == 1)
                    ok_at_once = status_ok;
                if (code == FC_RC_DeviceBusy)
                    busy++;
            }
        }
        /* drain what the device still sends */
        /* a long wait only when stale data is coming: a device that said OK
         * at once and sends nothing has nothing left to send */
        uint64_t quiet = ok_at_once && tid && drained && !tail_seen ? QUIET_TAIL_NS : QUIET_NS;
        uint64_t now = now_ns();
        unsigned wait_ms = status_ok ? (unsigned)((quiet - (now - last_data < quiet ? now - last_data : quiet)) / 1000000ull) + 1
                                     : (poll_us + 999) / 1000;
        if (wait_ms > 20)
            wait_ms = 20; /* keep polling the status meanwhile */
        if (u) {
            fu_urb *got;
            int w = t->pipe_wait(l->pin, wait_ms, &got);
            if (w == 0) {
                if (got->result == FERRY_ENODEV) {
                    t->pipe_release(l->pin, got);
                    result = FERRY_ENODEV;
                    break;
                }
                if (got->actual)
                    stale_skip(l, got->buf, got->actual); /* keeps count of what is still to come */
                if (got->actual) {
                    drained += got->actual;
                    last_data = now_ns();
                    fc_hdr h;
                    if (got->actual >= FC_HDR_LEN && fc_hdr_decode(got->buf, got->actual, &h) == 0 &&
                        h.type == FC_CT_RESPONSE && h.tid == tid)
                        tail_seen = true; /* the cancelled transaction's last word */
                }
                bool stalled = got->stalled;
                t->pipe_release(l->pin, got);
                if (stalled)
                    t->clear_halt(l->dev, t->ep_in(l->dev));
                u = t->pipe_idle(l->pin);
                if (u && t->pipe_submit(l->pin, u, DRAIN_URB < u->cap ? DRAIN_URB : u->cap, false) < 0)
                    u = NULL;
            }
        } else {
            struct timespec ts = {0, (long)wait_ms * 1000000L};
            nanosleep(&ts, NULL);
        }
        now = now_ns();
        quiet = ok_at_once && tid && drained && !tail_seen ? QUIET_TAIL_NS : QUIET_NS;
        if (status_ok && now - last_data >= quiet)
            break;
        if (now > deadline) {
            result = FERRY_EWEDGED;
            break;
        }
        if (!status_ok && poll_us < 16000)
            poll_us *= 2;
    }
    t->pipe_abort(l->pin);
    if (t->pipe_reset(l->pin, 5000) < 0 && !result)
        result = FERRY_EWEDGED;
    uint64_t dt = now_ns() - t0;
    FY_INFO(l->log, "cancel tid %u: %s; drained %" PRIu64 " bytes, %u status polls (%u busy), %.1f ms", tid,
            result ? ferry_strerror(result) : "device confirmed", drained, polls, busy, (double)dt / 1e6);
    if (!result)
        l->wire_dirty = false;
    return result;
}
