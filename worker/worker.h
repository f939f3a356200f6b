/*
 * worker.h - the state of one assay-worker process, shared by its modules, and wk_run,
 * which wires them to one libuv loop and runs it until the worker stops.
 *
 * The modules, each owning the fields marked for it below:
 *   conn.c       one Redis connection: connect, AUTH/SELECT, replies, watchdog, backoff
 *   claim.c      claiming batches (the claim script) and waiting on empty queues
 *   jobs.c       grading a claimed batch off the loop, catalog references, scratch pool
 *   acks.c       acknowledgement batches, sent in claim order per lane (the ack script)
 *   records.c    learner records: a batch's read and commit (--records on); reccompute.c
 *                computes them off the loop and builds the acknowledgement
 *   awards.c     credentials: the issuer key, awards and regrade reports as records change
 *   lifecycle.c  start-up on a ready connection, heartbeat and recovery, the phases
 *                (signals, drain, leaving)
 *   reload.c     SIGHUP: the rubrics compiled off the loop, put in service on it
 *   health.c     Redis's refusals: credentials (fatal before the first start), writes (OOM)
 *   bgpool.c     the nice-19 threads that grade regrade batches
 *   redis_uv.c   hiredis on libuv;  config.c, log.c  flags and the log
 *   notify.c     systemd notifications, readiness;  metrics.c  --metrics (HTTP thread)
 * Every name a module shares starts with wk_ (WK_ for constants); file-local ones have no
 * prefix. The queue protocol itself (keys, scripts, entries) is queue/'s.
 */
#ifndef ASSAY_WORKER_WORKER_H
#define ASSAY_WORKER_WORKER_H

#include "assay/assay.h"
#include "config.h"
#include "conn.h"
#include "notify.h"
#include "queue.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

/*
 * The process's phase. Transitions (lifecycle.c; wk_maybe_finish runs after every event):
 *
 *   from      event                                        to
 *   RUNNING   SIGTERM / SIGINT (drain timer armed)         DRAINING
 *   DRAINING  drained, main connection ready: lists        LEAVING
 *             recovered, heartbeat deleted, SREM sent
 *   DRAINING  drained, Redis unreachable (an attempt to    CLOSED, exit 0
 *             reconnect failed): the registry entry expires
 *   LEAVING   the SREM's reply, or its loss                CLOSED, exit 0
 *   DRAINING,
 *   LEAVING   the drain timer                              CLOSED, exit 1
 *   any       a second SIGTERM / SIGINT                    _exit(1)
 *   any       Redis refuses our user before the first      CLOSED, exit 78 (health.c)
 *             claim was answered
 *
 * Stopping while Redis refuses our user (after a first start) exits 78 instead of 0.
 *
 * "Drained" (wk_drained) is one predicate: no claim out, nothing claimed unacknowledged,
 * no acknowledgement batch kept. RUNNING claims; DRAINING only finishes what it holds and
 * still beats; LEAVING sends no heartbeat (it would re-register us); CLOSED has closed
 * every handle, and the loop returns.
 */
typedef enum wk_phase { WK_RUNNING, WK_DRAINING, WK_LEAVING, WK_CLOSED } wk_phase;

typedef struct wk_ack_batch wk_ack_batch;
typedef struct wk_cat_ref wk_cat_ref;
typedef struct wk_bgpool wk_bgpool;

struct wk_worker {
    wk_config *cfg;
    uv_loop_t *loop;
    wk_phase phase;
    wk_conn main, block; /* main: claims, acks, heartbeats, recovery; block: waits only */
    uv_timer_t heartbeat, watchdog, drain, pump_retry, writes_retry;
    uv_timer_t records_retry; /* records.c: batches whose records conflicted read again */
    uv_signal_t sigterm, sigint, sighup;

    /* The protocol: keys and script names (SHA-1), fixed at start. */
    queue_keys keys;
    char sha_claim[41], sha_ack[41], sha_recover[41], sha_resume[41], sha_recread[41];

    /* jobs.c: what grading reads, and the scratch reused across jobs. */
    wk_cat_ref *cat; /* the catalog in service */
    assay_limits limits;
    pthread_mutex_t pool_mu;
    assay_scratch *pool[64]; /* idle per-thread scratch */
    size_t npool;
    wk_bgpool *regrade_pool; /* low-priority threads grading regrade jobs */

    /* Work in flight (claim.c, jobs.c, acks.c). */
    int inflight;                          /* claimed and not yet acknowledged */
    int grading;                           /* of those, in grading jobs */
    int regrade_inflight, regrade_grading; /* the same, for the regrade lane alone */
    bool claim_outstanding, block_outstanding;
    bool claim_idle; /* the claim out was sent with nothing in flight */
    bool pump_again; /* room was made while a claim was out: claim again after its reply */
    bool claim_error_logged;
    wk_ack_batch *acks, *acks_tail; /* in claim order */
    struct wk_reccache *reccache;   /* records.c: learner records kept between batches */
    int fault_conflicts_done;       /* commits refused by ASSAY_FAULT_RECORD_CONFLICTS so far */
    unsigned long long stage_serial; /* records.c: numbers each record write: its stage key
                                      * (queue_stage_key) and its "gen" */
    uint64_t started_ns; /* records.c: with the worker id, makes each "gen" unique */

    /* health.c: what Redis's refusals tell us (health.h). */
    bool claimed_once;   /* a first claim was answered: credentials and scripts work */
    bool auth_failing;   /* since then, Redis refuses our user */
    bool writes_refused; /* Redis answers OOM to writes */
    long writes_backoff_ms;
    uint64_t writes_ok_at;      /* when writes were last accepted again (loop time, ms) */
    uint64_t writes_refused_at; /* when they were last refused, after being accepted */
    uint64_t block_sent_at;     /* when the blocking wait in progress was sent */

    /* reload.c */
    bool reloading;    /* a reload is compiling on a pool thread */
    bool reload_again; /* a SIGHUP came meanwhile: one more reload after it */

    /* lifecycle.c */
    bool first_ready_done, persistence_checked;
    unsigned heartbeats; /* beats so far: every third one also looks for dead workers */
    uint64_t graded, failed, duplicates, recovered;
    uint64_t records_written, record_conflicts; /* records.c */
    struct cred_key *issuer_key; /* awards.c: NULL without credential definitions */
    pthread_mutex_t sign_mu;     /* held while signing with it */
    int exit_code;
    long long started;
    wk_notify notify; /* notify.c: systemd, readiness, the loop's side of the metrics */
};

/* Runs the worker until it stops. @return the process exit status: 0 after a clean drain,
 * 1 otherwise. */
/* The stop and reload signals (SIGTERM, SIGINT, SIGHUP) into *set: blocked from the start of
 * main() until wk_run has its handlers in place. */
void wk_stop_signals(sigset_t *set);
int wk_run(wk_config *cfg);

#endif
