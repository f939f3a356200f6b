/*
 * answer.c - answering one claimed message (see answer.h). Runs on a grading thread: it
 * reads only the configuration, the limits and the catalog its job holds, and logs.
 */
#include "answer.h"

#include "deadletter.h"
#include "log.h"
#include "oversize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void wk_now_rfc3339(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void wk_outcome_free(wk_outcome *o)
{
    free(o->result);
    free(o->dead);
    free(o->dkey);
    free(o->gkey);
    free(o->reply);
    free(o->id);
    free(o->ev);
    memset(o, 0, sizeof(*o));
}

#if ASSAY_TEST_HOOKS
/*
 * Benchmarks only: a canned result of a typical size and a de-duplication key from the
 * message's bytes, without parsing or grading, so the acknowledgement is the same as for a
 * graded message. It measures what the Redis side alone can carry.
 */
static void stub_one(const wk_worker *w, const char *raw, size_t len, wk_outcome *o)
{
    char canned[1024];
    memset(canned, 'x', sizeof(canned) - 1);
    memcpy(canned, "{\"stub\":\"", 9);
    memcpy(canned + sizeof(canned) - 3, "\"}", 2);
    canned[sizeof(canned) - 1] = '\0';
    char key[400];
    queue_dedupe_key(key, sizeof(key), w->cfg->prefix, raw, len, "stub");
    o->result = strdup(canned);
    o->dkey = strdup(key);
    o->graded = true;
}
#endif

/* The de-duplication record of an id: for a graded result it names the rubric's content
 * and the engine's version, so a new engine grades again; else it is the id's error record.
 * A graded result also gets that error record as its guard. */
static void dedupe_keys(const wk_worker *w, const char *id, size_t idlen, const char *sha,
                        wk_outcome *o)
{
    char key[400], grading[200];
    if (o->graded && sha) {
        queue_grading_name(grading, sizeof(grading), sha, assay_version());
        queue_dedupe_key(key, sizeof(key), w->cfg->prefix, id, idlen, grading);
        o->dkey = strdup(key);
        queue_dedupe_key(key, sizeof(key), w->cfg->prefix, id, idlen, "error");
        o->gkey = strdup(key);
    } else {
        queue_dedupe_key(key, sizeof(key), w->cfg->prefix, id, idlen, "error");
        o->dkey = strdup(key);
    }
}

/* Where the result goes: the reply list the submission named (already checked), else the
 * shared P:results. */
static void route(const wk_worker *w, const char *reply_to, wk_outcome *o)
{
    if (reply_to && reply_to[0]) {
        char key[300];
        queue_reply_key(key, sizeof(key), w->cfg->prefix, reply_to);
        o->reply = strdup(key);
    }
}

/* The result of an oversized message: too_large, with the id when its first bytes start
 * with {"id":"..."}, sent to the reply list named right after it. */
static json_t *oversize_result(const wk_worker *w, const char *prefix, size_t len,
                               const wk_oversize *big, const assay_grade_options *opts,
                               wk_outcome *o)
{
    char reply_to[65];
    json_t *id = queue_oversize_id(prefix, len, reply_to);
    json_t *sub = id ? json_pack("{s:o}", "id", id) : NULL;
    char msg[300];
    snprintf(msg, sizeof(msg),
             "the submission is %lld bytes, over the limit of %zu (--max-bytes); it was not "
             "read: its first %d bytes were, for its id",
             big->bytes, w->cfg->max_bytes, QUEUE_OVERSIZE_PREFIX);
    json_t *res = assay_result_error(sub, ASSAY_RESULT_TOO_LARGE, msg, opts);
    json_decref(sub);
    route(w, reply_to, o);
    return res;
}

/* The result of a message delivered too many times: grading_error, without grading it; to
 * the reply list it names when it is valid JSON that names a valid one. */
