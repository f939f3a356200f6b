/*
 * worker.c - assay-worker's event loop: two Redis connections on one libuv loop, claiming
 * submissions in batches, grading them with the engine on the loop thread, acknowledging
 * them in one atomic batch per claim, heartbeats, recovery of dead workers' work,
 * reconnection with backoff, signals.
 *
 * Connections. "main" carries claims, acknowledgements, heartbeats and recovery; "block"
 * only waits, with BLMOVE src src RIGHT RIGHT (which returns an element without moving it),
 * for the live queue to become non-empty while both queues are empty, so no round trip is
 * spent per submission while the queue is deep and no polling happens while it is empty.
 * hiredis 0.14 has no timeouts: a watchdog timer drops a connection whose replies are
 * overdue, and a retry timer reconnects with exponential backoff and jitter.
 *
 * State kept in memory is only what Redis does not already hold: acknowledgement batches
 * sent but not confirmed. After a reconnect they are sent again (the ack script is
 * idempotent), then whatever is still in this worker's processing lists is returned to the
 * queues, so nothing claimed is ever lost or answered twice.
 */
#include "worker.h"

#include "ack.h"
#include "bgpool.h"
#include "log.h"
#include "queue.h"
#include "redis_uv.h"

#include <nettle/base64.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { C_DOWN, C_CONNECTING, C_READY };

typedef struct worker worker;

/* A loaded catalog and the grading jobs that use it: a SIGHUP reload replaces the current
 * one, and the old one is freed when its last job is done. */
typedef struct cat_ref {
    assay_catalog *cat;
    int refs;
} cat_ref;

typedef struct conn {
    worker *w;
    const char *name;
    redisAsyncContext *ac;
    int state;
    uv_timer_t retry;
    long backoff_ms;
    int pending;         /* commands sent, replies not yet received */
    uint64_t busy_since; /* last reply, or when pending went above 0 */
    uint64_t connecting_since;
    long extra_timeout_ms;
    bool was_ready; /* for logging once per state change */
    bool fail_logged;
    bool attempt_failed; /* a connection attempt failed since the last time it was ready */
    void (*on_ready)(struct conn *);
} conn;

typedef void reply_fn(conn *c, redisReply *r, void *priv);

typedef struct tramp {
    conn *c;
    reply_fn *fn;
    void *priv;
} tramp;

typedef struct ack_batch {
    struct ack_batch *next;
    int argc;
    char **argv;
    size_t *lens;
    int n;        /* messages */
    char tag;     /* 'l' live, 'r' regrade */
    bool suspect; /* holds a redelivered message: nothing else is claimed meanwhile */
    bool ready;   /* graded and built; each queue's batches are sent in claim order */
    bool sent;
} ack_batch;

struct worker {
    wk_config *cfg;
    uv_loop_t *loop;
    conn main, block;
    uv_timer_t heartbeat, watchdog, drain, pump_retry;
    uv_signal_t sigterm, sigint, sighup;
    cat_ref *cat; /* the catalog in service */
    pthread_mutex_t pool_mu;
    assay_scratch *pool[64]; /* idle per-thread scratch, reused across jobs */
    size_t npool;
    assay_limits limits;
    queue_keys keys;
    char sha_claim[41], sha_ack[41], sha_recover[41];
    int inflight;                          /* claimed and not yet acknowledged */
    int grading;                           /* of those, in grading jobs */
    int regrade_inflight, regrade_grading; /* the same, for the regrade queue alone */
    bgpool *regrade_pool;                  /* low-priority threads grading regrade jobs */
    bool claim_outstanding, block_outstanding;
    bool pump_again; /* room was made while a claim was out: claim again after its reply */
    ack_batch *acks, *acks_tail;
    int stopping; /* 0 running, 1 draining, 2 closing */
    bool first_ready_done, persistence_checked;
    bool claim_error_logged;
    bool leaving; /* the registry leave is sent: no heartbeat may follow it */
    uint64_t graded, failed, duplicates, recovered;
    int exit_code;
    long long started;
};

static void pump(worker *w);
static void finish(worker *w);
static void conn_start(conn *c);

/* ------------------------------------------------------------------------------------
 * Connections.
 */

static void tramp_cb(redisAsyncContext *ac, void *r, void *privdata)
{
    (void)ac;
    tramp *t = privdata;
    conn *c = t->c;
    c->pending--;
    c->busy_since = uv_now(c->w->loop);
    t->fn(c, r, t->priv);
    free(t);
}

static int conn_send(conn *c, reply_fn *fn, void *priv, int argc, const char **argv,
                     const size_t *lens)
{
    if (c->ac == NULL) {
        return -1;
    }
    tramp *t = malloc(sizeof(*t));
    if (t == NULL) {
        return -1;
    }
    t->c = c;
    t->fn = fn;
    t->priv = priv;
    if (redisAsyncCommandArgv(c->ac, tramp_cb, t, argc, argv, lens) != REDIS_OK) {
        free(t);
        return -1;
    }
    if (c->pending++ == 0) {
        c->busy_since = uv_now(c->w->loop);
    }
    return 0;
}

static void ignore_reply(conn *c, redisReply *r, void *priv)
{
    (void)c;
    (void)priv;
    if (r && r->type == REDIS_REPLY_ERROR) {
        wk_log(WK_WARN, "redis (%s) answered an error: %s", c->name, r->str);
    }
}

static void schedule_retry(conn *c);

static void retry_cb(uv_timer_t *t)
{
    conn *c = t->data;
    worker *w = c->w;
    if (w->stopping == 1 && c == &w->main && c->attempt_failed) {
        finish(w); /* draining and Redis is unreachable: see finish() */
        if (w->stopping >= 2) {
            return;
        }
    }
    if (w->stopping < 2) {
        conn_start(c);
    }
}

static void schedule_retry(conn *c)
{
    if (c->w->stopping >= 2) {
        return;
    }
    if (c->w->stopping == 1 && c == &c->w->main && c->attempt_failed) {
        uv_timer_start(&c->retry, retry_cb, 0, 0); /* retry_cb finishes: see finish() */
        return;
    }
    long base = c->backoff_ms;
    long jitter = base / 4 > 0 ? rand() % (base / 2 + 1) - base / 4 : 0;
    uv_timer_start(&c->retry, retry_cb, (uint64_t)(base + jitter), 0);
    c->backoff_ms = c->backoff_ms * 2 > 5000 ? 5000 : c->backoff_ms * 2;
}

