/*
 * bench_engine.c - measures the Assay engine against the floor that jansson and PCRE2 set.
 *
 * For each case (every example rubric on its own, all example rubrics mixed, and a
 * generated 10-check rubric on ~2 KB answers) the program times, on one thread:
 *
 *   engine  assay_grade_buffer + assay_result_dumps + free (what batch mode does per line)
 *   floor   the least any grader built on these libraries must do for the same bytes:
 *           json_loadb of the submission; the rubric's own patterns (compiled here with the
 *           engine's options, JIT) matched with pcre2_match into preallocated match data
 *           on exactly the subjects the engine matches (answers normalised beforehand,
 *           outside the timing; count checks loop over every match, numeric checks match
 *           their source pattern); a result tree equal to the engine's built with jansson;
 *           json_dumpb into a preallocated buffer. Each part is also timed on its own.
 *   dumps   assay_result_dumps of a finished result, next to json_dumpb of the same
 *
 * and reports submissions/s per core, ns per check and the overhead ratio engine / floor.
 * The measurements of a case are interleaved in --rounds rounds that add up to --seconds
 * each: times are the median round, ratios the median of the rounds' own ratios (engine
 * and floor measured moments apart), so drifts of a shared machine cancel. The fastest
 * round of engine and floor (the least disturbed), the engine's CPU time and the share of
 * wall time the thread was on a CPU are reported too: a share well under 100% means other
 * work was competing for the cores. A last measurement runs the engine on 1 and then N
 * threads sharing one catalog (--threads).
 * A readable table goes to stdout, then one JSON line with every figure.
 *
 * Submissions: for the example rubrics, variants mixed from the sample submissions in
 * --submissions (default RUBRICS/submissions; *.json and *.jsonl): each item's answer is
 * drawn from the answers the samples give to that item. A rubric without samples gets
 * answers made from its pass feedback and expected values. For the 10-check rubric, essays
 * about a falling ball assembled from a sentence bank. Everything is deterministic for a
 * given --seed.
 *
 * `--gen-jsonl N OUT` instead writes N such submissions for the example rubrics as JSON
 * Lines (for bench/batch.sh) and exits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <assay/assay.h>

#include <dirent.h>
#include <jansson.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15)) /* as assay_result_dumps */
/* As assay_grade_buffer parses a submission (keep in step with engine/src/catalog.c). */
#define LOAD_FLAGS     (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL)
#define DUMP_BUF_BYTES (1u << 20)
#define MAX_CASES      16
#define SYNTH_RUBRIC   "bench-energy"

/* ---------------------------------------------------------------------------------------
 * Small helpers.
 */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench-engine: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL) {
        die("out of memory");
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Defeats dead-code elimination of measured work. */
static volatile uint64_t sink;

/* splitmix64: small, fast and the same on every platform. */
typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static size_t rng_below(rng *r, size_t n)
{
    return n ? (size_t)(rng_next(r) % n) : 0;
}

static bool rng_chance(rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files in dir whose names end in suffix, sorted; *n receives the count. */
static char **list_dir(const char *dir, const char *suffix, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        return NULL;
    }
    char **v = NULL;
    size_t cap = 0, sl = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= sl || strcmp(e->d_name + len - sl, suffix) != 0) {
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof(*v));
        }
        size_t plen = strlen(dir) + len + 2;
        v[*n] = xmalloc(plen);
        snprintf(v[*n], plen, "%s/%s", dir, e->d_name);
        (*n)++;
    }
    closedir(d);
    if (*n > 1) {
        qsort(v, *n, sizeof(*v), str_cmp);
    }
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

/* ---------------------------------------------------------------------------------------
 * The floor: a rubric's patterns compiled as the engine compiles them, matched bare.
 */

typedef struct fcheck {
    char *item;          /* the response the pattern runs on */
    pcre2_code *code;    /* JIT-compiled when the machine allows */
    bool count;          /* count mode: every non-overlapping match */
    bool trim, collapse; /* the check's "normalize" */
} fcheck;

typedef struct floor_rubric {
    char *id, *version;
    fcheck *v;
    size_t n, cap;
    size_t jitted;
} floor_rubric;

static bool has_flag(const json_t *spec, const char *flag)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(spec, "flags"), i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), flag) == 0) {
            return true;
        }
    }
    return false;
}

static bool has_normalize(const json_t *spec, const char *what)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(spec, "normalize"), i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), what) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * spec holds "flags", "ascii" and "normalize" (a pattern check, or a numeric check's
 * source, which runs on the raw answer and has no "normalize").
 */
static void floor_add(floor_rubric *f, const char *item, const json_t *spec,
                      const char *pattern, bool whole, bool count)
{
    uint32_t opts = PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C;
    if (!json_is_true(json_object_get(spec, "ascii"))) {
        opts |= PCRE2_UCP;
    }
    opts |= has_flag(spec, "caseless") ? PCRE2_CASELESS : 0;
    opts |= has_flag(spec, "multiline") ? PCRE2_MULTILINE : 0;
    opts |= has_flag(spec, "dotall") ? PCRE2_DOTALL : 0;
    opts |= has_flag(spec, "extended") ? PCRE2_EXTENDED : 0;
    opts |= whole ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0;
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &ec, &eo, NULL);
    if (code == NULL) {
        fprintf(stderr, "bench-engine: %s: pattern for item %s does not compile; left out\n",
                f->id, item);
        return;
    }
    if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0) {
        f->jitted++;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
    }
    f->v[f->n++] = (fcheck){.item = xstrdup(item),
                            .code = code,
                            .count = count,
                            .trim = has_normalize(spec, "trim"),
                            .collapse = has_normalize(spec, "collapse")};
}

static void floor_walk(floor_rubric *f, const char *item, const json_t *checks)
{
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        const char *type = json_string_value(json_object_get(c, "type"));
        if (type == NULL) {
            continue;
        }
        if (strcmp(type, "pattern") == 0) {
            const char *mode = json_string_value(json_object_get(c, "mode"));
            const char *pat = json_string_value(json_object_get(c, "pattern"));
            if (pat) {
                floor_add(f, item, c, pat, mode && strcmp(mode, "whole") == 0,
                          mode && strcmp(mode, "count") == 0);
            }
        } else if (strcmp(type, "numeric") == 0) {
            const json_t *src = json_object_get(c, "source");
            const char *pat = json_string_value(json_object_get(src, "pattern"));
            if (pat) {
                floor_add(f, item, src, pat, false, false);
            }
        } else if (strcmp(type, "group") == 0) {
            floor_walk(f, item, json_object_get(c, "checks"));
        }
    }
}

static floor_rubric *floor_create(const json_t *rubric)
{
    floor_rubric *f = xcalloc(1, sizeof(*f));
    f->id = xstrdup(json_string_value(json_object_get(rubric, "id")));
    f->version = xstrdup(json_string_value(json_object_get(rubric, "version")));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(rubric, "items"), i, it)
    {
        const char *id = json_string_value(json_object_get(it, "id"));
        if (id) {
            floor_walk(f, id, json_object_get(it, "checks"));
        }
    }
    return f;
}

static void floor_destroy(floor_rubric *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].item);
        pcre2_code_free(f->v[i].code);
    }
    free(f->v);
    free(f->id);
    free(f->version);
    free(f);
}

