/*
 * acks.h - acknowledgement batches: one per claimed batch, in claim order. A batch is
 * reserved when its messages are claimed, made ready (its ack script command built with
 * queue/ack.h) when they are graded, and sent so that each lane's results are pushed in the
 * order its submissions were taken, oldest first, while a live batch never waits for a
 * regrade batch claimed before it. Kept until Redis confirms it: after a reconnect what was
 * not confirmed goes again (the script is idempotent).
 */
#ifndef ASSAY_WORKER_ACKS_H
#define ASSAY_WORKER_ACKS_H

#include "ack.h"
#include "answer.h"
#include "metrics.h"
#include "worker.h"

#include <stdbool.h>
#include <stddef.h>

/* What the log and the counts need of each message, in the order of the command. */
typedef struct wk_ack_item {
    char *id; /* NULL without one */
    size_t id_len;
    bool graded, force;
} wk_ack_item;

struct wk_ack_batch {
    struct wk_ack_batch *next;
    queue_tx tx;        /* the acknowledgement (queue/ack.h): MULTI, its commands, EXEC */
    char *queued_error; /* the first error while queueing the transaction, or NULL */
    int n;              /* messages it acknowledges */
    wk_ack_item *items;
    size_t cap; /* items allocated: the messages claimed */
    queue_lane lane;
    bool suspect;  /* holds a redelivered message: nothing else is claimed meanwhile */
    bool oversize; /* holds an oversized message: no other one is claimed meanwhile */
    bool ready;    /* graded and built */
    bool sent;
    wk_metrics_batch *metrics; /* what its confirmation counts (metrics.h), or NULL */
    struct wk_rec_batch *rec;  /* records.h: its messages and records, or NULL */
};

/* Reserves the next place in the order for n messages. NULL when out of memory. */
wk_ack_batch *wk_ack_batch_add(wk_worker *w, queue_lane lane, bool suspect, size_t n,
                               bool oversize);
/* Notes the i-th message of the command (i < n): its id (taken from o) and its kind. */
void wk_ack_note(wk_ack_batch *b, size_t i, wk_outcome *o);
/*
 * The batch's messages are graded: a holds the acknowledgement of those that can be
 * answered; `lost` others could not be (out of memory), and stay in processing, returned by
 * a reconnect. Sends what is ready, in order, then claims again.
 */
void wk_ack_ready(wk_worker *w, wk_ack_batch *b, queue_ack *a, size_t lost);
/* After a reconnect: sends again every ready batch not confirmed. */
void wk_acks_resend(wk_worker *w);
/* Messages in ready batches (all lanes, and regrade alone): claimed, graded, unconfirmed. */
void wk_acks_count(const wk_worker *w, int *all, int *regrade);
/* Whether a batch holding a redelivered message is in flight. */
bool wk_acks_suspect_in_flight(const wk_worker *w);
/* Whether a batch holding an oversized message is in flight. */
bool wk_acks_oversize_in_flight(const wk_worker *w);
/* At exit: frees every batch. */
void wk_acks_free(wk_worker *w);

#endif
