/*
 * test_vcjwt.c - unit tests of credential/vcjwt.c: the claims derived from a credential,
 * a round trip through sign and verify (RS256 and EdDSA), and every reason a signed token
 * is still not a valid credential: non-JSON or non-object payload, a VCDM 1.1 "vc" token,
 * a credential missing required fields, each claim missing or not matching (iss, jti, nbf,
 * sub, exp), not yet valid and expired; several reasons at once; the payload made from the
 * credential's own text, byte for byte the one made from a copy with the claims.
 *
 * Usage: test-credential-vcjwt DATA_DIR.
 */
#include "credential/vcjwt.h"
#include "credtest.h"
#include "tap.h"

static cred_key *rsa, *ed;
static cred_keyset *trusted;
static const int64_t now = 1790000000; /* 2026-09-21, inside the sample's validity */

static json_t *sample(void)
{
    cred_ob3_input in = credtest_input();
    json_t *c = NULL;
    cred_ob3_build(&in, &c, NULL);
    return c;
}

static void test_round_trip(void)
{
    json_t *c = sample();
    for (int k = 0; k < 2; k++) {
        char *token = NULL;
        cred_error err = {0};
        ASSERT_INT_EQ(cred_vcjwt_sign(c, k ? ed : rsa, NULL, &token, &err), 0);
        cred_vcjwt_result r = {0};
        ASSERT_INT_EQ(cred_vcjwt_verify(token, strlen(token), trusted, NULL, now, &r), 0);
        ASSERT(r.verified && r.signature_ok && r.reason_count == 0);
        ASSERT(json_equal(r.credential, c));
        ASSERT_STR_EQ(json_string_value(json_object_get(r.payload, "iss")),
                      "https://example.edu/issuer");
        ASSERT_STR_EQ(json_string_value(json_object_get(r.payload, "jti")),
                      "urn:uuid:6f1d3a52-1b0e-5c8a-9b3f-2e4d5c6b7a80");
        ASSERT_STR_EQ(json_string_value(json_object_get(r.payload, "sub")),
                      "urn:example:learner:L-1001");
        ASSERT_INT_EQ(json_integer_value(json_object_get(r.payload, "nbf")), 1767225600);
        ASSERT_INT_EQ(json_integer_value(json_object_get(r.payload, "exp")), 4102444800);
        ASSERT(r.key && cred_key_get_type(r.key) == (k ? CRED_KEY_ED25519 : CRED_KEY_RSA));
        cred_vcjwt_result_finish(&r);
        free(token);
    }

    /* A hashed subject has no id, so there is no sub claim; no validUntil, no exp. */
    cred_ob3_input in = credtest_input();
    in.subject = (cred_ob3_subject){NULL, "L-1001", NULL, "pepper"};
    in.has_valid_until = false;
    json_t *h = NULL;
    cred_ob3_build(&in, &h, NULL);
    char *token = NULL;
    ASSERT_INT_EQ(cred_vcjwt_sign(h, ed, NULL, &token, NULL), 0);
    cred_vcjwt_result r = {0};
    ASSERT_INT_EQ(cred_vcjwt_verify(token, strlen(token), trusted, NULL, now, &r), 0);
    ASSERT(json_object_get(r.payload, "sub") == NULL);
    ASSERT(json_object_get(r.payload, "exp") == NULL);
    cred_vcjwt_result_finish(&r);
    free(token);
    json_decref(h);

    /* Signing refuses what is not a credential, and a credential holding a claim name. */
    cred_error err = {0};
    json_t *bad = json_deep_copy(c);
    json_object_del(bad, "credentialSubject");
    token = NULL;
    ASSERT_INT_EQ(cred_vcjwt_sign(bad, rsa, NULL, &token, &err), CRED_E_CREDENTIAL);
    json_decref(bad);
    bad = json_deep_copy(c);
    json_object_set_new(bad, "iss", json_string("https://evil.example"));
    cred_error_clear(&err);
    ASSERT_INT_EQ(cred_vcjwt_sign(bad, rsa, NULL, &token, &err), CRED_E_CREDENTIAL);
    ASSERT_STR_CONTAINS(err.message, "\"iss\", which is a JWT claim");
    ASSERT(token == NULL);
    json_decref(bad);
    json_decref(c);
}

