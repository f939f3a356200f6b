/*
 * rat.c - exact rationals in machine integers with a GMP fallback (rat.h), and their
 * doubles and JSON text.
 *
 * Every small operation checks for overflow (__builtin_*_overflow) and, when a term would
 * not fit, redoes the operation in GMP; a GMP result that fits again becomes small, so
 * equal values always have the same form and the same text.
 */
#include "rat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void assay__rat_clear(rat *x)
{
    if (x->big) {
        mpq_clear(x->q);
        x->big = false;
    }
    x->n = 0;
    x->d = 1;
}

static uint64_t uabs(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Binary gcd; gcd(0, b) = b. */
static uint64_t gcd64(uint64_t a, uint64_t b)
{
    if (a == 0) {
        return b;
    }
    if (b == 0) {
        return a;
    }
    int shift = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b != 0);
    return a << shift;
}

/* Sets r to the small value n / d (d > 0), reduced. */
static void set_small(rat *r, int64_t n, int64_t d)
{
    if (r->big) {
        mpq_clear(r->q);
        r->big = false;
    }
    if (n == 0) {
        d = 1;
    } else if (d != 1) {
        int64_t g = (int64_t)gcd64(uabs(n), (uint64_t)d);
        if (g != 1) {
            n /= g;
            d /= g;
        }
    }
    r->n = n;
    r->d = d;
}

/* out (initialised) = x. */
static void get_mpq(mpq_t out, const rat *x)
{
    if (x->big) {
        mpq_set(out, x->q);
    } else {
        mpz_set_si(mpq_numref(out), x->n);
        mpz_set_si(mpq_denref(out), x->d);
    }
}

/* r = v (canonical): small when both terms fit, else GMP. */
static void set_from_mpq(rat *r, const mpq_t v)
{
    if (mpz_fits_slong_p(mpq_numref(v)) && mpz_fits_slong_p(mpq_denref(v)) &&
        mpz_cmp_si(mpq_numref(v), INT64_MIN) != 0) {
        int64_t n = mpz_get_si(mpq_numref(v)), d = mpz_get_si(mpq_denref(v));
        set_small(r, n, d);
        return;
    }
    if (!r->big) {
        mpq_init(r->q);
        r->big = true;
    }
    mpq_set(r->q, v);
}

void assay__rat_set_mpq(rat *x, const mpq_t q)
{
    set_from_mpq(x, q);
}

void assay__rat_set(rat *r, const rat *a)
{
    if (r == a) {
        return;
    }
    if (a->big) {
        set_from_mpq(r, a->q);
    } else {
        set_small(r, a->n, a->d);
    }
}

typedef void (*mpq_op)(mpq_ptr, mpq_srcptr, mpq_srcptr);

/* r = op(a, b) in GMP. */
static void big_op(rat *r, const rat *a, const rat *b, mpq_op op)
{
    mpq_t x, y;
    mpq_inits(x, y, NULL);
    get_mpq(x, a);
    get_mpq(y, b);
    op(x, x, y);
    set_from_mpq(r, x);
    mpq_clears(x, y, NULL);
}

static bool fits(int64_t n)
{
    return n != INT64_MIN;
}

void assay__rat_add(rat *r, const rat *a, const rat *b)
{
    if (!a->big && !b->big) {
        int64_t n, d = a->d;
        if (a->d == b->d) {
            if (!__builtin_add_overflow(a->n, b->n, &n) && fits(n)) {
                set_small(r, n, d);
                return;
            }
        } else {
            int64_t g = (int64_t)gcd64((uint64_t)a->d, (uint64_t)b->d), t1, t2;
            if (!__builtin_mul_overflow(a->n, b->d / g, &t1) &&
                !__builtin_mul_overflow(b->n, a->d / g, &t2) &&
                !__builtin_add_overflow(t1, t2, &n) &&
                !__builtin_mul_overflow(a->d, b->d / g, &d) && fits(n)) {
                set_small(r, n, d);
                return;
            }
        }
    }
    big_op(r, a, b, mpq_add);
}

