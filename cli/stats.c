/*
 * stats.c - `assay stats [--json]`: the depths of the queues, the exact counters the ack
 * script commits in P:stats (graded, errors, duplicates, ...), the workers registered
 * (alive or stale, with what each holds in flight and its counts as of its last heartbeat),
 * and the results pushed per second over the last minute and the last five, read in two
 * pipelined round trips.
 */
#include "ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char stats_usage[] =
    "Usage: assay stats [--json] [--redis URL] [--prefix P]\n"
    "\n"
    "Shows the queues of assay-worker: the depths of P:submissions, P:regrade, P:results,\n"
    "P:dead and P:dead:oversize; the counters of P:stats, exact (each acknowledgement\n"
    "commits them with its results): results graded, errors (each also dead-lettered),\n"
    "duplicates suppressed, forced regrades, messages too large, messages given up after\n"
    "too many deliveries, counted since P:stats was created (DEL it to start again); the\n"
    "workers registered in P:workers, alive (heartbeat key present) or stale (heartbeat\n"
    "expired: the next live worker returns their work to the queues), with the submissions\n"
    "each holds in its processing lists and its own counts as of its last heartbeat (at\n"
    "most a third of --heartbeat-ttl old; the age is shown); and the results pushed per\n"
    "second, graded or not, over the last minute and the last 5 minutes, from the\n"
    "per-minute counters P:rate:<unix minute> (the oldest, partly covered minute is\n"
    "weighted by the part of it inside the window).\n"
    "\n"
    "  --json         one JSON object instead of the table\n"
    "  --redis URL    [REDIS_URL; redis://127.0.0.1:6379]\n"
    "  --prefix P     [ASSAY_PREFIX; assay]\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "Exit status: 0 done; 2 bad command line; 3 Redis could not be reached or failed.\n";

/* A JSON string for bytes that may not be UTF-8 (worker ids): escaped when they are not. */
static json_t *json_bytes(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j) {
        return j;
    }
    char *buf = malloc(4 * n + 1);
    if (buf == NULL) {
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            buf[k++] = (char)c;
        } else {
            k += (size_t)snprintf(buf + k, 5, "\\x%02x", c);
        }
    }
    j = json_stringn(buf, k);
    free(buf);
    return j;
}

/* Prints a JSON value on one line to stdout. */
static void print_json(const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12));
    if (text) {
        puts(text);
        free(text);
    }
}

typedef struct wstat {
    char *id;
    size_t idlen;
    bool alive;
    json_t *hb; /* the heartbeat's JSON, NULL when expired or unreadable */
    long long live, regrade;
} wstat;

static int wstat_cmp(const void *a, const void *b)
{
    const wstat *x = a, *y = b;
    if (x->alive != y->alive) {
        return x->alive ? -1 : 1;
    }
    size_t n = x->idlen < y->idlen ? x->idlen : y->idlen;
    int c = memcmp(x->id, y->id, n);
    return c ? c : (x->idlen > y->idlen) - (x->idlen < y->idlen);
}

static long long reply_int(const redisReply *r)
{
    if (r->type == REDIS_REPLY_INTEGER) {
        return r->integer;
    }
    if (r->type == REDIS_REPLY_STRING) {
        return strtoll(r->str, NULL, 10);
    }
    return 0;
}

