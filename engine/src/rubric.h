/*
 * rubric.h - the compiled form of a rubric, shared by the loader (rubric.c), the checks
 * (pattern.c, numeric.c) and the scorer (score.c).
 *
 * A compiled rubric is immutable after loading: every thread may read it at once. Exact
 * quantities (points, weights, thresholds, penalties) are GMP rationals; rubric numbers
 * for numeric checks are exact decimals.
 */
#ifndef ASSAY_RUBRIC_H
#define ASSAY_RUBRIC_H

#include "assay/assay.h"
#include "decimal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <gmp.h>
#include <pcre2.h>

typedef struct level {
    char *id, *name;
    mpq_t min;
} level;

typedef struct scale {
    level *levels; /* increasing min; levels[0].min == 0 */
    size_t n;
    size_t mastery; /* index of the first mastered level */
} scale;

typedef struct competency {
    char *id, *name, *description, *ref;
    scale own; /* used when has_own */
    bool has_own;
    const scale *scale; /* own or the rubric's default */
} competency;

typedef enum pattern_mode { MODE_SEARCH, MODE_WHOLE, MODE_FORBID, MODE_COUNT } pattern_mode;

/* A compiled pattern with how to prepare the answer for it. */
typedef struct pattern {
    pcre2_code *code;
    char *source; /* the pattern text, for messages */
    bool trim, collapse;
    bool anchored; /* matched at one start position only (whole mode, or ^ / \A / \G) */
} pattern;

typedef enum compare_kind {
    CMP_EXACT,
    CMP_ABS,      /* expected - below <= x <= expected + above */
    CMP_REL,      /* |x - expected| <= rel * |expected| */
    CMP_INTERVAL, /* lo <(=) x <(=) hi */
    CMP_PLACES,   /* round(x, n places) == round(expected, n places) */
    CMP_FIGURES,  /* round(x, n figures) == round(expected, n figures) */
} compare_kind;

typedef enum sig_rule { SIG_NONE, SIG_EXACTLY, SIG_AT_LEAST } sig_rule;

typedef struct unit {
    char *name;
    assay_dec mult;
} unit;

typedef struct numeric {
    compare_kind cmp;
    assay_dec expected, below, above, rel, lo, hi;
    bool lo_open, hi_open;
    long round_n;
    sig_rule sig;
    int sig_n;
    bool sig_has_penalty;
    mpq_t sig_penalty;
    unit *units;
    size_t nunits;
    bool has_units, unit_required;
    mpq_t unit_penalty;
    pattern *source; /* NULL: the whole answer */
    uint32_t source_group;
} numeric;

typedef enum check_type { CHECK_PATTERN, CHECK_NUMERIC, CHECK_GROUP } check_type;

typedef struct evidence {
    size_t comp; /* index in rubric->comps */
    mpq_t weight;
} evidence;

typedef struct check check;

struct check {
    char *id;
    check_type type;
    mpq_t points;
    evidence *ev;
    size_t nev;
    char *fb_pass, *fb_fail, *fb_partial;
    /* pattern */
    pattern pat;
    pattern_mode mode;
    uint32_t count_min, count_max; /* count_max UINT32_MAX: unbounded */
    /* numeric */
    numeric num;
    /* group */
    check *members;
    size_t nmembers;
    size_t needed; /* members' credit needed for full credit */
    bool partial_credit;
};

typedef struct item {
    char *id, *title, *prompt;
    check *checks;
    size_t nchecks;
} item;

struct assay_rubric {
    char *id, *version, *title, *description;
    char sha256[65];
    assay_numfmt fmt;
    uint32_t match_limit, depth_limit, heap_limit_kib;
    scale scale;
    competency *comps;
    size_t ncomps;
    item *items;
    size_t nitems;
    size_t nchecks;     /* all checks, members included */
    json_t *item_index; /* item id -> index (json integer) */
};

#endif
