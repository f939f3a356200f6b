/*
 * jws.c - compact JWS signing and verification for RS256 and EdDSA: segmenting, base64url
 * (nettle, cred.c), the JOSE header rules of OB 3.0, choosing the trusted key, and the
 * signature itself through keys.c (GnuTLS).
 *
 * It does not look inside the payload beyond decoding it; vcjwt.c does.
 */
#include "jws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cred_jws_sign(const cred_key *key, const cred_jws_sign_options *opts, const void *payload,
                  size_t len, char **out, cred_error *err)
{
    cred_jws_sign_options o = {0};
    if (opts) {
        o = *opts;
    }
    cred_jws_alg alg = o.alg == CRED_ALG_NONE ? cred_key_alg(key) : o.alg;
    if (alg != cred_key_alg(key)) {
        return cred_error_set(err, CRED_E_ALG_KEY_MISMATCH, cred_key_source(key),
                              "%s needs %s key; this is an %s key", cred_jws_alg_name(alg),
                              alg == CRED_ALG_RS256 ? "an RSA" : "an Ed25519",
                              cred_key_type_name(key));
    }
    if (!cred_key_has_private(key)) {
        return cred_error_set(err, CRED_E_ARG, cred_key_source(key),
                              "a public key cannot sign");
    }
    json_t *header = json_pack("{s:s, s:s}", "alg", cred_jws_alg_name(alg), "typ", "JWT");
    int rc = CRED_E_NOMEM;
    char *hjson = NULL, *h64 = NULL, *p64 = NULL, *s64 = NULL, *input = NULL;
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    if (header == NULL) {
        goto nomem;
    }
    if (o.embed_jwk) {
        if (json_object_set_new(header, "jwk", cred_key_public_jwk(key, false)) != 0) {
            goto nomem;
        }
    } else if (json_object_set_new(header, "kid",
                                   json_string(o.kid ? o.kid : cred_key_kid(key))) != 0) {
        goto nomem;
    }
    if ((hjson = json_dumps(header, JSON_COMPACT)) == NULL ||
        (h64 = cred_b64url_encode((const uint8_t *)hjson, strlen(hjson))) == NULL ||
        (p64 = cred_b64url_encode(payload, len)) == NULL) {
        goto nomem;
    }
    size_t hl = strlen(h64), pl = strlen(p64);
    if ((input = malloc(hl + 1 + pl + 1)) == NULL) {
        goto nomem;
    }
    memcpy(input, h64, hl);
    input[hl] = '.';
    memcpy(input + hl + 1, p64, pl + 1);
    if ((rc = cred_key_sign(key, alg, input, hl + 1 + pl, &sig, &sig_len, err)) != 0) {
        goto done;
    }
    if ((s64 = cred_b64url_encode(sig, sig_len)) == NULL) {
        goto nomem;
    }
    size_t sl = strlen(s64);
    char *token = malloc(hl + 1 + pl + 1 + sl + 1);
    if (token == NULL) {
        goto nomem;
    }
    memcpy(token, input, hl + 1 + pl);
    token[hl + 1 + pl] = '.';
    memcpy(token + hl + 1 + pl + 1, s64, sl + 1);
    *out = token;
    rc = 0;
    goto done;
nomem:
    rc = cred_error_set(err, CRED_E_NOMEM, "", "out of memory");
done:
    json_decref(header);
    free(hjson);
    free(h64);
    free(p64);
    free(s64);
    free(input);
    free(sig);
    return rc;
}

void cred_jws_decoded_finish(cred_jws_decoded *d)
{
    if (d) {
        json_decref(d->header);
        free(d->payload);
        memset(d, 0, sizeof(*d));
    }
}

static bool b64url_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

/* Decodes one segment; seg names it in messages. */
static int decode_segment(const char *s, size_t len, const char *seg, uint8_t **out,
                          size_t *out_len, cred_error *err)
{
    int rc = cred_b64url_decode(s, len, out, out_len);
    if (rc == CRED_E_NOMEM) {
        return cred_error_set(err, rc, seg, "out of memory");
    }
    if (rc != 0) {
        return cred_error_set(err, CRED_E_BASE64, seg,
                              "not base64url (the length of %zu characters cannot be "
                              "decoded, or its last character has stray bits)",
                              len);
    }
    return 0;
}

