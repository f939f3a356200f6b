/*
 * record.c - `assay record`: learners' competency records (docs/records.md).
 *
 *   rebuild  applies every result of a JSON-Lines file, in file order, to its learner's
 *            record with the library code the worker uses, and writes one record document
 *            per line, sorted by learner;
 *   show     prints one learner's record, from Redis (P:record:<sha256 of learner>) or from
 *            a rebuild's output (--file);
 *   delete   erases a learner's record and credentials from Redis.
 *
 * The records themselves are the library's (<assay/record.h>); this file reads files, talks
 * to Redis through ops.c (when built with hiredis) and prints.
 */
#ifdef ASSAY_OPS
#include "ops.h"
#else
#include "cli.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char record_usage[] =
    "Usage: assay record rebuild --jsonl RESULTS [--rubrics DIR] [-o RECORDS.jsonl]\n"
    "       assay record show [--json] [--redis URL] [--prefix P] LEARNER\n"
    "       assay record show --file RECORDS.jsonl [--json] LEARNER\n"
    "       assay record delete [--redis URL] [--prefix P] LEARNER\n"
    "\n"
    "A learner's record holds, per competency, the scores of every graded submission as\n"
    "evidence and the value its calculation method gives (docs/records.md).\n"
    "\n"
    "rebuild  reads the results of RESULTS (- for standard input; one JSON object per line,\n"
    "         oldest first: the order they were pushed onto P:results, or the output of\n"
    "         assay grade --jsonl), applies each graded result that names a learner to that\n"
    "         learner's record, exactly as the worker does, and writes the records, one\n"
    "         document per line sorted by learner, to RECORDS.jsonl (standard output\n"
    "         without -o). Results of rubrics not in DIR and lines that are no result are\n"
    "         reported with their line number and skipped. A progress bar on stderr when it\n"
    "         is a terminal; a summary on stderr at the end.\n"
    "show     prints LEARNER's record: each competency's value, level, method and evidence,\n"
    "         oldest first; --json prints the record document itself (as rebuild writes\n"
    "         it). From Redis, or with --file from a rebuild's output.\n"
    "delete   erases LEARNER's record and credentials from Redis (results already pushed\n"
    "         onto P:results are not touched: docs/records.md, \"Erasure\").\n"
    "\n"
    "  --jsonl RESULTS     the results to rebuild from\n"
    "  --rubrics DIR       the rubrics that graded them [ASSAY_RUBRICS; rubrics]\n"
    "  -o, --output FILE   the records to FILE instead of standard output\n"
    "  --file FILE         show: read the record from a rebuild's output\n"
    "  --json              show: print the record document\n"
    "  --redis URL         [REDIS_URL; redis://127.0.0.1:6379]\n"
    "  --prefix P          [ASSAY_PREFIX; assay]\n"
    "  -h, --help          this help\n"
    "  --version           the version\n"
    "\n"
    "Exit status: 0 done; 1 a line of RESULTS could not be applied, a rubric of DIR is\n"
    "invalid, or LEARNER has no record (delete: no record and no credentials); 2 bad\n"
    "command line; 3 a file could not be read or written, or Redis could not be reached or\n"
    "failed.\n";

enum { OPT_JSONL = CLI_OPT_OWN, OPT_RUBRICS, OPT_FILE, OPT_JSON };

/* ---- rebuild --------------------------------------------------------------------------- */

typedef struct rebuild {
    const char *in_path, *out_path, *rubrics;
    FILE *in, *out;
    assay_catalog *cat;
    json_t *index; /* learner -> position in recs */
    assay_record **recs;
    size_t nrecs, cap;
    off_t size; /* of a regular input file, for the progress bar; 0 unknown */
    bool show;
    double last_draw;
    size_t lines, applied, stale, ungraded, no_learner, bad;
} rebuild;

