/*
 * fuzz_writer.c - differential fuzz target for the result writer (issue 13): every
 * submission is graded twice, by assay_grade_text (the result written straight as text into
 * the scratch) and by assay_grade_buffer (the result built as jansson objects, then written
 * by jansson through assay_result_dumps), and the two must agree.
 *
 * Inputs, chosen by the first byte as in fuzz_score.c:
 *  - below 0x80: the whole input is a submission;
 *  - 0x80 and above: (byte & 0x3F) picks a rubric of the catalog (fuzz_catalog.h) and the
 *    rest of the input answers every item; with bit 0x40 the answer is also the learner and
 *    sits in "meta" (as a string, in an array, next to a real and an integer), so the
 *    writer's string escaping and numbers meet any UTF-8 the fuzzer makes.
 *
 * Invariants: the text parses back with jansson (JSON_ALLOW_NUL) into a value equal to the
 * object as assay_result_dumps writes it (json_equal; the object's reals are whole doubles,
 * written with 15 digits), and is byte for byte that text; the
 * assay_result_info agrees with the object (status, id, rubric, error code and message,
 * graded_at, check errors, and per competency id, exact score, level and mastery); grading
 * the same bytes again on the same scratch gives the same text.
 */
#include "fuzz.h"
#include "fuzz_catalog.h"

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
    fuzz_catalog_init("fuzz_writer");
    return 0;
}

static const char *member(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Are a and b both NULL, or equal strings? */
static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void check_info(const assay_result_info *info, const json_t *tree)
{
    const char *status = member(tree, "status");
    FUZZ_CHECK(status != NULL);
    FUZZ_CHECK(info->graded == (strcmp(status, "graded") == 0));
    const json_t *id = json_object_get(tree, "id");
    if (json_is_string(id)) {
        FUZZ_CHECK(info->id != NULL && info->id_len == json_string_length(id) &&
                   memcmp(info->id, json_string_value(id), info->id_len) == 0);
    } else {
        FUZZ_CHECK(info->id == NULL);
    }
    const json_t *ref = json_object_get(tree, "rubric");
    FUZZ_CHECK(same(info->rubric_id, member(ref, "id")));
    FUZZ_CHECK(same(info->rubric_version, member(ref, "version")));
    FUZZ_CHECK(same(info->rubric_sha256, member(ref, "sha256")));
    const json_t *err = json_object_get(tree, "error");
    FUZZ_CHECK(same(info->error_code, member(err, "code")));
    FUZZ_CHECK(same(info->error_message, member(err, "message")));
    FUZZ_CHECK(same(info->graded_at, member(tree, "graded_at")));
    if (!info->graded) {
        FUZZ_CHECK(info->ncompetencies == 0);
        return;
    }
    FUZZ_CHECK((json_int_t)info->check_errors ==
               json_integer_value(json_object_get(tree, "check_errors")));
    const json_t *comps = json_object_get(tree, "competencies");
    FUZZ_CHECK(info->ncompetencies == json_array_size(comps));
    for (size_t i = 0; i < info->ncompetencies; i++) {
        const json_t *c = json_array_get(comps, i);
        const assay_result_competency *k = &info->competencies[i];
        FUZZ_CHECK(same(k->id, member(c, "id")));
        FUZZ_CHECK(same(k->framework, member(c, "framework")));
        FUZZ_CHECK(same(k->score_exact, member(c, "score_exact")));
        FUZZ_CHECK(same(k->level, member(c, "level")));
        FUZZ_CHECK(k->mastered == json_is_true(json_object_get(c, "mastered")));
    }
}

static void grade(const char *buf, size_t len)
{
    json_t *tree = assay_grade_buffer(fuzz_catalog, buf, len, fuzz_scratch, &options);
    FUZZ_CHECK(tree != NULL);
    char *dumped = assay_result_dumps(tree);
    FUZZ_CHECK(dumped != NULL);

    const char *text;
    size_t tlen;
    assay_result_info info;
    FUZZ_CHECK(assay_grade_text(fuzz_catalog, buf, len, fuzz_scratch, &options, &text, &tlen,
                                &info) == 0);
    FUZZ_CHECK(text[tlen] == '\0');
    json_error_t je;
    json_t *back = json_loadb(text, tlen, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (back == NULL) {
        fprintf(stderr, "the text does not parse back: %s at byte %d\n%s\n", je.text,
                je.position, text);
        fuzz_fail(__FILE__, __LINE__, "json_loadb(text) != NULL");
    }
    /* The objects' reals are whole doubles, the text's have 15 digits: compare with the
     * objects as written. */
    json_t *tree_back = json_loads(dumped, JSON_ALLOW_NUL, NULL);
    FUZZ_CHECK(tree_back != NULL);
    if (!json_equal(back, tree_back) || tlen != strlen(dumped) ||
        memcmp(text, dumped, tlen) != 0) {
        fprintf(stderr, "text:    %s\nobjects: %s\n", text, dumped);
        fuzz_fail(__FILE__, __LINE__, "the text equals the objects, byte for byte");
    }
    check_info(&info, tree);
    json_decref(back);
    json_decref(tree_back);

    /* Again, on the same scratch: the same text. */
    FUZZ_CHECK(assay_grade_text(fuzz_catalog, buf, len, fuzz_scratch, &options, &text, &tlen,
                                &info) == 0);
    FUZZ_CHECK(tlen == strlen(dumped) && memcmp(text, dumped, tlen) == 0);
    free(dumped);
    json_decref(tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] >= 0x80) {
        const fuzz_target *t = &fuzz_targets[(data[0] & 0x3F) % fuzz_ntargets];
        char *buf =
            fuzz_catalog_submission(t, (const char *)data + 1, size - 1, (data[0] & 0x40) != 0);
        if (buf != NULL) {
            grade(buf, strlen(buf));
            free(buf);
        }
    } else {
        grade((const char *)data, size);
    }
    return 0;
}
