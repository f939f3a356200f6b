/*
 * catalog.c - the set of rubrics a grader serves: adding, loading a directory, finding a
 * rubric by id and version (the newest when no version is named).
 *
 * A catalog is built once (or rebuilt whole on a reload) and then only read, so threads may
 * share it. Lookups are linear: catalogs hold tens to hundreds of rubrics and a lookup costs
 * far less than parsing the submission.
 */
#include "rubric.h"

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
    free(c);
}

int assay_catalog_add(assay_catalog *c, assay_rubric *r)
{
    if (c == NULL || r == NULL) {
        return ASSAY_E_ARG;
    }
    if (assay_catalog_find(c, r->id, r->version)) {
        return ASSAY_E_DUPLICATE;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        assay_rubric **v = realloc(c->v, cap * sizeof(*v));
        if (v == NULL) {
            return ASSAY_E_NOMEM;
        }
        c->v = v;
        c->cap = cap;
    }
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
    for (size_t i = 0; c && id && i < c->n; i++) {
        const assay_rubric *r = c->v[i];
        if (strcmp(r->id, id) != 0) {
            continue;
        }
        if (version) {
            if (strcmp(r->version, version) == 0) {
                return r;
            }
        } else if (best == NULL || assay__rubric_version_cmp(r->version, best->version) > 0) {
            best = r;
        }
    }
    return best;
}

size_t assay_catalog_count(const assay_catalog *c)
{
    return c ? c->n : 0;
}

const assay_rubric *assay_catalog_get(const assay_catalog *c, size_t i)
{
    return (c && i < c->n) ? c->v[i] : NULL;
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
    int loaded = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        assay_rubric *r = NULL;
        int lrc = assay_rubric_load_file(path, limits, &r, diags);
        if (lrc == 0) {
            lrc = assay_catalog_add(c, r);
            if (lrc == ASSAY_E_DUPLICATE) {
                dir_error(diags, path, lrc,
                          "rubric \"%s\" version \"%s\" is already loaded from another file",
                          r->id, r->version);
            }
            if (lrc != 0) {
                assay_rubric_destroy(r);
            }
        }
        if (lrc == 0) {
            loaded++;
        } else {
            failed++;
            if (rc == 0) {
                rc = lrc;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    (void)failed;
    return rc < 0 ? rc : loaded;
}
