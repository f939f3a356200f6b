/*
 * timestamp.c - RFC 3339 date-times for ordering record evidence: the strict grammar of RFC
 * 3339 section 5.6 (a time zone required), proleptic Gregorian day counts, normalisation to
 * UTC with the fraction kept as written, and exact comparison.
 *
 * The day count is the usual era-based conversion (400-year cycles of 146097 days), so no
 * table and no library time function (timegm is not C11 or POSIX) takes part.
 */
#include "timestamp.h"

#include "error.h"

#include <stdio.h>
#include <string.h>

/* Reads n decimal digits at s. -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d: March-based years, so February's end is a year's end. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Seconds from 1970 to 0000-01-01 and to 10000-01-01: the range normalised text can hold. */
#define TS_MIN_S (-62167219200LL)
#define TS_END_S (253402300800LL)

int assay__ts_parse(const char *s, size_t len, ts_time *out, char *why, size_t whylen)
{
    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':') {
        assay__whyf(why, whylen,
                    "not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ or with +hh:mm)");
        return -1;
    }
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) {
        assay__whyf(why, whylen, "not an RFC 3339 date-time (a field is not all digits)");
        return -1;
    }
    if (mo < 1 || mo > 12) {
        assay__whyf(why, whylen, "month %d does not exist", mo);
        return -1;
    }
    if (d < 1 || d > month_days(y, mo)) {
        assay__whyf(why, whylen, "day %d does not exist in %04d-%02d", d, y, mo);
        return -1;
    }
    if (h > 23 || mi > 59 || sec > 60) {
        assay__whyf(why, whylen, "time %02d:%02d:%02d does not exist", h, mi, sec);
        return -1;
    }
    size_t p = 19, frac = 0, frac_len = 0;
    if (p < len && s[p] == '.') {
        frac = ++p;
        while (p < len && s[p] >= '0' && s[p] <= '9') {
            p++;
        }
        frac_len = p - frac;
        if (frac_len == 0 || frac_len > TS_FRAC_MAX) {
            assay__whyf(why, whylen, "the fraction of a second must have 1 to %d digits",
                        TS_FRAC_MAX);
            return -1;
        }
    }
    int offset = 0;
    if (p + 1 == len && (s[p] == 'Z' || s[p] == 'z')) {
        offset = 0;
    } else if (p + 6 == len && (s[p] == '+' || s[p] == '-') && s[p + 3] == ':') {
        int oh = digits(s + p + 1, 2), om = digits(s + p + 4, 2);
        if (oh < 0 || om < 0 || oh > 23 || om > 59) {
            assay__whyf(why, whylen, "the time zone offset must be +hh:mm or -hh:mm");
            return -1;
        }
        offset = (oh * 60 + om) * 60 * (s[p] == '-' ? -1 : 1);
    } else {
        assay__whyf(why, whylen, "a time zone is required: Z or +hh:mm or -hh:mm at the end");
        return -1;
    }
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    if (t < TS_MIN_S || t >= TS_END_S) {
        assay__whyf(why, whylen, "the time in UTC is outside the years 0000 to 9999");
        return -1;
    }
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int64_t yy;
    int mm, dd;
    civil_from_days(days, &yy, &mm, &dd);
    out->s = t;
    out->frac_len = (uint8_t)frac_len;
    snprintf(out->text, sizeof out->text, "%04d-%02d-%02dT%02d:%02d:%02d%s%.*sZ", (int)yy, mm,
             dd, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), frac_len ? "." : "",
             (int)frac_len, frac_len ? s + frac : "");
    return 0;
}

int assay__ts_cmp(const ts_time *a, const ts_time *b)
{
    if (a->s != b->s) {
        return a->s < b->s ? -1 : 1;
    }
    const char *fa = a->text + 20, *fb = b->text + 20; /* past "...SS." */
    size_t n = a->frac_len > b->frac_len ? a->frac_len : b->frac_len;
    for (size_t i = 0; i < n; i++) {
        char x = i < a->frac_len ? fa[i] : '0', y = i < b->frac_len ? fb[i] : '0';
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return 0;
}
