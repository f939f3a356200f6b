/*
 * grade.c - the grading entry points: raw submission bytes to a result (size limit, BOM,
 * JSON and UTF-8 checks, the rubric the submission names found in the catalog), a parsed
 * submission to a result (validate, score, assemble), and either as text in the scratch
 * with the facts a worker routes by (assay_grade_text).
 *
 * The data path: bytes -> json (jansson) -> envelope and validation (result.c) -> scored
 * (score.c, check results from check.c) -> result object (result.c) -> text.
 */
#include "result.h"
#include "score.h"
#include "scratch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Oversized submissions up to this size are still parsed for their id. */
#define TOO_LARGE_PARSE_MAX ((size_t)64 << 20)

/*
 * The front of grading raw bytes: the size limit, the BOM, the parse, and the rubric the
 * submission names. Sets *sub to the parsed submission (NULL when it is not JSON; caller
 * json_decref()s) and *r to its rubric (NULL when none). @return false when the submission
 * is to be validated and graded, else true with err saying why not.
 */
static bool front(const assay_catalog *c, const char *buf, size_t len, const assay_limits *lim,
                  json_t **sub, const assay_rubric **r, rs_error *err)
{
    *sub = NULL;
    *r = NULL;
    if (len > lim->max_submission_bytes) {
        /* Not graded, but answered with its id when it has one, so the LMS can match the
         * answer: parsing is bounded (jansson is linear), grading is what the limit spares. */
        *sub = len <= TOO_LARGE_PARSE_MAX ? json_loadb(buf, len, 0, NULL) : NULL;
        assay__result_error_set(err, NULL, ASSAY_RESULT_TOO_LARGE,
                                "the submission is %zu bytes, more than the limit of %zu", len,
                                lim->max_submission_bytes);
        return true;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        assay__result_error_set(err, NULL, ASSAY_RESULT_MALFORMED_JSON,
                                "the submission starts with a UTF-8 byte order mark (BOM): "
                                "send the JSON without it");
        return true;
    }
    json_error_t je;
    /* Any JSON value is read, so a scalar is reported as "not an object" rather than as
     * malformed; NUL is allowed inside strings and judged where it matters (an answer with
     * one is an invalid answer, an id with one a wrong type). */
    *sub = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (*sub == NULL) {
        if (json_error_code(&je) == json_error_invalid_utf8) {
            assay__result_error_set(err, NULL, ASSAY_RESULT_INVALID_UTF8,
                                    "the submission is not valid UTF-8 (byte %d): %s",
                                    je.position, je.text);
        } else {
            assay__result_error_set(
                err, NULL, ASSAY_RESULT_MALFORMED_JSON,
                "the submission is not valid JSON: %s at line %d, column %d", je.text, je.line,
                je.column);
        }
        return true;
    }
    if (json_is_object(*sub)) {
        json_t *rid = json_object_get(*sub, "rubric");
        json_t *ver = json_object_get(*sub, "rubric_version");
        if (json_is_string(rid)) {
            *r = assay_catalog_find(c, json_string_value(rid),
                                    json_is_string(ver) ? json_string_value(ver) : NULL);
            if (*r == NULL && json_is_string(ver)) {
                /* The rubric exists, but not that version: say which are loaded. */
                *r = assay_catalog_find(c, json_string_value(rid), NULL);
            }
        }
    }
    return false;
}

static const assay_limits *limits_of(const assay_grade_options *opts, assay_limits *deflim)
{
    if (opts && opts->limits) {
        return opts->limits;
    }
    *deflim = assay_limits_default();
    return deflim;
}

/* Validates, scores and assembles the result object of a parsed submission. */
static json_t *grade_object(const assay_rubric *r, const rs_envelope *e, assay_scratch *s,
                            const assay_grade_options *opts, const assay_limits *lim)
{
    rs_error err;
    if (assay__result_validate(r, e, lim, &err)) {
        return assay__result_error_object(e, &err, opts);
    }
    sc_tally t = {.r = r};
    assay__result_collect_objects(&t);
    json_t *res = NULL;
    if (t.out && assay__score(&t, json_object_get(e->sub, "responses"), s, lim) == 0) {
        res = assay__result_graded(&t, e, opts);
    }
    json_decref(t.out);
    assay__score_clear(&t);
    return res;
}

