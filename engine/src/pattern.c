/*
 * pattern.c - compiling and matching PCRE2 patterns safely.
 *
 * Compile: UTF always (patterns and answers are UTF-8), UCP unless the rubric asks for
 * ASCII, \C forbidden (it could split a UTF-8 character), JIT where available. Callouts are
 * refused: a rubric cannot make the engine call out of a match. Whole-answer patterns are
 * compiled with PCRE2_ANCHORED | PCRE2_ENDANCHORED so that "$" cannot accept a trailing
 * newline.
 *
 * Match: the rubric's match, depth and heap limits through a per-thread match context, a
 * per-thread JIT stack and match data grown to the largest pattern seen. Subjects are known
 * valid UTF-8 (jansson checked them), so the UTF check is skipped.
 */
#include "pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

/* Budget of one unanchored match, in full match limits, spread over its start positions. */
#define SEARCH_BUDGET_LIMITS 64
/* Least match limit of one start position, whatever the subject's length. */
#define MIN_LIMIT_PER_START 2000

/* PCRE2 allocates through these, so the engine's allocation calls are the only ones a
 * program (or a fault-injection test) needs to follow. */
static void *pcre2_malloc_cb(PCRE2_SIZE size, void *data)
{
    (void)data;
    return malloc(size);
}

static void pcre2_free_cb(void *ptr, void *data)
{
    (void)data;
    free(ptr);
}

typedef struct callouts {
    int count;
    size_t first; /* string callout: offset of its "(?C"; numbered: where it ends */
    bool first_numbered;
} callouts;

static int count_callout_cb(pcre2_callout_enumerate_block *b, void *data)
{
    callouts *c = data;
    if (c->count++ == 0) {
        /* A string callout's text starts after "(?C" and its delimiter; a numbered one ends
         * at pattern_position (the next item). */
        c->first_numbered = b->callout_string == NULL;
        c->first = c->first_numbered ? b->pattern_position : b->callout_string_offset - 4;
    }
    return 0;
}

int assay__pattern_compile(pat_regex *p, const char *src, size_t srclen, unsigned flags,
                           char *msg, size_t msglen, size_t *erroffset)
{
    uint32_t opts = PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C;
    if (!(flags & PAT_ASCII)) {
        opts |= PCRE2_UCP;
    }
    if (flags & PAT_CASELESS) {
        opts |= PCRE2_CASELESS;
    }
    if (flags & PAT_MULTILINE) {
        opts |= PCRE2_MULTILINE;
    }
    if (flags & PAT_DOTALL) {
        opts |= PCRE2_DOTALL;
    }
    if (flags & PAT_EXTENDED) {
        opts |= PCRE2_EXTENDED;
    }
    if (flags & PAT_WHOLE) {
        opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
    }

    int ec;
    PCRE2_SIZE eo;
    /* The compiled code keeps a copy of the general context's functions, so both contexts
     * can go right after compiling. */
    pcre2_general_context *gctx =
        pcre2_general_context_create(pcre2_malloc_cb, pcre2_free_cb, NULL);
    pcre2_compile_context *cctx = gctx ? pcre2_compile_context_create(gctx) : NULL;
    pcre2_code *code = NULL;
    if (cctx != NULL) {
        code = pcre2_compile((PCRE2_SPTR)src, srclen, opts, &ec, &eo, cctx);
    }
    pcre2_compile_context_free(cctx);
    pcre2_general_context_free(gctx);
    if (cctx == NULL || (code == NULL && ec == PCRE2_ERROR_HEAP_FAILED)) {
        snprintf(msg, msglen, "out of memory");
        *erroffset = 0;
        return ASSAY_E_NOMEM;
    }
    if (code == NULL) {
        PCRE2_UCHAR text[256];
        if (pcre2_get_error_message(ec, text, sizeof(text)) < 0) {
            snprintf((char *)text, sizeof(text), "PCRE2 error %d", ec);
        }
        snprintf(msg, msglen, "invalid regular expression: %s at offset %zu", (char *)text,
                 (size_t)eo);
        *erroffset = eo;
        return ASSAY_E_REGEX;
    }
    callouts co = {0, 0, false};
    pcre2_callout_enumerate(code, count_callout_cb, &co);
    if (co.count > 0) {
        pcre2_code_free(code);
        snprintf(msg, msglen, "callouts (?C...) are not allowed in rubric patterns");
        size_t at = co.first < srclen ? co.first : srclen;
        if (co.first_numbered) {
            /* The last "(?C" before its end: \Q(?C\E earlier in the pattern is no callout. */
            while (at > 0 && !(at + 3 <= srclen && memcmp(src + at, "(?C", 3) == 0)) {
                at--;
            }
        }
        *erroffset = at;
        return ASSAY_E_REGEX;
    }
    /* JIT is an optimisation: without it (unsupported CPU, no executable memory) the
     * interpreter gives the same answers under the same limits. */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    uint32_t all = 0;
    pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &all);
    p->anchored = (all & PCRE2_ANCHORED) != 0;
    p->code = code;
    return 0;
}

