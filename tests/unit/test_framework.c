/*
 * test_framework.c - unit tests for competency frameworks (engine/src/framework.c,
 * load_framework.c, catalog.c) through the public API: loading a framework and each of its
 * errors at its place; a rubric naming one (all its competencies, the ones its checks use,
 * or a listed subset) graded with the framework's names, scales and id; the rubric's errors
 * (unknown framework or version, an id the framework lacks, a redefined scale, a competency
 * used but not listed); the calculation methods and their parameter bounds; the example
 * directory; and that a standalone rubric may carry a method too.
 */
#include "assay/assay.h"
#include "tap.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ASSAY_RUBRICS_DIR
#error "ASSAY_RUBRICS_DIR must name the example rubrics"
#endif

#define SCALES                                                                                 \
    "\"scales\": {\"four\": {\"levels\": [{\"id\": \"b\", \"name\": \"B\", \"min\": 0},\n"     \
    "   {\"id\": \"p\", \"name\": \"P\", \"min\": 0.75, \"mastery\": true}]},\n"               \
    " \"pf\": {\"levels\": [{\"id\": \"f\", \"name\": \"F\", \"min\": 0},\n"                   \
    "   {\"id\": \"s\", \"name\": \"S\", \"min\": 0.5, \"mastery\": true}]}},\n"

/* A framework "fw" 1 with competencies a (default scale), b (scale pf, n_mastery 3) and c. */
static const char fw_text[] =
    "{\"assay_framework\": 1, \"id\": \"fw\", \"version\": \"1\", \"title\": \"T\",\n" SCALES
    " \"default_scale\": \"four\",\n"
    " \"competencies\": [{\"id\": \"a\", \"name\": \"A\", \"uri\": \"https://x.example/a\"},\n"
    "  {\"id\": \"b\", \"name\": \"B\", \"scale\": \"pf\",\n"
    "   \"method\": {\"name\": \"n_mastery\", \"param\": 3}},\n"
    "  {\"id\": \"c\", \"name\": \"C\", \"method\": {\"name\": \"latest\"}}]}\n";

static char first[1200];
static int ndiags;

/* Loads a framework from text; first and ndiags as the diagnostics say. */
static int load_fw(const char *text, assay_framework **out)
{
    assay_diags *d = assay_diags_create();
    int rc = assay_framework_load_buffer(text, strlen(text), "fw.json", NULL, out, d);
    first[0] = '\0';
    ndiags = (int)assay_diags_count(d);
    if (ndiags > 0) {
        assay_diag_format(assay_diags_get(d, 0), first, sizeof(first));
    }
    assay_diags_destroy(d);
    return rc;
}

/* A catalog holding the framework fw_text. */
static assay_catalog *catalog(void)
{
    assay_catalog *c = assay_catalog_create();
    assay_framework *f = NULL;
    ASSERT_INT_EQ(load_fw(fw_text, &f), 0);
    ASSERT_INT_EQ(assay_catalog_add_framework(c, f), 0);
    return c;
}

/* A rubric naming framework fw with extra top-level members (ending in ",") and the
 * evidence of its two checks, loaded into c (added on success). */
static int load_rubric(assay_catalog *c, const char *extra, const char *ev1, const char *ev2)
{
    char text[4096];
    snprintf(
        text, sizeof(text),
        "{\"assay\": 1, \"id\": \"r\", \"version\": \"1\", \"title\": \"R\",\n"
        " \"framework\": \"fw\",%s\n"
        " \"items\": [{\"id\": \"q\", \"checks\": [\n"
        "  {\"id\": \"k1\", \"type\": \"pattern\", \"pattern\": \"x\", \"evidence\": {%s}},\n"
        "  {\"id\": \"k2\", \"type\": \"pattern\", \"pattern\": \"y\", \"evidence\": {%s}}\n"
        " ]}]}\n",
        extra, ev1, ev2);
    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_buffer_in(c, text, strlen(text), "r.json", NULL, &r, d);
    first[0] = '\0';
    ndiags = (int)assay_diags_count(d);
    if (ndiags > 0) {
        assay_diag_format(assay_diags_get(d, 0), first, sizeof(first));
    }
    assay_diags_destroy(d);
    if (rc == 0) {
        ASSERT_INT_EQ(assay_catalog_add(c, r), 0);
    }
    return rc;
}

