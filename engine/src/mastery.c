/*
 * mastery.c - the calculation methods (highest, latest, average, n_mastery,
 * decaying_average, weighted_average) on exact rationals, their names and parameter
 * ranges, and the text API of <assay/mastery.h> that `assay mastery` calls.
 *
 * Every step is exact: weights are percent/100 as rationals and every sum, product and mean
 * is an mpq. A double is made only at the end, for display. Ungraded scores (NULL) are
 * skipped. The module does not order scores, know about records or print anything.
 */
#include "mastery.h"
#include "error.h"
#include "numread.h"
#include "decimal.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTE_MAX 40 /* bytes of user text quoted in a message */

typedef struct method_spec {
    const char *name;
    int lo, hi;       /* parameter range; 0, 0: no parameter */
    const char *what; /* what the parameter is, for messages */
} method_spec;

static const method_spec specs[] = {
    [ASSAY_MASTERY_HIGHEST] = {"highest", 0, 0, NULL},
    [ASSAY_MASTERY_LATEST] = {"latest", 0, 0, NULL},
    [ASSAY_MASTERY_AVERAGE] = {"average", 0, 0, NULL},
    [ASSAY_MASTERY_N_MASTERY] = {"n_mastery", ASSAY_MASTERY_N_MIN, ASSAY_MASTERY_N_MAX,
                                 "a parameter"},
    [ASSAY_MASTERY_DECAYING_AVERAGE] = {"decaying_average", ASSAY_MASTERY_WEIGHT_MIN,
                                        ASSAY_MASTERY_WEIGHT_MAX, "a weight in percent"},
    [ASSAY_MASTERY_WEIGHTED_AVERAGE] = {"weighted_average", ASSAY_MASTERY_WEIGHT_MIN,
                                        ASSAY_MASTERY_WEIGHT_MAX, "a weight in percent"},
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))

