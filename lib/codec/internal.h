/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the codec's .c files only: little-endian loads and
 * stores on byte pointers, and small internal functions. Not for use
 * outside lib/codec.
 */
#ifndef FERRY_CODEC_INTERNAL_H
#define FERRY_CODEC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"

static inline uint16_t fc_ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

static inline uint32_t fc_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t fc_ld64(const uint8_t *p)
{
    return (uint64_t)fc_ld32(p) | (uint64_t)fc_ld32(p + 4) << 32;
}

static inline void fc_st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void fc_st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void fc_st64(uint8_t *p, uint64_t v)
{
    fc_st32(p, (uint32_t)v);
    fc_st32(p + 4, (uint32_t)(v >> 32));
}

/* Ends an encoder that started writing at `start`: on error the partial
 * output is dropped (w->len back to start) and the sticky error returned. */
static inline int fc_wr_finish(fc_wr *w, size_t start)
{
    if (w->err)
        w->len = start;
    return w->err;
}

/* Sets the sticky error of w unless one is already there; returns it. */
static inline int fc_wr_fail(fc_wr *w, int err)
{
    if (!w->err)
        w->err = err;
    return w->err;
}

/* The fewest bytes a value of this type can take on the wire (1 for a
 * string, 4 for an empty array), 0 for types the codec cannot read. Used to
 * bound counts of values before allocating. */
size_t fc_value_min_size(uint16_t type);

#endif
