/*
 * scratch.c - a grading thread's reusable state: creating and destroying it, and the answer
 * normalised for a pattern (text.c does the normalising; this file keeps the buffers).
 *
 * A scratch belongs to one thread at a time; nothing here is shared.
 */
#include "scratch.h"

#include "text.h"

#include <stdlib.h>

assay_scratch *assay_scratch_create(void)
{
    assay_scratch *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    if (assay__matcher_init(&s->m) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

void assay_scratch_destroy(assay_scratch *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < SCRATCH_SLOTS; i++) {
        free(s->norm[i]);
    }
    assay__jw_free(&s->out);
    assay__jw_free(&s->strs);
    assay__jw_free(&s->items);
    assay__jw_free(&s->itext);
    assay__jw_free(&s->anstext);
    free(s->comps);
    free(s->recs);
    free(s->tally_comps);
    free(s->earned);
    json_decref(s->sub);
    assay__matcher_finish(&s->m);
    free(s);
}

void assay__scratch_reset(assay_scratch *s)
{
    for (size_t i = 0; i < SCRATCH_SLOTS; i++) {
        s->norm_ready[i] = false;
    }
}

const char *assay__scratch_subject(assay_scratch *s, const pat_regex *p, const char *answer,
                                   size_t len, size_t *out_len)
{
    if (!p->collapse) {
        /* Trimming alone is a window into the answer: nothing to copy. */
        size_t a = 0, b = len;
        if (p->trim) {
            assay__text_trim(answer, &a, &b);
        }
        *out_len = b - a;
        return answer + a;
    }
    size_t slot = (p->trim ? 1u : 0u) | (p->collapse ? 2u : 0u);
    if (!s->norm_ready[slot]) {
        if (s->norm_cap[slot] < len + 1) {
            char *nb = realloc(s->norm[slot], len + 1);
            if (nb == NULL) {
                *out_len = len;
                return answer;
            }
            s->norm[slot] = nb;
            s->norm_cap[slot] = len + 1;
        }
        s->norm_len[slot] =
            assay__text_normalize(answer, len, p->trim, p->collapse, s->norm[slot]);
        s->norm_ready[slot] = true;
    }
    *out_len = s->norm_len[slot];
    return s->norm[slot];
}
