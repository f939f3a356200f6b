/*
 * lint.c - `assay lint [--werror] FILE...`: load each competency framework, rubric and
 * credential definition, print every problem (errors and warnings) gcc-style on stderr and a
 * line per valid file on stdout. A rubric that names a framework is resolved against the
 * frameworks of a directory (--rubrics, $ASSAY_RUBRICS, else the rubric's own) plus the
 * valid frameworks named on the command line; definitions against that directory's
 * frameworks and rubrics plus the valid ones named. A JSON Schema among the files (as a
 * shell glob of the rubrics folder includes rubrics/schema.json) is skipped with a note.
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
    "Validates rubric files, competency frameworks and credential definitions. Prints\n"
    "\"FILE: ok: ID VERSION, N checks, sha256 HEX\" (a framework: \"FILE: ok: framework ID\n"
    "VERSION, N competencies, sha256 HEX\"; a definition: \"FILE: ok: credential ID VERSION,\n"
    "N requirements, sha256 HEX\") on stdout for each valid file, and every problem on\n"
    "stderr as FILE:LINE:COLUMN: error: MESSAGE (at /json/pointer). Likely authoring\n"
    "mistakes that leave a rubric valid (an empty pattern, a typographic quote in a\n"
    "pattern...) are printed the same way as \"warning:\". A rubric that names a framework\n"
    "(\"framework\": \"ID\") is checked against the frameworks of DIR and the valid\n"
    "frameworks among the FILEs. A definition (\"assay_credential\": 1) is checked against\n"
    "the frameworks and rubrics of DIR and the valid ones among the FILEs: its framework,\n"
    "competencies, levels and rubrics must be there, and no other definition may have its\n"
    "id and version. A JSON Schema (a file without a kind key whose \"$schema\" names a JSON\n"
    "Schema meta-schema, or that has \"$schema\" and \"properties\", such as\n"
    "rubrics/schema.json) is skipped with a note on stderr.\n"
    "\n"
    "  --werror       treat warnings as errors: a file with a warning is invalid\n"
    "  --rubrics DIR  the catalog rubrics and definitions are checked against\n"
    "                 [ASSAY_RUBRICS; the directory of the file linted]\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "Exit status: 0 every file is valid (warnings or not, without --werror); 1 a file is\n"
    "invalid, or has a warning with --werror; 2 bad command line; 3 a file could not be\n"
    "read (every other file is still checked).\n";

enum { OPT_RUBRICS = CLI_OPT_OWN, OPT_WERROR };

/* What a file holds, by its keys; linted in this order. */
typedef enum lint_kind { KIND_FRAMEWORK, KIND_RUBRIC, KIND_CREDENTIAL, KIND_SCHEMA } lint_kind;

/* Does the $schema URI name a JSON Schema meta-schema (json-schema.org's drafts)? */
static bool names_meta_schema(const char *uri)
{
    return strstr(uri, "://json-schema.org/") != NULL;
}

