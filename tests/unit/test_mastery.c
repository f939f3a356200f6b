/*
 * test_mastery.c - unit tests for engine/src/mastery.c: every calculation method and its
 * edges (no scores, only ungraded ones, ungraded between scores, ties, one score, exact
 * non-terminating results, negative scores), parameter bounds, the worked examples of
 * docs/records.md, and the public text API that `assay mastery` calls. The exact numbers
 * (scores read as text, exact text, nearest doubles, the fast paths) are test_mastery_num.c's.
 */
#include "mastery.h"
#include "tap.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SCORES 32

/* Prints the case that was being checked when an assertion in it failed. */
static void note(int failed_before, const char *what, const char *input)
{
    if (tap_failed != failed_before) {
        printf("#   in %s case \"%s\"\n", what, input);
    }
}

static assay_mastery_method method(const char *name, bool has_param, long param)
{
    assay_mastery_method m = {ASSAY_MASTERY_HIGHEST, 0};
    char why[256] = "";
    int rc = assay_mastery_method_parse(name, has_param, param, &m, why, sizeof why);
    if (rc != 0) {
        printf("#   setup: %s(%ld): %s\n", name, param, why);
    }
    return m;
}

/*
 * Computes m over the space-separated scores in list ("null" for an ungraded one) with the
 * threshold thr (NULL: none). Returns the exact text of the value, "none" for no value, or
 * "error" when the computation refused; caller frees.
 */
static char *calc_graded(const assay_mastery_method *m, const char *list, const char *thr,
                         size_t *graded)
{
    mpq_t vals[MAX_SCORES], t, out;
    mpq_srcptr ptrs[MAX_SCORES];
    size_t n = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, " "); tok && n < MAX_SCORES; tok = strtok(NULL, " ")) {
        mpq_init(vals[n]);
        ptrs[n] = NULL;
        if (strcmp(tok, "null") != 0) {
            char why[256];
            if (assay__mpq_from_text(vals[n], tok, why, sizeof why) != 0) {
                printf("#   setup: %s\n", why);
            }
            ptrs[n] = vals[n];
        }
        n++;
    }
    mpq_inits(t, out, NULL);
    if (thr) {
        assay__mpq_from_text(t, thr, NULL, 0);
    }
    int rc = assay__mastery_compute(m, ptrs, n, thr ? t : NULL, out, graded);
    char *text = rc == 1 ? assay__mpq_to_text(out) : strdup(rc == 0 ? "none" : "error");
    if (rc == 0 && mpq_sgn(out) != 0) {
        free(text);
        text = strdup("no value but out is not 0");
    }
    for (size_t i = 0; i < n; i++) {
        mpq_clear(vals[i]);
    }
    mpq_clears(t, out, NULL);
    return text;
}

/* Asserts that name(param) over list (with threshold thr) is expect; param 0: none. */
static void check_calc(const char *name, long param, const char *list, const char *thr,
                       const char *expect)
{
    int before = tap_failed;
    assay_mastery_method m = method(name, param != 0, param);
    char *got = calc_graded(&m, list, thr, NULL);
    ASSERT_STR_EQ(got, expect);
    free(got);
    char label[160];
    snprintf(label, sizeof label, "%s(%ld) of [%s]", name, param, list);
    note(before, "method", label);
}

/* ---- Names and parameters -------------------------------------------------------------- */

static void test_names(void)
{
    static const char *const names[] = {"highest",   "latest",           "average",
                                        "n_mastery", "decaying_average", "weighted_average"};
    for (int k = 0; k < 6; k++) {
        ASSERT_STR_EQ(assay_mastery_kind_name((assay_mastery_kind)k), names[k]);
        ASSERT_INT_EQ(assay_mastery_kind_has_param((assay_mastery_kind)k), k >= 3);
    }
    ASSERT(assay_mastery_kind_name((assay_mastery_kind)6) == NULL);
    ASSERT(assay_mastery_kind_name((assay_mastery_kind)-1) == NULL);
    ASSERT(!assay_mastery_kind_has_param((assay_mastery_kind)6));
}

