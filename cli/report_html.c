/*
 * report_html.c - `assay report`'s page: one self-contained HTML file (inline CSS and SVG,
 * no script, nothing fetched) laying out the figures of report.h per rubric: the score
 * distribution, the competencies' levels and mastery rates, the checks' status splits,
 * difficulty, discrimination and flags, and their most frequent wrong answers.
 *
 * Every chart has a <title>/<desc> and a table of the same numbers next to it. Every string
 * from the results file goes through html_text. Table cells carry data-f (the figure's name)
 * and rows data-* keys, so tests and scrapers can read the numbers shown.
 */
#include "html.h"
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_classes[RP_STATUSES] = {
    "st-correct", "st-partial", "st-incorrect", "st-invalid", "st-error"};

static const char *const bin_labels[RP_BINS] = {"0–10%",  "10–20%", "20–30%", "30–40%",
                                                "40–50%", "50–60%", "60–70%", "70–80%",
                                                "80–90%", "90–100%"};

static const char *const flag_text[][2] = {
    {"nobody_passes", "nobody passes"},
    {"everybody_passes", "everybody passes"},
    {"negative_discrimination", "negative discrimination"},
    {"many_invalid", "many invalid"},
    {"errors", "check errors"},
};

static const char *flag_words(const char *name)
{
    for (size_t i = 0; i < sizeof(flag_text) / sizeof(*flag_text); i++) {
        if (strcmp(flag_text[i][0], name) == 0) {
            return flag_text[i][1];
        }
    }
    return name;
}

/* <td class="n" data-f="name">value</td> for a count. */
static void td_count(FILE *f, const char *name, uint64_t v)
{
    fprintf(f, "<td class=\"n\" data-f=\"%s\">%llu</td>", name, (unsigned long long)v);
}

static void td_num(FILE *f, const char *name, double v, int decimals)
{
    fprintf(f, "<td class=\"n\" data-f=\"%s\">", name);
    html_num(f, v, decimals);
    fputs("</td>", f);
}

static void td_pct(FILE *f, const char *name, uint64_t part, uint64_t whole)
{
    fprintf(f, "<td class=\"n\" data-f=\"%s\">", name);
    html_pct(f, part, whole);
    fputs("</td>", f);
}

/* A desc text built in a memory stream (the numbers of a chart, in words). */
typedef struct desc_buf {
    char *text;
    size_t len;
    FILE *f;
} desc_buf;

static FILE *desc_open(desc_buf *d)
{
    d->text = NULL;
    d->len = 0;
    d->f = open_memstream(&d->text, &d->len);
    return d->f;
}

static const char *desc_close(desc_buf *d)
{
    if (d->f) {
        fclose(d->f);
    }
    return d->text ? d->text : "";
}

static void write_scores(FILE *f, const rp_group *g)
{
    fputs("<h3>Scores</h3>\n", f);
    if (g->scored == 0) {
        fputs("<p>No graded result with a maximum score above 0.</p>\n", f);
        return;
    }
    fputs("<p>Each graded result's score as a share of the maximum score", f);
    if (g->max_varies) {
        fputs(" (the maximum score varies between results)", f);
    } else {
        fputs(" (", f);
        html_num(f, g->max_score, 2);
        fputs(" points)", f);
    }
    fputs(", in bands of 10%; a band holds its lower bound, the last one 100% too.</p>\n", f);
    desc_buf d;
    FILE *df = desc_open(&d);
    if (df) {
        fprintf(df, "Results per score band: ");
        for (size_t b = 0; b < RP_BINS; b++) {
            fprintf(df, "%s%s: %llu", b ? ", " : "", bin_labels[b],
                    (unsigned long long)g->hist[b]);
        }
        fputc('.', df);
    }
    fputs("<div class=\"grid\"><figure><figcaption>Score distribution</figcaption>\n", f);
    html_bars(f, "Score distribution", desc_close(&d), bin_labels, g->hist, RP_BINS);
    free(d.text);
    fputs("</figure>\n<div><table class=\"scores\"><thead><tr><th>score band</th>"
          "<th class=\"n\">results</th><th class=\"n\">share</th></tr></thead><tbody>\n",
          f);
    for (size_t b = 0; b < RP_BINS; b++) {
        fprintf(f, "<tr data-bin=\"%zu\"><td>%s</td>", b, bin_labels[b]);
        td_count(f, "count", g->hist[b]);
        td_pct(f, "share", g->hist[b], g->scored);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n<table class=\"score-summary\"><tbody>\n", f);
    fputs("<tr><th>results scored</th>", f);
    td_count(f, "n", g->scored);
    fputs("</tr>\n<tr><th>mean</th>", f);
    td_num(f, "mean", 100 * g->mean, 1);
    fputs("</tr>\n<tr><th>standard deviation</th>", f);
    td_num(f, "sd", 100 * rp_score_sd(g), 1);
    fputs("</tr>\n<tr><th>lowest</th>", f);
    td_num(f, "min", 100 * g->min, 1);
    fputs("</tr>\n<tr><th>highest</th>", f);
    td_num(f, "max", 100 * g->max, 1);
    fputs("</tr>\n</tbody></table><p class=\"meta\">mean, deviation, lowest and highest in % "
          "of the maximum score</p></div></div>\n",
          f);
}

