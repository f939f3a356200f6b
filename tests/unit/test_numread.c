/*
 * test_numread.c - unit tests for engine/src/numread.c: the learner number grammar (accepted,
 * empty and rejected answers, offsets, the digit limit, random input) and rubric numbers.
 * Most tests are tables; a failing row prints its input as a TAP comment.
 */
#include "dec_helpers.h"
#include "numread.h"
#include "tap.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* UTF-8 spellings used in the tables. */
#define MINUS  "\xE2\x88\x92" /* U+2212 MINUS SIGN */
#define TIMES  "\xC3\x97"     /* U+00D7 MULTIPLICATION SIGN */
#define NBSP   "\xC2\xA0"     /* U+00A0 NO-BREAK SPACE */
#define NNBSP  "\xE2\x80\xAF" /* U+202F NARROW NO-BREAK SPACE */
#define IDEOSP "\xE3\x80\x80" /* U+3000 IDEOGRAPHIC SPACE */
#define LSEP   "\xE2\x80\xA8" /* U+2028 LINE SEPARATOR */
#define PSEP   "\xE2\x80\xA9" /* U+2029 PARAGRAPH SEPARATOR */
#define DEGREE "\xC2\xB0"     /* U+00B0 DEGREE SIGN */

/* ---- Learner answers: accepted ----------------------------------------------------------- */

typedef struct ok_case {
    const char *in;
    char sep; /* '.' or ',' */
    bool grouping;
    bool unit;             /* allow_unit */
    const char *value;     /* canonical text of the value */
    int sig;               /* significant figures */
    const char *unit_text; /* expected unit, "" for none */
} ok_case;

