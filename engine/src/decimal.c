/*
 * decimal.c - exact decimal numbers: a GMP coefficient times a power of ten. Lifetime, exact
 * arithmetic and comparison, rounding on the decimal digits, canonical text, and the two ways
 * out of the module (a double for display, a GMP rational for scores).
 *
 * Every value this module produces is normalised: the coefficient carries no trailing
 * decimal zero and zero is held as 0 * 10^0. Inputs are accepted in any representation, so
 * a caller that fills coef and exp by hand still gets correct results. The module never
 * converts through binary doubles except in assay__dec_to_double (display only).
 *
 * It does not divide and does not read text (numread.c does), and it does not guard the
 * exponent of values built by long chains of arithmetic: everything read from text is
 * bounded by DEC_MAX_DIGITS and DEC_MAX_EXP, and the few sums and products a check performs
 * stay far inside the range of a long.
 */
#include "decimal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Plain notation longer than this switches assay__dec_to_string to scientific notation. */
#define PLAIN_MAX 40

/* ---- Representation helpers ---------------------------------------------------------- */

void assay__dec_normalize(dec_num *d)
{
    if (mpz_sgn(d->coef) == 0) {
        d->exp = 0;
        return;
    }
    if (!mpz_divisible_ui_p(d->coef, 10)) {
        return;
    }
    mpz_t ten;
    mpz_init_set_ui(ten, 10);
    mp_bitcnt_t removed = mpz_remove(d->coef, d->coef, ten);
    mpz_clear(ten);
    d->exp += (long)removed;
}

/* The exact number of decimal digits of |z|, for z != 0 (1 for zero). */
static size_t digits10(const mpz_t z)
{
    if (mpz_size(z) <= 1) {
        /* One limb: count its digits without GMP's arithmetic. */
        mp_limb_t v = mpz_getlimbn(z, 0);
        size_t n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }
    size_t n = mpz_sizeinbase(z, 10);
    if (n > 1) {
        /* mpz_sizeinbase may overstate the count by one; check against 10^(n-1). */
        mpz_t p;
        mpz_init(p);
        mpz_ui_pow_ui(p, 10, (unsigned long)(n - 1));
        if (mpz_cmpabs(z, p) < 0) {
            n--;
        }
        mpz_clear(p);
    }
    return n;
}

/* ---- Lifetime -------------------------------------------------------------------------- */

void assay__dec_init(dec_num *d)
{
    mpz_init(d->coef);
    d->exp = 0;
}

void assay__dec_clear(dec_num *d)
{
    mpz_clear(d->coef);
    d->exp = 0;
}

void assay__dec_set(dec_num *dst, const dec_num *src)
{
    if (dst != src) {
        mpz_set(dst->coef, src->coef);
        dst->exp = src->exp;
    }
    assay__dec_normalize(dst);
}

void assay__dec_set_si(dec_num *dst, long v)
{
    mpz_set_si(dst->coef, v);
    dst->exp = 0;
    assay__dec_normalize(dst);
}

/* ---- Arithmetic ------------------------------------------------------------------------ */

/* r = a + b, or a - b when subtract is set. */
static void add_sub(dec_num *r, const dec_num *a, const dec_num *b, bool subtract)
{
    mpz_t sum;
    mpz_init(sum);
    long exp;
    if (mpz_sgn(b->coef) == 0) {
        mpz_set(sum, a->coef);
        exp = a->exp;
    } else if (mpz_sgn(a->coef) == 0) {
        mpz_set(sum, b->coef);
        exp = b->exp;
        if (subtract) {
            mpz_neg(sum, sum);
        }
    } else {
        /* Scale the operand with the larger exponent down to the smaller exponent. */
        const dec_num *hi = a->exp >= b->exp ? a : b;
        const dec_num *lo = hi == a ? b : a;
        unsigned long shift = (unsigned long)hi->exp - (unsigned long)lo->exp;
        mpz_t scaled;
        mpz_init(scaled);
        mpz_ui_pow_ui(scaled, 10, shift);
        mpz_mul(scaled, scaled, hi->coef);
        if (hi == a) {
            if (subtract) {
                mpz_sub(sum, scaled, lo->coef);
            } else {
                mpz_add(sum, scaled, lo->coef);
            }
        } else {
            if (subtract) {
                mpz_sub(sum, lo->coef, scaled);
            } else {
                mpz_add(sum, lo->coef, scaled);
            }
        }
        mpz_clear(scaled);
        exp = lo->exp;
    }
    mpz_swap(r->coef, sum);
    r->exp = exp;
    mpz_clear(sum);
    assay__dec_normalize(r);
}

void assay__dec_add(dec_num *r, const dec_num *a, const dec_num *b)
{
    add_sub(r, a, b, false);
}

void assay__dec_sub(dec_num *r, const dec_num *a, const dec_num *b)
{
    add_sub(r, a, b, true);
}

