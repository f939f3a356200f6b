/*
 * test_queue.c - the queue protocol (queue/): key names under a hash-tagged prefix, the
 * de-duplication key, the attempts field (SHA-1 hex), reply lists, the argument lists of
 * every script (the ack builder's layout above all), dead-letter entries round trip (NUL
 * bytes and non-UTF-8 messages included). Then, when a redis-server can be started (on a
 * unix socket in a temporary folder, TCP off), the same lists go through the real scripts:
 * the Lua side reads what the C side wrote, and redis.sha1hex agrees with
 * queue_attempts_field. Oversized messages are in test_oversize.c, the acknowledgement's
 * learner-record groups in test_ack_records.c.
 */
#include "ack.h"
#include "deadletter.h"
#include "queue.h"
#include "redis_test.h"
#include "tap.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* sha256("abc") and sha1 test vectors (FIPS 180-2). */
static const char sha256_abc[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char sha1_abc[] = "a9993e364706816aba3e25717850c26c9cd0d89d";
static const char sha1_empty[] = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

/* A message with NUL bytes, and one that is not UTF-8 (a lone 0xff and a cut sequence). */
static const char nul_msg[] = "{\"id\":\"n\0ul\",\"answer\":\"a\0b\"}";
static const char bad_msg[] = "{\"id\":\"x\",\"answer\":\"\xff\xc3\"}";
#define NUL_LEN (sizeof(nul_msg) - 1)
#define BAD_LEN (sizeof(bad_msg) - 1)

static void test_keys(void)
{
    queue_keys k;
    queue_keys_init(&k, "{assay}", "host:42");
    ASSERT_STR_EQ(k.live, "{assay}:submissions");
    ASSERT_STR_EQ(k.regrade, "{assay}:regrade");
    ASSERT_STR_EQ(k.results, "{assay}:results");
    ASSERT_STR_EQ(k.dead, "{assay}:dead");
    ASSERT_STR_EQ(k.attempts, "{assay}:attempts");
    ASSERT_STR_EQ(k.workers, "{assay}:workers");
    ASSERT_STR_EQ(k.proc_live, "{assay}:processing:host:42:submissions");
    ASSERT_STR_EQ(k.proc_regrade, "{assay}:processing:host:42:regrade");
    ASSERT_STR_EQ(k.proc_oversize, "{assay}:processing:host:42:oversize");
    ASSERT_STR_EQ(k.stats, "{assay}:stats");
    ASSERT_STR_EQ(k.gave_up, "{assay}:gave-up");
    ASSERT_STR_EQ(k.dead_oversize, "{assay}:dead:oversize");
    ASSERT_STR_EQ(k.heartbeat, "{assay}:worker:host:42");
    ASSERT(queue_keys_queue(&k, QUEUE_LIVE) == k.live);
    ASSERT(queue_keys_queue(&k, QUEUE_REGRADE) == k.regrade);
    ASSERT(queue_keys_processing(&k, QUEUE_LIVE) == k.proc_live);
    ASSERT(queue_keys_processing(&k, QUEUE_REGRADE) == k.proc_regrade);

    queue_keys_init(&k, "p", NULL); /* the shared keys only */
    ASSERT_STR_EQ(k.live, "p:submissions");
    ASSERT_STR_EQ(k.proc_live, "");
    ASSERT_STR_EQ(k.heartbeat, "");

    char key[400];
    queue_dedupe_key(key, sizeof(key), "{assay}", "abc", 3, "rubricsha");
    char want[400];
    snprintf(want, sizeof(want), "{assay}:done:%s:rubricsha", sha256_abc);
    ASSERT_STR_EQ(key, want);
    /* The id's length counts, not its first NUL. */
    char key2[400];
    queue_dedupe_key(key2, sizeof(key2), "{assay}", "abc\0def", 7, "error");
    ASSERT(strncmp(key2, want, 13 + 64) != 0);
    ASSERT_STR_CONTAINS(key2, ":error");
    queue_rate_key(key, sizeof(key), "{assay}", 29000000L);
    ASSERT_STR_EQ(key, "{assay}:rate:29000000");
    /* A learner's record and credentials: named by the SHA-256 of the learner. */
    queue_record_key(key, sizeof(key), "{assay}", "abc", 3);
    snprintf(want, sizeof(want), "{assay}:record:%s", sha256_abc);
    ASSERT_STR_EQ(key, want);
    queue_credentials_key(key, sizeof(key), "{assay}", "abc", 3);
    snprintf(want, sizeof(want), "{assay}:credentials:%s", sha256_abc);
    ASSERT_STR_EQ(key, want);

    /* A graded result's record names the rubric's content and the engine's version. */
    char grading[200];
    queue_grading_name(grading, sizeof(grading), "rsha", "0.2.0");
    ASSERT_STR_EQ(grading, "rsha:0.2.0");
    queue_dedupe_key(key, sizeof(key), "{assay}", "abc", 3, grading);
    snprintf(want, sizeof(want), "{assay}:done:%s:rsha:0.2.0", sha256_abc);
    ASSERT_STR_EQ(key, want);

    queue_reply_key(key, sizeof(key), "{assay}", "lms-7:w.3_x-y");
    ASSERT_STR_EQ(key, "{assay}:results:lms-7:w.3_x-y");
    char longest[66];
    memset(longest, 'a', 65);
    longest[65] = '\0';
    ASSERT(queue_reply_to_valid(longest, 64));
    ASSERT(!queue_reply_to_valid(longest, 65));
    const char *good[] = {"a", "A.z_0:9-"};
    for (size_t i = 0; i < 2; i++) {
        ASSERT(queue_reply_to_valid(good[i], strlen(good[i])));
    }
    const char *bad[] = {"", "a b", "a/b", "a*", "{x}", "\xc3\xa9", "a\nb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT(!queue_reply_to_valid(bad[i], strlen(bad[i])));
    }
    ASSERT(!queue_reply_to_valid("ab\0c", 4));
}

static void test_sha1(void)
{
    char h[41];
    queue_attempts_field("abc", 3, h);
    ASSERT_STR_EQ(h, sha1_abc);
    queue_attempts_field("", 0, h);
    ASSERT_STR_EQ(h, sha1_empty);
    queue_script_sha("abc", h);
    ASSERT_STR_EQ(h, sha1_abc);
    char a[41], b[41];
    queue_attempts_field(nul_msg, NUL_LEN, a);
    queue_attempts_field(nul_msg, strlen(nul_msg), b);
    ASSERT(strcmp(a, b) != 0); /* every byte counts */
    ASSERT_INT_EQ(strlen(a), 40);
}

static void test_lanes(void)
{
    ASSERT_STR_EQ(queue_lane_tag(QUEUE_LIVE), "l");
    ASSERT_STR_EQ(queue_lane_tag(QUEUE_REGRADE), "r");
    ASSERT_STR_EQ(queue_lane_name(QUEUE_LIVE), "submissions");
    ASSERT_STR_EQ(queue_lane_name(QUEUE_REGRADE), "regrade");
    struct {
        const char *tag;
        queue_lane lane;
        bool waits, oversize;
    } cases[] = {{"l", QUEUE_LIVE, false, false}, {"r", QUEUE_REGRADE, false, false},
                 {"lw", QUEUE_LIVE, true, false}, {"rw", QUEUE_REGRADE, true, false},
                 {"lo", QUEUE_LIVE, false, true}, {"ro", QUEUE_REGRADE, false, true},
                 {NULL, QUEUE_LIVE, false, false}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        queue_claim_kind kind = {QUEUE_REGRADE, !cases[i].waits, !cases[i].oversize};
        queue_claim_tag(cases[i].tag, cases[i].tag ? strlen(cases[i].tag) : 0, &kind);
        ASSERT_INT_EQ(kind.lane, cases[i].lane);
        ASSERT_INT_EQ(kind.waits, cases[i].waits);
        ASSERT_INT_EQ(kind.oversize, cases[i].oversize);
    }
}

static void test_script_args(void)
{
    queue_keys k;
    queue_keys_init(&k, "{t}", "w1");
    queue_claim_args c;
    queue_claim_args_init(&c, "CLAIMSHA", &k, "w1", 64, true, -3, 1048576, true);
    const char *claim[] = {"EVALSHA",
                           "CLAIMSHA",
                           "8",
                           "{t}:submissions",
                           "{t}:regrade",
                           "{t}:processing:w1:submissions",
                           "{t}:processing:w1:regrade",
                           "{t}:attempts",
                           "{t}:workers",
                           "{t}:processing:w1:oversize",
                           "{t}:processing:w1:oversize-meta",
                           "64",
                           "w1",
                           "1",
                           "0",
                           "1048576",
                           "1",
                           "1024"};
    for (int i = 0; i < QUEUE_CLAIM_ARGC; i++) {
        ASSERT_STR_EQ(c.argv[i], claim[i]);
    }
    queue_claim_args_init(&c, "CLAIMSHA", &k, "w1", 5, false, 7, 2048, false);
    ASSERT_STR_EQ(c.argv[11], "5");
    ASSERT_STR_EQ(c.argv[13], "0");
    ASSERT_STR_EQ(c.argv[14], "7");
    ASSERT_STR_EQ(c.argv[15], "2048");
    ASSERT_STR_EQ(c.argv[16], "0");

    queue_keys d;
    queue_keys_init(&d, "{t}", "dead-one");
    const char *r[QUEUE_RECOVER_ARGC];
    queue_recover_argv(r, "RECSHA", &d, "dead-one", false, true, true);
    const char *rec[] = {"EVALSHA",
                         "RECSHA",
                         "9",
                         "{t}:worker:dead-one",
                         "{t}:processing:dead-one:submissions",
                         "{t}:processing:dead-one:regrade",
                         "{t}:submissions",
                         "{t}:regrade",
                         "{t}:attempts",
                         "{t}:workers",
                         "{t}:processing:dead-one:oversize",
                         "{t}:processing:dead-one:oversize-meta",
                         "dead-one",
                         "0",
                         "1",
                         "1"};
    for (int i = 0; i < QUEUE_RECOVER_ARGC; i++) {
        ASSERT_STR_EQ(r[i], rec[i]);
    }
    queue_recover_argv(r, "RECSHA", &d, "dead-one", true, false, false);
    ASSERT_STR_EQ(r[13], "1");
    ASSERT_STR_EQ(r[14], "0");
    ASSERT_STR_EQ(r[15], "0");
    const char *rs[QUEUE_RESUME_ARGC];
    queue_resume_argv(rs, "RESSHA", &d);
    const char *res[] = {"EVALSHA",
                         "RESSHA",
                         "2",
                         "{t}:processing:dead-one:oversize",
                         "{t}:processing:dead-one:oversize-meta",
                         "1024"};
    for (int i = 0; i < QUEUE_RESUME_ARGC; i++) {
        ASSERT_STR_EQ(rs[i], res[i]);
    }
    ASSERT_INT_EQ(QUEUE_OVERSIZE_PREFIX, 1024);

    queue_requeue_args q;
    queue_requeue_args_init(&q, "RQSHA", &k, QUEUE_REGRADE, "{t}:done:x:error", "entry\0e", 7,
                            nul_msg, NUL_LEN);
    const char *req[] = {"EVALSHA",      "RQSHA",           "4", "{t}:dead", "{t}:regrade",
                         "{t}:attempts", "{t}:done:x:error"};
    for (int i = 0; i < 7; i++) {
        ASSERT_STR_EQ(q.argv[i], req[i]);
        ASSERT_INT_EQ(q.lens[i], strlen(req[i]));
    }
    ASSERT_MEM_EQ(q.argv[7], q.lens[7], "entry\0e", (size_t)7);
    ASSERT_MEM_EQ(q.argv[8], q.lens[8], nul_msg, NUL_LEN);
    char field[41];
    queue_attempts_field(nul_msg, NUL_LEN, field);
    ASSERT_STR_EQ(q.argv[9], field);
    ASSERT_INT_EQ(q.lens[9], 40);
}

/* Three messages: graded (record, guard and a reply list), not graded (record, dead
 * letter), given up on, without an id (no key at all), from the regrade lane. */
static const queue_ack_msg ack_msgs[] = {
    {.raw = nul_msg,
     .len = NUL_LEN,
     .lane = QUEUE_LIVE,
     .result = "{\"r\":1}",
     .dedupe = "{t}:done:a:sha",
     .guard = "{t}:done:a:error",
     .reply = "{t}:results:c1",
     .graded = true},
    {.raw = "m2",
     .len = 2,
     .lane = QUEUE_LIVE,
     .result = "{\"r\":2}",
     .dead = "{\"d\":2}",
     .dedupe = "{t}:done:b:error",
     .uncounted = true},
    {.raw = bad_msg,
     .len = BAD_LEN,
     .lane = QUEUE_REGRADE,
     .result = "{\"r\":3}",
     .dead = "{\"d\":3}",
     .gave_up = true},
};

/* Command i of t as "w1 w2 ...", in a static buffer. */
static const char *words(const queue_tx *t, size_t i)
{
    static char buf[400];
    buf[0] = '\0';
    for (int j = 0; i < t->n && j < t->cmd[i].argc; j++) {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof(buf) - n, "%s%s", j ? " " : "", t->cmd[i].argv[j]);
    }
    return buf;
}

