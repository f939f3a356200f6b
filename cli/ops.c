/*
 * ops.c - the operator commands of the assay tool, on the Redis queues of assay-worker
 * (docs/protocol.md): `enqueue`, `stats`, `dead list` and `dead requeue`.
 *
 * One synchronous hiredis connection per run. Key names come from worker/queue.c and
 * REDIS_URL parsing from worker/config.c, so the tool and the worker cannot disagree.
 * Commands are pipelined (redisAppendCommandArgv, then one redisGetReply per command) so a
 * large file or a long dead-letter list costs a round trip per PIPELINE commands, not per
 * command. The password in a Redis URL is never printed: messages name the server with
 * redis_target_describe, and an unknown option is echoed only up to its '='.
 */
#include "cli.h"

#include "queue.h"
#include "redis_url.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    PIPELINE = 1000,               /* commands per round trip */
    PIPELINE_BYTES = 8 << 20,      /* bytes of submissions per round trip, at most */
    CONNECT_TIMEOUT_S = 5,         /* connecting to Redis */
    COMMAND_TIMEOUT_S = 30,        /* one read or write on the connection */
    DEAD_LIST_DEFAULT_LIMIT = 100, /* `dead list` without --limit */
};

/* A dead-letter requeue: KEYS dead, queue, attempts, the id's error de-duplication record;
 * ARGV entry, submission, its SHA-1 hex.
 * Removes the entry (the occurrence nearest the tail, i.e. the oldest) and, only if it was
 * still there, pushes the submission back, clears its redelivery count and forgets that it
 * was answered with an error, so it is answered again (graded once fixed, or dead-lettered
 * again) instead of being suppressed as a duplicate. 1 or 0. */
static const char requeue_lua[] =
    "if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end\n"
    "redis.call('LPUSH', KEYS[2], ARGV[2])\n"
    "redis.call('HDEL', KEYS[3], ARGV[3])\n"
    "redis.call('DEL', KEYS[4])\n"
    "return 1\n";

typedef struct ops {
    const char *name; /* "assay enqueue": starts every message */
    const char *usage;
    const char *url;
    const char *prefix;
    redis_url target;
    char desc[600]; /* the server, without the password */
    redisContext *c;
    queue_keys keys;
} ops;

/* ------------------------------------------------------------------------------------
 * Options, connection, replies.
 */

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static void ops_init(ops *o, const char *name, const char *usage)
{
    memset(o, 0, sizeof(*o));
    o->name = name;
    o->usage = usage;
    o->url = env_or("REDIS_URL", "redis://127.0.0.1:6379");
    o->prefix = env_or("ASSAY_PREFIX", "assay");
}

/* Matches "--name VALUE" or "--name=VALUE" at argv[*i]: 1 with *val set (and *i moved past
 * a separate value), 0 when argv[*i] is another option, -1 when the value is missing. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) {
        return 0;
    }
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') {
        return 0;
    }
    if (*i + 1 >= argc) {
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

/* The synopsis (the usage text up to its first blank line) and where the rest is. */
static void short_usage(const char *name, const char *usage)
{
    const char *end = strstr(usage, "\n\n");
    int n = end ? (int)(end - usage) : (int)strlen(usage);
    fprintf(stderr, "%.*s\n(%s --help for more)\n", n, usage, name);
}

static int usage_error(const ops *o, const char *what, const char *arg)
{
    /* Only the option's name: a mistyped --redis=URL must not print the password. */
    int n = (int)strcspn(arg, "=");
    fprintf(stderr, "%s: %s %.*s\n", o->name, what, n, arg);
    short_usage(o->name, o->usage);
    return EXIT_USAGE;
}

/* The options every command takes: 1 consumed argv[*i], 0 not one of them, or -1 after a
 * usage error was printed. */
static int common_option(ops *o, int argc, char **argv, int *i)
{
    int m = opt_value(argc, argv, i, "--redis", &o->url);
    if (m == 0) {
        m = opt_value(argc, argv, i, "--prefix", &o->prefix);
    }
    if (m < 0) {
        usage_error(o, "missing value for", argv[*i]);
    }
    return m;
}

static bool is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

/* Checks the prefix and the URL once the command line is read. EXIT_OK or EXIT_USAGE. */
static int ops_check(ops *o)
{
    size_t plen = strlen(o->prefix);
    if (plen == 0 || plen > 100) {
        fprintf(stderr, "%s: --prefix must be 1 to 100 characters\n", o->name);
        return EXIT_USAGE;
    }
    char why[300];
    if (redis_url_parse(o->url, &o->target, why, sizeof(why)) != 0) {
        fprintf(stderr, "%s: bad Redis URL: %s\n", o->name, why);
        return EXIT_USAGE;
    }
    redis_url_describe(&o->target, o->desc, sizeof(o->desc));
    queue_keys_init(&o->keys, o->prefix, NULL);
    return EXIT_OK;
}

static void ops_lost(const ops *o)
{
    const char *why = o->c && o->c->errstr[0] ? o->c->errstr : "connection error";
    if (o->c && o->c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        why = "no reply in time";
    }
    fprintf(stderr, "%s: lost the connection to Redis at %s: %s\n", o->name, o->desc, why);
}

static void ops_close(ops *o)
{
    if (o->c) {
        redisFree(o->c);
        o->c = NULL;
    }
}

