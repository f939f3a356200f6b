/*
 * credential_show.c - `assay credential list LEARNER` and `assay credential show LEARNER
 * ID[@VERSION]`: a learner's issued credentials, from Redis (the hash
 * P:credentials:<hex SHA-256 of the learner>, "<id>@<version>" -> the compact VC-JWT, which
 * the worker writes) or, with --file, from the "issued" lines of `assay credential issue`
 * (or of P:credentials events saved to a file).
 *
 * Tokens are shown as stored; --decode prints the credential inside one without checking
 * its signature (`assay credential verify` checks).
 */
#ifdef ASSAY_OPS
#include "ops.h"
#else
#include "cli.h"
#endif
#include "issuer.h"

#include "credential/vcjwt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char list_usage[] =
    "Usage: assay credential list [--redis URL] [--prefix P] [--json] LEARNER\n"
    "       assay credential list --file ISSUED.jsonl [--json] LEARNER\n"
    "       assay credential show [--redis URL] [--prefix P] [--decode] LEARNER ID[@VERSION]\n"
    "       assay credential show --file ISSUED.jsonl [--decode] LEARNER ID[@VERSION]\n"
    "\n"
    "A learner's issued credentials: from Redis (P:credentials:<sha256 of LEARNER>, written "
    "by\n"
    "the worker) or, with --file, from the output of assay credential issue.\n"
    "\n"
    "list     one line per credential: ID@VERSION, validFrom, validUntil, the credential's id\n"
    "         (--json: one JSON object)\n"
    "show     the compact VC-JWT of credential ID (its newest version without @VERSION);\n"
    "         --decode prints the credential inside it instead, NOT verified (assay\n"
    "         credential verify checks a token)\n"
    "\n"
    "  --file FILE      read the \"issued\" lines of FILE instead of Redis\n"
    "  --json           list: print JSON\n"
    "  --decode         show: print the decoded credential\n"
    "  --redis URL      [REDIS_URL; redis://127.0.0.1:6379]\n"
    "  --prefix P       [ASSAY_PREFIX; assay]\n"
    "  -h, --help       this help\n"
    "  --version        the version\n"
    "\n"
    "Exit status: 0 shown; 1 LEARNER has no credential (show: not that one), or a stored\n"
    "token cannot be decoded; 2 bad command line; 3 FILE could not be read, or Redis could\n"
    "not be reached or failed.\n";

enum { OPT_FILE = CLI_OPT_OWN, OPT_JSON, OPT_DECODE };

/* A learner's credentials: "<id>@<version>" and the token of each. */
typedef struct held {
    char **fields, **tokens;
    size_t n;
} held;

static void held_free(held *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->fields[i]);
        free(h->tokens[i]);
    }
    free(h->fields);
    free(h->tokens);
}

/* Adds (or, for a field held already, replaces) one credential. false: out of memory. */
static bool held_add(held *h, const char *field, size_t flen, const char *token, size_t tlen)
{
    char *f = strndup(field, flen), *t = strndup(token, tlen);
    size_t i = 0;
    while (f && i < h->n && strcmp(h->fields[i], f) != 0) {
        i++;
    }
    if (f && t && i < h->n) {
        free(h->fields[i]);
        free(h->tokens[i]);
    } else if (f && t) {
        char **nf = realloc(h->fields, (h->n + 1) * sizeof(*nf));
        if (nf) {
            h->fields = nf;
        }
        char **nt = nf ? realloc(h->tokens, (h->n + 1) * sizeof(*nt)) : NULL;
        if (nt) {
            h->tokens = nt;
            h->n++;
        }
    }
    if (f == NULL || t == NULL || i == h->n) {
        free(f);
        free(t);
        return false;
    }
    h->fields[i] = f;
    h->tokens[i] = t;
    return true;
}

/* The "issued" lines of path for learner. EXIT_OK, or EXIT_UNUSABLE after saying why. */
static int held_from_file(const char *name, const char *path, const char *learner, held *h)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", name, path, strerror(errno));
        return EXIT_UNUSABLE;
    }
    char *line = NULL, field[400];
    size_t cap = 0;
    ssize_t n;
    int rc = EXIT_OK;
    while (rc == EXIT_OK && (n = getline(&line, &cap, f)) >= 0) {
        json_t *o = json_loadb(line, (size_t)n, 0, NULL);
        const char *event = json_string_value(json_object_get(o, "event"));
        const char *who = json_string_value(json_object_get(o, "learner"));
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *version = json_string_value(json_object_get(o, "version"));
        const char *jws = json_string_value(json_object_get(o, "jws"));
        if (event && strcmp(event, "issued") == 0 && who && strcmp(who, learner) == 0 && id &&
            version && jws) {
            int fl = snprintf(field, sizeof(field), "%s@%s", id, version);
            if (fl < 0 || (size_t)fl >= sizeof(field) ||
                !held_add(h, field, (size_t)fl, jws, strlen(jws))) {
                fprintf(stderr, "%s: out of memory\n", name);
                rc = EXIT_UNUSABLE;
            }
        }
        json_decref(o);
    }
    if (rc == EXIT_OK && ferror(f)) {
        fprintf(stderr, "%s: %s: %s\n", name, path, strerror(errno));
        rc = EXIT_UNUSABLE;
    }
    free(line);
    if (f != stdin) {
        fclose(f);
    }
    return rc;
}

