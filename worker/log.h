/*
 * log.h - the worker's log: one JSON object per line (default) or plain text for people,
 * on stderr, filtered by level. Never given answers or passwords: callers log ids, counts
 * and reasons.
 */
#ifndef ASSAY_WORKER_LOG_H
#define ASSAY_WORKER_LOG_H

#include <stdbool.h>

typedef enum wk_level { WK_DEBUG, WK_INFO, WK_WARN, WK_ERROR } wk_level;

void wk_log_setup(bool json, wk_level min);
/* Parses "debug", "info", "warn", "error"; -1 when unknown. */
int wk_log_parse_level(const char *s);

void wk_log_at(wk_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define wk_log(level, ...) wk_log_at((level), __FILE__, __LINE__, __VA_ARGS__)

#endif
