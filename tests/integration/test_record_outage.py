"""A worker holding records batches while Redis is down waits for it without spinning, and
answers everything once Redis is back (docs/records.md "Conflicts").

The worker (records on, no cache of records, so every batch reads) drains a backlog; the
test stops it (SIGSTOP) while some of the backlog is still queued (pushing another backlog
if the worker, scheduled while the test was not, drained the first), kills Redis
(appendonly, appendfsync always, so nothing pushed is lost) and lets the worker run again:
the batches it was grading, and those whose records read was in flight, find the
connection gone.

  - While Redis stays down for 2 s the worker must sleep between its reconnection
    attempts: a few dozen wake-ups of its event loop (voluntary context switches, from
    /proc), where a batch retrying on a 1 to 2 ms timer woke it a thousand times and more;
    and little CPU (utime + stime, from /proc), where a loop retrying on a 0 ms timer,
    which never sleeps, burns all it gets.
  - Then it gets SIGTERM, Redis still down: draining with batches in hand, it must still
    not spin (it used to reconnect on a 0 ms timer until the drain timeout), and once Redis
    is back it answers what it holds and exits 0.
  - A second worker answers the rest: every submission has exactly one result, nothing is
    left in processing, and every learner's record equals `assay record rebuild` of the
    results.

Both bounds are on counts that load can only lower: the test times nothing.
"""

import json
import os
import re
import signal
import subprocess
import time

from harness import (RedisServer, T, Worker, exactly_once, make_submission, notes_on_failure,
                     processing_keys, push_all, reap_children_at_exit, wait_for)

N, LEARNERS, OUTAGE_S, MAX_WAKEUPS, MAX_CPU_S = 1500, 50, 2.0, 300, 0.5
CLI = os.environ["ASSAY_CLI"]
RUBRICS = os.path.join(os.environ["ASSAY_SOURCE"], "rubrics")
t = T()
reap_children_at_exit()
slow = 10 if os.environ.get("ASSAY_WORKER_WRAPPER") else 1
srv = RedisServer(appendonly=True, extra=["--appendfsync", "always"])
r = srv.client()
w = Worker(srv.url, "--batch", "20", "--record-cache", "0", "--worker-id", "outage-1",
           "--drain-timeout", "60000")
t.ok(w.wait_log("connected to Redis", 10 * slow), "the worker connects")


def cpu_s(pid):
    """The CPU seconds (utime + stime) of process pid, all its threads."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
woke, cpu = wakeups(w.proc.pid), cpu_s(w.proc.pid)
time.sleep(OUTAGE_S)
woke, cpu = wakeups(w.proc.pid) - woke, cpu_s(w.proc.pid) - cpu
t.ok(woke < MAX_WAKEUPS,
     f"the event loop slept while Redis was down: {woke} wake-ups in {OUTAGE_S} s "
     f"(fewer than {MAX_WAKEUPS})")
t.ok(cpu < MAX_CPU_S, f"the worker used {cpu:.2f} s of CPU in {OUTAGE_S} s (less than "
     f"{MAX_CPU_S})")
t.ok(w.proc.poll() is None, "the worker is still running")

w.signal(signal.SIGTERM)
t.ok(w.wait_log("taking no more", 10 * slow), "SIGTERM: the worker drains")
held = re.search(r"finishing (\d+) in-flight", w.output())
t.ok(held and int(held.group(1)) > 0,
     f"it holds submissions claimed before the outage ({held.group(1) if held else '?'})")
time.sleep(0.3)
cpu = cpu_s(w.proc.pid)
time.sleep(OUTAGE_S)
cpu = cpu_s(w.proc.pid) - cpu
t.ok(cpu < MAX_CPU_S, f"draining with Redis down, the worker used {cpu:.2f} s of CPU in "
     f"{OUTAGE_S} s (less than {MAX_CPU_S})")
t.ok(w.proc.poll() is None, "it waits for Redis, within its drain timeout")

srv.start(port=srv.port)
r = srv.client()
try:
    status = w.proc.wait(60 * slow)
except subprocess.TimeoutExpired:
    status = None
t.eq(status, 0, "once Redis is back, the draining worker answers what it held and exits 0")

w2 = Worker(srv.url, "--worker-id", "outage-2")
t.ok(wait_for(lambda: r.llen("assay:results") >= len(ids), 120 * slow),
     "a second worker answers the rest")
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

t.eq(w2.stop(30 * slow), 0, "the second worker stops cleanly")
notes_on_failure(t, w, w2)
srv.stop()
t.done()
