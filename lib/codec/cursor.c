/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The read cursor (bounds-checked little-endian reads) and the growable
 * write buffer with a sticky error.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/internal.h"
#include "util/mem.h"

/* ------------------------------------------------------------------ */
/* Reading                                                              */
/* ------------------------------------------------------------------ */

/* Pointer to the next n bytes, advancing the cursor, or NULL (cursor
 * unchanged) when fewer remain. */
static const uint8_t *rd_take(fc_rd *r, size_t n)
{
    if (fc_rd_left(r) < n)
        return NULL;
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

int fc_rd_u8(fc_rd *r, uint8_t *v)
{
    const uint8_t *p = rd_take(r, 1);
    if (!p)
        return FERRY_EPROTO;
    *v = p[0];
    return 0;
}

int fc_rd_u16(fc_rd *r, uint16_t *v)
{
    const uint8_t *p = rd_take(r, 2);
    if (!p)
        return FERRY_EPROTO;
    *v = fc_ld16(p);
    return 0;
}

int fc_rd_u32(fc_rd *r, uint32_t *v)
{
    const uint8_t *p = rd_take(r, 4);
    if (!p)
        return FERRY_EPROTO;
    *v = fc_ld32(p);
    return 0;
}

int fc_rd_u64(fc_rd *r, uint64_t *v)
{
    const uint8_t *p = rd_take(r, 8);
    if (!p)
        return FERRY_EPROTO;
    *v = fc_ld64(p);
    return 0;
}

int fc_rd_u128(fc_rd *r, fc_u128 *v)
{
    const uint8_t *p = rd_take(r, 16);
    if (!p)
        return FERRY_EPROTO;
    v->lo = fc_ld64(p);
    v->hi = fc_ld64(p + 8);
    return 0;
}

int fc_rd_skip(fc_rd *r, size_t n)
{
    return rd_take(r, n) ? 0 : FERRY_EPROTO;
}

/* u32 count, then count elements of esize (2 or 4) bytes, widened into a
 * new array of the same element size. */
static int rd_array(fc_rd *r, size_t esize, void **out, uint32_t *count)
{
    size_t save = r->off;
    uint32_t n;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = fc_rd_u32(r, &n)) < 0)
        return rc;
    /* n * esize <= left, checked without multiplying */
    if (n > fc_rd_left(r) / esize) {
        r->off = save;
        return FERRY_EPROTO;
    }
    if (n == 0)
        return 0;

    void *a = fy_malloc((size_t)n * esize);
    if (!a) {
        r->off = save;
        return FERRY_ENOMEM;
    }
    const uint8_t *p = r->p + r->off; /* n * esize bytes, checked above */
    for (uint32_t i = 0; i < n; i++) {
        if (esize == 2)
            ((uint16_t *)a)[i] = fc_ld16(p + 2 * (size_t)i);
        else
            ((uint32_t *)a)[i] = fc_ld32(p + 4 * (size_t)i);
    }
    r->off += (size_t)n * esize;
    *out = a;
    *count = n;
    return 0;
}

int fc_rd_au16(fc_rd *r, uint16_t **out, uint32_t *count)
{
    void *a;
    int rc = rd_array(r, 2, &a, count);
    *out = a;
    return rc;
}

int fc_rd_au32(fc_rd *r, uint32_t **out, uint32_t *count)
{
    void *a;
    int rc = rd_array(r, 4, &a, count);
    *out = a;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Writing                                                              */
/* ------------------------------------------------------------------ */

void fc_wr_init(fc_wr *w)
{
    memset(w, 0, sizeof *w);
}

void fc_wr_free(fc_wr *w)
{
    fy_free(w->buf);
    memset(w, 0, sizeof *w);
}

void fc_wr_reset(fc_wr *w)
{
    w->len = 0;
    w->err = 0;
}

int fc_wr_reserve(fc_wr *w, size_t extra)
{
    if (w->err)
        return w->err;
    if (extra <= w->cap - w->len)
        return 0;
    if (extra > SIZE_MAX - w->len)
        return fc_wr_fail(w, FERRY_ENOMEM);

    size_t need = w->len + extra;
    size_t cap = w->cap ? w->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    uint8_t *p = fy_realloc(w->buf, cap);
    if (!p)
        return fc_wr_fail(w, FERRY_ENOMEM);
    w->buf = p;
    w->cap = cap;
    return 0;
}

/* Room for n more bytes: a pointer to them (len already advanced), or
 * NULL with w->err set. */
static uint8_t *wr_take(fc_wr *w, size_t n)
{
    if (fc_wr_reserve(w, n) < 0)
        return NULL;
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

int fc_wr_u8(fc_wr *w, uint8_t v)
{
    uint8_t *p = wr_take(w, 1);
    if (p)
        p[0] = v;
    return w->err;
}

int fc_wr_u16(fc_wr *w, uint16_t v)
{
    uint8_t *p = wr_take(w, 2);
    if (p)
        fc_st16(p, v);
    return w->err;
}

int fc_wr_u32(fc_wr *w, uint32_t v)
{
    uint8_t *p = wr_take(w, 4);
    if (p)
        fc_st32(p, v);
    return w->err;
}

int fc_wr_u64(fc_wr *w, uint64_t v)
{
    uint8_t *p = wr_take(w, 8);
    if (p)
        fc_st64(p, v);
    return w->err;
}

int fc_wr_u128(fc_wr *w, fc_u128 v)
{
    uint8_t *p = wr_take(w, 16);
    if (p) {
        fc_st64(p, v.lo);
        fc_st64(p + 8, v.hi);
    }
    return w->err;
}

int fc_wr_bytes(fc_wr *w, const void *src, size_t n)
{
    if (w->err || n == 0)
        return w->err;
    if (!src)
        return fc_wr_fail(w, FERRY_EINVAL);
    uint8_t *p = wr_take(w, n);
    if (p)
        memcpy(p, src, n);
    return w->err;
}

static int wr_array(fc_wr *w, const void *v, size_t esize, uint32_t count)
{
    if (w->err)
        return w->err;
    if (count > 0 && !v)
        return fc_wr_fail(w, FERRY_EINVAL);
    if (count > (SIZE_MAX - 4) / esize)
        return fc_wr_fail(w, FERRY_ENOMEM);

    uint8_t *p = wr_take(w, 4 + (size_t)count * esize);
    if (!p)
        return w->err;
    fc_st32(p, count);
    p += 4;
    for (uint32_t i = 0; i < count; i++) {
        if (esize == 2)
            fc_st16(p + 2 * (size_t)i, ((const uint16_t *)v)[i]);
        else
            fc_st32(p + 4 * (size_t)i, ((const uint32_t *)v)[i]);
    }
    return 0;
}

int fc_wr_au16(fc_wr *w, const uint16_t *v, uint32_t count)
{
    return wr_array(w, v, 2, count);
}

int fc_wr_au32(fc_wr *w, const uint32_t *v, uint32_t count)
{
    return wr_array(w, v, 4, count);
}
