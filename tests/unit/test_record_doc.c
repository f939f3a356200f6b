/*
 * test_record_doc.c - unit tests for the learner records' edges with the outside
 * (engine/src/record_json.c, timestamp.c): RFC 3339 times (zones, fractions, leap seconds,
 * the range, what is refused), the record document (round trip, every kind of bad
 * document named at its place, and a little fuzzing: mutated and cut documents never crash
 * and what loads writes back as it reads), the document and change writers against the
 * jansson trees they replace (byte for byte), results that cannot be read as evidence, and
 * appending the "record" member to a result's text.
 */
#include "record.h"
#include "tap.h"
#include "timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Results that are no evidence ------------------------------------------------------ */

static void from_result_is(const char *text, int want, const char *msg)
{
    int before = tap_failed;
    json_t *res = json_loads(text, JSON_ALLOW_NUL, NULL);
    assay_record_evidence ev;
    char why[512] = "";
    int rc = assay_record_evidence_from_result(res, &ev, why, sizeof why);
    ASSERT_INT_EQ(rc, want);
    if (msg) {
        ASSERT_STR_CONTAINS(why, msg);
    }
    if (rc == 0) {
        assay_record_evidence_finish(&ev);
    }
    ASSERT(ev.storage == NULL || rc == 0);
    json_decref(res);
    tap_note(before, "from_result", text);
}

static void test_from_result_refusals(void)
{
    from_result_is("{\"id\":\"x\",\"learner\":\"L1\",\"status\":\"error\",\"error\":{}}",
                   ASSAY_RECORD_NOT_GRADED, "status \"error\": it carries no score");
    from_result_is("{\"id\":\"x\",\"learner\":null,\"status\":\"graded\"}",
                   ASSAY_RECORD_NO_LEARNER, "the result names no learner");
    from_result_is("{\"id\":\"x\",\"status\":\"graded\"}", ASSAY_RECORD_NO_LEARNER, NULL);
    from_result_is("{\"id\":\"x\",\"learner\":\"\",\"status\":\"graded\"}",
                   ASSAY_RECORD_NO_LEARNER, NULL);
    from_result_is("[1]", ASSAY_E_INVALID, "not a result");
    from_result_is("{\"status\":\"done\"}", ASSAY_E_INVALID, "not a result");
    from_result_is("{\"learner\":7,\"status\":\"graded\"}", ASSAY_E_INVALID,
                   "\"learner\" must be a string");
    from_result_is("{\"learner\":\"a\\u0000b\",\"status\":\"graded\"}", ASSAY_E_INVALID,
                   "without NUL");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{}}",
                   ASSAY_E_INVALID,
                   "\"rubric\" \"id\" is missing: a graded result needs \"id\", "
                   "\"rubric\"");
    from_result_is("{\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{\"id\":\"q\"}}",
                   ASSAY_E_INVALID, "\"id\" is missing:");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{\"id\":"
                   "\"q\",\"version\":1,\"sha256\":\"s\"}}",
                   ASSAY_E_INVALID, "\"rubric\" \"version\" is not a string without NUL bytes");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{\"id\":"
                   "\"q\",\"version\":\"1\"}}",
                   ASSAY_E_INVALID, "\"rubric\" \"sha256\" is missing:");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{\"id\":"
                   "\"q\",\"version\":\"1\",\"sha256\":\"s\"},\"graded_at\":[]}",
                   ASSAY_E_INVALID, "\"graded_at\" is not a string without NUL bytes");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{\"id\":"
                   "\"q\",\"version\":\"1\",\"sha256\":\"s\"},\"submitted_at\":5,"
                   "\"graded_at\":\"2026-01-01T00:00:00Z\",\"competencies\":[]}",
                   ASSAY_E_INVALID,
                   "\"submitted_at\" is not a string without NUL bytes: a graded");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":\"q\"}",
                   ASSAY_E_INVALID, "\"rubric\" is missing or not an object:");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\"}", ASSAY_E_INVALID,
                   "\"rubric\" is missing or not an object:");
    from_result_is("{\"id\":\"x\\u0000y\",\"learner\":\"L\",\"status\":\"graded\"}",
                   ASSAY_E_INVALID, "\"id\" is not a string without NUL bytes:");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{\"id\":"
                   "\"q\",\"version\":\"1\",\"sha256\":\"s\"},"
                   "\"graded_at\":\"2026-01-01T00:00:00Z\",\"competencies\":{}}",
                   ASSAY_E_INVALID, "\"competencies\" array");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{\"id\":"
                   "\"q\",\"version\":\"1\",\"sha256\":\"s\"},"
                   "\"graded_at\":\"2026-01-01T00:00:00Z\",\"competencies\":[{\"id\":\"a\"}]}",
                   ASSAY_E_INVALID, "competency \"a\" of the result has no score");
    from_result_is("{\"id\":\"x\",\"learner\":\"L\",\"status\":\"graded\",\"rubric\":{\"id\":"
                   "\"q\",\"version\":\"1\",\"sha256\":\"s\"},"
                   "\"graded_at\":\"2026-01-01T00:00:00Z\",\"competencies\":[7]}",
                   ASSAY_E_INVALID, "competency 0 of the result needs an \"id\"");
}