static const ok_case ok_cases[] = {
    /* Plain numbers, signs, whitespace. */
    {"0", '.', false, false, "0", 1, ""},
    {"42", '.', false, false, "42", 2, ""},
    {"  42  ", '.', false, false, "42", 2, ""},
    {"\t42\n", '.', false, false, "42", 2, ""},
    {NBSP "42" IDEOSP, '.', false, false, "42", 2, ""},
    {LSEP "42" PSEP, '.', false, false, "42", 2, ""},
    {"-3.5", '.', false, false, "-3.5", 2, ""},
    {"+2", '.', false, false, "2", 1, ""},
    {MINUS "2.5", '.', false, false, "-2.5", 2, ""},
    {"-0", '.', false, false, "0", 1, ""},
    {MINUS "0.0", '.', false, false, "0", 1, ""},
    {".5", '.', false, false, "0.5", 1, ""},
    {"5.", '.', false, false, "5", 1, ""},
    {"-.25", '.', false, false, "-0.25", 2, ""},
    {"007", '.', false, false, "7", 1, ""},
    {"100.01", '.', false, false, "100.01", 5, ""},
    {"3.175", '.', false, false, "3.175", 4, ""},
    /* Significant figures. */
    {"420", '.', false, false, "420", 2, ""},
    {"420.", '.', false, false, "420", 3, ""},
    {"420.0", '.', false, false, "420", 4, ""},
    {"1.00e5", '.', false, false, "100000", 3, ""},
    {"0.0050", '.', false, false, "0.005", 2, ""},
    {"0.00", '.', false, false, "0", 2, ""},
    {"0.000", '.', false, false, "0", 3, ""},
    {"00", '.', false, false, "0", 1, ""},
    {"100", '.', false, false, "100", 1, ""},
    {"1001", '.', false, false, "1001", 4, ""},
    {"0.10", '.', false, false, "0.1", 2, ""},
    /* Exponents in every form. */
    {"1e3", '.', false, false, "1000", 1, ""},
    {"1E3", '.', false, false, "1000", 1, ""},
    {"1e+3", '.', false, false, "1000", 1, ""},
    {"1e-3", '.', false, false, "0.001", 1, ""},
    {"1e" MINUS "3", '.', false, false, "0.001", 1, ""},
    {"1e0003", '.', false, false, "1000", 1, ""},
    {"5.e3", '.', false, false, "5000", 1, ""},
    {".5e1", '.', false, false, "5", 1, ""},
    {"1.6e-5", '.', false, false, "0.000016", 2, ""},
    {"1.6" TIMES "10^-5", '.', false, false, "0.000016", 2, ""},
    {"1.6 " TIMES " 10^-5", '.', false, false, "0.000016", 2, ""},
    {"1.6" TIMES "10^" MINUS "5", '.', false, false, "0.000016", 2, ""},
    {MINUS "1.6 " TIMES " 10^" MINUS "5", '.', false, false, "-0.000016", 2, ""},
    {"1.6x10^-5", '.', false, false, "0.000016", 2, ""},
    {"1.6 x 10^-5", '.', false, false, "0.000016", 2, ""},
    {"1.6 x10^-5", '.', false, false, "0.000016", 2, ""},
    {"1.6*10^-5", '.', false, false, "0.000016", 2, ""},
    {"1.6 * 10^-5", '.', false, false, "0.000016", 2, ""},
    {"1.6*10**-5", '.', false, false, "0.000016", 2, ""},
    {"1.6 * 10**-5", '.', false, false, "0.000016", 2, ""},
    {"1.6" NBSP TIMES NBSP "10^-5", '.', false, false, "0.000016", 2, ""},
    {"2.5" TIMES "10^3", '.', false, false, "2500", 2, ""},
    {"2.50" TIMES "10^+3", '.', false, false, "2500", 3, ""},
    {"1.5e-300", '.', false, false, "1.5e-300", 2, ""},
    /* Range limits: the first significant digit at 10^1000 and at 10^-1000 is allowed. */
    {"1e1000", '.', false, false, "1e1000", 1, ""},
    {"-9.9e1000", '.', false, false, "-9.9e1000", 2, ""},
    {"1e-1000", '.', false, false, "1e-1000", 1, ""},
    {"0.0001e-996", '.', false, false, "1e-1000", 1, ""},
    {"12345e996", '.', false, false, "1.2345e1000", 5, ""},
    /* Zero has no significant digit, so no exponent puts it out of range. */
    {"0e99999999999999999999", '.', false, false, "0", 1, ""},
    /* Decimal comma. */
    {"3,5", ',', false, false, "3.5", 2, ""},
    {",5", ',', false, false, "0.5", 1, ""},
    {"5,", ',', false, false, "5", 1, ""},
    {"-1,25e3", ',', false, false, "-1250", 3, ""},
    {"1,6" TIMES "10^-5", ',', false, false, "0.000016", 2, ""},
    {"1,6 * 10**" MINUS "5", ',', false, false, "0.000016", 2, ""},
    {"0,0050", ',', false, false, "0.005", 2, ""},
    /* Thousands grouping under a decimal point. */
    {"1,500", '.', true, false, "1500", 2, ""},
    {"1,500.25", '.', true, false, "1500.25", 6, ""},
    {"1,500.", '.', true, false, "1500", 4, ""},
    {"-1,500", '.', true, false, "-1500", 2, ""},
    {"12,345,678", '.', true, false, "12345678", 8, ""},
    {"999,999", '.', true, false, "999999", 6, ""},
    {"1 500", '.', true, false, "1500", 2, ""},
    {"1" NBSP "500", '.', true, false, "1500", 2, ""},
    {"1" NNBSP "500" NNBSP "000", '.', true, false, "1500000", 2, ""},
    {"1,500e3", '.', true, false, "1500000", 2, ""},
    {"1,500" TIMES "10^-3", '.', true, false, "1.5", 2, ""},
    {"1500", '.', true, false, "1500", 2, ""},
    {"3.5", '.', true, false, "3.5", 2, ""},
    {"12345", '.', true, false, "12345", 5, ""},
    /* Thousands grouping under a decimal comma. */
    {"1.500,25", ',', true, false, "1500.25", 6, ""},
    {"1 500,25", ',', true, false, "1500.25", 6, ""},
    {"1.500.000", ',', true, false, "1500000", 2, ""},
    {"3,5", ',', true, false, "3.5", 2, ""},
    /* Units. */
    {"3 dm", '.', false, true, "3", 1, "dm"},
    {"3dm", '.', false, true, "3", 1, "dm"},
    {"2.5 mol/L", '.', false, true, "2.5", 2, "mol/L"},
    {"3 cm ", '.', false, true, "3", 1, "cm"},
    {"3" NBSP "dm" IDEOSP, '.', false, true, "3", 1, "dm"},
    {"5 eV", '.', false, true, "5", 1, "eV"},
    {"5eV", '.', false, true, "5", 1, "eV"},
    {"5E", '.', false, true, "5", 1, "E"},
    {"1e", '.', false, true, "1", 1, "e"},
    {"5 x", '.', false, true, "5", 1, "x"},
    {"5 xyz", '.', false, true, "5", 1, "xyz"},
    {"5 x 10^3", '.', false, true, "5000", 1, ""},
    {"5 x 10^3 m", '.', false, true, "5000", 1, "m"},
    {"1e5m", '.', false, true, "100000", 1, "m"},
    {"1.6 " TIMES " 10^-5 mol/L", '.', false, true, "0.000016", 2, "mol/L"},
    {"25 " DEGREE "C", '.', false, true, "25", 2, DEGREE "C"},
    {"10 %", '.', false, true, "10", 1, "%"},
    {"9.81 m s^-2", '.', false, true, "9.81", 3, "m s^-2"},
    {"42", '.', false, true, "42", 2, ""},
    {"1,500 m", '.', true, true, "1500", 2, "m"},
    {"1 500 m", '.', true, true, "1500", 2, "m"},
    {"3 dm", '.', true, true, "3", 1, "dm"},
    {"3,5 kg", ',', false, true, "3.5", 2, "kg"},
};

