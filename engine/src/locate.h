/*
 * locate.h - places in a rubric's text for its diagnostics: the value or key a JSON pointer
 * names, a line and column, a character inside a string literal, and where a JSON syntax
 * error really is.
 *
 * jansson keeps no positions once a document is parsed, so semantic errors are reported by
 * JSON pointer and placed afterwards: assay__locate walks the original text along the
 * pointer. It lexes nothing itself: every string, number and nested value is measured by
 * jansson (json_loadb with JSON_DISABLE_EOF_CHECK reports how many bytes a value took); the
 * locator only steps over whitespace, ':' and ','. It runs only when an error is reported,
 * on text that jansson has already accepted.
 */
#ifndef ENGINE_LOCATE_H
#define ENGINE_LOCATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Finds the value (or, with at_key, the member's key) at pointer in buf, which must be JSON
 * that jansson accepted. @return 0 and *offset, or -1 when the pointer leads nowhere.
 */
int assay__locate(const char *buf, size_t len, const char *pointer, bool at_key,
                  size_t *offset);

/* The value at pointer in buf spans [*start, *end). @return 0, or -1 as assay__locate. */
int assay__locate_span(const char *buf, size_t len, const char *pointer, size_t *start,
                       size_t *end);

/* 1-based line and column (in characters) of a byte offset. */
void assay__line_col(const char *buf, size_t len, size_t offset, int *line, int *column);

/*
 * Maps a byte offset in the decoded value of the JSON string literal starting at str_offset
 * (the opening quote) to the byte offset in buf of the character that produced it.
 */
size_t assay__string_offset(const char *buf, size_t len, size_t str_offset, size_t decoded);

/*
 * Where the syntax error jansson reported in je lies in buf, as a byte offset: jansson gives
 * how many bytes it had read, which is the offending byte itself for invalid UTF-8 and just
 * past the offending token otherwise; a string or word token is traced back to its start.
 */
size_t assay__locate_syntax_error(const char *buf, size_t len, const json_error_t *je);

/* Whether buf[off] is a closing bracket whose previous non-space character is a comma. */
bool assay__locate_trailing_comma(const char *buf, size_t len, size_t off);

#endif
