/*
 * sketch.c - the Space-Saving heavy-hitters sketch of sketch.h.
 *
 * k counters; a text already counted is found through a jansson object used as a hash table
 * (text -> counter index). A new text takes a free counter while there is one; after that it
 * replaces the counter with the smallest count, inheriting that count as its error (its count
 * becomes min + 1, its error min). Finding the minimum scans the k counters, which is cheap
 * for the k a report uses (tens) and only happens for texts not kept. Memory: k texts and
 * the index, whatever the stream's length.
 */
#include "sketch.h"

#include <stdlib.h>
#include <string.h>

int sketch_init(sketch *s, size_t k)
{
    memset(s, 0, sizeof(*s));
    s->k = k ? k : 1;
    s->c = calloc(s->k, sizeof(*s->c));
    s->index = json_object();
    if (s->c == NULL || s->index == NULL) {
        sketch_finish(s);
        return -1;
    }
    return 0;
}

void sketch_finish(sketch *s)
{
    for (size_t i = 0; s->c && i < s->n; i++) {
        free(s->c[i].text);
    }
    free(s->c);
    json_decref(s->index);
    memset(s, 0, sizeof(*s));
}

static char *copy_text(const char *text, size_t len)
{
    char *t = malloc(len + 1);
    if (t) {
        if (len) {
            memcpy(t, text, len);
        }
        t[len] = '\0';
    }
    return t;
}

int sketch_add(sketch *s, const char *text, size_t len)
{
    json_t *at = json_object_getn(s->index, text, len);
    if (at) {
        s->c[json_integer_value(at)].count++;
        s->total++;
        return 0;
    }
    char *t = copy_text(text, len);
    json_t *slot;
    size_t i;
    uint64_t base = 0;
    if (s->n < s->k) {
        i = s->n;
    } else {
        i = 0;
        for (size_t j = 1; j < s->n; j++) {
            if (s->c[j].count < s->c[i].count) {
                i = j;
            }
        }
        base = s->c[i].count;
    }
    slot = t ? json_integer((json_int_t)i) : NULL;
    /* setn_new takes the reference to slot even when it fails. */
    if (slot == NULL || json_object_setn_new_nocheck(s->index, text, len, slot) != 0) {
        free(t);
        return -1;
    }
    if (i == s->n) {
        s->n++;
    } else {
        json_object_deln(s->index, s->c[i].text, s->c[i].len);
        free(s->c[i].text);
    }
    s->c[i] = (sketch_counter){.text = t, .len = len, .count = base + 1, .err = base};
    s->total++;
    return 0;
}

static int by_count(const void *a, const void *b)
{
    const sketch_counter *x = *(const sketch_counter *const *)a;
    const sketch_counter *y = *(const sketch_counter *const *)b;
    if (x->count != y->count) {
        return x->count > y->count ? -1 : 1;
    }
    if (x->count - x->err != y->count - y->err) {
        return x->count - x->err > y->count - y->err ? -1 : 1;
    }
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, n);
    return c ? c : x->len < y->len ? -1 : x->len > y->len;
}

size_t sketch_top(const sketch *s, const sketch_counter **out, size_t max)
{
    const sketch_counter **all = malloc((s->n ? s->n : 1) * sizeof(*all));
    if (all == NULL) {
        return 0;
    }
    for (size_t i = 0; i < s->n; i++) {
        all[i] = &s->c[i];
    }
    qsort(all, s->n, sizeof(*all), by_count);
    size_t n = s->n < max ? s->n : max;
    memcpy(out, all, n * sizeof(*out));
    free(all);
    return n;
}
