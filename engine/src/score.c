/*
 * score.c - grading a submission: validating its fields, evaluating every check of every
 * item, totalling points, scoring competencies on their scales and building the result
 * object (its fields in a fixed order, so equal inputs give byte-identical JSON).
 *
 * Pattern checks are evaluated here; numeric checks in numeric.c. Points, credits and
 * competency scores are exact rationals until they are written out.
 */
#include "check.h"
#include "decimal.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NORM_SLOTS 4 /* (trim, collapse) combinations */

struct assay_scratch {
    pat_matcher m;
    /* The current answer, normalised each way at most once per item. */
    char *norm[NORM_SLOTS];
    size_t norm_cap[NORM_SLOTS];
    size_t norm_len[NORM_SLOTS];
    bool norm_ready[NORM_SLOTS];
};

assay_scratch *assay_scratch_create(void)
{
    assay_scratch *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    if (assay__matcher_init(&s->m) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

static void scratch_reset(assay_scratch *s)
{
    for (size_t i = 0; i < NORM_SLOTS; i++) {
        s->norm_ready[i] = false;
    }
}

static void scratch_free(assay_scratch *s)
{
    for (size_t i = 0; i < NORM_SLOTS; i++) {
        free(s->norm[i]);
        s->norm[i] = NULL;
        s->norm_cap[i] = 0;
        s->norm_ready[i] = false;
    }
}

void assay_scratch_destroy(assay_scratch *s)
{
    if (s == NULL) {
        return;
    }
    scratch_free(s);
    assay__matcher_finish(&s->m);
    free(s);
}

const char *assay__status_name(ck_status st)
{
    static const char *const names[] = {"correct", "partial", "incorrect", "invalid", "error"};
    return names[st];
}

void assay__explain(json_t *out, const char *reason, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    assay__utf8_scrub(buf);
    json_object_set_new(out, "reason", json_string(reason));
    json_t *e = json_string(buf);
    json_object_set_new(out, "explanation", e ? e : json_string("(explanation not UTF-8)"));
}

/*
 * The double nearest to q. (mpq_get_d truncates towards zero, which would print 4/5 as
 * 0.7999999999999999.) Twenty-five significant digits of the quotient are enough for
 * strtod to round correctly to nearest.
 */
static double q_to_double(const mpq_t q)
{
    if (mpq_sgn(q) == 0) {
        return 0.0;
    }
    mpz_t n, p;
    mpz_inits(n, p, NULL);
    mpz_abs(n, mpq_numref(q));
    long k = 25 - (long)mpz_sizeinbase(n, 10) + (long)mpz_sizeinbase(mpq_denref(q), 10);
    if (k < 0) {
        k = 0;
    }
    mpz_ui_pow_ui(p, 10, (unsigned long)k);
    mpz_mul(n, n, p);
    mpz_tdiv_q(n, n, mpq_denref(q));
    char *digits = mpz_get_str(NULL, 10, n);
    char buf[128];
    snprintf(buf, sizeof(buf), "%s%.80se-%ld", mpq_sgn(q) < 0 ? "-" : "", digits, k);
    free(digits);
    mpz_clears(n, p, NULL);
    return strtod(buf, NULL);
}

/* A rational as JSON: an integer when it is one, else a real. */
static json_t *qjson(const mpq_t q)
{
    if (mpz_cmp_ui(mpq_denref(q), 1) == 0 && mpz_fits_slong_p(mpq_numref(q))) {
        return json_integer((json_int_t)mpz_get_si(mpq_numref(q)));
    }
    /* Both terms exact in a double: IEEE division rounds the quotient correctly. */
    if (mpz_sizeinbase(mpq_numref(q), 2) <= 53 && mpz_sizeinbase(mpq_denref(q), 2) <= 53) {
        return json_real(mpz_get_d(mpq_numref(q)) / mpz_get_d(mpq_denref(q)));
    }
    return json_real(q_to_double(q));
}

typedef struct grader {
    const assay_rubric *r;
    assay_scratch *s;
    const assay_limits *lim;
    const char *answer;
    size_t len;
    size_t errors;
} grader;

/* The answer as a pattern wants it, normalised once per item and kept in the scratch. */
static const char *subject_for(grader *g, const pat_regex *p, size_t *len)
{
    if (!p->trim && !p->collapse) {
        *len = g->len;
        return g->answer;
    }
    assay_scratch *s = g->s;
    size_t slot = (p->trim ? 1u : 0u) | (p->collapse ? 2u : 0u);
    if (!s->norm_ready[slot]) {
        if (s->norm_cap[slot] < g->len + 1) {
            char *nb = realloc(s->norm[slot], g->len + 1);
            if (nb == NULL) {
                *len = g->len;
                return g->answer;
            }
            s->norm[slot] = nb;
            s->norm_cap[slot] = g->len + 1;
        }
        s->norm_len[slot] =
            assay__text_normalize(g->answer, g->len, p->trim, p->collapse, s->norm[slot]);
        s->norm_ready[slot] = true;
    }
    *len = s->norm_len[slot];
    return s->norm[slot];
}

static json_t *match_json(const char *subject, size_t start, size_t end)
{
    json_t *m = json_object();
    json_object_set_new(m, "start", json_integer((json_int_t)start));
    json_object_set_new(m, "end", json_integer((json_int_t)end));
    json_object_set_new(m, "text", json_stringn(subject + start, end - start));
    return m;
}

static size_t next_char(const char *s, size_t len, size_t i)
{
    i++;
    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) {
        i++;
    }
    return i;
}

static ck_status pattern_eval(grader *g, const rb_check *c, mpq_t credit, json_t *out)
{
    static const char *const modes[] = {"search", "whole", "forbid", "count"};
    size_t len;
    const char *subject = subject_for(g, &c->pat, &len);
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
                first = match_json(subject, ov[0], ov[1]);
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
            assay__explain(out, "count", "Found %zu match%s; at least %u needed.", count,
                           count == 1 ? "" : "es", c->count_min);
        } else {
            assay__explain(out, "count", "Found %zu match%s; between %u and %u needed.", count,
                           count == 1 ? "" : "es", c->count_min, c->count_max);
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
        json_object_set_new(out, "match", match_json(subject, ov[0], ov[1]));
    } else {
        json_object_set_new(out, "match", json_null());
    }
    bool pass = c->mode == RB_FORBID ? rc == 0 : rc > 0;
    if (pass) {
        mpq_set_ui(credit, 1, 1);
        return CK_CORRECT;
    }
    if (c->mode == RB_FORBID) {
        assay__explain(out, "forbidden", "The answer contains something it must not.");
    } else if (c->mode == RB_WHOLE) {
        assay__explain(out, "no_match", "The answer as a whole is not in the expected form.");
    } else {
        assay__explain(out, "no_match",
                       "The answer does not contain what this check looks for.");
    }
    return CK_INCORRECT;
}

