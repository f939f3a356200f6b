/*
 * error.h - what the other modules need of error.c: adding to a caller's diagnostics list,
 * and writing the message of a caller's `why` buffer.
 * (Error codes, their names and the list itself are public: assay/error.h.)
 */
#ifndef ENGINE_ERROR_H
#define ENGINE_ERROR_H

#include "assay/error.h"

#include <stddef.h>

/* Appends a diagnostic (copying strings, truncating to the fields). Silently drops it when
 * out of memory: a lost diagnostic never hides the error code the caller returns. */
void assay__diags_add(assay_diags *d, const assay_diag *diag);

/* Writes a message for a caller's `why` buffer (printf-style); nothing when why is NULL or
 * whylen 0. */
void assay__whyf(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
