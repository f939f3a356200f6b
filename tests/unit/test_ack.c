/*
 * test_ack.c - what the claim and ack scripts cost Redis per message, and that the cheaper
 * paths keep the guarantees (docs/protocol.md "Internal keys", docs/performance.md "End to
 * end after the lean scripts"): run through the real scripts in a private redis-server, with
 * INFO commandstats counting the commands the scripts ran, so a test fails when a per-message
 * command comes back, and when a skipped one was needed.
 *
 *  - claim: the delivery counts are read only when P:attempts holds any; the messages leave
 *    the queue and enter the processing list in the order one LMOVE each would give; a batch
 *    stops before a suspect and before an oversized message;
 *  - ack: a message claimed without a count ('u') leaves P:attempts alone, one claimed with
 *    one clears it; a guard is read only while P:gave-up exists, which every acknowledgement
 *    that gives up an id sets for at least its de-duplication TTL; the dead letters get one
 *    LPUSH per batch, in message order; the results never enter the script: pushed per
 *    destination by one plain LPUSH before it, those it does not answer taken back.
 */
#include "ack.h"
#include "queue.h"
#include "redis_test.h"
#include "tap.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

static char claim_sha[41];

static void lpush(server *s, const char *key, const char *v)
{
    freeReplyObject(redisCommand(s->c, "LPUSH %s %s", key, v));
}

/* The list as "a,b,c" from its head, in a static buffer. */
static const char *range(server *s, const char *key)
{
    static char buf[400];
    buf[0] = '\0';
    redisReply *r = redisCommand(s->c, "LRANGE %s 0 -1", key);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "", r->element[i]->str);
    }
    freeReplyObject(r);
    return buf;
}

/* Claims up to max (idle or not); the reply as "tag:m1/n1,m2/n2", in a static buffer. */
static const char *claim(server *s, const queue_keys *k, int max, bool idle, size_t max_bytes)
{
    static char buf[400];
    queue_claim_args a;
    queue_claim_args_init(&a, claim_sha, k, "w1", max, idle, 10, max_bytes, true);
    redisReply *r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, a.argv, NULL);
    buf[0] = '\0';
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1) {
        snprintf(buf, sizeof(buf), "%s:", r->element[0]->str);
        for (size_t i = 1; i + 1 < r->elements; i += 2) {
            size_t n = strlen(buf);
            snprintf(buf + n, sizeof(buf) - n, "%s%s/%lld", i > 1 ? "," : "",
                     r->element[i]->type == REDIS_REPLY_STRING ? r->element[i]->str : "?",
                     r->element[i + 1]->integer);
        }
    } else {
        snprintf(buf, sizeof(buf), "error: %s", r && r->str ? r->str : "no reply");
    }
    freeReplyObject(r);
    return buf;
}

/* Runs an acknowledgement of n messages; the statuses as "1,2,0", in a static buffer. */
static const char *ack(server *s, const queue_keys *k, const queue_ack_msg *m, size_t n,
                       long ttl)
{
    static char buf[200];
    queue_ack a;
    queue_ack_init(&a);
    for (size_t i = 0; i < n; i++) {
        queue_ack_add(&a, &m[i]);
    }
    queue_ack_opts o = {
        .rate_key = "{a}:rate:1", .dedupe_ttl_s = ttl, .reply_ttl_s = 60, .oversize_keep = 2};
    queue_tx v = {0};
    buf[0] = '\0';
    if (queue_ack_finish(&a, k, &o, &v) != 0) {
        return "out of memory";
    }
    redisReply *r = run_tx(s, &v);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof(buf) - len, "%s%lld", i ? "," : "", r->element[i]->integer);
    }
    if (r && r->type == REDIS_REPLY_ERROR) {
        snprintf(buf, sizeof(buf), "error: %s", r->str);
    }
    freeReplyObject(r);
    queue_tx_free(&v);
    return buf;
}

