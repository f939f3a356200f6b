/*
 * check.h - evaluating the checks of one item against its answer: check.c evaluates groups
 * and dispatches, check_pattern.c evaluates pattern checks, check_numeric.c numeric ones;
 * check_out.c writes what they found as JSON text or as jansson objects.
 *
 * An evaluation leaves a record (ck_rec) per check, a group's members right after it: the
 * status, the credit, and the details that explain it (where a pattern matched, which
 * number was read, a reason and an explanation when the answer fell short). Records and
 * their strings live in the thread's scratch and last until the next item. The result's
 * check objects are made from the records alone, in one fixed field order, so the text
 * writer and the object builder cannot disagree on content.
 */
#ifndef ENGINE_CHECK_H
#define ENGINE_CHECK_H

#include "jsonw.h"
#include "rat.h"
#include "rubric.h"
#include "scratch.h"

#include <jansson.h>

typedef enum ck_status {
    CK_CORRECT,
    CK_PARTIAL,
    CK_INCORRECT,
    CK_INVALID,
    CK_ERROR,
} ck_status;

/* Which details a record has (ck_rec.has). */
enum {
    CK_HAS_MODE = 1u << 0,
    CK_HAS_MATCH = 1u << 1, /* "match": an object, or null when match_start is CK_NONE */
    CK_HAS_COUNT = 1u << 2,
    CK_HAS_VALUE = 1u << 3,
    CK_HAS_SIG_FIGS = 1u << 4,
    CK_HAS_UNIT = 1u << 5, /* "unit": a string, or null when unit.at is CK_NONE */
    CK_HAS_BASE = 1u << 6, /* "value_in_base_unit" */
    CK_HAS_GROUP = 1u << 7,
    CK_HAS_REASON = 1u << 8, /* "reason" and "explanation" */
    CK_HAS_MESSAGE = 1u << 9,
};

#define CK_NONE SIZE_MAX

/* Text kept in the item's string space (ck_item_text): an offset and a length. */
typedef struct ck_text {
    size_t at, len;
} ck_text;

/* What evaluating one check found. */
typedef struct ck_rec {
    const rb_check *c;
    ck_status st;
    bool member;         /* a group's member: "credit" instead of "points" and "max_points" */
    unsigned has;        /* CK_HAS_* */
    rat credit;          /* in [0, 1] */
    uint8_t mode;        /* rb_mode */
    const char *subject; /* what was matched (valid until the next item) */
    size_t match_start, match_end;
    size_t count;
    int sig_figs;
    ck_text value, unit, base, explanation, message;
    const char *reason; /* a static code */
    size_t needed;      /* a group's members needed */
    size_t span;        /* this record and its members' (recursively) */
} ck_rec;

/* What evaluating the checks of one item needs, and what it leaves. */
typedef struct ck_context {
    const assay_rubric *r;
    assay_scratch *s;   /* the thread's scratch; its matcher has the rubric's limits */
    const char *answer; /* the item's answer; NULL when none was given */
    size_t len;
    size_t errors; /* checks (members included) that could not be evaluated, so far */
} ck_context;

/* The item's records and strings (in the scratch). */
#define ck_recs(g)  ((g)->s->recs)
#define ck_nrecs(g) ((g)->s->nrecs)

/*
 * Evaluates check c (a group with its members) against g->answer and appends its records:
 * status, credit and details. Sets *credit (initialised) and @return the status. Out of
 * memory leaves the scratch's failed flag set.
 */
ck_status assay__check_eval(ck_context *g, const rb_check *c, bool member, rat *credit);

/*
 * The record of check c when the answer itself is unusable: problem is "too_long"
 * (longer than lim->max_answer_bytes), "nul_byte" or "wrong_type". Status "invalid", no
 * points, the fail feedback.
 */
void assay__check_invalid(ck_context *g, const rb_check *c, const char *problem,
                          const assay_limits *lim);

/* Forgets the records and strings of the previous item. */
void assay__check_begin_item(ck_context *g);

/* "correct", "partial", "incorrect", "invalid" or "error". */
const char *assay__check_status_name(ck_status st);

/* Sets "reason" (a stable code) and "explanation" (a sentence for people) on record i. */
void assay__check_explain(ck_context *g, size_t i, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets "message" (for status error) on record i. */
void assay__check_message(ck_context *g, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Keeps s[0..len) in the item's string space. */
ck_text assay__check_keep(ck_context *g, const char *s, size_t len);

/* check_pattern.c, check_numeric.c: the evaluators; they fill record i and set credit. */
ck_status assay__check_pattern(ck_context *g, const rb_check *c, rat *credit, size_t i);
ck_status assay__check_numeric(ck_context *g, const rb_check *c, rat *credit, size_t i);

/* check_out.c: the item's records from index i (and i's members) as JSON text appended to
 * b, or as a new jansson object. @return the index after them (for the text writer). */
size_t assay__check_write(jw_buf *b, const ck_context *g, size_t i);
json_t *assay__check_object(const ck_context *g, size_t i);

#endif
