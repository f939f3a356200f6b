/*
 * queue.c - key names and Lua scripts of the queue contract.
 *
 * Every step that moves a submission is one script, so Redis runs it atomically:
 *  - claim: moves up to N messages from the live queue (or, only when it is empty, the
 *    regrade queue) into this worker's processing list, oldest first, never removing a
 *    message without keeping a copy; returns each with the number of times it was
 *    recovered from a dead worker, and takes such a suspect only alone, by an idle worker;
 *  - ack: for each graded message, removes it from the processing list and, only if it was
 *    still there and its de-duplication record is new, pushes the result (and the dead
 *    letter, for what was not graded) — so a message is answered once;
 *  - recover: returns a dead worker's processing lists to the consumer end of their queues
 *    in their original order, counting a redelivery for each message.
 * All keys a script touches are passed in KEYS, so a hash-tagged prefix such as {assay}
 * keeps a deployment in one Redis Cluster slot.
 */
#include "queue.h"

#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

void queue_keys_init(queue_keys *k, const char *prefix, const char *worker)
{
    memset(k, 0, sizeof(*k));
    snprintf(k->live, sizeof(k->live), "%s:submissions", prefix);
    snprintf(k->regrade, sizeof(k->regrade), "%s:regrade", prefix);
    snprintf(k->results, sizeof(k->results), "%s:results", prefix);
    snprintf(k->dead, sizeof(k->dead), "%s:dead", prefix);
    snprintf(k->attempts, sizeof(k->attempts), "%s:attempts", prefix);
    snprintf(k->workers, sizeof(k->workers), "%s:workers", prefix);
    if (worker) {
        snprintf(k->proc_live, sizeof(k->proc_live), "%s:processing:%s:submissions", prefix,
                 worker);
        snprintf(k->proc_regrade, sizeof(k->proc_regrade), "%s:processing:%s:regrade", prefix,
                 worker);
        snprintf(k->heartbeat, sizeof(k->heartbeat), "%s:worker:%s", prefix, worker);
    }
}

void queue_dedupe_key(char *out, size_t size, const char *prefix, const char *id, size_t idlen,
                      const char *rubric_sha)
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, idlen, (const uint8_t *)id);
    sha256_digest(&ctx, sizeof(d), d);
    char hex[2 * SHA256_DIGEST_SIZE + 1];
    for (size_t i = 0; i < sizeof(d); i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    snprintf(out, size, "%s:done:%s:%s", prefix, hex, rubric_sha);
}

void queue_rate_key(char *out, size_t size, const char *prefix, long minute)
{
    snprintf(out, size, "%s:rate:%ld", prefix, minute);
}

