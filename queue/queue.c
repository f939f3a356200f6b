/*
 * queue.c - key names, SHA-1 names and the claim, recover and requeue scripts of the queue
 * contract, with the argument lists each script expects next to its text.
 *
 * Every step that moves a submission is one script, so Redis runs it atomically:
 *  - claim: moves up to N messages from the live queue (or, only when it is empty, the
 *    regrade queue) into this worker's processing list, oldest first, never removing a
 *    message without keeping a copy; returns each with the number of times it was
 *    recovered from a dead worker, and takes such a suspect only alone, by an idle worker;
 *  - ack (ack.c): for each graded message, removes it from the processing list and, only
 *    if it was still there and its de-duplication record is new, pushes the result (and the
 *    dead letter, for what was not graded), so a message is answered once;
 *  - recover: returns a dead worker's processing lists to the consumer end of their queues
 *    in their original order, counting a redelivery for each message;
 *  - requeue: puts a dead letter's submission back on its queue (`assay dead requeue`).
 */
#include "queue.h"

#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

void queue_keys_init(queue_keys *k, const char *prefix, const char *worker)
{
    memset(k, 0, sizeof(*k));
    snprintf(k->live, sizeof(k->live), "%s:submissions", prefix);
    snprintf(k->regrade, sizeof(k->regrade), "%s:regrade", prefix);
    snprintf(k->results, sizeof(k->results), "%s:results", prefix);
    snprintf(k->dead, sizeof(k->dead), "%s:dead", prefix);
    snprintf(k->attempts, sizeof(k->attempts), "%s:attempts", prefix);
    snprintf(k->workers, sizeof(k->workers), "%s:workers", prefix);
    snprintf(k->stats, sizeof(k->stats), "%s:stats", prefix);
    snprintf(k->dead_oversize, sizeof(k->dead_oversize), "%s:dead:oversize", prefix);
    snprintf(k->credentials, sizeof(k->credentials), "%s:credentials", prefix);
    snprintf(k->gave_up, sizeof(k->gave_up), "%s:gave-up", prefix);
    if (worker) {
        snprintf(k->proc_live, sizeof(k->proc_live), "%s:processing:%s:submissions", prefix,
                 worker);
        snprintf(k->proc_regrade, sizeof(k->proc_regrade), "%s:processing:%s:regrade", prefix,
                 worker);
        snprintf(k->proc_oversize, sizeof(k->proc_oversize), "%s:processing:%s:oversize",
                 prefix, worker);
        snprintf(k->oversize_meta, sizeof(k->oversize_meta), "%s:processing:%s:oversize-meta",
                 prefix, worker);
        snprintf(k->heartbeat, sizeof(k->heartbeat), "%s:worker:%s", prefix, worker);
    }
}

const char *queue_keys_queue(const queue_keys *k, queue_lane lane)
{
    return lane == QUEUE_REGRADE ? k->regrade : k->live;
}

const char *queue_keys_processing(const queue_keys *k, queue_lane lane)
{
    return lane == QUEUE_REGRADE ? k->proc_regrade : k->proc_live;
}

/* The SHA-256 of data in lower-case hex. */
static void sha256_hex(const char *data, size_t len, char h[2 * SHA256_DIGEST_SIZE + 1])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)data);
    sha256_digest(&ctx, sizeof(d), d);
    hex(d, sizeof(d), h);
}

void queue_dedupe_key(char *out, size_t size, const char *prefix, const char *id, size_t idlen,
                      const char *rubric_sha)
{
    char h[2 * SHA256_DIGEST_SIZE + 1];
    sha256_hex(id, idlen, h);
    snprintf(out, size, "%s:done:%s:%s", prefix, h, rubric_sha);
}

void queue_record_key(char *out, size_t size, const char *prefix, const char *learner,
                      size_t len)
{
    char h[2 * SHA256_DIGEST_SIZE + 1];
    sha256_hex(learner, len, h);
    snprintf(out, size, "%s:record:%s", prefix, h);
}

void queue_stage_key(char *out, size_t size, const char *prefix, const char *worker,
                     unsigned long long serial)
{
    snprintf(out, size, "%s:stage:%s:%llu", prefix, worker, serial);
}

