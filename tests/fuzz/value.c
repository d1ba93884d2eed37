/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: fc_rd_value / fc_wr_value / fc_value_copy (input: a u16
 * datatype, then a value of that type, as in an ObjectPropList element).
 * Integers and arrays have one encoding, so it must match the input. */
#include "config.h"

#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fc_value v, copy;
    fc_wr w;

    if (fz_round_trip(&ct_value, data, size) != 0)
        return 0;

    FZ_CHECK(ct_value.decode(data, size, &v) == 0);
    FZ_CHECK(fc_type_known(v.type));
    if (v.type != FC_DTC_STR) {
        fc_wr_init(&w);
        FZ_CHECK(ct_value.encode(&v, &w) == 0);
        FZ_CHECK(w.len <= size && memcmp(w.buf, data, w.len) == 0);
        fc_wr_free(&w);
    }
    FZ_CHECK(fc_value_copy(&copy, &v) == 0);
    FZ_CHECK(fc_value_equal(&copy, &v));
    fc_value_free(&copy);
    fc_value_free(&v);
    return 0;
}
