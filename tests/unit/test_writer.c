/*
 * test_writer.c - the text writer's pieces against jansson and GMP: strings escaped as
 * json_dumps escapes them, reals and integers written as jansson writes them with
 * JSON_REAL_PRECISION(15), any value as json_dumps writes it (jsonw.c); exact rationals in
 * machine integers and their GMP fallback giving GMP's results, their doubles, JSON text and
 * exact text (rat.c).
 */
#include "jsonw.h"
#include "rat.h"
#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

/* What jansson writes for v alone (compact, 15 digits). */
static char *jansson_text(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    json_decref(v);
    return s;
}

static int failures_noted;

/* Compares the writer's text with jansson's; notes the first few differences. */
static void same_text(const char *what, jw_buf *b, char *want)
{
    int ok = assay__jw_finish(b) && want && strcmp(b->p, want) == 0;
    if (!ok && failures_noted++ < 5) {
        printf("# %s: writer %s, jansson %s\n", what, b->p ? b->p : "(null)",
               want ? want : "(null)");
    }
    tap_result(ok, __FILE__, __LINE__, what);
    free(want);
    b->len = 0;
}

static void test_strings(void)
{
    jw_buf b = {0};
    /* Every ASCII byte, alone and inside text. */
    bool all = true;
    for (int c = 0; c < 0x80; c++) {
        char s[8] = {'a', (char)c, 'b'};
        assay__jw_string(&b, s, 3);
        char *want = jansson_text(json_stringn(s, 3));
        all = all && assay__jw_finish(&b) && strcmp(b.p, want) == 0;
        free(want);
        b.len = 0;
    }
    ASSERT(all);
    /* Escapes at every position of an 8-byte word, runs, non-ASCII and U+2028. */
    const char *samples[] = {"",
                             "\"",
                             "\\",
                             "/",
                             "\x7f",
                             "é€😀",
                             "\xe2\x80\xa8",
                             "a\"b\\c\n\t\r\b\f\x01",
                             "12345678\"",
                             "1234567\"",
                             "123456789012345\x1f"};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        char what[40];
        snprintf(what, sizeof(what), "string sample %zu", i);
        assay__jw_string(&b, samples[i], strlen(samples[i]));
        same_text(what, &b, jansson_text(json_string(samples[i])));
    }
    /* With NUL inside. */
    assay__jw_string(&b, "a\0b", 3);
    same_text("NUL", &b, jansson_text(json_stringn("a\0b", 3)));
    /* Random strings of ASCII, controls and multibyte characters. */
    static const char *const pieces[] = {"a", " ", "\"", "\\", "\n",        "\x02", "\x1f",
                                         "é", "€", "😀",  "/",  "xyzxyzxyz", "\t",   "\x7f"};
    all = true;
    for (int n = 0; n < 2000; n++) {
        char s[256];
        size_t len = 0;
        size_t parts = next() % 20;
        for (size_t k = 0; k < parts; k++) {
            const char *p = pieces[next() % (sizeof(pieces) / sizeof(pieces[0]))];
            memcpy(s + len, p, strlen(p));
            len += strlen(p);
        }
        assay__jw_string(&b, s, len);
        char *want = jansson_text(json_stringn(s, len));
        all = all && assay__jw_finish(&b) && strcmp(b.p, want) == 0;
        free(want);
        b.len = 0;
    }
    ASSERT(all);
    assay__jw_free(&b);
}

static void test_numbers(void)
{
    jw_buf b = {0};
    const double reals[] = {0.0,
                            -0.0,
                            1.0,
                            -1.5,
                            0.1,
                            1e20,
                            1e-5,
                            1e-7,
                            1e21,
                            1e300,
                            2.5e-300,
                            123456789.12345679,
                            0.0001,
                            123456789012345.6,
                            1234567890123456.7,
                            1.0 / 3,
                            5e-324,
                            1.7976931348623157e308,
                            100.0,
                            1e15,
                            1e14,
                            0.30000000000000004};
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "real %.17g", reals[i]);
        assay__jw_real(&b, reals[i]);
        same_text(what, &b, jansson_text(json_real(reals[i])));
    }
    bool all = true;
    for (int n = 0; n < 20000; n++) {
        uint64_t bits = next();
        double v;
        memcpy(&v, &bits, sizeof(v));
        if (!isfinite(v)) {
            continue;
        }
        assay__jw_real(&b, v);
        char *want = jansson_text(json_real(v));
        all = all && assay__jw_finish(&b) && strcmp(b.p, want) == 0;
        free(want);
        b.len = 0;
    }
    ASSERT(all);
    const int64_t ints[] = {0, 1, -1, 42, INT64_MAX, INT64_MIN, 1000000, -999};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        assay__jw_int(&b, ints[i]);
        same_text("integer", &b, jansson_text(json_integer(ints[i])));
    }
    assay__jw_free(&b);
}

