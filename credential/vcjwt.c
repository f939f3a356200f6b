/*
 * vcjwt.c - VC-JWT signing and verification of OB 3.0 credentials: the claims derived
 * from the credential, and on verification the signature (jws.c), the credential's
 * structure (ob3.c), each claim against the credential, and the validity period.
 *
 * It does not fetch keys (no kid dereferencing over the network): the caller passes the
 * trusted keys.
 */
#include "vcjwt.h"

#include "ob3.h"
#include "ob3check.h"

#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The registered JWT claim names (RFC 7519 section 4.1). */
static const char *const claim_names[] = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"};
#define CLAIM_COUNT (sizeof(claim_names) / sizeof(claim_names[0]))

static const char *str_at(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    return json_string_value(b ? json_object_get(v, b) : v);
}

/* A copy of a JWT payload without the JWT claims: the credential. NULL when out of
 * memory. */
static json_t *without_claims(const json_t *payload)
{
    json_t *c = json_copy((json_t *)payload);
    for (size_t i = 0; c && i < CLAIM_COUNT; i++) {
        json_object_del(c, claim_names[i]);
    }
    return c;
}

/* The payload's text: the credential's compact text with the claims' members added at the
 * end, byte for byte what json_dumps(JSON_COMPACT) gives for the credential with the claims
 * set on it (an object keeps its members in insertion order). NULL when out of memory. */
static char *payload_text(const char *cred, const json_t *claims)
{
    char *more = json_dumps(claims, JSON_COMPACT);
    size_t n = strlen(cred), m = more ? strlen(more) : 0;
    char *out = more && n >= 2 && m >= 2 ? malloc(n + m) : NULL;
    if (out) {
        bool empty = n == 2; /* "{}" */
        memcpy(out, cred, n - 1);
        size_t at = n - 1;
        if (!empty && m > 2) {
            out[at++] = ',';
        }
        memcpy(out + at, more + 1, m - 1); /* the claims' members and the closing brace */
        out[at + m - 1] = '\0';
    }
    free(more);
    return out;
}

int cred_vcjwt_sign_text(const json_t *credential, const cred_key *key,
                         const cred_jws_sign_options *opts, char **out, char **credential_text,
                         cred_error *err)
{
    *out = NULL;
    if (credential_text) {
        *credential_text = NULL;
    }
    int rc = cred_ob3_check(credential, err);
    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; i < CLAIM_COUNT; i++) {
        if (json_object_get(credential, claim_names[i])) {
            return cred_error_set(err, CRED_E_CREDENTIAL, "credential",
                                  "has a member \"%s\", which is a JWT claim name; the "
                                  "claims are derived from the credential",
                                  claim_names[i]);
        }
    }
    int64_t from = 0, until = 0;
    cred_time_parse(str_at(credential, "validFrom", NULL), &from);
    const char *valid_until = str_at(credential, "validUntil", NULL);
    const char *sub = str_at(credential, "credentialSubject", "id");
    json_t *claims = json_object();
    bool ok = claims != NULL;
    ok = ok && json_object_set_new(claims, "iss",
                                   json_string(str_at(credential, "issuer", "id"))) == 0;
    ok = ok &&
         json_object_set_new(claims, "jti", json_string(str_at(credential, "id", NULL))) == 0;
    ok = ok && json_object_set_new(claims, "nbf", json_integer(from)) == 0;
    if (sub) {
        ok = ok && json_object_set_new(claims, "sub", json_string(sub)) == 0;
    }
    if (valid_until && cred_time_parse(valid_until, &until)) {
        ok = ok && json_object_set_new(claims, "exp", json_integer(until)) == 0;
    }
    char *cred = ok ? json_dumps(credential, JSON_COMPACT) : NULL;
    char *text = cred ? payload_text(cred, claims) : NULL;
    json_decref(claims);
    if (text == NULL) {
        free(cred);
        return cred_error_set(err, CRED_E_NOMEM, "", "out of memory");
    }
    rc = cred_jws_sign(key, opts, text, strlen(text), out, err);
    free(text);
    if (rc == 0 && credential_text) {
        *credential_text = cred;
    } else {
        free(cred);
    }
    return rc;
}

