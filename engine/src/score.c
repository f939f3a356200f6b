/*
 * score.c - scoring a validated submission: the item loop (each item's answer read, each
 * check evaluated on it, item scores and totals added up) and the competency fold (earned
 * over possible evidence weight, and the level that score reaches on the competency's scale).
 *
 * Points, credits and competency scores stay exact rationals (rat.h: machine integers, GMP
 * only when a term outgrows 64 bits); result.c writes them out. Everything per submission
 * lives in the scratch, so scoring allocates nothing once it has grown.
 */
#include "score.h"

#include "decimal.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void assay__score_clear(sc_tally *t)
{
    if (t->comps) {
        for (size_t i = 0; i < t->r->ncomps; i++) {
            assay__rat_clear(&t->comps[i].score);
        }
    }
    assay__rat_clear(&t->score);
    assay__rat_clear(&t->max);
}

/*
 * Puts one item's answer into g (NULL: no answer, including an empty or blank one; a number
 * is graded as its text in num). @return NULL, or why the answer cannot be graded at all.
 */
static const char *answer_problem(ck_context *g, const assay_limits *lim, const json_t *resp,
                                  char *num, size_t numsize)
{
    g->answer = NULL;
    g->len = 0;
    if (resp == NULL || json_is_null(resp)) {
        return NULL;
    }
    if (json_is_string(resp)) {
        g->answer = json_string_value(resp);
        g->len = json_string_length(resp);
        if (g->len > lim->max_answer_bytes) {
            return "too_long";
        }
        if (memchr(g->answer, '\0', g->len)) {
            return "nul_byte";
        }
    } else if (json_is_integer(resp)) {
        snprintf(num, numsize, "%" JSON_INTEGER_FORMAT, json_integer_value(resp));
        g->answer = num;
        g->len = strlen(num);
    } else if (json_is_real(resp)) {
        double v = json_real_value(resp);
        snprintf(num, numsize, "%.*g", assay__dec_double_digits(v), v);
        g->answer = num;
        g->len = strlen(num);
    } else {
        return "wrong_type";
    }
    size_t a = 0, b = g->len;
    assay__text_trim(g->answer, &a, &b);
    if (a == b) {
        g->answer = NULL;
        g->len = 0;
    }
    return NULL;
}

/* Grows the scratch's per-submission arrays to the rubric's competencies and zeroes them.
 * @return 0 or -1. */
static int prepare(assay_scratch *s, const assay_rubric *r)
{
    size_t n = r->ncomps ? r->ncomps : 1;
    if (n > s->comps_room) {
        sc_comp *c = realloc(s->tally_comps, n * sizeof(*c));
        if (c) {
            s->tally_comps = c;
        }
        rat *e = realloc(s->earned, 2 * n * sizeof(*e));
        if (e) {
            s->earned = e;
        }
        if (c == NULL || e == NULL) {
            return -1;
        }
        s->comps_room = n;
    }
    memset(s->tally_comps, 0, n * sizeof(sc_comp));
    memset(s->earned, 0, 2 * n * sizeof(rat));
    for (size_t i = 0; i < n; i++) {
        s->tally_comps[i].score.d = 1;
        s->earned[i].d = 1;
        s->earned[n + i].d = 1;
    }
    return 0;
}

/* The answer's text as echoed when it is neither text nor a number: its compact JSON. */
static void answer_json(assay_scratch *s, const json_t *resp, sc_item *out)
{
    s->anstext.len = 0;
    assay__jw_value(&s->anstext, resp);
    out->answer = s->anstext.failed ? "" : s->anstext.p;
    out->answer_len = s->anstext.failed ? 0 : s->anstext.len;
}

/* Adds w times credit to earned and w to possible (credit 0 or 1 without multiplying). */
static void add_weighted(rat *earned, rat *possible, const rat *w, const rat *credit, int cs,
                         bool one, rat *tmp)
{
    if (one) {
        assay__rat_add(earned, earned, w);
    } else if (cs != 0) {
        assay__rat_mul(tmp, w, credit);
        assay__rat_add(earned, earned, tmp);
    }
    assay__rat_add(possible, possible, w);
}

/* Evaluates the checks of item t on its response into out, adding to the evidence sums
 * (earned[k] and earned[n + k] for competency k, n the rubric's competency count). */
