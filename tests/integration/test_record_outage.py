"""A records batch that finds the Redis connection down waits for it without polling, and
is read, computed and committed once it is back (docs/records.md "Conflicts").

The worker (records on, no cache of records, so every batch reads) drains a backlog; the
test stops it (SIGSTOP) while some of the backlog is still queued (pushing another backlog
if the worker, scheduled while the test was not, drained the first), kills Redis
(appendonly, appendfsync always, so nothing pushed is lost) and lets the worker run again: the batches it was grading, and those whose records
read was in flight, find the connection gone. While Redis stays down for 2 s the worker's
event loop must sleep between its reconnection attempts (a few dozen wake-ups), where a
batch retrying on a 1 to 2 ms timer woke it a thousand times and more. The wake-ups are
the loop thread's voluntary context switches (/proc), a count that load can only lower:
the test times nothing. Then Redis restarts from its AOF and every submission must have
exactly one result, nothing left in processing, and every learner's record must equal
`assay record rebuild` of the results.
"""

import json
import os
import signal
import subprocess
import time

from harness import (RedisServer, T, Worker, exactly_once, make_submission, notes_on_failure,
                     processing_keys, push_all, reap_children_at_exit, wait_for)

N, LEARNERS, OUTAGE_S, MAX_WAKEUPS = 1500, 50, 2.0, 300
CLI = os.environ["ASSAY_CLI"]
RUBRICS = os.path.join(os.environ["ASSAY_SOURCE"], "rubrics")
t = T()
reap_children_at_exit()
slow = 10 if os.environ.get("ASSAY_WORKER_WRAPPER") else 1
srv = RedisServer(appendonly=True, extra=["--appendfsync", "always"])
r = srv.client()
w = Worker(srv.url, "--batch", "20", "--record-cache", "0", "--worker-id", "outage-1")
t.ok(w.wait_log("connected to Redis", 10 * slow), "the worker connects")


def wakeups(pid):
    """The voluntary context switches of pid's main thread (the event loop)."""
    with open(f"/proc/{pid}/task/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise RuntimeError("no voluntary_ctxt_switches")


ids = []


def push_more():
    """N more submissions of the same learners; True once the worker answers some."""
    more = [f"out-{i:05d}" for i in range(len(ids), len(ids) + N)]
    push_all(r, "assay:submissions",
             [make_submission(sid, learner=f"learner-{(len(ids) + i) % LEARNERS:02d}")
              for i, sid in enumerate(more)])
    ids.extend(more)
    return wait_for(lambda: r.llen("assay:results") >= len(ids) - N + N // 5, 60 * slow)


# Stopped while it drains a backlog: if the test was scheduled out so long that the worker
# drained it all, it goes on and another backlog is pushed.
backlog = 0
for _ in range(5):
    t.ok(push_more(), f"the worker drains a backlog ({len(ids)} pushed)")
    os.kill(w.proc.pid, signal.SIGSTOP)
    backlog = r.llen("assay:submissions")
    if backlog > 0:
        break
    os.kill(w.proc.pid, signal.SIGCONT)
srv.kill()
os.kill(w.proc.pid, signal.SIGCONT)
t.ok(backlog > 0, f"Redis went down with a backlog ({backlog} queued)")
t.ok(w.wait_log("lost the Redis connection", 10 * slow), "the worker sees Redis gone")
time.sleep(0.3)  # the batches in flight finish grading and find the connection down
before = wakeups(w.proc.pid)
time.sleep(OUTAGE_S)
woke = wakeups(w.proc.pid) - before
t.ok(woke < MAX_WAKEUPS,
     f"the event loop slept while Redis was down: {woke} wake-ups in {OUTAGE_S} s "
     f"(fewer than {MAX_WAKEUPS})")
t.ok(w.proc.poll() is None, "the worker is still running")

srv.start(port=srv.port)
r = srv.client()
t.ok(wait_for(lambda: r.llen("assay:results") >= len(ids), 120 * slow),
     "every submission is answered once Redis is back")
exactly_once(t, r, ids)
t.ok(wait_for(lambda: sum(r.llen(k) for k in processing_keys(r)
                          if r.type(k) == b"list") == 0, 10 * slow),
     "nothing is left in processing")

# The records equal their rebuild from the results, in push order.
pushed = [x.decode() for x in reversed(r.lrange("assay:results", 0, -1))]
out = subprocess.run([CLI, "record", "rebuild", "--jsonl", "-", "--rubrics", RUBRICS],
                     input="\n".join(pushed) + "\n", capture_output=True, text=True,
                     timeout=120, check=False)
t.eq(out.returncode, 0, "assay record rebuild exits 0: " + out.stderr.strip()[-300:])
want = {d["learner"]: d for d in map(json.loads, out.stdout.splitlines())}
got = {}
for key in r.scan_iter("assay:record:*"):
    d = json.loads(r.hget(key, "doc"))
    got[d["learner"]] = d
t.eq(sorted(got), sorted(want), f"the same learners have records ({len(want)})")
t.eq([k for k in want if got.get(k) != want[k]], [], "every record equals its rebuild")

t.eq(w.stop(30 * slow), 0, "the worker stops cleanly")
notes_on_failure(t, w)
srv.stop()
t.done()
