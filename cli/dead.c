/*
 * dead.c - `assay dead list` and `assay dead requeue`: the dead letters of P:dead, shown
 * newest first, or pushed back onto their queue (oldest first, one atomic script call per
 * entry). The entry format, the requeue script and its arguments belong to the queue
 * protocol (queue/deadletter.h, queue/queue.h); this file only selects and shows entries.
 */
#include "ops.h"

#include "deadletter.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    DEAD_LIST_DEFAULT_LIMIT = 100, /* `dead list` without --limit */
};

static const char dead_usage[] =
    "Usage: assay dead list [--json] [--limit N] [--redis URL] [--prefix P]\n"
    "       assay dead requeue (--all | [--] ID...) [--redis URL] [--prefix P]\n"
    "\n"
    "P:dead keeps every submission the workers did not grade, untouched, with the reason.\n"
    "\n"
    "list     newest first, one line each: time, reason, id (- when it had none), attempts,\n"
    "         queue and message. --json prints the entries themselves, one per line,\n"
    "         including the submission. --limit N shows the newest N (default 100; 0 all).\n"
    "requeue  after fixing the cause (loading the missing rubric, say), pushes the\n"
    "         submission of each entry whose id is given, or of every entry with --all\n"
    "         (the only way to select entries without an id), back onto its queue\n"
    "         (P:submissions or P:regrade), oldest first, and removes the entry, in one\n"
    "         atomic step per entry; also clears its redelivery count in P:attempts and\n"
    "         its error record P:done:<sha256 of id>:error, so the submission is answered\n"
    "         again: graded once the cause is fixed, or answered with an error and\n"
    "         dead-lettered again if it is not. Prints \"requeued N, M not found\".\n"
    "         IDs that start with '-' go after \"--\".\n"
    "\n"
    "  --redis URL    [REDIS_URL; redis://127.0.0.1:6379]\n"
    "  --prefix P     [ASSAY_PREFIX; assay]\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "Exit status: 0 done; 1 an ID was not found or an entry could not be read; 2 bad\n"
    "command line; 3 Redis could not be reached or failed.\n";

static void put_field(const json_t *e, const char *name, const char *dflt, size_t width)
{
    json_t *v = json_object_get(e, name);
    size_t used;
    if (json_is_string(v)) {
        used = cli_put_clean(stdout, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        used = (size_t)printf("%lld", (long long)json_integer_value(v));
    } else {
        used = (size_t)printf("%s", dflt);
    }
    if (width) {
        cli_pad(stdout, used, width);
    }
}

static size_t field_width(const json_t *e, const char *name, size_t dflt)
{
    json_t *v = json_object_get(e, name);
    if (!json_is_string(v)) {
        return dflt;
    }
    size_t n = 0;
    const char *s = json_string_value(v);
    for (size_t i = 0; i < json_string_length(v); i++) {
        unsigned char c = (unsigned char)s[i];
        n += c < 0x20 || c == 0x7f ? 4 : (c & 0xc0) != 0x80;
    }
    return n;
}

/* Reads the command line into o, *as_json and *limit. CLI_RUN, or the exit status. */
static int list_args(ops *o, int argc, char **argv, bool *as_json, long long *limit)
{
    enum { OPT_JSON = CLI_OPT_OWN, OPT_LIMIT };
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        OPS_OPTIONS,
        {"json", no_argument, NULL, OPT_JSON},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {NULL, 0, NULL, 0},
    };
    cli_getopt_begin();
    int c, rc = CLI_RUN;
    while ((c = cli_next_option(o->name, dead_usage, argc, argv, ":h", options, &rc)) > 0) {
        if (c == OPT_JSON) {
            *as_json = true;
        } else if (c == OPT_LIMIT) {
            char *end;
            errno = 0;
            *limit = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || errno || *limit < 0) {
                return cli_usage_error(o->name, dead_usage,
                                       "--limit needs a whole number (0: all)");
            }
        } else {
            ops_option(o, c);
        }
    }
    if (c == 0) {
        return rc;
    }
    if (optind < argc) {
        return cli_usage_error(o->name, dead_usage, "unexpected argument \"%s\"", argv[optind]);
    }
    return CLI_RUN;
}

/* The length of P:dead in *total. EXIT_OK or EXIT_UNUSABLE. */
static int dead_count(ops *o, long long *total)
{
    const char *llen[] = {"LLEN", o->keys.dead};
    redisReply *r = ops_append(o, 2, llen, NULL) ? ops_reply(o) : NULL;
    int rc = EXIT_OK;
    if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
        rc = r ? ops_refused(o, "LLEN", r) : EXIT_UNUSABLE;
    } else {
        *total = r->integer;
    }
    if (r) {
        freeReplyObject(r);
    }
    return rc;
}