static void test_append_member(void)
{
    char *s = assay_record_append_member("{}", 2, "\"m\":1", NULL);
    ASSERT_STR_EQ(s, "{\"m\":1}");
    free(s);
    s = assay_record_append_member(" {\"a\":1 }\n", 10, "\"m\":1", NULL);
    ASSERT_STR_EQ(s, " {\"a\":1 ,\"m\":1}\n");
    free(s);
    ASSERT(assay_record_append_member("[1]", 3, "\"m\":1", NULL) == NULL);
    ASSERT(assay_record_append_member("{", 1, "\"m\":1", NULL) == NULL);
    ASSERT(assay_record_append_member("", 0, "\"m\":1", NULL) == NULL);
}

/* ---- Timestamps ------------------------------------------------------------------------ */

static void ts_is(const char *in, const char *want)
{
    ts_time t;
    char why[160] = "";
    int rc = assay__ts_parse(in, strlen(in), &t, why, sizeof why);
    if (want == NULL) {
        ASSERT(rc != 0 && why[0] != '\0');
    } else {
        ASSERT_STR_EQ(rc == 0 ? t.text : why, want);
    }
}

static int ts_cmp_text(const char *a, const char *b)
{
    ts_time x, y;
    assay__ts_parse(a, strlen(a), &x, NULL, 0);
    assay__ts_parse(b, strlen(b), &y, NULL, 0);
    return assay__ts_cmp(&x, &y);
}

static void test_timestamps(void)
{
    ts_is("2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z");
    ts_is("2026-03-01t09:00:00z", "2026-03-01T09:00:00Z");
    ts_is("2026-03-01T10:00:00.250+01:00", "2026-03-01T09:00:00.250Z");
    ts_is("2026-03-01T00:30:00-01:00", "2026-03-01T01:30:00Z");
    ts_is("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00Z");
    ts_is("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z");
    ts_is("2016-12-31T23:59:60Z", "2016-12-31T23:59:60Z");
    ASSERT(ts_cmp_text("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z") == 0);
    ts_is("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z");
    ts_is("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z");
    ts_is("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z");
    ts_is("2023-02-29T00:00:00Z", NULL);
    ts_is("2026-13-01T00:00:00Z", NULL);
    ts_is("2026-01-01T24:00:00Z", NULL);
    ts_is("2026-01-01T00:00:00.Z", NULL);
    ts_is("2026-01-01T00:00:00+1:00", NULL);
    ts_is("2026-01-01T00:00:00+01:60", NULL);
    ts_is("2026-01-01T00:00:00Zjunk", NULL);
    ts_is("0000-01-01T00:00:00+00:01", NULL);
    ts_is("9999-12-31T23:59:59-00:01", NULL);
    ts_is("2026-01-01T00:00:00.123456789Z", "2026-01-01T00:00:00.123456789Z");
    ts_is("2026-01-01T00:00:00.1234567890Z", NULL);
    ts_is("", NULL);
    ASSERT(ts_cmp_text("2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.50Z") == 0);
    ASSERT(ts_cmp_text("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.1Z") < 0);
    ASSERT(ts_cmp_text("2026-01-01T00:00:00.09Z", "2026-01-01T00:00:00.1Z") < 0);
    ASSERT(ts_cmp_text("2026-01-01T00:00:01Z", "2026-01-01T00:00:00.999Z") > 0);
    ASSERT(ts_cmp_text("2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00Z") == 0);
}

