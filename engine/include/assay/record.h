/*
 * assay/record.h - learner competency records: each learner's evidence per competency, across
 * attempts and assessments, rolled up into one value per competency by the competency's
 * calculation method (<assay/mastery.h>), exactly.
 *
 * Included by <assay/assay.h>. docs/records.md describes the model, the ordering, regrades,
 * the cap and the document format. One code path serves every writer: `assay record
 * rebuild` (from results), and the worker (from what it just graded).
 *
 * Example (an outline; error handling shortened):
 *
 *     assay_record *rec = assay_record_create("learner-0042"); // or assay_record_load_buffer
 *     assay_record_evidence ev;
 *     if (assay_record_evidence_from_result(result, &ev, why, sizeof why) == 0) {
 *         assay_record_change *ch = NULL;
 *         int rc = assay_record_apply(rec, catalog, &ev, &ch, why, sizeof why);
 *         // rc: ASSAY_RECORD_APPLIED or _STALE with ch set; < 0: bad input, rec unchanged
 *         char *member = assay_record_change_member(ch); // "\"record\":{...}"
 *         ...
 *         free(member);
 *         assay_record_change_destroy(ch);
 *         assay_record_evidence_finish(&ev);
 *     }
 *     char *doc = assay_record_dumps(rec);                         // the stored document
 *
 * Threads: a record is a plain value; one thread at a time may change it, any number may
 * read it, except that assay_record_dumps counts as a change (it keeps each competency's
 * text in the record, to write again only what changed). The catalog is only read.
 */
#ifndef ASSAY_RECORD_H
#define ASSAY_RECORD_H

#include <assay/error.h>
#include <assay/mastery.h>
#include <assay/rubric.h>

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The record document format this engine reads and writes ("assay_record": 1). */
#define ASSAY_RECORD_FORMAT 1
/** Evidence kept per competency; past it the oldest entries (by order) are dropped and
 *  counted in "dropped". */
#define ASSAY_RECORD_EVIDENCE_MAX 100

/** What applying one result did (a return value >= 0 of the functions below). */
typedef enum assay_record_outcome {
    ASSAY_RECORD_APPLIED = 0,    /**< evidence added (or a regrade's replaced) */
    ASSAY_RECORD_STALE = 1,      /**< the record holds this submission's evidence from a newer
                                      version of the same rubric: nothing changed */
    ASSAY_RECORD_NOT_GRADED = 2, /**< a result with status "error": it carries no score */
    ASSAY_RECORD_NO_LEARNER = 3, /**< a result without a learner (null, absent or "") */
} assay_record_outcome;

/** @return "applied", "stale", "not_graded" or "no_learner" (static), NULL otherwise. */
ASSAY_API const char *assay_record_outcome_name(int outcome);

/* ---------------------------------------------------------------------------------------
 * Records.
 */
typedef struct assay_record assay_record;

/**
 * @return an empty record for learner (copied; 1 byte or more, no NUL), or NULL when
 *         learner is NULL or "" or memory runs out. Free with assay_record_destroy().
 */
ASSAY_API assay_record *assay_record_create(const char *learner);
/** Frees a record. NULL is a no-op. */
ASSAY_API void assay_record_destroy(assay_record *r);
/** @return the learner, borrowed until the record is destroyed. */
ASSAY_API const char *assay_record_learner(const assay_record *r);

/**
 * Reads a record document (as assay_record_dumps writes it; docs/records.md).
 * @param why on failure, a sentence naming what is wrong and where (a JSON pointer), e.g.
 *            "\"score\" must be an exact number from 0 to 1, not \"3/2\" (at
 *            /competencies/rubric:chem-molarity~1buffers/evidence/0/score)"; may be NULL
 * @return 0 and *out set (caller frees with assay_record_destroy); ASSAY_E_SYNTAX for text
 *         that is not JSON, ASSAY_E_INVALID for a document that is not a record,
 *         ASSAY_E_NOMEM; *out untouched on failure.
 */
