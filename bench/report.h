/*
 * report.h - what the engine benchmark prints: the machine, the readable tables and one
 * JSON object per case.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <jansson.h>

#include "measure.h"

/* CPU model, kernel, compiler and library versions; caller owns the reference. */
json_t *machine_json(void);
/* The tables of every measured case, to stdout. */
void print_tables(bcase *const *cases, size_t ncases, int nthreads);
/* Every figure of a case; caller owns the reference. */
json_t *case_json(const bcase *c);

#endif
