/*
 * ob3check.c - the structural check of an OB 3.0 AchievementCredential read from a token
 * or a file: the members the spec requires, their types, and the shape of the optional
 * members Assay writes. It does not check claims or signatures (vcjwt.c).
 */
#include "ob3check.h"

#include "ob3.h"

#include <assay/credential_def.h>

#include <stdio.h>
#include <string.h>

static int fail(cred_error *err, const char *where, const char *what)
{
    return cred_error_set(err, CRED_E_CREDENTIAL, where, "%s", what);
}

/* True when t is the string name or an array holding it. */
static bool has_type(const json_t *t, const char *name)
{
    if (json_is_string(t)) {
        return strcmp(json_string_value(t), name) == 0;
    }
    size_t i;
    json_t *v;
    json_array_foreach(t, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), name) == 0) {
            return true;
        }
    }
    return false;
}

static int want_type(const json_t *o, const char *name, const char *where, cred_error *err)
{
    if (!has_type(json_object_get(o, "type"), name)) {
        return cred_error_set(err, CRED_E_CREDENTIAL, where, "\"type\" does not include \"%s\"",
                              name);
    }
    return 0;
}

static int want_string(const json_t *o, const char *key, bool required, bool uri,
                       const char *where, cred_error *err)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL) {
        return required ? cred_error_set(err, CRED_E_CREDENTIAL, where,
                                         "required member \"%s\" missing", key)
                        : 0;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        return cred_error_set(err, CRED_E_CREDENTIAL, where, "\"%s\" is not a non-empty string",
                              key);
    }
    if (uri && !assay_credential_uri_ok(json_string_value(v))) {
        return cred_error_set(err, CRED_E_CREDENTIAL, where, "\"%s\" is not an absolute URI",
                              key);
    }
    return 0;
}

