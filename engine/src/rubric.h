/*
 * rubric.h - the compiled form of a rubric, built by the loader (rubric.c, load.h) and read
 * by the checks (check*.c, pattern.c) and the scorer (score.c).
 *
 * A compiled rubric is immutable after loading: every thread may read it at once. Exact
 * quantities (points, weights, thresholds, penalties) are GMP rationals; rubric numbers
 * for numeric checks are exact decimals.
 */
#ifndef ENGINE_RUBRIC_H
#define ENGINE_RUBRIC_H

#include "assay/mastery.h"
#include "assay/rubric.h"
#include "decimal.h"
#include "numread.h"
#include "pattern.h"

#include <gmp.h>

typedef struct rb_level {
    char *id, *name;
    mpq_t min;
} rb_level;

typedef struct rb_scale {
    rb_level *levels; /* increasing min; levels[0].min == 0 */
    size_t n;
    size_t mastery; /* index of the first mastered level */
} rb_scale;

typedef struct rb_competency {
    char *id, *name, *description, *ref;
    rb_scale own; /* used when has_own */
    bool has_own;
    const rb_scale *scale; /* own or the rubric's default */
    /* Owned: the framework the competency belongs to, "rubric:<rubric id>" for a rubric's
     * own; with the id it names the competency in learner records ("<framework>/<id>"). */
    char *framework;
    /* How the learner records roll its scores up (default weighted_average 65). */
    assay_mastery_method method;
} rb_competency;

typedef enum rb_mode { RB_SEARCH, RB_WHOLE, RB_FORBID, RB_COUNT } rb_mode;

typedef enum rb_cmp {
    RB_CMP_EXACT,
    RB_CMP_ABS,      /* expected - below <= x <= expected + above */
    RB_CMP_REL,      /* |x - expected| <= rel * |expected| */
    RB_CMP_INTERVAL, /* lo <(=) x <(=) hi */
    RB_CMP_PLACES,   /* round(x, n places) == round(expected, n places) */
    RB_CMP_FIGURES,  /* round(x, n figures) == round(expected, n figures) */
} rb_cmp;

typedef enum rb_sig { RB_SIG_NONE, RB_SIG_EXACTLY, RB_SIG_AT_LEAST } rb_sig;

typedef struct rb_unit {
    char *name;
    dec_num mult;
} rb_unit;

typedef struct rb_numeric {
    rb_cmp cmp;
    dec_num expected, below, above, rel, lo, hi;
    bool lo_open, hi_open;
    long round_n;
    rb_sig sig;
    int sig_n;
    bool sig_has_penalty;
    mpq_t sig_penalty;
    rb_unit *units;
    size_t nunits;
    bool has_units, unit_required;
    mpq_t unit_penalty;
    pat_regex *source; /* NULL: the whole answer */
    uint32_t source_group;
} rb_numeric;

typedef enum rb_check_type { RB_PATTERN, RB_NUMERIC, RB_GROUP } rb_check_type;

typedef struct rb_evidence {
    size_t comp; /* index in rubric->comps */
    mpq_t weight;
} rb_evidence;

typedef struct rb_check rb_check;

struct rb_check {
    char *id;
    rb_check_type type;
    mpq_t points;
    rb_evidence *ev;
    size_t nev;
    char *fb_pass, *fb_fail, *fb_partial;
    /* pattern */
    pat_regex pat;
    rb_mode mode;
    uint32_t count_min, count_max; /* count_max UINT32_MAX: unbounded */
    /* numeric */
    rb_numeric num;
    /* group */
    rb_check *members;
    size_t nmembers;
    size_t needed; /* members' credit needed for full credit */
    bool partial_credit;
};

typedef struct rb_item {
    char *id, *title, *prompt;
    rb_check *checks;
    size_t nchecks;
} rb_item;

/* A feedback band: the text for a score of at least min (a fraction of max_score). */
typedef struct rb_band {
    mpq_t min;
    char *text;
} rb_band;

struct assay_rubric {
    char *id, *version, *title, *description;
    char sha256[65];
    nr_format fmt;
    uint32_t match_limit, depth_limit, heap_limit_kib;
    rb_scale scale;
    rb_competency *comps;
    size_t ncomps;
    rb_item *items;
    size_t nitems;
    size_t nchecks;     /* all checks, members included */
    json_t *item_index; /* item id -> index (json integer) */
    rb_band *bands;     /* "feedback": {"bands": ...}: increasing min, bands[0].min == 0 */
    size_t nbands;      /* 0: the rubric has none */
};

/* The compiled model's lifetime (rubric.c). A check starts with 1 point and no count limit;
 * freeing a check frees its members; freeing a scale leaves it empty. */
void assay__rubric_check_init(rb_check *c);
void assay__rubric_check_free(rb_check *c);
void assay__rubric_scale_free(rb_scale *s);

/* The framework a rubric's own competencies form is "rubric:<rubric id>". */
#define ASSAY__RUBRIC_FRAMEWORK "rubric:"

/*
 * The competencies of a framework known to the catalog: "rubric:<id>" names the own
 * competencies of the newest loaded version of rubric <id>. @return the array (borrowed
 * until the catalog is destroyed) with its length in *n, or NULL (*n 0) when no loaded
 * document defines the framework. (catalog.c)
 */
const rb_competency *assay__catalog_framework(const assay_catalog *c, const char *framework,
                                              size_t *n);

/* Compares rubric versions as dotted numbers ("1.10.0" > "1.9.2"), then as strings:
 * <0, 0, >0 (catalog.c). */
int assay__rubric_version_cmp(const char *a, const char *b);
/* The text of r's feedback band for a score of fraction (score / max_score, 0..1): the last
 * band whose min it reaches. NULL when r has no bands. Borrowed from r. */
const char *assay__rubric_band_text(const assay_rubric *r, mpq_srcptr fraction);

#endif