ASSAY_API int assay_record_load_buffer(const char *buf, size_t len, assay_record **out,
                                       char *why, size_t whylen);
/** The same for a parsed document (borrowed). */
ASSAY_API int assay_record_load_json(const json_t *doc, assay_record **out, char *why,
                                     size_t whylen);
/** @return the record as a new JSON object (caller json_decref()s it), or NULL (memory). */
ASSAY_API json_t *assay_record_to_json(const assay_record *r);
/**
 * The document, compact, in its fixed field order (the same record gives the same bytes).
 * Each competency's text is kept in the record and reused until that competency changes,
 * so writing a record again after a result costs what the result touched. Not to be
 * called on one record from two threads at once.
 * @return a NUL-terminated string (caller frees with free()), or NULL when out of memory.
 */
ASSAY_API char *assay_record_dumps(const assay_record *r);

/** One competency's standing in a record. Strings borrowed (see where it comes from). */
typedef struct assay_record_state {
    bool has_value;          /**< false: the method gives no value yet */
    const char *value_exact; /**< "3/4", "0.875", "1"; NULL without a value */
    double value;            /**< the nearest double; 0 without a value */
    const char *level;       /**< the level reached (id); NULL without a value */
    const char *level_name;  /**< its name; NULL without a value */
    bool mastered;           /**< the value reaches the scale's mastery level */
    size_t evidence;         /**< evidence entries kept */
    uint64_t dropped;        /**< entries dropped by the cap */
} assay_record_state;

/** @return the number of competencies with evidence (or dropped evidence) in the record. */
ASSAY_API size_t assay_record_competency_count(const assay_record *r);
/**
 * The i-th competency in key order: its key ("<framework>/<competency id>") and, when out
 * is not NULL, its state. Borrowed until the record changes or is destroyed.
 * @return the key, or NULL when i is out of range.
 */
ASSAY_API const char *assay_record_competency(const assay_record *r, size_t i,
                                              assay_record_state *out);

/* ---------------------------------------------------------------------------------------
 * Evidence: what one graded submission contributes.
 */

/** One competency's score in a graded result. */
typedef struct assay_record_score {
    const char *competency; /**< the competency's id in the rubric */
    const char *framework;  /**< its framework ("rubric:<rubric id>" for a rubric's own
                                 competencies); NULL: take the rubric's. When given it must
                                 be the rubric's. */
    const char *score;      /**< exact score from 0 to 1: "71/80", "1", "0.5" */
} assay_record_score;

/**
 * One graded submission's evidence. The worker fills it from what it graded; rebuild reads
 * it from a result with assay_record_evidence_from_result. Every string is borrowed.
 */
typedef struct assay_record_evidence {
    const char *learner;    /**< NULL or "": nothing to record (ASSAY_RECORD_NO_LEARNER) */
    const char *submission; /**< the submission's id */
    const char *rubric_id, *rubric_version, *rubric_sha256; /**< the rubric that graded */
    const char *at; /**< "submitted_at" when the submission had one, else "graded_at": RFC
                         3339 with a time zone */
    const assay_record_score *scores;
    size_t nscores;
    void *storage; /**< set by assay_record_evidence_from_result; NULL when filled by hand */
} assay_record_evidence;

/**
 * Reads a result object (as the engine writes it) into evidence. Strings point into result,
 * which must outlive ev; what had to be made (the scores array, exact scores of a result
 * without "score_exact") is held in ev->storage until assay_record_evidence_finish().
 *
 * Results with "score_exact" and "framework" per competency and "submitted_at" (result
 * format 2) are read as they are; a result without them gets framework "rubric:<rubric
 * id>", the exact score of the shortest decimal that gives its double "score", and "at" =
 * "graded_at".
 * @return 0 with ev filled; ASSAY_RECORD_NOT_GRADED or ASSAY_RECORD_NO_LEARNER (ev empty,
 *         nothing to finish; why says which); ASSAY_E_INVALID when result is not a result (why
 * names the field); ASSAY_E_NOMEM.
 */
