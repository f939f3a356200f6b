/*
 * redis_uv.c - the hiredis <-> libuv event adapter; see redis_uv.h for why it exists.
 */
#include "redis_uv.h"

#include <stdlib.h>

typedef struct redis_uv {
    redisAsyncContext *ac;
    uv_poll_t poll;
    int events;
    wk_redis_uv_read_fn *on_read;
    void *arg;
} redis_uv;

static void poll_cb(uv_poll_t *handle, int status, int events)
{
    redis_uv *p = handle->data;
    if (p->ac == NULL) {
        return;
    }
    if (status < 0) {
        if (!(p->ac->c.flags & REDIS_CONNECTED)) {
            redisAsyncHandleWrite(p->ac); /* completes the connect, reporting the error */
        } else {
            redisAsyncHandleRead(p->ac); /* the read fails; hiredis disconnects */
        }
        return;
    }
    if (p->ac != NULL && (events & UV_READABLE)) {
        redisAsyncHandleRead(p->ac);
        if (p->ac != NULL && p->on_read) {
            p->on_read(p->ac, p->arg);
        }
    }
    if (p->ac != NULL && (events & UV_WRITABLE)) {
        redisAsyncHandleWrite(p->ac);
    }
}

/* Sets the events polled for. Only a change reaches libuv: uv_poll_start stops the poll
 * first (an epoll_ctl DEL, and an ADD at the next poll), and hiredis asks for writing at
 * every command it queues. */
static void update(redis_uv *p, int events)
{
    if (events == p->events) {
        return;
    }
    p->events = events;
    if (p->events) {
        uv_poll_start(&p->poll, p->events, poll_cb);
    } else {
        uv_poll_stop(&p->poll);
    }
}

static void add_read(void *privdata)
{
    redis_uv *p = privdata;
    update(p, p->events | UV_READABLE);
}

static void del_read(void *privdata)
{
    redis_uv *p = privdata;
    update(p, p->events & ~UV_READABLE);
}

static void add_write(void *privdata)
{
    redis_uv *p = privdata;
    update(p, p->events | UV_WRITABLE);
}

static void del_write(void *privdata)
{
    redis_uv *p = privdata;
    update(p, p->events & ~UV_WRITABLE);
}

static void close_cb(uv_handle_t *handle)
{
    free(handle->data);
}

static void cleanup(void *privdata)
{
    redis_uv *p = privdata;
    p->ac = NULL; /* the context is being freed */
    uv_close((uv_handle_t *)&p->poll, close_cb);
}

int wk_redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop, wk_redis_uv_read_fn *on_read,
                       void *arg)
{
    if (ac->ev.data != NULL) {
        return REDIS_ERR;
    }
    redis_uv *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return REDIS_ERR;
    }
    if (uv_poll_init(loop, &p->poll, ac->c.fd) != 0) {
        free(p);
        return REDIS_ERR;
    }
    p->ac = ac;
    p->on_read = on_read;
    p->arg = arg;
    p->poll.data = p;
    ac->ev.addRead = add_read;
    ac->ev.delRead = del_read;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = del_write;
    ac->ev.cleanup = cleanup;
    ac->ev.data = p;
    return REDIS_OK;
}
