/*
 * test_decimal.c - unit tests for engine/src/decimal.c: the learner number grammar, rubric
 * numbers, significant figures, rounding, exact arithmetic and comparison, and canonical
 * text. Most tests are tables; a failing row prints its input as a TAP comment.
 */
#include "decimal.h"
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

/* Prints the case that was being checked when an assertion in it failed. */
static void note(int failed_before, const char *what, const char *input)
{
    if (tap_failed != failed_before) {
        printf("#   in %s case \"%s\"\n", what, input);
    }
}

/* Asserts that d's canonical text is expect. */
static void check_text(const dec_num *d, const char *expect)
{
    char *s = assay__dec_to_string(d);
    ASSERT_STR_EQ(s, expect);
    free(s);
}

/* Sets d from a rubric string, which must be valid. */
static void dec_of(dec_num *d, const char *s)
{
    char why[160];
    int rc = assay__dec_from_rubric_string(d, s, why, sizeof why);
    if (rc != 0) {
        printf("#   setup: \"%s\": %s\n", s, why);
    }
    ASSERT_INT_EQ(rc, 0);
}

static void set_raw(dec_num *d, long coef, long exp)
{
    mpz_set_si(d->coef, coef);
    d->exp = exp;
}

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
        nr_status st = assay__dec_parse_answer(c->in, len, &fmt, c->unit, &r);
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
        note(before, "accepted", c->in);
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
    ASSERT_INT_EQ(assay__dec_parse_answer(a, strlen(a), &dot, true, &r), NR_OK);
    ASSERT_INT_EQ(r.num_start, 2);
    ASSERT_INT_EQ(r.num_end, 8);
    ASSERT_INT_EQ(r.unit_start, 9);
    ASSERT_INT_EQ(r.unit_len, 2);
    check_text(&r.value, "-350");

    const char *b = IDEOSP MINUS "1.6 " TIMES " 10^" MINUS "5" NBSP "mol";
    ASSERT_INT_EQ(assay__dec_parse_answer(b, strlen(b), &dot, true, &r), NR_OK);
    ASSERT_INT_EQ(r.num_start, 3);
    ASSERT_INT_EQ(r.num_end, 3 + 3 + 3 + 1 + 2 + 1 + 3 + 3 + 1);
    ASSERT_INT_EQ(r.unit_start, r.num_end + 2);
    ASSERT_INT_EQ(r.unit_len, 3);

    /* "5 x" with a unit: the number ends before the space and the unit is "x". */
    const char *c = "5 x";
    ASSERT_INT_EQ(assay__dec_parse_answer(c, strlen(c), &dot, true, &r), NR_OK);
    ASSERT_INT_EQ(r.num_start, 0);
    ASSERT_INT_EQ(r.num_end, 1);
    ASSERT_INT_EQ(r.unit_start, 2);
    ASSERT_INT_EQ(r.unit_len, 1);

    /* The input need not be NUL-terminated: only len bytes are read. */
    const char d[] = {'1', '2', '.', '5', '9'};
    ASSERT_INT_EQ(assay__dec_parse_answer(d, 4, &dot, false, &r), NR_OK);
    check_text(&r.value, "12.5");
    ASSERT_INT_EQ(r.num_end, 4);

    /* A NULL format means a decimal point without grouping. */
    ASSERT_INT_EQ(assay__dec_parse_answer("2.5", 3, NULL, false, &r), NR_OK);
    check_text(&r.value, "2.5");
    ASSERT_INT_EQ(assay__dec_parse_answer("1,500", 5, NULL, false, &r), NR_INVALID);

    /* A result is reset by the next read: a failed read leaves no stale value or unit. */
    ASSERT_INT_EQ(assay__dec_parse_answer("7 kg", 4, &dot, true, &r), NR_OK);
    ASSERT_INT_EQ(assay__dec_parse_answer("frog", 4, &dot, true, &r), NR_INVALID);
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
                ASSERT_INT_EQ(assay__dec_parse_answer(empties[i], strlen(empties[i]), &fmts[f],
                                                      unit != 0, &r),
                              NR_EMPTY);
            }
            note(before, "empty", empties[i]);
        }
    }
    ASSERT_INT_EQ(assay__dec_parse_answer(NULL, 0, &fmts[0], false, &r), NR_EMPTY);
    /* Whitespace beyond len does not matter, and a number beyond len is not read. */
    ASSERT_INT_EQ(assay__dec_parse_answer("  42", 2, &fmts[0], false, &r), NR_EMPTY);
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
        nr_status st = assay__dec_parse_answer(c->in, strlen(c->in), &fmt, c->unit, &r);
        ASSERT_INT_EQ(st, NR_INVALID);
        ASSERT(r.reason[0] != '\0');
        if (c->reason != NULL) {
            ASSERT_STR_CONTAINS(r.reason, c->reason);
        }
        note(before, "rejected", c->in);
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
    ASSERT_INT_EQ(assay__dec_parse_answer(buf, DEC_MAX_DIGITS, &dot, false, &r), NR_OK);
    ASSERT_INT_EQ(r.sig_figs, DEC_MAX_DIGITS);
    dec_num same;
    assay__dec_init(&same);
    dec_of(&same, buf);
    ASSERT_INT_EQ(assay__dec_cmp(&r.value, &same), 0);
    assay__dec_clear(&same);

    buf[0] = '.';
    ASSERT_INT_EQ(assay__dec_parse_answer(buf, DEC_MAX_DIGITS + 0, &dot, false, &r), NR_OK);

    memset(buf, '7', DEC_MAX_DIGITS + 1);
    ASSERT_INT_EQ(assay__dec_parse_answer(buf, DEC_MAX_DIGITS + 1, &dot, false, &r),
                  NR_INVALID);
    ASSERT_STR_CONTAINS(r.reason, "too many digits");
    ASSERT_INT_EQ(assay__dec_sgn(&r.value), 0);

    /* Leading zeros are written digits too. */
    buf[0] = '0';
    buf[1] = '.';
    memset(buf + 2, '0', DEC_MAX_DIGITS - 1);
    buf[DEC_MAX_DIGITS + 1] = '1';
    ASSERT_INT_EQ(assay__dec_parse_answer(buf, DEC_MAX_DIGITS + 2, &dot, false, &r),
                  NR_INVALID);

    /* A huge answer of digits is rejected without trouble. */
    size_t big = 1u << 20;
    char *huge = malloc(big);
    ASSERT(huge != NULL);
    if (huge != NULL) {
        memset(huge, '9', big);
        ASSERT_INT_EQ(assay__dec_parse_answer(huge, big, &dot, true, &r), NR_INVALID);
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
        nr_status st = assay__dec_parse_answer(buf, len, &fmt, (iter & 4) != 0, &r);
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
        ASSERT_INT_EQ(assay__dec_from_json(&d, j, why, sizeof why), 0);
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
        ASSERT_INT_EQ(assay__dec_from_json(&d, j, why, sizeof why), 0);
        check_text(&d, reals[i].value);
        json_decref(j);
        note(before, "json real", reals[i].value);
    }

    /* A real read from JSON text keeps its decimal meaning: 1.005 rounds up, 3.175 too. */
    json_t *doc = json_loads("[1.005, 3.175, 2.675]", 0, NULL);
    ASSERT(doc != NULL);
    dec_num r;
    assay__dec_init(&r);
    ASSERT_INT_EQ(assay__dec_from_json(&d, json_array_get(doc, 0), why, sizeof why), 0);
    assay__dec_round_places(&r, &d, 2);
    check_text(&r, "1.01");
    ASSERT_INT_EQ(assay__dec_from_json(&d, json_array_get(doc, 1), why, sizeof why), 0);
    assay__dec_round_figures(&r, &d, 3);
    check_text(&r, "3.18");
    ASSERT_INT_EQ(assay__dec_from_json(&d, json_array_get(doc, 2), why, sizeof why), 0);
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
        ASSERT_INT_EQ(assay__dec_from_json(&d, j, why, sizeof why), 0);
        check_text(&d, strs[i].value);
        json_decref(j);
        ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, strs[i].s, why, sizeof why), 0);
        check_text(&d, strs[i].value);
        note(before, "rubric string", strs[i].s);
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
        ASSERT_INT_EQ(assay__dec_from_json(&d, j, why, sizeof why), -1);
        ASSERT(why[0] != '\0');
        json_decref(j);
        ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, bad_strs[i], why, sizeof why), -1);
        check_text(&d, "123.25");
        note(before, "rejected rubric string", bad_strs[i]);
    }
    ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, "1,5", why, sizeof why), -1);
    ASSERT_STR_EQ(why, "\"1,5\" is not a decimal number");
    ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, "", why, sizeof why), -1);
    ASSERT_STR_EQ(why, "\"\" is not a decimal number");
    ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, "1e5000", why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "out of range");
    ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, NULL, why, sizeof why), -1);

    /* A long string is quoted in part, and never cut inside a UTF-8 character. */
    char longs[200];
    memset(longs, 'a', 39);
    strcpy(longs + 39,
           TIMES "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, longs, why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "aaa...\" is not a decimal number");
    ASSERT(strstr(why, "\xC3\"") == NULL);
    /* A small why buffer is filled without overflow. */
    char small[6];
    ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, "1,5", small, sizeof small), -1);
    ASSERT_STR_EQ(small, "\"1,5\"");
    ASSERT_INT_EQ(assay__dec_from_rubric_string(&d, "1,5", NULL, 0), -1);

    /* Values that are not numbers. */
    json_t *nonnum[] = {json_true(),   json_false(), json_null(),
                        json_object(), json_array(), json_stringn("1\0", 2)};
    const char *expect[] = {"boolean", "boolean", "null", "object", "array", "NUL"};
    for (size_t i = 0; i < sizeof nonnum / sizeof nonnum[0]; i++) {
        dec_of(&d, "8");
        ASSERT_INT_EQ(assay__dec_from_json(&d, nonnum[i], why, sizeof why), -1);
        ASSERT_STR_CONTAINS(why, expect[i]);
        check_text(&d, "8");
        json_decref(nonnum[i]);
    }
    ASSERT_INT_EQ(assay__dec_from_json(&d, NULL, why, sizeof why), -1);
    assay__dec_clear(&d);
}

