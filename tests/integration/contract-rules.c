/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One test per rule of CONTRACT.md (C1-C16), against ferry-vdev, run under
 * each persona by contract-run.sh (contract-rules-PERSONA). The cancel
 * matrix (every phase of list, read, delete, mkdir) is contract-phases;
 * unplugging is contract-unplug, threads contract-stress, two devices
 * contract-devices, allocation failures contract-nomem, and a device that
 * never confirms a cancel contract-wedged.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contract.h"

/* Per test: a context and handle, recorders that outlive a failed assert. */
typedef struct rt {
    ct_env e;
    ct_rec rec[8];
    uint8_t *big;
    size_t big_len;
    uint32_t big_id, small_id, some_id, work_id;
    char local[512]; /* a local folder for downloads */
} rt;

static int setup(void **state)
{
    rt *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    for (int i = 0; i < 8; i++)
        ct_rec_init(&t->rec[i]);
    *state = t;
    ct_env_open(&t->e, NULL, NULL);
    if (ct_slurp(CT_BIG, &t->big, &t->big_len) < 0)
        return -1;
    t->big_id = ct_id(t->e.h, CT_ROOT "/" CT_BIG);
    t->small_id = ct_id(t->e.h, CT_ROOT "/" CT_SMALL);
    t->some_id = ct_id(t->e.h, CT_ROOT "/" CT_SOME);
    t->work_id = ct_id(t->e.h, CT_ROOT "/" CT_WORK);
    snprintf(t->local, sizeof(t->local), "%s/../local", ct_store());
    if (mkdir(t->local, 0755) < 0 && errno != EEXIST)
        return -1;
    return t->big_id && t->small_id && t->some_id && t->work_id ? 0 : -1;
}

static int teardown(void **state)
{
    rt *t = *state;
    if (t->e.hooked) {
        ct_hook_disarm(&t->e.hook);
        ct_hook_release(&t->e.hook);
    }
    atomic_store(&ct_w.status_busy, false);
    ct_env_close(&t->e);
    for (int i = 0; i < 8; i++)
        ct_rec_destroy(&t->rec[i]);
    free(t->big);
    free(t);
    return 0;
}

static ct_rec *fresh(rt *t, int i)
{
    ct_rec_destroy(&t->rec[i]);
    ct_rec_init(&t->rec[i]);
    return &t->rec[i];
}

/* Starts a read of big.bin into a sink that drops the bytes. */
static int drop_put(void *priv, const void *buf, size_t len)
{
    (void)buf;
    *(size_t *)priv += len;
    return 0;
}

static size_t dropped_bytes;
static ferry_data drop_sink = {NULL, drop_put, &dropped_bytes};

static ferry_op *start_big_read(rt *t, ferry_dev *h, ct_rec *r)
{
    ferry_op_cbs cbs = ct_rec_cbs(r);
    ferry_op *op;
    ct_assert_rc(ferry_read(h, t->big_id, 0, FERRY_TO_END, &drop_sink, r ? &cbs : NULL, &op), 0);
    return op;
}

/* Parks the next operation to start at a phase: START, or that phase
 * of its first transaction with command code `code`. */
static void park(rt *t, int phase, uint16_t code)
{
    if (phase == FL_PHASE_START)
        ct_hook_arm(&t->e.hook, NULL, phase, -1);
    else
        ct_hook_arm_code(&t->e.hook, phase, code);
}

static void wait_parked(rt *t, ferry_op *op)
{
    if (!ct_hook_wait_parked(&t->e.hook, op, ct_ms(30000)))
        fail_msg("the operation never reached the phase (final %s)", ferry_err_name(ferry_op_result(op)));
}

/* ------------------------------------------------------------------ */
/* C1: every request is an operation; sync is built on async            */

typedef int (*start_fn)(rt *t, const ferry_op_cbs *cbs, ferry_op **op, int step);

static char c1_local[600];

static int c1_start(rt *t, int kind, const ferry_op_cbs *cbs, ferry_op **op, const char *sfx, uint32_t *scratch)
{
    static uint8_t putbuf[3000];
    static ferry_data_state st;
    char name[64];
    memset(putbuf, 'p', sizeof(putbuf));
    switch (kind) {
    case 0: return ferry_dev_info(t->e.h, cbs, op);
    case 1: return ferry_storages(t->e.h, cbs, op);
    case 2: return ferry_list(t->e.h, t->e.storage, FERRY_ROOT, cbs, op);
    case 3: return ferry_stat(t->e.h, t->small_id, cbs, op);
    case 4: return ferry_resolve(t->e.h, CT_ROOT "/" CT_SMALL, cbs, op);
    case 5:
        snprintf(name, sizeof(name), "c1-dir-%s", sfx);
        return ferry_mkdir(t->e.h, t->e.storage, t->work_id, name, cbs, op);
    case 6: {
        snprintf(name, sizeof(name), CT_ROOT "/" CT_WORK "/c1-dir-%s", sfx);
        uint32_t id = ct_id(t->e.h, name);
        snprintf(name, sizeof(name), "c1-ren-%s", sfx);
        scratch[0] = id;
        return ferry_rename(t->e.h, id, name, cbs, op);
    }
    case 7: {
        snprintf(name, sizeof(name), "c1-put-%s.txt", sfx);
        ferry_data src = ferry_data_buffer(&st, putbuf, sizeof(putbuf));
        return ferry_put(t->e.h, t->e.storage, t->work_id, name, sizeof(putbuf), FERRY_MTIME_NONE, &src, 0, cbs, op);
    }
    case 8: {
        snprintf(name, sizeof(name), CT_ROOT "/" CT_WORK "/c1-put-%s.txt", sfx);
        scratch[1] = ct_id(t->e.h, name);
        return ferry_copy(t->e.h, scratch[1], 0, scratch[0], cbs, op);
    }
    case 9:
        return ferry_move(t->e.h, scratch[1], t->e.storage, FERRY_ROOT, cbs, op);
    case 10: {
        ferry_data sink = ferry_data_buffer(&st, putbuf, sizeof(putbuf));
        return ferry_read(t->e.h, t->small_id, 10, 100, &sink, cbs, op);
    }
    case 11:
        snprintf(c1_local, sizeof(c1_local), "%s/c1-get-%s", t->local, sfx);
        return ferry_get(t->e.h, t->small_id, c1_local, 0, cbs, op);
    case 12:
        return ferry_cleanup(t->e.h, 0, t->work_id, cbs, op);
    case 13:
        return ferry_delete(t->e.h, scratch[0], FERRY_DELETE_RECURSIVE, cbs, op);
    }
    return FERRY_EINVAL;
}

static const char *const c1_names[] = {"dev_info", "storages", "list", "stat", "resolve", "mkdir", "rename",
                                       "put",      "copy",     "move", "read", "get",     "cleanup", "delete"};

