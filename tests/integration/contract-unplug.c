/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unplugging in the middle of a transfer (CONTRACT.md C2, C5, C6, C15,
 * C16 when the device goes): a clear error (FERRY_ENODEV) for the running
 * operation and for every queued one, each final callback exactly once,
 * no crash, and closing operations, handles and the context works after.
 *
 * contract-run.sh gives this program three devices on a USB 2 link: each
 * test unplugs its own through the FERRY_VDEV_CTL fifo ("unplug K"), and
 * contract-unplug-byte runs test_unplug_by_fault alone under
 * `--fault unplug@byte=3M`, the device's own unplug in the middle of a read.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "contract.h"

typedef struct ut {
    ct_env e;
    ct_rec rec[8];
    atomic_int gone_events;
} ut;

static void on_event(ferry_dev *h, const ferry_event *ev, void *user)
{
    (void)h;
    ut *t = user;
    if (ev->kind == FERRY_EVENT_DEVICE_GONE)
        atomic_fetch_add(&t->gone_events, 1);
}

static int open_dev(void **state, const char *serial)
{
    ut *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    for (int i = 0; i < 8; i++)
        ct_rec_init(&t->rec[i]);
    *state = t;
    ct_env_open(&t->e, NULL, serial);
    return 0;
}

static int setup1(void **state)
{
    return open_dev(state, "FERRY0001");
}
static int setup2(void **state)
{
    return open_dev(state, "FERRY0002");
}
static int setup3(void **state)
{
    return open_dev(state, "FERRY0003");
}

/* test_unplug_by_fault runs only in contract-unplug-byte */
static bool fault_run(void)
{
    const char *f = getenv("CONTRACT_FAULT");
    return f && *f;
}

static int setup_fault(void **state)
{
    if (fault_run())
        return open_dev(state, "FERRY0001");
    ut *t = calloc(1, sizeof(*t));
    for (int i = 0; t && i < 8; i++)
        ct_rec_init(&t->rec[i]);
    *state = t;
    return t ? 0 : -1;
}

/* The context goes in a bounded time, also with the device gone. */
typedef struct freer {
    ferry_ctx *ctx;
    atomic_bool done;
} freer;

static void *free_thread(void *arg)
{
    freer *f = arg;
    ferry_ctx_free(f->ctx);
    atomic_store(&f->done, true);
    return NULL;
}

static int teardown(void **state)
{
    ut *t = *state;
    if (t->e.hooked) {
        ct_hook_disarm(&t->e.hook);
        ct_hook_release(&t->e.hook);
    }
    if (t->e.h)
        ferry_dev_close(t->e.h);
    t->e.h = NULL;
    int rc = 0;
    if (t->e.ctx) {
        freer f = {.ctx = t->e.ctx};
        pthread_t th;
        pthread_create(&th, NULL, free_thread, &f);
        uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(60000);
        while (!atomic_load(&f.done) && ct_now_ms() < dl)
            ct_sleep_ms(5);
        if (!atomic_load(&f.done)) {
            fprintf(stderr, "ferry_ctx_free() did not return\n");
            abort();
        }
        pthread_join(th, NULL);
        t->e.ctx = NULL;
    }
    ct_env_close(&t->e);
    for (int i = 0; i < 8; i++)
        ct_rec_destroy(&t->rec[i]);
    free(t);
    return rc;
}

static ct_rec *fresh(ut *t, int i)
{
    ct_rec_destroy(&t->rec[i]);
    ct_rec_init(&t->rec[i]);
    return &t->rec[i];
}

static int drop_put(void *priv, const void *buf, size_t len)
{
    (void)buf;
    (void)priv;
    (void)len;
    return 0;
}
static ferry_data drop_sink = {NULL, drop_put, NULL};

static void unplug(int k)
{
    char line[32];
    snprintf(line, sizeof(line), "unplug %d", k);
    assert_int_equal(ct_vdev_ctl(line), 0);
}