/* Asserts that parsing name(param) gives rc, and the message expect when it fails. */
static void check_parse(const char *name, bool has_param, long param, int rc,
                        const char *expect)
{
    int before = tap_failed;
    assay_mastery_method m = {ASSAY_MASTERY_LATEST, 42};
    char why[256] = "";
    ASSERT_INT_EQ(assay_mastery_method_parse(name, has_param, param, &m, why, sizeof why), rc);
    if (rc == 0) {
        ASSERT_STR_EQ(assay_mastery_kind_name(m.kind), name);
        ASSERT_INT_EQ(m.param, has_param ? param : 0);
        ASSERT(assay__mastery_method_valid(&m));
    } else {
        ASSERT_STR_EQ(why, expect);
        ASSERT_INT_EQ(m.kind, ASSAY_MASTERY_LATEST); /* untouched on failure */
        ASSERT_INT_EQ(m.param, 42);
    }
    note(before, "parse", name ? name : "(null)");
}

static void test_parse(void)
{
    check_parse("highest", false, 0, 0, NULL);
    check_parse("latest", false, 0, 0, NULL);
    check_parse("average", false, 0, 0, NULL);
    check_parse("highest", true, 3, ASSAY_E_ARG, "highest takes no parameter, got 3");
    check_parse("average", true, 0, ASSAY_E_ARG, "average takes no parameter, got 0");
    /* n_mastery: 1..10. */
    check_parse("n_mastery", true, 0, ASSAY_E_ARG,
                "n_mastery takes a parameter from 1 to 10, got 0");
    check_parse("n_mastery", true, 1, 0, NULL);
    check_parse("n_mastery", true, 10, 0, NULL);
    check_parse("n_mastery", true, 11, ASSAY_E_ARG,
                "n_mastery takes a parameter from 1 to 10, got 11");
    check_parse("n_mastery", true, -3, ASSAY_E_ARG,
                "n_mastery takes a parameter from 1 to 10, got -3");
    check_parse("n_mastery", false, 0, ASSAY_E_ARG, "n_mastery needs a parameter from 1 to 10");
    /* The averages: 50..99 percent. */
    const char *avgs[] = {"decaying_average", "weighted_average"};
    for (int i = 0; i < 2; i++) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s takes a weight in percent from 50 to 99, got 49",
                 avgs[i]);
        check_parse(avgs[i], true, 49, ASSAY_E_ARG, msg);
        check_parse(avgs[i], true, 50, 0, NULL);
        check_parse(avgs[i], true, 99, 0, NULL);
        snprintf(msg, sizeof msg, "%s takes a weight in percent from 50 to 99, got 100",
                 avgs[i]);
        check_parse(avgs[i], true, 100, ASSAY_E_ARG, msg);
        snprintf(msg, sizeof msg, "%s needs a weight in percent from 50 to 99", avgs[i]);
        check_parse(avgs[i], false, 0, ASSAY_E_ARG, msg);
    }
    check_parse("n_mastery", true, 4000000000L, ASSAY_E_ARG,
                "n_mastery takes a parameter from 1 to 10, got 4000000000");
    /* Names are exact. */
    const char *expected = " (expected highest, latest, average, n_mastery, "
                           "decaying_average or weighted_average)";
    char msg[256];
    snprintf(msg, sizeof msg, "unknown calculation method \"Highest\"%s", expected);
    check_parse("Highest", false, 0, ASSAY_E_ARG, msg);
    snprintf(msg, sizeof msg, "unknown calculation method \"\"%s", expected);
    check_parse("", false, 0, ASSAY_E_ARG, msg);
    snprintf(msg, sizeof msg, "unknown calculation method \"decaying average\"%s", expected);
    check_parse("decaying average", false, 0, ASSAY_E_ARG, msg);
    check_parse(NULL, false, 0, ASSAY_E_ARG, "no calculation method was given");
    /* A long name is quoted in part, never cutting a UTF-8 character in two. */
    char name[80];
    memset(name, 'x', 39);
    memcpy(name + 39, "\xC3\xA9xxxxxxxxx", 12);
    snprintf(msg, sizeof msg, "unknown calculation method \"%.39s...\"%s", name, expected);
    check_parse(name, false, 0, ASSAY_E_ARG, msg);
    /* why may be NULL. */
    assay_mastery_method m;
    ASSERT_INT_EQ(assay_mastery_method_parse("nope", false, 0, &m, NULL, 0), ASSAY_E_ARG);
    ASSERT_INT_EQ(assay_mastery_method_parse("latest", false, 0, NULL, NULL, 0), ASSAY_E_ARG);
    /* Structs filled by hand are checked before use. */
    assay_mastery_method bad[] = {{ASSAY_MASTERY_N_MASTERY, 11},
                                  {ASSAY_MASTERY_N_MASTERY, 0},
                                  {ASSAY_MASTERY_DECAYING_AVERAGE, 100},
                                  {ASSAY_MASTERY_WEIGHTED_AVERAGE, 49},
                                  {ASSAY_MASTERY_HIGHEST, 1},
                                  {(assay_mastery_kind)6, 0},
                                  {(assay_mastery_kind)-1, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT(!assay__mastery_method_valid(&bad[i]));
        char *got = calc_graded(&bad[i], "1 2 3", "3", NULL);
        ASSERT_STR_EQ(got, "error");
        free(got);
    }
    ASSERT(!assay__mastery_method_valid(NULL));
}

