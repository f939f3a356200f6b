/*
 * load.h - the state of one rubric load and the parsers that share it: load_scale.c (scales,
 * settings, competencies), load_check.c (items, checks, groups, evidence, feedback),
 * load_pattern.c (patterns and pattern checks), load_numeric.c (numeric checks) and
 * load_warn.c (warnings about likely authoring mistakes).
 * rubric.c runs them in order over the parsed document (assay_rubric_load_buffer).
 *
 * Each parser reads one part of the document at the JSON pointer p, reports every problem
 * through L->rep and fills in the compiled model (rubric.h) as far as the input allows; the
 * rubric is thrown away at the end when any error was reported.
 */
#ifndef ENGINE_LOAD_H
#define ENGINE_LOAD_H

#include "getters.h"
#include "report.h"
#include "rubric.h"

#include <stdlib.h>
#include <string.h>

#define LD_ID_MAX      128
#define LD_VERSION_MAX 64

typedef struct ld_loader {
    ld_report rep;
    assay_limits lim;
    assay_rubric *r;    /* the rubric being built */
    json_t *check_ids;  /* check id -> true */
    json_t *comp_index; /* competency id -> index */
    size_t *comp_uses;  /* per competency, the checks that are evidence for it */
    /* What the patterns cost so far (assay_limits' max_patterns and the rest); over: a
     * limit was crossed and reported, so no further pattern is compiled. */
    size_t npatterns, pattern_bytes, compiled_bytes, jit_bytes;
    bool cost_over;
} ld_loader;

/* strdup that passes NULL (a missing member) through; running out of memory is counted as
 * an ASSAY_E_NOMEM error of the load. */
static inline char *ld_strdup(ld_loader *L, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && d == NULL) {
        assay__report_count(&L->rep, ASSAY_E_NOMEM);
    }
    return d;
}

/* load_scale.c */
void assay__load_scale(ld_loader *L, const json_t *obj, ld_path *p, rb_scale *out);
void assay__load_settings(ld_loader *L, const json_t *root, ld_path *p);
void assay__load_competencies(ld_loader *L, const json_t *root, ld_path *p);
/* The rubric's top-level "feedback" (its score bands). */
void assay__load_feedback(ld_loader *L, const json_t *root, ld_path *p);

/* load_check.c */
void assay__load_items(ld_loader *L, const json_t *root, ld_path *p);

/* load_pattern.c */
/* "flags" and "ascii" of obj as PAT_* bits. */
unsigned assay__load_flags(ld_loader *L, const json_t *obj, ld_path *p);
/* Compiles obj's "pattern" into pat, reporting errors at the offending character. */
int assay__load_pattern(ld_loader *L, const json_t *obj, ld_path *p, unsigned flags,
                        pat_regex *pat);
void assay__load_pattern_check(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c);

/* load_numeric.c */
void assay__load_numeric_check(ld_loader *L, const json_t *obj, ld_path *p, rb_check *c);

/* load_warn.c */
/* Warnings about the compiled pattern pat, whose text is src[0..len), of the object at p:
 * matching any answer (mode: an rb_mode, or -1 for a numeric source, which skips that one),
 * a backspace from JSON's "\b", a typographic quote, a '.' between digits. */
void assay__warn_pattern(ld_loader *L, const ld_path *p, const pat_regex *pat, const char *src,
                         size_t len, int mode);
/* Warnings about declared competency ids that differ only in case or by one character. */
void assay__warn_competency_ids(ld_loader *L, const ld_path *p);
/* The declared competency id nearest to id (the same but for case, or 1 edit away, 2 for
 * ids of 8 characters or more), or NULL: the "did you mean" of an undeclared competency. */
const char *assay__nearest_competency(const ld_loader *L, const char *id);

#endif