/*
 * Signs payload (the sample with claims, edited by edit when given) with the RSA key and
 * verifies it at time t; expects codes[0..n) as the reasons, in order.
 */
static void expect(const char *what, void (*edit)(json_t *), const char *raw, int64_t t,
                   const int *codes, size_t n)
{
    char *text = NULL;
    if (raw) {
        text = strdup(raw);
    } else {
        json_t *c = sample();
        json_object_set_new(c, "iss", json_string("https://example.edu/issuer"));
        json_object_set_new(c, "jti",
                            json_string("urn:uuid:6f1d3a52-1b0e-5c8a-9b3f-2e4d5c6b7a80"));
        json_object_set_new(c, "nbf", json_integer(1767225600));
        json_object_set_new(c, "sub", json_string("urn:example:learner:L-1001"));
        json_object_set_new(c, "exp", json_integer(4102444800));
        if (edit) {
            edit(c);
        }
        text = json_dumps(c, JSON_COMPACT);
        json_decref(c);
    }
    char header[128];
    snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
             cred_key_thumbprint(rsa));
    char *token = credtest_token(rsa, CRED_ALG_RS256, header, text);
    cred_vcjwt_result r = {0};
    int rc = cred_vcjwt_verify(token, strlen(token), trusted, NULL, t, &r);
    ASSERT_INT_EQ(rc, n ? codes[0] : 0);
    ASSERT_INT_EQ(r.reason_count, n);
    ASSERT(r.signature_ok);
    bool same = r.reason_count == n;
    for (size_t i = 0; same && i < n; i++) {
        same = r.reasons[i].code == codes[i];
    }
    ASSERT(same);
    if (!same || rc != (n ? codes[0] : 0)) {
        printf("#   case: %s\n", what);
        for (size_t i = 0; i < r.reason_count; i++) {
            printf("#   reason %s %s: %s\n", cred_err_name(r.reasons[i].code),
                   r.reasons[i].where, r.reasons[i].message);
        }
    }
    cred_vcjwt_result_finish(&r);
    free(token);
    free(text);
}

static void iss_other(json_t *c)
{
    json_object_set_new(c, "iss", json_string("https://evil.example/issuer"));
}
static void iss_missing(json_t *c)
{
    json_object_del(c, "iss");
}
static void jti_other(json_t *c)
{
    json_object_set_new(c, "jti", json_string("urn:uuid:00000000-0000-4000-8000-000000000000"));
}
static void nbf_other(json_t *c)
{
    json_object_set_new(c, "nbf", json_integer(1767225601));
}
static void nbf_missing(json_t *c)
{
    json_object_del(c, "nbf");
}
static void nbf_string(json_t *c)
{
    json_object_set_new(c, "nbf", json_string("2026-01-01T00:00:00Z"));
}
static void nbf_real(json_t *c)
{
    json_object_set_new(c, "nbf", json_real(1767225600.5));
}
static void sub_other(json_t *c)
{
    json_object_set_new(c, "sub", json_string("urn:example:learner:L-666"));
}
static void sub_missing(json_t *c)
{
    json_object_del(c, "sub");
}
static void sub_without_id(json_t *c)
{
    json_object_del(json_object_get(c, "credentialSubject"), "id");
    json_t *ids = json_pack("[{s:s, s:s, s:s, s:b}]", "type", "IdentityObject", "identityHash",
                            "sha256$00", "identityType", "identifier", "hashed", 1);
    json_object_set_new(json_object_get(c, "credentialSubject"), "identifier", ids);
}
static void exp_other(json_t *c)
{
    json_object_set_new(c, "exp", json_integer(4102444801));
}
static void exp_missing(json_t *c)
{
    json_object_del(c, "exp");
}
static void exp_only(json_t *c)
{
    json_object_del(c, "validUntil");
    json_object_set_new(c, "exp", json_integer(1780000000));
}
static void no_name(json_t *c)
{
    json_object_del(c, "name");
}
static void two_wrongs(json_t *c)
{
    iss_other(c);
    exp_other(c);
}