static void rebuild_draw(rebuild *b, bool force)
{
    double now = cli_now_s();
    if (!b->show || (!force && now - b->last_draw < 0.1)) {
        return;
    }
    b->last_draw = now;
    off_t pos = ftello(b->in);
    double frac = b->size > 0 && pos > 0 ? (double)pos / (double)b->size : 0;
    char bar[CLI_BAR_WIDTH + 1];
    cli_bar(bar, frac > 1 ? 1 : frac);
    fprintf(stderr, "\rrebuilding [%s] %3d%%  %zu results ", bar, (int)(frac * 100), b->lines);
    fflush(stderr);
}

/* The record of learner, made when it is the learner's first result. NULL: no memory. */
static assay_record *record_for(rebuild *b, const char *learner)
{
    json_t *at = json_object_get(b->index, learner);
    if (at) {
        return b->recs[json_integer_value(at)];
    }
    if (b->nrecs == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        assay_record **v = realloc(b->recs, cap * sizeof(*v));
        if (v == NULL) {
            return NULL;
        }
        b->recs = v;
        b->cap = cap;
    }
    assay_record *r = assay_record_create(learner);
    if (r == NULL ||
        json_object_set_new(b->index, learner, json_integer((json_int_t)b->nrecs)) != 0) {
        assay_record_destroy(r);
        return NULL;
    }
    b->recs[b->nrecs++] = r;
    return r;
}

/* Applies one line. false only when out of memory (a bad line is counted and reported). */
static bool rebuild_line(rebuild *b, const char *text, size_t len)
{
    json_error_t je;
    json_t *res = json_loadb(text, len, JSON_ALLOW_NUL, &je);
    char why[700] = "";
    if (res == NULL) {
        fprintf(stderr, "%s:%zu: not JSON: %s (column %d)\n", b->in_path, b->lines, je.text,
                je.column);
        b->bad++;
        return true;
    }
    assay_record_evidence ev;
    int rc = assay_record_evidence_from_result(res, &ev, why, sizeof why);
    if (rc == 0) {
        assay_record *r = record_for(b, ev.learner);
        rc = r ? assay_record_apply(r, b->cat, &ev, NULL, why, sizeof why) : ASSAY_E_NOMEM;
        assay_record_evidence_finish(&ev);
    }
    json_decref(res);
    switch (rc) {
    case ASSAY_RECORD_APPLIED:
        b->applied++;
        break;
    case ASSAY_RECORD_STALE:
        b->stale++;
        break;
    case ASSAY_RECORD_NOT_GRADED:
        b->ungraded++;
        break;
    case ASSAY_RECORD_NO_LEARNER:
        b->no_learner++;
        break;
    case ASSAY_E_NOMEM:
        return false;
    default:
        if (b->show) {
            fputc('\n', stderr);
        }
        fprintf(stderr, "%s:%zu: ", b->in_path, b->lines);
        cli_put_clean(stderr, why, strlen(why));
        fputc('\n', stderr);
        b->bad++;
    }
    return true;
}

static int learner_cmp(const void *x, const void *y)
{
    return strcmp(assay_record_learner(*(assay_record *const *)x),
                  assay_record_learner(*(assay_record *const *)y));
}

/* Writes the records sorted by learner. EXIT_OK or EXIT_UNUSABLE. */
static int rebuild_write(rebuild *b)
{
    if (b->nrecs > 1) {
        qsort(b->recs, b->nrecs, sizeof(*b->recs), learner_cmp);
    }
    for (size_t i = 0; i < b->nrecs; i++) {
        char *doc = assay_record_dumps(b->recs[i]);
        int w = doc ? fprintf(b->out, "%s\n", doc) : -1;
        free(doc);
        if (w < 0) {
            fprintf(stderr, "assay record rebuild: cannot write %s\n",
                    b->out_path ? b->out_path : "standard output");
            return EXIT_UNUSABLE;
        }
    }
    if (fflush(b->out) != 0) {
        fprintf(stderr, "assay record rebuild: cannot write %s: %s\n",
                b->out_path ? b->out_path : "standard output", strerror(errno));
        return EXIT_UNUSABLE;
    }
    return EXIT_OK;
}

