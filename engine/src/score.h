/*
 * score.h - scoring a validated submission against its rubric (score.c): every check of
 * every item evaluated on the item's answer, item scores and totals, and each competency's
 * score (earned over possible evidence weight) with the level it reaches on its scale.
 *
 * Scoring builds the check results (JSON) but not the result around them: result.c assembles
 * that from the tally.
 */
#ifndef ENGINE_SCORE_H
#define ENGINE_SCORE_H

#include "rubric.h"
#include "scratch.h"

#include <gmp.h>
#include <jansson.h>

/* One item's outcome. */
typedef struct sc_item {
    json_t *checks; /* its check results in rubric order (owned; NULL when out of memory) */
    mpq_t score, max;
    bool answered; /* an answer was given, usable or not */
    /* The answer as text, when answered: a string as sent (borrowed from the submission), a
     * number as the text it is graded as (in num), any other value as its compact JSON
     * (owned, in json_text). Not yet cut to the result's length limit. */
    const char *answer;
    size_t answer_len;
    char *json_text;
    char num[40];
} sc_item;

/* One competency's outcome. */
typedef struct sc_comp {
    mpq_t score;  /* in [0, 1]; 0 when no check could give evidence */
    size_t level; /* index in the competency's scale: the highest whose min it reaches */
    bool mastered;
} sc_comp;

/* Everything scoring found, one entry per item and per competency of the rubric. */
typedef struct sc_tally {
    const assay_rubric *r;
    sc_item *items;
    sc_comp *comps;
    mpq_t score, max;
    size_t check_errors; /* checks (members included) that could not be evaluated */
} sc_tally;

/* Prepares an empty tally for r. @return 0, or -1 when out of memory (nothing to clear). */
int assay__score_init(sc_tally *t, const assay_rubric *r);
/* Frees what the tally still owns. */
void assay__score_clear(sc_tally *t);

/*
 * Scores responses (the submission's "responses" object, already validated) with scratch s,
 * whose matcher gets the rubric's limits. @return 0, or -1 when out of memory.
 */
int assay__score(sc_tally *t, const json_t *responses, assay_scratch *s,
                 const assay_limits *lim);

#endif
