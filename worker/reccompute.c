/*
 * reccompute.c - the computation of a batch's learner records (see recbatch.h), on a
 * grading thread: replays, in claim order, what the ack script will decide for each message
 * (fresh, or a duplicate) from the values read, applies each fresh graded result to its
 * learner's record with the engine's record API, then, back on the loop thread, builds the
 * acknowledgement: each group's new document staged under a key and a "gen" of its own.
 */
#include "recbatch.h"

#include "acks.h"
#include "deadletter.h"
#include "jobs.h"
#include "metrics.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value a key has at this point of the batch: as read, then as the messages before
 * set it (vals runs parallel to keys). */
typedef struct kv {
    const char *key;
    const char *val;
} kv;

static const char *kv_get(const kv *t, size_t n, const char *key)
{
    for (size_t i = n; i-- > 0;) {
        if (strcmp(t[i].key, key) == 0) {
            return t[i].val;
        }
    }
    return "";
}

/* Whether the ack script will find message m fresh (push its result) given the values so
 * far, and what it then sets: the mirror of its SET / SET NX and guard check. */
static bool replay_fresh(const rec_msg *m, kv *t, size_t *nt)
{
    const char *mark = m->o.gave_up ? "gave-up" : "1";
    bool fresh = true;
    if (!m->o.force) {
        if (m->o.gkey && strcmp(kv_get(t, *nt, m->o.gkey), "gave-up") == 0) {
            fresh = false;
        } else if (m->o.dkey) {
            fresh = kv_get(t, *nt, m->o.dkey)[0] == '\0';
        }
    }
    if (fresh && m->o.dkey) {
        t[(*nt)++] = (kv){m->o.dkey, mark};
    }
    return fresh;
}

/* A result whose evidence the record refused: the member says why, and the submission is
 * kept in P:dead with the reason. */
static int refuse(wk_rec_batch *rb, rec_msg *m, const char *why)
{
    json_t *member = json_pack("{s:s, s:s}", "status", "refused", "reason", why);
    char *text = member ? json_dumps(member, JSON_COMPACT) : NULL;
    json_decref(member);
    size_t len = text ? strlen(text) + 16 : 0;
    char *full = text ? malloc(len) : NULL;
    if (full) {
        snprintf(full, len, "\"record\":%s", text);
        m->result = assay_record_append_member(m->o.result, strlen(m->o.result), full, NULL);
    }
    free(text);
    free(full);
    char message[700];
    snprintf(message, sizeof(message), "graded, but the learner's record refused it: %s", why);
    json_t *e = json_pack("{s:s, s:{s:s, s:s}}", "id", m->o.ev->ev.submission, "error", "code",
                          "record_refused", "message", message);
    char now[40];
    wk_now_rfc3339(now, sizeof(now));
    m->dead = e ? queue_dead_encode(e, m->raw, m->len, rb->w->cfg->worker_id, now, m->attempts,
                                    rb->b->lane)
                : NULL;
    json_decref(e);
    return m->result && m->dead ? 0 : -1;
}