static void test_parse_ok(void)
{
    nr_result r;
    assay__numread_init(&r);
    for (size_t i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
        const ok_case *c = &ok_cases[i];
        int before = tap_failed;
        nr_format fmt = {c->sep, c->grouping};
        size_t len = strlen(c->in);
        nr_status st = assay__numread_answer(c->in, len, &fmt, c->unit, &r);
        ASSERT_INT_EQ(st, NR_OK);
        check_text(&r.value, c->value);
        ASSERT_INT_EQ(r.sig_figs, c->sig);
        ASSERT_INT_EQ(r.unit_len, strlen(c->unit_text));
        if (r.unit_len > 0 && r.unit_start + r.unit_len <= len) {
            ASSERT(memcmp(c->in + r.unit_start, c->unit_text, r.unit_len) == 0);
        }
        ASSERT(r.num_start < r.num_end && r.num_end <= len);
        if (st != NR_OK) {
            printf("#   reason: %s\n", r.reason);
        }
        tap_note(before, "accepted", c->in);
    }
    assay__numread_clear(&r);
}

/* The byte offsets of the number and the unit. */
static void test_parse_offsets(void)
{
    nr_result r;
    assay__numread_init(&r);
    nr_format dot = {'.', false};

    const char *a = "  -3.5e2 kg ";
    ASSERT_INT_EQ(assay__numread_answer(a, strlen(a), &dot, true, &r), NR_OK);
    ASSERT_INT_EQ(r.num_start, 2);
    ASSERT_INT_EQ(r.num_end, 8);
    ASSERT_INT_EQ(r.unit_start, 9);
    ASSERT_INT_EQ(r.unit_len, 2);
    check_text(&r.value, "-350");

    const char *b = IDEOSP MINUS "1.6 " TIMES " 10^" MINUS "5" NBSP "mol";
    ASSERT_INT_EQ(assay__numread_answer(b, strlen(b), &dot, true, &r), NR_OK);
    ASSERT_INT_EQ(r.num_start, 3);
    ASSERT_INT_EQ(r.num_end, 3 + 3 + 3 + 1 + 2 + 1 + 3 + 3 + 1);
    ASSERT_INT_EQ(r.unit_start, r.num_end + 2);
    ASSERT_INT_EQ(r.unit_len, 3);

    /* "5 x" with a unit: the number ends before the space and the unit is "x". */
    const char *c = "5 x";
    ASSERT_INT_EQ(assay__numread_answer(c, strlen(c), &dot, true, &r), NR_OK);
    ASSERT_INT_EQ(r.num_start, 0);
    ASSERT_INT_EQ(r.num_end, 1);
    ASSERT_INT_EQ(r.unit_start, 2);
    ASSERT_INT_EQ(r.unit_len, 1);

    /* The input need not be NUL-terminated: only len bytes are read. */
    const char d[] = {'1', '2', '.', '5', '9'};
    ASSERT_INT_EQ(assay__numread_answer(d, 4, &dot, false, &r), NR_OK);
    check_text(&r.value, "12.5");
    ASSERT_INT_EQ(r.num_end, 4);

    /* A NULL format means a decimal point without grouping. */
    ASSERT_INT_EQ(assay__numread_answer("2.5", 3, NULL, false, &r), NR_OK);
    check_text(&r.value, "2.5");
    ASSERT_INT_EQ(assay__numread_answer("1,500", 5, NULL, false, &r), NR_INVALID);

    /* A result is reset by the next read: a failed read leaves no stale value or unit. */
    ASSERT_INT_EQ(assay__numread_answer("7 kg", 4, &dot, true, &r), NR_OK);
    ASSERT_INT_EQ(assay__numread_answer("frog", 4, &dot, true, &r), NR_INVALID);
    ASSERT_INT_EQ(assay__dec_sgn(&r.value), 0);
    ASSERT_INT_EQ(r.unit_len, 0);
    assay__numread_clear(&r);
}

