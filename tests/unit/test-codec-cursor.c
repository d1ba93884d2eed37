/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The read cursor and the write buffer (lib/codec/cursor.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec-test.h"

static void test_rd_scalars(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x01,                                           /* u8 */
        0x34, 0x12,                                     /* u16 0x1234 */
        0x78, 0x56, 0x34, 0x12,                         /* u32 0x12345678 */
        0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01, /* u64 */
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, /* u128 lo */
        0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, /* u128 hi */
        0xAA, 0xBB,                                     /* skipped */
    };
    fc_rd r;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    fc_u128 x;

    fc_rd_init(&r, b, sizeof b);
    assert_int_equal(fc_rd_left(&r), sizeof b);
    assert_int_equal(fc_rd_u8(&r, &u8), 0);
    assert_int_equal(u8, 0x01);
    assert_int_equal(fc_rd_u16(&r, &u16), 0);
    assert_int_equal(u16, 0x1234);
    assert_int_equal(fc_rd_u32(&r, &u32), 0);
    assert_int_equal(u32, 0x12345678);
    assert_int_equal(fc_rd_u64(&r, &u64), 0);
    assert_true(u64 == UINT64_C(0x0123456789ABCDEF));
    assert_int_equal(fc_rd_u128(&r, &x), 0);
    assert_true(x.lo == UINT64_C(0x7766554433221100));
    assert_true(x.hi == UINT64_C(0xFFEEDDCCBBAA9988));
    assert_int_equal(fc_rd_left(&r), 2);
    assert_int_equal(fc_rd_skip(&r, 3), FERRY_EPROTO);
    assert_int_equal(fc_rd_left(&r), 2);
    assert_int_equal(fc_rd_skip(&r, 2), 0);
    assert_int_equal(fc_rd_left(&r), 0);
    assert_int_equal(fc_rd_u8(&r, &u8), FERRY_EPROTO);
}

/* A short read fails and leaves the cursor where it was. */
static void test_rd_short(void **state)
{
    (void)state;
    uint8_t *b = malloc(15);
    assert_non_null(b);
    memset(b, 0xEE, 15);
    fc_rd r;
    uint16_t u16 = 7;
    uint32_t u32 = 7;
    uint64_t u64 = 7;
    fc_u128 x = {7, 7};

    fc_rd_init(&r, b, 1);
    assert_int_equal(fc_rd_u16(&r, &u16), FERRY_EPROTO);
    assert_int_equal(u16, 7);
    assert_int_equal(r.off, 0);
    fc_rd_init(&r, b, 3);
    assert_int_equal(fc_rd_u32(&r, &u32), FERRY_EPROTO);
    assert_int_equal(r.off, 0);
    fc_rd_init(&r, b, 7);
    assert_int_equal(fc_rd_u64(&r, &u64), FERRY_EPROTO);
    assert_int_equal(r.off, 0);
    fc_rd_init(&r, b, 15);
    assert_int_equal(fc_rd_u128(&r, &x), FERRY_EPROTO);
    assert_int_equal(r.off, 0);
    assert_true(u64 == 7 && u32 == 7 && x.lo == 7);
    assert_int_equal(fc_rd_skip(&r, SIZE_MAX), FERRY_EPROTO);
    assert_int_equal(r.off, 0);
    free(b);
}

static void test_wr_scalars(void **state)
{
    (void)state;
    static const uint8_t exp[] = {
        0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xEF, 0xCD, 0xAB, 0x89, 0x67,
        0x45, 0x23, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
        0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 'a',  'b',
    };
    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_wr_u8(&w, 0x01), 0);
    assert_int_equal(fc_wr_u16(&w, 0x1234), 0);
    assert_int_equal(fc_wr_u32(&w, 0x12345678), 0);
    assert_int_equal(fc_wr_u64(&w, UINT64_C(0x0123456789ABCDEF)), 0);
    fc_u128 x = {UINT64_C(0x7766554433221100), UINT64_C(0xFFEEDDCCBBAA9988)};
    assert_int_equal(fc_wr_u128(&w, x), 0);
    assert_int_equal(fc_wr_bytes(&w, "ab", 2), 0);
    assert_int_equal(fc_wr_bytes(&w, NULL, 0), 0);
    CT_ASSERT_BYTES(w.buf, w.len, exp);

    /* reset keeps the buffer */
    uint8_t *buf = w.buf;
    fc_wr_reset(&w);
    assert_int_equal(w.len, 0);
    assert_ptr_equal(w.buf, buf);
    assert_int_equal(fc_wr_u16(&w, 0xBEEF), 0);
    CT_ASSERT_BYTES(w.buf, w.len, ((const uint8_t[]){0xEF, 0xBE}));
    fc_wr_free(&w);
    assert_null(w.buf);
    assert_int_equal(w.len, 0);
    assert_int_equal(w.cap, 0);
}

/* The buffer grows across many writes and keeps every byte. */
static void test_wr_growth(void **state)
{
    (void)state;
    fc_wr w;
    fc_wr_init(&w);
    for (uint32_t i = 0; i < 100000; i++)
        assert_int_equal(fc_wr_u32(&w, i), 0);
    assert_int_equal(w.len, 400000);
    assert_true(w.cap >= w.len);
    for (uint32_t i = 0; i < 100000; i++) {
        const uint8_t *p = w.buf + 4 * i;
        assert_int_equal(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24, i);
    }
    assert_int_equal(fc_wr_reserve(&w, 0), 0);
    fc_wr_free(&w);
}

