/*
 * cred.c - the credential library's shared pieces: error codes and records, base64url and
 * SHA-256 through nettle, RFC 3339 timestamps and wiping.
 *
 * Nothing here knows about keys, JWS or Open Badges; see keys.c, jws.c, ob3.c, vcjwt.c.
 */
#include "cred.h"

#include <gnutls/gnutls.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *cred_strerror(int code)
{
    switch (code) {
#define CRED_STRERROR_CASE_(name, value, msg)                                                  \
    case value:                                                                                \
        return msg;
        CRED_ERRNO_MAP(CRED_STRERROR_CASE_)
#undef CRED_STRERROR_CASE_
    default:
        return "unknown error";
    }
}

const char *cred_err_name(int code)
{
    switch (code) {
#define CRED_ERRNAME_CASE_(name, value, msg)                                                   \
    case value:                                                                                \
        return #name;
        CRED_ERRNO_MAP(CRED_ERRNAME_CASE_)
#undef CRED_ERRNAME_CASE_
    default:
        return "UNKNOWN";
    }
}

void cred_error_clear(cred_error *err)
{
    if (err) {
        memset(err, 0, sizeof(*err));
    }
}

int cred_error_set(cred_error *err, int code, const char *where, const char *fmt, ...)
{
    if (err == NULL || err->code != 0) {
        return code;
    }
    err->code = code;
    snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

void cred_error_format(const cred_error *err, char *buf, size_t size)
{
    if (err->where[0]) {
        snprintf(buf, size, "%s: %s", err->where, err->message);
    } else {
        snprintf(buf, size, "%s", err->message);
    }
}

char *cred_b64url_encode(const uint8_t *data, size_t len)
{
    if (len > SIZE_MAX / 2) {
        return NULL;
    }
    char *out = malloc(BASE64_ENCODE_LENGTH(len) + BASE64_ENCODE_FINAL_LENGTH + 1);
    if (out == NULL) {
        return NULL;
    }
    struct base64_encode_ctx ctx;
    base64url_encode_init(&ctx);
    size_t n = base64_encode_update(&ctx, out, len, data);
    n += base64_encode_final(&ctx, out + n);
    while (n > 0 && out[n - 1] == '=') {
        n--;
    }
    out[n] = '\0';
    return out;
}

static bool b64url_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

int cred_b64url_decode(const char *text, size_t len, uint8_t **out, size_t *out_len)
{
    /* nettle skips white space and accepts padding; JWS allows neither, so the characters
     * are checked first. A length of 1 mod 4 cannot come from any byte string. */
    for (size_t i = 0; i < len; i++) {
        if (!b64url_char((unsigned char)text[i])) {
            return CRED_E_BASE64;
        }
    }
    if (len % 4 == 1 || len > SIZE_MAX / 2) {
        return CRED_E_BASE64;
    }
    uint8_t *buf = malloc(BASE64_DECODE_LENGTH(len + 3) + 1);
    if (buf == NULL) {
        return CRED_E_NOMEM;
    }
    struct base64_decode_ctx ctx;
    base64url_decode_init(&ctx);
    size_t n = 0, m = 0;
    static const char pad[] = "==";
    size_t npad = (4 - len % 4) % 4;
    if (!base64_decode_update(&ctx, &n, buf, len, text) ||
        !base64_decode_update(&ctx, &m, buf + n, npad, pad) || !base64_decode_final(&ctx)) {
        free(buf);
        return CRED_E_BASE64;
    }
    n += m;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}

void cred_sha256_hex(const void *data, size_t len, char out[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, sizeof(digest), digest);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof(digest); i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

/* Reads n decimal digits at s into *v; false when one is not a digit. */
static bool digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

bool cred_time_parse(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec;
    if (s == NULL || strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) || s[13] != ':' ||
        !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec)) {
        return false;
    }
    /* Leap seconds (60) are accepted as RFC 3339 allows and count as the next second. */
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 60) {
        return false;
    }
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') {
            return false;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    int offset = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 23 || om > 59) {
            return false;
        }
        offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
    } else {
        return false;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return true;
}

void cred_time_format(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, 32, "invalid-time");
    }
}

void cred_wipe(void *p, size_t len)
{
    if (p && len) {
        gnutls_memset(p, 0, len);
    }
}

int cred__with_file(const char *path, size_t max, cred__buffer_fn fn, void *ctx,
                    cred_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return cred_error_set(err, CRED_E_IO, path, "cannot read: %s", strerror(errno));
    }
    char *buf = malloc(max + 1);
    if (buf == NULL) {
        fclose(f);
        return cred_error_set(err, CRED_E_NOMEM, path, "out of memory");
    }
    size_t n = fread(buf, 1, max + 1, f);
    int bad = ferror(f);
    int saved = errno;
    fclose(f);
    int rc;
    if (bad) {
        rc = cred_error_set(err, CRED_E_IO, path, "cannot read: %s", strerror(saved));
    } else if (n > max) {
        rc = cred_error_set(err, CRED_E_IO, path, "file larger than %zu bytes", max);
    } else {
        buf[n] = '\0';
        rc = fn(ctx, path, buf, n, err);
    }
    cred_wipe(buf, n < max + 1 ? n : max + 1);
    free(buf);
    return rc;
}
