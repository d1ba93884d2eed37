/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Values of every data type (value.c). The vectors are framed as the
 * datatype (u16) followed by the value, as in an ObjectPropList element. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec-test.h"

static fc_value u128v(uint16_t type, uint64_t lo, uint64_t hi)
{
    fc_value v = fc_value_uint(type, 0);
    v.u.x.lo = lo;
    v.u.x.hi = hi;
    return v;
}

/* An array value over static elements (never freed). */
static fc_value arr(uint16_t type, uint32_t n, const void *elems)
{
    fc_value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    v.u.a.count = n;
    v.u.a.v = (void *)(uintptr_t)elems;
    return v;
}

static void test_scalars_golden(void **state)
{
    (void)state;
    static const uint8_t i8[] = {0x01, 0x00, 0xFE};
    static const uint8_t u8[] = {0x02, 0x00, 0xFE};
    static const uint8_t i16[] = {0x03, 0x00, 0xD4, 0xFE};
    static const uint8_t u16[] = {0x04, 0x00, 0xEF, 0xBE};
    static const uint8_t i32[] = {0x05, 0x00, 0x60, 0x79, 0xFE, 0xFF};
    static const uint8_t u32[] = {0x06, 0x00, 0xEF, 0xBE, 0xAD, 0xDE};
    static const uint8_t i64[] = {0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80};
    static const uint8_t u64[] = {0x08, 0x00, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01};
    static const uint8_t i128[] = {0x09, 0x00, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF};
    static const uint8_t u128[] = {0x0A, 0x00, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22,
                                   0x11, 0x00, 0xFF, 0xEE, 0xDD, 0xCC, 0xBB, 0xAA,
                                   0x99, 0x88};
    static const uint8_t str[] = {0xFF, 0xFF, 0x03, 0x48, 0x00, 0x69, 0x00, 0x00, 0x00};
    static const uint8_t str_empty[] = {0xFF, 0xFF, 0x00};
    fc_value v;

    v = fc_value_int(FC_DTC_INT8, -2);
    CT_CHECK_ALL(&ct_value, i8, &v);
    v = fc_value_uint(FC_DTC_UINT8, 254);
    CT_CHECK_ALL(&ct_value, u8, &v);
    v = fc_value_int(FC_DTC_INT16, -300);
    CT_CHECK_ALL(&ct_value, i16, &v);
    v = fc_value_uint(FC_DTC_UINT16, 0xBEEF);
    CT_CHECK_ALL(&ct_value, u16, &v);
    v = fc_value_int(FC_DTC_INT32, -100000);
    CT_CHECK_ALL(&ct_value, i32, &v);
    v = fc_value_uint(FC_DTC_UINT32, 0xDEADBEEF);
    CT_CHECK_ALL(&ct_value, u32, &v);
    v = fc_value_int(FC_DTC_INT64, INT64_MIN);
    CT_CHECK_ALL(&ct_value, i64, &v);
    v = fc_value_uint(FC_DTC_UINT64, UINT64_C(0x0123456789ABCDEF));
    CT_CHECK_ALL(&ct_value, u64, &v);
    v = fc_value_int(FC_DTC_INT128, -2);
    CT_CHECK_ALL(&ct_value, i128, &v);
    v = u128v(FC_DTC_UINT128, UINT64_C(0x0011223344556677), UINT64_C(0x8899AABBCCDDEEFF));
    CT_CHECK_ALL(&ct_value, u128, &v);

    assert_int_equal(fc_value_str(&v, "Hi"), 0);
    CT_CHECK_ALL(&ct_value, str, &v);
    fc_value_free(&v);
    assert_int_equal(fc_value_str(&v, NULL), 0);
    assert_string_equal(v.u.str, "");
    CT_CHECK_ALL(&ct_value, str_empty, &v);
    fc_value_free(&v);
}

