/*
 * embed.c - a program that uses libassay as an installed library would: built by
 * test_install.sh against the headers and assay.pc of a `meson install`, with nothing but
 * `pkg-config --cflags --libs assay`. It loads the rubrics of a directory, grades one
 * submission file and frees everything, using jansson directly as a caller does (so the .pc
 * must bring jansson along).
 *
 * Usage: embed RUBRIC_DIR SUBMISSION.json; prints the result; exit 0 when it was graded.
 */
#include <assay/assay.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: embed RUBRIC_DIR SUBMISSION.json\n");
        return 2;
    }
    assay_catalog *cat = assay_catalog_create();
    assay_diags *diags = assay_diags_create();
    int loaded = assay_catalog_load_dir(cat, argv[1], NULL, diags);
    for (size_t i = 0; i < assay_diags_count(diags); i++) {
        char line[1024];
        assay_diag_format(assay_diags_get(diags, i), line, sizeof(line));
        fprintf(stderr, "%s\n", line);
    }
    json_error_t je;
    json_t *sub = json_load_file(argv[2], 0, &je);
    int status = 1;
    if (loaded > 0 && sub != NULL) {
        char *text = json_dumps(sub, JSON_COMPACT);
        assay_scratch *scratch = assay_scratch_create();
        assay_grade_options opts = {.graded_at = "2025-01-01T00:00:00Z", .limits = NULL};
        json_t *result = assay_grade_buffer(cat, text, strlen(text), scratch, &opts);
        char *out = assay_result_dumps(result);
        if (out != NULL) {
            printf("%s\n", out);
        }
        const char *st = json_string_value(json_object_get(result, "status"));
        status = st != NULL && strcmp(st, "graded") == 0 ? 0 : 1;
        free(out);
        json_decref(result);
        assay_scratch_destroy(scratch);
        free(text);
    }
    json_decref(sub);
    assay_diags_destroy(diags);
    assay_catalog_destroy(cat);
    return status;
}
