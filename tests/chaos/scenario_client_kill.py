"""Chaos 3: two workers and 15,000 submissions pushed at a steady rate; for 15 s, every 0.5 to
1 s, Redis cuts some of the workers' connections with CLIENT KILL (found by the workers'
own sockets, so the producer and the auditor are never cut). The workers reconnect by
themselves, return what they had claimed but not seen, and every submission is answered
exactly once, as offline grading answers it."""

import os
import random
import socket
import time

from chaos import (Producer, Scenario, main_guard, make_corpus, queued_and_claimed,
                   reconnected)
from harness import log_lines, wait_for

N = 15000
ROUNDS = 20  # every 0.5 to 1 s: about 15 s
KILL_FOR = 15.0
CHUNK = 250  # a chunk every 0.25 s; two workers answer one in a few tens of ms


def connections_to(pid, port):
    """The local addresses ("ip:port") of the process's TCP connections to a local port,
    found through its socket inodes in /proc (Linux)."""
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue  # closed meanwhile
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    addrs = []
    with open(f"/proc/{pid}/net/tcp", encoding="ascii") as f:
        next(f)
        for line in f:
            cols = line.split()
            local, remote, inode = cols[1], cols[2], cols[9]
            if inode in inodes and int(remote.split(":")[1], 16) == port:
                ip_hex, port_hex = local.split(":")
                ip = socket.inet_ntoa(bytes.fromhex(ip_hex)[::-1])
                addrs.append(f"{ip}:{int(port_hex, 16)}")
    return addrs


def run():
    scn = Scenario("client_kill")
    t = scn.t
    sent = make_corpus(N, "ckill")
    worker_ids = ["ckill-a", "ckill-b"]
    workers = [scn.worker("--worker-id", wid) for wid in worker_ids]
    t.ok(all(w.wait_log("connected to Redis at", 10) for w in workers), "both workers connect")
    killer = scn.client()
    prod = Producer(scn, "assay:submissions", sorted(sent.items()), chunk=CHUNK,
                    rate=N / KILL_FOR).start()
    rnd = random.Random(3)
    cut = busy = 0
    for _ in range(ROUNDS):
        time.sleep(rnd.uniform(0.5, 1.0))
        victims = rnd.sample(workers, rnd.randint(1, 2))
        # Cut connected workers while a chunk is being worked on (one arrives every 0.25 s).
        wait_for(lambda: all(reconnected(w) for w in victims), 10)
        busy += wait_for(lambda: sum(queued_and_claimed(killer, worker_ids)) > 0, 1, 0.001)
        for w in victims:
            addrs = connections_to(w.proc.pid, scn.srv.port)
            for addr in rnd.sample(addrs, rnd.randint(1, len(addrs)) if addrs else 0):
                cut += killer.execute_command("CLIENT", "KILL", "ADDR", addr, "SKIPME", "yes")
    t.ok(cut >= ROUNDS, f"{ROUNDS} rounds of CLIENT KILL cut {cut} worker connections")
    t.ok(busy >= ROUNDS // 2, f"work was queued or claimed at {busy} of them")
    t.ok(prod.wait(60), "the producer pushed everything")
    t.eq(prod.retried, 0, "the producer's connection was never cut")
    t.ok(scn.wait_drained(len(prod.acked), 120), "the queues drain")
    t.ok(scn.wait_registry(), "the registry holds only the running workers")
    # A worker stopped while it reconnects leaves the registry to expire: stop them once
    # every cut connection is back.
    t.ok(wait_for(lambda: all(reconnected(w) for w in workers), 15),
         "both workers are connected again")
    t.eq(scn.stop_workers(), [0, 0], "the two workers drain and exit 0")
    lost = [len(log_lines(w, "lost the Redis connection")) for w in workers]
    t.ok(min(lost) > 0, f"each worker saw cuts ({lost} 'lost the Redis connection' lines)")
    # Only a cut that lands after Redis ran a claim and before its reply went out leaves a
    # worker something of its own to return (logged as a redelivery); most cuts land between
    # two commands, so redeliveries are not required here: the lost connections prove the
    # cuts.
    line = scn.audit(sent, prod.acked, need_redelivered=False)
    scn.finish(f", client kills {cut} in {ROUNDS} rounds, lost-connection lines {sum(lost)}")
    return line


main_guard(run)
