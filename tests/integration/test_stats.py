"""`assay stats` counts what was answered, exactly: the examples (rubrics/submissions/
all.jsonl) enqueued twice give one result each, and stats says "graded" once per result and
"duplicates" for the second copies - at once (the counters are committed by the ack
script with the results in P:stats, not read from heartbeats) - in the text and in --json.
The per-worker figures come from heartbeats and say how old they are.
"""

import json
import os
import re
import time

from harness import (CLI, SUBMISSIONS, RedisServer, T, Worker, notes_on_failure,
                     reap_children_at_exit, wait_for)
import subprocess

t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()
examples = os.path.join(SUBMISSIONS, "all.jsonl")
n = sum(1 for line in open(examples, encoding="utf-8") if line.strip())


def assay(*args):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, REDIS_URL=srv.url), check=False)
    return p.returncode, p.stdout, p.stderr


def value(out, label):
    m = re.search(r"^" + re.escape(label) + r"\s+(\S+)$", out, re.M)
    return m.group(1) if m else None


w = Worker(srv.url, "--worker-id", "stats-1", env={"ASSAY_HEARTBEAT_TTL_MS": "60000"})
for _ in range(2):
    rc, _, err = assay("enqueue", examples)
    t.eq(rc, 0, f"enqueue the {n} examples")
t.ok(wait_for(lambda: r.llen("assay:submissions") == 0 and r.hget("assay:stats", "duplicates")
              and int(r.hget("assay:stats", "duplicates")) >= n, 20), "both copies taken")
rc, out, err = assay("stats")
t.eq(rc, 0, "stats exits 0")
t.eq(r.llen("assay:results"), n, f"{n} results")
t.eq((value(out, "graded"), value(out, "duplicates"), value(out, "errors")),
     (str(n), str(n), "0"), f"stats: {n} graded, {n} duplicates, no error - at once, though "
     "the worker's heartbeat (every 20 s here) has not been sent since")
t.ok("Counters: exact" in out and "as of their" in out, "it says what the figures cover")
rc, out, err = assay("stats", "--json")
st = json.loads(out) if rc == 0 else {}
t.eq(st.get("counters"), {"graded": n, "errors": 0, "dead": 0, "duplicates": n, "forced": 0,
                          "too_large": 0, "gave_up": 0}, "stats --json: the counters")
t.eq(st.get("queues", {}).get("dead_oversize"), 0, "stats --json: dead_oversize depth")
t.eq(sum(st.get("rate", {}).get("results_per_minute", [])), n,
     "the rate counts results, not duplicates")
t.eq(w.stop(), 0, "the worker drains and exits 0")
hb_lines = [x for x in w.output().splitlines() if "stopped:" in x]
t.ok(hb_lines and f"stopped: {n} graded, 0 not graded, {n} duplicates" in hb_lines[-1],
     "the worker's own counts agree")

# A worker's heartbeat: its counts and when they were taken.
w2 = Worker(srv.url, "--worker-id", "stats-2")
t.ok(wait_for(lambda: r.get("assay:worker:stats-2"), 10), "a second worker beats")
rc, out, err = assay("stats")
t.ok(re.search(r"^stats-2\s+alive\s+\d+\s+\S+\s+0\s+0\s+0\s+0\s+\d+\.\d s ago$", out, re.M),
     "its row: pid, up, in flight, graded, failed, duplicates, and how old")
t.eq(w2.stop(), 0, "it exits 0")
notes_on_failure(t, w, w2)
srv.stop()
t.note(f"stats: {n} examples twice; {time.time() - started:.1f} s")
t.done()
