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
#include "jsonw.h"
#include "rat.h"
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

/* Why a submission is not graded: the code, the message, and the rubric the result names
 * (NULL for none). */
typedef struct rs_error {
    const char *code; /* an ASSAY_RESULT_* string */
    char message[600];
    const assay_rubric *rubric;
} rs_error;

/*
 * Fills err with code, rubric r and a message made from fmt, cut on a character boundary
 * ("(message not UTF-8)" if it is no UTF-8 after all, as jansson would refuse it).
 */
void assay__result_error_set(rs_error *err, const assay_rubric *r, const char *code,
                             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Checks the submission's fields against r (which may be NULL: no rubric by that id is
 * loaded). @return false when it can be graded, else true with err saying why.
 */
bool assay__result_validate(const assay_rubric *r, const rs_envelope *e,
                            const assay_limits *lim, rs_error *err);

/* ---- What both writers share ---------------------------------------------------------- */

/* "rubric:<id>", the framework key of a rubric's own competencies, into buf. */
void assay__result_framework(const assay_rubric *r, char *buf, size_t size);

/* The result's "graded_at": opts->graded_at, else the current time into buf. */
const char *assay__result_graded_at(const assay_grade_options *opts, char buf[40]);

/*
 * The overall feedback line: the text of r's feedback band for score / max_score when r has
 * bands (borrowed from r), else the sentence "7.1 of 8 points; 2 of 3 competencies
 * mastered" written into line (size bytes), which is returned.
 */
const char *assay__result_feedback(const assay_rubric *r, char *line, size_t size,
                                   const rat *score, const rat *max, size_t mastered);

/* How many bytes of an answer are echoed (RS_ANSWER_MAX at most, on a character boundary);
 * *cut is set when that is fewer than len. */
size_t assay__result_answer_len(const char *answer, size_t len, bool *cut);

/* The warning for a response key that names no item (NUL-terminated, in w). */
void assay__result_warning(char w[200], const char *key);

/* Does response key name an item of r? */
bool assay__result_is_item(const assay_rubric *r, const char *key);

/* ---- Results as jansson objects (result.c) ------------------------------------------- */

/* The error result of err. @return a new object, or NULL when out of memory. */
json_t *assay__result_error_object(const rs_envelope *e, const rs_error *err,
                                   const assay_grade_options *opts);

/* Sets t up to collect its items as objects (t->item_done, t->out: a new array). */
void assay__result_collect_objects(sc_tally *t);
/* Assembles the graded result from the tally (whose items were collected as objects): the
 * envelope, the overall feedback, the competencies with their levels, the items, a warning
 * for every response that matches no item. Takes the items array. @return a new object. */
json_t *assay__result_graded(sc_tally *t, const rs_envelope *e,
                             const assay_grade_options *opts);

/* ---- Results as text (result_text.c) -------------------------------------------------- */

/* Sets t up to write its items as text into b (emptied). */
void assay__result_collect_text(sc_tally *t, jw_buf *b);
/* Appends the error result of err to b. */
void assay__result_error_text(jw_buf *b, const rs_envelope *e, const rs_error *err,
                              const char *graded_at);
/* Appends the graded result to b, the items from the tally's text. */
void assay__result_graded_text(jw_buf *b, const sc_tally *t, const rs_envelope *e,
                               const char *graded_at);

#endif