/* ---- Rounding -------------------------------------------------------------------------- */

typedef struct round_case {
    const char *in;
    long n;
    const char *out;
} round_case;

static const round_case places_cases[] = {
    {"1.005", 2, "1.01"},
    {"-1.005", 2, "-1.01"},
    {"5.045", 2, "5.05"},
    {"-5.045", 2, "-5.05"},
    {"1.0049999", 2, "1"},
    {"2.5", 0, "3"},
    {"-2.5", 0, "-3"},
    {"3.5", 0, "4"},
    {"2.4999", 0, "2"},
    {"-2.4999", 0, "-2"},
    {"0.5", 0, "1"},
    {"-0.5", 0, "-1"},
    {"0.4", 0, "0"},
    {"-0.4", 0, "0"},
    {"1250", -2, "1300"},
    {"-1250", -2, "-1300"},
    {"1249", -2, "1200"},
    {"49", -2, "0"},
    {"50", -2, "100"},
    {"-50", -2, "-100"},
    {"9.995", 2, "10"},
    {"-9.995", 2, "-10"},
    {"99.95", 1, "100"},
    {"123.456", 1, "123.5"},
    {"1.005", 5, "1.005"},
    {"1500", 0, "1500"},
    {"0", 3, "0"},
    {"0.00001", 3, "0"},
    {"0.0005", 3, "0.001"},
    {"-0.0005", 3, "-0.001"},
    {"1e-1000", 1000, "1e-1000"},
    {"1e-1000", 999, "0"},
    {"5e-1000", 999, "1e-999"},
    {"7.77", 1000000, "7.77"},
    {"7.77", -1000000, "0"},
    {"7.77", LONG_MAX, "7.77"},
    {"7.77", LONG_MIN, "0"},
};

