/*
 * load_check.c - the rubric's items and their checks: what every check has (id, type, points,
 * evidence for competencies, feedback), groups of checks and their rule, and the dispatch to
 * the pattern (load_pattern.c) and numeric (load_numeric.c) parsers.
 */
#include "framework.h"
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse_check(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c, bool member);

static void parse_group_check(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c)
{
    c->partial_credit = assay__get_bool(&L->rep, obj, "partial_credit", p, true);
    json_t *arr = assay__get_array(&L->rep, obj, "checks", p, true);
    size_t n = arr ? json_array_size(arr) : 0;
    if (arr) {
        c->members = calloc(n, sizeof(rb_check));
        if (c->members == NULL) {
            assay__report_count(&L->rep, ASSAY_E_NOMEM);
            return;
        }
        size_t cp = assay__path_key(p, "checks");
        for (size_t i = 0; i < n; i++) {
            size_t ip = assay__path_index(p, i);
            assay__rubric_check_init(&c->members[i]);
            c->nmembers++;
            parse_check(L, json_array_get(arr, i), p, &c->members[i], true);
            assay__path_pop(p, ip);
        }
        assay__path_pop(p, cp);
    }
    json_t *rule = json_object_get(obj, "rule");
    c->needed = n;
    if (rule == NULL) {
        assay__report(&L->rep, p, "rule", false, ASSAY_E_INVALID,
                      "missing required key \"rule\" (\"all\", \"any\" or {\"at_least\": N})");
    } else if (json_is_string(rule) && strcmp(json_string_value(rule), "all") == 0) {
        c->needed = n;
    } else if (json_is_string(rule) && strcmp(json_string_value(rule), "any") == 0) {
        c->needed = 1;
    } else if (json_is_object(rule) && json_object_size(rule) == 1 &&
               json_object_get(rule, "at_least")) {
        size_t rp = assay__path_key(p, "rule");
        long long v;
        if (assay__get_int(&L->rep, rule, "at_least", p, 1, (long long)(n ? n : 1), &v) == 0) {
            c->needed = (size_t)v;
        }
        assay__path_pop(p, rp);
    } else {
        assay__report(&L->rep, p, "rule", false, ASSAY_E_INVALID,
                      "\"rule\" must be \"all\", \"any\" or {\"at_least\": N}");
    }
    if (c->needed == 0) {
        c->needed = 1;
    }
}