void assay__rat_sub(rat *r, const rat *a, const rat *b)
{
    if (!b->big && fits(-b->n)) {
        rat nb = {.n = -b->n, .d = b->d};
        assay__rat_add(r, a, &nb);
        return;
    }
    big_op(r, a, b, mpq_sub);
}

void assay__rat_mul(rat *r, const rat *a, const rat *b)
{
    if (!a->big && !b->big) {
        /* Cross-reduced first, the product is in lowest terms. */
        int64_t g1 = (int64_t)gcd64(uabs(a->n), (uint64_t)b->d);
        int64_t g2 = (int64_t)gcd64(uabs(b->n), (uint64_t)a->d);
        int64_t n, d;
        if (g1 == 0 || g2 == 0) { /* a or b is 0 */
            set_small(r, 0, 1);
            return;
        }
        if (!__builtin_mul_overflow(a->n / g1, b->n / g2, &n) &&
            !__builtin_mul_overflow(a->d / g2, b->d / g1, &d) && fits(n)) {
            set_small(r, n, d);
            return;
        }
    }
    big_op(r, a, b, mpq_mul);
}

void assay__rat_div(rat *r, const rat *a, const rat *b)
{
    if (!b->big && b->n != 0) {
        rat inv = {.n = b->n < 0 ? -b->d : b->d, .d = b->n < 0 ? -b->n : b->n};
        assay__rat_mul(r, a, &inv);
        return;
    }
    big_op(r, a, b, mpq_div);
}

int assay__rat_cmp(const rat *a, const rat *b)
{
    if (!a->big && !b->big) {
        if (a->d == b->d) {
            return (a->n > b->n) - (a->n < b->n);
        }
#ifdef __SIZEOF_INT128__
        __int128 x = (__int128)a->n * b->d, y = (__int128)b->n * a->d;
        return (x > y) - (x < y);
#else
        int64_t x, y;
        if (!__builtin_mul_overflow(a->n, b->d, &x) &&
            !__builtin_mul_overflow(b->n, a->d, &y)) {
            return (x > y) - (x < y);
        }
#endif
    }
    mpq_t x, y;
    mpq_inits(x, y, NULL);
    get_mpq(x, a);
    get_mpq(y, b);
    int c = mpq_cmp(x, y);
    mpq_clears(x, y, NULL);
    return (c > 0) - (c < 0);
}

int assay__rat_sgn(const rat *a)
{
    if (a->big) {
        return mpq_sgn(a->q);
    }
    return (a->n > 0) - (a->n < 0);
}

bool assay__rat_is_one(const rat *a)
{
    return !a->big && a->n == 1 && a->d == 1;
}

/*
 * The double nearest to q. (mpq_get_d truncates towards zero, which would print 4/5 as
 * 0.7999999999999999.) Twenty-five significant digits of the quotient are enough for
 * strtod to round correctly to nearest.
 */
static double mpq_nearest(const mpq_t q)
{
    if (mpq_sgn(q) == 0) {
        return 0.0;
    }
    /* Both terms exact in a double: IEEE division rounds the quotient correctly. */
    if (mpz_sizeinbase(mpq_numref(q), 2) <= 53 && mpz_sizeinbase(mpq_denref(q), 2) <= 53) {
        return mpz_get_d(mpq_numref(q)) / mpz_get_d(mpq_denref(q));
    }
    mpz_t n, p;
    mpz_inits(n, p, NULL);
    mpz_abs(n, mpq_numref(q));
    long k = 25 - (long)mpz_sizeinbase(n, 10) + (long)mpz_sizeinbase(mpq_denref(q), 10);
    if (k < 0) {
        k = 0;
    }
    mpz_ui_pow_ui(p, 10, (unsigned long)k);
    mpz_mul(n, n, p);
    mpz_tdiv_q(n, n, mpq_denref(q));
    char *digits = mpz_get_str(NULL, 10, n);
    char buf[128];
    snprintf(buf, sizeof(buf), "%s%.80se-%ld", mpq_sgn(q) < 0 ? "-" : "", digits ? digits : "0",
             k);
    free(digits);
    mpz_clears(n, p, NULL);
    return strtod(buf, NULL);
}