static void test_reasons(void)
{
#define CODES(...) (const int[]){__VA_ARGS__}, sizeof((const int[]){__VA_ARGS__}) / sizeof(int)
    expect("all good", NULL, NULL, now, NULL, 0);
    expect("iss", iss_other, NULL, now, CODES(CRED_E_CLAIM_ISS));
    expect("no iss", iss_missing, NULL, now, CODES(CRED_E_CLAIM_ISS));
    expect("jti", jti_other, NULL, now, CODES(CRED_E_CLAIM_JTI));
    expect("nbf", nbf_other, NULL, now, CODES(CRED_E_CLAIM_NBF));
    expect("no nbf", nbf_missing, NULL, now, CODES(CRED_E_CLAIM_NBF));
    expect("nbf string", nbf_string, NULL, now, CODES(CRED_E_CLAIM_NBF));
    expect("nbf with a fraction of the same second", nbf_real, NULL, now, NULL, 0);
    expect("sub", sub_other, NULL, now, CODES(CRED_E_CLAIM_SUB));
    expect("no sub", sub_missing, NULL, now, CODES(CRED_E_CLAIM_SUB));
    expect("sub without subject id", sub_without_id, NULL, now, CODES(CRED_E_CLAIM_SUB));
    expect("exp", exp_other, NULL, now, CODES(CRED_E_CLAIM_EXP));
    expect("no exp", exp_missing, NULL, now, CODES(CRED_E_CLAIM_EXP));
    expect("not yet valid", NULL, NULL, 1767225599, CODES(CRED_E_NOT_YET_VALID));
    expect("valid from its first second", NULL, NULL, 1767225600, NULL, 0);
    expect("expired", NULL, NULL, 4102444800, CODES(CRED_E_EXPIRED));
    expect("exp sets validUntil when there is none", exp_only, NULL, now,
           CODES(CRED_E_EXPIRED));
    expect("missing name", no_name, NULL, now, CODES(CRED_E_CREDENTIAL));
    expect("two at once", two_wrongs, NULL, now, CODES(CRED_E_CLAIM_ISS, CRED_E_CLAIM_EXP));
    expect("not JSON", NULL, "{\"@context\": [", now, CODES(CRED_E_PAYLOAD));
    expect("not UTF-8", NULL, "{\"name\": \"\xff\"}", now, CODES(CRED_E_PAYLOAD));
    expect("array", NULL, "[1, 2]", now, CODES(CRED_E_PAYLOAD));
    expect("duplicate claims", NULL, "{\"iss\": \"a\", \"iss\": \"b\"}", now,
           CODES(CRED_E_PAYLOAD));
    expect("VCDM 1.1", NULL, "{\"iss\": \"a\", \"vc\": {}}", now, CODES(CRED_E_CREDENTIAL));
    expect("empty object", NULL, "{}", now, CODES(CRED_E_CREDENTIAL, CRED_E_CLAIM_NBF));
#undef CODES

    /* A bad signature stops everything else: no payload is handed out. */
    cred_vcjwt_result r = {0};
    char *token = credtest_token(ed, CRED_ALG_EDDSA, "{\"alg\":\"RS256\",\"kid\":\"x\"}", "{}");
    cred_jws_verify_options any = {.single_key_any_kid = true};
    cred_keyset *single = cred_keyset_create();
    cred_keyset_add(single, credtest_key("rsa2048-spki.pem", false), NULL);
    ASSERT_INT_EQ(cred_vcjwt_verify(token, strlen(token), single, &any, now, &r),
                  CRED_E_SIGNATURE);
    ASSERT(!r.verified && !r.signature_ok && r.reason_count == 1);
    ASSERT(r.payload == NULL && r.credential == NULL && r.header == NULL);
    cred_vcjwt_result_finish(&r);
    cred_keyset_destroy(single);
    free(token);
}

