/*
 * jobs.c - grading claimed batches (see jobs.h).
 *
 * A job's work runs on a grading thread: it reads only what does not change while a job
 * runs (the configuration, the limits, the catalog the job holds a reference to) and uses a
 * scratch taken from the pool. Everything else, its completion included, runs on the loop
 * thread.
 */
#include "jobs.h"

#include "acks.h"
#include "bgpool.h"
#include "claim.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------------------
 * Scratch pool and catalog references.
 */

static assay_scratch *scratch_take(wk_worker *w)
{
    assay_scratch *s = NULL;
    pthread_mutex_lock(&w->pool_mu);
    if (w->npool > 0) {
        s = w->pool[--w->npool];
    }
    pthread_mutex_unlock(&w->pool_mu);
    return s ? s : assay_scratch_create();
}

static void scratch_put(wk_worker *w, assay_scratch *s)
{
    pthread_mutex_lock(&w->pool_mu);
    if (w->npool < sizeof(w->pool) / sizeof(w->pool[0])) {
        w->pool[w->npool++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&w->pool_mu);
    assay_scratch_destroy(s);
}

static void cat_free_work_cb(uv_work_t *req)
{
    wk_cat_ref *c = req->data;
    assay_catalog_destroy(c->cat);
}

static void cat_free_after_cb(uv_work_t *req, int status)
{
    (void)status;
    free(req->data);
}

/* Frees a catalog no longer in service and no longer used, off the loop thread while the
 * worker runs (the loop waits for it at exit). */
static void cat_free(wk_worker *w, wk_cat_ref *c)
{
    c->free_req.data = c;
    if (w->phase == WK_CLOSED ||
        uv_queue_work(w->loop, &c->free_req, cat_free_work_cb, cat_free_after_cb) != 0) {
        assay_catalog_destroy(c->cat);
        free(c);
    }
}

void wk_cat_release(wk_worker *w, wk_cat_ref *c)
{
    if (--c->refs == 0 && c != w->cat) {
        cat_free(w, c);
    }
}

wk_cat_ref *wk_cat_ref_new(assay_catalog *cat)
{
    wk_cat_ref *c = calloc(1, sizeof(*c));
    if (c) {
        c->cat = cat;
    }
    return c;
}

void wk_cat_replace(wk_worker *w, wk_cat_ref *ref)
{
    wk_cat_ref *old = w->cat;
    w->cat = ref;
    if (old->refs == 0) {
        cat_free(w, old);
    }
}

int wk_catalog_load(const char *dir, assay_catalog **out)
{
    assay_catalog *cat = assay_catalog_create();
    assay_diags *d = assay_diags_create();
    int rc = assay_catalog_load_dir(cat, dir, NULL, d);
    char line[1200];
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
        wk_logf(WK_ERROR, &(wk_lf){.event = "rubric_problem", .path = dir}, "%s", line);
    }
    assay_diags_destroy(d);
    if (rc < 0) {
        assay_catalog_destroy(cat);
        return rc;
    }
    *out = cat;
    /* The rubrics: load_dir's count includes the credential definitions. */
    return (int)assay_catalog_count(cat);
}

void wk_jobs_free(wk_worker *w)
{
    for (size_t i = 0; i < w->npool; i++) {
        assay_scratch_destroy(w->pool[i]);
    }
    w->npool = 0;
    assay_catalog_destroy(w->cat->cat);
    free(w->cat);
    w->cat = NULL;
}

/* ------------------------------------------------------------------------------------
 * Jobs.
 */

void wk_job_free(wk_job *j)
{
    if (j == NULL) {
        return;
    }
    for (size_t i = 0; i < j->n; i++) {
        free(j->raw[i]);
        wk_outcome_free(&j->out[i]);
    }
    free(j->big);
    free(j->raw);
    free(j->len);
    free(j->redeliveries);
    free(j->out);
    free(j);
}

wk_job *wk_job_new(wk_worker *w, queue_lane lane, size_t n)
{
    wk_job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        return NULL;
    }
    j->raw = calloc(n, sizeof(*j->raw));
    j->len = calloc(n, sizeof(*j->len));
    j->redeliveries = calloc(n, sizeof(*j->redeliveries));
    j->out = calloc(n, sizeof(*j->out));
    if (!j->raw || !j->len || !j->redeliveries || !j->out) {
        wk_job_free(j);
        return NULL;
    }
    j->w = w;
    j->lane = lane;
    j->n = n;
    j->req.data = j;
    return j;
}

