/*
 * test_award.c - awards (credential/award.h): a record that satisfies a definition gives an
 * OB 3.0 credential with the levels, evidence and validity of the point the requirement was
 * met, signed as a VC-JWT that verifies (RS256 and EdDSA); the same record twice gives the
 * same bytes; a record that does not gives the reason (just under a level, a required
 * rubric not graded, a regrade that drops it below), exactly at the level is met; the hashed
 * subject and its salt; the subject id template; the checks made before any award.
 */
#include "credtest.h"
#include "deftest.h"

#include "credential/award.h"
#include "credential/vcjwt.h"

static const char *test_salt(const char *name, void *ctx)
{
    return strcmp(name, "ASSAY_SUBJECT_SALT") == 0 ? (const char *)ctx : NULL;
}

static const char *json_str(const json_t *root, const char *path)
{
    /* path: members separated by '.', array indexes as digits. */
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    const json_t *v = root;
    for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, ".")) {
        v = (*tok >= '0' && *tok <= '9') ? json_array_get(v, (size_t)atoi(tok))
                                         : json_object_get(v, tok);
    }
    return json_string_value(v);
}

/* A record of learner that meets DEFTEST_REQ at s2 (see test_definition.c). */
static assay_record *met_record(const assay_catalog *cat, const char *learner)
{
    assay_record *r = assay_record_create(learner);
    deftest_apply(r, cat, "quiz", "s1", "2026-03-01T09:00:00Z", "0.5", "0.5");
    deftest_apply(r, cat, "quiz", "s2", "2026-03-02T08:30:00.250Z", "1", "0.5");
    deftest_apply(r, cat, "quiz", "s3", "2026-03-03T09:00:00Z", "1", "1");
    return r;
}

