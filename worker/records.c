/*
 * records.c - learner records in the worker: start, read and confirmation (see records.h);
 * the computation between read and commit is reccompute.c's.
 *
 * A batch's state here: its answered messages in claim order, and per distinct learner one
 * group. The read returns each group's "ver" and document and the values of every message's
 * de-duplication record and guard; the computation replays, in claim order, what the ack
 * script will decide for each message (fresh, or a duplicate) from those values, and applies
 * each fresh graded result to its learner's record. The ack script checks that the values
 * are still those read, so what was computed is what commits, or nothing does.
 */
#include "records.h"

#include "acks.h"
#include "health.h"
#include "log.h"
#include "metrics.h"
#include "recbatch.h"
#include "reccache.h"
#include "recread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads and computations of one batch before it gives up (and reconnects, which returns
 * its messages to the queue); backoff doubles from 1 ms up to this many ms, with jitter. */
enum { REC_MAX_TRIES = 40, REC_MAX_BACKOFF_MS = 256 };

static void kick(wk_worker *w);

static void msg_clear(rec_msg *m)
{
    free(m->raw);
    wk_outcome_free(&m->o);
    free(m->result);
    free(m->dead);
    free(m->seen_d);
    free(m->seen_g);
    memset(m, 0, sizeof(*m));
}

static void groups_clear(wk_rec_batch *rb)
{
    for (size_t i = 0; i < rb->ng; i++) {
        free(rb->g[i].ver);
        free(rb->g[i].doc_read);
        free(rb->g[i].gen);
        assay_record_destroy(rb->g[i].rec);
        free(rb->g[i].doc_new);
        free(rb->g[i].held);
        wk_award_outs_free(rb->g[i].aw, rb->g[i].naw);
    }
    free(rb->g);
    rb->g = NULL;
    rb->ng = 0;
}

void wk_rec_free(wk_rec_batch *rb)
{
    if (rb == NULL) {
        return;
    }
    wk_worker *w = rb->w;
    bool held = rb->n > 0 && rb->ng > 0;
    for (size_t i = 0; i < rb->n; i++) {
        msg_clear(&rb->m[i]);
    }
    free(rb->m);
    groups_clear(rb);
    free(rb);
    if (held) {
        kick(w); /* its batch is out of the list already */
    }
}

bool wk_rec_wanted(const wk_worker *w, const wk_outcome *out, size_t n)
{
    if (!w->cfg->records) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (out[i].result && out[i].ev) {
            return true;
        }
    }
    return false;
}

void wk_rec_count_grading(wk_rec_batch *rb, int sign)
{
    rb->w->grading += sign * (int)rb->n;
    if (rb->b->lane == QUEUE_REGRADE) {
        rb->w->regrade_grading += sign * (int)rb->n;
    }
}

static void read_send(wk_rec_batch *rb);

/* Starts the retry timer to fire in ms, unless it fires sooner already. */
static void arm(wk_worker *w, uint64_t ms)
{
    if (!uv_is_active((uv_handle_t *)&w->records_retry) ||
        uv_timer_get_due_in(&w->records_retry) > ms) {
        uv_timer_start(&w->records_retry, wk_rec_retry_cb, ms, 0);
    }
}

/* Waits for the retry timer: doubling backoff with jitter, so two workers that conflicted
 * do not meet again at once. */
static void wait_retry(wk_rec_batch *rb)
{
    wk_worker *w = rb->w;
    if (w->phase == WK_CLOSED) {
        return;
    }
    rb->waiting = true;
    int shift = rb->tries < 8 ? rb->tries : 8;
    uint64_t ms = (uint64_t)1 << shift;
    ms = ms > REC_MAX_BACKOFF_MS ? REC_MAX_BACKOFF_MS : ms;
    ms += (uint64_t)rand() % (ms + 1);
    rb->due = uv_now(w->loop) + ms;
    arm(w, ms);
}

/* Waits for the connection, with no timer: wk_rec_resume reads it once main is back. */
static void wait_connection(wk_rec_batch *rb)
{
    rb->waiting = true;
    rb->due = 0;
}

