/*
 * report.c - how a rubric load reports problems: the JSON pointer of the value being read
 * (a stack the loader pushes keys and indexes on) and the diagnostics of one load (each
 * problem placed in the text by locate.c, counted, and listed up to LD_MAX_DIAGS).
 *
 * It knows nothing of the rubric format: the loader (load.h) and the getters (getters.h)
 * decide what is a problem.
 */
#include "report.h"

#include "error.h"
#include "locate.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Appends "/" and the key, escaped (RFC 6901), whole or not at all. */
size_t assay__path_key(ld_path *p, const char *key)
{
    size_t old = p->n, need = 1;
    for (const char *k = key; *k; k++) {
        need += (*k == '~' || *k == '/') ? 2 : 1;
    }
    if (p->over > 0 || p->n + need >= sizeof(p->s)) {
        p->over++;
        return LD_PUSH_REFUSED;
    }
    p->s[p->n++] = '/';
    for (const char *k = key; *k; k++) {
        if (*k == '~' || *k == '/') {
            p->s[p->n++] = '~';
            p->s[p->n++] = *k == '~' ? '0' : '1';
        } else {
            p->s[p->n++] = *k;
        }
    }
    p->s[p->n] = '\0';
    return old;
}

size_t assay__path_index(ld_path *p, size_t i)
{
    char tok[32];
    int k = snprintf(tok, sizeof(tok), "/%zu", i);
    if (p->over > 0 || p->n + (size_t)k >= sizeof(p->s)) {
        p->over++;
        return LD_PUSH_REFUSED;
    }
    size_t old = p->n;
    memcpy(p->s + p->n, tok, (size_t)k + 1);
    p->n += (size_t)k;
    return old;
}

void assay__path_pop(ld_path *p, size_t old)
{
    if (old == LD_PUSH_REFUSED) {
        p->over--;
        return;
    }
    p->n = old;
    p->s[old] = '\0';
}

const char *assay__report_source(const ld_report *R, const ld_path *p, const char *key,
                                 char *out, size_t size)
{
    ld_path full = *p;
    if (key) {
        assay__path_key(&full, key);
    }
    size_t start, end;
    if (size < 8 || full.over > 0 ||
        assay__locate_span(R->buf, R->len, full.s, &start, &end) != 0) {
        return NULL;
    }
    size_t n = end - start;
    if (n < size) {
        memcpy(out, R->buf + start, n);
        out[n] = '\0';
        return out;
    }
    n = size - 4;
    while (n > 0 && ((unsigned char)R->buf[start + n] & 0xC0) == 0x80) {
        n--; /* not inside a UTF-8 character */
    }
    memcpy(out, R->buf + start, n);
    memcpy(out + n, "...", 4);
    return out;
}

void assay__report_count(ld_report *R, int code)
{
    R->errors++;
    if (code == ASSAY_E_NOMEM) {
        R->nomem = true;
    }
    if (R->first_code == 0) {
        R->first_code = code;
    }
}