static void test_ack_layout(void)
{
    queue_keys k;
    queue_keys_init(&k, "{t}", "w1");
    queue_tx t = {0};
    ASSERT_INT_EQ(build_ack(&k, ack_msgs, 3, &t), 0);
    /* The results pushed per destination in message order, then the script. */
    ASSERT_INT_EQ(t.n, 3);
    ASSERT_INT_EQ(t.script, 2);
    ASSERT_STR_EQ(words(&t, 0), "LPUSH {t}:results:c1 {\"r\":1}");
    ASSERT_STR_EQ(words(&t, 1), "LPUSH {t}:results {\"r\":2} {\"r\":3}");
    const char *want[] = {
        "EVAL",
        NULL, /* the script's text, see below */
        "15", /* 11 fixed keys, 4 of the messages */
        "{t}:results",
        "{t}:dead",
        "{t}:attempts",
        "{t}:processing:w1:submissions",
        "{t}:processing:w1:regrade",
        "{t}:rate:1",
        "{t}:stats",
        "{t}:processing:w1:oversize",
        "{t}:dead:oversize",
        "{t}:processing:w1:oversize-meta",
        "{t}:gave-up",
        "{t}:results:c1", /* KEYS[12..15] */
        "{t}:done:a:sha",
        "{t}:done:a:error",
        "{t}:done:b:error",
        "3",
        "3600",
        "60",
        "2",
        "0",  /* no record groups */
        "0",  /* no credential awards */
        "2",  /* destinations */
        NULL, /* raw (binary), see below */
        "l",
        "1", /* the first result of its destination */
        "",
        "13",
        "14",
        "1", /* destination 1, c1 */
        "g",
        "0",
        "",
        "",
        "m2",
        "l",
        "1",
        "{\"d\":2}",
        "15",
        "0",
        "2", /* destination 2, P:results */
        "eu",
        "0",
        "",
        "",
        NULL,
        "r",
        "2",
        "{\"d\":3}",
        "0",
        "0",
        "2",
        "ex",
        "0",
        "",
        "",
        "12", /* c1: its key, its results, a reply list */
        "1",
        "r",
        "1", /* P:results */
        "2",
        "",
    };
    size_t nwant = sizeof(want) / sizeof(want[0]);
    const queue_argv *v = t.n == 3 ? &t.cmd[2] : &(queue_argv){0};
    ASSERT_INT_EQ(v->argc, nwant);
    for (size_t i = 0; i < nwant && i < (size_t)v->argc; i++) {
        if (want[i]) {
            ASSERT_STR_EQ(v->argv[i], want[i]);
            ASSERT_INT_EQ(v->lens[i], strlen(want[i]));
        }
    }
    if (v->argc == (int)nwant) {
        ASSERT_STR_EQ(v->argv[1], queue_ack_lua);
        ASSERT_MEM_EQ(v->argv[25], v->lens[25], nul_msg, NUL_LEN);
        ASSERT_MEM_EQ(v->argv[47], v->lens[47], bad_msg, BAD_LEN);
    }
    /* No result enters the script. */
    for (int i = 2; i < v->argc; i++) {
        ASSERT(strstr(v->argv[i], "\"r\"") == NULL);
    }
    queue_tx_free(&t);
    ASSERT_INT_EQ(t.n, 0);
    ASSERT(t.cmd == NULL);

    /* Forced, oversized: the flags and the oversize lane. */
    queue_ack_msg big = {.raw = sha1_abc,
                         .len = 40,
                         .lane = QUEUE_REGRADE,
                         .result = "{}",
                         .dead = "{}",
                         .oversize = true,
                         .force = true};
    ASSERT_INT_EQ(build_ack(&k, &big, 1, &t), 0);
    ASSERT_INT_EQ(t.n, 2);
    v = t.n == 2 ? &t.cmd[1] : &(queue_argv){0};
    ASSERT_INT_EQ(v->argc, 3 + 11 + 7 + 11 + 3);
    if (v->argc == 35) {
        ASSERT_STR_EQ(v->argv[21], sha1_abc);
        ASSERT_STR_EQ(v->argv[22], "o");
        ASSERT_STR_EQ(v->argv[28], "eft");
    }
    queue_tx_free(&t);

    /* No message: only the script, with the fixed keys and the header. */
    ASSERT_INT_EQ(build_ack(&k, NULL, 0, &t), 0);
    ASSERT_INT_EQ(t.n, 1);
    v = t.n == 1 ? &t.cmd[0] : &(queue_argv){0};
    ASSERT_INT_EQ(v->argc, 21);
    if (v->argc == 21) {
        ASSERT_STR_EQ(v->argv[2], "11");
        ASSERT_STR_EQ(v->argv[14], "0");
        ASSERT_STR_EQ(v->argv[18], "0");
        ASSERT_STR_EQ(v->argv[19], "0");
        ASSERT_STR_EQ(v->argv[20], "0");
    }
    queue_tx_free(&t);
}