/* The header rules of OB 3.0 (section 8.2.2): only alg, kid, jwk and typ. */
static int check_header(const json_t *h, cred_jws_alg *alg, cred_key **jwk_key, cred_error *err)
{
    const json_t *a = json_object_get(h, "alg");
    if (!json_is_string(a)) {
        return cred_error_set(err, CRED_E_HEADER, "header", "no \"alg\" string");
    }
    const char *name = json_string_value(a);
    if (strcasecmp(name, "none") == 0) {
        return cred_error_set(err, CRED_E_ALG_NONE, "header",
                              "\"alg\": \"%s\" is an unsigned token; refused", name);
    }
    *alg = cred_jws_alg_from_name(name);
    if (*alg == CRED_ALG_NONE) {
        return cred_error_set(err, CRED_E_ALG_UNSUPPORTED, "header",
                              "\"alg\": \"%.64s\" not supported (RS256 or EdDSA)", name);
    }
    const char *member;
    json_t *value;
    json_object_foreach((json_t *)h, member, value)
    {
        if (strcmp(member, "alg") != 0 && strcmp(member, "kid") != 0 &&
            strcmp(member, "jwk") != 0 && strcmp(member, "typ") != 0) {
            return cred_error_set(err, CRED_E_HEADER_MEMBER, "header",
                                  "member \"%.64s\" not allowed (OB 3.0 allows alg, "
                                  "kid, jwk and typ only)",
                                  member);
        }
    }
    const json_t *typ = json_object_get(h, "typ");
    if (typ && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0)) {
        return cred_error_set(err, CRED_E_TYP, "header",
                              "\"typ\" must be \"JWT\" when present");
    }
    const json_t *kid = json_object_get(h, "kid");
    if (kid && (!json_is_string(kid) || json_string_length(kid) == 0)) {
        return cred_error_set(err, CRED_E_HEADER, "header",
                              "\"kid\" is not a non-empty string");
    }
    const json_t *jwk = json_object_get(h, "jwk");
    if (jwk) {
        int rc = cred_key_from_jwk(jwk, "header jwk", jwk_key, err);
        if (rc != 0 && rc != CRED_E_NOMEM && rc != CRED_E_JWK_PRIVATE) {
            /* A weak or unsupported key in the header is an unusable header jwk. */
            if (err && err->code == rc) {
                err->code = CRED_E_JWK_INVALID;
            }
            rc = CRED_E_JWK_INVALID;
        }
        if (rc != 0) {
            return rc;
        }
    } else if (kid == NULL) {
        return cred_error_set(err, CRED_E_NO_KEY_ID, "header",
                              "neither \"kid\" nor \"jwk\": no way to name the key");
    }
    return 0;
}

