/*
 * jws.h - JWS Compact Serialization (RFC 7515) signed with RS256 or EdDSA (RFC 7518,
 * RFC 8037), as the OB 3.0 VC-JWT proof uses it.
 *
 * Signing makes the JOSE header {"alg", "typ": "JWT", "kid"} or, on request, {"alg",
 * "typ": "JWT", "jwk"} with the public JWK. Verification takes the token's bytes and a set
 * of trusted keys and refuses, each with its own code and sentence: a token over the size
 * limit, a wrong number of segments, a segment that is not base64url, trailing garbage
 * after the signature, a header that is not a JSON object, a header member OB 3.0 does not
 * allow (only alg, kid, jwk and typ), "alg": "none" in any case, an algorithm other than
 * RS256 and EdDSA, an alg that does not fit the key, a typ other than JWT, a header with
 * neither kid nor jwk, a header jwk with a private member or not usable, a kid or jwk
 * naming no trusted key, and a bad signature. A header jwk is never trusted by itself: it
 * must be one of the trusted keys.
 *
 * The payload's meaning (the credential and its claims) is vcjwt.h's business.
 */
#ifndef CREDENTIAL_JWS_H
#define CREDENTIAL_JWS_H

#include "cred.h"
#include "keys.h"
#include "keyset.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest compact JWS accepted, in bytes. */
#define CRED_JWS_MAX_TOKEN (1024 * 1024)

typedef struct cred_jws_sign_options {
    cred_jws_alg alg; /* CRED_ALG_NONE: the key's own algorithm */
    bool embed_jwk;   /* put the public "jwk" in the header instead of "kid" */
    const char *kid;  /* NULL: cred_key_kid(key) */
} cred_jws_sign_options;

/*
 * Signs payload (len bytes, normally compact JSON) with key, a private key. opts may be
 * NULL. On success *out is the compact JWS, NUL-terminated, malloc'ed (caller frees) and 0
 * is returned; otherwise an CRED_E_* code with err set and *out untouched.
 */
int cred_jws_sign(const cred_key *key, const cred_jws_sign_options *opts, const void *payload,
                  size_t len, char **out, cred_error *err);

typedef struct cred_jws_verify_options {
    /*
     * The trusted set is a single key the verifier chose (assay credential verify --key):
     * use it whatever kid the header names. A header jwk must still be that key.
     */
    bool single_key_any_kid;
} cred_jws_verify_options;

/* What a verified compact JWS holds. Initialise with {0}; release with _finish. */
typedef struct cred_jws_decoded {
    json_t *header;      /* the JOSE header (owned) */
    uint8_t *payload;    /* decoded payload bytes, NUL-terminated (owned) */
    size_t payload_len;  /* without the NUL */
    cred_jws_alg alg;    /* the header's alg */
    const cred_key *key; /* the trusted key that verified; borrowed from the set */
} cred_jws_decoded;

void cred_jws_decoded_finish(cred_jws_decoded *d);

/*
 * Verifies the compact JWS token (len bytes, no surrounding white space) against trusted.
 * Returns 0 and fills *out (release with cred_jws_decoded_finish) when the signature of a
 * trusted key verifies; otherwise the code of the first problem met (see the top of this
 * file), with err naming it, and *out left empty. opts may be NULL.
 */
int cred_jws_verify(const char *token, size_t len, const cred_keyset *trusted,
                    const cred_jws_verify_options *opts, cred_jws_decoded *out,
                    cred_error *err);

#endif