/* The length of s to quote: at most QUOTE_MAX bytes, cut on a UTF-8 character boundary. */
static int quote_len(const char *s, bool *cut)
{
    size_t n = strlen(s);
    *cut = n > QUOTE_MAX;
    if (*cut) {
        n = QUOTE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    return (int)n;
}

/* ---- Methods --------------------------------------------------------------------------- */

const char *assay_mastery_kind_name(assay_mastery_kind kind)
{
    return (unsigned)kind < NSPECS ? specs[kind].name : NULL;
}

bool assay_mastery_kind_has_param(assay_mastery_kind kind)
{
    return (unsigned)kind < NSPECS && specs[kind].hi > 0;
}

bool assay__mastery_method_valid(const assay_mastery_method *m)
{
    if (m == NULL || (unsigned)m->kind >= NSPECS) {
        return false;
    }
    const method_spec *sp = &specs[m->kind];
    return sp->hi == 0 ? m->param == 0 : m->param >= sp->lo && m->param <= sp->hi;
}

int assay_mastery_method_parse(const char *name, bool has_param, long param,
                               assay_mastery_method *out, char *why, size_t whylen)
{
    if (name == NULL || out == NULL) {
        assay__whyf(why, whylen, "no calculation method was given");
        return ASSAY_E_ARG;
    }
    size_t k = 0;
    while (k < NSPECS && strcmp(specs[k].name, name) != 0) {
        k++;
    }
    if (k == NSPECS) {
        bool cut;
        int len = quote_len(name, &cut);
        assay__whyf(why, whylen,
                    "unknown calculation method \"%.*s%s\" (expected highest, latest, average, "
                    "n_mastery, decaying_average or weighted_average)",
                    len, name, cut ? "..." : "");
        return ASSAY_E_ARG;
    }
    const method_spec *sp = &specs[k];
    if (sp->hi == 0) {
        if (has_param) {
            assay__whyf(why, whylen, "%s takes no parameter, got %ld", sp->name, param);
            return ASSAY_E_ARG;
        }
        param = 0;
    } else if (!has_param) {
        assay__whyf(why, whylen, "%s needs %s from %d to %d", sp->name, sp->what, sp->lo,
                    sp->hi);
        return ASSAY_E_ARG;
    } else if (param < sp->lo || param > sp->hi) {
        assay__whyf(why, whylen, "%s takes %s from %d to %d, got %ld", sp->name, sp->what,
                    sp->lo, sp->hi, param);
        return ASSAY_E_ARG;
    }
    out->kind = (assay_mastery_kind)k;
    out->param = (int)param;
    return 0;
}

/* out = the mean of the count scores summed in sum (count > 0). */
static void mean(mpq_ptr out, mpq_srcptr sum, size_t count)
{
    mpq_t c;
    mpq_init(c);
    mpz_set_ui(mpq_numref(c), (unsigned long)count);
    mpq_div(out, sum, c);
    mpq_clear(c);
}

/* Every method but n_mastery, over count >= 1 graded scores. */
static void compute_graded(const assay_mastery_method *m, const mpq_srcptr *scores, size_t n,
                           size_t count, mpq_ptr out)
{
    mpq_t acc, w, cw;
    mpq_inits(acc, w, cw, NULL);
    /* w = param/100 and cw = 1 - w, for the two averages. */
    mpq_set_ui(w, (unsigned long)m->param, 100);
    mpq_canonicalize(w);
    mpq_set_ui(cw, 1, 1);
    mpq_sub(cw, cw, w);
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        mpq_srcptr s = scores[i];
        if (s == NULL) {
            continue;
        }
        seen++;
        switch (m->kind) {
        case ASSAY_MASTERY_HIGHEST:
            if (seen == 1 || mpq_cmp(s, out) > 0) {
                mpq_set(out, s);
            }
            break;
        case ASSAY_MASTERY_LATEST:
            mpq_set(out, s);
            break;
        case ASSAY_MASTERY_AVERAGE:
            mpq_add(acc, acc, s);
            break;
        case ASSAY_MASTERY_DECAYING_AVERAGE:
            /* r1 = s1; rk = r(k-1) (1 - w) + sk w. */
            if (seen == 1) {
                mpq_set(out, s);
            } else {
                mpq_mul(out, out, cw);
                mpq_mul(acc, s, w);
                mpq_add(out, out, acc);
            }
            break;
        case ASSAY_MASTERY_WEIGHTED_AVERAGE:
            /* acc sums every score but the latest, which is out. */
            if (seen > 1) {
                mpq_add(acc, acc, out);
            }
            mpq_set(out, s);
            break;
        case ASSAY_MASTERY_N_MASTERY:
            break;
        }
    }
    if (m->kind == ASSAY_MASTERY_AVERAGE) {
        mean(out, acc, count);
    } else if (m->kind == ASSAY_MASTERY_WEIGHTED_AVERAGE && count > 1) {
        /* latest w + mean(earlier) (1 - w); a single score gives itself. */
        mean(acc, acc, count - 1);
        mpq_mul(acc, acc, cw);
        mpq_mul(out, out, w);
        mpq_add(out, out, acc);
    }
    mpq_clears(acc, w, cw, NULL);
}

int assay__mastery_compute(const assay_mastery_method *m, const mpq_srcptr *scores, size_t n,
                           mpq_srcptr threshold, mpq_ptr out, size_t *graded)
{
    if (!assay__mastery_method_valid(m) ||
        (m->kind == ASSAY_MASTERY_N_MASTERY && threshold == NULL) || (n > 0 && !scores)) {
        return ASSAY_E_ARG;
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        count += scores[i] != NULL;
    }
    if (graded) {
        *graded = count;
    }
    mpq_set_ui(out, 0, 1);
    if (count == 0) {
        return 0;
    }
    if (m->kind != ASSAY_MASTERY_N_MASTERY) {
        compute_graded(m, scores, n, count, out);
        return 1;
    }
    /* n_mastery: no value until param scores reach the threshold, then their mean. */
    size_t reached = 0;
    for (size_t i = 0; i < n; i++) {
        if (scores[i] && mpq_cmp(scores[i], threshold) >= 0) {
            mpq_add(out, out, scores[i]);
            reached++;
        }
    }
    if (reached < (size_t)m->param) {
        mpq_set_ui(out, 0, 1);
        return 0;
    }
    mean(out, out, reached);
    return 1;
}

