/*
 * test_decimal.c - unit tests for engine/src/decimal.c: rounding, exact arithmetic and
 * comparison, canonical text and doubles. Values are made from rubric strings (numread.c).
 * Most tests are tables; a failing row prints its input as a TAP comment.
 */
#include "dec_helpers.h"
#include "decimal.h"
#include "numread.h"
#include "tap.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TIMES "\xC3\x97" /* U+00D7 MULTIPLICATION SIGN */

static void set_raw(dec_num *d, long coef, long exp)
{
    mpz_set_si(d->coef, coef);
    d->exp = exp;
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
        tap_note(before, "round places", c->in);
    }
    for (size_t i = 0; i < sizeof figures_cases / sizeof figures_cases[0]; i++) {
        const round_case *c = &figures_cases[i];
        int before = tap_failed;
        dec_of(&x, c->in);
        assay__dec_round_figures(&r, &x, c->n);
        check_text(&r, c->out);
        assay__dec_round_figures(&x, &x, c->n);
        check_text(&x, c->out);
        tap_note(before, "round figures", c->in);
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
        tap_note(before, "compare", c->a);
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
    ASSERT_INT_EQ(assay__numread_json(&tol, jt, why, sizeof why), 0);
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
        tap_note(before, "arithmetic", c->a);
    }

    /* 3 dm times 0.1 m/dm is exactly 0.3, equal to 0.3 read from a learner. */
    nr_result n;
    assay__numread_init(&n);
    nr_format dot = {'.', false};
    ASSERT_INT_EQ(assay__numread_answer("3 dm", 4, &dot, true, &n), NR_OK);
    dec_of(&b, "0.1");
    assay__dec_mul(&r, &n.value, &b);
    dec_of(&a, "0.3");
    ASSERT_INT_EQ(assay__dec_cmp(&r, &a), 0);
    /* 1.6×10^-5 from a learner equals 1.6e-5 from a JSON real. */
    const char *ans = "1.6" TIMES "10^-5";
    ASSERT_INT_EQ(assay__numread_answer(ans, strlen(ans), &dot, false, &n), NR_OK);
    json_t *j = json_real(1.6e-5);
    char why[160];
    ASSERT_INT_EQ(assay__numread_json(&a, j, why, sizeof why), 0);
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
        tap_note(before, "to_string", text_cases[i].out);
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
        tap_note(before, "to_double", dbl[i].in);
    }
    set_raw(&d, 15000, -2);
    ASSERT(assay__dec_to_double(&d) == 150.0);
    assay__dec_clear(&d);
}

int main(void)
{
    test_rounding();
    test_compare();
    test_arithmetic();
    test_to_string();
    return tap_done();
}
