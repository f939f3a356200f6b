/*
 * check_out.c - a check's record (check.h) as the result's check object: written straight
 * as JSON text, or built as a jansson object (for assay_grade_buffer and as the oracle of
 * the text writer in tests/fuzz). Both follow one field order: id, type, status, points and
 * max_points (credit for a group's member), feedback, then the details the record has (mode,
 * match, count, value, sig_figs, unit, value_in_base_unit, needed and checks, reason and
 * explanation, message).
 */
#include "check.h"

#include <string.h>

static const char *const type_names[] = {"pattern", "numeric", "group"};
static const char *const mode_names[] = {"search", "whole", "forbid", "count"};

static const char *feedback_for(const rb_check *c, ck_status st)
{
    switch (st) {
    case CK_CORRECT:
        return c->fb_pass;
    case CK_PARTIAL:
        return c->fb_partial ? c->fb_partial : c->fb_pass;
    case CK_INCORRECT:
    case CK_INVALID:
        return c->fb_fail;
    case CK_ERROR:
    default:
        return NULL;
    }
}

/* A top-level check's points: its points times its credit. */
static void points_of(const ck_rec *rec, rat *pts, rat *max)
{
    assay__rat_set_mpq(max, rec->c->points);
    if (assay__rat_is_one(&rec->credit)) {
        assay__rat_set(pts, max);
    } else if (assay__rat_sgn(&rec->credit) == 0) {
        rat_set_int(pts, 0);
    } else {
        assay__rat_mul(pts, max, &rec->credit);
    }
}

static const char *text_of(const ck_context *g, ck_text t)
{
    return g->s->itext.p + t.at;
}

/* ---- Text ------------------------------------------------------------------------------ */

static void put_key(jw_buf *b, const char *key_with_quotes_and_colon)
{
    jw_puts(b, key_with_quotes_and_colon);
}

static void put_text(jw_buf *b, const ck_context *g, ck_text t)
{
    /* The item's string space cannot move while b (another buffer) grows. */
    assay__jw_string(b, text_of(g, t), t.len);
}

size_t assay__check_write(jw_buf *b, const ck_context *g, size_t i)
{
    const ck_rec *rec = &g->s->recs[i];
    const rb_check *c = rec->c;
    put_key(b, "{\"id\":");
    jw_str(b, c->id);
    put_key(b, ",\"type\":\"");
    jw_puts(b, type_names[c->type]);
    put_key(b, "\",\"status\":\"");
    jw_puts(b, assay__check_status_name(rec->st));
    if (rec->member) {
        put_key(b, "\",\"credit\":");
        assay__rat_write(b, &rec->credit);
    } else {
        rat pts = {.d = 1}, max = {.d = 1};
        points_of(rec, &pts, &max);
        put_key(b, "\",\"points\":");
        assay__rat_write(b, &pts);
        put_key(b, ",\"max_points\":");
        assay__rat_write(b, &max);
        assay__rat_clear(&pts);
        assay__rat_clear(&max);
    }
    put_key(b, ",\"feedback\":");
    jw_str_or_null(b, feedback_for(c, rec->st));
    if (rec->has & CK_HAS_MODE) {
        put_key(b, ",\"mode\":\"");
        jw_puts(b, mode_names[rec->mode]);
        jw_put(b, "\"", 1);
    }
    if (rec->has & CK_HAS_MATCH) {
        if (rec->match_start == CK_NONE) {
            put_key(b, ",\"match\":null");
        } else {
            put_key(b, ",\"match\":{\"start\":");
            assay__jw_int(b, (int64_t)rec->match_start);
            put_key(b, ",\"end\":");
            assay__jw_int(b, (int64_t)rec->match_end);
            put_key(b, ",\"text\":");
            assay__jw_string(b, rec->subject + rec->match_start,
                             rec->match_end - rec->match_start);
            jw_put(b, "}", 1);
        }
    }
    if (rec->has & CK_HAS_COUNT) {
        put_key(b, ",\"count\":");
        assay__jw_int(b, (int64_t)rec->count);
    }
    if (rec->has & CK_HAS_VALUE) {
        put_key(b, ",\"value\":");
        put_text(b, g, rec->value);
    }
    if (rec->has & CK_HAS_SIG_FIGS) {
        put_key(b, ",\"sig_figs\":");
        assay__jw_int(b, rec->sig_figs);
    }
    if (rec->has & CK_HAS_UNIT) {
        put_key(b, ",\"unit\":");
        if (rec->unit.at == CK_NONE) {
            jw_put(b, "null", 4);
        } else {
            put_text(b, g, rec->unit);
        }
    }
    if (rec->has & CK_HAS_BASE) {
        put_key(b, ",\"value_in_base_unit\":");
        put_text(b, g, rec->base);
    }
    size_t next = i + 1;
    if (rec->has & CK_HAS_GROUP) {
        put_key(b, ",\"needed\":");
        assay__jw_int(b, (int64_t)rec->needed);
        put_key(b, ",\"checks\":[");
        for (size_t end = i + rec->span; next < end;) {
            if (next > i + 1) {
                jw_put(b, ",", 1);
            }
            next = assay__check_write(b, g, next);
        }
        jw_put(b, "]", 1);
    }
    if (rec->has & CK_HAS_REASON) {
        put_key(b, ",\"reason\":\"");
        jw_puts(b, rec->reason);
        put_key(b, "\",\"explanation\":");
        put_text(b, g, rec->explanation);
    }
    if (rec->has & CK_HAS_MESSAGE) {
        put_key(b, ",\"message\":");
        put_text(b, g, rec->message);
    }
    jw_put(b, "}", 1);
    return i + rec->span;
}