static json_t *gave_up_result(const wk_worker *w, const char *raw, size_t len, long attempts,
                              const assay_grade_options *opts, wk_outcome *o)
{
    json_t *sub = json_loadb(raw, len < w->limits.max_submission_bytes ? len : 0, 0, NULL);
    char msg[200];
    snprintf(msg, sizeof(msg),
             "gave up after %ld deliveries: the submission was in flight each time a worker "
             "stopped",
             attempts - 1);
    json_t *res = assay_result_error(sub, ASSAY_RESULT_GRADING_ERROR, msg, opts);
    json_t *rt = json_object_get(sub, "reply_to");
    if (json_is_string(rt) &&
        queue_reply_to_valid(json_string_value(rt), json_string_length(rt))) {
        route(w, json_string_value(rt), o);
    }
    json_decref(sub);
    return res;
}

/* Copies what the record needs of a graded result (info's strings live only until the next
 * grading on the scratch). NULL when out of memory. */
static wk_evidence *evidence_copy(const assay_result_info *info)
{
    const char *at = info->submitted_at ? info->submitted_at : info->graded_at;
    const char *head[] = {info->learner,       info->id, info->rubric_id, info->rubric_version,
                          info->rubric_sha256, at};
    size_t nhead = sizeof(head) / sizeof(head[0]);
    size_t n = info->ncompetencies, bytes = 0;
    for (size_t i = 0; i < nhead; i++) {
        bytes += (i == 1 ? info->id_len : strlen(head[i] ? head[i] : "")) + 1;
    }
    for (size_t i = 0; i < n; i++) {
        const assay_result_competency *c = &info->competencies[i];
        bytes += strlen(c->id) + strlen(c->framework) + strlen(c->score_exact) + 3;
    }
    wk_evidence *e = malloc(sizeof(*e) + n * sizeof(e->scores[0]) + bytes);
    if (e == NULL) {
        return NULL;
    }
    char *p = (char *)&e->scores[n];
    const char *copies[6];
    for (size_t i = 0; i < nhead; i++) {
        size_t len = i == 1 ? info->id_len : strlen(head[i] ? head[i] : "");
        memcpy(p, head[i] ? head[i] : "", len);
        p[len] = '\0';
        copies[i] = p;
        p += len + 1;
    }
    for (size_t i = 0; i < n; i++) {
        const assay_result_competency *c = &info->competencies[i];
        const char *src[3] = {c->id, c->framework, c->score_exact};
        const char *dst[3];
        for (int k = 0; k < 3; k++) {
            size_t len = strlen(src[k]);
            memcpy(p, src[k], len + 1);
            dst[k] = p;
            p += len + 1;
        }
        e->scores[i] =
            (assay_record_score){.competency = dst[0], .framework = dst[1], .score = dst[2]};
    }
    e->ev = (assay_record_evidence){.learner = copies[0],
                                    .submission = copies[1],
                                    .rubric_id = copies[2],
                                    .rubric_version = copies[3],
                                    .rubric_sha256 = copies[4],
                                    .at = copies[5],
                                    .scores = e->scores,
                                    .nscores = n};
    return e;
}

/* Logs what became of the message. */
static void log_answer(const wk_outcome *o, const char *code, queue_lane lane, double ms)
{
    if (o->graded) {
        wk_logf(WK_DEBUG,
                &(wk_lf){.event = "graded",
                         .id = o->id,
                         .id_len = o->id_len,
                         .queue = queue_lane_name(lane),
                         WK_MS(ms)},
                "graded %s", o->id);
    } else {
        wk_logf(WK_INFO,
                &(wk_lf){.event = "not_graded",
                         .id = o->id,
                         .id_len = o->id_len,
                         .queue = queue_lane_name(lane),
                         .code = code,
                         WK_MS(ms)},
                "not graded: %s (%s); answering with an error and dead-lettering it "
                "unless it was answered before",
                code, o->id ? o->id : "no id");
    }
}

/* Copies id[0..len) into o (for the log and the acknowledgement's notes). */
static void keep_id(wk_outcome *o, const char *id, size_t len)
{
    o->id = malloc(len + 1);
    if (o->id) {
        memcpy(o->id, id, len);
        o->id[len] = '\0';
        o->id_len = len;
    }
}

