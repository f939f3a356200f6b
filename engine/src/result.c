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
    size_t n = strlen(r->id);
    if (n + 8 > size) {
        n = size - 8; /* ids are at most LD_ID_MAX bytes: cannot happen */
    }
    memcpy(buf, "rubric:", 7);
    memcpy(buf + 7, r->id, n);
    buf[7 + n] = '\0';
}

const char *assay__result_graded_at(const assay_grade_options *opts, char buf[40])
{
    if (opts && opts->graded_at) {
        return opts->graded_at;
    }
    now_rfc3339(buf, 40);
    return buf;
}

void assay__result_error_set(rs_error *err, const assay_rubric *r, const char *code,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    assay__utf8_scrub(err->message); /* "%.128s" may have cut a character in two */
    if (!assay__utf8_valid(err->message, strlen(err->message))) {
        snprintf(err->message, sizeof(err->message), "(message not UTF-8)");
    }
    err->code = code;
    err->rubric = r;
}

json_t *assay_result_error(const json_t *submission, const char *code, const char *message,
                           const assay_grade_options *opts)
{
    rs_envelope e;
    rs_error err;
    assay__envelope_read(&e, submission);
    assay__result_error_set(&err, NULL, code, "%s", message);
    return assay__result_error_object(&e, &err, opts);
}

#define TIME_FORM "an RFC 3339 date-time with a time zone, e.g. \"2026-03-01T09:00:00Z\""

bool assay__result_validate(const assay_rubric *r, const rs_envelope *e,
                            const assay_limits *lim, rs_error *err)
{
    const json_t *sub = e->sub;
    if (sub == NULL) {
        assay__result_error_set(err, NULL, ASSAY_RESULT_NOT_OBJECT,
                                "a submission must be a JSON object");
        return true;
    }
    json_t *id = json_object_get(sub, "id");
    if (id == NULL) {
        assay__result_error_set(err, NULL, ASSAY_RESULT_MISSING_FIELD,
                                "the submission has no \"id\"");
        return true;
    }
    if (e->id == NULL) {
        assay__result_error_set(err, NULL, ASSAY_RESULT_WRONG_TYPE,
                                "\"id\" must be a string of 1 to 256 bytes without NUL");
        return true;
    }
    json_t *rub = json_object_get(sub, "rubric");
    if (rub == NULL) {
        assay__result_error_set(err, NULL, ASSAY_RESULT_MISSING_FIELD,
                                "the submission has no \"rubric\" (the rubric's id)");
        return true;
    }
    if (!json_is_string(rub) || has_nul(rub)) {
        assay__result_error_set(err, NULL, ASSAY_RESULT_WRONG_TYPE,
                                "\"rubric\" must be a string (the rubric's id)");
        return true;
    }
    if (r == NULL || strcmp(json_string_value(rub), r->id) != 0) {
        assay__result_error_set(err, NULL, ASSAY_RESULT_UNKNOWN_RUBRIC,
                                "no rubric with id \"%.128s\" is loaded",
                                json_string_value(rub));
        return true;
    }
    json_t *ver = json_object_get(sub, "rubric_version");
    if (ver && !json_is_null(ver)) {
        if (!json_is_string(ver) || has_nul(ver)) {
            assay__result_error_set(err, NULL, ASSAY_RESULT_WRONG_TYPE,
                                    "\"rubric_version\" must be a string");
            return true;
        }
        if (strcmp(json_string_value(ver), r->version) != 0) {
            assay__result_error_set(err, NULL, ASSAY_RESULT_UNKNOWN_VERSION,
                                    "rubric \"%s\" has no version \"%.64s\" loaded", r->id,
                                    json_string_value(ver));
            return true;
        }
    }
    json_t *learner = json_object_get(sub, "learner");
    if (learner && !(json_is_string(learner) && !has_nul(learner)) && !json_is_null(learner)) {
        assay__result_error_set(err, r, ASSAY_RESULT_WRONG_TYPE,
                                "\"learner\" must be a string");
        return true;
    }
    if (e->submitted_problem) {
        assay__result_error_set(err, r, ASSAY_RESULT_WRONG_TYPE,
                                "\"submitted_at\" must be " TIME_FORM ": %s",
                                e->submitted_problem);
        return true;
    }
    if (e->enqueued_problem) {
        assay__result_error_set(err, r, ASSAY_RESULT_WRONG_TYPE,
                                "\"enqueued_at\" must be " TIME_FORM ": %s",
                                e->enqueued_problem);
        return true;
    }
    if (e->reply_to_bad) {
        assay__result_error_set(err, r, ASSAY_RESULT_WRONG_TYPE,
                                "\"reply_to\" must be a string of 1 to 64 characters, each a "
                                "letter, a digit or one of . _ : -");
        return true;
    }
    if (e->force_bad) {
        assay__result_error_set(err, r, ASSAY_RESULT_WRONG_TYPE,
                                "\"force\" must be true or false");
        return true;
    }
    if (e->meta_too_deep) {
        assay__result_error_set(err, r, ASSAY_RESULT_TOO_LARGE,
                                "\"meta\" is nested more than %d levels deep: send deeper "
                                "structures as a string",
                                RS_META_MAX_DEPTH);
        return true;
    }
    json_t *responses = json_object_get(sub, "responses");
    if (responses == NULL) {
        assay__result_error_set(err, r, ASSAY_RESULT_MISSING_FIELD,
                                "the submission has no \"responses\"");
        return true;
    }
    if (!json_is_object(responses)) {
        assay__result_error_set(err, r, ASSAY_RESULT_WRONG_TYPE,
                                "\"responses\" must be an object: item id -> answer");
        return true;
    }
    if (json_object_size(responses) > lim->max_responses) {
        assay__result_error_set(err, r, ASSAY_RESULT_TOO_LARGE,
                                "%zu responses is more than the limit of %zu",
                                json_object_size(responses), lim->max_responses);
        return true;
    }
    return false;
}

