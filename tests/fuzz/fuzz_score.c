/*
 * fuzz_score.c - fuzz target for grading: submissions graded against the example rubrics,
 * as the worker grades what comes off the queue.
 *
 * LLVMFuzzerInitialize loads the catalog of fuzz_catalog.h (the example rubrics) once.
 *
 * An input is used in one of two ways, chosen by its first byte:
 *  - below 0x80 (any JSON text, which starts with ASCII): the whole input is a submission
 *    for assay_grade_buffer;
 *  - 0x80 and above: (byte & 0x7F) modulo the number of rubrics picks a rubric, and the rest
 *    of the input is the answer to every one of its items, wrapped by jansson into a valid
 *    submission; this reaches the checks far more often than mutating whole submissions.
 *    An answer that is not valid UTF-8 is skipped (the first mode covers those bytes).
 *
 * Invariants: every result is well formed (fuzz_result.h); a graded result has one warning
 * for each response whose key is no item of the rubric (docs/protocol.md); and grading the
 * same bytes twice with the same scratch space gives byte-identical results (docs/protocol.md:
 * results are byte-identical for the same submission, rubric and graded_at).
 */
#include "fuzz.h"
#include "fuzz_catalog.h"
#include "fuzz_result.h"

#include <assay/assay.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const assay_grade_options options = {.graded_at = "2026-01-01T00:00:00Z",
                                            .limits = NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_catalog_init("fuzz_score");
    return 0;
}

/* A graded result warns once for every response that names no item of its rubric. */
static void check_warnings(const char *buf, size_t len, const json_t *res)
{
    const char *status = json_string_value(json_object_get(res, "status"));
    if (status == NULL || strcmp(status, "graded") != 0) {
        return;
    }
    const json_t *ref = json_object_get(res, "rubric");
    const fuzz_target *t =
        fuzz_catalog_find(json_string_value(json_object_get(ref, "id")),
                          json_string_value(json_object_get(ref, "version")));
    FUZZ_CHECK(t != NULL);
    /* The engine read it (it was graded), with these flags or fewer. */
    json_t *sub =
        json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    FUZZ_CHECK(sub != NULL);
    size_t unknown = 0;
    json_t *responses = json_object_get(sub, "responses");
    for (void *it = json_object_iter(responses); it != NULL;
         it = json_object_iter_next(responses, it)) {
        unknown +=
            !fuzz_catalog_is_item(t, json_object_iter_key(it), json_object_iter_key_len(it));
    }
    size_t warned = json_array_size(json_object_get(res, "warnings"));
    if (warned != unknown) {
        fprintf(stderr, "%zu responses name no item, but %zu warnings\n", unknown, warned);
        fuzz_fail(__FILE__, __LINE__, "one warning per response for an unknown item");
    }
    json_decref(sub);
}

/* Grades buf twice and checks both results. */
static void grade(const char *buf, size_t len)
{
    json_t *res = assay_grade_buffer(fuzz_catalog, buf, len, fuzz_scratch, &options);
    char *first = fuzz_check_result(res);
    check_warnings(buf, len, res);
    json_decref(res);

    res = assay_grade_buffer(fuzz_catalog, buf, len, fuzz_scratch, &options);
    char *second = fuzz_check_result(res);
    json_decref(res);
    if (strcmp(first, second) != 0) {
        fprintf(stderr, "first:  %s\nsecond: %s\n", first, second);
        fuzz_fail(__FILE__, __LINE__, "the same submission graded twice gives the same result");
    }
    free(first);
    free(second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] >= 0x80) {
        const fuzz_target *t = &fuzz_targets[(data[0] & 0x7F) % fuzz_ntargets];
        char *buf = fuzz_catalog_submission(t, (const char *)data + 1, size - 1, false);
        if (buf != NULL) { /* else not UTF-8: the first mode covers those bytes */
            grade(buf, strlen(buf));
            free(buf);
        }
    } else {
        grade((const char *)data, size);
    }
    return 0;
}
