/*
 * credential.c - `assay credential verify` (check an Open Badges 3.0 VC-JWT against a public
 * key or a JWK Set: signature, credential, claims, validity dates) and `assay credential
 * sign` (sign a given credential JSON, for tests and demos; issuance calls the library).
 *
 * Keys are named by flags or ASSAY_ISSUER_KEY / ASSAY_ISSUER_JWKS and never printed.
 */
#include "cli.h"
#include "issuer.h"

#include "credential/keyset.h"
#include "credential/vcjwt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VERIFY "assay credential verify"
#define SIGN   "assay credential sign"

static const char credential_usage[] =
    "Usage: assay credential issue --records RECORDS.jsonl [--rubrics DIR] [--key KEY.pem]\n"
    "                              [-o OUT.jsonl]\n"
    "       assay credential list [--file ISSUED.jsonl] LEARNER\n"
    "       assay credential show [--file ISSUED.jsonl] [--decode] LEARNER ID[@VERSION]\n"
    "       assay credential verify FILE|- (--key PUBLIC.pem | --jwks JWKS.json)...\n"
    "                               [--now TIME] [--json]\n"
    "       assay credential sign [--key KEY.pem] [--alg RS256|EdDSA]\n"
    "                             [--kid KID | --kid-base URL] [--embed-jwk] FILE|-\n"
    "\n"
    "Open Badges 3.0 credentials as VC-JWTs (docs/credentials.md).\n"
    "\n"
    "issue    awards the credentials that learner records satisfy, offline (batch runs)\n"
    "list     a learner's issued credentials, from Redis or issue's output\n"
    "show     one of them: its token, or the credential decoded\n"
    "verify   checks a token: signature, credential, claims, validity dates\n"
    "sign     signs a credential JSON (tests and demos)\n"
    "\n"
    "assay credential COMMAND --help shows a command's options and exit status.\n";

enum {
    OPT_KEY = CLI_OPT_OWN,
    OPT_JWKS,
    OPT_NOW,
    OPT_JSON,
    OPT_ALG,
    OPT_KID,
    OPT_KID_BASE,
    OPT_EMBED_JWK
};

static const char verify_usage[] =
    "Usage: assay credential verify FILE|- (--key PUBLIC.pem | --jwks JWKS.json)...\n"
    "                               [--now TIME] [--json]\n"
    "\n"
    "Verifies an Open Badges 3.0 credential in VC-JWT form (a compact JWS): the signature of\n"
    "a trusted key, the credential's required fields, the iss, jti, nbf, sub and exp claims\n"
    "against it, and validFrom/validUntil at TIME. Prints the decoded credential and\n"
    "\"verified\", or every reason it is not.\n"
    "\n"
    "  --key FILE      a public key (SPKI PEM); alone, it is used whatever kid the token "
    "names\n"
    "  --jwks FILE     a JWK Set; the token's kid chooses the key [ASSAY_ISSUER_JWKS]\n"
    "  --now TIME      check the validity dates at TIME (RFC 3339) [now]\n"
    "  --json          print one JSON object: verified, reasons, kid, alg, header, credential\n"
    "  -h, --help      this help\n"
    "  --version       the version\n"
    "\n"
    "Exit status: 0 verified; 1 not valid; 2 bad command line; 3 the token or a key file\n"
    "could not be read or used.\n";

