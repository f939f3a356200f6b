/*
 * rubric.c - loading, validating and compiling rubric files (format v1, see
 * docs/rubric-format.md).
 *
 * The loader parses with jansson, then walks the document once, checking every key and
 * value and building the compiled rubric (rubric.h). It does not stop at the first
 * semantic problem: each one is reported as a diagnostic with its JSON pointer and its
 * place in the file (located afterwards by locate.c), so `assay lint` shows them all in one
 * run. A rubric with any error is never returned. The canonical content hash (SHA-256 of
 * the document with sorted keys, compact, without "$schema") is computed here with nettle.
 *
 * It does not grade (score.c) or match (pattern.c).
 */
#include "rubric.h"
#include "diag.h"
#include "numread.h"
#include "pattern.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX      128
#define VERSION_MAX 64

/* Room for the pointer of any value jansson can parse (2,048 levels) in a sane rubric. */
#define PATH_BYTES 16384
/* What push_key and push_index return when the pointer does not fit; pop() undoes it. */
#define PUSH_REFUSED SIZE_MAX
/* Problems reported in full per rubric; locating each one costs a walk over the file. */
#define MAX_DIAGS 100

typedef struct path {
    char s[PATH_BYTES];
    size_t n;
    size_t over; /* pushes refused for lack of room: s is then an ancestor's pointer */
} path;

typedef struct loader {
    const char *buf;
    size_t len;
    const char *source;
    assay_diags *diags;
    int errors;
    int first_code;
    assay_limits lim;
    assay_rubric *r;
    json_t *check_ids;  /* check id -> true */
    json_t *comp_index; /* competency id -> index */
    size_t *comp_uses;
    size_t unlisted; /* problems beyond MAX_DIAGS, counted only */
} loader;

/* ------------------------------------------------------------------------------------
 * JSON pointers and diagnostics.
 */

/* Appends "/" and the key, escaped (RFC 6901), whole or not at all. */
static size_t push_key(path *p, const char *key)
{
    size_t old = p->n, need = 1;
    for (const char *k = key; *k; k++) {
        need += (*k == '~' || *k == '/') ? 2 : 1;
    }
    if (p->over > 0 || p->n + need >= sizeof(p->s)) {
        p->over++;
        return PUSH_REFUSED;
    }
    p->s[p->n++] = '/';
    for (const char *k = key; *k; k++) {
        if (*k == '~' || *k == '/') {
            p->s[p->n++] = '~';
            p->s[p->n++] = *k == '~' ? '0' : '1';
        } else {
            p->s[p->n++] = *k;
        }
    }
    p->s[p->n] = '\0';
    return old;
}

static size_t push_index(path *p, size_t i)
{
    char tok[32];
    int k = snprintf(tok, sizeof(tok), "/%zu", i);
    if (p->over > 0 || p->n + (size_t)k >= sizeof(p->s)) {
        p->over++;
        return PUSH_REFUSED;
    }
    size_t old = p->n;
    memcpy(p->s + p->n, tok, (size_t)k + 1);
    p->n += (size_t)k;
    return old;
}

static void pop(path *p, size_t old)
{
    if (old == PUSH_REFUSED) {
        p->over--;
        return;
    }
    p->n = old;
    p->s[old] = '\0';
}

static void note_error(loader *L, int code)
{
    L->errors++;
    if (L->first_code == 0) {
        L->first_code = code;
    }
}

static void vreport_at(loader *L, const char *pointer, bool have_offset, size_t offset,
                       int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void vreport_at(loader *L, const char *pointer, bool have_offset, size_t offset,
                       int code, const char *fmt, va_list ap)
{
    assay_diag g;
    memset(&g, 0, sizeof(g));
    g.code = code;
    snprintf(g.source, sizeof(g.source), "%s", L->source);
    if (strlen(pointer) < sizeof(g.pointer)) {
        snprintf(g.pointer, sizeof(g.pointer), "%s", pointer);
    } else {
        snprintf(g.pointer, sizeof(g.pointer), "%.*s...", (int)sizeof(g.pointer) - 4, pointer);
    }
    vsnprintf(g.message, sizeof(g.message), fmt, ap);
    assay__utf8_scrub(g.pointer);
    assay__utf8_scrub(g.message);
    if (have_offset) {
        g.offset = offset;
        assay__line_col(L->buf, L->len, offset, &g.line, &g.column);
    }
    assay__diags_add(L->diags, &g);
    note_error(L, code);
}

/*
 * Reports a problem at p (plus "/key" when key is not NULL), placed at the member's key
 * (at_key) or value; a pointer that leads nowhere (a missing key) is placed at the nearest
 * existing ancestor.
 */
static void report(loader *L, const path *p, const char *key, bool at_key, int code,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* True when MAX_DIAGS problems are listed already: this one is only counted. */
static bool unlisted(loader *L, int code)
{
    if (L->errors < MAX_DIAGS) {
        return false;
    }
    note_error(L, code);
    L->unlisted++;
    return true;
}

static void report(loader *L, const path *p, const char *key, bool at_key, int code,
                   const char *fmt, ...)
{
    if (unlisted(L, code)) {
        return;
    }
    path full = *p;
    if (key) {
        push_key(&full, key);
    }
    if (full.over > 0) {
        /* The pointer is too long to hold: place the problem at the deepest ancestor. */
        key = NULL;
    }
    size_t off = 0;
    bool found = assay__locate(L->buf, L->len, full.s, at_key, &off) == 0;
    if (!found) {
        found = assay__locate(L->buf, L->len, p->s, false, &off) == 0;
    }
    va_list ap;
    va_start(ap, fmt);
    vreport_at(L, full.s, found, off, code, fmt, ap);
    va_end(ap);
}

/* Reports a problem at an explicit byte offset (a character inside a string). */
static void report_at(loader *L, const char *pointer, size_t offset, int code, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));

static void report_at(loader *L, const char *pointer, size_t offset, int code, const char *fmt,
                      ...)
{
    if (unlisted(L, code)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vreport_at(L, pointer, true, offset, code, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------------------
 * Small helpers.
 */

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) {
        return SIZE_MAX;
    }
    size_t row[41];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Reports every key of obj that is not in allowed (NULL-terminated). */
static void check_keys(loader *L, const json_t *obj, const path *p, const char *const *allowed,
                       const char *what)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        const char *best = NULL;
        size_t best_d = 3;
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(key, *a) == 0) {
                ok = true;
                break;
            }
            size_t d = edit_distance(key, *a);
            if (d < best_d) {
                best_d = d;
                best = *a;
            }
        }
        if (!ok) {
            if (best) {
                report(L, p, key, true, ASSAY_E_INVALID,
                       "unknown key \"%s\" in %s (did you mean \"%s\"?)", key, what, best);
            } else {
                report(L, p, key, true, ASSAY_E_INVALID, "unknown key \"%s\" in %s", key, what);
            }
        }
    }
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
    default:
        return "null";
    }
}