static void test_C1_requests_are_operations(void **state)
{
    rt *t = *state;
    for (int mode = 0; mode < 2; mode++) {
        uint32_t scratch[2] = {0, 0};
        const char *sfx = mode ? "async" : "sync";
        for (int k = 0; k < 14; k++) {
            ferry_op *op = NULL;
            ct_rec *r = fresh(t, 0);
            ferry_op_cbs cbs = ct_rec_cbs(r);
            int rc = c1_start(t, k, mode ? &cbs : NULL, &op, sfx, scratch);
            if (rc != 0)
                fail_msg("%s (%s): start %s", c1_names[k], sfx, ferry_err_name(rc));
            assert_non_null(op);
            int res;
            if (mode) {
                res = ct_rec_wait(r, ct_ms(30000));
                ct_assert_rc(ferry_op_close(op), 0);
            } else {
                res = ferry_op_wait(op, ct_ms(30000));
                assert_int_equal(ferry_op_get_state(op), res == 0 ? FERRY_OP_SUCCEEDED : FERRY_OP_FAILED);
                ct_assert_rc(ferry_op_close(op), 0);
            }
            if (res != 0)
                fail_msg("%s (%s): final %s", c1_names[k], sfx, ferry_err_name(res));
            if (mode)
                ct_rec_check(r);
        }
    }
    /* the synchronous calls are the asynchronous machinery plus a wait:
     * results queue in the operation and ferry_op_next() fetches them */
    ferry_op *op;
    ct_assert_rc(ferry_list(t->e.h, 0, t->some_id, NULL, &op), 0);
    ferry_item it;
    int n = 0, rc;
    while ((rc = ferry_op_next(op, &it, ct_ms(30000))) == 0) {
        n++;
        ferry_item_clear(&it);
    }
    ct_assert_rc(rc, FERRY_EEND);
    assert_int_equal(n, CT_SOME_N);
    ct_assert_rc(ferry_op_close(op), 0);

    /* a call that fails to start returns no operation and never calls back */
    ct_rec *r = fresh(t, 1);
    ferry_op_cbs cbs = ct_rec_cbs(r);
    op = (ferry_op *)0x1;
    ct_assert_rc(ferry_list(t->e.h, 0, FERRY_ROOT, &cbs, &op), FERRY_EINVAL);
    ct_assert_rc(ferry_mkdir(t->e.h, t->e.storage, t->work_id, "a/b", &cbs, &op), FERRY_EBADNAME);
    ct_assert_rc(ferry_read(t->e.h, t->small_id, 0, 1, NULL, &cbs, &op), FERRY_EINVAL);
    ferry_op_cbs nodone = {NULL, NULL, NULL, NULL};
    ct_assert_rc(ferry_stat(t->e.h, t->small_id, &nodone, &op), FERRY_EINVAL);
    ct_assert_usable(t->e.h);
    assert_int_equal(r->done + r->items + r->progress, 0);
}

/* ------------------------------------------------------------------ */
/* C2: cancel from any thread, returns at once                          */

typedef struct canceller {
    ferry_op *op;
    ferry_cancel_reason reason;
    pthread_barrier_t *go;
    int rc;
    atomic_bool returned;
} canceller;

static void *cancel_thread(void *arg)
{
    canceller *c = arg;
    if (c->go)
        pthread_barrier_wait(c->go);
    c->rc = ferry_op_cancel(c->op, c->reason);
    atomic_store(&c->returned, true);
    return NULL;
}

static void join_bounded(pthread_t th, atomic_bool *returned)
{
    uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(10000);
    while (!atomic_load(returned) && ct_now_ms() < dl)
        ct_sleep_ms(2);
    if (!atomic_load(returned))
        fail_msg("ferry_op_cancel() blocked");
    pthread_join(th, NULL);
}

static void test_C2_cancel_any_thread_never_blocks(void **state)
{
    rt *t = *state;
    /* cancel from another thread while the link thread is stuck in the
     * middle of a data phase: it must return without the link */
    ct_rec *r = fresh(t, 0);
    park(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
    ferry_op *op = start_big_read(t, t->e.h, r);
    wait_parked(t, op);
    canceller c = {.op = op, .reason = FERRY_CANCEL_USER};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, cancel_thread, &c), 0);
    join_bounded(th, &c.returned);
    ct_assert_rc(c.rc, 0);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED); /* a final result, soon */
    ct_assert_rc(ferry_op_close(op), 0);
    ct_rec_check(r);

    /* many threads at once on one operation: exactly one starts it */
    for (int round = 0; round < 3; round++) {
        r = fresh(t, 1);
        op = start_big_read(t, t->e.h, r);
        ct_sleep_ms((unsigned)(round * 7));
        enum { N = 6 };
        canceller cs[N];
        pthread_t ths[N];
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, N);
        for (int i = 0; i < N; i++) {
            cs[i] = (canceller){.op = op, .reason = FERRY_CANCEL_USER, .go = &go};
            assert_int_equal(pthread_create(&ths[i], NULL, cancel_thread, &cs[i]), 0);
        }
        int ok = 0, already = 0, finished = 0;
        for (int i = 0; i < N; i++) {
            join_bounded(ths[i], &cs[i].returned);
            ok += cs[i].rc == 0;
            already += cs[i].rc == FERRY_EALREADY_CANCELLED;
            finished += cs[i].rc == FERRY_EALREADY_FINISHED;
        }
        pthread_barrier_destroy(&go);
        int res = ct_rec_wait(r, ct_ms(30000));
        if (res == 0)
            assert_int_equal(finished, N); /* it had finished before any */
        else
            assert_true(ok == 1 && already == N - 1 && res == FERRY_ECANCELLED);
        ct_assert_rc(ferry_op_close(op), 0);
        ct_rec_check(r);
    }
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C3: what cancel returns                                              */

static void test_C3_cancel_outcomes(void **state)
{
    rt *t = *state;
    /* OK, then ALREADY_CANCELLED, before and after the end */
    ct_rec *r = fresh(t, 0);
    park(t, FL_PHASE_DATA_START, FC_OC_GetObject);
    ferry_op *op = start_big_read(t, t->e.h, r);
    wait_parked(t, op);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), FERRY_EALREADY_CANCELLED);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), FERRY_EALREADY_CANCELLED);
    ct_assert_rc(ferry_op_close(op), 0);

    /* ALREADY_FINISHED after success */
    ct_assert_rc(ferry_stat(t->e.h, t->small_id, NULL, &op), 0);
    ct_assert_rc(ferry_op_wait(op, ct_ms(30000)), 0);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), FERRY_EALREADY_FINISHED);
    ct_assert_rc(ferry_op_close(op), 0);

    /* the operation's own error when it had failed */
    ct_assert_rc(ferry_stat(t->e.h, 0x7ffffff0u, NULL, &op), 0);
    int res = ferry_op_wait(op, ct_ms(30000));
    assert_true(res < 0 && res != FERRY_ECANCELLED);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), res);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_TIMEOUT), res);
    assert_int_equal(ferry_op_cancel_reason(op), FERRY_CANCEL_NONE);
    ct_assert_rc(ferry_op_close(op), 0);

    /* INVALID_ARG */
    ct_assert_rc(ferry_op_cancel(NULL, FERRY_CANCEL_USER), FERRY_EINVAL);
    ct_assert_rc(ferry_stat(t->e.h, t->small_id, NULL, &op), 0);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_NONE), FERRY_EINVAL);
    ct_assert_rc(ferry_op_cancel(op, (ferry_cancel_reason)99), FERRY_EINVAL);
    ct_assert_rc(ferry_op_wait(op, ct_ms(30000)), 0); /* those changed nothing */
    ct_assert_rc(ferry_op_close(op), 0);
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C4: the reason                                                        */

static ferry_cancel_reason seen_reason;
static void done_reason(ct_rec *r, ferry_op *op, int result)
{
    (void)r;
    (void)result;
    seen_reason = ferry_op_cancel_reason(op);
}

