/*
 * diff.c - `assay diff OLD.jsonl NEW.jsonl [-o FILE | --json]`: reads OLD into a compact
 * index (diff.h says what it holds per id), streams NEW against it and counts what changed:
 * scores, levels and mastery, check status transitions, results on one side only.
 *
 * Matching is by result id (the submission id). An id repeated within OLD keeps its last
 * result; one repeated within NEW is compared once, its later copies counted as duplicates.
 * Lines that are not results are named on stderr and make the exit status 1.
 */
#include "cli.h"
#include "diff.h"
#include "report_lines.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char diff_usage[] =
    "Usage: assay diff OLD.jsonl NEW.jsonl [-o FILE | --json]\n"
    "\n"
    "Compares two results files of the same submissions (a regrade: NEW graded again,\n"
    "with a new rubric version, say), matched by submission id, and writes one\n"
    "self-contained HTML page (or JSON): scores, levels and mastery that changed (raised,\n"
    "lowered, gained, lost), the transition matrix of check statuses (old x new), the\n"
    "learners whose level or mastery changed, and the ids found on one side only.\n"
    "Memory holds a small record per OLD result (docs/reports.md); NEW is streamed.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE  write the page (or JSON) to FILE instead of standard output\n"
    "  --json          the same figures as one JSON document\n"
    "  -h, --help      this help\n"
    "  --version       the version\n"
    "\n"
    "Exit status: 0 written; 1 a line that is not a result (named on stderr, counted on the\n"
    "page); 2 bad command line; 3 OLD or NEW could not be read, or FILE written.\n";

enum { OPT_JSON = CLI_OPT_OWN };

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    CLI_OPTIONS_COMMON,
    {NULL, 0, NULL, 0},
};

/* Skipped lines named on stderr per file. */
#define DIFF_NAMED 100
#define NO_RUBRIC  UINT16_MAX
#define NO_LEARNER UINT32_MAX

/* ---------------------------------------------------------------------------------------
 * Records of the OLD index: a head, the id and learner bytes, then the competencies and
 * the checks; read and written with memcpy (no alignment in the arena).
 */
typedef struct rec_head {
    uint32_t id_len, learner_len; /* learner_len NO_LEARNER: no learner */
    uint16_t rubric;              /* NO_RUBRIC: the result names none */
    uint16_t ncomps, nchecks;
    uint8_t graded, matched;
    double score, max;
} rec_head;

typedef struct rec_comp {
    uint16_t comp, level;
    uint8_t mastered;
    double score;
} rec_comp;

typedef struct rec_check {
    uint16_t check;
    uint8_t status;
} rec_check;

static rec_head head_at(const df_diff *d, uint64_t off)
{
    rec_head h;
    memcpy(&h, d->arena + off, sizeof h);
    return h;
}

static const char *id_at(const df_diff *d, uint64_t off)
{
    return d->arena + off + sizeof(rec_head);
}

static uint64_t comps_at(const rec_head *h, uint64_t off)
{
    return off + sizeof(rec_head) + h->id_len +
           (h->learner_len == NO_LEARNER ? 0 : h->learner_len);
}

static rec_comp comp_at(const df_diff *d, const rec_head *h, uint64_t off, size_t i)
{
    rec_comp c;
    memcpy(&c, d->arena + comps_at(h, off) + i * sizeof c, sizeof c);
    return c;
}

static rec_check check_at(const df_diff *d, const rec_head *h, uint64_t off, size_t i)
{
    rec_check c;
    memcpy(&c, d->arena + comps_at(h, off) + h->ncomps * sizeof(rec_comp) + i * sizeof c,
           sizeof c);
    return c;
}

/* Appends bytes to the arena. -1 when out of memory. */
static int arena_put(df_diff *d, const void *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    if (d->arena_len + n > d->arena_cap) {
        size_t cap = d->arena_cap ? d->arena_cap : 1 << 16;
        while (cap < d->arena_len + n) {
            cap *= 2;
        }
        char *na = realloc(d->arena, cap);
        if (na == NULL) {
            return -1;
        }
        d->arena = na;
        d->arena_cap = cap;
    }
    memcpy(d->arena + d->arena_len, p, n);
    d->arena_len += n;
    return 0;
}