static void test_award(const char *key_name, const char *public_name, const char *alg)
{
    assay_catalog *cat = deftest_catalog();
    char *text = deftest_text(DEFTEST_REQ, DEFTEST_SUBJECT,
                              ", \"validity\": {\"days\": 365}, \"image\": "
                              "\"https://example.edu/b.png\"");
    assay_credential_def *def = deftest_def(cat, text);
    free(text);
    cred_key *key = credtest_key(key_name, true);
    assay_record *r = met_record(cat, "learner 7/é");
    cred_award a = {0}, b = {0};
    cred_error err = {0};
    ASSERT_INT_EQ(cred_award_make(r, def, key, NULL, &a, &err), 0);
    ASSERT_INT_EQ(cred_award_make(r, def, key, NULL, &b, &err), 0);
    ASSERT(a.jws && b.jws && strcmp(a.jws, b.jws) == 0);
    /* The credential's text, as signed: its compact JSON. */
    char *compact = json_dumps(a.credential, JSON_COMPACT);
    ASSERT(compact && a.credential_text && strcmp(compact, a.credential_text) == 0);
    free(compact);

    char uuid[CRED_UUID_STRLEN + 1], id[64];
    cred_uuid_award("learner 7/é", "quiz-badge", "1", uuid);
    ASSERT_STR_EQ(a.uuid, uuid);
    snprintf(id, sizeof(id), "urn:uuid:%s", uuid);
    const json_t *c = a.credential;
    ASSERT_STR_EQ(json_str(c, "id"), id);
    ASSERT_STR_EQ(json_str(c, "validFrom"), "2026-03-02T08:30:00Z");
    ASSERT_STR_EQ(json_str(c, "validUntil"), "2027-03-02T08:30:00Z");
    ASSERT_STR_EQ(json_str(c, "name"), "Quiz badge");
    ASSERT_STR_EQ(json_str(c, "issuer.id"), "https://example.edu/issuer");
    ASSERT_STR_EQ(json_str(c, "credentialSubject.id"),
                  "urn:example:learner:learner%207%2F%C3%A9");
    ASSERT(json_object_get(json_object_get(c, "credentialSubject"), "identifier") == NULL);
    const char *ach = json_str(c, "credentialSubject.achievement.id");
    ASSERT(ach && strncmp(ach, "urn:uuid:", 9) == 0);
    ASSERT_STR_EQ(json_str(c, "credentialSubject.achievement.achievementType"),
                  "MicroCredential");
    ASSERT_STR_EQ(json_str(c, "credentialSubject.achievement.criteria.narrative"),
                  "Proficient in A, developing in B.");
    ASSERT_STR_EQ(json_str(c, "credentialSubject.achievement.image.id"),
                  "https://example.edu/b.png");
    ASSERT_STR_EQ(json_str(c, "credentialSubject.achievement.alignment.0.targetUrl"),
                  "https://case.example.org/uri/a");
    /* A's result: proficient (0.825 at s2, not the expert of later), required proficient. */
    const char *rd = "credentialSubject.achievement.resultDescription.0.";
    char path[200];
    snprintf(path, sizeof(path), "%srubricCriterionLevel.2.id", rd);
    const char *proficient = json_str(c, path);
    snprintf(path, sizeof(path), "%srequiredLevel", rd);
    ASSERT_STR_EQ(json_str(c, path), proficient);
    ASSERT_STR_EQ(json_str(c, "credentialSubject.result.0.achievedLevel"), proficient);
    snprintf(path, sizeof(path), "%salignment.0.targetUrl", rd);
    ASSERT_STR_EQ(json_str(c, path), "https://case.example.org/uri/a");
    snprintf(path, sizeof(path), "%sname", rd);
    ASSERT_STR_EQ(json_str(c, path), "Competency A");
    ASSERT_STR_EQ(json_str(c, "credentialSubject.achievement.resultDescription.1.name"),
                  "Competency B");
    /* The evidence up to s2. */
    ASSERT_INT_EQ(json_array_size(json_object_get(c, "evidence")), 2);
    ASSERT_STR_EQ(json_str(c, "evidence.0.name"), "Submission s1");
    ASSERT_STR_CONTAINS(json_str(c, "evidence.1.description"),
                        "against rubric quiz version 1 (SHA-256 ");
    ASSERT_STR_CONTAINS(json_str(c, "evidence.1.description"), " at 2026-03-02T08:30:00.250Z");

    /* The token verifies with the public key, and decodes to the same credential. */
    cred_keyset *set = cred_keyset_create();
    cred_keyset_add(set, credtest_key(public_name, false), NULL);
    cred_vcjwt_result v = {0};
    ASSERT_INT_EQ(cred_vcjwt_verify(a.jws, strlen(a.jws), set, NULL, 1780000000, &v), 0);
    ASSERT(v.verified);
    ASSERT_STR_EQ(json_str(v.header, "alg"), alg);
    ASSERT(json_equal(v.credential, a.credential));
    ASSERT_STR_EQ(json_str(v.payload, "sub"), "urn:example:learner:learner%207%2F%C3%A9");
    cred_vcjwt_result_finish(&v);
    cred_keyset_destroy(set);

    cred_award_finish(&a);
    cred_award_finish(&b);
    ASSERT(a.jws == NULL && a.credential == NULL && a.credential_text == NULL &&
           a.eval == NULL);
    assay_record_destroy(r);
    cred_key_destroy(key);
    assay_credential_def_destroy(def);
    assay_catalog_destroy(cat);
}

