#!/usr/bin/env python3
"""oversize_bench.py - what one oversized message costs assay-worker: the time from its LPUSH
to its too_large result, and the worker's peak RSS (VmHWM) before and after, for messages of
64 and 128 MiB (or the sizes given), on a loopback redis-server. Each size is pushed twice:
alone onto the empty queue of an idle worker (whose blocking wait returns the message that
wakes it), and behind a small submission (so the claim script meets it first).

Usage: bench/oversize_bench.py BUILD_DIR [--sizes 64,128] [--deadline S] [--json OUT]
The worker runs with its defaults (--max-bytes 1 MiB). Figures go in docs/security.md
(section "Oversized messages"), with the machine they ran on.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

from harness import RedisServer  # noqa: E402


def vmhwm_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def one(build, srv, mib, deadline, behind):
    r = srv.client(timeout=120)
    r.flushall()
    env = dict(os.environ, REDIS_URL=srv.url, ASSAY_RUBRICS=os.path.join(SOURCE, "rubrics"),
               ASSAY_LOG_LEVEL="warn")
    logpath = os.path.join(srv.dir, f"worker-{mib}-{int(behind)}.log")
    log = open(logpath, "wb")
    w = subprocess.Popen([os.path.join(build, "worker", "assay-worker")], env=env,
                         stdout=log, stderr=log)
    # Ready once a small submission is answered.
    r.lpush("assay:submissions", json.dumps({"id": "warm", "rubric": "chem-molarity",
                                             "responses": {"q1": "1.46 g"}}))
    while r.llen("assay:results") < 1:
        time.sleep(0.02)
    before = vmhwm_kib(w.pid)
    head = '{"id":"big-%d","rubric":"chem-molarity","responses":{"q1":"' % mib
    body = (head + "x" * (mib * 1024 * 1024 - len(head) - 3) + '"}}').encode()
    want = 2
    p = r.pipeline(transaction=True)
    if behind:
        p.lpush("assay:submissions", json.dumps({"id": "small", "rubric": "chem-molarity",
                                                 "responses": {"q1": "1.46 g"}}))
        want = 3
    p.lpush("assay:submissions", body)
    p.execute()
    t0 = time.perf_counter()
    while r.llen("assay:results") < want and time.perf_counter() - t0 < deadline:
        time.sleep(0.005)
    dt = time.perf_counter() - t0
    after = vmhwm_kib(w.pid)
    res = json.loads(r.lindex("assay:results", 0)) if r.llen("assay:results") >= want else {}
    w.send_signal(signal.SIGTERM)
    w.wait(60)
    del body
    log.close()
    with open(logpath, encoding="utf-8", errors="replace") as f:
        drops = sum(1 for line in f if "lost the Redis connection" in line)
    return {"mib": mib, "behind": behind, "seconds": round(dt, 3) if res else None,
            "connection_drops": drops,
            "rss_before_kib": before,
            "rss_after_kib": after, "status": res.get("status"),
            "code": (res.get("error") or {}).get("code"), "id": res.get("id")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("--sizes", default="64,128")
    ap.add_argument("--deadline", type=float, default=300, help="seconds to wait per size")
    ap.add_argument("--json")
    a = ap.parse_args()
    srv = RedisServer()
    out = []
    try:
        for mib, behind in ((int(x), b) for x in a.sizes.split(",") for b in (False, True)):
            f = one(a.build, srv, mib, a.deadline, behind)
            out.append(f)
            took = (f"answered after {f['seconds']:.2f} s" if f["seconds"] is not None
                    else f"no result within {a.deadline:.0f} s")
            where = "behind a small one" if behind else "alone, idle worker"
            print(f"{mib} MiB ({where}): {took}, {f['connection_drops']} connection drops; "
                  "worker peak RSS "
                  f"{f['rss_before_kib'] / 1024:.1f} -> {f['rss_after_kib'] / 1024:.1f} MiB; "
                  f"result {f['status']}/{f['code']} id {f['id']}", flush=True)
    finally:
        srv.stop()
    print(json.dumps(out))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
