"""SIGTERM drains: 5000 submissions, a worker with --inflight 500 --batch 100 gets SIGTERM
shortly after its first results; it takes no more work, answers what it claimed and exits 0
well within --drain-timeout, leaving no processing list; every id then has exactly one result
or is still queued (never both, never neither) and a second worker answers the rest.

A second signal exits at once: with Redis frozen (SIGSTOP) so the drain cannot finish, two
SIGTERMs make the worker exit non-zero immediately; what it held stays in its processing list
and a next worker (another id) returns it once the heartbeat expires: exactly once in the end.

Leaving the registry is final: a worker stopped while Redis is slow to answer (frozen 0.8 s)
sends no heartbeat after its leave, so neither its registry entry nor its heartbeat remains.
"""

import signal
import time

from harness import (RedisServer, T, Worker, exactly_once, id_counts, log_lines, make_submission,
                     notes_on_failure, processing_keys, push_all, queued_ids,
                     reap_children_at_exit, results, wait_for)

N = 5000
DRAIN_MS = 5000
t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()
ids = [f"term-{i:04d}" for i in range(N)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids])

a = Worker(srv.url, "--inflight", "500", "--batch", "100", "--worker-id", "term-A",
           "--drain-timeout", str(DRAIN_MS))
t.ok(wait_for(lambda: r.llen("assay:results") > 0, 20, 0.002), "A starts answering")
t0 = time.time()
a.signal(signal.SIGTERM)
try:
    code = a.proc.wait(DRAIN_MS / 1000 + 5)
except Exception:
    code = None
    a.kill()
drain = time.time() - t0
t.eq(code, 0, "A exits 0 after SIGTERM")
t.ok(drain < DRAIN_MS / 1000, f"within the drain timeout ({drain * 1000:.0f} ms)")
t.ok(log_lines(a, "signal 15: finishing"), "A logs that it finishes its in-flight work")
t.eq(log_lines(a, "drain timed out"), [], "the drain did not time out")
t.eq(processing_keys(r), [], "no processing list left")
t.ok(not r.sismember("assay:workers", "term-A") and not r.exists("assay:worker:term-A"),
     "A left the registry and removed its heartbeat")

answered = id_counts(results(r))
queued = id_counts([{"id": i} for i in queued_ids(r, "assay:submissions")])
both = [i for i in ids if answered.get(i) and queued.get(i)]
neither = [i for i in ids if not answered.get(i) and not queued.get(i)]
doubled = [i for i in ids if answered.get(i, 0) > 1 or queued.get(i, 0) > 1]
n_answered = sum(answered.values())
t.ok(0 < n_answered < N, f"A stopped mid-run ({n_answered} answered, {sum(queued.values())} "
     "still queued)")
t.eq(neither, [], "no id lost (each is answered or still queued)")
t.eq(both, [], "no id both answered and queued")
t.eq(doubled, [], "no id twice")
stop_line = log_lines(a, "stopped:")
t.ok(stop_line and f"stopped: {n_answered} graded" in stop_line[0],
     f"A's count of graded equals the results ({n_answered})")

b = Worker(srv.url, "--inflight", "500", "--batch", "100", "--worker-id", "term-B")
t.ok(wait_for(lambda: r.llen("assay:results") >= N, 30), "B answers the rest")
time.sleep(0.3)
exactly_once(t, r, ids, "after B: ")
t.eq(b.stop(), 0, "B drains and exits 0")

# A second signal exits at once.
ids2 = [f"term2-{i:04d}" for i in range(2000)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids2])
c = Worker(srv.url, "--inflight", "500", "--batch", "100", "--worker-id", "term-C")
t.ok(wait_for(lambda: r.llen("assay:results") >= N + 200, 20, 0.002), "C starts answering")
srv.proc.send_signal(signal.SIGSTOP)  # the drain cannot finish now
try:
    time.sleep(0.05)
    c.signal(signal.SIGTERM)
    time.sleep(0.2)
    t.eq(c.proc.poll(), None, "C still drains after the first SIGTERM (Redis is frozen)")
    t0 = time.time()
    c.signal(signal.SIGTERM)
    try:
        code = c.proc.wait(2)
    except Exception:
        code = None
        c.kill()
    quick = time.time() - t0
finally:
    srv.proc.send_signal(signal.SIGCONT)
t.ok(code not in (0, None), f"the second SIGTERM: C exits non-zero ({code})")
t.ok(quick < 0.5, f"at once ({quick * 1000:.0f} ms)")
t.ok(log_lines(c, "second signal"), "C logs the second signal")
time.sleep(0.2)  # commands C wrote before it died may still run now
held = sum(r.llen(k) for k in processing_keys(r))
t.note(f"C left {held} submission(s) in its processing list")

d = Worker(srv.url, "--inflight", "500", "--batch", "100", "--worker-id", "term-D")
t.ok(wait_for(lambda: r.llen("assay:results") >= N + len(ids2), 30), "D answers everything")
time.sleep(0.5)
if held:
    t.ok(log_lines(d, "of worker term-C to the queues"), "D returned C's submissions")
exactly_once(t, r, ids + ids2, "in the end: ")
t.eq(d.stop(), 0, "D drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.eq(r.scard("assay:workers"), 0, "the registry is empty")

# Leaving the registry is the last thing a stopping worker does: with Redis slow to answer
# the leave (frozen 0.8 s, under --command-timeout, longer than a heartbeat interval), no
# heartbeat may be sent after it and re-register the worker.
e = Worker(srv.url, "--worker-id", "term-E")
t.ok(wait_for(lambda: r.sismember("assay:workers", "term-E"), 10), "E is registered")
srv.proc.send_signal(signal.SIGSTOP)
try:
    e.signal(signal.SIGTERM)
    time.sleep(0.8)
finally:
    srv.proc.send_signal(signal.SIGCONT)
t.eq(e.proc.wait(10), 0, "E exits 0")
t.eq(sorted(m.decode() for m in r.smembers("assay:workers")), [],
     "E left the registry (no heartbeat after the leave)")
t.eq(r.exists("assay:worker:term-E"), 0, "and its heartbeat key is gone")
t.note(f"sigterm: {N} + {len(ids2)} submissions; A answered {n_answered} and drained in "
       f"{drain * 1000:.0f} ms; C held {held} at its second signal; "
       f"{time.time() - started:.1f} s")
notes_on_failure(t, a, b, c, d, e)
srv.stop()
t.done()