/* Gets a string member; NULL when missing (reported if required) or of the wrong type. */
static const char *get_string(loader *L, const json_t *obj, const char *key, const path *p,
                              bool required)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        if (required) {
            report(L, p, key, false, ASSAY_E_INVALID, "missing required key \"%s\"", key);
        }
        return NULL;
    }
    if (!json_is_string(v)) {
        report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must be a string, not %s", key,
               type_name(v));
        return NULL;
    }
    return json_string_value(v);
}

static bool valid_id(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) {
        return false;
    }
    for (const char *c = s; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-') {
            return false;
        }
    }
    return true;
}

static const char *get_id(loader *L, const json_t *obj, const char *key, const path *p,
                          size_t max)
{
    const char *s = get_string(L, obj, key, p, true);
    if (s && !valid_id(s, max)) {
        report(L, p, key, false, ASSAY_E_INVALID,
               "\"%s\" must be 1 to %zu letters, digits, '.', '_' or '-', not \"%.60s\"", key,
               max, s);
        return NULL;
    }
    return s;
}

/* Gets a boolean member; returns dflt when missing or wrong (wrong is reported). */
static bool get_bool(loader *L, const json_t *obj, const char *key, const path *p, bool dflt)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        return dflt;
    }
    if (!json_is_boolean(v)) {
        report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must be true or false, not %s", key,
               type_name(v));
        return dflt;
    }
    return json_is_true(v);
}

/* Gets an integer member within [lo, hi]; -1 when missing (not reported) or bad (reported). */
static int get_int(loader *L, const json_t *obj, const char *key, const path *p, long long lo,
                   long long hi, long long *out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        return -1;
    }
    if (json_is_real(v) && json_real_value(v) > -1e15 && json_real_value(v) < 1e15 &&
        json_real_value(v) == (double)(long long)json_real_value(v)) {
        report(L, p, key, false, ASSAY_E_INVALID,
               "\"%s\" must be written as a whole number (%lld, not %g)", key,
               (long long)json_real_value(v), json_real_value(v));
        return -1;
    }
    if (json_is_real(v)) {
        report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must be a whole number, not %.17g",
               key, json_real_value(v));
        return -1;
    }
    if (!json_is_integer(v)) {
        report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must be a whole number, not %s", key,
               type_name(v));
        return -1;
    }
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        report(L, p, key, false, ASSAY_E_INVALID,
               "\"%s\" must be between %lld and %lld, not %lld", key, lo, hi, x);
        return -1;
    }
    *out = x;
    return 0;
}

/* Gets a rubric number; -1 when missing (not reported) or bad (reported). */
static int get_dec(loader *L, const json_t *obj, const char *key, const path *p, dec_num *out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        return -1;
    }
    char why[200];
    if (assay__numread_json(out, v, why, sizeof(why)) != 0) {
        report(L, p, key, false, ASSAY_E_INVALID, "\"%s\": %s", key, why);
        return -1;
    }
    return 0;
}

enum { NONNEG = 1, POSITIVE = 2, AT_MOST_1 = 4 };

/* Gets a rubric number as a rational with range rules; -1 when missing or bad. */
static int get_q(loader *L, const json_t *obj, const char *key, const path *p, unsigned rules,
                 mpq_t out)
{
    dec_num d;
    assay__dec_init(&d);
    int rc = get_dec(L, obj, key, p, &d);
    if (rc == 0) {
        int sgn = assay__dec_sgn(&d);
        assay__dec_to_mpq(out, &d);
        if ((rules & NONNEG) && sgn < 0) {
            report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must not be negative", key);
            rc = -1;
        } else if ((rules & POSITIVE) && sgn <= 0) {
            report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must be greater than 0", key);
            rc = -1;
        } else if ((rules & AT_MOST_1) && mpq_cmp_ui(out, 1, 1) > 0) {
            report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must be between 0 and 1", key);
            rc = -1;
        }
    }
    assay__dec_clear(&d);
    return rc;
}

/* Gets a non-empty array member; NULL when missing (reported if required) or bad. */
static json_t *get_array(loader *L, const json_t *obj, const char *key, const path *p,
                         bool required)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        if (required) {
            report(L, p, key, false, ASSAY_E_INVALID, "missing required key \"%s\"", key);
        }
        return NULL;
    }
    if (!json_is_array(v)) {
        report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must be an array, not %s", key,
               type_name(v));
        return NULL;
    }
    if (json_array_size(v) == 0) {
        report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must not be empty", key);
        return NULL;
    }
    return v;
}

static json_t *get_object(loader *L, const json_t *obj, const char *key, const path *p,
                          bool required)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        if (required) {
            report(L, p, key, false, ASSAY_E_INVALID, "missing required key \"%s\"", key);
        }
        return NULL;
    }
    if (!json_is_object(v)) {
        report(L, p, key, false, ASSAY_E_INVALID, "\"%s\" must be an object, not %s", key,
               type_name(v));
        return NULL;
    }
    return v;
}

/* ------------------------------------------------------------------------------------
 * Scales, settings, competencies.
 */

static void scale_free(rb_scale *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->levels[i].id);
        free(s->levels[i].name);
        mpq_clear(s->levels[i].min);
    }
    free(s->levels);
    memset(s, 0, sizeof(*s));
}

static void parse_scale(loader *L, const json_t *obj, path *p, rb_scale *out)
{
    static const char *const keys[] = {"levels", NULL};
    static const char *const level_keys[] = {"id", "name", "min", "mastery", NULL};
    check_keys(L, obj, p, keys, "a scale");
    json_t *levels = get_array(L, obj, "levels", p, true);
    if (levels == NULL) {
        return;
    }
    size_t n = json_array_size(levels);
    size_t lp = push_key(p, "levels");
    if (n < 2) {
        report(L, p, NULL, false, ASSAY_E_INVALID, "a scale needs at least two levels");
    }
    out->levels = calloc(n, sizeof(rb_level));
    if (out->levels == NULL) {
        note_error(L, ASSAY_E_NOMEM);
        pop(p, lp);
        return;
    }
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        mpq_init(out->levels[i].min);
    }
    size_t masteries = 0;
    json_t *seen = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *lv = json_array_get(levels, i);
        size_t ip = push_index(p, i);
        rb_level *l = &out->levels[i];
        if (!json_is_object(lv)) {
            report(L, p, NULL, false, ASSAY_E_INVALID, "a level must be an object, not %s",
                   type_name(lv));
            pop(p, ip);
            continue;
        }
        check_keys(L, lv, p, level_keys, "a level");
        const char *id = get_id(L, lv, "id", p, ID_MAX);
        if (id) {
            if (json_object_get(seen, id)) {
                report(L, p, "id", false, ASSAY_E_INVALID, "duplicate level id \"%s\"", id);
            }
            json_object_set_new(seen, id, json_true());
        }
        l->id = xstrdup(id);
        l->name = xstrdup(get_string(L, lv, "name", p, true));
        if (json_object_get(lv, "min") == NULL) {
            report(L, p, "min", false, ASSAY_E_INVALID, "missing required key \"min\"");
        } else if (get_q(L, lv, "min", p, NONNEG | AT_MOST_1, l->min) == 0) {
            if (i == 0 && mpq_sgn(l->min) != 0) {
                report(L, p, "min", false, ASSAY_E_INVALID,
                       "the first level's \"min\" must be 0, so every score reaches a level");
            }
            if (i > 0 && mpq_cmp(l->min, out->levels[i - 1].min) <= 0) {
                report(L, p, "min", false, ASSAY_E_INVALID,
                       "levels must be in increasing order of \"min\"");
            }
        }
        if (get_bool(L, lv, "mastery", p, false)) {
            if (masteries == 0) {
                out->mastery = i;
            }
            masteries++;
        }
        pop(p, ip);
    }
    json_decref(seen);
    if (masteries != 1) {
        report(L, p, NULL, false, ASSAY_E_INVALID,
               "exactly one level must have \"mastery\": true (found %zu)", masteries);
    }
    pop(p, lp);
}

