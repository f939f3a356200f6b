/*
 * ackunit.h - which record groups of an acknowledgement commit together or not at all.
 *
 * The worker computes a batch's records by replaying, in claim order, what the ack script
 * will decide for every message (ack_lua.c): a message that finds its de-duplication record or
 * guard set by an earlier one is a duplicate. When the script then holds back a group (its
 * record changed, one of its messages is gone) or finds a message without a group gone,
 * that message sets nothing, and a later message of another group that shares one of its
 * keys (the same submission naming another learner) is decided otherwise than replayed:
 * pushed as fresh with its evidence in no record. So groups, and the messages without a
 * group, that share a key directly or through others form a unit, and the groups of a unit
 * commit together or not at all (its messages without a group are answered either way: they
 * carry no evidence). Units are connected components over the messages' keys.
 *
 * The values the worker read are checked only for messages in a group. That suffices
 * because a graded message's de-duplication record and guard both derive from its
 * submission id (worker/answer.c): a message in a group that shares any key with another
 * message checks every key that decides either. Units may be larger than needed (two copies
 * that only read one guard are joined): that costs a retry, never a wrong answer.
 */
#ifndef ASSAY_QUEUE_ACKUNIT_H
#define ASSAY_QUEUE_ACKUNIT_H

#include <stddef.h>

/* One message, as the units see it. */
typedef struct queue_unit_msg {
    int group;        /* its group's number, 1-based; 0 for none */
    const char *dkey; /* its de-duplication record, NULL for none */
    const char *gkey; /* its guard, NULL for none */
} queue_unit_msg;

/*
 * The units of ngroups groups over n messages: unit[g - 1] is the smallest group number in
 * group g's unit (g itself when it shares no key with another group), and msg_unit[i], for
 * message i without a group, the smallest group number of the unit it shares a key with
 * (0 when none, and for a message with a group).
 * @return 0, or -1 out of memory (unit and msg_unit untouched).
 */
int queue_ack_units(const queue_unit_msg *m, size_t n, size_t ngroups, int *unit,
                    int *msg_unit);

#endif
