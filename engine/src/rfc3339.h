/*
 * rfc3339.h - RFC 3339 date-times as submissions carry them (submitted_at, enqueued_at):
 * reading one that has a time zone, and writing it again in UTC with the fraction digits it
 * was given, plus the instant as Unix epoch milliseconds.
 *
 * It knows the Gregorian calendar and nothing about time zones beyond numeric offsets.
 */
#ifndef ENGINE_RFC3339_H
#define ENGINE_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* Fraction digits accepted after the seconds (nanoseconds). */
#define RFC3339_MAX_FRACTION 9
/* Room for the UTC form: "YYYY-MM-DDTHH:MM:SS" "." 9 digits "Z" and the NUL. */
#define RFC3339_UTC_SIZE 32

/*
 * Reads s[0..len): "YYYY-MM-DDTHH:MM:SS", an optional "." with 1 to RFC3339_MAX_FRACTION
 * digits, then "Z" or "+HH:MM" / "-HH:MM" ("T" and "Z" may be lower case, as RFC 3339
 * allows). Seconds may be 60 (a leap second). On success writes the same instant in UTC to
 * utc ("YYYY-MM-DDTHH:MM:SS[.fraction]Z", the fraction digits as written, the seconds field
 * kept) and its epoch milliseconds (rounded down) to *ms, and returns NULL. Otherwise returns
 * a static phrase saying what is wrong ("the month is 13", "it has no time zone: add Z or an
 * offset such as +01:00"); utc and *ms are then unspecified. A date-time whose UTC form falls
 * outside the years 0000-9999 is refused.
 */
const char *assay__rfc3339_utc(const char *s, size_t len, char utc[RFC3339_UTC_SIZE],
                               int64_t *ms);

#endif