static void parse_settings(loader *L, const json_t *root, path *p)
{
    static const char *const keys[] = {"decimal_separator", "grouping",       "match_limit",
                                       "depth_limit",       "heap_limit_kib", NULL};
    assay_rubric *r = L->r;
    r->fmt.decimal_sep = '.';
    r->fmt.grouping = false;
    r->match_limit = L->lim.match_limit;
    r->depth_limit = L->lim.depth_limit;
    r->heap_limit_kib = L->lim.heap_limit_kib;
    json_t *s = get_object(L, root, "settings", p, false);
    if (s == NULL) {
        return;
    }
    size_t sp = push_key(p, "settings");
    check_keys(L, s, p, keys, "settings");
    const char *sep = get_string(L, s, "decimal_separator", p, false);
    if (sep) {
        if (strcmp(sep, ".") == 0 || strcmp(sep, ",") == 0) {
            r->fmt.decimal_sep = sep[0];
        } else {
            report(L, p, "decimal_separator", false, ASSAY_E_INVALID,
                   "\"decimal_separator\" must be \".\" or \",\", not \"%.20s\"", sep);
        }
    }
    r->fmt.grouping = get_bool(L, s, "grouping", p, false);
    long long v;
    if (get_int(L, s, "match_limit", p, 1, L->lim.match_limit_max, &v) == 0) {
        r->match_limit = (uint32_t)v;
    }
    if (get_int(L, s, "depth_limit", p, 1, L->lim.depth_limit_max, &v) == 0) {
        r->depth_limit = (uint32_t)v;
    }
    if (get_int(L, s, "heap_limit_kib", p, 1, L->lim.heap_limit_kib_max, &v) == 0) {
        r->heap_limit_kib = (uint32_t)v;
    }
    pop(p, sp);
}

static void parse_competencies(loader *L, const json_t *root, path *p)
{
    static const char *const keys[] = {"id", "name", "description", "ref", "scale", NULL};
    assay_rubric *r = L->r;
    json_t *arr = get_array(L, root, "competencies", p, true);
    if (arr == NULL) {
        return;
    }
    size_t n = json_array_size(arr);
    r->comps = calloc(n, sizeof(rb_competency));
    L->comp_uses = calloc(n, sizeof(size_t));
    if (r->comps == NULL || L->comp_uses == NULL) {
        note_error(L, ASSAY_E_NOMEM);
        return;
    }
    r->ncomps = n;
    size_t cp = push_key(p, "competencies");
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(arr, i);
        rb_competency *k = &r->comps[i];
        k->scale = &r->scale;
        size_t ip = push_index(p, i);
        if (!json_is_object(c)) {
            report(L, p, NULL, false, ASSAY_E_INVALID, "a competency must be an object, not %s",
                   type_name(c));
            pop(p, ip);
            continue;
        }
        check_keys(L, c, p, keys, "a competency");
        const char *id = get_id(L, c, "id", p, ID_MAX);
        if (id) {
            if (json_object_get(L->comp_index, id)) {
                report(L, p, "id", false, ASSAY_E_INVALID, "duplicate competency id \"%s\"",
                       id);
            } else {
                json_object_set_new(L->comp_index, id, json_integer((json_int_t)i));
            }
        }
        k->id = xstrdup(id);
        k->name = xstrdup(get_string(L, c, "name", p, true));
        k->description = xstrdup(get_string(L, c, "description", p, false));
        k->ref = xstrdup(get_string(L, c, "ref", p, false));
        json_t *sc = get_object(L, c, "scale", p, false);
        if (sc) {
            size_t sp = push_key(p, "scale");
            parse_scale(L, sc, p, &k->own);
            pop(p, sp);
            k->has_own = true;
            k->scale = &k->own;
        }
        pop(p, ip);
    }
    pop(p, cp);
}

/* ------------------------------------------------------------------------------------
 * Checks.
 */

static void check_init(rb_check *c)
{
    memset(c, 0, sizeof(*c));
    mpq_init(c->points);
    mpq_set_ui(c->points, 1, 1);
    rb_numeric *n = &c->num;
    assay__dec_init(&n->expected);
    assay__dec_init(&n->below);
    assay__dec_init(&n->above);
    assay__dec_init(&n->rel);
    assay__dec_init(&n->lo);
    assay__dec_init(&n->hi);
    mpq_init(n->sig_penalty);
    mpq_init(n->unit_penalty);
    c->count_max = UINT32_MAX;
}

static void check_free(rb_check *c)
{
    free(c->id);
    mpq_clear(c->points);
    for (size_t i = 0; i < c->nev; i++) {
        mpq_clear(c->ev[i].weight);
    }
    free(c->ev);
    free(c->fb_pass);
    free(c->fb_fail);
    free(c->fb_partial);
    assay__pattern_free(&c->pat);
    rb_numeric *n = &c->num;
    assay__dec_clear(&n->expected);
    assay__dec_clear(&n->below);
    assay__dec_clear(&n->above);
    assay__dec_clear(&n->rel);
    assay__dec_clear(&n->lo);
    assay__dec_clear(&n->hi);
    mpq_clear(n->sig_penalty);
    mpq_clear(n->unit_penalty);
    for (size_t i = 0; i < n->nunits; i++) {
        free(n->units[i].name);
        assay__dec_clear(&n->units[i].mult);
    }
    free(n->units);
    if (n->source) {
        assay__pattern_free(n->source);
        free(n->source);
    }
    for (size_t i = 0; i < c->nmembers; i++) {
        check_free(&c->members[i]);
    }
    free(c->members);
}

