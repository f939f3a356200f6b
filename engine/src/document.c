/*
 * document.c - a catalog document's bytes, JSON and kind (document.h): reading a file within
 * a size limit, parsing with syntax problems placed at their line and column, and telling a
 * rubric from a framework, a credential definition or a JSON Schema by its keys.
 *
 * It knows no document format beyond those keys: each kind's loader reads the rest.
 */
#include "document.h"

#include "error.h"
#include "locate.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int assay__doc_read_file(const char *path, size_t max, const char *what, char **out,
                         size_t *outlen, assay_diags *diags)
{
    assay_diag g;
    memset(&g, 0, sizeof(g));
    snprintf(g.source, sizeof(g.source), "%s", path);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        g.code = ASSAY_E_IO;
        snprintf(g.message, sizeof(g.message), "cannot open: %s", strerror(errno));
        assay__diags_add(diags, &g);
        return ASSAY_E_IO;
    }
    size_t cap = 64 * 1024, len = 0;
    char *buf = malloc(cap);
    int rc = 0;
    while (buf) {
        if (len == cap) {
            if (cap > max) {
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            break;
        }
    }
    if (buf == NULL) {
        rc = ASSAY_E_NOMEM;
    } else if (ferror(f)) {
        g.code = rc = ASSAY_E_IO;
        snprintf(g.message, sizeof(g.message), "cannot read: %s", strerror(errno));
        assay__diags_add(diags, &g);
    } else if (len > max) {
        g.code = rc = ASSAY_E_TOO_LARGE;
        snprintf(g.message, sizeof(g.message), "the %s is larger than the limit of %zu bytes",
                 what, max);
        assay__diags_add(diags, &g);
    }
    fclose(f);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

int assay__doc_parse(ld_report *R, size_t max, const char *what, json_t **root)
{
    const char *buf = R->buf;
    size_t len = R->len;
    if (len > max) {
        assay__report_plain(R, ASSAY_E_TOO_LARGE,
                            "the %s is %zu bytes, more than the limit of %zu", what, len, max);
        return ASSAY_E_TOO_LARGE;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        assay__report_at(R, "", 0, ASSAY_E_SYNTAX,
                         "the file starts with a UTF-8 byte order mark (BOM): save it as UTF-8 "
                         "without BOM");
        return ASSAY_E_SYNTAX;
    }
    json_error_t je;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    /* jansson sets a message for every syntax error; a failed allocation inside the parser
     * returns NULL with none (or says so). */
    if (doc == NULL &&
        (json_error_code(&je) == json_error_out_of_memory || je.text[0] == '\0')) {
        return ASSAY_E_NOMEM;
    }
    if (doc == NULL) {
        size_t off = assay__locate_syntax_error(buf, len, &je);
        bool bad_escape = strncmp(je.text, "invalid escape", 14) == 0 && off > 0 && off < len &&
                          buf[off - 1] == '\\' && buf[off] > ' ' && buf[off] < 0x7f;
        if (bad_escape) {
            /* A regular expression's escape written with one backslash, most likely: placed
             * at the backslash. */
            char c = buf[off];
            assay__report_at(R, "", off - 1, ASSAY_E_SYNTAX,
                             "invalid escape \"\\%c\" in a JSON string (JSON knows only \\\" "
                             "\\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX): for the regular "
                             "expression's \\%c, write \"\\\\%c\"",
                             c, c, c);
        } else if (json_error_code(&je) == json_error_invalid_utf8) {
            assay__report_at(R, "", off, ASSAY_E_SYNTAX, "the file is not valid UTF-8: %s",
                             je.text);
        } else if (assay__locate_trailing_comma(buf, len, off)) {
            assay__report_at(R, "", off, ASSAY_E_SYNTAX, "trailing comma before '%c'",
                             buf[off]);
        } else {
            assay__report_at(R, "", off, ASSAY_E_SYNTAX, "%s", je.text);
        }
        return ASSAY_E_SYNTAX;
    }
    *root = doc;
    return 0;
}

doc_kind assay__doc_kind(const json_t *root)
{
    if (!json_is_object(root)) {
        return DOC_UNKNOWN;
    }
    if (json_object_get(root, "assay")) {
        return DOC_RUBRIC;
    }
    if (json_object_get(root, "assay_framework")) {
        return DOC_FRAMEWORK;
    }
    if (json_object_get(root, "assay_credential")) {
        return DOC_CREDENTIAL;
    }
    const char *schema = json_string_value(json_object_get(root, "$schema"));
    if (schema && strstr(schema, "://json-schema.org/") != NULL) {
        return DOC_SCHEMA;
    }
    return DOC_UNKNOWN;
}

static int sha256_cb(const char *buf, size_t size, void *data)
{
    sha256_update(data, size, (const uint8_t *)buf);
    return 0;
}

int assay__doc_sha256(json_t *root, char out[65])
{
    /* Neither json_copy nor json_dumps: out of memory, jansson's copy skips members it
     * cannot insert and json_dumps drops a key whose text it cannot append, both silently,
     * which would hash another document. jansson writes the canonical text straight into
     * the hash; the callback never fails, and jansson reports its own allocation failures. */
    json_object_del(root, "$schema");
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    if (json_dump_callback(root, sha256_cb, &ctx,
                           JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) != 0) {
        return -1;
    }
    sha256_digest(&ctx, sizeof(digest), digest);
    for (size_t i = 0; i < sizeof(digest); i++) {
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    }
    return 0;
}