/* Reads every line of the input. EXIT_OK, or EXIT_UNUSABLE (reading, memory). */
static int rebuild_read(rebuild *b)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int rc = EXIT_OK;
    while ((got = getline(&line, &cap, b->in)) >= 0) {
        b->lines++;
        if (!cli_is_blank(line, (size_t)got) && !rebuild_line(b, line, (size_t)got)) {
            fprintf(stderr, "assay record rebuild: out of memory\n");
            rc = EXIT_UNUSABLE;
            break;
        }
        rebuild_draw(b, false);
    }
    free(line);
    rebuild_draw(b, true);
    if (b->show) {
        fputc('\n', stderr);
    }
    if (rc == EXIT_OK && ferror(b->in)) {
        fprintf(stderr, "assay record rebuild: %s: %s\n", b->in_path, strerror(errno));
        rc = EXIT_UNUSABLE;
    }
    return rc;
}

static int rebuild_args(rebuild *b, int argc, char **argv)
{
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {"jsonl", required_argument, NULL, OPT_JSONL},
        {"rubrics", required_argument, NULL, OPT_RUBRICS},
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *name = "assay record rebuild";
    cli_getopt_begin();
    int c, rc = CLI_RUN;
    while ((c = cli_next_option(name, record_usage, argc, argv, ":ho:", options, &rc)) > 0) {
        if (c == OPT_JSONL) {
            b->in_path = optarg;
        } else if (c == OPT_RUBRICS) {
            b->rubrics = optarg;
        } else if (c == 'o') {
            b->out_path = optarg;
        }
    }
    if (c == 0) {
        return rc;
    }
    if (optind < argc) {
        return cli_usage_error(name, record_usage, "unexpected argument \"%s\"", argv[optind]);
    }
    if (b->in_path == NULL) {
        return cli_usage_error(name, record_usage, "--jsonl RESULTS is missing");
    }
    return CLI_RUN;
}

/* Opens the input and the output. EXIT_OK, or EXIT_UNUSABLE after saying why. */
static int rebuild_open(rebuild *b)
{
    b->in = strcmp(b->in_path, "-") == 0 ? stdin : fopen(b->in_path, "rb");
    if (b->in == NULL) {
        fprintf(stderr, "assay record rebuild: %s: %s\n", b->in_path, strerror(errno));
        return EXIT_UNUSABLE;
    }
    struct stat st;
    if (fstat(fileno(b->in), &st) == 0 && S_ISREG(st.st_mode)) {
        b->size = st.st_size;
    }
    b->show = isatty(STDERR_FILENO) == 1 && b->size > 0;
    b->out = b->out_path ? fopen(b->out_path, "wb") : stdout;
    if (b->out == NULL) {
        fprintf(stderr, "assay record rebuild: %s: %s\n", b->out_path, strerror(errno));
        return EXIT_UNUSABLE;
    }
    return EXIT_OK;
}

static int record_rebuild(int argc, char **argv)
{
    rebuild b = {.rubrics = cli_env_or("ASSAY_RUBRICS", "rubrics")};
    int rc = rebuild_args(&b, argc, argv);
    if (rc != CLI_RUN) {
        return rc;
    }
    bool usable = false;
    b.cat = assay_catalog_create();
    b.index = json_object();
    int rubrics_rc = b.cat && b.index ? cli_load_rubric_dir(b.cat, b.rubrics,
                                                            "assay record rebuild", &usable)
                                      : EXIT_UNUSABLE;
    rc = usable ? rebuild_open(&b) : rubrics_rc;
    if (rc == EXIT_OK && (rc = rebuild_read(&b)) == EXIT_OK) {
        rc = rebuild_write(&b);
        fprintf(stderr,
                "assay record rebuild: %zu results: %zu applied, %zu stale, %zu not graded, "
                "%zu without a learner, %zu bad; %zu record%s\n",
                b.applied + b.stale + b.ungraded + b.no_learner + b.bad, b.applied, b.stale,
                b.ungraded, b.no_learner, b.bad, b.nrecs, b.nrecs == 1 ? "" : "s");
        if (rc == EXIT_OK && b.bad > 0) {
            rc = EXIT_FAILED;
        }
        rc = rubrics_rc > rc ? rubrics_rc : rc; /* 3 over 1, as in assay grade */
    }
    for (size_t i = 0; i < b.nrecs; i++) {
        assay_record_destroy(b.recs[i]);
    }
    free(b.recs);
    json_decref(b.index);
    assay_catalog_destroy(b.cat);
    if (b.in && b.in != stdin) {
        fclose(b.in);
    }
    if (b.out && b.out != stdout && fclose(b.out) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "assay record rebuild: cannot write %s\n", b.out_path);
        rc = EXIT_UNUSABLE;
    }
    return rc;
}

