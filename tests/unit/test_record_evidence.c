/*
 * test_record_evidence.c - unit tests for what the learner records take in
 * (engine/src/record_apply.c, record_read.c): what is refused (bad times, unknown rubrics
 * and competencies, another learner's evidence, bad scores) with the record left as it was,
 * a competency that cannot be recomputed, how the grading rubric is found, results of
 * format 1 and 2 read as evidence with the change and its "record" member, ungraded and
 * learner-less results, and applying to a record read back from its document.
 */
#include "record_fixture.h"

/* ---- Refusals -------------------------------------------------------------------------- */

static void refused(const assay_record_evidence *ev, int want, const char *msg)
{
    int before = tap_failed;
    assay_record *r = assay_record_create("L1");
    evb b;
    put(r, mk(&b, "1.0.0", "s0", times[0], "a=1 b=1"));
    char *doc = assay_record_dumps(r);
    char why[512] = "";
    assay_record_change *ch = (assay_record_change *)1;
    int rc = assay_record_apply(r, cat, ev, &ch, why, sizeof why);
    ASSERT_INT_EQ(rc, want);
    ASSERT(ch == NULL);
    if (msg) {
        ASSERT_STR_CONTAINS(why, msg);
    }
    char *after = assay_record_dumps(r);
    ASSERT_STR_EQ(after, doc);
    free(after);
    free(doc);
    assay_record_destroy(r);
    tap_note(before, "refused", msg ? msg : "-");
}

static void test_refusals(void)
{
    evb b;
    refused(mk(&b, "1.0.0", "s1", "2026-02-30T10:00:00Z", "a=1"), ASSAY_E_ARG,
            "time \"2026-02-30T10:00:00Z\": that month has no such day");
    refused(mk(&b, "1.0.0", "s1", "2026-01-01 10:00:00Z", "a=1"), ASSAY_E_ARG,
            "it does not start with a date and time");
    refused(mk(&b, "1.0.0", "s1", "2026-01-01T10:00:00", "a=1"), ASSAY_E_ARG,
            "it has no time zone");
    refused(mk(&b, "1.0.0", "s1", NULL, "a=1"), ASSAY_E_ARG, "no time was given");
    refused(mk_in(&b, "L1", "quizz", "1.0.0", "s1", times[1], "a=1"), ASSAY_E_ARG,
            "rubric \"quizz\" version \"1.0.0\" (sha256 ffffffffffff...) is not loaded");
    refused(mk(&b, "9.0.0", "s1", times[1], "a=1"), ASSAY_E_ARG,
            "rubric \"quiz\" version \"9.0.0\"");
    refused(mk(&b, "1.0.0", "s1", times[1], "z=1"), ASSAY_E_ARG,
            "rubric \"quiz\" version \"1.0.0\" has no competency \"z\"");
    refused(mk(&b, "1.0.0", "s1", times[1], "a=1 a=1/2"), ASSAY_E_ARG,
            "competency \"a\" is scored twice");
    refused(mk(&b, "1.0.0", "s1", times[1], "a=3/2"), ASSAY_E_ARG,
            "must be an exact number from 0 to 1, not \"3/2\"");
    refused(mk(&b, "1.0.0", "s1", times[1], "a=-1/2"), ASSAY_E_ARG, "not \"-1/2\"");
    refused(mk(&b, "1.0.0", "s1", times[1], "a=0,5"), ASSAY_E_ARG, "not \"0,5\"");
    refused(mk_in(&b, "L2", "quiz", "1.0.0", "s1", times[1], "a=1"), ASSAY_E_ARG,
            "the evidence is for learner \"L2\", the record for \"L1\"");
    refused(mk(&b, "1.0.0", "", times[1], "a=1"), ASSAY_E_ARG, "submission id must be");
    const assay_record_evidence *e = mk(&b, "1.0.0", "s1", times[1], "a=1");
    b.sc[0].framework = "chem-101";
    refused(e, ASSAY_E_ARG, "belongs to framework \"rubric:quiz\" in rubric \"quiz\"");
    e = mk(&b, "1.0.0", "s1", times[1], "a=1");
    b.ev.rubric_sha256 = "ABC";
    refused(e, ASSAY_E_ARG, "64 lower-case hex digits");
    /* No learner: nothing to record, nothing refused. */
    refused(mk_in(&b, NULL, "quiz", "1.0.0", "s1", times[1], "a=1"), ASSAY_RECORD_NO_LEARNER,
            NULL);
    refused(mk_in(&b, "", "quiz", "1.0.0", "s1", times[1], "a=1"), ASSAY_RECORD_NO_LEARNER,
            NULL);
    ASSERT(assay_record_create(NULL) == NULL && assay_record_create("") == NULL);
}

