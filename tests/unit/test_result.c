/*
 * test_result.c - the result format v2 and the envelope of a submission (docs/protocol.md):
 * RFC 3339 times read and written in UTC, submitted_at echoed, enqueued_at, reply_to and
 * force validated and handed to the worker through assay_result_info, meta depth, the
 * rubric's title, the overall feedback line, each competency's framework and exact score,
 * each item's answer (cut at 1 KiB on a character boundary), and assay_grade_text writing
 * exactly what assay_result_dumps writes.
 */
#include "assay/assay.h"
#include "rfc3339.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char rubric_text[] =
    "{\"assay\": 1, \"id\": \"r\", \"version\": \"1.0\", \"title\": \"Títle \\\"one\\\"\",\n"
    " \"scale\": {\"levels\": [{\"id\": \"low\", \"name\": \"Low\", \"min\": 0},\n"
    "   {\"id\": \"high\", \"name\": \"High\", \"min\": 0.75, \"mastery\": true}]},\n"
    " \"competencies\": [{\"id\": \"a\", \"name\": \"A\"}, {\"id\": \"b\", \"name\": \"B\"}],\n"
    " \"items\": [\n"
    "  {\"id\": \"q1\", \"checks\": [{\"id\": \"c1\", \"type\": \"pattern\", \"pattern\": "
    "\"x\", \"points\": 3, \"evidence\": {\"a\": 1}}]},\n"
    "  {\"id\": \"q2\", \"checks\": [{\"id\": \"c2\", \"type\": \"numeric\", \"expected\": 2, "
    "\"points\": 0.5, \"evidence\": {\"a\": 2, \"b\": 1}}]},\n"
    "  {\"id\": \"q3\", \"checks\": [{\"id\": \"c3\", \"type\": \"pattern\", \"pattern\": "
    "\"y\", \"points\": 1, \"evidence\": {\"b\": 2}}]}\n"
    " ]}\n";

static assay_catalog *cat;
static assay_scratch *scratch;
static const assay_grade_options opts = {.graded_at = "2026-01-01T00:00:00Z"};

/* ---- RFC 3339 ---------------------------------------------------------------------------- */

static void utc_ok(const char *in, const char *want, long long want_ms)
{
    char utc[RFC3339_UTC_SIZE] = "";
    int64_t ms = 0;
    const char *why = assay__rfc3339_utc(in, strlen(in), utc, &ms);
    int before = tap_failed;
    ASSERT(why == NULL);
    ASSERT_STR_EQ(utc, want);
    ASSERT_INT_EQ(ms, want_ms);
    tap_note(before, "rfc3339", in);
}

static void utc_bad(const char *in, const char *problem)
{
    char utc[RFC3339_UTC_SIZE];
    int64_t ms;
    const char *why = assay__rfc3339_utc(in, strlen(in), utc, &ms);
    int before = tap_failed;
    ASSERT_STR_CONTAINS(why, problem);
    tap_note(before, "rfc3339 refused", in);
}

