/*
 * assay/grade.h - grading submissions: per-thread scratch space, options, grading raw bytes
 * against a catalog or a parsed submission against a rubric, error results, and the
 * deterministic serialisation of results (jansson objects).
 *
 * A check that fails is a score, never an error; a submission that cannot be graded still
 * yields a result object whose status is "error". Each thread grades with its own scratch.
 */
#ifndef ASSAY_GRADE_H
#define ASSAY_GRADE_H

#include <assay/rubric.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------
 * Grading.
 */

/** Per-thread scratch space (PCRE2 match data, buffers), reused across submissions. */
typedef struct assay_scratch assay_scratch;
ASSAY_API assay_scratch *assay_scratch_create(void);
ASSAY_API void assay_scratch_destroy(assay_scratch *s);

typedef struct assay_grade_options {
    /** RFC 3339 UTC timestamp for "graded_at"; NULL means the current time. Tests and
     *  reproducible runs set it: results are byte-identical for the same inputs. */
    const char *graded_at;
    /** Limits; NULL for the defaults. */
    const assay_limits *limits;
} assay_grade_options;

/**
 * Grades one submission given as raw bytes (JSON text). Never fails for bad input: a
 * submission that cannot be graded gives a result with "status": "error" and an error code
 * (see docs/protocol.md).
 * @return a new result object (caller json_decref()s it), or NULL only when out of memory.
 */
ASSAY_API json_t *assay_grade_buffer(const assay_catalog *c, const char *buf, size_t len,
                                     assay_scratch *s, const assay_grade_options *opts);

/**
 * Grades a parsed submission against one given rubric (the submission's "rubric" field is
 * still checked to name it). r may be NULL: the result is then the error "unknown_rubric".
 * @return as assay_grade_buffer.
 */
ASSAY_API json_t *assay_grade_json(const assay_rubric *r, const json_t *submission,
                                   assay_scratch *s, const assay_grade_options *opts);

/**
 * Serialises a result deterministically (fixed field order, compact, 15 significant digits
 * for reals). @return a NUL-terminated string (caller frees with free()), or NULL.
 */
ASSAY_API char *assay_result_dumps(const json_t *result);

/**
 * Builds a result with "status": "error" for a submission that is not to be graded (the
 * worker uses it when a submission has failed too many times). submission may be NULL or
 * any JSON; its "id", "learner" and "meta" are echoed when present. code is one of the
 * ASSAY_RESULT_* codes; message a sentence for people.
 * @return a new result object (caller json_decref()s it), or NULL when out of memory.
 */
ASSAY_API json_t *assay_result_error(const json_t *submission, const char *code,
                                     const char *message, const assay_grade_options *opts);

/** Result error codes (the "error.code" of a result whose status is "error"). */
#define ASSAY_RESULT_MALFORMED_JSON  "malformed_json"
#define ASSAY_RESULT_INVALID_UTF8    "invalid_utf8"
#define ASSAY_RESULT_NOT_OBJECT      "not_an_object"
#define ASSAY_RESULT_MISSING_FIELD   "missing_field"
#define ASSAY_RESULT_WRONG_TYPE      "wrong_type"
#define ASSAY_RESULT_UNKNOWN_RUBRIC  "unknown_rubric"
#define ASSAY_RESULT_UNKNOWN_VERSION "unknown_rubric_version"
#define ASSAY_RESULT_TOO_LARGE       "too_large"
#define ASSAY_RESULT_GRADING_ERROR   "grading_error"

#ifdef __cplusplus
}
#endif

#endif
