/*
 * load_numeric.c - numeric checks in the loader: the expected value and the comparison
 * (exact, tolerance, relative, interval, rounding), significant figures, the unit table and
 * the pattern a number is read from. Every number is read exactly (numread.h).
 */
#include "load.h"
#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Parses "[5, 7)" into the numeric's interval. */
static void parse_interval(ld_loader *L, const json_t *obj, ld_path *p, rb_numeric *n)
{
    const char *s = assay__get_string(&L->rep, obj, "interval", p, false);
    if (s == NULL) {
        return;
    }
    size_t len = strlen(s);
    while (len > 0 && s[len - 1] == ' ') {
        len--;
    }
    while (*s == ' ') {
        s++;
        len--;
    }
    const char *comma = memchr(s, ',', len);
    if (len < 5 || (s[0] != '[' && s[0] != '(') || (s[len - 1] != ']' && s[len - 1] != ')') ||
        comma == NULL) {
        assay__report(
            &L->rep, p, "interval", false, ASSAY_E_INVALID,
            "\"interval\" must look like \"[5, 7)\": '[' or '(' , low, ',', high, ']' or ')'");
        return;
    }
    char lo[128], hi[128];
    size_t lolen = (size_t)(comma - s - 1), hilen = (size_t)(s + len - 1 - comma - 1);
    if (lolen >= sizeof(lo) || hilen >= sizeof(hi)) {
        assay__report(&L->rep, p, "interval", false, ASSAY_E_INVALID,
                      "\"interval\" bounds are too long");
        return;
    }
    memcpy(lo, s + 1, lolen);
    lo[lolen] = '\0';
    memcpy(hi, comma + 1, hilen);
    hi[hilen] = '\0';
    char *a = lo, *b = hi;
    while (*a == ' ') {
        a++;
    }
    while (*b == ' ') {
        b++;
    }
    for (char *e = a + strlen(a); e > a && e[-1] == ' '; e--) {
        e[-1] = '\0';
    }
    for (char *e = b + strlen(b); e > b && e[-1] == ' '; e--) {
        e[-1] = '\0';
    }
    char why[200];
    if (assay__numread_string(&n->lo, a, why, sizeof(why)) != 0) {
        assay__report(&L->rep, p, "interval", false, ASSAY_E_INVALID,
                      "\"interval\" low bound: %s", why);
        return;
    }
    if (assay__numread_string(&n->hi, b, why, sizeof(why)) != 0) {
        assay__report(&L->rep, p, "interval", false, ASSAY_E_INVALID,
                      "\"interval\" high bound: %s", why);
        return;
    }
    n->lo_open = s[0] == '(';
    n->hi_open = s[len - 1] == ')';
    int c = assay__dec_cmp(&n->lo, &n->hi);
    if (c > 0) {
        assay__report(&L->rep, p, "interval", false, ASSAY_E_INVALID,
                      "inverted interval \"%s\": the low bound is greater than the high bound",
                      s);
    } else if (c == 0 && (n->lo_open || n->hi_open)) {
        assay__report(&L->rep, p, "interval", false, ASSAY_E_INVALID,
                      "empty interval \"%s\": no number lies in it", s);
    }
    n->cmp = RB_CMP_INTERVAL;
}

/*
 * Whether a learner's answer can ever name this unit: the reader takes the unit after the
 * number and its spaces, up to the trailing White_Space, and a unit cannot start like a
 * number goes on (numread.c, unit_may_start).
 */
static bool unit_name_ok(const char *name)
{
    size_t len = strlen(name);
    unsigned char c0 = (unsigned char)name[0];
    if (len == 0 || isdigit(c0) || strchr("+-.,*^", c0) != NULL ||
        assay__text_space_at(name, len) > 0 || assay__text_space_before(name, len) > 0) {
        return false;
    }
    return strncmp(name, "\xE2\x88\x92", 3) != 0 && strncmp(name, "\xC3\x97", 2) != 0;
}

