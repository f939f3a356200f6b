/*
 * metrics.c - the registry of counters, gauges and histograms (lock-free atomics), its
 * rendering in the Prometheus text format, and the libmicrohttpd server that answers
 * /metrics, /healthz and /readyz on a thread of its own (see metrics.h).
 *
 * It does not decide when things happen: the worker's modules call wk_metrics_* at their
 * events, and notify.c's tick publishes the loop's state (in flight, readiness) and the
 * queue depths the heartbeat samples.
 */
#define _GNU_SOURCE /* NI_MAXHOST and friends in netdb.h */

#include "metrics.h"

#include "ack.h"
#include "log.h"

#include "assay/assay.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#if ASSAY_HAVE_METRICS
#include <microhttpd.h>
#endif

/* ------------------------------------------------------------------------------------
 * The registry.
 */

#define WK_METRIC_ROW_(id, name, labels, type, help) {name, labels, type, help},
static const struct {
    const char *name, *labels, *type, *help;
} rows[WK_M_COUNT] = {WK_METRICS(WK_METRIC_ROW_)};
#undef WK_METRIC_ROW_

#define UNKNOWN INT64_MIN /* a gauge without a value yet, rendered NaN */

static _Atomic int64_t values[WK_M_COUNT];
static atomic_bool enabled;
static atomic_int unready = WK_UNREADY_STARTING;
static double started_at; /* Unix time, for process_start_time_seconds */
static char build_labels[512];

enum { MAX_BUCKETS = 20 };

typedef struct hist {
    const char *name, *help;
    const double *bounds; /* upper bounds, increasing; +Inf is implied */
    size_t nb;
    _Atomic uint64_t counts[MAX_BUCKETS + 1]; /* per bucket, not cumulative; last: +Inf */
    _Atomic uint64_t sum_ns;
} hist;

static const double grading_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                        0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                        1,      2.5,     5,      10};
static const double e2r_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,    2.5,
                                    5,     10,   30,    60,   120, 300,  600, 1800, 3600};

_Static_assert(sizeof(e2r_bounds) / sizeof(e2r_bounds[0]) <= MAX_BUCKETS &&
                   sizeof(grading_bounds) / sizeof(grading_bounds[0]) <= MAX_BUCKETS,
               "MAX_BUCKETS holds every histogram's buckets");

static hist hists[WK_H_COUNT] = {
    {"assay_grading_seconds",
     "Time to grade one submission on a grading thread (answered or not)",
     grading_bounds,
     sizeof(grading_bounds) / sizeof(grading_bounds[0]),
     {0},
     0},
    {"assay_enqueue_to_result_seconds",
     "From the submission's enqueued_at to its result confirmed by Redis (submissions "
     "carrying enqueued_at only)",
     e2r_bounds,
     sizeof(e2r_bounds) / sizeof(e2r_bounds[0]),
     {0},
     0},
};

bool wk_metrics_enabled(void)
{
    return atomic_load_explicit(&enabled, memory_order_relaxed);
}

void wk_metrics_add(wk_metric m, int64_t n)
{
    if (wk_metrics_enabled()) {
        atomic_fetch_add_explicit(&values[m], n, memory_order_relaxed);
    }
}

void wk_metrics_set(wk_metric m, int64_t v)
{
    if (wk_metrics_enabled()) {
        atomic_store_explicit(&values[m], v, memory_order_relaxed);
    }
}

void wk_metrics_set_unknown(wk_metric m)
{
    wk_metrics_set(m, UNKNOWN);
}

void wk_metrics_observe(wk_hist which, double seconds)
{
    if (!wk_metrics_enabled()) {
        return;
    }
    hist *h = &hists[which];
    if (!(seconds >= 0)) {
        seconds = 0; /* clock skew between the LMS and us, or NaN */
    }
    size_t i = 0;
    while (i < h->nb && seconds > h->bounds[i]) {
        i++;
    }
    atomic_fetch_add_explicit(&h->counts[i], 1, memory_order_relaxed);
    double ns = seconds * 1e9;
    atomic_fetch_add_explicit(&h->sum_ns, ns < 1.8e19 ? (uint64_t)ns : 0, memory_order_relaxed);
}

void wk_metrics_set_unready(wk_unready why)
{
    atomic_store_explicit(&unready, (int)why, memory_order_relaxed);
    wk_metrics_set(WK_M_READY, why == WK_READY);
}

