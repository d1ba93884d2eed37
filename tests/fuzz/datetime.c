/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: date-time strings (input: the text of a date-time, as in
 * ObjectInfo or the DateTime property). A parsed date-time must format and
 * parse back to the same fields; UTC conversions must invert each other.
 * The first 8 bytes also serve as an epoch time for fc_datetime_from_unix. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"

static int same(const fc_datetime *a, const fc_datetime *b)
{
    return a->year == b->year && a->month == b->month && a->day == b->day &&
           a->hour == b->hour && a->minute == b->minute && a->second == b->second &&
           a->tenths == b->tenths && a->tz == b->tz &&
           (a->tz != FC_TZ_OFFSET || a->offset_min == b->offset_min);
}

static void check_string(const uint8_t *data, size_t size)
{
    char *s = fz_cstring(data, size);
    fc_datetime dt, again;

    memset(&dt, 0xA5, sizeof dt);
    int rc = fc_datetime_parse(s, &dt);
    if (rc != 0) {
        FZ_CHECK(rc == FERRY_EPROTO || (rc == FERRY_EEND && !*s));
        FZ_CHECK(fz_all_zero(&dt, sizeof dt));
        free(s);
        return;
    }

    char buf[24];
    int n = fc_datetime_format(&dt, buf, sizeof buf);
    FZ_CHECK(n >= 15 && n <= 22 && (size_t)n == strlen(buf));
    FZ_CHECK(fc_datetime_parse(buf, &again) == 0);
    FZ_CHECK(same(&dt, &again));

    int64_t t, back;
    rc = fc_datetime_to_unix(&dt, &t);
    if (dt.tz == FC_TZ_NONE) {
        FZ_CHECK(rc == 0 || rc == FERRY_EOVERFLOW);
    } else {
        FZ_CHECK(rc == 0);
        rc = fc_datetime_from_unix(t, true, &again);
        if (rc == 0) {
            FZ_CHECK(fc_datetime_to_unix(&again, &back) == 0 && back == t);
            if (dt.tz == FC_TZ_UTC && dt.second < 60) {
                again.tenths = dt.tenths;
                FZ_CHECK(same(&dt, &again));
            }
        } else {
            /* an offset, or a leap second on 9999-12-31, can move the
             * instant out of years 0000-9999 */
            FZ_CHECK(rc == FERRY_EOVERFLOW);
            FZ_CHECK(dt.tz == FC_TZ_OFFSET || dt.second == 60);
        }
    }
    free(s);
}

static void check_epoch(const uint8_t *data, size_t size)
{
    uint64_t u = 0;
    fc_datetime dt;
    int64_t back;

    if (size < 8)
        return;
    for (int i = 7; i >= 0; i--)
        u = u << 8 | data[i];
    int64_t t = (int64_t)u;
    /* fold most values into the representable years so both paths run */
    if (data[8 % size] & 1)
        t %= INT64_C(400) * 366 * 86400;
    int rc = fc_datetime_from_unix(t, true, &dt);
    if (rc == 0) {
        FZ_CHECK(dt.tz == FC_TZ_UTC);
        FZ_CHECK(fc_datetime_to_unix(&dt, &back) == 0 && back == t);
        char buf[24];
        FZ_CHECK(fc_datetime_format(&dt, buf, sizeof buf) == 16);
    } else {
        FZ_CHECK(rc == FERRY_EOVERFLOW);
        FZ_CHECK(fz_all_zero(&dt, sizeof dt));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int tz_set;
    if (!tz_set) {
        /* a fixed zone with DST, so local-time paths run the same anywhere */
        setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
        tzset();
        tz_set = 1;
    }
    check_string(data, size);
    check_epoch(data, size);
    return 0;
}
