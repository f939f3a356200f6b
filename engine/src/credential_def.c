/*
 * credential_def.c - credential definitions (format 1, docs/credentials.md): loading one from
 * bytes or a file with every problem reported at its line, column and JSON pointer; checking
 * it against a catalog (its framework, competencies, levels and rubrics) and copying what a
 * credential needs of the competencies (names, CASE URIs, scales); the accessors. The OB 3.0
 * vocabularies and URI rule it checks with are credential_vocab.c's.
 *
 * Whether a learner's record satisfies a definition is credential_eval.c's business; the
 * credential document and its signature are the credential library's.
 */
#include "credential_def.h"

#include "credential_vocab.h"
#include "document.h"
#include "error.h"
#include "getters.h"
#include "mastery.h"
#include "rubric.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CD_ID_MAX      128
#define CD_VERSION_MAX 64

/* ---- Reading the document ---------------------------------------------------------------- */

/* One definition load: the report, the definition being built, where it is checked. */
typedef struct cd_loader {
    ld_report rep;
    assay_credential_def *d;
    const assay_catalog *cat;
} cd_loader;

/* A copy of s (or of the first n bytes when n is not SIZE_MAX) kept in the definition's
 * store; NULL for NULL or when out of memory (counted). */
static const char *keep(cd_loader *L, const char *s, size_t n)
{
    if (s == NULL) {
        return NULL;
    }
    json_t *v = n == SIZE_MAX ? json_string(s) : json_stringn(s, n);
    if (v == NULL || json_array_append_new(L->d->store, v) != 0) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return NULL;
    }
    return json_string_value(v);
}

/* A string member that must hold some text (not only white space). */
static const char *text(cd_loader *L, const json_t *obj, const char *key, const ld_path *p,
                        bool required)
{
    const char *s = assay__get_string(&L->rep, obj, key, p, required);
    if (s == NULL) {
        return NULL;
    }
    for (const char *c = s; *c; c++) {
        if (!isspace((unsigned char)*c)) {
            return s;
        }
    }
    assay__report(&L->rep, p, key, false, ASSAY_E_INVALID, "\"%s\" must not be empty", key);
    return NULL;
}

/* A string member that must be an absolute URI. */
static const char *uri(cd_loader *L, const json_t *obj, const char *key, const ld_path *p,
                       bool required)
{
    const char *s = assay__get_string(&L->rep, obj, key, p, required);
    if (s && !assay_credential_uri_ok(s)) {
        assay__report(&L->rep, p, key, false, ASSAY_E_INVALID,
                      "\"%s\" must be an absolute URI with a scheme (such as https:), without "
                      "spaces, not \"%.80s\"",
                      key, s);
        return NULL;
    }
    return s;
}

/* A string member that must be a term of an OB 3.0 vocabulary (or "ext:..."). */
static const char *term(cd_loader *L, const json_t *obj, const char *key, const ld_path *p,
                        const char *const *names, const char *vocabulary)
{
    const char *s = assay__get_string(&L->rep, obj, key, p, false);
    if (s && !assay__in_vocabulary(s, names)) {
        size_t n = 0;
        while (names[n]) {
            n++;
        }
        const char *near = assay__nearest(s, names, n);
        assay__report(
            &L->rep, p, key, false, ASSAY_E_INVALID,
            "\"%.80s\" is neither an OB 3.0 %s nor \"ext:\" and a name of your own%s%s%s", s,
            vocabulary, near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
        return NULL;
    }
    return s;
}

static void load_issuer(cd_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"id", "name", "url", "email", NULL};
    assay_credential_info *in = &L->d->info;
    json_t *o = assay__get_object(&L->rep, root, "issuer", p, true);
    if (o == NULL) {
        return;
    }
    size_t ip = assay__path_key(p, "issuer");
    assay__get_only_keys(&L->rep, o, p, keys, "the issuer");
    in->issuer_id = uri(L, o, "id", p, true);
    in->issuer_name = text(L, o, "name", p, true);
    in->issuer_url = uri(L, o, "url", p, false);
    const char *email = assay__get_string(&L->rep, o, "email", p, false);
    const char *at = email ? strchr(email, '@') : NULL;
    if (email && (at == NULL || at == email || at[1] == '\0' || strchr(email, ' '))) {
        assay__report(&L->rep, p, "email", false, ASSAY_E_INVALID,
                      "\"email\" must be an email address (name@domain), not \"%.80s\"", email);
    } else {
        in->issuer_email = email;
    }
    assay__path_pop(p, ip);
}

