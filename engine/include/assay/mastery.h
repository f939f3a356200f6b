/*
 * assay/mastery.h - calculation methods: how a learner's scores on one competency, over many
 * attempts and assessments, become one value (the methods of Canvas outcomes), exactly.
 *
 * Included by <assay/assay.h>; it may also be included on its own. The methods and their
 * formulas are described in docs/records.md ("Calculation methods"). Every value is computed
 * in exact rational arithmetic (GMP); a double is given only for display.
 *
 *     assay_mastery_method m;
 *     char why[256];
 *     if (assay_mastery_method_parse("n_mastery", true, 3, &m, why, sizeof why) != 0) ...
 *     const char *scores[] = {"4", "5", NULL, "1", "3", "2", "3"};   // NULL: not graded
 *     assay_mastery_value v;
 *     if (assay_mastery_compute_text(&m, scores, 7, "3", &v, why, sizeof why) == 0) {
 *         // v.has_value, v.exact = "3.75", v.value = 3.75, v.mastered = 1, v.graded = 6
 *         assay_mastery_value_finish(&v);
 *     }
 *
 * Memory: the library reports its own allocation failures as ASSAY_E_NOMEM, but GMP itself
 * aborts the process when it cannot allocate. Scores read from text are bounded (see
 * assay_mastery_compute_text), and each score adds about two digits to the denominator of
 * a decaying or weighted average, so the numbers stay modest.
 */
#ifndef ASSAY_MASTERY_H
#define ASSAY_MASTERY_H

#include <assay/error.h>

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The calculation methods. */
typedef enum assay_mastery_kind {
    ASSAY_MASTERY_HIGHEST,          /**< the highest score */
    ASSAY_MASTERY_LATEST,           /**< the last score */
    ASSAY_MASTERY_AVERAGE,          /**< the mean of the scores */
    ASSAY_MASTERY_N_MASTERY,        /**< n scores at mastery, then their mean; n in 1..10 */
    ASSAY_MASTERY_DECAYING_AVERAGE, /**< r1 = s1, rk = r(k-1)(1 - w) + sk w; w in 50..99 % */
    ASSAY_MASTERY_WEIGHTED_AVERAGE, /**< latest w + mean(earlier)(1 - w); w in 50..99 % */
} assay_mastery_kind;

#define ASSAY_MASTERY_N_MIN      1
#define ASSAY_MASTERY_N_MAX      10
#define ASSAY_MASTERY_WEIGHT_MIN 50
#define ASSAY_MASTERY_WEIGHT_MAX 99

/** A method and its parameter. Build it with assay_mastery_method_parse(). */
typedef struct assay_mastery_method {
    assay_mastery_kind kind;
    /** n for n_mastery, the weight in percent for the two averages, 0 for the others. */
    int param;
} assay_mastery_method;

/**
 * @return the method's name as written in frameworks and on the command line
 *         ("n_mastery"), a static string; NULL for a value that is not a method.
 */
ASSAY_API const char *assay_mastery_kind_name(assay_mastery_kind kind);

/** @return whether the method takes a parameter (n_mastery and the two averages). */
ASSAY_API bool assay_mastery_kind_has_param(assay_mastery_kind kind);

/**
 * Builds a method from its name and parameter, checking the parameter's range.
 * @param name      one of highest, latest, average, n_mastery, decaying_average,
 *                  weighted_average (exact spelling)
 * @param has_param whether a parameter was given; n_mastery and the averages need one, the
 *                  others take none
 * @param param     the parameter: n from 1 to 10, or a weight in percent from 50 to 99
 * @param out       set only on success
 * @param why       receives a sentence without a trailing period naming the problem, e.g.
 *                  "n_mastery takes a parameter from 1 to 10, got 11"; may be NULL
 * @return 0, or ASSAY_E_ARG with why set.
 */
ASSAY_API int assay_mastery_method_parse(const char *name, bool has_param, long param,
                                         assay_mastery_method *out, char *why, size_t whylen);

/** A computed value. Initialised by assay_mastery_compute_text, freed with _finish. */
typedef struct assay_mastery_value {
    /** false: the method gives no value ("no value" is not 0: no scores, only ungraded
     *  ones, or n_mastery short of n scores at mastery). */
    bool has_value;
    /** The exact value: an integer ("4"), a terminating decimal ("3.5275") or a fraction in
     *  lowest terms ("5/3"), "-" for negatives; NULL when there is no value. Owned by the
     *  struct until assay_mastery_value_finish(). */
    char *exact;
    /** The double nearest to the exact value (for display only); 0 when there is no value. */
    double value;
    /** 1: the value reaches the mastery points (value >= points); 0: it does not, or there
     *  is no value; -1: no mastery points were given. */
    int mastered;
    /** How many scores were graded (non-NULL), i.e. taken into the calculation. */
    size_t graded;
    /** How many graded scores reach the mastery points (0 when none were given). */
    size_t at_mastery;
} assay_mastery_value;

/**
 * Computes a method's value over scores given as text, in the order given (the caller
 * sorts: oldest attempt first).
 *
 * A score is a decimal number ("4", "4.5", "-0", ".5", "+2", "1e-2"; point separator, no
 * spaces, no grouping) or a fraction of two integers ("7/2", "-1/3"; the denominator not
 * 0), of magnitude at most 10^15. NULL in scores means an attempt that could not be graded:
 * it is skipped.
 *
 * @param m              the method (from assay_mastery_method_parse)
 * @param scores         n scores; may be NULL when n is 0
 * @param mastery_points the mastery threshold, written like a score; NULL for none.
 *                       n_mastery needs it; for the others it only decides `mastered`.
 * @param out            set on success (release with assay_mastery_value_finish); on
 *                       failure it holds no value and nothing to free
 * @param why            on failure, a sentence naming the bad input and where it is,
 *                       e.g. "score 3: \"4,5\" is not a decimal number"; may be NULL
 * @return 0; ASSAY_E_ARG for a bad score, bad mastery points, an invalid method or
 *         n_mastery without mastery points; ASSAY_E_NOMEM when out of memory.
 */
ASSAY_API int assay_mastery_compute_text(const assay_mastery_method *m,
                                         const char *const *scores, size_t n,
                                         const char *mastery_points, assay_mastery_value *out,
                                         char *why, size_t whylen);

/** Frees what a value holds and resets it to no value. NULL is a no-op. */
ASSAY_API void assay_mastery_value_finish(assay_mastery_value *v);

#ifdef __cplusplus
}
#endif

#endif
