/*
 * catalog.c - the documents a grader serves: competency frameworks, rubrics and credential
 * definitions. Adding, loading a directory (each file by its kind: frameworks first, then
 * the rubrics, which may name them, then the definitions, which are checked against both),
 * finding a framework, a rubric or a definition by id and version (the newest when no
 * version is named), and the competencies of a framework.
 *
 * A catalog is built once (or rebuilt whole on a reload) and then only read, so threads may
 * share it. Lookups are linear: catalogs hold tens to hundreds of rubrics and a lookup costs
 * far less than parsing the submission.
 */
#include "rubric.h"

#include "credential_def.h"
#include "framework.h"
#include "document.h"
#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct assay_catalog {
    assay_rubric **v;
    size_t n, cap;
    assay_credential_def **defs;
    size_t ndefs, defcap;
    assay_framework **fws;
    size_t nfws, fwcap;
};

assay_catalog *assay_catalog_create(void)
{
    return calloc(1, sizeof(assay_catalog));
}

void assay_catalog_destroy(assay_catalog *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        assay_rubric_destroy(c->v[i]);
    }
    free(c->v);
    for (size_t i = 0; i < c->ndefs; i++) {
        assay_credential_def_destroy(c->defs[i]);
    }
    free(c->defs);
    for (size_t i = 0; i < c->nfws; i++) {
        assay_framework_destroy(c->fws[i]);
    }
    free(c->fws);
    free(c);
}

/* The array v of n elements of elem bytes with room for one more: v itself, or v moved to
 * a larger block with *cap updated; NULL when out of memory (v is then unchanged). */
static void *room(void *v, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap) {
        return v;
    }
    size_t nc = *cap ? *cap * 2 : 16;
    void *nv = realloc(v, nc * elem);
    if (nv) {
        *cap = nc;
    }
    return nv;
}

/* Whether a document of version have is the one a lookup wants: version want exactly
 * (*exact set), or, without want, newer than the best found so far (NULL: none yet). */
static bool wanted(const char *have, const char *want, const char *best, bool *exact)
{
    if (want) {
        return (*exact = strcmp(have, want) == 0);
    }
    return best == NULL || assay__rubric_version_cmp(have, best) > 0;
}

int assay_catalog_add(assay_catalog *c, assay_rubric *r)
{
    if (c == NULL || r == NULL) {
        return ASSAY_E_ARG;
    }
    if (assay_catalog_find(c, r->id, r->version)) {
        return ASSAY_E_DUPLICATE;
    }
    assay_rubric **v = room(c->v, c->n, &c->cap, sizeof(*v));
    if (v == NULL) {
        return ASSAY_E_NOMEM;
    }
    c->v = v;
    c->v[c->n++] = r;
    return 0;
}

int assay__rubric_version_cmp(const char *a, const char *b)
{
    const char *p = a, *q = b;
    while (*p && *q) {
        char *pe, *qe;
        unsigned long x = strtoul(p, &pe, 10), y = strtoul(q, &qe, 10);
        if (pe == p || qe == q) {
            break;
        }
        if (x != y) {
            return x < y ? -1 : 1;
        }
        p = pe;
        q = qe;
        if (*p == '.' && *q == '.') {
            p++;
            q++;
        } else {
            break;
        }
    }
    return strcmp(a, b);
}

const assay_rubric *assay_catalog_find(const assay_catalog *c, const char *id,
                                       const char *version)
{
    const assay_rubric *best = NULL;
    bool exact = false;
    for (size_t i = 0; c && id && i < c->n && !exact; i++) {
        const assay_rubric *r = c->v[i];
        if (strcmp(r->id, id) == 0 &&
            wanted(r->version, version, best ? best->version : NULL, &exact)) {
            best = r;
        }
    }
    return best;
}

int assay_version_cmp(const char *a, const char *b)
{
    return assay__rubric_version_cmp(a, b);
}

size_t assay_catalog_count(const assay_catalog *c)
{
    return c ? c->n : 0;
}

const assay_rubric *assay_catalog_get(const assay_catalog *c, size_t i)
{
    return (c && i < c->n) ? c->v[i] : NULL;
}

int assay_catalog_add_credential(assay_catalog *c, assay_credential_def *d)
{
    if (c == NULL || d == NULL) {
        return ASSAY_E_ARG;
    }
    if (assay_catalog_find_credential(c, d->info.id, d->info.version)) {
        return ASSAY_E_DUPLICATE;
    }
    assay_credential_def **v = room(c->defs, c->ndefs, &c->defcap, sizeof(*v));
    if (v == NULL) {
        return ASSAY_E_NOMEM;
    }
    c->defs = v;
    c->defs[c->ndefs++] = d;
    return 0;
}

