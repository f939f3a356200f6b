/*
 * ob3.h - Open Badges 3.0 AchievementCredential documents (VCDM 2.0): building one from
 * plain C input, and checking that a JSON document has what the spec requires.
 *
 * The builder writes the members in the order of the spec's examples: "@context" (the
 * VCDM 2.0 context, then the OB context-3.0.3), "id" (urn:uuid), "type"
 * (VerifiableCredential, OpenBadgeCredential), "issuer" (a Profile), "validFrom",
 * "validUntil" (when given), "name", "description" (when given), "credentialSubject" (an
 * AchievementSubject: the learner as "id" and/or a salted SHA-256 "identifier"; the
 * "achievement" with its criteria, alignments and one RubricCriterionLevel
 * "resultDescription" per competency; one "result" per competency with its
 * "achievedLevel"), "evidence" (the graded submissions and the rubric id, version and
 * SHA-256 behind each), and "credentialSchema" (1EdTech's published AchievementCredential
 * JSON Schema, type 1EdTechJsonSchemaValidator2019). docs/credentials.md maps every field.
 *
 * It does not sign (vcjwt.h) and does not decide who earned what (the caller does).
 */
#ifndef CREDENTIAL_OB3_H
#define CREDENTIAL_OB3_H

#include "cred.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRED_OB3_CONTEXT_VC "https://www.w3.org/ns/credentials/v2"
#define CRED_OB3_CONTEXT_OB "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define CRED_OB3_SCHEMA_URL                                                                    \
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema" \
    ".json"
#define CRED_OB3_SCHEMA_TYPE "1EdTechJsonSchemaValidator2019"

/* The issuer's Profile. */
typedef struct cred_ob3_profile {
    const char *id;    /* required, an absolute URI (normally the issuer's https URL) */
    const char *name;  /* required */
    const char *url;   /* optional URI of the issuer's home page */
    const char *email; /* optional */
} cred_ob3_profile;

/* An Alignment, e.g. to a CASE CFItem. */
typedef struct cred_ob3_alignment {
    const char *target_name;      /* required */
    const char *target_url;       /* required URI (a CASE CFItem URI) */
    const char *target_type;      /* NULL: "CFItem" */
    const char *target_code;      /* optional */
    const char *target_framework; /* optional */
} cred_ob3_alignment;

/* One level of a competency's proficiency scale. */
typedef struct cred_ob3_level {
    const char *key;         /* required: the level's id on the scale, e.g. "proficient" */
    const char *name;        /* required: its name, e.g. "Proficient" */
    const char *description; /* optional */
    const char *id;          /* optional URI; NULL: derived (see ob3.c) */
} cred_ob3_level;

/* One competency the credential certifies, with the scale it is rated on. */
typedef struct cred_ob3_competency {
    const char *id;               /* required: the competency's id in its framework */
    const char *name;             /* required */
    const cred_ob3_level *levels; /* the scale, lowest level first (at least one) */
    size_t level_count;
    const char *required_level;          /* required: a level key */
    const char *achieved_level;          /* required: a level key, at or above the required */
    const char *result_description_id;   /* optional URI; NULL: derived */
    const cred_ob3_alignment *alignment; /* optional, e.g. the competency's CFItem */
    size_t alignment_count;
} cred_ob3_competency;

typedef struct cred_ob3_achievement {
    const char *id;                 /* required URI */
    const char *name;               /* required */
    const char *description;        /* required */
    const char *criteria_narrative; /* required */
    const char *image;              /* optional image URI */
    const char *achievement_type;   /* optional: a value of the spec's enumeration or ext:... */
    const cred_ob3_alignment *alignment;
    size_t alignment_count;
} cred_ob3_achievement;

/* The learner: as "id" (a URI), as a hashed identifier, or both; at least one. */
typedef struct cred_ob3_subject {
    const char *id;            /* optional URI: credentialSubject.id (the JWT's sub) */
    const char *identity;      /* optional plain learner id, published only hashed */
    const char *identity_type; /* NULL: "identifier" */
    const char *salt;          /* NULL: 16 random bytes in hex (GnuTLS) */
} cred_ob3_subject;

/* A graded submission behind the award. */
typedef struct cred_ob3_evidence {
    const char *submission_id;  /* required */
    const char *rubric_id;      /* required */
    const char *rubric_version; /* required */
    const char *rubric_sha256;  /* required: 64 hex digits */
    const char *graded_at;      /* optional RFC 3339 */
    const char *url;            /* optional URI of the submission: Evidence "id" */
} cred_ob3_evidence;

typedef struct cred_ob3_input {
    const char *uuid;        /* required: the credential's UUID; its id is urn:uuid:UUID */
    const char *name;        /* NULL: the achievement's name */
    const char *description; /* optional */
    int64_t valid_from;      /* seconds since the epoch */
    bool has_valid_until;
    int64_t valid_until; /* after valid_from */
    cred_ob3_profile issuer;
    cred_ob3_achievement achievement;
    const cred_ob3_competency *competencies;
    size_t competency_count;
    cred_ob3_subject subject;
    const cred_ob3_evidence *evidence;
    size_t evidence_count;
} cred_ob3_input;

/*
 * Builds the AchievementCredential. Returns 0 and a new object in *out (caller
 * json_decref's it), or CRED_E_INPUT with err naming the field (for example
 * "achievement.alignment[1].target_url") and the problem, or E_NOMEM / E_CRYPTO; *out is
 * untouched on failure.
 */
int cred_ob3_build(const cred_ob3_input *in, json_t **out, cred_error *err);

/* The IdentityHash "sha256$<hex>" of identity followed by salt into out. */
void cred_ob3_identity_hash(const char *identity, const char *salt, char out[72]);

#endif
