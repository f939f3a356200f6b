/*
 * credtest.h - fixtures shared by the credential library's unit tests and the example
 * maker: loading the test keys of tests/credential/data (named by the test's first
 * argument), a sample OB 3.0 input (two competencies on a four-level scale, two graded
 * submissions), and making a compact JWS with any header and payload.
 */
#ifndef ASSAY_TESTS_CREDTEST_H
#define ASSAY_TESTS_CREDTEST_H

#include "credential/jws.h"
#include "credential/keys.h"
#include "credential/keyset.h"
#include "credential/ob3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *credtest_data = "tests/credential/data";

/* The path of a file in the data directory (a static buffer, valid until the next call). */
static inline const char *credtest_path(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof(buf), "%s/%s", credtest_data, name);
    return buf;
}

/* Loads a test key; exits the test (status 99, a hard error) when it cannot. */
static inline cred_key *credtest_key(const char *name, bool private_key)
{
    cred_key *k = NULL;
    cred_error err = {0};
    int rc = private_key ? cred_key_load_private_file(credtest_path(name), &k, &err)
                         : cred_key_load_public_file(credtest_path(name), &k, &err);
    if (rc != 0) {
        printf("Bail out! cannot load test key %s: %s: %s\n", name, err.where, err.message);
        exit(99);
    }
    return k;
}

static const cred_ob3_level credtest_levels[] = {
    {"novice", "Novice", "Recognises the idea", NULL},
    {"developing", "Developing", NULL, NULL},
    {"proficient", "Proficient", "Applies it unaided", NULL},
    {"expert", "Expert", NULL, NULL},
};

static const cred_ob3_alignment credtest_cfitem[] = {
    {"Molar concentration", "https://case.example.org/uri/6b1e4c52-0000-4000-8000-000000000001",
     NULL, "CHEM.3.2", "Example chemistry framework"},
};

static const cred_ob3_competency credtest_competencies[] = {
    {"chem.molarity", "Molar concentration", credtest_levels, 4, "proficient", "expert", NULL,
     credtest_cfitem, 1},
    {"chem.units", "Units and significant figures", credtest_levels, 4, "developing",
     "developing", NULL, NULL, 0},
};

static const cred_ob3_evidence credtest_evidence[] = {
    {"sub-0001", "chem-molarity", "3",
     "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4", "2026-03-01T10:00:00Z",
     NULL},
    {"sub-0002", "chem-units", "1",
     "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e", NULL,
     "https://lms.example.edu/submissions/0002"},
};

static const cred_ob3_alignment credtest_badge_alignment[] = {
    {"Stoichiometry", "https://case.example.org/uri/6b1e4c52-0000-4000-8000-000000000002",
     "CFItem", NULL, NULL},
};

/* A complete input: learner as id, validUntil, two competencies, two submissions. */
static inline cred_ob3_input credtest_input(void)
{
    cred_ob3_input in = {0};
    in.uuid = "6F1D3A52-1B0E-5C8A-9B3F-2E4D5C6B7A80";
    in.valid_from = 1767225600; /* 2026-01-01T00:00:00Z */
    in.has_valid_until = true;
    in.valid_until = 4102444800; /* 2100-01-01T00:00:00Z */
    in.issuer = (cred_ob3_profile){"https://example.edu/issuer", "Example University",
                                   "https://example.edu", "badges@example.edu"};
    in.achievement = (cred_ob3_achievement){
        "https://example.edu/credentials/chem-basics",
        "Chemistry basics",
        "Solution chemistry: molarity, units and significant figures.",
        "Reach Proficient in molar concentration and Developing in units, in graded work.",
        "https://example.edu/badges/chem-basics.png",
        "MicroCredential",
        credtest_badge_alignment,
        1};
    in.competencies = credtest_competencies;
    in.competency_count = 2;
    in.subject = (cred_ob3_subject){"urn:example:learner:L-1001", NULL, NULL, NULL};
    in.evidence = credtest_evidence;
    in.evidence_count = 2;
    return in;
}

/* base64url(header) "." base64url(payload) "." base64url(signature by key); caller frees. */
static inline char *credtest_token(const cred_key *key, cred_jws_alg alg, const char *header,
                                   const char *payload)
{
    char *h = cred_b64url_encode((const uint8_t *)header, strlen(header));
    char *p = cred_b64url_encode((const uint8_t *)payload, strlen(payload));
    size_t n = strlen(h) + 1 + strlen(p);
    char *input = malloc(n + 1);
    snprintf(input, n + 1, "%s.%s", h, p);
    uint8_t *sig = NULL;
    size_t sig_len = 0;
    char *s = NULL;
    if (key && cred_key_sign(key, alg, input, n, &sig, &sig_len, NULL) == 0) {
        s = cred_b64url_encode(sig, sig_len);
    }
    char *token = malloc(n + 2 + (s ? strlen(s) : 0));
    sprintf(token, "%s.%s", input, s ? s : "");
    free(h);
    free(p);
    free(input);
    free(sig);
    free(s);
    return token;
}

#endif
