/*
 * record_apply.c - applying one graded submission's evidence to a learner record (see
 * record.h): the rubric and competencies found in the catalog, stale regrades refused, a
 * regrade's old evidence replaced, the cap, each touched competency recomputed by its method
 * on its scale; and the change that made, for the result's "record" member.
 *
 * The calculation itself is mastery.c's (assay__mastery_compute). Nothing here talks to
 * Redis or reads the clock.
 */
#include "record.h"

#include "error.h"
#include "mastery.h"
#include "rubric.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest submission id a result echoes (docs/protocol.md). */
#define SUBMISSION_MAX 256

/* ---- The change ------------------------------------------------------------------------ */

/* A state copied into a change: every string owned (freed by change_destroy). */
static int state_copy(const rc_comp *c, assay_record_state *out)
{
    assay__rc_state_view(c, out);
    out->value_exact = out->level = out->level_name = NULL;
    if (!c->st.has_value) {
        return 0;
    }
    out->value_exact = strdup(c->st.exact);
    out->level = strdup(c->st.level);
    out->level_name = strdup(c->st.level_name);
    return out->value_exact && out->level && out->level_name ? 0 : -1;
}

static void state_free(assay_record_state *s)
{
    free((char *)s->value_exact);
    free((char *)s->level);
    free((char *)s->level_name);
}

void assay_record_change_destroy(assay_record_change *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->ndeltas; i++) {
        free((char *)c->deltas[i].competency);
        state_free(&c->deltas[i].before);
        state_free(&c->deltas[i].after);
    }
    free(c->deltas);
    free((char *)c->reason);
    free(c);
}

/* ---- Applying evidence ----------------------------------------------------------------- */

/* One score of the evidence, checked and ready to insert. */
typedef struct pending {
    const rb_competency *def; /* in the rubric that graded */
    char *key;
    rc_evidence ev;
    rc_comp fresh; /* a new competency for the record, when it has none by that key */
    bool has_fresh;
} pending;

/* A competency the application touches, with its standing before. */
typedef struct touched {
    char *key;
    const rb_competency *def; /* whose scale recomputes it; NULL: nothing left to compute */
    bool had_before;
    assay_record_state before;
} touched;

typedef struct apply_ctx {
    assay_record *r;
    const assay_catalog *cat;
    const assay_record_evidence *in;
    const assay_rubric *rubric;
    ts_time at;
    pending *p;
    size_t np;
    touched *t;
    size_t nt;
    char *why;
    size_t whylen;
} apply_ctx;

static const assay_rubric *find_rubric(const assay_catalog *cat, const char *id,
                                       const char *version, const char *sha)
{
    for (size_t i = 0; sha && i < assay_catalog_count(cat); i++) {
        const assay_rubric *r = assay_catalog_get(cat, i);
        if (strcmp(r->sha256, sha) == 0 && strcmp(r->id, id) == 0) {
            return r;
        }
    }
    return version ? assay_catalog_find(cat, id, version) : NULL;
}

/* The competency of rubric r whose key is framework/id. */
static const rb_competency *find_def(const assay_rubric *r, const char *key)
{
    for (size_t i = 0; r && i < r->ncomps; i++) {
        const rb_competency *k = &r->comps[i];
        size_t fl = strlen(k->framework);
        if (strncmp(key, k->framework, fl) == 0 && key[fl] == '/' &&
            strcmp(key + fl + 1, k->id) == 0) {
            return k;
        }
    }
    return NULL;
}

static bool is_sha256(const char *s)
{
    size_t n = 0;
    while (s[n] && ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) {
        n++;
    }
    return n == 64 && s[n] == '\0';
}