void wk_rec_resume(wk_worker *w)
{
    for (wk_ack_batch *b = w->acks; b; b = b->next) {
        if (b->rec && b->rec->waiting) {
            arm(w, 0);
            return;
        }
    }
}

void wk_rec_retry_cb(uv_timer_t *t)
{
    wk_worker *w = t->data;
    /* The timer serves every batch: one whose backoff has not run out waits on (the timer
     * is also armed at once for each batch that skips its read). */
    uint64_t now = uv_now(w->loop), next = UINT64_MAX;
    for (wk_ack_batch *b = w->acks; b; b = b->next) {
        wk_rec_batch *rb = b->rec;
        if (rb && rb->waiting && rb->due > now) {
            next = rb->due - now < next ? rb->due - now : next;
        } else if (rb && rb->waiting) {
            rb->waiting = false;
            read_send(rb);
        }
    }
    if (next != UINT64_MAX) {
        arm(w, next);
    }
    /* The batches that skipped their read compute now, one at a time from the head: with
     * --grade-threads 0 the computation and its acknowledgement run here and may change
     * the list. */
    for (;;) {
        wk_rec_batch *rb = NULL;
        for (wk_ack_batch *b = w->acks; b && rb == NULL; b = b->next) {
            rb = b->rec && b->rec->unread_ready ? b->rec : NULL;
        }
        if (rb == NULL || w->phase == WK_CLOSED) {
            return;
        }
        rb->unread_ready = false;
        wk_rec_compute(rb);
    }
}

/* ------------------------------------------------------------------------------------
 * The read.
 */

/* The groups: one per distinct learner among the messages with evidence. */
static int make_groups(wk_rec_batch *rb)
{
    groups_clear(rb);
    rb->g = calloc(rb->n ? rb->n : 1, sizeof(*rb->g));
    if (rb->g == NULL) {
        return -1;
    }
    for (size_t i = 0; i < rb->n; i++) {
        rec_msg *m = &rb->m[i];
        m->group = -1;
        if (m->o.ev == NULL) {
            continue;
        }
        const char *l = m->o.ev->ev.learner;
        size_t len = strlen(l);
        size_t g = 0;
        while (g < rb->ng &&
               !(rb->g[g].learner_len == len && memcmp(rb->g[g].learner, l, len) == 0)) {
            g++;
        }
        if (g == rb->ng) {
            rec_group *x = &rb->g[rb->ng++];
            x->learner = l;
            x->learner_len = len;
            queue_record_key(x->key, sizeof(x->key), rb->w->cfg->prefix, l, len);
            queue_credentials_key(x->cred_key, sizeof(x->cred_key), rb->w->cfg->prefix, l, len);
        }
        m->group = (int)g;
    }
    return 0;
}

static void read_cb(wk_conn *c, redisReply *r, void *priv);

/* Whether an earlier batch of ours, not yet committed, has one of rb's learners: reading
 * now would only conflict with our own commit, so rb waits for it. */
static bool behind_own(const wk_rec_batch *rb)
{
    for (const wk_ack_batch *x = rb->w->acks; x && x != rb->b; x = x->next) {
        const wk_rec_batch *e = x->rec;
        for (size_t i = 0; e && e->n > 0 && i < e->ng; i++) {
            for (size_t j = 0; j < rb->ng; j++) {
                if (strcmp(e->g[i].key, rb->g[j].key) == 0) {
                    return true;
                }
            }
        }
    }
    return false;
}

/* A batch committed or went: the batches waiting behind it read now. */
static void kick(wk_worker *w)
{
    if (w->phase == WK_CLOSED) {
        return;
    }
    for (wk_ack_batch *b = w->acks; b; b = b->next) {
        if (b->rec && b->rec->blocked) {
            b->rec->blocked = false;
            read_send(b->rec);
        }
    }
}