size_t assay_catalog_credential_count(const assay_catalog *c)
{
    return c ? c->ndefs : 0;
}

const assay_credential_def *assay_catalog_credential_get(const assay_catalog *c, size_t i)
{
    return (c && i < c->ndefs) ? c->defs[i] : NULL;
}

const assay_credential_def *assay_catalog_find_credential(const assay_catalog *c,
                                                          const char *id, const char *version)
{
    const assay_credential_def *best = NULL;
    bool exact = false;
    for (size_t i = 0; c && id && i < c->ndefs && !exact; i++) {
        const assay_credential_info *d = &c->defs[i]->info;
        if (strcmp(d->id, id) == 0 &&
            wanted(d->version, version, best ? best->info.version : NULL, &exact)) {
            best = c->defs[i];
        }
    }
    return best;
}

int assay_catalog_add_framework(assay_catalog *c, assay_framework *f)
{
    if (c == NULL || f == NULL) {
        return ASSAY_E_ARG;
    }
    if (assay_catalog_find_framework(c, f->id, f->version)) {
        return ASSAY_E_DUPLICATE;
    }
    assay_framework **v = room(c->fws, c->nfws, &c->fwcap, sizeof(*v));
    if (v == NULL) {
        return ASSAY_E_NOMEM;
    }
    c->fws = v;
    c->fws[c->nfws++] = f;
    return 0;
}

const assay_framework *assay_catalog_find_framework(const assay_catalog *c, const char *id,
                                                    const char *version)
{
    const assay_framework *best = NULL;
    bool exact = false;
    for (size_t i = 0; c && id && i < c->nfws && !exact; i++) {
        const assay_framework *f = c->fws[i];
        if (strcmp(f->id, id) == 0 &&
            wanted(f->version, version, best ? best->version : NULL, &exact)) {
            best = f;
        }
    }
    return best;
}

size_t assay_catalog_framework_count(const assay_catalog *c)
{
    return c ? c->nfws : 0;
}

const char *assay__catalog_nearest_framework(const assay_catalog *c, const char *id)
{
    size_t n = c ? c->nfws : 0;
    const char **ids = calloc(n + 1, sizeof(*ids));
    const char *near = NULL;
    if (ids) {
        for (size_t i = 0; i < n; i++) {
            ids[i] = c->fws[i]->id;
        }
        near = assay__nearest_id(id, ids, n);
    }
    free(ids);
    return near;
}