static void went_down(conn *c, const char *why)
{
    if (c->was_ready) {
        wk_log(WK_ERROR, "lost the Redis connection (%s): %s; reconnecting", c->name, why);
        c->was_ready = false;
        c->fail_logged = true;
    } else {
        c->attempt_failed = true;
        if (!c->fail_logged) {
            wk_log(WK_ERROR, "cannot reach Redis at %s (%s): %s; retrying with backoff",
                   c->w->cfg->redis_desc, c->name, why);
            c->fail_logged = true;
        }
    }
}

/* Drops the connection now: pending callbacks get NULL replies, then a retry is scheduled. */
static void conn_drop(conn *c, const char *why)
{
    redisAsyncContext *ac = c->ac;
    c->ac = NULL;
    c->state = C_DOWN;
    went_down(c, why);
    if (ac) {
        ac->data = NULL;
        redisAsyncFree(ac);
    }
    schedule_retry(c);
}

static void disconnect_cb(const redisAsyncContext *ac, int status)
{
    conn *c = ac->data;
    if (c == NULL) {
        return; /* dropped on purpose */
    }
    c->ac = NULL;
    c->state = C_DOWN;
    if (c->w->stopping >= 2) {
        return;
    }
    went_down(c, status == REDIS_OK ? "closed" : (ac->errstr[0] ? ac->errstr : "error"));
    schedule_retry(c);
}

static void ready_cb(conn *c, redisReply *r, void *priv)
{
    (void)priv;
    if (r == NULL) {
        return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        conn_drop(c, r->str);
        return;
    }
    c->state = C_READY;
    /* main's backoff is reset only once a claim succeeds (claim_cb): a Redis that accepts
     * connections but refuses the commands (OOM under noeviction, a missing ACL permission)
     * would otherwise be reconnected to, and logged about, every 100 ms. */
    if (c != &c->w->main) {
        c->backoff_ms = 100;
    }
    if (!c->was_ready) {
        wk_log(WK_INFO, "connected to Redis at %s (%s)", c->w->cfg->redis_desc, c->name);
    }
    c->was_ready = true;
    c->fail_logged = false;
    c->attempt_failed = false;
    c->on_ready(c);
}

static void auth_cb(conn *c, redisReply *r, void *priv)
{
    (void)priv;
    if (r && r->type == REDIS_REPLY_ERROR) {
        char why[300];
        snprintf(why, sizeof(why), "authentication failed: %s", r->str);
        conn_drop(c, why);
    }
}

static void connect_cb(const redisAsyncContext *ac, int status)
{
    conn *c = ac->data;
    if (c == NULL) {
        return;
    }
    if (status != REDIS_OK) {
        c->ac = NULL; /* hiredis frees the context after this callback */
        c->state = C_DOWN;
        went_down(c, ac->errstr[0] ? ac->errstr : "connect failed");
        schedule_retry(c);
        return;
    }
    const redis_url *t = &c->w->cfg->redis;
    if (t->password[0]) {
        if (t->user[0]) {
            const char *argv[] = {"AUTH", t->user, t->password};
            conn_send(c, auth_cb, NULL, 3, argv, NULL);
        } else {
            const char *argv[] = {"AUTH", t->password};
            conn_send(c, auth_cb, NULL, 2, argv, NULL);
        }
    }
    if (t->db) {
        char db[16];
        snprintf(db, sizeof(db), "%d", t->db);
        const char *argv[] = {"SELECT", db};
        conn_send(c, auth_cb, NULL, 2, argv, NULL);
    }
    const char *argv[] = {"PING"};
    conn_send(c, ready_cb, NULL, 1, argv, NULL);
}

static void conn_start(conn *c)
{
    const redis_url *t = &c->w->cfg->redis;
    redisAsyncContext *ac =
        t->unix_socket ? redisAsyncConnectUnix(t->path) : redisAsyncConnect(t->host, t->port);
    if (ac == NULL) {
        went_down(c, "out of memory");
        schedule_retry(c);
        return;
    }
    if (ac->err) {
        went_down(c, ac->errstr);
        redisAsyncFree(ac);
        schedule_retry(c);
        return;
    }
    ac->data = c;
    if (redis_uv_attach(ac, c->w->loop) != REDIS_OK) {
        went_down(c, "cannot attach to the event loop");
        redisAsyncFree(ac);
        schedule_retry(c);
        return;
    }
    redisAsyncSetConnectCallback(ac, connect_cb);
    redisAsyncSetDisconnectCallback(ac, disconnect_cb);
    c->ac = ac;
    c->state = C_CONNECTING;
    c->pending = 0;
    c->connecting_since = uv_now(c->w->loop);
}

/* Drops connections whose replies are overdue: hiredis 0.14 has no timeouts of its own. */
static void watchdog_cb(uv_timer_t *t)
{
    worker *w = t->data;
    uint64_t now = uv_now(w->loop);
    conn *cs[] = {&w->main, &w->block};
    for (size_t i = 0; i < 2; i++) {
        conn *c = cs[i];
        long limit = w->cfg->command_timeout_ms + c->extra_timeout_ms;
        if (c->ac == NULL) {
            continue;
        }
        if (c->state == C_CONNECTING && now - c->connecting_since > (uint64_t)limit) {
            char why[120];
            snprintf(why, sizeof(why), "no answer within %ld ms while connecting", limit);
            conn_drop(c, why);
        } else if (c->pending > 0 && now - c->busy_since > (uint64_t)limit) {
            char why[120];
            snprintf(why, sizeof(why), "no reply within %ld ms", limit);
            conn_drop(c, why);
        }
    }
}

/* ------------------------------------------------------------------------------------
 * Acknowledgements.
 */

static void batch_free(ack_batch *b)
{
    for (int i = 0; i < b->argc; i++) {
        free(b->argv[i]);
    }
    free(b->argv);
    free(b->lens);
    free(b);
}

static void ack_cb(conn *c, redisReply *r, void *priv);

static void batch_send(worker *w, ack_batch *b)
{
    /* Only on a ready connection: while it is still connecting the queue scripts may not
     * be loaded yet (a restarted Redis has none), and main_ready sends what is unsent. */
    if (w->main.state != C_READY) {
        return;
    }
    if (conn_send(&w->main, ack_cb, b, b->argc, (const char **)b->argv, b->lens) == 0) {
        b->sent = true;
    }
}

