/*
 * deadletter.c - encodes and decodes dead-letter entries (see deadletter.h). jansson writes
 * and reads the JSON, nettle the base64 of a message that is not UTF-8.
 */
#include "deadletter.h"

#include <nettle/base64.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

json_t *queue_dead_head(const json_t *result, const char *worker, const char *time,
                        long attempts, queue_lane lane)
{
    json_t *err = json_object_get(result, "error");
    json_t *d = json_object();
    if (d == NULL) {
        return NULL;
    }
    /* Missing parts of the result are left out (json_object_set_new refuses NULL). */
    json_object_set_new(d, "reason", json_copy(json_object_get(err, "code")));
    json_object_set_new(d, "message", json_copy(json_object_get(err, "message")));
    json_object_set_new(d, "id", json_copy(json_object_get(result, "id")));
    json_object_set_new(d, "worker", json_string(worker));
    json_object_set_new(d, "time", json_string(time));
    json_object_set_new(d, "attempts", json_integer(attempts));
    json_object_set_new(d, "queue", json_string(queue_lane_name(lane)));
    return d;
}

char *queue_dead_encode(const json_t *result, const char *raw, size_t len, const char *worker,
                        const char *time, long attempts, queue_lane lane)
{
    json_t *d = queue_dead_head(result, worker, time, attempts, lane);
    if (d == NULL) {
        return NULL;
    }
    json_t *s = json_stringn(raw, len);
    bool kept = s && json_object_set_new(d, "submission", s) == 0;
    if (s == NULL) {
        /* Not UTF-8: kept byte for byte in base64. */
        char *b64 = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);
        if (b64) {
            base64_encode_raw(b64, len, (const uint8_t *)raw);
            b64[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
            kept = json_object_set_new(d, "submission_base64", json_string(b64)) == 0;
            free(b64);
        }
    }
    /* An entry without its submission could never be requeued: out of memory instead. */
    char *text = kept ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    return text;
}

json_t *queue_dead_parse(const char *s, size_t len)
{
    json_t *e = json_loadb(s, len, JSON_ALLOW_NUL, NULL);
    if (e && !json_is_object(e)) {
        json_decref(e);
        e = NULL;
    }
    return e;
}

int queue_dead_lane(const json_t *entry, queue_lane *lane)
{
    const char *q = json_string_value(json_object_get(entry, "queue"));
    if (q && strcmp(q, queue_lane_name(QUEUE_LIVE)) == 0) {
        *lane = QUEUE_LIVE;
        return 0;
    }
    if (q && strcmp(q, queue_lane_name(QUEUE_REGRADE)) == 0) {
        *lane = QUEUE_REGRADE;
        return 0;
    }
    return -1;
}

char *queue_dead_submission(const json_t *entry, size_t *len)
{
    json_t *s = json_object_get(entry, "submission");
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
    json_t *b = json_object_get(entry, "submission_base64");
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
