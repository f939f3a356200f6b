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

/* The kind of a parsed document. */
doc_kind assay__doc_kind(const json_t *root);

#endif