/* The envelope: learner, submission, rubric, at. 0 or ASSAY_E_ARG with why set. */
static int check_envelope(apply_ctx *a)
{
    const assay_record_evidence *in = a->in;
    if (strcmp(in->learner, a->r->learner) != 0) {
        assay__whyf(a->why, a->whylen,
                    "the evidence is for learner \"%.64s\", the record for \"%.64s\"",
                    in->learner, a->r->learner);
        return ASSAY_E_ARG;
    }
    if (in->submission == NULL || in->submission[0] == '\0' ||
        strlen(in->submission) > SUBMISSION_MAX) {
        assay__whyf(a->why, a->whylen, "the submission id must be 1 to %d bytes",
                    SUBMISSION_MAX);
        return ASSAY_E_ARG;
    }
    if (in->rubric_id == NULL || in->rubric_version == NULL || in->rubric_sha256 == NULL ||
        !is_sha256(in->rubric_sha256)) {
        assay__whyf(a->why, a->whylen,
                    "submission \"%.64s\": the rubric needs an id, a version and a SHA-256 "
                    "(64 lower-case hex digits)",
                    in->submission);
        return ASSAY_E_ARG;
    }
    a->rubric = find_rubric(a->cat, in->rubric_id, in->rubric_version, in->rubric_sha256);
    if (a->rubric == NULL) {
        assay__whyf(a->why, a->whylen,
                    "submission \"%.64s\": rubric \"%.128s\" version \"%.64s\" (sha256 "
                    "%.12s...) is not loaded",
                    in->submission, in->rubric_id, in->rubric_version, in->rubric_sha256);
        return ASSAY_E_ARG;
    }
    char tw[160];
    if (in->at == NULL || assay__ts_parse(in->at, strlen(in->at), &a->at, tw, sizeof tw) != 0) {
        assay__whyf(a->why, a->whylen, "submission \"%.64s\": time \"%.64s\": %s",
                    in->submission, in->at ? in->at : "(none)",
                    in->at ? tw : "no time was given");
        return ASSAY_E_ARG;
    }
    return 0;
}

/* Reads and checks score i into a->p[i]. 0 or ASSAY_E_ARG / ASSAY_E_NOMEM. */
static int prepare_score(apply_ctx *a, size_t i)
{
    const assay_record_score *s = &a->in->scores[i];
    const assay_rubric *rub = a->rubric;
    pending *p = &a->p[i];
    const char *sub = a->in->submission;
    for (size_t k = 0; s->competency && k < rub->ncomps && p->def == NULL; k++) {
        if (strcmp(rub->comps[k].id, s->competency) == 0) {
            p->def = &rub->comps[k];
        }
    }
    if (p->def == NULL) {
        assay__whyf(a->why, a->whylen,
                    "submission \"%.64s\": rubric \"%s\" version \"%s\" has no competency "
                    "\"%.128s\"",
                    sub, rub->id, rub->version, s->competency ? s->competency : "(none)");
        return ASSAY_E_ARG;
    }
    if (s->framework && strcmp(s->framework, p->def->framework) != 0) {
        assay__whyf(a->why, a->whylen,
                    "submission \"%.64s\": competency \"%s\" belongs to framework \"%s\" in "
                    "rubric \"%s\", not \"%.128s\"",
                    sub, p->def->id, p->def->framework, rub->id, s->framework);
        return ASSAY_E_ARG;
    }
    for (size_t k = 0; k < i; k++) {
        if (a->p[k].def == p->def) {
            assay__whyf(a->why, a->whylen,
                        "submission \"%.64s\": competency \"%s\" is scored twice", sub,
                        p->def->id);
            return ASSAY_E_ARG;
        }
    }
    char sw[160];
    if (s->score == NULL || assay__mpq_from_text(p->ev.score, s->score, sw, sizeof sw) != 0 ||
        mpq_sgn(p->ev.score) < 0 || mpq_cmp_ui(p->ev.score, 1, 1) > 0) {
        assay__whyf(a->why, a->whylen,
                    "submission \"%.64s\": the score of competency \"%s\" must be an exact "
                    "number from 0 to 1, not \"%.40s\"",
                    sub, p->def->id, s->score ? s->score : "(none)");
        return ASSAY_E_ARG;
    }
    size_t klen = strlen(p->def->framework) + 1 + strlen(p->def->id) + 1;
    p->key = malloc(klen);
    p->ev.submission = strdup(sub);
    p->ev.rubric = strdup(rub->id);
    p->ev.version = strdup(a->in->rubric_version);
    if (p->key == NULL || p->ev.submission == NULL || p->ev.rubric == NULL ||
        p->ev.version == NULL) {
        return ASSAY_E_NOMEM;
    }
    snprintf(p->key, klen, "%s/%s", p->def->framework, p->def->id);
    memcpy(p->ev.sha256, a->in->rubric_sha256, 65);
    p->ev.at = a->at;
    bool found;
    assay__rc_find(a->r, p->key, &found);
    if (!found) {
        assay__rc_comp_init(&p->fresh);
        p->has_fresh = true;
        p->fresh.key = strdup(p->key);
        if (p->fresh.key == NULL) {
            return ASSAY_E_NOMEM;
        }
    }
    return 0;
}

