/*
 * awards.h - credentials in the worker: the issuer key loaded and checked at start, and,
 * as a learner's record takes each fresh result (records.c, on a grading thread), the
 * credential definitions that result concerns evaluated: one not held yet and now met is
 * awarded and signed (credential/award.h), one held and no longer met is reported (never
 * revoked nor re-issued). What comes out is the result's "credentials" member and the
 * events the ack script commits with the record (queue_ack_award). docs/credentials.md.
 */
#ifndef ASSAY_WORKER_AWARDS_H
#define ASSAY_WORKER_AWARDS_H

#include "worker.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * At start, with the catalog: when it has credential definitions (and records are on),
 * loads the issuer key (--issuer-key) and checks each definition against it
 * (cred_award_check). @return 0, or 2 after logging why (no key, an unreadable or public
 * key, a missing salt): the worker does not start.
 */
int wk_issuer_start(wk_worker *w, const assay_catalog *cat);
/* At exit. */
void wk_issuer_free(wk_worker *w);

/* One credential event for the ack script. */
typedef struct wk_award_out {
    bool issued; /* else a requirement no longer met */
    char *field; /* "<id>@<version>" */
    char *jws;   /* issued: the token */
    char *event; /* the event for P:credentials */
} wk_award_out;

/* A learner's credentials while one batch is applied to its record. */
typedef struct wk_awards {
    const wk_worker *w;
    const assay_catalog *cat;
    const char *learner;
    const char *key; /* the learner's record key, which the log names (not the learner) */
    char **held;     /* "<id>@<version>" the learner holds (read, then issued here) */
    size_t nheld;
    signed char *was_met; /* per definition: -1 unknown, else met before the result */
    wk_award_out *out;
    size_t nout;
} wk_awards;

/* Starts for learner (record key key) with the fields held ("a@1\nb@2", as the read returns
 * them).
 * @return 0, or -1 out of memory. */
int wk_awards_begin(wk_awards *a, const wk_worker *w, const assay_catalog *cat,
                    const char *learner, const char *key, const char *held);
/* Before a result is applied: notes, for each held definition the result concerns, whether
 * rec meets it (so a drop is seen). @return 0, or -1 out of memory. */
int wk_awards_before(wk_awards *a, const assay_record *rec, const assay_record_evidence *ev);
/*
 * After the result ev was applied to rec: awards what is now met and not held, reports
 * what was met and no longer is. *member receives "\"credentials\":[...]" for the result,
 * or NULL when nothing happened. @return 0, or -1 out of memory.
 */
int wk_awards_after(wk_awards *a, const assay_record *rec, const assay_record_evidence *ev,
                    char **member);
/* Frees the state; the events move to *out / *nout (the caller frees them with
 * wk_award_outs_free). */
void wk_awards_end(wk_awards *a, wk_award_out **out, size_t *nout);
void wk_award_outs_free(wk_award_out *out, size_t n);

#endif