/* Reads "flags" and "ascii" of obj into PAT_* bits. */
static unsigned parse_flags(loader *L, const json_t *obj, path *p)
{
    unsigned flags = 0;
    json_t *arr = json_object_get(obj, "flags");
    if (arr) {
        if (!json_is_array(arr)) {
            report(L, p, "flags", false, ASSAY_E_INVALID, "\"flags\" must be an array, not %s",
                   type_name(arr));
        } else {
            size_t fp = push_key(p, "flags");
            size_t i;
            json_t *f;
            json_array_foreach(arr, i, f)
            {
                const char *s = json_string_value(f);
                if (s && strcmp(s, "caseless") == 0) {
                    flags |= PAT_CASELESS;
                } else if (s && strcmp(s, "multiline") == 0) {
                    flags |= PAT_MULTILINE;
                } else if (s && strcmp(s, "dotall") == 0) {
                    flags |= PAT_DOTALL;
                } else if (s && strcmp(s, "extended") == 0) {
                    flags |= PAT_EXTENDED;
                } else {
                    size_t ip = push_index(p, i);
                    report(L, p, NULL, false, ASSAY_E_INVALID,
                           "unknown flag %s%.40s%s (flags are caseless, multiline, dotall, "
                           "extended)",
                           s ? "\"" : "", s ? s : type_name(f), s ? "\"" : "");
                    pop(p, ip);
                }
            }
            pop(p, fp);
        }
    }
    if (get_bool(L, obj, "ascii", p, false)) {
        flags |= PAT_ASCII;
    }
    return flags;
}

/* Compiles obj's "pattern" into pat, reporting errors at the offending character. */
static int compile_pattern(loader *L, const json_t *obj, path *p, unsigned flags,
                           pat_regex *pat)
{
    json_t *v = json_object_get(obj, "pattern");
    if (v == NULL) {
        report(L, p, "pattern", false, ASSAY_E_INVALID, "missing required key \"pattern\"");
        return -1;
    }
    if (!json_is_string(v)) {
        report(L, p, "pattern", false, ASSAY_E_INVALID, "\"pattern\" must be a string, not %s",
               type_name(v));
        return -1;
    }
    char msg[400];
    size_t eo = 0;
    const char *src = json_string_value(v);
    size_t srclen = json_string_length(v);
    if (assay__pattern_compile(pat, src, srclen, flags, msg, sizeof(msg), &eo) != 0) {
        if (unlisted(L, ASSAY_E_REGEX)) {
            return -1;
        }
        path full = *p;
        push_key(&full, "pattern");
        size_t off;
        if (assay__locate(L->buf, L->len, full.s, false, &off) == 0) {
            size_t at = assay__string_offset(L->buf, L->len, off, eo);
            report_at(L, full.s, at, ASSAY_E_REGEX, "%s", msg);
        } else {
            report(L, p, "pattern", false, ASSAY_E_REGEX, "%s", msg);
        }
        return -1;
    }
    pat->source = strdup(src);
    return 0;
}

static void parse_normalize(loader *L, const json_t *obj, path *p, pat_regex *pat)
{
    json_t *arr = json_object_get(obj, "normalize");
    if (arr == NULL) {
        return;
    }
    if (!json_is_array(arr)) {
        report(L, p, "normalize", false, ASSAY_E_INVALID,
               "\"normalize\" must be an array, not %s", type_name(arr));
        return;
    }
    size_t np = push_key(p, "normalize");
    size_t i;
    json_t *f;
    json_array_foreach(arr, i, f)
    {
        const char *s = json_string_value(f);
        if (s && strcmp(s, "trim") == 0) {
            pat->trim = true;
        } else if (s && strcmp(s, "collapse") == 0) {
            pat->collapse = true;
        } else {
            size_t ip = push_index(p, i);
            report(L, p, NULL, false, ASSAY_E_INVALID,
                   "unknown normalisation (use \"trim\" or \"collapse\")");
            pop(p, ip);
        }
    }
    pop(p, np);
}

static void parse_pattern_check(loader *L, const json_t *obj, path *p, rb_check *c)
{
    const char *mode = get_string(L, obj, "mode", p, false);
    c->mode = RB_SEARCH;
    if (mode) {
        if (strcmp(mode, "search") == 0) {
            c->mode = RB_SEARCH;
        } else if (strcmp(mode, "whole") == 0) {
            c->mode = RB_WHOLE;
        } else if (strcmp(mode, "forbid") == 0) {
            c->mode = RB_FORBID;
        } else if (strcmp(mode, "count") == 0) {
            c->mode = RB_COUNT;
        } else {
            report(L, p, "mode", false, ASSAY_E_INVALID,
                   "unknown mode \"%.40s\" (modes are search, whole, forbid, count)", mode);
        }
    }
    unsigned flags = parse_flags(L, obj, p);
    if (c->mode == RB_WHOLE) {
        flags |= PAT_WHOLE;
    }
    parse_normalize(L, obj, p, &c->pat);
    compile_pattern(L, obj, p, flags, &c->pat);

    long long v;
    bool has_min = json_object_get(obj, "min") != NULL;
    bool has_max = json_object_get(obj, "max") != NULL;
    if (c->mode != RB_COUNT && (has_min || has_max)) {
        report(L, p, has_min ? "min" : "max", true, ASSAY_E_INVALID,
               "\"min\" and \"max\" apply only to \"mode\": \"count\"");
    }
    c->count_min = 1;
    if (get_int(L, obj, "min", p, 0, UINT32_MAX - 1, &v) == 0) {
        c->count_min = (uint32_t)v;
    }
    if (get_int(L, obj, "max", p, 0, UINT32_MAX - 1, &v) == 0) {
        c->count_max = (uint32_t)v;
        if (c->count_max < c->count_min) {
            report(L, p, "max", false, ASSAY_E_INVALID,
                   "\"max\" (%u) is less than \"min\" (%u)", c->count_max, c->count_min);
        }
    }
}

/* Parses "[5, 7)" into the numeric's interval. */
static void parse_interval(loader *L, const json_t *obj, path *p, rb_numeric *n)
{
    const char *s = get_string(L, obj, "interval", p, false);
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
        report(
            L, p, "interval", false, ASSAY_E_INVALID,
            "\"interval\" must look like \"[5, 7)\": '[' or '(' , low, ',', high, ']' or ')'");
        return;
    }
    char lo[128], hi[128];
    size_t lolen = (size_t)(comma - s - 1), hilen = (size_t)(s + len - 1 - comma - 1);
    if (lolen >= sizeof(lo) || hilen >= sizeof(hi)) {
        report(L, p, "interval", false, ASSAY_E_INVALID, "\"interval\" bounds are too long");
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
        report(L, p, "interval", false, ASSAY_E_INVALID, "\"interval\" low bound: %s", why);
        return;
    }
    if (assay__numread_string(&n->hi, b, why, sizeof(why)) != 0) {
        report(L, p, "interval", false, ASSAY_E_INVALID, "\"interval\" high bound: %s", why);
        return;
    }
    n->lo_open = s[0] == '(';
    n->hi_open = s[len - 1] == ')';
    int c = assay__dec_cmp(&n->lo, &n->hi);
    if (c > 0) {
        report(L, p, "interval", false, ASSAY_E_INVALID,
               "inverted interval \"%s\": the low bound is greater than the high bound", s);
    } else if (c == 0 && (n->lo_open || n->hi_open)) {
        report(L, p, "interval", false, ASSAY_E_INVALID,
               "empty interval \"%s\": no number lies in it", s);
    }
    n->cmp = RB_CMP_INTERVAL;
}

