/*
 * claim.c - claiming and waiting (see claim.h).
 *
 * "main" sends the claims; "block" only waits, with BLMOVE src src RIGHT RIGHT (which
 * returns an element without moving it), for the live queue to become non-empty while both
 * queues are empty, so no round trip is spent per submission while the queue is deep and no
 * polling happens while it is empty. A claim's reply becomes one grading job (jobs.c).
 */
#include "claim.h"

#include "acks.h"
#include "health.h"
#include "jobs.h"
#include "lifecycle.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pump_retry_cb(uv_timer_t *t)
{
    wk_pump(t->data);
}

static void block_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)priv;
    wk_worker *w = c->w;
    w->block_outstanding = false;
    if (r && r->type == REDIS_REPLY_ERROR) {
        if (wk_health_refused(c, r->str, "BLMOVE")) {
            /* OOM: BLMOVE is a write; wait before the next try (a user refused: the
             * connection was dropped, and its reconnection brings us back). */
            uv_timer_start(&w->pump_retry, pump_retry_cb, wk_writes_delay(w), 0);
            return;
        }
        wk_logf(WK_WARN, &(wk_lf){.event = "wait_failed", .conn = c->name},
                "waiting for work failed: %s", r->str);
        uv_timer_start(&w->pump_retry, pump_retry_cb, 100, 0);
        return;
    }
    if (r && w->block_sent_at >= w->writes_refused_at) {
        /* Only a wait begun after the refusal was seen proves that writes go through: one
         * begun before it was let in before memory ran out. */
        wk_writes_ok(w);
    }
    wk_pump(w);
}

/* Waits, without taking anything, until the live queue has an element or a short time has
 * passed (the regrade queue is looked at again then). */
static void start_block(wk_worker *w)
{
    if (w->block_outstanding) {
        return;
    }
    if (w->block.state != WK_CONN_READY) {
        uv_timer_start(&w->pump_retry, pump_retry_cb, 50, 0);
        return;
    }
    char secs[32];
    snprintf(secs, sizeof(secs), "%.3f", (double)w->cfg->idle_block_ms / 1000.0);
    const char *argv[] = {"BLMOVE", w->keys.live, w->keys.live, "RIGHT", "RIGHT", secs};
    if (wk_conn_send(&w->block, block_cb, NULL, 6, argv, NULL) == 0) {
        w->block_outstanding = true;
        w->block_sent_at = uv_now(w->loop);
    } else {
        uv_timer_start(&w->pump_retry, pump_retry_cb, 50, 0);
    }
}

/* Copies the claimed messages out of the reply into a new job. NULL when out of memory. */
static wk_job *take(wk_worker *w, const redisReply *r, queue_lane lane, size_t n)
{
    wk_job *j = wk_job_new(w, lane, n);
    for (size_t i = 0; j && i < n; i++) {
        const redisReply *m = r->element[1 + 2 * i];
        j->raw[i] = malloc(m->len + 1);
        if (j->raw[i]) {
            memcpy(j->raw[i], m->str, m->len);
            j->raw[i][m->len] = '\0';
        }
        j->len[i] = m->len;
        j->redeliveries[i] = (long)r->element[2 + 2 * i]->integer;
    }
    return j;
}

/* An oversized message: {tag, its first bytes, its length, its SHA-1}. One job of one
 * message whose raw bytes are that prefix. NULL when the reply is not that, or out of
 * memory. */
static wk_job *take_oversize(wk_worker *w, const redisReply *r, queue_lane lane)
{
    if (r->elements != 4 || r->element[1]->type != REDIS_REPLY_STRING ||
        r->element[2]->type != REDIS_REPLY_INTEGER ||
        r->element[3]->type != REDIS_REPLY_STRING || r->element[3]->len != 40) {
        return NULL;
    }
    wk_job *j = wk_job_new(w, lane, 1);
    wk_oversize *big = j ? calloc(1, sizeof(*big)) : NULL;
    const redisReply *m = r->element[1];
    char *raw = big ? malloc(m->len + 1) : NULL;
    if (raw == NULL) {
        free(big);
        wk_job_free(j);
        return NULL;
    }
    memcpy(raw, m->str, m->len);
    raw[m->len] = '\0';
    big->bytes = r->element[2]->integer;
    memcpy(big->sha1, r->element[3]->str, 40);
    j->raw[0] = raw;
    j->len[0] = m->len;
    j->big = big;
    return j;
}

void wk_claim_oversize(wk_conn *c, const redisReply *r)
{
    wk_worker *w = c->w;
    queue_claim_kind kind;
    const redisReply *tag = r->element[0];
    queue_claim_tag(tag->type == REDIS_REPLY_STRING ? tag->str : NULL, tag->len, &kind);
    wk_job *j = kind.oversize ? take_oversize(w, r, kind.lane) : NULL;
    if (j == NULL || wk_job_start(j) != 0) {
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "out_of_memory", .queue = queue_lane_name(kind.lane)},
                "out of memory taking an oversized submission, or a bad reply; it stays in "
                "processing");
        wk_conn_drop(c, "out of memory");
    }
}

