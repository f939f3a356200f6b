/*
 * load_framework.c - the competencies of a rubric that names a framework ("framework":
 * "<id>", optionally "framework_version"): the framework is found in the loader's catalog,
 * the rubric's "competencies" (ids, each optionally with the framework's own scale) select
 * among the framework's, or, when the rubric lists none, its checks' evidence does. Names,
 * descriptions, URIs, scales and calculation methods are copied from the framework, so the
 * compiled rubric (rubric.h) depends on nothing else and grades as a standalone one.
 *
 * A framework the catalog lacks, an id the framework lacks, a scale that differs from the
 * framework's: each is reported at its place (file:line:column), with "did you mean".
 */
#include "framework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The index of competency id in f, or SIZE_MAX. */
static size_t fw_find(const assay_framework *f, const char *id)
{
    for (size_t i = 0; f && id && i < f->ncomps; i++) {
        if (f->comps[i].id && strcmp(f->comps[i].id, id) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

bool assay__framework_has(const ld_loader *L, const char *id)
{
    return fw_find(L->fw, id) != SIZE_MAX;
}

/* The framework's id nearest to id (did you mean), or NULL. */
static const char *fw_nearest(const assay_framework *f, const char *id)
{
    const char **ids = calloc(f->ncomps + 1, sizeof(*ids));
    const char *near = NULL;
    if (ids) {
        for (size_t i = 0; i < f->ncomps; i++) {
            ids[i] = f->comps[i].id;
        }
        near = assay__nearest_id(id, ids, f->ncomps);
    }
    free(ids);
    return near;
}

const char *assay__framework_nearest(const ld_loader *L, const char *id)
{
    return L->fw ? fw_nearest(L->fw, id) : NULL;
}

/* Finds the framework the rubric names and sets L->fw; reports it when it is not there. */
static void find_framework(ld_loader *L, const json_t *root, const ld_path *p)
{
    const char *id = assay__get_id(&L->rep, root, "framework", p, LD_ID_MAX);
    const char *ver = json_object_get(root, "framework_version")
                          ? assay__get_id(&L->rep, root, "framework_version", p, LD_VERSION_MAX)
                          : NULL;
    if (id == NULL) {
        return;
    }
    const assay_framework *f = assay_catalog_find_framework(L->cat, id, NULL);
    if (f == NULL) {
        const char *near = assay__catalog_nearest_framework(L->cat, id);
        if (near) {
            assay__report(&L->rep, p, "framework", false, ASSAY_E_INVALID,
                          "unknown framework \"%s\" (did you mean \"%s\"?)", id, near);
        } else {
            assay__report(&L->rep, p, "framework", false, ASSAY_E_INVALID,
                          "unknown framework \"%s\": no framework with this id is loaded "
                          "(frameworks, \"assay_framework\": 1, are loaded from the rubric "
                          "directory; one with errors is not: lint it to see them)",
                          id);
        }
        return;
    }
    if (ver && (f = assay_catalog_find_framework(L->cat, id, ver)) == NULL) {
        assay__report(&L->rep, p, "framework_version", false, ASSAY_E_INVALID,
                      "framework \"%s\" version \"%s\" is not loaded (the newest loaded is "
                      "\"%s\")",
                      id, ver, assay_catalog_find_framework(L->cat, id, NULL)->version);
        return;
    }
    L->fw = f;
}

/* Reports the scale at p/key (an object) when it differs from want, which the framework
 * gives it: what names whose scale it is. */
static void check_scale(ld_loader *L, const json_t *obj, ld_path *p, const char *key,
                        const rb_scale *want, const char *what)
{
    json_t *sc = assay__get_object(&L->rep, obj, key, p, false);
    if (sc == NULL) {
        return;
    }
    rb_scale given;
    memset(&given, 0, sizeof(given));
    size_t sp = assay__path_key(p, key);
    int before = L->rep.errors;
    assay__load_scale(L, sc, p, &given);
    assay__path_pop(p, sp);
    char why[200];
    if (L->rep.errors == before && !assay__scale_same(want, &given, why, sizeof(why))) {
        assay__report(&L->rep, p, key, false, ASSAY_E_INVALID,
                      "%s redefines the scale framework \"%s\" gives it: %s; remove \"%s\" "
                      "to use the framework's",
                      what, L->fw->id, why, key);
    }
    assay__rubric_scale_free(&given);
}

/* Copies the framework's competency src into dst, which the rubric r owns. */
static void copy_competency(ld_loader *L, rb_competency *dst, const rb_competency *src)
{
    const assay_framework *f = L->fw;
    dst->id = ld_strdup(L, src->id);
    dst->name = ld_strdup(L, src->name);
    dst->description = ld_strdup(L, src->description);
    dst->ref = ld_strdup(L, src->ref);
    dst->framework = ld_strdup(L, f->id);
    dst->method = src->method;
    dst->scale = &L->r->scale;
    if (src->scale != &f->scales[f->default_scale].scale) {
        dst->has_own = true;
        dst->scale = &dst->own;
        if (assay__scale_copy(&dst->own, src->scale) != 0) {
            assay__report_count(&L->rep, ASSAY_E_NOMEM);
        }
    }
}

/* The rubric's "competencies": each an id of the framework, optionally with its scale. */
static void select_competencies(ld_loader *L, const json_t *arr, ld_path *p)
{
    static const char *const keys[] = {"id", "scale", NULL};
    assay_rubric *r = L->r;
    if (!assay__load_alloc_competencies(L, json_array_size(arr))) {
        return;
    }
    size_t n = json_array_size(arr);
    size_t cp = assay__path_key(p, "competencies");
    for (size_t i = 0; i < n; i++) {
        size_t ip = assay__path_index(p, i);
        json_t *c = assay__get_entry(&L->rep, arr, i, p, keys,
                                     "a competency taken from a framework (its name, scale "
                                     "and method come from the framework)");
        const char *id =
            c ? assay__get_unique_id(&L->rep, c, p, LD_ID_MAX, L->comp_index, i, "competency")
              : NULL;
        size_t k = fw_find(L->fw, id);
        if (id && k == SIZE_MAX) {
            const char *near = fw_nearest(L->fw, id);
            assay__report(&L->rep, p, "id", false, ASSAY_E_INVALID,
                          "competency \"%s\" is not in framework \"%s\"%s%s%s", id, L->fw->id,
                          near ? " (did you mean \"" : "", near ? near : "",
                          near ? "\"?)" : "");
        }
        if (k != SIZE_MAX) {
            rb_competency *dst = &r->comps[r->ncomps];
            copy_competency(L, dst, &L->fw->comps[k]);
            char what[200];
            snprintf(what, sizeof(what), "competency \"%s\"", id);
            check_scale(L, c, p, "scale", L->fw->comps[k].scale, what);
        } else {
            r->comps[r->ncomps].scale = &r->scale; /* a placeholder, never graded */
        }
        r->ncomps++;
        assay__path_pop(p, ip);
    }
    assay__path_pop(p, cp);
}

/* No "competencies": every competency of the framework, pruned after the items are read. */
static void all_competencies(ld_loader *L)
{
    assay_rubric *r = L->r;
    size_t n = L->fw->ncomps;
    if (!assay__load_alloc_competencies(L, n)) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        copy_competency(L, &r->comps[i], &L->fw->comps[i]);
        r->ncomps++;
        if (r->comps[i].id &&
            json_object_set_new(L->comp_index, r->comps[i].id, json_integer((json_int_t)i))) {
            assay__report_count(&L->rep, ASSAY_E_NOMEM);
        }
    }
    L->fw_prune = true;
}

bool assay__load_rubric_framework(ld_loader *L, const json_t *root, ld_path *p)
{
    if (json_object_get(root, "framework") == NULL) {
        if (json_object_get(root, "framework_version")) {
            assay__report(&L->rep, p, "framework_version", true, ASSAY_E_INVALID,
                          "\"framework_version\" without \"framework\": name the framework "
                          "too, or remove it");
        }
        return false;
    }
    L->fw_named = true;
    find_framework(L, root, p);
    if (L->fw == NULL) {
        return true;
    }
    const rb_scale *dflt = &L->fw->scales[L->fw->default_scale].scale;
    if (assay__scale_copy(&L->r->scale, dflt) != 0) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
    }
    check_scale(L, root, p, "scale", dflt, "the rubric's \"scale\"");
    if (json_object_get(root, "competencies") == NULL) {
        all_competencies(L);
        return true;
    }
    json_t *arr = assay__get_array(&L->rep, root, "competencies", p, true);
    if (arr) {
        select_competencies(L, arr, p);
    }
    return true;
}

/* Renumbers the evidence of checks[0..n) (members included) by map. */
static void renumber(rb_check *checks, size_t n, const size_t *map)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t e = 0; e < checks[i].nev; e++) {
            checks[i].ev[e].comp = map[checks[i].ev[e].comp];
        }
        renumber(checks[i].members, checks[i].nmembers, map);
    }
}

void assay__prune_framework_competencies(ld_loader *L)
{
    assay_rubric *r = L->r;
    if (!L->fw_prune || L->comp_uses == NULL) {
        return;
    }
    size_t *map = calloc(r->ncomps + 1, sizeof(size_t));
    if (map == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    size_t kept = 0;
    for (size_t i = 0; i < r->ncomps; i++) {
        rb_competency *k = &r->comps[i];
        if (L->comp_uses[i] == 0) {
            assay__rubric_competency_free(k);
            continue;
        }
        map[i] = kept;
        L->comp_uses[kept] = L->comp_uses[i];
        r->comps[kept] = *k;
        if (k->has_own) {
            r->comps[kept].scale = &r->comps[kept].own;
        }
        kept++;
    }
    r->ncomps = kept;
    for (size_t t = 0; t < r->nitems; t++) {
        renumber(r->items[t].checks, r->items[t].nchecks, map);
    }
    free(map);
}