void assay__pattern_sizes(const pat_regex *p, size_t *compiled, size_t *jit)
{
    size_t size = 0, jsize = 0;
    pcre2_pattern_info(p->code, PCRE2_INFO_SIZE, &size);
    if (pcre2_pattern_info(p->code, PCRE2_INFO_JITSIZE, &jsize) != 0) {
        jsize = 0;
    }
    *compiled = size;
    *jit = jsize;
}

int assay__pattern_probe(const pat_regex *p, const char *const *subjects, size_t n)
{
    pcre2_general_context *gctx =
        pcre2_general_context_create(pcre2_malloc_cb, pcre2_free_cb, NULL);
    pcre2_match_context *mctx = gctx ? pcre2_match_context_create(gctx) : NULL;
    pcre2_match_data *md = mctx ? pcre2_match_data_create_from_pattern(p->code, gctx) : NULL;
    int matched = -1;
    if (md != NULL) {
        pcre2_set_match_limit(mctx, PAT_PROBE_MATCH_LIMIT);
        pcre2_set_depth_limit(mctx, PAT_PROBE_MATCH_LIMIT);
        matched = 0;
        for (size_t i = 0; i < n; i++) {
            matched += pcre2_match(p->code, (PCRE2_SPTR)subjects[i], strlen(subjects[i]), 0, 0,
                                   md, mctx) >= 0;
        }
    }
    pcre2_match_data_free(md);
    pcre2_match_context_free(mctx);
    pcre2_general_context_free(gctx);
    return matched;
}

void assay__pattern_free(pat_regex *p)
{
    pcre2_code_free(p->code);
    p->code = NULL;
    free(p->source);
    p->source = NULL;
}

int assay__matcher_init(pat_matcher *m)
{
    memset(m, 0, sizeof(*m));
    m->md_pairs = 32;
    m->gctx = pcre2_general_context_create(pcre2_malloc_cb, pcre2_free_cb, NULL);
    if (m->gctx == NULL) {
        return -1;
    }
    m->md = pcre2_match_data_create(m->md_pairs, m->gctx);
    m->mctx = pcre2_match_context_create(m->gctx);
    m->jit_stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, m->gctx);
    if (m->md == NULL || m->mctx == NULL) {
        assay__matcher_finish(m);
        return -1;
    }
    if (m->jit_stack) {
        pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
    }
    return 0;
}

void assay__matcher_finish(pat_matcher *m)
{
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit_stack);
    pcre2_general_context_free(m->gctx);
    memset(m, 0, sizeof(*m));
}

void assay__matcher_limits(pat_matcher *m, uint32_t match, uint32_t depth, uint32_t heap_kib)
{
    m->match_limit = match;
    pcre2_set_match_limit(m->mctx, match);
    pcre2_set_depth_limit(m->mctx, depth);
    pcre2_set_heap_limit(m->mctx, heap_kib);
}

int assay__pattern_match(pat_matcher *m, const pat_regex *p, const char *subject, size_t len,
                         size_t start)
{
    uint32_t captures = 0;
    pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &captures);
    if (captures + 1 > m->md_pairs) {
        pcre2_match_data *md = pcre2_match_data_create(captures + 1, m->gctx);
        if (md == NULL) {
            return PCRE2_ERROR_NOMEMORY;
        }
        pcre2_match_data_free(m->md);
        m->md = md;
        m->md_pairs = captures + 1;
    }
    /* PCRE2 restarts the match-limit count at every start position of an unanchored match,
     * so one call could cost (start positions) x (limit): a 64 KiB answer, 65,537 limits.
     * Spread SEARCH_BUDGET_LIMITS limits over the subject's positions instead (the whole
     * subject's, so count mode's successive calls share one budget too). */
    uint32_t limit = m->match_limit;
    if (!p->anchored && limit > 0) {
        uint64_t per = (uint64_t)limit * SEARCH_BUDGET_LIMITS / ((uint64_t)len + 1);
        if (per < MIN_LIMIT_PER_START) {
            per = MIN_LIMIT_PER_START;
        }
        if (per < limit) {
            limit = (uint32_t)per;
        }
    }
    pcre2_set_match_limit(m->mctx, limit);
    int rc = pcre2_match(p->code, (PCRE2_SPTR)subject, len, start, PCRE2_NO_UTF_CHECK, m->md,
                         m->mctx);
    if (rc == PCRE2_ERROR_NOMATCH) {
        return 0;
    }
    if (rc == 0) {
        /* The ovector was too small for every group; the whole match is still there. */
        return 1;
    }
    return rc;
}

void assay__pattern_error(int rc, char *buf, size_t size)
{
    switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT:
        snprintf(buf, size, "exceeded its match limit (too much backtracking)");
        return;
    case PCRE2_ERROR_DEPTHLIMIT:
        snprintf(buf, size, "exceeded its depth limit");
        return;
    case PCRE2_ERROR_HEAPLIMIT:
        snprintf(buf, size, "exceeded its heap limit");
        return;
    case PCRE2_ERROR_JIT_STACKLIMIT:
        snprintf(buf, size, "exceeded the JIT stack limit");
        return;
    default: {
        PCRE2_UCHAR text[200];
        if (pcre2_get_error_message(rc, text, sizeof(text)) < 0) {
            snprintf((char *)text, sizeof(text), "PCRE2 error %d", rc);
        }
        snprintf(buf, size, "failed: %s", (char *)text);
    }
    }
}