static const char sign_usage[] =
    "Usage: assay credential sign [--key PRIVATE.pem] [--alg RS256|EdDSA]\n"
    "                             [--kid KID | --kid-base URL] [--embed-jwk] "
    "CREDENTIAL.json|-\n"
    "\n"
    "Signs an OB 3.0 AchievementCredential (JSON) as a VC-JWT and prints the compact JWS (for\n"
    "tests and demos: issuance signs through the library). The key (PKCS#8 or PKCS#1 PEM) is\n"
    "RSA of at least 2048 bits (RS256) or Ed25519 (EdDSA).\n"
    "\n"
    "  --key FILE       the private key [ASSAY_ISSUER_KEY]\n"
    "  --alg ALG        RS256 or EdDSA; must fit the key [the key's own]\n"
    "  --kid KID        the header's kid [the key's RFC 7638 thumbprint]\n"
    "  --kid-base URL   kid = URL#thumbprint (URL + thumbprint when URL ends in / or #)\n"
    "  --embed-jwk      put the public JWK in the header instead of a kid\n"
    "  -h, --help       this help\n"
    "  --version        the version\n"
    "\n"
    "Exit status: 0 signed; 1 not an OB 3.0 credential; 2 bad command line; 3 the key or the\n"
    "credential could not be read or used.\n";

/* Strips ASCII white space at both ends of buf[0..*len) in place; returns the start. */
static char *trim(char *buf, size_t *len)
{
    size_t a = 0, b = *len;
    while (a < b && strchr(" \t\r\n", buf[a]) && buf[a]) {
        a++;
    }
    while (b > a && strchr(" \t\r\n", buf[b - 1]) && buf[b - 1]) {
        b--;
    }
    *len = b - a;
    return buf + a;
}

static void print_json(FILE *f, const json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2));
    if (text) {
        fprintf(f, "%s\n", text);
        free(text);
    }
}

static json_t *result_json(const cred_vcjwt_result *r)
{
    json_t *reasons = json_array();
    for (size_t i = 0; i < r->reason_count; i++) {
        json_array_append_new(
            reasons, json_pack("{s:s, s:s, s:s}", "code", cred_err_name(r->reasons[i].code),
                               "where", r->reasons[i].where, "message", r->reasons[i].message));
    }
    json_t *o = json_pack("{s:b, s:o}", "verified", r->verified, "reasons", reasons);
    if (o && r->key) {
        json_object_set_new(o, "kid", json_string(cred_key_kid(r->key)));
        json_object_set_new(o, "alg", json_incref(json_object_get(r->header, "alg")));
    }
    if (o && r->header) {
        json_object_set_new(o, "header", json_incref(r->header));
    }
    if (o && r->credential) {
        json_object_set_new(o, "credential", json_incref(r->credential));
    }
    return o;
}

