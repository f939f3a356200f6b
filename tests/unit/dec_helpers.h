/*
 * dec_helpers.h - shared by the unit tests of decimal.c and numread.c: checking a value's
 * canonical text and making a value from a rubric string.
 */
#ifndef TESTS_UNIT_DEC_HELPERS_H
#define TESTS_UNIT_DEC_HELPERS_H

#include "decimal.h"
#include "numread.h"
#include "tap.h"

#include <stdlib.h>

/* Asserts that d's canonical text is expect. */
static inline void check_text(const dec_num *d, const char *expect)
{
    char *s = assay__dec_to_string(d);
    ASSERT_STR_EQ(s, expect);
    free(s);
}

/* Sets d from a rubric string, which must be valid. */
static inline void dec_of(dec_num *d, const char *s)
{
    char why[160];
    int rc = assay__numread_string(d, s, why, sizeof why);
    if (rc != 0) {
        printf("#   setup: \"%s\": %s\n", s, why);
    }
    ASSERT_INT_EQ(rc, 0);
}

#endif
