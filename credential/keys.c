/*
 * keys.c - signing and verification keys through GnuTLS's abstract key API: PEM import of
 * private (PKCS#8, PKCS#1) and public (SPKI) keys, JWK import and export (RSA, OKP
 * Ed25519), the RFC 7638 thumbprint, signing and verifying, and JWK Sets.
 *
 * It does not parse PEM, DER or key structures itself, and never copies key material into
 * an error message. JOSE compact serialisation lives in jws.c.
 */
#include "keys.h"

#include <assay/credential_def.h>

#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cred_key {
    gnutls_privkey_t priv; /* NULL for a public key */
    gnutls_pubkey_t pub;
    cred_key_type type;
    unsigned bits;
    char *n, *e; /* RSA members, base64url */
    char *x;     /* Ed25519 member, base64url */
    char thumbprint[64];
    char *kid; /* NULL: the thumbprint */
    char source[256];
};

static bool contains(const void *buf, size_t len, const char *needle)
{
    size_t k = strlen(needle);
    const char *p = buf;
    for (size_t i = 0; i + k <= len; i++) {
        if (memcmp(p + i, needle, k) == 0) {
            return true;
        }
    }
    return false;
}

static cred_key *key_new(const char *source)
{
    cred_key *k = calloc(1, sizeof(*k));
    if (k && gnutls_pubkey_init(&k->pub) < 0) {
        free(k);
        return NULL;
    }
    if (k) {
        snprintf(k->source, sizeof(k->source), "%s", source ? source : "key");
    }
    return k;
}

void cred_key_destroy(cred_key *k)
{
    if (k == NULL) {
        return;
    }
    if (k->priv) {
        gnutls_privkey_deinit(k->priv);
    }
    gnutls_pubkey_deinit(k->pub);
    free(k->n);
    free(k->e);
    free(k->x);
    free(k->kid);
    cred_wipe(k, sizeof(*k));
    free(k);
}

/* Base64url of a GnuTLS datum, which it frees. */
static char *b64_datum(gnutls_datum_t *d)
{
    char *s = cred_b64url_encode(d->data, d->size);
    gnutls_free(d->data);
    d->data = NULL;
    return s;
}

/*
 * Checks the type and size of k->pub and fills the JWK members and the thumbprint.
 * where names the key in messages.
 */
static int key_finish(cred_key *k, cred_error *err)
{
    unsigned bits = 0;
    int pk = gnutls_pubkey_get_pk_algorithm(k->pub, &bits);
    char canon[4096];
    if (pk == GNUTLS_PK_RSA) {
        if (bits < CRED_KEY_RSA_MIN_BITS) {
            return cred_error_set(err, CRED_E_KEY_WEAK, k->source,
                                  "RSA key of %u bits: at least %d required", bits,
                                  CRED_KEY_RSA_MIN_BITS);
        }
        if (bits > CRED_KEY_RSA_MAX_BITS) {
            return cred_error_set(err, CRED_E_KEY_TYPE, k->source,
                                  "RSA key of %u bits: at most %d supported", bits,
                                  CRED_KEY_RSA_MAX_BITS);
        }
        gnutls_datum_t m = {NULL, 0}, e = {NULL, 0};
        if (gnutls_pubkey_export_rsa_raw2(k->pub, &m, &e, GNUTLS_EXPORT_FLAG_NO_LZ) < 0) {
            return cred_error_set(err, CRED_E_CRYPTO, k->source,
                                  "cannot export the RSA public key");
        }
        k->type = CRED_KEY_RSA;
        k->n = b64_datum(&m);
        k->e = b64_datum(&e);
        if (k->n == NULL || k->e == NULL) {
            return cred_error_set(err, CRED_E_NOMEM, k->source, "out of memory");
        }
        /* RFC 7638: the required members in lexicographic order, no white space. */
        snprintf(canon, sizeof(canon), "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", k->e,
                 k->n);
    } else if (pk == GNUTLS_PK_EDDSA_ED25519) {
        gnutls_ecc_curve_t curve;
        gnutls_datum_t x = {NULL, 0};
        if (gnutls_pubkey_export_ecc_raw2(k->pub, &curve, &x, NULL, 0) < 0 ||
            curve != GNUTLS_ECC_CURVE_ED25519) {
            gnutls_free(x.data);
            return cred_error_set(err, CRED_E_CRYPTO, k->source,
                                  "cannot export the Ed25519 public key");
        }
        k->type = CRED_KEY_ED25519;
        k->x = b64_datum(&x);
        if (k->x == NULL) {
            return cred_error_set(err, CRED_E_NOMEM, k->source, "out of memory");
        }
        snprintf(canon, sizeof(canon), "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}",
                 k->x);
    } else {
        const char *name = gnutls_pk_get_name((gnutls_pk_algorithm_t)pk);
        return cred_error_set(
            err, CRED_E_KEY_TYPE, k->source,
            "a %s key: RS256 needs an RSA key (at least %d bits), EdDSA an Ed25519 key",
            name ? name : "unknown", CRED_KEY_RSA_MIN_BITS);
    }
    k->bits = bits;
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(canon), (const uint8_t *)canon);
    sha256_digest(&ctx, sizeof(digest), digest);
    char *tp = cred_b64url_encode(digest, sizeof(digest));
    if (tp == NULL) {
        return cred_error_set(err, CRED_E_NOMEM, k->source, "out of memory");
    }
    snprintf(k->thumbprint, sizeof(k->thumbprint), "%s", tp);
    free(tp);
    return 0;
}

