/*
 * credential_vocab.c - the OB 3.0 vocabularies (AchievementType, IdentifierType,
 * AlignmentTargetType, with their "ext:" extensions) and the URI rule that credential
 * definitions (credential_def.c) and the credential library check with.
 */
#include "credential_vocab.h"

#include "assay/credential_def.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* The AchievementType enumeration of OB 3.0. */
const char *const assay__achievement_types[] = {
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
    NULL,
};

/* The IdentifierType enumeration of OB 3.0 (IdentityObject.identityType). */
const char *const assay__identifier_types[] = {
    "name",          "sourcedId",    "systemId",        "productId",
    "userName",      "accountId",    "emailAddress",    "nationalIdentityNumber",
    "isbn",          "issn",         "lisSourcedId",    "oneRosterSourcedId",
    "sisSourcedId",  "ltiContextId", "ltiDeploymentId", "ltiToolId",
    "ltiPlatformId", "ltiUserId",    "identifier",      NULL,
};

/* The AlignmentTargetType enumeration of OB 3.0. */
const char *const assay__alignment_types[] = {
    "ceasn:Competency",  "ceterms:Credential",     "CFItem", "CFRubric",
    "CFRubricCriterion", "CFRubricCriterionLevel", "CTDL",   NULL,
};

/* True when s is one of names (NULL-terminated) or an extension ("ext:" and more). */
bool assay__in_vocabulary(const char *s, const char *const *names)
{
    if (s == NULL) {
        return false;
    }
    if (strncmp(s, "ext:", 4) == 0 && s[4] != '\0') {
        return true;
    }
    for (const char *const *n = names; *n; n++) {
        if (strcmp(s, *n) == 0) {
            return true;
        }
    }
    return false;
}

bool assay_credential_achievement_type_ok(const char *s)
{
    return assay__in_vocabulary(s, assay__achievement_types);
}

bool assay_credential_identifier_type_ok(const char *s)
{
    return assay__in_vocabulary(s, assay__identifier_types);
}

bool assay_credential_alignment_type_ok(const char *s)
{
    return assay__in_vocabulary(s, assay__alignment_types);
}

bool assay_credential_uri_ok(const char *s)
{
    if (s == NULL || !isalpha((unsigned char)s[0])) {
        return false;
    }
    const char *p = s + 1;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.') {
        p++;
    }
    if (*p != ':' || p[1] == '\0') {
        return false;
    }
    for (p++; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7F || strchr("<>\"{}|\\^`", c)) {
            return false;
        }
    }
    return true;
}