static void write_comp(FILE *f, const rp_comp *k)
{
    fputs("<h4>", f);
    html_str(f, k->name ? k->name : k->id);
    fputs(" <span class=\"meta\">(", f);
    html_str(f, k->id);
    fputs(")</span></h4>\n<p>Mastery rate: <b data-f=\"mastery_rate\">", f);
    html_pct(f, k->mastered, k->n);
    fprintf(f, "</b> (%llu of %llu results at a mastered level)</p>\n",
            (unsigned long long)k->mastered, (unsigned long long)k->n);
    size_t nl = k->nlevels;
    uint64_t values[RP_MAX_LEVELS];
    const char *names[RP_MAX_LEVELS], *classes[RP_MAX_LEVELS];
    size_t mark = 0;
    for (size_t l = 0; l < nl; l++) {
        values[l] = k->levels[l].count;
        names[l] = k->levels[l].name ? k->levels[l].name : k->levels[l].id;
        classes[l] = html_level_class(l, nl);
        if (mark == 0 && l > 0 && k->levels[l].mastered && !k->levels[l - 1].mastered) {
            mark = l;
        }
    }
    desc_buf d;
    FILE *df = desc_open(&d);
    if (df) {
        fprintf(df, "Results per level, lowest level first: ");
        for (size_t l = 0; l < nl; l++) {
            fprintf(df, "%s%s: %llu", l ? ", " : "", names[l], (unsigned long long)values[l]);
        }
        fprintf(df, ". Mastered: %llu of %llu.", (unsigned long long)k->mastered,
                (unsigned long long)k->n);
    }
    html_row row = {.label = "", .values = values, .mark = mark, .mark_label = "mastery"};
    fputs("<div class=\"grid\"><figure>\n", f);
    html_stacked(f, k->name ? k->name : k->id, desc_close(&d), &row, 1, names, classes, nl);
    free(d.text);
    fputs("</figure>\n<table class=\"levels\" data-comp=\"", f);
    html_str(f, k->id);
    fputs("\"><thead><tr><th>level</th><th>name</th><th class=\"n\">results</th>"
          "<th class=\"n\">share</th><th>mastery</th></tr></thead><tbody>\n",
          f);
    for (size_t l = 0; l < nl; l++) {
        const rp_level *lv = &k->levels[l];
        fputs("<tr data-level=\"", f);
        html_str(f, lv->id);
        fputs("\"><td><code>", f);
        html_str(f, lv->id);
        fputs("</code></td><td>", f);
        html_str(f, lv->name);
        fputs("</td>", f);
        td_count(f, "count", lv->count);
        td_pct(f, "share", lv->count, k->n);
        fprintf(f, "<td>%s</td></tr>\n", lv->mastered ? "mastered" : "");
    }
    fputs("</tbody></table></div>\n", f);
    if (!k->from_rubric) {
        fputs("<p class=\"meta\">Level order from the results: each level placed by the "
              "lowest competency score seen with it (the rubric was not loaded).</p>\n",
              f);
    }
    if (k->other_levels) {
        fprintf(f,
                "<p class=\"note\">%llu ratings name levels past the first %d distinct "
                "ones and are not shown.</p>\n",
                (unsigned long long)k->other_levels, RP_MAX_LEVELS);
    }
}

static void write_competencies(FILE *f, const rp_group *g)
{
    fputs("<h3>Competencies</h3>\n", f);
    if (g->ncomps == 0) {
        fputs("<p>No competency was rated.</p>\n", f);
    }
    for (size_t i = 0; i < g->ncomps; i++) {
        write_comp(f, &g->comps[i]);
    }
}

