/*
 * health.h - what Redis's refusals say about the worker's chances, and what it does about
 * them, with one log line per change of state:
 *
 *  - credentials or permissions refused (WRONGPASS, NOAUTH, NOPERM, an ACL refusal inside a
 *    script, AUTH to a server without a password, SELECT of a database that does not
 *    exist): these do not heal by waiting. Before the worker has first started (its first
 *    claim answered), it stops at once with WK_EXIT_CONFIG and one message naming the user
 *    (never the password). After that (a password rotated, an ACL changed), it logs it,
 *    keeps reconnecting with backoff, and exits WK_EXIT_CONFIG on SIGTERM while it lasts;
 *  - writes refused (OOM under maxmemory): Redis is reachable, so the connection is kept;
 *    what was refused is tried again after an exponential, capped, jittered delay;
 *  - anything else (connection refused, LOADING, MASTERDOWN, a timeout) heals by retrying,
 *    which conn.c does.
 */
#ifndef ASSAY_WORKER_HEALTH_H
#define ASSAY_WORKER_HEALTH_H

#include "worker.h"

#include <stdbool.h>
#include <stdint.h>

/* The exit status when Redis refuses the worker's user: sysexits.h's EX_CONFIG, which a
 * service manager can be told not to restart on (systemd: RestartPreventExitStatus=78). */
enum { WK_EXIT_CONFIG = 78 };

typedef enum wk_refusal {
    WK_REFUSAL_NONE,  /* an error that may heal by retrying, or no error */
    WK_REFUSAL_AUTH,  /* credentials, permissions or the database refused */
    WK_REFUSAL_WRITES /* OOM: writes refused for now */
} wk_refusal;

/* What an error reply's text says (NULL: no error). */
wk_refusal wk_refusal_of(const char *err);

/*
 * Handles an error reply r of connection c to `what` (a command's name for the log) when it
 * is a refusal of credentials or writes. @return true when handled: for credentials, the
 * connection was dropped (or, before the first start, the worker is stopping); for writes,
 * the caller retries after wk_writes_delay(). false: not a refusal, the caller handles it.
 */
bool wk_health_refused(wk_conn *c, const char *err, const char *what);

/* A write went through (a blocking wait answered, a heartbeat stored, an acknowledgement
 * or a claim that moved messages): logs once that writes are accepted again. */
void wk_writes_ok(wk_worker *w);
/* The delay before trying a refused write again (ms): doubling from 100 ms to 5 s, jittered,
 * and kept (not reset) when writes are refused again within a minute of coming back. */
uint64_t wk_writes_delay(wk_worker *w);
/* The first claim was answered: credentials, permissions and scripts work. Logs once that
 * Redis accepts the user again after a refusal. */
void wk_health_claimed(wk_worker *w);

#endif