static json_t *check_result(grader *g, const rb_check *c, bool member, mpq_t credit,
                            ck_status *st_out);

static ck_status group_eval(grader *g, const rb_check *c, mpq_t credit, json_t *out)
{
    json_t *members = json_array();
    mpq_t sum, mc;
    mpq_init(sum);
    mpq_init(mc);
    size_t errors = 0;
    for (size_t i = 0; i < c->nmembers; i++) {
        ck_status mst;
        json_array_append_new(members, check_result(g, &c->members[i], true, mc, &mst));
        mpq_add(sum, sum, mc);
        if (mst == CK_ERROR) {
            errors++;
        }
    }
    mpq_set_ui(mc, (unsigned long)c->needed, 1);
    mpq_div(credit, sum, mc);
    if (mpq_cmp_ui(credit, 1, 1) > 0) {
        mpq_set_ui(credit, 1, 1);
    }
    if (!c->partial_credit && mpq_cmp_ui(credit, 1, 1) < 0) {
        mpq_set_ui(credit, 0, 1);
    }
    json_object_set_new(out, "needed", json_integer((json_int_t)c->needed));
    json_object_set_new(out, "checks", members);
    ck_status st;
    if (mpq_cmp_ui(credit, 1, 1) == 0) {
        st = CK_CORRECT;
    } else if (errors > 0) {
        mpq_set_ui(credit, 0, 1);
        json_object_set_new(out, "message",
                            json_sprintf("%zu member check%s could not be evaluated", errors,
                                         errors == 1 ? "" : "s"));
        st = CK_ERROR;
    } else if (mpq_sgn(credit) > 0) {
        assay__explain(out, "partial_group", "Some of what this question looks for is there.");
        st = CK_PARTIAL;
    } else {
        assay__explain(out, "group_not_met",
                       "Not enough of what this question looks for is there.");
        st = CK_INCORRECT;
    }
    mpq_clear(sum);
    mpq_clear(mc);
    return st;
}