/* ---- Learner answers: empty and rejected --------------------------------------------------
 */

static void test_parse_empty(void)
{
    static const char *const empties[] = {"",
                                          " ",
                                          "   ",
                                          "\t\n\r",
                                          NBSP,
                                          NBSP IDEOSP LSEP,
                                          "\xE1\x9A\x80\xE2\x81\x9F\xE2\x80\xAF"};
    nr_result r;
    assay__numread_init(&r);
    nr_format fmts[] = {{'.', false}, {',', true}};
    for (size_t f = 0; f < 2; f++) {
        for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
            int before = tap_failed;
            for (int unit = 0; unit < 2; unit++) {
                ASSERT_INT_EQ(assay__numread_answer(empties[i], strlen(empties[i]), &fmts[f],
                                                    unit != 0, &r),
                              NR_EMPTY);
            }
            tap_note(before, "empty", empties[i]);
        }
    }
    ASSERT_INT_EQ(assay__numread_answer(NULL, 0, &fmts[0], false, &r), NR_EMPTY);
    /* Whitespace beyond len does not matter, and a number beyond len is not read. */
    ASSERT_INT_EQ(assay__numread_answer("  42", 2, &fmts[0], false, &r), NR_EMPTY);
    assay__numread_clear(&r);
}

typedef struct bad_case {
    const char *in;
    char sep;
    bool grouping;
    bool unit;
    const char *reason; /* a part of the reason, or NULL not to check it */
} bad_case;

#define EXPECT_POINT "expects a decimal point, not a comma"
#define EXPECT_COMMA "expects a decimal comma, not a point"

