/*
 * test_feedback.c - a result's overall "feedback" line: a rubric's feedback bands chosen by
 * score / max_score on exact thresholds (the band's min reached exactly, just missed, the
 * first and the last band), the same text from the object writer (assay_grade_buffer) and
 * the text writer (assay_grade_text), and the generated sentence without bands.
 */
#include "assay/assay.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Five one-point items, answered "yes" to pass; bands at 0, 0.6 and 1. The last band's text
 * needs escaping, so the two writers' escaping is compared too. */
static const char banded[] =
    "{\"assay\": 1, \"id\": \"fb\", \"version\": \"1\", \"title\": \"Bands\",\n"
    " \"scale\": {\"levels\": [{\"id\": \"lo\", \"name\": \"Lo\", \"min\": 0},\n"
    "   {\"id\": \"hi\", \"name\": \"Hi\", \"min\": 0.8, \"mastery\": true}]},\n"
    " \"competencies\": [{\"id\": \"c\", \"name\": \"C\"}],\n"
    " \"feedback\": {\"bands\": [{\"min\": 0, \"text\": \"Revise chapter 2.\"},\n"
    "   {\"min\": 0.6, \"text\": \"Nearly there.\"},\n"
    "   {\"min\": \"1\", \"text\": \"Excellent \\\"work\\\" \\u00e9\\n\"}]},\n"
    " \"items\": [\n"
    "  {\"id\": \"i1\", \"checks\": [{\"id\": \"k1\", \"type\": \"pattern\", \"pattern\": "
    "\"yes\", \"evidence\": {\"c\": 1}}]},\n"
    "  {\"id\": \"i2\", \"checks\": [{\"id\": \"k2\", \"type\": \"pattern\", \"pattern\": "
    "\"yes\", \"evidence\": {\"c\": 1}}]},\n"
    "  {\"id\": \"i3\", \"checks\": [{\"id\": \"k3\", \"type\": \"pattern\", \"pattern\": "
    "\"yes\", \"evidence\": {\"c\": 1}}]},\n"
    "  {\"id\": \"i4\", \"checks\": [{\"id\": \"k4\", \"type\": \"pattern\", \"pattern\": "
    "\"yes\", \"evidence\": {\"c\": 1}}]},\n"
    "  {\"id\": \"i5\", \"checks\": [{\"id\": \"k5\", \"type\": \"pattern\", \"pattern\": "
    "\"yes\", \"evidence\": {\"c\": 1}}]}]}\n";

static const assay_grade_options opts = {.graded_at = "2026-01-01T00:00:00Z"};

static assay_catalog *load(const char *text)
{
    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_buffer(text, strlen(text), "feedback.json", NULL, &r, d);
    ASSERT_INT_EQ(rc, 0);
    for (size_t i = 0; rc != 0 && i < assay_diags_count(d); i++) {
        char line[1200];
        assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
        printf("# %s\n", line);
    }
    assay_diags_destroy(d);
    if (rc != 0) {
        return NULL;
    }
    assay_catalog *c = assay_catalog_create();
    ASSERT_INT_EQ(assay_catalog_add(c, r), 0);
    return c;
}

/* Grades a submission of rubric id answering "yes" to the first `right` items, both ways;
 * checks that the two texts are identical and that "feedback" is want. */
static void feedback_is(const assay_catalog *c, assay_scratch *s, const char *id, int right,
                        const char *want)
{
    char sub[600];
    int n = snprintf(sub, sizeof(sub), "{\"id\": \"s%d\", \"rubric\": \"%s\", \"responses\": {",
                     right, id);
    for (int i = 1; i <= 5; i++) {
        n += snprintf(sub + n, sizeof(sub) - (size_t)n, "%s\"i%d\": \"%s\"", i > 1 ? ", " : "",
                      i, i <= right ? "yes" : "no");
    }
    snprintf(sub + n, sizeof(sub) - (size_t)n, "}}");

    json_t *res = assay_grade_buffer(c, sub, strlen(sub), s, &opts);
    char *dumped = assay_result_dumps(res);
    const char *text = NULL;
    size_t len = 0;
    ASSERT_INT_EQ(assay_grade_text(c, sub, strlen(sub), s, &opts, &text, &len, NULL), 0);
    ASSERT(dumped != NULL && text != NULL && strcmp(dumped, text) == 0);
    ASSERT_STR_EQ(json_string_value(json_object_get(res, "status")), "graded");
    ASSERT_STR_EQ(json_string_value(json_object_get(res, "feedback")), want);
    free(dumped);
    json_decref(res);
}

int main(void)
{
    assay_scratch *s = assay_scratch_create();
    assay_catalog *c = load(banded);
    if (c) {
        feedback_is(c, s, "fb", 0, "Revise chapter 2.");
        feedback_is(c, s, "fb", 2, "Revise chapter 2."); /* 0.4 */
        feedback_is(c, s, "fb", 3, "Nearly there.");     /* 0.6 exactly reaches the band */
        feedback_is(c, s, "fb", 4, "Nearly there.");     /* 0.8 */
        feedback_is(c, s, "fb", 5, "Excellent \"work\" \xc3\xa9\n");
        assay_catalog_destroy(c);
    }

    /* Without bands: the generated sentence. */
    char plain[sizeof(banded)];
    const char *a = strstr(banded, " \"feedback\""), *b = strstr(banded, " \"items\"");
    size_t head = (size_t)(a - banded);
    memcpy(plain, banded, head);
    strcpy(plain + head, b);
    c = load(plain);
    if (c) {
        feedback_is(c, s, "fb", 3, "3 of 5 points; 0 of 1 competency mastered");
        feedback_is(c, s, "fb", 5, "5 of 5 points; 1 of 1 competency mastered");
        assay_catalog_destroy(c);
    }
    assay_scratch_destroy(s);
    return tap_done();
}