static void ack_cb(conn *c, redisReply *r, void *priv)
{
    worker *w = c->w;
    ack_batch *b = priv;
    if (r == NULL) {
        b->sent = false; /* sent again after the reconnect */
        return;
    }
    if (r->type != REDIS_REPLY_ARRAY) {
        wk_log(WK_ERROR, "acknowledgement failed: %s; reconnecting to retry",
               r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
        b->sent = false;
        conn_drop(c, "acknowledgement failed");
        return;
    }
    for (size_t i = 0; i < r->elements; i++) {
        long long st = r->element[i]->integer;
        if (st == 2) {
            w->duplicates++;
        }
    }
    /* Batches are answered in the order they were sent, each queue's in claim order. */
    ack_batch **pp = &w->acks;
    while (*pp && *pp != b) {
        pp = &(*pp)->next;
    }
    if (*pp) {
        *pp = b->next;
        if (w->acks_tail == b) {
            w->acks_tail = NULL;
            for (ack_batch *x = w->acks; x; x = x->next) {
                w->acks_tail = x;
            }
        }
    }
    w->inflight -= b->n;
    if (b->tag == 'r') {
        w->regrade_inflight -= b->n;
    }
    batch_free(b);
    if (w->stopping == 1 && w->inflight == 0 && !w->claim_outstanding) {
        finish(w);
        return;
    }
    pump(w);
}

/* A growable argv for one EVALSHA. */
typedef struct argbuf {
    char **argv;
    size_t *lens;
    int argc, cap;
    bool oom;
} argbuf;

static void arg_add(argbuf *a, const char *s, size_t len)
{
    if (a->oom) {
        return;
    }
    if (a->argc == a->cap) {
        int cap = a->cap ? a->cap * 2 : 64;
        char **v = realloc(a->argv, (size_t)cap * sizeof(*v));
        size_t *l = v ? realloc(a->lens, (size_t)cap * sizeof(*l)) : NULL;
        if (v) {
            a->argv = v;
        }
        if (l == NULL) {
            a->oom = true;
            return;
        }
        a->lens = l;
        a->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        a->oom = true;
        return;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    a->argv[a->argc] = copy;
    a->lens[a->argc] = len;
    a->argc++;
}

static void arg_str(argbuf *a, const char *s)
{
    arg_add(a, s, strlen(s));
}

/* ------------------------------------------------------------------------------------
 * Grading.
 */

static void now_rfc3339(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* The dead-letter entry: the untouched message with why it was not graded. */
static char *dead_entry(const worker *w, const char *raw, size_t len, const json_t *res,
                        long attempts, char tag)
{
    json_t *err = json_object_get(res, "error");
    char now[40];
    now_rfc3339(now, sizeof(now));
    json_t *d = json_object();
    json_object_set_new(d, "reason", json_copy(json_object_get(err, "code")));
    json_object_set_new(d, "message", json_copy(json_object_get(err, "message")));
    json_object_set_new(d, "id", json_copy(json_object_get(res, "id")));
    json_object_set_new(d, "worker", json_string(w->cfg->worker_id));
    json_object_set_new(d, "time", json_string(now));
    json_object_set_new(d, "attempts", json_integer(attempts));
    json_object_set_new(d, "queue", json_string(tag == 'r' ? "regrade" : "submissions"));
    json_t *s = json_stringn(raw, len);
    if (s) {
        json_object_set_new(d, "submission", s);
    } else {
        /* Not UTF-8: kept byte for byte in base64. (A NUL byte is valid UTF-8 and is
         * kept in "submission" as \u0000; read dead letters with JSON_ALLOW_NUL.) */
        char *b64 = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);
        if (b64) {
            base64_encode_raw(b64, len, (const uint8_t *)raw);
            b64[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
            json_object_set_new(d, "submission_base64", json_string(b64));
            free(b64);
        }
    }
    char *text = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    return text;
}

/* What grading one message produced, for its part of the acknowledgement. */
typedef struct outcome {
    char *result; /* NULL: out of memory, leave it unacknowledged */
    char *dead;   /* the dead letter, NULL when graded */
    char *dkey;   /* the de-duplication key, NULL without an id */
    char *gkey;   /* graded: the id's error record, which may say it was given up on */
    bool graded;
    bool gave_up; /* answered grading_error after too many deliveries */
} outcome;

/*
 * Benchmarks only: a canned result of a typical size and a de-duplication key from the
 * message's bytes, without parsing or grading, so the acknowledgement is the same as for a
 * graded message. It measures what the Redis side alone can carry.
 */
static void stub_one(const worker *w, const char *raw, size_t len, outcome *o)
{
    char canned[1024];
    memset(canned, 'x', sizeof(canned) - 1);
    memcpy(canned, "{\"stub\":\"", 9);
    memcpy(canned + sizeof(canned) - 3, "\"}", 2);
    canned[sizeof(canned) - 1] = '\0';
    char key[400];
    queue_dedupe_key(key, sizeof(key), w->cfg->prefix, raw, len, "stub");
    o->result = strdup(canned);
    o->dkey = strdup(key);
    o->graded = true;
}

/*
 * Grades one claimed message. Runs on a grading thread (or the loop thread): it reads only
 * what does not change while a job runs (the configuration, the limits, the catalog the job
 * holds) and uses the scratch it was given.
 */
static void grade_one(const worker *w, const assay_catalog *cat, assay_scratch *scratch,
                      const char *raw, size_t len, long redeliveries, char tag, outcome *o)
{
    long attempts = redeliveries + 1;
    assay_grade_options opts = {.graded_at = NULL, .limits = &w->limits};
    json_t *res;
    if (w->cfg->stub_grader) {
        stub_one(w, raw, len, o);
        return;
    }
    if (attempts > w->cfg->max_attempts) {
        json_t *sub = json_loadb(raw, len < w->limits.max_submission_bytes ? len : 0, 0, NULL);
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "gave up after %ld deliveries: the submission was in flight each time a "
                 "worker stopped",
                 attempts - 1);
        res = assay_result_error(sub, ASSAY_RESULT_GRADING_ERROR, msg, &opts);
        json_decref(sub);
        o->gave_up = true;
    } else {
        if (w->cfg->fault_abort_on && strstr(raw, w->cfg->fault_abort_on)) {
            wk_log(WK_ERROR, "fault injection: aborting on a message holding \"%s\"",
                   w->cfg->fault_abort_on);
            abort();
        }
        res = assay_grade_buffer(cat, raw, len, scratch, &opts);
    }
    o->result = res ? assay_result_dumps(res) : NULL;
    if (o->result == NULL) {
        json_decref(res);
        return;
    }
    const char *status = json_string_value(json_object_get(res, "status"));
    o->graded = status && strcmp(status, "graded") == 0;
    o->dead = o->graded ? NULL : dead_entry(w, raw, len, res, attempts, tag);
    json_t *id = json_object_get(res, "id");
    if (json_is_string(id)) {
        char key[400];
        const char *sha =
            o->graded
                ? json_string_value(json_object_get(json_object_get(res, "rubric"), "sha256"))
                : "error";
        queue_dedupe_key(key, sizeof(key), w->cfg->prefix, json_string_value(id),
                         json_string_length(id), sha ? sha : "error");
        o->dkey = strdup(key);
        if (o->graded) {
            /* The same key with "error" for the rubric's digest: the id's error record. */
            char *digest = strrchr(key, ':') + 1;
            snprintf(digest, sizeof(key) - (size_t)(digest - key), "error");
            o->gkey = strdup(key);
        }
    }
    if (o->graded) {
        wk_log(WK_DEBUG, "graded %s", json_string_value(id));
    } else {
        wk_log(WK_INFO,
               "not graded: %s (%s); answering with an error and dead-lettering it "
               "unless it was answered before",
               json_string_value(json_object_get(json_object_get(res, "error"), "code")),
               json_is_string(id) ? json_string_value(id) : "no id");
    }
    json_decref(res);
}

/* ------------------------------------------------------------------------------------
 * Grading jobs: one per claimed batch, on the libuv thread pool (or inline with
 * --grade-threads 0), acknowledged from the loop thread when done.
 */

typedef struct job {
    uv_work_t req;
    worker *w;
    cat_ref *cat;
    char tag;
    size_t n;
    char **raw;
    size_t *len;
    long *redeliveries;
    outcome *out;
    ack_batch *b; /* its place in the acknowledgement order */
} job;

static assay_scratch *scratch_take(worker *w)
{
    assay_scratch *s = NULL;
    pthread_mutex_lock(&w->pool_mu);
    if (w->npool > 0) {
        s = w->pool[--w->npool];
    }
    pthread_mutex_unlock(&w->pool_mu);
    return s ? s : assay_scratch_create();
}

static void scratch_put(worker *w, assay_scratch *s)
{
    pthread_mutex_lock(&w->pool_mu);
    if (w->npool < sizeof(w->pool) / sizeof(w->pool[0])) {
        w->pool[w->npool++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&w->pool_mu);
    assay_scratch_destroy(s);
}

static void cat_release(worker *w, cat_ref *c)
{
    if (--c->refs == 0 && c != w->cat) {
        assay_catalog_destroy(c->cat);
        free(c);
    }
}

static void job_work_cb(uv_work_t *req)
{
    job *j = req->data;
    assay_scratch *s = scratch_take(j->w);
    for (size_t i = 0; i < j->n; i++) {
        if (s == NULL && !j->w->cfg->stub_grader) {
            break; /* out of memory: left unacknowledged, recovered later */
        }
        if (j->raw[i]) {
            grade_one(j->w, j->cat->cat, s, j->raw[i], j->len[i], j->redeliveries[i], j->tag,
                      &j->out[i]);
        }
    }
    if (s) {
        scratch_put(j->w, s);
    }
}

static void job_free(job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->raw[i]);
        free(j->out[i].result);
        free(j->out[i].dead);
        free(j->out[i].dkey);
        free(j->out[i].gkey);
    }
    free(j->raw);
    free(j->len);
    free(j->redeliveries);
    free(j->out);
    free(j);
}

/* Sends the acknowledgements that are ready, each queue's in claim order, so results are
 * pushed in the order their submissions were taken (oldest first), and a live batch never
 * waits for a regrade batch claimed before it. */
static void flush_acks(worker *w)
{
    bool waiting[2] = {false, false}; /* an earlier live / regrade batch is not ready */
    ack_batch *b = w->acks;
    while (b && w->stopping < 2) {
        ack_batch *next = b->next;
        int lane = b->tag == 'r';
        if (!b->ready || waiting[lane]) {
            waiting[lane] = true;
        } else if (b->argc == 0) {
            /* Nothing to acknowledge (everything in it failed): drop it from the list. */
            ack_batch **pp = &w->acks;
            while (*pp != b) {
                pp = &(*pp)->next;
            }
            *pp = next;
            if (w->acks_tail == b) {
                w->acks_tail = NULL;
                for (ack_batch *x = w->acks; x; x = x->next) {
                    w->acks_tail = x;
                }
            }
            batch_free(b);
        } else if (!b->sent) {
            batch_send(w, b);
        }
        b = next;
    }
}

/* Builds the batch's acknowledgement: EVALSHA sha numkeys KEYS... n ttl per-message ARGS. */
static void job_after_cb(uv_work_t *req, int status)
{
    (void)status;
    job *j = req->data;
    worker *w = j->w;
    cat_release(w, j->cat);
    w->grading -= (int)j->n;
    char lane = j->tag;
    if (lane == 'r') {
        w->regrade_grading -= (int)j->n;
    }
    argbuf cmd = {0};
    arg_str(&cmd, "EVALSHA");
    arg_str(&cmd, w->sha_ack);
    size_t nkeys = 6, acked = 0;
    for (size_t i = 0; i < j->n; i++) {
        if (j->out[i].result) {
            acked++;
            nkeys += (j->out[i].dkey != NULL) + (j->out[i].gkey != NULL);
        }
    }
    char num[32];
    snprintf(num, sizeof(num), "%zu", nkeys);
    arg_str(&cmd, num);
    char rate[200];
    queue_rate_key(rate, sizeof(rate), w->cfg->prefix, (long)(time(NULL) / 60));
    const char *fixed[] = {w->keys.results,   w->keys.dead,         w->keys.attempts,
                           w->keys.proc_live, w->keys.proc_regrade, rate};
    for (size_t i = 0; i < 6; i++) {
        arg_str(&cmd, fixed[i]);
    }
    for (size_t i = 0; i < j->n; i++) {
        if (j->out[i].result && j->out[i].dkey) {
            arg_str(&cmd, j->out[i].dkey);
        }
        if (j->out[i].result && j->out[i].gkey) {
            arg_str(&cmd, j->out[i].gkey);
        }
    }
    snprintf(num, sizeof(num), "%zu", acked);
    arg_str(&cmd, num);
    snprintf(num, sizeof(num), "%ld", w->cfg->dedupe_ttl_s);
    arg_str(&cmd, num);
    size_t dk = 6;
    char tags[2] = {j->tag, '\0'};
    for (size_t i = 0; i < j->n; i++) {
        outcome *o = &j->out[i];
        if (o->result == NULL) {
            continue;
        }
        if (o->graded) {
            w->graded++;
        } else {
            w->failed++;
        }
        char dks[16], gks[16];
        snprintf(dks, sizeof(dks), "%zu", o->dkey ? ++dk : 0);
        snprintf(gks, sizeof(gks), "%zu", o->gkey ? ++dk : 0);
        arg_add(&cmd, j->raw[i], j->len[i]);
        arg_str(&cmd, tags);
        arg_str(&cmd, o->result);
        arg_str(&cmd, o->dead ? o->dead : "");
        arg_str(&cmd, dks);
        arg_str(&cmd, o->gave_up ? "gave-up" : "1");
        arg_str(&cmd, gks);
    }
    size_t lost = j->n - acked;
    ack_batch *b = j->b;
    job_free(j);
    if (cmd.oom || acked == 0) { /* nothing to send: out of memory, or nothing graded */
        for (int i = 0; i < cmd.argc; i++) {
            free(cmd.argv[i]);
        }
        free(cmd.argv);
        free(cmd.lens);
        cmd.argc = 0;
        cmd.argv = NULL;
        cmd.lens = NULL;
        lost += acked;
        acked = 0;
    }
    if (lost > 0) {
        wk_log(WK_ERROR,
               "out of memory grading or acknowledging; %zu submission%s stay in processing "
               "and are retried",
               lost, lost == 1 ? "" : "s");
        w->inflight -= (int)lost;
        if (lane == 'r') {
            w->regrade_inflight -= (int)lost;
        }
    }
    b->argc = cmd.argc;
    b->argv = cmd.argv;
    b->lens = cmd.lens;
    b->n = (int)acked;
    b->ready = true;
    flush_acks(w);
    if (lost > 0) {
        /* Reconnecting returns what we could not acknowledge to the queue. */
        conn_drop(&w->main, "out of memory");
    }
    pump(w);
}

/* The regrade pool's side of a job: the same work and completion as on libuv's pool, and
 * for a job dropped unstarted at close, only its release (its messages stay in processing). */
static void bg_work_cb(void *arg)
{
    job *j = arg;
    job_work_cb(&j->req);
}

static void bg_done_cb(void *arg)
{
    job *j = arg;
    job_after_cb(&j->req, 0);
}

static void bg_cancel_cb(void *arg)
{
    job *j = arg;
    cat_release(j->w, j->cat);
    job_free(j);
}

static void start_block(worker *w);

static void claim_cb(conn *c, redisReply *r, void *priv)
{
    (void)priv;
    worker *w = c->w;
    w->claim_outstanding = false;
    bool again = w->pump_again;
    w->pump_again = false;
    if (r == NULL) {
        return; /* the connection went; our processing list is reconciled on reconnect */
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1) {
        if (!w->claim_error_logged) {
            wk_log(WK_ERROR, "claim failed: %s; reconnecting with backoff",
                   r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
            w->claim_error_logged = true;
        }
        conn_drop(c, "claim failed");
        return;
    }
    c->backoff_ms = 100;
    if (w->claim_error_logged) {
        wk_log(WK_INFO, "claims succeed again");
        w->claim_error_logged = false;
    }
    size_t n = (r->elements - 1) / 2;
    /* "lw": a suspect heads the live queue, to be claimed alone once our work in flight is
     * done; each acknowledgement claims again (another worker may have taken it), so do not
     * wait on the live queue, which is not empty. ("rw": the same on the regrade queue; a
     * live arrival is still watched for below.) */
    bool suspect_next = r->element[0]->type == REDIS_REPLY_STRING && r->element[0]->len == 2 &&
                        r->element[0]->str[0] == 'l';
    if (n == 0 && suspect_next && w->stopping == 0 && w->inflight > 0) {
        return;
    }
    if (n == 0) {
        if (w->stopping == 1 && w->inflight == 0) {
            finish(w);
        } else if (w->stopping == 0 && again) {
            pump(w); /* e.g. a regrade batch was acknowledged: there may be room again */
        } else if (w->stopping == 0) {
            start_block(w);
        }
        return;
    }
    job *j = calloc(1, sizeof(*j));
    if (j) {
        j->raw = calloc(n, sizeof(*j->raw));
        j->len = calloc(n, sizeof(*j->len));
        j->redeliveries = calloc(n, sizeof(*j->redeliveries));
        j->out = calloc(n, sizeof(*j->out));
    }
    if (j == NULL || !j->raw || !j->len || !j->redeliveries || !j->out) {
        if (j) {
            job_free(j);
        }
        wk_log(WK_ERROR, "out of memory taking %zu submissions; they stay in processing", n);
        conn_drop(c, "out of memory");
        return;
    }
    j->w = w;
    j->tag = r->element[0]->str && r->element[0]->str[0] == 'r' ? 'r' : 'l';
    j->n = n;
    for (size_t i = 0; i < n; i++) {
        redisReply *m = r->element[1 + 2 * i];
        j->raw[i] = malloc(m->len + 1);
        if (j->raw[i]) {
            memcpy(j->raw[i], m->str, m->len);
            j->raw[i][m->len] = '\0';
        }
        j->len[i] = m->len;
        j->redeliveries[i] = (long)r->element[2 + 2 * i]->integer;
    }
    j->b = calloc(1, sizeof(*j->b));
    if (j->b == NULL) {
        job_free(j);
        wk_log(WK_ERROR, "out of memory taking %zu submissions; they stay in processing", n);
        conn_drop(c, "out of memory");
        return;
    }
    if (w->acks_tail) {
        w->acks_tail->next = j->b;
    } else {
        w->acks = j->b;
    }
    w->acks_tail = j->b;
    j->cat = w->cat;
    j->cat->refs++;
    j->req.data = j;
    j->b->tag = j->tag;
    j->b->suspect = n == 1 && j->redeliveries[0] > 0;
    w->inflight += (int)n;
    w->grading += (int)n;
    if (j->tag == 'r') {
        w->regrade_inflight += (int)n;
        w->regrade_grading += (int)n;
    }
    if (w->cfg->grade_threads > 0 && j->tag == 'r' && w->regrade_pool &&
        bgpool_submit(w->regrade_pool, j) == 0) {
        pump(w);
        return;
    }
    if (w->cfg->grade_threads == 0 ||
        uv_queue_work(w->loop, &j->req, job_work_cb, job_after_cb) != 0) {
        job_work_cb(&j->req);
        job_after_cb(&j->req, 0);
        return;
    }
    pump(w);
}

static void pump_retry_cb(uv_timer_t *t)
{
    pump(t->data);
}

/* A redelivered message is graded with nothing else of ours in flight, so if it kills the
 * worker, no neighbour is charged a delivery for it. */
static bool suspect_in_flight(const worker *w)
{
    for (const ack_batch *b = w->acks; b; b = b->next) {
        if (b->suspect) {
            return true;
        }
    }
    return false;
}

static void pump(worker *w)
{
    if (w->claim_outstanding) {
        w->pump_again = true;
        return;
    }
    if (w->stopping || w->main.state != C_READY) {
        return;
    }
    int room = w->cfg->inflight - w->inflight;
    if (room <= 0 || suspect_in_flight(w)) {
        return;
    }
    int n = room < w->cfg->batch ? room : w->cfg->batch;
    int regrade_room = w->cfg->regrade_inflight - w->regrade_inflight;
    char num[16], rnum[16];
    snprintf(num, sizeof(num), "%d", n);
    snprintf(rnum, sizeof(rnum), "%d", regrade_room > 0 ? regrade_room : 0);
    const char *argv[] = {"EVALSHA",
                          w->sha_claim,
                          "6",
                          w->keys.live,
                          w->keys.regrade,
                          w->keys.proc_live,
                          w->keys.proc_regrade,
                          w->keys.attempts,
                          w->keys.workers,
                          num,
                          w->cfg->worker_id,
                          w->inflight == 0 ? "1" : "0",
                          rnum};
    if (conn_send(&w->main, claim_cb, NULL, 13, argv, NULL) == 0) {
        w->claim_outstanding = true;
    } else {
        uv_timer_start(&w->pump_retry, pump_retry_cb, 100, 0);
    }
}

static void block_cb(conn *c, redisReply *r, void *priv)
{
    (void)priv;
    worker *w = c->w;
    w->block_outstanding = false;
    if (r && r->type == REDIS_REPLY_ERROR) {
        wk_log(WK_WARN, "waiting for work failed: %s", r->str);
        uv_timer_start(&w->pump_retry, pump_retry_cb, 100, 0);
        return;
    }
    pump(w);
}

/* Waits, without taking anything, until the live queue has an element or a short time has
 * passed (the regrade queue is looked at again then). */
static void start_block(worker *w)
{
    if (w->block_outstanding) {
        return;
    }
    if (w->block.state != C_READY) {
        uv_timer_start(&w->pump_retry, pump_retry_cb, 50, 0);
        return;
    }
    char secs[32];
    snprintf(secs, sizeof(secs), "%.3f", (double)w->cfg->idle_block_ms / 1000.0);
    const char *argv[] = {"BLMOVE", w->keys.live, w->keys.live, "RIGHT", "RIGHT", secs};
    if (conn_send(&w->block, block_cb, NULL, 6, argv, NULL) == 0) {
        w->block_outstanding = true;
    } else {
        uv_timer_start(&w->pump_retry, pump_retry_cb, 50, 0);
    }
}

/* ------------------------------------------------------------------------------------
 * Heartbeats, recovery, start-up checks.
 */

static void recover_cb(conn *c, redisReply *r, void *priv)
{
    char *who = priv;
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0) {
        c->w->recovered += (uint64_t)r->integer;
        wk_log(WK_WARN, "returned %lld submission%s of worker %s to the queues", r->integer,
               r->integer == 1 ? "" : "s", who);
        pump(c->w);
    } else if (r && r->type == REDIS_REPLY_ERROR) {
        wk_log(WK_ERROR, "recovery of worker %s failed: %s", who, r->str);
    }
    free(who);
}

static void recover(worker *w, const char *who, bool force, bool count)
{
    queue_keys k;
    queue_keys_init(&k, w->cfg->prefix, who);
    const char *argv[] = {"EVALSHA",        w->sha_recover, "7",    k.heartbeat,
                          k.proc_live,      k.proc_regrade, k.live, k.regrade,
                          k.attempts,       k.workers,      who,    force ? "1" : "0",
                          count ? "1" : "0"};
    char *copy = strdup(who);
    if (copy && conn_send(&w->main, recover_cb, copy, 13, argv, NULL) != 0) {
        free(copy);
    }
}

static void members_cb(conn *c, redisReply *r, void *priv)
{
    (void)priv;
    worker *w = c->w;
    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        return;
    }
    for (size_t i = 0; i < r->elements; i++) {
        const char *who = r->element[i]->str;
        if (who && strcmp(who, w->cfg->worker_id) != 0) {
            recover(w, who, false, true);
        }
    }
}

