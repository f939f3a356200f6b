/*
 * test_redis_url.c - REDIS_URL parsing and description (queue/redis_url.c): every accepted
 * form, percent-decoding, IPv6 (and a bare IPv6 address refused), URL parameters, unix
 * sockets, each refusal with its reason, and the password never in a reason or a
 * description.
 */
#include "redis_url.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static redis_url u;
static char why[300];
static char desc[700];

static int parse(const char *url)
{
    why[0] = '\0';
    int rc = redis_url_parse(url, &u, why, sizeof(why));
    redis_url_describe(&u, desc, sizeof(desc));
    return rc;
}

static void test_tcp(void)
{
    ASSERT_INT_EQ(parse("redis://127.0.0.1"), 0);
    ASSERT(!u.unix_socket);
    ASSERT_STR_EQ(u.host, "127.0.0.1");
    ASSERT_INT_EQ(u.port, 6379);
    ASSERT_INT_EQ(u.db, 0);
    ASSERT_STR_EQ(u.user, "");
    ASSERT_STR_EQ(u.password, "");
    ASSERT_STR_EQ(desc, "redis://127.0.0.1:6379/0");

    ASSERT_INT_EQ(parse("redis://cache.example.edu:6380/5"), 0);
    ASSERT_STR_EQ(u.host, "cache.example.edu");
    ASSERT_INT_EQ(u.port, 6380);
    ASSERT_INT_EQ(u.db, 5);
    ASSERT_STR_EQ(desc, "redis://cache.example.edu:6380/5");

    ASSERT_INT_EQ(parse("redis://h/"), 0); /* an empty database is 0 */
    ASSERT_INT_EQ(u.db, 0);
    ASSERT_INT_EQ(parse("redis://h:1/1000000"), 0);
    ASSERT_INT_EQ(u.port, 1);
    ASSERT_INT_EQ(u.db, 1000000);
    ASSERT_INT_EQ(parse("redis://h:65535"), 0);
    ASSERT_INT_EQ(u.port, 65535);
}

static void test_auth(void)
{
    ASSERT_INT_EQ(parse("redis://grader:s3cret@h:6390/2"), 0);
    ASSERT_STR_EQ(u.user, "grader");
    ASSERT_STR_EQ(u.password, "s3cret");
    ASSERT_STR_EQ(u.host, "h");
    ASSERT_STR_EQ(desc, "redis://grader:***@h:6390/2");

    /* A lone token is the password (AUTH password), not a user name. */
    ASSERT_INT_EQ(parse("redis://s3cret@h"), 0);
    ASSERT_STR_EQ(u.user, "");
    ASSERT_STR_EQ(u.password, "s3cret");
    ASSERT_STR_EQ(desc, "redis://:***@h:6379/0");

    ASSERT_INT_EQ(parse("redis://:s3cret@h"), 0);
    ASSERT_STR_EQ(u.user, "");
    ASSERT_STR_EQ(u.password, "s3cret");

    ASSERT_INT_EQ(parse("redis://grader:@h"), 0); /* a user without a password */
    ASSERT_STR_EQ(u.user, "grader");
    ASSERT_STR_EQ(u.password, "");
    ASSERT_STR_EQ(desc, "redis://grader@h:6379/0");

    /* Percent-escapes, either case; the last '@' ends the user part. */
    ASSERT_INT_EQ(parse("redis://gr%61der:p%40ss%3aw%2Fo%25rd@h"), 0);
    ASSERT_STR_EQ(u.user, "grader");
    ASSERT_STR_EQ(u.password, "p@ss:w/o%rd");
    ASSERT_INT_EQ(parse("redis://u:p@ss@h"), 0);
    ASSERT_STR_EQ(u.password, "p@ss");
    ASSERT_STR_EQ(u.host, "h");
    ASSERT_INT_EQ(parse("redis://u:%C3%A9t%C3%A9@h"), 0);
    ASSERT_STR_EQ(u.password, "\xc3\xa9t\xc3\xa9");
}