/* A competency that loses a submission's evidence to a regrade and keeps other evidence is
 * recomputed on the scale of a rubric that defines it: when none is loaded, the regrade is
 * refused and the record stays as it was. */
static void test_unrecomputable(void)
{
    static const char doc[] =
        "{\"assay_record\":1,\"learner\":\"L1\",\"competencies\":{\"rubric:gone/a\":{"
        "\"method\":{\"name\":\"latest\",\"param\":null},\"evidence\":[{\"submission\":"
        "\"s1\",\"rubric\":\"gone\",\"version\":\"1\",\"sha256\":"
        "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"at\":"
        "\"2026-01-01T00:00:00Z\",\"score\":\"1\"},{\"submission\":\"s2\",\"rubric\":"
        "\"gone\",\"version\":\"1\",\"sha256\":"
        "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"at\":"
        "\"2026-01-02T00:00:00Z\",\"score\":\"0\"}],\"dropped\":0,\"value\":0,"
        "\"value_exact\":\"0\",\"level\":\"low\",\"level_name\":\"Low\",\"mastered\":"
        "false}}}";
    assay_record *r = NULL;
    char why[512] = "";
    ASSERT_INT_EQ(assay_record_load_buffer(doc, strlen(doc), &r, why, sizeof why), 0);
    evb b;
    ASSERT_INT_EQ(assay_record_apply(r, cat, mk(&b, "1.0.0", "s2", times[1], "a=1"), NULL, why,
                                     sizeof why),
                  ASSAY_E_ARG);
    ASSERT_STR_CONTAINS(why, "competency \"rubric:gone/a\" loses this submission's evidence "
                             "but no loaded rubric defines it");
    char *after = assay_record_dumps(r);
    ASSERT_STR_EQ(after, doc);
    free(after);
    assay_record_destroy(r);
}

/* Whether the right rubric is found: by SHA-256 first (a copy loaded under another id
 * would not match), then by id and version when the content changed under one version. */
static void test_rubric_lookup(void)
{
    assay_record *r = assay_record_create("L1");
    evb b;
    const assay_record_evidence *e = mk(&b, "2.0.0", "s1", times[0], "a=1");
    b.ev.rubric_sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    ASSERT_INT_EQ(put(r, e), ASSAY_RECORD_APPLIED);
    DOC_HAS(r, "\"sha256\":\"aaaaaaaa");
    assay_record_destroy(r);
}

/* ---- Ungraded, learner-less and v1/v2 results read as evidence --------------------------- */

static const char result_v1[] =
    "{\"id\":\"sub-1\",\"learner\":\"L1\",\"rubric\":{\"id\":\"quiz\",\"version\":\"1.0.0\","
    "\"sha256\":\"%s\"},\"status\":\"graded\",\"score\":1,\"max_score\":2,"
    "\"check_errors\":0,\"competencies\":[{\"id\":\"a\",\"name\":\"A\",\"score\":0.875,"
    "\"level\":\"low\",\"level_name\":\"Low\",\"mastered\":false},{\"id\":\"b\",\"name\":\"B\","
    "\"score\":0.333333333333333,\"level\":\"low\",\"level_name\":\"Low\",\"mastered\":false}],"
    "\"items\":[],\"warnings\":[],\"graded_at\":\"2026-01-01T00:00:00Z\",\"engine\":\"assay "
    "0.1.0\",\"meta\":null}";

static json_t *result_v1_with(const char *sha)
{
    char text[2048];
    snprintf(text, sizeof text, result_v1, sha);
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (j == NULL) {
        printf("#   setup: %s\n", je.text);
    }
    return j;
}

