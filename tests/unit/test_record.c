/*
 * test_record.c - unit tests for the learner records' model (engine/src/record.c,
 * record_apply.c): every calculation method through a record, the order of evidence (time,
 * ties by submission id, out-of-order arrival, the method and scale of the newest
 * evidence), regrades (same, newer and older rubric version, a regrade that drops a
 * competency) and the cap. What is refused, results read as evidence and the change:
 * test_record_evidence.c; the document reader and times: test_record_doc.c.
 */
#include "record_fixture.h"

/* ---- Methods through records ----------------------------------------------------------- */

static void check_method(const char *name, bool has, long p, const char *scores,
                         const char *want, const char *level, bool mastered)
{
    int before = tap_failed;
    set_method("quiz", "a", name, has, p);
    assay_record *r = series(scores);
    assay_record_state st;
    ASSERT(state_of(r, "rubric:quiz/a", &st));
    ASSERT_STR_EQ(st.has_value ? st.value_exact : "none", want);
    ASSERT_STR_EQ(st.level ? st.level : "none", level);
    ASSERT_INT_EQ(st.mastered, mastered);
    assay_record_destroy(r);
    tap_note(before, name, scores);
}

static void test_methods(void)
{
    /* The worked examples of docs/records.md on 0-5, divided by 5 (mastery at 3 -> 0.6). */
    check_method("n_mastery", true, 3, "4/5 1 1/5 3/5 2/5 3/5", "0.75", "high", true);
    check_method("n_mastery", true, 3, "3/5 1/5", "none", "none", false);
    check_method("decaying_average", true, 65, "2/5 3/5 4/5", "0.7055", "high", true);
    check_method("weighted_average", true, 65, "2/5 3/5 4/5", "0.695", "high", true);
    check_method("weighted_average", true, 75, "3/5 1/5 1 4/5", "0.75", "high", true);
    check_method("average", false, 0, "1/5 2/5 2/5", "1/3", "low", false);
    check_method("highest", false, 0, "2/5 1 3/5", "1", "top", true);
    check_method("latest", false, 0, "2/5 1 3/5", "0.6", "high", true);
    check_method("latest", false, 0, "1/2", "0.5", "mid", false);
    /* Exactly at a level's minimum reaches it; just below does not. */
    check_method("latest", false, 0, "9/10", "0.9", "top", true);
    check_method("latest", false, 0, "899/1000", "0.899", "high", true);
    check_method("latest", false, 0, "599/1000", "0.599", "mid", false);
    check_method("latest", false, 0, "0", "0", "low", false);
    set_method("quiz", "a", "weighted_average", true, 65);
}

/* The method is stored with the competency and written in the document. */
static void test_method_in_document(void)
{
    set_method("quiz", "a", "n_mastery", true, 2);
    assay_record *r = series("1");
    DOC_HAS(r, "\"method\":{\"name\":\"n_mastery\",\"param\":2}");
    DOC_HAS(r, "\"value\":null,\"value_exact\":null,\"level\":null");
    assay_record_destroy(r);
    set_method("quiz", "a", "highest", false, 0);
    r = series("1/2");
    DOC_HAS(r, "\"method\":{\"name\":\"highest\",\"param\":null}");
    assay_record_destroy(r);
    set_method("quiz", "a", "weighted_average", true, 65);
}

/* ---- Order ----------------------------------------------------------------------------- */

