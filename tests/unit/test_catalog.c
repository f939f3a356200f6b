/*
 * test_catalog.c - unit tests for engine/src/catalog.c through the public API: adding
 * rubrics (duplicates refused), finding them by id and version or the newest version
 * (dotted numbers compared as numbers), and loading a directory: which files are read, in
 * what order, and how broken files, duplicates and an unreadable directory are reported.
 */
#include "assay/assay.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ASSAY_RUBRICS_DIR
#error "ASSAY_RUBRICS_DIR must name the example rubrics"
#endif

/* A small valid rubric with the given id and version, as text. */
static const char *rubric_text(const char *id, const char *version)
{
    static char buf[1024];
    snprintf(
        buf, sizeof(buf),
        "{\"assay\": 1, \"id\": \"%s\", \"version\": \"%s\", \"title\": \"T\",\n"
        " \"scale\": {\"levels\": [{\"id\": \"a\", \"name\": \"A\", \"min\": 0},\n"
        "   {\"id\": \"b\", \"name\": \"B\", \"min\": 0.5, \"mastery\": true}]},\n"
        " \"competencies\": [{\"id\": \"c\", \"name\": \"C\"}],\n"
        " \"items\": [{\"id\": \"q\", \"checks\": [{\"id\": \"k\", \"type\": \"pattern\",\n"
        "   \"pattern\": \"x\", \"evidence\": {\"c\": 1}}]}]}\n",
        id, version);
    return buf;
}

static assay_rubric *rubric(const char *id, const char *version)
{
    const char *t = rubric_text(id, version);
    assay_rubric *r = NULL;
    ASSERT_INT_EQ(assay_rubric_load_buffer(t, strlen(t), "t.json", NULL, &r, NULL), 0);
    return r;
}

static const char *version_of(const assay_rubric *r)
{
    return r ? assay_rubric_version(r) : "(none)";
}

static void test_add_find(void)
{
    assay_catalog *c = assay_catalog_create();
    ASSERT(c != NULL);
    ASSERT_INT_EQ(assay_catalog_count(c), 0);
    ASSERT(assay_catalog_find(c, "r", NULL) == NULL);

    const char *versions[] = {"1.9.2", "1.10.0", "1.2", "0.99"};
    for (size_t i = 0; i < 4; i++) {
        ASSERT_INT_EQ(assay_catalog_add(c, rubric("r", versions[i])), 0);
    }
    ASSERT_INT_EQ(assay_catalog_add(c, rubric("other", "9")), 0);
    ASSERT_INT_EQ(assay_catalog_count(c), 5);

    /* The same id and version again is refused and stays the caller's. */
    assay_rubric *dup = rubric("r", "1.2");
    ASSERT_INT_EQ(assay_catalog_add(c, dup), ASSAY_E_DUPLICATE);
    assay_rubric_destroy(dup);
    ASSERT_INT_EQ(assay_catalog_count(c), 5);
    ASSERT_INT_EQ(assay_catalog_add(c, NULL), ASSAY_E_ARG);
    ASSERT_INT_EQ(assay_catalog_add(NULL, NULL), ASSAY_E_ARG);

    /* By version, exactly; without one, the newest as dotted numbers (1.10.0 > 1.9.2). */
    ASSERT_STR_EQ(version_of(assay_catalog_find(c, "r", "1.2")), "1.2");
    ASSERT(assay_catalog_find(c, "r", "1.2.0") == NULL);
    ASSERT_STR_EQ(version_of(assay_catalog_find(c, "r", NULL)), "1.10.0");
    ASSERT_STR_EQ(version_of(assay_catalog_find(c, "other", NULL)), "9");
    ASSERT(assay_catalog_find(c, "nope", NULL) == NULL);
    ASSERT(assay_catalog_find(c, NULL, NULL) == NULL);
    ASSERT(assay_catalog_find(NULL, "r", NULL) == NULL);

    /* Load order. */
    ASSERT_STR_EQ(version_of(assay_catalog_get(c, 0)), "1.9.2");
    ASSERT_STR_EQ(assay_rubric_id(assay_catalog_get(c, 4)), "other");
    ASSERT(assay_catalog_get(c, 5) == NULL);
    ASSERT_INT_EQ(assay_catalog_count(NULL), 0);
    assay_catalog_destroy(c);
    assay_catalog_destroy(NULL);

    /* Versions that are not all numbers: numbers first, then the text decides. */
    c = assay_catalog_create();
    ASSERT_INT_EQ(assay_catalog_add(c, rubric("s", "2.0-beta")), 0);
    ASSERT_INT_EQ(assay_catalog_add(c, rubric("s", "2.0")), 0);
    ASSERT_INT_EQ(assay_catalog_add(c, rubric("s", "10")), 0);
    ASSERT_STR_EQ(version_of(assay_catalog_find(c, "s", NULL)), "10");
    assay_catalog_destroy(c);
    c = assay_catalog_create();
    ASSERT_INT_EQ(assay_catalog_add(c, rubric("s", "2.0")), 0);
    ASSERT_INT_EQ(assay_catalog_add(c, rubric("s", "2.0-beta")), 0);
    ASSERT_STR_EQ(version_of(assay_catalog_find(c, "s", NULL)), "2.0-beta");
    assay_catalog_destroy(c);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The diagnostics formatted one per line. */
static void diags_text(const assay_diags *d, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        char line[1200];
        assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s\n", line);
    }
}