/* Ends a load: when rc is 0, checks and describes the key and hands it out; else frees it. */
static int load_done(cred_key *k, int rc, cred_key **out, cred_error *err)
{
    if (rc == 0) {
        rc = key_finish(k, err);
    }
    if (rc != 0) {
        cred_key_destroy(k);
        return rc;
    }
    *out = k;
    return 0;
}

int cred_key_load_private_buffer(const char *name, const void *pem, size_t len, cred_key **out,
                                 cred_error *err)
{
    cred_key *k = key_new(name);
    if (k == NULL || gnutls_privkey_init(&k->priv) < 0) {
        cred_key_destroy(k);
        return cred_error_set(err, CRED_E_NOMEM, name, "out of memory");
    }
    int rc;
    if (len == 0 || len > UINT32_MAX) {
        rc = cred_error_set(err, CRED_E_KEY, k->source,
                            "not a PEM private key (empty or oversized)");
        goto done;
    }
    if (contains(pem, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        rc = cred_error_set(err, CRED_E_KEY, k->source,
                            "an encrypted PKCS#8 key: Assay reads unencrypted PEM "
                            "keys; protect the file with mode 0600 instead");
        goto done;
    }
    if (contains(pem, len, "-----BEGIN PUBLIC KEY-----") &&
        !contains(pem, len, "PRIVATE KEY-----")) {
        rc = cred_error_set(err, CRED_E_KEY, k->source, "a public key, not a private key");
        goto done;
    }
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)len};
    int g = gnutls_privkey_import_x509_raw(k->priv, &d, GNUTLS_X509_FMT_PEM, NULL,
                                           GNUTLS_PKCS_PLAIN);
    if (g < 0) {
        rc = cred_error_set(err, CRED_E_KEY, k->source,
                            "not a PEM private key (PKCS#8 or PKCS#1 expected): %s",
                            gnutls_strerror(g));
        goto done;
    }
    if (gnutls_pubkey_import_privkey(k->pub, k->priv, 0, 0) < 0) {
        rc = cred_error_set(err, CRED_E_KEY, k->source, "cannot derive the public key");
        goto done;
    }
    rc = 0;
done:
    return load_done(k, rc, out, err);
}

int cred_key_load_public_buffer(const char *name, const void *pem, size_t len, cred_key **out,
                                cred_error *err)
{
    cred_key *k = key_new(name);
    if (k == NULL) {
        return cred_error_set(err, CRED_E_NOMEM, name, "out of memory");
    }
    int rc;
    if (contains(pem, len, "PRIVATE KEY-----")) {
        rc = cred_error_set(err, CRED_E_KEY, k->source,
                            "a private key: give the public key (SPKI PEM, "
                            "\"-----BEGIN PUBLIC KEY-----\") or a JWK Set");
        goto done;
    }
    if (len == 0 || len > UINT32_MAX) {
        rc = cred_error_set(err, CRED_E_KEY, k->source,
                            "not a PEM public key (empty or oversized)");
        goto done;
    }
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)len};
    int g = gnutls_pubkey_import(k->pub, &d, GNUTLS_X509_FMT_PEM);
    if (g < 0) {
        rc = cred_error_set(err, CRED_E_KEY, k->source,
                            "not a PEM public key (SPKI \"-----BEGIN PUBLIC KEY-----\" "
                            "expected): %s",
                            gnutls_strerror(g));
        goto done;
    }
    rc = 0;