/* The evidence of this submission in the record (the first found), or NULL. */
static const rc_evidence *find_submission(const assay_record *r, const char *sub)
{
    for (size_t i = 0; i < r->n; i++) {
        for (size_t k = 0; k < r->comps[i].n; k++) {
            if (strcmp(r->comps[i].ev[k].submission, sub) == 0) {
                return &r->comps[i].ev[k];
            }
        }
    }
    return NULL;
}

static bool comp_has_submission(const rc_comp *c, const char *sub)
{
    for (size_t k = 0; k < c->n; k++) {
        if (strcmp(c->ev[k].submission, sub) == 0) {
            return true;
        }
    }
    return false;
}

static int touched_cmp(const void *x, const void *y)
{
    return strcmp(((const touched *)x)->key, ((const touched *)y)->key);
}

/*
 * For a competency that loses this submission's evidence and gains none: the rubric that
 * defines it, looked up from its remaining evidence, newest first, then from the evidence
 * being removed. NULL when none is loaded.
 */
static const rb_competency *def_from_evidence(const apply_ctx *a, const rc_comp *c)
{
    for (size_t k = c->n; k-- > 0;) {
        const rc_evidence *e = &c->ev[k];
        const rb_competency *d =
            find_def(find_rubric(a->cat, e->rubric, e->version, e->sha256), c->key);
        if (d) {
            return d;
        }
    }
    return NULL;
}

/*
 * The definition c is computed with once changed: that of the rubric of its newest evidence
 * in the record's order (time, then submission id), never of the result applied last, so
 * that arrival order cannot change the method or the scale; when that rubric is no longer
 * loaded, the newest whose rubric is; `fallback` when none is.
 */
static const rb_competency *def_of_newest(const apply_ctx *a, const rc_comp *c,
                                          const rb_competency *fallback)
{
    const rb_competency *d = NULL;
    if (c->n > 0 && strcmp(c->ev[c->n - 1].sha256, a->rubric->sha256) == 0 &&
        strcmp(c->ev[c->n - 1].rubric, a->rubric->id) == 0) {
        d = find_def(a->rubric, c->key); /* the usual case: no search of the catalog */
    }
    d = d ? d : def_from_evidence(a, c);
    return d ? d : fallback;
}

/* Lists the competencies touched (sorted by key) with their standing before. */
static int collect_touched(apply_ctx *a)
{
    assay_record *r = a->r;
    const char *sub = a->in->submission;
    a->t = calloc(r->n + a->np + 1, sizeof(touched));
    if (a->t == NULL) {
        return ASSAY_E_NOMEM;
    }
    for (size_t i = 0; i < r->n; i++) {
        const rc_comp *c = &r->comps[i];
        const rb_competency *def = NULL;
        for (size_t k = 0; k < a->np && def == NULL; k++) {
            if (strcmp(a->p[k].key, c->key) == 0) {
                def = a->p[k].def;
            }
        }
        if (def == NULL && !comp_has_submission(c, sub)) {
            continue;
        }
        touched *t = &a->t[a->nt++];
        t->had_before = true;
        t->key = strdup(c->key);
        if (t->key == NULL || state_copy(c, &t->before) != 0) {
            return ASSAY_E_NOMEM;
        }
        t->def = def;
        if (def == NULL && c->n > 1) {
            /* Something is left to compute once this submission's evidence is gone. */
            t->def = def_from_evidence(a, c);
            if (t->def == NULL) {
                assay__whyf(a->why, a->whylen,
                            "submission \"%.64s\": competency \"%s\" loses this "
                            "submission's evidence but no loaded rubric defines it, so it "
                            "cannot be recomputed",
                            sub, c->key);
                return ASSAY_E_ARG;
            }
        }
    }
    for (size_t k = 0; k < a->np; k++) {
        if (a->p[k].has_fresh) {
            touched *t = &a->t[a->nt++];
            t->key = strdup(a->p[k].key);
            t->def = a->p[k].def;
            if (t->key == NULL) {
                return ASSAY_E_NOMEM;
            }
        }
    }
    qsort(a->t, a->nt, sizeof(touched), touched_cmp);
    return 0;
}

