/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/ferry-bench: the benchmark cases that need the library itself.
 *
 *   ferry-bench read PATH             read an object into a sink that drops it
 *   ferry-bench write NAME SIZE       upload SIZE bytes (made up, not read
 *                                     from a disk) as NAME at the top of
 *                                     the first storage, as ferry put does
 *   ferry-bench cancel PATH N         N cancels of a read at random moments:
 *                                     prints cancel->final result and
 *                                     cancel->link ready latencies (ms)
 *   ferry-bench multi PATH NDEV       read PATH from NDEV devices at once with
 *                                     one context; prints aggregate MB/s
 *
 * Options come from the environment: FERRY_URB_DEPTH, FERRY_URB_SIZE.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ferry/ferry.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int drop(void *priv, const void *buf, size_t len)
{
    (void)buf;
    *(uint64_t *)priv += len;
    return 0;
}

static ferry_ctx *new_ctx(void)
{
    ferry_ctx_opts o = {.size = sizeof(o)};
    const char *d = getenv("FERRY_URB_DEPTH"), *s = getenv("FERRY_URB_SIZE");
    if (d)
        o.urb_depth = (unsigned)atoi(d);
    if (s)
        o.urb_size = (unsigned)atoi(s);
    ferry_ctx *ctx;
    int rc = ferry_ctx_new(&ctx, &o);
    if (rc) {
        fprintf(stderr, "ferry-bench: %s\n", ferry_strerror(rc));
        exit(1);
    }
    return ctx;
}

static int resolve(ferry_dev *h, const char *path, ferry_object *o)
{
    ferry_op *op;
    ferry_item it;
    int rc = ferry_resolve(h, path, NULL, &op);
    if (rc)
        return rc;
    rc = ferry_op_next(op, &it, -1);
    if (rc == 0) {
        *o = it.u.object;
        it.u.object.name = NULL;
        ferry_item_clear(&it);
    }
    ferry_op_wait(op, -1);
    ferry_op_close(op);
    return rc;
}

static int read_all(ferry_dev *h, uint32_t id, uint64_t *got)
{
    ferry_data sink = {NULL, drop, got};
    ferry_op *op;
    int rc = ferry_read(h, id, 0, FERRY_TO_END, &sink, NULL, &op);
    if (rc)
        return rc;
    rc = ferry_op_wait(op, -1);
    ferry_op_close(op);
    return rc;
}

static ferry_dev *open_dev(ferry_ctx *ctx, const ferry_device_desc *d)
{
    ferry_dev *h;
    if (ferry_dev_open(ctx, d, &h)) {
        fprintf(stderr, "ferry-bench: cannot open\n");
        exit(1);
    }
    return h;
}

/* ------------------------------------------------------------------ */

typedef struct done_state {
    double t_done;
    int result;
    int fired;
} done_state;

