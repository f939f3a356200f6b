/*
 * mastery.c - `assay mastery`: a calculator for the calculation methods, so faculty can try
 * a method on a sequence of scores before choosing it. It calls the library's text API
 * (<assay/mastery.h>), the same code the learner records use; nothing is computed here.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char mastery_usage[] =
    "Usage: assay mastery --method NAME [--param N] [--mastery-points X] [--json] SCORE...\n"
    "\n"
    "Computes one competency value from scores, oldest attempt first, with a calculation\n"
    "method of the learner records (docs/records.md):\n"
    "  highest | latest | average\n"
    "  n_mastery --param N         no value until N scores (1-10) reach the mastery points,\n"
    "                              then the mean of the scores that reach them\n"
    "  decaying_average --param W  r1 = s1, rk = r(k-1) (1 - W%) + sk W%   (W 50-99)\n"
    "  weighted_average --param W  latest W% + mean(earlier) (1 - W%)      (W 50-99)\n"
    "A SCORE is a decimal (4, 4.5, 1e-2) or a fraction of integers (7/2), at most 10^15 in\n"
    "magnitude; null or - is an attempt that could not be graded (skipped). Put -- before\n"
    "the scores when one is negative. Values are exact: an integer, a decimal or p/q.\n"
    "\n"
    "Options:\n"
    "  --method NAME        the calculation method (required)\n"
    "  --param N            its parameter (n_mastery, decaying_average, weighted_average)\n"
    "  --mastery-points X   the score that counts as mastery (required by n_mastery)\n"
    "  --json               one JSON object: method, param, value, value_exact, mastered,\n"
    "                       scores_used\n"
    "  -h, --help           show this help\n"
    "  --version            the version\n"
    "\n"
    "Exit status: 0 computed (a value or no value); 1 out of memory; 2 bad command line.\n";

enum { OPT_METHOD = CLI_OPT_OWN, OPT_PARAM, OPT_POINTS, OPT_JSON };

static const struct option long_options[] = {
    {"method", required_argument, NULL, OPT_METHOD},
    {"param", required_argument, NULL, OPT_PARAM},
    {"mastery-points", required_argument, NULL, OPT_POINTS},
    {"json", no_argument, NULL, OPT_JSON},
    CLI_OPTIONS_COMMON,
    {NULL, 0, NULL, 0},
};

/* Reads --param's value: a whole decimal integer. Returns 0, or -1 after a message. */
static int read_param(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0') {
        fprintf(stderr, "assay mastery: --param needs a whole number, got \"%s\"\n", s);
        return -1;
    }
    if (errno == ERANGE) {
        fprintf(stderr, "assay mastery: --param %s is out of range\n", s);
        return -1;
    }
    *out = v;
    return 0;
}

static json_t *json_value(const assay_mastery_value *v)
{
    if (!v->has_value) {
        return json_null();
    }
    /* An integer value prints as one (4, not 4.0) when the double holds it exactly. */
    if (strpbrk(v->exact, "./") == NULL && v->value > -9007199254740992.0 &&
        v->value < 9007199254740992.0) {
        return json_integer((json_int_t)v->value);
    }
    return json_real(v->value);
}

static int print_json(const assay_mastery_method *m, const assay_mastery_value *v)
{
    json_t *o = json_object();
    if (o == NULL) {
        return -1;
    }
    json_object_set_new(o, "method", json_string(assay_mastery_kind_name(m->kind)));
    json_object_set_new(o, "param",
                        assay_mastery_kind_has_param(m->kind) ? json_integer(m->param)
                                                              : json_null());
    json_object_set_new(o, "value", json_value(v));
    json_object_set_new(o, "value_exact", v->has_value ? json_string(v->exact) : json_null());
    json_object_set_new(o, "mastered",
                        v->mastered < 0 ? json_null() : json_boolean(v->mastered));
    json_object_set_new(o, "scores_used", json_integer((json_int_t)v->graded));
    char *text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(o);
    if (text == NULL) {
        return -1;
    }
    puts(text);
    free(text);
    return 0;
}

