/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Concurrency (CONTRACT.md C2, C5, C10, C11): 8 threads, each with its own
 * handle on one device, mix every kind of request, synchronous and
 * asynchronous, cancel their own operations at random moments, and a
 * chaos thread cancels the running operation of a random thread from
 * outside. For FERRY_STRESS_SECONDS (default 5; 30 in the ThreadSanitizer
 * run). Checked: every operation gets its final result in bounded time
 * (a wait that times out is a deadlock: the test aborts, never hangs),
 * each asynchronous one exactly one final callback, after its results;
 * an operation nobody cancelled never ends cancelled and carries no
 * reason (C11: each cancel affects only its own operation and handle); a
 * cancelled one carries its reason; nothing is left half-written on the
 * device or on disk.
 *
 * The ThreadSanitizer run (30 s), with the test program built with TSan
 * and ferry-vdev from an ordinary build (the vdev is a test tool; its own
 * thread checks are its business):
 *   mkdir -p /tmp/b-tsan && cd /tmp/b-tsan && \
 *   /work/main/configure CC=clang --enable-tsan && \
 *   make -j2 tests/integration/contract-stress && \
 *   TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 \
 *     suppressions=/work/main/tests/integration/contract-tsan.supp" \
 *   FERRY_STRESS_SECONDS=30 sh /work/main/tests/integration/contract-run.sh \
 *     --bindir tests/integration --vdev /tmp/b-contract/ferry-vdev contract-stress
 * (scripts/test-all does the same in build-tsan; contract-tsan.supp holds
 * one suppression, a race inside libusb's synchronous transfers.)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contract.h"

enum { NTHREADS = 8 };

static int seconds(void)
{
    const char *s = getenv("FERRY_STRESS_SECONDS");
    int n = s ? atoi(s) : 0;
    return n > 0 ? n : 5;
}

typedef struct worker worker;

/* One operation of a worker, watched by the chaos thread. */
typedef struct wop {
    worker *w;
    ferry_op *op;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int items, progress, done, result;
    bool late, wrong;
} wop;

struct worker {
    int idx;
    ferry_dev *h;
    ferry_ctx *ctx;
    uint32_t storage, folder, big, small, some;
    unsigned seed;
    char local[700];
    /* the operation the chaos thread may cancel, under mu */
    pthread_mutex_t mu;
    ferry_op *cur;
    bool chaos_cancelled;
    /* results */
    unsigned long ops, cancels, cancelled, too_late;
    char fail[512];
    atomic_bool finished;
};

static worker W[NTHREADS];
static atomic_bool stop_all;
static uint64_t deadline_ms;
static atomic_ulong chaos_cancels;

static void failf(worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(worker *w, const char *fmt, ...)
{
    if (w->fail[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->fail, sizeof(w->fail), fmt, ap);
    va_end(ap);
    atomic_store(&stop_all, true);
}

static unsigned rnd(worker *w, unsigned n)
{
    w->seed = w->seed * 1103515245u + 12345u;
    return (w->seed >> 16) % n;
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                             */

static void cb_item(ferry_op *op, const ferry_item *it, void *user)
{
    (void)it;
    wop *o = user;
    pthread_mutex_lock(&o->mu);
    if (o->done)
        o->late = true;
    if (op != o->op && o->op)
        o->wrong = true;
    o->items++;
    pthread_mutex_unlock(&o->mu);
}

static void cb_progress(ferry_op *op, uint64_t done, uint64_t total, void *user)
{
    (void)op;
    (void)done;
    (void)total;
    wop *o = user;
    pthread_mutex_lock(&o->mu);
    if (o->done)
        o->late = true;
    o->progress++;
    pthread_mutex_unlock(&o->mu);
}

static void cb_done(ferry_op *op, int result, void *user)
{
    (void)op;
    wop *o = user;
    pthread_mutex_lock(&o->mu);
    o->done++;
    o->result = result;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

static void wop_init(wop *o, worker *w)
{
    memset(o, 0, sizeof(*o));
    o->w = w;
    pthread_mutex_init(&o->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&o->cv, &ca);
    pthread_condattr_destroy(&ca);
}

static void wop_destroy(wop *o)
{
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
}

/* ------------------------------------------------------------------ */
/* One operation: start, maybe cancel, wait (bounded), check, close      */

typedef int (*start_fn)(worker *w, const ferry_op_cbs *cbs, ferry_op **op, void *arg);

static void publish(worker *w, ferry_op *op)
{
    pthread_mutex_lock(&w->mu);
    w->cur = op;
    w->chaos_cancelled = false;
    pthread_mutex_unlock(&w->mu);
}

/* Takes the op back from the chaos thread; whether it cancelled it. */
static bool unpublish(worker *w)
{
    pthread_mutex_lock(&w->mu);
    bool c = w->chaos_cancelled;
    w->cur = NULL;
    pthread_mutex_unlock(&w->mu);
    return c;
}

/* Runs one operation; its final result, or 1 when the test must stop. */
static int run_op(worker *w, const char *what, start_fn start, void *arg, bool may_fail)
{
    bool async = rnd(w, 2);
    wop o;
    wop_init(&o, w);
    ferry_op_cbs cbs = {cb_item, cb_progress, cb_done, &o};
    ferry_op *op = NULL;
    int rc = start(w, async ? &cbs : NULL, &op, arg);
    if (rc < 0) {
        failf(w, "%s: start %s", what, ferry_err_name(rc));
        wop_destroy(&o);
        return 1;
    }
    pthread_mutex_lock(&o.mu);
    o.op = op;
    pthread_mutex_unlock(&o.mu);
    publish(w, op);
    w->ops++;
    bool cancelled = false;
    unsigned how = rnd(w, 8);
    if (how < 3) {
        /* cancel it ourselves, at once or a little later */
        if (how)
            ct_sleep_ms(rnd(w, 15));
        int crc = ferry_op_cancel(op, FERRY_CANCEL_USER);
        if (crc != 0 && crc != FERRY_EALREADY_FINISHED && crc != FERRY_EALREADY_CANCELLED && crc >= 0)
            failf(w, "%s: cancel returned %d", what, crc);
        cancelled = true;
        w->cancels++;
    }
    int res;
    if (async) {
        uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(60000);
        pthread_mutex_lock(&o.mu);
        while (!o.done && ct_now_ms() < dl) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += 50000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&o.cv, &o.mu, &ts);
        }
        res = o.done ? o.result : FERRY_ETIMEDOUT;
        pthread_mutex_unlock(&o.mu);
    } else {
        res = ferry_op_wait(op, ct_ms(60000));
    }
    bool chaos = unpublish(w);
    if (res == FERRY_ETIMEDOUT) {
        failf(w, "%s: no final result within 60 s (state %d): a deadlock", what, ferry_op_get_state(op));
        fprintf(stderr, "thread %d: %s\n", w->idx, w->fail);
        abort(); /* fail now rather than hang in the teardown */
    }
    cancelled = cancelled || chaos;
    ferry_cancel_reason reason = ferry_op_cancel_reason(op);
    if (res == FERRY_ECANCELLED)
        w->cancelled++;
    if (ferry_op_cancel_too_late(op))
        w->too_late++;
    if (!cancelled && (res == FERRY_ECANCELLED || reason != FERRY_CANCEL_NONE))
        failf(w, "%s: nobody cancelled it, yet %s, reason %d (C11)", what, ferry_err_name(res), reason);
    if (cancelled && res == FERRY_ECANCELLED && reason != FERRY_CANCEL_USER && reason != FERRY_CANCEL_TIMEOUT)
        failf(w, "%s: cancelled with reason %d", what, reason);
    if (!cancelled && res != 0 && !may_fail)
        failf(w, "%s: %s (%s)", what, ferry_err_name(res), ferry_op_error_text(op));
    if (cancelled && res != 0 && res != FERRY_ECANCELLED && !may_fail)
        failf(w, "%s, cancelled: %s", what, ferry_err_name(res));
    if (async) {
        /* one final, nothing after it (C5); then closing never blocks */
        ct_sleep_ms(rnd(w, 2));
        pthread_mutex_lock(&o.mu);
        if (o.done != 1 || o.late || o.wrong)
            failf(w, "%s: %d final callbacks, late %d, wrong %d", what, o.done, o.late, o.wrong);
        pthread_mutex_unlock(&o.mu);
        if (ferry_op_close(op) != 0)
            failf(w, "%s: close failed", what);
    } else {
        if (ferry_op_close(op) != 0)
            failf(w, "%s: close of a waited synchronous operation failed", what);
    }
    wop_destroy(&o);
    return res;
}

/* ------------------------------------------------------------------ */
/* The requests                                                          */

static int drop_put(void *priv, const void *buf, size_t len)
{
    (void)priv;
    (void)buf;
    (void)len;
    return 0;
}
static const ferry_data drop_sink = {NULL, drop_put, NULL};

static int s_stat(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    (void)a;
    return ferry_stat(w->h, w->small, c, op);
}
static int s_list(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    (void)a;
    return ferry_list(w->h, 0, w->some, c, op);
}
static int s_list_own(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    (void)a;
    return ferry_list(w->h, 0, w->folder, c, op);
}
static int s_read_big(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    (void)a;
    return ferry_read(w->h, w->big, 0, FERRY_TO_END, &drop_sink, c, op);
}
static int s_read_part(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    (void)a;
    return ferry_read(w->h, w->big, 1000000, 300000, &drop_sink, c, op);
}
static int s_resolve(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    (void)a;
    return ferry_resolve(w->h, CT_ROOT "/" CT_SOME "/some-011.txt", c, op);
}
static int s_mkdir(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    return ferry_mkdir(w->h, 0, w->folder, a, c, op);
}
static int s_delete(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    return ferry_delete(w->h, *(uint32_t *)a, FERRY_DELETE_RECURSIVE, c, op);
}
typedef struct put_arg {
    const char *name;
    ferry_data_state st;
    ferry_data src;
    uint8_t buf[70000];
} put_arg;
static int s_put(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    put_arg *p = a;
    p->src = ferry_data_buffer(&p->st, p->buf, sizeof(p->buf));
    return ferry_put(w->h, 0, w->folder, p->name, sizeof(p->buf), FERRY_MTIME_NONE, &p->src, 0, c, op);
}
static int s_get(worker *w, const ferry_op_cbs *c, ferry_op **op, void *a)
{
    return ferry_get(w->h, w->big, a, 0, c, op);
}

/* The object of that name in the worker's folder, 0 if none. */
static uint32_t find(worker *w, const char *name)
{
    ferry_op *op;
    if (ferry_list(w->h, 0, w->folder, NULL, &op) < 0)
        return 0;
    uint32_t id = 0;
    ferry_item it;
    int rc;
    while ((rc = ferry_op_next(op, &it, ct_ms(60000))) == 0) {
        if (it.kind == FERRY_ITEM_OBJECT && strcmp(it.u.object.name, name) == 0)
            id = it.u.object.id;
        ferry_item_clear(&it);
    }
    if (rc == FERRY_ETIMEDOUT) {
        fprintf(stderr, "thread %d: a listing did not end: a deadlock\n", w->idx);
        abort();
    }
    ferry_op_close(op);
    return id;
}

static void upload_round(worker *w, unsigned n)
{
    static uint8_t data[200000];
    char name[64];
    snprintf(name, sizeof(name), "up-%u.bin", n);
    ferry_upload *u;
    int rc = ferry_upload_create(w->h, 0, w->folder, name, sizeof(data), FERRY_MTIME_NONE, 0, &u);
    if (rc < 0) {
        failf(w, "upload_create: %s", ferry_err_name(rc));
        return;
    }
    unsigned fate = rnd(w, 4); /* 0 commit, 1 revert, 2 release, 3 cancel */
    size_t off = 0;
    while (off < sizeof(data) && rc == 0) {
        if (fate == 3 && off >= sizeof(data) / 2) {
            ferry_upload_cancel(u, FERRY_CANCEL_USER);
            rc = ferry_upload_write(u, data + off, 1000);
            if (rc != FERRY_ECANCELLED)
                failf(w, "write after cancel: %s", ferry_err_name(rc));
            break;
        }
        rc = ferry_upload_write(u, data + off, 50000);
        off += 50000;
    }
    if (fate == 0 && rc == 0) {
        rc = ferry_upload_commit(u, NULL);
        if (rc != 0)
            failf(w, "commit: %s", ferry_err_name(rc));
    } else if (fate == 1 || fate == 3) {
        rc = ferry_upload_revert(u);
        if (rc != 0)
            failf(w, "revert: %s", ferry_err_name(rc));
    } else if (rc != 0) {
        failf(w, "upload write: %s", ferry_err_name(rc));
    }
    ferry_upload_release(u);
    uint32_t id = find(w, name);
    if ((fate == 0) != (id != 0))
        failf(w, "upload %s (fate %u): %s on the device", name, fate, id ? "is" : "is not");
    if (id) {
        ferry_op *op;
        if (ferry_delete(w->h, id, 0, NULL, &op) == 0) {
            ferry_op_wait(op, ct_ms(60000));
            ferry_op_close(op);
        }
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    unsigned n = 0;
    static put_arg put_args[NTHREADS];
    put_arg *pa = &put_args[w->idx];
    memset(pa->buf, 'a' + w->idx, sizeof(pa->buf));
    while (!atomic_load(&stop_all) && ct_now_ms() < deadline_ms) {
        n++;
        char name[64], path[760];
        switch (rnd(w, 12)) {
        case 0: run_op(w, "stat", s_stat, NULL, false); break;
        case 1: run_op(w, "list", s_list, NULL, false); break;
        case 2: run_op(w, "read", s_read_big, NULL, false); break;
        case 3: run_op(w, "partial read", s_read_part, NULL, false); break;
        case 4: run_op(w, "resolve", s_resolve, NULL, false); break;
        case 5: {
            snprintf(name, sizeof(name), "dir-%u", n);
            int rc = run_op(w, "mkdir", s_mkdir, name, false);
            uint32_t id = find(w, name);
            if (rc == 0 && !id)
                failf(w, "mkdir %s succeeded, no folder", name);
            if (id)
                run_op(w, "delete", s_delete, &id, false);
            break;
        }
        case 6: {
            snprintf(name, sizeof(name), "put-%u.txt", n);
            pa->name = name;
            int rc = run_op(w, "put", s_put, pa, false);
            uint32_t id = find(w, name);
            if ((rc == 0) != (id != 0))
                failf(w, "put %s: %s, %s on the device", name, ferry_err_name(rc), id ? "is" : "is not");
            if (id)
                run_op(w, "delete", s_delete, &id, false);
            break;
        }
        case 7: {
            snprintf(path, sizeof(path), "%s/get-%u", w->local, n % 3);
            run_op(w, "get", s_get, path, false);
            break;
        }
        case 8: upload_round(w, n); break;
        case 9: {
            /* handles come and go (C10) */
            ferry_dev *h2;
            if (ferry_dev_dup(w->h, &h2) == 0) {
                ferry_op *op;
                if (ferry_stat(h2, w->small, NULL, &op) == 0) {
                    if (ferry_op_wait(op, ct_ms(60000)) != 0)
                        failf(w, "stat on a new handle failed");
                    ferry_op_close(op);
                }
                ferry_dev_close(h2);
            }
            break;
        }
        case 10: {
            /* a handle closed while its operation runs: that one ends
             * (cancelled with SHUTDOWN, or done), nobody else's (C11) */
            ferry_dev *h2;
            if (ferry_dev_dup(w->h, &h2) != 0) {
                failf(w, "dup failed");
                break;
            }
            wop o;
            wop_init(&o, w);
            ferry_op_cbs cbs = {cb_item, cb_progress, cb_done, &o};
            ferry_op *op;
            if (ferry_read(h2, w->big, 0, FERRY_TO_END, &drop_sink, &cbs, &op) == 0) {
                publish(w, op); /* the chaos thread may cancel it meanwhile */
                ct_sleep_ms(rnd(w, 20));
                ferry_dev_close(h2);
                uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(60000);
                pthread_mutex_lock(&o.mu);
                while (!o.done && ct_now_ms() < dl) {
                    pthread_mutex_unlock(&o.mu);
                    ct_sleep_ms(2);
                    pthread_mutex_lock(&o.mu);
                }
                int done = o.done, res = o.result;
                pthread_mutex_unlock(&o.mu);
                if (!done) {
                    fprintf(stderr, "thread %d: a read on a closed handle never ended\n", w->idx);
                    abort();
                }
                bool chaos = unpublish(w);
                ferry_cancel_reason why = ferry_op_cancel_reason(op);
                if (res == FERRY_ECANCELLED && why != FERRY_CANCEL_SHUTDOWN && !chaos)
                    failf(w, "read on a closed handle: reason %d", ferry_op_cancel_reason(op));
                else if (res != 0 && res != FERRY_ECANCELLED)
                    failf(w, "read on a closed handle: %s", ferry_err_name(res));
                ferry_op_close(op);
            } else {
                ferry_dev_close(h2);
            }
            wop_destroy(&o);
            break;
        }
        default: run_op(w, "list own", s_list_own, NULL, false); break;
        }
    }
    atomic_store(&w->finished, true);
    return NULL;
}

/* Cancels the running operation of a random thread, from outside. */
static void *chaos_main(void *arg)
{
    (void)arg;
    unsigned seed = 7;
    while (!atomic_load(&stop_all) && ct_now_ms() < deadline_ms) {
        ct_sleep_ms(3 + seed % 20);
        seed = seed * 1103515245u + 12345u;
        worker *w = &W[(seed >> 16) % NTHREADS];
        pthread_mutex_lock(&w->mu);
        if (w->cur) {
            w->chaos_cancelled = true; /* before: the worker must know it may be cancelled */
            ferry_op_cancel(w->cur, (seed >> 8) & 1 ? FERRY_CANCEL_USER : FERRY_CANCEL_TIMEOUT);
            atomic_fetch_add(&chaos_cancels, 1);
        }
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

static void test_C11_stress_threads_handles_cancels(void **state)
{
    (void)state;
    ferry_ctx_opts o = {.size = sizeof(o)};
    ct_log_opts(&o);
    ferry_ctx *ctx;
    ct_assert_rc(ferry_ctx_new(&ctx, &o), 0);
    ferry_device_desc *desc;
    ct_assert_rc(ferry_device_find(ctx, NULL, &desc), 0);
    ferry_dev *base;
    ct_assert_rc(ferry_dev_open(ctx, desc, &base), 0);
    uint32_t big = ct_id(base, CT_ROOT "/" CT_BIG), small = ct_id(base, CT_ROOT "/" CT_SMALL);
    uint32_t some = ct_id(base, CT_ROOT "/" CT_SOME), work = ct_id(base, CT_ROOT "/" CT_WORK);
    assert_true(big && small && some && work);
    char localroot[600];
    snprintf(localroot, sizeof(localroot), "%s/../local", ct_store());
    mkdir(localroot, 0755);
    for (int i = 0; i < NTHREADS; i++) {
        worker *w = &W[i];
        memset(w, 0, sizeof(*w));
        w->idx = i;
        w->ctx = ctx;
        w->seed = 1000u + (unsigned)i * 77u;
        pthread_mutex_init(&w->mu, NULL);
        if (i % 2)
            ct_assert_rc(ferry_dev_dup(base, &w->h), 0);
        else
            ct_assert_rc(ferry_dev_open(ctx, desc, &w->h), 0);
        char name[32];
        snprintf(name, sizeof(name), "t%d", i);
        ct_assert_rc(ct_mkdir(base, 0, work, name, &w->folder), 0);
        w->big = big;
        w->small = small;
        w->some = some;
        snprintf(w->local, sizeof(w->local), "%s/t%d", localroot, i);
        mkdir(w->local, 0755);
    }
    int secs = seconds();
    printf("# %d threads, %d s\n", NTHREADS, secs);
    deadline_ms = ct_now_ms() + (uint64_t)secs * 1000u;
    pthread_t th[NTHREADS], chaos;
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &W[i]), 0);
    assert_int_equal(pthread_create(&chaos, NULL, chaos_main, NULL), 0);
    /* watchdog: every worker must be back soon after the deadline */
    uint64_t limit = deadline_ms + (uint64_t)ct_ms(120000);
    for (int i = 0; i < NTHREADS; i++) {
        while (!atomic_load(&W[i].finished) && ct_now_ms() < limit)
            ct_sleep_ms(20);
        if (!atomic_load(&W[i].finished)) {
            fprintf(stderr, "thread %d is stuck: a deadlock\n", i);
            abort();
        }
        pthread_join(th[i], NULL);
    }
    atomic_store(&stop_all, true);
    pthread_join(chaos, NULL);
    unsigned long ops = 0, cancels = 0, cancelled = 0, late = 0;
    bool bad = false;
    for (int i = 0; i < NTHREADS; i++) {
        worker *w = &W[i];
        ops += w->ops;
        cancels += w->cancels;
        cancelled += w->cancelled;
        late += w->too_late;
        if (w->fail[0]) {
            printf("# thread %d: %s\n", i, w->fail);
            bad = true;
        }
    }
    printf("# %lu operations, %lu cancelled by their thread, %lu by the chaos thread, %lu ended CANCELLED, "
           "%lu too late; %llu cancel sequences, %llu reopens\n",
           ops, cancels, (unsigned long)atomic_load(&chaos_cancels), cancelled, late,
           (unsigned long long)atomic_load(&base->link->n_cancels),
           (unsigned long long)atomic_load(&base->link->n_recoveries));
    assert_false(bad);
    /* still usable, nothing half-written left */
    ct_assert_usable(base);
    for (int i = 0; i < NTHREADS; i++) {
        char rel[64], first[256];
        snprintf(rel, sizeof(rel), "%s/t%d", CT_WORK, i);
        if (ct_dir_count(rel, NULL, first, sizeof(first)) != 0)
            fail_msg("left in %s: %s", rel, first);
        ferry_dev_close(W[i].h);
        pthread_mutex_destroy(&W[i].mu);
    }
    ferry_dev_close(base);
    ferry_ctx_free(ctx);
    ferry_devices_free(desc, 1);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_C11_stress_threads_handles_cancels),
    };
    return ct_main(argc, argv, "contract-stress", tests, sizeof(tests) / sizeof(tests[0]));
}
