"""test_record_cache.py - the learner records a worker keeps parsed between batches
(--record-cache), seen through /metrics, against a real redis-server:

  - with a cache: a learner's first result reads no record (source "new"), the second is
    computed from the worker's own copy with no read at all (source "skipped": nothing sent,
    nothing parsed), and assay_record_cache_bytes is the length of the document the worker
    wrote;
  - a commit without a read is checked: a duplicate of an answered submission, and a record
    another worker wrote meanwhile, each has it refused (assay_record_skipped_read_misses_total)
    and read again from Redis, with nothing answered twice and every result in the record; a
    forced regrade of a learner the worker keeps is read (source "worker"), not guessed; a
    batch mixing a learner the worker keeps and one it does not is read whole, and copies of
    one answered submission naming both are all found duplicates; and one submission sent
    twice in a batch, for a learner whose kept copy is stale and for another: both groups
    are refused together and read, and the submission is answered once, in the record of
    the learner it was answered for (this worker grades and computes on its event loop,
    --grade-threads 0);
  - another worker with --record-cache 0 keeps nothing: each of its reads of that learner
    has the document sent and parsed (source "redis"), the gauge stays 0, and the record it
    leaves equals `assay record rebuild` over the results;
  - ASSAY_RECORD_CACHE_MIB=0 keeps nothing as the option does; with neither, the default
    (32 MiB) keeps the learner; the largest value, 1048576, is taken;
  - a bad --record-cache value is refused with exit 2 naming the option.

The gauge is set when the worker has the acknowledgement of its write, which can come after
the result is in Redis, so it is waited for, not read once.
"""

import json
import os
import signal
import subprocess
import tempfile

from harness import (CLI, RUBRICS, WORKER, RedisServer, T, Worker, free_port, make_submission,
                     notes_on_failure, processing_keys, reap_children_at_exit, results,
                     wait_for)
from opslib import metric, scrape, skip_without, try_http

skip_without("metrics")
t = T()
reap_children_at_exit()
valgrind = bool(os.environ.get("ASSAY_WORKER_WRAPPER"))
slow = 10 if valgrind else 1

srv = RedisServer()
r = srv.client()


def start(*args, env=None):
    port = free_port()
    w = Worker(srv.url, "--metrics", f"127.0.0.1:{port}", *args, env=env)
    ok = wait_for(lambda: try_http(port, "/readyz")[0] == 200, 30 * slow)
    return w, port, ok


def one(sid, learner):
    """Pushes one submission of learner and waits for its result (its own batch)."""
    want = len(results(r)) + 1
    r.lpush("assay:submissions", make_submission(sid, learner=learner))
    return wait_for(lambda: len(results(r)) == want, 30 * slow)


def reads(port, gauge=None):
    """The reads by source, and the cache gauge once it equals gauge (or as it is)."""
    def sample():
        s = scrape(port)
        return ({src: metric(s, "assay_record_reads_total", source=src)
                 for src in ("worker", "redis", "new", "skipped")},
                metric(s, "assay_record_cache_bytes"))
    if gauge is not None:
        wait_for(lambda: sample()[1] == gauge, 10 * slow)
    return sample()


def in_processing():
    """Submissions in any worker's processing lists."""
    return sum(r.llen(k) for k in processing_keys(r) if r.type(k) == b"list")


def stored_doc(learner):
    keys = list(r.scan_iter("assay:record:*"))
    docs = [r.hget(k, "doc") for k in keys]
    mine = [d for d in docs if d and json.loads(d)["learner"] == learner]
    return mine[0] if len(mine) == 1 else None


def phase(wid, args, sids, learner="learner-x", env=None):
    """A worker started with args grades sids of learner, one batch each; the worker and
    the document of the learner's record it leaves in Redis."""
    w, port, ready = start("--worker-id", wid, *args, env=env)
    t.ok(ready, f"worker {wid} ({' '.join(args) or env or 'defaults'}) is ready")
    t.ok(all(one(sid, learner) for sid in sids), f"{wid}: {sids} graded, one batch each")
    return w, port, stored_doc(learner)