static void claim_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)priv;
    wk_worker *w = c->w;
    w->claim_outstanding = false;
    bool again = w->pump_again;
    w->pump_again = false;
    if (r == NULL) {
        return; /* the connection went; our processing list is reconciled on reconnect */
    }
    if (r->type == REDIS_REPLY_ERROR && wk_health_refused(c, r->str, "the claim script")) {
        if (w->phase != WK_CLOSED && c->state == WK_CONN_READY) {
            uv_timer_start(&w->pump_retry, pump_retry_cb, wk_writes_delay(w), 0); /* OOM */
        }
        return;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 1) {
        if (!w->claim_error_logged) {
            wk_logf(WK_ERROR, &(wk_lf){.event = "claim_failed", .conn = c->name},
                    "claim failed: %s; reconnecting with backoff",
                    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
            w->claim_error_logged = true;
        }
        wk_conn_drop(c, "claim failed");
        return;
    }
    wk_conn_reset_backoff(c);
    wk_health_claimed(w);
    if (w->claim_error_logged) {
        wk_logf(WK_INFO, &(wk_lf){.event = "claim_ok"}, "claims succeed again");
        w->claim_error_logged = false;
    }
    size_t n = (r->elements - 1) / 2;
    if (r->elements > 1) {
        wk_writes_ok(w); /* the claim moved them */
    }
    queue_claim_kind kind;
    const redisReply *tag = r->element[0];
    queue_claim_tag(tag->type == REDIS_REPLY_STRING ? tag->str : NULL, tag->len, &kind);
    queue_lane lane = kind.lane;
    bool suspect_waits = kind.waits;
    if (kind.oversize) {
        wk_claim_oversize(c, r);
        return;
    }
    /* Told to wait although we were idle: a suspect would have been ours, so an oversized
     * message heads the queue and our oversize list holds a leftover (a claim that ran
     * after its connection was dropped). Return it to the queue, then claim again. */
    if (n == 0 && suspect_waits && w->claim_idle && !wk_acks_oversize_in_flight(w) &&
        w->phase == WK_RUNNING) {
        wk_resume_oversize(w);
        return;
    }
    /* "lw": a suspect heads the live queue, to be claimed alone once our work in flight is
     * done; each acknowledgement claims again (another worker may have taken it), so do not
     * wait on the live queue, which is not empty. ("rw": the same on the regrade queue; a
     * live arrival is still watched for below.) */
    if (n == 0 && suspect_waits && lane == QUEUE_LIVE && w->phase == WK_RUNNING &&
        w->inflight > 0) {
        return;
    }
    if (n == 0) {
        if (w->phase == WK_RUNNING && again) {
            wk_pump(w); /* e.g. a regrade batch was acknowledged: there may be room again */
        } else if (w->phase == WK_RUNNING) {
            start_block(w);
        }
        return; /* draining: wk_maybe_finish, after this reply, sees whether we are done */
    }
    wk_job *j = take(w, r, lane, n);
    if (j == NULL || wk_job_start(j) != 0) {
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "out_of_memory", .queue = queue_lane_name(lane), WK_COUNT(n)},
                "out of memory taking %zu submissions; they stay in processing", n);
        wk_conn_drop(c, "out of memory");
    }
}

void wk_pump(wk_worker *w)
{
    if (w->claim_outstanding) {
        w->pump_again = true;
        return;
    }
    if (w->phase != WK_RUNNING || w->main.state != WK_CONN_READY) {
        return;
    }
    int room = w->cfg->inflight - w->inflight;
    if (room <= 0 || wk_acks_suspect_in_flight(w)) {
        return;
    }
    int n = room < w->cfg->batch ? room : w->cfg->batch;
    queue_claim_args a;
    queue_claim_args_init(&a, w->sha_claim, &w->keys, w->cfg->worker_id, n, w->inflight == 0,
                          w->cfg->regrade_inflight - w->regrade_inflight, w->cfg->max_bytes,
                          !wk_acks_oversize_in_flight(w));
    if (wk_conn_send(&w->main, claim_cb, NULL, QUEUE_CLAIM_ARGC, a.argv, NULL) == 0) {
        w->claim_outstanding = true;
        w->claim_idle = w->inflight == 0;
    } else {
        uv_timer_start(&w->pump_retry, pump_retry_cb, 100, 0);
    }
}

void wk_block_oversize(wk_conn *c)
{
    wk_logf(WK_INFO, &(wk_lf){.event = "wake_oversize", .conn = c->name},
            "the message that woke this worker is over --max-bytes: not reading it (the "
            "waiting connection is dropped and made again); the claim takes it without its "
            "body");
    wk_conn_drop_quietly(c, "an oversized message woke it");
}

void wk_block_ready(wk_conn *c)
{
    wk_pump(c->w);
}