static void test_unplug_mid_read_with_queue(void **state)
{
    ut *t = *state;
    ct_assert_rc(ferry_dev_watch(t->e.h, on_event, t), 0);
    ferry_dev *h2;
    ct_assert_rc(ferry_dev_dup(t->e.h, &h2), 0);
    uint32_t big = ct_id(t->e.h, CT_ROOT "/" CT_BIG), small = ct_id(t->e.h, CT_ROOT "/" CT_SMALL);
    uint32_t work = ct_id(t->e.h, CT_ROOT "/" CT_WORK);
    ferry_op *ops[5];
    ferry_op_cbs cbs[5];
    for (int i = 0; i < 5; i++)
        cbs[i] = ct_rec_cbs(fresh(t, i));
    ct_hook_arm_code(&t->e.hook, FL_PHASE_DATA_MID, FC_OC_GetObject);
    ct_assert_rc(ferry_read(t->e.h, big, 0, FERRY_TO_END, &drop_sink, &cbs[0], &ops[0]), 0);
    assert_true(ct_hook_wait_parked(&t->e.hook, ops[0], ct_ms(30000)));
    /* queued behind it, on both handles */
    ct_assert_rc(ferry_stat(h2, small, &cbs[1], &ops[1]), 0);
    ct_assert_rc(ferry_list(h2, t->e.storage, FERRY_ROOT, &cbs[2], &ops[2]), 0);
    ct_assert_rc(ferry_mkdir(t->e.h, 0, work, "never", &cbs[3], &ops[3]), 0);
    ct_assert_rc(ferry_read(h2, big, 0, FERRY_TO_END, &drop_sink, &cbs[4], &ops[4]), 0);
    unplug(1);
    /* gone from the bus before the link goes on */
    ferry_device_desc *d;
    uint64_t gone_by = ct_now_ms() + (uint64_t)ct_ms(10000);
    while (ferry_device_find(t->e.ctx, "FERRY0001", &d) == 0 && ct_now_ms() < gone_by) {
        ferry_devices_free(d, 1);
        ct_sleep_ms(5);
    }
    ct_hook_release(&t->e.hook);
    /* the running read may have had all its data in the host's URBs
     * already (a slow host): then it succeeds; else NODEV */
    int r0 = ct_rec_wait(&t->rec[0], ct_ms(60000));
    if (r0 != 0 && r0 != FERRY_ENODEV)
        fail_msg("running read: final %s, expected OK or NODEV", ferry_err_name(r0));
    ct_assert_rc(ferry_op_close(ops[0]), 0);
    ct_rec_check(&t->rec[0]);
    static const char *const names[] = {"queued stat", "queued list", "queued mkdir", "queued read"};
    for (int i = 1; i < 5; i++) {
        int res = ct_rec_wait(&t->rec[i], ct_ms(60000));
        if (res != FERRY_ENODEV)
            fail_msg("%s: final %s, expected NODEV", names[i - 1], ferry_err_name(res));
        assert_int_equal(ferry_op_get_state(ops[i]), FERRY_OP_FAILED);
        ct_assert_rc(ferry_op_cancel(ops[i], FERRY_CANCEL_USER), FERRY_ENODEV); /* C3: its own error */
        ct_assert_rc(ferry_op_close(ops[i]), 0);
        ct_rec_check(&t->rec[i]);
    }
    assert_false(ct_file_exists(CT_WORK "/never"));

    /* a new operation, also on a new handle: a clear error, no hang */
    ferry_op *op;
    ct_assert_rc(ferry_stat(t->e.h, small, NULL, &op), 0);
    ct_assert_rc(ct_finish(op), FERRY_ENODEV);
    ferry_dev *h3;
    ct_assert_rc(ferry_dev_open(t->e.ctx, t->e.desc, &h3), 0);
    ct_assert_rc(ferry_stat(h3, small, NULL, &op), 0);
    ct_assert_rc(ct_finish(op), FERRY_ENODEV);
    ferry_dev_close(h3);
    /* the handle that watched was told */
    uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(5000);
    while (!atomic_load(&t->gone_events) && ct_now_ms() < dl)
        ct_sleep_ms(5);
    assert_true(atomic_load(&t->gone_events) >= 1);
    ferry_dev_close(h2);
    /* enumeration no longer lists it */
    ct_assert_rc(ferry_device_find(t->e.ctx, "FERRY0001", &d), FERRY_ENODEV);
}

static void test_unplug_during_upload_and_download(void **state)
{
    ut *t = *state;
    uint32_t work = ct_id(t->e.h, CT_ROOT "/" CT_WORK), big = ct_id(t->e.h, CT_ROOT "/" CT_BIG);
    enum { SIZE = 4 << 20 };
    uint8_t *data = calloc(1, SIZE);
    assert_non_null(data);
    ferry_upload *u;
    ct_assert_rc(ferry_upload_create(t->e.h, 0, work, "gone.bin", SIZE, FERRY_MTIME_NONE, 0, &u), 0);
    ct_assert_rc(ferry_upload_write(u, data, SIZE / 4), 0);
    /* a download queued behind the upload */
    char local[700], dir[600];
    snprintf(dir, sizeof(dir), "%s/../local2", ct_store());
    mkdir(dir, 0755);
    snprintf(local, sizeof(local), "%s/big.copy", dir);
    FILE *f = fopen(local, "w");
    assert_non_null(f);
    fputs("old", f);
    fclose(f);
    ferry_op_cbs cbs = ct_rec_cbs(fresh(t, 0));
    ferry_op *get;
    ct_assert_rc(ferry_get(t->e.h, big, local, 0, &cbs, &get), 0);
    /* the full URBs of the first write go out; the link thread is left
     * filling the next one from a writer that trickles: no transfer in
     * flight tells it that the device went, it must look */
    ct_sleep_ms(ct_ms(300));
    unplug(2);
    int rc = 0;
    /* the device may take a moment to go on a loaded host: keep writing a
     * byte at a time (well inside SIZE) until the link notices */
    uint64_t gone_by = ct_now_ms() + (uint64_t)ct_ms(15000);
    while (rc == 0 && ct_now_ms() < gone_by) {
        ct_sleep_ms(5);
        rc = ferry_upload_write(u, data, 1);
    }
    if (rc != FERRY_ENODEV && rc != FERRY_ECANCELLED && rc != FERRY_EOVERFLOW)
        fail_msg("upload write after unplug: %s", ferry_err_name(rc));
    rc = ferry_upload_revert(u);
    assert_true(rc == FERRY_ENODEV || rc == 0); /* could not clean: says so */
    ferry_upload_release(u);
    free(data);
    ct_assert_rc(ct_rec_wait(&t->rec[0], ct_ms(60000)), FERRY_ENODEV);
    ct_assert_rc(ferry_op_close(get), 0);
    ct_rec_check(&t->rec[0]);
    /* C16: no part file, the old target intact */
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    struct dirent *de;
    while ((de = readdir(dp)))
        if (strstr(de->d_name, "ferry-part"))
            fail_msg("part file left: %s", de->d_name);
    closedir(dp);
    f = fopen(local, "r");
    char buf[8] = "";
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "old");
}

