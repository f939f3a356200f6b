/*
 * test_definition.c - credential definitions in libassay (<assay/credential_def.h>): what a
 * loaded definition says (requirements resolved against the catalog, default alignments,
 * subject), the problems a load reports, definitions in a catalog and loaded from a
 * directory, the OB 3.0 vocabularies and URI rule, and the decision over learner records:
 * satisfied, not, exactly at the level, a required rubric missing, a regrade that drops the
 * learner below, and when the requirement was first met.
 */
#include "deftest.h"

#include <sys/stat.h>
#include <unistd.h>

/* The first diagnostic of loading text against cat, formatted, into out. */
static int load_error(const assay_catalog *cat, const char *text, char *out, size_t size)
{
    assay_diags *d = assay_diags_create();
    assay_credential_def *def = NULL;
    int rc = assay_credential_def_load_buffer(text, strlen(text), "def.json", cat, &def, d);
    out[0] = '\0';
    if (assay_diags_count(d) > 0) {
        assay_diag_format(assay_diags_get(d, 0), out, size);
    }
    assay_credential_def_destroy(def);
    assay_diags_destroy(d);
    return rc;
}

static void test_info(void)
{
    assay_catalog *cat = deftest_catalog();
    char *text = deftest_text("{\"competencies\": [{\"id\": \"a\", \"level\": \"proficient\"}, "
                              "{\"id\": \"b\", \"level\": \"developing\"}], \"rubrics\": "
                              "[\"other\"]}",
                              "{\"hashed\": true}", ", \"validity\": {\"days\": 30}");
    assay_credential_def *def = deftest_def(cat, text);
    ASSERT(def != NULL);
    const assay_credential_info *in = assay_credential_def_info(def);
    ASSERT_STR_EQ(in->id, "quiz-badge");
    ASSERT_STR_EQ(in->version, "1");
    ASSERT_STR_EQ(in->source, "def.json");
    ASSERT_INT_EQ(strlen(in->sha256), 64);
    ASSERT_STR_EQ(in->framework, "rubric:quiz");
    ASSERT_STR_EQ(in->issuer_id, "https://example.edu/issuer");
    ASSERT(in->issuer_url == NULL && in->issuer_email == NULL && in->image == NULL);
    ASSERT_STR_EQ(in->achievement_type, "MicroCredential");
    ASSERT(in->achievement_id == NULL);
    ASSERT_INT_EQ(in->nrequirements, 2);
    const assay_credential_requirement *q = &in->requirements[0];
    ASSERT_STR_EQ(q->key, "rubric:quiz/a");
    ASSERT_STR_EQ(q->name, "Competency A");
    ASSERT_STR_EQ(q->description, "The first.");
    ASSERT_STR_EQ(q->uri, "https://case.example.org/uri/a");
    ASSERT_STR_EQ(q->level, "proficient");
    ASSERT_INT_EQ(q->level_index, 2);
    ASSERT_INT_EQ(q->nlevels, 4);
    ASSERT_STR_EQ(q->levels[1].id, "developing");
    ASSERT_STR_EQ(q->levels[1].min, "0.5");
    ASSERT_STR_EQ(q->levels[2].min, "0.8");
    ASSERT_STR_EQ(q->levels[3].name, "Expert");
    ASSERT(in->requirements[1].uri == NULL);
    ASSERT_INT_EQ(in->nrubrics, 1);
    ASSERT_STR_EQ(in->rubrics[0], "other");
    /* Without "alignments": one per required competency with a URI. */
    ASSERT_INT_EQ(in->nalignments, 1);
    ASSERT_STR_EQ(in->alignments[0].target_name, "Competency A");
    ASSERT_STR_EQ(in->alignments[0].target_url, "https://case.example.org/uri/a");
    ASSERT_STR_EQ(in->alignments[0].target_type, "CFItem");
    ASSERT_STR_EQ(in->alignments[0].target_code, "a");
    ASSERT_INT_EQ(in->validity_days, 30);
    ASSERT(in->subject_id_template == NULL);
    ASSERT(in->subject_hashed);
    ASSERT_STR_EQ(in->subject_salt_from, "ASSAY_SUBJECT_SALT");
    ASSERT_STR_EQ(in->subject_identity_type, "identifier");
    free(text);

    /* In a catalog: found by id and version, the newest without one; twice is refused. */
    ASSERT_INT_EQ(assay_catalog_add_credential(cat, def), 0);
    text = deftest_text(DEFTEST_REQ, DEFTEST_SUBJECT, ", \"alignments\": []");
    char *v10 = strstr(text, "\"version\": \"1\"");
    assay_credential_def *again = deftest_def(cat, text);
    memcpy(v10, "\"version\": \"9\"", 14);
    assay_credential_def *newer = deftest_def(cat, text);
    ASSERT(again != NULL && newer != NULL);
    ASSERT_INT_EQ(assay_credential_def_info(newer)->nalignments, 0);
    ASSERT_INT_EQ(assay_catalog_add_credential(cat, again), ASSAY_E_DUPLICATE);
    ASSERT_INT_EQ(assay_catalog_add_credential(cat, newer), 0);
    ASSERT_INT_EQ(assay_catalog_credential_count(cat), 2);
    ASSERT(assay_catalog_credential_get(cat, 1) == newer);
    ASSERT(assay_catalog_credential_get(cat, 2) == NULL);
    ASSERT(assay_catalog_find_credential(cat, "quiz-badge", NULL) == newer);
    ASSERT(assay_catalog_find_credential(cat, "quiz-badge", "1") == def);
    ASSERT(assay_catalog_find_credential(cat, "nope", NULL) == NULL);
    ASSERT_INT_EQ(assay_catalog_add_credential(cat, NULL), ASSAY_E_ARG);
    assay_credential_def_destroy(again);
    free(text);
    assay_catalog_destroy(cat);
}

