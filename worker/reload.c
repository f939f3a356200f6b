/*
 * reload.c - SIGHUP reloads off the event loop (see reload.h).
 *
 * The work callback runs on a pool thread and touches only its own job (the directory name
 * is configuration, read-only); the after callback runs on the loop thread and is the only
 * place that changes the worker's state. At exit the loop waits for a reload in progress,
 * whose catalog is then freed unused.
 */
#include "reload.h"

#include "jobs.h"
#include "log.h"
#include "notify.h"

#include <stdlib.h>
#include <time.h>

typedef struct reload_job {
    uv_work_t req;
    wk_worker *w;
    assay_catalog *cat; /* the new catalog, when rc > 0 */
    int rc;             /* as wk_catalog_load */
    double ms;
} reload_job;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* On a pool thread: reads and compiles the directory. */
static void reload_work_cb(uv_work_t *req)
{
    reload_job *j = req->data;
    double t0 = now_ms();
    j->rc = wk_catalog_load(j->w->cfg->rubrics, &j->cat);
    j->ms = now_ms() - t0;
}

static void start_reload(wk_worker *w);

/* On the loop thread: puts the new catalog in service, or keeps the old one. */
static void reload_after_cb(uv_work_t *req, int status)
{
    reload_job *j = req->data;
    wk_worker *w = j->w;
    int rc = j->rc;
    assay_catalog *cat = rc >= 0 ? j->cat : NULL;
    double ms = j->ms;
    free(j);
    w->reloading = false;
    if (status != 0 || w->phase == WK_CLOSED) {
        assay_catalog_destroy(cat); /* stopping: nothing to serve */
        return;
    }
    const char *dir = w->cfg->rubrics;
    if (rc == 0) {
        /* An empty directory (a deployment mistake) would dead-letter everything. */
        assay_catalog_destroy(cat);
        cat = NULL;
        rc = ASSAY_E_INVALID;
        wk_logf(WK_ERROR, &(wk_lf){.event = "reload_empty", .path = dir},
                "SIGHUP: no rubric found in %s", dir);
    }
    wk_cat_ref *ref = rc > 0 ? wk_cat_ref_new(cat) : NULL;
    if (ref == NULL) {
        if (rc > 0) {
            assay_catalog_destroy(cat);
            rc = ASSAY_E_NOMEM;
        }
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "reload_failed",
                         .path = dir,
                         .code = assay_err_name(rc),
                         WK_COUNT(assay_catalog_count(w->cat->cat)),
                         WK_MS(ms)},
                "SIGHUP: rubrics in %s not reloaded (%s); the %zu loaded before stay in "
                "service",
                dir, assay_strerror(rc), assay_catalog_count(w->cat->cat));
        wk_notify_reloaded(w, false);
    } else {
        wk_cat_replace(w, ref);
        wk_notify_reloaded(w, true);
        wk_logf(WK_INFO, &(wk_lf){.event = "reloaded", .path = dir, WK_COUNT(rc), WK_MS(ms)},
                "SIGHUP: reloaded %d rubric%s from %s in %.0f ms", rc, rc == 1 ? "" : "s", dir,
                ms);
    }
    if (w->reload_again) {
        w->reload_again = false;
        start_reload(w);
    }
}

static void start_reload(wk_worker *w)
{
    reload_job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "reload_failed", .path = w->cfg->rubrics},
                "SIGHUP: out of memory; the rubrics loaded before stay in service");
        wk_notify_reloaded(w, false);
        return;
    }
    j->w = w;
    j->req.data = j;
    wk_logf(WK_INFO, &(wk_lf){.event = "reloading", .path = w->cfg->rubrics},
            "SIGHUP: reloading the rubrics in %s (grading goes on meanwhile)", w->cfg->rubrics);
    int rc = uv_queue_work(w->loop, &j->req, reload_work_cb, reload_after_cb);
    if (rc != 0) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "reload_failed", .path = w->cfg->rubrics},
                "SIGHUP: cannot start the reload (%s); the rubrics loaded before stay in "
                "service",
                uv_strerror(rc));
        free(j);
        wk_notify_reloaded(w, false);
        return;
    }
    w->reloading = true;
    wk_notify_reloading(w);
}

void wk_reload_signal_cb(uv_signal_t *s, int signum)
{
    (void)signum;
    wk_worker *w = s->data;
    if (w->phase == WK_CLOSED) {
        return;
    }
    if (w->reloading) {
        if (!w->reload_again) {
            wk_logf(WK_INFO, &(wk_lf){.event = "reload_coalesced", .path = w->cfg->rubrics},
                    "SIGHUP during a reload: one more reload follows it");
        }
        w->reload_again = true;
        return;
    }
    start_reload(w);
}
