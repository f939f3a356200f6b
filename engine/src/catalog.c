/*
 * catalog.c - the set of rubrics a grader serves, and grading raw submission bytes against
 * it: size limit, JSON and UTF-8 checks, finding the rubric the submission names.
 *
 * A catalog is built once (or rebuilt whole on a reload) and then only read, so threads may
 * share it. Lookups are linear: catalogs hold tens to hundreds of rubrics and a lookup costs
 * far less than parsing the submission.
 */
#include "rubric.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"

json_t *assay__error_result(const json_t *sub, const assay_rubric *r, const char *code,
                            const assay_grade_options *opts, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Oversized submissions up to this size are still parsed for their id. */
#define TOO_LARGE_PARSE_MAX ((size_t)64 << 20)

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

/* Compares versions as dotted numbers ("1.10.0" > "1.9.2"), then as strings. */
static int version_cmp(const char *a, const char *b)
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
        } else if (best == NULL || version_cmp(r->version, best->version) > 0) {
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

json_t *assay_grade_buffer(const assay_catalog *c, const char *buf, size_t len,
                           assay_scratch *s, const assay_grade_options *opts)
{
    assay_limits deflim = assay_limits_default();
    const assay_limits *lim = opts && opts->limits ? opts->limits : &deflim;
    if (len > lim->max_submission_bytes) {
        /* Not graded, but answered with its id when it has one, so the LMS can match the
         * answer: parsing is bounded (jansson is linear), grading is what the limit spares. */
        json_t *big = len <= TOO_LARGE_PARSE_MAX ? json_loadb(buf, len, 0, NULL) : NULL;
        json_t *res = assay__error_result(big, NULL, ASSAY_RESULT_TOO_LARGE, opts,
                                          "the submission is %zu bytes, more than the limit "
                                          "of %zu",
                                          len, lim->max_submission_bytes);
        json_decref(big);
        return res;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        return assay__error_result(NULL, NULL, ASSAY_RESULT_MALFORMED_JSON, opts,
                                   "the submission starts with a UTF-8 byte order mark (BOM): "
                                   "send the JSON without it");
    }
    json_error_t je;
    /* Any JSON value is read, so a scalar is reported as "not an object" rather than as
     * malformed; NUL is allowed inside strings and judged where it matters (an answer with
     * one is an invalid answer, an id with one a wrong type). */
    json_t *sub =
        json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (sub == NULL) {
        if (json_error_code(&je) == json_error_invalid_utf8) {
            return assay__error_result(NULL, NULL, ASSAY_RESULT_INVALID_UTF8, opts,
                                       "the submission is not valid UTF-8 (byte %d): %s",
                                       je.position, je.text);
        }
        return assay__error_result(NULL, NULL, ASSAY_RESULT_MALFORMED_JSON, opts,
                                   "the submission is not valid JSON: %s at line %d, column %d",
                                   je.text, je.line, je.column);
    }
    json_t *res;
    const assay_rubric *r = NULL;
    if (json_is_object(sub)) {
        json_t *rid = json_object_get(sub, "rubric");
        json_t *ver = json_object_get(sub, "rubric_version");
        if (json_is_string(rid)) {
            r = assay_catalog_find(c, json_string_value(rid),
                                   json_is_string(ver) ? json_string_value(ver) : NULL);
            if (r == NULL && json_is_string(ver) &&
                assay_catalog_find(c, json_string_value(rid), NULL)) {
                /* The rubric exists, but not that version: say which are loaded. */
                r = assay_catalog_find(c, json_string_value(rid), NULL);
            }
        }
    }
    res = assay_grade_json(r, sub, s, opts);
    json_decref(sub);
    return res;
}
