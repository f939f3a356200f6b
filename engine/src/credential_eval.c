/*
 * credential_eval.c - whether a learner's record satisfies a credential definition, and
 * when it first did (assay_credential_evaluate, <assay/credential_def.h>).
 *
 * The record's evidence is replayed in its order (time, then submission id): for each
 * required competency, each prefix of its evidence is run through the competency's
 * calculation method (mastery.c, the code the record itself uses) and compared with the
 * required level's min; a required rubric is met from its first graded submission on. The
 * earliest point of the evidence at which every requirement is met is the award's time;
 * the levels reached and the evidence listed are those of that point. Nothing is met
 * unless everything is met by the whole record now.
 *
 * It reads the record's model (record.h) and the definition's (credential_def.h); it builds
 * no credential document (the credential library does).
 */
#include "credential_def.h"

#include "error.h"
#include "mastery.h"
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The evaluation with the store its strings live in. */
typedef struct ev_eval {
    assay_credential_eval pub;
    json_t *store;
} ev_eval;

/* One required competency's evidence in the record and where each prefix of it stands. */
typedef struct ev_comp {
    const rc_comp *c; /* NULL: the record has no evidence for it */
    bool *met;        /* met[k]: the first k entries reach the required level (k 0..n) */
} ev_comp;

/* What one evaluation works with. */
typedef struct ev_ctx {
    const assay_credential_def *d;
    const assay_record *r;
    ev_comp *comps;             /* one per requirement */
    const rc_evidence **firsts; /* per required rubric, its first evidence, or NULL */
    ev_eval *out;
    char *why;
    size_t whylen;
} ev_ctx;

static const char *keep(ev_eval *e, const char *s)
{
    json_t *v = json_string(s);
    if (v == NULL || json_array_append_new(e->store, v) != 0) {
        return NULL;
    }
    return json_string_value(v);
}

/* The value of method m over the first k scores of c into value; 1 with a value, 0 without
 * one, < 0 on an error (why set). */
static int value_of(ev_ctx *x, const rc_comp *c, size_t k, const cd_scale *sc, mpq_t value)
{
    mpq_srcptr scores[ASSAY_RECORD_EVIDENCE_MAX + 1];
    for (size_t i = 0; i < k; i++) {
        scores[i] = c->ev[i].score;
    }
    int rc = assay__mastery_compute(&c->method, scores, k, sc->mins[sc->mastery], value, NULL);
    if (rc < 0) {
        assay__whyf(x->why, x->whylen,
                    "competency \"%s\": its calculation method in the record cannot be "
                    "computed",
                    c->key);
    }
    return rc;
}

/* The index of the highest level of sc that value reaches. */
static size_t level_of(const cd_scale *sc, mpq_srcptr value)
{
    size_t lv = 0;
    while (lv + 1 < sc->n && mpq_cmp(value, sc->mins[lv + 1]) >= 0) {
        lv++;
    }
    return lv;
}

/* For each requirement, the record's competency (NULL: it has no evidence for it). */
static void locate(ev_ctx *x)
{
    for (size_t i = 0; i < x->d->info.nrequirements; i++) {
        bool found;
        size_t at = assay__rc_find(x->r, x->d->reqs[i].key, &found);
        x->comps[i].c = found ? &x->r->comps[at] : NULL;
    }
}

/* Fills x->comps[i].met: for each prefix of its competency's evidence, whether it is met. */
static int replay(ev_ctx *x, size_t i)
{
    const assay_credential_requirement *q = &x->d->reqs[i];
    const cd_scale *sc = &x->d->scales[i];
    ev_comp *e = &x->comps[i];
    const rc_comp *c = e->c;
    if (c == NULL) {
        return 0;
    }
    e->met = calloc(c->n + 1, sizeof(bool));
    if (e->met == NULL) {
        return ASSAY_E_NOMEM;
    }
    mpq_t v;
    mpq_init(v);
    int rc = 0;
    for (size_t k = 1; k <= c->n && rc >= 0; k++) {
        rc = value_of(x, c, k, sc, v);
        e->met[k] = rc == 1 && mpq_cmp(v, sc->mins[q->level_index]) >= 0;
    }
    mpq_clear(v);
    return rc < 0 ? ASSAY_E_ARG : 0;
}