static void parse_units(loader *L, const json_t *obj, path *p, rb_numeric *n)
{
    static const char *const keys[] = {"table", "required", "penalty", NULL};
    json_t *u = get_object(L, obj, "units", p, false);
    if (u == NULL) {
        return;
    }
    size_t up = push_key(p, "units");
    check_keys(L, u, p, keys, "units");
    n->has_units = true;
    n->unit_required = get_bool(L, u, "required", p, true);
    mpq_set_ui(n->unit_penalty, 1, 2);
    get_q(L, u, "penalty", p, NONNEG | AT_MOST_1, n->unit_penalty);
    json_t *table = get_object(L, u, "table", p, true);
    if (table) {
        size_t count = json_object_size(table);
        if (count == 0) {
            report(L, p, "table", false, ASSAY_E_INVALID,
                   "\"table\" must list at least one unit");
        }
        n->units = calloc(count ? count : 1, sizeof(rb_unit));
        if (n->units == NULL) {
            note_error(L, ASSAY_E_NOMEM);
            pop(p, up);
            return;
        }
        size_t tp = push_key(p, "table");
        const char *name;
        json_t *mult;
        json_object_foreach(table, name, mult)
        {
            rb_unit *un = &n->units[n->nunits++];
            assay__dec_init(&un->mult);
            un->name = strdup(name);
            unsigned char c0 = (unsigned char)name[0];
            if (c0 == '\0' || isdigit(c0) || isspace(c0) || c0 == '+' || c0 == '-' ||
                c0 == '.' || c0 == ',') {
                report(L, p, name, true, ASSAY_E_INVALID,
                       "unit name \"%.40s\" must not be empty or start with a digit, sign, "
                       "space or separator",
                       name);
            }
            if (get_dec(L, table, name, p, &un->mult) == 0 && assay__dec_sgn(&un->mult) <= 0) {
                report(L, p, name, false, ASSAY_E_INVALID,
                       "the multiplier of unit \"%.40s\" must be greater than 0", name);
            }
        }
        pop(p, tp);
    }
    pop(p, up);
}

static void parse_source(loader *L, const json_t *obj, path *p, rb_numeric *n)
{
    static const char *const keys[] = {"pattern", "group", "flags", "ascii", NULL};
    json_t *s = get_object(L, obj, "source", p, false);
    if (s == NULL) {
        return;
    }
    size_t sp = push_key(p, "source");
    check_keys(L, s, p, keys, "a source");
    n->source = calloc(1, sizeof(pat_regex));
    if (n->source == NULL) {
        note_error(L, ASSAY_E_NOMEM);
        pop(p, sp);
        return;
    }
    unsigned flags = parse_flags(L, s, p);
    const char *group = get_string(L, s, "group", p, true);
    if (compile_pattern(L, s, p, flags, n->source) == 0 && group) {
        int num = pcre2_substring_number_from_name(n->source->code, (PCRE2_SPTR)group);
        if (num <= 0) {
            report(L, p, "group", false, ASSAY_E_INVALID,
                   "the pattern has no group named \"%.60s\" (write (?<%.60s>...))", group,
                   group);
        } else {
            n->source_group = (uint32_t)num;
        }
    }
    pop(p, sp);
}

