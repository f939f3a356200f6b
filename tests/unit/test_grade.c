/*
 * test_grade.c - grading semantics end to end through the public API: every pattern mode
 * and flag, every numeric comparison at and just beyond its bounds, units and significant
 * figures, groups, competency levels on exact thresholds, submission-level errors and
 * deterministic output.
 */
#include "assay/assay.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char rubric_text[] =
    "{\"assay\": 1, \"id\": \"g\", \"version\": \"2.0\", \"title\": \"Grading\",\n"
    " \"scale\": {\"levels\": [{\"id\": \"low\", \"name\": \"Low\", \"min\": 0},\n"
    "   {\"id\": \"mid\", \"name\": \"Mid\", \"min\": 0.5},\n"
    "   {\"id\": \"high\", \"name\": \"High\", \"min\": 0.8, \"mastery\": true}]},\n"
    " \"competencies\": [{\"id\": \"p\", \"name\": \"Patterns\"}, {\"id\": \"n\", \"name\": "
    "\"Numbers\"}, {\"id\": \"w\", \"name\": \"Weighted\", \"ref\": "
    "\"https://case.example.edu/x\"}],\n"
    " \"items\": [\n"
    "  {\"id\": \"caseless\", \"checks\": [{\"id\": \"caseless\", \"type\": \"pattern\", "
    "\"pattern\": \"école\", \"flags\": [\"caseless\"], \"evidence\": {\"p\": 1}}]},\n"
    "  {\"id\": \"digit\", \"checks\": [{\"id\": \"digit\", \"type\": \"pattern\", "
    "\"pattern\": \"^\\\\d$\", \"evidence\": {\"p\": 1}}]},\n"
    "  {\"id\": \"digit-ascii\", \"checks\": [{\"id\": \"digit-ascii\", \"type\": \"pattern\", "
    "\"pattern\": \"^\\\\d$\", \"ascii\": true, \"evidence\": {\"p\": 1}}]},\n"
    "  {\"id\": \"whole\", \"checks\": [{\"id\": \"whole\", \"type\": \"pattern\", \"mode\": "
    "\"whole\", \"pattern\": \"\\\\d+$\", \"flags\": [\"multiline\"], \"evidence\": {\"p\": "
    "1}}]},\n"
    "  {\"id\": \"whole-trim\", \"checks\": [{\"id\": \"whole-trim\", \"type\": \"pattern\", "
    "\"mode\": \"whole\", \"pattern\": \"\\\\d+\", \"normalize\": [\"trim\"], \"evidence\": "
    "{\"p\": 1}}]},\n"
    "  {\"id\": \"collapse\", \"checks\": [{\"id\": \"collapse\", \"type\": \"pattern\", "
    "\"pattern\": \"volumetric flask\", \"normalize\": [\"collapse\"], \"evidence\": {\"p\": "
    "1}}]},\n"
    "  {\"id\": \"forbid\", \"checks\": [{\"id\": \"forbid\", \"type\": \"pattern\", \"mode\": "
    "\"forbid\", \"pattern\": \"\\\\bbeaker\\\\b\", \"flags\": [\"caseless\"], \"evidence\": "
    "{\"p\": 1}, \"feedback\": {\"pass\": \"ok\", \"fail\": \"no beakers\"}}]},\n"
    "  {\"id\": \"count\", \"checks\": [{\"id\": \"count\", \"type\": \"pattern\", \"mode\": "
    "\"count\", \"pattern\": \"an\", \"min\": 2, \"max\": 2, \"evidence\": {\"p\": 1}}]},\n"
    "  {\"id\": \"count-empty\", \"checks\": [{\"id\": \"count-empty\", \"type\": \"pattern\", "
    "\"mode\": \"count\", \"pattern\": \"x*\", \"min\": 4, \"max\": 4, \"evidence\": {\"p\": "
    "1}}]},\n"
    "  {\"id\": \"dotall\", \"checks\": [{\"id\": \"dotall\", \"type\": \"pattern\", "
    "\"pattern\": "
    "\"a.b\", \"flags\": [\"dotall\"], \"evidence\": {\"p\": 1}}]},\n"
    "  {\"id\": \"evil\", \"checks\": [{\"id\": \"evil\", \"type\": \"pattern\", \"pattern\": "
    "\"(a+)+$\", \"evidence\": {\"p\": 1}}]},\n"
    "  {\"id\": \"abs\", \"checks\": [{\"id\": \"abs\", \"type\": \"numeric\", \"expected\": "
    "100, "
    "\"tolerance\": 0.01, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"asym\", \"checks\": [{\"id\": \"asym\", \"type\": \"numeric\", \"expected\": "
    "10, "
    "\"tolerance\": {\"below\": 0.1, \"above\": 0.3}, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"rel\", \"checks\": [{\"id\": \"rel\", \"type\": \"numeric\", \"expected\": "
    "-20, "
    "\"relative\": 0.05, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"rel0\", \"checks\": [{\"id\": \"rel0\", \"type\": \"numeric\", \"expected\": "
    "0, "
    "\"relative\": 0.1, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"co\", \"checks\": [{\"id\": \"co\", \"type\": \"numeric\", \"interval\": "
    "\"[5, 7)\", \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"oc\", \"checks\": [{\"id\": \"oc\", \"type\": \"numeric\", \"interval\": "
    "\"(5, 7]\", \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"places\", \"checks\": [{\"id\": \"places\", \"type\": \"numeric\", "
    "\"expected\": "
    "1.005, \"round\": {\"places\": 2}, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"figs\", \"checks\": [{\"id\": \"figs\", \"type\": \"numeric\", \"expected\": "
    "3.175, \"round\": {\"figures\": 3}, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"figs-small\", \"checks\": [{\"id\": \"figs-small\", \"type\": \"numeric\", "
    "\"expected\": \"0.000125\", \"round\": {\"figures\": 2}, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"exp\", \"checks\": [{\"id\": \"exp\", \"type\": \"numeric\", \"expected\": "
    "1.6e-5, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"len\", \"checks\": [{\"id\": \"len\", \"type\": \"numeric\", \"expected\": "
    "0.3, "
    "\"points\": 4, \"units\": {\"table\": {\"m\": 1, \"dm\": 0.1, \"cm\": 0.01}, \"penalty\": "
    "0.25}, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"sig\", \"checks\": [{\"id\": \"sig\", \"type\": \"numeric\", \"expected\": "
    "1.46, "
    "\"tolerance\": 0.01, \"sig_figs\": {\"exactly\": 3, \"penalty\": 0.5}, \"evidence\": "
    "{\"n\": "
    "1}}]},\n"
    "  {\"id\": \"sig-strict\", \"checks\": [{\"id\": \"sig-strict\", \"type\": \"numeric\", "
    "\"expected\": 420, \"sig_figs\": {\"at_least\": 3}, \"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"src\", \"checks\": [{\"id\": \"src\", \"type\": \"numeric\", \"expected\": "
    "4.74, "
    "\"source\": {\"pattern\": \"pH\\\\s*(?:is|=)\\\\s*(?<v>\\\\S+)\", \"group\": \"v\"}, "
    "\"evidence\": {\"n\": 1}}]},\n"
    "  {\"id\": \"grp\", \"checks\": [{\"id\": \"grp\", \"type\": \"group\", \"rule\": "
    "{\"at_least\": 2}, \"points\": 2, \"evidence\": {\"p\": 1}, \"checks\": [\n"
    "    {\"id\": \"g-atp\", \"type\": \"pattern\", \"pattern\": \"ATP\"},\n"
    "    {\"id\": \"g-co2\", \"type\": \"pattern\", \"pattern\": \"CO2\"},\n"
    "    {\"id\": \"g-h2o\", \"type\": \"pattern\", \"pattern\": \"water\"}]}]},\n"
    "  {\"id\": \"grp-strict\", \"checks\": [{\"id\": \"grp-strict\", \"type\": \"group\", "
    "\"rule\": \"all\", \"partial_credit\": false, \"evidence\": {\"p\": 1}, \"checks\": [\n"
    "    {\"id\": \"s-a\", \"type\": \"pattern\", \"pattern\": \"a\"},\n"
    "    {\"id\": \"s-b\", \"type\": \"pattern\", \"pattern\": \"b\"}]}]},\n"
    "  {\"id\": \"w1\", \"checks\": [{\"id\": \"w1\", \"type\": \"pattern\", \"pattern\": "
    "\"x\", "
    "\"evidence\": {\"w\": 4}}]},\n"
    "  {\"id\": \"w2\", \"checks\": [{\"id\": \"w2\", \"type\": \"pattern\", \"pattern\": "
    "\"x\", "
    "\"evidence\": {\"w\": 1}}]}\n"
    " ]}\n";

