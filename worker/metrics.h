/*
 * metrics.h - the worker's Prometheus metrics and health endpoints (--metrics HOST:PORT).
 *
 * The registry is a fixed set of counters, gauges and two histograms, each value an atomic
 * that any thread updates without a lock: the loop thread (acknowledgements, reconnects,
 * reloads, the tick's snapshot of in-flight work and queue depths, readiness) and the
 * grading threads (grading time). libmicrohttpd serves them from its own thread, which
 * only reads those atomics: it never touches the loop's state and never calls hiredis, so
 * a slow or hostile HTTP client cannot stall grading.
 *
 *   GET|HEAD /metrics   the Prometheus text format 0.0.4
 *   GET|HEAD /healthz   200 "ok" while the process runs
 *   GET|HEAD /readyz    200 "ready", or 503 with the reason (see wk_unready)
 *   any other path 404; any other method 405.
 *
 * With metrics off (no --metrics) every update returns at once, so they cost a branch.
 * Built without libmicrohttpd (-Dmetrics=disabled), --metrics is refused at start.
 */
#ifndef ASSAY_WORKER_METRICS_H
#define ASSAY_WORKER_METRICS_H

#include "queue.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The counters and gauges: X(ID, name, labels, type, help). Series of one name are
 * consecutive, and the first of them carries the help text. Adding a metric is one line
 * here and a wk_metrics_add / wk_metrics_set where its event happens.
 */
#define WK_METRICS(X)                                                                          \
    X(RESULTS_LIVE_GRADED, "assay_results_total", "queue=\"submissions\",status=\"graded\"",   \
      "counter",                                                                               \
      "Results pushed and confirmed by Redis, by queue and status (error results are also "    \
      "dead-lettered)")                                                                        \
    X(RESULTS_LIVE_ERROR, "assay_results_total", "queue=\"submissions\",status=\"error\"",     \
      "counter", "")                                                                           \
    X(RESULTS_REGRADE_GRADED, "assay_results_total", "queue=\"regrade\",status=\"graded\"",    \
      "counter", "")                                                                           \
    X(RESULTS_REGRADE_ERROR, "assay_results_total", "queue=\"regrade\",status=\"error\"",      \
      "counter", "")                                                                           \
    X(DEAD_LETTERS, "assay_dead_letters_total", "", "counter",                                 \
      "Dead-letter entries pushed onto P:dead")                                                \
    X(DUPLICATES, "assay_duplicates_total", "", "counter",                                     \
      "Submissions graded again but not answered: a result for their id and rubric was "       \
      "already pushed")                                                                        \
    X(REDELIVERIES, "assay_redeliveries_total", "", "counter",                                 \
      "Submissions claimed that had been delivered before (to a worker that stopped)")         \
    X(RECORDS_WRITTEN, "assay_records_written_total", "", "counter",                           \
      "Learner records written by the acknowledgement script (one per learner per batch)")     \
    X(RECORD_CONFLICTS, "assay_record_conflicts_total", "", "counter",                         \
      "Learner record groups not committed because another writer changed them since they "    \
      "were read (read and committed again)")                                                  \
    X(RECORD_READS_WORKER, "assay_record_reads_total", "source=\"worker\"", "counter",         \
      "Learner records read for a batch, by where the record came from: the worker's own "     \
      "copy (no transfer, no parse), Redis (document sent and parsed), new (none yet), or "    \
      "skipped (the worker's own copy with no read at all: the commit checks it)")             \
    X(RECORD_READS_REDIS, "assay_record_reads_total", "source=\"redis\"", "counter", "")       \
    X(RECORD_READS_NEW, "assay_record_reads_total", "source=\"new\"", "counter", "")           \
    X(RECORD_READS_SKIPPED, "assay_record_reads_total", "source=\"skipped\"", "counter", "")   \
    X(RECORD_SKIP_MISSES, "assay_record_skipped_read_misses_total", "", "counter",             \
      "Learner record groups committed on the worker's own copy without a read and refused "   \
      "(the record or a submission's de-duplication state had changed): read and committed "   \
      "again")                                                                                 \
    X(RECORD_CACHE_BYTES, "assay_record_cache_bytes", "", "gauge",                             \
      "Bytes of record documents the worker keeps parsed (--record-cache bounds them)")        \
    X(REDIS_RECONNECTS, "assay_redis_reconnects_total", "", "counter",                         \
      "Redis connections lost after being ready (a reconnect follows)")                        \
    X(RELOADS_OK, "assay_rubric_reloads_total", "result=\"ok\"", "counter",                    \
      "SIGHUP reloads of the rubrics, by result (a failed one keeps the loaded set)")          \
    X(RELOADS_FAILED, "assay_rubric_reloads_total", "result=\"failed\"", "counter", "")        \
    X(RUBRICS_LOADED, "assay_rubrics_loaded", "", "gauge", "Rubrics in service")               \
    X(INFLIGHT, "assay_inflight", "", "gauge",                                                 \
      "Submissions claimed by this worker and not yet acknowledged")                           \
    X(DEPTH_LIVE, "assay_queue_depth", "queue=\"submissions\"", "gauge",                       \
      "Length of each list, sampled with every heartbeat (NaN until the first one)")           \
    X(DEPTH_REGRADE, "assay_queue_depth", "queue=\"regrade\"", "gauge", "")                    \
    X(DEPTH_RESULTS, "assay_queue_depth", "queue=\"results\"", "gauge", "")                    \
    X(DEPTH_DEAD, "assay_queue_depth", "queue=\"dead\"", "gauge", "")                          \
    X(REDIS_CONNECTED, "assay_redis_connected", "", "gauge",                                   \
      "1 while the main Redis connection is ready")                                            \
    X(READY, "assay_ready", "", "gauge", "1 while /readyz answers 200")