static void test_ties_and_order(void)
{
    set_method("quiz", "a", "latest", false, 0);
    /* Same time: the submission id decides, bytewise ("s10" < "s9"). */
    assay_record *r = assay_record_create("L1");
    evb b;
    put(r, mk(&b, "1.0.0", "s9", times[0], "a=1"));
    put(r, mk(&b, "1.0.0", "s10", times[0], "a=0"));
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/a"), "1");
    char *doc = assay_record_dumps(r);
    ASSERT(strstr(doc, "\"s10\"") < strstr(doc, "\"s9\""));
    free(doc);
    assay_record_destroy(r);
    /* Time, not arrival: the later submission arriving first is still the latest. */
    r = assay_record_create("L1");
    put(r, mk(&b, "1.0.0", "late", times[3], "a=1/4"));
    put(r, mk(&b, "1.0.0", "early", times[1], "a=3/4"));
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/a"), "0.25");
    /* The time zone counts: 10:30+02:00 is 08:30Z, before times[3] at 10:00Z. */
    put(r, mk(&b, "1.0.0", "zone", "2026-01-04T10:30:00+02:00", "a=1/2"));
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/a"), "0.25");
    DOC_HAS(r, "\"at\":\"2026-01-04T08:30:00Z\"");
    assay_record_destroy(r);
    set_method("quiz", "a", "weighted_average", true, 65);
}

/* Any arrival order of the same results gives the same record, byte for byte. */
static void test_out_of_order(void)
{
    static const char *const scores[] = {"a=1/2 b=1", "a=3/4 b=0", "a=1 b=1/3", "a=0 b=2/3",
                                         "a=1/5 b=1/5"};
    static const int orders[][5] = {{0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}};
    char *first = NULL;
    for (size_t o = 0; o < 3; o++) {
        assay_record *r = assay_record_create("L1");
        for (int k = 0; k < 5; k++) {
            int i = orders[o][k];
            char sub[8];
            snprintf(sub, sizeof sub, "s%d", i);
            evb b;
            put(r, mk(&b, "1.0.0", sub, times[i], scores[i]));
        }
        char *doc = assay_record_dumps(r);
        if (first == NULL) {
            first = doc;
            ASSERT_STR_CONTAINS(doc, "\"value_exact\":\"0.326875\""); /* weighted_average 65 */
        } else {
            ASSERT_STR_EQ(doc, first);
            free(doc);
        }
        assay_record_destroy(r);
    }
    free(first);
}

/*
 * Evidence from two versions of a rubric whose method and mastery level differ for one
 * competency: the version of the competency's newest evidence (time order) decides both,
 * whatever the order the results arrive in. (Before, the result applied last set them: the
 * two orders of s1 and s2 gave 0 "low" and 1/2 "mid", mastered.)
 */
static void test_definition_of_newest(void)
{
    assay_catalog *saved = cat;
    cat = assay_catalog_create();
    assay_rubric *v1 = make_rubric("exam", "1.0.0", "a");
    assay_rubric *v2 = make_rubric("exam", "2.0.0", "a");
    assay_catalog_add(cat, v1);
    assay_catalog_add(cat, v2);
    ASSERT_INT_EQ(assay_mastery_method_parse("latest", false, 0, &v1->comps[0].method, NULL, 0),
                  0);
    ASSERT_INT_EQ(
        assay_mastery_method_parse("highest", false, 0, &v2->comps[0].method, NULL, 0), 0);
    ((rb_scale *)v2->comps[0].scale)->mastery = 1; /* "mid" (0.5) in 2.0.0, "high" in 1.0.0 */
    static const struct {
        const char *version, *sub, *scores;
        int at;
    } ev[] = {
        {"2.0.0", "s1", "a=1/2", 0}, {"1.0.0", "s2", "a=0", 1}, {"2.0.0", "s3", "a=1/2", 2}};
    static const int orders[][3] = {{0, 1, 2}, {1, 0, 2}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}};
    char *first[2] = {NULL, NULL};
    for (size_t o = 0; o < 5; o++) {
        /* Pass 0: s1 and s2 only, in this order's relative order; pass 1: all three. */
        for (int pass = 0; pass < 2; pass++) {
            assay_record *r = assay_record_create("L1");
            for (int k = 0; k < 3; k++) {
                int i = orders[o][k];
                if (pass == 0 && i == 2) {
                    continue;
                }
                evb b;
                ASSERT_INT_EQ(put(r, mk_in(&b, "L1", "exam", ev[i].version, ev[i].sub,
                                           times[ev[i].at], ev[i].scores)),
                              ASSAY_RECORD_APPLIED);
            }
            assay_record_state st;
            ASSERT(state_of(r, "rubric:exam/a", &st));
            char *doc = assay_record_dumps(r);
            if (pass == 0) { /* newest is s2, of 1.0.0: latest, mastered from 0.6 */
                ASSERT_STR_EQ(st.value_exact, "0");
                ASSERT_STR_EQ(st.level, "low");
                ASSERT(!st.mastered);
                ASSERT_STR_CONTAINS(doc, "\"method\":{\"name\":\"latest\"");
            } else { /* newest is s3, of 2.0.0: highest, mastered from 0.5 */
                ASSERT_STR_EQ(st.value_exact, "0.5");
                ASSERT_STR_EQ(st.level, "mid");
                ASSERT(st.mastered);
                ASSERT_STR_CONTAINS(doc, "\"method\":{\"name\":\"highest\"");
            }
            if (first[pass] == NULL) {
                first[pass] = doc;
            } else {
                ASSERT_STR_EQ(doc, first[pass]);
                free(doc);
            }
            assay_record_destroy(r);
        }
    }
    free(first[0]);
    free(first[1]);
    assay_catalog_destroy(cat);
    cat = saved;
}