/* Without delivery counts the claim reads none; the order is that of LMOVE RIGHT LEFT. */
static void check_claim_order(server *s, const queue_keys *k)
{
    const char *q[] = {"m1", "m2", "m3", "m4", "m5"}; /* m1 the oldest */
    for (size_t i = 0; i < 5; i++) {
        lpush(s, k->live, q[i]);
    }
    lpush(s, k->proc_live, "older");
    reset_stats(s);
    ASSERT_STR_EQ(claim(s, k, 3, false, 100), "l:m1/0,m2/0,m3/0");
    ASSERT_STR_EQ(range(s, k->proc_live), "m3,m2,m1,older");
    ASSERT_STR_EQ(range(s, k->live), "m5,m4");
    ASSERT_INT_EQ(calls(s, "hget"), 0);
    ASSERT_INT_EQ(calls(s, "hlen"), 1);
    ASSERT_INT_EQ(calls(s, "lmove"), 0);
    ASSERT_INT_EQ(calls(s, "lpush"), 1); /* the three at once */
    ASSERT_INT_EQ(integer(s, "SISMEMBER %s w1", k->workers), 1);
    /* The rest, and then an empty queue: nothing claimed, nothing written. */
    ASSERT_STR_EQ(claim(s, k, 10, false, 100), "l:m4/0,m5/0");
    ASSERT_STR_EQ(range(s, k->proc_live), "m5,m4,m3,m2,m1,older");
    ASSERT_INT_EQ(integer(s, "EXISTS %s", k->live), 0);
    ASSERT_STR_EQ(claim(s, k, 10, false, 100), "r:");
    freeReplyObject(redisCommand(s->c, "DEL %s", k->proc_live));
}

/* With a count in P:attempts the counts are read, and a suspect or an oversized message stops
 * the batch before it, where it stays, at the consumer end. */
static void check_claim_stops(server *s, const queue_keys *k)
{
    char field[41];
    queue_attempts_field("b", 1, field);
    freeReplyObject(redisCommand(s->c, "HSET %s %s 2", k->attempts, field));
    lpush(s, k->live, "a");
    lpush(s, k->live, "b");
    lpush(s, k->live, "c");
    reset_stats(s);
    ASSERT_STR_EQ(claim(s, k, 10, false, 100), "l:a/0");
    ASSERT_INT_EQ(calls(s, "hget"), 2);
    ASSERT_STR_EQ(range(s, k->live), "c,b");
    ASSERT_STR_EQ(claim(s, k, 10, false, 100), "lw:");
    ASSERT_STR_EQ(claim(s, k, 10, true, 100), "l:b/2"); /* idle: the suspect, alone */
    ASSERT_STR_EQ(range(s, k->proc_live), "b,a");
    ASSERT_STR_EQ(range(s, k->live), "c");
    freeReplyObject(redisCommand(s->c, "DEL %s %s %s", k->attempts, k->proc_live, k->live));

    lpush(s, k->live, "d");
    lpush(s, k->live, "this one is too long");
    lpush(s, k->live, "e");
    ASSERT_STR_EQ(claim(s, k, 10, false, 10), "l:d/0");
    ASSERT_STR_EQ(range(s, k->live), "e,this one is too long");
    ASSERT_STR_EQ(range(s, k->proc_live), "d");
    freeReplyObject(redisCommand(s->c, "DEL %s %s", k->proc_live, k->live));
}

/* 'u' (claimed without a count) leaves P:attempts alone; a counted message clears its count. */
static void check_ack_counts(server *s, const queue_keys *k)
{
    char fu[41], fc[41];
    queue_attempts_field("u1", 2, fu);
    queue_attempts_field("c1", 2, fc);
    /* u1's copy elsewhere was returned by a recovery meanwhile: its count is that copy's. */
    freeReplyObject(redisCommand(s->c, "HSET %s %s 1 %s 1", k->attempts, fu, fc));
    lpush(s, k->proc_live, "u1");
    lpush(s, k->proc_live, "c1");
    queue_ack_msg m[] = {
        {.raw = "u1", .len = 2, .result = "{}", .dedupe = "{a}:done:u1", .uncounted = true},
        {.raw = "c1", .len = 2, .result = "{}", .dedupe = "{a}:done:c1"},
    };
    reset_stats(s);
    ASSERT_STR_EQ(ack(s, k, m, 2, 3600), "1,1");
    ASSERT_INT_EQ(calls(s, "hdel"), 1);
    ASSERT_STR_EQ(hget(s, k->attempts, fu), "1");
    ASSERT_STR_EQ(hget(s, k->attempts, fc), "(nil)");
    ASSERT_INT_EQ(integer(s, "LLEN %s", k->proc_live), 0);
    freeReplyObject(redisCommand(s->c, "DEL %s %s", k->attempts, k->results));
}

