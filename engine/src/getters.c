/*
 * getters.c - reading one member of a JSON object as the rubric format wants it (a string,
 * an id, a boolean, a whole number in a range, an exact decimal or rational, an array, an
 * object), reporting a missing required member or a wrong type at its JSON pointer, and
 * reporting unknown keys with the nearest known one ("did you mean").
 *
 * The getters do not know which member the format needs where: the loader (load.h) asks.
 */
#include "getters.h"

#include "numread.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t assay__get_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) {
        return SIZE_MAX;
    }
    size_t row[41];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *assay__nearest(const char *key, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = names[i] ? assay__get_distance(key, names[i]) : SIZE_MAX;
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

/* Reports every key of obj that is not in allowed (NULL-terminated). */
void assay__get_only_keys(ld_report *R, const json_t *obj, const ld_path *p,
                          const char *const *allowed, const char *what)
{
    size_t n = 0;
    while (allowed[n]) {
        n++;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++) {
            ok = strcmp(key, allowed[i]) == 0;
        }
        if (ok) {
            continue;
        }
        const char *best = assay__nearest(key, allowed, n);
        if (best) {
            assay__report(R, p, key, true, ASSAY_E_INVALID,
                          "unknown key \"%s\" in %s (did you mean \"%s\"?)", key, what, best);
        } else {
            assay__report(R, p, key, true, ASSAY_E_INVALID, "unknown key \"%s\" in %s", key,
                          what);
        }
    }
}

const char *assay__get_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
    default:
        return "null";
    }
}

/*
 * obj's member key when it has the type is_type checks; NULL when it is missing (reported
 * when required) or of another type (reported as "must be <what>").
 */
static json_t *member(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                      bool required, int (*is_type)(const json_t *), const char *what)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        if (required) {
            assay__report(R, p, key, false, ASSAY_E_INVALID, "missing required key \"%s\"",
                          key);
        }
        return NULL;
    }
    if (!is_type(v)) {
        assay__report(R, p, key, false, ASSAY_E_INVALID, "\"%s\" must be %s, not %s", key, what,
                      assay__get_type_name(v));
        return NULL;
    }
    return v;
}

/* jansson's json_is_* are macros; member() needs functions. */
static int is_string(const json_t *v)
{
    return json_is_string(v);
}

static int is_boolean(const json_t *v)
{
    return json_is_boolean(v);
}

static int is_array(const json_t *v)
{
    return json_is_array(v);
}

static int is_object(const json_t *v)
{
    return json_is_object(v);
}

const char *assay__get_string(ld_report *R, const json_t *obj, const char *key,
                              const ld_path *p, bool required)
{
    json_t *v = member(R, obj, key, p, required, is_string, "a string");
    return v ? json_string_value(v) : NULL;
}

static bool valid_id(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max) {
        return false;
    }
    for (const char *c = s; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-') {
            return false;
        }
    }
    return true;
}

const char *assay__get_id(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                          size_t max)
{
    const char *s = assay__get_string(R, obj, key, p, true);
    if (s && !valid_id(s, max)) {
        assay__report(R, p, key, false, ASSAY_E_INVALID,
                      "\"%s\" must be 1 to %zu letters, digits, '.', '_' or '-', not \"%.60s\"",
                      key, max, s);
        return NULL;
    }
    return s;
}

bool assay__get_bool(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                     bool dflt)
{
    json_t *v = member(R, obj, key, p, false, is_boolean, "true or false");
    return v ? json_is_true(v) : dflt;
}

