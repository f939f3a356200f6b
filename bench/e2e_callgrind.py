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
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

import redis  # noqa: E402
from harness import free_port, redis_server_path  # noqa: E402

PYTHON = "/usr/bin/python3"


def totals(path):
    for line in open(path):
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    return 0


def drain(tmp, lines, kind, build, stub, workers=2):
    """Instructions redis-server executed per message while `workers` workers drained lines."""
    d = tempfile.mkdtemp(prefix="cg-", dir=tmp)
    out = os.path.join(d, "callgrind.out")
    port = free_port()
    srv = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                            redis_server_path(), "--port", str(port), "--bind", "127.0.0.1",
                            "--save", "", "--appendonly", "no", "--dir", d],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = []
    try:
        r = redis.Redis(port=port)
        deadline = time.monotonic() + 60
        while True:
            try:
                r.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        pipe = r.pipeline(transaction=False)
        for i, line in enumerate(lines):
            pipe.lpush("assay:staging", line)
            if i % 2000 == 1999:
                pipe.execute()
        pipe.execute()
        url = "redis://127.0.0.1:%d/0" % port
        rubrics = os.path.join(SOURCE, "rubrics")
        env = dict(os.environ, REDIS_URL=url, ASSAY_RUBRICS=rubrics, ASSAY_LOG_LEVEL="warn")
        if stub:
            env["ASSAY_BENCH_STUB_GRADER"] = "1"
        for k in range(workers):
            if kind == "python":
                ready = os.path.join(d, "ready%d" % k)
                cmd = [PYTHON, os.path.join(HERE, "pyref", "worker.py"), "--redis", url,
                       "--rubrics", rubrics, "--ready-file", ready] + (["--stub"] if stub else [])
            else:
                prog = os.path.join(build, "worker", "assay-worker" + ("-hooks" if stub else ""))
                cmd = [prog, "--records", "off"]
            procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if kind == "python":
                if all(os.path.exists(os.path.join(d, "ready%d" % k)) for k in range(workers)):
                    break
            elif r.scard("assay:workers") >= workers:
                break
            time.sleep(0.1)
        time.sleep(1.0)
        subprocess.run(["callgrind_control", "-z", str(srv.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        r.rename("assay:staging", "assay:submissions")
        deadline = time.monotonic() + 1200
        while r.llen("assay:results") < len(lines):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("%s workers did not drain the queue" % kind)
            time.sleep(0.05)
        subprocess.run(["callgrind_control", "-d", str(srv.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        srv.send_signal(signal.SIGTERM)
        srv.wait()
    dumps = [f for f in glob.glob(out + ".*") if f.rsplit(".", 1)[1].isdigit()]
    n = totals(max(dumps, key=lambda f: int(f.rsplit(".", 1)[1])))
    shutil.rmtree(d, ignore_errors=True)
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
