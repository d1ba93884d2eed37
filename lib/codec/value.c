/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Values of every PTP data type (PIMA 15740 5.3): integers of 8 to 128
 * bits, arrays of them (u32 count, then the elements) and strings.
 *
 * Integers up to 64 bits are kept normalised in 64 bits: unsigned types
 * zero-extended, signed types sign-extended. Writers truncate to the wire
 * width and comparisons normalise first, so a value built with an out of
 * range number compares equal to what a round trip gives back.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/internal.h"
#include "util/mem.h"

size_t fc_type_size(uint16_t type)
{
    switch (type) {
    case FC_DTC_INT8:
    case FC_DTC_UINT8:
        return 1;
    case FC_DTC_INT16:
    case FC_DTC_UINT16:
        return 2;
    case FC_DTC_INT32:
    case FC_DTC_UINT32:
        return 4;
    case FC_DTC_INT64:
    case FC_DTC_UINT64:
        return 8;
    case FC_DTC_INT128:
    case FC_DTC_UINT128:
        return 16;
    default:
        return 0;
    }
}

static bool is_array(uint16_t type)
{
    return type >= FC_DTC_AINT8 && type <= FC_DTC_AUINT128;
}

static uint16_t elem_type(uint16_t array_type)
{
    return (uint16_t)(array_type & ~FC_DTC_ARRAY);
}

bool fc_type_known(uint16_t type)
{
    return fc_type_size(type) > 0 || is_array(type) || type == FC_DTC_STR;
}

size_t fc_value_min_size(uint16_t type)
{
    if (fc_type_size(type))
        return fc_type_size(type);
    if (is_array(type))
        return 4;
    if (type == FC_DTC_STR)
        return 1;
    return 0;
}

/* INT8, INT16, ... have odd codes */
static bool is_signed(uint16_t scalar_type)
{
    return scalar_type >= FC_DTC_INT8 && scalar_type <= FC_DTC_INT128 &&
           (scalar_type & 1);
}

/* v truncated to the width of a scalar type of 8..64 bits, then zero- or
 * sign-extended back to 64 bits. */
static uint64_t norm64(uint16_t scalar_type, uint64_t v)
{
    size_t size = fc_type_size(scalar_type);
    if (size == 0 || size >= 8)
        return v;
    unsigned bits = (unsigned)size * 8;
    uint64_t mask = (UINT64_C(1) << bits) - 1;
    v &= mask;
    if (is_signed(scalar_type) && (v >> (bits - 1)) & 1)
        v |= ~mask;
    return v;
}

/* Bytes of memory per element of an array type. */
static size_t elem_mem(uint16_t array_type)
{
    return fc_type_size(elem_type(array_type)) == 16 ? sizeof(fc_u128) : sizeof(uint64_t);
}

/* Reads one scalar of 8..64 bits at p. */
static uint64_t ld_scalar(const uint8_t *p, size_t size)
{
    switch (size) {
    case 1:
        return p[0];
    case 2:
        return fc_ld16(p);
    case 4:
        return fc_ld32(p);
    default:
        return fc_ld64(p);
    }
}

static void st_scalar(uint8_t *p, size_t size, uint64_t v)
{
    switch (size) {
    case 1:
        p[0] = (uint8_t)v;
        break;
    case 2:
        fc_st16(p, (uint16_t)v);
        break;
    case 4:
        fc_st32(p, (uint32_t)v);
        break;
    default:
        fc_st64(p, v);
        break;
    }
}

static int rd_array_value(fc_rd *r, uint16_t type, fc_value *out)
{
    uint16_t et = elem_type(type);
    size_t esize = fc_type_size(et);
    size_t save = r->off;
    uint32_t n;
    int rc;

    if ((rc = fc_rd_u32(r, &n)) < 0)
        return rc;
    if (n > fc_rd_left(r) / esize) {
        r->off = save;
        return FERRY_EPROTO;
    }
    if (n == 0) {
        out->type = type;
        return 0;
    }

    /* n <= left / esize, so n * esize fits; the memory per element can be
     * up to 16 times the wire size, which can overflow only on 32-bit */
    size_t msize = elem_mem(type);
    void *a = n > SIZE_MAX / msize ? NULL : fy_malloc((size_t)n * msize);
    if (!a) {
        r->off = save;
        return FERRY_ENOMEM;
    }

    const uint8_t *p = r->p + r->off;
    for (uint32_t i = 0; i < n; i++, p += esize) {
        if (esize == 16) {
            fc_u128 *x = (fc_u128 *)a + i;
            x->lo = fc_ld64(p);
            x->hi = fc_ld64(p + 8);
        } else {
            ((uint64_t *)a)[i] = norm64(et, ld_scalar(p, esize));
        }
    }
    r->off += (size_t)n * esize;
    out->type = type;
    out->u.a.count = n;
    out->u.a.v = a;
    return 0;
}

int fc_rd_value(fc_rd *r, uint16_t type, fc_value *out)
{
    size_t size = fc_type_size(type);
    int rc;

    memset(out, 0, sizeof *out);
    if (size == 16) {
        if ((rc = fc_rd_u128(r, &out->u.x)) < 0)
            return rc;
    } else if (size > 0) {
        if (fc_rd_left(r) < size)
            return FERRY_EPROTO;
        out->u.u = norm64(type, ld_scalar(r->p + r->off, size));
        r->off += size;
    } else if (type == FC_DTC_STR) {
        if ((rc = fc_rd_str(r, &out->u.str)) < 0)
            return rc;
    } else if (is_array(type)) {
        return rd_array_value(r, type, out);
    } else {
        return FERRY_EPROTO;
    }
    out->type = type;
    return 0;
}