static void test_rfc3339(void)
{
    utc_ok("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", 0);
    utc_ok("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z", -1);
    utc_ok("2026-03-01T10:00:00+01:00", "2026-03-01T09:00:00Z", 1772355600000LL);
    utc_ok("2026-03-01t09:00:00.5z", "2026-03-01T09:00:00.5Z", 1772355600500LL);
    utc_ok("2026-03-01T09:00:00.123456789-00:30", "2026-03-01T09:30:00.123456789Z",
           1772357400123LL);
    utc_ok("2026-03-01T00:30:00+01:00", "2026-02-28T23:30:00Z", 1772321400000LL);
    utc_ok("2024-03-01T00:00:00+00:01", "2024-02-29T23:59:00Z", 1709251140000LL);
    utc_ok("2025-12-31T23:00:00-02:00", "2026-01-01T01:00:00Z", 1767229200000LL);
    /* RFC 3339's own leap second example: the seconds field is kept. */
    utc_ok("1990-12-31T15:59:60-08:00", "1990-12-31T23:59:60Z", 662688000000LL);
    utc_ok("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", -62135596800000LL);

    utc_bad("2026-13-01T00:00:00Z", "month");
    utc_bad("2025-02-29T00:00:00Z", "no such day");
    utc_bad("2026-04-31T00:00:00Z", "no such day");
    utc_bad("2026-03-01T24:00:00Z", "time of day");
    utc_bad("2026-03-01T09:00:00", "no time zone");
    utc_bad("2026-03-01 09:00:00Z", "YYYY-MM-DDTHH:MM:SS");
    utc_bad("2026-03-01", "YYYY-MM-DDTHH:MM:SS");
    utc_bad("2026-03-01T09:00:00.Z", "no digits");
    utc_bad("2026-03-01T09:00:00.1234567890Z", "9 fraction digits");
    utc_bad("2026-03-01T09:00:00+24:00", "offset is out of range");
    utc_bad("2026-03-01T09:00:00+0100", "time zone");
    utc_bad("2026-03-01T09:00:00Z ", "time zone");
    utc_bad("9999-12-31T23:30:00-01:00", "0000 to 9999");
    utc_bad("0000-01-01T00:30:00+01:00", "0000 to 9999");
}

/* ---- Results ----------------------------------------------------------------------------- */

/* Grades text with assay_grade_text, checks it equals assay_result_dumps of
 * assay_grade_buffer's result, and returns that result parsed (caller json_decref()s). */
