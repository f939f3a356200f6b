/*
 * health.c - classifying Redis's refusals and reacting to them (see health.h).
 */
#include "health.h"

#include "lifecycle.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WRITES_FIRST_MS = 100, WRITES_MAX_MS = 5000, WRITES_MEMORY_MS = 60000 };

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

wk_refusal wk_refusal_of(const char *err)
{
    if (err == NULL) {
        return WK_REFUSAL_NONE;
    }
    if (starts(err, "OOM")) {
        return WK_REFUSAL_WRITES;
    }
    if (starts(err, "WRONGPASS") || starts(err, "NOAUTH") || starts(err, "NOPERM") ||
        starts(err, "ERR invalid password") || starts(err, "ERR AUTH") ||
        starts(err, "ERR Client sent AUTH") || starts(err, "ERR DB index is out of range") ||
        /* An ACL refusal of a command or key inside a script (Redis 7). */
        strstr(err, "The user executing the script can't") != NULL) {
        return WK_REFUSAL_AUTH;
    }
    return WK_REFUSAL_NONE;
}

/* The first word of an error (its code), for the log's "code" field. */
static void err_code(const char *err, char *out, size_t size)
{
    size_t n = strcspn(err, " ");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), err);
}

static const char *user_of(const wk_worker *w)
{
    return w->cfg->redis.user[0] ? w->cfg->redis.user : "default";
}

static void auth_refused(wk_conn *c, const char *err, const char *what)
{
    wk_worker *w = c->w;
    char code[32];
    err_code(err, code, sizeof(code));
    if (!w->claimed_once) {
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "auth_refused",
                         .conn = c->name,
                         .code = code,
                         .user = user_of(w),
                         .redis = w->cfg->redis_desc},
                "cannot start: Redis at %s refuses user \"%s\" (%s, answering %s): fix the "
                "password in REDIS_URL or the user's ACL (docs/security.md); exiting",
                w->cfg->redis_desc, user_of(w), err, what);
        if (w->phase != WK_CLOSED) {
            w->exit_code = WK_EXIT_CONFIG;
            wk_close_all(w);
        }
        return;
    }
    if (!w->auth_failing) {
        wk_logf(WK_ERROR,
                &(wk_lf){.event = "auth_refused",
                         .conn = c->name,
                         .code = code,
                         .user = user_of(w),
                         .redis = w->cfg->redis_desc},
                "Redis at %s now refuses user \"%s\" (%s, answering %s): was the password "
                "or the ACL changed? Retrying with backoff; until it is accepted again the "
                "worker exits with status %d when stopped",
                w->cfg->redis_desc, user_of(w), err, what, WK_EXIT_CONFIG);
        w->auth_failing = true;
    }
    /* Logged here once: the drop itself adds no line. */
    c->was_ready = false;
    c->fail_logged = true;
    wk_conn_drop(c, err);
}

bool wk_health_refused(wk_conn *c, const char *err, const char *what)
{
    wk_worker *w = c->w;
    switch (wk_refusal_of(err)) {
    case WK_REFUSAL_AUTH:
        auth_refused(c, err, what);
        return true;
    case WK_REFUSAL_WRITES:
        if (!w->writes_refused) {
            wk_logf(WK_WARN,
                    &(wk_lf){.event = "writes_refused", .conn = c->name, .code = "OOM"},
                    "Redis refuses writes (%s, answering %s): backing off until it accepts "
                    "them again; free memory or raise maxmemory",
                    err, what);
            w->writes_refused = true;
            w->writes_refused_at = uv_now(w->loop);
            if (uv_now(w->loop) - w->writes_ok_at > WRITES_MEMORY_MS) {
                w->writes_backoff_ms = WRITES_FIRST_MS;
            }
        }
        return true;
    case WK_REFUSAL_NONE:
        break;
    }
    return false;
}

void wk_writes_ok(wk_worker *w)
{
    if (w->writes_refused) {
        w->writes_refused = false;
        w->writes_ok_at = uv_now(w->loop);
        wk_logf(WK_INFO, &(wk_lf){.event = "writes_accepted"}, "Redis accepts writes again");
    }
}

uint64_t wk_writes_delay(wk_worker *w)
{
    long base = w->writes_backoff_ms > 0 ? w->writes_backoff_ms : WRITES_FIRST_MS;
    long jitter = rand() % (base / 2 + 1) - base / 4;
    w->writes_backoff_ms = base * 2 > WRITES_MAX_MS ? WRITES_MAX_MS : base * 2;
    return (uint64_t)(base + jitter);
}

void wk_health_claimed(wk_worker *w)
{
    w->claimed_once = true;
    if (w->auth_failing) {
        w->auth_failing = false;
        wk_logf(WK_INFO, &(wk_lf){.event = "auth_accepted", .user = user_of(w)},
                "Redis accepts user \"%s\" again", user_of(w));
    }
}
