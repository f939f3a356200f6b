#!/usr/bin/env python3
"""e2e_callgrind.py - what the workers cost Redis per message, in instructions: redis-server
runs under valgrind's callgrind, N generated submissions (the examples mixed, seed 1) are
queued, and once the workers are up the counters are zeroed (callgrind_control -z), the
queue appears at once (RENAME), 2 workers drain it, and the counters are dumped. The
instructions redis-server executed, divided by N, are immune to the machine's load, unlike
the CPU times of bench/side_by_side.py --redis (docs/performance.md "End to end after the
lean scripts").

Rows: assay-worker (--records off) graded and with the stub grader (assay-worker-hooks,
ASSAY_BENCH_STUB_GRADER=1), the --before build's the same way, and bench/pyref/worker.py
graded and --stub.

Usage: bench/e2e_callgrind.py BUILD_DIR [--before OLD_BUILD_DIR] [--count N] [--json OUT]
Needs valgrind (callgrind_control), redis-server, python3-redis; builds with
-Dtest_hooks=true for the stub rows.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import redisbench as rb  # noqa: E402


def drain(tmp, lines, kind, build, stub, workers=2):
    """Instructions redis-server executed per message while `workers` workers drained lines."""
    srv = rb.CallgrindRedis(tmp)
    procs = []
    try:
        r = srv.client
        rb.stage(r, lines)
        prog = os.path.join(build, "worker", "assay-worker") if build else None
        procs, ready = rb.start_workers(kind, prog, srv.url, os.path.join(SOURCE, "rubrics"),
                                        srv.dir, stub, workers)
        if not rb.wait_workers(r, kind, ready, 120):
            raise RuntimeError("%s workers did not start" % kind)
        time.sleep(1.0)
        srv.zero()
        r.rename(rb.STAGING, "assay:submissions")
        deadline = time.monotonic() + 1200
        while r.llen("assay:results") < len(lines):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("%s workers did not drain the queue" % kind)
            time.sleep(0.05)
        n = srv.dumped_total()
    finally:
        rb.stop_workers(procs)
        srv.stop()
    return n / len(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("--before")
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--json")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="assay-e2e-cg-")
    try:
        gen = os.path.join(tmp, "subs.jsonl")
        subprocess.run([os.path.join(a.build, "bench", "bench-engine"), "--rubrics",
                        os.path.join(SOURCE, "rubrics"), "--seed", "1", "--gen-jsonl", str(a.count), gen],
                       check=True)
        with open(gen, "rb") as f:
            lines = [line.rstrip(b"\n") for line in f]
        rows = [("assay-worker", "assay", a.build)]
        if a.before:
            rows.append(("before", "assay", a.before))
        rows.append(("pyref/worker", "python", None))
        out = []
        print("redis-server instructions per message, %d submissions, 2 workers (callgrind)" % len(lines))
        for name, kind, build in rows:
            for stub in (False, True):
                per = drain(tmp, lines, kind, build, stub)
                out.append({"worker": name, "stub": stub, "redis_instructions_per_msg": round(per)})
                print("%-14s %-7s %10.0f" % (name, "stub" if stub else "graded", per), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    line = json.dumps({"bench": "e2e-callgrind", "count": a.count, "rows": out}, separators=(",", ":"))
    print(line)
    if a.json:
        with open(a.json, "w") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
