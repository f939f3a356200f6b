"""test_record_cache.py - the learner records a worker keeps parsed between batches
(--record-cache), seen through /metrics, against a real redis-server:

  - with a cache: a learner's first result reads no record (source "new"), the second is
    computed from the worker's own copy (source "worker", nothing parsed from Redis), and
    assay_record_cache_bytes is the length of the document the worker wrote;
  - another worker with --record-cache 0 keeps nothing: each of its reads of that learner
    has the document sent and parsed (source "redis"), the gauge stays 0, and the record it
    leaves equals `assay record rebuild` over the results;
  - a bad --record-cache value is refused with exit 2 naming the option.
"""

import json
import os
import subprocess
import tempfile

from harness import (CLI, RUBRICS, WORKER, RedisServer, T, Worker, free_port, make_submission,
                     notes_on_failure, reap_children_at_exit, results, wait_for)
from opslib import metric, scrape, skip_without, try_http

skip_without("metrics")
t = T()
reap_children_at_exit()
valgrind = bool(os.environ.get("ASSAY_WORKER_WRAPPER"))
slow = 10 if valgrind else 1

srv = RedisServer()
r = srv.client()


def start(*args):
    port = free_port()
    w = Worker(srv.url, "--metrics", f"127.0.0.1:{port}", *args)
    ok = wait_for(lambda: try_http(port, "/readyz")[0] == 200, 30 * slow)
    return w, port, ok


def one(sid, learner):
    """Pushes one submission of learner and waits for its result (its own batch)."""
    want = len(results(r)) + 1
    r.lpush("assay:submissions", make_submission(sid, learner=learner))
    return wait_for(lambda: len(results(r)) == want, 30 * slow)


def reads(port):
    s = scrape(port)
    return {src: metric(s, "assay_record_reads_total", source=src)
            for src in ("worker", "redis", "new")}, metric(s, "assay_record_cache_bytes")


def stored_doc(learner):
    keys = list(r.scan_iter("assay:record:*"))
    docs = [r.hget(k, "doc") for k in keys]
    mine = [d for d in docs if d and json.loads(d)["learner"] == learner]
    return mine[0] if len(mine) == 1 else None


def phase(wid, cache, sids):
    """A worker with --record-cache cache grades sids of learner-x, one batch each; the
    worker, its reads by source and its cache gauge."""
    w, port, ready = start("--worker-id", wid, "--record-cache", cache)
    t.ok(ready, f"worker {wid} (--record-cache {cache}) is ready")
    t.ok(all(one(sid, "learner-x") for sid in sids), f"{wid}: {sids} graded, one batch each")
    return (w,) + reads(port)


# --- A worker with a cache of 1 MiB, then one that keeps nothing. ----------------------------
a, got, cached = phase("cache-a", "1", ["c-1", "c-2"])
t.eq(got, {"worker": 1, "redis": 0, "new": 1},
     "with a cache: the first read finds no record, the second the worker's own copy")
doc = stored_doc("learner-x")
t.ok(doc is not None, "learner-x has one record in Redis")
t.eq(cached, len(doc or b""), "assay_record_cache_bytes is the length of the document kept")
t.eq(a.stop(), 0, "worker a stops with status 0")

b, got, cached = phase("cache-b", "0", ["c-3", "c-4"])
t.eq(got, {"worker": 0, "redis": 2, "new": 0},
     "--record-cache 0: each read has the document sent by Redis and parsed")
t.eq(cached, 0, "--record-cache 0: assay_record_cache_bytes stays 0")
t.eq(b.stop(), 0, "worker b stops with status 0")

with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
    f.write("\n".join(x.decode() for x in reversed(r.lrange("assay:results", 0, -1))) + "\n")
    pushed = f.name
p = subprocess.run([CLI, "record", "rebuild", "--jsonl", pushed, "--rubrics", RUBRICS], capture_output=True, text=True)
os.unlink(pushed)
rebuilt = [json.loads(x) for x in p.stdout.splitlines()]
stored = json.loads(stored_doc("learner-x") or "null")
t.ok(p.returncode == 0 and len(rebuilt) == 1 and rebuilt[0] == stored,
     "the record written without a cache equals assay record rebuild over the 4 results")

# --- Bad values. -------------------------------------------------------------------------------
for bad in ("-1", "lots", "2097152"):
    p = subprocess.run([WORKER, "--redis", srv.url, "--record-cache", bad], capture_output=True,
                       text=True, timeout=30)
    t.ok(p.returncode == 2 and "--record-cache" in p.stderr,
         f"--record-cache {bad} exits 2 naming the option")

notes_on_failure(t, a, b)
srv.stop()
t.done()
