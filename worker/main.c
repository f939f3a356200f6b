/*
 * main.c - assay-worker: reads its configuration and runs the loop (worker.c).
 */
#include "config.h"
#include "log.h"
#include "worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    /* Stop and reload signals wait (pending) until the loop's handlers are in place
     * (wk_run unblocks them), so a SIGTERM while the options are read or the rubrics load
     * stops the worker cleanly instead of killing it. */
    sigset_t stop_sigs;
    wk_stop_signals(&stop_sigs);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
    wk_config cfg;
    int rc = wk_config_parse(&cfg, argc, argv);
    if (rc != 0) {
        return rc > 0 ? 0 : 2;
    }
    wk_log_setup(cfg.log_json, (wk_level)cfg.log_level, cfg.worker_id);
    /* A Redis connection closed under a write must be an error return, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    /* Grading jobs run on libuv's thread pool: size it before its first use. */
    if (cfg.grade_threads > 0 && getenv("UV_THREADPOOL_SIZE") == NULL) {
        char n[16];
        snprintf(n, sizeof(n), "%d", cfg.grade_threads);
        setenv("UV_THREADPOOL_SIZE", n, 1);
    }
    return wk_run(&cfg);
}