static void score_item(ck_context *g, const rb_item *t, const json_t *resp,
                       const assay_limits *lim, sc_item *out, rat *earned, size_t n)
{
    const char *problem = answer_problem(g, lim, resp, out->num, sizeof(out->num));
    assay__scratch_reset(g->s);
    assay__check_begin_item(g);
    rat credit = {.d = 1}, w = {.d = 1}, tmp = {.d = 1};
    for (size_t k = 0; k < t->nchecks; k++) {
        const rb_check *c = &t->checks[k];
        if (problem) {
            assay__check_invalid(g, c, problem, lim);
            rat_set_int(&credit, 0);
        } else {
            assay__check_eval(g, c, false, &credit);
        }
        int cs = assay__rat_sgn(&credit);
        bool one = cs > 0 && assay__rat_is_one(&credit);
        assay__rat_set_mpq(&w, c->points);
        add_weighted(&out->score, &out->max, &w, &credit, cs, one, &tmp);
        for (size_t e = 0; e < c->nev; e++) {
            size_t comp = c->ev[e].comp;
            assay__rat_set_mpq(&w, c->ev[e].weight);
            add_weighted(&earned[comp], &earned[n + comp], &w, &credit, cs, one, &tmp);
        }
    }
    assay__rat_clear(&credit);
    assay__rat_clear(&w);
    assay__rat_clear(&tmp);
    out->answered = g->answer != NULL || problem;
    if (g->answer != NULL || (problem && json_is_string(resp))) {
        out->answer = g->answer ? g->answer : json_string_value(resp);
        out->answer_len = g->answer ? g->len : json_string_length(resp);
    } else if (problem) {
        answer_json(g->s, resp, out);
    }
}

/* Each competency's score and the highest level of its scale whose min the score reaches. */
static void fold_competencies(sc_tally *t, const rat *earned)
{
    size_t n = t->r->ncomps;
    rat min = {.d = 1};
    for (size_t i = 0; i < n; i++) {
        const rb_competency *k = &t->r->comps[i];
        sc_comp *out = &t->comps[i];
        if (assay__rat_sgn(&earned[n + i]) > 0) {
            assay__rat_div(&out->score, &earned[i], &earned[n + i]);
        } else {
            rat_set_int(&out->score, 0);
        }
        size_t lv = 0;
        for (size_t l = 0; l < k->scale->n; l++) {
            assay__rat_set_mpq(&min, k->scale->levels[l].min);
            if (assay__rat_cmp(&out->score, &min) >= 0) {
                lv = l;
            }
        }
        out->level = lv;
        out->mastered = lv >= k->scale->mastery;
    }
    assay__rat_clear(&min);
}

int assay__score(sc_tally *t, const json_t *responses, assay_scratch *s,
                 const assay_limits *lim)
{
    const assay_rubric *r = t->r;
    t->comps = NULL;
    rat_set_int(&t->score, 0);
    rat_set_int(&t->max, 0);
    t->check_errors = 0;
    t->answered_items = 0;
    if (prepare(s, r) != 0) {
        return -1;
    }
    t->comps = s->tally_comps;
    assay__matcher_limits(&s->m, r->match_limit, r->depth_limit, r->heap_limit_kib);
    size_t n = r->ncomps;
    rat *earned = s->earned;

    ck_context g = {.r = r, .s = s};
    sc_item it;
    for (size_t i = 0; i < r->nitems; i++) {
        const rb_item *item = &r->items[i];
        memset(&it, 0, sizeof(it));
        it.score.d = it.max.d = 1;
        const json_t *resp = json_object_get(responses, item->id);
        t->answered_items += resp != NULL;
        score_item(&g, item, resp, lim, &it, earned, n);
        assay__rat_add(&t->score, &t->score, &it.score);
        assay__rat_add(&t->max, &t->max, &it.max);
        t->item_done(t, i, &it, &g);
        assay__rat_clear(&it.score);
        assay__rat_clear(&it.max);
    }
    assay__check_begin_item(&g);
    assay__scratch_reset(s);
    t->check_errors = g.errors;
    fold_competencies(t, earned);
    for (size_t i = 0; i < 2 * n; i++) {
        assay__rat_clear(&earned[i]);
    }
    return s->itext.failed || s->anstext.failed ? -1 : 0;
}