/* Writes into buf the first reason the record does not meet the definition now and returns
 * true; false when it does. Reads only the whole evidence of each requirement (no replay);
 * *err gets ASSAY_E_ARG (and true is returned) when a method cannot be computed. */
static bool unmet(ev_ctx *x, char *buf, size_t size, int *err)
{
    const assay_credential_info *in = &x->d->info;
    for (size_t i = 0; i < in->nrequirements; i++) {
        const assay_credential_requirement *q = &in->requirements[i];
        const ev_comp *e = &x->comps[i];
        if (e->c == NULL || e->c->n == 0) {
            snprintf(buf, size, "competency \"%s\" has no evidence yet (%s required)", q->key,
                     q->level);
            return true;
        }
        mpq_t v;
        mpq_init(v);
        const cd_scale *sc = &x->d->scales[i];
        int vr = value_of(x, e->c, e->c->n, sc, v);
        bool met = vr == 1 && mpq_cmp(v, sc->mins[x->d->reqs[i].level_index]) >= 0;
        if (vr < 0) {
            *err = ASSAY_E_ARG;
        } else if (vr != 1) {
            snprintf(buf, size, "competency \"%s\" has no value yet (%s required)", q->key,
                     q->level);
        } else if (!met) {
            char *t = assay__mpq_to_text(v);
            snprintf(buf, size, "competency \"%s\" is at %s (%s), below the required %s",
                     q->key, q->levels[level_of(sc, v)].id, t ? t : "?", q->level);
            free(t);
        }
        mpq_clear(v);
        if (vr < 0 || !met) {
            return true;
        }
    }
    for (size_t i = 0; i < in->nrubrics; i++) {
        if (x->firsts[i] == NULL) {
            snprintf(buf, size, "no submission graded by rubric \"%s\" yet", in->rubrics[i]);
            return true;
        }
    }
    return false;
}

/* The first evidence (in order) of each required rubric, in any competency. */
static void find_firsts(ev_ctx *x)
{
    const assay_credential_info *in = &x->d->info;
    for (size_t i = 0; i < in->nrubrics; i++) {
        for (size_t k = 0; k < x->r->n; k++) {
            const rc_comp *c = &x->r->comps[k];
            for (size_t j = 0; j < c->n; j++) {
                const rc_evidence *e = &c->ev[j];
                if (strcmp(e->rubric, in->rubrics[i]) != 0) {
                    continue;
                }
                if (x->firsts[i] == NULL || assay__rc_evidence_cmp(e, x->firsts[i]) < 0) {
                    x->firsts[i] = e;
                }
                break; /* the competency's later entries come after this one */
            }
        }
    }
}

static int point_cmp(const void *a, const void *b)
{
    return assay__rc_evidence_cmp(*(const rc_evidence *const *)a,
                                  *(const rc_evidence *const *)b);
}

/* How many of c's entries come at or before point p. */
static size_t prefix_len(const rc_comp *c, const rc_evidence *p)
{
    size_t k = 0;
    while (k < c->n && assay__rc_evidence_cmp(&c->ev[k], p) <= 0) {
        k++;
    }
    return k;
}

/* Whether every requirement is met by the evidence at or before point p. */
static bool met_at(const ev_ctx *x, const rc_evidence *p)
{
    const assay_credential_info *in = &x->d->info;
    for (size_t i = 0; i < in->nrequirements; i++) {
        if (!x->comps[i].met[prefix_len(x->comps[i].c, p)]) {
            return false;
        }
    }
    for (size_t i = 0; i < in->nrubrics; i++) {
        if (assay__rc_evidence_cmp(x->firsts[i], p) > 0) {
            return false;
        }
    }
    return true;
}

/* The candidate points, sorted and each once: every entry of the required competencies and
 * each required rubric's first. NULL when out of memory. */
