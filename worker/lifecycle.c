/*
 * lifecycle.c - the worker's life around its work (see lifecycle.h): start-up checks and
 * the reconciliation after every reconnect, heartbeats and the registry, recovery of dead
 * workers' processing lists, and the phases of stopping. (SIGHUP reloads: reload.c.)
 */
#include "lifecycle.h"

#include "acks.h"
#include "bgpool.h"
#include "claim.h"
#include "health.h"
#include "jobs.h"
#include "log.h"
#include "records.h"
#include "recread.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------
 * Recovery and heartbeats.
 */

static void recover_cb(wk_conn *c, redisReply *r, void *priv)
{
    char *who = priv;
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0) {
        c->w->recovered += (uint64_t)r->integer;
        wk_logf(WK_WARN, &(wk_lf){.event = "recovered", .peer = who, WK_COUNT(r->integer)},
                "returned %lld submission%s of worker %s to the queues", r->integer,
                r->integer == 1 ? "" : "s", who);
        wk_pump(c->w);
    } else if (r && r->type == REDIS_REPLY_INTEGER && strcmp(who, c->w->cfg->worker_id) == 0) {
        wk_pump(c->w); /* our own lists were empty: claim again all the same */
    } else if (r && r->type == REDIS_REPLY_ERROR && !wk_health_refused(c, r->str, "recovery")) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "recovery_failed", .peer = who},
                "recovery of worker %s failed: %s", who, r->str);
    }
    free(who);
}

/* Returns worker `who`'s processing lists to the queues (force: even while its heartbeat
 * lives, for our own; count: a redelivery per message; oversize: its oversized message
 * too). */
static void recover(wk_worker *w, const char *who, bool force, bool count, bool oversize)
{
    queue_keys k;
    queue_keys_init(&k, w->cfg->prefix, who);
    const char *argv[QUEUE_RECOVER_ARGC];
    queue_recover_argv(argv, w->sha_recover, &k, who, force, count, oversize);
    char *copy = strdup(who);
    if (copy && wk_conn_send(&w->main, recover_cb, copy, QUEUE_RECOVER_ARGC, argv, NULL) != 0) {
        free(copy);
    }
}

static void resume_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)priv;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 4 && c->w->phase == WK_RUNNING) {
        wk_claim_oversize(c, r);
    } else if (r && r->type == REDIS_REPLY_ERROR && !wk_health_refused(c, r->str, "resume")) {
        wk_conn_ignore_reply(c, r, priv);
    }
}

void wk_resume_oversize(wk_worker *w)
{
    if (wk_acks_oversize_in_flight(w)) {
        return; /* ours is being acknowledged */
    }
    const char *argv[QUEUE_RESUME_ARGC];
    queue_resume_argv(argv, w->sha_resume, &w->keys);
    wk_conn_send(&w->main, resume_cb, NULL, QUEUE_RESUME_ARGC, argv, NULL);
}

static void members_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)priv;
    wk_worker *w = c->w;
    if (r && r->type == REDIS_REPLY_ERROR && !wk_health_refused(c, r->str, "SMEMBERS")) {
        wk_conn_ignore_reply(c, r, priv);
    }
    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        return;
    }
    for (size_t i = 0; i < r->elements; i++) {
        const char *who = r->element[i]->str;
        if (who && strcmp(who, w->cfg->worker_id) != 0) {
            recover(w, who, false, true, true);
        }
    }
}

/* The heartbeat's replies: a write refused (OOM) or a user refused is the health module's;
 * one that goes through says writes are accepted. */
static void beat_cb(wk_conn *c, redisReply *r, void *priv)
{
    if (r == NULL) {
        return;
    }
    if (r->type != REDIS_REPLY_ERROR) {
        wk_writes_ok(c->w);
    } else if (!wk_health_refused(c, r->str, priv)) {
        wk_conn_ignore_reply(c, r, priv);
    }
}

static void beat(wk_worker *w)
{
    if (w->main.state != WK_CONN_READY || w->phase >= WK_LEAVING) {
        return;
    }
    char ttl[32], val[512];
    snprintf(ttl, sizeof(ttl), "%ld", w->cfg->heartbeat_ttl_ms);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    /* Counts are of acknowledged results, as of this beat ("at", Unix ms). */
    snprintf(val, sizeof(val),
             "{\"pid\":%ld,\"started\":%lld,\"at\":%lld,\"inflight\":%d,\"graded\":%llu,"
             "\"failed\":%llu,\"duplicates\":%llu}",
             (long)getpid(), w->started,
             (long long)now.tv_sec * 1000 + (long long)(now.tv_nsec / 1000000), w->inflight,
             (unsigned long long)w->graded, (unsigned long long)w->failed,
             (unsigned long long)w->duplicates);
    const char *set[] = {"SET", w->keys.heartbeat, val, "PX", ttl};
    wk_conn_send(&w->main, beat_cb, "SET of the heartbeat", 5, set, NULL);
    const char *sadd[] = {"SADD", w->keys.workers, w->cfg->worker_id};
    wk_conn_send(&w->main, beat_cb, "SADD to the registry", 3, sadd, NULL);
    wk_notify_beat(w);
}

