/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz targets for the codec, one per decoder. Each is built twice: as a
 * libFuzzer binary (configure --enable-fuzzing CC=clang) and against
 * standalone.c, a small driver that replays the committed corpus under
 * `make check` with any compiler.
 */
#ifndef FERRY_TESTS_FUZZ_H
#define FERRY_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "codec-eq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: report it and abort, which libFuzzer records as a
 * crash with the input that caused it. */
_Noreturn void fz_fail(const char *file, int line, const char *what);
#define FZ_CHECK(cond)                                                         \
    do {                                                                       \
        if (!(cond))                                                           \
            fz_fail(__FILE__, __LINE__, #cond);                                \
    } while (0)

/* True if all n bytes at p are zero (an emptied decoder output). */
int fz_all_zero(const void *p, size_t n);

/* The checks every decoder gets. Decode data with c; on error the result
 * must be FERRY_EPROTO with an all-zero output. On success:
 *  - encoding the result works, or fails only with FERRY_ENAMETOOLONG
 *    (a device may send 255 characters without a terminator, which cannot
 *    be sent back) and then writes nothing;
 *  - decoding that encoding gives an equal result, whose encoding is
 *    byte for byte the same (encoding is canonical);
 *  - failing one of the decode's allocations, picked from the input,
 *    gives FERRY_ENOMEM with an all-zero output;
 *  - free empties the output.
 * Returns the decode result. */
int fz_round_trip(const ct_codec *c, const uint8_t *data, size_t size);

/* A NUL-terminated heap copy of data (stops at an embedded NUL). */
char *fz_cstring(const uint8_t *data, size_t size);

#endif
