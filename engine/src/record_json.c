/*
 * record_json.c - records as JSON: the record document (written in its fixed field order,
 * read back with every problem named at its JSON pointer), results read as evidence (format
 * 1 results too: exact scores recovered from their doubles), and the change an application
 * made as the result's "record" member.
 *
 * The model and the application are record.c's; nothing here computes a value.
 */
#include "record.h"

#include "error.h"
#include "jsonw.h"
#include "mastery.h"
#include "numread.h"
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBMISSION_MAX 256

/* ---- Writing --------------------------------------------------------------------------- */

/* A value as JSON: an integer when its exact text is one, else the nearest double. */
static json_t *value_json(bool has, const char *exact, double v)
{
    if (!has) {
        return json_null();
    }
    if (strpbrk(exact, "./") == NULL) {
        return json_integer((json_int_t)strtoll(exact, NULL, 10));
    }
    return json_real(v);
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *method_json(const assay_mastery_method *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(assay_mastery_kind_name(m->kind)));
    json_object_set_new(o, "param",
                        assay_mastery_kind_has_param(m->kind) ? json_integer(m->param)
                                                              : json_null());
    return o;
}

static json_t *evidence_json(const rc_evidence *e)
{
    json_t *o = json_object();
    char *score = mpq_get_str(NULL, 10, e->score);
    json_object_set_new(o, "submission", json_string(e->submission));
    json_object_set_new(o, "rubric", json_string(e->rubric));
    json_object_set_new(o, "version", json_string(e->version));
    json_object_set_new(o, "sha256", json_string(e->sha256));
    json_object_set_new(o, "at", json_string(e->at.text));
    json_object_set_new(o, "score", json_string(score));
    free(score);
    return o;
}

/* The standing of a competency as the document and the change write it. */
static void state_members(json_t *o, const assay_record_state *s)
{
    json_object_set_new(o, "value", value_json(s->has_value, s->value_exact, s->value));
    json_object_set_new(o, "value_exact", string_or_null(s->value_exact));
    json_object_set_new(o, "level", string_or_null(s->level));
    json_object_set_new(o, "level_name", string_or_null(s->level_name));
    json_object_set_new(o, "mastered", json_boolean(s->mastered));
}

