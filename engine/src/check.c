/*
 * check.c - one check's result: evaluating it (pattern and numeric checks through their
 * evaluators, groups here from their members' credit), then its status, points or credit
 * and the feedback for that status, in a fixed field order so equal inputs give
 * byte-identical JSON.
 *
 * It does not read answers (score.c hands it one) or total anything.
 */
#include "check.h"

#include "qjson.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const type_names[] = {"pattern", "numeric", "group"};

const char *assay__check_status_name(ck_status st)
{
    static const char *const names[] = {"correct", "partial", "incorrect", "invalid", "error"};
    return names[st];
}

void assay__check_explain(json_t *out, const char *reason, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    assay__utf8_scrub(buf);
    json_object_set_new(out, "reason", json_string(reason));
    json_t *e = json_string(buf);
    json_object_set_new(out, "explanation", e ? e : json_string("(explanation not UTF-8)"));
}

json_t *assay__check_match(const char *subject, size_t start, size_t end)
{
    json_t *m = json_object();
    json_object_set_new(m, "start", json_integer((json_int_t)start));
    json_object_set_new(m, "end", json_integer((json_int_t)end));
    json_object_set_new(m, "text", json_stringn(subject + start, end - start));
    return m;
}

/* A group's credit: its members' credit over the number needed, at most 1. */
static ck_status group_eval(ck_context *g, const rb_check *c, mpq_t credit, json_t *out)
{
    json_t *members = json_array();
    mpq_t sum, mc;
    mpq_init(sum);
    mpq_init(mc);
    size_t errors = 0;
    for (size_t i = 0; i < c->nmembers; i++) {
        ck_status mst;
        json_array_append_new(members, assay__check_result(g, &c->members[i], true, mc, &mst));
        mpq_add(sum, sum, mc);
        if (mst == CK_ERROR) {
            errors++;
        }
    }
    mpq_set_ui(mc, (unsigned long)c->needed, 1);
    mpq_div(credit, sum, mc);
    if (mpq_cmp_ui(credit, 1, 1) > 0) {
        mpq_set_ui(credit, 1, 1);
    }
    if (!c->partial_credit && mpq_cmp_ui(credit, 1, 1) < 0) {
        mpq_set_ui(credit, 0, 1);
    }
    json_object_set_new(out, "needed", json_integer((json_int_t)c->needed));
    json_object_set_new(out, "checks", members);
    ck_status st;
    if (mpq_cmp_ui(credit, 1, 1) == 0) {
        st = CK_CORRECT;
    } else if (errors > 0) {
        mpq_set_ui(credit, 0, 1);
        json_object_set_new(out, "message",
                            json_sprintf("%zu member check%s could not be evaluated", errors,
                                         errors == 1 ? "" : "s"));
        st = CK_ERROR;
    } else if (mpq_sgn(credit) > 0) {
        assay__check_explain(out, "partial_group",
                             "Some of what this question looks for is there.");
        st = CK_PARTIAL;
    } else {
        assay__check_explain(out, "group_not_met",
                             "Not enough of what this question looks for is there.");
        st = CK_INCORRECT;
    }
    mpq_clear(sum);
    mpq_clear(mc);
    return st;
}

static const char *feedback_for(const rb_check *c, ck_status st)
{
    switch (st) {
    case CK_CORRECT:
        return c->fb_pass;
    case CK_PARTIAL:
        return c->fb_partial ? c->fb_partial : c->fb_pass;
    case CK_INCORRECT:
    case CK_INVALID:
        return c->fb_fail;
    case CK_ERROR:
    default:
        return NULL;
    }
}

json_t *assay__check_result(ck_context *g, const rb_check *c, bool member, mpq_t credit,
                            ck_status *st_out)
{
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(c->id));
    json_object_set_new(out, "type", json_string(type_names[c->type]));
    json_object_set_new(out, "status", json_null());
    if (member) {
        json_object_set_new(out, "credit", json_null());
    } else {
        json_object_set_new(out, "points", json_null());
        json_object_set_new(out, "max_points", json_null());
    }
    json_object_set_new(out, "feedback", json_null());

    ck_status st;
    if (g->answer == NULL) {
        mpq_set_ui(credit, 0, 1);
        st = CK_INCORRECT;
        assay__check_explain(out, "no_answer", "No answer was given.");
    } else {
        switch (c->type) {
        case RB_PATTERN:
            st = assay__check_pattern(g, c, credit, out);
            break;
        case RB_NUMERIC:
            st = assay__check_numeric(g, c, credit, out);
            break;
        case RB_GROUP:
        default:
            st = group_eval(g, c, credit, out);
            break;
        }
    }
    if (st == CK_ERROR) {
        g->errors++;
    }
    json_object_set_new(out, "status", json_string(assay__check_status_name(st)));
    if (member) {
        json_object_set_new(out, "credit", assay__qjson(credit));
    } else {
        mpq_t pts;
        mpq_init(pts);
        mpq_mul(pts, c->points, credit);
        json_object_set_new(out, "points", assay__qjson(pts));
        json_object_set_new(out, "max_points", assay__qjson(c->points));
        mpq_clear(pts);
    }
    const char *fb = feedback_for(c, st);
    json_object_set_new(out, "feedback", fb ? json_string(fb) : json_null());
    *st_out = st;
    return out;
}

json_t *assay__check_invalid(const rb_check *c, const char *problem, const assay_limits *lim)
{
    json_t *cr = json_object();
    json_object_set_new(cr, "id", json_string(c->id));
    json_object_set_new(cr, "type", json_string(type_names[c->type]));
    json_object_set_new(cr, "status", json_string("invalid"));
    json_object_set_new(cr, "points", json_integer(0));
    json_object_set_new(cr, "max_points", assay__qjson(c->points));
    json_object_set_new(cr, "feedback", c->fb_fail ? json_string(c->fb_fail) : json_null());
    if (strcmp(problem, "too_long") == 0) {
        assay__check_explain(cr, problem, "The answer is longer than %zu bytes.",
                             lim->max_answer_bytes);
    } else if (strcmp(problem, "nul_byte") == 0) {
        assay__check_explain(cr, problem, "The answer contains a NUL character.");
    } else {
        assay__check_explain(cr, problem, "The answer must be text or a number.");
    }
    return cr;
}
