"""A worker killed with SIGKILL mid-run loses nothing and doubles nothing: 3000 submissions,
worker A (--batch 50) is killed once some results exist; worker B (another id) returns A's
processing list to the queue once A's heartbeat (ASSAY_HEARTBEAT_TTL_MS=1500) has expired,
and every id ends with exactly one result."""

import re
import signal
import time

from harness import (RedisServer, T, Worker, exactly_once, log_lines, make_submission,
                     notes_on_failure, processing_keys, push_all, reap_children_at_exit, wait_for)

N = 3000
t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()
ids = [f"kill-{i:04d}" for i in range(N)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids])

env = {"ASSAY_HEARTBEAT_TTL_MS": "1500"}
a = Worker(srv.url, "--batch", "50", "--worker-id", "wk-A", env=env)
t.ok(wait_for(lambda: r.llen("assay:results") >= 300, 20, 0.002), "worker A has answered some")
# A must die holding claimed work, or there is nothing to return: between two batches its
# processing list can be empty for a moment. Freeze it (Redis still runs what its socket
# already carried), look, and let it go on for a moment if it holds nothing; bounded.
for _ in range(40):
    a.signal(signal.SIGSTOP)
    time.sleep(0.05)
    if r.llen("assay:processing:wk-A:submissions") > 0:
        break
    a.signal(signal.SIGCONT)
    time.sleep(0.01)
a.signal(signal.SIGKILL)
a.proc.wait()
# Commands A wrote before it died (an acknowledgement) may still sit in Redis's socket
# buffers and run after the kill: measure what A holds once Redis has dropped its
# connections, after running whatever they carried.
t.ok(wait_for(lambda: r.info("clients")["connected_clients"] == 1, 10),
     "Redis has closed A's connections")
at_kill = r.llen("assay:results")
held = r.llen("assay:processing:wk-A:submissions")
t.ok(0 < at_kill < N, f"A was killed mid-run ({at_kill} of {N} answered)")
t.ok(held > 0, f"A died holding claimed work ({held} in its processing list)")
t.ok(r.exists("assay:worker:wk-A") == 1, "A's heartbeat has not expired yet")
t.ok(r.sismember("assay:workers", "wk-A"), "A is still registered")

killed_at = time.time()
b = Worker(srv.url, "--batch", "50", "--worker-id", "wk-B", env=env)
t.ok(wait_for(lambda: r.llen("assay:results") >= N, 30), f"{N} results arrive")
took = time.time() - killed_at
time.sleep(0.5)  # nothing more may come
t.ok(wait_for(lambda: log_lines(b, "of worker wk-A to the queues"), 5),
     "B logs that it returned A's submissions")
lines = log_lines(b, "of worker wk-A to the queues")
m = re.search(r"returned (\d+) submissions? of worker wk-A", lines[0]) if lines else None
redelivered = int(m.group(1)) if m else -1
t.eq(redelivered, held, "B returned exactly what A held")
t.eq(len(lines), 1, "A's work is returned once")
exactly_once(t, r, ids)
t.eq(r.llen("assay:dead"), 0, "no dead letter (one redelivery is under --max-attempts)")
t.eq([k for k in processing_keys(r) if "wk-A" in k], [], "no processing list of A is left")
t.eq(sorted(m.decode() for m in r.smembers("assay:workers")), ["wk-B"],
     "the registry holds only B")
t.eq(r.hlen("assay:attempts"), 0, "the redelivery counts are cleared by the acknowledgements")

t.eq(b.stop(), 0, "B drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.eq(r.scard("assay:workers"), 0, "the registry is empty")
t.note(f"sigkill: {N} submissions, A answered {at_kill} before SIGKILL, {redelivered} "
       f"redelivered by B; all answered {took:.1f} s after the kill; "
       f"{time.time() - started:.1f} s in all")
notes_on_failure(t, a, b)
srv.stop()
t.done()
