/*
 * framework.c - loading a competency framework ("assay_framework": 1, docs/frameworks.md)
 * from bytes or a file: its scales by id, its default scale and its competencies with their
 * scale and calculation method, every problem reported at its place as a rubric's are
 * (report.h, getters.h, locate.c), and the framework's lifetime and accessors. Also the
 * pieces the rubric loader shares with it: a competency's "method" and comparing and
 * copying scales.
 *
 * It does not resolve a rubric against a framework (load_framework.c) nor keep frameworks
 * (catalog.c).
 */
#include "framework.h"

#include "document.h"
#include "error.h"
#include "mastery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void assay__load_method(ld_loader *L, const json_t *obj, ld_path *p, assay_mastery_method *out)
{
    static const char *const keys[] = {"name", "param", NULL};
    json_t *m = assay__get_object(&L->rep, obj, "method", p, false);
    if (m == NULL) {
        return;
    }
    size_t mp = assay__path_key(p, "method");
    assay__get_only_keys(&L->rep, m, p, keys, "a calculation method");
    const char *name = assay__get_string(&L->rep, m, "name", p, true);
    const char *names[ASSAY_MASTERY_WEIGHTED_AVERAGE + 1];
    bool known = false;
    for (int k = 0; k <= ASSAY_MASTERY_WEIGHTED_AVERAGE; k++) {
        names[k] = assay_mastery_kind_name((assay_mastery_kind)k);
        known = known || (name && strcmp(name, names[k]) == 0);
    }
    if (name && !known) {
        const char *near = assay__nearest(name, names, ASSAY_MASTERY_WEIGHTED_AVERAGE + 1);
        if (near) {
            assay__report(&L->rep, p, "name", false, ASSAY_E_INVALID,
                          "unknown calculation method \"%.40s\" (did you mean \"%s\"?)", name,
                          near);
        } else {
            assay__report(&L->rep, p, "name", false, ASSAY_E_INVALID,
                          "unknown calculation method \"%.40s\" (the methods: highest, latest, "
                          "average, n_mastery, decaying_average, weighted_average)",
                          name);
        }
    }
    long long param = 0;
    bool has_param = json_object_get(m, "param") != NULL;
    bool param_ok = !has_param || assay__get_int(&L->rep, m, "param", p, -1000000000LL,
                                                 1000000000LL, &param) == 0;
    char why[200];
    assay_mastery_method got;
    if (name && known && param_ok) {
        if (assay_mastery_method_parse(name, has_param, (long)param, &got, why, sizeof(why)) ==
            0) {
            *out = got;
        } else {
            assay__report(&L->rep, p, has_param ? "param" : NULL, false, ASSAY_E_INVALID, "%s",
                          why);
        }
    }
    assay__path_pop(p, mp);
}

bool assay__scale_same(const rb_scale *a, const rb_scale *b, char *why, size_t whylen)
{
    if (a->n != b->n) {
        snprintf(why, whylen, "it has %zu levels here, %zu in the framework", b->n, a->n);
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        const rb_level *x = &a->levels[i], *y = &b->levels[i];
        if (x->id == NULL || y->id == NULL || strcmp(x->id, y->id) != 0 || x->name == NULL ||
            y->name == NULL || strcmp(x->name, y->name) != 0 || mpq_cmp(x->min, y->min) != 0) {
            char *xm = assay__mpq_to_text(x->min), *ym = assay__mpq_to_text(y->min);
            snprintf(why, whylen,
                     "level %zu is \"%.40s\" (\"%.40s\") from %s here, \"%.40s\" (\"%.40s\") "
                     "from %s in the framework",
                     i + 1, y->id ? y->id : "", y->name ? y->name : "", ym ? ym : "?",
                     x->id ? x->id : "", x->name ? x->name : "", xm ? xm : "?");
            free(xm);
            free(ym);
            return false;
        }
    }
    if (a->mastery != b->mastery) {
        snprintf(why, whylen, "mastery is level \"%.40s\" here, \"%.40s\" in the framework",
                 b->levels[b->mastery].id, a->levels[a->mastery].id);
        return false;
    }
    return true;
}

int assay__scale_copy(rb_scale *dst, const rb_scale *src)
{
    memset(dst, 0, sizeof(*dst));
    if (src->n == 0) {
        return 0;
    }
    if ((dst->levels = calloc(src->n, sizeof(rb_level))) == NULL) {
        return -1;
    }
    dst->n = src->n;
    dst->mastery = src->mastery;
    int rc = 0;
    for (size_t i = 0; i < src->n; i++) {
        rb_level *l = &dst->levels[i];
        mpq_init(l->min);
        mpq_set(l->min, src->levels[i].min);
        l->id = strdup(src->levels[i].id);
        l->name = strdup(src->levels[i].name);
        if (l->id == NULL || l->name == NULL) {
            rc = -1;
        }
    }
    return rc;
}

