/*
 * cred.h - what every part of Assay's credential library shares: the error codes (one
 * X-macro table gives the enum, the names and the sentences), the error record that names
 * the problem and where it is, and small helpers over real libraries: base64url (nettle),
 * SHA-256 in hex (nettle) and RFC 3339 timestamps. (The URI rule and the OB 3.0
 * vocabularies are libassay's, <assay/credential_def.h>, as credential definitions are
 * checked with them too.)
 *
 * The credential library (keys.h, jws.h, ob3.h, vcjwt.h, uuid.h, award.h) builds Open
 * Badges 3.0 AchievementCredentials and their VC-JWT proofs, and awards them from learner
 * records. It never prints, never exits and never
 * puts key material into an error message.
 */
#ifndef CREDENTIAL_CRED_H
#define CREDENTIAL_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Error codes: name, value, sentence. Negative; 0 is success. Verification failures have
 * one code per reason so that callers and tests can tell them apart.
 */
#define CRED_ERRNO_MAP(X)                                                                      \
    X(OK, 0, "success")                                                                        \
    X(NOMEM, -1, "out of memory")                                                              \
    X(IO, -2, "cannot read file")                                                              \
    X(ARG, -3, "invalid argument")                                                             \
    X(KEY, -4, "unusable key")                                                                 \
    X(KEY_WEAK, -5, "key too weak")                                                            \
    X(KEY_TYPE, -6, "key type not supported")                                                  \
    X(JWKS, -7, "invalid JWK Set")                                                             \
    X(CRYPTO, -8, "cryptographic library failure")                                             \
    X(INPUT, -9, "invalid credential input")                                                   \
    X(MALFORMED, -20, "malformed compact JWS")                                                 \
    X(TOO_LARGE, -21, "token too large")                                                       \
    X(BASE64, -22, "invalid base64url segment")                                                \
    X(TRAILING, -23, "trailing garbage after the signature")                                   \
    X(HEADER, -24, "invalid JOSE header")                                                      \
    X(HEADER_MEMBER, -25, "JOSE header member not allowed")                                    \
    X(ALG_NONE, -26, "unsigned token (alg none)")                                              \
    X(ALG_UNSUPPORTED, -27, "signature algorithm not supported")                               \
    X(ALG_KEY_MISMATCH, -28, "algorithm does not match the key type")                          \
    X(TYP, -29, "typ is not JWT")                                                              \
    X(NO_KEY_ID, -30, "header names no key (neither kid nor jwk)")                             \
    X(JWK_PRIVATE, -31, "header jwk contains private key material")                            \
    X(JWK_INVALID, -32, "header jwk is not a usable public key")                               \
    X(KEY_NOT_FOUND, -33, "no trusted key with that kid")                                      \
    X(KEY_UNTRUSTED, -34, "header jwk is not a trusted key")                                   \
    X(SIGNATURE, -35, "bad signature")                                                         \
    X(PAYLOAD, -36, "payload is not a JSON object")                                            \
    X(CREDENTIAL, -37, "not a valid OB 3.0 AchievementCredential")                             \
    X(CLAIM_ISS, -38, "iss claim does not match issuer.id")                                    \
    X(CLAIM_JTI, -39, "jti claim does not match id")                                           \
    X(CLAIM_NBF, -40, "nbf claim does not match validFrom")                                    \
    X(CLAIM_SUB, -41, "sub claim does not match credentialSubject.id")                         \
    X(CLAIM_EXP, -42, "exp claim does not match validUntil")                                   \
    X(NOT_YET_VALID, -43, "credential not yet valid")                                          \
    X(EXPIRED, -44, "credential expired")

typedef enum cred_errno {
#define CRED_ERRNO_ENUM_(name, value, msg) CRED_E_##name = value,
    CRED_ERRNO_MAP(CRED_ERRNO_ENUM_)
#undef CRED_ERRNO_ENUM_
} cred_errno;

/* A static sentence for an CRED_E_* code ("unknown error" otherwise). */
const char *cred_strerror(int code);
/* The code's name without prefix, e.g. "CLAIM_ISS" ("UNKNOWN" otherwise). */
const char *cred_err_name(int code);

/*
 * One problem: its code, where it is (a file name, "header", "payload", or a field path
 * such as "credentialSubject.achievement.name") and a sentence. Printed as
 * "where: message". Callers stack-allocate it; every function accepts NULL; the first
 * error set wins until cred_error_clear().
 */
typedef struct cred_error {
    int code;
    char where[256];
    char message[512];
} cred_error;

void cred_error_clear(cred_error *err);
/* Sets err (when NULL or already set: nothing) and returns code, for `return set(...)`. */
int cred_error_set(cred_error *err, int code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Writes "where: message" (or just the message when where is empty) into buf. */
void cred_error_format(const cred_error *err, char *buf, size_t size);

/*
 * base64url without padding (RFC 7515 section 2), through nettle.
 * cred_b64url_encode returns a NUL-terminated string the caller frees, or NULL (no memory).
 * cred_b64url_decode accepts only the 64 base64url characters, no padding, no white space,
 * and no leftover non-zero bits; it returns 0 and a malloc'ed buffer (NUL-terminated for
 * convenience; *out_len excludes the NUL) or CRED_E_BASE64 / CRED_E_NOMEM.
 */
char *cred_b64url_encode(const uint8_t *data, size_t len);
int cred_b64url_decode(const char *text, size_t len, uint8_t **out, size_t *out_len);

/* SHA-256 of data as 64 lowercase hex digits and a NUL (nettle). */
void cred_sha256_hex(const void *data, size_t len, char out[65]);

/*
 * RFC 3339 date-times. cred_time_parse reads "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|
 * -hh:mm)" (T and Z in either case) into seconds since the epoch (the fraction is dropped),
 * returning false on anything else, including impossible dates such as February 30.
 * cred_time_format writes "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out.
 */
bool cred_time_parse(const char *text, int64_t *out);
void cred_time_format(int64_t t, char out[32]);

/*
 * Library-internal: reads the whole file at path (at most max bytes) and hands its bytes,
 * NUL-terminated, to fn(ctx, path, bytes, len, err); then wipes and frees them. Returns
 * fn's result, or E_IO / E_NOMEM naming the file.
 */
typedef int (*cred__buffer_fn)(void *ctx, const char *name, const char *buf, size_t len,
                               cred_error *err);
int cred__with_file(const char *path, size_t max, cred__buffer_fn fn, void *ctx,
                    cred_error *err);

/* Overwrites len bytes at p with zeros in a way the compiler keeps (key material). */
void cred_wipe(void *p, size_t len);

#endif