static size_t next_char(const char *s, size_t len, size_t i)
{
    i++;
    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) {
        i++;
    }
    return i;
}

/*
 * The subjects of a submission's matches: for each pattern of its rubric, the answer as the
 * engine hands it to PCRE2 (after "normalize"), or NULL when the engine runs no match (no
 * answer, or only White_Space). Made once per submission, outside the timing: normalising
 * is engine work, not part of the floor.
 */
typedef struct subjects {
    char **text;
    size_t *len;
} subjects;

/* Length of the Unicode White_Space character at s[0..n), or 0 (see docs/rubric-format.md). */
static size_t white_at(const unsigned char *s, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if ((s[0] >= 0x09 && s[0] <= 0x0D) || s[0] == 0x20) {
        return 1;
    }
    if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0)) {
        return 2;
    }
    if (n < 3) {
        return 0;
    }
    unsigned cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if ((s[0] & 0xF0) != 0xE0) {
        return 0;
    }
    bool white = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
                 cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    return white ? 3 : 0;
}

/* Length of the White_Space character ending at s[n-1], or 0. */
static size_t white_before(const unsigned char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        if (white_at(s + n - k, k) == k) {
            return k;
        }
    }
    return 0;
}

/* A new copy of s[0..n) trimmed and/or collapsed; *out_len receives its length. */
static char *normalized(const char *text, size_t n, bool trim, bool collapse, size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t a = 0, b = n, w;
    while (trim && a < b && (w = white_at(s + a, b - a)) > 0) {
        a += w;
    }
    while (trim && b > a && (w = white_before(s + a, b - a)) > 0) {
        b -= w;
    }
    char *out = xmalloc(b - a + 1);
    size_t o = 0;
    for (size_t i = a; i < b;) {
        w = collapse ? white_at(s + i, b - i) : 0;
        if (w == 0) {
            out[o++] = (char)s[i++];
            continue;
        }
        while (i < b && (w = white_at(s + i, b - i)) > 0) {
            i += w;
        }
        out[o++] = ' ';
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static subjects subjects_make(const floor_rubric *f, const json_t *sub)
{
    subjects sj = {xcalloc(f->n, sizeof(char *)), xcalloc(f->n, sizeof(size_t))};
    const json_t *resp = json_object_get(sub, "responses");
    for (size_t i = 0; i < f->n; i++) {
        const json_t *a = json_object_get(resp, f->v[i].item);
        char num[64];
        const char *text = num;
        size_t len;
        if (json_is_string(a)) {
            text = json_string_value(a);
            len = json_string_length(a);
        } else if (json_is_integer(a)) {
            len = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                                   json_integer_value(a));
        } else if (json_is_real(a)) {
            len = (size_t)snprintf(num, sizeof(num), "%.17g", json_real_value(a));
        } else {
            continue;
        }
        size_t lead = 0, w;
        while (lead < len &&
               (w = white_at((const unsigned char *)text + lead, len - lead)) > 0) {
            lead += w;
        }
        if (lead == len) { /* only White_Space: "no answer", no match runs */
            continue;
        }
        sj.text[i] = normalized(text, len, f->v[i].trim, f->v[i].collapse, &sj.len[i]);
    }
    return sj;
}

static void subjects_free(subjects *sj, size_t n)
{
    for (size_t i = 0; sj->text && i < n; i++) {
        free(sj->text[i]);
    }
    free(sj->text);
    free(sj->len);
}

/* The rubric's matches on a submission's subjects; returns the number of matches found. */
static size_t floor_regex(const floor_rubric *f, const subjects *sj, pcre2_match_data *md)
{
    size_t hits = 0;
    for (size_t i = 0; i < f->n; i++) {
        const char *s = sj->text[i];
        size_t len = sj->len[i], start = 0;
        if (s == NULL) {
            continue;
        }
        while (start <= len) {
            int rc = pcre2_match(f->v[i].code, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK,
                                 md, NULL);
            if (rc < 0) { /* PCRE2_ERROR_NOMATCH, or a limit */
                break;
            }
            hits++;
            if (!f->v[i].count) {
                break;
            }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            if (ov[1] == len && ov[1] == ov[0]) {
                break;
            }
            start = ov[1] > ov[0] ? ov[1] : next_char(s, len, ov[1]);
        }
    }
    return hits;
}

/* A new tree equal to v, made with the checked calls the engine uses. */
static json_t *rebuild(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            json_object_set_new(o, k, rebuild(x));
        }
        return o;
    }
    case JSON_ARRAY: {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            json_array_append_new(a, rebuild(x));
        }
        return a;
    }
    case JSON_STRING:
        return json_stringn(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return json_integer(json_integer_value(v));
    case JSON_REAL:
        return json_real(json_real_value(v));
    case JSON_TRUE:
        return json_true();
    case JSON_FALSE:
        return json_false();
    case JSON_NULL:
    default:
        return json_null();
    }
}

/* ---------------------------------------------------------------------------------------
 * Example rubrics: the rubric files, their floors and their answer pools.
 */

typedef struct example {
    json_t *rubric;        /* the rubric file, parsed */
    const assay_rubric *r; /* the engine's compiled copy */
    floor_rubric *fl;
    json_t *pool;  /* item id -> array of answers seen in samples */
    json_t *metas; /* "meta" objects seen in samples */
    size_t samples;
} example;

typedef struct examples {
    assay_catalog *cat;
    example *v;
    size_t n;
} examples;

static void pool_add_sample(examples *ex, const json_t *sub)
{
    const char *rid = json_string_value(json_object_get(sub, "rubric"));
    const json_t *resp = json_object_get(sub, "responses");
    if (rid == NULL || !json_is_object(resp)) {
        return;
    }
    for (size_t i = 0; i < ex->n; i++) {
        example *e = &ex->v[i];
        if (strcmp(rid, e->fl->id) != 0) {
            continue;
        }
        const char *k;
        json_t *a;
        json_object_foreach((json_t *)resp, k, a)
        {
            json_t *arr = json_object_get(e->pool, k);
            if (arr) {
                json_array_append(arr, a);
            }
        }
        const json_t *meta = json_object_get(sub, "meta");
        if (json_is_object(meta)) {
            json_array_append(e->metas, (json_t *)meta);
        }
        e->samples++;
        return;
    }
}

/* Reads *.json (one submission each) and *.jsonl (one per line); ids seen twice count once. */
static void load_samples(examples *ex, const char *dir)
{
    json_t *seen = json_object();
    const char *suffixes[] = {".json", ".jsonl"};
    for (size_t s = 0; s < 2; s++) {
        size_t n;
        char **files = list_dir(dir, suffixes[s], &n);
        for (size_t i = 0; i < n; i++) {
            FILE *f = fopen(files[i], "rb");
            if (f == NULL) {
                continue;
            }
            char *line = NULL;
            size_t cap = 0;
            ssize_t got;
            json_t *whole = NULL;
            if (s == 0) {
                json_error_t je;
                whole = json_loadf(f, 0, &je);
            }
            for (;;) {
                json_t *sub = whole;
                if (s == 1) {
                    got = getline(&line, &cap, f);
                    if (got < 0) {
                        break;
                    }
                    sub = json_loadb(line, (size_t)got, 0, NULL);
                }
                const char *id = json_string_value(json_object_get(sub, "id"));
                if (id && json_object_get(seen, id) == NULL) {
                    json_object_set_new(seen, id, json_true());
                    pool_add_sample(ex, sub);
                }
                json_decref(sub);
                if (s == 0) {
                    break;
                }
            }
            free(line);
            fclose(f);
        }
        free_list(files, n);
    }
    json_decref(seen);
}

