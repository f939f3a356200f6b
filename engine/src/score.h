/*
 * score.h - scoring a validated submission against its rubric (score.c): every check of
 * every item evaluated on the item's answer, item scores and totals, and each competency's
 * score (earned over possible evidence weight) with the level it reaches on its scale.
 *
 * Scoring makes the check records (check.h) of one item at a time and hands each finished
 * item to the tally's item_done, which writes it out (result.c) while its records and
 * answer are still there; it does not assemble the result around the items.
 */
#ifndef ENGINE_SCORE_H
#define ENGINE_SCORE_H

#include "check.h"
#include "rat.h"
#include "rubric.h"
#include "scratch.h"

#include <jansson.h>

/* One item's outcome, valid while item_done runs. */
typedef struct sc_item {
    rat score, max;
    bool answered; /* an answer was given, usable or not */
    /* The answer as text, when answered: a string as sent (borrowed from the submission), a
     * number as the text it is graded as (in num), any other value as its compact JSON (in
     * the scratch). Not yet cut to the result's length limit. */
    const char *answer;
    size_t answer_len;
    char num[40];
} sc_item;

/* One competency's outcome. */
typedef struct sc_comp {
    rat score;    /* in [0, 1]; 0 when no check could give evidence */
    size_t level; /* index in the competency's scale: the highest whose min it reaches */
    bool mastered;
} sc_comp;

typedef struct sc_tally sc_tally;

/* Called once per item, in rubric order, with its outcome and its check records in g. */
typedef void (*sc_item_fn)(sc_tally *t, size_t index, const sc_item *it, const ck_context *g);

/* Everything scoring found. The competencies live in the scratch until its next use. */
struct sc_tally {
    const assay_rubric *r;
    sc_comp *comps; /* one per competency of the rubric */
    rat score, max;
    size_t check_errors;   /* checks (members included) that could not be evaluated */
    size_t answered_items; /* items the responses have a key for */
    sc_item_fn item_done;
    void *out; /* for item_done: where the items go */
};

/*
 * Scores responses (the submission's "responses" object, already validated) with scratch s,
 * whose matcher gets the rubric's limits, into t (t->r, item_done and out set by the
 * caller). @return 0, or -1 when out of memory (then t is cleared all the same).
 */
int assay__score(sc_tally *t, const json_t *responses, assay_scratch *s,
                 const assay_limits *lim);
/* Frees what GMP values the tally holds. */
void assay__score_clear(sc_tally *t);

#endif
