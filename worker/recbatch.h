/*
 * recbatch.h - the state of one batch in the worker's records stage, shared by its two
 * halves: records.c (start, read, confirmation) and reccompute.c (the computation on a
 * grading thread, and the acknowledgement it builds). Private to those two files.
 */
#ifndef ASSAY_WORKER_RECBATCH_H
#define ASSAY_WORKER_RECBATCH_H

#include "answer.h"
#include "awards.h"
#include "records.h"
#include "worker.h"

#include <assay/record.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct rec_msg {
    char *raw;
    size_t len;
    long attempts;
    wk_outcome o;
    char *result;          /* computed: the result with its "record" member; NULL: o.result */
    char *dead;            /* computed: the dead letter of a refused record; NULL: o.dead */
    int group;             /* index in groups, -1 for none */
    char *seen_d, *seen_g; /* read: its keys' values, "" for none */
} rec_msg;

typedef struct rec_group {
    char key[300];
    const char *learner; /* borrowed from a message's evidence */
    size_t learner_len;
    char *ver, *doc_read; /* read, "" for none */
    char *gen;            /* read, "" for none */
    assay_record *rec;    /* read: the worker's copy, current (reccache.h); computed: the
                           * record as committed if the group commits, NULL for none */
    size_t weight;        /* the length of rec's document */
    char *doc_new;        /* computed: the new document, NULL to write nothing */
    char gen_new[320];    /* computed: the "gen" to write with doc_new, "" for none */
    char cred_key[300];   /* P:credentials:<h> */
    char *held;           /* read: the credentials held, "<id>@<version>" by lines */
    wk_award_out *aw;     /* computed: credential events */
    size_t naw;
    bool unread; /* not read: the worker's copy, its "ver", "gen" and credentials, and ""
                  * guessed for its messages' de-duplication state (records.c) */
} rec_group;

struct wk_rec_batch {
    wk_worker *w;
    wk_ack_batch *b;
    rec_msg *m;
    size_t n;
    rec_group *g;
    size_t ng;
    size_t lost; /* unanswered at the start, reported with the first acknowledgement */
    int tries;
    uint64_t due;      /* waiting: when to read again (uv_now, ms); 0: once main is back */
    bool waiting;      /* for the retry timer */
    bool blocked;      /* for an earlier batch of ours with one of its learners (kick) */
    bool nomem;        /* the computation ran out of memory */
    bool reread;       /* a commit without a read was refused: read every group from now on */
    bool unread_ready; /* every group unread: to compute at the retry timer */
    wk_cat_ref *cat;
    uv_work_t req;
};

/* Counts the batch's messages in w->grading (not ready) or takes them out (ready). */
void wk_rec_count_grading(wk_rec_batch *rb, int sign);
/* Computes the batch's records from what was read (on a grading thread, or here when there
 * are none) and then, on the loop thread, hands its acknowledgement to wk_ack_ready. */
void wk_rec_compute(wk_rec_batch *rb);

#endif
