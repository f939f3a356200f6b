/*
 * acks.c - acknowledgement batches and their order (see acks.h).
 */
#include "acks.h"

#include "claim.h"
#include "health.h"
#include "log.h"
#include "records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Drops the batch's command and what it stages. */
static void cmd_free(wk_ack_batch *b)
{
    queue_tx_free(&b->tx);
    free(b->queued_error);
    b->queued_error = NULL;
}

static void batch_free(wk_ack_batch *b)
{
    cmd_free(b);
    wk_metrics_batch_free(b->metrics);
    wk_rec_free(b->rec);
    for (size_t i = 0; i < b->cap; i++) {
        free(b->items[i].id);
    }
    free(b->items);
    free(b);
}

/* Takes b out of the list. */
static void unlink_batch(wk_worker *w, wk_ack_batch *b)
{
    wk_ack_batch **pp = &w->acks;
    while (*pp && *pp != b) {
        pp = &(*pp)->next;
    }
    if (*pp == NULL) {
        return;
    }
    *pp = b->next;
    if (w->acks_tail == b) {
        w->acks_tail = NULL;
        for (wk_ack_batch *x = w->acks; x; x = x->next) {
            w->acks_tail = x;
        }
    }
}

wk_ack_batch *wk_ack_batch_add(wk_worker *w, queue_lane lane, bool suspect, size_t n,
                               bool oversize)
{
    wk_ack_batch *b = calloc(1, sizeof(*b));
    wk_ack_item *items = calloc(n ? n : 1, sizeof(*items));
    if (b == NULL || items == NULL) {
        free(b);
        free(items);
        return NULL;
    }
    b->items = items;
    b->cap = n;
    b->lane = lane;
    b->suspect = suspect;
    b->oversize = oversize;
    if (w->acks_tail) {
        w->acks_tail->next = b;
    } else {
        w->acks = b;
    }
    w->acks_tail = b;
    return b;
}

void wk_ack_note(wk_ack_batch *b, size_t i, wk_outcome *o)
{
    if (i >= b->cap) {
        return;
    }
    wk_ack_item *it = &b->items[i];
    it->id = o->id;
    it->id_len = o->id_len;
    o->id = NULL;
    it->graded = o->graded;
    it->force = o->force;
}

/* What the script said of each message: counted, and a duplicate logged with its id. */
static void count_statuses(wk_worker *w, const wk_ack_batch *b, const redisReply *r)
{
    for (size_t i = 0; i < r->elements; i++) {
        long long st = r->element[i]->integer;
        const wk_ack_item *it = i < b->cap ? &b->items[i] : NULL;
        if (st == QUEUE_ACK_ANSWERED) {
            if (it && it->graded) {
                w->graded++;
            } else {
                w->failed++;
            }
        } else if (st == QUEUE_ACK_DUPLICATE) {
            w->duplicates++;
            wk_logf(WK_INFO,
                    &(wk_lf){.event = "duplicate",
                             .id = it ? it->id : NULL,
                             .id_len = it ? it->id_len : 0,
                             .queue = queue_lane_name(b->lane)},
                    "duplicate suppressed: %s was answered before for the same rubric "
                    "content and engine (send \"force\": true to grade it again)",
                    it && it->id ? it->id : "(no id)");
        }
    }
}

/* After a refused write: the acknowledgements not sent go again, then claims resume. */
static void writes_retry_cb(uv_timer_t *t)
{
    wk_worker *w = t->data;
    wk_acks_resend(w);
    wk_pump(w);
}

/* The acknowledgement was answered with an error: a refused write is sent again after a
 * delay (a refused user: after the reconnection); anything else reconnects, which sends it
 * again. */
static void ack_cb_error(wk_conn *c, wk_ack_batch *b, const redisReply *r)
{
    wk_worker *w = c->w;
    b->sent = false;
    if (wk_health_refused(c, r->str, "the acknowledgement script")) {
        if (w->phase != WK_CLOSED && c->state == WK_CONN_READY) {
            uv_timer_start(&w->writes_retry, writes_retry_cb, wk_writes_delay(w), 0);
        }
        return;
    }
    wk_logf(WK_ERROR,
            &(wk_lf){.event = "ack_failed", .queue = queue_lane_name(b->lane), WK_COUNT(b->n)},
            "acknowledgement failed: %s; reconnecting to retry", r->str);
    wk_conn_drop(c, "acknowledgement failed");
}

