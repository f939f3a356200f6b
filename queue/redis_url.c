/*
 * redis_url.c - parses REDIS_URL and describes it without the password (see redis_url.h).
 */
#include "redis_url.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/* Copies s[0..n) to out decoding %XX; -1 when it does not fit or an escape is bad. */
static int decode(const char *s, size_t n, char *out, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n) {
                return -1;
            }
            int h = hexval((unsigned char)s[i + 1]), l = hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0) {
                return -1;
            }
            c = h * 16 + l;
            i += 2;
        }
        if (k + 1 >= size) {
            return -1;
        }
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return 0;
}

static int parse_int(const char *s, size_t n, long lo, long hi, long *out)
{
    if (n == 0 || n > 10) {
        return -1;
    }
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}

/* A parameter name worth echoing: 1 to 40 of [a-z0-9_-]. Anything else might be a secret. */
static bool plain_name(const char *s, size_t n)
{
    if (n == 0 || n > 40) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

/*
 * The query after '?': parameters name=value joined by '&'. db=N selects the database (not
 * when the path gave one already); protocol=2 is accepted (RESP2 is what hiredis 0.14
 * speaks) and protocol=3 refused. Anything else is refused by name; a value is never
 * echoed (a client library may put a password there).
 */
static int parse_query(const char *q, bool db_given, redis_url *u, char *why, size_t whylen)
{
    while (*q) {
        const char *end = strchr(q, '&');
        size_t n = end ? (size_t)(end - q) : strlen(q);
        const char *eq = memchr(q, '=', n);
        size_t klen = eq ? (size_t)(eq - q) : n;
        const char *v = eq ? eq + 1 : q + n;
        size_t vlen = (size_t)(q + n - v);
        long num;
        if (klen == 2 && memcmp(q, "db", 2) == 0) {
            if (db_given) {
                snprintf(why, whylen,
                         "REDIS_URL gives the database twice (in the path and "
                         "as ?db=)");
                return -1;
            }
            if (!eq || parse_int(v, vlen, 0, 1000000, &num) != 0) {
                snprintf(why, whylen,
                         "the URL parameter db in REDIS_URL must be a number (?db=0)");
                return -1;
            }
            u->db = (int)num;
            db_given = true;
        } else if (klen == 8 && memcmp(q, "protocol", 8) == 0) {
            if (!eq || parse_int(v, vlen, 2, 3, &num) != 0) {
                snprintf(why, whylen, "the URL parameter protocol in REDIS_URL must be 2");
                return -1;
            }
            if (num == 3) {
                snprintf(why, whylen,
                         "the URL parameter protocol=3 (RESP3) in REDIS_URL is not supported "
                         "by hiredis 0.14: drop it or write protocol=2");
                return -1;
            }
        } else if (plain_name(q, klen)) {
            snprintf(why, whylen,
                     "unknown URL parameter \"%.*s\" in REDIS_URL (understood: db, protocol)",
                     (int)klen, q);
            return -1;
        } else {
            snprintf(why, whylen,
                     "an unknown URL parameter in REDIS_URL (understood: db, "
                     "protocol)");
            return -1;
        }
        q += n + (end ? 1 : 0);
    }
    return 0;
}

static int parse_unix(const char *p, redis_url *u, char *why, size_t whylen)
{
    const char *q = strchr(p, '?');
    size_t n = q ? (size_t)(q - p) : strlen(p);
    if (n == 0 || n >= sizeof(u->path) || p[0] != '/') {
        snprintf(why, whylen, "a unix URL needs an absolute path: unix:///path/redis.sock");
        return -1;
    }
    memcpy(u->path, p, n);
    u->path[n] = '\0';
    u->unix_socket = true;
    return q ? parse_query(q + 1, false, u, why, whylen) : 0;
}

/* user[:password] in p[0..n). */
static int parse_userinfo(const char *p, size_t n, redis_url *u, char *why, size_t whylen)
{
    const char *colon = memchr(p, ':', n);
    size_t ulen = colon ? (size_t)(colon - p) : n;
    if (decode(p, ulen, u->user, sizeof(u->user)) != 0) {
        snprintf(why, whylen, "the user name in REDIS_URL is too long or badly escaped");
        return -1;
    }
    if (colon) {
        if (decode(colon + 1, n - ulen - 1, u->password, sizeof(u->password)) != 0) {
            snprintf(why, whylen, "the password in REDIS_URL is too long or badly escaped");
            return -1;
        }
    } else {
        /* redis://password@host is a common shorthand: a lone token is the password. */
        _Static_assert(sizeof(u->password) >= sizeof(u->user), "a user name fits");
        memcpy(u->password, u->user, sizeof(u->user));
        u->user[0] = '\0';
    }
    return 0;
}

/* host[:port] in p[0..hostend). */
static int parse_host(const char *p, const char *hostend, redis_url *u, char *why,
                      size_t whylen)
{
    const char *colon = NULL;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(hostend - p));
        if (rb == NULL) {
            snprintf(why, whylen, "unterminated [ in the host of REDIS_URL");
            return -1;
        }
        if ((size_t)(rb - p - 1) >= sizeof(u->host)) {
            snprintf(why, whylen, "the host in REDIS_URL is too long");
            return -1;
        }
        memcpy(u->host, p + 1, (size_t)(rb - p - 1));
        colon = rb + 1 < hostend && rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = memchr(p, ':', (size_t)(hostend - p));
        if (colon && memchr(colon + 1, ':', (size_t)(hostend - colon - 1))) {
            /* Two colons: an IPv6 address, where the port cannot be told apart. */
            int shown = hostend - p > 60 ? 60 : (int)(hostend - p);
            snprintf(why, whylen,
                     "the host \"%.*s\" in REDIS_URL looks like an IPv6 address: put it in "
                     "brackets, e.g. redis://[::1]:6379/0",
                     shown, p);
            return -1;
        }
        size_t hlen = (size_t)((colon ? colon : hostend) - p);
        if (hlen >= sizeof(u->host)) {
            snprintf(why, whylen, "the host in REDIS_URL is too long");
            return -1;
        }
        memcpy(u->host, p, hlen);
    }
    if (u->host[0] == '\0') {
        snprintf(why, whylen, "REDIS_URL has no host");
        return -1;
    }
    if (colon) {
        long port;
        if (parse_int(colon + 1, (size_t)(hostend - colon - 1), 1, 65535, &port) != 0) {
            snprintf(why, whylen, "the port in REDIS_URL must be a number from 1 to 65535");
            return -1;
        }
        u->port = (int)port;
    }
    return 0;
}