static json_t *grade(const char *sub, assay_result_info *info)
{
    json_t *tree = assay_grade_buffer(cat, sub, strlen(sub), scratch, &opts);
    char *dumped = assay_result_dumps(tree);
    json_decref(tree);
    const char *text = NULL;
    size_t len = 0;
    int rc = assay_grade_text(cat, sub, strlen(sub), scratch, &opts, &text, &len, info);
    ASSERT_INT_EQ(rc, 0);
    ASSERT(len == strlen(dumped));
    ASSERT_STR_EQ(text, dumped);
    free(dumped);
    json_t *res = json_loadb(text, len, JSON_ALLOW_NUL, NULL);
    ASSERT(res != NULL);
    return res;
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const char *error_code(const json_t *res)
{
    return str(json_object_get(res, "error"), "code");
}

static void test_graded(void)
{
    assay_result_info info;
    const char *sub =
        "{\"id\": \"s1\", \"rubric\": \"r\", \"learner\": \"l1\", "
        "\"submitted_at\": \"2026-03-01T10:00:00.25+01:00\", \"enqueued_at\": "
        "\"2026-03-01T09:00:01Z\", \"reply_to\": \"app-1:w.2_x\", \"force\": true, "
        "\"responses\": {\"q1\": \"x marks\", \"q2\": 2, \"q9\": 1}, "
        "\"meta\": {\"k\": 1}}";
    json_t *res = grade(sub, &info);
    char *head = json_dumps(res, JSON_COMPACT);
    /* Field order: submitted_at after learner, title last in rubric, feedback after
     * max_score. */
    static const char want[] =
        "{\"id\":\"s1\",\"learner\":\"l1\",\"submitted_at\":\"2026-03-01T09:00:00.25Z\","
        "\"rubric\":{\"id\":\"r\",\"version\":\"1.0\",\"sha256\":";
    ASSERT(strncmp(head, want, sizeof(want) - 1) == 0);
    free(head);
    ASSERT_STR_EQ(str(json_object_get(res, "rubric"), "title"), "Títle \"one\"");
    /* 3 + 0.5 of 4.5 points; a: (1 + 2) / 3 = 1, b: 1 / 3. */
    ASSERT_STR_EQ(str(res, "feedback"), "3.5 of 4.5 points; 1 of 2 competencies mastered");
    ASSERT(json_object_get(res, "enqueued_at") == NULL);
    ASSERT(json_object_get(res, "reply_to") == NULL);
    ASSERT(json_object_get(res, "force") == NULL);
    json_t *comps = json_object_get(res, "competencies");
    ASSERT_STR_EQ(str(json_array_get(comps, 0), "framework"), "rubric:r");
    ASSERT_STR_EQ(str(json_array_get(comps, 0), "score_exact"), "1");
    ASSERT_STR_EQ(str(json_array_get(comps, 1), "score_exact"), "1/3");
    /* The double score has 15 significant digits, the exact one all of them. */
    ASSERT(json_real_value(json_object_get(json_array_get(comps, 1), "score")) ==
           0.333333333333333);
    json_t *items = json_object_get(res, "items");
    ASSERT_STR_EQ(str(json_array_get(items, 0), "answer"), "x marks");
    ASSERT_STR_EQ(str(json_array_get(items, 1), "answer"), "2");
    ASSERT(json_object_get(json_array_get(items, 2), "answer") == NULL);
    ASSERT(json_is_false(json_object_get(json_array_get(items, 2), "answered")));
    ASSERT(json_object_get(json_array_get(items, 0), "answer_truncated") == NULL);

    ASSERT(info.graded);
    ASSERT_STR_EQ(info.id, "s1");
    ASSERT_INT_EQ(info.id_len, 2);
    ASSERT_STR_EQ(info.learner, "l1");
    ASSERT_STR_EQ(info.reply_to, "app-1:w.2_x");
    ASSERT(info.force);
    ASSERT_STR_EQ(info.rubric_id, "r");
    ASSERT_STR_EQ(info.rubric_version, "1.0");
    ASSERT_STR_EQ(info.rubric_sha256, str(json_object_get(res, "rubric"), "sha256"));
    ASSERT(info.error_code == NULL && info.error_message == NULL);
    ASSERT_INT_EQ(info.submitted_at_ms, 1772355600250LL);
    ASSERT_STR_EQ(info.submitted_at, str(res, "submitted_at"));
    ASSERT_INT_EQ(info.enqueued_at_ms, 1772355601000LL);
    ASSERT_STR_EQ(info.graded_at, "2026-01-01T00:00:00Z");
    ASSERT_INT_EQ(info.check_errors, 0);
    ASSERT_INT_EQ(info.ncompetencies, 2);
    ASSERT_STR_EQ(info.competencies[0].id, "a");
    ASSERT_STR_EQ(info.competencies[0].framework, "rubric:r");
    ASSERT_STR_EQ(info.competencies[0].score_exact, "1");
    ASSERT_STR_EQ(info.competencies[0].level, "high");
    ASSERT(info.competencies[0].mastered);
    ASSERT_STR_EQ(info.competencies[1].score_exact, "1/3");
    ASSERT_STR_EQ(info.competencies[1].level, "low");
    ASSERT(!info.competencies[1].mastered);
    json_decref(res);

    /* Without the optional fields: no submitted_at, no times, no reply_to. */
    sub = "{\"id\": \"s2\", \"rubric\": \"r\", \"responses\": {\"q3\": \"y\"}, "
          "\"submitted_at\": null, \"force\": false}";
    res = grade(sub, &info);
    ASSERT(json_object_get(res, "submitted_at") == NULL);
    ASSERT_STR_EQ(str(res, "feedback"), "1 of 4.5 points; 0 of 2 competencies mastered");
    ASSERT(info.learner == NULL && info.reply_to == NULL && !info.force);
    ASSERT(info.submitted_at_ms == ASSAY_NO_TIME && info.enqueued_at_ms == ASSAY_NO_TIME);
    ASSERT(info.submitted_at == NULL);
    json_decref(res);
}

/* An answer longer than 1 KiB is cut on a character boundary and flagged. */
static void test_answers(void)
{
    char sub[4096];
    char answer[2100];
    size_t n = 0;
    memcpy(answer, "x", 1);
    n = 1;
    while (n < 1022) {
        answer[n++] = 'a';
    }
    /* "é" (2 bytes) at 1022..1023 fits; "€" (3 bytes) at 1024..1026 does not. */
    memcpy(answer + n, "\xC3\xA9\xE2\x82\xAC", 5);
    n += 5;
    answer[n] = '\0';
    snprintf(sub, sizeof(sub),
             "{\"id\": \"s3\", \"rubric\": \"r\", \"responses\": {\"q1\": \"%s\", \"q2\": "
             "[1, {\"a\": 1.5}], \"q3\": \"\\u0000y\"}}",
             answer);
    json_t *res = grade(sub, NULL);
    json_t *items = json_object_get(res, "items");
    const json_t *a = json_object_get(json_array_get(items, 0), "answer");
    ASSERT_INT_EQ(json_string_length(a), 1024);
    ASSERT(memcmp(json_string_value(a) + 1022, "\xC3\xA9", 2) == 0);
    ASSERT(json_is_true(json_object_get(json_array_get(items, 0), "answer_truncated")));
    /* A value that is neither text nor a number: its JSON text. */
    ASSERT_STR_EQ(str(json_array_get(items, 1), "answer"), "[1,{\"a\":1.5}]");
    ASSERT(json_object_get(json_array_get(items, 1), "answer_truncated") == NULL);
    /* An answer with a NUL is invalid but still answered, and echoed with its NUL. */
    a = json_object_get(json_array_get(items, 2), "answer");
    ASSERT_INT_EQ(json_string_length(a), 2);
    json_decref(res);

    /* Exactly 1,024 bytes: not cut. */
    answer[1024] = '\0';
    answer[1022] = answer[1023] = 'b';
    snprintf(sub, sizeof(sub),
             "{\"id\": \"s4\", \"rubric\": \"r\", \"responses\": {\"q1\": \"%s\"}}", answer);
    res = grade(sub, NULL);
    items = json_object_get(res, "items");
    ASSERT_INT_EQ(json_string_length(json_object_get(json_array_get(items, 0), "answer")),
                  1024);
    ASSERT(json_object_get(json_array_get(items, 0), "answer_truncated") == NULL);
    json_decref(res);
}

/* A "meta" nested d levels deep. */
static char *deep_meta(int d)
{
    char *s = malloc((size_t)d * 2 + 200);
    int n = sprintf(s, "{\"id\": \"s5\", \"rubric\": \"r\", \"responses\": {}, "
                       "\"reply_to\": \"mine\", \"meta\": ");
    for (int i = 0; i < d; i++) {
        s[n++] = '[';
    }
    for (int i = 0; i < d; i++) {
        s[n++] = ']';
    }
    strcpy(s + n, "}");
    return s;
}

static void test_errors(void)
{
    static const struct {
        const char *sub, *code, *message;
    } bad[] = {
        {"{\"id\": \"e1\", \"rubric\": \"r\", \"responses\": {}, \"submitted_at\": "
         "\"2026-03-01T09:00:00\"}",
         "wrong_type",
         "\"submitted_at\" must be an RFC 3339 date-time with a time zone, e.g. "
         "\"2026-03-01T09:00:00Z\": it has no time zone"},
        {"{\"id\": \"e2\", \"rubric\": \"r\", \"responses\": {}, \"submitted_at\": 17}",
         "wrong_type", "it is not a string"},
        {"{\"id\": \"e3\", \"rubric\": \"r\", \"responses\": {}, \"enqueued_at\": "
         "\"2026-02-30T09:00:00Z\"}",
         "wrong_type", "\"enqueued_at\" must be an RFC 3339"},
        {"{\"id\": \"e4\", \"rubric\": \"r\", \"responses\": {}, \"reply_to\": \"a b\"}",
         "wrong_type", "\"reply_to\" must be a string of 1 to 64 characters"},
        {"{\"id\": \"e5\", \"rubric\": \"r\", \"responses\": {}, \"reply_to\": \"\"}",
         "wrong_type", "\"reply_to\""},
        {"{\"id\": \"e6\", \"rubric\": \"r\", \"responses\": {}, \"reply_to\": "
         "\"12345678901234567890123456789012345678901234567890123456789012345\"}",
         "wrong_type", "\"reply_to\""},
        {"{\"id\": \"e7\", \"rubric\": \"r\", \"responses\": {}, \"force\": \"yes\"}",
         "wrong_type", "\"force\" must be true or false"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assay_result_info info;
        json_t *res = grade(bad[i].sub, &info);
        int before = tap_failed;
        ASSERT_STR_EQ(str(res, "status"), "error");
        ASSERT_STR_EQ(error_code(res), bad[i].code);
        ASSERT_STR_CONTAINS(str(json_object_get(res, "error"), "message"), bad[i].message);
        ASSERT(!info.graded);
        ASSERT_STR_EQ(info.error_code, bad[i].code);
        ASSERT_STR_EQ(info.error_message, str(json_object_get(res, "error"), "message"));
        ASSERT_STR_EQ(info.rubric_id, "r");
        ASSERT(json_object_get(res, "submitted_at") == NULL);
        tap_note(before, "error", bad[i].sub);
        json_decref(res);
    }

    /* Another field's error still echoes a valid submitted_at and routes by reply_to. */
    assay_result_info info;
    json_t *res = grade("{\"id\": \"e8\", \"rubric\": \"nope\", \"reply_to\": \"app-7\", "
                        "\"submitted_at\": \"2026-03-01T09:00:00-05:00\", \"force\": true}",
                        &info);
    ASSERT_STR_EQ(error_code(res), "unknown_rubric");
    ASSERT_STR_EQ(str(res, "submitted_at"), "2026-03-01T14:00:00Z");
    ASSERT(json_is_null(json_object_get(res, "rubric")));
    ASSERT_STR_EQ(info.reply_to, "app-7");
    ASSERT(info.force);
    ASSERT(info.rubric_id == NULL && info.rubric_sha256 == NULL);
    ASSERT_INT_EQ(info.ncompetencies, 0);
    ASSERT_STR_EQ(info.id, "e8");
    json_decref(res);

    /* Not JSON: nothing to echo or route by. */
    res = grade("{\"id\": \"e9\", ", &info);
    ASSERT_STR_EQ(error_code(res), "malformed_json");
    ASSERT(info.id == NULL && info.reply_to == NULL && info.learner == NULL);
    json_decref(res);

    /* meta: 64 levels are echoed, 65 are an error that echoes null. */
    char *s = deep_meta(64);
    res = grade(s, &info);
    ASSERT_STR_EQ(str(res, "status"), "graded");
    ASSERT(json_is_array(json_object_get(res, "meta")));
    json_decref(res);
    free(s);
    s = deep_meta(65);
    res = grade(s, &info);
    ASSERT_STR_EQ(error_code(res), "too_large");
    ASSERT_STR_CONTAINS(str(json_object_get(res, "error"), "message"),
                        "\"meta\" is nested more than 64 levels deep");
    ASSERT(json_is_null(json_object_get(res, "meta")));
    ASSERT_STR_EQ(info.reply_to, "mine");
    json_decref(res);
    free(s);
    /* The worker's own error results (assay_result_error) do not echo it either. */
    s = deep_meta(2000);
    json_t *sub = json_loads(s, 0, NULL);
    res = assay_result_error(sub, ASSAY_RESULT_GRADING_ERROR, "gave up", &opts);
    ASSERT(json_is_null(json_object_get(res, "meta")));
    ASSERT_STR_EQ(str(res, "id"), "s5");
    json_decref(res);
    json_decref(sub);
    free(s);
}

int main(void)
{
    test_rfc3339();

    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_buffer(rubric_text, strlen(rubric_text), "r.json", NULL, &r, d);
    ASSERT_INT_EQ(rc, 0);
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        char line[1200];
        assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
        printf("# %s\n", line);
    }
    assay_diags_destroy(d);
    if (rc != 0) {
        return tap_done();
    }
    cat = assay_catalog_create();
    ASSERT_INT_EQ(assay_catalog_add(cat, r), 0);
    scratch = assay_scratch_create();

    test_graded();
    test_answers();
    test_errors();

    assay_scratch_destroy(scratch);
    assay_catalog_destroy(cat);
    return tap_done();
}
