/*
 * fuzz_catalog.c - the grading fuzz targets' catalog and wrapped submissions
 * (fuzz_catalog.h).
 */
#include "fuzz_catalog.h"

#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ASSAY_FUZZ_RUBRICS_DIR
#define ASSAY_FUZZ_RUBRICS_DIR "rubrics"
#endif

assay_catalog *fuzz_catalog;
assay_scratch *fuzz_scratch;
fuzz_target *fuzz_targets;
size_t fuzz_ntargets;

static void cleanup(void)
{
    for (size_t i = 0; i < fuzz_ntargets; i++) {
        json_decref(fuzz_targets[i].items);
    }
    free(fuzz_targets);
    assay_scratch_destroy(fuzz_scratch);
    assay_catalog_destroy(fuzz_catalog);
}

/* Maps "id\nversion" of every rubric file in dir to the array of its item ids. */
static json_t *read_item_ids(const char *dir)
{
    json_t *by_rubric = json_object();
    DIR *d = opendir(dir);
    if (by_rubric == NULL || d == NULL) {
        if (d != NULL) {
            closedir(d);
        }
        return by_rubric;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        json_t *doc = json_load_file(path, 0, NULL);
        const char *id = json_string_value(json_object_get(doc, "id"));
        const char *version = json_string_value(json_object_get(doc, "version"));
        if (id != NULL && version != NULL) {
            json_t *ids = json_array();
            size_t i;
            json_t *item;
            json_array_foreach(json_object_get(doc, "items"), i, item)
            {
                json_t *item_id = json_object_get(item, "id");
                if (json_is_string(item_id)) {
                    json_array_append(ids, item_id);
                }
            }
            char key[512];
            snprintf(key, sizeof key, "%s\n%s", id, version);
            json_object_set_new(by_rubric, key, ids);
        }
        json_decref(doc);
    }
    closedir(d);
    return by_rubric;
}

void fuzz_catalog_init(const char *who)
{
    const char *dir = getenv("ASSAY_FUZZ_RUBRICS");
    if (dir == NULL || dir[0] == '\0') {
        dir = ASSAY_FUZZ_RUBRICS_DIR;
    }
    fuzz_catalog = assay_catalog_create();
    fuzz_scratch = assay_scratch_create();
    assay_diags *diags = assay_diags_create();
    if (fuzz_catalog == NULL || fuzz_scratch == NULL || diags == NULL) {
        fprintf(stderr, "%s: out of memory\n", who);
        exit(1);
    }
    int rc = assay_catalog_load_dir(fuzz_catalog, dir, NULL, diags);
    for (size_t i = 0; i < assay_diags_count(diags); i++) {
        char line[1200];
        assay_diag_format(assay_diags_get(diags, i), line, sizeof line);
        fprintf(stderr, "%s: %s\n", who, line);
    }
    assay_diags_destroy(diags);
    fuzz_ntargets = assay_catalog_count(fuzz_catalog);
    if (fuzz_ntargets == 0) {
        fprintf(stderr, "%s: no rubric loaded from %s (%s); set ASSAY_FUZZ_RUBRICS\n", who, dir,
                rc < 0 ? assay_strerror(rc) : "no *.json files");
        exit(1);
    }
    json_t *items = read_item_ids(dir);
    fuzz_targets = calloc(fuzz_ntargets, sizeof *fuzz_targets);
    if (fuzz_targets == NULL || items == NULL) {
        fprintf(stderr, "%s: out of memory\n", who);
        exit(1);
    }
    for (size_t i = 0; i < fuzz_ntargets; i++) {
        const assay_rubric *r = assay_catalog_get(fuzz_catalog, i);
        char key[512];
        snprintf(key, sizeof key, "%s\n%s", assay_rubric_id(r), assay_rubric_version(r));
        fuzz_targets[i].rubric = r;
        fuzz_targets[i].items = json_incref(json_object_get(items, key));
        if (fuzz_targets[i].items == NULL) {
            fuzz_targets[i].items = json_array();
        }
    }
    json_decref(items);
    atexit(cleanup);
}

const fuzz_target *fuzz_catalog_find(const char *id, const char *version)
{
    for (size_t i = 0; i < fuzz_ntargets; i++) {
        const assay_rubric *r = fuzz_targets[i].rubric;
        if (id && version && strcmp(assay_rubric_id(r), id) == 0 &&
            strcmp(assay_rubric_version(r), version) == 0) {
            return &fuzz_targets[i];
        }
    }
    return NULL;
}

bool fuzz_catalog_is_item(const fuzz_target *t, const char *key, size_t keylen)
{
    size_t i;
    json_t *item_id;
    json_array_foreach(t->items, i, item_id)
    {
        if (json_string_length(item_id) == keylen &&
            memcmp(json_string_value(item_id), key, keylen) == 0) {
            return true;
        }
    }
    return false;
}

char *fuzz_catalog_submission(const fuzz_target *t, const char *answer, size_t len, bool echo)
{
    json_t *text = json_stringn(answer, len);
    if (text == NULL) {
        return NULL;
    }
    json_t *responses = json_object();
    size_t i;
    json_t *item_id;
    json_array_foreach(t->items, i, item_id)
    {
        json_object_set(responses, json_string_value(item_id), text);
    }
    json_t *sub =
        json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", "fuzz", "rubric",
                  assay_rubric_id(t->rubric), "rubric_version", assay_rubric_version(t->rubric),
                  "learner", "fuzz", "responses", responses);
    FUZZ_CHECK(sub != NULL);
    if (echo) {
        json_object_set(sub, "learner", text);
        json_object_set_new(sub, "meta",
                            json_pack("{s:O, s:[O, f, i]}", "a", text, "n", text,
                                      (double)len / 7.0, (json_int_t)len));
    }
    json_decref(text);
    char *buf = json_dumps(sub, JSON_COMPACT);
    FUZZ_CHECK(buf != NULL);
    json_decref(sub);
    return buf;
}
