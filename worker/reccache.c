/*
 * reccache.c - learner records kept between batches (see reccache.h): a chained hash table
 * on the record key and a doubly linked list in order of use, newest at the head. It does
 * not talk to Redis and decides nothing about freshness: the read script compares "ver" and
 * "gen" with what is in Redis.
 */
#include "reccache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *next_hash;
    struct entry *prev, *next; /* in order of use, newest first */
    char *key, *ver, *gen;
    char *held; /* the learner's credentials then, as the read returns them */
    assay_record *rec;
    size_t weight;
} entry;

struct wk_reccache {
    entry **buckets;
    size_t nbuckets, count, bytes, max_bytes;
    entry *head, *tail;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 14695981039346656037ull; /* FNV-1a */
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return h;
}

wk_reccache *wk_reccache_create(size_t max_bytes)
{
    wk_reccache *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->nbuckets = 1024;
    c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
    if (c->buckets == NULL) {
        free(c);
        return NULL;
    }
    c->max_bytes = max_bytes;
    return c;
}

static entry **find(const wk_reccache *c, const char *key)
{
    entry **p = &c->buckets[hash(key) & (c->nbuckets - 1)];
    while (*p && strcmp((*p)->key, key) != 0) {
        p = &(*p)->next_hash;
    }
    return p;
}

static void unlink_use(wk_reccache *c, entry *e)
{
    *(e->prev ? &e->prev->next : &c->head) = e->next;
    *(e->next ? &e->next->prev : &c->tail) = e->prev;
    e->prev = e->next = NULL;
}

static void entry_free(entry *e)
{
    assay_record_destroy(e->rec);
    free(e->key);
    free(e->ver);
    free(e->gen);
    free(e->held);
    free(e);
}

/* Removes the entry at *p (a link of its bucket) and frees it. */
static void remove_at(wk_reccache *c, entry **p)
{
    entry *e = *p;
    *p = e->next_hash;
    unlink_use(c, e);
    c->count--;
    c->bytes -= e->weight;
    entry_free(e);
}

void wk_reccache_destroy(wk_reccache *c)
{
    if (c == NULL) {
        return;
    }
    for (entry *e = c->head, *next; e; e = next) {
        next = e->next;
        entry_free(e);
    }
    free(c->buckets);
    free(c);
}

int wk_reccache_peek(const wk_reccache *c, const char *key, const char **ver, const char **gen,
                     const char **held)
{
    entry *e = c ? *find(c, key) : NULL;
    if (e == NULL) {
        return -1;
    }
    *ver = e->ver;
    *gen = e->gen;
    if (held) {
        *held = e->held;
    }
    return 0;
}

assay_record *wk_reccache_take(wk_reccache *c, const char *key, const char *ver,
                               const char *gen, size_t *weight)
{
    entry **p = c ? find(c, key) : NULL;
    if (p == NULL || *p == NULL) {
        return NULL;
    }
    entry *e = *p;
    assay_record *rec = NULL;
    if (strcmp(e->ver, ver) == 0 && strcmp(e->gen, gen) == 0) {
        rec = e->rec;
        e->rec = NULL;
        *weight = e->weight;
    }
    remove_at(c, p);
    return rec;
}

void wk_reccache_drop(wk_reccache *c, const char *key)
{
    entry **p = c ? find(c, key) : NULL;
    if (p && *p) {
        remove_at(c, p);
    }
}

/* Doubles the buckets when the table is full; stays as it is when memory runs out. */
static void grow(wk_reccache *c)
{
    size_t n = c->nbuckets * 2;
    entry **b = calloc(n, sizeof(*b));
    if (b == NULL) {
        return;
    }
    for (size_t i = 0; i < c->nbuckets; i++) {
        for (entry *e = c->buckets[i], *next; e; e = next) {
            next = e->next_hash;
            entry **to = &b[hash(e->key) & (n - 1)];
            e->next_hash = *to;
            *to = e;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

void wk_reccache_put(wk_reccache *c, const char *key, const char *ver, const char *gen,
                     const char *held, assay_record *rec, size_t weight)
{
    if (c == NULL || weight > c->max_bytes) {
        assay_record_destroy(rec);
        wk_reccache_drop(c, key);
        return;
    }
    wk_reccache_drop(c, key);
    entry *e = calloc(1, sizeof(*e));
    if (e) {
        e->key = strdup(key);
        e->ver = strdup(ver);
        e->gen = strdup(gen);
        e->held = strdup(held);
    }
    if (e == NULL || e->key == NULL || e->ver == NULL || e->gen == NULL || e->held == NULL) {
        assay_record_destroy(rec);
        if (e) {
            entry_free(e);
        }
        return;
    }
    e->rec = rec;
    e->weight = weight;
    while (c->head && c->bytes + weight > c->max_bytes) {
        remove_at(c, find(c, c->tail->key));
    }
    if (c->count >= c->nbuckets) {
        grow(c);
    }
    entry **b = &c->buckets[hash(key) & (c->nbuckets - 1)];
    e->next_hash = *b;
    *b = e;
    e->next = c->head;
    *(c->head ? &c->head->prev : &c->tail) = e;
    c->head = e;
    c->count++;
    c->bytes += weight;
}

size_t wk_reccache_count(const wk_reccache *c)
{
    return c ? c->count : 0;
}

size_t wk_reccache_bytes(const wk_reccache *c)
{
    return c ? c->bytes : 0;
}
