/*
 * fuzz_number.c - fuzz target for the learner number grammar, assay__numread_answer
 * (engine/src/numread.h), and the exact decimal arithmetic behind it.
 *
 * The first input byte chooses the format, the rest is the answer:
 *   bit 0  decimal separator: 0 '.', 1 ','
 *   bit 1  thousands grouping accepted
 *   bit 2  allow_unit
 * so the seeds in corpus/number/ start with a digit '0'..'7' and stay readable.
 *
 * Invariants for a number read (NR_OK), a broken one aborts:
 *  - num_start < num_end <= size; a unit lies after the number and within the input, and
 *    only when allow_unit is set; at least one significant figure, and at least as many as
 *    the value's coefficient has digits;
 *  - the value is normalised (no trailing zero in the coefficient, zero is 0 * 10^0);
 *  - assay__dec_to_string of the value reads back with assay__numread_string as an
 *    equal value, and its text is a fixed point;
 *  - the number's own text, input[num_start, num_end), is read alone (allow_unit off) as
 *    the same value with the same significant figures;
 *  - an answer read without allow_unit is read the same with it, with no unit;
 *  - rounding to places and figures moves the value by at most half a unit of the last
 *    place kept, keeps no more than the figures asked for, and is idempotent.
 * An empty or invalid answer has a reason that is a NUL-terminated, non-empty sentence.
 */
#include "fuzz.h"

#include "decimal.h"
#include "numread.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Exact number of decimal digits of |z| (1 for zero). */
static size_t ndigits(const mpz_t z)
{
    char *s = mpz_get_str(NULL, 10, z);
    FUZZ_CHECK(s != NULL);
    size_t n = strlen(s) - (s[0] == '-');
    free(s);
    return n;
}

static void check_normalized(const dec_num *d)
{
    if (mpz_sgn(d->coef) == 0) {
        FUZZ_CHECK(d->exp == 0);
    } else {
        FUZZ_CHECK(!mpz_divisible_ui_p(d->coef, 10));
    }
}

/* Sets d to 5 * 10^exp: half a unit of the place 10^(exp + 1). */
static void set_half_unit(dec_num *d, long exp)
{
    mpz_set_ui(d->coef, 5);
    d->exp = exp;
}

/* |a - b| <= bound */
static bool within(const dec_num *a, const dec_num *b, const dec_num *bound)
{
    dec_num diff;
    assay__dec_init(&diff);
    assay__dec_sub(&diff, a, b);
    assay__dec_abs(&diff, &diff);
    bool ok = assay__dec_cmp(&diff, bound) <= 0;
    assay__dec_clear(&diff);
    return ok;
}

static void check_text_round_trip(const dec_num *v)
{
    char *text = assay__dec_to_string(v);
    FUZZ_CHECK(text != NULL);
    dec_num back;
    assay__dec_init(&back);
    char why[160];
    if (assay__numread_string(&back, text, why, sizeof why) != 0) {
        fprintf(stderr, "canonical text \"%s\" does not read back: %s\n", text, why);
        fuzz_fail(__FILE__, __LINE__, "assay__numread_string(to_string(v)) == 0");
    }
    FUZZ_CHECK(assay__dec_cmp(&back, v) == 0);
    char *again = assay__dec_to_string(&back);
    FUZZ_CHECK(again != NULL && strcmp(text, again) == 0);
    free(again);
    free(text);
    assay__dec_clear(&back);
}

