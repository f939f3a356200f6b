/*
 * synth.h - the generated 10-check rubric of the engine benchmark ("energy of a falling
 * ball": 3 search, 2 forbid, 2 count and 1 whole pattern check, and 2 numeric checks that
 * read their number through a source pattern) and its essays of about 2 KB, put together
 * from a bank of sentences.
 */
#ifndef BENCH_SYNTH_H
#define BENCH_SYNTH_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

#define SYNTH_RUBRIC "bench-energy"

/* The rubric as a JSON document; caller owns the reference. */
json_t *synth_rubric(void);

/*
 * A submission for the rubric, id "gen-bench-energy-<serial>", with an essay of at least
 * answer_bytes bytes. Caller owns the reference.
 */
json_t *synth_submission(rng *g, size_t serial, size_t answer_bytes);

#endif