#define EXACT_53 ((uint64_t)1 << 53)

double assay__rat_double(const rat *x)
{
    if (!x->big && uabs(x->n) < EXACT_53 && (uint64_t)x->d < EXACT_53) {
        return (double)x->n / (double)x->d;
    }
    mpq_t q;
    mpq_init(q);
    get_mpq(q, x);
    double v = mpq_nearest(q);
    mpq_clear(q);
    return v;
}

/*
 * "%.15g" of the double nearest to n / d without printf, when d is 2^a 5^b and the exact
 * decimal has at most 15 significant digits with its leading digit at 10^-4 .. 10^14: the
 * nearest double then prints back as exactly that decimal, in positional form, trailing zeros
 * dropped, as "%g" does. @return the length, or 0 when the value is not of that kind.
 */
static size_t short_decimal(int64_t n, int64_t d, char *out)
{
    int k2 = __builtin_ctzll((uint64_t)d);
    uint64_t rest = (uint64_t)d >> k2;
    int k5 = 0;
    while (rest % 5 == 0) {
        rest /= 5;
        k5++;
    }
    if (rest != 1) {
        return 0;
    }
    /* n / d = m / 10^k with m = |n| * 2^(k - k2) * 5^(k - k5). */
    int k = k2 > k5 ? k2 : k5;
    uint64_t m = uabs(n);
    for (int i = k2; i < k; i++) {
        if (__builtin_mul_overflow(m, 2, &m)) {
            return 0;
        }
    }
    for (int i = k5; i < k; i++) {
        if (__builtin_mul_overflow(m, 5, &m)) {
            return 0;
        }
    }
    char dig[24];
    int nd = 0;
    for (uint64_t v = m; v; v /= 10) {
        dig[nd++] = (char)('0' + v % 10); /* least significant first */
    }
    int lead = nd - 1 - k; /* the exponent of the leading digit */
    if (nd > 15 || lead < -4 || lead >= 15 || k == 0) {
        return 0;
    }
    size_t o = 0;
    if (n < 0) {
        out[o++] = '-';
    }
    if (lead < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = -1; i > lead; i--) {
            out[o++] = '0';
        }
        for (int i = nd - 1; i >= 0; i--) {
            out[o++] = dig[i];
        }
    } else {
        for (int i = nd - 1; i >= 0; i--) {
            out[o++] = dig[i];
            if (i == k) {
                out[o++] = '.';
            }
        }
    }
    out[o] = '\0';
    return o;
}

size_t assay__rat_json_text(const rat *x, char out[JW_NUMBER_SIZE])
{
    if (!x->big) {
        if (x->d == 1) {
            return assay__jw_int_text(x->n, out);
        }
        size_t n = short_decimal(x->n, x->d, out);
        if (n) {
            return n;
        }
    }
    return assay__jw_real_text(assay__rat_double(x), out);
}

void assay__rat_write(jw_buf *b, const rat *x)
{
    if (jw_room(b, JW_NUMBER_SIZE)) {
        b->len += assay__rat_json_text(x, b->p + b->len);
    }
}

json_t *assay__rat_json(const rat *x)
{
    if (!x->big && x->d == 1) {
        return json_integer((json_int_t)x->n);
    }
    return json_real(assay__rat_double(x));
}

void assay__rat_write_exact(jw_buf *b, const rat *x)
{
    if (!x->big) {
        char t[JW_NUMBER_SIZE];
        jw_put(b, t, assay__jw_int_text(x->n, t));
        if (x->d != 1) {
            jw_put(b, "/", 1);
            jw_put(b, t, assay__jw_int_text(x->d, t));
        }
        return;
    }
    char *s = mpq_get_str(NULL, 10, x->q);
    if (s == NULL) {
        b->failed = true;
        return;
    }
    jw_puts(b, s);
    free(s);
}
