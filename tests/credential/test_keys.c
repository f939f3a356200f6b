/*
 * test_keys.c - unit tests of credential/keys.c and keyset.c: PEM private keys (PKCS#8 and
 * PKCS#1 RSA, PKCS#8 Ed25519) and SPKI public keys through GnuTLS, the errors for files
 * that are not usable keys, JWK export and import, the RFC 7638 thumbprint against RFC
 * 8037's published value, RFC 8037's Ed25519 signature, kids, and JWK Sets.
 *
 * Usage: test-credential-keys DATA_DIR (tests/credential/data).
 */
#include "credtest.h"
#include "tap.h"

#include <sys/stat.h>
#include <unistd.h>

/* Expects loading name to fail with code and a message containing text. */
static void load_fails(const char *name, bool private_key, int code, const char *text)
{
    cred_key *k = NULL;
    cred_error err = {0};
    int rc = private_key ? cred_key_load_private_file(credtest_path(name), &k, &err)
                         : cred_key_load_public_file(credtest_path(name), &k, &err);
    ASSERT_INT_EQ(rc, code);
    ASSERT(k == NULL);
    char msg[1024];
    cred_error_format(&err, msg, sizeof(msg));
    ASSERT_STR_CONTAINS(msg, name);
    ASSERT_STR_CONTAINS(msg, text);
    /* No key material in messages: no base64 DER (RSA keys start "MII", Ed25519 PKCS#8
     * "MC4CAQAw") and no line of the file. */
    ASSERT(strstr(msg, "MII") == NULL && strstr(msg, "MC4CAQAw") == NULL);
}

