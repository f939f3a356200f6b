/*
 * log.h - the worker's log: one JSON object per line (default) or plain text for people,
 * on stderr, filtered by level. Never given answers or passwords: callers log ids, counts
 * and reasons.
 *
 * A JSON line holds "ts", "level", "msg" (the sentence for people), then the fields a
 * caller set (wk_lf: "event", "id", "queue", "count", "ms", "code", ...), then "worker"
 * (this worker's id) and "src" (file:line). The fields are documented in
 * docs/architecture.md ("The worker's log"). A text line is the time, the level, the
 * sentence and [file:line].
 */
#ifndef ASSAY_WORKER_LOG_H
#define ASSAY_WORKER_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum wk_level { WK_DEBUG, WK_INFO, WK_WARN, WK_ERROR } wk_level;

/* The fields of one line besides the sentence; a NULL string, or a number whose has_
 * flag is false, is left out. Set numbers with WK_COUNT and WK_MS. */
typedef struct wk_lf {
    const char *event; /* a stable name for the kind of line: "graded", "duplicate", ... */
    const char *id;    /* a submission's id, id_len bytes (0: NUL-terminated) */
    size_t id_len;
    const char *queue; /* "submissions", "regrade", or a key */
    const char *code;  /* an error code: a result's error.code, or Redis's error prefix */
    const char *conn;  /* "main" or "block" */
    const char *peer;  /* another worker's id */
    const char *user;  /* a Redis user name */
    const char *redis; /* the Redis server, described without the password */
    const char *path;  /* a file or folder */
    long long count;
    double ms;
    bool has_count, has_ms;
} wk_lf;
#define WK_COUNT(n) .count = (long long)(n), .has_count = true
#define WK_MS(x)    .ms = (double)(x), .has_ms = true

/* json: JSON lines (else text); min: the lowest level written; worker: this worker's id,
 * in every JSON line (copied; NULL leaves it out). */
void wk_log_setup(bool json, wk_level min, const char *worker);
/* Parses "debug", "info", "warn", "error"; -1 when unknown. */
int wk_log_parse_level(const char *s);
/* Whether a line of this level is written (to skip building costly fields). */
bool wk_log_enabled(wk_level level);

void wk_log_at(wk_level level, const char *file, int line, const wk_lf *fields, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/* A line with its fields: wk_logf(WK_INFO, &(wk_lf){.event = "x", WK_COUNT(n)}, "...", ...)
 * (the fields are no macro parameter of their own: their commas are not in parentheses). */
#define wk_logf(level, ...) wk_log_at((level), __FILE__, __LINE__, __VA_ARGS__)
/* A line with no field but the sentence. */
#define wk_log(level, ...) wk_log_at((level), __FILE__, __LINE__, NULL, __VA_ARGS__)

#endif
