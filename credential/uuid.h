/*
 * uuid.h - UUIDs for credential ids (urn:uuid:...): random version 4 from GnuTLS's
 * random number generator, and name-based version 5 (RFC 9562: SHA-1 through nettle over
 * a namespace UUID and a name) so that the worker and offline issuance derive the same id
 * for the same award from, for example, the learner, the credential id and its version.
 *
 * UUIDs are handled as 36-character lowercase strings ("xxxxxxxx-xxxx-...") plus a NUL.
 */
#ifndef CREDENTIAL_UUID_H
#define CREDENTIAL_UUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRED_UUID_STRLEN 36

/* RFC 9562 section 6.6 namespace for URLs (6ba7b811-9dad-11d1-80b4-00c04fd430c8). */
#define CRED_UUID_NS_URL "6ba7b811-9dad-11d1-80b4-00c04fd430c8"
/* RFC 9562 section 6.6 namespace for DNS names (6ba7b810-...). */
#define CRED_UUID_NS_DNS "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

/* Parses a UUID string (either case, with hyphens) into 16 bytes; false if malformed. */
bool cred_uuid_parse(const char *text, uint8_t out[16]);
/* Writes the 16 bytes as a lowercase UUID string. */
void cred_uuid_format(const uint8_t bytes[16], char out[CRED_UUID_STRLEN + 1]);
/* A random version 4 UUID. Returns 0, or CRED_E_CRYPTO when GnuTLS's RNG fails. */
int cred_uuid_v4(char out[CRED_UUID_STRLEN + 1]);
/*
 * The version 5 UUID of name (len bytes) in namespace ns (a UUID string). Returns 0, or
 * CRED_E_ARG when ns is not a UUID.
 */
int cred_uuid_v5(const char *ns, const void *name, size_t len, char out[CRED_UUID_STRLEN + 1]);

/*
 * The version 5 UUID, in the URL namespace, of the n strings of parts joined by zero bytes
 * (for ids that must be the same wherever they are derived). Returns 0, CRED_E_ARG when a
 * part is NULL or the name would exceed 64 KiB, or E_NOMEM.
 */
int cred_uuid_v5_joined(const char *const *parts, size_t n, char out[CRED_UUID_STRLEN + 1]);

/*
 * The credential id of an award: the version 5 UUID, in the URL namespace, of the learner
 * id, the credential id and the credential version joined by zero bytes. The worker and
 * offline issuance both derive it, so the same award always gets the same id. Returns 0,
 * CRED_E_ARG when an argument is NULL or the name would exceed 64 KiB, or E_NOMEM.
 */
int cred_uuid_award(const char *learner, const char *credential_id, const char *version,
                    char out[CRED_UUID_STRLEN + 1]);

#endif
