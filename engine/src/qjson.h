/*
 * qjson.h - exact rationals (points, credits, scores) as JSON numbers: an integer when the
 * value is one, else the double nearest to it.
 */
#ifndef ENGINE_QJSON_H
#define ENGINE_QJSON_H

#include <gmp.h>
#include <jansson.h>

/* @return a new JSON number for q, or NULL when out of memory. */
json_t *assay__qjson(const mpq_t q);

#endif
