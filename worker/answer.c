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

static void now_rfc3339(char *buf, size_t size)
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

/* The de-duplication record of the result's id: for a graded result it names the rubric's
 * content and the engine's version, so a new engine grades again; else it is the id's
 * error record. A graded result also gets that error record as its guard. */
static void dedupe_keys(const wk_worker *w, const json_t *res, const json_t *id, wk_outcome *o)
{
    char key[400], grading[200];
    const char *sha =
        json_string_value(json_object_get(json_object_get(res, "rubric"), "sha256"));
    const char *ids = json_string_value(id);
    size_t idlen = json_string_length(id);
    if (o->graded && sha) {
        queue_grading_name(grading, sizeof(grading), sha, assay_version());
        queue_dedupe_key(key, sizeof(key), w->cfg->prefix, ids, idlen, grading);
        o->dkey = strdup(key);
        queue_dedupe_key(key, sizeof(key), w->cfg->prefix, ids, idlen, "error");
        o->gkey = strdup(key);
    } else {
        queue_dedupe_key(key, sizeof(key), w->cfg->prefix, ids, idlen, "error");
        o->dkey = strdup(key);
    }
}

/* The result of an oversized message: too_large, with the id when its first bytes start
 * with {"id":"..."}. */
static json_t *oversize_result(const wk_worker *w, const char *prefix, size_t len,
                               const wk_oversize *big, const assay_grade_options *opts)
{
    json_t *id = queue_oversize_id(prefix, len);
    json_t *sub = id ? json_pack("{s:o}", "id", id) : NULL;
    char msg[300];
    snprintf(msg, sizeof(msg),
             "the submission is %lld bytes, over the limit of %zu (--max-bytes); it was not "
             "read: its first %d bytes were, for its id",
             big->bytes, w->cfg->max_bytes, QUEUE_OVERSIZE_PREFIX);
    json_t *res = assay_result_error(sub, ASSAY_RESULT_TOO_LARGE, msg, opts);
    json_decref(sub);
    return res;
}

void wk_answer(const wk_worker *w, const assay_catalog *cat, assay_scratch *s, const char *raw,
               size_t len, long redeliveries, queue_lane lane, const wk_oversize *big,
               wk_outcome *o)
{
    long attempts = redeliveries + 1;
    double ms = 0; /* grading time */
    assay_grade_options opts = {.graded_at = NULL, .limits = &w->limits};
    json_t *res;
#if ASSAY_TEST_HOOKS
    if (w->cfg->stub_grader && big == NULL) {
        stub_one(w, raw, len, o);
        return;
    }
#endif
    if (big) {
        res = oversize_result(w, raw, len, big, &opts);
        o->oversize = true;
    } else if (attempts > w->cfg->max_attempts) {
        json_t *sub = json_loadb(raw, len < w->limits.max_submission_bytes ? len : 0, 0, NULL);
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "gave up after %ld deliveries: the submission was in flight each time a "
                 "worker stopped",
                 attempts - 1);
        res = assay_result_error(sub, ASSAY_RESULT_GRADING_ERROR, msg, &opts);
        json_decref(sub);
        o->gave_up = true;
    } else {
#if ASSAY_TEST_HOOKS
        if (w->cfg->fault_abort_on && strstr(raw, w->cfg->fault_abort_on)) {
            wk_logf(WK_ERROR, &(wk_lf){.event = "fault_abort"},
                    "fault injection: aborting on a message holding \"%s\"",
                    w->cfg->fault_abort_on);
            abort();
        }
#endif
        double t0 = now_ms();
        res = assay_grade_buffer(cat, raw, len, s, &opts);
        ms = now_ms() - t0;
    }
    o->result = res ? assay_result_dumps(res) : NULL;
    if (o->result == NULL) {
        json_decref(res);
        return;
    }
    const char *status = json_string_value(json_object_get(res, "status"));
    o->graded = status && strcmp(status, "graded") == 0;
    if (!o->graded) {
        char now[40];
        now_rfc3339(now, sizeof(now));
        o->dead =
            big ? queue_dead_encode_oversize(res, big->bytes, big->sha1, w->keys.dead_oversize,
                                             w->cfg->worker_id, now, attempts, lane)
                : queue_dead_encode(res, raw, len, w->cfg->worker_id, now, attempts, lane);
        if (o->dead == NULL) {
            /* Out of memory: unacknowledged, so it is retried rather than answered without
             * its dead letter. */
            wk_outcome_free(o);
            json_decref(res);
            return;
        }
    }
    json_t *id = json_object_get(res, "id");
    if (json_is_string(id)) {
        dedupe_keys(w, res, id, o);
        o->id_len = json_string_length(id);
        o->id = malloc(o->id_len + 1);
        if (o->id) {
            memcpy(o->id, json_string_value(id), o->id_len + 1);
        }
    }
    const char *sid = json_string_value(id);
    size_t sid_len = sid ? json_string_length(id) : 0;
    if (o->graded) {
        wk_logf(WK_DEBUG,
                &(wk_lf){.event = "graded",
                         .id = sid,
                         .id_len = sid_len,
                         .queue = queue_lane_name(lane),
                         WK_MS(ms)},
                "graded %s", sid);
    } else {
        const char *code =
            json_string_value(json_object_get(json_object_get(res, "error"), "code"));
        wk_logf(WK_INFO,
                &(wk_lf){.event = "not_graded",
                         .id = sid,
                         .id_len = sid_len,
                         .queue = queue_lane_name(lane),
                         .code = code,
                         WK_MS(ms)},
                "not graded: %s (%s); answering with an error and dead-lettering it "
                "unless it was answered before",
                code, sid ? sid : "no id");
    }
    json_decref(res);
}
