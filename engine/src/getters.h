/*
 * getters.h - reading the members of a rubric's JSON objects with their types checked
 * (getters.c). Each getter reports what is wrong at the member's JSON pointer (p plus the
 * key) and returns a "missing" value, so the loader goes on and reports every problem.
 */
#ifndef ENGINE_GETTERS_H
#define ENGINE_GETTERS_H

#include "decimal.h"
#include "report.h"

#include <gmp.h>
#include <jansson.h>

/* Range rules of assay__get_q, or-ed together. */
enum { GET_NONNEG = 1, GET_POSITIVE = 2, GET_AT_MOST_1 = 4 };

/* "an object", "an array", "a string", "a number", "a boolean" or "null", for messages. */
const char *assay__get_type_name(const json_t *v);

/* The edit distance (insertions, deletions, substitutions of bytes) between a and b, for
 * "did you mean"; SIZE_MAX when either is longer than 40 bytes. */
size_t assay__get_distance(const char *a, const char *b);

/* The name among names[0..n) (NULL entries skipped) nearest to key, within two edits (for
 * "did you mean"), or NULL. */
const char *assay__nearest(const char *key, const char *const *names, size_t n);

/* Reports every key of obj that is not in allowed (NULL-terminated), with the nearest
 * allowed key when one is close; what names the object ("a scale"). */
void assay__get_only_keys(ld_report *R, const json_t *obj, const ld_path *p,
                          const char *const *allowed, const char *what);

/* A string member; NULL when missing (reported if required) or of the wrong type. */
const char *assay__get_string(ld_report *R, const json_t *obj, const char *key,
                              const ld_path *p, bool required);
/* A required id: 1 to max letters, digits, '.', '_' or '-'; NULL when missing or bad. */
const char *assay__get_id(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                          size_t max);
/* A boolean member; dflt when missing or wrong (wrong is reported). */
bool assay__get_bool(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                     bool dflt);
/* A whole number within [lo, hi] into *out; -1 when missing (not reported) or bad (reported).
 */
int assay__get_int(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                   long long lo, long long hi, long long *out);
/* A rubric number, exactly; -1 when missing (not reported) or bad (reported). */
int assay__get_dec(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                   dec_num *out);
/* A rubric number as a rational under GET_* rules; -1 when missing or bad. */
int assay__get_q(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                 unsigned rules, mpq_t out);
/* A non-empty array member; NULL when missing (reported if required) or bad. */
json_t *assay__get_array(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                         bool required);
/* An object member; NULL when missing (reported if required) or bad. */
json_t *assay__get_object(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                          bool required);

/*
 * The i-th entry of arr, which must be an object (p points at the entry). what names it in
 * messages ("an item"); its keys are checked against keys unless keys is NULL. @return the
 * object, or NULL when it is not one (reported).
 */
json_t *assay__get_entry(ld_report *R, const json_t *arr, size_t i, const ld_path *p,
                         const char *const *keys, const char *what);

/*
 * obj's required "id" (as assay__get_id) registered in seen (id -> index): one already
 * there is reported as a duplicate <kind> id ("duplicate item id \"q1\"") and left as it
 * was; seen being NULL or full (out of memory) counts as ASSAY_E_NOMEM. @return the id, or
 * NULL when it is missing or bad.
 */
const char *assay__get_unique_id(ld_report *R, const json_t *obj, const ld_path *p, size_t max,
                                 json_t *seen, size_t index, const char *kind);

#endif
