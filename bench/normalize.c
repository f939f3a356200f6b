/*
 * normalize.c - the benchmark's copy of the engine's White_Space trimming and collapsing
 * (see normalize.h for why it is a copy and what should replace it).
 */
#include "normalize.h"

#include "util.h"

/* Length of the Unicode White_Space character at s[0..n), or 0 (see docs/rubric-format.md). */
size_t white_at(const unsigned char *s, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if ((s[0] >= 0x09 && s[0] <= 0x0D) || s[0] == 0x20) {
        return 1;
    }
    if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0)) {
        return 2;
    }
    if (n < 3) {
        return 0;
    }
    unsigned cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if ((s[0] & 0xF0) != 0xE0) {
        return 0;
    }
    bool white = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
                 cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    return white ? 3 : 0;
}

/* Length of the White_Space character ending at s[n-1], or 0. */
size_t white_before(const unsigned char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        if (white_at(s + n - k, k) == k) {
            return k;
        }
    }
    return 0;
}

/* A new copy of s[0..n) trimmed and/or collapsed; *out_len receives its length. */
char *normalized(const char *text, size_t n, bool trim, bool collapse, size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t a = 0, b = n, w;
    while (trim && a < b && (w = white_at(s + a, b - a)) > 0) {
        a += w;
    }
    while (trim && b > a && (w = white_before(s + a, b - a)) > 0) {
        b -= w;
    }
    char *out = xmalloc(b - a + 1);
    size_t o = 0;
    for (size_t i = a; i < b;) {
        w = collapse ? white_at(s + i, b - i) : 0;
        if (w == 0) {
            out[o++] = (char)s[i++];
            continue;
        }
        while (i < b && (w = white_at(s + i, b - i)) > 0) {
            i += w;
        }
        out[o++] = ' ';
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}
