/*
 * examples.c - the example rubrics as benchmark workloads (see examples.h).
 */
#include "examples.h"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

static void pool_add_sample(examples *ex, const json_t *sub)
{
    const char *rid = json_string_value(json_object_get(sub, "rubric"));
    const json_t *resp = json_object_get(sub, "responses");
    if (rid == NULL || !json_is_object(resp)) {
        return;
    }
    for (size_t i = 0; i < ex->n; i++) {
        example *e = &ex->v[i];
        if (strcmp(rid, e->fl->id) != 0) {
            continue;
        }
        const char *k;
        json_t *a;
        json_object_foreach((json_t *)resp, k, a)
        {
            json_t *arr = json_object_get(e->pool, k);
            if (arr) {
                json_array_append(arr, a);
            }
        }
        const json_t *meta = json_object_get(sub, "meta");
        if (json_is_object(meta)) {
            json_array_append(e->metas, (json_t *)meta);
        }
        e->samples++;
        return;
    }
}

/* Reads *.json (one submission each) and *.jsonl (one per line); ids seen twice count once. */
static void load_samples(examples *ex, const char *dir)
{
    json_t *seen = json_object();
    const char *suffixes[] = {".json", ".jsonl"};
    for (size_t s = 0; s < 2; s++) {
        size_t n;
        char **files = list_dir(dir, suffixes[s], &n);
        for (size_t i = 0; i < n; i++) {
            FILE *f = fopen(files[i], "rb");
            if (f == NULL) {
                continue;
            }
            char *line = NULL;
            size_t cap = 0;
            ssize_t got;
            json_t *whole = NULL;
            if (s == 0) {
                json_error_t je;
                whole = json_loadf(f, 0, &je);
            }
            for (;;) {
                json_t *sub = whole;
                if (s == 1) {
                    got = getline(&line, &cap, f);
                    if (got < 0) {
                        break;
                    }
                    sub = json_loadb(line, (size_t)got, 0, NULL);
                }
                const char *id = json_string_value(json_object_get(sub, "id"));
                if (id && json_object_get(seen, id) == NULL) {
                    json_object_set_new(seen, id, json_true());
                    pool_add_sample(ex, sub);
                }
                json_decref(sub);
                if (s == 0) {
                    break;
                }
            }
            free(line);
            fclose(f);
        }
        free_list(files, n);
    }
    json_decref(seen);
}

examples *examples_load(const char *dir, const char *samples_dir)
{
    examples *ex = xcalloc(1, sizeof(*ex));
    ex->cat = assay_catalog_create();
    assay_diags *d = assay_diags_create();
    if (ex->cat == NULL || d == NULL) {
        die("out of memory");
    }
    assay_catalog_load_dir(ex->cat, dir, NULL, d);
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        char msg[1200];
        assay_diag_format(assay_diags_get(d, i), msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
    }
    assay_diags_destroy(d);

    size_t n;
    char **files = list_dir(dir, ".json", &n);
    ex->v = xcalloc(n, sizeof(*ex->v));
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(files[i], '/');
        if (strcmp(base ? base + 1 : files[i], "schema.json") == 0) {
            continue;
        }
        json_error_t je;
        json_t *rj = json_load_file(files[i], 0, &je);
        const char *id = json_string_value(json_object_get(rj, "id"));
        const char *ver = json_string_value(json_object_get(rj, "version"));
        const assay_rubric *r = id && ver ? assay_catalog_find(ex->cat, id, ver) : NULL;
        if (r == NULL) {
            json_decref(rj);
            continue;
        }
        example *e = &ex->v[ex->n++];
        e->rubric = rj;
        e->r = r;
        e->fl = floor_create(rj);
        e->pool = json_object();
        e->metas = json_array();
        size_t k;
        json_t *it;
        json_array_foreach(json_object_get(rj, "items"), k, it)
        {
            json_object_set_new(e->pool, json_string_value(json_object_get(it, "id")),
                                json_array());
        }
    }
    free_list(files, n);
    load_samples(ex, samples_dir);
    return ex;
}

void examples_destroy(examples *ex)
{
    for (size_t i = 0; i < ex->n; i++) {
        json_decref(ex->v[i].rubric);
        json_decref(ex->v[i].pool);
        json_decref(ex->v[i].metas);
        floor_destroy(ex->v[i].fl);
    }
    free(ex->v);
    assay_catalog_destroy(ex->cat);
    free(ex);
}

/* An answer for an item of a rubric without samples: expected values and pass feedback. */
static void fallback_checks(sbuf *b, const json_t *checks, const char *sep)
{
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        const char *type = json_string_value(json_object_get(c, "type"));
        if (type && strcmp(type, "group") == 0) {
            fallback_checks(b, json_object_get(c, "checks"), sep);
            continue;
        }
        const json_t *exp = json_object_get(c, "expected");
        if (type && strcmp(type, "numeric") == 0 && exp) {
            char num[64];
            if (json_is_string(exp)) {
                snprintf(num, sizeof(num), "%s", json_string_value(exp));
            } else {
                snprintf(num, sizeof(num), "%.15g", json_number_value(exp));
            }
            for (char *p = num; *p; p++) {
                *p = *p == '.' ? sep[0] : *p;
            }
            sb_puts(b, num);
            const char *unit = json_object_iter_key(
                json_object_iter(json_object_get(json_object_get(c, "units"), "table")));
            if (unit) {
                sb_puts(b, " ");
                sb_puts(b, unit);
            }
            continue;
        }
        const char *pass =
            json_string_value(json_object_get(json_object_get(c, "feedback"), "pass"));
        if (pass && *pass) {
            sb_puts(b, b->len ? " " : "");
            sb_puts(b, pass);
        }
    }
}

/* A submission for example e: each item's answer drawn from the samples' answers. */
json_t *example_submission(const example *e, rng *g, size_t serial)
{
    char id[64], learner[32];
    snprintf(id, sizeof(id), "gen-%s-%06zu", e->fl->id, serial);
    snprintf(learner, sizeof(learner), "learner-%04zu", rng_below(g, 10000));
    json_t *resp = json_object();
    const char *sep = json_string_value(
        json_object_get(json_object_get(e->rubric, "settings"), "decimal_separator"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(e->rubric, "items"), i, it)
    {
        const char *item = json_string_value(json_object_get(it, "id"));
        const json_t *answers = json_object_get(e->pool, item);
        if (json_array_size(answers) > 0) {
            json_t *a = json_array_get(answers, rng_below(g, json_array_size(answers)));
            json_object_set(resp, item, a);
        } else if (e->samples == 0) {
            sbuf b = {0};
            fallback_checks(&b, json_object_get(it, "checks"), sep ? sep : ".");
            json_object_set_new(resp, item, json_string(b.p ? b.p : ""));
            free(b.p);
        }
    }
    json_t *sub = json_object();
    json_object_set_new(sub, "id", json_string(id));
    json_object_set_new(sub, "rubric", json_string(e->fl->id));
    json_object_set_new(sub, "rubric_version", json_string(e->fl->version));
    json_object_set_new(sub, "learner", json_string(learner));
    json_object_set_new(sub, "responses", resp);
    if (json_array_size(e->metas) > 0) {
        json_object_set(sub, "meta",
                        json_array_get(e->metas, rng_below(g, json_array_size(e->metas))));
    }
    return sub;
}