static void fmt_duration(char *buf, size_t size, long long s)
{
    if (s < 0) {
        snprintf(buf, size, "?");
    } else if (s < 60) {
        snprintf(buf, size, "%llds", s);
    } else if (s < 3600) {
        snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
    } else if (s < 86400) {
        snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    } else {
        snprintf(buf, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
    }
}

static double round3(double x)
{
    return (double)(long long)(x * 1000 + 0.5) / 1000;
}

/* The counters of P:stats, in the order they are shown. */
static const char *const counter_names[] = {"graded", "errors",    "dead",   "duplicates",
                                            "forced", "too_large", "gave_up"};
static const char *const counter_labels[] = {"graded",     "errors",          "dead-lettered",
                                             "duplicates", "forced regrades", "too large",
                                             "given up"};
enum { NCOUNTERS = sizeof(counter_names) / sizeof(counter_names[0]), NDEPTHS = 5 };

typedef struct stats_data {
    double now; /* Redis's clock (the local one when TIME is not allowed), seconds */
    long long depth[NDEPTHS]; /* submissions, regrade, results, dead, dead:oversize */
    long long counter[NCOUNTERS];
    wstat *w;
    size_t nw, alive, stale;
    long long in_flight;
    long long per_minute[6]; /* [0] the current minute, [5] five minutes before */
    double rate1, rate5;
} stats_data;

static void stats_json(const ops *o, const stats_data *d)
{
    json_t *workers = json_array();
    for (size_t i = 0; i < d->nw; i++) {
        const wstat *w = &d->w[i];
        json_t *hb = w->hb;
        json_array_append_new(workers,
                              json_pack("{s:o, s:b, s:I, s:{s:I, s:I}, s:O?}", "id",
                                        json_bytes(w->id, w->idlen), "alive", w->alive,
                                        "in_flight", (json_int_t)(w->live + w->regrade),
                                        "processing", "submissions", (json_int_t)w->live,
                                        "regrade", (json_int_t)w->regrade, "heartbeat", hb));
    }
    json_t *minutes = json_array();
    for (size_t i = 0; i < 6; i++) {
        json_array_append_new(minutes, json_integer(d->per_minute[i]));
    }
    json_t *counters = json_object();
    for (size_t i = 0; i < NCOUNTERS; i++) {
        json_object_set_new(counters, counter_names[i], json_integer(d->counter[i]));
    }
    json_t *j = json_pack(
        "{s:s, s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:I, s:I, s:I, s:o, s:{s:f, s:f, s:o}}",
        "prefix", o->prefix, "time", (json_int_t)d->now, "queues", "submissions",
        (json_int_t)d->depth[0], "regrade", (json_int_t)d->depth[1], "results",
        (json_int_t)d->depth[2], "dead", (json_int_t)d->depth[3], "dead_oversize",
        (json_int_t)d->depth[4], "counters", counters, "in_flight", (json_int_t)d->in_flight,
        "workers_alive", (json_int_t)d->alive, "workers_stale", (json_int_t)d->stale, "workers",
        workers, "rate", "last_1m_per_s", round3(d->rate1), "last_5m_per_s", round3(d->rate5),
        "results_per_minute", minutes);
    if (j) {
        print_json(j);
        json_decref(j);
    }
}

/* A heartbeat's integer field as text, or "-". */
static void hb_field(const json_t *hb, const char *name, char *out, size_t size)
{
    json_t *v = json_object_get(hb, name);
    if (json_is_integer(v)) {
        snprintf(out, size, "%lld", (long long)json_integer_value(v));
    } else {
        snprintf(out, size, "-");
    }
}

static void stats_workers_text(const stats_data *d)
{
    size_t idw = 6;
    for (size_t i = 0; i < d->nw; i++) {
        idw = d->w[i].idlen > idw ? d->w[i].idlen : idw;
    }
    idw = idw > 48 ? 48 : idw;
    printf("\n%-*s  state  %-8s  %-8s  %-10s  %-8s  %-8s  %-10s  %s\n", (int)idw, "worker",
           "pid", "up", "in flight", "graded", "failed", "duplicates", "as of");
    for (size_t i = 0; i < d->nw; i++) {
        const wstat *w = &d->w[i];
        cli_pad(stdout, cli_put_clean(stdout, w->id, w->idlen), idw);
        char pid[24], up[24] = "-", graded[24], failed[24], dups[24], at[32] = "-";
        hb_field(w->hb, "pid", pid, sizeof(pid));
        hb_field(w->hb, "graded", graded, sizeof(graded));
        hb_field(w->hb, "failed", failed, sizeof(failed));
        hb_field(w->hb, "duplicates", dups, sizeof(dups));
        json_t *v = json_object_get(w->hb, "started");
        if (json_is_integer(v)) {
            fmt_duration(up, sizeof(up), (long long)d->now - json_integer_value(v));
        }
        v = json_object_get(w->hb, "at");
        if (json_is_integer(v)) {
            double age = d->now - (double)json_integer_value(v) / 1000;
            snprintf(at, sizeof(at), "%.1f s ago", age > 0 ? age : 0);
        }
        char inflight[48];
        snprintf(inflight, sizeof(inflight), "%lld", w->live + w->regrade);
        printf("%-5s  %-8s  %-8s  %-10s  %-8s  %-8s  %-10s  %s\n", w->alive ? "alive" : "stale",
               pid, up, inflight, graded, failed, dups, at);
    }
}

static void stats_text(const ops *o, const stats_data *d)
{
    const char *names[NDEPTHS] = {o->keys.live, o->keys.regrade, o->keys.results, o->keys.dead,
                                  o->keys.dead_oversize};
    const char *labels[] = {"in flight", "workers alive", "workers stale", "results/s 1 min",
                            "results/s 5 min"};
    size_t width = 0;
    for (size_t i = 0; i < NDEPTHS; i++) {
        width = strlen(names[i]) > width ? strlen(names[i]) : width;
    }
    for (size_t i = 0; i < 5; i++) {
        width = strlen(labels[i]) > width ? strlen(labels[i]) : width;
    }
    for (size_t i = 0; i < NCOUNTERS; i++) {
        width = strlen(counter_labels[i]) > width ? strlen(counter_labels[i]) : width;
    }
    int lw = (int)width;
    for (size_t i = 0; i < NDEPTHS; i++) {
        printf("%-*s  %lld\n", lw, names[i], d->depth[i]);
    }
    for (size_t i = 0; i < NCOUNTERS; i++) {
        printf("%-*s  %lld\n", lw, counter_labels[i], d->counter[i]);
    }
    printf("%-*s  %lld\n", lw, labels[0], d->in_flight);
    printf("%-*s  %zu\n", lw, labels[1], d->alive);
    printf("%-*s  %zu\n", lw, labels[2], d->stale);
    printf("%-*s  %.3f\n", lw, labels[3], d->rate1);
    printf("%-*s  %.3f\n", lw, labels[4], d->rate5);
    if (d->nw > 0) {
        stats_workers_text(d);
    }
    printf("\nCounters: exact, committed with the results since %s was created. Rates: "
           "results\npushed per second (graded or not). Workers: their own counts as of their "
           "last heartbeat.\n",
           o->keys.stats);
}

/* Reads the command line into o and *as_json. CLI_RUN, or the exit status. */
static int stats_args(ops *o, int argc, char **argv, bool *as_json)
{
    enum { OPT_JSON = CLI_OPT_OWN };
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        OPS_OPTIONS,
        {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0},
    };
    cli_getopt_begin();
    int c, rc = CLI_RUN;
    while ((c = cli_next_option(o->name, stats_usage, argc, argv, ":h", options, &rc)) > 0) {
        if (c == OPT_JSON) {
            *as_json = true;
        } else {
            ops_option(o, c);
        }
    }
    if (c == 0) {
        return rc;
    }
    if (optind < argc) {
        return cli_usage_error(o->name, stats_usage, "unexpected argument \"%s\"",
                               argv[optind]);
    }
    return CLI_RUN;
}