static assay_catalog *cat;
static assay_scratch *scratch;
static const assay_grade_options opts = {.graded_at = "2026-01-01T00:00:00Z"};

/* Grades {"item": answer} where answer is JSON text. Caller json_decref()s. */
static json_t *grade_item(const char *item, const char *answer_json)
{
    char buf[4096];
    snprintf(buf, sizeof(buf),
             "{\"id\": \"s\", \"rubric\": \"g\", \"responses\": {\"%s\": %s}}", item,
             answer_json);
    return assay_grade_buffer(cat, buf, strlen(buf), scratch, &opts);
}

static json_t *find_check(json_t *res, const char *item)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(res, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "id")), item) == 0) {
            return json_array_get(json_object_get(it, "checks"), 0);
        }
    }
    return NULL;
}

static char status_buf[64];

/* The status of the item's first check for this answer. */
static const char *status_of(const char *item, const char *answer_json)
{
    json_t *res = grade_item(item, answer_json);
    json_t *c = find_check(res, item);
    snprintf(status_buf, sizeof(status_buf), "%s",
             c ? json_string_value(json_object_get(c, "status")) : "(none)");
    json_decref(res);
    return status_buf;
}

typedef struct {
    const char *item, *answer, *status;
} row;

static const row table[] = {
    /* Unicode caseless and UCP. */
    {"caseless", "\"ÉCOLE\"", "correct"},
    {"caseless", "\"Ecole\"", "incorrect"},
    {"digit", "\"٣\"", "correct"},
    {"digit-ascii", "\"٣\"", "incorrect"},
    {"digit-ascii", "\"3\"", "correct"},
    /* Whole answers: a trailing newline never slips past $, even in multiline mode. */
    {"whole", "\"42\"", "correct"},
    {"whole", "\"42\\n\"", "incorrect"},
    {"whole", "\"x42\"", "incorrect"},
    {"whole-trim", "\" 42\\n\"", "correct"},
    {"collapse", "\"a volumetric \\n\\t flask\"", "correct"},
    {"forbid", "\"I used a Beaker\"", "incorrect"},
    {"forbid", "\"I used a flask\"", "correct"},
    {"count", "\"banana\"", "correct"},
    {"count", "\"bananana\"", "incorrect"},
    {"count-empty", "\"abc\"", "correct"}, /* empty matches at 0, 1, 2 and 3 */
    {"dotall", "\"a\\nb\"", "correct"},
    /* Empty answers. */
    {"caseless", "\"\"", "incorrect"},
    {"caseless", "\" \\n\\u3000\"", "incorrect"},
    {"caseless", "null", "incorrect"},
    {"caseless", "true", "invalid"},
    {"caseless", "[1]", "invalid"},
    /* Absolute tolerance, at and just beyond both bounds. */
    {"abs", "\"100.01\"", "correct"},
    {"abs", "\"100.0100001\"", "incorrect"},
    {"abs", "\"99.99\"", "correct"},
    {"abs", "\"99.9899999\"", "incorrect"},
    {"abs", "100.01", "correct"}, /* a JSON number answer */
    {"abs", "100", "correct"},
    {"asym", "\"9.9\"", "correct"},
    {"asym", "\"9.89\"", "incorrect"},
    {"asym", "\"10.3\"", "correct"},
    {"asym", "\"10.31\"", "incorrect"},
    /* Relative, negative expected and zero expected. */
    {"rel", "\"-21\"", "correct"},
    {"rel", "\"-21.001\"", "incorrect"},
    {"rel", "\"-19\"", "correct"},
    {"rel", "\"-18.999\"", "incorrect"},
    {"rel", "\"21\"", "incorrect"},
    {"rel0", "\"0\"", "correct"},
    {"rel0", "\"-0.0\"", "correct"},
    {"rel0", "\"1e-300\"", "incorrect"},
    /* Intervals, open and closed. */
    {"co", "\"5\"", "correct"},
    {"co", "\"4.9999\"", "incorrect"},
    {"co", "\"6.9999\"", "correct"},
    {"co", "\"7\"", "incorrect"},
    {"oc", "\"5\"", "incorrect"},
    {"oc", "\"5.0001\"", "correct"},
    {"oc", "\"7\"", "correct"},
    {"oc", "\"7.0001\"", "incorrect"},
    /* Rounding, half away from zero, on decimal digits. */
    {"places", "\"1.01\"", "correct"},
    {"places", "\"1.0149\"", "correct"},
    {"places", "\"1.00\"", "incorrect"},
    {"figs", "\"3.18\"", "correct"},
    {"figs", "\"3.17\"", "incorrect"},
    {"figs-small", "\"0.00013\"", "correct"},
    {"figs-small", "\"0.00012\"", "incorrect"},
    /* Exponent forms: 1.6×10^-5 sits exactly on 1.6e-5. */
    {"exp", "\"1.6e-5\"", "correct"},
    {"exp", "\"1.6E-5\"", "correct"},
    {"exp", "\"1.6×10^-5\"", "correct"},
    {"exp", "\"1.6 × 10^−5\"", "correct"},
    {"exp", "\"1.6 x 10^-5\"", "correct"},
    {"exp", "\"1.6*10^-5\"", "correct"},
    {"exp", "\"1.6*10**-5\"", "correct"},
    {"exp", "\"0.000016\"", "correct"},
    {"exp", "\"1.60001e-5\"", "incorrect"},
    /* Syntax the learner gets told about. */
    {"abs", "\"1,5\"", "invalid"},
    {"abs", "\"frog\"", "invalid"},
    {"abs", "\"1/0\"", "invalid"},
    {"abs", "\"0x1A\"", "invalid"},
    {"abs", "\"inf\"", "invalid"},
    {"abs", "\"nan\"", "invalid"},
    {"abs", "\"1e99999999999999999999\"", "invalid"},
    {"abs", "\"100 m\"", "invalid"}, /* no units on this check */
    /* Units: listed units convert; missing or unlisted ones cost the penalty. */
    {"len", "\"3 dm\"", "correct"},
    {"len", "\"3dm\"", "correct"},
    {"len", "\"30 cm\"", "correct"},
    {"len", "\"0.3 m\"", "correct"},
    {"len", "\"0.3\"", "partial"},
    {"len", "\"0.3 furlong\"", "partial"},
    {"len", "\"3 m\"", "incorrect"},
    {"len", "\"3 furlong\"", "incorrect"},
    /* Significant figures. */
    {"sig", "\"1.46\"", "correct"},
    {"sig", "\"1.460\"", "partial"},
    {"sig", "\"1.5\"", "incorrect"}, /* outside the tolerance */
    {"sig-strict", "\"420\"", "incorrect"},
    {"sig-strict", "\"420.\"", "correct"},
    {"sig-strict", "\"4.20e2\"", "correct"},
    /* A number read from a named group. */
    {"src", "\"The pH is 4.74 at 25 °C\"", "correct"},
    {"src", "\"pH = 4.70\"", "incorrect"},
    {"src", "\"about four\"", "incorrect"},
    {"src", "\"pH = four\"", "invalid"},
    /* Groups. */
    {"grp", "\"ATP and CO2\"", "correct"},
    {"grp", "\"ATP only\"", "partial"},
    {"grp", "\"nothing\"", "incorrect"},
    {"grp-strict", "\"ab\"", "correct"},
    {"grp-strict", "\"a\"", "incorrect"},
};

