/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared checks for the codec unit tests (cmocka). Every decoder is
 * described once by a ct_codec; the generic checks then run it over
 * golden vectors, every truncation of them and every allocation failure.
 */
#ifndef FERRY_TESTS_CODEC_TEST_H
#define FERRY_TESTS_CODEC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "codec/codec.h"
#include "codec-eq.h"
#include "util/mem.h"

/* Fails with a hex dump of both when the bytes differ. */
void ct_assert_bytes(const void *got, size_t got_len, const void *exp, size_t exp_len);
#define CT_ASSERT_BYTES(got, got_len, exp) ct_assert_bytes(got, got_len, exp, sizeof(exp))

/* Fails unless all n bytes at p are zero (an emptied decoder output). */
void ct_assert_zero(const void *p, size_t n);

/* Decodes buf (len bytes) and checks it equals `expected`, then that
 * encoding both the decoded and the expected struct gives buf back byte
 * for byte, and that bytes appended after the dataset are ignored. */
void ct_check_golden(const ct_codec *c, const void *buf, size_t len, const void *expected);
/* Every strict prefix of buf is FERRY_EPROTO with an empty output; each
 * prefix lies in a heap block of exactly its size, so ASan sees any
 * over-read. */
void ct_check_truncations(const ct_codec *c, const void *buf, size_t len);
/* Fails the 1st, 2nd, ... allocation of decoding buf until the decode
 * succeeds: each failure must give FERRY_ENOMEM, an empty output and no
 * leak. Returns how many allocations a successful decode makes. */
unsigned ct_check_decode_enomem(const ct_codec *c, const void *buf, size_t len);
/* The same for encoding `in`, which must give exp (len bytes): each
 * failure gives FERRY_ENOMEM with w->err set and w->len back at 0. */
unsigned ct_check_encode_enomem(const ct_codec *c, const void *in, const void *exp,
                                size_t len);
/* All four checks above. */
void ct_check_all(const ct_codec *c, const void *buf, size_t len, const void *expected);
#define CT_CHECK_ALL(c, bytes, expected) ct_check_all(c, bytes, sizeof(bytes), expected)

/* Decodes bytes with c and checks the exact error (and an empty output). */
void ct_check_decode_error(const ct_codec *c, const void *buf, size_t len, int err);
#define CT_CHECK_ERROR(c, bytes, err) ct_check_decode_error(c, bytes, sizeof(bytes), err)

#endif
