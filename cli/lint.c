/*
 * lint.c - `assay lint RUBRIC...`: load each rubric, print every problem gcc-style on
 * stderr and a line per valid rubric on stdout.
 */
#include "cli.h"

#include <string.h>

int cmd_lint(int argc, char **argv)
{
    int files = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("Usage: assay lint RUBRIC...\n"
                   "Validates rubric files; prints every problem as "
                   "file:line:column: error: message.\n"
                   "Exit status 0 when all are valid, 1 otherwise.\n");
            return EXIT_OK;
        }
    }
    for (int i = 1; i < argc; i++) {
        assay_diags *d = assay_diags_create();
        assay_rubric *r = NULL;
        files++;
        int rc = assay_rubric_load_file(argv[i], NULL, &r, d);
        if (rc == 0) {
            printf("%s: ok: %s %s, %zu checks, sha256 %s\n", argv[i], assay_rubric_id(r),
                   assay_rubric_version(r), assay_rubric_check_count(r),
                   assay_rubric_sha256(r));
            assay_rubric_destroy(r);
        } else {
            cli_print_diags(stderr, d);
            bad++;
        }
        assay_diags_destroy(d);
    }
    if (files == 0) {
        fprintf(stderr, "assay lint: no rubric given (usage: assay lint RUBRIC...)\n");
        return EXIT_USAGE;
    }
    if (bad) {
        fprintf(stderr, "%d of %d rubric%s invalid\n", bad, files, files == 1 ? "" : "s");
    }
    return bad ? EXIT_FAILED : EXIT_OK;
}
