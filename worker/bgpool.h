/*
 * bgpool.h - a small pool of background threads at the lowest CPU priority, for work that
 * must not slow the rest of the machine down (regrading runs).
 *
 * libuv has one thread pool for the whole process, first come first served, at normal
 * priority: regrade jobs queued there would delay live jobs behind them and compete with
 * them for the CPU. Jobs submitted here run on the pool's own threads, each at nice 19, so
 * the kernel gives live grading, Redis and everything else the CPU first; their completion
 * callbacks run on the loop thread, like uv_queue_work's.
 */
#ifndef ASSAY_WORKER_BGPOOL_H
#define ASSAY_WORKER_BGPOOL_H

#include <uv.h>

typedef struct wk_bgpool wk_bgpool;
typedef void wk_bgpool_fn(void *arg);

/* Starts `threads` threads; `work` runs on them, `done` then on the loop thread.
 * @return NULL when a thread or the loop handle cannot be created. */
wk_bgpool *wk_bgpool_start(uv_loop_t *loop, int threads, wk_bgpool_fn *work,
                           wk_bgpool_fn *done);

/* Queues a job. @return 0, or -1 when out of memory or closing. */
int wk_bgpool_submit(wk_bgpool *p, void *arg);

/* Closes the pool: jobs not started yet are handed to `cancel` (on the calling thread)
 * instead of running, or, with `cancel` NULL, still run; the running ones finish and get
 * their `done` callbacks. Then the threads are joined and the loop handle closed; the pool
 * frees itself once the loop has closed it. */
void wk_bgpool_close(wk_bgpool *p, wk_bgpool_fn *cancel);

#endif
