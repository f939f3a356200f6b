/*
 * result.h - the result objects (result.c): the graded result assembled from a tally,
 * error results for submissions that cannot be graded, the checks that decide which those
 * are, and the deterministic serialisation.
 *
 * Every result has the same envelope in a fixed field order (docs/protocol.md), so equal
 * inputs give byte-identical JSON.
 */
#ifndef ENGINE_RESULT_H
#define ENGINE_RESULT_H

#include "assay/grade.h"
#include "rubric.h"
#include "score.h"

#include <jansson.h>

/*
 * A result with "status": "error" and error code (an ASSAY_RESULT_* string) and a message
 * made from fmt. sub's "id" (when it is a valid one), "learner" and "meta" are echoed; r,
 * when known, is named. @return a new object, or NULL when out of memory.
 */
json_t *assay__result_errorf(const json_t *sub, const assay_rubric *r, const char *code,
                             const assay_grade_options *opts, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Checks the submission's fields against r (which may be NULL: no rubric by that id is
 * loaded). @return NULL when it can be graded, else the error result saying why.
 */
json_t *assay__result_validate(const assay_rubric *r, const json_t *sub,
                               const assay_limits *lim, const assay_grade_options *opts);

/*
 * Assembles the graded result of submission sub from the tally of its scoring: the
 * envelope, the competencies with their levels, the items with their check results, and a
 * warning for every response that matches no item. @return a new object.
 */
json_t *assay__result_graded(const sc_tally *t, const json_t *sub,
                             const assay_grade_options *opts);

#endif
