/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: fc_storage_info_decode / encode (input: the raw dataset as a device sends it). */
#include "config.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_round_trip(&ct_storage_info, data, size);
    return 0;
}
