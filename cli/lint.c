/*
 * lint.c - `assay lint [--werror] RUBRIC...`: load each rubric, print every problem (errors
 * and warnings) gcc-style on stderr and a line per valid rubric on stdout. A JSON Schema
 * among the files (as a shell glob of the rubrics folder includes rubrics/schema.json) is
 * skipped with a note.
 */
#include "cli.h"

#include <string.h>
#include <sys/stat.h>

static const char lint_usage[] =
    "Usage: assay lint [--werror] [--] RUBRIC...\n"
    "\n"
    "Validates rubric files. Prints \"FILE: ok: ID VERSION, N checks, sha256 HEX\" on stdout\n"
    "for each valid rubric, and every problem on stderr as\n"
    "FILE:LINE:COLUMN: error: MESSAGE (at /json/pointer). Likely authoring mistakes that\n"
    "leave the rubric valid (an empty pattern, a typographic quote in a pattern...) are\n"
    "printed the same way as \"warning:\". A JSON Schema (a file without \"assay\" whose\n"
    "\"$schema\" names a JSON Schema meta-schema, or that has \"$schema\" and \"properties\",\n"
    "such as rubrics/schema.json) is skipped with a note on stderr.\n"
    "\n"
    "  --werror       treat warnings as errors: a rubric with a warning is invalid\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "Exit status: 0 every rubric is valid (warnings or not, without --werror); 1 a rubric\n"
    "is invalid, or has a warning with --werror; 2 bad command line; 3 a file could not be\n"
    "read (every other file is still checked).\n";

/* Does the $schema URI name a JSON Schema meta-schema (json-schema.org's drafts)? */
static bool names_meta_schema(const char *uri)
{
    return strstr(uri, "://json-schema.org/") != NULL;
}

/* Is the file at path a JSON Schema rather than a rubric: a JSON object without "assay"
 * whose "$schema" names a meta-schema, or that has "$schema" and "properties"? Files that
 * cannot be read or parsed, or are larger than a rubric may be, are not (the rubric loader
 * reports them). */
static bool is_json_schema(const char *path)
{
    struct stat st;
    assay_limits lim = assay_limits_default();
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        (unsigned long long)st.st_size > lim.max_rubric_bytes) {
        return false;
    }
    json_t *doc = json_load_file(path, 0, NULL);
    bool schema = false;
    if (json_is_object(doc) && json_object_get(doc, "assay") == NULL) {
        const char *uri = json_string_value(json_object_get(doc, "$schema"));
        schema = uri && (names_meta_schema(uri) || json_object_get(doc, "properties"));
    }
    json_decref(doc);
    return schema;
}

/* Lints one rubric: EXIT_OK (valid), EXIT_FAILED (invalid, or a warning under werror) or
 * EXIT_UNUSABLE (could not be read). *warnings counts its warnings. */
static int lint_one(const char *path, bool werror, size_t *warnings)
{
    assay_diags *d = assay_diags_create();
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_file(path, NULL, &r, d);
    *warnings = assay_diags_warnings(d);
    if (rc == 0 && werror && *warnings > 0) {
        rc = ASSAY_E_INVALID;
    }
    cli_print_diags(stderr, d);
    if (rc == 0) {
        printf("%s: ok: %s %s, %zu checks, sha256 %s\n", path, assay_rubric_id(r),
               assay_rubric_version(r), assay_rubric_check_count(r), assay_rubric_sha256(r));
    }
    assay_rubric_destroy(r);
    assay_diags_destroy(d);
    if (rc == ASSAY_E_IO || rc == ASSAY_E_NOMEM) {
        if (rc == ASSAY_E_NOMEM) {
            fprintf(stderr, "%s: error: out of memory\n", path);
        }
        return EXIT_UNUSABLE;
    }
    return rc == 0 ? EXIT_OK : EXIT_FAILED;
}

enum { OPT_WERROR = CLI_OPT_OWN };

int cmd_lint(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {"werror", no_argument, NULL, OPT_WERROR},
        {NULL, 0, NULL, 0},
    };
    bool werror = false;
    int rc = CLI_RUN, c;
    cli_getopt_begin();
    while ((c = cli_next_option("assay lint", lint_usage, argc, argv, ":h", options, &rc)) >
           0) {
        werror = true; /* OPT_WERROR, the only option of its own */
    }
    if (rc != CLI_RUN) {
        return rc;
    }
    if (optind == argc) {
        return cli_usage_error("assay lint", lint_usage, "no rubric given");
    }
    int linted = 0, bad = 0, unreadable = 0;
    size_t warnings = 0;
    for (int i = optind; i < argc; i++) {
        if (is_json_schema(argv[i])) {
            fprintf(stderr, "skipped: %s is a JSON Schema, not a rubric\n", argv[i]);
            continue;
        }
        size_t w;
        rc = lint_one(argv[i], werror, &w);
        warnings += w;
        linted++;
        bad += rc == EXIT_FAILED;
        unreadable += rc == EXIT_UNUSABLE;
    }
    const char *s = linted == 1 ? "" : "s";
    if (warnings) {
        fprintf(stderr, "%zu warning%s%s\n", warnings, warnings == 1 ? "" : "s",
                werror ? " (errors with --werror)" : "");
    }
    if (bad) {
        fprintf(stderr, "%d of %d rubric%s invalid%s", bad, linted, s,
                unreadable ? ", " : "\n");
    }
    if (unreadable) {
        fprintf(stderr, "%d of %d rubric%s could not be read\n", unreadable, linted, s);
    }
    return unreadable ? EXIT_UNUSABLE : bad ? EXIT_FAILED : EXIT_OK;
}
