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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* ---------------------------------------------------------------------------------------
 * Grading into text, with what a queue worker needs to route and record the result.
 */

/** Epoch milliseconds of a time a submission did not give (or gave wrongly). */
#define ASSAY_NO_TIME INT64_MIN

/** One competency of a graded result (assay_result_info). */
typedef struct assay_result_competency {
    const char *id;          /**< the competency's id in its rubric */
    const char *framework;   /**< its framework: "rubric:<rubric id>" for a rubric's own */
    const char *score_exact; /**< the exact score in lowest terms: "71/80", "1", "0" */
    const char *level;       /**< the id of the level reached */
    bool mastered;
} assay_result_competency;

/**
 * What a worker needs from a result without parsing it back. Every pointer is owned by the
 * scratch the submission was graded with and stays valid until the next grading call on
 * that scratch, or assay_scratch_destroy.
 */
typedef struct assay_result_info {
    bool graded;    /**< "status" is "graded" (else "error") */
    const char *id; /**< the result's "id"; NULL when it is null */
    size_t id_len;
    const char *learner;   /**< the submission's "learner" when a string without NUL */
    const char *reply_to;  /**< the valid "reply_to" of the submission, else NULL */
    bool force;            /**< the submission's "force" (false when absent or invalid) */
    const char *rubric_id; /**< the rubric the result names; all three NULL for none */
    const char *rubric_version;
    const char *rubric_sha256;
    const char *error_code;    /**< an ASSAY_RESULT_* code for an error result, else NULL */
    const char *error_message; /**< its message, else NULL */
    int64_t submitted_at_ms;   /**< "submitted_at" as Unix epoch ms, or ASSAY_NO_TIME */
    int64_t enqueued_at_ms;    /**< "enqueued_at" as Unix epoch ms, or ASSAY_NO_TIME */
    const char *graded_at;     /**< the result's "graded_at" */
    const char *submitted_at;  /**< the result's "submitted_at" (UTC, as written in the
                                    result), or NULL when it has none */
    size_t check_errors;       /**< checks that could not be evaluated (graded results) */
    const assay_result_competency *competencies; /**< in the result's order (graded) */
    size_t ncompetencies;
} assay_result_info;

/**
 * Grades one submission given as raw bytes, as assay_grade_buffer does, into its result's
 * JSON text: exactly the text assay_result_dumps writes for assay_grade_buffer's result.
 * @param text set to the NUL-terminated text, owned by s and valid until the next grading
 *             call on s (or assay_scratch_destroy)
 * @param text_len set to its length in bytes
 * @param info NULL, or filled in (see assay_result_info for the lifetime of its pointers)
 * @return 0, or ASSAY_E_NOMEM (then nothing is set)
 */
ASSAY_API int assay_grade_text(const assay_catalog *c, const char *buf, size_t len,
                               assay_scratch *s, const assay_grade_options *opts,
                               const char **text, size_t *text_len, assay_result_info *info);

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