static void test_C4_cancel_reason_reported(void **state)
{
    rt *t = *state;
    const ferry_cancel_reason reasons[] = {FERRY_CANCEL_USER, FERRY_CANCEL_TIMEOUT, FERRY_CANCEL_SHUTDOWN,
                                           FERRY_CANCEL_DEVICE_GONE};
    for (size_t i = 0; i < 4; i++) {
        ct_rec *r = fresh(t, 0);
        r->on_done = done_reason;
        seen_reason = FERRY_CANCEL_NONE;
        park(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
        ferry_op *op = start_big_read(t, t->e.h, r);
        wait_parked(t, op);
        assert_int_equal(ferry_op_cancel_reason(op), FERRY_CANCEL_NONE);
        ct_assert_rc(ferry_op_cancel(op, reasons[i]), 0);
        ct_hook_release(&t->e.hook);
        ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
        assert_int_equal(seen_reason, reasons[i]); /* seen in the final callback */
        assert_int_equal(ferry_op_cancel_reason(op), reasons[i]);
        ct_assert_rc(ferry_op_close(op), 0);
    }
    /* closing a handle cancels its operations with SHUTDOWN */
    ferry_dev *h2;
    ct_assert_rc(ferry_dev_dup(t->e.h, &h2), 0);
    ct_rec *r = fresh(t, 1);
    r->on_done = done_reason;
    ct_rec *rq = fresh(t, 2);
    park(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
    ferry_op *op = start_big_read(t, h2, r);
    wait_parked(t, op);
    ferry_op *queued = start_big_read(t, h2, rq);
    ferry_dev_close(h2);
    ct_assert_rc(ct_rec_wait(rq, ct_ms(30000)), FERRY_ECANCELLED); /* at once: it was only queued */
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
    assert_int_equal(ferry_op_cancel_reason(op), FERRY_CANCEL_SHUTDOWN);
    assert_int_equal(ferry_op_cancel_reason(queued), FERRY_CANCEL_SHUTDOWN);
    ct_assert_rc(ferry_op_close(op), 0);
    ct_assert_rc(ferry_op_close(queued), 0);
    ct_rec_check(r);
    ct_rec_check(rq);

    /* freeing the context cancels with SHUTDOWN too, and still delivers */
    ct_env e2;
    ct_env_close(&t->e); /* one context at a time holds the device */
    ct_env_open(&e2, NULL, NULL);
    ct_rec *r2 = fresh(t, 3);
    r2->on_done = done_reason;
    seen_reason = FERRY_CANCEL_NONE;
    ferry_op_cbs cbs = ct_rec_cbs(r2);
    ct_assert_rc(ferry_read(e2.h, ct_id(e2.h, CT_ROOT "/" CT_BIG), 0, FERRY_TO_END, &drop_sink, &cbs, &op), 0);
    ct_assert_rc(ferry_op_close(op), 0); /* async: closing never blocks, the callback still comes */
    ferry_dev_close(e2.h);
    e2.h = NULL;
    ferry_ctx_free(e2.ctx);
    e2.ctx = NULL;
    assert_int_equal(r2->done, 1); /* delivered before ferry_ctx_free returned */
    if (r2->result == FERRY_ECANCELLED)
        assert_int_equal(seen_reason, FERRY_CANCEL_SHUTDOWN);
    else
        ct_assert_rc(r2->result, 0);
    ct_env_close(&e2);
    ct_rec_check(r2);
    ct_env_open(&t->e, NULL, NULL); /* for the teardown */
}

/* ------------------------------------------------------------------ */
/* C5: results after cancel, then exactly one final                      */

static void cancel_at_item(ct_rec *r, ferry_op *op, const ferry_item *it)
{
    (void)it;
    if (r->items == 10) {
        int rc = ferry_op_cancel(op, FERRY_CANCEL_USER);
        *(int *)r->user = rc;
    }
}

static void cancel_at_progress(ct_rec *r, ferry_op *op, uint64_t done, uint64_t total)
{
    (void)done;
    (void)total;
    if (r->progress == 1)
        *(int *)r->user = ferry_op_cancel(op, FERRY_CANCEL_USER);
}

static void test_C5_results_then_one_final(void **state)
{
    rt *t = *state;
    /* cancel from an item callback of a listing: the entries already
     * decoded may still come, then exactly one final, after them */
    ct_rec *r = fresh(t, 0);
    int crc = 1;
    r->user = &crc;
    r->on_item = cancel_at_item;
    ferry_op_cbs cbs = ct_rec_cbs(r);
    ferry_op *op;
    ct_assert_rc(ferry_list(t->e.h, 0, t->some_id, &cbs, &op), 0);
    int res = ct_rec_wait(r, ct_ms(30000));
    assert_true(crc == 0 || crc == FERRY_EALREADY_FINISHED);
    assert_true(res == 0 || res == FERRY_ECANCELLED);
    assert_true(r->items >= 10 && r->items <= (int)CT_SOME_N);
    ct_assert_rc(ferry_op_close(op), 0);

    /* cancel from a progress callback of a read */
    r = fresh(t, 1);
    crc = 1;
    r->user = &crc;
    r->on_progress = cancel_at_progress;
    op = start_big_read(t, t->e.h, r);
    res = ct_rec_wait(r, ct_ms(30000));
    assert_true((crc == 0 && res == FERRY_ECANCELLED) || (crc == FERRY_EALREADY_FINISHED && res == 0));
    ct_assert_rc(ferry_op_close(op), 0);

    /* synchronous: the items already there are still fetched, then the
     * final result, once */
    /* the top of a storage: its listing is the operation's first transaction */
    ferry_object *top;
    size_t ntop;
    ct_assert_rc(ct_list(t->e.h, t->e.storage, FERRY_ROOT, &top, &ntop), 0);
    ct_objects_free(top, ntop);
    ct_hook_arm(&t->e.hook, NULL, FL_PHASE_DONE, 0);
    ct_assert_rc(ferry_list(t->e.h, t->e.storage, FERRY_ROOT, NULL, &op), 0);
    wait_parked(t, op);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_hook_release(&t->e.hook);
    ferry_item it;
    int n = 0;
    while ((res = ferry_op_next(op, &it, ct_ms(30000))) == 0) {
        n++;
        ferry_item_clear(&it);
    }
    assert_true(res == FERRY_EEND || res == FERRY_ECANCELLED);
    assert_true(n == 0 || n == (int)ntop);
    assert_true(n == 0 || res == FERRY_EEND);
    ct_assert_rc(ferry_op_close(op), 0);
    ct_rec_check(&t->rec[0]);
    ct_rec_check(&t->rec[1]);
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C6: close                                                             */

static void close_in_done(ct_rec *r, ferry_op *op, int result)
{
    (void)result;
    *(int *)r->user = ferry_op_close(op);
}

static void test_C6_close(void **state)
{
    rt *t = *state;
    /* synchronous, results not all fetched: BUSY, and nothing changes */
    ferry_op *op;
    ct_assert_rc(ferry_list(t->e.h, 0, t->some_id, NULL, &op), 0);
    ferry_item it;
    ct_assert_rc(ferry_op_next(op, &it, ct_ms(30000)), 0);
    ferry_item_clear(&it);
    ct_assert_rc(ferry_op_close(op), FERRY_EBUSY);
    ct_assert_rc(ferry_op_close(op), FERRY_EBUSY);
    int n = 1, rc;
    while ((rc = ferry_op_next(op, &it, ct_ms(30000))) == 0) {
        n++;
        ferry_item_clear(&it);
    }
    ct_assert_rc(rc, FERRY_EEND);
    assert_int_equal(n, CT_SOME_N); /* nothing was lost by the refused close */
    ct_assert_rc(ferry_op_close(op), 0);

    /* synchronous, failed, result not retrieved: BUSY until ferry_op_wait */
    ct_assert_rc(ferry_stat(t->e.h, 0x7ffffff0u, NULL, &op), 0);
    uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(30000);
    while (ferry_op_result(op) == FERRY_ESTATE && ct_now_ms() < dl)
        ct_sleep_ms(5);
    ct_assert_rc(ferry_op_close(op), FERRY_EBUSY);
    assert_true(ferry_op_wait(op, ct_ms(30000)) < 0);
    ct_assert_rc(ferry_op_close(op), 0);

    /* synchronous, cancelled: must still be closed; fetching ends it */
    park(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
    op = start_big_read(t, t->e.h, NULL);
    wait_parked(t, op);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_assert_rc(ferry_op_close(op), FERRY_EBUSY);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ferry_op_wait(op, ct_ms(30000)), FERRY_ECANCELLED);
    ct_assert_rc(ferry_op_close(op), 0);

    /* asynchronous: closing never blocks (the link is stuck meanwhile),
     * the final callback still comes, once, and the memory goes after it
     * (ASan / valgrind see a use after free otherwise) */
    ct_rec *r = fresh(t, 0);
    park(t, FL_PHASE_START, 0);
    op = start_big_read(t, t->e.h, r);
    wait_parked(t, op);
    ct_assert_rc(ferry_op_close(op), 0);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), 0);

    /* asynchronous, closed in its own final callback */
    r = fresh(t, 1);
    int crc = 1;
    r->user = &crc;
    r->on_done = close_in_done;
    ferry_op_cbs cbs = ct_rec_cbs(r);
    ct_assert_rc(ferry_stat(t->e.h, t->small_id, &cbs, &op), 0);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), 0);
    ct_assert_rc(crc, 0);

    /* asynchronous, cancelled and closed at once, queued behind a parked one */
    ct_rec *rb = fresh(t, 2);
    r = fresh(t, 3);
    park(t, FL_PHASE_START, 0);
    ferry_op *blocker = start_big_read(t, t->e.h, rb);
    wait_parked(t, blocker);
    op = start_big_read(t, t->e.h, r);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_assert_rc(ferry_op_close(op), 0);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(rb, ct_ms(30000)), 0);
    ct_assert_rc(ferry_op_close(blocker), 0);
    for (int i = 0; i < 4; i++)
        ct_rec_check(&t->rec[i]);
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C7: status at any time                                                */