/* Inserts e (moved) into c in order, then drops the oldest past the cap. -1: no memory. */
static int add_evidence(rc_comp *c, rc_evidence *e)
{
    assay__rc_comp_changed(c);
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4;
        if (cap > ASSAY_RECORD_EVIDENCE_MAX + 1) {
            cap = ASSAY_RECORD_EVIDENCE_MAX + 1;
        }
        rc_evidence *v = realloc(c->ev, cap * sizeof(*v));
        if (v == NULL) {
            return -1;
        }
        c->ev = v;
        c->cap = cap;
    }
    size_t i = c->n;
    while (i > 0 && assay__rc_evidence_cmp(&c->ev[i - 1], e) > 0) {
        i--;
    }
    memmove(&c->ev[i + 1], &c->ev[i], (c->n - i) * sizeof(*e));
    c->ev[i] = *e;
    c->n++;
    memset(e, 0, sizeof(*e));
    mpq_init(e->score); /* e stays a cleared, initialised evidence for the caller */
    if (c->n > ASSAY_RECORD_EVIDENCE_MAX) {
        assay__rc_evidence_clear(&c->ev[0]);
        memmove(&c->ev[0], &c->ev[1], (c->n - 1) * sizeof(*e));
        c->n--;
        c->dropped++;
    }
    return 0;
}

static void remove_submission(rc_comp *c, const char *sub)
{
    size_t w = 0;
    for (size_t k = 0; k < c->n; k++) {
        if (strcmp(c->ev[k].submission, sub) == 0) {
            assay__rc_evidence_clear(&c->ev[k]);
        } else {
            c->ev[w++] = c->ev[k];
        }
    }
    if (w != c->n) {
        assay__rc_comp_changed(c);
    }
    c->n = w;
}

/* Recomputes c's value, level and mastery with its method on def's scale. */
static int recompute(rc_comp *c, const rb_competency *def)
{
    assay__rc_comp_changed(c);
    assay__rc_state_reset(&c->st);
    if (c->n == 0) {
        return 0;
    }
    mpq_srcptr scores[ASSAY_RECORD_EVIDENCE_MAX + 1];
    for (size_t k = 0; k < c->n; k++) {
        scores[k] = c->ev[k].score;
    }
    const rb_scale *sc = def->scale;
    mpq_srcptr threshold = sc->levels[sc->mastery].min;
    int rc = assay__mastery_compute(&c->method, scores, c->n, threshold, c->st.value, NULL);
    if (rc < 0) {
        return rc;
    }
    if (rc == 0) {
        return 0;
    }
    size_t lv = 0;
    while (lv + 1 < sc->n && mpq_cmp(c->st.value, sc->levels[lv + 1].min) >= 0) {
        lv++;
    }
    c->st.has_value = true;
    c->st.value_d = assay__mpq_to_double(c->st.value);
    c->st.mastered = lv >= sc->mastery;
    c->st.exact = assay__mpq_to_text(c->st.value);
    c->st.level = strdup(sc->levels[lv].id);
    c->st.level_name = strdup(sc->levels[lv].name);
    return c->st.exact && c->st.level && c->st.level_name ? 0 : ASSAY_E_NOMEM;
}

