/*
 * credential_issue.c - `assay credential issue`: offline issuance for batch runs. Every
 * learner record of a records file (as `assay record rebuild` writes it) is checked against
 * every credential definition of the rubric directory, and each one it satisfies is
 * awarded, signed and written as one JSON line, the same "issued" event the worker pushes
 * onto P:credentials (docs/protocol.md).
 *
 * The decision and the document are the credential library's (cred_award_make), the call
 * the worker makes, so a record gives the same credential here as there. The key and the
 * definitions' salts are checked before any record is read.
 */
#include "cli.h"
#include "issuer.h"

#include "credential/award.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ISSUE "assay credential issue"

static const char issue_usage[] =
    "Usage: assay credential issue --records RECORDS.jsonl [--rubrics DIR] [--key "
    "PRIVATE.pem]\n"
    "                              [--kid KID | --kid-base URL] [--embed-jwk] [-o OUT.jsonl]\n"
    "\n"
    "Offline issuance: for each learner record of RECORDS (one record document per line, as\n"
    "assay record rebuild writes them; - for standard input) and each credential definition\n"
    "of DIR it satisfies, awards the credential exactly as the worker does (same id, same\n"
    "validFrom, same bytes) and writes one line {\"event\": \"issued\", \"learner\", \"id\",\n"
    "\"version\", \"jws\", \"credential\"} to OUT.jsonl (standard output without -o), in the\n"
    "records' order, then the definitions'. A summary goes to stderr.\n"
    "\n"
    "  --records FILE    the learner records\n"
    "  --rubrics DIR     the rubrics and credential definitions [ASSAY_RUBRICS; rubrics]\n"
    "  --key FILE        the issuer's private key, PKCS#8 or PKCS#1 PEM [ASSAY_ISSUER_KEY]\n"
    "  --kid KID         the tokens' kid [the key's RFC 7638 thumbprint]\n"
    "  --kid-base URL    kid = URL#thumbprint (URL + thumbprint when URL ends in / or #)\n"
    "  --embed-jwk       put the public JWK in the header instead of a kid\n"
    "  -o, --output FILE the issued credentials to FILE\n"
    "  -h, --help        this help\n"
    "  --version         the version\n"
    "\n"
    "A definition with a hashed subject reads its salt from the environment variable it names\n"
    "(ASSAY_SUBJECT_SALT by default).\n"
    "\n"
    "Exit status: 0 done; 1 a line of RECORDS is not a record, or a file of DIR is invalid "
    "(the\n"
    "rest is issued); 2 bad command line, no key, a salt missing; 3 the key, RECORDS, DIR or\n"
    "the output could not be read or written.\n";

enum { OPT_RECORDS = CLI_OPT_OWN, OPT_RUBRICS, OPT_KEY, OPT_KID, OPT_KID_BASE, OPT_EMBED_JWK };

typedef struct issue {
    const char *records, *rubrics, *key_path, *out_path, *kid, *kid_base;
    cred_award_options opts;
    cred_key *key;
    assay_catalog *cat;
    FILE *in, *out;
    int dir_rc; /* EXIT_FAILED when a file of the rubric directory is invalid */
    size_t nrecords, issued, not_met, bad;
} issue;

