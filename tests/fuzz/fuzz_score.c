/*
 * fuzz_score.c - fuzz target for grading: submissions graded against the example rubrics,
 * as the worker grades what comes off the queue.
 *
 * LLVMFuzzerInitialize loads every rubric in the directory named by the environment
 * variable ASSAY_FUZZ_RUBRICS, else in ASSAY_FUZZ_RUBRICS_DIR (set by meson to the source
 * tree's rubrics/), into one catalog, once: the catalog is read-only afterwards, as the
 * public contract requires. It also reads the same files with jansson to learn each rubric's
 * item ids, which the public API does not expose.
 *
 * An input is used in one of two ways, chosen by its first byte:
 *  - below 0x80 (any JSON text, which starts with ASCII): the whole input is a submission
 *    for assay_grade_buffer;
 *  - 0x80 and above: (byte & 0x7F) modulo the number of rubrics picks a rubric, and the rest
 *    of the input is the answer to every one of its items, wrapped by jansson into a valid
 *    submission; this reaches the checks far more often than mutating whole submissions.
 *    An answer that is not valid UTF-8 is skipped (the first mode covers those bytes).
 *
 * Invariants: every result is well formed (fuzz_result.h); a graded result has one warning
 * for each response whose key is no item of the rubric (docs/protocol.md); and grading the
 * same bytes twice with the same scratch space gives byte-identical results (docs/protocol.md:
 * results are byte-identical for the same submission, rubric and graded_at).
 */
#include "fuzz.h"
#include "fuzz_result.h"

#include <assay/assay.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ASSAY_FUZZ_RUBRICS_DIR
#define ASSAY_FUZZ_RUBRICS_DIR "rubrics"
#endif

/* A rubric of the catalog and the ids of its items (a JSON array of strings). */
typedef struct target {
    const assay_rubric *rubric;
    json_t *items;
} target;

static assay_catalog *catalog;
static assay_scratch *scratch;
static target *targets;
static size_t ntargets;

static const assay_grade_options options = {.graded_at = "2026-01-01T00:00:00Z",
                                            .limits = NULL};

