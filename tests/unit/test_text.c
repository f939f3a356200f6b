/*
 * test_text.c - unit tests for engine/src/text.c: Unicode White_Space recognition at both
 * ends of a byte range, trimming, and normalisation (trim and collapse).
 */
#include "tap.h"
#include "text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NBSP   "\xC2\xA0"     /* U+00A0 NO-BREAK SPACE */
#define IDEOSP "\xE3\x80\x80" /* U+3000 IDEOGRAPHIC SPACE */
#define ZWSP   "\xE2\x80\x8B" /* U+200B ZERO WIDTH SPACE, not White_Space */

/* Encodes code point cp as UTF-8 into buf; returns the length. */
static size_t utf8(unsigned long cp, char *buf)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The White_Space property, written out independently of text.c. */
static bool is_white_space(unsigned long cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Every code point: space_at and space_before agree with the property, alone and in text. */
static void test_every_code_point(void)
{
    int wrong_at = 0, wrong_before = 0, wrong_context = 0, wrong_short = 0;
    for (unsigned long cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            continue;
        }
        char buf[16];
        size_t n = utf8(cp, buf + 1);
        size_t want = is_white_space(cp) ? n : 0;
        if (assay__text_space_at(buf + 1, n) != want) {
            wrong_at++;
        }
        if (assay__text_space_before(buf + 1, n) != want) {
            wrong_before++;
        }
        /* Framed by letters: "a<cp>b". */
        buf[0] = 'a';
        buf[n + 1] = 'b';
        if (assay__text_space_at(buf + 1, n + 1) != want ||
            assay__text_space_before(buf, n + 1) != want) {
            wrong_context++;
        }
        /* A character cut short is never a space, except the one-byte ones. */
        if (n > 1 && (assay__text_space_at(buf + 1, n - 1) != 0 ||
                      assay__text_space_before(buf + 1, n - 1) != 0)) {
            wrong_short++;
        }
    }
    ASSERT_INT_EQ(wrong_at, 0);
    ASSERT_INT_EQ(wrong_before, 0);
    ASSERT_INT_EQ(wrong_context, 0);
    ASSERT_INT_EQ(wrong_short, 0);
}

typedef struct space_case {
    const char *s;
    size_t at, before;
} space_case;

static const space_case space_cases[] = {
    {"", 0, 0},
    {" ", 1, 1},
    {"\t", 1, 1},
    {"\n", 1, 1},
    {"\v", 1, 1},
    {"\f", 1, 1},
    {"\r", 1, 1},
    {"a", 0, 0},
    {"\x08", 0, 0},
    {"\x0E", 0, 0},
    {"\xC2\x85", 2, 2},         /* U+0085 NEXT LINE */
    {"\xC2\xA0", 2, 2},         /* U+00A0 NO-BREAK SPACE */
    {"\xC2\xA1", 0, 0},         /* U+00A1 */
    {"\xC3\xA9", 0, 0},         /* U+00E9 */
    {"\xE1\x9A\x80", 3, 3},     /* U+1680 OGHAM SPACE MARK */
    {"\xE1\xA0\x8E", 0, 0},     /* U+180E, no longer White_Space */
    {"\xE2\x80\x80", 3, 3},     /* U+2000 */
    {"\xE2\x80\x8A", 3, 3},     /* U+200A */
    {"\xE2\x80\x8B", 0, 0},     /* U+200B ZERO WIDTH SPACE, not White_Space */
    {"\xE2\x80\xA8", 3, 3},     /* U+2028 LINE SEPARATOR */
    {"\xE2\x80\xA9", 3, 3},     /* U+2029 PARAGRAPH SEPARATOR */
    {"\xE2\x80\xAF", 3, 3},     /* U+202F NARROW NO-BREAK SPACE */
    {"\xE2\x80\xB0", 0, 0},     /* U+2030 */
    {"\xE2\x81\x9F", 3, 3},     /* U+205F MEDIUM MATHEMATICAL SPACE */
    {"\xE2\x81\xA0", 0, 0},     /* U+2060 WORD JOINER */
    {"\xE3\x80\x80", 3, 3},     /* U+3000 IDEOGRAPHIC SPACE */
    {"\xE3\x80\x81", 0, 0},     /* U+3001 */
    {"\xEF\xBB\xBF", 0, 0},     /* U+FEFF */
    {"\xF0\x9F\x98\x80", 0, 0}, /* U+1F600 */
    {" a", 1, 0},
    {"a ", 0, 1},
    {"\xC2\xA0x", 2, 0},
    {"x\xC2\xA0", 0, 2},
    {"\xE3\x80\x80\xC2\xA0", 3, 2},
    {"\xC2\xA0\xE3\x80\x80", 2, 3},
    {"\xE2\x80\xA8 ", 3, 1},
    {"\xC3\xA9\xE2\x80\xA9", 0, 3},
};

