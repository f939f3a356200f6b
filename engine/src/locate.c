/*
 * locate.c - places a JSON pointer in the text of a document jansson has already accepted.
 *
 * Used only to report errors, so it favours simplicity over speed: each value it steps
 * over is measured by jansson itself (json_loadb with JSON_DISABLE_EOF_CHECK stops after one
 * value and reports in error.position how many bytes it read). This file only skips
 * whitespace and the ':' and ',' punctuation between values; it never decides what a string
 * or a number is. It also traces a JSON syntax error that jansson reported back to the
 * token that caused it.
 */
#include "locate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static size_t skip_ws(const char *buf, size_t len, size_t i)
{
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')) {
        i++;
    }
    return i;
}

/* Measures the JSON value starting at buf[i]; stores it in *out when out is not NULL. */
static int measure(const char *buf, size_t len, size_t i, size_t *end, json_t **out)
{
    json_error_t e;
    json_t *v = json_loadb(buf + i, len - i, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &e);
    if (v == NULL) {
        return -1;
    }
    *end = i + (size_t)e.position;
    if (out) {
        *out = v;
    } else {
        json_decref(v);
    }
    return 0;
}

/* Decodes the next reference token of a JSON pointer (RFC 6901) into tok. */
static const char *next_token(const char *p, char *tok, size_t size)
{
    size_t n = 0;
    p++; /* the '/' */
    while (*p && *p != '/') {
        char c = *p++;
        if (c == '~' && *p == '0') {
            c = '~';
            p++;
        } else if (c == '~' && *p == '1') {
            c = '/';
            p++;
        }
        if (n + 1 < size) {
            tok[n++] = c;
        }
    }
    tok[n] = '\0';
    return p;
}

static int locate(const char *buf, size_t len, const char *pointer, bool at_key, size_t *offset,
                  char *tok, size_t toksize)
{
    size_t i = skip_ws(buf, len, 0);
    size_t key_at = i;
    const char *p = pointer;

    while (*p == '/') {
        p = next_token(p, tok, toksize);
        if (i >= len) {
            return -1;
        }
        if (buf[i] == '{') {
            i = skip_ws(buf, len, i + 1);
            for (;;) {
                json_t *key = NULL;
                size_t end;
                if (i >= len || buf[i] != '"' || measure(buf, len, i, &end, &key) != 0) {
                    return -1;
                }
                bool found = strcmp(json_string_value(key), tok) == 0;
                json_decref(key);
                key_at = i;
                i = skip_ws(buf, len, end);
                if (i >= len || buf[i] != ':') {
                    return -1;
                }
                i = skip_ws(buf, len, i + 1);
                if (found) {
                    break;
                }
                if (measure(buf, len, i, &end, NULL) != 0) {
                    return -1;
                }
                i = skip_ws(buf, len, end);
                if (i >= len || buf[i] != ',') {
                    return -1;
                }
                i = skip_ws(buf, len, i + 1);
            }
        } else if (buf[i] == '[') {
            char *endp;
            unsigned long want = strtoul(tok, &endp, 10);
            if (*tok == '\0' || *endp != '\0') {
                return -1;
            }
            i = skip_ws(buf, len, i + 1);
            key_at = i;
            for (unsigned long k = 0; k < want; k++) {
                size_t end;
                if (measure(buf, len, i, &end, NULL) != 0) {
                    return -1;
                }
                i = skip_ws(buf, len, end);
                if (i >= len || buf[i] != ',') {
                    return -1;
                }
                i = skip_ws(buf, len, i + 1);
            }
            key_at = i;
        } else {
            return -1;
        }
    }
    *offset = at_key ? key_at : i;
    return 0;
}

int assay__locate(const char *buf, size_t len, const char *pointer, bool at_key, size_t *offset)
{
    /* A token is never longer than the pointer: keys of any length are found. */
    size_t toksize = strlen(pointer) + 1;
    char *tok = malloc(toksize);
    if (tok == NULL) {
        return -1;
    }
    int rc = locate(buf, len, pointer, at_key, offset, tok, toksize);
    free(tok);
    return rc;
}

int assay__locate_span(const char *buf, size_t len, const char *pointer, size_t *start,
                       size_t *end)
{
    size_t at;
    if (assay__locate(buf, len, pointer, false, &at) != 0 ||
        measure(buf, len, at, end, NULL) != 0) {
        return -1;
    }
    *start = at;
    return 0;
}

void assay__line_col(const char *buf, size_t len, size_t offset, int *line, int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static unsigned read_hex4(const char *s)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(s[k]);
        v = v * 16 + (unsigned)(h < 0 ? 0 : h);
    }
    return v;
}

size_t assay__string_offset(const char *buf, size_t len, size_t str_offset, size_t decoded)
{
    size_t i = str_offset + 1; /* after the opening quote */
    size_t out = 0;
    while (i < len && buf[i] != '"') {
        size_t raw, produced;
        if (buf[i] == '\\' && i + 1 < len) {
            if (buf[i + 1] == 'u' && i + 6 <= len) {
                unsigned cp = read_hex4(buf + i + 2);
                raw = 6;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 12 <= len && buf[i + 6] == '\\' &&
                    buf[i + 7] == 'u') {
                    raw = 12;
                    produced = 4;
                } else {
                    produced = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
                }
            } else {
                raw = 2;
                produced = 1;
            }
        } else {
            raw = 1;
            produced = 1;
        }
        if (out + produced > decoded) {
            break;
        }
        out += produced;
        i += raw;
    }
    return i;
}

size_t assay__locate_syntax_error(const char *buf, size_t len, const json_error_t *je)
{
    size_t pos = je->position > 0 ? (size_t)je->position : 0;
    if (pos > len) {
        pos = len;
    }
    if (json_error_code(je) == json_error_invalid_utf8 || pos == 0 || pos == len) {
        return pos;
    }
    size_t off = pos - 1;
    if (buf[off] == '"') {
        size_t i = off;
        while (i > 0) {
            i--;
            size_t bs = 0;
            while (i >= bs + 1 && buf[i - bs - 1] == '\\') {
                bs++;
            }
            if (buf[i] == '"' && bs % 2 == 0) {
                return i;
            }
        }
        return off;
    }
    while (off > 0 &&
           (isalnum((unsigned char)buf[off - 1]) || buf[off - 1] == '.' ||
            buf[off - 1] == '-' || buf[off - 1] == '+') &&
           (isalnum((unsigned char)buf[off]) || buf[off] == '.' || buf[off] == '-' ||
            buf[off] == '+')) {
        off--;
    }
    return off;
}

bool assay__locate_trailing_comma(const char *buf, size_t len, size_t off)
{
    if (off >= len || (buf[off] != '}' && buf[off] != ']')) {
        return false;
    }
    while (off > 0) {
        char c = buf[--off];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return c == ',';
        }
    }
    return false;
}