/* Giving up sets P:gave-up for at least the de-duplication TTL; only then are guards read. */
static void check_gave_up(server *s, const queue_keys *k)
{
    queue_ack_msg give = {.raw = "g1",
                          .len = 2,
                          .result = "{\"gave\":1}",
                          .dead = "{}",
                          .dedupe = "{a}:done:g:error",
                          .gave_up = true,
                          .uncounted = true};
    queue_ack_msg graded = {.raw = "g2",
                            .len = 2,
                            .result = "{\"graded\":1}",
                            .dedupe = "{a}:done:g:sha",
                            .guard = "{a}:done:g:error",
                            .graded = true,
                            .uncounted = true};
    /* A graded message while no id was given up on: its guard is not read. */
    lpush(s, k->proc_live, "g0");
    queue_ack_msg first = graded;
    first.raw = "g0";
    first.dedupe = "{a}:done:g0:sha";
    first.guard = "{a}:done:g0:error";
    reset_stats(s);
    ASSERT_STR_EQ(ack(s, k, &first, 1, 3600), "1");
    ASSERT_INT_EQ(calls(s, "get"), 0);
    ASSERT_INT_EQ(calls(s, "exists"), 1); /* P:gave-up, once per batch */
    ASSERT_INT_EQ(integer(s, "EXISTS %s", k->gave_up), 0);

    lpush(s, k->proc_live, "g1");
    ASSERT_STR_EQ(ack(s, k, &give, 1, 3600), "1");
    ASSERT_STR_EQ(get(s, "{a}:done:g:error"), "gave-up");
    long long ttl = integer(s, "TTL %s", k->gave_up);
    ASSERT(ttl > 3000 && ttl <= 3600);
    /* A graded copy of that id afterwards is a duplicate. */
    lpush(s, k->proc_live, "g2");
    reset_stats(s);
    ASSERT_STR_EQ(ack(s, k, &graded, 1, 3600), "2");
    ASSERT_INT_EQ(calls(s, "get"), 1);
    ASSERT_STR_EQ(get(s, "{a}:done:g:sha"), "(nil)");
    ASSERT_STR_EQ(range(s, k->results), "{\"gave\":1},{\"graded\":1}");

    /* A shorter TTL does not shorten P:gave-up; a longer one lengthens it. */
    give.dedupe = "{a}:done:h:error";
    lpush(s, k->proc_live, "g1");
    ASSERT_STR_EQ(ack(s, k, &give, 1, 60), "1");
    ttl = integer(s, "TTL %s", k->gave_up);
    ASSERT(ttl > 3000 && ttl <= 3600);
    give.dedupe = "{a}:done:i:error";
    lpush(s, k->proc_live, "g1");
    ASSERT_STR_EQ(ack(s, k, &give, 1, 86400), "1");
    ttl = integer(s, "TTL %s", k->gave_up);
    ASSERT(ttl > 86000 && ttl <= 86400);

    /* The contract: a "gave-up" record without P:gave-up (written by hand, or by a worker
     * older than P:gave-up) is not read, so that copy is answered. */
    freeReplyObject(redisCommand(s->c, "DEL %s", k->gave_up));
    graded.raw = "g3";
    lpush(s, k->proc_live, "g3");
    ASSERT_STR_EQ(ack(s, k, &graded, 1, 3600), "1");
    ASSERT_STR_EQ(get(s, "{a}:done:g:sha"), "1");
    freeReplyObject(redisCommand(s->c, "DEL %s %s %s", k->results, k->dead, k->proc_live));
}

/* The results never enter the script: each destination's are pushed by one plain LPUSH
 * right before it, in message order, and it takes back those it does not answer (LSET to ''
 * and one LREM from the head), so they land as an LPUSH per answered message would, after
 * what the list held; a reply list that kept one gets its TTL; the dead letters get one
 * LPUSH per batch; a script that fails takes the batch's results back. */