static void beat(worker *w)
{
    if (w->main.state != C_READY || w->leaving) {
        return;
    }
    char ttl[32], val[512];
    snprintf(ttl, sizeof(ttl), "%ld", w->cfg->heartbeat_ttl_ms);
    snprintf(val, sizeof(val),
             "{\"pid\":%ld,\"started\":%lld,\"inflight\":%d,\"graded\":%llu,\"failed\":%llu}",
             (long)getpid(), w->started, w->inflight, (unsigned long long)w->graded,
             (unsigned long long)w->failed);
    const char *set[] = {"SET", w->keys.heartbeat, val, "PX", ttl};
    conn_send(&w->main, ignore_reply, NULL, 5, set, NULL);
    const char *sadd[] = {"SADD", w->keys.workers, w->cfg->worker_id};
    conn_send(&w->main, ignore_reply, NULL, 3, sadd, NULL);
}

static void heartbeat_cb(uv_timer_t *t)
{
    worker *w = t->data;
    static unsigned ticks;
    beat(w);
    /* Look for dead workers about once per heartbeat TTL (every third beat). */
    if (w->main.state == C_READY && ticks++ % 3 == 0) {
        const char *argv[] = {"SMEMBERS", w->keys.workers};
        conn_send(&w->main, members_cb, NULL, 2, argv, NULL);
        /* A claim written on a connection we dropped can reach Redis after the reconnect
         * returned our lists: what it moved sits there unseen. With nothing claimed,
         * grading or unacknowledged, whatever is in our lists is such a leftover. */
        if (w->inflight == 0 && !w->claim_outstanding && w->acks == NULL) {
            recover(w, w->cfg->worker_id, true, false);
        }
    }
}

