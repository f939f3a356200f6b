/*
 * test_getters.c - unit tests for engine/src/getters.c: each typed getter's value, its
 * "missing" value, and the diagnostic for a missing required member, a wrong type or a value
 * out of range; and unknown keys reported with the nearest known one.
 */
#include "getters.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const char text[] =
    "{\"s\": \"text\", \"id\": \"ok-1.x_y\", \"badid\": \"no spaces\", \"t\": true, \"n\": 7,\n"
    " \"r\": 2.0, \"f\": 2.5, \"d\": \"0.01\", \"neg\": -1, \"two\": 2, \"e\": 3e5,\n"
    " \"big\": 1E9, \"mz\": -0, \"long\": "
    "1.00000000000000000000000000000000000000000000000001,\n"
    " \"arr\": [1], \"empty\": [], \"obj\": {}, \"nul\": null, \"feedbak\": 1, \"zzzzzz\": 2}";

static json_t *doc;
static assay_diags *diags;
static ld_report R;
static ld_path path;

/* Starts a fresh list of diagnostics. */
static void reset(void)
{
    assay_diags_clear(diags);
    memset(&R, 0, sizeof(R));
    R.buf = text;
    R.len = strlen(text);
    R.source = "g.json";
    R.diags = diags;
}

/* The only diagnostic's message, or "" when there is none. */
static const char *only(void)
{
    ASSERT(assay_diags_count(diags) <= 1);
    const assay_diag *g = assay_diags_get(diags, 0);
    return g ? g->message : "";
}

static void test_scalars(void)
{
    reset();
    ASSERT_STR_EQ(assay__get_string(&R, doc, "s", &path, true), "text");
    ASSERT(assay__get_string(&R, doc, "nope", &path, false) == NULL);
    ASSERT_STR_EQ(only(), "");
    ASSERT(assay__get_string(&R, doc, "nope", &path, true) == NULL);
    ASSERT_STR_EQ(only(), "missing required key \"nope\"");
    ASSERT_STR_EQ(assay_diags_get(diags, 0)->pointer, "/nope");
    reset();
    ASSERT(assay__get_string(&R, doc, "n", &path, true) == NULL);
    ASSERT_STR_EQ(only(), "\"n\" must be a string, not a number");

    reset();
    ASSERT_STR_EQ(assay__get_id(&R, doc, "id", &path, 128), "ok-1.x_y");
    ASSERT(assay__get_id(&R, doc, "id", &path, 3) == NULL);
    ASSERT_STR_EQ(only(), "\"id\" must be 1 to 3 letters, digits, '.', '_' or '-', not "
                          "\"ok-1.x_y\"");
    reset();
    ASSERT(assay__get_id(&R, doc, "badid", &path, 128) == NULL);
    ASSERT_INT_EQ(R.errors, 1);

    reset();
    ASSERT(assay__get_bool(&R, doc, "t", &path, false));
    ASSERT(assay__get_bool(&R, doc, "nope", &path, true));
    ASSERT(!assay__get_bool(&R, doc, "s", &path, false));
    ASSERT_STR_EQ(only(), "\"s\" must be true or false, not a string");

    long long v = 0;
    reset();
    ASSERT_INT_EQ(assay__get_int(&R, doc, "n", &path, 0, 10, &v), 0);
    ASSERT_INT_EQ(v, 7);
    ASSERT_INT_EQ(assay__get_int(&R, doc, "nope", &path, 0, 10, &v), -1);
    ASSERT_STR_EQ(only(), "");
    ASSERT_INT_EQ(assay__get_int(&R, doc, "n", &path, 8, 10, &v), -1);
    ASSERT_STR_EQ(only(), "\"n\" must be between 8 and 10, not 7");
    reset();
    ASSERT_INT_EQ(assay__get_int(&R, doc, "r", &path, 0, 10, &v), -1);
    ASSERT_STR_EQ(only(), "\"r\" must be an integer, written without a fraction or exponent, "
                          "not 2.0 (write 2)");
    reset();
    ASSERT_INT_EQ(assay__get_int(&R, doc, "e", &path, 1, 5000000, &v), -1);
    ASSERT_STR_EQ(only(), "\"e\" must be an integer, written without a fraction or exponent, "
                          "not 3e5 (write 300000)");
    reset();
    ASSERT_INT_EQ(assay__get_int(&R, doc, "big", &path, 1, 100000, &v), -1);
    ASSERT_STR_EQ(only(), "\"big\" must be an integer between 1 and 100000, not 1E9");
    reset();
    ASSERT_INT_EQ(assay__get_int(&R, doc, "mz", &path, 1, 10, &v), -1);
    ASSERT_STR_EQ(only(), "\"mz\" must be between 1 and 10, not -0");
    reset();
    ASSERT_INT_EQ(assay__get_int(&R, doc, "long", &path, 1, 10, &v), -1);
    ASSERT_STR_EQ(only(),
                  "\"long\" must be an integer, written without a fraction or exponent, "
                  "not 1.000000000000000000000000000000000000000000... (write 1)");
    reset();
    ASSERT_INT_EQ(assay__get_int(&R, doc, "f", &path, 0, 10, &v), -1);
    ASSERT_STR_EQ(only(), "\"f\" must be an integer, not 2.5");
    reset();
    ASSERT_INT_EQ(assay__get_int(&R, doc, "nul", &path, 0, 10, &v), -1);
    ASSERT_STR_EQ(only(), "\"nul\" must be an integer, not null");
    ASSERT_INT_EQ(v, 7);
}

