/*
 * decimal.h - exact decimal numbers for numeric checks, on GMP.
 *
 * A value is coef * 10^exp with an arbitrary-precision integer coefficient, so every
 * decimal a learner or a rubric can write is held exactly, and sums, differences and
 * products of such values stay exact (a unit multiplier of 0.01 times 3 is exactly 0.03).
 * No binary double ever takes part in a comparison. Division is not offered: no check needs
 * it.
 *
 * Numbers are read from text by numread.h. This module does not know about checks or
 * rubrics.
 *
 * Range: a value read from text (numread.h) may have at most DEC_MAX_DIGITS mantissa digits and
 * its decimal exponent (the power of ten of its first significant digit) must lie within
 * [-DEC_MAX_EXP, DEC_MAX_EXP]; anything beyond is rejected as out of range, so
 * no input can make GMP allocate without bound.
 */
#ifndef ENGINE_DECIMAL_H
#define ENGINE_DECIMAL_H

#include <gmp.h>
#include <stdbool.h>
#include <stdint.h>
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
/* Puts d in normal form (no trailing decimal zero in coef, zero as 0 * 10^0), as every
 * function of this module leaves its result. */
void assay__dec_normalize(dec_num *d);

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
int assay__dec_double_digits(double v);

/* The exact rational value of d (q must be initialised). */
void assay__dec_to_mpq(mpq_t q, const dec_num *d);

#endif