static const char *feedback_for(const rb_check *c, ck_status st)
{
    switch (st) {
    case CK_CORRECT:
        return c->fb_pass;
    case CK_PARTIAL:
        return c->fb_partial ? c->fb_partial : c->fb_pass;
    case CK_INCORRECT:
    case CK_INVALID:
        return c->fb_fail;
    case CK_ERROR:
    default:
        return NULL;
    }
}

/* Builds one check's result with its status, points and feedback in a fixed order. */
static json_t *check_result(grader *g, const rb_check *c, bool member, mpq_t credit,
                            ck_status *st_out)
{
    static const char *const types[] = {"pattern", "numeric", "group"};
    json_t *out = json_object();
    json_object_set_new(out, "id", json_string(c->id));
    json_object_set_new(out, "type", json_string(types[c->type]));
    json_object_set_new(out, "status", json_null());
    if (member) {
        json_object_set_new(out, "credit", json_null());
    } else {
        json_object_set_new(out, "points", json_null());
        json_object_set_new(out, "max_points", json_null());
    }
    json_object_set_new(out, "feedback", json_null());

    ck_status st;
    if (g->answer == NULL) {
        mpq_set_ui(credit, 0, 1);
        st = CK_INCORRECT;
        assay__explain(out, "no_answer", "No answer was given.");
    } else {
        switch (c->type) {
        case RB_PATTERN:
            st = pattern_eval(g, c, credit, out);
            break;
        case RB_NUMERIC:
            st = assay__numeric_eval(c, g->r, &g->s->m, g->answer, g->len, credit, out);
            break;
        case RB_GROUP:
        default:
            st = group_eval(g, c, credit, out);
            break;
        }
    }
    if (st == CK_ERROR) {
        g->errors++;
    }
    json_object_set_new(out, "status", json_string(assay__status_name(st)));
    if (member) {
        json_object_set_new(out, "credit", qjson(credit));
    } else {
        mpq_t pts;
        mpq_init(pts);
        mpq_mul(pts, c->points, credit);
        json_object_set_new(out, "points", qjson(pts));
        json_object_set_new(out, "max_points", qjson(c->points));
        mpq_clear(pts);
    }
    const char *fb = feedback_for(c, st);
    json_object_set_new(out, "feedback", fb ? json_string(fb) : json_null());
    *st_out = st;
    return out;
}

static void now_rfc3339(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *rubric_ref(const assay_rubric *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "version", json_string(r->version));
    json_object_set_new(o, "sha256", json_string(r->sha256));
    return o;
}

static json_t *string_or_null(const json_t *v)
{
    return json_is_string(v) ? json_incref((json_t *)v) : json_null();
}

/* The tail every result ends with. */
static void finish_result(json_t *res, const json_t *sub, const assay_grade_options *opts)
{
    char now[40];
    const char *at = opts && opts->graded_at ? opts->graded_at : NULL;
    if (at == NULL) {
        now_rfc3339(now, sizeof(now));
        at = now;
    }
    json_object_set_new(res, "graded_at", json_string(at));
    json_object_set_new(res, "engine", json_string("assay " ASSAY_VERSION_STRING));
    json_t *meta = sub && json_is_object(sub) ? json_object_get(sub, "meta") : NULL;
    json_object_set_new(res, "meta", meta ? json_deep_copy(meta) : json_null());
}

