/*
 * alloc_wrap.h - malloc, calloc, realloc, free and strdup wrapped by the linker
 * (-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=strdup) for the
 * allocation-failure tests (test_alloc.c, test_ack_alloc.c). Each allocation first asks
 * should_fail(), which the including file defines; blocks allocated and not yet freed are
 * counted in `outstanding`. It defines the wrappers: include it in one file per program.
 */
#ifndef ASSAY_TESTS_ALLOC_WRAP_H
#define ASSAY_TESTS_ALLOC_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);

static long outstanding; /* blocks allocated and not freed */
static bool should_fail(void);

void *__wrap_malloc(size_t n)
{
    void *p = should_fail() ? NULL : __real_malloc(n);
    outstanding += p != NULL;
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    void *p = should_fail() ? NULL : __real_calloc(n, size);
    outstanding += p != NULL;
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (should_fail()) {
        return NULL;
    }
    void *q = __real_realloc(p, n);
    outstanding += p == NULL && q != NULL;
    return q;
}

void __wrap_free(void *p)
{
    outstanding -= p != NULL;
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}

#endif
