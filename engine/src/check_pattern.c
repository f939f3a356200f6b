/*
 * check_pattern.c - pattern checks: the answer prepared as the pattern asks (trimmed,
 * collapsed), then one match (search, whole, forbid) or every non-overlapping match (count)
 * under the rubric's limits. A limit reached is a check error, never a hang.
 */
#include "check.h"

#include "pattern.h"

/* The offset of the character after the one at i (UTF-8). */
static size_t next_char(const char *s, size_t len, size_t i)
{
    i++;
    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) {
        i++;
    }
    return i;
}

ck_status assay__check_pattern(ck_context *g, const rb_check *c, mpq_t credit, json_t *out)
{
    static const char *const modes[] = {"search", "whole", "forbid", "count"};
    size_t len;
    const char *subject = assay__scratch_subject(g->s, &c->pat, g->answer, g->len, &len);
    pat_matcher *m = &g->s->m;
    char why[200];
    json_object_set_new(out, "mode", json_string(modes[c->mode]));
    mpq_set_ui(credit, 0, 1);

    if (c->mode == RB_COUNT) {
        size_t count = 0, start = 0;
        json_t *first = json_null();
        while (start <= len) {
            int rc = assay__pattern_match(m, &c->pat, subject, len, start);
            if (rc < 0) {
                json_decref(first);
                assay__pattern_error(rc, why, sizeof(why));
                json_object_set_new(out, "message", json_sprintf("pattern %s", why));
                return CK_ERROR;
            }
            if (rc == 0) {
                break;
            }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
            if (count == 0) {
                json_decref(first);
                first = assay__check_match(subject, ov[0], ov[1]);
            }
            count++;
            start = ov[1] > ov[0] ? ov[1] : next_char(subject, len, ov[1]);
            if (ov[1] == len && ov[1] == ov[0]) {
                break;
            }
        }
        json_object_set_new(out, "match", first);
        json_object_set_new(out, "count", json_integer((json_int_t)count));
        if (count >= c->count_min && count <= c->count_max) {
            mpq_set_ui(credit, 1, 1);
            return CK_CORRECT;
        }
        if (c->count_max == UINT32_MAX) {
            assay__check_explain(out, "count", "Found %zu match%s; at least %u needed.", count,
                                 count == 1 ? "" : "es", c->count_min);
        } else {
            assay__check_explain(out, "count", "Found %zu match%s; between %u and %u needed.",
                                 count, count == 1 ? "" : "es", c->count_min, c->count_max);
        }
        return CK_INCORRECT;
    }

    int rc = assay__pattern_match(m, &c->pat, subject, len, 0);
    if (rc < 0) {
        assay__pattern_error(rc, why, sizeof(why));
        json_object_set_new(out, "message", json_sprintf("pattern %s", why));
        return CK_ERROR;
    }
    if (rc > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        json_object_set_new(out, "match", assay__check_match(subject, ov[0], ov[1]));
    } else {
        json_object_set_new(out, "match", json_null());
    }
    bool pass = c->mode == RB_FORBID ? rc == 0 : rc > 0;
    if (pass) {
        mpq_set_ui(credit, 1, 1);
        return CK_CORRECT;
    }
    if (c->mode == RB_FORBID) {
        assay__check_explain(out, "forbidden", "The answer contains something it must not.");
    } else if (c->mode == RB_WHOLE) {
        assay__check_explain(out, "no_match",
                             "The answer as a whole is not in the expected form.");
    } else {
        assay__check_explain(out, "no_match",
                             "The answer does not contain what this check looks for.");
    }
    return CK_INCORRECT;
}
