/*
 * test_rubric.c - the rubric loader: what it accepts, and for each kind of mistake the
 * exact diagnostic, placed at file:line:column and by JSON pointer.
 */
#include "assay/assay.h"
#include "rubric.h"
#include "tap.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A valid rubric whose parts a test can replace: %s is spliced in as the items array. */
static const char *const head =
    "{\n"
    "  \"assay\": 1,\n"
    "  \"id\": \"r\",\n"
    "  \"version\": \"1.0\",\n"
    "  \"title\": \"T\",\n"
    "  \"scale\": {\"levels\": [{\"id\": \"a\", \"name\": \"A\", \"min\": 0},\n"
    "                         {\"id\": \"b\", \"name\": \"B\", \"min\": 0.5, \"mastery\": "
    "true}]},\n"
    "  \"competencies\": [{\"id\": \"c1\", \"name\": \"C1\"}],\n"
    "  \"items\": [\n";
static const char *const tail = "\n  ]\n}\n";

static char buf[8192];

static const char *rubric_with(const char *items)
{
    snprintf(buf, sizeof(buf), "%s%s%s", head, items, tail);
    return buf;
}

/* Loads text; returns the first diagnostic formatted (or "" when it loaded). */
static char first[1200];
static int ndiags;

static int load(const char *text)
{
    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_buffer(text, strlen(text), "t.json", NULL, &r, d);
    first[0] = '\0';
    ndiags = (int)assay_diags_count(d);
    if (ndiags > 0) {
        assay_diag_format(assay_diags_get(d, 0), first, sizeof(first));
    }
    if (rc == 0) {
        ASSERT(r != NULL);
        assay_rubric_destroy(r);
    }
    assay_diags_destroy(d);
    return rc;
}

#define GOOD_CHECK                                                                             \
    "    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": \"pattern\", "               \
    "\"pattern\": \"x\", \"evidence\": {\"c1\": 1}}]}"

/* Loads text under lim; returns the first diagnostic's message in first (or ""). */
static int load_limited(const char *text, const assay_limits *lim)
{
    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_buffer(text, strlen(text), "t.json", lim, &r, d);
    ndiags = (int)assay_diags_count(d);
    first[0] = '\0';
    if (ndiags > 0) {
        assay_diag_format(assay_diags_get(d, 0), first, sizeof(first));
    }
    assay_rubric_destroy(r);
    assay_diags_destroy(d);
    return rc;
}

/* Three pattern checks: "ab", "cd" and "ef", one per line (10, 11 and 12). */
#define THREE_PATTERNS                                                                         \
    "    {\"id\": \"q1\", \"checks\": [\n"                                                     \
    "      {\"id\": \"k1\", \"type\": \"pattern\", \"pattern\": \"ab\", \"evidence\": "        \
    "{\"c1\": 1}},\n"                                                                          \
    "      {\"id\": \"k2\", \"type\": \"pattern\", \"pattern\": \"cd\", \"evidence\": "        \
    "{\"c1\": 1}},\n"                                                                          \
    "      {\"id\": \"k3\", \"type\": \"pattern\", \"pattern\": \"ef\", \"evidence\": "        \
    "{\"c1\": 1}}]}"

/* What compiling a rubric's patterns may cost: each limit, crossed at the pattern that crosses
 * it, with no pattern compiled after it. */
