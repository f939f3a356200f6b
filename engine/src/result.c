/*
 * result.c - the result objects: the submission's envelope (id, learner, submitted_at,
 * enqueued_at, reply_to, force and meta, each read and judged on its own), a graded result
 * assembled from the tally of its scoring (score.h) with its overall feedback line, error
 * results for submissions that cannot be graded and the checks of a submission's fields that
 * find them, and the deterministic serialisation (assay_result_dumps). Every result shares
 * one envelope: id, learner, submitted_at, rubric, status, ..., graded_at, engine, meta, in
 * that order.
 *
 * It does not evaluate or total anything: the numbers come from score.c, the check results
 * from check.c.
 */
#include "result.h"

#include "jsonw.h"
#include "qjson.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void now_rfc3339(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *rubric_ref(const assay_rubric *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "version", json_string(r->version));
    json_object_set_new(o, "sha256", json_string(r->sha256));
    json_object_set_new(o, "title", json_string(r->title));
    return o;
}

/* Does a JSON string hold a NUL character? */
static bool has_nul(const json_t *s)
{
    return strlen(json_string_value(s)) != json_string_length(s);
}

/* Are arrays and objects nested in v deeper than max levels? */
static bool nested_deeper(const json_t *v, size_t max)
{
    if (!json_is_object(v) && !json_is_array(v)) {
        return false;
    }
    if (max == 0) {
        return true;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (nested_deeper(json_array_get(v, i), max - 1)) {
                return true;
            }
        }
        return false;
    }
    for (void *it = json_object_iter((json_t *)v); it;
         it = json_object_iter_next((json_t *)v, it)) {
        if (nested_deeper(json_object_iter_value(it), max - 1)) {
            return true;
        }
    }
    return false;
}

/* A valid reply_to: 1 to 64 of [A-Za-z0-9._:-]. */
static bool reply_to_ok(const json_t *v)
{
    if (!json_is_string(v)) {
        return false;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n < 1 || n > 64) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-')) {
            return false;
        }
    }
    return true;
}

/* Reads an optional RFC 3339 field: NULL when absent, null or valid, else the problem. */
static const char *read_time(const json_t *v, char *utc, int64_t *ms)
{
    *ms = ASSAY_NO_TIME;
    if (v == NULL || json_is_null(v)) {
        return NULL;
    }
    if (!json_is_string(v)) {
        return "it is not a string";
    }
    char tmp[RFC3339_UTC_SIZE];
    const char *why =
        assay__rfc3339_utc(json_string_value(v), json_string_length(v), utc ? utc : tmp, ms);
    if (why) {
        *ms = ASSAY_NO_TIME;
    }
    return why;
}

void assay__envelope_read(rs_envelope *e, const json_t *sub)
{
    memset(e, 0, sizeof(*e));
    e->submitted_ms = e->enqueued_ms = ASSAY_NO_TIME;
    if (!json_is_object(sub)) {
        return;
    }
    e->sub = sub;
    /* Only an id that is one (1 to 256 bytes, no NUL) is echoed: never megabytes of "id". */
    const json_t *id = json_object_get(sub, "id");
    if (json_is_string(id) && json_string_length(id) >= 1 && json_string_length(id) <= 256 &&
        !has_nul(id)) {
        e->id = id;
    }
    const json_t *learner = json_object_get(sub, "learner");
    e->learner = json_is_string(learner) ? learner : NULL;
    e->submitted_problem =
        read_time(json_object_get(sub, "submitted_at"), e->submitted, &e->submitted_ms);
    e->has_submitted = e->submitted_ms != ASSAY_NO_TIME;
    e->enqueued_problem = read_time(json_object_get(sub, "enqueued_at"), NULL, &e->enqueued_ms);
    const json_t *rt = json_object_get(sub, "reply_to");
    if (reply_to_ok(rt)) {
        e->reply_to = json_string_value(rt);
    } else {
        e->reply_to_bad = rt != NULL && !json_is_null(rt);
    }
    const json_t *force = json_object_get(sub, "force");
    e->force = json_is_true(force);
    e->force_bad = force != NULL && !json_is_boolean(force) && !json_is_null(force);
    const json_t *meta = json_object_get(sub, "meta");
    e->meta_too_deep = meta && nested_deeper(meta, RS_META_MAX_DEPTH);
    e->meta = e->meta_too_deep ? NULL : meta;
}

