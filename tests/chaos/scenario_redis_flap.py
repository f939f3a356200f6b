"""Chaos 7: Redis absent, flapping, then frozen, under load (appendonly yes).

(a) Two workers start while nothing listens on Redis's port; Redis comes up there, then for
    15 s it is killed with SIGKILL and restarted on the same port every few seconds while a
    producer pushes 8,000 submissions.
(b) Redis is frozen with SIGSTOP for 3 s, longer than the workers' command timeout (1 s),
    then resumed with SIGCONT, twice, while a producer pushes 5,000 more.

The workers wait, connect, reconnect after each fault by themselves and keep running; in
the end every submission is answered exactly once, as offline grading answers it."""

import random
import signal
import time

from chaos import (Producer, Scenario, main_guard, make_corpus, queued_and_claimed,
                   reconnected)
from harness import log_lines, wait_for

N_FLAP, N_FREEZE = 8000, 5000
FLAP_FOR = 15.0
FREEZES, FREEZE_FOR = 2, 3.0
CHUNK = 200


def run():
    scn = Scenario("redis_flap", appendonly=True)
    t = scn.t
    srv = scn.srv
    srv.kill()  # its port is now one where nothing listens
    worker_ids = ["flap-a", "flap-b"]
    workers = [scn.worker("--worker-id", wid) for wid in worker_ids]
    t.ok(all(w.wait_log("cannot reach Redis", 10) for w in workers),
         "Redis absent: both workers say they cannot reach it")
    time.sleep(1.5)
    t.ok(all(w.proc.poll() is None for w in workers), "and keep running")
    srv.start(port=srv.port)
    t.ok(wait_for(lambda: all(reconnected(w) for w in workers), 15),
         "Redis comes up on the port: both workers connect by themselves")

    # (a) Kill and restart Redis every few seconds while the producer pushes.
    sent = make_corpus(N_FLAP, "flap")
    # The producer outlasts the flapping, so there is work in flight at each kill.
    prod_flap = Producer(scn, "assay:submissions", sorted(sent.items()), chunk=CHUNK,
                         rate=N_FLAP / (FLAP_FOR + 5)).start()
    rnd = random.Random(11)
    flaps = 0
    until = time.time() + FLAP_FOR
    while time.time() < until:
        time.sleep(rnd.uniform(1.0, 2.0))
        # Kill only once both workers are back, while a chunk is being worked on.
        back = wait_for(lambda: all(reconnected(w) for w in workers), 15)
        r = srv.client()
        if not (back and wait_for(lambda: sum(queued_and_claimed(r, worker_ids)) > 0, 1, 0.001)):
            continue
        srv.kill()
        time.sleep(rnd.uniform(0.5, 2.0))
        srv.start(port=srv.port)
        flaps += 1
    t.ok(flaps >= 3, f"Redis was killed and restarted {flaps} times in {FLAP_FOR:.0f} s, each "
                     f"with both workers connected and work in flight")
    t.ok(prod_flap.wait(60), "the flap producer pushed everything")

    # (b) Freeze Redis longer than the command timeout while a producer pushes.
    more = make_corpus(N_FREEZE, "freeze")
    sent.update(more)
    prod_freeze = Producer(scn, "assay:submissions", sorted(more.items()), chunk=CHUNK,
                           rate=N_FREEZE / 14).start()
    for k in range(1, FREEZES + 1):
        time.sleep(1.0)
        back = wait_for(lambda: all(reconnected(w) for w in workers), 15)
        r = srv.client()
        t.ok(back and wait_for(lambda: sum(queued_and_claimed(r, worker_ids)) > 0, 2, 0.001),
             f"freeze {k}: both workers connected, work in flight")
        srv.proc.send_signal(signal.SIGSTOP)
        try:
            time.sleep(FREEZE_FOR)
        finally:
            srv.proc.send_signal(signal.SIGCONT)
    t.ok(prod_freeze.wait(60), "the freeze producer pushed everything")

    acked = prod_flap.acked + prod_freeze.acked
    t.ok(scn.wait_drained(len(acked), 120), "the queues drain")
    t.ok(scn.wait_registry(), "the registry holds only the running workers")
    t.ok(wait_for(lambda: all(reconnected(w) for w in workers), 15),
         "both workers are connected again")
    t.ok(all(w.proc.poll() is None for w in workers), "both workers kept running")
    frozen = [len(log_lines(w, "no reply within")) for w in workers]
    t.ok(min(frozen) >= FREEZES, f"each worker timed out on each freeze {frozen}")
    t.eq(scn.stop_workers(), [0, 0], "the two workers drain and exit 0")
    line = scn.audit(sent, acked)
    scn.finish(f", redis flaps {flaps}, freezes {FREEZES} of {FREEZE_FOR:.0f} s, producer "
               f"retries {prod_flap.retried + prod_freeze.retried}")
    return line


main_guard(run)