#ifdef ASSAY_OPS
/* HGETALL P:credentials:<h>. EXIT_OK, or EXIT_UNUSABLE after saying why. */
static int held_from_redis(ops *o, const char *learner, held *h)
{
    char key[400];
    queue_credentials_key(key, sizeof key, o->prefix, learner, strlen(learner));
    const char *argv[] = {"HGETALL", key};
    redisReply *r = ops_append(o, 2, argv, NULL) ? ops_reply(o) : NULL;
    if (r == NULL) {
        return EXIT_UNUSABLE;
    }
    int rc = EXIT_OK;
    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
        rc = ops_refused(o, "HGETALL", r);
    }
    for (size_t i = 0; rc == EXIT_OK && i + 1 < r->elements; i += 2) {
        const redisReply *f = r->element[i], *t = r->element[i + 1];
        if (f->type != REDIS_REPLY_STRING || t->type != REDIS_REPLY_STRING) {
            rc = ops_refused(o, "HGETALL", r);
        } else if (!held_add(h, f->str, f->len, t->str, t->len)) {
            fprintf(stderr, "%s: out of memory\n", o->name);
            rc = EXIT_UNUSABLE;
        }
    }
    freeReplyObject(r);
    return rc;
}
#endif

static int field_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the credentials by field (id, then version as text), keeping tokens paired. */
static void held_sort(held *h)
{
    for (size_t i = 1; i < h->n; i++) {
        for (size_t j = i; j > 0 && field_cmp(&h->fields[j - 1], &h->fields[j]) > 0; j--) {
            char *f = h->fields[j], *t = h->tokens[j];
            h->fields[j] = h->fields[j - 1];
            h->tokens[j] = h->tokens[j - 1];
            h->fields[j - 1] = f;
            h->tokens[j - 1] = t;
        }
    }
}

static const char *member(const json_t *c, const char *key)
{
    const char *s = json_string_value(json_object_get(c, key));
    return s ? s : "-";
}

static int list_credentials(const char *name, const char *learner, held *h, bool as_json)
{
    held_sort(h);
    json_t *all = json_array();
    int rc = EXIT_OK;
    for (size_t i = 0; i < h->n; i++) {
        json_t *c = NULL;
        cred_error err = {0};
        if (cred_vcjwt_peek(h->tokens[i], strlen(h->tokens[i]), &c, &err) != 0) {
            fprintf(stderr, "%s: %s: the stored token cannot be decoded: %s\n", name,
                    h->fields[i], err.message);
            rc = EXIT_FAILED;
            continue;
        }
        const char *at = strrchr(h->fields[i], '@');
        if (as_json) {
            json_array_append_new(
                all,
                json_pack("{s:s%, s:s, s:s, s:s?, s:s?}", "id", h->fields[i],
                          (size_t)(at ? at - h->fields[i] : 0), "version", at ? at + 1 : "",
                          "credential", member(c, "id"), "valid_from",
                          json_string_value(json_object_get(c, "validFrom")), "valid_until",
                          json_string_value(json_object_get(c, "validUntil"))));
        } else {
            cli_put_clean(stdout, h->fields[i], strlen(h->fields[i]));
            printf("  valid from %s until %s  %s\n", member(c, "validFrom"),
                   member(c, "validUntil"), member(c, "id"));
        }
        json_decref(c);
    }
    if (as_json) {
        json_t *o = json_pack("{s:s, s:o}", "learner", learner, "credentials", all);
        char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        if (text) {
            printf("%s\n", text);
        }
        free(text);
        json_decref(o);
    } else {
        json_decref(all);
    }
    return rc;
}

/* The index of ID[@VERSION] among h's fields: that version, or the newest by dotted
 * version order; -1 when none. */
