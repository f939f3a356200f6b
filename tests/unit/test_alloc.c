/*
 * test_alloc.c - what the engine does when memory runs out: a fault-injection sweep over
 * rubric loading (each example rubric, and the examples' directory as a catalog).
 *
 * Every allocation the engine can see fail is counted, and the k-th one fails, for every k
 * from 1 to the number a clean load makes. Each run must either succeed with a rubric
 * identical to the clean one (same hash, and the same result for every example submission,
 * graded afterwards with nothing failing) or return ASSAY_E_NOMEM; either way nothing may
 * stay allocated. Broken rubrics (tests/golden/invalid) are swept too: each run returns the
 * clean load's error or ASSAY_E_NOMEM, and leaks nothing. So are the example competency
 * framework, the example rubric that names it (loaded against a catalog holding it) and a
 * broken framework and rubric of each kind. The allocations come from four
 * places:
 *
 *   - the engine's own malloc, calloc, realloc and strdup: the test is linked with
 *     -Wl,--wrap for them (tests/unit/meson.build), so the engine's calls land in the
 *     __wrap_ functions of alloc_wrap.h and reach libc (or ASan's allocator) through __real_;
 *   - jansson: json_set_alloc_funcs. Except while json_loadb parses (the test wraps it too):
 *     jansson 2.14's lexer ignores a failed growth of its token buffer (lex_save drops the
 *     result of strbuffer_append_byte), and then trips an assert(0) or reads past the
 *     token's end. That is jansson's defect, not the engine's, and no caller can work
 *     around it, so the parser's own allocations are counted but never failed;
 *   - PCRE2: the engine gives PCRE2 a general context whose functions call malloc and free
 *     (pattern.c), so they are the engine's own calls;
 *   - GMP: mp_set_memory_functions. GMP cannot report a failed allocation (its manual: the
 *     functions must not return NULL, and leaving by longjmp is undefined), so GMP's
 *     allocations are counted for leaks but never failed. The library bounds every number
 *     it gives GMP (decimal.h), and assay.h says that GMP aborts when memory runs out.
 *
 * "Outstanding" counts the blocks allocated and not yet freed through these functions: it
 * must come back to where it was before every load.
 *
 * To look at one point: ASSAY_ALLOC_POINT=K runs only the loads that fail allocation K (run
 * it under valgrind to see what leaked, or break on injection_point in gdb).
 */
#include "alloc_wrap.h"
#include "assay/assay.h"
#include "tap.h"

#include <gmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ASSAY_RUBRICS_DIR
#error "ASSAY_RUBRICS_DIR must name the example rubrics"
#endif

json_t *__real_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *e);
json_t *__wrap_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *e);

static long fail_at;           /* 0: nothing fails; k: the k-th counted allocation fails */
static long allocations;       /* counted allocations since the last reset */
static bool injected;          /* whether the k-th allocation was reached */
static bool parsing;           /* inside json_loadb, whose allocations never fail */
static long parse_allocations; /* counted allocations made while parsing */

static const char *sweeping = ""; /* the file (or directory) being loaded */

/* Called at each injected failure: `break injection_point if fail_at == K` (and
 * `$_streq(sweeping, "...")`) in gdb shows who made allocation K. */
static void __attribute__((noinline)) injection_point(void)
{
    __asm__ volatile("");
}

static bool should_fail(void)
{
    allocations++;
    parse_allocations += parsing;
    if (fail_at > 0 && allocations == fail_at && !parsing) {
        injected = true;
        injection_point();
        return true;
    }
    return false;
}

json_t *__wrap_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *e)
{
    parsing = true;
    json_t *v = __real_json_loadb(buf, len, flags, e);
    parsing = false;
    return v;
}

static void *gmp_alloc(size_t n)
{
    void *p = __real_malloc(n);
    if (p == NULL) {
        abort(); /* as GMP itself does */
    }
    outstanding++;
    return p;
}

static void *gmp_realloc(void *p, size_t old, size_t n)
{
    (void)old;
    void *q = __real_realloc(p, n);
    if (q == NULL) {
        abort();
    }
    return q;
}

static void gmp_free(void *p, size_t n)
{
    (void)n;
    __wrap_free(p);
}

/* ---------------------------------------------------------------------------------------
 * The examples, loaded with nothing failing: their text, hash and results.
 */

#define MAX_SUBMISSIONS 64
#define GRADED_AT       "2026-01-01T00:00:00Z"