static void test_C7_status_query(void **state)
{
    rt *t = *state;
    assert_int_equal(ferry_op_get_state(NULL), FERRY_OP_FAILED);
    ct_rec *rb = fresh(t, 0), *r = fresh(t, 1);
    park(t, FL_PHASE_START, 0);
    ferry_op *blocker = start_big_read(t, t->e.h, rb);
    wait_parked(t, blocker);
    assert_int_equal(ferry_op_get_state(blocker), FERRY_OP_RUNNING);
    ferry_op *op = start_big_read(t, t->e.h, r);
    assert_int_equal(ferry_op_get_state(op), FERRY_OP_PENDING);
    ct_assert_rc(ferry_op_result(op), FERRY_ESTATE);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(rb, ct_ms(30000)), 0);
    assert_int_equal(ferry_op_get_state(blocker), FERRY_OP_SUCCEEDED);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), 0);
    ct_assert_rc(ferry_op_close(blocker), 0);
    ct_assert_rc(ferry_op_close(op), 0);

    /* running -> cancelling -> cancelled */
    r = fresh(t, 2);
    park(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
    op = start_big_read(t, t->e.h, r);
    wait_parked(t, op);
    assert_int_equal(ferry_op_get_state(op), FERRY_OP_RUNNING);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    assert_int_equal(ferry_op_get_state(op), FERRY_OP_CANCELLING);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
    assert_int_equal(ferry_op_get_state(op), FERRY_OP_CANCELLED);
    ct_assert_rc(ferry_op_close(op), 0);

    /* failed */
    ct_assert_rc(ferry_stat(t->e.h, 0x7ffffff0u, NULL, &op), 0);
    assert_true(ferry_op_wait(op, ct_ms(30000)) < 0);
    assert_int_equal(ferry_op_get_state(op), FERRY_OP_FAILED);
    ct_assert_rc(ferry_op_close(op), 0);
    for (int i = 0; i < 3; i++)
        ct_rec_check(&t->rec[i]);
}

/* ------------------------------------------------------------------ */
/* C8: which cancels reach the device                                    */

static void test_C8_cancel_reach(void **state)
{
    rt *t = *state;
    /* queued: no USB traffic at all */
    ct_rec *rb = fresh(t, 0), *r = fresh(t, 1);
    park(t, FL_PHASE_START, 0);
    ferry_op *blocker = start_big_read(t, t->e.h, rb);
    wait_parked(t, blocker);
    unsigned cmds = atomic_load(&ct_w.commands), creq = atomic_load(&ct_w.cancel_requests);
    unsigned polls = atomic_load(&ct_w.status_polls);
    ferry_op *op = start_big_read(t, t->e.h, r);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
    assert_int_equal(atomic_load(&ct_w.commands), cmds);
    assert_int_equal(atomic_load(&ct_w.cancel_requests), creq);
    assert_int_equal(atomic_load(&ct_w.status_polls), polls);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(rb, ct_ms(30000)), 0);
    ct_assert_rc(ferry_op_close(blocker), 0);
    ct_assert_rc(ferry_op_close(op), 0);

    /* running transfer: aborted on the host, the device is told */
    r = fresh(t, 2);
    creq = atomic_load(&ct_w.cancel_requests);
    unsigned long long seq = ct_cancels(&t->e);
    park(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
    op = start_big_read(t, t->e.h, r);
    wait_parked(t, op);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
    assert_false(ferry_op_cancel_too_late(op));
    ct_assert_rc(ferry_op_close(op), 0);
    ct_assert_usable(t->e.h); /* the next one waits for the cancel sequence */
    assert_int_equal(atomic_load(&ct_w.cancel_requests), creq + 1);
    assert_int_equal(ct_cancels(&t->e), seq + 1);

    /* DeleteObject once sent: runs to its end, the real outcome, too late */
    uint32_t id;
    ct_assert_rc(ct_put(t->e.h, t->e.storage, t->work_id, "c8-del.txt", "x", 1, &id), 0);
    r = fresh(t, 3);
    park(t, FL_PHASE_COMMAND, FC_OC_DeleteObject);
    ferry_op_cbs cbs = ct_rec_cbs(r);
    ct_assert_rc(ferry_delete(t->e.h, id, 0, &cbs, &op), 0);
    wait_parked(t, op);
    creq = atomic_load(&ct_w.cancel_requests);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), 0);
    assert_true(ferry_op_cancel_too_late(op));
    assert_int_equal(ferry_op_response(op), 0x2001);
    assert_int_equal(atomic_load(&ct_w.cancel_requests), creq); /* nothing to tell the device */
    assert_false(ct_file_exists(CT_WORK "/c8-del.txt"));
    ct_assert_rc(ferry_op_close(op), 0);
    for (int i = 0; i < 4; i++)
        ct_rec_check(&t->rec[i]);
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C9: busy until the device confirmed                                   */

typedef struct c9_obs {
    ferry_op *watch;
    atomic_int dirty_at_start; /* -1 not seen, 0 clean, 1 dirty */
} c9_obs;

static void c9_observe(ferry_op *op, int phase, void *user)
{
    c9_obs *o = user;
    if (phase == FL_PHASE_START && op == o->watch)
        atomic_store(&o->dirty_at_start, op->link->wire_dirty ? 1 : 0); /* link thread: its own field */
}

