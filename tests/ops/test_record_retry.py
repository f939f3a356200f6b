"""test_record_retry.py - a batch whose learner record conflicts waits out its own backoff
(docs/records.md "Conflicts"), against a real redis-server, seen through /metrics:

  - assay-worker-hooks with ASSAY_FAULT_RECORD_CONFLICTS=learner-c:30 has the ack script
    refuse the first 30 commits of learner-c's record, as if another worker changed it
    each time: c-1 is read and computed again after a backoff that doubles from 2 ms to
    256 ms (with jitter up to as much again), so 30 tries take 6 to 12 s;
  - meanwhile a stream of submissions of learners the worker keeps skips their reads, and
    each such batch arms the worker's retry timer at once: it must not cut c-1's backoff
    short. The schedule allows at most 16 tries in the 2.5 s watched, however loaded the
    machine (a slower one makes fewer); cut short, the 30 are spent within a second;
  - after the 30, c-1 commits (no give-up: the limit is 40) and is in learner-c's record;
  - c-1 was claimed with no delivery count, so its acknowledgement leaves P:attempts alone:
    a count put there meanwhile (as a recovery of another copy would) is kept.

The bound is on the count of tries, which load can only lower: the test times nothing.
"""

import hashlib
import json
import os
import time

from harness import (RedisServer, T, Worker, free_port, make_submission, notes_on_failure,
                     processing_keys, reap_children_at_exit, require_hooks, results, wait_for)
from opslib import metric, scrape, skip_without, try_http

skip_without("metrics")
require_hooks()
t = T()
reap_children_at_exit()
slow = 10 if os.environ.get("ASSAY_WORKER_WRAPPER") else 1

srv = RedisServer()
r = srv.client()
port = free_port()
w = Worker(srv.url, "--worker-id", "retry", "--metrics", f"127.0.0.1:{port}",
           "--record-cache", "1", "--grade-threads", "0", hooks=True,
           env={"ASSAY_FAULT_RECORD_CONFLICTS": "learner-c:30"})
t.ok(wait_for(lambda: try_http(port, "/readyz")[0] == 200, 30 * slow), "the worker is ready")


def one(sid, learner):
    want = len(results(r)) + 1
    r.lpush("assay:submissions", make_submission(sid, learner=learner))
    return wait_for(lambda: len(results(r)) == want, 30 * slow)


def in_processing():
    """Submissions in any of the worker's processing lists."""
    return sum(r.llen(k) for k in processing_keys(r) if r.type(k) == b"list")


def conflicts():
    return metric(scrape(port), "assay_record_conflicts_total")


held = [f"learner-h{i}" for i in range(4)]
t.ok(all(one(f"h{i}-0", who) for i, who in enumerate(held)),
     "one submission each of learner-h0..h3 graded: the worker keeps them")
c1 = make_submission("c-1", learner="learner-c")
r.lpush("assay:submissions", c1)
t.ok(wait_for(lambda: conflicts() >= 1, 30 * slow), "c-1's commit is refused")
# Another copy's delivery count, while c-1 (claimed without one) is still being retried.
r.hset("assay:attempts", hashlib.sha1(c1.encode()).hexdigest(), "7")
first = conflicts()
skipped0 = metric(scrape(port), "assay_record_reads_total", source="skipped")
watched = time.time()
n = 0
while time.time() - watched < 2.5:
    n += 1
    r.lpush("assay:submissions", make_submission(f"h-{n}", learner=held[n % len(held)]))
    time.sleep(0.01)
tries = conflicts() - first
skipped = metric(scrape(port), "assay_record_reads_total", source="skipped") - skipped0
t.ok(skipped >= 5, f"meanwhile batches of kept learners skipped their read ({skipped:.0f})")
t.ok(1 <= tries <= 16, f"c-1 waited out its backoff: {tries:.0f} more tries in 2.5 s (the "
     "schedule allows 16 at most)")
t.ok(wait_for(lambda: any(x.get("id") == "c-1" for x in results(r)), 30 * slow),
     "after the 30 refusals, c-1 is committed")
t.ok("record_conflict_gave_up" not in w.output(), "the worker did not give up on c-1")
t.eq(r.hget("assay:attempts", hashlib.sha1(c1.encode()).hexdigest()), b"7",
     "c-1's acknowledgement left the other copy's delivery count alone")
key = next((k for k in r.scan_iter("assay:record:*")
            if json.loads(r.hget(k, "doc"))["learner"] == "learner-c"), None)
doc = json.loads(r.hget(key, "doc") if key else "null")
ids = {e["submission"] for c in (doc or {"competencies": {}})["competencies"].values()
       for e in c["evidence"]}
t.eq(ids, {"c-1"}, "c-1 is in learner-c's record")
t.eq(in_processing(), 0, "nothing is left in processing")
t.eq(w.stop(), 0, "the worker stops with status 0")
notes_on_failure(t, w)
srv.stop()
t.done()
