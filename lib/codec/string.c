/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PTP strings (PIMA 15740 5.3.4): a u8 NumChars that counts the
 * terminating NUL, then NumChars UCS-2 little-endian code units. ferry
 * keeps strings as UTF-8 and converts at the wire; characters beyond the
 * BMP travel as UTF-16 surrogate pairs (what MTP devices do in practice).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/internal.h"
#include "util/mem.h"

/* Most UTF-16 units in a PTP string, the NUL not counted: NumChars is a
 * u8 and includes the NUL, and 255 is kept back as in PTP 5.3.4. */
#define STR_MAX_UNITS 254

static int is_high_surrogate(uint32_t c)
{
    return c >= 0xD800 && c <= 0xDBFF;
}

static int is_low_surrogate(uint32_t c)
{
    return c >= 0xDC00 && c <= 0xDFFF;
}

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Decodes the UTF-8 sequence at s (NUL-terminated, s[0] != 0). Returns its
 * length 1..4 and the code point, or 0 when the sequence is invalid:
 * a stray continuation byte, a lead byte over 0xF4, a sequence cut short
 * (the terminating NUL is not a continuation byte, so nothing is read past
 * it), an overlong form, a UTF-16 surrogate, or a value over U+10FFFF. */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    uint32_t v, min;
    int n;

    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0; /* continuation byte, C0/C1 (always overlong), F5..FF */
    }
    for (int i = 1; i < n; i++) {
        if (!is_cont(s[i]))
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || is_high_surrogate(v) || is_low_surrogate(v))
        return 0;
    *cp = v;
    return n;
}

long fc_str_utf16_len(const char *utf8)
{
    const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
    long units = 0;

    /* The whole string is checked, so invalid UTF-8 is reported as such
     * even when it is also too long. */
    while (*s) {
        uint32_t cp;
        int n = utf8_next(s, &cp);
        if (n == 0)
            return FERRY_EBADNAME;
        if (units <= STR_MAX_UNITS)
            units += cp >= 0x10000 ? 2 : 1;
        s += n;
    }
    if (units > STR_MAX_UNITS)
        return FERRY_ENAMETOOLONG;
    return units;
}

int fc_str_check(const char *utf8)
{
    long n = fc_str_utf16_len(utf8);
    return n < 0 ? (int)n : 0;
}

int fc_wr_str(fc_wr *w, const char *utf8)
{
    if (w->err)
        return w->err;

    long units = fc_str_utf16_len(utf8);
    if (units < 0)
        return fc_wr_fail(w, (int)units);
    if (units == 0)
        return fc_wr_u8(w, 0);

    /* NumChars, the units, the NUL */
    if (fc_wr_reserve(w, 1 + 2 * ((size_t)units + 1)) < 0)
        return w->err;
    uint8_t *p = w->buf + w->len;
    *p++ = (uint8_t)(units + 1);

    const unsigned char *s = (const unsigned char *)utf8;
    while (*s) {
        uint32_t cp;
        s += utf8_next(s, &cp); /* valid: checked above */
        if (cp >= 0x10000) {
            cp -= 0x10000;
            fc_st16(p, (uint16_t)(0xD800 | cp >> 10));
            fc_st16(p + 2, (uint16_t)(0xDC00 | (cp & 0x3FF)));
            p += 4;
        } else {
            fc_st16(p, (uint16_t)cp);
            p += 2;
        }
    }
    fc_st16(p, 0);
    p += 2;
    w->len = (size_t)(p - w->buf);
    return 0;
}

/* Appends the UTF-8 form of cp (a valid scalar value) at d; returns the
 * new end. */
static char *utf8_put(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        *d++ = (char)cp;
    } else if (cp < 0x800) {
        *d++ = (char)(0xC0 | cp >> 6);
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xE0 | cp >> 12);
        *d++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (char)(0xF0 | cp >> 18);
        *d++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *d++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    }
    return d;
}

/* Walks the n UTF-16 units at u. Checks them (pairs, NUL only as
 * terminator or padding) and returns the UTF-8 length, or -1 when they are
 * malformed. With d != NULL also writes the UTF-8 bytes there. */
static long utf16_walk(const uint8_t *u, size_t n, char *d)
{
    long len = 0;
    size_t i = 0;

    for (; i < n; i++) {
        uint32_t c = fc_ld16(u + 2 * i);
        if (c == 0)
            break;
        if (is_low_surrogate(c))
            return -1;
        if (is_high_surrogate(c)) {
            if (i + 1 >= n)
                return -1;
            uint32_t lo = fc_ld16(u + 2 * (i + 1));
            if (!is_low_surrogate(lo))
                return -1;
            c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
            i++;
        }
        len += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (d)
            d = utf8_put(d, c);
    }
    /* after the terminator only NUL padding may follow */
    for (; i < n; i++) {
        if (fc_ld16(u + 2 * i) != 0)
            return -1;
    }
    if (d)
        *d = '\0';
    return len;
}

int fc_rd_str(fc_rd *r, char **out)
{
    size_t save = r->off;
    uint8_t n;

    *out = NULL;
    if (fc_rd_u8(r, &n) < 0)
        return FERRY_EPROTO;
    if (fc_rd_left(r) < 2 * (size_t)n) {
        r->off = save;
        return FERRY_EPROTO;
    }

    const uint8_t *u = r->p + r->off;
    long len = utf16_walk(u, n, NULL);
    if (len < 0) {
        r->off = save;
        return FERRY_EPROTO;
    }
    char *s = fy_malloc((size_t)len + 1);
    if (!s) {
        r->off = save;
        return FERRY_ENOMEM;
    }
    utf16_walk(u, n, s);
    r->off += 2 * (size_t)n;
    *out = s;
    return 0;
}
