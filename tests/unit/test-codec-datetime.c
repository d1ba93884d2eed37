/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Date-time strings and epoch conversion (datetime.c). The expected epoch
 * values were computed independently (Python calendar.timegm). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec-test.h"

static fc_datetime dt(int y, int mo, int d, int h, int mi, int s, int tenths,
                      enum fc_tz tz, int off)
{
    fc_datetime x;
    memset(&x, 0, sizeof x);
    x.year = y;
    x.month = mo;
    x.day = d;
    x.hour = h;
    x.minute = mi;
    x.second = s;
    x.tenths = tenths;
    x.tz = tz;
    x.offset_min = off;
    return x;
}

static void assert_dt_equal(const fc_datetime *a, const fc_datetime *b)
{
    assert_int_equal(a->year, b->year);
    assert_int_equal(a->month, b->month);
    assert_int_equal(a->day, b->day);
    assert_int_equal(a->hour, b->hour);
    assert_int_equal(a->minute, b->minute);
    assert_int_equal(a->second, b->second);
    assert_int_equal(a->tenths, b->tenths);
    assert_int_equal(a->tz, b->tz);
    assert_int_equal(a->offset_min, b->offset_min);
}

static const struct {
    const char *s;
    fc_datetime dt;
    int canonical; /* format() gives s back */
} good[] = {
    {"20240229T123456", {2024, 2, 29, 12, 34, 56, 0, FC_TZ_NONE, 0}, 1},
    {"20240229T123456.7", {2024, 2, 29, 12, 34, 56, 7, FC_TZ_NONE, 0}, 1},
    {"20240229T123456.0", {2024, 2, 29, 12, 34, 56, 0, FC_TZ_NONE, 0}, 0},
    {"20240229T123456Z", {2024, 2, 29, 12, 34, 56, 0, FC_TZ_UTC, 0}, 1},
    {"20240229T123456.7Z", {2024, 2, 29, 12, 34, 56, 7, FC_TZ_UTC, 0}, 1},
    {"20240229T123456+0130", {2024, 2, 29, 12, 34, 56, 0, FC_TZ_OFFSET, 90}, 1},
    {"20240229T123456-0800", {2024, 2, 29, 12, 34, 56, 0, FC_TZ_OFFSET, -480}, 1},
    {"20240229T123456.3-2359", {2024, 2, 29, 12, 34, 56, 3, FC_TZ_OFFSET, -1439}, 1},
    {"20240229T123456+2359", {2024, 2, 29, 12, 34, 56, 0, FC_TZ_OFFSET, 1439}, 1},
    {"20240101T000000+0000", {2024, 1, 1, 0, 0, 0, 0, FC_TZ_OFFSET, 0}, 1},
    {"20240101T000000-0000", {2024, 1, 1, 0, 0, 0, 0, FC_TZ_OFFSET, 0}, 0},
    {"20000229T000000", {2000, 2, 29, 0, 0, 0, 0, FC_TZ_NONE, 0}, 1},
    {"00000229T000000", {0, 2, 29, 0, 0, 0, 0, FC_TZ_NONE, 0}, 1},
    {"00000101T000000Z", {0, 1, 1, 0, 0, 0, 0, FC_TZ_UTC, 0}, 1},
    {"99991231T235959Z", {9999, 12, 31, 23, 59, 59, 0, FC_TZ_UTC, 0}, 1},
    {"20161231T235960Z", {2016, 12, 31, 23, 59, 60, 0, FC_TZ_UTC, 0}, 1},
    {"20240430T235959", {2024, 4, 30, 23, 59, 59, 0, FC_TZ_NONE, 0}, 1},
    {"20241231T000000", {2024, 12, 31, 0, 0, 0, 0, FC_TZ_NONE, 0}, 1},
};

static void test_parse_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        fc_datetime got;
        memset(&got, 0xA5, sizeof got);
        int rc = fc_datetime_parse(good[i].s, &got);
        if (rc != 0) {
            print_error("\"%s\": %s\n", good[i].s, ferry_err_name(rc));
            fail();
        }
        assert_dt_equal(&got, &good[i].dt);

        char buf[24];
        int n = fc_datetime_format(&got, buf, sizeof buf);
        assert_true(n > 0);
        assert_int_equal((size_t)n, strlen(buf));
        if (good[i].canonical)
            assert_string_equal(buf, good[i].s);
        fc_datetime again;
        assert_int_equal(fc_datetime_parse(buf, &again), 0);
        assert_dt_equal(&again, &got);
    }
}