static examples *examples_load(const char *dir, const char *samples_dir)
{
    examples *ex = xcalloc(1, sizeof(*ex));
    ex->cat = assay_catalog_create();
    assay_diags *d = assay_diags_create();
    if (ex->cat == NULL || d == NULL) {
        die("out of memory");
    }
    assay_catalog_load_dir(ex->cat, dir, NULL, d);
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        char msg[1200];
        assay_diag_format(assay_diags_get(d, i), msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
    }
    assay_diags_destroy(d);

    size_t n;
    char **files = list_dir(dir, ".json", &n);
    ex->v = xcalloc(n, sizeof(*ex->v));
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(files[i], '/');
        if (strcmp(base ? base + 1 : files[i], "schema.json") == 0) {
            continue;
        }
        json_error_t je;
        json_t *rj = json_load_file(files[i], 0, &je);
        const char *id = json_string_value(json_object_get(rj, "id"));
        const char *ver = json_string_value(json_object_get(rj, "version"));
        const assay_rubric *r = id && ver ? assay_catalog_find(ex->cat, id, ver) : NULL;
        if (r == NULL) {
            json_decref(rj);
            continue;
        }
        example *e = &ex->v[ex->n++];
        e->rubric = rj;
        e->r = r;
        e->fl = floor_create(rj);
        e->pool = json_object();
        e->metas = json_array();
        size_t k;
        json_t *it;
        json_array_foreach(json_object_get(rj, "items"), k, it)
        {
            json_object_set_new(e->pool, json_string_value(json_object_get(it, "id")),
                                json_array());
        }
    }
    free_list(files, n);
    load_samples(ex, samples_dir);
    return ex;
}

static void examples_destroy(examples *ex)
{
    for (size_t i = 0; i < ex->n; i++) {
        json_decref(ex->v[i].rubric);
        json_decref(ex->v[i].pool);
        json_decref(ex->v[i].metas);
        floor_destroy(ex->v[i].fl);
    }
    free(ex->v);
    assay_catalog_destroy(ex->cat);
    free(ex);
}

/* An answer for an item of a rubric without samples: expected values and pass feedback. */
static void fallback_checks(sbuf *b, const json_t *checks, const char *sep)
{
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        const char *type = json_string_value(json_object_get(c, "type"));
        if (type && strcmp(type, "group") == 0) {
            fallback_checks(b, json_object_get(c, "checks"), sep);
            continue;
        }
        const json_t *exp = json_object_get(c, "expected");
        if (type && strcmp(type, "numeric") == 0 && exp) {
            char num[64];
            if (json_is_string(exp)) {
                snprintf(num, sizeof(num), "%s", json_string_value(exp));
            } else {
                snprintf(num, sizeof(num), "%.15g", json_number_value(exp));
            }
            for (char *p = num; *p; p++) {
                *p = *p == '.' ? sep[0] : *p;
            }
            sb_puts(b, num);
            const char *unit = json_object_iter_key(
                json_object_iter(json_object_get(json_object_get(c, "units"), "table")));
            if (unit) {
                sb_puts(b, " ");
                sb_puts(b, unit);
            }
            continue;
        }
        const char *pass =
            json_string_value(json_object_get(json_object_get(c, "feedback"), "pass"));
        if (pass && *pass) {
            sb_puts(b, b->len ? " " : "");
            sb_puts(b, pass);
        }
    }
}