static void test_C9_link_busy_until_confirmed(void **state)
{
    rt *t = *state;
    static c9_obs obs;
    for (int variant = 0; variant < 2; variant++) {
        /* variant 1: the device answers Busy to Get Device Status for a
         * while (as a slow device would) */
        ferry_dev *h2;
        ct_assert_rc(ferry_dev_dup(t->e.h, &h2), 0);
        ct_rec *r = fresh(t, 0), *rn = fresh(t, 1);
        park(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
        ferry_op *op = start_big_read(t, t->e.h, r);
        wait_parked(t, op);
        ferry_op_cbs cbs = ct_rec_cbs(rn);
        ferry_op *next;
        ct_assert_rc(ferry_stat(h2, t->small_id, &cbs, &next), 0); /* another handle, same link */
        obs.watch = next;
        atomic_store(&obs.dirty_at_start, -1);
        pthread_mutex_lock(&t->e.hook.mu);
        t->e.hook.observe = c9_observe;
        t->e.hook.observe_user = &obs;
        pthread_mutex_unlock(&t->e.hook.mu);
        unsigned polls0 = atomic_load(&ct_w.status_polls);
        if (variant)
            atomic_store(&ct_w.status_busy, true);
        ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
        ct_hook_release(&t->e.hook);
        ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
        if (variant) {
            /* the read has its final result, the device still says Busy:
             * the next operation must still be waiting */
            uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(10000);
            while (atomic_load(&ct_w.status_polls) < polls0 + 5 && ct_now_ms() < dl)
                ct_sleep_ms(5);
            assert_true(atomic_load(&ct_w.status_polls) >= polls0 + 5);
            assert_int_equal(rn->done, 0);
            assert_int_equal(atomic_load(&obs.dirty_at_start), -1);
            atomic_store(&ct_w.status_busy, false);
        }
        ct_assert_rc(ct_rec_wait(rn, ct_ms(30000)), 0);
        assert_int_equal(atomic_load(&obs.dirty_at_start), 0); /* it started on a clean wire */
        pthread_mutex_lock(&t->e.hook.mu);
        t->e.hook.observe = NULL;
        pthread_mutex_unlock(&t->e.hook.mu);
        ct_assert_rc(ferry_op_close(op), 0);
        ct_assert_rc(ferry_op_close(next), 0);
        ferry_dev_close(h2);
        ct_rec_check(r);
        ct_rec_check(rn);
    }
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C10: handles share one link                                           */

typedef struct c10_obs {
    atomic_int in_txn, max_in_txn;
    atomic_uint last_tid;
    atomic_bool out_of_order;
} c10_obs;

static void c10_observe(ferry_op *op, int phase, void *user)
{
    c10_obs *o = user;
    if (phase == FL_PHASE_COMMAND) {
        int n = atomic_fetch_add(&o->in_txn, 1) + 1;
        if (n > atomic_load(&o->max_in_txn))
            atomic_store(&o->max_in_txn, n);
        uint32_t tid = op->link->tid;
        if (tid <= atomic_load(&o->last_tid))
            atomic_store(&o->out_of_order, true);
        atomic_store(&o->last_tid, tid);
    } else if (phase == FL_PHASE_DONE) {
        atomic_fetch_sub(&o->in_txn, 1);
    }
}

typedef struct c10_worker {
    rt *t;
    ferry_dev *h;
    int failures;
    atomic_bool done;
} c10_worker;

static void *c10_thread(void *arg)
{
    c10_worker *w = arg;
    for (int i = 0; i < 10; i++) {
        uint8_t buf[CT_SMALL_SIZE];
        ferry_data_state st;
        ferry_data sink = ferry_data_buffer(&st, buf, sizeof(buf));
        ferry_op *op;
        if (ferry_read(w->h, w->t->small_id, 0, FERRY_TO_END, &sink, NULL, &op) < 0) {
            w->failures++;
            continue;
        }
        if (ferry_op_wait(op, ct_ms(30000)) != 0 || st.pos != CT_SMALL_SIZE)
            w->failures++;
        if (ferry_op_close(op) != 0)
            w->failures++;
    }
    atomic_store(&w->done, true);
    return NULL;
}

static void test_C10_handles_share_one_link(void **state)
{
    rt *t = *state;
    enum { N = 4 };
    ferry_dev *hs[N];
    unsigned opens = atomic_load(&ct_w.open_sessions);
    for (int i = 0; i < N; i++) {
        if (i % 2)
            ct_assert_rc(ferry_dev_dup(t->e.h, &hs[i]), 0);
        else
            ct_assert_rc(ferry_dev_open(t->e.ctx, t->e.desc, &hs[i]), 0);
        assert_ptr_equal(hs[i]->link, t->e.link); /* one connection, one session */
    }
    static c10_obs obs;
    memset(&obs, 0, sizeof(obs));
    atomic_store(&obs.last_tid, t->e.link->tid);
    pthread_mutex_lock(&t->e.hook.mu);
    t->e.hook.observe = c10_observe;
    t->e.hook.observe_user = &obs;
    pthread_mutex_unlock(&t->e.hook.mu);
    c10_worker ws[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        ws[i] = (c10_worker){.t = t, .h = hs[i]};
        assert_int_equal(pthread_create(&th[i], NULL, c10_thread, &ws[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        join_bounded(th[i], &ws[i].done);
        assert_int_equal(ws[i].failures, 0);
    }
    pthread_mutex_lock(&t->e.hook.mu);
    t->e.hook.observe = NULL;
    pthread_mutex_unlock(&t->e.hook.mu);
    /* serialised on the wire: one transaction at a time, in tid order */
    assert_int_equal(atomic_load(&obs.max_in_txn), 1);
    assert_false(atomic_load(&obs.out_of_order));
    assert_int_equal(atomic_load(&ct_w.open_sessions), opens); /* no second session */
    pthread_mutex_lock(&t->e.ctx->lmu);
    int links = 0;
    for (fl_link *l = t->e.ctx->links; l; l = l->next)
        links++;
    pthread_mutex_unlock(&t->e.ctx->lmu);
    assert_int_equal(links, 1);
    for (int i = 0; i < N; i++)
        ferry_dev_close(hs[i]);
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C11: cancel on one handle touches that handle only                   */

static void test_C11_cancel_own_handle_only(void **state)
{
    rt *t = *state;
    ferry_dev *ha, *hb;
    ct_assert_rc(ferry_dev_dup(t->e.h, &ha), 0);
    ct_assert_rc(ferry_dev_dup(t->e.h, &hb), 0);
    for (int variant = 0; variant < 2; variant++) {
        /* A's read runs (parked); A2, B1, B2 queue behind it */
        ct_rec *a1 = fresh(t, 0), *a2 = fresh(t, 1), *b1 = fresh(t, 2), *b2 = fresh(t, 3);
        park(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
        ferry_op *oa1 = start_big_read(t, ha, a1);
        wait_parked(t, oa1);
        ferry_op *ob1 = start_big_read(t, hb, b1);
        ferry_op_cbs ca2 = ct_rec_cbs(a2), cb2 = ct_rec_cbs(b2);
        ferry_op *oa2, *ob2;
        ct_assert_rc(ferry_stat(ha, t->small_id, &ca2, &oa2), 0);
        ct_assert_rc(ferry_list(hb, 0, t->some_id, &cb2, &ob2), 0);
        if (variant == 0) {
            /* one operation of A */
            ct_assert_rc(ferry_op_cancel(oa1, FERRY_CANCEL_USER), 0);
        } else {
            /* all of A: its handle closes */
            ferry_dev_close(ha);
            ct_assert_rc(ct_rec_wait(a2, ct_ms(30000)), FERRY_ECANCELLED);
        }
        ct_hook_release(&t->e.hook);
        ct_assert_rc(ct_rec_wait(a1, ct_ms(30000)), FERRY_ECANCELLED);
        /* B's run right after, untouched */
        ct_assert_rc(ct_rec_wait(b1, ct_ms(30000)), 0);
        ct_assert_rc(ct_rec_wait(b2, ct_ms(30000)), 0);
        assert_int_equal(b2->items, CT_SOME_N);
        assert_int_equal(ferry_op_cancel_reason(ob1), FERRY_CANCEL_NONE);
        assert_int_equal(ferry_op_cancel_reason(ob2), FERRY_CANCEL_NONE);
        if (variant == 0) {
            ct_assert_rc(ct_rec_wait(a2, ct_ms(30000)), 0); /* A's other operation too */
            assert_int_equal(ferry_op_cancel_reason(oa2), FERRY_CANCEL_NONE);
        } else {
            assert_int_equal(ferry_op_cancel_reason(oa2), FERRY_CANCEL_SHUTDOWN);
        }
        ferry_op *ops[] = {oa1, oa2, ob1, ob2};
        for (int i = 0; i < 4; i++) {
            ct_assert_rc(ferry_op_close(ops[i]), 0);
            ct_rec_check(&t->rec[i]);
        }
    }
    ferry_dev_close(hb);
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C12: the last handle closes the session and releases the interface   */

static int links_of(ferry_ctx *ctx)
{
    pthread_mutex_lock(&ctx->lmu);
    int n = 0;
    for (fl_link *l = ctx->links; l; l = l->next)
        n++;
    pthread_mutex_unlock(&ctx->lmu);
    return n;
}

static void wait_no_links(ferry_ctx *ctx)
{
    uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(20000);
    while (links_of(ctx) && ct_now_ms() < dl)
        ct_sleep_ms(5);
    assert_int_equal(links_of(ctx), 0);
}

static void test_C12_last_handle_releases(void **state)
{
    rt *t = *state;
    ferry_dev *h2;
    ct_assert_rc(ferry_dev_dup(t->e.h, &h2), 0);
    unsigned closes = atomic_load(&ct_w.close_sessions);

    /* while a handle is open another context cannot have the device */
    ct_env e2;
    memset(&e2, 0, sizeof(e2));
    ct_assert_rc(ferry_ctx_new(&e2.ctx, NULL), 0);
    ct_assert_rc(ferry_device_find(e2.ctx, NULL, &e2.desc), 0);
    ct_assert_rc(ferry_dev_open(e2.ctx, e2.desc, &e2.h), 0);
    ferry_op *op;
    ct_assert_rc(ferry_stat(e2.h, t->small_id, NULL, &op), 0);
    ct_assert_rc(ct_finish(op), FERRY_EDEVICE_BUSY);

    /* one of two handles closes: the session stays */
    ferry_dev_close(h2);
    ct_assert_usable(t->e.h);
    assert_int_equal(atomic_load(&ct_w.close_sessions), closes);
    assert_int_equal(links_of(t->e.ctx), 1);

    /* the last one: CloseSession, the interface goes, the link goes */
    ferry_dev_close(t->e.h);
    t->e.h = NULL;
    wait_no_links(t->e.ctx);
    assert_int_equal(atomic_load(&ct_w.close_sessions), closes + 1);
    /* now the other context gets it (the first still exists) */
    ferry_dev_close(e2.h);
    ct_assert_rc(ferry_dev_open(e2.ctx, e2.desc, &e2.h), 0);
    ct_assert_usable(e2.h);
    ferry_dev_close(e2.h);
    e2.h = NULL;
    wait_no_links(e2.ctx);

    /* close the last handle and open again at once, same context */
    for (int i = 0; i < 3; i++) {
        ct_assert_rc(ferry_dev_open(t->e.ctx, t->e.desc, &t->e.h), 0);
        ct_assert_usable(t->e.h);
        ferry_dev_close(t->e.h);
        t->e.h = NULL;
    }
    ct_env_close(&e2);
    ct_assert_rc(ferry_dev_open(t->e.ctx, t->e.desc, &t->e.h), 0);
    t->e.link = t->e.h->link;
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C13: cancel hooks                                                      */

static atomic_int hook_a, hook_b;
static void hook_fn_a(void *d)
{
    (void)d;
    atomic_fetch_add(&hook_a, 1);
}
static void hook_fn_b(void *d)
{
    (void)d;
    atomic_fetch_add(&hook_b, 1);
}

typedef struct c13_reg {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool parked, go;
    int reg_rc;
    fy_hook_fn orig;
    void *orig_data;
    atomic_int mine;
} c13_reg;

static c13_reg c13;

/* Ours replaces the stage's; it then does what the stage's would. */
static void c13_mine(void *data)
{
    (void)data;
    atomic_fetch_add(&c13.mine, 1);
    if (c13.orig)
        c13.orig(c13.orig_data);
}

/* Link thread, in the stage: register, then wait for the test. */
static void c13_in_stage(ferry_op *op, int phase, void *user)
{
    (void)phase;
    (void)user;
    pthread_mutex_lock(&op->hook.mu);
    c13.orig = op->hook.fn;
    c13.orig_data = op->hook.data;
    pthread_mutex_unlock(&op->hook.mu);
    int rc = fy_hook_register(&op->hook, c13_mine, NULL);
    pthread_mutex_lock(&c13.mu);
    c13.reg_rc = rc;
    c13.parked = true;
    pthread_cond_broadcast(&c13.cv);
    uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(30000);
    while (!c13.go && ct_now_ms() < dl) {
        pthread_mutex_unlock(&c13.mu);
        ct_sleep_ms(2);
        pthread_mutex_lock(&c13.mu);
    }
    pthread_mutex_unlock(&c13.mu);
}

static void c13_arm(rt *t, int phase, uint16_t code)
{
    pthread_mutex_lock(&c13.mu);
    c13.parked = c13.go = false;
    c13.reg_rc = 1;
    c13.orig = NULL;
    atomic_store(&c13.mine, 0);
    pthread_mutex_unlock(&c13.mu);
    ct_hook_arm_code(&t->e.hook, phase, code);
    pthread_mutex_lock(&t->e.hook.mu);
    t->e.hook.fn = c13_in_stage;
    pthread_mutex_unlock(&t->e.hook.mu);
}

static void c13_wait(void)
{
    uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(30000);
    pthread_mutex_lock(&c13.mu);
    while (!c13.parked && ct_now_ms() < dl) {
        pthread_mutex_unlock(&c13.mu);
        ct_sleep_ms(2);
        pthread_mutex_lock(&c13.mu);
    }
    bool p = c13.parked;
    pthread_mutex_unlock(&c13.mu);
    assert_true(p);
}

static void c13_go(void)
{
    pthread_mutex_lock(&c13.mu);
    c13.go = true;
    pthread_mutex_unlock(&c13.mu);
}

static void test_C13_cancel_hooks(void **state)
{
    rt *t = *state;
    /* the hook itself */
    fy_hook h;
    fy_hook_init(&h);
    fy_hook_stage(&h, true);
    atomic_store(&hook_a, 0);
    atomic_store(&hook_b, 0);
    ct_assert_rc(fy_hook_register(&h, hook_fn_a, NULL), 0);
    ct_assert_rc(fy_hook_register(&h, hook_fn_b, NULL), 0); /* replaces a */
    assert_true(fy_hook_fire(&h));
    assert_int_equal(atomic_load(&hook_a), 0);
    assert_int_equal(atomic_load(&hook_b), 1);
    assert_false(fy_hook_fire(&h)); /* at most once per registration */
    assert_int_equal(atomic_load(&hook_b), 1);
    /* a cancel that came before the stage registered: honoured at once */
    fy_hook_stage(&h, true);
    ct_assert_rc(fy_hook_register(&h, hook_fn_a, NULL), 0);
    assert_int_equal(atomic_load(&hook_a), 1);
    /* a stage that cannot be cancelled refuses */
    fy_hook_stage(&h, false);
    ct_assert_rc(fy_hook_register(&h, hook_fn_a, NULL), FERRY_ESTATE);
    assert_false(fy_hook_fire(&h));
    assert_int_equal(atomic_load(&hook_a), 1);
    /* never after completion */
    fy_hook_stage(&h, true);
    fy_hook_complete(&h);
    ct_assert_rc(fy_hook_register(&h, hook_fn_b, NULL), FERRY_ESTATE);
    assert_false(fy_hook_fire(&h));
    assert_int_equal(atomic_load(&hook_b), 1);
    fy_hook_destroy(&h);

    /* in an operation: a stage of GetObject takes our callback in place
     * of its own; the cancel runs ours (which then aborts the pipes) */
    pthread_mutex_init(&c13.mu, NULL);
    pthread_cond_init(&c13.cv, NULL);
    ct_rec *r = fresh(t, 0);
    c13_arm(t, FL_PHASE_DATA_MID, FC_OC_GetObject);
    ferry_op *op = start_big_read(t, t->e.h, r);
    c13_wait();
    ct_assert_rc(c13.reg_rc, 0);
    assert_non_null(c13.orig);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    assert_int_equal(atomic_load(&c13.mine), 1);
    c13_go();
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
    ct_assert_rc(ferry_op_close(op), 0);

    /* DeleteObject cannot be cancelled: the registration is refused and
     * the operation runs to its end */
    uint32_t id;
    ct_assert_rc(ct_put(t->e.h, t->e.storage, t->work_id, "c13-del.txt", "x", 1, &id), 0);
    r = fresh(t, 1);
    c13_arm(t, FL_PHASE_COMMAND, FC_OC_DeleteObject);
    ferry_op_cbs cbs = ct_rec_cbs(r);
    ct_assert_rc(ferry_delete(t->e.h, id, 0, &cbs, &op), 0);
    c13_wait();
    ct_assert_rc(c13.reg_rc, FERRY_ESTATE);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    assert_int_equal(atomic_load(&c13.mine), 0);
    c13_go();
    ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), 0);
    assert_true(ferry_op_cancel_too_late(op));
    assert_false(ct_file_exists(CT_WORK "/c13-del.txt"));

    /* an operation that completed: no registration, no callback */
    ct_assert_rc(fy_hook_register(&op->hook, c13_mine, NULL), FERRY_ESTATE);
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), FERRY_EALREADY_FINISHED);
    assert_int_equal(atomic_load(&c13.mine), 0);
    ct_assert_rc(ferry_op_close(op), 0);
    ct_hook_disarm(&t->e.hook);
    pthread_mutex_destroy(&c13.mu);
    pthread_cond_destroy(&c13.cv);
    ct_rec_check(&t->rec[0]);
    ct_rec_check(&t->rec[1]);
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C14, C15: upload streams                                              */

static bool name_listed(rt *t, const char *name)
{
    return ct_listed(t->e.h, 0, t->work_id, name);
}

/* No object and no file of an upload left (name or its part object). */
static void assert_no_trace(rt *t, const char *name)
{
    char first[256];
    assert_false(name_listed(t, name));
    char rel[300];
    snprintf(rel, sizeof(rel), "%s/%s", CT_WORK, name);
    assert_false(ct_file_exists(rel));
    if (ct_dir_count(CT_WORK, NULL, first, sizeof(first)) != 0)
        fail_msg("left in the backing folder: %s", first);
    ferry_object *objs;
    size_t n;
    ct_assert_rc(ct_list(t->e.h, 0, t->work_id, &objs, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (strncmp(objs[i].name, ".ferry-", 7) == 0)
            fail_msg("left on the device: %s", objs[i].name);
    ct_objects_free(objs, n);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 131u + seed) ^ (i >> 9));
}

static void test_C14_nothing_visible_before_commit(void **state)
{
    rt *t = *state;
    enum { SIZE = 3 << 20 };
    uint8_t *data = malloc(SIZE);
    assert_non_null(data);
    fill(data, SIZE, 14);

    /* known size: the data goes out as it is written */
    ferry_upload *u;
    ct_assert_rc(ferry_upload_create(t->e.h, 0, t->work_id, "c14.bin", SIZE, FERRY_MTIME_NONE, 0, &u), 0);
    ct_assert_rc(ferry_upload_write(u, data, SIZE / 3), 0);
    assert_false(ct_file_exists(CT_WORK "/c14.bin"));
    ct_assert_rc(ferry_upload_write(u, data + SIZE / 3, SIZE - SIZE / 3), 0);
    assert_false(ct_file_exists(CT_WORK "/c14.bin"));
    ferry_object o;
    ct_assert_rc(ferry_upload_commit(u, &o), 0);
    assert_string_equal(o.name, "c14.bin");
    assert_int_equal(o.size, SIZE);
    free(o.name);
    ferry_upload_release(u);
    uint8_t *got;
    size_t len;
    assert_int_equal(ct_slurp(CT_WORK "/c14.bin", &got, &len), 0);
    assert_int_equal(len, SIZE);
    assert_memory_equal(got, data, SIZE);
    free(got);
    assert_true(name_listed(t, "c14.bin"));
    assert_int_equal(ct_dir_count(CT_WORK, NULL, NULL, 0), 0);

    /* the moment before the commit: all data sent, the object is still a
     * part object (device) and a part file (backing folder) */
    ct_rec *r = fresh(t, 1);
    ferry_data_state st;
    ferry_data src = ferry_data_buffer(&st, data, SIZE);
    ferry_op_cbs cbs = ct_rec_cbs(r);
    ferry_op *op;
    ct_hook_arm_code(&t->e.hook, FL_PHASE_DONE, FC_OC_SendObject);
    ct_assert_rc(ferry_put(t->e.h, 0, t->work_id, "c14b.bin", SIZE, FERRY_MTIME_NONE, &src, 0, &cbs, &op), 0);
    wait_parked(t, op);
    assert_false(ct_file_exists(CT_WORK "/c14b.bin"));
    char part[256];
    assert_int_equal(ct_dir_count(CT_WORK, ".ferry-part-", part, sizeof(part)), 1);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(r, ct_ms(60000)), 0);
    ct_assert_rc(ferry_op_close(op), 0);
    assert_true(ct_file_exists(CT_WORK "/c14b.bin"));
    assert_int_equal(ct_dir_count(CT_WORK, NULL, NULL, 0), 0);

    /* unknown size: spooled locally, so the device is free meanwhile and
     * its listing can be looked at during the writes */
    ct_assert_rc(ferry_upload_create(t->e.h, 0, t->work_id, "c14c.bin", FERRY_SIZE_UNKNOWN, FERRY_MTIME_NONE, 0, &u),
                 0);
    ct_assert_rc(ferry_upload_write(u, data, SIZE / 2), 0);
    assert_false(name_listed(t, "c14c.bin"));
    assert_false(ct_file_exists(CT_WORK "/c14c.bin"));
    ct_assert_rc(ferry_upload_write(u, data + SIZE / 2, SIZE - SIZE / 2), 0);
    assert_false(name_listed(t, "c14c.bin"));
    ct_assert_rc(ferry_upload_commit(u, NULL), 0);
    ferry_upload_release(u);
    assert_true(name_listed(t, "c14c.bin"));
    assert_int_equal(ct_slurp(CT_WORK "/c14c.bin", &got, &len), 0);
    assert_int_equal(len, SIZE);
    assert_memory_equal(got, data, SIZE);
    free(got);
    free(data);
    ct_rec_check(&t->rec[1]);
}

typedef struct writer {
    ferry_upload *u;
    const uint8_t *data;
    size_t len;
    int rc;
    atomic_bool done;
} writer;

static void *write_thread(void *arg)
{
    writer *w = arg;
    w->rc = ferry_upload_write(w->u, w->data, w->len);
    atomic_store(&w->done, true);
    return NULL;
}

static void test_C15_revert_leaves_nothing(void **state)
{
    rt *t = *state;
    enum { SIZE = 4 << 20 };
    uint8_t *data = malloc(SIZE);
    assert_non_null(data);
    fill(data, SIZE, 15);

    /* revert after part of the data */
    ferry_upload *u;
    ct_assert_rc(ferry_upload_create(t->e.h, 0, t->work_id, "c15a.bin", SIZE, FERRY_MTIME_NONE, 0, &u), 0);
    ct_assert_rc(ferry_upload_write(u, data, SIZE / 4), 0);
    ct_assert_rc(ferry_upload_revert(u), 0);
    ct_assert_rc(ferry_upload_write(u, data, 1), FERRY_ESTATE);
    ct_assert_rc(ferry_upload_commit(u, NULL), FERRY_ESTATE);
    ct_assert_rc(ferry_upload_revert(u), 0);
    ferry_upload_release(u);
    assert_no_trace(t, "c15a.bin");

    /* every byte written, no commit yet: still not finished, revert works */
    ct_assert_rc(ferry_upload_create(t->e.h, 0, t->work_id, "c15e.bin", SIZE, FERRY_MTIME_NONE, 0, &u), 0);
    ct_assert_rc(ferry_upload_write(u, data, SIZE), 0);
    ct_sleep_ms(300); /* time enough for the link to have renamed it */
    assert_false(ct_file_exists(CT_WORK "/c15e.bin"));
    assert_int_equal(ferry_op_get_state(ferry_upload_op(u)), FERRY_OP_RUNNING);
    ct_assert_rc(ferry_upload_revert(u), 0);
    ferry_upload_release(u);
    assert_no_trace(t, "c15e.bin");

    /* release without commit reverts */
    ct_assert_rc(ferry_upload_create(t->e.h, 0, t->work_id, "c15b.bin", SIZE, FERRY_MTIME_NONE, 0, &u), 0);
    ct_assert_rc(ferry_upload_write(u, data, SIZE / 2), 0);
    ferry_upload_release(u);
    assert_no_trace(t, "c15b.bin");

    /* cancel during a write (another thread): the write ends with
     * CANCELLED; then only revert and release succeed. The link is parked
     * in the middle of SendObject's data so the write is surely blocked. */
    ct_hook_arm(&t->e.hook, NULL, FL_PHASE_DATA_MID, CT_TXN_ANY);
    ct_assert_rc(ferry_upload_create(t->e.h, 0, t->work_id, "c15c.bin", SIZE, FERRY_MTIME_NONE, 0, &u), 0);
    ct_assert_rc(ferry_upload_write(u, data, 1 << 20), 0);
    writer w = {.u = u, .data = data + (1 << 20), .len = SIZE - (1 << 20)};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, write_thread, &w), 0);
    wait_parked(t, ferry_upload_op(u));
    assert_false(atomic_load(&w.done));
    ct_assert_rc(ferry_upload_cancel(u, FERRY_CANCEL_USER), 0);
    join_bounded(th, &w.done); /* returns although the link is still stuck */
    ct_assert_rc(w.rc, FERRY_ECANCELLED);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ferry_upload_write(u, data, 1), FERRY_ECANCELLED);
    ct_assert_rc(ferry_upload_commit(u, NULL), FERRY_ECANCELLED);
    ct_assert_rc(ferry_upload_cancel(u, FERRY_CANCEL_USER), FERRY_EALREADY_CANCELLED);
    ct_assert_rc(ferry_upload_revert(u), 0);
    ferry_upload_release(u);
    assert_no_trace(t, "c15c.bin");

    /* ferry_put cancelled in SendObject's data phase */
    for (int phase = FL_PHASE_DATA_START; phase <= FL_PHASE_DATA_END; phase++) {
        ct_rec *r = fresh(t, phase);
        ferry_data_state st;
        ferry_data src = ferry_data_buffer(&st, data, SIZE);
        ferry_op_cbs cbs = ct_rec_cbs(r);
        ferry_op *op;
        ct_hook_arm_code(&t->e.hook, phase, FC_OC_SendObject);
        ct_assert_rc(ferry_put(t->e.h, 0, t->work_id, "c15d.bin", SIZE, FERRY_MTIME_NONE, &src, 0, &cbs, &op), 0);
        wait_parked(t, op);
        ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
        ct_hook_release(&t->e.hook);
        ct_assert_rc(ct_rec_wait(r, ct_ms(60000)), FERRY_ECANCELLED);
        ct_assert_rc(ferry_op_close(op), 0);
        ct_rec_check(r);
        assert_no_trace(t, "c15d.bin");
    }
    free(data);
    ct_assert_usable(t->e.h);
}

/* ------------------------------------------------------------------ */
/* C16: downloads                                                        */

static int local_count_parts(rt *t)
{
    int n = 0;
    DIR *d = opendir(t->local);
    if (!d)
        return -1;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".ferry-part"))
            n++;
    closedir(d);
    return n;
}