/* Grades answer for rubric r of c; the result's competencies (borrowed from *res). */
static const json_t *grade(const assay_catalog *c, const char *answer, json_t **res)
{
    char sub[256];
    snprintf(sub, sizeof(sub),
             "{\"id\": \"s1\", \"rubric\": \"r\", \"learner\": \"l\", \"responses\": {\"q\": "
             "\"%s\"}}",
             answer);
    assay_scratch *s = assay_scratch_create();
    assay_grade_options o = {.graded_at = "2026-01-01T00:00:00Z"};
    *res = assay_grade_buffer(c, sub, strlen(sub), s, &o);
    assay_scratch_destroy(s);
    ASSERT_STR_EQ(json_string_value(json_object_get(*res, "status")), "graded");
    return json_object_get(*res, "competencies");
}

static const char *comp_str(const json_t *comps, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(comps, i), key));
}

static void test_load(void)
{
    assay_framework *f = NULL;
    ASSERT_INT_EQ(load_fw(fw_text, &f), 0);
    ASSERT_INT_EQ(ndiags, 0);
    ASSERT_STR_EQ(assay_framework_id(f), "fw");
    ASSERT_STR_EQ(assay_framework_version(f), "1");
    ASSERT_STR_EQ(assay_framework_title(f), "T");
    ASSERT_INT_EQ(assay_framework_competency_count(f), 3);
    ASSERT_INT_EQ(strlen(assay_framework_sha256(f)), 64);
    assay_framework_destroy(f);
    assay_framework_destroy(NULL);
}

