/*
 * records.h - learner records in the worker (--records on): for an acknowledgement batch
 * holding graded results that name a learner, one read of each learner's record and of the
 * messages' de-duplication state (queue/recread.h), the new records computed on a grading
 * thread with the engine's record API (<assay/record.h>) in claim order, each result gaining
 * its "record" member, then the ack script commits each learner's group with its results
 * only if nothing changed since the read (queue/ack.h). A group that changed is read and
 * computed again, a bounded number of times with backoff. docs/records.md "In the worker".
 */
#ifndef ASSAY_WORKER_RECORDS_H
#define ASSAY_WORKER_RECORDS_H

#include "answer.h"
#include "worker.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct wk_rec_batch wk_rec_batch;

/* Whether a graded batch goes through the records: records on and one of its outcomes
 * carries evidence. */
bool wk_rec_wanted(const wk_worker *w, const wk_outcome *out, size_t n);
/*
 * Takes the batch's answered messages (raw[i], len[i], redeliveries[i], out[i] for each i
 * with out[i].result, moved out: the arrays' entries are cleared) into b->rec and starts
 * the read; `lost` others could not be answered (out of memory). They stay counted in
 * w->grading until the acknowledgement is ready (wk_ack_ready). @return 0, or -1 when out
 * of memory (nothing taken).
 */
int wk_rec_start(wk_worker *w, wk_ack_batch *b, char **raw, size_t *len,
                 const long *redeliveries, wk_outcome *out, size_t n, size_t lost);
/* The ack script's reply for b (which has b->rec): what was answered is dropped; what
 * conflicted stays and is read again after a backoff. @return the messages kept. */
size_t wk_rec_acked(wk_worker *w, wk_ack_batch *b, const redisReply *r);
/* The records_retry timer: reads again the batches waiting after a conflict or a lost
 * read. */
void wk_rec_retry_cb(uv_timer_t *t);
/* The main connection is back: the batches that waited for it, with no timer, are read
 * (from the retry timer, at once). */
void wk_rec_resume(wk_worker *w);
/* Frees a batch's records state; NULL is a no-op. */
void wk_rec_free(wk_rec_batch *rb);

#endif
