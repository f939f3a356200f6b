/*
 * rubric.c - loading a rubric (format v1, see docs/rubric-format.md) from bytes or a file,
 * and the compiled rubric's lifetime and accessors.
 *
 * assay_rubric_load_buffer parses with jansson (document.c places a syntax error), then
 * walks the document once with the parsers of load.h, which check every key and value and
 * build the compiled rubric (rubric.h). They do not stop at the first semantic problem:
 * each one is reported with its JSON pointer and its place in the file, so `assay lint`
 * shows them all in one run. A rubric with any error is never returned. Its canonical
 * content hash is document.c's.
 *
 * It does not grade (score.c) or match (pattern.c).
 */
#include "rubric.h"

#include "document.h"
#include "error.h"
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void assay__rubric_scale_free(rb_scale *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->levels[i].id);
        free(s->levels[i].name);
        mpq_clear(s->levels[i].min);
    }
    free(s->levels);
    memset(s, 0, sizeof(*s));
}

void assay__rubric_check_init(rb_check *c)
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

void assay__rubric_check_free(rb_check *c)
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
        assay__rubric_check_free(&c->members[i]);
    }
    free(c->members);
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
    assay__rubric_scale_free(&r->scale);
    for (size_t i = 0; i < r->ncomps; i++) {
        rb_competency *k = &r->comps[i];
        free(k->id);
        free(k->name);
        free(k->description);
        free(k->ref);
        free(k->framework);
        assay__rubric_scale_free(&k->own);
    }
    free(r->comps);
    for (size_t i = 0; i < r->nitems; i++) {
        rb_item *t = &r->items[i];
        free(t->id);
        free(t->title);
        free(t->prompt);
        for (size_t k = 0; k < t->nchecks; k++) {
            assay__rubric_check_free(&t->checks[k]);
        }
        free(t->checks);
    }
    free(r->items);
    json_decref(r->item_index);
    for (size_t i = 0; i < r->nbands; i++) {
        mpq_clear(r->bands[i].min);
        free(r->bands[i].text);
    }
    free(r->bands);
    free(r);
}

const char *assay__rubric_band_text(const assay_rubric *r, mpq_srcptr fraction)
{
    const char *text = NULL;
    for (size_t i = 0; i < r->nbands && mpq_cmp(fraction, r->bands[i].min) >= 0; i++) {
        text = r->bands[i].text;
    }
    if (text == NULL && r->nbands > 0) {
        text = r->bands[0].text; /* below 0: only a negative fraction, which cannot be */
    }
    return text;
}

int assay_rubric_load_buffer(const char *buf, size_t len, const char *source,
                             const assay_limits *limits, assay_rubric **out, assay_diags *diags)
{
    static const char *const keys[] = {"$schema",      "assay",       "id",       "version",
                                       "title",        "description", "settings", "scale",
                                       "competencies", "items",       "feedback", NULL};
    ld_loader L;
    memset(&L, 0, sizeof(L));
    L.rep.buf = buf;
    L.rep.len = len;
    L.rep.source = source ? source : "<rubric>";
    L.rep.diags = diags;
    L.lim = limits ? *limits : assay_limits_default();

    if (buf == NULL || out == NULL) {
        return ASSAY_E_ARG;
    }
    json_t *root = NULL;
    int prc = assay__doc_parse(&L.rep, L.lim.max_rubric_bytes, "rubric", &root);
    if (prc != 0) {
        return prc;
    }

    ld_path p;
    memset(&p, 0, sizeof(p));
    if (!json_is_object(root)) {
        assay__report(&L.rep, &p, NULL, false, ASSAY_E_INVALID,
                      "a rubric must be a JSON object, not %s", assay__get_type_name(root));
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

    assay__get_only_keys(&L.rep, root, &p, keys, "the rubric");
    json_t *fmt = json_object_get(root, "assay");
    if (fmt == NULL) {
        assay__report(&L.rep, &p, "assay", false, ASSAY_E_INVALID,
                      "missing required key \"assay\" (the format version: 1)");
    } else if (json_is_integer(fmt) && json_integer_value(fmt) != ASSAY_RUBRIC_FORMAT) {
        char text[48];
        const char *src = assay__report_source(&L.rep, &p, "assay", text, sizeof(text));
        assay__report(&L.rep, &p, "assay", false, ASSAY_E_INVALID,
                      "unsupported rubric format: \"assay\" must be %d, not %s",
                      ASSAY_RUBRIC_FORMAT, src ? src : "another number");
    } else if (!json_is_integer(fmt)) {
        char text[48];
        const char *src = json_is_number(fmt)
                              ? assay__report_source(&L.rep, &p, "assay", text, sizeof(text))
                              : NULL;
        assay__report(&L.rep, &p, "assay", false, ASSAY_E_INVALID,
                      "\"assay\" must be the integer %d (the format version), not %s",
                      ASSAY_RUBRIC_FORMAT, src ? src : assay__get_type_name(fmt));
    }
    r->id = ld_strdup(&L, assay__get_id(&L.rep, root, "id", &p, LD_ID_MAX));
    r->version = ld_strdup(&L, assay__get_id(&L.rep, root, "version", &p, LD_VERSION_MAX));
    r->title = ld_strdup(&L, assay__get_string(&L.rep, root, "title", &p, true));
    r->description = ld_strdup(&L, assay__get_string(&L.rep, root, "description", &p, false));
    assay__load_settings(&L, root, &p);
    json_t *sc = assay__get_object(&L.rep, root, "scale", &p, true);
    if (sc) {
        size_t sp = assay__path_key(&p, "scale");
        assay__load_scale(&L, sc, &p, &r->scale);
        assay__path_pop(&p, sp);
    }
    assay__load_feedback(&L, root, &p);
    assay__load_competencies(&L, root, &p);
    assay__warn_competency_ids(&L, &p);
    assay__load_items(&L, root, &p);
    /* Only on an otherwise clean rubric: a broken check or a duplicate id elsewhere makes
     * "unused" a consequence, not a problem of its own. */
    for (size_t i = 0; i < r->ncomps && L.comp_uses && L.rep.errors == 0; i++) {
        if (L.comp_uses[i] == 0 && r->comps[i].id) {
            ld_path cp = p;
            assay__path_key(&cp, "competencies");
            assay__path_index(&cp, i);
            assay__report(&L.rep, &cp, "id", false, ASSAY_E_INVALID,
                          "competency \"%s\" is declared but no check is evidence for it",
                          r->comps[i].id);
        }
    }
    assay__report_finish(&L.rep);
    if (L.rep.errors == 0 && assay__doc_sha256(root, r->sha256) != 0) {
        assay__report_count(&L.rep, ASSAY_E_NOMEM);
    }

    json_decref(L.check_ids);
    json_decref(L.comp_index);
    free(L.comp_uses);
    json_decref(root);
    if (L.rep.errors > 0) {
        assay_rubric_destroy(r);
        if (L.rep.nomem) {
            return ASSAY_E_NOMEM;
        }
        return L.rep.first_code ? L.rep.first_code : ASSAY_E_INVALID;
    }
    *out = r;
    return 0;
}

int assay_rubric_load_file(const char *path_name, const assay_limits *limits,
                           assay_rubric **out, assay_diags *diags)
{
    assay_limits lim = limits ? *limits : assay_limits_default();
    char *buf = NULL;
    size_t len = 0;
    int rc = assay__doc_read_file(path_name, lim.max_rubric_bytes, "rubric", &buf, &len, diags);
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
