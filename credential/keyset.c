/*
 * keyset.c - sets of trusted public keys: adding keys, reading a JWK Set (RFC 7517 section
 * 5), finding a key by kid or by thumbprint, and writing the public JWK Set to publish.
 *
 * Single keys (PEM, JWK, signing) are keys.c's.
 */
#include "keyset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct assay_keyset {
    assay_key **v;
    size_t n, cap;
};

assay_keyset *assay_keyset_create(void)
{
    return calloc(1, sizeof(assay_keyset));
}

void assay_keyset_destroy(assay_keyset *set)
{
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        assay_key_destroy(set->v[i]);
    }
    free(set->v);
    free(set);
}

int assay_keyset_add(assay_keyset *set, assay_key *key, assay_cred_error *err)
{
    if (set->n >= ASSAY_KEYSET_MAX) {
        int rc = assay_cred_error_set(err, ASSAY_CRED_E_JWKS, assay_key_source(key),
                                      "more than %d keys", ASSAY_KEYSET_MAX);
        assay_key_destroy(key);
        return rc;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 4;
        assay_key **v = realloc(set->v, cap * sizeof(*v));
        if (v == NULL) {
            int rc = assay_cred_error_set(err, ASSAY_CRED_E_NOMEM, assay_key_source(key),
                                          "out of memory");
            assay_key_destroy(key);
            return rc;
        }
        set->v = v;
        set->cap = cap;
    }
    set->v[set->n++] = key;
    return 0;
}

int assay_keyset_load_jwks_buffer(assay_keyset *set, const char *name, const void *buf,
                                  size_t len, assay_cred_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        return assay_cred_error_set(err, ASSAY_CRED_E_JWKS, name, "%d:%d: %s", je.line,
                                    je.column, je.text);
    }
    json_t *keys = json_object_get(root, "keys");
    size_t before = set->n, usable = 0;
    int rc = 0;
    if (!json_is_array(keys)) {
        rc = assay_cred_error_set(err, ASSAY_CRED_E_JWKS, name,
                                  "not a JWK Set: no \"keys\" array");
        goto done;
    }
    for (size_t i = 0; i < json_array_size(keys); i++) {
        json_t *jwk = json_array_get(keys, i);
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        char where[300];
        snprintf(where, sizeof(where), "%s: key %zu", name, i + 1);
        if (kty && strcmp(kty, "RSA") != 0 && strcmp(kty, "OKP") != 0 &&
            !json_object_get(jwk, "d") && !json_object_get(jwk, "k")) {
            continue; /* another type (EC, oct...): not ours to use */
        }
        assay_key *k;
        if ((rc = assay_key_from_jwk(jwk, where, &k, err)) != 0 ||
            (rc = assay_keyset_add(set, k, err)) != 0) {
            goto done;
        }
        usable++;
    }
    if (usable == 0) {
        rc = assay_cred_error_set(err, ASSAY_CRED_E_JWKS, name,
                                  "no RSA or Ed25519 signature key in the set");
    }
done:
    if (rc != 0) {
        while (set->n > before) {
            assay_key_destroy(set->v[--set->n]);
        }
    }
    json_decref(root);
    return rc;
}

static int jwks_cb(void *ctx, const char *name, const char *buf, size_t len,
                   assay_cred_error *err)
{
    return assay_keyset_load_jwks_buffer(ctx, name, buf, len, err);
}

int assay_keyset_load_jwks_file(assay_keyset *set, const char *path, assay_cred_error *err)
{
    return assay__cred_with_file(path, ASSAY_KEY_FILE_MAX, jwks_cb, set, err);
}

size_t assay_keyset_count(const assay_keyset *set)
{
    return set->n;
}

const assay_key *assay_keyset_get(const assay_keyset *set, size_t i)
{
    return i < set->n ? set->v[i] : NULL;
}

const assay_key *assay_keyset_find_kid(const assay_keyset *set, const char *kid)
{
    for (size_t i = 0; kid && i < set->n; i++) {
        if (strcmp(assay_key_kid(set->v[i]), kid) == 0) {
            return set->v[i];
        }
    }
    for (size_t i = 0; kid && i < set->n; i++) {
        if (strcmp(assay_key_thumbprint(set->v[i]), kid) == 0) {
            return set->v[i];
        }
    }
    return NULL;
}

const assay_key *assay_keyset_find_same(const assay_keyset *set, const assay_key *key)
{
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(assay_key_thumbprint(set->v[i]), assay_key_thumbprint(key)) == 0) {
            return set->v[i];
        }
    }
    return NULL;
}

json_t *assay_keyset_to_jwks(const assay_keyset *set)
{
    json_t *keys = json_array();
    for (size_t i = 0; keys && i < set->n; i++) {
        if (json_array_append_new(keys, assay_key_public_jwk(set->v[i], true)) != 0) {
            json_decref(keys);
            return NULL;
        }
    }
    return keys ? json_pack("{s:o}", "keys", keys) : NULL;
}
