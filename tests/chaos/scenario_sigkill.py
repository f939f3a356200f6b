"""Chaos 1: two workers and 20,000 submissions; worker A is SIGKILLed and restarted about
every second for 20 s while B keeps going. Nothing is lost, nothing is answered twice, and
every result is what offline grading gives.

Each kill returns what A held, and the next A may claim the same messages again, so under a
sanitizer one message can be held through three kills in a row and reach the default
--max-attempts (3) as if it were poison (seen once under ASan). Dead-lettering is scenario
8's subject; here the workers allow 1,000 deliveries, so every message must be answered."""

import random
import signal
import socket
import time

from chaos import Producer, Scenario, main_guard, make_corpus
from harness import wait_for

N = 20000
KILL_FOR = 20.0
ATTEMPTS = ("--max-attempts", "1000")


def run():
    scn = Scenario("sigkill")
    t = scn.t
    sent = make_corpus(N, "kill")
    a = scn.worker(*ATTEMPTS)
    scn.worker(*ATTEMPTS)  # B, never killed
    # About 1,000 a second in chunks of 250: the two workers drain a chunk in a few tens of
    # milliseconds, so each kill waits (at most a second) until A holds claimed work.
    prod = Producer(scn, "assay:submissions", sorted(sent.items()), chunk=250,
                    rate=N / KILL_FOR).start()
    r = scn.client()
    host = socket.gethostname()
    rnd = random.Random(7)
    kills = kills_holding = 0
    until = time.time() + KILL_FOR
    while time.time() < until:
        time.sleep(rnd.uniform(0.5, 1.0))
        held = f"assay:processing:{host}:{a.proc.pid}:submissions"
        kills_holding += bool(wait_for(lambda: r.llen(held) > 0, 1.0, 0.002))
        a.signal(signal.SIGKILL)
        a.proc.wait()
        kills += 1
        a = scn.worker(*ATTEMPTS)
    t.ok(kills >= 5, f"worker A was killed {kills} times under load")
    t.ok(kills_holding > 0, f"{kills_holding} of the kills hit A holding claimed work")
    t.ok(prod.wait(60), "the producer pushed everything")
    t.ok(scn.wait_drained(len(prod.acked), 120), "the queues drain")
    t.ok(scn.wait_registry(), "the killed workers leave the registry once their heartbeats expire")
    t.eq(scn.stop_workers().count(0), 2, "the two live workers drain and exit 0")
    line = scn.audit(sent, prod.acked)
    scn.finish(f", kills {kills} ({kills_holding} holding work)")
    return line


main_guard(run)
