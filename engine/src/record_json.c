/*
 * record_json.c - records written as JSON: the record document in its fixed field order
 * (as a jansson tree, and as text straight into a buffer, byte for byte the tree's dump), and
 * the change an application made as the result's "record" member. Reading documents and
 * results back is record_read.c's.
 *
 * The model and the application are record.c's; nothing here computes a value.
 */
#include "record.h"

#include "jsonw.h"
#include "mastery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