/* What a decoded integer looks like in the union. */
static void test_scalars_decoded(void **state)
{
    (void)state;
    static const uint8_t i8[] = {0x80};
    static const uint8_t b16[] = {0x00, 0x80};
    static const uint8_t b32[] = {0xFF, 0xFF, 0xFF, 0xFF};
    fc_rd r;
    fc_value v;

    fc_rd_init(&r, i8, 1);
    assert_int_equal(fc_rd_value(&r, FC_DTC_INT8, &v), 0);
    assert_int_equal(v.type, FC_DTC_INT8);
    assert_true(v.u.i == -128);
    fc_rd_init(&r, i8, 1);
    assert_int_equal(fc_rd_value(&r, FC_DTC_UINT8, &v), 0);
    assert_true(v.u.u == 128);
    fc_rd_init(&r, b16, 2);
    assert_int_equal(fc_rd_value(&r, FC_DTC_INT16, &v), 0);
    assert_true(v.u.i == -32768);
    fc_rd_init(&r, b16, 2);
    assert_int_equal(fc_rd_value(&r, FC_DTC_UINT16, &v), 0);
    assert_true(v.u.u == 32768);
    fc_rd_init(&r, b32, 4);
    assert_int_equal(fc_rd_value(&r, FC_DTC_INT32, &v), 0);
    assert_true(v.u.i == -1);
    fc_rd_init(&r, b32, 4);
    assert_int_equal(fc_rd_value(&r, FC_DTC_UINT32, &v), 0);
    assert_true(v.u.u == 0xFFFFFFFF);
    assert_int_equal(fc_rd_left(&r), 0);
}

