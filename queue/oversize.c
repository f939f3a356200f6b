/*
 * oversize.c - the id and the dead-letter entry of an oversized message (see oversize.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "oversize.h"

#include "deadletter.h"

#include <pcre2.h>
#include <string.h>

/* {"id": then a JSON string literal, as the message's first tokens, optionally followed by
 * "reply_to": and a valid reply list name. Without UTF checks: the prefix may be cut inside a
 * character after the literal. */
static const char id_pattern[] =
    "\\A[ \\t\\r\\n]*\\{[ \\t\\r\\n]*\"id\"[ \\t\\r\\n]*:[ \\t\\r\\n]*"
    "(\"(?:[^\"\\\\\\x00-\\x1f]|\\\\.)*\")"
    "(?:[ \\t\\r\\n]*,[ \\t\\r\\n]*\"reply_to\"[ \\t\\r\\n]*:[ \\t\\r\\n]*"
    "\"([A-Za-z0-9._:-]{1,64})\")?";

json_t *queue_oversize_id(const char *prefix, size_t len, char reply_to[65])
{
    if (reply_to) {
        reply_to[0] = '\0';
    }
    int err;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)id_pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    if (re == NULL) {
        return NULL;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    json_t *id = NULL;
    if (md && pcre2_match(re, (PCRE2_SPTR)prefix, len, 0, 0, md, NULL) >= 2) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        json_t *v =
            json_loadb(prefix + ov[2], ov[3] - ov[2], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (json_is_string(v)) {
            id = v;
            if (reply_to && ov[4] != PCRE2_UNSET && ov[5] - ov[4] <= 64) {
                memcpy(reply_to, prefix + ov[4], ov[5] - ov[4]);
                reply_to[ov[5] - ov[4]] = '\0';
            }
        } else {
            json_decref(v);
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return id;
}

char *queue_dead_encode_oversize(const json_t *result, long long bytes, const char *sha1,
                                 const char *kept_in, const char *worker, const char *time,
                                 long attempts, queue_lane lane)
{
    json_t *d = queue_dead_head(result, worker, time, attempts, lane);
    if (d == NULL) {
        return NULL;
    }
    json_object_set_new(d, "bytes", json_integer(bytes));
    json_object_set_new(d, "sha1", json_string(sha1));
    json_object_set_new(d, "kept_in", json_string(kept_in));
    char *text = json_object_size(d) == 10 ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    return text;
}