typedef struct example {
    char path[512];
    char *text;
    size_t len;
    char id[129], sha256[65];
    long allocations;       /* what a clean load makes */
    long parse_allocations; /* of them, inside json_loadb */
    json_t *subs[MAX_SUBMISSIONS];
    char *results[MAX_SUBMISSIONS]; /* the clean rubric's result for each submission */
    size_t nsubs;
} example;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static char *grade(const assay_rubric *r, const json_t *sub, assay_scratch *s)
{
    assay_grade_options o = {GRADED_AT, NULL};
    json_t *res = assay_grade_json(r, sub, s, &o);
    char *text = res ? assay_result_dumps(res) : NULL;
    json_decref(res);
    return text;
}

/* Whether r is the example's rubric: same id and hash, and the same result for every
 * submission (a missing title or an item missing from the index would change them). */
static bool same_rubric(const example *e, const assay_rubric *r, char *why, size_t whylen)
{
    if (assay_rubric_id(r) == NULL || strcmp(assay_rubric_id(r), e->id) != 0) {
        snprintf(why, whylen, "id %s", assay_rubric_id(r) ? assay_rubric_id(r) : "NULL");
        return false;
    }
    if (strcmp(assay_rubric_sha256(r), e->sha256) != 0) {
        snprintf(why, whylen, "sha256 %s", assay_rubric_sha256(r));
        return false;
    }
    if (assay_rubric_version(r) == NULL || assay_rubric_title(r) == NULL) {
        snprintf(why, whylen, "NULL version or title");
        return false;
    }
    /* A scratch of its own: matching grows the scratch's buffers (PCRE2's interpreter keeps
     * its frames in the match data), which would look like a leak of the load. */
    assay_scratch *s = assay_scratch_create();
    bool same = s != NULL;
    for (size_t i = 0; same && i < e->nsubs; i++) {
        char *got = grade(r, e->subs[i], s);
        same = got && strcmp(got, e->results[i]) == 0;
        if (!same) {
            snprintf(why, whylen, "submission %zu graded differently: %.300s", i,
                     got ? got : "NULL");
        }
        free(got);
    }
    assay_scratch_destroy(s);
    return same;
}

static bool example_init(example *e, const char *name, json_t *all_subs, assay_scratch *s)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof(e->path), "%s/%s", ASSAY_RUBRICS_DIR, name);
    e->text = read_file(e->path, &e->len);
    if (e->text == NULL) {
        return false;
    }
    assay_rubric *r = NULL;
    allocations = parse_allocations = 0;
    if (assay_rubric_load_buffer(e->text, e->len, e->path, NULL, &r, NULL) != 0) {
        return false;
    }
    e->allocations = allocations;
    e->parse_allocations = parse_allocations;
    snprintf(e->id, sizeof(e->id), "%s", assay_rubric_id(r));
    snprintf(e->sha256, sizeof(e->sha256), "%s", assay_rubric_sha256(r));
    size_t i;
    json_t *sub;
    json_array_foreach(all_subs, i, sub)
    {
        const char *rid = json_string_value(json_object_get(sub, "rubric"));
        if (rid && strcmp(rid, e->id) == 0 && e->nsubs < MAX_SUBMISSIONS) {
            e->subs[e->nsubs] = sub;
            e->results[e->nsubs] = grade(r, sub, s);
            e->nsubs++;
        }
    }
    assay_rubric_destroy(r);
    return true;
}

static void example_finish(example *e)
{
    free(e->text);
    for (size_t i = 0; i < e->nsubs; i++) {
        free(e->results[i]);
    }
}

/* ---------------------------------------------------------------------------------------
 * The sweeps.
 */

/* Fails allocation k of one load of e. @return true when the run kept every promise. */
static bool load_failing_at(const example *e, long k, char *why, size_t whylen)
{
    long before = outstanding;
    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    sweeping = e->path;
    allocations = 0;
    injected = false;
    fail_at = k;
    int rc = assay_rubric_load_buffer(e->text, e->len, e->path, NULL, &r, d);
    fail_at = 0;
    bool ok = true;
    if (rc == 0) {
        ok = same_rubric(e, r, why, whylen);
        assay_rubric_destroy(r);
    } else if (rc != ASSAY_E_NOMEM) {
        const assay_diag *g = assay_diags_get(d, 0);
        snprintf(why, whylen, "returned %s (%.300s)", assay_err_name(rc),
                 g ? g->message : "no diagnostic");
        ok = false;
    }
    assay_diags_destroy(d);
    if (ok && outstanding != before) {
        snprintf(why, whylen, "%ld blocks leaked (returned %s)", outstanding - before,
                 assay_err_name(rc));
        ok = false;
    }
    return ok;
}

static long only_point; /* ASSAY_ALLOC_POINT */