static void check_rounding(const dec_num *v)
{
    static const long places[] = {-4, -1, 0, 1, 2, 3, 6, 20};
    static const long figures[] = {1, 2, 3, 4, 7, 30};
    dec_num r, again, half;
    assay__dec_init(&r);
    assay__dec_init(&again);
    assay__dec_init(&half);

    for (size_t i = 0; i < sizeof places / sizeof *places; i++) {
        assay__dec_round_places(&r, v, places[i]);
        check_normalized(&r);
        FUZZ_CHECK(mpz_sgn(r.coef) == 0 || r.exp >= -places[i]);
        set_half_unit(&half, -places[i] - 1);
        FUZZ_CHECK(within(&r, v, &half));
        assay__dec_round_places(&again, &r, places[i]);
        FUZZ_CHECK(assay__dec_cmp(&again, &r) == 0);
    }

    if (mpz_sgn(v->coef) != 0) {
        long lead = v->exp + (long)ndigits(v->coef) - 1; /* power of the first digit */
        for (size_t i = 0; i < sizeof figures / sizeof *figures; i++) {
            assay__dec_round_figures(&r, v, figures[i]);
            check_normalized(&r);
            FUZZ_CHECK(ndigits(r.coef) <= (size_t)figures[i]);
            set_half_unit(&half, lead - figures[i]);
            FUZZ_CHECK(within(&r, v, &half));
            assay__dec_round_figures(&again, &r, figures[i]);
            FUZZ_CHECK(assay__dec_cmp(&again, &r) == 0);
        }
    }
    assay__dec_clear(&r);
    assay__dec_clear(&again);
    assay__dec_clear(&half);
}

/* Reads the number's own text again, alone: same value, same significant figures. */
static void check_number_text(const char *s, const nr_result *rd, const nr_format *fmt)
{
    size_t len = rd->num_end - rd->num_start;
    char *copy = malloc(len > 0 ? len : 1);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, s + rd->num_start, len);
    nr_result alone;
    assay__numread_init(&alone);
    nr_status st = assay__numread_answer(copy, len, fmt, false, &alone);
    if (st != NR_OK) {
        fprintf(stderr, "number text \"%.*s\" alone: %s\n", (int)len, copy, alone.reason);
    }
    FUZZ_CHECK(st == NR_OK);
    FUZZ_CHECK(assay__dec_cmp(&alone.value, &rd->value) == 0);
    FUZZ_CHECK(alone.sig_figs == rd->sig_figs);
    FUZZ_CHECK(alone.num_start == 0 && alone.num_end == len);
    assay__numread_clear(&alone);
    free(copy);
}

static void check_ok(const char *s, size_t len, const nr_format *fmt, bool allow_unit,
                     const nr_result *rd)
{
    FUZZ_CHECK(rd->num_start < rd->num_end);
    FUZZ_CHECK(rd->num_end <= len);
    if (rd->unit_len > 0) {
        FUZZ_CHECK(allow_unit);
        FUZZ_CHECK(rd->unit_start >= rd->num_end);
        FUZZ_CHECK(rd->unit_start <= len && rd->unit_len <= len - rd->unit_start);
    }
    FUZZ_CHECK(rd->sig_figs >= 1);
    check_normalized(&rd->value);
    if (mpz_sgn(rd->value.coef) != 0) {
        FUZZ_CHECK((size_t)rd->sig_figs >= ndigits(rd->value.coef));
    }
    check_text_round_trip(&rd->value);
    check_number_text(s, rd, fmt);
    check_rounding(&rd->value);
    (void)assay__dec_to_double(&rd->value);

    if (!allow_unit) {
        nr_result with_unit;
        assay__numread_init(&with_unit);
        FUZZ_CHECK(assay__numread_answer(s, len, fmt, true, &with_unit) == NR_OK);
        FUZZ_CHECK(assay__dec_cmp(&with_unit.value, &rd->value) == 0);
        FUZZ_CHECK(with_unit.unit_len == 0);
        FUZZ_CHECK(with_unit.sig_figs == rd->sig_figs);
        assay__numread_clear(&with_unit);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    const nr_format fmt = {.decimal_sep = (data[0] & 1) ? ',' : '.',
                           .grouping = (data[0] & 2) != 0};
    const bool allow_unit = (data[0] & 4) != 0;
    const char *s = (const char *)data + 1;
    const size_t len = size - 1;

    nr_result rd;
    assay__numread_init(&rd);
    nr_status st = assay__numread_answer(s, len, &fmt, allow_unit, &rd);
    switch (st) {
    case NR_OK:
        check_ok(s, len, &fmt, allow_unit, &rd);
        break;
    case NR_EMPTY:
    case NR_INVALID:
        FUZZ_CHECK(memchr(rd.reason, '\0', sizeof rd.reason) != NULL);
        FUZZ_CHECK(rd.reason[0] != '\0');
        break;
    default:
        FUZZ_CHECK(!"unknown status");
    }
    assay__numread_clear(&rd);
    return 0;
}