static void test_values(void)
{
    jw_buf b = {0};
    const char *docs[] = {
        "{}",
        "[]",
        "null",
        "{\"b\":1,\"a\":[true,false,null,{\"x\":\"\\u0000\\n\"}],\"é\":1.5e-9}",
        "[[[[1]]],{\"k\":{\"k\":{\"k\":-0.0}}},\"\\ud83d\\ude00\",12345678901234567]",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_t *v = json_loads(docs[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        ASSERT(v != NULL);
        char what[40];
        snprintf(what, sizeof(what), "value sample %zu", i);
        assay__jw_value(&b, v);
        same_text(what, &b, jansson_text(v));
    }
    assay__jw_value(&b, NULL);
    ASSERT(assay__jw_finish(&b) && strcmp(b.p, "null") == 0);
    assay__jw_free(&b);
}

/* x as an mpq (q initialised). */
static void to_q(mpq_t q, const rat *x)
{
    if (x->big) {
        mpq_set(q, x->q);
    } else {
        mpz_set_si(mpq_numref(q), x->n);
        mpz_set_si(mpq_denref(q), x->d);
    }
}

/* A random rational: small, near the 64-bit edge, or beyond it. */
static void random_rat(rat *x, mpq_t q)
{
    switch (next() % 4) {
    case 0:
        mpz_set_si(mpq_numref(q), (long)(next() % 2001) - 1000);
        mpz_set_ui(mpq_denref(q), 1 + next() % 100);
        break;
    case 1:
        mpz_set_si(mpq_numref(q), (long)(next() >> 1) * (next() % 2 ? 1 : -1));
        mpz_set_ui(mpq_denref(q), 1 + (next() >> 2));
        break;
    case 2:
        mpz_set_ui(mpq_numref(q), next());
        mpz_mul_ui(mpq_numref(q), mpq_numref(q), next());
        mpz_set_ui(mpq_denref(q), 1 + next() % 7);
        break;
    default:
        mpz_set_si(mpq_numref(q), (long)(next() % 5));
        mpz_set_ui(mpq_denref(q), (uint64_t)1 << (next() % 64));
        break;
    }
    mpq_canonicalize(q);
    assay__rat_set_mpq(x, q);
}

static void test_rationals(void)
{
    mpq_t qa, qb, want, got;
    mpq_inits(qa, qb, want, got, NULL);
    rat a = {.d = 1}, b = {.d = 1}, r = {.d = 1};
    bool arith = true, cmp = true, text = true, exact = true, dbl = true;
    for (int n = 0; n < 20000; n++) {
        random_rat(&a, qa);
        random_rat(&b, qb);
        int op = (int)(next() % 4);
        if (op == 3 && mpq_sgn(qb) == 0) {
            op = 0;
        }
        switch (op) {
        case 0:
            assay__rat_add(&r, &a, &b);
            mpq_add(want, qa, qb);
            break;
        case 1:
            assay__rat_sub(&r, &a, &b);
            mpq_sub(want, qa, qb);
            break;
        case 2:
            assay__rat_mul(&r, &a, &b);
            mpq_mul(want, qa, qb);
            break;
        default:
            assay__rat_div(&r, &a, &b);
            mpq_div(want, qa, qb);
            break;
        }
        to_q(got, &r);
        arith = arith && mpq_equal(got, want);
        /* Small whenever both terms fit: the same value has one form. */
        arith = arith && r.big == !(mpz_fits_slong_p(mpq_numref(want)) &&
                                    mpz_fits_slong_p(mpq_denref(want)) &&
                                    mpz_cmp_si(mpq_numref(want), INT64_MIN) != 0);
        int c = mpq_cmp(qa, qb);
        cmp = cmp && assay__rat_cmp(&a, &b) == (c > 0) - (c < 0);
        /* The JSON text is what jansson writes for the integer or the nearest double. */
        jw_buf t = {0};
        assay__rat_write(&t, &r);
        bool integer =
            mpz_cmp_ui(mpq_denref(want), 1) == 0 && mpz_fits_slong_p(mpq_numref(want));
        char *j = jansson_text(integer ? json_integer(mpz_get_si(mpq_numref(want)))
                                       : json_real(assay__rat_double(&r)));
        if (!(assay__jw_finish(&t) && strcmp(t.p, j) == 0)) {
            if (text) {
                printf("# rat text %s, jansson %s\n", t.p, j);
            }
            text = false;
        }
        free(j);
        t.len = 0;
        assay__rat_write_exact(&t, &r);
        char *e = mpq_get_str(NULL, 10, want);
        exact = exact && assay__jw_finish(&t) && strcmp(t.p, e) == 0;
        free(e);
        assay__jw_free(&t);
        /* The nearest double: the one whose neighbours are no closer (checked in GMP). */
        double d = assay__rat_double(&r);
        if (isfinite(d) && d != 0) {
            mpq_t dq, diff, other;
            mpq_inits(dq, diff, other, NULL);
            mpq_set_d(dq, d);
            mpq_sub(diff, dq, want);
            mpq_abs(diff, diff);
            mpq_set_d(other, nextafter(d, INFINITY));
            mpq_sub(other, other, want);
            mpq_abs(other, other);
            dbl = dbl && mpq_cmp(diff, other) <= 0;
            mpq_set_d(other, nextafter(d, -INFINITY));
            mpq_sub(other, other, want);
            mpq_abs(other, other);
            dbl = dbl && mpq_cmp(diff, other) <= 0;
            mpq_clears(dq, diff, other, NULL);
        }
    }
    ASSERT(arith);
    ASSERT(cmp);
    ASSERT(text);
    ASSERT(exact);
    ASSERT(dbl);

    /* Short decimals (denominators 2^a 5^b) are written without printf: the same text. */
    bool shorts = true;
    for (int a2 = 0; a2 < 12; a2++) {
        for (int b5 = 0; b5 < 12; b5++) {
            int64_t d = 1;
            for (int i = 0; i < a2; i++) {
                d *= 2;
            }
            for (int i = 0; i < b5; i++) {
                d *= 5;
            }
            for (int k = 0; k < 40; k++) {
                int64_t num = (int64_t)(next() % 100000000) - 50000000;
                mpq_set_si(want, num, (unsigned long)d);
                mpq_canonicalize(want);
                assay__rat_set_mpq(&r, want);
                jw_buf t = {0};
                assay__rat_write(&t, &r);
                char *j = jansson_text(mpz_cmp_ui(mpq_denref(want), 1) == 0
                                           ? json_integer(mpz_get_si(mpq_numref(want)))
                                           : json_real(assay__rat_double(&r)));
                shorts = shorts && assay__jw_finish(&t) && strcmp(t.p, j) == 0;
                free(j);
                assay__jw_free(&t);
            }
        }
    }
    ASSERT(shorts);

    /* Scores: 71/80 is 0.8875, 1/3 has 15 digits, a GMP value comes back small. */
    rat x = {.d = 1}, y = {.d = 1};
    mpq_set_si(want, 71, 80);
    assay__rat_set_mpq(&x, want);
    char tx[JW_NUMBER_SIZE];
    assay__rat_json_text(&x, tx);
    ASSERT_STR_EQ(tx, "0.8875");
    mpq_set_si(want, 1, 3);
    assay__rat_set_mpq(&x, want);
    assay__rat_json_text(&x, tx);
    ASSERT_STR_EQ(tx, "0.333333333333333");
    rat_set_int(&x, INT64_MAX);
    rat_set_int(&y, 2);
    assay__rat_mul(&x, &x, &y);
    ASSERT(x.big);
    assay__rat_div(&x, &x, &y);
    ASSERT(!x.big && x.n == INT64_MAX && x.d == 1);
    assay__rat_clear(&x);
    assay__rat_clear(&y);
    assay__rat_clear(&a);
    assay__rat_clear(&b);
    assay__rat_clear(&r);
    mpq_clears(qa, qb, want, got, NULL);
}

int main(void)
{
    test_strings();
    test_numbers();
    test_values();
    test_rationals();
    return tap_done();
}