/* The counters of an HGETALL reply of P:stats. */
static void store_counters(stats_data *d, const redisReply *r)
{
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        for (size_t k = 0; k < NCOUNTERS; k++) {
            if (r->element[i]->str && strcmp(r->element[i]->str, counter_names[k]) == 0) {
                d->counter[k] = reply_int(r->element[i + 1]);
            }
        }
    }
}

/* Round trip 1: the clock, the depths, the counters, the registry of workers (*members,
 * for the caller to free). EXIT_OK or EXIT_UNUSABLE. */
static int stats_overview(ops *o, stats_data *d, redisReply **members)
{
    const char *time_cmd[] = {"TIME"};
    const char *names[NDEPTHS] = {o->keys.live, o->keys.regrade, o->keys.results, o->keys.dead,
                                  o->keys.dead_oversize};
    const char *hgetall[] = {"HGETALL", o->keys.stats};
    const char *smembers[] = {"SMEMBERS", o->keys.workers};
    bool ok = ops_append(o, 1, time_cmd, NULL);
    for (size_t i = 0; ok && i < NDEPTHS; i++) {
        const char *llen[] = {"LLEN", names[i]};
        ok = ops_append(o, 2, llen, NULL);
    }
    ok = ok && ops_append(o, 2, hgetall, NULL) && ops_append(o, 2, smembers, NULL);
    int rc = ok ? EXIT_OK : EXIT_UNUSABLE;
    size_t last = NDEPTHS + 2; /* TIME, the depths, HGETALL, SMEMBERS */
    for (size_t i = 0; ok && i <= last; i++) {
        redisReply *r = ops_reply(o);
        if (r == NULL) {
            return EXIT_UNUSABLE;
        }
        if (i == 0) {
            if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
                d->now =
                    (double)reply_int(r->element[0]) + (double)reply_int(r->element[1]) / 1e6;
            } else {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                d->now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
            }
        } else if (r->type == REDIS_REPLY_ERROR ||
                   (i >= last - 1 && r->type != REDIS_REPLY_ARRAY)) {
            if (rc == EXIT_OK) {
                rc = ops_refused(o,
                                 i == last       ? "SMEMBERS"
                                 : i == last - 1 ? "HGETALL"
                                                 : "LLEN",
                                 r);
            }
        } else if (i <= NDEPTHS) {
            d->depth[i - 1] = reply_int(r);
        } else if (i == last - 1) {
            store_counters(d, r);
        } else {
            *members = r;
            continue;
        }
        freeReplyObject(r);
    }
    return rc;
}

