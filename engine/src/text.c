/*
 * text.c - Unicode White_Space recognition, trimming and whitespace collapsing on UTF-8.
 *
 * The module recognises exactly the White_Space characters listed in text.h by their UTF-8
 * bytes; it does not decode or validate UTF-8 in general, does no case folding and knows
 * nothing about other Unicode properties. Nothing here allocates.
 */
#include "text.h"

#include <stdint.h>
#include <string.h>

/*
 * The bytes that can start a White_Space character: the ASCII ones, and the lead bytes 0xC2,
 * 0xE1, 0xE2 and 0xE3 of the longer ones that assay__text_space_at recognises below.
 */
static const unsigned char space_lead[256] = {
    [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1,
    [0x20] = 1, [0xC2] = 1, [0xE1] = 1, [0xE2] = 1, [0xE3] = 1,
};

size_t assay__text_space_at(const char *s, size_t len)
{
    if (s == NULL || len == 0) {
        return 0;
    }
    const unsigned char *u = (const unsigned char *)s;
    if ((u[0] >= 0x09 && u[0] <= 0x0D) || u[0] == 0x20) {
        return 1;
    }
    if (len >= 2 && u[0] == 0xC2 && (u[1] == 0x85 || u[1] == 0xA0)) {
        /* U+0085 NEXT LINE and U+00A0 NO-BREAK SPACE. */
        return 2;
    }
    if (len < 3) {
        return 0;
    }
    if (u[0] == 0xE1 && u[1] == 0x9A && u[2] == 0x80) {
        /* U+1680 OGHAM SPACE MARK. */
        return 3;
    }
    if (u[0] == 0xE2 && u[1] == 0x80) {
        /* U+2000..U+200A, U+2028, U+2029 and U+202F. */
        if ((u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xA8 || u[2] == 0xA9 || u[2] == 0xAF) {
            return 3;
        }
        return 0;
    }
    if (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) {
        /* U+205F MEDIUM MATHEMATICAL SPACE. */
        return 3;
    }
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) {
        /* U+3000 IDEOGRAPHIC SPACE. */
        return 3;
    }
    return 0;
}

size_t assay__text_space_before(const char *s, size_t len)
{
    if (s == NULL) {
        return 0;
    }
    /*
     * Every White_Space character is one to three bytes long and starts with an ASCII byte
     * or a UTF-8 lead byte, so a match that ends at s[len-1] cannot be part of a longer
     * character in valid UTF-8.
     */
    for (size_t k = 1; k <= 3 && k <= len; k++) {
        if (assay__text_space_at(s + len - k, k) == k) {
            return k;
        }
    }
    return 0;
}

void assay__text_trim(const char *s, size_t *start, size_t *end)
{
    if (s == NULL || start == NULL || end == NULL) {
        return;
    }
    size_t a = *start, b = *end;
    while (a < b) {
        size_t w = assay__text_space_at(s + a, b - a);
        if (w == 0) {
            break;
        }
        a += w;
    }
    while (b > a) {
        size_t w = assay__text_space_before(s + a, b - a);
        if (w == 0) {
            break;
        }
        b -= w;
    }
    *start = a;
    *end = b;
}

void assay__utf8_scrub(char *s)
{
    unsigned char *r = (unsigned char *)s, *w = (unsigned char *)s;
    while (*r) {
        size_t n = *r < 0x80             ? 1
                   : (*r & 0xE0) == 0xC0 ? 2
                   : (*r & 0xF0) == 0xE0 ? 3
                   : (*r & 0xF8) == 0xF0 ? 4
                                         : 0;
        size_t k = 1;
        while (k < n && (r[k] & 0xC0) == 0x80) {
            k++;
        }
        if (n == 0 || k < n) {
            r += k; /* a stray continuation byte, or a character cut short */
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

size_t assay__text_normalize(const char *s, size_t len, bool trim, bool collapse, char *out)
{
    size_t i = 0, end = s == NULL ? 0 : len, o = 0;
    if (trim) {
        assay__text_trim(s, &i, &end);
    }
    if (!collapse) {
        if (end > i) {
            memcpy(out, s + i, end - i);
        }
        out[end - i] = '\0';
        return end - i;
    }
    while (i < end) {
        /* Copy in one go the stretch that needs no change: bytes that cannot start
         * White_Space, and single spaces followed by such a byte (a run of one U+0020 stays
         * as it is). */
        size_t run = i;
        while (run < end) {
            unsigned char c = (unsigned char)s[run];
            if (space_lead[c] &&
                (c != ' ' || (run + 1 < end && space_lead[(unsigned char)s[run + 1]]))) {
                break;
            }
            run++;
        }
        memcpy(out + o, s + i, run - i);
        o += run - i;
        i = run;
        if (i == end) {
            break;
        }
        size_t w = assay__text_space_at(s + i, end - i);
        if (w == 0) {
            out[o++] = s[i++];
            continue;
        }
        while (w > 0) {
            i += w;
            w = assay__text_space_at(s + i, end - i);
        }
        out[o++] = ' ';
    }
    out[o] = '\0';
    return o;
}

bool assay__utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = c >= 0xC2 && c <= 0xDF   ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        if (n == 0 || len - i < n) {
            return false;
        }
        uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
        for (size_t k = 1; k < n; k++) {
            if ((u[i + k] & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (n == 3 && cp < 0x800) ||
            (n == 4 && cp < 0x10000)) {
            return false;
        }
        i += n;
    }
    return true;
}