done:
    return load_done(k, rc, out, err);
}

struct load_ctx {
    bool private_key;
    cred_key **out;
};

static int load_cb(void *ctx, const char *name, const char *buf, size_t len, cred_error *err)
{
    struct load_ctx *c = ctx;
    return c->private_key ? cred_key_load_private_buffer(name, buf, len, c->out, err)
                          : cred_key_load_public_buffer(name, buf, len, c->out, err);
}

int cred_key_load_private_file(const char *path, cred_key **out, cred_error *err)
{
    struct load_ctx c = {true, out};
    return cred__with_file(path, CRED_KEY_FILE_MAX, load_cb, &c, err);
}

int cred_key_load_public_file(const char *path, cred_key **out, cred_error *err)
{
    struct load_ctx c = {false, out};
    return cred__with_file(path, CRED_KEY_FILE_MAX, load_cb, &c, err);
}

/* The base64url member name of jwk, decoded; E_JWK_INVALID naming it when absent or bad. */
static int jwk_bytes(const json_t *jwk, const char *name, const char *where, uint8_t **out,
                     size_t *len, cred_error *err)
{
    const char *s = json_string_value(json_object_get(jwk, name));
    if (s == NULL) {
        return cred_error_set(err, CRED_E_JWK_INVALID, where,
                              "member \"%s\" missing or not a string", name);
    }
    int rc = cred_b64url_decode(s, strlen(s), out, len);
    if (rc == CRED_E_NOMEM) {
        return cred_error_set(err, rc, where, "out of memory");
    }
    if (rc != 0 || *len == 0) {
        if (rc == 0) {
            free(*out);
        }
        return cred_error_set(err, CRED_E_JWK_INVALID, where, "member \"%s\" is not base64url",
                              name);
    }
    return 0;
}

int cred_key_from_jwk(const json_t *jwk, const char *where, cred_key **out, cred_error *err)
{
    static const char *const private_members[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};
    if (!json_is_object(jwk)) {
        return cred_error_set(err, CRED_E_JWK_INVALID, where, "not a JSON object");
    }
    for (size_t i = 0; i < sizeof(private_members) / sizeof(private_members[0]); i++) {
        if (json_object_get(jwk, private_members[i])) {
            return cred_error_set(
                err, CRED_E_JWK_PRIVATE, where,
                "has the private member \"%s\": only public keys may be published or sent",
                private_members[i]);
        }
    }
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *use = json_string_value(json_object_get(jwk, "use"));
    const char *alg = json_string_value(json_object_get(jwk, "alg"));
    const json_t *kid = json_object_get(jwk, "kid");
    if (kty == NULL) {
        return cred_error_set(err, CRED_E_JWK_INVALID, where,
                              "member \"kty\" missing or not a string");
    }
    if (json_object_get(jwk, "use") && (use == NULL || strcmp(use, "sig") != 0)) {
        return cred_error_set(err, CRED_E_JWK_INVALID, where,
                              "\"use\" is not \"sig\": not a signature key");
    }
    if (kid && (!json_is_string(kid) || json_string_length(kid) == 0)) {
        return cred_error_set(err, CRED_E_JWK_INVALID, where,
                              "\"kid\" is not a non-empty string");
    }
    cred_key *k = key_new(where);
    if (k == NULL) {
        return cred_error_set(err, CRED_E_NOMEM, where, "out of memory");
    }
    int rc;
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    if (strcmp(kty, "RSA") == 0) {
        if ((rc = jwk_bytes(jwk, "n", where, &a, &alen, err)) != 0 ||
            (rc = jwk_bytes(jwk, "e", where, &b, &blen, err)) != 0) {
            goto fail;
        }
        gnutls_datum_t m = {a, (unsigned)alen}, e = {b, (unsigned)blen};
        if (alen > CRED_KEY_RSA_MAX_BITS / 8 + 1 || blen > 64 ||
            gnutls_pubkey_import_rsa_raw(k->pub, &m, &e) < 0) {
            rc = cred_error_set(err, CRED_E_JWK_INVALID, where, "not a usable RSA public key");
            goto fail;
        }
    } else if (strcmp(kty, "OKP") == 0) {
        const char *crv = json_string_value(json_object_get(jwk, "crv"));
        if (crv == NULL || strcmp(crv, "Ed25519") != 0) {
            rc = cred_error_set(err, CRED_E_JWK_INVALID, where,
                                "OKP key on curve \"%s\": only Ed25519 is supported",
                                crv ? crv : "(none)");
            goto fail;
        }
        if ((rc = jwk_bytes(jwk, "x", where, &a, &alen, err)) != 0) {
            goto fail;
        }
        gnutls_datum_t x = {a, (unsigned)alen};
        if (alen != 32 ||
            gnutls_pubkey_import_ecc_raw(k->pub, GNUTLS_ECC_CURVE_ED25519, &x, NULL) < 0) {
            rc = cred_error_set(err, CRED_E_JWK_INVALID, where,
                                "\"x\" is not a 32-byte Ed25519 public key");
            goto fail;
        }
    } else {
        rc = cred_error_set(err, CRED_E_JWK_INVALID, where,
                            "key type \"%s\": only RSA and OKP (Ed25519) are supported", kty);
        goto fail;
    }
    if ((rc = key_finish(k, err)) != 0) {
        goto fail;
    }
    if (alg && cred_jws_alg_from_name(alg) != cred_key_alg(k)) {
        rc = cred_error_set(err, CRED_E_JWK_INVALID, where, "\"alg\" %s does not fit a %s key",
                            alg, cred_key_type_name(k));
        goto fail;
    }
    if (kid && (rc = cred_key_set_kid(k, json_string_value(kid))) != 0) {
        cred_error_set(err, rc, where, "out of memory");
        goto fail;
    }
    free(a);
    free(b);
    *out = k;
    return 0;
fail:
    free(a);
    free(b);
    cred_key_destroy(k);
    return rc;
}

