/*
 * fuzz.h - the libFuzzer entry points every fuzz target in this directory defines, declared
 * once so that the definitions have prototypes (-Wmissing-prototypes) and so that replay.c,
 * the stand-alone main used without a fuzzing engine, can call them.
 *
 * A target defines LLVMFuzzerTestOneInput and may define LLVMFuzzerInitialize. Both
 * libFuzzer and replay.c call LLVMFuzzerInitialize once, before the first input, when it
 * is defined. A target aborts on a broken invariant: both drivers report that as a crash.
 */
#ifndef ASSAY_FUZZ_H
#define ASSAY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts with a message naming the broken invariant when cond is false. */
#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fuzz_fail(__FILE__, __LINE__, #cond);                                              \
        }                                                                                      \
    } while (0)

#include <stdio.h>
#include <stdlib.h>

static inline _Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
    abort();
}

#endif