static void config_cb(conn *c, redisReply *r, void *priv)
{
    (void)c;
    const char *what = priv;
    if (r == NULL) {
        return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        wk_log(WK_WARN,
               "cannot check Redis's %s (%s): make sure persistence is on and queue "
               "keys cannot be evicted",
               what, r->str);
        return;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 || r->element[1]->str == NULL) {
        return;
    }
    const char *v = r->element[1]->str;
    if (strcmp(what, "appendonly") == 0 && strcmp(v, "yes") != 0) {
        wk_log(WK_WARN,
               "Redis has appendonly=%s: queued and in-flight submissions are lost if "
               "Redis restarts; set appendonly yes",
               v);
    }
    if (strcmp(what, "maxmemory-policy") == 0 && strncmp(v, "allkeys-", 8) == 0) {
        wk_log(WK_WARN,
               "Redis has maxmemory-policy=%s, which may evict queue keys under memory "
               "pressure; use noeviction",
               v);
    }
}

static void script_cb(conn *c, redisReply *r, void *priv)
{
    const char *expect = priv;
    if (r && r->type == REDIS_REPLY_ERROR) {
        wk_log(WK_ERROR, "cannot load the queue scripts: %s", r->str);
        conn_drop(c, "SCRIPT LOAD failed");
    } else if (r && r->type == REDIS_REPLY_STRING && strcmp(r->str, expect) != 0) {
        wk_log(WK_ERROR, "Redis named a script %s, expected %s", r->str, expect);
    }
}