static void test_ipv6(void)
{
    ASSERT_INT_EQ(parse("redis://[::1]:6381/3"), 0);
    ASSERT_STR_EQ(u.host, "::1");
    ASSERT_INT_EQ(u.port, 6381);
    ASSERT_INT_EQ(u.db, 3);
    ASSERT_STR_EQ(desc, "redis://[::1]:6381/3");
    ASSERT_INT_EQ(parse("redis://u:pw@[fe80::1:2]"), 0);
    ASSERT_STR_EQ(u.host, "fe80::1:2");
    ASSERT_INT_EQ(u.port, 6379);
    ASSERT_STR_EQ(desc, "redis://u:***@[fe80::1:2]:6379/0");
    ASSERT_INT_EQ(parse("redis://[::1"), -1);
    ASSERT_STR_EQ(why, "unterminated [ in the host of REDIS_URL");
    ASSERT_INT_EQ(parse("redis://[]:6379"), -1);
    ASSERT_STR_EQ(why, "REDIS_URL has no host");

    /* A bare IPv6 address: the port cannot be told from the address, so it is refused with
     * what to write instead. */
    const char *bare[] = {"redis://::1:6391/0", "redis://::1", "redis://u:pw@fe80::1:2",
                          "redis://2001:db8::7/3"};
    for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
        ASSERT_INT_EQ(parse(bare[i]), -1);
        ASSERT_STR_CONTAINS(why, "looks like an IPv6 address: put it in brackets");
        ASSERT_STR_CONTAINS(why, "redis://[::1]:6379/0");
        ASSERT(strstr(why, "pw") == NULL);
    }
    ASSERT_INT_EQ(parse("redis://::1:6391/0"), -1);
    ASSERT_STR_CONTAINS(why, "\"::1:6391\"");
}

/* URL parameters: db and protocol=2 are understood; protocol=3 and others are refused by
 * name, never with their value. */
static void test_params(void)
{
    ASSERT_INT_EQ(parse("redis://h:6390?db=4"), 0);
    ASSERT_INT_EQ(u.db, 4);
    ASSERT_INT_EQ(u.port, 6390);
    ASSERT_INT_EQ(parse("redis://h/2?protocol=2"), 0);
    ASSERT_INT_EQ(u.db, 2);
    ASSERT_INT_EQ(parse("redis://[::1]:7000/?protocol=2&db=5"), 0);
    ASSERT_STR_EQ(u.host, "::1");
    ASSERT_INT_EQ(u.db, 5);
    ASSERT_INT_EQ(parse("unix:///tmp/r.sock?protocol=2&db=3"), 0);
    ASSERT_INT_EQ(u.db, 3);
    ASSERT_INT_EQ(parse("redis://u:p?ss@h:1/0?protocol=2"), 0); /* a ? in the password */
    ASSERT_STR_EQ(u.password, "p?ss");

    ASSERT_INT_EQ(parse("redis://h:6379/0?protocol=3"), -1);
    ASSERT_STR_EQ(why, "the URL parameter protocol=3 (RESP3) in REDIS_URL is not supported by "
                       "hiredis 0.14: drop it or write protocol=2");
    ASSERT_INT_EQ(parse("unix:///tmp/r.sock?protocol=3"), -1);
    ASSERT_STR_CONTAINS(why, "protocol=3 (RESP3)");
    ASSERT_INT_EQ(parse("redis://h?protocol=x"), -1);
    ASSERT_STR_EQ(why, "the URL parameter protocol in REDIS_URL must be 2");
    ASSERT_INT_EQ(parse("redis://h?socket_timeout=5"), -1);
    ASSERT_STR_EQ(why, "unknown URL parameter \"socket_timeout\" in REDIS_URL (understood: db, "
                       "protocol)");
    ASSERT_INT_EQ(parse("redis://h?password=topsecret"), -1);
    ASSERT_STR_CONTAINS(why, "\"password\"");
    ASSERT(strstr(why, "topsecret") == NULL);
    ASSERT_INT_EQ(parse("redis://h?Top$ecret"), -1);
    ASSERT_STR_EQ(why, "an unknown URL parameter in REDIS_URL (understood: db, protocol)");
    ASSERT_INT_EQ(parse("redis://h/1?db=2"), -1);
    ASSERT_STR_EQ(why, "REDIS_URL gives the database twice (in the path and as ?db=)");
    ASSERT_INT_EQ(parse("redis://h?db=x"), -1);
    ASSERT_STR_EQ(why, "the URL parameter db in REDIS_URL must be a number (?db=0)");
    ASSERT_INT_EQ(parse("redis://h/x?protocol=2"), -1);
    ASSERT_STR_EQ(why, "the database in REDIS_URL must be a number (redis://host/0)");
}

