/*
 * test_report.c - unit tests for engine/src/report.c: the JSON pointer stack (RFC 6901
 * escapes, indexes, pushes refused when the pointer would not fit, and undone in order) and
 * the diagnostics of a load (placed by pointer at a key or a value, or at the nearest
 * ancestor; at an offset; without a place; counted, and listed only up to LD_MAX_DIAGS);
 * warnings, which are listed the same way but never count as errors.
 */
#include "report.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void test_path(void)
{
    ld_path *p = calloc(1, sizeof(*p));
    size_t a = assay__path_key(p, "items");
    size_t b = assay__path_index(p, 12);
    size_t c = assay__path_key(p, "a/b~c");
    ASSERT_STR_EQ(p->s, "/items/12/a~1b~0c");
    assay__path_pop(p, c);
    ASSERT_STR_EQ(p->s, "/items/12");
    size_t d = assay__path_key(p, "");
    ASSERT_STR_EQ(p->s, "/items/12/");
    assay__path_pop(p, d);
    assay__path_pop(p, b);
    assay__path_pop(p, a);
    ASSERT_STR_EQ(p->s, "");
    ASSERT_INT_EQ(p->n, 0);

    /* A key that does not fit is refused whole; later pushes too, until it is popped. */
    char *big = malloc(LD_PATH_BYTES);
    memset(big, 'k', LD_PATH_BYTES - 1);
    big[LD_PATH_BYTES - 1] = '\0';
    a = assay__path_key(p, "x");
    b = assay__path_key(p, big);
    ASSERT(b == LD_PUSH_REFUSED);
    c = assay__path_index(p, 3);
    ASSERT(c == LD_PUSH_REFUSED);
    ASSERT_STR_EQ(p->s, "/x");
    ASSERT_INT_EQ(p->over, 2);
    assay__path_pop(p, c);
    assay__path_pop(p, b);
    ASSERT_INT_EQ(p->over, 0);
    c = assay__path_index(p, 3);
    ASSERT_STR_EQ(p->s, "/x/3");
    assay__path_pop(p, c);
    assay__path_pop(p, a);
    ASSERT_STR_EQ(p->s, "");
    free(big);
    free(p);
}

static const char text[] = "{\n  \"a\": {\"b\": 1},\n  \"s\": \"xyz\"\n}\n";

static ld_report reporter(assay_diags *d)
{
    ld_report R;
    memset(&R, 0, sizeof(R));
    R.buf = text;
    R.len = strlen(text);
    R.source = "r.json";
    R.diags = d;
    return R;
}

/* The i-th diagnostic formatted. */
static const char *diag(const assay_diags *d, size_t i)
{
    static char line[1200];
    const assay_diag *g = assay_diags_get(d, i);
    if (g == NULL) {
        return "(none)";
    }
    assay_diag_format(g, line, sizeof(line));
    return line;
}

