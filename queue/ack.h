/*
 * ack.h - acknowledging a batch of graded messages: the ack script and the builder of its
 * argument list. One module owns both sides of that list (the positions are constants in
 * ack_layout.h, compiled into the C that writes the arguments, ack.c, and into the Lua that
 * reads them, ack_lua.c);
 * tests/unit/test_queue.c runs what the builder makes through the script in a real Redis.
 */
#ifndef ASSAY_QUEUE_ACK_H
#define ASSAY_QUEUE_ACK_H

#include "queue.h"

#include <stdbool.h>
#include <stddef.h>

/* An argument list for one Redis command, each argument a copy it owns (lens allow NUL
 * bytes). */
typedef struct queue_argv {
    int argc, cap;
    char **argv;
    size_t *lens;
} queue_argv;

/* Frees the copies and empties a; a zeroed queue_argv is empty. */
void queue_argv_free(queue_argv *a);

/* One message's part of an acknowledgement. Every pointer is borrowed for the call to
 * queue_ack_add, which copies. */
typedef struct queue_ack_msg {
    const char *raw; /* the message as claimed, byte for byte; an oversized one: its SHA-1 */
    size_t len;
    queue_lane lane;    /* the processing list it is removed from */
    const char *result; /* the result to push */
    const char *dead;   /* the dead-letter entry to push, NULL when graded */
    const char *dedupe; /* its de-duplication record, NULL without an id */
    const char *guard;  /* graded: the id's error record, NULL otherwise */
    const char *reply;  /* its reply list (queue_reply_key), NULL for P:results */
    bool graded;        /* the result's status is graded (P:stats counts graded / errors) */
    bool force;         /* graded even when its record exists (a forced regrade) */
    bool oversize;      /* in P:processing:<w>:oversize, moved to P:dead:oversize */
    bool gave_up;       /* answered grading_error after too many deliveries */
    bool uncounted;     /* claimed with no delivery count (redeliveries 0): the script does
                         * not clear one in P:attempts (false: it does, as it always may) */
    /* Records: the message's record group (queue_ack_group), 0 for none; and, in a group,
     * the values its de-duplication record and guard had when read (NULL: none). */
    int group;
    const char *seen_dedupe, *seen_guard;
} queue_ack_msg;

/* What the script answers for each message, in order. */
typedef enum queue_ack_status {
    QUEUE_ACK_GONE = 0,      /* not in the processing list any more: recovered elsewhere, its
                              * copy is answered there */
    QUEUE_ACK_ANSWERED = 1,  /* result pushed (and the dead letter) */
    QUEUE_ACK_DUPLICATE = 2, /* already answered: removed, nothing pushed */
    QUEUE_ACK_CONFLICT = 3,  /* its record group changed since it was read: nothing written,
                              * it stays in processing for the worker to read again */
} queue_ack_status;

/* Where a batch's results go: P:results or one reply list (private to ack.c). */
typedef struct queue_ack_dest queue_ack_dest;

/* Where a message's keys and group are, for the units (private to ack.c). */
typedef struct queue_ack_ref queue_ack_ref;

/* A batch being built; zeroed (or queue_ack_init) is empty. */
typedef struct queue_ack {
    queue_argv keys;    /* de-duplication and guard keys, after the fixed ones */
    queue_argv args;    /* the per-message fields */
    queue_argv groups;  /* the record groups' fields */
    queue_argv awards;  /* the credential awards' fields */
    queue_argv *staged; /* the commands that stage the groups' records */
    size_t nstaged;
    queue_ack_dest *dests; /* the results, staged per destination */
    size_t ndests;
    queue_ack_ref *refs; /* one per message */
    size_t n;            /* messages added */
    size_t ngroups, nawards;
    bool oom;
} queue_ack;

