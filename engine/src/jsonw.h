/*
 * jsonw.h - writing JSON text straight into a growable byte buffer (jsonw.c), byte for byte
 * as jansson's json_dump* writes it with JSON_COMPACT | JSON_REAL_PRECISION(15), the flags
 * of every result: the same string escapes, the same integers and reals, keys in the order
 * given.
 *
 * A buffer that cannot grow remembers it (failed) and ignores further writes, so a writer
 * checks once at the end instead of after every call.
 */
#ifndef ENGINE_JSONW_H
#define ENGINE_JSONW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct jw_buf {
    char *p;
    size_t len, cap;
    bool failed; /* an allocation failed: the contents are incomplete */
} jw_buf;

/* Room for the text of any real or 64-bit integer, with its NUL. */
#define JW_NUMBER_SIZE 40

/* Frees the buffer's memory and zeroes it. */
void assay__jw_free(jw_buf *b);

/* Makes room for n more bytes (and a NUL after them). @return false when it cannot. */
bool assay__jw_grow(jw_buf *b, size_t n);

static inline bool jw_room(jw_buf *b, size_t n)
{
    return b->cap - b->len > n || assay__jw_grow(b, n);
}

/* Appends s[0..n) as it is. */
static inline void jw_put(jw_buf *b, const char *s, size_t n)
{
    if (jw_room(b, n)) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

/* Appends a NUL-terminated literal or string as it is. */
static inline void jw_puts(jw_buf *b, const char *s)
{
    jw_put(b, s, strlen(s));
}

/* NUL-terminates the contents (not counted in len). @return false when the buffer failed. */
bool assay__jw_finish(jw_buf *b);

/*
 * The text jansson writes for the real v with JSON_REAL_PRECISION(15): "%.15g" in the C
 * locale's notation, ".0" appended when that has neither a point nor an exponent, and the
 * exponent without "+" or leading zeros ("1e+20" -> "1e20", "1e-05" -> "1e-5"). v must be
 * finite. @return the length written to out (NUL-terminated).
 */
size_t assay__jw_real_text(double v, char out[JW_NUMBER_SIZE]);

/* The text of a 64-bit integer. @return its length (out NUL-terminated). */
size_t assay__jw_int_text(int64_t v, char out[JW_NUMBER_SIZE]);

/* Appends an integer, a real (finite), or "true"/"false". */
void assay__jw_int(jw_buf *b, int64_t v);
void assay__jw_real(jw_buf *b, double v);
static inline void jw_bool(jw_buf *b, bool v)
{
    if (v) {
        jw_put(b, "true", 4);
    } else {
        jw_put(b, "false", 5);
    }
}

/*
 * Appends s[0..len) (UTF-8) as a JSON string: quotes around it, '"' and '\\' escaped with a
 * backslash, U+0000..U+001F as \b \f \n \r \t or \u00XX (upper-case hex), everything else
 * as it is, exactly as jansson writes a string without JSON_ENSURE_ASCII or
 * JSON_ESCAPE_SLASH. The caller makes sure s is valid UTF-8 (jansson would refuse it).
 */
void assay__jw_string(jw_buf *b, const char *s, size_t len);
static inline void jw_str(jw_buf *b, const char *s)
{
    assay__jw_string(b, s, strlen(s));
}
/* A NUL-terminated string, or null for NULL. */
static inline void jw_str_or_null(jw_buf *b, const char *s)
{
    if (s) {
        jw_str(b, s);
    } else {
        jw_put(b, "null", 4);
    }
}

/*
 * Appends any jansson value as json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
 * JSON_REAL_PRECISION(15)) writes it: objects in their insertion order. NULL is written as
 * null.
 */
void assay__jw_value(jw_buf *b, const json_t *v);

#endif
