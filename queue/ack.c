/*
 * ack.c - the builder of the ack script's arguments and transaction (see ack.h; the
 * layout it writes: ack_layout.h; the script: ack_lua.c).
 */
#include "ack.h"

#include "ack_layout.h"
#include "ackunit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        a->n++; /* counted all the same: queue_ack_finish reports the batch whole */
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
        a->n++;
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
