/*
 * award.c - a credential awarded from a learner's record (award.h): libassay's decision,
 * the OB 3.0 input built from the definition and the decision, the document (ob3.c) and
 * its VC-JWT (vcjwt.c).
 *
 * Everything that goes into the document comes from the definition, the record and the
 * key, so the worker and offline issuance give the same bytes for the same record.
 */
#include "award.h"

#include "ob3.h"
#include "vcjwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_secret(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

/* The salt of def's hashed subject, or NULL after setting err. */
static const char *salt_of(const assay_credential_info *in, const cred_award_options *opts,
                           cred_error *err)
{
    cred_award_secret_fn fn = opts && opts->secret ? opts->secret : env_secret;
    const char *salt = fn(in->subject_salt_from, opts ? opts->secret_ctx : NULL);
    if (salt == NULL || *salt == '\0') {
        cred_error_set(err, CRED_E_INPUT, in->source,
                       "credential \"%s\" version \"%s\" publishes the learner hashed with the "
                       "salt in $%s, which is not set",
                       in->id, in->version, in->subject_salt_from);
        return NULL;
    }
    if (strlen(salt) < CRED_AWARD_SALT_MIN) {
        cred_error_set(err, CRED_E_INPUT, in->source,
                       "credential \"%s\" version \"%s\": the salt in $%s is shorter than %d "
                       "characters, which makes learner ids easy to guess from their hash",
                       in->id, in->version, in->subject_salt_from, CRED_AWARD_SALT_MIN);
        return NULL;
    }
    return salt;
}

int cred_award_check(const assay_credential_def *def, const cred_key *key,
                     const cred_award_options *opts, cred_error *err)
{
    const assay_credential_info *in = assay_credential_def_info(def);
    if (in == NULL || key == NULL) {
        return cred_error_set(err, CRED_E_ARG, "", "no definition or key given");
    }
    if (!cred_key_has_private(key)) {
        return cred_error_set(err, CRED_E_KEY, cred_key_source(key),
                              "a public key: issuing needs the private key");
    }
    if (in->subject_hashed && salt_of(in, opts, err) == NULL) {
        return err ? err->code : CRED_E_INPUT;
    }
    return 0;
}

char *cred_award_subject_id(const char *template_uri, const char *learner)
{
    static const char keep[] = "-._~!$&'()*+,;=:@";
    const char *hole = strstr(template_uri, "{learner}");
    size_t pre = hole ? (size_t)(hole - template_uri) : strlen(template_uri);
    size_t n = strlen(template_uri) + 3 * strlen(learner) + 1;
    char *out = malloc(n);
    if (out == NULL) {
        return NULL;
    }
    memcpy(out, template_uri, pre);
    size_t at = pre;
    for (const unsigned char *p = (const unsigned char *)learner; hole && *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr(keep, *p) != NULL;
        if (plain) {
            out[at++] = (char)*p;
        } else {
            at += (size_t)snprintf(out + at, n - at, "%%%02X", *p);
        }
    }
    snprintf(out + at, n - at, "%s", hole ? hole + strlen("{learner}") : "");
    return out;
}

/* What the OB 3.0 input points to, for the time of one award. */
typedef struct award_parts {
    cred_ob3_competency *comps;
    cred_ob3_level *levels;
    cred_ob3_alignment *comp_aligns; /* one per competency (its CFItem) */
    cred_ob3_alignment *aligns;      /* the achievement's */
    cred_ob3_evidence *evidence;
    char *subject_id;
    char achievement_id[64];
} award_parts;

static void parts_free(award_parts *p)
{
    free(p->comps);
    free(p->levels);
    free(p->comp_aligns);
    free(p->aligns);
    free(p->evidence);
    free(p->subject_id);
}

