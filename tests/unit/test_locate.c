/*
 * test_locate.c - unit tests for engine/src/locate.c: JSON pointers placed in the text
 * (values and keys, escaped keys, array indexes, pointers that lead nowhere), line and
 * column in characters, offsets inside string literals with escapes, and where a JSON syntax
 * error really is.
 */
#include "locate.h"
#include "tap.h"

#include <string.h>

static const char doc[] = "{\n"
                          "  \"a\": 1,\n"
                          "  \"list\": [10, {\"x\": true}, \"z\"],\n"
                          "  \"a/b\": {\"m~n\": null},\n"
                          "  \"\\u00e9t\\u00e9\": \"summer\"\n"
                          "}\n";

/* The offset of the first occurrence of needle in doc. */
static size_t at(const char *needle)
{
    const char *p = strstr(doc, needle);
    return p ? (size_t)(p - doc) : (size_t)-1;
}

/* assay__locate's offset for pointer, or (size_t)-1 when it leads nowhere. */
static size_t loc(const char *pointer, bool at_key)
{
    size_t off = 12345;
    if (assay__locate(doc, strlen(doc), pointer, at_key, &off) != 0) {
        return (size_t)-1;
    }
    return off;
}

static void test_pointers(void)
{
    ASSERT_INT_EQ(loc("", false), 0);
    ASSERT_INT_EQ(loc("/a", false), at("1,"));
    ASSERT_INT_EQ(loc("/a", true), at("\"a\""));
    ASSERT_INT_EQ(loc("/list", false), at("[10"));
    ASSERT_INT_EQ(loc("/list/0", false), at("10"));
    ASSERT_INT_EQ(loc("/list/1", false), at("{\"x\""));
    ASSERT_INT_EQ(loc("/list/1/x", false), at("true"));
    ASSERT_INT_EQ(loc("/list/1/x", true), at("\"x\""));
    ASSERT_INT_EQ(loc("/list/2", false), at("\"z\""));
    /* An array element "at its key" is the element itself. */
    ASSERT_INT_EQ(loc("/list/2", true), at("\"z\""));
    /* RFC 6901 escapes: ~1 is '/', ~0 is '~'. */
    ASSERT_INT_EQ(loc("/a~1b", false), at("{\"m~n\""));
    ASSERT_INT_EQ(loc("/a~1b/m~0n", false), at("null"));
    /* Keys are compared decoded: \u00e9 in the text is é in the pointer. */
    ASSERT_INT_EQ(loc("/\xC3\xA9t\xC3\xA9", false), at("\"summer\""));
    ASSERT_INT_EQ(loc("/\xC3\xA9t\xC3\xA9", true), at("\"\\u00e9"));

    /* Pointers that lead nowhere. */
    ASSERT_INT_EQ(loc("/missing", false), (size_t)-1);
    ASSERT_INT_EQ(loc("/list/3", false), (size_t)-1);
    ASSERT_INT_EQ(loc("/list/x", false), (size_t)-1);
    ASSERT_INT_EQ(loc("/list/", false), (size_t)-1);
    ASSERT_INT_EQ(loc("/a/b", false), (size_t)-1);
    /* A '~' that is no escape is read as itself. */
    ASSERT_INT_EQ(loc("/a~1b/m~n", false), at("null"));

    /* A key longer than any fixed buffer is still found. */
    char big[4100], ptr[2001];
    memset(ptr, 'k', 2000);
    ptr[0] = '/';
    ptr[2000] = '\0';
    snprintf(big, sizeof(big), "{\"%s\": 7}", ptr + 1);
    size_t off = 0;
    ASSERT_INT_EQ(assay__locate(big, strlen(big), ptr, false, &off), 0);
    ASSERT_INT_EQ(off, strlen(big) - 2);
}