static void test_report(void)
{
    assay_diags *d = assay_diags_create();
    ld_report R = reporter(d);
    ld_path *p = calloc(1, sizeof(*p));
    size_t a = assay__path_key(p, "a");
    assay__report(&R, p, "b", false, ASSAY_E_INVALID, "value %d", 1);
    assay__report(&R, p, "b", true, ASSAY_E_INVALID, "key");
    /* A missing key is placed at the object that lacks it. */
    assay__report(&R, p, "zz", false, ASSAY_E_INVALID, "missing");
    assay__path_pop(p, a);
    assay__report_at(&R, "/s", 28, ASSAY_E_REGEX, "at the y");
    assay__report_plain(&R, ASSAY_E_TOO_LARGE, "the whole");
    ASSERT_STR_EQ(diag(d, 0), "r.json:2:14: error: value 1 (at /a/b)");
    ASSERT_STR_EQ(diag(d, 1), "r.json:2:9: error: key (at /a/b)");
    ASSERT_STR_EQ(diag(d, 2), "r.json:2:8: error: missing (at /a/zz)");
    ASSERT_STR_EQ(diag(d, 3), "r.json:3:10: error: at the y (at /s)");
    ASSERT_STR_EQ(diag(d, 4), "r.json: error: the whole");
    ASSERT_INT_EQ(assay_diags_get(d, 3)->code, ASSAY_E_REGEX);
    ASSERT_INT_EQ(R.errors, 5);
    ASSERT_INT_EQ(R.first_code, ASSAY_E_INVALID);
    /* An error without a diagnostic of its own is counted. */
    assay__report_count(&R, ASSAY_E_NOMEM);
    ASSERT_INT_EQ(R.errors, 6);
    ASSERT_INT_EQ(assay_diags_count(d), 5);

    /* Past LD_MAX_DIAGS problems are only counted (a plain report is always listed). */
    assay_diags_clear(d);
    R = reporter(d);
    for (int i = 0; i < LD_MAX_DIAGS + 7; i++) {
        assay__report(&R, p, "a", false, ASSAY_E_INVALID, "problem %d", i);
    }
    ASSERT_INT_EQ(assay_diags_count(d), LD_MAX_DIAGS);
    ASSERT_INT_EQ(R.errors, LD_MAX_DIAGS + 7);
    ASSERT_INT_EQ(R.unlisted, 7);
    ASSERT(assay__report_unlisted(&R, ASSAY_E_INVALID));
    ASSERT_INT_EQ(R.unlisted, 8);

    /* No diagnostics list: problems are still counted. */
    R = reporter(NULL);
    assay__report(&R, p, "a", false, ASSAY_E_INVALID, "nowhere to go");
    ASSERT_INT_EQ(R.errors, 1);

    /* A message cut in the middle of a UTF-8 character loses the broken piece. */
    assay_diags_clear(d);
    R = reporter(d);
    char msg[600];
    memset(msg, 'x', sizeof(msg));
    memcpy(msg + 511, "\xC3\xA9", 2); /* é straddles the end of the 512-byte field */
    msg[599] = '\0';
    assay__report_plain(&R, ASSAY_E_INVALID, "%s", msg + 1);
    const char *m = assay_diags_get(d, 0)->message;
    ASSERT_INT_EQ(strlen(m), 510);
    free(p);
    assay_diags_destroy(d);
}

static void test_warnings(void)
{
    assay_diags *d = assay_diags_create();
    ld_report R = reporter(d);
    ld_path *p = calloc(1, sizeof(*p));
    size_t a = assay__path_key(p, "a");
    assay__report_warning(&R, p, "b", false, "value %d", 1);
    assay__path_pop(p, a);
    assay__report_warning_at(&R, "/s", 28, "at the y");
    ASSERT_STR_EQ(diag(d, 0), "r.json:2:14: warning: value 1 (at /a/b)");
    ASSERT_STR_EQ(diag(d, 1), "r.json:3:10: warning: at the y (at /s)");
    ASSERT_INT_EQ(assay_diags_get(d, 0)->severity, ASSAY_SEVERITY_WARNING);
    ASSERT_INT_EQ(assay_diags_get(d, 0)->code, ASSAY_E_OK);
    ASSERT_INT_EQ(R.errors, 0);
    ASSERT_INT_EQ(R.warnings, 2);
    ASSERT_INT_EQ(assay_diags_warnings(d), 2);
    assay__report(&R, p, "a", false, ASSAY_E_INVALID, "an error");
    ASSERT_INT_EQ(assay_diags_warnings(d), 2);
    ASSERT_INT_EQ(R.errors, 1);

    /* Warnings share the LD_MAX_DIAGS listed; the summary line is a warning when there is
     * no error, and counts as none. */
    assay_diags_clear(d);
    R = reporter(d);
    for (int i = 0; i < LD_MAX_DIAGS + 3; i++) {
        assay__report_warning(&R, p, "a", false, "warning %d", i);
    }
    assay__report_finish(&R);
    ASSERT_INT_EQ(assay_diags_count(d), LD_MAX_DIAGS + 1);
    ASSERT_INT_EQ(R.errors, 0);
    ASSERT_INT_EQ(R.warnings, LD_MAX_DIAGS + 3);
    ASSERT_STR_EQ(diag(d, LD_MAX_DIAGS),
                  "r.json: warning: 3 more problems are not listed (the first 100 are)");
    /* With an error among them, it is an error line. */
    assay_diags_clear(d);
    R = reporter(d);
    for (int i = 0; i < LD_MAX_DIAGS; i++) {
        assay__report_warning(&R, p, "a", false, "warning %d", i);
    }
    assay__report(&R, p, "a", false, ASSAY_E_INVALID, "an error, unlisted");
    assay__report_finish(&R);
    ASSERT_INT_EQ(R.errors, 1);
    ASSERT_STR_EQ(diag(d, LD_MAX_DIAGS),
                  "r.json: error: 1 more problems are not listed (the first 100 are)");
    free(p);
    assay_diags_destroy(d);
}

int main(void)
{
    test_path();
    test_report();
    test_warnings();
    return tap_done();
}