/* ---- Exact text and doubles ------------------------------------------------------------ */

/*
 * p/q with p = [+-]digits and q = digits, into v. Returns 0, or -1 with *reason set to the
 * tail of a message about s.
 */
static int fraction_from_text(mpq_ptr v, const char *s, const char **reason)
{
    static const char digits[] = "0123456789";
    const char *slash = strchr(s, '/');
    size_t sign = s[0] == '+' || s[0] == '-';
    size_t nd = strspn(s + sign, digits);
    size_t dd = strspn(slash + 1, digits);
    if (nd == 0 || s + sign + nd != slash || dd == 0 || slash[1 + dd] != '\0') {
        *reason = "is not a number (write a decimal such as 4.5 or 1e-2, or a fraction of "
                  "two integers such as 7/2)";
        return -1;
    }
    if (nd > DEC_MAX_DIGITS || dd > DEC_MAX_DIGITS) {
        *reason = "has too many digits";
        return -1;
    }
    char *num = malloc(nd + 1);
    if (num == NULL) {
        *reason = "could not be read: out of memory";
        return -1;
    }
    memcpy(num, s + sign, nd);
    num[nd] = '\0';
    /* Both runs are plain decimal digits, which is all mpz_set_str is given. */
    mpz_set_str(mpq_numref(v), num, 10);
    mpz_set_str(mpq_denref(v), slash + 1, 10);
    free(num);
    if (mpz_sgn(mpq_denref(v)) == 0) {
        mpz_set_ui(mpq_denref(v), 1);
        *reason = "has a zero denominator";
        return -1;
    }
    if (s[0] == '-') {
        mpz_neg(mpq_numref(v), mpq_numref(v));
    }
    mpq_canonicalize(v);
    return 0;
}

int assay__mpq_from_text_general(mpq_ptr q, const char *s, char *why, size_t whylen)
{
    if (s == NULL) {
        assay__whyf(why, whylen, "no number was given");
        return -1;
    }
    mpq_t v;
    mpq_init(v);
    const char *reason = NULL;
    int rc = 0;
    if (strchr(s, '/') != NULL) {
        rc = fraction_from_text(v, s, &reason);
    } else {
        dec_num d;
        assay__dec_init(&d);
        rc = assay__numread_string(&d, s, why, whylen);
        if (rc == 0) {
            assay__dec_to_mpq(v, &d);
        }
        assay__dec_clear(&d);
    }
    if (rc == 0) {
        mpq_t lim, mag;
        mpq_inits(lim, mag, NULL);
        mpz_ui_pow_ui(mpq_numref(lim), 10, ASSAY_MASTERY_SCORE_MAX_EXP);
        mpq_abs(mag, v);
        if (mpq_cmp(mag, lim) > 0) {
            reason = "is out of range (a score lies from -10^15 to 10^15)";
            rc = -1;
        }
        mpq_clears(lim, mag, NULL);
    }
    if (rc == 0) {
        mpq_swap(q, v);
    } else if (reason) {
        bool cut;
        int len = quote_len(s, &cut);
        assay__whyf(why, whylen, "\"%.*s%s\" %s", len, s, cut ? "..." : "", reason);
    }
    mpq_clear(v);
    return rc;
}

