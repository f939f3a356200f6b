/*
 * reccache.h - the worker's learner records kept between batches: for each learner whose
 * record this worker read or wrote lately, the record parsed, the "ver" and "gen" it had
 * in Redis then, and the credentials the learner held then. The read script
 * (queue/recread.h) is given them and returns the document only when the record in Redis is
 * no longer that one, so a learner this worker wrote last costs neither the transfer nor
 * the parse; a batch whose learners are all kept here may skip the read altogether and
 * commit against them (records.c). Bounded: least recently used first out when
 * the documents kept exceed a size. Loop thread only. docs/records.md "In the worker".
 */
#ifndef ASSAY_WORKER_RECCACHE_H
#define ASSAY_WORKER_RECCACHE_H

#include <assay/record.h>

#include <stddef.h>

typedef struct wk_reccache wk_reccache;

/* A cache that keeps up to max_bytes of documents, in bytes of their JSON text (the parsed
 * records take about twice that on the heap; --record-cache sets it); NULL when out of memory.
 * Caller frees with wk_reccache_destroy. */
wk_reccache *wk_reccache_create(size_t max_bytes);
/* Frees the cache and every record it holds; NULL is a no-op. */
void wk_reccache_destroy(wk_reccache *c);
/* The "ver", "gen" and credentials held ("a@1\nb@2", "" for none) kept for key, borrowed
 * until the next call that changes c; held may be NULL. @return 0, or -1 when none is kept
 * (the outputs untouched). */
int wk_reccache_peek(const wk_reccache *c, const char *key, const char **ver, const char **gen,
                     const char **held);
/* Takes the record kept for key out of the cache if it has exactly ver and gen: the caller
 * owns it (assay_record_destroy). Any other entry for key is dropped. @return the record,
 * or NULL. */
assay_record *wk_reccache_take(wk_reccache *c, const char *key, const char *ver,
                               const char *gen, size_t *weight);
/* Drops what is kept for key, if anything. */
void wk_reccache_drop(wk_reccache *c, const char *key);
/* Keeps rec (taken over, even on failure: then destroyed) for key with ver, gen and the
 * credentials held, weight the length of its document; evicts the least recently used
 * beyond the bound. */
void wk_reccache_put(wk_reccache *c, const char *key, const char *ver, const char *gen,
                     const char *held, assay_record *rec, size_t weight);
/* Entries kept (for tests and logs). */
size_t wk_reccache_count(const wk_reccache *c);
/* Bytes of documents kept (the weights of the entries); 0 for NULL. */
size_t wk_reccache_bytes(const wk_reccache *c);

#endif
