/*
 * enqueue.c - `assay enqueue [--regrade] [--force] FILE.jsonl | -`: pushes each non-blank
 * line onto P:submissions (or P:regrade), pipelined, in file order, and says how many Redis
 * acknowledged; with a progress bar when stderr is a terminal. --force adds "force": true
 * to each submission (before its closing brace, every other byte kept).
 */
#include "ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    PIPELINE_BYTES = 8 << 20, /* bytes of submissions per round trip, at most */
};

static const char enqueue_usage[] =
    "Usage: assay enqueue [--regrade] [--force] [--redis URL] [--prefix P] FILE.jsonl | -\n"
    "\n"
    "Pushes each non-blank line of FILE (or standard input) onto P:submissions, or\n"
    "P:regrade with --regrade, in file order: workers take the first line first. Lines\n"
    "are pushed byte for byte (only the line ending, \\n or \\r\\n, is removed); a line that\n"
    "is not a valid submission is answered and dead-lettered by the worker.\n"
    "\n"
    "  --regrade      the batch regrading queue, taken only while P:submissions is empty\n"
    "  --force        grade each submission even when it was graded before with the same\n"
    "                 rubric content and engine (it gets \"force\": true before its closing\n"
    "                 brace; a line that is no JSON object, or has \"force\" already, is\n"
    "                 pushed as it is, and counted)\n"
    "  --redis URL    redis://[user[:password]@]host[:port][/db] (IPv6 as [::1]) or\n"
    "                 unix:///path/redis.sock[?db=N] [REDIS_URL; redis://127.0.0.1:6379]\n"
    "  --prefix P     key prefix [ASSAY_PREFIX; assay]\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "Prints \"enqueued N submissions onto KEY\" on stderr (and a progress bar when stderr\n"
    "is a terminal).\n"
    "\n"
    "Exit status: 0 done; 2 bad command line; 3 the file could not be read, or Redis could\n"
    "not be reached or failed (it says how many submissions Redis acknowledged first).\n";

typedef struct enq {
    const char *path; /* "-": standard input */
    const char *key;  /* the queue */
    FILE *in;
    off_t size; /* of a regular file, for the progress bar; 0 unknown */
    bool show;
    double last_draw;
    int pending; /* sent, reply not read */
    size_t pending_bytes;
    long long lines[OPS_PIPELINE]; /* line number of each pending command */
    long long acked;
    long long refused; /* error replies */
    long long first_bad_line;
    char first_error[300];
    long long unknown;  /* sent, then the connection failed before the reply */
    bool force;         /* --force: add "force": true */
    long long unforced; /* --force: lines pushed as they were */
    int read_errno;     /* reading the input failed */
    bool append_failed;
} enq;