/* Appends s to line at *n (bounded by size). */
static void append(char *line, size_t size, size_t *n, const char *s)
{
    size_t k = strlen(s);
    if (*n + k >= size) {
        k = size - 1 - *n;
    }
    memcpy(line + *n, s, k);
    *n += k;
    line[*n] = '\0';
}

/* out = x. */
static void rat_get_mpq(mpq_t out, const rat *x)
{
    if (x->big) {
        mpq_set(out, x->q);
    } else {
        mpz_set_si(mpq_numref(out), (long)x->n);
        mpz_set_si(mpq_denref(out), (long)x->d); /* lowest terms, d > 0: canonical */
    }
}

const char *assay__result_feedback(const assay_rubric *r, char *line, size_t size,
                                   const rat *score, const rat *max, size_t mastered)
{
    if (r->nbands > 0) {
        /* A rubric worth no points has no fraction: it gets the first band (min 0). */
        mpq_t f, m;
        mpq_inits(f, m, NULL);
        if (assay__rat_sgn(max) > 0) {
            rat_get_mpq(f, score);
            rat_get_mpq(m, max);
            mpq_div(f, f, m);
        }
        const char *text = assay__rubric_band_text(r, f);
        mpq_clears(f, m, NULL);
        return text;
    }
    size_t ncomps = r->ncomps;
    char s[JW_NUMBER_SIZE], m[JW_NUMBER_SIZE];
    assay__rat_json_text(score, s);
    assay__rat_json_text(max, m);
    size_t n = 0;
    line[0] = '\0';
    append(line, size, &n, s);
    append(line, size, &n, " of ");
    append(line, size, &n, m);
    append(line, size, &n, strcmp(m, "1") ? " points" : " point");
    if (ncomps > 0) {
        char a[JW_NUMBER_SIZE], b[JW_NUMBER_SIZE];
        assay__jw_int_text((int64_t)mastered, a);
        assay__jw_int_text((int64_t)ncomps, b);
        append(line, size, &n, "; ");
        append(line, size, &n, a);
        append(line, size, &n, " of ");
        append(line, size, &n, b);
        append(line, size, &n, ncomps == 1 ? " competency mastered" : " competencies mastered");
    }
    return line;
}

size_t assay__result_answer_len(const char *answer, size_t len, bool *cut)
{
    *cut = len > RS_ANSWER_MAX;
    if (!*cut) {
        return len;
    }
    size_t n = RS_ANSWER_MAX;
    while (n > 0 && ((unsigned char)answer[n] & 0xC0) == 0x80) {
        n--;
    }
    return n;
}

