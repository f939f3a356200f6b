/*
 * grade.c - the grading entry points: raw submission bytes to a result (size limit, BOM,
 * JSON and UTF-8 checks, the rubric the submission names found in the catalog), and a parsed
 * submission to a result (validate, score, assemble).
 *
 * The data path: bytes -> json (jansson) -> validated (result.c) -> scored (score.c, check
 * results from check.c) -> result object (result.c).
 */
#include "result.h"
#include "score.h"

#include <string.h>

/* Oversized submissions up to this size are still parsed for their id. */
#define TOO_LARGE_PARSE_MAX ((size_t)64 << 20)

json_t *assay_grade_buffer(const assay_catalog *c, const char *buf, size_t len,
                           assay_scratch *s, const assay_grade_options *opts)
{
    assay_limits deflim = assay_limits_default();
    const assay_limits *lim = opts && opts->limits ? opts->limits : &deflim;
    if (len > lim->max_submission_bytes) {
        /* Not graded, but answered with its id when it has one, so the LMS can match the
         * answer: parsing is bounded (jansson is linear), grading is what the limit spares. */
        json_t *big = len <= TOO_LARGE_PARSE_MAX ? json_loadb(buf, len, 0, NULL) : NULL;
        json_t *res = assay__result_errorf(big, NULL, ASSAY_RESULT_TOO_LARGE, opts,
                                           "the submission is %zu bytes, more than the limit "
                                           "of %zu",
                                           len, lim->max_submission_bytes);
        json_decref(big);
        return res;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        return assay__result_errorf(NULL, NULL, ASSAY_RESULT_MALFORMED_JSON, opts,
                                    "the submission starts with a UTF-8 byte order mark (BOM): "
                                    "send the JSON without it");
    }
    json_error_t je;
    /* Any JSON value is read, so a scalar is reported as "not an object" rather than as
     * malformed; NUL is allowed inside strings and judged where it matters (an answer with
     * one is an invalid answer, an id with one a wrong type). */
    json_t *sub =
        json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (sub == NULL) {
        if (json_error_code(&je) == json_error_invalid_utf8) {
            return assay__result_errorf(NULL, NULL, ASSAY_RESULT_INVALID_UTF8, opts,
                                        "the submission is not valid UTF-8 (byte %d): %s",
                                        je.position, je.text);
        }
        return assay__result_errorf(
            NULL, NULL, ASSAY_RESULT_MALFORMED_JSON, opts,
            "the submission is not valid JSON: %s at line %d, column %d", je.text, je.line,
            je.column);
    }
    json_t *res;
    const assay_rubric *r = NULL;
    if (json_is_object(sub)) {
        json_t *rid = json_object_get(sub, "rubric");
        json_t *ver = json_object_get(sub, "rubric_version");
        if (json_is_string(rid)) {
            r = assay_catalog_find(c, json_string_value(rid),
                                   json_is_string(ver) ? json_string_value(ver) : NULL);
            if (r == NULL && json_is_string(ver) &&
                assay_catalog_find(c, json_string_value(rid), NULL)) {
                /* The rubric exists, but not that version: say which are loaded. */
                r = assay_catalog_find(c, json_string_value(rid), NULL);
            }
        }
    }
    res = assay_grade_json(r, sub, s, opts);
    json_decref(sub);
    return res;
}

json_t *assay_grade_json(const assay_rubric *r, const json_t *sub, assay_scratch *s,
                         const assay_grade_options *opts)
{
    assay_limits deflim = assay_limits_default();
    const assay_limits *lim = opts && opts->limits ? opts->limits : &deflim;
    json_t *bad = assay__result_validate(r, sub, lim, opts);
    if (bad) {
        return bad;
    }
    sc_tally t;
    if (assay__score_init(&t, r) != 0) {
        return NULL;
    }
    json_t *res = NULL;
    if (assay__score(&t, json_object_get(sub, "responses"), s, lim) == 0) {
        res = assay__result_graded(&t, sub, opts);
    }
    assay__score_clear(&t);
    return res;
}