/* A result built here (too_large, grading_error): its text, dead letter and keys. */
static void answer_built(const wk_worker *w, json_t *res, const char *raw, size_t len,
                         long attempts, queue_lane lane, const wk_oversize *big, wk_outcome *o)
{
    o->result = res ? assay_result_dumps(res) : NULL;
    if (o->result == NULL) {
        json_decref(res);
        wk_outcome_free(o);
        return;
    }
    char now[40];
    wk_now_rfc3339(now, sizeof(now));
    o->dead =
        big ? queue_dead_encode_oversize(res, big->bytes, big->sha1, w->keys.dead_oversize,
                                         w->cfg->worker_id, now, attempts, lane)
            : queue_dead_encode(res, raw, len, w->cfg->worker_id, now, attempts, lane);
    json_t *id = json_object_get(res, "id");
    if (json_is_string(id)) {
        keep_id(o, json_string_value(id), json_string_length(id));
        dedupe_keys(w, json_string_value(id), json_string_length(id), NULL, o);
    }
    const char *code =
        json_string_value(json_object_get(json_object_get(res, "error"), "code"));
    log_answer(o, code, lane, 0);
    json_decref(res);
    if (o->dead == NULL) {
        /* Out of memory: unacknowledged, so it is retried rather than answered without its
         * dead letter. */
        wk_outcome_free(o);
    }
}

void wk_answer(const wk_worker *w, const assay_catalog *cat, assay_scratch *s, const char *raw,
               size_t len, long redeliveries, queue_lane lane, const wk_oversize *big,
               wk_outcome *o)
{
    long attempts = redeliveries + 1;
    o->enqueued_ms = -1;
    assay_grade_options opts = {.graded_at = NULL, .limits = &w->limits};
#if ASSAY_TEST_HOOKS
    if (w->cfg->stub_grader && big == NULL) {
        stub_one(w, raw, len, o);
        return;
    }
#endif
    if (big) {
        o->oversize = true;
        json_t *res = oversize_result(w, raw, len, big, &opts, o);
        answer_built(w, res, raw, len, attempts, lane, big, o);
        return;
    }
    if (attempts > w->cfg->max_attempts) {
        o->gave_up = true;
        json_t *res = gave_up_result(w, raw, len, attempts, &opts, o);
        answer_built(w, res, raw, len, attempts, lane, NULL, o);
        return;
    }
#if ASSAY_TEST_HOOKS
    if (w->cfg->fault_abort_on && strstr(raw, w->cfg->fault_abort_on)) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "fault_abort"},
                "fault injection: aborting on a message holding \"%s\"",
                w->cfg->fault_abort_on);
        abort();
    }
#endif
    /* Graded by the engine: the result's text and what routes it, without parsing it back. */
    const char *text;
    size_t text_len;
    assay_result_info info;
    double t0 = now_ms();
    if (assay_grade_text(cat, raw, len, s, &opts, &text, &text_len, &info) != 0) {
        return; /* out of memory: left unacknowledged, retried */
    }
    double ms = now_ms() - t0;
    o->result = malloc(text_len + 1);
    if (o->result == NULL) {
        return;
    }
    memcpy(o->result, text, text_len + 1);
    o->graded = info.graded;
    o->force = info.force;
    o->enqueued_ms = info.enqueued_at_ms == ASSAY_NO_TIME ? -1 : info.enqueued_at_ms;
    route(w, info.reply_to, o);
    if (info.id) {
        keep_id(o, info.id, info.id_len);
        dedupe_keys(w, info.id, info.id_len, info.rubric_sha256, o);
    }
    if (w->cfg->records && o->graded && info.id && info.learner && info.learner[0] &&
        (o->ev = evidence_copy(&info)) == NULL) {
        wk_outcome_free(o); /* out of memory: retried rather than answered without it */
        return;
    }
    if (!o->graded) {
        /* The dead letter copies the error's code and message and the id. */
        json_t *e = json_pack("{s:s?, s:{s:s?, s:s?}}", "id", info.id, "error", "code",
                              info.error_code, "message", info.error_message);
        char now[40];
        wk_now_rfc3339(now, sizeof(now));
        o->dead =
            e ? queue_dead_encode(e, raw, len, w->cfg->worker_id, now, attempts, lane) : NULL;
        json_decref(e);
        if (o->dead == NULL) {
            wk_outcome_free(o); /* out of memory: retried rather than answered without it */
            return;
        }
    }
    log_answer(o, info.error_code, lane, ms);
}
