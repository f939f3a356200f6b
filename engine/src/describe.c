/*
 * describe.c - the read-only introspection API of <assay/describe.h>: a loaded rubric's
 * competencies and scales, items and checks, and a check's own answer normalisation.
 *
 * Everything here reads the compiled rubric (rubric.h) and hands out borrowed pointers; the
 * normalisation is text.c's, the one grading uses. It does not load, grade or print.
 */
#include "assay/describe.h"

#include "rubric.h"
#include "text.h"

#include <gmp.h>
#include <string.h>

/* An assay_check handle is an rb_check of the rubric. */
static const rb_check *as_rb(const assay_check *c)
{
    return (const rb_check *)(const void *)c;
}

static const assay_check *as_handle(const rb_check *c)
{
    return (const assay_check *)(const void *)c;
}

const char *assay_rubric_description(const assay_rubric *r)
{
    return r->description;
}

size_t assay_rubric_competency_count(const assay_rubric *r)
{
    return r->ncomps;
}

int assay_rubric_competency(const assay_rubric *r, size_t i, assay_competency_info *out)
{
    if (i >= r->ncomps) {
        return ASSAY_E_ARG;
    }
    const rb_competency *k = &r->comps[i];
    out->id = k->id;
    out->name = k->name;
    out->description = k->description;
    out->ref = k->ref;
    out->nlevels = k->scale->n;
    out->mastery = k->scale->mastery;
    out->own_scale = k->has_own;
    return 0;
}

int assay_rubric_level(const assay_rubric *r, size_t comp, size_t level, assay_level_info *out)
{
    if (comp >= r->ncomps || level >= r->comps[comp].scale->n) {
        return ASSAY_E_ARG;
    }
    const rb_scale *s = r->comps[comp].scale;
    const rb_level *lv = &s->levels[level];
    out->id = lv->id;
    out->name = lv->name;
    out->min = mpq_get_d(lv->min);
    out->mastery = level == s->mastery;
    out->mastered = level >= s->mastery;
    /* A rational is kept in lowest terms; gmp writes "p" when q is 1. */
    int n = gmp_snprintf(out->min_exact, sizeof(out->min_exact), "%Qd", lv->min);
    if (n < 0 || (size_t)n >= sizeof(out->min_exact)) {
        strcpy(out->min_exact, "?");
        return ASSAY_E_TOO_LARGE;
    }
    return 0;
}

size_t assay_rubric_item_count(const assay_rubric *r)
{
    return r->nitems;
}

int assay_rubric_item(const assay_rubric *r, size_t i, assay_item_info *out)
{
    if (i >= r->nitems) {
        return ASSAY_E_ARG;
    }
    const rb_item *t = &r->items[i];
    out->id = t->id;
    out->title = t->title;
    out->prompt = t->prompt;
    out->nchecks = t->nchecks;
    return 0;
}

const assay_check *assay_rubric_item_check(const assay_rubric *r, size_t i, size_t k)
{
    if (i >= r->nitems || k >= r->items[i].nchecks) {
        return NULL;
    }
    return as_handle(&r->items[i].checks[k]);
}

/* Where a check sits in its rubric: its item, and its group when it is a member. false when
 * it is not a check of r. */
static bool locate_check(const assay_rubric *r, const rb_check *c, size_t *item,
                         const rb_check **group)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const rb_item *t = &r->items[i];
        for (size_t k = 0; k < t->nchecks; k++) {
            const rb_check *top = &t->checks[k];
            if (top == c) {
                *item = i;
                *group = NULL;
                return true;
            }
            for (size_t m = 0; m < top->nmembers; m++) {
                if (&top->members[m] == c) {
                    *item = i;
                    *group = top;
                    return true;
                }
            }
        }
    }
    return false;
}

const assay_check *assay_rubric_find_check(const assay_rubric *r, const char *id)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const rb_item *t = &r->items[i];
        for (size_t k = 0; k < t->nchecks; k++) {
            const rb_check *top = &t->checks[k];
            if (strcmp(top->id, id) == 0) {
                return as_handle(top);
            }
            for (size_t m = 0; m < top->nmembers; m++) {
                if (strcmp(top->members[m].id, id) == 0) {
                    return as_handle(&top->members[m]);
                }
            }
        }
    }
    return NULL;
}

/* The normalisation a check applies to answers (see assay_check_normalize). */
static void check_norm(const rb_check *c, bool *trim, bool *collapse)
{
    switch (c->type) {
    case RB_PATTERN:
        *trim = c->pat.trim;
        *collapse = c->pat.collapse;
        return;
    case RB_NUMERIC:
        *trim = true;
        *collapse = false;
        return;
    case RB_GROUP:
        break;
    }
    *trim = c->nmembers > 0;
    *collapse = c->nmembers > 0;
    for (size_t i = 0; i < c->nmembers; i++) {
        bool t, k;
        check_norm(&c->members[i], &t, &k);
        *trim = *trim && t;
        *collapse = *collapse && k;
    }
}

int assay_check_describe(const assay_rubric *r, const assay_check *h, assay_check_info *out)
{
    const rb_check *c = as_rb(h);
    size_t item;
    const rb_check *group;
    if (c == NULL || !locate_check(r, c, &item, &group)) {
        return ASSAY_E_ARG;
    }
    static const char *const types[] = {"pattern", "numeric", "group"};
    static const char *const modes[] = {"search", "whole", "forbid", "count"};
    out->id = c->id;
    out->type = types[c->type];
    out->item = item;
    out->group = group ? group->id : NULL;
    out->mode = c->type == RB_PATTERN ? modes[c->mode] : NULL;
    out->points = group ? 0.0 : mpq_get_d(c->points);
    out->nmembers = c->type == RB_GROUP ? c->nmembers : 0;
    out->needed = c->type == RB_GROUP ? c->needed : 0;
    out->nevidence = c->nev;
    check_norm(c, &out->trim, &out->collapse);
    return 0;
}

const assay_check *assay_check_member(const assay_check *h, size_t i)
{
    const rb_check *c = as_rb(h);
    if (c == NULL || c->type != RB_GROUP || i >= c->nmembers) {
        return NULL;
    }
    return as_handle(&c->members[i]);
}

int assay_check_evidence(const assay_check *h, size_t i, size_t *comp, double *weight)
{
    const rb_check *c = as_rb(h);
    if (c == NULL || i >= c->nev) {
        return ASSAY_E_ARG;
    }
    *comp = c->ev[i].comp;
    *weight = mpq_get_d(c->ev[i].weight);
    return 0;
}

size_t assay_check_normalize(const assay_check *h, const char *answer, size_t len, char *out)
{
    bool trim, collapse;
    check_norm(as_rb(h), &trim, &collapse);
    return assay__text_normalize(answer, len, trim, collapse, out);
}