static const bad_case bad_cases[] = {
    /* Not numbers at all. */
    {"frog", '.', false, false, "not a number"},
    {"frog", '.', false, true, "not a number"},
    {"inf", '.', false, false, "not a number"},
    {"-inf", '.', false, true, "not a number"},
    {"nan", '.', false, false, "not a number"},
    {"NaN", '.', false, true, "not a number"},
    {"Infinity", '.', false, false, "not a number"},
    {".", '.', false, false, "not a number"},
    {"+", '.', false, false, "not a number"},
    {MINUS, '.', false, false, "not a number"},
    {"e5", '.', false, false, "not a number"},
    {"e5", '.', false, true, "not a number"},
    {TIMES "10^3", '.', false, false, "not a number"},
    {"- 5", '.', false, false, "not a number"},
    {"--1", '.', false, false, "more than one sign"},
    {"+-1", '.', false, false, "more than one sign"},
    {MINUS MINUS "1", '.', false, true, "more than one sign"},
    {"0x1A", '.', false, false, "hexadecimal"},
    {"0x1A", '.', false, true, "hexadecimal"},
    {"0XFF", '.', false, true, "hexadecimal"},
    {"1/0", '.', false, false, "fractions"},
    {"1/2 m", '.', false, true, "fractions"},
    {"3 / 4", '.', false, true, "fractions"},
    /* Exponents. */
    {"1e", '.', false, false, "exponent"},
    {"1e+", '.', false, false, "exponent"},
    {"1E-", '.', false, false, "exponent"},
    {"1e1.5", '.', false, false, "whole number"},
    {"1e1.5 m", '.', false, true, "whole number"},
    {"2" TIMES "10^0.5", '.', false, false, "whole number"},
    {"1e1,5", ',', false, false, "whole number"},
    {"5 e3", '.', false, false, "unexpected text"},
    {"5" TIMES, '.', false, false, "multiplication sign"},
    {"5 " TIMES " m", '.', false, true, "multiplication sign"},
    {"5 * m", '.', false, true, "multiplication sign"},
    {"5 " TIMES " 2", '.', false, true, "power of ten"},
    {"5x10", '.', false, true, "power of ten"},
    {"5 x 100", '.', false, true, "power of ten"},
    {"5 x 10 ^3", '.', false, false, "power of ten"},
    {"5x10**3", '.', false, false, "power of ten"},
    {"5" TIMES "10**3", '.', false, false, "power of ten"},
    {"5" TIMES "10^", '.', false, false, "incomplete"},
    {"5*10**", '.', false, true, "incomplete"},
    {"5" TIMES "10^-", '.', false, false, "incomplete"},
    {"5" TIMES "10^ 3", '.', false, false, "incomplete"},
    {"5 x", '.', false, false, "unexpected text"},
    {"1e3" TIMES "10^2", '.', false, true, "unexpected text"},
    /* Trailing text without a unit, and units that may not start as they do. */
    {"12abc", '.', false, false, "unexpected text"},
    {"3 dm", '.', false, false, "unexpected text"},
    {"1 2", '.', false, false, "unexpected text"},
    {"1 2", '.', false, true, "unexpected text"},
    {"1 500", '.', false, false, "unexpected text"},
    {"1e3 5", '.', false, true, "unexpected text"},
    {"3 -m", '.', false, true, "unexpected text"},
    {"3 " MINUS "m", '.', false, true, "unexpected text"},
    {"3 ^2", '.', false, true, "unexpected text"},
    {"3" TIMES, '.', false, true, "multiplication sign"},
    {"5" MINUS "3", '.', false, true, "unexpected text"},
    {"1\t500", '.', true, false, "unexpected text"},
    /* The other decimal separator. */
    {"1,500", '.', false, false, EXPECT_POINT},
    {"1,500", '.', false, true, EXPECT_POINT},
    {"1,5", '.', false, false, EXPECT_POINT},
    {",5", '.', false, false, EXPECT_POINT},
    {"1,", '.', false, false, EXPECT_POINT},
    {"1,5 m", '.', false, true, EXPECT_POINT},
    {"1.5,3", '.', false, false, EXPECT_POINT},
    {"3.5", ',', false, false, EXPECT_COMMA},
    {".5", ',', false, false, EXPECT_COMMA},
    {"1.500", ',', false, false, EXPECT_COMMA},
    {"3.5 kg", ',', false, true, EXPECT_COMMA},
    {"1.2.3", '.', false, false, "more than one decimal point"},
    {"1,2,3", ',', false, false, "more than one decimal comma"},
    /* Badly formed grouping. */
    {"1,50", '.', true, false, EXPECT_POINT},
    {"1,5", '.', true, false, EXPECT_POINT},
    {"12,3456", '.', true, false, EXPECT_POINT},
    {",500", '.', true, false, EXPECT_POINT},
    {"1234,567", '.', true, false, EXPECT_POINT},
    {"1,500,00", '.', true, false, EXPECT_POINT},
    {"1,500,", '.', true, false, EXPECT_POINT},
    {"1,", '.', true, false, EXPECT_POINT},
    {"0,500", '.', true, false, EXPECT_POINT},
    {"1.500,25", '.', true, false, EXPECT_POINT},
    {"1,500.250,1", '.', true, false, EXPECT_POINT},
    {"1,500 000", '.', true, false, "mixes"},
    {"1 500,000", '.', true, false, "mixes"},
    {"1" NBSP "500 000", '.', true, false, "mixes"},
    {"1" NNBSP "500" NBSP "000", '.', true, true, "mixes"},
    {"1 50", '.', true, false, "three digits"},
    {"1 5000", '.', true, true, "three digits"},
    {"1234 567", '.', true, false, "three digits"},
    {"1.500 250", '.', true, false, "only before the decimal point"},
    {"1.50", ',', true, false, EXPECT_COMMA},
    {"1,500.25", ',', true, false, EXPECT_COMMA},
    {".500", ',', true, false, EXPECT_COMMA},
    {"1,500 250", ',', true, false, "only before the decimal comma"},
    /* Out of range, checked on the text before any big number is made. */
    {"1e1001", '.', false, false, "too large or too small"},
    {"10e1000", '.', false, false, "too large or too small"},
    {"1e-1001", '.', false, false, "too large or too small"},
    {"0.0001e-997", '.', false, false, "too large or too small"},
    {"1e99999999999999999999", '.', false, false, "too large or too small"},
    {"1e-99999999999999999999", '.', false, false, "too large or too small"},
    {"1" TIMES "10^999999999999999999999999999", '.', false, true, "too large or too small"},
    {"-5e9223372036854775808", '.', false, false, "too large or too small"},
};