char *assay__mpq_to_text_general(mpq_srcptr q)
{
    mpz_srcptr num = mpq_numref(q), den = mpq_denref(q);
    bool neg = mpz_sgn(num) < 0;
    /* den = 2^a 5^b exactly when den / 2^a / 5^b is 1; then k = max(a, b) places suffice. */
    mpz_t rest, five, scaled;
    mpz_inits(rest, five, scaled, NULL);
    mpz_set_ui(five, 5);
    mp_bitcnt_t a = mpz_scan1(den, 0);
    mpz_tdiv_q_2exp(rest, den, a);
    mp_bitcnt_t b = mpz_remove(rest, rest, five);
    char *out = NULL;
    if (mpz_cmp_ui(rest, 1) == 0) {
        unsigned long k = a > b ? a : b;
        mpz_ui_pow_ui(scaled, 10, k);
        mpz_mul(scaled, scaled, num);
        mpz_divexact(scaled, scaled, den);
        mpz_abs(scaled, scaled);
        size_t cap = mpz_sizeinbase(scaled, 10) + k + 4;
        char *dig = malloc(cap);
        out = malloc(cap);
        if (dig && out) {
            mpz_get_str(dig, 10, scaled);
            size_t nd = strlen(dig);
            char *o = out;
            if (neg) {
                *o++ = '-';
            }
            if (k == 0) {
                memcpy(o, dig, nd + 1);
            } else if (nd > k) {
                memcpy(o, dig, nd - k);
                o += nd - k;
                *o++ = '.';
                memcpy(o, dig + nd - k, k + 1);
            } else {
                *o++ = '0';
                *o++ = '.';
                memset(o, '0', k - nd);
                memcpy(o + (k - nd), dig, nd + 1);
            }
        } else {
            free(out);
            out = NULL;
        }
        free(dig);
    } else {
        out = malloc(mpz_sizeinbase(num, 10) + mpz_sizeinbase(den, 10) + 4);
        if (out) {
            mpz_get_str(out, 10, num);
            size_t n = strlen(out);
            out[n] = '/';
            mpz_get_str(out + n + 1, 10, den);
        }
    }
    mpz_clears(rest, five, scaled, NULL);
    return out;
}

double assay__mpq_to_double_general(mpq_srcptr q)
{
    int sgn = mpq_sgn(q);
    if (sgn == 0) {
        return 0.0;
    }
    /* mpq_get_d truncates towards zero: the answer is d or its neighbour away from zero. */
    double d = mpq_get_d(q);
    if (!isfinite(d)) {
        return d;
    }
    if (d == 0.0) {
        d = sgn < 0 ? -0.0 : 0.0;
    }
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint64_t away_bits = bits + 1; /* the next magnitude up, same sign */
    double away;
    memcpy(&away, &away_bits, sizeof away);
    double r = d;
    if (isfinite(away)) {
        mpq_t mid, t;
        mpq_inits(mid, t, NULL);
        mpq_set_d(mid, d);
        mpq_set_d(t, away);
        mpq_add(mid, mid, t);
        mpq_div_2exp(mid, mid, 1);
        int c = mpq_cmp(q, mid) * sgn; /* > 0: q is beyond the midpoint */
        if (c > 0 || (c == 0 && (bits & 1) != 0)) {
            r = away;
        }
        mpq_clears(mid, t, NULL);
    }
    return r == 0.0 ? 0.0 : r;
}

/* ---- Fast paths for small terms (mastery.h) ------------------------------------------- */

/* Reads up to 18 decimal digits at *p into *v; how many were read (0: none, or too many). */
static size_t small_digits(const char **p, unsigned long long *v)
{
    size_t n = 0;
    *v = 0;
    while (**p >= '0' && **p <= '9') {
        if (++n > 18) {
            return 0;
        }
        *v = *v * 10 + (unsigned long long)(**p - '0');
        (*p)++;
    }
    return n;
}

