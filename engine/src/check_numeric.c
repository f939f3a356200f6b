/*
 * check_numeric.c - numeric checks: reading the learner's number (from the whole answer or from
 * a named group of a pattern), converting units, comparing exactly and applying the unit and
 * significant-figure penalties.
 *
 * All arithmetic is on exact decimals (decimal.c); the credit is a GMP rational. The number
 * grammar itself lives in numread.c.
 */
#include "check.h"
#include "decimal.h"
#include "numread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal's canonical text in the item's string space. */
static ck_text keep_dec(ck_context *g, const dec_num *d)
{
    char *s = assay__dec_to_string(d);
    if (s == NULL) {
        g->s->itext.failed = true;
        return (ck_text){0, 0};
    }
    ck_text t = assay__check_keep(g, s, strlen(s));
    free(s);
    return t;
}

static const rb_unit *find_unit(const rb_numeric *n, const char *name, size_t len)
{
    for (size_t i = 0; i < n->nunits; i++) {
        if (strlen(n->units[i].name) == len && memcmp(n->units[i].name, name, len) == 0) {
            return &n->units[i];
        }
    }
    return NULL;
}

/* Is x right under the check's comparison? Sets *reason to a code when it is not. */
static bool compare(const rb_numeric *n, const dec_num *x, const char **reason)
{
    dec_num a, b;
    assay__dec_init(&a);
    assay__dec_init(&b);
    bool ok = false;
    switch (n->cmp) {
    case RB_CMP_EXACT:
        ok = assay__dec_cmp(x, &n->expected) == 0;
        *reason = "not_equal";
        break;
    case RB_CMP_ABS:
        assay__dec_sub(&a, &n->expected, &n->below);
        assay__dec_add(&b, &n->expected, &n->above);
        ok = assay__dec_cmp(&a, x) <= 0 && assay__dec_cmp(x, &b) <= 0;
        *reason = "out_of_tolerance";
        break;
    case RB_CMP_REL:
        assay__dec_sub(&a, x, &n->expected);
        assay__dec_abs(&a, &a);
        assay__dec_abs(&b, &n->expected);
        assay__dec_mul(&b, &b, &n->rel);
        ok = assay__dec_cmp(&a, &b) <= 0;
        *reason = "out_of_tolerance";
        break;
    case RB_CMP_INTERVAL: {
        int lo = assay__dec_cmp(&n->lo, x);
        int hi = assay__dec_cmp(x, &n->hi);
        ok = (n->lo_open ? lo < 0 : lo <= 0) && (n->hi_open ? hi < 0 : hi <= 0);
        *reason = "outside_interval";
        break;
    }
    case RB_CMP_PLACES:
        assay__dec_round_places(&a, x, n->round_n);
        assay__dec_round_places(&b, &n->expected, n->round_n);
        ok = assay__dec_cmp(&a, &b) == 0;
        *reason = "not_equal_when_rounded";
        break;
    case RB_CMP_FIGURES:
        assay__dec_round_figures(&a, x, n->round_n);
        assay__dec_round_figures(&b, &n->expected, n->round_n);
        ok = assay__dec_cmp(&a, &b) == 0;
        *reason = "not_equal_when_rounded";
        break;
    }
    assay__dec_clear(&a);
    assay__dec_clear(&b);
    return ok;
}

