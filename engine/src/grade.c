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

#include <stdlib.h>
#include <string.h>

/* Oversized submissions up to this size are still parsed for their id. */
#define TOO_LARGE_PARSE_MAX ((size_t)64 << 20)

/*
 * The front of grading raw bytes: the size limit, the BOM, the parse, and the rubric the
 * submission names. Sets *sub to the parsed submission (NULL when it is not JSON; caller
 * json_decref()s) and *r to its rubric (NULL when none). @return NULL when the submission is
 * to be validated and graded, else its error result.
 */
static json_t *front(const assay_catalog *c, const char *buf, size_t len,
                     const assay_grade_options *opts, const assay_limits *lim, json_t **sub,
                     const assay_rubric **r)
{
    rs_envelope e;
    *sub = NULL;
    *r = NULL;
    if (len > lim->max_submission_bytes) {
        /* Not graded, but answered with its id when it has one, so the LMS can match the
         * answer: parsing is bounded (jansson is linear), grading is what the limit spares. */
        *sub = len <= TOO_LARGE_PARSE_MAX ? json_loadb(buf, len, 0, NULL) : NULL;
        assay__envelope_read(&e, *sub);
        return assay__result_errorf(&e, NULL, ASSAY_RESULT_TOO_LARGE, opts,
                                    "the submission is %zu bytes, more than the limit of %zu",
                                    len, lim->max_submission_bytes);
    }
    assay__envelope_read(&e, NULL);
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        return assay__result_errorf(&e, NULL, ASSAY_RESULT_MALFORMED_JSON, opts,
                                    "the submission starts with a UTF-8 byte order mark (BOM): "
                                    "send the JSON without it");
    }
    json_error_t je;
    /* Any JSON value is read, so a scalar is reported as "not an object" rather than as
     * malformed; NUL is allowed inside strings and judged where it matters (an answer with
     * one is an invalid answer, an id with one a wrong type). */
    *sub = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (*sub == NULL) {
        if (json_error_code(&je) == json_error_invalid_utf8) {
            return assay__result_errorf(&e, NULL, ASSAY_RESULT_INVALID_UTF8, opts,
                                        "the submission is not valid UTF-8 (byte %d): %s",
                                        je.position, je.text);
        }
        return assay__result_errorf(
            &e, NULL, ASSAY_RESULT_MALFORMED_JSON, opts,
            "the submission is not valid JSON: %s at line %d, column %d", je.text, je.line,
            je.column);
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
    return NULL;
}

/* Validates, scores and assembles the result of a parsed submission with envelope e. */
static json_t *grade_parsed(const assay_rubric *r, const rs_envelope *e, assay_scratch *s,
                            const assay_grade_options *opts, const assay_limits *lim)
{
    json_t *bad = assay__result_validate(r, e, lim, opts);
    if (bad) {
        return bad;
    }
    sc_tally t;
    if (assay__score_init(&t, r) != 0) {
        return NULL;
    }
    json_t *res = NULL;
    if (assay__score(&t, json_object_get(e->sub, "responses"), s, lim) == 0) {
        res = assay__result_graded(&t, e, opts);
    }
    assay__score_clear(&t);
    return res;
}

json_t *assay_grade_buffer(const assay_catalog *c, const char *buf, size_t len,
                           assay_scratch *s, const assay_grade_options *opts)
{
    assay_limits deflim = assay_limits_default();
    const assay_limits *lim = opts && opts->limits ? opts->limits : &deflim;
    json_t *sub;
    const assay_rubric *r;
    json_t *res = front(c, buf, len, opts, lim, &sub, &r);
    if (res == NULL) {
        res = assay_grade_json(r, sub, s, opts);
    }
    json_decref(sub);
    return res;
}

json_t *assay_grade_json(const assay_rubric *r, const json_t *sub, assay_scratch *s,
                         const assay_grade_options *opts)
{
    assay_limits deflim = assay_limits_default();
    const assay_limits *lim = opts && opts->limits ? opts->limits : &deflim;
    rs_envelope e;
    assay__envelope_read(&e, sub);
    return grade_parsed(r, &e, s, opts, lim);
}

/* ---------------------------------------------------------------------------------------
 * Text and the worker's facts.
 */

static int dump_cb(const char *buf, size_t size, void *data)
{
    jw_put(data, buf, size);
    return ((jw_buf *)data)->failed ? -1 : 0;
}

#define NO_STR SIZE_MAX

