/*
 * test_jws.c - unit tests of credential/jws.c: compact JWS signing (kid or jwk header) and
 * verification, the choice of the trusted key, and one test per refusal: size, segments,
 * base64url, trailing garbage, header JSON, header members, alg none, unsupported alg, alg
 * against key type, typ, no key named, private or unusable header jwk, unknown kid,
 * untrusted jwk, and bad signatures.
 *
 * Usage: test-credential-jws DATA_DIR.
 */
#include "credtest.h"
#include "tap.h"

static cred_key *rsa, *rsa_pub, *ed, *other;
static cred_keyset *trusted; /* rsa_pub and the Ed25519 key */

/* Verifies token against the trusted set; returns the code, err gets the reason. */
static int verify(const char *token, bool any_kid, cred_error *err)
{
    cred_jws_decoded d = {0};
    cred_jws_verify_options o = {.single_key_any_kid = any_kid};
    int rc = cred_jws_verify(token, strlen(token), trusted, &o, &d, err);
    cred_jws_decoded_finish(&d);
    return rc;
}

/* Expects token to be refused with code and a reason containing text. */
static void refused(const char *what, const char *token, int code, const char *text)
{
    cred_error err = {0};
    int rc = verify(token, false, &err);
    ASSERT_INT_EQ(rc, code);
    ASSERT_STR_CONTAINS(err.message, text);
    if (rc != code) {
        printf("#   case: %s (%s: %s)\n", what, cred_err_name(rc), err.message);
    }
}

static void test_sign_and_verify(void)
{
    const char *payload = "{\"hello\":\"world\"}";
    char *token = NULL;
    cred_error err = {0};
    ASSERT_INT_EQ(cred_jws_sign(rsa, NULL, payload, strlen(payload), &token, &err), 0);
    cred_jws_decoded d = {0};
    ASSERT_INT_EQ(cred_jws_verify(token, strlen(token), trusted, NULL, &d, &err), 0);
    ASSERT_STR_EQ((const char *)d.payload, payload);
    ASSERT_INT_EQ(d.payload_len, strlen(payload));
    ASSERT_INT_EQ(d.alg, CRED_ALG_RS256);
    ASSERT(d.key == cred_keyset_find_same(trusted, rsa));
    char *h = json_dumps(d.header, JSON_COMPACT);
    char want[256];
    snprintf(want, sizeof(want), "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
             cred_key_thumbprint(rsa));
    ASSERT_STR_EQ(h, want);
    free(h);
    cred_jws_decoded_finish(&d);
    free(token);

    /* The public JWK in the header instead of a kid: trusted only as one of the keys. */
    cred_jws_sign_options o = {.embed_jwk = true};
    ASSERT_INT_EQ(cred_jws_sign(ed, &o, payload, strlen(payload), &token, &err), 0);
    ASSERT_INT_EQ(cred_jws_verify(token, strlen(token), trusted, NULL, &d, &err), 0);
    json_t *jwk = json_object_get(d.header, "jwk");
    ASSERT(json_is_object(jwk) && json_object_get(jwk, "d") == NULL);
    ASSERT(json_object_get(d.header, "kid") == NULL);
    ASSERT_INT_EQ(d.alg, CRED_ALG_EDDSA);
    cred_jws_decoded_finish(&d);
    free(token);
    token = NULL;
    ASSERT_INT_EQ(cred_jws_sign(other, &o, payload, strlen(payload), &token, &err), 0);
    refused("untrusted jwk", token, CRED_E_KEY_UNTRUSTED, "none of the trusted keys");
    free(token);

    /* A kid the set does not know: refused, unless the verifier chose a single key. */
    o = (cred_jws_sign_options){.kid = "https://example.edu/keys#1"};
    ASSERT_INT_EQ(cred_jws_sign(rsa, &o, payload, strlen(payload), &token, &err), 0);
    refused("unknown kid", token, CRED_E_KEY_NOT_FOUND,
            "kid \"https://example.edu/keys#1\" names none");
    cred_keyset *single = cred_keyset_create();
    cred_keyset_add(single, credtest_key("rsa2048-spki.pem", false), NULL);
    cred_jws_verify_options any = {.single_key_any_kid = true};
    ASSERT_INT_EQ(cred_jws_verify(token, strlen(token), single, &any, &d, &err), 0);
    cred_jws_decoded_finish(&d);
    cred_keyset_destroy(single);
    free(token);

    /* Signing refuses an alg that does not fit the key, and a public key. */
    o = (cred_jws_sign_options){.alg = CRED_ALG_EDDSA};
    token = NULL;
    ASSERT_INT_EQ(cred_jws_sign(rsa, &o, payload, strlen(payload), &token, &err),
                  CRED_E_ALG_KEY_MISMATCH);
    ASSERT_INT_EQ(cred_jws_sign(rsa_pub, NULL, payload, strlen(payload), &token, NULL),
                  CRED_E_ARG);
    ASSERT(token == NULL);
}

