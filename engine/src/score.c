/*
 * score.c - scoring a validated submission: the item loop (each item's answer read, each
 * check evaluated on it, item scores and totals added up) and the competency fold (earned
 * over possible evidence weight, and the level that score reaches on the competency's scale).
 *
 * Points, credits and competency scores stay exact rationals; result.c writes them out.
 */
#include "score.h"

#include "check.h"
#include "decimal.h"
#include "scratch.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int assay__score_init(sc_tally *t, const assay_rubric *r)
{
    memset(t, 0, sizeof(*t));
    t->r = r;
    t->items = calloc(r->nitems ? r->nitems : 1, sizeof(sc_item));
    t->comps = calloc(r->ncomps ? r->ncomps : 1, sizeof(sc_comp));
    if (t->items == NULL || t->comps == NULL) {
        free(t->items);
        free(t->comps);
        return -1;
    }
    for (size_t i = 0; i < r->nitems; i++) {
        mpq_inits(t->items[i].score, t->items[i].max, NULL);
    }
    for (size_t i = 0; i < r->ncomps; i++) {
        mpq_init(t->comps[i].score);
    }
    mpq_inits(t->score, t->max, NULL);
    return 0;
}

void assay__score_clear(sc_tally *t)
{
    for (size_t i = 0; i < t->r->nitems; i++) {
        json_decref(t->items[i].checks);
        free(t->items[i].json_text);
        mpq_clears(t->items[i].score, t->items[i].max, NULL);
    }
    for (size_t i = 0; i < t->r->ncomps; i++) {
        mpq_clear(t->comps[i].score);
    }
    free(t->items);
    free(t->comps);
    mpq_clears(t->score, t->max, NULL);
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

/* The per-competency sums of evidence weight, earned (weight times credit) and possible, and
 * the rationals a check's credit needs, allocated once per submission. */
typedef struct evidence_sums {
    mpq_t *earned, *possible;
    mpq_t credit, tmp;
} evidence_sums;

/* Evaluates the checks of item t on its response into out, adding to the evidence sums. */
static void score_item(ck_context *g, const rb_item *t, const json_t *resp,
                       const assay_limits *lim, sc_item *out, evidence_sums *ev)
{
    char numtext[sizeof(out->num)];
    const char *problem = answer_problem(g, lim, resp, numtext, sizeof(numtext));
    assay__scratch_reset(g->s);
    mpq_ptr credit = ev->credit;
    out->checks = json_array();
    for (size_t k = 0; k < t->nchecks; k++) {
        const rb_check *c = &t->checks[k];
        ck_status st;
        json_t *cr;
        if (problem) {
            cr = assay__check_invalid(c, problem, lim);
            mpq_set_ui(credit, 0, 1);
        } else {
            cr = assay__check_result(g, c, false, credit, &st);
        }
        json_array_append_new(out->checks, cr);
        int cs = mpq_sgn(credit);
        bool one = cs > 0 && mpq_cmp_ui(credit, 1, 1) == 0;
        if (one) {
            mpq_add(out->score, out->score, c->points);
        } else if (cs != 0) {
            mpq_mul(ev->tmp, c->points, credit);
            mpq_add(out->score, out->score, ev->tmp);
        }
        mpq_add(out->max, out->max, c->points);
        for (size_t e = 0; e < c->nev; e++) {
            size_t comp = c->ev[e].comp;
            if (one) {
                mpq_add(ev->earned[comp], ev->earned[comp], c->ev[e].weight);
            } else if (cs != 0) {
                mpq_mul(ev->tmp, c->ev[e].weight, credit);
                mpq_add(ev->earned[comp], ev->earned[comp], ev->tmp);
            }
            mpq_add(ev->possible[comp], ev->possible[comp], c->ev[e].weight);
        }
    }
    out->answered = g->answer != NULL || problem;
    if (g->answer != NULL || (problem && json_is_string(resp))) {
        out->answer = g->answer ? g->answer : json_string_value(resp);
        out->answer_len = g->answer ? g->len : json_string_length(resp);
        if (out->answer == numtext) {
            memcpy(out->num, numtext, g->len + 1);
            out->answer = out->num;
        }
    } else if (problem) {
        /* Neither text nor a number: its JSON text, as "meta" is echoed. */
        out->json_text =
            json_dumps(resp, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        out->answer = out->json_text ? out->json_text : "";
        out->answer_len = strlen(out->answer);
    }
}

/* Each competency's score and the highest level of its scale whose min the score reaches. */
static void fold_competencies(sc_tally *t, const evidence_sums *ev)
{
    for (size_t i = 0; i < t->r->ncomps; i++) {
        const rb_competency *k = &t->r->comps[i];
        sc_comp *out = &t->comps[i];
        if (mpq_sgn(ev->possible[i]) > 0) {
            mpq_div(out->score, ev->earned[i], ev->possible[i]);
        } else {
            mpq_set_ui(out->score, 0, 1);
        }
        size_t lv = 0;
        for (size_t l = 0; l < k->scale->n; l++) {
            if (mpq_cmp(out->score, k->scale->levels[l].min) >= 0) {
                lv = l;
            }
        }
        out->level = lv;
        out->mastered = lv >= k->scale->mastery;
    }
}

int assay__score(sc_tally *t, const json_t *responses, assay_scratch *s,
                 const assay_limits *lim)
{
    const assay_rubric *r = t->r;
    assay__matcher_limits(&s->m, r->match_limit, r->depth_limit, r->heap_limit_kib);
    evidence_sums ev;
    ev.earned = malloc((r->ncomps ? r->ncomps : 1) * 2 * sizeof(mpq_t));
    if (ev.earned == NULL) {
        return -1;
    }
    ev.possible = ev.earned + r->ncomps;
    for (size_t i = 0; i < r->ncomps; i++) {
        mpq_init(ev.earned[i]);
        mpq_init(ev.possible[i]);
    }
    mpq_inits(ev.credit, ev.tmp, NULL);

    ck_context g = {.r = r, .s = s};
    for (size_t i = 0; i < r->nitems; i++) {
        const rb_item *item = &r->items[i];
        score_item(&g, item, json_object_get(responses, item->id), lim, &t->items[i], &ev);
        mpq_add(t->score, t->score, t->items[i].score);
        mpq_add(t->max, t->max, t->items[i].max);
    }
    assay__scratch_reset(s);
    t->check_errors = g.errors;
    fold_competencies(t, &ev);

    for (size_t i = 0; i < r->ncomps; i++) {
        mpq_clear(ev.earned[i]);
        mpq_clear(ev.possible[i]);
    }
    free(ev.earned);
    mpq_clears(ev.credit, ev.tmp, NULL);
    return 0;
}