/* ---- Regrades -------------------------------------------------------------------------- */

static void test_regrades(void)
{
    set_method("quiz", "a", "average", false, 0);
    set_method("quiz", "b", "average", false, 0);
    assay_record *r = assay_record_create("L1");
    evb b;
    assay_record_change *ch = NULL;
    char why[512];
    put(r, mk(&b, "1.0.0", "s1", times[0], "a=1/2 b=1/2"));
    put(r, mk(&b, "1.0.0", "s2", times[1], "a=1 b=1"));
    /* Same version: replaced, not a third attempt. */
    ASSERT_INT_EQ(assay_record_apply(r, cat, mk(&b, "1.0.0", "s1", times[0], "a=0 b=1"), &ch,
                                     why, sizeof why),
                  ASSAY_RECORD_APPLIED);
    ASSERT(ch && ch->replaced);
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/a"), "0.5");
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/b"), "1");
    assay_record_state st;
    state_of(r, "rubric:quiz/a", &st);
    ASSERT_INT_EQ(st.evidence, 2);
    assay_record_change_destroy(ch);
    /* Newer version: replaced too; the version is kept with the evidence. */
    put(r, mk(&b, "2.0.0", "s1", times[0], "a=1/2 b=1/2"));
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/a"), "0.75");
    char *doc = assay_record_dumps(r);
    ASSERT_STR_CONTAINS(doc, "\"submission\":\"s1\",\"rubric\":\"quiz\",\"version\":\"2.0.0\"");
    /* Older version: stale, nothing changes. */
    ASSERT_INT_EQ(assay_record_apply(r, cat, mk(&b, "1.0.0", "s1", times[0], "a=0 b=0"), &ch,
                                     why, sizeof why),
                  ASSAY_RECORD_STALE);
    ASSERT(ch && ch->outcome == ASSAY_RECORD_STALE && ch->ndeltas == 0);
    ASSERT_STR_CONTAINS(ch ? ch->reason : NULL, "from version \"2.0.0\" of rubric \"quiz\"");
    char *member = assay_record_change_member(ch);
    ASSERT_STR_CONTAINS(member, "\"record\":{\"status\":\"stale\",\"replaced\":false,");
    free(member);
    assay_record_change_destroy(ch);
    char *after = assay_record_dumps(r);
    ASSERT_STR_EQ(after, doc);
    free(after);
    free(doc);
    /* A regrade under a version without competency b drops s1's evidence for b. */
    ASSERT_INT_EQ(assay_record_apply(r, cat, mk(&b, "3.0.0", "s1", times[0], "a=1"), &ch, why,
                                     sizeof why),
                  ASSAY_RECORD_APPLIED);
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/b"), "1");
    state_of(r, "rubric:quiz/b", &st);
    ASSERT_INT_EQ(st.evidence, 1);
    ASSERT_INT_EQ(ch ? ch->ndeltas : 0, 2);
    if (ch && ch->ndeltas == 2) {
        ASSERT_STR_EQ(ch->deltas[1].competency, "rubric:quiz/b");
        ASSERT(ch->deltas[1].had_before && ch->deltas[1].has_after);
        ASSERT_STR_EQ(ch->deltas[1].before.value_exact, "0.75");
        ASSERT_STR_EQ(ch->deltas[1].after.value_exact, "1");
    }
    assay_record_change_destroy(ch);
    /* ...and when that was b's only evidence, b leaves the record. */
    put(r, mk(&b, "3.0.0", "s2", times[1], "a=1"));
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/b"), "absent");
    assay_record_destroy(r);
    set_method("quiz", "a", "weighted_average", true, 65);
    set_method("quiz", "b", "weighted_average", true, 65);
}