/* The kind of the file at path: a JSON object with "assay_framework" is a framework, one
 * with "assay_credential" a definition; one without a kind key whose "$schema" names a
 * meta-schema, or that has "$schema" and "properties", a JSON Schema. Anything else, including
 * files that cannot be read or parsed or are larger than a rubric may be, is linted as a rubric
 * (whose loader reports them). */
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
        if (json_object_get(doc, "assay_framework")) {
            kind = KIND_FRAMEWORK;
        } else if (json_object_get(doc, "assay_credential")) {
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

/* The catalogs rubrics and definitions are checked against, one per directory and use, and
 * the definitions linted so far (for duplicates among the files). */
typedef struct lint_run {
    const char *dir; /* --rubrics or $ASSAY_RUBRICS; NULL: each file's directory */
    char **argv;     /* the valid files named on the command line are added to catalogs */
    int first, argc;
    const lint_kind *kinds;
    const int *status;
    char **dirs; /* "F" (frameworks only, for rubrics) or "C" (all, for definitions) + dir */
    assay_catalog **cats;
    size_t ncats;
    char **seen; /* "id\nversion\npath" of each valid definition linted */
    size_t nseen;
} lint_run;

/* Adds the valid files of kind k named on the command line to cat (those already there,
 * from the directory, are left as they are). */
static void add_named(lint_run *L, assay_catalog *cat, lint_kind k)
{
    for (int i = L->first; i < L->argc; i++) {
        if (L->kinds[i - L->first] != k || L->status[i - L->first] != EXIT_OK) {
            continue;
        }
        if (k == KIND_FRAMEWORK) {
            assay_framework *f = NULL;
            if (assay_framework_load_file(L->argv[i], NULL, &f, NULL) == 0 &&
                assay_catalog_add_framework(cat, f) != 0) {
                assay_framework_destroy(f);
            }
        } else {
            assay_rubric *r = NULL;
            if (assay_rubric_load_file_in(cat, L->argv[i], NULL, &r, NULL) == 0 &&
                assay_catalog_add(cat, r) != 0) {
                assay_rubric_destroy(r);
            }
        }
    }
}

/* The catalog of path's directory (or --rubrics): for a rubric (all false) its frameworks
 * and the valid frameworks of the command line (these win over the directory's with the
 * same id and version); for a definition (all true) everything it holds as well, plus the
 * valid rubrics of the command line. NULL when out of memory.
 * Problems of the directory's own files are not this file's: they are not printed. */
static assay_catalog *catalog_for(lint_run *L, const char *path, bool all)
{
    char dirbuf[PATH_MAX];
    snprintf(dirbuf, sizeof(dirbuf), "%s", path);
    const char *dir = L->dir ? L->dir : dirname(dirbuf);
    for (size_t i = 0; i < L->ncats; i++) {
        if (L->dirs[i][0] == (all ? 'C' : 'F') && strcmp(L->dirs[i] + 1, dir) == 0) {
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
    size_t n = strlen(dir) + 2;
    char *key = cat ? malloc(n) : NULL;
    if (key == NULL) {
        assay_catalog_destroy(cat);
        return NULL;
    }
    snprintf(key, n, "%c%s", all ? 'C' : 'F', dir);
    /* The frameworks named first: one of the directory with the same id and version (an
     * older copy) is then refused, so what is linted is checked against the file named. */
    add_named(L, cat, KIND_FRAMEWORK);
    if (all) {
        assay_catalog_load_dir(cat, dir, NULL, NULL);
    } else {
        assay_catalog_load_frameworks(cat, dir, NULL, NULL);
    }
    if (all) {
        add_named(L, cat, KIND_RUBRIC);
    }
    L->dirs[L->ncats] = key;
    L->cats[L->ncats++] = cat;
    return cat;
}

/* Lints one rubric or framework: EXIT_OK (valid), EXIT_FAILED (invalid, or a warning under
 * werror) or EXIT_UNUSABLE (could not be read). *warnings counts its warnings. */
static int lint_rubric(lint_run *L, const char *path, lint_kind kind, bool werror,
                       size_t *warnings)
{
    assay_diags *d = assay_diags_create();
    assay_catalog *cat = kind == KIND_RUBRIC ? catalog_for(L, path, false) : NULL;
    if (d == NULL || (kind == KIND_RUBRIC && cat == NULL)) {
        assay_diags_destroy(d);
        return lint_status(path, ASSAY_E_NOMEM, NULL);
    }
    assay_rubric *r = NULL;
    assay_framework *f = NULL;
    int rc = kind == KIND_RUBRIC ? assay_rubric_load_file_in(cat, path, NULL, &r, d)
                                 : assay_framework_load_file(path, NULL, &f, d);
    *warnings = assay_diags_warnings(d);
    if (rc == 0 && werror && *warnings > 0) {
        rc = ASSAY_E_INVALID;
    }
    cli_print_diags(stderr, d);
    if (rc == 0 && r) {
        printf("%s: ok: %s %s, %zu checks, sha256 %s\n", path, assay_rubric_id(r),
               assay_rubric_version(r), assay_rubric_check_count(r), assay_rubric_sha256(r));
    } else if (rc == 0) {
        printf("%s: ok: framework %s %s, %zu competencies, sha256 %s\n", path,
               assay_framework_id(f), assay_framework_version(f),
               assay_framework_competency_count(f), assay_framework_sha256(f));
    }
    assay_rubric_destroy(r);
    assay_framework_destroy(f);
    rc = lint_status(path, rc, NULL);
    assay_diags_destroy(d);
    return rc;
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
    assay_catalog *cat = catalog_for(L, path, true);
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
    /* Frameworks first, then the rubrics that may name them, then the definitions, each
     * checked against the valid files of the passes before. */
    int counts[3] = {0, 0, 0}, bad = 0, unreadable = 0;
    size_t warnings = 0;
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < n; i++) {
            const char *path = argv[optind + (int)i];
            if (pass == 0) {
                kinds[i] = kind_of(path);
                status[i] = -1; /* not linted yet */
                if (kinds[i] == KIND_SCHEMA) {
                    fprintf(stderr, "skipped: %s is a JSON Schema, not a rubric\n", path);
                }
            }
            if ((int)kinds[i] != pass) {
                continue;
            }
            size_t w = 0;
            status[i] = pass == 2 ? lint_definition(&L, path, werror, &w)
                                  : lint_rubric(&L, path, kinds[i], werror, &w);
            warnings += w;
            counts[pass]++;
            bad += status[i] == EXIT_FAILED;
            unreadable += status[i] == EXIT_UNUSABLE;
        }
    }
    int linted = counts[0] + counts[1] + counts[2];
    const char *what = linted == counts[1]   ? "rubric"
                       : linted == counts[2] ? "credential definition"
                       : linted == counts[0] ? "framework"
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