static void parse_evidence(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c)
{
    json_t *ev = assay__get_object(&L->rep, obj, "evidence", p, true);
    if (ev == NULL) {
        return;
    }
    size_t n = json_object_size(ev);
    if (n == 0) {
        assay__report(&L->rep, p, "evidence", false, ASSAY_E_INVALID,
                      "\"evidence\" must name at least one competency");
        return;
    }
    c->ev = calloc(n, sizeof(rb_evidence));
    if (c->ev == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    size_t ep = assay__path_key(p, "evidence");
    const char *id;
    json_t *w;
    json_object_foreach(ev, id, w)
    {
        rb_evidence *e = &c->ev[c->nev];
        json_t *idx = json_object_get(L->comp_index, id);
        if (idx == NULL && L->fw_named && L->fw == NULL) {
            continue; /* the framework is not there: that error says it all */
        }
        if (idx == NULL && assay__framework_has(L, id)) {
            assay__report(&L->rep, p, id, true, ASSAY_E_INVALID,
                          "competency \"%.60s\" of framework \"%s\" is used but not listed in "
                          "\"competencies\" (add {\"id\": \"%.60s\"}, or omit \"competencies\" "
                          "to take the framework's)",
                          id, L->fw->id, id);
            continue;
        }
        if (idx == NULL && L->fw != NULL) {
            const char *near = assay__framework_nearest(L, id);
            assay__report(&L->rep, p, id, true, ASSAY_E_INVALID,
                          "competency \"%.60s\" is not in framework \"%s\"%s%s%s", id,
                          L->fw->id, near ? " (did you mean \"" : "", near ? near : "",
                          near ? "\"?)" : "");
            continue;
        }
        if (idx == NULL) {
            const char *near = assay__nearest_competency(L, id);
            assay__report(
                &L->rep, p, id, true, ASSAY_E_INVALID,
                "competency \"%.60s\" is used but not declared in \"competencies\"%s%s%s", id,
                near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
            continue;
        }
        mpq_init(e->weight);
        c->nev++;
        e->comp = (size_t)json_integer_value(idx);
        L->comp_uses[e->comp]++;
        assay__get_q(&L->rep, ev, id, p, GET_POSITIVE, e->weight);
    }
    assay__path_pop(p, ep);
}

static void parse_feedback(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c)
{
    static const char *const keys[] = {"pass", "fail", "partial", NULL};
    json_t *fb = assay__get_object(&L->rep, obj, "feedback", p, false);
    if (fb == NULL) {
        return;
    }
    size_t fp = assay__path_key(p, "feedback");
    assay__get_only_keys(&L->rep, fb, p, keys, "feedback");
    c->fb_pass = ld_strdup(L, assay__get_string(&L->rep, fb, "pass", p, false));
    c->fb_fail = ld_strdup(L, assay__get_string(&L->rep, fb, "fail", p, false));
    c->fb_partial = ld_strdup(L, assay__get_string(&L->rep, fb, "partial", p, false));
    assay__path_pop(p, fp);
}

static void parse_check(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c, bool member)
{
    static const char *const pattern_keys[] = {
        "id",  "type", "points", "evidence", "feedback",  "pattern", "mode",
        "min", "max",  "flags",  "ascii",    "normalize", NULL};
    static const char *const numeric_keys[] = {
        "id",       "type",     "points", "evidence", "feedback", "expected", "tolerance",
        "relative", "interval", "round",  "sig_figs", "units",    "source",   NULL};
    static const char *const group_keys[] = {"id",       "type",           "points",
                                             "evidence", "feedback",       "rule",
                                             "checks",   "partial_credit", NULL};
    if (!json_is_object(obj)) {
        assay__report(&L->rep, p, NULL, false, ASSAY_E_INVALID,
                      "a check must be an object, not %s", assay__get_type_name(obj));
        return;
    }
    const char *id = assay__get_unique_id(&L->rep, obj, p, LD_ID_MAX, L->check_ids,
                                          L->r->nchecks++, "check");
    c->id = ld_strdup(L, id);
    const char *type = assay__get_string(&L->rep, obj, "type", p, true);
    const char *const *keys = NULL;
    if (type && strcmp(type, "pattern") == 0) {
        c->type = RB_PATTERN;
        keys = pattern_keys;
    } else if (type && strcmp(type, "numeric") == 0) {
        c->type = RB_NUMERIC;
        keys = numeric_keys;
    } else if (type && strcmp(type, "group") == 0) {
        c->type = RB_GROUP;
        keys = group_keys;
    } else if (type) {
        assay__report(&L->rep, p, "type", false, ASSAY_E_INVALID,
                      "unknown check type \"%.40s\" (types are pattern, numeric, group)", type);
    }
    if (keys == NULL) {
        return;
    }
    char what[40];
    snprintf(what, sizeof(what), "a %s check", type);
    assay__get_only_keys(&L->rep, obj, p, keys, what);
    if (member) {
        if (json_object_get(obj, "points")) {
            assay__report(&L->rep, p, "points", true, ASSAY_E_INVALID,
                          "a check inside a group has no \"points\": the group carries them");
        }
        if (json_object_get(obj, "evidence")) {
            assay__report(&L->rep, p, "evidence", true, ASSAY_E_INVALID,
                          "a check inside a group has no \"evidence\": the group carries it");
        }
    } else {
        assay__get_q(&L->rep, obj, "points", p, GET_NONNEG, c->points);
        parse_evidence(L, obj, p, c);
    }
    parse_feedback(L, obj, p, c);
    switch (c->type) {
    case RB_PATTERN:
        assay__load_pattern_check(L, obj, p, c);
        break;
    case RB_NUMERIC:
        assay__load_numeric_check(L, obj, p, c);
        break;
    case RB_GROUP:
        parse_group_check(L, obj, p, c);
        break;
    }
}

void assay__load_items(ld_loader *L, const json_t *root, ld_path *p)
{
    static const char *const keys[] = {"id", "title", "prompt", "checks", NULL};
    assay_rubric *r = L->r;
    json_t *arr = assay__get_array(&L->rep, root, "items", p, true);
    if (arr == NULL) {
        return;
    }
    size_t n = json_array_size(arr);
    r->items = calloc(n, sizeof(rb_item));
    if (r->items == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
        return;
    }
    size_t ap = assay__path_key(p, "items");
    for (size_t i = 0; i < n; i++) {
        rb_item *t = &r->items[r->nitems++];
        size_t ip = assay__path_index(p, i);
        json_t *it = assay__get_entry(&L->rep, arr, i, p, keys, "an item");
        if (it == NULL) {
            assay__path_pop(p, ip);
            continue;
        }
        const char *id =
            assay__get_unique_id(&L->rep, it, p, LD_ID_MAX, r->item_index, i, "item");
        t->id = ld_strdup(L, id);
        t->title = ld_strdup(L, assay__get_string(&L->rep, it, "title", p, false));
        t->prompt = ld_strdup(L, assay__get_string(&L->rep, it, "prompt", p, false));
        json_t *checks = assay__get_array(&L->rep, it, "checks", p, true);
        if (checks) {
            size_t nc = json_array_size(checks);
            t->checks = calloc(nc, sizeof(rb_check));
            if (t->checks == NULL) {
                assay__report_count(&L->rep, ASSAY_E_NOMEM);
                assay__path_pop(p, ip);
                continue;
            }
            size_t cp = assay__path_key(p, "checks");
            for (size_t k = 0; k < nc; k++) {
                size_t kp = assay__path_index(p, k);
                assay__rubric_check_init(&t->checks[k]);
                t->nchecks++;
                parse_check(L, json_array_get(checks, k), p, &t->checks[k], false);
                assay__path_pop(p, kp);
            }
            assay__path_pop(p, cp);
        }
        assay__path_pop(p, ip);
    }
    assay__path_pop(p, ap);
}
