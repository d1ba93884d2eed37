/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Two devices handled at once by one context (ferry-vdev --devices 2):
 * both are listed, each gets its own link, reads run on both at the same
 * time with the right bytes, and a cancel or a handle closed on one leaves
 * the other alone (C10, C11 across devices).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

typedef struct dt {
    ferry_ctx *ctx;
    ferry_device_desc *list;
    size_t n;
    ferry_dev *h[2];
    ct_rec rec[4];
} dt;

static int setup(void **state)
{
    dt *t = calloc(1, sizeof(*t));
    if (!t)
        return -1;
    for (int i = 0; i < 4; i++)
        ct_rec_init(&t->rec[i]);
    *state = t;
    ferry_ctx_opts o = {.size = sizeof(o)};
    ct_log_opts(&o);
    return ferry_ctx_new(&t->ctx, &o);
}

static int teardown(void **state)
{
    dt *t = *state;
    for (int i = 0; i < 2; i++)
        ferry_dev_close(t->h[i]);
    ferry_ctx_free(t->ctx);
    ferry_devices_free(t->list, t->n);
    for (int i = 0; i < 4; i++)
        ct_rec_destroy(&t->rec[i]);
    free(t);
    return 0;
}

typedef struct check_sink {
    const uint8_t *want;
    size_t len, pos;
    bool bad;
} check_sink;

static int check_put(void *priv, const void *buf, size_t len)
{
    check_sink *c = priv;
    if (c->pos + len > c->len || memcmp(c->want + c->pos, buf, len) != 0)
        c->bad = true;
    c->pos += len;
    return 0;
}

static uint32_t big_id(ferry_dev *h)
{
    return ct_id(h, CT_ROOT "/" CT_BIG);
}

static void test_two_devices_one_context(void **state)
{
    dt *t = *state;
    ct_assert_rc(ferry_devices(t->ctx, &t->list, &t->n), 0);
    assert_int_equal(t->n, 2);
    int k1 = -1, k2 = -1;
    for (size_t i = 0; i < t->n; i++) {
        if (t->list[i].serial && strcmp(t->list[i].serial, "FERRY0001") == 0)
            k1 = (int)i;
        if (t->list[i].serial && strcmp(t->list[i].serial, "FERRY0002") == 0)
            k2 = (int)i;
    }
    assert_true(k1 >= 0 && k2 >= 0);
    ct_assert_rc(ferry_dev_open(t->ctx, &t->list[k1], &t->h[0]), 0);
    ct_assert_rc(ferry_dev_open(t->ctx, &t->list[k2], &t->h[1]), 0);
    assert_ptr_not_equal(t->h[0]->link, t->h[1]->link); /* one link each */

    /* the backing files of the two devices */
    char rel[64];
    uint8_t *want[2];
    size_t wlen[2];
    for (int d = 0; d < 2; d++) {
        snprintf(rel, sizeof(rel), "../device%d/%s", d + 1, CT_BIG);
        assert_int_equal(ct_slurp(rel, &want[d], &wlen[d]), 0);
    }
    uint32_t ids[2] = {big_id(t->h[0]), big_id(t->h[1])};

    /* read from both at once: both are in their data phase together */
    for (int round = 0; round < 3; round++) {
        check_sink cs[2];
        ferry_data sinks[2];
        ferry_op *ops[2];
        for (int d = 0; d < 2; d++) {
            cs[d] = (check_sink){.want = want[d], .len = wlen[d]};
            sinks[d] = (ferry_data){NULL, check_put, &cs[d]};
            ct_rec_destroy(&t->rec[d]);
            ct_rec_init(&t->rec[d]);
            ferry_op_cbs cbs = ct_rec_cbs(&t->rec[d]);
            ct_assert_rc(ferry_read(t->h[d], ids[d], 0, FERRY_TO_END, &sinks[d], &cbs, &ops[d]), 0);
        }
        /* both made progress before either finished */
        bool both = false;
        uint64_t dl = ct_now_ms() + (uint64_t)ct_ms(30000);
        while (!both && ct_now_ms() < dl) {
            uint64_t d0 = 0, d1 = 0;
            ferry_op_progress(ops[0], &d0, NULL);
            ferry_op_progress(ops[1], &d1, NULL);
            both = d0 > 0 && d1 > 0 && (d0 < wlen[0] || d1 < wlen[1]);
            if (!both && d0 == wlen[0] && d1 == wlen[1])
                break;
            ct_sleep_ms(1);
        }
        if (round == 0)
            printf("# both devices in their data phase at the same time: %s\n", both ? "yes" : "not seen");
        for (int d = 0; d < 2; d++) {
            ct_assert_rc(ct_rec_wait(&t->rec[d], ct_ms(60000)), 0);
            assert_int_equal(cs[d].pos, wlen[d]);
            assert_false(cs[d].bad);
            ct_assert_rc(ferry_op_close(ops[d]), 0);
            ct_rec_check(&t->rec[d]);
        }
    }

    /* a cancel on device 1 leaves device 2's read alone */
    check_sink c2 = {.want = want[1], .len = wlen[1]};
    ferry_data s2 = {NULL, check_put, &c2}, s1 = {NULL, check_put, &(check_sink){.want = want[0], .len = wlen[0]}};
    ferry_op *o1, *o2;
    ferry_op_cbs cb1 = ct_rec_cbs(&t->rec[2]), cb2 = ct_rec_cbs(&t->rec[3]);
    ct_assert_rc(ferry_read(t->h[0], ids[0], 0, FERRY_TO_END, &s1, &cb1, &o1), 0);
    ct_assert_rc(ferry_read(t->h[1], ids[1], 0, FERRY_TO_END, &s2, &cb2, &o2), 0);
    ct_sleep_ms(10);
    int crc = ferry_op_cancel(o1, FERRY_CANCEL_USER);
    assert_true(crc == 0 || crc == FERRY_EALREADY_FINISHED);
    int r1 = ct_rec_wait(&t->rec[2], ct_ms(30000));
    assert_true(r1 == (crc == 0 ? FERRY_ECANCELLED : 0) || (crc == 0 && r1 == 0));
    ct_assert_rc(ct_rec_wait(&t->rec[3], ct_ms(30000)), 0);
    assert_int_equal(c2.pos, wlen[1]);
    assert_false(c2.bad);
    assert_int_equal(ferry_op_cancel_reason(o2), FERRY_CANCEL_NONE);
    ct_assert_rc(ferry_op_close(o1), 0);
    ct_assert_rc(ferry_op_close(o2), 0);

    /* closing device 1's handle: device 2 goes on */
    ferry_dev_close(t->h[0]);
    t->h[0] = NULL;
    ct_assert_usable(t->h[1]);
    for (int d = 0; d < 2; d++)
        free(want[d]);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_devices_one_context, setup, teardown),
    };
    return ct_main(argc, argv, "contract-devices", tests, sizeof(tests) / sizeof(tests[0]));
}