static const round_case figures_cases[] = {
    {"3.175", 3, "3.18"},
    {"-3.175", 3, "-3.18"},
    {"0.000125", 2, "0.00013"},
    {"-0.000125", 2, "-0.00013"},
    {"0.000124999", 2, "0.00012"},
    {"0", 3, "0"},
    {"9.995", 3, "10"},
    {"-9.995", 3, "-10"},
    {"123456", 2, "120000"},
    {"-123456", 2, "-120000"},
    {"1250", 2, "1300"},
    {"1249", 2, "1200"},
    {"1.5", 1, "2"},
    {"-1.5", 1, "-2"},
    {"0.0999", 1, "0.1"},
    {"42", 5, "42"},
    {"42", 0, "40"},
    {"45", -3, "50"},
    {"3.14159", 4, "3.142"},
    {"2.675", 3, "2.68"},
    {"1e1000", 1, "1e1000"},
    {"9.5e1000", 1, "1e1001"},
    {"7.77", LONG_MAX, "7.77"},
};

static void test_rounding(void)
{
    dec_num x, r;
    assay__dec_init(&x);
    assay__dec_init(&r);
    for (size_t i = 0; i < sizeof places_cases / sizeof places_cases[0]; i++) {
        const round_case *c = &places_cases[i];
        int before = tap_failed;
        dec_of(&x, c->in);
        assay__dec_round_places(&r, &x, c->n);
        check_text(&r, c->out);
        /* r may alias x. */
        assay__dec_round_places(&x, &x, c->n);
        check_text(&x, c->out);
        note(before, "round places", c->in);
    }
    for (size_t i = 0; i < sizeof figures_cases / sizeof figures_cases[0]; i++) {
        const round_case *c = &figures_cases[i];
        int before = tap_failed;
        dec_of(&x, c->in);
        assay__dec_round_figures(&r, &x, c->n);
        check_text(&r, c->out);
        assay__dec_round_figures(&x, &x, c->n);
        check_text(&x, c->out);
        note(before, "round figures", c->in);
    }
    /* A value held with trailing zeros rounds the same. */
    set_raw(&x, 10050, -4);
    assay__dec_round_places(&r, &x, 2);
    check_text(&r, "1.01");
    set_raw(&x, -25000, -4);
    assay__dec_round_places(&r, &x, 0);
    check_text(&r, "-3");
    assay__dec_clear(&x);
    assay__dec_clear(&r);
}