/* "p/q" or an integer without a leading zero, small and in range: true with q set. */
static bool small_from_text(mpq_ptr q, const char *s)
{
    const char *p = s;
    unsigned long long n, d = 1;
    size_t nd = small_digits(&p, &n);
    if (nd == 0) {
        return false;
    }
    if (*p == '/') {
        p++;
        if (small_digits(&p, &d) == 0 || d == 0) {
            return false;
        }
    } else if (nd > 1 && s[0] == '0') {
        return false; /* the decimal reader's to judge */
    }
    const unsigned long long lim = 1000000000000000ull; /* 10^ASSAY_MASTERY_SCORE_MAX_EXP */
    if (*p != '\0' || n / d > lim || (n / d == lim && n % d != 0) ||
        n > (unsigned long long)ULONG_MAX || d > (unsigned long long)ULONG_MAX) {
        return false;
    }
    mpq_set_ui(q, (unsigned long)n, (unsigned long)d);
    mpq_canonicalize(q);
    return true;
}

int assay__mpq_from_text(mpq_ptr q, const char *s, char *why, size_t whylen)
{
    if (s != NULL && small_from_text(q, s)) {
        return 0;
    }
    return assay__mpq_from_text_general(q, s, why, whylen);
}

/* Writes v's decimal digits at out (NUL-terminated). @return their count. */
static size_t small_utoa(unsigned long long v, char *out)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (size_t i = 0; i < n; i++) {
        out[i] = tmp[n - 1 - i];
    }
    out[n] = '\0';
    return n;
}

char *assay__mpq_to_text(mpq_srcptr q)
{
    mpz_srcptr num = mpq_numref(q), den = mpq_denref(q);
    if (mpz_sgn(num) < 0 || !mpz_fits_ulong_p(num) || !mpz_fits_ulong_p(den)) {
        return assay__mpq_to_text_general(q);
    }
    unsigned long long n = mpz_get_ui(num), d = mpz_get_ui(den), rest = d;
    unsigned a = 0, b = 0;
    while (rest % 2 == 0) {
        rest /= 2;
        a++;
    }
    while (rest % 5 == 0) {
        rest /= 5;
        b++;
    }
    char *out = malloc(48);
    if (out == NULL) {
        return NULL;
    }
    if (rest != 1) {
        size_t len = small_utoa(n, out);
        out[len] = '/';
        small_utoa(d, out + len + 1);
        return out;
    }
    /* d = 2^a 5^b divides 10^k: the value is n * (10^k / d) / 10^k. */
    unsigned k = a > b ? a : b;
    unsigned long long p10 = 1;
    for (unsigned i = 0; i < k && k <= 19; i++) {
        p10 *= 10;
    }
    unsigned long long m = k <= 19 ? p10 / d : 0;
    if (m == 0 || n > ULLONG_MAX / m) {
        free(out);
        return assay__mpq_to_text_general(q);
    }
    unsigned long long scaled = n * m;
    size_t len = small_utoa(scaled / p10, out);
    if (k > 0) {
        char frac[24];
        size_t nf = small_utoa(scaled % p10, frac);
        out[len++] = '.';
        memset(out + len, '0', k - nf);
        memcpy(out + len + (k - nf), frac, nf + 1);
    }
    return out;
}

double assay__mpq_to_double(mpq_srcptr q)
{
    mpz_srcptr num = mpq_numref(q), den = mpq_denref(q);
    /* Both terms exact as doubles: IEEE division rounds the quotient correctly (to even). */
    if (mpz_sizeinbase(num, 2) <= 53 && mpz_sizeinbase(den, 2) <= 53) {
        double n = (double)mpz_get_ui(num), d = (double)mpz_get_ui(den);
        if (mpz_sgn(num) == 0) {
            return 0.0;
        }
        return mpz_sgn(num) < 0 ? -(n / d) : n / d;
    }
    return assay__mpq_to_double_general(q);
}

/* ---- The text API ---------------------------------------------------------------------- */

