/*
 * limits.c - the engine's default limits (sizes of rubrics, submissions and answers, and the
 * PCRE2 match, depth and heap limits with the maxima a rubric may ask for, and what
 * compiling a rubric's patterns may cost), documented in docs/rubric-format.md and
 * docs/protocol.md.
 */
#include "assay/rubric.h"

assay_limits assay_limits_default(void)
{
    assay_limits l;
    l.max_rubric_bytes = 4u << 20;
    l.match_limit = 1000000;
    l.depth_limit = 10000;
    l.heap_limit_kib = 20000;
    l.match_limit_max = 5000000;
    l.depth_limit_max = 100000;
    l.heap_limit_kib_max = 100000;
    l.max_submission_bytes = 1u << 20;
    l.max_responses = 10000;
    l.max_answer_bytes = 64u << 10;
    l.max_patterns = 10000;
    l.max_pattern_bytes = 1u << 20;
    l.max_compiled_bytes = 4u << 20;
    l.max_jit_bytes = 16u << 20;
    return l;
}
