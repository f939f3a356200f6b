/*
 * ack.c - the ack script and its argument builder (see ack.h).
 *
 * The layout, one place for both sides:
 *   KEYS: results, dead, attempts, proc_live, proc_regrade, rate, stats, proc_oversize,
 *         dead_oversize, oversize_meta, gave_up, then for each message in order its
 * de-duplication record and its guard, each only when it has one (and the keys of the record
 * groups, awards and destinations below, where they are first named); ARGV: n,
 * de-duplication TTL (s), reply-list TTL (s), how many oversized messages P:dead:oversize
 * keeps, the numbers of record groups, awards and destinations, then ACK_FIELDS per message:
 * the message (for an oversized one, its SHA-1 hex, unused by the script: the one in
 * proc_oversize is it), its lane tag ('l', 'r', or 'o' for the oversize list), its result's
 * place in its destination's stage, its dead letter or '', the index in KEYS of its record or
 * 0, of its guard or 0, its destination's number, and its flags. Flags, one letter
 * each: 'g' graded (else an error result), 'f' forced (graded even when its record exists), 't'
 * too large, 'x' given up after too many deliveries (its record says 'gave-up' instead of '1'),
 * 'u' claimed without a delivery count (the script leaves P:attempts alone: a count there is
 * another copy's). A guard is the id's error record, given for a graded message: when it says
 * 'gave-up', the id was already answered with grading_error, and this copy is a duplicate
 * (unless forced). A 'gave-up' record exists only while P:gave-up does: every acknowledgement
 * that gives up an id sets P:gave-up for at least its de-duplication TTL, and guards are read
 * only while it exists (a record group's guard always is). The counters of P:stats: graded,
 * errors (results pushed of each status), dead (dead letters pushed), duplicates (suppressed),
 * forced, too_large, gave_up.
 *
 * Results never enter Lua (Redis 7.0 hashes every byte of every Lua string it is given).
 * The transaction pushes them onto their destinations (P:results, or a reply list) right
 * before the script, one plain LPUSH per destination in message order (queue_tx), so that
 * when the script runs the first c elements of a destination that got c results are this
 * batch's, its i-th result at index c - i. ACK_DEST_FIELDS per destination, after the
 * awards, give its index in KEYS, c, and 'r' for a reply list. The script overwrites the
 * result of each message it does not answer (duplicates, conflicts, messages gone) with ''
 * and removes those with one LREM counted from the head, which stops within the batch's
 * results; a reply list that kept any gets its EXPIRE. Should the script fail, it removes
 * what is left of the batch's results (LTRIM) before answering the error, so that a batch
 * answers nothing it did not acknowledge; the script is sent with EVAL, never EVALSHA, so
 * that it cannot be missing (NOSCRIPT) after the results were pushed.
 *
 * What it costs Redis per message (docs/performance.md): the message enters Lua as ARGV, an
 * LREM and a SET NX EX; its result is copied by the plain LPUSH; the dead letters get one
 * LPUSH per batch, in message order.
 *
 * Records (docs/records.md "In the worker"): ARGV's header also gives the number of record
 * groups, and each message three more fields: its group (1-based, 0 for none) and the values
 * its de-duplication record and guard had when the worker read them ('' for none). After the
 * messages come ACK_GROUP_FIELDS per group: the index in KEYS of the learner's record, the
 * "ver" and "gen" read ('' for none), the index in KEYS of its stage (0 to write nothing),
 * the credentials index below and its unit (ackunit.h: the least group it commits with). The
 * stage is the record as it is to be written (ver + 1, gen, doc), put there by a plain HSET
 * sent with the script in one MULTI ... EXEC (queue_ack_take_staged), so that no document
 * passes through Lua, which hashes every byte of every string it is given. Before anything is
 * written, each group is checked: "ver" and "gen" as read, its stage there, each of its
 * messages still in its processing list and its keys as read; a message without a group whose
 * unit is given (its group field is minus the unit) must be in its processing list too. A group
 * fails when any group of its unit does, or such a message of its unit is gone. A group that
 * fails is left alone: its messages are answered QUEUE_ACK_CONFLICT (or QUEUE_ACK_GONE for one
 * no longer in processing) and stay where they are, and its stage is deleted; the others are
 * acknowledged as above, and a group that passes renames its stage over the record. P:stats
 * also counts records (written) and record_conflicts.
 *
 * Credentials: the group's fields also give the index in KEYS of the learner's credentials
 * hash (0: none), ARGV's header the number of awards, and after the groups come
 * ACK_AWARD_FIELDS per award: its group, its kind ('i' issued: HSETNX the field to the
 * token, then push the event only when it was stored; 'n' a requirement no longer met: push
 * the event), the field "<id>@<version>", the token, the event and the index in KEYS of
 * P:credentials. An award of a group that did not commit is not written. P:stats counts
 * credentials_issued and credentials_no_longer_met.
 */
#include "ack.h"

#include "ackunit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Positions, 1-based as Lua counts: the fixed KEYS, the ARGV header, the per-message
 * fields as offsets from the message's first argument. */
