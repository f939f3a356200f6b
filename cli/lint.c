/*
 * lint.c - `assay lint [--werror] FILE...`: load each rubric and credential definition,
 * print every problem (errors and warnings) gcc-style on stderr and a line per valid file on
 * stdout. Definitions are checked against the rubrics of a directory (--rubrics,
 * $ASSAY_RUBRICS, else the definition's own) plus the valid rubrics named on the command
 * line. A JSON Schema among the files (as a shell glob of the rubrics folder includes
 * rubrics/schema.json) is skipped with a note.
 */
#include "cli.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char lint_usage[] =
    "Usage: assay lint [--werror] [--rubrics DIR] [--] FILE...\n"
    "\n"
    "Validates rubric files and credential definitions. Prints \"FILE: ok: ID VERSION, N\n"
    "checks, sha256 HEX\" (a definition: \"FILE: ok: credential ID VERSION, N requirements,\n"
    "sha256 HEX\") on stdout for each valid file, and every problem on stderr as\n"
    "FILE:LINE:COLUMN: error: MESSAGE (at /json/pointer). Likely authoring mistakes that\n"
    "leave a rubric valid (an empty pattern, a typographic quote in a pattern...) are\n"
    "printed the same way as \"warning:\". A definition (\"assay_credential\": 1) is checked\n"
    "against the rubrics of DIR and the valid rubrics among the FILEs: its framework,\n"
    "competencies, levels and rubrics must be there, and no other definition may have its\n"
    "id and version. A JSON Schema (a file without a kind key whose \"$schema\" names a JSON\n"
    "Schema meta-schema, or that has \"$schema\" and \"properties\", such as\n"
    "rubrics/schema.json) is skipped with a note on stderr.\n"
    "\n"
    "  --werror       treat warnings as errors: a file with a warning is invalid\n"
    "  --rubrics DIR  the catalog definitions are checked against [ASSAY_RUBRICS; the\n"
    "                 definition's own directory]\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "Exit status: 0 every file is valid (warnings or not, without --werror); 1 a file is\n"
    "invalid, or has a warning with --werror; 2 bad command line; 3 a file could not be\n"
    "read (every other file is still checked).\n";

enum { OPT_RUBRICS = CLI_OPT_OWN, OPT_WERROR };

/* What a file holds, by its keys. */
typedef enum lint_kind { KIND_RUBRIC, KIND_CREDENTIAL, KIND_SCHEMA } lint_kind;

/* Does the $schema URI name a JSON Schema meta-schema (json-schema.org's drafts)? */
static bool names_meta_schema(const char *uri)
{
    return strstr(uri, "://json-schema.org/") != NULL;
}

/* The kind of the file at path: a JSON object with "assay_credential" is a definition; one
 * without a kind key whose "$schema" names a meta-schema, or that has "$schema" and
 * "properties", a JSON Schema. Anything else, including files that cannot be read or parsed
 * or are larger than a rubric may be, is linted as a rubric (whose loader reports them). */
static lint_kind kind_of(const char *path)
{
    struct stat st;
    assay_limits lim = assay_limits_default();
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
        (unsigned long long)st.st_size > lim.max_rubric_bytes) {
        return KIND_RUBRIC;
    }
    json_t *doc = json_load_file(path, 0, NULL);
    lint_kind kind = KIND_RUBRIC;
    if (json_is_object(doc) && json_object_get(doc, "assay") == NULL) {
        const char *uri = json_string_value(json_object_get(doc, "$schema"));
        if (json_object_get(doc, "assay_credential")) {
            kind = KIND_CREDENTIAL;
        } else if (uri && (names_meta_schema(uri) || json_object_get(doc, "properties"))) {
            kind = KIND_SCHEMA;
        }
    }
    json_decref(doc);
    return kind;
}

/* Prints the diagnostics and turns a load's code into an exit status. */
static int lint_status(const char *path, int rc, const assay_diags *d)
{
    if (d) {
        cli_print_diags(stderr, d);
    }
    if (rc == ASSAY_E_NOMEM) {
        fprintf(stderr, "%s: error: out of memory\n", path);
    }
    return rc == 0                                   ? EXIT_OK
           : rc == ASSAY_E_IO || rc == ASSAY_E_NOMEM ? EXIT_UNUSABLE
                                                     : EXIT_FAILED;
}

