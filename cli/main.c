/*
 * main.c - the `assay` command-line tool: subcommand dispatch, help and version.
 */
#include "cli.h"

#include <string.h>

static const char usage[] =
    "Usage: assay COMMAND [OPTIONS] ...\n"
    "\n"
    "Grade learners' submissions against competency rubrics.\n"
    "\n"
    "Commands:\n"
    "  lint RUBRIC...                 validate rubric files; errors as file:line:column\n"
    "  grade RUBRIC [SUBMISSION|-]    grade one submission, print the result JSON\n"
    "  grade --rubrics DIR --jsonl IN [-o OUT] [--jobs N]\n"
    "                                 grade a JSON-Lines file on every core, results in\n"
    "                                 input order, a summary on stderr\n"
    "  explain RUBRIC SUBMISSION      a readable per-check breakdown for faculty\n"
    "\n"
    "Operator commands on assay-worker's Redis queues (assay COMMAND --help for more):\n"
    "  enqueue [--regrade] FILE.jsonl|-\n"
    "                                 push each line onto P:submissions (or P:regrade)\n"
    "  stats [--json]                 queue depths, workers alive and stale, in flight, rate\n"
    "  dead list [--json] [--limit N] the dead letters, newest first\n"
    "  dead requeue (--all | ID...)   push dead letters back onto their queue\n"
    "  with --redis URL (REDIS_URL; default redis://127.0.0.1:6379; put the password in\n"
    "  REDIS_URL rather than on the command line) and --prefix P (ASSAY_PREFIX; assay)\n"
    "\n"
    "Options:\n"
    "  --graded-at TIME    fix the results' \"graded_at\" (RFC 3339); also $SOURCE_DATE_EPOCH\n"
    "  --pretty            indent the result JSON (grade)\n"
    "  -h, --help          show this help\n"
    "  --version           show the version\n"
    "\n"
    "Exit status: 0 success; 1 an invalid rubric or a submission that could not be graded;\n"
    "2 bad command line; 3 a rubric or input file could not be loaded or read, or Redis\n"
    "could not be reached or failed. dead requeue: 1 when an ID was not found.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("assay %s (rubric format %d)\n", assay_version(), ASSAY_RUBRIC_FORMAT);
        return EXIT_OK;
    }
    if (strcmp(cmd, "lint") == 0) {
        return cmd_lint(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "grade") == 0) {
        return cmd_grade(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "explain") == 0) {
        return cmd_explain(argc - 1, argv + 1);
    }
#ifdef ASSAY_OPS
    if (strcmp(cmd, "enqueue") == 0) {
        return cmd_enqueue(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "stats") == 0) {
        return cmd_stats(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "dead") == 0) {
        return cmd_dead(argc - 1, argv + 1);
    }
#else
    if (strcmp(cmd, "enqueue") == 0 || strcmp(cmd, "stats") == 0 || strcmp(cmd, "dead") == 0) {
        fprintf(stderr, "assay: %s needs assay built with hiredis (meson -Dworker=enabled)\n",
                cmd);
        return EXIT_USAGE;
    }
#endif
    fprintf(stderr, "assay: unknown command \"%s\" (try assay --help)\n", cmd);
    return EXIT_USAGE;
}
