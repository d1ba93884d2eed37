/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PTP strings: UCS-2/UTF-16LE on the wire, UTF-8 in ferry (string.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec-test.h"

/* Golden strings: the PTP bytes and the UTF-8 they stand for. */
static void test_golden(void **state)
{
    (void)state;
    static const uint8_t empty[] = {0x00}; /* NumChars 0 */
    static const uint8_t hi[] = {
        0x03,       /* NumChars: 2 characters + NUL */
        0x48, 0x00, /* 'H' */
        0x69, 0x00, /* 'i' */
        0x00, 0x00, /* NUL */
    };
    static const uint8_t bmp[] = {
        0x04,       /* NumChars */
        0xE9, 0x00, /* U+00E9 e acute: 2 UTF-8 bytes */
        0xAC, 0x20, /* U+20AC euro sign: 3 UTF-8 bytes */
        0xFD, 0xFF, /* U+FFFD replacement character */
        0x00, 0x00,
    };
    static const uint8_t pair[] = {
        0x04,       /* NumChars: 'a', a surrogate pair, NUL */
        0x61, 0x00, /* 'a' */
        0x3D, 0xD8, /* U+1F600 high surrogate 0xD83D */
        0x00, 0xDE, /* low surrogate 0xDE00 */
        0x00, 0x00,
    };
    static const uint8_t last[] = {
        0x03,
        0xFF, 0xDB, /* U+10FFFF: 0xDBFF 0xDFFF */
        0xFF, 0xDF,
        0x00, 0x00,
    };
    const char *e_empty = "", *e_hi = "Hi", *e_bmp = "\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBD",
         *e_pair = "a\xF0\x9F\x98\x80", *e_last = "\xF4\x8F\xBF\xBF";

    CT_CHECK_ALL(&ct_string, empty, &e_empty);
    CT_CHECK_ALL(&ct_string, hi, &e_hi);
    CT_CHECK_ALL(&ct_string, bmp, &e_bmp);
    CT_CHECK_ALL(&ct_string, pair, &e_pair);
    CT_CHECK_ALL(&ct_string, last, &e_last);

    /* NULL encodes like "" */
    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_wr_str(&w, NULL), 0);
    CT_ASSERT_BYTES(w.buf, w.len, empty);
    fc_wr_free(&w);

    /* NumChars 0 still gives an allocated "" */
    fc_rd r;
    char *s = NULL;
    fc_rd_init(&r, empty, 1);
    assert_int_equal(fc_rd_str(&r, &s), 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(r.off, 1);
    fy_free(s);
}

static char *decode_ok(const uint8_t *b, size_t len, size_t expect_off)
{
    fc_rd r;
    char *s = NULL;
    fc_rd_init(&r, b, len);
    assert_int_equal(fc_rd_str(&r, &s), 0);
    assert_non_null(s);
    assert_int_equal(r.off, expect_off);
    return s;
}

/* Accepted although not canonical: seen on real devices. */
static void test_lenient(void **state)
{
    (void)state;
    /* no terminator */
    static const uint8_t noterm[] = {0x02, 0x48, 0x00, 0x69, 0x00, 0xAA};
    /* NUL padding after the terminator */
    static const uint8_t padded[] = {0x05, 0x48, 0x00, 0x69, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x00, 0x00, 0xAA};
    /* only a terminator */
    static const uint8_t only_nul[] = {0x01, 0x00, 0x00};
    char *s;

    s = decode_ok(noterm, sizeof noterm, 5);
    assert_string_equal(s, "Hi");
    fy_free(s);
    s = decode_ok(padded, sizeof padded, 11);
    assert_string_equal(s, "Hi");
    fy_free(s);
    s = decode_ok(only_nul, sizeof only_nul, 3);
    assert_string_equal(s, "");
    fy_free(s);
}

static void test_malformed(void **state)
{
    (void)state;
    /* NUL followed by a character */
    static const uint8_t embedded_nul[] = {0x04, 0x48, 0x00, 0x00, 0x00, 0x69, 0x00, 0x00, 0x00};
    /* high surrogate as the last unit (no terminator) */
    static const uint8_t high_at_end[] = {0x02, 0x61, 0x00, 0x3D, 0xD8};
    /* high surrogate followed by the terminator */
    static const uint8_t high_then_nul[] = {0x03, 0x61, 0x00, 0x3D, 0xD8, 0x00, 0x00};
    /* high surrogate followed by a letter */
    static const uint8_t high_then_a[] = {0x03, 0x3D, 0xD8, 0x41, 0x00, 0x00, 0x00};
    /* two high surrogates */
    static const uint8_t high_high[] = {0x03, 0x3D, 0xD8, 0x3D, 0xD8, 0x00, 0x00};
    /* lone low surrogate */
    static const uint8_t lone_low[] = {0x02, 0x00, 0xDE, 0x00, 0x00};
    /* low before high */
    static const uint8_t reversed[] = {0x03, 0x00, 0xDE, 0x3D, 0xD8, 0x00, 0x00};
    /* NumChars larger than the bytes */
    static const uint8_t short_units[] = {0x03, 0x48, 0x00, 0x69, 0x00, 0x00};
    static const uint8_t max_count[] = {0xFF, 0x48, 0x00};

    CT_CHECK_ERROR(&ct_string, embedded_nul, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_string, high_at_end, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_string, high_then_nul, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_string, high_then_a, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_string, high_high, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_string, lone_low, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_string, reversed, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_string, short_units, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_string, max_count, FERRY_EPROTO);

    /* the cursor stays put on error, and nothing is allocated */
    unsigned long before = fy_mem_count();
    fc_rd r;
    char *s = (char *)"x";
    fc_rd_init(&r, embedded_nul, sizeof embedded_nul);
    assert_int_equal(fc_rd_str(&r, &s), FERRY_EPROTO);
    assert_null(s);
    assert_int_equal(r.off, 0);
    assert_int_equal(fy_mem_count(), before);
}

static void check_bad_utf8(const char *s)
{
    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_wr_u8(&w, 0x77), 0);
    if (fc_wr_str(&w, s) != FERRY_EBADNAME) {
        print_error("UTF-8 string not refused:");
        for (const char *p = s; *p; p++)
            print_error(" %02X", (unsigned char)*p);
        print_error("\n");
        fail();
    }
    assert_int_equal(w.err, FERRY_EBADNAME);
    assert_int_equal(w.len, 1); /* nothing written */
    assert_int_equal(fc_str_check(s), FERRY_EBADNAME);
    assert_int_equal(fc_str_utf16_len(s), FERRY_EBADNAME);
    fc_wr_free(&w);
}

