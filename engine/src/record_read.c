/*
 * record_read.c - records read from JSON: results read as evidence (format 1 results too:
 * exact scores recovered from their doubles), and the record document read back with every
 * problem named at its JSON pointer. Writing them is record_json.c's.
 *
 * The model and the application are record.c's; nothing here computes a value.
 */
#include "record.h"

#include "error.h"
#include "mastery.h"
#include "numread.h"
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBMISSION_MAX 256

/* ---- Results read as evidence ---------------------------------------------------------- */

/* What evidence_from_result made: the scores and the exact texts it wrote. */
typedef struct ev_storage {
    assay_record_score *scores;
    char **texts;
    size_t n;
} ev_storage;

void assay_record_evidence_finish(assay_record_evidence *ev)
{
    if (ev == NULL) {
        return;
    }
    ev_storage *s = ev->storage;
    if (s) {
        for (size_t i = 0; i < s->n; i++) {
            free(s->texts[i]);
        }
        free(s->texts);
        free(s->scores);
        free(s);
    }
    memset(ev, 0, sizeof(*ev));
}

/* A string member without NUL, or NULL (absent, null, another type). *bad tells which. */
static const char *get_str(const json_t *o, const char *key, bool *bad)
{
    json_t *v = json_object_get(o, key);
    *bad = v != NULL && !json_is_null(v) &&
           !(json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v));
    return json_is_string(v) && !*bad ? json_string_value(v) : NULL;
}

/* The exact text of a double score: the shortest decimal that reads back as it. */
static char *exact_from_number(const json_t *v)
{
    dec_num d;
    assay__dec_init(&d);
    char *text = NULL;
    if (assay__numread_json(&d, v, NULL, 0) == 0) {
        mpq_t q;
        mpq_init(q);
        assay__dec_to_mpq(q, &d);
        text = mpq_get_str(NULL, 10, q);
        mpq_clear(q);
    }
    assay__dec_clear(&d);
    return text;
}

/* Reads competency i of a result into s->scores[i]. 0 or ASSAY_E_INVALID / _NOMEM. */
static int read_score(const json_t *c, size_t i, ev_storage *s, char *why, size_t whylen)
{
    assay_record_score *out = &s->scores[i];
    bool bad1, bad2, bad3;
    out->competency = get_str(c, "id", &bad1);
    out->framework = get_str(c, "framework", &bad2);
    out->score = get_str(c, "score_exact", &bad3);
    if (!json_is_object(c) || out->competency == NULL || bad2 || bad3) {
        assay__whyf(why, whylen,
                    "competency %zu of the result needs an \"id\" and, when present, "
                    "\"framework\" and \"score_exact\" as strings",
                    i);
        return ASSAY_E_INVALID;
    }
    if (out->score == NULL) {
        json_t *v = json_object_get(c, "score");
        if (!json_is_number(v)) {
            assay__whyf(why, whylen, "competency \"%.128s\" of the result has no score",
                        out->competency);
            return ASSAY_E_INVALID;
        }
        char *t = exact_from_number(v);
        if (t == NULL) {
            assay__whyf(why, whylen,
                        "competency \"%.128s\" of the result: the score cannot be read",
                        out->competency);
            return ASSAY_E_INVALID;
        }
        s->texts[i] = t;
        out->score = t;
    }
    return 0;
}

