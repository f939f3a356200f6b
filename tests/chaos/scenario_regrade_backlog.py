"""Chaos 5: live traffic is not starved by a regrading run. Live submissions arrive at a
steady rate, first with nothing else queued (the baseline), then while 60,000 regrade
submissions wait on P:regrade (sized so that the worker, which drains about 15,000 a second
here, cannot empty it within the live phase's 2.5 s: the phase must run with a backlog). Every live submission must be answered while the regrade run
is still going (its results are followed by regrade results), and the whole run passes the
usual audit. The live latency - push to the result being taken off P:results by a consumer
in its own process - is measured and printed (p50/p99 with and without the backlog) but not
asserted: this machine is shared, and figures belong in docs/reliability.md.

Producer and consumer are separate processes (one Python process doing both measured its
own GIL, not the worker), and the latency counted is only that of live submissions pushed
while the regrade queue was not empty."""

import json
import os
import subprocess
import sys
import time

from chaos import Producer, Scenario, main_guard, make_corpus

N_REGRADE = 60000
LIVE_RATE = 400.0  # live submissions a second
LIVE_SECONDS = 2.5

CONSUMER = r"""
import sys, time, redis
port, out, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
import os
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
with open(out, "w", encoding="utf-8") as f:
    deadline = time.time() + 600
    while time.time() < deadline:
        batch = r.rpop("assay:results", 500)
        if not batch:
            if os.path.exists(stop) and r.llen("assay:results") == 0:
                break
            got = r.brpop("assay:results", 0.2)
            batch = [got[1]] if got else []
        now = time.time()
        for raw in batch:
            f.write("%.6f %s\n" % (now, raw.decode("utf-8")))
"""


def percentile(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")


def live_phase(scn, items):
    """Pushes items at LIVE_RATE, one per push; returns the producer (push times by id)."""
    prod = Producer(scn, "assay:submissions", items, chunk=1, rate=LIVE_RATE).start()
    prod.wait(LIVE_SECONDS * 4 + 30)
    return prod


def run():
    scn = Scenario("regrade_backlog")
    t = scn.t
    r = scn.client()
    n_live = int(LIVE_RATE * LIVE_SECONDS)
    base = make_corpus(n_live, "live-base", seed=11)
    busy = make_corpus(n_live, "live-busy", seed=12)
    regrade = make_corpus(N_REGRADE, "regrade", seed=13)
    sent = {**base, **busy, **regrade}

    out = os.path.join(scn.dir, "consumed.txt")
    stop = os.path.join(scn.dir, "consumer.stop")
    consumer = subprocess.Popen([sys.executable, "-c", CONSUMER, str(scn.srv.port), out, stop])
    scn.worker()
    time.sleep(0.5)

    p_base = live_phase(scn, sorted(base.items()))
    t.ok(scn.wait_drained(0, 30), "the baseline's live submissions are all taken")

    p_regrade = Producer(scn, "assay:regrade", sorted(regrade.items()), chunk=1000).start()
    t.ok(p_regrade.wait(120), f"{N_REGRADE} regrade submissions queued")
    backlog_at_start = r.llen("assay:regrade")
    p_busy = live_phase(scn, sorted(busy.items()))
    backlog_at_end = r.llen("assay:regrade")
    t.ok(backlog_at_end > 0, f"the regrade backlog lasted the whole live phase "
                             f"({backlog_at_start} -> {backlog_at_end} queued)")

    acked = p_base.acked + p_regrade.acked + p_busy.acked
    t.ok(scn.wait_drained(0, 180), "the backlog drains")
    open(stop, "w").close()
    try:
        consumer.wait(60)
    except subprocess.TimeoutExpired:
        consumer.kill()
    results, taken = [], {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            at, raw = line.rstrip("\n").split(" ", 1)
            res = json.loads(raw)
            results.append(res)
            taken[res.get("id")] = float(at)

    def latencies(prod):
        return [taken[i] - prod.sent_at[i] for i in prod.acked if i in taken]

    lat_base, lat_busy = latencies(p_base), latencies(p_busy)
    p50b, p99b = percentile(lat_base, 0.5) * 1e3, percentile(lat_base, 0.99) * 1e3
    p50l, p99l = percentile(lat_busy, 0.5) * 1e3, percentile(lat_busy, 0.99) * 1e3
    t.note(f"live latency without backlog: p50 {p50b:.2f} ms, p99 {p99b:.2f} ms "
           f"({len(lat_base)} submissions)")
    t.note(f"live latency with {N_REGRADE} regrade queued: p50 {p50l:.2f} ms, "
           f"p99 {p99l:.2f} ms ({len(lat_busy)} submissions)")
    order = [res.get("id", "") for res in results]
    last_live = max(i for i, sid in enumerate(order) if sid in busy)
    regrade_after = sum(1 for sid in order[last_live + 1:] if sid in regrade)
    t.ok(regrade_after > 0, f"every live submission was answered before the regrade run "
                            f"ended ({regrade_after} regrade results came after the last one)")
    t.ok(scn.wait_registry(), "the registry holds only the running worker")
    t.eq(scn.stop_workers(), [0], "the worker drains and exits 0")
    scn.audit(sent, acked, results=results, need_redelivered=False)
    scn.finish(f", live p50/p99 {p50b:.1f}/{p99b:.1f} ms, with the backlog "
               f"{p50l:.1f}/{p99l:.1f} ms")


main_guard(run)
