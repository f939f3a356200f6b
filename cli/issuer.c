/*
 * issuer.c - `assay issuer jwks`: the public JWK Set of the issuer's keys, to publish at
 * the URL the tokens' kid names; and the key loading `assay credential sign` shares.
 *
 * Private keys are read through the credential library (GnuTLS); only public members are
 * ever printed, and key material never appears in a message.
 */
#include "issuer.h"

#include "cli.h"
#include "credential/keyset.h"

#include <stdlib.h>
#include <string.h>

static const char jwks_usage[] =
    "Usage: assay issuer jwks [--key KEY.pem]... [--kid-base URL]\n"
    "\n"
    "Prints the public JWK Set of the issuer's keys (private PEM keys, PKCS#8 or PKCS#1, or\n"
    "public SPKI PEM) to publish where the tokens' kid points. Only public members are\n"
    "printed.\n"
    "\n"
    "  --key FILE       a key; repeat for several [ASSAY_ISSUER_KEY]\n"
    "  --kid-base URL   kid = URL#thumbprint (URL + thumbprint when URL ends in / or #)\n"
    "                   [the key's RFC 7638 thumbprint]\n"
    "  -h, --help       this help\n"
    "  --version        the version\n"
    "\n"
    "Exit status: 0 printed; 2 bad command line; 3 a key could not be read or used.\n";

static const char issuer_usage[] =
    "Usage: assay issuer jwks [--key KEY.pem]... [--kid-base URL]\n"
    "\n"
    "The issuer's keys (docs/credentials.md, \"Keys\").\n"
    "\n"
    "jwks     the public JWK Set to publish at the URL the tokens' kid names\n"
    "\n"
    "assay issuer COMMAND --help shows a command's options and exit status.\n";

#define JWKS "assay issuer jwks"

enum { OPT_KEY = CLI_OPT_OWN, OPT_KID_BASE };

int cli_issuer_key(const char *cmd, const char *path, bool allow_public, const char *kid_base,
                   cred_key **out)
{
    cred_error err = {0};
    char msg[1024];
    cred_key *key = NULL;
    int rc = cred_key_load_private_file(path, &key, &err);
    if (rc == CRED_E_KEY && allow_public) {
        /* Not a private key: a public one will do; report its problem unless it is not one
         * either, in which case the private key's message is the better one. */
        cred_error perr = {0};
        int prc = cred_key_load_public_file(path, &key, &perr);
        if (prc == 0 || prc != CRED_E_KEY) {
            rc = prc;
            err = perr;
        }
    }
    if (rc != 0) {
        cred_error_format(&err, msg, sizeof(msg));
        fprintf(stderr, "assay %s: %s\n", cmd, msg);
        return EXIT_UNUSABLE;
    }
    unsigned mode = 0;
    if (cred_key_has_private(key) && cred_key_file_exposed(path, &mode)) {
        fprintf(stderr,
                "assay %s: warning: %s: private key file is readable by group or others "
                "(mode %04o); chmod 600 it\n",
                cmd, path, mode);
    }
    if (kid_base && (rc = cred_key_set_kid_base(key, kid_base)) != 0) {
        fprintf(stderr, "assay %s: --kid-base \"%s\": %s\n", cmd, kid_base,
                rc == CRED_E_ARG ? "not an absolute URI" : cred_strerror(rc));
        cred_key_destroy(key);
        return rc == CRED_E_ARG ? EXIT_USAGE : EXIT_UNUSABLE;
    }
    *out = key;
    return 0;
}

static int cmd_jwks(int argc, char **argv)
{
    const char *kid_base = NULL;
    const char **paths = calloc((size_t)argc + 1, sizeof(*paths));
    size_t n = 0;
    int rc = EXIT_USAGE;
    if (paths == NULL) {
        fprintf(stderr, "assay issuer jwks: out of memory\n");
        return EXIT_UNUSABLE;
    }
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {"key", required_argument, NULL, OPT_KEY},
        {"kid-base", required_argument, NULL, OPT_KID_BASE},
        {NULL, 0, NULL, 0},
    };
    int c;
    rc = CLI_RUN;
    cli_getopt_begin();
    while ((c = cli_next_option(JWKS, jwks_usage, argc, argv, ":h", options, &rc)) > 0) {
        if (c == OPT_KEY) {
            paths[n++] = optarg;
        } else if (c == OPT_KID_BASE) {
            kid_base = optarg;
        }
    }
    if (c == 0) {
        goto done;
    }
    if (optind < argc) {
        rc = cli_usage_error(JWKS, jwks_usage,
                             "unexpected operand \"%s\" (keys are named by --key)",
                             argv[optind]);
        goto done;
    }
    const char *env = getenv("ASSAY_ISSUER_KEY");
    if (n == 0 && env && *env) {
        paths[n++] = env;
    }
    if (n == 0) {
        rc = cli_usage_error(JWKS, jwks_usage,
                             "no key: give --key KEY.pem or set ASSAY_ISSUER_KEY");
        goto done;
    }
    cred_keyset *set = cred_keyset_create();
    rc = set ? EXIT_OK : EXIT_UNUSABLE;
    for (size_t i = 0; set && i < n && rc == EXIT_OK; i++) {
        cred_key *key = NULL;
        cred_error err = {0};
        if ((rc = cli_issuer_key("issuer jwks", paths[i], true, kid_base, &key)) != 0) {
            break;
        }
        if (cred_keyset_find_same(set, key)) {
            fprintf(stderr,
                    "assay issuer jwks: %s: the same key as an earlier one; listed once\n",
                    paths[i]);
            cred_key_destroy(key);
        } else if (cred_keyset_add(set, key, &err) != 0) {
            fprintf(stderr, "assay issuer jwks: %s: %s\n", paths[i], err.message);
            rc = EXIT_UNUSABLE;
        }
    }
    if (rc == EXIT_OK) {
        json_t *jwks = cred_keyset_to_jwks(set);
        char *text = jwks ? json_dumps(jwks, JSON_INDENT(2)) : NULL;
        if (text) {
            printf("%s\n", text);
        } else {
            fprintf(stderr, "assay issuer jwks: out of memory\n");
            rc = EXIT_UNUSABLE;
        }
        free(text);
        json_decref(jwks);
    }
    cred_keyset_destroy(set);
done:
    free(paths);
    return rc;
}

int cmd_issuer(int argc, char **argv)
{
    /* Options before the subcommand: "+" stops at the first operand, the subcommand. */
    int rc = cli_common_options_only("assay issuer", issuer_usage, argc, argv, "+:h");
    if (rc != CLI_RUN) {
        return rc;
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    if (sub && strcmp(sub, "jwks") == 0) {
        return cmd_jwks(argc - optind, argv + optind);
    }
    return cli_usage_error("assay issuer", issuer_usage, "%s",
                           sub ? "unknown command (jwks)" : "no command (jwks)");
}