/* Changes the record: nothing here refuses the input any more. */
static int commit(apply_ctx *a)
{
    assay_record *r = a->r;
    if (assay__rc_reserve(r, a->np) != 0) {
        return ASSAY_E_NOMEM;
    }
    for (size_t i = 0; i < r->n; i++) {
        remove_submission(&r->comps[i], a->in->submission);
    }
    for (size_t k = 0; k < a->np; k++) {
        pending *p = &a->p[k];
        bool found;
        size_t at = assay__rc_find(r, p->key, &found);
        if (!found && assay__rc_insert(r, at, &p->fresh) != 0) {
            return ASSAY_E_NOMEM;
        }
        p->has_fresh = false;
        assay__rc_comp_changed(&r->comps[at]);
        if (add_evidence(&r->comps[at], &p->ev) != 0) {
            return ASSAY_E_NOMEM;
        }
    }
    for (size_t k = 0; k < a->nt; k++) {
        bool found;
        size_t at = assay__rc_find(r, a->t[k].key, &found);
        rc_comp *c = &r->comps[at];
        if (c->n == 0 && c->dropped == 0) {
            assay__rc_remove(r, at);
            continue;
        }
        if (a->t[k].def == NULL) {
            assay__rc_comp_changed(c);
            assay__rc_state_reset(&c->st); /* only dropped evidence is left: no value */
            continue;
        }
        const rb_competency *def = def_of_newest(a, c, a->t[k].def);
        c->method = def->method;
        int rc = recompute(c, def);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* The change: one delta per touched competency, in key order. */
static int describe(apply_ctx *a, assay_record_change *ch)
{
    ch->outcome = ASSAY_RECORD_APPLIED;
    ch->deltas = calloc(a->nt ? a->nt : 1, sizeof(assay_record_delta));
    if (ch->deltas == NULL) {
        return ASSAY_E_NOMEM;
    }
    for (size_t k = 0; k < a->nt; k++) {
        touched *t = &a->t[k];
        assay_record_delta *d = &ch->deltas[ch->ndeltas++];
        d->competency = t->key;
        t->key = NULL;
        d->had_before = t->had_before;
        d->before = t->before;
        memset(&t->before, 0, sizeof(t->before));
        bool found;
        size_t at = assay__rc_find(a->r, d->competency, &found);
        if (found) {
            d->has_after = true;
            if (state_copy(&a->r->comps[at], &d->after) != 0) {
                return ASSAY_E_NOMEM;
            }
        }
        d->mastered_now =
            d->has_after && d->after.mastered && !(d->had_before && d->before.mastered);
    }
    return 0;
}

static void ctx_free(apply_ctx *a)
{
    for (size_t k = 0; a->p && k < a->np; k++) {
        free(a->p[k].key);
        assay__rc_evidence_clear(&a->p[k].ev);
        if (a->p[k].has_fresh) {
            assay__rc_comp_clear(&a->p[k].fresh);
        }
    }
    free(a->p);
    for (size_t k = 0; a->t && k < a->nt; k++) {
        free(a->t[k].key);
        state_free(&a->t[k].before);
    }
    free(a->t);
}

/* The STALE answer: why, with the version the record keeps. */
static int stale(apply_ctx *a, const rc_evidence *old, assay_record_change *ch)
{
    char msg[600];
    snprintf(msg, sizeof msg,
             "the record holds submission \"%.64s\"'s evidence from version \"%.64s\" of "
             "rubric \"%.128s\", newer than \"%.64s\"",
             old->submission, old->version, old->rubric, a->in->rubric_version);
    if (ch) {
        ch->outcome = ASSAY_RECORD_STALE;
        ch->reason = strdup(msg);
        if (ch->reason == NULL) {
            return ASSAY_E_NOMEM;
        }
    }
    assay__whyf(a->why, a->whylen, "%s", msg);
    return ASSAY_RECORD_STALE;
}

/* Checks everything, then changes the record: a refusal leaves it as it was. */
static int apply(apply_ctx *a, assay_record_change *ch)
{
    int rc = check_envelope(a);
    if (rc != 0) {
        return rc;
    }
    a->p = calloc(a->in->nscores ? a->in->nscores : 1, sizeof(pending));
    if (a->p == NULL) {
        return ASSAY_E_NOMEM;
    }
    for (size_t i = 0; i < a->in->nscores; i++) {
        assay__rc_evidence_init(&a->p[i].ev);
        a->np++;
        if ((rc = prepare_score(a, i)) != 0) {
            return rc;
        }
    }
    const rc_evidence *old = find_submission(a->r, a->in->submission);
    if (old && strcmp(old->rubric, a->rubric->id) == 0 &&
        assay__rubric_version_cmp(a->in->rubric_version, old->version) < 0) {
        return stale(a, old, ch);
    }
    if (ch) {
        ch->replaced = old != NULL;
    }
    if ((rc = collect_touched(a)) != 0 || (rc = commit(a)) != 0) {
        return rc;
    }
    return ch ? describe(a, ch) : 0;
}

int assay_record_apply(assay_record *r, const assay_catalog *cat,
                       const assay_record_evidence *ev, assay_record_change **change, char *why,
                       size_t whylen)
{
    if (change) {
        *change = NULL;
    }
    if (why && whylen) {
        why[0] = '\0';
    }
    if (r == NULL || ev == NULL || (ev->nscores > 0 && ev->scores == NULL)) {
        assay__whyf(why, whylen, "no record or no evidence was given");
        return ASSAY_E_ARG;
    }
    if (ev->learner == NULL || ev->learner[0] == '\0') {
        assay__whyf(why, whylen, "the evidence names no learner");
        return ASSAY_RECORD_NO_LEARNER;
    }
    assay_record_change *ch = NULL;
    if (change && (ch = calloc(1, sizeof(*ch))) == NULL) {
        return ASSAY_E_NOMEM;
    }
    apply_ctx a = {.r = r, .cat = cat, .in = ev, .why = why, .whylen = whylen};
    int rc = apply(&a, ch);
    ctx_free(&a);
    if (rc < 0) {
        if (rc == ASSAY_E_NOMEM) {
            assay__whyf(why, whylen, "out of memory");
        }
        assay_record_change_destroy(ch);
        return rc;
    }
    if (change) {
        *change = ch;
    }
    return rc;
}
