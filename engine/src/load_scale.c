/*
 * load_scale.c - the rubric's proficiency scales (the default one and each competency's
 * own), its feedback bands (a scale of texts over the fraction of max_score), its settings
 * (number format, pattern limits within the engine's maxima) and its competencies, read into
 * the compiled model (rubric.h). A rubric that names a framework takes its scale and
 * competencies from it instead (load_framework.c).
 */
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void assay__load_scale(ld_loader *L, const json_t *obj, ld_path *p, rb_scale *out)
{
    static const char *const keys[] = {"levels", NULL};
    static const char *const level_keys[] = {"id", "name", "min", "mastery", NULL};
    assay__get_only_keys(&L->rep, obj, p, keys, "a scale");
    json_t *levels = assay__get_array(&L->rep, obj, "levels", p, true);
    if (levels == NULL) {
        return;
    }
    size_t n = json_array_size(levels);
    size_t lp = assay__path_key(p, "levels");
    if (n < 2) {
        assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                      "a scale needs at least two levels");
    }
    out->levels = calloc(n, sizeof(rb_level));
    if (out->levels == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        assay__path_pop(p, lp);
        return;
    }
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        mpq_init(out->levels[i].min);
    }
    size_t masteries = 0;
    json_t *seen = json_object();
    for (size_t i = 0; i < n; i++) {
        size_t ip = assay__path_index(p, i);
        rb_level *l = &out->levels[i];
        json_t *lv = assay__get_entry(&L->rep, levels, i, p, level_keys, "a level");
        if (lv == NULL) {
            assay__path_pop(p, ip);
            continue;
        }
        l->id = ld_strdup(L, assay__get_unique_id(&L->rep, lv, p, LD_ID_MAX, seen, i, "level"));
        l->name = ld_strdup(L, assay__get_string(&L->rep, lv, "name", p, true));
        if (json_object_get(lv, "min") == NULL) {
            assay__report(&L->rep, p, "min", false, ASSAY_E_INVALID,
                          "missing required key \"min\"");
        } else if (assay__get_q(&L->rep, lv, "min", p, GET_NONNEG | GET_AT_MOST_1, l->min) ==
                   0) {
            if (i == 0 && mpq_sgn(l->min) != 0) {
                assay__report(
                    &L->rep, p, "min", false, ASSAY_E_INVALID,
                    "the first level's \"min\" must be 0, so every score reaches a level");
            }
            if (i > 0 && mpq_cmp(l->min, out->levels[i - 1].min) <= 0) {
                assay__report(&L->rep, p, "min", false, ASSAY_E_INVALID,
                              "levels must be in increasing order of \"min\"");
            }
        }
        if (assay__get_bool(&L->rep, lv, "mastery", p, false)) {
            if (masteries == 0) {
                out->mastery = i;
            }
            masteries++;
        }
        assay__path_pop(p, ip);
    }
    json_decref(seen);
    if (masteries != 1) {
        assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                      "exactly one level must have \"mastery\": true (found %zu)", masteries);
    }
    assay__path_pop(p, lp);
}

void assay__load_settings(ld_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"decimal_separator", "grouping",       "match_limit",
                                       "depth_limit",       "heap_limit_kib", NULL};
    assay_rubric *r = L->r;
    r->fmt.decimal_sep = '.';
    r->fmt.grouping = false;
    r->match_limit = L->lim.match_limit;
    r->depth_limit = L->lim.depth_limit;
    r->heap_limit_kib = L->lim.heap_limit_kib;
    json_t *s = assay__get_object(&L->rep, root, "settings", p, false);
    if (s == NULL) {
        return;
    }
    size_t sp = assay__path_key(p, "settings");
    assay__get_only_keys(&L->rep, s, p, keys, "settings");
    const char *sep = assay__get_string(&L->rep, s, "decimal_separator", p, false);
    if (sep) {
        if (strcmp(sep, ".") == 0 || strcmp(sep, ",") == 0) {
            r->fmt.decimal_sep = sep[0];
        } else {
            assay__report(&L->rep, p, "decimal_separator", false, ASSAY_E_INVALID,
                          "\"decimal_separator\" must be \".\" or \",\", not \"%.20s\"", sep);
        }
    }
    r->fmt.grouping = assay__get_bool(&L->rep, s, "grouping", p, false);
    long long v;
    if (assay__get_int(&L->rep, s, "match_limit", p, 1, L->lim.match_limit_max, &v) == 0) {
        r->match_limit = (uint32_t)v;
    }
    if (assay__get_int(&L->rep, s, "depth_limit", p, 1, L->lim.depth_limit_max, &v) == 0) {
        r->depth_limit = (uint32_t)v;
    }
    if (assay__get_int(&L->rep, s, "heap_limit_kib", p, 1, L->lim.heap_limit_kib_max, &v) ==
        0) {
        r->heap_limit_kib = (uint32_t)v;
    }
    assay__path_pop(p, sp);
}