static void test_compile_cost(void)
{
    const char *t = rubric_with(THREE_PATTERNS);
    assay_limits lim = assay_limits_default();
    ASSERT_INT_EQ(load_limited(t, &lim), 0);

    lim.max_patterns = 2;
    ASSERT_INT_EQ(load_limited(t, &lim), ASSAY_E_TOO_LARGE);
    ASSERT_INT_EQ(ndiags, 1);
    ASSERT_STR_EQ(first,
                  "t.json:13:50: error: too many patterns: this is pattern 3, and a rubric "
                  "may have 2 (max_patterns); no further pattern is compiled (at "
                  "/items/0/checks/2/pattern)");
    lim.max_patterns = 3;
    ASSERT_INT_EQ(load_limited(t, &lim), 0);

    lim = assay_limits_default();
    lim.max_pattern_bytes = 3;
    ASSERT_INT_EQ(load_limited(t, &lim), ASSAY_E_TOO_LARGE);
    ASSERT_INT_EQ(ndiags, 1);
    ASSERT_STR_EQ(first,
                  "t.json:12:50: error: the patterns up to this one total 4 bytes of text, "
                  "more than the 3 a rubric may have (max_pattern_bytes); no further "
                  "pattern is compiled (at /items/0/checks/1/pattern)");

    lim = assay_limits_default();
    lim.max_compiled_bytes = 1;
    ASSERT_INT_EQ(load_limited(t, &lim), ASSAY_E_TOO_LARGE);
    ASSERT_INT_EQ(ndiags, 1);
    ASSERT_STR_CONTAINS(first, "t.json:11:50: error: the patterns up to this one compile to ");
    ASSERT_STR_CONTAINS(first, "more than the 1 a rubric may take (max_compiled_bytes)");

    uint32_t jit = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &jit);
    lim = assay_limits_default();
    lim.max_jit_bytes = 1;
    if (jit) {
        ASSERT_INT_EQ(load_limited(t, &lim), ASSAY_E_TOO_LARGE);
        ASSERT_STR_CONTAINS(first, "t.json:11:50: error: the patterns up to this one take ");
        ASSERT_STR_CONTAINS(first, "bytes of JIT code, more than the 1 a rubric may take "
                                   "(max_jit_bytes)");
    } else {
        ASSERT_INT_EQ(load_limited(t, &lim), 0); /* no JIT here: no JIT code */
    }
}

/* A rubric with GOOD_CHECK's item and a top-level "feedback" of the given bands. */
static const char *rubric_with_bands(const char *bands)
{
    static char text[8192];
    snprintf(text, sizeof(text), "%s%s%s,\n  \"feedback\": {\"bands\": [%s]}\n}\n", head,
             "    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": \"pattern\", "
             "\"pattern\": \"x\", \"evidence\": {\"c1\": 1}}]}",
             "\n  ]", bands);
    return text;
}

static const char *band_at(const assay_rubric *r, const char *fraction)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_str(q, fraction, 10);
    mpq_canonicalize(q);
    const char *t = assay__rubric_band_text(r, q);
    mpq_clear(q);
    return t ? t : "(none)";
}

/* Feedback bands: compiled in order, the last band reached gives the text; and the mistakes. */
static void test_bands(void)
{
    const char *t = rubric_with_bands("{\"min\": 0, \"text\": \"low\"}, {\"min\": \"0.5\", "
                                      "\"text\": \"mid\"}, {\"min\": 0.8, \"text\": \"high\"}");
    assay_rubric *r = NULL;
    ASSERT_INT_EQ(assay_rubric_load_buffer(t, strlen(t), "t.json", NULL, &r, NULL), 0);
    if (r != NULL) {
        ASSERT_INT_EQ(r->nbands, 3);
        ASSERT_STR_EQ(band_at(r, "0"), "low");
        ASSERT_STR_EQ(band_at(r, "49/100"), "low");
        ASSERT_STR_EQ(band_at(r, "1/2"), "mid");
        ASSERT_STR_EQ(band_at(r, "4/5"), "high"); /* exactly on the threshold */
        ASSERT_STR_EQ(band_at(r, "799/1000"), "mid");
        ASSERT_STR_EQ(band_at(r, "1"), "high");
    }
    assay_rubric_destroy(r);
    /* Without bands, no text (the result has a generated sentence). */
    t = rubric_with(GOOD_CHECK);
    ASSERT_INT_EQ(assay_rubric_load_buffer(t, strlen(t), "t.json", NULL, &r, NULL), 0);
    if (r != NULL) {
        ASSERT_STR_EQ(band_at(r, "1"), "(none)");
    }
    assay_rubric_destroy(r);

    ASSERT_INT_EQ(load(rubric_with_bands("{\"min\": 0.1, \"text\": \"a\"}")), ASSAY_E_INVALID);
    ASSERT_STR_EQ(first,
                  "t.json:12:34: error: the first band's \"min\" must be 0, so every score "
                  "has a band (at /feedback/bands/0/min)");
    ASSERT_INT_EQ(
        load(rubric_with_bands("{\"min\": 0, \"text\": \"a\"}, {\"min\": 0, \"text\": "
                               "\"b\"}")),
        ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "bands must be in increasing order of \"min\" (at "
                               "/feedback/bands/1/min)");
    ASSERT_INT_EQ(load(rubric_with_bands("{\"min\": 0, \"text\": \"a\"}, {\"min\": 1.5, "
                                         "\"text\": \"b\"}")),
                  ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "\"min\" must be between 0 and 1 (at /feedback/bands/1/min)");
    ASSERT_INT_EQ(load(rubric_with_bands("{\"min\": 0}")), ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "missing required key \"text\" (at /feedback/bands/0/text)");
    ASSERT_INT_EQ(load(rubric_with_bands("{\"min\": 0, \"txt\": \"a\"}")), ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first,
                        "unknown key \"txt\" in a feedback band (did you mean \"text\"?)");
    ASSERT_INT_EQ(load(rubric_with_bands("")), ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "\"bands\" must not be empty (at /feedback/bands)");
}