/* Copies str (NULL: none) into the scratch's string space. @return its offset, or NO_STR. */
static size_t keep(jw_buf *b, const char *str)
{
    if (str == NULL) {
        return NO_STR;
    }
    size_t at = b->len;
    jw_put(b, str, strlen(str) + 1);
    return at;
}

static const char *kept(const jw_buf *b, size_t at)
{
    return at == NO_STR ? NULL : b->p + at;
}

static const char *member_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Fills info from result res of the submission with envelope e. @return 0 or -1. */
static int fill_info(assay_scratch *s, const json_t *res, const rs_envelope *e,
                     assay_result_info *info)
{
    memset(info, 0, sizeof(*info));
    jw_buf *b = &s->strs;
    b->len = 0;
    info->graded = strcmp(member_str(res, "status"), "graded") == 0;
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
    const json_t *ref = json_object_get(res, "rubric");
    size_t rid = keep(b, member_str(ref, "id"));
    size_t rver = keep(b, member_str(ref, "version"));
    size_t rsha = keep(b, member_str(ref, "sha256"));
    const json_t *err = json_object_get(res, "error");
    size_t code = keep(b, member_str(err, "code"));
    size_t msg = keep(b, member_str(err, "message"));
    size_t at = keep(b, member_str(res, "graded_at"));
    info->check_errors = (size_t)json_integer_value(json_object_get(res, "check_errors"));
    const json_t *comps = json_object_get(res, "competencies");
    size_t n = json_array_size(comps);
    if (n > s->comps_cap) {
        assay_result_competency *nc = realloc(s->comps, n * sizeof(*nc));
        if (nc == NULL) {
            return -1;
        }
        s->comps = nc;
        s->comps_cap = n;
    }
    size_t(*offs)[4] = n ? malloc(n * sizeof(*offs)) : NULL;
    if (n && offs == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *co = json_array_get(comps, i);
        offs[i][0] = keep(b, member_str(co, "id"));
        offs[i][1] = keep(b, member_str(co, "framework"));
        offs[i][2] = keep(b, member_str(co, "score_exact"));
        offs[i][3] = keep(b, member_str(co, "level"));
        s->comps[i].mastered = json_is_true(json_object_get(co, "mastered"));
    }
    if (b->failed) {
        free(offs);
        return -1;
    }
    /* The string space has stopped moving: its offsets become pointers. */
    for (size_t i = 0; i < n; i++) {
        s->comps[i].id = kept(b, offs[i][0]);
        s->comps[i].framework = kept(b, offs[i][1]);
        s->comps[i].score_exact = kept(b, offs[i][2]);
        s->comps[i].level = kept(b, offs[i][3]);
    }
    free(offs);
    info->rubric_id = kept(b, rid);
    info->rubric_version = kept(b, rver);
    info->rubric_sha256 = kept(b, rsha);
    info->error_code = kept(b, code);
    info->error_message = kept(b, msg);
    info->graded_at = kept(b, at);
    info->competencies = s->comps;
    info->ncompetencies = n;
    return 0;
}

int assay_grade_text(const assay_catalog *c, const char *buf, size_t len, assay_scratch *s,
                     const assay_grade_options *opts, const char **text, size_t *text_len,
                     assay_result_info *info)
{
    assay_limits deflim = assay_limits_default();
    const assay_limits *lim = opts && opts->limits ? opts->limits : &deflim;
    json_decref(s->sub);
    s->sub = NULL;
    json_t *sub;
    const assay_rubric *r;
    json_t *res = front(c, buf, len, opts, lim, &sub, &r);
    rs_envelope e;
    assay__envelope_read(&e, sub);
    if (res == NULL) {
        res = grade_parsed(r, &e, s, opts, lim);
    }
    s->sub = sub;
    int rc = res ? 0 : ASSAY_E_NOMEM;
    s->out.len = 0;
    s->out.failed = false;
    s->strs.failed = false;
    if (rc == 0 && (json_dump_callback(res, dump_cb, &s->out,
                                       JSON_COMPACT | JSON_REAL_PRECISION(15)) != 0 ||
                    !assay__jw_finish(&s->out))) {
        rc = ASSAY_E_NOMEM;
    }
    if (rc == 0 && info && fill_info(s, res, &e, info) != 0) {
        rc = ASSAY_E_NOMEM;
    }
    json_decref(res);
    if (rc == 0) {
        *text = s->out.p;
        *text_len = s->out.len;
    }
    return rc;
}
