/*
 * log.c - writes log lines to stderr as JSON objects (jansson builds them, so messages and
 * fields are escaped properly) or as text. Each line is written with one write call so
 * lines from several threads or processes sharing a file do not interleave.
 */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static bool as_json = true;
static wk_level min_level = WK_INFO;
static char worker_id[256];

static const char *const names[] = {"debug", "info", "warn", "error"};

void wk_log_setup(bool json, wk_level min, const char *worker)
{
    as_json = json;
    min_level = min;
    snprintf(worker_id, sizeof(worker_id), "%s", worker ? worker : "");
}

int wk_log_parse_level(const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            return i;
        }
    }
    if (strcmp(s, "warning") == 0) {
        return WK_WARN;
    }
    return -1;
}

bool wk_log_enabled(wk_level level)
{
    return level >= min_level;
}

/* Sets o[key] to the string s[0..n) when s is set and valid UTF-8. */
static void put_str(json_t *o, const char *key, const char *s, size_t n)
{
    if (s) {
        json_object_set_new(o, key, json_stringn(s, n ? n : strlen(s)));
    }
}

static void put_fields(json_t *o, const wk_lf *f)
{
    put_str(o, "event", f->event, 0);
    put_str(o, "id", f->id, f->id_len);
    put_str(o, "queue", f->queue, 0);
    put_str(o, "code", f->code, 0);
    put_str(o, "conn", f->conn, 0);
    put_str(o, "peer", f->peer, 0);
    put_str(o, "user", f->user, 0);
    put_str(o, "redis", f->redis, 0);
    put_str(o, "path", f->path, 0);
    if (f->has_count) {
        json_object_set_new(o, "count", json_integer(f->count));
    }
    if (f->has_ms) {
        json_object_set_new(o, "ms", json_real((double)(long long)(f->ms * 1000 + 0.5) / 1000));
    }
}

void wk_log_at(wk_level level, const char *file, int line, const wk_lf *fields, const char *fmt,
               ...)
{
    if (level < min_level) {
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[40];
    size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", (long)(tv.tv_usec / 1000));

    char *text = NULL;
    size_t len = 0;
    if (as_json) {
        json_t *o = json_object();
        json_object_set_new(o, "ts", json_string(ts));
        json_object_set_new(o, "level", json_string(names[level]));
        json_t *m = json_string(msg);
        json_object_set_new(o, "msg", m ? m : json_string("(message was not valid UTF-8)"));
        if (fields) {
            put_fields(o, fields);
        }
        put_str(o, "worker", worker_id[0] ? worker_id : NULL, 0);
        json_object_set_new(o, "src", json_sprintf("%s:%d", file, line));
        char *j = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        len = j ? strlen(j) : 0;
        text = j ? realloc(j, len + 2) : NULL;
        if (text) {
            memcpy(text + len++, "\n", 2);
        } else {
            free(j);
        }
    } else {
        size_t size = strlen(msg) + strlen(file) + 80;
        text = malloc(size);
        int k = text ? snprintf(text, size, "%s %-5s %s [%s:%d]\n", ts, names[level], msg, file,
                                line)
                     : -1;
        len = k > 0 ? (size_t)k : 0;
    }
    if (text == NULL || len == 0) {
        static const char oom[] = "{\"level\":\"error\",\"msg\":\"out of memory logging\"}\n";
        ssize_t w = write(STDERR_FILENO, oom, sizeof(oom) - 1);
        (void)w;
        free(text);
        return;
    }
    ssize_t w = write(STDERR_FILENO, text, len);
    (void)w;
    free(text);
}
