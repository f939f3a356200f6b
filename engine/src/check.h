/*
 * check.h - evaluating one check against one answer, shared by score.c (which walks items
 * and groups) and numeric.c (numeric checks).
 *
 * An evaluator fills in the check's result object (details such as where a pattern matched
 * or which number was read, plus "reason" and "explanation" when the answer fell short) and
 * sets the credit, a rational in [0, 1]. The caller adds status, points and feedback.
 */
#ifndef ENGINE_CHECK_H
#define ENGINE_CHECK_H

#include "pattern.h"
#include "rubric.h"

typedef enum ck_status {
    CK_CORRECT,
    CK_PARTIAL,
    CK_INCORRECT,
    CK_INVALID,
    CK_ERROR,
} ck_status;

const char *assay__status_name(ck_status st);

/* Sets "reason" (a stable code) and "explanation" (a sentence for people) on out. */
void assay__explain(json_t *out, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

ck_status assay__numeric_eval(const rb_check *c, const assay_rubric *r, pat_matcher *m,
                              const char *answer, size_t len, mpq_t credit, json_t *out);

#endif
