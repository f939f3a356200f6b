/*
 * pattern.h - PCRE2 patterns of pattern checks and numeric sources: compiled once at load
 * (UTF always, UCP unless ASCII is asked for, JIT where available, callouts refused) and
 * matched under the rubric's limits with per-thread match data.
 */
#ifndef ASSAY_PATTERN_H
#define ASSAY_PATTERN_H

#include "rubric.h"

#define ASSAY_FLAG_CASELESS  0x1u
#define ASSAY_FLAG_MULTILINE 0x2u
#define ASSAY_FLAG_DOTALL    0x4u
#define ASSAY_FLAG_EXTENDED  0x8u
#define ASSAY_FLAG_ASCII     0x10u
#define ASSAY_FLAG_WHOLE     0x20u /* anchored at both ends */

/*
 * Compiles src into p->code. On failure returns -1 with PCRE2's message (or ours) in msg
 * and the byte offset in src of the offending character in *erroffset.
 */
int assay__pattern_compile(pattern *p, const char *src, size_t srclen, unsigned flags,
                           char *msg, size_t msglen, size_t *erroffset);
void assay__pattern_free(pattern *p);

/* Per-thread state for matching (see assay_scratch). */
typedef struct matcher {
    pcre2_match_data *md;
    uint32_t md_pairs;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    uint32_t match_limit; /* the rubric's, per match (assay__matcher_limits) */
} matcher;

int assay__matcher_init(matcher *m);
void assay__matcher_finish(matcher *m);
/* Applies a rubric's limits to the matcher's match context. */
void assay__matcher_limits(matcher *m, const assay_rubric *r);

/*
 * Matches p against subject from start. @return >0 on a match (ovector in m->md), 0 for no
 * match, or a negative PCRE2 error code (a limit, for instance).
 */
int assay__pattern_match(matcher *m, const pattern *p, const char *subject, size_t len,
                         size_t start);
/* A sentence for a negative result of assay__pattern_match. */
void assay__pattern_error(int rc, char *buf, size_t size);

#endif