static void ack_cb(wk_conn *c, redisReply *r, void *priv)
{
    wk_worker *w = c->w;
    wk_ack_batch *b = priv;
    if (r == NULL) {
        b->sent = false; /* sent again after the reconnect */
        return;
    }
    /* EXEC's answer: the script's reply is its element tx.script. EXECABORT: a command was
     * refused while queued; its error says why. */
    if (r->type == REDIS_REPLY_ARRAY && r->elements == b->tx.n) {
        r = r->element[b->tx.script]; /* the others cannot fail where the script succeeds */
    } else if (r->type == REDIS_REPLY_ERROR && b->queued_error) {
        char err[512];
        snprintf(err, sizeof(err), "%s", b->queued_error);
        redisReply e = {.type = REDIS_REPLY_ERROR, .str = err, .len = strlen(err)};
        ack_cb_error(c, b, &e);
        return;
    } else if (r->type != REDIS_REPLY_ERROR) {
        redisReply e = {.type = REDIS_REPLY_ERROR, .str = "unexpected reply to EXEC"};
        e.len = strlen(e.str);
        ack_cb_error(c, b, &e);
        return;
    }
    if (r->type != REDIS_REPLY_ARRAY) {
        redisReply e = {.type = REDIS_REPLY_ERROR, .str = "unexpected reply"};
        e.len = strlen(e.str);
        ack_cb_error(c, b, r->type == REDIS_REPLY_ERROR ? r : &e);
        return;
    }
    wk_metrics_batch_acked(b->metrics, r);
    wk_writes_ok(w);
    wk_health_claimed(w);
    count_statuses(w, b, r);
    size_t kept = b->rec ? wk_rec_acked(w, b, r) : 0;
    if (kept > 0) {
        /* Record conflicts: those messages stay ours and the batch goes again once read and
         * computed again (records.c); the rest is done. */
        w->inflight -= b->n - (int)kept;
        if (b->lane == QUEUE_REGRADE) {
            w->regrade_inflight -= b->n - (int)kept;
        }
        b->n = (int)kept;
        b->ready = false;
        b->sent = false;
        cmd_free(b);
        wk_pump(w);
        return;
    }
    /* Batches are answered in the order they were sent, each lane's in claim order. */
    unlink_batch(w, b);
    w->inflight -= b->n;
    if (b->lane == QUEUE_REGRADE) {
        w->regrade_inflight -= b->n;
    }
    batch_free(b);
    wk_pump(w);
}

/* A reply inside the batch's transaction (MULTI, its stages, the script): only an error
 * matters, kept for EXEC's answer (EXECABORT) to be told apart: a refusal (OOM) is
 * retried after a delay like the script's own, anything else reconnects. */
static void queued_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)c;
    wk_ack_batch *b = priv;
    if (r && r->type == REDIS_REPLY_ERROR && b->queued_error == NULL) {
        b->queued_error = strdup(r->str);
    }
}

static void batch_send(wk_worker *w, wk_ack_batch *b)
{
    /* Only on a ready connection: while it is still connecting the queue scripts may not
     * be loaded yet (a restarted Redis has none), and wk_main_ready sends what is unsent. */
    if (w->main.state != WK_CONN_READY) {
        return;
    }
    /* MULTI, the stages and the results, the script, EXEC: a stage exists only within the
     * transaction that renames or deletes it, a result stays only if the script answered
     * it, and a refused write (OOM) refuses the whole (EXECABORT) instead of leaving a
     * stage or half a batch. */
    free(b->queued_error);
    b->queued_error = NULL;
    const char *multi[] = {"MULTI"}, *exec[] = {"EXEC"};
    bool ok = wk_conn_send(&w->main, queued_cb, b, 1, multi, NULL) == 0;
    for (size_t i = 0; ok && i < b->tx.n; i++) {
        const queue_argv *v = &b->tx.cmd[i];
        ok =
            wk_conn_send(&w->main, queued_cb, b, v->argc, (const char **)v->argv, v->lens) == 0;
    }
    ok = ok && wk_conn_send(&w->main, ack_cb, b, 1, exec, NULL) == 0;
    if (ok) {
        b->sent = true;
    } else {
        /* A transaction half sent must not swallow the next commands: start again. */
        wk_conn_drop(&w->main, "out of memory sending an acknowledgement");
    }
}

