/*
 * main.c - assay-worker: reads its configuration and runs the loop (worker.c).
 */
#include "config.h"
#include "log.h"
#include "worker.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * glibc's malloc, left to itself, serves each buffer over its moving mmap threshold (128 KiB
 * at first) with a fresh mapping and returns the top of its heaps past its trim threshold:
 * the acknowledgement and claim buffers of a batch (hundreds of KiB, in hiredis and ours)
 * were mapped, faulted in page by page and unmapped again at every batch, about a third of
 * the loop thread's CPU (docs/performance-e2e.md). Fixed thresholds keep buffers up to
 * 16 MiB in the heaps and at most 32 MiB of free memory at the top of each heap (4 and 8 MiB
 * were too little for batches that write large learner records). An operator's
 * GLIBC_TUNABLES for malloc wins.
 */
static void malloc_tuned(void)
{
#ifdef __GLIBC__
    const char *t = getenv("GLIBC_TUNABLES");
    if (t == NULL || strstr(t, "glibc.malloc.") == NULL) {
        mallopt(M_MMAP_THRESHOLD, 16 << 20);
        mallopt(M_TRIM_THRESHOLD, 32 << 20);
    }
#endif
}

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
    malloc_tuned();
    /* Grading jobs run on libuv's thread pool: size it before its first use. */
    if (cfg.grade_threads > 0 && getenv("UV_THREADPOOL_SIZE") == NULL) {
        char n[16];
        snprintf(n, sizeof(n), "%d", cfg.grade_threads);
        setenv("UV_THREADPOOL_SIZE", n, 1);
    }
    return wk_run(&cfg);
}