void assay__result_framework(const assay_rubric *r, char *buf, size_t size)
{
    snprintf(buf, size, "rubric:%s", r->id);
}

/* The head every result starts with: id, learner, submitted_at (when valid), rubric. */
static json_t *start_result(const rs_envelope *e, const assay_rubric *r)
{
    json_t *res = json_object();
    json_object_set_new(res, "id", e->id ? json_incref((json_t *)e->id) : json_null());
    json_object_set_new(res, "learner",
                        e->learner ? json_incref((json_t *)e->learner) : json_null());
    if (e->has_submitted) {
        json_object_set_new(res, "submitted_at", json_string(e->submitted));
    }
    json_object_set_new(res, "rubric", r ? rubric_ref(r) : json_null());
    return res;
}

/* The tail every result ends with. */
static void finish_result(json_t *res, const rs_envelope *e, const assay_grade_options *opts)
{
    char now[40];
    const char *at = opts && opts->graded_at ? opts->graded_at : NULL;
    if (at == NULL) {
        now_rfc3339(now, sizeof(now));
        at = now;
    }
    json_object_set_new(res, "graded_at", json_string(at));
    json_object_set_new(res, "engine", json_string("assay " ASSAY_VERSION_STRING));
    json_object_set_new(res, "meta", e->meta ? json_deep_copy(e->meta) : json_null());
}

json_t *assay__result_errorf(const rs_envelope *e, const assay_rubric *r, const char *code,
                             const assay_grade_options *opts, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    assay__utf8_scrub(msg); /* "%.128s" may have cut a character in two */
    json_t *res = start_result(e, r);
    json_object_set_new(res, "status", json_string("error"));
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(code));
    json_t *m = json_string(msg);
    json_object_set_new(err, "message", m ? m : json_string("(message not UTF-8)"));
    json_object_set_new(res, "error", err);
    finish_result(res, e, opts);
    return res;
}

json_t *assay_result_error(const json_t *submission, const char *code, const char *message,
                           const assay_grade_options *opts)
{
    rs_envelope e;
    assay__envelope_read(&e, submission);
    return assay__result_errorf(&e, NULL, code, opts, "%s", message);
}

#define TIME_FORM "an RFC 3339 date-time with a time zone, e.g. \"2026-03-01T09:00:00Z\""