cred_key_type cred_key_get_type(const cred_key *k)
{
    return k->type;
}

const char *cred_key_type_name(const cred_key *k)
{
    return k->type == CRED_KEY_RSA ? "RSA" : "Ed25519";
}

unsigned cred_key_bits(const cred_key *k)
{
    return k->bits;
}

bool cred_key_has_private(const cred_key *k)
{
    return k->priv != NULL;
}

cred_jws_alg cred_key_alg(const cred_key *k)
{
    return k->type == CRED_KEY_RSA ? CRED_ALG_RS256 : CRED_ALG_EDDSA;
}

const char *cred_key_thumbprint(const cred_key *k)
{
    return k->thumbprint;
}

const char *cred_key_kid(const cred_key *k)
{
    return k->kid ? k->kid : k->thumbprint;
}

int cred_key_set_kid(cred_key *k, const char *kid)
{
    if (kid == NULL || *kid == '\0') {
        return CRED_E_ARG;
    }
    char *copy = strdup(kid);
    if (copy == NULL) {
        return CRED_E_NOMEM;
    }
    free(k->kid);
    k->kid = copy;
    return 0;
}

int cred_key_set_kid_base(cred_key *k, const char *base)
{
    if (!assay_credential_uri_ok(base)) {
        return CRED_E_ARG;
    }
    size_t n = strlen(base);
    bool sep = base[n - 1] == '/' || base[n - 1] == '#';
    char *kid = malloc(n + 1 + strlen(k->thumbprint) + 1);
    if (kid == NULL) {
        return CRED_E_NOMEM;
    }
    sprintf(kid, "%s%s%s", base, sep ? "" : "#", k->thumbprint);
    free(k->kid);
    k->kid = kid;
    return 0;
}

const char *cred_key_source(const cred_key *k)
{
    return k->source;
}