/* The requirements as written; their competencies are checked against the catalog later. */
static void load_requirements(cd_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"competencies", "rubrics", NULL};
    static const char *const entry_keys[] = {"id", "level", NULL};
    assay_credential_def *d = L->d;
    json_t *o = assay__get_object(&L->rep, root, "requirements", p, true);
    if (o == NULL) {
        return;
    }
    size_t rp = assay__path_key(p, "requirements");
    assay__get_only_keys(&L->rep, o, p, keys, "the requirements");
    json_t *comps = assay__get_array(&L->rep, o, "competencies", p, false);
    json_t *rubrics = assay__get_array(&L->rep, o, "rubrics", p, false);
    if (!json_object_get(o, "competencies") && !json_object_get(o, "rubrics")) {
        assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                      "the requirements name no competency and no rubric: give "
                      "\"competencies\", \"rubrics\" or both");
    }
    size_t nc = json_array_size(comps), nr = json_array_size(rubrics);
    d->reqs = calloc(nc + 1, sizeof(*d->reqs));
    d->scales = calloc(nc + 1, sizeof(*d->scales));
    d->rubrics = calloc(nr + 1, sizeof(*d->rubrics));
    json_t *seen = json_object();
    if (d->reqs == NULL || d->scales == NULL || d->rubrics == NULL || seen == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        json_decref(seen);
        assay__path_pop(p, rp);
        return;
    }
    size_t cp = assay__path_key(p, "competencies");
    for (size_t i = 0; i < nc; i++) {
        size_t ep = assay__path_index(p, i);
        json_t *e = assay__get_entry(&L->rep, comps, i, p, entry_keys, "a required competency");
        assay_credential_requirement *q = &d->reqs[d->info.nrequirements++];
        if (e) {
            q->competency =
                assay__get_unique_id(&L->rep, e, p, CD_ID_MAX, seen, i, "required competency");
            q->level = assay__get_id(&L->rep, e, "level", p, CD_ID_MAX);
        }
        assay__path_pop(p, ep);
    }
    assay__path_pop(p, cp);
    json_object_clear(seen);
    size_t up = assay__path_key(p, "rubrics");
    for (size_t i = 0; i < nr; i++) {
        json_t *v = json_array_get(rubrics, i);
        size_t ep = assay__path_index(p, i);
        const char *id = json_string_value(v);
        if (id == NULL) {
            assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                          "a required rubric must be a rubric id (a string), not %s",
                          assay__get_type_name(v));
        } else if (json_object_get(seen, id)) {
            assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                          "rubric \"%.80s\" is required twice", id);
        } else {
            json_object_set_new(seen, id, json_true());
            d->rubrics[d->info.nrubrics++] = id;
        }
        assay__path_pop(p, ep);
    }
    assay__path_pop(p, up);
    json_decref(seen);
    assay__path_pop(p, rp);
}