/* ---- The document ---------------------------------------------------------------------- */

static const char good_doc[] =
    "{\"assay_record\":1,\"learner\":\"L1\",\"competencies\":{\"rubric:quiz/a\":{\"method\":{"
    "\"name\":\"average\",\"param\":null},\"evidence\":[{\"submission\":\"s1\",\"rubric\":"
    "\"quiz\",\"version\":\"1.0.0\",\"sha256\":"
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"at\":"
    "\"2026-01-01T00:00:00Z\",\"score\":\"1/2\"},{\"submission\":\"s2\",\"rubric\":\"quiz\","
    "\"version\":\"1.0.0\",\"sha256\":"
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"at\":"
    "\"2026-01-02T00:00:00Z\",\"score\":\"1\"}],\"dropped\":3,\"value\":0.75,\"value_exact\":"
    "\"0.75\",\"level\":\"high\",\"level_name\":\"High\",\"mastered\":true}}}";

/* good_doc with the first `from` replaced by `to`, loaded: want the message. */
static void bad_doc(const char *from, const char *to, const char *msg)
{
    int before = tap_failed;
    char text[4096];
    const char *at = strstr(good_doc, from);
    if (at == NULL) {
        printf("#   setup: \"%s\" not in the document\n", from);
        return;
    }
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good_doc), good_doc, to,
             at + strlen(from));
    assay_record *r = NULL;
    char why[512] = "";
    int rc = assay_record_load_buffer(text, strlen(text), &r, why, sizeof why);
    ASSERT(rc < 0 && r == NULL);
    ASSERT_STR_CONTAINS(why, msg);
    assay_record_destroy(r);
    tap_note(before, "bad document", to);
}

static void test_document(void)
{
    assay_record *r = NULL;
    char why[512] = "";
    ASSERT_INT_EQ(assay_record_load_buffer(good_doc, strlen(good_doc), &r, why, sizeof why), 0);
    char *again = assay_record_dumps(r);
    ASSERT_STR_EQ(again, good_doc);
    free(again);
    ASSERT_STR_EQ(assay_record_learner(r), "L1");
    assay_record_state st;
    ASSERT_STR_EQ(assay_record_competency(r, 0, &st), "rubric:quiz/a");
    ASSERT(st.has_value && st.value == 0.75 && st.mastered && st.dropped == 3);
    ASSERT(assay_record_competency(r, 1, &st) == NULL);
    assay_record_destroy(r);

    bad_doc("{\"assay_record\":1", "{\"assay_record\":2", "\"assay_record\" must be 1");
    bad_doc("\"learner\":\"L1\"", "\"learner\":\"\"", "\"learner\" must be a non-empty string");
    bad_doc("\"learner\":\"L1\"", "\"learner\":\"L1\",\"extra\":1", "unknown key \"extra\"");
    bad_doc("\"rubric:quiz/a\":", "\"quiz-a\":", "\"<framework>/<competency id>\"");
    bad_doc("\"name\":\"average\"", "\"name\":\"mean\"", "unknown calculation method \"mean\"");
    bad_doc("\"param\":null", "\"param\":3",
            "average takes no parameter, got 3 (at "
            "/competencies/rubric:quiz~1a/method)");
    bad_doc("\"param\":null", "\"param\":\"3\"", "\"param\" must be an integer or null");
    bad_doc("\"score\":\"1/2\"", "\"score\":\"3/2\"",
            "\"score\" must be an exact number from 0 to 1, not \"3/2\" (at "
            "/competencies/rubric:quiz~1a/evidence/0/score)");
    bad_doc("\"at\":\"2026-01-01T00:00:00Z\"", "\"at\":\"2026-01-01\"",
            "\"at\" \"2026-01-01\": it does not start with a date and time");
    bad_doc("\"at\":\"2026-01-02T00:00:00Z\"", "\"at\":\"2025-01-02T00:00:00Z\"",
            "evidence must be in order of (at, submission)");
    bad_doc("\"submission\":\"s2\"", "\"submission\":\"s1\"",
            "submission \"s1\" has two evidence entries");
    bad_doc("\"sha256\":\"0123", "\"sha256\":\"X123", "64 lower-case hex digits");
    bad_doc("\"dropped\":3", "\"dropped\":-1", "\"dropped\" must be an integer");
    bad_doc("\"value\":0.75", "\"value\":null", "must all be set or all be null");
    bad_doc("\"level\":\"high\"", "\"level\":null", "must all be set or all be null");
    bad_doc("\"value_exact\":\"0.75\"", "\"value_exact\":\"x\"", "\"value_exact\":");
    bad_doc("\"mastered\":true", "\"mastered\":1", "\"mastered\" must be true or false");
    bad_doc("\"evidence\":[", "\"evidence\":[7,", "an evidence entry must be an object");
    bad_doc("\"method\":{", "\"method\":[],\"x\":{", "unknown key \"x\" in a competency");
    bad_doc("{\"assay_record\":1", "[{\"assay_record\":1", "not valid JSON");
    bad_doc("\"competencies\":{", "\"competencies\":{\"a/b\":1,",
            "a competency must be an object");
}