static void parse_numeric_check(loader *L, const json_t *obj, path *p, rb_check *c)
{
    rb_numeric *n = &c->num;
    n->cmp = RB_CMP_EXACT;
    const char *const modes[] = {"tolerance", "relative", "interval", "round"};
    const char *first = NULL;
    for (size_t i = 0; i < 4; i++) {
        if (json_object_get(obj, modes[i])) {
            if (first) {
                report(
                    L, p, modes[i], true, ASSAY_E_INVALID,
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
        report(
            L, p, "expected", true, ASSAY_E_INVALID,
            "an \"interval\" check has no \"expected\" value: the interval says what is right");
    } else if (!has_interval && !has_expected) {
        report(L, p, "expected", false, ASSAY_E_INVALID, "missing required key \"expected\"");
    }
    get_dec(L, obj, "expected", p, &n->expected);

    json_t *tol = json_object_get(obj, "tolerance");
    if (tol && json_is_object(tol)) {
        static const char *const keys[] = {"below", "above", NULL};
        size_t tp = push_key(p, "tolerance");
        check_keys(L, tol, p, keys, "a tolerance");
        if (get_dec(L, tol, "below", p, &n->below) == 0 && assay__dec_sgn(&n->below) < 0) {
            report(L, p, "below", false, ASSAY_E_INVALID,
                   "negative tolerance: \"below\" must "
                   "not be negative");
        }
        if (get_dec(L, tol, "above", p, &n->above) == 0 && assay__dec_sgn(&n->above) < 0) {
            report(L, p, "above", false, ASSAY_E_INVALID,
                   "negative tolerance: \"above\" must "
                   "not be negative");
        }
        pop(p, tp);
        n->cmp = RB_CMP_ABS;
    } else if (tol) {
        if (get_dec(L, obj, "tolerance", p, &n->below) == 0) {
            if (assay__dec_sgn(&n->below) < 0) {
                report(L, p, "tolerance", false, ASSAY_E_INVALID,
                       "negative tolerance: \"tolerance\" must not be negative");
            }
            assay__dec_set(&n->above, &n->below);
        }
        n->cmp = RB_CMP_ABS;
    }
    if (json_object_get(obj, "relative")) {
        if (get_dec(L, obj, "relative", p, &n->rel) == 0 && assay__dec_sgn(&n->rel) < 0) {
            report(L, p, "relative", false, ASSAY_E_INVALID,
                   "negative tolerance: \"relative\" must not be negative");
        }
        n->cmp = RB_CMP_REL;
    }
    if (has_interval) {
        parse_interval(L, obj, p, n);
    }
    json_t *round = get_object(L, obj, "round", p, false);
    if (round) {
        static const char *const keys[] = {"places", "figures", NULL};
        size_t rp = push_key(p, "round");
        check_keys(L, round, p, keys, "\"round\"");
        long long v;
        bool places = json_object_get(round, "places") != NULL;
        bool figures = json_object_get(round, "figures") != NULL;
        if (places == figures) {
            report(L, p, NULL, false, ASSAY_E_INVALID,
                   "\"round\" needs exactly one of \"places\" and \"figures\"");
        } else if (places && get_int(L, round, "places", p, -100, 100, &v) == 0) {
            n->cmp = RB_CMP_PLACES;
            n->round_n = (long)v;
        } else if (figures && get_int(L, round, "figures", p, 1, 100, &v) == 0) {
            n->cmp = RB_CMP_FIGURES;
            n->round_n = (long)v;
        }
        pop(p, rp);
    }
    json_t *sig = get_object(L, obj, "sig_figs", p, false);
    if (sig) {
        static const char *const keys[] = {"exactly", "at_least", "penalty", NULL};
        size_t sp = push_key(p, "sig_figs");
        check_keys(L, sig, p, keys, "\"sig_figs\"");
        long long v;
        bool exactly = json_object_get(sig, "exactly") != NULL;
        bool at_least = json_object_get(sig, "at_least") != NULL;
        if (exactly == at_least) {
            report(L, p, NULL, false, ASSAY_E_INVALID,
                   "\"sig_figs\" needs exactly one of \"exactly\" and \"at_least\"");
        } else if (get_int(L, sig, exactly ? "exactly" : "at_least", p, 1, 100, &v) == 0) {
            n->sig = exactly ? RB_SIG_EXACTLY : RB_SIG_AT_LEAST;
            n->sig_n = (int)v;
        }
        if (json_object_get(sig, "penalty")) {
            n->sig_has_penalty =
                get_q(L, sig, "penalty", p, NONNEG | AT_MOST_1, n->sig_penalty) == 0;
        }
        pop(p, sp);
    }
    parse_units(L, obj, p, n);
    parse_source(L, obj, p, n);
}

static void parse_check(loader *L, const json_t *obj, path *p, rb_check *c, bool member);

static void parse_group_check(loader *L, const json_t *obj, path *p, rb_check *c)
{
    c->partial_credit = get_bool(L, obj, "partial_credit", p, true);
    json_t *arr = get_array(L, obj, "checks", p, true);
    size_t n = arr ? json_array_size(arr) : 0;
    if (arr) {
        c->members = calloc(n, sizeof(rb_check));
        if (c->members == NULL) {
            note_error(L, ASSAY_E_NOMEM);
            return;
        }
        size_t cp = push_key(p, "checks");
        for (size_t i = 0; i < n; i++) {
            size_t ip = push_index(p, i);
            check_init(&c->members[i]);
            c->nmembers++;
            parse_check(L, json_array_get(arr, i), p, &c->members[i], true);
            pop(p, ip);
        }
        pop(p, cp);
    }
    json_t *rule = json_object_get(obj, "rule");
    c->needed = n;
    if (rule == NULL) {
        report(L, p, "rule", false, ASSAY_E_INVALID,
               "missing required key \"rule\" (\"all\", \"any\" or {\"at_least\": N})");
    } else if (json_is_string(rule) && strcmp(json_string_value(rule), "all") == 0) {
        c->needed = n;
    } else if (json_is_string(rule) && strcmp(json_string_value(rule), "any") == 0) {
        c->needed = 1;
    } else if (json_is_object(rule) && json_object_size(rule) == 1 &&
               json_object_get(rule, "at_least")) {
        size_t rp = push_key(p, "rule");
        long long v;
        if (get_int(L, rule, "at_least", p, 1, (long long)(n ? n : 1), &v) == 0) {
            c->needed = (size_t)v;
        }
        pop(p, rp);
    } else {
        report(L, p, "rule", false, ASSAY_E_INVALID,
               "\"rule\" must be \"all\", \"any\" or {\"at_least\": N}");
    }
    if (c->needed == 0) {
        c->needed = 1;
    }
}

static void parse_evidence(loader *L, const json_t *obj, path *p, rb_check *c)
{
    json_t *ev = get_object(L, obj, "evidence", p, true);
    if (ev == NULL) {
        return;
    }
    size_t n = json_object_size(ev);
    if (n == 0) {
        report(L, p, "evidence", false, ASSAY_E_INVALID,
               "\"evidence\" must name at least one competency");
        return;
    }
    c->ev = calloc(n, sizeof(rb_evidence));
    if (c->ev == NULL) {
        note_error(L, ASSAY_E_NOMEM);
        return;
    }
    size_t ep = push_key(p, "evidence");
    const char *id;
    json_t *w;
    json_object_foreach(ev, id, w)
    {
        rb_evidence *e = &c->ev[c->nev];
        json_t *idx = json_object_get(L->comp_index, id);
        if (idx == NULL) {
            report(L, p, id, true, ASSAY_E_INVALID,
                   "competency \"%.60s\" is used but not declared in \"competencies\"", id);
            continue;
        }
        mpq_init(e->weight);
        c->nev++;
        e->comp = (size_t)json_integer_value(idx);
        L->comp_uses[e->comp]++;
        get_q(L, ev, id, p, POSITIVE, e->weight);
    }
    pop(p, ep);
}

static void parse_feedback(loader *L, const json_t *obj, path *p, rb_check *c)
{
    static const char *const keys[] = {"pass", "fail", "partial", NULL};
    json_t *fb = get_object(L, obj, "feedback", p, false);
    if (fb == NULL) {
        return;
    }
    size_t fp = push_key(p, "feedback");
    check_keys(L, fb, p, keys, "feedback");
    c->fb_pass = xstrdup(get_string(L, fb, "pass", p, false));
    c->fb_fail = xstrdup(get_string(L, fb, "fail", p, false));
    c->fb_partial = xstrdup(get_string(L, fb, "partial", p, false));
    pop(p, fp);
}

static void parse_check(loader *L, const json_t *obj, path *p, rb_check *c, bool member)
{
    static const char *const pattern_keys[] = {
        "id",  "type", "points", "evidence", "feedback",  "pattern", "mode",
        "min", "max",  "flags",  "ascii",    "normalize", NULL};
    static const char *const numeric_keys[] = {
        "id",       "type",     "points", "evidence", "feedback", "expected", "tolerance",
        "relative", "interval", "round",  "sig_figs", "units",    "source",   NULL};
    static const char *const group_keys[] = {"id",       "type",           "points",
                                             "evidence", "feedback",       "rule",
                                             "checks",   "partial_credit", NULL};
    if (!json_is_object(obj)) {
        report(L, p, NULL, false, ASSAY_E_INVALID, "a check must be an object, not %s",
               type_name(obj));
        return;
    }
    L->r->nchecks++;
    const char *id = get_id(L, obj, "id", p, ID_MAX);
    if (id) {
        if (json_object_get(L->check_ids, id)) {
            report(L, p, "id", false, ASSAY_E_INVALID, "duplicate check id \"%s\"", id);
        }
        json_object_set_new(L->check_ids, id, json_true());
        c->id = strdup(id);
    }
    const char *type = get_string(L, obj, "type", p, true);
    const char *const *keys = NULL;
    if (type && strcmp(type, "pattern") == 0) {
        c->type = RB_PATTERN;
        keys = pattern_keys;
    } else if (type && strcmp(type, "numeric") == 0) {
        c->type = RB_NUMERIC;
        keys = numeric_keys;
    } else if (type && strcmp(type, "group") == 0) {
        c->type = RB_GROUP;
        keys = group_keys;
    } else if (type) {
        report(L, p, "type", false, ASSAY_E_INVALID,
               "unknown check type \"%.40s\" (types are pattern, numeric, group)", type);
    }
    if (keys == NULL) {
        return;
    }
    char what[40];
    snprintf(what, sizeof(what), "a %s check", type);
    check_keys(L, obj, p, keys, what);
    if (member) {
        if (json_object_get(obj, "points")) {
            report(L, p, "points", true, ASSAY_E_INVALID,
                   "a check inside a group has no \"points\": the group carries them");
        }
        if (json_object_get(obj, "evidence")) {
            report(L, p, "evidence", true, ASSAY_E_INVALID,
                   "a check inside a group has no \"evidence\": the group carries it");
        }
    } else {
        get_q(L, obj, "points", p, NONNEG, c->points);
        parse_evidence(L, obj, p, c);
    }
    parse_feedback(L, obj, p, c);
    switch (c->type) {
    case RB_PATTERN:
        parse_pattern_check(L, obj, p, c);
        break;
    case RB_NUMERIC:
        parse_numeric_check(L, obj, p, c);
        break;
    case RB_GROUP:
        parse_group_check(L, obj, p, c);
        break;
    }
}

static void parse_items(loader *L, const json_t *root, path *p)
{
    static const char *const keys[] = {"id", "title", "prompt", "checks", NULL};
    assay_rubric *r = L->r;
    json_t *arr = get_array(L, root, "items", p, true);
    if (arr == NULL) {
        return;
    }
    size_t n = json_array_size(arr);
    r->items = calloc(n, sizeof(rb_item));
    if (r->items == NULL) {
        note_error(L, ASSAY_E_NOMEM);
        return;
    }
    size_t ap = push_key(p, "items");
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(arr, i);
        rb_item *t = &r->items[r->nitems++];
        size_t ip = push_index(p, i);
        if (!json_is_object(it)) {
            report(L, p, NULL, false, ASSAY_E_INVALID, "an item must be an object, not %s",
                   type_name(it));
            pop(p, ip);
            continue;
        }
        check_keys(L, it, p, keys, "an item");
        const char *id = get_id(L, it, "id", p, ID_MAX);
        if (id) {
            if (json_object_get(r->item_index, id)) {
                report(L, p, "id", false, ASSAY_E_INVALID, "duplicate item id \"%s\"", id);
            } else {
                json_object_set_new(r->item_index, id, json_integer((json_int_t)i));
            }
        }
        t->id = xstrdup(id);
        t->title = xstrdup(get_string(L, it, "title", p, false));
        t->prompt = xstrdup(get_string(L, it, "prompt", p, false));
        json_t *checks = get_array(L, it, "checks", p, true);
        if (checks) {
            size_t nc = json_array_size(checks);
            t->checks = calloc(nc, sizeof(rb_check));
            if (t->checks == NULL) {
                note_error(L, ASSAY_E_NOMEM);
                pop(p, ip);
                continue;
            }
            size_t cp = push_key(p, "checks");
            for (size_t k = 0; k < nc; k++) {
                size_t kp = push_index(p, k);
                check_init(&t->checks[k]);
                t->nchecks++;
                parse_check(L, json_array_get(checks, k), p, &t->checks[k], false);
                pop(p, kp);
            }
            pop(p, cp);
        }
        pop(p, ip);
    }
    pop(p, ap);
}

/* ------------------------------------------------------------------------------------
 * The rubric as a whole.
 */

static int compute_sha256(json_t *root, char out[65])
{
    json_t *copy = json_copy(root);
    if (copy == NULL) {
        return -1;
    }
    json_object_del(copy, "$schema");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    json_decref(copy);
    if (text == NULL) {
        return -1;
    }
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(text), (const uint8_t *)text);
    sha256_digest(&ctx, sizeof(digest), digest);
    free(text);
    for (size_t i = 0; i < sizeof(digest); i++) {
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    }
    return 0;
}

void assay_rubric_destroy(assay_rubric *r)
{
    if (r == NULL) {
        return;
    }
    free(r->id);
    free(r->version);
    free(r->title);
    free(r->description);
    scale_free(&r->scale);
    for (size_t i = 0; i < r->ncomps; i++) {
        rb_competency *k = &r->comps[i];
        free(k->id);
        free(k->name);
        free(k->description);
        free(k->ref);
        scale_free(&k->own);
    }
    free(r->comps);
    for (size_t i = 0; i < r->nitems; i++) {
        rb_item *t = &r->items[i];
        free(t->id);
        free(t->title);
        free(t->prompt);
        for (size_t k = 0; k < t->nchecks; k++) {
            check_free(&t->checks[k]);
        }
        free(t->checks);
    }
    free(r->items);
    json_decref(r->item_index);
    free(r);
}

assay_limits assay_limits_default(void)
{
    assay_limits l;
    l.max_rubric_bytes = 4u << 20;
    l.match_limit = 1000000;
    l.depth_limit = 10000;
    l.heap_limit_kib = 20000;
    l.match_limit_max = 5000000;
    l.depth_limit_max = 100000;
    l.heap_limit_kib_max = 100000;
    l.max_submission_bytes = 1u << 20;
    l.max_responses = 10000;
    l.max_answer_bytes = 64u << 10;
    return l;
}

static void report_plain(loader *L, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report_plain(loader *L, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport_at(L, "", false, 0, code, fmt, ap);
    va_end(ap);
}

/*
 * Where a JSON syntax error is, as a byte offset: jansson reports how many bytes it had read,
 * which is the offending byte itself for invalid UTF-8 and just past the offending token
 * otherwise; a string or word token is traced back to its first character.
 */
static size_t syntax_error_offset(const char *buf, size_t len, const json_error_t *je)
{
    size_t pos = je->position > 0 ? (size_t)je->position : 0;
    if (pos > len) {
        pos = len;
    }
    if (json_error_code(je) == json_error_invalid_utf8 || pos == 0 || pos == len) {
        return pos;
    }
    size_t off = pos - 1;
    if (buf[off] == '"') {
        size_t i = off;
        while (i > 0) {
            i--;
            size_t bs = 0;
            while (i >= bs + 1 && buf[i - bs - 1] == '\\') {
                bs++;
            }
            if (buf[i] == '"' && bs % 2 == 0) {
                return i;
            }
        }
        return off;
    }
    while (off > 0 &&
           (isalnum((unsigned char)buf[off - 1]) || buf[off - 1] == '.' ||
            buf[off - 1] == '-' || buf[off - 1] == '+') &&
           (isalnum((unsigned char)buf[off]) || buf[off] == '.' || buf[off] == '-' ||
            buf[off] == '+')) {
        off--;
    }
    return off;
}

/* Is buf[off] a closing bracket whose previous non-space character is a comma? */
static bool trailing_comma(const char *buf, size_t len, size_t off)
{
    if (off >= len || (buf[off] != '}' && buf[off] != ']')) {
        return false;
    }
    while (off > 0) {
        char c = buf[--off];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return c == ',';
        }
    }
    return false;
}

int assay_rubric_load_buffer(const char *buf, size_t len, const char *source,
                             const assay_limits *limits, assay_rubric **out, assay_diags *diags)
{
    static const char *const keys[] = {"$schema",      "assay",       "id",       "version",
                                       "title",        "description", "settings", "scale",
                                       "competencies", "items",       NULL};
    loader L;
    memset(&L, 0, sizeof(L));
    L.buf = buf;
    L.len = len;
    L.source = source ? source : "<rubric>";
    L.diags = diags;
    L.lim = limits ? *limits : assay_limits_default();

    if (buf == NULL || out == NULL) {
        return ASSAY_E_ARG;
    }
    if (len > L.lim.max_rubric_bytes) {
        report_plain(&L, ASSAY_E_TOO_LARGE,
                     "the rubric is %zu bytes, more than the limit of %zu", len,
                     L.lim.max_rubric_bytes);
        return ASSAY_E_TOO_LARGE;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        assay_diag g;
        memset(&g, 0, sizeof(g));
        g.code = ASSAY_E_SYNTAX;
        snprintf(g.source, sizeof(g.source), "%s", L.source);
        g.line = g.column = 1;
        snprintf(g.message, sizeof(g.message),
                 "the file starts with a UTF-8 byte order mark (BOM): save it as UTF-8 "
                 "without BOM");
        assay__diags_add(diags, &g);
        return ASSAY_E_SYNTAX;
    }
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        assay_diag g;
        memset(&g, 0, sizeof(g));
        g.code = ASSAY_E_SYNTAX;
        snprintf(g.source, sizeof(g.source), "%s", L.source);
        g.offset = syntax_error_offset(buf, len, &je);
        assay__line_col(buf, len, g.offset, &g.line, &g.column);
        if (json_error_code(&je) == json_error_invalid_utf8) {
            snprintf(g.message, sizeof(g.message), "the file is not valid UTF-8: %s", je.text);
        } else if (trailing_comma(buf, len, g.offset)) {
            snprintf(g.message, sizeof(g.message), "trailing comma before '%c'", buf[g.offset]);
        } else {
            snprintf(g.message, sizeof(g.message), "%s", je.text);
        }
        assay__diags_add(diags, &g);
        return ASSAY_E_SYNTAX;
    }

    path p;
    memset(&p, 0, sizeof(p));
    if (!json_is_object(root)) {
        report(&L, &p, NULL, false, ASSAY_E_INVALID, "a rubric must be a JSON object, not %s",
               type_name(root));
        json_decref(root);
        return ASSAY_E_INVALID;
    }

    assay_rubric *r = calloc(1, sizeof(*r));
    L.check_ids = json_object();
    L.comp_index = json_object();
    if (r == NULL || L.check_ids == NULL || L.comp_index == NULL ||
        (r->item_index = json_object()) == NULL) {
        free(r);
        json_decref(L.check_ids);
        json_decref(L.comp_index);
        json_decref(root);
        return ASSAY_E_NOMEM;
    }
    L.r = r;

    check_keys(&L, root, &p, keys, "the rubric");
    json_t *fmt = json_object_get(root, "assay");
    if (fmt == NULL) {
        report(&L, &p, "assay", false, ASSAY_E_INVALID,
               "missing required key \"assay\" (the format version: 1)");
    } else if (!json_is_integer(fmt) || json_integer_value(fmt) != ASSAY_RUBRIC_FORMAT) {
        report(&L, &p, "assay", false, ASSAY_E_INVALID,
               "unsupported rubric format: \"assay\" must be %d", ASSAY_RUBRIC_FORMAT);
    }
    r->id = xstrdup(get_id(&L, root, "id", &p, ID_MAX));
    r->version = xstrdup(get_id(&L, root, "version", &p, VERSION_MAX));
    r->title = xstrdup(get_string(&L, root, "title", &p, true));
    r->description = xstrdup(get_string(&L, root, "description", &p, false));
    parse_settings(&L, root, &p);
    json_t *sc = get_object(&L, root, "scale", &p, true);
    if (sc) {
        size_t sp = push_key(&p, "scale");
        parse_scale(&L, sc, &p, &r->scale);
        pop(&p, sp);
    }
    parse_competencies(&L, root, &p);
    parse_items(&L, root, &p);
    /* Only on an otherwise clean rubric: a broken check or a duplicate id elsewhere makes
     * "unused" a consequence, not a problem of its own. */
    for (size_t i = 0; i < r->ncomps && L.comp_uses && L.errors == 0; i++) {
        if (L.comp_uses[i] == 0 && r->comps[i].id) {
            path cp = p;
            push_key(&cp, "competencies");
            push_index(&cp, i);
            report(&L, &cp, "id", false, ASSAY_E_INVALID,
                   "competency \"%s\" is declared but no check is evidence for it",
                   r->comps[i].id);
        }
    }
    if (L.unlisted > 0) {
        report_plain(&L, ASSAY_E_INVALID, "%zu more problems are not listed (the first %d are)",
                     L.unlisted, MAX_DIAGS);
    }
    if (L.errors == 0 && compute_sha256(root, r->sha256) != 0) {
        note_error(&L, ASSAY_E_NOMEM);
    }

    json_decref(L.check_ids);
    json_decref(L.comp_index);
    free(L.comp_uses);
    json_decref(root);
    if (L.errors > 0) {
        assay_rubric_destroy(r);
        return L.first_code ? L.first_code : ASSAY_E_INVALID;
    }
    *out = r;
    return 0;
}

