/*
 * error.h - what the other modules need of error.c: adding to a caller's diagnostics list.
 * (Error codes, their names and the list itself are public: assay/error.h.)
 */
#ifndef ENGINE_ERROR_H
#define ENGINE_ERROR_H

#include "assay/error.h"

/* Appends a diagnostic (copying strings, truncating to the fields). Silently drops it when
 * out of memory: a lost diagnostic never hides the error code the caller returns. */
void assay__diags_add(assay_diags *d, const assay_diag *diag);

#endif
