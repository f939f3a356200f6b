/*
 * floor.h - the floor of the engine benchmark: the least any grader built on jansson and
 * PCRE2 must do for a submission (parse it, run the rubric's own patterns on the subjects
 * the engine matches, build an equal result tree and dump it). measure.c times it next to
 * the engine.
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <jansson.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

/* As assay_result_dumps writes a result. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))
/* As assay_grade_buffer parses a submission (keep in step with engine/src/catalog.c). */
#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* One pattern of a rubric, compiled as the engine compiles it. */
typedef struct fcheck {
    char *item;          /* the response the pattern runs on */
    pcre2_code *code;    /* JIT-compiled when the machine allows */
    bool count;          /* count mode: every non-overlapping match */
    bool trim, collapse; /* the check's "normalize" */
} fcheck;

/* A rubric's patterns: pattern checks (groups walked) and numeric checks' sources. */
typedef struct floor_rubric {
    char *id, *version;
    fcheck *v;
    size_t n, cap;
    size_t jitted;
} floor_rubric;

/* Compiles the patterns of a parsed rubric file; free with floor_destroy. */
floor_rubric *floor_create(const json_t *rubric);
void floor_destroy(floor_rubric *f);

/*
 * The subjects of a submission's matches: for each pattern of its rubric, the answer as the
 * engine hands it to PCRE2 (after "normalize"), or NULL when the engine runs no match (no
 * answer, or only White_Space). Made once per submission, outside the timing: normalising
 * is engine work, not part of the floor.
 */
typedef struct subjects {
    char **text;
    size_t *len;
} subjects;

subjects subjects_make(const floor_rubric *f, const json_t *sub);
/* n: the floor's pattern count (f->n). */
void subjects_free(subjects *sj, size_t n);

/* The rubric's matches on a submission's subjects; returns the number of matches found. */
size_t floor_regex(const floor_rubric *f, const subjects *sj, pcre2_match_data *md);

/* A new tree equal to v, made with the checked calls the engine uses. */
json_t *rebuild(const json_t *v);

#endif
