/*
 * jsonw.c - JSON text into a growable buffer, as jansson writes it (jsonw.h): the buffer,
 * numbers, strings and any jansson value.
 *
 * jansson's rules, from its dump.c and strconv.c (2.14): strings escape only '"', '\\' and
 * the C0 controls (the short forms \b \f \n \r \t, else \u00XX with upper-case hex); reals
 * are "%.15g" under JSON_REAL_PRECISION(15) with the fixes of assay__jw_real_text; objects
 * keep their insertion order unless JSON_SORT_KEYS is given, which results never use.
 */
#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>

void assay__jw_free(jw_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

bool assay__jw_grow(jw_buf *b, size_t n)
{
    if (b->failed) {
        return false;
    }
    size_t need = b->len + n + 1;
    if (need < n) {
        b->failed = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        cap = cap * 2 > cap ? cap * 2 : need;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

bool assay__jw_finish(jw_buf *b)
{
    if (!jw_room(b, 0)) {
        return false;
    }
    b->p[b->len] = '\0';
    return !b->failed;
}

size_t assay__jw_real_text(double v, char out[JW_NUMBER_SIZE])
{
    int n = snprintf(out, JW_NUMBER_SIZE, "%.15g", v);
    if (n < 0 || n >= JW_NUMBER_SIZE - 3) {
        memcpy(out, "0.0", 4); /* cannot happen for a finite double: at most 22 bytes */
        return 3;
    }
    size_t len = (size_t)n;
    bool point = false;
    char *e = NULL;
    for (size_t i = 0; i < len; i++) {
        char c = out[i];
        if (c == 'e') {
            e = out + i;
        } else if (!(c >= '0' && c <= '9') && c != '-' && c != '+') {
            out[i] = '.'; /* the locale's decimal point, as jansson's from_locale does */
            point = true;
        }
    }
    if (!point && e == NULL) {
        memcpy(out + len, ".0", 3);
        return len + 2;
    }
    if (e != NULL) {
        /* "%g" always writes a sign after the 'e': drop a "+", then leading zeros. */
        char *start = e + 1, *end = e + 2;
        if (*start == '-') {
            start++;
        }
        while (*end == '0') {
            end++;
        }
        if (end != start) {
            memmove(start, end, (size_t)(out + len + 1 - end));
            len -= (size_t)(end - start);
        }
    }
    return len;
}

size_t assay__jw_int_text(int64_t v, char out[JW_NUMBER_SIZE])
{
    char tmp[JW_NUMBER_SIZE];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t o = 0;
    if (v < 0) {
        out[o++] = '-';
    }
    while (n) {
        out[o++] = tmp[--n];
    }
    out[o] = '\0';
    return o;
}

void assay__jw_int(jw_buf *b, int64_t v)
{
    if (jw_room(b, JW_NUMBER_SIZE)) {
        b->len += assay__jw_int_text(v, b->p + b->len);
    }
}

void assay__jw_real(jw_buf *b, double v)
{
    if (jw_room(b, JW_NUMBER_SIZE)) {
        b->len += assay__jw_real_text(v, b->p + b->len);
    }
}

/* A byte a string writes as it is: not a C0 control, '"' or '\\'. */
static inline bool plain(unsigned char c)
{
    return c >= 0x20 && c != '"' && c != '\\';
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Does any byte of the 8 in w need escaping? (Bytes of 0x80 and above never do.) */
static inline bool word_needs_escape(uint64_t w)
{
    uint64_t quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');
    /* A byte is below 0x20, or zero after the xor, when subtracting borrows into its top bit
     * while that bit was clear: the classic "has a byte less than n" test. */
    uint64_t t =
        ((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash);
    return (t & HIGHS) != 0;
}

/* The length of the prefix of s[0..len) that needs no escaping. */
static size_t plain_run(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (len - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (word_needs_escape(w)) {
            break;
        }
        i += 8;
    }
    while (i < len && plain(s[i])) {
        i++;
    }
    return i;
}

void assay__jw_string(jw_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = plain_run(u, len);
    /* Most strings need no escape at all: one copy. */
    if (!jw_room(b, i + 2)) {
        return;
    }
    char *o = b->p + b->len;
    o[0] = '"';
    memcpy(o + 1, s, i);
    b->len += i + 1;
    while (i < len) {
        char esc[8];
        size_t n = 2;
        esc[0] = '\\';
        switch (u[i]) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default: {
            static const char hex[] = "0123456789ABCDEF";
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[u[i] >> 4];
            esc[5] = hex[u[i] & 15];
            n = 6;
            break;
        }
        }
        jw_put(b, esc, n);
        i++;
        size_t run = plain_run(u + i, len - i);
        jw_put(b, s + i, run);
        i += run;
    }
    jw_put(b, "\"", 1);
}

void assay__jw_value(jw_buf *b, const json_t *v)
{
    if (v == NULL) {
        jw_put(b, "null", 4);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        jw_put(b, "{", 1);
        bool first = true;
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first) {
                jw_put(b, ",", 1);
            }
            first = false;
            assay__jw_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            jw_put(b, ":", 1);
            assay__jw_value(b, json_object_iter_value(it));
        }
        jw_put(b, "}", 1);
        break;
    }
    case JSON_ARRAY:
        jw_put(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) {
                jw_put(b, ",", 1);
            }
            assay__jw_value(b, json_array_get(v, i));
        }
        jw_put(b, "]", 1);
        break;
    case JSON_STRING:
        assay__jw_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        assay__jw_int(b, json_integer_value(v));
        break;
    case JSON_REAL:
        assay__jw_real(b, json_real_value(v));
        break;
    case JSON_TRUE:
        jw_put(b, "true", 4);
        break;
    case JSON_FALSE:
        jw_put(b, "false", 5);
        break;
    case JSON_NULL:
    default:
        jw_put(b, "null", 4);
        break;
    }
}