ck_status assay__check_numeric(ck_context *g, const rb_check *c, rat *credit, size_t i)
{
    const rb_numeric *n = &c->num;
    const char *answer = g->answer;
    size_t len = g->len;
    pat_matcher *m = &g->s->m;
    const char *text = answer;
    size_t tlen = len;
    rat_set_int(credit, 0);

    if (n->source) {
        int rc = assay__pattern_match(m, n->source, answer, len, 0);
        if (rc < 0) {
            char why[200];
            assay__pattern_error(rc, why, sizeof(why));
            assay__check_message(g, i, "source pattern %s", why);
            return CK_ERROR;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        uint32_t pairs = pcre2_get_ovector_count(m->md);
        if (rc == 0 || n->source_group >= pairs || ov[2 * n->source_group] == PCRE2_UNSET) {
            assay__check_explain(g, i, "number_not_found",
                                 "No number was found where the question expects it.");
            return CK_INCORRECT;
        }
        size_t s = ov[2 * n->source_group], e = ov[2 * n->source_group + 1];
        text = answer + s;
        tlen = e - s;
        ck_rec *rec = &g->s->recs[i];
        rec->has |= CK_HAS_MATCH;
        rec->subject = answer;
        rec->match_start = s;
        rec->match_end = e;
    }

    nr_result nr;
    assay__numread_init(&nr);
    nr_status ps = assay__numread_answer(text, tlen, &g->r->fmt, n->has_units, &nr);
    ck_status st = CK_INCORRECT;
    if (ps == NR_EMPTY) {
        assay__check_explain(g, i, "no_answer", "No number was given.");
        goto done;
    }
    if (ps == NR_INVALID) {
        assay__check_explain(g, i, "not_a_number", "%s", nr.reason);
        st = CK_INVALID;
        goto done;
    }
    ck_text value = keep_dec(g, &nr.value);
    ck_rec *rec = &g->s->recs[i];
    rec->has |= CK_HAS_VALUE | CK_HAS_SIG_FIGS;
    rec->value = value;
    rec->sig_figs = nr.sig_figs;

    /* Units: convert a listed unit, note any unit problem. */
    dec_num x;
    assay__dec_init(&x);
    assay__dec_set(&x, &nr.value);
    char unit_problem[200] = "";
    const char *unit_reason = NULL;
    if (n->has_units) {
        if (nr.unit_len > 0) {
            const char *u = text + nr.unit_start;
            ck_text unit = assay__check_keep(g, u, nr.unit_len);
            g->s->recs[i].has |= CK_HAS_UNIT;
            g->s->recs[i].unit = unit;
            const rb_unit *found = find_unit(n, u, nr.unit_len);
            if (found) {
                assay__dec_mul(&x, &x, &found->mult);
            } else {
                unit_reason = "unknown_unit";
                snprintf(unit_problem, sizeof(unit_problem),
                         "The unit \"%.*s\" is not one this question accepts.",
                         (int)(nr.unit_len > 40 ? 40 : nr.unit_len), u);
            }
        } else {
            g->s->recs[i].has |= CK_HAS_UNIT; /* "unit": null */
            if (n->unit_required) {
                unit_reason = "missing_unit";
                snprintf(unit_problem, sizeof(unit_problem), "The answer needs a unit.");
            }
        }
        ck_text base = keep_dec(g, &x);
        g->s->recs[i].has |= CK_HAS_BASE;
        g->s->recs[i].base = base;
    }

    const char *reason = NULL;
    if (!compare(n, &x, &reason)) {
        if (unit_reason) {
            assay__check_explain(g, i, reason, "The value is not right. %s", unit_problem);
        } else {
            assay__check_explain(g, i, reason, "The value is not right.");
        }
        assay__dec_clear(&x);
        goto done;
    }
    assay__dec_clear(&x);

    rat penalty = {.d = 1}, term = {.d = 1};
    char notes[400] = "";
    const char *why = NULL;
    if (unit_reason) {
        assay__rat_set_mpq(&term, n->unit_penalty);
        assay__rat_add(&penalty, &penalty, &term);
        snprintf(notes, sizeof(notes), "%s", unit_problem);
        why = unit_reason;
    }
    bool sig_ok = n->sig == RB_SIG_NONE ||
                  (n->sig == RB_SIG_EXACTLY && nr.sig_figs == n->sig_n) ||
                  (n->sig == RB_SIG_AT_LEAST && nr.sig_figs >= n->sig_n);
    if (!sig_ok) {
        size_t k = strlen(notes);
        snprintf(notes + k, sizeof(notes) - k,
                 "%sThe answer has %d significant figure%s; the "
                 "question asks for %s%d.",
                 k ? " " : "", nr.sig_figs, nr.sig_figs == 1 ? "" : "s",
                 n->sig == RB_SIG_AT_LEAST ? "at least " : "", n->sig_n);
        if (!n->sig_has_penalty) {
            assay__check_explain(g, i, "sig_figs", "%s", notes);
            assay__rat_clear(&penalty);
            assay__rat_clear(&term);
            goto done;
        }
        assay__rat_set_mpq(&term, n->sig_penalty);
        assay__rat_add(&penalty, &penalty, &term);
        why = why ? "unit_and_sig_figs" : "sig_figs";
    }
    if (assay__rat_sgn(&penalty) == 0) {
        rat_set_int(credit, 1);
        st = CK_CORRECT;
    } else {
        rat_set_int(&term, 1);
        assay__rat_sub(credit, &term, &penalty);
        if (assay__rat_sgn(credit) <= 0) {
            rat_set_int(credit, 0);
            st = CK_INCORRECT;
        } else {
            st = CK_PARTIAL;
        }
        assay__check_explain(g, i, why, "The value is right. %s", notes);
    }
    assay__rat_clear(&penalty);
    assay__rat_clear(&term);

done:
    assay__numread_clear(&nr);
    return st;
}