/* ---- The methods ----------------------------------------------------------------------- */

static void test_worked_examples(void)
{
    /* docs/records.md and issue 9: a 0-5 scale, mastery at 3. */
    check_calc("n_mastery", 3, "4 5 1 3 2 3", "3", "3.75");
    check_calc("n_mastery", 3, "3 1", "3", "none");
    check_calc("decaying_average", 65, "2 3 4", "3", "3.5275");
    check_calc("weighted_average", 65, "2 3 4", "3", "3.475");
    check_calc("weighted_average", 75, "3 1 5 4", "3", "3.75");
}

static void test_no_scores(void)
{
    static const struct {
        const char *name;
        long param;
    } all[] = {{"highest", 0},           {"latest", 0},
               {"average", 0},           {"n_mastery", 1},
               {"decaying_average", 65}, {"weighted_average", 65}};
    for (size_t i = 0; i < 6; i++) {
        check_calc(all[i].name, all[i].param, "", "3", "none");
        check_calc(all[i].name, all[i].param, "null", "3", "none");
        check_calc(all[i].name, all[i].param, "null null null", "3", "none");
        /* One score gives itself (n_mastery(1) when it reaches mastery). */
        check_calc(all[i].name, all[i].param, "4", "3", "4");
        check_calc(all[i].name, all[i].param, "null 7/2 null", "3", "3.5");
        check_calc(all[i].name, all[i].param, "null 10/3 null", "3", "10/3");
        /* No value is not 0: a single 0 is a value (n_mastery: 0 is below mastery). */
        check_calc(all[i].name, all[i].param, "0", "0", "0");
    }
    /* The graded count skips ungraded attempts. */
    assay_mastery_method m = method("average", false, 0);
    size_t graded = 99;
    char *got = calc_graded(&m, "null 1 null 2 null", NULL, &graded);
    ASSERT_STR_EQ(got, "1.5");
    ASSERT_INT_EQ(graded, 2);
    free(got);
    got = calc_graded(&m, "null null", NULL, &graded);
    ASSERT_STR_EQ(got, "none");
    ASSERT_INT_EQ(graded, 0);
    free(got);
    /* No scores at all, with a NULL array. */
    mpq_t out;
    mpq_init(out);
    mpq_set_ui(out, 5, 1);
    ASSERT_INT_EQ(assay__mastery_compute(&m, NULL, 0, NULL, out, &graded), 0);
    ASSERT_INT_EQ(mpq_sgn(out), 0);
    ASSERT_INT_EQ(assay__mastery_compute(&m, NULL, 2, NULL, out, NULL), ASSAY_E_ARG);
    mpq_clear(out);
}