/* One line of `dead list`: entry x (e, parsed; NULL when it is not an entry). */
static void list_row(const redisReply *x, const json_t *e, bool as_json, size_t rw, size_t idw)
{
    if (as_json) {
        fwrite(x->str, 1, x->len, stdout);
        putchar('\n');
    } else if (e == NULL) {
        printf("%-24s  (not a dead-letter entry: ", "?");
        cli_put_clean(stdout, x->str, x->len > 200 ? 200 : x->len);
        printf(")\n");
    } else {
        put_field(e, "time", "?", 24);
        put_field(e, "reason", "?", rw);
        put_field(e, "id", "-", idw);
        put_field(e, "attempts", "?", 8);
        put_field(e, "queue", "?", 11);
        put_field(e, "message", "", 0);
        putchar('\n');
    }
}

/* Prints the entries [from, from + n) of P:dead, with the header first when from is 0, and
 * sets *got to how many there were (0: the list shrank meanwhile). EXIT_OK or
 * EXIT_UNUSABLE. */
static int list_chunk(ops *o, bool as_json, long long from, long long n, long long *got)
{
    char a[24], b[24];
    snprintf(a, sizeof(a), "%lld", from);
    snprintf(b, sizeof(b), "%lld", from + n - 1);
    const char *lrange[] = {"LRANGE", o->keys.dead, a, b};
    redisReply *r = ops_append(o, 4, lrange, NULL) ? ops_reply(o) : NULL;
    *got = 0;
    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        int rc = r ? ops_refused(o, "LRANGE", r) : EXIT_UNUSABLE;
        if (r) {
            freeReplyObject(r);
        }
        return rc;
    }
    json_t **es = r->elements ? calloc(r->elements, sizeof(*es)) : NULL;
    size_t idw = 2, rw = 6;
    for (size_t i = 0; es && i < r->elements; i++) {
        es[i] = queue_dead_parse(r->element[i]->str, r->element[i]->len);
        size_t w = field_width(es[i], "id", 1);
        idw = w > idw ? (w > 48 ? 48 : w) : idw;
        w = field_width(es[i], "reason", 1);
        rw = w > rw ? w : rw;
    }
    if (!as_json && from == 0 && r->elements > 0) {
        printf("%-24s  %-*s  %-*s  %-8s  %-11s  %s\n", "time", (int)rw, "reason", (int)idw,
               "id", "attempts", "queue", "message");
    }
    for (size_t i = 0; i < r->elements; i++) {
        json_t *e = es ? es[i] : NULL;
        list_row(r->element[i], e, as_json, rw, idw);
        json_decref(e);
    }
    *got = (long long)r->elements;
    free(es);
    freeReplyObject(r);
    return EXIT_OK;
}

static int dead_list(int argc, char **argv)
{
    ops o;
    ops_init(&o, "assay dead list", dead_usage);
    bool as_json = false;
    long long limit = DEAD_LIST_DEFAULT_LIMIT, total = 0;
    int rc = list_args(&o, argc, argv, &as_json, &limit);
    if (rc != CLI_RUN || (rc = ops_check(&o)) != EXIT_OK || (rc = ops_connect(&o)) != EXIT_OK) {
        return rc;
    }
    rc = dead_count(&o, &total);
    if (rc != EXIT_OK) {
        ops_close(&o);
        return rc;
    }
    long long want = limit == 0 || limit > total ? total : limit;
    if (total == 0) {
        fprintf(stderr, "%s is empty\n", o.keys.dead);
    }
    long long shown = 0, got = 1;
    bool out_ok = true;
    while (rc == EXIT_OK && out_ok && got > 0 && shown < want) {
        long long n = want - shown < OPS_PIPELINE ? want - shown : OPS_PIPELINE;
        rc = list_chunk(&o, as_json, shown, n, &got);
        shown += got;
        out_ok = fflush(stdout) == 0;
    }
    if (!out_ok && errno != EPIPE) {
        fprintf(stderr, "%s: writing the output: %s\n", o.name, strerror(errno));
        rc = EXIT_UNUSABLE;
    } else if (rc == EXIT_OK && out_ok && shown < total) {
        fprintf(stderr, "%lld of %lld dead letters shown, newest first (--limit 0 for all)\n",
                shown, total);
    }
    ops_close(&o);
    return rc;
}

typedef struct requeue_state {
    char sha[41];
    const char *const *ids;
    size_t nids;
    bool *found;
    bool all;
    long long requeued, gone, unreadable;
} requeue_state;

