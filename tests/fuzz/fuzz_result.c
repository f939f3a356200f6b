/*
 * fuzz_result.c - the result invariants of fuzz_result.h.
 */
#include "fuzz_result.h"

#include "fuzz.h"

#include <string.h>

static void check_error_object(const json_t *parsed)
{
    const json_t *err = json_object_get(parsed, "error");
    FUZZ_CHECK(json_is_object(err));
    FUZZ_CHECK(json_is_string(json_object_get(err, "code")));
    FUZZ_CHECK(json_is_string(json_object_get(err, "message")));
}

/* A check's result (docs/protocol.md, "Each check"), and its members' for a group. */
static void check_check(const json_t *c)
{
    FUZZ_CHECK(json_is_object(c));
    FUZZ_CHECK(json_is_string(json_object_get(c, "id")));
    FUZZ_CHECK(json_is_string(json_object_get(c, "type")));
    FUZZ_CHECK(json_is_string(json_object_get(c, "status")));
    if (json_object_get(c, "reason") != NULL) {
        FUZZ_CHECK(json_is_string(json_object_get(c, "reason")));
        FUZZ_CHECK(json_is_string(json_object_get(c, "explanation")));
    }
    const json_t *match = json_object_get(c, "match");
    if (json_is_object(match)) {
        const json_t *start = json_object_get(match, "start");
        const json_t *end = json_object_get(match, "end");
        FUZZ_CHECK(json_is_integer(start) && json_is_integer(end));
        FUZZ_CHECK(0 <= json_integer_value(start));
        FUZZ_CHECK(json_integer_value(start) <= json_integer_value(end));
        const json_t *text = json_object_get(match, "text");
        FUZZ_CHECK(json_is_string(text));
        FUZZ_CHECK((json_int_t)json_string_length(text) ==
                   json_integer_value(end) - json_integer_value(start));
    }
    if (strcmp(json_string_value(json_object_get(c, "type")), "group") == 0 &&
        json_object_get(c, "checks") != NULL) {
        size_t i;
        const json_t *member;
        json_array_foreach(json_object_get(c, "checks"), i, member)
        {
            check_check(member);
        }
    }
}

char *fuzz_check_result(const json_t *result)
{
    FUZZ_CHECK(result != NULL);
    FUZZ_CHECK(json_is_object(result));
    char *text = assay_result_dumps(result);
    FUZZ_CHECK(text != NULL);

    json_error_t je;
    /* The engine accepts \u0000 inside strings (e.g. in meta) and echoes it. */
    json_t *parsed = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (parsed == NULL) {
        fprintf(stderr, "result does not parse back: %s at byte %d\n", je.text, je.position);
        fuzz_fail(__FILE__, __LINE__, "json_loads(assay_result_dumps(result)) != NULL");
    }
    FUZZ_CHECK(json_is_object(parsed));
    FUZZ_CHECK(json_is_string(json_object_get(parsed, "engine")));
    FUZZ_CHECK(json_is_string(json_object_get(parsed, "graded_at")));
    const char *status = json_string_value(json_object_get(parsed, "status"));
    FUZZ_CHECK(status != NULL);
    if (strcmp(status, "error") == 0) {
        check_error_object(parsed);
    } else {
        FUZZ_CHECK(strcmp(status, "graded") == 0);
        FUZZ_CHECK(json_is_number(json_object_get(parsed, "score")));
        FUZZ_CHECK(json_is_number(json_object_get(parsed, "max_score")));
        const json_t *items = json_object_get(parsed, "items");
        FUZZ_CHECK(json_is_array(items));
        size_t i, k;
        const json_t *item, *c;
        json_array_foreach(items, i, item)
        {
            FUZZ_CHECK(json_is_string(json_object_get(item, "id")));
            json_array_foreach(json_object_get(item, "checks"), k, c)
            {
                check_check(c);
            }
        }
    }
    json_decref(parsed);
    return text;
}