/* A different rubric under the same submission id replaces it too; a newer version of
 * another rubric is no reason to call the older one stale. */
static void test_regrade_other_rubric(void)
{
    assay_record *r = assay_record_create("L1");
    evb b;
    put(r, mk(&b, "2.0.0", "s1", times[0], "a=1 b=1"));
    ASSERT_INT_EQ(put(r, mk_in(&b, "L1", "lab", "1.0.0", "s1", times[0], "a=1/2 c=1/2")),
                  ASSAY_RECORD_APPLIED);
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/a"), "absent");
    ASSERT_STR_EQ(value_of(r, "rubric:lab/a"), "0.5");
    ASSERT_STR_EQ(value_of(r, "rubric:lab/c"), "0.5");
    assay_record_destroy(r);
}

/* ---- The cap --------------------------------------------------------------------------- */

static void cap_run(bool reverse, char **doc_out)
{
    set_method("quiz", "a", "average", false, 0);
    assay_record *r = assay_record_create("L1");
    int n = ASSAY_RECORD_EVIDENCE_MAX + 5;
    for (int k = 0; k < n; k++) {
        int i = reverse ? n - 1 - k : k;
        char sub[16], at[32], sc[16];
        snprintf(sub, sizeof sub, "s%03d", i);
        snprintf(at, sizeof at, "2026-01-01T00:%02d:%02dZ", i / 60, i % 60);
        snprintf(sc, sizeof sc, "a=%d", i < 5 ? 0 : 1); /* the five oldest score 0 */
        evb b;
        put(r, mk(&b, "1.0.0", sub, at, sc));
    }
    assay_record_state st;
    state_of(r, "rubric:quiz/a", &st);
    ASSERT_INT_EQ(st.evidence, ASSAY_RECORD_EVIDENCE_MAX);
    ASSERT_INT_EQ(st.dropped, 5);
    ASSERT_STR_EQ(st.value_exact, "1"); /* the zeros were the oldest: dropped */
    *doc_out = assay_record_dumps(r);
    ASSERT(strstr(*doc_out, "\"s004\"") == NULL && strstr(*doc_out, "\"s005\"") != NULL);
    ASSERT_STR_CONTAINS(*doc_out, "\"dropped\":5");
    assay_record_destroy(r);
    set_method("quiz", "a", "weighted_average", true, 65);
}

static void test_cap(void)
{
    char *fwd, *rev;
    cap_run(false, &fwd);
    cap_run(true, &rev);
    ASSERT_STR_EQ(fwd, rev);
    /* The document keeps the cap: it loads back the same. */
    assay_record *r = NULL;
    char why[512] = "";
    ASSERT_INT_EQ(assay_record_load_buffer(fwd, strlen(fwd), &r, why, sizeof why), 0);
    char *again = assay_record_dumps(r);
    ASSERT_STR_EQ(again, fwd);
    free(again);
    assay_record_destroy(r);
    free(fwd);
    free(rev);
}

int main(void)
{
    setup();
    test_methods();
    test_method_in_document();
    test_ties_and_order();
    test_out_of_order();
    test_definition_of_newest();
    test_regrades();
    test_regrade_other_rubric();
    test_cap();
    assay_catalog_destroy(cat);
    return tap_done();
}