json_t *cred_key_public_jwk(const cred_key *k, bool with_meta)
{
    json_t *j = k->type == CRED_KEY_RSA
                    ? json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", k->n, "e", k->e)
                    : json_pack("{s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed25519", "x", k->x);
    if (j && with_meta &&
        (json_object_set_new(j, "kid", json_string(cred_key_kid(k))) != 0 ||
         json_object_set_new(j, "alg", json_string(cred_jws_alg_name(cred_key_alg(k)))) != 0 ||
         json_object_set_new(j, "use", json_string("sig")) != 0)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

const char *cred_jws_alg_name(cred_jws_alg alg)
{
    switch (alg) {
    case CRED_ALG_RS256:
        return "RS256";
    case CRED_ALG_EDDSA:
        return "EdDSA";
    default:
        return NULL;
    }
}

cred_jws_alg cred_jws_alg_from_name(const char *name)
{
    if (name && strcmp(name, "RS256") == 0) {
        return CRED_ALG_RS256;
    }
    if (name && strcmp(name, "EdDSA") == 0) {
        return CRED_ALG_EDDSA;
    }
    return CRED_ALG_NONE;
}

static int alg_check(const cred_key *k, cred_jws_alg alg, gnutls_sign_algorithm_t *sa,
                     cred_error *err)
{
    if (alg != cred_key_alg(k)) {
        const char *name = cred_jws_alg_name(alg);
        return cred_error_set(err, CRED_E_ALG_KEY_MISMATCH, k->source,
                              "alg %s does not fit the %s key", name ? name : "(none)",
                              cred_key_type_name(k));
    }
    *sa = alg == CRED_ALG_RS256 ? GNUTLS_SIGN_RSA_SHA256 : GNUTLS_SIGN_EDDSA_ED25519;
    return 0;
}

int cred_key_sign(const cred_key *k, cred_jws_alg alg, const void *data, size_t len,
                  uint8_t **sig, size_t *sig_len, cred_error *err)
{
    gnutls_sign_algorithm_t sa = GNUTLS_SIGN_UNKNOWN;
    int rc = alg_check(k, alg, &sa, err);
    if (rc != 0) {
        return rc;
    }
    if (k->priv == NULL) {
        return cred_error_set(err, CRED_E_ARG, k->source, "a public key cannot sign");
    }
    if (len > UINT32_MAX) {
        return cred_error_set(err, CRED_E_ARG, k->source, "data too large");
    }
    gnutls_datum_t d = {(unsigned char *)data, (unsigned)len}, s = {NULL, 0};
    int g = gnutls_privkey_sign_data2(k->priv, sa, 0, &d, &s);
    if (g < 0) {
        return cred_error_set(err, CRED_E_CRYPTO, k->source, "signing failed: %s",
                              gnutls_strerror(g));
    }
    uint8_t *copy = malloc(s.size ? s.size : 1);
    if (copy == NULL) {
        gnutls_free(s.data);
        return cred_error_set(err, CRED_E_NOMEM, k->source, "out of memory");
    }
    memcpy(copy, s.data, s.size);
    *sig = copy;
    *sig_len = s.size;
    gnutls_free(s.data);
    return 0;
}

int cred_key_verify(const cred_key *k, cred_jws_alg alg, const void *data, size_t len,
                    const uint8_t *sig, size_t sig_len, cred_error *err)
{
    gnutls_sign_algorithm_t sa = GNUTLS_SIGN_UNKNOWN;
    int rc = alg_check(k, alg, &sa, err);
    if (rc != 0) {
        return rc;
    }
    size_t want = k->type == CRED_KEY_RSA ? (k->bits + 7) / 8 : 64;
    if (sig_len != want) {
        return cred_error_set(err, CRED_E_SIGNATURE, "signature",
                              "%zu bytes where %s with this key gives %zu", sig_len,
                              cred_jws_alg_name(alg), want);
    }
    if (len > UINT32_MAX) {
        return cred_error_set(err, CRED_E_ARG, k->source, "data too large");
    }
    gnutls_datum_t d = {(unsigned char *)data, (unsigned)len};
    gnutls_datum_t s = {(unsigned char *)sig, (unsigned)sig_len};
    if (gnutls_pubkey_verify_data2(k->pub, sa, 0, &d, &s) < 0) {
        return cred_error_set(err, CRED_E_SIGNATURE, "signature", "does not verify with key %s",
                              cred_key_kid(k));
    }
    return 0;
}

bool cred_key_file_exposed(const char *path, unsigned *mode)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return false;
    }
    if (mode) {
        *mode = (unsigned)(st.st_mode & 07777);
    }
    return (st.st_mode & 077) != 0;
}