#define ACK_KEY_RESULTS       1
#define ACK_KEY_DEAD          2
#define ACK_KEY_ATTEMPTS      3
#define ACK_KEY_PROC_LIVE     4
#define ACK_KEY_PROC_REGRADE  5
#define ACK_KEY_RATE          6
#define ACK_KEY_STATS         7
#define ACK_KEY_PROC_OVERSIZE 8
#define ACK_KEY_DEAD_OVERSIZE 9
#define ACK_KEY_OVERSIZE_META 10
#define ACK_KEY_GAVE_UP       11
#define ACK_FIXED_KEYS        11
#define ACK_ARG_N             1
#define ACK_ARG_TTL           2
#define ACK_ARG_REPLY_TTL     3
#define ACK_ARG_KEEP          4
#define ACK_ARG_GROUPS        5
#define ACK_ARG_AWARDS        6
#define ACK_ARG_DESTS         7
#define ACK_HEAD              7 /* ARGV before the first message */
#define ACK_RAW               0
#define ACK_LANE              1
#define ACK_RESULT            2
#define ACK_DEAD              3
#define ACK_DEDUPE            4
#define ACK_GUARD             5
#define ACK_DEST              6
#define ACK_FLAGS             7
#define ACK_GROUP             8
#define ACK_SEEN_DEDUPE       9
#define ACK_SEEN_GUARD        10
#define ACK_FIELDS            11
#define ACK_GROUP_KEY         0
#define ACK_GROUP_VER         1
#define ACK_GROUP_STAGE       2
#define ACK_GROUP_CRED        3
#define ACK_GROUP_GEN         4
#define ACK_GROUP_UNIT        5
#define ACK_GROUP_FIELDS      6
#define ACK_AWARD_GROUP       0
#define ACK_AWARD_KIND        1
#define ACK_AWARD_FIELD       2
#define ACK_AWARD_JWS         3
#define ACK_AWARD_EVENT       4
#define ACK_AWARD_LIST        5
#define ACK_AWARD_FIELDS      6
#define ACK_DEST_KEY          0
#define ACK_DEST_COUNT        1
#define ACK_DEST_REPLY        2
#define ACK_DEST_FIELDS       3

#define STR_(x) #x
#define STR(x)  STR_(x)
#define ARG(f)  "ARGV[b + " STR(f) "]"
#define GARG(f) "ARGV[gb + " STR(f) "]"
#define AARG(f) "ARGV[ab + " STR(f) "]"
#define DARG(f) "ARGV[db + " STR(f) "]"
#define KEY(k)  "KEYS[" STR(k) "]"

