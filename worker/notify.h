/*
 * notify.h - what the worker tells its supervisors, from the loop thread: systemd's
 * notifications through libsystemd's sd_notify (READY=1 once rubrics are loaded and Redis
 * is reached with the queue scripts loaded; STATUS= lines on every change of state and
 * every few seconds; RELOADING=1 then READY=1 around a SIGHUP reload; STOPPING=1 on drain;
 * WATCHDOG=1 from a loop timer when the service manager asks for it, so a stuck loop is
 * caught), and the loop's state the metrics thread serves (readiness, in flight, Redis
 * connected, queue depths sampled with each heartbeat).
 *
 * Built without libsystemd (-Dsystemd=disabled) the notifications are left out; the tick,
 * readiness and metrics stay.
 */
#ifndef ASSAY_WORKER_NOTIFY_H
#define ASSAY_WORKER_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

typedef struct wk_worker wk_worker;
typedef struct wk_conn wk_conn;

/* The notifier's state, one per worker (wk_worker.notify). */
typedef struct wk_notify {
    uv_timer_t tick;
    uint64_t watchdog_usec; /* WATCHDOG_USEC from the service manager; 0: no watchdog */
    uint64_t status_at;     /* loop time (ms) of the last STATUS line */
    int last_state;         /* the wk_unready last reported; -1 before the first */
    bool scripts_ready;     /* the queue scripts are loaded on the current main connection */
    bool ready_sent;        /* READY=1 was sent */
} wk_notify;

/* Starts the tick on w's loop (the rubrics are loaded by then). */
void wk_notify_start(wk_worker *w);
/* Closes the tick (with every other handle, at CLOSED). */
void wk_notify_close(wk_worker *w);

/* In the main connection's on_ready, after the SCRIPT LOADs: their replies come before the
 * answer to what this sends, which makes the worker ready. */
void wk_notify_main_ready(wk_conn *c);
/* With each heartbeat: samples the queue depths (LLEN) for the metrics. */
void wk_notify_beat(wk_worker *w);
/* SIGTERM / SIGINT: STOPPING=1. */
void wk_notify_stopping(wk_worker *w);
/* SIGHUP: RELOADING=1 before the reload, then its outcome (counted in the metrics) and
 * READY=1. */
void wk_notify_reloading(wk_worker *w);
void wk_notify_reloaded(wk_worker *w, bool ok);

#endif