/* Stores the i-th reply of round trip 2 in d. */
static void stats_store(stats_data *d, size_t i, const redisReply *r)
{
    if (i >= 3 * d->nw) {
        d->per_minute[i - 3 * d->nw] = reply_int(r);
        return;
    }
    wstat *w = &d->w[i / 3];
    if (i % 3 == 0) {
        w->alive = r->type == REDIS_REPLY_STRING;
        w->hb = w->alive ? json_loadb(r->str, r->len, 0, NULL) : NULL;
    } else if (i % 3 == 1) {
        w->live = reply_int(r);
    } else {
        w->regrade = reply_int(r);
    }
}

/* Round trip 2: each worker's heartbeat and processing lists, the rate counters. EXIT_OK or
 * EXIT_UNUSABLE. */
static int stats_workers(ops *o, stats_data *d, const redisReply *members)
{
    d->nw = members->elements;
    d->w = calloc(d->nw ? d->nw : 1, sizeof(*d->w));
    bool ok = d->w != NULL;
    for (size_t i = 0; ok && i < d->nw; i++) {
        const redisReply *m = members->element[i];
        d->w[i].id = m->str;
        d->w[i].idlen = m->len;
        queue_keys k;
        queue_keys_init(&k, o->prefix, m->str);
        const char *get[] = {"GET", k.heartbeat};
        const char *l1[] = {"LLEN", k.proc_live};
        const char *l2[] = {"LLEN", k.proc_regrade};
        ok = ops_append(o, 2, get, NULL) && ops_append(o, 2, l1, NULL) &&
             ops_append(o, 2, l2, NULL);
    }
    long minute = (long)(d->now / 60);
    for (long i = 0; ok && i < 6; i++) {
        char key[200];
        queue_rate_key(key, sizeof(key), o->prefix, minute - i);
        const char *get[] = {"GET", key};
        ok = ops_append(o, 2, get, NULL);
    }
    int rc = ok ? EXIT_OK : EXIT_UNUSABLE;
    size_t n = ok ? 3 * d->nw + 6 : 0;
    for (size_t i = 0; i < n; i++) {
        redisReply *r = ops_reply(o);
        if (r == NULL) {
            return EXIT_UNUSABLE;
        }
        if (r->type == REDIS_REPLY_ERROR) {
            if (rc == EXIT_OK) {
                rc = ops_refused(o, i < 3 * d->nw ? "reading a worker's state" : "GET", r);
            }
        } else {
            stats_store(d, i, r);
        }
        freeReplyObject(r);
    }
    return rc;
}

/* The rates, the totals and the order of the workers, from what was read. */
static void stats_sum(stats_data *d)
{
    double frac = (d->now - (double)((long long)(d->now / 60) * 60)) / 60;
    const long long *c = d->per_minute;
    d->rate1 = ((double)c[0] + (double)c[1] * (1 - frac)) / 60;
    d->rate5 = ((double)(c[0] + c[1] + c[2] + c[3] + c[4]) + (double)c[5] * (1 - frac)) / 300;
    for (size_t i = 0; i < d->nw; i++) {
        d->in_flight += d->w[i].live + d->w[i].regrade;
        d->alive += d->w[i].alive;
    }
    d->stale = d->nw - d->alive;
    qsort(d->w, d->nw, sizeof(*d->w), wstat_cmp);
}

int cmd_stats(int argc, char **argv)
{
    ops o;
    ops_init(&o, "assay stats", stats_usage);
    bool as_json = false;
    int rc = stats_args(&o, argc, argv, &as_json);
    if (rc != CLI_RUN || (rc = ops_check(&o)) != EXIT_OK || (rc = ops_connect(&o)) != EXIT_OK) {
        return rc;
    }
    stats_data d;
    memset(&d, 0, sizeof(d));
    redisReply *members = NULL;
    rc = stats_overview(&o, &d, &members);
    if (rc == EXIT_OK) {
        rc = stats_workers(&o, &d, members);
    }
    if (rc == EXIT_OK) {
        stats_sum(&d);
        if (as_json) {
            stats_json(&o, &d);
        } else {
            stats_text(&o, &d);
        }
        if (fflush(stdout) != 0) {
            fprintf(stderr, "%s: writing the output: %s\n", o.name, strerror(errno));
            rc = EXIT_UNUSABLE;
        }
    }
    for (size_t i = 0; d.w && i < d.nw; i++) {
        json_decref(d.w[i].hb);
    }
    free(d.w);
    if (members) {
        freeReplyObject(members);
    }
    ops_close(&o);
    return rc;
}
