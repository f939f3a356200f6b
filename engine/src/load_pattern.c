/*
 * load_pattern.c - the pattern side of the loader: flags, normalisation and compilation of a
 * "pattern" (PCRE2 errors reported at the offending character), and pattern checks (mode,
 * count bounds). Numeric checks use the same compilation for their "source".
 */
#include "load.h"

#include "locate.h"

#include <stdlib.h>
#include <string.h>

/* Reads "flags" and "ascii" of obj into PAT_* bits. */
unsigned assay__load_flags(ld_loader *L, const json_t *obj, ld_path *p)
{
    unsigned flags = 0;
    json_t *arr = json_object_get(obj, "flags");
    if (arr) {
        if (!json_is_array(arr)) {
            assay__report(&L->rep, p, "flags", false, ASSAY_E_INVALID,
                          "\"flags\" must be an array, not %s", assay__get_type_name(arr));
        } else {
            size_t fp = assay__path_key(p, "flags");
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
                    size_t ip = assay__path_index(p, i);
                    assay__report(
                        &L->rep, p, NULL, false, ASSAY_E_INVALID,
                        "unknown flag %s%.40s%s (flags are caseless, multiline, dotall, "
                        "extended)",
                        s ? "\"" : "", s ? s : assay__get_type_name(f), s ? "\"" : "");
                    assay__path_pop(p, ip);
                }
            }
            assay__path_pop(p, fp);
        }
    }
    if (assay__get_bool(&L->rep, obj, "ascii", p, false)) {
        flags |= PAT_ASCII;
    }
    return flags;
}

/*
 * Whether compiling one more pattern of srclen bytes stays within the rubric's limits
 * (counting it); if not, reports the limit crossed at the pattern and stops compiling.
 */
static bool within_cost(ld_loader *L, ld_path *p, size_t srclen)
{
    if (L->cost_over) {
        return false;
    }
    L->npatterns++;
    L->pattern_bytes += srclen;
    if (L->npatterns > L->lim.max_patterns) {
        assay__report(&L->rep, p, "pattern", false, ASSAY_E_TOO_LARGE,
                      "too many patterns: this is pattern %zu, and a rubric may have %zu "
                      "(max_patterns); no further pattern is compiled",
                      L->npatterns, L->lim.max_patterns);
        L->cost_over = true;
    } else if (L->pattern_bytes > L->lim.max_pattern_bytes) {
        assay__report(&L->rep, p, "pattern", false, ASSAY_E_TOO_LARGE,
                      "the patterns up to this one total %zu bytes of text, more than the %zu "
                      "a rubric may have (max_pattern_bytes); no further pattern is compiled",
                      L->pattern_bytes, L->lim.max_pattern_bytes);
        L->cost_over = true;
    }
    return !L->cost_over;
}

/* Adds a compiled pattern's sizes to the rubric's; reports a limit crossed as within_cost. */
static void add_cost(ld_loader *L, ld_path *p, const pat_regex *pat)
{
    size_t compiled, jit;
    assay__pattern_sizes(pat, &compiled, &jit);
    L->compiled_bytes += compiled;
    L->jit_bytes += jit;
    if (L->compiled_bytes > L->lim.max_compiled_bytes) {
        assay__report(&L->rep, p, "pattern", false, ASSAY_E_TOO_LARGE,
                      "the patterns up to this one compile to %zu bytes, more than the %zu a "
                      "rubric may take (max_compiled_bytes); no further pattern is compiled",
                      L->compiled_bytes, L->lim.max_compiled_bytes);
        L->cost_over = true;
    } else if (L->jit_bytes > L->lim.max_jit_bytes) {
        assay__report(&L->rep, p, "pattern", false, ASSAY_E_TOO_LARGE,
                      "the patterns up to this one take %zu bytes of JIT code, more than the "
                      "%zu a rubric may take (max_jit_bytes); no further pattern is compiled",
                      L->jit_bytes, L->lim.max_jit_bytes);
        L->cost_over = true;
    }
}