int cred_vcjwt_sign(const json_t *credential, const cred_key *key,
                    const cred_jws_sign_options *opts, char **out, cred_error *err)
{
    return cred_vcjwt_sign_text(credential, key, opts, out, NULL, err);
}

void cred_vcjwt_result_finish(cred_vcjwt_result *r)
{
    if (r) {
        json_decref(r->header);
        json_decref(r->payload);
        json_decref(r->credential);
        memset(r, 0, sizeof(*r));
    }
}

__attribute__((format(printf, 4, 5))) static void add(cred_vcjwt_result *r, int code,
                                                      const char *where, const char *fmt, ...)
{
    if (r->reason_count >= CRED_VCJWT_MAX_REASONS) {
        return;
    }
    cred_error *e = &r->reasons[r->reason_count++];
    memset(e, 0, sizeof(*e));
    e->code = code;
    snprintf(e->where, sizeof(e->where), "%s", where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

/* Reads a NumericDate claim; false when it is not a number of seconds in range. */
static bool numeric_date(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return *out > -1000000000000000LL && *out < 1000000000000000LL;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d > -1e15 && d < 1e15)) {
            return false;
        }
        *out = (int64_t)floor(d);
        return true;
    }
    return false;
}

/* A string claim that must equal the credential's value (NULL: the credential has none). */
static void string_claim(cred_vcjwt_result *r, const json_t *payload, const char *claim,
                         const char *value, const char *field, int code)
{
    const json_t *v = json_object_get(payload, claim);
    if (value == NULL) {
        if (v) {
            add(r, code, claim, "claim present but the credential has no %s", field);
        }
        return;
    }
    if (v == NULL) {
        add(r, code, claim, "required claim missing (it must equal %s \"%.200s\")", field,
            value);
    } else if (!json_is_string(v)) {
        add(r, code, claim, "claim is not a string");
    } else if (strcmp(json_string_value(v), value) != 0) {
        add(r, code, claim, "\"%.200s\" does not match %s \"%.200s\"", json_string_value(v),
            field, value);
    }
}

/* A NumericDate claim that must equal the credential's date-time. */
static void date_claim(cred_vcjwt_result *r, const json_t *payload, const char *claim, bool has,
                       int64_t value, const char *field, int code)
{
    const json_t *v = json_object_get(payload, claim);
    char a[32], b[32];
    int64_t t;
    if (v == NULL) {
        if (has) {
            cred_time_format(value, b);
            add(r, code, claim, "required claim missing (it must equal %s %s)", field, b);
        }
        return;
    }
    if (!numeric_date(v, &t)) {
        add(r, code, claim, "claim is not a NumericDate (seconds since 1970)");
    } else if (has && t != value) {
        cred_time_format(t, a);
        cred_time_format(value, b);
        add(r, code, claim, "%s does not match %s %s", a, field, b);
    }
}

static void check_claims(cred_vcjwt_result *r, int64_t now)
{
    const json_t *p = r->payload, *c = r->credential;
    string_claim(r, p, "iss", str_at(c, "issuer", "id"), "issuer.id", CRED_E_CLAIM_ISS);
    string_claim(r, p, "jti", str_at(c, "id", NULL), "id", CRED_E_CLAIM_JTI);
    string_claim(r, p, "sub", str_at(c, "credentialSubject", "id"), "credentialSubject.id",
                 CRED_E_CLAIM_SUB);
    int64_t from = 0, until = 0;
    bool has_from = cred_time_parse(str_at(c, "validFrom", NULL), &from);
    bool has_until = cred_time_parse(str_at(c, "validUntil", NULL), &until);
    if (json_object_get(p, "nbf") == NULL) {
        add(r, CRED_E_CLAIM_NBF, "nbf", "required claim missing");
    } else {
        date_claim(r, p, "nbf", has_from, from, "validFrom", CRED_E_CLAIM_NBF);
    }
    date_claim(r, p, "exp", has_until, until, "validUntil", CRED_E_CLAIM_EXP);
    /* OB 3.0: an exp claim sets validUntil when the credential has none. */
    int64_t exp;
    if (!has_until && numeric_date(json_object_get(p, "exp"), &exp)) {
        has_until = true;
        until = exp;
    }
    char a[32], b[32];
    cred_time_format(now, b);
    if (has_from && now < from) {
        cred_time_format(from, a);
        add(r, CRED_E_NOT_YET_VALID, "validFrom", "%s is after now (%s)", a, b);
    }
    if (has_until && now >= until) {
        cred_time_format(until, a);
        add(r, CRED_E_EXPIRED, "validUntil", "%s has passed (now %s)", a, b);
    }
}

