/*
 * timestamp.c - RFC 3339 date-times as points in time that record evidence is ordered by:
 * read by rfc3339.c (the one reader of the engine, whose UTC text and messages results use
 * too) and compared exactly, whole seconds first, then the fraction digit by digit.
 */
#include "timestamp.h"

#include "error.h"

#include <string.h>

int assay__ts_parse(const char *s, size_t len, ts_time *out, char *why, size_t whylen)
{
    char utc[RFC3339_UTC_SIZE];
    int64_t ms;
    const char *bad = assay__rfc3339_utc(s, len, utc, &ms);
    if (bad) {
        assay__whyf(why, whylen, "%s", bad);
        return -1;
    }
    /* Whole seconds, rounded towards the past (ms is negative before 1970). */
    out->s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    size_t n = strlen(utc);
    memcpy(out->text, utc, n + 1);
    /* "YYYY-MM-DDTHH:MM:SS" then, when there is a fraction, "." and its digits, then "Z". */
    out->frac_len = (uint8_t)(n > 20 ? n - 21 : 0);
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
