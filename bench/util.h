/*
 * util.h - small helpers of the engine benchmark: fatal errors, checked allocation, a
 * monotonic clock, a deterministic random generator, a growable string, directory listings
 * and medians. Nothing here knows about rubrics or the engine.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Prints "bench-engine: <message>" to stderr and exits with status 1. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* malloc, calloc, realloc and strdup that die instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* splitmix64: small, fast and the same on every platform. */
typedef struct rng {
    uint64_t s;
} rng;

uint64_t rng_next(rng *r);
/* A number in [0, n); 0 when n is 0. */
size_t rng_below(rng *r, size_t n);
/* True with the given chance in percent. */
bool rng_chance(rng *r, unsigned percent);

/* A growable NUL-terminated string; start from {0}, free p. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

void sb_add(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);

/*
 * Paths of the regular files in dir whose names end in suffix (hidden files left out),
 * sorted; *n receives the count. NULL when dir cannot be opened. Free with free_list.
 */
char **list_dir(const char *dir, const char *suffix, size_t *n);
void free_list(char **v, size_t n);

/* The median of v[0..n) (n > 0); sorts v. */
double median(double *v, size_t n);

#endif