static void test_from_result(void)
{
    const char *sha = assay_rubric_sha256(assay_catalog_find(cat, "quiz", "1.0.0"));
    json_t *res = result_v1_with(sha);
    assay_record_evidence ev;
    char why[512] = "";
    ASSERT_INT_EQ(assay_record_evidence_from_result(res, &ev, why, sizeof why), 0);
    ASSERT_STR_EQ(ev.learner, "L1");
    ASSERT_STR_EQ(ev.submission, "sub-1");
    ASSERT_STR_EQ(ev.at, "2026-01-01T00:00:00Z");
    ASSERT_INT_EQ(ev.nscores, 2);
    if (ev.nscores == 2) {
        ASSERT_STR_EQ(ev.scores[0].score, "7/8"); /* the shortest decimal of the double */
        ASSERT_STR_EQ(ev.scores[1].score, "333333333333333/1000000000000000");
        ASSERT(ev.scores[0].framework == NULL);
    }
    assay_record *r = assay_record_create("L1");
    assay_record_change *ch = NULL;
    ASSERT_INT_EQ(assay_record_apply(r, cat, &ev, &ch, why, sizeof why), ASSAY_RECORD_APPLIED);
    char *member = assay_record_change_member(ch);
    ASSERT_STR_EQ(
        member, "\"record\":{\"status\":\"applied\",\"replaced\":false,\"reason\":null,"
                "\"competencies\":[{\"id\":\"rubric:quiz/a\",\"before\":null,\"after\":{"
                "\"value\":0.875,\"value_exact\":\"0.875\",\"level\":\"high\",\"level_name\":"
                "\"High\",\"mastered\":true},\"mastered_now\":true},{\"id\":\"rubric:quiz/b\","
                "\"before\":null,\"after\":{\"value\":0.333333333333333,\"value_exact\":"
                "\"0.333333333333333\",\"level\":\"low\",\"level_name\":\"Low\",\"mastered\":"
                "false},\"mastered_now\":false}]}");
    /* The worker appends it to the result text. */
    char *text = assay_result_dumps(res);
    size_t outlen = 0;
    char *with = assay_record_append_member(text, strlen(text), member, &outlen);
    ASSERT(with && outlen == strlen(with));
    json_t *back = with ? json_loads(with, 0, NULL) : NULL;
    ASSERT(json_is_object(json_object_get(back, "record")));
    ASSERT(with && strstr(with, "\"meta\":null,\"record\":{") != NULL);
    json_decref(back);
    free(with);
    free(text);
    free(member);
    assay_record_change_destroy(ch);
    assay_record_evidence_finish(&ev);
    ASSERT(ev.storage == NULL && ev.scores == NULL);
    /* A second attempt at mastery: before, after, mastered_now. */
    json_object_set_new(res, "id", json_string("sub-2"));
    json_object_set_new(res, "graded_at", json_string("2026-01-02T00:00:00Z"));
    json_object_set_new(json_array_get(json_object_get(res, "competencies"), 1), "score",
                        json_integer(1));
    ASSERT_INT_EQ(assay_record_evidence_from_result(res, &ev, why, sizeof why), 0);
    ASSERT_INT_EQ(assay_record_apply(r, cat, &ev, &ch, why, sizeof why), ASSAY_RECORD_APPLIED);
    ASSERT_INT_EQ(ch ? ch->ndeltas : 0, 2);
    if (ch && ch->ndeltas == 2) {
        ASSERT(ch->deltas[1].had_before && !ch->deltas[1].before.mastered);
        ASSERT(ch->deltas[1].after.mastered && ch->deltas[1].mastered_now);
        ASSERT(!ch->deltas[0].mastered_now); /* mastered before and after */
    }
    assay_record_change_destroy(ch);
    assay_record_evidence_finish(&ev);
    assay_record_destroy(r);
    json_decref(res);
}

static void test_from_result_v2(void)
{
    const char *sha = assay_rubric_sha256(assay_catalog_find(cat, "quiz", "2.0.0"));
    char text[2048];
    snprintf(
        text, sizeof text,
        "{\"id\":\"sub-9\",\"learner\":\"L1\",\"submitted_at\":\"2026-03-01T09:00:00.25Z\","
        "\"rubric\":{\"id\":\"quiz\",\"version\":\"2.0.0\",\"sha256\":\"%s\"},"
        "\"status\":\"graded\",\"competencies\":[{\"id\":\"a\",\"framework\":"
        "\"rubric:quiz\",\"score\":0.8875,\"score_exact\":\"71/80\"}],"
        "\"graded_at\":\"2026-04-01T00:00:00Z\"}",
        sha);
    json_t *res = json_loads(text, 0, NULL);
    assay_record_evidence ev;
    char why[512] = "";
    ASSERT_INT_EQ(assay_record_evidence_from_result(res, &ev, why, sizeof why), 0);
    ASSERT_STR_EQ(ev.at, "2026-03-01T09:00:00.25Z");
    ASSERT_STR_EQ(ev.nscores ? ev.scores[0].score : NULL, "71/80");
    ASSERT_STR_EQ(ev.nscores ? ev.scores[0].framework : NULL, "rubric:quiz");
    assay_record *r = assay_record_create("L1");
    ASSERT_INT_EQ(assay_record_apply(r, cat, &ev, NULL, why, sizeof why), ASSAY_RECORD_APPLIED);
    DOC_HAS(r, "\"at\":\"2026-03-01T09:00:00.25Z\",\"score\":\"71/80\"");
    assay_record_destroy(r);
    assay_record_evidence_finish(&ev);
    json_decref(res);
}