static void test_unix(void)
{
    ASSERT_INT_EQ(parse("unix:///run/redis/redis.sock"), 0);
    ASSERT(u.unix_socket);
    ASSERT_STR_EQ(u.path, "/run/redis/redis.sock");
    ASSERT_INT_EQ(u.db, 0);
    ASSERT_STR_EQ(desc, "unix:///run/redis/redis.sock");
    ASSERT_INT_EQ(parse("unix:///tmp/r.sock?db=7"), 0);
    ASSERT_STR_EQ(u.path, "/tmp/r.sock");
    ASSERT_INT_EQ(u.db, 7);
    ASSERT_STR_EQ(desc, "unix:///tmp/r.sock?db=7");

    const char *need_path = "a unix URL needs an absolute path: unix:///path/redis.sock";
    ASSERT_INT_EQ(parse("unix://"), -1);
    ASSERT_STR_EQ(why, need_path);
    ASSERT_INT_EQ(parse("unix://run/redis.sock"), -1);
    ASSERT_STR_EQ(why, need_path);
    ASSERT_INT_EQ(parse("unix://?db=1"), -1);
    ASSERT_STR_EQ(why, need_path);
    ASSERT_INT_EQ(parse("unix:///tmp/r.sock?database=1"), -1);
    ASSERT_STR_EQ(why, "unknown URL parameter \"database\" in REDIS_URL (understood: db, "
                       "protocol)");
    const char *bad_db = "the URL parameter db in REDIS_URL must be a number (?db=0)";
    ASSERT_INT_EQ(parse("unix:///tmp/r.sock?db="), -1);
    ASSERT_STR_EQ(why, bad_db);
    ASSERT_INT_EQ(parse("unix:///tmp/r.sock?db=x"), -1);
    ASSERT_STR_EQ(why, bad_db);

    char longpath[600] = "unix:///";
    memset(longpath + 8, 'p', 520);
    longpath[528] = '\0';
    ASSERT_INT_EQ(parse(longpath), -1);
    ASSERT_STR_EQ(why, need_path);
}

static void test_refusals(void)
{
    ASSERT_INT_EQ(parse("rediss://u:pw@h:6380"), -1);
    ASSERT_STR_CONTAINS(why, "rediss:// (TLS) is not supported");
    ASSERT_STR_CONTAINS(why, "docs/security.md");
    ASSERT_INT_EQ(parse("http://h"), -1);
    ASSERT_STR_EQ(why, "REDIS_URL must start with redis:// or unix://");
    ASSERT_INT_EQ(parse("127.0.0.1:6379"), -1);
    ASSERT_STR_EQ(why, "REDIS_URL must start with redis:// or unix://");
    ASSERT_INT_EQ(parse("redis://"), -1);
    ASSERT_STR_EQ(why, "REDIS_URL has no host");
    ASSERT_INT_EQ(parse("redis://u:pw@:6379"), -1);
    ASSERT_STR_EQ(why, "REDIS_URL has no host");

    const char *port = "the port in REDIS_URL must be a number from 1 to 65535";
    const char *ports[] = {"redis://h:",     "redis://h:0",  "redis://h:65536",
                           "redis://h:x1",   "redis://h:-1", "redis://h:99999999999/0",
                           "redis://[::1]:y"};
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        ASSERT_INT_EQ(parse(ports[i]), -1);
        ASSERT_STR_EQ(why, port);
    }
    const char *db = "the database in REDIS_URL must be a number (redis://host/0)";
    const char *dbs[] = {"redis://h/x", "redis://h/-1", "redis://h/1000001", "redis://h/1/2"};
    for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
        ASSERT_INT_EQ(parse(dbs[i]), -1);
        ASSERT_STR_EQ(why, db);
    }

    char longhost[400] = "redis://";
    memset(longhost + 8, 'h', 300);
    longhost[308] = '\0';
    ASSERT_INT_EQ(parse(longhost), -1);
    ASSERT_STR_EQ(why, "the host in REDIS_URL is too long");
    char longv6[400] = "redis://[";
    memset(longv6 + 9, 'a', 300);
    memcpy(longv6 + 309, "]", 2);
    ASSERT_INT_EQ(parse(longv6), -1);
    ASSERT_STR_EQ(why, "the host in REDIS_URL is too long");
}