/* Each framework error: its message and its place. */
static void test_framework_errors(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"{\"assay_framework\": 2, \"id\": \"fw\", \"version\": \"1\", \"title\": "
         "\"T\",\n" SCALES
         " \"default_scale\": \"four\", \"competencies\": [{\"id\": \"a\", \"name\": \"A\"}]}",
         "fw.json:1:21: error: unsupported framework format: \"assay_framework\" must be 1 "
         "(at /assay_framework)"},
        {"{\"assay_framework\": 1, \"id\": \"fw\", \"version\": \"1\", \"title\": "
         "\"T\",\n" SCALES " \"competencies\": [{\"id\": \"a\", \"name\": \"A\"}]}",
         "fw.json:1:1: error: missing required key \"default_scale\" (the scale of a "
         "competency that names none; needed when there are several scales) (at "
         "/default_scale)"},
        {"{\"assay_framework\": 1, \"id\": \"fw\", \"version\": \"1\", \"title\": "
         "\"T\",\n" SCALES
         " \"default_scale\": \"for\", \"competencies\": [{\"id\": \"a\", \"name\": \"A\"}]}",
         "fw.json:6:19: error: unknown scale \"for\" (did you mean \"four\"?): \"scales\" "
         "defines no such scale (at /default_scale)"},
        {"{\"assay_framework\": 1, \"id\": \"rubric:x\", \"version\": \"1\", \"title\": "
         "\"T\",\n"
         " \"scales\": {\"s\": {\"levels\": [{\"id\": \"b\", \"name\": \"B\", \"min\": 0},\n"
         "   {\"id\": \"p\", \"name\": \"P\", \"min\": 0.5, \"mastery\": true}]}},\n"
         " \"competencies\": [{\"id\": \"a\", \"name\": \"A\"}]}",
         "fw.json:1:30: error: \"id\" must be 1 to 128 letters, digits, '.', '_' or '-', "
         "not \"rubric:x\" (at /id)"},
        {"{\"assay_framework\": 1, \"id\": \"fw\", \"version\": \"1\", \"title\": "
         "\"T\",\n" SCALES
         " \"default_scale\": \"four\", \"competencies\": [{\"id\": \"a\", \"name\": \"A\",\n"
         "   \"method\": {\"name\": \"decaying_average\", \"param\": 49}}]}",
         "fw.json:7:52: error: decaying_average takes a weight in percent from 50 to 99, got "
         "49 (at /competencies/0/method/param)"},
        {"{\"assay_framework\": 1, \"id\": \"fw\", \"version\": \"1\", \"title\": "
         "\"T\",\n" SCALES
         " \"default_scale\": \"four\", \"competencies\": [{\"id\": \"a\", \"name\": \"A\",\n"
         "   \"method\": {\"name\": \"n_mastery\", \"param\": 0}}]}",
         "fw.json:7:45: error: n_mastery takes a parameter from 1 to 10, got 0 (at "
         "/competencies/0/method/param)"},
        {"{\"assay_framework\": 1, \"id\": \"fw\", \"version\": \"1\", \"title\": "
         "\"T\",\n" SCALES
         " \"default_scale\": \"four\", \"competencies\": [{\"id\": \"a\", \"name\": \"A\",\n"
         "   \"method\": {\"name\": \"hihgest\"}}]}",
         "fw.json:7:23: error: unknown calculation method \"hihgest\" (did you mean "
         "\"highest\"?) (at /competencies/0/method/name)"},
        {"{\"assay_framework\": 1, \"id\": \"fw\", \"version\": \"1\", \"title\": "
         "\"T\",\n" SCALES
         " \"default_scale\": \"four\", \"competencies\": [{\"id\": \"a\", \"name\": \"A\",\n"
         "   \"ref\": \"x\"}]}",
         "fw.json:7:4: error: unknown key \"ref\" in a competency (at /competencies/0/ref)"},
        {"{\"assay_framework\": 1, \"id\": \"fw\", \"version\": \"1\", \"title\": "
         "\"T\",\n" SCALES
         " \"default_scale\": \"four\", \"competencies\": [{\"id\": \"a\", \"name\": \"A\"},\n"
         "   {\"id\": \"a\", \"name\": \"A2\"}]}",
         "fw.json:7:11: error: duplicate competency id \"a\" (at /competencies/1/id)"},
        {"[1]", "fw.json:1:1: error: a framework must be a JSON object, not an array"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assay_framework *f = NULL;
        int before = tap_failed;
        ASSERT(load_fw(cases[i].text, &f) < 0);
        ASSERT(f == NULL);
        ASSERT_STR_EQ(first, cases[i].want);
        tap_note(before, "framework case", cases[i].text);
    }
}

/* Without "competencies": the framework's, those the checks use, in the framework's order. */
static void test_rubric_takes_from_framework(void)
{
    assay_catalog *c = catalog();
    ASSERT_INT_EQ(load_rubric(c, "", "\"c\": 1", "\"a\": 1"), 0);
    ASSERT_INT_EQ(ndiags, 0);
    json_t *res = NULL;
    const json_t *comps = grade(c, "x", &res);
    ASSERT_INT_EQ(json_array_size(comps), 2);
    ASSERT_STR_EQ(comp_str(comps, 0, "id"), "a");
    ASSERT_STR_EQ(comp_str(comps, 0, "name"), "A");
    ASSERT_STR_EQ(comp_str(comps, 0, "ref"), "https://x.example/a");
    ASSERT_STR_EQ(comp_str(comps, 0, "framework"), "fw");
    /* a: evidence of k2 (not matched): 0; c: k1 (matched): 1. */
    ASSERT_STR_EQ(comp_str(comps, 0, "score_exact"), "0");
    ASSERT_STR_EQ(comp_str(comps, 0, "level"), "b");
    ASSERT_STR_EQ(comp_str(comps, 1, "id"), "c");
    ASSERT_STR_EQ(comp_str(comps, 1, "score_exact"), "1");
    ASSERT_STR_EQ(comp_str(comps, 1, "level"), "p");
    json_decref(res);
    assay_catalog_destroy(c);
}