static void parse_units(ld_loader *L, const json_t *obj, ld_path *p, rb_numeric *n)
{
    static const char *const keys[] = {"table", "required", "penalty", NULL};
    json_t *u = assay__get_object(&L->rep, obj, "units", p, false);
    if (u == NULL) {
        return;
    }
    size_t up = assay__path_key(p, "units");
    assay__get_only_keys(&L->rep, u, p, keys, "units");
    n->has_units = true;
    n->unit_required = assay__get_bool(&L->rep, u, "required", p, true);
    mpq_set_ui(n->unit_penalty, 1, 2);
    assay__get_q(&L->rep, u, "penalty", p, GET_NONNEG | GET_AT_MOST_1, n->unit_penalty);
    json_t *table = assay__get_object(&L->rep, u, "table", p, true);
    if (table) {
        size_t count = json_object_size(table);
        if (count == 0) {
            assay__report(&L->rep, p, "table", false, ASSAY_E_INVALID,
                          "\"table\" must list at least one unit");
        }
        n->units = calloc(count ? count : 1, sizeof(rb_unit));
        if (n->units == NULL) {
            assay__report_count(&L->rep, ASSAY_E_NOMEM);
            assay__path_pop(p, up);
            return;
        }
        size_t tp = assay__path_key(p, "table");
        const char *name;
        json_t *mult;
        json_object_foreach(table, name, mult)
        {
            rb_unit *un = &n->units[n->nunits++];
            assay__dec_init(&un->mult);
            un->name = ld_strdup(L, name);
            if (!unit_name_ok(name)) {
                assay__report(&L->rep, p, name, true, ASSAY_E_INVALID,
                              "unit name \"%.40s\" can never match: it must not be empty, "
                              "start with a digit, a sign (+ - −), '.', ',', '*', '^', '×' "
                              "or White_Space, or end with White_Space",
                              name);
            }
            if (assay__get_dec(&L->rep, table, name, p, &un->mult) == 0 &&
                assay__dec_sgn(&un->mult) <= 0) {
                assay__report(&L->rep, p, name, false, ASSAY_E_INVALID,
                              "the multiplier of unit \"%.40s\" must be greater than 0", name);
            }
        }
        assay__path_pop(p, tp);
    }
    assay__path_pop(p, up);
}

static void parse_source(ld_loader *L, const json_t *obj, ld_path *p, rb_numeric *n)
{
    static const char *const keys[] = {"pattern", "group", "flags", "ascii", NULL};
    json_t *s = assay__get_object(&L->rep, obj, "source", p, false);
    if (s == NULL) {
        return;
    }
    size_t sp = assay__path_key(p, "source");
    assay__get_only_keys(&L->rep, s, p, keys, "a source");
    n->source = calloc(1, sizeof(pat_regex));
    if (n->source == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        assay__path_pop(p, sp);
        return;
    }
    unsigned flags = assay__load_flags(L, s, p);
    const char *group = assay__get_string(&L->rep, s, "group", p, true);
    int compiled = assay__load_pattern(L, s, p, flags, n->source);
    if (compiled == 0) {
        json_t *v = json_object_get(s, "pattern");
        assay__warn_pattern(L, p, n->source, json_string_value(v), json_string_length(v), -1);
    }
    if (compiled == 0 && group) {
        int num = pcre2_substring_number_from_name(n->source->code, (PCRE2_SPTR)group);
        if (num <= 0) {
            assay__report(&L->rep, p, "group", false, ASSAY_E_INVALID,
                          "the pattern has no group named \"%.60s\" (write (?<%.60s>...))",
                          group, group);
        } else {
            n->source_group = (uint32_t)num;
        }
    }
    assay__path_pop(p, sp);
}

