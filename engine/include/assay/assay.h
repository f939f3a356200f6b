/*
 * assay.h - the Assay grading engine's public interface.
 *
 * Assay turns a learner's submission (JSON) into competency results (JSON) under a rubric
 * file written by faculty. The flow:
 *
 *     assay_catalog *cat = assay_catalog_create();
 *     assay_diags *d = assay_diags_create();
 *     assay_catalog_load_dir(cat, "rubrics", NULL, d);     // every *.json rubric in DIR
 *     assay_scratch *s = assay_scratch_create();            // one per thread
 *     json_t *result = assay_grade_buffer(cat, bytes, len, s, NULL);
 *     char *text = assay_result_dumps(result);              // deterministic JSON
 *
 * Threads: a loaded rubric or catalog is immutable and may be shared read-only by any
 * number of threads; each thread grades with its own assay_scratch.
 *
 * Errors: functions returning int give 0 on success or a negative ASSAY_E_* code
 * (assay_strerror() names it). Rubric problems are collected in an assay_diags list, each
 * with file:line:column and a JSON pointer. A check that fails is a score, never an error;
 * a submission that cannot be graded still yields a result object whose status is "error".
 *
 * The library never prints and never exits.
 */
#ifndef ASSAY_ASSAY_H
#define ASSAY_ASSAY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(ASSAY_BUILDING) && defined(__GNUC__)
#define ASSAY_API __attribute__((visibility("default")))
#else
#define ASSAY_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define ASSAY_VERSION_STRING "0.1.0"
/* The rubric format version this engine reads (the rubric's "assay" key). */
#define ASSAY_RUBRIC_FORMAT 1

/* X-macro table of error codes: name, value, message. */
#define ASSAY_ERRNO_MAP(X)                                                                     \
    X(OK, 0, "success")                                                                        \
    X(NOMEM, -1, "out of memory")                                                              \
    X(IO, -2, "cannot read file")                                                              \
    X(SYNTAX, -3, "JSON syntax error")                                                         \
    X(INVALID, -4, "invalid rubric")                                                           \
    X(REGEX, -5, "invalid regular expression")                                                 \
    X(REGEX_LIMIT, -6, "pattern match limit exceeded")                                         \
    X(TOO_LARGE, -7, "input too large")                                                        \
    X(DUPLICATE, -8, "duplicate rubric id and version")                                        \
    X(ARG, -9, "invalid argument")

typedef enum assay_errno {
#define ASSAY_ERRNO_ENUM_(name, value, msg) ASSAY_E_##name = value,
    ASSAY_ERRNO_MAP(ASSAY_ERRNO_ENUM_)
#undef ASSAY_ERRNO_ENUM_
} assay_errno;

/** @return a static sentence for an ASSAY_E_* code ("unknown error" otherwise). */
ASSAY_API const char *assay_strerror(int code);
/** @return the code's name without prefix, e.g. "REGEX_LIMIT". */
ASSAY_API const char *assay_err_name(int code);
/** @return the engine version, e.g. "0.1.0". */
ASSAY_API const char *assay_version(void);

/* ---------------------------------------------------------------------------------------
 * Diagnostics: every problem found while loading rubrics.
 */

/** One problem. line and column are 1-based; 0 means unknown. */
typedef struct assay_diag {
    int code;          /**< ASSAY_E_* */
    char source[256];  /**< file name, or the name given to a buffer */
    int line, column;  /**< position in the source, column in characters */
    size_t offset;     /**< byte offset in the source */
    char pointer[256]; /**< JSON pointer of the offending value ("" for the root) */
    char message[512]; /**< a sentence naming the problem, no trailing period */
} assay_diag;

typedef struct assay_diags assay_diags;

/** @return an empty list, or NULL when out of memory. Free with assay_diags_destroy(). */
ASSAY_API assay_diags *assay_diags_create(void);
ASSAY_API void assay_diags_destroy(assay_diags *d);
ASSAY_API size_t assay_diags_count(const assay_diags *d);
/** @return the i-th diagnostic, borrowed until the list is destroyed or cleared. */
ASSAY_API const assay_diag *assay_diags_get(const assay_diags *d, size_t i);
ASSAY_API void assay_diags_clear(assay_diags *d);
/**
 * Formats one diagnostic gcc-style: "source:line:column: error: message (at /pointer)".
 * @return the length that was needed (snprintf semantics).
 */
ASSAY_API int assay_diag_format(const assay_diag *diag, char *buf, size_t size);

