/*
 * scratch.h - a grading thread's reusable state (struct assay_scratch): PCRE2 match data and
 * the current answer normalised each way a pattern may ask for, so grading a submission
 * allocates nothing once the buffers have grown to the longest answer seen.
 */
#ifndef ENGINE_SCRATCH_H
#define ENGINE_SCRATCH_H

#include "assay/grade.h"
#include "pattern.h"

#define SCRATCH_SLOTS 4 /* (trim, collapse) combinations */

struct assay_scratch {
    pat_matcher m;
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
