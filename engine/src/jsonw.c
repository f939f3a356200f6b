/*
 * jsonw.c - JSON text into a growable buffer, as jansson writes it (jsonw.h): the buffer,
 * and numbers.
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