static void main_ready(conn *c)
{
    worker *w = c->w;
    const char *scripts[] = {queue_claim_lua, queue_ack_lua, queue_recover_lua};
    char *shas[] = {w->sha_claim, w->sha_ack, w->sha_recover};
    for (size_t i = 0; i < 3; i++) {
        const char *argv[] = {"SCRIPT", "LOAD", scripts[i]};
        conn_send(c, script_cb, shas[i], 3, argv, NULL);
    }
    if (!w->persistence_checked) {
        w->persistence_checked = true;
        const char *a1[] = {"CONFIG", "GET", "appendonly"};
        conn_send(c, config_cb, "appendonly", 3, a1, NULL);
        const char *a2[] = {"CONFIG", "GET", "maxmemory-policy"};
        conn_send(c, config_cb, "maxmemory-policy", 3, a2, NULL);
    }
    /* Acknowledgements whose replies were lost go again (the script is idempotent)... */
    for (ack_batch *b = w->acks; b; b = b->next) {
        if (b->ready && !b->sent && b->argc > 0) {
            batch_send(w, b);
        }
    }
    /* ...then whatever is still in our processing lists was claimed but never seen
     * (the claim's reply was lost): back to the queues. At start-up, leftovers from an
     * earlier process with the same worker id count as a redelivery. */
    int unacked = 0, unacked_regrade = 0;
    for (ack_batch *b = w->acks; b; b = b->next) {
        unacked += b->ready ? b->n : 0;
        unacked_regrade += b->ready && b->tag == 'r' ? b->n : 0;
    }
    w->inflight = unacked + w->grading;
    w->regrade_inflight = unacked_regrade + w->regrade_grading;
    w->claim_outstanding = false;
    recover(w, w->cfg->worker_id, true, !w->first_ready_done);
    w->first_ready_done = true;
    if (w->stopping == 1) {
        if (w->inflight == 0) {
            finish(w);
        }
        return;
    }
    beat(w);
    const char *argv[] = {"SMEMBERS", w->keys.workers};
    conn_send(c, members_cb, NULL, 2, argv, NULL);
    pump(w);
}

