/*
 * redis_url.h - REDIS_URL, read and printed: where the worker and the operator commands of
 * the assay CLI find Redis, and how they name it in messages without the password.
 */
#ifndef ASSAY_QUEUE_REDIS_URL_H
#define ASSAY_QUEUE_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct redis_url {
    bool unix_socket;
    char host[256]; /* a name or an address; IPv6 without its brackets */
    int port;
    char path[512]; /* unix socket */
    char user[128]; /* empty: no ACL user (AUTH password only) */
    char password[256];
    int db;
} redis_url;

/*
 * Parses redis://[user[:password]@]host[:port][/db][?params] (an IPv6 host must be in
 * brackets, [::1]; a lone token before '@' is the password) and
 * unix:///path/redis.sock[?params]; rediss:// is refused. Parameters: db=N, and protocol=2
 * (accepted: hiredis 0.14 speaks RESP2); protocol=3 and any other name are refused, by
 * name, never echoing a value. Percent-escapes in user and password are decoded.
 * @return 0, or -1 with a reason in why (which never contains the password); *u is
 * overwritten either way.
 */
int redis_url_parse(const char *url, redis_url *u, char *why, size_t whylen);

/* A printable form without the password ("redis://user:***@host:port/db"). */
void redis_url_describe(const redis_url *u, char *buf, size_t size);

#endif