static void load_alignments(cd_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"target_name", "target_url",       "target_type",
                                       "target_code", "target_framework", NULL};
    assay_credential_def *d = L->d;
    json_t *arr = json_object_get(root, "alignments");
    if (arr == NULL) {
        return; /* the defaults, once the competencies are known */
    }
    if (!json_is_array(arr)) {
        assay__report(&L->rep, p, "alignments", false, ASSAY_E_INVALID,
                      "\"alignments\" must be an array, not %s", assay__get_type_name(arr));
        return;
    }
    size_t n = json_array_size(arr);
    d->aligns = calloc(n + 1, sizeof(*d->aligns));
    if (d->aligns == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    d->info.alignments = d->aligns;
    size_t ap = assay__path_key(p, "alignments");
    for (size_t i = 0; i < n; i++) {
        size_t ep = assay__path_index(p, i);
        json_t *e = assay__get_entry(&L->rep, arr, i, p, keys, "an alignment");
        if (e) {
            assay_credential_alignment *a = &d->aligns[d->info.nalignments++];
            a->target_name = text(L, e, "target_name", p, true);
            a->target_url = uri(L, e, "target_url", p, true);
            a->target_type =
                term(L, e, "target_type", p, assay__alignment_types, "AlignmentTargetType");
            a->target_code = text(L, e, "target_code", p, false);
            a->target_framework = text(L, e, "target_framework", p, false);
            if (a->target_type == NULL) {
                a->target_type = "CFItem";
            }
        }
        assay__path_pop(p, ep);
    }
    assay__path_pop(p, ap);
}

static void load_validity(cd_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"days", NULL};
    json_t *o = assay__get_object(&L->rep, root, "validity", p, false);
    if (o == NULL) {
        return;
    }
    size_t vp = assay__path_key(p, "validity");
    assay__get_only_keys(&L->rep, o, p, keys, "the validity");
    long long days;
    if (json_object_get(o, "days") == NULL) {
        assay__report(&L->rep, p, "days", false, ASSAY_E_INVALID,
                      "missing required key \"days\" (how long a credential is valid)");
    } else if (assay__get_int(&L->rep, o, "days", p, 1, ASSAY_CREDENTIAL_DAYS_MAX, &days) ==
               0) {
        L->d->info.validity_days = (unsigned)days;
    }
    assay__path_pop(p, vp);
}

/* Whether s names an environment variable: a letter or '_', then letters, digits, '_'. */
static bool env_name_ok(const char *s)
{
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_') || strlen(s) > 128) {
        return false;
    }
    for (const char *c = s; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '_') {
            return false;
        }
    }
    return true;
}

static void check_template(cd_loader *L, const char *t, const ld_path *p)
{
    const char *hole = strstr(t, "{learner}");
    if (hole == NULL) {
        assay__report(&L->rep, p, "id_template", false, ASSAY_E_INVALID,
                      "\"id_template\" must contain {learner}, where the learner's id goes "
                      "(such as \"urn:example:learner:{learner}\")");
        return;
    }
    /* The template with the hole filled must be a URI (and have no other braces). */
    size_t n = strlen(t);
    char *probe = malloc(n + 1);
    if (probe == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    size_t k = (size_t)(hole - t);
    memcpy(probe, t, k);
    probe[k] = 'x';
    memcpy(probe + k + 1, hole + 9, n - k - 9 + 1);
    if (strstr(probe, "{learner}") != NULL || !assay_credential_uri_ok(probe)) {
        assay__report(&L->rep, p, "id_template", false, ASSAY_E_INVALID,
                      "\"id_template\" must give an absolute URI with a scheme (such as "
                      "urn: or mailto:) once {learner}, which appears once, is filled in, "
                      "not \"%.80s\"",
                      t);
    } else {
        L->d->info.subject_id_template = t;
    }
    free(probe);
}

static void load_subject(cd_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"id_template", "hashed", "salt_from", "identity_type",
                                       NULL};
    assay_credential_info *in = &L->d->info;
    json_t *o = assay__get_object(&L->rep, root, "subject", p, true);
    if (o == NULL) {
        return;
    }
    size_t sp = assay__path_key(p, "subject");
    assay__get_only_keys(&L->rep, o, p, keys, "the subject");
    const char *t = assay__get_string(&L->rep, o, "id_template", p, false);
    if (t) {
        check_template(L, t, p);
    }
    in->subject_hashed = assay__get_bool(&L->rep, o, "hashed", p, false);
    const char *salt = assay__get_string(&L->rep, o, "salt_from", p, false);
    const char *type =
        term(L, o, "identity_type", p, assay__identifier_types, "IdentifierType");
    if (t == NULL && !in->subject_hashed && json_object_get(o, "hashed") == NULL) {
        assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                      "the subject names the learner neither by \"id_template\" nor hashed "
                      "(\"hashed\": true)");
    } else if (t == NULL && json_is_false(json_object_get(o, "hashed"))) {
        assay__report(&L->rep, p, "hashed", false, ASSAY_E_INVALID,
                      "with \"hashed\": false the subject needs an \"id_template\"");
    }
    if ((salt || type) && !in->subject_hashed) {
        assay__report(&L->rep, p, salt ? "salt_from" : "identity_type", false, ASSAY_E_INVALID,
                      "\"%s\" is for a hashed subject (\"hashed\": true)",
                      salt ? "salt_from" : "identity_type");
    }
    if (salt && !env_name_ok(salt)) {
        assay__report(&L->rep, p, "salt_from", false, ASSAY_E_INVALID,
                      "\"salt_from\" must name an environment variable (letters, digits and "
                      "'_', not starting with a digit), not \"%.80s\"",
                      salt);
    }
    if (in->subject_hashed) {
        in->subject_salt_from = salt ? salt : "ASSAY_SUBJECT_SALT";
        in->subject_identity_type = type ? type : "identifier";
    }
    assay__path_pop(p, sp);
}