int assay_record_evidence_from_result(const json_t *result, assay_record_evidence *ev,
                                      char *why, size_t whylen)
{
    if (ev == NULL) {
        return ASSAY_E_ARG;
    }
    memset(ev, 0, sizeof(*ev));
    const char *status = json_string_value(json_object_get(result, "status"));
    if (!json_is_object(result) || status == NULL ||
        (strcmp(status, "graded") != 0 && strcmp(status, "error") != 0)) {
        assay__whyf(why, whylen, "not a result: \"status\" must be \"graded\" or \"error\"");
        return ASSAY_E_INVALID;
    }
    if (strcmp(status, "error") == 0) {
        assay__whyf(why, whylen, "the result has status \"error\": it carries no score");
        return ASSAY_RECORD_NOT_GRADED;
    }
    bool bad;
    const char *learner = get_str(result, "learner", &bad);
    if (bad) {
        assay__whyf(why, whylen, "\"learner\" must be a string without NUL, or null");
        return ASSAY_E_INVALID;
    }
    if (learner == NULL || learner[0] == '\0') {
        assay__whyf(why, whylen, "the result names no learner");
        return ASSAY_RECORD_NO_LEARNER;
    }
    const json_t *rub = json_object_get(result, "rubric");
    bool b1, b2, b3, b4, b5, b6 = false;
    const char *id = get_str(result, "id", &b1);
    const char *rid = get_str(rub, "id", &b2), *ver = get_str(rub, "version", &b3);
    const char *sha = get_str(rub, "sha256", &b4);
    const char *sub_at = get_str(result, "submitted_at", &b5);
    const char *at = sub_at ? sub_at : get_str(result, "graded_at", &b6);
    static const char *const names[] = {"\"id\"",
                                        "\"rubric\" \"id\"",
                                        "\"rubric\" \"version\"",
                                        "\"rubric\" \"sha256\"",
                                        "\"submitted_at\"",
                                        "\"graded_at\""};
    const char *vals[] = {id, rid, ver, sha, sub_at, at};
    const bool bads[] = {b1, b2, b3, b4, b5, b6};
    size_t wrong = SIZE_MAX;
    for (size_t k = 0; k < 6 && wrong == SIZE_MAX; k++) {
        bool needed =
            k != 4 && (k != 5 || sub_at == NULL); /* graded_at: without submitted_at */
        if (bads[k] || (needed && vals[k] == NULL)) {
            wrong = k;
        }
    }
    if (wrong != SIZE_MAX) {
        bool rub_bad = wrong >= 1 && wrong <= 3 && !json_is_object(rub);
        assay__whyf(why, whylen,
                    "%s%s: a graded result needs \"id\", \"rubric\" {\"id\", \"version\", "
                    "\"sha256\"} and \"graded_at\" as strings (and \"submitted_at\", when "
                    "present)",
                    rub_bad ? "\"rubric\"" : names[wrong],
                    rub_bad       ? " is missing or not an object"
                    : bads[wrong] ? " is not a string without NUL bytes"
                                  : " is missing");
        return ASSAY_E_INVALID;
    }
    const json_t *comps = json_object_get(result, "competencies");
    if (!json_is_array(comps)) {
        assay__whyf(why, whylen, "a graded result needs a \"competencies\" array");
        return ASSAY_E_INVALID;
    }
    size_t n = json_array_size(comps);
    ev_storage *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->scores = calloc(n ? n : 1, sizeof(*s->scores))) == NULL ||
        (s->texts = calloc(n ? n : 1, sizeof(char *))) == NULL) {
        ev->storage = s;
        assay_record_evidence_finish(ev);
        return ASSAY_E_NOMEM;
    }
    s->n = n;
    ev->storage = s;
    for (size_t i = 0; i < n; i++) {
        int rc = read_score(json_array_get(comps, i), i, s, why, whylen);
        if (rc != 0) {
            assay_record_evidence_finish(ev);
            return rc;
        }
    }
    ev->learner = learner;
    ev->submission = id;
    ev->rubric_id = rid;
    ev->rubric_version = ver;
    ev->rubric_sha256 = sha;
    ev->at = at;
    ev->scores = s->scores;
    ev->nscores = n;
    return 0;
}

/* ---- Reading the document -------------------------------------------------------------- */

/* A document being read: the first problem, and where. */
typedef struct doc_reader {
    ld_path p;
    char *why;
    size_t whylen;
} doc_reader;

__attribute__((format(printf, 3, 4))) static int fail(doc_reader *d, const char *key,
                                                      const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = key ? assay__path_key(&d->p, key) : 0;
    assay__whyf(d->why, d->whylen, "%s (at %s)", msg, d->p.n ? d->p.s : "the root");
    if (key) {
        assay__path_pop(&d->p, old);
    }
    return ASSAY_E_INVALID;
}

/* Only the keys listed. */
static int only_keys(doc_reader *d, const json_t *o, const char *const *keys, const char *what)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], k) != 0) {
            i++;
        }
        if (keys[i] == NULL) {
            return fail(d, NULL, "unknown key \"%.64s\" in %s", k, what);
        }
    }
    return 0;
}

/* A required string member without NUL (or, with nullable, null: NULL returned). */
static int need_str(doc_reader *d, const json_t *o, const char *key, bool nullable,
                    const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (nullable && json_is_null(v)) {
        return 0;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
        json_string_length(v) == 0) {
        return fail(d, key, "\"%s\" must be a non-empty string%s", key,
                    nullable ? " or null" : "");
    }
    *out = json_string_value(v);
    return 0;
}

static int read_method(doc_reader *d, const json_t *o, rc_comp *c)
{
    static const char *const keys[] = {"name", "param", NULL};
    json_t *m = json_object_get(o, "method");
    if (!json_is_object(m)) {
        return fail(d, "method", "\"method\" must be an object {\"name\", \"param\"}");
    }
    size_t old = assay__path_key(&d->p, "method");
    const char *name;
    json_t *param = json_object_get(m, "param");
    char mw[200];
    int rc = only_keys(d, m, keys, "a method");
    if (rc == 0) {
        rc = need_str(d, m, "name", false, &name);
    }
    if (rc == 0 && param && !json_is_null(param) && !json_is_integer(param)) {
        rc = fail(d, "param", "\"param\" must be an integer or null");
    }
    if (rc == 0 && assay_mastery_method_parse(name, json_is_integer(param),
                                              (long)json_integer_value(param), &c->method, mw,
                                              sizeof mw) != 0) {
        rc = fail(d, NULL, "%s", mw);
    }
    assay__path_pop(&d->p, old);
    return rc;
}