/* Whether group gi may be committed on the worker's copy without a read, "" guessed for its
 * messages' de-duplication records and guards: not after such a commit was refused, and not
 * with a message whose record is likely set (a redelivery, which may have been answered
 * before its worker stopped; a forced regrade, of a submission answered before). A wrong
 * guess, like a record another writer changed, fails the ack script's check: the group is
 * then read and committed again. */
static bool may_skip(const wk_rec_batch *rb, size_t gi)
{
    if (rb->reread) {
        return false;
    }
    for (size_t i = 0; i < rb->n; i++) {
        const rec_msg *m = &rb->m[i];
        if (m->group == (int)gi && (m->attempts > 1 || m->o.force)) {
            return false;
        }
    }
    return true;
}

/* Group g, not read: the worker's copy taken from the cache with the "ver", "gen" and
 * credentials it was kept with (borrowed from the cache: copied before the take). */
static int take_unread(wk_reccache *cache, rec_group *g, const char *ver, const char *gen,
                       const char *held)
{
    g->unread = true;
    g->ver = strdup(ver);
    g->gen = strdup(gen);
    g->held = strdup(held);
    g->doc_read = strdup("");
    if (!g->ver || !g->gen || !g->held || !g->doc_read) {
        return -1;
    }
    g->rec = wk_reccache_take(cache, g->key, g->ver, g->gen, &g->weight);
    return g->rec ? 0 : -1;
}

/* A message not read: its de-duplication record and guard guessed unset. */
static int guess_unset(rec_msg *m)
{
    free(m->seen_d);
    free(m->seen_g);
    m->seen_d = m->o.dkey ? strdup("") : NULL;
    m->seen_g = m->o.gkey ? strdup("") : NULL;
    return (m->seen_d || !m->o.dkey) && (m->seen_g || !m->o.gkey) ? 0 : -1;
}

/* Reads the batch's records, or, when the worker holds every one and may skip the read
 * (may_skip), has the retry timer compute the batch at once. */
static void read_send(wk_rec_batch *rb)
{
    wk_worker *w = rb->w;
    if (w->phase == WK_CLOSED) {
        return;
    }
    if (w->main.state != WK_CONN_READY) {
        wait_connection(rb); /* the reconnection runs meanwhile */
        return;
    }
    const char **recs = calloc(4 * rb->n + 4, sizeof(*recs));
    const char **keys = calloc(2 * rb->n + 1, sizeof(*keys));
    size_t nkeys = 0;
    queue_argv cmd = {0};
    int rc = recs && keys ? make_groups(rb) : -1;
    if (rc == 0 && behind_own(rb)) {
        rb->blocked = true;
        free(recs);
        free(keys);
        return;
    }
    /* recs: the record keys, the credentials keys, the "ver" and "gen" held, for the groups
     * read (nread of them). */
    const char **creds = recs + rb->n + 1, **have_ver = creds + rb->n + 1,
               **have_gen = have_ver + rb->n + 1;
    /* All or none: a read value and a guessed one for the same key (two messages of one
     * submission, for two learners) would meet in the replay, and the guess could win. */
    bool skip = rc == 0;
    for (size_t i = 0; skip && i < rb->ng; i++) {
        const char *v, *gn;
        skip =
            wk_reccache_peek(w->reccache, rb->g[i].key, &v, &gn, NULL) == 0 && may_skip(rb, i);
    }
    size_t nread = 0, nskip = 0;
    for (size_t i = 0; rc == 0 && i < rb->ng; i++) {
        rec_group *g = &rb->g[i];
        const char *ver = NULL, *gen = NULL, *held = NULL;
        if (wk_reccache_peek(w->reccache, g->key, &ver, &gen, &held) != 0) {
            ver = gen = NULL;
        } else if (skip) {
            rc = take_unread(w->reccache, g, ver, gen, held);
            nskip++;
            continue;
        }
        recs[nread] = g->key;
        creds[nread] = g->cred_key;
        have_ver[nread] = ver;
        have_gen[nread] = gen;
        nread++;
    }
    for (size_t i = 0; rc == 0 && i < rb->n; i++) {
        rec_msg *m = &rb->m[i];
        if (nread == 0) {
            rc = guess_unset(m); /* one of no group only feeds the replay */
            continue;
        }
        if (m->o.dkey) {
            keys[nkeys++] = m->o.dkey;
        }
        if (m->o.gkey) {
            keys[nkeys++] = m->o.gkey;
        }
    }
    if (rc == 0 && nread == 0) {
        free(recs);
        free(keys);
        wk_metrics_add(WK_M_RECORD_READS_SKIPPED, (int64_t)nskip);
        wk_metrics_set(WK_M_RECORD_CACHE_BYTES, (int64_t)wk_reccache_bytes(w->reccache));
        rb->unread_ready = true; /* computed from the timer: see wk_rec_retry_cb */
        arm(w, 0);
        return;
    }
    rc = rc ? rc
            : queue_recread_argv(w->sha_recread, recs, creds, have_ver, have_gen, nread, keys,
                                 nkeys, &cmd);
    free(recs);
    free(keys);
    if (rc == 0 &&
        wk_conn_send(&w->main, read_cb, rb, cmd.argc, (const char **)cmd.argv, cmd.lens) == 0) {
        queue_argv_free(&cmd);
        return;
    }
    queue_argv_free(&cmd);
    wait_retry(rb); /* out of memory or not sent: tried again */
}