/* Bad or oversized user names and passwords are refused without echoing them. */
static void test_secrets(void)
{
    const char *user = "the user name in REDIS_URL is too long or badly escaped";
    const char *pass = "the password in REDIS_URL is too long or badly escaped";
    ASSERT_INT_EQ(parse("redis://us%zzer:topsecret@h"), -1);
    ASSERT_STR_EQ(why, user);
    ASSERT_INT_EQ(parse("redis://u:topsecret%4@h"), -1);
    ASSERT_STR_EQ(why, pass);
    ASSERT_INT_EQ(parse("redis://u:topsecret%@h"), -1);
    ASSERT_STR_EQ(why, pass);
    ASSERT_INT_EQ(parse("redis://u:top%g1secret@h"), -1);
    ASSERT_STR_EQ(why, pass);
    char big[700] = "redis://u:";
    memset(big + 10, 's', 300);
    memcpy(big + 310, "@h", 3);
    ASSERT_INT_EQ(parse(big), -1);
    ASSERT_STR_EQ(why, pass);
    ASSERT(strstr(why, "sss") == NULL);
    char bigu[700] = "redis://";
    memset(bigu + 8, 'u', 200);
    memcpy(bigu + 208, ":pw@h", 6);
    ASSERT_INT_EQ(parse(bigu), -1);
    ASSERT_STR_EQ(why, user);

    /* Whatever goes wrong after the password is read, the reason never holds it. */
    const char *urls[] = {"redis://u:topsecret@",           "redis://u:topsecret@h:0",
                          "redis://u:topsecret@h/x",        "redis://topsecret@[::1",
                          "redis://u:topsecret@h:6379/db9", "rediss://u:topsecret@h"};
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        ASSERT_INT_EQ(parse(urls[i]), -1);
        ASSERT(why[0] != '\0');
        ASSERT(strstr(why, "topsecret") == NULL);
    }
    /* Accepted: the password is in the parsed URL, never in its description. */
    const char *ok[] = {"redis://u:topsecret@h", "redis://topsecret@h:1/2",
                        "redis://:topsecret@[::1]", "redis://u:top%73ecret@h"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ASSERT_INT_EQ(parse(ok[i]), 0);
        ASSERT_STR_EQ(u.password, "topsecret");
        ASSERT(strstr(desc, "topsecret") == NULL);
        ASSERT_STR_CONTAINS(desc, ":***@");
    }
}

/* What a description says parses back to the same server (without the password). */
static void test_describe_round_trip(void)
{
    const char *urls[] = {"redis://h", "redis://u:pw@h:7000/9", "redis://[::1]:6400/1",
                          "unix:///tmp/r.sock?db=4", "unix:///tmp/r.sock"};
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        ASSERT_INT_EQ(parse(urls[i]), 0);
        redis_url first = u;
        char d[700];
        snprintf(d, sizeof(d), "%s", desc);
        ASSERT_INT_EQ(parse(d), 0);
        ASSERT_STR_EQ(u.host, first.host);
        ASSERT_STR_EQ(u.path, first.path);
        ASSERT_INT_EQ(u.port, first.port);
        ASSERT_INT_EQ(u.db, first.db);
        ASSERT_INT_EQ(u.unix_socket, first.unix_socket);
        ASSERT_STR_EQ(u.user, first.user);
    }
}

int main(void)
{
    test_tcp();
    test_auth();
    test_ipv6();
    test_params();
    test_unix();
    test_refusals();
    test_secrets();
    test_describe_round_trip();
    return tap_done();
}
