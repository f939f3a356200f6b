/*
 * record.h - the in-memory form of a learner's record, shared by record.c (the model),
 * record_apply.c (applying evidence, the change it made), record_json.c (the document and the
 * change as the result's "record" member, written) and record_read.c (results read as evidence,
 * the document read back).
 *
 * Competencies are kept sorted by key and each one's evidence sorted by (at, submission
 * id), so the document's order is the model's order and serialising needs no sort.
 */
#ifndef ENGINE_RECORD_H
#define ENGINE_RECORD_H

#include "assay/assay.h"
#include "assay/record.h"
#include "timestamp.h"

#include <gmp.h>
#include <stdint.h>

/* One graded submission's score on one competency. */
typedef struct rc_evidence {
    char *submission, *rubric, *version;
    char sha256[65];
    ts_time at;
    mpq_t score; /* 0..1 */
} rc_evidence;

/* A competency's value and what it reaches. */
typedef struct rc_state {
    bool has_value;
    mpq_t value;              /* 0 without a value */
    double value_d;           /* value's nearest double (assay__mpq_to_double), kept */
    char *exact;              /* its exact text (assay__mpq_to_text); NULL without a value */
    char *level, *level_name; /* NULL without a value */
    bool mastered;
} rc_state;

typedef struct rc_comp {
    char *key; /* "<framework>/<competency id>" */
    assay_mastery_method method;
    rc_evidence *ev; /* ordered by (at, submission); at most ASSAY_RECORD_EVIDENCE_MAX */
    size_t n, cap;
    uint64_t dropped;
    rc_state st;
    /* Its member of the document, "<key>":{...}, as assay_record_dumps last wrote it; NULL
     * until then, and dropped by every change to the competency (assay__rc_comp_changed),
     * so that a document is written again only where it changed. */
    char *text;
    size_t text_len;
} rc_comp;

struct assay_record {
    char *learner;
    rc_comp *comps; /* ordered by key, bytewise */
    size_t n, cap;
};

/* Lifetimes (record.c). An initialised evidence/state/comp owns its strings and mpqs. */
void assay__rc_evidence_init(rc_evidence *e);
void assay__rc_evidence_clear(rc_evidence *e);
void assay__rc_comp_init(rc_comp *c);
void assay__rc_comp_clear(rc_comp *c);

/* Drops c's written text: call on every change to its evidence, method or state. */
void assay__rc_comp_changed(rc_comp *c);

/* (at, submission id) order of evidence: <0, 0, >0. */
int assay__rc_evidence_cmp(const rc_evidence *a, const rc_evidence *b);

/*
 * Finds key in r's competencies. Returns its index with *found set, or where it would be
 * inserted with *found clear.
 */
size_t assay__rc_find(const assay_record *r, const char *key, bool *found);
/* Inserts an initialised competency (moved in) at index i. -1 when out of memory (c is then
 * still the caller's). */
int assay__rc_insert(assay_record *r, size_t i, rc_comp *c);

/* The model (record.c), for record_apply.c and the readers. A competency's state with
 * borrowed strings (assay_record_state). */
void assay__rc_state_view(const rc_comp *c, assay_record_state *out);
/* Frees s's strings and sets it to no value. */
void assay__rc_state_reset(rc_state *s);
/* Room for `more` competencies. -1 when out of memory. */
int assay__rc_reserve(assay_record *r, size_t more);
/* Clears and removes competency i. */
void assay__rc_remove(assay_record *r, size_t i);

#endif