void wk_heartbeat_cb(uv_timer_t *t)
{
    wk_worker *w = t->data;
    beat(w);
    /* Look for dead workers about once per heartbeat TTL (every third beat). */
    if (w->main.state == WK_CONN_READY && w->heartbeats++ % 3 == 0) {
        const char *argv[] = {"SMEMBERS", w->keys.workers};
        wk_conn_send(&w->main, members_cb, NULL, 2, argv, NULL);
        /* A claim written on a connection we dropped can reach Redis after the reconnect
         * returned our lists: what it moved sits there unseen. With nothing claimed,
         * grading or unacknowledged, whatever is in our lists is such a leftover. */
        if (wk_drained(w)) {
            recover(w, w->cfg->worker_id, true, false, false);
            wk_resume_oversize(w);
        }
    }
}

/* ------------------------------------------------------------------------------------
 * Each time the main connection is ready.
 */

static void config_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)c;
    const char *what = priv;
    if (r == NULL) {
        return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        wk_logf(WK_WARN, &(wk_lf){.event = "config_unchecked"},
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
        wk_logf(WK_WARN, &(wk_lf){.event = "appendonly_off"},
                "Redis has appendonly=%s: queued and in-flight submissions are lost if "
                "Redis restarts; set appendonly yes",
                v);
    }
    if (strcmp(what, "maxmemory-policy") == 0 && strncmp(v, "allkeys-", 8) == 0) {
        wk_logf(WK_WARN, &(wk_lf){.event = "eviction_policy"},
                "Redis has maxmemory-policy=%s, which may evict queue keys under memory "
                "pressure; use noeviction",
                v);
    }
}

static void script_cb(wk_conn *c, redisReply *r, void *priv)
{
    const char *expect = priv;
    if (r && r->type == REDIS_REPLY_ERROR) {
        if (wk_health_refused(c, r->str, "SCRIPT LOAD")) {
            return;
        }
        wk_logf(WK_ERROR, &(wk_lf){.event = "scripts_failed"},
                "cannot load the queue scripts: %s", r->str);
        wk_conn_drop(c, "SCRIPT LOAD failed");
    } else if (r && r->type == REDIS_REPLY_STRING && strcmp(r->str, expect) != 0) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "script_mismatch"},
                "Redis named a script %s, expected %s", r->str, expect);
    }
}

void wk_main_ready(wk_conn *c)
{
    wk_worker *w = c->w;
    const char *scripts[] = {queue_claim_lua, queue_ack_lua, queue_recover_lua,
                             queue_resume_lua, queue_recread_lua};
    char *shas[] = {w->sha_claim, w->sha_ack, w->sha_recover, w->sha_resume, w->sha_recread};
    for (size_t i = 0; i < sizeof(shas) / sizeof(shas[0]); i++) {
        const char *argv[] = {"SCRIPT", "LOAD", scripts[i]};
        wk_conn_send(c, script_cb, shas[i], 3, argv, NULL);
    }
    wk_notify_main_ready(c);
    if (!w->persistence_checked) {
        w->persistence_checked = true;
        const char *a1[] = {"CONFIG", "GET", "appendonly"};
        wk_conn_send(c, config_cb, "appendonly", 3, a1, NULL);
        const char *a2[] = {"CONFIG", "GET", "maxmemory-policy"};
        wk_conn_send(c, config_cb, "maxmemory-policy", 3, a2, NULL);
    }
    /* Acknowledgements whose replies were lost go again (the script is idempotent)... */
    wk_acks_resend(w);
    /* ...then whatever is still in our processing lists was claimed but never seen
     * (the claim's reply was lost): back to the queues. At start-up, leftovers from an
     * earlier process with the same worker id count as a redelivery. An oversized message
     * stays and is resumed from what its claim noted (moving it again costs Redis as much
     * as claiming it did), unless we are stopping. */
    int unacked, unacked_regrade;
    wk_acks_count(w, &unacked, &unacked_regrade);
    w->inflight = unacked + w->grading;
    w->regrade_inflight = unacked_regrade + w->regrade_grading;
    w->claim_outstanding = false;
    bool running = w->phase == WK_RUNNING;
    recover(w, w->cfg->worker_id, true, !w->first_ready_done, !running);
    w->first_ready_done = true;
    wk_rec_resume(w); /* after the scripts' loads, sent above on this connection */
    if (!running) {
        return; /* draining: wk_maybe_finish, after this reply, leaves once drained */
    }
    wk_resume_oversize(w);
    beat(w);
    const char *argv[] = {"SMEMBERS", w->keys.workers};
    wk_conn_send(c, members_cb, NULL, 2, argv, NULL);
    wk_pump(w);
}

