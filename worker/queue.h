/*
 * queue.h - the Redis side of the queue contract (docs/protocol.md): key names under the
 * prefix, and the Lua scripts that claim, acknowledge and recover submissions atomically.
 * Shared by assay-worker and the operator commands of the assay CLI.
 */
#ifndef ASSAY_WORKER_QUEUE_H
#define ASSAY_WORKER_QUEUE_H

#include <stddef.h>

typedef struct queue_keys {
    char live[160];         /* P:submissions, LMS pushes live work (LPUSH) */
    char regrade[160];      /* P:regrade, batch regrading, taken only while live is empty */
    char results[160];      /* P:results, one result per submission id */
    char dead[160];         /* P:dead, everything not graded, kept with the reason */
    char attempts[160];     /* P:attempts, hash: SHA-1 of a message -> redeliveries */
    char workers[160];      /* P:workers, set of worker ids that may hold work */
    char proc_live[512];    /* P:processing:<worker>:submissions */
    char proc_regrade[512]; /* P:processing:<worker>:regrade */
    char heartbeat[512];    /* P:worker:<worker>, expires when the worker dies */
} queue_keys;

/* Fills the keys for prefix and worker id (worker may be NULL for the shared keys only). */
void queue_keys_init(queue_keys *k, const char *prefix, const char *worker);
/* P:done:<hex SHA-256 of id>:<rubric sha256 or "error">: the de-duplication record. */
void queue_dedupe_key(char *out, size_t size, const char *prefix, const char *id, size_t idlen,
                      const char *rubric_sha);
/* P:rate:<unix minute>: results pushed in that minute. */
void queue_rate_key(char *out, size_t size, const char *prefix, long minute);

/* The scripts, and their SHA-1 (hex) as Redis names them for EVALSHA. */
extern const char queue_claim_lua[];
extern const char queue_ack_lua[];
extern const char queue_recover_lua[];
void queue_script_sha(const char *script, char out[41]);

#endif