static void test_numbers(void)
{
    dec_num d;
    assay__dec_init(&d);
    reset();
    ASSERT_INT_EQ(assay__get_dec(&R, doc, "d", &path, &d), 0);
    ASSERT_INT_EQ(assay__get_dec(&R, doc, "s", &path, &d), -1);
    ASSERT_STR_EQ(only(), "\"s\": \"text\" is not a decimal number");
    assay__dec_clear(&d);

    mpq_t q;
    mpq_init(q);
    reset();
    ASSERT_INT_EQ(assay__get_q(&R, doc, "d", &path, GET_POSITIVE | GET_AT_MOST_1, q), 0);
    ASSERT(mpq_cmp_ui(q, 1, 100) == 0);
    ASSERT_INT_EQ(assay__get_q(&R, doc, "neg", &path, GET_NONNEG, q), -1);
    ASSERT_STR_EQ(only(), "\"neg\" must not be negative");
    reset();
    ASSERT_INT_EQ(assay__get_q(&R, doc, "two", &path, GET_AT_MOST_1, q), -1);
    ASSERT_STR_EQ(only(), "\"two\" must be between 0 and 1");
    reset();
    ASSERT_INT_EQ(assay__get_q(&R, doc, "neg", &path, GET_POSITIVE, q), -1);
    ASSERT_STR_EQ(only(), "\"neg\" must be greater than 0");
    mpq_clear(q);
}

static void test_containers(void)
{
    reset();
    ASSERT(assay__get_array(&R, doc, "arr", &path, true) != NULL);
    ASSERT(assay__get_array(&R, doc, "empty", &path, true) == NULL);
    ASSERT_STR_EQ(only(), "\"empty\" must not be empty");
    reset();
    ASSERT(assay__get_array(&R, doc, "obj", &path, true) == NULL);
    ASSERT_STR_EQ(only(), "\"obj\" must be an array, not an object");
    reset();
    ASSERT(assay__get_object(&R, doc, "obj", &path, true) != NULL);
    ASSERT(assay__get_object(&R, doc, "arr", &path, false) == NULL);
    ASSERT_STR_EQ(only(), "\"arr\" must be an object, not an array");
    reset();
    ASSERT(assay__get_object(&R, doc, "nope", &path, true) == NULL);
    ASSERT_STR_EQ(only(), "missing required key \"nope\"");
}

static void test_only_keys(void)
{
    static const char *const allowed[] = {
        "s",   "id",    "badid", "t",   "n",        "r", "f",   "d",  "neg",  "two",
        "arr", "empty", "obj",   "nul", "feedback", "e", "big", "mz", "long", NULL};
    reset();
    assay__get_only_keys(&R, doc, &path, allowed, "a test object");
    ASSERT_INT_EQ(assay_diags_count(diags), 2);
    const assay_diag *g = assay_diags_get(diags, 0);
    ASSERT_STR_EQ(g ? g->message : "",
                  "unknown key \"feedbak\" in a test object (did you mean \"feedback\"?)");
    ASSERT_STR_EQ(g ? g->pointer : "", "/feedbak");
    g = assay_diags_get(diags, 1);
    ASSERT_STR_EQ(g ? g->message : "", "unknown key \"zzzzzz\" in a test object");
    /* Placed at the key. */
    ASSERT_INT_EQ(g ? (long long)g->offset : -1, strstr(text, "\"zzzzzz\"") - text);
}

static void test_type_names(void)
{
    const char *names[] = {"an object", "an array",  "a string",  "a number",
                           "a number",  "a boolean", "a boolean", "null"};
    json_t *vals[] = {json_object(), json_array(), json_string(""), json_integer(1),
                      json_real(1),  json_true(),  json_false(),    json_null()};
    for (size_t i = 0; i < 8; i++) {
        ASSERT_STR_EQ(assay__get_type_name(vals[i]), names[i]);
        json_decref(vals[i]);
    }
}

int main(void)
{
    doc = json_loads(text, 0, NULL);
    diags = assay_diags_create();
    ASSERT(doc != NULL);
    test_scalars();
    test_numbers();
    test_containers();
    test_only_keys();
    test_type_names();
    assay_diags_destroy(diags);
    json_decref(doc);
    return tap_done();
}
