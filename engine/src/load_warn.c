/*
 * load_warn.c - the loader's warnings: authoring mistakes that make a valid rubric grade
 * wrongly without any error, found after the rubric's parts are read. A warning never makes
 * a load fail (`assay lint --werror` makes it fail the lint).
 *
 * Patterns: one that matches any answer (the empty pattern, "a*", ".*" in dotall...), a
 * backspace that JSON's "\b" put where a word boundary was meant, a typographic quote with no
 * plain one beside it, and a '.' between digits, which matches any character. Competencies:
 * ids that differ only in case or by one letter, and the declared id nearest to an undeclared
 * one (for the error's "did you mean").
 *
 * It decides nothing about validity: load_pattern.c and load_scale.c report the errors.
 */
#include "load.h"

#include "locate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Short answers of different kinds; a pattern that matches all of them (the empty one
 * included) matches anything a learner could write. */
static const char *const probes[] = {"",   " ",        "x",
                                     "42", "No idea.", "\xC3\xA9 \xC3\xBC\n3,5 m/s"};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

/* Where the decoded pattern's byte at offset `at` is in the file (the pattern's value when
 * the string cannot be found). */
static bool char_place(const ld_loader *L, const ld_path *p, size_t at, size_t *off,
                       ld_path *full)
{
    *full = *p;
    assay__path_key(full, "pattern");
    size_t str;
    if (full->over > 0 || assay__locate(L->rep.buf, L->rep.len, full->s, false, &str) != 0) {
        return false;
    }
    *off = assay__string_offset(L->rep.buf, L->rep.len, str, at);
    return true;
}

static void warn_at_char(ld_loader *L, const ld_path *p, size_t at, const char *msg)
{
    ld_path full;
    size_t off;
    if (char_place(L, p, at, &off, &full)) {
        assay__report_warning_at(&L->rep, full.s, off, "%s", msg);
    } else {
        assay__report_warning(&L->rep, p, "pattern", false, "%s", msg);
    }
}

/* A pattern check whose pattern matches anything: what that does depends on the mode. */
static void warn_matches_anything(ld_loader *L, const ld_path *p, const pat_regex *pat,
                                  size_t len, int mode)
{
    if (mode < 0) {
        return; /* a numeric source: an empty number is invalid anyway */
    }
    const char *what = len == 0 ? "the pattern is empty, so it matches any answer"
                                : "the pattern matches any answer (even an empty one)";
    if (mode == RB_COUNT) {
        if (assay__pattern_probe(pat, probes, 1) == 1) {
            assay__report_warning(
                &L->rep, p, "pattern", false,
                "%s: a count check counts an empty match at every position of the answer",
                len == 0 ? "the pattern is empty" : "the pattern can match an empty string");
        }
        return;
    }
    if (assay__pattern_probe(pat, probes, NPROBES) != (int)NPROBES) {
        return;
    }
    assay__report_warning(&L->rep, p, "pattern", false,
                          "%s: this %s check %s whatever the learner writes", what,
                          mode == RB_FORBID  ? "forbid"
                          : mode == RB_WHOLE ? "whole"
                                             : "search",
                          mode == RB_FORBID ? "fails" : "passes");
}

/* Typographic quotes by the plain quote they stand for. */
static const struct {
    char plain;
    const char *left, *right; /* UTF-8 */
    unsigned left_cp, right_cp;
} quotes[] = {
    {'"', "\xE2\x80\x9C", "\xE2\x80\x9D", 0x201C, 0x201D},
    {'\'', "\xE2\x80\x98", "\xE2\x80\x99", 0x2018, 0x2019},
};

/* A typographic quote with no plain one of its kind in the pattern: one warning per kind. */
static void warn_quotes(ld_loader *L, const ld_path *p, const char *src, size_t len)
{
    for (size_t q = 0; q < sizeof(quotes) / sizeof(quotes[0]); q++) {
        if (memchr(src, quotes[q].plain, len) != NULL) {
            continue; /* the plain quote is there too: deliberate */
        }
        for (size_t i = 0; i + 3 <= len; i++) {
            bool left = memcmp(src + i, quotes[q].left, 3) == 0;
            if (left || memcmp(src + i, quotes[q].right, 3) == 0) {
                char msg[300];
                snprintf(msg, sizeof(msg),
                         "the pattern has the typographic quote %s (U+%04X) but no plain %c, "
                         "which most keyboards type: to accept both, write [%c%s%s]",
                         left ? quotes[q].left : quotes[q].right,
                         left ? quotes[q].left_cp : quotes[q].right_cp, quotes[q].plain,
                         quotes[q].plain, quotes[q].left, quotes[q].right);
                warn_at_char(L, p, i, msg);
                break;
            }
        }
    }
}

