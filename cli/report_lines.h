/*
 * report_lines.h - the files of `assay report` and `assay diff`: reading a JSON Lines file
 * line by line, with line numbers and, when stderr is a terminal and the input a regular
 * file, a progress bar by bytes read (cli_bar; memory: the longest line); and writing the
 * output page or JSON.
 */
#ifndef ASSAY_CLI_REPORT_LINES_H
#define ASSAY_CLI_REPORT_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct lines_in {
    FILE *f;
    const char *path; /* as given; "-" is standard input */
    const char *what; /* the progress bar's label */
    char *buf;
    size_t cap;
    uint64_t lineno;
    uint64_t bytes, total; /* read so far, and the file's size (0: unknown) */
    bool show;             /* draw the progress bar */
    double start, last;
} lines_in;

/* Opens path ("-": standard input). 0, or -1 after naming the problem on stderr as
 * "name: path: reason". */
int lines_open(lines_in *in, const char *path, const char *name, const char *what);
/* The next line (with its line ending, NUL-terminated, borrowed until the next call) and its
 * length; -1 at the end of the input or on a read error (lines_failed tells). */
ssize_t lines_next(lines_in *in, const char **line);
/* Did reading fail (rather than end)? */
bool lines_failed(const lines_in *in);
/* Ends the progress bar's line and closes the file. */
void lines_close(lines_in *in);

/*
 * Writes a command's output: fn(ctx, f) on path opened for writing (NULL: standard output),
 * then flushes and closes it. fn returns 0 or -1. EXIT_OK, or EXIT_UNUSABLE after naming
 * the problem on stderr as "name: ...".
 */
int lines_write_output(const char *name, const char *path, int (*fn)(void *ctx, FILE *f),
                       void *ctx);

#endif
