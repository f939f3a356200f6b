/*
 * test_ob3.c - unit tests of credential/ob3.c, ob3check.c, uuid.c and cred.c: the
 * AchievementCredential built from the sample input (member order, contexts, ids, the
 * subject as id or salted hash, result descriptions with their levels in order, results,
 * evidence, credentialSchema), the input errors naming their field, the structural check,
 * UUIDs (RFC 9562's v5 example), RFC 3339 dates, base64url and the URI check.
 *
 * Usage: test-credential-ob3 [DATA_DIR] (no data needed).
 */
#include "credential/ob3check.h"
#include "credential/uuid.h"
#include "credtest.h"
#include "tap.h"

static json_t *build(const cred_ob3_input *in)
{
    json_t *c = NULL;
    cred_error err = {0};
    int rc = cred_ob3_build(in, &c, &err);
    ASSERT_INT_EQ(rc, 0);
    if (rc != 0) {
        printf("#   %s: %s\n", err.where, err.message);
    }
    return c;
}

static const char *sget(const json_t *o, const char *path)
{
    json_t *v = (json_t *)o;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, ".")) {
        if (*tok >= '0' && *tok <= '9') {
            v = json_array_get(v, (size_t)atoi(tok));
        } else {
            v = json_object_get(v, tok);
        }
    }
    return json_string_value(v);
}