static void test_dead_letters(void)
{
    json_t *res = json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", "n1", "status", "error", "error",
                            "code", "unknown_rubric", "message", "no rubric \"x\"");
    const char *msgs[] = {nul_msg, bad_msg, "", "plain"};
    size_t lens[] = {NUL_LEN, BAD_LEN, 0, 5};
    const char *field[] = {"submission", "submission_base64", "submission", "submission"};
    for (size_t i = 0; i < 4; i++) {
        queue_lane lane = i % 2 ? QUEUE_REGRADE : QUEUE_LIVE;
        char *text = queue_dead_encode(res, msgs[i], lens[i], "host:1",
                                       "2024-05-01T10:00:00.000Z", 4, lane);
        ASSERT(text != NULL);
        json_t *e = queue_dead_parse(text, text ? strlen(text) : 0);
        ASSERT(json_is_object(e));
        ASSERT(json_object_get(e, field[i]) != NULL);
        ASSERT_INT_EQ(json_object_size(e), 8);
        ASSERT_STR_EQ(json_string_value(json_object_get(e, "reason")), "unknown_rubric");
        ASSERT_STR_EQ(json_string_value(json_object_get(e, "message")), "no rubric \"x\"");
        ASSERT_STR_EQ(json_string_value(json_object_get(e, "id")), "n1");
        ASSERT_STR_EQ(json_string_value(json_object_get(e, "worker")), "host:1");
        ASSERT_STR_EQ(json_string_value(json_object_get(e, "time")),
                      "2024-05-01T10:00:00.000Z");
        ASSERT_INT_EQ(json_integer_value(json_object_get(e, "attempts")), 4);
        queue_lane back = QUEUE_LIVE + QUEUE_REGRADE - lane;
        ASSERT_INT_EQ(queue_dead_lane(e, &back), 0);
        ASSERT_INT_EQ(back, lane);
        size_t n = 99;
        char *sub = queue_dead_submission(e, &n);
        ASSERT(sub != NULL);
        ASSERT_MEM_EQ(sub, n, msgs[i], lens[i]);
        ASSERT(sub && sub[n] == '\0');
        free(sub);
        json_decref(e);
        free(text);
    }
    /* A result without an id or error: those fields are left out, the rest is kept. */
    json_t *bare = json_object();
    char *text = queue_dead_encode(bare, "x", 1, "w", "t", 1, QUEUE_LIVE);
    ASSERT_STR_EQ(text, "{\"worker\":\"w\",\"time\":\"t\",\"attempts\":1,\"queue\":"
                        "\"submissions\",\"submission\":\"x\"}");
    free(text);
    json_decref(bare);
    json_decref(res);

    /* What is not an entry. */
    ASSERT(queue_dead_parse("[1]", 3) == NULL);
    ASSERT(queue_dead_parse("{\"a\":", 5) == NULL);
    ASSERT(queue_dead_parse("", 0) == NULL);
    json_t *e = queue_dead_parse("{\"queue\":\"elsewhere\",\"submission_base64\":\"!!\"}", 46);
    ASSERT(e != NULL);
    queue_lane lane;
    ASSERT_INT_EQ(queue_dead_lane(e, &lane), -1);
    size_t n;
    ASSERT(queue_dead_submission(e, &n) == NULL);
    json_decref(e);
    e = queue_dead_parse("{\"queue\":1}", 11);
    ASSERT_INT_EQ(queue_dead_lane(e, &lane), -1);
    ASSERT(queue_dead_submission(e, &n) == NULL);
    json_decref(e);
}