/* The payload as it was made before the credential's text was reused: a copy of the
 * credential with the claims set on it, serialised. */
static char *payload_by_copy(const json_t *c)
{
    json_t *p = json_copy((json_t *)c);
    const json_t *issuer = json_object_get(c, "issuer");
    json_object_set_new(p, "iss", json_copy(json_object_get(issuer, "id")));
    json_object_set_new(p, "jti", json_copy(json_object_get(c, "id")));
    int64_t from = 0, until = 0;
    cred_time_parse(json_string_value(json_object_get(c, "validFrom")), &from);
    json_object_set_new(p, "nbf", json_integer(from));
    const json_t *sub = json_object_get(json_object_get(c, "credentialSubject"), "id");
    if (sub) {
        json_object_set_new(p, "sub", json_copy((json_t *)sub));
    }
    const char *vu = json_string_value(json_object_get(c, "validUntil"));
    if (vu && cred_time_parse(vu, &until)) {
        json_object_set_new(p, "exp", json_integer(until));
    }
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return text;
}

/* cred_vcjwt_sign_text makes the payload from the credential's own text: the token is byte
 * for byte the one signed over a serialised copy with the claims (both signatures are
 * deterministic), with and without sub and exp, and with names that need escaping; and the
 * text it returns is the credential's compact JSON. */
static void test_payload_text(void)
{
    for (int variant = 0; variant < 3; variant++) {
        cred_ob3_input in = credtest_input();
        if (variant == 1) {
            in.subject = (cred_ob3_subject){NULL, "L-1001", NULL, "pepper"};
            in.has_valid_until = false;
        } else if (variant == 2) {
            in.name = "Molarit\u00e4t \"quoted\" \\ and \n a line";
        }
        json_t *c = NULL;
        ASSERT_INT_EQ(cred_ob3_build(&in, &c, NULL), 0);
        for (int k = 0; k < 2; k++) {
            char *token = NULL, *text = NULL, *want = NULL;
            ASSERT_INT_EQ(cred_vcjwt_sign_text(c, k ? ed : rsa, NULL, &token, &text, NULL), 0);
            char *payload = payload_by_copy(c);
            ASSERT_INT_EQ(
                cred_jws_sign(k ? ed : rsa, NULL, payload, strlen(payload), &want, NULL), 0);
            ASSERT_STR_EQ(token, want);
            char *dumped = json_dumps(c, JSON_COMPACT);
            ASSERT_STR_EQ(text, dumped);
            free(dumped);
            free(payload);
            free(want);
            free(token);
            free(text);
        }
        json_decref(c);
    }
    /* A refused credential returns no text. */
    json_t *bad = json_object();
    char *token = NULL, *text = (char *)"unset";
    ASSERT(cred_vcjwt_sign_text(bad, ed, NULL, &token, &text, NULL) != 0);
    ASSERT(token == NULL && text == NULL);
    json_decref(bad);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        credtest_data = argv[1];
    }
    rsa = credtest_key("rsa2048-pkcs1.pem", true);
    ed = credtest_key("ed25519-rfc8037-pkcs8.pem", true);
    trusted = cred_keyset_create();
    cred_keyset_add(trusted, credtest_key("rsa2048-spki.pem", false), NULL);
    cred_keyset_add(trusted, credtest_key("ed25519-rfc8037-spki.pem", false), NULL);
    test_round_trip();
    test_payload_text();
    test_reasons();
    cred_keyset_destroy(trusted);
    cred_key_destroy(rsa);
    cred_key_destroy(ed);
    return tap_done();
}