static void write_local(rt *t, const char *name, const char *text)
{
    char p[700];
    snprintf(p, sizeof(p), "%s/%s", t->local, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void assert_local(rt *t, const char *name, const void *want, size_t len)
{
    char p[700];
    snprintf(p, sizeof(p), "%s/%s", t->local, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(len + 1);
    size_t got = fread(buf, 1, len + 1, f);
    fclose(f);
    assert_int_equal(got, len);
    assert_memory_equal(buf, want, len);
    free(buf);
}

static atomic_size_t tee_seen;
static int failing_tee(void *priv, const void *buf, size_t len)
{
    (void)priv;
    (void)buf;
    if (atomic_fetch_add(&tee_seen, len) + len > (1u << 20))
        return FERRY_EIO;
    return 0;
}

static void test_C16_download_leaves_no_part(void **state)
{
    rt *t = *state;
    static const char old[] = "the old copy\n";
    char target[700];
    snprintf(target, sizeof(target), "%s/big.copy", t->local);

    /* cancelled in the middle: no part file, the target intact */
    for (int phase = FL_PHASE_DATA_START; phase <= FL_PHASE_DATA_END; phase++) {
        write_local(t, "big.copy", old);
        ct_rec *r = fresh(t, phase);
        ferry_op_cbs cbs = ct_rec_cbs(r);
        ferry_op *op;
        park(t, phase, FC_OC_GetObject);
        ct_assert_rc(ferry_get(t->e.h, t->big_id, target, 0, &cbs, &op), 0);
        wait_parked(t, op);
        assert_int_equal(local_count_parts(t), 1); /* it writes a part file, not the target */
        assert_local(t, "big.copy", old, sizeof(old) - 1);
        ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
        ct_hook_release(&t->e.hook);
        ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
        ct_assert_rc(ferry_op_close(op), 0);
        ct_rec_check(r);
        assert_int_equal(local_count_parts(t), 0);
        assert_local(t, "big.copy", old, sizeof(old) - 1);
    }

    /* an error in the middle (the tee fails): the same */
    ferry_data tee = {NULL, failing_tee, NULL};
    atomic_store(&tee_seen, 0);
    ferry_op *op;
    ct_assert_rc(ferry_get_tee(t->e.h, t->big_id, target, 0, &tee, NULL, &op), 0);
    ct_assert_rc(ct_finish(op), FERRY_EIO);
    assert_int_equal(local_count_parts(t), 0);
    assert_local(t, "big.copy", old, sizeof(old) - 1);

    /* FERRY_GET_NO_REPLACE keeps it too */
    ct_assert_rc(ferry_get(t->e.h, t->big_id, target, FERRY_GET_NO_REPLACE, NULL, &op), 0);
    ct_assert_rc(ct_finish(op), FERRY_EEXIST);
    assert_local(t, "big.copy", old, sizeof(old) - 1);

    /* whole: the target is replaced, no part file */
    ct_assert_rc(ferry_get(t->e.h, t->big_id, target, 0, NULL, &op), 0);
    ct_assert_rc(ct_finish(op), 0);
    assert_int_equal(local_count_parts(t), 0);
    assert_local(t, "big.copy", t->big, t->big_len);
    ct_assert_usable(t->e.h);
}

int main(int argc, char **argv)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    static const struct CMUnitTest tests[] = {
        T(test_C1_requests_are_operations),
        T(test_C2_cancel_any_thread_never_blocks),
        T(test_C3_cancel_outcomes),
        T(test_C4_cancel_reason_reported),
        T(test_C5_results_then_one_final),
        T(test_C6_close),
        T(test_C7_status_query),
        T(test_C8_cancel_reach),
        T(test_C9_link_busy_until_confirmed),
        T(test_C10_handles_share_one_link),
        T(test_C11_cancel_own_handle_only),
        T(test_C12_last_handle_releases),
        T(test_C13_cancel_hooks),
        T(test_C14_nothing_visible_before_commit),
        T(test_C15_revert_leaves_nothing),
        T(test_C16_download_leaves_no_part),
    };
#undef T
    return ct_main(argc, argv, "contract-rules", tests, sizeof(tests) / sizeof(tests[0]));
}