static char *dup_reply(const redisReply *e)
{
    if (e == NULL || e->type != REDIS_REPLY_STRING) {
        return strdup("");
    }
    char *s = malloc(e->len + 1);
    if (s) {
        memcpy(s, e->str, e->len);
        s[e->len] = '\0';
    }
    return s;
}

/* Stores what was read, taking the records the read says are current out of the cache;
 * false when the reply does not fit the request, memory ran out, or a record said current
 * is no longer in the cache (evicted since the read was sent: read again). */
static bool take_read(wk_rec_batch *rb, const redisReply *r)
{
    size_t want = 4 * rb->ng; /* a batch read is read whole (read_send) */
    for (size_t i = 0; i < rb->n; i++) {
        want += (rb->m[i].o.dkey != NULL) + (rb->m[i].o.gkey != NULL);
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != want) {
        return false;
    }
    size_t at = 0;
    bool ok = true;
    wk_reccache *cache = rb->w->reccache;
    int64_t reads[3] = {0, 0, 0}; /* the worker's copy, Redis, new */
    for (size_t i = 0; i < rb->ng; i++) {
        rec_group *g = &rb->g[i];
        g->ver = dup_reply(r->element[at++]);
        g->gen = dup_reply(r->element[at++]);
        const redisReply *doc = r->element[at++];
        bool current = doc->type == REDIS_REPLY_INTEGER && doc->integer == 1;
        g->doc_read = current ? strdup("") : dup_reply(doc);
        g->held = dup_reply(r->element[at++]);
        ok = ok && g->ver && g->gen && g->doc_read && g->held;
        if (ok && current) {
            g->rec = wk_reccache_take(cache, g->key, g->ver, g->gen, &g->weight);
            ok = g->rec != NULL;
        } else if (ok) {
            wk_reccache_drop(cache, g->key); /* stale */
        }
        if (ok) {
            reads[current ? 0 : g->doc_read[0] ? 1 : 2]++;
        }
    }
    for (size_t i = 0; i < rb->n; i++) {
        rec_msg *m = &rb->m[i];
        free(m->seen_d);
        free(m->seen_g);
        m->seen_d = m->o.dkey ? dup_reply(r->element[at++]) : NULL;
        m->seen_g = m->o.gkey ? dup_reply(r->element[at++]) : NULL;
        ok = ok && (m->seen_d || !m->o.dkey) && (m->seen_g || !m->o.gkey);
    }
    /* Taken copies leave the cache: its size drops now, not at the next acknowledgement. */
    wk_metrics_set(WK_M_RECORD_CACHE_BYTES, (int64_t)wk_reccache_bytes(cache));
    if (ok) { /* a read that failed is read again; it counts once, when it succeeds */
        wk_metrics_add(WK_M_RECORD_READS_WORKER, reads[0]);
        wk_metrics_add(WK_M_RECORD_READS_REDIS, reads[1]);
        wk_metrics_add(WK_M_RECORD_READS_NEW, reads[2]);
    }
    return ok;
}