static void test_structure(void)
{
    char *good = NULL;
    cred_jws_sign(rsa, NULL, "{}", 2, &good, NULL);
    size_t n = strlen(good);
    char *buf = malloc(n + 64);

    refused("empty", "", CRED_E_MALFORMED, "1 segment");
    refused("one segment", "abc", CRED_E_MALFORMED, "a compact JWS has 3");
    refused("two segments", "abc.def", CRED_E_MALFORMED, "2 segments");
    refused("JWE", "a.b.c.d.e", CRED_E_MALFORMED, "JWE");
    snprintf(buf, n + 64, "%s garbage", good);
    refused("trailing text", buf, CRED_E_TRAILING, "8 bytes of trailing garbage");
    snprintf(buf, n + 64, "%s.xyz", good);
    refused("four segments", buf, CRED_E_TRAILING, "trailing garbage");
    snprintf(buf, n + 64, "%s\n", good);
    refused("newline", buf, CRED_E_TRAILING, "1 bytes");
    snprintf(buf, n + 64, "%s=", good);
    refused("padding after signature", buf, CRED_E_TRAILING, "trailing garbage");
    refused("padded header", "eyJ9=.e30.AAAA", CRED_E_BASE64, "not a base64url");
    refused("space in payload", "e30.e3 0.AAAA", CRED_E_BASE64, "offset 6");
    refused("plus sign", "e+30.e30.AAAA", CRED_E_BASE64, "0x2b");
    refused("empty header", ".e30.AAAA", CRED_E_MALFORMED, "empty segment");
    refused("empty payload", "e30..AAAA", CRED_E_MALFORMED, "empty segment");
    refused("impossible length", "e30AA.e30.AAAA", CRED_E_BASE64, "cannot be decoded");
    refused("stray bits", "e31.e30.AAAA", CRED_E_BASE64, "stray bits");
    memcpy(buf, good, n + 1);
    buf[n - 3] = '\0'; /* cut inside a character's bits */
    refused("cut signature", buf, CRED_E_BASE64, "stray bits");
    char *dot = strrchr(buf, '.');
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    cred_b64url_decode(strrchr(good, '.') + 1, strlen(strrchr(good, '.') + 1), &sig, &sig_len);
    char *short_sig = cred_b64url_encode(sig, sig_len - 1);
    strcpy(dot + 1, short_sig);
    refused("signature one byte short", buf, CRED_E_SIGNATURE,
            "255 bytes where RS256 with this key gives 256");
    free(sig);
    free(short_sig);
    dot[1] = '\0';
    refused("no signature", buf, CRED_E_SIGNATURE, "empty segment");

    size_t big = CRED_JWS_MAX_TOKEN + 1;
    char *huge = malloc(big + 1);
    memset(huge, 'A', big);
    huge[big] = '\0';
    huge[10] = '.';
    huge[20] = '.';
    refused("huge token", huge, CRED_E_TOO_LARGE, "at most 1048576");
    free(huge);
    free(buf);
    free(good);
}

