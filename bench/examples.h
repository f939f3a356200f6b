/*
 * examples.h - the example rubrics as benchmark workloads: each rubric file of a directory,
 * compiled by the engine and by the floor, with a pool of answers taken from the sample
 * submissions, and new submissions mixed from that pool.
 */
#ifndef BENCH_EXAMPLES_H
#define BENCH_EXAMPLES_H

#include <assay/assay.h>

#include "floor.h"
#include "util.h"

typedef struct example {
    json_t *rubric;        /* the rubric file, parsed */
    const assay_rubric *r; /* the engine's compiled copy */
    floor_rubric *fl;
    json_t *pool;  /* item id -> array of answers seen in samples */
    json_t *metas; /* "meta" objects seen in samples */
    size_t samples;
} example;

typedef struct examples {
    assay_catalog *cat; /* every rubric of the directory the engine loads */
    example *v;
    size_t n;
} examples;

/*
 * Loads the rubrics of dir (problems printed to stderr; a rubric the engine refuses is left
 * out) and the samples of samples_dir (*.json, one submission each, and *.jsonl; ids seen
 * twice count once). Free with examples_destroy.
 */
examples *examples_load(const char *dir, const char *samples_dir);
void examples_destroy(examples *ex);

/*
 * A new submission for e, id "gen-<rubric>-<serial>": each item's answer drawn from the
 * answers the samples give to that item (a rubric without samples gets answers made from
 * its expected values and pass feedback), and a sample's "meta". Caller owns the reference.
 */
json_t *example_submission(const example *e, rng *g, size_t serial);

#endif