/* Lints one rubric: EXIT_OK (valid), EXIT_FAILED (invalid, or a warning under werror) or
 * EXIT_UNUSABLE (could not be read). *warnings counts its warnings. */
static int lint_rubric(const char *path, bool werror, size_t *warnings)
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
    rc = lint_status(path, rc, NULL);
    assay_diags_destroy(d);
    return rc;
}

/* The catalogs definitions are checked against, one per directory, and the definitions
 * linted so far (for duplicates among the files). */
typedef struct lint_run {
    const char *dir; /* --rubrics or $ASSAY_RUBRICS; NULL: each definition's directory */
    char **argv;     /* the valid rubrics named on the command line are added to catalogs */
    int first, argc;
    const lint_kind *kinds;
    const int *status;
    char **dirs;
    assay_catalog **cats;
    size_t ncats;
    char **seen; /* "id\nversion\npath" of each valid definition linted */
    size_t nseen;
} lint_run;

/* The catalog of dir plus the valid rubrics of the command line; NULL when out of memory.
 * Problems of dir's own files are not this file's: they are not printed. */
static assay_catalog *catalog_for(lint_run *L, const char *dir)
{
    for (size_t i = 0; i < L->ncats; i++) {
        if (strcmp(L->dirs[i], dir) == 0) {
            return L->cats[i];
        }
    }
    char **dirs = realloc(L->dirs, (L->ncats + 1) * sizeof(*dirs));
    if (dirs) {
        L->dirs = dirs;
    }
    assay_catalog **cats = dirs ? realloc(L->cats, (L->ncats + 1) * sizeof(*cats)) : NULL;
    if (cats) {
        L->cats = cats;
    }
    assay_catalog *cat = cats ? assay_catalog_create() : NULL;
    char *copy = cat ? strdup(dir) : NULL;
    if (copy == NULL) {
        assay_catalog_destroy(cat);
        return NULL;
    }
    assay_catalog_load_dir(cat, dir, NULL, NULL);
    for (int i = L->first; i < L->argc; i++) {
        assay_rubric *r = NULL;
        if (L->kinds[i - L->first] == KIND_RUBRIC && L->status[i - L->first] == EXIT_OK &&
            assay_rubric_load_file(L->argv[i], NULL, &r, NULL) == 0 &&
            assay_catalog_add(cat, r) != 0) {
            assay_rubric_destroy(r);
        }
    }
    L->dirs[L->ncats] = copy;
    L->cats[L->ncats++] = cat;
    return cat;
}

/* Are a and b names of the same file? */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* The other file, if any, that defines id and version: a definition of the catalog from
 * another file, or one linted before. */
static const char *defined_elsewhere(lint_run *L, const assay_catalog *cat,
                                     const assay_credential_info *in, const char *path)
{
    const assay_credential_def *d = assay_catalog_find_credential(cat, in->id, in->version);
    if (d && !same_file(assay_credential_def_info(d)->source, path)) {
        return assay_credential_def_info(d)->source;
    }
    size_t idl = strlen(in->id), vl = strlen(in->version);
    for (size_t i = 0; i < L->nseen; i++) {
        const char *s = L->seen[i];
        if (strncmp(s, in->id, idl) == 0 && s[idl] == '\n' &&
            strncmp(s + idl + 1, in->version, vl) == 0 && s[idl + 1 + vl] == '\n' &&
            !same_file(s + idl + vl + 2, path)) {
            return s + idl + vl + 2;
        }
    }
    return NULL;
}

