/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Allocation failures (STYLE.md 13): for each path that allocates, the
 * Nth allocation from the start of the path fails, for N = 0, 1, 2, ...
 * until the path runs with no failure left to inject. Each run must end
 * with success or FERRY_ENOMEM (never a crash, never another error), a
 * call that fails to start never calls back, the link must stay usable
 * afterwards, and nothing may leak (run under ASan with detect_leaks=1,
 * or valgrind --leak-check=full: contract-run.sh with CONTRACT_WRAPPER).
 *
 * The start paths: ferry_ctx_new, ferry_devices/ferry_device_find,
 * ferry_dev_open with the connection it makes, ferry_dev_dup, and every
 * request's start function. The running operations: each request run to
 * its end with the countdown on, on the link thread (listing with
 * GetObjectPropList, stat, resolve, read, mkdir, delete, rename, copy,
 * move, put of a known and an unknown size, get, cleanup, device info,
 * storages, an upload stream).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contract.h"

static unsigned long total_runs;

/* The end of the window in which allocations may fail: whether one did. */
static bool window_end(int *happened)
{
    int h = fy_mem_fail_after(-1);
    if (*happened < 0)
        *happened = h;
    return *happened;
}

/* Runs attempt(N) for N = 0.. until no allocation failed. The countdown
 * is on when attempt starts; attempt ends the window (window_end) where
 * the path under test ends, or the walk does after it. */
static void walk(const char *what, int (*attempt)(void *u, int n, int *happened), void *u)
{
    unsigned long runs = 0, nomem = 0;
    for (long n = 0;; n++) {
        int happened = -1;
        fy_mem_fail_after(n);
        int rc = attempt(u, (int)n, &happened);
        window_end(&happened);
        runs++;
        if (rc == FERRY_ENOMEM)
            nomem++;
        else if (rc != 0)
            fail_msg("%s: allocation %ld failed: %s, expected OK or NOMEM", what, n, ferry_err_name(rc));
        if (!happened) {
            if (rc != 0)
                fail_msg("%s: %s with no allocation failing", what, ferry_err_name(rc));
            break;
        }
        if (n > 20000)
            fail_msg("%s: no end to its allocations", what);
    }
    total_runs += runs;
    printf("# %-24s %4lu runs, %4lu ended with NOMEM\n", what, runs, nomem);
}

/* ------------------------------------------------------------------ */

typedef struct nt {
    ct_env e;
    uint32_t small_id, big_id, work_id;
    unsigned seq;
    char local[512];
} nt;

static nt *T;

static int setup(void **state)
{
    nt *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    *state = T = t;
    ct_env_open(&t->e, NULL, NULL);
    t->small_id = ct_id(t->e.h, CT_ROOT "/" CT_SMALL);
    t->big_id = ct_id(t->e.h, CT_ROOT "/" CT_BIG);
    t->work_id = ct_id(t->e.h, CT_ROOT "/" CT_WORK);
    snprintf(t->local, sizeof(t->local), "%s/../local", ct_store());
    mkdir(t->local, 0755);
    return 0;
}

static int teardown(void **state)
{
    fy_mem_fail_after(-1);
    nt *t = *state;
    ct_env_close(&t->e);
    free(t);
    return 0;
}

static void wait_no_links(ferry_ctx *ctx)
{
    uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(20000);
    for (;;) {
        pthread_mutex_lock(&ctx->lmu);
        bool none = ctx->links == NULL;
        pthread_mutex_unlock(&ctx->lmu);
        if (none)
            return;
        if (ct_now_ms() > dl)
            fail_msg("the link did not go");
        ct_sleep_ms(2);
    }
}

/* ------------------------------------------------------------------ */
/* Start paths                                                          */

static int try_ctx_new(void *u, int n, int *happened)
{
    (void)u;
    (void)n;
    (void)happened;
    ferry_ctx *ctx = NULL;
    ferry_ctx_opts o = {.size = sizeof(o)};
    int rc = ferry_ctx_new(&ctx, &o);
    if (rc == 0)
        ferry_ctx_free(ctx);
    else
        assert_null(ctx);
    return rc;
}

