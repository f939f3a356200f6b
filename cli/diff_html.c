/*
 * diff_html.c - `assay diff`'s outputs: the self-contained HTML page (counts of what changed
 * with a bar chart, the transition matrix of check statuses as a shaded table, checks by
 * changes, the learners whose level or mastery changed, ids on one side only) and the same
 * figures as JSON. The spooled rows (diff.c) are read back from the start of their files.
 */
#include "diff.h"
#include "html.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[DF_STATES] = {"correct", "partial", "incorrect",
                                                   "invalid", "error",   "absent"};

/* One summary figure: its name in JSON and data-f, its words, its value, its bar class. */
typedef struct figure {
    const char *key, *words;
    uint64_t value;
    const char *cls;
} figure;

static size_t figures(const df_diff *d, figure out[10])
{
    figure f[] = {
        {"score_raised", "scores raised", d->score_up, "up"},
        {"score_lowered", "scores lowered", d->score_down, "down"},
        {"level_raised", "levels raised", d->level_up, "up"},
        {"level_lowered", "levels lowered", d->level_down, "down"},
        {"mastery_gained", "mastery gained", d->mastery_gained, "up"},
        {"mastery_lost", "mastery lost", d->mastery_lost, "down"},
        {"error_to_graded", "error \xe2\x86\x92 graded", d->error_to_graded, "up"},
        {"graded_to_error", "graded \xe2\x86\x92 error", d->graded_to_error, "down"},
    };
    memcpy(out, f, sizeof f);
    return sizeof f / sizeof *f;
}

/* Reads the spool's lines from the start, calling fn on each parsed row. */
static void each_row(FILE *spool, void (*fn)(void *ctx, const json_t *row), void *ctx)
{
    rewind(spool);
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&buf, &cap, spool)) > 0) {
        json_t *row = json_loadb(buf, (size_t)got, JSON_ALLOW_NUL, NULL);
        if (row) {
            fn(ctx, row);
            json_decref(row);
        }
    }
    free(buf);
}

static void html_json_str(FILE *f, const json_t *s)
{
    if (json_is_string(s)) {
        html_text(f, json_string_value(s), json_string_length(s));
    } else {
        fputs("<span class=\"meta\">none</span>", f);
    }
}

static void change_row_html(void *ctx, const json_t *row)
{
    FILE *f = ctx;
    fputs("<tr><td data-f=\"learner\">", f);
    html_json_str(f, json_object_get(row, "learner"));
    fputs("</td><td data-f=\"submission\"><code>", f);
    html_json_str(f, json_object_get(row, "submission"));
    fputs("</code></td>", f);
    const json_t *comp = json_object_get(row, "competency");
    if (json_is_null(comp)) {
        fputs("<td data-f=\"competency\"><i>whole result</i></td><td data-f=\"old\">", f);
        html_json_str(f, json_object_get(row, "old_status"));
        fputs("</td><td data-f=\"new\">", f);
        html_json_str(f, json_object_get(row, "new_status"));
        fputs("</td><td></td></tr>\n", f);
        return;
    }
    fputs("<td data-f=\"competency\"><code>", f);
    html_json_str(f, comp);
    fputs("</code></td><td data-f=\"old\">", f);
    html_json_str(f, json_object_get(row, "old_level"));
    fputs("</td><td data-f=\"new\">", f);
    html_json_str(f, json_object_get(row, "new_level"));
    bool om = json_is_true(json_object_get(row, "old_mastered"));
    bool nm = json_is_true(json_object_get(row, "new_mastered"));
    fprintf(f, "</td><td data-f=\"mastery\">%s</td></tr>\n",
            om == nm ? (om ? "mastered" : "not mastered")
            : nm     ? "<b class=\"gain\">gained</b>"
                     : "<b class=\"loss\">lost</b>");
}

