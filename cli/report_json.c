/*
 * report_json.c - `assay report --json`: the figures of the HTML page as one JSON document,
 * for machines. The fields are listed in docs/reports.md; a figure that is not defined (a
 * discrimination with no variance) is null.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *count(uint64_t v)
{
    return json_integer((json_int_t)v);
}

static json_t *score_json(const rp_group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "n", count(g->scored));
    json_object_set_new(o, "max_score", g->graded ? json_real(g->max_score) : json_null());
    json_object_set_new(o, "max_score_varies", json_boolean(g->max_varies));
    json_object_set_new(o, "mean", num_or_null(g->scored ? g->mean : NAN));
    json_object_set_new(o, "sd", num_or_null(rp_score_sd(g)));
    json_object_set_new(o, "min", num_or_null(g->scored ? g->min : NAN));
    json_object_set_new(o, "max", num_or_null(g->scored ? g->max : NAN));
    json_t *hist = json_array();
    for (size_t b = 0; b < RP_BINS; b++) {
        json_array_append_new(hist,
                              json_pack("{s:f,s:f,s:o}", "from", (double)b / RP_BINS, "to",
                                        (double)(b + 1) / RP_BINS, "count", count(g->hist[b])));
    }
    json_object_set_new(o, "histogram", hist);
    return o;
}

static json_t *comp_json(const rp_comp *k)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(k->id));
    json_object_set_new(o, "name", str_or_null(k->name));
    json_object_set_new(o, "level_order", json_string(k->from_rubric ? "rubric" : "score"));
    json_object_set_new(o, "n", count(k->n));
    json_object_set_new(o, "mastered", count(k->mastered));
    json_object_set_new(o, "mastery_rate",
                        num_or_null(k->n ? (double)k->mastered / (double)k->n : NAN));
    json_t *levels = json_array();
    for (size_t l = 0; l < k->nlevels; l++) {
        const rp_level *lv = &k->levels[l];
        json_t *x = json_object();
        json_object_set_new(x, "id", json_string(lv->id));
        json_object_set_new(x, "name", str_or_null(lv->name));
        json_object_set_new(x, "count", count(lv->count));
        json_object_set_new(x, "share",
                            num_or_null(k->n ? (double)lv->count / (double)k->n : NAN));
        json_object_set_new(x, "mastered", json_boolean(lv->mastered));
        json_array_append_new(levels, x);
    }
    json_object_set_new(o, "levels", levels);
    json_object_set_new(o, "other_levels", count(k->other_levels));
    return o;
}

/* The normalisation wrong answers were grouped under: ["trim", "collapse"], or null when
 * the rubric was not loaded (answers as sent). */
static json_t *norm_json(const rp_check *c)
{
    if (c->rc == NULL) {
        return json_null();
    }
    json_t *a = json_array();
    if (c->trim) {
        json_array_append_new(a, json_string("trim"));
    }
    if (c->collapse) {
        json_array_append_new(a, json_string("collapse"));
    }
    return a;
}

static json_t *wrong_json(const rp_check *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "normalization", norm_json(c));
    json_object_set_new(o, "counted", count(c->wrong.total));
    json_object_set_new(o, "no_answer", count(c->no_answer));
    json_object_set_new(o, "truncated", count(c->truncated));
    json_object_set_new(o, "k", count(RP_SKETCH_K));
    const sketch_counter *top[RP_TOP];
    size_t n = sketch_top(&c->wrong, top, RP_TOP);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "answer", json_stringn(top[i]->text, top[i]->len));
        json_object_set_new(x, "count", count(top[i]->count));
        json_object_set_new(x, "at_least", count(top[i]->count - top[i]->err));
        json_array_append_new(arr, x);
    }
    json_object_set_new(o, "top", arr);
    return o;
}

