/*
 * pattern.h - PCRE2 patterns of pattern checks and numeric sources: compiled once at load
 * (UTF always, UCP unless ASCII is asked for, JIT where available, callouts refused) and
 * matched under the rubric's limits with per-thread match data.
 */
#ifndef ENGINE_PATTERN_H
#define ENGINE_PATTERN_H

#include "assay/error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAT_CASELESS  0x1u
#define PAT_MULTILINE 0x2u
#define PAT_DOTALL    0x4u
#define PAT_EXTENDED  0x8u
#define PAT_ASCII     0x10u
#define PAT_WHOLE     0x20u /* anchored at both ends */

/* A compiled pattern with how to prepare the answer for it. */
typedef struct pat_regex {
    pcre2_code *code;
    char *source; /* the pattern text, for messages */
    bool trim, collapse;
    bool anchored; /* matched at one start position only (whole mode, or ^ / \A / \G) */
} pat_regex;

/*
 * Compiles src into p->code (PCRE2 allocates through pattern.c's general context, that is
 * with malloc and free). @return 0; ASSAY_E_REGEX with PCRE2's message (or ours) in msg and
 * the byte offset in src of the offending character in *erroffset; or ASSAY_E_NOMEM.
 */
int assay__pattern_compile(pat_regex *p, const char *src, size_t srclen, unsigned flags,
                           char *msg, size_t msglen, size_t *erroffset);
void assay__pattern_free(pat_regex *p);

/* The compiled pattern's size (PCRE2_INFO_SIZE) and its JIT code's (PCRE2_INFO_JITSIZE, 0
 * without JIT), in bytes. */
void assay__pattern_sizes(const pat_regex *p, size_t *compiled, size_t *jit);

/*
 * Tries p on each of the n NUL-terminated subjects, short texts, under a small match limit
 * (PAT_PROBE_MATCH_LIMIT): for the loader's warnings about patterns that match anything.
 * @return how many of them it matches, or -1 when out of memory.
 */
#define PAT_PROBE_MATCH_LIMIT 100000
int assay__pattern_probe(const pat_regex *p, const char *const *subjects, size_t n);

/* Per-thread state for matching (see assay_scratch). */
typedef struct pat_matcher {
    pcre2_general_context *gctx; /* PCRE2 allocates with malloc and free through it */
    pcre2_match_data *md;
    uint32_t md_pairs;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    uint32_t match_limit; /* the rubric's, per match (assay__matcher_limits) */
} pat_matcher;

int assay__matcher_init(pat_matcher *m);
void assay__matcher_finish(pat_matcher *m);
/* Applies a rubric's match, depth and heap (KiB) limits to the matcher's match context. */
void assay__matcher_limits(pat_matcher *m, uint32_t match, uint32_t depth, uint32_t heap_kib);

/*
 * Matches p against subject from start. @return >0 on a match (ovector in m->md), 0 for no
 * match, or a negative PCRE2 error code (a limit, for instance).
 */
int assay__pattern_match(pat_matcher *m, const pat_regex *p, const char *subject, size_t len,
                         size_t start);
/* A sentence for a negative result of assay__pattern_match. */
void assay__pattern_error(int rc, char *buf, size_t size);

#endif