ASSAY_API int assay_record_evidence_from_result(const json_t *result, assay_record_evidence *ev,
                                                char *why, size_t whylen);
/** Frees what assay_record_evidence_from_result made and empties ev. */
ASSAY_API void assay_record_evidence_finish(assay_record_evidence *ev);

/* ---------------------------------------------------------------------------------------
 * Applying evidence, and what it changed.
 */

/** One competency the application touched. */
typedef struct assay_record_delta {
    const char *competency; /**< the key, "<framework>/<competency id>" */
    bool had_before;        /**< false: the record had no such competency (before is empty) */
    bool has_after;         /**< false: a regrade removed its only evidence (after is empty) */
    assay_record_state before, after;
    bool mastered_now; /**< not mastered before (or absent), mastered after */
} assay_record_delta;

/** What assay_record_apply did; strings owned by the change. */
typedef struct assay_record_change {
    int outcome;        /**< ASSAY_RECORD_APPLIED or ASSAY_RECORD_STALE */
    bool replaced;      /**< evidence of an earlier grading of this submission was replaced */
    const char *reason; /**< stale: a sentence saying why; NULL otherwise */
    assay_record_delta *deltas; /**< in key order; none when stale */
    size_t ndeltas;
} assay_record_change;

/**
 * Applies one graded submission's evidence to the learner's record:
 *  - the rubric is found in cat by its SHA-256, else by id and version; each competency's
 *    method, framework and scale come from it;
 *  - when the record holds evidence of the same submission id: from a newer version of the
 *    same rubric, nothing changes (ASSAY_RECORD_STALE); otherwise all of that submission's
 *    evidence is removed first (a regrade replaces, never adds an attempt);
 *  - each score is added in order of (at, submission id bytewise); past
 *    ASSAY_RECORD_EVIDENCE_MAX per competency the oldest are dropped and counted;
 *  - each competency touched is recomputed: value, level on its scale, mastered.
 * @param change  when not NULL, receives what changed for APPLIED and STALE (caller frees
 *                with assay_record_change_destroy); NULL otherwise
 * @return ASSAY_RECORD_APPLIED; ASSAY_RECORD_STALE or ASSAY_RECORD_NO_LEARNER (r unchanged,
 *         why says why);
 *         ASSAY_E_ARG for evidence that cannot be applied: another learner's, an unknown
 *         rubric or competency, a bad score or time (why names it; r unchanged);
 *         ASSAY_E_NOMEM (r may be partly changed: destroy it).
 */
ASSAY_API int assay_record_apply(assay_record *r, const assay_catalog *cat,
                                 const assay_record_evidence *ev, assay_record_change **change,
                                 char *why, size_t whylen);
/** Frees a change. NULL is a no-op. */
ASSAY_API void assay_record_change_destroy(assay_record_change *c);

/**
 * The change as the result's "record" member, without a leading comma:
 * "\"record\":{\"status\":\"applied\",\"replaced\":false,\"competencies\":[...]}"
 * (docs/protocol.md). @return a NUL-terminated string (caller frees), or NULL (memory).
 */
ASSAY_API char *assay_record_change_member(const assay_record_change *c);
/** The member's value as a new JSON object (caller json_decref()s it), or NULL. */
ASSAY_API json_t *assay_record_change_to_json(const assay_record_change *c);
/**
 * Appends a member (such as assay_record_change_member's) to a result's text: result[0..len)
 * must be a JSON object; the member goes before its closing brace after a comma.
 * @return a new NUL-terminated string (caller frees) with its length in *outlen (may be
 *         NULL), or NULL when result is not an object or memory runs out.
 */
ASSAY_API char *assay_record_append_member(const char *result, size_t len, const char *member,
                                           size_t *outlen);

#ifdef __cplusplus
}
#endif

#endif
