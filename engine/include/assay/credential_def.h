/*
 * assay/credential_def.h - credential definitions: which competencies, at which levels of
 * their scales (and which graded rubrics), earn a learner an Open Badges 3.0 credential,
 * and what the credential says (name, criteria, issuer, alignments, validity, how the
 * learner is named). The third kind of document of a rubric directory, next to rubrics and
 * competency frameworks ("assay_credential": 1; docs/credentials.md).
 *
 * Included by <assay/assay.h>. A definition is loaded against a catalog, which it is
 * checked against (its framework, competencies, levels and rubrics must be there) and whose
 * competencies it copies what a credential needs of (names, CASE URIs, scales), so a loaded
 * definition stands alone. assay_catalog_load_dir loads the definitions of a directory after
 * its rubrics.
 *
 * The decision: assay_credential_evaluate tells whether a learner's record satisfies a
 * definition and, if so, what the credential certifies: the levels reached, the evidence,
 * and when the requirement was first met. The credential document and its signature are
 * the credential library's (credential/award.h), which calls this.
 *
 * A loaded definition and an evaluation are plain values: any number of threads may read
 * them at once.
 */
#ifndef ASSAY_CREDENTIAL_DEF_H
#define ASSAY_CREDENTIAL_DEF_H

#include <assay/error.h>
#include <assay/record.h>
#include <assay/rubric.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The definition format this engine reads ("assay_credential": 1). */
#define ASSAY_CREDENTIAL_FORMAT 1
/** Longest validity period, in days ("validity": {"days": N}). */
#define ASSAY_CREDENTIAL_DAYS_MAX 36500

typedef struct assay_credential_def assay_credential_def;

/** One level of a competency's scale. */
typedef struct assay_credential_level {
    const char *id;   /**< the level's id on the scale, e.g. "proficient" */
    const char *name; /**< its name, e.g. "Proficient" */
    const char *min;  /**< the lowest value that reaches it, exactly ("0", "4/5", "0.65") */
} assay_credential_level;

/** A required competency, with what its framework says of it. */
typedef struct assay_credential_requirement {
    const char *competency;  /**< its id in the framework */
    const char *key;         /**< its key in learner records: "<framework>/<competency>" */
    const char *level;       /**< the level required: the record's value must reach it */
    size_t level_index;      /**< its index in levels */
    const char *name;        /**< the competency's name */
    const char *description; /**< may be NULL */
    const char *uri;         /**< its CASE CFItem URI, or NULL */
    const assay_credential_level *levels; /**< its scale, lowest level first */
    size_t nlevels;
} assay_credential_requirement;

/** An OB 3.0 Alignment (to a CASE CFItem, a framework...). */
typedef struct assay_credential_alignment {
    const char *target_name;
    const char *target_url;
    const char *target_type;      /**< never NULL: "CFItem" unless the definition says */
    const char *target_code;      /**< may be NULL */
    const char *target_framework; /**< may be NULL */
} assay_credential_alignment;

/** What a loaded definition says. Every pointer is borrowed from the definition. */
typedef struct assay_credential_info {
    const char *id, *version;
    const char *sha256; /**< hex SHA-256 of its canonical content (as a rubric's) */
    const char *source; /**< the file (or name) it was loaded from */
    const char *name, *description;
    const char *criteria;         /**< the criteria narrative */
    const char *image;            /**< image URL, or NULL */
    const char *achievement_type; /**< an OB 3.0 AchievementType or "ext:...", or NULL */
    const char *achievement_id;   /**< the Achievement's URI, or NULL (derived when issued) */
    const char *issuer_id, *issuer_name;
    const char *issuer_url, *issuer_email; /**< may be NULL */
    const char *framework; /**< the framework id ("rubric:<id>" for a rubric's) */
    const assay_credential_requirement *requirements; /**< in the definition's order */
    size_t nrequirements;
    const char *const *rubrics; /**< rubric ids that must have graded the learner */
    size_t nrubrics;
    /** The definition's alignments; without an "alignments" member, one per required
     *  competency that has a URI (targetName its name, targetCode its id). */
    const assay_credential_alignment *alignments;
    size_t nalignments;
    unsigned validity_days;            /**< 0: no validUntil */
    const char *subject_id_template;   /**< "urn:...:{learner}", or NULL */
    bool subject_hashed;               /**< publish the learner as a salted hash */
    const char *subject_salt_from;     /**< hashed: the environment variable holding the salt */
    const char *subject_identity_type; /**< hashed: the IdentifierType ("identifier") */
} assay_credential_info;

/**
 * Loads a definition from bytes and checks it against cat: the framework must be known
 * (a framework document, or "rubric:<id>" for a loaded rubric's own competencies), each
 * required competency must be in it and each level on that competency's scale, each
 * required rubric loaded. Every problem is appended to diags (may be NULL) with its line,
 * column and JSON pointer, e.g. "unknown competency \"stoichiometry\" in framework
 * \"rubric:chem-molarity\" (did you mean \"solution-stoichiometry\"?)".
 * @param source names the text in diagnostics (a file name)
 * @return 0 and *out set (caller frees with assay_credential_def_destroy); ASSAY_E_SYNTAX,
 *         ASSAY_E_INVALID, ASSAY_E_TOO_LARGE (over the rubric size limit), ASSAY_E_NOMEM,
 *         or ASSAY_E_ARG (a NULL argument); *out untouched on failure.
 */
ASSAY_API int assay_credential_def_load_buffer(const char *buf, size_t len, const char *source,
                                               const assay_catalog *cat,
                                               assay_credential_def **out, assay_diags *diags);