/* A submission for example e: each item's answer drawn from the samples' answers. */
static json_t *example_submission(const example *e, rng *g, size_t serial)
{
    char id[64], learner[32];
    snprintf(id, sizeof(id), "gen-%s-%06zu", e->fl->id, serial);
    snprintf(learner, sizeof(learner), "learner-%04zu", rng_below(g, 10000));
    json_t *resp = json_object();
    const char *sep = json_string_value(
        json_object_get(json_object_get(e->rubric, "settings"), "decimal_separator"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(e->rubric, "items"), i, it)
    {
        const char *item = json_string_value(json_object_get(it, "id"));
        const json_t *answers = json_object_get(e->pool, item);
        if (json_array_size(answers) > 0) {
            json_t *a = json_array_get(answers, rng_below(g, json_array_size(answers)));
            json_object_set(resp, item, a);
        } else if (e->samples == 0) {
            sbuf b = {0};
            fallback_checks(&b, json_object_get(it, "checks"), sep ? sep : ".");
            json_object_set_new(resp, item, json_string(b.p ? b.p : ""));
            free(b.p);
        }
    }
    json_t *sub = json_object();
    json_object_set_new(sub, "id", json_string(id));
    json_object_set_new(sub, "rubric", json_string(e->fl->id));
    json_object_set_new(sub, "rubric_version", json_string(e->fl->version));
    json_object_set_new(sub, "learner", json_string(learner));
    json_object_set_new(sub, "responses", resp);
    if (json_array_size(e->metas) > 0) {
        json_object_set(sub, "meta",
                        json_array_get(e->metas, rng_below(g, json_array_size(e->metas))));
    }
    return sub;
}

/* ---------------------------------------------------------------------------------------
 * The generated 10-check rubric and its ~2 KB essays.
 */

typedef struct synth_pattern {
    const char *id, *mode, *pattern, *flag, *normalize, *comp;
    int min, max; /* count only; max 0: unbounded */
    double points;
    const char *pass, *fail;
} synth_pattern;

static const synth_pattern synth_patterns[] = {
    {"kinetic", "search", "\\bkinetic\\s+energy\\b", "caseless", NULL, "energy-transfer", 0, 0,
     1, "You name the kinetic energy the ball gains.",
     "Say which store the energy ends up in: kinetic energy."},
    {"conservation", "search",
     "conserv(?:ed|ation)\\s+of\\s+(?:mechanical\\s+)?energy|energy\\s+is\\s+conserved|"
     "mgh\\s*=\\s*(?:½|1/2)\\s*mv(?:²|\\^2)",
     "caseless", "collapse", "conservation", 0, 0, 2, "You use conservation of energy.",
     "Use conservation of energy: mgh = ½mv²."},
    {"dissipation", "search", "\\b(?:friction|air\\s+resistance|drag|thermal\\s+energy)\\b",
     "caseless", "collapse", "energy-transfer", 0, 0, 1, "You note where energy is dissipated.",
     "Mention what happens with air resistance in a real drop."},
    {"not-destroyed", "forbid",
     "energy\\s+(?:is|gets|was)\\s+(?:destroyed|used\\s+up|lost\\s+forever)", "caseless",
     "collapse", "conservation", 0, 0, 1, "",
     "Energy is never destroyed or used up; it is transferred to other stores."},
    {"not-heavier-faster", "forbid",
     "\\bheavier\\s+(?:objects?|things?|balls?|bodies)\\s+(?:fall|falls|drop)\\s+faster\\b",
     "caseless", "collapse", "conservation", 0, 0, 1, "",
     "Without air resistance every object falls with the same acceleration."},
    {"sentences", "count", "[^.!?]+[.!?]+", NULL, "trim", "communication", 6, 60, 1,
     "Your explanation is developed in full sentences.",
     "Explain in at least six full sentences."},
    {"reasoning", "count", "\\b(?:because|therefore|so|thus|hence|which\\s+means)\\b",
     "caseless", NULL, "communication", 3, 0, 1, "You link your steps with reasons.",
     "Give reasons: link your steps with because, so or therefore."},
    {"ends-properly", "whole", ".+[.!?][\"”’)]?", "dotall", "trim", "communication", 0, 0, 0.5,
     "", "Finish your explanation with a full sentence."},
};

/* The 10-check rubric: the eight pattern checks above and two numeric checks that read their
 * number through a source pattern, with units and significant figures. */
static json_t *synth_rubric(void)
{
    json_t *checks = json_array();
    for (size_t i = 0; i < sizeof(synth_patterns) / sizeof(synth_patterns[0]); i++) {
        const synth_pattern *p = &synth_patterns[i];
        json_t *c =
            json_pack("{s:s, s:s, s:s, s:s, s:f, s:{s:i}, s:{s:s, s:s}}", "id", p->id, "type",
                      "pattern", "mode", p->mode, "pattern", p->pattern, "points", p->points,
                      "evidence", p->comp, 1, "feedback", "pass", p->pass, "fail", p->fail);
        if (p->flag) {
            json_object_set_new(c, "flags", json_pack("[s]", p->flag));
        }
        if (p->normalize) {
            json_object_set_new(c, "normalize", json_pack("[s]", p->normalize));
        }
        if (p->min) {
            json_object_set_new(c, "min", json_integer(p->min));
        }
        if (p->max) {
            json_object_set_new(c, "max", json_integer(p->max));
        }
        json_array_append_new(checks, c);
    }
    json_array_append_new(
        checks,
        json_pack("{s:s, s:s, s:i, s:{s:i, s:f}, s:i, s:f, s:{s:i, s:f}, "
                  "s:{s:{s:i, s:f}, s:b, s:f}, s:{s:s, s:s}, s:{s:s, s:s, s:s}}",
                  "id", "final-speed", "type", "numeric", "points", 2, "evidence",
                  "quantitative", 1, "energy-transfer", 0.5, "expected", 14, "tolerance", 0.1,
                  "sig_figs", "at_least", 2, "penalty", 0.25, "units", "table", "m/s", 1,
                  "cm/s", 0.01, "required", 1, "penalty", 0.5, "source", "pattern",
                  "\\bspeed\\b[^.]{0,80}?(?<v>[0-9]+(?:\\.[0-9]+)?(?:\\s*(?:m/s|cm/s|km/h))?)",
                  "group", "v", "feedback", "pass", "Right: v = √(2gh) = 14 m/s.", "fail",
                  "From mgh = ½mv², v = √(2gh) = √(2 · 9.8 m/s² · 10 m) = 14 m/s.", "partial",
                  "The value is right; check the unit and the significant figures."));
    json_array_append_new(
        checks, json_pack("{s:s, s:s, s:i, s:{s:i}, s:i, s:f, s:{s:{s:i, s:i}, s:b}, "
                          "s:{s:s, s:s, s:[s]}, s:{s:s, s:s}}",
                          "id", "final-energy", "type", "numeric", "points", 2, "evidence",
                          "quantitative", 1, "expected", 490, "relative", 0.02, "units",
                          "table", "J", 1, "kJ", 1000, "required", 1, "source", "pattern",
                          "\\benergy\\b[^.]{0,80}?\\b(?<e>[0-9]+(?:\\.[0-9]+)?"
                          "(?:\\s*[×x]\\s*10\\^[−-]?[0-9]+)?\\s*k?J)\\b",
                          "group", "e", "flags", "caseless", "feedback", "pass",
                          "Right: E = mgh = 5 kg · 9.8 m/s² · 10 m = 490 J.", "fail",
                          "The kinetic energy at the bottom equals mgh = 490 J."));
    json_t *r = json_pack(
        "{s:i, s:s, s:s, s:s, s:{s:s}, s:{s:[{s:s, s:s, s:i}, {s:s, s:s, s:f}, "
        "{s:s, s:s, s:f, s:b}, {s:s, s:s, s:i}]}, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, "
        "{s:s, s:s}], s:[{s:s, s:s, s:o}]}",
        "assay", 1, "id", SYNTH_RUBRIC, "version", "1.0.0", "title",
        "Energy of a falling ball (benchmark)", "settings", "decimal_separator", ".", "scale",
        "levels", "id", "beginning", "name", "Beginning", "min", 0, "id", "developing", "name",
        "Developing", "min", 0.5, "id", "proficient", "name", "Proficient", "min", 0.8,
        "mastery", 1, "id", "exemplary", "name", "Exemplary", "min", 1, "competencies", "id",
        "energy-transfer", "name", "Energy stores and transfers", "id", "conservation", "name",
        "Conservation of energy", "id", "quantitative", "name", "Quantitative reasoning", "id",
        "communication", "name", "Scientific communication", "items", "id", "essay", "prompt",
        "A 5 kg ball is dropped from 10 m. Explain its energy transfers and find its speed "
        "and kinetic energy just before it lands (g = 9.8 m/s²).",
        "checks", checks);
    if (r == NULL) {
        die("cannot build the 10-check rubric");
    }
    return r;
}

static const char *const filler[] = {
    "The ball has a mass of 5 kg and it is dropped from rest at a height of 10 m.",
    "I take g = 9.8 m/s² and treat the ball as a point mass.",
    "At the top the ball is at rest, so all of its energy is in the gravitational store, "
    "Ep = mgh.",
    "The graph of height against time is a parabola because the acceleration is constant.",
    "The only force that matters here is the weight of the ball, which acts downwards.",
    "I put the reference level at the ground, where the potential energy is zero.",
    "The work done by gravity equals the loss of gravitational potential energy, W = mgh = "
    "490 J.",
    "Doubling the height would double the energy at the bottom, but the speed would only "
    "grow by a factor of √2 ≈ 1.41.",
    "The units work out because kg·m²/s² is the same as a joule.",
    "If the ball bounced, some energy would also be carried away as sound.",
    "The momentum of the ball increases as it falls, but that is not needed here.",
    "The time of the fall follows from h = ½gt², which gives t ≈ 1.43 s.",
    "The mass cancels in mgh = ½mv², so a lighter ball reaches the same speed in a vacuum.",
    "In our lab the light gate measured a slightly lower value, probably a timing error.",
    "Halfway down, at 5 m, half of the energy has moved from one store to the other.",
    "This is the same reasoning as for a pendulum swinging down from its highest point.",
    "A table of Ep and Ek every metre would show the two always adding up to the same total.",
    "Our teacher said we should always check that the answer has a sensible size.",
};

static const char *const speeds[] = {"14 m/s", "14.0 m/s", "1400 cm/s", "13.9 m/s", "14 m/s",
                                     "15 m/s", "14",       "50.4 km/h", "14.0 m/s", "1.4 m/s"};
static const char *const energies[] = {"490 J",  "490 J",        "0.49 kJ", "500 J",
                                       "4.9 J",  "4.9 × 10^2 J", "490 J",   "49 J",
                                       "490 kJ", "4.90 × 10^2 J"};

static char *synth_answer(rng *g, size_t target)
{
    sbuf b = {0};
    size_t nf = sizeof(filler) / sizeof(filler[0]);
    bool kinetic = rng_chance(g, 80), conserve = rng_chance(g, 70), drag = rng_chance(g, 60);
    bool destroyed = rng_chance(g, 15), heavier = rng_chance(g, 10);
    bool speed = rng_chance(g, 90), energy = rng_chance(g, 85);
    size_t key_at = 2 + rng_below(g, 4); /* where the key sentences start */
    size_t k = 0, order = rng_next(g);
    while (b.len < target) {
        if (k == key_at) {
            if (kinetic) {
                sb_puts(&b, "As it falls, its gravitational potential energy is transferred to "
                            "kinetic energy. ");
            }
            if (conserve) {
                sb_puts(&b, rng_chance(g, 50)
                                ? "Energy is conserved, so the total stays the same all the "
                                  "way down. "
                                : "By conservation of energy, mgh = ½mv², therefore v = "
                                  "√(2gh). ");
            }
            if (destroyed) {
                sb_puts(&b, "When it lands the energy is used up. ");
            }
            if (heavier) {
                sb_puts(&b, "Heavier objects fall faster, so a bigger ball lands sooner. ");
            }
            if (speed) {
                sb_puts(&b, "The speed just before it lands is ");
                sb_puts(&b, speeds[rng_below(g, sizeof(speeds) / sizeof(speeds[0]))]);
                sb_puts(&b, ", because v = √(2 · 9.8 · 10). ");
            }
            if (energy) {
                sb_puts(&b, "So the kinetic energy at the bottom is ");
                sb_puts(&b, energies[rng_below(g, sizeof(energies) / sizeof(energies[0]))]);
                sb_puts(&b, ". ");
            }
            if (drag) {
                sb_puts(&b, "In a real drop air resistance turns a little of it into thermal "
                            "energy, which means the ball is slightly slower. ");
            }
        } else {
            sb_puts(&b, filler[(order + k * 7 + rng_below(g, 3)) % nf]);
            sb_puts(&b, " ");
        }
        k++;
    }
    if (rng_chance(g, 10)) {
        sb_puts(&b, "and then it stops"); /* no full stop: the whole check fails */
    }
    return b.p;
}

static json_t *synth_submission(rng *g, size_t serial, size_t answer_bytes)
{
    char id[64], learner[32];
    snprintf(id, sizeof(id), "gen-%s-%06zu", SYNTH_RUBRIC, serial);
    snprintf(learner, sizeof(learner), "learner-%04zu", rng_below(g, 10000));
    char *answer = synth_answer(g, answer_bytes);
    json_t *sub = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:s, s:s, s:i, s:s}}", "id",
                            id, "rubric", SYNTH_RUBRIC, "rubric_version", "1.0.0", "learner",
                            learner, "responses", "essay", answer, "meta", "lms", "moodle",
                            "course", "PHYS-100-2025", "activity", "energy-essay", "attempt",
                            (int)(1 + rng_below(g, 3)), "submitted_at", "2025-04-02T09:41:17Z");
    free(answer);
    return sub;
}

