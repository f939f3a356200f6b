/*
 * result.c - the result objects: a graded result assembled from the tally of its scoring
 * (score.h), error results for submissions that cannot be graded and the checks of a
 * submission's fields that find them, and the deterministic serialisation
 * (assay_result_dumps). Every result shares one envelope: id, learner, rubric, status, ...,
 * graded_at, engine, meta, in that order.
 *
 * It does not evaluate or total anything: the numbers come from score.c, the check results
 * from check.c.
 */
#include "result.h"

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
    return o;
}

static json_t *string_or_null(const json_t *v)
{
    return json_is_string(v) ? json_incref((json_t *)v) : json_null();
}

/* The tail every result ends with. */
static void finish_result(json_t *res, const json_t *sub, const assay_grade_options *opts)
{
    char now[40];
    const char *at = opts && opts->graded_at ? opts->graded_at : NULL;
    if (at == NULL) {
        now_rfc3339(now, sizeof(now));
        at = now;
    }
    json_object_set_new(res, "graded_at", json_string(at));
    json_object_set_new(res, "engine", json_string("assay " ASSAY_VERSION_STRING));
    json_t *meta = sub && json_is_object(sub) ? json_object_get(sub, "meta") : NULL;
    json_object_set_new(res, "meta", meta ? json_deep_copy(meta) : json_null());
}

json_t *assay__result_errorf(const json_t *sub, const assay_rubric *r, const char *code,
                             const assay_grade_options *opts, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    assay__utf8_scrub(msg); /* "%.128s" may have cut a character in two */
    bool obj = sub && json_is_object(sub);
    json_t *res = json_object();
    /* Only an id that is one (1 to 256 bytes, no NUL) is echoed: never megabytes of "id". */
    json_t *id = obj ? json_object_get(sub, "id") : NULL;
    bool echo = json_is_string(id) && json_string_length(id) >= 1 &&
                json_string_length(id) <= 256 &&
                strlen(json_string_value(id)) == json_string_length(id);
    json_object_set_new(res, "id", echo ? json_incref(id) : json_null());
    json_object_set_new(res, "learner",
                        string_or_null(obj ? json_object_get(sub, "learner") : NULL));
    json_object_set_new(res, "rubric", r ? rubric_ref(r) : json_null());
    json_object_set_new(res, "status", json_string("error"));
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(code));
    json_t *m = json_string(msg);
    json_object_set_new(err, "message", m ? m : json_string("(message not UTF-8)"));
    json_object_set_new(res, "error", err);
    finish_result(res, sub, opts);
    return res;
}

json_t *assay_result_error(const json_t *submission, const char *code, const char *message,
                           const assay_grade_options *opts)
{
    return assay__result_errorf(submission, NULL, code, opts, "%s", message);
}

/* Does a JSON string hold a NUL character? */
static bool has_nul(const json_t *s)
{
    return strlen(json_string_value(s)) != json_string_length(s);
}