json_t *assay__result_validate(const assay_rubric *r, const rs_envelope *e,
                               const assay_limits *lim, const assay_grade_options *opts)
{
    const json_t *sub = e->sub;
    if (sub == NULL) {
        return assay__result_errorf(e, NULL, ASSAY_RESULT_NOT_OBJECT, opts,
                                    "a submission must be a JSON object");
    }
    json_t *id = json_object_get(sub, "id");
    if (id == NULL) {
        return assay__result_errorf(e, NULL, ASSAY_RESULT_MISSING_FIELD, opts,
                                    "the submission has no \"id\"");
    }
    if (e->id == NULL) {
        return assay__result_errorf(e, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"id\" must be a string of 1 to 256 bytes without NUL");
    }
    json_t *rub = json_object_get(sub, "rubric");
    if (rub == NULL) {
        return assay__result_errorf(e, NULL, ASSAY_RESULT_MISSING_FIELD, opts,
                                    "the submission has no \"rubric\" (the rubric's id)");
    }
    if (!json_is_string(rub) || has_nul(rub)) {
        return assay__result_errorf(e, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"rubric\" must be a string (the rubric's id)");
    }
    if (r == NULL || strcmp(json_string_value(rub), r->id) != 0) {
        return assay__result_errorf(e, NULL, ASSAY_RESULT_UNKNOWN_RUBRIC, opts,
                                    "no rubric with id \"%.128s\" is loaded",
                                    json_string_value(rub));
    }
    json_t *ver = json_object_get(sub, "rubric_version");
    if (ver && !json_is_null(ver)) {
        if (!json_is_string(ver) || has_nul(ver)) {
            return assay__result_errorf(e, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                        "\"rubric_version\" must be a string");
        }
        if (strcmp(json_string_value(ver), r->version) != 0) {
            return assay__result_errorf(e, NULL, ASSAY_RESULT_UNKNOWN_VERSION, opts,
                                        "rubric \"%s\" has no version \"%.64s\" loaded", r->id,
                                        json_string_value(ver));
        }
    }
    json_t *learner = json_object_get(sub, "learner");
    if (learner && !(json_is_string(learner) && !has_nul(learner)) && !json_is_null(learner)) {
        return assay__result_errorf(e, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"learner\" must be a string");
    }
    if (e->submitted_problem) {
        return assay__result_errorf(e, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"submitted_at\" must be " TIME_FORM ": %s",
                                    e->submitted_problem);
    }
    if (e->enqueued_problem) {
        return assay__result_errorf(e, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"enqueued_at\" must be " TIME_FORM ": %s",
                                    e->enqueued_problem);
    }
    if (e->reply_to_bad) {
        return assay__result_errorf(e, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"reply_to\" must be a string of 1 to 64 characters, each "
                                    "a letter, a digit or one of . _ : -");
    }
    if (e->force_bad) {
        return assay__result_errorf(e, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"force\" must be true or false");
    }
    if (e->meta_too_deep) {
        return assay__result_errorf(e, r, ASSAY_RESULT_TOO_LARGE, opts,
                                    "\"meta\" is nested more than %d levels deep: send deeper "
                                    "structures as a string",
                                    RS_META_MAX_DEPTH);
    }
    json_t *responses = json_object_get(sub, "responses");
    if (responses == NULL) {
        return assay__result_errorf(e, r, ASSAY_RESULT_MISSING_FIELD, opts,
                                    "the submission has no \"responses\"");
    }
    if (!json_is_object(responses)) {
        return assay__result_errorf(e, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"responses\" must be an object: item id -> answer");
    }
    if (json_object_size(responses) > lim->max_responses) {
        return assay__result_errorf(e, r, ASSAY_RESULT_TOO_LARGE, opts,
                                    "%zu responses is more than the limit of %zu",
                                    json_object_size(responses), lim->max_responses);
    }
    return NULL;
}

/* The text a JSON number is written as. */
static void number_text(const json_t *n, char out[JW_NUMBER_SIZE])
{
    if (json_is_integer(n)) {
        assay__jw_int_text(json_integer_value(n), out);
    } else {
        assay__jw_real_text(json_real_value(n), out);
    }
}

/* The overall feedback line: "7.1 of 8 points; 2 of 3 competencies mastered". */
static json_t *feedback_line(const json_t *score, const json_t *max, size_t mastered,
                             size_t ncomps)
{
    char s[JW_NUMBER_SIZE], m[JW_NUMBER_SIZE], line[200];
    number_text(score, s);
    number_text(max, m);
    int n = snprintf(line, sizeof(line), "%s of %s point%s", s, m, strcmp(m, "1") ? "s" : "");
    if (ncomps > 0) {
        snprintf(line + n, sizeof(line) - (size_t)n, "; %zu of %zu %s mastered", mastered,
                 ncomps, ncomps == 1 ? "competency" : "competencies");
    }
    return json_string(line);
}

