/*
 * report_acc.c - the accumulators of `assay report` (report.h): each line of a results file
 * is parsed (jansson), checked to be a result, and added to the figures of its rubric's
 * group; nothing of the line is kept but bounded counters, running moments and the
 * Space-Saving sketches of wrong answers.
 *
 * A line is checked whole before any figure moves, so a line that is not a result counts
 * for nothing but the skipped count. The rubric from --rubrics with the same SHA-256, when
 * there is one, gives the order of the competencies, levels and checks and each check's
 * normalisation; otherwise they come from the results in order of appearance.
 */
#include "report.h"

#include "html.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const rp_status_names[RP_STATUSES] = {"correct", "partial", "incorrect", "invalid",
                                                  "error"};

int rp_status_index(const char *s)
{
    for (int i = 0; s && i < RP_STATUSES; i++) {
        if (strcmp(s, rp_status_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

void rp_moments_add(rp_moments *m, double x, double y)
{
    m->n++;
    double dx = x - m->mx;
    double dy = y - m->my;
    m->mx += dx / (double)m->n;
    m->my += dy / (double)m->n;
    m->sxx += dx * (x - m->mx);
    m->syy += dy * (y - m->my);
    m->sxy += dx * (y - m->my);
}

double rp_correlation(const rp_moments *m)
{
    /* Variances this small relative to the values are rounding noise: treat them as 0. */
    if (m->n < 2 || m->sxx <= 1e-12 * (double)m->n || m->syy <= 1e-12 * (double)m->n) {
        return NAN;
    }
    double r = m->sxy / sqrt(m->sxx * m->syy);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

double rp_difficulty(const rp_check *c)
{
    return c->n ? c->credit_sum / (double)c->n : NAN;
}

double rp_discrimination(const rp_check *c)
{
    return rp_correlation(&c->mo);
}

size_t rp_flags(const rp_check *c, const char *out[5])
{
    size_t n = 0;
    if (c->n == 0) {
        return 0;
    }
    if (c->status[RP_CORRECT] == 0) {
        out[n++] = "nobody_passes";
    }
    if (c->status[RP_CORRECT] == c->n) {
        out[n++] = "everybody_passes";
    }
    double d = rp_discrimination(c);
    if (!isnan(d) && d < 0) {
        out[n++] = "negative_discrimination";
    }
    if ((double)c->status[RP_INVALID] > RP_INVALID_SHARE * (double)c->n) {
        out[n++] = "many_invalid";
    }
    if (c->status[RP_ERROR] > 0) {
        out[n++] = "errors";
    }
    return n;
}

double rp_score_sd(const rp_group *g)
{
    return g->scored ? sqrt(g->m2 / (double)g->scored) : NAN;
}

size_t rp_bin(double frac)
{
    /* Bin i holds i/10 <= frac < (i+1)/10; 1 goes in the last. The small allowance keeps
     * 0.7 (7 of 10) in bin 7 whatever the rounding of the division. */
    double b = floor(frac * RP_BINS + 1e-9);
    if (b < 0) {
        return 0;
    }
    return b >= RP_BINS ? RP_BINS - 1 : (size_t)b;
}

int rp_init(rp_report *r, const assay_catalog *cat, const char *input)
{
    memset(r, 0, sizeof(*r));
    r->input = input;
    r->cat = cat;
    r->group_index = json_object();
    r->unrubric_codes = json_object();
    return r->group_index && r->unrubric_codes ? 0 : -1;
}

static void check_free(rp_check *c)
{
    free(c->id);
    free(c->item);
    free(c->type);
    free(c->group);
    sketch_finish(&c->wrong);
}

static void group_free(rp_group *g)
{
    free(g->id);
    free(g->version);
    free(g->sha);
    free(g->title);
    json_decref(g->codes);
    for (size_t i = 0; i < g->ncomps; i++) {
        for (size_t l = 0; l < g->comps[i].nlevels; l++) {
            free(g->comps[i].levels[l].id);
            free(g->comps[i].levels[l].name);
        }
        free(g->comps[i].levels);
        free(g->comps[i].id);
        free(g->comps[i].name);
    }
    free(g->comps);
    json_decref(g->comp_index);
    for (size_t i = 0; i < g->nchecks; i++) {
        check_free(&g->checks[i]);
    }
    free(g->checks);
    json_decref(g->check_index);
}

void rp_finish(rp_report *r)
{
    for (size_t i = 0; i < r->ngroups; i++) {
        group_free(&r->groups[i]);
    }
    free(r->groups);
    json_decref(r->group_index);
    json_decref(r->unrubric_codes);
    free(r->norm);
    memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------------------------------------
 * Is it a result? Each test names what is wrong and where (a JSON pointer).
 */

static bool fail(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return false;
}

/* Field `key` of obj must be a string (or, when optional, absent or null). */
static bool need_string(const json_t *obj, const char *key, const char *at, bool optional,
                        char *why, size_t n)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_string(v) || (optional && (v == NULL || json_is_null(v)))) {
        return true;
    }
    return fail(why, n, "%s/%s is %s, not a string", at, key, v ? "another type" : "missing");
}

static bool need_number(const json_t *obj, const char *key, const char *at, char *why, size_t n)
{
    if (json_is_number(json_object_get(obj, key))) {
        return true;
    }
    return fail(why, n, "%s/%s is %s, not a number", at, key,
                json_object_get(obj, key) ? "another type" : "missing");
}

static bool valid_check(const json_t *c, const char *at, bool member, char *why, size_t n)
{
    if (!json_is_object(c)) {
        return fail(why, n, "%s is not an object", at);
    }
    if (!need_string(c, "id", at, false, why, n) ||
        !need_string(c, "type", at, false, why, n)) {
        return false;
    }
    if (rp_status_index(json_string_value(json_object_get(c, "status"))) < 0) {
        return fail(why, n,
                    "%s/status is not one of correct, partial, incorrect, invalid, error", at);
    }
    if (member) {
        return need_number(c, "credit", at, why, n);
    }
    if (!need_number(c, "points", at, why, n) || !need_number(c, "max_points", at, why, n)) {
        return false;
    }
    const json_t *members = json_object_get(c, "checks");
    if (members == NULL) {
        return true;
    }
    if (!json_is_array(members)) {
        return fail(why, n, "%s/checks is not an array", at);
    }
    size_t i;
    const json_t *m;
    json_array_foreach(members, i, m)
    {
        char sub[128];
        snprintf(sub, sizeof sub, "%s/checks/%zu", at, i);
        if (!valid_check(m, sub, true, why, n)) {
            return false;
        }
    }
    return true;
}

static bool valid_graded(const json_t *res, char *why, size_t n)
{
    if (!need_number(res, "score", "", why, n) || !need_number(res, "max_score", "", why, n)) {
        return false;
    }
    const json_t *comps = json_object_get(res, "competencies");
    const json_t *items = json_object_get(res, "items");
    if (!json_is_array(comps)) {
        return fail(why, n, "/competencies is not an array");
    }
    if (!json_is_array(items)) {
        return fail(why, n, "/items is not an array");
    }
    size_t i, k;
    const json_t *v, *c;
    char at[128];
    json_array_foreach(comps, i, v)
    {
        snprintf(at, sizeof at, "/competencies/%zu", i);
        if (!json_is_object(v)) {
            return fail(why, n, "%s is not an object", at);
        }
        if (!need_string(v, "id", at, false, why, n) ||
            !need_string(v, "level", at, false, why, n) ||
            !need_string(v, "name", at, true, why, n) ||
            !need_string(v, "level_name", at, true, why, n) ||
            !need_number(v, "score", at, why, n)) {
            return false;
        }
        if (!json_is_boolean(json_object_get(v, "mastered"))) {
            return fail(why, n, "%s/mastered is not true or false", at);
        }
    }
    json_array_foreach(items, i, v)
    {
        snprintf(at, sizeof at, "/items/%zu", i);
        if (!json_is_object(v)) {
            return fail(why, n, "%s is not an object", at);
        }
        if (!need_string(v, "id", at, false, why, n) ||
            !need_string(v, "answer", at, true, why, n)) {
            return false;
        }
        const json_t *checks = json_object_get(v, "checks");
        if (!json_is_array(checks)) {
            return fail(why, n, "%s/checks is not an array", at);
        }
        json_array_foreach(checks, k, c)
        {
            char sub[160];
            snprintf(sub, sizeof sub, "%s/checks/%zu", at, k);
            if (!valid_check(c, sub, false, why, n)) {
                return false;
            }
        }
    }
    return true;
}

bool rp_valid_result(const json_t *res, char *why, size_t n)
{
    if (!json_is_object(res)) {
        return fail(why, n, "not a JSON object");
    }
    const char *status = json_string_value(json_object_get(res, "status"));
    if (status == NULL || (strcmp(status, "graded") != 0 && strcmp(status, "error") != 0)) {
        return fail(why, n, "/status is not \"graded\" or \"error\"");
    }
    const json_t *rub = json_object_get(res, "rubric");
    bool graded = strcmp(status, "graded") == 0;
    if (graded || !json_is_null(rub)) {
        if (!json_is_object(rub)) {
            return fail(why, n, "/rubric is not an object");
        }
        if (!need_string(rub, "id", "/rubric", false, why, n) ||
            !need_string(rub, "version", "/rubric", false, why, n) ||
            !need_string(rub, "sha256", "/rubric", false, why, n) ||
            !need_string(rub, "title", "/rubric", true, why, n)) {
            return false;
        }
    }
    if (!graded) {
        const json_t *err = json_object_get(res, "error");
        if (!json_is_object(err) || !json_is_string(json_object_get(err, "code"))) {
            return fail(why, n, "/error/code is missing or not a string");
        }
        return true;
    }
    return valid_graded(res, why, n);
}

/* ---------------------------------------------------------------------------------------
 * Groups, competencies, levels and checks, created on first sight (or from the rubric).
 */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Appends one element to an array grown one at a time; NULL when out of memory. */
static void *grow(void **arr, size_t *n, size_t size)
{
    void *na = realloc(*arr, (*n + 1) * size);
    if (na == NULL) {
        return NULL;
    }
    *arr = na;
    void *slot = (char *)na + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

static rp_level *add_level(rp_comp *k, const char *id, const char *name)
{
    rp_level *lv = grow((void **)&k->levels, &k->nlevels, sizeof(*lv));
    if (lv == NULL) {
        return NULL;
    }
    lv->id = strdup(id);
    lv->name = dup_or_null(name);
    lv->min_score = INFINITY;
    lv->first = k->nlevels - 1;
    return lv;
}

static rp_comp *add_comp(rp_group *g, const char *id, const char *name)
{
    rp_comp *k = grow((void **)&g->comps, &g->ncomps, sizeof(*k));
    if (k == NULL) {
        return NULL;
    }
    k->id = strdup(id);
    k->name = dup_or_null(name);
    json_object_set_new(g->comp_index, id, json_integer((json_int_t)(g->ncomps - 1)));
    return k;
}

static rp_check *add_check(rp_group *g, const char *id, const char *item, const char *type,
                           const char *group, size_t parent)
{
    rp_check *c = grow((void **)&g->checks, &g->nchecks, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->id = strdup(id);
    c->item = strdup(item);
    c->type = strdup(type);
    c->group = dup_or_null(group);
    c->parent = parent;
    sketch_init(&c->wrong, RP_SKETCH_K);
    json_object_set_new(g->check_index, id, json_integer((json_int_t)(g->nchecks - 1)));
    return c;
}

/* The rubric's competencies, levels and checks, in its order. */
static void seed_from_rubric(rp_group *g, const assay_rubric *rb)
{
    for (size_t i = 0; i < assay_rubric_competency_count(rb) && i < RP_MAX_COMPS; i++) {
        assay_competency_info ki;
        assay_rubric_competency(rb, i, &ki);
        rp_comp *k = add_comp(g, ki.id, ki.name);
        if (k == NULL) {
            return;
        }
        k->from_rubric = true;
        for (size_t l = 0; l < ki.nlevels && l < RP_MAX_LEVELS; l++) {
            assay_level_info li;
            assay_rubric_level(rb, i, l, &li);
            rp_level *lv = add_level(k, li.id, li.name);
            if (lv) {
                lv->mastered = li.mastered;
            }
        }
    }
    for (size_t i = 0; i < assay_rubric_item_count(rb); i++) {
        assay_item_info ii;
        assay_rubric_item(rb, i, &ii);
        for (size_t k = 0; k < ii.nchecks; k++) {
            const assay_check *top = assay_rubric_item_check(rb, i, k);
            assay_check_info ci;
            assay_check_describe(rb, top, &ci);
            size_t parent = g->nchecks;
            rp_check *c = g->nchecks < RP_MAX_CHECKS
                              ? add_check(g, ci.id, ii.id, ci.type, NULL, SIZE_MAX)
                              : NULL;
            if (c == NULL) {
                return;
            }
            c->rc = top;
            c->trim = ci.trim;
            c->collapse = ci.collapse;
            for (size_t m = 0; m < ci.nmembers; m++) {
                const assay_check *mem = assay_check_member(top, m);
                assay_check_info mi;
                assay_check_describe(rb, mem, &mi);
                rp_check *mc = g->nchecks < RP_MAX_CHECKS
                                   ? add_check(g, mi.id, ii.id, mi.type, ci.id, parent)
                                   : NULL;
                if (mc == NULL) {
                    return;
                }
                mc->rc = mem;
                mc->trim = mi.trim;
                mc->collapse = mi.collapse;
            }
        }
    }
}

/* The group of a result's rubric, created on first sight; NULL past RP_MAX_GROUPS (or out
 * of memory). */
static rp_group *group_for(rp_report *r, const json_t *rub)
{
    const char *sha = json_string_value(json_object_get(rub, "sha256"));
    json_t *at = json_object_get(r->group_index, sha);
    if (at) {
        return &r->groups[json_integer_value(at)];
    }
    if (r->ngroups >= RP_MAX_GROUPS) {
        return NULL;
    }
    rp_group *g = grow((void **)&r->groups, &r->ngroups, sizeof(*g));
    if (g == NULL) {
        return NULL;
    }
    json_object_set_new(r->group_index, sha, json_integer((json_int_t)(r->ngroups - 1)));
    g->id = strdup(json_string_value(json_object_get(rub, "id")));
    g->version = strdup(json_string_value(json_object_get(rub, "version")));
    g->sha = strdup(sha);
    g->title = dup_or_null(json_string_value(json_object_get(rub, "title")));
    g->codes = json_object();
    g->comp_index = json_object();
    g->check_index = json_object();
    g->min = INFINITY;
    g->max = -INFINITY;
    if (r->cat) {
        const assay_rubric *rb = assay_catalog_find(r->cat, g->id, g->version);
        if (rb == NULL) {
            g->note = "no rubric with this id and version in the --rubrics directory";
        } else if (strcmp(assay_rubric_sha256(rb), sha) != 0) {
            g->note = "the rubric with this id and version in the --rubrics directory has "
                      "other content (another SHA-256)";
        } else {
            g->rubric = rb;
            if (g->title == NULL && assay_rubric_title(rb)) {
                g->title = strdup(assay_rubric_title(rb));
            }
            seed_from_rubric(g, rb);
        }
    }
    return g;
}

static void count_code(json_t *codes, uint64_t *other, const char *code)
{
    json_t *v = json_object_get(codes, code);
    if (v) {
        json_integer_set(v, json_integer_value(v) + 1);
    } else if (json_object_size(codes) < RP_MAX_CODES) {
        json_object_set_new(codes, code, json_integer(1));
    } else {
        (*other)++;
    }
}

static void add_competency(rp_group *g, const json_t *v)
{
    const char *id = json_string_value(json_object_get(v, "id"));
    json_t *at = json_object_get(g->comp_index, id);
    rp_comp *k = at ? &g->comps[json_integer_value(at)] : NULL;
    if (k == NULL) {
        k = g->ncomps < RP_MAX_COMPS
                ? add_comp(g, id, json_string_value(json_object_get(v, "name")))
                : NULL;
        if (k == NULL) {
            g->dropped++;
            return;
        }
    }
    const char *lid = json_string_value(json_object_get(v, "level"));
    bool mastered = json_is_true(json_object_get(v, "mastered"));
    double score = json_number_value(json_object_get(v, "score"));
    k->n++;
    k->mastered += mastered;
    rp_level *lv = NULL;
    for (size_t i = 0; i < k->nlevels && lv == NULL; i++) {
        lv = strcmp(k->levels[i].id, lid) == 0 ? &k->levels[i] : NULL;
    }
    if (lv == NULL) {
        lv = k->nlevels < RP_MAX_LEVELS
                 ? add_level(k, lid, json_string_value(json_object_get(v, "level_name")))
                 : NULL;
        if (lv == NULL) {
            k->other_levels++;
            return;
        }
    }
    if (lv->name == NULL && json_is_string(json_object_get(v, "level_name"))) {
        lv->name = strdup(json_string_value(json_object_get(v, "level_name")));
    }
    lv->count++;
    lv->mastered = lv->mastered || mastered;
    lv->min_score = score < lv->min_score ? score : lv->min_score;
}

/* The check of a result, found by id or created; NULL past RP_MAX_CHECKS. */
static rp_check *check_for(rp_group *g, const json_t *c, const char *item, const char *group,
                           size_t parent)
{
    const char *id = json_string_value(json_object_get(c, "id"));
    json_t *at = json_object_get(g->check_index, id);
    if (at) {
        return &g->checks[json_integer_value(at)];
    }
    if (g->nchecks >= RP_MAX_CHECKS) {
        return NULL;
    }
    return add_check(g, id, item, json_string_value(json_object_get(c, "type")), group, parent);
}

/* Feeds a wrong answer to a check's sketch, after its normalisation when the rubric is
 * known. -1 when out of memory. */
static int add_wrong(rp_report *r, rp_check *c, const json_t *item)
{
    const json_t *ans = json_object_get(item, "answer");
    if (!json_is_string(ans)) {
        if (json_is_false(json_object_get(item, "answered"))) {
            c->no_answer++;
        }
        return 0;
    }
    const char *text = json_string_value(ans);
    size_t len = json_string_length(ans);
    if (c->rc) {
        if (r->norm_cap < len + 1) {
            char *nb = realloc(r->norm, len + 1);
            if (nb == NULL) {
                return -1;
            }
            r->norm = nb;
            r->norm_cap = len + 1;
        }
        len = assay_check_normalize(c->rc, text, len, r->norm);
        text = r->norm;
    }
    c->truncated += json_is_true(json_object_get(item, "answer_truncated"));
    return sketch_add(&c->wrong, text, len);
}

static int add_check_result(rp_report *r, rp_check *c, const json_t *cj, const json_t *item,
                            double credit, double rest)
{
    int st = rp_status_index(json_string_value(json_object_get(cj, "status")));
    c->status[st]++;
    c->n++;
    c->credit_sum += credit;
    rp_moments_add(&c->mo, credit, rest);
    if (st == RP_PARTIAL || st == RP_INCORRECT || st == RP_INVALID) {
        return add_wrong(r, c, item);
    }
    return 0;
}

static int add_item(rp_report *r, rp_group *g, const json_t *item, double score)
{
    const char *item_id = json_string_value(json_object_get(item, "id"));
    g->answers += json_is_string(json_object_get(item, "answer"));
    size_t i, m;
    const json_t *cj, *mj;
    json_array_foreach(json_object_get(item, "checks"), i, cj)
    {
        rp_check *c = check_for(g, cj, item_id, NULL, SIZE_MAX);
        if (c == NULL) {
            g->dropped++;
            continue;
        }
        size_t ci = (size_t)(c - g->checks);
        double points = json_number_value(json_object_get(cj, "points"));
        double max = json_number_value(json_object_get(cj, "max_points"));
        double credit =
            max > 0 ? points / max
                    : rp_status_index(json_string_value(json_object_get(cj, "status"))) ==
                          RP_CORRECT;
        if (add_check_result(r, c, cj, item, credit, score - points) != 0) {
            return -1;
        }
        json_array_foreach(json_object_get(cj, "checks"), m, mj)
        {
            rp_check *mc = check_for(g, mj, item_id, g->checks[ci].id, ci);
            if (mc == NULL) {
                g->dropped++;
                continue;
            }
            double mcredit = json_number_value(json_object_get(mj, "credit"));
            if (add_check_result(r, mc, mj, item, mcredit, score - points) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int add_graded(rp_report *r, rp_group *g, const json_t *res)
{
    g->graded++;
    double score = json_number_value(json_object_get(res, "score"));
    double max = json_number_value(json_object_get(res, "max_score"));
    if (g->graded > 1 && max != g->max_score) {
        g->max_varies = true;
    }
    g->max_score = max;
    if (max > 0) {
        double frac = score / max;
        g->hist[rp_bin(frac)]++;
        g->scored++;
        double d = frac - g->mean;
        g->mean += d / (double)g->scored;
        g->m2 += d * (frac - g->mean);
        g->min = frac < g->min ? frac : g->min;
        g->max = frac > g->max ? frac : g->max;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(res, "competencies"), i, v)
    {
        add_competency(g, v);
    }
    json_array_foreach(json_object_get(res, "items"), i, v)
    {
        if (add_item(r, g, v, score) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Replaces each byte of s that does not belong to a UTF-8 character with '?' (a message may
 * quote a cut piece of a bad line). */
static void clean_utf8(char *s)
{
    size_t len = strlen(s), i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = html_utf8_char(s + i, len - i, &cp);
        if (n == 0) {
            s[i] = '?';
            n = 1;
        }
        i += n;
    }
}

int rp_add_line(rp_report *r, const char *line, size_t len, uint64_t lineno, char *why,
                size_t whysize)
{
    r->lines = lineno;
    size_t k = 0;
    while (k < len &&
           (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' || line[k] == '\n')) {
        k++;
    }
    if (k == len) {
        return 0;
    }
    json_error_t jerr;
    json_t *res = json_loadb(line, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    bool ok;
    if (res == NULL) {
        snprintf(why, whysize, "not JSON: %s (column %d)", jerr.text, jerr.column);
        ok = false;
    } else {
        ok = rp_valid_result(res, why, whysize);
    }
    rp_group *g = NULL;
    const json_t *rub = ok ? json_object_get(res, "rubric") : NULL;
    if (ok && json_is_object(rub)) {
        g = group_for(r, rub);
        if (g == NULL) {
            snprintf(why, whysize, "a rubric past the first %d (by SHA-256) of one report",
                     RP_MAX_GROUPS);
            ok = false;
        }
    }
    if (!ok) {
        json_decref(res);
        clean_utf8(why);
        r->skipped++;
        if (r->nskips < RP_MAX_SKIPS) {
            r->skips[r->nskips].line = lineno;
            snprintf(r->skips[r->nskips].why, sizeof r->skips[0].why, "%s", why);
            r->nskips++;
        }
        return 1;
    }
    r->results++;
    int rc = 0;
    const char *status = json_string_value(json_object_get(res, "status"));
    const char *code =
        json_string_value(json_object_get(json_object_get(res, "error"), "code"));
    if (g == NULL) {
        r->unrubric++;
        count_code(r->unrubric_codes, &r->unrubric_other, code);
    } else {
        g->results++;
        if (strcmp(status, "graded") == 0) {
            rc = add_graded(r, g, res);
        } else {
            count_code(g->codes, &g->other_codes, code);
        }
    }
    json_decref(res);
    return rc;
}

static int by_min_score(const void *a, const void *b)
{
    const rp_level *x = a, *y = b;
    if (x->min_score != y->min_score) {
        return x->min_score < y->min_score ? -1 : 1;
    }
    return x->first < y->first ? -1 : x->first > y->first;
}

void rp_settle(rp_report *r)
{
    for (size_t i = 0; i < r->ngroups; i++) {
        rp_group *g = &r->groups[i];
        for (size_t k = 0; k < g->ncomps; k++) {
            if (!g->comps[k].from_rubric) {
                qsort(g->comps[k].levels, g->comps[k].nlevels, sizeof(rp_level), by_min_score);
            }
        }
    }
}
