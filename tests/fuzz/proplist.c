/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: fc_proplist_decode / encode (input: an ObjectPropList
 * dataset). A decoded list is also rebuilt with fc_proplist_add, which
 * must give an equal list. */
#include "config.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fz_round_trip(&ct_proplist, data, size) != 0)
        return 0;

    fc_proplist pl, copy = {0};
    FZ_CHECK(fc_proplist_decode(data, size, &pl) == 0);
    for (uint32_t i = 0; i < pl.count; i++) {
        const fc_prop_elem *e = &pl.elems[i];
        FZ_CHECK(fc_proplist_add(&copy, e->handle, e->code, &e->value) == 0);
    }
    FZ_CHECK(copy.count == pl.count && copy.cap >= copy.count);
    FZ_CHECK(ceq_proplist(&pl, &copy));
    fc_proplist_free(&copy);
    fc_proplist_free(&pl);
    return 0;
}