static void read_cb(wk_conn *c, redisReply *r, void *priv)
{
    wk_rec_batch *rb = priv;
    if (r == NULL) {
        wait_retry(rb); /* the connection was lost: read again once it is back */
        return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        if (!wk_health_refused(c, r->str, "the records read")) {
            wk_logf(WK_ERROR, &(wk_lf){.event = "records_read_failed", WK_COUNT(rb->n)},
                    "reading the learners' records failed: %s; trying again", r->str);
        }
        rb->tries++;
        wait_retry(rb);
        return;
    }
    if (!take_read(rb, r)) {
        rb->tries++;
        wait_retry(rb);
        return;
    }
    wk_rec_compute(rb);
}

/* ------------------------------------------------------------------------------------
 * Start and confirmation.
 */

int wk_rec_start(wk_worker *w, wk_ack_batch *b, char **raw, size_t *len,
                 const long *redeliveries, wk_outcome *out, size_t n, size_t lost)
{
    wk_rec_batch *rb = calloc(1, sizeof(*rb));
    rec_msg *m = calloc(n ? n : 1, sizeof(*m));
    if (rb == NULL || m == NULL) {
        free(rb);
        free(m);
        return -1;
    }
    rb->w = w;
    rb->b = b;
    rb->m = m;
    rb->lost = lost;
    for (size_t i = 0; i < n; i++) {
        if (out[i].result == NULL) {
            continue;
        }
        rec_msg *x = &rb->m[rb->n++];
        x->raw = raw[i];
        x->len = len[i];
        x->attempts = redeliveries[i] + 1;
        x->o = out[i];
        raw[i] = NULL;
        memset(&out[i], 0, sizeof(out[i]));
    }
    b->rec = rb;
    wk_rec_count_grading(rb, +1);
    read_send(rb);
    return 0;
}

/* A group committed: its record as it now is in Redis goes to the cache, with the "ver" and
 * "gen" the ack script gave it (a mismatch would only cost a read of the document). */
static void keep(wk_worker *w, rec_group *g)
{
    if (g->rec == NULL || (g->doc_new == NULL && g->ver[0] == '\0')) {
        return; /* nothing in Redis to match */
    }
    char ver[32];
    if (g->doc_new) {
        snprintf(ver, sizeof(ver), "%lld", strtoll(g->ver, NULL, 10) + 1);
    } else {
        snprintf(ver, sizeof(ver), "%s", g->ver);
    }
    const char *gen = g->gen_new[0] ? g->gen_new : g->gen;
    if (gen[0] == '\0' || strlen(g->ver) >= 15) {
        return; /* no "gen": never current; or past where Lua writes "ver" exactly */
    }
    /* The credentials held now: those read and those the script stored (HSETNX; one held
     * already, by a write this worker did not see, cannot be: the record would have moved). */
    size_t len = strlen(g->held) + 1;
    for (size_t k = 0; k < g->naw; k++) {
        len += g->aw[k].issued ? strlen(g->aw[k].field) + 1 : 0;
    }
    char *held = malloc(len);
    if (held == NULL) {
        return; /* not kept: the next batch reads it */
    }
    size_t at = (size_t)snprintf(held, len, "%s", g->held);
    for (size_t k = 0; k < g->naw; k++) {
        if (g->aw[k].issued) {
            at += (size_t)snprintf(held + at, len - at, "%s%s", at ? "\n" : "", g->aw[k].field);
        }
    }
    wk_reccache_put(w->reccache, g->key, ver, gen, held, g->rec, g->weight);
    free(held);
    g->rec = NULL;
}

