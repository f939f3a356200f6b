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

static int count_callout_cb(pcre2_callout_enumerate_block *b, void *data)
{
    (void)b;
    (*(int *)data)++;
    return 0;
}

int assay__pattern_compile(pattern *p, const char *src, size_t srclen, unsigned flags,
                           char *msg, size_t msglen, size_t *erroffset)
{
    uint32_t opts = PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C;
    if (!(flags & ASSAY_FLAG_ASCII)) {
        opts |= PCRE2_UCP;
    }
    if (flags & ASSAY_FLAG_CASELESS) {
        opts |= PCRE2_CASELESS;
    }
    if (flags & ASSAY_FLAG_MULTILINE) {
        opts |= PCRE2_MULTILINE;
    }
    if (flags & ASSAY_FLAG_DOTALL) {
        opts |= PCRE2_DOTALL;
    }
    if (flags & ASSAY_FLAG_EXTENDED) {
        opts |= PCRE2_EXTENDED;
    }
    if (flags & ASSAY_FLAG_WHOLE) {
        opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
    }

    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)src, srclen, opts, &ec, &eo, NULL);
    if (code == NULL) {
        PCRE2_UCHAR text[256];
        if (pcre2_get_error_message(ec, text, sizeof(text)) < 0) {
            snprintf((char *)text, sizeof(text), "PCRE2 error %d", ec);
        }
        snprintf(msg, msglen, "invalid regular expression: %s at offset %zu", (char *)text,
                 (size_t)eo);
        *erroffset = eo;
        return -1;
    }
    int callouts = 0;
    pcre2_callout_enumerate(code, count_callout_cb, &callouts);
    if (callouts > 0) {
        pcre2_code_free(code);
        snprintf(msg, msglen, "callouts (?C...) are not allowed in rubric patterns");
        *erroffset = 0;
        const char *c = strstr(src, "(?C");
        if (c) {
            *erroffset = (size_t)(c - src);
        }
        return -1;
    }
    /* JIT is an optimisation: without it (unsupported CPU, no executable memory) the
     * interpreter gives the same answers under the same limits. */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    p->code = code;
    return 0;
}

void assay__pattern_free(pattern *p)
{
    pcre2_code_free(p->code);
    p->code = NULL;
    free(p->source);
    p->source = NULL;
}

int assay__matcher_init(matcher *m)
{
    memset(m, 0, sizeof(*m));
    m->md_pairs = 32;
    m->md = pcre2_match_data_create(m->md_pairs, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    m->jit_stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
    if (m->md == NULL || m->mctx == NULL) {
        assay__matcher_finish(m);
        return -1;
    }
    if (m->jit_stack) {
        pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
    }
    return 0;
}

void assay__matcher_finish(matcher *m)
{
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit_stack);
    memset(m, 0, sizeof(*m));
}

void assay__matcher_limits(matcher *m, const assay_rubric *r)
{
    pcre2_set_match_limit(m->mctx, r->match_limit);
    pcre2_set_depth_limit(m->mctx, r->depth_limit);
    pcre2_set_heap_limit(m->mctx, r->heap_limit_kib);
}

int assay__pattern_match(matcher *m, const pattern *p, const char *subject, size_t len,
                         size_t start)
{
    uint32_t captures = 0;
    pcre2_pattern_info(p->code, PCRE2_INFO_CAPTURECOUNT, &captures);
    if (captures + 1 > m->md_pairs) {
        pcre2_match_data *md = pcre2_match_data_create(captures + 1, NULL);
        if (md == NULL) {
            return PCRE2_ERROR_NOMEMORY;
        }
        pcre2_match_data_free(m->md);
        m->md = md;
        m->md_pairs = captures + 1;
    }
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