static void id_row_html(FILE *f, const char *id, size_t id_len, const char *learner,
                        size_t learner_len)
{
    fputs("<tr><td><code>", f);
    html_text(f, id, id_len);
    fputs("</code></td><td>", f);
    if (learner) {
        html_text(f, learner, learner_len);
    } else {
        fputs("<span class=\"meta\">none</span>", f);
    }
    fputs("</td></tr>\n", f);
}

static void new_only_html(void *ctx, const json_t *row)
{
    const json_t *id = json_object_get(row, "submission");
    const json_t *learner = json_object_get(row, "learner");
    id_row_html(ctx, json_string_value(id), json_string_length(id),
                json_is_string(learner) ? json_string_value(learner) : NULL,
                json_is_string(learner) ? json_string_length(learner) : 0);
}

static void old_only_html(void *ctx, const char *id, size_t id_len, const char *learner,
                          size_t learner_len)
{
    id_row_html(ctx, id, id_len, learner, learner_len);
}

/* The shade class of a matrix cell: its share of the largest off-diagonal count. */
static const char *shade(uint64_t v, uint64_t max)
{
    static const char *const h[] = {"h0", "h1", "h2", "h3", "h4", "h5"};
    if (v == 0 || max == 0) {
        return h[0];
    }
    size_t k = 1 + (size_t)(4.0 * (double)v / (double)max);
    return h[k > 5 ? 5 : k];
}

