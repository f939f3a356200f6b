/*
 * diff.h - `assay diff OLD.jsonl NEW.jsonl`: what a regrade changed, results matched by
 * submission id. OLD is read first into a compact index (diff.c); NEW is then streamed
 * against it; the page or JSON is written by diff_html.c.
 *
 * What the index holds per OLD result (docs/reports.md): its id and learner, its rubric (a
 * number naming an interned rubric), whether it was graded, its score and maximum, and per
 * competency an interned id, an interned level, the mastered bit and the score, and per
 * check an interned id and its status. Changes found while streaming NEW (level or mastery
 * changes, ids only in NEW) are spooled to temporary files, so memory holds only the index.
 */
#ifndef ASSAY_CLI_DIFF_H
#define ASSAY_CLI_DIFF_H

#include "report.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Statuses of the transition matrix: the check statuses, then "absent" (the check is not in
 * that side's result). */
#define DF_STATES RP_STATUSES + 1
#define DF_ABSENT RP_STATUSES

#define DF_MAX_RUBRICS 1024 /* distinct rubrics (by SHA-256) in OLD */
#define DF_MAX_NAMES   4096 /* distinct competency, check or level ids per rubric */
#define DF_MAX_CHECKS  1024 /* checks counted by id in the per-check table */

/* Strings interned to small numbers (a rubric's competency, check or level ids). */
typedef struct df_names {
    json_t *index; /* string -> number */
    char **names;
    size_t n;
} df_names;

typedef struct df_rubric {
    char *sha;
    df_names comps, checks, levels;
} df_rubric;

typedef struct df_side {
    const char *path;
    uint64_t lines, results, skipped, duplicates;
} df_side;

typedef struct df_diff {
    df_side old, new;
    /* The OLD index: records in an arena, offsets sorted by id. */
    char *arena;
    size_t arena_len, arena_cap;
    uint64_t *order;
    size_t nrec;
    df_rubric *rubrics;
    size_t nrubrics;
    json_t *rubric_index; /* sha -> number */
    /* Figures. */
    uint64_t matched, only_old, only_new;
    uint64_t graded_both, graded_to_error, error_to_graded, rubric_changed;
    uint64_t score_changed, score_up, score_down;
    uint64_t level_changed, level_up, level_down;
    uint64_t mastery_gained, mastery_lost;
    uint64_t comp_only_old, comp_only_new; /* competencies rated on one side only */
    uint64_t learners_changed;             /* results with a level or mastery change */
    uint64_t trans[DF_STATES][DF_STATES];  /* [old][new] */
    json_t *check_changes;                 /* check id -> [compared, changed] */
    uint64_t checks_uncounted;             /* past DF_MAX_CHECKS */
    FILE *changes;                         /* spool: one JSON object per line */
    FILE *new_only;                        /* spool: {"id", "learner"} per line */
} df_diff;

/* Writers (diff_html.c): 0, or -1 when the output could not be written. The spools are
 * read from the start. */
int df_write_html(df_diff *d, FILE *f);
int df_write_json(df_diff *d, FILE *f);
/* Calls fn for each OLD result no NEW result matched, in id order (diff.c). */
void df_each_only_old(const df_diff *d,
                      void (*fn)(void *ctx, const char *id, size_t id_len, const char *learner,
                                 size_t learner_len),
                      void *ctx);

#endif