const rb_competency *assay__catalog_framework(const assay_catalog *c, const char *framework,
                                              size_t *n)
{
    const assay_rubric *r = NULL;
    const assay_framework *f = NULL;
    if (framework &&
        strncmp(framework, ASSAY__RUBRIC_FRAMEWORK, strlen(ASSAY__RUBRIC_FRAMEWORK)) == 0) {
        r = assay_catalog_find(c, framework + strlen(ASSAY__RUBRIC_FRAMEWORK), NULL);
        /* A rubric that names a framework has no competencies of its own. */
        if (r && r->ncomps > 0 && strcmp(r->comps[0].framework, framework) != 0) {
            r = NULL;
        }
    } else {
        f = assay_catalog_find_framework(c, framework, NULL);
    }
    *n = r ? r->ncomps : f ? f->ncomps : 0;
    return r ? r->comps : f ? f->comps : NULL;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dir_error(assay_diags *diags, const char *source, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void dir_error(assay_diags *diags, const char *source, int code, const char *fmt, ...)
{
    assay_diag g;
    memset(&g, 0, sizeof(g));
    g.code = code;
    snprintf(g.source, sizeof(g.source), "%s", source);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g.message, sizeof(g.message), fmt, ap);
    va_end(ap);
    assay__diags_add(diags, &g);
}

/*
 * The first pass over a directory's file at path: its kind into *kind; a framework is
 * loaded (0 or its error), anything else left to the later passes (1). A file that cannot
 * be read is reported (unless quiet: only frameworks are wanted) and *kind is DOC_SCHEMA,
 * which no pass loads; one that is not JSON is DOC_UNKNOWN, which the rubric loader
 * reports.
 */
static int load_first(assay_catalog *c, const char *path, const assay_limits *lim, bool quiet,
                      doc_kind *kind, assay_diags *diags)
{
    char *buf = NULL;
    size_t len = 0;
    *kind = DOC_SCHEMA;
    int rc = assay__doc_read_file(path, lim->max_rubric_bytes, "rubric", &buf, &len,
                                  quiet ? NULL : diags);
    if (rc != 0) {
        return quiet ? 1 : rc;
    }
    json_t *doc = json_loadb(buf, len, 0, NULL);
    *kind = assay__doc_kind(doc);
    json_decref(doc);
    if (*kind != DOC_FRAMEWORK) {
        free(buf);
        return 1;
    }
    assay_framework *f = NULL;
    rc = assay_framework_load_buffer(buf, len, path, lim, &f, diags);
    free(buf);
    if (rc == 0 && (rc = assay_catalog_add_framework(c, f)) == ASSAY_E_DUPLICATE) {
        dir_error(diags, path, rc,
                  "framework \"%s\" version \"%s\" is already loaded from another file", f->id,
                  f->version);
    }
    if (rc != 0) {
        assay_framework_destroy(f);
    }
    return rc;
}

/* The second pass: a rubric (or a file of no known kind, which the rubric loader reports),
 * resolved against the frameworks loaded. */
static int load_rubric(assay_catalog *c, const char *path, const assay_limits *lim,
                       assay_diags *diags)
{
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_file_in(c, path, lim, &r, diags);
    if (rc == 0 && (rc = assay_catalog_add(c, r)) == ASSAY_E_DUPLICATE) {
        dir_error(diags, path, rc,
                  "rubric \"%s\" version \"%s\" is already loaded from another file", r->id,
                  r->version);
    }
    if (rc != 0) {
        assay_rubric_destroy(r);
    }
    return rc;
}

/* The third pass: a credential definition, checked against the frameworks and rubrics. */
static int load_definition(assay_catalog *c, const char *path, assay_diags *diags)
{
    assay_credential_def *d = NULL;
    int rc = assay_credential_def_load_file(path, c, &d, diags);
    if (rc == 0 && (rc = assay_catalog_add_credential(c, d)) == ASSAY_E_DUPLICATE) {
        dir_error(diags, path, rc,
                  "credential \"%s\" version \"%s\" is already loaded from another file",
                  d->info.id, d->info.version);
    }
    if (rc != 0) {
        assay_credential_def_destroy(d);
    }
    return rc;
}

/* Loads the *.json files of dir in name order, by kind in passes (frameworks, rubrics,
 * definitions); npasses 1: the frameworks only. @return as assay_catalog_load_dir. */
static int load_passes(assay_catalog *c, const char *dir, const assay_limits *limits,
                       int npasses, assay_diags *diags)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        dir_error(diags, dir, ASSAY_E_IO, "cannot open rubric directory: %s", strerror(errno));
        return ASSAY_E_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.' ||
            strcmp(e->d_name, "schema.json") == 0) {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof(*nn));
            if (nn == NULL) {
                rc = ASSAY_E_NOMEM;
                break;
            }
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (names[n] == NULL) {
            rc = ASSAY_E_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n > 1) {
        qsort(names, n, sizeof(*names), name_cmp);
    }
    assay_limits lim = limits ? *limits : assay_limits_default();
    doc_kind *kinds = n ? calloc(n, sizeof(doc_kind)) : NULL;
    int loaded = 0;
    size_t nload = n; /* none when out of memory; every name is freed all the same */
    if (n && kinds == NULL) {
        rc = ASSAY_E_NOMEM;
        nload = 0;
    }
    for (int pass = 0; pass < npasses; pass++) {
        for (size_t i = 0; i < nload; i++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            struct stat st;
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
                continue;
            }
            int lrc = 1;
            if (pass == 0) {
                lrc = load_first(c, path, &lim, npasses == 1, &kinds[i], diags);
            } else if (pass == 1 && (kinds[i] == DOC_RUBRIC || kinds[i] == DOC_UNKNOWN)) {
                lrc = load_rubric(c, path, &lim, diags);
            } else if (pass == 2 && kinds[i] == DOC_CREDENTIAL) {
                lrc = load_definition(c, path, diags);
            }
            if (lrc > 0) {
                continue; /* skipped, or left to another pass */
            }
            if (lrc == 0) {
                loaded++;
            } else if (rc == 0) {
                rc = lrc;
            }
        }
    }
    free(kinds);
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return rc < 0 ? rc : loaded;
}

int assay_catalog_load_dir(assay_catalog *c, const char *dir, const assay_limits *limits,
                           assay_diags *diags)
{
    return load_passes(c, dir, limits, 3, diags);
}

int assay_catalog_load_frameworks(assay_catalog *c, const char *dir, const assay_limits *limits,
                                  assay_diags *diags)
{
    return load_passes(c, dir, limits, 1, diags);
}
