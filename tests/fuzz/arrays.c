/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: fc_u32_array_decode and fc_u16_array_decode (input: a
 * GetStorageIDs / GetObjectHandles / GetObjectPropsSupported result). The
 * arrays have one encoding, so it must match the input it came from. */
#include "config.h"

#include <string.h>

#include "fuzz.h"

static void check(const ct_codec *c, size_t esize, const uint8_t *data, size_t size)
{
    if (fz_round_trip(c, data, size) != 0)
        return;

    ct_array a;
    fc_wr w;
    FZ_CHECK(c->decode(data, size, &a) == 0);
    fc_wr_init(&w);
    FZ_CHECK(c->encode(&a, &w) == 0);
    FZ_CHECK(w.len == 4 + esize * a.count && w.len <= size);
    FZ_CHECK(memcmp(w.buf, data, w.len) == 0);
    fc_wr_free(&w);
    c->free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(&ct_u32_array, 4, data, size);
    check(&ct_u16_array, 2, data, size);
    return 0;
}