static void test_parse_bad(void)
{
    nr_result r;
    assay__numread_init(&r);
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        int before = tap_failed;
        nr_format fmt = {c->sep, c->grouping};
        nr_status st = assay__numread_answer(c->in, strlen(c->in), &fmt, c->unit, &r);
        ASSERT_INT_EQ(st, NR_INVALID);
        ASSERT(r.reason[0] != '\0');
        if (c->reason != NULL) {
            ASSERT_STR_CONTAINS(r.reason, c->reason);
        }
        tap_note(before, "rejected", c->in);
    }
    assay__numread_clear(&r);
}

/* Mantissas of exactly the maximum digit count are read; one more digit is rejected. */
static void test_parse_digit_limit(void)
{
    nr_result r;
    assay__numread_init(&r);
    nr_format dot = {'.', false};
    char buf[DEC_MAX_DIGITS + 8];

    memset(buf, '7', DEC_MAX_DIGITS);
    buf[DEC_MAX_DIGITS] = '\0';
    ASSERT_INT_EQ(assay__numread_answer(buf, DEC_MAX_DIGITS, &dot, false, &r), NR_OK);
    ASSERT_INT_EQ(r.sig_figs, DEC_MAX_DIGITS);
    dec_num same;
    assay__dec_init(&same);
    dec_of(&same, buf);
    ASSERT_INT_EQ(assay__dec_cmp(&r.value, &same), 0);
    assay__dec_clear(&same);

    buf[0] = '.';
    ASSERT_INT_EQ(assay__numread_answer(buf, DEC_MAX_DIGITS + 0, &dot, false, &r), NR_OK);

    memset(buf, '7', DEC_MAX_DIGITS + 1);
    ASSERT_INT_EQ(assay__numread_answer(buf, DEC_MAX_DIGITS + 1, &dot, false, &r), NR_INVALID);
    ASSERT_STR_CONTAINS(r.reason, "too many digits");
    ASSERT_INT_EQ(assay__dec_sgn(&r.value), 0);

    /* Leading zeros are written digits too. */
    buf[0] = '0';
    buf[1] = '.';
    memset(buf + 2, '0', DEC_MAX_DIGITS - 1);
    buf[DEC_MAX_DIGITS + 1] = '1';
    ASSERT_INT_EQ(assay__numread_answer(buf, DEC_MAX_DIGITS + 2, &dot, false, &r), NR_INVALID);

    /* A huge answer of digits is rejected without trouble. */
    size_t big = 1u << 20;
    char *huge = malloc(big);
    ASSERT(huge != NULL);
    if (huge != NULL) {
        memset(huge, '9', big);
        ASSERT_INT_EQ(assay__numread_answer(huge, big, &dot, true, &r), NR_INVALID);
        free(huge);
    }
    assay__numread_clear(&r);
}

/*
 * Random and mutated inputs: every read must return a known status, keep its offsets inside
 * the input and, when OK, hold a value inside the documented range.
 */