static void test_highest_latest(void)
{
    check_calc("highest", 0, "2 5 3", NULL, "5");
    check_calc("highest", 0, "5 5 5", NULL, "5");
    check_calc("highest", 0, "null 2 null 1 null", NULL, "2");
    check_calc("highest", 0, "-1 -3", NULL, "-1");
    check_calc("highest", 0, "1/3 0.333 0.3334", NULL, "0.3334");
    check_calc("highest", 0, "1/3 0.3333", NULL, "1/3");
    check_calc("highest", 0, "7 12.5", NULL, "12.5"); /* above a 0-5 scale: accepted */
    check_calc("latest", 0, "2 5 3", NULL, "3");
    check_calc("latest", 0, "2 5 null", NULL, "5");
    check_calc("latest", 0, "null 1 null", NULL, "1");
    check_calc("latest", 0, "4 0", NULL, "0");
}

static void test_average(void)
{
    check_calc("average", 0, "1 2 2", NULL, "5/3");
    check_calc("average", 0, "1 2", NULL, "1.5");
    check_calc("average", 0, "2 null 4", NULL, "3");
    check_calc("average", 0, "-1 2", NULL, "0.5");
    check_calc("average", 0, "-1 -2", NULL, "-1.5");
    check_calc("average", 0, "-1 -1 0", NULL, "-2/3");
    check_calc("average", 0, "1/3 1/6", NULL, "0.25");
    check_calc("average", 0, "0.1 0.2", NULL, "0.15");
    check_calc("average", 0, "1 1 1 0 0 0 0", NULL, "3/7");
    check_calc("average", 0, "3 3 3", NULL, "3");
}

static void test_n_mastery(void)
{
    check_calc("n_mastery", 1, "1 2", "3", "none");
    check_calc("n_mastery", 1, "1 2 3", "3", "3");
    check_calc("n_mastery", 1, "5 1 4", "3", "4.5");
    /* At the threshold counts; just below does not. */
    check_calc("n_mastery", 3, "3 3 3", "3", "3");
    check_calc("n_mastery", 3, "2.999 3 3", "3", "none");
    check_calc("n_mastery", 3, "2.999 3 3 10/3", "3", "28/9");
    check_calc("n_mastery", 2, "3 null 1 null 4", "3", "3.5");
    check_calc("n_mastery", 2, "null null 3", "3", "none");
    /* More than n reach it: the mean of all that do, not of the first n. */
    check_calc("n_mastery", 2, "3 4 5", "3", "4");
    check_calc("n_mastery", 10, "5 5 5 5 5 5 5 5 5", "3", "none");
    check_calc("n_mastery", 10, "5 5 5 5 5 5 5 5 5 4", "3", "4.9");
    check_calc("n_mastery", 10, "5 5 5 5 1 5 5 5 5 5 4", "3", "4.9");
    /* A threshold as a fraction, and a negative one. */
    check_calc("n_mastery", 2, "1/3 0.33 0.34", "1/3", "101/300");
    check_calc("n_mastery", 1, "-2 -5", "-3", "-2");
    /* No threshold: refused, never guessed. */
    assay_mastery_method m = method("n_mastery", true, 3);
    char *got = calc_graded(&m, "4 5 3", NULL, NULL);
    ASSERT_STR_EQ(got, "error");
    free(got);
}

