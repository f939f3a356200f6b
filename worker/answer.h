/*
 * answer.h - answering one claimed message, on a grading thread: grading it with the
 * engine, or answering it too_large without its body (an oversized message), or
 * grading_error after too many deliveries; then its dead letter (what was not graded), its
 * de-duplication record and guard, and where its result goes. What it produces is one
 * wk_outcome, handed to the acknowledgement on the loop thread (jobs.c, acks.c).
 */
#ifndef ASSAY_WORKER_ANSWER_H
#define ASSAY_WORKER_ANSWER_H

#include "worker.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An oversized message as the claim script describes it (its body stays in Redis; the
 * message's raw bytes are its first QUEUE_OVERSIZE_PREFIX bytes). */
typedef struct wk_oversize {
    long long bytes;
    char sha1[41];
} wk_oversize;

/* What a graded result contributes to its learner's record (records on): the evidence
 * (assay_record_evidence) in one allocation, copied from the grading's assay_result_info. */
typedef struct wk_evidence {
    assay_record_evidence ev; /* its strings and scores point into this allocation */
    assay_record_score scores[];
} wk_evidence;

/* What answering one message produced, for its part of the acknowledgement. Every pointer
 * is owned (wk_outcome_free). */
typedef struct wk_outcome {
    char *result;    /* NULL: out of memory, leave it unacknowledged */
    char *dead;      /* the dead letter, NULL when graded */
    char *dkey;      /* the de-duplication key, NULL without an id */
    char *gkey;      /* graded: the id's error record, which may say it was given up on */
    char *reply;     /* the reply list (P:results:<reply_to>), NULL for P:results */
    char *id;        /* the result's id (for the log), NULL without one */
    wk_evidence *ev; /* records on, a graded result with an id and a learner: its evidence */
    size_t id_len;
    int64_t enqueued_ms; /* its "enqueued_at" as Unix ms (for the metrics), -1 without */
    bool graded;
    bool force;    /* a forced regrade: graded even when its record exists */
    bool gave_up;  /* answered grading_error after too many deliveries */
    bool oversize; /* answered too_large from its first bytes */
} wk_outcome;

/*
 * Answers message raw[0..len), delivered redeliveries + 1 times from lane, with catalog cat
 * and scratch s (which may be NULL only for an oversized message); big describes an
 * oversized message (NULL otherwise). Fills *o (zeroed by the caller).
 */
void wk_answer(const wk_worker *w, const assay_catalog *cat, assay_scratch *s, const char *raw,
               size_t len, long redeliveries, queue_lane lane, const wk_oversize *big,
               wk_outcome *o);
/* The time now, RFC 3339 UTC with milliseconds (for dead-letter entries). */
void wk_now_rfc3339(char *buf, size_t size);
/* Frees what *o owns. */
void wk_outcome_free(wk_outcome *o);

#endif
