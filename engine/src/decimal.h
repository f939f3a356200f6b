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
 * Range: a value read from text may have at most DEC_MAX_DIGITS mantissa digits and
 * its decimal exponent (the power of ten of its first significant digit) must lie within
 * [-DEC_MAX_EXP, DEC_MAX_EXP]; anything beyond is rejected as out of range, so
 * no input can make GMP allocate without bound.
 */
#ifndef ENGINE_DECIMAL_H
#define ENGINE_DECIMAL_H

#include <gmp.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define DEC_MAX_DIGITS 1000
#define DEC_MAX_EXP    1000

typedef struct dec_num {
    mpz_t coef;
    long exp;
} dec_num;

/* Lifetime. Every dec_num is initialised to 0 and must be cleared. */
void assay__dec_init(dec_num *d);
void assay__dec_clear(dec_num *d);
void assay__dec_set(dec_num *dst, const dec_num *src);
void assay__dec_set_si(dec_num *dst, long v);

/* Arithmetic; r may alias a or b. All exact. */
void assay__dec_add(dec_num *r, const dec_num *a, const dec_num *b);
void assay__dec_sub(dec_num *r, const dec_num *a, const dec_num *b);
void assay__dec_mul(dec_num *r, const dec_num *a, const dec_num *b);
void assay__dec_neg(dec_num *r, const dec_num *a);
void assay__dec_abs(dec_num *r, const dec_num *a);

/* Comparison: <0, 0, >0 as a is less than, equal to, greater than b. Exact. */
int assay__dec_cmp(const dec_num *a, const dec_num *b);
/* -1, 0 or 1. */
int assay__dec_sgn(const dec_num *a);

/*
 * Rounding, half away from zero, on the decimal digits:
 *  - places: to `places` digits after the point (places may be 0 or negative: -2 rounds to
 *    hundreds). 1.005 -> 1.01, 5.045 -> 5.05, -2.5 at 0 places -> -3.
 *  - figures (>= 1): to `figures` significant figures. 3.175 -> 3.18 (3),
 *    0.000125 -> 0.00013 (2), 0 stays 0.
 */
void assay__dec_round_places(dec_num *r, const dec_num *x, long places);
void assay__dec_round_figures(dec_num *r, const dec_num *x, long figures);

/*
 * Canonical text: plain positional notation with no exponent, no trailing fractional zeros,
 * "-" for negatives, "0" for zero (never "-0"): "0.00013", "-1500", "3.18". When the plain
 * form would be longer than 40 characters the form is "<mantissa>e<exp>" in scientific
 * notation instead, e.g. "1.5e-300". Caller frees with free(). NULL on allocation failure.
 */
char *assay__dec_to_string(const dec_num *d);
/* Nearest double, for display and for JSON output only; never for comparisons. */
double assay__dec_to_double(const dec_num *d);

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
int assay__dec_from_json(dec_num *d, const json_t *v, char *why, size_t whylen);
/* The same for a NUL-terminated rubric string. */
int assay__dec_from_rubric_string(dec_num *d, const char *s, char *why, size_t whylen);

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
nr_status assay__dec_parse_answer(const char *s, size_t len, const nr_format *fmt,
                                  bool allow_unit, nr_result *out);

#endif
