/*
 * assay/rubric.h - loading rubrics and competency frameworks (from bytes or a file, every
 * problem reported as a diagnostic), the engine's limits, and catalogs: the frameworks,
 * rubrics and credential definitions a grader serves, found by id and version.
 *
 * A loaded rubric, framework or catalog is immutable: any number of threads may read it at
 * once.
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
/* The framework format version this engine reads (the framework's "assay_framework" key,
 * docs/frameworks.md). */
#define ASSAY_FRAMEWORK_FORMAT 1

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
typedef struct assay_framework assay_framework;
typedef struct assay_catalog assay_catalog;

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
/**
 * Loads a rubric that may name a competency framework ("framework": "<id>"), resolved
 * against the frameworks of cat (see assay_catalog_add_framework; NULL: none). The rubric
 * then takes its competencies (names, scales, calculation methods) from the framework; a
 * framework that cat lacks, a competency id the framework lacks or a scale that differs
 * from the framework's is an error at its place. Otherwise as assay_rubric_load_buffer,
 * which is this function with cat NULL. The rubric keeps no pointer into cat.
 */
ASSAY_API int assay_rubric_load_buffer_in(const assay_catalog *cat, const char *buf, size_t len,
                                          const char *source, const assay_limits *limits,
                                          assay_rubric **out, assay_diags *diags);
/** The same for a file; source is the path. */
ASSAY_API int assay_rubric_load_file_in(const assay_catalog *cat, const char *path,
                                        const assay_limits *limits, assay_rubric **out,
                                        assay_diags *diags);
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
 * Competency frameworks ("assay_framework": 1, docs/frameworks.md): competencies with their
 * proficiency scales and calculation methods, shared by many rubrics.
 */

/**
 * Loads a framework from bytes, as assay_rubric_load_buffer loads a rubric (limits: its
 * max_rubric_bytes bounds the text). @return 0 and *out set (caller frees with
 * assay_framework_destroy), or a negative ASSAY_E_* with *out untouched.
 */
ASSAY_API int assay_framework_load_buffer(const char *buf, size_t len, const char *source,
                                          const assay_limits *limits, assay_framework **out,
                                          assay_diags *diags);
/** The same for a file; source is the path. */
ASSAY_API int assay_framework_load_file(const char *path, const assay_limits *limits,
                                        assay_framework **out, assay_diags *diags);
/** Frees a framework. NULL is a no-op. */
ASSAY_API void assay_framework_destroy(assay_framework *f);
/* Borrowed strings, valid until the framework is destroyed. */
ASSAY_API const char *assay_framework_id(const assay_framework *f);
ASSAY_API const char *assay_framework_version(const assay_framework *f);
ASSAY_API const char *assay_framework_title(const assay_framework *f);
/** Hex SHA-256 of the framework's canonical content (keys sorted, compact). */
ASSAY_API const char *assay_framework_sha256(const assay_framework *f);
ASSAY_API size_t assay_framework_competency_count(const assay_framework *f);

/* ---------------------------------------------------------------------------------------
 * Catalogs: the frameworks, rubrics and credential definitions a grader serves, found by id
 * and version.
 */

ASSAY_API assay_catalog *assay_catalog_create(void);
/** Frees the catalog and every rubric in it. NULL is a no-op. */
ASSAY_API void assay_catalog_destroy(assay_catalog *c);
/**
 * Adds a rubric; the catalog takes ownership on success. The same id and version twice is
 * ASSAY_E_DUPLICATE (the rubric stays the caller's).
 */
ASSAY_API int assay_catalog_add(assay_catalog *c, assay_rubric *r);
/**
 * Adds a framework; the catalog takes ownership on success. The same id and version twice
 * is ASSAY_E_DUPLICATE (the framework stays the caller's). Rubrics loaded with
 * assay_rubric_load_buffer_in(c, ...) afterwards may name it.
 */
ASSAY_API int assay_catalog_add_framework(assay_catalog *c, assay_framework *f);
/**
 * Finds a framework; version NULL means the newest loaded version. @return borrowed until
 * the catalog is destroyed, or NULL.
 */
ASSAY_API const assay_framework *
assay_catalog_find_framework(const assay_catalog *c, const char *id, const char *version);
ASSAY_API size_t assay_catalog_framework_count(const assay_catalog *c);
/**
 * Loads only the frameworks among the *.json files of dir (in name order), so that rubrics
 * loaded afterwards with assay_rubric_load_file_in(c, ...) may name them (a lone rubric
 * graded or linted next to its framework). Broken frameworks are reported in diags.
 * @return the number of frameworks loaded, or a negative ASSAY_E_* as
 *         assay_catalog_load_dir.
 */
ASSAY_API int assay_catalog_load_frameworks(assay_catalog *c, const char *dir,
                                            const assay_limits *limits, assay_diags *diags);
/**
 * Loads every regular file named *.json in dir (not recursing) in name order, each by its
 * kind: the frameworks ("assay_framework": 1) first, then the rubrics (which may name
 * them), then the credential definitions ("assay_credential": 1,
 * <assay/credential_def.h>), which are checked against them. JSON Schema documents (no kind
 * key, "$schema" naming a json-schema.org meta-schema) and schema.json are skipped. Broken
 * files are reported in diags and skipped.
 * @return the number of frameworks, rubrics and definitions loaded (>= 0), or a negative
 *         ASSAY_E_* when dir cannot be read or when any file failed (the good ones are
 *         loaded all the same).
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
