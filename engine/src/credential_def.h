/*
 * credential_def.h - the in-memory form of a credential definition, shared by
 * credential_def.c (loading and checking it against a catalog) and credential_eval.c
 * (deciding whether a learner's record satisfies it).
 *
 * The public view (assay_credential_info) points into the parsed document, which the
 * definition keeps, and into copies of what it took from the catalog (names, URIs, level
 * names), kept as JSON strings in one array; so freeing is a json_decref and a few arrays.
 */
#ifndef ENGINE_CREDENTIAL_DEF_H
#define ENGINE_CREDENTIAL_DEF_H

#include "assay/credential_def.h"

#include <gmp.h>
#include <jansson.h>

/* A required competency's scale, as the decision needs it: each level's min, exactly. */
typedef struct cd_scale {
    assay_credential_level *levels; /* the public view's */
    mpq_t *mins;
    size_t n;
    size_t mastery; /* the mastery level's index (the threshold n_mastery counts against) */
} cd_scale;

struct assay_credential_def {
    assay_credential_info info;
    char sha256[65];
    json_t *doc;   /* the definition as parsed: info's own strings */
    json_t *store; /* an array of the strings copied from the catalog and made here */
    assay_credential_requirement *reqs;
    cd_scale *scales; /* one per requirement */
    const char **rubrics;
    assay_credential_alignment *aligns;
};

#endif