/* ---------------------------------------------------------------------------------------
 * Cases and measurements.
 */

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

static void case_add(bcase *c, json_t *sub, const floor_rubric *fl, size_t checks)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->subs = xrealloc(c->subs, c->cap * sizeof(*c->subs));
    }
    bsub *s = &c->subs[c->n++];
    memset(s, 0, sizeof(*s));
    s->text = json_dumps(sub, JSON_COMPACT);
    if (s->text == NULL) {
        die("out of memory");
    }
    s->len = strlen(s->text);
    s->fl = fl;
    s->checks = checks;
}

/* Grades every submission once: the results serve as templates; averages are noted. */
static void case_prepare(bcase *c, assay_scratch *scratch)
{
    double sb = 0, rb = 0, ck = 0;
    for (size_t i = 0; i < c->n; i++) {
        bsub *s = &c->subs[i];
        json_t *parsed = json_loadb(s->text, s->len, LOAD_FLAGS, NULL);
        s->result = assay_grade_buffer(c->cat, s->text, s->len, scratch, NULL);
        if (parsed == NULL || s->result == NULL) {
            die("%s: cannot grade a generated submission", c->name);
        }
        const char *st = json_string_value(json_object_get(s->result, "status"));
        if (st == NULL || strcmp(st, "graded") != 0) {
            char *t = assay_result_dumps(s->result);
            die("%s: a generated submission was not graded: %s", c->name, t ? t : "?");
        }
        s->sj = subjects_make(s->fl, parsed);
        json_decref(parsed);
        char *t = assay_result_dumps(s->result);
        s->result_bytes = t ? strlen(t) : 0;
        free(t);
        sb += (double)s->len;
        rb += (double)s->result_bytes;
        ck += (double)s->checks;
    }
    c->sub_bytes = sb / (double)c->n;
    c->result_bytes = rb / (double)c->n;
    c->checks = ck / (double)c->n;
}

static void case_free(bcase *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->subs[i].text);
        subjects_free(&c->subs[i].sj, c->subs[i].fl->n);
        json_decref(c->subs[i].result);
    }
    free(c->subs);
}

typedef struct opctx {
    const bcase *c;
    assay_scratch *scratch;
    pcre2_match_data *md;
    char *buf;      /* DUMP_BUF_BYTES */
    uint64_t calls; /* keeps the compiler from turning an op's last call into a jump */
} opctx;

typedef uint64_t (*op_fn)(opctx *x, const bsub *s);

static uint64_t op_engine(opctx *x, const bsub *s)
{
    json_t *res = assay_grade_buffer(x->c->cat, s->text, s->len, x->scratch, NULL);
    char *text = assay_result_dumps(res);
    uint64_t v = text ? (unsigned char)text[1] : 0;
    free(text);
    json_decref(res);
    return v;
}

static uint64_t op_floor(opctx *x, const bsub *s)
{
    json_t *sub = json_loadb(s->text, s->len, LOAD_FLAGS, NULL);
    uint64_t v = json_object_size(sub) + floor_regex(s->fl, &s->sj, x->md);
    json_t *res = rebuild(s->result);
    v += json_dumpb(res, x->buf, DUMP_BUF_BYTES, DUMP_FLAGS);
    json_decref(res);
    json_decref(sub);
    return v;
}

static uint64_t op_parse(opctx *x, const bsub *s)
{
    (void)x;
    json_t *sub = json_loadb(s->text, s->len, LOAD_FLAGS, NULL);
    uint64_t v = json_object_size(sub);
    json_decref(sub);
    return v;
}

static uint64_t op_regex(opctx *x, const bsub *s)
{
    return floor_regex(s->fl, &s->sj, x->md) + x->calls++; /* no tail call: see callgrind.sh */
}

static uint64_t op_build(opctx *x, const bsub *s)
{
    (void)x;
    json_t *res = rebuild(s->result);
    uint64_t v = json_object_size(res);
    json_decref(res);
    return v;
}

static uint64_t op_dump(opctx *x, const bsub *s)
{
    return json_dumpb(s->result, x->buf, DUMP_BUF_BYTES, DUMP_FLAGS) + x->calls++;
}

static uint64_t op_dumps(opctx *x, const bsub *s)
{
    (void)x;
    char *text = assay_result_dumps(s->result);
    uint64_t v = text ? (unsigned char)text[1] : 0;
    free(text);
    return v;
}

