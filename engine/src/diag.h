/*
 * diag.h - the diagnostics list and the locator that turns a JSON pointer into a place in
 * the rubric's text.
 *
 * jansson keeps no positions once a document is parsed, so semantic errors are reported by
 * JSON pointer and placed afterwards: assay__locate walks the original text along the
 * pointer. It lexes nothing itself: every string, number and nested value is measured by
 * jansson (json_loadb with JSON_DISABLE_EOF_CHECK reports how many bytes a value took); the
 * locator only steps over whitespace, ':' and ','. It runs only when an error is reported,
 * on text that jansson has already accepted.
 */
#ifndef ENGINE_DIAG_H
#define ENGINE_DIAG_H

#include "assay/assay.h"

#include <stdarg.h>
#include <stdbool.h>

/* Appends a diagnostic (copying strings, truncating to the fields). Silently drops it when
 * out of memory: a lost diagnostic never hides the error code the caller returns. */
void assay__diags_add(assay_diags *d, const assay_diag *diag);

/*
 * Finds the value (or, with at_key, the member's key) at pointer in buf, which must be JSON
 * that jansson accepted. @return 0 and *offset, or -1 when the pointer leads nowhere.
 */
int assay__locate(const char *buf, size_t len, const char *pointer, bool at_key,
                  size_t *offset);

/* 1-based line and column (in characters) of a byte offset. */
void assay__line_col(const char *buf, size_t len, size_t offset, int *line, int *column);

/*
 * Maps a byte offset in the decoded value of the JSON string literal starting at str_offset
 * (the opening quote) to the byte offset in buf of the character that produced it.
 */
size_t assay__string_offset(const char *buf, size_t len, size_t str_offset, size_t decoded);

#endif