/** The same for a file; source is the path. ASSAY_E_IO when it cannot be read. */
ASSAY_API int assay_credential_def_load_file(const char *path, const assay_catalog *cat,
                                             assay_credential_def **out, assay_diags *diags);
/** Frees a definition. NULL is a no-op. */
ASSAY_API void assay_credential_def_destroy(assay_credential_def *d);
/** @return what the definition says, borrowed until it is destroyed. */
ASSAY_API const assay_credential_info *assay_credential_def_info(const assay_credential_def *d);

/* ---------------------------------------------------------------------------------------
 * Definitions in a catalog.
 */

/**
 * Adds a definition; the catalog takes ownership on success. The same id and version twice
 * is ASSAY_E_DUPLICATE (the definition stays the caller's).
 */
ASSAY_API int assay_catalog_add_credential(assay_catalog *c, assay_credential_def *d);
ASSAY_API size_t assay_catalog_credential_count(const assay_catalog *c);
/** @return the i-th definition in load order, borrowed until the catalog is destroyed. */
ASSAY_API const assay_credential_def *assay_catalog_credential_get(const assay_catalog *c,
                                                                   size_t i);
/** @return the definition with that id and version (NULL: the newest), or NULL. */
ASSAY_API const assay_credential_def *
assay_catalog_find_credential(const assay_catalog *c, const char *id, const char *version);

/* ---------------------------------------------------------------------------------------
 * The decision.
 */

/** A required competency as the credential certifies it. Strings owned by the evaluation. */
typedef struct assay_credential_achieved {
    const assay_credential_requirement *requirement; /**< borrowed from the definition */
    const char *value_exact; /**< the competency's value when the requirement was met */
    size_t level_index;      /**< the level it reached then, on requirement->levels */
} assay_credential_achieved;

/** A graded submission behind the credential. Strings owned by the evaluation. */
typedef struct assay_credential_evidence {
    const char *submission;
    const char *rubric, *rubric_version, *rubric_sha256;
    const char *at; /**< when it was submitted (or graded), UTC RFC 3339 */
} assay_credential_evidence;

/** The outcome of assay_credential_evaluate. */
typedef struct assay_credential_eval {
    bool met;           /**< the record satisfies the definition now */
    const char *reason; /**< not met: the first requirement that is not, as a sentence */
    /** met: the time of the evidence that first completed the requirement (UTC RFC 3339,
     *  fraction as written) and the same in whole seconds since the epoch (rounded down). */
    const char *valid_from;
    int64_t valid_from_s;
    assay_credential_achieved *achieved; /**< met: one per requirement, in its order */
    size_t nachieved;
    /** met: the submissions behind the required competencies and rubrics up to valid_from,
     *  each once, oldest first (by time, then submission id bytewise) */
    assay_credential_evidence *evidence;
    size_t nevidence;
} assay_credential_eval;

/**
 * Decides whether record r satisfies definition d, and when.
 *
 * A required competency is met when its value, by its record's calculation method, reaches
 * the required level's "min" on the competency's scale; a required rubric when the record
 * holds evidence graded by it. The definition is satisfied when all are met now. Its time is
 * then that of the first point of the record's evidence, taken in order (time, then
 * submission id), at which all were met by the evidence up to it: the evidence that first
 * completed the requirement. The levels reached and the evidence listed are those of that
 * point, so the same record gives the same evaluation however it was built (in one batch or
 * many, by the worker or by `assay record rebuild`), as long as no evidence up to that point
 * was regraded or dropped by the cap since.
 *
 * @param out  receives a new evaluation (met or not; caller frees with
 *             assay_credential_eval_destroy)
 * @return 0; ASSAY_E_ARG for a NULL argument or a record whose evidence the definition's
 *         methods cannot compute (why says what); ASSAY_E_NOMEM. *out untouched on failure.
 */
ASSAY_API int assay_credential_evaluate(const assay_credential_def *d, const assay_record *r,
                                        assay_credential_eval **out, char *why, size_t whylen);
/** Frees an evaluation. NULL is a no-op. */
ASSAY_API void assay_credential_eval_destroy(assay_credential_eval *e);
/**
 * Whether record r satisfies definition d now: assay_credential_evaluate's "met" and
 * "reason", without finding when it first did (which replays the evidence: for records of
 * many entries most of the cost). The worker asks this after each result.
 * @param reason  not met: the same sentence as the evaluation's reason (may be NULL)
 * @return 1 met; 0 not met; ASSAY_E_ARG (why says what) or ASSAY_E_NOMEM.
 */
ASSAY_API int assay_credential_met_now(const assay_credential_def *d, const assay_record *r,
                                       char *reason, size_t reasonlen, char *why,
                                       size_t whylen);

/* ---------------------------------------------------------------------------------------
 * The OB 3.0 rules definitions are checked with, shared with the credential library.
 */

/** A syntactic absolute URI: a scheme (a letter, then letters, digits, "+", "-", "."), ":",
 *  and at least one more character, with no white space, control character or one of
 *  <>"{}|\^` anywhere. */
ASSAY_API bool assay_credential_uri_ok(const char *s);
/** An OB 3.0 AchievementType ("MicroCredential", "Competency", "Badge"...) or "ext:...". */
ASSAY_API bool assay_credential_achievement_type_ok(const char *s);
/** An OB 3.0 IdentifierType ("identifier", "sisSourcedId", "emailAddress"...) or "ext:...".
 */
ASSAY_API bool assay_credential_identifier_type_ok(const char *s);
/** An OB 3.0 AlignmentTargetType ("CFItem", "CFRubric", "ceasn:Competency"...) or "ext:...".
 */
ASSAY_API bool assay_credential_alignment_type_ok(const char *s);

#ifdef __cplusplus
}
#endif

#endif