/* Does entry e match the selection? */
static bool selected(requeue_state *s, const json_t *e)
{
    if (s->all) {
        return true;
    }
    json_t *id = e ? json_object_get(e, "id") : NULL;
    if (!json_is_string(id)) {
        return false;
    }
    bool hit = false;
    for (size_t i = 0; i < s->nids; i++) {
        if (strlen(s->ids[i]) == json_string_length(id) &&
            memcmp(s->ids[i], json_string_value(id), json_string_length(id)) == 0) {
            s->found[i] = true;
            hit = true;
        }
    }
    return hit;
}

/* Sends the requeue script call for entry x (e, parsed) of P:dead. 1 sent, 0 skipped (no
 * readable submission or queue: said on stderr and counted), -1 failed. */
static int requeue_send(ops *o, requeue_state *s, const redisReply *x, const json_t *e)
{
    queue_lane lane;
    size_t len = 0;
    char *sub = e && queue_dead_lane(e, &lane) == 0 ? queue_dead_submission(e, &len) : NULL;
    if (sub == NULL) {
        fprintf(stderr,
                "%s: skipped an entry without a readable submission and queue: ", o->name);
        cli_put_clean(stderr, x->str, x->len > 200 ? 200 : x->len);
        fputc('\n', stderr);
        s->unreadable++;
        return 0;
    }
    /* The error record of the entry's id (a key that never exists for an entry without one,
     * so the script's key list stays fixed). */
    char donekey[400];
    json_t *id = json_object_get(e, "id");
    queue_dedupe_key(donekey, sizeof(donekey), o->prefix,
                     json_is_string(id) ? json_string_value(id) : "",
                     json_is_string(id) ? json_string_length(id) : 0, "error");
    queue_requeue_args a;
    queue_requeue_args_init(&a, s->sha, &o->keys, lane, donekey, x->str, x->len, sub, len);
    bool ok = ops_append(o, QUEUE_REQUEUE_ARGC, a.argv, a.lens);
    free(sub);
    return ok ? 1 : -1;
}

/* Requeues the selected entries among r's (a chunk of P:dead, newest first), oldest first.
 * Adds the entries left in place to *kept. EXIT_OK or EXIT_UNUSABLE. */
static int requeue_chunk(ops *o, requeue_state *s, const redisReply *r, long long *kept)
{
    int sent = 0;
    for (size_t k = r->elements; k-- > 0;) {
        const redisReply *x = r->element[k];
        json_t *e = queue_dead_parse(x->str, x->len);
        int m = selected(s, e) ? requeue_send(o, s, x, e) : 0;
        json_decref(e);
        if (m < 0) {
            return EXIT_UNUSABLE;
        }
        sent += m;
        *kept += m == 0;
    }
    int rc = EXIT_OK;
    for (int i = 0; i < sent; i++) {
        redisReply *y = ops_reply(o);
        if (y == NULL) {
            return EXIT_UNUSABLE;
        }
        if (y->type == REDIS_REPLY_INTEGER) {
            if (y->integer == 1) {
                s->requeued++;
            } else {
                s->gone++;
            }
        } else if (rc == EXIT_OK) {
            rc = ops_refused(o, "the requeue script", y);
        }
        freeReplyObject(y);
    }
    return rc;
}

/* Reads the command line into o and s (s->ids points into argv). CLI_RUN, or the exit
 * status. */
static int requeue_args(ops *o, requeue_state *s, int argc, char **argv)
{
    enum { OPT_ALL = CLI_OPT_OWN };
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        OPS_OPTIONS,
        {"all", no_argument, NULL, OPT_ALL},
        {NULL, 0, NULL, 0},
    };
    cli_getopt_begin();
    int c, rc = CLI_RUN;
    while ((c = cli_next_option(o->name, dead_usage, argc, argv, ":h", options, &rc)) > 0) {
        if (c == OPT_ALL) {
            s->all = true;
        } else {
            ops_option(o, c);
        }
    }
    if (c == 0) {
        return rc;
    }
    s->ids = (const char *const *)argv + optind;
    s->nids = (size_t)(argc - optind);
    if (s->all == (s->nids > 0)) {
        return cli_usage_error(o->name, dead_usage, "give --all or one or more IDs, not both");
    }
    return CLI_RUN;
}

/* Loads the script (its SHA-1 into s->sha) and reads the length of P:dead into *total.
 * EXIT_OK or EXIT_UNUSABLE. */
