/*
 * test_mastery_num.c - the exact numbers of engine/src/mastery.c: scores read as text (and
 * every way a text is refused), values written as exact text, the nearest double of a
 * rational (ties to even, subnormals, overflow), and the fast paths for small rationals
 * against GMP's general routines.
 */
#include "mastery.h"
#include "tap.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints the case that was being checked when an assertion in it failed. */
static void note(int failed_before, const char *what, const char *input)
{
    if (tap_failed != failed_before) {
        printf("#   in %s case \"%s\"\n", what, input);
    }
}

/* ---- Scores as text -------------------------------------------------------------------- */

/* Asserts that s reads as the exact value expect (as text). */
static void check_read(const char *s, const char *expect)
{
    int before = tap_failed;
    mpq_t q;
    mpq_init(q);
    char why[256] = "";
    ASSERT_INT_EQ(assay__mpq_from_text(q, s, why, sizeof why), 0);
    char *got = assay__mpq_to_text(q);
    ASSERT_STR_EQ(got, expect);
    free(got);
    mpq_clear(q);
    if (tap_failed != before) {
        printf("#   why: %s\n", why);
    }
    note(before, "read", s);
}

/* Asserts that s is refused with the message expect, leaving the target unchanged. */
static void check_read_bad(const char *s, const char *expect)
{
    int before = tap_failed;
    mpq_t q;
    mpq_init(q);
    mpq_set_ui(q, 9, 1);
    char why[256] = "";
    ASSERT_INT_EQ(assay__mpq_from_text(q, s, why, sizeof why), -1);
    ASSERT_STR_EQ(why, expect);
    ASSERT_INT_EQ(mpq_cmp_ui(q, 9, 1), 0);
    mpq_clear(q);
    note(before, "read_bad", s ? s : "(null)");
}

static void test_read(void)
{
    check_read("4", "4");
    check_read("4.5", "4.5");
    check_read("-0", "0");
    check_read("+2", "2");
    check_read(".5", "0.5");
    check_read("5.", "5");
    check_read("1e-2", "0.01");
    check_read("1E2", "100");
    check_read("2.50", "2.5");
    check_read("7/2", "3.5");
    check_read("10/3", "10/3");
    check_read("-1/3", "-1/3");
    check_read("+6/4", "1.5");
    check_read("0/5", "0");
    check_read("-0/5", "0");
    check_read("007/0010", "0.7");
    check_read("1e15", "1000000000000000");
    check_read("-1e15", "-1000000000000000");
    check_read("999999999999999.999", "999999999999999.999");
    check_read("10000000000000000/10", "1000000000000000");
    check_read("1e-400", "0."
                         "0000000000000000000000000000000000000000000000000000000000000000"
                         "0000000000000000000000000000000000000000000000000000000000000000"
                         "0000000000000000000000000000000000000000000000000000000000000000"
                         "0000000000000000000000000000000000000000000000000000000000000000"
                         "0000000000000000000000000000000000000000000000000000000000000000"
                         "0000000000000000000000000000000000000000000000000000000000000000"
                         "000000000000000"
                         "1");

    const char *nan_msg = "is not a number (write a decimal such as 4.5 or 1e-2, or a "
                          "fraction of two integers such as 7/2)";
    char msg[256];
    check_read_bad("abc", "\"abc\" is not a decimal number");
    check_read_bad("4,5", "\"4,5\" is not a decimal number");
    check_read_bad("", "\"\" is not a decimal number");
    check_read_bad(" 4", "\" 4\" is not a decimal number");
    check_read_bad("4 ", "\"4 \" is not a decimal number");
    check_read_bad("inf", "\"inf\" is not a decimal number");
    check_read_bad("nan", "\"nan\" is not a decimal number");
    check_read_bad("0x10", "\"0x10\" is not a decimal number");
    check_read_bad("1e", "\"1e\" is not a decimal number");
    check_read_bad("7/0", "\"7/0\" has a zero denominator");
    check_read_bad("0/000", "\"0/000\" has a zero denominator");
    const char *fractions[] = {"1.5/2", "7/-2", "/2",  "2/",    "1/2/3", "7 /2",
                               "1e2/3", "/",    "-/2", "+-1/2", "7/+2"};
    for (size_t i = 0; i < sizeof fractions / sizeof fractions[0]; i++) {
        snprintf(msg, sizeof msg, "\"%s\" %s", fractions[i], nan_msg);
        check_read_bad(fractions[i], msg);
    }
    const char *range = "is out of range (a score lies from -10^15 to 10^15)";
    const char *big[] = {"1e16", "1000000000000001", "-1000000000000000.5",
                         "10000000000000001/10", "1e1000"};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        snprintf(msg, sizeof msg, "\"%s\" %s", big[i], range);
        check_read_bad(big[i], msg);
    }
    check_read_bad("1e99999", "\"1e99999\" is out of range");
    check_read_bad(NULL, "no number was given");
    /* Too many digits, in either form; the quote stops at 40 bytes. */
    char longnum[1100];
    memset(longnum, '1', 1001);
    longnum[1001] = '\0';
    snprintf(msg, sizeof msg, "\"%.40s...\" has too many digits", longnum);
    check_read_bad(longnum, msg);
    memcpy(longnum + 1001, "/3", 3);
    check_read_bad(longnum, msg);
    memcpy(longnum, "3/", 2);
    memset(longnum + 2, '1', 1001);
    longnum[1003] = '\0';
    snprintf(msg, sizeof msg, "\"%.40s...\" has too many digits", longnum);
    check_read_bad(longnum, msg);
    /* A why buffer too small is cut, and NULL is accepted. */
    mpq_t q;
    mpq_init(q);
    char small[8];
    ASSERT_INT_EQ(assay__mpq_from_text(q, "7/0", small, sizeof small), -1);
    ASSERT_STR_EQ(small, "\"7/0\" h");
    ASSERT_INT_EQ(assay__mpq_from_text(q, "abc", NULL, 0), -1);
    mpq_clear(q);
}