static void test_encode_bad_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\x80",                 /* stray continuation byte */
        "a\xBF" "b",            /* stray continuation byte inside */
        "\xC0\x80",             /* overlong NUL */
        "\xC1\xBF",             /* overlong U+007F */
        "\xE0\x80\xAF",         /* overlong '/' */
        "\xE0\x9F\xBF",         /* overlong U+07FF */
        "\xF0\x8F\xBF\xBF",     /* overlong U+FFFF */
        "\xED\xA0\x80",         /* encoded surrogate U+D800 */
        "\xED\xBF\xBF",         /* encoded surrogate U+DFFF */
        "\xED\xA0\xBD\xED\xB8\x80", /* CESU-8 style pair */
        "\xF4\x90\x80\x80",     /* U+110000 */
        "\xF5\x80\x80\x80",     /* lead byte over F4 */
        "\xF8\x88\x80\x80\x80", /* 5-byte form */
        "\xFE",
        "\xFF",
        "\xC3",                 /* truncated 2-byte */
        "\xE2\x82",             /* truncated 3-byte */
        "a\xF0\x9F\x98",        /* truncated 4-byte at the end */
        "\xF0\x9F\x98" "a",     /* truncated 4-byte followed by ASCII */
        "\xC3\x28",             /* bad continuation */
        "\xE2\x28\xA1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_bad_utf8(bad[i]);
}