/* A listed subset, with b's own scale from the framework (and given again, identical). */
static void test_rubric_lists_ids(void)
{
    assay_catalog *c = catalog();
    ASSERT_INT_EQ(
        load_rubric(c,
                    "\"competencies\": [{\"id\": \"b\", \"scale\": {\"levels\": [\n"
                    " {\"id\": \"f\", \"name\": \"F\", \"min\": 0},\n"
                    " {\"id\": \"s\", \"name\": \"S\", \"min\": 0.5, \"mastery\": true}]}},\n"
                    " {\"id\": \"a\"}],",
                    "\"b\": 1", "\"a\": 1, \"b\": 1"),
        0);
    json_t *res = NULL;
    const json_t *comps = grade(c, "x", &res);
    ASSERT_INT_EQ(json_array_size(comps), 2);
    ASSERT_STR_EQ(comp_str(comps, 0, "id"), "b");
    ASSERT_STR_EQ(comp_str(comps, 0, "score_exact"), "1/2");
    ASSERT_STR_EQ(comp_str(comps, 0, "level"), "s"); /* the framework's pf scale */
    ASSERT_STR_EQ(comp_str(comps, 1, "id"), "a");
    ASSERT_STR_EQ(comp_str(comps, 1, "level"), "b");
    json_decref(res);
    assay_catalog_destroy(c);
}

/* Two versions of the framework: the newest unless the rubric pins one. */
static void test_versions(void)
{
    assay_catalog *c = catalog();
    char v2[sizeof(fw_text) + 16];
    snprintf(v2, sizeof(v2), "%s", fw_text);
    memcpy(strstr(v2, "\"version\": \"1\""), "\"version\": \"2\"", 14);
    memcpy(strstr(v2, "\"name\": \"A\""), "\"name\": \"Z\"", 11);
    assay_framework *f = NULL;
    ASSERT_INT_EQ(load_fw(v2, &f), 0);
    ASSERT_INT_EQ(assay_catalog_add_framework(c, f), 0);
    for (int pin = 0; pin < 2; pin++) {
        assay_catalog *rc = assay_catalog_create();
        /* The rubric goes into a catalog of its own, loaded against c's frameworks. */
        char text[1024];
        snprintf(text, sizeof(text),
                 "{\"assay\": 1, \"id\": \"r\", \"version\": \"1\", \"title\": \"R\",\n"
                 " \"framework\": \"fw\",%s \"items\": [{\"id\": \"q\", \"checks\": [\n"
                 "  {\"id\": \"k1\", \"type\": \"pattern\", \"pattern\": \"x\", "
                 "\"evidence\": {\"a\": 1}}]}]}\n",
                 pin ? " \"framework_version\": \"1\"," : "");
        assay_rubric *r = NULL;
        ASSERT_INT_EQ(
            assay_rubric_load_buffer_in(c, text, strlen(text), "r.json", NULL, &r, NULL), 0);
        ASSERT_INT_EQ(assay_catalog_add(rc, r), 0);
        json_t *res = NULL;
        const json_t *comps = grade(rc, "x", &res);
        ASSERT_STR_EQ(comp_str(comps, 0, "name"), pin ? "A" : "Z");
        json_decref(res);
        assay_catalog_destroy(rc);
    }
    assay_catalog_destroy(c);
}

