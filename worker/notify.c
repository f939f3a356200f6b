/*
 * notify.c - systemd notifications, readiness and the loop's side of the metrics (see
 * notify.h). Everything here runs on the loop thread; the metrics thread only reads what
 * report() publishes.
 */
#include "notify.h"

#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if ASSAY_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

enum {
    TICK_MS = 500,          /* readiness, in flight and the watchdog, at most this apart */
    STATUS_EVERY_MS = 5000, /* a STATUS line at least this often */
};

/* One notification (several NAME=value lines); nothing without libsystemd or outside a
 * service (no NOTIFY_SOCKET). */
static void notify(const char *msg)
{
#if ASSAY_HAVE_SYSTEMD
    int rc = sd_notify(0, msg);
    if (rc < 0) {
        wk_logf(WK_DEBUG, &(wk_lf){.event = "notify_failed"}, "sd_notify failed: %s",
                strerror(-rc));
    }
#else
    (void)msg;
#endif
}

static wk_unready state_of(const wk_worker *w)
{
    if (w->phase != WK_RUNNING) {
        return WK_UNREADY_DRAINING;
    }
    if (w->main.state != WK_CONN_READY) {
        return WK_UNREADY_REDIS;
    }
    if (!w->notify.scripts_ready) {
        return WK_UNREADY_SCRIPTS;
    }
    if (w->cat == NULL || assay_catalog_count(w->cat->cat) == 0) {
        return WK_UNREADY_RUBRICS;
    }
    return WK_READY;
}

static void status_text(const wk_worker *w, wk_unready s, char *buf, size_t size)
{
    unsigned long long graded = w->graded, failed = w->failed, dups = w->duplicates;
    switch (s) {
    case WK_READY:
        snprintf(buf, size,
                 "Grading: %llu graded, %llu not graded, %llu duplicates; %d in flight; "
                 "Redis connected",
                 graded, failed, dups, w->inflight);
        break;
    case WK_UNREADY_REDIS:
        snprintf(buf, size, "Waiting for Redis at %s (%s); %llu graded so far, %d in flight",
                 w->cfg->redis_desc,
                 w->main.state == WK_CONN_CONNECTING ? "connecting" : "down", graded,
                 w->inflight);
        break;
    case WK_UNREADY_SCRIPTS:
        snprintf(buf, size, "Connected to Redis at %s, loading the queue scripts",
                 w->cfg->redis_desc);
        break;
    case WK_UNREADY_DRAINING:
        snprintf(buf, size, "Draining: %d in flight, taking no more work; %llu graded",
                 w->inflight, graded);
        break;
    case WK_UNREADY_RUBRICS:
    case WK_UNREADY_STARTING:
        snprintf(buf, size, "%s", wk_metrics_unready_text(s));
        break;
    }
}

/* Publishes the loop's state and says what changed (or, periodic, what it is). */
static void report(wk_worker *w, bool periodic)
{
    wk_notify *n = &w->notify;
    wk_unready s = state_of(w);
    wk_metrics_set_unready(s);
    wk_metrics_set(WK_M_INFLIGHT, w->inflight);
    wk_metrics_set(WK_M_REDIS_CONNECTED, w->main.state == WK_CONN_READY);
    uint64_t now = uv_now(w->loop);
    if ((int)s == n->last_state && !(periodic && now - n->status_at >= STATUS_EVERY_MS)) {
        return;
    }
    char msg[1000], status[900];
    status_text(w, s, status, sizeof(status));
    snprintf(msg, sizeof(msg), "%sSTATUS=%s",
             s == WK_READY && !n->ready_sent ? "READY=1\n" : "", status);
    notify(msg);
    if (s == WK_READY && !n->ready_sent) {
        wk_logf(WK_INFO, &(wk_lf){.event = "ready"},
                "ready: rubrics loaded, Redis reached and the queue scripts loaded");
        n->ready_sent = true;
    }
    n->last_state = (int)s;
    n->status_at = now;
}

static void tick_cb(uv_timer_t *t)
{
    wk_worker *w = t->data;
    if (w->notify.watchdog_usec) {
        notify("WATCHDOG=1");
    }
    report(w, true);
}

