/*
 * lifecycle.h - the worker's life around its work: what happens each time the main
 * connection is ready, the heartbeat and the recovery of dead workers' lists, the phases of
 * stopping (signals, drain, leaving the registry, closing every handle). SIGHUP: reload.h.
 * The phases and their transitions are in worker.h.
 */
#ifndef ASSAY_WORKER_LIFECYCLE_H
#define ASSAY_WORKER_LIFECYCLE_H

#include "worker.h"

#include <stdbool.h>

/* Nothing of ours in flight: no claim out, nothing claimed and unacknowledged, no
 * acknowledgement batch kept. */
bool wk_drained(const wk_worker *w);
/* Takes the next step of stopping when it is due (see worker.h); does nothing while
 * running. Called after every event. */
void wk_maybe_finish(wk_worker *w);
/* CLOSED: frees the connections and closes every handle so the loop returns. */
void wk_close_all(wk_worker *w);

/* Answers the oversized message in our oversize list, if any and none is being
 * acknowledged, from what its claim noted: for one whose claim's reply was lost (a dropped
 * connection, a claim that ran late). */
void wk_resume_oversize(wk_worker *w);

/* on_ready of the main connection: loads the scripts, sends unconfirmed acknowledgements
 * again, returns what a lost claim left in our lists, then beats and claims. */
void wk_main_ready(wk_conn *c);

/* Timer and signal callbacks (data: the worker). */
void wk_heartbeat_cb(uv_timer_t *t);
void wk_stop_signal_cb(uv_signal_t *s, int signum);

#endif
