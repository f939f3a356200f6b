/*
 * tap.h - a tiny TAP producer for Assay's unit tests.
 *
 * Each ASSERT_* prints "ok N - expr" or "not ok N - expr" with both values and the file:line
 * of the assertion, and keeps going so one run reports every failure. tap_done() prints the
 * plan and returns the process exit status (0 when every assertion held, 1 otherwise), so a
 * test ends with `return tap_done();`. A test with no assertion at all fails: an empty test
 * proves nothing.
 */
#ifndef ASSAY_TESTS_TAP_H
#define ASSAY_TESTS_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline void tap_result(int ok, const char *file, int line, const char *what)
{
    tap_count++;
    if (!ok) {
        tap_failed++;
    }
    printf("%s %d - %s (%s:%d)\n", ok ? "ok" : "not ok", tap_count, what, file, line);
}

static inline int tap_done(void)
{
    if (tap_count == 0) {
        printf("not ok 1 - the test made no assertion\n1..1\n");
        return 1;
    }
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

/* Prints the case being checked as a TAP comment when an assertion failed since before. */
static inline void tap_note(int failed_before, const char *what, const char *input)
{
    if (tap_failed != failed_before) {
        printf("#   in %s case \"%s\"\n", what, input);
    }
}

#define ASSERT(expr) tap_result(!!(expr), __FILE__, __LINE__, #expr)

#define ASSERT_INT_EQ(a, b)                                                                    \
    do {                                                                                       \
        long long tap_a_ = (long long)(a), tap_b_ = (long long)(b);                            \
        tap_result(tap_a_ == tap_b_, __FILE__, __LINE__, #a " == " #b);                        \
        if (tap_a_ != tap_b_) {                                                                \
            printf("#   got %lld, expected %lld\n", tap_a_, tap_b_);                           \
        }                                                                                      \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                    \
    do {                                                                                       \
        const char *tap_a_ = (a), *tap_b_ = (b);                                               \
        int tap_ok_ = tap_a_ && tap_b_ && strcmp(tap_a_, tap_b_) == 0;                         \
        tap_result(tap_ok_, __FILE__, __LINE__, #a " == " #b);                                 \
        if (!tap_ok_) {                                                                        \
            printf("#   got \"%s\", expected \"%s\"\n", tap_a_ ? tap_a_ : "(null)",            \
                   tap_b_ ? tap_b_ : "(null)");                                                \
        }                                                                                      \
    } while (0)

#define ASSERT_STR_CONTAINS(hay, needle)                                                       \
    do {                                                                                       \
        const char *tap_h_ = (hay), *tap_n_ = (needle);                                        \
        int tap_ok_ = tap_h_ && tap_n_ && strstr(tap_h_, tap_n_) != NULL;                      \
        tap_result(tap_ok_, __FILE__, __LINE__, #hay " contains " #needle);                    \
        if (!tap_ok_) {                                                                        \
            printf("#   \"%s\" does not contain \"%s\"\n", tap_h_ ? tap_h_ : "(null)",         \
                   tap_n_ ? tap_n_ : "(null)");                                                \
        }                                                                                      \
    } while (0)

#endif
