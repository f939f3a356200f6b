/*
 * main.c - assay-worker: reads its configuration and runs the loop (worker.c).
 */
#include "config.h"
#include "log.h"
#include "worker.h"

#include <signal.h>

int main(int argc, char **argv)
{
    wk_config cfg;
    int rc = wk_config_parse(&cfg, argc, argv);
    if (rc != 0) {
        return rc > 0 ? 0 : 2;
    }
    wk_log_setup(cfg.log_json, (wk_level)cfg.log_level);
    /* A Redis connection closed under a write must be an error return, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    return worker_run(&cfg);
}