void assay__load_numeric_check(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c)
{
    rb_numeric *n = &c->num;
    n->cmp = RB_CMP_EXACT;
    const char *const modes[] = {"tolerance", "relative", "interval", "round"};
    const char *first = NULL;
    for (size_t i = 0; i < 4; i++) {
        if (json_object_get(obj, modes[i])) {
            if (first) {
                assay__report(
                    &L->rep, p, modes[i], true, ASSAY_E_INVALID,
                    "use only one of \"tolerance\", \"relative\", \"interval\" and \"round\" "
                    "(\"%s\" is already given)",
                    first);
            } else {
                first = modes[i];
            }
        }
    }
    bool has_expected = json_object_get(obj, "expected") != NULL;
    bool has_interval = json_object_get(obj, "interval") != NULL;
    if (has_interval && has_expected) {
        assay__report(
            &L->rep, p, "expected", true, ASSAY_E_INVALID,
            "an \"interval\" check has no \"expected\" value: the interval says what is right");
    } else if (!has_interval && !has_expected) {
        assay__report(&L->rep, p, "expected", false, ASSAY_E_INVALID,
                      "missing required key \"expected\"");
    }
    assay__get_dec(&L->rep, obj, "expected", p, &n->expected);

    json_t *tol = json_object_get(obj, "tolerance");
    if (tol && json_is_object(tol)) {
        static const char *const keys[] = {"below", "above", NULL};
        size_t tp = assay__path_key(p, "tolerance");
        assay__get_only_keys(&L->rep, tol, p, keys, "a tolerance");
        if (assay__get_dec(&L->rep, tol, "below", p, &n->below) == 0 &&
            assay__dec_sgn(&n->below) < 0) {
            assay__report(&L->rep, p, "below", false, ASSAY_E_INVALID,
                          "negative tolerance: \"below\" must "
                          "not be negative");
        }
        if (assay__get_dec(&L->rep, tol, "above", p, &n->above) == 0 &&
            assay__dec_sgn(&n->above) < 0) {
            assay__report(&L->rep, p, "above", false, ASSAY_E_INVALID,
                          "negative tolerance: \"above\" must "
                          "not be negative");
        }
        assay__path_pop(p, tp);
        n->cmp = RB_CMP_ABS;
    } else if (tol) {
        if (assay__get_dec(&L->rep, obj, "tolerance", p, &n->below) == 0) {
            if (assay__dec_sgn(&n->below) < 0) {
                assay__report(&L->rep, p, "tolerance", false, ASSAY_E_INVALID,
                              "negative tolerance: \"tolerance\" must not be negative");
            }
            assay__dec_set(&n->above, &n->below);
        }
        n->cmp = RB_CMP_ABS;
    }
    if (json_object_get(obj, "relative")) {
        if (assay__get_dec(&L->rep, obj, "relative", p, &n->rel) == 0 &&
            assay__dec_sgn(&n->rel) < 0) {
            assay__report(&L->rep, p, "relative", false, ASSAY_E_INVALID,
                          "negative tolerance: \"relative\" must not be negative");
        }
        n->cmp = RB_CMP_REL;
    }
    if (has_interval) {
        parse_interval(L, obj, p, n);
    }
    json_t *round = assay__get_object(&L->rep, obj, "round", p, false);
    if (round) {
        static const char *const keys[] = {"places", "figures", NULL};
        size_t rp = assay__path_key(p, "round");
        assay__get_only_keys(&L->rep, round, p, keys, "\"round\"");
        long long v;
        bool places = json_object_get(round, "places") != NULL;
        bool figures = json_object_get(round, "figures") != NULL;
        if (places == figures) {
            assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                          "\"round\" needs exactly one of \"places\" and \"figures\"");
        } else if (places && assay__get_int(&L->rep, round, "places", p, -100, 100, &v) == 0) {
            n->cmp = RB_CMP_PLACES;
            n->round_n = (long)v;
        } else if (figures && assay__get_int(&L->rep, round, "figures", p, 1, 100, &v) == 0) {
            n->cmp = RB_CMP_FIGURES;
            n->round_n = (long)v;
        }
        assay__path_pop(p, rp);
    }
    json_t *sig = assay__get_object(&L->rep, obj, "sig_figs", p, false);
    if (sig) {
        static const char *const keys[] = {"exactly", "at_least", "penalty", NULL};
        size_t sp = assay__path_key(p, "sig_figs");
        assay__get_only_keys(&L->rep, sig, p, keys, "\"sig_figs\"");
        long long v;
        bool exactly = json_object_get(sig, "exactly") != NULL;
        bool at_least = json_object_get(sig, "at_least") != NULL;
        if (exactly == at_least) {
            assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                          "\"sig_figs\" needs exactly one of \"exactly\" and \"at_least\"");
        } else if (assay__get_int(&L->rep, sig, exactly ? "exactly" : "at_least", p, 1, 100,
                                  &v) == 0) {
            n->sig = exactly ? RB_SIG_EXACTLY : RB_SIG_AT_LEAST;
            n->sig_n = (int)v;
        }
        if (json_object_get(sig, "penalty")) {
            n->sig_has_penalty = assay__get_q(&L->rep, sig, "penalty", p,
                                              GET_NONNEG | GET_AT_MOST_1, n->sig_penalty) == 0;
        }
        assay__path_pop(p, sp);
    }
    parse_units(L, obj, p, n);
    parse_source(L, obj, p, n);
}
