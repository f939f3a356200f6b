/*
 * text.h - small UTF-8 text helpers shared by the checks: Unicode White_Space, trimming and
 * whitespace collapsing. Input is valid UTF-8 (jansson guarantees it for every string it
 * hands us); nothing here allocates.
 */
#ifndef ENGINE_TEXT_H
#define ENGINE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * If s[0..len) starts with a Unicode White_Space character (U+0009..U+000D, U+0020, U+0085,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), returns its
 * length in bytes; else 0.
 */
size_t assay__text_space_at(const char *s, size_t len);
/* Length in bytes of a White_Space character ending exactly at s[len-1], or 0. */
size_t assay__text_space_before(const char *s, size_t len);

/* Narrows [*start, *end) so it neither starts nor ends with White_Space. */
void assay__text_trim(const char *s, size_t *start, size_t *end);

/*
 * Writes s[0..len) to out as a pattern check wants it: White_Space trimmed at both ends when
 * trim is set, each run of White_Space replaced with one U+0020 when collapse is set. out must
 * hold len + 1 bytes (neither step lengthens the text). The result is NUL-terminated and keeps
 * embedded NULs; s may be NULL when len is 0. Allocates nothing, so a caller reuses one buffer
 * for every answer. @return the result's length in bytes.
 */
size_t assay__text_normalize(const char *s, size_t len, bool trim, bool collapse, char *out);

/*
 * Removes, in place, the pieces of UTF-8 characters that a byte-counted cut left behind
 * ("%.60s", a full snprintf buffer): every byte sequence that is not a whole character.
 */
void assay__utf8_scrub(char *s);

/*
 * Is s[0..len) valid UTF-8 as jansson judges a string it is given (json_string): no stray
 * continuation bytes, no overlong forms, no surrogates U+D800..U+DFFF, nothing above
 * U+10FFFF?
 */
bool assay__utf8_valid(const char *s, size_t len);

#endif
