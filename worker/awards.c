/*
 * awards.c - credentials in the worker (see awards.h).
 *
 * The decision and the credential are the credential library's (cred_award_make, over
 * assay_credential_evaluate), the calls `assay credential issue` makes offline. The key is
 * GnuTLS's, not promised to be safe to sign with from several threads at once: signing
 * holds w->sign_mu. Everything else here only reads the record and the definitions.
 */
#include "awards.h"

#include "credential/award.h"
#include "credential/keys.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wk_issuer_start(wk_worker *w, const assay_catalog *cat)
{
    size_t n = assay_catalog_credential_count(cat);
    if (n == 0) {
        return 0;
    }
    const assay_credential_info *first =
        assay_credential_def_info(assay_catalog_credential_get(cat, 0));
    if (!w->cfg->records) {
        wk_logf(WK_WARN, &(wk_lf){.event = "credentials_off", WK_COUNT(n)},
                "%zu credential definition%s loaded (%s@%s first), but --records off: no "
                "credential is issued",
                n, n == 1 ? "" : "s", first->id, first->version);
        return 0;
    }
    if (w->cfg->issuer_key == NULL) {
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "start_failed", .path = w->cfg->rubrics, WK_COUNT(n)},
                "cannot start: %s holds %zu credential definition%s (%s@%s first) and no "
                "issuer key is given: pass --issuer-key FILE (or ASSAY_ISSUER_KEY), or "
                "--records off",
                w->cfg->rubrics, n, n == 1 ? "" : "s", first->id, first->version);
        return 2;
    }
    cred_error err = {0};
    char msg[1024];
    cred_key *key = NULL;
    if (cred_key_load_private_file(w->cfg->issuer_key, &key, &err) != 0) {
        cred_error_format(&err, msg, sizeof(msg));
        wk_logf(WK_ERROR, &(wk_lf){.event = "start_failed", .path = w->cfg->issuer_key},
                "cannot start: the issuer key %s: %s", w->cfg->issuer_key, msg);
        return 2;
    }
    for (size_t i = 0; i < n; i++) {
        const assay_credential_def *def = assay_catalog_credential_get(cat, i);
        if (cred_award_check(def, key, NULL, &err) != 0) {
            const assay_credential_info *d = assay_credential_def_info(def);
            cred_error_format(&err, msg, sizeof(msg));
            wk_logf(WK_ERROR, &(wk_lf){.event = "start_failed", .path = d->source},
                    "cannot start: credential %s@%s cannot be issued: %s", d->id, d->version,
                    msg);
            cred_key_destroy(key);
            return 2;
        }
    }
    w->issuer_key = key;
    pthread_mutex_init(&w->sign_mu, NULL);
    wk_logf(WK_INFO, &(wk_lf){.event = "issuer_ready", .path = w->cfg->issuer_key, WK_COUNT(n)},
            "issuing %zu credential definition%s with the %s key %s (kid %s)", n,
            n == 1 ? "" : "s", cred_key_type_name(key), w->cfg->issuer_key, cred_key_kid(key));
    return 0;
}

void wk_issuer_free(wk_worker *w)
{
    if (w->issuer_key) {
        cred_key_destroy(w->issuer_key);
        pthread_mutex_destroy(&w->sign_mu);
        w->issuer_key = NULL;
    }
}

void wk_award_outs_free(wk_award_out *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(out[i].field);
        free(out[i].jws);
        free(out[i].event);
    }
    free(out);
}

int wk_awards_begin(wk_awards *a, const wk_worker *w, const assay_catalog *cat,
                    const char *learner, const char *key, const char *held)
{
    memset(a, 0, sizeof(*a));
    a->w = w;
    a->cat = cat;
    a->learner = learner;
    a->key = key;
    size_t ndefs = assay_catalog_credential_count(cat);
    size_t cap = ndefs + 1;
    for (const char *p = held; *p; p++) {
        cap += *p == '\n';
    }
    a->held = calloc(cap + 1, sizeof(*a->held));
    a->was_met = malloc(ndefs + 1);
    if (a->held == NULL || a->was_met == NULL) {
        return -1;
    }
    memset(a->was_met, -1, ndefs + 1);
    for (const char *p = held; *p;) {
        size_t len = strcspn(p, "\n");
        if (len > 0 && (a->held[a->nheld++] = strndup(p, len)) == NULL) {
            return -1;
        }
        p += len + (p[len] == '\n');
    }
    return 0;
}

static char *field_of(const assay_credential_info *d)
{
    size_t len = strlen(d->id) + strlen(d->version) + 2;
    char *f = malloc(len);
    if (f) {
        snprintf(f, len, "%s@%s", d->id, d->version);
    }
    return f;
}