static void job_work_cb(uv_work_t *req)
{
    wk_job *j = req->data;
    assay_scratch *s = j->big ? NULL : scratch_take(j->w);
    for (size_t i = 0; i < j->n; i++) {
        if (s == NULL && !j->big && !j->w->cfg->stub_grader) {
            break; /* out of memory: left unacknowledged, recovered later */
        }
        if (j->raw[i]) {
            uint64_t t0 = wk_metrics_now_ns();
            wk_answer(j->w, j->cat->cat, s, j->raw[i], j->len[i], j->redeliveries[i], j->lane,
                      j->big, &j->out[i]);
            wk_metrics_observe_since(WK_H_GRADING, t0);
        }
    }
    if (s) {
        scratch_put(j->w, s);
    }
}

/* Back on the loop thread: the outcomes become the batch's acknowledgement. */
static void job_after_cb(uv_work_t *req, int status)
{
    (void)status;
    wk_job *j = req->data;
    wk_worker *w = j->w;
    wk_cat_release(w, j->cat);
    w->grading -= (int)j->n;
    if (j->lane == QUEUE_REGRADE) {
        w->regrade_grading -= (int)j->n;
    }
    wk_ack_batch *b = j->b;
    if (wk_rec_wanted(w, j->out, j->n)) {
        /* Records: read, compute, then acknowledge (records.c); the job's messages move
         * there. */
        size_t answered = 0;
        for (size_t i = 0; i < j->n; i++) {
            answered += j->out[i].result != NULL;
        }
        if (wk_rec_start(w, b, j->raw, j->len, j->redeliveries, j->out, j->n,
                         j->n - answered) == 0) {
            wk_job_free(j);
            wk_maybe_finish(w);
            return;
        }
    }
    queue_ack a;
    queue_ack_init(&a);
    wk_metrics_batch *mb = wk_metrics_batch_new(j->n);
    for (size_t i = 0; i < j->n; i++) {
        wk_outcome *o = &j->out[i];
        if (o->result == NULL) {
            continue;
        }
        queue_ack_msg m = {
            /* An oversized message is named by its SHA-1: its body never left Redis. */
            .raw = j->big ? j->big->sha1 : j->raw[i],
            .len = j->big ? strlen(j->big->sha1) : j->len[i],
            .lane = j->lane,
            .result = o->result,
            .dead = o->dead,
            .dedupe = o->dkey,
            .guard = o->gkey,
            .reply = o->reply,
            .graded = o->graded,
            .force = o->force,
            .oversize = o->oversize,
            .gave_up = o->gave_up,
            .uncounted = j->redeliveries[i] == 0,
        };
        queue_ack_add(&a, &m);
        wk_ack_note(b, a.n - 1, o); /* takes the id, for the log and the counts */
        wk_metrics_batch_add(mb, j->lane, o->graded, o->enqueued_ms);
    }
    size_t lost = j->n - a.n;
    b->metrics = mb;
    wk_job_free(j);
    wk_ack_ready(w, b, &a, lost);
    wk_maybe_finish(w);
}

int wk_job_start(wk_job *j)
{
    wk_worker *w = j->w;
    size_t n = j->n;
    j->b = wk_ack_batch_add(w, j->lane, n == 1 && j->redeliveries[0] > 0, n, j->big != NULL);
    if (j->b == NULL) {
        wk_job_free(j);
        return -1;
    }
    j->cat = w->cat;
    j->cat->refs++;
    wk_metrics_claimed(n, j->redeliveries);
    w->inflight += (int)n;
    w->grading += (int)n;
    if (j->lane == QUEUE_REGRADE) {
        w->regrade_inflight += (int)n;
        w->regrade_grading += (int)n;
    }
    if (w->cfg->grade_threads > 0 && j->lane == QUEUE_REGRADE && w->regrade_pool &&
        wk_bgpool_submit(w->regrade_pool, j) == 0) {
        wk_pump(w);
        return 0;
    }
    if (w->cfg->grade_threads == 0 || j->big ||
        uv_queue_work(w->loop, &j->req, job_work_cb, job_after_cb) != 0) {
        job_work_cb(&j->req);
        job_after_cb(&j->req, 0);
        return 0;
    }
    wk_pump(w);
    return 0;
}

void wk_job_work_cb(void *job)
{
    wk_job *j = job;
    job_work_cb(&j->req);
}

void wk_job_done_cb(void *job)
{
    wk_job *j = job;
    job_after_cb(&j->req, 0);
}

void wk_job_cancel_cb(void *job)
{
    wk_job *j = job;
    wk_cat_release(j->w, j->cat);
    wk_job_free(j);
}
