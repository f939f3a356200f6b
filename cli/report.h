/*
 * report.h - `assay report`: the figures of a results file (JSON Lines), accumulated one line
 * at a time in memory that does not grow with the number of results (report_acc.c), then
 * written as one self-contained HTML page (report_html.c) or as JSON (report_json.c). The
 * command itself (options, reading, progress) is report.c; the figures and their formulas
 * are described in docs/reports.md.
 *
 * Results are grouped by the SHA-256 of the rubric that produced them. Per group: the score
 * distribution, per competency the levels reached and the mastery rate, per check the status
 * split, difficulty, discrimination, flags and most frequent wrong answers (a Space-Saving
 * sketch of RP_SKETCH_K counters per check).
 */
#ifndef ASSAY_CLI_REPORT_H
#define ASSAY_CLI_REPORT_H

#include "assay/assay.h"
#include "sketch.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The check statuses, in the order they are shown. */
enum { RP_CORRECT, RP_PARTIAL, RP_INCORRECT, RP_INVALID, RP_ERROR, RP_STATUSES };
extern const char *const rp_status_names[RP_STATUSES];
/* Their index, or -1 for a string that is not a status. */
int rp_status_index(const char *s);

#define RP_BINS       10   /* score histogram: tenths of the maximum score */
#define RP_SKETCH_K   64   /* Space-Saving counters per check */
#define RP_TOP        10   /* wrong answers shown per check */
#define RP_MAX_GROUPS 64   /* rubrics (by SHA-256) in one report */
#define RP_MAX_CHECKS 1024 /* checks per rubric */
#define RP_MAX_COMPS  256  /* competencies per rubric */
#define RP_MAX_LEVELS 32   /* distinct levels per competency */
#define RP_MAX_CODES  32   /* distinct error codes counted by name */
#define RP_MAX_SKIPS  20   /* skipped lines listed on the page */
/* A check whose share of "invalid" is over this is flagged. */
#define RP_INVALID_SHARE 0.10

/* Is res a result: an object with a status; a graded one with its rubric (id, version,
 * sha256), score, max_score, competencies (id, level, mastered, score) and items with their
 * checks (id, type, status, points and max_points, or a member's credit); an error one with
 * its error code? When not, why names the first problem and its JSON pointer. */
bool rp_valid_result(const json_t *res, char *why, size_t whysize);

/* Running means and co-moments of pairs (x, y) (Welford's updates), for the correlation of
 * a check's credit with the rest of the score. */
typedef struct rp_moments {
    uint64_t n;
    double mx, my;        /* means */
    double sxx, syy, sxy; /* sums of squared and cross deviations */
} rp_moments;

void rp_moments_add(rp_moments *m, double x, double y);
/* Pearson's r of the pairs; NAN when n < 2 or either variance is 0. */
double rp_correlation(const rp_moments *m);

typedef struct rp_check {
    char *id, *item, *type;
    char *group;           /* a member: its group's id; else NULL */
    size_t parent;         /* a member: its group's index in the checks */
    const assay_check *rc; /* the check in the rubric from --rubrics, or NULL */
    bool trim, collapse;   /* its normalisation (when rc) */
    uint64_t status[RP_STATUSES];
    uint64_t n;         /* results holding the check */
    double credit_sum;  /* sum of its credit (points / max_points, or a member's credit) */
    rp_moments mo;      /* (credit, rest of the score) */
    uint64_t no_answer; /* not full credit, and the item was not answered */
    uint64_t truncated; /* wrong answers counted that the engine had cut at 1 KiB */
    sketch wrong;       /* wrong answers after the check's normalisation */
} rp_check;

typedef struct rp_level {
    char *id, *name;
    uint64_t count;
    double min_score; /* the lowest competency score seen with this level */
    size_t first;     /* order of first appearance */
    bool mastered;    /* reaching it is mastery (from the rubric, or seen in a result) */
} rp_level;

typedef struct rp_comp {
    char *id, *name;
    rp_level *levels;
    size_t nlevels;
    bool from_rubric;      /* levels in the rubric's scale order */
    uint64_t n, mastered;  /* results rating it, and those mastering it */
    uint64_t other_levels; /* ratings past RP_MAX_LEVELS distinct levels */
} rp_comp;

typedef struct rp_group {
    char *id, *version, *sha, *title;
    const assay_rubric *rubric; /* from --rubrics, same SHA-256; or NULL */
    const char *note;           /* why --rubrics gave no rubric for it, or NULL */
    uint64_t results, graded;
    json_t *codes; /* error code -> count */
    uint64_t other_codes;
    double max_score;
    bool max_varies;
    uint64_t hist[RP_BINS];
    uint64_t scored;           /* graded results with max_score > 0 */
    double mean, m2, min, max; /* of score / max_score */
    uint64_t answers;          /* items that carried an "answer" (result format v2) */
    rp_comp *comps;
    size_t ncomps;
    json_t *comp_index; /* id -> index */
    rp_check *checks;
    size_t nchecks;
    json_t *check_index; /* id -> index */
    uint64_t dropped;    /* competencies or checks past the caps, not counted */
} rp_group;

typedef struct rp_skip {
    uint64_t line;
    char why[240];
} rp_skip;

typedef struct rp_report {
    const char *input;        /* the results file's name as given */
    const assay_catalog *cat; /* --rubrics, or NULL */
    rp_group *groups;
    size_t ngroups;
    json_t *group_index; /* sha256 -> index */
    uint64_t lines, results, skipped;
    rp_skip skips[RP_MAX_SKIPS];
    size_t nskips;
    uint64_t unrubric; /* error results naming no rubric */
    json_t *unrubric_codes;
    uint64_t unrubric_other;
    char *norm; /* buffer for normalised answers */
    size_t norm_cap;
} rp_report;

/* Starts an empty report. cat may be NULL. 0, or -1 when out of memory. */
int rp_init(rp_report *r, const assay_catalog *cat, const char *input);
void rp_finish(rp_report *r);
/*
 * Counts one line of the results file (lineno from 1). A blank line is ignored. A line that
 * is not a result is skipped: 1, with why naming the problem and its JSON pointer (it is
 * also counted, and the first RP_MAX_SKIPS kept for the page). 0 when counted; -1 when out
 * of memory.
 */
int rp_add_line(rp_report *r, const char *line, size_t len, uint64_t lineno, char *why,
                size_t whysize);
/* Puts the levels of competencies without a rubric in order (by their lowest score). Call
 * once after the last line. */
void rp_settle(rp_report *r);

/* Derived figures of a check. */
double rp_difficulty(const rp_check *c);     /* mean credit; NAN when n is 0 */
double rp_discrimination(const rp_check *c); /* rp_correlation; NAN when undefined */
/* The check's flags (docs/reports.md): their names written to out, at most 5. */
size_t rp_flags(const rp_check *c, const char *out[5]);
/* The score's standard deviation (population); NAN when nothing was scored. */
double rp_score_sd(const rp_group *g);
/* The histogram bin of a score fraction. */
size_t rp_bin(double frac);

/* Writers: 0, or -1 when the output could not be written. */
int rp_write_html(const rp_report *r, FILE *f);
int rp_write_json(const rp_report *r, FILE *f);

#endif
