/*
 * test_ack_records.c - learner records through the real scripts (docs/records.md "In the
 * worker"): the read script's answer (ver, gen, document or "held", the keys' values), and
 * the acknowledgement's record groups, which commit with their messages only when what was
 * read still holds (ver and gen, the staged record, the messages in processing, their
 * de-duplication records and guards), their credentials only with them; and groups that
 * share a key commit together or not at all (ackunit.h).
 */
#include "ack.h"
#include "ackunit.h"
#include "queue.h"
#include "recread.h"
#include "redis_test.h"
#include "tap.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

/* Records: the read script returns each record's ver and doc and each key's value ("" for
 * none); the ack script commits a group with its messages only when ver and gen, its staged
 * record, the messages' presence in processing and their keys are as read: a group that
 * changed is left alone (its messages answered CONFLICT, or GONE when recovered
 * elsewhere; its stage deleted), the others commit (their stage renamed over the record). */
static void check_records(server *s)
{
    queue_keys k;
    queue_keys_init(&k, "{r}", "w1");
    char read_sha[41];
    queue_script_sha(queue_recread_lua, read_sha);
    freeReplyObject(redisCommand(s->c, "HSET {r}:record:a ver 4 doc A4"));
    freeReplyObject(redisCommand(s->c, "SET {r}:done:x:sha 1"));
    freeReplyObject(redisCommand(s->c, "HSET {r}:credentials:a c@1 T1 d@2 T2"));
    const char *recs[] = {"{r}:record:a", "{r}:record:b"};
    const char *creds[] = {"{r}:credentials:a", "{r}:credentials:b"};
    const char *keys[] = {"{r}:done:x:sha", "{r}:done:y:sha"};
    queue_argv v = {0};
    ASSERT_INT_EQ(queue_recread_argv(read_sha, recs, creds, NULL, NULL, 2, keys, 2, &v), 0);
    redisReply *r = run(s, &v);
    const char *want[] = {"4", "", "A4", "c@1\nd@2", "", "", "", "", "1", ""};
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 10);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && i < 10; i++) {
        ASSERT_STR_EQ(r->element[i]->str, want[i]);
    }
    freeReplyObject(r);
    queue_argv_free(&v);

    /* The worker holds a's record: the document is skipped (integer 1) only when "ver" and
     * "gen" are both those held, and never for a record without a "gen". */
    struct {
        const char *ver, *gen;
        bool current;
    } held[] = {{"4", "", false}, {"4", "g1", true}, {"3", "g1", false}, {"4", "g0", false}};
    for (size_t t = 0; t < sizeof(held) / sizeof(held[0]); t++) {
        if (t == 1) {
            freeReplyObject(redisCommand(s->c, "HSET {r}:record:a gen g1"));
        }
        const char *hv[] = {held[t].ver, ""}, *hg[] = {held[t].gen, ""};
        ASSERT_INT_EQ(queue_recread_argv(read_sha, recs, creds, hv, hg, 2, keys, 2, &v), 0);
        r = run(s, &v);
        ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 10);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 10) {
            ASSERT_STR_EQ(r->element[0]->str, "4");
            ASSERT_STR_EQ(r->element[1]->str, t == 0 ? "" : "g1");
            if (held[t].current) {
                ASSERT(r->element[2]->type == REDIS_REPLY_INTEGER &&
                       r->element[2]->integer == 1);
            } else {
                ASSERT(r->element[2]->type == REDIS_REPLY_STRING);
                ASSERT_STR_EQ(r->element[2]->str, "A4");
            }
            ASSERT_STR_EQ(r->element[6]->str, ""); /* b: no record, never current */
            ASSERT_STR_EQ(r->element[8]->str, "1");
        }
        freeReplyObject(r);
        queue_argv_free(&v);
    }
    /* A record deleted and made again by another worker up to the same "ver" has another
     * "gen": its document is sent. */
    freeReplyObject(redisCommand(s->c, "DEL {r}:record:a"));
    freeReplyObject(redisCommand(s->c, "HSET {r}:record:a ver 4 gen g2 doc A4b"));
    const char *hv[] = {"4", ""}, *hg[] = {"g1", ""};
    ASSERT_INT_EQ(queue_recread_argv(read_sha, recs, creds, hv, hg, 2, keys, 2, &v), 0);
    r = run(s, &v);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 10 &&
           r->element[2]->type == REDIS_REPLY_STRING);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 10) {
        ASSERT_STR_EQ(r->element[2]->str, "A4b");
    }
    freeReplyObject(r);
    queue_argv_free(&v);
    freeReplyObject(redisCommand(s->c, "DEL {r}:record:a"));
    freeReplyObject(redisCommand(s->c, "HSET {r}:record:a ver 4 doc A4"));

    /* Group a (ver 4 read, but another writer made it 5): conflict. Group b (no record):
     * commits. Group c: its message was recovered elsewhere (gone). */
    freeReplyObject(redisCommand(s->c, "HSET {r}:record:a ver 5 doc A5"));
    freeReplyObject(redisCommand(s->c, "RPUSH %s ma mb mb2", k.proc_live));
    queue_ack a;
    queue_ack_init(&a);
    int ga = queue_ack_group(&a, "{r}:record:a", "4", "", "A-new", NULL, "{r}:stage:w1:1",
                             "{r}:credentials:a");
    int gb = queue_ack_group(&a, "{r}:record:b", "", "", "B1", "gb", "{r}:stage:w1:2",
                             "{r}:credentials:b");
    int gc = queue_ack_group(&a, "{r}:record:c", "", "", "C1", "gc", "{r}:stage:w1:3", NULL);
    ASSERT(ga == 1 && gb == 2 && gc == 3);
    /* Awards: a's is not written (its group conflicts); b's is stored and announced once. */
    queue_ack_award(&a, ga, true, "c@9", "TA", "{\"e\":\"a\"}", "{r}:credentials");
    queue_ack_award(&a, gb, true, "c@1", "TB", "{\"e\":\"b\"}", "{r}:credentials");
    queue_ack_award(&a, gb, true, "c@1", "TB2", "{\"e\":\"b2\"}", "{r}:credentials");
    queue_ack_award(&a, gb, false, "d@2", NULL, "{\"e\":\"n\"}", "{r}:credentials");
    queue_ack_msg m[] = {
        {.raw = "ma",
         .len = 2,
         .result = "{\"a\":1}",
         .dedupe = "{r}:done:ma",
         .graded = true,
         .group = ga},
        {.raw = "mb",
         .len = 2,
         .result = "{\"b\":1}",
         .dedupe = "{r}:done:mb",
         .graded = true,
         .group = gb},
        /* Read as already answered: a duplicate in its group, which still commits. */
        {.raw = "mb2",
         .len = 3,
         .result = "{\"b\":2}",
         .dedupe = "{r}:done:x:sha",
         .graded = true,
         .group = gb,
         .seen_dedupe = "1"},
        {.raw = "mc",
         .len = 2,
         .result = "{\"c\":1}",
         .dedupe = "{r}:done:mc",
         .graded = true,
         .group = gc},
    };
    for (size_t i = 0; i < 4; i++) {
        queue_ack_add(&a, &m[i]);
    }
    queue_ack_opts o = {.rate_key = "{r}:rate:1", .dedupe_ttl_s = 60, .reply_ttl_s = 60};
    queue_tx t = {0};
    ASSERT_INT_EQ(queue_ack_finish(&a, &k, &o, &t), 0);
    ASSERT_INT_EQ(t.script, 4); /* the three records' HSETs, the results' LPUSH */
    run_tx_part(s, &t, 0, 3);
    ASSERT_STR_EQ(hget(s, "{r}:stage:w1:2", "doc"), "B1");
    ASSERT_STR_EQ(hget(s, "{r}:stage:w1:2", "ver"), "1");
    ASSERT_STR_EQ(hget(s, "{r}:stage:w1:1", "ver"), "5");
    r = run_tx(s, &t);
    long long st[] = {QUEUE_ACK_CONFLICT, QUEUE_ACK_ANSWERED, QUEUE_ACK_DUPLICATE,
                      QUEUE_ACK_GONE};
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && i < 4; i++) {
        ASSERT_INT_EQ(r->element[i]->integer, st[i]);
    }
    freeReplyObject(r);
    queue_tx_free(&t);
    ASSERT_STR_EQ(hget(s, "{r}:record:a", "doc"), "A5");
    ASSERT_STR_EQ(hget(s, "{r}:record:b", "ver"), "1");
    ASSERT_STR_EQ(hget(s, "{r}:record:b", "doc"), "B1");
    ASSERT_STR_EQ(hget(s, "{r}:record:b", "gen"), "gb"); /* a new record gets its "gen" */
    /* Every stage is gone: renamed over its record, or deleted with its group. */
    for (int i = 1; i <= 3; i++) {
        char stage[40];
        snprintf(stage, sizeof stage, "{r}:stage:w1:%d", i);
        ASSERT_INT_EQ(integer(s, "EXISTS %s", stage), 0);
    }
    ASSERT_STR_EQ(hget(s, "{r}:record:c", "gen"), "(nil)");
    ASSERT_STR_EQ(hget(s, "{r}:record:c", "ver"), "(nil)");
    ASSERT_STR_EQ(get(s, "{r}:done:ma"), "(nil)");
    ASSERT_STR_EQ(get(s, "{r}:done:mb"), "1");
    /* The conflicting message stays in processing for the worker to read again. */
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_live), 1);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.results), 1);
    ASSERT_STR_EQ(hget(s, k.stats, "records"), "1");
    ASSERT_STR_EQ(hget(s, k.stats, "record_conflicts"), "2");
    ASSERT_STR_EQ(hget(s, "{r}:credentials:a", "c@9"), "(nil)");
    ASSERT_STR_EQ(hget(s, "{r}:credentials:b", "c@1"), "TB");
    ASSERT_INT_EQ(integer(s, "LLEN %s", "{r}:credentials"), 2);
    ASSERT_STR_EQ(hget(s, k.stats, "credentials_issued"), "1");
    ASSERT_STR_EQ(hget(s, k.stats, "credentials_no_longer_met"), "1");

    /* Read again (ver 5) and committed: ver 6. A changed key is a conflict too. */
    queue_ack_init(&a);
    ga = queue_ack_group(&a, "{r}:record:a", "5", "", "A6", NULL, "{r}:stage:w1:4", NULL);
    queue_ack_msg again = {.raw = "ma",
                           .len = 2,
                           .result = "{\"a\":2}",
                           .dedupe = "{r}:done:ma",
                           .graded = true,
                           .group = ga};
    queue_ack_add(&a, &again);
    ASSERT_INT_EQ(queue_ack_finish(&a, &k, &o, &t), 0);
    ASSERT_INT_EQ(t.script, 2); /* its HSET, its result's LPUSH */
    freeReplyObject(redisCommand(s->c, "SET {r}:done:ma 1"));
    r = run_tx(s, &t);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
           r->element[0]->integer == QUEUE_ACK_CONFLICT);
    freeReplyObject(r);
    freeReplyObject(redisCommand(s->c, "DEL {r}:done:ma"));
    /* Its stage went with the conflict, and its result with it: the same script again
     * conflicts, until staged. */
    ASSERT_INT_EQ(integer(s, "EXISTS %s", "{r}:stage:w1:4"), 0);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.results), 1);
    run_tx_part(s, &t, 1, 2);
    r = run(s, &t.cmd[t.script]);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
           r->element[0]->integer == QUEUE_ACK_CONFLICT);
    freeReplyObject(r);
    run_tx_part(s, &t, t.script + 1, t.n);
    r = run_tx(s, &t);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
           r->element[0]->integer == QUEUE_ACK_ANSWERED);
    freeReplyObject(r);
    queue_tx_free(&t);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.results), 2);
    r = redisCommand(s->c, "LINDEX %s 0", k.results);
    ASSERT(r && r->type == REDIS_REPLY_STRING && strcmp(r->str, "{\"a\":2}") == 0);
    freeReplyObject(r);
    ASSERT_STR_EQ(hget(s, "{r}:record:a", "ver"), "6");
    ASSERT_STR_EQ(hget(s, "{r}:record:a", "doc"), "A6");
    ASSERT_STR_EQ(hget(s, "{r}:record:a", "gen"), "(nil)"); /* none given: none written */
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_live), 0);

    /* Deleted and made again by another worker up to the same "ver", with another "gen":
     * a conflict, not an overwrite of the other's record. With the "gen" read, a commit
     * that keeps it. */
    freeReplyObject(redisCommand(s->c, "HSET {r}:record:a gen g1"));
    freeReplyObject(redisCommand(s->c, "RPUSH %s ma", k.proc_live));
    for (int i = 0; i < 2; i++) {
        queue_ack_init(&a);
        ga = queue_ack_group(&a, "{r}:record:a", "6", i == 0 ? "g0" : "g1", "A7", NULL,
                             "{r}:stage:w1:5", NULL);
        again.group = ga;
        again.dedupe = "{r}:done:ma2";
        queue_ack_add(&a, &again);
        ASSERT_INT_EQ(queue_ack_finish(&a, &k, &o, &t), 0);
        r = run_tx(s, &t);
        ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
               r->element[0]->integer == (i == 0 ? QUEUE_ACK_CONFLICT : QUEUE_ACK_ANSWERED));
        freeReplyObject(r);
        queue_tx_free(&t);
        ASSERT_STR_EQ(hget(s, "{r}:record:a", "doc"), i == 0 ? "A6" : "A7");
    }
    ASSERT_STR_EQ(hget(s, "{r}:record:a", "ver"), "7");
    ASSERT_STR_EQ(hget(s, "{r}:record:a", "gen"), "g1"); /* kept: written with the record */
}

