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

static const char verify_usage[] =
    "Usage: assay credential verify FILE|- (--key PUBLIC.pem | --jwks JWKS.json)... [--now "
    "TIME]\n"
    "                               [--json]\n"
    "Verifies an Open Badges 3.0 credential in VC-JWT form (a compact JWS): the signature of\n"
    "a trusted key (--key: a public SPKI PEM key, used whatever kid the token names when it\n"
    "is the only one; --jwks: a JWK Set whose key is chosen by the token's kid; default\n"
    "$ASSAY_ISSUER_JWKS), the credential's required fields, the iss, jti, nbf, sub and exp\n"
    "claims against it, and validFrom/validUntil at TIME (RFC 3339; default now). Prints the\n"
    "decoded credential and \"verified\", or every reason it is not; --json prints one JSON\n"
    "object instead.\n"
    "Exit status: 0 verified; 1 not valid; 2 bad command line; 3 the token or a key file\n"
    "could not be read or used.\n";

static const char sign_usage[] =
    "Usage: assay credential sign --key PRIVATE.pem [--alg RS256|EdDSA] [--kid KID |\n"
    "                             --kid-base URL] [--embed-jwk] CREDENTIAL.json|-\n"
    "Signs an OB 3.0 AchievementCredential (JSON) as a VC-JWT and prints the compact JWS.\n"
    "The key (PKCS#8 or PKCS#1 PEM; default $ASSAY_ISSUER_KEY) is RSA of at least 2048 bits\n"
    "(RS256) or Ed25519 (EdDSA). The header names the key by kid (its RFC 7638 thumbprint,\n"
    "--kid, or URL#thumbprint with --kid-base) or, with --embed-jwk, carries the public JWK.\n"
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
    int rc = EXIT_USAGE;
    char *buf = NULL;
    cred_keyset *set = NULL;
    if (keys == NULL || jwks == NULL) {
        fprintf(stderr, "assay credential verify: out of memory\n");
        rc = EXIT_UNUSABLE;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(verify_usage, stdout);
            rc = EXIT_OK;
            goto done;
        } else if (strcmp(a, "--key") == 0 && i + 1 < argc) {
            keys[nkeys++] = argv[++i];
        } else if (strcmp(a, "--jwks") == 0 && i + 1 < argc) {
            jwks[njwks++] = argv[++i];
        } else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
            now_text = argv[++i];
        } else if (strcmp(a, "--json") == 0) {
            as_json = true;
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && file == NULL) {
            file = a;
        } else {
            fprintf(stderr, "assay credential verify: unexpected argument \"%s\"\n%s", a,
                    verify_usage);
            goto done;
        }
    }
    int64_t now = (int64_t)time(NULL);
    if (file == NULL) {
        fprintf(stderr, "assay credential verify: no token file (use - for standard input)\n%s",
                verify_usage);
        goto done;
    }
    if (now_text && !cred_time_parse(now_text, &now)) {
        fprintf(stderr, "assay credential verify: --now \"%s\" is not an RFC 3339 date-time\n",
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
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(sign_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--key") == 0 && i + 1 < argc) {
            key_path = argv[++i];
        } else if (strcmp(a, "--alg") == 0 && i + 1 < argc) {
            alg_name = argv[++i];
        } else if (strcmp(a, "--kid") == 0 && i + 1 < argc) {
            kid = argv[++i];
        } else if (strcmp(a, "--kid-base") == 0 && i + 1 < argc) {
            kid_base = argv[++i];
        } else if (strcmp(a, "--embed-jwk") == 0) {
            opts.embed_jwk = true;
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && file == NULL) {
            file = a;
        } else {
            fprintf(stderr, "assay credential sign: unexpected argument \"%s\"\n%s", a,
                    sign_usage);
            return EXIT_USAGE;
        }
    }
    if (key_path == NULL) {
        key_path = getenv("ASSAY_ISSUER_KEY");
    }
    if (key_path == NULL || *key_path == '\0' || file == NULL) {
        fprintf(stderr, "assay credential sign: %s\n%s",
                file ? "no key: give --key PRIVATE.pem or set ASSAY_ISSUER_KEY"
                     : "no credential file (use - for standard input)",
                sign_usage);
        return EXIT_USAGE;
    }
    if (alg_name && (opts.alg = cred_jws_alg_from_name(alg_name)) == CRED_ALG_NONE) {
        fprintf(stderr, "assay credential sign: --alg \"%s\": RS256 or EdDSA\n", alg_name);
        return EXIT_USAGE;
    }
    if (kid && kid_base) {
        fprintf(stderr, "assay credential sign: --kid and --kid-base exclude each other\n");
        return EXIT_USAGE;
    }
    cred_key *key = NULL;
    int rc = cli_issuer_key("credential sign", key_path, false, kid_base, &key);
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
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        return cmd_verify(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "sign") == 0) {
        return cmd_sign(argc - 1, argv + 1);
    }
    bool help = argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
    if (!help) {
        fprintf(stderr, "assay credential: %s%s%s (commands: verify, sign)\n",
                argc < 2 ? "no command" : "unknown command \"", argc < 2 ? "" : argv[1],
                argc < 2 ? "" : "\"");
    }
    fputs(verify_usage, help ? stdout : stderr);
    fputs(sign_usage, help ? stdout : stderr);
    return help ? EXIT_OK : EXIT_USAGE;
}
