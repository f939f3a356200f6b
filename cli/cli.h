/*
 * cli.h - the assay command-line tool's shared pieces: exit codes, the subcommands (one file
 * each) and the helpers they share (util.c).
 */
#ifndef ASSAY_CLI_H
#define ASSAY_CLI_H

#include "assay/assay.h"

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, documented in README.md and `assay --help`. */
enum {
    EXIT_OK = 0,       /* success: valid rubrics, every submission graded */
    EXIT_FAILED = 1,   /* a rubric is invalid, a submission got an error result, or (dead
                          requeue) an ID was not found */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_UNUSABLE = 3, /* a file could not be read or written, or Redis reached */
};

/* What a command's argument parser returns when the command line is good and the command
 * is to run (otherwise it returns the exit status: help shown, or a usage error). */
enum { CLI_RUN = -1 };

int cmd_lint(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_mastery(int argc, char **argv);
/* Learner records: rebuild from results, show, delete (record.c; show and delete reach Redis
 * when hiredis is found). */
int cmd_record(int argc, char **argv);
/* Reports on results files (report.c, diff.c) and a rubric's model (describe.c). */
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_describe(int argc, char **argv);
/* Open Badges 3.0 credentials and the issuer's keys (credential.c, issuer.c). */
int cmd_credential(int argc, char **argv);
int cmd_issuer(int argc, char **argv);
int cmd_batch(const char *rubrics, const char *in, const char *out, int jobs,
              const assay_grade_options *opts);
/* Operator commands on the worker's Redis queues (enqueue.c, stats.c, dead.c; built when
 * hiredis is found). */
int cmd_enqueue(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_dead(int argc, char **argv);

/* Loads one rubric file into a new catalog (caller frees with assay_catalog_destroy),
 * printing its problems on stderr. NULL on failure, with *rc EXIT_FAILED when the rubric is
 * invalid, or EXIT_UNUSABLE when it could not be read. (grade.c) */
assay_catalog *cli_load_rubric(const char *path, int *rc);
/* Prints every diagnostic gcc-style to f. */
void cli_print_diags(FILE *f, const assay_diags *d);
/* Loads the rubrics of dir into cat, printing their problems on stderr (name starts the
 * messages). EXIT_OK when all loaded; EXIT_FAILED when one is invalid, EXIT_UNUSABLE when
 * dir or one of its files could not be read (*usable false when no rubric loaded: there is
 * nothing to grade against). (util.c) */
int cli_load_rubric_dir(assay_catalog *cat, const char *dir, const char *name, bool *usable);
/* Reads a whole file ("-" is standard input). Caller frees. NULL with errno on failure. */
char *cli_read_file(const char *path, size_t *len);
/* The graded_at to use: --graded-at, else $SOURCE_DATE_EPOCH, else NULL (now). */
const char *cli_graded_at(const char *flag, char *buf, size_t size);
/* The environment variable name when set and not empty, else dflt. */
const char *cli_env_or(const char *name, const char *dflt);
/*
 * Command lines are read with getopt_long (GNU: options and operands in any order, "--" ends
 * the options, --name=VALUE or --name VALUE, unambiguous abbreviations). Every command's
 * option table starts with CLI_OPTIONS_COMMON and its short options with ":h" (the ':'
 * tells a missing value from an unknown option); cli_next_option deals with those and with
 * errors, and hands the command its own options.
 */
enum {
    CLI_OPT_VERSION = 0x100, /* --version */
    CLI_OPT_REDIS,           /* --redis URL (operator commands, ops.c) */
    CLI_OPT_PREFIX,          /* --prefix P (operator commands) */
    CLI_OPT_OWN,             /* a command's own long options without a short form */
};
/* clang-format off */
#define CLI_OPTIONS_COMMON \
    {"help", no_argument, NULL, 'h'}, \
    {"version", no_argument, NULL, CLI_OPT_VERSION}
/* clang-format on */
/* Starts a new getopt_long scan (each command has its own argv: optind 0 makes glibc and
 * musl start afresh) with getopt's own messages off. */
void cli_getopt_begin(void);
/* The next option of a command's argv: getopt_long over shortopts (":h" and the command's
 * letters) and options (CLI_OPTIONS_COMMON first). --help, --version and command-line errors
 * end the parse: 0, with *rc the exit status (the usage or the version printed on stdout:
 * EXIT_OK; or the error named, without any value, which may hold a password, and the
 * synopsis printed on stderr: EXIT_USAGE). Otherwise the option's value (optarg set), or
 * -1 at the end of the options (optind at the first operand). */
int cli_next_option(const char *name, const char *usage, int argc, char **argv,
                    const char *shortopts, const struct option *options, int *rc);
/* Reads the options of a command that has none of its own (--help and --version only; with
 * shortopts "+:h", stops at the first operand, a command). CLI_RUN with optind at the first
 * operand, or the exit status. */
int cli_common_options_only(const char *name, const char *usage, int argc, char **argv,
                            const char *shortopts);
/* Prints "assay VERSION (rubric format N)". EXIT_OK. */
int cli_print_version(void);
/* Prints the synopsis (usage up to its first blank line) and where the rest is, on stderr. */
void cli_short_usage(const char *name, const char *usage);
/* Prints "name: " and the message on stderr, then the synopsis. Always EXIT_USAGE. */
int cli_usage_error(const char *name, const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
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
