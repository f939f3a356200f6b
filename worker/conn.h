/*
 * conn.h - one Redis connection of the worker: connecting (AUTH, SELECT, PING), sending a
 * command with a callback for its reply, dropping it, and reconnecting with exponential
 * backoff and jitter. hiredis 0.14 has no timeouts: a watchdog drops a connection whose
 * replies are overdue.
 *
 * States: DOWN --wk_conn_start--> CONNECTING --PING answered--> READY; any --drop, close
 * by Redis, failed connect, or a lost reply--> DOWN, and a retry timer starts it again
 * (never once the worker is CLOSED).
 */
#ifndef ASSAY_WORKER_CONN_H
#define ASSAY_WORKER_CONN_H

#include <hiredis/async.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

typedef struct wk_worker wk_worker;
typedef struct wk_conn wk_conn;

typedef enum wk_conn_state { WK_CONN_DOWN, WK_CONN_CONNECTING, WK_CONN_READY } wk_conn_state;

/* A reply callback. r is NULL when the connection went before the reply came (and the
 * connection is already DOWN then); r is freed after the callback returns. */
typedef void wk_reply_fn(wk_conn *c, redisReply *r, void *priv);

struct wk_conn {
    wk_worker *w;
    const char *name; /* "main" or "block", in log lines */
    redisAsyncContext *ac;
    wk_conn_state state;
    uv_timer_t retry;
    long backoff_ms;
    int pending;         /* commands sent, replies not yet received */
    uint64_t busy_since; /* last reply, or when pending went above 0 */
    uint64_t connecting_since;
    long extra_timeout_ms; /* beyond --command-timeout (block: its blocking wait) */
    bool was_ready;        /* for logging once per state change */
    bool fail_logged;
    bool attempt_failed; /* a connection attempt failed since the last time it was ready */
    bool quiet_drop;     /* the next drop is on purpose and logged by its caller */
    size_t max_reply;    /* 0, or a reply larger than this calls on_oversize (block) */
    void (*on_ready)(wk_conn *c);
    void (*on_oversize)(wk_conn *c);
};

/* Sets c up (its retry timer on w's loop); on_ready runs each time it becomes READY. */
void wk_conn_init(wk_conn *c, wk_worker *w, const char *name, void (*on_ready)(wk_conn *c),
                  long extra_timeout_ms);
/* Starts connecting; a failure schedules a retry. */
void wk_conn_start(wk_conn *c);
/* Sends a command (lens NULL: C strings). @return 0, or -1 when not connected or out of
 * memory (fn is not called then). */
int wk_conn_send(wk_conn *c, wk_reply_fn *fn, void *priv, int argc, const char **argv,
                 const size_t *lens);
/* Drops the connection now: pending callbacks get NULL replies, then a retry is scheduled. */
void wk_conn_drop(wk_conn *c, const char *why);
/* The same without the "lost the connection" line or its state change (the caller logs
 * why): the reconnection that follows is not logged either. */
void wk_conn_drop_quietly(wk_conn *c, const char *why);
/* Closes it for good: the context freed (callbacks get NULL), the retry timer closed. */
void wk_conn_close(wk_conn *c);
/* A reply callback that only logs an error reply. */
void wk_conn_ignore_reply(wk_conn *c, redisReply *r, void *priv);
/* Resets the reconnection delay (after a success that proves Redis usable). */
void wk_conn_reset_backoff(wk_conn *c);
/* The watchdog timer's callback (data: the worker): drops connections whose replies are
 * overdue. */
void wk_conn_watchdog_cb(uv_timer_t *t);

#endif