/* A check's label in charts: members indented under their group. */
static void check_label(char *buf, size_t size, const rp_check *c)
{
    snprintf(buf, size, "%s%s", c->group ? "\xe2\x80\x83" : "", c->id);
}

static void write_check_chart(FILE *f, const rp_group *g)
{
    html_row *rows = calloc(g->nchecks ? g->nchecks : 1, sizeof(*rows));
    char(*labels)[160] = calloc(g->nchecks ? g->nchecks : 1, sizeof(*labels));
    if (rows == NULL || labels == NULL) {
        free(rows);
        free(labels);
        return;
    }
    desc_buf d;
    FILE *df = desc_open(&d);
    if (df) {
        fprintf(df, "Results per status for each check (correct, partial, incorrect, invalid, "
                    "error): ");
    }
    for (size_t i = 0; i < g->nchecks; i++) {
        const rp_check *c = &g->checks[i];
        check_label(labels[i], sizeof(labels[i]), c);
        rows[i].label = labels[i];
        rows[i].values = c->status;
        if (df) {
            fprintf(df, "%s%s: %llu, %llu, %llu, %llu, %llu", i ? "; " : "", c->id,
                    (unsigned long long)c->status[0], (unsigned long long)c->status[1],
                    (unsigned long long)c->status[2], (unsigned long long)c->status[3],
                    (unsigned long long)c->status[4]);
        }
    }
    fputs("<figure><figcaption>Status of each check</figcaption>\n", f);
    html_stacked(f, "Status of each check", desc_close(&d), rows, g->nchecks, rp_status_names,
                 status_classes, RP_STATUSES);
    fputs("</figure>\n", f);
    free(d.text);
    free(rows);
    free(labels);
}