/* The framework's "scales": each an object keyed by its id, read as a rubric's scale. */
static void load_scales(ld_loader *L, assay_framework *f, const json_t *root, ld_path *p)
{
    json_t *scales = assay__get_object(&L->rep, root, "scales", p, true);
    size_t n = scales ? json_object_size(scales) : 0;
    if (scales && n == 0) {
        assay__report(&L->rep, p, "scales", false, ASSAY_E_INVALID,
                      "\"scales\" must define at least one scale");
    }
    if (n == 0) {
        return;
    }
    if ((f->scales = calloc(n, sizeof(fw_scale))) == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    size_t sp = assay__path_key(p, "scales");
    const char *id;
    json_t *v;
    json_object_foreach(scales, id, v)
    {
        fw_scale *s = &f->scales[f->nscales++];
        s->id = ld_strdup(L, id);
        size_t ip = assay__path_key(p, id);
        if (strlen(id) == 0 || strlen(id) > LD_ID_MAX ||
            strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                strlen(id)) {
            assay__report(&L->rep, p, NULL, true, ASSAY_E_INVALID,
                          "a scale id must be 1 to %d letters, digits, '.', '_' or '-'",
                          LD_ID_MAX);
        }
        if (!json_is_object(v)) {
            assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                          "a scale must be an object, not %s", assay__get_type_name(v));
        } else {
            assay__load_scale(L, v, p, &s->scale);
        }
        assay__path_pop(p, ip);
    }
    assay__path_pop(p, sp);
}

/* The index of the scale named by obj's member key (reported when unknown, with the nearest
 * scale id), or dflt when the member is absent; SIZE_MAX when bad. */