/* ---- show ------------------------------------------------------------------------------ */

static void put_str(const json_t *v)
{
    if (json_is_string(v)) {
        cli_put_clean(stdout, json_string_value(v), json_string_length(v));
    } else {
        fputs("-", stdout);
    }
}

/* One competency of a record document, for people. */
static void show_competency(const char *key, const json_t *c)
{
    cli_put_clean(stdout, key, strlen(key));
    const json_t *m = json_object_get(c, "method");
    printf("\n  method    %s", json_string_value(json_object_get(m, "name")));
    if (json_is_integer(json_object_get(m, "param"))) {
        printf(" %lld", (long long)json_integer_value(json_object_get(m, "param")));
    }
    if (json_is_string(json_object_get(c, "value_exact"))) {
        printf("\n  value     %s, level ",
               json_string_value(json_object_get(c, "value_exact")));
        put_str(json_object_get(c, "level"));
        fputs(" (", stdout);
        put_str(json_object_get(c, "level_name"));
        printf("), %s",
               json_is_true(json_object_get(c, "mastered")) ? "mastered" : "not mastered");
    } else {
        fputs("\n  value     none yet, not mastered", stdout);
    }
    const json_t *ev = json_object_get(c, "evidence"), *e;
    printf("\n  evidence  %zu, oldest first", json_array_size(ev));
    json_int_t dropped = json_integer_value(json_object_get(c, "dropped"));
    if (dropped > 0) {
        printf(" (%lld older dropped by the cap)", (long long)dropped);
    }
    putchar('\n');
    size_t i;
    json_array_foreach(ev, i, e)
    {
        printf("    %-24s  %-12s  ", json_string_value(json_object_get(e, "at")),
               json_string_value(json_object_get(e, "score")));
        put_str(json_object_get(e, "submission"));
        fputs("  ", stdout);
        put_str(json_object_get(e, "rubric"));
        putchar(' ');
        put_str(json_object_get(e, "version"));
        putchar('\n');
    }
}

/* Prints a record (ver < 0: not from Redis). EXIT_OK, or EXIT_UNUSABLE (memory). */
static int show_record(const assay_record *r, bool as_json, long long ver)
{
    if (as_json) {
        char *doc = assay_record_dumps(r);
        if (doc == NULL) {
            fprintf(stderr, "assay record show: out of memory\n");
            return EXIT_UNUSABLE;
        }
        printf("%s\n", doc);
        free(doc);
        return EXIT_OK;
    }
    json_t *doc = assay_record_to_json(r);
    if (doc == NULL) {
        fprintf(stderr, "assay record show: out of memory\n");
        return EXIT_UNUSABLE;
    }
    fputs("learner   ", stdout);
    const char *learner = assay_record_learner(r);
    cli_put_clean(stdout, learner, strlen(learner));
    if (ver >= 0) {
        printf("  (record version %lld)", ver);
    }
    printf("\n%zu competenc%s\n", assay_record_competency_count(r),
           assay_record_competency_count(r) == 1 ? "y" : "ies");
    const char *key;
    json_t *c;
    json_object_foreach(json_object_get(doc, "competencies"), key, c)
    {
        putchar('\n');
        show_competency(key, c);
    }
    json_decref(doc);
    return EXIT_OK;
}