/* The number of s in names, added when new; -1 past DF_MAX_NAMES or out of memory. */
static int intern(df_names *nm, const char *s)
{
    json_t *at = json_object_get(nm->index, s);
    if (at) {
        return (int)json_integer_value(at);
    }
    if (nm->n >= DF_MAX_NAMES) {
        return -1;
    }
    char **nn = realloc(nm->names, (nm->n + 1) * sizeof(*nn));
    if (nn == NULL) {
        return -1;
    }
    nm->names = nn;
    nm->names[nm->n] = strdup(s);
    json_object_set_new(nm->index, s, json_integer((json_int_t)nm->n));
    return (int)nm->n++;
}

/* The number of s in names, or -1 when it is not there. */
static int lookup(const df_names *nm, const char *s)
{
    json_t *at = json_object_get(nm->index, s);
    return at ? (int)json_integer_value(at) : -1;
}

static void names_free(df_names *nm)
{
    for (size_t i = 0; i < nm->n; i++) {
        free(nm->names[i]);
    }
    free(nm->names);
    json_decref(nm->index);
}

/* The rubric of a result (by SHA-256), interned; NO_RUBRIC for none or past the cap. */
static uint16_t rubric_of(df_diff *d, const json_t *res)
{
    const char *sha =
        json_string_value(json_object_get(json_object_get(res, "rubric"), "sha256"));
    if (sha == NULL) {
        return NO_RUBRIC;
    }
    json_t *at = json_object_get(d->rubric_index, sha);
    if (at) {
        return (uint16_t)json_integer_value(at);
    }
    if (d->nrubrics >= DF_MAX_RUBRICS) {
        return NO_RUBRIC;
    }
    df_rubric *nr = realloc(d->rubrics, (d->nrubrics + 1) * sizeof(*nr));
    if (nr == NULL) {
        return NO_RUBRIC;
    }
    d->rubrics = nr;
    df_rubric *r = &d->rubrics[d->nrubrics];
    r->sha = strdup(sha);
    r->comps.index = json_object();
    r->checks.index = json_object();
    r->levels.index = json_object();
    r->comps.names = r->checks.names = r->levels.names = NULL;
    r->comps.n = r->checks.n = r->levels.n = 0;
    json_object_set_new(d->rubric_index, sha, json_integer((json_int_t)d->nrubrics));
    return (uint16_t)d->nrubrics++;
}

/* Calls fn for every check of a graded result, members included. */
static void each_check(const json_t *res, void (*fn)(void *ctx, const json_t *c), void *ctx)
{
    size_t i, k, m;
    const json_t *item, *c, *mem;
    json_array_foreach(json_object_get(res, "items"), i, item)
    {
        json_array_foreach(json_object_get(item, "checks"), k, c)
        {
            fn(ctx, c);
            json_array_foreach(json_object_get(c, "checks"), m, mem)
            {
                fn(ctx, mem);
            }
        }
    }
}

typedef struct collect {
    df_rubric *rub;
    rec_check *checks;
    size_t n, cap;
    bool failed;
} collect;

static void collect_check(void *ctx, const json_t *c)
{
    collect *col = ctx;
    int id = intern(&col->rub->checks, json_string_value(json_object_get(c, "id")));
    if (id < 0 || col->n >= UINT16_MAX) {
        return;
    }
    if (col->n == col->cap) {
        size_t cap = col->cap ? col->cap * 2 : 32;
        rec_check *nc = realloc(col->checks, cap * sizeof(*nc));
        if (nc == NULL) {
            col->failed = true;
            return;
        }
        col->checks = nc;
        col->cap = cap;
    }
    col->checks[col->n++] = (rec_check){
        .check = (uint16_t)id,
        .status = (uint8_t)rp_status_index(json_string_value(json_object_get(c, "status")))};
}

