/*
 * explain.c - `assay explain RUBRIC SUBMISSION`: grades like `assay grade` and prints the
 * result for people: per item and check, what matched where, which number was read, why it
 * passed or failed, the feedback a learner would see; then the competencies.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char explain_usage[] =
    "Usage: assay explain RUBRIC SUBMISSION.json\n"
    "\n"
    "Grades the submission (- for standard input) like `assay grade` and prints the result\n"
    "for people: per item and check, what matched where, which number was read, why it\n"
    "passed or failed and the feedback a learner would see; then the competencies.\n"
    "\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "Exit status: 0 graded; 1 the rubric is invalid or the submission could not be graded\n"
    "(NOT GRADED); 2 bad command line; 3 the rubric or the submission could not be read.\n";

static void num(FILE *f, const json_t *v)
{
    if (json_is_integer(v)) {
        fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        fprintf(f, "%.4g", json_real_value(v));
    } else {
        fputs("-", f);
    }
}

static const char *str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void explain_check(FILE *f, const json_t *c, int depth)
{
    const char *status = str(c, "status");
    fprintf(f, "%*s[%-9s] %s (%s", depth * 2, "", status ? status : "?", str(c, "id"),
            str(c, "type"));
    if (str(c, "mode")) {
        fprintf(f, ", %s", str(c, "mode"));
    }
    fputs(")", f);
    if (json_object_get(c, "max_points")) {
        fputs("  ", f);
        num(f, json_object_get(c, "points"));
        fputs("/", f);
        num(f, json_object_get(c, "max_points"));
        fputs(" points", f);
    } else if (json_object_get(c, "credit")) {
        fputs("  credit ", f);
        num(f, json_object_get(c, "credit"));
    }
    fputc('\n', f);
    int pad = depth * 2 + 12;
    json_t *m = json_object_get(c, "match");
    if (json_is_object(m)) {
        fprintf(
            f, "%*smatched \"%s\" at bytes %" JSON_INTEGER_FORMAT "-%" JSON_INTEGER_FORMAT "\n",
            pad, "", str(m, "text"), json_integer_value(json_object_get(m, "start")),
            json_integer_value(json_object_get(m, "end")));
    } else if (json_is_null(m) && strcmp(str(c, "type"), "pattern") == 0) {
        fprintf(f, "%*sno match\n", pad, "");
    }
    if (json_object_get(c, "count")) {
        fprintf(f, "%*s%" JSON_INTEGER_FORMAT " match(es) counted\n", pad, "",
                json_integer_value(json_object_get(c, "count")));
    }
    if (str(c, "value")) {
        fprintf(f, "%*sread the number %s (%" JSON_INTEGER_FORMAT " significant figure(s))",
                pad, "", str(c, "value"), json_integer_value(json_object_get(c, "sig_figs")));
        json_t *u = json_object_get(c, "unit");
        if (json_is_string(u)) {
            fprintf(f, ", unit \"%s\"", json_string_value(u));
        } else if (json_is_null(u)) {
            fputs(", no unit", f);
        }
        if (str(c, "value_in_base_unit")) {
            fprintf(f, " = %s in the base unit", str(c, "value_in_base_unit"));
        }
        fputc('\n', f);
    }
    if (str(c, "explanation")) {
        fprintf(f, "%*swhy: %s [%s]\n", pad, "", str(c, "explanation"), str(c, "reason"));
    }
    if (str(c, "message")) {
        fprintf(f, "%*serror: %s\n", pad, "", str(c, "message"));
    }
    if (str(c, "feedback") && *str(c, "feedback")) {
        fprintf(f, "%*sfeedback: %s\n", pad, "", str(c, "feedback"));
    }
    size_t i;
    json_t *m2;
    json_array_foreach(json_object_get(c, "checks"), i, m2)
    {
        explain_check(f, m2, depth + 1);
    }
}

static void explain(FILE *f, const json_t *res)
{
    json_t *rub = json_object_get(res, "rubric");
    fprintf(f, "Submission %s", str(res, "id") ? str(res, "id") : "(no id)");
    if (str(res, "learner")) {
        fprintf(f, " by %s", str(res, "learner"));
    }
    if (json_is_object(rub)) {
        fprintf(f, "\nRubric %s %s (sha256 %.12s...)", str(rub, "id"), str(rub, "version"),
                str(rub, "sha256"));
    }
    fputc('\n', f);
    if (strcmp(str(res, "status"), "graded") != 0) {
        json_t *e = json_object_get(res, "error");
        fprintf(f, "NOT GRADED: %s: %s\n", str(e, "code"), str(e, "message"));
        return;
    }
    fputs("Score ", f);
    num(f, json_object_get(res, "score"));
    fputs(" / ", f);
    num(f, json_object_get(res, "max_score"));
    fputc('\n', f);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(res, "items"), i, it)
    {
        fprintf(f, "\nItem %s%s  ", str(it, "id"),
                json_is_true(json_object_get(it, "answered")) ? "" : " (no answer)");
        num(f, json_object_get(it, "score"));
        fputs("/", f);
        num(f, json_object_get(it, "max_score"));
        fputc('\n', f);
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(it, "checks"), k, c)
        {
            explain_check(f, c, 1);
        }
    }
    fputs("\nCompetencies\n", f);
    json_t *c;
    json_array_foreach(json_object_get(res, "competencies"), i, c)
    {
        fprintf(f, "  %-24s score ", str(c, "id"));
        num(f, json_object_get(c, "score"));
        fprintf(f, "  level %s%s\n", str(c, "level_name"),
                json_is_true(json_object_get(c, "mastered")) ? "  (mastered)" : "");
    }
    json_t *w;
    json_array_foreach(json_object_get(res, "warnings"), i, w)
    {
        fprintf(f, "warning: %s\n", json_string_value(w));
    }
}

int cmd_explain(int argc, char **argv)
{
    const char *name = "assay explain";
    int rc = cli_common_options_only(name, explain_usage, argc, argv, ":h");
    if (rc != CLI_RUN) {
        return rc;
    }
    if (argc - optind != 2) {
        return cli_usage_error(name, explain_usage, "%s",
                               argc - optind < 2 ? "RUBRIC and SUBMISSION are needed"
                                                 : "too many arguments");
    }
    const char *rubric = argv[optind], *submission = argv[optind + 1];
    assay_catalog *cat = cli_load_rubric(rubric, &rc);
    if (cat == NULL) {
        return rc;
    }
    size_t len;
    char *buf = cli_read_file(submission, &len);
    if (buf == NULL) {
        fprintf(stderr, "%s: %s: %s\n", name, submission, strerror(errno));
        assay_catalog_destroy(cat);
        return EXIT_UNUSABLE;
    }
    char tbuf[40];
    assay_grade_options opts = {.graded_at = cli_graded_at(NULL, tbuf, sizeof(tbuf))};
    assay_scratch *s = assay_scratch_create();
    json_t *res = assay_grade_buffer(cat, buf, len, s, &opts);
    rc = EXIT_UNUSABLE;
    if (res) {
        explain(stdout, res);
        rc = strcmp(str(res, "status"), "graded") == 0 ? EXIT_OK : EXIT_FAILED;
        json_decref(res);
    }
    assay_scratch_destroy(s);
    free(buf);
    assay_catalog_destroy(cat);
    return rc;
}
