"""A real poison message, one that kills the worker grading it (ASSAY_FAULT_ABORT_ON makes
the worker abort() on a message holding a marker), and the submissions that shared its
batch. Found by the chaos suite (tests/chaos/scenario_poison.py, scenario_duplicates.py):

1. Neighbours. Worker A claims 20 good submissions and the poison in one batch and dies.
   The returned submissions are suspects, claimed alone by an idle worker: the poison
   kills two more workers and is then given up (--max-attempts 3), while the 20 are graded,
   each charged the one crash it shared - none is dead-lettered.
2. Alone means alone. A suspect poison message at the head of the queue, 20 fresh
   submissions behind it: the worker claims the suspect and nothing more until it is
   acknowledged, so it dies holding the suspect only (found by review: the claim right
   after a suspect's used to take a full batch of neighbours).
3. Identical copies. Three byte-identical copies of one submission die with a worker: they
   share one delivery count, charged once per recovery, not three times; and once an id
   was answered with grading_error, a later copy is a duplicate, not a second result.
"""

import hashlib
import signal
import time

from harness import (RedisServer, T, Worker, dead, make_submission, notes_on_failure,
                     processing_keys, reap_children_at_exit, require_hooks, results, wait_for)

require_hooks()  # ASSAY_FAULT_ABORT_ON is a test hook, only in assay-worker-hooks

MARK = "poison-abort-marker"
t = T()
reap_children_at_exit()
started = time.time()
env = {"ASSAY_FAULT_ABORT_ON": MARK, "ASSAY_HEARTBEAT_TTL_MS": "1000"}


def run_until_settled(srv, r, args, want_results, timeout=40):
    """Runs fault-injected workers, restarting each that dies, until want_results results
    exist and nothing is queued or in processing; returns (workers, crashes)."""
    workers, crashes = [Worker(srv.url, *args, env=env, hooks=True)], 0
    deadline = time.time() + timeout
    while time.time() < deadline:
        if workers[-1].proc.poll() is not None:
            crashes += workers[-1].proc.returncode == -signal.SIGABRT
            workers.append(Worker(srv.url, *args, env=env, hooks=True))
        if (r.llen("assay:results") >= want_results and r.llen("assay:submissions") == 0
                and not processing_keys(r)):
            break
        time.sleep(0.05)
    return workers, crashes


# 1. Neighbours of a poison message.
srv = RedisServer()
r = srv.client()
good = [f"neighbour-{i:02d}" for i in range(20)]
msgs = [make_submission(i) for i in good[:10]]
msgs.append(make_submission("poison-1", meta={"note": MARK}))
msgs += [make_submission(i) for i in good[10:]]
for m in msgs:
    r.lpush("assay:submissions", m)
workers, crashes = run_until_settled(srv, r, ["--batch", "64", "--max-attempts", "3"], 21)
t.eq(crashes, 3, "the poison killed three workers (one per allowed delivery)")
res = {x["id"]: x for x in results(r)}
t.eq(sorted(res), sorted(good + ["poison-1"]), "every submission has one result")
t.eq([i for i in good if res.get(i, {}).get("status") != "graded"], [],
     "the 20 neighbours are graded")
t.eq((res.get("poison-1") or {}).get("error", {}).get("code"), "grading_error",
     "the poison is answered with grading_error")
t.eq([d["id"] for d in dead(r)], ["poison-1"], "only the poison is dead-lettered")
t.eq(r.hlen("assay:attempts"), 0, "no delivery count is left")
t.ok("fault injection is on (ASSAY_FAULT_ABORT_ON)" in workers[0].output(),
     "a worker with the test hook set says so at start")
t.eq(workers[-1].stop(), 0, "the last worker drains and exits 0")
notes_on_failure(t, *workers[-2:])
srv.stop()

# 2. A suspect is graded with nothing else in flight.
srv = RedisServer()
r = srv.client()
suspect = make_submission("poison-3", meta={"note": MARK})
r.lpush("assay:submissions", suspect)
r.hset("assay:attempts", hashlib.sha1(suspect.encode()).hexdigest(), 1)
for i in range(20):
    r.lpush("assay:submissions", make_submission(f"behind-{i:02d}"))
a = Worker(srv.url, "--batch", "64", env=env, hooks=True)
t.ok(wait_for(lambda: a.proc.poll() is not None, 15), "the suspect poison kills the worker")
held = [m for k in processing_keys(r) for m in r.lrange(k, 0, -1)]
t.eq([m.decode() for m in held], [suspect], "it died holding the suspect alone")
t.eq(r.llen("assay:submissions"), 20, "the 20 behind it were not claimed")
notes_on_failure(t, a)
srv.stop()

# 3. Identical copies, with --max-attempts 1 so that the one crash gives them up.
for max_attempts, want in (("3", "graded"), ("1", "error")):
    srv = RedisServer()
    r = srv.client()
    copy = make_submission("copied-1")
    for m in (copy, copy, copy, make_submission("poison-2", meta={"note": MARK})):
        r.lpush("assay:submissions", m)
    a = Worker(srv.url, "--batch", "8", "--max-attempts", max_attempts, env=env,
               hooks=True)
    t.ok(wait_for(lambda: a.proc.poll() is not None, 15), "the poison kills worker A")
    t.eq(r.llen("assay:processing:" + r.smembers("assay:workers").pop().decode()
                + ":submissions") if r.scard("assay:workers") else -1, 4,
         "A died holding the three copies and the poison")
    b = Worker(srv.url, "--max-attempts", max_attempts)  # no fault injection: grades all
    t.ok(wait_for(lambda: r.llen("assay:submissions") == 0 and not processing_keys(r)
                  and r.llen("assay:results") >= 2, 20), "B answers what A held")
    time.sleep(0.3)
    mine = [x for x in results(r) if x["id"] == "copied-1"]
    t.eq([x["status"] for x in mine], [want],
         f"--max-attempts {max_attempts}: the copies get one result ({want})")
    t.eq(sorted(d["id"] for d in dead(r)),
         ["copied-1", "poison-2"] if want == "error" else [],
         f"--max-attempts {max_attempts}: dead letters only for what was given up")
    t.eq(b.stop(), 0, "B drains and exits 0")
    notes_on_failure(t, a, b)
    srv.stop()

t.note(f"poison_crash: {time.time() - started:.1f} s")
t.done()