/* show --file: the learner's line of a rebuild's output. */
static int show_from_file(const char *path, const char *learner, bool as_json)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "assay record show: %s: %s\n", path, strerror(errno));
        return EXIT_UNUSABLE;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    int rc = -1;
    while (rc < 0 && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (cli_is_blank(line, (size_t)got)) {
            continue;
        }
        json_t *doc = json_loadb(line, (size_t)got, 0, NULL);
        const char *who = json_string_value(json_object_get(doc, "learner"));
        if (doc == NULL || who == NULL || strcmp(who, learner) == 0) {
            assay_record *r = NULL;
            char why[700];
            if (assay_record_load_buffer(line, (size_t)got, &r, why, sizeof why) == 0) {
                rc = show_record(r, as_json, -1);
            } else {
                fprintf(stderr, "%s:%zu: not a record: %s\n", path, lineno, why);
            }
            assay_record_destroy(r);
        }
        json_decref(doc);
    }
    free(line);
    if (f != stdin) {
        fclose(f);
    }
    if (rc < 0) {
        fputs("assay record show: no record for learner \"", stderr);
        cli_put_clean(stderr, learner, strlen(learner));
        fprintf(stderr, "\" in %s\n", path);
        rc = EXIT_FAILED;
    }
    return rc;
}

#ifdef ASSAY_OPS
/* show from Redis: HMGET P:record:<sha256> ver doc. */
static int show_from_redis(ops *o, const char *learner, bool as_json)
{
    char key[400];
    queue_record_key(key, sizeof key, o->prefix, learner, strlen(learner));
    const char *argv[] = {"HMGET", key, "ver", "doc"};
    redisReply *r = ops_append(o, 4, argv, NULL) ? ops_reply(o) : NULL;
    if (r == NULL) {
        return EXIT_UNUSABLE;
    }
    int rc;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        rc = ops_refused(o, "HMGET", r);
    } else if (r->element[1]->type != REDIS_REPLY_STRING) {
        fputs("assay record show: no record for learner \"", stderr);
        cli_put_clean(stderr, learner, strlen(learner));
        fprintf(stderr, "\" (%s)\n", key);
        rc = EXIT_FAILED;
    } else {
        const redisReply *ver = r->element[0], *doc = r->element[1];
        long long v = ver->type == REDIS_REPLY_STRING ? strtoll(ver->str, NULL, 10) : 0;
        assay_record *rec = NULL;
        char why[700];
        if (assay_record_load_buffer(doc->str, doc->len, &rec, why, sizeof why) != 0) {
            fprintf(stderr, "assay record show: %s holds no valid record: %s\n", key, why);
            rc = EXIT_FAILED;
        } else if (strcmp(assay_record_learner(rec), learner) != 0) {
            fprintf(stderr, "assay record show: %s holds the record of another learner\n", key);
            rc = EXIT_FAILED;
        } else {
            rc = show_record(rec, as_json, v);
        }
        assay_record_destroy(rec);
    }
    freeReplyObject(r);
    return rc;
}

