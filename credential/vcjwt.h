/*
 * vcjwt.h - the VC-JWT proof of an OB 3.0 credential (OB 3.0 section 8.2, VCDM 2.0): the
 * JWT payload is the credential itself plus the claims iss = issuer.id, jti = id,
 * nbf = validFrom, sub = credentialSubject.id (when the subject has an id) and
 * exp = validUntil (when there is one), signed as a compact JWS (jws.h).
 *
 * Verification checks the signature against trusted keys, then the credential (ob3.h's
 * structural check) and the claims against it, and validFrom / validUntil against a
 * given time, collecting every reason the credential is not valid.
 */
#ifndef CREDENTIAL_VCJWT_H
#define CREDENTIAL_VCJWT_H

#include "cred.h"
#include "jws.h"
#include "keys.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRED_VCJWT_MAX_REASONS 16

/*
 * Signs credential (checked with cred_ob3_check first; it must not already hold a
 * member named like a JWT claim: iss, sub, aud, exp, nbf, iat, jti) with key. opts may be
 * NULL (kid header with the key's kid, the key's algorithm). On success *out is the
 * compact JWS (caller frees) and 0 is returned; otherwise E_CREDENTIAL, E_ALG_KEY_MISMATCH,
 * E_NOMEM... with err set.
 */
int cred_vcjwt_sign(const json_t *credential, const cred_key *key,
                    const cred_jws_sign_options *opts, char **out, cred_error *err);
/* cred_vcjwt_sign, and on success *credential_text (when not NULL) is the credential as
 * compact JSON, the text the payload was made from (caller frees; NULL on failure). */
int cred_vcjwt_sign_text(const json_t *credential, const cred_key *key,
                         const cred_jws_sign_options *opts, char **out, char **credential_text,
                         cred_error *err);

/* The outcome of a verification. Initialise with {0}; release with _finish. */
typedef struct cred_vcjwt_result {
    bool verified;       /* signature, credential, claims and dates all good */
    bool signature_ok;   /* a trusted key's signature verified */
    size_t reason_count; /* why not verified, in the order found */
    cred_error reasons[CRED_VCJWT_MAX_REASONS];
    json_t *header;      /* the JOSE header, when the signature verified (owned) */
    json_t *payload;     /* the JWT payload, when the signature verified (owned) */
    json_t *credential;  /* the payload without JWT claims (owned) */
    const cred_key *key; /* the key that verified; borrowed from the trusted set */
} cred_vcjwt_result;

void cred_vcjwt_result_finish(cred_vcjwt_result *r);

/*
 * Verifies a compact VC-JWT (len bytes, no surrounding white space) against trusted
 * (jws.h for how the key is chosen; opts may be NULL) at time now (seconds since the
 * epoch). Fills *out and returns 0 when verified, else the code of the first reason.
 */
int cred_vcjwt_verify(const char *token, size_t len, const cred_keyset *trusted,
                      const cred_jws_verify_options *opts, int64_t now, cred_vcjwt_result *out);

/*
 * The credential a compact VC-JWT carries, decoded WITHOUT checking its signature or
 * claims (for showing one's own stored credentials; cred_vcjwt_verify is the check). 0 and
 * *credential (the payload without the JWT claims; caller json_decref's it), or
 * CRED_E_MALFORMED / E_BASE64 / E_PAYLOAD / E_NOMEM with err set.
 */
int cred_vcjwt_peek(const char *token, size_t len, json_t **credential, cred_error *err);

#endif
