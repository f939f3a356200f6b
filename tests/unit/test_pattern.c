/*
 * test_pattern.c - unit tests for engine/src/pattern.c: compiling with the rubric's flags
 * (Unicode by default, ASCII on request, whole-answer anchoring), compile errors and refused
 * callouts with the offset of the offending character, matching with per-thread match data
 * that grows, and the match limit turning a runaway pattern into an error.
 */
#include "pattern.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Compiles src with flags into p; asserts it compiles. */
static void compile(pat_regex *p, const char *src, unsigned flags)
{
    char msg[400] = "";
    size_t eo = 0;
    memset(p, 0, sizeof(*p));
    int rc = assay__pattern_compile(p, src, strlen(src), flags, msg, sizeof(msg), &eo);
    if (rc != 0) {
        printf("#   \"%s\": %s\n", src, msg);
    }
    ASSERT_INT_EQ(rc, 0);
}

/* Whether src (compiled with flags) matches subject: 1, 0, or a negative PCRE2 error. */
static int matches(pat_matcher *m, const char *src, unsigned flags, const char *subject)
{
    pat_regex p;
    compile(&p, src, flags);
    int rc = p.code ? assay__pattern_match(m, &p, subject, strlen(subject), 0) : -999;
    assay__pattern_free(&p);
    return rc > 0 ? 1 : rc;
}

static void test_flags(pat_matcher *m)
{
    /* Unicode: caseless folds é/É, \d and \w know other scripts unless ASCII is asked for. */
    ASSERT_INT_EQ(matches(m,
                          "\xC3\xA9"
                          "cole",
                          PAT_CASELESS,
                          "\xC3\x89"
                          "COLE"),
                  1);
    ASSERT_INT_EQ(matches(m,
                          "\xC3\xA9"
                          "cole",
                          0,
                          "\xC3\x89"
                          "COLE"),
                  0);
    ASSERT_INT_EQ(matches(m, "^\\d$", 0, "\xD9\xA3"), 1); /* ARABIC-INDIC DIGIT THREE */
    ASSERT_INT_EQ(matches(m, "^\\d$", PAT_ASCII, "\xD9\xA3"), 0);
    ASSERT_INT_EQ(matches(m, "^\\d$", PAT_ASCII, "3"), 1);
    /* . is one character, not one byte. */
    ASSERT_INT_EQ(matches(m, "^.$", 0, "\xE2\x82\xAC"), 1);
    /* multiline, dotall, extended. */
    ASSERT_INT_EQ(matches(m, "^b", 0, "a\nb"), 0);
    ASSERT_INT_EQ(matches(m, "^b", PAT_MULTILINE, "a\nb"), 1);
    ASSERT_INT_EQ(matches(m, "a.b", 0, "a\nb"), 0);
    ASSERT_INT_EQ(matches(m, "a.b", PAT_DOTALL, "a\nb"), 1);
    ASSERT_INT_EQ(matches(m, "a b # comment", PAT_EXTENDED, "ab"), 1);
    /* Whole: anchored at both ends, and "$" accepts no trailing newline. */
    ASSERT_INT_EQ(matches(m, "\\d+", PAT_WHOLE, "12"), 1);
    ASSERT_INT_EQ(matches(m, "\\d+", PAT_WHOLE, "12a"), 0);
    ASSERT_INT_EQ(matches(m, "\\d+", PAT_WHOLE, "a12"), 0);
    ASSERT_INT_EQ(matches(m, "\\d+$", PAT_WHOLE, "12\n"), 0);
    ASSERT_INT_EQ(matches(m, "\\d+$", 0, "12\n"), 1);
}

static void test_anchored(void)
{
    pat_regex p;
    compile(&p, "abc", 0);
    ASSERT(!p.anchored);
    assay__pattern_free(&p);
    compile(&p, "^abc", 0);
    ASSERT(p.anchored);
    assay__pattern_free(&p);
    compile(&p, "\\Aabc", 0);
    ASSERT(p.anchored);
    assay__pattern_free(&p);
    compile(&p, "abc", PAT_WHOLE);
    ASSERT(p.anchored);
    assay__pattern_free(&p);
    ASSERT(p.code == NULL);
    /* Freeing twice, or a pattern never compiled, is harmless. */
    assay__pattern_free(&p);
}

/* Compiles src, which must fail; returns the error offset and puts the message in msg. */
static size_t compile_error(const char *src, char *msg, size_t msglen)
{
    pat_regex p;
    memset(&p, 0, sizeof(p));
    size_t eo = 9999;
    ASSERT_INT_EQ(assay__pattern_compile(&p, src, strlen(src), 0, msg, msglen, &eo),
                  ASSAY_E_REGEX);
    ASSERT(p.code == NULL);
    return eo;
}