static json_t *points_of(json_t *res, const char *item, const char *key)
{
    return json_object_get(find_check(res, item), key);
}

int main(void)
{
    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    int rc =
        assay_rubric_load_buffer(rubric_text, strlen(rubric_text), "grade.json", NULL, &r, d);
    ASSERT_INT_EQ(rc, 0);
    if (rc != 0) {
        char line[1200];
        for (size_t i = 0; i < assay_diags_count(d); i++) {
            assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
            printf("# %s\n", line);
        }
        return tap_done();
    }
    assay_diags_destroy(d);
    cat = assay_catalog_create();
    ASSERT_INT_EQ(assay_catalog_add(cat, r), 0);
    scratch = assay_scratch_create();

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const char *got = status_of(table[i].item, table[i].answer);
        tap_result(strcmp(got, table[i].status) == 0, __FILE__, __LINE__, table[i].answer);
        if (strcmp(got, table[i].status) != 0) {
            printf("#   %s %s: got %s, expected %s\n", table[i].item, table[i].answer, got,
                   table[i].status);
        }
    }

    /* A runaway pattern ends quickly as an error, never a hang or a silent incorrect. */
    {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        json_t *res = grade_item("evil", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"");
        clock_gettime(CLOCK_MONOTONIC, &b);
        json_t *c = find_check(res, "evil");
        ASSERT_STR_EQ(json_string_value(json_object_get(c, "status")), "error");
        ASSERT_STR_CONTAINS(json_string_value(json_object_get(c, "message")), "match limit");
        ASSERT_INT_EQ(json_integer_value(json_object_get(res, "check_errors")), 1);
        ASSERT_STR_EQ(json_string_value(json_object_get(res, "status")), "graded");
        /* Not a timing assertion: a generous sanity bound that only a hang would break. */
        double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
        printf("# runaway pattern stopped after %.1f ms\n", ms);
        ASSERT(ms < 5000);
        json_decref(res);
    }

    /* Where a pattern matched, and what a forbidden match was. */
    {
        json_t *res = grade_item("forbid", "\"I used a Beaker\"");
        json_t *m = points_of(res, "forbid", "match");
        ASSERT_INT_EQ(json_integer_value(json_object_get(m, "start")), 9);
        ASSERT_INT_EQ(json_integer_value(json_object_get(m, "end")), 15);
        ASSERT_STR_EQ(json_string_value(json_object_get(m, "text")), "Beaker");
        ASSERT_STR_EQ(json_string_value(points_of(res, "forbid", "feedback")), "no beakers");
        json_decref(res);
    }

    /* The decimal separator message says which separator is expected. */
    {
        json_t *res = grade_item("abs", "\"1,5\"");
        ASSERT_STR_CONTAINS(json_string_value(points_of(res, "abs", "explanation")),
                            "decimal point");
        json_decref(res);
    }

    /* Unit penalty: 4 points less 25% is 3, with the unit problem named. */
    {
        json_t *res = grade_item("len", "\"0.3\"");
        ASSERT_INT_EQ(json_integer_value(points_of(res, "len", "points")), 3);
        ASSERT_STR_EQ(json_string_value(points_of(res, "len", "reason")), "missing_unit");
        json_decref(res);
        res = grade_item("len", "\"30 cm\"");
        ASSERT_STR_EQ(json_string_value(points_of(res, "len", "value")), "30");
        ASSERT_STR_EQ(json_string_value(points_of(res, "len", "unit")), "cm");
        ASSERT_STR_EQ(json_string_value(points_of(res, "len", "value_in_base_unit")), "0.3");
        json_decref(res);
    }

    /* Group partial credit: 1 of the 2 needed gives half of 2 points. */
    {
        json_t *res = grade_item("grp", "\"ATP only\"");
        ASSERT_INT_EQ(json_integer_value(points_of(res, "grp", "points")), 1);
        ASSERT_INT_EQ(json_array_size(points_of(res, "grp", "checks")), 3);
        json_decref(res);
    }

    /* Competency scores: weights 4 and 1; 4/5 = 0.8 is exactly on the mastery threshold. */
    {
        const char *sub =
            "{\"id\": \"s\", \"rubric\": \"g\", \"learner\": \"l1\", "
            "\"responses\": {\"w1\": \"x\", \"w2\": \"y\"}, \"meta\": {\"k\": [1]}}";
        json_t *res = assay_grade_buffer(cat, sub, strlen(sub), scratch, &opts);
        json_t *w = json_array_get(json_object_get(res, "competencies"), 2);
        ASSERT_STR_EQ(json_string_value(json_object_get(w, "id")), "w");
        ASSERT(json_real_value(json_object_get(w, "score")) == 0.8);
        ASSERT_STR_EQ(json_string_value(json_object_get(w, "level")), "high");
        ASSERT(json_is_true(json_object_get(w, "mastered")));
        ASSERT_STR_EQ(json_string_value(json_object_get(w, "ref")),
                      "https://case.example.edu/x");
        ASSERT_STR_EQ(json_string_value(json_object_get(res, "learner")), "l1");
        ASSERT_STR_EQ(
            json_string_value(json_object_get(json_object_get(res, "rubric"), "version")),
            "2.0");
        json_t *meta = json_pack("{s:[i]}", "k", 1);
        ASSERT(json_equal(json_object_get(res, "meta"), meta));
        json_decref(meta);
        /* Deterministic: the same input gives byte-identical output. */
        char *a = assay_result_dumps(res);
        json_t *res2 = assay_grade_buffer(cat, sub, strlen(sub), scratch, &opts);
        char *b = assay_result_dumps(res2);
        ASSERT_STR_EQ(a, b);
        ASSERT(strncmp(a, "{\"id\":\"s\",\"learner\":\"l1\",\"rubric\":{", 35) == 0);
        free(a);
        free(b);
        json_decref(res);
        json_decref(res2);
    }

    /* Submission-level errors, each with its own code. */
    {
        static const struct {
            const char *text, *code;
        } bad[] = {
            {"{\"id\": \"s\", ", "malformed_json"},
            {"not json", "malformed_json"},
            {"{\"id\": \"s\", \"rubric\": \"g\", \"responses\": {\"abs\": \"\xc3\x28\"}}",
             "invalid_utf8"},
            {"[1, 2]", "not_an_object"},
            {"{\"rubric\": \"g\", \"responses\": {}}", "missing_field"},
            {"{\"id\": 7, \"rubric\": \"g\", \"responses\": {}}", "wrong_type"},
            {"{\"id\": \"s\", \"responses\": {}}", "missing_field"},
            {"{\"id\": \"s\", \"rubric\": \"nope\", \"responses\": {}}", "unknown_rubric"},
            {"{\"id\": \"s\", \"rubric\": \"g\", \"rubric_version\": \"9\", \"responses\": {}}",
             "unknown_rubric_version"},
            {"{\"id\": \"s\", \"rubric\": \"g\"}", "missing_field"},
            {"{\"id\": \"s\", \"rubric\": \"g\", \"responses\": []}", "wrong_type"},
            {"{\"id\": \"s\", \"rubric\": \"g\", \"responses\": {}, \"id\": \"t\"}",
             "malformed_json"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            json_t *res =
                assay_grade_buffer(cat, bad[i].text, strlen(bad[i].text), scratch, &opts);
            ASSERT_STR_EQ(json_string_value(json_object_get(res, "status")), "error");
            ASSERT_STR_EQ(
                json_string_value(json_object_get(json_object_get(res, "error"), "code")),
                bad[i].code);
            json_decref(res);
        }
        /* The id is echoed when there is one, so the LMS can match the answer. */
        const char *t = "{\"id\": \"s-9\", \"rubric\": \"nope\", \"responses\": {}}";
        json_t *res = assay_grade_buffer(cat, t, strlen(t), scratch, &opts);
        ASSERT_STR_EQ(json_string_value(json_object_get(res, "id")), "s-9");
        json_decref(res);
        /* Too large. */
        assay_limits lim = assay_limits_default();
        lim.max_submission_bytes = 16;
        assay_grade_options small = {.graded_at = "x", .limits = &lim};
        res = assay_grade_buffer(cat, t, strlen(t), scratch, &small);
        ASSERT_STR_EQ(json_string_value(json_object_get(json_object_get(res, "error"), "code")),
                      "too_large");
        json_decref(res);
    }

    assay_scratch_destroy(scratch);
    assay_catalog_destroy(cat);
    return tap_done();
}
