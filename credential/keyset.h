/*
 * keyset.h - a set of trusted public keys, as read from a JWK Set file or given one by one,
 * and the public JWK Set an issuer publishes at its kid URL.
 */
#ifndef CREDENTIAL_KEYSET_H
#define CREDENTIAL_KEYSET_H

#include "keys.h"

/* The most keys one JWK Set may hold. */
#define CRED_KEYSET_MAX 100

/* A set of trusted public keys, e.g. a JWK Set. */
typedef struct cred_keyset cred_keyset;

cred_keyset *cred_keyset_create(void);
void cred_keyset_destroy(cred_keyset *set);
/* Adds a key, taking ownership (also on failure, when the key is destroyed). 0 or an
 * error: E_NOMEM, E_JWKS when the set already holds CRED_KEYSET_MAX keys. */
int cred_keyset_add(cred_keyset *set, cred_key *key, cred_error *err);
/*
 * Adds every RSA and Ed25519 key of a JWK Set ({"keys": [...]}) file or buffer. Keys of
 * other types (EC, oct...) are skipped; a key with a private member, a malformed key, a
 * weak one or a set with no usable key is an error (E_JWKS, E_JWK_PRIVATE, E_KEY_WEAK)
 * naming the file and the key's position. On error the set is unchanged.
 */
int cred_keyset_load_jwks_file(cred_keyset *set, const char *path, cred_error *err);
int cred_keyset_load_jwks_buffer(cred_keyset *set, const char *name, const void *buf,
                                 size_t len, cred_error *err);
size_t cred_keyset_count(const cred_keyset *set);
/* Borrowed until the set is destroyed. */
const cred_key *cred_keyset_get(const cred_keyset *set, size_t i);
/* The key whose kid equals kid, else whose thumbprint equals kid; NULL when none. */
const cred_key *cred_keyset_find_kid(const cred_keyset *set, const char *kid);
/* The key whose public part equals key's (same thumbprint); NULL when none. */
const cred_key *cred_keyset_find_same(const cred_keyset *set, const cred_key *key);
/* {"keys": [public JWKs with kid, alg, use]} as a new object; NULL when out of memory. */
json_t *cred_keyset_to_jwks(const cred_keyset *set);

#endif