/* Lints one credential definition, as lint_rubric. */
static int lint_definition(lint_run *L, const char *path, bool werror, size_t *warnings)
{
    char dirbuf[PATH_MAX];
    snprintf(dirbuf, sizeof(dirbuf), "%s", path);
    const char *dir = L->dir ? L->dir : dirname(dirbuf);
    assay_catalog *cat = catalog_for(L, dir);
    assay_diags *d = assay_diags_create();
    if (cat == NULL || d == NULL) {
        assay_diags_destroy(d);
        return lint_status(path, ASSAY_E_NOMEM, NULL);
    }
    assay_credential_def *def = NULL;
    int rc = assay_credential_def_load_file(path, cat, &def, d);
    *warnings = assay_diags_warnings(d);
    if (rc == 0 && werror && *warnings > 0) {
        rc = ASSAY_E_INVALID;
    }
    if (rc == 0) {
        const assay_credential_info *in = assay_credential_def_info(def);
        const char *other = defined_elsewhere(L, cat, in, path);
        if (other) {
            fprintf(stderr,
                    "%s: error: credential \"%s\" version \"%s\" is also defined in %s\n", path,
                    in->id, in->version, other);
            rc = ASSAY_E_DUPLICATE;
        } else {
            printf("%s: ok: credential %s %s, %zu requirements, sha256 %s\n", path, in->id,
                   in->version, in->nrequirements + in->nrubrics, in->sha256);
            size_t n = strlen(in->id) + strlen(in->version) + strlen(path) + 3;
            char **seen = realloc(L->seen, (L->nseen + 1) * sizeof(*seen));
            char *entry = seen ? malloc(n) : NULL;
            if (seen) {
                L->seen = seen;
            }
            if (entry) {
                snprintf(entry, n, "%s\n%s\n%s", in->id, in->version, path);
                L->seen[L->nseen++] = entry;
            }
        }
    }
    assay_credential_def_destroy(def);
    rc = lint_status(path, rc, d);
    assay_diags_destroy(d);
    return rc;
}

int cmd_lint(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {"rubrics", required_argument, NULL, OPT_RUBRICS},
        {"werror", no_argument, NULL, OPT_WERROR},
        {NULL, 0, NULL, 0},
    };
    lint_run L = {.dir = cli_env_or("ASSAY_RUBRICS", NULL), .argv = argv, .argc = argc};
    bool werror = false;
    int c, rc = CLI_RUN;
    cli_getopt_begin();
    while ((c = cli_next_option("assay lint", lint_usage, argc, argv, ":h", options, &rc)) >
           0) {
        if (c == OPT_WERROR) {
            werror = true;
        } else {
            L.dir = optarg;
        }
    }
    if (c == 0) {
        return rc;
    }
    if (optind == argc) {
        return cli_usage_error("assay lint", lint_usage, "no file given");
    }
    L.first = optind;
    size_t n = (size_t)(argc - optind);
    lint_kind *kinds = calloc(n, sizeof(*kinds));
    int *status = calloc(n, sizeof(*status));
    if (kinds == NULL || status == NULL) {
        free(kinds);
        free(status);
        fprintf(stderr, "assay lint: out of memory\n");
        return EXIT_UNUSABLE;
    }
    L.kinds = kinds;
    L.status = status;
    /* Rubrics first, so that definitions are checked against the valid ones. */
    int counts[2] = {0, 0}, bad = 0, unreadable = 0;
    size_t warnings = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            const char *path = argv[optind + (int)i];
            if (pass == 0) {
                kinds[i] = kind_of(path);
            }
            if (kinds[i] == KIND_SCHEMA) {
                if (pass == 0) {
                    fprintf(stderr, "skipped: %s is a JSON Schema, not a rubric\n", path);
                }
                continue;
            }
            if ((pass == 1) != (kinds[i] == KIND_CREDENTIAL)) {
                continue;
            }
            size_t w = 0;
            status[i] = pass == 0 ? lint_rubric(path, werror, &w)
                                  : lint_definition(&L, path, werror, &w);
            warnings += w;
            counts[pass]++;
            bad += status[i] == EXIT_FAILED;
            unreadable += status[i] == EXIT_UNUSABLE;
        }
    }
    int linted = counts[0] + counts[1];
    const char *what = counts[1] == 0   ? "rubric"
                       : counts[0] == 0 ? "credential definition"
                                        : "file";
    const char *s = linted == 1 ? "" : "s";
    if (warnings) {
        fprintf(stderr, "%zu warning%s%s\n", warnings, warnings == 1 ? "" : "s",
                werror ? " (errors with --werror)" : "");
    }
    if (bad) {
        fprintf(stderr, "%d of %d %s%s invalid%s", bad, linted, what, s,
                unreadable ? ", " : "\n");
    }
    if (unreadable) {
        fprintf(stderr, "%d of %d %s%s could not be read\n", unreadable, linted, what, s);
    }
    for (size_t i = 0; i < L.ncats; i++) {
        assay_catalog_destroy(L.cats[i]);
        free(L.dirs[i]);
    }
    for (size_t i = 0; i < L.nseen; i++) {
        free(L.seen[i]);
    }
    free(L.cats);
    free(L.dirs);
    free(L.seen);
    free(kinds);
    free(status);
    return unreadable ? EXIT_UNUSABLE : bad ? EXIT_FAILED : EXIT_OK;
}
