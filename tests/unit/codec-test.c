/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec-test.h"

/* ------------------------------------------------------------------ */
/* The decoders behind a common signature                               */
/* ------------------------------------------------------------------ */

#define DATASET_CODEC(var, type, dec, enc, fre, eq)                            \
    static int var##_dec(const void *b, size_t l, void *o)                     \
    {                                                                          \
        return dec(b, l, (type *)o);                                           \
    }                                                                          \
    static void var##_free(void *o)                                            \
    {                                                                          \
        fre((type *)o);                                                        \
    }                                                                          \
    static int var##_enc(const void *i, fc_wr *w)                              \
    {                                                                          \
        return enc((const type *)i, w);                                        \
    }                                                                          \
    static bool var##_eq(const void *a, const void *b)                         \
    {                                                                          \
        return eq((const type *)a, (const type *)b);                           \
    }                                                                          \
    const ct_codec var = {#type, sizeof(type), var##_dec, var##_free, var##_enc, var##_eq};

DATASET_CODEC(ct_device_info, fc_device_info, fc_device_info_decode, fc_device_info_encode,
              fc_device_info_free, ceq_device_info)
DATASET_CODEC(ct_storage_info, fc_storage_info, fc_storage_info_decode,
              fc_storage_info_encode, fc_storage_info_free, ceq_storage_info)
DATASET_CODEC(ct_object_info, fc_object_info, fc_object_info_decode, fc_object_info_encode,
              fc_object_info_free, ceq_object_info)
DATASET_CODEC(ct_proplist, fc_proplist, fc_proplist_decode, fc_proplist_encode,
              fc_proplist_free, ceq_proplist)
DATASET_CODEC(ct_objprop_desc, fc_prop_desc, fc_objprop_desc_decode, fc_objprop_desc_encode,
              fc_prop_desc_free, ceq_prop_desc)
DATASET_CODEC(ct_devprop_desc, fc_prop_desc, fc_devprop_desc_decode, fc_devprop_desc_encode,
              fc_prop_desc_free, ceq_prop_desc)

static int u16_array_dec(const void *b, size_t l, void *o)
{
    ct_array *a = o;
    uint16_t *v;
    memset(a, 0, sizeof *a); /* padding too */
    int rc = fc_u16_array_decode(b, l, &v, &a->count);
    a->v = v;
    return rc;
}

static int u32_array_dec(const void *b, size_t l, void *o)
{
    ct_array *a = o;
    uint32_t *v;
    memset(a, 0, sizeof *a); /* padding too */
    int rc = fc_u32_array_decode(b, l, &v, &a->count);
    a->v = v;
    return rc;
}

static void array_free(void *o)
{
    ct_array *a = o;
    fy_free(a->v);
    memset(a, 0, sizeof *a);
}

static int u16_array_enc(const void *i, fc_wr *w)
{
    const ct_array *a = i;
    return fc_wr_au16(w, a->v, a->count);
}

static int u32_array_enc(const void *i, fc_wr *w)
{
    const ct_array *a = i;
    return fc_wr_au32(w, a->v, a->count);
}

static bool u16_array_eq(const void *x, const void *y)
{
    const ct_array *a = x, *b = y;
    return a->count == b->count &&
           (a->count == 0 || memcmp(a->v, b->v, a->count * sizeof(uint16_t)) == 0);
}

static bool u32_array_eq(const void *x, const void *y)
{
    const ct_array *a = x, *b = y;
    return a->count == b->count &&
           (a->count == 0 || memcmp(a->v, b->v, a->count * sizeof(uint32_t)) == 0);
}

const ct_codec ct_u16_array = {"u16 array",  sizeof(ct_array), u16_array_dec,
                               array_free,   u16_array_enc,    u16_array_eq};
const ct_codec ct_u32_array = {"u32 array",  sizeof(ct_array), u32_array_dec,
                               array_free,   u32_array_enc,    u32_array_eq};

static int string_dec(const void *b, size_t l, void *o)
{
    fc_rd r;
    fc_rd_init(&r, b, l);
    return fc_rd_str(&r, (char **)o);
}

static void string_free(void *o)
{
    char **s = o;
    fy_free(*s);
    *s = NULL;
}

static int string_enc(const void *i, fc_wr *w)
{
    return fc_wr_str(w, *(char *const *)i);
}

static bool string_eq(const void *a, const void *b)
{
    return ceq_str(*(char *const *)a, *(char *const *)b);
}

const ct_codec ct_string = {"string",   sizeof(char *), string_dec,
                            string_free, string_enc,    string_eq};

static int value_dec(const void *b, size_t l, void *o)
{
    fc_value *v = o;
    uint16_t type;
    fc_rd r;

    fc_rd_init(&r, b, l);
    if (fc_rd_u16(&r, &type) < 0) {
        memset(v, 0, sizeof *v);
        return FERRY_EPROTO;
    }
    return fc_rd_value(&r, type, v);
}

static void value_free(void *o)
{
    fc_value_free(o);
}

static int value_enc(const void *i, fc_wr *w)
{
    const fc_value *v = i;
    size_t start = w->len;
    fc_wr_u16(w, v->type);
    if (fc_wr_value(w, v) < 0)
        w->len = start;
    return w->err;
}

static bool value_eq(const void *a, const void *b)
{
    return fc_value_equal(a, b);
}

const ct_codec ct_value = {"value",    sizeof(fc_value), value_dec,
                           value_free, value_enc,        value_eq};

/* ------------------------------------------------------------------ */
/* Checks                                                               */
/* ------------------------------------------------------------------ */

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
    print_error("%s (%zu bytes):", what, n);
    for (size_t i = 0; i < n; i++)
        print_error("%s%02X", i % 16 ? " " : "\n  ", p[i]);
    print_error("\n");
}