static const rc_evidence **points(const ev_ctx *x, size_t *n)
{
    const assay_credential_info *in = &x->d->info;
    size_t cap = in->nrubrics;
    for (size_t i = 0; i < in->nrequirements; i++) {
        cap += x->comps[i].c->n;
    }
    const rc_evidence **v = malloc((cap + 1) * sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    size_t m = 0;
    for (size_t i = 0; i < in->nrequirements; i++) {
        for (size_t j = 0; j < x->comps[i].c->n; j++) {
            v[m++] = &x->comps[i].c->ev[j];
        }
    }
    for (size_t i = 0; i < in->nrubrics; i++) {
        v[m++] = x->firsts[i];
    }
    qsort(v, m, sizeof(*v), point_cmp);
    size_t u = 0;
    for (size_t i = 0; i < m; i++) {
        if (u == 0 || point_cmp(&v[u - 1], &v[i]) != 0) {
            v[u++] = v[i];
        }
    }
    *n = u;
    return v;
}

/* Adds the entries of c at or before p (of rubric only, when not NULL) to list, each
 * submission once. */
static void collect(const rc_comp *c, const rc_evidence *p, const char *rubric,
                    const rc_evidence **list, size_t *n)
{
    for (size_t j = 0; j < c->n && assay__rc_evidence_cmp(&c->ev[j], p) <= 0; j++) {
        const rc_evidence *e = &c->ev[j];
        bool seen = rubric && strcmp(e->rubric, rubric) != 0;
        for (size_t k = 0; k < *n && !seen; k++) {
            seen = strcmp(list[k]->submission, e->submission) == 0;
        }
        if (!seen) {
            list[(*n)++] = e;
        }
    }
}

/* The evaluation of a met definition at point p: valid_from, the levels reached, the
 * evidence. */
static int describe(ev_ctx *x, const rc_evidence *p)
{
    const assay_credential_info *in = &x->d->info;
    ev_eval *out = x->out;
    out->pub.met = true;
    out->pub.valid_from = keep(out, p->at.text);
    out->pub.valid_from_s = p->at.s;
    out->pub.achieved = calloc(in->nrequirements + 1, sizeof(*out->pub.achieved));
    if (out->pub.valid_from == NULL || out->pub.achieved == NULL) {
        return ASSAY_E_NOMEM;
    }
    mpq_t v;
    mpq_init(v);
    int rc = 0;
    for (size_t i = 0; i < in->nrequirements && rc == 0; i++) {
        const cd_scale *sc = &x->d->scales[i];
        assay_credential_achieved *a = &out->pub.achieved[out->pub.nachieved++];
        a->requirement = &in->requirements[i];
        if (value_of(x, x->comps[i].c, prefix_len(x->comps[i].c, p), sc, v) != 1) {
            rc = ASSAY_E_ARG; /* met at p, so it has a value there */
            break;
        }
        char *t = assay__mpq_to_text(v);
        a->value_exact = t ? keep(out, t) : NULL;
        a->level_index = level_of(sc, v);
        free(t);
        if (a->value_exact == NULL) {
            rc = ASSAY_E_NOMEM;
        }
    }
    mpq_clear(v);
    if (rc != 0) {
        return rc;
    }
    size_t cap = 0, n = 0;
    for (size_t k = 0; k < x->r->n; k++) {
        cap += x->r->comps[k].n;
    }
    const rc_evidence **list = malloc((cap + 1) * sizeof(*list));
    if (list == NULL) {
        return ASSAY_E_NOMEM;
    }
    for (size_t i = 0; i < in->nrequirements; i++) {
        collect(x->comps[i].c, p, NULL, list, &n);
    }
    for (size_t i = 0; i < in->nrubrics; i++) {
        for (size_t k = 0; k < x->r->n; k++) {
            collect(&x->r->comps[k], p, in->rubrics[i], list, &n);
        }
    }
    qsort(list, n, sizeof(*list), point_cmp);
    out->pub.evidence = calloc(n + 1, sizeof(*out->pub.evidence));
    for (size_t k = 0; out->pub.evidence && k < n; k++) {
        assay_credential_evidence *e = &out->pub.evidence[out->pub.nevidence++];
        e->submission = keep(out, list[k]->submission);
        e->rubric = keep(out, list[k]->rubric);
        e->rubric_version = keep(out, list[k]->version);
        e->rubric_sha256 = keep(out, list[k]->sha256);
        e->at = keep(out, list[k]->at.text);
        if (!e->submission || !e->rubric || !e->rubric_version || !e->rubric_sha256 || !e->at) {
            rc = ASSAY_E_NOMEM;
            break;
        }
    }
    free(list);
    return out->pub.evidence == NULL ? ASSAY_E_NOMEM : rc;
}

void assay_credential_eval_destroy(assay_credential_eval *e)
{
    if (e == NULL) {
        return;
    }
    ev_eval *ev = (ev_eval *)e;
    free(ev->pub.achieved);
    free(ev->pub.evidence);
    json_decref(ev->store);
    free(ev);
}

int assay_credential_evaluate(const assay_credential_def *d, const assay_record *r,
                              assay_credential_eval **out, char *why, size_t whylen)
{
    if (d == NULL || r == NULL || out == NULL) {
        assay__whyf(why, whylen, "no definition, record or output given");
        return ASSAY_E_ARG;
    }
    const assay_credential_info *in = &d->info;
    ev_ctx x = {.d = d, .r = r, .why = why, .whylen = whylen};
    x.comps = calloc(in->nrequirements + 1, sizeof(*x.comps));
    x.firsts = calloc(in->nrubrics + 1, sizeof(*x.firsts));
    x.out = calloc(1, sizeof(*x.out));
    int rc = x.comps && x.firsts && x.out && (x.out->store = json_array()) ? 0 : ASSAY_E_NOMEM;
    if (rc == 0) {
        /* Whether it is met now first, from the whole evidence; only a met definition is
         * replayed to find when it first was. */
        locate(&x);
        find_firsts(&x);
        char reason[600];
        int err = 0;
        if (unmet(&x, reason, sizeof(reason), &err)) {
            x.out->pub.reason = err ? NULL : keep(x.out, reason);
            rc = err ? err : x.out->pub.reason ? 0 : ASSAY_E_NOMEM;
        } else {
            for (size_t i = 0; i < in->nrequirements && rc == 0; i++) {
                rc = replay(&x, i);
            }
        }
        if (rc == 0 && x.out->pub.reason == NULL) {
            size_t n = 0;
            const rc_evidence **v = points(&x, &n);
            rc = v ? ASSAY_E_ARG : ASSAY_E_NOMEM;
            assay__whyf(why, whylen,
                        "the requirement is met now but at no point of the "
                        "record's evidence (a bug)");
            for (size_t k = 0; v && k < n; k++) {
                if (met_at(&x, v[k])) {
                    rc = describe(&x, v[k]);
                    break;
                }
            }
            free(v);
        }
    }
    for (size_t i = 0; x.comps && i < in->nrequirements; i++) {
        free(x.comps[i].met);
    }
    free(x.comps);
    free(x.firsts);
    if (rc == ASSAY_E_NOMEM) {
        assay__whyf(why, whylen, "out of memory");
    }
    if (rc != 0) {
        assay_credential_eval_destroy(x.out ? &x.out->pub : NULL);
        return rc;
    }
    *out = &x.out->pub;
    return 0;
}

int assay_credential_met_now(const assay_credential_def *d, const assay_record *r, char *reason,
                             size_t reasonlen, char *why, size_t whylen)
{
    if (d == NULL || r == NULL) {
        assay__whyf(why, whylen, "no definition or record given");
        return ASSAY_E_ARG;
    }
    const assay_credential_info *in = &d->info;
    ev_ctx x = {.d = d, .r = r, .why = why, .whylen = whylen};
    x.comps = calloc(in->nrequirements + 1, sizeof(*x.comps));
    x.firsts = calloc(in->nrubrics + 1, sizeof(*x.firsts));
    int rc = ASSAY_E_NOMEM;
    if (x.comps && x.firsts) {
        locate(&x);
        find_firsts(&x);
        char buf[600] = "";
        int err = 0;
        bool no = unmet(&x, buf, sizeof(buf), &err);
        rc = err ? err : no ? 0 : 1;
        if (rc == 0 && reason && reasonlen > 0) {
            snprintf(reason, reasonlen, "%s", buf);
        }
    } else {
        assay__whyf(why, whylen, "out of memory");
    }
    free(x.comps);
    free(x.firsts);
    return rc;
}
