/*
 * main.c - the `assay` command-line tool: subcommand dispatch, help and version, and the
 * helpers the subcommands share.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    "Open Badges 3.0 credentials (assay credential --help for more):\n"
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
    "Options:\n"
    "  --graded-at TIME    fix the results' \"graded_at\" (RFC 3339); also $SOURCE_DATE_EPOCH\n"
    "  --pretty            indent the result JSON (grade)\n"
    "  -h, --help          show this help\n"
    "  --version           show the version\n"
    "\n"
    "Exit status: 0 success; 1 an invalid rubric or a submission that could not be graded;\n"
    "2 bad command line; 3 a rubric or input file could not be loaded or read, or Redis\n"
    "could not be reached or failed. dead requeue: 1 when an ID was not found.\n";

void cli_print_diags(FILE *f, const assay_diags *d)
{
    char line[1200];
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
        fprintf(f, "%s\n", line);
    }
}

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
        char *nb = realloc(buf, cap * 2 + 1);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (f != stdin) {
        int saved = errno;
        fclose(f);
        errno = saved;
    }
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

const char *cli_graded_at(const char *flag, char *buf, size_t size)
{
    if (flag) {
        return flag;
    }
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch) {
        char *end;
        long long v = strtoll(epoch, &end, 10);
        if (*end == '\0' && v >= 0) {
            time_t t = (time_t)v;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
            return buf;
        }
    }
    return NULL;
}

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
    if (strcmp(cmd, "credential") == 0) {
        return cmd_credential(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "issuer") == 0) {
        return cmd_issuer(argc - 1, argv + 1);
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
