/*
 * decimal.h - exact decimal numbers for numeric checks, on GMP.
 *
 * A value is coef * 10^exp with an arbitrary-precision integer coefficient, so every
 * decimal a learner or a rubric can write is held exactly, and sums, differences and
 * products of such values stay exact (a unit multiplier of 0.01 times 3 is exactly 0.03).
 * No binary double ever takes part in a comparison. Division is not offered: no check needs
 * it.
 *
 * The module also owns the learner number grammar (assay__dec_parse_answer) and the reading
 * of rubric numbers (assay__dec_from_json). It does not know about checks or rubrics.
 *
 * Range: a value read from text may have at most ASSAY_DEC_MAX_DIGITS mantissa digits and
 * its decimal exponent (the power of ten of its first significant digit) must lie within
 * [-ASSAY_DEC_MAX_EXP, ASSAY_DEC_MAX_EXP]; anything beyond is rejected as out of range, so
 * no input can make GMP allocate without bound.
 */
#ifndef ASSAY_DECIMAL_H
#define ASSAY_DECIMAL_H

#include <gmp.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define ASSAY_DEC_MAX_DIGITS 1000
#define ASSAY_DEC_MAX_EXP    1000

typedef struct assay_dec {
    mpz_t coef;
    long exp;
} assay_dec;

/* Lifetime. Every assay_dec is initialised to 0 and must be cleared. */
void assay__dec_init(assay_dec *d);
void assay__dec_clear(assay_dec *d);
void assay__dec_set(assay_dec *dst, const assay_dec *src);
void assay__dec_set_si(assay_dec *dst, long v);

/* Arithmetic; r may alias a or b. All exact. */
void assay__dec_add(assay_dec *r, const assay_dec *a, const assay_dec *b);
void assay__dec_sub(assay_dec *r, const assay_dec *a, const assay_dec *b);
void assay__dec_mul(assay_dec *r, const assay_dec *a, const assay_dec *b);
void assay__dec_neg(assay_dec *r, const assay_dec *a);
void assay__dec_abs(assay_dec *r, const assay_dec *a);

/* Comparison: <0, 0, >0 as a is less than, equal to, greater than b. Exact. */
int assay__dec_cmp(const assay_dec *a, const assay_dec *b);
/* -1, 0 or 1. */
int assay__dec_sgn(const assay_dec *a);

/*
 * Rounding, half away from zero, on the decimal digits:
 *  - places: to `places` digits after the point (places may be 0 or negative: -2 rounds to
 *    hundreds). 1.005 -> 1.01, 5.045 -> 5.05, -2.5 at 0 places -> -3.
 *  - figures (>= 1): to `figures` significant figures. 3.175 -> 3.18 (3),
 *    0.000125 -> 0.00013 (2), 0 stays 0.
 */
void assay__dec_round_places(assay_dec *r, const assay_dec *x, long places);
void assay__dec_round_figures(assay_dec *r, const assay_dec *x, long figures);

/*
 * Canonical text: plain positional notation with no exponent, no trailing fractional zeros,
 * "-" for negatives, "0" for zero (never "-0"): "0.00013", "-1500", "3.18". When the plain
 * form would be longer than 40 characters the form is "<mantissa>e<exp>" in scientific
 * notation instead, e.g. "1.5e-300". Caller frees with free(). NULL on allocation failure.
 */
char *assay__dec_to_string(const assay_dec *d);
/* Nearest double, for display and for JSON output only; never for comparisons. */
double assay__dec_to_double(const assay_dec *d);

/*
 * The fewest significant digits (1 to 17) with which a finite double v, printed with
 * "%.*e" (digits - 1) or "%.*g" (digits), reads back as exactly v.
 */
int assay__double_digits(double v);

/*
 * A number written by a rubric author: a JSON integer, a JSON real (meaning the shortest
 * decimal that round-trips to the same double, so 3.175 is exactly 3.175), or a string in
 * plain decimal or e-notation ("0.01", "-1.6e-5", "+2"; point separator only, no spaces,
 * no grouping, no other exponent forms). Returns 0, or -1 with a reason in why (a sentence
 * without a trailing period, e.g. "\"1,5\" is not a decimal number").
 */
int assay__dec_from_json(assay_dec *d, const json_t *v, char *why, size_t whylen);
/* The same for a NUL-terminated rubric string. */
int assay__dec_from_rubric_string(assay_dec *d, const char *s, char *why, size_t whylen);

/* How a question expects learners to write numbers. */
typedef struct assay_numfmt {
    char decimal_sep; /* '.' (default) or ',' */
    bool grouping;    /* thousands grouping accepted, well-formed only */
} assay_numfmt;

typedef enum assay_numread_status {
    ASSAY_NUM_OK = 0,
    ASSAY_NUM_EMPTY,  /* empty or whitespace-only: "no answer" */
    ASSAY_NUM_INVALID /* reason[] says why, for the learner */
} assay_numread_status;

typedef struct assay_numread {
    assay_dec value;             /* the number read (exact) */
    int sig_figs;                /* significant figures as written (see the grammar) */
    size_t num_start, num_end;   /* byte offsets of the number's text in the input */
    size_t unit_start, unit_len; /* the unit text after the number, if any (len 0: none) */
    char reason[160];
} assay_numread;

void assay__numread_init(assay_numread *r);
void assay__numread_clear(assay_numread *r);

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
 * Using the other decimal separator gives ASSAY_NUM_INVALID with a reason that says which
 * separator the question expects (so "1,500" under '.' without grouping is invalid).
 * Significant figures: mantissa digits from the first non-zero one; trailing zeros count
 * only when a decimal point is written ("420" -> 2, "420." -> 3, "1.00e5" -> 3); a zero
 * value counts its written fractional zeros, at least 1 ("0" -> 1, "0.00" -> 2).
 * Hexadecimal, fractions, inf, nan and values outside the documented range are invalid.
 */
assay_numread_status assay__dec_parse_answer(const char *s, size_t len, const assay_numfmt *fmt,
                                             bool allow_unit, assay_numread *out);

#endif