/* ---- The text writers against the trees ------------------------------------------------ */

/* Whether text is what the jansson tree of r dumps to (the writer's contract). */
static bool dumps_equals_tree(const assay_record *r, const char *text)
{
    json_t *tree = assay_record_to_json(r);
    char *want = tree ? assay_result_dumps(tree) : NULL;
    bool same = want && strcmp(want, text) == 0;
    if (!same) {
        printf("#   writer: %s\n#   tree:   %s\n", text, want ? want : "(null)");
    }
    free(want);
    json_decref(tree);
    return same;
}

/* good_doc with its learner, competency key, submission id and value replaced. */
static void writer_doc_is_tree(const char *learner, const char *key, const char *submission,
                               const char *value, const char *exact)
{
    int before = tap_failed;
    json_t *doc = json_loads(good_doc, 0, NULL);
    json_t *comps = json_object_get(doc, "competencies");
    json_t *c = json_deep_copy(json_object_get(comps, "rubric:quiz/a"));
    json_object_clear(comps);
    json_object_set_new(doc, "learner", json_string(learner));
    json_object_set_new(json_array_get(json_object_get(c, "evidence"), 0), "submission",
                        json_string(submission));
    json_object_set_new(c, "value", json_loads(value, JSON_DECODE_ANY, NULL));
    json_object_set_new(c, "value_exact", json_string(exact));
    json_object_set_new(comps, key, c);
    json_object_set_new(comps, "rubric:quiz/z", json_deep_copy(c));
    assay_record *r = NULL;
    char why[512] = "";
    ASSERT_INT_EQ(assay_record_load_json(doc, &r, why, sizeof why), 0);
    if (r) {
        char *text = assay_record_dumps(r);
        ASSERT(text && dumps_equals_tree(r, text));
        free(text);
    }
    assay_record_destroy(r);
    json_decref(doc);
    tap_note(before, "record document writer", learner);
}

/* A change's member against its tree. */
static void writer_change_is_tree(const assay_record_change *ch)
{
    int before = tap_failed;
    char *member = assay_record_change_member(ch);
    json_t *tree = assay_record_change_to_json(ch);
    char *value = tree ? assay_result_dumps(tree) : NULL;
    char want[4096];
    snprintf(want, sizeof want, "\"record\":%s", value ? value : "(null)");
    ASSERT_STR_EQ(member, want);
    free(member);
    free(value);
    json_decref(tree);
    tap_note(before, "change member writer", ch->reason ? ch->reason : "(no reason)");
}

