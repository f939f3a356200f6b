#!/usr/bin/env python3
"""side_by_side.py - Assay next to the careful Python reference grader (bench/pyref), on the
same input and the same machine, in one run (bench/side_by_side.sh is the command).

1. Batch grading, per case (the example rubrics mixed, and the 10-check essays; --all-cases
   adds each example rubric alone): N generated submissions (bench-engine --gen-jsonl,
   seed 1), first graded once by both with the same --graded-at and compared byte for byte
   (so the work is equal), then timed in interleaved rounds, the order alternating:
     1 core:  taskset -c 0   assay grade --rubrics DIR --jsonl IN -o /dev/null --jobs 1
              taskset -c 0   python3 bench/pyref/grade.py --rubrics DIR --jsonl IN -o /dev/null
     2 cores: taskset -c 0,1 assay ... --jobs 2
              taskset -c 0,1 two python3 grade.py processes, one on each half of IN
              taskset -c 0,1 two assay --jobs 1 processes, one on each half of IN (the
                             control: what two cores of this machine give a program that
                             shares nothing, against which --jobs 2 is measured)
   Reported: submissions/s of the median round (wall time, start-up included), CPU time per
   submission, the ratio assay / Python on 1 and 2 cores, the scaling 1 -> 2 of each, and
   --jobs 2 against the two independent assay processes.
   The start-up of each program (an empty input) is measured and printed too.
2. Instructions (valgrind's callgrind, exact whatever the load): per submission, assay's
   split into parse (json_loadb), checks (assay__check_pattern and assay__check_numeric:
   matching, reading numbers, comparing), result (the rest of assay_grade_text: the
   envelope, scoring, writing the result text), free (json_delete of the submission) and
   other (reading lines, writing results, the batch loop), next to the Python grader's
   total; each is the difference between a run on K submissions and a run on none, divided
   by K, so loading and start-up cancel out.
3. With --redis, end to end: a private redis-server on loopback, M queued submissions (the
   examples mixed, default 50,000) drained by 2 assay-worker processes (--records off: the
   Python worker keeps no learner records) and by 2 Python workers (bench/pyref/worker.py),
   graded and with stub graders, in interleaved rounds (--redis-rounds); drain rate, the
   ratio, Redis' CPU per message (the redis-server process's CPU time, and INFO
   commandstats) and the workers' CPU per message. --redis-only runs this part alone.

With --before OLD_BUILD_DIR, the assay of an older build (before a change) runs in the same
interleaved rounds on 1 and 2 cores, and its instructions per submission are counted too, so
"before" and "after" come from one run on the same input (the older build's results are not
compared: their format may differ); with --redis its assay-worker drains in the same rounds
too (rows "before"; that build needs -Dtest_hooks=true for the stub rows).

Usage: side_by_side.py BUILD_DIR [--count N] [--rounds R] [--all-cases] [--no-callgrind]
                       [--callgrind-subs K] [--before OLD_BUILD_DIR] [--redis]
                       [--redis-count M] [--redis-rounds R] [--redis-only] [--json OUT]
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
PYREF = os.path.join(HERE, "pyref", "grade.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
GRADED_AT = "2025-01-01T00:00:00Z"


def is_rubric_file(path):
    """A rubric, not one of the other documents of a rubric directory (a JSON Schema, a
    framework, a credential definition): they have no "assay" key."""
    with open(path, encoding="utf-8") as f:
        return "assay" in json.load(f)


def say(msg=""):
    print(msg, flush=True)


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmds):
    """Runs the commands at once; (wall s, CPU s of all of them)."""
    c0 = children_cpu()
    t0 = time.monotonic()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for c in cmds]
    for p, c in zip(procs, cmds):
        _, err = p.communicate()
        if p.returncode not in (0, 1):
            raise RuntimeError("%s failed (%d): %s" % (" ".join(c), p.returncode, err.decode(errors="replace")))
    return time.monotonic() - t0, children_cpu() - c0


class Setup:
    def __init__(self, build, tmp, before=None):
        self.build = build
        self.assay = os.path.join(build, "cli", "assay")
        self.before = os.path.join(before, "cli", "assay") if before else None
        self.bench = os.path.join(build, "bench", "bench-engine")
        self.worker = os.path.join(build, "worker", "assay-worker")
        self.before_worker = os.path.join(before, "worker", "assay-worker") if before else None
        self.tmp = tmp
        self.rubrics = os.path.join(tmp, "rubrics")
        os.mkdir(self.rubrics)
        for name in os.listdir(os.path.join(SOURCE, "rubrics")):
            if name.endswith(".json") and name != "schema.json":
                shutil.copy(os.path.join(SOURCE, "rubrics", name), self.rubrics)
        subprocess.run([self.bench, "--write-rubric", os.path.join(self.rubrics, "bench-energy.json")], check=True)

    def generate(self, n, only, path):
        cmd = [self.bench, "--rubrics", os.path.join(SOURCE, "rubrics"), "--seed", "1", "--gen-jsonl", str(n), path]
        if only:
            cmd += ["--only", only]
        subprocess.run(cmd, check=True)

    def assay_cmd(self, inp, jobs, cpus, out="/dev/null", prog=None):
        return ["taskset", "-c", cpus, prog or self.assay, "grade", "--rubrics", self.rubrics, "--jsonl", inp,
                "-o", out, "--jobs", str(jobs), "--graded-at", GRADED_AT]

    def py_cmd(self, inp, cpus, out="/dev/null"):
        return ["taskset", "-c", cpus, PYTHON, PYREF, "--rubrics", self.rubrics, "--jsonl", inp,
                "-o", out, "--graded-at", GRADED_AT]


# ---- 1. batch grading -----------------------------------------------------------------------


def batch_case(s, name, only, n, rounds):
    inp = os.path.join(s.tmp, "in.jsonl")
    s.generate(n, only, inp)
    with open(inp, "rb") as f:
        lines = f.readlines()
    halves = []
    for k, part in enumerate((lines[: n // 2], lines[n // 2 :])):
        p = os.path.join(s.tmp, "half%d.jsonl" % k)
        with open(p, "wb") as f:
            f.writelines(part)
        halves.append(p)
    a_out, p_out = os.path.join(s.tmp, "a.out"), os.path.join(s.tmp, "p.out")
    timed([s.assay_cmd(inp, 1, "0", a_out)])
    timed([s.py_cmd(inp, "0", p_out)])
    with open(a_out, "rb") as fa, open(p_out, "rb") as fp:
        same = fa.read() == fp.read()
    runs = {
        "assay1": lambda: timed([s.assay_cmd(inp, 1, "0")]),
        "py1": lambda: timed([s.py_cmd(inp, "0")]),
        "assay2": lambda: timed([s.assay_cmd(inp, 2, "0,1")]),
        "py2": lambda: timed([s.py_cmd(h, "0,1") for h in halves]),
        "assay2p": lambda: timed([s.assay_cmd(h, 1, "0,1") for h in halves]),
    }
    if s.before:
        runs["before1"] = lambda: timed([s.assay_cmd(inp, 1, "0", prog=s.before)])
        runs["before2"] = lambda: timed([s.assay_cmd(inp, 2, "0,1", prog=s.before)])
    wall = {k: [] for k in runs}
    cpu = {k: [] for k in runs}
    for r in range(rounds):
        order = ["assay1", "py1", "assay2", "py2", "assay2p"]
        if r % 2:
            order = ["py1", "assay1", "assay2p", "py2", "assay2"]
        if s.before:
            order[1:1] = ["before1"]
            order[4:4] = ["before2"]
        for k in order:
            w, c = runs[k]()
            wall[k].append(w)
            cpu[k].append(c)
    empty = os.path.join(s.tmp, "empty.jsonl")
    open(empty, "w").close()
    start_a = statistics.median(timed([s.assay_cmd(empty, 1, "0")])[0] for _ in range(3))
    start_p = statistics.median(timed([s.py_cmd(empty, "0")])[0] for _ in range(3))
    res = {"case": name, "submissions": n, "identical_results": same, "rounds": rounds,
           "startup_s": {"assay": round(start_a, 4), "python": round(start_p, 4)}}
    for k in runs:
        mw = statistics.median(wall[k])
        res[k] = {"per_s": n / mw, "wall_s": mw, "cpu_us_per_sub": statistics.median(cpu[k]) / n * 1e6,
                  "walls": [round(x, 4) for x in wall[k]]}
    res["ratio_1"] = res["assay1"]["per_s"] / res["py1"]["per_s"]
    res["ratio_2"] = res["assay2"]["per_s"] / res["py2"]["per_s"]
    res["scaling_assay"] = res["assay2"]["per_s"] / res["assay1"]["per_s"]
    res["scaling_python"] = res["py2"]["per_s"] / res["py1"]["per_s"]
    res["scaling_procs"] = res["assay2p"]["per_s"] / res["assay1"]["per_s"]
    res["jobs_vs_procs"] = res["assay2"]["per_s"] / res["assay2p"]["per_s"]
    if s.before:
        res["speedup_1"] = res["assay1"]["per_s"] / res["before1"]["per_s"]
        res["speedup_2"] = res["assay2"]["per_s"] / res["before2"]["per_s"]
        res["ratio_1_before"] = res["before1"]["per_s"] / res["py1"]["per_s"]
        res["ratio_2_before"] = res["before2"]["per_s"] / res["py2"]["per_s"]
        res["scaling_before"] = res["before2"]["per_s"] / res["before1"]["per_s"]
    return res


def print_batch(results):
    say("\nBatch grading, submissions/s (median of rounds, wall time incl. start-up); "
        "ratio = assay / Python")
    say("%-22s %9s %9s %6s %9s %9s %6s %8s %8s %5s" % (
        "case", "assay 1c", "py 1c", "ratio", "assay 2c", "py 2c", "ratio", "scale a", "scale py", "same"))
    for r in results:
        say("%-22s %9.0f %9.0f %6.2f %9.0f %9.0f %6.2f %7.2fx %7.2fx %5s" % (
            r["case"], r["assay1"]["per_s"], r["py1"]["per_s"], r["ratio_1"], r["assay2"]["per_s"],
            r["py2"]["per_s"], r["ratio_2"], r["scaling_assay"], r["scaling_python"],
            "yes" if r["identical_results"] else "NO"))
    say("\nCPU us per submission (all processes, start-up included) and start-up wall time")
    say("%-22s %9s %9s %9s %9s %12s %12s" % ("case", "assay 1c", "py 1c", "assay 2c", "py 2c",
                                              "assay start", "py start"))
    for r in results:
        say("%-22s %9.1f %9.1f %9.1f %9.1f %10.3f s %10.3f s" % (
            r["case"], r["assay1"]["cpu_us_per_sub"], r["py1"]["cpu_us_per_sub"],
            r["assay2"]["cpu_us_per_sub"], r["py2"]["cpu_us_per_sub"], r["startup_s"]["assay"],
            r["startup_s"]["python"]))
    say("\nTwo cores: assay --jobs 2 against two independent assay --jobs 1 processes on the "
        "halves of the input")
    say("%-22s %9s %9s %9s %9s %10s %10s" % ("case", "jobs 2", "cpu", "2 procs", "cpu", "scale 2p",
                                           "jobs/procs"))
    for r in results:
        say("%-22s %9.0f %9.1f %9.0f %9.1f %9.2fx %10.2f" % (
            r["case"], r["assay2"]["per_s"], r["assay2"]["cpu_us_per_sub"], r["assay2p"]["per_s"],
            r["assay2p"]["cpu_us_per_sub"], r["scaling_procs"], r["jobs_vs_procs"]))
    if results and "speedup_1" in results[0]:
        say("\nBefore (the --before build) in the same rounds: submissions/s, CPU us per submission, "
            "after / before")
        say("%-22s %9s %9s %9s %9s %8s %8s %8s %8s" % (
            "case", "before 1c", "cpu", "before 2c", "cpu", "ratio 1c", "ratio 2c", "after/b 1c",
            "after/b 2c"))
        for r in results:
            say("%-22s %9.0f %9.1f %9.0f %9.1f %8.2f %8.2f %9.2fx %9.2fx" % (
                r["case"], r["before1"]["per_s"], r["before1"]["cpu_us_per_sub"], r["before2"]["per_s"],
                r["before2"]["cpu_us_per_sub"], r["ratio_1_before"], r["ratio_2_before"],
                r["speedup_1"], r["speedup_2"]))


# ---- 2. instructions -------------------------------------------------------------------------

_LINE = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+(\*|<)?\s*\S*?:([A-Za-z_][\w.]*)(?:'\d+)? \[")


def callgrind(cmd, out):
    """Runs cmd under callgrind; (total Ir, {function: inclusive Ir})."""
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + cmd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--tree=caller", "--threshold=100", out],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout.decode(errors="replace")
    total = 0
    incl = {}
    for line in ann.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", line) or re.match(r"^\s*([\d,]+)\s+PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        m = _LINE.match(line)
        if m and m.group(2) == "*" and "'" not in line.split("[")[0]:
            fn = m.group(3)
            incl[fn] = max(incl.get(fn, 0), int(m.group(1).replace(",", "")))
    return total, incl


def instructions(s, name, only, k):
    inp = os.path.join(s.tmp, "cg.jsonl")
    empty = os.path.join(s.tmp, "empty.jsonl")
    open(empty, "w").close()
    s.generate(k, only, inp)
    full = callgrind(s.assay_cmd(inp, 1, "0")[3:], os.path.join(s.tmp, "cg.a"))
    base = callgrind(s.assay_cmd(empty, 1, "0")[3:], os.path.join(s.tmp, "cg.a0"))

    def per(fn):
        return (full[1].get(fn, 0) - base[1].get(fn, 0)) / k

    total = (full[0] - base[0]) / k
    parse = per("json_loadb")
    checks = per("assay__check_pattern") + per("assay__check_numeric")
    free = per("json_delete")
    result = per("assay_grade_text") - parse - checks - free
    other = total - parse - checks - result - free
    py_full = callgrind([PYTHON, PYREF, "--rubrics", s.rubrics, "--jsonl", inp, "-o", "/dev/null"], os.path.join(s.tmp, "cg.p"))
    py_base = callgrind([PYTHON, PYREF, "--rubrics", s.rubrics, "--jsonl", empty, "-o", "/dev/null"], os.path.join(s.tmp, "cg.p0"))
    py = (py_full[0] - py_base[0]) / k
    row = {"case": name, "submissions": k, "assay": total, "parse": parse, "checks": checks,
           "result": result, "free": free, "other": other, "python": py,
           "ratio_python_over_assay": py / total}
    if s.before:
        b_full = callgrind(s.assay_cmd(inp, 1, "0", prog=s.before)[3:], os.path.join(s.tmp, "cg.b"))
        b_base = callgrind(s.assay_cmd(empty, 1, "0", prog=s.before)[3:], os.path.join(s.tmp, "cg.b0"))
        row["before"] = (b_full[0] - b_base[0]) / k
    return row


def print_instructions(rows):
    say("\nInstructions per submission (callgrind; K submissions minus none, divided by K)")
    say("%-22s %10s %9s %9s %9s %9s %9s %10s %7s" % (
        "case", "assay", "parse", "checks", "result", "free", "other", "python", "py/a"))
    for r in rows:
        say("%-22s %10.0f %9.0f %9.0f %9.0f %9.0f %9.0f %10.0f %7.2f" % (
            r["case"], r["assay"], r["parse"], r["checks"], r["result"], r["free"],
            r["other"], r["python"], r["ratio_python_over_assay"]))
        say("%-22s %10s %8.0f%% %8.0f%% %8.0f%% %8.0f%% %8.0f%%" % (
            "", "", *(100 * r[x] / r["assay"] for x in ("parse", "checks", "result", "free", "other"))))
        if "before" in r:
            say("%-22s before: %.0f instructions per submission, %.2fx as many" % (
                "", r["before"], r["before"] / r["assay"]))


# ---- 3. end to end through Redis -----------------------------------------------------------


def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def commandstats(r):
    info = r.info("commandstats")
    return {k[len("cmdstat_"):]: (v["calls"], v["usec"]) for k, v in info.items()}


def drain(s, srv, r, lines, kind, stub):
    """2 workers of a kind ("assay", "before": the --before build's assay-worker, "python")
    drain the queue; (per s, redis CPU us/msg, us/msg inside Lua scripts by commandstats,
    {command: calls per message, the scripts' own commands included}, the workers' CPU
    us/msg)."""
    import redisbench as rb  # needs python3-redis, as the end-to-end part does
    r.flushall()
    rb.stage(r, lines)
    prog = s.worker if kind == "assay" else s.before_worker
    procs, ready = rb.start_workers("python" if kind == "python" else "assay", prog, srv.url,
                                    s.rubrics, s.tmp, stub)
    try:
        if not rb.wait_workers(r, "python" if kind == "python" else "assay", ready, 30):
            raise RuntimeError("%s workers did not connect within 30 s" % kind)
        time.sleep(0.3)
        n = len(lines)
        r.config_resetstat()
        cpu0 = proc_cpu(srv.proc.pid)
        wcpu0 = sum(proc_cpu(p.pid) for p in procs)
        t0 = time.monotonic()
        # All at once: the queue appears whole; the extra LPUSH wakes workers waiting in BLMOVE.
        nudge = json.loads(lines[0])
        nudge["id"] = "nudge-%s-%d" % (kind, time.monotonic_ns())  # unique: never a duplicate
        r.rename(rb.STAGING, "assay:submissions")
        r.lpush("assay:submissions", json.dumps(nudge))
        deadline = time.monotonic() + 600
        while r.llen("assay:results") < n + 1:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("%s workers did not drain the queue (%d of %d results)" % (
                    kind, r.llen("assay:results"), n + 1))
            time.sleep(0.005)
        dt = time.monotonic() - t0
        cpu = proc_cpu(srv.proc.pid) - cpu0
        wcpu = sum(proc_cpu(p.pid) for p in procs) - wcpu0
        stats = commandstats(r)
    finally:
        rb.stop_workers(procs, 30)  # on a failure too: no worker outlives the bench
    # The time of a script includes the commands it runs (which commandstats also counts on
    # their own), so the scripts' time is reported apart, not added to the others.
    scripts = sum(u for c, (_, u) in stats.items() if c.startswith(("evalsha", "eval", "fcall")))
    calls = {c: round(v[0] / (n + 1), 3) for c, v in stats.items() if c not in ("config|resetstat", "llen", "rename", "info")}
    return (n + 1) / dt, cpu / (n + 1) * 1e6, scripts / (n + 1), calls, wcpu / (n + 1) * 1e6


def end_to_end(s, count, rounds):
    sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
    from harness import RedisServer  # noqa: PLC0415

    path = os.path.join(s.tmp, "redis.jsonl")
    s.generate(count, None, path)
    with open(path, "rb") as f:
        lines = [l.rstrip(b"\n") for l in f]
    srv = RedisServer()
    rows = {}
    try:
        r = srv.client()
        kinds = ["assay", "python"] + (["before"] if s.before_worker else [])
        for rnd in range(rounds):
            # Interleaved: each round runs every kind, graded then stub, the order of the
            # kinds turning round by round.
            turn = kinds[rnd % len(kinds):] + kinds[:rnd % len(kinds)]
            order = [(k, False) for k in turn] + [(k, True) for k in turn]
            for kind, stub in order:
                rows.setdefault((kind, stub), []).append(drain(s, srv, r, lines, kind, stub))
    finally:
        srv.stop()
    out = []
    for (kind, stub), runs in rows.items():
        runs.sort(key=lambda x: x[0])
        mid = runs[len(runs) // 2]
        out.append({"worker": kind, "stub": stub, "processes": 2, "per_s": mid[0],
                    "redis_cpu_us_per_msg": mid[1], "redis_script_us_per_msg": mid[2], "calls_per_msg": mid[3],
                    "worker_cpu_us_per_msg": mid[4],
                    "rates": [round(x[0]) for x in runs]})
    return {"submissions": count, "rounds": rounds, "rows": out}


def print_end_to_end(e):
    say("\nEnd to end through Redis: %d queued submissions (examples mixed), 2 processes each, "
        "loopback redis-server" % e["submissions"])
    say("%-14s %-7s %10s %17s %17s %17s   %s" % ("worker", "grader", "drained/s", "redis CPU us/msg",
                                               "in scripts us/msg", "workers CPU us/msg",
                                               "commands per message (in scripts too)"))
    by = {}
    for row in e["rows"]:
        by[row["worker"], row["stub"]] = row
        calls = ", ".join("%s %.2f" % (c, v) for c, v in sorted(row["calls_per_msg"].items()) if v >= 0.005)
        name = {"assay": "assay-worker", "before": "before", "python": "pyref/worker"}[row["worker"]]
        say("%-14s %-7s %10.0f %17.1f %17.1f %17.1f   %s" % (
            name, "stub" if row["stub"] else "graded", row["per_s"], row["redis_cpu_us_per_msg"],
            row["redis_script_us_per_msg"], row["worker_cpu_us_per_msg"], calls))
        say("%-14s %-7s rounds: %s" % ("", "", " / ".join(str(x) for x in row["rates"])))
    for stub in (False, True):
        a, p, b = by.get(("assay", stub)), by.get(("python", stub)), by.get(("before", stub))
        if a and p:
            say("ratio assay / Python, %s: %.2f" % ("stub graders" if stub else "grading", a["per_s"] / p["per_s"]))
        if a and b:
            say("ratio assay / before, %s: %.2f" % ("stub graders" if stub else "grading", a["per_s"] / b["per_s"]))


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "online_cpus": os.cpu_count(), "kernel": os.uname().release,
            "load_average": open("/proc/loadavg").read().split()[:3],
            "python": subprocess.run([PYTHON, "--version"], stdout=subprocess.PIPE, check=True).stdout.decode().strip()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--all-cases", action="store_true")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--callgrind-subs", type=int, default=1000)
    ap.add_argument("--before")
    ap.add_argument("--redis", action="store_true")
    ap.add_argument("--redis-count", type=int, default=50000)
    ap.add_argument("--redis-rounds", type=int, default=1)
    ap.add_argument("--redis-only", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()

    for prog in ("cli/assay", "bench/bench-engine"):
        if not os.access(os.path.join(a.build, prog), os.X_OK):
            sys.exit("side_by_side: %s is not built in %s" % (prog, a.build))
    m = machine()
    say("side by side: %s, %d CPUs, kernel %s, %s; load average %s" % (
        m["cpu"], m["online_cpus"], m["kernel"], m["python"], " ".join(m["load_average"])))
    tmp = tempfile.mkdtemp(prefix="assay-sbs-")
    report = {"bench": "side-by-side", "machine": m, "count": a.count}
    try:
        s = Setup(a.build, tmp, a.before)
        cases = [("examples (mixed)", None), ("10-check essays", "10-check")]
        if a.all_cases:
            for name in sorted(os.listdir(os.path.join(SOURCE, "rubrics"))):
                if name.endswith(".json") and is_rubric_file(os.path.join(SOURCE, "rubrics", name)):
                    cases.insert(-1, (name[:-5], name[:-5]))
        report["batch"] = []
        if a.redis_only:
            a.redis, a.no_callgrind, cases = True, True, []
        for name, only in cases:
            say("batch: %s, %d submissions, %d rounds ..." % (name, a.count, a.rounds))
            report["batch"].append(batch_case(s, name, only, a.count, a.rounds))
        if cases:
            print_batch(report["batch"])
        if not a.no_callgrind:
            if shutil.which("valgrind") and shutil.which("callgrind_annotate"):
                report["instructions"] = []
                for name, only in cases:
                    say("callgrind: %s, %d submissions ..." % (name, a.callgrind_subs))
                    report["instructions"].append(instructions(s, name, only, a.callgrind_subs))
                print_instructions(report["instructions"])
            else:
                say("(no valgrind: instruction counts left out)")
        if a.redis:
            if not os.access(s.worker, os.X_OK):
                sys.exit("side_by_side: worker/assay-worker is not built in %s" % a.build)
            if not os.access(s.worker + "-hooks", os.X_OK):
                sys.exit("side_by_side: worker/assay-worker-hooks is not built in %s: the stub "
                         "grader is a test hook; configure the build with -Dtest_hooks=true"
                         % a.build)
            say("end to end: %d submissions through Redis ..." % a.redis_count)
            report["end_to_end"] = end_to_end(s, a.redis_count, a.redis_rounds)
            print_end_to_end(report["end_to_end"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    m["load_average_after"] = open("/proc/loadavg").read().split()[:3]
    say("load average at the end: %s" % " ".join(m["load_average_after"]))
    line = json.dumps(report, separators=(",", ":"))
    say(line)
    if a.json:
        with open(a.json, "w") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
