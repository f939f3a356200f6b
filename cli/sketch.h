/*
 * sketch.h - the most frequent texts of a stream in bounded memory: a Space-Saving
 * heavy-hitters sketch (Metwally, Agrawal, El Abbadi 2005) of k counters, used by
 * `assay report` for each check's most frequent wrong answers.
 *
 * Guarantees after N texts were added (docs/reports.md): every text kept has count c and
 * error e with c - e <= true count <= c; every text whose true count exceeds N / k is kept;
 * a text's error is 0 when it was kept since its first occurrence (its count is exact).
 */
#ifndef ASSAY_CLI_SKETCH_H
#define ASSAY_CLI_SKETCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sketch_counter {
    char *text; /* NUL-terminated; may hold NULs before len */
    size_t len;
    uint64_t count; /* an upper bound of the true count */
    uint64_t err;   /* count - err is a lower bound */
} sketch_counter;

typedef struct sketch {
    sketch_counter *c;
    size_t n, k;
    uint64_t total; /* texts added */
    json_t *index;  /* text -> counter index (jansson's hash table) */
} sketch;

/* Sets up an empty sketch of k >= 1 counters. 0, or -1 when out of memory. */
int sketch_init(sketch *s, size_t k);
/* Frees what the sketch holds and leaves it empty. */
void sketch_finish(sketch *s);
/* Counts one occurrence of text[0..len) (UTF-8, NULs allowed). 0, or -1 when out of
 * memory (the sketch is unchanged). */
int sketch_add(sketch *s, const char *text, size_t len);
/* Fills out with the counters ordered by count (highest first), ties by lower bound, then
 * bytewise by text; at most max of them. Pointers are borrowed until the next sketch_add or
 * sketch_finish. @return how many were written. */
size_t sketch_top(const sketch *s, const sketch_counter **out, size_t max);

#endif
