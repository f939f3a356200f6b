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

/* Record i's match: subject[start, end), or none. */
static void set_match(ck_context *g, size_t i, const char *subject, size_t start, size_t end)
{
    ck_rec *rec = &g->s->recs[i];
    rec->has |= CK_HAS_MATCH;
    rec->subject = subject;
    rec->match_start = start;
    rec->match_end = end;
}

ck_status assay__check_pattern(ck_context *g, const rb_check *c, rat *credit, size_t i)
{
    size_t len;
    const char *subject = assay__scratch_subject(g->s, &c->pat, g->answer, g->len, &len);
    pat_matcher *m = &g->s->m;
    char why[200];
    g->s->recs[i].has |= CK_HAS_MODE;
    g->s->recs[i].mode = (uint8_t)c->mode;
    rat_set_int(credit, 0);

    if (c->mode == RB_COUNT) {
        size_t count = 0, start = 0, first_start = CK_NONE, first_end = 0;
        while (start <= len) {
            int rc = assay__pattern_match(m, &c->pat, subject, len, start);
            if (rc < 0) {
                assay__pattern_error(rc, why, sizeof(why));
                assay__check_message(g, i, "pattern %s", why);
                return CK_ERROR;
            }
            if (rc == 0) {
                break;
            }
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
            if (count == 0) {
                first_start = ov[0];
                first_end = ov[1];
            }
            count++;
            start = ov[1] > ov[0] ? ov[1] : next_char(subject, len, ov[1]);
            if (ov[1] == len && ov[1] == ov[0]) {
                break;
            }
        }
        set_match(g, i, subject, first_start, first_end);
        g->s->recs[i].has |= CK_HAS_COUNT;
        g->s->recs[i].count = count;
        if (count >= c->count_min && count <= c->count_max) {
            rat_set_int(credit, 1);
            return CK_CORRECT;
        }
        if (c->count_max == UINT32_MAX) {
            assay__check_explain(g, i, "count", "Found %zu match%s; at least %u needed.", count,
                                 count == 1 ? "" : "es", c->count_min);
        } else {
            assay__check_explain(g, i, "count", "Found %zu match%s; between %u and %u needed.",
                                 count, count == 1 ? "" : "es", c->count_min, c->count_max);
        }
        return CK_INCORRECT;
    }

    int rc = assay__pattern_match(m, &c->pat, subject, len, 0);
    if (rc < 0) {
        assay__pattern_error(rc, why, sizeof(why));
        assay__check_message(g, i, "pattern %s", why);
        return CK_ERROR;
    }
    if (rc > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        set_match(g, i, subject, ov[0], ov[1]);
    } else {
        set_match(g, i, subject, CK_NONE, 0);
    }
    bool pass = c->mode == RB_FORBID ? rc == 0 : rc > 0;
    if (pass) {
        rat_set_int(credit, 1);
        return CK_CORRECT;
    }
    if (c->mode == RB_FORBID) {
        assay__check_explain(g, i, "forbidden", "The answer contains something it must not.");
    } else if (c->mode == RB_WHOLE) {
        assay__check_explain(g, i, "no_match",
                             "The answer as a whole is not in the expected form.");
    } else {
        assay__check_explain(g, i, "no_match",
                             "The answer does not contain what this check looks for.");
    }
    return CK_INCORRECT;
}