static void cleanup(void)
{
    for (size_t i = 0; i < ntargets; i++) {
        json_decref(targets[i].items);
    }
    free(targets);
    assay_scratch_destroy(scratch);
    assay_catalog_destroy(catalog);
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

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("ASSAY_FUZZ_RUBRICS");
    if (dir == NULL || dir[0] == '\0') {
        dir = ASSAY_FUZZ_RUBRICS_DIR;
    }
    catalog = assay_catalog_create();
    scratch = assay_scratch_create();
    assay_diags *diags = assay_diags_create();
    if (catalog == NULL || scratch == NULL || diags == NULL) {
        fprintf(stderr, "fuzz_score: out of memory\n");
        exit(1);
    }
    int rc = assay_catalog_load_dir(catalog, dir, NULL, diags);
    for (size_t i = 0; i < assay_diags_count(diags); i++) {
        char line[1200];
        assay_diag_format(assay_diags_get(diags, i), line, sizeof line);
        fprintf(stderr, "fuzz_score: %s\n", line);
    }
    assay_diags_destroy(diags);
    ntargets = assay_catalog_count(catalog);
    if (ntargets == 0) {
        fprintf(stderr, "fuzz_score: no rubric loaded from %s (%s); set ASSAY_FUZZ_RUBRICS\n",
                dir, rc < 0 ? assay_strerror(rc) : "no *.json files");
        exit(1);
    }

    json_t *items = read_item_ids(dir);
    targets = calloc(ntargets, sizeof *targets);
    if (targets == NULL || items == NULL) {
        fprintf(stderr, "fuzz_score: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < ntargets; i++) {
        const assay_rubric *r = assay_catalog_get(catalog, i);
        char key[512];
        snprintf(key, sizeof key, "%s\n%s", assay_rubric_id(r), assay_rubric_version(r));
        targets[i].rubric = r;
        targets[i].items = json_incref(json_object_get(items, key));
        if (targets[i].items == NULL) {
            targets[i].items = json_array();
        }
    }
    json_decref(items);
    atexit(cleanup);
    return 0;
}

static const target *find_target(const char *id, const char *version)
{
    for (size_t i = 0; i < ntargets; i++) {
        const assay_rubric *r = targets[i].rubric;
        if (id && version && strcmp(assay_rubric_id(r), id) == 0 &&
            strcmp(assay_rubric_version(r), version) == 0) {
            return &targets[i];
        }
    }
    return NULL;
}

/* Is key (keylen bytes, possibly with a NUL inside) the id of an item of t? */
static bool is_item(const target *t, const char *key, size_t keylen)
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

/* A graded result warns once for every response that names no item of its rubric. */
static void check_warnings(const char *buf, size_t len, const json_t *res)
{
    const char *status = json_string_value(json_object_get(res, "status"));
    if (status == NULL || strcmp(status, "graded") != 0) {
        return;
    }
    const json_t *ref = json_object_get(res, "rubric");
    const target *t = find_target(json_string_value(json_object_get(ref, "id")),
                                  json_string_value(json_object_get(ref, "version")));
    FUZZ_CHECK(t != NULL);
    /* The engine read it (it was graded), with these flags or fewer. */
    json_t *sub =
        json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    FUZZ_CHECK(sub != NULL);
    size_t unknown = 0;
    json_t *responses = json_object_get(sub, "responses");
    for (void *it = json_object_iter(responses); it != NULL;
         it = json_object_iter_next(responses, it)) {
        unknown += !is_item(t, json_object_iter_key(it), json_object_iter_key_len(it));
    }
    size_t warned = json_array_size(json_object_get(res, "warnings"));
    if (warned != unknown) {
        fprintf(stderr, "%zu responses name no item, but %zu warnings\n", unknown, warned);
        fuzz_fail(__FILE__, __LINE__, "one warning per response for an unknown item");
    }
    json_decref(sub);
}

/* Grades buf twice and checks both results. */
static void grade(const char *buf, size_t len)
{
    json_t *res = assay_grade_buffer(catalog, buf, len, scratch, &options);
    char *first = fuzz_check_result(res);
    check_warnings(buf, len, res);
    json_decref(res);

    res = assay_grade_buffer(catalog, buf, len, scratch, &options);
    char *second = fuzz_check_result(res);
    json_decref(res);
    if (strcmp(first, second) != 0) {
        fprintf(stderr, "first:  %s\nsecond: %s\n", first, second);
        fuzz_fail(__FILE__, __LINE__, "the same submission graded twice gives the same result");
    }
    free(first);
    free(second);
}

/* Wraps answer into a submission answering every item of t, and grades it. */
static void grade_answer(const target *t, const char *answer, size_t len)
{
    json_t *text = json_stringn(answer, len);
    if (text == NULL) {
        return; /* not UTF-8: jansson cannot hold it */
    }
    json_t *responses = json_object();
    size_t i;
    json_t *item_id;
    json_array_foreach(t->items, i, item_id)
    {
        json_object_set(responses, json_string_value(item_id), text);
    }
    json_decref(text);
    json_t *sub =
        json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", "fuzz", "rubric",
                  assay_rubric_id(t->rubric), "rubric_version", assay_rubric_version(t->rubric),
                  "learner", "fuzz", "responses", responses);
    FUZZ_CHECK(sub != NULL);
    char *buf = json_dumps(sub, JSON_COMPACT);
    FUZZ_CHECK(buf != NULL);
    json_decref(sub);
    grade(buf, strlen(buf));
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] >= 0x80) {
        const target *t = &targets[(data[0] & 0x7F) % ntargets];
        grade_answer(t, (const char *)data + 1, size - 1);
    } else {
        grade((const char *)data, size);
    }
    return 0;
}