static void test_writers(void)
{
    writer_doc_is_tree("L1", "rubric:quiz/a", "s1", "0.75", "0.75");
    writer_doc_is_tree("quote \" backslash \\ tab \t nl \n \x01 \x1f del \x7f",
                       "rubric:quiz/\"a\"", "s\\1", "1", "1");
    writer_doc_is_tree("K\xc3\xbcrt \xe2\x82\xac \xf0\x9f\x98\x80", "fw/\xc3\xa9t\xc3\xa9",
                       "\xe2\x80\xa8", "0", "0");
    writer_doc_is_tree("L", "rubric:quiz/a", "s1", "0.333333333333333", "1/3");
    writer_doc_is_tree("L", "rubric:quiz/a", "s1", "1e-20", "1/100000000000000000000");
    writer_doc_is_tree("L", "rubric:quiz/a", "s1", "0.1", "0.1");

    assay_record_state a = {true, "3/4", 0.75, "high", "High \"H\"", true, 2, 0};
    assay_record_state b = {true, "1", 1.0, "top", "Top\n", true, 100, 18446744073709551615u};
    assay_record_state none = {false, NULL, 0, NULL, NULL, false, 1, 0};
    assay_record_delta deltas[] = {
        {"rubric:quiz/a", true, true, a, b, false},
        {"fw/\xc3\xa9", false, true, {0}, a, true},
        {"fw/\"x\"", true, false, none, {0}, false},
        {"fw/z", true, true, none, none, false},
    };
    assay_record_change applied = {ASSAY_RECORD_APPLIED, true, NULL, deltas, 4};
    assay_record_change stale = {ASSAY_RECORD_STALE, false,
                                 "the record holds \"s1\" from version 2.0.0", NULL, 0};
    assay_record_change one = {ASSAY_RECORD_APPLIED, false, NULL, deltas + 1, 1};
    writer_change_is_tree(&applied);
    writer_change_is_tree(&stale);
    writer_change_is_tree(&one);
}

/* Mutated and cut documents: never a crash; whatever loads writes back as it reads. */
static void test_document_fuzz(void)
{
    size_t len = strlen(good_doc);
    char *text = malloc(len + 1);
    unsigned seed = 12345;
    size_t loaded = 0, refused_n = 0, stable = 0, same_as_tree = 0;
    static const char alphabet[] = "{}[]\":,0123456789/.-aZ \\nul";
    for (int round = 0; round < 3000; round++) {
        memcpy(text, good_doc, len + 1);
        size_t n = len;
        int edits = 1 + round % 4;
        for (int e = 0; e < edits; e++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            text[pos] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
        }
        if (round % 7 == 0) {
            n = (seed >> 4) % len; /* cut short */
        }
        assay_record *r = NULL;
        char why[512] = "";
        int rc = assay_record_load_buffer(text, n, &r, why, sizeof why);
        if (rc == 0) {
            loaded++;
            char *out = assay_record_dumps(r);
            same_as_tree += out && dumps_equals_tree(r, out);
            assay_record *r2 = NULL;
            if (out && assay_record_load_buffer(out, strlen(out), &r2, NULL, 0) == 0) {
                char *out2 = assay_record_dumps(r2);
                stable += out2 && strcmp(out, out2) == 0;
                free(out2);
            }
            assay_record_destroy(r2);
            free(out);
            assay_record_destroy(r);
        } else {
            refused_n += why[0] != '\0';
        }
    }
    free(text);
    printf("# fuzz: %zu loaded, %zu refused with a message\n", loaded, refused_n);
    ASSERT(loaded + refused_n == 3000);
    ASSERT_INT_EQ(stable, loaded);
    ASSERT_INT_EQ(same_as_tree, loaded);
}

int main(void)
{
    test_from_result_refusals();
    test_append_member();
    test_timestamps();
    test_document();
    test_writers();
    test_document_fuzz();
    return tap_done();
}