/* ---- Comparison and arithmetic ------------------------------------------------------------
 */

typedef struct cmp_case {
    const char *a, *b;
    int want;
} cmp_case;

static const cmp_case cmp_cases[] = {
    {"100.01", "100.0100", 0},
    {"100.0100000001", "100.01", 1},
    {"100.0099999999", "100.01", -1},
    {"-1", "0.5", -1},
    {"-2", "-1", -1},
    {"-1", "-2", 1},
    {"0", "-0", 0},
    {"0", "1e-1000", -1},
    {"-1e-1000", "0", -1},
    {"1e1000", "9.99e999", 1},
    {"1e1000", "1e1000", 0},
    {"1500", "1.5e3", 0},
    {"0.3", "3e-1", 0},
    {"1e-1000", "1e1000", -1},
    {"-1e-1000", "-1e1000", 1},
    {"999", "1000", -1},
    {"1000", "999.999", 1},
    {"12.5", "12.50", 0},
    {"-12.5", "-12.49", -1},
    {"1.000000000000000000000000000001", "1", 1},
};

static void test_compare(void)
{
    dec_num a, b;
    assay__dec_init(&a);
    assay__dec_init(&b);
    for (size_t i = 0; i < sizeof cmp_cases / sizeof cmp_cases[0]; i++) {
        const cmp_case *c = &cmp_cases[i];
        int before = tap_failed;
        dec_of(&a, c->a);
        dec_of(&b, c->b);
        int got = assay__dec_cmp(&a, &b);
        ASSERT_INT_EQ((got > 0) - (got < 0), c->want);
        got = assay__dec_cmp(&b, &a);
        ASSERT_INT_EQ((got > 0) - (got < 0), -c->want);
        ASSERT_INT_EQ(assay__dec_cmp(&a, &a), 0);
        note(before, "compare", c->a);
    }

    /* Values held with different exponents compare by value. */
    set_raw(&a, 1000, -1);
    set_raw(&b, 100, 0);
    ASSERT_INT_EQ(assay__dec_cmp(&a, &b), 0);
    set_raw(&a, -1001, -1);
    set_raw(&b, -1, 2);
    ASSERT(assay__dec_cmp(&a, &b) < 0);
    set_raw(&a, 0, 50);
    set_raw(&b, 0, -50);
    ASSERT_INT_EQ(assay__dec_cmp(&a, &b), 0);

    /* A tolerance check at and just beyond its bound: 100 ± 0.01. */
    dec_num target, tol, upper, lower;
    assay__dec_init(&target);
    assay__dec_init(&tol);
    assay__dec_init(&upper);
    assay__dec_init(&lower);
    dec_of(&target, "100");
    dec_of(&tol, "0.01");
    assay__dec_add(&upper, &target, &tol);
    assay__dec_sub(&lower, &target, &tol);
    dec_of(&a, "100.01");
    ASSERT_INT_EQ(assay__dec_cmp(&a, &upper), 0);
    dec_of(&a, "99.99");
    ASSERT_INT_EQ(assay__dec_cmp(&a, &lower), 0);
    dec_of(&a, "100.0100000001");
    ASSERT(assay__dec_cmp(&a, &upper) > 0);
    dec_of(&a, "99.9899999999");
    ASSERT(assay__dec_cmp(&a, &lower) < 0);
    /* The same with a tolerance read from a JSON real. */
    json_t *jt = json_real(0.01);
    char why[160];
    ASSERT_INT_EQ(assay__dec_from_json(&tol, jt, why, sizeof why), 0);
    json_decref(jt);
    assay__dec_add(&upper, &target, &tol);
    dec_of(&a, "100.01");
    ASSERT_INT_EQ(assay__dec_cmp(&a, &upper), 0);
    /* |answer - target| <= tol, the way a check writes it. */
    assay__dec_sub(&a, &a, &target);
    assay__dec_abs(&a, &a);
    ASSERT_INT_EQ(assay__dec_cmp(&a, &tol), 0);

    ASSERT_INT_EQ(assay__dec_sgn(&target), 1);
    assay__dec_neg(&a, &target);
    ASSERT_INT_EQ(assay__dec_sgn(&a), -1);
    set_raw(&a, 0, 7);
    ASSERT_INT_EQ(assay__dec_sgn(&a), 0);

    assay__dec_clear(&target);
    assay__dec_clear(&tol);
    assay__dec_clear(&upper);
    assay__dec_clear(&lower);
    assay__dec_clear(&a);
    assay__dec_clear(&b);
}

