"""Poison messages: a submission that was in flight each time a worker died is given up after
--max-attempts deliveries instead of being graded again.

No real input crashes the worker, so the deaths are simulated with the documented keys: the
message sits in the processing list of a dead worker "ghost" (registered in assay:workers,
no heartbeat) and assay:attempts (SHA-1 of the message) says how often it was returned
before. A worker started with --max-attempts 3 returns ghost's list (one more return) and:
- a message returned 3 times in all (its 4th delivery) is answered with grading_error ("gave
  up after 3 deliveries"), dead-lettered with attempts 4, not graded;
- a message returned 2 times in all (its 3rd delivery, the last allowed) is graded;
- a message never returned before (its 2nd delivery) is graded.
"""

import hashlib
import time

from harness import (RedisServer, T, Worker, dead, make_submission, notes_on_failure,
                     processing_keys, reap_children_at_exit, results, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()

poison = make_submission("poison-1").encode()
last_ok = make_submission("third-delivery-1").encode()
second = make_submission("second-delivery-1").encode()
regrade_poison = make_submission("poison-rg-1").encode()


def sha1(b):
    return hashlib.sha1(b).hexdigest()


# Oldest first in the list, as a claim leaves them.
for m in (poison, last_ok, second):
    r.lpush("assay:processing:ghost:submissions", m)
r.lpush("assay:processing:ghost:regrade", regrade_poison)
r.sadd("assay:workers", "ghost")
r.hset("assay:attempts", sha1(poison), 2)
r.hset("assay:attempts", sha1(last_ok), 1)
r.hset("assay:attempts", sha1(regrade_poison), 2)

w = Worker(srv.url, "--max-attempts", "3", "--worker-id", "poison-1")
t.ok(wait_for(lambda: r.llen("assay:results") >= 4, 15), "4 results arrive")
time.sleep(0.3)
res = {x["id"]: x for x in results(r)}
t.eq(len(results(r)), 4, "exactly one result each")
t.ok(w.wait_log("returned 4 submissions of worker ghost", 1),
     "the worker returned ghost's 4 submissions")

p = res.get("poison-1", {})
err = p.get("error") or {}
t.eq((p.get("status"), err.get("code")), ("error", "grading_error"),
     "4th delivery: an error result with code grading_error")
t.ok("gave up after 3 deliveries" in err.get("message", ""),
     f"its message says it gave up after 3 deliveries ({err.get('message')!r})")
t.ok("score" not in p and "items" not in p, "it is not graded")
t.eq(p.get("learner"), "learner-poison-1", "the result still echoes the submission's learner")

dl = {d.get("id"): d for d in dead(r)}
t.eq(sorted(dl), ["poison-1", "poison-rg-1"], "the two poison messages are dead-lettered")
d = dl.get("poison-1", {})
t.eq((d.get("reason"), d.get("attempts"), d.get("queue"), d.get("worker")),
     ("grading_error", 4, "submissions", "poison-1"),
     "dead letter: reason grading_error, attempts 4, queue submissions, this worker")
t.eq(d.get("submission", "").encode(), poison, "the dead letter keeps the message untouched")
d = dl.get("poison-rg-1", {})
t.eq((d.get("reason"), d.get("attempts"), d.get("queue")), ("grading_error", 4, "regrade"),
     "the regrade one: attempts 4, queue regrade")

t.eq(res.get("third-delivery-1", {}).get("status"), "graded",
     "3rd delivery (the last allowed): graded")
t.eq(res.get("second-delivery-1", {}).get("status"), "graded", "2nd delivery: graded")
t.eq(r.hlen("assay:attempts"), 0, "the attempt counts are cleared")
t.eq(processing_keys(r), [], "ghost's processing lists are gone")
t.eq(sorted(m.decode() for m in r.smembers("assay:workers")), ["poison-1"],
     "ghost left the registry")

# Another copy of the given-up message is a duplicate: the id was answered (grading_error).
r.lpush("assay:submissions", poison)
r.lpush("assay:submissions", make_submission("marker-1"))
t.ok(wait_for(lambda: any(x["id"] == "marker-1" for x in results(r)), 10), "marker graded")
t.eq([x["status"] for x in results(r) if x["id"] == "poison-1"], ["error"],
     "a later copy of a given-up submission gets no second result")

# Requeued the way `assay dead requeue` does it (its error record cleared), it starts
# again with one delivery and is graded.
error_key = "assay:done:" + hashlib.sha256(b"poison-1").hexdigest() + ":error"
t.eq(r.get(error_key), b"gave-up", "the error record says the id was given up on")
r.delete(error_key)
r.lpush("assay:submissions", poison)
r.lpush("assay:submissions", make_submission("marker-2"))
t.ok(wait_for(lambda: any(x["id"] == "marker-2" for x in results(r)), 10), "marker graded")
again = [x for x in results(r) if x["id"] == "poison-1"]
t.eq([x["status"] for x in again], ["graded", "error"],
     "requeued, the given-up submission is graded (attempts start over)")

t.eq(w.stop(), 0, "the worker drains and exits 0")
t.note(f"poison: 4 returned from a dead worker, 2 given up (attempts 4), 2 graded; "
       f"{time.time() - started:.1f} s")
notes_on_failure(t, w)
srv.stop()
t.done()