static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "20241301T000000",       /* month 13 */
        "20240001T000000",       /* month 0 */
        "20240230T000000",       /* Feb 30 */
        "20230229T000000",       /* Feb 29, not a leap year */
        "19000229T000000",       /* 1900 is not a leap year */
        "21000229T000000",       /* neither is 2100 */
        "20240431T000000",       /* April has 30 days */
        "20240631T000000",
        "20240931T000000",
        "20241131T000000",
        "20240100T000000",       /* day 0 */
        "20240132T000000",       /* day 32 */
        "20240101T240000",       /* hour 24 */
        "20240101T006000",       /* minute 60 */
        "20240101T000061",       /* second 61 */
        "20240101 000000",       /* no T */
        "20240101t000000",       /* lower-case t */
        "2024010T000000",        /* short date */
        "20240101T00000",        /* short time */
        "20240101T0000000",      /* extra digit */
        "20240101T000000.",      /* dot without tenths */
        "20240101T000000.12",    /* two digits of tenths */
        "20240101T000000.Z",
        "20240101T000000z",      /* lower-case z */
        "20240101T000000Z ",     /* trailing space */
        "20240101T000000ZZ",
        "20240101T000000Z+0100", /* two zones */
        "20240101T000000+01",    /* short offset */
        "20240101T000000+010",
        "20240101T000000+01000",
        "20240101T000000+2400",  /* offset hour 24 */
        "20240101T000000+0160",  /* offset minute 60 */
        "20240101T000000+01:00",
        "20240101T000000 +0100",
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:00Z",
        " 20240101T000000",
        "-20240101T000000",
        "+2024010T000000",
        "2024O101T000000",       /* letter O */
        "20240101T0000\xC3\xA9",
        "garbage",
        "T",
        "Z",
        "+0100",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fc_datetime got;
        memset(&got, 0xA5, sizeof got);
        int rc = fc_datetime_parse(bad[i], &got);
        if (rc != FERRY_EPROTO) {
            print_error("\"%s\": %s, expected PROTO\n", bad[i], ferry_err_name(rc));
            fail();
        }
        ct_assert_zero(&got, sizeof got);
    }

    /* every prefix of a valid string is refused, each in a block of its
     * own size so ASan sees any read past the NUL */
    static const char full[] = "20240229T123456.7+0130";
    for (size_t l = 0; l < sizeof full - 1; l++) {
        char *p = malloc(l + 1);
        assert_non_null(p);
        memcpy(p, full, l);
        p[l] = '\0';
        fc_datetime got;
        int rc = fc_datetime_parse(p, &got);
        /* "...56" and "...56.7" are complete date-times */
        if (l == 15 || l == 17)
            assert_int_equal(rc, 0);
        else
            assert_int_equal(rc, l == 0 ? FERRY_EEND : FERRY_EPROTO);
        free(p);
    }
}

static void test_parse_empty(void **state)
{
    (void)state;
    fc_datetime got;
    memset(&got, 0xA5, sizeof got);
    assert_int_equal(fc_datetime_parse("", &got), FERRY_EEND);
    ct_assert_zero(&got, sizeof got);
    memset(&got, 0xA5, sizeof got);
    assert_int_equal(fc_datetime_parse(NULL, &got), FERRY_EEND);
    ct_assert_zero(&got, sizeof got);
}

