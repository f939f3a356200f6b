/*
 * config.c - flags and environment fallbacks for assay-worker (REDIS_URL is read by
 * queue/redis_url.c).
 */
#include "config.h"
#include "log.h"
#include "metrics.h"

#include "assay/assay.h"

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "Usage: assay-worker [OPTIONS]\n"
    "\n"
    "Grades submissions from Redis queues with the Assay engine.\n"
    "\n"
    "Options (environment fallback in brackets):\n"
    "  --redis URL           redis://[user[:password]@]host[:port][/db] (IPv6 as [::1])\n"
    "                        or unix:///path/redis.sock[?db=N] [REDIS_URL; default "
    "redis://127.0.0.1:6379]\n"
    "  --rubrics DIR         rubric directory [ASSAY_RUBRICS; default ./rubrics]\n"
    "  --prefix P            key prefix, e.g. {assay} for one Cluster slot [ASSAY_PREFIX; "
    "assay]\n"
    "  --worker-id ID        this worker's id [ASSAY_WORKER_ID; default host:pid]\n"
    "  --inflight N          submissions claimed and not yet acknowledged [ASSAY_INFLIGHT; "
    "256]\n"
    "  --regrade-inflight N  of those, at most N from the regrade queue, graded on\n"
    "                        low-priority threads [ASSAY_REGRADE_INFLIGHT; 32]\n"
    "  --batch N             submissions claimed per round trip [ASSAY_BATCH; 64]\n"
    "  --max-attempts N      deliveries before dead-lettering [ASSAY_MAX_ATTEMPTS; 3]\n"
    "  --dedupe-ttl SECONDS  how long results suppress duplicates [ASSAY_DEDUPE_TTL; 604800]\n"
    "  --reply-ttl SECONDS   a reply list P:results:<reply_to> expires this long after its\n"
    "                        last result [ASSAY_REPLY_TTL; 3600]\n"
    "  --heartbeat-ttl MS    a worker silent this long is dead [ASSAY_HEARTBEAT_TTL_MS; "
    "10000]\n"
    "  --command-timeout MS  Redis reply deadline [ASSAY_COMMAND_TIMEOUT_MS; 5000]\n"
    "  --idle-block MS       one blocking wait on empty queues [ASSAY_IDLE_BLOCK_MS; 500]\n"
    "  --drain-timeout MS    SIGTERM: time to finish in-flight work [ASSAY_DRAIN_TIMEOUT_MS; "
    "10000]\n"
    "  --max-bytes N         largest submission graded; a longer one is answered too_large\n"
    "                        without being read [ASSAY_MAX_BYTES; 1048576]\n"
    "  --oversize-keep N     P:dead:oversize keeps the newest N oversized messages\n"
    "                        [ASSAY_OVERSIZE_KEEP; 16]\n"
    "  --grade-threads N     grading threads, 0 grades on the event loop\n"
    "                        [ASSAY_GRADE_THREADS; the number of CPUs]\n"
    "  --records on|off      keep each learner's competency record in Redis, committed\n"
    "                        with the results (docs/records.md) [ASSAY_RECORDS; on]\n"
    "  --record-cache MIB    learner records kept parsed between batches, in MiB of their\n"
    "                        documents (about 2x that in memory); 0 keeps none\n"
    "                        [ASSAY_RECORD_CACHE_MIB; 32]\n"
    "  --issuer-key FILE     the private key (PKCS#8 PEM, RSA or Ed25519) that signs the\n"
    "                        credentials the rubric directory defines; required when it\n"
    "                        defines any (docs/credentials.md) [ASSAY_ISSUER_KEY]\n"
    "  --log-format F        json or text [ASSAY_LOG_FORMAT; json]\n"
    "  --log-level L         debug, info, warn, error [ASSAY_LOG_LEVEL; info]\n"
    "  --metrics HOST:PORT   serve /metrics (Prometheus), /healthz and /readyz over HTTP,\n"
    "                        e.g. 127.0.0.1:9464 or [::1]:9464 [ASSAY_METRICS; off]\n"
    "  -h, --help            this help\n"
    "  --version             the version\n"
    "\n"
    "Signals: SIGTERM/SIGINT drain and exit (a second one exits at once); SIGHUP reloads\n"
    "the rubrics while grading goes on (a broken rubric is reported and the loaded set\n"
    "stays in service).\n"
    "\n"
    "Exit status: 0 drained and stopped; 1 the rubrics did not load, or the drain timed\n"
    "out; 2 a bad command line, or credential definitions without a usable issuer key;\n"
    "78 Redis refused the user (password, ACL or database).\n";

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