/* Returns one status per message (queue_ack_status). */
/* clang-format off */
const char queue_ack_lua[] =
    "local n, ttl, rttl = tonumber(ARGV[" STR(ACK_ARG_N) "]), ARGV[" STR(ACK_ARG_TTL) "],"
    " ARGV[" STR(ACK_ARG_REPLY_TTL) "]\n"
    "local keep = tonumber(ARGV[" STR(ACK_ARG_KEEP) "])\n"
    "local ngroups = tonumber(ARGV[" STR(ACK_ARG_GROUPS) "])\n"
    "local nawards = tonumber(ARGV[" STR(ACK_ARG_AWARDS) "])\n"
    "local ndests = tonumber(ARGV[" STR(ACK_ARG_DESTS) "])\n"
    "local gbase = " STR(ACK_HEAD) " + 1 + n * " STR(ACK_FIELDS) "\n"
    "local dbase = gbase + ngroups * " STR(ACK_GROUP_FIELDS) " + nawards * "
    STR(ACK_AWARD_FIELDS) "\n"
    /* How many of the batch's results head each destination (all, until the LREMs). */
    "local mine = {}\n"
    "for d = 1, ndests do\n"
    "  mine[d] = tonumber(ARGV[dbase + (d - 1) * " STR(ACK_DEST_FIELDS) " + "
    STR(ACK_DEST_COUNT) "])\n"
    "end\n"
    "local function main()\n"
    "local pushed, out = 0, {}\n"
    "local st = {graded = 0, errors = 0, dead = 0, duplicates = 0, forced = 0,"
    " too_large = 0, gave_up = 0, records = 0, record_conflicts = 0, credentials_issued = 0,"
    " credentials_no_longer_met = 0}\n"
    /* The record groups' checks, before anything is written. */
    "local gok, gone, lost = {}, {}, {}\n"
    "local tomb = {}\n"
    "for d = 1, ndests do tomb[d] = 0 end\n"
    "for g = 1, ngroups do\n"
    "  local gb = gbase + (g - 1) * " STR(ACK_GROUP_FIELDS) "\n"
    "  local v = redis.call('HMGET', KEYS[tonumber(" GARG(ACK_GROUP_KEY) ")], 'ver', 'gen')\n"
    "  gok[g] = (v[1] or '') == " GARG(ACK_GROUP_VER) " and (v[2] or '') == "
    GARG(ACK_GROUP_GEN) "\n"
    "  local sk = tonumber(" GARG(ACK_GROUP_STAGE) ")\n"
    "  if sk > 0 and redis.call('EXISTS', KEYS[sk]) == 0 then gok[g] = false end\n"
    "end\n"
    "if ngroups > 0 then\n"
    "for i = 0, n - 1 do\n"
    "  local b = " STR(ACK_HEAD) " + 1 + i * " STR(ACK_FIELDS) "\n"
    "  local g = tonumber(" ARG(ACK_GROUP) ")\n"
    "  if g > 0 then\n"
    "    local proc = " KEY(ACK_KEY_PROC_LIVE) "\n"
    "    if " ARG(ACK_LANE) " == 'r' then proc = " KEY(ACK_KEY_PROC_REGRADE) " end\n"
    "    if not redis.call('LPOS', proc, " ARG(ACK_RAW) ", 'RANK', -1) then\n"
    "      gone[i] = true\n"
    "      gok[g] = false\n"
    "    end\n"
    "    local dk, gk = tonumber(" ARG(ACK_DEDUPE) "), tonumber(" ARG(ACK_GUARD) ")\n"
    "    if dk > 0 and (redis.call('GET', KEYS[dk]) or '') ~= " ARG(ACK_SEEN_DEDUPE) " then"
    " gok[g] = false end\n"
    "    if gk > 0 and (redis.call('GET', KEYS[gk]) or '') ~= " ARG(ACK_SEEN_GUARD) " then"
    " gok[g] = false end\n"
    /* No group, but a key shared with unit -g, whose computation counted on its answer. */
    "  elseif g < 0 then\n"
    "    local there\n"
    "    if " ARG(ACK_LANE) " == 'o' then\n"
    "      there = redis.call('LLEN', " KEY(ACK_KEY_PROC_OVERSIZE) ") > 0\n"
    "    else\n"
    "      local proc = " KEY(ACK_KEY_PROC_LIVE) "\n"
    "      if " ARG(ACK_LANE) " == 'r' then proc = " KEY(ACK_KEY_PROC_REGRADE) " end\n"
    "      there = redis.call('LPOS', proc, " ARG(ACK_RAW) ", 'RANK', -1)\n"
    "    end\n"
    "    if not there then lost[-g] = true end\n"
    "  end\n"
    "end\n"
    /* A unit commits whole (ackunit.h). */
    "for g = 1, ngroups do\n"
    "  if not gok[g] then lost[tonumber(ARGV[gbase + (g - 1) * " STR(ACK_GROUP_FIELDS) " + "
    STR(ACK_GROUP_UNIT) "])] = true end\n"
    "end\n"
    "if next(lost) then\n"
    "  for g = 1, ngroups do\n"
    "    if lost[tonumber(ARGV[gbase + (g - 1) * " STR(ACK_GROUP_FIELDS) " + "
    STR(ACK_GROUP_UNIT) "])] then gok[g] = false end\n"
    "  end\n"
    "end\n"
    "end\n"
    /* Moves the oversized message in our oversize list (it holds one at most: the claim
     * script takes one only into an empty list, for a worker with none in flight) to
     * P:dead:oversize, which keeps the newest `keep`; false when it is not there any more
     * (recovered). Its body is never read into the script. */
    "local function take_oversize()\n"
    "  if not redis.call('LMOVE', " KEY(ACK_KEY_PROC_OVERSIZE) ", "
    KEY(ACK_KEY_DEAD_OVERSIZE) ", 'RIGHT', 'LEFT') then return false end\n"
    "  redis.call('DEL', " KEY(ACK_KEY_OVERSIZE_META) ")\n"
    "  if keep > 0 then\n"
    "    redis.call('LTRIM', " KEY(ACK_KEY_DEAD_OVERSIZE) ", 0, keep - 1)\n"
    "  else\n"
    "    redis.call('DEL', " KEY(ACK_KEY_DEAD_OVERSIZE) ")\n"
    "  end\n"
    "  return true\n"
    "end\n"
    /* A given-up record can exist only while P:gave-up does (below); without it, a graded
     * message's guard is not read (a record group's still is, as its group reads it). */
    "local guarded = redis.call('EXISTS', " KEY(ACK_KEY_GAVE_UP) ") == 1\n"
    "local marked = false\n"
    "local deads = {}\n"
    "for i = 0, n - 1 do\n"
    "  local b = " STR(ACK_HEAD) " + 1 + i * " STR(ACK_FIELDS) "\n"
    "  local raw, lane = " ARG(ACK_RAW) ", " ARG(ACK_LANE) "\n"
    "  local dk, gk = tonumber(" ARG(ACK_DEDUPE) "), tonumber(" ARG(ACK_GUARD) ")\n"
    "  local flags = " ARG(ACK_FLAGS) "\n"
    "  local forced = string.find(flags, 'f', 1, true) ~= nil\n"
    "  local x = string.find(flags, 'x', 1, true) ~= nil\n"
    "  local g = 0\n"
    "  if ngroups > 0 then g = math.max(tonumber(" ARG(ACK_GROUP) "), 0) end\n"
    "  local found, held = false, g > 0 and not gok[g]\n"
    "  if held then\n"
    "    found = false\n"
    "  elseif lane == 'o' then\n"
    "    found = take_oversize()\n"
    "  else\n"
    "    local proc = " KEY(ACK_KEY_PROC_LIVE) "\n"
    "    if lane == 'r' then proc = " KEY(ACK_KEY_PROC_REGRADE) " end\n"
    "    found = redis.call('LREM', proc, -1, raw) > 0\n"
    /* 'u': claimed without a delivery count, so it has none to clear (a count given since
     * is the copy's that a recovery returned, cleared when that copy is acknowledged). */
    "    if found and not string.find(flags, 'u', 1, true) then\n"
    "      redis.call('HDEL', " KEY(ACK_KEY_ATTEMPTS) ", redis.sha1hex(raw))\n"
    "    end\n"
    "  end\n"
    "  local s = 0\n"
    "  if held then\n"
    "    if gone[i] then s = 0 else s = 3 end\n"
    "  elseif found then\n"
    "    local mark = x and 'gave-up' or '1'\n"
    "    local fresh = true\n"
    "    if x and dk > 0 then marked = true end\n"
    "    if forced then\n"
    "      if dk > 0 then redis.call('SET', KEYS[dk], mark, 'EX', ttl) end\n"
    "    else\n"
    "      if gk > 0 and (guarded or g > 0) and redis.call('GET', KEYS[gk]) == 'gave-up' then"
    " fresh = false end\n"
    "      if fresh and dk > 0 then fresh = redis.call('SET', KEYS[dk], mark, 'NX', 'EX', ttl) end\n"
    "    end\n"
    "    if fresh then\n"
    "      pushed = pushed + 1\n"
    "      local dead = " ARG(ACK_DEAD) "\n"
    "      if dead ~= '' then\n"
    "        deads[#deads + 1] = dead\n"
    "        st.dead = st.dead + 1\n"
    "      end\n"
    "      if string.byte(flags, 1) == 103 then st.graded = st.graded + 1"
    " else st.errors = st.errors + 1 end\n"
    "      if forced then st.forced = st.forced + 1 end\n"
    "      if string.find(flags, 't', 1, true) then st.too_large = st.too_large + 1 end\n"
    "      if x then st.gave_up = st.gave_up + 1 end\n"
    "      s = 1\n"
    "    else\n"
    "      st.duplicates = st.duplicates + 1\n"
    "      s = 2\n"
    "    end\n"
    "  end\n"
    "  if s ~= 1 then\n"
    /* Not answered: its staged result goes. */
    "    local d = tonumber(" ARG(ACK_DEST) ")\n"
    "    local db = dbase + (d - 1) * " STR(ACK_DEST_FIELDS) "\n"
    "    redis.call('LSET', KEYS[tonumber(" DARG(ACK_DEST_KEY) ")], mine[d] - tonumber("
    ARG(ACK_RESULT) "), '')\n"
    "    tomb[d] = tomb[d] + 1\n"
    "  end\n"
    "  out[#out + 1] = s\n"
    "end\n"
    /* The dead letters, in message order: one LPUSH (in chunks that unpack can take) lands
     * them as an LPUSH per message would. */
    "local function push(key, t)\n"
    "  for i = 1, #t, 1000 do\n"
    "    redis.call('LPUSH', key, unpack(t, i, math.min(i + 999, #t)))\n"
    "  end\n"
    "end\n"
    "push(" KEY(ACK_KEY_DEAD) ", deads)\n"
    /* The results not answered leave their destination: the first tomb[d] '' from its
     * head are theirs. */
    "for d = 1, ndests do\n"
    "  local db = dbase + (d - 1) * " STR(ACK_DEST_FIELDS) "\n"
    "  local dest = KEYS[tonumber(" DARG(ACK_DEST_KEY) ")]\n"
    "  if tomb[d] > 0 then\n"
    "    redis.call('LREM', dest, tomb[d], '')\n"
    "    mine[d] = mine[d] - tomb[d]\n"
    "  end\n"
    "  if mine[d] > 0 and " DARG(ACK_DEST_REPLY) " == 'r' then"
    " redis.call('EXPIRE', dest, rttl) end\n"
    "end\n"
    /* P:gave-up outlives every given-up record: it expires no sooner than the longest
     * de-duplication TTL any worker gave one (one without a TTL, set by hand, is kept). */
    "if marked then\n"
    "  local left = redis.call('TTL', " KEY(ACK_KEY_GAVE_UP) ")\n"
    "  if left ~= -1 and left < tonumber(ttl) then\n"
    "    redis.call('SET', " KEY(ACK_KEY_GAVE_UP) ", '1', 'EX', ttl)\n"
    "  end\n"
    "end\n"
    "for g = 1, ngroups do\n"
    "  local gb = gbase + (g - 1) * " STR(ACK_GROUP_FIELDS) "\n"
    "  local sk = tonumber(" GARG(ACK_GROUP_STAGE) ")\n"
    "  if not gok[g] then\n"
    "    st.record_conflicts = st.record_conflicts + 1\n"
    "    if sk > 0 then redis.call('DEL', KEYS[sk]) end\n"
    "  elseif sk > 0 then\n"
    "    local key = KEYS[tonumber(" GARG(ACK_GROUP_KEY) ")]\n"
    "    redis.call('RENAME', KEYS[sk], key)\n"
    "    st.records = st.records + 1\n"
    "  end\n"
    "end\n"
    /* Credentials: an award is stored once (HSETNX) and announced only when stored; a
     * requirement no longer met is announced. Only with their group committed. */
    "local abase = gbase + ngroups * " STR(ACK_GROUP_FIELDS) "\n"
    "for a = 1, nawards do\n"
    "  local ab = abase + (a - 1) * " STR(ACK_AWARD_FIELDS) "\n"
    "  local g = tonumber(" AARG(ACK_AWARD_GROUP) ")\n"
    "  if gok[g] then\n"
    "    local gb = gbase + (g - 1) * " STR(ACK_GROUP_FIELDS) "\n"
    "    local list = KEYS[tonumber(" AARG(ACK_AWARD_LIST) ")]\n"
    "    if " AARG(ACK_AWARD_KIND) " == 'i' then\n"
    "      if redis.call('HSETNX', KEYS[tonumber(" GARG(ACK_GROUP_CRED) ")], "
    AARG(ACK_AWARD_FIELD) ", " AARG(ACK_AWARD_JWS) ") == 1 then\n"
    "        redis.call('LPUSH', list, " AARG(ACK_AWARD_EVENT) ")\n"
    "        st.credentials_issued = st.credentials_issued + 1\n"
    "      end\n"
    "    else\n"
    "      redis.call('LPUSH', list, " AARG(ACK_AWARD_EVENT) ")\n"
    "      st.credentials_no_longer_met = st.credentials_no_longer_met + 1\n"
    "    end\n"
    "  end\n"
    "end\n"
    "if pushed > 0 then\n"
    "  redis.call('INCRBY', " KEY(ACK_KEY_RATE) ", pushed)\n"
    "  redis.call('EXPIRE', " KEY(ACK_KEY_RATE) ", 7200)\n"
    "end\n"
    "for _, name in ipairs({'graded', 'errors', 'dead', 'duplicates', 'forced', 'too_large',"
    " 'gave_up', 'records', 'record_conflicts', 'credentials_issued',"
    " 'credentials_no_longer_met'}) do\n"
    "  if st[name] > 0 then redis.call('HINCRBY', " KEY(ACK_KEY_STATS) ", name, st[name]) end\n"
    "end\n"
    "return out\n"
    "end\n"
    /* A failure (a key of the wrong type, which only a hand could make) takes the batch's
     * results back out of their destinations before it is answered. */
    "local ok, res = pcall(main)\n"
    "if ok then return res end\n"
    "for d = 1, ndests do\n"
    "  if mine[d] > 0 then\n"
    "    redis.pcall('LTRIM', KEYS[tonumber(ARGV[dbase + (d - 1) * " STR(ACK_DEST_FIELDS)
    " + " STR(ACK_DEST_KEY) "])], mine[d], -1)\n"
    "  end\n"
    "end\n"
    "return redis.error_reply(type(res) == 'table' and res.err or tostring(res))\n";
