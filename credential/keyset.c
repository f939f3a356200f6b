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

struct cred_keyset {
    cred_key **v;
    size_t n, cap;
};

cred_keyset *cred_keyset_create(void)
{
    return calloc(1, sizeof(cred_keyset));
}

void cred_keyset_destroy(cred_keyset *set)
{
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        cred_key_destroy(set->v[i]);
    }
    free(set->v);
    free(set);
}

int cred_keyset_add(cred_keyset *set, cred_key *key, cred_error *err)
{
    if (set->n >= CRED_KEYSET_MAX) {
        int rc = cred_error_set(err, CRED_E_JWKS, cred_key_source(key), "more than %d keys",
                                CRED_KEYSET_MAX);
        cred_key_destroy(key);
        return rc;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 4;
        cred_key **v = realloc(set->v, cap * sizeof(*v));
        if (v == NULL) {
            int rc = cred_error_set(err, CRED_E_NOMEM, cred_key_source(key), "out of memory");
            cred_key_destroy(key);
            return rc;
        }
        set->v = v;
        set->cap = cap;
    }
    set->v[set->n++] = key;
    return 0;
}

int cred_keyset_load_jwks_buffer(cred_keyset *set, const char *name, const void *buf,
                                 size_t len, cred_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        return cred_error_set(err, CRED_E_JWKS, name, "%d:%d: %s", je.line, je.column, je.text);
    }
    json_t *keys = json_object_get(root, "keys");
    size_t before = set->n, usable = 0;
    int rc = 0;
    if (!json_is_array(keys)) {
        rc = cred_error_set(err, CRED_E_JWKS, name, "not a JWK Set: no \"keys\" array");
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
        cred_key *k;
        if ((rc = cred_key_from_jwk(jwk, where, &k, err)) != 0 ||
            (rc = cred_keyset_add(set, k, err)) != 0) {
            goto done;
        }
        usable++;
    }
    if (usable == 0) {
        rc = cred_error_set(err, CRED_E_JWKS, name,
                            "no RSA or Ed25519 signature key in the set");
    }
done:
    if (rc != 0) {
        while (set->n > before) {
            cred_key_destroy(set->v[--set->n]);
        }
    }
    json_decref(root);
    return rc;
}

static int jwks_cb(void *ctx, const char *name, const char *buf, size_t len, cred_error *err)
{
    return cred_keyset_load_jwks_buffer(ctx, name, buf, len, err);
}

int cred_keyset_load_jwks_file(cred_keyset *set, const char *path, cred_error *err)
{
    return cred__with_file(path, CRED_KEY_FILE_MAX, jwks_cb, set, err);
}

size_t cred_keyset_count(const cred_keyset *set)
{
    return set->n;
}

const cred_key *cred_keyset_get(const cred_keyset *set, size_t i)
{
    return i < set->n ? set->v[i] : NULL;
}

const cred_key *cred_keyset_find_kid(const cred_keyset *set, const char *kid)
{
    for (size_t i = 0; kid && i < set->n; i++) {
        if (strcmp(cred_key_kid(set->v[i]), kid) == 0) {
            return set->v[i];
        }
    }
    for (size_t i = 0; kid && i < set->n; i++) {
        if (strcmp(cred_key_thumbprint(set->v[i]), kid) == 0) {
            return set->v[i];
        }
    }
    return NULL;
}

const cred_key *cred_keyset_find_same(const cred_keyset *set, const cred_key *key)
{
    for (size_t i = 0; i < set->n; i++) {
        if (strcmp(cred_key_thumbprint(set->v[i]), cred_key_thumbprint(key)) == 0) {
            return set->v[i];
        }
    }
    return NULL;
}

json_t *cred_keyset_to_jwks(const cred_keyset *set)
{
    json_t *keys = json_array();
    for (size_t i = 0; keys && i < set->n; i++) {
        if (json_array_append_new(keys, cred_key_public_jwk(set->v[i], true)) != 0) {
            json_decref(keys);
            return NULL;
        }
    }
    return keys ? json_pack("{s:o}", "keys", keys) : NULL;
}
