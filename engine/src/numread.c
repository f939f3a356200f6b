/*
 * numread.c - reading numbers from text: the learner number grammar (numread.h) and the
 * rubric author's numbers (JSON integers, JSON reals, strict decimal strings).
 *
 * Both readers first collect the digits and the power of ten as written, check the range on
 * that text alone (DEC_MAX_DIGITS, DEC_MAX_EXP), and only then build the exact value, so no
 * input can make GMP allocate without bound. A JSON real is the one place a binary double is
 * read: the shortest decimal that round-trips to it is recovered.
 *
 * It does not compare, round or convert units (decimal.c, check_numeric.c).
 */
#include "numread.h"

#include "text.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Written powers of ten are saturated here; anything this large is out of range anyway. */
#define POWER_CAP 100000000L

/* ---- Digit strings shared by all readers ----------------------------------------------- */

/* A mantissa and power of ten as written, before any GMP number is made from them. */
typedef struct written {
    char buf[DEC_MAX_DIGITS + 1]; /* the first DEC_MAX_DIGITS digits */
    size_t n;                     /* digits written, possibly more than buf holds */
    size_t intd;                  /* digits before the decimal separator */
    bool point;                   /* a decimal separator was written */
    bool neg;                     /* a minus sign was written */
    long power;                   /* the written power of ten, saturated */
    bool power_big;               /* |power| went beyond POWER_CAP */
} written;

enum build_result { BUILD_OK, BUILD_TOO_MANY_DIGITS, BUILD_OUT_OF_RANGE };

static void written_init(written *w)
{
    w->n = 0;
    w->intd = 0;
    w->point = false;
    w->neg = false;
    w->power = 0;
    w->power_big = false;
}