int redis_url_parse(const char *url, redis_url *u, char *why, size_t whylen)
{
    memset(u, 0, sizeof(*u));
    u->port = 6379;
    if (strncmp(url, "unix://", 7) == 0) {
        return parse_unix(url + 7, u, why, whylen);
    }
    if (strncmp(url, "rediss://", 9) == 0) {
        snprintf(why, whylen,
                 "rediss:// (TLS) is not supported by hiredis 0.14; use a local "
                 "TLS tunnel (see docs/security.md) and redis:// to it");
        return -1;
    }
    if (strncmp(url, "redis://", 8) != 0) {
        snprintf(why, whylen, "REDIS_URL must start with redis:// or unix://");
        return -1;
    }
    const char *p = url + 8;
    const char *at = strrchr(p, '@');
    if (at) {
        if (parse_userinfo(p, (size_t)(at - p), u, why, whylen) != 0) {
            return -1;
        }
        p = at + 1;
    }
    const char *query = strchr(p, '?');
    const char *end = query ? query : p + strlen(p);
    const char *slash = memchr(p, '/', (size_t)(end - p));
    if (parse_host(p, slash ? slash : end, u, why, whylen) != 0) {
        return -1;
    }
    bool db_given = false;
    if (slash && slash + 1 < end) {
        long db;
        if (parse_int(slash + 1, (size_t)(end - slash - 1), 0, 1000000, &db) != 0) {
            snprintf(why, whylen,
                     "the database in REDIS_URL must be a number (redis://host/0)");
            return -1;
        }
        u->db = (int)db;
        db_given = true;
    }
    return query ? parse_query(query + 1, db_given, u, why, whylen) : 0;
}

void redis_url_describe(const redis_url *u, char *buf, size_t size)
{
    if (u->unix_socket) {
        if (u->db) {
            snprintf(buf, size, "unix://%s?db=%d", u->path, u->db);
        } else {
            snprintf(buf, size, "unix://%s", u->path);
        }
        return;
    }
    const char *auth = u->password[0] ? ":***@" : (u->user[0] ? "@" : "");
    /* An IPv6 address keeps its brackets, so the port stays readable. */
    bool v6 = strchr(u->host, ':') != NULL;
    snprintf(buf, size, "redis://%s%s%s%s%s:%d/%d", u->user, auth, v6 ? "[" : "", u->host,
             v6 ? "]" : "", u->port, u->db);
}
