/*
 * describe.c - `assay describe RUBRIC [--json]`: a rubric's model as the engine loaded it,
 * through <assay/describe.h>: title, SHA-256, competencies with their levels in scale order
 * (id, name, minimum, mastery), items and their checks (type, points, members of groups,
 * evidence, answer normalisation). The JSON form is the stable way for other programs to
 * get a rubric's competency names and levels; its fields are listed in docs/reports.md.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char describe_usage[] =
    "Usage: assay describe RUBRIC [--json]\n"
    "\n"
    "Shows what the engine reads in a rubric file: its id, version, title and SHA-256, its\n"
    "competencies with their proficiency levels (lowest first, with each minimum score and\n"
    "which levels count as mastery), and its items with their checks (type, points, group\n"
    "members, evidence weights, answer normalisation).\n"
    "\n"
    "Options:\n"
    "  --json          one JSON object instead of text (fields in docs/reports.md)\n"
    "  -h, --help      this help\n"
    "  --version       the version\n"
    "\n"
    "Exit status: 0 shown; 1 an invalid rubric (errors as file:line:column); 2 bad command\n"
    "line; 3 RUBRIC could not be read.\n";

enum { OPT_JSON = CLI_OPT_OWN };

static const struct option long_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    CLI_OPTIONS_COMMON,
    {NULL, 0, NULL, 0},
};

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *norm_json(const assay_check_info *ci)
{
    json_t *a = json_array();
    if (ci->trim) {
        json_array_append_new(a, json_string("trim"));
    }
    if (ci->collapse) {
        json_array_append_new(a, json_string("collapse"));
    }
    return a;
}

static json_t *check_json(const assay_rubric *r, const assay_check *c)
{
    assay_check_info ci;
    assay_check_describe(r, c, &ci);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(ci.id));
    json_object_set_new(o, "type", json_string(ci.type));
    json_object_set_new(o, "mode", str_or_null(ci.mode));
    json_object_set_new(o, "points", ci.group ? json_null() : json_real(ci.points));
    json_object_set_new(o, "normalize", norm_json(&ci));
    json_t *ev = json_array();
    for (size_t i = 0; i < ci.nevidence; i++) {
        size_t comp;
        double w;
        assay_competency_info ki;
        assay_check_evidence(c, i, &comp, &w);
        assay_rubric_competency(r, comp, &ki);
        json_array_append_new(ev, json_pack("{s:s,s:f}", "competency", ki.id, "weight", w));
    }
    json_object_set_new(o, "evidence", ev);
    if (ci.nmembers) {
        json_object_set_new(o, "needed", json_integer((json_int_t)ci.needed));
        json_t *m = json_array();
        for (size_t i = 0; i < ci.nmembers; i++) {
            json_array_append_new(m, check_json(r, assay_check_member(c, i)));
        }
        json_object_set_new(o, "checks", m);
    }
    return o;
}

static json_t *rubric_json(const assay_rubric *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(assay_rubric_id(r)));
    json_object_set_new(o, "version", json_string(assay_rubric_version(r)));
    json_object_set_new(o, "title", str_or_null(assay_rubric_title(r)));
    json_object_set_new(o, "description", str_or_null(assay_rubric_description(r)));
    json_object_set_new(o, "sha256", json_string(assay_rubric_sha256(r)));
    json_t *comps = json_array();
    for (size_t i = 0; i < assay_rubric_competency_count(r); i++) {
        assay_competency_info ki;
        assay_rubric_competency(r, i, &ki);
        json_t *k = json_object();
        json_object_set_new(k, "id", json_string(ki.id));
        json_object_set_new(k, "name", json_string(ki.name));
        json_object_set_new(k, "description", str_or_null(ki.description));
        json_object_set_new(k, "ref", str_or_null(ki.ref));
        json_object_set_new(k, "scale", json_string(ki.own_scale ? "own" : "rubric"));
        json_t *levels = json_array();
        for (size_t l = 0; l < ki.nlevels; l++) {
            assay_level_info li;
            assay_rubric_level(r, i, l, &li);
            json_array_append_new(levels,
                                  json_pack("{s:s,s:s,s:f,s:s,s:b,s:b}", "id", li.id, "name",
                                            li.name, "min", li.min, "min_exact", li.min_exact,
                                            "mastery", li.mastery, "mastered", li.mastered));
        }
        json_object_set_new(k, "levels", levels);
        json_array_append_new(comps, k);
    }
    json_object_set_new(o, "competencies", comps);
    json_t *items = json_array();
    for (size_t i = 0; i < assay_rubric_item_count(r); i++) {
        assay_item_info ii;
        assay_rubric_item(r, i, &ii);
        json_t *it = json_object();
        json_object_set_new(it, "id", json_string(ii.id));
        json_object_set_new(it, "title", str_or_null(ii.title));
        json_t *checks = json_array();
        for (size_t k = 0; k < ii.nchecks; k++) {
            json_array_append_new(checks, check_json(r, assay_rubric_item_check(r, i, k)));
        }
        json_object_set_new(it, "checks", checks);
        json_array_append_new(items, it);
    }
    json_object_set_new(o, "items", items);
    return o;
}

/* Writes s for a terminal (control characters escaped: rubric text is shown as written). */
static void put(const char *s)
{
    if (s) {
        cli_put_clean(stdout, s, strlen(s));
    }
}