static void test_load_dir(void)
{
    /* The example rubrics and credential definition; the JSON Schemas are skipped. */
    assay_catalog *c = assay_catalog_create();
    assay_diags *d = assay_diags_create();
    ASSERT_INT_EQ(assay_catalog_load_dir(c, ASSAY_RUBRICS_DIR, NULL, d), 5);
    ASSERT_INT_EQ(assay_diags_count(d), 0);
    ASSERT_INT_EQ(assay_catalog_count(c), 4);
    ASSERT_INT_EQ(assay_catalog_credential_count(c), 1);
    ASSERT(assay_catalog_find(c, "chem-molarity", NULL) != NULL);
    /* In name order. */
    ASSERT_STR_EQ(assay_rubric_id(assay_catalog_get(c, 0)), "bio-cell-respiration");
    ASSERT_STR_EQ(assay_rubric_id(assay_catalog_get(c, 3)), "stats-confidence");
    assay_catalog_destroy(c);

    /* A directory of our own: good, broken, duplicate, hidden, not .json, a subdirectory. */
    char dir[] = "/tmp/assay-test-catalog-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    write_file(dir, "b-good.json", rubric_text("good", "1"));
    write_file(dir, "a-broken.json", "{\"assay\": 1,");
    write_file(dir, "c-again.json", rubric_text("good", "1"));
    write_file(dir, "d-newer.json", rubric_text("good", "2"));
    write_file(dir, ".hidden.json", rubric_text("hidden", "1"));
    write_file(dir, "notes.txt", "not a rubric");
    write_file(dir, "schema.json", "{}");
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/sub.json", dir);
    ASSERT_INT_EQ(mkdir(sub, 0700), 0);

    c = assay_catalog_create();
    assay_diags_clear(d);
    /* The good ones are loaded all the same, but the result says a file failed. */
    ASSERT_INT_EQ(assay_catalog_load_dir(c, dir, NULL, d), ASSAY_E_SYNTAX);
    ASSERT_INT_EQ(assay_catalog_count(c), 2);
    ASSERT_STR_EQ(version_of(assay_catalog_find(c, "good", NULL)), "2");
    ASSERT(assay_catalog_find(c, "hidden", NULL) == NULL);
    ASSERT_INT_EQ(assay_diags_count(d), 2);
    char text[4000];
    diags_text(d, text, sizeof(text));
    ASSERT_STR_CONTAINS(text, "/a-broken.json:1:");
    ASSERT_STR_CONTAINS(text, "/c-again.json: error: rubric \"good\" version \"1\" is already "
                              "loaded from another file");
    assay_catalog_destroy(c);

    /* A directory that cannot be read. */
    c = assay_catalog_create();
    assay_diags_clear(d);
    char gone[600];
    snprintf(gone, sizeof(gone), "%s/missing", dir);
    ASSERT_INT_EQ(assay_catalog_load_dir(c, gone, NULL, d), ASSAY_E_IO);
    ASSERT_INT_EQ(assay_diags_count(d), 1);
    diags_text(d, text, sizeof(text));
    ASSERT_STR_CONTAINS(text, "/missing: error: cannot open rubric directory: ");
    assay_catalog_destroy(c);
    assay_diags_destroy(d);

    const char *names[] = {"b-good.json",  "a-broken.json", "c-again.json", "d-newer.json",
                           ".hidden.json", "notes.txt",     "schema.json"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(sub);
    ASSERT_INT_EQ(rmdir(dir), 0);
}

int main(void)
{
    test_add_find();
    test_load_dir();
    return tap_done();
}