/* The next pipelined reply, or NULL after reporting that the connection failed. */
static redisReply *ops_reply(ops *o)
{
    void *r = NULL;
    if (redisGetReply(o->c, &r) != REDIS_OK || r == NULL) {
        ops_lost(o);
        return NULL;
    }
    return r;
}

static bool ops_append(ops *o, int argc, const char **argv, const size_t *lens)
{
    if (redisAppendCommandArgv(o->c, argc, argv, lens) != REDIS_OK) {
        fprintf(stderr, "%s: out of memory\n", o->name);
        return false;
    }
    return true;
}

/* Connects, authenticates, selects the database and checks with PING that commands are
 * accepted. EXIT_OK, or EXIT_UNUSABLE after saying why. */
static int ops_connect(ops *o)
{
    /* A write to a connection Redis closed must fail with EPIPE, not kill the tool. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);

    const redis_url *t = &o->target;
    struct timeval tv = {.tv_sec = CONNECT_TIMEOUT_S};
    o->c = t->unix_socket ? redisConnectUnixWithTimeout(t->path, tv)
                          : redisConnectWithTimeout(t->host, t->port, tv);
    if (o->c == NULL || o->c->err) {
        fprintf(stderr, "%s: cannot connect to Redis at %s: %s\n", o->name, o->desc,
                o->c ? o->c->errstr : "out of memory");
        ops_close(o);
        return EXIT_UNUSABLE;
    }
    struct timeval ct = {.tv_sec = COMMAND_TIMEOUT_S};
    redisSetTimeout(o->c, ct);

    int n = 0;
    const char *what[3];
    bool ok = true;
    if (t->password[0]) {
        const char *a3[] = {"AUTH", t->user, t->password};
        const char *a2[] = {"AUTH", t->password};
        ok = t->user[0] ? ops_append(o, 3, a3, NULL) : ops_append(o, 2, a2, NULL);
        what[n++] = "the credentials";
    }
    char db[16];
    snprintf(db, sizeof(db), "%d", t->db);
    const char *sel[] = {"SELECT", db};
    if (ok && t->db) {
        ok = ops_append(o, 2, sel, NULL);
        what[n++] = "SELECT";
    }
    const char *ping[] = {"PING"};
    ok = ok && ops_append(o, 1, ping, NULL);
    what[n++] = "PING";
    if (!ok) {
        ops_close(o);
        return EXIT_UNUSABLE;
    }
    int rc = EXIT_OK;
    for (int i = 0; i < n; i++) {
        redisReply *r = ops_reply(o);
        if (r == NULL) {
            ops_close(o);
            return EXIT_UNUSABLE;
        }
        if (r->type == REDIS_REPLY_ERROR && rc == EXIT_OK) {
            if (strncmp(r->str, "NOAUTH", 6) == 0) {
                fprintf(stderr,
                        "%s: Redis at %s needs a password (%s); give it in the URL: "
                        "redis://[user]:password@host:port\n",
                        o->name, o->desc, r->str);
            } else {
                fprintf(stderr, "%s: Redis at %s refused %s: %s\n", o->name, o->desc, what[i],
                        r->str);
            }
            rc = EXIT_UNUSABLE;
        }
        freeReplyObject(r);
    }
    if (rc != EXIT_OK) {
        ops_close(o);
    }
    return rc;
}

/* Reports an error reply to a command; always EXIT_UNUSABLE. */
static int refused(const ops *o, const char *what, const redisReply *r)
{
    fprintf(stderr, "%s: Redis refused %s: %s\n", o->name, what,
            r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply type");
    return EXIT_UNUSABLE;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes s[0..n) for a terminal: control characters (C0, DEL, and C1 in UTF-8) escaped,
 * since ids and messages come from untrusted submissions. Returns the columns used
 * (roughly: one per UTF-8 character). */
static size_t put_clean(FILE *f, const char *s, size_t n)
{
    size_t cols = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            cols += (size_t)fprintf(f, "\\x%02x", c);
        } else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] <= 0x9f) {
            cols += (size_t)fprintf(f, "\\u%04x", (unsigned char)s[++i]);
        } else {
            putc(c, f);
            cols += (c & 0xc0) != 0x80;
        }
    }
    return cols;
}

static void pad(FILE *f, size_t used, size_t width)
{
    for (size_t i = used; i < width + 2; i++) {
        putc(' ', f);
    }
}

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

/* ------------------------------------------------------------------------------------
 * assay enqueue
 */

static const char enqueue_usage[] =
    "Usage: assay enqueue [--regrade] [--redis URL] [--prefix P] FILE.jsonl | -\n"
    "\n"
    "Pushes each non-blank line of FILE (or standard input) onto P:submissions, or\n"
    "P:regrade with --regrade, in file order: workers take the first line first. Lines\n"
    "are pushed byte for byte (only the line ending, \\n or \\r\\n, is removed); a line that\n"
    "is not a valid submission is answered and dead-lettered by the worker.\n"
    "\n"
    "  --regrade      the batch regrading queue, taken only while P:submissions is empty\n"
    "  --redis URL    redis://[user[:password]@]host[:port][/db] or\n"
    "                 unix:///path/redis.sock[?db=N] [REDIS_URL; redis://127.0.0.1:6379]\n"
    "  --prefix P     key prefix [ASSAY_PREFIX; assay]\n"
    "\n"
    "Prints \"enqueued N submissions onto KEY\" on stderr (and a progress bar when stderr\n"
    "is a terminal). Exit status: 0 done; 2 bad command line; 3 the file could not be\n"
    "read or Redis failed (it says how many submissions Redis acknowledged first).\n";