static int wr_array_value(fc_wr *w, const fc_value *v)
{
    uint16_t et = elem_type(v->type);
    size_t esize = fc_type_size(et);
    uint32_t n = v->u.a.count;

    if (n > 0 && !v->u.a.v)
        return fc_wr_fail(w, FERRY_EINVAL);
    if (n > (SIZE_MAX - 4) / esize)
        return fc_wr_fail(w, FERRY_ENOMEM);
    if (fc_wr_reserve(w, 4 + (size_t)n * esize) < 0)
        return w->err;

    uint8_t *p = w->buf + w->len;
    fc_st32(p, n);
    p += 4;
    for (uint32_t i = 0; i < n; i++, p += esize) {
        if (esize == 16) {
            const fc_u128 *x = (const fc_u128 *)v->u.a.v + i;
            fc_st64(p, x->lo);
            fc_st64(p + 8, x->hi);
        } else {
            st_scalar(p, esize, ((const uint64_t *)v->u.a.v)[i]);
        }
    }
    w->len += 4 + (size_t)n * esize;
    return 0;
}

int fc_wr_value(fc_wr *w, const fc_value *v)
{
    size_t size = fc_type_size(v->type);

    if (w->err)
        return w->err;
    if (size == 16)
        return fc_wr_u128(w, v->u.x);
    if (size > 0) {
        if (fc_wr_reserve(w, size) == 0) {
            st_scalar(w->buf + w->len, size, v->u.u);
            w->len += size;
        }
        return w->err;
    }
    if (v->type == FC_DTC_STR)
        return fc_wr_str(w, v->u.str);
    if (is_array(v->type))
        return wr_array_value(w, v);
    return fc_wr_fail(w, FERRY_EINVAL);
}

void fc_value_free(fc_value *v)
{
    if (!v)
        return;
    if (v->type == FC_DTC_STR)
        fy_free(v->u.str);
    else if (is_array(v->type))
        fy_free(v->u.a.v);
    memset(v, 0, sizeof *v);
}

int fc_value_copy(fc_value *dst, const fc_value *src)
{
    memset(dst, 0, sizeof *dst);
    if (src->type == FC_DTC_STR) {
        if (src->u.str) {
            char *s = fy_strdup(src->u.str);
            if (!s)
                return FERRY_ENOMEM;
            dst->u.str = s;
        }
    } else if (is_array(src->type)) {
        uint32_t n = src->u.a.count;
        if (n > 0) {
            size_t msize = elem_mem(src->type);
            if (!src->u.a.v)
                return FERRY_EINVAL;
            void *a = fy_malloc((size_t)n * msize);
            if (!a)
                return FERRY_ENOMEM;
            memcpy(a, src->u.a.v, (size_t)n * msize);
            dst->u.a.count = n;
            dst->u.a.v = a;
        }
    } else if (fc_type_size(src->type) > 0 || src->type == FC_DTC_UNDEF) {
        dst->u = src->u;
    } else {
        return FERRY_EINVAL;
    }
    dst->type = src->type;
    return 0;
}

static bool u128_equal(fc_u128 a, fc_u128 b)
{
    return a.lo == b.lo && a.hi == b.hi;
}

bool fc_value_equal(const fc_value *a, const fc_value *b)
{
    if (a->type != b->type)
        return false;

    size_t size = fc_type_size(a->type);
    if (size == 16)
        return u128_equal(a->u.x, b->u.x);
    if (size > 0)
        return norm64(a->type, a->u.u) == norm64(a->type, b->u.u);
    if (a->type == FC_DTC_STR)
        return strcmp(a->u.str ? a->u.str : "", b->u.str ? b->u.str : "") == 0;
    if (is_array(a->type)) {
        uint32_t n = a->u.a.count;
        if (n != b->u.a.count)
            return false;
        if (n == 0)
            return true;
        if (!a->u.a.v || !b->u.a.v)
            return a->u.a.v == b->u.a.v;
        uint16_t et = elem_type(a->type);
        for (uint32_t i = 0; i < n; i++) {
            if (fc_type_size(et) == 16) {
                if (!u128_equal(((const fc_u128 *)a->u.a.v)[i],
                                ((const fc_u128 *)b->u.a.v)[i]))
                    return false;
            } else if (norm64(et, ((const uint64_t *)a->u.a.v)[i]) !=
                       norm64(et, ((const uint64_t *)b->u.a.v)[i])) {
                return false;
            }
        }
        return true;
    }
    /* UNDEF and unknown types carry nothing the codec understands */
    return a->u.u == b->u.u;
}

fc_value fc_value_uint(uint16_t type, uint64_t u)
{
    fc_value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    if (fc_type_size(type) == 16)
        v.u.x.lo = u;
    else if (fc_type_size(type) > 0)
        v.u.u = norm64(type, u);
    return v;
}

fc_value fc_value_int(uint16_t type, int64_t i)
{
    fc_value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    if (fc_type_size(type) == 16) {
        v.u.x.lo = (uint64_t)i;
        v.u.x.hi = i < 0 ? UINT64_MAX : 0;
    } else if (fc_type_size(type) > 0) {
        v.u.u = norm64(type, (uint64_t)i);
    }
    return v;
}

int fc_value_str(fc_value *out, const char *utf8)
{
    memset(out, 0, sizeof *out);
    char *s = fy_strdup(utf8 ? utf8 : "");
    if (!s)
        return FERRY_ENOMEM;
    out->type = FC_DTC_STR;
    out->u.str = s;
    return 0;
}