typedef struct arith_case {
    char op; /* '+', '-' or '*' */
    const char *a, *b;
    const char *out;
} arith_case;

static const arith_case arith_cases[] = {
    {'*', "3", "0.1", "0.3"},
    {'*', "0.01", "3", "0.03"},
    {'+', "0.1", "0.2", "0.3"},
    {'-', "0.3", "0.1", "0.2"},
    {'-', "0.1", "0.3", "-0.2"},
    {'+', "1.5", "-1.5", "0"},
    {'-', "0", "2.5", "-2.5"},
    {'+', "0", "2.5", "2.5"},
    {'+', "2.5", "0", "2.5"},
    {'*', "-1.5", "2", "-3"},
    {'*', "-1.5", "-0.2", "0.3"},
    {'*', "0", "-7", "0"},
    {'*', "1.6e-5", "1e5", "1.6"},
    {'+', "1e10", "1e-10", "10000000000.0000000001"},
    {'+', "1e20", "1e-20", "1.0000000000000000000000000000000000000001e20"},
    {'-', "1500", "1.5e3", "0"},
    {'*', "123456789", "987654321", "121932631112635269"},
};

static void test_arithmetic(void)
{
    dec_num a, b, r;
    assay__dec_init(&a);
    assay__dec_init(&b);
    assay__dec_init(&r);
    for (size_t i = 0; i < sizeof arith_cases / sizeof arith_cases[0]; i++) {
        const arith_case *c = &arith_cases[i];
        int before = tap_failed;
        dec_of(&a, c->a);
        dec_of(&b, c->b);
        if (c->op == '+') {
            assay__dec_add(&r, &a, &b);
        } else if (c->op == '-') {
            assay__dec_sub(&r, &a, &b);
        } else {
            assay__dec_mul(&r, &a, &b);
        }
        check_text(&r, c->out);
        /* The result may alias either operand. */
        if (c->op == '+') {
            assay__dec_add(&a, &a, &b);
        } else if (c->op == '-') {
            assay__dec_sub(&a, &a, &b);
        } else {
            assay__dec_mul(&a, &a, &b);
        }
        check_text(&a, c->out);
        dec_of(&a, c->a);
        if (c->op == '+') {
            assay__dec_add(&b, &a, &b);
        } else if (c->op == '-') {
            assay__dec_sub(&b, &a, &b);
        } else {
            assay__dec_mul(&b, &a, &b);
        }
        check_text(&b, c->out);
        note(before, "arithmetic", c->a);
    }

    /* 3 dm times 0.1 m/dm is exactly 0.3, equal to 0.3 read from a learner. */
    nr_result n;
    assay__numread_init(&n);
    nr_format dot = {'.', false};
    ASSERT_INT_EQ(assay__dec_parse_answer("3 dm", 4, &dot, true, &n), NR_OK);
    dec_of(&b, "0.1");
    assay__dec_mul(&r, &n.value, &b);
    dec_of(&a, "0.3");
    ASSERT_INT_EQ(assay__dec_cmp(&r, &a), 0);
    /* 1.6×10^-5 from a learner equals 1.6e-5 from a JSON real. */
    const char *ans = "1.6" TIMES "10^-5";
    ASSERT_INT_EQ(assay__dec_parse_answer(ans, strlen(ans), &dot, false, &n), NR_OK);
    json_t *j = json_real(1.6e-5);
    char why[160];
    ASSERT_INT_EQ(assay__dec_from_json(&a, j, why, sizeof why), 0);
    json_decref(j);
    ASSERT_INT_EQ(assay__dec_cmp(&n.value, &a), 0);
    assay__numread_clear(&n);

    /* Exact across a wide span: (1 + 1e-1000) - 1 is 1e-1000. */
    dec_of(&a, "1");
    dec_of(&b, "1e-1000");
    assay__dec_add(&r, &a, &b);
    ASSERT(assay__dec_cmp(&r, &a) > 0);
    assay__dec_sub(&r, &r, &a);
    ASSERT_INT_EQ(assay__dec_cmp(&r, &b), 0);

    /* Aliasing all three. */
    dec_of(&a, "0.15");
    assay__dec_add(&a, &a, &a);
    check_text(&a, "0.3");
    assay__dec_mul(&a, &a, &a);
    check_text(&a, "0.09");
    assay__dec_sub(&a, &a, &a);
    check_text(&a, "0");

    /* neg, abs, set, set_si. */
    dec_of(&a, "-2.50");
    assay__dec_abs(&r, &a);
    check_text(&r, "2.5");
    assay__dec_neg(&r, &r);
    check_text(&r, "-2.5");
    assay__dec_neg(&a, &a);
    check_text(&a, "2.5");
    set_raw(&a, 0, 3);
    assay__dec_neg(&r, &a);
    check_text(&r, "0");
    assay__dec_set(&r, &a);
    ASSERT_INT_EQ(assay__dec_cmp(&r, &a), 0);
    dec_of(&a, "-0.125");
    assay__dec_set(&r, &a);
    check_text(&r, "-0.125");
    assay__dec_set(&r, &r);
    check_text(&r, "-0.125");
    assay__dec_set_si(&r, 1500);
    check_text(&r, "1500");
    assay__dec_set_si(&r, -3);
    check_text(&r, "-3");
    assay__dec_set_si(&r, 0);
    check_text(&r, "0");
    assay__dec_set_si(&r, LONG_MIN);
    char want[32];
    snprintf(want, sizeof want, "%ld", LONG_MIN);
    check_text(&r, want);

    assay__dec_clear(&a);
    assay__dec_clear(&b);
    assay__dec_clear(&r);
}