static void print_check(const assay_rubric *r, const assay_check *c, int depth)
{
    assay_check_info ci;
    assay_check_describe(r, c, &ci);
    printf("%*s", 4 + 2 * depth, "");
    put(ci.id);
    printf("  %s", ci.type);
    if (ci.mode) {
        printf(" (%s)", ci.mode);
    }
    if (!ci.group) {
        printf("  %.15g point%s", ci.points, ci.points == 1 ? "" : "s");
    }
    if (ci.nmembers) {
        printf("  needs %zu of %zu", ci.needed, ci.nmembers);
    }
    printf("  normalise: %s", ci.trim && ci.collapse ? "trim, collapse"
                              : ci.trim              ? "trim"
                              : ci.collapse          ? "collapse"
                                                     : "none");
    for (size_t i = 0; i < ci.nevidence; i++) {
        size_t comp;
        double w;
        assay_competency_info ki;
        assay_check_evidence(c, i, &comp, &w);
        assay_rubric_competency(r, comp, &ki);
        printf("%s", i ? ", " : "  evidence: ");
        put(ki.id);
        printf(" x%.15g", w);
    }
    putchar('\n');
    for (size_t i = 0; i < ci.nmembers; i++) {
        print_check(r, assay_check_member(c, i), depth + 1);
    }
}

static void print_text(const assay_rubric *r)
{
    put(assay_rubric_id(r));
    printf(" %s", assay_rubric_version(r));
    if (assay_rubric_title(r)) {
        printf("  ");
        put(assay_rubric_title(r));
    }
    printf("\nsha256 %s\n\ncompetencies (levels lowest first; * counts as mastery):\n",
           assay_rubric_sha256(r));
    for (size_t i = 0; i < assay_rubric_competency_count(r); i++) {
        assay_competency_info ki;
        assay_rubric_competency(r, i, &ki);
        printf("  ");
        put(ki.id);
        printf("  ");
        put(ki.name);
        if (ki.ref) {
            printf("  <");
            put(ki.ref);
            printf(">");
        }
        printf("\n    levels:");
        for (size_t l = 0; l < ki.nlevels; l++) {
            assay_level_info li;
            assay_rubric_level(r, i, l, &li);
            printf("%s ", l ? " |" : "");
            put(li.id);
            printf(" \"");
            put(li.name);
            printf("\" >= %s%s", li.min_exact, li.mastered ? " *" : "");
        }
        putchar('\n');
    }
    printf("\nitems:\n");
    for (size_t i = 0; i < assay_rubric_item_count(r); i++) {
        assay_item_info ii;
        assay_rubric_item(r, i, &ii);
        printf("  ");
        put(ii.id);
        if (ii.title) {
            printf("  ");
            put(ii.title);
        }
        putchar('\n');
        for (size_t k = 0; k < ii.nchecks; k++) {
            print_check(r, assay_rubric_item_check(r, i, k), 0);
        }
    }
}

int cmd_describe(int argc, char **argv)
{
    bool json = false;
    int rc = EXIT_OK, c;
    cli_getopt_begin();
    while ((c = cli_next_option("assay describe", describe_usage, argc, argv, ":h",
                                long_options, &rc)) != -1) {
        switch (c) {
        case 0:
            return rc;
        case OPT_JSON:
            json = true;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        return cli_usage_error("assay describe", describe_usage,
                               argc - optind == 0 ? "RUBRIC is missing" : "one RUBRIC only");
    }
    assay_catalog *cat = cli_load_rubric(argv[optind], &rc);
    if (cat == NULL) {
        return rc;
    }
    const assay_rubric *r = assay_catalog_get(cat, 0);
    if (json) {
        json_t *o = rubric_json(r);
        char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : NULL;
        json_decref(o);
        if (text == NULL) {
            fprintf(stderr, "assay describe: out of memory\n");
            assay_catalog_destroy(cat);
            return EXIT_UNUSABLE;
        }
        puts(text);
        free(text);
    } else {
        print_text(r);
    }
    assay_catalog_destroy(cat);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_UNUSABLE;
}