static void test_compile_errors(void)
{
    char msg[400];
    ASSERT_INT_EQ(compile_error("ab(c", msg, sizeof(msg)), 4);
    ASSERT_STR_CONTAINS(msg, "invalid regular expression: missing closing parenthesis");
    ASSERT_STR_CONTAINS(msg, "at offset 4");
    ASSERT_INT_EQ(compile_error("a[z-a]", msg, sizeof(msg)), 4);
    ASSERT_STR_CONTAINS(msg, "range out of order");
    /* \C could split a UTF-8 character: refused. */
    ASSERT_INT_EQ(compile_error("a\\Cb", msg, sizeof(msg)), 3);
    /* Callouts are refused, placed at their "(?C". */
    ASSERT_INT_EQ(compile_error("ab(?C1)c", msg, sizeof(msg)), 2);
    ASSERT_STR_EQ(msg, "callouts (?C...) are not allowed in rubric patterns");
    ASSERT_INT_EQ(compile_error("x(?C'tag')y", msg, sizeof(msg)), 1);
    ASSERT_INT_EQ(compile_error("x(?C)y", msg, sizeof(msg)), 1);
    /* A quoted "(?C" earlier is no callout: the real one is named. */
    ASSERT_INT_EQ(compile_error("\\Q(?C\\E-(?C2)", msg, sizeof(msg)), 8);
    /* The message is cut to the room given, never overrun. */
    char tiny[8];
    memset(tiny, 'Z', sizeof(tiny));
    compile_error("ab(c", tiny, sizeof(tiny));
    ASSERT_INT_EQ(strlen(tiny), sizeof(tiny) - 1);
}

static void test_match_data(pat_matcher *m)
{
    /* 40 groups: more than the match data holds at first; it grows. */
    char src[200] = "", subject[64] = "";
    for (int i = 0; i < 40; i++) {
        strcat(src, "(.)");
        strcat(subject, "x");
    }
    strcat(src, "(?<last>y)");
    strcat(subject, "y");
    pat_regex p;
    compile(&p, src, 0);
    ASSERT_INT_EQ(assay__pattern_match(m, &p, subject, strlen(subject), 0), 42);
    ASSERT(m->md_pairs >= 42);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    ASSERT_INT_EQ(ov[2 * 41], 40);
    ASSERT_INT_EQ(ov[2 * 41 + 1], 41);
    assay__pattern_free(&p);

    /* A start offset: the search begins there. */
    compile(&p, "a", 0);
    ASSERT_INT_EQ(assay__pattern_match(m, &p, "a-a", 3, 1), 1);
    ov = pcre2_get_ovector_pointer(m->md);
    ASSERT_INT_EQ(ov[0], 2);
    ASSERT_INT_EQ(assay__pattern_match(m, &p, "a-a", 3, 3), 0);
    assay__pattern_free(&p);
}

static void test_limits(pat_matcher *m)
{
    /* Nested quantifiers on a subject that cannot match backtrack exponentially: the match
     * limit stops them with an error, whether or not JIT compiled the pattern. */
    char subject[64];
    memset(subject, 'a', 40);
    subject[40] = 'b';
    subject[41] = '\0';
    assay__matcher_limits(m, 10000, 1000, 1000);
    pat_regex p;
    compile(&p, "^(a+)+$", 0);
    int rc = assay__pattern_match(m, &p, subject, strlen(subject), 0);
    ASSERT_INT_EQ(rc, PCRE2_ERROR_MATCHLIMIT);
    char why[200];
    assay__pattern_error(rc, why, sizeof(why));
    ASSERT_STR_EQ(why, "exceeded its match limit (too much backtracking)");
    /* The same subject without the trap matches quickly under the same limit. */
    subject[40] = 'a';
    ASSERT_INT_EQ(assay__pattern_match(m, &p, subject, strlen(subject), 0), 2);
    assay__pattern_free(&p);

    assay__pattern_error(PCRE2_ERROR_DEPTHLIMIT, why, sizeof(why));
    ASSERT_STR_EQ(why, "exceeded its depth limit");
    assay__pattern_error(PCRE2_ERROR_HEAPLIMIT, why, sizeof(why));
    ASSERT_STR_EQ(why, "exceeded its heap limit");
    assay__pattern_error(PCRE2_ERROR_JIT_STACKLIMIT, why, sizeof(why));
    ASSERT_STR_EQ(why, "exceeded the JIT stack limit");
    assay__pattern_error(PCRE2_ERROR_NOMEMORY, why, sizeof(why));
    ASSERT_STR_CONTAINS(why, "failed: ");
    ASSERT(strlen(why) > strlen("failed: "));
}

int main(void)
{
    pat_matcher m;
    ASSERT_INT_EQ(assay__matcher_init(&m), 0);
    assay__matcher_limits(&m, 1000000, 10000, 20000);
    test_flags(&m);
    test_anchored();
    test_compile_errors();
    test_match_data(&m);
    test_limits(&m);
    assay__matcher_finish(&m);
    return tap_done();
}