static void test_space_cases(void)
{
    for (size_t i = 0; i < sizeof space_cases / sizeof space_cases[0]; i++) {
        const space_case *c = &space_cases[i];
        int before = tap_failed;
        size_t len = strlen(c->s);
        ASSERT_INT_EQ(assay__text_space_at(c->s, len), c->at);
        ASSERT_INT_EQ(assay__text_space_before(c->s, len), c->before);
        tap_note(before, "space", c->s);
    }
    /* len limits what is looked at. */
    ASSERT_INT_EQ(assay__text_space_at("\xC2\xA0", 1), 0);
    ASSERT_INT_EQ(assay__text_space_at("\xE3\x80\x80", 2), 0);
    ASSERT_INT_EQ(assay__text_space_at(" ", 0), 0);
    ASSERT_INT_EQ(assay__text_space_before("a ", 1), 0);
    ASSERT_INT_EQ(assay__text_space_before("\xE3\x80\x80x", 3), 3);
    /* A U+00A0 whose lead byte lies before the range is not seen by space_before. */
    const char *nbsp = "\xC2\xA0";
    ASSERT_INT_EQ(assay__text_space_before(nbsp + 1, 1), 0);
    ASSERT_INT_EQ(assay__text_space_at(NULL, 0), 0);
    ASSERT_INT_EQ(assay__text_space_before(NULL, 0), 0);
}

typedef struct trim_case {
    const char *s;
    const char *out;
} trim_case;

static const trim_case trim_cases[] = {
    {"abc", "abc"},
    {"  abc  ", "abc"},
    {"\t\n\r\v\fab \xC2\x85", "ab"},
    {NBSP "abc" IDEOSP, "abc"},
    {"\xE2\x80\xA8x\xE2\x80\xA9", "x"},
    {"\xE1\x9A\x80\xE2\x80\x80\xE2\x80\x8A y \xE2\x81\x9F\xE2\x80\xAF", "y"},
    {"a b", "a b"},
    {" a" NBSP NBSP "b ", "a" NBSP NBSP "b"},
    {"   ", ""},
    {"\xC2\xA0\xE3\x80\x80\xE2\x80\xA8", ""},
    {"", ""},
    {ZWSP "a" ZWSP, ZWSP "a" ZWSP},
    {"\xC3\xA9 ", "\xC3\xA9"},
    {" \xC3\xA0", "\xC3\xA0"},
};

static void test_trim(void)
{
    for (size_t i = 0; i < sizeof trim_cases / sizeof trim_cases[0]; i++) {
        const trim_case *c = &trim_cases[i];
        int before = tap_failed;
        size_t start = 0, end = strlen(c->s);
        assay__text_trim(c->s, &start, &end);
        ASSERT(start <= end);
        ASSERT_INT_EQ(end - start, strlen(c->out));
        ASSERT(memcmp(c->s + start, c->out, strlen(c->out)) == 0);
        tap_note(before, "trim", c->s);
    }
    /* Only [start, end) is looked at. */
    const char *s = "xx  ab  yy";
    size_t start = 2, end = 8;
    assay__text_trim(s, &start, &end);
    ASSERT_INT_EQ(start, 4);
    ASSERT_INT_EQ(end, 6);
    /* A range of spaces collapses to an empty range at its start... */
    start = 2;
    end = 4;
    assay__text_trim(s, &start, &end);
    ASSERT_INT_EQ(start, end);
    ASSERT_INT_EQ(start, 4);
    /* ...and an empty range stays as it was. */
    start = end = 3;
    assay__text_trim(s, &start, &end);
    ASSERT_INT_EQ(start, 3);
    ASSERT_INT_EQ(end, 3);
}