typedef struct enq {
    FILE *in;
    off_t size; /* of a regular file, for the progress bar; 0 unknown */
    bool show;
    double last_draw;
    int pending; /* sent, reply not read */
    size_t pending_bytes;
    long long lines[PIPELINE]; /* line number of each pending command */
    long long acked;
    long long refused; /* error replies */
    long long first_bad_line;
    char first_error[300];
    long long unknown; /* sent, then the connection failed before the reply */
} enq;

static void enq_draw(enq *e)
{
    double now = mono_s();
    if (!e->show || now - e->last_draw < 0.1) {
        return;
    }
    e->last_draw = now;
    if (e->size > 0) {
        off_t pos = ftello(e->in);
        double frac = pos > 0 ? (double)pos / (double)e->size : 0;
        frac = frac > 1 ? 1 : frac;
        char bar[31];
        for (int i = 0; i < 30; i++) {
            bar[i] = i < (int)(frac * 30) ? '#' : '.';
        }
        bar[30] = '\0';
        fprintf(stderr, "\renqueuing [%s] %3d%%  %lld ", bar, (int)(frac * 100), e->acked);
    } else {
        fprintf(stderr, "\renqueuing  %lld ", e->acked);
    }
    fflush(stderr);
}

/* Reads the replies of the pending LPUSHes. false when the connection failed. */
static bool enq_flush(ops *o, enq *e)
{
    for (int i = 0; i < e->pending; i++) {
        void *v = NULL;
        if (redisGetReply(o->c, &v) != REDIS_OK || v == NULL) {
            e->unknown = e->pending - i;
            e->pending = 0;
            return false;
        }
        redisReply *r = v;
        if (r->type == REDIS_REPLY_INTEGER) {
            e->acked++;
        } else {
            if (e->refused++ == 0) {
                e->first_bad_line = e->lines[i];
                snprintf(e->first_error, sizeof(e->first_error), "%s",
                         r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply type");
            }
        }
        freeReplyObject(r);
    }
    e->pending = 0;
    e->pending_bytes = 0;
    enq_draw(e);
    return true;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
            return false;
        }
    }
    return true;
}

int cmd_enqueue(int argc, char **argv)
{
    ops o;
    ops_init(&o, "assay enqueue", enqueue_usage);
    const char *path = NULL;
    bool regrade = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int m = common_option(&o, argc, argv, &i);
        if (m < 0) {
            return EXIT_USAGE;
        } else if (m > 0) {
            continue;
        } else if (is_help(a)) {
            fputs(enqueue_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--regrade") == 0) {
            regrade = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error(&o, "unknown option", a);
        } else if (path == NULL) {
            path = a;
        } else {
            fprintf(stderr, "%s: one FILE only\n", o.name);
            short_usage(o.name, enqueue_usage);
            return EXIT_USAGE;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "%s: FILE is missing (- for standard input)\n", o.name);
        short_usage(o.name, enqueue_usage);
        return EXIT_USAGE;
    }
    int rc = ops_check(&o);
    if (rc != EXIT_OK) {
        return rc;
    }
    enq *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        fprintf(stderr, "%s: out of memory\n", o.name);
        return EXIT_UNUSABLE;
    }
    bool is_stdin = strcmp(path, "-") == 0;
    e->in = is_stdin ? stdin : fopen(path, "rb");
    if (e->in == NULL) {
        fprintf(stderr, "%s: %s: %s\n", o.name, path, strerror(errno));
        free(e);
        return EXIT_UNUSABLE;
    }
    struct stat st;
    if (fstat(fileno(e->in), &st) == 0 && S_ISREG(st.st_mode)) {
        e->size = st.st_size;
    }
    e->show = isatty(STDERR_FILENO) == 1;
    rc = ops_connect(&o);
    if (rc != EXIT_OK) {
        if (!is_stdin) {
            fclose(e->in);
        }
        free(e);
        return rc;
    }
    const char *key = regrade ? o.keys.regrade : o.keys.live;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long long lineno = 0;
    bool io_ok = true;
    int read_errno = 0;
    while (e->refused == 0) {
        errno = 0;
        got = getline(&line, &cap, e->in);
        if (got < 0) {
            if (!feof(e->in)) {
                read_errno = errno ? errno : EIO;
            }
            break;
        }
        lineno++;
        size_t len = (size_t)got;
        if (len > 0 && line[len - 1] == '\n') {
            len--;
            if (len > 0 && line[len - 1] == '\r') {
                len--;
            }
        }
        if (blank(line, len)) {
            continue;
        }
        const char *args[] = {"LPUSH", key, line};
        size_t lens[] = {5, strlen(key), len};
        if (!ops_append(&o, 3, args, lens)) {
            io_ok = false;
            break;
        }
        e->lines[e->pending++] = lineno;
        e->pending_bytes += len;
        if (e->pending == PIPELINE || e->pending_bytes >= PIPELINE_BYTES) {
            if (!enq_flush(&o, e)) {
                break;
            }
        }
    }
    bool conn_ok = e->unknown == 0 && (e->pending == 0 || enq_flush(&o, e));
    free(line);
    if (e->show) {
        fputs("\r\033[K", stderr);
    }
    rc = EXIT_OK;
    if (!conn_ok) {
        ops_lost(&o);
        fprintf(stderr,
                "%s: %lld submission%s acknowledged onto %s before the error; %lld more "
                "were sent without an answer and may or may not be queued\n",
                o.name, e->acked, e->acked == 1 ? " was" : "s were", key, e->unknown);
        rc = EXIT_UNUSABLE;
    } else if (e->refused) {
        fprintf(stderr,
                "%s: Redis refused the LPUSH of line %lld: %s\n"
                "%s: stopped; %lld submission%s acknowledged onto %s, %lld refused\n",
                o.name, e->first_bad_line, e->first_error, o.name, e->acked,
                e->acked == 1 ? " was" : "s were", key, e->refused);
        rc = EXIT_UNUSABLE;
    } else if (read_errno || !io_ok) {
        if (read_errno) {
            fprintf(stderr, "%s: %s: %s\n", o.name, is_stdin ? "standard input" : path,
                    strerror(read_errno));
        }
        fprintf(stderr, "%s: %lld submission%s acknowledged onto %s before the error\n", o.name,
                e->acked, e->acked == 1 ? " was" : "s were", key);
        rc = EXIT_UNUSABLE;
    } else {
        fprintf(stderr, "enqueued %lld submission%s onto %s\n", e->acked,
                e->acked == 1 ? "" : "s", key);
    }
    if (!is_stdin) {
        fclose(e->in);
    }
    free(e);
    ops_close(&o);
    return rc;
}

