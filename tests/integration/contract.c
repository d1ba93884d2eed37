/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared part of the contract tests: see contract.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "contract.h"

/* ------------------------------------------------------------------ */
/* Environment, time, files                                             */

int ct_ms(int ms)
{
    static int slow = -1;
    if (slow < 0) {
        const char *s = getenv("CONTRACT_SLOW");
        slow = s && atoi(s) > 0 ? atoi(s) : 1;
    }
    return ms * slow;
}

uint64_t ct_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ct_sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

const char *ct_persona(void)
{
    const char *p = getenv("CONTRACT_PERSONA");
    return p && *p ? p : "compliant";
}

const char *ct_store(void)
{
    const char *s = getenv("CONTRACT_STORE");
    return s && *s ? s : ".";
}

const char *ct_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", ct_store(), rel);
    return buf;
}

bool ct_file_exists(const char *rel)
{
    struct stat sb;
    return lstat(ct_path(rel), &sb) == 0;
}

int ct_dir_count(const char *rel_dir, const char *prefix, char *first, size_t firstlen)
{
    DIR *d = opendir(ct_path(rel_dir));
    if (!d)
        return -1;
    int n = 0;
    if (first && firstlen)
        first[0] = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *nm = de->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
            continue;
        bool hit = prefix ? strncmp(nm, prefix, strlen(prefix)) == 0
                          : strncmp(nm, ".ferry-", 7) == 0 || strstr(nm, ".ferry-part") != NULL;
        if (!hit)
            continue;
        if (!n && first && firstlen)
            snprintf(first, firstlen, "%s", nm);
        n++;
    }
    closedir(d);
    return n;
}

static int write_file(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    const uint8_t *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            close(fd);
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return close(fd);
}

static void fill_random(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)(x >> 24);
    }
}

int ct_prepare_many(const char *dir, unsigned n)
{
    char path[4096];
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -1;
    for (unsigned i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/entry-%05u.txt", dir, i);
        char c = (char)('a' + i % 26);
        if (write_file(path, &c, 1) < 0)
            return -1;
    }
    return 0;
}

