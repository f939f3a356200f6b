/*
 * record.c - learner records, the model: competencies in key order, each with its evidence
 * in (at, submission id) order; their lifetimes, lookup and reading. Applying a submission's
 * evidence is record_apply.c's, the document and results read as evidence record_json.c's
 * and record_read.c's. Nothing here talks to Redis or reads the clock.
 */
#include "record.h"

#include <stdlib.h>
#include <string.h>

const char *assay_record_outcome_name(int outcome)
{
    switch (outcome) {
    case ASSAY_RECORD_APPLIED:
        return "applied";
    case ASSAY_RECORD_STALE:
        return "stale";
    case ASSAY_RECORD_NOT_GRADED:
        return "not_graded";
    case ASSAY_RECORD_NO_LEARNER:
        return "no_learner";
    default:
        return NULL;
    }
}

/* ---- Lifetimes ------------------------------------------------------------------------- */

void assay__rc_evidence_init(rc_evidence *e)
{
    memset(e, 0, sizeof(*e));
    mpq_init(e->score);
}

void assay__rc_evidence_clear(rc_evidence *e)
{
    free(e->submission);
    free(e->rubric);
    free(e->version);
    mpq_clear(e->score);
    memset(e, 0, sizeof(*e));
}

void assay__rc_state_reset(rc_state *s)
{
    free(s->exact);
    free(s->level);
    free(s->level_name);
    s->exact = s->level = s->level_name = NULL;
    s->has_value = false;
    s->value_d = 0;
    s->mastered = false;
    mpq_set_ui(s->value, 0, 1);
}

void assay__rc_comp_init(rc_comp *c)
{
    memset(c, 0, sizeof(*c));
    mpq_init(c->st.value);
}

void assay__rc_comp_changed(rc_comp *c)
{
    free(c->text);
    c->text = NULL;
    c->text_len = 0;
}

void assay__rc_comp_clear(rc_comp *c)
{
    assay__rc_comp_changed(c);
    for (size_t i = 0; i < c->n; i++) {
        assay__rc_evidence_clear(&c->ev[i]);
    }
    free(c->ev);
    free(c->key);
    assay__rc_state_reset(&c->st);
    mpq_clear(c->st.value);
    memset(c, 0, sizeof(*c));
}

assay_record *assay_record_create(const char *learner)
{
    if (learner == NULL || learner[0] == '\0') {
        return NULL;
    }
    assay_record *r = calloc(1, sizeof(*r));
    if (r == NULL || (r->learner = strdup(learner)) == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

void assay_record_destroy(assay_record *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        assay__rc_comp_clear(&r->comps[i]);
    }
    free(r->comps);
    free(r->learner);
    free(r);
}

const char *assay_record_learner(const assay_record *r)
{
    return r ? r->learner : NULL;
}

/* ---- Order and lookup ------------------------------------------------------------------ */

int assay__rc_evidence_cmp(const rc_evidence *a, const rc_evidence *b)
{
    int c = assay__ts_cmp(&a->at, &b->at);
    return c != 0 ? c : strcmp(a->submission, b->submission);
}

size_t assay__rc_find(const assay_record *r, const char *key, bool *found)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->comps[mid].key, key);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = false;
    return lo;
}

int assay__rc_reserve(assay_record *r, size_t more)
{
    if (r->n + more <= r->cap) {
        return 0;
    }
    size_t cap = r->cap ? r->cap : 8;
    while (cap < r->n + more) {
        cap *= 2;
    }
    rc_comp *v = realloc(r->comps, cap * sizeof(*v));
    if (v == NULL) {
        return -1;
    }
    r->comps = v;
    r->cap = cap;
    return 0;
}

int assay__rc_insert(assay_record *r, size_t i, rc_comp *c)
{
    if (assay__rc_reserve(r, 1) != 0) {
        return -1;
    }
    memmove(&r->comps[i + 1], &r->comps[i], (r->n - i) * sizeof(*c));
    r->comps[i] = *c;
    r->n++;
    memset(c, 0, sizeof(*c));
    return 0;
}

void assay__rc_remove(assay_record *r, size_t i)
{
    assay__rc_comp_clear(&r->comps[i]);
    memmove(&r->comps[i], &r->comps[i + 1], (r->n - i - 1) * sizeof(rc_comp));
    r->n--;
}

/* ---- Reading a record ------------------------------------------------------------------ */

void assay__rc_state_view(const rc_comp *c, assay_record_state *out)
{
    memset(out, 0, sizeof(*out));
    out->has_value = c->st.has_value;
    out->value_exact = c->st.exact;
    out->value = c->st.has_value ? c->st.value_d : 0;
    out->level = c->st.level;
    out->level_name = c->st.level_name;
    out->mastered = c->st.mastered;
    out->evidence = c->n;
    out->dropped = c->dropped;
}

size_t assay_record_competency_count(const assay_record *r)
{
    return r ? r->n : 0;
}

const char *assay_record_competency(const assay_record *r, size_t i, assay_record_state *out)
{
    if (r == NULL || i >= r->n) {
        return NULL;
    }
    if (out) {
        assay__rc_state_view(&r->comps[i], out);
    }
    return r->comps[i].key;
}
