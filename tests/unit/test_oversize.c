/*
 * test_oversize.c - oversized messages (docs/protocol.md "Too large"): the id read from a
 * message's first bytes and its dead-letter entry; then, through the real scripts, the claim
 * that takes one alone into the oversize list and returns only its first KiB, its length and
 * SHA-1, one at a time per worker, the acknowledgement that moves it to P:dead:oversize
 * (which keeps the newest), and the recovery that returns it uncounted.
 */
#include "ack.h"
#include "deadletter.h"
#include "oversize.h"
#include "queue.h"
#include "redis_test.h"
#include "tap.h"

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sha1("abc") (FIPS 180-2). */
static const char sha1_abc[] = "a9993e364706816aba3e25717850c26c9cd0d89d";

/* The id of an oversized message from its first bytes: only a string literal right after
 * {"id": as the first tokens, decoded by jansson. And its dead-letter entry. */
static void test_oversize(void)
{
    struct {
        const char *prefix;
        const char *id; /* NULL: none */
    } cases[] = {
        {"{\"id\":\"abc\",\"x\":1", "abc"},
        {" \n {\t\"id\" : \"a\\\"b\\u00e9\\n\" , \"x", "a\"b\xc3\xa9\n"},
        {"{\"id\":\"\",\"rubric\":\"r\"}", ""},
        {"{\"rubric\":\"x\",\"id\":\"a\"}", NULL},
        {"{\"id\":\"abc", NULL},
        {"{\"id\":17}", NULL},
        {"{\"id\":\"a\\x\"}", NULL},
        {"[\"id\",\"a\"]", NULL},
        {"{\"identity\":\"a\"}", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char rt[65] = "x";
        json_t *id = queue_oversize_id(cases[i].prefix, strlen(cases[i].prefix), rt);
        ASSERT_STR_EQ(rt, "");
        if (cases[i].id) {
            ASSERT(json_is_string(id));
            ASSERT_STR_EQ(json_string_value(id), cases[i].id);
        } else {
            ASSERT(id == NULL);
        }
        json_decref(id);
    }
    /* An escaped NUL decodes (the engine then refuses it as an id); bytes that are not UTF-8
     * after the literal do not matter; a literal the prefix cuts is no id. */
    json_t *id = queue_oversize_id("{\"id\":\"a\\u0000b\",\xff\xfe", 18, NULL);
    ASSERT(json_is_string(id) && json_string_length(id) == 3);
    json_decref(id);
    char cut[QUEUE_OVERSIZE_PREFIX];
    memset(cut, 'y', sizeof(cut));
    memcpy(cut, "{\"id\":\"", 7);
    ASSERT(queue_oversize_id(cut, sizeof(cut), NULL) == NULL);

    /* A reply list right after the id is read too (only then, and only a valid one). */
    struct {
        const char *prefix, *reply_to;
    } rts[] = {
        {"{\"id\":\"a\",\"reply_to\":\"lms-1:w.2_x\",\"x\":1", "lms-1:w.2_x"},
        {"{ \"id\" : \"a\" ,\n \"reply_to\" : \"c\" }", "c"},
        {"{\"id\":\"a\",\"rubric\":\"r\",\"reply_to\":\"c\"", ""},
        {"{\"id\":\"a\",\"reply_to\":\"bad list\"", ""},
        {"{\"id\":\"a\",\"reply_to\":\"c", ""},
        {"{\"id\":\"a\",\"reply_to\":17", ""},
    };
    for (size_t i = 0; i < sizeof(rts) / sizeof(rts[0]); i++) {
        char rt[65] = "x";
        json_t *v = queue_oversize_id(rts[i].prefix, strlen(rts[i].prefix), rt);
        ASSERT(json_is_string(v));
        ASSERT_STR_EQ(rt, rts[i].reply_to);
        json_decref(v);
    }

    json_t *res = json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", "big-1", "status", "error",
                            "error", "code", "too_large", "message", "m");
    char *text =
        queue_dead_encode_oversize(res, 67108864, sha1_abc, "{t}:dead:oversize", "host:1",
                                   "2024-05-01T10:00:00.000Z", 1, QUEUE_REGRADE);
    json_t *e = queue_dead_parse(text, text ? strlen(text) : 0);
    ASSERT_INT_EQ(json_object_size(e), 10);
    ASSERT_STR_EQ(json_string_value(json_object_get(e, "reason")), "too_large");
    ASSERT_STR_EQ(json_string_value(json_object_get(e, "id")), "big-1");
    ASSERT_INT_EQ(json_integer_value(json_object_get(e, "bytes")), 67108864);
    ASSERT_STR_EQ(json_string_value(json_object_get(e, "sha1")), sha1_abc);
    ASSERT_STR_EQ(json_string_value(json_object_get(e, "kept_in")), "{t}:dead:oversize");
    ASSERT_STR_EQ(json_string_value(json_object_get(e, "queue")), "regrade");
    size_t n = 0;
    ASSERT(queue_dead_submission(e, &n) == NULL); /* no body: nothing to requeue */
    json_decref(e);
    free(text);
    json_decref(res);
}

