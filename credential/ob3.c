/*
 * ob3.c - the Open Badges 3.0 AchievementCredential: input validation, the document in the
 * spec's member order, derived ids, the salted identity hash, and the structural check of
 * a credential read back from a token.
 *
 * Derived ids are name-based UUIDs (version 5, URL namespace) so that the same achievement
 * always gets the same ones: a competency's ResultDescription is urn:uuid:v5(achievement id
 * NUL competency id) and a level's RubricCriterionLevel is urn:uuid:v5(achievement id NUL
 * competency id NUL level key).
 *
 * Signing is vcjwt.c's; nothing here touches keys.
 */
#include "ob3.h"

#include "uuid.h"

#include <assay/credential_def.h>

#include <ctype.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool empty(const char *s)
{
    return s == NULL || *s == '\0';
}

static int bad(cred_error *err, const char *where, const char *what)
{
    return cred_error_set(err, CRED_E_INPUT, where, "%s", what);
}

static int need_text(const char *s, const char *where, cred_error *err)
{
    return empty(s) ? bad(err, where, "required") : 0;
}

static int need_uri(const char *s, bool required, const char *where, cred_error *err)
{
    if (empty(s)) {
        return required ? bad(err, where, "required") : 0;
    }
    if (!assay_credential_uri_ok(s)) {
        return cred_error_set(err, CRED_E_INPUT, where, "not an absolute URI: \"%.200s\"", s);
    }
    return 0;
}

static int check_alignments(const cred_ob3_alignment *a, size_t n, const char *base,
                            cred_error *err)
{
    char where[256];
    for (size_t i = 0; i < n; i++) {
        int rc;
        snprintf(where, sizeof(where), "%s.alignment[%zu].target_name", base, i);
        if ((rc = need_text(a[i].target_name, where, err)) != 0) {
            return rc;
        }
        snprintf(where, sizeof(where), "%s.alignment[%zu].target_url", base, i);
        if ((rc = need_uri(a[i].target_url, true, where, err)) != 0) {
            return rc;
        }
        snprintf(where, sizeof(where), "%s.alignment[%zu].target_type", base, i);
        if (!empty(a[i].target_type) && !assay_credential_alignment_type_ok(a[i].target_type)) {
            return cred_error_set(err, CRED_E_INPUT, where,
                                  "\"%.100s\" is not an OB 3.0 AlignmentTargetType (e.g. "
                                  "CFItem, CFRubric, ceasn:Competency) nor ext:...",
                                  a[i].target_type);
        }
    }
    return 0;
}

