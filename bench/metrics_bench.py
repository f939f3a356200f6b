#!/usr/bin/env python3
"""metrics_bench.py - assay-worker's throughput with --metrics on and off, interleaved.

Each round drains the same pre-filled submissions (about 2 KB, as bench/worker_bench.py
makes them) once with metrics off and once on, in alternating order (off/on, then on/off),
so drift in the machine's speed falls on both alike. With metrics on, a scraper fetches
/metrics every --scrape seconds during the drain (Prometheus scrapes every 15 s or more;
1 s is a heavier load). Two kinds of submissions are measured: without enqueued_at, and with
it (the worker then reads enqueued_at for the enqueue-to-result histogram).

Usage: bench/metrics_bench.py BUILD_DIR [--count N] [--rounds R] [--scrape S] [--json OUT]
Prints one line per run (submissions/s, and the worker's CPU time per submission, which a
loaded machine disturbs less than the rate), a summary per kind (medians of the rounds,
on/off ratios and the spread of the per-round ratios), and one JSON line with every figure.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from worker_bench import RedisServer, drain, make  # noqa: E402
from harness import free_port  # noqa: E402


def with_enqueued_at(subs):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out = []
    for s in subs:
        d = json.loads(s)
        d["enqueued_at"] = stamp
        out.append(json.dumps(d, separators=(",", ":")))
    return out


def scraper(port, every, stop, counts):
    while not stop.wait(every):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                r.read()
            counts["ok"] += 1
        except OSError:
            counts["failed"] += 1


def cpu_seconds(pid):
    """User + system CPU time of a process so far, from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(build, srv, subs, metrics, scrape_every):
    """One drain (worker_bench.drain), scraped meanwhile when metrics are on: (rate/s, the
    worker's CPU µs per submission, scrape counts)."""
    counts = {"ok": 0, "failed": 0, "cpu": 0.0}
    port = free_port()

    def during(worker):
        stop = threading.Event()
        th = threading.Thread(target=scraper, args=(port, scrape_every, stop, counts))
        if metrics:
            th.start()

        def done():
            counts["cpu"] = cpu_seconds(worker.pid)
            stop.set()
            if metrics:
                th.join()
        return done

    extra = ["--metrics", f"127.0.0.1:{port}"] if metrics else []
    rate, _ = drain(build, srv, subs, extra=extra, during=during)
    return rate, counts["cpu"] * 1e6 / len(subs), counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scrape", type=float, default=1.0)
    ap.add_argument("--json")
    a = ap.parse_args()

    kinds = {"plain": make(a.count)}
    kinds["enqueued_at"] = with_enqueued_at(kinds["plain"])
    srv = RedisServer()
    figures = {"count": a.count, "rounds": a.rounds, "scrape_s": a.scrape,
               "load_before": os.getloadavg()[0]}
    try:
        for kind, subs in kinds.items():
            runs = {"off": [], "on": []}
            cpu = {"off": [], "on": []}
            for rnd in range(a.rounds):
                order = ["off", "on"] if rnd % 2 == 0 else ["on", "off"]
                for mode in order:
                    rate, us, counts = run(a.build, srv, subs, mode == "on", a.scrape)
                    runs[mode].append(rate)
                    cpu[mode].append(us)
                    scrapes = f"  ({counts['ok']} scrapes, {counts['failed']} failed)" \
                        if mode == "on" else ""
                    print(f"{kind:12} round {rnd + 1} metrics {mode:3}: {rate:8.0f} "
                          f"submissions/s, worker CPU {us:6.1f} us each{scrapes}", flush=True)
            ratios = [on / off for on, off in zip(runs["on"], runs["off"])]
            off_med, on_med = statistics.median(runs["off"]), statistics.median(runs["on"])
            print(f"{kind:12} median off {off_med:.0f}/s, on {on_med:.0f}/s, on/off "
                  f"{on_med / off_med:.3f}; per-round ratios "
                  f"{', '.join(f'{x:.3f}' for x in ratios)}", flush=True)
            cpu_off, cpu_on = statistics.median(cpu["off"]), statistics.median(cpu["on"])
            print(f"{kind:12} worker CPU per submission: median off {cpu_off:.1f} us, on "
                  f"{cpu_on:.1f} us, on/off {cpu_on / cpu_off:.3f}", flush=True)
            figures[kind] = {"off": [round(x) for x in runs["off"]],
                             "cpu_us_off": [round(x, 1) for x in cpu["off"]],
                             "cpu_us_on": [round(x, 1) for x in cpu["on"]],
                             "cpu_ratio_of_medians": round(cpu_on / cpu_off, 4),
                             "on": [round(x) for x in runs["on"]],
                             "ratio_of_medians": round(on_med / off_med, 4),
                             "round_ratios": [round(x, 4) for x in ratios]}
    finally:
        srv.stop()
    figures["load_after"] = os.getloadavg()[0]
    print(json.dumps(figures))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(figures, f)


if __name__ == "__main__":
    main()
