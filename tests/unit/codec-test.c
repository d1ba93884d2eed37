/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec-test.h"

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