json_t *assay__result_validate(const assay_rubric *r, const json_t *sub,
                               const assay_limits *lim, const assay_grade_options *opts)
{
    if (!json_is_object(sub)) {
        return assay__result_errorf(sub, NULL, ASSAY_RESULT_NOT_OBJECT, opts,
                                    "a submission must be a JSON object");
    }
    json_t *id = json_object_get(sub, "id");
    if (id == NULL) {
        return assay__result_errorf(sub, NULL, ASSAY_RESULT_MISSING_FIELD, opts,
                                    "the submission has no \"id\"");
    }
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 256 ||
        has_nul(id)) {
        return assay__result_errorf(sub, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"id\" must be a string of 1 to 256 bytes without NUL");
    }
    json_t *rub = json_object_get(sub, "rubric");
    if (rub == NULL) {
        return assay__result_errorf(sub, NULL, ASSAY_RESULT_MISSING_FIELD, opts,
                                    "the submission has no \"rubric\" (the rubric's id)");
    }
    if (!json_is_string(rub) || has_nul(rub)) {
        return assay__result_errorf(sub, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"rubric\" must be a string (the rubric's id)");
    }
    if (r == NULL || strcmp(json_string_value(rub), r->id) != 0) {
        return assay__result_errorf(sub, NULL, ASSAY_RESULT_UNKNOWN_RUBRIC, opts,
                                    "no rubric with id \"%.128s\" is loaded",
                                    json_string_value(rub));
    }
    json_t *ver = json_object_get(sub, "rubric_version");
    if (ver && !json_is_null(ver)) {
        if (!json_is_string(ver) || has_nul(ver)) {
            return assay__result_errorf(sub, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                        "\"rubric_version\" must be a string");
        }
        if (strcmp(json_string_value(ver), r->version) != 0) {
            return assay__result_errorf(sub, NULL, ASSAY_RESULT_UNKNOWN_VERSION, opts,
                                        "rubric \"%s\" has no version \"%.64s\" loaded", r->id,
                                        json_string_value(ver));
        }
    }
    json_t *learner = json_object_get(sub, "learner");
    if (learner && !(json_is_string(learner) && !has_nul(learner)) && !json_is_null(learner)) {
        return assay__result_errorf(sub, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"learner\" must be a string");
    }
    json_t *responses = json_object_get(sub, "responses");
    if (responses == NULL) {
        return assay__result_errorf(sub, r, ASSAY_RESULT_MISSING_FIELD, opts,
                                    "the submission has no \"responses\"");
    }
    if (!json_is_object(responses)) {
        return assay__result_errorf(sub, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                    "\"responses\" must be an object: item id -> answer");
    }
    if (json_object_size(responses) > lim->max_responses) {
        return assay__result_errorf(sub, r, ASSAY_RESULT_TOO_LARGE, opts,
                                    "%zu responses is more than the limit of %zu",
                                    json_object_size(responses), lim->max_responses);
    }
    return NULL;
}

json_t *assay__result_graded(const sc_tally *t, const json_t *sub,
                             const assay_grade_options *opts)
{
    const assay_rubric *r = t->r;
    json_t *comps = json_array();
    for (size_t i = 0; i < r->ncomps; i++) {
        const rb_competency *k = &r->comps[i];
        const rb_level *lv = &k->scale->levels[t->comps[i].level];
        json_t *co = json_object();
        json_object_set_new(co, "id", json_string(k->id));
        json_object_set_new(co, "name", json_string(k->name));
        if (k->ref) {
            json_object_set_new(co, "ref", json_string(k->ref));
        }
        json_object_set_new(co, "score", assay__qjson(t->comps[i].score));
        json_object_set_new(co, "level", json_string(lv->id));
        json_object_set_new(co, "level_name", json_string(lv->name));
        json_object_set_new(co, "mastered", json_boolean(t->comps[i].mastered));
        json_array_append_new(comps, co);
    }

    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        const sc_item *ti = &t->items[i];
        json_t *it = json_object();
        json_object_set_new(it, "id", json_string(r->items[i].id));
        json_object_set_new(it, "answered", json_boolean(ti->answered));
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

    json_t *res = json_object();
    json_object_set_new(res, "id", json_incref(json_object_get(sub, "id")));
    json_object_set_new(res, "learner", string_or_null(json_object_get(sub, "learner")));
    json_object_set_new(res, "rubric", rubric_ref(r));
    json_object_set_new(res, "status", json_string("graded"));
    json_object_set_new(res, "score", assay__qjson(t->score));
    json_object_set_new(res, "max_score", assay__qjson(t->max));
    json_object_set_new(res, "check_errors", json_integer((json_int_t)t->check_errors));
    json_object_set_new(res, "competencies", comps);
    json_object_set_new(res, "items", items);
    json_object_set_new(res, "warnings", warnings);
    finish_result(res, sub, opts);
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