/* ------------------------------------------------------------------------------------
 * Stopping.
 */

bool wk_drained(const wk_worker *w)
{
    return w->inflight == 0 && !w->claim_outstanding && w->acks == NULL;
}

void wk_close_all(wk_worker *w)
{
    w->phase = WK_CLOSED;
    wk_notify_close(w);
    wk_conn_close(&w->main);
    wk_conn_close(&w->block);
    if (w->auth_failing && w->exit_code == 0) {
        w->exit_code = WK_EXIT_CONFIG; /* stopped while Redis refused our user */
    }
    uv_timer_t *timers[] = {&w->heartbeat,  &w->watchdog,     &w->drain,
                            &w->pump_retry, &w->writes_retry, &w->records_retry};
    for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
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
        wk_bgpool_close(w->regrade_pool, wk_job_cancel_cb);
        w->regrade_pool = NULL;
    }
}

static void bye_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)r;
    (void)priv;
    wk_worker *w = c->w;
    if (w->phase != WK_CLOSED) {
        wk_logf(WK_INFO, &(wk_lf){.event = "stopped", WK_COUNT(w->graded)},
                "stopped: %llu graded, %llu not graded, %llu duplicates suppressed",
                (unsigned long long)w->graded, (unsigned long long)w->failed,
                (unsigned long long)w->duplicates);
        wk_close_all(w);
    }
}

void wk_maybe_finish(wk_worker *w)
{
    if (w->phase != WK_DRAINING || !wk_drained(w)) {
        return;
    }
    if (w->main.state != WK_CONN_READY) {
        /* Right after a lost connection the reconnect usually succeeds: wait for it
         * (wk_main_ready) so we leave the registry properly. Only once an attempt has
         * failed is Redis unreachable (the retry timer brings us here then). */
        if (w->main.attempt_failed) {
            /* Nothing of ours waits in memory. Anything a lost claim left in our processing
             * list is returned by another worker once our heartbeat expires. */
            wk_logf(WK_WARN, &(wk_lf){.event = "stopped_unreachable"},
                    "stopping while Redis is unreachable: nothing in flight; leaving the "
                    "registry to expire");
            wk_close_all(w);
        }
        return; /* else the drain timer ends it if Redis does not come back */
    }
    /* Leftovers of a late claim (see wk_heartbeat_cb) go back before we leave the registry. */
    recover(w, w->cfg->worker_id, true, false, true);
    w->phase = WK_LEAVING;
    const char *del[] = {"DEL", w->keys.heartbeat};
    wk_conn_send(&w->main, wk_conn_ignore_reply, NULL, 2, del, NULL);
    const char *srem[] = {"SREM", w->keys.workers, w->cfg->worker_id};
    wk_conn_send(&w->main, bye_cb, NULL, 3, srem, NULL);
}

static void drain_cb(uv_timer_t *t)
{
    wk_worker *w = t->data;
    wk_logf(WK_WARN, &(wk_lf){.event = "drain_timeout", WK_COUNT(w->inflight)},
            "drain timed out with %d submission%s unacknowledged; they stay in %s and %s "
            "and are recovered by another worker",
            w->inflight, w->inflight == 1 ? "" : "s", w->keys.proc_live, w->keys.proc_regrade);
    w->exit_code = 1;
    wk_close_all(w);
}

void wk_stop_signal_cb(uv_signal_t *s, int signum)
{
    wk_worker *w = s->data;
    if (w->phase != WK_RUNNING) {
        wk_logf(WK_WARN, &(wk_lf){.event = "second_signal", WK_COUNT(w->inflight)},
                "second signal: exiting now; in-flight work stays in processing and is "
                "recovered");
        _exit(1);
    }
    wk_logf(WK_INFO,
            &(wk_lf){.event = "draining",
                     .code = signum == SIGINT ? "SIGINT" : "SIGTERM",
                     WK_COUNT(w->inflight)},
            "signal %d: finishing %d in-flight submission%s, taking no more", signum,
            w->inflight, w->inflight == 1 ? "" : "s");
    w->phase = WK_DRAINING;
    wk_notify_stopping(w);
    uv_timer_start(&w->drain, drain_cb, (uint64_t)w->cfg->drain_timeout_ms, 0);
    wk_maybe_finish(w);
}