void assay__result_warning(char w[200], const char *key)
{
    snprintf(w, 200, "response \"%.64s\" matches no item of the rubric", key);
    assay__utf8_scrub(w);
}

bool assay__result_is_item(const assay_rubric *r, const char *key)
{
    return json_object_get(r->item_index, key) != NULL;
}

/* ---- Objects ----------------------------------------------------------------------------- */

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
    json_object_set_new(res, "graded_at", json_string(assay__result_graded_at(opts, now)));
    json_object_set_new(res, "engine", json_string("assay " ASSAY_VERSION_STRING));
    json_object_set_new(res, "meta", e->meta ? json_deep_copy(e->meta) : json_null());
}

json_t *assay__result_error_object(const rs_envelope *e, const rs_error *err,
                                   const assay_grade_options *opts)
{
    json_t *res = start_result(e, err->rubric);
    json_object_set_new(res, "status", json_string("error"));
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(err->code));
    json_object_set_new(o, "message", json_string(err->message));
    json_object_set_new(res, "error", o);
    finish_result(res, e, opts);
    return res;
}

/* sc_item_fn: one item as an object, appended to the array in t->out. */
static void item_object(sc_tally *t, size_t index, const sc_item *ti, const ck_context *g)
{
    json_t *it = json_object();
    json_object_set_new(it, "id", json_string(t->r->items[index].id));
    json_object_set_new(it, "answered", json_boolean(ti->answered));
    if (ti->answered) {
        bool cut;
        size_t n = assay__result_answer_len(ti->answer, ti->answer_len, &cut);
        json_object_set_new(it, "answer", json_stringn(ti->answer, n));
        if (cut) {
            json_object_set_new(it, "answer_truncated", json_true());
        }
    }
    json_object_set_new(it, "score", assay__rat_json(&ti->score));
    json_object_set_new(it, "max_score", assay__rat_json(&ti->max));
    json_t *checks = json_array();
    for (size_t i = 0; i < g->s->nrecs; i += g->s->recs[i].span) {
        json_array_append_new(checks, assay__check_object(g, i));
    }
    json_object_set_new(it, "checks", checks);
    json_array_append_new(t->out, it);
}

void assay__result_collect_objects(sc_tally *t)
{
    t->item_done = item_object;
    t->out = json_array();
}

json_t *assay__result_graded(sc_tally *t, const rs_envelope *e, const assay_grade_options *opts)
{
    const assay_rubric *r = t->r;
    const json_t *sub = e->sub;
    char framework[300];
    assay__result_framework(r, framework, sizeof(framework));
    json_t *comps = json_array();
    size_t mastered = 0;
    jw_buf exact = {0};
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
        json_object_set_new(co, "score", assay__rat_json(&t->comps[i].score));
        exact.len = 0;
        assay__rat_write_exact(&exact, &t->comps[i].score);
        json_object_set_new(co, "score_exact",
                            assay__jw_finish(&exact) ? json_string(exact.p) : NULL);
        json_object_set_new(co, "level", json_string(lv->id));
        json_object_set_new(co, "level_name", json_string(lv->name));
        json_object_set_new(co, "mastered", json_boolean(t->comps[i].mastered));
        mastered += t->comps[i].mastered;
        json_array_append_new(comps, co);
    }
    assay__jw_free(&exact);

    json_t *warnings = json_array();
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(sub, "responses"), key, v)
    {
        if (!assay__result_is_item(r, key)) {
            char w[200];
            assay__result_warning(w, key);
            json_array_append_new(warnings, json_string(w));
        }
    }

    json_t *res = start_result(e, r);
    json_object_set_new(res, "status", json_string("graded"));
    json_object_set_new(res, "score", assay__rat_json(&t->score));
    json_object_set_new(res, "max_score", assay__rat_json(&t->max));
    char line[200];
    json_object_set_new(res, "feedback",
                        json_string(assay__result_feedback(r, line, sizeof(line), &t->score,
                                                           &t->max, mastered)));
    json_object_set_new(res, "check_errors", json_integer((json_int_t)t->check_errors));
    json_object_set_new(res, "competencies", comps);
    json_object_set_new(res, "items", t->out);
    t->out = NULL;
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