size_t wk_rec_acked(wk_worker *w, wk_ack_batch *b, const redisReply *r)
{
    wk_rec_batch *rb = b->rec;
    size_t kept = 0;
    bool *conflict = calloc(rb->ng + 1, sizeof(*conflict));
    bool *wrote = calloc(rb->ng + 1, sizeof(*wrote));
    for (size_t i = 0; i < rb->n; i++) {
        rec_msg *m = &rb->m[i];
        long long st = i < r->elements && r->element[i]->type == REDIS_REPLY_INTEGER
                           ? r->element[i]->integer
                           : QUEUE_ACK_GONE;
        if (m->group >= 0 && conflict && wrote) {
            conflict[m->group] |= st == QUEUE_ACK_CONFLICT || st == QUEUE_ACK_GONE;
            wrote[m->group] |= st == QUEUE_ACK_ANSWERED || st == QUEUE_ACK_DUPLICATE;
        }
        if (st == QUEUE_ACK_CONFLICT) {
            rb->m[kept++] = *m;
        } else {
            msg_clear(m);
        }
    }
    for (size_t i = kept; i < rb->n; i++) {
        memset(&rb->m[i], 0, sizeof(rb->m[i]));
    }
    rb->n = kept;
    size_t ngroups = 0, misses = 0, written = 0;
    for (size_t g = 0; conflict && wrote && g < rb->ng; g++) {
        ngroups += conflict[g] && !rb->g[g].unread;
        misses += conflict[g] && rb->g[g].unread;
        written += wrote[g] && rb->g[g].doc_new != NULL;
        if (wrote[g] && !conflict[g]) {
            keep(w, &rb->g[g]);
        }
    }
    free(conflict);
    free(wrote);
    w->records_written += written;
    wk_metrics_add(WK_M_RECORDS_WRITTEN, (int64_t)written);
    wk_metrics_set(WK_M_RECORD_CACHE_BYTES, (int64_t)wk_reccache_bytes(w->reccache));
    kick(w);
    if (kept == 0) {
        return 0;
    }
    w->record_conflicts += ngroups;
    wk_metrics_add(WK_M_RECORD_CONFLICTS, (int64_t)ngroups);
    wk_metrics_add(WK_M_RECORD_SKIP_MISSES, (int64_t)misses);
    if (misses > 0) {
        rb->reread = true; /* and a refused commit without a read is no conflict to count */
        wk_logf(WK_DEBUG,
                &(wk_lf){.event = "record_skip_missed",
                         .queue = queue_lane_name(b->lane),
                         WK_COUNT(kept)},
                "%zu learner record%s committed without a read were refused; reading them",
                misses, misses == 1 ? "" : "s");
    }
    if (misses > 0 && ngroups == 0) { /* read again at once, without a backoff */
        wk_rec_count_grading(rb, +1);
        rb->waiting = true;
        rb->due = uv_now(w->loop);
        arm(w, 0);
        return kept;
    }
    if (++rb->tries > REC_MAX_TRIES) {
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "record_conflict_gave_up",
                         .queue = queue_lane_name(b->lane),
                         WK_COUNT(kept)},
                "gave up committing %zu submission%s after %d record conflicts; reconnecting, "
                "which returns them to the queue",
                kept, kept == 1 ? "" : "s", REC_MAX_TRIES);
        for (size_t i = 0; i < rb->n; i++) {
            msg_clear(&rb->m[i]);
        }
        rb->n = 0;
        kick(w);
        wk_conn_drop(&w->main, "record conflicts");
        return 0;
    }
    wk_logf(
        WK_INFO,
        &(wk_lf){.event = "record_conflict", .queue = queue_lane_name(b->lane), WK_COUNT(kept)},
        "record conflict: %zu learner record%s changed since read; %zu submission%s read "
        "and computed again (try %d)",
        ngroups, ngroups == 1 ? "" : "s", kept, kept == 1 ? "" : "s", rb->tries + 1);
    wk_rec_count_grading(rb, +1);
    wait_retry(rb);
    return kept;
}