void queue_script_sha(const char *script, char out[41])
{
    struct sha1_ctx ctx;
    uint8_t d[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, strlen(script), (const uint8_t *)script);
    sha1_digest(&ctx, sizeof(d), d);
    for (size_t i = 0; i < sizeof(d); i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
}

/* KEYS: live, regrade, proc_live, proc_regrade, attempts, workers.
 * ARGV: max, worker id, idle ('1' when this worker has nothing in flight), max from the
 * regrade queue (its own, lower limit on work in flight).
 * Returns {tag, msg1, redeliveries1, msg2, ...}; tag "l" (live) or "r" (regrade), or "lw"/"rw"
 * with no message when the oldest one is a suspect and this worker is not idle.
 * A suspect - a message recovered from a worker that died holding it - is claimed alone
 * and only by an idle worker, so if it is poison and kills that worker, nothing else was
 * in flight there: its neighbours are not charged a delivery for a crash they did not cause.
 * Whoever holds a processing list is in the registry, so it is recovered once its heartbeat
 * is gone, even when the claim ran late, after the worker stopped watching that connection. */
const char queue_claim_lua[] =
    "local src, dst, tag, max = KEYS[1], KEYS[3], 'l', tonumber(ARGV[1])\n"
    "if redis.call('LLEN', KEYS[1]) == 0 then\n"
    "  src, dst, tag, max = KEYS[2], KEYS[4], 'r', math.min(max, tonumber(ARGV[4]))\n"
    "end\n"
    "local out = {tag}\n"
    "for i = 1, max do\n"
    "  local v = redis.call('LINDEX', src, -1)\n"
    "  if not v then break end\n"
    "  local n = tonumber(redis.call('HGET', KEYS[5], redis.sha1hex(v)) or '0')\n"
    "  if n > 0 and (i > 1 or ARGV[3] ~= '1') then\n"
    "    if i == 1 then out[1] = tag .. 'w' end\n"
    "    break\n"
    "  end\n"
    "  redis.call('LMOVE', src, dst, 'RIGHT', 'LEFT')\n"
    "  out[#out + 1] = v\n"
    "  out[#out + 1] = n\n"
    "  if n > 0 then break end\n"
    "end\n"
    "if #out > 1 then redis.call('SADD', KEYS[6], ARGV[2]) end\n"
    "return out\n";

/* KEYS: results, dead, attempts, proc_live, proc_regrade, rate, dedupe keys...
 * ARGV: n, dedupe ttl (s), then per message: raw, tag, result or '', dead entry or '',
 * index of its dedupe key in KEYS or 0, the value to record there ('1', or 'gave-up' for a
 * grading_error after too many deliveries), index of a guard key or 0.
 * A guard is the id's error record, given for a graded message: when it says 'gave-up', the
 * id was already answered with grading_error, and this copy is a duplicate.
 * Returns one status per message: 1 answered, 2 duplicate (no result), 0 not in the
 * processing list any more (recovered elsewhere; its copy will be answered there). */
const char queue_ack_lua[] =
    "local n, ttl, pushed, out = tonumber(ARGV[1]), ARGV[2], 0, {}\n"
    "for i = 0, n - 1 do\n"
    "  local b = 3 + i * 7\n"
    "  local raw, res, dead, dk = ARGV[b], ARGV[b + 2], ARGV[b + 3], tonumber(ARGV[b + 4])\n"
    "  local mark, gk = ARGV[b + 5], tonumber(ARGV[b + 6])\n"
    "  local proc = KEYS[4]\n"
    "  if ARGV[b + 1] == 'r' then proc = KEYS[5] end\n"
    "  local st = 0\n"
    "  if redis.call('LREM', proc, -1, raw) > 0 then\n"
    "    redis.call('HDEL', KEYS[3], redis.sha1hex(raw))\n"
    "    local fresh = true\n"
    "    if gk > 0 and redis.call('GET', KEYS[gk]) == 'gave-up' then fresh = false end\n"
    "    if fresh and dk > 0 then fresh = redis.call('SET', KEYS[dk], mark, 'NX', 'EX', ttl) "
    "end\n"
    "    if fresh then\n"
    "      if res ~= '' then redis.call('LPUSH', KEYS[1], res); pushed = pushed + 1 end\n"
    "      if dead ~= '' then redis.call('LPUSH', KEYS[2], dead) end\n"
    "      st = 1\n"
    "    else\n"
    "      st = 2\n"
    "    end\n"
    "  end\n"
    "  out[#out + 1] = st\n"
    "end\n"
    "if pushed > 0 then\n"
    "  redis.call('INCRBY', KEYS[6], pushed)\n"
    "  redis.call('EXPIRE', KEYS[6], 7200)\n"
    "end\n"
    "return out\n";

/* KEYS: heartbeat, proc_live, proc_regrade, live, regrade, attempts, workers.
 * ARGV: worker id, force ('1': do it even if the heartbeat is alive, for our own lists),
 * count ('1': count a redelivery per message).
 * Identical copies of a message share one count, so a recovery counts each distinct message
 * once however many copies the worker held.
 * Returns the number of messages moved back, or -1 when the worker is alive. */
const char queue_recover_lua[] =
    "if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end\n"
    "local moved, seen = 0, {}\n"
    "for _, p in ipairs({{KEYS[2], KEYS[4]}, {KEYS[3], KEYS[5]}}) do\n"
    "  while true do\n"
    "    local v = redis.call('LMOVE', p[1], p[2], 'LEFT', 'RIGHT')\n"
    "    if not v then break end\n"
    "    local h = redis.sha1hex(v)\n"
    "    if ARGV[3] == '1' and not seen[h] then redis.call('HINCRBY', KEYS[6], h, 1) end\n"
    "    seen[h] = true\n"
    "    moved = moved + 1\n"
    "  end\n"
    "end\n"
    "if ARGV[2] ~= '1' then redis.call('SREM', KEYS[7], ARGV[1]) end\n"
    "return moved\n";