int cred_jws_verify(const char *token, size_t len, const cred_keyset *trusted,
                    const cred_jws_verify_options *opts, cred_jws_decoded *out, cred_error *err)
{
    memset(out, 0, sizeof(*out));
    if (len > CRED_JWS_MAX_TOKEN) {
        return cred_error_set(err, CRED_E_TOO_LARGE, "token", "%zu bytes: at most %d accepted",
                              len, CRED_JWS_MAX_TOKEN);
    }
    size_t dots = 0, dot[2] = {0, 0};
    for (size_t i = 0; i < len; i++) {
        if (token[i] == '.') {
            if (dots < 2) {
                dot[dots] = i;
            }
            dots++;
        }
    }
    if (dots == 4) {
        return cred_error_set(err, CRED_E_MALFORMED, "token",
                              "5 segments: an encrypted JWE, not a signed JWS");
    }
    if (dots < 2) {
        return cred_error_set(err, CRED_E_MALFORMED, "token",
                              "%zu segment%s: a compact JWS has 3 "
                              "(header.payload.signature)",
                              dots + 1, dots ? "s" : "");
    }
    const char *seg[3] = {token, token + dot[0] + 1, token + dot[1] + 1};
    size_t seglen[3] = {dot[0], dot[1] - dot[0] - 1, 0};
    static const char *const names[3] = {"header", "payload", "signature"};
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < seglen[s]; i++) {
            if (!b64url_char((unsigned char)seg[s][i])) {
                return cred_error_set(err, CRED_E_BASE64, names[s],
                                      "byte 0x%02x at offset %zu is not a base64url "
                                      "character",
                                      (unsigned char)seg[s][i], (size_t)(seg[s] - token) + i);
            }
        }
        if (seglen[s] == 0) {
            return cred_error_set(err, CRED_E_MALFORMED, names[s], "empty segment");
        }
    }
    while (dot[1] + 1 + seglen[2] < len && b64url_char((unsigned char)seg[2][seglen[2]])) {
        seglen[2]++;
    }
    size_t end = dot[1] + 1 + seglen[2];
    if (end < len) {
        return cred_error_set(err, CRED_E_TRAILING, "token",
                              "%zu bytes of trailing garbage after the signature (from "
                              "offset %zu)",
                              len - end, end);
    }

    uint8_t *hbytes = NULL, *sig = NULL;
    size_t hlen = 0, sig_len = 0;
    cred_key *jwk_key = NULL;
    json_t *header = NULL;
    int rc = decode_segment(seg[0], seglen[0], "header", &hbytes, &hlen, err);
    if (rc != 0) {
        goto fail;
    }
    json_error_t je;
    header = json_loadb((const char *)hbytes, hlen, JSON_REJECT_DUPLICATES, &je);
    if (header == NULL) {
        rc = cred_error_set(err, CRED_E_HEADER, "header", "not JSON: %s", je.text);
        goto fail;
    }
    if (!json_is_object(header)) {
        rc = cred_error_set(err, CRED_E_HEADER, "header", "not a JSON object");
        goto fail;
    }
    if ((rc = check_header(header, &out->alg, &jwk_key, err)) != 0) {
        goto fail;
    }
    const cred_key *key = NULL;
    const char *kid = json_string_value(json_object_get(header, "kid"));
    if (jwk_key) {
        if ((key = cred_keyset_find_same(trusted, jwk_key)) == NULL) {
            rc = cred_error_set(err, CRED_E_KEY_UNTRUSTED, "header",
                                "jwk (thumbprint %s) is none of the trusted keys",
                                cred_key_thumbprint(jwk_key));
            goto fail;
        }
    } else if (opts && opts->single_key_any_kid && cred_keyset_count(trusted) == 1) {
        key = cred_keyset_get(trusted, 0);
    } else if ((key = cred_keyset_find_kid(trusted, kid)) == NULL) {
        rc = cred_error_set(err, CRED_E_KEY_NOT_FOUND, "header",
                            "kid \"%.200s\" names none of the trusted keys", kid);
        goto fail;
    }
    if (out->alg != cred_key_alg(key)) {
        rc = cred_error_set(err, CRED_E_ALG_KEY_MISMATCH, "header",
                            "alg %s does not fit the %s key %s", cred_jws_alg_name(out->alg),
                            cred_key_type_name(key), cred_key_kid(key));
        goto fail;
    }
    if (seglen[2] == 0) {
        rc = cred_error_set(err, CRED_E_SIGNATURE, "signature", "empty segment");
        goto fail;
    }
    if ((rc = decode_segment(seg[2], seglen[2], "signature", &sig, &sig_len, err)) != 0 ||
        (rc = decode_segment(seg[1], seglen[1], "payload", &out->payload, &out->payload_len,
                             err)) != 0) {
        goto fail;
    }
    if ((rc = cred_key_verify(key, out->alg, token, dot[1], sig, sig_len, err)) != 0) {
        goto fail;
    }
    out->header = header;
    out->key = key;
    free(hbytes);
    free(sig);
    cred_key_destroy(jwk_key);
    return 0;
fail:
    json_decref(header);
    free(hbytes);
    free(sig);
    cred_key_destroy(jwk_key);
    free(out->payload);
    memset(out, 0, sizeof(*out));
    return rc;
}
