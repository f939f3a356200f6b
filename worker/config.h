/*
 * config.h - the worker's settings, from flags with environment fallbacks.
 */
#ifndef ASSAY_WORKER_CONFIG_H
#define ASSAY_WORKER_CONFIG_H

#include "redis_url.h"

#include <stdbool.h>
#include <stddef.h>

/* The test hooks (ASSAY_BENCH_STUB_GRADER, ASSAY_FAULT_ABORT_ON) are compiled only into
 * assay-worker-hooks (meson -Dtest_hooks=true), never into the installed assay-worker. */
#ifndef ASSAY_TEST_HOOKS
#define ASSAY_TEST_HOOKS 0
#endif

typedef struct wk_config {
    redis_url redis;
    char redis_desc[600];
    const char *rubrics;
    const char *prefix;
    char worker_id[256];
    int inflight;         /* most submissions claimed and not yet acknowledged */
    int regrade_inflight; /* of those, most from the regrade queue */
    int batch;            /* most submissions claimed per round trip */
    int max_attempts;     /* deliveries before a submission is dead-lettered */
    long dedupe_ttl_s;    /* how long a result is remembered to suppress duplicates */
    long reply_ttl_s;     /* a reply list (P:results:<reply_to>) lives this long after a push */
    int oversize_keep;    /* P:dead:oversize keeps the newest this many oversized messages */
    long heartbeat_ttl_ms; /* a worker silent this long is dead */
    long command_timeout_ms;
    long idle_block_ms;    /* how long one blocking wait on an empty queue lasts */
    long drain_timeout_ms; /* SIGTERM: how long to finish in-flight work */
    size_t max_bytes;      /* largest submission graded */
    int grade_threads;     /* grading threads; 0 grades on the event loop's thread */
    bool log_json;
    bool records; /* --records on: keep learner records as results are acknowledged */
    size_t record_cache_bytes; /* --record-cache: documents kept parsed (reccache.h); 0: none */
    const char *issuer_key;    /* --issuer-key: the private key credentials are signed with */
    /* Test hooks (ASSAY_TEST_HOOKS builds only; always off otherwise). */
    bool stub_grader; /* benchmarks: ASSAY_BENCH_STUB_GRADER=1 answers without grading */
    const char *fault_abort_on; /* chaos tests: abort() grading a message holding it */
    /* tests: the first fault_conflicts commits of this learner's record are refused */
    char fault_conflict_learner[200];
    int fault_conflicts;
    const char *hooks_ignored; /* without the hooks: the first hook variable set, if any */
    const char *metrics;       /* --metrics HOST:PORT (metrics.h), NULL: off */
    int log_level;
} wk_config;

/*
 * Fills cfg from argv and the environment. @return 0 to run, 1 when --help or --version was
 * printed (exit 0), or -1 after printing a usage error (exit 2).
 */
int wk_config_parse(wk_config *cfg, int argc, char **argv);

#endif
