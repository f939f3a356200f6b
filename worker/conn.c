/*
 * conn.c - the worker's Redis connections (see conn.h): connect, authenticate, send with
 * a reply trampoline, drop, watchdog, and reconnect with backoff. Which commands go on a
 * connection is its owner's business (on_ready and the senders).
 */
#include "conn.h"

#include "health.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "redis_uv.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>

enum { BACKOFF_FIRST_MS = 100, BACKOFF_MAX_MS = 5000 };

/* What a command's callback needs: hiredis gives one pointer. */
typedef struct tramp {
    wk_conn *c;
    wk_reply_fn *fn;
    void *priv;
} tramp;

static void tramp_cb(redisAsyncContext *ac, void *r, void *privdata)
{
    (void)ac;
    tramp *t = privdata;
    wk_conn *c = t->c;
    c->pending--;
    c->busy_since = uv_now(c->w->loop);
    if (r == NULL) {
        c->state = WK_CONN_DOWN; /* hiredis is freeing the context: nothing more goes on it */
    }
    t->fn(c, r, t->priv);
    free(t);
    wk_maybe_finish(c->w);
}

int wk_conn_send(wk_conn *c, wk_reply_fn *fn, void *priv, int argc, const char **argv,
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

void wk_conn_ignore_reply(wk_conn *c, redisReply *r, void *priv)
{
    (void)priv;
    if (r && r->type == REDIS_REPLY_ERROR) {
        wk_logf(WK_WARN, &(wk_lf){.event = "redis_error", .conn = c->name},
                "redis (%s) answered an error: %s", c->name, r->str);
    }
}

void wk_conn_reset_backoff(wk_conn *c)
{
    c->backoff_ms = BACKOFF_FIRST_MS;
}

/* While draining with nothing left in memory, a failed attempt on main means Redis is
 * unreachable: retry_cb runs at once so wk_maybe_finish can stop without it. With work
 * still held (a batch waiting for its records read or its acknowledgement), the worker
 * goes on reconnecting with backoff, so that it can still answer if Redis returns before
 * the drain timeout; retrying at once would spin the loop until then. */
static bool drain_unreachable(const wk_conn *c)
{
    wk_worker *w = c->w;
    return w->phase == WK_DRAINING && c == &w->main && c->attempt_failed && wk_drained(w);
}

static void retry_cb(uv_timer_t *t)
{
    wk_conn *c = t->data;
    wk_worker *w = c->w;
    if (c == &w->main) {
        wk_maybe_finish(w);
    }
    if (w->phase != WK_CLOSED) {
        wk_conn_start(c);
    }
}

static void schedule_retry(wk_conn *c)
{
    if (c->w->phase == WK_CLOSED) {
        return;
    }
    if (drain_unreachable(c)) {
        uv_timer_start(&c->retry, retry_cb, 0, 0);
        return;
    }
    long base = c->backoff_ms;
    long jitter = base / 4 > 0 ? rand() % (base / 2 + 1) - base / 4 : 0;
    uv_timer_start(&c->retry, retry_cb, (uint64_t)(base + jitter), 0);
    c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
}

static void went_down(wk_conn *c, const char *why)
{
    if (c->quiet_drop) {
        c->quiet_drop = false; /* dropped on purpose, and said so: no line, no state change */
        return;
    }
    if (c->was_ready) {
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "connection_lost",
                         .conn = c->name,
                         .redis = c->w->cfg->redis_desc},
                "lost the Redis connection (%s): %s; reconnecting", c->name, why);
        wk_metrics_add(WK_M_REDIS_RECONNECTS, 1);
        c->was_ready = false;
        c->fail_logged = true;
    } else {
        c->attempt_failed = true;
        if (!c->fail_logged) {
            wk_logf(WK_ERROR,
                    &(wk_lf){.event = "redis_unreachable",
                             .conn = c->name,
                             .redis = c->w->cfg->redis_desc},
                    "cannot reach Redis at %s (%s): %s; retrying with backoff",
                    c->w->cfg->redis_desc, c->name, why);
            c->fail_logged = true;
        }
    }
}

void wk_conn_drop(wk_conn *c, const char *why)
{
    redisAsyncContext *ac = c->ac;
    c->ac = NULL;
    c->state = WK_CONN_DOWN;
    went_down(c, why);
    if (ac) {
        ac->data = NULL;
        redisAsyncFree(ac);
    }
    schedule_retry(c);
}

void wk_conn_drop_quietly(wk_conn *c, const char *why)
{
    c->quiet_drop = true;
    wk_conn_drop(c, why);
}

/* After each read: data arriving is progress for the watchdog (a large reply is slow, not
 * lost), and a reply growing past the connection's limit is refused by dropping it. */
static void read_cb(redisAsyncContext *ac, void *arg)
{
    wk_conn *c = arg;
    if (c->ac != ac) {
        return;
    }
    c->busy_since = uv_now(c->w->loop);
    const redisReader *rd = ac->c.reader;
    if (c->max_reply > 0 && rd && rd->len - rd->pos > c->max_reply && c->on_oversize) {
        c->on_oversize(c);
    }
}

void wk_conn_close(wk_conn *c)
{
    redisAsyncContext *ac = c->ac;
    c->ac = NULL;
    c->state = WK_CONN_DOWN;
    if (ac) {
        ac->data = NULL;
        redisAsyncFree(ac);
    }
    uv_timer_stop(&c->retry);
    uv_close((uv_handle_t *)&c->retry, NULL);
}