static void print_text(const assay_mastery_method *m, const char *points, size_t nscores,
                       const assay_mastery_value *v)
{
    const char *name = assay_mastery_kind_name(m->kind);
    if (assay_mastery_kind_has_param(m->kind)) {
        printf("method:         %s(%d)\n", name, m->param);
    } else {
        printf("method:         %s\n", name);
    }
    if (points) {
        printf("mastery points: %s\n", points);
    }
    if (!v->has_value) {
        if (v->graded == 0) {
            printf("value:          none (no graded score)\n");
        } else {
            printf("value:          none (%zu of the %d scores needed reach the mastery "
                   "points)\n",
                   v->at_mastery, m->param);
        }
    } else if (strchr(v->exact, '/')) {
        printf("value:          %s (%.15g)\n", v->exact, v->value);
    } else {
        printf("value:          %s\n", v->exact);
    }
    if (v->mastered >= 0) {
        printf("mastered:       %s\n", v->mastered ? "yes" : "no");
    }
    printf("scores used:    %zu", v->graded);
    if (nscores > v->graded) {
        printf(" (%zu ungraded skipped)", nscores - v->graded);
    }
    if (points) {
        printf(", %zu at mastery", v->at_mastery);
    }
    printf("\n");
}

int cmd_mastery(int argc, char **argv)
{
    const char *name = NULL, *points = NULL;
    bool has_param = false, json = false;
    long param = 0;
    int rc = EXIT_OK, c;
    cli_getopt_begin();
    while ((c = cli_next_option("assay mastery", mastery_usage, argc, argv, ":h", long_options,
                                &rc)) != -1) {
        switch (c) {
        case 0:
            /* --help, --version, or a bad option (named on stderr). A negative score read as
             * an option gets a hint. */
            if (rc == EXIT_USAGE && (optopt == '.' || (optopt >= '0' && optopt <= '9'))) {
                fprintf(stderr, "assay mastery: put -- before the scores when one is "
                                "negative\n");
            }
            return rc;
        case OPT_METHOD:
            name = optarg;
            break;
        case OPT_PARAM:
            if (read_param(optarg, &param) != 0) {
                return EXIT_USAGE;
            }
            has_param = true;
            break;
        case OPT_POINTS:
            points = optarg;
            break;
        case OPT_JSON:
            json = true;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (name == NULL) {
        fprintf(stderr, "assay mastery: --method NAME is required (highest, latest, average, "
                        "n_mastery, decaying_average or weighted_average)\n");
        return EXIT_USAGE;
    }
    char why[512];
    assay_mastery_method m;
    if (assay_mastery_method_parse(name, has_param, param, &m, why, sizeof why) != 0) {
        fprintf(stderr, "assay mastery: %s\n", why);
        return EXIT_USAGE;
    }
    if (m.kind == ASSAY_MASTERY_N_MASTERY && points == NULL) {
        fprintf(stderr, "assay mastery: n_mastery needs --mastery-points X (the score that "
                        "counts as mastery)\n");
        return EXIT_USAGE;
    }
    size_t n = (size_t)(argc - optind);
    if (n == 0) {
        fprintf(stderr, "assay mastery: no SCORE given (null or - stands for an attempt that "
                        "could not be graded)\n");
        return EXIT_USAGE;
    }
    const char **scores = calloc(n, sizeof(*scores));
    if (scores == NULL) {
        fprintf(stderr, "assay mastery: out of memory\n");
        return EXIT_FAILED;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = argv[optind + (int)i];
        scores[i] = strcmp(s, "null") == 0 || strcmp(s, "-") == 0 ? NULL : s;
    }
    assay_mastery_value v;
    rc = assay_mastery_compute_text(&m, scores, n, points, &v, why, sizeof why);
    free(scores);
    if (rc != 0) {
        fprintf(stderr, "assay mastery: %s\n", why);
        return rc == ASSAY_E_ARG ? EXIT_USAGE : EXIT_FAILED;
    }
    int out = EXIT_OK;
    if (json) {
        if (print_json(&m, &v) != 0) {
            fprintf(stderr, "assay mastery: out of memory\n");
            out = EXIT_FAILED;
        }
    } else {
        print_text(&m, points, n, &v);
    }
    assay_mastery_value_finish(&v);
    return out;
}
