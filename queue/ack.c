/*
 * ack.c - the ack script and its argument builder (see ack.h).
 *
 * The layout, one place for both sides:
 *   KEYS: results, dead, attempts, proc_live, proc_regrade, rate, then for each message in
 *         order its de-duplication record and its guard, each only when it has one;
 *   ARGV: n, de-duplication TTL (s), then ACK_FIELDS per message: the message, its lane
 *         tag, its result, its dead letter or '', the index in KEYS of its record or 0, the
 *         value to record ('1', or 'gave-up' for a grading_error after too many
 *         deliveries), the index in KEYS of its guard or 0.
 * A guard is the id's error record, given for a graded message: when it says 'gave-up', the
 * id was already answered with grading_error, and this copy is a duplicate.
 */
#include "ack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Positions, 1-based as Lua counts: the fixed KEYS, the ARGV header, the per-message
 * fields as offsets from the message's first argument. */
#define ACK_KEY_RESULTS      1
#define ACK_KEY_DEAD         2
#define ACK_KEY_ATTEMPTS     3
#define ACK_KEY_PROC_LIVE    4
#define ACK_KEY_PROC_REGRADE 5
#define ACK_KEY_RATE         6
#define ACK_FIXED_KEYS       6
#define ACK_ARG_N            1
#define ACK_ARG_TTL          2
#define ACK_HEAD             2 /* ARGV before the first message */
#define ACK_RAW              0
#define ACK_LANE             1
#define ACK_RESULT           2
#define ACK_DEAD             3
#define ACK_DEDUPE           4
#define ACK_MARK             5
#define ACK_GUARD            6
#define ACK_FIELDS           7

#define STR_(x) #x
#define STR(x)  STR_(x)
#define ARG(f)  "ARGV[b + " STR(f) "]"
#define KEY(k)  "KEYS[" STR(k) "]"

/* Returns one status per message (queue_ack_status). */
const char
    queue_ack_lua
        [] =
            "local n, ttl = tonumber(ARGV[" STR(ACK_ARG_N) "]), ARGV[" STR(
                ACK_ARG_TTL) "]\n"
                             "local pushed, out = 0, {}\n"
                             "for i = 0, n - 1 do\n"
                             "  local b = " STR(ACK_HEAD) " + 1 + i * " STR(
                                 ACK_FIELDS) "\n"
                                             "  local raw, res, dead = " ARG(
                                                 ACK_RAW) ", " ARG(ACK_RESULT) ", " ARG(ACK_DEAD) "\n"
                                                                                                  "  local dk, mark, gk = tonumber(" ARG(ACK_DEDUPE) "), " ARG(ACK_MARK) ", tonumber(" ARG(
                                                                                                      ACK_GUARD) ")\n"
                                                                                                                 "  local proc = " KEY(ACK_KEY_PROC_LIVE) "\n"
                                                                                                                                                          "  if " ARG(ACK_LANE) " == 'r' then proc = " KEY(ACK_KEY_PROC_REGRADE) " end\n"
                                                                                                                                                                                                                                 "  local st = 0\n"
                                                                                                                                                                                                                                 "  if redis.call('LREM', proc, -1, raw) > 0 then\n"
                                                                                                                                                                                                                                 "    redis.call('HDEL', " KEY(ACK_KEY_ATTEMPTS) ", redis.sha1hex(raw))\n"
                                                                                                                                                                                                                                                                                 "    local fresh = true\n"
                                                                                                                                                                                                                                                                                 "    if gk > 0 and redis.call('GET', KEYS[gk]) == 'gave-up' then fresh = false end\n"
                                                                                                                                                                                                                                                                                 "    if fresh and dk > 0 then fresh = redis.call('SET', KEYS[dk], mark, 'NX', 'EX', ttl) "
                                                                                                                                                                                                                                                                                 "end\n"
                                                                                                                                                                                                                                                                                 "    if fresh then\n"
                                                                                                                                                                                                                                                                                 "      if res ~= '' then redis.call('LPUSH', " KEY(ACK_KEY_RESULTS) ", res); pushed = "
                                                                                                                                                                                                                                                                                                                                                     "pushed + 1 end\n"
                                                                                                                                                                                                                                                                                                                                                     "      if dead ~= '' then redis.call('LPUSH', " KEY(
                                                                                                                                                                                                                                                                                                                                                         ACK_KEY_DEAD) ", dead) end\n"
                                                                                                                                                                                                                                                                                                                                                                       "      st = 1\n"
                                                                                                                                                                                                                                                                                                                                                                       "    else\n"
                                                                                                                                                                                                                                                                                                                                                                       "      st = 2\n"
                                                                                                                                                                                                                                                                                                                                                                       "    end\n"
                                                                                                                                                                                                                                                                                                                                                                       "  end\n"
                                                                                                                                                                                                                                                                                                                                                                       "  out[#out + 1] = st\n"
                                                                                                                                                                                                                                                                                                                                                                       "end\n"
                                                                                                                                                                                                                                                                                                                                                                       "if pushed > 0 then\n"
                                                                                                                                                                                                                                                                                                                                                                       "  redis.call('INCRBY', " KEY(
                                                                                                                                                                                                                                                                                                                                                                           ACK_KEY_RATE) ", pushed)\n"
                                                                                                                                                                                                                                                                                                                                                                                         "  redis.call('EXPIRE', " KEY(
                                                                                                                                                                                                                                                                                                                                                                                             ACK_KEY_RATE) ", 7200)\n"
                                                                                                                                                                                                                                                                                                                                                                                                           "end\n"
                                                                                                                                                                                                                                                                                                                                                                                                           "return out\n";