static int requeue_start(ops *o, requeue_state *s, long long *total)
{
    const char *load[] = {"SCRIPT", "LOAD", queue_requeue_lua};
    const char *llen[] = {"LLEN", o->keys.dead};
    bool ok = ops_append(o, 3, load, NULL) && ops_append(o, 2, llen, NULL);
    for (int i = 0; ok && i < 2; i++) {
        redisReply *r = ops_reply(o);
        if (r == NULL) {
            return EXIT_UNUSABLE;
        }
        if (i == 0 && r->type == REDIS_REPLY_STRING && r->len == 40) {
            memcpy(s->sha, r->str, 40);
        } else if (i == 1 && r->type == REDIS_REPLY_INTEGER) {
            *total = r->integer;
        } else {
            ops_refused(o, i == 0 ? "SCRIPT LOAD" : "LLEN", r);
            ok = false;
        }
        freeReplyObject(r);
    }
    return ok ? EXIT_OK : EXIT_UNUSABLE;
}

/* Walks the entries that were there at the start, from the oldest (the right end) on,
 * requeueing the selected ones. Indexes count from the right, past the entries left in
 * place, so dead letters pushed meanwhile (a requeued message dead-lettered again, say) are
 * not seen: no loop. EXIT_OK or EXIT_UNUSABLE. */
static int requeue_walk(ops *o, requeue_state *s, long long total)
{
    long long seen = 0, kept = 0;
    int rc = EXIT_OK;
    while (rc == EXIT_OK && seen < total) {
        long long n = total - seen < OPS_PIPELINE ? total - seen : OPS_PIPELINE;
        char from[24], to[24];
        snprintf(from, sizeof(from), "%lld", -(kept + n));
        snprintf(to, sizeof(to), "%lld", -(kept + 1));
        const char *lrange[] = {"LRANGE", o->keys.dead, from, to};
        redisReply *r = ops_append(o, 4, lrange, NULL) ? ops_reply(o) : NULL;
        if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
            rc = r ? ops_refused(o, "LRANGE", r) : EXIT_UNUSABLE;
        } else if (r->elements == 0) {
            seen = total; /* the list shrank meanwhile */
        } else {
            seen += (long long)r->elements;
            rc = requeue_chunk(o, s, r, &kept);
        }
        if (r) {
            freeReplyObject(r);
        }
    }
    return rc;
}

/* Says what was requeued and what was not found. The exit status, given rc so far. */
static int requeue_report(const ops *o, const requeue_state *s, int rc)
{
    size_t notfound = 0;
    for (size_t i = 0; i < s->nids; i++) {
        if (!s->found[i]) {
            notfound++;
            fprintf(stderr, "%s: no dead letter with id \"", o->name);
            cli_put_clean(stderr, s->ids[i], strlen(s->ids[i]));
            fprintf(stderr, "\" in %s\n", o->keys.dead);
        }
    }
    if (s->gone) {
        fprintf(stderr, "%s: %lld entr%s left %s meanwhile (requeued by someone else?)\n",
                o->name, s->gone, s->gone == 1 ? "y" : "ies", o->keys.dead);
    }
    printf("requeued %lld, %zu not found", s->requeued, notfound);
    if (s->unreadable) {
        printf(", %lld unreadable", s->unreadable);
    }
    printf("\n");
    if (rc == EXIT_OK && (notfound || s->unreadable)) {
        rc = EXIT_FAILED;
    }
    return rc;
}

static int dead_requeue(int argc, char **argv)
{
    ops o;
    ops_init(&o, "assay dead requeue", dead_usage);
    requeue_state s;
    memset(&s, 0, sizeof(s));
    int rc = requeue_args(&o, &s, argc, argv);
    if (rc != CLI_RUN) {
        return rc;
    }
    s.found = calloc(s.nids ? s.nids : 1, sizeof(*s.found));
    rc = s.found ? ops_check(&o) : EXIT_UNUSABLE;
    if (rc == EXIT_OK) {
        rc = ops_connect(&o);
    }
    if (rc == EXIT_OK) {
        long long total = 0;
        rc = requeue_start(&o, &s, &total);
        if (rc == EXIT_OK) {
            rc = requeue_walk(&o, &s, total);
        }
        rc = requeue_report(&o, &s, rc);
    }
    free(s.found);
    ops_close(&o);
    return rc;
}

int cmd_dead(int argc, char **argv)
{
    /* Options before the subcommand: "+" stops at the first operand, the subcommand. */
    int rc = cli_common_options_only("assay dead", dead_usage, argc, argv, "+:h");
    if (rc != CLI_RUN) {
        return rc;
    }
    const char *sub = optind < argc ? argv[optind] : NULL;
    if (sub && strcmp(sub, "list") == 0) {
        return dead_list(argc - optind, argv + optind);
    }
    if (sub && strcmp(sub, "requeue") == 0) {
        return dead_requeue(argc - optind, argv + optind);
    }
    return cli_usage_error("assay dead", dead_usage, "%s",
                           sub ? "unknown subcommand (list or requeue)" : "list or requeue?");
}