/*
 * Walks the pattern as PCRE2 reads its literal text, roughly: escapes (\x, \Q...\E) and
 * character classes are stepped over. Warns at the first backspace outside a class (JSON's
 * "\b" where the regular expression's \b was meant) and the first '.' between two literal
 * digits ("3.14" matches "3x14").
 */
static void warn_literal_text(ld_loader *L, const ld_path *p, const char *src, size_t len)
{
    bool in_class = false, quoted = false, prev_digit = false;
    bool warned_bs = false, warned_dot = false;
    size_t i = 0;
    while (i < len) {
        char c = src[i];
        if (quoted) {
            quoted = !(c == '\\' && i + 1 < len && src[i + 1] == 'E');
            i += quoted ? 1 : 2;
            prev_digit = false;
            continue;
        }
        if (c == '\\') {
            quoted = i + 1 < len && src[i + 1] == 'Q';
            i += 2;
            prev_digit = false;
            continue;
        }
        if (in_class) {
            in_class = c != ']';
            i++;
            continue;
        }
        if (c == '[') {
            in_class = true;
            i++;
            /* A ']' first in the class (after an optional '^') is a literal. */
            if (i < len && src[i] == '^') {
                i++;
            }
            if (i < len && src[i] == ']') {
                i++;
            }
            prev_digit = false;
            continue;
        }
        if (c == '\b' && !warned_bs) {
            warned_bs = true;
            warn_at_char(
                L, p, i,
                "the pattern holds a backspace character (U+0008): in JSON \"\\b\" is a "
                "backspace; for a word boundary write \"\\\\b\"");
        }
        if (c == '.' && prev_digit && i + 1 < len && isdigit((unsigned char)src[i + 1]) &&
            !warned_dot) {
            warned_dot = true;
            /* The digits around it, at most 8 on each side. */
            int before = 1, after = 1;
            while (before < 8 && (size_t)before < i &&
                   isdigit((unsigned char)src[i - before - 1])) {
                before++;
            }
            while (after < 8 && i + after + 1 < len &&
                   isdigit((unsigned char)src[i + after + 1])) {
                after++;
            }
            char msg[300];
            snprintf(msg, sizeof(msg),
                     "the '.' in \"%.*s.%.*s\" matches any character (\"%.*sx%.*s\" passes "
                     "too): for a decimal point write \\. (\"\\\\.\" in the JSON file)",
                     before, src + i - before, after, src + i + 1, before, src + i - before,
                     after, src + i + 1);
            warn_at_char(L, p, i, msg);
        }
        prev_digit = isdigit((unsigned char)c) != 0;
        i++;
    }
}

void assay__warn_pattern(ld_loader *L, const ld_path *p, const pat_regex *pat, const char *src,
                         size_t len, int mode)
{
    if (pat->code == NULL) {
        return;
    }
    warn_matches_anything(L, p, pat, len, mode);
    warn_quotes(L, p, src, len);
    warn_literal_text(L, p, src, len);
}

/* Whether a and b differ only in their digits ("part-1", "part-2"): numbered ids. */
static bool differ_in_digits(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] && !(isdigit((unsigned char)a[i]) && isdigit((unsigned char)b[i]))) {
            return false;
        }
    }
    return true;
}

void assay__warn_competency_ids(ld_loader *L, const ld_path *p, const rb_competency *comps,
                                size_t n)
{
    for (size_t j = 1; j < n; j++) {
        const char *b = comps[j].id;
        for (size_t i = 0; b && i < j; i++) {
            const char *a = comps[i].id;
            if (a == NULL || strcmp(a, b) == 0) {
                continue; /* a duplicate is an error of its own */
            }
            const char *how = NULL;
            if (strcasecmp(a, b) == 0) {
                how = "only in case";
            } else if (strlen(a) >= 5 && strlen(b) >= 5 && !differ_in_digits(a, b) &&
                       assay__get_distance(a, b) == 1) {
                how = "by one character";
            }
            if (how) {
                ld_path cp = *p;
                assay__path_key(&cp, "competencies");
                assay__path_index(&cp, j);
                assay__report_warning(&L->rep, &cp, "id", false,
                                      "competency ids \"%s\" and \"%s\" differ %s: two "
                                      "competencies, or one misspelt?",
                                      a, b, how);
                break;
            }
        }
    }
}

const char *assay__nearest_competency(const ld_loader *L, const char *id)
{
    /* Short ids are close to everything: 2 edits from 8 characters on, 1 from 4. */
    size_t n = strlen(id);
    const char *best = NULL;
    size_t best_d = n >= 8 ? 3 : n >= 4 ? 2 : 1;
    for (size_t i = 0; i < L->r->ncomps; i++) {
        const char *c = L->r->comps[i].id;
        if (c == NULL) {
            continue;
        }
        size_t d = strcasecmp(c, id) == 0 ? 0 : assay__get_distance(c, id);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}