/* Adds one OLD result to the arena. -1 when out of memory. */
static int index_result(df_diff *d, const json_t *res, const json_t *id)
{
    const json_t *learner = json_object_get(res, "learner");
    rec_head h = {
        .id_len = (uint32_t)json_string_length(id),
        .learner_len =
            json_is_string(learner) ? (uint32_t)json_string_length(learner) : NO_LEARNER,
        .rubric = rubric_of(d, res),
        .graded = strcmp(json_string_value(json_object_get(res, "status")), "graded") == 0,
    };
    uint64_t off = d->arena_len;
    rec_comp comps[256];
    size_t nc = 0;
    collect col = {0};
    if (h.graded && h.rubric != NO_RUBRIC) {
        df_rubric *rub = &d->rubrics[h.rubric];
        h.score = json_number_value(json_object_get(res, "score"));
        h.max = json_number_value(json_object_get(res, "max_score"));
        size_t i;
        const json_t *k;
        json_array_foreach(json_object_get(res, "competencies"), i, k)
        {
            int ci = intern(&rub->comps, json_string_value(json_object_get(k, "id")));
            int li = intern(&rub->levels, json_string_value(json_object_get(k, "level")));
            if (ci < 0 || li < 0 || nc == sizeof(comps) / sizeof(*comps)) {
                continue;
            }
            comps[nc++] = (rec_comp){
                .comp = (uint16_t)ci,
                .level = (uint16_t)li,
                .mastered = json_is_true(json_object_get(k, "mastered")),
                .score = json_number_value(json_object_get(k, "score")),
            };
        }
        col.rub = rub;
        each_check(res, collect_check, &col);
    }
    h.ncomps = (uint16_t)nc;
    h.nchecks = (uint16_t)col.n;
    int rc = col.failed ? -1 : 0;
    rc = rc ? rc : arena_put(d, &h, sizeof h);
    rc = rc ? rc : arena_put(d, json_string_value(id), h.id_len);
    if (rc == 0 && h.learner_len != NO_LEARNER) {
        rc = arena_put(d, json_string_value(learner), h.learner_len);
    }
    rc = rc ? rc : arena_put(d, comps, nc * sizeof(*comps));
    rc = rc ? rc : arena_put(d, col.checks, col.n * sizeof(*col.checks));
    free(col.checks);
    if (rc == 0) {
        uint64_t *no = realloc(d->order, (d->nrec + 1) * sizeof(*no));
        if (no == NULL) {
            return -1;
        }
        d->order = no;
        d->order[d->nrec++] = off;
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Finding an id: the offsets sorted by id (then by arrival, so the last of equal ids wins).
 */
static const df_diff *sorting;

static int cmp_ids(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : alen < blen ? -1 : alen > blen;
}

static int by_id(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    rec_head ha = head_at(sorting, a), hb = head_at(sorting, b);
    int c = cmp_ids(id_at(sorting, a), ha.id_len, id_at(sorting, b), hb.id_len);
    return c ? c : a < b ? -1 : a > b;
}

/* Sorts the index and drops all but the last record of each id. */
static void sort_index(df_diff *d)
{
    sorting = d;
    qsort(d->order, d->nrec, sizeof(*d->order), by_id);
    size_t w = 0;
    for (size_t i = 0; i < d->nrec; i++) {
        if (i + 1 < d->nrec) {
            rec_head a = head_at(d, d->order[i]), b = head_at(d, d->order[i + 1]);
            if (cmp_ids(id_at(d, d->order[i]), a.id_len, id_at(d, d->order[i + 1]), b.id_len) ==
                0) {
                d->old.duplicates++;
                continue;
            }
        }
        d->order[w++] = d->order[i];
    }
    d->nrec = w;
}

/* The offset of id's record, or UINT64_MAX. */
static uint64_t find(const df_diff *d, const char *id, size_t len)
{
    size_t lo = 0, hi = d->nrec;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        rec_head h = head_at(d, d->order[mid]);
        int c = cmp_ids(id_at(d, d->order[mid]), h.id_len, id, len);
        if (c == 0) {
            return d->order[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return UINT64_MAX;
}

void df_each_only_old(const df_diff *d,
                      void (*fn)(void *ctx, const char *id, size_t id_len, const char *learner,
                                 size_t learner_len),
                      void *ctx)
{
    for (size_t i = 0; i < d->nrec; i++) {
        uint64_t off = d->order[i];
        rec_head h = head_at(d, off);
        if (!h.matched) {
            const char *id = id_at(d, off);
            fn(ctx, id, h.id_len, h.learner_len == NO_LEARNER ? NULL : id + h.id_len,
               h.learner_len == NO_LEARNER ? 0 : h.learner_len);
        }
    }
}

/* ---------------------------------------------------------------------------------------
 * Comparing a NEW result with its OLD record.
 */

/* Writes one change row to the spool. */
static void spool(FILE *f, json_t *row)
{
    char *text = json_dumps(row, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (text) {
        fprintf(f, "%s\n", text);
        free(text);
    }
    json_decref(row);
}

static json_t *row_base(const json_t *res)
{
    json_t *row = json_object();
    const json_t *learner = json_object_get(res, "learner");
    json_object_set_new(row, "learner",
                        json_is_string(learner) ? json_incref((json_t *)learner) : json_null());
    json_object_set(row, "submission", json_object_get(res, "id"));
    return row;
}

static double frac(double score, double max)
{
    return max > 0 ? score / max : score;
}

/* Counts one check outcome pair; the per-check table is keyed "rubric id<TAB>check id". */
static void count_check(df_diff *d, const char *rubric, const char *id, int old_st, int new_st)
{
    d->trans[old_st][new_st]++;
    char key[600];
    snprintf(key, sizeof key, "%.280s\t%.280s", rubric, id);
    json_t *v = json_object_get(d->check_changes, key);
    if (v == NULL) {
        if (json_object_size(d->check_changes) >= DF_MAX_CHECKS) {
            d->checks_uncounted++;
            return;
        }
        v = json_pack("[ii]", 0, 0);
        if (json_object_set_new(d->check_changes, key, v) != 0) {
            return; /* a key cut inside a character: not counted by id */
        }
    }
    json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1);
    json_integer_set(a, json_integer_value(a) + 1);
    json_integer_set(b, json_integer_value(b) + (old_st != new_st));
}

typedef struct compare_ctx {
    df_diff *d;
    const char *rubric_id; /* NEW's rubric id */
    const df_rubric *rub;  /* OLD's rubric, or NULL */
    const rec_head *h;
    uint64_t off;
    uint8_t *seen; /* per OLD check */
} compare_ctx;

static void compare_check(void *ctx, const json_t *c)
{
    compare_ctx *x = ctx;
    const char *id = json_string_value(json_object_get(c, "id"));
    int st = rp_status_index(json_string_value(json_object_get(c, "status")));
    int ci = x->rub ? lookup(&x->rub->checks, id) : -1;
    int old = DF_ABSENT;
    for (size_t i = 0; ci >= 0 && i < x->h->nchecks; i++) {
        rec_check rc = check_at(x->d, x->h, x->off, i);
        if (rc.check == ci && !x->seen[i]) {
            x->seen[i] = 1;
            old = rc.status;
            break;
        }
    }
    count_check(x->d, x->rubric_id, id, old, st);
}

/* Compares the competencies of two graded results; spools a row per level or mastery
 * change. */
static void compare_comps(df_diff *d, const df_rubric *rub, const rec_head *h, uint64_t off,
                          const json_t *res, uint8_t *seen)
{
    size_t i;
    const json_t *k;
    bool changed = false;
    json_array_foreach(json_object_get(res, "competencies"), i, k)
    {
        const char *cid = json_string_value(json_object_get(k, "id"));
        int ci = rub ? lookup(&rub->comps, cid) : -1;
        size_t j = h->ncomps;
        rec_comp oc = {0};
        for (size_t n = 0; ci >= 0 && n < h->ncomps; n++) {
            oc = comp_at(d, h, off, n);
            if (oc.comp == ci) {
                j = n;
                break;
            }
        }
        if (j == h->ncomps) {
            d->comp_only_new++;
            continue;
        }
        seen[j] = 1;
        const char *old_level = rub->levels.names[oc.level];
        const char *new_level = json_string_value(json_object_get(k, "level"));
        bool new_mastered = json_is_true(json_object_get(k, "mastered"));
        double new_score = json_number_value(json_object_get(k, "score"));
        bool level = strcmp(old_level, new_level) != 0;
        bool mastery = oc.mastered != new_mastered;
        if (!level && !mastery) {
            continue;
        }
        changed = true;
        if (level) {
            d->level_changed++;
            d->level_up += new_score > oc.score;
            d->level_down += new_score < oc.score;
        }
        d->mastery_gained += mastery && new_mastered;
        d->mastery_lost += mastery && !new_mastered;
        json_t *row = row_base(res);
        json_object_set_new(row, "competency", json_string(cid));
        json_object_set_new(row, "old_level", json_string(old_level));
        json_object_set_new(row, "new_level", json_string(new_level));
        json_object_set_new(row, "old_mastered", json_boolean(oc.mastered));
        json_object_set_new(row, "new_mastered", json_boolean(new_mastered));
        json_object_set_new(row, "old_score", json_real(oc.score));
        json_object_set_new(row, "new_score", json_real(new_score));
        spool(d->changes, row);
    }
    for (size_t n = 0; n < h->ncomps; n++) {
        d->comp_only_old += !seen[n];
    }
    d->learners_changed += changed;
}

static int compare(df_diff *d, uint64_t off, const json_t *res)
{
    rec_head h = head_at(d, off);
    h.matched = 1;
    memcpy(d->arena + off, &h, sizeof h);
    d->matched++;
    bool graded = strcmp(json_string_value(json_object_get(res, "status")), "graded") == 0;
    if (h.graded != graded) {
        d->graded_to_error += h.graded;
        d->error_to_graded += graded;
        json_t *row = row_base(res);
        json_object_set_new(row, "competency", json_null());
        json_object_set_new(row, "old_status", json_string(h.graded ? "graded" : "error"));
        json_object_set_new(row, "new_status", json_string(graded ? "graded" : "error"));
        spool(d->changes, row);
        return 0;
    }
    if (!graded) {
        return 0;
    }
    d->graded_both++;
    const df_rubric *rub = h.rubric == NO_RUBRIC ? NULL : &d->rubrics[h.rubric];
    const char *sha =
        json_string_value(json_object_get(json_object_get(res, "rubric"), "sha256"));
    d->rubric_changed += rub == NULL || strcmp(rub->sha, sha) != 0;
    double fo = frac(h.score, h.max);
    double fn = frac(json_number_value(json_object_get(res, "score")),
                     json_number_value(json_object_get(res, "max_score")));
    if (fabs(fo - fn) > 1e-9) {
        d->score_changed++;
        d->score_up += fn > fo;
        d->score_down += fn < fo;
    }
    size_t nseen = (size_t)h.ncomps + h.nchecks;
    uint8_t *seen = calloc(nseen ? nseen : 1, 1);
    if (seen == NULL) {
        return -1;
    }
    compare_comps(d, rub, &h, off, res, seen);
    compare_ctx x = {
        .d = d,
        .rubric_id = json_string_value(json_object_get(json_object_get(res, "rubric"), "id")),
        .rub = rub,
        .h = &h,
        .off = off,
        .seen = seen + h.ncomps};
    each_check(res, compare_check, &x);
    for (size_t i = 0; i < h.nchecks; i++) {
        if (!x.seen[i]) {
            rec_check rc = check_at(d, &h, off, i);
            count_check(d, x.rubric_id, rub->checks.names[rc.check], rc.status, DF_ABSENT);
        }
    }
    free(seen);
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Reading the two files.
 */

/* Parses and checks one line. The result, or NULL: blank (why empty) or not a result. */
static json_t *read_result(const char *line, size_t len, char *why, size_t whysize)
{
    why[0] = '\0';
    if (cli_is_blank(line, len)) {
        return NULL;
    }
    json_error_t jerr;
    json_t *res = json_loadb(line, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    if (res == NULL) {
        snprintf(why, whysize, "not JSON: %s (column %d)", jerr.text, jerr.column);
        return NULL;
    }
    if (!rp_valid_result(res, why, whysize)) {
        json_decref(res);
        return NULL;
    }
    return res;
}

/* Reads one side, calling fn for each result. EXIT_OK, EXIT_FAILED (a line skipped) or
 * EXIT_UNUSABLE. */
static int read_side(df_diff *d, df_side *side, int (*fn)(df_diff *d, const json_t *res))
{
    lines_in in;
    if (lines_open(&in, side->path, "assay diff",
                   side == &d->old ? "reading OLD" : "reading NEW") != 0) {
        return EXIT_UNUSABLE;
    }
    const char *line;
    ssize_t len;
    char why[300];
    int rc = EXIT_OK;
    while ((len = lines_next(&in, &line)) >= 0) {
        json_t *res = read_result(line, (size_t)len, why, sizeof why);
        if (res == NULL) {
            if (why[0] && ++side->skipped <= DIFF_NAMED) {
                fprintf(stderr, "%sassay diff: %s:%llu: not a result: ", in.show ? "\n" : "",
                        side->path, (unsigned long long)in.lineno);
                cli_put_clean(stderr, why, strlen(why));
                fputc('\n', stderr);
            }
            continue;
        }
        side->results++;
        int got = fn(d, res);
        json_decref(res);
        if (got != 0) {
            fprintf(stderr, "assay diff: out of memory\n");
            rc = EXIT_UNUSABLE;
            break;
        }
    }
    side->lines = in.lineno;
    if (rc == EXIT_OK && lines_failed(&in)) {
        fprintf(stderr, "assay diff: %s: %s\n", side->path, strerror(errno));
        rc = EXIT_UNUSABLE;
    }
    lines_close(&in);
    if (side->skipped > DIFF_NAMED) {
        fprintf(stderr, "assay diff: %s: %llu more lines that are not results (not named)\n",
                side->path, (unsigned long long)(side->skipped - DIFF_NAMED));
    }
    return rc == EXIT_OK && side->skipped ? EXIT_FAILED : rc;
}

/* A result's id when it has one (a string); NULL for an error result without one. */
static const json_t *result_id(const json_t *res)
{
    const json_t *id = json_object_get(res, "id");
    return json_is_string(id) ? id : NULL;
}

static int add_old(df_diff *d, const json_t *res)
{
    const json_t *id = result_id(res);
    return id ? index_result(d, res, id) : 0;
}

static int add_new(df_diff *d, const json_t *res)
{
    const json_t *id = result_id(res);
    if (id == NULL) {
        return 0;
    }
    uint64_t off = find(d, json_string_value(id), json_string_length(id));
    if (off == UINT64_MAX) {
        d->only_new++;
        json_t *row = row_base(res);
        spool(d->new_only, row);
        return 0;
    }
    if (head_at(d, off).matched) {
        d->new.duplicates++;
        return 0;
    }
    return compare(d, off, res);
}

static void diff_free(df_diff *d)
{
    free(d->arena);
    free(d->order);
    for (size_t i = 0; i < d->nrubrics; i++) {
        free(d->rubrics[i].sha);
        names_free(&d->rubrics[i].comps);
        names_free(&d->rubrics[i].checks);
        names_free(&d->rubrics[i].levels);
    }
    free(d->rubrics);
    json_decref(d->rubric_index);
    json_decref(d->check_changes);
    if (d->changes) {
        fclose(d->changes);
    }
    if (d->new_only) {
        fclose(d->new_only);
    }
}

static int write_html_cb(void *ctx, FILE *f)
{
    return df_write_html(ctx, f);
}

static int write_json_cb(void *ctx, FILE *f)
{
    return df_write_json(ctx, f);
}

int cmd_diff(int argc, char **argv)
{
    const char *out = NULL;
    bool json = false;
    int rc = CLI_RUN, c;
    cli_getopt_begin();
    while ((c = cli_next_option("assay diff", diff_usage, argc, argv, ":ho:", long_options,
                                &rc)) != -1) {
        switch (c) {
        case 0:
            return rc;
        case 'o':
            out = optarg;
            break;
        case OPT_JSON:
            json = true;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        return cli_usage_error("assay diff", diff_usage, "give OLD.jsonl and NEW.jsonl");
    }
    df_diff d;
    memset(&d, 0, sizeof d);
    d.old.path = argv[optind];
    d.new.path = argv[optind + 1];
    d.rubric_index = json_object();
    d.check_changes = json_object();
    d.changes = tmpfile();
    d.new_only = tmpfile();
    if (d.rubric_index == NULL || d.check_changes == NULL || d.changes == NULL ||
        d.new_only == NULL) {
        fprintf(stderr, "assay diff: cannot make temporary files: %s\n", strerror(errno));
        diff_free(&d);
        return EXIT_UNUSABLE;
    }
    int rc_old = read_side(&d, &d.old, add_old);
    int rc_new = rc_old == EXIT_UNUSABLE ? EXIT_UNUSABLE : EXIT_OK;
    if (rc_old != EXIT_UNUSABLE) {
        sort_index(&d);
        rc_new = read_side(&d, &d.new, add_new);
    }
    rc = rc_old > rc_new ? rc_old : rc_new;
    if (rc != EXIT_UNUSABLE) {
        d.only_old = d.nrec - d.matched;
        int w = lines_write_output("assay diff", out, json ? write_json_cb : write_html_cb, &d);
        rc = w != EXIT_OK ? w : rc;
    }
    diff_free(&d);
    return rc;
}