# --- A worker with a cache of 1 MiB, then one that keeps nothing. ----------------------------
a, port, doc = phase("cache-a", ["--record-cache", "1"], ["c-1", "c-2"])
t.ok(doc is not None, "learner-x has one record in Redis")
got, cached = reads(port, gauge=len(doc or b""))
t.eq(got, {"worker": 0, "redis": 0, "new": 1, "skipped": 1},
     "with a cache: the first read finds no record, the second skips the read for the "
     "worker's own copy")
t.eq(cached, len(doc or b""), "assay_record_cache_bytes is the length of the document kept")
t.eq(a.stop(), 0, "worker a stops with status 0")

b, port, _ = phase("cache-b", ["--record-cache", "0"], ["c-3", "c-4"])
got, cached = reads(port)
t.eq(got, {"worker": 0, "redis": 2, "new": 0, "skipped": 0},
     "--record-cache 0: each read has the document sent by Redis and parsed")
t.eq(cached, 0, "--record-cache 0: assay_record_cache_bytes stays 0")
t.eq(b.stop(), 0, "worker b stops with status 0")

def equals_rebuild(learner):
    """Whether learner's record in Redis equals `assay record rebuild` over the results."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(x.decode() for x in reversed(r.lrange("assay:results", 0, -1)))
                + "\n")
        pushed = f.name
    p = subprocess.run([CLI, "record", "rebuild", "--jsonl", pushed, "--rubrics", RUBRICS],
                       capture_output=True, text=True)
    os.unlink(pushed)
    rebuilt = [json.loads(x) for x in p.stdout.splitlines()]
    mine = [x for x in rebuilt if x["learner"] == learner]
    stored = json.loads(stored_doc(learner) or "null")
    return p.returncode == 0 and len(mine) == 1 and mine[0] == stored


t.ok(equals_rebuild("learner-x"),
     "the record written without a cache equals assay record rebuild over the 4 results")

# --- The environment variable, the default, the largest value. --------------------------------
c, port, _ = phase("cache-c", [], ["c-5", "c-6"], env={"ASSAY_RECORD_CACHE_MIB": "0"})
got, cached = reads(port)
t.eq((got, cached), ({"worker": 0, "redis": 2, "new": 0, "skipped": 0}, 0),
     "ASSAY_RECORD_CACHE_MIB=0: nothing kept, each read parsed from Redis")
t.eq(c.stop(), 0, "worker c stops with status 0")

d, port, doc = phase("cache-d", [], ["d-1", "d-2"], learner="learner-y")
got, cached = reads(port, gauge=len(doc or b""))
t.eq((got, cached), ({"worker": 0, "redis": 0, "new": 1, "skipped": 1}, len(doc or b"")),
     "with neither option nor variable: the default cache keeps the learner")
t.eq(d.stop(), 0, "worker d stops with status 0")

e, port, _ = phase("cache-e", ["--record-cache", "1048576"], ["e-1"], learner="learner-z")
t.eq(reads(port)[0], {"worker": 0, "redis": 0, "new": 1, "skipped": 0},
     "--record-cache 1048576 is taken")
t.eq(e.stop(), 0, "worker e stops with status 0")

# --- Commits without a read, checked by the ack script. ---------------------------------------
# On the loop thread (--grade-threads 0): a batch that skips its read is computed and
# acknowledged from the retry timer's callback, there.
s_w, port, doc = phase("cache-s", ["--record-cache", "1", "--grade-threads", "0"], ["s-1", "s-2"],
                       learner="learner-s")


def misses():
    return metric(scrape(port), "assay_record_skipped_read_misses_total")


got, _ = reads(port, gauge=len(doc or b""))
t.eq((got, misses()), ({"worker": 0, "redis": 0, "new": 1, "skipped": 1}, 0),
     "cache-s: s-2 skipped the read, and its commit was not refused")

# A duplicate of s-2 (a first delivery, so its read is skipped): "" guessed for its
# de-duplication record is wrong, the commit is refused, and the batch is read again.
n_results = len(results(r))
r.lpush("assay:submissions", make_submission("s-2", learner="learner-s"))
t.ok(wait_for(lambda: misses() == 1 and reads(port)[0]["redis"] == 1, 30 * slow),
     "a duplicate of s-2: the commit without a read is refused and the record read from Redis")
t.ok(wait_for(lambda: metric(scrape(port), "assay_duplicates_total") == 1, 10 * slow),
     "the duplicate is then found a duplicate")
t.eq(len(results(r)), n_results, "and not answered twice")
t.eq(in_processing(), 0, "nothing is left in processing")

# Another worker writes learner-s's record while cache-s is paused: cache-s's copy is stale,
# its commit of s-4 without a read is refused, and s-4 is committed on the record read.
s_w.signal(signal.SIGSTOP)
other = Worker(srv.url, "--worker-id", "cache-t", "--record-cache", "0")
t.ok(one("s-3", "learner-s"), "s-3 graded by worker cache-t while cache-s is paused")
t.eq(other.stop(), 0, "worker cache-t exits 0")
s_w.signal(signal.SIGCONT)
t.ok(one("s-4", "learner-s"), "s-4 graded by cache-s")
t.ok(wait_for(lambda: misses() == 2 and reads(port)[0]["redis"] == 2, 10 * slow),
     "s-4: the commit on the stale copy is refused and the record read from Redis")
doc = json.loads(stored_doc("learner-s") or "null")
ids = {e["submission"] for c in (doc or {"competencies": {}})["competencies"].values()
       for e in c["evidence"]}
t.eq(ids, {"s-1", "s-2", "s-3", "s-4"}, "learner-s's record holds all four submissions")

# A forced regrade of s-4, the learner kept: read (its de-duplication record is set, so no
# guess), from the worker's own copy.
r.lpush("assay:submissions", make_submission("s-4", learner="learner-s", force=True))
t.ok(wait_for(lambda: reads(port)[0]["worker"] == 1, 30 * slow),
     "a forced regrade of s-4 is read, from the worker's own copy (source worker)")
t.ok(wait_for(lambda: len(results(r)) == n_results + 3, 10 * slow),
     "the forced regrade is answered")
t.eq(misses(), 2, "and its commit was not refused")
t.ok(equals_rebuild("learner-s"), "learner-s's record equals assay record rebuild")

# One batch mixing learner-s, whom cache-s keeps, and learner-u, whom it does not: m-1 and m-2
# were answered for learner-u by another worker, and the batch holds copies of each naming
# both learners, in both orders. learner-u's group must be read, so the whole batch is read:
# a guess "unset" for the de-duplication record of m-1 (learner-s's copy), met in the same
# computation with the value read for learner-u's copy, must not let a duplicate through.
before = reads(port)[0]  # the worker's metrics, read while it runs
dups = metric(scrape(port), "assay_duplicates_total")
s_w.signal(signal.SIGSTOP)
other_u = Worker(srv.url, "--worker-id", "cache-u", "--record-cache", "0")
t.ok(one("m-1", "learner-u") and one("m-2", "learner-u"),
     "m-1 and m-2 graded for learner-u by worker cache-u while cache-s is paused")
t.eq(other_u.stop(), 0, "worker cache-u exits 0")
n_results = len(results(r))
r.lpush("assay:submissions", *(make_submission(sid, learner=who) for sid, who in
                               (("m-1", "learner-u"), ("m-1", "learner-s"),
                                ("m-2", "learner-s"), ("m-2", "learner-u"))))
s_w.signal(signal.SIGCONT)
t.ok(wait_for(lambda: metric(scrape(port), "assay_duplicates_total") == dups + 4, 30 * slow),
     "the mixed batch: all four copies are found duplicates")
t.eq(len(results(r)), n_results, "none of them is answered")
t.eq(in_processing(), 0, "nothing is left in processing")
got = reads(port)[0]
t.eq((got["skipped"] - before["skipped"], got["redis"] - before["redis"],
      got["worker"] - before["worker"], misses()), (0, 1, 1, 2),
     "the batch was read whole: learner-u from Redis, learner-s from the worker's copy, "
     "nothing skipped and no commit refused")
for who, want in (("learner-u", {"m-1", "m-2"}), ("learner-s", {"s-1", "s-2", "s-3", "s-4"})):
    doc = json.loads(stored_doc(who) or "null")
    ids = {e["submission"] for c in (doc or {"competencies": {}})["competencies"].values()
           for e in c["evidence"]}
    t.eq(ids, want, f"{who}'s record holds only its own submissions")
    t.ok(equals_rebuild(who), f"{who}'s record equals assay record rebuild")

# One submission, n-x, twice in a batch: naming learner-v, then learner-w, both kept by
# cache-s, learner-v's copy stale (another worker wrote it meanwhile). The worker computes
# learner-v's copy fresh and learner-w's a duplicate; the script refuses learner-v's group,
# and so learner-w's too, which shares n-x's keys with it (else learner-w's copy would be
# pushed as fresh with its evidence in no record). Both are read again and committed.
t.ok(one("n-1", "learner-v") and one("n-2", "learner-w"),
     "n-1 and n-2 graded by cache-s, which keeps learner-v and learner-w")
sc = scrape(port)
before_misses, dups = misses(), metric(sc, "assay_duplicates_total")
s_w.signal(signal.SIGSTOP)
other_v = Worker(srv.url, "--worker-id", "cache-v", "--record-cache", "0")
t.ok(one("n-3", "learner-v"), "n-3 graded for learner-v by worker cache-v while cache-s is paused")
t.eq(other_v.stop(), 0, "worker cache-v exits 0")
n_results = len(results(r))
r.lpush("assay:submissions", make_submission("n-x", learner="learner-v"),
        make_submission("n-x", learner="learner-w"))
s_w.signal(signal.SIGCONT)
t.ok(wait_for(lambda: metric(scrape(port), "assay_duplicates_total") == dups + 1, 30 * slow),
     "n-x: one copy answered, the other found a duplicate")
t.eq(in_processing(), 0, "nothing is left in processing")
fresh = [x for x in results(r)[:len(results(r)) - n_results] if x.get("id") == "n-x"]
t.eq([(x.get("learner"), "record" in x) for x in fresh], [("learner-v", True)],
     "n-x is answered once, for learner-v (the first copy), with its record member")
t.eq(misses() - before_misses, 2,
     "both groups were refused once (learner-v's copy stale, learner-w's with it) and read")
for who, has in (("learner-v", True), ("learner-w", False)):
    doc = json.loads(stored_doc(who) or "null")
    ids = {e["submission"] for c in (doc or {"competencies": {}})["competencies"].values()
           for e in c["evidence"]}
    t.eq("n-x" in ids, has, f"n-x is {'in' if has else 'not in'} {who}'s record")
    t.ok(equals_rebuild(who), f"{who}'s record equals assay record rebuild")
t.eq(s_w.stop(), 0, "worker cache-s stops with status 0")

# --- Bad values. -------------------------------------------------------------------------------
for bad in ("-1", "lots", "2097152"):
    p = subprocess.run([WORKER, "--redis", srv.url, "--record-cache", bad], capture_output=True,
                       text=True, timeout=30)
    t.ok(p.returncode == 2 and "--record-cache" in p.stderr,
         f"--record-cache {bad} exits 2 naming the option")

notes_on_failure(t, a, b, c, d, e, s_w, other, other_u, other_v)
srv.stop()
t.done()