/* ------------------------------------------------------------------------------------
 * assay stats
 */

static const char stats_usage[] =
    "Usage: assay stats [--json] [--redis URL] [--prefix P]\n"
    "\n"
    "Shows the queues of assay-worker: the depths of P:submissions, P:regrade, P:results\n"
    "and P:dead; the workers registered in P:workers, alive (heartbeat key present) or\n"
    "stale (heartbeat expired: the next live worker returns their work to the queues),\n"
    "with the submissions each holds in its processing lists; and the results pushed per\n"
    "second over the last minute and the last 5 minutes, from the per-minute counters\n"
    "P:rate:<unix minute> (the oldest, partly covered minute is weighted by the part of\n"
    "it inside the window).\n"
    "\n"
    "  --json         one JSON object instead of the table\n"
    "  --redis URL    [REDIS_URL; redis://127.0.0.1:6379]\n"
    "  --prefix P     [ASSAY_PREFIX; assay]\n"
    "\n"
    "Exit status: 0 done; 2 bad command line; 3 Redis could not be reached or failed.\n";

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

typedef struct stats_data {
    double now; /* Redis's clock (the local one when TIME is not allowed), seconds */
    long long depth[4];
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
    json_t *j = json_pack(
        "{s:s, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:o, s:{s:f, s:f, s:o}}", "prefix",
        o->prefix, "time", (json_int_t)d->now, "queues", "submissions", (json_int_t)d->depth[0],
        "regrade", (json_int_t)d->depth[1], "results", (json_int_t)d->depth[2], "dead",
        (json_int_t)d->depth[3], "in_flight", (json_int_t)d->in_flight, "workers_alive",
        (json_int_t)d->alive, "workers_stale", (json_int_t)d->stale, "workers", workers, "rate",
        "last_1m_per_s", round3(d->rate1), "last_5m_per_s", round3(d->rate5),
        "results_per_minute", minutes);
    if (j) {
        print_json(j);
        json_decref(j);
    }
}

static void stats_text(const ops *o, const stats_data *d)
{
    const char *names[] = {o->keys.live, o->keys.regrade, o->keys.results, o->keys.dead};
    const char *labels[] = {"in flight", "workers alive", "workers stale", "results/s 1 min",
                            "results/s 5 min"};
    size_t width = 0;
    for (size_t i = 0; i < 4; i++) {
        width = strlen(names[i]) > width ? strlen(names[i]) : width;
    }
    for (size_t i = 0; i < 5; i++) {
        width = strlen(labels[i]) > width ? strlen(labels[i]) : width;
    }
    int lw = (int)width;
    for (size_t i = 0; i < 4; i++) {
        printf("%-*s  %lld\n", lw, names[i], d->depth[i]);
    }
    printf("%-*s  %lld\n", lw, labels[0], d->in_flight);
    printf("%-*s  %zu\n", lw, labels[1], d->alive);
    printf("%-*s  %zu\n", lw, labels[2], d->stale);
    printf("%-*s  %.3f\n", lw, labels[3], d->rate1);
    printf("%-*s  %.3f\n", lw, labels[4], d->rate5);
    if (d->nw == 0) {
        return;
    }
    size_t idw = 6;
    for (size_t i = 0; i < d->nw; i++) {
        idw = d->w[i].idlen > idw ? d->w[i].idlen : idw;
    }
    idw = idw > 48 ? 48 : idw;
    printf("\n%-*s  state  %-8s  %-8s  %-10s  %-8s  %s\n", (int)idw, "worker", "pid", "up",
           "in flight", "graded", "failed");
    for (size_t i = 0; i < d->nw; i++) {
        const wstat *w = &d->w[i];
        pad(stdout, put_clean(stdout, w->id, w->idlen), idw);
        char pid[24] = "-", up[24] = "-", graded[24] = "-", failed[24] = "-";
        if (w->hb) {
            json_t *v;
            if ((v = json_object_get(w->hb, "pid")) != NULL && json_is_integer(v)) {
                snprintf(pid, sizeof(pid), "%lld", (long long)json_integer_value(v));
            }
            if ((v = json_object_get(w->hb, "started")) != NULL && json_is_integer(v)) {
                fmt_duration(up, sizeof(up), (long long)d->now - json_integer_value(v));
            }
            if ((v = json_object_get(w->hb, "graded")) != NULL && json_is_integer(v)) {
                snprintf(graded, sizeof(graded), "%lld", (long long)json_integer_value(v));
            }
            if ((v = json_object_get(w->hb, "failed")) != NULL && json_is_integer(v)) {
                snprintf(failed, sizeof(failed), "%lld", (long long)json_integer_value(v));
            }
        }
        char inflight[48];
        snprintf(inflight, sizeof(inflight), "%lld", w->live + w->regrade);
        printf("%-5s  %-8s  %-8s  %-10s  %-8s  %s\n", w->alive ? "alive" : "stale", pid, up,
               inflight, graded, failed);
    }
}

