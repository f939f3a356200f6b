/*
 * recread.c - the records read script and its argument list (see recread.h).
 */
#include "recread.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* clang-format off */
const char queue_recread_lua[] =
    "local nrec, out = tonumber(ARGV[1]), {}\n"
    "for i = 1, nrec do\n"
    "  local v = redis.call('HMGET', KEYS[2 * i - 1], 'ver', 'gen')\n"
    "  local ver, gen = v[1] or '', v[2] or ''\n"
    "  out[#out + 1] = ver\n"
    "  out[#out + 1] = gen\n"
    "  if ver ~= '' and gen ~= '' and ver == ARGV[2 * i] and gen == ARGV[2 * i + 1] then\n"
    "    out[#out + 1] = 1\n"
    "  else\n"
    "    out[#out + 1] = redis.call('HGET', KEYS[2 * i - 1], 'doc') or ''\n"
    "  end\n"
    "  out[#out + 1] = table.concat(redis.call('HKEYS', KEYS[2 * i]), '\\n')\n"
    "end\n"
    "for i = 2 * nrec + 1, #KEYS do\n"
    "  out[#out + 1] = redis.call('GET', KEYS[i]) or ''\n"
    "end\n"
    "return out\n";
/* clang-format on */

/* Appends a copy of s; false when out of memory. */
static int add(queue_argv *a, const char *s)
{
    if (a->argc == a->cap) {
        int cap = a->cap ? a->cap * 2 : 16;
        char **v = realloc(a->argv, (size_t)cap * sizeof(*v));
        if (v == NULL) {
            return -1;
        }
        a->argv = v;
        size_t *l = realloc(a->lens, (size_t)cap * sizeof(*l));
        if (l == NULL) {
            return -1;
        }
        a->lens = l;
        a->cap = cap;
    }
    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        return -1;
    }
    memcpy(copy, s, len + 1);
    a->argv[a->argc] = copy;
    a->lens[a->argc++] = len;
    return 0;
}

int queue_recread_argv(const char *sha, const char *const *records,
                       const char *const *credentials, const char *const *have_ver,
                       const char *const *have_gen, size_t nrec, const char *const *keys,
                       size_t nkeys, queue_argv *out)
{
    queue_argv a = {0};
    char numkeys[24], n[24];
    snprintf(numkeys, sizeof(numkeys), "%zu", 2 * nrec + nkeys);
    snprintf(n, sizeof(n), "%zu", nrec);
    int rc = add(&a, "EVALSHA") | add(&a, sha) | add(&a, numkeys);
    for (size_t i = 0; rc == 0 && i < nrec; i++) {
        rc = add(&a, records[i]) | add(&a, credentials[i]);
    }
    for (size_t i = 0; rc == 0 && i < nkeys; i++) {
        rc = add(&a, keys[i]);
    }
    rc = rc ? rc : add(&a, n);
    for (size_t i = 0; rc == 0 && i < nrec; i++) {
        bool have = have_ver && have_gen && have_ver[i] && have_gen[i];
        rc = add(&a, have ? have_ver[i] : "") | add(&a, have ? have_gen[i] : "");
    }
    if (rc != 0) {
        queue_argv_free(&a);
        return -1;
    }
    *out = a;
    return 0;
}