static void test_format(void **state)
{
    (void)state;
    char buf[24];
    fc_datetime x;

    x = dt(2024, 2, 29, 12, 34, 56, 0, FC_TZ_NONE, 0);
    assert_int_equal(fc_datetime_format(&x, buf, sizeof buf), 15);
    assert_string_equal(buf, "20240229T123456");
    x = dt(5, 1, 2, 3, 4, 5, 9, FC_TZ_UTC, 0);
    assert_int_equal(fc_datetime_format(&x, buf, sizeof buf), 18);
    assert_string_equal(buf, "00050102T030405.9Z");
    x = dt(2024, 2, 29, 12, 34, 56, 1, FC_TZ_OFFSET, -1439);
    assert_int_equal(fc_datetime_format(&x, buf, sizeof buf), 22);
    assert_string_equal(buf, "20240229T123456.1-2359");
    x = dt(2024, 2, 29, 12, 34, 56, 0, FC_TZ_OFFSET, 0);
    assert_int_equal(fc_datetime_format(&x, buf, sizeof buf), 20);
    assert_string_equal(buf, "20240229T123456+0000");
    /* the offset is ignored unless tz is FC_TZ_OFFSET */
    x = dt(2024, 2, 29, 12, 34, 56, 0, FC_TZ_UTC, 5000);
    assert_int_equal(fc_datetime_format(&x, buf, sizeof buf), 16);

    /* exactly long enough, one byte short */
    x = dt(2024, 2, 29, 12, 34, 56, 0, FC_TZ_UTC, 0);
    assert_int_equal(fc_datetime_format(&x, buf, 17), 16);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(fc_datetime_format(&x, buf, 16), FERRY_EINVAL);
    assert_int_equal(fc_datetime_format(&x, NULL, 0), FERRY_EINVAL);

    static const fc_datetime bad[] = {
        {2024, 13, 1, 0, 0, 0, 0, FC_TZ_NONE, 0},
        {2023, 2, 29, 0, 0, 0, 0, FC_TZ_NONE, 0},
        {10000, 1, 1, 0, 0, 0, 0, FC_TZ_NONE, 0},
        {-1, 1, 1, 0, 0, 0, 0, FC_TZ_NONE, 0},
        {2024, 1, 1, 24, 0, 0, 0, FC_TZ_NONE, 0},
        {2024, 1, 1, 0, -1, 0, 0, FC_TZ_NONE, 0},
        {2024, 1, 1, 0, 0, 61, 0, FC_TZ_NONE, 0},
        {2024, 1, 1, 0, 0, 0, 10, FC_TZ_NONE, 0},
        {2024, 1, 1, 0, 0, 0, 0, FC_TZ_OFFSET, 1440},
        {2024, 1, 1, 0, 0, 0, 0, FC_TZ_OFFSET, -1440},
        {2024, 1, 1, 0, 0, 0, 0, (enum fc_tz)3, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t;
        assert_int_equal(fc_datetime_format(&bad[i], buf, sizeof buf), FERRY_EINVAL);
        assert_int_equal(fc_datetime_to_unix(&bad[i], &t), FERRY_EINVAL);
    }
}

static int64_t to_unix(const char *s)
{
    fc_datetime x;
    int64_t t = 42;
    assert_int_equal(fc_datetime_parse(s, &x), 0);
    assert_int_equal(fc_datetime_to_unix(&x, &t), 0);
    return t;
}

static void test_to_unix_utc(void **state)
{
    (void)state;
    assert_int_equal(to_unix("19700101T000000Z"), 0);
    assert_int_equal(to_unix("20240229T123456Z"), 1709210096);
    assert_int_equal(to_unix("20240229T123456.9Z"), 1709210096); /* tenths dropped */
    assert_int_equal(to_unix("19691231T235959Z"), -1);
    assert_int_equal(to_unix("20000301T000000Z"), 951868800);
    assert_int_equal(to_unix("19000301T000000Z"), INT64_C(-2203891200));
    assert_int_equal(to_unix("20380119T031408Z"), INT64_C(2147483648));
    assert_int_equal(to_unix("00010101T000000Z"), INT64_C(-62135596800));
    assert_int_equal(to_unix("00000101T000000Z"), INT64_C(-62167219200));
    assert_int_equal(to_unix("99991231T235959Z"), INT64_C(253402300799));
    /* a leap second counts as the next minute's first */
    assert_int_equal(to_unix("20161231T235960Z"), 1483228800);
    /* offsets: the same instant three ways */
    assert_int_equal(to_unix("20240229T133456+0100"), 1709210096);
    assert_int_equal(to_unix("20240229T043456-0800"), 1709210096);
    assert_int_equal(to_unix("20240301T003356+1159"), 1709210096);
    assert_int_equal(to_unix("20240229T123456+0000"), 1709210096);
}

static void set_tz(const char *tz)
{
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    tzset();
}

static void test_local_time(void **state)
{
    (void)state;
    char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    fc_datetime x;

    set_tz("UTC0");
    assert_int_equal(to_unix("20240229T123456"), 1709210096);

    /* Central European time, POSIX rule (needs no tz database) */
    set_tz("CET-1CEST,M3.5.0,M10.5.0/3");
    assert_int_equal(to_unix("20240229T133456"), 1709210096);  /* UTC+1 */
    assert_int_equal(to_unix("20240715T143456"), 1721046896);  /* UTC+2 */
    assert_int_equal(to_unix("20240715T123456Z"), 1721046896); /* zone wins */

    assert_int_equal(fc_datetime_from_unix(1709210096, false, &x), 0);
    fc_datetime exp = dt(2024, 2, 29, 13, 34, 56, 0, FC_TZ_NONE, 0);
    assert_dt_equal(&x, &exp);
    assert_int_equal(fc_datetime_from_unix(1721046896, false, &x), 0);
    exp = dt(2024, 7, 15, 14, 34, 56, 0, FC_TZ_NONE, 0);
    assert_dt_equal(&x, &exp);

    /* local round trips away from the DST switches */
    for (int64_t t = 1704067200; t < 1704067200 + 40 * 86400; t += 3607) {
        int64_t back;
        assert_int_equal(fc_datetime_from_unix(t, false, &x), 0);
        assert_int_equal(fc_datetime_to_unix(&x, &back), 0);
        assert_int_equal(back, t);
    }

    /* out of range in local time too */
    assert_int_equal(fc_datetime_from_unix(INT64_C(253402300799) + 86400 * 2, false, &x),
                     FERRY_EOVERFLOW);
    ct_assert_zero(&x, sizeof x);

    set_tz(saved);
    free(saved);
}

static void test_from_unix_utc(void **state)
{
    (void)state;
    fc_datetime x, exp;

    assert_int_equal(fc_datetime_from_unix(1709210096, true, &x), 0);
    exp = dt(2024, 2, 29, 12, 34, 56, 0, FC_TZ_UTC, 0);
    assert_dt_equal(&x, &exp);
    assert_int_equal(fc_datetime_from_unix(-1, true, &x), 0);
    exp = dt(1969, 12, 31, 23, 59, 59, 0, FC_TZ_UTC, 0);
    assert_dt_equal(&x, &exp);
    assert_int_equal(fc_datetime_from_unix(INT64_C(-62167219200), true, &x), 0);
    exp = dt(0, 1, 1, 0, 0, 0, 0, FC_TZ_UTC, 0);
    assert_dt_equal(&x, &exp);
    assert_int_equal(fc_datetime_from_unix(INT64_C(253402300799), true, &x), 0);
    exp = dt(9999, 12, 31, 23, 59, 59, 0, FC_TZ_UTC, 0);
    assert_dt_equal(&x, &exp);
    assert_int_equal(fc_datetime_from_unix(951782400, true, &x), 0); /* 2000-02-29 */
    exp = dt(2000, 2, 29, 0, 0, 0, 0, FC_TZ_UTC, 0);
    assert_dt_equal(&x, &exp);

    memset(&x, 0xA5, sizeof x);
    assert_int_equal(fc_datetime_from_unix(INT64_C(-62167219201), true, &x), FERRY_EOVERFLOW);
    ct_assert_zero(&x, sizeof x);
    assert_int_equal(fc_datetime_from_unix(INT64_C(253402300800), true, &x), FERRY_EOVERFLOW);
    assert_int_equal(fc_datetime_from_unix(INT64_MIN, true, &x), FERRY_EOVERFLOW);
    assert_int_equal(fc_datetime_from_unix(INT64_MAX, true, &x), FERRY_EOVERFLOW);

    char buf[24];
    assert_int_equal(fc_datetime_from_unix(0, true, &x), 0);
    assert_int_equal(fc_datetime_format(&x, buf, sizeof buf), 16);
    assert_string_equal(buf, "19700101T000000Z");
}

/* Across the whole range: from_unix agrees with gmtime_r field by field
 * and to_unix inverts it. */
static void test_utc_sweep(void **state)
{
    (void)state;
    const int64_t min = INT64_C(-62167219200), max = INT64_C(253402300799);
    unsigned n = 0;

    for (int64_t t = min; t <= max; t += INT64_C(3196817), n++) {
        fc_datetime x;
        int64_t back;
        assert_int_equal(fc_datetime_from_unix(t, true, &x), 0);
        assert_int_equal(fc_datetime_to_unix(&x, &back), 0);
        assert_int_equal(back, t);

        time_t tt = (time_t)t;
        struct tm tm;
        if ((int64_t)tt == t && gmtime_r(&tt, &tm)) {
            assert_int_equal(x.year, tm.tm_year + 1900);
            assert_int_equal(x.month, tm.tm_mon + 1);
            assert_int_equal(x.day, tm.tm_mday);
            assert_int_equal(x.hour, tm.tm_hour);
            assert_int_equal(x.minute, tm.tm_min);
            assert_int_equal(x.second, tm.tm_sec);
        }
    }
    assert_true(n > 90000);

    /* every day of 1999-2001 (the 2000 leap day, year ends) at 23:59:59 */
    for (int64_t t = 915148800 - 1; t < 1009843200; t += 86400) {
        fc_datetime x;
        int64_t back;
        assert_int_equal(fc_datetime_from_unix(t, true, &x), 0);
        assert_int_equal(x.hour * 3600 + x.minute * 60 + x.second, 86399);
        assert_int_equal(fc_datetime_to_unix(&x, &back), 0);
        assert_int_equal(back, t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_empty),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_to_unix_utc),
        cmocka_unit_test(test_local_time),
        cmocka_unit_test(test_from_unix_utc),
        cmocka_unit_test(test_utc_sweep),
    };
    return cmocka_run_group_tests_name("codec-datetime", tests, NULL, NULL);
}
