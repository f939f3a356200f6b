/*
 * bgpool.c - background threads at nice 19 (see bgpool.h).
 *
 * A mutex-protected FIFO of queued jobs feeds the threads; finished jobs go on a second list
 * and a uv_async_t wakes the loop thread to run their completion callbacks. The async
 * handle stays open while any job is queued or running, so the loop keeps running until
 * every completion has been delivered, as it does for uv_queue_work.
 */
#define _GNU_SOURCE /* syscall(SYS_gettid): Linux sets the nice value per thread */

#include "bgpool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct node {
    struct node *next;
    void *arg;
} node;

struct wk_bgpool {
    uv_loop_t *loop;
    uv_async_t async;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    node *todo, *todo_tail; /* queued, oldest first */
    node *done, *done_tail; /* finished, waiting for the loop thread */
    pthread_t *threads;
    int nthreads;
    int pending; /* submitted and not yet completed on the loop thread (loop thread only) */
    bool stop;   /* threads leave once the queue is empty */
    bool closing, closed;
    wk_bgpool_fn *work, *done_fn;
};

static void *thread_main(void *arg)
{
    wk_bgpool *p = arg;
    /* nice 19, not SCHED_IDLE: an idle-class thread preempted while holding a lock the
     * loop thread needs (malloc's, say) may wait for the CPU as long as the machine is
     * busy, and the loop with it. Best effort: without it the jobs run at normal priority. */
#ifdef SYS_gettid
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
#endif
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->todo == NULL && !p->stop) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        node *n = p->todo;
        if (n == NULL) {
            break;
        }
        p->todo = n->next;
        if (p->todo == NULL) {
            p->todo_tail = NULL;
        }
        pthread_mutex_unlock(&p->mu);
        p->work(n->arg);
        pthread_mutex_lock(&p->mu);
        n->next = NULL;
        if (p->done_tail) {
            p->done_tail->next = n;
        } else {
            p->done = n;
        }
        p->done_tail = n;
        uv_async_send(&p->async);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void close_cb(uv_handle_t *h)
{
    wk_bgpool *p = h->data;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}

/* Once closing and nothing is pending: the threads are idle; stop and join them. */
static void maybe_finish(wk_bgpool *p)
{
    if (!p->closing || p->pending > 0 || p->closed) {
        return;
    }
    p->closed = true;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nthreads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    uv_close((uv_handle_t *)&p->async, close_cb);
}

static void async_cb(uv_async_t *a)
{
    wk_bgpool *p = a->data;
    pthread_mutex_lock(&p->mu);
    node *n = p->done;
    p->done = p->done_tail = NULL;
    pthread_mutex_unlock(&p->mu);
    while (n) {
        node *next = n->next;
        p->pending--;
        p->done_fn(n->arg);
        free(n);
        n = next;
    }
    maybe_finish(p);
}

wk_bgpool *wk_bgpool_start(uv_loop_t *loop, int threads, wk_bgpool_fn *work, wk_bgpool_fn *done)
{
    wk_bgpool *p = calloc(1, sizeof(*p));
    if (p == NULL || threads < 1) {
        free(p);
        return NULL;
    }
    p->loop = loop;
    p->work = work;
    p->done_fn = done;
    p->threads = calloc((size_t)threads, sizeof(*p->threads));
    if (p->threads == NULL || uv_async_init(loop, &p->async, async_cb) != 0) {
        free(p->threads);
        free(p);
        return NULL;
    }
    p->async.data = p;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, thread_main, p) != 0) {
            break;
        }
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        p->closing = true;
        maybe_finish(p);
        return NULL;
    }
    return p;
}

int wk_bgpool_submit(wk_bgpool *p, void *arg)
{
    node *n = p->closing ? NULL : malloc(sizeof(*n));
    if (n == NULL) {
        return -1;
    }
    n->next = NULL;
    n->arg = arg;
    pthread_mutex_lock(&p->mu);
    if (p->todo_tail) {
        p->todo_tail->next = n;
    } else {
        p->todo = n;
    }
    p->todo_tail = n;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    p->pending++;
    return 0;
}

void wk_bgpool_close(wk_bgpool *p, wk_bgpool_fn *cancel)
{
    p->closing = true;
    if (cancel) {
        pthread_mutex_lock(&p->mu);
        node *n = p->todo;
        p->todo = p->todo_tail = NULL;
        pthread_mutex_unlock(&p->mu);
        while (n) {
            node *next = n->next;
            p->pending--;
            cancel(n->arg);
            free(n);
            n = next;
        }
    }
    maybe_finish(p);
}