void queue_credentials_key(char *out, size_t size, const char *prefix, const char *learner,
                           size_t len)
{
    char h[2 * SHA256_DIGEST_SIZE + 1];
    sha256_hex(learner, len, h);
    snprintf(out, size, "%s:credentials:%s", prefix, h);
}

void queue_grading_name(char *out, size_t size, const char *rubric_sha, const char *engine)
{
    snprintf(out, size, "%s:%s", rubric_sha, engine);
}

void queue_reply_key(char *out, size_t size, const char *prefix, const char *reply_to)
{
    snprintf(out, size, "%s:results:%s", prefix, reply_to);
}

bool queue_reply_to_valid(const char *s, size_t n)
{
    if (n < 1 || n > 64) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

void queue_rate_key(char *out, size_t size, const char *prefix, long minute)
{
    snprintf(out, size, "%s:rate:%ld", prefix, minute);
}

void queue_attempts_field(const char *msg, size_t len, char out[41])
{
    struct sha1_ctx ctx;
    uint8_t d[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, len, (const uint8_t *)msg);
    sha1_digest(&ctx, sizeof(d), d);
    hex(d, sizeof(d), out);
}

void queue_script_sha(const char *script, char out[41])
{
    queue_attempts_field(script, strlen(script), out);
}

const char *queue_lane_tag(queue_lane lane)
{
    return lane == QUEUE_REGRADE ? "r" : "l";
}

const char *queue_lane_name(queue_lane lane)
{
    return lane == QUEUE_REGRADE ? "regrade" : "submissions";
}

/* KEYS: live, regrade, proc_live, proc_regrade, attempts, workers, proc_oversize,
 * oversize_meta.
 * ARGV: max, worker id, idle ('1' when this worker has nothing in flight), max from the
 * regrade queue (its own, lower limit on work in flight), max bytes, oversize ok ('1' when
 * this worker holds no oversized message), the length of an oversized message's prefix.
 * Returns {tag, msg1, redeliveries1, msg2, ...}; tag "l" (live) or "r" (regrade), or "lw"/"rw"
 * with no message when the oldest one is a suspect and this worker is not idle, or is
 * oversized and this worker holds one already.
 * A suspect - a message recovered from a worker that died holding it - is claimed alone
 * and only by an idle worker, so if it is poison and kills that worker, nothing else was
 * in flight there: its neighbours are not charged a delivery for a crash they did not cause.
 * An oversized message (longer than max bytes) is claimed alone too, into proc_oversize,
 * and its body never leaves Redis: the reply is {"lo"/"ro", its first bytes, its length, its
 * SHA-1 hex}, which is all the worker needs to answer it too_large; the same goes into
 * oversize_meta, for a worker that loses the reply (queue_resume_lua). proc_oversize holds
 * one message at most (an oversized message is claimed only into an empty one, by a worker
 * with none in flight), so the acknowledgement takes it without reading it again.
 * Whoever holds a processing list is in the registry, so it is recovered once its heartbeat
 * is gone, even when the claim ran late, after the worker stopped watching that connection.
 * What it costs Redis per message: one LINDEX (it reads each message once, and stops at an
 * oversized one, so no second big body is read); the delivery counts are looked up (SHA-1
 * and HGET) only when attempts holds any, which it does only between a dead worker's
 * recovery and the acknowledgement of what it returned; the messages taken leave the queue
 * with one LTRIM and enter the processing list with one LPUSH, in the order and places one
 * LMOVE src dst RIGHT LEFT each would give. */
const char queue_claim_lua[] =
    "local src, dst, tag, max = KEYS[1], KEYS[3], 'l', tonumber(ARGV[1])\n"
    "if redis.call('LLEN', KEYS[1]) == 0 then\n"
    "  src, dst, tag, max = KEYS[2], KEYS[4], 'r', math.min(max, tonumber(ARGV[4]))\n"
    "end\n"
    "local limit = tonumber(ARGV[5])\n"
    "local counts = redis.call('HLEN', KEYS[5]) > 0\n"
    "local out, taken = {tag}, {}\n"
    "for i = 1, max do\n"
    "  local v = redis.call('LINDEX', src, -i)\n"
    "  if not v then break end\n"
    "  if #v > limit then\n"
    "    if i > 1 then break end\n"
    "    if ARGV[6] ~= '1' or redis.call('LLEN', KEYS[7]) > 0 then\n"
    "      out[1] = tag .. 'w'\n"
    "      break\n"
    "    end\n"
    "    local head, sha = string.sub(v, 1, tonumber(ARGV[7])), redis.sha1hex(v)\n"
    "    redis.call('LMOVE', src, KEYS[7], 'RIGHT', 'LEFT')\n"
    "    redis.call('HSET', KEYS[8], 'lane', tag, 'prefix', head, 'bytes', #v, 'sha1', sha)\n"
    "    redis.call('SADD', KEYS[6], ARGV[2])\n"
    "    return {tag .. 'o', head, #v, sha}\n"
    "  end\n"
    "  local n = 0\n"
    "  if counts then n = tonumber(redis.call('HGET', KEYS[5], redis.sha1hex(v)) or '0') end\n"
    "  if n > 0 and (i > 1 or ARGV[3] ~= '1') then\n"
    "    if i == 1 then out[1] = tag .. 'w' end\n"
    "    break\n"
    "  end\n"
    "  taken[i] = v\n"
    "  out[#out + 1] = v\n"
    "  out[#out + 1] = n\n"
    "  if n > 0 then break end\n"
    "end\n"
    "if #taken > 0 then\n"
    "  redis.call('LTRIM', src, 0, -#taken - 1)\n"
    "  for i = 1, #taken, 1000 do\n"
    "    redis.call('LPUSH', dst, unpack(taken, i, math.min(i + 999, #taken)))\n"
    "  end\n"
    "  redis.call('SADD', KEYS[6], ARGV[2])\n"
    "end\n"
    "return out\n";

void queue_claim_args_init(queue_claim_args *a, const char *sha, const queue_keys *k,
                           const char *worker, int max, bool idle, int regrade_max,
                           size_t max_bytes, bool oversize_ok)
{
    snprintf(a->max, sizeof(a->max), "%d", max);
    snprintf(a->regrade_max, sizeof(a->regrade_max), "%d", regrade_max > 0 ? regrade_max : 0);
    snprintf(a->max_bytes, sizeof(a->max_bytes), "%zu", max_bytes);
    snprintf(a->prefix, sizeof(a->prefix), "%d", QUEUE_OVERSIZE_PREFIX);
    const char *argv[QUEUE_CLAIM_ARGC] = {
        "EVALSHA",
        sha,
        "8",
        k->live,
        k->regrade,
        k->proc_live,
        k->proc_regrade,
        k->attempts,
        k->workers,
        k->proc_oversize,
        k->oversize_meta,
        a->max,
        worker,
        idle ? "1" : "0",
        a->regrade_max,
        a->max_bytes,
        oversize_ok ? "1" : "0",
        a->prefix,
    };
    memcpy(a->argv, argv, sizeof(argv));
}

void queue_claim_tag(const char *tag, size_t len, queue_claim_kind *kind)
{
    kind->lane = tag && len > 0 && tag[0] == 'r' ? QUEUE_REGRADE : QUEUE_LIVE;
    kind->waits = tag && len == 2 && tag[1] == 'w';
    kind->oversize = tag && len == 2 && tag[1] == 'o';
}

/* KEYS: heartbeat, proc_live, proc_regrade, live, regrade, attempts, workers, proc_oversize,
 * oversize_meta.
 * ARGV: worker id, force ('1': do it even if the heartbeat is alive, for our own lists),
 * count ('1': count a redelivery per message), oversize ('1': the oversized message too).
 * Identical copies of a message share one count, so a recovery counts each distinct message
 * once however many copies the worker held. An oversized message goes back to the live
 * queue uncounted: it is answered too_large without being graded, so it cannot be poison.
 * Returns the number of messages moved back, or -1 when the worker is alive. */
const char queue_recover_lua[] =
    "if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end\n"
    "local moved, seen = 0, {}\n"
    "local lists = {{KEYS[2], KEYS[4], true}, {KEYS[3], KEYS[5], true}}\n"
    "if ARGV[4] == '1' then\n"
    "  lists[3] = {KEYS[8], KEYS[4], false}\n"
    "  redis.call('DEL', KEYS[9])\n"
    "end\n"
    "for _, p in ipairs(lists) do\n"
    "  while true do\n"
    "    local v = redis.call('LMOVE', p[1], p[2], 'LEFT', 'RIGHT')\n"
    "    if not v then break end\n"
    "    if p[3] and ARGV[3] == '1' then\n"
    "      local h = redis.sha1hex(v)\n"
    "      if not seen[h] then redis.call('HINCRBY', KEYS[6], h, 1) end\n"
    "      seen[h] = true\n"
    "    end\n"
    "    moved = moved + 1\n"
    "  end\n"
    "end\n"
    "if ARGV[2] ~= '1' then redis.call('SREM', KEYS[7], ARGV[1]) end\n"
    "return moved\n";

void queue_recover_argv(const char *argv[QUEUE_RECOVER_ARGC], const char *sha,
                        const queue_keys *k, const char *who, bool force, bool count,
                        bool oversize)
{
    const char *v[QUEUE_RECOVER_ARGC] = {
        "EVALSHA",
        sha,
        "9",
        k->heartbeat,
        k->proc_live,
        k->proc_regrade,
        k->live,
        k->regrade,
        k->attempts,
        k->workers,
        k->proc_oversize,
        k->oversize_meta,
        who,
        force ? "1" : "0",
        count ? "1" : "0",
        oversize ? "1" : "0",
    };
    memcpy(argv, v, sizeof(v));
}

/* KEYS: proc_oversize, oversize_meta. ARGV: the prefix's length.
 * Returns {tag .. 'o', prefix, bytes, sha1} for the oversized message in proc_oversize, from
 * its meta as the claim wrote it, or {} when there is none. Without its meta (a claim cut
 * between its two writes cannot happen: a script is atomic; this is for a list written by
 * hand), the body is read once to make it. */
const char queue_resume_lua[] =
    "if redis.call('LLEN', KEYS[1]) == 0 then\n"
    "  redis.call('DEL', KEYS[2])\n"
    "  return {}\n"
    "end\n"
    "local m = redis.call('HMGET', KEYS[2], 'lane', 'prefix', 'bytes', 'sha1')\n"
    "if not m[1] or not m[2] or not m[3] or not m[4] then\n"
    "  local v = redis.call('LINDEX', KEYS[1], -1)\n"
    "  m = {'l', string.sub(v, 1, tonumber(ARGV[1])), #v, redis.sha1hex(v)}\n"
    "  redis.call('HSET', KEYS[2], 'lane', m[1], 'prefix', m[2], 'bytes', m[3], 'sha1', m[4])\n"
    "end\n"
    "return {m[1] .. 'o', m[2], tonumber(m[3]), m[4]}\n";

void queue_resume_argv(const char *argv[QUEUE_RESUME_ARGC], const char *sha,
                       const queue_keys *k)
{
    const char *v[QUEUE_RESUME_ARGC] = {
        "EVALSHA", sha, "2", k->proc_oversize, k->oversize_meta, QUEUE_OVERSIZE_PREFIX_TEXT};
    memcpy(argv, v, sizeof(v));
}

/* KEYS: dead, the entry's queue, attempts, the id's error record.
 * ARGV: the entry, its submission, the submission's SHA-1 hex (its field in attempts).
 * Removes the entry (the occurrence nearest the tail, i.e. the oldest) and, only if it was
 * still there, pushes the submission back, clears its redelivery count and forgets that it
 * was answered with an error, so it is answered again (graded once fixed, or dead-lettered
 * again) instead of being suppressed as a duplicate. Returns 1, or 0 when the entry was
 * gone. */
const char queue_requeue_lua[] =
    "if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end\n"
    "redis.call('LPUSH', KEYS[2], ARGV[2])\n"
    "redis.call('HDEL', KEYS[3], ARGV[3])\n"
    "redis.call('DEL', KEYS[4])\n"
    "return 1\n";

void queue_requeue_args_init(queue_requeue_args *a, const char *sha, const queue_keys *k,
                             queue_lane lane, const char *error_key, const char *entry,
                             size_t entry_len, const char *sub, size_t sub_len)
{
    queue_attempts_field(sub, sub_len, a->field);
    const char *q = queue_keys_queue(k, lane);
    const char *argv[QUEUE_REQUEUE_ARGC] = {
        "EVALSHA", sha, "4", k->dead, q, k->attempts, error_key, entry, sub, a->field,
    };
    memcpy(a->argv, argv, sizeof(argv));
    for (size_t i = 0; i < QUEUE_REQUEUE_ARGC; i++) {
        a->lens[i] = i == 7 ? entry_len : i == 8 ? sub_len : strlen(argv[i]);
    }
}
