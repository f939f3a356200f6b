/*
 * recread.h - the records read step: one script that returns, in one round trip, each
 * learner's record ("ver" and "doc") and the values of the de-duplication records and guards
 * of the messages whose results may change it, and the credentials each learner holds,
 * for the worker to compute the new records
 * before the ack script (ack.h) commits them. docs/records.md "In the worker".
 */
#ifndef ASSAY_QUEUE_RECREAD_H
#define ASSAY_QUEUE_RECREAD_H

#include "ack.h"

#include <stddef.h>

/*
 * KEYS: for each of nrec learners its record (P:record:<h>) and its credentials hash
 * (P:credentials:<h>), then the other keys to read (GET; not MGET, which the worker's ACL in
 * docs/security.md does not grant); ARGV[1]: nrec, then for each
 * learner the "ver" and "gen" of the record the worker holds ("" and "" for none). Returns a
 * flat array: for each learner "ver" and "gen" ("" for none), then its document ("" for
 * none) or, when the record has a "ver" and a "gen" and both equal those the worker holds, the
 * integer 1 instead (the worker's copy is current: the document is not sent), and the fields of
 * its credentials hash joined by newlines ("<id>@<version>"; "" for none); then each other
 * key's value ("" for none).
 */
extern const char queue_recread_lua[];

/* EVALSHA sha with the record and credentials keys and the other keys, into *out (the
 * caller frees it with queue_argv_free). have_ver and have_gen: for each learner what the
 * worker holds (a NULL array or entry: nothing). @return 0, or -1 out of memory. */
int queue_recread_argv(const char *sha, const char *const *records,
                       const char *const *credentials, const char *const *have_ver,
                       const char *const *have_gen, size_t nrec, const char *const *keys,
                       size_t nkeys, queue_argv *out);

#endif