/* Boundary code points that are valid. */
static void test_encode_utf8_edges(void **state)
{
    (void)state;
    static const struct {
        const char *utf8;
        uint16_t u[2];
        int n;
    } ok[] = {
        {"\x7F", {0x007F}, 1},
        {"\xC2\x80", {0x0080}, 1},
        {"\xDF\xBF", {0x07FF}, 1},
        {"\xE0\xA0\x80", {0x0800}, 1},
        {"\xED\x9F\xBF", {0xD7FF}, 1},
        {"\xEE\x80\x80", {0xE000}, 1},
        {"\xEF\xBF\xBF", {0xFFFF}, 1},
        {"\xF0\x90\x80\x80", {0xD800, 0xDC00}, 2},
        {"\xF4\x8F\xBF\xBF", {0xDBFF, 0xDFFF}, 2},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint8_t exp[8];
        size_t n = 0;
        exp[n++] = (uint8_t)(ok[i].n + 1);
        for (int k = 0; k < ok[i].n; k++) {
            exp[n++] = (uint8_t)ok[i].u[k];
            exp[n++] = (uint8_t)(ok[i].u[k] >> 8);
        }
        exp[n++] = 0;
        exp[n++] = 0;
        fc_wr w;
        fc_wr_init(&w);
        assert_int_equal(fc_wr_str(&w, ok[i].utf8), 0);
        ct_assert_bytes(w.buf, w.len, exp, n);
        assert_int_equal(fc_str_utf16_len(ok[i].utf8), ok[i].n);

        fc_rd r;
        char *s;
        fc_rd_init(&r, w.buf, w.len);
        assert_int_equal(fc_rd_str(&r, &s), 0);
        assert_string_equal(s, ok[i].utf8);
        fy_free(s);
        fc_wr_free(&w);
    }
}

static char *repeat(const char *unit, size_t times, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * times + tl + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * times, tail, tl + 1);
    return s;
}

static void test_length_limit(void **state)
{
    (void)state;
    static const char *const emoji = "\xF0\x9F\x98\x80"; /* 2 UTF-16 units */
    fc_wr w;
    char *s;

    /* 254 units: NumChars 255 */
    s = repeat("a", 254, "");
    assert_int_equal(fc_str_utf16_len(s), 254);
    assert_int_equal(fc_str_check(s), 0);
    fc_wr_init(&w);
    assert_int_equal(fc_wr_str(&w, s), 0);
    assert_int_equal(w.len, 1 + 255 * 2);
    assert_int_equal(w.buf[0], 0xFF);
    assert_int_equal(w.buf[1], 'a');
    assert_int_equal(w.buf[2], 0);
    assert_int_equal(w.buf[w.len - 2], 0);
    assert_int_equal(w.buf[w.len - 1], 0);
    char *back;
    fc_rd r;
    fc_rd_init(&r, w.buf, w.len);
    assert_int_equal(fc_rd_str(&r, &back), 0);
    assert_string_equal(back, s);
    fy_free(back);
    fc_wr_free(&w);
    free(s);

    /* 255 units: too long, nothing written */
    s = repeat("a", 255, "");
    assert_int_equal(fc_str_utf16_len(s), FERRY_ENAMETOOLONG);
    assert_int_equal(fc_str_check(s), FERRY_ENAMETOOLONG);
    fc_wr_init(&w);
    assert_int_equal(fc_wr_str(&w, s), FERRY_ENAMETOOLONG);
    assert_int_equal(w.len, 0);
    assert_int_equal(w.err, FERRY_ENAMETOOLONG);
    fc_wr_free(&w);
    free(s);

    /* surrogate pairs count twice: 127 pairs fit, one more unit does not */
    s = repeat(emoji, 127, "");
    assert_int_equal(fc_str_utf16_len(s), 254);
    free(s);
    s = repeat(emoji, 127, "a");
    assert_int_equal(fc_str_utf16_len(s), FERRY_ENAMETOOLONG);
    free(s);
    /* 126 pairs + two BMP characters of 2 and 3 UTF-8 bytes = 254 units */
    s = repeat(emoji, 126, "\xC3\xA9\xE2\x82\xAC");
    assert_int_equal(fc_str_utf16_len(s), 254);
    free(s);

    /* invalid UTF-8 wins over too long */
    s = repeat("a", 300, "\xFF");
    assert_int_equal(fc_str_check(s), FERRY_EBADNAME);
    free(s);

    /* a very long string is still only counted */
    s = repeat("abcdefgh", 100000, "");
    assert_int_equal(fc_str_check(s), FERRY_ENAMETOOLONG);
    free(s);

    assert_int_equal(fc_str_utf16_len(NULL), 0);
    assert_int_equal(fc_str_utf16_len(""), 0);
    assert_int_equal(fc_str_check(NULL), 0);
    assert_int_equal(fc_str_utf16_len("a\xF0\x9F\x98\x80\xC3\xA9"), 4);
}