json_t *assay_grade_buffer(const assay_catalog *c, const char *buf, size_t len,
                           assay_scratch *s, const assay_grade_options *opts)
{
    assay_limits deflim;
    const assay_limits *lim = limits_of(opts, &deflim);
    json_t *sub;
    const assay_rubric *r;
    rs_error err;
    rs_envelope e;
    bool bad = front(c, buf, len, lim, &sub, &r, &err);
    assay__envelope_read(&e, sub);
    json_t *res =
        bad ? assay__result_error_object(&e, &err, opts) : grade_object(r, &e, s, opts, lim);
    json_decref(sub);
    return res;
}

json_t *assay_grade_json(const assay_rubric *r, const json_t *sub, assay_scratch *s,
                         const assay_grade_options *opts)
{
    assay_limits deflim;
    const assay_limits *lim = limits_of(opts, &deflim);
    rs_envelope e;
    assay__envelope_read(&e, sub);
    return grade_object(r, &e, s, opts, lim);
}

/* ---------------------------------------------------------------------------------------
 * Text and the worker's facts.
 */

#define NO_STR SIZE_MAX

/* Copies str[0..n) and a NUL into the scratch's string space. @return its offset. */
static size_t keep(jw_buf *b, const char *str, size_t n)
{
    size_t at = b->len;
    jw_put(b, str, n);
    jw_put(b, "", 1);
    return at;
}

static size_t keep_str(jw_buf *b, const char *str)
{
    return str ? keep(b, str, strlen(str)) : NO_STR;
}

static const char *kept(const jw_buf *b, size_t at)
{
    return at == NO_STR ? NULL : b->p + at;
}

/* The facts every result gives: from the envelope, the rubric named, the error. */
static void info_head(assay_result_info *info, const rs_envelope *e)
{
    memset(info, 0, sizeof(*info));
    if (e->id) { /* the result echoes exactly this id */
        info->id = json_string_value(e->id);
        info->id_len = json_string_length(e->id);
    }
    if (e->learner && strlen(json_string_value(e->learner)) == json_string_length(e->learner)) {
        info->learner = json_string_value(e->learner);
    }
    info->reply_to = e->reply_to;
    info->force = e->force && !e->force_bad;
    info->submitted_at_ms = e->submitted_ms;
    info->enqueued_at_ms = e->enqueued_ms;
}

/* Fills info for a result naming rubric r (NULL: none), with err (NULL: graded, t set).
 * @return 0 or -1. */
