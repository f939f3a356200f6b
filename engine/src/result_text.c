/*
 * result_text.c - results written straight as JSON text (result.h), byte for byte what
 * assay_result_dumps writes for the same result built as jansson objects (result.c): the
 * same fields in the same order, strings escaped and numbers written as jansson writes them
 * (jsonw.h). tests/fuzz/fuzz_writer.c holds the two against each other.
 *
 * Nothing is built and freed on the way: the items are written as scoring finishes each
 * one, into the scratch, and copied in after the competencies.
 */
#include "result.h"

#include "text.h"

/* "key": with its quotes and colon, as it is (keys are plain ASCII). */
#define KEY(b, k) jw_put((b), k, sizeof(k) - 1)

static void rubric_text(jw_buf *b, const assay_rubric *r)
{
    if (r == NULL) {
        jw_put(b, "null", 4);
        return;
    }
    KEY(b, "{\"id\":");
    jw_str(b, r->id);
    KEY(b, ",\"version\":");
    jw_str(b, r->version);
    KEY(b, ",\"sha256\":\"");
    jw_puts(b, r->sha256);
    KEY(b, "\",\"title\":");
    jw_str(b, r->title);
    jw_put(b, "}", 1);
}

static void head_text(jw_buf *b, const rs_envelope *e, const assay_rubric *r)
{
    KEY(b, "{\"id\":");
    if (e->id) {
        assay__jw_string(b, json_string_value(e->id), json_string_length(e->id));
    } else {
        jw_put(b, "null", 4);
    }
    KEY(b, ",\"learner\":");
    if (e->learner) {
        assay__jw_string(b, json_string_value(e->learner), json_string_length(e->learner));
    } else {
        jw_put(b, "null", 4);
    }
    if (e->has_submitted) {
        KEY(b, ",\"submitted_at\":\"");
        jw_puts(b, e->submitted);
        jw_put(b, "\"", 1);
    }
    KEY(b, ",\"rubric\":");
    rubric_text(b, r);
}

static void tail_text(jw_buf *b, const rs_envelope *e, const char *graded_at)
{
    /* jansson would refuse a graded_at that is not UTF-8, and leave the field out. */
    size_t n = strlen(graded_at);
    if (assay__utf8_valid(graded_at, n)) {
        KEY(b, ",\"graded_at\":");
        assay__jw_string(b, graded_at, n);
    }
    KEY(b, ",\"engine\":\"assay " ASSAY_VERSION_STRING "\",\"meta\":");
    assay__jw_value(b, e->meta);
    jw_put(b, "}", 1);
}

void assay__result_error_text(jw_buf *b, const rs_envelope *e, const rs_error *err,
                              const char *graded_at)
{
    head_text(b, e, err->rubric);
    KEY(b, ",\"status\":\"error\",\"error\":{\"code\":\"");
    jw_puts(b, err->code);
    KEY(b, "\",\"message\":");
    jw_str(b, err->message);
    jw_put(b, "}", 1);
    tail_text(b, e, graded_at);
}

/* sc_item_fn: one item as text, appended to the buffer in t->out. */
static void item_text(sc_tally *t, size_t index, const sc_item *ti, const ck_context *g)
{
    jw_buf *b = t->out;
    if (index) {
        jw_put(b, ",", 1);
    }
    KEY(b, "{\"id\":");
    jw_str(b, t->r->items[index].id);
    KEY(b, ",\"answered\":");
    jw_bool(b, ti->answered);
    if (ti->answered) {
        bool cut;
        size_t n = assay__result_answer_len(ti->answer, ti->answer_len, &cut);
        KEY(b, ",\"answer\":");
        assay__jw_string(b, ti->answer, n);
        if (cut) {
            KEY(b, ",\"answer_truncated\":true");
        }
    }
    KEY(b, ",\"score\":");
    assay__rat_write(b, &ti->score);
    KEY(b, ",\"max_score\":");
    assay__rat_write(b, &ti->max);
    KEY(b, ",\"checks\":[");
    for (size_t i = 0; i < g->s->nrecs;) {
        if (i) {
            jw_put(b, ",", 1);
        }
        i = assay__check_write(b, g, i);
    }
    KEY(b, "]}");
}

void assay__result_collect_text(sc_tally *t, jw_buf *b)
{
    b->len = 0;
    t->item_done = item_text;
    t->out = b;
}

void assay__result_graded_text(jw_buf *b, const sc_tally *t, const rs_envelope *e,
                               const char *graded_at)
{
    const assay_rubric *r = t->r;
    head_text(b, e, r);
    KEY(b, ",\"status\":\"graded\",\"score\":");
    assay__rat_write(b, &t->score);
    KEY(b, ",\"max_score\":");
    assay__rat_write(b, &t->max);

    size_t mastered = 0;
    for (size_t i = 0; i < r->ncomps; i++) {
        mastered += t->comps[i].mastered;
    }
    char line[200];
    KEY(b, ",\"feedback\":");
    jw_str(b, assay__result_feedback(r, line, sizeof(line), &t->score, &t->max, mastered));
    KEY(b, ",\"check_errors\":");
    assay__jw_int(b, (int64_t)t->check_errors);

    char framework[300];
    assay__result_framework(r, framework, sizeof(framework));
    KEY(b, ",\"competencies\":[");
    for (size_t i = 0; i < r->ncomps; i++) {
        const rb_competency *k = &r->comps[i];
        const rb_level *lv = &k->scale->levels[t->comps[i].level];
        if (i) {
            jw_put(b, ",", 1);
        }
        KEY(b, "{\"id\":");
        jw_str(b, k->id);
        KEY(b, ",\"name\":");
        jw_str(b, k->name);
        if (k->ref) {
            KEY(b, ",\"ref\":");
            jw_str(b, k->ref);
        }
        KEY(b, ",\"framework\":");
        jw_str(b, framework);
        KEY(b, ",\"score\":");
        assay__rat_write(b, &t->comps[i].score);
        KEY(b, ",\"score_exact\":\"");
        assay__rat_write_exact(b, &t->comps[i].score);
        KEY(b, "\",\"level\":");
        jw_str(b, lv->id);
        KEY(b, ",\"level_name\":");
        jw_str(b, lv->name);
        KEY(b, ",\"mastered\":");
        jw_bool(b, t->comps[i].mastered);
        jw_put(b, "}", 1);
    }
    const jw_buf *items = t->out;
    KEY(b, "],\"items\":[");
    if (items->len) {
        jw_put(b, items->p, items->len);
    }
    KEY(b, "],\"warnings\":[");
    const json_t *responses = json_object_get(e->sub, "responses");
    if (t->answered_items < json_object_size(responses)) { /* else each key is an item's */
        bool first = true;
        for (void *it = json_object_iter((json_t *)responses); it;
             it = json_object_iter_next((json_t *)responses, it)) {
            const char *key = json_object_iter_key(it);
            if (!assay__result_is_item(r, key)) {
                char w[200];
                assay__result_warning(w, key);
                if (!first) {
                    jw_put(b, ",", 1);
                }
                first = false;
                jw_str(b, w);
            }
        }
    }
    jw_put(b, "]", 1);
    tail_text(b, e, graded_at);
}
