"""Chaos 6: SIGTERM on a full queue. 20,000 submissions are queued; two workers (default
--inflight 256) start and get SIGTERM once results flow, five times over. Each time both
finish what they had claimed (the log's "signal 15: finishing N in-flight" line, N > 0 at
least once), exit 0 and leave no processing list and no registry entry; the unclaimed rest
is still queued byte for byte in push order (queue + results == pushed, every id answered
or queued, never both). Fresh workers then drain the rest and the whole audit passes.

A clean drain returns nothing to the queues, so "redelivered" is 0 here; the proof that
the signals hit in-flight work is the N of the finishing lines instead."""

import json
import random
import re
import signal
import subprocess
import time

from chaos import Producer, Scenario, main_guard, make_corpus
from harness import log_lines, processing_keys, stopped_counts, wait_for

N = 20000
CYCLES = 5
QUEUE = "assay:submissions"


def in_flight_at_signal(worker):
    """N from the worker's "signal 15: finishing N in-flight" line, or None."""
    m = re.search(r"signal 15: finishing (\d+) in-flight", worker.output())
    return int(m.group(1)) if m else None


def sigterm_cycle(scn, n, pushed, rnd):
    """Starts two workers, SIGTERMs both once results flow, checks what they leave behind;
    returns the in-flight counts they logged at the signal."""
    t = scn.t
    r = scn.client()
    before = r.llen("assay:results")
    pair = [scn.worker(), scn.worker()]
    t.ok(all(w.wait_log("connected to Redis", 20) for w in pair),
         f"cycle {n}: two workers connect")
    t.ok(wait_for(lambda: r.llen("assay:results") > before, 20, 0.002),
         f"cycle {n}: results flow")
    time.sleep(rnd.uniform(0, 0.05))
    for w in pair:
        w.signal(signal.SIGTERM)
    codes = []
    for w in pair:
        try:
            codes.append(w.proc.wait(30))
        except subprocess.TimeoutExpired:
            w.kill()
            codes.append(None)
    t.eq(codes, [0, 0], f"cycle {n}: both workers finish their in-flight work and exit 0")
    in_flight = [in_flight_at_signal(w) for w in pair]
    t.ok(None not in in_flight, f"cycle {n}: both log the signal ({in_flight} in flight)")
    t.eq([line for w in pair for line in log_lines(w, "drain timed out")], [],
         f"cycle {n}: no drain timed out")
    t.eq(processing_keys(r), [], f"cycle {n}: no processing list is left")
    t.eq(r.scard("assay:workers"), 0, f"cycle {n}: both left the registry")

    queued, answered = r.llen(QUEUE), r.llen("assay:results")
    t.eq(queued + answered, N, f"cycle {n}: queue + results == pushed ({queued} + {answered})")
    t.ok(queued > 0, f"cycle {n}: the signal came while the queue was still full")
    untouched = [raw.encode() for _sid, raw in reversed(pushed[N - queued:])]
    t.ok(r.lrange(QUEUE, 0, -1) == untouched,
         f"cycle {n}: the unclaimed rest is queued untouched, in push order")
    ids = [json.loads(x)["id"] for x in r.lrange("assay:results", 0, -1)]
    t.eq(sorted(ids), [sid for sid, _raw in pushed[:N - queued]],
         f"cycle {n}: exactly the claimed ids are answered, each once")
    counts = [stopped_counts(w) for w in pair]
    t.ok(None not in counts and sum(c[0] for c in counts) == answered - before,
         f"cycle {n}: the workers' stopped lines count the {answered - before} new results")
    return in_flight


def run():
    scn = Scenario("sigterm")
    t = scn.t
    sent = make_corpus(N, "term")
    pushed = sorted(sent.items())
    prod = Producer(scn, QUEUE, pushed, chunk=500).start()
    t.ok(prod.wait(60), "the producer pushed everything")
    t.eq(scn.client().llen(QUEUE), N, f"{N} submissions are queued")

    rnd = random.Random(6)
    in_flight = []
    for n in range(1, CYCLES + 1):
        in_flight += sigterm_cycle(scn, n, pushed, rnd)
    hit = [x for x in in_flight if x]
    t.ok(hit, f"the signals hit in-flight work ({len(hit)} of {len(in_flight)} workers had "
         f"some: {in_flight})")

    scn.worker()
    scn.worker()
    t.ok(scn.wait_drained(len(prod.acked), 60), "fresh workers drain the rest")
    t.ok(scn.wait_registry(), "only the live workers are registered")
    t.eq(scn.stop_workers(), [0, 0], "the fresh workers drain and exit 0")
    line = scn.audit(sent, prod.acked, need_redelivered=False)
    scn.finish(f", sigterm cycles {CYCLES}, in flight at the signals {sum(hit)}")
    return line


main_guard(run)
