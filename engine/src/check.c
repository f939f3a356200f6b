/*
 * check.c - evaluating one check into its record (check.h): the answer missing, pattern and
 * numeric checks through their evaluators, groups here from their members' credit; the
 * records of unusable answers; and the item's record and string space in the scratch.
 *
 * It does not read answers (score.c hands it one), total anything, or write JSON
 * (check_out.c does).
 */
#include "check.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *assay__check_status_name(ck_status st)
{
    static const char *const names[] = {"correct", "partial", "incorrect", "invalid", "error"};
    return names[st];
}

void assay__check_begin_item(ck_context *g)
{
    assay_scratch *s = g->s;
    for (size_t i = 0; i < s->nrecs; i++) {
        assay__rat_clear(&s->recs[i].credit);
    }
    s->nrecs = 0;
    s->itext.len = 0;
}

/* Appends an empty record for check c. @return its index, or CK_NONE out of memory. */
static size_t new_record(ck_context *g, const rb_check *c, bool member)
{
    assay_scratch *s = g->s;
    if (s->nrecs == s->recs_cap) {
        size_t cap = s->recs_cap ? s->recs_cap * 2 : 32;
        ck_rec *nr = realloc(s->recs, cap * sizeof(*nr));
        if (nr == NULL) {
            s->itext.failed = true;
            return CK_NONE;
        }
        s->recs = nr;
        s->recs_cap = cap;
    }
    ck_rec *rec = &s->recs[s->nrecs];
    memset(rec, 0, sizeof(*rec));
    rec->c = c;
    rec->member = member;
    rec->credit.d = 1;
    rec->span = 1;
    rec->match_start = CK_NONE;
    rec->unit.at = CK_NONE;
    return s->nrecs++;
}

ck_text assay__check_keep(ck_context *g, const char *s, size_t len)
{
    jw_buf *b = &g->s->itext;
    ck_text t = {b->len, len};
    jw_put(b, s, len);
    return t;
}

/* vsnprintf into the item's string space, cut on a character boundary; a text that is not
 * UTF-8 after all becomes fallback, as jansson's json_string would refuse it. */
static ck_text keep_format(ck_context *g, const char *fallback, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static ck_text keep_format(ck_context *g, const char *fallback, const char *fmt, va_list ap)
{
    char buf[600];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    assay__utf8_scrub(buf);
    size_t n = strlen(buf);
    if (!assay__utf8_valid(buf, n)) {
        return assay__check_keep(g, fallback, strlen(fallback));
    }
    return assay__check_keep(g, buf, n);
}

void assay__check_explain(ck_context *g, size_t i, const char *reason, const char *fmt, ...)
{
    if (i == CK_NONE) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    ck_text t;
    if (strchr(fmt, '%') == NULL) {
        t = assay__check_keep(g, fmt, strlen(fmt)); /* a constant sentence */
    } else {
        t = keep_format(g, "(explanation not UTF-8)", fmt, ap);
    }
    va_end(ap);
    ck_rec *rec = &g->s->recs[i];
    rec->has |= CK_HAS_REASON;
    rec->reason = reason;
    rec->explanation = t;
}

void assay__check_message(ck_context *g, size_t i, const char *fmt, ...)
{
    if (i == CK_NONE) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    ck_text t = keep_format(g, "(message not UTF-8)", fmt, ap);
    va_end(ap);
    g->s->recs[i].has |= CK_HAS_MESSAGE;
    g->s->recs[i].message = t;
}

/* A group's credit: its members' credit over the number needed, at most 1. */
static ck_status group_eval(ck_context *g, const rb_check *c, rat *credit, size_t i)
{
    rat sum = {.d = 1}, mc = {.d = 1};
    size_t errors = 0;
    for (size_t k = 0; k < c->nmembers; k++) {
        if (assay__check_eval(g, &c->members[k], true, &mc) == CK_ERROR) {
            errors++;
        }
        assay__rat_add(&sum, &sum, &mc);
    }
    rat_set_int(&mc, (int64_t)c->needed);
    assay__rat_div(credit, &sum, &mc);
    rat one = {.n = 1, .d = 1};
    if (assay__rat_cmp(credit, &one) > 0) {
        rat_set_int(credit, 1);
    }
    if (!c->partial_credit && !assay__rat_is_one(credit)) {
        rat_set_int(credit, 0);
    }
    assay__rat_clear(&sum);
    assay__rat_clear(&mc);
    if (i == CK_NONE) {
        return CK_ERROR;
    }
    ck_rec *rec = &g->s->recs[i];
    rec->has |= CK_HAS_GROUP;
    rec->needed = c->needed;
    rec->span = g->s->nrecs - i;
    if (assay__rat_is_one(credit)) {
        return CK_CORRECT;
    }
    if (errors > 0) {
        rat_set_int(credit, 0);
        assay__check_message(g, i, "%zu member check%s could not be evaluated", errors,
                             errors == 1 ? "" : "s");
        return CK_ERROR;
    }
    if (assay__rat_sgn(credit) > 0) {
        assay__check_explain(g, i, "partial_group",
                             "Some of what this question looks for is there.");
        return CK_PARTIAL;
    }
    assay__check_explain(g, i, "group_not_met",
                         "Not enough of what this question looks for is there.");
    return CK_INCORRECT;
}

ck_status assay__check_eval(ck_context *g, const rb_check *c, bool member, rat *credit)
{
    size_t i = new_record(g, c, member);
    ck_status st;
    if (g->answer == NULL) {
        rat_set_int(credit, 0);
        st = CK_INCORRECT;
        assay__check_explain(g, i, "no_answer", "No answer was given.");
    } else if (c->type == RB_GROUP) {
        st = group_eval(g, c, credit, i);
    } else if (i == CK_NONE) {
        rat_set_int(credit, 0);
        st = CK_ERROR;
    } else if (c->type == RB_PATTERN) {
        st = assay__check_pattern(g, c, credit, i);
    } else {
        st = assay__check_numeric(g, c, credit, i);
    }
    if (st == CK_ERROR) {
        g->errors++;
    }
    if (i != CK_NONE) {
        g->s->recs[i].st = st;
        assay__rat_set(&g->s->recs[i].credit, credit);
    }
    return st;
}

void assay__check_invalid(ck_context *g, const rb_check *c, const char *problem,
                          const assay_limits *lim)
{
    size_t i = new_record(g, c, false);
    if (i == CK_NONE) {
        return;
    }
    g->s->recs[i].st = CK_INVALID;
    if (strcmp(problem, "too_long") == 0) {
        assay__check_explain(g, i, problem, "The answer is longer than %zu bytes.",
                             lim->max_answer_bytes);
    } else if (strcmp(problem, "nul_byte") == 0) {
        assay__check_explain(g, i, problem, "The answer contains a NUL character.");
    } else {
        assay__check_explain(g, i, problem, "The answer must be text or a number.");
    }
}
