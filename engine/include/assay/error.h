/*
 * assay/error.h - what every other Assay header builds on: the ASSAY_API export mark, the
 * library's version, error codes with their names and sentences, and the diagnostics list
 * that collects rubric problems with their places.
 *
 * Functions returning int give 0 on success or a negative ASSAY_E_* code. The library never
 * prints and never exits of its own accord (out of memory, GMP and jansson's parser may
 * abort: see assay.h).
 */
#ifndef ASSAY_ERROR_H
#define ASSAY_ERROR_H

#include <assay/version.h>

#include <stddef.h>

#if defined(ASSAY_BUILDING) && defined(__GNUC__)
#define ASSAY_API __attribute__((visibility("default")))
#else
#define ASSAY_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

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
/** @return the version of the library linked, e.g. "0.1.0" (ASSAY_VERSION_STRING is the
 *  headers'). */
ASSAY_API const char *assay_version(void);

/* ---------------------------------------------------------------------------------------
 * Diagnostics: every problem found while loading rubrics.
 */

/** How bad a diagnostic is. */
typedef enum assay_severity {
    /** The rubric is invalid: loading it fails. */
    ASSAY_SEVERITY_ERROR = 0,
    /** A likely authoring mistake (an empty pattern, a typographic quote in a pattern...):
     *  the rubric loads all the same. `assay lint --werror` treats it as an error. */
    ASSAY_SEVERITY_WARNING = 1,
} assay_severity;

/** One problem. line and column are 1-based; 0 means unknown. */
typedef struct assay_diag {
    int code;          /**< ASSAY_E_* */
    char source[256];  /**< file name, or the name given to a buffer */
    int line, column;  /**< position in the source, column in characters */
    size_t offset;     /**< byte offset in the source */
    char pointer[256]; /**< JSON pointer of the offending value ("" for the root) */
    char message[512]; /**< a sentence naming the problem, no trailing period */
    int severity;      /**< an assay_severity; code is 0 (ASSAY_E_OK) for a warning */
} assay_diag;

typedef struct assay_diags assay_diags;

/** @return an empty list, or NULL when out of memory. Free with assay_diags_destroy(). */
ASSAY_API assay_diags *assay_diags_create(void);
ASSAY_API void assay_diags_destroy(assay_diags *d);
ASSAY_API size_t assay_diags_count(const assay_diags *d);
/** @return the i-th diagnostic, borrowed until the list is destroyed or cleared. */
ASSAY_API const assay_diag *assay_diags_get(const assay_diags *d, size_t i);
ASSAY_API void assay_diags_clear(assay_diags *d);
/** @return how many of the diagnostics are warnings (ASSAY_SEVERITY_WARNING). */
ASSAY_API size_t assay_diags_warnings(const assay_diags *d);
/**
 * Formats one diagnostic gcc-style: "source:line:column: error: message (at /pointer)", or
 * "warning:" for a warning.
 * @return the length that was needed (snprintf semantics).
 */
ASSAY_API int assay_diag_format(const assay_diag *diag, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