static int read_evidence(doc_reader *d, const json_t *o, rc_evidence *e)
{
    static const char *const keys[] = {"submission", "rubric", "version", "sha256",
                                       "at",         "score",  NULL};
    if (!json_is_object(o)) {
        return fail(d, NULL, "an evidence entry must be an object");
    }
    const char *sub, *rub, *ver, *sha, *at, *score;
    int rc = only_keys(d, o, keys, "an evidence entry");
    if (rc || (rc = need_str(d, o, "submission", false, &sub)) ||
        (rc = need_str(d, o, "rubric", false, &rub)) ||
        (rc = need_str(d, o, "version", false, &ver)) ||
        (rc = need_str(d, o, "sha256", false, &sha)) ||
        (rc = need_str(d, o, "at", false, &at)) ||
        (rc = need_str(d, o, "score", false, &score))) {
        return rc;
    }
    if (strlen(sub) > SUBMISSION_MAX) {
        return fail(d, "submission", "\"submission\" is longer than %d bytes", SUBMISSION_MAX);
    }
    if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64) {
        return fail(d, "sha256", "\"sha256\" must be 64 lower-case hex digits");
    }
    char tw[160];
    if (assay__ts_parse(at, strlen(at), &e->at, tw, sizeof tw) != 0) {
        return fail(d, "at", "\"at\" \"%.40s\": %s", at, tw);
    }
    if (assay__mpq_from_text(e->score, score, tw, sizeof tw) != 0 || mpq_sgn(e->score) < 0 ||
        mpq_cmp_ui(e->score, 1, 1) > 0) {
        return fail(d, "score", "\"score\" must be an exact number from 0 to 1, not \"%.40s\"",
                    score);
    }
    e->submission = strdup(sub);
    e->rubric = strdup(rub);
    e->version = strdup(ver);
    memcpy(e->sha256, sha, 65);
    return e->submission && e->rubric && e->version ? 0 : ASSAY_E_NOMEM;
}

static int read_evidence_list(doc_reader *d, const json_t *o, rc_comp *c)
{
    json_t *list = json_object_get(o, "evidence");
    if (!json_is_array(list) || json_array_size(list) > ASSAY_RECORD_EVIDENCE_MAX) {
        return fail(d, "evidence", "\"evidence\" must be an array of at most %d entries",
                    ASSAY_RECORD_EVIDENCE_MAX);
    }
    size_t n = json_array_size(list);
    c->ev = calloc(n ? n : 1, sizeof(rc_evidence));
    if (c->ev == NULL) {
        return ASSAY_E_NOMEM;
    }
    c->cap = n ? n : 1;
    size_t lp = assay__path_key(&d->p, "evidence");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t ip = assay__path_index(&d->p, i);
        assay__rc_evidence_init(&c->ev[i]);
        c->n++;
        rc = read_evidence(d, json_array_get(list, i), &c->ev[i]);
        if (rc == 0 && i > 0 && assay__rc_evidence_cmp(&c->ev[i - 1], &c->ev[i]) >= 0) {
            rc = fail(d, NULL, "evidence must be in order of (at, submission), each once");
        }
        for (size_t k = 0; rc == 0 && k < i; k++) {
            if (strcmp(c->ev[k].submission, c->ev[i].submission) == 0) {
                rc = fail(d, "submission", "submission \"%.64s\" has two evidence entries",
                          c->ev[i].submission);
            }
        }
        assay__path_pop(&d->p, ip);
    }
    assay__path_pop(&d->p, lp);
    return rc;
}

/* value, value_exact, level, level_name, mastered: consistent with one another. */
static int read_state(doc_reader *d, const json_t *o, rc_comp *c)
{
    const char *exact, *level, *name;
    json_t *v = json_object_get(o, "value");
    json_t *m = json_object_get(o, "mastered");
    int rc;
    if ((rc = need_str(d, o, "value_exact", true, &exact)) ||
        (rc = need_str(d, o, "level", true, &level)) ||
        (rc = need_str(d, o, "level_name", true, &name))) {
        return rc;
    }
    if (!json_is_boolean(m)) {
        return fail(d, "mastered", "\"mastered\" must be true or false");
    }
    bool has = exact != NULL;
    if (!(has ? json_is_number(v) : json_is_null(v)) || (level != NULL) != has ||
        (name != NULL) != has || (!has && json_is_true(m))) {
        return fail(d, NULL,
                    "\"value\", \"value_exact\", \"level\" and \"level_name\" must all be set "
                    "or all be null (and \"mastered\" false)");
    }
    if (!has) {
        return 0;
    }
    char vw[160];
    if (assay__mpq_from_text(c->st.value, exact, vw, sizeof vw) != 0) {
        return fail(d, "value_exact", "\"value_exact\": %s", vw);
    }
    c->st.has_value = true;
    c->st.value_d = assay__mpq_to_double(c->st.value);
    c->st.mastered = json_is_true(m);
    c->st.exact = assay__mpq_to_text(c->st.value);
    c->st.level = strdup(level);
    c->st.level_name = strdup(name);
    return c->st.exact && c->st.level && c->st.level_name ? 0 : ASSAY_E_NOMEM;
}