static int num_opt(const char *name, const char *val, long lo, long hi, long *out)
{
    char *end;
    long long v = strtoll(val, &end, 10);
    if (*val == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "assay-worker: %s must be a whole number from %ld to %ld, not \"%s\"\n",
                name, lo, hi, val);
        return -1;
    }
    *out = (long)v;
    return 0;
}

int wk_config_parse(wk_config *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof(*cfg));
    const char *url = env_or("REDIS_URL", "redis://127.0.0.1:6379");
    cfg->rubrics = env_or("ASSAY_RUBRICS", "rubrics");
    cfg->prefix = env_or("ASSAY_PREFIX", "assay");
    const char *wid = env_or("ASSAY_WORKER_ID", NULL);
    const char *s_inflight = env_or("ASSAY_INFLIGHT", "256");
    const char *s_regrade = env_or("ASSAY_REGRADE_INFLIGHT", NULL);
    const char *s_batch = env_or("ASSAY_BATCH", "64");
    const char *s_attempts = env_or("ASSAY_MAX_ATTEMPTS", "3");
    const char *s_dedupe = env_or("ASSAY_DEDUPE_TTL", "604800");
    const char *s_reply = env_or("ASSAY_REPLY_TTL", "3600");
    const char *s_keep = env_or("ASSAY_OVERSIZE_KEEP", "16");
    const char *s_hb = env_or("ASSAY_HEARTBEAT_TTL_MS", "10000");
    const char *s_cto = env_or("ASSAY_COMMAND_TIMEOUT_MS", "5000");
    const char *s_idle = env_or("ASSAY_IDLE_BLOCK_MS", "500");
    const char *s_drain = env_or("ASSAY_DRAIN_TIMEOUT_MS", "10000");
    const char *s_max = env_or("ASSAY_MAX_BYTES", "1048576");
    const char *s_threads = env_or("ASSAY_GRADE_THREADS", NULL);
    const char *s_fmt = env_or("ASSAY_LOG_FORMAT", "json");
    const char *s_level = env_or("ASSAY_LOG_LEVEL", "info");
    const char *s_records = env_or("ASSAY_RECORDS", "on");
    const char *s_rcache = env_or("ASSAY_RECORD_CACHE_MIB", "32");
    cfg->issuer_key = env_or("ASSAY_ISSUER_KEY", NULL);
    cfg->metrics = env_or("ASSAY_METRICS", NULL);

    enum {
        O_REDIS = 256,
        O_RUBRICS,
        O_PREFIX,
        O_ID,
        O_INFLIGHT,
        O_REGRADE,
        O_BATCH,
        O_ATTEMPTS,
        O_DEDUPE,
        O_REPLY,
        O_KEEP,
        O_HB,
        O_CTO,
        O_IDLE,
        O_DRAIN,
        O_MAX,
        O_THREADS,
        O_FMT,
        O_LEVEL,
        O_METRICS,
        O_RECORDS,
        O_RECORD_CACHE,
        O_ISSUER_KEY,
        O_VERSION
    };
    static const struct option longopts[] = {
        {"redis", required_argument, NULL, O_REDIS},
        {"rubrics", required_argument, NULL, O_RUBRICS},
        {"prefix", required_argument, NULL, O_PREFIX},
        {"worker-id", required_argument, NULL, O_ID},
        {"inflight", required_argument, NULL, O_INFLIGHT},
        {"regrade-inflight", required_argument, NULL, O_REGRADE},
        {"batch", required_argument, NULL, O_BATCH},
        {"max-attempts", required_argument, NULL, O_ATTEMPTS},
        {"dedupe-ttl", required_argument, NULL, O_DEDUPE},
        {"reply-ttl", required_argument, NULL, O_REPLY},
        {"oversize-keep", required_argument, NULL, O_KEEP},
        {"heartbeat-ttl", required_argument, NULL, O_HB},
        {"command-timeout", required_argument, NULL, O_CTO},
        {"idle-block", required_argument, NULL, O_IDLE},
        {"drain-timeout", required_argument, NULL, O_DRAIN},
        {"max-bytes", required_argument, NULL, O_MAX},
        {"grade-threads", required_argument, NULL, O_THREADS},
        {"log-format", required_argument, NULL, O_FMT},
        {"log-level", required_argument, NULL, O_LEVEL},
        {"metrics", required_argument, NULL, O_METRICS},
        {"records", required_argument, NULL, O_RECORDS},
        {"record-cache", required_argument, NULL, O_RECORD_CACHE},
        {"issuer-key", required_argument, NULL, O_ISSUER_KEY},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_REDIS:
            url = optarg;
            break;
        case O_RUBRICS:
            cfg->rubrics = optarg;
            break;
        case O_PREFIX:
            cfg->prefix = optarg;
            break;
        case O_ID:
            wid = optarg;
            break;
        case O_INFLIGHT:
            s_inflight = optarg;
            break;
        case O_REGRADE:
            s_regrade = optarg;
            break;
        case O_BATCH:
            s_batch = optarg;
            break;
        case O_ATTEMPTS:
            s_attempts = optarg;
            break;
        case O_DEDUPE:
            s_dedupe = optarg;
            break;
        case O_REPLY:
            s_reply = optarg;
            break;
        case O_KEEP:
            s_keep = optarg;
            break;
        case O_HB:
            s_hb = optarg;
            break;
        case O_CTO:
            s_cto = optarg;
            break;
        case O_IDLE:
            s_idle = optarg;
            break;
        case O_DRAIN:
            s_drain = optarg;
            break;
        case O_MAX:
            s_max = optarg;
            break;
        case O_THREADS:
            s_threads = optarg;
            break;
        case O_FMT:
            s_fmt = optarg;
            break;
        case O_LEVEL:
            s_level = optarg;
            break;
        case O_METRICS:
            cfg->metrics = optarg;
            break;
        case O_RECORDS:
            s_records = optarg;
            break;
        case O_RECORD_CACHE:
            s_rcache = optarg;
            break;
        case O_ISSUER_KEY:
            cfg->issuer_key = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 1;
        case O_VERSION:
            printf("assay-worker %s\n", assay_version());
            return 1;
        default:
            fprintf(stderr, "assay-worker: unknown option or missing value: %s\n%s",
                    argv[optind - 1], usage);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "assay-worker: unexpected argument \"%s\"\n", argv[optind]);
        return -1;
    }
    char why[300];
    if (redis_url_parse(url, &cfg->redis, why, sizeof(why)) != 0) {
        fprintf(stderr, "assay-worker: bad Redis URL: %s\n", why);
        return -1;
    }
    redis_url_describe(&cfg->redis, cfg->redis_desc, sizeof(cfg->redis_desc));
    long v;
    if (num_opt("--inflight", s_inflight, 1, 100000, &v)) {
        return -1;
    }
    cfg->inflight = (int)v;
    cfg->regrade_inflight = cfg->inflight < 32 ? cfg->inflight : 32;
    if (s_regrade) {
        if (num_opt("--regrade-inflight", s_regrade, 1, cfg->inflight, &v)) {
            return -1;
        }
        cfg->regrade_inflight = (int)v;
    }
    if (num_opt("--batch", s_batch, 1, 10000, &v)) {
        return -1;
    }
    cfg->batch = (int)v;
    if (num_opt("--max-attempts", s_attempts, 1, 1000, &v)) {
        return -1;
    }
    cfg->max_attempts = (int)v;
    if (num_opt("--oversize-keep", s_keep, 0, 1000, &v)) {
        return -1;
    }
    cfg->oversize_keep = (int)v;
    if (num_opt("--dedupe-ttl", s_dedupe, 1, 100L * 365 * 86400, &cfg->dedupe_ttl_s) ||
        num_opt("--reply-ttl", s_reply, 1, 100L * 365 * 86400, &cfg->reply_ttl_s) ||
        num_opt("--heartbeat-ttl", s_hb, 500, 3600000, &cfg->heartbeat_ttl_ms) ||
        num_opt("--command-timeout", s_cto, 50, 3600000, &cfg->command_timeout_ms) ||
        num_opt("--idle-block", s_idle, 10, 60000, &cfg->idle_block_ms) ||
        num_opt("--drain-timeout", s_drain, 0, 3600000, &cfg->drain_timeout_ms) ||
        num_opt("--max-bytes", s_max, 1024, 1L << 30, &v)) {
        return -1;
    }
    cfg->max_bytes = (size_t)v;
    if (cfg->metrics && wk_metrics_check_listen(cfg->metrics, why, sizeof(why)) != 0) {
        fprintf(stderr, "assay-worker: %s\n", why);
        return -1;
    }
    if (s_threads) {
        if (num_opt("--grade-threads", s_threads, 0, 64, &v)) {
            return -1;
        }
        cfg->grade_threads = (int)v;
    } else {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->grade_threads = n > 0 ? (n > 64 ? 64 : (int)n) : 1;
    }
    if (strcmp(s_fmt, "json") != 0 && strcmp(s_fmt, "text") != 0) {
        fprintf(stderr, "assay-worker: --log-format must be json or text\n");
        return -1;
    }
    cfg->log_json = strcmp(s_fmt, "json") == 0;
    if (strcmp(s_records, "on") != 0 && strcmp(s_records, "off") != 0) {
        fprintf(stderr, "assay-worker: --records must be on or off, not \"%s\"\n", s_records);
        return -1;
    }
    cfg->records = strcmp(s_records, "on") == 0;
    /* 1 TiB of documents at most; less where size_t cannot hold that many bytes. */
    long rcache_max = SIZE_MAX >> 20 < (1UL << 20) ? (long)(SIZE_MAX >> 20) : 1L << 20;
    if (num_opt("--record-cache", s_rcache, 0, rcache_max, &v)) {
        return -1;
    }
    cfg->record_cache_bytes = (size_t)v << 20;
    cfg->log_level = wk_log_parse_level(s_level);
    if (cfg->log_level < 0) {
        fprintf(stderr, "assay-worker: --log-level must be debug, info, warn or error\n");
        return -1;
    }
    if (cfg->prefix[0] == '\0' || strlen(cfg->prefix) > 100) {
        fprintf(stderr, "assay-worker: --prefix must be 1 to 100 characters\n");
        return -1;
    }
    if (cfg->batch > cfg->inflight) {
        cfg->batch = cfg->inflight;
    }
    bool stub = strcmp(env_or("ASSAY_BENCH_STUB_GRADER", "0"), "1") == 0;
    const char *abort_on = env_or("ASSAY_FAULT_ABORT_ON", NULL);
    const char *conflicts = env_or("ASSAY_FAULT_RECORD_CONFLICTS", NULL);