static bool holds(const wk_awards *a, const assay_credential_info *d)
{
    size_t il = strlen(d->id);
    for (size_t i = 0; i < a->nheld; i++) {
        const char *h = a->held[i];
        if (strncmp(h, d->id, il) == 0 && h[il] == '@' && strcmp(h + il + 1, d->version) == 0) {
            return true;
        }
    }
    return false;
}

/* Whether the result concerns the definition: one of its required competencies, or one of
 * its required rubrics. */
static bool concerns(const assay_credential_info *d, const assay_record_evidence *ev)
{
    for (size_t r = 0; r < d->nrubrics; r++) {
        if (strcmp(d->rubrics[r], ev->rubric_id) == 0) {
            return true;
        }
    }
    for (size_t q = 0; q < d->nrequirements; q++) {
        const char *key = d->requirements[q].key;
        for (size_t s = 0; s < ev->nscores; s++) {
            const char *fw = ev->scores[s].framework;
            size_t fl = fw ? strlen(fw) : 0;
            if (fw && strncmp(key, fw, fl) == 0 && key[fl] == '/' &&
                strcmp(key + fl + 1, ev->scores[s].competency) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* -1 error (logged), else whether rec meets def; *reason (may be NULL) gets a copy of why
 * not. */
static int meets(const assay_credential_def *def, const assay_record *rec, char **reason)
{
    char why[600], because[600];
    int met = assay_credential_met_now(def, rec, because, sizeof(because), why, sizeof(why));
    if (met < 0) {
        const assay_credential_info *d = assay_credential_def_info(def);
        wk_logf(WK_ERROR, &(wk_lf){.event = "credential_failed"},
                "credential %s@%s could not be evaluated: %s", d->id, d->version, why);
        return -1;
    }
    if (reason && !met) {
        *reason = strdup(because);
    }
    return met;
}

int wk_awards_before(wk_awards *a, const assay_record *rec, const assay_record_evidence *ev)
{
    for (size_t i = 0; i < assay_catalog_credential_count(a->cat); i++) {
        const assay_credential_def *def = assay_catalog_credential_get(a->cat, i);
        const assay_credential_info *d = assay_credential_def_info(def);
        if (a->was_met[i] < 0 && holds(a, d) && concerns(d, ev)) {
            a->was_met[i] = (signed char)meets(def, rec, NULL);
        }
    }
    return 0;
}

/* Adds an outcome: field, jws and text (the event) taken over, even on failure. */
static int add_out(wk_awards *a, bool issued, char *field, char *jws, char *text)
{
    wk_award_out *v = realloc(a->out, (a->nout + 1) * sizeof(*v));
    if (v == NULL || text == NULL || field == NULL) {
        a->out = v ? v : a->out;
        free(field);
        free(jws);
        free(text);
        return -1;
    }
    a->out = v;
    a->out[a->nout++] =
        (wk_award_out){.issued = issued, .field = field, .jws = jws, .event = text};
    return 0;
}

/* An event as compact JSON; NULL when out of memory. */
static char *dumped(json_t *event)
{
    char *text = event ? json_dumps(event, JSON_COMPACT) : NULL;
    json_decref(event);
    return text;
}

/* The "issued" event: {"event":"issued","learner","id","version","jws","credential"} as
 * json_dumps writes it, with the credential's text as it was signed spliced in, not
 * serialised a third time (the token holds it too). A compact JWS is base64url and dots,
 * nothing to escape; anything else is serialised. NULL when out of memory. */
static char *issued_event(const char *learner, const assay_credential_info *d,
                          const cred_award *aw)
{
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789-_.";
    size_t jl = strlen(aw->jws);
    if (aw->credential_text == NULL || strspn(aw->jws, b64url) != jl) {
        return dumped(json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "event", "issued", "learner",
                                learner, "id", d->id, "version", d->version, "jws", aw->jws,
                                "credential", aw->credential));
    }
    char *head = dumped(json_pack("{s:s, s:s, s:s, s:s}", "event", "issued", "learner", learner,
                                  "id", d->id, "version", d->version));
    size_t hl = head ? strlen(head) : 0;
    size_t len = hl + jl + strlen(aw->credential_text) + 32;
    char *out = hl > 1 ? malloc(len) : NULL;
    if (out) {
        snprintf(out, len, "%.*s,\"jws\":\"%s\",\"credential\":%s}", (int)(hl - 1), head,
                 aw->jws, aw->credential_text);
    }
    free(head);
    return out;
}

/* Awards def to the learner (met, not held). 1 issued, 0 not (logged), -1 out of memory. */
static int issue(wk_awards *a, const assay_record *rec, const assay_credential_def *def,
                 json_t *member)
{
    const assay_credential_info *d = assay_credential_def_info(def);
    wk_worker *w = (wk_worker *)a->w;
    if (w->issuer_key == NULL) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "credential_failed"},
                "credential %s@%s is met but not issued: no issuer key (definitions added by "
                "a reload need a restart with --issuer-key)",
                d->id, d->version);
        return 0;
    }
    cred_award aw = {0};
    cred_error err = {0};
    pthread_mutex_lock(&w->sign_mu);
    int rc = cred_award_make(rec, def, w->issuer_key, NULL, &aw, &err);
    pthread_mutex_unlock(&w->sign_mu);
    if (rc != 0) {
        if (rc < 0) {
            char msg[1024];
            cred_error_format(&err, msg, sizeof(msg));
            wk_logf(WK_ERROR, &(wk_lf){.event = "credential_failed"},
                    "credential %s@%s could not be issued: %s", d->id, d->version, msg);
        }
        cred_award_finish(&aw);
        return rc == CRED_E_NOMEM ? -1 : 0;
    }
    const char *jti = json_string_value(json_object_get(aw.credential, "id"));
    char *event = issued_event(a->learner, d, &aw);
    json_array_append_new(member, json_pack("{s:s, s:s, s:s, s:s?}", "id", d->id, "version",
                                            d->version, "status", "issued", "jti", jti));
    char *field = field_of(d);
    char *jws = strdup(aw.jws);
    cred_award_finish(&aw);
    if (jws == NULL) {
        free(field);
        free(event);
        return -1;
    }
    if (add_out(a, true, field, jws, event) != 0) {
        return -1;
    }
    char **held = realloc(a->held, (a->nheld + 2) * sizeof(*held));
    if (held == NULL) {
        return -1;
    }
    a->held = held;
    a->held[a->nheld] = field_of(d);
    return a->held[a->nheld++] ? 1 : -1;
}