/* --calls: a fixed number of calls per round instead of a time budget (for valgrind). */
static uint64_t fixed_calls;

/* CPU time of the calling thread: wall time minus the time other work held the core. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Runs op over the case's submissions, round robin, for at least `seconds` of wall time
 * (CLOCK_MONOTONIC); returns wall ns per call and stores CPU ns per call in *cpu.
 */
static double run_round(opctx *x, op_fn op, double seconds, double *cpu)
{
    const bcase *c = x->c;
    uint64_t budget = (uint64_t)(seconds * 1e9), c0 = cpu_ns(), t0 = now_ns(), t;
    uint64_t calls = 0, acc = 0;
    size_t i = 0;
    do {
        for (int k = 0; k < 4; k++) {
            acc += op(x, &c->subs[i]);
            i = i + 1 == c->n ? 0 : i + 1;
        }
        calls += 4;
        t = now_ns();
    } while (fixed_calls ? calls < fixed_calls : t - t0 < budget);
    *cpu = (double)(cpu_ns() - c0) / (double)calls;
    sink += acc;
    return (double)(t - t0) / (double)calls;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), dbl_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define NOPS 7

static void measure(bcase *c, double seconds, int rounds)
{
    static const op_fn ops[NOPS] = {op_engine, op_floor, op_parse, op_regex,
                                    op_build,  op_dump,  op_dumps};
    opctx x = {.c = c,
               .scratch = assay_scratch_create(),
               .md = pcre2_match_data_create(64, NULL),
               .buf = xmalloc(DUMP_BUF_BYTES)};
    if (x.scratch == NULL || x.md == NULL) {
        die("out of memory");
    }
    double *v = xcalloc((size_t)rounds * NOPS, sizeof(double));
    double *engine_cpu = xcalloc((size_t)rounds, sizeof(double)), cpu, wall_sum = 0,
           cpu_sum = 0;
    for (int o = 0; o < NOPS; o++) { /* warm caches, allocator and JIT code */
        run_round(&x, ops[o], 0.02, &cpu);
    }
    for (int r = 0; r < rounds; r++) {
        for (int o = 0; o < NOPS; o++) {
            double wall = run_round(&x, ops[o], seconds / rounds, &cpu);
            v[(size_t)o * (size_t)rounds + (size_t)r] = wall;
            wall_sum += wall;
            cpu_sum += cpu;
            if (o == 0) {
                engine_cpu[r] = cpu;
            }
        }
    }
    c->engine_cpu = median(engine_cpu, (size_t)rounds);
    c->on_cpu = cpu_sum / wall_sum;
    free(engine_cpu);
    /* Ratios pair measurements taken moments apart, so slow drifts of the machine cancel. */
    double *ratio = xcalloc((size_t)rounds * 2, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        ratio[r] = v[r] / v[(size_t)rounds + (size_t)r];
        ratio[rounds + r] = v[(size_t)6 * (size_t)rounds + (size_t)r] /
                            v[(size_t)5 * (size_t)rounds + (size_t)r];
    }
    c->ratio = median(ratio, (size_t)rounds);
    c->engine_best = v[0];
    c->floor_best = v[rounds];
    for (int r = 1; r < rounds; r++) {
        c->engine_best = v[r] < c->engine_best ? v[r] : c->engine_best;
        c->floor_best = v[rounds + r] < c->floor_best ? v[rounds + r] : c->floor_best;
    }
    c->dumps_ratio = median(ratio + rounds, (size_t)rounds);
    free(ratio);
    double *out[NOPS] = {&c->engine, &c->floor, &c->parse, &c->regex,
                         &c->build,  &c->dump,  &c->dumps};
    for (int o = 0; o < NOPS; o++) {
        *out[o] = median(v + (size_t)o * (size_t)rounds, (size_t)rounds);
    }
    free(v);
    free(x.buf);
    pcre2_match_data_free(x.md);
    assay_scratch_destroy(x.scratch);
}

/* Threads: each grades with its own scratch from one shared catalog. */
typedef struct tjob {
    const bcase *c;
    size_t first;
    double seconds;
    atomic_int *go;
    double rate;
    pthread_t th;
} tjob;

static void *thread_main(void *arg)
{
    tjob *j = arg;
    opctx x = {.c = j->c, .scratch = assay_scratch_create()};
    if (x.scratch == NULL) {
        die("out of memory");
    }
    while (atomic_load(j->go) == 0) {
    }
    uint64_t budget = (uint64_t)(j->seconds * 1e9), t0 = now_ns(), t, calls = 0, acc = 0;
    size_t i = j->first % j->c->n;
    do {
        acc += op_engine(&x, &j->c->subs[i]);
        i = i + 1 == j->c->n ? 0 : i + 1;
        calls++;
        t = now_ns();
    } while (t - t0 < budget);
    sink += acc;
    j->rate = (double)calls * 1e9 / (double)(t - t0);
    assay_scratch_destroy(x.scratch);
    return NULL;
}

static double run_threads(const bcase *c, int nthreads, double seconds)
{
    tjob *jobs = xcalloc((size_t)nthreads, sizeof(*jobs));
    atomic_int go = 0;
    for (int t = 0; t < nthreads; t++) {
        jobs[t] = (tjob){.c = c,
                         .first = (size_t)t * c->n / (size_t)nthreads,
                         .seconds = seconds,
                         .go = &go};
        if (pthread_create(&jobs[t].th, NULL, thread_main, &jobs[t]) != 0) {
            die("cannot start a thread");
        }
    }
    atomic_store(&go, 1);
    double rate = 0;
    for (int t = 0; t < nthreads; t++) {
        pthread_join(jobs[t].th, NULL);
        rate += jobs[t].rate;
    }
    free(jobs);
    return rate;
}

static void measure_threads(bcase *c, int nthreads, double seconds, int rounds)
{
    double *r1 = xcalloc((size_t)rounds, sizeof(double));
    double *rn = xcalloc((size_t)rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        r1[r] = run_threads(c, 1, seconds / rounds);
        rn[r] = run_threads(c, nthreads, seconds / rounds);
    }
    c->rate1 = median(r1, (size_t)rounds);
    c->rateN = median(rn, (size_t)rounds);
    free(r1);
    free(rn);
}

/* ---------------------------------------------------------------------------------------
 * Reporting.
 */

static void read_cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) {
        return;
    }
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *p = strchr(line, ':');
            if (p) {
                p++;
                while (*p == ' ' || *p == '\t') {
                    p++;
                }
                snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
            }
            break;
        }
    }
    fclose(f);
}

static json_t *machine_json(void)
{
    char cpu[256], pcre_ver[64] = "";
    struct utsname u;
    uint32_t jit = 0;
    read_cpu_model(cpu, sizeof(cpu));
    if (uname(&u) != 0) {
        memset(&u, 0, sizeof(u));
    }
    pcre2_config(PCRE2_CONFIG_VERSION, pcre_ver);
    pcre2_config(PCRE2_CONFIG_JIT, &jit);
#ifdef __VERSION__
    const char *compiler = __VERSION__;
#else
    const char *compiler = "unknown";
#endif
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:s}", "cpu", cpu, "kernel",
                     u.release, "arch", u.machine, "online_cpus",
                     (int)sysconf(_SC_NPROCESSORS_ONLN), "compiler", compiler, "jansson",
                     jansson_version_str(), "pcre2", pcre_ver, "pcre2_jit", (int)jit, "assay",
                     assay_version());
}