json_t *assay__error_result(const json_t *sub, const assay_rubric *r, const char *code,
                            const assay_grade_options *opts, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

json_t *assay__error_result(const json_t *sub, const assay_rubric *r, const char *code,
                            const assay_grade_options *opts, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    assay__utf8_scrub(msg); /* "%.128s" may have cut a character in two */
    bool obj = sub && json_is_object(sub);
    json_t *res = json_object();
    /* Only an id that is one (1 to 256 bytes, no NUL) is echoed: never megabytes of "id". */
    json_t *id = obj ? json_object_get(sub, "id") : NULL;
    bool echo = json_is_string(id) && json_string_length(id) >= 1 &&
                json_string_length(id) <= 256 &&
                strlen(json_string_value(id)) == json_string_length(id);
    json_object_set_new(res, "id", echo ? json_incref(id) : json_null());
    json_object_set_new(res, "learner",
                        string_or_null(obj ? json_object_get(sub, "learner") : NULL));
    json_object_set_new(res, "rubric", r ? rubric_ref(r) : json_null());
    json_object_set_new(res, "status", json_string("error"));
    json_t *err = json_object();
    json_object_set_new(err, "code", json_string(code));
    json_t *m = json_string(msg);
    json_object_set_new(err, "message", m ? m : json_string("(message not UTF-8)"));
    json_object_set_new(res, "error", err);
    finish_result(res, sub, opts);
    return res;
}

json_t *assay_result_error(const json_t *submission, const char *code, const char *message,
                           const assay_grade_options *opts)
{
    return assay__error_result(submission, NULL, code, opts, "%s", message);
}

/* Does a JSON string hold a NUL character? */
static bool has_nul(const json_t *s)
{
    return strlen(json_string_value(s)) != json_string_length(s);
}

/* Validates the submission's fields against r; NULL when fine, else an error result. */
static json_t *validate(const assay_rubric *r, const json_t *sub, const assay_limits *lim,
                        const assay_grade_options *opts)
{
    if (!json_is_object(sub)) {
        return assay__error_result(sub, NULL, ASSAY_RESULT_NOT_OBJECT, opts,
                                   "a submission must be a JSON object");
    }
    json_t *id = json_object_get(sub, "id");
    if (id == NULL) {
        return assay__error_result(sub, NULL, ASSAY_RESULT_MISSING_FIELD, opts,
                                   "the submission has no \"id\"");
    }
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 256 ||
        has_nul(id)) {
        return assay__error_result(sub, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                   "\"id\" must be a string of 1 to 256 bytes without NUL");
    }
    json_t *rub = json_object_get(sub, "rubric");
    if (rub == NULL) {
        return assay__error_result(sub, NULL, ASSAY_RESULT_MISSING_FIELD, opts,
                                   "the submission has no \"rubric\" (the rubric's id)");
    }
    if (!json_is_string(rub) || has_nul(rub)) {
        return assay__error_result(sub, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                   "\"rubric\" must be a string (the rubric's id)");
    }
    if (r == NULL || strcmp(json_string_value(rub), r->id) != 0) {
        return assay__error_result(sub, NULL, ASSAY_RESULT_UNKNOWN_RUBRIC, opts,
                                   "no rubric with id \"%.128s\" is loaded",
                                   json_string_value(rub));
    }
    json_t *ver = json_object_get(sub, "rubric_version");
    if (ver && !json_is_null(ver)) {
        if (!json_is_string(ver) || has_nul(ver)) {
            return assay__error_result(sub, NULL, ASSAY_RESULT_WRONG_TYPE, opts,
                                       "\"rubric_version\" must be a string");
        }
        if (strcmp(json_string_value(ver), r->version) != 0) {
            return assay__error_result(sub, NULL, ASSAY_RESULT_UNKNOWN_VERSION, opts,
                                       "rubric \"%s\" has no version \"%.64s\" loaded", r->id,
                                       json_string_value(ver));
        }
    }
    json_t *learner = json_object_get(sub, "learner");
    if (learner && !(json_is_string(learner) && !has_nul(learner)) && !json_is_null(learner)) {
        return assay__error_result(sub, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                   "\"learner\" must be a string");
    }
    json_t *responses = json_object_get(sub, "responses");
    if (responses == NULL) {
        return assay__error_result(sub, r, ASSAY_RESULT_MISSING_FIELD, opts,
                                   "the submission has no \"responses\"");
    }
    if (!json_is_object(responses)) {
        return assay__error_result(sub, r, ASSAY_RESULT_WRONG_TYPE, opts,
                                   "\"responses\" must be an object: item id -> answer");
    }
    if (json_object_size(responses) > lim->max_responses) {
        return assay__error_result(sub, r, ASSAY_RESULT_TOO_LARGE, opts,
                                   "%zu responses is more than the limit of %zu",
                                   json_object_size(responses), lim->max_responses);
    }
    return NULL;
}

