/*
 * assay/rubric.h - loading rubrics (from bytes or a file, every problem reported as a
 * diagnostic), the engine's limits, and catalogs: the rubrics a grader serves, found by id
 * and version.
 *
 * A loaded rubric or catalog is immutable: any number of threads may read it at once.
 */
#ifndef ASSAY_RUBRIC_H
#define ASSAY_RUBRIC_H

#include <assay/error.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The rubric format version this engine reads (the rubric's "assay" key). */
#define ASSAY_RUBRIC_FORMAT 1

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
    /* What compiling one rubric's patterns may cost; past a limit the loader reports an
     * error at the pattern that crossed it and compiles no further pattern. */
    size_t max_patterns;       /**< patterns per rubric, sources included (10,000) */
    size_t max_pattern_bytes;  /**< their text, in bytes (1 MiB) */
    size_t max_compiled_bytes; /**< their compiled size, PCRE2_INFO_SIZE (4 MiB) */
    size_t max_jit_bytes;      /**< their JIT code, PCRE2_INFO_JITSIZE (16 MiB) */
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
 *         code with *out untouched: ASSAY_E_NOMEM whenever an allocation failed (then some
 *         diagnostics may be missing), whatever else was found.
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
 * Loads every regular file named *.json in dir (not recursing) in name order, each by its
 * kind: the rubrics first, then the credential definitions ("assay_credential": 1,
 * <assay/credential_def.h>), which are checked against them. JSON Schema documents (no kind
 * key, "$schema" naming a json-schema.org meta-schema) and schema.json are skipped. Broken
 * files are reported in diags and skipped.
 * @return the number of rubrics and definitions loaded (>= 0), or a negative ASSAY_E_* when
 *         dir cannot be read or when any file failed (the good ones are loaded all the
 *         same).
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
/** Compares two versions as the catalog orders them: as dotted numbers ("1.10.0" after
 *  "1.9.2"), then as text. @return < 0, 0 or > 0 as a is older than, the same as or newer
 *  than b. */
ASSAY_API int assay_version_cmp(const char *a, const char *b);
/** @return the i-th rubric in load order, borrowed. */
ASSAY_API const assay_rubric *assay_catalog_get(const assay_catalog *c, size_t i);

#ifdef __cplusplus
}
#endif

#endif