static void on_done(ferry_op *op, int result, void *user)
{
    (void)op;
    done_state *s = user;
    s->t_done = now_ms();
    s->result = result;
    __atomic_store_n(&s->fired, 1, __ATOMIC_RELEASE);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bench_cancel(ferry_dev *h, uint32_t id, int n)
{
    double *fin = calloc((size_t)n, sizeof(double)), *ready = calloc((size_t)n, sizeof(double));
    int k = 0, too_late = 0;
    srand(12345);
    for (int i = 0; i < n; i++) {
        uint64_t got = 0;
        ferry_data sink = {NULL, drop, &got};
        done_state st = {0};
        ferry_op_cbs cbs = {NULL, NULL, on_done, &st};
        ferry_op *op;
        if (ferry_read(h, id, 0, FERRY_TO_END, &sink, &cbs, &op))
            return 1;
        /* wait until data flows, then a random moment */
        while (__atomic_load_n(&got, __ATOMIC_RELAXED) == 0 && !__atomic_load_n(&st.fired, __ATOMIC_ACQUIRE))
            usleep(200);
        usleep((useconds_t)(rand() % 30000));
        double t0 = now_ms();
        int c = ferry_op_cancel(op, FERRY_CANCEL_USER);
        while (!__atomic_load_n(&st.fired, __ATOMIC_ACQUIRE))
            usleep(50);
        ferry_op_close(op);
        /* the link is ready when the next request gets through */
        ferry_op *s;
        ferry_storages(h, NULL, &s);
        ferry_op_wait(s, -1);
        double t2 = now_ms();
        ferry_op_close(s);
        if (c != 0 || st.result != FERRY_ECANCELLED) {
            too_late++;
            continue;
        }
        fin[k] = st.t_done - t0;
        ready[k] = t2 - t0;
        k++;
    }
    qsort(fin, (size_t)k, sizeof(double), cmp_d);
    qsort(ready, (size_t)k, sizeof(double), cmp_d);
    if (k)
        printf("{\"n\": %d, \"finished_first\": %d, \"final_median_ms\": %.3f, \"final_max_ms\": %.3f, "
               "\"ready_median_ms\": %.3f, \"ready_max_ms\": %.3f}\n",
               k, too_late, fin[k / 2], fin[k - 1], ready[k / 2], ready[k - 1]);
    free(fin);
    free(ready);
    return k ? 0 : 1;
}

/* A source of made-up bytes: the upload's speed, not the disk's. */
typedef struct gen_state {
    uint64_t left;
} gen_state;

static ssize_t gen(void *priv, void *buf, size_t len)
{
    gen_state *g = priv;
    if (len > g->left)
        len = (size_t)g->left;
    memset(buf, 0x5a, len);
    g->left -= len;
    return (ssize_t)len;
}

static int write_one(ferry_dev *h, const char *name, uint64_t size)
{
    ferry_op *op;
    ferry_item it;
    int rc = ferry_storages(h, NULL, &op);
    if (rc)
        return rc;
    uint32_t storage = 0;
    while (ferry_op_next(op, &it, -1) == 0) {
        if (!storage && it.kind == FERRY_ITEM_STORAGE)
            storage = it.u.storage.id;
        ferry_item_clear(&it);
    }
    ferry_op_close(op);
    if (!storage)
        return FERRY_ENOENT;
    gen_state g = {size};
    ferry_data src = {gen, NULL, &g};
    rc = ferry_put(h, storage, FERRY_ROOT, name, size, FERRY_MTIME_NONE, &src, FERRY_PUT_REPLACE, NULL, &op);
    if (rc)
        return rc;
    rc = ferry_op_wait(op, -1);
    ferry_op_close(op);
    return rc;
}

typedef struct multi_arg {
    ferry_dev *h;
    const char *path;
    uint64_t got;
    int rc;
} multi_arg;

static void *multi_thread(void *p)
{
    multi_arg *a = p;
    ferry_object o;
    a->rc = resolve(a->h, a->path, &o);
    if (a->rc == 0) {
        a->rc = read_all(a->h, o.id, &a->got);
        free(o.name);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ferry-bench read PATH | write NAME SIZE | cancel PATH N | multi PATH NDEV\n");
        return 2;
    }
    ferry_ctx *ctx = new_ctx();
    ferry_device_desc *list;
    size_t n;
    if (ferry_devices(ctx, &list, &n) || !n) {
        fprintf(stderr, "ferry-bench: no device\n");
        return 1;
    }
    int rc = 0;
    if (!strcmp(argv[1], "read")) {
        ferry_dev *h = open_dev(ctx, &list[0]);
        ferry_object o;
        uint64_t got = 0;
        double t0 = now_ms();
        rc = resolve(h, argv[2], &o);
        if (!rc)
            rc = read_all(h, o.id, &got);
        double dt = now_ms() - t0;
        printf("{\"bytes\": %llu, \"ms\": %.3f}\n", (unsigned long long)got, dt);
        ferry_dev_close(h);
    } else if (!strcmp(argv[1], "write") && argc == 4) {
        ferry_dev *h = open_dev(ctx, &list[0]);
        uint64_t size = strtoull(argv[3], NULL, 0);
        double t0 = now_ms();
        rc = write_one(h, argv[2], size);
        double dt = now_ms() - t0;
        printf("{\"bytes\": %llu, \"ms\": %.3f}\n", (unsigned long long)(rc ? 0 : size), dt);
        ferry_dev_close(h);
    } else if (!strcmp(argv[1], "cancel") && argc == 4) {
        ferry_dev *h = open_dev(ctx, &list[0]);
        ferry_object o;
        rc = resolve(h, argv[2], &o);
        if (!rc)
            rc = bench_cancel(h, o.id, atoi(argv[3]));
        ferry_dev_close(h);
    } else if (!strcmp(argv[1], "multi") && argc == 4) {
        size_t k = (size_t)atoi(argv[3]);
        if (k > n)
            k = n;
        multi_arg *a = calloc(k, sizeof(*a));
        pthread_t *th = calloc(k, sizeof(*th));
        for (size_t i = 0; i < k; i++) {
            a[i].h = open_dev(ctx, &list[i]);
            a[i].path = argv[2];
            /* connect first so the timing is the transfer */
            ferry_op *op;
            ferry_storages(a[i].h, NULL, &op);
            ferry_op_wait(op, -1);
            ferry_op_close(op);
        }
        double t0 = now_ms();
        for (size_t i = 0; i < k; i++)
            pthread_create(&th[i], NULL, multi_thread, &a[i]);
        uint64_t total = 0;
        for (size_t i = 0; i < k; i++) {
            pthread_join(th[i], NULL);
            total += a[i].got;
            if (a[i].rc)
                rc = a[i].rc;
        }
        double dt = now_ms() - t0;
        printf("{\"devices\": %zu, \"bytes\": %llu, \"ms\": %.3f, \"mb_per_s\": %.2f}\n", k,
               (unsigned long long)total, dt, (double)total / 1e3 / dt);
        for (size_t i = 0; i < k; i++)
            ferry_dev_close(a[i].h);
        free(a);
        free(th);
    } else {
        rc = 2;
    }
    ferry_devices_free(list, n);
    ferry_ctx_free(ctx);
    if (rc && rc != 2)
        fprintf(stderr, "ferry-bench: %s\n", ferry_strerror(rc));
    return rc ? 1 : 0;
}