uint64_t wk_metrics_now_ns(void)
{
    if (!wk_metrics_enabled()) {
        return 0;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void wk_metrics_observe_since(wk_hist h, uint64_t t0)
{
    if (t0 != 0) {
        wk_metrics_observe(h, (double)(wk_metrics_now_ns() - t0) / 1e9);
    }
}

void wk_metrics_claimed(size_t n, const long *redeliveries)
{
    int64_t again = 0;
    for (size_t i = 0; i < n; i++) {
        again += redeliveries[i] > 0;
    }
    if (again > 0) {
        wk_metrics_add(WK_M_REDELIVERIES, again);
    }
}

/* ------------------------------------------------------------------------------------
 * Acknowledgement batches.
 */

typedef struct batch_msg {
    int64_t enqueued_ms;
    bool regrade, graded;
} batch_msg;

struct wk_metrics_batch {
    size_t n, cap;
    batch_msg m[];
};

wk_metrics_batch *wk_metrics_batch_new(size_t n)
{
    if (!wk_metrics_enabled() || n == 0) {
        return NULL;
    }
    wk_metrics_batch *mb = malloc(sizeof(*mb) + n * sizeof(mb->m[0]));
    if (mb) {
        mb->n = 0;
        mb->cap = n;
    }
    return mb;
}

void wk_metrics_batch_add(wk_metrics_batch *mb, queue_lane lane, bool graded,
                          int64_t enqueued_ms)
{
    if (mb && mb->n < mb->cap) {
        mb->m[mb->n++] = (batch_msg){enqueued_ms, lane == QUEUE_REGRADE, graded};
    }
}

void wk_metrics_batch_acked(const wk_metrics_batch *mb, const redisReply *r)
{
    if (mb == NULL || r == NULL || r->type != REDIS_REPLY_ARRAY) {
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    int64_t results[2][2] = {{0, 0}, {0, 0}}, dead = 0, dups = 0;
    for (size_t i = 0; i < r->elements && i < mb->n; i++) {
        const redisReply *e = r->element[i];
        const batch_msg *m = &mb->m[i];
        long long st = e->type == REDIS_REPLY_INTEGER ? e->integer : -1;
        if (st == QUEUE_ACK_ANSWERED) {
            results[m->regrade][m->graded]++;
            dead += !m->graded;
            if (m->enqueued_ms >= 0) {
                wk_metrics_observe(WK_H_ENQUEUE_TO_RESULT,
                                   (double)(now_ms - m->enqueued_ms) / 1000.0);
            }
        } else if (st == QUEUE_ACK_DUPLICATE) {
            dups++;
        }
    }
    static const wk_metric ids[2][2] = {
        {WK_M_RESULTS_LIVE_ERROR, WK_M_RESULTS_LIVE_GRADED},
        {WK_M_RESULTS_REGRADE_ERROR, WK_M_RESULTS_REGRADE_GRADED},
    };
    for (int lane = 0; lane < 2; lane++) {
        for (int graded = 0; graded < 2; graded++) {
            if (results[lane][graded]) {
                wk_metrics_add(ids[lane][graded], results[lane][graded]);
            }
        }
    }
    if (dead) {
        wk_metrics_add(WK_M_DEAD_LETTERS, dead);
    }
    if (dups) {
        wk_metrics_add(WK_M_DUPLICATES, dups);
    }
}

void wk_metrics_batch_free(wk_metrics_batch *mb)
{
    free(mb);
}

/* ------------------------------------------------------------------------------------
 * Rendering.
 */

static void put_header(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_hist(FILE *f, hist *h)
{
    put_header(f, h->name, "histogram", h->help);
    uint64_t cum = 0;
    for (size_t i = 0; i <= h->nb; i++) {
        cum += atomic_load_explicit(&h->counts[i], memory_order_relaxed);
        if (i < h->nb) {
            fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", h->name, h->bounds[i],
                    (unsigned long long)cum);
        } else {
            fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", h->name, (unsigned long long)cum);
        }
    }
    double sum = (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9;
    fprintf(f, "%s_sum %.9f\n%s_count %llu\n", h->name, sum, h->name, (unsigned long long)cum);
}

static void put_process(FILE *f)
{
    put_header(f, "process_start_time_seconds", "gauge",
               "Start time of the process since the Unix epoch, in seconds");
    fprintf(f, "process_start_time_seconds %.3f\n", started_at);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
                     ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
        put_header(f, "process_cpu_seconds_total", "counter",
                   "User and system CPU time spent, in seconds");
        fprintf(f, "process_cpu_seconds_total %.6f\n", cpu);
    }
    FILE *statm = fopen("/proc/self/statm", "r");
    unsigned long pages_total, pages_rss;
    if (statm && fscanf(statm, "%lu %lu", &pages_total, &pages_rss) == 2) {
        put_header(f, "process_resident_memory_bytes", "gauge", "Resident memory, in bytes");
        fprintf(f, "process_resident_memory_bytes %llu\n",
                (unsigned long long)pages_rss * (unsigned long long)sysconf(_SC_PAGESIZE));
    }
    if (statm) {
        fclose(statm);
    }
}

char *wk_metrics_render(size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL) {
        return NULL;
    }
    for (int i = 0; i < WK_M_COUNT; i++) {
        if (i == 0 || strcmp(rows[i].name, rows[i - 1].name) != 0) {
            put_header(f, rows[i].name, rows[i].type, rows[i].help);
        }
        fputs(rows[i].name, f);
        if (rows[i].labels[0]) {
            fprintf(f, "{%s}", rows[i].labels);
        }
        int64_t v = atomic_load_explicit(&values[i], memory_order_relaxed);
        if (v == UNKNOWN) {
            fputs(" NaN\n", f);
        } else {
            fprintf(f, " %lld\n", (long long)v);
        }
    }
    for (int i = 0; i < WK_H_COUNT; i++) {
        put_hist(f, &hists[i]);
    }
    put_header(f, "assay_build_info", "gauge",
               "Always 1; the labels name the version and the libraries it runs with");
    fprintf(f, "assay_build_info{%s} 1\n", build_labels);
    put_process(f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    *len = size;
    return buf;
}

const char *wk_metrics_unready_text(wk_unready why)
{
    switch (why) {
    case WK_READY:
        return "ready\n";
    case WK_UNREADY_STARTING:
        return "not ready: starting, loading the rubrics\n";
    case WK_UNREADY_REDIS:
        return "not ready: Redis is not reachable (the main connection is down)\n";
    case WK_UNREADY_SCRIPTS:
        return "not ready: connected to Redis, loading the queue scripts\n";
    case WK_UNREADY_RUBRICS:
        return "not ready: no rubric loaded\n";
    case WK_UNREADY_DRAINING:
        return "not ready: draining, taking no more work\n";
    }
    return "not ready\n";
}

#if ASSAY_HAVE_METRICS

/* A label value with \, " and newline escaped. */
static void put_label_value(FILE *f, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"') {
            fputc('\\', f);
            fputc(*v, f);
        } else if (*v == '\n') {
            fputs("\\n", f);
        } else {
            fputc(*v, f);
        }
    }
}

static void labels_init(void)
{
    char hiredis[32];
    snprintf(hiredis, sizeof(hiredis), "%d.%d.%d", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
    const char *kv[][2] = {
        {"version", assay_version()},
        {"libuv", uv_version_string()},
        {"hiredis", hiredis},
        {"jansson", JANSSON_VERSION},
        {"microhttpd", MHD_get_version()},
        {"systemd", ASSAY_HAVE_SYSTEMD ? "yes" : "no"},
    };
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
        fprintf(f, "%s%s=\"", i ? "," : "", kv[i][0]);
        put_label_value(f, kv[i][1]);
        fputc('"', f);
    }
    if (fclose(f) == 0) {
        snprintf(build_labels, sizeof(build_labels), "%s", buf);
    }
    free(buf);
}

#endif

/* ------------------------------------------------------------------------------------
 * HOST:PORT.
 */

#if ASSAY_HAVE_METRICS

/* Splits and resolves hostport; *res (freeaddrinfo) when out is not NULL. */
static int resolve(const char *hostport, struct addrinfo **out, char *why, size_t size)
{
    char host[256], port[8];
    const char *colon;
    const char *h = hostport;
    size_t hlen;
    if (hostport[0] == '[') {
        const char *close = strchr(hostport, ']');
        if (close == NULL || close[1] != ':') {
            snprintf(why, size,
                     "--metrics \"%s\": an IPv6 address goes in brackets, then "
                     ":PORT ([::1]:9464)",
                     hostport);
            return -1;
        }
        h = hostport + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(hostport, ':');
        if (colon == NULL) {
            snprintf(why, size, "--metrics \"%s\": expected HOST:PORT (127.0.0.1:9464)",
                     hostport);
            return -1;
        }
        hlen = (size_t)(colon - hostport);
        if (memchr(hostport, ':', hlen)) {
            snprintf(why, size,
                     "--metrics \"%s\": put an IPv6 address in brackets ([::1]:9464)",
                     hostport);
            return -1;
        }
    }
    const char *p = colon + 1;
    size_t plen = strlen(p);
    bool digits = plen > 0 && plen <= 5 && strspn(p, "0123456789") == plen;
    if (hlen == 0 || hlen >= sizeof(host) || !digits || atol(p) > 65535) {
        snprintf(why, size,
                 hlen == 0 ? "--metrics \"%s\": no host (0.0.0.0:PORT for every address)"
                           : "--metrics \"%s\": expected HOST:PORT with PORT from 0 to 65535",
                 hostport);
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    memcpy(port, p, plen + 1);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(why, size, "--metrics \"%s\": cannot resolve \"%s\": %s", hostport, host,
                 gai_strerror(rc));
        return -1;
    }
    if (out) {
        *out = res;
    } else {
        freeaddrinfo(res);
    }
    return 0;
}

#endif

int wk_metrics_check_listen(const char *hostport, char *why, size_t size)
{
#if ASSAY_HAVE_METRICS
    return resolve(hostport, NULL, why, size);
#else
    snprintf(why, size,
             "--metrics \"%s\": this assay-worker was built without metrics "
             "(-Dmetrics=disabled, or libmicrohttpd was not found)",
             hostport);
    return -1;
#endif
}

/* ------------------------------------------------------------------------------------
 * The HTTP server.
 */

#if ASSAY_HAVE_METRICS

enum {
    CONNECTION_TIMEOUT_S = 10,     /* an idle connection is closed after this */
    CONNECTION_MEMORY = 16 * 1024, /* request line + headers, per connection */
    CONNECTION_LIMIT_MAX = 512,    /* at most; and half the descriptors allowed */
    LISTEN_BACKLOG = 64,
};

static struct MHD_Daemon *daemon_;

static void mhd_log_cb(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* libmicrohttpd's messages are about clients (a header too large, a timeout): debug only,
 * so a hostile client cannot flood the log. */
static void mhd_log_cb(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[300];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) {
        msg[--n] = '\0';
    }
    wk_logf(WK_DEBUG, &(wk_lf){.event = "metrics_http"}, "metrics http: %s", msg);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
                             char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (r == NULL) {
        if (mode == MHD_RESPMEM_MUST_FREE) {
            free(body);
        }
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return reply(c, status, "text/plain; charset=utf-8", (char *)text, strlen(text),
                 MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result answer_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **req_cls)
{
    (void)cls;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    }
    if (strcmp(url, "/metrics") == 0) {
        size_t len;
        char *body = wk_metrics_render(&len);
        if (body == NULL) {
            return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
        }
        return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len,
                     MHD_RESPMEM_MUST_FREE);
    }
    if (strcmp(url, "/healthz") == 0) {
        return reply_text(c, MHD_HTTP_OK, "ok\n");
    }
    if (strcmp(url, "/readyz") == 0) {
        wk_unready why = (wk_unready)atomic_load_explicit(&unready, memory_order_relaxed);
        return reply_text(c, why == WK_READY ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
                          wk_metrics_unready_text(why));
    }
    return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: /metrics, /healthz, /readyz\n");
}

/* Half the descriptors we may open, at most CONNECTION_LIMIT_MAX: the rest stay for Redis. */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    unsigned long lim = CONNECTION_LIMIT_MAX;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur / 2 < lim) {
        lim = (unsigned long)rl.rlim_cur / 2;
    }
    return lim < 8 ? 8 : (unsigned)lim;
}

