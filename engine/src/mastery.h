/*
 * mastery.h - the calculation methods on exact rationals, for the learner records and for
 * `assay mastery` (through the text API in <assay/mastery.h>), plus the exact-rational text
 * and double conversions they print with.
 *
 * The module knows nothing of records, submissions or Redis: it turns a sequence of scores,
 * oldest first, into one value. Sorting (by submitted_at, then submission id) is the
 * caller's. GMP aborts the process when it cannot allocate; nothing here allocates
 * otherwise except where a function says so.
 */
#ifndef ASSAY_MASTERY_INTERNAL_H
#define ASSAY_MASTERY_INTERNAL_H

#include "assay/assay.h"

#include <gmp.h>
#include <stdbool.h>
#include <stddef.h>

/* Largest magnitude of a score read from text: 10^15, so every integer score and every
 * value has a double within half a unit of its last integer digit. */
#define ASSAY_MASTERY_SCORE_MAX_EXP 15

/*
 * Whether m names a method and its parameter is in range (assay_mastery_method_parse only
 * builds such methods; this guards structs filled by hand).
 */
bool assay__mastery_method_valid(const assay_mastery_method *m);

/*
 * Computes m over scores[0..n-1] in that order; scores[i] NULL means not graded (skipped).
 * threshold is the mastery threshold (a score reaches mastery when score >= threshold);
 * NULL for none, which only n_mastery cannot do without. out is an initialised mpq and may
 * not alias a score. *graded (may be NULL) receives the number of non-NULL scores.
 * Returns 1 with the value in out; 0 when the method gives no value (out is then 0);
 * ASSAY_E_ARG when m is not valid or n_mastery has no threshold (out untouched).
 */
int assay__mastery_compute(const assay_mastery_method *m, const mpq_srcptr *scores, size_t n,
                           mpq_srcptr threshold, mpq_ptr out, size_t *graded);

/*
 * Reads a score written as text (the grammar of assay_mastery_compute_text: a rubric-style
 * decimal, or p/q of two integers, magnitude at most 10^ASSAY_MASTERY_SCORE_MAX_EXP) into q.
 * Returns 0, or -1 with a reason in why (a sentence without a trailing period, quoting the
 * text, e.g. "\"7/0\" has a zero denominator"); q is unchanged on failure.
 */
int assay__mpq_from_text(mpq_ptr q, const char *s, char *why, size_t whylen);

/*
 * The exact text of q: an integer ("4", "-12"), a plain terminating decimal ("3.5275",
 * "-0.001", never an exponent), or "p/q" in lowest terms ("5/3", "-1/3"). Caller frees
 * with free(); NULL when out of memory.
 */
char *assay__mpq_to_text(mpq_srcptr q);

/* The double nearest to q (ties to even), or +-HUGE_VAL when |q| is beyond every double. */
double assay__mpq_to_double(mpq_srcptr q);

/*
 * The three functions above try a fast path first: a fraction (or an integer without a
 * leading zero) of at most 18 digits each side is read with machine integers; a value whose
 * terms fit 64 bits is written, and one whose terms fit 53 bits converted ((double)p / q
 * is then correctly rounded), without GMP's general routines. These are the general
 * routines alone, which the fast paths must agree with (tests/unit/test_mastery.c).
 */
int assay__mpq_from_text_general(mpq_ptr q, const char *s, char *why, size_t whylen);
char *assay__mpq_to_text_general(mpq_srcptr q);
double assay__mpq_to_double_general(mpq_srcptr q);

#endif