/* delete: the record and the credentials, one DEL. */
static int delete_from_redis(ops *o, const char *learner)
{
    char rkey[400], ckey[400];
    queue_record_key(rkey, sizeof rkey, o->prefix, learner, strlen(learner));
    queue_credentials_key(ckey, sizeof ckey, o->prefix, learner, strlen(learner));
    const char *exists[] = {"EXISTS", rkey}, *hlen[] = {"HLEN", ckey};
    const char *del[] = {"DEL", rkey, ckey};
    if (!ops_append(o, 2, exists, NULL) || !ops_append(o, 2, hlen, NULL) ||
        !ops_append(o, 3, del, NULL)) {
        return EXIT_UNUSABLE;
    }
    redisReply *r[3] = {NULL, NULL, NULL};
    int rc = EXIT_OK;
    static const char *const what[] = {"EXISTS", "HLEN", "DEL"};
    for (int i = 0; i < 3; i++) {
        r[i] = ops_reply(o);
        if (r[i] == NULL) {
            rc = EXIT_UNUSABLE;
            break;
        }
        if (r[i]->type != REDIS_REPLY_INTEGER && rc == EXIT_OK) {
            rc = ops_refused(o, what[i], r[i]);
        }
    }
    if (rc == EXIT_OK) {
        bool had_record = r[0]->integer > 0;
        long long creds = r[1]->integer;
        if (!had_record && creds == 0) {
            fputs("assay record delete: learner \"", stderr);
            cli_put_clean(stderr, learner, strlen(learner));
            fputs("\" has no record and no credentials\n", stderr);
            rc = EXIT_FAILED;
        } else {
            fputs("deleted ", stdout);
            printf("%s and %lld credential%s of learner \"",
                   had_record ? "the record" : "no record", creds, creds == 1 ? "" : "s");
            cli_put_clean(stdout, learner, strlen(learner));
            puts("\"");
        }
    }
    for (int i = 0; i < 3; i++) {
        if (r[i]) {
            freeReplyObject(r[i]);
        }
    }
    return rc;
}
#endif

/* show and delete: their command line, then the work. */
static int record_show_delete(int argc, char **argv, bool is_delete)
{
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
#ifdef ASSAY_OPS
        OPS_OPTIONS,
#endif
        {"json", no_argument, NULL, OPT_JSON},
        {"file", required_argument, NULL, OPT_FILE},
        {NULL, 0, NULL, 0},
    };
    const char *name = is_delete ? "assay record delete" : "assay record show";
    const char *file = NULL;
    bool as_json = false;
#ifdef ASSAY_OPS
    ops o;
    ops_init(&o, name, record_usage);
#endif
    cli_getopt_begin();
    int c, rc = CLI_RUN;
    while ((c = cli_next_option(name, record_usage, argc, argv, ":h", options, &rc)) > 0) {
        if (c == OPT_JSON && !is_delete) {
            as_json = true;
        } else if (c == OPT_FILE && !is_delete) {
            file = optarg;
        } else if (c == OPT_JSON || c == OPT_FILE) {
            return cli_usage_error(name, record_usage, "delete takes no --json or --file");
        } else {
#ifdef ASSAY_OPS
            ops_option(&o, c);
#endif
        }
    }
    if (c == 0) {
        return rc;
    }
    if (argc - optind != 1 || argv[optind][0] == '\0') {
        return cli_usage_error(name, record_usage, "%s",
                               optind == argc ? "LEARNER is missing" : "one LEARNER only");
    }
    const char *learner = argv[optind];
    if (file) {
        return show_from_file(file, learner, as_json);
    }
#ifdef ASSAY_OPS
    if ((rc = ops_check(&o)) != EXIT_OK || (rc = ops_connect(&o)) != EXIT_OK) {
        return rc;
    }
    rc = is_delete ? delete_from_redis(&o, learner) : show_from_redis(&o, learner, as_json);
    ops_close(&o);
    return rc;
#else
    fprintf(stderr,
            "%s: Redis needs assay built with hiredis (meson -Dworker=enabled); "
            "show --file reads a rebuild's output\n",
            name);
    return EXIT_USAGE;
#endif
}

int cmd_record(int argc, char **argv)
{
    /* Options before the subcommand: "+" stops at the first operand, the subcommand. */
    int rc = cli_common_options_only("assay record", record_usage, argc, argv, "+:h");
    if (rc != CLI_RUN) {
        return rc;
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    if (sub && strcmp(sub, "rebuild") == 0) {
        return record_rebuild(argc - optind, argv + optind);
    }
    if (sub && (strcmp(sub, "show") == 0 || strcmp(sub, "delete") == 0)) {
        return record_show_delete(argc - optind, argv + optind, sub[0] == 'd');
    }
    return cli_usage_error("assay record", record_usage, "%s",
                           sub ? "unknown subcommand (rebuild, show or delete)"
                               : "rebuild, show or delete?");
}
