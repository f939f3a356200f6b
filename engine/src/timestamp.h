/*
 * timestamp.h - RFC 3339 date-times as the records order evidence by them (timestamp.c):
 * read with rfc3339.h's reader (so a record reads a result's "submitted_at" exactly as the
 * result wrote it), kept as UTC text with the fraction digits as written, and compared
 * exactly (whole seconds, then the fraction digit by digit).
 *
 * Nothing here allocates or reads the clock. The module knows nothing of submissions or
 * results: callers pass the text of a "submitted_at" or "graded_at".
 */
#ifndef ENGINE_TIMESTAMP_H
#define ENGINE_TIMESTAMP_H

#include "rfc3339.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A point in time read from RFC 3339 text. */
typedef struct ts_time {
    int64_t s;                   /* seconds since 1970-01-01T00:00:00Z */
    char text[RFC3339_UTC_SIZE]; /* normalised: "2026-03-01T09:00:00.25Z" (UTC, upper-case T, Z)
                                  */
    uint8_t frac_len;            /* fractional digits, as written (trailing zeros kept) */
} ts_time;

/*
 * Reads an RFC 3339 date-time with a time zone (rfc3339.h: at most RFC3339_MAX_FRACTION
 * fraction digits, years 0000 to 9999 in UTC) into out: its UTC text, the seconds field kept
 * as written (a leap second stays ":60" and orders as the next minute's first second). s
 * need not be NUL-terminated.
 * @return 0, or -1 with rfc3339.h's phrase in why (e.g. "that month has no such day"); out
 * is unchanged on failure.
 */
int assay__ts_parse(const char *s, size_t len, ts_time *out, char *why, size_t whylen);

/* <0, 0, >0 as a is earlier than, the same time as, later than b (fractions compared as
 * numbers: .5 and .50 are the same time). */
int assay__ts_cmp(const ts_time *a, const ts_time *b);

#endif