static void test_not_met_and_subjects(void)
{
    assay_catalog *cat = deftest_catalog();
    char *text = deftest_text(DEFTEST_REQ,
                              "{\"hashed\": true, \"identity_type\": \"sisSourcedId\"}", "");
    assay_credential_def *def = deftest_def(cat, text);
    free(text);
    cred_key *key = credtest_key("ed25519-rfc8037-pkcs8.pem", true);
    cred_error err = {0};
    cred_award a = {0};

    /* Not met: the reason, no document. */
    assay_record *r = assay_record_create("learner-9");
    deftest_apply(r, cat, "quiz", "s1", "2026-03-01T09:00:00Z", "0.5", "0.5");
    cred_award_options opts = {.secret = test_salt, .secret_ctx = "0123456789abcdef"};
    ASSERT_INT_EQ(cred_award_make(r, def, key, &opts, &a, &err), CRED_AWARD_NOT_MET);
    ASSERT_STR_CONTAINS(a.reason, "is at developing (0.5), below the required proficient");
    ASSERT(a.credential == NULL && a.jws == NULL);
    cred_award_finish(&a);
    assay_record_destroy(r);

    /* Hashed: an IdentityObject with sha256(learner + salt), no subject id, no sub claim. */
    r = met_record(cat, "learner-9");
    ASSERT_INT_EQ(cred_award_make(r, def, key, &opts, &a, &err), 0);
    const json_t *subj = json_object_get(a.credential, "credentialSubject");
    ASSERT(json_object_get(subj, "id") == NULL);
    char hash[72];
    cred_ob3_identity_hash("learner-9", "0123456789abcdef", hash);
    ASSERT_STR_EQ(json_str(subj, "identifier.0.identityHash"), hash);
    ASSERT_STR_EQ(json_str(subj, "identifier.0.identityType"), "sisSourcedId");
    ASSERT_STR_EQ(json_str(subj, "identifier.0.salt"), "0123456789abcdef");
    cred_award_finish(&a);

    /* A missing or short salt is an error naming the variable, found before any record. */
    cred_award_options none = {.secret = test_salt, .secret_ctx = ""};
    memset(&err, 0, sizeof(err));
    ASSERT_INT_EQ(cred_award_check(def, key, &none, &err), CRED_E_INPUT);
    ASSERT_STR_CONTAINS(err.message, "with the salt in $ASSAY_SUBJECT_SALT, which is not set");
    cred_award_options shorty = {.secret = test_salt, .secret_ctx = "short"};
    memset(&err, 0, sizeof(err));
    ASSERT_INT_EQ(cred_award_make(r, def, key, &shorty, &a, &err), CRED_E_INPUT);
    ASSERT_STR_CONTAINS(err.message, "is shorter than 16 characters");
    ASSERT(strstr(err.message, "short\"") == NULL);
    ASSERT(a.credential == NULL && a.eval == NULL);
    ASSERT_INT_EQ(cred_award_check(def, key, &opts, NULL), 0);

    /* A public key cannot issue. */
    cred_key *pub = credtest_key("ed25519-rfc8037-spki.pem", false);
    memset(&err, 0, sizeof(err));
    ASSERT_INT_EQ(cred_award_check(def, pub, &opts, &err), CRED_E_KEY);
    ASSERT_STR_CONTAINS(err.message, "issuing needs the private key");
    ASSERT_INT_EQ(cred_award_make(NULL, def, key, &opts, &a, &err), CRED_E_ARG);
    cred_key_destroy(pub);
    assay_record_destroy(r);
    cred_key_destroy(key);
    assay_credential_def_destroy(def);
    assay_catalog_destroy(cat);
}

/* The boundaries of the decision: exactly at the required level is met, just under it is
 * not; a required rubric not yet graded; a regrade that drops the record below the
 * requirement (the award is then refused with the reason: the caller reports it). */