static json_t *check_json(const rp_check *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(c->id));
    json_object_set_new(o, "item", json_string(c->item));
    json_object_set_new(o, "type", json_string(c->type));
    json_object_set_new(o, "group", str_or_null(c->group));
    json_object_set_new(o, "n", count(c->n));
    json_t *st = json_object();
    for (int s = 0; s < RP_STATUSES; s++) {
        json_object_set_new(st, rp_status_names[s], count(c->status[s]));
    }
    json_object_set_new(o, "statuses", st);
    json_object_set_new(o, "difficulty", num_or_null(rp_difficulty(c)));
    json_object_set_new(o, "discrimination", num_or_null(rp_discrimination(c)));
    const char *flags[5];
    size_t nf = rp_flags(c, flags);
    json_t *fa = json_array();
    for (size_t i = 0; i < nf; i++) {
        json_array_append_new(fa, json_string(flags[i]));
    }
    json_object_set_new(o, "flags", fa);
    json_object_set_new(o, "wrong_answers", wrong_json(c));
    return o;
}

static json_t *group_json(const rp_group *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(g->id));
    json_object_set_new(o, "version", json_string(g->version));
    json_object_set_new(o, "sha256", json_string(g->sha));
    json_object_set_new(o, "title", str_or_null(g->title));
    json_object_set_new(o, "rubric_loaded", json_boolean(g->rubric != NULL));
    json_object_set_new(o, "note", str_or_null(g->note));
    json_object_set_new(o, "results", count(g->results));
    json_object_set_new(o, "graded", count(g->graded));
    json_t *codes = json_deep_copy(g->codes);
    if (g->other_codes) {
        json_object_set_new(codes, "(other)", count(g->other_codes));
    }
    json_object_set_new(o, "not_graded", codes);
    json_object_set_new(o, "answers", json_boolean(g->answers > 0));
    json_object_set_new(o, "score", score_json(g));
    json_t *comps = json_array();
    for (size_t i = 0; i < g->ncomps; i++) {
        json_array_append_new(comps, comp_json(&g->comps[i]));
    }
    json_object_set_new(o, "competencies", comps);
    json_t *checks = json_array();
    for (size_t i = 0; i < g->nchecks; i++) {
        json_array_append_new(checks, check_json(&g->checks[i]));
    }
    json_object_set_new(o, "checks", checks);
    json_object_set_new(o, "not_counted", count(g->dropped));
    return o;
}

int rp_write_json(const rp_report *r, FILE *f)
{
    json_t *doc = json_object();
    if (doc == NULL) {
        return -1;
    }
    json_object_set_new(doc, "report", json_integer(1));
    json_object_set_new(doc, "engine", json_string("assay " ASSAY_VERSION_STRING));
    json_object_set_new(doc, "input", json_string(r->input));
    json_object_set_new(doc, "lines", count(r->lines));
    json_object_set_new(doc, "results", count(r->results));
    json_object_set_new(doc, "skipped", count(r->skipped));
    json_t *skips = json_array();
    for (size_t i = 0; i < r->nskips; i++) {
        json_array_append_new(skips, json_pack("{s:o,s:s}", "line", count(r->skips[i].line),
                                               "reason", r->skips[i].why));
    }
    json_object_set_new(doc, "skipped_lines", skips);
    json_t *codes = json_deep_copy(r->unrubric_codes);
    if (r->unrubric_other) {
        json_object_set_new(codes, "(other)", count(r->unrubric_other));
    }
    json_object_set_new(doc, "without_rubric",
                        json_pack("{s:o,s:o}", "results", count(r->unrubric), "codes", codes));
    json_t *groups = json_array();
    for (size_t i = 0; i < r->ngroups; i++) {
        json_array_append_new(groups, group_json(&r->groups[i]));
    }
    json_object_set_new(doc, "rubrics", groups);
    int rc = json_dumpf(doc, f, JSON_INDENT(1) | JSON_REAL_PRECISION(15)) == 0 &&
                     fputc('\n', f) != EOF
                 ? 0
                 : -1;
    json_decref(doc);
    return rc;
}