static void test_wr_errors_sticky(void **state)
{
    (void)state;
    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_wr_u8(&w, 1), 0);

    /* an impossible reservation is ENOMEM and sticks */
    assert_int_equal(fc_wr_reserve(&w, SIZE_MAX), FERRY_ENOMEM);
    assert_int_equal(w.err, FERRY_ENOMEM);
    assert_int_equal(fc_wr_u32(&w, 5), FERRY_ENOMEM);
    assert_int_equal(fc_wr_str(&w, "x"), FERRY_ENOMEM);
    assert_int_equal(w.len, 1);

    /* reset clears it */
    fc_wr_reset(&w);
    assert_int_equal(w.err, 0);
    assert_int_equal(fc_wr_u8(&w, 2), 0);

    /* bytes from NULL and arrays with a count but no elements: EINVAL */
    assert_int_equal(fc_wr_bytes(&w, NULL, 3), FERRY_EINVAL);
    assert_int_equal(w.len, 1);
    fc_wr_reset(&w);
    assert_int_equal(fc_wr_au16(&w, NULL, 2), FERRY_EINVAL);
    fc_wr_reset(&w);
    assert_int_equal(fc_wr_au32(&w, NULL, 1), FERRY_EINVAL);
    assert_int_equal(w.len, 0);
    fc_wr_reset(&w);

    /* allocation failure on the first write */
    fc_wr_free(&w);
    fy_mem_fail_after(0);
    assert_int_equal(fc_wr_u16(&w, 1), FERRY_ENOMEM);
    assert_int_equal(fy_mem_fail_after(-1), 1);
    assert_int_equal(fc_wr_u16(&w, 1), FERRY_ENOMEM);
    assert_int_equal(w.len, 0);
    assert_null(w.buf);
    fc_wr_free(&w);
}

/* u16 and u32 arrays: golden bytes both ways. */
static void test_arrays_golden(void **state)
{
    (void)state;
    static const uint8_t a16[] = {
        0x03, 0x00, 0x00, 0x00, /* count 3 */
        0x01, 0x10,             /* 0x1001 GetDeviceInfo */
        0x02, 0x10,             /* 0x1002 OpenSession */
        0x05, 0x98,             /* 0x9805 GetObjectPropList */
    };
    static const uint8_t a32[] = {
        0x02, 0x00, 0x00, 0x00, /* count 2 */
        0x01, 0x00, 0x01, 0x00, /* storage 0x00010001 */
        0x01, 0x00, 0x02, 0x00, /* storage 0x00020001 */
    };
    static const uint8_t empty[] = {0x00, 0x00, 0x00, 0x00};
    uint16_t v16[] = {0x1001, 0x1002, 0x9805};
    uint32_t v32[] = {0x00010001, 0x00020001};
    ct_array e16 = {v16, 3}, e32 = {v32, 2}, e0 = {NULL, 0};

    ct_check_all(&ct_u16_array, a16, sizeof a16, &e16);
    ct_check_all(&ct_u32_array, a32, sizeof a32, &e32);
    ct_check_all(&ct_u16_array, empty, sizeof empty, &e0);
    ct_check_all(&ct_u32_array, empty, sizeof empty, &e0);

    /* an empty array decodes to NULL, count 0, without allocating */
    uint16_t *p = (uint16_t *)&e16;
    uint32_t n = 99;
    unsigned long before = fy_mem_count();
    assert_int_equal(fc_u16_array_decode(empty, sizeof empty, &p, &n), 0);
    assert_null(p);
    assert_int_equal(n, 0);
    assert_int_equal(fy_mem_count(), before);

    /* the reader leaves the cursor after the array */
    fc_rd r;
    uint32_t *q;
    fc_rd_init(&r, a32, sizeof a32);
    assert_int_equal(fc_rd_au32(&r, &q, &n), 0);
    assert_int_equal(fc_rd_left(&r), 0);
    fy_free(q);
}

/* Counts larger than the bytes left: EPROTO before any allocation. */
static void test_arrays_oversized(void **state)
{
    (void)state;
    static const uint8_t huge[] = {0x00, 0x00, 0x00, 0x40, 0x01, 0x10, 0x02, 0x10};
    static const uint8_t max[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x10, 0x02, 0x10};
    /* one element too many: 3 u16 claimed, 2.5 there */
    static const uint8_t one_more[] = {0x03, 0x00, 0x00, 0x00, 0x01, 0x10, 0x02, 0x10, 0x05};
    static const uint8_t odd32[] = {0x02, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7};
    unsigned long before = fy_mem_count();

    CT_CHECK_ERROR(&ct_u16_array, huge, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_u32_array, huge, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_u16_array, max, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_u32_array, max, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_u16_array, one_more, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_u32_array, odd32, FERRY_EPROTO);
    assert_int_equal(fy_mem_count(), before);

    /* the cursor does not move on error */
    fc_rd r;
    uint16_t *p;
    uint32_t n;
    fc_rd_init(&r, huge, sizeof huge);
    assert_int_equal(fc_rd_au16(&r, &p, &n), FERRY_EPROTO);
    assert_int_equal(r.off, 0);
    assert_null(p);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rd_scalars),
        cmocka_unit_test(test_rd_short),
        cmocka_unit_test(test_wr_scalars),
        cmocka_unit_test(test_wr_growth),
        cmocka_unit_test(test_wr_errors_sticky),
        cmocka_unit_test(test_arrays_golden),
        cmocka_unit_test(test_arrays_oversized),
    };
    return cmocka_run_group_tests_name("codec-cursor", tests, NULL, NULL);
}
