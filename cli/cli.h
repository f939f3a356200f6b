/*
 * cli.h - the assay command-line tool's shared pieces: exit codes, option helpers and the
 * subcommands (one file each).
 */
#ifndef ASSAY_CLI_H
#define ASSAY_CLI_H

#include "assay/assay.h"

#include <stdio.h>

/* Exit codes, documented in README.md and `assay --help`. */
enum {
    EXIT_OK = 0,       /* success: valid rubrics, every submission graded */
    EXIT_FAILED = 1,   /* a rubric is invalid, or a submission got an error result */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_UNUSABLE = 3, /* a rubric or input could not be loaded or read */
};

int cmd_lint(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_explain(int argc, char **argv);
/* Open Badges 3.0 credentials and the issuer's keys (credential.c, issuer.c). */
int cmd_credential(int argc, char **argv);
int cmd_issuer(int argc, char **argv);
int cmd_batch(const char *rubrics, const char *in, const char *out, int jobs,
              const assay_grade_options *opts);
/* Operator commands on the worker's Redis queues (ops.c; built when hiredis is found). */
int cmd_enqueue(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_dead(int argc, char **argv);

/* Prints every diagnostic gcc-style to f. */
void cli_print_diags(FILE *f, const assay_diags *d);
/* Reads a whole file ("-" is standard input). Caller frees. NULL with errno on failure. */
char *cli_read_file(const char *path, size_t *len);
/* The graded_at to use: --graded-at, else $SOURCE_DATE_EPOCH, else NULL (now). */
const char *cli_graded_at(const char *flag, char *buf, size_t size);

#endif