/* ------------------------------------------------------------------------------------
 * The same argument lists through the real scripts.
 */

static void check_sha1hex(server *s)
{
    const char *msgs[] = {"", "abc", nul_msg, bad_msg};
    size_t lens[] = {0, 3, NUL_LEN, BAD_LEN};
    for (size_t i = 0; i < 4; i++) {
        char mine[41];
        queue_attempts_field(msgs[i], lens[i], mine);
        const char *argv[] = {"EVAL", "return redis.sha1hex(ARGV[1])", "0", msgs[i]};
        size_t argl[] = {4, 29, 1, lens[i]};
        redisReply *r = redisCommandArgv(s->c, 4, argv, argl);
        ASSERT_STR_EQ(r && r->type == REDIS_REPLY_STRING ? r->str : NULL, mine);
        freeReplyObject(r);
    }
}

/* Claims the three messages of ack_msgs (and two more) and acknowledges them. */
static void check_claim_and_ack(server *s)
{
    queue_keys k;
    queue_keys_init(&k, "{t}", "w1");
    char sha[41];
    /* Oldest first: the live queue's consumer end is its right. */
    const char *live[] = {nul_msg, "m2", "gone", "dup"};
    size_t lens[] = {NUL_LEN, 2, 4, 3};
    for (size_t i = 0; i < 4; i++) {
        const char *argv[] = {"LPUSH", k.live, live[i]};
        size_t argl[] = {5, strlen(k.live), lens[i]};
        freeReplyObject(redisCommandArgv(s->c, 3, argv, argl));
    }
    const char *rg[] = {"LPUSH", k.proc_regrade, bad_msg};
    size_t rgl[] = {5, strlen(k.proc_regrade), BAD_LEN};
    freeReplyObject(redisCommandArgv(s->c, 3, rg, rgl));
    char field[41];
    queue_attempts_field(nul_msg, NUL_LEN, field);
    freeReplyObject(redisCommand(s->c, "HSET %s %s 1", k.attempts, field));

    queue_script_sha(queue_claim_lua, sha);
    queue_claim_args c;
    queue_claim_args_init(&c, sha, &k, "w1", 10, true, 5, 1 << 20, true);
    redisReply *r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, c.argv, NULL);
    /* The first message was redelivered once: a suspect, claimed alone. */
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
        ASSERT_STR_EQ(r->element[0]->str, "l");
        ASSERT_MEM_EQ(r->element[1]->str, r->element[1]->len, nul_msg, NUL_LEN);
        ASSERT_INT_EQ(r->element[2]->integer, 1);
    }
    freeReplyObject(r);
    queue_claim_args_init(&c, sha, &k, "w1", 10, false, 5, 1 << 20, true);
    r = redisCommandArgv(s->c, QUEUE_CLAIM_ARGC, c.argv, NULL);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 7);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 7) {
        ASSERT_STR_EQ(r->element[1]->str, "m2");
        ASSERT_STR_EQ(r->element[5]->str, "dup");
    }
    freeReplyObject(r);
    ASSERT_INT_EQ(integer(s, "SISMEMBER %s w1", k.workers), 1);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_live), 4);

    /* "gone" was recovered elsewhere meanwhile; "dup" was answered before. */
    freeReplyObject(redisCommand(s->c, "LREM %s 0 gone", k.proc_live));
    freeReplyObject(redisCommand(s->c, "SET {t}:done:dup:sha 1"));
    /* As an acknowledgement that gives up writes them: the record, and P:gave-up. */
    freeReplyObject(redisCommand(s->c, "SET {t}:done:given:error gave-up"));
    freeReplyObject(redisCommand(s->c, "SET %s 1 EX 3600", k.gave_up));
    queue_ack_msg m[6];
    memcpy(m, ack_msgs, sizeof(ack_msgs));
    m[3] = (queue_ack_msg){.raw = "gone", .len = 4, .result = "{\"r\":4}"};
    m[4] = (queue_ack_msg){
        .raw = "dup", .len = 3, .result = "{\"r\":5}", .dedupe = "{t}:done:dup:sha"};
    /* A graded copy of an id already answered with "gave up": a duplicate. */
    freeReplyObject(redisCommand(s->c, "LPUSH %s given", k.proc_live));
    m[5] = (queue_ack_msg){.raw = "given",
                           .len = 5,
                           .result = "{\"r\":6}",
                           .dedupe = "{t}:done:given:sha",
                           .guard = "{t}:done:given:error"};
    queue_tx v = {0};
    ASSERT_INT_EQ(build_ack(&k, m, 6, &v), 0);
    r = run_tx(s, &v);
    long long want[] = {QUEUE_ACK_ANSWERED, QUEUE_ACK_ANSWERED,  QUEUE_ACK_ANSWERED,
                        QUEUE_ACK_GONE,     QUEUE_ACK_DUPLICATE, QUEUE_ACK_DUPLICATE};
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 6);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && i < 6; i++) {
        ASSERT_INT_EQ(r->element[i]->integer, want[i]);
    }
    freeReplyObject(r);
    queue_tx_free(&v);

    ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_live), 0);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.proc_regrade), 0);
    ASSERT_INT_EQ(integer(s, "HLEN %s", k.attempts), 0);
    r = redisCommand(s->c, "LRANGE %s 0 -1", k.results);
    ASSERT(r && r->elements == 2);
    if (r && r->elements == 2) {
        ASSERT_STR_EQ(r->element[0]->str, "{\"r\":3}");
        ASSERT_STR_EQ(r->element[1]->str, "{\"r\":2}");
    }
    freeReplyObject(r);
    /* The first named a reply list: its result went there, with the reply TTL. */
    r = redisCommand(s->c, "LRANGE {t}:results:c1 0 -1");
    ASSERT(r && r->elements == 1);
    if (r && r->elements == 1) {
        ASSERT_STR_EQ(r->element[0]->str, "{\"r\":1}");
    }
    freeReplyObject(r);
    long long rttl = integer(s, "TTL %s", "{t}:results:c1");
    ASSERT(rttl > 0 && rttl <= 60);
    r = redisCommand(s->c, "LRANGE %s 0 -1", k.dead);
    ASSERT(r && r->elements == 2);
    if (r && r->elements == 2) {
        ASSERT_STR_EQ(r->element[0]->str, "{\"d\":3}");
        ASSERT_STR_EQ(r->element[1]->str, "{\"d\":2}");
    }
    freeReplyObject(r);
    ASSERT_STR_EQ(get(s, "{t}:done:a:sha"), "1");
    ASSERT_STR_EQ(get(s, "{t}:done:b:error"), "1");
    ASSERT_STR_EQ(get(s, "{t}:done:given:sha"), "(nil)");
    long long ttl = integer(s, "TTL %s", "{t}:done:a:sha");
    ASSERT(ttl > 0 && ttl <= 3600);
    ASSERT_STR_EQ(get(s, "{t}:rate:1"), "3");
    ttl = integer(s, "TTL %s", "{t}:rate:1");
    ASSERT(ttl > 0 && ttl <= 7200);
    /* The counters: 1 graded, 2 errors (each dead-lettered, one given up), 2 duplicates. */
    ASSERT_STR_EQ(hget(s, k.stats, "graded"), "1");
    ASSERT_STR_EQ(hget(s, k.stats, "errors"), "2");
    ASSERT_STR_EQ(hget(s, k.stats, "dead"), "2");
    ASSERT_STR_EQ(hget(s, k.stats, "duplicates"), "2");
    ASSERT_STR_EQ(hget(s, k.stats, "gave_up"), "1");
    ASSERT_STR_EQ(hget(s, k.stats, "forced"), "(nil)");
    ASSERT_STR_EQ(hget(s, k.stats, "too_large"), "(nil)");

    /* Forced: answered although its record exists (and the guard says "gave up"). */
    freeReplyObject(redisCommand(s->c, "LPUSH %s given", k.proc_live));
    queue_ack_msg f = {.raw = "given",
                       .len = 5,
                       .result = "{\"r\":7}",
                       .dedupe = "{t}:done:given:sha",
                       .guard = "{t}:done:given:error",
                       .graded = true,
                       .force = true};
    ASSERT_INT_EQ(build_ack(&k, &f, 1, &v), 0);
    r = run_tx(s, &v);
    ASSERT(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
           r->element[0]->integer == QUEUE_ACK_ANSWERED);
    freeReplyObject(r);
    queue_tx_free(&v);
    ASSERT_STR_EQ(get(s, "{t}:done:given:sha"), "1");
    ASSERT_STR_EQ(hget(s, k.stats, "forced"), "1");
    ASSERT_STR_EQ(hget(s, k.stats, "graded"), "2");
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.results), 3);
}