int ct_prepare(const char *dir)
{
    char path[4096];
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -1;
    uint8_t *big = malloc(CT_BIG_SIZE);
    if (!big)
        return -1;
    fill_random(big, CT_BIG_SIZE, 0x5eed);
    snprintf(path, sizeof(path), "%s/%s", dir, CT_BIG);
    int rc = write_file(path, big, CT_BIG_SIZE);
    free(big);
    if (rc < 0)
        return -1;
    uint8_t small[CT_SMALL_SIZE];
    fill_random(small, sizeof(small), 0x51);
    snprintf(path, sizeof(path), "%s/%s", dir, CT_SMALL);
    if (write_file(path, small, sizeof(small)) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", dir, CT_SOME);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return -1;
    for (unsigned i = 0; i < CT_SOME_N; i++) {
        snprintf(path, sizeof(path), "%s/%s/some-%03u.txt", dir, CT_SOME, i);
        if (write_file(path, "s", 1) < 0)
            return -1;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, CT_WORK);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

int ct_slurp(const char *rel, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(ct_path(rel), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        close(fd);
        return -1;
    }
    uint8_t *b = malloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (b && got < (size_t)sb.st_size) {
        ssize_t r = read(fd, b + got, (size_t)sb.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!b || got != (size_t)sb.st_size) {
        free(b);
        return -1;
    }
    *buf = b;
    *len = got;
    return 0;
}

int ct_vdev_ctl(const char *line)
{
    const char *fifo = getenv("FERRY_VDEV_CTL");
    if (!fifo)
        return -1;
    int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%s\n", line);
    ssize_t w = write(fd, buf, (size_t)n);
    close(fd);
    return w == n ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* The wrapping transport                                               */

ct_wrap ct_w = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int w_pipe_submit(fu_pipe *p, fu_urb *u, size_t len, bool zlp)
{
    if (len >= FC_HDR_LEN && len <= 32) {
        const uint8_t *b = u->buf;
        uint32_t clen = (uint32_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
        uint16_t type = (uint16_t)(b[4] | b[5] << 8);
        if (clen == len && type == FC_CT_COMMAND) {
            pthread_mutex_lock(&ct_w.mu);
            unsigned i = ct_w.nlast++ % 64;
            ct_w.last[i].code = (uint16_t)(b[6] | b[7] << 8);
            ct_w.last[i].tid = (uint32_t)(b[8] | b[9] << 8 | b[10] << 16 | (uint32_t)b[11] << 24);
            uint16_t code = ct_w.last[i].code;
            pthread_mutex_unlock(&ct_w.mu);
            atomic_fetch_add(&ct_w.commands, 1);
            if (code == FC_OC_OpenSession)
                atomic_fetch_add(&ct_w.open_sessions, 1);
            if (code == FC_OC_CloseSession)
                atomic_fetch_add(&ct_w.close_sessions, 1);
        }
    }
    return fu_libusb.pipe_submit(p, u, len, zlp);
}

uint16_t ct_wrap_code(uint32_t tid)
{
    uint16_t code = 0;
    pthread_mutex_lock(&ct_w.mu);
    unsigned n = ct_w.nlast < 64 ? ct_w.nlast : 64;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = (ct_w.nlast - 1 - k) % 64;
        if (ct_w.last[i].tid == tid) {
            code = ct_w.last[i].code;
            break;
        }
    }
    pthread_mutex_unlock(&ct_w.mu);
    return code;
}

static int w_control(fu_dev *d, uint8_t rtype, uint8_t req, uint16_t value, uint16_t index, void *data,
                     uint16_t len, unsigned timeout_ms)
{
    if (rtype == 0x21 && req == 0x64)
        atomic_fetch_add(&ct_w.cancel_requests, 1);
    if (rtype == 0x21 && req == 0x66)
        atomic_fetch_add(&ct_w.resets, 1);
    int rc = fu_libusb.control(d, rtype, req, value, index, data, len, timeout_ms);
    if (rtype == 0xA1 && req == 0x67) {
        atomic_fetch_add(&ct_w.status_polls, 1);
        if (rc >= 4 && atomic_load(&ct_w.status_busy)) {
            uint8_t *b = data;
            b[2] = (uint8_t)(FC_RC_DeviceBusy & 0xff);
            b[3] = (uint8_t)(FC_RC_DeviceBusy >> 8);
        }
    }
    return rc;
}

const fu_transport ct_wrap_transport = {
    .open = fu_open,
    .close = fu_close,
    .gone = fu_gone,
    .mps = fu_mps,
    .iface = fu_iface,
    .ep_in = fu_ep_in,
    .control = w_control,
    .clear_halt = fu_clear_halt,
    .port_reset = fu_port_reset,
    .pipe_new = fu_pipe_new,
    .pipe_free = fu_pipe_free,
    .pipe_idle = fu_pipe_idle,
    .pipe_submit = w_pipe_submit,
    .pipe_inflight = fu_pipe_inflight,
    .pipe_wait = fu_pipe_wait,
    .pipe_release = fu_pipe_release,
    .pipe_abort = fu_pipe_abort,
    .pipe_reset = fu_pipe_reset,
    .pipe_aborted = fu_pipe_aborted,
    .events_start = fu_events_start,
    .events_stop = fu_events_stop,
};

/* ------------------------------------------------------------------ */
/* The phase hook                                                       */

const char *ct_phase_name(int phase)
{
    switch (phase) {
    case FL_PHASE_START: return "start";
    case FL_PHASE_COMMAND: return "command";
    case FL_PHASE_DATA_START: return "data-start";
    case FL_PHASE_DATA_MID: return "data-mid";
    case FL_PHASE_DATA_END: return "data-end";
    case FL_PHASE_RESPONSE: return "response";
    case FL_PHASE_DONE: return "done";
    default: return "?";
    }
}

static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu, unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    ts.tv_sec += ms / 1000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, mu, &ts);
}

static void init_cond(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}

static void hook_fn(ferry_op *op, int phase, void *user)
{
    ct_hook *k = user;
    pthread_mutex_lock(&k->mu);
    void (*obs)(ferry_op *, int, void *) = k->observe;
    void *obs_user = k->observe_user;
    if ((k->armed || k->record) && !k->bound && phase == FL_PHASE_START && (!k->want_op || k->want_op == op)) {
        k->bound = op;
        k->cur_txn = -1;
    }
    if (op == k->bound) {
        uint16_t code = op->link->cur_code; /* link thread: its own field */
        if (phase == FL_PHASE_COMMAND) {
            k->cur_txn++;
            if (k->code && k->code_txn < 0 && code == k->code)
                k->code_txn = k->cur_txn;
        }
        uint32_t tid = op->link->tid; /* the link thread's own field: we are on it */
        if (k->record && k->nrec < CT_REC_MAX) {
            k->rec[k->nrec].txn = k->cur_txn;
            k->rec[k->nrec].phase = phase;
            k->rec[k->nrec].tid = tid;
            /* the command is out after its COMMAND phase: name it now,
             * before later commands push it out of the ring */
            k->rec[k->nrec].code = phase == FL_PHASE_START ? 0 : code;
            k->nrec++;
        }
        bool txn_ok = k->code ? phase != FL_PHASE_START && k->code_txn == k->cur_txn
                              : k->txn == CT_TXN_ANY || k->txn == k->cur_txn;
        if (k->armed && phase == k->phase && txn_ok) {
            k->armed = false;
            if (k->fn) {
                void (*fn)(ferry_op *, int, void *) = k->fn;
                void *fu = k->fn_user;
                pthread_mutex_unlock(&k->mu);
                fn(op, phase, fu);
                pthread_mutex_lock(&k->mu);
            } else {
                k->parked = true;
                k->parked_op = op;
                k->parked_phase = phase;
                k->parked_tid = tid;
                pthread_cond_broadcast(&k->cv);
                uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(60000);
                while (!k->release && ct_now_ms() < dl)
                    timed_wait(&k->cv, &k->mu, 50);
                k->parked = false;
                k->release = false;
                pthread_cond_broadcast(&k->cv);
            }
        }
    }
    pthread_mutex_unlock(&k->mu);
    if (obs)
        obs(op, phase, obs_user);
}

void ct_hook_init(ct_hook *k, ferry_ctx *ctx)
{
    memset(k, 0, sizeof(*k));
    pthread_mutex_init(&k->mu, NULL);
    init_cond(&k->cv);
    fl_ctx_set_test_hook(ctx, hook_fn, k);
}

void ct_hook_destroy(ct_hook *k, ferry_ctx *ctx)
{
    if (ctx)
        fl_ctx_set_test_hook(ctx, NULL, NULL);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
}

void ct_hook_arm(ct_hook *k, ferry_op *want, int phase, int txn)
{
    pthread_mutex_lock(&k->mu);
    k->armed = true;
    k->want_op = want;
    k->bound = NULL;
    k->phase = phase;
    k->txn = phase == FL_PHASE_START ? -1 : txn;
    k->code = 0;
    k->code_txn = -1;
    k->parked = false;
    k->release = false;
    k->fn = NULL;
    pthread_mutex_unlock(&k->mu);
}

void ct_hook_arm_code(ct_hook *k, int phase, uint16_t code)
{
    ct_hook_arm(k, NULL, phase, CT_TXN_ANY);
    if (phase == FL_PHASE_START)
        return; /* before any transaction */
    pthread_mutex_lock(&k->mu);
    k->code = code;
    k->code_txn = -1;
    pthread_mutex_unlock(&k->mu);
}

void ct_hook_record(ct_hook *k)
{
    pthread_mutex_lock(&k->mu);
    k->record = true;
    k->nrec = 0;
    k->code = 0;
    k->bound = NULL;
    k->want_op = NULL;
    pthread_mutex_unlock(&k->mu);
}

bool ct_hook_wait_parked(ct_hook *k, ferry_op *op, int timeout_ms)
{
    uint64_t dl = ct_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        pthread_mutex_lock(&k->mu);
        if (!k->parked)
            timed_wait(&k->cv, &k->mu, 20);
        bool parked = k->parked;
        pthread_mutex_unlock(&k->mu);
        if (parked)
            return true;
        if (op) {
            ferry_op_state st = ferry_op_get_state(op);
            if (st == FERRY_OP_SUCCEEDED || st == FERRY_OP_FAILED || st == FERRY_OP_CANCELLED) {
                /* one more look: it may have parked and the op was a blocker */
                pthread_mutex_lock(&k->mu);
                parked = k->parked;
                pthread_mutex_unlock(&k->mu);
                return parked;
            }
        }
        if (ct_now_ms() > dl)
            return false;
    }
}

void ct_hook_release(ct_hook *k)
{
    pthread_mutex_lock(&k->mu);
    if (k->parked) {
        k->release = true;
        pthread_cond_broadcast(&k->cv);
        uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(10000);
        while (k->parked && ct_now_ms() < dl)
            timed_wait(&k->cv, &k->mu, 20);
    }
    k->armed = false;
    k->bound = NULL;
    k->want_op = NULL;
    pthread_mutex_unlock(&k->mu);
}

void ct_hook_disarm(ct_hook *k)
{
    pthread_mutex_lock(&k->mu);
    k->armed = false;
    k->record = false;
    k->bound = NULL;
    k->want_op = NULL;
    k->fn = NULL;
    pthread_mutex_unlock(&k->mu);
}

/* ------------------------------------------------------------------ */
/* Recorded callbacks                                                    */

static bool final_state(ferry_op_state s)
{
    return s == FERRY_OP_SUCCEEDED || s == FERRY_OP_FAILED || s == FERRY_OP_CANCELLED;
}

static void rec_item(ferry_op *op, const ferry_item *it, void *user)
{
    ct_rec *r = user;
    pthread_mutex_lock(&r->mu);
    if (r->done)
        r->late = true;
    if (r->op && op != r->op)
        r->wrong_op = true;
    if (!r->items && it->kind == FERRY_ITEM_OBJECT) {
        r->first = it->u.object;
        r->first.name = it->u.object.name ? strdup(it->u.object.name) : NULL;
    }
    r->items++;
    pthread_mutex_unlock(&r->mu);
    if (r->on_item)
        r->on_item(r, op, it);
}

static void rec_progress(ferry_op *op, uint64_t done, uint64_t total, void *user)
{
    ct_rec *r = user;
    pthread_mutex_lock(&r->mu);
    if (r->done)
        r->late = true;
    if (r->op && op != r->op)
        r->wrong_op = true;
    r->progress++;
    r->last_done_bytes = done;
    pthread_mutex_unlock(&r->mu);
    if (r->on_progress)
        r->on_progress(r, op, done, total);
}

static void rec_done(ferry_op *op, int result, void *user)
{
    ct_rec *r = user;
    if (!final_state(ferry_op_get_state(op)) || ferry_op_result(op) != result)
        r->state_bad = true;
    if (r->on_done)
        r->on_done(r, op, result);
    pthread_mutex_lock(&r->mu);
    if (r->op && op != r->op)
        r->wrong_op = true;
    r->done++;
    r->result = result;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void ct_rec_init(ct_rec *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    init_cond(&r->cv);
}

void ct_rec_destroy(ct_rec *r)
{
    free(r->first.name);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
}

ferry_op_cbs ct_rec_cbs(ct_rec *r)
{
    ferry_op_cbs c = {rec_item, rec_progress, rec_done, r};
    return c;
}

int ct_rec_wait(ct_rec *r, int timeout_ms)
{
    uint64_t dl = ct_now_ms() + (uint64_t)timeout_ms;
    pthread_mutex_lock(&r->mu);
    while (!r->done && ct_now_ms() < dl)
        timed_wait(&r->cv, &r->mu, 50);
    int rc = r->done ? r->result : FERRY_ETIMEDOUT;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

void ct_rec_check(ct_rec *r)
{
    pthread_mutex_lock(&r->mu);
    int done = r->done;
    bool late = r->late, wrong = r->wrong_op, bad = r->state_bad;
    pthread_mutex_unlock(&r->mu);
    assert_int_equal(done, 1);
    assert_false(late);
    assert_false(wrong);
    assert_false(bad);
}

/* ------------------------------------------------------------------ */
/* Context and handle                                                   */

static void log_stderr(ferry_log_level level, const char *msg, void *user)
{
    (void)user;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(stderr, "%ld.%03ld ferry[%d] %s\n", (long)ts.tv_sec, ts.tv_nsec / 1000000L, (int)level, msg);
}

/* CONTRACT_LOG=0..4: ferry's log on standard error, for a post-mortem. */
void ct_log_opts(ferry_ctx_opts *o)
{
    const char *lv = getenv("CONTRACT_LOG");
    if (lv && *lv && !o->log) {
        o->log = log_stderr;
        o->log_level = (ferry_log_level)atoi(lv);
    }
}

void ct_env_open(ct_env *e, const ferry_ctx_opts *opts, const char *spec)
{
    memset(e, 0, sizeof(*e));
    ferry_ctx_opts o = {.size = sizeof(o)};
    if (opts)
        o = *opts;
    ct_log_opts(&o);
    ct_assert_rc(ferry_ctx_new(&e->ctx, &o), 0);
    /* before any link exists: links copy the table when made */
    e->ctx->t = &ct_wrap_transport;
    ct_hook_init(&e->hook, e->ctx);
    e->hooked = true;
    ct_assert_rc(ferry_device_find(e->ctx, spec, &e->desc), 0);
    ct_assert_rc(ferry_dev_open(e->ctx, e->desc, &e->h), 0);
    e->link = e->h->link;
    ferry_op *op;
    ct_assert_rc(ferry_storages(e->h, NULL, &op), 0);
    ferry_item it;
    int rc;
    while ((rc = ferry_op_next(op, &it, ct_ms(30000))) == 0) {
        if (it.kind == FERRY_ITEM_STORAGE && (!e->storage || strcmp(it.u.storage.description, "Internal storage") == 0))
            e->storage = it.u.storage.id;
        ferry_item_clear(&it);
    }
    ct_assert_rc(rc, FERRY_EEND);
    ct_assert_rc(ferry_op_close(op), 0);
    assert_int_not_equal(e->storage, 0);
}

void ct_env_close(ct_env *e)
{
    if (e->h)
        ferry_dev_close(e->h);
    if (e->ctx)
        ferry_ctx_free(e->ctx);
    if (e->hooked)
        ct_hook_destroy(&e->hook, NULL);
    if (e->desc)
        ferry_devices_free(e->desc, 1);
    memset(e, 0, sizeof(*e));
}

unsigned long long ct_recoveries(ct_env *e)
{
    return atomic_load(&e->link->n_recoveries);
}

unsigned long long ct_cancels(ct_env *e)
{
    return atomic_load(&e->link->n_cancels);
}

unsigned long long ct_transactions(ct_env *e)
{
    return atomic_load(&e->link->n_transactions);
}

/* ------------------------------------------------------------------ */
/* Synchronous helpers                                                   */

int ct_finish(ferry_op *op)
{
    int rc = ferry_op_wait(op, ct_ms(60000));
    if (rc == FERRY_ETIMEDOUT)
        fail_msg("operation did not finish in time (state %d)", ferry_op_get_state(op));
    ct_assert_rc(ferry_op_close(op), 0);
    return rc;
}

void ct_objects_free(ferry_object *objs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(objs[i].name);
    free(objs);
}

int ct_collect(ferry_op *op, ferry_object **objs, size_t *n)
{
    size_t cap = 0;
    if (objs) {
        *objs = NULL;
        *n = 0;
    }
    ferry_item it;
    int rc;
    while ((rc = ferry_op_next(op, &it, ct_ms(60000))) == 0) {
        if (objs && it.kind == FERRY_ITEM_OBJECT) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                *objs = realloc(*objs, cap * sizeof(**objs));
                assert_non_null(*objs);
            }
            (*objs)[*n] = it.u.object;
            (*objs)[*n].name = strdup(it.u.object.name ? it.u.object.name : "");
            (*n)++;
        }
        ferry_item_clear(&it);
    }
    if (rc == FERRY_ETIMEDOUT)
        fail_msg("operation did not finish in time");
    ct_assert_rc(ferry_op_close(op), 0);
    return rc == FERRY_EEND ? 0 : rc;
}

int ct_stat(ferry_dev *h, uint32_t id, ferry_object *out)
{
    ferry_op *op;
    int rc = ferry_stat(h, id, NULL, &op);
    if (rc < 0)
        return rc;
    ferry_object *objs;
    size_t n;
    rc = ct_collect(op, &objs, &n);
    if (rc == 0 && out) {
        assert_int_equal(n, 1);
        *out = objs[0];
        objs[0].name = NULL;
    }
    ct_objects_free(objs, n);
    return rc;
}

uint32_t ct_id(ferry_dev *h, const char *path)
{
    ferry_op *op;
    ct_assert_rc(ferry_resolve(h, path, NULL, &op), 0);
    ferry_object *objs;
    size_t n;
    int rc = ct_collect(op, &objs, &n);
    uint32_t id = rc == 0 && n ? objs[0].id : 0;
    ct_objects_free(objs, n);
    if (rc != 0 && rc != FERRY_ENOENT)
        fail_msg("resolve %s: %s", path, ferry_err_name(rc));
    return id;
}

int ct_list(ferry_dev *h, uint32_t storage, uint32_t folder, ferry_object **objs, size_t *n)
{
    ferry_op *op;
    int rc = ferry_list(h, storage, folder, NULL, &op);
    if (rc < 0)
        return rc;
    return ct_collect(op, objs, n);
}

bool ct_listed(ferry_dev *h, uint32_t storage, uint32_t folder, const char *name)
{
    ferry_object *objs;
    size_t n;
    ct_assert_rc(ct_list(h, storage, folder, &objs, &n), 0);
    bool hit = false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(objs[i].name, name) == 0)
            hit = true;
    ct_objects_free(objs, n);
    return hit;
}