static size_t scale_ref(ld_loader *L, const assay_framework *f, const json_t *obj,
                        const char *key, const ld_path *p, size_t dflt)
{
    if (json_object_get(obj, key) == NULL) {
        return dflt;
    }
    const char *id = assay__get_string(&L->rep, obj, key, p, true);
    if (id == NULL) {
        return SIZE_MAX;
    }
    const char **ids = calloc(f->nscales + 1, sizeof(*ids));
    for (size_t i = 0; i < f->nscales; i++) {
        if (f->scales[i].id && strcmp(f->scales[i].id, id) == 0) {
            free(ids);
            return i;
        }
        if (ids) {
            ids[i] = f->scales[i].id;
        }
    }
    const char *near = ids ? assay__nearest(id, ids, f->nscales) : NULL;
    assay__report(&L->rep, p, key, false, ASSAY_E_INVALID,
                  "unknown scale \"%.60s\"%s%s%s: \"scales\" defines no such scale", id,
                  near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
    free(ids);
    return SIZE_MAX;
}

static void load_competencies(ld_loader *L, assay_framework *f, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"id",    "name",   "description", "uri",
                                       "scale", "method", NULL};
    json_t *arr = assay__get_array(&L->rep, root, "competencies", p, true);
    size_t n = arr ? json_array_size(arr) : 0;
    if (n == 0) {
        return;
    }
    if ((f->comps = calloc(n, sizeof(rb_competency))) == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    f->ncomps = n;
    size_t cp = assay__path_key(p, "competencies");
    for (size_t i = 0; i < n; i++) {
        rb_competency *k = &f->comps[i];
        k->method = (assay_mastery_method){ASSAY_MASTERY_WEIGHTED_AVERAGE, 65};
        k->framework = ld_strdup(L, f->id ? f->id : "");
        size_t ip = assay__path_index(p, i);
        json_t *c = assay__get_entry(&L->rep, arr, i, p, keys, "a competency");
        if (c != NULL) {
            k->id = ld_strdup(L, assay__get_unique_id(&L->rep, c, p, LD_ID_MAX, L->comp_index,
                                                      i, "competency"));
            k->name = ld_strdup(L, assay__get_string(&L->rep, c, "name", p, true));
            k->description =
                ld_strdup(L, assay__get_string(&L->rep, c, "description", p, false));
            k->ref = ld_strdup(L, assay__get_string(&L->rep, c, "uri", p, false));
            size_t s = scale_ref(L, f, c, "scale", p, f->default_scale);
            if (s < f->nscales) {
                k->scale = &f->scales[s].scale;
            }
            assay__load_method(L, c, p, &k->method);
        }
        assay__path_pop(p, ip);
    }
    assay__path_pop(p, cp);
}

void assay_framework_destroy(assay_framework *f)
{
    if (f == NULL) {
        return;
    }
    free(f->id);
    free(f->version);
    free(f->title);
    free(f->uri);
    for (size_t i = 0; i < f->nscales; i++) {
        free(f->scales[i].id);
        assay__rubric_scale_free(&f->scales[i].scale);
    }
    free(f->scales);
    for (size_t i = 0; i < f->ncomps; i++) {
        assay__rubric_competency_free(&f->comps[i]);
    }
    free(f->comps);
    free(f);
}

/* Reads the parsed document root into f, reporting through L. */
static void load_document(ld_loader *L, assay_framework *f, const json_t *root)
{
    static const char *const keys[] = {"$schema",       "assay_framework", "id",  "version",
                                       "title",         "description",     "uri", "scales",
                                       "default_scale", "competencies",    NULL};
    ld_path p;
    memset(&p, 0, sizeof(p));
    assay__get_only_keys(&L->rep, root, &p, keys, "the framework");
    json_t *fmt = json_object_get(root, "assay_framework");
    if (!json_is_integer(fmt) || json_integer_value(fmt) != ASSAY_FRAMEWORK_FORMAT) {
        assay__report(&L->rep, &p, "assay_framework", false, ASSAY_E_INVALID,
                      "unsupported framework format: \"assay_framework\" must be %d",
                      ASSAY_FRAMEWORK_FORMAT);
    }
    f->id = ld_strdup(L, assay__get_id(&L->rep, root, "id", &p, LD_ID_MAX));
    f->version = ld_strdup(L, assay__get_id(&L->rep, root, "version", &p, LD_VERSION_MAX));
    f->title = ld_strdup(L, assay__get_string(&L->rep, root, "title", &p, true));
    assay__get_string(&L->rep, root, "description", &p, false);
    f->uri = ld_strdup(L, assay__get_string(&L->rep, root, "uri", &p, false));
    load_scales(L, f, root, &p);
    if (json_object_get(root, "default_scale") == NULL && f->nscales > 1) {
        assay__report(&L->rep, &p, "default_scale", false, ASSAY_E_INVALID,
                      "missing required key \"default_scale\" (the scale of a competency "
                      "that names none; needed when there are several scales)");
    }
    size_t d = scale_ref(L, f, root, "default_scale", &p, 0);
    f->default_scale = d < f->nscales ? d : 0;
    load_competencies(L, f, root, &p);
    assay__warn_competency_ids(L, &p, f->comps, f->ncomps);
}

int assay_framework_load_buffer(const char *buf, size_t len, const char *source,
                                const assay_limits *limits, assay_framework **out,
                                assay_diags *diags)
{
    ld_loader L;
    memset(&L, 0, sizeof(L));
    L.lim = limits ? *limits : assay_limits_default();
    json_t *root = NULL;
    int rc = out ? assay__doc_open(&L.rep, buf, len, source, "<framework>", "framework",
                                   L.lim.max_rubric_bytes, diags, &root)
                 : ASSAY_E_ARG;
    if (rc != 0) {
        return rc;
    }
    assay_framework *f = calloc(1, sizeof(*f));
    L.comp_index = json_object();
    if (f == NULL || L.comp_index == NULL) {
        free(f);
        json_decref(L.comp_index);
        json_decref(root);
        return ASSAY_E_NOMEM;
    }
    load_document(&L, f, root);
    assay__report_finish(&L.rep);
    if (L.rep.errors == 0 && assay__doc_sha256(root, f->sha256) != 0) {
        assay__report_count(&L.rep, ASSAY_E_NOMEM);
    }
    json_decref(L.comp_index);
    json_decref(root);
    if (L.rep.errors > 0) {
        assay_framework_destroy(f);
        return assay__doc_failure(&L.rep);
    }
    *out = f;
    return 0;
}

static int load_framework_cb(void *ctx, const char *buf, size_t len, const char *source,
                             const assay_limits *lim, assay_diags *diags)
{
    return assay_framework_load_buffer(buf, len, source, lim, ctx, diags);
}

int assay_framework_load_file(const char *path, const assay_limits *limits,
                              assay_framework **out, assay_diags *diags)
{
    return assay__doc_load_file(path, limits, "framework", load_framework_cb, out, diags);
}

const char *assay_framework_id(const assay_framework *f)
{
    return f->id;
}

const char *assay_framework_version(const assay_framework *f)
{
    return f->version;
}

const char *assay_framework_title(const assay_framework *f)
{
    return f->title;
}

const char *assay_framework_sha256(const assay_framework *f)
{
    return f->sha256;
}

size_t assay_framework_competency_count(const assay_framework *f)
{
    return f->ncomps;
}