void ct_assert_bytes(const void *got, size_t got_len, const void *exp, size_t exp_len)
{
    if (got_len == exp_len && (exp_len == 0 || memcmp(got, exp, exp_len) == 0))
        return;
    const uint8_t *g = got, *e = exp;
    size_t i = 0;
    while (i < got_len && i < exp_len && g[i] == e[i])
        i++;
    print_error("bytes differ at offset %zu\n", i);
    hexdump("expected", e, exp_len);
    hexdump("got", g, got_len);
    fail();
}

void ct_assert_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            print_error("output byte %zu is 0x%02X after an error, not 0\n", i, b[i]);
            fail();
        }
    }
}

/* A heap copy of exactly len bytes (a valid pointer even for 0). */
static uint8_t *exact_copy(const void *buf, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, buf, len);
    return p;
}

/* An output block pre-filled with garbage, so an untouched field shows. */
static void *dirty_out(const ct_codec *c)
{
    void *o = malloc(c->size);
    assert_non_null(o);
    memset(o, 0xA5, c->size);
    return o;
}

static void check_encodes_to(const ct_codec *c, const void *in, const void *exp, size_t len)
{
    fc_wr w;
    fc_wr_init(&w);
    int rc = c->encode(in, &w);
    if (rc != 0)
        print_error("%s: encode failed: %s\n", c->name, ferry_err_name(rc));
    assert_int_equal(rc, 0);
    ct_assert_bytes(w.buf, w.len, exp, len);
    fc_wr_free(&w);
}

void ct_check_golden(const ct_codec *c, const void *buf, size_t len, const void *expected)
{
    uint8_t *copy = exact_copy(buf, len);
    void *out = dirty_out(c);

    int rc = c->decode(copy, len, out);
    if (rc != 0)
        print_error("%s: decode failed: %s\n", c->name, ferry_err_name(rc));
    assert_int_equal(rc, 0);
    if (!c->equal(out, expected)) {
        print_error("%s: decoded value differs from the expected one\n", c->name);
        fail();
    }
    check_encodes_to(c, out, buf, len);
    check_encodes_to(c, expected, buf, len);
    c->free(out);
    ct_assert_zero(out, c->size);
    free(copy);

    /* trailing bytes (vendor data) are ignored */
    uint8_t *longer = malloc(len + 7);
    assert_non_null(longer);
    memcpy(longer, buf, len);
    memcpy(longer + len, "\x01\x02\x03\x04\xFF\xFF\x00", 7);
    memset(out, 0xA5, c->size);
    assert_int_equal(c->decode(longer, len + 7, out), 0);
    assert_true(c->equal(out, expected));
    c->free(out);
    free(longer);
    free(out);
}

