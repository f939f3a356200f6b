/*
 * test_describe.c - the rubric introspection API (<assay/describe.h>) on the example rubrics:
 * competencies and levels in scale order with exact minimums and mastery, items, checks and
 * group members, evidence, lookups, out-of-range indexes, and each check's normalisation
 * agreeing with what grading does.
 */
#include "assay/assay.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static assay_rubric *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ASSAY_RUBRICS_DIR, name);
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_file(path, NULL, &r, NULL);
    ASSERT_INT_EQ(rc, 0);
    return r;
}

static void test_competencies(const assay_rubric *r)
{
    ASSERT_INT_EQ(assay_rubric_competency_count(r), 4);
    assay_competency_info k;
    ASSERT_INT_EQ(assay_rubric_competency(r, 0, &k), 0);
    ASSERT_STR_EQ(k.id, "resp-stages");
    ASSERT_STR_EQ(k.name, "Stages and location of cellular respiration");
    ASSERT_STR_CONTAINS(k.ref, "a4b1e3c9");
    ASSERT_INT_EQ(k.nlevels, 4);
    ASSERT_INT_EQ(k.mastery, 2);
    ASSERT(!k.own_scale);
    assay_level_info lv;
    const char *ids[] = {"emerging", "developing", "proficient", "advanced"};
    const char *mins[] = {"0", "2/5", "3/4", "19/20"};
    for (size_t l = 0; l < 4; l++) {
        ASSERT_INT_EQ(assay_rubric_level(r, 0, l, &lv), 0);
        ASSERT_STR_EQ(lv.id, ids[l]);
        ASSERT_STR_EQ(lv.min_exact, mins[l]);
        ASSERT_INT_EQ(lv.mastered, l >= 2);
        ASSERT_INT_EQ(lv.mastery, l == 2);
    }
    ASSERT(fabs(lv.min - 0.95) < 1e-12);
    ASSERT_STR_EQ(lv.name, "Advanced");
    /* A competency with a scale of its own. */
    ASSERT_INT_EQ(assay_rubric_competency(r, 3, &k), 0);
    ASSERT_STR_EQ(k.id, "scientific-writing");
    ASSERT(k.own_scale);
    ASSERT(k.ref == NULL);
    ASSERT_INT_EQ(k.nlevels, 3);
    ASSERT_INT_EQ(assay_rubric_level(r, 3, 2, &lv), 0);
    ASSERT_STR_EQ(lv.id, "meets");
    ASSERT_STR_EQ(lv.min_exact, "1");
    ASSERT(lv.mastery && lv.mastered);
    /* Out of range: an error, and *out untouched. */
    static const char sentinel[] = "untouched";
    k.id = sentinel;
    ASSERT_INT_EQ(assay_rubric_competency(r, 4, &k), ASSAY_E_ARG);
    ASSERT(k.id == sentinel);
    ASSERT_INT_EQ(assay_rubric_level(r, 0, 4, &lv), ASSAY_E_ARG);
    ASSERT_INT_EQ(assay_rubric_level(r, 9, 0, &lv), ASSAY_E_ARG);
}

static void test_checks(const assay_rubric *r)
{
    ASSERT_INT_EQ(assay_rubric_item_count(r), 5);
    assay_item_info it;
    ASSERT_INT_EQ(assay_rubric_item(r, 1, &it), 0);
    ASSERT_STR_EQ(it.id, "q2");
    ASSERT_STR_EQ(it.title, "The three stages");
    ASSERT_INT_EQ(it.nchecks, 1);
    ASSERT_INT_EQ(assay_rubric_item(r, 5, &it), ASSAY_E_ARG);
    const assay_check *g = assay_rubric_item_check(r, 1, 0);
    ASSERT(g != NULL);
    ASSERT(assay_rubric_item_check(r, 1, 1) == NULL);
    ASSERT(assay_rubric_item_check(r, 7, 0) == NULL);
    assay_check_info ci;
    ASSERT_INT_EQ(assay_check_describe(r, g, &ci), 0);
    ASSERT_STR_EQ(ci.id, "q2-stages");
    ASSERT_STR_EQ(ci.type, "group");
    ASSERT(ci.mode == NULL);
    ASSERT(ci.group == NULL);
    ASSERT_INT_EQ(ci.item, 1);
    ASSERT(ci.points == 3);
    ASSERT_INT_EQ(ci.nmembers, 3);
    ASSERT_INT_EQ(ci.needed, 3);
    ASSERT_INT_EQ(ci.nevidence, 1);
    size_t comp;
    double w;
    ASSERT_INT_EQ(assay_check_evidence(g, 0, &comp, &w), 0);
    ASSERT_INT_EQ(comp, 0);
    ASSERT(w == 2);
    ASSERT_INT_EQ(assay_check_evidence(g, 1, &comp, &w), ASSAY_E_ARG);
    const assay_check *m = assay_check_member(g, 2);
    ASSERT_INT_EQ(assay_check_describe(r, m, &ci), 0);
    ASSERT_STR_EQ(ci.id, "q2-etc");
    ASSERT_STR_EQ(ci.type, "pattern");
    ASSERT_STR_EQ(ci.mode, "search");
    ASSERT_STR_EQ(ci.group, "q2-stages");
    ASSERT(ci.points == 0);
    ASSERT(assay_check_member(g, 3) == NULL);
    ASSERT(assay_check_member(m, 0) == NULL);
    ASSERT(assay_rubric_find_check(r, "q2-etc") == m);
    ASSERT(assay_rubric_find_check(r, "q2-stages") == g);
    ASSERT(assay_rubric_find_check(r, "nope") == NULL);
    const assay_check *ox = assay_rubric_find_check(r, "q4-oxygen");
    ASSERT_INT_EQ(assay_check_describe(r, ox, &ci), 0);
    ASSERT_STR_EQ(ci.mode, "whole");
    ASSERT(ci.trim && ci.collapse);
    ASSERT_INT_EQ(ci.nevidence, 2);
}

