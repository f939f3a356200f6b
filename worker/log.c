/*
 * log.c - writes log lines to stderr as JSON objects (jansson builds them, so messages are
 * escaped properly) or as text. Each line is written with one write call so lines from
 * several processes sharing a terminal or file do not interleave.
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

static const char *const names[] = {"debug", "info", "warn", "error"};

void wk_log_setup(bool json, wk_level min)
{
    as_json = json;
    min_level = min;
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

void wk_log_at(wk_level level, const char *file, int line, const char *fmt, ...)
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

    char out[1400];
    int len;
    if (as_json) {
        json_t *o = json_object();
        json_object_set_new(o, "ts", json_string(ts));
        json_object_set_new(o, "level", json_string(names[level]));
        json_t *m = json_string(msg);
        json_object_set_new(o, "msg", m ? m : json_string("(message was not valid UTF-8)"));
        json_object_set_new(o, "src", json_sprintf("%s:%d", file, line));
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        len = snprintf(out, sizeof(out), "%s\n", text ? text : "{}");
        free(text);
    } else {
        len = snprintf(out, sizeof(out), "%s %-5s %s [%s:%d]\n", ts, names[level], msg, file,
                       line);
    }
    if (len > (int)sizeof(out) - 1) {
        len = (int)sizeof(out) - 1;
        out[len - 1] = '\n';
    }
    ssize_t w = write(STDERR_FILENO, out, (size_t)len);
    (void)w;
}
