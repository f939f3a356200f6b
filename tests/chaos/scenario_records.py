"""Chaos 9: learner records under faults. Two workers grade 6,000 submissions of only 40
learners (so nearly every batch of one worker touches learners the other is committing:
record conflicts all the time), with submitted_at out of push order and one submission in
twenty pushed twice. Worker A is SIGKILLed and restarted about every second, and the
redis-server (appendonly) is killed and restarted once, while they work. At the end,
besides the usual audit (every submission answered exactly once, as offline grading
answers it), every learner's record in Redis equals `assay record rebuild` over P:results
in push order, and the results' record members chain before to after: no result without
its record update, no record update without its result, no submission counted twice."""

import json
import random
import signal
import time

from chaos import Producer, Scenario, main_guard, make_corpus
from harness import log_lines, wait_for

N = 6000
LEARNERS = 40
KILL_FOR = 8.0


def corpus():
    """id -> raw, and the push order (a twentieth of the ids twice)."""
    rnd = random.Random(11)
    sent = {}
    for sid, raw in make_corpus(N, "rec", seed=3).items():
        sub = json.loads(raw)
        n = sub["meta"]["n"]
        sub["learner"] = f"learner-{n % LEARNERS:02d}"
        day, minute = rnd.randrange(1, 28), rnd.randrange(0, 1440)
        sub["submitted_at"] = f"2026-02-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00Z"
        sent[sid] = json.dumps(sub, ensure_ascii=False, separators=(",", ":"))
    items = []
    for sid in sorted(sent):
        items.append((sid, sent[sid]))
        if rnd.random() < 0.05:
            items.append((sid, sent[sid]))
    return sent, items


def conflicts(r):
    return int(r.hget("assay:stats", "record_conflicts") or 0)


def run():
    scn = Scenario("records", appendonly=True)
    t = scn.t
    sent, items = corpus()
    args = ("--batch", "16", "--inflight", "64")
    a = scn.worker(*args)
    b = scn.worker(*args)  # never killed
    t.ok(all(w.wait_log("connected to Redis at", 10) for w in (a, b)), "both workers connect")
    prod = Producer(scn, "assay:submissions", items, chunk=200,
                    rate=len(items) / (KILL_FOR + 4)).start()
    r = scn.client()
    rnd = random.Random(5)
    kills = 0
    until = time.time() + KILL_FOR
    while time.time() < until:
        time.sleep(rnd.uniform(0.6, 1.2))
        a.signal(signal.SIGKILL)
        a.proc.wait()
        kills += 1
        a = scn.worker(*args)
    t.ok(kills >= 4, f"worker A was killed {kills} times under load")
    # One Redis restart while work is claimed.
    t.ok(wait_for(lambda: r.llen("assay:results") > N // 2, 60), "half the corpus answered")
    answered = r.llen("assay:results")
    scn.srv.kill()
    time.sleep(0.5)
    scn.srv.start(port=scn.srv.port)
    r = scn.client()
    t.ok(wait_for(lambda: r.llen("assay:results") > answered, 30),
         "after the Redis restart the workers answer again")
    t.ok(prod.wait(120), "the producer pushed everything")
    t.ok(scn.wait_drained(len(sent), 180), "the queues drain")
    t.ok(scn.wait_registry(), "the killed workers leave the registry")
    t.eq(scn.stop_workers().count(0), 2, "the two live workers drain and exit 0")
    n_conf = conflicts(r)
    t.ok(n_conf > 0, f"record conflicts happened and were retried ({n_conf})")
    gave_up = sum(len(log_lines(w, "record_conflict_gave_up")) for w in scn.workers)
    t.note(f"batches that gave up after repeated conflicts (returned to the queue): {gave_up}")
    line = scn.audit(sent, prod.acked)
    n_rec = scn.audit_records()
    t.eq(n_rec, LEARNERS, f"{LEARNERS} learners, {LEARNERS} records")
    scn.finish(f", kills {kills}, redis restarts 1, records {n_rec}, "
               f"record conflicts {n_conf}")
    return line


main_guard(run)