bool assay__load_alloc_competencies(ld_loader *L, size_t n)
{
    L->r->comps = calloc(n, sizeof(rb_competency));
    L->comp_uses = calloc(n, sizeof(size_t));
    if (L->r->comps == NULL || L->comp_uses == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return false;
    }
    return true;
}

void assay__load_competencies(ld_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"id",    "name",   "description", "ref",
                                       "scale", "method", NULL};
    assay_rubric *r = L->r;
    json_t *arr = assay__get_array(&L->rep, root, "competencies", p, true);
    if (arr == NULL) {
        return;
    }
    size_t n = json_array_size(arr);
    if (!assay__load_alloc_competencies(L, n)) {
        return;
    }
    r->ncomps = n;
    size_t cp = assay__path_key(p, "competencies");
    for (size_t i = 0; i < n; i++) {
        rb_competency *k = &r->comps[i];
        k->scale = &r->scale;
        k->method = (assay_mastery_method){ASSAY_MASTERY_WEIGHTED_AVERAGE, 65};
        /* A rubric's own competencies form the framework named after it. */
        size_t flen = strlen("rubric:") + (r->id ? strlen(r->id) : 0) + 1;
        if ((k->framework = malloc(flen)) != NULL) {
            snprintf(k->framework, flen, "rubric:%s", r->id ? r->id : "");
        } else {
            assay__report_count(&L->rep, ASSAY_E_NOMEM);
        }
        size_t ip = assay__path_index(p, i);
        json_t *c = assay__get_entry(&L->rep, arr, i, p, keys, "a competency");
        if (c == NULL) {
            assay__path_pop(p, ip);
            continue;
        }
        k->id = ld_strdup(
            L, assay__get_unique_id(&L->rep, c, p, LD_ID_MAX, L->comp_index, i, "competency"));
        k->name = ld_strdup(L, assay__get_string(&L->rep, c, "name", p, true));
        k->description = ld_strdup(L, assay__get_string(&L->rep, c, "description", p, false));
        k->ref = ld_strdup(L, assay__get_string(&L->rep, c, "ref", p, false));
        json_t *sc = assay__get_object(&L->rep, c, "scale", p, false);
        if (sc) {
            size_t sp = assay__path_key(p, "scale");
            assay__load_scale(L, sc, p, &k->own);
            assay__path_pop(p, sp);
            k->has_own = true;
            k->scale = &k->own;
        }
        assay__load_method(L, c, p, &k->method);
        assay__path_pop(p, ip);
    }
    assay__path_pop(p, cp);
}

void assay__load_feedback(ld_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"bands", NULL};
    static const char *const band_keys[] = {"min", "text", NULL};
    json_t *fb = assay__get_object(&L->rep, root, "feedback", p, false);
    if (fb == NULL) {
        return;
    }
    size_t fp = assay__path_key(p, "feedback");
    assay__get_only_keys(&L->rep, fb, p, keys, "\"feedback\"");
    json_t *bands = assay__get_array(&L->rep, fb, "bands", p, true);
    size_t n = bands ? json_array_size(bands) : 0;
    assay_rubric *r = L->r;
    if (n > 0 && (r->bands = calloc(n, sizeof(rb_band))) == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        n = 0;
    }
    r->nbands = n;
    for (size_t i = 0; i < n; i++) {
        mpq_init(r->bands[i].min);
    }
    size_t bp = assay__path_key(p, "bands");
    for (size_t i = 0; i < n; i++) {
        size_t ip = assay__path_index(p, i);
        rb_band *b = &r->bands[i];
        json_t *band = assay__get_entry(&L->rep, bands, i, p, band_keys, "a feedback band");
        if (band != NULL) {
            b->text = ld_strdup(L, assay__get_string(&L->rep, band, "text", p, true));
            if (json_object_get(band, "min") == NULL) {
                assay__report(&L->rep, p, "min", false, ASSAY_E_INVALID,
                              "missing required key \"min\" (the band's lowest score, as a "
                              "fraction of max_score)");
            } else if (assay__get_q(&L->rep, band, "min", p, GET_NONNEG | GET_AT_MOST_1,
                                    b->min) == 0) {
                if (i == 0 && mpq_sgn(b->min) != 0) {
                    assay__report(&L->rep, p, "min", false, ASSAY_E_INVALID,
                                  "the first band's \"min\" must be 0, so every score has a "
                                  "band");
                }
                if (i > 0 && mpq_cmp(b->min, r->bands[i - 1].min) <= 0) {
                    assay__report(&L->rep, p, "min", false, ASSAY_E_INVALID,
                                  "bands must be in increasing order of \"min\"");
                }
            }
        }
        assay__path_pop(p, ip);
    }
    assay__path_pop(p, bp);
    assay__path_pop(p, fp);
}