/* ---- Canonical text and doubles -----------------------------------------------------------
 */

typedef struct text_case {
    long coef, exp;
    const char *out;
} text_case;

static const text_case text_cases[] = {
    {0, 0, "0"},
    {0, 5, "0"},
    {0, -5, "0"},
    {15000, -2, "150"},
    {-13, -5, "-0.00013"},
    {-15, 2, "-1500"},
    {13, -2, "0.13"},
    {123, -3, "0.123"},
    {12345, -2, "123.45"},
    {5, -1, "0.5"},
    {318, -2, "3.18"},
    {100, -2, "1"},
    {-1, 0, "-1"},
    {15, -301, "1.5e-300"},
    {15, 299, "1.5e300"},
    {-15, -301, "-1.5e-300"},
    {1, 39, "1000000000000000000000000000000000000000"},
    {1, 40, "1e40"},
    {-1, 38, "-100000000000000000000000000000000000000"},
    {-1, 39, "-1e39"},
    {1, -38, "0.00000000000000000000000000000000000001"},
    {1, -39, "1e-39"},
    {-1, -37, "-0.0000000000000000000000000000000000001"},
    {-1, -38, "-1e-38"},
    {123, -40, "1.23e-38"},
    {7, 1000, "7e1000"},
    {LONG_MAX, -9, "9223372036.854775807"},
};