/* The index of level key in c's scale, or -1. */
static long level_index(const cred_ob3_competency *c, const char *key)
{
    for (size_t i = 0; key && i < c->level_count; i++) {
        if (c->levels[i].key && strcmp(c->levels[i].key, key) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static int check_competency(const cred_ob3_competency *c, size_t ci, cred_error *err)
{
    char where[256];
    int rc;
    snprintf(where, sizeof(where), "competencies[%zu].id", ci);
    if ((rc = need_text(c->id, where, err)) != 0) {
        return rc;
    }
    snprintf(where, sizeof(where), "competencies[%zu].name", ci);
    if ((rc = need_text(c->name, where, err)) != 0) {
        return rc;
    }
    snprintf(where, sizeof(where), "competencies[%zu].levels", ci);
    if (c->level_count == 0 || c->levels == NULL) {
        return bad(err, where, "a scale needs at least one level");
    }
    for (size_t i = 0; i < c->level_count; i++) {
        snprintf(where, sizeof(where), "competencies[%zu].levels[%zu].key", ci, i);
        if ((rc = need_text(c->levels[i].key, where, err)) != 0) {
            return rc;
        }
        if (level_index(c, c->levels[i].key) != (long)i) {
            return cred_error_set(err, CRED_E_INPUT, where,
                                  "level \"%.100s\" appears twice on the scale",
                                  c->levels[i].key);
        }
        snprintf(where, sizeof(where), "competencies[%zu].levels[%zu].name", ci, i);
        if ((rc = need_text(c->levels[i].name, where, err)) != 0) {
            return rc;
        }
        snprintf(where, sizeof(where), "competencies[%zu].levels[%zu].id", ci, i);
        if ((rc = need_uri(c->levels[i].id, false, where, err)) != 0) {
            return rc;
        }
    }
    long req = level_index(c, c->required_level), got = level_index(c, c->achieved_level);
    snprintf(where, sizeof(where), "competencies[%zu].required_level", ci);
    if (req < 0) {
        return cred_error_set(err, CRED_E_INPUT, where,
                              "\"%.100s\" is not a level of the scale",
                              c->required_level ? c->required_level : "(none)");
    }
    snprintf(where, sizeof(where), "competencies[%zu].achieved_level", ci);
    if (got < 0) {
        return cred_error_set(err, CRED_E_INPUT, where,
                              "\"%.100s\" is not a level of the scale",
                              c->achieved_level ? c->achieved_level : "(none)");
    }
    if (got < req) {
        return cred_error_set(err, CRED_E_INPUT, where,
                              "\"%.100s\" is below the required level \"%.100s\": no "
                              "credential for it",
                              c->achieved_level, c->required_level);
    }
    snprintf(where, sizeof(where), "competencies[%zu].result_description_id", ci);
    if ((rc = need_uri(c->result_description_id, false, where, err)) != 0) {
        return rc;
    }
    snprintf(where, sizeof(where), "competencies[%zu]", ci);
    return check_alignments(c->alignment, c->alignment_count, where, err);
}

static bool hex64(const char *s)
{
    if (s == NULL || strlen(s) != 64) {
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (!isxdigit((unsigned char)*p)) {
            return false;
        }
    }
    return true;
}

static int check_input(const cred_ob3_input *in, cred_error *err)
{
    uint8_t u[16];
    int rc;
    char where[256];
    if (!cred_uuid_parse(in->uuid, u)) {
        return bad(err, "uuid", "not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    }
    if ((rc = need_uri(in->issuer.id, true, "issuer.id", err)) != 0 ||
        (rc = need_text(in->issuer.name, "issuer.name", err)) != 0 ||
        (rc = need_uri(in->issuer.url, false, "issuer.url", err)) != 0) {
        return rc;
    }
    if (!empty(in->issuer.email) && strchr(in->issuer.email, '@') == NULL) {
        return bad(err, "issuer.email", "not an email address");
    }
    const cred_ob3_achievement *a = &in->achievement;
    if ((rc = need_uri(a->id, true, "achievement.id", err)) != 0 ||
        (rc = need_text(a->name, "achievement.name", err)) != 0 ||
        (rc = need_text(a->description, "achievement.description", err)) != 0 ||
        (rc = need_text(a->criteria_narrative, "achievement.criteria_narrative", err)) != 0 ||
        (rc = need_uri(a->image, false, "achievement.image", err)) != 0 ||
        (rc = check_alignments(a->alignment, a->alignment_count, "achievement", err)) != 0) {
        return rc;
    }
    if (!empty(a->achievement_type)) {
        if (!assay_credential_achievement_type_ok(a->achievement_type)) {
            return cred_error_set(err, CRED_E_INPUT, "achievement.achievement_type",
                                  "\"%.100s\" is not an OB 3.0 AchievementType (e.g. "
                                  "MicroCredential, Competency, Badge) nor ext:...",
                                  a->achievement_type);
        }
    }
    if (in->competency_count > 0 && in->competencies == NULL) {
        return bad(err, "competencies", "count without an array");
    }
    for (size_t i = 0; i < in->competency_count; i++) {
        if ((rc = check_competency(&in->competencies[i], i, err)) != 0) {
            return rc;
        }
    }
    const cred_ob3_subject *s = &in->subject;
    if (empty(s->id) && empty(s->identity)) {
        return bad(err, "subject", "needs an id (URI) or an identity to hash");
    }
    if ((rc = need_uri(s->id, false, "subject.id", err)) != 0) {
        return rc;
    }
    if (!empty(s->identity_type) && !assay_credential_identifier_type_ok(s->identity_type)) {
        return cred_error_set(err, CRED_E_INPUT, "subject.identity_type",
                              "\"%.100s\" is not an OB 3.0 IdentifierType (e.g. "
                              "identifier, sisSourcedId, emailAddress) nor ext:...",
                              s->identity_type);
    }
    if (in->evidence_count > 0 && in->evidence == NULL) {
        return bad(err, "evidence", "count without an array");
    }
    for (size_t i = 0; i < in->evidence_count; i++) {
        const cred_ob3_evidence *e = &in->evidence[i];
        static const char *const fields[] = {"submission_id", "rubric_id", "rubric_version"};
        const char *values[] = {e->submission_id, e->rubric_id, e->rubric_version};
        for (size_t f = 0; f < 3; f++) {
            snprintf(where, sizeof(where), "evidence[%zu].%s", i, fields[f]);
            if ((rc = need_text(values[f], where, err)) != 0) {
                return rc;
            }
        }
        snprintf(where, sizeof(where), "evidence[%zu].rubric_sha256", i);
        if (!hex64(e->rubric_sha256)) {
            return bad(err, where, "not 64 hex digits");
        }
        int64_t t;
        snprintf(where, sizeof(where), "evidence[%zu].graded_at", i);
        if (!empty(e->graded_at) && !cred_time_parse(e->graded_at, &t)) {
            return bad(err, where, "not an RFC 3339 date-time");
        }
        snprintf(where, sizeof(where), "evidence[%zu].url", i);
        if ((rc = need_uri(e->url, false, where, err)) != 0) {
            return rc;
        }
    }
    if (in->valid_from < 0 || in->valid_from > 253402300799) {
        return bad(err, "valid_from", "outside years 1970 to 9999");
    }
    if (in->has_valid_until &&
        (in->valid_until <= in->valid_from || in->valid_until > 253402300799)) {
        return bad(err, "valid_until", "not after valid_from (or after year 9999)");
    }
    return 0;
}

void cred_ob3_identity_hash(const char *identity, const char *salt, char out[72])
{
    size_t il = strlen(identity), sl = salt ? strlen(salt) : 0;
    char *buf = malloc(il + sl + 1);
    char hex[65];
    if (buf == NULL) {
        snprintf(out, 72, "sha256$");
        return;
    }
    memcpy(buf, identity, il);
    if (sl) {
        memcpy(buf + il, salt, sl);
    }
    cred_sha256_hex(buf, il + sl, hex);
    cred_wipe(buf, il + sl);
    free(buf);
    snprintf(out, 72, "sha256$%s", hex);
}

static void put(json_t *o, const char *key, json_t *v, bool *ok)
{
    if (json_object_set_new(o, key, v) != 0) {
        *ok = false;
    }
}

static void put_str(json_t *o, const char *key, const char *s, bool *ok)
{
    if (!empty(s)) {
        put(o, key, json_string(s), ok);
    }
}

static void push(json_t *a, json_t *v, bool *ok)
{
    if (json_array_append_new(a, v) != 0) {
        *ok = false;
    }
}

static json_t *types(const char *t1, const char *t2)
{
    json_t *a = json_array();
    bool ok = true;
    push(a, json_string(t1), &ok);
    if (t2) {
        push(a, json_string(t2), &ok);
    }
    if (!ok) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* "urn:uuid:" + v5(achievement id NUL a NUL b), b optional. */
static json_t *derived_id(const char *achievement, const char *a, const char *b)
{
    const char *parts[] = {achievement, a, b};
    char u[CRED_UUID_STRLEN + 1], urn[64];
    if (cred_uuid_v5_joined(parts, b ? 3 : 2, u) != 0) {
        return NULL;
    }
    snprintf(urn, sizeof(urn), "urn:uuid:%s", u);
    return json_string(urn);
}

static json_t *alignments(const cred_ob3_alignment *a, size_t n, bool *ok)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        put(o, "type", types("Alignment", NULL), ok);
        put_str(o, "targetCode", a[i].target_code, ok);
        put_str(o, "targetFramework", a[i].target_framework, ok);
        put_str(o, "targetName", a[i].target_name, ok);
        put_str(o, "targetType", empty(a[i].target_type) ? "CFItem" : a[i].target_type, ok);
        put_str(o, "targetUrl", a[i].target_url, ok);
        push(arr, o, ok);
    }
    if (arr == NULL) {
        *ok = false;
    }
    return arr;
}

/* The id of level i of c: the caller's or the derived one. */
static json_t *level_id(const char *achievement, const cred_ob3_competency *c, long i)
{
    return c->levels[i].id ? json_string(c->levels[i].id)
                           : derived_id(achievement, c->id, c->levels[i].key);
}

static json_t *result_description(const char *achievement, const cred_ob3_competency *c,
                                  bool *ok)
{
    json_t *rd = json_object();
    put(rd, "id",
        c->result_description_id ? json_string(c->result_description_id)
                                 : derived_id(achievement, c->id, NULL),
        ok);
    put(rd, "type", types("ResultDescription", NULL), ok);
    if (c->alignment_count) {
        put(rd, "alignment", alignments(c->alignment, c->alignment_count, ok), ok);
    }
    put_str(rd, "name", c->name, ok);
    put(rd, "requiredLevel", level_id(achievement, c, level_index(c, c->required_level)), ok);
    put_str(rd, "resultType", "RubricCriterionLevel", ok);
    json_t *levels = json_array();
    for (size_t i = 0; i < c->level_count; i++) {
        json_t *l = json_object();
        put(l, "id", level_id(achievement, c, (long)i), ok);
        put(l, "type", types("RubricCriterionLevel", NULL), ok);
        put_str(l, "description", c->levels[i].description, ok);
        put_str(l, "level", c->levels[i].key, ok);
        put_str(l, "name", c->levels[i].name, ok);
        push(levels, l, ok);
    }
    put(rd, "rubricCriterionLevel", levels, ok);
    return rd;
}

static json_t *achievement(const cred_ob3_input *in, bool *ok)
{
    const cred_ob3_achievement *a = &in->achievement;
    json_t *o = json_object();
    put_str(o, "id", a->id, ok);
    put(o, "type", types("Achievement", NULL), ok);
    put_str(o, "achievementType", a->achievement_type, ok);
    if (a->alignment_count) {
        put(o, "alignment", alignments(a->alignment, a->alignment_count, ok), ok);
    }
    put(o, "criteria", json_pack("{s:s}", "narrative", a->criteria_narrative), ok);
    put_str(o, "description", a->description, ok);
    if (!empty(a->image)) {
        put(o, "image", json_pack("{s:s, s:s}", "id", a->image, "type", "Image"), ok);
    }
    put_str(o, "name", a->name, ok);
    if (in->competency_count) {
        json_t *rds = json_array();
        for (size_t i = 0; i < in->competency_count; i++) {
            push(rds, result_description(a->id, &in->competencies[i], ok), ok);
        }
        put(o, "resultDescription", rds, ok);
    }
    return o;
}

static int subject(const cred_ob3_input *in, json_t **out, bool *ok, cred_error *err)
{
    const cred_ob3_subject *s = &in->subject;
    json_t *o = json_object();
    put_str(o, "id", s->id, ok);
    put(o, "type", types("AchievementSubject", NULL), ok);
    if (!empty(s->identity)) {
        char salt[33] = "", hash[72];
        if (s->salt == NULL) {
            uint8_t r[16];
            if (gnutls_rnd(GNUTLS_RND_NONCE, r, sizeof(r)) < 0) {
                json_decref(o);
                return cred_error_set(err, CRED_E_CRYPTO, "subject.salt",
                                      "random number generator failed");
            }
            for (size_t i = 0; i < sizeof(r); i++) {
                snprintf(salt + 2 * i, 3, "%02x", r[i]);
            }
        }
        const char *use_salt = s->salt ? s->salt : salt;
        cred_ob3_identity_hash(s->identity, use_salt, hash);
        json_t *id = json_object();
        put_str(id, "type", "IdentityObject", ok);
        put_str(id, "identityHash", hash, ok);
        put_str(id, "identityType", empty(s->identity_type) ? "identifier" : s->identity_type,
                ok);
        put(id, "hashed", json_true(), ok);
        if (*use_salt) {
            put_str(id, "salt", use_salt, ok);
        }
        json_t *arr = json_array();
        push(arr, id, ok);
        put(o, "identifier", arr, ok);
    }
    put(o, "achievement", achievement(in, ok), ok);
    if (in->competency_count) {
        json_t *results = json_array();
        for (size_t i = 0; i < in->competency_count; i++) {
            const cred_ob3_competency *c = &in->competencies[i];
            json_t *r = json_object();
            put(r, "type", types("Result", NULL), ok);
            put(r, "achievedLevel",
                level_id(in->achievement.id, c, level_index(c, c->achieved_level)), ok);
            put(r, "resultDescription",
                c->result_description_id ? json_string(c->result_description_id)
                                         : derived_id(in->achievement.id, c->id, NULL),
                ok);
            push(results, r, ok);
        }
        put(o, "result", results, ok);
    }
    *out = o;
    return 0;
}

static json_t *evidence(const cred_ob3_input *in, bool *ok)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < in->evidence_count; i++) {
        const cred_ob3_evidence *e = &in->evidence[i];
        char name[600], desc[1200];
        snprintf(name, sizeof(name), "Submission %s", e->submission_id);
        snprintf(desc, sizeof(desc),
                 "Graded by Assay against rubric %s version %s (SHA-256 %s)%s%s", e->rubric_id,
                 e->rubric_version, e->rubric_sha256, empty(e->graded_at) ? "" : " at ",
                 empty(e->graded_at) ? "" : e->graded_at);
        json_t *o = json_object();
        put_str(o, "id", e->url, ok);
        put(o, "type", types("Evidence", NULL), ok);
        put_str(o, "name", name, ok);
        put_str(o, "description", desc, ok);
        put_str(o, "genre", "Assessment submission", ok);
        push(arr, o, ok);
    }
    return arr;
}

int cred_ob3_build(const cred_ob3_input *in, json_t **out, cred_error *err)
{
    int rc = check_input(in, err);
    if (rc != 0) {
        return rc;
    }
    bool ok = true;
    char id[64], from[32], until[32];
    uint8_t u[16];
    char norm[CRED_UUID_STRLEN + 1];
    cred_uuid_parse(in->uuid, u);
    cred_uuid_format(u, norm);
    snprintf(id, sizeof(id), "urn:uuid:%s", norm);
    cred_time_format(in->valid_from, from);

    json_t *c = json_object();
    json_t *ctx = json_array();
    push(ctx, json_string(CRED_OB3_CONTEXT_VC), &ok);
    push(ctx, json_string(CRED_OB3_CONTEXT_OB), &ok);
    put(c, "@context", ctx, &ok);
    put_str(c, "id", id, &ok);
    put(c, "type", types("VerifiableCredential", "OpenBadgeCredential"), &ok);
    json_t *issuer = json_object();
    put_str(issuer, "id", in->issuer.id, &ok);
    put(issuer, "type", types("Profile", NULL), &ok);
    put_str(issuer, "name", in->issuer.name, &ok);
    put_str(issuer, "url", in->issuer.url, &ok);
    put_str(issuer, "email", in->issuer.email, &ok);
    put(c, "issuer", issuer, &ok);
    put_str(c, "validFrom", from, &ok);
    if (in->has_valid_until) {
        cred_time_format(in->valid_until, until);
        put_str(c, "validUntil", until, &ok);
    }
    put_str(c, "name", empty(in->name) ? in->achievement.name : in->name, &ok);
    put_str(c, "description", in->description, &ok);
    json_t *subj = NULL;
    if ((rc = subject(in, &subj, &ok, err)) != 0) {
        json_decref(c);
        return rc;
    }
    put(c, "credentialSubject", subj, &ok);
    if (in->evidence_count) {
        put(c, "evidence", evidence(in, &ok), &ok);
    }
    put(c, "credentialSchema",
        json_pack("[{s:s, s:s}]", "id", CRED_OB3_SCHEMA_URL, "type", CRED_OB3_SCHEMA_TYPE),
        &ok);
    if (!ok || c == NULL) {
        json_decref(c);
        return cred_error_set(err, CRED_E_NOMEM, "", "out of memory");
    }
    *out = c;
    return 0;
}