/* ---- Checking against the catalog ------------------------------------------------------ */

/* The name among names[0..n) a mistaken key most likely meant: the nearest by spelling,
 * else the first that contains key or that key contains ("stoichiometry" for
 * "solution-stoichiometry"); NULL when none. */
static const char *suggest(const char *key, const char *const *names, size_t n)
{
    const char *near = assay__nearest(key, names, n);
    for (size_t i = 0; near == NULL && i < n; i++) {
        if (names[i] && (strstr(names[i], key) || strstr(key, names[i]))) {
            near = names[i];
        }
    }
    return near;
}

/* Reports the unknown framework at /framework, with a hint when it is close to one. */
static void unknown_framework(cd_loader *L, const char *fw, const ld_path *p)
{
    const assay_catalog *cat = L->cat;
    size_t n = assay_catalog_count(cat), pl = strlen(ASSAY__RUBRIC_FRAMEWORK);
    if (strncmp(fw, ASSAY__RUBRIC_FRAMEWORK, pl) != 0 && assay_catalog_find(cat, fw, NULL)) {
        assay__report(&L->rep, p, "framework", false, ASSAY_E_INVALID,
                      "unknown framework \"%.80s\" (did you mean \"rubric:%.80s\", the "
                      "competencies of rubric %.80s?)",
                      fw, fw, fw);
        return;
    }
    const assay_rubric *r = strncmp(fw, ASSAY__RUBRIC_FRAMEWORK, pl) == 0
                                ? assay_catalog_find(cat, fw + pl, NULL)
                                : NULL;
    if (r && r->ncomps > 0) {
        assay__report(&L->rep, p, "framework", false, ASSAY_E_INVALID,
                      "unknown framework \"%.80s\": rubric %.80s takes its competencies from "
                      "framework \"%.80s\" (did you mean \"%.80s\"?)",
                      fw, r->id, r->comps[0].framework, r->comps[0].framework);
        return;
    }
    const char *fnear = assay__catalog_nearest_framework(cat, fw);
    if (fnear) {
        assay__report(&L->rep, p, "framework", false, ASSAY_E_INVALID,
                      "unknown framework \"%.80s\" (did you mean \"%.80s\"?)", fw, fnear);
        return;
    }
    const char **ids = calloc(n + 1, sizeof(*ids));
    const char *near = NULL;
    if (ids && strncmp(fw, ASSAY__RUBRIC_FRAMEWORK, pl) == 0) {
        for (size_t i = 0; i < n; i++) {
            ids[i] = assay_rubric_id(assay_catalog_get(cat, i));
        }
        near = assay__nearest(fw + pl, ids, n);
    }
    if (near) {
        assay__report(&L->rep, p, "framework", false, ASSAY_E_INVALID,
                      "unknown framework \"%.80s\" (did you mean \"rubric:%.80s\"?)", fw, near);
    } else {
        assay__report(&L->rep, p, "framework", false, ASSAY_E_INVALID,
                      "unknown framework \"%.80s\": no framework or rubric of the catalog "
                      "defines it (a rubric's own competencies are the framework "
                      "\"rubric:<rubric id>\")",
                      fw);
    }
    free(ids);
}

