/*
 * rfc3339.c - reading an RFC 3339 date-time with a time zone and writing it in UTC
 * (rfc3339.h). The offset is applied in whole minutes to a count of days on the proleptic
 * Gregorian calendar; the seconds field and the fraction are carried over as written, so a
 * leap second stays ":60" and no digit of the fraction is lost or invented.
 */
#include "rfc3339.h"

#include <stdbool.h>
#include <string.h>

/* Reads n decimal digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (negative before it). Years are shifted to start in March,
 * so the leap day is the last day of its year, and counted in 400-year eras of 146,097 days. */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                  /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
}

const char *assay__rfc3339_utc(const char *s, size_t len, char utc[RFC3339_UTC_SIZE],
                               int64_t *ms)
{
    int y, mo, d, h, mi, sec;
    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
        !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
        !digits(s + 17, 2, &sec)) {
        return "it does not start with a date and time in the form YYYY-MM-DDTHH:MM:SS";
    }
    if (mo < 1 || mo > 12) {
        return "the month is not 01 to 12";
    }
    if (d < 1 || d > month_days(y, mo)) {
        return "that month has no such day";
    }
    if (h > 23 || mi > 59 || sec > 60) {
        return "the time of day is out of range (hours 00-23, minutes 00-59, seconds 00-60)";
    }
    size_t i = 19, frac_at = 19, nfrac = 0;
    if (i < len && s[i] == '.') {
        i++;
        frac_at = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        nfrac = i - frac_at;
        if (nfrac == 0) {
            return "the decimal point after the seconds has no digits after it";
        }
        if (nfrac > RFC3339_MAX_FRACTION) {
            return "the seconds have more than 9 fraction digits";
        }
    }
    int off = 0; /* minutes east of UTC */
    if (i == len) {
        return "it has no time zone: add Z or an offset such as +01:00";
    }
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
        off = 0;
    } else if ((s[i] == '+' || s[i] == '-') && len - i == 6 && s[i + 3] == ':') {
        int oh, om;
        if (!digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om)) {
            return "the time zone offset is not in the form +HH:MM or -HH:MM";
        }
        if (oh > 23 || om > 59) {
            return "the time zone offset is out of range (hours 00-23, minutes 00-59)";
        }
        off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
    } else {
        return "it does not end with a time zone: Z or an offset such as +01:00";
    }

    int64_t minutes = days_from_civil(y, mo, d) * 1440 + h * 60 + mi - off;
    int64_t days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
    int64_t mod = minutes - days * 1440;
    int uy, um, ud;
    civil_from_days(days, &uy, &um, &ud);
    if (uy < 0 || uy > 9999) {
        return "in UTC it falls outside the years 0000 to 9999";
    }
    int millis = 0;
    for (size_t k = 0; k < 3; k++) {
        millis = millis * 10 + (k < nfrac ? s[frac_at + k] - '0' : 0);
    }
    *ms = (minutes * 60 + sec) * 1000 + millis;

    put2(utc, uy / 100);
    put2(utc + 2, uy % 100);
    utc[4] = '-';
    put2(utc + 5, um);
    utc[7] = '-';
    put2(utc + 8, ud);
    utc[10] = 'T';
    put2(utc + 11, (int)(mod / 60));
    utc[13] = ':';
    put2(utc + 14, (int)(mod % 60));
    utc[16] = ':';
    put2(utc + 17, sec);
    size_t o = 19;
    if (nfrac > 0) {
        utc[o++] = '.';
        memcpy(utc + o, s + frac_at, nfrac);
        o += nfrac;
    }
    utc[o++] = 'Z';
    utc[o] = '\0';
    return NULL;
}