/* ---- Exact text and doubles ------------------------------------------------------------ */

static void check_text(long num, unsigned long den, const char *expect)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, num, den);
    mpq_canonicalize(q);
    char *got = assay__mpq_to_text(q);
    ASSERT_STR_EQ(got, expect);
    free(got);
    mpq_clear(q);
}

static void test_text(void)
{
    check_text(0, 1, "0");
    check_text(-12, 1, "-12");
    check_text(14110, 4000, "3.5275");
    check_text(-1, 1000, "-0.001");
    check_text(5, 3, "5/3");
    check_text(-1, 3, "-1/3");
    check_text(10, 6, "5/3");
    check_text(1, 1024, "0.0009765625");
    check_text(3, 80, "0.0375");
    check_text(7, 12, "7/12"); /* 12 = 4 * 3: not terminating */
    check_text(-101, 100, "-1.01");
    /* Long terminating decimals stay plain, never an exponent. */
    mpq_t q;
    mpq_init(q);
    mpq_set_ui(q, 1, 1);
    mpq_div_2exp(q, q, 100);
    char *got = assay__mpq_to_text(q);
    ASSERT(got && strncmp(got, "0.0000000000000000000000000000007888609052210118", 48) == 0);
    ASSERT(got && strchr(got, 'e') == NULL);
    ASSERT_INT_EQ(got ? strlen(got) : 0, 102);
    ASSERT(got && got[strlen(got) - 1] == '5');
    free(got);
    mpz_ui_pow_ui(mpq_numref(q), 10, 30);
    mpz_set_ui(mpq_denref(q), 1);
    got = assay__mpq_to_text(q);
    ASSERT_STR_EQ(got, "1000000000000000000000000000000");
    free(got);
    mpq_clear(q);
}

/* The double nearest to num/den. */
static double qd(long num, unsigned long den)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, num, den);
    mpq_canonicalize(q);
    double d = assay__mpq_to_double(q);
    mpq_clear(q);
    return d;
}

/* The double nearest to 1 + k * 2^-e, with an optional extra + 2^-200. */
static double near_one(unsigned long k, unsigned long e, bool extra)
{
    mpq_t q, t;
    mpq_inits(q, t, NULL);
    mpq_set_ui(q, k, 1);
    mpq_div_2exp(q, q, e);
    mpq_set_ui(t, 1, 1);
    mpq_add(q, q, t);
    if (extra) {
        mpq_div_2exp(t, t, 200);
        mpq_add(q, q, t);
    }
    double d = assay__mpq_to_double(q);
    mpq_clears(q, t, NULL);
    return d;
}

static void test_double(void)
{
    ASSERT(qd(0, 1) == 0.0 && !signbit(qd(0, 1)));
    ASSERT(qd(4, 5) == 0.8); /* truncation would give 0.7999999999999999 */
    ASSERT(qd(1, 10) == 0.1);
    ASSERT(qd(1, 3) == 1.0 / 3.0);
    ASSERT(qd(5, 3) == 5.0 / 3.0);
    ASSERT(qd(-2, 3) == -2.0 / 3.0); /* rounds away from zero here */
    ASSERT(qd(14110, 4000) == 3.5275);
    ASSERT(qd(139, 40) == 3.475);
    ASSERT(qd(-7, 2) == -3.5);
    ASSERT(qd(1000000000000000L, 1) == 1e15);
    /* Exactly half-way between two doubles: ties to even. */
    ASSERT(near_one(1, 53, false) == 1.0);
    ASSERT(near_one(3, 53, false) == 1.0 + 0x1p-51);
    ASSERT(near_one(1, 53, true) == 1.0 + 0x1p-52);
    ASSERT(near_one(1, 54, false) == 1.0);
    /* Below every double: 0, never -0. */
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, -1, 1);
    mpq_div_2exp(q, q, 1200);
    double d = assay__mpq_to_double(q);
    ASSERT(d == 0.0 && !signbit(d));
    /* The smallest subnormal and half of it (a tie, to the even 0). */
    mpq_set_ui(q, 1, 1);
    mpq_div_2exp(q, q, 1074);
    ASSERT(assay__mpq_to_double(q) == 0x1p-1074);
    mpq_div_2exp(q, q, 1);
    ASSERT(assay__mpq_to_double(q) == 0.0);
    mpq_set_ui(q, 3, 1);
    mpq_div_2exp(q, q, 1076);
    ASSERT(assay__mpq_to_double(q) == 0x1p-1074);
    mpq_set_ui(q, 1, 1);
    mpq_mul_2exp(q, q, 2000);
    ASSERT(isinf(assay__mpq_to_double(q)));
    mpq_clear(q);
}