static void enq_draw(enq *e)
{
    double now = cli_now_s();
    if (!e->show || now - e->last_draw < 0.1) {
        return;
    }
    e->last_draw = now;
    if (e->size > 0) {
        off_t pos = ftello(e->in);
        double frac = pos > 0 ? (double)pos / (double)e->size : 0;
        frac = frac > 1 ? 1 : frac;
        char bar[CLI_BAR_WIDTH + 1];
        cli_bar(bar, frac);
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

/* Reads the command line into o, *path, *regrade and *force. CLI_RUN, or the exit status. */
static int enqueue_args(ops *o, int argc, char **argv, const char **path, bool *regrade,
                        bool *force)
{
    enum { OPT_REGRADE = CLI_OPT_OWN, OPT_FORCE };
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        OPS_OPTIONS,
        {"regrade", no_argument, NULL, OPT_REGRADE},
        {"force", no_argument, NULL, OPT_FORCE},
        {NULL, 0, NULL, 0},
    };
    cli_getopt_begin();
    int c, rc = CLI_RUN;
    while ((c = cli_next_option(o->name, enqueue_usage, argc, argv, ":h", options, &rc)) > 0) {
        if (c == OPT_REGRADE) {
            *regrade = true;
        } else if (c == OPT_FORCE) {
            *force = true;
        } else {
            ops_option(o, c);
        }
    }
    if (c == 0) {
        return rc;
    }
    if (argc - optind != 1) {
        return cli_usage_error(o->name, enqueue_usage, "%s",
                               optind == argc ? "FILE is missing (- for standard input)"
                                              : "one FILE only");
    }
    *path = argv[optind];
    return CLI_RUN;
}

/* Opens e->path. EXIT_OK, or EXIT_UNUSABLE after saying why. */
static int enq_open(const ops *o, enq *e)
{
    e->in = strcmp(e->path, "-") == 0 ? stdin : fopen(e->path, "rb");
    if (e->in == NULL) {
        fprintf(stderr, "%s: %s: %s\n", o->name, e->path, strerror(errno));
        return EXIT_UNUSABLE;
    }
    struct stat st;
    if (fstat(fileno(e->in), &st) == 0 && S_ISREG(st.st_mode)) {
        e->size = st.st_size;
    }
    e->show = isatty(STDERR_FILENO) == 1;
    return EXIT_OK;
}

/* --force: the line with "force": true added before its closing brace, in *out (a buffer the
 * caller frees, grown as needed), every other byte kept. false when the line is no JSON
 * object or already has "force" (it is then pushed as it is). */
static bool add_force(const char *line, size_t len, char **out, size_t *cap, size_t *outlen)
{
    json_t *o = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
    bool ok = json_is_object(o) && json_object_get(o, "force") == NULL;
    bool empty = ok && json_object_size(o) == 0;
    json_decref(o);
    if (!ok) {
        return false;
    }
    size_t end = len; /* the closing brace: the last byte that is not white space */
    while (end > 0 && strchr(" \t\r\n", line[end - 1])) {
        end--;
    }
    static const char add[] = ",\"force\":true";
    const char *ins = empty ? add + 1 : add;
    size_t n = strlen(ins), need = len + n;
    if (end == 0 || line[end - 1] != '}') {
        return false;
    }
    if (need > *cap) {
        char *p = realloc(*out, need);
        if (p == NULL) {
            return false;
        }
        *out = p;
        *cap = need;
    }
    memcpy(*out, line, end - 1);
    memcpy(*out + end - 1, ins, n);
    memcpy(*out + end - 1 + n, line + end - 1, len - (end - 1));
    *outlen = need;
    return true;
}

/* Pushes the lines until the input ends, Redis refuses one or the connection fails.
 * false when the connection failed. */
static bool enq_push(ops *o, enq *e)
{
    char *line = NULL, *forced = NULL;
    size_t cap = 0, fcap = 0;
    long long lineno = 0;
    bool conn_ok = true;
    while (e->refused == 0) {
        errno = 0;
        ssize_t got = getline(&line, &cap, e->in);
        if (got < 0) {
            if (!feof(e->in)) {
                e->read_errno = errno ? errno : EIO;
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
        if (cli_is_blank(line, len)) {
            continue;
        }
        const char *msg = line;
        if (e->force) {
            size_t flen;
            if (add_force(line, len, &forced, &fcap, &flen)) {
                msg = forced;
                len = flen;
            } else {
                e->unforced++;
            }
        }
        const char *args[] = {"LPUSH", e->key, msg};
        size_t lens[] = {5, strlen(e->key), len};
        if (!ops_append(o, 3, args, lens)) {
            e->append_failed = true;
            break;
        }
        e->lines[e->pending++] = lineno;
        e->pending_bytes += len;
        if (e->pending == OPS_PIPELINE || e->pending_bytes >= PIPELINE_BYTES) {
            if (!enq_flush(o, e)) {
                conn_ok = false;
                break;
            }
        }
    }
    free(line);
    free(forced);
    return conn_ok && e->unknown == 0 && (e->pending == 0 || enq_flush(o, e));
}

/* Says how it went. The exit status. */
static int enq_report(const ops *o, const enq *e, bool conn_ok)
{
    const char *were = e->acked == 1 ? " was" : "s were";
    if (!conn_ok) {
        ops_lost(o);
        fprintf(stderr,
                "%s: %lld submission%s acknowledged onto %s before the error; %lld more "
                "were sent without an answer and may or may not be queued\n",
                o->name, e->acked, were, e->key, e->unknown);
        return EXIT_UNUSABLE;
    }
    if (e->refused) {
        fprintf(stderr,
                "%s: Redis refused the LPUSH of line %lld: %s\n"
                "%s: stopped; %lld submission%s acknowledged onto %s, %lld refused\n",
                o->name, e->first_bad_line, e->first_error, o->name, e->acked, were, e->key,
                e->refused);
        return EXIT_UNUSABLE;
    }
    if (e->read_errno || e->append_failed) {
        if (e->read_errno) {
            fprintf(stderr, "%s: %s: %s\n", o->name,
                    e->in == stdin ? "standard input" : e->path, strerror(e->read_errno));
        }
        fprintf(stderr, "%s: %lld submission%s acknowledged onto %s before the error\n",
                o->name, e->acked, were, e->key);
        return EXIT_UNUSABLE;
    }
    fprintf(stderr, "enqueued %lld submission%s onto %s%s\n", e->acked,
            e->acked == 1 ? "" : "s", e->key, e->force ? ", each with \"force\": true" : "");
    if (e->unforced) {
        fprintf(stderr,
                "%lld line%s pushed as %s: no JSON object, or \"force\" given already\n",
                e->unforced, e->unforced == 1 ? "" : "s",
                e->unforced == 1 ? "it was" : "they were");
    }
    return EXIT_OK;
}

int cmd_enqueue(int argc, char **argv)
{
    ops o;
    ops_init(&o, "assay enqueue", enqueue_usage);
    const char *path = NULL;
    bool regrade = false, force = false;
    int rc = enqueue_args(&o, argc, argv, &path, &regrade, &force);
    if (rc != CLI_RUN || (rc = ops_check(&o)) != EXIT_OK) {
        return rc;
    }
    enq *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        fprintf(stderr, "%s: out of memory\n", o.name);
        return EXIT_UNUSABLE;
    }
    e->path = path;
    e->key = regrade ? o.keys.regrade : o.keys.live;
    e->force = force;
    rc = enq_open(&o, e);
    if (rc == EXIT_OK) {
        rc = ops_connect(&o);
    }
    if (rc == EXIT_OK) {
        bool conn_ok = enq_push(&o, e);
        if (e->show) {
            fputs("\r\033[K", stderr);
        }
        rc = enq_report(&o, e, conn_ok);
    }
    if (e->in && e->in != stdin) {
        fclose(e->in);
    }
    free(e);
    ops_close(&o);
    return rc;
}
