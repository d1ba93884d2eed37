/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test support shared by the unit tests and the fuzz targets (no cmocka
 * here): deep equality of decoded datasets, and every decoder described
 * once behind a common signature. Strings: NULL equals "" (both encode
 * the same). Values: fc_value_equal.
 */
#ifndef FERRY_TESTS_CODEC_EQ_H
#define FERRY_TESTS_CODEC_EQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"

bool ceq_str(const char *a, const char *b);
bool ceq_device_info(const fc_device_info *a, const fc_device_info *b);
bool ceq_storage_info(const fc_storage_info *a, const fc_storage_info *b);
bool ceq_object_info(const fc_object_info *a, const fc_object_info *b);
bool ceq_proplist(const fc_proplist *a, const fc_proplist *b);
/* Compares every field both descriptions have (cur and group too). */
bool ceq_prop_desc(const fc_prop_desc *a, const fc_prop_desc *b);

/* One decoder with its encoder, free and equality, behind void pointers. */
typedef struct ct_codec {
    const char *name;
    size_t size; /* of the decoded struct */
    int (*decode)(const void *buf, size_t len, void *out);
    void (*free)(void *out);
    int (*encode)(const void *in, fc_wr *w);
    bool (*equal)(const void *a, const void *b);
} ct_codec;

/* A decoded u16 or u32 array. */
typedef struct ct_array {
    void *v;
    uint32_t count;
} ct_array;

extern const ct_codec ct_device_info, ct_storage_info, ct_object_info, ct_proplist,
    ct_objprop_desc, ct_devprop_desc, ct_u16_array, ct_u32_array;
/* A PTP string filling the buffer; out is a char *. */
extern const ct_codec ct_string;
/* A u16 datatype followed by a value of that type; out is an fc_value. */
extern const ct_codec ct_value;

#endif
