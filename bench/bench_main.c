/*
 * bench_main.c - bench-engine: measures the Assay engine against the floor that jansson and
 * PCRE2 set. This file reads the options and runs the cases; the work is in floor.c (the
 * floor), examples.c and synth.c (the workloads), measure.c (timing) and report.c (output).
 *
 * For each case (every example rubric on its own, all example rubrics mixed, and a
 * generated 10-check rubric on ~2 KB answers) the program times, on one thread:
 *
 *   engine  assay_grade_text: the result written into the scratch (what batch mode does per
 *           line)
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
 * `--gen-jsonl N OUT` instead writes N such submissions as JSON Lines and exits: for the
 * example rubrics mixed (for bench/batch.sh), or with --only for one case (an example
 * rubric, or the 10-check essays). `--write-rubric OUT` writes the 10-check rubric as a
 * file, so that other graders (bench/pyref, bench/side_by_side.sh) can load it.
 */

#include <assay/assay.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"
#include "floor.h"
#include "measure.h"
#include "report.h"
#include "synth.h"
#include "util.h"

#define MAX_CASES 16

static const char usage[] =
    "Usage: bench-engine [--rubrics DIR] [--submissions DIR] [--seconds S] [--rounds N]\n"
    "                    [--subs N] [--answer-bytes N] [--threads N] [--seed N]\n"
    "                    [--only SUBSTRING] [--calls N]\n"
    "       bench-engine [--rubrics DIR] [--submissions DIR] [--seed N] [--only SUBSTRING]\n"
    "                    [--answer-bytes N] --gen-jsonl N OUT\n"
    "       bench-engine --write-rubric OUT\n"
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
    "  --gen-jsonl N OUT   write N submissions to OUT (- for stdout) and exit: the example\n"
    "                      rubrics mixed, or with --only the case whose name contains\n"
    "                      SUBSTRING (an example rubric's id, \"mixed\" or \"10-check\")\n"
    "  --write-rubric OUT  write the generated 10-check rubric to OUT and exit\n";

static double num_arg(const char *flag, const char *v, double lo, double hi)
{
    char *end;
    double d = strtod(v, &end);
    if (*end != '\0' || end == v || d < lo || d > hi) {
        die("%s needs a number from %g to %g, not \"%s\"", flag, lo, hi, v);
    }
    return d;
}

static FILE *open_out(const char *out)
{
    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
    if (f == NULL) {
        die("cannot write %s", out);
    }
    return f;
}

static void close_out(FILE *f, const char *out)
{
    if (fflush(f) != 0 || (f != stdout && fclose(f) != 0)) {
        die("cannot write %s", out);
    }
}

/*
 * Writes n submissions as JSON Lines: without `only`, for every example rubric in turn;
 * with it, for the one case whose name contains it (the example rubrics mixed, the 10-check
 * essays), or for the example rubrics whose id contains it.
 */
static int gen_jsonl(const examples *ex, size_t n, const char *out, uint64_t seed,
                     const char *only, size_t answer_bytes)
{
    const example **pick = xcalloc(ex->n, sizeof(*pick));
    size_t npick = 0;
    bool essays = only && strstr("10-check essays", only) != NULL;
    for (size_t i = 0; i < ex->n && !essays; i++) {
        if (!only || strstr("examples (mixed)", only) || strstr(ex->v[i].fl->id, only)) {
            pick[npick++] = &ex->v[i];
        }
    }
    if (!essays && npick == 0) {
        die(only ? "no case matches --only %s" : "no example rubric loaded%s",
            only ? only : "");
    }
    FILE *f = open_out(out);
    rng g = {seed};
    for (size_t i = 0; i < n; i++) {
        json_t *sub = essays ? synth_submission(&g, i, answer_bytes)
                             : example_submission(pick[i % npick], &g, i);
        if (json_dumpf(sub, f, JSON_COMPACT) != 0 || fputc('\n', f) == EOF) {
            die("cannot write %s", out);
        }
        json_decref(sub);
    }
    close_out(f, out);
    free(pick);
    return 0;
}

/* Writes the 10-check rubric, indented as the benchmark hands it to the engine. */
static int write_rubric(const char *out)
{
    json_t *r = synth_rubric();
    FILE *f = open_out(out);
    if (json_dumpf(r, f, JSON_INDENT(2)) != 0 || fputc('\n', f) == EOF) {
        die("cannot write %s", out);
    }
    close_out(f, out);
    json_decref(r);
    return 0;
}

int main(int argc, char **argv)
{
    const char *rubrics = "rubrics", *samples = NULL, *only = NULL, *gen_out = NULL;
    const char *rubric_out = NULL;
    uint64_t fixed_calls = 0;
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
        } else if (strcmp(a, "--write-rubric") == 0 && has) {
            rubric_out = argv[++i];
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

    if (rubric_out) {
        return write_rubric(rubric_out);
    }
    examples *ex = examples_load(rubrics, samples);
    if (gen_out) {
        int rc = gen_jsonl(ex, gen_n, gen_out, seed, only, answer_bytes);
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
        measure(c, seconds, rounds, fixed_calls);
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
