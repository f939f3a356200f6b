/*
 * qjson.c - exact rationals as JSON numbers. The rational stays exact everywhere else; this
 * is the one place it becomes a double, correctly rounded to nearest.
 */
#include "qjson.h"

#include <stdio.h>
#include <stdlib.h>

/*
 * The double nearest to q. (mpq_get_d truncates towards zero, which would print 4/5 as
 * 0.7999999999999999.) Twenty-five significant digits of the quotient are enough for
 * strtod to round correctly to nearest.
 */
static double q_to_double(const mpq_t q)
{
    if (mpq_sgn(q) == 0) {
        return 0.0;
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
    snprintf(buf, sizeof(buf), "%s%.80se-%ld", mpq_sgn(q) < 0 ? "-" : "", digits, k);
    free(digits);
    mpz_clears(n, p, NULL);
    return strtod(buf, NULL);
}

/* A rational as JSON: an integer when it is one, else a real. */
json_t *assay__qjson(const mpq_t q)
{
    if (mpz_cmp_ui(mpq_denref(q), 1) == 0 && mpz_fits_slong_p(mpq_numref(q))) {
        return json_integer((json_int_t)mpz_get_si(mpq_numref(q)));
    }
    /* Both terms exact in a double: IEEE division rounds the quotient correctly. */
    if (mpz_sizeinbase(mpq_numref(q), 2) <= 53 && mpz_sizeinbase(mpq_denref(q), 2) <= 53) {
        return json_real(mpz_get_d(mpq_numref(q)) / mpz_get_d(mpq_denref(q)));
    }
    return json_real(q_to_double(q));
}