void assay_mastery_value_finish(assay_mastery_value *v)
{
    if (v == NULL) {
        return;
    }
    free(v->exact);
    memset(v, 0, sizeof(*v));
    v->mastered = -1;
}

int assay_mastery_compute_text(const assay_mastery_method *m, const char *const *scores,
                               size_t n, const char *mastery_points, assay_mastery_value *out,
                               char *why, size_t whylen)
{
    if (out == NULL) {
        assay__whyf(why, whylen, "no place for the value was given");
        return ASSAY_E_ARG;
    }
    memset(out, 0, sizeof(*out));
    out->mastered = -1;
    if (!assay__mastery_method_valid(m)) {
        assay__whyf(why, whylen,
                    "the calculation method is not valid (build it with "
                    "assay_mastery_method_parse)");
        return ASSAY_E_ARG;
    }
    if (n > 0 && scores == NULL) {
        assay__whyf(why, whylen, "%zu scores were announced but none given", n);
        return ASSAY_E_ARG;
    }
    if (m->kind == ASSAY_MASTERY_N_MASTERY && mastery_points == NULL) {
        assay__whyf(why, whylen,
                    "n_mastery needs mastery points (the score that counts as mastery)");
        return ASSAY_E_ARG;
    }
    if (n > SIZE_MAX / sizeof(mpq_t)) {
        assay__whyf(why, whylen, "too many scores");
        return ASSAY_E_NOMEM;
    }
    mpq_t *vals = malloc((n ? n : 1) * sizeof(mpq_t));
    mpq_srcptr *ptrs = malloc((n ? n : 1) * sizeof(mpq_srcptr));
    if (vals == NULL || ptrs == NULL) {
        free(vals);
        free(ptrs);
        assay__whyf(why, whylen, "out of memory for %zu scores", n);
        return ASSAY_E_NOMEM;
    }
    mpq_t thr, value;
    mpq_inits(thr, value, NULL);
    size_t ninit = 0;
    int rc = 0;
    char reason[256];
    for (; ninit < n; ninit++) {
        mpq_init(vals[ninit]);
        ptrs[ninit] = NULL;
        if (scores[ninit] == NULL) {
            continue;
        }
        if (assay__mpq_from_text(vals[ninit], scores[ninit], reason, sizeof reason) != 0) {
            assay__whyf(why, whylen, "score %zu: %s", ninit + 1, reason);
            ninit++;
            rc = ASSAY_E_ARG;
            goto done;
        }
        ptrs[ninit] = vals[ninit];
    }
    if (mastery_points &&
        assay__mpq_from_text(thr, mastery_points, reason, sizeof reason) != 0) {
        assay__whyf(why, whylen, "mastery points: %s", reason);
        rc = ASSAY_E_ARG;
        goto done;
    }
    mpq_srcptr t = mastery_points ? thr : NULL;
    int has = assay__mastery_compute(m, ptrs, n, t, value, &out->graded);
    if (has < 0) {
        assay__whyf(why, whylen, "the calculation method is not valid");
        rc = has;
        goto done;
    }
    for (size_t i = 0; t && i < n; i++) {
        out->at_mastery += ptrs[i] && mpq_cmp(ptrs[i], t) >= 0;
    }
    if (has) {
        out->exact = assay__mpq_to_text(value);
        if (out->exact == NULL) {
            assay__whyf(why, whylen, "out of memory for the value's text");
            rc = ASSAY_E_NOMEM;
            goto done;
        }
        out->has_value = true;
        out->value = assay__mpq_to_double(value);
    }
    if (t) {
        out->mastered = has && mpq_cmp(value, t) >= 0;
    }
done:
    if (rc != 0) {
        assay_mastery_value_finish(out);
    }
    for (size_t i = 0; i < ninit; i++) {
        mpq_clear(vals[i]);
    }
    free(vals);
    free(ptrs);
    mpq_clears(thr, value, NULL);
    return rc;
}