/* Sends the batches that are ready, each lane's in claim order. */
static void flush(wk_worker *w)
{
    bool waiting[2] = {false, false}; /* an earlier batch of the lane is not ready */
    wk_ack_batch *b = w->acks;
    while (b && w->phase != WK_CLOSED) {
        wk_ack_batch *next = b->next;
        int lane = b->lane == QUEUE_REGRADE;
        if (!b->ready || waiting[lane]) {
            waiting[lane] = true;
        } else if (b->tx.n == 0) {
            /* Nothing to acknowledge (everything in it failed): drop it from the list. */
            unlink_batch(w, b);
            batch_free(b);
        } else if (!b->sent) {
            batch_send(w, b);
        }
        b = next;
    }
}

void wk_ack_ready(wk_worker *w, wk_ack_batch *b, queue_ack *a, size_t lost)
{
    size_t acked = a->n;
    queue_tx tx = {0};
    if (acked > 0) {
        char rate[200];
        queue_rate_key(rate, sizeof(rate), w->cfg->prefix, (long)(time(NULL) / 60));
        queue_ack_opts o = {.rate_key = rate,
                            .dedupe_ttl_s = w->cfg->dedupe_ttl_s,
                            .reply_ttl_s = w->cfg->reply_ttl_s,
                            .oversize_keep = w->cfg->oversize_keep};
        if (queue_ack_finish(a, &w->keys, &o, &tx) != 0) {
            lost += acked; /* out of memory: nothing to send */
            acked = 0;
        }
    }
    if (lost > 0) {
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "out_of_memory",
                         .queue = queue_lane_name(b->lane),
                         WK_COUNT(lost)},
                "out of memory grading or acknowledging; %zu submission%s stay in processing "
                "and are retried",
                lost, lost == 1 ? "" : "s");
        w->inflight -= (int)lost;
        if (b->lane == QUEUE_REGRADE) {
            w->regrade_inflight -= (int)lost;
        }
    }
    b->tx = tx;
    b->n = (int)acked;
    b->ready = true;
    flush(w);
    if (lost > 0) {
        /* Reconnecting returns what we could not acknowledge to the queue. */
        wk_conn_drop(&w->main, "out of memory");
    }
    wk_pump(w);
}

void wk_acks_resend(wk_worker *w)
{
    for (wk_ack_batch *b = w->acks; b; b = b->next) {
        if (b->ready && !b->sent && b->tx.n > 0) {
            batch_send(w, b);
        }
    }
}

void wk_acks_count(const wk_worker *w, int *all, int *regrade)
{
    *all = 0;
    *regrade = 0;
    for (const wk_ack_batch *b = w->acks; b; b = b->next) {
        *all += b->ready ? b->n : 0;
        *regrade += b->ready && b->lane == QUEUE_REGRADE ? b->n : 0;
    }
}

/* A redelivered message is graded with nothing else of ours in flight, so if it kills the
 * worker, no neighbour is charged a delivery for it. */
bool wk_acks_suspect_in_flight(const wk_worker *w)
{
    for (const wk_ack_batch *b = w->acks; b; b = b->next) {
        if (b->suspect) {
            return true;
        }
    }
    return false;
}

bool wk_acks_oversize_in_flight(const wk_worker *w)
{
    for (const wk_ack_batch *b = w->acks; b; b = b->next) {
        if (b->oversize) {
            return true;
        }
    }
    return false;
}

void wk_acks_free(wk_worker *w)
{
    while (w->acks) {
        wk_ack_batch *b = w->acks;
        w->acks = b->next;
        batch_free(b);
    }
    w->acks_tail = NULL;
}