/* The normalisation each kind of check applies. */
static void test_normalize(const assay_rubric *bio, const assay_rubric *chem)
{
    char out[64];
    const char *in = "  O\xe2\x82\x82 \t\xc2\xa0 gas \n";
    size_t len = strlen(in);
    /* trim + collapse (q4-oxygen); Unicode White_Space (U+00A0) included. */
    size_t n = assay_check_normalize(assay_rubric_find_check(bio, "q4-oxygen"), in, len, out);
    ASSERT_INT_EQ(n, strlen("O\xe2\x82\x82 gas"));
    ASSERT_STR_EQ(out, "O\xe2\x82\x82 gas");
    /* collapse only (q5-all-the-time). */
    n = assay_check_normalize(assay_rubric_find_check(bio, "q5-all-the-time"), in, len, out);
    ASSERT_STR_EQ(out, " O\xe2\x82\x82 gas ");
    /* trim only (q5-length). */
    assay_check_normalize(assay_rubric_find_check(bio, "q5-length"), in, len, out);
    ASSERT_STR_EQ(out, "O\xe2\x82\x82 \t\xc2\xa0 gas");
    /* none (q1-mitochondria): as sent. */
    n = assay_check_normalize(assay_rubric_find_check(bio, "q1-mitochondria"), in, len, out);
    ASSERT_INT_EQ(n, len);
    ASSERT_STR_EQ(out, in);
    /* A group: what all its members ignore (none of q2's members normalises). */
    assay_check_info ci;
    assay_check_describe(bio, assay_rubric_find_check(bio, "q2-stages"), &ci);
    ASSERT(!ci.trim && !ci.collapse);
    /* A numeric check reads its number with White_Space around it ignored. */
    const assay_check *mass = assay_rubric_find_check(chem, "q1-mass");
    assay_check_describe(chem, mass, &ci);
    ASSERT(ci.trim && !ci.collapse);
    n = assay_check_normalize(mass, " 1.25  g\n", 9, out);
    ASSERT_STR_EQ(out, "1.25  g");
    /* Embedded NUL kept; empty and NULL answers. */
    n = assay_check_normalize(mass, "a\0b", 3, out);
    ASSERT_INT_EQ(n, 3);
    ASSERT(memcmp(out, "a\0b", 4) == 0);
    ASSERT_INT_EQ(assay_check_normalize(mass, NULL, 0, out), 0);
    ASSERT_STR_EQ(out, "");
}

/* A check of another rubric is not described. */
static void test_foreign(const assay_rubric *bio, const assay_rubric *chem)
{
    assay_check_info ci;
    memset(&ci, 0, sizeof ci);
    ASSERT_INT_EQ(assay_check_describe(bio, assay_rubric_find_check(chem, "q1-mass"), &ci),
                  ASSAY_E_ARG);
    ASSERT(ci.id == NULL);
    ASSERT(assay_rubric_description(bio) != NULL);
    ASSERT_STR_CONTAINS(assay_rubric_description(bio), "Short-answer check-in");
}

int main(void)
{
    assay_rubric *bio = load("bio-cell-respiration.json");
    assay_rubric *chem = load("chem-molarity.json");
    if (bio && chem) {
        test_competencies(bio);
        test_checks(bio);
        test_normalize(bio, chem);
        test_foreign(bio, chem);
    }
    assay_rubric_destroy(bio);
    assay_rubric_destroy(chem);
    return tap_done();
}