json_t *assay_record_to_json(const assay_record *r)
{
    if (r == NULL) {
        return NULL;
    }
    json_t *doc = json_object(), *comps = json_object();
    json_object_set_new(doc, "assay_record", json_integer(ASSAY_RECORD_FORMAT));
    json_object_set_new(doc, "learner", json_string(r->learner));
    for (size_t i = 0; i < r->n; i++) {
        const rc_comp *c = &r->comps[i];
        json_t *o = json_object(), *ev = json_array();
        json_object_set_new(o, "method", method_json(&c->method));
        for (size_t k = 0; k < c->n; k++) {
            json_array_append_new(ev, evidence_json(&c->ev[k]));
        }
        json_object_set_new(o, "evidence", ev);
        json_object_set_new(o, "dropped", json_integer((json_int_t)c->dropped));
        assay_record_state st;
        assay__rc_state_view(c, &st);
        state_members(o, &st);
        json_object_set_new(comps, c->key, o);
    }
    json_object_set_new(doc, "competencies", comps);
    /* jansson drops a member it could not make: count what must be there. */
    if (json_object_size(doc) != 3 || json_object_size(comps) != r->n) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* The text writers below write what assay_result_dumps writes for the trees above, byte
 * for byte (test_record_json.c holds them to it), without building a tree: the worker
 * writes a document and a member for every result it records. */

/* A value as value_json writes it. */
static void value_text(jw_buf *b, bool has, const char *exact, double v)
{
    if (!has) {
        jw_put(b, "null", 4);
    } else if (strpbrk(exact, "./") == NULL) {
        assay__jw_int(b, (int64_t)strtoll(exact, NULL, 10));
    } else {
        assay__jw_real(b, v);
    }
}

/* The members of state_members. */
static void state_text(jw_buf *b, const assay_record_state *s)
{
    jw_put(b, "\"value\":", 8);
    value_text(b, s->has_value, s->value_exact, s->value);
    jw_put(b, ",\"value_exact\":", 15);
    jw_str_or_null(b, s->value_exact);
    jw_put(b, ",\"level\":", 9);
    jw_str_or_null(b, s->level);
    jw_put(b, ",\"level_name\":", 14);
    jw_str_or_null(b, s->level_name);
    jw_put(b, ",\"mastered\":", 12);
    jw_bool(b, s->mastered);
}

static void evidence_text(jw_buf *b, const rc_evidence *e)
{
    jw_put(b, "{\"submission\":", 14);
    jw_str(b, e->submission);
    jw_put(b, ",\"rubric\":", 10);
    jw_str(b, e->rubric);
    jw_put(b, ",\"version\":", 11);
    jw_str(b, e->version);
    jw_put(b, ",\"sha256\":", 10);
    jw_str(b, e->sha256);
    jw_put(b, ",\"at\":", 6);
    jw_str(b, e->at.text);
    jw_put(b, ",\"score\":\"", 10);
    /* An exact score's text needs no escape: digits, '-' and '/'. */
    size_t need =
        mpz_sizeinbase(mpq_numref(e->score), 10) + mpz_sizeinbase(mpq_denref(e->score), 10) + 3;
    if (jw_room(b, need)) {
        mpq_get_str(b->p + b->len, 10, e->score);
        b->len += strlen(b->p + b->len);
    }
    jw_put(b, "\"}", 2);
}

/* One competency's member of the document: "<key>":{...}. */
static void comp_text(jw_buf *b, const rc_comp *c)
{
    jw_str(b, c->key);
    jw_put(b, ":{\"method\":{\"name\":", 19);
    jw_str(b, assay_mastery_kind_name(c->method.kind));
    jw_put(b, ",\"param\":", 9);
    if (assay_mastery_kind_has_param(c->method.kind)) {
        assay__jw_int(b, c->method.param);
    } else {
        jw_put(b, "null", 4);
    }
    jw_put(b, "},\"evidence\":[", 14);
    for (size_t k = 0; k < c->n; k++) {
        if (k > 0) {
            jw_put(b, ",", 1);
        }
        evidence_text(b, &c->ev[k]);
    }
    jw_put(b, "],\"dropped\":", 12);
    assay__jw_int(b, (int64_t)c->dropped);
    jw_put(b, ",", 1);
    assay_record_state st;
    assay__rc_state_view(c, &st);
    state_text(b, &st);
    jw_put(b, "}", 1);
}

char *assay_record_dumps(const assay_record *r)
{
    if (r == NULL) {
        return NULL;
    }
    jw_buf b = {0};
    size_t guess = 64 + strlen(r->learner);
    for (size_t i = 0; i < r->n; i++) {
        guess += r->comps[i].text ? r->comps[i].text_len + 1 : 256 + 256 * r->comps[i].n;
    }
    jw_room(&b, guess); /* one allocation, mostly */
    jw_put(&b, "{\"assay_record\":", 16);
    assay__jw_int(&b, ASSAY_RECORD_FORMAT);
    jw_put(&b, ",\"learner\":", 11);
    jw_str(&b, r->learner);
    jw_put(&b, ",\"competencies\":{", 17);
    for (size_t i = 0; i < r->n; i++) {
        /* A competency unchanged since the last document is copied as it was written. */
        rc_comp *c = &((assay_record *)r)->comps[i];
        if (i > 0) {
            jw_put(&b, ",", 1);
        }
        if (c->text) {
            jw_put(&b, c->text, c->text_len);
            continue;
        }
        size_t start = b.len;
        comp_text(&b, c);
        if (!b.failed && (c->text = malloc(b.len - start + 1)) != NULL) {
            memcpy(c->text, b.p + start, b.len - start);
            c->text[b.len - start] = '\0';
            c->text_len = b.len - start;
        }
    }
    jw_put(&b, "}}", 2);
    if (!assay__jw_finish(&b)) {
        assay__jw_free(&b);
        return NULL;
    }
    return b.p;
}

/* ---- The change as the result's member ------------------------------------------------- */

static json_t *state_json(bool present, const assay_record_state *s)
{
    if (!present) {
        return json_null();
    }
    json_t *o = json_object();
    state_members(o, s);
    return o;
}

json_t *assay_record_change_to_json(const assay_record_change *c)
{
    if (c == NULL) {
        return NULL;
    }
    json_t *o = json_object(), *list = json_array();
    json_object_set_new(o, "status", json_string(assay_record_outcome_name(c->outcome)));
    json_object_set_new(o, "replaced", json_boolean(c->replaced));
    json_object_set_new(o, "reason", string_or_null(c->reason));
    for (size_t i = 0; i < c->ndeltas; i++) {
        const assay_record_delta *d = &c->deltas[i];
        json_t *e = json_object();
        json_object_set_new(e, "id", json_string(d->competency));
        json_object_set_new(e, "before", state_json(d->had_before, &d->before));
        json_object_set_new(e, "after", state_json(d->has_after, &d->after));
        json_object_set_new(e, "mastered_now", json_boolean(d->mastered_now));
        json_array_append_new(list, e);
    }
    json_object_set_new(o, "competencies", list);
    if (json_object_size(o) != 4 || json_array_size(list) != c->ndeltas) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A state as an object, or null when absent (state_json). */
static void state_or_null(jw_buf *b, bool present, const assay_record_state *s)
{
    if (!present) {
        jw_put(b, "null", 4);
        return;
    }
    jw_put(b, "{", 1);
    state_text(b, s);
    jw_put(b, "}", 1);
}

char *assay_record_change_member(const assay_record_change *c)
{
    if (c == NULL) {
        return NULL;
    }
    jw_buf b = {0};
    jw_put(&b, "\"record\":{\"status\":", 19);
    jw_str_or_null(&b, assay_record_outcome_name(c->outcome));
    jw_put(&b, ",\"replaced\":", 12);
    jw_bool(&b, c->replaced);
    jw_put(&b, ",\"reason\":", 10);
    jw_str_or_null(&b, c->reason);
    jw_put(&b, ",\"competencies\":[", 17);
    for (size_t i = 0; i < c->ndeltas; i++) {
        const assay_record_delta *d = &c->deltas[i];
        jw_put(&b, i > 0 ? ",{\"id\":" : "{\"id\":", i > 0 ? 7 : 6);
        jw_str(&b, d->competency);
        jw_put(&b, ",\"before\":", 10);
        state_or_null(&b, d->had_before, &d->before);
        jw_put(&b, ",\"after\":", 9);
        state_or_null(&b, d->has_after, &d->after);
        jw_put(&b, ",\"mastered_now\":", 16);
        jw_bool(&b, d->mastered_now);
        jw_put(&b, "}", 1);
    }
    jw_put(&b, "]}", 2);
    if (!assay__jw_finish(&b)) {
        assay__jw_free(&b);
        return NULL;
    }
    return b.p;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *assay_record_append_member(const char *result, size_t len, const char *member,
                                 size_t *outlen)
{
    if (result == NULL || member == NULL) {
        return NULL;
    }
    size_t first = 0, end = len;
    while (first < len && is_space(result[first])) {
        first++;
    }
    while (end > first && is_space(result[end - 1])) {
        end--;
    }
    if (end - first < 2 || result[first] != '{' || result[end - 1] != '}') {
        return NULL;
    }
    size_t close = end - 1, before = close;
    while (before > first && is_space(result[before - 1])) {
        before--;
    }
    bool empty = before == first + 1; /* "{}": no comma */
    size_t mlen = strlen(member), n = len + mlen + 1;
    char *out = malloc(n + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t w = 0;
    memcpy(out, result, close);
    w += close;
    if (!empty) {
        out[w++] = ',';
    }
    memcpy(out + w, member, mlen);
    w += mlen;
    memcpy(out + w, result + close, len - close);
    w += len - close;
    out[w] = '\0';
    if (outlen) {
        *outlen = w;
    }
    return out;
}

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
    bool b1, b2, b3, b4, b5, b6;
    const char *id = get_str(result, "id", &b1);
    const char *rid = get_str(rub, "id", &b2), *ver = get_str(rub, "version", &b3);
    const char *sha = get_str(rub, "sha256", &b4);
    const char *sub_at = get_str(result, "submitted_at", &b5);
    const char *at = sub_at ? sub_at : get_str(result, "graded_at", &b6);
    if (id == NULL || rid == NULL || ver == NULL || sha == NULL || b5 || at == NULL) {
        assay__whyf(why, whylen,
                    "a graded result needs \"id\", \"rubric\" {\"id\", \"version\", "
                    "\"sha256\"} and \"graded_at\" as strings (and \"submitted_at\", when "
                    "present)");
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