/* An oversized message: claimed alone into the oversize list, only its first KiB, length
 * and SHA-1 returned; one at a time per worker; acknowledged by moving it to
 * P:dead:oversize, which keeps the newest; recovery returns it uncounted. */
static void check_oversize(server *s)
{
    queue_keys k;
    queue_keys_init(&k, "{o}", "w1");
    char claim_sha[41], rec_sha[41];
    queue_script_sha(queue_claim_lua, claim_sha);
    queue_script_sha(queue_recover_lua, rec_sha);
    enum { BIG = 3000 };
    char big[3][BIG];
    char sha1[3][41];
    for (int i = 0; i < 3; i++) {
        memset(big[i], 'x', BIG);
        int n = snprintf(big[i], BIG, "{\"id\":\"big-%d\",\"pad\":\"", i);
        big[i][n] = 'x'; /* no NUL inside */
        queue_attempts_field(big[i], BIG, sha1[i]);
    }
    /* Oldest first: small, big 0, big 1, small, big 2. */
    const char *order[] = {"s1", big[0], big[1], "s2", big[2]};
    size_t lens[] = {2, BIG, BIG, 2, BIG};
    for (size_t i = 0; i < 5; i++) {
        const char *argv[] = {"LPUSH", k.live, order[i]};
        size_t argl[] = {5, strlen(k.live), lens[i]};
        freeReplyObject(redisCommandArgv(s->c, 3, argv, argl));
    }
    queue_claim_args c;
    /* A batch stops before an oversized message... */
    queue_claim_args_init(&c, claim_sha, &k, "w1", 10, true, 5, 2048, true);
    redisReply *r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, c.argv, NULL);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    if (r && r->elements == 3) {
        ASSERT_STR_EQ(r->element[1]->str, "s1");
    }
    freeReplyObject(r);
    /* ...which is then claimed alone: its first KiB, its length and its SHA-1. */
    r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, c.argv, NULL);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    if (r && r->elements == 4) {
        ASSERT_STR_EQ(r->element[0]->str, "lo");
        ASSERT_MEM_EQ(r->element[1]->str, r->element[1]->len, big[0],
                      (size_t)QUEUE_OVERSIZE_PREFIX);
        ASSERT_INT_EQ(r->element[2]->integer, BIG);
        ASSERT_STR_EQ(r->element[3]->str, sha1[0]);
    }
    freeReplyObject(r);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_oversize), 1);
    ASSERT_INT_EQ(integer(s, "SISMEMBER %s w1", k.workers), 1);
    ASSERT_STR_EQ(hget(s, k.oversize_meta, "sha1"), sha1[0]);
    /* A worker that lost that reply resumes it from the meta, without reading the body. */
    char res_sha[41];
    queue_script_sha(queue_resume_lua, res_sha);
    const char *rs[QUEUE_RESUME_ARGC];
    queue_resume_argv(rs, res_sha, &k);
    r = redisCommandArgv(s->c, QUEUE_RESUME_ARGC, rs, NULL);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 4) {
        ASSERT_STR_EQ(r->element[0]->str, "lo");
        ASSERT_MEM_EQ(r->element[1]->str, r->element[1]->len, big[0],
                      (size_t)QUEUE_OVERSIZE_PREFIX);
        ASSERT_INT_EQ(r->element[2]->integer, BIG);
        ASSERT_STR_EQ(r->element[3]->str, sha1[0]);
    }
    freeReplyObject(r);
    /* Holding one, the worker is told to wait when another heads the queue. */
    queue_claim_args_init(&c, claim_sha, &k, "w1", 10, false, 5, 2048, false);
    r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, c.argv, NULL);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    if (r && r->elements == 1) {
        ASSERT_STR_EQ(r->element[0]->str, "lw");
    }
    freeReplyObject(r);

    /* Acknowledged: the body moves to P:dead:oversize; the counters say too_large. */
    queue_ack_msg m = {.raw = sha1[0],
                       .len = 40,
                       .lane = QUEUE_LIVE,
                       .result = "{\"big\":0}",
                       .dead = "{\"dead\":0}",
                       .dedupe = "{o}:done:big0:error",
                       .oversize = true};
    queue_tx v = {0};
    ASSERT_INT_EQ(build_ack(&k, &m, 1, &v), 0);
    r = run_tx(s, &v);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
           r->element[0]->integer == QUEUE_ACK_ANSWERED);
    freeReplyObject(r);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_oversize), 0);
    ASSERT_INT_EQ(integer(s, "EXISTS %s", k.oversize_meta), 0);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.dead_oversize), 1);
    r = redisCommandArgv(s->c, QUEUE_RESUME_ARGC, rs, NULL); /* nothing left to resume */
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    ASSERT_STR_EQ(hget(s, k.stats, "too_large"), "1");
    ASSERT_STR_EQ(hget(s, k.stats, "errors"), "1");
    /* Acknowledged again (a resend): gone, nothing pushed twice. */
    r = run_tx(s, &v);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
           r->element[0]->integer == QUEUE_ACK_GONE);
    freeReplyObject(r);
    queue_tx_free(&v);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.results), 1);

    /* The next two: the list keeps the newest 2 (build_ack's oversize_keep). */
    queue_claim_args_init(&c, claim_sha, &k, "w1", 10, true, 5, 2048, true);
    for (int i = 1; i < 3; i++) {
        r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, c.argv, NULL);
        if (i == 2) { /* "s2" came between */
            freeReplyObject(r);
            r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, c.argv, NULL);
        }
        ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 4);
        freeReplyObject(r);
        m.raw = sha1[i];
        ASSERT_INT_EQ(build_ack(&k, &m, 1, &v), 0);
        freeReplyObject(run_tx(s, &v));
        queue_tx_free(&v);
    }
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.dead_oversize), 2);
    r = redisCommand(s->c, "LINDEX %s 0", k.dead_oversize);
    ASSERT(r && r->type == REDIS_REPLY_STRING);
    if (r && r->type == REDIS_REPLY_STRING) {
        ASSERT_MEM_EQ(r->str, r->len, big[2], (size_t)BIG);
    }
    freeReplyObject(r);

    /* A dead worker holding one (and the two small ones claimed above): all back to the
     * live queue, a delivery counted for each small one, none for the oversized one. */
    const char *push[] = {"LPUSH", k.proc_oversize, big[1]};
    size_t pushl[] = {5, strlen(k.proc_oversize), BIG};
    freeReplyObject(redisCommandArgv(s->c, 3, push, pushl));
    /* Another oversized message is not claimed into a list that holds one (a late claim's
     * leftover, say), whatever the worker says: the list holds one at most. */
    const char *push2[] = {"LPUSH", k.live, big[2]};
    size_t push2l[] = {5, strlen(k.live), BIG};
    freeReplyObject(redisCommandArgv(s->c, 3, push2, push2l));
    queue_claim_args_init(&c, claim_sha, &k, "w1", 10, true, 5, 2048, true);
    r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, c.argv, NULL);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
        ASSERT_STR_EQ(r->element[0]->str, "lw");
    }
    freeReplyObject(r);
    const char *argv[QUEUE_RECOVER_ARGC];
    /* Our own recovery (force) leaves it; a dead worker's (oversize) returns it. */
    queue_recover_argv(argv, rec_sha, &k, "w1", true, false, false);
    r = redisCommandArgv(s->c, QUEUE_RECOVER_ARGC, argv, NULL);
    ASSERT_INT_EQ(r && r->type == REDIS_REPLY_INTEGER ? r->integer : -99, 2);
    freeReplyObject(r);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_oversize), 1);
    ASSERT_INT_EQ(integer(s, "HLEN %s", k.attempts), 0);
    freeReplyObject(redisCommand(s->c, "LMOVE %s %s LEFT LEFT", k.live, k.proc_live));
    freeReplyObject(redisCommand(s->c, "LMOVE %s %s LEFT LEFT", k.live, k.proc_live));
    queue_recover_argv(argv, rec_sha, &k, "w1", false, true, true);
    r = redisCommandArgv(s->c, QUEUE_RECOVER_ARGC, argv, NULL);
    ASSERT_INT_EQ(r && r->type == REDIS_REPLY_INTEGER ? r->integer : -99, 3);
    freeReplyObject(r);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.live), 4);
    ASSERT_INT_EQ(integer(s, "HLEN %s", k.attempts), 2);
    r = redisCommand(s->c, "HEXISTS %s %s", k.attempts, sha1[1]);
    ASSERT_INT_EQ(r && r->type == REDIS_REPLY_INTEGER ? r->integer : -99, 0);
    freeReplyObject(r);
}

int main(void)
{
    test_oversize();
    server s = {0};
    if (!server_ready(&s, "the scripts' side is not checked")) {
        return tap_done();
    }
    check_oversize(&s);
    server_stop(&s);
    return tap_done();
}