static long find_credential(const held *h, const char *want)
{
    long best = -1;
    const char *at = strchr(want, '@');
    size_t idlen = at ? (size_t)(at - want) : strlen(want);
    for (size_t i = 0; i < h->n; i++) {
        const char *f = h->fields[i];
        const char *fat = strrchr(f, '@');
        if (fat == NULL || (size_t)(fat - f) != idlen || strncmp(f, want, idlen) != 0) {
            continue;
        }
        if (at) {
            if (strcmp(fat + 1, at + 1) == 0) {
                return (long)i;
            }
        } else if (best < 0 ||
                   assay_version_cmp(fat + 1, strrchr(h->fields[best], '@') + 1) > 0) {
            best = (long)i;
        }
    }
    return best;
}

static int show_credential(const char *name, const char *learner, const held *h,
                           const char *want, bool decode)
{
    long i = find_credential(h, want);
    if (i < 0) {
        fprintf(stderr, "%s: learner \"", name);
        cli_put_clean(stderr, learner, strlen(learner));
        fprintf(stderr, "\" has no credential %s (%zu other%s)\n", want, h->n,
                h->n == 1 ? "" : "s");
        return EXIT_FAILED;
    }
    const char *token = h->tokens[i];
    if (!decode) {
        printf("%s\n", token);
        return EXIT_OK;
    }
    json_t *c = NULL;
    cred_error err = {0};
    if (cred_vcjwt_peek(token, strlen(token), &c, &err) != 0) {
        fprintf(stderr, "%s: %s: the stored token cannot be decoded: %s\n", name, h->fields[i],
                err.message);
        return EXIT_FAILED;
    }
    char *text = json_dumps(c, JSON_INDENT(2));
    if (text) {
        printf("%s\n", text);
    }
    free(text);
    json_decref(c);
    fprintf(stderr, "%s: decoded, not verified (assay credential verify checks the token)\n",
            name);
    return EXIT_OK;
}

int cmd_credential_list_show(int argc, char **argv, bool is_show)
{
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
#ifdef ASSAY_OPS
        OPS_OPTIONS,
#endif
        {"file", required_argument, NULL, OPT_FILE},
        {"json", no_argument, NULL, OPT_JSON},
        {"decode", no_argument, NULL, OPT_DECODE},
        {NULL, 0, NULL, 0},
    };
    const char *name = is_show ? "assay credential show" : "assay credential list";
    const char *file = NULL;
    bool as_json = false, decode = false;
#ifdef ASSAY_OPS
    ops o;
    ops_init(&o, name, list_usage);
#endif
    cli_getopt_begin();
    int c, rc = CLI_RUN;
    while ((c = cli_next_option(name, list_usage, argc, argv, ":h", options, &rc)) > 0) {
        bool mine =
            c == OPT_FILE || (c == OPT_JSON && !is_show) || (c == OPT_DECODE && is_show);
        if (!mine && (c == OPT_JSON || c == OPT_DECODE)) {
            return cli_usage_error(name, list_usage, "%s is for %s", argv[optind - 1],
                                   is_show ? "list" : "show");
        }
        file = c == OPT_FILE ? optarg : file;
        as_json = as_json || c == OPT_JSON;
        decode = decode || c == OPT_DECODE;
#ifdef ASSAY_OPS
        ops_option(&o, c);
#endif
    }
    if (c == 0) {
        return rc;
    }
    int want = is_show ? 2 : 1;
    if (argc - optind != want || argv[optind][0] == '\0') {
        return cli_usage_error(name, list_usage, "%s",
                               is_show ? "LEARNER and ID[@VERSION] are needed"
                                       : "one LEARNER is needed");
    }
    const char *learner = argv[optind];
    held h = {0};
    if (file) {
        rc = held_from_file(name, file, learner, &h);
    } else {
#ifdef ASSAY_OPS
        if ((rc = ops_check(&o)) == EXIT_OK && (rc = ops_connect(&o)) == EXIT_OK) {
            rc = held_from_redis(&o, learner, &h);
            ops_close(&o);
        }
#else
        fprintf(stderr,
                "%s: Redis needs assay built with hiredis (meson -Dworker=enabled); --file "
                "reads assay credential issue's output\n",
                name);
        rc = EXIT_USAGE;
#endif
    }
    if (rc == EXIT_OK && h.n == 0) {
        fprintf(stderr, "%s: learner \"", name);
        cli_put_clean(stderr, learner, strlen(learner));
        fprintf(stderr, "\" has no credential\n");
        rc = EXIT_FAILED;
    } else if (rc == EXIT_OK) {
        rc = is_show ? show_credential(name, learner, &h, argv[optind + 1], decode)
                     : list_credentials(name, learner, &h, as_json);
    }
    held_free(&h);
    return rc;
}