/* A dead worker's lists go back, counted; a dead letter is requeued byte for byte. */
static void check_recover_and_requeue(server *s)
{
    queue_keys k, d;
    queue_keys_init(&k, "{t}", "w1");
    queue_keys_init(&d, "{t}", "w2");
    freeReplyObject(redisCommand(s->c, "DEL %s %s %s", k.live, k.attempts, k.dead));
    freeReplyObject(redisCommand(s->c, "RPUSH %s a b a", d.proc_live));
    char sha[41];
    queue_script_sha(queue_recover_lua, sha);
    const char *argv[QUEUE_RECOVER_ARGC];
    queue_recover_argv(argv, sha, &d, "w2", false, true, true);
    redisReply *r = redisCommandArgv(s->c, QUEUE_RECOVER_ARGC, argv, NULL);
    ASSERT_INT_EQ(r && r->type == REDIS_REPLY_INTEGER ? r->integer : -99, 3);
    freeReplyObject(r);
    char field[41];
    queue_attempts_field("a", 1, field);
    r = redisCommand(s->c, "HGET %s %s", k.attempts, field);
    ASSERT_STR_EQ(r && r->type == REDIS_REPLY_STRING ? r->str : NULL, "1");
    freeReplyObject(r);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.live), 3);
    ASSERT_INT_EQ(integer(s, "SISMEMBER %s w2", k.workers), 0);

    json_t *res =
        json_pack("{s:s, s:{s:s, s:s}}", "id", "rq", "error", "code", "bad", "message", "m");
    char *entry = queue_dead_encode(res, bad_msg, BAD_LEN, "w1", "t", 2, QUEUE_REGRADE);
    json_decref(res);
    const char *push[] = {"LPUSH", k.dead, entry};
    freeReplyObject(redisCommandArgv(s->c, 3, push, NULL));
    json_t *e = queue_dead_parse(entry, strlen(entry));
    queue_lane lane = QUEUE_LIVE;
    size_t n = 0;
    char *sub = queue_dead_submission(e, &n);
    ASSERT_INT_EQ(queue_dead_lane(e, &lane), 0);
    char errkey[400];
    queue_dedupe_key(errkey, sizeof(errkey), "{t}", "rq", 2, "error");
    freeReplyObject(redisCommand(s->c, "SET %s 1", errkey));
    queue_attempts_field(bad_msg, BAD_LEN, field);
    freeReplyObject(redisCommand(s->c, "HSET %s %s 3", k.attempts, field));
    queue_script_sha(queue_requeue_lua, sha);
    for (int round = 0; round < 2; round++) {
        queue_requeue_args q;
        queue_requeue_args_init(&q, sha, &k, lane, errkey, entry, strlen(entry), sub, n);
        r = redisCommandArgv(s->c, QUEUE_REQUEUE_ARGC, q.argv, q.lens);
        ASSERT_INT_EQ(r && r->type == REDIS_REPLY_INTEGER ? r->integer : -99, round ? 0 : 1);
        freeReplyObject(r);
    }
    r = redisCommand(s->c, "LRANGE %s 0 -1", k.regrade);
    ASSERT(r && r->elements == 1);
    if (r && r->elements == 1) {
        ASSERT_MEM_EQ(r->element[0]->str, r->element[0]->len, bad_msg, BAD_LEN);
    }
    freeReplyObject(r);
    ASSERT_INT_EQ(integer(s, "LLEN %s", k.dead), 0);
    ASSERT_INT_EQ(integer(s, "EXISTS %s", errkey), 0);
    r = redisCommand(s->c, "HEXISTS %s %s", k.attempts, field);
    ASSERT_INT_EQ(r && r->type == REDIS_REPLY_INTEGER ? r->integer : -99, 0);
    freeReplyObject(r);
    free(sub);
    json_decref(e);
    free(entry);
}

static void test_queue_redis(void)
{
    server s = {0};
    if (!server_ready(&s, "the scripts' side is not checked")) {
        return;
    }
    check_sha1hex(&s);
    check_claim_and_ack(&s);
    check_recover_and_requeue(&s);
    server_stop(&s);
}

int main(void)
{
    test_keys();
    test_sha1();
    test_lanes();
    test_script_args();
    test_ack_layout();
    test_dead_letters();
    test_queue_redis();
    return tap_done();
}