static void print_tables(bcase *const *cases, size_t ncases, int nthreads)
{
    printf("\nPer core, one thread; time per submission (median of rounds)\n");
    printf("%-22s %5s %6s %6s %6s %9s %9s %8s %8s %8s %8s %8s %8s %6s\n", "case", "subs",
           "checks", "sub B", "res B", "engine us", "subs/s", "ns/check", "floor us", "parse",
           "regex", "build", "dump", "ratio");
    for (size_t i = 0; i < ncases; i++) {
        const bcase *c = cases[i];
        printf("%-22s %5zu %6.1f %6.0f %6.0f %9.2f %9.0f %8.0f %8.2f %8.2f %8.2f %8.2f %8.2f "
               "%6.2f\n",
               c->name, c->n, c->checks, c->sub_bytes, c->result_bytes, c->engine / 1e3,
               1e9 / c->engine, c->engine / c->checks, c->floor / 1e3, c->parse / 1e3,
               c->regex / 1e3, c->build / 1e3, c->dump / 1e3, c->ratio);
    }
    printf("\nEngine by CPU time of the thread (less sensitive to other work on the machine);\n"
           "on-CPU: the measurements' CPU time over their wall time (100%% on an idle core)\n");
    printf("%-22s %13s %9s %8s %7s   %s\n", "case", "engine cpu us", "subs/s", "ns/check",
           "on-CPU", "fastest rounds: engine us / floor us = ratio");
    for (size_t i = 0; i < ncases; i++) {
        const bcase *c = cases[i];
        printf("%-22s %13.2f %9.0f %8.0f %6.1f%%   %8.2f / %8.2f = %4.2f\n", c->name,
               c->engine_cpu / 1e3, 1e9 / c->engine_cpu, c->engine_cpu / c->checks,
               100 * c->on_cpu, c->engine_best / 1e3, c->floor_best / 1e3,
               c->engine_best / c->floor_best);
    }
    printf("\nResult serialisation alone (us per result)\n");
    printf("%-22s %18s %18s %6s\n", "case", "assay_result_dumps", "json_dumpb (floor)",
           "ratio");
    for (size_t i = 0; i < ncases; i++) {
        const bcase *c = cases[i];
        printf("%-22s %18.2f %18.2f %6.2f\n", c->name, c->dumps / 1e3, c->dump / 1e3,
               c->dumps_ratio);
    }
    bool any = false;
    for (size_t i = 0; i < ncases; i++) {
        any = any || cases[i]->rateN > 0;
    }
    if (any) {
        printf("\nIn-process threads sharing one catalog (engine, submissions/s)\n");
        printf("%-22s %12s %12s %8s\n", "case", "1 thread", "threads", "scaling");
        for (size_t i = 0; i < ncases; i++) {
            const bcase *c = cases[i];
            if (c->rateN > 0) {
                printf("%-22s %12.0f %9.0f x%-2d %7.2fx\n", c->name, c->rate1, c->rateN,
                       nthreads, c->rateN / c->rate1);
            }
        }
    }
    printf("\nfloor = json_loadb + the same patterns with pcre2_match (JIT) + an equal result "
           "built with jansson + json_dumpb;\nratio = engine / floor. Times in us per "
           "submission unless noted.\n");
}

static json_t *case_json(const bcase *c)
{
    json_t *o = json_pack(
        "{s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
        "case", c->name, "submissions", (int)c->n, "checks_per_submission", c->checks,
        "submission_bytes", c->sub_bytes, "result_bytes", c->result_bytes, "engine_ns",
        c->engine, "submissions_per_s", 1e9 / c->engine, "ns_per_check", c->engine / c->checks,
        "floor_ns", c->floor, "floor_parse_ns", c->parse, "floor_regex_ns", c->regex,
        "floor_build_ns", c->build, "floor_dump_ns", c->dump, "ratio", c->ratio,
        "result_dumps_ns", c->dumps, "result_dumps_ratio", c->dumps_ratio, "floor_ns_per_check",
        c->floor / c->checks);
    json_object_set_new(o, "engine_cpu_ns", json_real(c->engine_cpu));
    json_object_set_new(o, "on_cpu_share", json_real(c->on_cpu));
    json_object_set_new(o, "engine_best_ns", json_real(c->engine_best));
    json_object_set_new(o, "floor_best_ns", json_real(c->floor_best));
    if (c->rateN > 0) {
        json_object_set_new(o, "threads_1_per_s", json_real(c->rate1));
        json_object_set_new(o, "threads_n_per_s", json_real(c->rateN));
        json_object_set_new(o, "thread_scaling", json_real(c->rateN / c->rate1));
    }
    return o;
}

/* ---------------------------------------------------------------------------------------
 * Main.
 */

static const char usage[] =
    "Usage: bench-engine [--rubrics DIR] [--submissions DIR] [--seconds S] [--rounds N]\n"
    "                    [--subs N] [--answer-bytes N] [--threads N] [--seed N]\n"
    "                    [--only SUBSTRING] [--calls N]\n"
    "       bench-engine [--rubrics DIR] [--submissions DIR] [--seed N] --gen-jsonl N OUT\n"
    "\n"
    "  --rubrics DIR       example rubrics (default: rubrics)\n"
    "  --submissions DIR   sample submissions (default: DIR/submissions)\n"
    "  --seconds S         time per measurement of each case (default: 1)\n"
    "  --rounds N          rounds per measurement; the median round counts (default: 20)\n"
    "  --subs N            submissions generated per rubric (default: 64)\n"
    "  --answer-bytes N    length of the 10-check rubric's essays (default: 2000)\n"
    "  --threads N         also run the engine on 1 and N threads; 1 skips it (default: 2)\n"
    "  --seed N            generator seed (default: 1)\n"
    "  --only SUBSTRING    only the cases whose name contains SUBSTRING\n"
    "  --calls N           N calls per round instead of a time budget (for valgrind)\n"
    "  --gen-jsonl N OUT   write N submissions for the example rubrics to OUT and exit\n";

static double num_arg(const char *flag, const char *v, double lo, double hi)
{
    char *end;
    double d = strtod(v, &end);
    if (*end != '\0' || end == v || d < lo || d > hi) {
        die("%s needs a number from %g to %g, not \"%s\"", flag, lo, hi, v);
    }
    return d;
}