/* Adds the keys named by --key / --jwks (or $ASSAY_ISSUER_JWKS) to set. */
static int load_trusted(cred_keyset *set, const char **keys, size_t nkeys, const char **jwks,
                        size_t njwks)
{
    cred_error err = {0};
    char msg[1024];
    const char *env = getenv("ASSAY_ISSUER_JWKS");
    if (nkeys + njwks == 0 && env && *env) {
        jwks[njwks++] = env;
    }
    if (nkeys + njwks == 0) {
        fprintf(stderr, "assay credential verify: no trusted key: give --key PUBLIC.pem or "
                        "--jwks JWKS.json (or set ASSAY_ISSUER_JWKS)\n");
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < nkeys; i++) {
        cred_key *k = NULL;
        if (cred_key_load_public_file(keys[i], &k, &err) != 0 ||
            cred_keyset_add(set, k, &err) != 0) {
            cred_error_format(&err, msg, sizeof(msg));
            fprintf(stderr, "assay credential verify: %s\n", msg);
            return EXIT_UNUSABLE;
        }
    }
    for (size_t i = 0; i < njwks; i++) {
        if (cred_keyset_load_jwks_file(set, jwks[i], &err) != 0) {
            cred_error_format(&err, msg, sizeof(msg));
            fprintf(stderr, "assay credential verify: %s\n", msg);
            return EXIT_UNUSABLE;
        }
    }
    return EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
    const char *file = NULL, *now_text = NULL;
    const char **keys = calloc((size_t)argc + 1, sizeof(*keys));
    const char **jwks = calloc((size_t)argc + 2, sizeof(*jwks));
    size_t nkeys = 0, njwks = 0;
    bool as_json = false;
    int rc = CLI_RUN;
    char *buf = NULL;
    cred_keyset *set = NULL;
    if (keys == NULL || jwks == NULL) {
        fprintf(stderr, "assay credential verify: out of memory\n");
        rc = EXIT_UNUSABLE;
        goto done;
    }
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {"key", required_argument, NULL, OPT_KEY},
        {"jwks", required_argument, NULL, OPT_JWKS},
        {"now", required_argument, NULL, OPT_NOW},
        {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0},
    };
    int c;
    cli_getopt_begin();
    while ((c = cli_next_option(VERIFY, verify_usage, argc, argv, ":h", options, &rc)) > 0) {
        if (c == OPT_KEY) {
            keys[nkeys++] = optarg;
        } else if (c == OPT_JWKS) {
            jwks[njwks++] = optarg;
        } else if (c == OPT_NOW) {
            now_text = optarg;
        } else if (c == OPT_JSON) {
            as_json = true;
        }
    }
    if (c == 0) {
        goto done;
    }
    rc = EXIT_USAGE;
    int64_t now = (int64_t)time(NULL);
    if (argc - optind != 1) {
        rc = cli_usage_error(VERIFY, verify_usage, "%s",
                             optind == argc ? "no token file (use - for standard input)"
                                            : "one token file only");
        goto done;
    }
    file = argv[optind];
    if (now_text && !cred_time_parse(now_text, &now)) {
        rc = cli_usage_error(VERIFY, verify_usage, "--now \"%s\" is not an RFC 3339 date-time",
                             now_text);
        goto done;
    }
    if ((set = cred_keyset_create()) == NULL) {
        rc = EXIT_UNUSABLE;
        goto done;
    }
    if ((rc = load_trusted(set, keys, nkeys, jwks, njwks)) != EXIT_OK) {
        goto done;
    }
    size_t len = 0;
    if ((buf = cli_read_file(file, &len)) == NULL) {
        fprintf(stderr, "assay credential verify: %s: cannot read: %s\n", file,
                strerror(errno));
        rc = EXIT_UNUSABLE;
        goto done;
    }
    char *token = trim(buf, &len);
    cred_jws_verify_options vopts = {.single_key_any_kid = nkeys == 1 && njwks == 0};
    cred_vcjwt_result r = {0};
    cred_vcjwt_verify(token, len, set, &vopts, now, &r);
    if (as_json) {
        json_t *o = result_json(&r);
        print_json(stdout, o);
        json_decref(o);
    } else {
        if (r.credential) {
            print_json(stdout, r.credential);
        }
        if (r.verified) {
            printf("verified: signed by %s (%s)\n", cred_key_kid(r.key),
                   json_string_value(json_object_get(r.header, "alg")));
        } else {
            printf("not verified: %zu reason%s\n", r.reason_count,
                   r.reason_count == 1 ? "" : "s");
            char msg[1024];
            for (size_t i = 0; i < r.reason_count; i++) {
                cred_error_format(&r.reasons[i], msg, sizeof(msg));
                printf("  %s: %s\n", cred_err_name(r.reasons[i].code), msg);
            }
        }
    }
    rc = r.verified ? EXIT_OK : EXIT_FAILED;
    cred_vcjwt_result_finish(&r);
done:
    free(buf);
    free(keys);
    free(jwks);
    cred_keyset_destroy(set);
    return rc;
}