static void write_matrix(FILE *f, const df_diff *d)
{
    uint64_t max = 0, total = 0, changed = 0;
    for (int o = 0; o < DF_STATES; o++) {
        for (int n = 0; n < DF_STATES; n++) {
            total += d->trans[o][n];
            if (o != n) {
                changed += d->trans[o][n];
                max = d->trans[o][n] > max ? d->trans[o][n] : max;
            }
        }
    }
    fprintf(f,
            "<h2>Check statuses, old \xc3\x97 new</h2>\n<p><span data-f=\"checks_compared\">"
            "%llu</span> check outcomes compared, <span data-f=\"checks_changed\">%llu</span> "
            "changed. Rows: the status in OLD; columns: in NEW; \"absent\": the check is not "
            "in that side's result. Off-diagonal cells are shaded by count.</p>\n",
            (unsigned long long)total, (unsigned long long)changed);
    fputs("<table class=\"matrix\"><caption>Transitions of check statuses (old \xe2\x86\x93, "
          "new \xe2\x86\x92)</caption><thead><tr><th>old \\ new</th>",
          f);
    for (int n = 0; n < DF_STATES; n++) {
        fprintf(f, "<th class=\"n\">%s</th>", state_names[n]);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (int o = 0; o < DF_STATES; o++) {
        fprintf(f, "<tr data-old=\"%s\"><th>%s</th>", state_names[o], state_names[o]);
        for (int n = 0; n < DF_STATES; n++) {
            fprintf(f, "<td class=\"n %s\" data-f=\"%s\">%llu</td>",
                    o == n ? "diag" : shade(d->trans[o][n], max), state_names[n],
                    (unsigned long long)d->trans[o][n]);
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static int by_changed(const void *a, const void *b)
{
    const json_t *x = json_object_iter_value(*(void *const *)a);
    const json_t *y = json_object_iter_value(*(void *const *)b);
    json_int_t cx = json_integer_value(json_array_get(x, 1));
    json_int_t cy = json_integer_value(json_array_get(y, 1));
    if (cx != cy) {
        return cx > cy ? -1 : 1;
    }
    return strcmp(json_object_iter_key(*(void *const *)a),
                  json_object_iter_key(*(void *const *)b));
}

/* The per-check counts, most changed first: an array of jansson iterators (caller frees). */
static void **checks_sorted(const df_diff *d, size_t *n)
{
    *n = json_object_size(d->check_changes);
    void **its = malloc((*n ? *n : 1) * sizeof(*its));
    if (its == NULL) {
        *n = 0;
        return NULL;
    }
    size_t k = 0;
    for (void *it = json_object_iter(d->check_changes); it && k < *n;
         it = json_object_iter_next(d->check_changes, it)) {
        its[k++] = it;
    }
    qsort(its, k, sizeof(*its), by_changed);
    return its;
}

static void write_checks(FILE *f, const df_diff *d)
{
    size_t n;
    void **its = checks_sorted(d, &n);
    fputs("<h2>Checks by changes</h2>\n<table class=\"checks\"><thead><tr><th>rubric</th>"
          "<th>check</th>"
          "<th class=\"n\">compared</th><th class=\"n\">changed</th><th class=\"n\">share"
          "</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_iter_value(its[i]);
        uint64_t cmp = (uint64_t)json_integer_value(json_array_get(v, 0));
        uint64_t chg = (uint64_t)json_integer_value(json_array_get(v, 1));
        const char *key = json_object_iter_key(its[i]);
        size_t cut = strcspn(key, "\t");
        const char *check = key[cut] ? key + cut + 1 : "";
        fputs("<tr data-check=\"", f);
        html_str(f, check);
        fputs("\"><td>", f);
        html_text(f, key, cut);
        fputs("</td><td><code>", f);
        html_str(f, check);
        fprintf(f,
                "</code></td><td class=\"n\" data-f=\"compared\">%llu</td>"
                "<td class=\"n\" data-f=\"changed\">%llu</td><td class=\"n\">",
                (unsigned long long)cmp, (unsigned long long)chg);
        html_pct(f, chg, cmp);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    if (d->checks_uncounted) {
        fprintf(f,
                "<p class=\"note\">%llu outcomes of checks past the first %d ids are in the "
                "matrix but not in this table.</p>\n",
                (unsigned long long)d->checks_uncounted, DF_MAX_CHECKS);
    }
    free(its);
}

static void write_summary(FILE *f, const df_diff *d)
{
    figure fig[10];
    size_t nf = figures(d, fig);
    fprintf(f,
            "<h2>What changed</h2>\n<p>Of <span data-f=\"graded_both\">%llu</span> results "
            "graded on both sides: <span data-f=\"score_changed\">%llu</span> scores changed, "
            "<span data-f=\"level_changed\">%llu</span> competency levels changed and "
            "<span data-f=\"learners_changed\">%llu</span> results have a level or mastery "
            "change; <span data-f=\"rubric_changed\">%llu</span> were graded with another "
            "rubric (SHA-256) in NEW.</p>\n",
            (unsigned long long)d->graded_both, (unsigned long long)d->score_changed,
            (unsigned long long)d->level_changed, (unsigned long long)d->learners_changed,
            (unsigned long long)d->rubric_changed);
    const char *labels[10], *classes[10];
    uint64_t values[10];
    char *desc = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&desc, &dlen);
    for (size_t i = 0; i < nf; i++) {
        labels[i] = fig[i].words;
        values[i] = fig[i].value;
        classes[i] = fig[i].cls;
        if (df) {
            fprintf(df, "%s%s: %llu", i ? ", " : "", fig[i].words,
                    (unsigned long long)fig[i].value);
        }
    }
    if (df) {
        fclose(df);
    }
    fputs("<div class=\"grid\"><figure><figcaption>Changes, NEW against OLD</figcaption>\n", f);
    html_hbars(f, "Changes, NEW against OLD", desc ? desc : "", labels, values, classes, nf);
    free(desc);
    fputs("</figure>\n<table class=\"summary\"><thead><tr><th>change</th><th class=\"n\">"
          "count</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < nf; i++) {
        fprintf(f, "<tr><td>%s</td><td class=\"n\" data-f=\"%s\">%llu</td></tr>\n",
                fig[i].words, fig[i].key, (unsigned long long)fig[i].value);
    }
    fprintf(
        f,
        "<tr><td>competencies rated in OLD only</td><td class=\"n\" data-f=\"comp_only_old\">"
        "%llu</td></tr>\n<tr><td>competencies rated in NEW only</td><td class=\"n\" "
        "data-f=\"comp_only_new\">%llu</td></tr>\n</tbody></table></div>\n",
        (unsigned long long)d->comp_only_old, (unsigned long long)d->comp_only_new);
    fputs("<p class=\"meta\">A level change counts as raised or lowered by the competency's "
          "score; scores compare score / max_score.</p>\n",
          f);
}

static void write_header(FILE *f, const df_diff *d)
{
    fputs("<header>\n<h1>Assay regrade diff</h1>\n<p class=\"meta\">OLD <code>", f);
    html_str(f, d->old.path);
    fputs("</code> \xe2\x86\x92 NEW <code>", f);
    html_str(f, d->new.path);
    fprintf(f, "</code> &#183; assay %s</p>\n", ASSAY_VERSION_STRING);
    fprintf(f,
            "<table class=\"sides\"><thead><tr><th></th><th class=\"n\">lines</th><th "
            "class=\"n\">results</th><th class=\"n\">skipped</th><th class=\"n\">repeated ids"
            "</th><th class=\"n\">on this side only</th></tr></thead><tbody>\n");
    const df_side *sides[2] = {&d->old, &d->new};
    uint64_t only[2] = {d->only_old, d->only_new};
    for (int i = 0; i < 2; i++) {
        fprintf(f,
                "<tr data-side=\"%s\"><th>%s</th><td class=\"n\" data-f=\"lines\">%llu</td><td "
                "class=\"n\" data-f=\"results\">%llu</td><td class=\"n\" data-f=\"skipped\">"
                "%llu</td><td class=\"n\" data-f=\"duplicates\">%llu</td><td class=\"n\" "
                "data-f=\"only\">%llu</td></tr>\n",
                i ? "new" : "old", i ? "NEW" : "OLD", (unsigned long long)sides[i]->lines,
                (unsigned long long)sides[i]->results, (unsigned long long)sides[i]->skipped,
                (unsigned long long)sides[i]->duplicates, (unsigned long long)only[i]);
    }
    fprintf(f,
            "</tbody></table>\n<p><span data-f=\"matched\">%llu</span> results matched by "
            "submission id. A repeated id keeps its last result in OLD and its first in NEW."
            "</p>\n</header>\n",
            (unsigned long long)d->matched);
}

int df_write_html(df_diff *d, FILE *f)
{
    html_begin(f, "Assay regrade diff");
    write_header(f, d);
    write_summary(f, d);
    write_matrix(f, d);
    write_checks(f, d);
    fputs("<h2>Learners whose level or mastery changed</h2>\n<table class=\"changes\"><thead>"
          "<tr><th>learner</th><th>submission</th><th>competency</th><th>old</th><th>new</th>"
          "<th>mastery</th></tr></thead><tbody>\n",
          f);
    each_row(d->changes, change_row_html, f);
    fputs("</tbody></table>\n", f);
    fputs("<h2>Only in OLD</h2>\n<table class=\"only-old\"><thead><tr><th>submission</th>"
          "<th>learner</th></tr></thead><tbody>\n",
          f);
    df_each_only_old(d, old_only_html, f);
    fputs("</tbody></table>\n<h2>Only in NEW</h2>\n<table class=\"only-new\"><thead><tr>"
          "<th>submission</th><th>learner</th></tr></thead><tbody>\n",
          f);
    each_row(d->new_only, new_only_html, f);
    fputs("</tbody></table>\n", f);
    html_end(f);
    return ferror(f) ? -1 : 0;
}

/* ---------------------------------------------------------------------------------------
 * JSON: the summary built with jansson, the long lists streamed from the spools.
 */

typedef struct json_list {
    FILE *f;
    bool first;
} json_list;

static void row_json(void *ctx, const json_t *row)
{
    json_list *l = ctx;
    char *text = json_dumps(row, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (text) {
        fprintf(l->f, "%s\n  %s", l->first ? "" : ",", text);
        l->first = false;
        free(text);
    }
}

static void old_only_json(void *ctx, const char *id, size_t id_len, const char *learner,
                          size_t learner_len)
{
    json_t *row = json_object();
    json_object_set_new(row, "learner",
                        learner ? json_stringn(learner, learner_len) : json_null());
    json_object_set_new(row, "submission", json_stringn(id, id_len));
    row_json(ctx, row);
    json_decref(row);
}

static json_t *side_json(const df_side *s, uint64_t only)
{
    return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "path", s->path, "lines",
                     (json_int_t)s->lines, "results", (json_int_t)s->results, "skipped",
                     (json_int_t)s->skipped, "duplicates", (json_int_t)s->duplicates, "only",
                     (json_int_t)only);
}

int df_write_json(df_diff *d, FILE *f)
{
    json_t *head = json_object();
    json_object_set_new(head, "diff", json_integer(1));
    json_object_set_new(head, "engine", json_string("assay " ASSAY_VERSION_STRING));
    json_object_set_new(head, "old", side_json(&d->old, d->only_old));
    json_object_set_new(head, "new", side_json(&d->new, d->only_new));
    json_object_set_new(head, "matched", json_integer((json_int_t)d->matched));
    json_object_set_new(head, "graded_both", json_integer((json_int_t)d->graded_both));
    json_object_set_new(head, "rubric_changed", json_integer((json_int_t)d->rubric_changed));
    json_object_set_new(head, "score_changed", json_integer((json_int_t)d->score_changed));
    json_object_set_new(head, "level_changed", json_integer((json_int_t)d->level_changed));
    json_object_set_new(head, "learners_changed",
                        json_integer((json_int_t)d->learners_changed));
    figure fig[10];
    size_t nf = figures(d, fig);
    for (size_t i = 0; i < nf; i++) {
        json_object_set_new(head, fig[i].key, json_integer((json_int_t)fig[i].value));
    }
    json_object_set_new(head, "comp_only_old", json_integer((json_int_t)d->comp_only_old));
    json_object_set_new(head, "comp_only_new", json_integer((json_int_t)d->comp_only_new));
    json_t *states = json_array(), *matrix = json_array();
    for (int o = 0; o < DF_STATES; o++) {
        json_array_append_new(states, json_string(state_names[o]));
        json_t *row = json_array();
        for (int n = 0; n < DF_STATES; n++) {
            json_array_append_new(row, json_integer((json_int_t)d->trans[o][n]));
        }
        json_array_append_new(matrix, row);
    }
    json_object_set_new(head, "transitions",
                        json_pack("{s:o,s:o}", "states", states, "matrix", matrix));
    size_t n;
    void **its = checks_sorted(d, &n);
    json_t *checks = json_array();
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_iter_value(its[i]);
        const char *key = json_object_iter_key(its[i]);
        size_t cut = strcspn(key, "\t");
        json_t *x = json_object();
        json_object_set_new(x, "rubric", json_stringn(key, cut));
        json_object_set_new(x, "id", json_string(key[cut] ? key + cut + 1 : ""));
        json_object_set(x, "compared", json_array_get(v, 0));
        json_object_set(x, "changed", json_array_get(v, 1));
        json_array_append_new(checks, x);
    }
    free(its);
    json_object_set_new(head, "checks", checks);
    /* The head without its closing brace, then the lists. */
    char *text = json_dumps(head, JSON_INDENT(1) | JSON_REAL_PRECISION(15));
    json_decref(head);
    if (text == NULL) {
        return -1;
    }
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] != '}') {
        len--;
    }
    len = len > 0 ? len - 1 : 0;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ')) {
        len--;
    }
    fwrite(text, 1, len, f);
    free(text);
    json_list l = {.f = f, .first = true};
    fputs(",\n \"changes\": [", f);
    each_row(d->changes, row_json, &l);
    fputs("\n ],\n \"only_old\": [", f);
    l.first = true;
    df_each_only_old(d, old_only_json, &l);
    fputs("\n ],\n \"only_new\": [", f);
    l.first = true;
    each_row(d->new_only, row_json, &l);
    fputs("\n ]\n}\n", f);
    return ferror(f) ? -1 : 0;
}
