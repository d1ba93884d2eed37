/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: PTP strings both ways. The input is read as a PTP string
 * (u8 NumChars, UCS-2LE units) and, separately, as UTF-8 text to encode:
 * valid UTF-8 that fits must come back unchanged, invalid UTF-8 must be
 * refused with nothing written. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/mem.h"

static void check_ptp(const uint8_t *data, size_t size)
{
    if (fz_round_trip(&ct_string, data, size) != 0)
        return;

    /* the cursor ends right after the NumChars units */
    fc_rd r;
    char *s;
    fc_rd_init(&r, data, size);
    FZ_CHECK(fc_rd_str(&r, &s) == 0);
    FZ_CHECK(r.off == 1 + 2 * (size_t)data[0]);
    FZ_CHECK(fc_str_utf16_len(s) >= 0 || fc_str_utf16_len(s) == FERRY_ENAMETOOLONG);
    fy_free(s);
}

static void check_utf8(const uint8_t *data, size_t size)
{
    char *s = fz_cstring(data, size);
    long units = fc_str_utf16_len(s);
    fc_wr w;

    fc_wr_init(&w);
    int rc = fc_wr_str(&w, s);
    FZ_CHECK(fc_str_check(s) == (units < 0 ? (int)units : 0));
    if (units < 0) {
        FZ_CHECK(units == FERRY_EBADNAME || units == FERRY_ENAMETOOLONG);
        FZ_CHECK(rc == units && w.err == rc && w.len == 0);
    } else {
        FZ_CHECK(rc == 0 && units <= 254);
        FZ_CHECK(w.len == (units ? 1 + 2 * ((size_t)units + 1) : 1));
        fc_rd r;
        char *back;
        fc_rd_init(&r, w.buf, w.len);
        FZ_CHECK(fc_rd_str(&r, &back) == 0);
        FZ_CHECK(strcmp(back, s) == 0);
        FZ_CHECK(r.off == w.len);
        fy_free(back);
    }
    fc_wr_free(&w);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_ptp(data, size);
    check_utf8(data, size);
    return 0;
}