int assay__get_int(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                   long long lo, long long hi, long long *out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        return -1;
    }
    /* Values are echoed as the file writes them: jansson has turned 3e5 into 300000.0. */
    char text[48];
    if (json_is_real(v)) {
        double d = json_real_value(v);
        const char *src = assay__report_source(R, p, key, text, sizeof(text));
        if (src == NULL) {
            snprintf(text, sizeof(text), "%.17g", d);
            src = text;
        }
        if (d > -1e15 && d < 1e15 && d == (double)(long long)d && d >= (double)lo &&
            d <= (double)hi) {
            assay__report(R, p, key, false, ASSAY_E_INVALID,
                          "\"%s\" must be an integer, written without a fraction or exponent, "
                          "not %s (write %lld)",
                          key, src, (long long)d);
        } else if (d < (double)lo || d > (double)hi) {
            assay__report(R, p, key, false, ASSAY_E_INVALID,
                          "\"%s\" must be an integer between %lld and %lld, not %s", key, lo,
                          hi, src);
        } else {
            assay__report(R, p, key, false, ASSAY_E_INVALID,
                          "\"%s\" must be an integer, not %s", key, src);
        }
        return -1;
    }
    if (!json_is_integer(v)) {
        assay__report(R, p, key, false, ASSAY_E_INVALID, "\"%s\" must be an integer, not %s",
                      key, assay__get_type_name(v));
        return -1;
    }
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        const char *src = assay__report_source(R, p, key, text, sizeof(text));
        if (src == NULL) {
            snprintf(text, sizeof(text), "%lld", x);
            src = text;
        }
        assay__report(R, p, key, false, ASSAY_E_INVALID,
                      "\"%s\" must be between %lld and %lld, not %s", key, lo, hi, src);
        return -1;
    }
    *out = x;
    return 0;
}

int assay__get_dec(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                   dec_num *out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        return -1;
    }
    char why[200];
    if (assay__numread_json(out, v, why, sizeof(why)) != 0) {
        assay__report(R, p, key, false, ASSAY_E_INVALID, "\"%s\": %s", key, why);
        return -1;
    }
    return 0;
}

int assay__get_q(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                 unsigned rules, mpq_t out)
{
    dec_num d;
    assay__dec_init(&d);
    int rc = assay__get_dec(R, obj, key, p, &d);
    if (rc == 0) {
        int sgn = assay__dec_sgn(&d);
        assay__dec_to_mpq(out, &d);
        if ((rules & GET_NONNEG) && sgn < 0) {
            assay__report(R, p, key, false, ASSAY_E_INVALID, "\"%s\" must not be negative",
                          key);
            rc = -1;
        } else if ((rules & GET_POSITIVE) && sgn <= 0) {
            assay__report(R, p, key, false, ASSAY_E_INVALID, "\"%s\" must be greater than 0",
                          key);
            rc = -1;
        } else if ((rules & GET_AT_MOST_1) && mpq_cmp_ui(out, 1, 1) > 0) {
            assay__report(R, p, key, false, ASSAY_E_INVALID, "\"%s\" must be between 0 and 1",
                          key);
            rc = -1;
        }
    }
    assay__dec_clear(&d);
    return rc;
}

json_t *assay__get_array(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                         bool required)
{
    json_t *v = member(R, obj, key, p, required, is_array, "an array");
    if (v != NULL && json_array_size(v) == 0) {
        assay__report(R, p, key, false, ASSAY_E_INVALID, "\"%s\" must not be empty", key);
        return NULL;
    }
    return v;
}

json_t *assay__get_object(ld_report *R, const json_t *obj, const char *key, const ld_path *p,
                          bool required)
{
    return member(R, obj, key, p, required, is_object, "an object");
}

json_t *assay__get_entry(ld_report *R, const json_t *arr, size_t i, const ld_path *p,
                         const char *const *keys, const char *what)
{
    json_t *v = json_array_get(arr, i);
    if (!json_is_object(v)) {
        assay__report(R, p, NULL, false, ASSAY_E_INVALID, "%s must be an object, not %s", what,
                      assay__get_type_name(v));
        return NULL;
    }
    if (keys != NULL) {
        assay__get_only_keys(R, v, p, keys, what);
    }
    return v;
}

const char *assay__get_unique_id(ld_report *R, const json_t *obj, const ld_path *p, size_t max,
                                 json_t *seen, size_t index, const char *kind)
{
    const char *id = assay__get_id(R, obj, "id", p, max);
    if (id == NULL) {
        return NULL;
    }
    if (json_object_get(seen, id)) {
        assay__report(R, p, "id", false, ASSAY_E_INVALID, "duplicate %s id \"%s\"", kind, id);
    } else if (json_object_set_new(seen, id, json_integer((json_int_t)index)) != 0) {
        assay__report_count(R, ASSAY_E_NOMEM);
    }
    return id;
}