/* The units, without Redis: connected through shared keys, a guard meeting a
 * de-duplication record (an error copy and a graded copy of one id) included, through
 * messages without a group too; a message without a group that shares nothing has none. */
static void check_unit_sets(void)
{
    queue_unit_msg m[] = {
        {1, "d:x", "e:x"}, /* 0: group 1 */
        {2, "d:x", "e:x"}, /* 1: group 2, the same submission: with 1 */
        {3, "d:y", "e:y"}, /* 2: group 3, alone */
        {0, "e:z", NULL},  /* 3: no group, an error copy of z: joins 4's group 4 */
        {4, "d:z", "e:z"}, /* 4: group 4 */
        {0, "d:w", NULL},  /* 5: no group, shares nothing */
        {5, "d:v", "e:v"}, /* 6: group 5 */
        {0, "d:v", "e:u"}, /* 7: no group: joins 5 and, through e:u, group 6 */
        {6, "d:u", "e:u"}, /* 8: group 6 */
        {0, NULL, NULL},   /* 9: no id */
        {1, "d:t", "e:t"}, /* 10: group 1 again, another submission */
    };
    int unit[6] = {0}, msg_unit[11];
    memset(msg_unit, 0xff, sizeof msg_unit);
    ASSERT_INT_EQ(queue_ack_units(m, 11, 6, unit, msg_unit), 0);
    int want_unit[] = {1, 1, 3, 4, 5, 5};
    int want_msg[] = {0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0};
    for (int g = 0; g < 6; g++) {
        ASSERT_INT_EQ(unit[g], want_unit[g]);
    }
    for (int i = 0; i < 11; i++) {
        ASSERT_INT_EQ(msg_unit[i], want_msg[i]);
    }
    /* No groups: no unit for anyone. */
    ASSERT_INT_EQ(queue_ack_units(m + 3, 1, 0, unit, msg_unit), 0);
    ASSERT_INT_EQ(msg_unit[0], 0);
}