/* Each rubric error: its message and its place. */
static void test_rubric_errors(void)
{
    static const struct {
        const char *extra, *ev1, *ev2, *want;
    } cases[] = {
        {"\n \"framework_version\": \"2\",", "\"a\": 1", "\"a\": 1",
         "r.json:3:23: error: framework \"fw\" version \"2\" is not loaded (the newest loaded "
         "is \"1\") (at /framework_version)"},
        {"\n \"competencies\": [{\"id\": \"d\"}],", "\"a\": 1", "\"a\": 1",
         "r.json:3:26: error: competency \"d\" is not in framework \"fw\" (at "
         "/competencies/0/id)"},
        {"\n \"competencies\": [{\"id\": \"a\", \"name\": \"A\"}],", "\"a\": 1", "\"a\": 1",
         "r.json:3:31: error: unknown key \"name\" in a competency taken from a framework (its "
         "name, scale and method come from the framework) (at /competencies/0/name)"},
        {"\n \"competencies\": [{\"id\": \"a\"}],", "\"a\": 1", "\"c\": 1",
         "r.json:6:64: error: competency \"c\" of framework \"fw\" is used but not listed in "
         "\"competencies\" (add {\"id\": \"c\"}, or omit \"competencies\" to take the "
         "framework's) (at /items/0/checks/1/evidence/c)"},
        {"\n \"competencies\": [{\"id\": \"a\"}, {\"id\": \"c\"}],", "\"a\": 1", "\"a\": 1",
         "r.json:3:39: error: competency \"c\" is declared but no check is evidence for it (at "
         "/competencies/1/id)"},
        {"", "\"a\": 1", "\"e\": 1",
         "r.json:5:64: error: competency \"e\" is not in framework \"fw\" (at "
         "/items/0/checks/1/evidence/e)"},
        {"\n \"competencies\": [{\"id\": \"b\", \"scale\": {\"levels\": [\n"
         " {\"id\": \"f\", \"name\": \"F\", \"min\": 0},\n"
         " {\"id\": \"s\", \"name\": \"S\", \"min\": 0.5}, {\"id\": \"t\", \"name\": \"T\", "
         "\"min\": 1, \"mastery\": true}]}}],",
         "\"b\": 1", "\"b\": 1",
         "r.json:3:40: error: competency \"b\" redefines the scale framework \"fw\" gives it: "
         "it has 3 levels here, 2 in the framework; remove \"scale\" to use the framework's "
         "(at /competencies/0/scale)"},
        {"\n \"scale\": {\"levels\": [{\"id\": \"b\", \"name\": \"B\", \"min\": 0},\n"
         "   {\"id\": \"p\", \"name\": \"P\", \"min\": 0.5, \"mastery\": true}]},",
         "\"a\": 1", "\"a\": 1",
         "r.json:3:11: error: the rubric's \"scale\" redefines the scale framework \"fw\" "
         "gives "
         "it: level 2 is \"p\" (\"P\") from 0.5 here, \"p\" (\"P\") from 0.75 in the "
         "framework; remove \"scale\" to use the framework's (at /scale)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assay_catalog *c = catalog();
        int before = tap_failed;
        ASSERT(load_rubric(c, cases[i].extra, cases[i].ev1, cases[i].ev2) < 0);
        ASSERT_STR_EQ(first, cases[i].want);
        tap_note(before, "rubric case", cases[i].extra);
        assay_catalog_destroy(c);
    }
    /* No such framework: one error (not one per evidence reference). */
    assay_catalog *c = assay_catalog_create();
    ASSERT(load_rubric(c, "", "\"a\": 1", "\"b\": 1") < 0);
    ASSERT_INT_EQ(ndiags, 1);
    ASSERT_STR_CONTAINS(first, "r.json:2:15: error: unknown framework \"fw\": no framework");
    assay_catalog_destroy(c);
    c = catalog();
    const char *text = "{\"assay\": 1, \"id\": \"r\", \"version\": \"1\", \"title\": \"R\",\n"
                       " \"framework\": \"fx\", \"items\": []}";
    assay_rubric *r = NULL;
    assay_diags *d = assay_diags_create();
    ASSERT(assay_rubric_load_buffer_in(c, text, strlen(text), "r.json", NULL, &r, d) < 0);
    assay_diag_format(assay_diags_get(d, 0), first, sizeof(first));
    ASSERT_STR_CONTAINS(first, "r.json:2:15: error: unknown framework \"fx\": no framework");
    assay_diags_destroy(d);
    /* Without a catalog (assay_rubric_load_buffer), the framework is never found. */
    ASSERT(assay_rubric_load_buffer(text, strlen(text), "r.json", NULL, &r, NULL) < 0);
    assay_catalog_destroy(c);
}

/* The catalog: versions, duplicates, and the example directory. */
static void test_catalog(void)
{
    assay_catalog *c = catalog();
    assay_framework *f = NULL;
    ASSERT_INT_EQ(load_fw(fw_text, &f), 0);
    ASSERT_INT_EQ(assay_catalog_add_framework(c, f), ASSAY_E_DUPLICATE);
    assay_framework_destroy(f);
    ASSERT(assay_catalog_find_framework(c, "fw", NULL) != NULL);
    ASSERT(assay_catalog_find_framework(c, "fw", "1") != NULL);
    ASSERT(assay_catalog_find_framework(c, "fw", "2") == NULL);
    ASSERT(assay_catalog_find_framework(c, "nope", NULL) == NULL);
    ASSERT_INT_EQ(assay_catalog_framework_count(c), 1);
    assay_catalog_destroy(c);

    /* Only the frameworks of a directory; then a rubric of it resolves against them. */
    c = assay_catalog_create();
    ASSERT_INT_EQ(assay_catalog_load_frameworks(c, ASSAY_RUBRICS_DIR, NULL, NULL), 1);
    ASSERT_INT_EQ(assay_catalog_count(c), 0);
    assay_rubric *r = NULL;
    ASSERT_INT_EQ(
        assay_rubric_load_file_in(c, ASSAY_RUBRICS_DIR "/chem-dilution.json", NULL, &r, NULL),
        0);
    ASSERT(r != NULL);
    assay_rubric_destroy(r);
    ASSERT(assay_rubric_load_file(ASSAY_RUBRICS_DIR "/chem-dilution.json", NULL, &r, NULL) < 0);
    assay_catalog_destroy(c);
}

/* A standalone rubric's competencies may carry a method; its parameter is checked. */
static void test_standalone_method(void)
{
    static const char *const methods[] = {
        "{\"name\": \"average\"}",
        "{\"name\": \"weighted_average\", \"param\": 100}",
    };
    for (int i = 0; i < 2; i++) {
        char text[1024];
        snprintf(text, sizeof(text),
                 "{\"assay\": 1, \"id\": \"r\", \"version\": \"1\", \"title\": \"R\",\n"
                 " \"scale\": {\"levels\": [{\"id\": \"a\", \"name\": \"A\", \"min\": 0},\n"
                 "   {\"id\": \"b\", \"name\": \"B\", \"min\": 0.5, \"mastery\": true}]},\n"
                 " \"competencies\": [{\"id\": \"c\", \"name\": \"C\", \"method\": %s}],\n"
                 " \"items\": [{\"id\": \"q\", \"checks\": [{\"id\": \"k\", \"type\": "
                 "\"pattern\", \"pattern\": \"x\", \"evidence\": {\"c\": 1}}]}]}\n",
                 methods[i]);
        assay_diags *d = assay_diags_create();
        assay_rubric *r = NULL;
        int rc = assay_rubric_load_buffer(text, strlen(text), "r.json", NULL, &r, d);
        if (i == 0) {
            ASSERT_INT_EQ(rc, 0);
        } else {
            ASSERT(rc < 0);
            assay_diag_format(assay_diags_get(d, 0), first, sizeof(first));
            ASSERT_STR_EQ(first, "r.json:4:92: error: weighted_average takes a weight in "
                                 "percent from 50 to 99, got 100 (at "
                                 "/competencies/0/method/param)");
        }
        assay_rubric_destroy(r);
        assay_diags_destroy(d);
    }
}

int main(void)
{
    test_load();
    test_framework_errors();
    test_rubric_takes_from_framework();
    test_rubric_lists_ids();
    test_versions();
    test_rubric_errors();
    test_catalog();
    test_standalone_method();
    return tap_done();
}