static int try_devices(void *u, int n, int *happened)
{
    (void)n;
    (void)happened;
    nt *t = u;
    ferry_device_desc *list = NULL, *one = NULL;
    size_t cnt = 0;
    int rc = ferry_devices(t->e.ctx, &list, &cnt);
    if (rc == 0) {
        assert_int_equal(cnt, 1);
        ferry_devices_free(list, cnt);
        rc = ferry_device_find(t->e.ctx, "FERRY0001", &one);
        if (rc == 0)
            ferry_devices_free(one, 1);
    }
    return rc;
}

/* A fresh connection each time: open, one operation, close, link gone. */
static int try_dev_open(void *u, int n, int *happened)
{
    (void)n;
    nt *t = u;
    ferry_dev *h = NULL;
    int rc = ferry_dev_open(t->e.ctx, t->e.desc, &h);
    if (rc == 0) {
        ferry_op *op;
        rc = ferry_stat(h, t->small_id, NULL, &op);
        if (rc == 0)
            rc = ct_finish(op);
        ferry_dev_close(h);
    }
    window_end(happened);
    wait_no_links(t->e.ctx);
    return rc;
}

static int try_dup(void *u, int n, int *happened)
{
    (void)n;
    (void)happened;
    nt *t = u;
    ferry_dev *h = NULL;
    int rc = ferry_dev_dup(t->e.h, &h);
    if (rc == 0) {
        ferry_op *op;
        rc = ferry_stat(h, t->small_id, NULL, &op);
        if (rc == 0)
            rc = ct_finish(op);
        ferry_dev_close(h);
    }
    return rc;
}

/* Every request, asynchronous and synchronous: start with the countdown
 * on; when it started, finish it with the countdown off. */
enum { R_INFO, R_STORAGES, R_LIST, R_STAT, R_RESOLVE, R_MKDIR, R_DELETE, R_RENAME, R_MOVE, R_COPY, R_READ,
       R_PUT, R_PUT_UNKNOWN, R_GET, R_GET_TEE, R_CLEANUP, R_COUNT };
static const char *const req_names[] = {"dev_info", "storages", "list", "stat", "resolve", "mkdir",
                                        "delete", "rename", "move", "copy", "read", "put", "put (unknown size)",
                                        "get", "get_tee", "cleanup"};

typedef struct req {
    nt *t;
    int kind;
    bool async;
    atomic_int done;
    uint32_t scratch;
    uint8_t buf[CT_SMALL_SIZE];
    ferry_data_state st;
    ferry_data data;
    char name[64], path[700];
} req;

static void req_done(ferry_op *op, int result, void *user)
{
    (void)op;
    (void)result;
    req *q = user;
    atomic_fetch_add(&q->done, 1);
}

static int tee_put(void *priv, const void *buf, size_t len)
{
    (void)priv;
    (void)buf;
    (void)len;
    return 0;
}
static const ferry_data tee_sink = {NULL, tee_put, NULL};

/* What a request works on, made with the countdown off. */
static void req_prepare(req *q)
{
    nt *t = q->t;
    t->seq++;
    switch (q->kind) {
    case R_DELETE:
    case R_RENAME:
    case R_MOVE:
    case R_COPY:
        snprintf(q->name, sizeof(q->name), "nm-obj-%u.txt", t->seq);
        ct_assert_rc(ct_put(t->e.h, t->e.storage, t->work_id, q->name, "x", 1, &q->scratch), 0);
        break;
    default:
        break;
    }
}

/* Deletes what a run made (countdown off), so that every run of a walk
 * sees the same device and makes the same allocations. */
static void del_if(nt *t, const char *path)
{
    uint32_t id = ct_id(t->e.h, path);
    if (id)
        ct_assert_rc(ct_delete(t->e.h, id, FERRY_DELETE_RECURSIVE), 0);
}

static void req_cleanup(req *q)
{
    nt *t = q->t;
    char p[128];
    int k = q->kind;
    if (k == R_MKDIR) {
        snprintf(p, sizeof(p), CT_ROOT "/" CT_WORK "/nm-dir-%u", t->seq);
        del_if(t, p);
    }
    if (k == R_RENAME) {
        snprintf(p, sizeof(p), CT_ROOT "/" CT_WORK "/nm-ren-%u.txt", t->seq);
        del_if(t, p);
    }
    if (k == R_RENAME || k == R_DELETE || k == R_COPY || k == R_MOVE) {
        /* the object where it was made, and a copy or a moved one at the top */
        snprintf(p, sizeof(p), CT_ROOT "/" CT_WORK "/%s", q->name);
        del_if(t, p);
        snprintf(p, sizeof(p), CT_ROOT "/%s", q->name);
        del_if(t, p);
    }
    if (k == R_PUT || k == R_PUT_UNKNOWN) {
        snprintf(p, sizeof(p), CT_ROOT "/" CT_WORK "/nm-put-%u.txt", t->seq);
        del_if(t, p);
    }
    if (k == R_GET || k == R_GET_TEE)
        unlink(q->path);
}