/* clang-format on */

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

/* Appends a number. */
static bool push_num(queue_argv *a, long long v)
{
    char num[24];
    snprintf(num, sizeof(num), "%lld", v);
    return push_str(a, num);
}

/* Replaces argument i with a copy of s. */
static bool set_arg(queue_argv *a, int i, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL) {
        return false;
    }
    free(a->argv[i]);
    a->argv[i] = copy;
    a->lens[i] = strlen(s);
    return true;
}

struct queue_ack_ref {
    int group;      /* its group's number, 0 for none */
    int dkey, gkey; /* the indexes in KEYS of its de-duplication record and guard, 0: none */
    int group_arg;  /* the index in args of its ACK_GROUP field */
};

struct queue_ack_dest {
    char *reply;     /* a reply list, NULL for P:results */
    int key;         /* its index in KEYS */
    queue_argv push; /* LPUSH <it> <its results, in message order> (P:results is named by
                      * queue_ack_finish) */
};

/* The number (1-based) of the destination of a result for reply (NULL: P:results), added
 * when new; 0 when out of memory. */
static int dest_of(queue_ack *a, const char *reply)
{
    for (size_t i = a->ndests; i-- > 0;) {
        const char *r = a->dests[i].reply;
        if (reply == NULL ? r == NULL : r != NULL && strcmp(r, reply) == 0) {
            return (int)i + 1;
        }
    }
    queue_ack_dest *v = realloc(a->dests, (a->ndests + 1) * sizeof(*v));
    if (v == NULL) {
        return 0;
    }
    a->dests = v;
    queue_ack_dest *d = &v[a->ndests++];
    memset(d, 0, sizeof(*d));
    d->key = ACK_KEY_RESULTS;
    if (reply) {
        d->reply = strdup(reply);
        if (d->reply == NULL || !push_str(&a->keys, reply)) {
            return 0;
        }
        d->key = ACK_FIXED_KEYS + a->keys.argc;
    }
    return push_str(&d->push, "LPUSH") && push_str(&d->push, reply ? reply : "")
               ? (int)a->ndests
               : 0;
}

