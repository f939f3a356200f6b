/*
 * numread.h - reading numbers from text into exact decimals (decimal.h): the answers learners
 * write, under the question's number format, and the numbers rubric authors write.
 *
 * Every value read is within the range stated in decimal.h (DEC_MAX_DIGITS, DEC_MAX_EXP);
 * anything beyond is reported as out of range, never built. Reasons are sentences without a
 * trailing period, cut on a UTF-8 character boundary.
 */
#ifndef ENGINE_NUMREAD_H
#define ENGINE_NUMREAD_H

#include "decimal.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* How a question expects learners to write numbers. */
typedef struct nr_format {
    char decimal_sep; /* '.' (default) or ',' */
    bool grouping;    /* thousands grouping accepted, well-formed only */
} nr_format;

typedef enum nr_status {
    NR_OK = 0,
    NR_EMPTY,  /* empty or whitespace-only: "no answer" */
    NR_INVALID /* reason[] says why, for the learner */
} nr_status;

typedef struct nr_result {
    dec_num value;               /* the number read (exact) */
    int sig_figs;                /* significant figures as written (see the grammar) */
    size_t num_start, num_end;   /* byte offsets of the number's text in the input */
    size_t unit_start, unit_len; /* the unit text after the number, if any (len 0: none) */
    char reason[160];
} nr_result;

void assay__numread_init(nr_result *r);
void assay__numread_clear(nr_result *r);

/*
 * Reads a learner's answer (UTF-8, not NUL-terminated) as a number, following the grammar in
 * docs/rubric-format.md ("Numbers learners write"):
 *   optional Unicode White_Space; a sign '+', '-' or U+2212; digits with an optional
 *   fraction ('.5' and '5.' accepted) using fmt->decimal_sep; with fmt->grouping,
 *   well-formed thousands groups in the integer part only; an optional exponent:
 *   'e'/'E' or '×10^', 'x10^', '*10^', '*10**' (spaces allowed around ×, x or *) with a signed
 *   integer power (sign '+', '-' or U+2212); optional White_Space.
 * When allow_unit is true, text after the number (and optional spaces) up to the trailing
 * whitespace is returned as the unit (unit_start/unit_len) instead of making the answer
 * invalid. The unit text must not start with a digit, sign or separator.
 * Using the other decimal separator gives NR_INVALID with a reason that says which
 * separator the question expects (so "1,500" under '.' without grouping is invalid).
 * Significant figures: mantissa digits from the first non-zero one; trailing zeros count
 * only when a decimal point is written ("420" -> 2, "420." -> 3, "1.00e5" -> 3); a zero
 * value counts its written fractional zeros, at least 1 ("0" -> 1, "0.00" -> 2).
 * Hexadecimal, fractions, inf, nan and values outside the documented range are invalid.
 */
nr_status assay__numread_answer(const char *s, size_t len, const nr_format *fmt,
                                bool allow_unit, nr_result *out);

/*
 * A number written by a rubric author: a JSON integer, a JSON real (meaning the shortest
 * decimal that round-trips to the same double, so 3.175 is exactly 3.175), or a string in
 * plain decimal or e-notation ("0.01", "-1.6e-5", "+2"; point separator only, no spaces,
 * no grouping, no other exponent forms). Returns 0, or -1 with a reason in why (a sentence
 * without a trailing period, e.g. "\"1,5\" is not a decimal number").
 */
int assay__numread_json(dec_num *d, const json_t *v, char *why, size_t whylen);
/* The same for a NUL-terminated rubric string. */
int assay__numread_string(dec_num *d, const char *s, char *why, size_t whylen);

#endif