/* Compiles obj's "pattern" into pat, reporting errors at the offending character. */
int assay__load_pattern(ld_loader *L, const json_t *obj, ld_path *p, unsigned flags,
                        pat_regex *pat)
{
    json_t *v = json_object_get(obj, "pattern");
    if (v == NULL) {
        assay__report(&L->rep, p, "pattern", false, ASSAY_E_INVALID,
                      "missing required key \"pattern\"");
        return -1;
    }
    if (!json_is_string(v)) {
        assay__report(&L->rep, p, "pattern", false, ASSAY_E_INVALID,
                      "\"pattern\" must be a string, not %s", assay__get_type_name(v));
        return -1;
    }
    char msg[400];
    size_t eo = 0;
    const char *src = json_string_value(v);
    size_t srclen = json_string_length(v);
    if (!within_cost(L, p, srclen)) {
        return -1;
    }
    int rc = assay__pattern_compile(pat, src, srclen, flags, msg, sizeof(msg), &eo);
    if (rc == ASSAY_E_NOMEM) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return -1;
    }
    if (rc != 0) {
        if (assay__report_unlisted(&L->rep, ASSAY_E_REGEX)) {
            return -1;
        }
        ld_path full = *p;
        assay__path_key(&full, "pattern");
        size_t off;
        if (assay__locate(L->rep.buf, L->rep.len, full.s, false, &off) == 0) {
            size_t at = assay__string_offset(L->rep.buf, L->rep.len, off, eo);
            assay__report_at(&L->rep, full.s, at, ASSAY_E_REGEX, "%s", msg);
        } else {
            assay__report(&L->rep, p, "pattern", false, ASSAY_E_REGEX, "%s", msg);
        }
        return -1;
    }
    add_cost(L, p, pat);
    pat->source = ld_strdup(L, src);
    return pat->source ? 0 : -1;
}

static void parse_normalize(ld_loader *L, const json_t *obj, ld_path *p, pat_regex *pat)
{
    json_t *arr = json_object_get(obj, "normalize");
    if (arr == NULL) {
        return;
    }
    if (!json_is_array(arr)) {
        assay__report(&L->rep, p, "normalize", false, ASSAY_E_INVALID,
                      "\"normalize\" must be an array, not %s", assay__get_type_name(arr));
        return;
    }
    size_t np = assay__path_key(p, "normalize");
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
            size_t ip = assay__path_index(p, i);
            assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                          "unknown normalisation (use \"trim\" or \"collapse\")");
            assay__path_pop(p, ip);
        }
    }
    assay__path_pop(p, np);
}

void assay__load_pattern_check(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c)
{
    const char *mode = assay__get_string(&L->rep, obj, "mode", p, false);
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
            assay__report(&L->rep, p, "mode", false, ASSAY_E_INVALID,
                          "unknown mode \"%.40s\" (modes are search, whole, forbid, count)",
                          mode);
        }
    }
    unsigned flags = assay__load_flags(L, obj, p);
    if (c->mode == RB_WHOLE) {
        flags |= PAT_WHOLE;
    }
    parse_normalize(L, obj, p, &c->pat);
    if (assay__load_pattern(L, obj, p, flags, &c->pat) == 0) {
        json_t *v = json_object_get(obj, "pattern");
        assay__warn_pattern(L, p, &c->pat, json_string_value(v), json_string_length(v),
                            (int)c->mode);
    }

    long long v;
    bool has_min = json_object_get(obj, "min") != NULL;
    bool has_max = json_object_get(obj, "max") != NULL;
    if (c->mode != RB_COUNT && (has_min || has_max)) {
        assay__report(&L->rep, p, has_min ? "min" : "max", true, ASSAY_E_INVALID,
                      "\"min\" and \"max\" apply only to \"mode\": \"count\"");
    }
    c->count_min = 1;
    if (assay__get_int(&L->rep, obj, "min", p, 0, UINT32_MAX - 1, &v) == 0) {
        c->count_min = (uint32_t)v;
    }
    if (assay__get_int(&L->rep, obj, "max", p, 0, UINT32_MAX - 1, &v) == 0) {
        c->count_max = (uint32_t)v;
        if (c->count_max < c->count_min) {
            assay__report(&L->rep, p, "max", false, ASSAY_E_INVALID,
                          "\"max\" (%u) is less than \"min\" (%u)", c->count_max, c->count_min);
        }
    }
}