static void test_arrays_golden(void **state)
{
    (void)state;
    static const uint8_t ai8[] = {0x01, 0x40, 0x04, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x7F, 0x80};
    static const uint64_t ai8_v[] = {(uint64_t)-1, 0, 127, (uint64_t)-128};
    static const uint8_t au8[] = {0x02, 0x40, 0x02, 0x00, 0x00, 0x00, 0x00, 0xFF};
    static const uint64_t au8_v[] = {0, 255};
    static const uint8_t ai16[] = {0x03, 0x40, 0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x02, 0x00};
    static const uint64_t ai16_v[] = {(uint64_t)-1, 2};
    static const uint8_t au16[] = {0x04, 0x40, 0x02, 0x00, 0x00, 0x00, 0x48, 0x00, 0x69, 0x00};
    static const uint64_t au16_v[] = {0x48, 0x69};
    static const uint8_t ai32[] = {0x05, 0x40, 0x01, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF};
    static const uint64_t ai32_v[] = {(uint64_t)-2};
    static const uint8_t au32[] = {0x06, 0x40, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00,
                                   0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint64_t au32_v[] = {1, 0xFFFFFFFF};
    static const uint8_t ai64[] = {0x07, 0x40, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint64_t ai64_v[] = {(uint64_t)-1};
    static const uint8_t au64[] = {0x08, 0x40, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t ai128[] = {
        0x09, 0x40, 0x02, 0x00, 0x00, 0x00, /* 2 elements */
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 1 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* -1 */
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    };
    static const fc_u128 ai128_v[] = {{1, 0}, {UINT64_MAX, UINT64_MAX}};
    static const uint8_t au128[] = {
        0x0A, 0x40, 0x01, 0x00, 0x00, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0xBA,
        0xDC, 0xFE, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
    };
    static const fc_u128 au128_v[] = {{UINT64_C(0xFEDCBA9876543210), UINT64_C(0x8000000000000001)}};
    fc_value v;

    v = arr(FC_DTC_AINT8, 4, ai8_v);
    CT_CHECK_ALL(&ct_value, ai8, &v);
    v = arr(FC_DTC_AUINT8, 2, au8_v);
    CT_CHECK_ALL(&ct_value, au8, &v);
    v = arr(FC_DTC_AINT16, 2, ai16_v);
    CT_CHECK_ALL(&ct_value, ai16, &v);
    v = arr(FC_DTC_AUINT16, 2, au16_v);
    CT_CHECK_ALL(&ct_value, au16, &v);
    v = arr(FC_DTC_AINT32, 1, ai32_v);
    CT_CHECK_ALL(&ct_value, ai32, &v);
    v = arr(FC_DTC_AUINT32, 2, au32_v);
    CT_CHECK_ALL(&ct_value, au32, &v);
    v = arr(FC_DTC_AINT64, 1, ai64_v);
    CT_CHECK_ALL(&ct_value, ai64, &v);
    v = arr(FC_DTC_AUINT64, 0, NULL);
    CT_CHECK_ALL(&ct_value, au64, &v);
    v = arr(FC_DTC_AINT128, 2, ai128_v);
    CT_CHECK_ALL(&ct_value, ai128, &v);
    v = arr(FC_DTC_AUINT128, 1, au128_v);
    CT_CHECK_ALL(&ct_value, au128, &v);

    /* decoded signed elements are sign-extended in the uint64_t slots */
    fc_rd r;
    fc_rd_init(&r, ai8 + 2, sizeof ai8 - 2);
    assert_int_equal(fc_rd_value(&r, FC_DTC_AINT8, &v), 0);
    assert_int_equal(v.u.a.count, 4);
    const uint64_t *e = v.u.a.v;
    assert_true((int64_t)e[0] == -1 && e[1] == 0 && e[2] == 127 && (int64_t)e[3] == -128);
    fc_value_free(&v);

    /* an empty array allocates nothing */
    unsigned long before = fy_mem_count();
    fc_rd_init(&r, au64 + 2, sizeof au64 - 2);
    assert_int_equal(fc_rd_value(&r, FC_DTC_AUINT64, &v), 0);
    assert_int_equal(v.type, FC_DTC_AUINT64);
    assert_null(v.u.a.v);
    assert_int_equal(fy_mem_count(), before);
}

/* An array count far beyond the bytes: refused before any allocation. */
static void test_arrays_oversized(void **state)
{
    (void)state;
    for (uint16_t t = FC_DTC_AINT8; t <= FC_DTC_AUINT128; t++) {
        static const uint32_t counts[] = {0x40000000, 0xFFFFFFFF, 0x00010000, 17};
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            uint8_t b[2 + 4 + 16];
            memset(b, 0x11, sizeof b);
            b[0] = (uint8_t)t;
            b[1] = (uint8_t)(t >> 8);
            b[2] = (uint8_t)counts[k];
            b[3] = (uint8_t)(counts[k] >> 8);
            b[4] = (uint8_t)(counts[k] >> 16);
            b[5] = (uint8_t)(counts[k] >> 24);
            unsigned long before = fy_mem_count();
            /* 16 bytes hold at most 16 elements */
            CT_CHECK_ERROR(&ct_value, b, FERRY_EPROTO);
            assert_int_equal(fy_mem_count(), before);
        }
    }
    /* one element short */
    static const uint8_t short_u32[] = {0x06, 0x40, 0x02, 0x00, 0x00, 0x00, 1, 0, 0, 0, 2, 0, 0};
    CT_CHECK_ERROR(&ct_value, short_u32, FERRY_EPROTO);
}

static void test_unknown_types(void **state)
{
    (void)state;
    static const uint16_t bad[] = {0x0000, 0x000B, 0x00FF, 0x4000, 0x400B, 0x4FFF,
                                   0x8001, 0xFFFE, 0xC001};
    uint8_t b[32];
    memset(b, 0, sizeof b);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b[0] = (uint8_t)bad[i];
        b[1] = (uint8_t)(bad[i] >> 8);
        CT_CHECK_ERROR(&ct_value, b, FERRY_EPROTO);
        assert_false(fc_type_known(bad[i]));
        assert_int_equal(fc_type_size(bad[i]), 0);

        /* and they cannot be written */
        fc_value v = fc_value_uint(bad[i], 1);
        fc_wr w;
        fc_wr_init(&w);
        assert_int_equal(fc_wr_value(&w, &v), FERRY_EINVAL);
        assert_int_equal(w.len, 0);
        fc_wr_free(&w);
    }
}

static void test_type_tables(void **state)
{
    (void)state;
    static const struct {
        uint16_t type;
        size_t size;
    } t[] = {
        {FC_DTC_INT8, 1},     {FC_DTC_UINT8, 1},    {FC_DTC_INT16, 2},  {FC_DTC_UINT16, 2},
        {FC_DTC_INT32, 4},    {FC_DTC_UINT32, 4},   {FC_DTC_INT64, 8},  {FC_DTC_UINT64, 8},
        {FC_DTC_INT128, 16},  {FC_DTC_UINT128, 16}, {FC_DTC_AINT8, 0},  {FC_DTC_AUINT128, 0},
        {FC_DTC_STR, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(fc_type_size(t[i].type), t[i].size);
        assert_true(fc_type_known(t[i].type));
    }
    for (uint16_t a = FC_DTC_AINT8; a <= FC_DTC_AUINT128; a++)
        assert_true(fc_type_known(a));
    assert_false(fc_type_known(FC_DTC_UNDEF));
}

static void test_constructors(void **state)
{
    (void)state;
    fc_value v;

    v = fc_value_uint(FC_DTC_UINT8, 0x1FF);
    assert_true(v.u.u == 0xFF);
    v = fc_value_int(FC_DTC_INT8, 200);
    assert_true(v.u.i == -56);
    v = fc_value_int(FC_DTC_UINT16, -1);
    assert_true(v.u.u == 0xFFFF);
    v = fc_value_uint(FC_DTC_INT32, 0x80000000u);
    assert_true(v.u.i == INT32_MIN);
    v = fc_value_uint(FC_DTC_UINT64, UINT64_MAX);
    assert_true(v.u.u == UINT64_MAX);
    v = fc_value_int(FC_DTC_INT128, -1);
    assert_true(v.u.x.lo == UINT64_MAX && v.u.x.hi == UINT64_MAX);
    v = fc_value_int(FC_DTC_INT128, 5);
    assert_true(v.u.x.lo == 5 && v.u.x.hi == 0);
    v = fc_value_uint(FC_DTC_UINT128, UINT64_MAX);
    assert_true(v.u.x.lo == UINT64_MAX && v.u.x.hi == 0);
    v = fc_value_uint(FC_DTC_AUINT8, 7);
    assert_int_equal(v.type, FC_DTC_AUINT8);
    assert_int_equal(v.u.a.count, 0);
    assert_null(v.u.a.v);

    fy_mem_fail_after(0);
    memset(&v, 0xA5, sizeof v);
    assert_int_equal(fc_value_str(&v, "x"), FERRY_ENOMEM);
    assert_int_equal(fy_mem_fail_after(-1), 1);
    ct_assert_zero(&v, sizeof v);
}

static void test_write_truncates(void **state)
{
    (void)state;
    fc_value v;
    fc_wr w;

    /* a scalar built by hand with bits beyond its width */
    memset(&v, 0, sizeof v);
    v.type = FC_DTC_UINT8;
    v.u.u = 0x1FF;
    fc_wr_init(&w);
    assert_int_equal(fc_wr_value(&w, &v), 0);
    CT_ASSERT_BYTES(w.buf, w.len, ((const uint8_t[]){0xFF}));
    fc_value u8 = fc_value_uint(FC_DTC_UINT8, 0xFF);
    assert_true(fc_value_equal(&v, &u8));

    /* array elements as well */
    static const uint64_t e[] = {0x12345, UINT64_MAX};
    v = arr(FC_DTC_AUINT16, 2, e);
    fc_wr_reset(&w);
    assert_int_equal(fc_wr_value(&w, &v), 0);
    CT_ASSERT_BYTES(w.buf, w.len, ((const uint8_t[]){2, 0, 0, 0, 0x45, 0x23, 0xFF, 0xFF}));

    /* count without elements */
    v = arr(FC_DTC_AUINT16, 2, NULL);
    fc_wr_reset(&w);
    assert_int_equal(fc_wr_value(&w, &v), FERRY_EINVAL);
    assert_int_equal(w.len, 0);

    /* a NULL string is written as "" */
    memset(&v, 0, sizeof v);
    v.type = FC_DTC_STR;
    fc_wr_reset(&w);
    assert_int_equal(fc_wr_value(&w, &v), 0);
    CT_ASSERT_BYTES(w.buf, w.len, ((const uint8_t[]){0}));

    /* an invalid string is refused */
    v.u.str = (char *)"\xFF";
    fc_wr_reset(&w);
    assert_int_equal(fc_wr_value(&w, &v), FERRY_EBADNAME);
    assert_int_equal(w.len, 0);
    fc_wr_free(&w);
}

static void test_equal(void **state)
{
    (void)state;
    fc_value a, b;

    a = fc_value_uint(FC_DTC_UINT16, 5);
    b = fc_value_uint(FC_DTC_UINT32, 5);
    assert_false(fc_value_equal(&a, &b));
    b = fc_value_uint(FC_DTC_UINT16, 6);
    assert_false(fc_value_equal(&a, &b));
    b = fc_value_uint(FC_DTC_UINT16, 5);
    assert_true(fc_value_equal(&a, &b));

    a = fc_value_int(FC_DTC_INT16, -1);
    b.type = FC_DTC_INT16;
    b.u.u = 0xFFFF; /* not sign-extended: same on the wire */
    assert_true(fc_value_equal(&a, &b));

    a = u128v(FC_DTC_UINT128, 1, 2);
    b = u128v(FC_DTC_UINT128, 1, 3);
    assert_false(fc_value_equal(&a, &b));
    b = u128v(FC_DTC_UINT128, 1, 2);
    assert_true(fc_value_equal(&a, &b));

    memset(&a, 0, sizeof a);
    a.type = FC_DTC_STR; /* NULL string */
    assert_int_equal(fc_value_str(&b, ""), 0);
    assert_true(fc_value_equal(&a, &b));
    fc_value_free(&b);
    assert_int_equal(fc_value_str(&b, "x"), 0);
    assert_false(fc_value_equal(&a, &b));
    fc_value_free(&b);

    static const uint64_t e1[] = {1, 2, 3}, e2[] = {1, 2, 4};
    a = arr(FC_DTC_AUINT32, 3, e1);
    b = arr(FC_DTC_AUINT32, 3, e2);
    assert_false(fc_value_equal(&a, &b));
    b = arr(FC_DTC_AUINT32, 2, e1);
    assert_false(fc_value_equal(&a, &b));
    b = arr(FC_DTC_AUINT32, 3, e1);
    assert_true(fc_value_equal(&a, &b));
    static const fc_u128 x1[] = {{1, 2}}, x2[] = {{1, 3}};
    a = arr(FC_DTC_AINT128, 1, x1);
    b = arr(FC_DTC_AINT128, 1, x2);
    assert_false(fc_value_equal(&a, &b));

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_true(fc_value_equal(&a, &b)); /* two UNDEF */
}

static void test_copy_free(void **state)
{
    (void)state;
    static const uint64_t e[] = {1, (uint64_t)-2, 3};
    static const fc_u128 x[] = {{1, 2}, {3, 4}};
    fc_value src[6], dst;

    src[0] = fc_value_int(FC_DTC_INT64, -7);
    assert_int_equal(fc_value_str(&src[1], "h\xC3\xA9llo"), 0);
    src[2] = arr(FC_DTC_AINT16, 3, e);
    src[3] = arr(FC_DTC_AUINT128, 2, x);
    src[4] = arr(FC_DTC_AUINT8, 0, NULL);
    memset(&src[5], 0, sizeof src[5]); /* UNDEF */

    for (size_t i = 0; i < 6; i++) {
        /* every allocation failure: ENOMEM, dst empty */
        for (long n = 0;; n++) {
            memset(&dst, 0xA5, sizeof dst);
            fy_mem_fail_after(n);
            int rc = fc_value_copy(&dst, &src[i]);
            if (!fy_mem_fail_after(-1)) {
                assert_int_equal(rc, 0);
                break;
            }
            assert_int_equal(rc, FERRY_ENOMEM);
            ct_assert_zero(&dst, sizeof dst);
        }
        assert_true(fc_value_equal(&dst, &src[i]));
        if (i == 1)
            assert_ptr_not_equal(dst.u.str, src[1].u.str);
        if (i == 2 || i == 3)
            assert_ptr_not_equal(dst.u.a.v, src[i].u.a.v);
        fc_value_free(&dst);
        ct_assert_zero(&dst, sizeof dst);
        fc_value_free(&dst); /* freeing an emptied value again is harmless */
    }
    fc_value_free(&src[1]);
    fc_value_free(NULL);

    /* things that cannot be copied */
    fc_value bad = fc_value_uint(0x000B, 1);
    assert_int_equal(fc_value_copy(&dst, &bad), FERRY_EINVAL);
    bad = arr(FC_DTC_AUINT8, 3, NULL);
    assert_int_equal(fc_value_copy(&dst, &bad), FERRY_EINVAL);
    ct_assert_zero(&dst, sizeof dst);
}

/* Every type through the generic checks once more with values near the
 * limits, including a long array. */
static void test_round_trip_every_type(void **state)
{
    (void)state;
    fc_wr w;
    fc_wr_init(&w);
    for (uint16_t t = FC_DTC_AINT8; t <= FC_DTC_AUINT128; t++) {
        size_t es = fc_type_size((uint16_t)(t & 0xFF));
        uint32_t n = 1000;
        fc_value v;
        memset(&v, 0, sizeof v);
        v.type = t;
        v.u.a.count = n;
        if (es == 16) {
            fc_u128 *x = fy_malloc(n * sizeof *x);
            assert_non_null(x);
            for (uint32_t i = 0; i < n; i++) {
                x[i].lo = i * UINT64_C(0x9E3779B97F4A7C15);
                x[i].hi = ~x[i].lo;
            }
            v.u.a.v = x;
        } else {
            uint64_t *x = fy_malloc(n * sizeof *x);
            assert_non_null(x);
            for (uint32_t i = 0; i < n; i++)
                x[i] = fc_value_uint((uint16_t)(t & 0xFF), i * UINT64_C(0x9E3779B97F4A7C15)).u.u;
            v.u.a.v = x;
        }
        fc_wr_reset(&w);
        assert_int_equal(ct_value.encode(&v, &w), 0);
        assert_int_equal(w.len, 2 + 4 + n * es);
        ct_check_golden(&ct_value, w.buf, w.len, &v);
        ct_check_decode_enomem(&ct_value, w.buf, w.len);
        fc_value_free(&v);
    }
    for (uint16_t t = FC_DTC_INT8; t <= FC_DTC_UINT128; t++) {
        fc_value v = fc_value_int(t, INT64_MIN + 12345);
        fc_wr_reset(&w);
        assert_int_equal(ct_value.encode(&v, &w), 0);
        assert_int_equal(w.len, 2 + fc_type_size(t));
        ct_check_golden(&ct_value, w.buf, w.len, &v);
        ct_check_truncations(&ct_value, w.buf, w.len);
    }
    fc_wr_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_golden),
        cmocka_unit_test(test_scalars_decoded),
        cmocka_unit_test(test_arrays_golden),
        cmocka_unit_test(test_arrays_oversized),
        cmocka_unit_test(test_unknown_types),
        cmocka_unit_test(test_type_tables),
        cmocka_unit_test(test_constructors),
        cmocka_unit_test(test_write_truncates),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_copy_free),
        cmocka_unit_test(test_round_trip_every_type),
    };
    return cmocka_run_group_tests_name("codec-value", tests, NULL, NULL);
}
