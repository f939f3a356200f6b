"""Chaos 4: the same 1,000 ids enqueued twice, interleaved, while worker A is SIGKILLed and
restarted about every second and B keeps going. Each id gets exactly one result: 2,000
pushes, 1,000 results, 1,000 copies suppressed, whichever worker held which copy and
whether a kill sent a copy back to the queue.

Copy 2 of an id is pushed right after copy 1 or up to ~600 pushes later (the same claim
batch, the other worker, or a later chunk). For the even ids both copies are byte-identical;
for the odd ids they differ in one byte of meta ("copy":1 or "copy":2), which does not change
the grade: de-duplication is per (id, rubric sha256), so the second copy still gets no
result. meta is echoed, so which copy was answered shows in the result; before the audit
each odd id's expected message is set to the copy its result names, so the audit's offline
comparison accepts either copy's result - and only a result that is exactly one copy's.

The producer pushes a chunk a second; A is killed a few milliseconds after each chunk lands,
while it grades its share, so its claimed copies are redelivered and meet their twins."""

import json
import random
import signal
import time

from chaos import Producer, Scenario, main_guard, make_corpus
from harness import stopped_counts

N_IDS = 1000
CHUNK = 125  # pushed once a second: 16 chunks, 16 kills
MAX_LAG = 300  # ids between copy 1 and copy 2 of an id, at most
QUEUE = "assay:submissions"


def with_copy(raw, copy):
    """raw with meta.copy set: the two copies of an odd id differ in this one byte."""
    sub = json.loads(raw)
    sub["meta"]["copy"] = copy
    return json.dumps(sub, ensure_ascii=False, separators=(",", ":"))


def interleave(corpus, rnd):
    """The 2,000 pushes, oldest first, and id -> (copy 1, copy 2) for the odd ids."""
    differing = {}
    slots = []
    for i, (sid, raw) in enumerate(sorted(corpus.items())):
        first = second = raw
        if i % 2:
            first, second = with_copy(raw, 1), with_copy(raw, 2)
            differing[sid] = (first, second)
        slots.append((i, 1, sid, first))
        slots.append((i + rnd.uniform(0, MAX_LAG), 2, sid, second))
    slots.sort()
    return [(sid, raw) for _key, _copy, sid, raw in slots], differing


def graded_copies(scn, sent, differing):
    """Sets sent[id] of each odd id to the copy its result echoes (meta.copy); returns how
    many answered copy 2."""
    second = 0
    for raw in scn.client().lrange("assay:results", 0, -1):
        res = json.loads(raw)
        copies = differing.get(res.get("id"))
        if copies and (res.get("meta") or {}).get("copy") == 2:
            sent[res["id"]] = copies[1]
            second += 1
    return second


def run():
    scn = Scenario("duplicates")
    t = scn.t
    rnd = random.Random(4)
    corpus = make_corpus(N_IDS, "dup")
    order, differing = interleave(corpus, rnd)
    sent = dict(corpus)
    sent.update({sid: copies[0] for sid, copies in differing.items()})

    a = scn.worker()
    b = scn.worker()
    t.ok(a.wait_log("connected to Redis", 20) and b.wait_log("connected to Redis", 20),
         "workers A and B connect")
    prod = Producer(scn, QUEUE, order, chunk=CHUNK, rate=CHUNK).start()
    kills = 0
    landed = 0
    deadline = time.time() + 60
    while landed < len(order) and time.time() < deadline:
        if len(prod.acked) == landed:
            time.sleep(0.001)
            continue
        landed = len(prod.acked)
        time.sleep(rnd.uniform(0, 0.01))
        a.signal(signal.SIGKILL)
        a.proc.wait()
        kills += 1
        a = scn.worker()
    t.ok(prod.wait(30), f"the producer pushed both copies of {N_IDS} ids")
    t.eq(len(prod.acked), 2 * N_IDS, f"{2 * N_IDS} pushes acknowledged")
    t.ok(kills >= 10, f"worker A was killed {kills} times, after each chunk")
    t.ok(scn.wait_drained(N_IDS, 60), "the queues drain")
    t.ok(scn.wait_registry(), "the killed workers leave the registry once their heartbeats expire")
    t.eq(scn.stop_workers(), [0, 0], "the two live workers drain and exit 0")

    r = scn.client()
    results = r.llen("assay:results")
    t.eq(results, N_IDS, f"{len(prod.acked)} pushes give {N_IDS} results")
    t.eq(len(r.keys("assay:done:*")), N_IDS, "one de-duplication record per id")
    logged = [c[2] for c in map(stopped_counts, scn.workers) if c]
    t.eq(len(logged), 2, "the two workers that stopped cleanly log their counts")
    t.ok(0 < sum(logged) <= len(prod.acked) - results,
         f"they suppressed {sum(logged)} duplicates (the killed ones' counts died with them)")
    second = graded_copies(scn, sent, differing)
    t.note(f"{second} of the {len(differing)} differing ids were answered from copy 2")
    line = scn.audit(sent, prod.acked)
    scn.finish(f", kills {kills}, suppressed {len(prod.acked) - results} "
               f"({sum(logged)} logged by clean stops), copy 2 answered {second}")
    return line


main_guard(run)
