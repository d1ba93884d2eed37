/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: fc_object_info_decode / encode (input: an ObjectInfo
 * dataset). The date strings a device sends go through the date-time
 * parser too, as the host library does with them. */
#include "config.h"

#include "fuzz.h"

static void parse_date(const char *s)
{
    fc_datetime dt;
    int rc = fc_datetime_parse(s, &dt);
    FZ_CHECK(rc == 0 || rc == FERRY_EPROTO || (rc == FERRY_EEND && !*s));
    if (rc == 0 && dt.tz != FC_TZ_NONE) {
        int64_t t;
        FZ_CHECK(fc_datetime_to_unix(&dt, &t) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fc_object_info oi;

    if (fz_round_trip(&ct_object_info, data, size) != 0)
        return 0;
    FZ_CHECK(fc_object_info_decode(data, size, &oi) == 0);
    parse_date(oi.capture_date);
    parse_date(oi.modification_date);
    fc_object_info_free(&oi);
    return 0;
}