/* Copies the competency's scale into the requirement's; 0, or -1 when out of memory. */
static int copy_scale(cd_loader *L, const rb_scale *sc, assay_credential_requirement *q,
                      cd_scale *out)
{
    out->levels = calloc(sc->n, sizeof(*out->levels));
    out->mins = calloc(sc->n, sizeof(*out->mins));
    if (out->levels == NULL || out->mins == NULL) {
        return -1;
    }
    for (size_t i = 0; i < sc->n; i++) {
        mpq_init(out->mins[i]);
        out->n = i + 1;
        mpq_set(out->mins[i], sc->levels[i].min);
        char *min = assay__mpq_to_text(sc->levels[i].min);
        out->levels[i].id = keep(L, sc->levels[i].id, SIZE_MAX);
        out->levels[i].name = keep(L, sc->levels[i].name, SIZE_MAX);
        out->levels[i].min = keep(L, min, SIZE_MAX);
        free(min);
        if (out->levels[i].id == NULL || out->levels[i].name == NULL ||
            out->levels[i].min == NULL) {
            return -1;
        }
    }
    out->mastery = sc->mastery;
    q->levels = out->levels;
    q->nlevels = out->n;
    return 0;
}

/* The required competency i, found in the framework's comps[0..n): its key, what it is and
 * its scale, and the required level's place on it. */
static void resolve_competency(cd_loader *L, size_t i, const rb_competency *comps, size_t n,
                               ld_path *p)
{
    assay_credential_def *d = L->d;
    assay_credential_requirement *q = &d->reqs[i];
    const char *fw = d->info.framework;
    const rb_competency *k = NULL;
    for (size_t j = 0; j < n && k == NULL; j++) {
        if (comps[j].id && strcmp(comps[j].id, q->competency) == 0) {
            k = &comps[j];
        }
    }
    if (k == NULL) {
        const char **ids = calloc(n + 1, sizeof(*ids));
        for (size_t j = 0; ids && j < n; j++) {
            ids[j] = comps[j].id;
        }
        const char *near = ids ? suggest(q->competency, ids, n) : NULL;
        assay__report(&L->rep, p, "id", false, ASSAY_E_INVALID,
                      "unknown competency \"%s\" in framework \"%.80s\"%s%s%s", q->competency,
                      fw, near ? " (did you mean \"" : "", near ? near : "",
                      near ? "\"?)" : "");
        free(ids);
        return;
    }
    size_t flen = strlen(fw), clen = strlen(q->competency);
    char *key = malloc(flen + 1 + clen + 1);
    if (key) {
        memcpy(key, fw, flen);
        key[flen] = '/';
        memcpy(key + flen + 1, q->competency, clen + 1);
    }
    q->key = keep(L, key, SIZE_MAX);
    free(key);
    q->name = keep(L, k->name, SIZE_MAX);
    q->description = keep(L, k->description, SIZE_MAX);
    q->uri = keep(L, k->ref, SIZE_MAX);
    if (q->key == NULL || copy_scale(L, k->scale, q, &d->scales[i]) != 0) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    for (size_t j = 0; q->level && j < q->nlevels; j++) {
        if (strcmp(q->levels[j].id, q->level) == 0) {
            q->level_index = j;
            return;
        }
    }
    if (q->level == NULL) {
        return;
    }
    char list[400] = "";
    size_t used = 0;
    for (size_t j = 0; j < q->nlevels && used < sizeof(list); j++) {
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", j ? ", " : "",
                                 q->levels[j].id);
    }
    assay__report(&L->rep, p, "level", false, ASSAY_E_INVALID,
                  "level \"%s\" is not on the scale of competency \"%s\" (its levels, lowest "
                  "first: %s)",
                  q->level, q->competency, list);
}

