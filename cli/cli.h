/*
 * cli.h - the assay command-line tool's shared pieces: exit codes, the subcommands (one file
 * each) and the helpers they share (util.c).
 */
#ifndef ASSAY_CLI_H
#define ASSAY_CLI_H

#include "assay/assay.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in README.md and `assay --help`. */
enum {
    EXIT_OK = 0,       /* success: valid rubrics, every submission graded */
    EXIT_FAILED = 1,   /* a rubric is invalid, or a submission got an error result */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_UNUSABLE = 3, /* a rubric or input could not be loaded or read */
};

/* What a command's argument parser returns when the command line is good and the command
 * is to run (otherwise it returns the exit status: help shown, or a usage error). */
enum { CLI_RUN = -1 };

int cmd_lint(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_batch(const char *rubrics, const char *in, const char *out, int jobs,
              const assay_grade_options *opts);
/* Operator commands on the worker's Redis queues (enqueue.c, stats.c, dead.c; built when
 * hiredis is found). */
int cmd_enqueue(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_dead(int argc, char **argv);

/* Prints every diagnostic gcc-style to f. */
void cli_print_diags(FILE *f, const assay_diags *d);
/* Reads a whole file ("-" is standard input). Caller frees. NULL with errno on failure. */
char *cli_read_file(const char *path, size_t *len);
/* The graded_at to use: --graded-at, else $SOURCE_DATE_EPOCH, else NULL (now). */
const char *cli_graded_at(const char *flag, char *buf, size_t size);
/* The environment variable name when set and not empty, else dflt. */
const char *cli_env_or(const char *name, const char *dflt);
/* Is a "-h" or "--help"? */
bool cli_is_help(const char *a);
/* Matches "--name VALUE" or "--name=VALUE" at argv[*i]: 1 with *val set (and *i moved past
 * a separate value), 0 when argv[*i] is another option, -1 when the value is missing. */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **val);
/* Prints the synopsis (usage up to its first blank line) and where the rest is, on stderr. */
void cli_short_usage(const char *name, const char *usage);
/* Seconds on the monotonic clock. */
double cli_now_s(void);

#define CLI_BAR_WIDTH 30
/* Fills bar with CLI_BAR_WIDTH characters, '#' for the part done (frac, clamped to 0..1),
 * '.' for the rest, and a terminating NUL. */
void cli_bar(char bar[CLI_BAR_WIDTH + 1], double frac);
/* Is s[0..n) only spaces, tabs and line endings? */
bool cli_is_blank(const char *s, size_t n);
/* Writes s[0..n) for a terminal: control characters (C0, DEL, and C1 in UTF-8) escaped,
 * since ids and messages come from untrusted submissions. Returns the columns used
 * (roughly: one per UTF-8 character). */
size_t cli_put_clean(FILE *f, const char *s, size_t n);
/* Pads a column that used `used` columns to width, plus the two spaces between columns. */
void cli_pad(FILE *f, size_t used, size_t width);

#endif