#if ASSAY_TEST_HOOKS
    /* Benchmarks only (bench/worker_bench.py): the same Redis calls with a canned result,
     * to measure the queue's ceiling without grading. Deliberately not in --help. */
    cfg->stub_grader = stub;
    /* Chaos tests only (tests/chaos/scenario_poison.py): a real poison message, one that
     * kills the worker grading it, is any message holding this text. Not in --help; the
     * worker warns at start when it is set. */
    cfg->fault_abort_on = abort_on;
    /* Tests only (tests/ops/test_record_retry.py): LEARNER:N has the first N commits of
     * LEARNER's record refused by the ack script, as if another worker had changed it each
     * time. Not in --help; the worker warns at start when it is set. */
    const char *colon = conflicts ? strrchr(conflicts, ':') : NULL;
    char *end = NULL;
    long times = colon ? strtol(colon + 1, &end, 10) : 0;
    if (conflicts &&
        (colon == NULL || colon == conflicts || !isdigit((unsigned char)colon[1]) ||
         *end != '\0' || times <= 0 || times > 1000000 ||
         (size_t)(colon - conflicts) >= sizeof(cfg->fault_conflict_learner))) {
        fprintf(stderr, "assay-worker: ASSAY_FAULT_RECORD_CONFLICTS must be LEARNER:N\n");
        return -1;
    }
    if (conflicts) {
        snprintf(cfg->fault_conflict_learner, sizeof(cfg->fault_conflict_learner), "%.*s",
                 (int)(colon - conflicts), conflicts);
        cfg->fault_conflicts = (int)times;
    }
#else
    /* Never acted on here; named at start so a benchmark or test run notices. */
    cfg->hooks_ignored = stub        ? "ASSAY_BENCH_STUB_GRADER"
                         : abort_on  ? "ASSAY_FAULT_ABORT_ON"
                         : conflicts ? "ASSAY_FAULT_RECORD_CONFLICTS"
                                     : NULL;
#endif
    if (wid) {
        snprintf(cfg->worker_id, sizeof(cfg->worker_id), "%s", wid);
    } else {
        char host[200] = "localhost";
        gethostname(host, sizeof(host) - 1);
        snprintf(cfg->worker_id, sizeof(cfg->worker_id), "%s:%ld", host, (long)getpid());
    }
    return 0;
}