/* Checks the framework, the required competencies and levels and the required rubrics
 * against the catalog, and sets the default alignments. */
static void resolve(cd_loader *L, ld_path *p)
{
    assay_credential_def *d = L->d;
    const char *fw = d->info.framework;
    size_t n = 0;
    const rb_competency *comps = fw ? assay__catalog_framework(L->cat, fw, &n) : NULL;
    if (fw && comps == NULL) {
        unknown_framework(L, fw, p);
    }
    size_t rp = assay__path_key(p, "requirements");
    size_t cp = assay__path_key(p, "competencies");
    for (size_t i = 0; comps && i < d->info.nrequirements; i++) {
        size_t ep = assay__path_index(p, i);
        if (d->reqs[i].competency) {
            resolve_competency(L, i, comps, n, p);
        }
        assay__path_pop(p, ep);
    }
    assay__path_pop(p, cp);
    json_t *list = json_object_get(json_object_get(d->doc, "requirements"), "rubrics");
    size_t up = assay__path_key(p, "rubrics");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *id = json_string_value(json_array_get(list, i));
        bool again = false;
        for (size_t j = 0; id && j < i && !again; j++) {
            const char *prev = json_string_value(json_array_get(list, j));
            again = prev && strcmp(prev, id) == 0;
        }
        if (id == NULL || again || assay_catalog_find(L->cat, id, NULL)) {
            continue;
        }
        size_t nr = assay_catalog_count(L->cat);
        const char **ids = calloc(nr + 1, sizeof(*ids));
        for (size_t j = 0; ids && j < nr; j++) {
            ids[j] = assay_rubric_id(assay_catalog_get(L->cat, j));
        }
        const char *near = ids ? suggest(id, ids, nr) : NULL;
        size_t ep = assay__path_index(p, i);
        assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                      "required rubric \"%.80s\" is not loaded%s%s%s", id,
                      near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
        assay__path_pop(p, ep);
        free(ids);
    }
    assay__path_pop(p, up);
    assay__path_pop(p, rp);
    if (d->aligns != NULL) {
        return;
    }
    /* No "alignments": the required competencies' own CASE URIs. */
    d->aligns = calloc(d->info.nrequirements + 1, sizeof(*d->aligns));
    if (d->aligns == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    d->info.alignments = d->aligns;
    for (size_t i = 0; i < d->info.nrequirements; i++) {
        const assay_credential_requirement *q = &d->reqs[i];
        if (q->uri && assay_credential_uri_ok(q->uri)) {
            d->aligns[d->info.nalignments++] = (assay_credential_alignment){
                .target_name = q->name,
                .target_url = q->uri,
                .target_type = "CFItem",
                .target_code = q->competency,
            };
        }
    }
}

/* ---- Loading ----------------------------------------------------------------------------- */

void assay_credential_def_destroy(assay_credential_def *d)
{
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; d->scales && i < d->info.nrequirements; i++) {
        for (size_t j = 0; j < d->scales[i].n; j++) {
            mpq_clear(d->scales[i].mins[j]);
        }
        free(d->scales[i].mins);
        free(d->scales[i].levels);
    }
    free(d->scales);
    free(d->reqs);
    free(d->rubrics);
    free(d->aligns);
    json_decref(d->doc);
    json_decref(d->store);
    free(d);
}

