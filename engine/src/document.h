/*
 * document.h - the steps every document of a rubric directory (the catalog) goes through
 * before its own loader reads it (document.c): the file's bytes, read within a size limit;
 * its JSON, parsed with every syntax problem (a byte order mark, invalid UTF-8, a trailing
 * comma, a jansson error) placed at its line and column; and its kind, told by its
 * format-version key.
 *
 * Rubrics (rubric.c) and credential definitions (credential_def.c) load through it, so a
 * file reads the same whatever it holds.
 */
#ifndef ENGINE_DOCUMENT_H
#define ENGINE_DOCUMENT_H

#include "assay/rubric.h"
#include "report.h"

#include <jansson.h>
#include <stddef.h>

/* What a catalog document is, by its format-version key (docs/credentials.md). */
typedef enum doc_kind {
    DOC_UNKNOWN = 0, /* not an object, or none of the keys below */
    DOC_RUBRIC,      /* "assay": 1 */
    DOC_FRAMEWORK,   /* "assay_framework": 1 */
    DOC_CREDENTIAL,  /* "assay_credential": 1 */
    DOC_SCHEMA,      /* no kind key; "$schema" names a JSON Schema meta-schema */
} doc_kind;

/*
 * Reads the file at path whole into a new buffer (*buf, caller frees; *len bytes, not
 * NUL-terminated). what names the kind in messages ("rubric"). Problems go to diags with
 * the path as their source: the file cannot be opened or read (ASSAY_E_IO) or is larger
 * than max bytes (ASSAY_E_TOO_LARGE). @return 0, or that code (ASSAY_E_NOMEM too).
 */
int assay__doc_read_file(const char *path, size_t max, const char *what, char **buf,
                         size_t *len, assay_diags *diags);

/*
 * Parses R->buf[0..R->len) (duplicate keys refused) into *root (caller json_decref()s it).
 * A text over max bytes, a byte order mark or a syntax error is reported through R, placed
 * where it is (an invalid escape at its backslash, with the regular-expression hint). what
 * names the kind in messages ("rubric", "credential definition").
 * @return 0, ASSAY_E_TOO_LARGE, ASSAY_E_SYNTAX, or ASSAY_E_NOMEM (nothing reported).
 */
int assay__doc_parse(ld_report *R, size_t max, const char *what, json_t **root);

/*
 * The document's canonical content hash: SHA-256 (nettle) of its JSON with keys sorted,
 * compact, without "$schema", as 64 lowercase hex digits and a NUL. It removes "$schema"
 * from root: call it when done with the document. -1 when out of memory.
 */
int assay__doc_sha256(json_t *root, char out[65]);

/*
 * The start of every document load: R is set to report on buf[0..len) under source
 * (dflt_source when NULL) into diags, and the text parsed (assay__doc_parse) into *root,
 * which must be a JSON object ("a <what> must be a JSON object, not an array").
 * @return 0 and *root (caller json_decref()s it), or the failure's code, reported.
 */
int assay__doc_open(ld_report *R, const char *buf, size_t len, const char *source,
                    const char *dflt_source, const char *what, size_t max, assay_diags *diags,
                    json_t **root);

/* The code a load with errors in R fails with: ASSAY_E_NOMEM when memory ran out, else the
 * first error's (ASSAY_E_INVALID when none was recorded). */
int assay__doc_failure(const ld_report *R);

/* Loads a document's bytes: ctx is the loader's own; source names them in diagnostics. */
typedef int (*doc_load_fn)(void *ctx, const char *buf, size_t len, const char *source,
                           const assay_limits *lim, assay_diags *diags);

/*
 * Reads the file at path (at most limits' max_rubric_bytes; limits NULL for the defaults;
 * what names the kind in messages) and loads its bytes with load, the path as their source.
 * @return load's code, or assay__doc_read_file's.
 */
int assay__doc_load_file(const char *path, const assay_limits *limits, const char *what,
                         doc_load_fn load, void *ctx, assay_diags *diags);

/* The kind of a parsed document. */
doc_kind assay__doc_kind(const json_t *root);

#endif