typedef struct norm_case {
    const char *s;
    bool trim, collapse;
    const char *out;
} norm_case;

static const norm_case norm_cases[] = {
    {"  a  b  ", true, true, "a b"},
    {"  a  b  ", false, true, " a b "},
    {"  a  b  ", true, false, "a  b"},
    {"  a  b  ", false, false, "  a  b  "},
    {"a" NBSP IDEOSP "b", false, true, "a b"},
    {"a" NBSP IDEOSP "b", true, false, "a" NBSP IDEOSP "b"},
    {"a\xE2\x80\xA8\nb", true, true, "a b"},
    {"\xE2\x80\xA9 a \xE2\x80\xAF\t b \xC2\x85", true, true, "a b"},
    {"\xE2\x80\xA9 a \xE2\x80\xAF\t b \xC2\x85", false, true, " a b "},
    {IDEOSP, true, true, ""},
    {IDEOSP, false, true, " "},
    {IDEOSP, true, false, ""},
    {IDEOSP, false, false, IDEOSP},
    {"", true, true, ""},
    {"", false, false, ""},
    {"\xC3\xA9  \xC3\xBC", true, true, "\xC3\xA9 \xC3\xBC"},
    {"a" ZWSP "b", true, true, "a" ZWSP "b"},
    {"one two", true, true, "one two"},
    {"a\tb\tc", true, true, "a b c"},
    {"\xE1\x9A\x80x\xE2\x81\x9F\xE2\x80\x80y", true, true, "x y"},
};

/* Normalises into a new buffer of len + 1 bytes, the room a grader's scratch gives it. */
static char *normalized(const char *s, size_t len, bool trim, bool collapse, size_t *out_len)
{
    char *buf = malloc(len + 1);
    if (buf == NULL) {
        return NULL;
    }
    size_t n = assay__text_normalize(s, len, trim, collapse, buf);
    if (out_len != NULL) {
        *out_len = n;
    }
    return buf;
}

static void test_normalize(void)
{
    for (size_t i = 0; i < sizeof norm_cases / sizeof norm_cases[0]; i++) {
        const norm_case *c = &norm_cases[i];
        int before = tap_failed;
        size_t out_len = 12345;
        char *got = normalized(c->s, strlen(c->s), c->trim, c->collapse, &out_len);
        ASSERT_STR_EQ(got, c->out);
        ASSERT_INT_EQ(out_len, strlen(c->out));
        free(got);
        tap_note(before, "normalize", c->s);
    }
    /* Only len bytes are read, embedded NULs are kept, and out_len may be NULL. */
    size_t out_len = 0;
    char *got = normalized("a\0  b  c", 6, true, true, &out_len);
    ASSERT(got != NULL);
    ASSERT_INT_EQ(out_len, 4);
    ASSERT(got != NULL && memcmp(got, "a\0 b", 5) == 0);
    free(got);
    got = normalized(" x ", 3, true, true, NULL);
    ASSERT_STR_EQ(got, "x");
    free(got);
    got = normalized(NULL, 0, true, true, &out_len);
    ASSERT_STR_EQ(got, "");
    ASSERT_INT_EQ(out_len, 0);
    free(got);
}

/*
 * Every code point between two letters: collapsing turns it into one space exactly when it is
 * White_Space, so the normaliser's quick scan for lead bytes misses none. The buffer is reused
 * from one code point to the next, as a grader's scratch is.
 */
static void test_normalize_every_code_point(void)
{
    char in[8], out[8];
    int wrong = 0;
    for (unsigned long cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            continue;
        }
        in[0] = 'x';
        size_t n = 1 + utf8(cp, in + 1);
        in[n++] = 'y';
        size_t len = assay__text_normalize(in, n, false, true, out);
        bool spaced = len == 3 && memcmp(out, "x y", 4) == 0;
        bool kept = len == n && memcmp(out, in, n) == 0 && out[n] == '\0';
        if (is_white_space(cp) ? !spaced : !kept) {
            if (wrong++ == 0) {
                printf("#   first wrong code point U+%04lX\n", cp);
            }
        }
    }
    ASSERT_INT_EQ(wrong, 0);
}

int main(void)
{
    test_every_code_point();
    test_space_cases();
    test_trim();
    test_normalize();
    test_normalize_every_code_point();
    return tap_done();
}
