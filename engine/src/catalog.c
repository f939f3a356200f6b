/*
 * catalog.c - the documents a grader serves: rubrics and credential definitions. Adding,
 * loading a directory (each file by its kind: rubrics first, then the definitions, which are
 * checked against them), finding a rubric or a definition by id and version (the newest
 * when no version is named), and the competencies of a framework.
 *
 * A catalog is built once (or rebuilt whole on a reload) and then only read, so threads may
 * share it. Lookups are linear: catalogs hold tens to hundreds of rubrics and a lookup costs
 * far less than parsing the submission.
 */
#include "rubric.h"

#include "credential_def.h"
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

const rb_competency *assay__catalog_framework(const assay_catalog *c, const char *framework,
                                              size_t *n)
{
    const assay_rubric *r = NULL;
    if (framework &&
        strncmp(framework, ASSAY__RUBRIC_FRAMEWORK, strlen(ASSAY__RUBRIC_FRAMEWORK)) == 0) {
        r = assay_catalog_find(c, framework + strlen(ASSAY__RUBRIC_FRAMEWORK), NULL);
    }
    *n = r ? r->ncomps : 0;
    return r ? r->comps : NULL;
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
 * The first pass over a directory's file at path: a JSON Schema is skipped (1), a credential
 * definition deferred to the second pass (1, *deferred set), anything else loaded as a
 * rubric (0 or its error; the rubric loader reports a file that is no rubric).
 */
static int load_first(assay_catalog *c, const char *path, const assay_limits *lim,
                      bool *deferred, assay_diags *diags)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = assay__doc_read_file(path, lim->max_rubric_bytes, "rubric", &buf, &len, diags);
    if (rc != 0) {
        return rc;
    }
    json_t *doc = json_loadb(buf, len, 0, NULL);
    doc_kind kind = assay__doc_kind(doc);
    json_decref(doc);
    if (kind == DOC_SCHEMA || kind == DOC_CREDENTIAL) {
        *deferred = kind == DOC_CREDENTIAL;
        free(buf);
        return 1;
    }
    assay_rubric *r = NULL;
    rc = assay_rubric_load_buffer(buf, len, path, lim, &r, diags);
    free(buf);
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

/* The second pass: a credential definition, checked against the rubrics loaded. */
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

int assay_catalog_load_dir(assay_catalog *c, const char *dir, const assay_limits *limits,
                           assay_diags *diags)
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
    /* Rubrics (and the files that are not definitions, which the rubric loader reports)
     * first; then the definitions, checked against what was loaded. */
    assay_limits lim = limits ? *limits : assay_limits_default();
    bool *deferred = n ? calloc(n, sizeof(bool)) : NULL;
    int loaded = 0;
    size_t nload = n; /* none when out of memory; every name is freed all the same */
    if (n && deferred == NULL) {
        rc = ASSAY_E_NOMEM;
        nload = 0;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < nload; i++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            struct stat st;
            if ((pass == 1) != deferred[i] || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
                continue;
            }
            int lrc = pass == 0 ? load_first(c, path, &lim, &deferred[i], diags)
                                : load_definition(c, path, diags);
            if (lrc > 0) {
                continue; /* skipped, or deferred to the second pass */
            }
            if (lrc == 0) {
                loaded++;
            } else if (rc == 0) {
                rc = lrc;
            }
        }
    }
    free(deferred);
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return rc < 0 ? rc : loaded;
}