static void check_pushes(server *s, const queue_keys *k)
{
    const char *raw[] = {"p1", "p2", "p3", "p4", "p5", "p6"};
    for (size_t i = 0; i < 6; i++) {
        lpush(s, k->proc_live, raw[i]);
    }
    freeReplyObject(redisCommand(s->c, "SET {a}:done:p4 1"));
    freeReplyObject(redisCommand(s->c, "DEL %s", k->stats));
    queue_ack_msg m[6];
    const char *res[] = {"r1", "r2", "r3", "r4", "r5", "r6"};
    const char *dead[] = {NULL, "d2", "d3", "d4", NULL, "d6"};
    const char *reply[] = {
        NULL, "{a}:results:c1", NULL, "{a}:results:c1", "{a}:results:c2", "{a}:results:c1"};
    const char *dedupe[] = {"{a}:done:p1", "{a}:done:p2", "{a}:done:p3",
                            "{a}:done:p4", "{a}:done:p5", "{a}:done:p6"};
    for (size_t i = 0; i < 6; i++) {
        m[i] = (queue_ack_msg){.raw = raw[i],
                               .len = 2,
                               .result = res[i],
                               .dead = dead[i],
                               .reply = reply[i],
                               .dedupe = dedupe[i],
                               .uncounted = true};
    }
    reset_stats(s);
    ASSERT_STR_EQ(ack(s, k, m, 6, 3600), "1,1,1,2,1,1");
    ASSERT_INT_EQ(calls(s, "lpush"), 4); /* results, c1, c2 before the script; dead */
    ASSERT_INT_EQ(calls(s, "lset"), 1);  /* r4, the duplicate's */
    ASSERT_INT_EQ(calls(s, "lrem"), 7);  /* the six from processing; r4 from c1 */
    ASSERT_INT_EQ(calls(s, "lmove") + calls(s, "rename") + calls(s, "exists"), 1);
    ASSERT_INT_EQ(calls(s, "expire"), 3); /* c1, c2, the rate */
    ASSERT_STR_EQ(range(s, k->results), "r3,r1");
    ASSERT_STR_EQ(range(s, "{a}:results:c1"), "r6,r2");
    ASSERT_STR_EQ(range(s, "{a}:results:c2"), "r5");
    ASSERT_STR_EQ(range(s, k->dead), "d6,d3,d2");
    long long ttl = integer(s, "TTL %s", "{a}:results:c1");
    ASSERT(ttl > 0 && ttl <= 60);
    ttl = integer(s, "TTL %s", "{a}:results:c2");
    ASSERT(ttl > 0 && ttl <= 60);
    ASSERT_STR_EQ(hget(s, k->stats, "duplicates"), "1");
    ASSERT_INT_EQ(integer(s, "LLEN %s", k->proc_live), 0);

    /* Onto lists that hold results: after them. A reply list that only got a duplicate
     * keeps its TTL (none here) and what it held. */
    freeReplyObject(redisCommand(s->c, "PERSIST {a}:results:c2"));
    const char *more[] = {"p7", "p8", "p9"};
    for (size_t i = 0; i < 3; i++) {
        lpush(s, k->proc_live, more[i]);
    }
    freeReplyObject(redisCommand(s->c, "SET {a}:done:p9 1"));
    queue_ack_msg n[3] = {
        {.raw = "p7", .len = 2, .result = "r7", .dedupe = "{a}:done:p7", .uncounted = true},
        {.raw = "p8",
         .len = 2,
         .result = "r8",
         .reply = "{a}:results:c1",
         .dedupe = "{a}:done:p8",
         .uncounted = true},
        {.raw = "p9",
         .len = 2,
         .result = "r9",
         .reply = "{a}:results:c2",
         .dedupe = "{a}:done:p9",
         .uncounted = true},
    };
    ASSERT_STR_EQ(ack(s, k, n, 3, 3600), "1,1,2");
    ASSERT_STR_EQ(range(s, k->results), "r7,r3,r1");
    ASSERT_STR_EQ(range(s, "{a}:results:c1"), "r8,r6,r2");
    ASSERT_STR_EQ(range(s, "{a}:results:c2"), "r5");
    ASSERT_INT_EQ(integer(s, "TTL %s", "{a}:results:c2"), -1);

    /* A script that fails (a processing list of the wrong type) takes back the results it
     * was given, and only those, and answers the error. */
    freeReplyObject(redisCommand(s->c, "SET %s oops", k->proc_live));
    lpush(s, "{a}:results:c1", "older");
    queue_ack a;
    queue_ack_init(&a);
    queue_ack_add(&a, &n[0]);
    queue_ack_add(&a, &n[1]);
    queue_ack_opts o = {.rate_key = "{a}:rate:1", .dedupe_ttl_s = 60, .reply_ttl_s = 60};
    queue_tx v = {0};
    ASSERT_INT_EQ(queue_ack_finish(&a, k, &o, &v), 0);
    redisReply *r = run_tx(s, &v);
    ASSERT(r && r->type == REDIS_REPLY_ERROR && strstr(r->str, "WRONGTYPE") != NULL);
    freeReplyObject(r);
    queue_tx_free(&v);
    ASSERT_STR_EQ(range(s, k->results), "r7,r3,r1");
    ASSERT_STR_EQ(range(s, "{a}:results:c1"), "older,r8,r6,r2");
    freeReplyObject(redisCommand(s->c, "DEL %s %s %s {a}:results:c1 {a}:results:c2",
                                 k->proc_live, k->results, k->dead));
}

int main(void)
{
    server s = {0};
    if (!server_ready(&s, "nothing to check")) {
        ASSERT(true);
        return tap_done();
    }
    queue_script_sha(queue_claim_lua, claim_sha);
    queue_keys k;
    queue_keys_init(&k, "{a}", "w1");
    check_claim_order(&s, &k);
    check_claim_stops(&s, &k);
    check_ack_counts(&s, &k);
    check_gave_up(&s, &k);
    check_pushes(&s, &k);
    server_stop(&s);
    return tap_done();
}