static int req_start(req *q, ferry_op **op)
{
    nt *t = q->t;
    ferry_op_cbs cbs = {NULL, NULL, req_done, q};
    const ferry_op_cbs *c = q->async ? &cbs : NULL;
    char nm[64];
    switch (q->kind) {
    case R_INFO: return ferry_dev_info(t->e.h, c, op);
    case R_STORAGES: return ferry_storages(t->e.h, c, op);
    case R_LIST: return ferry_list(t->e.h, t->e.storage, FERRY_ROOT, c, op);
    case R_STAT: return ferry_stat(t->e.h, t->small_id, c, op);
    case R_RESOLVE: return ferry_resolve(t->e.h, CT_ROOT "/" CT_SOME "/some-007.txt", c, op);
    case R_MKDIR:
        snprintf(nm, sizeof(nm), "nm-dir-%u", t->seq);
        return ferry_mkdir(t->e.h, t->e.storage, t->work_id, nm, c, op);
    case R_DELETE: return ferry_delete(t->e.h, q->scratch, 0, c, op);
    case R_RENAME:
        snprintf(nm, sizeof(nm), "nm-ren-%u.txt", t->seq);
        return ferry_rename(t->e.h, q->scratch, nm, c, op);
    case R_MOVE: return ferry_move(t->e.h, q->scratch, t->e.storage, FERRY_ROOT, c, op);
    case R_COPY: return ferry_copy(t->e.h, q->scratch, t->e.storage, FERRY_ROOT, c, op);
    case R_READ:
        q->data = ferry_data_buffer(&q->st, q->buf, sizeof(q->buf));
        return ferry_read(t->e.h, t->small_id, 0, FERRY_TO_END, &q->data, c, op);
    case R_PUT:
    case R_PUT_UNKNOWN:
        memset(q->buf, 'q', sizeof(q->buf));
        q->data = ferry_data_buffer(&q->st, q->buf, sizeof(q->buf));
        snprintf(nm, sizeof(nm), "nm-put-%u.txt", t->seq);
        return ferry_put(t->e.h, t->e.storage, t->work_id, nm, q->kind == R_PUT ? sizeof(q->buf) : FERRY_SIZE_UNKNOWN,
                         FERRY_MTIME_NONE, &q->data, 0, c, op);
    case R_GET:
    case R_GET_TEE:
        snprintf(q->path, sizeof(q->path), "%s/nm-get-%u", t->local, t->seq);
        return ferry_get_tee(t->e.h, t->small_id, q->path, 0, q->kind == R_GET_TEE ? &tee_sink : NULL, c, op);
    case R_CLEANUP: return ferry_cleanup(t->e.h, 0, t->work_id, c, op);
    }
    return FERRY_EINVAL;
}

/* Finishes a request that started (with the countdown on or off). */
static int req_finish(req *q, ferry_op *op, int *happened)
{
    int res;
    if (q->async) {
        uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(60000);
        while (!atomic_load(&q->done) && ct_now_ms() < dl)
            ct_sleep_ms(1);
        assert_int_equal(atomic_load(&q->done), 1);
        res = ferry_op_result(op);
        ct_assert_rc(ferry_op_close(op), 0);
    } else {
        res = ct_collect(op, NULL, NULL);
    }
    window_end(happened);
    req_cleanup(q);
    return res;
}

/* The whole request with the countdown on, on the caller's and the link
 * thread. */
static int try_request(void *u, int n, int *happened)
{
    req *q = u;
    window_end(happened); /* not the preparation */
    *happened = -1;
    req_prepare(q);
    atomic_store(&q->done, 0);
    fy_mem_fail_after(n);
    ferry_op *op = NULL;
    int rc = req_start(q, &op);
    if (rc < 0) {
        window_end(happened);
        assert_null(op);
        assert_int_equal(atomic_load(&q->done), 0); /* no callback for a failed start */
        req_cleanup(q);
        return rc;
    }
    return req_finish(q, op, happened);
}