static void test_line_col(void)
{
    int line = 0, col = 0;
    assay__line_col(doc, strlen(doc), 0, &line, &col);
    ASSERT_INT_EQ(line, 1);
    ASSERT_INT_EQ(col, 1);
    assay__line_col(doc, strlen(doc), at("\"list\""), &line, &col);
    ASSERT_INT_EQ(line, 3);
    ASSERT_INT_EQ(col, 3);
    /* Columns count characters, not bytes: "é" is one column. */
    const char *t = "ab\n\xC3\xA9\xC3\xA9x";
    assay__line_col(t, strlen(t), 7, &line, &col);
    ASSERT_INT_EQ(line, 2);
    ASSERT_INT_EQ(col, 3);
    /* An offset past the end stops at the end. */
    assay__line_col(t, strlen(t), 1000, &line, &col);
    ASSERT_INT_EQ(line, 2);
    ASSERT_INT_EQ(col, 4);
}

static void test_string_offset(void)
{
    /* The literal "a\nb\u00e9c\ud83d\ude00d" decodes to a, LF, b, é (2 bytes), c, U+1F600 (4
     * bytes), d. */
    const char *t = "x = \"a\\nb\\u00e9c\\ud83d\\ude00d\"";
    size_t q = 4;                                                 /* the opening quote */
    ASSERT_INT_EQ(assay__string_offset(t, strlen(t), q, 0), 5);   /* a */
    ASSERT_INT_EQ(assay__string_offset(t, strlen(t), q, 1), 6);   /* \n */
    ASSERT_INT_EQ(assay__string_offset(t, strlen(t), q, 2), 8);   /* b */
    ASSERT_INT_EQ(assay__string_offset(t, strlen(t), q, 3), 9);   /* \u00e9 */
    ASSERT_INT_EQ(assay__string_offset(t, strlen(t), q, 5), 15);  /* c */
    ASSERT_INT_EQ(assay__string_offset(t, strlen(t), q, 6), 16);  /* the surrogate pair */
    ASSERT_INT_EQ(assay__string_offset(t, strlen(t), q, 10), 28); /* d */
    /* Past the end of the string: its closing quote. */
    ASSERT_INT_EQ(assay__string_offset(t, strlen(t), q, 99), strlen(t) - 1);
}

/* Parses text, which must be broken, and returns where its syntax error is said to be. */
static size_t syntax_at(const char *text)
{
    json_error_t je;
    json_t *v = json_loadb(text, strlen(text), 0, &je);
    ASSERT(v == NULL);
    json_decref(v);
    return assay__locate_syntax_error(text, strlen(text), &je);
}

static void test_syntax_errors(void)
{
    /* A bad word is traced back to its first character. */
    ASSERT_INT_EQ(syntax_at("{\"a\": tru}"), 6);
    ASSERT_INT_EQ(syntax_at("[1, 2, nul]"), 7);
    /* A string where none may stand: its opening quote. */
    ASSERT_INT_EQ(syntax_at("{\"a\" \"b\"}"), 5);
    /* A bad escape: the character after the backslash. */
    ASSERT_INT_EQ(syntax_at("{\"a\": \"x\\q\"}"), 9);
    /* Invalid UTF-8: the offending byte itself. */
    ASSERT_INT_EQ(syntax_at("[\"ab\xFF\"]"), 4);
    /* A trailing comma: the bracket after it (a file ends with a newline). */
    const char *tc = "[1, 2,\n ]\n";
    size_t off = syntax_at(tc);
    ASSERT_INT_EQ(off, 8);
    ASSERT(assay__locate_trailing_comma(tc, strlen(tc), off));
    ASSERT(!assay__locate_trailing_comma("[1 ]", 4, 3));
    ASSERT(!assay__locate_trailing_comma("[1,2]", 5, 2));
    ASSERT(!assay__locate_trailing_comma("]", 1, 5));
    /* Empty input and input cut short: the end. */
    ASSERT_INT_EQ(syntax_at(""), 0);
    ASSERT_INT_EQ(syntax_at("{\"a\": [1, 2"), 11);
}

int main(void)
{
    test_pointers();
    test_line_col();
    test_string_offset();
    test_syntax_errors();
    return tap_done();
}
