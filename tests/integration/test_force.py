"""Forced regrades (issue 14.2): a submission graded before is a duplicate - no second result,
but a log line with its id and a count in P:stats - unless it says "force": true, which
grades it again (and counts it as forced); `assay enqueue --regrade --force` adds that to
every line, keeping every other byte. A "force" that is not a boolean is wrong_type."""

import json
import os
import subprocess
import time

from harness import (scratch_dir, CLI, RedisServer, T, Worker, log_lines, make_submission,
                     notes_on_failure, reap_children_at_exit, results, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()
w = Worker(srv.url, "--worker-id", "force-1")


def answers(sid):
    return [x for x in results(r) if x.get("id") == sid]


def push_and_mark(raw, marker):
    """Pushes raw, then a fresh marker submission, and waits for the marker's result: raw
    has been dealt with by then (one worker, oldest first)."""
    r.lpush("assay:submissions", raw)
    r.lpush("assay:submissions", make_submission(marker))
    return wait_for(lambda: answers(marker), 15)


sub = make_submission("f-1")
t.ok(push_and_mark(sub, "m-1") and len(answers("f-1")) == 1, "f-1 graded once")
t.ok(push_and_mark(sub, "m-2"), "pushed again")
t.eq(len(answers("f-1")), 1, "the same submission again: a duplicate, no second result")
t.ok(w.wait_log("duplicate suppressed: f-1 ", 5), "the duplicate is logged with its id")
t.ok(push_and_mark(make_submission("f-1", force=False), "m-3"), "pushed with force false")
t.eq(len(answers("f-1")), 1, "\"force\": false is no force")
t.ok(push_and_mark(make_submission("f-1", force=True), "m-4"), "pushed with force true")
mine = answers("f-1")
t.eq([x.get("status") for x in mine], ["graded", "graded"],
     "\"force\": true grades it again: a second result")
stats = {k.decode(): int(v) for k, v in r.hgetall("assay:stats").items()}
t.eq((stats.get("forced"), stats.get("duplicates")), (1, 2),
     "P:stats: 1 forced, 2 duplicates")
t.ok(push_and_mark(make_submission("f-2", force="yes"), "m-5"), "force not a boolean")
bad = answers("f-2")
t.eq([(x.get("status"), (x.get("error") or {}).get("code")) for x in bad],
     [("error", "wrong_type")], "a force that is not a boolean is wrong_type")
t.ok(push_and_mark(make_submission("f-3", force=True, reply_to="force-client"), "m-6"),
     "forced with a reply list")
t.eq([json.loads(x)["id"] for x in r.lrange("assay:results:force-client", 0, -1)], ["f-3"],
     "its result goes to the reply list")

# assay enqueue --regrade --force: every line graded again, every other byte kept.
lines = [make_submission(f"f-1{c}") for c in "abc"]
for i, line in enumerate(lines):
    t.ok(push_and_mark(line, f"m-1{i}"), f"line {i} graded a first time")
work = scratch_dir("assay-force-")
path = os.path.join(work, "regrade.jsonl")
with open(path, "w", encoding="utf-8") as f:
    f.write("\n".join(lines + ["[\"not an object\"]", " {} "]) + "\n")
p = subprocess.run([CLI, "enqueue", "--regrade", "--force", path], capture_output=True,
                   text=True, env=dict(os.environ, REDIS_URL=srv.url), timeout=60, check=False)
t.eq(p.returncode, 0, "assay enqueue --regrade --force exits 0")
t.ok("enqueued 5 submissions onto assay:regrade, each with \"force\": true" in p.stderr
     and "1 line pushed as it was" in p.stderr, "it says so, and counts the line it left")
t.ok(wait_for(lambda: all(len(answers(f"f-1{c}")) == 2 for c in "abc"), 20),
     "each line is graded a second time")
queued = [x for x in r.lrange("assay:dead", 0, -1)]
pushed = [json.loads(x).get("submission") for x in queued]
t.ok(' {"force":true} ' in pushed and '["not an object"]' in pushed,
     "the empty object got \"force\": true, the array was pushed as it was (both dead-lettered)")
t.ok(wait_for(lambda: int(r.hget("assay:stats", "forced") or 0) == 6, 10),
     "P:stats: 6 forced in all (f-1, f-3, the 3 lines, and the empty object's error)")
t.eq(w.stop(), 0, "the worker drains and exits 0")
notes_on_failure(t, w)
srv.stop()
t.note(f"force: {time.time() - started:.1f} s")
t.done()