/* Adds two messages to a, sends the acknowledgement and checks the two statuses. */
static void ack_two(server *s, queue_ack *a, const queue_ack_msg *m, long long want0,
                    long long want1)
{
    queue_keys k;
    queue_keys_init(&k, "{r}", "w1");
    queue_ack_opts o = {.rate_key = "{r}:rate:1", .dedupe_ttl_s = 60, .reply_ttl_s = 60};
    queue_ack_add(a, &m[0]);
    queue_ack_add(a, &m[1]);
    queue_tx t = {0};
    ASSERT_INT_EQ(queue_ack_finish(a, &k, &o, &t), 0);
    redisReply *r = run_tx(s, &t);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        ASSERT_INT_EQ(r->element[0]->integer, want0);
        ASSERT_INT_EQ(r->element[1]->integer, want1);
    }
    freeReplyObject(r);
    queue_tx_free(&t);
}

/* A graded message of submission x in group g, in processing as raw. */
static queue_ack_msg msg_of(const char *raw, const char *result, const char *x, int g)
{
    static char keys[8][2][40];
    static int next;
    char(*kk)[40] = keys[next++ % 8];
    snprintf(kk[0], sizeof kk[0], "{r}:done:%s", x);
    snprintf(kk[1], sizeof kk[1], "{r}:done:%s:error", x);
    return (queue_ack_msg){.raw = raw,
                           .len = strlen(raw),
                           .result = result,
                           .dedupe = kk[0],
                           .guard = kk[1],
                           .graded = true,
                           .group = g,
                           .seen_dedupe = g ? "" : NULL,
                           .seen_guard = g ? "" : NULL};
}

