/*
 * report.h - how a rubric load reports problems (report.c): the JSON pointer of the value
 * being read, and the diagnostics of one load.
 *
 * The loader pushes a key or an index on an ld_path as it descends and pops it on the way
 * back. A problem is reported at a pointer (and placed in the text by locate.c) or at a byte
 * offset; an error makes the load fail, a warning (a likely authoring mistake) does not.
 * Past LD_MAX_DIAGS of them they are only counted.
 */
#ifndef ENGINE_REPORT_H
#define ENGINE_REPORT_H

#include "assay/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for the pointer of any value jansson can parse (2,048 levels) in a sane rubric. */
#define LD_PATH_BYTES 16384
/* What assay__path_key and assay__path_index return when the pointer does not fit;
 * assay__path_pop undoes it. */
#define LD_PUSH_REFUSED SIZE_MAX
/* Problems reported in full per rubric; locating each one costs a walk over the file. */
#define LD_MAX_DIAGS 100

/* A JSON pointer (RFC 6901) under construction. Zero it to start at the root. */
typedef struct ld_path {
    char s[LD_PATH_BYTES];
    size_t n;
    size_t over; /* pushes refused for lack of room: s is then an ancestor's pointer */
} ld_path;

/* The diagnostics of one load: the text they are placed in and what was reported. */
typedef struct ld_report {
    const char *buf; /* the rubric's text, which jansson accepted */
    size_t len;
    const char *source; /* its name in diagnostics */
    assay_diags *diags; /* may be NULL: problems are then only counted */
    int errors;
    int warnings;
    int first_code;  /* the ASSAY_E_* of the first error */
    bool nomem;      /* memory ran out: the load fails with ASSAY_E_NOMEM, whatever else */
    size_t listed;   /* diagnostics added, errors and warnings */
    size_t unlisted; /* problems beyond LD_MAX_DIAGS, counted only */
} ld_report;

/* Push "/key" (escaped) or "/i"; @return what assay__path_pop needs to undo the push. */
size_t assay__path_key(ld_path *p, const char *key);
size_t assay__path_index(ld_path *p, size_t i);
void assay__path_pop(ld_path *p, size_t old);

/*
 * The value at p (plus "/key" when key is not NULL) as the rubric's text writes it ("3e5",
 * "1.0"), for messages that echo a value: at most size - 1 bytes, cut at a character with
 * "..." when longer. @return out, or NULL when the value cannot be found.
 */
const char *assay__report_source(const ld_report *R, const ld_path *p, const char *key,
                                 char *out, size_t size);

/* Counts an error that has no diagnostic of its own (running out of memory, which also sets
 * R->nomem). */
void assay__report_count(ld_report *R, int code);

/* True when LD_MAX_DIAGS problems are listed already: this error is only counted. */
bool assay__report_unlisted(ld_report *R, int code);

/*
 * Reports a problem at p (plus "/key" when key is not NULL), placed at the member's key
 * (at_key) or value; a pointer that leads nowhere (a missing key) is placed at the nearest
 * existing ancestor.
 */
void assay__report(ld_report *R, const ld_path *p, const char *key, bool at_key, int code,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Reports a problem at an explicit byte offset (a character inside a string). */
void assay__report_at(ld_report *R, const char *pointer, size_t offset, int code,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Reports a problem of the whole text, with no place (always listed). */
void assay__report_plain(ld_report *R, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Warnings, placed as assay__report and assay__report_at place errors: they are listed (up to
 * LD_MAX_DIAGS in all) and counted in R->warnings, never in R->errors. */
void assay__report_warning(ld_report *R, const ld_path *p, const char *key, bool at_key,
                           const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void assay__report_warning_at(ld_report *R, const char *pointer, size_t offset, const char *fmt,
                              ...) __attribute__((format(printf, 4, 5)));

/* Ends a load's report: when problems went unlisted, one line says how many (an error when
 * the load has errors, else a warning). */
void assay__report_finish(ld_report *R);

#endif
