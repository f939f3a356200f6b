/*
 * reload.h - SIGHUP: reloading the rubric directory without stopping the loop. The
 * directory is read and every rubric compiled on a thread of libuv's pool; back on the loop
 * thread, the new catalog is put in service in one step (jobs.c's reference swap), while
 * running jobs keep the one they started with. A SIGHUP during a reload is coalesced: one
 * more reload follows it, however many came. On any problem the loaded set stays in service.
 */
#ifndef ASSAY_WORKER_RELOAD_H
#define ASSAY_WORKER_RELOAD_H

#include "worker.h"

/* The SIGHUP handler (data: the worker). */
void wk_reload_signal_cb(uv_signal_t *s, int signum);

#endif