static void dests_free(queue_ack *a)
{
    for (size_t i = 0; i < a->ndests; i++) {
        free(a->dests[i].reply);
        queue_argv_free(&a->dests[i].push);
    }
    free(a->dests);
    a->dests = NULL;
    a->ndests = 0;
}

void queue_tx_free(queue_tx *t)
{
    queue_argvs_free(t->cmd, t->n);
    memset(t, 0, sizeof(*t));
}

void queue_ack_init(queue_ack *a)
{
    memset(a, 0, sizeof(*a));
}

/* Appends an argument list (the command's words, NUL-terminated except the last, of
 * length dlen) to the staged commands. */
static bool stage_cmd(queue_ack *a, const char *const *words, int n, const char *data,
                      size_t dlen)
{
    queue_argv *v = realloc(a->staged, (a->nstaged + 1) * sizeof(*v));
    if (v == NULL) {
        return false;
    }
    a->staged = v;
    queue_argv *c = &a->staged[a->nstaged++];
    memset(c, 0, sizeof(*c));
    bool ok = true;
    for (int i = 0; ok && i < n; i++) {
        ok = push_str(c, words[i]);
    }
    return ok && (data == NULL || push(c, data, dlen));
}

int queue_ack_group(queue_ack *a, const char *key, const char *ver, const char *gen,
                    const char *doc, const char *gen_new, const char *stage,
                    const char *credentials)
{
    if (a->oom) {
        return 0;
    }
    bool write = doc && doc[0] && stage && stage[0];
    bool ok = push_key(&a->groups, &a->keys, key) && push_str(&a->groups, ver ? ver : "") &&
              push_key(&a->groups, &a->keys, write ? stage : NULL) &&
              push_key(&a->groups, &a->keys, credentials) &&
              push_str(&a->groups, gen ? gen : "") &&
              push_num(&a->groups, (long long)a->ngroups + 1); /* its unit, until finish */
    _Static_assert(ACK_GROUP_KEY == 0 && ACK_GROUP_VER == 1 && ACK_GROUP_STAGE == 2 &&
                       ACK_GROUP_CRED == 3 && ACK_GROUP_GEN == 4 && ACK_GROUP_UNIT == 5 &&
                       ACK_GROUP_FIELDS == 6,
                   "queue_ack_group writes the fields in this order");
    if (ok && write) {
        /* The record as it is to be: ver + 1, its gen (a new one, else the one read), the
         * document. */
        char next[32];
        snprintf(next, sizeof(next), "%lld", (ver && ver[0] ? atoll(ver) : 0) + 1);
        const char *g = gen_new && gen_new[0] ? gen_new : gen && gen[0] ? gen : NULL;
        const char *with_gen[] = {"HSET", stage, "ver", next, "gen", g ? g : "", "doc"};
        const char *without[] = {"HSET", stage, "ver", next, "doc"};
        ok = g ? stage_cmd(a, with_gen, 7, doc, strlen(doc))
               : stage_cmd(a, without, 5, doc, strlen(doc));
    }
    a->oom = !ok;
    return ok ? (int)++a->ngroups : 0;
}