static void test_document(void)
{
    cred_ob3_input in = credtest_input();
    json_t *c = build(&in);
    static const char *const order[] = {"@context",  "id",
                                        "type",      "issuer",
                                        "validFrom", "validUntil",
                                        "name",      "credentialSubject",
                                        "evidence",  "credentialSchema"};
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach(c, key, value)
    {
        ASSERT(i < sizeof(order) / sizeof(order[0]) && strcmp(key, order[i]) == 0);
        i++;
    }
    ASSERT_INT_EQ(i, sizeof(order) / sizeof(order[0]));
    ASSERT_STR_EQ(sget(c, "@context.0"), "https://www.w3.org/ns/credentials/v2");
    ASSERT_STR_EQ(sget(c, "@context.1"),
                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");
    ASSERT_STR_EQ(sget(c, "id"), "urn:uuid:6f1d3a52-1b0e-5c8a-9b3f-2e4d5c6b7a80");
    ASSERT_STR_EQ(sget(c, "type.0"), "VerifiableCredential");
    ASSERT_STR_EQ(sget(c, "type.1"), "OpenBadgeCredential");
    ASSERT_STR_EQ(sget(c, "issuer.id"), "https://example.edu/issuer");
    ASSERT_STR_EQ(sget(c, "issuer.type.0"), "Profile");
    ASSERT_STR_EQ(sget(c, "issuer.email"), "badges@example.edu");
    ASSERT_STR_EQ(sget(c, "validFrom"), "2026-01-01T00:00:00Z");
    ASSERT_STR_EQ(sget(c, "validUntil"), "2100-01-01T00:00:00Z");
    ASSERT_STR_EQ(sget(c, "name"), "Chemistry basics");
    ASSERT_STR_EQ(sget(c, "credentialSchema.0.id"), CRED_OB3_SCHEMA_URL);
    ASSERT_STR_EQ(sget(c, "credentialSchema.0.type"), "1EdTechJsonSchemaValidator2019");

    const json_t *s = json_object_get(c, "credentialSubject");
    ASSERT_STR_EQ(sget(s, "id"), "urn:example:learner:L-1001");
    ASSERT_STR_EQ(sget(s, "type.0"), "AchievementSubject");
    ASSERT(json_object_get(s, "identifier") == NULL);
    const json_t *a = json_object_get(s, "achievement");
    ASSERT_STR_EQ(sget(a, "id"), "https://example.edu/credentials/chem-basics");
    ASSERT_STR_EQ(sget(a, "type.0"), "Achievement");
    ASSERT_STR_EQ(sget(a, "achievementType"), "MicroCredential");
    ASSERT_STR_EQ(sget(a, "criteria.narrative"), in.achievement.criteria_narrative);
    ASSERT_STR_EQ(sget(a, "image.id"), "https://example.edu/badges/chem-basics.png");
    ASSERT_STR_EQ(sget(a, "image.type"), "Image");
    ASSERT_STR_EQ(sget(a, "alignment.0.targetType"), "CFItem");
    ASSERT_STR_EQ(sget(a, "alignment.0.type.0"), "Alignment");

    /* One RubricCriterionLevel result description per competency, levels in scale order. */
    const json_t *rd = json_array_get(json_object_get(a, "resultDescription"), 0);
    ASSERT_STR_EQ(sget(rd, "resultType"), "RubricCriterionLevel");
    ASSERT_STR_EQ(sget(rd, "type.0"), "ResultDescription");
    ASSERT_STR_EQ(sget(rd, "name"), "Molar concentration");
    ASSERT_STR_EQ(sget(rd, "alignment.0.targetCode"), "CHEM.3.2");
    ASSERT_STR_EQ(sget(rd, "alignment.0.targetType"), "CFItem");
    const json_t *levels = json_object_get(rd, "rubricCriterionLevel");
    ASSERT_INT_EQ(json_array_size(levels), 4);
    ASSERT_STR_EQ(sget(levels, "0.level"), "novice");
    ASSERT_STR_EQ(sget(levels, "3.name"), "Expert");
    ASSERT_STR_EQ(sget(levels, "2.type.0"), "RubricCriterionLevel");
    ASSERT_STR_EQ(sget(rd, "requiredLevel"), sget(levels, "2.id"));
    /* Derived ids: v5 UUIDs of achievement id NUL competency id (NUL level key). */
    char u[CRED_UUID_STRLEN + 1], want[64];
    const char rd_name[] = "https://example.edu/credentials/chem-basics\0chem.molarity";
    cred_uuid_v5(CRED_UUID_NS_URL, rd_name, sizeof(rd_name) - 1, u);
    snprintf(want, sizeof(want), "urn:uuid:%s", u);
    ASSERT_STR_EQ(sget(rd, "id"), want);
    const char lv_name[] = "https://example.edu/credentials/chem-basics\0chem.molarity\0expert";
    cred_uuid_v5(CRED_UUID_NS_URL, lv_name, sizeof(lv_name) - 1, u);
    snprintf(want, sizeof(want), "urn:uuid:%s", u);
    ASSERT_STR_EQ(sget(levels, "3.id"), want);

    const json_t *results = json_object_get(s, "result");
    ASSERT_INT_EQ(json_array_size(results), 2);
    ASSERT_STR_EQ(sget(results, "0.type.0"), "Result");
    ASSERT_STR_EQ(sget(results, "0.resultDescription"), sget(rd, "id"));
    ASSERT_STR_EQ(sget(results, "0.achievedLevel"), sget(levels, "3.id"));
    const json_t *rd2 = json_array_get(json_object_get(a, "resultDescription"), 1);
    ASSERT_STR_EQ(sget(results, "1.achievedLevel"), sget(rd2, "rubricCriterionLevel.1.id"));
    ASSERT_STR_EQ(sget(rd2, "requiredLevel"), sget(rd2, "rubricCriterionLevel.1.id"));

    const json_t *ev = json_object_get(c, "evidence");
    ASSERT_INT_EQ(json_array_size(ev), 2);
    ASSERT_STR_EQ(sget(ev, "0.type.0"), "Evidence");
    ASSERT_STR_EQ(sget(ev, "0.name"), "Submission sub-0001");
    ASSERT_STR_CONTAINS(sget(ev, "0.description"), "rubric chem-molarity version 3 (SHA-256 "
                                                   "8f434346648f6b96df89dda901c5176b10a6d839"
                                                   "61dd3c1ac88b59b2dc327aa4) at 2026-03-01T10:"
                                                   "00:00Z");
    ASSERT(json_object_get(json_array_get(ev, 0), "id") == NULL);
    ASSERT_STR_EQ(sget(ev, "1.id"), "https://lms.example.edu/submissions/0002");

    ASSERT_INT_EQ(cred_ob3_check(c, NULL), 0);
    /* The same input builds the same document. */
    json_t *again = build(&in);
    ASSERT(json_equal(c, again));
    json_decref(again);
    json_decref(c);
}

static void test_hashed_subject(void)
{
    cred_ob3_input in = credtest_input();
    in.subject = (cred_ob3_subject){NULL, "ab", NULL, "c"};
    in.has_valid_until = false;
    json_t *c = build(&in);
    const json_t *s = json_object_get(c, "credentialSubject");
    ASSERT(json_object_get(s, "id") == NULL);
    const json_t *id = json_array_get(json_object_get(s, "identifier"), 0);
    ASSERT_STR_EQ(sget(id, "type"), "IdentityObject");
    /* SHA-256("abc"), FIPS 180-2's first example: identity "ab" salted with "c". */
    ASSERT_STR_EQ(sget(id, "identityHash"),
                  "sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ASSERT_STR_EQ(sget(id, "identityType"), "identifier");
    ASSERT_STR_EQ(sget(id, "salt"), "c");
    ASSERT(json_is_true(json_object_get(id, "hashed")));
    ASSERT(json_object_get(c, "validUntil") == NULL);
    ASSERT_INT_EQ(cred_ob3_check(c, NULL), 0);
    json_decref(c);

    /* Without a salt, a fresh random one each time (32 hex digits). */
    in.subject = (cred_ob3_subject){NULL, "L-1001", "sisSourcedId", NULL};
    json_t *c1 = build(&in), *c2 = build(&in);
    const char *s1 = sget(c1, "credentialSubject.identifier.0.salt");
    const char *s2 = sget(c2, "credentialSubject.identifier.0.salt");
    ASSERT(s1 && s2 && strlen(s1) == 32 && strcmp(s1, s2) != 0);
    ASSERT_STR_EQ(sget(c1, "credentialSubject.identifier.0.identityType"), "sisSourcedId");
    char hash[72];
    cred_ob3_identity_hash("L-1001", s1, hash);
    ASSERT_STR_EQ(sget(c1, "credentialSubject.identifier.0.identityHash"), hash);
    json_decref(c1);
    json_decref(c2);
}

/* Expects in to be refused naming where, with a message containing text. */
static void input_fails(const cred_ob3_input *in, const char *where, const char *text)
{
    json_t *c = NULL;
    cred_error err = {0};
    ASSERT_INT_EQ(cred_ob3_build(in, &c, &err), CRED_E_INPUT);
    ASSERT(c == NULL);
    ASSERT_STR_EQ(err.where, where);
    ASSERT_STR_CONTAINS(err.message, text);
}

static void test_input_errors(void)
{
    cred_ob3_input in = credtest_input();
    in.uuid = "6f1d3a52-1b0e-5c8a-9b3f-2e4d5c6b7a8";
    input_fails(&in, "uuid", "not a UUID");
    in = credtest_input();
    in.issuer.id = NULL;
    input_fails(&in, "issuer.id", "required");
    in = credtest_input();
    in.issuer.id = "example.edu/issuer";
    input_fails(&in, "issuer.id", "not an absolute URI");
    in = credtest_input();
    in.issuer.email = "badges";
    input_fails(&in, "issuer.email", "not an email");
    in = credtest_input();
    in.achievement.description = "";
    input_fails(&in, "achievement.description", "required");
    in = credtest_input();
    in.achievement.achievement_type = "Trophy";
    input_fails(&in, "achievement.achievement_type", "not an OB 3.0 AchievementType");
    in.achievement.achievement_type = "ext:Trophy";
    json_t *c = build(&in);
    json_decref(c);
    in = credtest_input();
    cred_ob3_alignment bad_align[] = {{"x", "http://bad uri", NULL, NULL, NULL}};
    in.achievement.alignment = bad_align;
    input_fails(&in, "achievement.alignment[0].target_url", "not an absolute URI");

    cred_ob3_competency comp[2];
    memcpy(comp, credtest_competencies, sizeof(comp));
    in = credtest_input();
    in.competencies = comp;
    comp[1].required_level = "master";
    input_fails(&in, "competencies[1].required_level",
                "\"master\" is not a level of the scale");
    memcpy(comp, credtest_competencies, sizeof(comp));
    comp[0].achieved_level = "developing";
    input_fails(&in, "competencies[0].achieved_level", "below the required level");
    memcpy(comp, credtest_competencies, sizeof(comp));
    comp[0].level_count = 0;
    input_fails(&in, "competencies[0].levels", "at least one level");
    cred_ob3_level twice[] = {{"a", "A", NULL, NULL}, {"a", "A again", NULL, NULL}};
    memcpy(comp, credtest_competencies, sizeof(comp));
    comp[0].levels = twice;
    comp[0].level_count = 2;
    comp[0].required_level = comp[0].achieved_level = "a";
    input_fails(&in, "competencies[0].levels[1].key", "appears twice");
    memcpy(comp, credtest_competencies, sizeof(comp));
    comp[1].name = NULL;
    input_fails(&in, "competencies[1].name", "required");

    in = credtest_input();
    in.subject = (cred_ob3_subject){0};
    input_fails(&in, "subject", "needs an id (URI) or an identity");
    in.subject.id = "learner 7";
    input_fails(&in, "subject.id", "not an absolute URI");
    in.subject = (cred_ob3_subject){NULL, "L-7", "studentNumber", NULL};
    input_fails(&in, "subject.identity_type", "not an OB 3.0 IdentifierType");
    in = credtest_input();
    cred_ob3_evidence ev = credtest_evidence[0];
    ev.rubric_sha256 = "abc";
    in.evidence = &ev;
    in.evidence_count = 1;
    input_fails(&in, "evidence[0].rubric_sha256", "64 hex digits");
    ev = credtest_evidence[0];
    ev.graded_at = "yesterday";
    input_fails(&in, "evidence[0].graded_at", "RFC 3339");
    in = credtest_input();
    in.valid_until = in.valid_from;
    input_fails(&in, "valid_until", "not after valid_from");
}

/* Builds the sample, applies edit, and expects the check to fail at where. */
static void check_fails(void (*edit)(json_t *), const char *where, const char *text)
{
    cred_ob3_input in = credtest_input();
    json_t *c = build(&in);
    edit(c);
    cred_error err = {0};
    ASSERT_INT_EQ(cred_ob3_check(c, &err), CRED_E_CREDENTIAL);
    ASSERT_STR_EQ(err.where, where);
    ASSERT_STR_CONTAINS(err.message, text);
    json_decref(c);
}

static void no_name(json_t *c)
{
    json_object_del(c, "name");
}
static void old_context(json_t *c)
{
    json_array_set_new(json_object_get(c, "@context"), 0,
                       json_string("https://www.w3.org/2018/credentials/v1"));
}
static void no_ob_type(json_t *c)
{
    json_array_remove(json_object_get(c, "type"), 1);
}
static void issuer_string(json_t *c)
{
    json_object_set_new(c, "issuer", json_string("https://example.edu/issuer"));
}
static void bad_from(json_t *c)
{
    json_object_set_new(c, "validFrom", json_string("2026-13-01T00:00:00Z"));
}
static void no_criteria(json_t *c)
{
    json_object_del(json_object_get(json_object_get(c, "credentialSubject"), "achievement"),
                    "criteria");
}
static void anonymous(json_t *c)
{
    json_object_del(json_object_get(c, "credentialSubject"), "id");
}
static void bad_evidence(json_t *c)
{
    json_array_append_new(json_object_get(c, "evidence"), json_string("sub-3"));
}

static void test_check(void)
{
    check_fails(no_name, "credential", "required member \"name\" missing");
    check_fails(old_context, "@context", "VCDM 2.0");
    check_fails(no_ob_type, "type", "OpenBadgeCredential");
    check_fails(issuer_string, "issuer", "Profile object");
    check_fails(bad_from, "validFrom", "RFC 3339");
    check_fails(no_criteria, "credentialSubject.achievement.criteria", "narrative");
    check_fails(anonymous, "credentialSubject", "names no one");
    check_fails(bad_evidence, "credential.evidence[2]", "not an object");
    cred_error err = {0};
    ASSERT_INT_EQ(cred_ob3_check(NULL, &err), CRED_E_CREDENTIAL);
}

static void test_uuid(void)
{
    char u[CRED_UUID_STRLEN + 1], v[CRED_UUID_STRLEN + 1];
    /* RFC 9562 Appendix A.4: DNS namespace, name "www.example.com". */
    ASSERT_INT_EQ(cred_uuid_v5(CRED_UUID_NS_DNS, "www.example.com", 15, u), 0);
    ASSERT_STR_EQ(u, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    ASSERT_INT_EQ(cred_uuid_v5("not-a-uuid", "x", 1, u), CRED_E_ARG);
    /* The award id: v5(URL namespace, learner NUL credential id NUL version). */
    const char award[] = "L-1001\0https://example.edu/credentials/chem-basics\0"
                         "1";
    ASSERT_INT_EQ(cred_uuid_v5(CRED_UUID_NS_URL, award, sizeof(award) - 1, v), 0);
    ASSERT_INT_EQ(
        cred_uuid_award("L-1001", "https://example.edu/credentials/chem-basics", "1", u), 0);
    ASSERT_STR_EQ(u, v);
    ASSERT_INT_EQ(
        cred_uuid_award("L-1001", "https://example.edu/credentials/chem-basics", "2", u), 0);
    ASSERT(strcmp(u, v) != 0);
    ASSERT_INT_EQ(cred_uuid_award(NULL, "x", "1", u), CRED_E_ARG);
    ASSERT_INT_EQ(cred_uuid_v4(u), 0);
    ASSERT_INT_EQ(cred_uuid_v4(v), 0);
    ASSERT(strcmp(u, v) != 0);
    ASSERT(u[14] == '4' && strchr("89ab", u[19]) != NULL);
    uint8_t b[16];
    ASSERT(cred_uuid_parse("6F1D3A52-1B0E-5C8A-9B3F-2E4D5C6B7A80", b));
    ASSERT(!cred_uuid_parse("6f1d3a52x1b0e-5c8a-9b3f-2e4d5c6b7a80", b));
    ASSERT(!cred_uuid_parse("6f1d3a52-1b0e-5c8a-9b3f-2e4d5c6b7a8g", b));
    ASSERT(!cred_uuid_parse(NULL, b));
}

static void test_time(void)
{
    int64_t t = 0;
    ASSERT(cred_time_parse("2026-01-01T00:00:00Z", &t) && t == 1767225600);
    ASSERT(cred_time_parse("2026-01-01t01:00:00+01:00", &t) && t == 1767225600);
    ASSERT(cred_time_parse("2025-12-31T23:30:00.999-00:30", &t) && t == 1767225600);
    ASSERT(cred_time_parse("1970-01-01T00:00:00Z", &t) && t == 0);
    ASSERT(cred_time_parse("2024-02-29T12:00:00Z", &t));
    ASSERT(!cred_time_parse("2100-02-29T12:00:00Z", &t));
    ASSERT(!cred_time_parse("2026-02-30T00:00:00Z", &t));
    ASSERT(!cred_time_parse("2026-01-01T00:00:00", &t));
    ASSERT(!cred_time_parse("2026-01-01 00:00:00Z", &t));
    ASSERT(!cred_time_parse("2026-1-01T00:00:00Z", &t));
    ASSERT(!cred_time_parse("2026-01-01T24:00:00Z", &t));
    ASSERT(!cred_time_parse("2026-01-01T00:00:00.Z", &t));
    ASSERT(!cred_time_parse("2026-01-01T00:00:00Zjunk", &t));
    ASSERT(!cred_time_parse("", &t) && !cred_time_parse(NULL, &t));
    char buf[32];
    cred_time_format(4102444800, buf);
    ASSERT_STR_EQ(buf, "2100-01-01T00:00:00Z");
}

static void test_encoding(void)
{
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "\xff\xfe"};
    static const char *const enc[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "__4"};
    for (size_t i = 0; i < 6; i++) {
        char *e = cred_b64url_encode((const uint8_t *)plain[i], strlen(plain[i]));
        ASSERT_STR_EQ(e, enc[i]);
        uint8_t *d = NULL;
        size_t n = 0;
        ASSERT_INT_EQ(cred_b64url_decode(e, strlen(e), &d, &n), 0);
        ASSERT(n == strlen(plain[i]) && memcmp(d, plain[i], n) == 0);
        free(d);
        free(e);
    }
    static const char *const bad[] = {"Zg=", "Z", "Zh", "Zm9v\n", " Zg", "Z+g", "Zm/v"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t *d = NULL;
        size_t n = 0;
        ASSERT_INT_EQ(cred_b64url_decode(bad[i], strlen(bad[i]), &d, &n), CRED_E_BASE64);
    }
    ASSERT_STR_EQ(cred_err_name(CRED_E_CLAIM_ISS), "CLAIM_ISS");
    ASSERT_STR_EQ(cred_strerror(CRED_E_ALG_NONE), "unsigned token (alg none)");
    ASSERT_STR_EQ(cred_err_name(12345), "UNKNOWN");
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    test_document();
    test_hashed_subject();
    test_input_errors();
    test_check();
    test_uuid();
    test_time();
    test_encoding();
    return tap_done();
}