static int issue_options(issue *s, int argc, char **argv)
{
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {"records", required_argument, NULL, OPT_RECORDS},
        {"rubrics", required_argument, NULL, OPT_RUBRICS},
        {"key", required_argument, NULL, OPT_KEY},
        {"kid", required_argument, NULL, OPT_KID},
        {"kid-base", required_argument, NULL, OPT_KID_BASE},
        {"embed-jwk", no_argument, NULL, OPT_EMBED_JWK},
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    int c, rc = CLI_RUN;
    cli_getopt_begin();
    while ((c = cli_next_option(ISSUE, issue_usage, argc, argv, ":ho:", options, &rc)) > 0) {
        switch (c) {
        case OPT_RECORDS:
            s->records = optarg;
            break;
        case OPT_RUBRICS:
            s->rubrics = optarg;
            break;
        case OPT_KEY:
            s->key_path = optarg;
            break;
        case OPT_KID:
            s->kid = optarg;
            break;
        case OPT_KID_BASE:
            s->kid_base = optarg;
            break;
        case OPT_EMBED_JWK:
            s->opts.embed_jwk = true;
            break;
        case 'o':
            s->out_path = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (c == 0) {
        return rc;
    }
    if (optind < argc) {
        return cli_usage_error(ISSUE, issue_usage, "unexpected operand \"%s\"", argv[optind]);
    }
    if (s->records == NULL) {
        return cli_usage_error(ISSUE, issue_usage, "--records RECORDS.jsonl is required");
    }
    if (s->kid && s->kid_base) {
        return cli_usage_error(ISSUE, issue_usage, "--kid and --kid-base exclude each other");
    }
    if (s->key_path == NULL) {
        s->key_path = cli_env_or("ASSAY_ISSUER_KEY", NULL);
    }
    if (s->key_path == NULL) {
        return cli_usage_error(ISSUE, issue_usage,
                               "no key: give --key PRIVATE.pem or set ASSAY_ISSUER_KEY");
    }
    s->opts.kid = s->kid;
    return CLI_RUN;
}

/* The key, the definitions and their salts, the records and the output: everything that
 * can fail before the first record is read. EXIT_OK, or the exit status of the failure. */
static int issue_open(issue *s)
{
    int rc = cli_issuer_key("credential issue", s->key_path, false, s->kid_base, &s->key);
    if (rc != 0) {
        return rc;
    }
    if ((s->cat = assay_catalog_create()) == NULL) {
        fprintf(stderr, "%s: out of memory\n", ISSUE);
        return EXIT_UNUSABLE;
    }
    bool usable;
    s->dir_rc = cli_load_rubric_dir(s->cat, s->rubrics, ISSUE, &usable);
    size_t n = assay_catalog_credential_count(s->cat);
    if (n == 0) {
        fprintf(stderr,
                "%s: no credential definition in %s (a file with \"assay_credential\": "
                "1)\n",
                ISSUE, s->rubrics);
        return s->dir_rc == EXIT_UNUSABLE ? EXIT_UNUSABLE : EXIT_FAILED;
    }
    for (size_t i = 0; i < n; i++) {
        cred_error err = {0};
        char msg[1200];
        if (cred_award_check(assay_catalog_credential_get(s->cat, i), s->key, &s->opts, &err) !=
            0) {
            cred_error_format(&err, msg, sizeof(msg));
            fprintf(stderr, "%s: %s\n", ISSUE, msg);
            return err.code == CRED_E_INPUT ? EXIT_USAGE : EXIT_UNUSABLE;
        }
    }
    s->in = strcmp(s->records, "-") == 0 ? stdin : fopen(s->records, "r");
    if (s->in == NULL) {
        fprintf(stderr, "%s: %s: %s\n", ISSUE, s->records, strerror(errno));
        return EXIT_UNUSABLE;
    }
    s->out = s->out_path ? fopen(s->out_path, "w") : stdout;
    if (s->out == NULL) {
        fprintf(stderr, "%s: %s: %s\n", ISSUE, s->out_path, strerror(errno));
        return EXIT_UNUSABLE;
    }
    return EXIT_OK;
}

/* Writes one issued credential as a line. false when the output failed. */
static bool write_award(issue *s, const assay_credential_info *d, const char *learner,
                        const cred_award *a)
{
    json_t *line = json_object();
    json_object_set_new(line, "event", json_string("issued"));
    json_object_set_new(line, "learner", json_string(learner));
    json_object_set_new(line, "id", json_string(d->id));
    json_object_set_new(line, "version", json_string(d->version));
    json_object_set_new(line, "jws", json_string(a->jws));
    json_object_set_new(line, "credential", json_incref(a->credential));
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    bool ok = text && fprintf(s->out, "%s\n", text) >= 0;
    free(text);
    return ok;
}

/* Awards each definition the record satisfies. EXIT_OK, or the exit status of a failure
 * that stops the run. */
static int issue_record(issue *s, const assay_record *rec)
{
    for (size_t i = 0; i < assay_catalog_credential_count(s->cat); i++) {
        const assay_credential_def *def = assay_catalog_credential_get(s->cat, i);
        cred_award a = {0};
        cred_error err = {0};
        int rc = cred_award_make(rec, def, s->key, &s->opts, &a, &err);
        if (rc == CRED_AWARD_NOT_MET) {
            s->not_met++;
        } else if (rc == 0) {
            if (!write_award(s, assay_credential_def_info(def), assay_record_learner(rec),
                             &a)) {
                fprintf(stderr, "%s: %s: cannot write: %s\n", ISSUE,
                        s->out_path ? s->out_path : "standard output", strerror(errno));
                cred_award_finish(&a);
                return EXIT_UNUSABLE;
            }
            s->issued++;
        } else {
            char msg[1200];
            cred_error_format(&err, msg, sizeof(msg));
            fprintf(stderr, "%s: %s\n", ISSUE, msg);
            s->bad++;
        }
        cred_award_finish(&a);
    }
    return EXIT_OK;
}

static int issue_run(issue *s)
{
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int rc = EXIT_OK;
    while (rc == EXIT_OK && (n = getline(&line, &cap, s->in)) >= 0) {
        lineno++;
        if (cli_is_blank(line, (size_t)n)) {
            continue;
        }
        assay_record *rec = NULL;
        char why[700];
        if (assay_record_load_buffer(line, (size_t)n, &rec, why, sizeof(why)) != 0) {
            fprintf(stderr, "%s:%zu: %s\n", s->records, lineno, why);
            s->bad++;
            continue;
        }
        s->nrecords++;
        rc = issue_record(s, rec);
        assay_record_destroy(rec);
    }
    if (rc == EXIT_OK && ferror(s->in)) {
        fprintf(stderr, "%s: %s: %s\n", ISSUE, s->records, strerror(errno));
        rc = EXIT_UNUSABLE;
    }
    free(line);
    return rc;
}

int cmd_credential_issue(int argc, char **argv)
{
    issue s = {.rubrics = cli_env_or("ASSAY_RUBRICS", "rubrics")};
    int rc = issue_options(&s, argc, argv);
    if (rc == CLI_RUN) {
        rc = issue_open(&s);
        if (rc == EXIT_OK) {
            rc = issue_run(&s);
            if (rc == EXIT_OK && (s.bad || s.dir_rc != EXIT_OK)) {
                rc = s.dir_rc == EXIT_UNUSABLE ? EXIT_UNUSABLE : EXIT_FAILED;
            }
            size_t defs = assay_catalog_credential_count(s.cat);
            fprintf(stderr,
                    "%s: %zu record%s, %zu definition%s: %zu issued, %zu not met, %zu bad\n",
                    ISSUE, s.nrecords, s.nrecords == 1 ? "" : "s", defs, defs == 1 ? "" : "s",
                    s.issued, s.not_met, s.bad);
        }
    }
    if (s.out && s.out != stdout && fclose(s.out) != 0 && rc != EXIT_UNUSABLE) {
        fprintf(stderr, "%s: %s: %s\n", ISSUE, s.out_path, strerror(errno));
        rc = EXIT_UNUSABLE;
    } else if (s.out == stdout && fflush(stdout) != 0) {
        rc = EXIT_UNUSABLE;
    }
    if (s.in && s.in != stdin) {
        fclose(s.in);
    }
    assay_catalog_destroy(s.cat);
    cred_key_destroy(s.key);
    return rc;
}
