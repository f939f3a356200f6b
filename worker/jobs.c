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
#include "deadletter.h"
#include "lifecycle.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------------------
 * Grading one message.
 */

static void now_rfc3339(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

#if ASSAY_TEST_HOOKS
/*
 * Benchmarks only: a canned result of a typical size and a de-duplication key from the
 * message's bytes, without parsing or grading, so the acknowledgement is the same as for a
 * graded message. It measures what the Redis side alone can carry.
 */
static void stub_one(const wk_worker *w, const char *raw, size_t len, wk_outcome *o)
{
    char canned[1024];
    memset(canned, 'x', sizeof(canned) - 1);
    memcpy(canned, "{\"stub\":\"", 9);
    memcpy(canned + sizeof(canned) - 3, "\"}", 2);
    canned[sizeof(canned) - 1] = '\0';
    char key[400];
    queue_dedupe_key(key, sizeof(key), w->cfg->prefix, raw, len, "stub");
    o->result = strdup(canned);
    o->dkey = strdup(key);
    o->graded = true;
}
#endif

/* The de-duplication record of the result's id (and, graded, the id's error record). */
static void dedupe_keys(const wk_worker *w, const json_t *res, const json_t *id, wk_outcome *o)
{
    char key[400];
    const char *sha =
        o->graded ? json_string_value(json_object_get(json_object_get(res, "rubric"), "sha256"))
                  : "error";
    queue_dedupe_key(key, sizeof(key), w->cfg->prefix, json_string_value(id),
                     json_string_length(id), sha ? sha : "error");
    o->dkey = strdup(key);
    if (o->graded) {
        /* The same key with "error" for the rubric's digest: the id's error record. */
        char *digest = strrchr(key, ':') + 1;
        snprintf(digest, sizeof(key) - (size_t)(digest - key), "error");
        o->gkey = strdup(key);
    }
}

static void grade_one(const wk_worker *w, const assay_catalog *cat, assay_scratch *scratch,
                      const char *raw, size_t len, long redeliveries, queue_lane lane,
                      wk_outcome *o)
{
    long attempts = redeliveries + 1;
    double ms = 0; /* grading time */
    assay_grade_options opts = {.graded_at = NULL, .limits = &w->limits};
    json_t *res;
#if ASSAY_TEST_HOOKS
    if (w->cfg->stub_grader) {
        stub_one(w, raw, len, o);
        return;
    }
#endif
    if (attempts > w->cfg->max_attempts) {
        json_t *sub = json_loadb(raw, len < w->limits.max_submission_bytes ? len : 0, 0, NULL);
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "gave up after %ld deliveries: the submission was in flight each time a "
                 "worker stopped",
                 attempts - 1);
        res = assay_result_error(sub, ASSAY_RESULT_GRADING_ERROR, msg, &opts);
        json_decref(sub);
        o->gave_up = true;
    } else {
#if ASSAY_TEST_HOOKS
        if (w->cfg->fault_abort_on && strstr(raw, w->cfg->fault_abort_on)) {
            wk_logf(WK_ERROR, &(wk_lf){.event = "fault_abort"},
                    "fault injection: aborting on a message holding \"%s\"",
                    w->cfg->fault_abort_on);
            abort();
        }
#endif
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        res = assay_grade_buffer(cat, raw, len, scratch, &opts);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    o->result = res ? assay_result_dumps(res) : NULL;
    if (o->result == NULL) {
        json_decref(res);
        return;
    }
    const char *status = json_string_value(json_object_get(res, "status"));
    o->graded = status && strcmp(status, "graded") == 0;
    if (!o->graded) {
        char now[40];
        now_rfc3339(now, sizeof(now));
        o->dead = queue_dead_encode(res, raw, len, w->cfg->worker_id, now, attempts, lane);
        if (o->dead == NULL) {
            /* Out of memory: unacknowledged, so it is retried rather than answered without
             * its dead letter. */
            free(o->result);
            o->result = NULL;
            json_decref(res);
            return;
        }
    }
    json_t *id = json_object_get(res, "id");
    if (json_is_string(id)) {
        dedupe_keys(w, res, id, o);
    }
    const char *sid = json_string_value(id);
    size_t sid_len = sid ? json_string_length(id) : 0;
    if (o->graded) {
        wk_logf(WK_DEBUG,
                &(wk_lf){.event = "graded",
                         .id = sid,
                         .id_len = sid_len,
                         .queue = queue_lane_name(lane),
                         WK_MS(ms)},
                "graded %s", sid);
    } else {
        const char *code =
            json_string_value(json_object_get(json_object_get(res, "error"), "code"));
        wk_logf(WK_INFO,
                &(wk_lf){.event = "not_graded",
                         .id = sid,
                         .id_len = sid_len,
                         .queue = queue_lane_name(lane),
                         .code = code,
                         WK_MS(ms)},
                "not graded: %s (%s); answering with an error and dead-lettering it "
                "unless it was answered before",
                code, sid ? sid : "no id");
    }
    json_decref(res);
}

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

static void cat_release(wk_worker *w, wk_cat_ref *c)
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
    return rc;
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

static void job_free(wk_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free(j->raw[i]);
        free(j->out[i].result);
        free(j->out[i].dead);
        free(j->out[i].dkey);
        free(j->out[i].gkey);
    }
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
        job_free(j);
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
    assay_scratch *s = scratch_take(j->w);
    for (size_t i = 0; i < j->n; i++) {
        if (s == NULL && !j->w->cfg->stub_grader) {
            break; /* out of memory: left unacknowledged, recovered later */
        }
        if (j->raw[i]) {
            grade_one(j->w, j->cat->cat, s, j->raw[i], j->len[i], j->redeliveries[i], j->lane,
                      &j->out[i]);
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
    cat_release(w, j->cat);
    w->grading -= (int)j->n;
    if (j->lane == QUEUE_REGRADE) {
        w->regrade_grading -= (int)j->n;
    }
    queue_ack a;
    queue_ack_init(&a);
    for (size_t i = 0; i < j->n; i++) {
        const wk_outcome *o = &j->out[i];
        if (o->result == NULL) {
            continue;
        }
        if (o->graded) {
            w->graded++;
        } else {
            w->failed++;
        }
        queue_ack_msg m = {
            .raw = j->raw[i],
            .len = j->len[i],
            .lane = j->lane,
            .result = o->result,
            .dead = o->dead,
            .dedupe = o->dkey,
            .guard = o->gkey,
            .gave_up = o->gave_up,
        };
        queue_ack_add(&a, &m);
    }
    size_t lost = j->n - a.n;
    wk_ack_batch *b = j->b;
    job_free(j);
    wk_ack_ready(w, b, &a, lost);
    wk_maybe_finish(w);
}

int wk_job_start(wk_job *j)
{
    wk_worker *w = j->w;
    size_t n = j->n;
    j->b = wk_ack_batch_add(w, j->lane, n == 1 && j->redeliveries[0] > 0);
    if (j->b == NULL) {
        job_free(j);
        return -1;
    }
    j->cat = w->cat;
    j->cat->refs++;
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
    if (w->cfg->grade_threads == 0 ||
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
    cat_release(j->w, j->cat);
    job_free(j);
}