void queue_argvs_free(queue_argv *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        queue_argv_free(&v[i]);
    }
    free(v);
}

void queue_ack_award(queue_ack *a, int group, bool issued, const char *field, const char *jws,
                     const char *event, const char *list)
{
    if (a->oom) {
        return;
    }
    char g[24];
    snprintf(g, sizeof(g), "%d", group);
    bool ok = push_str(&a->awards, g) && push_str(&a->awards, issued ? "i" : "n") &&
              push_str(&a->awards, field) && push_str(&a->awards, jws ? jws : "") &&
              push_str(&a->awards, event) && push_key(&a->awards, &a->keys, list);
    _Static_assert(ACK_AWARD_GROUP == 0 && ACK_AWARD_KIND == 1 && ACK_AWARD_FIELD == 2 &&
                       ACK_AWARD_JWS == 3 && ACK_AWARD_EVENT == 4 && ACK_AWARD_LIST == 5 &&
                       ACK_AWARD_FIELDS == 6,
                   "queue_ack_award writes the fields in this order");
    a->oom = !ok;
    a->nawards++;
}

void queue_ack_add(queue_ack *a, const queue_ack_msg *m)
{
    if (a->oom) {
        return;
    }
    char flags[8];
    size_t nf = 0;
    flags[nf++] = m->graded ? 'g' : 'e';
    if (m->force) {
        flags[nf++] = 'f';
    }
    if (m->oversize) {
        flags[nf++] = 't';
    }
    if (m->gave_up) {
        flags[nf++] = 'x';
    }
    if (m->uncounted) {
        flags[nf++] = 'u';
    }
    flags[nf] = '\0';
    const char *lane = m->oversize ? "o" : queue_lane_tag(m->lane);
    queue_ack_ref *refs = realloc(a->refs, (a->n + 1) * sizeof(*refs));
    if (refs == NULL) {
        a->oom = true;
        return;
    }
    a->refs = refs;
    /* The result goes to its destination's stage; the script is given its place there. */
    int d = dest_of(a, m->reply);
    queue_argv *staged = d > 0 ? &a->dests[d - 1].push : NULL;
    bool ok = staged && push_str(staged, m->result);
    /* Each field at its place, in the order ACK_RAW...ACK_FLAGS. */
    ok = ok && push(&a->args, m->raw, m->len) && push_str(&a->args, lane) &&
         push_num(&a->args, staged->argc - 2) && push_str(&a->args, m->dead ? m->dead : "") &&
         push_key(&a->args, &a->keys, m->dedupe) && push_key(&a->args, &a->keys, m->guard) &&
         push_num(&a->args, d) && push_str(&a->args, flags);
    char group[24];
    snprintf(group, sizeof(group), "%d", m->group);
    ok = ok && push_str(&a->args, group) &&
         push_str(&a->args, m->seen_dedupe ? m->seen_dedupe : "") &&
         push_str(&a->args, m->seen_guard ? m->seen_guard : "");
    _Static_assert(ACK_RAW == 0 && ACK_LANE == 1 && ACK_RESULT == 2 && ACK_DEAD == 3 &&
                       ACK_DEDUPE == 4 && ACK_GUARD == 5 && ACK_DEST == 6 && ACK_FLAGS == 7 &&
                       ACK_GROUP == 8 && ACK_SEEN_DEDUPE == 9 && ACK_SEEN_GUARD == 10 &&
                       ACK_FIELDS == 11,
                   "queue_ack_add writes the fields in this order");
    if (ok) {
        /* push_key added its guard last, its de-duplication record before. */
        int last = ACK_FIXED_KEYS + a->keys.argc;
        a->refs[a->n] = (queue_ack_ref){
            .group = m->group,
            .gkey = m->guard ? last : 0,
            .dkey = m->dedupe ? last - (m->guard != NULL) : 0,
            .group_arg = (int)a->n * ACK_FIELDS + ACK_GROUP,
        };
    }
    a->oom = !ok;
    a->n++;
}