void assay__dec_mul(dec_num *r, const dec_num *a, const dec_num *b)
{
    long exp = a->exp + b->exp;
    mpz_mul(r->coef, a->coef, b->coef);
    r->exp = exp;
    assay__dec_normalize(r);
}

void assay__dec_neg(dec_num *r, const dec_num *a)
{
    mpz_neg(r->coef, a->coef);
    r->exp = a->exp;
    assay__dec_normalize(r);
}

void assay__dec_abs(dec_num *r, const dec_num *a)
{
    mpz_abs(r->coef, a->coef);
    r->exp = a->exp;
    assay__dec_normalize(r);
}

/* ---- Comparison ------------------------------------------------------------------------ */

/* Compares |a| with |b|; both are non-zero. */
static int cmp_abs_nonzero(const dec_num *a, const dec_num *b)
{
    /* The power of ten just above the leading digit decides unless it is the same. */
    long top_a = a->exp + (long)digits10(a->coef);
    long top_b = b->exp + (long)digits10(b->coef);
    if (top_a != top_b) {
        return top_a < top_b ? -1 : 1;
    }
    /* Same magnitude: the exponents differ by at most the digit counts, so scaling is cheap. */
    const dec_num *hi = a->exp >= b->exp ? a : b;
    const dec_num *lo = hi == a ? b : a;
    unsigned long shift = (unsigned long)hi->exp - (unsigned long)lo->exp;
    if (mpz_size(hi->coef) == 1 && mpz_size(lo->coef) == 1 && shift < 20) {
        /* Both fit a limb: scale in machine words unless that overflows. */
        uint64_t h = mpz_getlimbn(hi->coef, 0), l = mpz_getlimbn(lo->coef, 0);
        bool over = false;
        for (unsigned long i = 0; i < shift && !over; i++) {
            over = __builtin_mul_overflow(h, 10, &h);
        }
        if (!over) {
            int c = h < l ? -1 : h > l;
            return hi != a ? -c : c;
        }
    }
    mpz_t scaled;
    mpz_init(scaled);
    mpz_ui_pow_ui(scaled, 10, shift);
    mpz_mul(scaled, scaled, hi->coef);
    int c = mpz_cmpabs(scaled, lo->coef);
    mpz_clear(scaled);
    if (hi != a) {
        c = -c;
    }
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int assay__dec_cmp(const dec_num *a, const dec_num *b)
{
    int sa = mpz_sgn(a->coef), sb = mpz_sgn(b->coef);
    if (sa != sb) {
        return sa < sb ? -1 : 1;
    }
    if (sa == 0) {
        return 0;
    }
    int c = cmp_abs_nonzero(a, b);
    return sa > 0 ? c : -c;
}

int assay__dec_sgn(const dec_num *a)
{
    int s = mpz_sgn(a->coef);
    return s < 0 ? -1 : (s > 0 ? 1 : 0);
}

/* ---- Rounding -------------------------------------------------------------------------- */

/* r = x rounded half away from zero to a multiple of 10^target. */
static void round_to_exp(dec_num *r, const dec_num *x, long target)
{
    if (mpz_sgn(x->coef) == 0 || x->exp >= target) {
        assay__dec_set(r, x);
        return;
    }
    /* target > x->exp, so the unsigned difference is the exact positive shift. */
    unsigned long shift = (unsigned long)target - (unsigned long)x->exp;
    size_t nd = digits10(x->coef);
    if (shift > nd) {
        /* |x| < 10^(target-1), less than half a unit of the target place. */
        mpz_set_ui(r->coef, 0);
        r->exp = 0;
        return;
    }
    mpz_t p, q, rem;
    mpz_init(p);
    mpz_init(q);
    mpz_init(rem);
    mpz_ui_pow_ui(p, 10, shift);
    mpz_tdiv_qr(q, rem, x->coef, p);
    mpz_mul_2exp(rem, rem, 1);
    if (mpz_cmpabs(rem, p) >= 0) {
        if (mpz_sgn(x->coef) > 0) {
            mpz_add_ui(q, q, 1);
        } else {
            mpz_sub_ui(q, q, 1);
        }
    }
    mpz_swap(r->coef, q);
    r->exp = target;
    mpz_clear(p);
    mpz_clear(q);
    mpz_clear(rem);
    assay__dec_normalize(r);
}

void assay__dec_round_places(dec_num *r, const dec_num *x, long places)
{
    /* -LONG_MIN does not exist; LONG_MAX rounds everything to zero just the same. */
    long target = places == LONG_MIN ? LONG_MAX : -places;
    round_to_exp(r, x, target);
}

void assay__dec_round_figures(dec_num *r, const dec_num *x, long figures)
{
    if (mpz_sgn(x->coef) == 0) {
        mpz_set_ui(r->coef, 0);
        r->exp = 0;
        return;
    }
    if (figures < 1) {
        figures = 1;
    }
    size_t nd = digits10(x->coef);
    if ((unsigned long)figures >= nd) {
        assay__dec_set(r, x);
        return;
    }
    round_to_exp(r, x, x->exp + (long)(nd - (size_t)figures));
}

/* ---- Text output ----------------------------------------------------------------------- */

char *assay__dec_to_string(const dec_num *d)
{
    bool neg = mpz_sgn(d->coef) < 0;
    /* The digits of |coef|: in a stack buffer when they fit (they almost always do). */
    char small[64];
    size_t room = mpz_sizeinbase(d->coef, 10) + 2;
    char *buf = room <= sizeof(small) ? small : malloc(room);
    if (buf == NULL) {
        return NULL;
    }
    mpz_get_str(buf, 10, d->coef);
    char *dig = neg ? buf + 1 : buf;
    long exp = d->exp;
    /* In normal form: no trailing zero digit, and zero as 0 * 10^0. */
    size_t len = strlen(dig);
    if (mpz_sgn(d->coef) == 0) {
        exp = 0;
    }
    while (len > 1 && dig[len - 1] == '0') {
        dig[--len] = '\0';
        exp++;
    }

    size_t nd = strlen(dig);
    size_t sign = neg ? 1 : 0;
    /* Length of the plain form, or PLAIN_MAX + 1 when it would be longer than PLAIN_MAX. */
    size_t plain = PLAIN_MAX + 1;
    if (nd + sign <= PLAIN_MAX) {
        if (exp >= 0) {
            if ((unsigned long)exp <= PLAIN_MAX - nd - sign) {
                plain = nd + sign + (size_t)exp;
            }
        } else {
            /* frac digits after the point; -(exp + 1) cannot overflow. */
            unsigned long frac = (unsigned long)(-(exp + 1)) + 1;
            if (frac < nd) {
                /* A digit stays before the point: "ddd.ddd". */
                plain = nd + sign + 1;
            } else if (frac <= PLAIN_MAX) {
                /* "0." then frac - nd zeros then the digits. */
                plain = sign + 2 + (size_t)frac;
            }
        }
    }

    char *out;
    if (plain <= PLAIN_MAX) {
        out = malloc(plain + 1);
        if (out == NULL) {
            if (buf != small) {
                free(buf);
            }
            return NULL;
        }
        char *o = out;
        if (neg) {
            *o++ = '-';
        }
        if (exp >= 0) {
            memcpy(o, dig, nd);
            o += nd;
            memset(o, '0', (size_t)exp);
            o += exp;
        } else {
            size_t frac = (size_t)(-(exp + 1)) + 1;
            if (frac < nd) {
                memcpy(o, dig, nd - frac);
                o += nd - frac;
                *o++ = '.';
                memcpy(o, dig + nd - frac, frac);
                o += frac;
            } else {
                *o++ = '0';
                *o++ = '.';
                memset(o, '0', frac - nd);
                o += frac - nd;
                memcpy(o, dig, nd);
                o += nd;
            }
        }
        *o = '\0';
    } else {
        /* Scientific: d[.ddd]e<exp>, where exp is the power of the leading digit. */
        long sci = exp + (long)nd - 1;
        out = malloc(nd + 30);
        if (out == NULL) {
            if (buf != small) {
                free(buf);
            }
            return NULL;
        }
        char *o = out;
        if (neg) {
            *o++ = '-';
        }
        *o++ = dig[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(o, 28, "e%ld", sci);
    }
    if (buf != small) {
        free(buf);
    }
    return out;
}

double assay__dec_to_double(const dec_num *d)
{
    /* "<digits>e<exp>" has no radix character, so strtod reads it the same in any locale. */
    char *buf = malloc(mpz_sizeinbase(d->coef, 10) + 32);
    if (buf == NULL) {
        return 0.0;
    }
    mpz_get_str(buf, 10, d->coef);
    size_t n = strlen(buf);
    snprintf(buf + n, 30, "e%ld", d->exp);
    double v = strtod(buf, NULL);
    free(buf);
    return v;
}

int assay__dec_double_digits(double v)
{
    char buf[64];
    for (int prec = 1; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v) {
            return prec;
        }
    }
    /* At 17 significant digits every finite double round-trips. */
    return 17;
}

/* ---- Rationals ------------------------------------------------------------------------- */

void assay__dec_to_mpq(mpq_t q, const dec_num *d)
{
    mpz_t p;
    mpz_init(p);
    mpz_ui_pow_ui(p, 10, (unsigned long)(d->exp < 0 ? -d->exp : d->exp));
    if (d->exp >= 0) {
        mpz_mul(mpq_numref(q), d->coef, p);
        mpz_set_ui(mpq_denref(q), 1);
    } else {
        mpz_set(mpq_numref(q), d->coef);
        mpz_set(mpq_denref(q), p);
        mpq_canonicalize(q);
    }
    mpz_clear(p);
}
