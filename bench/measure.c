/*
 * measure.c - timing the engine against the floor (see measure.h).
 *
 * The measured operations are the op_* functions below; bench/callgrind.sh finds them by
 * name in callgrind's output, so keep their names.
 */
#include "measure.h"

#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DUMP_BUF_BYTES (1u << 20)

/* Defeats dead-code elimination of measured work. */
static volatile uint64_t sink;

void case_add(bcase *c, json_t *sub, const floor_rubric *fl, size_t checks)
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
void case_prepare(bcase *c, assay_scratch *scratch)
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

void case_free(bcase *c)
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
    uint64_t fixed; /* calls per round instead of a time budget (0: use the time) */
} opctx;

typedef uint64_t (*op_fn)(opctx *x, const bsub *s);

static uint64_t op_engine(opctx *x, const bsub *s)
{
    const char *text;
    size_t len;
    if (assay_grade_text(x->c->cat, s->text, s->len, x->scratch, NULL, &text, &len, NULL) !=
        0) {
        return 0;
    }
    return (unsigned char)text[1] + len;
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
    } while (x->fixed ? calls < x->fixed : t - t0 < budget);
    *cpu = (double)(cpu_ns() - c0) / (double)calls;
    sink += acc;
    return (double)(t - t0) / (double)calls;
}

#define NOPS 7

void measure(bcase *c, double seconds, int rounds, uint64_t fixed_calls)
{
    static const op_fn ops[NOPS] = {op_engine, op_floor, op_parse, op_regex,
                                    op_build,  op_dump,  op_dumps};
    opctx x = {.c = c,
               .scratch = assay_scratch_create(),
               .md = pcre2_match_data_create(64, NULL),
               .buf = xmalloc(DUMP_BUF_BYTES),
               .fixed = fixed_calls};
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

void measure_threads(bcase *c, int nthreads, double seconds, int rounds)
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