static void sweep_rubric(const example *e)
{
    long bad = 0, nomem_points = 0;
    for (long k = 1; k <= e->allocations; k++) {
        if (only_point > 0 && k != only_point) {
            nomem_points++;
            continue;
        }
        char why[512] = "";
        if (!load_failing_at(e, k, why, sizeof(why))) {
            if (bad++ < 5) {
                printf("#   %s, allocation %ld failing: %s\n", e->path, k, why);
            }
        }
        nomem_points += injected;
    }
    printf("# %s: %ld allocations, each failed in turn but the %ld of JSON parsing\n", e->path,
           e->allocations, e->parse_allocations);
    ASSERT_INT_EQ(bad, 0);
    ASSERT_INT_EQ(nomem_points, e->allocations - e->parse_allocations);
}

/* The examples' directory as a catalog, failing allocation k. Every point of the directory
 * listing and the catalog's own growth is failed; in between (the rubric loads, swept one by
 * one above) every 37th. */
static void sweep_catalog(const example *ex, size_t nex)
{
    assay_catalog *c = assay_catalog_create();
    allocations = 0;
    int loaded = assay_catalog_load_dir(c, ASSAY_RUBRICS_DIR, NULL, NULL);
    long total = allocations;
    /* The directory's frameworks and credential definitions load too, and the rubrics that
     * name a framework (not among the examples swept alone: they are compared with this
     * clean load). */
    int expect = (int)(assay_catalog_count(c) + assay_catalog_framework_count(c) +
                       assay_catalog_credential_count(c));
    assay_catalog *clean = c;
    ASSERT_INT_EQ(loaded, expect);
    ASSERT(assay_catalog_count(clean) >= nex);

    long bad = 0, points = 0;
    for (long k = 1; k <= total; k++) {
        if ((only_point > 0 && k != only_point) || (k > 60 && k < total - 60 && k % 37 != 0)) {
            continue;
        }
        points++;
        long before = outstanding;
        char why[512] = "";
        bool ok = true;
        c = assay_catalog_create();
        assay_diags *d = assay_diags_create();
        allocations = 0;
        fail_at = k;
        int rc = c ? assay_catalog_load_dir(c, ASSAY_RUBRICS_DIR, NULL, d) : ASSAY_E_NOMEM;
        fail_at = 0;
        if (rc != ASSAY_E_NOMEM && rc != expect) {
            snprintf(why, sizeof(why), "returned %d", rc);
            ok = false;
        }
        /* Whatever was loaded is complete. */
        for (size_t i = 0; ok && i < assay_catalog_count(c); i++) {
            const assay_rubric *r = assay_catalog_get(c, i);
            const example *e = NULL;
            for (size_t j = 0; j < nex; j++) {
                if (assay_rubric_id(r) && strcmp(assay_rubric_id(r), ex[j].id) == 0) {
                    e = &ex[j];
                }
            }
            if (e != NULL) {
                ok = same_rubric(e, r, why, sizeof(why));
                continue;
            }
            const assay_rubric *c0 =
                assay_catalog_find(clean, assay_rubric_id(r), assay_rubric_version(r));
            ok = c0 != NULL && strcmp(assay_rubric_sha256(c0), assay_rubric_sha256(r)) == 0;
            if (!ok) {
                snprintf(why, sizeof(why), "rubric %s differs from the clean load",
                         assay_rubric_id(r));
            }
        }
        assay_catalog_destroy(c);
        assay_diags_destroy(d);
        if (ok && outstanding != before) {
            snprintf(why, sizeof(why), "%ld blocks leaked", outstanding - before);
            ok = false;
        }
        if (!ok && bad++ < 5) {
            printf("#   catalog, allocation %ld failing: %s\n", k, why);
        }
    }
    assay_catalog_destroy(clean);
    printf("# catalog %s: %ld allocations, %ld of them failed in turn\n", ASSAY_RUBRICS_DIR,
           total, points);
    ASSERT_INT_EQ(bad, 0);
}

static json_t *read_submissions(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/submissions/all.jsonl", ASSAY_RUBRICS_DIR);
    size_t len;
    char *text = read_file(path, &len);
    json_t *all = json_array();
    for (char *line = text; line && *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        json_t *sub = json_loadb(line, n, 0, NULL);
        if (sub) {
            json_array_append_new(all, sub);
        }
        line = end ? end + 1 : line + n;
    }
    free(text);
    return all;
}

/* Loads a document's text (against cat where it can name a framework) into its hash. */
typedef int (*doc_loader)(const assay_catalog *cat, const char *text, size_t len,
                          const char *path, char sha[65]);

