/*
 * report.c - `assay report RESULTS.jsonl [--rubrics DIR] [-o FILE | --json]`: reads a results
 * file line by line into the accumulators of report.h and writes the page (or the JSON).
 *
 * Lines that are not results are named on stderr (the first REPORT_NAMED of them) and
 * counted on the page; they make the exit status 1, as an ungraded submission does for
 * `assay grade`.
 */
#include "cli.h"
#include "report.h"
#include "report_lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Skipped lines named on stderr; the rest are counted. */
#define REPORT_NAMED 100

static const char report_usage[] =
    "Usage: assay report RESULTS.jsonl [--rubrics DIR] [-o FILE | --json]\n"
    "\n"
    "Writes one self-contained HTML page (inline SVG and CSS, no script, nothing fetched,\n"
    "printable) about a results file (JSON Lines from assay grade or assay-worker; - reads\n"
    "standard input), per rubric: the score distribution, each competency's levels and\n"
    "mastery rate, each check's status split, difficulty, discrimination and flags, and its\n"
    "most frequent wrong answers (bounded memory: a Space-Saving sketch per check). The\n"
    "figures are defined in docs/reports.md.\n"
    "\n"
    "Options:\n"
    "  --rubrics DIR   load the rubrics of DIR: a results' rubric found there with the same\n"
    "                  SHA-256 gives the level order of its scales and each check's answer\n"
    "                  normalisation (without it: levels ordered by score, answers as sent)\n"
    "  -o, --output FILE  write the page (or JSON) to FILE instead of standard output\n"
    "  --json          the same figures as one JSON document\n"
    "  -h, --help      this help\n"
    "  --version       the version\n"
    "\n"
    "Exit status: 0 written; 1 a line that is not a result (named on stderr, counted on the\n"
    "page) or an invalid rubric in DIR; 2 bad command line; 3 RESULTS or DIR could not be\n"
    "read, or FILE written.\n";

enum { OPT_RUBRICS = CLI_OPT_OWN, OPT_JSON };

static const struct option long_options[] = {
    {"rubrics", required_argument, NULL, OPT_RUBRICS},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    CLI_OPTIONS_COMMON,
    {NULL, 0, NULL, 0},
};

typedef struct report_args {
    const char *in, *out, *rubrics;
    bool json;
} report_args;

static int parse_args(int argc, char **argv, report_args *a)
{
    int rc = CLI_RUN, c;
    cli_getopt_begin();
    while ((c = cli_next_option("assay report", report_usage, argc, argv, ":ho:", long_options,
                                &rc)) != -1) {
        switch (c) {
        case 0:
            return rc;
        case OPT_RUBRICS:
            a->rubrics = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case OPT_JSON:
            a->json = true;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        return cli_usage_error("assay report", report_usage,
                               argc - optind == 0 ? "RESULTS.jsonl is missing"
                                                  : "one RESULTS.jsonl only");
    }
    a->in = argv[optind];
    return CLI_RUN;
}

/* Reads every line into r. EXIT_OK, EXIT_FAILED when a line was skipped, EXIT_UNUSABLE when
 * the input could not be read (or memory ran out). */
static int read_results(rp_report *r, const char *path)
{
    lines_in in;
    if (lines_open(&in, path, "assay report", "reading") != 0) {
        return EXIT_UNUSABLE;
    }
    const char *line;
    ssize_t len;
    int rc = EXIT_OK;
    char why[300];
    while ((len = lines_next(&in, &line)) >= 0) {
        int got = rp_add_line(r, line, (size_t)len, in.lineno, why, sizeof why);
        if (got < 0) {
            fprintf(stderr, "assay report: out of memory\n");
            rc = EXIT_UNUSABLE;
            break;
        }
        if (got == 1 && r->skipped <= REPORT_NAMED) {
            if (in.show) {
                fputc('\n', stderr);
            }
            fprintf(stderr, "assay report: %s:%llu: not a result: ",
                    strcmp(path, "-") == 0 ? "<stdin>" : path, (unsigned long long)in.lineno);
            cli_put_clean(stderr, why, strlen(why));
            fputc('\n', stderr);
        }
    }
    if (rc == EXIT_OK && lines_failed(&in)) {
        fprintf(stderr, "assay report: %s: %s\n", path, strerror(errno));
        rc = EXIT_UNUSABLE;
    }
    lines_close(&in);
    if (r->skipped > REPORT_NAMED) {
        fprintf(stderr, "assay report: %llu more lines that are not results (not named)\n",
                (unsigned long long)(r->skipped - REPORT_NAMED));
    }
    if (rc == EXIT_OK && r->skipped > 0) {
        rc = EXIT_FAILED;
    }
    return rc;
}

typedef struct output {
    const rp_report *r;
    bool json;
} output;

static int write_cb(void *ctx, FILE *f)
{
    const output *o = ctx;
    return o->json ? rp_write_json(o->r, f) : rp_write_html(o->r, f);
}

int cmd_report(int argc, char **argv)
{
    report_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_RUN) {
        return rc;
    }
    assay_catalog *cat = NULL;
    int rubrics_rc = EXIT_OK;
    if (a.rubrics) {
        bool usable;
        cat = assay_catalog_create();
        rubrics_rc =
            cat ? cli_load_rubric_dir(cat, a.rubrics, "assay report", &usable) : EXIT_UNUSABLE;
        if (rubrics_rc == EXIT_UNUSABLE && (cat == NULL || !usable)) {
            assay_catalog_destroy(cat);
            return EXIT_UNUSABLE;
        }
    }
    rp_report r;
    if (rp_init(&r, cat, strcmp(a.in, "-") == 0 ? "standard input" : a.in) != 0) {
        fprintf(stderr, "assay report: out of memory\n");
        rp_finish(&r);
        assay_catalog_destroy(cat);
        return EXIT_UNUSABLE;
    }
    rc = read_results(&r, a.in);
    if (rc != EXIT_UNUSABLE) {
        rp_settle(&r);
        output o = {.r = &r, .json = a.json};
        int w = lines_write_output("assay report", a.out, write_cb, &o);
        rc = w != EXIT_OK ? w : rc;
    }
    rp_finish(&r);
    assay_catalog_destroy(cat);
    /* The worse of the two: 3 (could not read or write) over 1 (a bad line or rubric). */
    return rubrics_rc > rc ? rubrics_rc : rc;
}