static int cmd_sign(int argc, char **argv)
{
    const char *file = NULL, *key_path = NULL, *alg_name = NULL, *kid = NULL, *kid_base = NULL;
    cred_jws_sign_options opts = {0};
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {"key", required_argument, NULL, OPT_KEY},
        {"alg", required_argument, NULL, OPT_ALG},
        {"kid", required_argument, NULL, OPT_KID},
        {"kid-base", required_argument, NULL, OPT_KID_BASE},
        {"embed-jwk", no_argument, NULL, OPT_EMBED_JWK},
        {NULL, 0, NULL, 0},
    };
    int c, rc = CLI_RUN;
    cli_getopt_begin();
    while ((c = cli_next_option(SIGN, sign_usage, argc, argv, ":h", options, &rc)) > 0) {
        if (c == OPT_KEY) {
            key_path = optarg;
        } else if (c == OPT_ALG) {
            alg_name = optarg;
        } else if (c == OPT_KID) {
            kid = optarg;
        } else if (c == OPT_KID_BASE) {
            kid_base = optarg;
        } else if (c == OPT_EMBED_JWK) {
            opts.embed_jwk = true;
        }
    }
    if (c == 0) {
        return rc;
    }
    if (argc - optind != 1) {
        return cli_usage_error(SIGN, sign_usage, "%s",
                               optind == argc ? "no credential file (use - for standard input)"
                                              : "one credential file only");
    }
    file = argv[optind];
    if (key_path == NULL) {
        key_path = cli_env_or("ASSAY_ISSUER_KEY", NULL);
    }
    if (key_path == NULL || *key_path == '\0') {
        return cli_usage_error(SIGN, sign_usage,
                               "no key: give --key PRIVATE.pem or set ASSAY_ISSUER_KEY");
    }
    if (alg_name && (opts.alg = cred_jws_alg_from_name(alg_name)) == CRED_ALG_NONE) {
        return cli_usage_error(SIGN, sign_usage, "--alg \"%s\": RS256 or EdDSA", alg_name);
    }
    if (kid && kid_base) {
        return cli_usage_error(SIGN, sign_usage, "--kid and --kid-base exclude each other");
    }
    cred_key *key = NULL;
    rc = cli_issuer_key("credential sign", key_path, false, kid_base, &key);
    if (rc != 0) {
        return rc;
    }
    if (opts.alg != CRED_ALG_NONE && opts.alg != cred_key_alg(key)) {
        fprintf(stderr, "assay credential sign: --alg %s needs %s key; %s is an %s key\n",
                alg_name, opts.alg == CRED_ALG_RS256 ? "an RSA" : "an Ed25519", key_path,
                cred_key_type_name(key));
        cred_key_destroy(key);
        return EXIT_USAGE;
    }
    opts.kid = kid;
    json_error_t je;
    json_t *cred = strcmp(file, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &je)
                                          : json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    char *token = NULL;
    cred_error err = {0};
    char msg[1024];
    if (cred == NULL) {
        fprintf(stderr, "assay credential sign: %s:%d:%d: %s\n", file, je.line, je.column,
                je.text);
        rc = EXIT_UNUSABLE;
    } else if ((rc = cred_vcjwt_sign(cred, key, &opts, &token, &err)) != 0) {
        cred_error_format(&err, msg, sizeof(msg));
        fprintf(stderr, "assay credential sign: %s: %s\n", file, msg);
        rc = rc == CRED_E_CREDENTIAL ? EXIT_FAILED : EXIT_UNUSABLE;
    } else {
        printf("%s\n", token);
        rc = EXIT_OK;
    }
    free(token);
    json_decref(cred);
    cred_key_destroy(key);
    return rc;
}

int cmd_credential(int argc, char **argv)
{
    /* Options before the subcommand: "+" stops at the first operand, the subcommand. */
    int rc = cli_common_options_only("assay credential", credential_usage, argc, argv, "+:h");
    if (rc != CLI_RUN) {
        return rc;
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    argc -= optind;
    argv += optind;
    if (sub && strcmp(sub, "verify") == 0) {
        return cmd_verify(argc, argv);
    }
    if (sub && strcmp(sub, "sign") == 0) {
        return cmd_sign(argc, argv);
    }
    if (sub && strcmp(sub, "issue") == 0) {
        return cmd_credential_issue(argc, argv);
    }
    if (sub && (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0)) {
        return cmd_credential_list_show(argc, argv, sub[0] == 's');
    }
    return cli_usage_error("assay credential", credential_usage, "%s",
                           sub ? "unknown command (issue, list, show, verify or sign)"
                               : "no command (issue, list, show, verify or sign)");
}