static int fill_info(assay_scratch *s, assay_result_info *info, const rs_envelope *e,
                     const assay_rubric *r, const rs_error *err, const sc_tally *t,
                     const char *graded_at)
{
    jw_buf *b = &s->strs;
    b->len = 0;
    info_head(info, e);
    info->graded = err == NULL;
    size_t rid = keep_str(b, r ? r->id : NULL);
    size_t rver = keep_str(b, r ? r->version : NULL);
    size_t rsha = keep_str(b, r ? r->sha256 : NULL);
    size_t code = keep_str(b, err ? err->code : NULL);
    size_t msg = keep_str(b, err ? err->message : NULL);
    size_t at = keep_str(b, graded_at);
    size_t sub_at = keep_str(b, e->has_submitted ? e->submitted : NULL);
    size_t n = err ? 0 : r->ncomps;
    if (n > s->comps_cap) {
        assay_result_competency *nc = realloc(s->comps, n * sizeof(*nc));
        if (nc == NULL) {
            return -1;
        }
        s->comps = nc;
        s->comps_cap = n;
    }
    /* Offsets first (the string space may move as it grows), pointers at the end. */
    for (size_t i = 0; i < n; i++) {
        const rb_competency *k = &r->comps[i];
        assay_result_competency *rc = &s->comps[i];
        rc->id = (const char *)(uintptr_t)keep_str(b, k->id);
        rc->framework = (const char *)(uintptr_t)keep_str(b, k->framework);
        size_t ex = b->len;
        assay__rat_write_exact(b, &t->comps[i].score);
        jw_put(b, "", 1);
        rc->score_exact = (const char *)(uintptr_t)ex;
        rc->level =
            (const char *)(uintptr_t)keep_str(b, k->scale->levels[t->comps[i].level].id);
        rc->mastered = t->comps[i].mastered;
    }
    if (b->failed) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        assay_result_competency *rc = &s->comps[i];
        rc->id = kept(b, (uintptr_t)rc->id);
        rc->framework = kept(b, (uintptr_t)rc->framework);
        rc->score_exact = kept(b, (uintptr_t)rc->score_exact);
        rc->level = kept(b, (uintptr_t)rc->level);
    }
    info->rubric_id = kept(b, rid);
    info->rubric_version = kept(b, rver);
    info->rubric_sha256 = kept(b, rsha);
    info->error_code = kept(b, code);
    info->error_message = kept(b, msg);
    info->graded_at = kept(b, at);
    info->submitted_at = kept(b, sub_at);
    info->check_errors = err ? 0 : t->check_errors;
    info->competencies = n ? s->comps : NULL;
    info->ncompetencies = n;
    return 0;
}

/* The current time for graded_at, formatted once per second per scratch. */
static const char *graded_at_now(assay_scratch *s, const assay_grade_options *opts)
{
    if (opts && opts->graded_at) {
        return opts->graded_at;
    }
    time_t now = time(NULL);
    if (now != s->now_sec || s->now_text[0] == '\0') {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(s->now_text, sizeof(s->now_text), "%Y-%m-%dT%H:%M:%SZ", &tm);
        s->now_sec = now;
    }
    return s->now_text;
}

int assay_grade_text(const assay_catalog *c, const char *buf, size_t len, assay_scratch *s,
                     const assay_grade_options *opts, const char **text, size_t *text_len,
                     assay_result_info *info)
{
    assay_limits deflim;
    const assay_limits *lim = limits_of(opts, &deflim);
    json_decref(s->sub);
    s->sub = NULL;
    jw_buf *out = &s->out;
    out->len = 0;
    out->failed = s->strs.failed = s->items.failed = false;
    s->itext.failed = s->anstext.failed = false;

    json_t *sub;
    const assay_rubric *r;
    rs_error err;
    rs_envelope e;
    bool bad = front(c, buf, len, lim, &sub, &r, &err);
    s->sub = sub; /* info's pointers borrow from it until the next call */
    assay__envelope_read(&e, sub);
    const char *at = graded_at_now(s, opts);
    if (!bad) {
        bad = assay__result_validate(r, &e, lim, &err);
    }
    int rc = 0;
    if (bad) {
        assay__result_error_text(out, &e, &err, at);
        if (info && fill_info(s, info, &e, err.rubric, &err, NULL, at) != 0) {
            rc = ASSAY_E_NOMEM;
        }
    } else {
        sc_tally t = {.r = r};
        assay__result_collect_text(&t, &s->items);
        if (assay__score(&t, json_object_get(e.sub, "responses"), s, lim) != 0) {
            rc = ASSAY_E_NOMEM;
        } else {
            assay__result_graded_text(out, &t, &e, at);
            if (info && fill_info(s, info, &e, r, NULL, &t, at) != 0) {
                rc = ASSAY_E_NOMEM;
            }
        }
        assay__score_clear(&t);
    }
    if (rc == 0 && !assay__jw_finish(out)) {
        rc = ASSAY_E_NOMEM;
    }
    if (rc == 0) {
        *text = out->p;
        *text_len = out->len;
    }
    return rc;
}