/* Fills in and p from the definition, the evaluation and the learner. */
static int build_input(const assay_credential_info *d, const assay_credential_eval *ev,
                       const char *learner, const char *salt, const char *uuid,
                       cred_ob3_input *in, award_parts *p)
{
    size_t nlevels = 0;
    for (size_t i = 0; i < d->nrequirements; i++) {
        nlevels += d->requirements[i].nlevels;
    }
    p->comps = calloc(d->nrequirements + 1, sizeof(*p->comps));
    p->levels = calloc(nlevels + 1, sizeof(*p->levels));
    p->comp_aligns = calloc(d->nrequirements + 1, sizeof(*p->comp_aligns));
    p->aligns = calloc(d->nalignments + 1, sizeof(*p->aligns));
    p->evidence = calloc(ev->nevidence + 1, sizeof(*p->evidence));
    if (!p->comps || !p->levels || !p->comp_aligns || !p->aligns || !p->evidence) {
        return CRED_E_NOMEM;
    }
    if (d->subject_id_template &&
        (p->subject_id = cred_award_subject_id(d->subject_id_template, learner)) == NULL) {
        return CRED_E_NOMEM;
    }
    const char *achievement = d->achievement_id;
    if (achievement == NULL) {
        const char *name[] = {"achievement", d->issuer_id, d->id, d->version};
        char u[CRED_UUID_STRLEN + 1];
        int rc = cred_uuid_v5_joined(name, 4, u);
        if (rc != 0) {
            return rc;
        }
        snprintf(p->achievement_id, sizeof(p->achievement_id), "urn:uuid:%s", u);
        achievement = p->achievement_id;
    }
    size_t lv = 0;
    for (size_t i = 0; i < ev->nachieved; i++) {
        const assay_credential_requirement *q = ev->achieved[i].requirement;
        cred_ob3_competency *c = &p->comps[i];
        c->id = q->competency;
        c->name = q->name;
        c->levels = &p->levels[lv];
        c->level_count = q->nlevels;
        for (size_t j = 0; j < q->nlevels; j++) {
            p->levels[lv].key = q->levels[j].id;
            p->levels[lv++].name = q->levels[j].name;
        }
        c->required_level = q->level;
        c->achieved_level = q->levels[ev->achieved[i].level_index].id;
        if (q->uri) {
            p->comp_aligns[i] =
                (cred_ob3_alignment){q->name, q->uri, "CFItem", q->competency, NULL};
            c->alignment = &p->comp_aligns[i];
            c->alignment_count = 1;
        }
    }
    for (size_t i = 0; i < d->nalignments; i++) {
        const assay_credential_alignment *a = &d->alignments[i];
        p->aligns[i] = (cred_ob3_alignment){a->target_name, a->target_url, a->target_type,
                                            a->target_code, a->target_framework};
    }
    for (size_t i = 0; i < ev->nevidence; i++) {
        const assay_credential_evidence *e = &ev->evidence[i];
        p->evidence[i] = (cred_ob3_evidence){e->submission,    e->rubric, e->rubric_version,
                                             e->rubric_sha256, e->at,     NULL};
    }
    *in = (cred_ob3_input){
        .uuid = uuid,
        .name = d->name,
        .valid_from = ev->valid_from_s,
        .has_valid_until = d->validity_days > 0,
        .valid_until = ev->valid_from_s + (int64_t)d->validity_days * 86400,
        .issuer = {d->issuer_id, d->issuer_name, d->issuer_url, d->issuer_email},
        .achievement = {achievement, d->name, d->description, d->criteria, d->image,
                        d->achievement_type, p->aligns, d->nalignments},
        .competencies = p->comps,
        .competency_count = ev->nachieved,
        .subject = {p->subject_id, d->subject_hashed ? learner : NULL, d->subject_identity_type,
                    salt},
        .evidence = p->evidence,
        .evidence_count = ev->nevidence,
    };
    return 0;
}

void cred_award_finish(cred_award *a)
{
    if (a == NULL) {
        return;
    }
    json_decref(a->credential);
    free(a->jws);
    free(a->credential_text);
    assay_credential_eval_destroy(a->eval);
    memset(a, 0, sizeof(*a));
}

int cred_award_make(const assay_record *rec, const assay_credential_def *def,
                    const cred_key *key, const cred_award_options *opts, cred_award *out,
                    cred_error *err)
{
    if (rec == NULL || def == NULL || key == NULL || out == NULL) {
        return cred_error_set(err, CRED_E_ARG, "",
                              "no record, definition, key or output given");
    }
    memset(out, 0, sizeof(*out));
    const assay_credential_info *d = assay_credential_def_info(def);
    int rc = cred_award_check(def, key, opts, err);
    if (rc != 0) {
        return rc;
    }
    const char *learner = assay_record_learner(rec);
    char why[600];
    rc = assay_credential_evaluate(def, rec, &out->eval, why, sizeof(why));
    if (rc != 0) {
        return cred_error_set(err, rc == ASSAY_E_NOMEM ? CRED_E_NOMEM : CRED_E_ARG, learner,
                              "credential \"%s\" version \"%s\": %s", d->id, d->version, why);
    }
    if (!out->eval->met) {
        out->reason = out->eval->reason;
        return CRED_AWARD_NOT_MET;
    }
    const char *salt = d->subject_hashed ? salt_of(d, opts, err) : NULL;
    if ((rc = cred_uuid_award(learner, d->id, d->version, out->uuid)) != 0) {
        cred_error_set(err, rc, learner, "the award's UUID cannot be made");
    } else {
        cred_ob3_input in;
        award_parts parts = {0};
        rc = build_input(d, out->eval, learner, salt, out->uuid, &in, &parts);
        if (rc != 0) {
            cred_error_set(err, rc, learner, "%s", cred_strerror(rc));
        } else if ((rc = cred_ob3_build(&in, &out->credential, err)) == 0) {
            cred_jws_sign_options so = {.kid = opts ? opts->kid : NULL,
                                        .embed_jwk = opts && opts->embed_jwk};
            rc = cred_vcjwt_sign_text(out->credential, key, &so, &out->jws,
                                      &out->credential_text, err);
        }
        parts_free(&parts);
    }
    if (rc != 0) {
        cred_award_finish(out);
    }
    return rc;
}
