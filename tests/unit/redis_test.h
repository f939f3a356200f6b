/*
 * redis_test.h - a private redis-server for the unit tests of the queue scripts
 * (test_queue.c, test_ack.c, test_ack_records.c, test_oversize.c): started on a unix socket in
 * a temporary folder (TCP off), and small helpers to build acknowledgements, run them as the
 * worker does, and read what the scripts wrote.
 */
#ifndef ASSAY_TESTS_UNIT_REDIS_TEST_H
#define ASSAY_TESTS_UNIT_REDIS_TEST_H

#include "ack.h"
#include "queue.h"
#include "recread.h"
#include "tap.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct server {
    pid_t pid;
    char dir[64];
    char sock[96];
    redisContext *c;
} server;

/* Starts redis-server (REDIS_SERVER, or the one on PATH) on a unix socket in a new folder.
 * false when there is none or it does not answer PING within about five seconds. */
static inline bool server_start(server *s)
{
    snprintf(s->dir, sizeof(s->dir), "/tmp/assay-test-queue-XXXXXX");
    if (mkdtemp(s->dir) == NULL) {
        return false;
    }
    snprintf(s->sock, sizeof(s->sock), "%s/redis.sock", s->dir);
    const char *exe = getenv("REDIS_SERVER") ? getenv("REDIS_SERVER") : "redis-server";
    s->pid = fork();
    if (s->pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        execlp(exe, exe, "--port", "0", "--unixsocket", s->sock, "--save", "", "--appendonly",
               "no", "--dir", s->dir, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; s->pid > 0 && i < 250; i++) {
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            s->pid = 0; /* not found, or it could not start */
            break;
        }
        s->c = redisConnectUnix(s->sock);
        if (s->c && !s->c->err) {
            redisReply *r = redisCommand(s->c, "PING");
            bool up = r && r->type == REDIS_REPLY_STATUS;
            freeReplyObject(r);
            if (up) {
                return true;
            }
        }
        redisFree(s->c);
        s->c = NULL;
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    return false;
}

static inline void server_stop(server *s)
{
    redisFree(s->c);
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    unlink(s->sock);
    rmdir(s->dir);
}

#define ASSERT_MEM_EQ(p, n, q, m) ASSERT((n) == (m) && memcmp((p), (q), (n)) == 0)

/* The acknowledgement of m[0..n) as the tests build it (rate key {t}:rate:1, de-duplication
 * TTL 3600 s, reply TTL 60 s, P:dead:oversize keeps 2). */
static inline int build_ack(const queue_keys *k, const queue_ack_msg *m, size_t n,
                            queue_tx *out)
{
    queue_ack a;
    queue_ack_init(&a);
    for (size_t i = 0; i < n; i++) {
        queue_ack_add(&a, &m[i]);
    }
    queue_ack_opts o = {
        .rate_key = "{t}:rate:1", .dedupe_ttl_s = 3600, .reply_ttl_s = 60, .oversize_keep = 2};
    return queue_ack_finish(&a, k, &o, out);
}

static inline redisReply *run(server *s, const queue_argv *v)
{
    return redisCommandArgv(s->c, v->argc, (const char **)v->argv, v->lens);
}

/* Runs commands [from, to) of an acknowledgement, one by one (the tests that interleave
 * other commands); each must succeed. */
static inline void run_tx_part(server *s, const queue_tx *t, size_t from, size_t to)
{
    for (size_t i = from; i < to && i < t->n; i++) {
        redisReply *r = run(s, &t->cmd[i]);
        ASSERT(r && r->type != REDIS_REPLY_ERROR);
        freeReplyObject(r);
    }
}

/* Runs an acknowledgement as the worker does, MULTI, its commands, EXEC; returns the
 * script's reply (the caller frees it; an error reply when EXEC was refused). Every other
 * command of the transaction must succeed. */
static inline redisReply *run_tx(server *s, const queue_tx *t)
{
    redisAppendCommand(s->c, "MULTI");
    for (size_t i = 0; i < t->n; i++) {
        redisAppendCommandArgv(s->c, t->cmd[i].argc, (const char **)t->cmd[i].argv,
                               t->cmd[i].lens);
    }
    redisAppendCommand(s->c, "EXEC");
    for (size_t i = 0; i < t->n + 1; i++) {
        void *queued = NULL;
        if (redisGetReply(s->c, &queued) != REDIS_OK) {
            return NULL;
        }
        freeReplyObject(queued);
    }
    void *exec = NULL;
    if (redisGetReply(s->c, &exec) != REDIS_OK) {
        return NULL;
    }
    redisReply *r = exec;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != t->n) {
        return r;
    }
    for (size_t i = 0; i < t->n; i++) {
        ASSERT(i == t->script || r->element[i]->type != REDIS_REPLY_ERROR);
    }
    redisReply *script = r->element[t->script];
    r->element[t->script] = NULL;
    freeReplyObject(r);
    return script;
}

static inline long long integer(server *s, const char *fmt, const char *key)
{
    redisReply *r = redisCommand(s->c, fmt, key);
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    return v;
}

/* HGET key field as a string ("(nil)" when missing), in a static buffer. */
static inline const char *hget(server *s, const char *key, const char *field)
{
    static char buf[200];
    redisReply *r = redisCommand(s->c, "HGET %s %s", key, field);
    snprintf(buf, sizeof(buf), "%s", r && r->type == REDIS_REPLY_STRING ? r->str : "(nil)");
    freeReplyObject(r);
    return buf;
}

/* GET key as a string ("(nil)" when missing), in a static buffer. */
static inline const char *get(server *s, const char *key)
{
    static char buf[200];
    redisReply *r = redisCommand(s->c, "GET %s", key);
    snprintf(buf, sizeof(buf), "%s", r && r->type == REDIS_REPLY_STRING ? r->str : "(nil)");
    freeReplyObject(r);
    return buf;
}

static inline void load_scripts(server *s)
{
    const char *scripts[] = {queue_claim_lua,   queue_ack_lua,    queue_recover_lua,
                             queue_requeue_lua, queue_resume_lua, queue_recread_lua};
    for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
        char sha[41];
        queue_script_sha(scripts[i], sha);
        redisReply *r = redisCommand(s->c, "SCRIPT LOAD %s", scripts[i]);
        ASSERT(r && r->type == REDIS_REPLY_STRING);
        ASSERT_STR_EQ(r && r->type == REDIS_REPLY_STRING ? r->str : NULL, sha);
        freeReplyObject(r);
    }
}

/* Starts the server and loads the queue scripts; without a redis-server, says in a TAP
 * comment what goes unchecked and returns false (the server stopped). */
static inline bool server_ready(server *s, const char *unchecked)
{
    if (!server_start(s)) {
        printf("# redis-server could not be started: %s\n", unchecked);
        server_stop(s);
        return false;
    }
    load_scripts(s);
    return true;
}

/* How many times Redis ran `cmd` (lower case; the scripts' own calls included) since the
 * last CONFIG RESETSTAT, from INFO commandstats. */
static inline long long calls(server *s, const char *cmd)
{
    redisReply *r = redisCommand(s->c, "INFO commandstats");
    long long n = 0;
    char want[64];
    snprintf(want, sizeof(want), "cmdstat_%s:calls=", cmd);
    const char *p = r && r->type == REDIS_REPLY_STRING ? strstr(r->str, want) : NULL;
    if (p) {
        n = strtoll(p + strlen(want), NULL, 10);
    }
    freeReplyObject(r);
    return n;
}

static inline void reset_stats(server *s)
{
    freeReplyObject(redisCommand(s->c, "CONFIG RESETSTAT"));
}

#endif
