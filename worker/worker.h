/*
 * worker.h - runs assay-worker's event loop until it is told to stop.
 */
#ifndef ASSAY_WORKER_WORKER_H
#define ASSAY_WORKER_WORKER_H

#include "assay/assay.h"
#include "config.h"

/* @return the process exit status: 0 after a clean drain, 1 otherwise. */
int worker_run(wk_config *cfg);

#endif
