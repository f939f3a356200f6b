/*
 * keyset.h - a set of trusted public keys, as read from a JWK Set file or given one by one,
 * and the public JWK Set an issuer publishes at its kid URL.
 */
#ifndef ASSAY_CREDENTIAL_KEYSET_H
#define ASSAY_CREDENTIAL_KEYSET_H

#include "keys.h"

/* The most keys one JWK Set may hold. */
#define ASSAY_KEYSET_MAX 100

/* A set of trusted public keys, e.g. a JWK Set. */
typedef struct assay_keyset assay_keyset;

assay_keyset *assay_keyset_create(void);
void assay_keyset_destroy(assay_keyset *set);
/* Adds a key, taking ownership (also on failure, when the key is destroyed). 0 or an
 * error: E_NOMEM, E_JWKS when the set already holds ASSAY_KEYSET_MAX keys. */
int assay_keyset_add(assay_keyset *set, assay_key *key, assay_cred_error *err);
/*
 * Adds every RSA and Ed25519 key of a JWK Set ({"keys": [...]}) file or buffer. Keys of
 * other types (EC, oct...) are skipped; a key with a private member, a malformed key, a
 * weak one or a set with no usable key is an error (E_JWKS, E_JWK_PRIVATE, E_KEY_WEAK)
 * naming the file and the key's position. On error the set is unchanged.
 */
int assay_keyset_load_jwks_file(assay_keyset *set, const char *path, assay_cred_error *err);
int assay_keyset_load_jwks_buffer(assay_keyset *set, const char *name, const void *buf,
                                  size_t len, assay_cred_error *err);
size_t assay_keyset_count(const assay_keyset *set);
/* Borrowed until the set is destroyed. */
const assay_key *assay_keyset_get(const assay_keyset *set, size_t i);
/* The key whose kid equals kid, else whose thumbprint equals kid; NULL when none. */
const assay_key *assay_keyset_find_kid(const assay_keyset *set, const char *kid);
/* The key whose public part equals key's (same thumbprint); NULL when none. */
const assay_key *assay_keyset_find_same(const assay_keyset *set, const assay_key *key);
/* {"keys": [public JWKs with kid, alg, use]} as a new object; NULL when out of memory. */
json_t *assay_keyset_to_jwks(const assay_keyset *set);

#endif