/* Moves every argument of from to the end of to (which has room). */
static void move_args(queue_argv *to, queue_argv *from)
{
    for (int i = 0; i < from->argc; i++) {
        to->argv[to->argc] = from->argv[i];
        to->lens[to->argc++] = from->lens[i];
        from->argv[i] = NULL;
    }
}

/* Names P:results in its LPUSH and writes each destination's ACK_DEST_FIELDS into f. */
static bool name_dests(queue_ack *a, const queue_keys *k, queue_argv *f)
{
    bool ok = true;
    for (size_t i = 0; ok && i < a->ndests; i++) {
        queue_ack_dest *d = &a->dests[i];
        ok = (d->reply || set_arg(&d->push, 1, k->results)) && push_num(f, d->key) &&
             push_num(f, d->push.argc - 2) && push_str(f, d->reply ? "r" : "");
    }
    _Static_assert(ACK_DEST_KEY == 0 && ACK_DEST_COUNT == 1 && ACK_DEST_REPLY == 2 &&
                       ACK_DEST_FIELDS == 3,
                   "name_dests writes the fields in this order");
    return ok;
}

/* The script: EVAL script numkeys KEYS... ARGV..., the keys and fields moved out of a. */
static bool script_cmd(queue_ack *a, const queue_keys *k, const queue_ack_opts *o,
                       queue_argv *dests, queue_argv *cmd)
{
    const char *head[] = {"EVAL",           queue_ack_lua,    NULL, /* numkeys */
                          k->results,       k->dead,          k->attempts, k->proc_live,
                          k->proc_regrade,  o->rate_key,      k->stats,    k->proc_oversize,
                          k->dead_oversize, k->oversize_meta, k->gave_up};
    _Static_assert(ACK_KEY_RESULTS == 1 && ACK_KEY_DEAD == 2 && ACK_KEY_ATTEMPTS == 3 &&
                       ACK_KEY_PROC_LIVE == 4 && ACK_KEY_PROC_REGRADE == 5 &&
                       ACK_KEY_RATE == 6 && ACK_KEY_STATS == 7 && ACK_KEY_PROC_OVERSIZE == 8 &&
                       ACK_KEY_DEAD_OVERSIZE == 9 && ACK_KEY_OVERSIZE_META == 10 &&
                       ACK_KEY_GAVE_UP == 11 && ACK_FIXED_KEYS == 11,
                   "the fixed keys in this order");
    bool ok = reserve(cmd, 3 + ACK_FIXED_KEYS + a->keys.argc + ACK_HEAD + a->args.argc +
                               a->groups.argc + a->awards.argc + dests->argc);
    for (size_t i = 0; ok && i < sizeof(head) / sizeof(head[0]); i++) {
        ok = i == 2 ? push_num(cmd, ACK_FIXED_KEYS + a->keys.argc) : push_str(cmd, head[i]);
    }
    if (!ok) {
        return false;
    }
    /* The keys and fields already are copies: they move into the command. */
    move_args(cmd, &a->keys);
    ok = push_num(cmd, (long long)a->n) && push_num(cmd, o->dedupe_ttl_s) &&
         push_num(cmd, o->reply_ttl_s) && push_num(cmd, o->oversize_keep) &&
         push_num(cmd, (long long)a->ngroups) && push_num(cmd, (long long)a->nawards) &&
         push_num(cmd, (long long)a->ndests);
    _Static_assert(ACK_ARG_N == 1 && ACK_ARG_TTL == 2 && ACK_ARG_REPLY_TTL == 3 &&
                       ACK_ARG_KEEP == 4 && ACK_ARG_GROUPS == 5 && ACK_ARG_AWARDS == 6 &&
                       ACK_ARG_DESTS == 7 && ACK_HEAD == 7,
                   "n, ttl, reply ttl, keep, groups, awards, destinations");
    if (ok) {
        move_args(cmd, &a->args);
        move_args(cmd, &a->groups);
        move_args(cmd, &a->awards);
        move_args(cmd, dests);
    }
    return ok;
}

