"""Chaos 8: good and poison submissions mixed, under kills. Two workers run with
ASSAY_FAULT_ABORT_ON (a test hook of assay-worker-hooks: in a build without
-Dtest_hooks=true the scenario is skipped, saying so), so a "crash" poison message really
kills the worker grading it (SIGABRT); a supervisor restarts whatever died, as systemd
would, and the scenario also SIGKILLs a worker about every 1.5 s. Besides the crashes, the poison set holds messages that cannot be
graded (unknown rubric, missing field, wrong type). The dead-letter list must equal exactly
the poison set: every crash message after --max-attempts (3) deliveries as grading_error,
every other one at once - and no good submission, although many shared a batch with a
crash or were in flight at a kill."""

import random
import signal
import time

from chaos import POISON_MARKER, Producer, Scenario, main_guard, make_corpus, make_poison
from harness import require_hooks

N_GOOD = 5000
N_POISON = 24  # 6 of each kind: crash, unknown_rubric, missing_field, wrong_type
KILL_FOR = 15.0
ENV = {"ASSAY_FAULT_ABORT_ON": POISON_MARKER}


def run():
    require_hooks()  # the crashes come from ASSAY_FAULT_ABORT_ON, a test hook
    scn = Scenario("poison")
    t = scn.t
    good = make_corpus(N_GOOD, "mix")
    bad = make_poison(N_POISON, "mix")
    sent = dict(good)
    sent.update({sid: raw for sid, (raw, _code) in bad.items()})
    order = sorted(sent.items())
    random.Random(3).shuffle(order)

    slots = [scn.worker(env=ENV, hooks=True), scn.worker(env=ENV, hooks=True)]
    prod = Producer(scn, "assay:submissions", order, chunk=20,
                    rate=len(order) / KILL_FOR).start()
    rnd = random.Random(8)
    crashes = kills = 0
    next_kill = time.time() + 1.5
    r = scn.client()

    def settled():
        return (prod.done.is_set() and r.llen("assay:submissions") == 0
                and not r.keys("assay:processing:*") and time.time() > next_kill)

    deadline = time.time() + 150
    while time.time() < deadline and not settled():
        time.sleep(0.05)
        for i, w in enumerate(slots):
            code = w.proc.poll()
            if code is not None:
                crashes += code == -signal.SIGABRT
                slots[i] = scn.worker(env=ENV, hooks=True)
        if time.time() >= next_kill and not prod.done.is_set():
            victim = rnd.choice(slots)
            victim.signal(signal.SIGKILL)
            victim.proc.wait()
            kills += 1
            next_kill = time.time() + rnd.uniform(1.0, 2.0)
    n_crash = sum(1 for _raw, code in bad.values() if code == "grading_error")
    t.ok(prod.wait(30), "the producer pushed everything")
    t.ok(kills >= 5, f"{kills} workers SIGKILLed under load")
    t.eq(crashes, 3 * n_crash, f"each of the {n_crash} crash messages killed a worker "
                               "3 times (--max-attempts), no more")
    t.ok(scn.wait_drained(len(prod.acked), 60), "the queues drain")
    t.ok(scn.wait_registry(), "the dead workers leave the registry")
    t.eq(scn.stop_workers(), [0, 0], "the two live workers drain and exit 0")
    poison = {sid: code for sid, (_raw, code) in bad.items()}
    scn.audit(sent, prod.acked, poison=poison)
    scn.finish(f", kills {kills}, crashes {crashes}")


main_guard(run)
