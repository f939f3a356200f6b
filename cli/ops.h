/*
 * ops.h - the Redis side of the operator commands (enqueue.c, stats.c, dead.c): the options
 * they share, one synchronous hiredis connection, pipelined commands and replies.
 */
#ifndef ASSAY_CLI_OPS_H
#define ASSAY_CLI_OPS_H

#include "cli.h"

#include "redis_url.h"
#include "queue.h"

#include <hiredis/hiredis.h>

enum {
    OPS_PIPELINE = 1000, /* commands per round trip */
};

/* One operator command's run: its name and usage, where Redis is, the connection. */
typedef struct ops {
    const char *name; /* "assay enqueue": starts every message */
    const char *usage;
    const char *url;
    const char *prefix;
    redis_url target;
    char desc[600]; /* the server, without the password */
    redisContext *c;
    queue_keys keys;
} ops;

/* Sets the defaults: REDIS_URL or redis://127.0.0.1:6379, ASSAY_PREFIX or assay. */
void ops_init(ops *o, const char *name, const char *usage);
/* The long options every operator command takes, after CLI_OPTIONS_COMMON. */
/* clang-format off */
#define OPS_OPTIONS \
    {"redis", required_argument, NULL, CLI_OPT_REDIS}, \
    {"prefix", required_argument, NULL, CLI_OPT_PREFIX}
/* clang-format on */
/* Takes an option of OPS_OPTIONS that cli_next_option returned (c, its value in optarg). */
void ops_option(ops *o, int c);
/* Checks the prefix and the URL once the command line is read and fills in the keys.
 * EXIT_OK or EXIT_USAGE after saying why. */
int ops_check(ops *o);
/* Connects, authenticates, selects the database and checks with PING that commands are
 * accepted. EXIT_OK, or EXIT_UNUSABLE after saying why (and with no connection open). */
int ops_connect(ops *o);
void ops_close(ops *o);
/* Says that the connection failed, and how. */
void ops_lost(const ops *o);
/* Queues a command (lens NULL: NUL-terminated arguments). false after saying it failed. */
bool ops_append(ops *o, int argc, const char **argv, const size_t *lens);
/* The next pipelined reply (caller frees with freeReplyObject), or NULL after reporting
 * that the connection failed. */
redisReply *ops_reply(ops *o);
/* Reports an error reply (or a reply of the wrong type) to the command `what`. Always
 * EXIT_UNUSABLE. */
int ops_refused(const ops *o, const char *what, const redisReply *r);

#endif
