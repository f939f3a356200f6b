/*
 * deadletter.h - the dead-letter entry: what the worker pushes onto P:dead for a message it
 * did not grade, and what `assay dead list` and `assay dead requeue` read back. An entry is
 * one JSON object:
 *   {"reason", "message", "id", "worker", "time", "attempts", "queue", "submission"}
 * with the message byte for byte in "submission" when it is UTF-8 (NUL bytes included, as
 * \u0000), else in "submission_base64" (docs/protocol.md, Dead letters).
 */
#ifndef ASSAY_QUEUE_DEADLETTER_H
#define ASSAY_QUEUE_DEADLETTER_H

#include "queue.h"

#include <jansson.h>
#include <stddef.h>

/*
 * The entry for message raw[0..len), answered with the error result `result` (its
 * error.code, error.message and id are copied) by worker `worker` at `time` (RFC 3339), on
 * its attempts-th delivery, from `lane`.
 * @return the entry as compact JSON, which the caller frees with free(); NULL when out of
 * memory.
 */
char *queue_dead_encode(const json_t *result, const char *raw, size_t len, const char *worker,
                        const char *time, long attempts, queue_lane lane);

/*
 * The fields every entry starts with - reason, message and id (copied from `result`'s
 * error.code, error.message and id, each left out when missing), worker, time, attempts and
 * queue - in a new object (json_decref). NULL when out of memory.
 */
json_t *queue_dead_head(const json_t *result, const char *worker, const char *time,
                        long attempts, queue_lane lane);

/* Reads an entry as stored in P:dead. @return a new reference (json_decref), or NULL when it
 * is not a JSON object. */
json_t *queue_dead_parse(const char *s, size_t len);

/* The lane the entry's "queue" names. @return 0, or -1 when it names neither queue. */
int queue_dead_lane(const json_t *entry, queue_lane *lane);

/* The submission, byte for byte, NUL-terminated, in a buffer the caller frees, its length
 * in *len. @return NULL when the entry has none, its base64 is broken, or out of memory. */
char *queue_dead_submission(const json_t *entry, size_t *len);

#endif