/* ---- Objects --------------------------------------------------------------------------- */

static json_t *text_json(const ck_context *g, ck_text t)
{
    return json_stringn(text_of(g, t), t.len);
}

json_t *assay__check_object(const ck_context *g, size_t i)
{
    const ck_rec *rec = &g->s->recs[i];
    const rb_check *c = rec->c;
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(c->id));
    json_object_set_new(out, "type", json_string(type_names[c->type]));
    json_object_set_new(out, "status", json_string(assay__check_status_name(rec->st)));
    if (rec->member) {
        json_object_set_new(out, "credit", assay__rat_json(&rec->credit));
    } else {
        rat pts = {.d = 1}, max = {.d = 1};
        points_of(rec, &pts, &max);
        json_object_set_new(out, "points", assay__rat_json(&pts));
        json_object_set_new(out, "max_points", assay__rat_json(&max));
        assay__rat_clear(&pts);
        assay__rat_clear(&max);
    }
    const char *fb = feedback_for(c, rec->st);
    json_object_set_new(out, "feedback", fb ? json_string(fb) : json_null());
    if (rec->has & CK_HAS_MODE) {
        json_object_set_new(out, "mode", json_string(mode_names[rec->mode]));
    }
    if (rec->has & CK_HAS_MATCH) {
        json_t *m = json_null();
        if (rec->match_start != CK_NONE) {
            m = json_object();
            json_object_set_new(m, "start", json_integer((json_int_t)rec->match_start));
            json_object_set_new(m, "end", json_integer((json_int_t)rec->match_end));
            json_object_set_new(m, "text",
                                json_stringn(rec->subject + rec->match_start,
                                             rec->match_end - rec->match_start));
        }
        json_object_set_new(out, "match", m);
    }
    if (rec->has & CK_HAS_COUNT) {
        json_object_set_new(out, "count", json_integer((json_int_t)rec->count));
    }
    if (rec->has & CK_HAS_VALUE) {
        json_object_set_new(out, "value", text_json(g, rec->value));
    }
    if (rec->has & CK_HAS_SIG_FIGS) {
        json_object_set_new(out, "sig_figs", json_integer(rec->sig_figs));
    }
    if (rec->has & CK_HAS_UNIT) {
        json_object_set_new(out, "unit",
                            rec->unit.at == CK_NONE ? json_null() : text_json(g, rec->unit));
    }
    if (rec->has & CK_HAS_BASE) {
        json_object_set_new(out, "value_in_base_unit", text_json(g, rec->base));
    }
    if (rec->has & CK_HAS_GROUP) {
        json_object_set_new(out, "needed", json_integer((json_int_t)rec->needed));
        json_t *members = json_array();
        for (size_t k = i + 1; k < i + rec->span; k += g->s->recs[k].span) {
            json_array_append_new(members, assay__check_object(g, k));
        }
        json_object_set_new(out, "checks", members);
    }
    if (rec->has & CK_HAS_REASON) {
        json_object_set_new(out, "reason", json_string(rec->reason));
        json_object_set_new(out, "explanation", text_json(g, rec->explanation));
    }
    if (rec->has & CK_HAS_MESSAGE) {
        json_object_set_new(out, "message", text_json(g, rec->message));
    }
    return out;
}