int wk_metrics_start(const char *hostport)
{
    char why[600];
    struct addrinfo *ai;
    if (resolve(hostport, &ai, why, sizeof(why)) != 0) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "metrics_failed"}, "%s", why);
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "metrics_failed"},
                "cannot listen on %s for --metrics: %s", hostport, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        freeaddrinfo(ai);
        return -1;
    }
    bool v6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    started_at = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    labels_init();
    for (int i = 0; i < WK_M_COUNT; i++) {
        atomic_store(&values[i], strcmp(rows[i].name, "assay_queue_depth") == 0 ? UNKNOWN : 0);
    }
    unsigned limit = connection_limit();
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     (v6 ? MHD_USE_IPv6 : 0);
    daemon_ = MHD_start_daemon(
        flags, 0, NULL, NULL, answer_cb, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log_cb, NULL,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, limit / 2, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONNECTION_MEMORY, MHD_OPTION_END);
    if (daemon_ == NULL) {
        wk_logf(WK_ERROR, &(wk_lf){.event = "metrics_failed"},
                "cannot start the metrics server on %s (libmicrohttpd failed)", hostport);
        close(fd);
        return -1;
    }
    atomic_store(&enabled, true);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    wk_logf(WK_INFO, &(wk_lf){.event = "metrics_listening"},
            "metrics on %s (port %u): GET /metrics, /healthz, /readyz; at most %u "
            "connections, %u per address, idle ones closed after %d s",
            hostport, info ? (unsigned)info->port : 0u, limit, limit / 2, CONNECTION_TIMEOUT_S);
    return 0;
}

void wk_metrics_stop(void)
{
    if (daemon_) {
        atomic_store(&enabled, false);
        MHD_stop_daemon(daemon_); /* closes the listen socket too */
        daemon_ = NULL;
    }
}

#else

int wk_metrics_start(const char *hostport)
{
    char why[600];
    wk_metrics_check_listen(hostport, why, sizeof(why));
    wk_logf(WK_ERROR, &(wk_lf){.event = "metrics_failed"}, "%s", why);
    return -1;
}

void wk_metrics_stop(void)
{
}

#endif
