"""Redis out of memory (maxmemory with noeviction, the policy the worker asks for): Redis still
accepts connections and PING but refuses the claim. The worker must back off like for any
other Redis failure (100 ms doubling to 5 s) rather than reconnect every 100 ms and flood the
log, and once memory is freed it answers every submission exactly once."""

import time

from harness import (RedisServer, T, Worker, exactly_once, log_lines, make_submission,
                     notes_on_failure, processing_keys, push_all, reap_children_at_exit, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer(extra=["--maxmemory", "3mb", "--maxmemory-policy", "noeviction"])
r = srv.client()
junk = 0
try:
    while junk < 2000:
        r.set(f"junk:{junk}", "x" * 10000)
        junk += 1
except Exception:  # OOM: memory is full
    pass
t.ok(0 < junk < 2000, f"Redis is full ({junk} x 10 kB)")
r.delete(*[f"junk:{k}" for k in range(junk - 30, junk)])  # room for the submissions only
ids = [f"oom-{i:03d}" for i in range(200)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids])

w = Worker(srv.url, "--worker-id", "oom-1")
t.ok(w.wait_log("claim failed", 10), "the claims are refused (OOM)")
conns0 = r.info("stats")["total_connections_received"]
lines0 = len(w.output().splitlines())
time.sleep(4)
conns = r.info("stats")["total_connections_received"] - conns0 - 1  # -1: this client's INFO
lines = len(w.output().splitlines()) - lines0
t.ok(w.proc.poll() is None, "the worker stays alive")
t.ok(conns <= 12, f"it reconnects with backoff, not every 100 ms ({conns} connections in 4 s)")
t.ok(lines <= 60, f"no log flood ({lines} lines in 4 s)")
refusals = log_lines(w, "claim failed: OOM")
t.ok(1 <= len(refusals) <= 3, f"the refusal is logged once per change of state (memory can "
     f"free up for a moment), not per retry ({len(refusals)})")

r.delete(*[f"junk:{k}" for k in range(junk)])
t.ok(wait_for(lambda: r.llen("assay:results") >= len(ids), 12),
     "memory freed: every submission is answered (within the 5 s backoff)")
time.sleep(0.3)
exactly_once(t, r, ids)
t.eq(w.stop(), 0, "the worker drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.note(f"redis oom: {conns} connections and {lines} log lines in 4 s of OOM; "
       f"{len(ids)} answered once; {time.time() - started:.1f} s")
notes_on_failure(t, w)
srv.stop()
t.done()