static void test_parse_robust(void)
{
    static const char *const pieces[] = {
        "0",  "1",   "5",    "9",   ".", ",",    " ",        "e",    "E",
        "-",  "+",   MINUS,  TIMES, "x", "*",    "^",        "10^",  "**",
        NBSP, NNBSP, IDEOSP, "m",   "/", "\xC3", "\xE2\x88", "\x80", "\t",
    };
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    nr_result r;
    assay__numread_init(&r);
    dec_num lo, hi;
    assay__dec_init(&lo);
    assay__dec_init(&hi);
    /* 1e1001, just beyond the largest value a read may give. */
    dec_of(&hi, "1e1000");
    dec_of(&lo, "10");
    assay__dec_mul(&hi, &hi, &lo);
    assay__dec_neg(&lo, &hi);
    unsigned long seed = 12345;
    int anomalies = 0;
    char buf[64];
    for (int iter = 0; iter < 200000; iter++) {
        size_t len = 0;
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        int n = (int)((seed >> 33) % 10);
        for (int k = 0; k < n; k++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            const char *p = pieces[(seed >> 33) % npieces];
            size_t pl = strlen(p);
            if (len + pl < sizeof buf) {
                memcpy(buf + len, p, pl);
                len += pl;
            }
        }
        nr_format fmt = {(iter & 1) ? ',' : '.', (iter & 2) != 0};
        nr_status st = assay__numread_answer(buf, len, &fmt, (iter & 4) != 0, &r);
        if (st == NR_OK) {
            if (r.num_end > len || r.num_start >= r.num_end ||
                r.unit_start + r.unit_len > len || r.sig_figs < 1 ||
                assay__dec_cmp(&r.value, &hi) >= 0 || assay__dec_cmp(&r.value, &lo) <= 0) {
                anomalies++;
            }
        } else if (st == NR_INVALID) {
            if (r.reason[0] == '\0' || assay__dec_sgn(&r.value) != 0) {
                anomalies++;
            }
        } else if (st != NR_EMPTY) {
            anomalies++;
        }
    }
    ASSERT_INT_EQ(anomalies, 0);
    assay__dec_clear(&lo);
    assay__dec_clear(&hi);
    assay__numread_clear(&r);
}

/* ---- Rubric numbers ------------------------------------------------------------------------
 */

typedef struct real_case {
    double v;
    const char *value;
} real_case;