static void write_checks(FILE *f, const rp_group *g)
{
    fputs("<h3>Checks</h3>\n", f);
    if (g->nchecks == 0) {
        fputs("<p>No check was graded.</p>\n", f);
        return;
    }
    write_check_chart(f, g);
    fputs("<p class=\"meta\">Difficulty: mean credit (points / max points; a group member's "
          "credit), 1 = everybody full credit. Discrimination: correlation of the credit with "
          "the rest of the score (n/a without variance).</p>\n",
          f);
    fputs("<table class=\"checks\"><thead><tr><th>check</th><th>item</th><th>type</th>"
          "<th class=\"n\">results</th>",
          f);
    for (int s = 0; s < RP_STATUSES; s++) {
        fprintf(f, "<th class=\"n\"><span class=\"sw %s\"></span>%s</th>", status_classes[s],
                rp_status_names[s]);
    }
    fputs("<th class=\"n\">difficulty</th><th class=\"n\">discrimination</th><th>flags</th>"
          "</tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < g->nchecks; i++) {
        const rp_check *c = &g->checks[i];
        fputs("<tr data-check=\"", f);
        html_str(f, c->id);
        fputs("\"><td><code>", f);
        if (c->group) {
            fputs("\xe2\x86\xb3 ", f); /* U+21B3 */
        }
        html_str(f, c->id);
        fputs("</code></td><td>", f);
        html_str(f, c->item);
        fputs("</td><td>", f);
        html_str(f, c->type);
        fputs("</td>", f);
        td_count(f, "n", c->n);
        for (int s = 0; s < RP_STATUSES; s++) {
            td_count(f, rp_status_names[s], c->status[s]);
        }
        td_num(f, "difficulty", rp_difficulty(c), 2);
        td_num(f, "discrimination", rp_discrimination(c), 2);
        fputs("<td data-f=\"flags\">", f);
        const char *flags[5];
        size_t nf = rp_flags(c, flags);
        for (size_t k = 0; k < nf; k++) {
            fprintf(f, "<span class=\"flag\" data-flag=\"%s\">%s</span>", flags[k],
                    flag_words(flags[k]));
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void write_wrong_one(FILE *f, const rp_check *c)
{
    fputs("<h4><code>", f);
    html_str(f, c->id);
    fputs("</code> <span class=\"meta\">item ", f);
    html_str(f, c->item);
    fputs("</span></h4>\n<p>", f);
    fprintf(f, "<span data-f=\"counted\">%llu</span> answer%s without full credit counted",
            (unsigned long long)c->wrong.total, c->wrong.total == 1 ? "" : "s");
    if (c->rc) {
        fprintf(f, " after the check's normalisation (%s)",
                c->trim && c->collapse ? "trim, collapse"
                : c->trim              ? "trim"
                : c->collapse          ? "collapse"
                                       : "none: answers as sent");
    } else {
        fputs(" as sent (no rubric loaded, so no normalisation)", f);
    }
    fprintf(f, "; not answered: <span data-f=\"no_answer\">%llu</span>.",
            (unsigned long long)c->no_answer);
    if (c->truncated) {
        fprintf(f, " %llu of the answers had been cut at 1 KiB by the engine.",
                (unsigned long long)c->truncated);
    }
    fputs("</p>\n", f);
    const sketch_counter *top[RP_TOP];
    size_t n = sketch_top(&c->wrong, top, RP_TOP);
    if (n == 0) {
        return;
    }
    fputs("<table class=\"wrong\" data-check=\"", f);
    html_str(f, c->id);
    fputs("\"><thead><tr><th class=\"n\">#</th><th>answer</th><th class=\"n\">count</th>"
          "<th class=\"n\">at least</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "<tr><td class=\"n\">%zu</td><td class=\"ans\" data-f=\"answer\">", i + 1);
        if (top[i]->len == 0) {
            fputs("<span class=\"meta\">(empty)</span>", f);
        } else {
            html_text(f, top[i]->text, top[i]->len);
        }
        fputs("</td>", f);
        td_count(f, "count", top[i]->count);
        td_count(f, "at_least", top[i]->count - top[i]->err);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void write_wrong(FILE *f, const rp_group *g)
{
    fputs("<h3>Most frequent wrong answers</h3>\n", f);
    if (g->answers == 0) {
        fputs("<p class=\"note\">These results carry no answers (result format 1): there is "
              "nothing to list. Regrade with an engine writing result format 2.</p>\n",
              f);
        return;
    }
    fprintf(f,
            "<p class=\"note\">Per check, the answers that did not get full credit (partial, "
            "incorrect, invalid), counted with a Space-Saving sketch of %d counters: "
            "\"count\" is an upper bound and \"at least\" a lower bound of the true count "
            "(equal when exact), and every answer given more than 1/%d of the counted times "
            "is listed.</p>\n",
            RP_SKETCH_K, RP_SKETCH_K);
    for (size_t i = 0; i < g->nchecks; i++) {
        if (g->checks[i].wrong.total > 0 || g->checks[i].no_answer > 0) {
            write_wrong_one(f, &g->checks[i]);
        }
    }
}

static void write_codes(FILE *f, const json_t *codes, uint64_t other)
{
    const char *code;
    json_t *v;
    const char *sep = "";
    json_object_foreach((json_t *)codes, code, v)
    {
        fputs(sep, f);
        fputs("<code>", f);
        html_str(f, code);
        fprintf(f, "</code>: %lld", (long long)json_integer_value(v));
        sep = ", ";
    }
    if (other) {
        fprintf(f, "%sother codes: %llu", sep, (unsigned long long)other);
    }
}

static void write_group(FILE *f, const rp_group *g, size_t idx)
{
    fprintf(f, "<section class=\"rubric\" id=\"rubric-%zu\" data-sha=\"", idx + 1);
    html_str(f, g->sha);
    fputs("\">\n<h2>", f);
    html_str(f, g->title ? g->title : g->id);
    fputs("</h2>\n<p class=\"meta\">rubric <code data-f=\"id\">", f);
    html_str(f, g->id);
    fputs("</code> version <code data-f=\"version\">", f);
    html_str(f, g->version);
    fputs("</code> &#183; SHA-256 <code data-f=\"sha256\">", f);
    html_str(f, g->sha);
    fputs("</code></p>\n", f);
    fprintf(f,
            "<p><span data-f=\"results\">%llu</span> results: <span data-f=\"graded\">%llu"
            "</span> graded, <span data-f=\"not_graded\">%llu</span> not graded",
            (unsigned long long)g->results, (unsigned long long)g->graded,
            (unsigned long long)(g->results - g->graded));
    if (g->results > g->graded) {
        fputs(" (", f);
        write_codes(f, g->codes, g->other_codes);
        fputs(")", f);
    }
    fputs(".</p>\n", f);
    if (g->note || g->rubric == NULL) {
        fputs("<p class=\"note\">", f);
        html_str(f, g->note ? g->note : "The rubric was not loaded (--rubrics DIR)");
        fputs(": competencies, levels and checks are shown in the order the results give "
              "them, and wrong answers as sent.</p>\n",
              f);
    }
    if (g->dropped) {
        fprintf(f,
                "<p class=\"note\">%llu competency ratings or check outcomes past the caps "
                "(%d competencies, %d checks) are not counted.</p>\n",
                (unsigned long long)g->dropped, RP_MAX_COMPS, RP_MAX_CHECKS);
    }
    write_scores(f, g);
    write_competencies(f, g);
    write_checks(f, g);
    write_wrong(f, g);
    fputs("</section>\n", f);
}

static void write_skipped(FILE *f, const rp_report *r)
{
    fprintf(f,
            "<section id=\"skipped\">\n<h2>Lines that are not results</h2>\n<p><span "
            "data-f=\"skipped\">%llu</span> lines were skipped",
            (unsigned long long)r->skipped);
    if (r->skipped > r->nskips) {
        fprintf(f, " (the first %zu are listed; assay report names each on stderr)", r->nskips);
    }
    fputs(".</p>\n<table class=\"skipped\"><thead><tr><th class=\"n\">line</th><th>problem"
          "</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < r->nskips; i++) {
        fprintf(f, "<tr><td class=\"n\">%llu</td><td>", (unsigned long long)r->skips[i].line);
        html_str(f, r->skips[i].why);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table>\n</section>\n", f);
}

static void write_header(FILE *f, const rp_report *r)
{
    fputs("<header>\n<h1>Assay report</h1>\n<p class=\"meta\">results file <code>", f);
    html_str(f, r->input);
    fprintf(f,
            "</code> &#183; assay %s</p>\n<p><span data-f=\"lines\">%llu</span> lines, <span "
            "data-f=\"results\">%llu</span> results, <span data-f=\"skipped\">%llu</span> "
            "skipped, <span data-f=\"rubrics\">%zu</span> rubric%s.</p>\n</header>\n",
            ASSAY_VERSION_STRING, (unsigned long long)r->lines, (unsigned long long)r->results,
            (unsigned long long)r->skipped, r->ngroups, r->ngroups == 1 ? "" : "s");
    if (r->ngroups > 1) {
        fputs("<nav><ul>\n", f);
        for (size_t i = 0; i < r->ngroups; i++) {
            const rp_group *g = &r->groups[i];
            fprintf(f, "<li><a href=\"#rubric-%zu\">", i + 1);
            html_str(f, g->title ? g->title : g->id);
            fputs("</a> <span class=\"meta\">", f);
            html_str(f, g->version);
            fprintf(f, ", %llu results</span></li>\n", (unsigned long long)g->results);
        }
        fputs("</ul></nav>\n", f);
    }
}

static void write_footer(FILE *f)
{
    fputs("<section id=\"reading\">\n<h2>How the figures are computed</h2>\n<ul>\n"
          "<li><b>Score</b>: score / max_score of each graded result.</li>\n"
          "<li><b>Mastery rate</b>: results whose competency is at a mastered level, over the "
          "results rating it.</li>\n"
          "<li><b>Difficulty</b>: the mean credit of the check, 0 (nobody scores) to 1 "
          "(everybody gets full credit).</li>\n"
          "<li><b>Discrimination</b>: Pearson's correlation (point-biserial for checks that "
          "score 0 or full) between the check's credit and the rest of the score (total minus "
          "the check's points; for a group member, minus its group's points). n/a when either "
          "has no variance.</li>\n"
          "<li><b>Flags</b>: nobody passes (no result correct), everybody passes (all "
          "correct), negative discrimination (below 0), many invalid (over 10% invalid), "
          "check errors (any).</li>\n"
          "</ul>\n<p class=\"meta\">docs/reports.md gives the formulas in full.</p>\n"
          "</section>\n",
          f);
}

int rp_write_html(const rp_report *r, FILE *f)
{
    char title[300];
    snprintf(title, sizeof title, "Assay report: %s", r->input);
    html_begin(f, title);
    write_header(f, r);
    for (size_t i = 0; i < r->ngroups; i++) {
        write_group(f, &r->groups[i], i);
    }
    if (r->unrubric) {
        fprintf(f,
                "<section id=\"without-rubric\">\n<h2>Results naming no rubric</h2>\n<p><span "
                "data-f=\"count\">%llu</span> error results name no rubric (",
                (unsigned long long)r->unrubric);
        write_codes(f, r->unrubric_codes, r->unrubric_other);
        fputs(").</p>\n</section>\n", f);
    }
    if (r->skipped) {
        write_skipped(f, r);
    }
    write_footer(f);
    html_end(f);
    return ferror(f) ? -1 : 0;
}
