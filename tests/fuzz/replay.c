/*
 * replay.c - the main() of a fuzz target built without a fuzzing engine
 * (-Dfuzzing_engine=none): runs every file named on the command line, or every file in a
 * named directory (recursively, in name order, skipping dot files), through
 * LLVMFuzzerTestOneInput once and prints TAP. With no arguments it reads one input from
 * standard input.
 *
 * Each input is copied into a heap block of exactly its size, so valgrind or ASan sees a
 * read past the end. A target that finds a bug aborts, which ends the run: the file named in
 * the last "# running" line is the reproducer.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#pragma weak LLVMFuzzerInitialize

static int ran;
static int failed;

/* Reads a whole stream into a block of exactly its size (one byte for an empty stream). */
static uint8_t *slurp(FILE *f, size_t *size)
{
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            break;
        }
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf == NULL || ferror(f)) {
        free(buf);
        return NULL;
    }
    uint8_t *exact = malloc(len > 0 ? len : 1);
    if (exact != NULL) {
        memcpy(exact, buf, len);
        *size = len;
    }
    free(buf);
    return exact;
}

static void run_stream(FILE *f, const char *name)
{
    size_t size = 0;
    uint8_t *data = slurp(f, &size);
    ran++;
    if (data == NULL) {
        failed++;
        printf("not ok %d - %s: cannot read\n", ran, name);
        return;
    }
    printf("# running %s (%zu bytes)\n", name, size);
    fflush(stdout);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    printf("ok %d - %s\n", ran, name);
}

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        ran++;
        failed++;
        printf("not ok %d - %s: %s\n", ran, path, strerror(errno));
        return;
    }
    run_stream(f, path);
    fclose(f);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    struct dirent **names = NULL;
    int n = scandir(path, &names, not_hidden, by_name);
    if (n < 0) {
        ran++;
        failed++;
        printf("not ok %d - %s: %s\n", ran, path, strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
        char *child = malloc(len);
        if (child == NULL) {
            ran++;
            failed++;
            printf("not ok %d - %s: out of memory\n", ran, path);
        } else {
            snprintf(child, len, "%s/%s", path, names[i]->d_name);
            run_path(child);
            free(child);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize != NULL) {
        LLVMFuzzerInitialize(&argc, &argv);
    }
    if (argc < 2) {
        run_stream(stdin, "<stdin>");
    }
    for (int i = 1; i < argc; i++) {
        run_path(argv[i]);
    }
    printf("1..%d\n", ran);
    return failed > 0 ? 1 : 0;
}