/*
 * An acknowledgement as it is sent: MULTI, cmd[0..n) in order, EXEC. cmd[script] is the ack
 * script, whose reply (a status per message) is that element of EXEC's reply. Before it come
 * the commands that stage the records and push the results onto their lists (the script
 * takes back those it does not answer), after it the DEL of any record stage left.
 */
typedef struct queue_tx {
    queue_argv *cmd;
    size_t n, script;
} queue_tx;

/* Frees the commands and empties t; a zeroed queue_tx is empty. */
void queue_tx_free(queue_tx *t);

void queue_ack_init(queue_ack *a);
/* Adds a message; out of memory is remembered and reported by queue_ack_finish (n counts
 * every message added all the same, so that the caller knows how many went unanswered). */
void queue_ack_add(queue_ack *a, const queue_ack_msg *m);
/*
 * Adds a record group: the learner's record key (queue_record_key), the "ver" and "gen" read
 * (NULL or "" for none), the new document (NULL or "": write nothing, only check), a "gen"
 * to write with it (NULL or "": the one read; the worker gives a new one, unique among all
 * records ever, when the record read had none: with "ver" it names one state of the record,
 * for the read script to skip documents the worker holds), the stage key to write it
 * through (queue_stage_key, unique to this group and attempt) and the learner's credentials
 * hash (queue_credentials_key; NULL without awards). A document to write is staged: an
 * HSET of the stage goes before the script in the transaction (queue_tx), so that a stage
 * never outlives it. The group commits, with its messages, only if "ver" and "gen", its stage,
 * its messages' presence in processing and their keys are as expected, and only with every
 * group and message it shares a de-duplication record or guard with (ackunit.h), which
 * queue_ack_finish works out.
 * @return the group's number for queue_ack_msg.group, 0 when out of memory (reported by
 * queue_ack_finish).
 */
int queue_ack_group(queue_ack *a, const char *key, const char *ver, const char *gen,
                    const char *doc, const char *gen_new, const char *stage,
                    const char *credentials);
/* Frees n argument lists and the array. */
void queue_argvs_free(queue_argv *v, size_t n);
/*
 * Adds a credential event of a group, written only if the group commits: issued (HSETNX
 * field jws in the group's credentials hash, then LPUSH event onto list, P:credentials, only
 * when stored) or a requirement no longer met (LPUSH event). Out of memory is reported by
 * queue_ack_finish.
 */
void queue_ack_award(queue_ack *a, int group, bool issued, const char *field, const char *jws,
                     const char *event, const char *list);
/* What the acknowledgement needs besides its messages. */
typedef struct queue_ack_opts {
    const char *rate_key; /* queue_rate_key of this minute */
    long dedupe_ttl_s;    /* how long a de-duplication record is kept */
    long reply_ttl_s;     /* a reply list expires this long after its last push */
    int oversize_keep;    /* P:dead:oversize keeps the newest this many (0: none) */
} queue_ack_opts;

/*
 * The whole acknowledgement into *out (which the caller frees with queue_tx_free): the
 * stages of the records, one LPUSH per destination (P:results, each reply list) of its
 * results in message order, then the script: EVAL <queue_ack_lua> numkeys KEYS... ARGV...
 * (keys k's results, dead, attempts, processing lists, stats and oversize lists, o's rate
 * key, then the messages' keys). No result passes through Lua, which hashes every byte it is
 * given: the script is told where each result landed and removes those it does not answer
 * (duplicates, conflicts, messages gone). It goes as EVAL so that it cannot be missing
 * (NOSCRIPT) once the results are pushed; Redis compiles it once and finds it by its SHA-1
 * after. a is emptied either way.
 * @return 0, or -1 out of memory (*out untouched).
 */
int queue_ack_finish(queue_ack *a, const queue_keys *k, const queue_ack_opts *o, queue_tx *out);

/* The script's text (queue_ack_finish sends it with EVAL; SCRIPT LOAD checks it at start). */
extern const char queue_ack_lua[];

#endif