static void push_digit(written *w, char c)
{
    if (w->n < DEC_MAX_DIGITS) {
        w->buf[w->n] = c;
    }
    w->n++;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Index of the first non-zero digit, or w->n when all digits are zero. */
static size_t first_nonzero(const written *w)
{
    size_t k = 0;
    while (k < w->n && w->buf[k] == '0') {
        k++;
    }
    return k;
}

/*
 * Checks the range of a written number and, when it is in range, makes d its value. The
 * bounds are checked on the text alone, so no large GMP number is ever created.
 */
static enum build_result build_value(dec_num *d, written *w)
{
    if (w->n > DEC_MAX_DIGITS) {
        return BUILD_TOO_MANY_DIGITS;
    }
    size_t k = first_nonzero(w);
    if (k == w->n) {
        mpz_set_ui(d->coef, 0);
        d->exp = 0;
        return BUILD_OK;
    }
    if (w->power_big) {
        return BUILD_OUT_OF_RANGE;
    }
    /* The power of ten of the first significant digit; all terms are small here. */
    long lead = (long)w->intd - 1 - (long)k + w->power;
    if (lead > DEC_MAX_EXP || lead < -DEC_MAX_EXP) {
        return BUILD_OUT_OF_RANGE;
    }
    w->buf[w->n] = '\0';
    mpz_set_str(d->coef, w->buf + k, 10);
    if (w->neg) {
        mpz_neg(d->coef, d->coef);
    }
    d->exp = w->power - (long)(w->n - w->intd);
    assay__dec_normalize(d);
    return BUILD_OK;
}

/* Significant figures as written; see the grammar in decimal.h. */
static int sig_figs(const written *w)
{
    size_t k = first_nonzero(w);
    if (k == w->n) {
        size_t frac = w->n - w->intd;
        return frac > 0 ? (int)frac : 1;
    }
    if (w->point) {
        return (int)(w->n - k);
    }
    size_t last = w->n - 1;
    while (last > k && w->buf[last] == '0') {
        last--;
    }
    return (int)(last - k + 1);
}

/* Length of a sign at s[pos]: '+' or '-' (1), U+2212 (3) when unicode is set; else 0. */
static size_t sign_at(const char *s, size_t pos, size_t end, bool unicode, bool *neg)
{
    if (pos >= end) {
        return 0;
    }
    if (s[pos] == '+' || s[pos] == '-') {
        *neg = s[pos] == '-';
        return 1;
    }
    if (unicode && end - pos >= 3 && memcmp(s + pos, "\xE2\x88\x92", 3) == 0) {
        *neg = true;
        return 3;
    }
    return 0;
}

/*
 * Reads a signed integer power of ten at s[pos] into w->power (saturating). Returns the
 * bytes read, or 0 when there is no sign-then-digits there.
 */
static size_t scan_power(const char *s, size_t pos, size_t end, bool unicode, written *w)
{
    bool neg = false;
    size_t p = pos + sign_at(s, pos, end, unicode, &neg);
    if (p >= end || !is_digit(s[p])) {
        return 0;
    }
    long v = 0;
    bool big = false;
    while (p < end && is_digit(s[p])) {
        if (!big) {
            v = v * 10 + (s[p] - '0');
            if (v > POWER_CAP) {
                big = true;
            }
        }
        p++;
    }
    w->power = neg ? -v : v;
    w->power_big = big;
    return p - pos;
}

/* Copies a learner-facing or author-facing message, never leaving half a UTF-8 character. */
static void set_reason(char *buf, size_t buflen, const char *msg)
{
    if (buf == NULL || buflen == 0) {
        return;
    }
    size_t n = strlen(msg);
    if (n >= buflen) {
        n = buflen - 1;
        while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    memcpy(buf, msg, n);
    buf[n] = '\0';
}

/* ---- Rubric numbers -------------------------------------------------------------------- */

/* Strict rubric syntax: [+-] digits [. digits] [e|E [+-] digits]; ".5" and "5." allowed. */
static bool scan_rubric(const char *s, size_t len, written *w)
{
    size_t pos = sign_at(s, 0, len, false, &w->neg);
    while (pos < len && is_digit(s[pos])) {
        push_digit(w, s[pos++]);
        w->intd++;
    }
    if (pos < len && s[pos] == '.') {
        w->point = true;
        pos++;
        while (pos < len && is_digit(s[pos])) {
            push_digit(w, s[pos++]);
        }
    }
    if (w->n == 0) {
        return false;
    }
    if (pos < len && (s[pos] == 'e' || s[pos] == 'E')) {
        size_t used = scan_power(s, pos + 1, len, false, w);
        if (used == 0) {
            return false;
        }
        pos += 1 + used;
    }
    return pos == len;
}

/* Writes "\"<s>\" <tail>" to why, quoting at most 40 bytes of s on a character boundary. */
static void why_quoted(char *why, size_t whylen, const char *s, size_t len, const char *tail)
{
    char msg[160];
    size_t n = len;
    const char *more = "";
    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
        more = "...";
    }
    snprintf(msg, sizeof msg, "\"%.*s%s\" %s", (int)n, s, more, tail);
    set_reason(why, whylen, msg);
}

static int rubric_string(dec_num *d, const char *s, size_t len, char *why, size_t whylen)
{
    written w;
    written_init(&w);
    if (!scan_rubric(s, len, &w)) {
        why_quoted(why, whylen, s, len, "is not a decimal number");
        return -1;
    }
    dec_num v;
    assay__dec_init(&v);
    enum build_result b = build_value(&v, &w);
    if (b != BUILD_OK) {
        why_quoted(why, whylen, s, len,
                   b == BUILD_TOO_MANY_DIGITS ? "has too many digits" : "is out of range");
        assay__dec_clear(&v);
        return -1;
    }
    mpz_swap(d->coef, v.coef);
    d->exp = v.exp;
    assay__dec_clear(&v);
    return 0;
}

int assay__numread_string(dec_num *d, const char *s, char *why, size_t whylen)
{
    if (s == NULL) {
        set_reason(why, whylen, "no number was given");
        return -1;
    }
    return rubric_string(d, s, strlen(s), why, whylen);
}

/*
 * Reads the output of printf("%.*e"): optional '-', digits, the locale's radix character
 * (any non-digit bytes before 'e'), digits, 'e', signed digits.
 */
static bool scan_printf_e(const char *s, written *w)
{
    size_t len = strlen(s), pos = 0;
    if (pos < len && s[pos] == '-') {
        w->neg = true;
        pos++;
    }
    while (pos < len && is_digit(s[pos])) {
        push_digit(w, s[pos++]);
        w->intd++;
    }
    while (pos < len && !is_digit(s[pos]) && s[pos] != 'e') {
        w->point = true;
        pos++;
    }
    while (pos < len && is_digit(s[pos])) {
        push_digit(w, s[pos++]);
    }
    if (w->n == 0 || pos >= len || s[pos] != 'e') {
        return false;
    }
    size_t used = scan_power(s, pos + 1, len, false, w);
    return used > 0 && pos + 1 + used == len;
}

/* The shortest decimal (in significant digits) that reads back as exactly v. */
static int from_double(dec_num *d, double v, char *why, size_t whylen)
{
    if (!isfinite(v)) {
        set_reason(why, whylen, "the number is not finite");
        return -1;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", assay__dec_double_digits(v) - 1, v);
    written w;
    written_init(&w);
    dec_num t;
    assay__dec_init(&t);
    if (!scan_printf_e(buf, &w) || build_value(&t, &w) != BUILD_OK) {
        assay__dec_clear(&t);
        set_reason(why, whylen, "the number could not be read");
        return -1;
    }
    mpz_swap(d->coef, t.coef);
    d->exp = t.exp;
    assay__dec_clear(&t);
    return 0;
}

int assay__numread_json(dec_num *d, const json_t *v, char *why, size_t whylen)
{
    if (v == NULL) {
        set_reason(why, whylen, "no number was given");
        return -1;
    }
    switch (json_typeof(v)) {
    case JSON_INTEGER: {
        char buf[32];
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        mpz_set_str(d->coef, buf, 10);
        d->exp = 0;
        assay__dec_normalize(d);
        return 0;
    }
    case JSON_REAL:
        return from_double(d, json_real_value(v), why, whylen);
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        if (strlen(s) != len) {
            set_reason(why, whylen,
                       "the string contains a NUL character, not a decimal number");
            return -1;
        }
        return rubric_string(d, s, len, why, whylen);
    }
    case JSON_TRUE:
    case JSON_FALSE:
        set_reason(why, whylen, "a boolean (true or false) is not a number");
        return -1;
    case JSON_NULL:
        set_reason(why, whylen, "null is not a number");
        return -1;
    case JSON_OBJECT:
        set_reason(why, whylen, "an object is not a number");
        return -1;
    case JSON_ARRAY:
        set_reason(why, whylen, "an array is not a number");
        return -1;
    }
    set_reason(why, whylen, "the value is not a number");
    return -1;
}

/* ---- Learner answers ------------------------------------------------------------------- */

void assay__numread_init(nr_result *r)
{
    assay__dec_init(&r->value);
    r->sig_figs = 0;
    r->num_start = r->num_end = 0;
    r->unit_start = r->unit_len = 0;
    r->reason[0] = '\0';
}

void assay__numread_clear(nr_result *r)
{
    assay__dec_clear(&r->value);
}

/* The state of one parse: the input, the format and where the reason goes. */
typedef struct reader {
    const char *s;
    size_t end; /* end of the trimmed answer */
    char dsep;  /* the decimal separator the question expects */
    char other; /* the other separator: a grouping character or a mistake */
    bool grouping;
    nr_result *out;
} reader;

static nr_status invalid(reader *rd, const char *msg)
{
    set_reason(rd->out->reason, sizeof rd->out->reason, msg);
    return NR_INVALID;
}

static nr_status wrong_separator(reader *rd)
{
    return invalid(rd, rd->dsep == '.' ? "this question expects a decimal point, not a comma"
                                       : "this question expects a decimal comma, not a point");
}

static nr_status bad_grouping(reader *rd, bool other_sep)
{
    if (!other_sep) {
        return invalid(rd, "badly formed digit groups: groups must have three digits (the "
                           "first one to three), as in 1 500 000");
    }
    return invalid(rd, rd->dsep == '.'
                           ? "badly formed digit groups (write 1,500 or 1500); this question "
                             "expects a decimal point, not a comma"
                           : "badly formed digit groups (write 1.500 or 1500); this question "
                             "expects a decimal comma, not a point");
}

/* Length of a grouping character at pos: the other separator, space, U+00A0 or U+202F. */
static size_t group_char_at(const reader *rd, size_t pos)
{
    const char *s = rd->s;
    size_t left = rd->end - pos;
    if (pos >= rd->end) {
        return 0;
    }
    if (s[pos] == rd->other || s[pos] == ' ') {
        return 1;
    }
    if (left >= 2 && memcmp(s + pos, "\xC2\xA0", 2) == 0) {
        return 2;
    }
    if (left >= 3 && memcmp(s + pos, "\xE2\x80\xAF", 3) == 0) {
        return 3;
    }
    return 0;
}

static size_t skip_space(const reader *rd, size_t pos)
{
    size_t w;
    while (pos < rd->end && (w = assay__text_space_at(rd->s + pos, rd->end - pos)) > 0) {
        pos += w;
    }
    return pos;
}

/* Reads a run of digits at *pos into w; returns how many there were. */
static size_t digit_run(const reader *rd, size_t *pos, written *w)
{
    size_t n = 0;
    while (*pos < rd->end && is_digit(rd->s[*pos])) {
        push_digit(w, rd->s[(*pos)++]);
        n++;
    }
    return n;
}

/*
 * Reads the integer part with its thousands groups. A grouping character counts as one only
 * when a digit follows it; then the group must be well formed (a first group of one to three
 * digits not starting with 0, then groups of exactly three, all with the same grouping
 * character). A space or no-break space followed by anything else ends the number.
 */
static nr_status integer_part(reader *rd, size_t *pos, written *w)
{
    size_t run = digit_run(rd, pos, w);
    w->intd = run;
    if (!rd->grouping || run == 0) {
        return NR_OK;
    }
    size_t gpos = 0, glen = 0; /* the first grouping character used */
    while (*pos < rd->end) {
        size_t g = group_char_at(rd, *pos);
        if (g == 0 || *pos + g >= rd->end || !is_digit(rd->s[*pos + g])) {
            break;
        }
        bool other = rd->s[*pos] == rd->other;
        if (glen == 0) {
            if (run > 3 || w->buf[0] == '0') {
                return bad_grouping(rd, other);
            }
            gpos = *pos;
            glen = g;
        } else if (g != glen || memcmp(rd->s + gpos, rd->s + *pos, g) != 0) {
            return invalid(rd, "the number mixes different characters between digit groups");
        }
        *pos += g;
        run = digit_run(rd, pos, w);
        w->intd += run;
        if (run != 3) {
            return bad_grouping(rd, other);
        }
    }
    return NR_OK;
}

/*
 * The exponent after the mantissa, if any. 'e'/'E' must touch the mantissa and be followed
 * at once by a signed integer; otherwise the 'e' is not an exponent and starts the unit text
 * ("5eV", "5 eV"). A '×', 'x' or '*' (with optional space around it) followed by a digit
 * commits to a power of ten, which must then be 10^n (or 10**n after '*'). A '×' or '*' not
 * followed by a digit is invalid, while an 'x' not followed by a digit is left as unit text
 * ("5 x"), since only the power of ten gives it a meaning as a multiplication sign.
 */
static nr_status exponent(reader *rd, size_t *pos, written *w, bool *has)
{
    const char *s = rd->s;
    *has = false;
    if (*pos < rd->end && (s[*pos] == 'e' || s[*pos] == 'E')) {
        size_t used = scan_power(s, *pos + 1, rd->end, true, w);
        if (used > 0) {
            *pos += 1 + used;
            *has = true;
        }
        return NR_OK;
    }
    size_t q = skip_space(rd, *pos);
    size_t mlen = 0;
    bool star = false;
    if (q < rd->end && (s[q] == 'x' || s[q] == '*')) {
        mlen = 1;
        star = s[q] == '*';
    } else if (rd->end - q >= 2 && memcmp(s + q, "\xC3\x97", 2) == 0) {
        mlen = 2;
    }
    if (mlen == 0) {
        return NR_OK;
    }
    size_t r = skip_space(rd, q + mlen);
    if (r >= rd->end || !is_digit(s[r])) {
        if (s[q] == 'x') {
            return NR_OK;
        }
        return invalid(rd, "a multiplication sign after a number must be followed by a power "
                           "of ten, as in 2.5×10^3");
    }
    size_t left = rd->end - r;
    size_t op = 0;
    if (left >= 3 && memcmp(s + r, "10^", 3) == 0) {
        op = 3;
    } else if (star && left >= 4 && memcmp(s + r, "10**", 4) == 0) {
        op = 4;
    }
    if (op == 0) {
        return invalid(rd, "write a power of ten as ×10^ followed by a whole number, as in "
                           "2.5×10^3");
    }
    size_t used = scan_power(s, r + op, rd->end, true, w);
    if (used == 0) {
        return invalid(rd,
                       "the power of ten is incomplete: write it as ×10^ followed by a whole "
                       "number, as in 2.5×10^-3");
    }
    *pos = r + op + used;
    *has = true;
    return NR_OK;
}

/* Whether unit text may start at pos: not with a digit, sign, separator, '×', '*' or '^'. */
static bool unit_may_start(const reader *rd, size_t pos)
{
    const char *s = rd->s;
    char c = s[pos];
    bool neg;
    if (is_digit(c) || c == '.' || c == ',' || c == '*' || c == '^' ||
        sign_at(s, pos, rd->end, true, &neg) > 0) {
        return false;
    }
    return !(rd->end - pos >= 2 && memcmp(s + pos, "\xC3\x97", 2) == 0);
}

static nr_status parse(reader *rd, size_t start, bool allow_unit)
{
    const char *s = rd->s;
    nr_result *out = rd->out;
    written w;
    written_init(&w);
    size_t pos = start;
    nr_status st;

    pos += sign_at(s, pos, rd->end, true, &w.neg);
    bool second_neg;
    if (sign_at(s, pos, rd->end, true, &second_neg) > 0) {
        return invalid(rd, "the number has more than one sign");
    }

    st = integer_part(rd, &pos, &w);
    if (st != NR_OK) {
        return st;
    }
    if (pos < rd->end && s[pos] == rd->other) {
        return rd->grouping && w.intd > 0 ? bad_grouping(rd, true) : wrong_separator(rd);
    }
    if (pos < rd->end && s[pos] == rd->dsep) {
        w.point = true;
        pos++;
        digit_run(rd, &pos, &w);
    }
    if (w.n == 0) {
        return invalid(rd, "the answer is not a number");
    }
    if (pos < rd->end && s[pos] == rd->other) {
        return wrong_separator(rd);
    }
    if (pos < rd->end && s[pos] == rd->dsep) {
        return invalid(rd, rd->dsep == '.' ? "the number has more than one decimal point"
                                           : "the number has more than one decimal comma");
    }
    if (rd->grouping && w.point && w.n > w.intd) {
        size_t g = group_char_at(rd, pos);
        if (g > 0 && pos + g < rd->end && is_digit(s[pos + g])) {
            return invalid(rd, rd->dsep == '.'
                                   ? "digits may be grouped only before the decimal point"
                                   : "digits may be grouped only before the decimal comma");
        }
    }
    if (w.n == 1 && w.buf[0] == '0' && !w.point && pos + 1 < rd->end &&
        (s[pos] == 'x' || s[pos] == 'X') && isxdigit((unsigned char)s[pos + 1])) {
        return invalid(rd, "hexadecimal numbers are not accepted");
    }

    size_t mant_end = pos;
    bool has_exp;
    st = exponent(rd, &pos, &w, &has_exp);
    if (st != NR_OK) {
        return st;
    }
    if (has_exp && pos + 1 < rd->end && (s[pos] == '.' || s[pos] == ',') &&
        is_digit(s[pos + 1])) {
        return invalid(rd, "the power of ten must be a whole number");
    }
    size_t num_end = pos;

    size_t t = skip_space(rd, pos);
    if (t < rd->end) {
        size_t after_slash = skip_space(rd, t + 1);
        if (s[t] == '/' && after_slash < rd->end && is_digit(s[after_slash])) {
            return invalid(rd, "fractions are not accepted: write a decimal number");
        }
        if (!allow_unit) {
            if (t == mant_end && (s[t] == 'e' || s[t] == 'E')) {
                return invalid(rd, "the exponent after e is missing or incomplete");
            }
            return invalid(rd, "unexpected text after the number");
        }
        if (!unit_may_start(rd, t)) {
            return invalid(rd, "unexpected text after the number");
        }
        out->unit_start = t;
        out->unit_len = rd->end - t;
    }

    enum build_result b = build_value(&out->value, &w);
    if (b == BUILD_TOO_MANY_DIGITS) {
        out->unit_start = out->unit_len = 0;
        return invalid(rd, "the number has too many digits");
    }
    if (b == BUILD_OUT_OF_RANGE) {
        out->unit_start = out->unit_len = 0;
        return invalid(rd, "the number is too large or too small");
    }
    out->sig_figs = sig_figs(&w);
    out->num_start = start;
    out->num_end = num_end;
    return NR_OK;
}

nr_status assay__numread_answer(const char *s, size_t len, const nr_format *fmt,
                                bool allow_unit, nr_result *out)
{
    mpz_set_ui(out->value.coef, 0);
    out->value.exp = 0;
    out->sig_figs = 0;
    out->num_start = out->num_end = 0;
    out->unit_start = out->unit_len = 0;
    out->reason[0] = '\0';
    if (s == NULL) {
        len = 0;
    }
    size_t start = 0, end = len;
    assay__text_trim(s, &start, &end);
    if (start == end) {
        set_reason(out->reason, sizeof out->reason, "no answer was given");
        return NR_EMPTY;
    }
    reader rd;
    rd.s = s;
    rd.end = end;
    rd.dsep = fmt != NULL && fmt->decimal_sep == ',' ? ',' : '.';
    rd.other = rd.dsep == '.' ? ',' : '.';
    rd.grouping = fmt != NULL && fmt->grouping;
    rd.out = out;
    return parse(&rd, start, allow_unit);
}