/* Every element of o[key], if present, is an object of type name. */
static int want_list(const json_t *o, const char *key, const char *name, const char *where,
                     cred_error *err)
{
    const json_t *a = json_object_get(o, key);
    if (a == NULL) {
        return 0;
    }
    if (!json_is_array(a)) {
        return cred_error_set(err, CRED_E_CREDENTIAL, where, "\"%s\" is not an array", key);
    }
    char w[256];
    for (size_t i = 0; i < json_array_size(a); i++) {
        snprintf(w, sizeof(w), "%s.%s[%zu]", where, key, i);
        const json_t *e = json_array_get(a, i);
        if (!json_is_object(e)) {
            return fail(err, w, "not an object");
        }
        int rc = want_type(e, name, w, err);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int check_subject(const json_t *s, cred_error *err)
{
    const char *w = "credentialSubject";
    int rc;
    if (!json_is_object(s)) {
        return fail(err, w, "required object missing");
    }
    if ((rc = want_type(s, "AchievementSubject", w, err)) != 0 ||
        (rc = want_string(s, "id", false, true, w, err)) != 0 ||
        (rc = want_list(s, "identifier", "IdentityObject", w, err)) != 0 ||
        (rc = want_list(s, "result", "Result", w, err)) != 0) {
        return rc;
    }
    const json_t *ids = json_object_get(s, "identifier");
    for (size_t i = 0; i < json_array_size(ids); i++) {
        const json_t *o = json_array_get(ids, i);
        char iw[128];
        snprintf(iw, sizeof(iw), "credentialSubject.identifier[%zu]", i);
        if (!json_is_boolean(json_object_get(o, "hashed"))) {
            return fail(err, iw, "\"hashed\" is not a boolean");
        }
        if ((rc = want_string(o, "identityHash", true, false, iw, err)) != 0 ||
            (rc = want_string(o, "identityType", true, false, iw, err)) != 0) {
            return rc;
        }
    }
    if (json_object_get(s, "id") == NULL && json_array_size(ids) == 0) {
        return fail(err, w, "neither \"id\" nor \"identifier\": the credential names no one");
    }
    const json_t *a = json_object_get(s, "achievement");
    w = "credentialSubject.achievement";
    if (!json_is_object(a)) {
        return fail(err, w, "required object missing");
    }
    if ((rc = want_string(a, "id", true, true, w, err)) != 0 ||
        (rc = want_type(a, "Achievement", w, err)) != 0 ||
        (rc = want_string(a, "name", true, false, w, err)) != 0 ||
        (rc = want_string(a, "description", true, false, w, err)) != 0 ||
        (rc = want_list(a, "alignment", "Alignment", w, err)) != 0 ||
        (rc = want_list(a, "resultDescription", "ResultDescription", w, err)) != 0) {
        return rc;
    }
    const json_t *crit = json_object_get(a, "criteria");
    if (!json_is_object(crit) || (!json_is_string(json_object_get(crit, "narrative")) &&
                                  !json_is_string(json_object_get(crit, "id")))) {
        return fail(err, "credentialSubject.achievement.criteria",
                    "required object with \"narrative\" or \"id\" missing");
    }
    return 0;
}

int cred_ob3_check(const json_t *c, cred_error *err)
{
    int rc;
    if (!json_is_object(c)) {
        return fail(err, "credential", "not a JSON object");
    }
    const json_t *ctx = json_object_get(c, "@context");
    const char *c0 = json_string_value(json_array_get(ctx, 0));
    const char *c1 = json_string_value(json_array_get(ctx, 1));
    static const char ob_prefix[] = "https://purl.imsglobal.org/spec/ob/v3p0/context";
    if (c0 == NULL || strcmp(c0, CRED_OB3_CONTEXT_VC) != 0) {
        return fail(err, "@context",
                    "must be an array starting with " CRED_OB3_CONTEXT_VC " (VCDM 2.0)");
    }
    if (c1 == NULL || strncmp(c1, ob_prefix, sizeof(ob_prefix) - 1) != 0) {
        return fail(err, "@context", "second context is not the OB 3.0 context");
    }
    if (!has_type(json_object_get(c, "type"), "VerifiableCredential") ||
        (!has_type(json_object_get(c, "type"), "OpenBadgeCredential") &&
         !has_type(json_object_get(c, "type"), "AchievementCredential"))) {
        return fail(err, "type",
                    "must include VerifiableCredential and OpenBadgeCredential (or "
                    "AchievementCredential)");
    }
    if ((rc = want_string(c, "id", true, true, "credential", err)) != 0 ||
        (rc = want_string(c, "name", true, false, "credential", err)) != 0) {
        return rc;
    }
    const json_t *issuer = json_object_get(c, "issuer");
    if (!json_is_object(issuer)) {
        return fail(err, "issuer", "required Profile object missing");
    }
    if ((rc = want_string(issuer, "id", true, true, "issuer", err)) != 0 ||
        (rc = want_type(issuer, "Profile", "issuer", err)) != 0) {
        return rc;
    }
    int64_t from, until;
    if (!cred_time_parse(json_string_value(json_object_get(c, "validFrom")), &from)) {
        return fail(err, "validFrom", "required RFC 3339 date-time missing or malformed");
    }
    if (json_object_get(c, "validUntil") &&
        !cred_time_parse(json_string_value(json_object_get(c, "validUntil")), &until)) {
        return fail(err, "validUntil", "not an RFC 3339 date-time");
    }
    if ((rc = check_subject(json_object_get(c, "credentialSubject"), err)) != 0 ||
        (rc = want_list(c, "evidence", "Evidence", "credential", err)) != 0) {
        return rc;
    }
    const json_t *schemas = json_object_get(c, "credentialSchema");
    if (schemas && !json_is_array(schemas)) {
        return fail(err, "credentialSchema", "not an array");
    }
    for (size_t i = 0; i < json_array_size(schemas); i++) {
        char w[64];
        snprintf(w, sizeof(w), "credentialSchema[%zu]", i);
        const json_t *sc = json_array_get(schemas, i);
        if ((rc = want_string(sc, "id", true, true, w, err)) != 0 ||
            (rc = want_string(sc, "type", true, false, w, err)) != 0) {
            return rc;
        }
    }
    return 0;
}
