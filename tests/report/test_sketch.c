/*
 * test_sketch.c - the Space-Saving sketch of cli/sketch.c against exact counts: on skewed
 * streams every kept text's true count lies in [count - err, count], every text more
 * frequent than N / k is kept, counts are exact while the sketch is not full, texts with
 * NULs and empty texts are told apart, and the order of sketch_top. Also html_text's
 * escaping of untrusted text (cli/html.c).
 */
#include "../../cli/html.h"
#include "../../cli/sketch.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define DISTINCT 500

/* A deterministic skewed stream: text i drawn with weight ~ 1 / (i + 1) (Zipf-like). */
static size_t draw(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    double u = (double)(*state >> 11) / (double)(1ULL << 53);
    /* Inverse of the harmonic CDF, roughly: exp(u * ln(DISTINCT + 1)) - 1. */
    double x = 0;
    double target = u * 6.8; /* ln(DISTINCT + 1) ~ 6.22; clamp the tail */
    size_t i = 0;
    while (i < DISTINCT - 1 && x < target) {
        x += 1.0 / (double)(i + 1);
        i++;
    }
    return i;
}

static void test_guarantees(size_t k, uint64_t seed, size_t n)
{
    sketch s;
    ASSERT_INT_EQ(sketch_init(&s, k), 0);
    uint64_t truth[DISTINCT] = {0}, state = seed;
    char text[32];
    for (size_t t = 0; t < n; t++) {
        size_t i = draw(&state);
        truth[i]++;
        snprintf(text, sizeof text, "answer %zu", i);
        sketch_add(&s, text, strlen(text));
    }
    ASSERT_INT_EQ(s.total, n);
    ASSERT(s.n <= k);
    int before = tap_failed;
    bool bounds = true, heavy = true;
    for (size_t c = 0; c < s.n; c++) {
        size_t i = (size_t)atoi(s.c[c].text + 7);
        bounds = bounds && s.c[c].count - s.c[c].err <= truth[i] && truth[i] <= s.c[c].count;
    }
    ASSERT(bounds);
    for (size_t i = 0; i < DISTINCT; i++) {
        if (truth[i] * k > n) {
            bool kept = false;
            snprintf(text, sizeof text, "answer %zu", i);
            for (size_t c = 0; c < s.n; c++) {
                kept = kept || strcmp(s.c[c].text, text) == 0;
            }
            heavy = heavy && kept;
        }
    }
    ASSERT(heavy);
    /* The sum of the counts is N (each add raises exactly one counter by one). */
    uint64_t sum = 0;
    for (size_t c = 0; c < s.n; c++) {
        sum += s.c[c].count;
    }
    ASSERT_INT_EQ(sum, n);
    char what[64];
    snprintf(what, sizeof what, "k=%zu n=%zu", k, n);
    tap_note(before, "sketch", what);
    sketch_finish(&s);
}

static void test_exact_and_order(void)
{
    sketch s;
    sketch_init(&s, 8);
    const char *texts[] = {"b", "a", "b", "", "a\0x", "b", "a"};
    size_t lens[] = {1, 1, 1, 0, 3, 1, 1};
    for (size_t i = 0; i < 7; i++) {
        sketch_add(&s, texts[i], lens[i]);
    }
    const sketch_counter *top[8];
    size_t n = sketch_top(&s, top, 8);
    ASSERT_INT_EQ(n, 4);
    ASSERT_STR_EQ(top[0]->text, "b");
    ASSERT_INT_EQ(top[0]->count, 3);
    ASSERT_INT_EQ(top[0]->err, 0);
    ASSERT_STR_EQ(top[1]->text, "a");
    ASSERT_INT_EQ(top[1]->len, 1);
    ASSERT_INT_EQ(top[1]->count, 2);
    /* Ties by text bytewise: "" before "a\0x". */
    ASSERT_INT_EQ(top[2]->len, 0);
    ASSERT_INT_EQ(top[3]->len, 3);
    ASSERT(memcmp(top[3]->text, "a\0x", 3) == 0);
    ASSERT_INT_EQ(sketch_top(&s, top, 1), 1);
    sketch_finish(&s);
}

/* Once full, a new text takes the smallest counter and inherits its count as error. */
static void test_eviction(void)
{
    sketch s;
    sketch_init(&s, 2);
    sketch_add(&s, "x", 1);
    sketch_add(&s, "x", 1);
    sketch_add(&s, "y", 1);
    sketch_add(&s, "z", 1);
    const sketch_counter *top[2];
    ASSERT_INT_EQ(sketch_top(&s, top, 2), 2);
    ASSERT_STR_EQ(top[0]->text, "x");
    ASSERT_INT_EQ(top[0]->count, 2);
    ASSERT_STR_EQ(top[1]->text, "z");
    ASSERT_INT_EQ(top[1]->count, 2);
    ASSERT_INT_EQ(top[1]->err, 1);
    sketch_add(&s, "y", 1); /* evicted before: counted again from z's count */
    sketch_top(&s, top, 2);
    ASSERT_STR_EQ(top[0]->text, "y");
    ASSERT_INT_EQ(top[0]->count, 3);
    ASSERT_INT_EQ(top[0]->err, 2);
    sketch_finish(&s);
}

static void test_escape(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char in[] = "<script>alert(1)</script>\"'&\x01\x7f\xc2\x85\xef\xbf\xbe\xff\xc3\xa9";
    html_text(f, in, sizeof in - 1);
    fclose(f);
    ASSERT_STR_EQ(buf, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;U+0001U+007FU+0085"
                       "U+FFFE\xef\xbf\xbd\xc3\xa9");
    free(buf);
}

int main(void)
{
    test_guarantees(16, 1, 20000);
    test_guarantees(64, 7, 50000);
    test_guarantees(8, 42, 5000);
    test_exact_and_order();
    test_eviction();
    test_escape();
    return tap_done();
}