int main(void)
{
    /* A valid rubric loads, with its identity and a stable hash. */
    ASSERT_INT_EQ(load(rubric_with(GOOD_CHECK)), 0);
    ASSERT_INT_EQ(ndiags, 0);
    {
        assay_rubric *r = NULL;
        const char *t = rubric_with(GOOD_CHECK);
        ASSERT_INT_EQ(assay_rubric_load_buffer(t, strlen(t), "t.json", NULL, &r, NULL), 0);
        ASSERT_STR_EQ(assay_rubric_id(r), "r");
        ASSERT_STR_EQ(assay_rubric_version(r), "1.0");
        ASSERT_INT_EQ(strlen(assay_rubric_sha256(r)), 64);
        char h1[65];
        strcpy(h1, assay_rubric_sha256(r));
        assay_rubric_destroy(r);
        /* Whitespace and key order do not change the canonical hash; content does. */
        char *t2 = malloc(strlen(t) + 64);
        strcpy(t2, t);
        for (char *p = t2; *p; p++) {
            if (*p == '\n') {
                *p = ' ';
            }
        }
        ASSERT_INT_EQ(assay_rubric_load_buffer(t2, strlen(t2), "t.json", NULL, &r, NULL), 0);
        ASSERT_STR_EQ(assay_rubric_sha256(r), h1);
        assay_rubric_destroy(r);
        char *x = strstr(t2, "\"T\"");
        x[1] = 'U';
        ASSERT_INT_EQ(assay_rubric_load_buffer(t2, strlen(t2), "t.json", NULL, &r, NULL), 0);
        ASSERT(strcmp(assay_rubric_sha256(r), h1) != 0);
        assay_rubric_destroy(r);
        free(t2);
    }

    /* Warnings leave the rubric valid: an empty pattern loads, with a warning at it. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"pattern\", \"pattern\": \"\", \"evidence\": {\"c1\": 1}}]}")),
        0);
    ASSERT_INT_EQ(ndiags, 1);
    ASSERT_STR_EQ(first,
                  "t.json:10:72: warning: the pattern is empty, so it matches any answer: "
                  "this search check passes whatever the learner writes (at "
                  "/items/0/checks/0/pattern)");

    /* JSON syntax errors carry jansson's position. */
    ASSERT_INT_EQ(load("{\n  \"assay\": 1,\n  \"id\": oops\n}"), ASSAY_E_SYNTAX);
    ASSERT_STR_CONTAINS(first, "t.json:3:");
    ASSERT_STR_CONTAINS(first, "invalid token");
    ASSERT_INT_EQ(load(""), ASSAY_E_SYNTAX);
    ASSERT_INT_EQ(load("{\"a\": 1, \"a\": 2}"), ASSAY_E_SYNTAX);
    ASSERT_STR_CONTAINS(first, "duplicate object key");
    ASSERT_INT_EQ(load("{\"a\": \"\xff\"}"), ASSAY_E_SYNTAX);
    ASSERT_STR_CONTAINS(first, "not valid UTF-8");
    ASSERT_INT_EQ(load("[1, 2]"), ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "must be a JSON object");

    /* A misspelt key: reported at the key, with a suggestion. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"pattern\", \"pattern\": \"x\", \"evidence\": {\"c1\": 1}, "
                         "\"feedbak\": {}}]}")),
        ASSAY_E_INVALID);
    ASSERT_STR_EQ(first,
                  "t.json:10:100: error: unknown key \"feedbak\" in a pattern check (did "
                  "you mean \"feedback\"?) (at /items/0/checks/0/feedbak)");

    /* Wrong type, at the value. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"pattern\", \"pattern\": 7, \"evidence\": {\"c1\": 1}}]}")),
        ASSAY_E_INVALID);
    ASSERT_STR_EQ(first, "t.json:10:72: error: \"pattern\" must be a string, not a number (at "
                         "/items/0/checks/0/pattern)");

    /* Duplicate check ids. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"pattern\", \"pattern\": \"x\", \"evidence\": {\"c1\": 1}},\n"
                         "     {\"id\": \"k1\", \"type\": \"pattern\", \"pattern\": "
                         "\"y\", \"evidence\": {\"c1\": 1}}]}")),
        ASSAY_E_INVALID);
    ASSERT_STR_EQ(first, "t.json:11:13: error: duplicate check id \"k1\" (at "
                         "/items/0/checks/1/id)");

    /* A competency used but not declared: at its key in "evidence". */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"pattern\", \"pattern\": \"x\", \"evidence\": {\"c1\": 1, "
                         "\"c9\": 1}}]}")),
        ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "competency \"c9\" is used but not declared");
    ASSERT_STR_CONTAINS(first, "(at /items/0/checks/0/evidence/c9)");
    ASSERT_STR_CONTAINS(first, "t.json:10:99:");

    /* A negative tolerance and an inverted interval. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"numeric\", \"expected\": 1, \"tolerance\": -0.5, "
                         "\"evidence\": {\"c1\": 1}}]}")),
        ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "negative tolerance");
    ASSERT_STR_CONTAINS(first, "(at /items/0/checks/0/tolerance)");
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"numeric\", \"interval\": \"[7, 5)\", "
                         "\"evidence\": {\"c1\": 1}}]}")),
        ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "inverted interval");
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"numeric\", \"interval\": \"(5, 5]\", "
                         "\"evidence\": {\"c1\": 1}}]}")),
        ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "empty interval");

    /* An invalid regex: PCRE2's message and the column of the offending character in the
     * file, with escapes counted as written: in "\u00e9\\d+)" the six-character escape is
     * one character of the pattern and the unmatched ')' is at column 83. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"pattern\", \"pattern\": \"x{2,1}\", "
                         "\"evidence\": {\"c1\": 1}}]}")),
        ASSAY_E_REGEX);
    ASSERT_STR_CONTAINS(first,
                        "invalid regular expression: numbers out of order in {} quantifier");
    ASSERT_STR_CONTAINS(first, "t.json:10:78:");
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"pattern\", \"pattern\": \"\\u00e9\\\\d+)\", "
                         "\"evidence\": {\"c1\": 1}}]}")),
        ASSAY_E_REGEX);
    ASSERT_STR_CONTAINS(first, "unmatched closing parenthesis");
    ASSERT_STR_CONTAINS(first, "t.json:10:83:");

    /* Callouts are refused. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k1\", \"type\": "
                         "\"pattern\", \"pattern\": \"a(?C1)b\", "
                         "\"evidence\": {\"c1\": 1}}]}")),
        ASSAY_E_REGEX);
    ASSERT_STR_CONTAINS(first, "callouts");

    /* Every problem is reported, not just the first. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"k 1\", \"type\": "
                         "\"pattern\", \"pattern\": \"(\", \"mode\": \"serch\", "
                         "\"evidence\": {\"zz\": 0}}]}")),
        ASSAY_E_INVALID);
    ASSERT(ndiags >= 4);

    /* Groups: members carry neither points nor evidence; at_least within range. */
    ASSERT_INT_EQ(
        load(rubric_with("    {\"id\": \"q1\", \"checks\": [{\"id\": \"g\", \"type\": "
                         "\"group\", \"rule\": {\"at_least\": 3}, \"evidence\": "
                         "{\"c1\": 1}, \"checks\": [{\"id\": \"m1\", \"type\": "
                         "\"pattern\", \"pattern\": \"a\", \"points\": 2}]}]}")),
        ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(first, "a check inside a group has no \"points\"");

    /* Scales: exactly one mastery level, increasing thresholds starting at 0. */
    {
        char t[4096];
        snprintf(t, sizeof(t),
                 "{\"assay\": 1, \"id\": \"r\", \"version\": \"1\", \"title\": \"T\",\n"
                 " \"scale\": {\"levels\": [{\"id\": \"a\", \"name\": \"A\", \"min\": 0.1},\n"
                 "   {\"id\": \"b\", \"name\": \"B\", \"min\": 0.05}]},\n"
                 " \"competencies\": [{\"id\": \"c1\", \"name\": \"C1\"}],\n"
                 " \"items\": [%s]}",
                 GOOD_CHECK);
        ASSERT_INT_EQ(load(t), ASSAY_E_INVALID);
        ASSERT_STR_CONTAINS(first, "the first level's \"min\" must be 0");
        ASSERT_INT_EQ(ndiags, 3); /* first min, order, no mastery */
    }

    /* A competency nothing is evidence for. */
    {
        char t[4096];
        snprintf(t, sizeof(t),
                 "{\"assay\": 1, \"id\": \"r\", \"version\": \"1\", \"title\": \"T\",\n"
                 " \"scale\": {\"levels\": [{\"id\": \"a\", \"name\": \"A\", \"min\": 0},\n"
                 "   {\"id\": \"b\", \"name\": \"B\", \"min\": 1, \"mastery\": true}]},\n"
                 " \"competencies\": [{\"id\": \"c1\", \"name\": \"C1\"}, {\"id\": \"c2\", "
                 "\"name\": \"C2\"}],\n"
                 " \"items\": [%s]}",
                 GOOD_CHECK);
        ASSERT_INT_EQ(load(t), ASSAY_E_INVALID);
        ASSERT_STR_CONTAINS(first, "competency \"c2\" is declared but no check is evidence");
    }

    /* Rubric limits: a rubric may not raise the match limit past the hard maximum. */
    {
        char t[4096];
        snprintf(t, sizeof(t),
                 "{\"assay\": 1, \"id\": \"r\", \"version\": \"1\", \"title\": \"T\",\n"
                 " \"settings\": {\"match_limit\": 999999999},\n"
                 " \"scale\": {\"levels\": [{\"id\": \"a\", \"name\": \"A\", \"min\": 0},\n"
                 "   {\"id\": \"b\", \"name\": \"B\", \"min\": 1, \"mastery\": true}]},\n"
                 " \"competencies\": [{\"id\": \"c1\", \"name\": \"C1\"}],\n"
                 " \"items\": [%s]}",
                 GOOD_CHECK);
        ASSERT_INT_EQ(load(t), ASSAY_E_INVALID);
        ASSERT_STR_CONTAINS(first, "\"match_limit\" must be between 1 and 5000000");
        ASSERT_STR_CONTAINS(first, "t.json:2:30:");
    }

    /* Size limit. */
    {
        assay_limits lim = assay_limits_default();
        lim.max_rubric_bytes = 10;
        assay_rubric *r = NULL;
        const char *t = rubric_with(GOOD_CHECK);
        ASSERT_INT_EQ(assay_rubric_load_buffer(t, strlen(t), "t.json", &lim, &r, NULL),
                      ASSAY_E_TOO_LARGE);
        ASSERT(r == NULL);
    }

    /* A missing file. */
    {
        assay_diags *d = assay_diags_create();
        assay_rubric *r = NULL;
        ASSERT_INT_EQ(assay_rubric_load_file("/nonexistent/x.json", NULL, &r, d), ASSAY_E_IO);
        ASSERT_INT_EQ(assay_diags_count(d), 1);
        ASSERT_STR_CONTAINS(assay_diags_get(d, 0)->message, "No such file");
        assay_diags_destroy(d);
    }

    test_compile_cost();
    test_bands();

    ASSERT_STR_EQ(assay_err_name(ASSAY_E_REGEX_LIMIT), "REGEX_LIMIT");
    ASSERT_STR_EQ(assay_strerror(ASSAY_E_SYNTAX), "JSON syntax error");
    assay_rubric_destroy(NULL);
    return tap_done();
}
