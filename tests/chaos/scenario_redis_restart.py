"""Chaos 2: two workers and 10,000 submissions pushed at a steady rate; the redis-server
(appendonly yes, appendfsync everysec) is killed with SIGKILL and restarted on the same port
twice while work is queued and claimed. Redis keeps every push it acknowledged (checked
right after each restart, so a loss by Redis is told apart from a loss by the workers); the
workers reconnect by themselves, return what they held, and every submission is answered
exactly once, as offline grading answers it.

Claims live for milliseconds, so a kill at a random moment often finds none. Before the
second kill, worker b is therefore frozen (SIGSTOP) while it holds claimed work, and thawed
only after worker a has returned that work: the redelivery path after a restart is then
exercised on every run, not only when the timing happens to hit it."""

import re
import signal
import time

from chaos import (Producer, Scenario, ids_in_redis, main_guard, make_corpus,
                   queued_and_claimed)
from harness import log_lines, wait_for

N = 10000
RATE = 1000  # submissions a second, in chunks of 500: 10 s of pushing
CHUNK = 500  # two workers answer a chunk in well under its half second
BACKLOG = 100  # kill only while at least this many are queued or claimed
# Seconds Redis stays down: the first restart is immediate, the second outlasts the
# workers' heartbeat TTL (1.5 s), so a worker that reconnects first returns the other's
# claimed work, as after a restart that loads a large AOF.
DOWN_FOR = (0.0, 2.5)


def in_flight(r, worker_ids):
    """(queued, claimed) when at least BACKLOG submissions are queued or claimed, else None."""
    queued, claimed = queued_and_claimed(r, worker_ids)
    return (queued, claimed) if queued + claimed >= BACKLOG else None


def run():
    scn = Scenario("redis_restart", appendonly=True)
    t = scn.t
    sent = make_corpus(N, "restart")
    worker_ids = ["restart-a", "restart-b"]
    workers = [scn.worker("--worker-id", wid) for wid in worker_ids]
    t.ok(all(w.wait_log("connected to Redis at", 10) for w in workers), "both workers connect")
    prod = Producer(scn, "assay:submissions", sorted(sent.items()), chunk=CHUNK,
                    rate=RATE).start()
    for k, down_for in enumerate(DOWN_FOR, 1):
        r = scn.client()
        # Kill once a third (then two thirds) of the corpus is pushed, while a chunk is being
        # worked on.
        t.ok(wait_for(lambda: len(prod.acked) >= k * N // 3, 30),
             f"restart {k}: {k}/3 of the corpus is pushed")
        busy = wait_for(lambda: in_flight(r, worker_ids), 10, 0.001)
        t.ok(busy and not prod.done.is_set(),
             f"restart {k}: under load, the producer running (queued, claimed: {busy})")
        frozen = None
        if down_for > 0:
            held = f"assay:processing:{worker_ids[1]}:submissions"
            b = workers[1]
            # Frozen, b may still have an acknowledgement of everything it held in its
            # socket, which Redis then runs: look once that has run, and let b go on for a
            # moment when it left nothing claimed (bounded).
            got, frozen = False, 0
            for _ in range(40):
                got = wait_for(lambda: r.llen(held) > 0, 10, 0.0005) or got
                b.proc.send_signal(signal.SIGSTOP)
                time.sleep(0.05)
                frozen = r.llen(held)
                if frozen > 0:
                    break
                b.proc.send_signal(signal.SIGCONT)
            t.ok(got and frozen > 0, f"restart {k}: worker b frozen holding {frozen} claimed")
        acked_before = list(prod.acked)
        answered = r.llen("assay:results")
        scn.srv.kill()
        time.sleep(down_for)
        scn.srv.start(port=scn.srv.port)
        r = scn.client()
        if frozen is not None:
            pat = re.compile(rf"returned (\d+) submissions? of worker {worker_ids[1]}")
            returned = wait_for(lambda: pat.search(workers[0].output()), 20)
            workers[1].proc.send_signal(signal.SIGCONT)
            t.ok(returned, f"restart {k}: worker a returned the frozen worker's claimed work")
        lost = sorted(set(acked_before) - ids_in_redis(r))
        t.eq(lost[:10], [], f"restart {k}: Redis kept all {len(acked_before)} acknowledged "
                            f"pushes ({len(lost)} lost)")
        t.ok(wait_for(lambda: all(len(log_lines(w, "connected to Redis at")) >= 2 * (k + 1)
                                  for w in workers)
                      and r.llen("assay:results") > answered, 20),
             f"restart {k}: both workers reconnect and answer again")
        t.note(f"restart {k}: down {down_for} s, {scn.redelivered()} redelivered so far")
    t.ok(prod.wait(60), "the producer pushed everything")
    t.ok(scn.wait_drained(len(prod.acked), 120), "the queues drain")
    t.ok(scn.wait_registry(), "the registry holds only the running workers")
    t.eq(scn.stop_workers(), [0, 0], "the two workers drain and exit 0")
    drops = [len(log_lines(w, "lost the Redis connection (main)")) for w in workers]
    t.ok(min(drops) >= len(DOWN_FOR), f"each worker lost its connection at each restart {drops}")
    line = scn.audit(sent, prod.acked)
    scn.finish(f", redis restarts {len(DOWN_FOR)}, producer retries {prod.retried}, "
               f"appendfsync everysec")
    return line


main_guard(run)
