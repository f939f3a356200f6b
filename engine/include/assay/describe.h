/*
 * assay/describe.h - read-only introspection of a loaded rubric: its competencies with their
 * proficiency levels in scale order, its items and their checks (groups with their members),
 * and each check's own answer normalisation, applied to any text.
 *
 * Included by <assay/assay.h>; it may also be included on its own. Reports (`assay report`)
 * and tools that show a rubric (`assay describe`) use it; grading does not need it. Every
 * string handed out is borrowed from the rubric and stays valid until the rubric (or the
 * catalog holding it) is destroyed. A loaded rubric is immutable, so any number of threads
 * may call these functions at once.
 *
 *     for (size_t i = 0; i < assay_rubric_competency_count(r); i++) {
 *         assay_competency_info k;
 *         assay_rubric_competency(r, i, &k);
 *         for (size_t l = 0; l < k.nlevels; l++) {
 *             assay_level_info lv;
 *             assay_rubric_level(r, i, l, &lv);      // lowest level first
 *         }
 *     }
 */
#ifndef ASSAY_DESCRIBE_H
#define ASSAY_DESCRIBE_H

#include <assay/error.h>
#include <assay/rubric.h>

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A rubric's description; NULL when it has none. */
ASSAY_API const char *assay_rubric_description(const assay_rubric *r);

/* ---------------------------------------------------------------------------------------
 * Competencies and their proficiency scales.
 */

/** One competency of a rubric, in the rubric's order. */
typedef struct assay_competency_info {
    const char *id;
    const char *name;
    const char *description; /**< NULL when the rubric gives none */
    const char *ref;         /**< its "ref" (a CASE CFItem URI, say); NULL when none */
    size_t nlevels;          /**< levels of its scale (its own, or the rubric's) */
    size_t mastery;          /**< index of the first level that counts as mastery */
    bool own_scale;          /**< the competency has a scale of its own */
} assay_competency_info;

/** One level of a competency's scale. Levels come lowest first (increasing min). */
typedef struct assay_level_info {
    const char *id;
    const char *name;
    double min;         /**< the lowest score (0..1) reaching the level, as a double */
    char min_exact[64]; /**< the same exactly: "0", "1" or "p/q" in lowest terms ("3/4") */
    bool mastery;       /**< the level the rubric marks "mastery": true (the threshold) */
    bool mastered;      /**< reaching this level is mastery: it is that level or above it */
} assay_level_info;

ASSAY_API size_t assay_rubric_competency_count(const assay_rubric *r);
/**
 * Describes the i-th competency.
 * @return 0, or ASSAY_E_ARG when i is out of range (*out untouched).
 */
ASSAY_API int assay_rubric_competency(const assay_rubric *r, size_t i,
                                      assay_competency_info *out);
/**
 * Describes level `level` (0 = lowest) of competency `comp`'s scale.
 * @return 0, or ASSAY_E_ARG when either index is out of range (*out untouched), or
 *         ASSAY_E_TOO_LARGE when the exact minimum does not fit min_exact (it then holds
 *         "?"; min is still right).
 */
ASSAY_API int assay_rubric_level(const assay_rubric *r, size_t comp, size_t level,
                                 assay_level_info *out);

/* ---------------------------------------------------------------------------------------
 * Items and checks.
 */

/** A check of a loaded rubric: a top-level check of an item, or a member of a group. */
typedef struct assay_check assay_check;

/** One item (question) of a rubric, in the rubric's order. */
typedef struct assay_item_info {
    const char *id;
    const char *title;  /**< NULL when none */
    const char *prompt; /**< NULL when none */
    size_t nchecks;     /**< its top-level checks */
} assay_item_info;

/** What a check is. */
typedef struct assay_check_info {
    const char *id;
    const char *type;  /**< "pattern", "numeric" or "group" */
    size_t item;       /**< index of its item (assay_rubric_item) */
    const char *group; /**< a member: the id of its group; a top-level check: NULL */
    const char *mode;  /**< pattern checks: "search", "whole", "forbid" or "count"; else NULL */
    double points;     /**< points of a top-level check; a member's own points count for
                            nothing (its group gives credit), and read 0 */
    size_t nmembers;   /**< members of a group; 0 for the others */
    size_t needed;     /**< a group: members' credit needed for full credit; else 0 */
    size_t nevidence;  /**< competencies it is evidence for (assay_check_evidence) */
    bool trim;         /**< its normalisation trims White_Space at both ends of an answer */
    bool collapse;     /**< its normalisation turns each White_Space run into one space */
} assay_check_info;

ASSAY_API size_t assay_rubric_item_count(const assay_rubric *r);
/** @return 0, or ASSAY_E_ARG when i is out of range (*out untouched). */
ASSAY_API int assay_rubric_item(const assay_rubric *r, size_t i, assay_item_info *out);
/** @return the k-th top-level check of item i, borrowed; NULL when out of range. */
ASSAY_API const assay_check *assay_rubric_item_check(const assay_rubric *r, size_t i, size_t k);
/**
 * Finds a check (top-level or member) by id. @return the check, borrowed; NULL when the
 * rubric has none with that id.
 */
ASSAY_API const assay_check *assay_rubric_find_check(const assay_rubric *r, const char *id);
/**
 * Describes a check of rubric r. @return 0, or ASSAY_E_ARG when c is not a check of r
 * (*out untouched).
 */
ASSAY_API int assay_check_describe(const assay_rubric *r, const assay_check *c,
                                   assay_check_info *out);
/** @return the i-th member of a group, borrowed; NULL when out of range or not a group. */
ASSAY_API const assay_check *assay_check_member(const assay_check *c, size_t i);
/**
 * The i-th competency the check is evidence for: its index (assay_rubric_competency) in
 * *comp and its weight in *weight. @return 0, or ASSAY_E_ARG when i is out of range.
 */
ASSAY_API int assay_check_evidence(const assay_check *c, size_t i, size_t *comp,
                                   double *weight);

/**
 * Applies the check's own normalisation to answer[0..len) and writes the result to out,
 * which must hold len + 1 bytes (normalising never lengthens a text); the result is
 * NUL-terminated and keeps embedded NULs. Two answers that normalise to the same text get
 * the same outcome from the check. The normalisation is the one the rubric gives a pattern
 * check ("normalize": trim, collapse); a numeric check reads its number with White_Space
 * around the answer ignored (trim); a group's is what all its members ignore (trim when
 * every member trims, collapse when every member collapses). answer must be UTF-8 and may
 * be NULL when len is 0. Allocates nothing.
 * @return the normalised text's length in bytes.
 */
ASSAY_API size_t assay_check_normalize(const assay_check *c, const char *answer, size_t len,
                                       char *out);

#ifdef __cplusplus
}
#endif

#endif
