/*
 * queue.h - the Redis side of the queue contract (docs/protocol.md), shared by assay-worker
 * and the operator commands of the assay CLI: the key names under the prefix, the lanes, the
 * SHA-1 names Redis gives messages and scripts, and the claim, recover and requeue scripts
 * with the argument lists they expect. The acknowledgement script and its argument builder
 * are in ack.h, the dead-letter entry in deadletter.h.
 *
 * Every script is given all the keys it touches in KEYS, so a hash-tagged prefix such as
 * {assay} keeps a deployment in one Redis Cluster slot. Nothing here talks to Redis: callers
 * send the argument lists with their own connection (hiredis async in the worker, sync in
 * the CLI).
 */
#ifndef ASSAY_QUEUE_QUEUE_H
#define ASSAY_QUEUE_QUEUE_H

#include <stdbool.h>
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

/* Which queue a message came from. On the wire: "l" / "r" in the claim script's reply and
 * the ack script's arguments, "submissions" / "regrade" in a dead-letter entry. */
typedef enum queue_lane { QUEUE_LIVE, QUEUE_REGRADE } queue_lane;

/* Fills the keys for prefix and worker id (worker may be NULL for the shared keys only). */
void queue_keys_init(queue_keys *k, const char *prefix, const char *worker);
/* The key of a lane's queue (P:submissions or P:regrade), and of its processing list. */
const char *queue_keys_queue(const queue_keys *k, queue_lane lane);
const char *queue_keys_processing(const queue_keys *k, queue_lane lane);

/* P:done:<hex SHA-256 of id>:<rubric sha256 or "error">: the de-duplication record. With
 * rubric_sha "error" it is the id's error record, which the ack script reads as a guard
 * and `assay dead requeue` clears. */
void queue_dedupe_key(char *out, size_t size, const char *prefix, const char *id, size_t idlen,
                      const char *rubric_sha);
/* P:record:<hex SHA-256 of the learner>: the learner's record, a hash of "ver" (an integer
 * the writer compares and increments) and "doc" (the record document, docs/records.md). */
void queue_record_key(char *out, size_t size, const char *prefix, const char *learner,
                      size_t len);
/* P:credentials:<hex SHA-256 of the learner>: the learner's credentials, a hash of
 * "<credential id>@<version>" -> the signed credential. */
void queue_credentials_key(char *out, size_t size, const char *prefix, const char *learner,
                           size_t len);
/* P:rate:<unix minute>: results pushed in that minute. */
void queue_rate_key(char *out, size_t size, const char *prefix, long minute);

/* The field of a message in P:attempts: the SHA-1 of its bytes in lower-case hex, exactly as
 * the scripts' redis.sha1hex(message) names it. */
void queue_attempts_field(const char *msg, size_t len, char out[41]);
/* The SHA-1 (hex) Redis names a script by, for EVALSHA. */
void queue_script_sha(const char *script, char out[41]);

/* "l" or "r": the lane as the scripts write it. */
const char *queue_lane_tag(queue_lane lane);
/* "submissions" or "regrade": the lane as a dead-letter entry names it. */
const char *queue_lane_name(queue_lane lane);

/* The scripts' text, loaded with SCRIPT LOAD and run with EVALSHA. */
extern const char queue_claim_lua[];
extern const char queue_recover_lua[];
extern const char queue_requeue_lua[];

/* EVALSHA <claim> with its keys and arguments (see queue_claim_lua). The argument list
 * points into a, k and worker, which must outlive it. */
enum { QUEUE_CLAIM_ARGC = 13 };
typedef struct queue_claim_args {
    const char *argv[QUEUE_CLAIM_ARGC];
    char max[24], regrade_max[24];
} queue_claim_args;
void queue_claim_args_init(queue_claim_args *a, const char *sha, const queue_keys *k,
                           const char *worker, int max, bool idle, int regrade_max);

/* The claim script's first reply element: the lane claimed from, and whether a suspect at
 * the head of that queue waits for this worker to be idle ("lw" / "rw"). */
void queue_claim_tag(const char *tag, size_t len, queue_lane *lane, bool *suspect_waits);

/* EVALSHA <recover> for worker `who` (whose keys k are, from queue_keys_init(k, prefix,
 * who)): force '1' recovers even a live worker's lists (our own), count '1' counts a
 * redelivery for each message. The list points into k and who. */
enum { QUEUE_RECOVER_ARGC = 13 };
void queue_recover_argv(const char *argv[QUEUE_RECOVER_ARGC], const char *sha,
                        const queue_keys *k, const char *who, bool force, bool count);

/* EVALSHA <requeue> for one dead-letter entry (see queue_requeue_lua): entry is the entry as
 * stored in P:dead, sub the submission it holds (queue_dead_submission), error_key the
 * id's error record (queue_dedupe_key with "error"; any key for an entry without an id).
 * The list points into a, k, entry, sub and error_key. */
enum { QUEUE_REQUEUE_ARGC = 10 };
typedef struct queue_requeue_args {
    const char *argv[QUEUE_REQUEUE_ARGC];
    size_t lens[QUEUE_REQUEUE_ARGC];
    char field[41];
} queue_requeue_args;
void queue_requeue_args_init(queue_requeue_args *a, const char *sha, const queue_keys *k,
                             queue_lane lane, const char *error_key, const char *entry,
                             size_t entry_len, const char *sub, size_t sub_len);

#endif