/* Applies the fresh results of group gi to its record, in claim order. */
static int compute_group(wk_rec_batch *rb, size_t gi, const bool *fresh)
{
    rec_group *g = &rb->g[gi];
    assay_record *rec = g->rec;
    g->rec = NULL;
    char why[600];
    const char *damaged = NULL;
    if (rec) {
        /* the worker's copy, current (take_read) */
    } else if (g->doc_read[0]) {
        if (assay_record_load_buffer(g->doc_read, strlen(g->doc_read), &rec, why,
                                     sizeof(why)) != 0) {
            damaged = why;
        }
    } else {
        rec = assay_record_create(g->learner);
    }
    if (rec == NULL && damaged == NULL) {
        return -1;
    }
    char damaged_why[1000];
    if (damaged) {
        snprintf(damaged_why, sizeof(damaged_why), "the stored record %s is damaged: %s",
                 g->key, why);
    }
    bool changed = false, refused = false;
    /* Credentials, when the catalog defines any (awards.c). */
    bool creds = !damaged && assay_catalog_credential_count(rb->cat->cat) > 0;
    wk_awards aw;
    int rc = creds ? wk_awards_begin(&aw, rb->w, rb->cat->cat, g->learner, g->key, g->held) : 0;
    for (size_t i = 0; rc == 0 && i < rb->n; i++) {
        rec_msg *m = &rb->m[i];
        if (m->group != (int)gi || !fresh[i]) {
            continue;
        }
        if (damaged) {
            rc = refuse(rb, m, damaged_why);
            continue;
        }
        if (creds && wk_awards_before(&aw, rec, &m->o.ev->ev) != 0) {
            rc = -1;
            break;
        }
        assay_record_change *ch = NULL;
        int out = assay_record_apply(rec, rb->cat->cat, &m->o.ev->ev, &ch, why, sizeof(why));
        if (out == ASSAY_E_NOMEM) {
            rc = -1;
        } else if (out < 0) {
            refused = true;
            rc = refuse(rb, m, why);
        } else if (ch) {
            changed = changed || out == ASSAY_RECORD_APPLIED;
            char *member = assay_record_change_member(ch);
            m->result = member ? assay_record_append_member(m->o.result, strlen(m->o.result),
                                                            member, NULL)
                               : NULL;
            free(member);
            rc = m->result ? 0 : -1;
            char *cm = NULL;
            if (rc == 0 && creds && out == ASSAY_RECORD_APPLIED) {
                rc = wk_awards_after(&aw, rec, &m->o.ev->ev, &cm);
            }
            if (cm) {
                char *both = assay_record_append_member(m->result, strlen(m->result), cm, NULL);
                free(m->result);
                m->result = both;
                rc = both ? 0 : -1;
                free(cm);
            }
        }
        assay_record_change_destroy(ch);
    }
    if (creds) {
        wk_awards_end(&aw, &g->aw, &g->naw);
    }
    if (rc == 0 && changed) {
        g->doc_new = assay_record_dumps(rec);
        rc = g->doc_new ? 0 : -1;
    }
    /* Kept for the cache if the group commits: the record as it will be in Redis, which is
     * rec when its document is written, and when nothing was written only if nothing was
     * refused (a refused apply may leave rec changed, unwritten). */
    if (rc == 0 && !damaged && (g->doc_new || !refused)) {
        g->rec = rec;
        g->weight = g->doc_new  ? strlen(g->doc_new)
                    : g->weight ? g->weight
                                : strlen(g->doc_read);
    } else {
        assay_record_destroy(rec);
    }
    return rc;
}

static void compute_work_cb(uv_work_t *req)
{
    wk_rec_batch *rb = req->data;
    for (size_t i = 0; i < rb->n; i++) {
        free(rb->m[i].result);
        free(rb->m[i].dead);
        rb->m[i].result = rb->m[i].dead = NULL;
    }
    bool *fresh = calloc(rb->n ? rb->n : 1, sizeof(*fresh));
    kv *t = calloc(2 * rb->n + 1, sizeof(*t));
    size_t nt = 0;
    rb->nomem = fresh == NULL || t == NULL;
    for (size_t i = 0; !rb->nomem && i < rb->n; i++) {
        const rec_msg *m = &rb->m[i];
        if (m->seen_d) {
            t[nt++] = (kv){m->o.dkey, m->seen_d};
        }
        if (m->seen_g) {
            t[nt++] = (kv){m->o.gkey, m->seen_g};
        }
    }
    /* The keys as read come first in t; what the batch sets is appended after them. */
    kv *all = rb->nomem ? NULL : realloc(t, (nt + rb->n + 1) * sizeof(*t));
    rb->nomem = rb->nomem || all == NULL;
    t = all ? all : t;
    for (size_t i = 0; !rb->nomem && i < rb->n; i++) {
        fresh[i] = replay_fresh(&rb->m[i], t, &nt);
    }
    for (size_t gi = 0; !rb->nomem && gi < rb->ng; gi++) {
        rb->nomem = compute_group(rb, gi, fresh) != 0;
    }
    free(fresh);
    free(t);
}

/* The "gen" of the record state a write makes: the worker id, its start time and the
 * write's number, so no two writes of any worker share one. With it, "ver" and "gen" name
 * one write, not only one count of writes: after Redis lost its last writes (a restart while
 * appendfsync everysec had postponed them, a failover to a replica that lacked them),
 * another writer reaching the same "ver" again leaves another "gen", and neither the copy
 * this worker holds nor a read made before the loss passes for current. */
static void new_gen(const wk_worker *w, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%llx/%llu", w->cfg->worker_id, (unsigned long long)w->started_ns,
             w->stage_serial);
}

