/*
 * error.c - error codes, their names and sentences, the diagnostics list, and the `why`
 * messages of functions that explain a refusal in a caller's buffer.
 *
 * The diagnostics list is a growable array of assay_diag owned by the caller. It does not
 * locate errors in text (see locate.c) or print anything.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct assay_diags {
    assay_diag *v;
    size_t n, cap;
};

const char *assay_strerror(int code)
{
    switch (code) {
#define ASSAY_STRERROR_CASE_(name, value, msg)                                                 \
    case value:                                                                                \
        return msg;
        ASSAY_ERRNO_MAP(ASSAY_STRERROR_CASE_)
#undef ASSAY_STRERROR_CASE_
    default:
        return "unknown error";
    }
}

const char *assay_err_name(int code)
{
    switch (code) {
#define ASSAY_ERRNAME_CASE_(name, value, msg)                                                  \
    case value:                                                                                \
        return #name;
        ASSAY_ERRNO_MAP(ASSAY_ERRNAME_CASE_)
#undef ASSAY_ERRNAME_CASE_
    default:
        return "UNKNOWN";
    }
}

const char *assay_version(void)
{
    return ASSAY_VERSION_STRING;
}

assay_diags *assay_diags_create(void)
{
    return calloc(1, sizeof(assay_diags));
}

void assay_diags_destroy(assay_diags *d)
{
    if (d == NULL) {
        return;
    }
    free(d->v);
    free(d);
}

size_t assay_diags_count(const assay_diags *d)
{
    return d ? d->n : 0;
}

const assay_diag *assay_diags_get(const assay_diags *d, size_t i)
{
    return (d && i < d->n) ? &d->v[i] : NULL;
}

size_t assay_diags_warnings(const assay_diags *d)
{
    size_t n = 0;
    for (size_t i = 0; d && i < d->n; i++) {
        n += d->v[i].severity == ASSAY_SEVERITY_WARNING;
    }
    return n;
}

void assay_diags_clear(assay_diags *d)
{
    if (d) {
        d->n = 0;
    }
}

void assay__diags_add(assay_diags *d, const assay_diag *diag)
{
    if (d == NULL) {
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        assay_diag *v = realloc(d->v, cap * sizeof(*v));
        if (v == NULL) {
            return;
        }
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n++] = *diag;
}

int assay_diag_format(const assay_diag *g, char *buf, size_t size)
{
    char where[300] = "";
    if (g->line > 0) {
        snprintf(where, sizeof(where), "%s:%d:%d", g->source, g->line, g->column);
    } else {
        snprintf(where, sizeof(where), "%s", g->source);
    }
    const char *what = g->severity == ASSAY_SEVERITY_WARNING ? "warning" : "error";
    if (g->pointer[0] != '\0') {
        return snprintf(buf, size, "%s: %s: %s (at %s)", where, what, g->message, g->pointer);
    }
    return snprintf(buf, size, "%s: %s: %s", where, what, g->message);
}

void assay__whyf(char *why, size_t whylen, const char *fmt, ...)
{
    if (why == NULL || whylen == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}