static void block_ready(conn *c)
{
    pump(c->w);
}

/* ------------------------------------------------------------------------------------
 * Signals and shutdown.
 */

static void close_all(worker *w)
{
    w->stopping = 2;
    conn *cs[] = {&w->main, &w->block};
    for (size_t i = 0; i < 2; i++) {
        redisAsyncContext *ac = cs[i]->ac;
        cs[i]->ac = NULL;
        cs[i]->state = C_DOWN;
        if (ac) {
            ac->data = NULL;
            redisAsyncFree(ac);
        }
        uv_timer_stop(&cs[i]->retry);
        uv_close((uv_handle_t *)&cs[i]->retry, NULL);
    }
    uv_timer_t *timers[] = {&w->heartbeat, &w->watchdog, &w->drain, &w->pump_retry};
    for (size_t i = 0; i < 4; i++) {
        uv_timer_stop(timers[i]);
        uv_close((uv_handle_t *)timers[i], NULL);
    }
    uv_signal_t *sigs[] = {&w->sigterm, &w->sigint, &w->sighup};
    for (size_t i = 0; i < 3; i++) {
        uv_signal_stop(sigs[i]);
        uv_close((uv_handle_t *)sigs[i], NULL);
    }
    if (w->regrade_pool) {
        /* Jobs not started are dropped (their submissions stay in processing and are
         * recovered); the loop waits for the ones running, as for its own pool. */
        bgpool_close(w->regrade_pool, bg_cancel_cb);
        w->regrade_pool = NULL;
    }
}

static void bye_cb(conn *c, redisReply *r, void *priv)
{
    (void)r;
    (void)priv;
    worker *w = c->w;
    if (w->stopping < 2) {
        wk_log(WK_INFO, "stopped: %llu graded, %llu not graded, %llu duplicates suppressed",
               (unsigned long long)w->graded, (unsigned long long)w->failed,
               (unsigned long long)w->duplicates);
        close_all(w);
    }
}

/* Everything in flight is acknowledged: leave the registry and stop. */
static void finish(worker *w)
{
    if (w->stopping >= 2) {
        return;
    }
    if (w->main.state != C_READY) {
        /* Right after a lost connection the reconnect usually succeeds: wait for it
         * (main_ready calls us again) so we leave the registry properly. Only once an
         * attempt has failed is Redis unreachable (retry_cb calls us again then). */
        if (w->inflight == 0 && w->acks == NULL && w->main.attempt_failed) {
            /* Nothing of ours waits in memory. Anything a lost claim left in our processing
             * list is returned by another worker once our heartbeat expires. */
            wk_log(WK_WARN, "stopping while Redis is unreachable: nothing in flight; leaving "
                            "the registry to expire");
            close_all(w);
        }
        return; /* else the drain timer ends it if Redis does not come back */
    }
    /* Leftovers of a late claim (see heartbeat_cb) go back before we leave the registry. */
    recover(w, w->cfg->worker_id, true, false);
    w->leaving = true;
    const char *del[] = {"DEL", w->keys.heartbeat};
    conn_send(&w->main, ignore_reply, NULL, 2, del, NULL);
    const char *srem[] = {"SREM", w->keys.workers, w->cfg->worker_id};
    conn_send(&w->main, bye_cb, NULL, 3, srem, NULL);
}

static void drain_cb(uv_timer_t *t)
{
    worker *w = t->data;
    wk_log(WK_WARN,
           "drain timed out with %d submission%s unacknowledged; they stay in %s and %s "
           "and are recovered by another worker",
           w->inflight, w->inflight == 1 ? "" : "s", w->keys.proc_live, w->keys.proc_regrade);
    w->exit_code = 1;
    close_all(w);
}

static void stop_signal_cb(uv_signal_t *s, int signum)
{
    worker *w = s->data;
    if (w->stopping) {
        wk_log(WK_WARN, "second signal: exiting now; in-flight work stays in processing and is "
                        "recovered");
        _exit(1);
    }
    wk_log(WK_INFO, "signal %d: finishing %d in-flight submission%s, taking no more", signum,
           w->inflight, w->inflight == 1 ? "" : "s");
    w->stopping = 1;
    uv_timer_start(&w->drain, drain_cb, (uint64_t)w->cfg->drain_timeout_ms, 0);
    if (w->inflight == 0 && !w->claim_outstanding) {
        finish(w);
    }
}