/* An item's answer as echoed: cut to RS_ANSWER_MAX bytes on a character boundary. */
static void set_answer(json_t *it, const sc_item *ti)
{
    size_t n = ti->answer_len;
    bool cut = n > RS_ANSWER_MAX;
    if (cut) {
        n = RS_ANSWER_MAX;
        while (n > 0 && ((unsigned char)ti->answer[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    json_object_set_new(it, "answer", json_stringn(ti->answer, n));
    if (cut) {
        json_object_set_new(it, "answer_truncated", json_true());
    }
}

json_t *assay__result_graded(const sc_tally *t, const rs_envelope *e,
                             const assay_grade_options *opts)
{
    const assay_rubric *r = t->r;
    const json_t *sub = e->sub;
    char framework[300];
    assay__result_framework(r, framework, sizeof(framework));
    json_t *comps = json_array();
    size_t mastered = 0;
    for (size_t i = 0; i < r->ncomps; i++) {
        const rb_competency *k = &r->comps[i];
        const rb_level *lv = &k->scale->levels[t->comps[i].level];
        json_t *co = json_object();
        json_object_set_new(co, "id", json_string(k->id));
        json_object_set_new(co, "name", json_string(k->name));
        if (k->ref) {
            json_object_set_new(co, "ref", json_string(k->ref));
        }
        json_object_set_new(co, "framework", json_string(framework));
        json_object_set_new(co, "score", assay__qjson(t->comps[i].score));
        char *exact = mpq_get_str(NULL, 10, t->comps[i].score);
        json_object_set_new(co, "score_exact", json_string(exact));
        free(exact);
        json_object_set_new(co, "level", json_string(lv->id));
        json_object_set_new(co, "level_name", json_string(lv->name));
        json_object_set_new(co, "mastered", json_boolean(t->comps[i].mastered));
        mastered += t->comps[i].mastered;
        json_array_append_new(comps, co);
    }

    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        const sc_item *ti = &t->items[i];
        json_t *it = json_object();
        json_object_set_new(it, "id", json_string(r->items[i].id));
        json_object_set_new(it, "answered", json_boolean(ti->answered));
        if (ti->answered) {
            set_answer(it, ti);
        }
        json_object_set_new(it, "score", assay__qjson(ti->score));
        json_object_set_new(it, "max_score", assay__qjson(ti->max));
        json_object_set(it, "checks", ti->checks);
        json_array_append_new(items, it);
    }

    json_t *warnings = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(sub, "responses"), key, v)
    {
        if (json_object_get(r->item_index, key) == NULL) {
            char w[200];
            snprintf(w, sizeof(w), "response \"%.64s\" matches no item of the rubric", key);
            assay__utf8_scrub(w);
            json_array_append_new(warnings, json_string(w));
        }
    }

    json_t *res = start_result(e, r);
    json_object_set_new(res, "status", json_string("graded"));
    json_t *score = assay__qjson(t->score), *max = assay__qjson(t->max);
    json_object_set_new(res, "score", score);
    json_object_set_new(res, "max_score", max);
    json_object_set_new(res, "feedback", feedback_line(score, max, mastered, r->ncomps));
    json_object_set_new(res, "check_errors", json_integer((json_int_t)t->check_errors));
    json_object_set_new(res, "competencies", comps);
    json_object_set_new(res, "items", items);
    json_object_set_new(res, "warnings", warnings);
    finish_result(res, e, opts);
    return res;
}

typedef struct dumpbuf {
    char *p;
    size_t len, cap;
} dumpbuf;

static int dump_cb(const char *buf, size_t size, void *data)
{
    dumpbuf *d = data;
    if (d->len + size + 1 > d->cap) {
        size_t cap = d->cap * 2 > d->len + size + 1 ? d->cap * 2 : d->len + size + 1;
        char *p = realloc(d->p, cap);
        if (p == NULL) {
            return -1;
        }
        d->p = p;
        d->cap = cap;
    }
    memcpy(d->p + d->len, buf, size);
    d->len += size;
    return 0;
}

char *assay_result_dumps(const json_t *result)
{
    dumpbuf d = {malloc(8192), 0, 8192};
    if (d.p == NULL ||
        json_dump_callback(result, dump_cb, &d, JSON_COMPACT | JSON_REAL_PRECISION(15)) != 0) {
        free(d.p);
        return NULL;
    }
    d.p[d.len] = '\0';
    return d.p;
}
