"""Chaos 1: two workers and 20,000 submissions; worker A is SIGKILLed and restarted about
every second for 20 s while B keeps going. Nothing is lost, nothing is answered twice, and
every result is what offline grading gives."""

import random
import signal
import time

from chaos import Producer, Scenario, main_guard, make_corpus

N = 20000
KILL_FOR = 20.0


def run():
    scn = Scenario("sigkill")
    t = scn.t
    sent = make_corpus(N, "kill")
    a = scn.worker()
    b = scn.worker()
    # About 1,000 a second, so the queue is never empty while A is being killed.
    prod = Producer(scn, "assay:submissions", sorted(sent.items()), chunk=50,
                    rate=N / KILL_FOR).start()
    rnd = random.Random(7)
    kills = 0
    until = time.time() + KILL_FOR
    while time.time() < until:
        time.sleep(rnd.uniform(0.7, 1.3))
        a.signal(signal.SIGKILL)
        a.proc.wait()
        kills += 1
        a = scn.worker()
    t.ok(kills >= 5, f"worker A was killed {kills} times under load")
    t.ok(prod.wait(60), "the producer pushed everything")
    t.ok(scn.wait_drained(len(prod.acked), 120), "the queues drain")
    t.ok(scn.wait_registry(), "the killed workers leave the registry once their heartbeats expire")
    t.eq(scn.stop_workers().count(0), 2, "the two live workers drain and exit 0")
    line = scn.audit(sent, prod.acked)
    scn.finish(f", kills {kills}")
    return line


main_guard(run)