/* Only the start with the countdown on; the operation then runs without
 * and must succeed. */
static int try_start(void *u, int n, int *happened)
{
    req *q = u;
    window_end(happened);
    *happened = -1;
    req_prepare(q);
    atomic_store(&q->done, 0);
    fy_mem_fail_after(n);
    ferry_op *op = NULL;
    int rc = req_start(q, &op);
    window_end(happened);
    if (rc < 0) {
        assert_null(op);
        assert_int_equal(atomic_load(&q->done), 0);
        req_cleanup(q);
        return rc;
    }
    int res = req_finish(q, op, happened);
    /* the link thread may have begun the operation inside the window and
     * met the failure there: NOMEM then, nothing else */
    if (res != 0 && !(res == FERRY_ENOMEM && *happened))
        fail_msg("%s: started, then %s", req_names[q->kind], ferry_err_name(res));
    return 0;
}

static void assert_link_fine(nt *t)
{
    ct_assert_usable(t->e.h);
    assert_false(t->e.h->link->proplist_broken); /* no NOMEM taken for garbage */
}

static void test_nomem_start_paths(void **state)
{
    nt *t = *state;
    walk("ferry_ctx_new", try_ctx_new, NULL);
    walk("ferry_devices", try_devices, t);
    /* a new connection each time: no other handle keeps the link */
    ferry_dev_close(t->e.h);
    t->e.h = NULL;
    wait_no_links(t->e.ctx);
    walk("ferry_dev_open + connect", try_dev_open, t);
    ct_assert_rc(ferry_dev_open(t->e.ctx, t->e.desc, &t->e.h), 0);
    t->e.link = t->e.h->link;
    walk("ferry_dev_dup", try_dup, t);
    assert_link_fine(t);
    static req q;
    for (int async = 0; async < 2; async++) {
        for (int k = 0; k < R_COUNT; k++) {
            memset(&q, 0, sizeof(q));
            q.t = t;
            q.kind = k;
            q.async = async;
            char what[64];
            snprintf(what, sizeof(what), "start %s%s", req_names[k], async ? " (async)" : "");
            walk(what, try_start, &q);
        }
    }
    assert_link_fine(t);
}

static void test_nomem_running_operations(void **state)
{
    nt *t = *state;
    static req q;
    for (int async = 0; async < 2; async++) {
        for (int k = 0; k < R_COUNT; k++) {
            memset(&q, 0, sizeof(q));
            q.t = t;
            q.kind = k;
            q.async = async;
            char what[64];
            snprintf(what, sizeof(what), "%s%s", req_names[k], async ? " (async)" : "");
            walk(what, try_request, &q);
            assert_link_fine(t);
        }
    }
}

/* An upload stream: create, writes, commit, all with the countdown on. */
static int try_upload(void *u, int n, int *happened)
{
    (void)n;
    (void)happened;
    nt *t = u;
    t->seq++;
    char nm[64];
    snprintf(nm, sizeof(nm), "nm-up-%u.bin", t->seq);
    static uint8_t data[100000];
    ferry_upload *up = NULL;
    int rc = ferry_upload_create(t->e.h, 0, t->work_id, nm, sizeof(data), FERRY_MTIME_NONE, 0, &up);
    if (rc < 0) {
        assert_null(up);
        return rc;
    }
    for (size_t off = 0; rc == 0 && off < sizeof(data); off += 25000)
        rc = ferry_upload_write(up, data + off, 25000);
    ferry_object o = {0};
    if (rc == 0)
        rc = ferry_upload_commit(up, &o);
    free(o.name);
    ferry_upload_release(up);
    return rc;
}

static void test_nomem_upload_stream(void **state)
{
    nt *t = *state;
    walk("upload stream", try_upload, t);
    assert_link_fine(t);
    /* nothing partial was left by the failed ones */
    char first[256];
    if (ct_dir_count(CT_WORK, NULL, first, sizeof(first)) != 0)
        fail_msg("left in the backing folder: %s", first);
    printf("# %lu runs in all\n", total_runs);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nomem_start_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nomem_running_operations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nomem_upload_stream, setup, teardown),
    };
    return ct_main(argc, argv, "contract-nomem", tests, sizeof(tests) / sizeof(tests[0]));
}