static void test_to_string(void)
{
    dec_num d;
    assay__dec_init(&d);
    for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
        int before = tap_failed;
        set_raw(&d, text_cases[i].coef, text_cases[i].exp);
        check_text(&d, text_cases[i].out);
        note(before, "to_string", text_cases[i].out);
    }
    /* A long integer switches to scientific notation. */
    dec_of(&d, "123456789012345678901234567890123456789012345");
    check_text(&d, "1.23456789012345678901234567890123456789012345e44");
    dec_of(&d, "-0.0001234567890123456789012345678901234567");
    check_text(&d, "-1.234567890123456789012345678901234567e-4");
    /* Never "-0", whatever the input looked like. */
    dec_of(&d, "-0.000");
    check_text(&d, "0");

    /* Doubles, for display only. */
    static const struct {
        const char *in;
        double want;
    } dbl[] = {
        {"0.1", 0.1},       {"1.6e-5", 1.6e-5}, {"-3.175", -3.175},
        {"0", 0.0},         {"1e-1000", 0.0},   {"1500", 1500.0},
        {"100.01", 100.01}, {"1e300", 1e300},   {"123.45", 123.45},
    };
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
        int before = tap_failed;
        dec_of(&d, dbl[i].in);
        ASSERT(assay__dec_to_double(&d) == dbl[i].want);
        note(before, "to_double", dbl[i].in);
    }
    set_raw(&d, 15000, -2);
    ASSERT(assay__dec_to_double(&d) == 150.0);
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
    test_rounding();
    test_compare();
    test_arithmetic();
    test_to_string();
    return tap_done();
}