static int load_framework_text(const assay_catalog *cat, const char *text, size_t len,
                               const char *path, char sha[65])
{
    assay_framework *f = NULL;
    assay_diags *d = assay_diags_create();
    int rc = assay_framework_load_buffer(text, len, path, NULL, &f, d);
    if (rc == 0) {
        snprintf(sha, 65, "%s", assay_framework_sha256(f));
    }
    assay_framework_destroy(f);
    assay_diags_destroy(d);
    return rc;
}

static int load_rubric_text(const assay_catalog *cat, const char *text, size_t len,
                            const char *path, char sha[65])
{
    assay_rubric *r = NULL;
    assay_diags *d = assay_diags_create();
    int rc = assay_rubric_load_buffer_in(cat, text, len, path, NULL, &r, d);
    if (rc == 0) {
        snprintf(sha, 65, "%s", assay_rubric_sha256(r));
    }
    assay_rubric_destroy(r);
    assay_diags_destroy(d);
    return rc;
}

/* The document at path (under the source root) loaded failing each allocation in turn:
 * every run ends as the clean one (the same hash when it loads) or with ASSAY_E_NOMEM, and
 * leaks nothing. */
static void sweep_document(const char *path_in_root, doc_loader load, const assay_catalog *cat)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/../%s", ASSAY_RUBRICS_DIR, path_in_root);
    size_t len;
    char *text = read_file(path, &len);
    ASSERT(text != NULL);
    if (text == NULL) {
        return;
    }
    char sha0[65] = "", sha[65];
    allocations = 0;
    int clean = load(cat, text, len, path, sha0);
    long total = allocations;
    ASSERT(clean != ASSAY_E_NOMEM);
    long bad = 0;
    sweeping = path;
    for (long k = 1; k <= total; k++) {
        if (only_point > 0 && k != only_point) {
            continue;
        }
        long before = outstanding;
        sha[0] = '\0';
        allocations = 0;
        fail_at = k;
        int rc = load(cat, text, len, path, sha);
        fail_at = 0;
        bool ok = rc == ASSAY_E_NOMEM || (rc == clean && strcmp(sha, sha0) == 0);
        if ((!ok || outstanding != before) && bad++ < 5) {
            printf("#   %s, allocation %ld failing: returned %s, %ld blocks leaked\n", path, k,
                   assay_err_name(rc), outstanding - before);
        }
    }
    printf("# %s: %ld allocations, each failed in turn\n", path, total);
    ASSERT_INT_EQ(bad, 0);
    free(text);
}

/* Frameworks, and rubrics that name one. */
static void sweep_frameworks(void)
{
    sweep_document("rubrics/chem-101.framework.json", load_framework_text, NULL);
    sweep_document("tests/golden/invalid/framework-several-errors.json", load_framework_text,
                   NULL);
    assay_catalog *cat = assay_catalog_create();
    ASSERT_INT_EQ(assay_catalog_load_frameworks(cat, ASSAY_RUBRICS_DIR, NULL, NULL), 1);
    sweep_document("rubrics/chem-dilution.json", load_rubric_text, cat);
    sweep_document("tests/golden/invalid/framework-scale-redefined.json", load_rubric_text,
                   cat);
    sweep_document("tests/golden/invalid/framework-competency-misspelt.json", load_rubric_text,
                   cat);
    assay_catalog_destroy(cat);
}

int main(void)
{
    const char *point = getenv("ASSAY_ALLOC_POINT");
    only_point = point ? atol(point) : 0;
    json_set_alloc_funcs(__wrap_malloc, __wrap_free);
    mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);

    static const char *const names[] = {"bio-cell-respiration.json", "chem-molarity.json",
                                        "phys-kinematik.json", "stats-confidence.json"};
    enum { NEX = sizeof(names) / sizeof(names[0]) };
    json_t *subs = read_submissions();
    ASSERT(json_array_size(subs) > 0);
    assay_scratch *s = assay_scratch_create();
    static example ex[NEX];
    for (size_t i = 0; i < NEX; i++) {
        ASSERT(example_init(&ex[i], names[i], subs, s));
        ASSERT(ex[i].nsubs > 0);
    }
    for (size_t i = 0; i < NEX; i++) {
        sweep_rubric(&ex[i]);
    }
    sweep_catalog(ex, NEX);
    /* Broken rubrics: every run fails with the clean run's code or ASSAY_E_NOMEM. */
    sweep_document("tests/golden/invalid/several-errors.json", load_rubric_text, NULL);
    sweep_document("tests/golden/invalid/regex-unclosed-group.json", load_rubric_text, NULL);
    sweep_document("tests/golden/invalid/competency-unused.json", load_rubric_text, NULL);
    sweep_frameworks();

    for (size_t i = 0; i < NEX; i++) {
        example_finish(&ex[i]);
    }
    assay_scratch_destroy(s);
    json_decref(subs);
    return tap_done();
}