void ct_check_truncations(const ct_codec *c, const void *buf, size_t len)
{
    void *out = dirty_out(c);
    for (size_t l = 0; l < len; l++) {
        uint8_t *copy = exact_copy(buf, l);
        memset(out, 0xA5, c->size);
        int rc = c->decode(copy, l, out);
        if (rc != FERRY_EPROTO) {
            print_error("%s: %zu of %zu bytes gave %s, not PROTO\n", c->name, l, len,
                        ferry_err_name(rc));
            if (rc == 0)
                c->free(out);
            fail();
        }
        ct_assert_zero(out, c->size);
        free(copy);
    }
    /* and NULL with no bytes */
    memset(out, 0xA5, c->size);
    assert_int_equal(c->decode(NULL, 0, out), FERRY_EPROTO);
    ct_assert_zero(out, c->size);
    free(out);
}

/* Upper bound on allocations one decode or encode may make in a test. */
#define WALK_LIMIT 100000

unsigned ct_check_decode_enomem(const ct_codec *c, const void *buf, size_t len)
{
    uint8_t *copy = exact_copy(buf, len);
    void *out = dirty_out(c);
    unsigned n;

    for (n = 0; n < WALK_LIMIT; n++) {
        memset(out, 0xA5, c->size);
        fy_mem_fail_after((long)n);
        int rc = c->decode(copy, len, out);
        int failed = fy_mem_fail_after(-1);
        if (!failed) {
            assert_int_equal(rc, 0);
            c->free(out);
            break;
        }
        if (rc != FERRY_ENOMEM) {
            print_error("%s: allocation %u failed but decode gave %s\n", c->name, n,
                        ferry_err_name(rc));
            fail();
        }
        ct_assert_zero(out, c->size);
    }
    assert_true(n < WALK_LIMIT);
    free(out);
    free(copy);
    return n;
}

unsigned ct_check_encode_enomem(const ct_codec *c, const void *in, const void *exp,
                                size_t len)
{
    unsigned n;

    for (n = 0; n < WALK_LIMIT; n++) {
        fc_wr w;
        fc_wr_init(&w);
        fy_mem_fail_after((long)n);
        int rc = c->encode(in, &w);
        int failed = fy_mem_fail_after(-1);
        if (!failed) {
            assert_int_equal(rc, 0);
            ct_assert_bytes(w.buf, w.len, exp, len);
            fc_wr_free(&w);
            break;
        }
        assert_int_equal(rc, FERRY_ENOMEM);
        assert_int_equal(w.err, FERRY_ENOMEM);
        assert_int_equal(w.len, 0);
        /* the error is sticky */
        assert_int_equal(fc_wr_u8(&w, 1), FERRY_ENOMEM);
        assert_int_equal(w.len, 0);
        fc_wr_free(&w);
    }
    assert_true(n < WALK_LIMIT);
    return n;
}

void ct_check_all(const ct_codec *c, const void *buf, size_t len, const void *expected)
{
    ct_check_golden(c, buf, len, expected);
    ct_check_truncations(c, buf, len);
    ct_check_decode_enomem(c, buf, len);
    ct_check_encode_enomem(c, expected, buf, len);
}

void ct_check_decode_error(const ct_codec *c, const void *buf, size_t len, int err)
{
    uint8_t *copy = exact_copy(buf, len);
    void *out = dirty_out(c);
    int rc = c->decode(copy, len, out);
    if (rc != err) {
        print_error("%s: decode gave %s, expected %s\n", c->name, ferry_err_name(rc),
                    ferry_err_name(err));
        if (rc == 0)
            c->free(out);
        fail();
    }
    ct_assert_zero(out, c->size);
    free(out);
    free(copy);
}