static void test_decaying_average(void)
{
    check_calc("decaying_average", 65, "2 3 4", NULL, "3.5275");
    check_calc("decaying_average", 65, "null 2 null 3 null 4 null", NULL, "3.5275");
    check_calc("decaying_average", 65, "2 3", NULL, "2.65");
    check_calc("decaying_average", 50, "0 1", NULL, "0.5");
    check_calc("decaying_average", 99, "0 1", NULL, "0.99");
    check_calc("decaying_average", 99, "1 0", NULL, "0.01");
    check_calc("decaying_average", 50, "4 4 4 4", NULL, "4");
    /* Order matters: the same scores reversed. */
    check_calc("decaying_average", 65, "4 3 2", NULL, "2.4725");
    /* Exact over many steps: 0.5^20 of the first score survives. */
    check_calc("decaying_average", 50, "1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", NULL,
               "0.00000095367431640625");
    check_calc("decaying_average", 75, "1/3 1/3", NULL, "1/3");
    check_calc("decaying_average", 60, "-1 1", NULL, "0.2");
}

static void test_weighted_average(void)
{
    check_calc("weighted_average", 65, "2 3 4", NULL, "3.475");
    check_calc("weighted_average", 75, "3 1 5 4", NULL, "3.75");
    check_calc("weighted_average", 75, "3 null 1 5 null 4 null", NULL, "3.75");
    check_calc("weighted_average", 50, "2 4", NULL, "3");
    check_calc("weighted_average", 99, "0 1", NULL, "0.99");
    check_calc("weighted_average", 50, "1 2 2 5", NULL, "10/3");
    check_calc("weighted_average", 65, "5 5 5", NULL, "5");
    check_calc("weighted_average", 65, "-2 2", NULL, "0.6");
    /* It differs from the decaying average from the third score on. */
    check_calc("weighted_average", 65, "2 3", NULL, "2.65");
}

/* ---- The public text API --------------------------------------------------------------- */

typedef struct api_case {
    const char *name;
    long param; /* 0: none */
    const char *scores[12];
    size_t n;
    const char *points; /* NULL: none */
    const char *exact;  /* NULL: no value */
    double value;
    int mastered;
    size_t graded, at_mastery;
} api_case;

static const api_case api_cases[] = {
    {"n_mastery", 3, {"4", "5", "1", "3", "2", "3"}, 6, "3", "3.75", 3.75, 1, 6, 4},
    {"n_mastery", 3, {"3", "1"}, 2, "3", NULL, 0, 0, 2, 1},
    {"decaying_average", 65, {"2", "3", "4"}, 3, "3", "3.5275", 3.5275, 1, 3, 2},
    {"weighted_average", 65, {"2", "3", "4"}, 3, "3", "3.475", 3.475, 1, 3, 2},
    {"weighted_average", 75, {"3", "1", "5", "4"}, 4, "3", "3.75", 3.75, 1, 4, 3},
    {"average", 0, {"1", "2", "2"}, 3, NULL, "5/3", 5.0 / 3.0, -1, 3, 0},
    {"average", 0, {"1", "2", "2"}, 3, "5/3", "5/3", 5.0 / 3.0, 1, 3, 2},
    {"average", 0, {"1", "2", "2"}, 3, "1.67", "5/3", 5.0 / 3.0, 0, 3, 2},
    {"latest", 0, {"4", NULL, "2.5", NULL}, 4, "3", "2.5", 2.5, 0, 2, 1},
    {"highest", 0, {NULL, NULL}, 2, "3", NULL, 0, 0, 0, 0},
    {"highest", 0, {NULL, NULL}, 2, NULL, NULL, 0, -1, 0, 0},
    {"highest", 0, {NULL}, 0, "3", NULL, 0, 0, 0, 0},
    {"latest", 0, {"-0"}, 1, NULL, "0", 0, -1, 1, 0},
    {"latest", 0, {"0"}, 1, "0", "0", 0, 1, 1, 1},
    {"average", 0, {"-1", "-2"}, 2, "-1.5", "-1.5", -1.5, 1, 2, 1},
    {"average", 0, {"1e-2", "7/2"}, 2, "1.755", "1.755", 1.755, 1, 2, 1},
};

