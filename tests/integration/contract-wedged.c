/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * C9, the bounded end: a device that never confirms a cancel makes the
 * link fail with a clear error (FERRY_EWEDGED) within a bounded time, and
 * never hangs a caller: the cancelled operation has its final result at
 * once, the operation waiting behind the cancel sequence gets the link's
 * error, a cancel of that waiting operation returns at once and finishes
 * it, and everything can be closed. Also a command the device never
 * answers (--fault noanswer@op=GetObject#2, given by contract-run.sh):
 * the operation times out, and the next one works after the cancel
 * sequence.
 *
 * "Never confirms" is made by the test's wrapping transport: Get Device
 * Status answers Busy, always. This takes ferry's whole budget: the cancel
 * sequence's deadline, then three reopen attempts (about 45 s).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

typedef struct wt {
    ct_env e;
    ct_rec rec[4];
} wt;

static int setup(void **state)
{
    wt *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    for (int i = 0; i < 4; i++)
        ct_rec_init(&t->rec[i]);
    *state = t;
    ferry_ctx_opts o = {.size = sizeof(o), .timeout_ms = 2000};
    ct_env_open(&t->e, &o, NULL);
    return 0;
}

static int teardown(void **state)
{
    wt *t = *state;
    atomic_store(&ct_w.status_busy, false);
    if (t->e.hooked) {
        ct_hook_disarm(&t->e.hook);
        ct_hook_release(&t->e.hook);
    }
    ct_env_close(&t->e);
    for (int i = 0; i < 4; i++)
        ct_rec_destroy(&t->rec[i]);
    free(t);
    return 0;
}

static int drop_put(void *priv, const void *buf, size_t len)
{
    (void)priv;
    (void)buf;
    (void)len;
    return 0;
}
static ferry_data drop_sink = {NULL, drop_put, NULL};

static void test_C9_no_answer_times_out(void **state)
{
    wt *t = *state;
    uint32_t big = ct_id(t->e.h, CT_ROOT "/" CT_BIG);
    /* GetObject #1 is answered */
    ferry_op *op;
    ct_assert_rc(ferry_read(t->e.h, big, 0, FERRY_TO_END, &drop_sink, NULL, &op), 0);
    ct_assert_rc(ct_finish(op), 0);
    /* #2 gets no answer: the per-transaction timeout ends it */
    uint64_t t0 = ct_now_ms();
    ct_assert_rc(ferry_read(t->e.h, big, 0, FERRY_TO_END, &drop_sink, NULL, &op), 0);
    int rc = ct_finish(op);
    printf("# unanswered GetObject: %s after %llu ms\n", ferry_err_name(rc), (unsigned long long)(ct_now_ms() - t0));
    /* a final result is never ETIMEDOUT: that is what a wait that timed out says */
    ct_assert_rc(rc, FERRY_EWEDGED);
    /* the cancel sequence gives the command up; the next one works */
    ct_assert_usable(t->e.h);
}

static void test_C9_never_confirms_fails_bounded(void **state)
{
    wt *t = *state;
    uint32_t big = ct_id(t->e.h, CT_ROOT "/" CT_BIG), small = ct_id(t->e.h, CT_ROOT "/" CT_SMALL);
    ferry_op *op, *next, *third;
    ferry_op_cbs c0 = ct_rec_cbs(&t->rec[0]), c1 = ct_rec_cbs(&t->rec[1]), c2 = ct_rec_cbs(&t->rec[2]);
    ct_hook_arm_code(&t->e.hook, FL_PHASE_DATA_MID, FC_OC_GetObject);
    ct_assert_rc(ferry_read(t->e.h, big, 0, FERRY_TO_END, &drop_sink, &c0, &op), 0);
    assert_true(ct_hook_wait_parked(&t->e.hook, op, ct_ms(30000)));
    ct_assert_rc(ferry_stat(t->e.h, small, &c1, &next), 0);
    ct_assert_rc(ferry_stat(t->e.h, small, &c2, &third), 0);
    atomic_store(&ct_w.status_busy, true); /* from now on the device never says OK */
    uint64_t t0 = ct_now_ms();
    ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), 0);
    ct_hook_release(&t->e.hook);
    /* the cancelled one ends at once, not after the device */
    ct_assert_rc(ct_rec_wait(&t->rec[0], ct_ms(10000)), FERRY_ECANCELLED);
    printf("# cancelled read final after %llu ms\n", (unsigned long long)(ct_now_ms() - t0));
    /* the third, waiting behind the cancel sequence, is cancelled: at
     * once, with no traffic (it never started) */
    ct_sleep_ms(200);
    assert_int_equal(t->rec[1].done, 0);
    ct_assert_rc(ferry_op_cancel(third, FERRY_CANCEL_TIMEOUT), 0);
    ct_assert_rc(ct_rec_wait(&t->rec[2], ct_ms(5000)), FERRY_ECANCELLED);
    /* the next one gets the link's error, in bounded time */
    int rc = ct_rec_wait(&t->rec[1], ct_ms(120000));
    printf("# the waiting stat: %s after %llu ms\n", ferry_err_name(rc), (unsigned long long)(ct_now_ms() - t0));
    ct_assert_rc(rc, FERRY_EWEDGED);
    /* and so does every later one, at once */
    ferry_op *later;
    ct_assert_rc(ferry_stat(t->e.h, small, NULL, &later), 0);
    ct_assert_rc(ferry_op_wait(later, ct_ms(5000)), FERRY_EWEDGED);
    ct_assert_rc(ferry_op_close(later), 0);
    ferry_op *ops[] = {op, next, third};
    for (int i = 0; i < 3; i++) {
        ct_assert_rc(ferry_op_close(ops[i]), 0);
        ct_rec_check(&t->rec[i]);
    }
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_C9_no_answer_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_C9_never_confirms_fails_bounded, setup, teardown),
    };
    return ct_main(argc, argv, "contract-wedged", tests, sizeof(tests) / sizeof(tests[0]));
}