/* ---------------------------------------------------------------------------------------
 * Limits. Defaults are documented in docs/rubric-format.md and docs/protocol.md.
 */
typedef struct assay_limits {
    size_t max_rubric_bytes;     /**< largest rubric file accepted (default 4 MiB) */
    uint32_t match_limit;        /**< default PCRE2 match limit per match (1,000,000) */
    uint32_t depth_limit;        /**< default PCRE2 depth limit (10,000) */
    uint32_t heap_limit_kib;     /**< default PCRE2 heap limit in KiB (20,000) */
    uint32_t match_limit_max;    /**< hard maximum a rubric may ask for (5,000,000) */
    uint32_t depth_limit_max;    /**< hard maximum (100,000) */
    uint32_t heap_limit_kib_max; /**< hard maximum (100,000) */
    size_t max_submission_bytes; /**< largest submission accepted (default 1 MiB) */
    size_t max_responses;        /**< most responses in one submission (default 10,000) */
    size_t max_answer_bytes;     /**< longest single answer (default 64 KiB) */
} assay_limits;

/** @return the documented defaults. */
ASSAY_API assay_limits assay_limits_default(void);

/* ---------------------------------------------------------------------------------------
 * Rubrics.
 */
typedef struct assay_rubric assay_rubric;

/**
 * Loads a rubric from bytes. source names it in diagnostics (a file name, or "<stdin>").
 * limits may be NULL for the defaults. Every problem found is appended to diags (which may
 * be NULL); loading goes on after a semantic error so one run reports them all.
 * @return 0 and *out set (caller frees with assay_rubric_destroy), or a negative ASSAY_E_*
 *         code with *out untouched.
 */
ASSAY_API int assay_rubric_load_buffer(const char *buf, size_t len, const char *source,
                                       const assay_limits *limits, assay_rubric **out,
                                       assay_diags *diags);
/** The same for a file; source is the path. */
ASSAY_API int assay_rubric_load_file(const char *path, const assay_limits *limits,
                                     assay_rubric **out, assay_diags *diags);
/** Frees a rubric. NULL is a no-op. */
ASSAY_API void assay_rubric_destroy(assay_rubric *r);

/* Borrowed strings, valid until the rubric is destroyed. */
ASSAY_API const char *assay_rubric_id(const assay_rubric *r);
ASSAY_API const char *assay_rubric_version(const assay_rubric *r);
ASSAY_API const char *assay_rubric_title(const assay_rubric *r);
/** Hex SHA-256 of the rubric's canonical content (keys sorted, compact). */
ASSAY_API const char *assay_rubric_sha256(const assay_rubric *r);
ASSAY_API size_t assay_rubric_check_count(const assay_rubric *r);

/* ---------------------------------------------------------------------------------------
 * Catalogs: the rubrics a grader serves, found by id and version.
 */
typedef struct assay_catalog assay_catalog;

ASSAY_API assay_catalog *assay_catalog_create(void);
/** Frees the catalog and every rubric in it. NULL is a no-op. */
ASSAY_API void assay_catalog_destroy(assay_catalog *c);
/**
 * Adds a rubric; the catalog takes ownership on success. The same id and version twice is
 * ASSAY_E_DUPLICATE (the rubric stays the caller's).
 */
ASSAY_API int assay_catalog_add(assay_catalog *c, assay_rubric *r);
/**
 * Loads every regular file named *.json in dir (not recursing; schema.json is skipped) in
 * name order. Broken files are reported in diags and skipped.
 * @return the number of rubrics loaded (>= 0), or a negative ASSAY_E_* when dir cannot be read
 *         or when any file failed (the good ones are loaded all the same).
 */
ASSAY_API int assay_catalog_load_dir(assay_catalog *c, const char *dir,
                                     const assay_limits *limits, assay_diags *diags);
/**
 * Finds a rubric. version NULL means the newest loaded version (compared as dotted numbers,
 * then as strings). @return borrowed until the catalog is destroyed, or NULL.
 */
ASSAY_API const assay_rubric *assay_catalog_find(const assay_catalog *c, const char *id,
                                                 const char *version);
ASSAY_API size_t assay_catalog_count(const assay_catalog *c);
/** @return the i-th rubric in load order, borrowed. */
ASSAY_API const assay_rubric *assay_catalog_get(const assay_catalog *c, size_t i);

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
 * still checked to name it). @return as assay_grade_buffer.
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

#include "assay/mastery.h" /* calculation methods across attempts */

#endif