static int gen_jsonl(const examples *ex, size_t n, const char *out, uint64_t seed)
{
    if (ex->n == 0) {
        die("no example rubric loaded");
    }
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
    if (f == NULL) {
        die("cannot write %s", out);
    }
    rng g = {seed};
    for (size_t i = 0; i < n; i++) {
        json_t *sub = example_submission(&ex->v[i % ex->n], &g, i);
        if (json_dumpf(sub, f, JSON_COMPACT) != 0 || fputc('\n', f) == EOF) {
            die("cannot write %s", out);
        }
        json_decref(sub);
    }
    if (fflush(f) != 0 || (f != stdout && fclose(f) != 0)) {
        die("cannot write %s", out);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *rubrics = "rubrics", *samples = NULL, *only = NULL, *gen_out = NULL;
    double seconds = 1;
    int rounds = 20, nthreads = 2;
    size_t nsubs = 64, answer_bytes = 2000, gen_n = 0;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--rubrics") == 0 && has) {
            rubrics = argv[++i];
        } else if (strcmp(a, "--submissions") == 0 && has) {
            samples = argv[++i];
        } else if (strcmp(a, "--seconds") == 0 && has) {
            seconds = num_arg(a, argv[++i], 0.01, 3600);
        } else if (strcmp(a, "--rounds") == 0 && has) {
            rounds = (int)num_arg(a, argv[++i], 1, 1000);
        } else if (strcmp(a, "--subs") == 0 && has) {
            nsubs = (size_t)num_arg(a, argv[++i], 1, 1e6);
        } else if (strcmp(a, "--answer-bytes") == 0 && has) {
            answer_bytes = (size_t)num_arg(a, argv[++i], 1, 60000);
        } else if (strcmp(a, "--threads") == 0 && has) {
            nthreads = (int)num_arg(a, argv[++i], 1, 256);
        } else if (strcmp(a, "--seed") == 0 && has) {
            seed = (uint64_t)num_arg(a, argv[++i], 0, 9e15);
        } else if (strcmp(a, "--calls") == 0 && has) {
            fixed_calls = (uint64_t)num_arg(a, argv[++i], 1, 1e12);
        } else if (strcmp(a, "--only") == 0 && has) {
            only = argv[++i];
        } else if (strcmp(a, "--gen-jsonl") == 0 && i + 2 < argc) {
            gen_n = (size_t)num_arg(a, argv[++i], 1, 1e9);
            gen_out = argv[++i];
        } else {
            fprintf(stderr, "bench-engine: unknown option or missing value: %s\n%s", a, usage);
            return 2;
        }
    }
    char samples_buf[4096];
    if (samples == NULL) {
        snprintf(samples_buf, sizeof(samples_buf), "%s/submissions", rubrics);
        samples = samples_buf;
    }

    examples *ex = examples_load(rubrics, samples);
    if (gen_out) {
        int rc = gen_jsonl(ex, gen_n, gen_out, seed);
        examples_destroy(ex);
        return rc;
    }

    /* The cases: each example rubric, all of them mixed, and the 10-check rubric. */
    bcase cases[MAX_CASES];
    size_t ncases = 0;
    memset(cases, 0, sizeof(cases));
    rng g = {seed};
    for (size_t i = 0; i < ex->n && ncases < MAX_CASES - 2; i++) {
        bcase *c = &cases[ncases++];
        snprintf(c->name, sizeof(c->name), "%s", ex->v[i].fl->id);
        c->cat = ex->cat;
        for (size_t k = 0; k < nsubs; k++) {
            json_t *sub = example_submission(&ex->v[i], &g, k);
            case_add(c, sub, ex->v[i].fl, assay_rubric_check_count(ex->v[i].r));
            json_decref(sub);
        }
    }
    if (ex->n > 1) {
        bcase *c = &cases[ncases++];
        snprintf(c->name, sizeof(c->name), "examples (mixed)");
        c->cat = ex->cat;
        for (size_t k = 0; k < nsubs * ex->n; k++) {
            const example *e = &ex->v[k % ex->n];
            json_t *sub = example_submission(e, &g, k);
            case_add(c, sub, e->fl, assay_rubric_check_count(e->r));
            json_decref(sub);
        }
    }

    json_t *sr = synth_rubric();
    char *srtext = json_dumps(sr, JSON_INDENT(2));
    assay_rubric *srub = NULL;
    assay_diags *d = assay_diags_create();
    if (srtext == NULL || assay_rubric_load_buffer(srtext, strlen(srtext), "<10-check rubric>",
                                                   NULL, &srub, d) != 0) {
        for (size_t i = 0; i < assay_diags_count(d); i++) {
            char msg[1200];
            assay_diag_format(assay_diags_get(d, i), msg, sizeof(msg));
            fprintf(stderr, "%s\n", msg);
        }
        die("the generated 10-check rubric does not load");
    }
    assay_diags_destroy(d);
    free(srtext);
    floor_rubric *sfl = floor_create(sr);
    assay_catalog *scat = assay_catalog_create();
    size_t schecks = assay_rubric_check_count(srub);
    if (scat == NULL || assay_catalog_add(scat, srub) != 0) {
        die("cannot make a catalog");
    }
    {
        bcase *c = &cases[ncases++];
        snprintf(c->name, sizeof(c->name), "10-check essays");
        c->cat = scat;
        for (size_t k = 0; k < nsubs; k++) {
            json_t *sub = synth_submission(&g, k, answer_bytes);
            case_add(c, sub, sfl, schecks);
            json_decref(sub);
        }
    }

    json_t *machine = machine_json();
    printf("Assay engine benchmark: %s, %s, kernel %s, %s\n",
           json_string_value(json_object_get(machine, "cpu")),
           json_string_value(json_object_get(machine, "arch")),
           json_string_value(json_object_get(machine, "kernel")),
           json_string_value(json_object_get(machine, "compiler")));
    printf("assay %s, jansson %s, PCRE2 %s (JIT %s); %.2f s per measurement in %d rounds\n",
           assay_version(), jansson_version_str(),
           json_string_value(json_object_get(machine, "pcre2")),
           json_is_true(json_object_get(machine, "pcre2_jit")) ? "yes" : "no", seconds, rounds);
    for (size_t i = 0; i < ex->n; i++) {
        printf("  %-22s %zu patterns for the floor (%zu JIT), %zu sample submissions\n",
               ex->v[i].fl->id, ex->v[i].fl->n, ex->v[i].fl->jitted, ex->v[i].samples);
    }
    printf("  %-22s %zu patterns for the floor (%zu JIT), generated essays\n", SYNTH_RUBRIC,
           sfl->n, sfl->jitted);

    assay_scratch *scratch = assay_scratch_create();
    json_t *jcases = json_array();
    bcase *run[MAX_CASES];
    size_t nrun = 0;
    for (size_t i = 0; i < ncases; i++) {
        bcase *c = &cases[i];
        if (only && strstr(c->name, only) == NULL) {
            continue;
        }
        case_prepare(c, scratch);
        fprintf(stderr, "measuring %s ...\n", c->name);
        measure(c, seconds, rounds);
        bool headline = strncmp(c->name, "examples", 8) == 0 || c->cat == scat;
        if (nthreads > 1 && (headline || ex->n < 2)) {
            measure_threads(c, nthreads, seconds, rounds);
        }
        run[nrun++] = c;
    }
    assay_scratch_destroy(scratch);

    for (size_t i = 0; i < nrun; i++) {
        json_array_append_new(jcases, case_json(run[i]));
    }
    print_tables(run, nrun, nthreads);

    json_t *line = json_pack("{s:s, s:o, s:f, s:i, s:i, s:I, s:o}", "bench", "assay-engine",
                             "machine", machine, "seconds", seconds, "rounds", rounds,
                             "threads", nthreads, "seed", (json_int_t)seed, "cases", jcases);
    char *text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6));
    printf("%s\n", text ? text : "{}");
    free(text);
    json_decref(line);

    for (size_t i = 0; i < ncases; i++) {
        case_free(&cases[i]);
    }
    floor_destroy(sfl);
    json_decref(sr);
    assay_catalog_destroy(scat);
    examples_destroy(ex);
    return 0;
}
