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
    "  lint [--rubrics DIR] FILE...   validate rubrics and credential definitions; errors\n"
    "                                 as file:line:column\n"
    "  grade RUBRIC [SUBMISSION|-]    grade one submission, print the result JSON\n"
    "  grade --rubrics DIR --jsonl IN [-o OUT] [--jobs N]\n"
    "                                 grade a JSON-Lines file on every core, results in\n"
    "                                 input order, a summary on stderr\n"
    "  explain RUBRIC SUBMISSION      a readable per-check breakdown for faculty\n"
    "  mastery --method NAME [--param N] [--mastery-points X] [--json] SCORE...\n"
    "                                 try a calculation method on scores, oldest first\n"
    "  record rebuild --jsonl RESULTS [--rubrics DIR] [-o RECORDS.jsonl]\n"
    "                                 learners' competency records rebuilt from results\n"
    "  record show [--json] [--file RECORDS.jsonl] LEARNER\n"
    "                                 a learner's record, from Redis or a rebuild\n"
    "  record delete LEARNER          erase a learner's record and credentials in Redis\n"
    "  describe RUBRIC [--json]       a rubric's competencies, levels, items and checks\n"
    "  report RESULTS.jsonl [--rubrics DIR] [-o FILE | --json]\n"
    "                                 an HTML page of a cohort's results: scores, levels,\n"
    "                                 checks, most frequent wrong answers\n"
    "  diff OLD.jsonl NEW.jsonl [-o FILE | --json]\n"
    "                                 what a regrade changed: scores, levels, mastery\n"
    "\n"
    "Open Badges 3.0 credentials (assay credential --help for more):\n"
    "  credential issue --records RECORDS.jsonl [--rubrics DIR] --key PRIVATE.pem [-o OUT]\n"
    "                                 award what learner records satisfy, offline\n"
    "  credential list|show LEARNER [ID[@VERSION]] [--file ISSUED.jsonl] [--decode]\n"
    "                                 a learner's issued credentials, from Redis or a file\n"
    "  credential verify FILE|- (--key PUBLIC.pem | --jwks JWKS.json) [--now TIME] [--json]\n"
    "                                 check a VC-JWT: signature, claims, validity dates\n"
    "  credential sign --key PRIVATE.pem [--alg RS256|EdDSA] CREDENTIAL.json\n"
    "                                 sign a credential JSON as a VC-JWT (tests, demos)\n"
    "  issuer jwks --key KEY.pem... [--kid-base URL]\n"
    "                                 the public JWK Set to publish at the kid URL\n"
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
    "Every command takes -h/--help (its options and exit status) and --version; options and\n"
    "arguments come in any order, \"--\" ends the options.\n"
    "\n"
    "Options:\n"
    "  --graded-at TIME    (grade) fix the results' \"graded_at\" (RFC 3339); also\n"
    "                      $SOURCE_DATE_EPOCH\n"
    "  --pretty            (grade) indent the result JSON\n"
    "  -h, --help          this help\n"
    "  --version           the version\n"
    "\n"
    "Exit status: 0 success; 1 an invalid rubric or a submission that could not be graded\n"
    "(dead requeue: an ID not found or an entry that could not be read); 2 bad command\n"
    "line; 3 a file that could not be read (or written), or Redis that could not be\n"
    "reached or failed.\n";

int main(int argc, char **argv)
{
    /* Options before the command: "+" stops at the first operand, the command. */
    int rc = cli_common_options_only("assay", usage, argc, argv, "+:h");
    if (rc != CLI_RUN) {
        return rc;
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[optind];
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    if (strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "version") == 0) {
        return cli_print_version();
    }
    if (strcmp(cmd, "lint") == 0) {
        return cmd_lint(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "grade") == 0) {
        return cmd_grade(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "explain") == 0) {
        return cmd_explain(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "mastery") == 0) {
        return cmd_mastery(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "record") == 0) {
        return cmd_record(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "describe") == 0) {
        return cmd_describe(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "report") == 0) {
        return cmd_report(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "diff") == 0) {
        return cmd_diff(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "credential") == 0) {
        return cmd_credential(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "issuer") == 0) {
        return cmd_issuer(sub_argc, sub_argv);
    }
#ifdef ASSAY_OPS
    if (strcmp(cmd, "enqueue") == 0) {
        return cmd_enqueue(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "stats") == 0) {
        return cmd_stats(sub_argc, sub_argv);
    }
    if (strcmp(cmd, "dead") == 0) {
        return cmd_dead(sub_argc, sub_argv);
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
