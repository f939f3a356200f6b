/*
 * keys.h - issuer signing keys and trusted verification keys for VC-JWT proofs.
 *
 * Private keys are read from PEM files (PKCS#8 "PRIVATE KEY" for RSA or Ed25519, PKCS#1
 * "RSA PRIVATE KEY" for RSA) and public keys from PEM (SPKI "PUBLIC KEY") or from a JWK
 * (RFC 7517: RSA n/e, or OKP Ed25519 x per RFC 8037), all through GnuTLS's abstract key API:
 * no PEM, DER, RSA or Ed25519 code of our own. RSA keys need at least 2048 bits (RS256),
 * Ed25519 keys sign EdDSA. Every key has its public JWK and RFC 7638 thumbprint (SHA-256,
 * base64url), which is its default kid.
 *
 * Key material never appears in an error message, and the PEM text read from a file is
 * wiped from memory once GnuTLS has imported it.
 */
#ifndef CREDENTIAL_KEYS_H
#define CREDENTIAL_KEYS_H

#include "cred.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The signature algorithms of this library: RS256 (RSASSA-PKCS1-v1_5 with SHA-256) and
 * EdDSA with Ed25519 (RFC 8037). */
typedef enum cred_jws_alg {
    CRED_ALG_NONE = 0,
    CRED_ALG_RS256 = 1,
    CRED_ALG_EDDSA = 2,
} cred_jws_alg;

typedef enum cred_key_type {
    CRED_KEY_RSA = 1,
    CRED_KEY_ED25519 = 2,
} cred_key_type;

/* RSA modulus sizes accepted, in bits. */
#define CRED_KEY_RSA_MIN_BITS 2048
#define CRED_KEY_RSA_MAX_BITS 16384
/* The largest key or JWK Set file read, in bytes. */
#define CRED_KEY_FILE_MAX (1024 * 1024)

typedef struct cred_key cred_key;

/*
 * Loads a private key from a PEM file or buffer (name is used in messages). On success
 * writes a new key to *out (free with cred_key_destroy) and returns 0; otherwise returns
 * CRED_E_IO (file unreadable), E_KEY (not a PEM private key GnuTLS reads, encrypted,
 * or a public key), E_KEY_TYPE (not RSA or Ed25519), E_KEY_WEAK (RSA under 2048 bits) or
 * E_NOMEM, with err naming the file and the problem; *out is untouched.
 */
int cred_key_load_private_file(const char *path, cred_key **out, cred_error *err);
int cred_key_load_private_buffer(const char *name, const void *pem, size_t len, cred_key **out,
                                 cred_error *err);
/* The same for a public key in SPKI PEM ("-----BEGIN PUBLIC KEY-----"). */
int cred_key_load_public_file(const char *path, cred_key **out, cred_error *err);
int cred_key_load_public_buffer(const char *name, const void *pem, size_t len, cred_key **out,
                                cred_error *err);
/*
 * A public key from a JWK object (where names it in messages, e.g. "keys.json: key 2").
 * Returns CRED_E_JWK_PRIVATE when it holds a private member (d, p, q, dp, dq, qi, oth
 * or k), E_JWK_INVALID when it is not an RSA or OKP Ed25519 public key (or its "use" is not
 * "sig", or its "alg" does not fit the key), E_KEY_WEAK, or E_NOMEM. Its "kid", if any,
 * becomes the key's kid.
 */
int cred_key_from_jwk(const json_t *jwk, const char *where, cred_key **out, cred_error *err);

/* Frees the key and wipes what it held; NULL is a no-op. */
void cred_key_destroy(cred_key *key);

cred_key_type cred_key_get_type(const cred_key *key);
/* "RSA" or "Ed25519". */
const char *cred_key_type_name(const cred_key *key);
/* Modulus bits for RSA, 256 for Ed25519. */
unsigned cred_key_bits(const cred_key *key);
bool cred_key_has_private(const cred_key *key);
/* The algorithm the key signs with: RS256 for RSA, EdDSA for Ed25519. */
cred_jws_alg cred_key_alg(const cred_key *key);
/* The RFC 7638 JWK thumbprint (43 base64url characters). Borrowed until destroy. */
const char *cred_key_thumbprint(const cred_key *key);
/* The key's kid: set by cred_key_set_kid or the JWK it came from, else the thumbprint.
 * Borrowed until the key is destroyed or its kid set again. */
const char *cred_key_kid(const cred_key *key);
/* Sets the kid (copied). Returns 0, CRED_E_ARG for an empty kid, or E_NOMEM. */
int cred_key_set_kid(cred_key *key, const char *kid);
/*
 * Sets the kid to a URL under base that names this key: base followed by the thumbprint
 * when base ends with "/" or "#", else base, "#" and the thumbprint (for example
 * "https://example.edu/issuer/jwks.json#<thumbprint>"). base must be an absolute URI:
 * returns 0, CRED_E_ARG, or E_NOMEM.
 */
int cred_key_set_kid_base(cred_key *key, const char *base);
/* The name given at load time (file name, or the JWK's place). Borrowed. */
const char *cred_key_source(const cred_key *key);

/*
 * The public JWK as a new JSON object: {"kty","n","e"} or {"kty","crv","x"}, then, when
 * with_meta, "kid", "alg" and "use": "sig". Never a private member. NULL when out of memory.
 */
json_t *cred_key_public_jwk(const cred_key *key, bool with_meta);

/* The algorithm's JOSE name ("RS256", "EdDSA"); NULL for none. And back (CRED_ALG_NONE
 * when the name is not one of the two). */
const char *cred_jws_alg_name(cred_jws_alg alg);
cred_jws_alg cred_jws_alg_from_name(const char *name);

/*
 * Signs data with the private key. alg must fit the key (E_ALG_KEY_MISMATCH otherwise).
 * On success *sig is malloc'ed (caller frees) and 0 is returned.
 */
int cred_key_sign(const cred_key *key, cred_jws_alg alg, const void *data, size_t len,
                  uint8_t **sig, size_t *sig_len, cred_error *err);
/* Verifies a signature: 0 when valid, E_SIGNATURE when not, E_ALG_KEY_MISMATCH. */
int cred_key_verify(const cred_key *key, cred_jws_alg alg, const void *data, size_t len,
                    const uint8_t *sig, size_t sig_len, cred_error *err);

/*
 * True when the file's permission bits let its group or others read or write it (the
 * caller warns: a private key file should be mode 0600); *mode gets the bits. False when
 * the file is private or cannot be examined.
 */
bool cred_key_file_exposed(const char *path, unsigned *mode);

#endif