static void disconnect_cb(const redisAsyncContext *ac, int status)
{
    wk_conn *c = ac->data;
    if (c == NULL) {
        return; /* dropped on purpose */
    }
    c->ac = NULL;
    c->state = WK_CONN_DOWN;
    if (c->w->phase == WK_CLOSED) {
        return;
    }
    went_down(c, status == REDIS_OK ? "closed" : (ac->errstr[0] ? ac->errstr : "error"));
    schedule_retry(c);
}

static void ready_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)priv;
    if (r == NULL) {
        return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        if (!wk_health_refused(c, r->str, "PING")) {
            wk_conn_drop(c, r->str);
        }
        return;
    }
    c->state = WK_CONN_READY;
    /* main's backoff is reset only once a claim succeeds (claim.c): a Redis that accepts
     * connections but refuses the commands (OOM under noeviction, a missing ACL permission)
     * would otherwise be reconnected to, and logged about, every 100 ms. */
    if (c != &c->w->main) {
        wk_conn_reset_backoff(c);
    }
    if (!c->was_ready) {
        wk_logf(WK_INFO,
                &(wk_lf){.event = "connected", .conn = c->name, .redis = c->w->cfg->redis_desc},
                "connected to Redis at %s (%s)", c->w->cfg->redis_desc, c->name);
    }
    c->was_ready = true;
    c->fail_logged = false;
    c->attempt_failed = false;
    c->on_ready(c);
}

/* AUTH's and SELECT's reply (priv: the command's name). */
static void auth_cb(wk_conn *c, redisReply *r, void *priv)
{
    if (r && r->type == REDIS_REPLY_ERROR && !wk_health_refused(c, r->str, priv)) {
        char why[300];
        snprintf(why, sizeof(why), "%s failed: %s", (const char *)priv, r->str);
        wk_conn_drop(c, why);
    }
}

static void connect_cb(const redisAsyncContext *ac, int status)
{
    wk_conn *c = ac->data;
    if (c == NULL) {
        return;
    }
    if (status != REDIS_OK) {
        c->ac = NULL; /* hiredis frees the context after this callback */
        c->state = WK_CONN_DOWN;
        went_down(c, ac->errstr[0] ? ac->errstr : "connect failed");
        schedule_retry(c);
        return;
    }
    const redis_url *u = &c->w->cfg->redis;
    if (u->password[0]) {
        if (u->user[0]) {
            const char *argv[] = {"AUTH", u->user, u->password};
            wk_conn_send(c, auth_cb, "AUTH", 3, argv, NULL);
        } else {
            const char *argv[] = {"AUTH", u->password};
            wk_conn_send(c, auth_cb, "AUTH", 2, argv, NULL);
        }
    }
    if (u->db) {
        char db[16];
        snprintf(db, sizeof(db), "%d", u->db);
        const char *argv[] = {"SELECT", db};
        wk_conn_send(c, auth_cb, "SELECT", 2, argv, NULL);
    }
    const char *argv[] = {"PING"};
    wk_conn_send(c, ready_cb, NULL, 1, argv, NULL);
}

void wk_conn_start(wk_conn *c)
{
    const redis_url *u = &c->w->cfg->redis;
    redisAsyncContext *ac =
        u->unix_socket ? redisAsyncConnectUnix(u->path) : redisAsyncConnect(u->host, u->port);
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
    if (wk_redis_uv_attach(ac, c->w->loop, read_cb, c) != REDIS_OK) {
        went_down(c, "cannot attach to the event loop");
        redisAsyncFree(ac);
        schedule_retry(c);
        return;
    }
    redisAsyncSetConnectCallback(ac, connect_cb);
    redisAsyncSetDisconnectCallback(ac, disconnect_cb);
    c->ac = ac;
    c->state = WK_CONN_CONNECTING;
    c->pending = 0;
    c->connecting_since = uv_now(c->w->loop);
}

void wk_conn_init(wk_conn *c, wk_worker *w, const char *name, void (*on_ready)(wk_conn *c),
                  long extra_timeout_ms)
{
    c->w = w;
    c->name = name;
    c->on_ready = on_ready;
    c->extra_timeout_ms = extra_timeout_ms;
    c->backoff_ms = BACKOFF_FIRST_MS;
    uv_timer_init(w->loop, &c->retry);
    c->retry.data = c;
}

void wk_conn_watchdog_cb(uv_timer_t *t)
{
    wk_worker *w = t->data;
    uint64_t now = uv_now(w->loop);
    wk_conn *cs[] = {&w->main, &w->block};
    for (size_t i = 0; i < 2; i++) {
        wk_conn *c = cs[i];
        long limit = w->cfg->command_timeout_ms + c->extra_timeout_ms;
        if (c->ac == NULL) {
            continue;
        }
        if (c->state == WK_CONN_CONNECTING && now - c->connecting_since > (uint64_t)limit) {
            char why[120];
            snprintf(why, sizeof(why), "no answer within %ld ms while connecting", limit);
            wk_conn_drop(c, why);
        } else if (c->pending > 0 && now - c->busy_since > (uint64_t)limit) {
            char why[120];
            snprintf(why, sizeof(why), "no reply within %ld ms", limit);
            wk_conn_drop(c, why);
        }
    }
}