static void test_api(void)
{
    for (size_t i = 0; i < sizeof api_cases / sizeof api_cases[0]; i++) {
        const api_case *c = &api_cases[i];
        int before = tap_failed;
        assay_mastery_method m = method(c->name, c->param != 0, c->param);
        assay_mastery_value v;
        char why[256] = "";
        ASSERT_INT_EQ(
            assay_mastery_compute_text(&m, c->scores, c->n, c->points, &v, why, sizeof why), 0);
        ASSERT_INT_EQ(v.has_value, c->exact != NULL);
        if (c->exact) {
            ASSERT_STR_EQ(v.exact, c->exact);
        } else {
            ASSERT(v.exact == NULL);
        }
        ASSERT(v.value == c->value);
        ASSERT_INT_EQ(v.mastered, c->mastered);
        ASSERT_INT_EQ(v.graded, c->graded);
        ASSERT_INT_EQ(v.at_mastery, c->at_mastery);
        assay_mastery_value_finish(&v);
        ASSERT(v.exact == NULL && !v.has_value && v.mastered == -1);
        assay_mastery_value_finish(&v); /* twice is harmless */
        if (tap_failed != before) {
            printf("#   in api case %zu: %s\n", i, why);
        }
    }
    assay_mastery_value_finish(NULL);
}

/* Asserts that the text API refuses the input with rc and the message expect. */
static void check_api_bad(const assay_mastery_method *m, const char *const *scores, size_t n,
                          const char *points, int rc, const char *expect)
{
    int before = tap_failed;
    assay_mastery_value v;
    char why[256] = "";
    ASSERT_INT_EQ(assay_mastery_compute_text(m, scores, n, points, &v, why, sizeof why), rc);
    ASSERT_STR_EQ(why, expect);
    ASSERT(!v.has_value && v.exact == NULL && v.mastered == -1 && v.graded == 0);
    note(before, "api_bad", expect);
}

static void test_api_errors(void)
{
    assay_mastery_method avg = method("average", false, 0);
    assay_mastery_method nm = method("n_mastery", true, 2);
    const char *s1[] = {"4", NULL, "4,5", "3"};
    check_api_bad(&avg, s1, 4, NULL, ASSAY_E_ARG, "score 3: \"4,5\" is not a decimal number");
    const char *s2[] = {"1/0"};
    check_api_bad(&avg, s2, 1, NULL, ASSAY_E_ARG, "score 1: \"1/0\" has a zero denominator");
    const char *s3[] = {"4", "5"};
    check_api_bad(&avg, s3, 2, "three", ASSAY_E_ARG,
                  "mastery points: \"three\" is not a decimal number");
    check_api_bad(&avg, s3, 2, "1e20", ASSAY_E_ARG,
                  "mastery points: \"1e20\" is out of range (a score lies from -10^15 to "
                  "10^15)");
    check_api_bad(&nm, s3, 2, NULL, ASSAY_E_ARG,
                  "n_mastery needs mastery points (the score that counts as mastery)");
    assay_mastery_method bad = {ASSAY_MASTERY_N_MASTERY, 11};
    check_api_bad(&bad, s3, 2, "3", ASSAY_E_ARG,
                  "the calculation method is not valid (build it with "
                  "assay_mastery_method_parse)");
    check_api_bad(NULL, s3, 2, "3", ASSAY_E_ARG,
                  "the calculation method is not valid (build it with "
                  "assay_mastery_method_parse)");
    check_api_bad(&avg, NULL, 2, NULL, ASSAY_E_ARG, "2 scores were announced but none given");
    ASSERT_INT_EQ(assay_mastery_compute_text(&avg, s3, 2, NULL, NULL, NULL, 0), ASSAY_E_ARG);
    /* Errors with why NULL, and after a value was held (the struct is reset, not freed). */
    assay_mastery_value v;
    ASSERT_INT_EQ(assay_mastery_compute_text(&avg, s1, 4, NULL, &v, NULL, 0), ASSAY_E_ARG);
    ASSERT(v.exact == NULL);
}

int main(void)
{
    test_names();
    test_parse();
    test_worked_examples();
    test_no_scores();
    test_highest_latest();
    test_average();
    test_n_mastery();
    test_decaying_average();
    test_weighted_average();
    test_api();
    test_api_errors();
    return tap_done();
}