int cred_vcjwt_verify(const char *token, size_t len, const cred_keyset *trusted,
                      const cred_jws_verify_options *opts, int64_t now, cred_vcjwt_result *out)
{
    memset(out, 0, sizeof(*out));
    cred_jws_decoded d = {0};
    cred_error err = {0};
    int rc = cred_jws_verify(token, len, trusted, opts, &d, &err);
    if (rc != 0) {
        out->reasons[0] = err;
        out->reason_count = 1;
        return rc;
    }
    out->signature_ok = true;
    out->key = d.key;
    out->header = json_incref(d.header);
    json_error_t je;
    json_t *payload =
        json_loadb((const char *)d.payload, d.payload_len, JSON_REJECT_DUPLICATES, &je);
    cred_jws_decoded_finish(&d);
    if (payload == NULL) {
        add(out, CRED_E_PAYLOAD, "payload", "not JSON: %s (at byte %d)", je.text, je.position);
        return out->reasons[0].code;
    }
    if (!json_is_object(payload)) {
        json_decref(payload);
        add(out, CRED_E_PAYLOAD, "payload", "not a JSON object");
        return out->reasons[0].code;
    }
    out->payload = payload;
    if (json_object_get(payload, "vc") && !json_object_get(payload, "@context")) {
        add(out, CRED_E_CREDENTIAL, "payload",
            "a VCDM 1.1 token with a \"vc\" claim; OB 3.0 (VCDM 2.0) puts the credential "
            "itself in the payload");
        return out->reasons[0].code;
    }
    out->credential = without_claims(payload);
    if (out->credential == NULL) {
        add(out, CRED_E_NOMEM, "", "out of memory");
        return out->reasons[0].code;
    }
    cred_error cerr = {0};
    if (cred_ob3_check(out->credential, &cerr) != 0 &&
        out->reason_count < CRED_VCJWT_MAX_REASONS) {
        out->reasons[out->reason_count++] = cerr;
    }
    check_claims(out, now);
    out->verified = out->reason_count == 0;
    return out->verified ? 0 : out->reasons[0].code;
}

int cred_vcjwt_peek(const char *token, size_t len, json_t **credential, cred_error *err)
{
    const char *a = memchr(token, '.', len);
    const char *b = a ? memchr(a + 1, '.', len - (size_t)(a + 1 - token)) : NULL;
    if (b == NULL || len > CRED_JWS_MAX_TOKEN) {
        return cred_error_set(err, CRED_E_MALFORMED, "token",
                              "not a compact JWS (three base64url segments)");
    }
    uint8_t *text = NULL;
    size_t n = 0;
    int rc = cred_b64url_decode(a + 1, (size_t)(b - a - 1), &text, &n);
    if (rc != 0) {
        return cred_error_set(err, rc, "payload", "%s", cred_strerror(rc));
    }
    json_error_t je;
    json_t *payload = json_loadb((const char *)text, n, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!json_is_object(payload)) {
        json_decref(payload);
        return cred_error_set(err, CRED_E_PAYLOAD, "payload", "not a JSON object");
    }
    *credential = without_claims(payload);
    json_decref(payload);
    return *credential ? 0 : cred_error_set(err, CRED_E_NOMEM, "", "out of memory");
}