void queue_argv_free(queue_argv *a)
{
    for (int i = 0; i < a->argc; i++) {
        free(a->argv[i]);
    }
    free(a->argv);
    free(a->lens);
    memset(a, 0, sizeof(*a));
}

/* Makes room for `more` arguments. */
static bool reserve(queue_argv *a, int more)
{
    if (a->argc + more <= a->cap) {
        return true;
    }
    int cap = a->cap ? a->cap : 64;
    while (cap < a->argc + more) {
        cap *= 2;
    }
    char **v = realloc(a->argv, (size_t)cap * sizeof(*v));
    if (v == NULL) {
        return false;
    }
    a->argv = v;
    size_t *l = realloc(a->lens, (size_t)cap * sizeof(*l));
    if (l == NULL) {
        return false;
    }
    a->lens = l;
    a->cap = cap;
    return true;
}

/* Appends a copy of s[0..len); false when out of memory. */
static bool push(queue_argv *a, const char *s, size_t len)
{
    char *copy = reserve(a, 1) ? malloc(len + 1) : NULL;
    if (copy == NULL) {
        return false;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    a->argv[a->argc] = copy;
    a->lens[a->argc] = len;
    a->argc++;
    return true;
}

static bool push_str(queue_argv *a, const char *s)
{
    return push(a, s, strlen(s));
}

/* Appends the next key's index in KEYS, or "0" without a key. */
static bool push_key(queue_argv *args, queue_argv *keys, const char *key)
{
    char num[24];
    if (key == NULL) {
        return push_str(args, "0");
    }
    if (!push_str(keys, key)) {
        return false;
    }
    snprintf(num, sizeof(num), "%d", ACK_FIXED_KEYS + keys->argc);
    return push_str(args, num);
}

void queue_ack_init(queue_ack *a)
{
    memset(a, 0, sizeof(*a));
}

void queue_ack_add(queue_ack *a, const queue_ack_msg *m)
{
    if (a->oom) {
        return;
    }
    /* Each field at its place, in the order ACK_RAW...ACK_GUARD. */
    bool ok = push(&a->args, m->raw, m->len) && push_str(&a->args, queue_lane_tag(m->lane)) &&
              push_str(&a->args, m->result) && push_str(&a->args, m->dead ? m->dead : "") &&
              push_key(&a->args, &a->keys, m->dedupe) &&
              push_str(&a->args, m->gave_up ? "gave-up" : "1") &&
              push_key(&a->args, &a->keys, m->guard);
    _Static_assert(ACK_RAW == 0 && ACK_LANE == 1 && ACK_RESULT == 2 && ACK_DEAD == 3 &&
                       ACK_DEDUPE == 4 && ACK_MARK == 5 && ACK_GUARD == 6 && ACK_FIELDS == 7,
                   "queue_ack_add writes the fields in this order");
    a->oom = !ok;
    a->n++;
}

int queue_ack_finish(queue_ack *a, const char *sha, const queue_keys *k, const char *rate_key,
                     long dedupe_ttl_s, queue_argv *out)
{
    queue_argv cmd = {0};
    char nkeys[24], n[24], ttl[24];
    snprintf(nkeys, sizeof(nkeys), "%d", ACK_FIXED_KEYS + a->keys.argc);
    snprintf(n, sizeof(n), "%zu", a->n);
    snprintf(ttl, sizeof(ttl), "%ld", dedupe_ttl_s);
    const char *head[] = {"EVALSHA",   sha,          nkeys,           k->results, k->dead,
                          k->attempts, k->proc_live, k->proc_regrade, rate_key};
    _Static_assert(ACK_KEY_RESULTS == 1 && ACK_KEY_DEAD == 2 && ACK_KEY_ATTEMPTS == 3 &&
                       ACK_KEY_PROC_LIVE == 4 && ACK_KEY_PROC_REGRADE == 5 &&
                       ACK_KEY_RATE == 6 && ACK_FIXED_KEYS == 6,
                   "the fixed keys in this order");
    bool ok =
        !a->oom && reserve(&cmd, 3 + ACK_FIXED_KEYS + a->keys.argc + ACK_HEAD + a->args.argc);
    for (size_t i = 0; ok && i < sizeof(head) / sizeof(head[0]); i++) {
        ok = push_str(&cmd, head[i]);
    }
    /* The keys and fields already are copies: they move into the command. */
    for (int i = 0; ok && i < a->keys.argc; i++) {
        cmd.argv[cmd.argc] = a->keys.argv[i];
        cmd.lens[cmd.argc++] = a->keys.lens[i];
        a->keys.argv[i] = NULL;
    }
    ok = ok && push_str(&cmd, n) && push_str(&cmd, ttl);
    _Static_assert(ACK_ARG_N == 1 && ACK_ARG_TTL == 2 && ACK_HEAD == 2, "n, then ttl");
    for (int i = 0; ok && i < a->args.argc; i++) {
        cmd.argv[cmd.argc] = a->args.argv[i];
        cmd.lens[cmd.argc++] = a->args.lens[i];
        a->args.argv[i] = NULL;
    }
    queue_argv_free(&a->keys); /* what did not move, and the arrays */
    queue_argv_free(&a->args);
    queue_ack_init(a);
    if (!ok) {
        queue_argv_free(&cmd);
        return -1;
    }
    *out = cmd;
    return 0;
}