/* The fast paths of mastery.h against the general routines: random fractions of small and
 * large terms (terminating decimals of up to 25 places among them), and texts at the edges
 * of the fast reader (18 and 19 digits, leading zeros, the range limit, a zero
 * denominator). */
static unsigned long long rnd64(unsigned long long *seed)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    return *seed;
}

static void test_fast_paths(void)
{
    int before = tap_failed;
    unsigned long long seed = 88172645463325252ull;
    size_t texts = 0, doubles = 0, reads = 0;
    mpq_t q, a, b;
    mpq_inits(q, a, b, NULL);
    for (int i = 0; i < 20000; i++) {
        unsigned long long r = rnd64(&seed);
        unsigned long long n, d;
        switch (i % 4) {
        case 0: /* scores: small terms */
            n = r % 1000;
            d = 1 + (r >> 20) % 1000;
            break;
        case 1: /* a power of 2 times a power of 5: terminating, up to 25 places */
            n = r % 100000;
            d = 1;
            for (unsigned k = 0; k < (r >> 24) % 26; k++) {
                d *= ((r >> (30 + k % 20)) & 1) ? 2 : 5;
                if (d > 1000000000000000000ull) {
                    break;
                }
            }
            break;
        case 2: /* terms around 2^53 and 2^64 */
            n = r >> (r % 20);
            d = 1 + (rnd64(&seed) >> (rnd64(&seed) % 64));
            break;
        default:
            n = r;
            d = rnd64(&seed) | 1;
            break;
        }
        mpz_set_ui(mpq_numref(q), (unsigned long)n);
        mpz_set_ui(mpq_denref(q), (unsigned long)(d ? d : 1));
        mpq_canonicalize(q);
        if (i % 7 == 0) {
            mpq_neg(q, q);
        }
        char *fast = assay__mpq_to_text(q), *slow = assay__mpq_to_text_general(q);
        texts += fast && slow && strcmp(fast, slow) == 0;
        double x = assay__mpq_to_double(q), y = assay__mpq_to_double_general(q);
        doubles += memcmp(&x, &y, sizeof x) == 0;
        if (fast && (!slow || strcmp(fast, slow) != 0)) {
            printf("#   text: fast %s, general %s\n", fast, slow ? slow : "(null)");
        }
        /* Read back what was written, both ways. */
        char w1[64] = "", w2[64] = "";
        int r1 = slow ? assay__mpq_from_text(a, slow, w1, sizeof w1) : -2;
        int r2 = slow ? assay__mpq_from_text_general(b, slow, w2, sizeof w2) : -2;
        reads += r1 == r2 && (r1 != 0 || mpq_equal(a, b)) && strcmp(w1, w2) == 0;
        free(fast);
        free(slow);
    }
    ASSERT_INT_EQ(texts, 20000);
    ASSERT_INT_EQ(doubles, 20000);
    ASSERT_INT_EQ(reads, 20000);
    static const char *const edge[] = {"0",
                                       "1",
                                       "00",
                                       "007",
                                       "0/5",
                                       "5/0",
                                       "01/2",
                                       "1/02",
                                       "7/12",
                                       "12/8",
                                       "123456789012345678",
                                       "1234567890123456789",
                                       "123456789012345678/3",
                                       "1/1234567890123456789",
                                       "1000000000000000",
                                       "1000000000000001",
                                       "1000000000000000/1",
                                       "2000000000000001/2",
                                       "2000000000000000/2",
                                       "1/",
                                       "/2",
                                       "1//2",
                                       "1/2/3",
                                       "+1/2",
                                       "-1/2",
                                       "1.5",
                                       "",
                                       "x",
                                       "1 ",
                                       " 1",
                                       "18446744073709551615",
                                       "999999999999999999/999999999999999999"};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        char w1[160] = "", w2[160] = "";
        mpq_set_ui(a, 42, 1);
        mpq_set_ui(b, 42, 1);
        int r1 = assay__mpq_from_text(a, edge[i], w1, sizeof w1);
        int r2 = assay__mpq_from_text_general(b, edge[i], w2, sizeof w2);
        ASSERT_INT_EQ(r1, r2);
        ASSERT(mpq_equal(a, b));
        ASSERT_STR_EQ(w1, w2);
        tap_note(before, "fast read", edge[i]);
    }
    mpq_clears(q, a, b, NULL);
    tap_note(before, "fast paths", "random fractions");
}

int main(void)
{
    test_read();
    test_text();
    test_double();
    test_fast_paths();
    return tap_done();
}