int ct_read(ferry_dev *h, uint32_t id, uint8_t **buf, size_t *len)
{
    ferry_object o;
    *buf = NULL;
    *len = 0;
    int rc = ct_stat(h, id, &o);
    if (rc < 0)
        return rc;
    free(o.name);
    uint8_t *b = malloc(o.size ? o.size : 1);
    assert_non_null(b);
    ferry_data_state st;
    ferry_data sink = ferry_data_buffer(&st, b, o.size);
    ferry_op *op;
    rc = ferry_read(h, id, 0, FERRY_TO_END, &sink, NULL, &op);
    if (rc == 0)
        rc = ct_finish(op);
    if (rc < 0) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = st.pos;
    return 0;
}

int ct_put(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, const void *buf, size_t len,
           uint32_t *id)
{
    ferry_data_state st;
    ferry_data src = ferry_data_buffer(&st, (void *)buf, len);
    ferry_op *op;
    int rc = ferry_put(h, storage, parent, name, len, FERRY_MTIME_NONE, &src, 0, NULL, &op);
    if (rc < 0)
        return rc;
    ferry_object *objs;
    size_t n;
    rc = ct_collect(op, &objs, &n);
    if (rc == 0 && id)
        *id = n ? objs[0].id : 0;
    ct_objects_free(objs, n);
    return rc;
}

