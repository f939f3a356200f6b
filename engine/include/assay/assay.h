/*
 * assay.h - the Assay grading engine's public interface.
 *
 * Assay turns a learner's submission (JSON) into competency results (JSON) under a rubric
 * file written by faculty. The flow:
 *
 *     assay_catalog *cat = assay_catalog_create();
 *     assay_diags *d = assay_diags_create();
 *     assay_catalog_load_dir(cat, "rubrics", NULL, d);     // every *.json rubric in DIR
 *     assay_scratch *s = assay_scratch_create();            // one per thread
 *     json_t *result = assay_grade_buffer(cat, bytes, len, s, NULL);
 *     char *text = assay_result_dumps(result);              // deterministic JSON
 *
 * Threads: a loaded rubric or catalog is immutable and may be shared read-only by any
 * number of threads; each thread grades with its own assay_scratch.
 *
 * Errors: functions returning int give 0 on success or a negative ASSAY_E_* code
 * (assay_strerror() names it). Rubric problems are collected in an assay_diags list, each
 * with file:line:column and a JSON pointer. A check that fails is a score, never an error;
 * a submission that cannot be graded still yields a result object whose status is "error".
 *
 * The library never prints and never exits of its own accord. Running out of memory is
 * ASSAY_E_NOMEM (or a NULL result) wherever the library allocates, with two exceptions in its
 * dependencies: GMP aborts the process when it cannot allocate (its allocation functions may
 * not fail), and jansson's parser (json_loadb, 2.14) may abort on an assertion when its
 * token buffer cannot grow. The library bounds every number it gives GMP (1,000 digits,
 * see docs/rubric-format.md), so GMP's allocations stay small.
 *
 * This header includes the others: assay/version.h (the headers' version), assay/error.h
 * (error codes, diagnostics), assay/rubric.h (limits, rubrics, catalogs), assay/grade.h
 * (scratch, grading, results), assay/mastery.h (calculation methods across attempts),
 * assay/record.h (learner records), assay/describe.h (a loaded rubric's competencies,
 * levels, items and checks, read-only) and assay/credential_def.h (credential definitions
 * and whether a record earns one).
 */
#ifndef ASSAY_ASSAY_H
#define ASSAY_ASSAY_H

#include <assay/credential_def.h>
#include <assay/describe.h>
#include <assay/error.h>
#include <assay/grade.h>
#include <assay/mastery.h>
#include <assay/record.h>
#include <assay/rubric.h>
#include <assay/version.h>

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#endif
