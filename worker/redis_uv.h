/*
 * redis_uv.h - attaches a hiredis 0.14 async context to a libuv loop.
 *
 * Like hiredis's own adapters/libuv.h, but poll errors are passed on instead of dropped:
 * hiredis 0.14.1's adapter returns early when uv_poll reports an error, so a refused or
 * failed non-blocking connect fires no callback at all and the caller waits forever. Here
 * an error is handed to hiredis as a write event while connecting (hiredis then reads the
 * socket error and calls the connect callback with it) and as a read event once connected
 * (the read fails and hiredis disconnects).
 */
#ifndef ASSAY_WORKER_REDIS_UV_H
#define ASSAY_WORKER_REDIS_UV_H

#include <hiredis/async.h>
#include <uv.h>

/* Called after each read from the socket, while the context lives (it may free it). */
typedef void wk_redis_uv_read_fn(redisAsyncContext *ac, void *arg);

/* on_read (may be NULL) runs after each read, with arg. @return REDIS_OK or REDIS_ERR. */
int wk_redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop, wk_redis_uv_read_fn *on_read,
                       void *arg);

#endif
