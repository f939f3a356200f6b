/*
 * framework.h - the compiled form of a competency framework ("assay_framework": 1, see
 * docs/frameworks.md), built by framework.c and read by the rubric loader (a rubric that
 * names a framework takes its competencies from it), the catalog and the credential
 * definitions (which name competencies by framework id).
 *
 * A framework is immutable after loading. Its competencies are rb_competency values like a
 * rubric's own, so that whoever reads a framework's competencies (assay__catalog_framework)
 * reads both the same way: each one's scale points into the framework's scales, its
 * framework member is the framework's id.
 */
#ifndef ENGINE_FRAMEWORK_H
#define ENGINE_FRAMEWORK_H

#include "load.h"
#include "rubric.h"

typedef struct fw_scale {
    char *id;
    rb_scale scale;
} fw_scale;

struct assay_framework {
    char *id, *version, *title, *uri;
    char sha256[65];
    fw_scale *scales;
    size_t nscales;
    size_t default_scale; /* index in scales */
    rb_competency *comps; /* has_own false; scale points into scales */
    size_t ncomps;
};

/* Whether a rubric's scale b is the framework's a: the same levels (id, name, min) and
 * mastery level. When not, why receives the first difference as a phrase ("mastery is level
 * \"a\" here, \"b\" in the framework"). */
bool assay__scale_same(const rb_scale *a, const rb_scale *b, char *why, size_t whylen);

/* Copies src into dst (empty); 0, or -1 when out of memory (dst is then freeable). */
int assay__scale_copy(rb_scale *dst, const rb_scale *src);

#endif