static void vreport_at(ld_report *R, const char *pointer, bool have_offset, size_t offset,
                       int code, int severity, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

/* Adds one diagnostic at pointer, placed at offset when have_offset, and counts it: an
 * error in R->errors, a warning (code 0) in R->warnings. */
static void vreport_at(ld_report *R, const char *pointer, bool have_offset, size_t offset,
                       int code, int severity, const char *fmt, va_list ap)
{
    assay_diag g;
    memset(&g, 0, sizeof(g));
    g.code = code;
    g.severity = severity;
    snprintf(g.source, sizeof(g.source), "%s", R->source);
    if (strlen(pointer) < sizeof(g.pointer)) {
        snprintf(g.pointer, sizeof(g.pointer), "%s", pointer);
    } else {
        snprintf(g.pointer, sizeof(g.pointer), "%.*s...", (int)sizeof(g.pointer) - 4, pointer);
    }
    vsnprintf(g.message, sizeof(g.message), fmt, ap);
    assay__utf8_scrub(g.pointer);
    assay__utf8_scrub(g.message);
    if (have_offset) {
        g.offset = offset;
        assay__line_col(R->buf, R->len, offset, &g.line, &g.column);
    }
    assay__diags_add(R->diags, &g);
    R->listed++;
    if (severity == ASSAY_SEVERITY_WARNING) {
        R->warnings++;
    } else {
        assay__report_count(R, code);
    }
}

bool assay__report_unlisted(ld_report *R, int code)
{
    if (R->listed < LD_MAX_DIAGS) {
        return false;
    }
    assay__report_count(R, code);
    R->unlisted++;
    return true;
}

/* Whether a warning goes unlisted (LD_MAX_DIAGS are listed already); counts it then. */
static bool warning_unlisted(ld_report *R)
{
    if (R->listed < LD_MAX_DIAGS) {
        return false;
    }
    R->warnings++;
    R->unlisted++;
    return true;
}

/* Where p (plus key) is in the text: the value or key, else the nearest existing ancestor. */
static bool place(const ld_report *R, const ld_path *p, const char *key, bool at_key,
                  ld_path *full, size_t *off)
{
    *full = *p;
    if (key) {
        assay__path_key(full, key);
    }
    /* A pointer too long to hold (full->over) is its deepest ancestor's. */
    return assay__locate(R->buf, R->len, full->s, at_key, off) == 0 ||
           assay__locate(R->buf, R->len, p->s, false, off) == 0;
}

void assay__report(ld_report *R, const ld_path *p, const char *key, bool at_key, int code,
                   const char *fmt, ...)
{
    if (assay__report_unlisted(R, code)) {
        return;
    }
    ld_path full;
    size_t off = 0;
    bool found = place(R, p, key, at_key, &full, &off);
    va_list ap;
    va_start(ap, fmt);
    vreport_at(R, full.s, found, off, code, ASSAY_SEVERITY_ERROR, fmt, ap);
    va_end(ap);
}

void assay__report_at(ld_report *R, const char *pointer, size_t offset, int code,
                      const char *fmt, ...)
{
    if (assay__report_unlisted(R, code)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vreport_at(R, pointer, true, offset, code, ASSAY_SEVERITY_ERROR, fmt, ap);
    va_end(ap);
}

void assay__report_plain(ld_report *R, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport_at(R, "", false, 0, code, ASSAY_SEVERITY_ERROR, fmt, ap);
    va_end(ap);
}

void assay__report_warning(ld_report *R, const ld_path *p, const char *key, bool at_key,
                           const char *fmt, ...)
{
    if (warning_unlisted(R)) {
        return;
    }
    ld_path full;
    size_t off = 0;
    bool found = place(R, p, key, at_key, &full, &off);
    va_list ap;
    va_start(ap, fmt);
    vreport_at(R, full.s, found, off, ASSAY_E_OK, ASSAY_SEVERITY_WARNING, fmt, ap);
    va_end(ap);
}

void assay__report_warning_at(ld_report *R, const char *pointer, size_t offset, const char *fmt,
                              ...)
{
    if (warning_unlisted(R)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vreport_at(R, pointer, true, offset, ASSAY_E_OK, ASSAY_SEVERITY_WARNING, fmt, ap);
    va_end(ap);
}

void assay__report_finish(ld_report *R)
{
    if (R->unlisted == 0) {
        return;
    }
    assay_diag g;
    memset(&g, 0, sizeof(g));
    g.code = R->errors > 0 ? ASSAY_E_INVALID : ASSAY_E_OK;
    g.severity = R->errors > 0 ? ASSAY_SEVERITY_ERROR : ASSAY_SEVERITY_WARNING;
    snprintf(g.source, sizeof(g.source), "%s", R->source);
    snprintf(g.message, sizeof(g.message),
             "%zu more problems are not listed (the first %d are)", R->unlisted, LD_MAX_DIAGS);
    assay__utf8_scrub(g.source);
    assay__diags_add(R->diags, &g);
}
