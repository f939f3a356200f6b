/*
 * deftest.h - fixtures of the credential definition and award tests: a catalog of two small
 * rubrics ("quiz", competencies a and b on a four-level scale, and "other"), a definition
 * text over them with parts to change, and learner records built from scores by hand (as
 * the worker fills evidence).
 *
 * The scale: novice 0, developing 1/2, proficient 4/5 (mastery), expert 1. The default
 * method, weighted_average 65: one score s gives s; scores s1..sn give 0.65 sn + 0.35
 * mean(s1..sn-1).
 */
#ifndef ASSAY_TESTS_DEFTEST_H
#define ASSAY_TESTS_DEFTEST_H

#include "tap.h"

#include <assay/assay.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char deftest_quiz[] =
    "{\"assay\": 1, \"id\": \"quiz\", \"version\": \"1\", \"title\": \"Quiz\","
    " \"scale\": {\"levels\": ["
    "  {\"id\": \"novice\", \"name\": \"Novice\", \"min\": 0},"
    "  {\"id\": \"developing\", \"name\": \"Developing\", \"min\": 0.5},"
    "  {\"id\": \"proficient\", \"name\": \"Proficient\", \"min\": 0.8, \"mastery\": true},"
    "  {\"id\": \"expert\", \"name\": \"Expert\", \"min\": 1}]},"
    " \"competencies\": ["
    "  {\"id\": \"a\", \"name\": \"Competency A\", \"description\": \"The first.\","
    "   \"ref\": \"https://case.example.org/uri/a\"},"
    "  {\"id\": \"b\", \"name\": \"Competency B\"}],"
    " \"items\": [{\"id\": \"q1\", \"checks\": [{\"id\": \"c1\", \"type\": \"pattern\", "
    "\"pattern\": \"x\","
    "  \"evidence\": {\"a\": 1, \"b\": 1}}]}]}";

static const char deftest_other[] =
    "{\"assay\": 1, \"id\": \"other\", \"version\": \"2\", \"title\": \"Other\","
    " \"scale\": {\"levels\": [{\"id\": \"no\", \"name\": \"No\", \"min\": 0},"
    "  {\"id\": \"yes\", \"name\": \"Yes\", \"min\": 1, \"mastery\": true}]},"
    " \"competencies\": [{\"id\": \"c\", \"name\": \"C\"}],"
    " \"items\": [{\"id\": \"q1\", \"checks\": [{\"id\": \"c1\", \"type\": \"pattern\", "
    "\"pattern\": \"x\","
    "  \"evidence\": {\"c\": 1}}]}]}";

/* A catalog with both rubrics; exits (99) when they do not load. */
static inline assay_catalog *deftest_catalog(void)
{
    assay_catalog *c = assay_catalog_create();
    const char *texts[] = {deftest_quiz, deftest_other};
    for (size_t i = 0; i < 2; i++) {
        assay_rubric *r = NULL;
        if (assay_rubric_load_buffer(texts[i], strlen(texts[i]), "fixture", NULL, &r, NULL) !=
                0 ||
            assay_catalog_add(c, r) != 0) {
            printf("Bail out! fixture rubric %zu does not load\n", i);
            exit(99);
        }
    }
    return c;
}

/*
 * A definition text: requirements (the JSON of "requirements"), subject (of "subject"),
 * extra (more members, with a leading comma, or ""). Caller frees.
 */
static inline char *deftest_text(const char *requirements, const char *subject,
                                 const char *extra)
{
    static const char fmt[] =
        "{\"assay_credential\": 1, \"id\": \"quiz-badge\", \"version\": \"1\","
        " \"name\": \"Quiz badge\", \"description\": \"Knows A and B.\","
        " \"criteria\": \"Proficient in A, developing in B.\","
        " \"achievement_type\": \"MicroCredential\","
        " \"issuer\": {\"id\": \"https://example.edu/issuer\", \"name\": \"Example\"},"
        " \"framework\": \"rubric:quiz\", \"requirements\": %s, \"subject\": %s%s}";
    size_t n = sizeof(fmt) + strlen(requirements) + strlen(subject) + strlen(extra);
    char *s = malloc(n);
    if (s) {
        snprintf(s, n, fmt, requirements, subject, extra);
    }
    return s;
}

#define DEFTEST_REQ                                                                            \
    "{\"competencies\": [{\"id\": \"a\", \"level\": \"proficient\"},"                          \
    " {\"id\": \"b\", \"level\": \"developing\"}]}"
#define DEFTEST_SUBJECT "{\"id_template\": \"urn:example:learner:{learner}\"}"

/* Loads a definition from text against cat; NULL (with the diagnostics printed as TAP
 * comments) when it does not load. */
static inline assay_credential_def *deftest_def(const assay_catalog *cat, const char *text)
{
    assay_diags *d = assay_diags_create();
    assay_credential_def *def = NULL;
    if (assay_credential_def_load_buffer(text, strlen(text), "def.json", cat, &def, d) != 0) {
        char line[1200];
        for (size_t i = 0; i < assay_diags_count(d); i++) {
            assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
            printf("# %s\n", line);
        }
    }
    assay_diags_destroy(d);
    return def;
}

/*
 * Applies one graded submission of rubric quiz (or other, when rubric is "other") to r:
 * scores of a and b (or of c), NULL for a competency the result does not have. 0, or the
 * library's code (printed).
 */
static inline int deftest_apply(assay_record *r, const assay_catalog *cat, const char *rubric,
                                const char *submission, const char *at, const char *sa,
                                const char *sb)
{
    const assay_rubric *rb = assay_catalog_find(cat, rubric, NULL);
    bool other = strcmp(rubric, "other") == 0;
    assay_record_score scores[2];
    size_t n = 0;
    if (sa) {
        scores[n++] = (assay_record_score){other ? "c" : "a", NULL, sa};
    }
    if (sb) {
        scores[n++] = (assay_record_score){"b", NULL, sb};
    }
    assay_record_evidence ev = {
        .learner = assay_record_learner(r),
        .submission = submission,
        .rubric_id = assay_rubric_id(rb),
        .rubric_version = assay_rubric_version(rb),
        .rubric_sha256 = assay_rubric_sha256(rb),
        .at = at,
        .scores = scores,
        .nscores = n,
    };
    char why[600];
    int rc = assay_record_apply(r, cat, &ev, NULL, why, sizeof(why));
    if (rc != ASSAY_RECORD_APPLIED) {
        printf("# apply %s: %d: %s\n", submission, rc, why);
    }
    return rc;
}

#endif
