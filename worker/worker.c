/*
 * worker.c - assay-worker's wiring: sets up the state shared by the modules (worker.h), the
 * two Redis connections, the timers and signals on one libuv loop, runs the loop until the
 * worker has stopped, and frees what is left.
 *
 * Threads: the loop thread runs every callback (Redis replies, timers, signals, the
 * completion of grading jobs); grading itself runs on libuv's thread pool for live batches
 * and on the regrade pool's nice-19 threads for regrade batches (jobs.c, bgpool.c), or on
 * the loop thread with --grade-threads 0.
 *
 * State kept in memory is only what Redis does not already hold: acknowledgement batches
 * sent but not confirmed. After a reconnect they are sent again (the ack script is
 * idempotent), then whatever is still in this worker's processing lists is returned to the
 * queues, so nothing claimed is ever lost or answered twice.
 */
#include "worker.h"

#include "acks.h"
#include "awards.h"
#include "bgpool.h"
#include "claim.h"
#include "jobs.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "reccache.h"
#include "recread.h"
#include "reload.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void log_start(const wk_config *cfg, const assay_catalog *cat)
{
    wk_logf(WK_INFO,
            &(wk_lf){.event = "starting",
                     .redis = cfg->redis_desc,
                     .path = cfg->rubrics,
                     WK_COUNT(assay_catalog_count(cat))},
            "assay-worker %s starting as %s: %zu rubric%s from %s, Redis %s, prefix %s, "
            "%d grading thread%s",
            assay_version(), cfg->worker_id, assay_catalog_count(cat),
            assay_catalog_count(cat) == 1 ? "" : "s", cfg->rubrics, cfg->redis_desc,
            cfg->prefix, cfg->grade_threads, cfg->grade_threads == 1 ? "" : "s");
    if (cfg->stub_grader) {
        wk_logf(WK_WARN, &(wk_lf){.event = "test_hook", .code = "ASSAY_BENCH_STUB_GRADER"},
                "benchmark stub on (ASSAY_BENCH_STUB_GRADER): results are canned, not "
                "grades; for benchmarks only");
    }
    if (cfg->fault_abort_on) {
        wk_logf(WK_WARN, &(wk_lf){.event = "test_hook", .code = "ASSAY_FAULT_ABORT_ON"},
                "fault injection is on (ASSAY_FAULT_ABORT_ON): this worker aborts "
                "on any message holding that text; for chaos tests only");
    }
    if (cfg->fault_conflicts > 0) {
        wk_logf(WK_WARN, &(wk_lf){.event = "test_hook", .code = "ASSAY_FAULT_RECORD_CONFLICTS"},
                "fault injection is on (ASSAY_FAULT_RECORD_CONFLICTS): the first %d commits of "
                "%s's record are refused; for tests only",
                cfg->fault_conflicts, cfg->fault_conflict_learner);
    }
    if (cfg->hooks_ignored) {
        wk_logf(WK_WARN, &(wk_lf){.event = "test_hook_ignored", .code = cfg->hooks_ignored},
                "%s is set, but this assay-worker has no test hooks (only assay-worker-hooks, "
                "built with -Dtest_hooks=true, has them): ignored",
                cfg->hooks_ignored);
    }
}

/* Names the handles still open when the loop cannot close: a bug to see, not to hide. */
static void open_handle_cb(uv_handle_t *h, void *arg)
{
    (void)arg;
    wk_logf(WK_ERROR, &(wk_lf){.event = "handle_open"}, "a %s handle is still open at exit",
            uv_handle_type_name(h->type));
}

void wk_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

