/*
 * result.h - the result objects (result.c): the submission's envelope (the fields a result
 * echoes and a worker routes by), the graded result assembled from a tally, error results
 * for submissions that cannot be graded, the checks that decide which those are, and the
 * deterministic serialisation.
 *
 * Every result has the same envelope in a fixed field order (docs/protocol.md), so equal
 * inputs give byte-identical JSON.
 */
#ifndef ENGINE_RESULT_H
#define ENGINE_RESULT_H

#include "assay/grade.h"
#include "rfc3339.h"
#include "rubric.h"
#include "score.h"

#include <jansson.h>

/* The deepest "meta" echoed: arrays and objects nested this many levels ({} is one). */
#define RS_META_MAX_DEPTH 64
/* The longest answer echoed in a result's item, in bytes (cut on a character boundary). */
#define RS_ANSWER_MAX 1024

/*
 * The submission's envelope. Each field is read and judged on its own, so an error result
 * echoes whatever was valid (a valid submitted_at, the id) and the worker can route it (a
 * valid reply_to) whichever field was wrong. Borrowed from the submission.
 */
typedef struct rs_envelope {
    const json_t *sub;     /* the submission when it is an object, else NULL */
    const json_t *id;      /* the id when it is one to echo (1-256 bytes, no NUL), else NULL */
    const json_t *learner; /* a string "learner", else NULL */
    bool has_submitted;    /* a valid "submitted_at": submitted holds its UTC form */
    char submitted[RFC3339_UTC_SIZE];
    int64_t submitted_ms, enqueued_ms; /* ASSAY_NO_TIME when absent or invalid */
    const char *submitted_problem;     /* why "submitted_at" is wrong, else NULL */
    const char *enqueued_problem;      /* why "enqueued_at" is wrong, else NULL */
    const char *reply_to;              /* a valid "reply_to", else NULL */
    bool reply_to_bad;                 /* "reply_to" given but not valid */
    bool force, force_bad;
    const json_t *meta; /* "meta" to echo; NULL when absent or too deep (echoed as null) */
    bool meta_too_deep;
} rs_envelope;

/* Reads the envelope of sub (any JSON value, or NULL). */
void assay__envelope_read(rs_envelope *e, const json_t *sub);

/* "rubric:<id>", the framework key of a rubric's own competencies, into buf. */
void assay__result_framework(const assay_rubric *r, char *buf, size_t size);

/*
 * A result with "status": "error" and error code (an ASSAY_RESULT_* string) and a message
 * made from fmt. The envelope's id, learner, submitted_at and meta are echoed; r, when
 * known, is named. @return a new object, or NULL when out of memory.
 */
json_t *assay__result_errorf(const rs_envelope *e, const assay_rubric *r, const char *code,
                             const assay_grade_options *opts, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Checks the submission's fields against r (which may be NULL: no rubric by that id is
 * loaded). @return NULL when it can be graded, else the error result saying why.
 */
json_t *assay__result_validate(const assay_rubric *r, const rs_envelope *e,
                               const assay_limits *lim, const assay_grade_options *opts);

/*
 * Assembles the graded result of the submission from the tally of its scoring: the
 * envelope, the overall feedback, the competencies with their levels, the items with their
 * answers and check results, and a warning for every response that matches no item.
 * @return a new object.
 */
json_t *assay__result_graded(const sc_tally *t, const rs_envelope *e,
                             const assay_grade_options *opts);

#endif