void wk_notify_start(wk_worker *w)
{
    wk_notify *n = &w->notify;
    n->last_state = -1;
    n->watchdog_usec = 0;
#if ASSAY_HAVE_SYSTEMD
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        n->watchdog_usec = usec;
    }
#endif
    /* The manager wants a ping at least every WATCHDOG_USEC: send one twice as often. */
    uint64_t every = TICK_MS;
    if (n->watchdog_usec && n->watchdog_usec / 2000 < every) {
        every = n->watchdog_usec / 2000 ? n->watchdog_usec / 2000 : 1;
    }
    if (n->watchdog_usec) {
        wk_logf(WK_INFO, &(wk_lf){.event = "watchdog_on"},
                "systemd watchdog on: a ping every %llu ms (WatchdogSec %.3f s)",
                (unsigned long long)every, (double)n->watchdog_usec / 1e6);
    }
    wk_metrics_set(WK_M_RUBRICS_LOADED, (int64_t)assay_catalog_count(w->cat->cat));
    uv_timer_init(w->loop, &n->tick);
    n->tick.data = w;
    uv_timer_start(&n->tick, tick_cb, every, every);
    report(w, false);
}

void wk_notify_close(wk_worker *w)
{
    uv_timer_stop(&w->notify.tick);
    uv_close((uv_handle_t *)&w->notify.tick, NULL);
}

static void scripts_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)priv;
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        return; /* the connection went (a script failed to load): not ready */
    }
    c->w->notify.scripts_ready = true;
    report(c->w, false);
}

void wk_notify_main_ready(wk_conn *c)
{
    c->w->notify.scripts_ready = false;
    const char *argv[] = {"PING"};
    wk_conn_send(c, scripts_cb, NULL, 1, argv, NULL);
    report(c->w, false);
}

static void depth_cb(wk_conn *c, redisReply *r, void *priv)
{
    (void)c;
    wk_metric m = (wk_metric)(intptr_t)priv;
    if (r && r->type == REDIS_REPLY_INTEGER) {
        wk_metrics_set(m, r->integer);
    }
}

void wk_notify_beat(wk_worker *w)
{
    if (!wk_metrics_enabled()) {
        return;
    }
    const struct {
        const char *key;
        wk_metric m;
    } lists[] = {
        {w->keys.live, WK_M_DEPTH_LIVE},
        {w->keys.regrade, WK_M_DEPTH_REGRADE},
        {w->keys.results, WK_M_DEPTH_RESULTS},
        {w->keys.dead, WK_M_DEPTH_DEAD},
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        const char *argv[] = {"LLEN", lists[i].key};
        wk_conn_send(&w->main, depth_cb, (void *)(intptr_t)lists[i].m, 2, argv, NULL);
    }
}

void wk_notify_stopping(wk_worker *w)
{
    char msg[1000], status[900];
    status_text(w, WK_UNREADY_DRAINING, status, sizeof(status));
    snprintf(msg, sizeof(msg), "STOPPING=1\nSTATUS=%s", status);
    notify(msg);
    report(w, false);
}

void wk_notify_reloading(wk_worker *w)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char msg[600];
    snprintf(msg, sizeof(msg),
             "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading the rubrics "
             "from %s",
             (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000,
             w->cfg->rubrics);
    notify(msg);
}

void wk_notify_reloaded(wk_worker *w, bool ok)
{
    wk_metrics_add(ok ? WK_M_RELOADS_OK : WK_M_RELOADS_FAILED, 1);
    size_t count = assay_catalog_count(w->cat->cat);
    wk_metrics_set(WK_M_RUBRICS_LOADED, (int64_t)count);
    char msg[700];
    /* READY=1 ends the reload; before the first READY=1 it would say we are ready early. */
    snprintf(msg, sizeof(msg), "%sSTATUS=%s: %zu rubric%s in service",
             w->notify.ready_sent ? "READY=1\n" : "",
             ok ? "Reloaded the rubrics" : "Reload failed, the loaded rubrics stay", count,
             count == 1 ? "" : "s");
    notify(msg);
    w->notify.last_state = -1; /* the next tick says the state again */
}
