/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Date-time strings (PIMA 15740 5.3.5): "YYYYMMDDThhmmss" with optional
 * tenths of a second ".s" and an optional zone: "Z" for UTC or "+hhmm" /
 * "-hhmm"; no zone means the local time of the device.
 *
 * Conversion to and from seconds since the epoch uses its own calendar
 * arithmetic (proleptic Gregorian, years 0000-9999) for UTC and offsets,
 * and the C library (mktime, localtime_r) only for local time.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "codec/codec.h"

#define SECS_PER_DAY 86400
/* days from 0000-01-01 to 1970-01-01 */
#define EPOCH_DAYS 719528

static int is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int y, int m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30,
                                           31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Checks every field of dt. */
static int dt_valid(const fc_datetime *dt)
{
    if (dt->year < 0 || dt->year > 9999 || dt->month < 1 || dt->month > 12)
        return 0;
    if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
        return 0;
    if (dt->hour < 0 || dt->hour > 23 || dt->minute < 0 || dt->minute > 59 ||
        dt->second < 0 || dt->second > 60 || dt->tenths < 0 || dt->tenths > 9)
        return 0;
    switch (dt->tz) {
    case FC_TZ_NONE:
    case FC_TZ_UTC:
        return 1;
    case FC_TZ_OFFSET:
        return dt->offset_min >= -1439 && dt->offset_min <= 1439;
    default:
        return 0;
    }
}

/* n decimal digits at s into *v; 0 if one of them is not a digit. */
static int digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

int fc_datetime_parse(const char *s, fc_datetime *out)
{
    fc_datetime dt;

    memset(out, 0, sizeof *out);
    if (!s || !*s)
        return FERRY_EEND;

    memset(&dt, 0, sizeof dt);
    /* digits() stops at the first non-digit, and the NUL is one, so no
     * read goes past the end of a short string. */
    if (!digits(s, 4, &dt.year) || !digits(s + 4, 2, &dt.month) ||
        !digits(s + 6, 2, &dt.day) || s[8] != 'T' || !digits(s + 9, 2, &dt.hour) ||
        !digits(s + 11, 2, &dt.minute) || !digits(s + 13, 2, &dt.second))
        return FERRY_EPROTO;

    const char *p = s + 15;
    if (*p == '.') {
        if (!digits(p + 1, 1, &dt.tenths))
            return FERRY_EPROTO;
        p += 2;
    }
    if (*p == 'Z') {
        dt.tz = FC_TZ_UTC;
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh, mm;
        if (!digits(p + 1, 2, &hh) || !digits(p + 3, 2, &mm) || hh > 23 || mm > 59)
            return FERRY_EPROTO;
        dt.tz = FC_TZ_OFFSET;
        dt.offset_min = (*p == '-' ? -1 : 1) * (hh * 60 + mm);
        p += 5;
    }
    if (*p != '\0' || !dt_valid(&dt))
        return FERRY_EPROTO;
    *out = dt;
    return 0;
}

int fc_datetime_format(const fc_datetime *dt, char *out, size_t outlen)
{
    char buf[32];
    int n;

    if (!dt_valid(dt))
        return FERRY_EINVAL;
    n = snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d", dt->year, dt->month,
                 dt->day, dt->hour, dt->minute, dt->second);
    if (dt->tenths)
        n += snprintf(buf + n, sizeof buf - (size_t)n, ".%d", dt->tenths);
    if (dt->tz == FC_TZ_UTC) {
        buf[n++] = 'Z';
        buf[n] = '\0';
    } else if (dt->tz == FC_TZ_OFFSET) {
        int off = dt->offset_min < 0 ? -dt->offset_min : dt->offset_min;
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%c%02d%02d",
                      dt->offset_min < 0 ? '-' : '+', off / 60, off % 60);
    }
    if (!out || outlen <= (size_t)n)
        return FERRY_EINVAL;
    memcpy(out, buf, (size_t)n + 1);
    return n;
}

/* Days from 0000-01-01 to the first of January of year y (0..10000). */
static int64_t days_before_year(int64_t y)
{
    if (y == 0)
        return 0;
    /* leap years in 0 .. y-1: year 0 plus those in 1 .. y-1 */
    int64_t leaps = 1 + (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400;
    return 365 * y + leaps;
}

/* Days since 1970-01-01 of a valid date. */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t days = days_before_year(y);
    for (int i = 1; i < m; i++)
        days += days_in_month(y, i);
    return days + d - 1 - EPOCH_DAYS;
}

int fc_datetime_to_unix(const fc_datetime *dt, int64_t *t)
{
    if (!dt_valid(dt))
        return FERRY_EINVAL;

    if (dt->tz == FC_TZ_NONE) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        tm.tm_year = dt->year - 1900;
        tm.tm_mon = dt->month - 1;
        tm.tm_mday = dt->day;
        tm.tm_hour = dt->hour;
        tm.tm_min = dt->minute;
        tm.tm_sec = dt->second;
        tm.tm_isdst = -1;
        tm.tm_wday = -1; /* mktime sets it on success; -1 is a valid result */
        time_t r = mktime(&tm);
        if (r == (time_t)-1 && tm.tm_wday == -1)
            return FERRY_EOVERFLOW;
        *t = (int64_t)r;
        return 0;
    }

    int64_t secs = days_from_civil(dt->year, dt->month, dt->day) * SECS_PER_DAY +
                   dt->hour * 3600 + dt->minute * 60 + dt->second;
    if (dt->tz == FC_TZ_OFFSET)
        secs -= (int64_t)dt->offset_min * 60;
    *t = secs;
    return 0;
}

int fc_datetime_from_unix(int64_t t, bool utc, fc_datetime *out)
{
    fc_datetime dt;

    memset(out, 0, sizeof *out);
    memset(&dt, 0, sizeof dt);

    if (!utc) {
        time_t tt = (time_t)t;
        struct tm tm;
        if ((int64_t)tt != t || !localtime_r(&tt, &tm))
            return FERRY_EOVERFLOW;
        if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
            return FERRY_EOVERFLOW;
        dt.year = tm.tm_year + 1900;
        dt.month = tm.tm_mon + 1;
        dt.day = tm.tm_mday;
        dt.hour = tm.tm_hour;
        dt.minute = tm.tm_min;
        dt.second = tm.tm_sec;
        dt.tz = FC_TZ_NONE;
        *out = dt;
        return 0;
    }

    /* 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z */
    const int64_t min = -(int64_t)EPOCH_DAYS * SECS_PER_DAY;
    const int64_t max = (days_before_year(10000) - EPOCH_DAYS) * SECS_PER_DAY - 1;
    if (t < min || t > max)
        return FERRY_EOVERFLOW;

    int64_t days = (t - min) / SECS_PER_DAY; /* since 0000-01-01, >= 0 */
    int64_t secs = (t - min) % SECS_PER_DAY;

    /* estimate the year from the mean Gregorian year, then correct */
    int64_t y = days * 400 / 146097;
    while (y > 0 && days_before_year(y) > days)
        y--;
    while (days_before_year(y + 1) <= days)
        y++;
    days -= days_before_year(y);

    int m = 1;
    while (days >= days_in_month((int)y, m))
        days -= days_in_month((int)y, m++);

    dt.year = (int)y;
    dt.month = m;
    dt.day = (int)days + 1;
    dt.hour = (int)(secs / 3600);
    dt.minute = (int)(secs / 60 % 60);
    dt.second = (int)(secs % 60);
    dt.tz = FC_TZ_UTC;
    *out = dt;
    return 0;
}