static int load_catalog(const char *dir, assay_catalog **out)
{
    assay_catalog *cat = assay_catalog_create();
    assay_diags *d = assay_diags_create();
    int rc = assay_catalog_load_dir(cat, dir, NULL, d);
    char line[1200];
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
        wk_log(WK_ERROR, "%s", line);
    }
    assay_diags_destroy(d);
    if (rc < 0) {
        assay_catalog_destroy(cat);
        return rc;
    }
    *out = cat;
    return rc;
}

static cat_ref *cat_ref_new(assay_catalog *cat)
{
    cat_ref *c = calloc(1, sizeof(*c));
    if (c) {
        c->cat = cat;
    }
    return c;
}

static void hup_cb(uv_signal_t *s, int signum)
{
    (void)signum;
    worker *w = s->data;
    assay_catalog *cat = NULL;
    int rc = load_catalog(w->cfg->rubrics, &cat);
    if (rc == 0) {
        /* An empty directory (a deployment mistake) would dead-letter everything. */
        assay_catalog_destroy(cat);
        cat = NULL;
        rc = ASSAY_E_INVALID;
        wk_log(WK_ERROR, "SIGHUP: no rubric found in %s", w->cfg->rubrics);
    }
    cat_ref *ref = rc > 0 ? cat_ref_new(cat) : NULL;
    if (ref == NULL) {
        if (rc > 0) {
            assay_catalog_destroy(cat);
            rc = ASSAY_E_NOMEM;
        }
        wk_log(WK_ERROR,
               "SIGHUP: rubrics in %s not reloaded (%s); the %zu loaded before stay "
               "in service",
               w->cfg->rubrics, assay_strerror(rc), assay_catalog_count(w->cat->cat));
        return;
    }
    cat_ref *old = w->cat;
    w->cat = ref;
    if (old->refs == 0) {
        assay_catalog_destroy(old->cat);
        free(old);
    }
    wk_log(WK_INFO, "SIGHUP: reloaded %d rubric%s from %s", rc, rc == 1 ? "" : "s",
           w->cfg->rubrics);
}

/* ------------------------------------------------------------------------------------
 * Entry point.
 */

int worker_run(wk_config *cfg)
{
    worker *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return 1;
    }
    w->cfg = cfg;
    w->started = (long long)time(NULL);
    srand((unsigned)(time(NULL) ^ getpid()));
    assay_catalog *cat = NULL;
    if (load_catalog(cfg->rubrics, &cat) < 0 || (w->cat = cat_ref_new(cat)) == NULL) {
        wk_log(WK_ERROR, "cannot start: the rubrics in %s did not load", cfg->rubrics);
        assay_catalog_destroy(cat);
        free(w);
        return 1;
    }
    wk_log(WK_INFO,
           "assay-worker %s starting as %s: %zu rubric%s from %s, Redis %s, prefix %s, "
           "%d grading thread%s",
           assay_version(), cfg->worker_id, assay_catalog_count(cat),
           assay_catalog_count(cat) == 1 ? "" : "s", cfg->rubrics, cfg->redis_desc, cfg->prefix,
           cfg->grade_threads, cfg->grade_threads == 1 ? "" : "s");
    if (cfg->stub_grader) {
        wk_log(WK_WARN, "benchmark stub on (ASSAY_BENCH_STUB_GRADER): results are canned, not "
                        "grades; for benchmarks only");
    }
    if (cfg->fault_abort_on) {
        wk_log(WK_WARN, "fault injection is on (ASSAY_FAULT_ABORT_ON): this worker aborts "
                        "on any message holding that text; for chaos tests only");
    }
    w->limits = assay_limits_default();
    w->limits.max_submission_bytes = cfg->max_bytes;
    pthread_mutex_init(&w->pool_mu, NULL);
    queue_keys_init(&w->keys, cfg->prefix, cfg->worker_id);
    queue_script_sha(queue_claim_lua, w->sha_claim);
    queue_script_sha(queue_ack_lua, w->sha_ack);
    queue_script_sha(queue_recover_lua, w->sha_recover);

    w->loop = uv_default_loop();
    conn *cs[] = {&w->main, &w->block};
    const char *names[] = {"main", "block"};
    for (size_t i = 0; i < 2; i++) {
        cs[i]->w = w;
        cs[i]->name = names[i];
        cs[i]->backoff_ms = 100;
        uv_timer_init(w->loop, &cs[i]->retry);
        cs[i]->retry.data = cs[i];
    }
    w->main.on_ready = main_ready;
    w->block.on_ready = block_ready;
    w->block.extra_timeout_ms = cfg->idle_block_ms;

    uv_timer_t *timers[] = {&w->heartbeat, &w->watchdog, &w->drain, &w->pump_retry};
    for (size_t i = 0; i < 4; i++) {
        uv_timer_init(w->loop, timers[i]);
        timers[i]->data = w;
    }
    uint64_t beat_ms = (uint64_t)cfg->heartbeat_ttl_ms / 3;
    uv_timer_start(&w->heartbeat, heartbeat_cb, beat_ms, beat_ms);
    uv_timer_start(&w->watchdog, watchdog_cb, 100, 100);
    if (cfg->grade_threads > 0) {
        w->regrade_pool = bgpool_start(w->loop, cfg->grade_threads, bg_work_cb, bg_done_cb);
        if (w->regrade_pool == NULL) {
            wk_log(WK_WARN, "cannot start the low-priority regrade threads; regrading "
                            "shares the live grading threads");
        }
    }
    uv_signal_t *sigs[] = {&w->sigterm, &w->sigint, &w->sighup};
    for (size_t i = 0; i < 3; i++) {
        uv_signal_init(w->loop, sigs[i]);
        sigs[i]->data = w;
    }
    uv_signal_start(&w->sigterm, stop_signal_cb, SIGTERM);
    uv_signal_start(&w->sigint, stop_signal_cb, SIGINT);
    uv_signal_start(&w->sighup, hup_cb, SIGHUP);

    conn_start(&w->main);
    conn_start(&w->block);
    uv_run(w->loop, UV_RUN_DEFAULT);
    /* Run once more so the close callbacks of every handle have run before freeing. */
    uv_run(w->loop, UV_RUN_DEFAULT);
    uv_loop_close(w->loop);

    while (w->acks) {
        ack_batch *b = w->acks;
        w->acks = b->next;
        batch_free(b);
    }
    int code = w->exit_code;
    for (size_t i = 0; i < w->npool; i++) {
        assay_scratch_destroy(w->pool[i]);
    }
    pthread_mutex_destroy(&w->pool_mu);
    assay_catalog_destroy(w->cat->cat);
    free(w->cat);
    free(w);
    return code;
}