/* Through the script: one submission in a batch twice, naming learners ua and ub. The
 * worker computed ua's copy fresh and ub's a duplicate; when ua's group fails its check,
 * ub's must not commit either, or ub's copy would be pushed as fresh with its evidence in
 * no record. Likewise a message without a group that shares a key with a group, and is
 * gone, holds that group back. */
static void check_units(server *s)
{
    queue_keys k;
    queue_keys_init(&k, "{r}", "w1");
    long long results = integer(s, "LLEN %s", k.results);
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: ua's record changed since read (ver 2 read, 3 there); pass 1: as read. */
        freeReplyObject(
            redisCommand(s->c, "HSET {r}:record:ua ver %s doc UA", pass == 0 ? "3" : "2"));
        freeReplyObject(redisCommand(s->c, "RPUSH %s xa xb", k.proc_live));
        queue_ack a;
        queue_ack_init(&a);
        int ga = queue_ack_group(&a, "{r}:record:ua", "2", "", "UA-new", "g1",
                                 "{r}:stage:w1:u1", NULL);
        int gb = queue_ack_group(&a, "{r}:record:ub", "", "", NULL, NULL, NULL, NULL);
        queue_ack_msg m[] = {msg_of("xa", "{\"x\":\"ua\"}", "X", ga),
                             msg_of("xb", "{\"x\":\"ub\"}", "X", gb)};
        if (pass == 0) {
            ack_two(s, &a, m, QUEUE_ACK_CONFLICT, QUEUE_ACK_CONFLICT);
        } else {
            ack_two(s, &a, m, QUEUE_ACK_ANSWERED, QUEUE_ACK_DUPLICATE);
        }
        ASSERT_STR_EQ(get(s, "{r}:done:X"), pass == 0 ? "(nil)" : "1");
        ASSERT_INT_EQ(integer(s, "LLEN %s", k.results), results + pass);
        ASSERT_STR_EQ(hget(s, "{r}:record:ua", "doc"), pass == 0 ? "UA" : "UA-new");
        ASSERT_INT_EQ(integer(s, "EXISTS %s", "{r}:stage:w1:u1"), 0);
        ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_live), pass == 0 ? 2 : 0);
        freeReplyObject(redisCommand(s->c, "DEL %s", k.proc_live));
    }
    results++;

    /* A message without a group (no learner) shares Y with uc's message: gone, it holds uc
     * back; there, it is answered and uc's copy is the duplicate the worker computed. */
    for (int pass = 0; pass < 2; pass++) {
        freeReplyObject(
            redisCommand(s->c, pass == 0 ? "RPUSH %s yc" : "RPUSH %s y0 yc", k.proc_live));
        queue_ack a;
        queue_ack_init(&a);
        int gc =
            queue_ack_group(&a, "{r}:record:uc", "", "", "UC", "g2", "{r}:stage:w1:u2", NULL);
        queue_ack_msg m[] = {msg_of("y0", "{\"y\":0}", "Y", 0),
                             msg_of("yc", "{\"y\":\"uc\"}", "Y", gc)};
        if (pass == 0) {
            ack_two(s, &a, m, QUEUE_ACK_GONE, QUEUE_ACK_CONFLICT);
        } else {
            ack_two(s, &a, m, QUEUE_ACK_ANSWERED, QUEUE_ACK_DUPLICATE);
        }
        ASSERT_STR_EQ(get(s, "{r}:done:Y"), pass == 0 ? "(nil)" : "1");
        ASSERT_INT_EQ(integer(s, "LLEN %s", k.results), results + pass);
        ASSERT_STR_EQ(hget(s, "{r}:record:uc", "doc"), pass == 0 ? "(nil)" : "UC");
        freeReplyObject(redisCommand(s->c, "DEL %s", k.proc_live));
    }
}

int main(void)
{
    check_unit_sets();
    server s = {0};
    if (!server_ready(&s, "nothing to check")) {
        ASSERT(true);
        return tap_done();
    }
    check_records(&s);
    check_units(&s);
    server_stop(&s);
    return tap_done();
}
