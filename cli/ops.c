/*
 * ops.c - the Redis side of the operator commands of the assay tool (enqueue.c, stats.c,
 * dead.c), on the queues of assay-worker (docs/protocol.md).
 *
 * One synchronous hiredis connection per run. Key names, scripts and REDIS_URL parsing come
 * from the queue protocol library (queue/), which the worker uses too.
 * Commands are pipelined (ops_append, then one ops_reply per command) so a large file or a
 * long dead-letter list costs a round trip per OPS_PIPELINE commands, not per command. The
 * password in a Redis URL is never printed: messages name the server with
 * redis_url_describe, and an unknown option is echoed only up to its '='
 * (cli_next_option).
 */
#include "ops.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

enum {
    CONNECT_TIMEOUT_S = 5,  /* connecting to Redis */
    COMMAND_TIMEOUT_S = 30, /* one read or write on the connection */
};

void ops_init(ops *o, const char *name, const char *usage)
{
    memset(o, 0, sizeof(*o));
    o->name = name;
    o->usage = usage;
    o->url = cli_env_or("REDIS_URL", "redis://127.0.0.1:6379");
    o->prefix = cli_env_or("ASSAY_PREFIX", "assay");
}

void ops_option(ops *o, int c)
{
    if (c == CLI_OPT_REDIS) {
        o->url = optarg;
    } else if (c == CLI_OPT_PREFIX) {
        o->prefix = optarg;
    }
}

int ops_check(ops *o)
{
    size_t plen = strlen(o->prefix);
    if (plen == 0 || plen > 100) {
        fprintf(stderr, "%s: --prefix must be 1 to 100 characters\n", o->name);
        return EXIT_USAGE;
    }
    char why[300];
    if (redis_url_parse(o->url, &o->target, why, sizeof(why)) != 0) {
        fprintf(stderr, "%s: bad Redis URL: %s\n", o->name, why);
        return EXIT_USAGE;
    }
    redis_url_describe(&o->target, o->desc, sizeof(o->desc));
    queue_keys_init(&o->keys, o->prefix, NULL);
    return EXIT_OK;
}

void ops_lost(const ops *o)
{
    const char *why = o->c && o->c->errstr[0] ? o->c->errstr : "connection error";
    if (o->c && o->c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        why = "no reply in time";
    }
    fprintf(stderr, "%s: lost the connection to Redis at %s: %s\n", o->name, o->desc, why);
}

void ops_close(ops *o)
{
    if (o->c) {
        redisFree(o->c);
        o->c = NULL;
    }
}

redisReply *ops_reply(ops *o)
{
    void *r = NULL;
    if (redisGetReply(o->c, &r) != REDIS_OK || r == NULL) {
        ops_lost(o);
        return NULL;
    }
    return r;
}

bool ops_append(ops *o, int argc, const char **argv, const size_t *lens)
{
    if (redisAppendCommandArgv(o->c, argc, argv, lens) != REDIS_OK) {
        fprintf(stderr, "%s: out of memory\n", o->name);
        return false;
    }
    return true;
}

int ops_refused(const ops *o, const char *what, const redisReply *r)
{
    fprintf(stderr, "%s: Redis refused %s: %s\n", o->name, what,
            r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply type");
    return EXIT_UNUSABLE;
}

/* Opens the socket with the timeouts set. false after saying why. */
static bool ops_open(ops *o)
{
    /* A write to a connection Redis closed must fail with EPIPE, not kill the tool. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);

    const redis_url *t = &o->target;
    struct timeval tv = {.tv_sec = CONNECT_TIMEOUT_S};
    o->c = t->unix_socket ? redisConnectUnixWithTimeout(t->path, tv)
                          : redisConnectWithTimeout(t->host, t->port, tv);
    if (o->c == NULL || o->c->err) {
        fprintf(stderr, "%s: cannot connect to Redis at %s: %s\n", o->name, o->desc,
                o->c ? o->c->errstr : "out of memory");
        ops_close(o);
        return false;
    }
    struct timeval ct = {.tv_sec = COMMAND_TIMEOUT_S};
    redisSetTimeout(o->c, ct);
    return true;
}

/* Reads the replies to the n commands of the handshake, what[i] naming the i-th. EXIT_OK,
 * or EXIT_UNUSABLE after saying which was refused and why. */
static int handshake_replies(ops *o, int n, const char *const *what)
{
    int rc = EXIT_OK;
    for (int i = 0; i < n; i++) {
        redisReply *r = ops_reply(o);
        if (r == NULL) {
            return EXIT_UNUSABLE;
        }
        if (r->type == REDIS_REPLY_ERROR && rc == EXIT_OK) {
            if (strncmp(r->str, "NOAUTH", 6) == 0) {
                fprintf(stderr,
                        "%s: Redis at %s needs a password (%s); give it in the URL: "
                        "redis://[user]:password@host:port\n",
                        o->name, o->desc, r->str);
            } else {
                fprintf(stderr, "%s: Redis at %s refused %s: %s\n", o->name, o->desc, what[i],
                        r->str);
            }
            rc = EXIT_UNUSABLE;
        }
        freeReplyObject(r);
    }
    return rc;
}

int ops_connect(ops *o)
{
    if (!ops_open(o)) {
        return EXIT_UNUSABLE;
    }
    const redis_url *t = &o->target;
    int n = 0;
    const char *what[3];
    bool ok = true;
    if (t->password[0]) {
        const char *a3[] = {"AUTH", t->user, t->password};
        const char *a2[] = {"AUTH", t->password};
        ok = t->user[0] ? ops_append(o, 3, a3, NULL) : ops_append(o, 2, a2, NULL);
        what[n++] = "the credentials";
    }
    char db[16];
    snprintf(db, sizeof(db), "%d", t->db);
    const char *sel[] = {"SELECT", db};
    if (ok && t->db) {
        ok = ops_append(o, 2, sel, NULL);
        what[n++] = "SELECT";
    }
    const char *ping[] = {"PING"};
    ok = ok && ops_append(o, 1, ping, NULL);
    what[n++] = "PING";
    int rc = ok ? handshake_replies(o, n, what) : EXIT_UNUSABLE;
    if (rc != EXIT_OK) {
        ops_close(o);
    }
    return rc;
}
