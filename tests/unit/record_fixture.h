/*
 * record_fixture.h - what test_record.c and test_record_evidence.c share: a catalog of small
 * rubrics ("quiz" 1.0.0, 2.0.0 and 3.0.0, "lab" 1.0.0) on one four-level scale, evidence
 * built from text ("a=1/2 b=3/4"), applying it, and reading a competency's state back.
 * Header-only (static inline), one copy per test program.
 */
#ifndef TESTS_UNIT_RECORD_FIXTURE_H
#define TESTS_UNIT_RECORD_FIXTURE_H

#include "record.h"
#include "rubric.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Fixtures -------------------------------------------------------------------------- */

/* Asserts that record r's document contains needle. */
#define DOC_HAS(r, needle)                                                                     \
    do {                                                                                       \
        char *doc_ = assay_record_dumps(r);                                                    \
        ASSERT_STR_CONTAINS(doc_, needle);                                                     \
        free(doc_);                                                                            \
    } while (0)

/* A rubric id/version whose competencies (space-separated ids) each have one check. */
static inline assay_rubric *make_rubric(const char *id, const char *version, const char *comps)
{
    char text[4096], list[1024] = "", items[2048] = "";
    char buf[256];
    snprintf(buf, sizeof buf, "%s", comps);
    size_t n = 0;
    for (char *c = strtok(buf, " "); c; c = strtok(NULL, " "), n++) {
        size_t l = strlen(list), m = strlen(items);
        snprintf(list + l, sizeof list - l, "%s{\"id\": \"%s\", \"name\": \"Competency %s\"}",
                 n ? ", " : "", c, c);
        snprintf(items + m, sizeof items - m,
                 "%s{\"id\": \"i-%s\", \"checks\": [{\"id\": \"k-%s\", \"type\": \"pattern\", "
                 "\"pattern\": \"x\", \"evidence\": {\"%s\": 1}}]}",
                 n ? ", " : "", c, c, c);
    }
    snprintf(text, sizeof text,
             "{\"assay\": 1, \"id\": \"%s\", \"version\": \"%s\", \"title\": \"T\",\n"
             " \"scale\": {\"levels\": [{\"id\": \"low\", \"name\": \"Low\", \"min\": 0},\n"
             "   {\"id\": \"mid\", \"name\": \"Mid\", \"min\": 0.5},\n"
             "   {\"id\": \"high\", \"name\": \"High\", \"min\": 0.6, \"mastery\": true},\n"
             "   {\"id\": \"top\", \"name\": \"Top\", \"min\": 0.9}]},\n"
             " \"competencies\": [%s], \"items\": [%s]}",
             id, version, list, items);
    assay_rubric *r = NULL;
    if (assay_rubric_load_buffer(text, strlen(text), id, NULL, &r, NULL) != 0) {
        printf("#   setup: rubric %s %s did not load\n", id, version);
    }
    return r;
}

static assay_catalog *cat;

static inline void setup(void)
{
    cat = assay_catalog_create();
    assay_catalog_add(cat, make_rubric("quiz", "1.0.0", "a b"));
    assay_catalog_add(cat, make_rubric("quiz", "2.0.0", "a b"));
    assay_catalog_add(cat, make_rubric("quiz", "3.0.0", "a"));
    assay_catalog_add(cat, make_rubric("lab", "1.0.0", "a c"));
}

/* Sets the method of a competency of every loaded version of rubric id. */
static inline void set_method(const char *id, const char *comp, const char *name, bool has,
                              long p)
{
    assay_mastery_method m;
    if (assay_mastery_method_parse(name, has, p, &m, NULL, 0) != 0) {
        printf("#   setup: bad method %s\n", name);
        return;
    }
    for (size_t i = 0; i < assay_catalog_count(cat); i++) {
        assay_rubric *r = (assay_rubric *)assay_catalog_get(cat, i);
        for (size_t k = 0; strcmp(r->id, id) == 0 && k < r->ncomps; k++) {
            if (strcmp(r->comps[k].id, comp) == 0) {
                r->comps[k].method = m;
            }
        }
    }
}

/* Evidence built from text: "a=1/2 b=3/4". */
typedef struct evb {
    assay_record_evidence ev;
    assay_record_score sc[8];
    char buf[512];
} evb;

static inline const assay_record_evidence *mk_in(evb *b, const char *learner,
                                                 const char *rubric, const char *version,
                                                 const char *sub, const char *at,
                                                 const char *scores)
{
    memset(b, 0, sizeof(*b));
    snprintf(b->buf, sizeof b->buf, "%s", scores);
    size_t n = 0;
    for (char *t = strtok(b->buf, " "); t && n < 8; t = strtok(NULL, " ")) {
        char *eq = strchr(t, '=');
        *eq = '\0';
        b->sc[n].competency = t;
        b->sc[n].score = eq + 1;
        n++;
    }
    const assay_rubric *r = assay_catalog_find(cat, rubric, version);
    b->ev.learner = learner;
    b->ev.submission = sub;
    b->ev.rubric_id = rubric;
    b->ev.rubric_version = version;
    b->ev.rubric_sha256 =
        r ? assay_rubric_sha256(r)
          : "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    b->ev.at = at;
    b->ev.scores = b->sc;
    b->ev.nscores = n;
    return &b->ev;
}

static inline const assay_record_evidence *mk(evb *b, const char *version, const char *sub,
                                              const char *at, const char *scores)
{
    return mk_in(b, "L1", "quiz", version, sub, at, scores);
}

/* Applies and says why when it was not the expected outcome. */
static inline int put(assay_record *r, const assay_record_evidence *ev)
{
    char why[512] = "";
    int rc = assay_record_apply(r, cat, ev, NULL, why, sizeof why);
    if (rc < 0) {
        printf("#   apply %s: %s\n", ev->submission, why);
    }
    return rc;
}

/* The competency's state by key; false when the record has none. */
static inline bool state_of(const assay_record *r, const char *key, assay_record_state *st)
{
    for (size_t i = 0; i < assay_record_competency_count(r); i++) {
        if (strcmp(assay_record_competency(r, i, st), key) == 0) {
            return true;
        }
    }
    memset(st, 0, sizeof(*st));
    return false;
}

/* The exact value of a key, "none" without a value, "absent" without the competency. */
static inline const char *value_of(const assay_record *r, const char *key)
{
    assay_record_state st;
    if (!state_of(r, key, &st)) {
        return "absent";
    }
    return st.has_value ? st.value_exact : "none";
}

static const char *times[] = {
    "2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z", "2026-01-03T10:00:00Z",
    "2026-01-04T10:00:00Z", "2026-01-05T10:00:00Z", "2026-01-06T10:00:00Z",
    "2026-01-07T10:00:00Z", "2026-01-08T10:00:00Z",
};

/* A record of competency a over scores (space-separated), one submission each, in order. */
static inline assay_record *series(const char *scores)
{
    assay_record *r = assay_record_create("L1");
    char buf[256], sub[16], sc[64];
    snprintf(buf, sizeof buf, "%s", scores);
    int i = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save), i++) {
        evb b;
        snprintf(sub, sizeof sub, "s%d", i);
        snprintf(sc, sizeof sc, "a=%s", t);
        put(r, mk(&b, "1.0.0", sub, times[i], sc));
    }
    return r;
}

#endif