static int read_comp(doc_reader *d, const char *key, const json_t *o, rc_comp *c)
{
    static const char *const keys[] = {"method",      "evidence", "level",
                                       "level_name",  "dropped",  "value",
                                       "value_exact", "mastered", NULL};
    const char *slash = strchr(key, '/');
    if (slash == NULL || slash == key || slash[1] == '\0') {
        return fail(d, NULL, "a competency key must be \"<framework>/<competency id>\"");
    }
    if (!json_is_object(o)) {
        return fail(d, NULL, "a competency must be an object");
    }
    json_t *dropped = json_object_get(o, "dropped");
    int rc = only_keys(d, o, keys, "a competency");
    if (rc || (rc = read_method(d, o, c)) || (rc = read_evidence_list(d, o, c))) {
        return rc;
    }
    if (!json_is_integer(dropped) || json_integer_value(dropped) < 0) {
        return fail(d, "dropped", "\"dropped\" must be an integer of at least 0");
    }
    c->dropped = (uint64_t)json_integer_value(dropped);
    if ((rc = read_state(d, o, c)) != 0) {
        return rc;
    }
    c->key = strdup(key);
    return c->key ? 0 : ASSAY_E_NOMEM;
}

int assay_record_load_json(const json_t *doc, assay_record **out, char *why, size_t whylen)
{
    static const char *const keys[] = {"assay_record", "learner", "competencies", NULL};
    doc_reader d = {.why = why, .whylen = whylen};
    if (out == NULL) {
        return ASSAY_E_ARG;
    }
    if (!json_is_object(doc)) {
        return fail(&d, NULL, "a record document must be a JSON object");
    }
    json_t *fmt = json_object_get(doc, "assay_record");
    json_t *comps = json_object_get(doc, "competencies");
    const char *learner;
    int rc = only_keys(&d, doc, keys, "a record");
    if (rc == 0 && !(json_is_integer(fmt) && json_integer_value(fmt) == ASSAY_RECORD_FORMAT)) {
        rc = fail(&d, "assay_record", "\"assay_record\" must be %d (the format version)",
                  ASSAY_RECORD_FORMAT);
    }
    if (rc == 0) {
        rc = need_str(&d, doc, "learner", false, &learner);
    }
    if (rc == 0 && !json_is_object(comps)) {
        rc = fail(&d, "competencies", "\"competencies\" must be an object");
    }
    if (rc != 0) {
        return rc;
    }
    assay_record *r = assay_record_create(learner);
    if (r == NULL) {
        return ASSAY_E_NOMEM;
    }
    size_t cp = assay__path_key(&d.p, "competencies");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)comps, key, v)
    {
        size_t kp = assay__path_key(&d.p, key);
        rc_comp c;
        assay__rc_comp_init(&c);
        bool found;
        size_t at = assay__rc_find(r, key, &found);
        rc = read_comp(&d, key, v, &c);
        if (rc == 0 && assay__rc_insert(r, at, &c) != 0) {
            rc = ASSAY_E_NOMEM;
        }
        assay__rc_comp_clear(&c);
        assay__path_pop(&d.p, kp);
        if (rc != 0) {
            break;
        }
    }
    assay__path_pop(&d.p, cp);
    if (rc != 0) {
        if (rc == ASSAY_E_NOMEM) {
            assay__whyf(why, whylen, "out of memory");
        }
        assay_record_destroy(r);
        return rc;
    }
    *out = r;
    return 0;
}

int assay_record_load_buffer(const char *buf, size_t len, assay_record **out, char *why,
                             size_t whylen)
{
    if (buf == NULL || out == NULL) {
        return ASSAY_E_ARG;
    }
    json_error_t je;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) {
        assay__whyf(why, whylen, "the record is not valid JSON: %s at line %d, column %d",
                    je.text, je.line, je.column);
        return ASSAY_E_SYNTAX;
    }
    int rc = assay_record_load_json(doc, out, why, whylen);
    json_decref(doc);
    return rc;
}
