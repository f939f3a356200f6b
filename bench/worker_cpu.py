#!/usr/bin/env python3
"""worker_cpu.py - where one assay-worker's CPU goes while it drains a queue: the drain rate,
and per message the CPU time of the worker's event-loop thread (claims, acknowledgements,
hiredis), of its other threads together (grading, records), and of redis-server. Builds are
interleaved round by round (the order turns each round) on the same input, so that a
before/after comparison sees the same load; the median round of each build is printed.

The CPU times come from /proc (utime + stime of each thread), so unlike callgrind they count
the kernel's share too (page faults, socket writes): docs/performance-e2e.md used this to
find the malloc thresholds' effect on the loop thread.

With --preload LIB each build also runs with LD_PRELOAD=LIB in the worker's environment
(and nowhere else), interleaved with the plain runs: how another malloc (Debian's
libjemalloc2, /usr/lib/x86_64-linux-gnu/libjemalloc.so.2) would change the worker, measured
before proposing it.

Usage: bench/worker_cpu.py BUILD_DIR [BUILD_DIR...] [--count N] [--learners L]
                           [--rounds K] [--records on|off] [--record-cache MIB]
                           [--rubrics DIR] [--preload LIB] [--json OUT]
--record-cache MIB is passed to each worker with --records on (the size of its cache of
parsed learner records; the bench's 10,000 learners need about 160 to be kept).
Needs redis-server and python3-redis (scripts/deps.sh installs both).
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import worker_bench as wb  # noqa: E402

def one_drain(build, srv, subs, records, rubrics, preload=None, cache=None):
    """(drained/s, loop µs/msg, other threads µs/msg, redis µs/msg)."""
    during, used = wb.cpu_during(srv, len(subs))
    env = {"ASSAY_RUBRICS": rubrics}
    if preload:
        env["LD_PRELOAD"] = preload
    extra = ["--records", records]
    if cache is not None and records == "on":
        extra += ["--record-cache", str(cache)]
    rate, _ = wb.drain(build, srv, subs, extra=extra, during=during, env=env)
    return rate, used["loop"], used["other"], used["redis"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="+")
    ap.add_argument("--count", type=int, default=40000)
    ap.add_argument("--learners", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--records", choices=("on", "off"), default="off")
    ap.add_argument("--record-cache", type=int)
    ap.add_argument("--rubrics", default=wb.RUBRICS)
    ap.add_argument("--preload")
    ap.add_argument("--json")
    a = ap.parse_args()
    subs = wb.with_learners(wb.make(a.count), a.learners)
    runs = [(b, None) for b in a.builds]
    if a.preload:
        runs += [(b, a.preload) for b in a.builds]
    names = {r: r[0] + (" +" + os.path.basename(r[1]) if r[1] else "") for r in runs}
    rows = {names[r]: [] for r in runs}
    srv = wb.RedisServer()
    try:
        for k in range(a.rounds):
            order = runs[k % len(runs):] + runs[:k % len(runs)]
            for run in order:
                b = names[run]
                rows[b].append(one_drain(run[0], srv, subs, a.records, a.rubrics, run[1],
                                         a.record_cache))
                r = rows[b][-1]
                print(f"  round {k + 1} {b}: {r[0]:8.0f}/s  loop {r[1]:5.1f}  other "
                      f"{r[2]:5.1f}  redis {r[3]:5.1f} us/msg", flush=True)
    finally:
        srv.stop()
    cache = f" --record-cache {a.record_cache}" if a.record_cache is not None else ""
    print(f"{a.count} submissions, {a.learners} learners, --records {a.records}{cache}, "
          f"median of {a.rounds} rounds; CPU per message in µs")
    print(f"{'build':40s} {'drained/s':>10s} {'loop':>7s} {'other':>7s} {'redis':>7s}")
    out = []
    for b in rows:
        med = sorted(rows[b], key=lambda r: r[0])[len(rows[b]) // 2]
        print(f"{b:40s} {med[0]:10.0f} {med[1]:7.1f} {med[2]:7.1f} {med[3]:7.1f}")
        out.append({"build": b, "per_s": med[0], "loop_us": med[1], "other_us": med[2],
                    "redis_us": med[3], "rounds": rows[b]})
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"bench": "worker-cpu", "count": a.count, "records": a.records,
                       "record_cache": a.record_cache, "rows": out}, f)


if __name__ == "__main__":
    main()