int cmd_stats(int argc, char **argv)
{
    ops o;
    ops_init(&o, "assay stats", stats_usage);
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int m = common_option(&o, argc, argv, &i);
        if (m < 0) {
            return EXIT_USAGE;
        } else if (m > 0) {
            continue;
        } else if (is_help(a)) {
            fputs(stats_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            as_json = true;
        } else if (a[0] == '-') {
            return usage_error(&o, "unknown option", a);
        } else {
            fprintf(stderr, "%s: unexpected argument \"%s\"\n", o.name, a);
            short_usage(o.name, stats_usage);
            return EXIT_USAGE;
        }
    }
    int rc = ops_check(&o);
    if (rc != EXIT_OK || (rc = ops_connect(&o)) != EXIT_OK) {
        return rc;
    }
    stats_data d;
    memset(&d, 0, sizeof(d));
    redisReply *members = NULL;

    /* Round trip 1: the clock, the depths, the registry. */
    const char *time_cmd[] = {"TIME"};
    const char *names[] = {o.keys.live, o.keys.regrade, o.keys.results, o.keys.dead};
    const char *smembers[] = {"SMEMBERS", o.keys.workers};
    bool ok = ops_append(&o, 1, time_cmd, NULL);
    for (size_t i = 0; ok && i < 4; i++) {
        const char *llen[] = {"LLEN", names[i]};
        ok = ops_append(&o, 2, llen, NULL);
    }
    ok = ok && ops_append(&o, 2, smembers, NULL);
    rc = ok ? EXIT_OK : EXIT_UNUSABLE;
    for (size_t i = 0; ok && i < 6; i++) {
        redisReply *r = ops_reply(&o);
        if (r == NULL) {
            ok = false;
            rc = EXIT_UNUSABLE;
            break;
        }
        if (i == 0) {
            if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
                d.now =
                    (double)reply_int(r->element[0]) + (double)reply_int(r->element[1]) / 1e6;
            } else {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                d.now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
            }
        } else if (r->type == REDIS_REPLY_ERROR || (i == 5 && r->type != REDIS_REPLY_ARRAY)) {
            if (rc == EXIT_OK) {
                rc = refused(&o, i == 5 ? "SMEMBERS" : "LLEN", r);
            }
        } else if (i < 5) {
            d.depth[i - 1] = reply_int(r);
        } else {
            members = r;
            continue;
        }
        freeReplyObject(r);
    }

    /* Round trip 2: each worker's heartbeat and processing lists, the rate counters. */
    if (rc == EXIT_OK) {
        d.nw = members->elements;
        d.w = calloc(d.nw ? d.nw : 1, sizeof(*d.w));
        ok = d.w != NULL;
        for (size_t i = 0; ok && i < d.nw; i++) {
            const redisReply *m = members->element[i];
            d.w[i].id = m->str;
            d.w[i].idlen = m->len;
            queue_keys k;
            queue_keys_init(&k, o.prefix, m->str);
            const char *get[] = {"GET", k.heartbeat};
            const char *l1[] = {"LLEN", k.proc_live};
            const char *l2[] = {"LLEN", k.proc_regrade};
            ok = ops_append(&o, 2, get, NULL) && ops_append(&o, 2, l1, NULL) &&
                 ops_append(&o, 2, l2, NULL);
        }
        long minute = (long)(d.now / 60);
        for (long i = 0; ok && i < 6; i++) {
            char key[200];
            queue_rate_key(key, sizeof(key), o.prefix, minute - i);
            const char *get[] = {"GET", key};
            ok = ops_append(&o, 2, get, NULL);
        }
        rc = ok ? EXIT_OK : EXIT_UNUSABLE;
        size_t n = ok ? 3 * d.nw + 6 : 0;
        for (size_t i = 0; i < n; i++) {
            redisReply *r = ops_reply(&o);
            if (r == NULL) {
                rc = EXIT_UNUSABLE;
                break;
            }
            if (r->type == REDIS_REPLY_ERROR) {
                if (rc == EXIT_OK) {
                    rc = refused(&o, i < 3 * d.nw ? "reading a worker's state" : "GET", r);
                }
            } else if (i < 3 * d.nw) {
                wstat *w = &d.w[i / 3];
                if (i % 3 == 0) {
                    w->alive = r->type == REDIS_REPLY_STRING;
                    w->hb = w->alive ? json_loadb(r->str, r->len, 0, NULL) : NULL;
                } else if (i % 3 == 1) {
                    w->live = reply_int(r);
                } else {
                    w->regrade = reply_int(r);
                }
            } else {
                d.per_minute[i - 3 * d.nw] = reply_int(r);
            }
            freeReplyObject(r);
        }
    }
    if (rc == EXIT_OK) {
        double frac = (d.now - (double)((long long)(d.now / 60) * 60)) / 60;
        const long long *c = d.per_minute;
        d.rate1 = ((double)c[0] + (double)c[1] * (1 - frac)) / 60;
        d.rate5 =
            ((double)(c[0] + c[1] + c[2] + c[3] + c[4]) + (double)c[5] * (1 - frac)) / 300;
        for (size_t i = 0; i < d.nw; i++) {
            d.in_flight += d.w[i].live + d.w[i].regrade;
            d.alive += d.w[i].alive;
        }
        d.stale = d.nw - d.alive;
        qsort(d.w, d.nw, sizeof(*d.w), wstat_cmp);
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

/* ------------------------------------------------------------------------------------
 * assay dead list / requeue
 */

static const char dead_usage[] =
    "Usage: assay dead list [--json] [--limit N] [--redis URL] [--prefix P]\n"
    "       assay dead requeue (--all | ID...) [--redis URL] [--prefix P]\n"
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
    "\n"
    "  --redis URL    [REDIS_URL; redis://127.0.0.1:6379]\n"
    "  --prefix P     [ASSAY_PREFIX; assay]\n"
    "\n"
    "Exit status: 0 done; 1 an ID was not found or an entry could not be read; 2 bad\n"
    "command line; 3 Redis could not be reached or failed.\n";

/* Reads a dead-letter entry; NULL when it is not a JSON object. */
static json_t *entry_parse(const char *s, size_t n)
{
    json_t *e = json_loadb(s, n, JSON_ALLOW_NUL, NULL);
    if (e && !json_is_object(e)) {
        json_decref(e);
        e = NULL;
    }
    return e;
}

static void put_field(const json_t *e, const char *name, const char *dflt, size_t width)
{
    json_t *v = json_object_get(e, name);
    size_t used;
    if (json_is_string(v)) {
        used = put_clean(stdout, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        used = (size_t)printf("%lld", (long long)json_integer_value(v));
    } else {
        used = (size_t)printf("%s", dflt);
    }
    if (width) {
        pad(stdout, used, width);
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

static int dead_list(int argc, char **argv)
{
    ops o;
    ops_init(&o, "assay dead list", dead_usage);
    bool as_json = false;
    long long limit = DEAD_LIST_DEFAULT_LIMIT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int m = common_option(&o, argc, argv, &i);
        if (m < 0) {
            return EXIT_USAGE;
        } else if (m > 0) {
            continue;
        } else if (is_help(a)) {
            fputs(dead_usage, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            as_json = true;
        } else if ((m = opt_value(argc, argv, &i, "--limit", &v)) != 0) {
            char *end;
            errno = 0;
            limit = m > 0 ? strtoll(v, &end, 10) : -1;
            if (m < 0 || *v == '\0' || *end != '\0' || errno || limit < 0) {
                fprintf(stderr, "%s: --limit needs a whole number (0: all)\n", o.name);
                short_usage(o.name, dead_usage);
                return EXIT_USAGE;
            }
        } else if (a[0] == '-') {
            return usage_error(&o, "unknown option", a);
        } else {
            fprintf(stderr, "%s: unexpected argument \"%s\"\n", o.name, a);
            short_usage(o.name, dead_usage);
            return EXIT_USAGE;
        }
    }
    int rc = ops_check(&o);
    if (rc != EXIT_OK || (rc = ops_connect(&o)) != EXIT_OK) {
        return rc;
    }
    const char *llen[] = {"LLEN", o.keys.dead};
    redisReply *r = ops_append(&o, 2, llen, NULL) ? ops_reply(&o) : NULL;
    if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
        rc = r ? refused(&o, "LLEN", r) : EXIT_UNUSABLE;
        if (r) {
            freeReplyObject(r);
        }
        ops_close(&o);
        return rc;
    }
    long long total = r->integer;
    freeReplyObject(r);
    long long want = limit == 0 || limit > total ? total : limit;
    if (total == 0) {
        fprintf(stderr, "%s is empty\n", o.keys.dead);
    }
    long long shown = 0;
    bool out_ok = true;
    while (rc == EXIT_OK && out_ok && shown < want) {
        long long n = want - shown < PIPELINE ? want - shown : PIPELINE;
        char from[24], to[24];
        snprintf(from, sizeof(from), "%lld", shown);
        snprintf(to, sizeof(to), "%lld", shown + n - 1);
        const char *lrange[] = {"LRANGE", o.keys.dead, from, to};
        r = ops_append(&o, 4, lrange, NULL) ? ops_reply(&o) : NULL;
        if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
            rc = r ? refused(&o, "LRANGE", r) : EXIT_UNUSABLE;
            if (r) {
                freeReplyObject(r);
            }
            break;
        }
        if (r->elements == 0) {
            freeReplyObject(r); /* the list shrank meanwhile */
            break;
        }
        json_t **es = calloc(r->elements, sizeof(*es));
        size_t idw = 2, rw = 6;
        for (size_t i = 0; es && i < r->elements; i++) {
            es[i] = entry_parse(r->element[i]->str, r->element[i]->len);
            size_t w = field_width(es[i], "id", 1);
            idw = w > idw ? (w > 48 ? 48 : w) : idw;
            w = field_width(es[i], "reason", 1);
            rw = w > rw ? w : rw;
        }
        if (!as_json && shown == 0) {
            printf("%-24s  %-*s  %-*s  %-8s  %-11s  %s\n", "time", (int)rw, "reason", (int)idw,
                   "id", "attempts", "queue", "message");
        }
        for (size_t i = 0; i < r->elements; i++) {
            const redisReply *x = r->element[i];
            json_t *e = es ? es[i] : NULL;
            if (as_json) {
                fwrite(x->str, 1, x->len, stdout);
                putchar('\n');
            } else if (e == NULL) {
                printf("%-24s  (not a dead-letter entry: ", "?");
                put_clean(stdout, x->str, x->len > 200 ? 200 : x->len);
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
            json_decref(e);
        }
        shown += (long long)r->elements;
        free(es);
        freeReplyObject(r);
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

/* The submission of a dead-letter entry, byte for byte. NULL when it has none or the
 * base64 is broken. */
static char *entry_submission(const json_t *e, size_t *len)
{
    json_t *s = json_object_get(e, "submission");
    if (json_is_string(s)) {
        size_t n = json_string_length(s);
        char *out = malloc(n + 1);
        if (out) {
            memcpy(out, json_string_value(s), n);
            out[n] = '\0';
            *len = n;
        }
        return out;
    }
    json_t *b = json_object_get(e, "submission_base64");
    if (!json_is_string(b)) {
        return NULL;
    }
    size_t n = json_string_length(b);
    uint8_t *out = malloc(BASE64_DECODE_LENGTH(n) + 1);
    if (out == NULL) {
        return NULL;
    }
    struct base64_decode_ctx ctx;
    size_t got = 0;
    base64_decode_init(&ctx);
    if (!base64_decode_update(&ctx, &got, out, n, json_string_value(b)) ||
        !base64_decode_final(&ctx)) {
        free(out);
        return NULL;
    }
    out[got] = '\0';
    *len = got;
    return (char *)out;
}

static void sha1_hex(const char *s, size_t n, char out[41])
{
    struct sha1_ctx ctx;
    uint8_t d[SHA1_DIGEST_SIZE];
    sha1_init(&ctx);
    sha1_update(&ctx, n, (const uint8_t *)s);
    sha1_digest(&ctx, sizeof(d), d);
    for (size_t i = 0; i < sizeof(d); i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
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

/* Requeues the selected entries among r's (a chunk of P:dead, newest first), oldest first.
 * Adds the entries left in place to *kept. EXIT_OK or EXIT_UNUSABLE. */
static int requeue_chunk(ops *o, requeue_state *s, const redisReply *r, long long *kept)
{
    int sent = 0;
    for (size_t k = r->elements; k-- > 0;) {
        const redisReply *x = r->element[k];
        json_t *e = entry_parse(x->str, x->len);
        if (!selected(s, e)) {
            (*kept)++;
            json_decref(e);
            continue;
        }
        const char *q = json_string_value(json_object_get(e, "queue"));
        const char *qkey = q && strcmp(q, "submissions") == 0 ? o->keys.live
                           : q && strcmp(q, "regrade") == 0   ? o->keys.regrade
                                                              : NULL;
        size_t len = 0;
        char *sub = e && qkey ? entry_submission(e, &len) : NULL;
        if (sub == NULL) {
            fprintf(stderr,
                    "%s: skipped an entry without a readable submission and queue: ", o->name);
            put_clean(stderr, x->str, x->len > 200 ? 200 : x->len);
            fputc('\n', stderr);
            s->unreadable++;
            (*kept)++;
            json_decref(e);
            continue;
        }
        char sha[41];
        sha1_hex(sub, len, sha);
        /* The error record of the entry's id (a key that never exists for an entry
         * without one, so the script's key list stays fixed). */
        char donekey[400];
        json_t *id = json_object_get(e, "id");
        queue_dedupe_key(donekey, sizeof(donekey), o->prefix,
                         json_is_string(id) ? json_string_value(id) : "",
                         json_is_string(id) ? json_string_length(id) : 0, "error");
        const char *argv[] = {"EVALSHA",        s->sha,  "4",    o->keys.dead, qkey,
                              o->keys.attempts, donekey, x->str, sub,          sha};
        size_t lens[] = {7,
                         40,
                         1,
                         strlen(o->keys.dead),
                         strlen(qkey),
                         strlen(o->keys.attempts),
                         strlen(donekey),
                         x->len,
                         len,
                         40};
        bool ok = ops_append(o, 10, argv, lens);
        free(sub);
        json_decref(e);
        if (!ok) {
            return EXIT_UNUSABLE;
        }
        sent++;
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
            rc = refused(o, "the requeue script", y);
        }
        freeReplyObject(y);
    }
    return rc;
}

static int dead_requeue(int argc, char **argv)
{
    ops o;
    ops_init(&o, "assay dead requeue", dead_usage);
    requeue_state s;
    memset(&s, 0, sizeof(s));
    const char **ids = calloc((size_t)argc, sizeof(*ids));
    if (ids == NULL) {
        return EXIT_UNUSABLE;
    }
    bool dashdash = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int m = dashdash ? 0 : common_option(&o, argc, argv, &i);
        if (m < 0) {
            free(ids);
            return EXIT_USAGE;
        } else if (m > 0) {
            continue;
        } else if (dashdash) {
            ids[s.nids++] = a;
        } else if (strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (is_help(a)) {
            fputs(dead_usage, stdout);
            free(ids);
            return EXIT_OK;
        } else if (strcmp(a, "--all") == 0) {
            s.all = true;
        } else if (a[0] == '-' && a[1] == '-') {
            free(ids);
            return usage_error(&o, "unknown option", a);
        } else {
            ids[s.nids++] = a; /* ids may start with a single '-' */
        }
    }
    if (s.all == (s.nids > 0)) {
        fprintf(stderr, "%s: give --all or one or more IDs, not both\n", o.name);
        short_usage(o.name, dead_usage);
        free(ids);
        return EXIT_USAGE;
    }
    s.ids = ids;
    s.found = calloc(s.nids ? s.nids : 1, sizeof(*s.found));
    int rc = s.found ? ops_check(&o) : EXIT_UNUSABLE;
    if (rc == EXIT_OK) {
        rc = ops_connect(&o);
    }
    if (rc != EXIT_OK) {
        free(ids);
        free(s.found);
        return rc;
    }
    const char *load[] = {"SCRIPT", "LOAD", requeue_lua};
    const char *llen[] = {"LLEN", o.keys.dead};
    bool ok = ops_append(&o, 3, load, NULL) && ops_append(&o, 2, llen, NULL);
    long long total = 0;
    for (int i = 0; ok && i < 2; i++) {
        redisReply *r = ops_reply(&o);
        if (r == NULL) {
            ok = false;
            break;
        }
        if (i == 0 && r->type == REDIS_REPLY_STRING && r->len == 40) {
            memcpy(s.sha, r->str, 40);
        } else if (i == 1 && r->type == REDIS_REPLY_INTEGER) {
            total = r->integer;
        } else if (ok) {
            refused(&o, i == 0 ? "SCRIPT LOAD" : "LLEN", r);
            ok = false;
        }
        freeReplyObject(r);
    }
    rc = ok ? EXIT_OK : EXIT_UNUSABLE;
    /* Walk the entries that were there at the start, from the oldest (the right end) on.
     * Indexes count from the right, past the entries left in place, so dead letters pushed
     * meanwhile (a requeued message dead-lettered again, say) are not seen: no loop. */
    long long seen = 0, kept = 0;
    while (rc == EXIT_OK && seen < total) {
        long long n = total - seen < PIPELINE ? total - seen : PIPELINE;
        char from[24], to[24];
        snprintf(from, sizeof(from), "%lld", -(kept + n));
        snprintf(to, sizeof(to), "%lld", -(kept + 1));
        const char *lrange[] = {"LRANGE", o.keys.dead, from, to};
        redisReply *r = ops_append(&o, 4, lrange, NULL) ? ops_reply(&o) : NULL;
        if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
            rc = r ? refused(&o, "LRANGE", r) : EXIT_UNUSABLE;
        } else if (r->elements == 0) {
            seen = total; /* the list shrank meanwhile */
        } else {
            seen += (long long)r->elements;
            rc = requeue_chunk(&o, &s, r, &kept);
        }
        if (r) {
            freeReplyObject(r);
        }
    }
    size_t notfound = 0;
    for (size_t i = 0; i < s.nids; i++) {
        if (!s.found[i]) {
            notfound++;
            fprintf(stderr, "%s: no dead letter with id \"", o.name);
            put_clean(stderr, ids[i], strlen(ids[i]));
            fprintf(stderr, "\" in %s\n", o.keys.dead);
        }
    }
    if (s.gone) {
        fprintf(stderr, "%s: %lld entr%s left %s meanwhile (requeued by someone else?)\n",
                o.name, s.gone, s.gone == 1 ? "y" : "ies", o.keys.dead);
    }
    printf("requeued %lld, %zu not found", s.requeued, notfound);
    if (s.unreadable) {
        printf(", %lld unreadable", s.unreadable);
    }
    printf("\n");
    if (rc == EXIT_OK && (notfound || s.unreadable)) {
        rc = EXIT_FAILED;
    }
    free(ids);
    free(s.found);
    ops_close(&o);
    return rc;
}

int cmd_dead(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        return dead_list(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "requeue") == 0) {
        return dead_requeue(argc - 1, argv + 1);
    }
    if (argc >= 2 && is_help(argv[1])) {
        fputs(dead_usage, stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "assay dead: %s\n",
            argc < 2 ? "list or requeue?" : "unknown subcommand (list or requeue)");
    short_usage("assay dead", dead_usage);
    return EXIT_USAGE;
}