int wk_awards_after(wk_awards *a, const assay_record *rec, const assay_record_evidence *ev,
                    char **member)
{
    *member = NULL;
    json_t *list = json_array();
    int rc = list ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < assay_catalog_credential_count(a->cat); i++) {
        const assay_credential_def *def = assay_catalog_credential_get(a->cat, i);
        const assay_credential_info *d = assay_credential_def_info(def);
        if (!concerns(d, ev)) {
            continue;
        }
        if (!holds(a, d)) {
            int met = meets(def, rec, NULL);
            if (met == 1 && issue(a, rec, def, list) < 0) {
                rc = -1;
            }
            a->was_met[i] = met == 1;
            continue;
        }
        char *reason = NULL;
        int met = meets(def, rec, &reason);
        if (met == 0 && a->was_met[i] == 1) {
            /* Reported, never revoked nor re-issued (docs/credentials.md, regrades). */
            wk_logf(WK_WARN, &(wk_lf){.event = "requirement_no_longer_met"},
                    "credential %s@%s: the learner of %s no longer meets it after %s: %s "
                    "(reported, not revoked)",
                    d->id, d->version, a->key, ev->submission, reason ? reason : "");
            json_array_append_new(list,
                                  json_pack("{s:s, s:s, s:s}", "id", d->id, "version",
                                            d->version, "status", "requirement_no_longer_met"));
            json_t *event = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "event",
                                      "requirement_no_longer_met", "learner", a->learner, "id",
                                      d->id, "version", d->version, "submission",
                                      ev->submission, "reason", reason ? reason : "");
            rc = add_out(a, false, field_of(d), NULL, dumped(event));
        }
        free(reason);
        if (met >= 0) {
            a->was_met[i] = (signed char)met;
        }
    }
    if (rc == 0 && json_array_size(list) > 0) {
        char *text = json_dumps(list, JSON_COMPACT);
        size_t len = text ? strlen(text) + 16 : 0;
        *member = text ? malloc(len) : NULL;
        if (*member) {
            snprintf(*member, len, "\"credentials\":%s", text);
        }
        rc = *member ? 0 : -1;
        free(text);
    }
    json_decref(list);
    return rc;
}

void wk_awards_end(wk_awards *a, wk_award_out **out, size_t *nout)
{
    for (size_t i = 0; i < a->nheld; i++) {
        free(a->held[i]);
    }
    free(a->held);
    free(a->was_met);
    *out = a->out;
    *nout = a->nout;
    memset(a, 0, sizeof(*a));
}
