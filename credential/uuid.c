/*
 * uuid.c - version 4 (GnuTLS random) and version 5 (SHA-1, nettle) UUIDs, parsed and
 * formatted as strings. Used for credential ids and for derived ids inside a credential.
 */
#include "uuid.h"

#include "cred.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ctype.h>
#include <nettle/base16.h>
#include <nettle/sha1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cred_uuid_parse(const char *s, uint8_t out[16])
{
    if (s == NULL || strlen(s) != CRED_UUID_STRLEN) {
        return false;
    }
    char hex[32];
    size_t k = 0;
    for (size_t i = 0; i < CRED_UUID_STRLEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])) {
            return false;
        }
        if (!dash) {
            hex[k++] = s[i];
        }
    }
    struct base16_decode_ctx ctx;
    size_t n = 16;
    base16_decode_init(&ctx);
    return base16_decode_update(&ctx, &n, out, sizeof(hex), hex) && base16_decode_final(&ctx) &&
           n == 16;
}

void cred_uuid_format(const uint8_t b[16], char out[CRED_UUID_STRLEN + 1])
{
    snprintf(out, CRED_UUID_STRLEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* Sets the version nibble and the RFC 9562 variant bits (10xx). */
static void stamp(uint8_t b[16], int version)
{
    b[6] = (uint8_t)((b[6] & 0x0F) | (version << 4));
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
}

int cred_uuid_v4(char out[CRED_UUID_STRLEN + 1])
{
    uint8_t b[16];
    if (gnutls_rnd(GNUTLS_RND_RANDOM, b, sizeof(b)) < 0) {
        return CRED_E_CRYPTO;
    }
    stamp(b, 4);
    cred_uuid_format(b, out);
    return 0;
}

int cred_uuid_v5(const char *ns, const void *name, size_t len, char out[CRED_UUID_STRLEN + 1])
{
    uint8_t nsb[16];
    if (!cred_uuid_parse(ns, nsb)) {
        return CRED_E_ARG;
    }
    struct sha1_ctx ctx;
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, sizeof(nsb), nsb);
    sha1_update(&ctx, len, name);
    sha1_digest(&ctx, sizeof(digest), digest);
    stamp(digest, 5);
    cred_uuid_format(digest, out);
    return 0;
}

int cred_uuid_v5_joined(const char *const *parts, size_t n, char out[CRED_UUID_STRLEN + 1])
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (parts[i] == NULL) {
            return CRED_E_ARG;
        }
        len += strlen(parts[i]) + (i > 0);
        if (len > 65536) {
            return CRED_E_ARG;
        }
    }
    char *name = malloc(len + 1);
    if (name == NULL) {
        return CRED_E_NOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            name[at++] = '\0';
        }
        size_t l = strlen(parts[i]);
        memcpy(name + at, parts[i], l);
        at += l;
    }
    int rc = cred_uuid_v5(CRED_UUID_NS_URL, name, len, out);
    free(name);
    return rc;
}

int cred_uuid_award(const char *learner, const char *credential_id, const char *version,
                    char out[CRED_UUID_STRLEN + 1])
{
    const char *parts[] = {learner, credential_id, version};
    return cred_uuid_v5_joined(parts, 3, out);
}
