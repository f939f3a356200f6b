/*
 * scratch.h - a grading thread's reusable state (struct assay_scratch): PCRE2 match data,
 * the current answer normalised each way a pattern may ask for, and the buffers a result is
 * written into and handed out from, so grading a submission reuses them once they have grown
 * to the largest seen.
 */
#ifndef ENGINE_SCRATCH_H
#define ENGINE_SCRATCH_H

#include "assay/grade.h"
#include "jsonw.h"
#include "pattern.h"

#define SCRATCH_SLOTS 4 /* (trim, collapse) combinations */

struct assay_scratch {
    pat_matcher m;
    /* What assay_grade_text hands out, valid until the next grading call: the result's
     * text, the strings of its assay_result_info, its competencies, and the submission its
     * pointers borrow from. */
    jw_buf out;
    jw_buf strs;
    assay_result_competency *comps;
    size_t comps_cap;
    json_t *sub;
    /* Scoring: the items' text as they are finished (copied into out after the
     * competencies), the current item's check records (check.h) and the strings they keep,
     * its answer as JSON text when it is neither text nor a number, the competencies'
     * outcomes and the evidence sums (earned, then possible). */
    jw_buf items;
    struct ck_rec *recs;
    size_t nrecs, recs_cap;
    jw_buf itext;
    jw_buf anstext;
    struct sc_comp *tally_comps;
    struct rat *earned;
    size_t comps_room;
    /* graded_at when the caller gives none: the current second, formatted once. */
    long long now_sec;
    char now_text[40];
    /* The current answer, normalised each way at most once per item. */
    char *norm[SCRATCH_SLOTS];
    size_t norm_cap[SCRATCH_SLOTS];
    size_t norm_len[SCRATCH_SLOTS];
    bool norm_ready[SCRATCH_SLOTS];
};

/* Forgets the normalised answers: the next item's answer is another one. */
void assay__scratch_reset(assay_scratch *s);

/*
 * answer[0..len) as pattern p wants it (trimmed and collapsed as it asks), normalised at most
 * once per item and kept in s. When a buffer cannot grow, the answer as it is.
 */
const char *assay__scratch_subject(assay_scratch *s, const pat_regex *p, const char *answer,
                                   size_t len, size_t *out_len);

#endif
