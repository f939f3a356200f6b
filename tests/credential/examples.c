/*
 * examples.c - credential-examples: prints OB 3.0 AchievementCredentials built by the
 * credential library, one JSON document per line, for test_interop.py to check against
 * the JSON Schema, sign with `assay credential sign` and verify independently:
 *
 *   1. the sample of credtest.h (learner as id, validUntil, two competencies, evidence);
 *   2. the learner only as a salted hash, no validUntil, no image, no alignment;
 *   3. both id and hashed identity, caller-given level and result description ids, an
 *      ext: achievement type, no evidence, no competency.
 *
 * Every credential's id is cred_uuid_award() of learner, credential id and version, as
 * issuance derives it. validFrom is in the past and validUntil far ahead, so any JWT
 * library accepts the dates today.
 */
#include "credential/uuid.h"
#include "credtest.h"

#include <stdio.h>

static int print(const cred_ob3_input *in)
{
    json_t *c = NULL;
    cred_error err = {0};
    if (cred_ob3_build(in, &c, &err) != 0) {
        fprintf(stderr, "credential-examples: %s: %s\n", err.where, err.message);
        return 1;
    }
    char *text = json_dumps(c, JSON_COMPACT);
    printf("%s\n", text);
    free(text);
    json_decref(c);
    return 0;
}

int main(void)
{
    char uuid[CRED_UUID_STRLEN + 1];
    int bad = 0;

    cred_ob3_input in = credtest_input();
    cred_uuid_award("L-1001", in.achievement.id, "1", uuid);
    in.uuid = uuid;
    in.valid_from = 1735689600; /* 2025-01-01 */
    bad |= print(&in);

    in = credtest_input();
    cred_uuid_award("L-1002", in.achievement.id, "1", uuid);
    in.uuid = uuid;
    in.valid_from = 1735689600;
    in.has_valid_until = false;
    in.achievement.image = NULL;
    in.achievement.alignment = NULL;
    in.achievement.alignment_count = 0;
    in.subject = (cred_ob3_subject){NULL, "L-1002", "sisSourcedId", "f3a1c9e2"};
    in.description = "Awarded for mastery shown in graded work.";
    bad |= print(&in);

    static const cred_ob3_level levels[] = {
        {"no", "Not yet", NULL, "https://example.edu/scales/binary#no"},
        {"yes", "Mastered", NULL, "https://example.edu/scales/binary#yes"},
    };
    static const cred_ob3_competency comps[] = {
        {"lab.safety", "Laboratory safety", levels, 2, "yes", "yes",
         "https://example.edu/credentials/lab-safety#result", NULL, 0},
    };
    in = credtest_input();
    cred_uuid_award("L-1003", "https://example.edu/credentials/lab-safety", "2", uuid);
    in.uuid = uuid;
    in.valid_from = 1735689600;
    in.achievement.id = "https://example.edu/credentials/lab-safety";
    in.achievement.name = "Lab safety";
    in.achievement.achievement_type = "ext:SafetyClearance";
    in.competencies = comps;
    in.competency_count = 1;
    in.evidence_count = 0;
    in.subject = (cred_ob3_subject){"mailto:learner1003@example.edu", "L-1003", NULL, ""};
    bad |= print(&in);
    return bad;
}
