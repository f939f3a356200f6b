/*
 * fuzz_result.h - invariants every grading result must satisfy, shared by the fuzz targets
 * that grade (fuzz_score.c, fuzz_rubric_load.c).
 */
#ifndef ASSAY_FUZZ_RESULT_H
#define ASSAY_FUZZ_RESULT_H

#include <assay/assay.h>

/*
 * Checks a result from assay_grade_buffer or assay_grade_json against docs/protocol.md and
 * aborts when one is broken: it is an object; assay_result_dumps serialises it to text that
 * json_loads reads back as an object; "status" is "graded" or "error"; an error result has
 * "error" with string "code" and "message"; a graded one has numeric "score" and
 * "max_score" and an "items" array in which every check (and group member) has an id, type
 * and status, an "explanation" when it has a "reason", and a "match" whose text is the
 * bytes from start to end. @return the serialised text (caller frees).
 */
char *fuzz_check_result(const json_t *result);

#endif
