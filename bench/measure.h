/*
 * measure.h - cases of the engine benchmark and their measurement: a case is a set of
 * submissions graded against one catalog; measure() times the engine, the floor and each
 * part of the floor on them in interleaved rounds, measure_threads() the engine on 1 and on
 * N threads sharing the catalog.
 */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <assay/assay.h>

#include <stdint.h>

#include "floor.h"

typedef struct bsub {
    char *text;
    size_t len;
    subjects sj;    /* what the floor's matches run on */
    json_t *result; /* the engine's result: template of the floor build, input of dumps */
    size_t result_bytes;
    const floor_rubric *fl;
    size_t checks;
} bsub;

typedef struct bcase {
    char name[64];
    const assay_catalog *cat;
    bsub *subs;
    size_t n, cap;
    /* figures, ns per submission */
    double engine, floor, parse, regex, build, dump, dumps;
    double ratio, dumps_ratio;      /* medians of per-round ratios */
    double engine_best, floor_best; /* the fastest round of each: the least disturbed */
    double engine_cpu;   /* engine: CPU ns per submission (CLOCK_THREAD_CPUTIME_ID) */
    double on_cpu;       /* CPU time / wall time over the case's rounds */
    double rate1, rateN; /* submissions/s on 1 and on N threads */
    double sub_bytes, result_bytes, checks;
} bcase;

/* Adds the compact text of sub (the caller keeps its reference) to the case. */
void case_add(bcase *c, json_t *sub, const floor_rubric *fl, size_t checks);
/* Grades every submission once: the results serve as templates; averages are noted. Dies
 * when a submission is not graded. */
void case_prepare(bcase *c, assay_scratch *scratch);
void case_free(bcase *c);

/*
 * Times the engine, the floor, its parts and assay_result_dumps in `rounds` interleaved
 * rounds that add up to `seconds` each (or, when fixed_calls > 0, of fixed_calls calls
 * each, for valgrind) and fills in the case's figures.
 */
void measure(bcase *c, double seconds, int rounds, uint64_t fixed_calls);
/* The engine on 1 thread, then on nthreads threads, `rounds` times; fills rate1, rateN. */
void measure_threads(bcase *c, int nthreads, double seconds, int rounds);

#endif
