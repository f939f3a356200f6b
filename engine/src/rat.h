/*
 * rat.h - exact rationals for scoring (rat.c): a pair of 64-bit integers in lowest terms
 * while the value fits, a GMP rational only when it does not. Points, credits, weights and
 * competency scores are small fractions, so grading does machine arithmetic with an
 * overflow check instead of GMP's allocating, gcd-canonicalising calls; a value that
 * outgrows 64 bits moves to GMP and gives the same exact result.
 *
 * Also the one place a score becomes a double and a JSON number (an integer when it is one,
 * else the double nearest to it with 15 significant digits), and its exact text ("71/80").
 */
#ifndef ENGINE_RAT_H
#define ENGINE_RAT_H

#include "jsonw.h"

#include <gmp.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A rational. Zero it (or rat_set_int) to start; assay__rat_clear frees a GMP value. */
typedef struct rat {
    int64_t n, d; /* when !big: n / d in lowest terms, d > 0, n > INT64_MIN */
    bool big;
    mpq_t q; /* when big (initialised only then) */
} rat;

/* Frees a GMP value and sets x to 0. */
void assay__rat_clear(rat *x);

static inline void rat_set_int(rat *x, int64_t v)
{
    if (x->big) {
        assay__rat_clear(x);
    }
    x->n = v;
    x->d = 1;
}

/* x = q (a rubric's quantity: points, weights, thresholds, penalties). */
void assay__rat_set_mpq(rat *x, const mpq_t q);
/* r = a. */
void assay__rat_set(rat *r, const rat *a);

/* r = a + b, a - b, a * b, a / b (b not 0). r may alias a or b. */
void assay__rat_add(rat *r, const rat *a, const rat *b);
void assay__rat_sub(rat *r, const rat *a, const rat *b);
void assay__rat_mul(rat *r, const rat *a, const rat *b);
void assay__rat_div(rat *r, const rat *a, const rat *b);

/* <0, 0, >0 as a < b, a == b, a > b. */
int assay__rat_cmp(const rat *a, const rat *b);
int assay__rat_sgn(const rat *a);
/* a == 1. */
bool assay__rat_is_one(const rat *a);

/* The double nearest to x (ties to even). */
double assay__rat_double(const rat *x);

/*
 * x as the engine writes a score in JSON: an integer when it is one (and fits 64 bits), else
 * the real nearest to it with JSON_REAL_PRECISION(15), byte for byte as jansson writes it.
 * @return the length written to out (NUL-terminated).
 */
size_t assay__rat_json_text(const rat *x, char out[JW_NUMBER_SIZE]);
/* Appends that text to b. */
void assay__rat_write(jw_buf *b, const rat *x);
/* The same value as a new jansson number (json_integer or json_real). */
json_t *assay__rat_json(const rat *x);

/* Appends x's exact text in lowest terms: "p/q", or "p" when q is 1. */
void assay__rat_write_exact(jw_buf *b, const rat *x);

#endif
