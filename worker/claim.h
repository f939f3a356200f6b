/*
 * claim.h - taking work: claims a batch with the claim script whenever there is room, and,
 * when both queues are empty, waits on the block connection for the live queue to fill.
 */
#ifndef ASSAY_WORKER_CLAIM_H
#define ASSAY_WORKER_CLAIM_H

#include "worker.h"

/* Claims the next batch if the worker is running, main is ready, there is room and no
 * suspect is in flight; with a claim already out, claims again after its reply. */
void wk_pump(wk_worker *w);
/* A reply describing an oversized message ({"lo"/"ro", prefix, bytes, sha1}, from the claim
 * or the resume script): answers it (one job, on the loop thread). */
void wk_claim_oversize(wk_conn *c, const redisReply *r);
/* on_ready of the block connection. */
void wk_block_ready(wk_conn *c);
/* on_oversize of the block connection: its blocking wait returns the message that woke it,
 * and that one is over --max-bytes. Drops the connection rather than read it (the claim
 * then takes it as an oversized message). */
void wk_block_oversize(wk_conn *c);

#endif