/* The key at index i of KEYS (1-based), of those after the fixed ones. */
static const char *key_at(const queue_ack *a, int i)
{
    return i > ACK_FIXED_KEYS ? a->keys.argv[i - ACK_FIXED_KEYS - 1] : NULL;
}

/* Writes each group's unit, and minus its unit into the group field of each message without
 * a group that shares a key with one (ackunit.h). */
static bool link_units(queue_ack *a)
{
    if (a->ngroups == 0) {
        return true;
    }
    queue_unit_msg *m = malloc((a->n ? a->n : 1) * sizeof(*m));
    int *unit = malloc(a->ngroups * sizeof(*unit));
    int *msg_unit = malloc((a->n ? a->n : 1) * sizeof(*msg_unit));
    bool ok = m && unit && msg_unit;
    for (size_t i = 0; ok && i < a->n; i++) {
        m[i] = (queue_unit_msg){a->refs[i].group, key_at(a, a->refs[i].dkey),
                                key_at(a, a->refs[i].gkey)};
    }
    ok = ok && queue_ack_units(m, a->n, a->ngroups, unit, msg_unit) == 0;
    char num[24];
    for (size_t g = 0; ok && g < a->ngroups; g++) {
        if (unit[g] != (int)g + 1) {
            snprintf(num, sizeof(num), "%d", unit[g]);
            ok = set_arg(&a->groups, (int)g * ACK_GROUP_FIELDS + ACK_GROUP_UNIT, num);
        }
    }
    for (size_t i = 0; ok && i < a->n; i++) {
        if (msg_unit[i] != 0) {
            snprintf(num, sizeof(num), "%d", -msg_unit[i]);
            ok = set_arg(&a->args, a->refs[i].group_arg, num);
        }
    }
    free(m);
    free(unit);
    free(msg_unit);
    return ok;
}

int queue_ack_finish(queue_ack *a, const queue_keys *k, const queue_ack_opts *o, queue_tx *out)
{
    queue_argv dests = {0}, script = {0}, del = {0};
    /* The records' stages, the results' LPUSHes, the script, the DEL of the stages. */
    size_t n = a->nstaged + a->ndests + 1 + (a->nstaged > 0);
    queue_tx tx = {.cmd = calloc(n, sizeof(queue_argv)), .script = a->nstaged + a->ndests};
    bool ok = !a->oom && tx.cmd && link_units(a) && name_dests(a, k, &dests) &&
              script_cmd(a, k, o, &dests, &script) && push_str(&del, "DEL");
    for (size_t i = 0; ok && i < a->nstaged; i++) {
        ok = push_str(&del, a->staged[i].argv[1]); /* HSET <stage> ... */
    }
    if (ok) {
        for (size_t i = 0; i < a->nstaged; i++) {
            tx.cmd[tx.n++] = a->staged[i];
            memset(&a->staged[i], 0, sizeof(a->staged[i]));
        }
        for (size_t i = 0; i < a->ndests; i++) {
            tx.cmd[tx.n++] = a->dests[i].push;
            memset(&a->dests[i].push, 0, sizeof(a->dests[i].push));
        }
        tx.cmd[tx.n++] = script;
        memset(&script, 0, sizeof(script));
        /* A record's stage is renamed or deleted by the script; the DEL is for a script
         * that failed. */
        if (a->nstaged > 0) {
            tx.cmd[tx.n++] = del;
            memset(&del, 0, sizeof(del));
        }
    }
    queue_argv_free(&del);
    queue_argv_free(&dests);
    queue_argv_free(&script);
    queue_argv_free(&a->keys);
    queue_argv_free(&a->args);
    queue_argv_free(&a->groups);
    queue_argv_free(&a->awards);
    queue_argvs_free(a->staged, a->nstaged);
    free(a->refs);
    dests_free(a);
    queue_ack_init(a);
    if (!ok) {
        queue_tx_free(&tx);
        return -1;
    }
    *out = tx;
    return 0;
}