int ct_mkdir(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, uint32_t *id)
{
    ferry_op *op;
    int rc = ferry_mkdir(h, storage, parent, name, NULL, &op);
    if (rc < 0)
        return rc;
    ferry_object *objs;
    size_t n;
    rc = ct_collect(op, &objs, &n);
    if (rc == 0 && id)
        *id = n ? objs[0].id : 0;
    ct_objects_free(objs, n);
    return rc;
}

int ct_delete(ferry_dev *h, uint32_t id, unsigned flags)
{
    ferry_op *op;
    int rc = ferry_delete(h, id, flags, NULL, &op);
    if (rc < 0)
        return rc;
    return ct_collect(op, NULL, NULL);
}

void ct_assert_usable(ferry_dev *h)
{
    uint32_t id = ct_id(h, CT_ROOT "/" CT_SMALL);
    assert_int_not_equal(id, 0);
    uint8_t *got, *want;
    size_t glen, wlen;
    ct_assert_rc(ct_read(h, id, &got, &glen), 0);
    assert_int_equal(ct_slurp(CT_SMALL, &want, &wlen), 0);
    assert_int_equal(glen, wlen);
    assert_memory_equal(got, want, wlen);
    free(got);
    free(want);
}

/* ------------------------------------------------------------------ */

int ct_main(int argc, char **argv, const char *name, const struct CMUnitTest *tests, size_t n)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* what a killed test had said */
    if (argc == 4 && strcmp(argv[1], "--prepare-many") == 0) {
        if (ct_prepare_many(argv[2], (unsigned)atoi(argv[3])) < 0) {
            perror(argv[2]);
            return 99;
        }
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--prepare") == 0) {
        if (ct_prepare(argv[2]) < 0) {
            perror(argv[2]);
            return 99;
        }
        return 0;
    }
    if (argc == 2)
        cmocka_set_test_filter(argv[1]);
    return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}