int assay_rubric_load_file(const char *path_name, const assay_limits *limits,
                           assay_rubric **out, assay_diags *diags)
{
    assay_limits lim = limits ? *limits : assay_limits_default();
    assay_diag g;
    memset(&g, 0, sizeof(g));
    snprintf(g.source, sizeof(g.source), "%s", path_name);
    FILE *f = fopen(path_name, "rb");
    if (f == NULL) {
        g.code = ASSAY_E_IO;
        snprintf(g.message, sizeof(g.message), "cannot open: %s", strerror(errno));
        assay__diags_add(diags, &g);
        return ASSAY_E_IO;
    }
    size_t cap = 64 * 1024, len = 0;
    char *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        if (len == cap) {
            if (cap > lim.max_rubric_bytes) {
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            break;
        }
    }
    if (buf == NULL) {
        rc = ASSAY_E_NOMEM;
    } else if (ferror(f)) {
        g.code = rc = ASSAY_E_IO;
        snprintf(g.message, sizeof(g.message), "cannot read: %s", strerror(errno));
        assay__diags_add(diags, &g);
    } else if (len > lim.max_rubric_bytes) {
        g.code = rc = ASSAY_E_TOO_LARGE;
        snprintf(g.message, sizeof(g.message),
                 "the rubric is larger than the limit of %zu bytes", lim.max_rubric_bytes);
        assay__diags_add(diags, &g);
    }
    fclose(f);
    if (rc == 0) {
        rc = assay_rubric_load_buffer(buf, len, path_name, &lim, out, diags);
    }
    free(buf);
    return rc;
}

const char *assay_rubric_id(const assay_rubric *r)
{
    return r->id;
}

const char *assay_rubric_version(const assay_rubric *r)
{
    return r->version;
}

const char *assay_rubric_title(const assay_rubric *r)
{
    return r->title;
}

const char *assay_rubric_sha256(const assay_rubric *r)
{
    return r->sha256;
}

size_t assay_rubric_check_count(const assay_rubric *r)
{
    return r->nchecks;
}
