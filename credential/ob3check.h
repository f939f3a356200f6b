/*
 * ob3check.h - checking that a JSON document is an OB 3.0 AchievementCredential (the
 * members the spec requires and the shape of the optional ones), for credentials read back
 * from a VC-JWT or given to `assay credential sign`.
 */
#ifndef CREDENTIAL_OB3CHECK_H
#define CREDENTIAL_OB3CHECK_H

#include "cred.h"

#include <jansson.h>

/*
 * Checks that cred has what OB 3.0 requires of an AchievementCredential: the two contexts
 * first, VerifiableCredential and OpenBadgeCredential (or AchievementCredential) types, a
 * URI id, an issuer Profile with a URI id, validFrom (and validUntil, if any) as RFC 3339
 * date-times, a name, and an AchievementSubject whose achievement has id, type, name,
 * description and criteria; optional parts present must be well formed. Returns 0, or
 * CRED_E_CREDENTIAL with err naming the first problem's path.
 */
int cred_ob3_check(const json_t *cred, cred_error *err);

#endif
