/*
 * fuzz_catalog.h - the catalog the grading fuzz targets (fuzz_score.c, fuzz_writer.c) grade
 * against, and the submission they wrap an answer into.
 *
 * The catalog is every rubric in the directory named by the environment variable
 * ASSAY_FUZZ_RUBRICS, else ASSAY_FUZZ_RUBRICS_DIR (set by meson to the source tree's
 * rubrics/), loaded once and read-only afterwards, as the public contract requires. The same
 * files are read with jansson for each rubric's item ids, which the public API does not
 * expose. Everything is freed at exit.
 */
#ifndef ASSAY_FUZZ_CATALOG_H
#define ASSAY_FUZZ_CATALOG_H

#include <assay/assay.h>

#include <stdbool.h>
#include <stddef.h>

/* A rubric of the catalog and the ids of its items (a JSON array of strings). */
typedef struct fuzz_target {
    const assay_rubric *rubric;
    json_t *items;
} fuzz_target;

extern assay_catalog *fuzz_catalog;
extern assay_scratch *fuzz_scratch; /* the one thread's scratch */
extern fuzz_target *fuzz_targets;
extern size_t fuzz_ntargets;

/* Loads the catalog and the item ids and makes the scratch; exits with a message naming
 * `who` on failure. */
void fuzz_catalog_init(const char *who);

/* The target of rubric id and version, or NULL. */
const fuzz_target *fuzz_catalog_find(const char *id, const char *version);

/* Is key (keylen bytes, possibly with a NUL inside) the id of an item of t? */
bool fuzz_catalog_is_item(const fuzz_target *t, const char *key, size_t keylen);

/*
 * A submission for t answering every item with answer[0..len) (and, when echo, with the
 * answer as "learner" and inside "meta" too), as compact JSON text (caller frees). NULL when
 * the answer is not UTF-8 (jansson cannot hold it).
 */
char *fuzz_catalog_submission(const fuzz_target *t, const char *answer, size_t len, bool echo);

#endif