/* 255 units without a terminator decode (lenient) but cannot be sent
 * back: the encoder needs room for the NUL. */
static void test_unterminated_max(void **state)
{
    (void)state;
    uint8_t b[1 + 255 * 2];
    b[0] = 0xFF;
    for (int i = 0; i < 255; i++) {
        b[1 + 2 * i] = 'z';
        b[2 + 2 * i] = 0;
    }
    char *s = decode_ok(b, sizeof b, sizeof b);
    assert_int_equal(strlen(s), 255);
    assert_int_equal(fc_str_check(s), FERRY_ENAMETOOLONG);
    fy_free(s);
}

/* Every BMP code point (but surrogates) and a sample of the others
 * survive PTP -> UTF-8 -> PTP unchanged. */
static void test_all_code_points(void **state)
{
    (void)state;
    fc_wr w;
    fc_wr_init(&w);
    for (uint32_t cp = 1; cp <= 0x10FFFF; cp += cp < 0x10000 ? 1 : 13) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        uint8_t b[7];
        size_t n;
        if (cp < 0x10000) {
            uint8_t t[] = {0x02, (uint8_t)cp, (uint8_t)(cp >> 8), 0, 0};
            memcpy(b, t, sizeof t);
            n = sizeof t;
        } else {
            uint32_t v = cp - 0x10000;
            uint16_t hi = (uint16_t)(0xD800 | v >> 10), lo = (uint16_t)(0xDC00 | (v & 0x3FF));
            uint8_t t[] = {0x03, (uint8_t)hi, (uint8_t)(hi >> 8), (uint8_t)lo, (uint8_t)(lo >> 8),
                           0, 0};
            memcpy(b, t, sizeof t);
            n = sizeof t;
        }
        fc_rd r;
        char *s;
        fc_rd_init(&r, b, n);
        assert_int_equal(fc_rd_str(&r, &s), 0);
        size_t ul = strlen(s);
        assert_int_equal(ul, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
        fc_wr_reset(&w);
        assert_int_equal(fc_wr_str(&w, s), 0);
        ct_assert_bytes(w.buf, w.len, b, n);
        fy_free(s);
    }
    fc_wr_free(&w);
}

static void test_enomem(void **state)
{
    (void)state;
    static const uint8_t pair[] = {0x04, 0x61, 0x00, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0x00};
    assert_int_equal(ct_check_decode_enomem(&ct_string, pair, sizeof pair), 1);

    /* the cursor stays put when the allocation fails */
    fc_rd r;
    char *s = (char *)"x";
    fc_rd_init(&r, pair, sizeof pair);
    fy_mem_fail_after(0);
    assert_int_equal(fc_rd_str(&r, &s), FERRY_ENOMEM);
    assert_int_equal(fy_mem_fail_after(-1), 1);
    assert_null(s);
    assert_int_equal(r.off, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_lenient),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_encode_bad_utf8),
        cmocka_unit_test(test_encode_utf8_edges),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_unterminated_max),
        cmocka_unit_test(test_all_code_points),
        cmocka_unit_test(test_enomem),
    };
    return cmocka_run_group_tests_name("codec-string", tests, NULL, NULL);
}
