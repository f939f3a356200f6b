/*
 * ack_layout.h - the ack script's argument layout, one place for both sides: the Lua
 * that reads it (ack_lua.c) and the C that writes it (ack.c). Private to those two files.
 *
 *   KEYS: results, dead, attempts, proc_live, proc_regrade, rate, stats, proc_oversize,
 *         dead_oversize, oversize_meta, gave_up, then for each message in order its
 * de-duplication record and its guard, each only when it has one (and the keys of the record
 * groups, awards and destinations below, where they are first named); ARGV: n,
 * de-duplication TTL (s), reply-list TTL (s), how many oversized messages P:dead:oversize
 * keeps, the numbers of record groups, awards and destinations, then ACK_FIELDS per message:
 * the message (for an oversized one, its SHA-1 hex, unused by the script: the one in
 * proc_oversize is it), its lane tag ('l', 'r', or 'o' for the oversize list), its result's
 * place in its destination's stage, its dead letter or '', the index in KEYS of its record or
 * 0, of its guard or 0, its destination's number, and its flags. Flags, one letter
 * each: 'g' graded (else an error result), 'f' forced (graded even when its record exists), 't'
 * too large, 'x' given up after too many deliveries (its record says 'gave-up' instead of '1'),
 * 'u' claimed without a delivery count (the script leaves P:attempts alone: a count there is
 * another copy's). A guard is the id's error record, given for a graded message: when it says
 * 'gave-up', the id was already answered with grading_error, and this copy is a duplicate
 * (unless forced). A 'gave-up' record exists only while P:gave-up does: every acknowledgement
 * that gives up an id sets P:gave-up for at least its de-duplication TTL, and guards are read
 * only while it exists (a record group's guard always is). The counters of P:stats: graded,
 * errors (results pushed of each status), dead (dead letters pushed), duplicates (suppressed),
 * forced, too_large, gave_up.
 *
 * Results never enter Lua (Redis 7.0 hashes every byte of every Lua string it is given).
 * The transaction pushes them onto their destinations (P:results, or a reply list) right
 * before the script, one plain LPUSH per destination in message order (queue_tx), so that
 * when the script runs the first c elements of a destination that got c results are this
 * batch's, its i-th result at index c - i. ACK_DEST_FIELDS per destination, after the
 * awards, give its index in KEYS, c, and 'r' for a reply list. The script overwrites the
 * result of each message it does not answer (duplicates, conflicts, messages gone) with ''
 * and removes those with one LREM counted from the head, which stops within the batch's
 * results; a reply list that kept any gets its EXPIRE. Should the script fail, it removes
 * what is left of the batch's results (LTRIM) before answering the error, so that a batch
 * answers nothing it did not acknowledge; the script is sent with EVAL, never EVALSHA, so
 * that it cannot be missing (NOSCRIPT) after the results were pushed.
 *
 * What it costs Redis per message (docs/performance.md): the message enters Lua as ARGV, an
 * LREM and a SET NX EX; its result is copied by the plain LPUSH; the dead letters get one
 * LPUSH per batch, in message order.
 *
 * Records (docs/records.md "In the worker"): ARGV's header also gives the number of record
 * groups, and each message three more fields: its group (1-based, 0 for none) and the values
 * its de-duplication record and guard had when the worker read them ('' for none). After the
 * messages come ACK_GROUP_FIELDS per group: the index in KEYS of the learner's record, the
 * "ver" and "gen" read ('' for none), the index in KEYS of its stage (0 to write nothing),
 * the credentials index below and its unit (ackunit.h: the least group it commits with). The
 * stage is the record as it is to be written (ver + 1, gen, doc), put there by a plain HSET
 * sent with the script in one MULTI ... EXEC (queue_ack_take_staged), so that no document
 * passes through Lua, which hashes every byte of every string it is given. Before anything is
 * written, each group is checked: "ver" and "gen" as read, its stage there, each of its
 * messages still in its processing list and its keys as read; a message without a group whose
 * unit is given (its group field is minus the unit) must be in its processing list too. A group
 * fails when any group of its unit does, or such a message of its unit is gone. A group that
 * fails is left alone: its messages are answered QUEUE_ACK_CONFLICT (or QUEUE_ACK_GONE for one
 * no longer in processing) and stay where they are, and its stage is deleted; the others are
 * acknowledged as above, and a group that passes renames its stage over the record. P:stats
 * also counts records (written) and record_conflicts.
 *
 * Credentials: the group's fields also give the index in KEYS of the learner's credentials
 * hash (0: none), ARGV's header the number of awards, and after the groups come
 * ACK_AWARD_FIELDS per award: its group, its kind ('i' issued: HSETNX the field to the
 * token, then push the event only when it was stored; 'n' a requirement no longer met: push
 * the event), the field "<id>@<version>", the token, the event and the index in KEYS of
 * P:credentials. An award of a group that did not commit is not written. P:stats counts
 * credentials_issued and credentials_no_longer_met.
 */
#ifndef ASSAY_QUEUE_ACK_LAYOUT_H
#define ASSAY_QUEUE_ACK_LAYOUT_H

/* Positions, 1-based as Lua counts: the fixed KEYS, the ARGV header, the per-message
 * fields as offsets from the message's first argument. */
#define ACK_KEY_RESULTS       1
#define ACK_KEY_DEAD          2
#define ACK_KEY_ATTEMPTS      3
#define ACK_KEY_PROC_LIVE     4
#define ACK_KEY_PROC_REGRADE  5
#define ACK_KEY_RATE          6
#define ACK_KEY_STATS         7
#define ACK_KEY_PROC_OVERSIZE 8
#define ACK_KEY_DEAD_OVERSIZE 9
#define ACK_KEY_OVERSIZE_META 10
#define ACK_KEY_GAVE_UP       11
#define ACK_FIXED_KEYS        11
#define ACK_ARG_N             1
#define ACK_ARG_TTL           2
#define ACK_ARG_REPLY_TTL     3
#define ACK_ARG_KEEP          4
#define ACK_ARG_GROUPS        5
#define ACK_ARG_AWARDS        6
#define ACK_ARG_DESTS         7
#define ACK_HEAD              7 /* ARGV before the first message */
#define ACK_RAW               0
#define ACK_LANE              1
#define ACK_RESULT            2
#define ACK_DEAD              3
#define ACK_DEDUPE            4
#define ACK_GUARD             5
#define ACK_DEST              6
#define ACK_FLAGS             7
#define ACK_GROUP             8
#define ACK_SEEN_DEDUPE       9
#define ACK_SEEN_GUARD        10
#define ACK_FIELDS            11
#define ACK_GROUP_KEY         0
#define ACK_GROUP_VER         1
#define ACK_GROUP_STAGE       2
#define ACK_GROUP_CRED        3
#define ACK_GROUP_GEN         4
#define ACK_GROUP_UNIT        5
#define ACK_GROUP_FIELDS      6
#define ACK_AWARD_GROUP       0
#define ACK_AWARD_KIND        1
#define ACK_AWARD_FIELD       2
#define ACK_AWARD_JWS         3
#define ACK_AWARD_EVENT       4
#define ACK_AWARD_LIST        5
#define ACK_AWARD_FIELDS      6
#define ACK_DEST_KEY          0
#define ACK_DEST_COUNT        1
#define ACK_DEST_REPLY        2
#define ACK_DEST_FIELDS       3

#endif