#define WK_METRIC_ENUM_(id, name, labels, type, help) WK_M_##id,
typedef enum wk_metric { WK_METRICS(WK_METRIC_ENUM_) WK_M_COUNT } wk_metric;
#undef WK_METRIC_ENUM_

typedef enum wk_hist {
    WK_H_GRADING,           /* assay_grading_seconds: one message, on a grading thread */
    WK_H_ENQUEUE_TO_RESULT, /* assay_enqueue_to_result_seconds: enqueued_at to confirmed */
    WK_H_COUNT
} wk_hist;

/* Why /readyz says 503 (WK_READY: it says 200). */
typedef enum wk_unready {
    WK_READY,
    WK_UNREADY_STARTING, /* loading the rubrics */
    WK_UNREADY_REDIS,    /* the main Redis connection is not ready */
    WK_UNREADY_SCRIPTS,  /* connected, the queue scripts not loaded yet */
    WK_UNREADY_RUBRICS,  /* no rubric in service */
    WK_UNREADY_DRAINING  /* stopping: takes no more work */
} wk_unready;

/*
 * Checks a --metrics value: HOST:PORT, an IPv6 address in brackets ([::1]:9464), HOST a
 * name or a numeric address, PORT 0 to 65535 (0: any free port, logged). @return 0, or -1
 * with the reason in why (which names the value).
 */
int wk_metrics_check_listen(const char *hostport, char *why, size_t size);

/*
 * Starts serving on hostport (already checked) on a thread of its own and turns the
 * updates on. @return 0, or -1 after logging why (the address cannot be bound, or the
 * worker was built without metrics).
 */
int wk_metrics_start(const char *hostport);
/* Stops the server (waits for its thread); a no-op when it did not start. */
void wk_metrics_stop(void);
/* Whether updates are counted (the server was started). */
bool wk_metrics_enabled(void);

void wk_metrics_add(wk_metric m, int64_t n);
void wk_metrics_set(wk_metric m, int64_t v);
void wk_metrics_set_unknown(wk_metric m); /* a gauge with no value yet: NaN */
void wk_metrics_observe(wk_hist h, double seconds);
void wk_metrics_set_unready(wk_unready why);

/* A monotonic clock in nanoseconds, for wk_metrics_observe_since; 0 when metrics are off. */
uint64_t wk_metrics_now_ns(void);
/* Observes the time since t0 (from wk_metrics_now_ns); nothing when t0 is 0. */
void wk_metrics_observe_since(wk_hist h, uint64_t t0);

/*
 * What the results of one acknowledgement batch count once Redis confirms it: one entry per
 * message, in the order they were added to the acknowledgement. NULL (metrics off, or out of
 * memory: the batch is then not counted) is accepted by all three.
 */
typedef struct wk_metrics_batch wk_metrics_batch;
wk_metrics_batch *wk_metrics_batch_new(size_t n);
void wk_metrics_batch_add(wk_metrics_batch *mb, queue_lane lane, bool graded,
                          int64_t enqueued_ms);
/* The ack script's reply (an array of queue_ack_status, one per message): counts results,
 * dead letters, duplicates and enqueue-to-result times. */
void wk_metrics_batch_acked(const wk_metrics_batch *mb, const redisReply *r);
void wk_metrics_batch_free(wk_metrics_batch *mb);

/* Counts the redelivered ones among n claimed messages. */
void wk_metrics_claimed(size_t n, const long *redeliveries);

/*
 * The /metrics body (caller frees with free), its length in *len; NULL when out of memory.
 * Exposed for tests.
 */
char *wk_metrics_render(size_t *len);
/* The /readyz body for a reason (a static string). */
const char *wk_metrics_unready_text(wk_unready why);

#endif
