/*
 * grade.c - `assay grade`: one submission against one rubric file, or (with --rubrics and
 * --jsonl) a batch run handed to batch.c.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char grade_usage[] =
    "Usage: assay grade [--pretty] [--graded-at TIME] RUBRIC [SUBMISSION.json | -]\n"
    "       assay grade --rubrics DIR --jsonl IN [-o OUT] [--jobs N] [--graded-at TIME]\n";

/* Loads one rubric file into a new catalog; prints problems. NULL on failure. */
static assay_catalog *load_one(const char *path)
{
    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    assay_catalog *c = NULL;
    if (assay_rubric_load_file(path, NULL, &r, d) == 0) {
        c = assay_catalog_create();
        if (c && assay_catalog_add(c, r) != 0) {
            assay_rubric_destroy(r);
            assay_catalog_destroy(c);
            c = NULL;
        }
    } else {
        cli_print_diags(stderr, d);
    }
    assay_diags_destroy(d);
    return c;
}

int cmd_grade(int argc, char **argv)
{
    const char *rubrics = NULL, *jsonl = NULL, *out = NULL, *graded_at = NULL;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, jobs = 0;
    bool pretty = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_next = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(grade_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--pretty") == 0) {
            pretty = true;
        } else if (strcmp(a, "--rubrics") == 0 && has_next) {
            rubrics = argv[++i];
        } else if (strcmp(a, "--jsonl") == 0 && has_next) {
            jsonl = argv[++i];
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && has_next) {
            out = argv[++i];
        } else if (strcmp(a, "--graded-at") == 0 && has_next) {
            graded_at = argv[++i];
        } else if ((strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0) && has_next) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end != '\0' || v < 1 || v > 256) {
                fprintf(stderr, "assay grade: --jobs needs a number from 1 to 256\n");
                return EXIT_USAGE;
            }
            jobs = (int)v;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "assay grade: unknown option or missing value: %s\n%s", a,
                    grade_usage);
            return EXIT_USAGE;
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            fprintf(stderr, "assay grade: too many arguments\n%s", grade_usage);
            return EXIT_USAGE;
        }
    }
    char tbuf[40];
    assay_grade_options opts = {.graded_at = cli_graded_at(graded_at, tbuf, sizeof(tbuf))};

    if (rubrics || jsonl) {
        if (!rubrics || !jsonl || npos > 0) {
            fprintf(stderr,
                    "assay grade: batch mode needs --rubrics DIR and --jsonl IN, and "
                    "no other arguments\n%s",
                    grade_usage);
            return EXIT_USAGE;
        }
        return cmd_batch(rubrics, jsonl, out, jobs, &opts);
    }
    if (npos < 1) {
        fprintf(stderr, "%s", grade_usage);
        return EXIT_USAGE;
    }
    assay_catalog *c = load_one(pos[0]);
    if (c == NULL) {
        return EXIT_UNUSABLE;
    }
    const char *subpath = npos > 1 ? pos[1] : "-";
    size_t len;
    char *buf = cli_read_file(subpath, &len);
    if (buf == NULL) {
        fprintf(stderr, "assay grade: %s: %s\n", subpath, strerror(errno));
        assay_catalog_destroy(c);
        return EXIT_UNUSABLE;
    }
    assay_scratch *s = assay_scratch_create();
    json_t *res = assay_grade_buffer(c, buf, len, s, &opts);
    int rc = EXIT_UNUSABLE;
    if (res) {
        char *text = pretty ? json_dumps(res, JSON_INDENT(2) | JSON_REAL_PRECISION(15))
                            : assay_result_dumps(res);
        if (text) {
            puts(text);
            free(text);
            const char *st = json_string_value(json_object_get(res, "status"));
            rc = st && strcmp(st, "graded") == 0 ? EXIT_OK : EXIT_FAILED;
        }
        json_decref(res);
    }
    assay_scratch_destroy(s);
    free(buf);
    assay_catalog_destroy(c);
    return rc;
}