int wk_run(wk_config *cfg)
{
    wk_worker *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return 1;
    }
    /* A stop or reload signal that arrives while the rubrics and the issuer key load (long
     * under a sanitizer or on a slow disk) waits, blocked, until the loop's handlers are
     * in place, instead of killing the process with the default action. Threads started
     * meanwhile (metrics) inherit the mask, so the signal reaches the loop's handler. main()
     * blocks them already from its first line, before the options are read. */
    sigset_t stop_sigs;
    wk_stop_signals(&stop_sigs);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
    w->cfg = cfg;
    w->phase = WK_RUNNING;
    w->started = (long long)time(NULL);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    w->started_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    srand((unsigned)(time(NULL) ^ getpid()));
    if (cfg->metrics && wk_metrics_start(cfg->metrics) != 0) {
        free(w);
        return 1;
    }
    assay_catalog *cat = NULL;
    if (wk_catalog_load(cfg->rubrics, &cat) < 0 || (w->cat = wk_cat_ref_new(cat)) == NULL) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "start_failed", .path = cfg->rubrics},
                "cannot start: the rubrics in %s did not load", cfg->rubrics);
        assay_catalog_destroy(cat);
        wk_metrics_stop();
        free(w);
        return 1;
    }
    log_start(cfg, cat);
    int irc = wk_issuer_start(w, cat);
    if (irc != 0) {
        wk_jobs_free(w);
        wk_metrics_stop();
        free(w);
        return irc;
    }
    w->limits = assay_limits_default();
    w->limits.max_submission_bytes = cfg->max_bytes;
    pthread_mutex_init(&w->pool_mu, NULL);
    queue_keys_init(&w->keys, cfg->prefix, cfg->worker_id);
    queue_script_sha(queue_claim_lua, w->sha_claim);
    queue_script_sha(queue_ack_lua, w->sha_ack);
    queue_script_sha(queue_recover_lua, w->sha_recover);
    queue_script_sha(queue_resume_lua, w->sha_resume);
    queue_script_sha(queue_recread_lua, w->sha_recread);
    if (cfg->records && cfg->record_cache_bytes > 0) {
        w->reccache = wk_reccache_create(cfg->record_cache_bytes); /* NULL: nothing kept */
    }

    w->loop = uv_default_loop();
    wk_conn_init(&w->main, w, "main", wk_main_ready, 0);
    wk_conn_init(&w->block, w, "block", wk_block_ready, cfg->idle_block_ms);
    w->block.max_reply = cfg->max_bytes + 65536;
    w->block.on_oversize = wk_block_oversize;
    uv_timer_t *timers[] = {&w->heartbeat,  &w->watchdog,     &w->drain,
                            &w->pump_retry, &w->writes_retry, &w->records_retry};
    for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
        uv_timer_init(w->loop, timers[i]);
        timers[i]->data = w;
    }
    uint64_t beat_ms = (uint64_t)cfg->heartbeat_ttl_ms / 3;
    uv_timer_start(&w->heartbeat, wk_heartbeat_cb, beat_ms, beat_ms);
    uv_timer_start(&w->watchdog, wk_conn_watchdog_cb, 100, 100);
    if (cfg->grade_threads > 0) {
        w->regrade_pool =
            wk_bgpool_start(w->loop, cfg->grade_threads, wk_job_work_cb, wk_job_done_cb);
        if (w->regrade_pool == NULL) {
            wk_logf(WK_WARN, &(wk_lf){.event = "regrade_pool_failed"},
                    "cannot start the low-priority regrade threads; regrading shares the "
                    "live grading threads");
        }
    }
    uv_signal_t *sigs[] = {&w->sigterm, &w->sigint, &w->sighup};
    for (size_t i = 0; i < 3; i++) {
        uv_signal_init(w->loop, sigs[i]);
        sigs[i]->data = w;
    }
    uv_signal_start(&w->sigterm, wk_stop_signal_cb, SIGTERM);
    uv_signal_start(&w->sigint, wk_stop_signal_cb, SIGINT);
    uv_signal_start(&w->sighup, wk_reload_signal_cb, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &stop_sigs, NULL); /* a pending signal is handled now */
    wk_notify_start(w);

    wk_conn_start(&w->main);
    wk_conn_start(&w->block);
    uv_run(w->loop, UV_RUN_DEFAULT);
    /* Run once more so the close callbacks of every handle have run before freeing. */
    uv_run(w->loop, UV_RUN_DEFAULT);
    int code = w->exit_code;
    int rc = uv_loop_close(w->loop);
    if (rc != 0) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "loop_close_failed"},
                "the event loop did not close: %s", uv_strerror(rc));
        uv_walk(w->loop, open_handle_cb, NULL);
        code = 1;
    }
    wk_metrics_stop();
    wk_acks_free(w);
    wk_jobs_free(w);
    wk_issuer_free(w);
    wk_reccache_destroy(w->reccache);
    pthread_mutex_destroy(&w->pool_mu);
    free(w);
    return code;
}