static void test_unplug_while_cancelling(void **state)
{
    /* the device goes in the middle of the cancel sequence (Busy polls) */
    ut *t = *state;
    uint32_t big = ct_id(t->e.h, CT_ROOT "/" CT_BIG), small = ct_id(t->e.h, CT_ROOT "/" CT_SMALL);
    ferry_op *op, *next;
    ferry_op_cbs c0 = ct_rec_cbs(fresh(t, 0)), c1 = ct_rec_cbs(fresh(t, 1));
    ct_hook_arm_code(&t->e.hook, FL_PHASE_DATA_MID, FC_OC_GetObject);
    ct_assert_rc(ferry_read(t->e.h, big, 0, FERRY_TO_END, &drop_sink, &c0, &op), 0);
    assert_true(ct_hook_wait_parked(&t->e.hook, op, ct_ms(30000)));
    ct_assert_rc(ferry_stat(t->e.h, small, &c1, &next), 0);
    atomic_store(&ct_w.status_busy, true); /* the cancel sequence keeps polling */
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_hook_release(&t->e.hook);
    ct_assert_rc(ct_rec_wait(&t->rec[0], ct_ms(30000)), FERRY_ECANCELLED);
    ct_sleep_ms(100);
    unplug(3);
    ct_assert_rc(ct_rec_wait(&t->rec[1], ct_ms(60000)), FERRY_ENODEV);
    atomic_store(&ct_w.status_busy, false);
    ct_assert_rc(ferry_op_close(op), 0);
    ct_assert_rc(ferry_op_close(next), 0);
    ct_rec_check(&t->rec[0]);
    ct_rec_check(&t->rec[1]);
}

static void test_unplug_by_fault(void **state)
{
    /* run with --fault unplug@byte=3M: the device goes by itself in the
     * middle of reading big.bin, with operations queued */
    ut *t = *state;
    if (!fault_run())
        skip(); /* only in contract-unplug-byte */
    uint32_t big = ct_id(t->e.h, CT_ROOT "/" CT_BIG), small = ct_id(t->e.h, CT_ROOT "/" CT_SMALL);
    ferry_op *ops[3];
    ferry_op_cbs cbs[3];
    for (int i = 0; i < 3; i++)
        cbs[i] = ct_rec_cbs(fresh(t, i));
    ct_assert_rc(ferry_read(t->e.h, big, 0, FERRY_TO_END, &drop_sink, &cbs[0], &ops[0]), 0);
    ct_assert_rc(ferry_stat(t->e.h, small, &cbs[1], &ops[1]), 0);
    ct_assert_rc(ferry_read(t->e.h, big, 0, FERRY_TO_END, &drop_sink, &cbs[2], &ops[2]), 0);
    /* in queue order: those that ended before the device went succeed,
     * all later ones fail with NODEV, at least one does */
    int gone = 0;
    for (int i = 0; i < 3; i++) {
        int res = ct_rec_wait(&t->rec[i], ct_ms(60000));
        if (gone)
            ct_assert_rc(res, FERRY_ENODEV);
        else
            assert_true(res == 0 || res == FERRY_ENODEV);
        if (res == FERRY_ENODEV) {
            gone++;
            ct_assert_rc(ferry_op_cancel(ops[i], FERRY_CANCEL_USER), FERRY_ENODEV);
        }
        ct_assert_rc(ferry_op_close(ops[i]), 0);
    }
    assert_true(gone >= 1);
    for (int i = 0; i < 3; i++)
        ct_rec_check(&t->rec[i]);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unplug_mid_read_with_queue, setup1, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_during_upload_and_download, setup2, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_while_cancelling, setup3, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_by_fault, setup_fault, teardown),
    };
    return ct_main(argc, argv, "contract-unplug", tests, sizeof(tests) / sizeof(tests[0]));
}
