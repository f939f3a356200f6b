/*
 * jobs.h - grading a claimed batch: one job per claim reply, run on libuv's thread pool
 * (live batches), on the nice-19 regrade pool (regrade batches), or inline with
 * --grade-threads 0; its completion, back on the loop thread, hands the outcomes to the
 * batch's acknowledgement (acks.c). Also the catalog references that let a reload replace
 * the rubrics while jobs still use the old ones, and the pool of per-thread scratch.
 */
#ifndef ASSAY_WORKER_JOBS_H
#define ASSAY_WORKER_JOBS_H

#include "answer.h"
#include "worker.h"

#include <stdbool.h>
#include <stddef.h>

/* A loaded catalog and the grading jobs that use it: a SIGHUP reload replaces the current
 * one, and the old one is freed when its last job is done - on a pool thread, since freeing
 * many compiled patterns takes as long as compiling them. */
struct wk_cat_ref {
    assay_catalog *cat;
    int refs;
    uv_work_t free_req;
};

typedef struct wk_job {
    uv_work_t req;
    wk_worker *w;
    wk_cat_ref *cat;
    queue_lane lane;
    size_t n;
    char **raw; /* the messages; an entry is NULL when copying it ran out of memory */
    size_t *len;
    long *redeliveries;
    wk_oversize *big; /* an oversized message (the job's only one), else NULL */
    wk_outcome *out;
    wk_ack_batch *b; /* its place in the acknowledgement order */
} wk_job;

/* A job for n messages from lane, its arrays zeroed for the caller to fill. NULL when out
 * of memory. */
wk_job *wk_job_new(wk_worker *w, queue_lane lane, size_t n);
/* Frees a job not started (and what it holds); NULL is a no-op. */
void wk_job_free(wk_job *j);
/* Takes the job's place in the acknowledgement order, counts it in flight and starts
 * grading it. @return 0, or -1 when out of memory (the job is freed, nothing counted). An
 * oversized message (j->big) is answered on the loop thread: there is nothing to grade. */
int wk_job_start(wk_job *j);

/* The regrade pool's callbacks (bgpool.h): work, done, and cancel for a job dropped
 * unstarted at close (only released: its messages stay in processing). */
void wk_job_work_cb(void *job);
void wk_job_done_cb(void *job);
void wk_job_cancel_cb(void *job);

/* Loads the rubrics (and credential definitions) of dir, logging each problem. @return the
 * number of rubrics loaded, or as assay_catalog_load_dir a negative ASSAY_E* (*out set only
 * when not negative). */
int wk_catalog_load(const char *dir, assay_catalog **out);
/* A reference (count 0) to cat. NULL when out of memory. */
wk_cat_ref *wk_cat_ref_new(assay_catalog *cat);
/* Drops a job's reference to c (freed when it was the last and c is out of service). */
void wk_cat_release(wk_worker *w, wk_cat_ref *c);
/* Puts ref in service; the previous catalog is freed now if no job holds it, else by its
 * last job. */
void wk_cat_replace(wk_worker *w, wk_cat_ref *ref);
/* At exit: frees the catalog in service and the idle scratch. */
void wk_jobs_free(wk_worker *w);

#endif