/* A graded result with no competencies changes nothing, and says so. */
static void test_no_scores(void)
{
    assay_record *r = assay_record_create("L1");
    evb b;
    assay_record_change *ch = NULL;
    char why[256];
    ASSERT_INT_EQ(
        assay_record_apply(r, cat, mk(&b, "1.0.0", "s1", times[0], ""), &ch, why, sizeof why),
        ASSAY_RECORD_APPLIED);
    ASSERT(ch && ch->ndeltas == 0);
    ASSERT_INT_EQ(assay_record_competency_count(r), 0);
    char *doc = assay_record_dumps(r);
    ASSERT_STR_EQ(doc, "{\"assay_record\":1,\"learner\":\"L1\",\"competencies\":{}}");
    free(doc);
    assay_record_change_destroy(ch);
    assay_record_destroy(r);
}

/* A record read back from its document goes on from where it was. */
static void test_apply_to_loaded(void)
{
    set_method("quiz", "a", "average", false, 0);
    assay_record *r = series("1/2 1");
    char *doc = assay_record_dumps(r);
    assay_record_destroy(r);
    r = NULL;
    char why[512] = "";
    ASSERT_INT_EQ(assay_record_load_buffer(doc, strlen(doc), &r, why, sizeof why), 0);
    free(doc);
    evb b;
    ASSERT_INT_EQ(put(r, mk(&b, "1.0.0", "s3", times[2], "a=0")), ASSAY_RECORD_APPLIED);
    ASSERT_STR_EQ(value_of(r, "rubric:quiz/a"), "0.5");
    assay_record_destroy(r);
    set_method("quiz", "a", "weighted_average", true, 65);
}

/* The document written again after changes reuses the text of the competencies that did not
 * change (rc_comp.text): over random applications - regrades, stale versions, a version that
 * drops a competency, the cap - every document equals the one built from the model alone
 * (the jansson tree), whether written after each application or after several. */
static void test_kept_text(void)
{
    int before = tap_failed;
    assay_record *r = assay_record_create("L1");
    static const char *const versions[] = {"1.0.0", "2.0.0", "3.0.0"};
    unsigned seed = 2024;
    size_t docs = 0, same = 0, applied = 0;
    for (int step = 0; step < 800; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned x = seed >> 8;
        seed = seed * 1103515245u + 12345u;
        unsigned y = seed >> 8;
        char sub[16], at[40], scores[64];
        snprintf(sub, sizeof sub, "s%03u", x % 160);
        snprintf(at, sizeof at, "2026-0%u-1%uT10:00:00Z", 1 + (x >> 8) % 9, (x >> 12) % 10);
        unsigned num = (x >> 16) % 8, den = 7 + (y >> 8) % 3;
        evb b;
        const assay_record_evidence *ev;
        if (y % 4 == 0) {
            snprintf(scores, sizeof scores, "a=%u/%u c=1", num, den);
            ev = mk_in(&b, "L1", "lab", "1.0.0", sub, at, scores);
        } else {
            const char *v = versions[(y >> 2) % 3];
            snprintf(scores, sizeof scores, strcmp(v, "3.0.0") == 0 ? "a=%u/%u" : "a=%u/%u b=0",
                     num, den);
            ev = mk(&b, v, sub, at, scores);
        }
        char why[512];
        applied +=
            assay_record_apply(r, cat, ev, NULL, why, sizeof why) == ASSAY_RECORD_APPLIED;
        if ((y >> 4) % 3 == 0 || step == 799) {
            char *doc = assay_record_dumps(r);
            json_t *tree = assay_record_to_json(r);
            char *want = tree ? assay_result_dumps(tree) : NULL;
            docs++;
            if (doc && want && strcmp(doc, want) == 0) {
                same++;
            } else if (docs - same == 1) {
                printf("#   step %d\n#   kept: %s\n#   tree: %s\n", step, doc, want);
            }
            free(doc);
            free(want);
            json_decref(tree);
        }
    }
    printf("# %zu applied, %zu documents written\n", applied, docs);
    ASSERT(applied > 400 && docs > 200);
    ASSERT_INT_EQ(same, docs);
    assay_record_state st;
    bool dropped = false;
    for (size_t i = 0; assay_record_competency(r, i, &st); i++) {
        dropped = dropped || st.dropped > 0;
    }
    ASSERT(dropped); /* the cap was reached */
    assay_record_destroy(r);
    tap_note(before, "kept text", "random applications");
}

int main(void)
{
    setup();
    test_refusals();
    test_unrecomputable();
    test_rubric_lookup();
    test_from_result();
    test_from_result_v2();
    test_no_scores();
    test_apply_to_loaded();
    test_kept_text();
    assay_catalog_destroy(cat);
    return tap_done();
}