static void test_headers(void)
{
    const char *tp = cred_key_thumbprint(rsa);
    char h[1024];
    char *t;
#define CASE(what, header_fmt, key, alg, code, text)                                           \
    do {                                                                                       \
        snprintf(h, sizeof(h), header_fmt, tp);                                                \
        t = credtest_token(key, alg, h, "{}");                                                 \
        refused(what, t, code, text);                                                          \
        free(t);                                                                               \
    } while (0)
    CASE("not JSON", "{\"alg\":\"RS256\",%s", rsa, CRED_ALG_RS256, CRED_E_HEADER, "not JSON");
    snprintf(h, sizeof(h), "[\"RS256\"]");
    t = credtest_token(rsa, CRED_ALG_RS256, h, "{}");
    refused("array header", t, CRED_E_HEADER, "not a JSON object");
    free(t);
    CASE("duplicate member", "{\"alg\":\"RS256\",\"alg\":\"none\",\"kid\":\"%s\"}", rsa,
         CRED_ALG_RS256, CRED_E_HEADER, "duplicate");
    CASE("no alg", "{\"typ\":\"JWT\",\"kid\":\"%s\"}", rsa, CRED_ALG_RS256, CRED_E_HEADER,
         "no \"alg\"");
    CASE("alg none", "{\"alg\":\"none\",\"kid\":\"%s\"}", NULL, CRED_ALG_NONE, CRED_E_ALG_NONE,
         "unsigned token");
    CASE("alg None signed", "{\"alg\":\"None\",\"kid\":\"%s\"}", rsa, CRED_ALG_RS256,
         CRED_E_ALG_NONE, "\"None\"");
    CASE("alg HS256", "{\"alg\":\"HS256\",\"kid\":\"%s\"}", rsa, CRED_ALG_RS256,
         CRED_E_ALG_UNSUPPORTED, "HS256");
    CASE("alg PS256", "{\"alg\":\"PS256\",\"kid\":\"%s\"}", rsa, CRED_ALG_RS256,
         CRED_E_ALG_UNSUPPORTED, "RS256 or EdDSA");
    CASE("crit", "{\"alg\":\"RS256\",\"kid\":\"%s\",\"crit\":[\"b64\"],\"b64\":false}", rsa,
         CRED_ALG_RS256, CRED_E_HEADER_MEMBER, "\"crit\" not allowed");
    CASE("jku", "{\"alg\":\"RS256\",\"kid\":\"%s\",\"jku\":\"https://evil.example/k\"}", rsa,
         CRED_ALG_RS256, CRED_E_HEADER_MEMBER, "\"jku\"");
    CASE("typ", "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JOSE+JSON\"}", rsa, CRED_ALG_RS256,
         CRED_E_TYP, "must be \"JWT\"");
    CASE("kid empty", "{\"alg\":\"RS256\",\"kid\":\"\"%.0s}", rsa, CRED_ALG_RS256,
         CRED_E_HEADER, "\"kid\"");
    CASE("kid number", "{\"alg\":\"RS256\",\"kid\":7%.0s}", rsa, CRED_ALG_RS256, CRED_E_HEADER,
         "\"kid\"");
    CASE("no key", "{\"alg\":\"RS256\",\"typ\":\"JWT\"%.0s}", rsa, CRED_ALG_RS256,
         CRED_E_NO_KEY_ID, "neither \"kid\" nor \"jwk\"");
    CASE("lower-case typ is fine but EdDSA on RSA is not",
         "{\"alg\":\"EdDSA\",\"typ\":\"jwt\",\"kid\":\"%s\"}", ed, CRED_ALG_EDDSA,
         CRED_E_ALG_KEY_MISMATCH, "alg EdDSA does not fit the RSA key");
    CASE("RS256 with an RSA kid but signed by another key",
         "{\"alg\":\"RS256\",\"kid\":\"%s\"}", other, CRED_ALG_RS256, CRED_E_SIGNATURE,
         "does not verify");

    /* A header jwk with private members: refused before anything is trusted. */
    json_t *jwk = cred_key_public_jwk(ed, false);
    json_object_set_new(jwk, "d", json_string("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
    json_t *hdr = json_pack("{s:s, s:o}", "alg", "EdDSA", "jwk", jwk);
    char *text = json_dumps(hdr, JSON_COMPACT);
    t = credtest_token(ed, CRED_ALG_EDDSA, text, "{}");
    refused("private jwk", t, CRED_E_JWK_PRIVATE, "private member \"d\"");
    free(t);
    free(text);
    json_object_set_new(
        hdr, "jwk", json_pack("{s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed448", "x", "AAAA"));
    text = json_dumps(hdr, JSON_COMPACT);
    t = credtest_token(ed, CRED_ALG_EDDSA, text, "{}");
    refused("Ed448 jwk", t, CRED_E_JWK_INVALID, "only Ed25519");
    free(t);
    free(text);
    json_object_set_new(hdr, "jwk",
                        json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", "AQAB", "e", "AQAB"));
    text = json_dumps(hdr, JSON_COMPACT);
    t = credtest_token(ed, CRED_ALG_EDDSA, text, "{}");
    refused("weak jwk", t, CRED_E_JWK_INVALID, "at least 2048");
    free(t);
    free(text);
    json_decref(hdr);

    /* Tampering: the payload of one token with the signature of another. */
    char *a = credtest_token(rsa, CRED_ALG_RS256, "{\"alg\":\"RS256\",\"kid\":\"x\"}",
                             "{\"grade\":\"fail\"}");
    char *b = credtest_token(rsa, CRED_ALG_RS256, "{\"alg\":\"RS256\",\"kid\":\"x\"}",
                             "{\"grade\":\"pass\"}");
    char *sig_a = strrchr(a, '.'), *sig_b = strrchr(b, '.');
    memcpy(sig_b, sig_a, strlen(sig_a) + 1);
    cred_error err = {0};
    cred_keyset *single = cred_keyset_create();
    cred_keyset_add(single, credtest_key("rsa2048-spki.pem", false), NULL);
    cred_jws_decoded d = {0};
    cred_jws_verify_options any = {.single_key_any_kid = true};
    ASSERT_INT_EQ(cred_jws_verify(a, strlen(a), single, &any, &d, &err), 0);
    cred_jws_decoded_finish(&d);
    ASSERT_INT_EQ(cred_jws_verify(b, strlen(b), single, &any, &d, &err), CRED_E_SIGNATURE);
    ASSERT(d.header == NULL && d.payload == NULL);
    cred_keyset_destroy(single);
    free(a);
    free(b);
#undef CASE
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        credtest_data = argv[1];
    }
    rsa = credtest_key("rsa2048-pkcs8.pem", true);
    rsa_pub = credtest_key("rsa2048-spki.pem", false);
    ed = credtest_key("ed25519-rfc8037-pkcs8.pem", true);
    other = credtest_key("rsa2048-other-pkcs8.pem", true);
    trusted = cred_keyset_create();
    cred_keyset_add(trusted, credtest_key("rsa2048-spki.pem", false), NULL);
    cred_keyset_add(trusted, credtest_key("ed25519-rfc8037-spki.pem", false), NULL);
    test_sign_and_verify();
    test_structure();
    test_headers();
    cred_keyset_destroy(trusted);
    cred_key_destroy(rsa);
    cred_key_destroy(rsa_pub);
    cred_key_destroy(ed);
    cred_key_destroy(other);
    return tap_done();
}
