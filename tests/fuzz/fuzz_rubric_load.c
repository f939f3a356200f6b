/*
 * fuzz_rubric_load.c - fuzz target for the rubric loader: assay_rubric_load_buffer on the
 * input bytes, as `assay lint` and the worker call it on a rubric file.
 *
 * Invariants (a broken one aborts):
 *  - the return code and *out agree: 0 with a rubric, or a negative ASSAY_E_* code with *out
 *    untouched;
 *  - a rubric is returned exactly when no diagnostic was reported;
 *  - every diagnostic has a known code, NUL-terminated fields, an offset within the input,
 *    and, when it is placed, the line and column of that offset; assay_diag_format (which
 * places it with the locator's line and column) returns the length it writes, truncates safely,
 * and writes the same text into a buffer of exactly that size;
 *  - a loaded rubric has its id, version, title and a 64-digit hex SHA-256, and grading a
 *    canned submission against it (every item answered, taking the item ids from the input)
 *    gives a well-formed result (fuzz_result.h).
 */
#include "fuzz.h"
#include "fuzz_result.h"

#include <assay/assay.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool terminated(const char *field, size_t size)
{
    return memchr(field, '\0', size) != NULL;
}

/*
 * The place of every byte offset of the input as docs/rubric-format.md defines it for
 * diagnostics: 1-based line, and 1-based column counted in characters (bytes that are not
 * UTF-8 continuation bytes).
 */
typedef struct places {
    int *line, *column; /* size + 1 entries */
} places;

static void places_make(places *pl, const uint8_t *data, size_t size)
{
    pl->line = malloc((size + 1) * sizeof(int));
    pl->column = malloc((size + 1) * sizeof(int));
    FUZZ_CHECK(pl->line != NULL && pl->column != NULL);
    int l = 1, c = 1;
    for (size_t i = 0; i <= size; i++) {
        pl->line[i] = l;
        pl->column[i] = c;
        if (i < size && data[i] == '\n') {
            l++;
            c = 1;
        } else if (i < size && (data[i] & 0xC0) != 0x80) {
            c++;
        }
    }
}

static void check_diag(const assay_diag *g, size_t size, const places *pl)
{
    /* A warning (a likely authoring mistake; the rubric loads) has code 0, an error a
     * negative code with a name. */
    FUZZ_CHECK(g->severity == ASSAY_SEVERITY_ERROR || g->severity == ASSAY_SEVERITY_WARNING);
    FUZZ_CHECK((g->severity == ASSAY_SEVERITY_WARNING) == (g->code == 0));
    FUZZ_CHECK(g->code <= 0);
    FUZZ_CHECK(strcmp(assay_err_name(g->code), "UNKNOWN") != 0);
    FUZZ_CHECK(terminated(g->source, sizeof g->source));
    FUZZ_CHECK(terminated(g->pointer, sizeof g->pointer));
    FUZZ_CHECK(terminated(g->message, sizeof g->message));
    FUZZ_CHECK(g->message[0] != '\0');
    FUZZ_CHECK(g->pointer[0] == '\0' || g->pointer[0] == '/');
    FUZZ_CHECK(g->offset <= size);
    FUZZ_CHECK(g->line >= 0 && g->column >= 0);
    if (g->line > 0) {
        if (g->line != pl->line[g->offset] || g->column != pl->column[g->offset]) {
            fprintf(stderr, "diagnostic at offset %zu placed at %d:%d, not %d:%d\n", g->offset,
                    g->line, g->column, pl->line[g->offset], pl->column[g->offset]);
            fuzz_fail(__FILE__, __LINE__, "line and column match the offset");
        }
    }

    int need = assay_diag_format(g, NULL, 0);
    FUZZ_CHECK(need > 0);
    char *text = malloc((size_t)need + 1);
    FUZZ_CHECK(text != NULL);
    FUZZ_CHECK(assay_diag_format(g, text, (size_t)need + 1) == need);
    FUZZ_CHECK(strlen(text) == (size_t)need);
    char small[16];
    FUZZ_CHECK(assay_diag_format(g, small, sizeof small) == need);
    FUZZ_CHECK(strlen(small) < sizeof small);
    FUZZ_CHECK(strncmp(small, text, strlen(small)) == 0);
    free(text);
}

/* Answers given to every item of a rubric that loads, in turn. */
static const char *const answers[] = {
    "1.25 g", "42", "", "The pH is 4.74 because [A-] = [HA]", "-3,5e2 mol/L", "x",
};

/* Grades one submission naming r that answers every item listed in the input document. */
static void grade_loaded(const assay_rubric *r, const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    FUZZ_CHECK(doc != NULL); /* the loader accepted it */
    json_t *responses = json_object();
    json_t *items = json_object_get(doc, "items");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *id = json_string_value(json_object_get(item, "id"));
        if (id != NULL) {
            json_object_set_new(responses, id,
                                json_string(answers[i % (sizeof answers / sizeof *answers)]));
        }
    }
    json_t *sub = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", "fuzz", "rubric",
                            assay_rubric_id(r), "rubric_version", assay_rubric_version(r),
                            "learner", "fuzz", "responses", responses);
    FUZZ_CHECK(sub != NULL);
    assay_scratch *s = assay_scratch_create();
    FUZZ_CHECK(s != NULL);
    const assay_grade_options opts = {.graded_at = "2026-01-01T00:00:00Z", .limits = NULL};
    json_t *res = assay_grade_json(r, sub, s, &opts);
    free(fuzz_check_result(res));
    json_decref(res);
    assay_scratch_destroy(s);
    json_decref(sub);
    json_decref(doc);
}

static void check_rubric(const assay_rubric *r)
{
    FUZZ_CHECK(assay_rubric_id(r) != NULL);
    FUZZ_CHECK(assay_rubric_version(r) != NULL);
    FUZZ_CHECK(assay_rubric_title(r) != NULL);
    const char *sha = assay_rubric_sha256(r);
    FUZZ_CHECK(sha != NULL && strlen(sha) == 64);
    FUZZ_CHECK(strspn(sha, "0123456789abcdef") == 64);
    (void)assay_rubric_check_count(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    assay_diags *diags = assay_diags_create();
    FUZZ_CHECK(diags != NULL);
    assay_rubric *r = NULL;
    int rc = assay_rubric_load_buffer((const char *)data, size, "fuzz.json", NULL, &r, diags);
    size_t n = assay_diags_count(diags);
    FUZZ_CHECK(rc <= 0);
    FUZZ_CHECK((rc == 0) == (r != NULL));
    size_t warnings = assay_diags_warnings(diags);
    FUZZ_CHECK(warnings <= n);
    if (rc == 0) {
        FUZZ_CHECK(n == warnings); /* a rubric that loads has warnings at most */
    } else if (rc != ASSAY_E_NOMEM) {
        FUZZ_CHECK(n > warnings);
    }
    if (n > 0) {
        places pl;
        places_make(&pl, data, size);
        for (size_t i = 0; i < n; i++) {
            const assay_diag *g = assay_diags_get(diags, i);
            FUZZ_CHECK(g != NULL);
            check_diag(g, size, &pl);
        }
        free(pl.line);
        free(pl.column);
    }
    FUZZ_CHECK(assay_diags_get(diags, n) == NULL);
    if (r != NULL) {
        check_rubric(r);
        grade_loaded(r, data, size);
    }
    assay_rubric_destroy(r);
    assay_diags_destroy(diags);
    return 0;
}
