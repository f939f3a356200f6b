/*
 * normalize.h - the benchmark's copy of the engine's answer normalisation: Unicode
 * White_Space recognition, "trim" and "collapse" (docs/rubric-format.md, "Pattern checks").
 *
 * The floor (floor.c) uses it to hand PCRE2 exactly the subjects the engine matches, made
 * outside the timing. It is a copy, kept in this one place, because the engine's own
 * normaliser is internal (engine/src/text.c, assay__text_*, hidden symbols); when the
 * engine exports it, the floor should call that instead and this file should go.
 */
#ifndef BENCH_NORMALIZE_H
#define BENCH_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the Unicode White_Space character at s[0..n), or 0. */
size_t white_at(const unsigned char *s, size_t n);
/* Length of the White_Space character ending at s[n-1], or 0. */
size_t white_before(const unsigned char *s, size_t n);
/*
 * A new copy of text[0..n) trimmed and/or collapsed (each run of White_Space becomes one
 * space); *out_len receives its length. Caller frees with free().
 */
char *normalized(const char *text, size_t n, bool trim, bool collapse, size_t *out_len);

#endif