int assay_credential_def_load_buffer(const char *buf, size_t len, const char *source,
                                     const assay_catalog *cat, assay_credential_def **out,
                                     assay_diags *diags)
{
    static const char *const keys[] = {"$schema",
                                       "assay_credential",
                                       "id",
                                       "version",
                                       "name",
                                       "description",
                                       "criteria",
                                       "image",
                                       "achievement_type",
                                       "achievement_id",
                                       "issuer",
                                       "framework",
                                       "requirements",
                                       "alignments",
                                       "validity",
                                       "subject",
                                       NULL};
    if (buf == NULL || cat == NULL || out == NULL) {
        return ASSAY_E_ARG;
    }
    cd_loader L;
    memset(&L, 0, sizeof(L));
    L.rep.buf = buf;
    L.rep.len = len;
    L.rep.source = source ? source : "<credential>";
    L.rep.diags = diags;
    L.cat = cat;
    json_t *root = NULL;
    int rc = assay__doc_parse(&L.rep, assay_limits_default().max_rubric_bytes,
                              "credential definition", &root);
    if (rc != 0) {
        return rc;
    }
    ld_path p;
    memset(&p, 0, sizeof(p));
    if (!json_is_object(root)) {
        assay__report(&L.rep, &p, NULL, false, ASSAY_E_INVALID,
                      "a credential definition must be a JSON object, not %s",
                      assay__get_type_name(root));
        json_decref(root);
        return ASSAY_E_INVALID;
    }
    assay_credential_def *d = calloc(1, sizeof(*d));
    if (d == NULL || (d->store = json_array()) == NULL) {
        free(d);
        json_decref(root);
        return ASSAY_E_NOMEM;
    }
    d->doc = root;
    L.d = d;
    assay_credential_info *in = &d->info;

    assay__get_only_keys(&L.rep, root, &p, keys, "a credential definition");
    json_t *fmt = json_object_get(root, "assay_credential");
    if (!json_is_integer(fmt) || json_integer_value(fmt) != ASSAY_CREDENTIAL_FORMAT) {
        assay__report(&L.rep, &p, "assay_credential", false, ASSAY_E_INVALID,
                      "unsupported credential definition format: \"assay_credential\" must be "
                      "%d",
                      ASSAY_CREDENTIAL_FORMAT);
    }
    in->id = assay__get_id(&L.rep, root, "id", &p, CD_ID_MAX);
    in->version = assay__get_id(&L.rep, root, "version", &p, CD_VERSION_MAX);
    in->name = text(&L, root, "name", &p, true);
    in->description = text(&L, root, "description", &p, true);
    in->criteria = text(&L, root, "criteria", &p, true);
    in->image = uri(&L, root, "image", &p, false);
    in->achievement_type =
        term(&L, root, "achievement_type", &p, assay__achievement_types, "AchievementType");
    in->achievement_id = uri(&L, root, "achievement_id", &p, false);
    load_issuer(&L, root, &p);
    in->framework = text(&L, root, "framework", &p, true);
    load_requirements(&L, root, &p);
    load_alignments(&L, root, &p);
    load_validity(&L, root, &p);
    load_subject(&L, root, &p);
    if (d->reqs) {
        resolve(&L, &p);
    }
    assay__report_finish(&L.rep);
    if (L.rep.errors == 0 && assay__doc_sha256(root, d->sha256) != 0) {
        assay__report_count(&L.rep, ASSAY_E_NOMEM);
    }
    in->source = keep(&L, L.rep.source, SIZE_MAX);
    if (L.rep.errors > 0) {
        assay_credential_def_destroy(d);
        return L.rep.first_code ? L.rep.first_code : ASSAY_E_INVALID;
    }
    in->sha256 = d->sha256;
    in->requirements = d->reqs;
    in->rubrics = d->rubrics;
    *out = d;
    return 0;
}

int assay_credential_def_load_file(const char *path, const assay_catalog *cat,
                                   assay_credential_def **out, assay_diags *diags)
{
    if (path == NULL || cat == NULL || out == NULL) {
        return ASSAY_E_ARG;
    }
    char *buf = NULL;
    size_t len = 0;
    int rc = assay__doc_read_file(path, assay_limits_default().max_rubric_bytes,
                                  "credential definition", &buf, &len, diags);
    if (rc == 0) {
        rc = assay_credential_def_load_buffer(buf, len, path, cat, out, diags);
    }
    free(buf);
    return rc;
}

const assay_credential_info *assay_credential_def_info(const assay_credential_def *d)
{
    return d ? &d->info : NULL;
}