static void test_from_json(void)
{
    dec_num d;
    assay__dec_init(&d);
    char why[160];

    /* Integers. */
    static const struct {
        json_int_t v;
        const char *value;
    } ints[] = {
        {0, "0"},
        {42, "42"},
        {-7, "-7"},
        {1500, "1500"},
        {9007199254740993LL, "9007199254740993"},
        {-9223372036854775807LL - 1, "-9223372036854775808"},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        json_t *j = json_integer(ints[i].v);
        ASSERT_INT_EQ(assay__numread_json(&d, j, why, sizeof why), 0);
        check_text(&d, ints[i].value);
        json_decref(j);
    }

    /* Reals mean the shortest decimal that reads back as the same double. */
    static const real_case reals[] = {
        {3.175, "3.175"},
        {0.1, "0.1"},
        {1e-5, "0.00001"},
        {1.6e-5, "0.000016"},
        {100.01, "100.01"},
        {-2.5, "-2.5"},
        {1.005, "1.005"},
        {0.0, "0"},
        {-0.0, "0"},
        {2.0, "2"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1e300, "1e300"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e308"},
        {123456789012.5, "123456789012.5"},
    };
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        int before = tap_failed;
        json_t *j = json_real(reals[i].v);
        ASSERT_INT_EQ(assay__numread_json(&d, j, why, sizeof why), 0);
        check_text(&d, reals[i].value);
        json_decref(j);
        tap_note(before, "json real", reals[i].value);
    }

    /* A real read from JSON text keeps its decimal meaning: 1.005 rounds up, 3.175 too. */
    json_t *doc = json_loads("[1.005, 3.175, 2.675]", 0, NULL);
    ASSERT(doc != NULL);
    dec_num r;
    assay__dec_init(&r);
    ASSERT_INT_EQ(assay__numread_json(&d, json_array_get(doc, 0), why, sizeof why), 0);
    assay__dec_round_places(&r, &d, 2);
    check_text(&r, "1.01");
    ASSERT_INT_EQ(assay__numread_json(&d, json_array_get(doc, 1), why, sizeof why), 0);
    assay__dec_round_figures(&r, &d, 3);
    check_text(&r, "3.18");
    ASSERT_INT_EQ(assay__numread_json(&d, json_array_get(doc, 2), why, sizeof why), 0);
    assay__dec_round_places(&r, &d, 2);
    check_text(&r, "2.68");
    json_decref(doc);
    assay__dec_clear(&r);

    /* Strings. */
    static const struct {
        const char *s;
        const char *value;
    } strs[] = {
        {"0.01", "0.01"},   {"-1.6e-5", "-0.000016"},
        {"+2", "2"},        {"1E3", "1000"},
        {".5", "0.5"},      {"5.", "5"},
        {"007", "7"},       {"-0", "0"},
        {"3.175", "3.175"}, {"1e-1000", "1e-1000"},
        {"1.50", "1.5"},    {"2e+2", "200"},
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        int before = tap_failed;
        json_t *j = json_string(strs[i].s);
        ASSERT_INT_EQ(assay__numread_json(&d, j, why, sizeof why), 0);
        check_text(&d, strs[i].value);
        json_decref(j);
        ASSERT_INT_EQ(assay__numread_string(&d, strs[i].s, why, sizeof why), 0);
        check_text(&d, strs[i].value);
        tap_note(before, "rubric string", strs[i].s);
    }

    /* Rejected strings leave the value as it was. */
    static const char *const bad_strs[] = {"1,5",
                                           "",
                                           " 1",
                                           "1 ",
                                           "NaN",
                                           "nan",
                                           "inf",
                                           "-Infinity",
                                           "1e",
                                           "1e+",
                                           "--1",
                                           "0x1A",
                                           "1.6" TIMES "10^-5",
                                           "1.6*10^-5",
                                           MINUS "1",
                                           "1_000",
                                           "1,500",
                                           "1.2.3",
                                           ".",
                                           "+",
                                           "e5",
                                           "1e1.5",
                                           "1/2",
                                           IDEOSP "1",
                                           "1e5000",
                                           "1e-1001"};
    for (size_t i = 0; i < sizeof bad_strs / sizeof bad_strs[0]; i++) {
        int before = tap_failed;
        dec_of(&d, "123.25");
        json_t *j = json_string(bad_strs[i]);
        ASSERT(j != NULL);
        why[0] = '\0';
        ASSERT_INT_EQ(assay__numread_json(&d, j, why, sizeof why), -1);
        ASSERT(why[0] != '\0');
        json_decref(j);
        ASSERT_INT_EQ(assay__numread_string(&d, bad_strs[i], why, sizeof why), -1);
        check_text(&d, "123.25");
        tap_note(before, "rejected rubric string", bad_strs[i]);
    }
    ASSERT_INT_EQ(assay__numread_string(&d, "1,5", why, sizeof why), -1);
    ASSERT_STR_EQ(why, "\"1,5\" is not a decimal number");
    ASSERT_INT_EQ(assay__numread_string(&d, "", why, sizeof why), -1);
    ASSERT_STR_EQ(why, "\"\" is not a decimal number");
    ASSERT_INT_EQ(assay__numread_string(&d, "1e5000", why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "out of range");
    ASSERT_INT_EQ(assay__numread_string(&d, NULL, why, sizeof why), -1);

    /* A long string is quoted in part, and never cut inside a UTF-8 character. */
    char longs[200];
    memset(longs, 'a', 39);
    strcpy(longs + 39,
           TIMES "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    ASSERT_INT_EQ(assay__numread_string(&d, longs, why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "aaa...\" is not a decimal number");
    ASSERT(strstr(why, "\xC3\"") == NULL);
    /* A small why buffer is filled without overflow. */
    char small[6];
    ASSERT_INT_EQ(assay__numread_string(&d, "1,5", small, sizeof small), -1);
    ASSERT_STR_EQ(small, "\"1,5\"");
    ASSERT_INT_EQ(assay__numread_string(&d, "1,5", NULL, 0), -1);

    /* Values that are not numbers. */
    json_t *nonnum[] = {json_true(),   json_false(), json_null(),
                        json_object(), json_array(), json_stringn("1\0", 2)};
    const char *expect[] = {"boolean", "boolean", "null", "object", "array", "NUL"};
    for (size_t i = 0; i < sizeof nonnum / sizeof nonnum[0]; i++) {
        dec_of(&d, "8");
        ASSERT_INT_EQ(assay__numread_json(&d, nonnum[i], why, sizeof why), -1);
        ASSERT_STR_CONTAINS(why, expect[i]);
        check_text(&d, "8");
        json_decref(nonnum[i]);
    }
    ASSERT_INT_EQ(assay__numread_json(&d, NULL, why, sizeof why), -1);
    assay__dec_clear(&d);
}

int main(void)
{
    test_parse_ok();
    test_parse_offsets();
    test_parse_empty();
    test_parse_bad();
    test_parse_digit_limit();
    test_parse_robust();
    test_from_json();
    return tap_done();
}
