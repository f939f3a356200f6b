/*
 * award.h - awarding a credential: the decision and the signed document as one call, which
 * the worker (as it commits a learner's record) and `assay credential issue` (offline, from
 * a records file) share, so that both give the same credential, byte for byte, for the same
 * record.
 *
 * cred_award asks libassay whether the record satisfies the definition
 * (assay_credential_evaluate: the requirement met now, first met at the time of some
 * evidence), then builds the OB 3.0 AchievementCredential from the definition and that
 * evaluation (ob3.h) and signs it as a VC-JWT (vcjwt.h). Nothing in it depends on the clock
 * or on chance: the id is the name-based award UUID of (learner, credential id, version),
 * validFrom is the time of the evidence that completed the requirement, a hashed subject's
 * salt comes from the environment variable the definition names, and RS256 (PKCS#1 v1.5)
 * and EdDSA signatures are deterministic.
 *
 * Whether the credential was already issued (and the regrade policy) is the caller's: it
 * keeps issued awards (P:credentials:<h> in Redis) and never issues one twice. The worker's
 * use, per learner whose record a batch changed:
 *
 *   at start, for each definition of the catalog: cred_award_check(def, key, &opts, &err)
 *     (a public key or a missing salt fails here, not at the first award);
 *   for each definition the learner holds no award of (no field "<id>@<version>" in
 *   P:credentials:<h>): cred_award_make(record, def, key, &opts, &a, &err), then
 *     0                  HSETNX a.jws in the same atomic step as the record, and push the
 *                        "issued" event (a.credential, a.uuid) only when HSETNX wrote;
 *     CRED_AWARD_NOT_MET nothing (a.reason says why);
 *     < 0                log err (it never holds key material or the salt);
 *   for each definition the learner holds an award of: the decision alone
 *   (assay_credential_evaluate, no key) - not met means "requirement_no_longer_met", which
 *   is reported, never revoked or re-issued (docs/credentials.md, "Regrade policy");
 *   cred_award_finish(&a) after each call, whatever it returned.
 *
 * The functions keep no state and only read the record and the definition, which may be
 * shared between threads; the key is GnuTLS's, which this library does not promise to be
 * safe to sign with from several threads at once: use one cred_key per thread, or one
 * thread for the awards.
 */
#ifndef CREDENTIAL_AWARD_H
#define CREDENTIAL_AWARD_H

#include "cred.h"
#include "keys.h"
#include "uuid.h"

#include <assay/credential_def.h>
#include <jansson.h>
#include <stdbool.h>

/* cred_award's return value when the record does not satisfy the definition. */
#define CRED_AWARD_NOT_MET 1

/* The least length of a hashed subject's salt, in bytes (a short salt makes the learner id
 * easy to guess from the hash). */
#define CRED_AWARD_SALT_MIN 16

/* Returns the value of the environment variable name, or NULL (a secret: never logged). */
typedef const char *(*cred_award_secret_fn)(const char *name, void *ctx);

typedef struct cred_award_options {
    cred_award_secret_fn secret; /* NULL: getenv */
    void *secret_ctx;
    const char *kid; /* the JOSE header's kid; NULL: the key's (cred_key_kid) */
    bool embed_jwk;  /* the public JWK in the header instead of a kid */
} cred_award_options;

/* An award. Initialise with {0}; release with cred_award_finish. */
typedef struct cred_award {
    const char *reason;              /* not met: why, e.g. "competency \"...\" is at ..." */
    char uuid[CRED_UUID_STRLEN + 1]; /* the credential's UUID (id urn:uuid:UUID) */
    json_t *credential;              /* the AchievementCredential (owned) */
    char *jws;                       /* its VC-JWT, a compact JWS (owned) */
    char *credential_text;           /* credential as compact JSON, as signed (owned) */
    assay_credential_eval *eval;     /* the decision it was made from (owned) */
} cred_award;

/*
 * Decides whether learner record rec satisfies definition def and, if so, makes and signs
 * the credential with key (a private key; opts may be NULL).
 *
 * The document: issuer, achievement (id = the definition's achievement_id, else
 * urn:uuid:v5("achievement", issuer id, credential id, version); name, description,
 * criteria, image, achievementType, the definition's alignments, one RubricCriterionLevel
 * resultDescription per required competency with its scale and required level, aligned to
 * the competency's CASE URI), credentialSubject (id from the definition's id_template with
 * the learner percent-encoded, and/or the salted hash of the learner), one result per
 * required competency with the level reached, evidence (each submission behind the award
 * with its rubric id, version and SHA-256 and its time), validFrom = the evaluation's,
 * validUntil = validFrom + the definition's days.
 *
 * @return 0 with out->credential, out->jws, out->uuid and out->eval set;
 *         CRED_AWARD_NOT_MET with out->reason (and out->eval) set;
 *         < 0 with err set: CRED_E_ARG (a NULL argument, a record the definition's methods
 *         cannot compute), CRED_E_KEY (no private key), CRED_E_INPUT (no salt, or one
 *         under CRED_AWARD_SALT_MIN bytes, for a hashed subject; a document the definition
 *         cannot make), CRED_E_NOMEM, CRED_E_CRYPTO. out is empty on failure.
 */
int cred_award_make(const assay_record *rec, const assay_credential_def *def,
                    const cred_key *key, const cred_award_options *opts, cred_award *out,
                    cred_error *err);

/* Frees what an award holds and empties it. */
void cred_award_finish(cred_award *a);

/*
 * Checks, before any record is read, that def can be awarded with key and opts: the key
 * is a private key, and a hashed subject's salt is set and long enough. 0, or
 * CRED_E_KEY / CRED_E_INPUT with err naming the definition and the problem (never the
 * salt). Issuers call it at start so that a missing salt is not found at the first award.
 */
int cred_award_check(const assay_credential_def *def, const cred_key *key,
                     const cred_award_options *opts, cred_error *err);

/*
 * The credentialSubject id of learner under template ("urn:example:learner:{learner}"):
 * {learner} replaced by the learner id, every byte but RFC 3986's unreserved characters,
 * sub-delims, ':' and '@' percent-encoded. Caller frees; NULL when out of memory.
 */
char *cred_award_subject_id(const char *template_uri, const char *learner);

#endif
