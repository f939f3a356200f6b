/*
 * test_ack_alloc.c - running out of memory while building an acknowledgement (queue/ack.c):
 * every allocation the builder makes is failed in turn (malloc, calloc, realloc and strdup
 * are wrapped by the linker), and each time the builder must still count every message
 * added (the worker reports that many unanswered and reconnects, which returns them), have
 * queue_ack_finish answer -1 with nothing built, and leak nothing (this test runs under
 * valgrind in the valgrind suite, and counts outstanding blocks itself).
 */
#include "ack.h"
#include "alloc_wrap.h"
#include "queue.h"
#include "tap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static long fail_at;     /* 0: nothing fails; k: the k-th allocation fails */
static long allocations; /* since the last reset */
static bool injected;

static bool should_fail(void)
{
    allocations++;
    if (fail_at > 0 && allocations == fail_at) {
        injected = true;
        return true;
    }
    return false;
}

/* A batch with everything the builder handles: two record groups (one staging a document,
 * one with an award), a message without a group sharing a submission with a group (a unit),
 * a reply list, a dead letter. Returns queue_ack_finish's answer; *n is a.n before it. */
static int build(queue_tx *t, size_t *n)
{
    queue_keys k;
    queue_keys_init(&k, "{t}", "w1");
    queue_ack a;
    queue_ack_init(&a);
    int g1 = queue_ack_group(&a, "{t}:record:a", "3", "g0", "DOC-A", "g1", "{t}:stage:w1:1",
                             "{t}:credentials:a");
    int g2 = queue_ack_group(&a, "{t}:record:b", "", "", NULL, NULL, NULL, NULL);
    queue_ack_award(&a, g1, true, "c@1", "TOKEN", "{\"e\":1}", "{t}:credentials");
    queue_ack_msg m[] = {
        {.raw = "ma",
         .len = 2,
         .result = "{\"a\":1}",
         .dedupe = "{t}:done:X",
         .guard = "{t}:done:X:error",
         .graded = true,
         .group = g1,
         .seen_dedupe = "",
         .seen_guard = ""},
        {.raw = "mb",
         .len = 2,
         .result = "{\"b\":1}",
         .dedupe = "{t}:done:X",
         .guard = "{t}:done:X:error",
         .reply = "{t}:reply:c1",
         .graded = true,
         .group = g2,
         .seen_dedupe = "1",
         .seen_guard = ""},
        {.raw = "mc",
         .len = 2,
         .result = "{\"c\":1}",
         .dead = "{\"dead\":1}",
         .dedupe = "{t}:done:X:error"},
    };
    for (size_t i = 0; i < 3; i++) {
        queue_ack_add(&a, &m[i]);
    }
    *n = a.n;
    queue_ack_opts o = {.rate_key = "{t}:rate:1", .dedupe_ttl_s = 60, .reply_ttl_s = 60};
    return queue_ack_finish(&a, &k, &o, t);
}

int main(void)
{
    /* Without a failure: how many allocations a whole build makes. */
    queue_tx t = {0};
    size_t n = 0;
    allocations = 0;
    long before = outstanding;
    ASSERT_INT_EQ(build(&t, &n), 0);
    long total = allocations;
    ASSERT_INT_EQ(n, 3);
    ASSERT(t.n > 0 && t.script < t.n);
    queue_tx_free(&t);
    ASSERT_INT_EQ(outstanding, before);
    ASSERT(total > 20);

    int counted = 0, failed = 0, clean = 0;
    for (long k = 1; k <= total; k++) {
        fail_at = k;
        allocations = 0;
        injected = false;
        before = outstanding;
        memset(&t, 0, sizeof(t));
        n = 0;
        int rc = build(&t, &n);
        fail_at = 0;
        counted += n == 3;
        failed += injected && rc == -1 && t.cmd == NULL && t.n == 0;
        queue_tx_free(&t);
        clean += outstanding == before;
    }
    ASSERT_INT_EQ(counted, total); /* every message counted, whichever allocation failed */
    ASSERT_INT_EQ(failed, total);  /* each failure reported, nothing built */
    ASSERT_INT_EQ(clean, total);   /* and nothing leaked */
    return tap_done();
}
