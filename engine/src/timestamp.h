/*
 * timestamp.h - RFC 3339 date-times as the records order evidence by them (timestamp.c):
 * read with their time zone, normalised to UTC text that keeps the fractional digits as
 * written, and compared exactly (whole seconds, then the fraction digit by digit).
 *
 * Nothing here allocates or reads the clock. The module knows nothing of submissions or
 * results: callers pass the text of a "submitted_at" or "graded_at".
 */
#ifndef ENGINE_TIMESTAMP_H
#define ENGINE_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most fractional-second digits accepted. */
#define TS_FRAC_MAX 30
/* Room for the normalised text: "YYYY-MM-DDTHH:MM:SS" "." fraction "Z" and a NUL. */
#define TS_TEXT_MAX (19 + 1 + TS_FRAC_MAX + 1 + 1)

/* A point in time read from RFC 3339 text. */
typedef struct ts_time {
    int64_t s;              /* seconds since 1970-01-01T00:00:00Z */
    char text[TS_TEXT_MAX]; /* normalised: "2026-03-01T09:00:00.25Z" (UTC, upper-case T, Z) */
    uint8_t frac_len;       /* fractional digits, as written (trailing zeros kept) */
} ts_time;

/*
 * Reads "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" (T and Z in either case; 1 to
 * TS_FRAC_MAX fraction digits) into out, normalised to UTC. A leap second (:60) counts as
 * the first second of the next minute; impossible dates (February 30) and times that leave
 * the years 0000 to 9999 once moved to UTC are refused. s need not be NUL-terminated.
 * @return 0, or -1 with a reason in why (a phrase without a trailing period, e.g. "month 13
 * does not exist"); out is unchanged on failure.
 */
int assay__ts_parse(const char *s, size_t len, ts_time *out, char *why, size_t whylen);

/* <0, 0, >0 as a is earlier than, the same time as, later than b (fractions compared as
 * numbers: .5 and .50 are the same time). */
int assay__ts_cmp(const ts_time *a, const ts_time *b);

#endif