/* Fills the answer of one item into g; NULL answer means "no answer". */
static const char *answer_problem(grader *g, const json_t *resp, char *num, size_t numsize)
{
    g->answer = NULL;
    g->len = 0;
    if (resp == NULL || json_is_null(resp)) {
        return NULL;
    }
    if (json_is_string(resp)) {
        g->answer = json_string_value(resp);
        g->len = json_string_length(resp);
        if (g->len > g->lim->max_answer_bytes) {
            return "too_long";
        }
        if (memchr(g->answer, '\0', g->len)) {
            return "nul_byte";
        }
    } else if (json_is_integer(resp)) {
        snprintf(num, numsize, "%" JSON_INTEGER_FORMAT, json_integer_value(resp));
        g->answer = num;
        g->len = strlen(num);
    } else if (json_is_real(resp)) {
        double v = json_real_value(resp);
        snprintf(num, numsize, "%.*g", assay__dec_double_digits(v), v);
        g->answer = num;
        g->len = strlen(num);
    } else {
        return "wrong_type";
    }
    size_t a = 0, b = g->len;
    assay__text_trim(g->answer, &a, &b);
    if (a == b) {
        g->answer = NULL;
        g->len = 0;
    }
    return NULL;
}

json_t *assay_grade_json(const assay_rubric *r, const json_t *sub, assay_scratch *s,
                         const assay_grade_options *opts)
{
    assay_limits deflim = assay_limits_default();
    const assay_limits *lim = opts && opts->limits ? opts->limits : &deflim;
    json_t *bad = validate(r, sub, lim, opts);
    if (bad) {
        return bad;
    }
    const json_t *responses = json_object_get(sub, "responses");
    grader g = {.r = r, .s = s, .lim = lim};
    assay__matcher_limits(&s->m, r->match_limit, r->depth_limit, r->heap_limit_kib);

    mpq_t score, max, credit, tmp;
    mpq_inits(score, max, credit, tmp, NULL);
    mpq_t *num = malloc((r->ncomps ? r->ncomps : 1) * 2 * sizeof(mpq_t));
    if (num == NULL) {
        mpq_clears(score, max, credit, tmp, NULL);
        return NULL;
    }
    mpq_t *den = num + r->ncomps;
    for (size_t i = 0; i < r->ncomps; i++) {
        mpq_init(num[i]);
        mpq_init(den[i]);
    }

    json_t *items = json_array();
    for (size_t i = 0; i < r->nitems; i++) {
        const rb_item *t = &r->items[i];
        char numtext[64];
        const char *problem =
            answer_problem(&g, json_object_get(responses, t->id), numtext, sizeof(numtext));
        scratch_reset(s);
        mpq_t iscore, imax;
        mpq_inits(iscore, imax, NULL);
        json_t *checks = json_array();
        for (size_t k = 0; k < t->nchecks; k++) {
            const rb_check *c = &t->checks[k];
            ck_status st;
            json_t *cr;
            if (problem) {
                cr = json_object();
                json_object_set_new(cr, "id", json_string(c->id));
                json_object_set_new(cr, "type",
                                    json_string(c->type == RB_PATTERN   ? "pattern"
                                                : c->type == RB_NUMERIC ? "numeric"
                                                                        : "group"));
                json_object_set_new(cr, "status", json_string("invalid"));
                json_object_set_new(cr, "points", json_integer(0));
                json_object_set_new(cr, "max_points", qjson(c->points));
                json_object_set_new(cr, "feedback",
                                    c->fb_fail ? json_string(c->fb_fail) : json_null());
                if (strcmp(problem, "too_long") == 0) {
                    assay__explain(cr, problem, "The answer is longer than %zu bytes.",
                                   lim->max_answer_bytes);
                } else if (strcmp(problem, "nul_byte") == 0) {
                    assay__explain(cr, problem, "The answer contains a NUL character.");
                } else {
                    assay__explain(cr, problem, "The answer must be text or a number.");
                }
                mpq_set_ui(credit, 0, 1);
                st = CK_INVALID;
            } else {
                cr = check_result(&g, c, false, credit, &st);
            }
            json_array_append_new(checks, cr);
            int cs = mpq_sgn(credit);
            bool one = cs > 0 && mpq_cmp_ui(credit, 1, 1) == 0;
            if (one) {
                mpq_add(iscore, iscore, c->points);
            } else if (cs != 0) {
                mpq_mul(tmp, c->points, credit);
                mpq_add(iscore, iscore, tmp);
            }
            mpq_add(imax, imax, c->points);
            for (size_t e = 0; e < c->nev; e++) {
                if (one) {
                    mpq_add(num[c->ev[e].comp], num[c->ev[e].comp], c->ev[e].weight);
                } else if (cs != 0) {
                    mpq_mul(tmp, c->ev[e].weight, credit);
                    mpq_add(num[c->ev[e].comp], num[c->ev[e].comp], tmp);
                }
                mpq_add(den[c->ev[e].comp], den[c->ev[e].comp], c->ev[e].weight);
            }
        }
        json_t *it = json_object();
        json_object_set_new(it, "id", json_string(t->id));
        json_object_set_new(it, "answered", json_boolean(g.answer != NULL || problem));
        json_object_set_new(it, "score", qjson(iscore));
        json_object_set_new(it, "max_score", qjson(imax));
        json_object_set_new(it, "checks", checks);
        json_array_append_new(items, it);
        mpq_add(score, score, iscore);
        mpq_add(max, max, imax);
        mpq_clears(iscore, imax, NULL);
    }
    scratch_reset(s);

    json_t *comps = json_array();
    for (size_t i = 0; i < r->ncomps; i++) {
        const rb_competency *k = &r->comps[i];
        if (mpq_sgn(den[i]) > 0) {
            mpq_div(tmp, num[i], den[i]);
        } else {
            mpq_set_ui(tmp, 0, 1);
        }
        size_t lv = 0;
        for (size_t l = 0; l < k->scale->n; l++) {
            if (mpq_cmp(tmp, k->scale->levels[l].min) >= 0) {
                lv = l;
            }
        }
        bool is_mastered = lv >= k->scale->mastery;
        json_t *co = json_object();
        json_object_set_new(co, "id", json_string(k->id));
        json_object_set_new(co, "name", json_string(k->name));
        if (k->ref) {
            json_object_set_new(co, "ref", json_string(k->ref));
        }
        json_object_set_new(co, "score", qjson(tmp));
        json_object_set_new(co, "level", json_string(k->scale->levels[lv].id));
        json_object_set_new(co, "level_name", json_string(k->scale->levels[lv].name));
        json_object_set_new(co, "mastered", json_boolean(is_mastered));
        json_array_append_new(comps, co);
    }

    json_t *warnings = json_array();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)responses, key, v)
    {
        if (json_object_get(r->item_index, key) == NULL) {
            char w[200];
            snprintf(w, sizeof(w), "response \"%.64s\" matches no item of the rubric", key);
            assay__utf8_scrub(w);
            json_array_append_new(warnings, json_string(w));
        }
    }

    json_t *res = json_object();
    json_object_set_new(res, "id", json_incref(json_object_get(sub, "id")));
    json_object_set_new(res, "learner", string_or_null(json_object_get(sub, "learner")));
    json_object_set_new(res, "rubric", rubric_ref(r));
    json_object_set_new(res, "status", json_string("graded"));
    json_object_set_new(res, "score", qjson(score));
    json_object_set_new(res, "max_score", qjson(max));
    json_object_set_new(res, "check_errors", json_integer((json_int_t)g.errors));
    json_object_set_new(res, "competencies", comps);
    json_object_set_new(res, "items", items);
    json_object_set_new(res, "warnings", warnings);
    finish_result(res, sub, opts);

    for (size_t i = 0; i < r->ncomps; i++) {
        mpq_clear(num[i]);
        mpq_clear(den[i]);
    }
    free(num);
    mpq_clears(score, max, credit, tmp, NULL);
    return res;
}

typedef struct dumpbuf {
    char *p;
    size_t len, cap;
} dumpbuf;

static int dump_cb(const char *buf, size_t size, void *data)
{
    dumpbuf *d = data;
    if (d->len + size + 1 > d->cap) {
        size_t cap = d->cap * 2 > d->len + size + 1 ? d->cap * 2 : d->len + size + 1;
        char *p = realloc(d->p, cap);
        if (p == NULL) {
            return -1;
        }
        d->p = p;
        d->cap = cap;
    }
    memcpy(d->p + d->len, buf, size);
    d->len += size;
    return 0;
}

char *assay_result_dumps(const json_t *result)
{
    dumpbuf d = {malloc(8192), 0, 8192};
    if (d.p == NULL ||
        json_dump_callback(result, dump_cb, &d, JSON_COMPACT | JSON_REAL_PRECISION(15)) != 0) {
        free(d.p);
        return NULL;
    }
    d.p[d.len] = '\0';
    return d.p;
}
