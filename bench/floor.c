/*
 * floor.c - the floor of the engine benchmark (see floor.h): a rubric's patterns compiled
 * with the engine's options, the subjects they run on, the bare matches, and an equal
 * result tree rebuilt with jansson.
 */
#include "floor.h"

#include "text.h" /* the engine's own normaliser (engine/src/text.h) */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the array spec[key] (e.g. "flags", "normalize") hold the string word? */
static bool lists(const json_t *spec, const char *key, const char *word)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(spec, key), i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), word) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * spec holds "flags", "ascii" and "normalize" (a pattern check, or a numeric check's
 * source, which runs on the raw answer and has no "normalize").
 */
static void floor_add(floor_rubric *f, const char *item, const json_t *spec,
                      const char *pattern, bool whole, bool count)
{
    uint32_t opts = PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C;
    if (!json_is_true(json_object_get(spec, "ascii"))) {
        opts |= PCRE2_UCP;
    }
    opts |= lists(spec, "flags", "caseless") ? PCRE2_CASELESS : 0;
    opts |= lists(spec, "flags", "multiline") ? PCRE2_MULTILINE : 0;
    opts |= lists(spec, "flags", "dotall") ? PCRE2_DOTALL : 0;
    opts |= lists(spec, "flags", "extended") ? PCRE2_EXTENDED : 0;
    opts |= whole ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0;
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &ec, &eo, NULL);
    if (code == NULL) {
        fprintf(stderr, "bench-engine: %s: pattern for item %s does not compile; left out\n",
                f->id, item);
        return;
    }
    if (pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0) {
        f->jitted++;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
    }
    f->v[f->n++] = (fcheck){.item = xstrdup(item),
                            .code = code,
                            .count = count,
                            .trim = lists(spec, "normalize", "trim"),
                            .collapse = lists(spec, "normalize", "collapse")};
}

static void floor_walk(floor_rubric *f, const char *item, const json_t *checks)
{
    size_t i;
    json_t *c;
    json_array_foreach(checks, i, c)
    {
        const char *type = json_string_value(json_object_get(c, "type"));
        if (type == NULL) {
            continue;
        }
        if (strcmp(type, "pattern") == 0) {
            const char *mode = json_string_value(json_object_get(c, "mode"));
            const char *pat = json_string_value(json_object_get(c, "pattern"));
            if (pat) {
                floor_add(f, item, c, pat, mode && strcmp(mode, "whole") == 0,
                          mode && strcmp(mode, "count") == 0);
            }
        } else if (strcmp(type, "numeric") == 0) {
            const json_t *src = json_object_get(c, "source");
            const char *pat = json_string_value(json_object_get(src, "pattern"));
            if (pat) {
                floor_add(f, item, src, pat, false, false);
            }
        } else if (strcmp(type, "group") == 0) {
            floor_walk(f, item, json_object_get(c, "checks"));
        }
    }
}

floor_rubric *floor_create(const json_t *rubric)
{
    floor_rubric *f = xcalloc(1, sizeof(*f));
    f->id = xstrdup(json_string_value(json_object_get(rubric, "id")));
    f->version = xstrdup(json_string_value(json_object_get(rubric, "version")));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(rubric, "items"), i, it)
    {
        const char *id = json_string_value(json_object_get(it, "id"));
        if (id) {
            floor_walk(f, id, json_object_get(it, "checks"));
        }
    }
    return f;
}

void floor_destroy(floor_rubric *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].item);
        pcre2_code_free(f->v[i].code);
    }
    free(f->v);
    free(f->id);
    free(f->version);
    free(f);
}

static size_t next_char(const char *s, size_t len, size_t i)
{
    i++;
    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) {
        i++;
    }
    return i;
}

subjects subjects_make(const floor_rubric *f, const json_t *sub)
{
    subjects sj = {xcalloc(f->n, sizeof(char *)), xcalloc(f->n, sizeof(size_t))};
    const json_t *resp = json_object_get(sub, "responses");
    for (size_t i = 0; i < f->n; i++) {
        const json_t *a = json_object_get(resp, f->v[i].item);
        char num[64];
        const char *text = num;
        size_t len;
        if (json_is_string(a)) {
            text = json_string_value(a);
            len = json_string_length(a);
        } else if (json_is_integer(a)) {
            len = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
                                   json_integer_value(a));
        } else if (json_is_real(a)) {
            len = (size_t)snprintf(num, sizeof(num), "%.17g", json_real_value(a));
        } else {
            continue;
        }
        size_t from = 0, to = len;
        assay__text_trim(text, &from, &to);
        if (from == to) { /* only White_Space: "no answer", no match runs */
            continue;
        }
        sj.text[i] = malloc(len + 1);
        if (sj.text[i]) {
            sj.len[i] =
                assay__text_normalize(text, len, f->v[i].trim, f->v[i].collapse, sj.text[i]);
        }
    }
    return sj;
}

void subjects_free(subjects *sj, size_t n)
{
    for (size_t i = 0; sj->text && i < n; i++) {
        free(sj->text[i]);
    }
    free(sj->text);
    free(sj->len);
}

/* The rubric's matches on a submission's subjects; returns the number of matches found. */
size_t floor_regex(const floor_rubric *f, const subjects *sj, pcre2_match_data *md)
{
    size_t hits = 0;
    for (size_t i = 0; i < f->n; i++) {
        const char *s = sj->text[i];
        size_t len = sj->len[i], start = 0;
        if (s == NULL) {
            continue;
        }
        while (start <= len) {
            int rc = pcre2_match(f->v[i].code, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK,
                                 md, NULL);
            if (rc < 0) { /* PCRE2_ERROR_NOMATCH, or a limit */
                break;
            }
            hits++;
            if (!f->v[i].count) {
                break;
            }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            if (ov[1] == len && ov[1] == ov[0]) {
                break;
            }
            start = ov[1] > ov[0] ? ov[1] : next_char(s, len, ov[1]);
        }
    }
    return hits;
}

/* A new tree equal to v, made with the checked calls the engine uses. */
json_t *rebuild(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            json_object_set_new(o, k, rebuild(x));
        }
        return o;
    }
    case JSON_ARRAY: {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            json_array_append_new(a, rebuild(x));
        }
        return a;
    }
    case JSON_STRING:
        return json_stringn(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return json_integer(json_integer_value(v));
    case JSON_REAL:
        return json_real(json_real_value(v));
    case JSON_TRUE:
        return json_true();
    case JSON_FALSE:
        return json_false();
    case JSON_NULL:
    default:
        return json_null();
    }
}