static void test_decision_edges(void)
{
    assay_catalog *cat = deftest_catalog();
    char *text = deftest_text(DEFTEST_REQ, DEFTEST_SUBJECT, "");
    assay_credential_def *def = deftest_def(cat, text);
    free(text);
    text = deftest_text("{\"competencies\": [{\"id\": \"a\", \"level\": \"proficient\"}],"
                        " \"rubrics\": [\"other\"]}",
                        DEFTEST_SUBJECT, "");
    assay_credential_def *with_rubric = deftest_def(cat, text);
    free(text);
    ASSERT(def != NULL && with_rubric != NULL);
    cred_key *key = credtest_key("ed25519-rfc8037-pkcs8.pem", true);
    cred_error err = {0};
    cred_award a = {0};

    /* Exactly at the level: 0.8 is proficient's minimum, 0.5 developing's. */
    assay_record *r = assay_record_create("learner-edge");
    deftest_apply(r, cat, "quiz", "s1", "2026-03-01T09:00:00Z", "0.8", "0.5");
    ASSERT_INT_EQ(cred_award_make(r, def, key, NULL, &a, &err), 0);
    ASSERT_STR_EQ(json_str(a.credential, "credentialSubject.result.0.achievedLevel"),
                  json_str(a.credential, "credentialSubject.achievement.resultDescription.0."
                                         "requiredLevel"));
    ASSERT_STR_EQ(json_str(a.credential, "validFrom"), "2026-03-01T09:00:00Z");
    cred_award_finish(&a);
    assay_record_destroy(r);

    /* Just under it. */
    r = assay_record_create("learner-edge");
    deftest_apply(r, cat, "quiz", "s1", "2026-03-01T09:00:00Z", "0.79", "0.5");
    ASSERT_INT_EQ(cred_award_make(r, def, key, NULL, &a, &err), CRED_AWARD_NOT_MET);
    ASSERT_STR_CONTAINS(a.reason,
                        "competency \"rubric:quiz/a\" is at developing (0.79), below the "
                        "required proficient");
    ASSERT(a.jws == NULL);
    cred_award_finish(&a);

    /* A required rubric not graded yet: not met whatever the levels; met once it is. */
    assay_record_destroy(r);
    r = met_record(cat, "learner-edge");
    ASSERT_INT_EQ(cred_award_make(r, with_rubric, key, NULL, &a, &err), CRED_AWARD_NOT_MET);
    ASSERT_STR_EQ(a.reason, "no submission graded by rubric \"other\" yet");
    cred_award_finish(&a);
    deftest_apply(r, cat, "other", "s4", "2026-03-05T10:00:00Z", "1", NULL);
    ASSERT_INT_EQ(cred_award_make(r, with_rubric, key, NULL, &a, &err), 0);
    ASSERT_STR_EQ(json_str(a.credential, "validFrom"), "2026-03-05T10:00:00Z");
    cred_award_finish(&a);

    /* A regrade drops the record below: the award is not made again, with the reason. */
    ASSERT_INT_EQ(cred_award_make(r, def, key, NULL, &a, &err), 0);
    cred_award_finish(&a);
    deftest_apply(r, cat, "quiz", "s2", "2026-03-02T08:30:00.250Z", "0.2", "0.5");
    deftest_apply(r, cat, "quiz", "s3", "2026-03-03T09:00:00Z", "0.2", "0.5");
    ASSERT_INT_EQ(cred_award_make(r, def, key, NULL, &a, &err), CRED_AWARD_NOT_MET);
    ASSERT_STR_CONTAINS(a.reason, "competency \"rubric:quiz/a\" is at novice (0.2525), ");
    ASSERT_STR_CONTAINS(a.reason, "below the required proficient");
    ASSERT(a.credential == NULL && a.jws == NULL && a.eval != NULL && !a.eval->met);
    cred_award_finish(&a);

    assay_record_destroy(r);
    cred_key_destroy(key);
    assay_credential_def_destroy(def);
    assay_credential_def_destroy(with_rubric);
    assay_catalog_destroy(cat);
}

static void test_subject_id(void)
{
    static const char *const cases[][3] = {
        {"urn:example:learner:{learner}", "learner-0042", "urn:example:learner:learner-0042"},
        {"mailto:{learner}", "ada@example.edu", "mailto:ada@example.edu"},
        {"https://lms.example.edu/u/{learner}#me", "a b/c?d#e%",
         "https://lms.example.edu/u/a%20b%2Fc%3Fd%23e%25#me"},
        {"urn:x:{learner}", "\xc3\xa9~!$&'()*+,;=:@", "urn:x:%C3%A9~!$&'()*+,;=:@"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *s = cred_award_subject_id(cases[i][0], cases[i][1]);
        ASSERT_STR_EQ(s, cases[i][2]);
        free(s);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        credtest_data = argv[1];
    }
    test_award("rsa2048-pkcs8.pem", "rsa2048-spki.pem", "RS256");
    test_award("ed25519-rfc8037-pkcs8.pem", "ed25519-rfc8037-spki.pem", "EdDSA");
    test_not_met_and_subjects();
    test_decision_edges();
    test_subject_id();
    return tap_done();
}
