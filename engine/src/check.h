/*
 * check.h - evaluating the checks of one item against its answer: check.c builds each
 * check's result (status, points or credit, feedback) and evaluates groups; pattern checks
 * are evaluated in check_pattern.c, numeric checks in check_numeric.c.
 *
 * An evaluator fills in the check's result object (details such as where a pattern matched
 * or which number was read, plus "reason" and "explanation" when the answer fell short) and
 * sets the credit, a rational in [0, 1]. check.c adds status, points and feedback.
 */
#ifndef ENGINE_CHECK_H
#define ENGINE_CHECK_H

#include "rubric.h"
#include "scratch.h"

#include <gmp.h>
#include <jansson.h>

typedef enum ck_status {
    CK_CORRECT,
    CK_PARTIAL,
    CK_INCORRECT,
    CK_INVALID,
    CK_ERROR,
} ck_status;

/* What evaluating the checks of one item needs. */
typedef struct ck_context {
    const assay_rubric *r;
    assay_scratch *s;   /* the thread's scratch; its matcher has the rubric's limits */
    const char *answer; /* the item's answer; NULL when none was given */
    size_t len;
    size_t errors; /* checks (members included) that could not be evaluated, so far */
} ck_context;

/*
 * Evaluates check c (a group with its members) against g->answer and builds its result
 * object: id, type, status, points and max_points (credit for a group's member), feedback
 * and the evaluator's details. Sets credit and *st. @return the new object.
 */
json_t *assay__check_result(ck_context *g, const rb_check *c, bool member, mpq_t credit,
                            ck_status *st);

/*
 * The result of check c when the answer itself is unusable: problem is "too_long"
 * (longer than lim->max_answer_bytes), "nul_byte" or "wrong_type". Status "invalid", no
 * points, the fail feedback.
 */
json_t *assay__check_invalid(const rb_check *c, const char *problem, const assay_limits *lim);

/* "correct", "partial", "incorrect", "invalid" or "error". */
const char *assay__check_status_name(ck_status st);

/* Sets "reason" (a stable code) and "explanation" (a sentence for people) on out. */
void assay__check_explain(json_t *out, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* {"start", "end", "text"} of subject[start, end): where a pattern matched. */
json_t *assay__check_match(const char *subject, size_t start, size_t end);

/* check_pattern.c, check_numeric.c: the evaluators. */
ck_status assay__check_pattern(ck_context *g, const rb_check *c, mpq_t credit, json_t *out);
ck_status assay__check_numeric(ck_context *g, const rb_check *c, mpq_t credit, json_t *out);

#endif
