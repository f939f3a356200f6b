/*
 * grade.c - `assay grade`: one submission against one rubric file, or (with --rubrics and
 * --jsonl) a batch run handed to batch.c. Also loads the single rubric of `assay explain`.
 */
#include "cli.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char grade_usage[] =
    "Usage: assay grade [--pretty] [--graded-at TIME] RUBRIC [SUBMISSION.json | -]\n"
    "       assay grade --rubrics DIR --jsonl IN [-o OUT] [--jobs N] [--graded-at TIME]\n"
    "\n"
    "Grades one submission (standard input when SUBMISSION is - or not given) against one\n"
    "rubric file and prints the result JSON on one line. With --rubrics and --jsonl, grades\n"
    "every non-blank line of IN (- for standard input) against the rubrics of DIR on every\n"
    "core: one result per line in input order, a progress bar on stderr when it is a\n"
    "terminal, and a summary on stderr at the end.\n"
    "\n"
    "  --pretty            indent the result JSON\n"
    "  --graded-at TIME    the results' \"graded_at\" (RFC 3339) [SOURCE_DATE_EPOCH; now]\n"
    "  --rubrics DIR       every *.json rubric in DIR (schema.json is skipped)\n"
    "  --jsonl IN          the submissions, one JSON object per line\n"
    "  -o, --output OUT    the results to OUT instead of standard output\n"
    "  -j, --jobs N        grading threads, 1 to 256 [the number of CPUs]\n"
    "  -h, --help          this help\n"
    "  --version           the version\n"
    "\n"
    "Exit status: 0 every submission graded; 1 a rubric is invalid (batch mode: reported,\n"
    "and the other rubrics of DIR are used), or a submission could not be graded (its\n"
    "result has \"status\": \"error\"); 2 bad command line; 3 a rubric, DIR, the submission\n"
    "or IN could not be read, or OUT could not be written.\n";

typedef struct grade_args {
    const char *rubrics, *jsonl, *out, *graded_at;
    const char *rubric, *submission;
    int jobs;
    bool pretty;
} grade_args;

/* Reads the command line into a. CLI_RUN, or the exit status. */
static int grade_parse(int argc, char **argv, grade_args *a)
{
    enum { OPT_PRETTY = CLI_OPT_OWN, OPT_RUBRICS, OPT_JSONL, OPT_GRADED_AT };
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {"pretty", no_argument, NULL, OPT_PRETTY},
        {"rubrics", required_argument, NULL, OPT_RUBRICS},
        {"jsonl", required_argument, NULL, OPT_JSONL},
        {"output", required_argument, NULL, 'o'},
        {"graded-at", required_argument, NULL, OPT_GRADED_AT},
        {"jobs", required_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *name = "assay grade";
    cli_getopt_begin();
    int c, rc = CLI_RUN;
    while ((c = cli_next_option(name, grade_usage, argc, argv, ":ho:j:", options, &rc)) > 0) {
        if (c == OPT_PRETTY) {
            a->pretty = true;
        } else if (c == OPT_RUBRICS) {
            a->rubrics = optarg;
        } else if (c == OPT_JSONL) {
            a->jsonl = optarg;
        } else if (c == 'o') {
            a->out = optarg;
        } else if (c == OPT_GRADED_AT) {
            a->graded_at = optarg;
        } else if (c == 'j') {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 256) {
                return cli_usage_error(name, grade_usage,
                                       "--jobs needs a number from 1 to 256");
            }
            a->jobs = (int)v;
        }
    }
    if (c == 0) {
        return rc;
    }
    int npos = argc - optind;
    if (a->rubrics || a->jsonl) {
        if (!a->rubrics || !a->jsonl || npos > 0) {
            return cli_usage_error(name, grade_usage,
                                   "batch mode needs --rubrics DIR and --jsonl IN, and no "
                                   "other arguments");
        }
        return CLI_RUN;
    }
    if (npos < 1 || npos > 2) {
        return cli_usage_error(name, grade_usage, "%s",
                               npos < 1 ? "RUBRIC is missing" : "too many arguments");
    }
    if (a->out) {
        return cli_usage_error(name, grade_usage, "-o is for batch mode (--rubrics, --jsonl)");
    }
    a->rubric = argv[optind];
    a->submission = npos > 1 ? argv[optind + 1] : "-";
    return CLI_RUN;
}

assay_catalog *cli_load_rubric(const char *path, int *rc)
{
    /* A rubric that names a framework finds it in its own directory: the frameworks there
     * are loaded first (their problems printed only when the rubric fails). */
    assay_diags *d = assay_diags_create(), *fd = assay_diags_create();
    assay_rubric *r = NULL;
    assay_catalog *c = assay_catalog_create();
    char dirbuf[PATH_MAX];
    snprintf(dirbuf, sizeof(dirbuf), "%s", path);
    int lrc = ASSAY_E_NOMEM;
    if (c && d && fd) {
        assay_catalog_load_frameworks(c, dirname(dirbuf), NULL, fd);
        lrc = assay_rubric_load_file_in(c, path, NULL, &r, d);
    }
    if (lrc == 0 && (lrc = assay_catalog_add(c, r)) != 0) {
        assay_rubric_destroy(r);
    }
    if (lrc != 0) {
        assay_catalog_destroy(c);
        c = NULL;
        cli_print_diags(stderr, fd);
    }
    cli_print_diags(stderr, d);
    assay_diags_destroy(d);
    assay_diags_destroy(fd);
    if (lrc == ASSAY_E_NOMEM) {
        fprintf(stderr, "%s: error: out of memory\n", path);
    }
    *rc = lrc == 0                                    ? EXIT_OK
          : lrc == ASSAY_E_IO || lrc == ASSAY_E_NOMEM ? EXIT_UNUSABLE
                                                      : EXIT_FAILED;
    return c;
}

int cmd_grade(int argc, char **argv)
{
    grade_args a = {0};
    int rc = grade_parse(argc, argv, &a);
    if (rc != CLI_RUN) {
        return rc;
    }
    char tbuf[40];
    assay_grade_options opts = {.graded_at = cli_graded_at(a.graded_at, tbuf, sizeof(tbuf))};
    if (a.rubrics) {
        return cmd_batch(a.rubrics, a.jsonl, a.out, a.jobs, &opts);
    }
    assay_catalog *c = cli_load_rubric(a.rubric, &rc);
    if (c == NULL) {
        return rc;
    }
    size_t len;
    char *buf = cli_read_file(a.submission, &len);
    if (buf == NULL) {
        fprintf(stderr, "assay grade: %s: %s\n", a.submission, strerror(errno));
        assay_catalog_destroy(c);
        return EXIT_UNUSABLE;
    }
    assay_scratch *s = assay_scratch_create();
    const char *text = NULL;
    size_t tlen = 0;
    assay_result_info info;
    rc = EXIT_UNUSABLE;
    if (s && assay_grade_text(c, buf, len, s, &opts, &text, &tlen, &info) == 0) {
        char *pretty = NULL;
        if (a.pretty) {
            /* Read back and indented; 15-digit reals read back print the same. */
            json_t *res = json_loadb(text, tlen, JSON_ALLOW_NUL, NULL);
            pretty = res ? json_dumps(res, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : NULL;
            json_decref(res);
        }
        if (!a.pretty || pretty) {
            puts(pretty ? pretty : text);
            rc = info.graded ? EXIT_OK : EXIT_FAILED;
        }
        free(pretty);
    }
    assay_scratch_destroy(s);
    free(buf);
    assay_catalog_destroy(c);
    return rc;
}
