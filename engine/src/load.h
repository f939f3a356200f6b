/*
 * load.h - the state of one rubric load and the parsers that share it: load_scale.c (scales,
 * settings, competencies), load_check.c (items, checks, groups, evidence, feedback),
 * load_pattern.c (patterns and pattern checks), load_numeric.c (numeric checks),
 * load_framework.c (a rubric's competencies taken from a framework) and load_warn.c
 * (warnings about likely authoring mistakes). framework.c reads frameworks with it too.
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
    assay_rubric *r; /* the rubric being built; NULL for a framework */
    /* A rubric's frameworks (may be NULL: none), the one it names (NULL: none, or not
     * found), whether it names one, and whether it keeps only the framework's competencies
     * its checks are evidence for (no "competencies" of its own). */
    const assay_catalog *cat;
    const assay_framework *fw;
    bool fw_named, fw_prune;
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
/* Room for n competencies of the rubric (zeroed) and their use counts; false (counted as
 * ASSAY_E_NOMEM) when out of memory. */
bool assay__load_alloc_competencies(ld_loader *L, size_t n);
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

/* framework.c */
/* Reads obj's optional "method" ({"name": ..., "param": ...}) into *out, reporting an
 * unknown name (with the nearest method name) or a parameter out of range at its place.
 * *out is left as it was when "method" is absent or bad. */
void assay__load_method(ld_loader *L, const json_t *obj, ld_path *p, assay_mastery_method *out);

/* load_framework.c */
/*
 * Resolves the rubric's "framework" (and "framework_version") against L->cat and fills the
 * rubric's scale and competencies from it, the rubric's "competencies" (ids, optionally with
 * the same scale) selecting among the framework's. @return true when the rubric names a
 * framework (found or not: the caller then reads neither "scale" nor "competencies"), false
 * for a standalone rubric.
 */
bool assay__load_rubric_framework(ld_loader *L, const json_t *root, ld_path *p);
/* After the items are read: a rubric that names a framework without listing competencies
 * keeps only those its checks are evidence for, in the framework's order. */
void assay__prune_framework_competencies(ld_loader *L);
/* Whether id is a competency of the framework the rubric names (for a clearer message when
 * a check uses one the rubric does not list). */
bool assay__framework_has(const ld_loader *L, const char *id);
/* The competency of the framework the rubric names nearest to id (did you mean), or NULL. */
const char *assay__framework_nearest(const ld_loader *L, const char *id);

/* load_warn.c */
/* Warnings about the compiled pattern pat, whose text is src[0..len), of the object at p:
 * matching any answer (mode: an rb_mode, or -1 for a numeric source, which skips that one),
 * a backspace from JSON's "\b", a typographic quote, a '.' between digits. */
void assay__warn_pattern(ld_loader *L, const ld_path *p, const pat_regex *pat, const char *src,
                         size_t len, int mode);
/* Warnings about the competency ids of comps[0..n) (a rubric's or a framework's, at
 * p/competencies) that differ only in case or by one character. */
void assay__warn_competency_ids(ld_loader *L, const ld_path *p, const rb_competency *comps,
                                size_t n);
/* The declared competency id nearest to id (the same but for case, or 1 edit away, 2 for
 * ids of 8 characters or more), or NULL: the "did you mean" of an undeclared competency. */
const char *assay__nearest_competency(const ld_loader *L, const char *id);

#endif