/* Back on the loop thread: the acknowledgement, with the groups. */
static void compute_after_cb(uv_work_t *req, int status)
{
    (void)status;
    wk_rec_batch *rb = req->data;
    wk_worker *w = rb->w;
    wk_ack_batch *b = rb->b;
    wk_cat_release(w, rb->cat);
    rb->cat = NULL;
    wk_rec_count_grading(rb, -1);
    queue_ack a;
    queue_ack_init(&a);
    size_t lost = rb->lost;
    rb->lost = 0;
    if (rb->nomem) {
        lost += rb->n; /* nothing sent: wk_ack_ready reconnects, which returns them */
        wk_ack_ready(w, b, &a, lost);
        return;
    }
    int *gnum = calloc(rb->ng + 1, sizeof(*gnum));
    for (size_t g = 0; gnum && g < rb->ng; g++) {
        rec_group *grp = &rb->g[g];
        grp->gen_new[0] = '\0';
        char stage[400] = "";
        if (grp->doc_new) {
            /* Every write names itself: a stage key of its own, and a "gen" no other write
             * of any worker has (see new_gen). */
            ++w->stage_serial;
            queue_stage_key(stage, sizeof(stage), w->cfg->prefix, w->cfg->worker_id,
                            w->stage_serial);
            new_gen(w, grp->gen_new, sizeof(grp->gen_new));
        }
        const char *ver = grp->ver;
#if ASSAY_TEST_HOOKS
        if (w->fault_conflicts_done < w->cfg->fault_conflicts &&
            strlen(w->cfg->fault_conflict_learner) == grp->learner_len &&
            memcmp(w->cfg->fault_conflict_learner, grp->learner, grp->learner_len) == 0) {
            w->fault_conflicts_done++;
            ver = "fault"; /* no record has it: the ack script refuses the group */
        }
#endif
        gnum[g] = queue_ack_group(&a, grp->key, ver, grp->gen, grp->doc_new, grp->gen_new,
                                  stage, grp->naw ? grp->cred_key : NULL);
        for (size_t k = 0; k < rb->g[g].naw; k++) {
            const wk_award_out *x = &rb->g[g].aw[k];
            queue_ack_award(&a, gnum[g], x->issued, x->field, x->jws, x->event,
                            w->keys.credentials);
        }
    }
    wk_metrics_batch_free(b->metrics);
    b->metrics = wk_metrics_batch_new(rb->n);
    for (size_t i = 0; i < rb->n && gnum; i++) {
        rec_msg *m = &rb->m[i];
        queue_ack_msg qm = {
            .raw = m->raw,
            .len = m->len,
            .lane = b->lane,
            .result = m->result ? m->result : m->o.result,
            .dead = m->dead ? m->dead : m->o.dead,
            .dedupe = m->o.dkey,
            .guard = m->o.gkey,
            .reply = m->o.reply,
            .graded = m->o.graded,
            .force = m->o.force,
            .gave_up = m->o.gave_up,
            .uncounted = m->attempts == 1, /* as in jobs.c */
            .group = m->group >= 0 ? gnum[m->group] : 0,
            .seen_dedupe = m->group >= 0 ? m->seen_d : NULL,
            .seen_guard = m->group >= 0 ? m->seen_g : NULL,
        };
        queue_ack_add(&a, &qm);
        wk_ack_item *it = &b->items[i];
        free(it->id);
        it->id = m->o.id ? strdup(m->o.id) : NULL;
        it->id_len = it->id ? m->o.id_len : 0;
        it->graded = m->o.graded;
        it->force = m->o.force;
        wk_metrics_batch_add(b->metrics, b->lane, m->o.graded, m->o.enqueued_ms);
    }
    if (gnum == NULL) {
        a.oom = true; /* queue_ack_finish reports it: the batch is lost and retried */
        a.n = rb->n;
    }
    free(gnum);
    wk_ack_ready(w, b, &a, lost);
}

void wk_rec_compute(wk_rec_batch *rb)
{
    wk_worker *w = rb->w;
    /* The catalog in service now: a reload since grading is fine, the evidence names its
     * rubric by SHA-256 and version. */
    rb->cat = w->cat;
    rb->cat->refs++;
    rb->req.data = rb;
    if (w->cfg->grade_threads == 0 ||
        uv_queue_work(w->loop, &rb->req, compute_work_cb, compute_after_cb) != 0) {
        compute_work_cb(&rb->req);
        compute_after_cb(&rb->req, 0);
    }
}
