"""The test hooks ASSAY_BENCH_STUB_GRADER, ASSAY_FAULT_ABORT_ON and
ASSAY_FAULT_RECORD_CONFLICTS are compiled only into
assay-worker-hooks (meson -Dtest_hooks=true), never into assay-worker, the binary that is
installed:

- assay-worker with both variables set grades for real (a message holding the abort marker
  is graded, not aborted on; results are the engine's, not the canned stub), says at start
  that the variable is ignored and why, and drains and exits 0;
- assay-worker-hooks, when the build has it, acts on them: the stub's canned results, and a
  warning at start for each hook that is on (the abort itself: test_poison_crash.py; the
  refused record commits: tests/ops/test_record_retry.py), and refuses a malformed
  ASSAY_FAULT_RECORD_CONFLICTS.
"""

import json
import time

from harness import (WORKER_HOOKS, RedisServer, T, Worker, make_submission, notes_on_failure,
                     reap_children_at_exit, results, wait_for)

MARK = "hooks-abort-marker"
t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()

env = {"ASSAY_BENCH_STUB_GRADER": "1", "ASSAY_FAULT_ABORT_ON": MARK}
w = Worker(srv.url, "--worker-id", "plain", env=env)
t.ok(w.wait_log("has no test hooks", 10), "assay-worker says the hook variables are ignored")
t.ok(w.wait_log("ASSAY_BENCH_STUB_GRADER is set, but this assay-worker has no test hooks", 1),
     "naming the variable and where the hooks are")
t.ok("fault injection is on" not in w.output() and "benchmark stub on" not in w.output(),
     "it never says a hook is on")
r.lpush("assay:submissions", make_submission("hooks-1", meta={"note": MARK}))
r.lpush("assay:submissions", make_submission("hooks-2"))
t.ok(wait_for(lambda: r.llen("assay:results") >= 2, 15), "both submissions are answered")
res = {x.get("id"): x for x in results(r)}
t.eq(sorted(res), ["hooks-1", "hooks-2"], "with their ids (real results, not the stub's)")
t.eq([res.get(i, {}).get("status") for i in ("hooks-1", "hooks-2")], ["graded", "graded"],
     "both graded by the engine, the one holding the abort marker included")
t.ok(w.proc.poll() is None, "the worker did not abort")
t.eq(w.stop(), 0, "it drains and exits 0")
notes_on_failure(t, w)

# Record conflicts injected: ignored too, the learner's record committed at once.
w3 = Worker(srv.url, "--worker-id", "plain-3",
            env={"ASSAY_FAULT_RECORD_CONFLICTS": "learner-k:5"})
t.ok(w3.wait_log("ASSAY_FAULT_RECORD_CONFLICTS is set, but this assay-worker has no test "
                 "hooks", 10), "assay-worker names ASSAY_FAULT_RECORD_CONFLICTS as ignored")
r.lpush("assay:submissions", make_submission("hooks-k", learner="learner-k"))
t.ok(wait_for(lambda: any(x.get("id") == "hooks-k" and "record" in x for x in results(r)), 15),
     "learner-k's submission is answered with its record")
t.eq(r.hget("assay:stats", "record_conflicts"), None, "with no record conflict")
t.eq(w3.stop(), 0, "that worker exits 0")
notes_on_failure(t, w3)

if WORKER_HOOKS:
    r.flushall()
    h = Worker(srv.url, "--worker-id", "hooked", env={"ASSAY_BENCH_STUB_GRADER": "1"},
               hooks=True)
    t.ok(h.wait_log("benchmark stub on (ASSAY_BENCH_STUB_GRADER)", 10),
         "assay-worker-hooks says the stub is on")
    r.lpush("assay:submissions", make_submission("hooks-3"))
    t.ok(wait_for(lambda: r.llen("assay:results") >= 1, 15), "the stub answers")
    got = json.loads(r.lindex("assay:results", 0) or b"{}")
    t.ok(set(got) == {"stub"}, "with its canned result")
    t.eq(h.stop(), 0, "the stub worker drains and exits 0")
    h2 = Worker(srv.url, "--worker-id", "hooked-2", env={"ASSAY_FAULT_ABORT_ON": MARK},
                hooks=True)
    t.ok(h2.wait_log("fault injection is on (ASSAY_FAULT_ABORT_ON)", 10),
         "assay-worker-hooks says fault injection is on")
    t.eq(h2.stop(), 0, "and exits 0 when stopped")
    h3 = Worker(srv.url, "--worker-id", "hooked-3",
                env={"ASSAY_FAULT_RECORD_CONFLICTS": "learner-k:2"}, hooks=True)
    t.ok(h3.wait_log("fault injection is on (ASSAY_FAULT_RECORD_CONFLICTS): the first 2 "
                     "commits of learner-k's record are refused", 10),
         "assay-worker-hooks says which record's commits it refuses")
    t.eq(h3.stop(), 0, "and exits 0 when stopped")
    for bad in ("learner-k", "learner-k:0", ":3", "learner-k:x", "learner-k:5x",
                "learner-k: 7", "learner-k:99999999999999999999"):
        h4 = Worker(srv.url, env={"ASSAY_FAULT_RECORD_CONFLICTS": bad}, hooks=True)
        t.ok(h4.proc.wait(30) != 0 and "must be LEARNER:N" in h4.output(),
             f"ASSAY_FAULT_RECORD_CONFLICTS={bad!r} is refused")
    notes_on_failure(t, h, h2, h3)
else:
    t.note("assay-worker-hooks is not built (-Dtest_hooks=true): its half is not run")
srv.stop()
t.note(f"hooks: {time.time() - started:.1f} s")
t.done()