static void test_pem_loading(void)
{
    cred_key *p8 = credtest_key("rsa2048-pkcs8.pem", true);
    cred_key *p1 = credtest_key("rsa2048-pkcs1.pem", true);
    cred_key *pub = credtest_key("rsa2048-spki.pem", false);
    ASSERT_INT_EQ(cred_key_get_type(p8), CRED_KEY_RSA);
    ASSERT_INT_EQ(cred_key_bits(p8), 2048);
    ASSERT(cred_key_has_private(p8) && cred_key_has_private(p1));
    ASSERT(!cred_key_has_private(pub));
    ASSERT_INT_EQ(cred_key_alg(p8), CRED_ALG_RS256);
    ASSERT_STR_EQ(cred_key_thumbprint(p1), cred_key_thumbprint(p8));
    ASSERT_STR_EQ(cred_key_thumbprint(pub), cred_key_thumbprint(p8));
    ASSERT_INT_EQ(strlen(cred_key_thumbprint(p8)), 43);
    ASSERT_STR_EQ(cred_key_kid(p8), cred_key_thumbprint(p8));
    cred_key_destroy(p8);
    cred_key_destroy(p1);
    cred_key_destroy(pub);

    cred_key *ed = credtest_key("ed25519-rfc8037-pkcs8.pem", true);
    cred_key *edpub = credtest_key("ed25519-rfc8037-spki.pem", false);
    ASSERT_INT_EQ(cred_key_get_type(ed), CRED_KEY_ED25519);
    ASSERT_STR_EQ(cred_key_type_name(ed), "Ed25519");
    ASSERT_INT_EQ(cred_key_alg(ed), CRED_ALG_EDDSA);
    /* RFC 8037 Appendix A.3: the thumbprint of the Appendix A.1 key. */
    ASSERT_STR_EQ(cred_key_thumbprint(ed), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    ASSERT_STR_EQ(cred_key_thumbprint(edpub), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    json_t *jwk = cred_key_public_jwk(ed, false);
    ASSERT_STR_EQ(json_string_value(json_object_get(jwk, "x")),
                  "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    ASSERT_STR_EQ(json_string_value(json_object_get(jwk, "crv")), "Ed25519");
    ASSERT_STR_EQ(json_string_value(json_object_get(jwk, "kty")), "OKP");
    ASSERT(json_object_get(jwk, "d") == NULL);
    ASSERT_INT_EQ(json_object_size(jwk), 3);
    json_decref(jwk);

    /* RFC 8037 Appendix A.4: Ed25519 is deterministic, so the signature is the RFC's. */
    const char *input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    ASSERT_INT_EQ(cred_key_sign(ed, CRED_ALG_EDDSA, input, strlen(input), &sig, &sig_len, NULL),
                  0);
    char *s64 = cred_b64url_encode(sig, sig_len);
    ASSERT_STR_EQ(s64,
                  "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7s"
                  "VvpAr_MuM0KAg");
    ASSERT_INT_EQ(
        cred_key_verify(edpub, CRED_ALG_EDDSA, input, strlen(input), sig, sig_len, NULL), 0);
    sig[0] ^= 1;
    ASSERT_INT_EQ(
        cred_key_verify(edpub, CRED_ALG_EDDSA, input, strlen(input), sig, sig_len, NULL),
        CRED_E_SIGNATURE);
    free(sig);
    free(s64);
    cred_key_destroy(ed);
    cred_key_destroy(edpub);
}

static void test_pem_errors(void)
{
    load_fails("not-a-key.pem", true, CRED_E_KEY, "not a PEM private key");
    load_fails("no-such-file.pem", true, CRED_E_IO, "cannot read");
    load_fails("rsa1024-pkcs8.pem", true, CRED_E_KEY_WEAK,
               "RSA key of 1024 bits: at least 2048 required");
    load_fails("rsa1024-spki.pem", false, CRED_E_KEY_WEAK, "RSA key of 1024 bits");
    load_fails("ec-p256-pkcs8.pem", true, CRED_E_KEY_TYPE, "EdDSA an Ed25519 key");
    load_fails("rsa2048-pkcs8-encrypted.pem", true, CRED_E_KEY, "encrypted PKCS#8");
    load_fails("rsa2048-spki.pem", true, CRED_E_KEY, "a public key, not a private key");
    load_fails("rsa2048-pkcs8.pem", false, CRED_E_KEY, "a private key: give the public");
    load_fails("not-a-key.pem", false, CRED_E_KEY, "not a PEM public key");

    cred_key *k = NULL;
    cred_error err = {0};
    ASSERT_INT_EQ(cred_key_load_private_buffer("empty", "", 0, &k, &err), CRED_E_KEY);
    cred_error_clear(&err);
    const char junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    ASSERT_INT_EQ(cred_key_load_private_buffer("junk", junk, sizeof(junk) - 1, &k, &err),
                  CRED_E_KEY);
    ASSERT(k == NULL);
}

static void test_sign_verify(void)
{
    cred_key *k = credtest_key("rsa2048-pkcs1.pem", true);
    cred_key *pub = credtest_key("rsa2048-spki.pem", false);
    cred_key *other = credtest_key("rsa2048-other-spki.pem", false);
    const char data[] = "header.payload";
    uint8_t *sig = NULL;
    size_t n = 0;
    cred_error err = {0};
    ASSERT_INT_EQ(cred_key_sign(k, CRED_ALG_RS256, data, strlen(data), &sig, &n, &err), 0);
    ASSERT_INT_EQ(n, 256);
    ASSERT_INT_EQ(cred_key_verify(pub, CRED_ALG_RS256, data, strlen(data), sig, n, NULL), 0);
    ASSERT_INT_EQ(cred_key_verify(other, CRED_ALG_RS256, data, strlen(data), sig, n, NULL),
                  CRED_E_SIGNATURE);
    ASSERT_INT_EQ(cred_key_verify(pub, CRED_ALG_RS256, data, 5, sig, n, NULL),
                  CRED_E_SIGNATURE);
    ASSERT_INT_EQ(cred_key_verify(pub, CRED_ALG_RS256, data, strlen(data), sig, n - 1, NULL),
                  CRED_E_SIGNATURE);
    ASSERT_INT_EQ(cred_key_verify(pub, CRED_ALG_EDDSA, data, strlen(data), sig, n, NULL),
                  CRED_E_ALG_KEY_MISMATCH);
    free(sig);
    sig = NULL;
    ASSERT_INT_EQ(cred_key_sign(k, CRED_ALG_EDDSA, data, strlen(data), &sig, &n, &err),
                  CRED_E_ALG_KEY_MISMATCH);
    ASSERT_STR_CONTAINS(err.message, "alg EdDSA does not fit the RSA key");
    cred_error_clear(&err);
    ASSERT_INT_EQ(cred_key_sign(pub, CRED_ALG_RS256, data, strlen(data), &sig, &n, &err),
                  CRED_E_ARG);
    ASSERT(sig == NULL);
    cred_key_destroy(k);
    cred_key_destroy(pub);
    cred_key_destroy(other);
}

static void test_kids(void)
{
    cred_key *k = credtest_key("ed25519-rfc8037-spki.pem", false);
    const char *tp = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
    ASSERT_INT_EQ(cred_key_set_kid_base(k, "https://example.edu/issuer/jwks.json"), 0);
    ASSERT_STR_EQ(cred_key_kid(k), "https://example.edu/issuer/jwks.json#kPrK_qmxVWaYVA9wwBF6I"
                                   "uo3vVzz7TxHCTwXBygrS4k");
    ASSERT_INT_EQ(cred_key_set_kid_base(k, "https://example.edu/keys/"), 0);
    ASSERT_STR_EQ(cred_key_kid(k), "https://example.edu/keys/kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHC"
                                   "TwXBygrS4k");
    ASSERT_INT_EQ(cred_key_set_kid_base(k, "not a uri"), CRED_E_ARG);
    ASSERT_INT_EQ(cred_key_set_kid(k, ""), CRED_E_ARG);
    ASSERT_INT_EQ(cred_key_set_kid(k, "key-1"), 0);
    ASSERT_STR_EQ(cred_key_kid(k), "key-1");
    ASSERT_STR_EQ(cred_key_thumbprint(k), tp);
    json_t *jwk = cred_key_public_jwk(k, true);
    ASSERT_STR_EQ(json_string_value(json_object_get(jwk, "kid")), "key-1");
    ASSERT_STR_EQ(json_string_value(json_object_get(jwk, "alg")), "EdDSA");
    ASSERT_STR_EQ(json_string_value(json_object_get(jwk, "use")), "sig");
    json_decref(jwk);
    cred_key_destroy(k);
}

/* Imports JWK text; returns the code, destroying any key. */
static int jwk_code(const char *text, char *msg, size_t size)
{
    json_t *j = json_loads(text, 0, NULL);
    cred_key *k = NULL;
    cred_error err = {0};
    int rc = cred_key_from_jwk(j, "jwk", &k, &err);
    if (msg) {
        cred_error_format(&err, msg, size);
    }
    cred_key_destroy(k);
    json_decref(j);
    return rc;
}

static void test_jwk_import(void)
{
    cred_key *rsa = credtest_key("rsa2048-pkcs8.pem", true);
    json_t *jwk = cred_key_public_jwk(rsa, true);
    ASSERT(json_object_get(jwk, "d") == NULL && json_object_get(jwk, "p") == NULL);
    cred_key *back = NULL;
    ASSERT_INT_EQ(cred_key_from_jwk(jwk, "jwk", &back, NULL), 0);
    ASSERT_STR_EQ(cred_key_thumbprint(back), cred_key_thumbprint(rsa));
    ASSERT(!cred_key_has_private(back));
    cred_key_destroy(back);

    /* A private member anywhere is refused, whatever else the JWK says. */
    json_object_set_new(jwk, "d", json_string("AAAA"));
    char msg[1024];
    char *text = json_dumps(jwk, 0);
    ASSERT_INT_EQ(jwk_code(text, msg, sizeof(msg)), CRED_E_JWK_PRIVATE);
    ASSERT_STR_CONTAINS(msg, "private member \"d\"");
    free(text);
    json_decref(jwk);
    cred_key_destroy(rsa);

    const char *x = "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"";
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",%s,\"kid\":\"k1\"}", x);
    ASSERT_INT_EQ(jwk_code(buf, NULL, 0), 0);
    snprintf(buf, sizeof(buf), "{\"kty\":\"OKP\",\"crv\":\"X25519\",%s}", x);
    ASSERT_INT_EQ(jwk_code(buf, msg, sizeof(msg)), CRED_E_JWK_INVALID);
    ASSERT_STR_CONTAINS(msg, "only Ed25519");
    snprintf(buf, sizeof(buf), "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",%s,\"use\":\"enc\"}", x);
    ASSERT_INT_EQ(jwk_code(buf, NULL, 0), CRED_E_JWK_INVALID);
    snprintf(buf, sizeof(buf), "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",%s,\"alg\":\"RS256\"}", x);
    ASSERT_INT_EQ(jwk_code(buf, msg, sizeof(msg)), CRED_E_JWK_INVALID);
    ASSERT_STR_CONTAINS(msg, "does not fit");
    ASSERT_INT_EQ(jwk_code("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}", NULL, 0),
                  CRED_E_JWK_INVALID);
    ASSERT_INT_EQ(jwk_code("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"A=A\"}", NULL, 0),
                  CRED_E_JWK_INVALID);
    ASSERT_INT_EQ(jwk_code("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}", msg,
                           sizeof(msg)),
                  CRED_E_JWK_INVALID);
    ASSERT_STR_CONTAINS(msg, "only RSA and OKP");
    ASSERT_INT_EQ(jwk_code("{\"kty\":\"RSA\",\"n\":\"AQAB\"}", msg, sizeof(msg)),
                  CRED_E_JWK_INVALID);
    ASSERT_STR_CONTAINS(msg, "\"e\" missing");
    ASSERT_INT_EQ(jwk_code("{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", NULL, 0),
                  CRED_E_KEY_WEAK);
    ASSERT_INT_EQ(jwk_code("[1]", NULL, 0), CRED_E_JWK_INVALID);
    ASSERT_INT_EQ(jwk_code("{\"crv\":\"Ed25519\"}", NULL, 0), CRED_E_JWK_INVALID);
}

static int jwks_code(cred_keyset *set, const char *text, char *msg, size_t size)
{
    cred_error err = {0};
    int rc = cred_keyset_load_jwks_buffer(set, "jwks.json", text, strlen(text), &err);
    if (msg) {
        cred_error_format(&err, msg, size);
    }
    return rc;
}

static void test_keysets(void)
{
    cred_key *rsa = credtest_key("rsa2048-pkcs8.pem", true);
    cred_key *ed = credtest_key("ed25519-rfc8037-pkcs8.pem", true);
    cred_key_set_kid(rsa, "https://example.edu/jwks.json#rsa");
    cred_keyset *mine = cred_keyset_create();
    ASSERT_INT_EQ(cred_keyset_add(mine, rsa, NULL), 0);
    ASSERT_INT_EQ(cred_keyset_add(mine, ed, NULL), 0);
    json_t *jwks = cred_keyset_to_jwks(mine);
    json_t *ec =
        json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", "AA", "y", "AA");
    json_array_append_new(json_object_get(jwks, "keys"), ec);
    char *text = json_dumps(jwks, 0);
    ASSERT(strstr(text, "\"d\"") == NULL);

    cred_keyset *set = cred_keyset_create();
    char msg[1024];
    ASSERT_INT_EQ(jwks_code(set, text, msg, sizeof(msg)), 0);
    ASSERT_INT_EQ(cred_keyset_count(set), 2); /* the EC key is skipped */
    const cred_key *found = cred_keyset_find_kid(set, "https://example.edu/jwks.json#rsa");
    ASSERT(found && strcmp(cred_key_thumbprint(found), cred_key_thumbprint(rsa)) == 0);
    found = cred_keyset_find_kid(set, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    ASSERT(found && cred_key_get_type(found) == CRED_KEY_ED25519);
    ASSERT(cred_keyset_find_kid(set, "nope") == NULL);
    ASSERT(cred_keyset_find_same(set, ed) != NULL);
    free(text);

    /* Errors leave the set as it was. */
    json_object_set_new(json_array_get(json_object_get(jwks, "keys"), 1), "d",
                        json_string("AAAA"));
    text = json_dumps(jwks, 0);
    ASSERT_INT_EQ(jwks_code(set, text, msg, sizeof(msg)), CRED_E_JWK_PRIVATE);
    ASSERT_STR_CONTAINS(msg, "jwks.json: key 2: has the private member \"d\"");
    ASSERT_INT_EQ(cred_keyset_count(set), 2);
    free(text);
    ASSERT_INT_EQ(jwks_code(set, "{\"keys\": [", msg, sizeof(msg)), CRED_E_JWKS);
    ASSERT_STR_CONTAINS(msg, "jwks.json: 1:");
    ASSERT_INT_EQ(jwks_code(set, "{\"keys\": 3}", msg, sizeof(msg)), CRED_E_JWKS);
    ASSERT_STR_CONTAINS(msg, "no \"keys\" array");
    ASSERT_INT_EQ(jwks_code(set, "{\"keys\": []}", msg, sizeof(msg)), CRED_E_JWKS);
    ASSERT_STR_CONTAINS(msg, "no RSA or Ed25519");
    ASSERT_INT_EQ(jwks_code(set, "{\"keys\": [], \"keys\": []}", NULL, 0), CRED_E_JWKS);
    ASSERT_INT_EQ(
        jwks_code(set, "{\"keys\": [{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}", msg, sizeof(msg)),
        CRED_E_JWK_PRIVATE);
    ASSERT_INT_EQ(cred_keyset_count(set), 2);
    cred_error err = {0};
    ASSERT_INT_EQ(cred_keyset_load_jwks_file(set, credtest_path("missing.json"), &err),
                  CRED_E_IO);
    json_decref(jwks);
    cred_keyset_destroy(set);
    cred_keyset_destroy(mine);
    cred_keyset_destroy(NULL);
    cred_key_destroy(NULL);
}

static void test_file_mode(void)
{
    char path[] = "/tmp/assay-key-mode-XXXXXX";
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    close(fd);
    unsigned mode = 0;
    chmod(path, 0600);
    ASSERT(!cred_key_file_exposed(path, &mode));
    ASSERT_INT_EQ(mode, 0600);
    chmod(path, 0644);
    ASSERT(cred_key_file_exposed(path, &mode));
    ASSERT_INT_EQ(mode, 0644);
    unlink(path);
    ASSERT(!cred_key_file_exposed(path, &mode));
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        credtest_data = argv[1];
    }
    test_pem_loading();
    test_pem_errors();
    test_sign_verify();
    test_kids();
    test_jwk_import();
    test_keysets();
    test_file_mode();
    return tap_done();
}
