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
    char live[160];          /* P:submissions, LMS pushes live work (LPUSH) */
    char regrade[160];       /* P:regrade, batch regrading, taken only while live is empty */
    char results[160];       /* P:results, one result per submission id */
    char dead[160];          /* P:dead, everything not graded, kept with the reason */
    char attempts[160];      /* P:attempts, hash: SHA-1 of a message -> redeliveries */
    char workers[160];       /* P:workers, set of worker ids that may hold work */
    char stats[160];         /* P:stats, hash: counters the ack script commits */
    char dead_oversize[160]; /* P:dead:oversize, the newest oversized messages, capped */
    char credentials[160];   /* P:credentials, events: credentials issued, no longer met */
    char gave_up[160];       /* P:gave-up, present (with a TTL) while an id's error record
                              * may say "gave-up": the ack script reads guards only then */
    char proc_live[512];     /* P:processing:<worker>:submissions */
    char proc_regrade[512];  /* P:processing:<worker>:regrade */
    char proc_oversize[512]; /* P:processing:<worker>:oversize, one oversized message */
    char oversize_meta[512]; /* P:processing:<worker>:oversize-meta, hash: what the claim
                              * returned of it (lane, prefix, bytes, sha1) */
    char heartbeat[512];     /* P:worker:<worker>, expires when the worker dies */
} queue_keys;

/* Which queue a message came from. On the wire: "l" / "r" in the claim script's reply and
 * the ack script's arguments, "submissions" / "regrade" in a dead-letter entry. */
typedef enum queue_lane { QUEUE_LIVE, QUEUE_REGRADE } queue_lane;

/* Fills the keys for prefix and worker id (worker may be NULL for the shared keys only). */
void queue_keys_init(queue_keys *k, const char *prefix, const char *worker);
/* The key of a lane's queue (P:submissions or P:regrade), and of its processing list. */
const char *queue_keys_queue(const queue_keys *k, queue_lane lane);
const char *queue_keys_processing(const queue_keys *k, queue_lane lane);

/* P:done:<hex SHA-256 of id>:<rubric_sha>: the de-duplication record. For a graded result
 * rubric_sha is "<rubric sha256>:<engine version>" (queue_grading_name), so a new engine
 * grades again; with "error" it is the id's error record, which the ack script reads as a
 * guard and `assay dead requeue` clears. */
void queue_dedupe_key(char *out, size_t size, const char *prefix, const char *id, size_t idlen,
                      const char *rubric_sha);
/* P:record:<hex SHA-256 of the learner>: the learner's record, a hash of "ver" (an integer
 * the writer compares and increments), "gen" (unique to the write that made it) and "doc" (the
 * record document, docs/records.md). */
void queue_record_key(char *out, size_t size, const char *prefix, const char *learner,
                      size_t len);
/* P:stage:<worker id>:<serial>: a learner's record as a worker is about to write it (a hash
 * of "ver", "gen" and "doc"), made and renamed over the record (or deleted) within one
 * transaction with the ack script (queue/ack.h). */
void queue_stage_key(char *out, size_t size, const char *prefix, const char *worker,
                     unsigned long long serial);
/* P:credentials:<hex SHA-256 of the learner>: the learner's credentials, a hash of
 * "<credential id>@<version>" -> the signed credential. */
void queue_credentials_key(char *out, size_t size, const char *prefix, const char *learner,
                           size_t len);
/* "<rubric sha256>:<engine version>": what names a grading in a de-duplication record. */
void queue_grading_name(char *out, size_t size, const char *rubric_sha, const char *engine);
/* P:results:<reply_to>: the reply list a submission named (reply_to: 1 to 64 of
 * [A-Za-z0-9._:-], checked by queue_reply_to_valid). */
void queue_reply_key(char *out, size_t size, const char *prefix, const char *reply_to);
/* Whether s[0..n) is a reply_to: 1 to 64 characters of [A-Za-z0-9._:-]. */
bool queue_reply_to_valid(const char *s, size_t n);
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
extern const char queue_resume_lua[];

/* How much of an oversized message the claim script returns: its first KiB. */
enum { QUEUE_OVERSIZE_PREFIX = 1024 };
#define QUEUE_OVERSIZE_PREFIX_TEXT "1024"

/* EVALSHA <claim> with its keys and arguments (see queue_claim_lua). The argument list
 * points into a, k and worker, which must outlive it. */
enum { QUEUE_CLAIM_ARGC = 18 };
typedef struct queue_claim_args {
    const char *argv[QUEUE_CLAIM_ARGC];
    char max[24], regrade_max[24], max_bytes[24], prefix[24];
} queue_claim_args;
/* max: messages to claim; idle: nothing of ours in flight (a suspect may be claimed);
 * regrade_max: at most this many from the regrade queue; max_bytes: a longer message is
 * oversized; oversize_ok: we hold no oversized message (one may be claimed). */
void queue_claim_args_init(queue_claim_args *a, const char *sha, const queue_keys *k,
                           const char *worker, int max, bool idle, int regrade_max,
                           size_t max_bytes, bool oversize_ok);

/* What the claim script's first reply element says. */
typedef struct queue_claim_kind {
    queue_lane lane; /* the queue claimed from */
    bool waits;      /* "lw"/"rw": nothing claimed; a suspect or an oversized message heads
                      * that queue and waits for this worker to be idle (or to have no
                      * oversized message in flight) */
    bool oversize;   /* "lo"/"ro": one oversized message, moved to P:processing:<w>:oversize;
                      * the reply is {tag, its first KiB, its length, its SHA-1 hex} */
} queue_claim_kind;
void queue_claim_tag(const char *tag, size_t len, queue_claim_kind *kind);

/* EVALSHA <recover> for worker `who` (whose keys k are, from queue_keys_init(k, prefix,
 * who)): force '1' recovers even a live worker's lists (our own), count '1' counts a
 * redelivery for each message, oversize '1' also returns its oversized message (to the
 * live queue, uncounted: it is never graded, so it cannot be poison). A worker leaves its
 * own oversized message in place while it runs and resumes it (queue_resume_lua) instead:
 * moving it again costs Redis as much as its first claim did. The list points into k and
 * who. */
enum { QUEUE_RECOVER_ARGC = 16 };
void queue_recover_argv(const char *argv[QUEUE_RECOVER_ARGC], const char *sha,
                        const queue_keys *k, const char *who, bool force, bool count,
                        bool oversize);

/* EVALSHA <resume>: what the claim returned of the oversized message in our oversize list,
 * {"lo"/"ro", prefix, bytes, sha1}, from its meta (without reading the body), or {} when the
 * list is empty - for a worker that lost the claim's reply. The list points into k. */
enum { QUEUE_RESUME_ARGC = 6 };
void queue_resume_argv(const char *argv[QUEUE_RESUME_ARGC], const char *sha,
                       const queue_keys *k);

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