static void test_problems(void)
{
    assay_catalog *cat = deftest_catalog();
    char msg[1200];
    assay_credential_def *def = NULL;
    ASSERT_INT_EQ(assay_credential_def_load_buffer("{}", 2, "x", NULL, &def, NULL),
                  ASSAY_E_ARG);
    ASSERT_INT_EQ(assay_credential_def_load_buffer(NULL, 0, "x", cat, &def, NULL), ASSAY_E_ARG);
    ASSERT_INT_EQ(load_error(cat, "[1]", msg, sizeof msg), ASSAY_E_INVALID);
    ASSERT_STR_EQ(msg,
                  "def.json:1:1: error: a credential definition must be a JSON object, not "
                  "an array");
    ASSERT_INT_EQ(load_error(cat, "{\"a\": }", msg, sizeof msg), ASSAY_E_SYNTAX);
    ASSERT_STR_CONTAINS(msg, "def.json:1:");
    ASSERT_INT_EQ(load_error(cat, "\xEF\xBB\xBF{}", msg, sizeof msg), ASSAY_E_SYNTAX);
    ASSERT_STR_CONTAINS(msg, "byte order mark");

    static const struct {
        const char *req, *subject, *extra, *message;
    } cases[] = {
        {"{\"competencies\": [{\"id\": \"a\", \"level\": \"master\"}]}", DEFTEST_SUBJECT, "",
         "level \"master\" is not on the scale of competency \"a\" (its levels, lowest first: "
         "novice, developing, proficient, expert) (at /requirements/competencies/0/level)"},
        {"{\"competencies\": [{\"id\": \"aa\", \"level\": \"expert\"}]}", DEFTEST_SUBJECT, "",
         "unknown competency \"aa\" in framework \"rubric:quiz\" (did you mean \"a\"?)"},
        {"{\"competencies\": [{\"id\": \"a\", \"level\": \"expert\"}, {\"id\": \"a\", "
         "\"level\": \"novice\"}]}",
         DEFTEST_SUBJECT, "", "duplicate required competency id \"a\""},
        {"{\"rubrics\": [\"quizz\"]}", DEFTEST_SUBJECT, "",
         "required rubric \"quizz\" is not loaded (did you mean \"quiz\"?) (at "
         "/requirements/rubrics/0)"},
        {"{}", DEFTEST_SUBJECT, "", "the requirements name no competency and no rubric"},
        {DEFTEST_REQ, "{}", "", "the subject names the learner neither by \"id_template\""},
        {DEFTEST_REQ, "{\"id_template\": \"urn:x:{learner}:{learner}\"}", "",
         "once {learner}, which appears once, is filled in"},
        {DEFTEST_REQ, "{\"id_template\": \"learner-{learner}\"}", "",
         "\"id_template\" must give an absolute URI"},
        {DEFTEST_REQ, "{\"hashed\": true, \"identity_type\": \"email\"}", "",
         "\"email\" is neither an OB 3.0 IdentifierType"},
        {DEFTEST_REQ, "{\"hashed\": false}", "", "with \"hashed\": false the subject needs"},
        {DEFTEST_REQ, DEFTEST_SUBJECT, ", \"validity\": {}", "missing required key \"days\""},
        {DEFTEST_REQ, DEFTEST_SUBJECT, ", \"alignments\": {}",
         "\"alignments\" must be an array, not an object"},
        {DEFTEST_REQ, DEFTEST_SUBJECT, ", \"achievement_id\": \"badge 1\"",
         "\"achievement_id\" must be an absolute URI"},
        {DEFTEST_REQ, DEFTEST_SUBJECT, ", \"criterion\": \"x\"",
         "unknown key \"criterion\" in a credential definition (did you mean \"criteria\"?)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int before = tap_failed;
        char *text = deftest_text(cases[i].req, cases[i].subject, cases[i].extra);
        ASSERT_INT_EQ(load_error(cat, text, msg, sizeof msg), ASSAY_E_INVALID);
        ASSERT_STR_CONTAINS(msg, cases[i].message);
        tap_note(before, "definition", text);
        free(text);
    }
    /* A framework of a rubric that is not loaded, and a blank name. */
    char *text = deftest_text(DEFTEST_REQ, DEFTEST_SUBJECT, "");
    char *fw = strstr(text, "rubric:quiz");
    memcpy(fw, "rubric:quix", 11);
    ASSERT_INT_EQ(load_error(cat, text, msg, sizeof msg), ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(msg,
                        "unknown framework \"rubric:quix\" (did you mean \"rubric:quiz\"?)");
    memcpy(fw, "rubric:quiz", 11);
    memcpy(strstr(text, "Quiz badge"), "          ", 10);
    ASSERT_INT_EQ(load_error(cat, text, msg, sizeof msg), ASSAY_E_INVALID);
    ASSERT_STR_CONTAINS(msg, "\"name\" must not be empty (at /name)");
    free(text);
    assay_catalog_destroy(cat);
}

/* The example definition loads with the example rubrics from the directory. */
static void test_load_dir(const char *rubrics)
{
    assay_catalog *cat = assay_catalog_create();
    assay_diags *d = assay_diags_create();
    ASSERT_INT_EQ(assay_catalog_load_dir(cat, rubrics, NULL, d), 7);
    ASSERT_INT_EQ(assay_diags_count(d), 0);
    const assay_credential_def *def = assay_catalog_find_credential(cat, "chem-solutions", "1");
    ASSERT(def != NULL);
    const assay_credential_info *in = assay_credential_def_info(def);
    ASSERT_INT_EQ(in->nrequirements, 2);
    ASSERT_STR_EQ(in->requirements[1].key, "rubric:chem-molarity/quantities-and-units");
    ASSERT_STR_EQ(in->requirements[1].levels[2].id, "secure");
    ASSERT_INT_EQ(in->nalignments, 2);
    assay_catalog_destroy(cat);

    /* A directory whose definition names a rubric it does not have, and two definitions
     * with the same id and version: reported, the good one loaded. */
    char dir[] = "/tmp/assay-test-definition-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    char path[600];
    const char *names[] = {"a.json", "b.json", "c.json", "quiz.json"};
    char *good = deftest_text(DEFTEST_REQ, DEFTEST_SUBJECT, "");
    char *bad = deftest_text("{\"rubrics\": [\"missing\"]}", DEFTEST_SUBJECT, "");
    const char *texts[] = {good, good, bad, deftest_quiz};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        fputs(texts[i], f);
        fclose(f);
    }
    cat = assay_catalog_create();
    assay_diags_clear(d);
    ASSERT_INT_EQ(assay_catalog_load_dir(cat, dir, NULL, d), ASSAY_E_DUPLICATE);
    ASSERT_INT_EQ(assay_catalog_count(cat), 1);
    ASSERT_INT_EQ(assay_catalog_credential_count(cat), 1);
    ASSERT_INT_EQ(assay_diags_count(d), 2);
    char line[1200];
    assay_diag_format(assay_diags_get(d, 0), line, sizeof(line));
    ASSERT_STR_CONTAINS(line, "/b.json: error: credential \"quiz-badge\" version \"1\" is "
                              "already loaded from another file");
    assay_diag_format(assay_diags_get(d, 1), line, sizeof(line));
    ASSERT_STR_CONTAINS(line, "/c.json:1:");
    ASSERT_STR_CONTAINS(line, "required rubric \"missing\" is not loaded");
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    ASSERT_INT_EQ(rmdir(dir), 0);
    free(good);
    free(bad);
    assay_catalog_destroy(cat);
    assay_diags_destroy(d);
}

static void test_vocabulary(void)
{
    ASSERT(assay_credential_uri_ok("https://example.edu/a?b=c#d"));
    ASSERT(assay_credential_uri_ok("urn:uuid:2ed6657d-e927-568b-95e1-2665a8aea6a2"));
    ASSERT(assay_credential_uri_ok("did:example:123"));
    ASSERT(!assay_credential_uri_ok("example.edu"));
    ASSERT(!assay_credential_uri_ok("https://exa mple.edu"));
    ASSERT(!assay_credential_uri_ok("1http://x"));
    ASSERT(!assay_credential_uri_ok("http:"));
    ASSERT(!assay_credential_uri_ok("http://x/<script>"));
    ASSERT(!assay_credential_uri_ok(NULL));
    ASSERT(assay_credential_achievement_type_ok("MicroCredential"));
    ASSERT(assay_credential_achievement_type_ok("ext:Bootcamp"));
    ASSERT(!assay_credential_achievement_type_ok("ext:"));
    ASSERT(!assay_credential_achievement_type_ok("microcredential"));
    ASSERT(assay_credential_identifier_type_ok("sisSourcedId"));
    ASSERT(!assay_credential_identifier_type_ok("email"));
    ASSERT(assay_credential_alignment_type_ok("CFItem"));
    ASSERT(assay_credential_alignment_type_ok("ceasn:Competency"));
    ASSERT(!assay_credential_alignment_type_ok("CFitem"));
}

/* Evaluates def over r; the evaluation (caller frees) or NULL after a failed assertion. */
static assay_credential_eval *eval(const assay_credential_def *def, const assay_record *r)
{
    assay_credential_eval *e = NULL;
    char why[600] = "";
    int rc = assay_credential_evaluate(def, r, &e, why, sizeof(why));
    ASSERT_INT_EQ(rc, 0);
    if (rc != 0) {
        printf("#   %s\n", why);
    }
    /* The quick answer is the evaluation's, reason included. */
    char reason[600] = "";
    int now = assay_credential_met_now(def, r, reason, sizeof(reason), why, sizeof(why));
    if (e) {
        ASSERT_INT_EQ(now, e->met ? 1 : 0);
        ASSERT_STR_EQ(reason, e->met ? "" : e->reason);
    }
    return e;
}

static void test_decision(void)
{
    assay_catalog *cat = deftest_catalog();
    char *text = deftest_text(DEFTEST_REQ, DEFTEST_SUBJECT, "");
    assay_credential_def *def = deftest_def(cat, text);
    free(text);
    assay_record *r = assay_record_create("learner-1");

    /* No evidence yet. */
    assay_credential_eval *e = eval(def, r);
    ASSERT(e && !e->met);
    ASSERT_STR_EQ(e->reason, "competency \"rubric:quiz/a\" has no evidence yet (proficient "
                             "required)");
    assay_credential_eval_destroy(e);

    /* s1: a 1/2 (developing), b 1/2: a is below proficient. */
    ASSERT_INT_EQ(deftest_apply(r, cat, "quiz", "s1", "2026-03-01T09:00:00Z", "0.5", "0.5"), 0);
    e = eval(def, r);
    ASSERT(e && !e->met);
    ASSERT_STR_EQ(e->reason, "competency \"rubric:quiz/a\" is at developing (0.5), below the "
                             "required proficient");
    ASSERT_INT_EQ(e->nachieved, 0);
    assay_credential_eval_destroy(e);

    /* s2: a 1 -> 0.65 + 0.35 * 0.5 = 0.825, proficient; b 0.5 developing: met, at s2. */
    ASSERT_INT_EQ(
        deftest_apply(r, cat, "quiz", "s2", "2026-03-02T09:30:00.250+01:00", "1", "0.5"), 0);
    e = eval(def, r);
    ASSERT(e && e->met);
    ASSERT(e->reason == NULL);
    ASSERT_STR_EQ(e->valid_from, "2026-03-02T08:30:00.250Z");
    ASSERT_INT_EQ(e->valid_from_s, 1772440200);
    ASSERT_INT_EQ(e->nachieved, 2);
    ASSERT_STR_EQ(e->achieved[0].requirement->competency, "a");
    ASSERT_STR_EQ(e->achieved[0].value_exact, "0.825");
    ASSERT_INT_EQ(e->achieved[0].level_index, 2);
    ASSERT_STR_EQ(e->achieved[1].value_exact, "0.5");
    ASSERT_INT_EQ(e->achieved[1].level_index, 1);
    ASSERT_INT_EQ(e->nevidence, 2);
    ASSERT_STR_EQ(e->evidence[0].submission, "s1");
    ASSERT_STR_EQ(e->evidence[1].submission, "s2");
    ASSERT_STR_EQ(e->evidence[1].rubric, "quiz");
    ASSERT_STR_EQ(e->evidence[1].rubric_version, "1");
    ASSERT_INT_EQ(strlen(e->evidence[1].rubric_sha256), 64);
    ASSERT_STR_EQ(e->evidence[1].at, "2026-03-02T08:30:00.250Z");
    assay_credential_eval_destroy(e);

    /* s3 later, still met (0.65 + 0.35 * 0.75 = 0.9125): the award stays at s2, with the
     * levels and evidence of then. */
    ASSERT_INT_EQ(deftest_apply(r, cat, "quiz", "s3", "2026-03-03T09:00:00Z", "1", "1"), 0);
    e = eval(def, r);
    ASSERT(e && e->met);
    ASSERT_STR_EQ(e->valid_from, "2026-03-02T08:30:00.250Z");
    ASSERT_STR_EQ(e->achieved[0].value_exact, "0.825");
    ASSERT_INT_EQ(e->nevidence, 2);
    assay_credential_eval_destroy(e);

    /* Regrades of s2 and s3 that drop a (at s2 0.65 * 0.6 + 0.35 * 0.5 = 0.565, at s3
     * 0.65 * 0.2 + 0.35 * 0.55 = 0.3225): no longer met, and the reason names the
     * competency. */
    ASSERT_INT_EQ(deftest_apply(r, cat, "quiz", "s2", "2026-03-02T08:30:00.250Z", "0.6", "0.5"),
                  0);
    ASSERT_INT_EQ(deftest_apply(r, cat, "quiz", "s3", "2026-03-03T09:00:00Z", "0.2", "1"), 0);
    e = eval(def, r);
    ASSERT(e && !e->met);
    ASSERT_STR_EQ(e->reason, "competency \"rubric:quiz/a\" is at novice (0.3225), below the "
                             "required proficient");
    assay_credential_eval_destroy(e);

    /* s4 brings it back (0.65 + 0.35 * (0.5 + 0.6 + 0.2) / 3 = 481/600): met again, at s4,
     * the first point where every requirement holds. */
    ASSERT_INT_EQ(deftest_apply(r, cat, "quiz", "s4", "2026-03-04T09:00:00Z", "1", "1"), 0);
    e = eval(def, r);
    ASSERT(e && e->met);
    ASSERT_STR_EQ(e->valid_from, "2026-03-04T09:00:00Z");
    ASSERT_STR_EQ(e->achieved[0].value_exact, "481/600");
    ASSERT_INT_EQ(e->nevidence, 4);
    assay_credential_eval_destroy(e);
    assay_record_destroy(r);

    /* Exactly at the level: a = 4/5 = proficient's min is met. */
    r = assay_record_create("learner-2");
    ASSERT_INT_EQ(deftest_apply(r, cat, "quiz", "t1", "2026-03-01T09:00:00Z", "4/5", "1/2"), 0);
    e = eval(def, r);
    ASSERT(e && e->met);
    ASSERT_STR_EQ(e->achieved[0].value_exact, "0.8");
    ASSERT_INT_EQ(e->achieved[0].level_index, 2);
    ASSERT_INT_EQ(e->achieved[1].level_index, 1);
    assay_credential_eval_destroy(e);
    assay_record_destroy(r);
    assay_credential_def_destroy(def);

    /* A required rubric: met only once a submission of it is graded; the award is at the
     * later of the two, and lists both submissions. */
    text = deftest_text("{\"competencies\": [{\"id\": \"a\", \"level\": \"developing\"}], "
                        "\"rubrics\": [\"other\"]}",
                        DEFTEST_SUBJECT, "");
    def = deftest_def(cat, text);
    free(text);
    r = assay_record_create("learner-3");
    ASSERT_INT_EQ(deftest_apply(r, cat, "quiz", "u2", "2026-03-05T09:00:00Z", "1", "1"), 0);
    e = eval(def, r);
    ASSERT(e && !e->met);
    ASSERT_STR_EQ(e->reason, "no submission graded by rubric \"other\" yet");
    assay_credential_eval_destroy(e);
    ASSERT_INT_EQ(deftest_apply(r, cat, "other", "u1", "2026-03-01T09:00:00Z", "0", NULL), 0);
    ASSERT_INT_EQ(deftest_apply(r, cat, "other", "u3", "2026-03-06T09:00:00Z", "1", NULL), 0);
    e = eval(def, r);
    ASSERT(e && e->met);
    ASSERT_STR_EQ(e->valid_from, "2026-03-05T09:00:00Z");
    ASSERT_INT_EQ(e->nevidence, 2);
    ASSERT_STR_EQ(e->evidence[0].submission, "u1");
    ASSERT_STR_EQ(e->evidence[0].rubric, "other");
    ASSERT_STR_EQ(e->evidence[1].submission, "u2");
    assay_credential_eval_destroy(e);
    assay_record_destroy(r);

    /* Arrival order does not matter: the same submissions applied in another order give
     * the same evaluation. */
    assay_record *r1 = assay_record_create("learner-4"), *r2 = assay_record_create("learner-4");
    const char *subs[][4] = {{"v1", "2026-03-01T09:00:00Z", "0.2", "0.9"},
                             {"v2", "2026-03-02T09:00:00Z", "0.9", "0.9"},
                             {"v3", "2026-03-03T09:00:00Z", "1", "1"}};
    for (size_t i = 0; i < 3; i++) {
        deftest_apply(r1, cat, "quiz", subs[i][0], subs[i][1], subs[i][2], subs[i][3]);
        deftest_apply(r2, cat, "quiz", subs[2 - i][0], subs[2 - i][1], subs[2 - i][2],
                      subs[2 - i][3]);
    }
    deftest_apply(r1, cat, "other", "v0", "2026-02-01T09:00:00Z", "1", NULL);
    deftest_apply(r2, cat, "other", "v0", "2026-02-01T09:00:00Z", "1", NULL);
    assay_credential_eval *e1 = eval(def, r1), *e2 = eval(def, r2);
    ASSERT(e1 && e2 && e1->met && e2->met);
    ASSERT_STR_EQ(e1->valid_from, e2->valid_from);
    ASSERT_STR_EQ(e1->valid_from, "2026-03-02T09:00:00Z");
    ASSERT_INT_EQ(e1->nevidence, e2->nevidence);
    assay_credential_eval_destroy(e1);
    assay_credential_eval_destroy(e2);
    assay_record_destroy(r1);
    assay_record_destroy(r2);

    char why[100];
    ASSERT_INT_EQ(assay_credential_evaluate(def, NULL, &e, why, sizeof why), ASSAY_E_ARG);
    assay_credential_def_destroy(def);
    assay_catalog_destroy(cat);
}

int main(int argc, char **argv)
{
    const char *rubrics = argc > 2 ? argv[2] : "rubrics";
    test_info();
    test_problems();
    test_load_dir(rubrics);
    test_vocabulary();
    test_decision();
    return tap_done();
}
