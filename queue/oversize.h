/*
 * oversize.h - messages over the size limit (--max-bytes): the claim script keeps their body
 * in Redis and returns only its first QUEUE_OVERSIZE_PREFIX bytes, its length and its SHA-1;
 * from those the worker answers too_large. This module reads the id from that prefix and
 * writes the small dead-letter entry that stands for the message (its body is kept in
 * P:dead:oversize).
 */
#ifndef ASSAY_QUEUE_OVERSIZE_H
#define ASSAY_QUEUE_OVERSIZE_H

#include "queue.h"

#include <jansson.h>
#include <stddef.h>

/*
 * The id of a message whose first bytes are prefix[0..len): only when the message starts
 * with {"id":"..." (whitespace allowed around the tokens) and that string ends within the
 * prefix. PCRE2 finds the string literal, jansson decodes it. When the id is followed at
 * once by "reply_to":"..." (1 to 64 of [A-Za-z0-9._:-], unescaped), reply_to receives it,
 * else "" (reply_to may be NULL).
 * @return a new JSON string (json_decref), or NULL when there is none (or out of memory).
 * Whether it is a valid id (1 to 256 bytes, no NUL) is the engine's to judge.
 */
json_t *queue_oversize_id(const char *prefix, size_t len, char reply_to[65]);

/*
 * The dead-letter entry for an oversized message answered with the error result `result`
 * (its error.code, error.message and id are copied), by `worker` at `time`, on its
 * attempts-th delivery, from `lane`:
 *   {"reason", "message", "id", "worker", "time", "attempts", "queue", "bytes", "sha1",
 *    "kept_in"}
 * with no submission: kept_in names the list that keeps the body (while it is among the
 * newest there). @return compact JSON (free()), or NULL when out of memory.
 */
char *queue_dead_encode_oversize(const json_t *result, long long bytes, const char *sha1,
                                 const char *kept_in, const char *worker, const char *time,
                                 long attempts, queue_lane lane);

#endif
