#!/usr/bin/env python3
"""worker_bench.py - assay-worker's throughput, latency and memory on a loopback redis-server.

Reports, in one run:
  1. the worker's submissions/s draining N pre-filled submissions of about 2 KB, grading
     on its thread pool (the default) and on the event loop's thread (--grade-threads 0);
  2. the ceiling: the same worker with ASSAY_BENCH_STUB_GRADER=1 (identical Redis calls and
     batching, a canned result instead of grading), and the same with --batch 1 (one
     submission per round trip); that hook is only in assay-worker-hooks, which a build
     configured with -Dtest_hooks=true has: without it these two figures are skipped, and
     the run says so;
  3. the engine's own offline throughput on the same submissions (assay grade --jsonl, 1 job);
  4. latency from enqueue to result at a steady rate (default 1,000/s);
  5. the worker's peak RSS (VmHWM) during the drain, and with 100 rubrics loaded;
  6. learner records: the same drain with --records on and --records off, interleaved
     (off, on, off, on, ...) over --records-rounds rounds, each submission's learner one of
     --learners (about count / learners submissions each): the median of each and on / off,
     and for each mode the CPU per submission of the worker and of redis-server (from
     /proc), what records cost (on - off) and one Redis's ceiling (1e6 / its µs per
     submission), the figures capacity is planned with (docs/operations.md). The example
     rubrics define a credential, so records
     on includes issuing (and signing) it for the learners who earn it; a third run in each
     round, "on, no credentials", drains with the same rubrics minus their credential
     definitions, so that records alone are seen too. --record-cache MIB is passed to the
     worker for the records-on drains (default: the worker's). --records-only runs this
     part alone; with --redis-commands it also prints, for each mode's last drain, Redis's
     command statistics (INFO commandstats): calls and microseconds per submission.

Usage: bench/worker_bench.py BUILD_DIR [--count N] [--rate R] [--seconds S] [--json OUT]
                             [--records-rounds K] [--learners L] [--records-only]
                             [--record-cache MIB] [--redis-commands]
Needs redis-server and python3-redis (scripts/deps.sh installs both).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

from harness import RedisServer  # noqa: E402

sys.path.insert(0, HERE)
import redisbench as rb  # noqa: E402

RUBRICS = os.path.join(SOURCE, "rubrics")
SUBS = os.path.join(RUBRICS, "submissions")


def is_rubric_file(path):
    """A rubric, not one of the other documents of a rubric directory (a JSON Schema, a
    framework, a credential definition): they have no "assay" key."""
    with open(path, encoding="utf-8") as f:
        return "assay" in json.load(f)


def templates():
    out = []
    for name in sorted(os.listdir(SUBS)):
        if name.endswith(".json"):
            with open(os.path.join(SUBS, name), encoding="utf-8") as f:
                out.append(json.load(f))
    return out


def make(n, size=2048, tag="b"):
    """n submissions of about `size` bytes built from the examples, unique ids."""
    tpl = templates()
    out = []
    for i in range(n):
        sub = dict(tpl[i % len(tpl)])
        sub["id"] = f"{tag}-{i}"
        sub["meta"] = {"lms": "bench", "n": i, "pad": ""}
        base = len(json.dumps(sub, separators=(",", ":")))
        sub["meta"]["pad"] = "p" * max(0, size - base)
        out.append(json.dumps(sub, separators=(",", ":")))
    return out


def with_learners(subs, learners):
    """The same submissions, each naming one of `learners` learners (round robin)."""
    out = []
    for i, raw in enumerate(subs):
        sub = json.loads(raw)
        sub["learner"] = f"learner-{i % learners:06d}"
        out.append(json.dumps(sub, separators=(",", ":")))
    return out


def rubrics_without_credentials():
    """A temporary copy of RUBRICS without its credential definitions (the caller removes
    it)."""
    d = tempfile.mkdtemp(prefix="assay-nocred-")
    for name in os.listdir(RUBRICS):
        path = os.path.join(RUBRICS, name)
        if os.path.isfile(path) and not name.endswith(".credential.json"):
            shutil.copy(path, d)
    return d


def command_stats(srv, n):
    """A `during` for drain: Redis's command statistics are reset once the worker is started;
    the function it returns (called when every result is there) keeps, per command, the
    calls and the microseconds per submission in `out`. Commands a script or a transaction
    runs are counted on their own and again inside EVAL, EVALSHA and EXEC."""
    out = {}

    def during(_w):
        srv.client().config_resetstat()

        def done():
            for cmd, v in srv.client().info("commandstats").items():
                out[cmd.replace("cmdstat_", "")] = (v["calls"] / n, v["usec"] / n)
        return done
    return during, out


def print_command_stats(name, stats):
    print(f"  Redis, records {name}, per submission (nested commands also count in their "
          "EXEC / EVAL / EVALSHA):", flush=True)
    for cmd, (calls, usec) in sorted(stats.items(), key=lambda kv: -kv[1][1]):
        if usec >= 0.3 and cmd != "flushall":
            print(f"    {cmd:10s} {calls:6.2f} calls {usec:7.2f} µs", flush=True)


TICKS = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """{tid: seconds of CPU (utime + stime, from /proc)} of every thread of pid."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(tid)] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def cpu_during(srv, n, inner=None):
    """A `during` for drain that also keeps, in the dict it returns, the CPU seconds per
    submission, in µs, of the worker (`worker`: all its threads; `loop`: its event loop's
    thread; `other`: the rest) and of redis-server (`redis`) from the worker's start until
    every result is there. inner: another `during`, run too."""
    out = {}

    def during(w):
        r0 = sum(thread_cpu(srv.proc.pid).values())
        inner_done = inner(w) if inner else None

        def done():
            t = thread_cpu(w.pid)
            out["loop"] = t.get(w.pid, 0.0) * 1e6 / n
            out["other"] = sum(v for k, v in t.items() if k != w.pid) * 1e6 / n
            out["worker"] = out["loop"] + out["other"]
            out["redis"] = (sum(thread_cpu(srv.proc.pid).values()) - r0) * 1e6 / n
            if inner_done:
                inner_done()
        return done
    return during, out


def median(xs):
    return sorted(xs)[len(xs) // 2]


def records_on_off(build, srv, subs, rounds, cache=None, commands=False):
    """Drains subs with --records off, on, and on without credential definitions,
    interleaved, `rounds` times each. Returns ({mode: median}, every figure). commands:
    also prints Redis's command statistics of each mode's last drain."""
    nocred = rubrics_without_credentials()
    modes = {"off": ("off", None), "on": ("on", None), "on, no credentials": ("on", nocred)}
    runs = {k: [] for k in modes}
    cpu = {k: [] for k in modes}
    try:
        for _ in range(rounds):
            for name, (mode, rubrics) in modes.items():
                env = {"ASSAY_RUBRICS": rubrics} if rubrics else None
                extra = ["--records", mode]
                if mode == "on" and cache is not None:
                    extra += ["--record-cache", str(cache)]
                during, stats = command_stats(srv, len(subs)) if commands else (None, None)
                during, used = cpu_during(srv, len(subs), during)
                rate, _ = drain(build, srv, subs, extra=extra, env=env, during=during)
                runs[name].append(rate)
                cpu[name].append(used)
                print(f"  records {name}: {rate:10.0f} submissions/s   CPU µs per "
                      f"submission: worker {used['worker']:6.1f} (loop {used['loop']:5.1f}), "
                      f"Redis {used['redis']:5.1f}", flush=True)
                if commands and len(runs[name]) == rounds:
                    print_command_stats(name, stats)
    finally:
        shutil.rmtree(nocred, ignore_errors=True)
    cpu_med = {k: {part: median([u[part] for u in v]) for part in ("worker", "loop", "redis")}
               for k, v in cpu.items()}
    return {k: median(v) for k, v in runs.items()}, runs, cpu_med


def vmhwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def hooks_binary(build):
    """assay-worker-hooks (the worker with the test hooks), or None when not built."""
    path = os.path.join(build, "worker", "assay-worker-hooks")
    return path if os.access(path, os.X_OK) else None


def start_worker(build, url, rubrics=RUBRICS, extra=(), env=None):
    e = dict(os.environ, REDIS_URL=url, ASSAY_RUBRICS=rubrics, ASSAY_LOG_LEVEL="warn",
             ASSAY_ISSUER_KEY=os.path.join(SOURCE, "tests", "credential", "data",
                                           "ed25519-rfc8037-pkcs8.pem"))
    e.update(env or {})
    exe = os.path.join(build, "worker", "assay-worker")
    if "ASSAY_BENCH_STUB_GRADER" in (env or {}):
        exe = hooks_binary(build)  # the installed worker ignores the stub's variable
    return subprocess.Popen([exe, *extra], env=e, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def drain(build, srv, subs, extra=(), env=None, during=None):
    """Pre-fills, starts a worker, times until every result is there. (rate/s, peak KiB).
    during: called with the worker's Popen once it is started, returns a function called
    when every result is there (bench/metrics_bench.py scrapes the worker meanwhile)."""
    r = srv.client()
    r.flushall()
    rb.stage(r, subs, "assay:submissions")
    n = len(subs)
    t0 = time.perf_counter()
    w = start_worker(build, srv.url, extra=extra, env=env)
    done = during(w) if during else None
    peak = 0
    while r.llen("assay:results") < n:
        peak = max(peak, vmhwm_kib(w.pid))
        time.sleep(0.02)
        if w.poll() is not None:
            raise RuntimeError("the worker exited early")
    dt = time.perf_counter() - t0
    if done:
        done()
    peak = max(peak, vmhwm_kib(w.pid))
    w.send_signal(signal.SIGTERM)
    w.wait(30)
    r.flushall()
    return n / dt, peak


def engine_offline(build, subs):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(subs) + "\n")
        path = f.name
    t0 = time.perf_counter()
    subprocess.run([os.path.join(build, "cli", "assay"), "grade", "--rubrics", RUBRICS,
                    "--jsonl", path, "-o", "/dev/null", "--jobs", "1"],
                   stderr=subprocess.DEVNULL, check=False)
    dt = time.perf_counter() - t0
    os.unlink(path)
    return len(subs) / dt


def _consume(port, total, out):
    """Runs in its own process (no GIL shared with the producer): BRPOPs results and
    measures, on the system-wide monotonic clock, how long after its enqueue each arrived."""
    import redis as _redis  # noqa: PLC0415
    c = _redis.Redis(host="127.0.0.1", port=port)
    lat = []
    while len(lat) < total:
        item = c.brpop("assay:results", timeout=5)
        if item is None:
            break
        now = time.perf_counter()
        meta = json.loads(item[1]).get("meta") or {}
        if "t" in meta:
            lat.append((now - meta["t"]) * 1000)
    out.send(lat)


def latency(build, srv, rate, seconds):
    """Enqueues at a steady rate; returns (p50 ms, p99 ms, max ms, count). Producer and
    consumer are separate processes, so neither waits for the other's interpreter lock;
    time.perf_counter is CLOCK_MONOTONIC, shared by both."""
    import multiprocessing  # noqa: PLC0415
    r = srv.client()
    r.flushall()
    w = start_worker(build, srv.url)
    time.sleep(0.5)
    total = int(rate * seconds)
    subs = [json.loads(x) for x in make(total, tag="lat")]
    recv, send = multiprocessing.Pipe(duplex=False)
    consumer = multiprocessing.Process(target=_consume, args=(srv.port, total, send))
    consumer.start()
    time.sleep(0.3)
    t0 = time.perf_counter()
    for i, sub in enumerate(subs):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sub["meta"]["t"] = time.perf_counter()
        r.lpush("assay:submissions", json.dumps(sub, separators=(",", ":")))
    lat = recv.recv() if recv.poll(60) else []
    consumer.join(10)
    w.send_signal(signal.SIGTERM)
    w.wait(30)
    lat.sort()
    if not lat:
        return 0, 0, 0, 0
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]  # noqa: E731
    return pick(0.50), pick(0.99), lat[-1], len(lat)


def rss_with_rubrics(build, srv, count=100):
    tmp = tempfile.mkdtemp(prefix="assay-100-")
    names = [n for n in sorted(os.listdir(RUBRICS))
             if n.endswith(".json") and is_rubric_file(os.path.join(RUBRICS, n))]
    for i in range(count):
        src = names[i % len(names)]
        with open(os.path.join(RUBRICS, src), encoding="utf-8") as f:
            doc = json.load(f)
        doc["id"] = f"{doc['id']}-{i}"
        with open(os.path.join(tmp, f"r{i:03}.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f)
    r = srv.client()
    r.flushall()
    subs = []
    for i, s in enumerate(make(2000, tag="rss")):
        d = json.loads(s)
        d["rubric"] = f"{d['rubric']}-{i % count}"
        subs.append(json.dumps(d))
    rb.stage(r, subs, "assay:submissions")
    w = start_worker(build, srv.url, rubrics=tmp)
    peak = 0
    while r.llen("assay:results") < len(subs):
        peak = max(peak, vmhwm_kib(w.pid))
        time.sleep(0.02)
    peak = max(peak, vmhwm_kib(w.pid))
    w.send_signal(signal.SIGTERM)
    w.wait(30)
    shutil.rmtree(tmp)
    return peak


def records_costs(cpu):
    """What records cost, from records_on_off's CPU medians (µs per submission): printed,
    and returned as figures. The drain rate's ratio moves with the machine's other load;
    the CPU each side spends per submission much less, and it is what capacity is planned
    from: one Redis takes at most about 1e6 / (its µs per submission) submissions/s, however
    many workers share it, and a worker about (its cores) * 1e6 / (its µs per submission)."""
    off, on = cpu["off"], cpu["on"]
    t_off, t_on = off["worker"] + off["redis"], on["worker"] + on["redis"]
    print("CPU µs per submission (medians)   worker   Redis   both", flush=True)
    for name, u in cpu.items():
        print(f"  records {name:22s} {u['worker']:8.1f} {u['redis']:7.1f} "
              f"{u['worker'] + u['redis']:6.1f}", flush=True)
    print(f"records cost per submission:      {on['worker'] - off['worker']:8.1f} "
          f"{on['redis'] - off['redis']:7.1f} {t_on - t_off:6.1f}", flush=True)
    print(f"one Redis's ceiling (1e6 / its µs per submission): {1e6 / off['redis']:.0f}/s "
          f"records off, {1e6 / on['redis']:.0f}/s records on", flush=True)
    return {"cpu_us": {k: {p: round(v, 1) for p, v in u.items()} for k, u in cpu.items()},
            "records_cost_us": round(t_on - t_off, 1),
            "records_cost_worker_us": round(on["worker"] - off["worker"], 1),
            "records_cost_redis_us": round(on["redis"] - off["redis"], 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("--count", type=int, default=200000)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--json")
    ap.add_argument("--records-rounds", type=int, default=3)
    ap.add_argument("--learners", type=int, default=10000)
    ap.add_argument("--records-only", action="store_true")
    ap.add_argument("--record-cache", type=int)
    ap.add_argument("--redis-commands", action="store_true")
    a = ap.parse_args()

    subs = make(a.count)
    avg = sum(len(s) for s in subs) / len(subs)
    srv = RedisServer()
    if a.records_only:
        try:
            print(f"{a.count} submissions, {avg:.0f} bytes on average, {a.learners} learners; "
                  f"redis-server on 127.0.0.1:{srv.port} (appendonly no)", flush=True)
            med, runs, cpu = records_on_off(a.build, srv, with_learners(subs, a.learners),
                                            a.records_rounds, a.record_cache,
                                            a.redis_commands)
        finally:
            srv.stop()
        off, on, nocred = med["off"], med["on"], med["on, no credentials"]
        print(f"records off (median):       {off:10.0f} submissions/s", flush=True)
        print(f"records on (median):        {on:10.0f} submissions/s", flush=True)
        print(f"records on, no credentials: {nocred:10.0f} submissions/s", flush=True)
        print(f"records on / off:           {on / off:.2f} ({nocred / off:.2f} without credentials)",
              flush=True)
        figures = {"count": a.count, "learners": a.learners, "record_cache_mib": a.record_cache,
                   "records_off_per_s": round(off),
                   "records_on_per_s": round(on), "records_ratio": round(on / off, 3),
                   "records_on_nocred_per_s": round(nocred),
                   "records_ratio_nocred": round(nocred / off, 3),
                   "records_runs": {k: [round(x) for x in v] for k, v in runs.items()}}
        figures.update(records_costs(cpu))
        print(json.dumps(figures))
        if a.json:
            with open(a.json, "w", encoding="utf-8") as f:
                json.dump(figures, f)
        return
    try:
        print(f"{a.count} submissions, {avg:.0f} bytes on average; redis-server on "
              f"127.0.0.1:{srv.port} (appendonly no)", flush=True)
        graded, peak = drain(a.build, srv, subs)
        print(f"worker, thread pool:        {graded:10.0f} submissions/s  peak RSS "
              f"{peak / 1024:.1f} MiB", flush=True)
        loop, _ = drain(a.build, srv, subs, extra=["--grade-threads", "0"])
        print(f"worker, on the loop thread: {loop:10.0f} submissions/s", flush=True)
        stub = stub1 = None
        if hooks_binary(a.build):
            stub, _ = drain(a.build, srv, subs, env={"ASSAY_BENCH_STUB_GRADER": "1"})
            print(f"ceiling, stub grader:       {stub:10.0f} submissions/s", flush=True)
            one = subs[: max(1000, a.count // 10)]
            stub1, _ = drain(a.build, srv, one, extra=["--batch", "1", "--inflight", "1"],
                             env={"ASSAY_BENCH_STUB_GRADER": "1"})
            print(f"stub, one per round trip:   {stub1:10.0f} submissions/s", flush=True)
        else:
            print("ceiling, stub grader:       skipped: this build has no assay-worker-hooks "
                  "(configure it with -Dtest_hooks=true)", flush=True)
        offline = engine_offline(a.build, subs)
        print(f"engine offline (1 job):     {offline:10.0f} submissions/s", flush=True)
        ceiling = min(stub, offline) if stub else offline
        print(f"worker / min(ceiling, engine): {graded / ceiling:.2f}", flush=True)
        p50, p99, pmax, n = latency(a.build, srv, a.rate, a.seconds)
        print(f"latency at {a.rate:.0f}/s over {n} submissions: p50 {p50:.2f} ms  p99 "
              f"{p99:.2f} ms  max {pmax:.2f} ms", flush=True)
        rss100 = rss_with_rubrics(a.build, srv)
        print(f"peak RSS with 100 rubrics:  {rss100 / 1024:.1f} MiB", flush=True)
        print(f"learner records, {a.learners} learners, interleaved:", flush=True)
        med, _, cpu = records_on_off(a.build, srv, with_learners(subs, a.learners),
                                     a.records_rounds, a.record_cache)
        roff, ron, rnc = med["off"], med["on"], med["on, no credentials"]
        print(f"records on / off:           {ron / roff:.2f} ({ron:.0f} / {roff:.0f} "
              f"submissions/s, medians; {rnc / roff:.2f} without credentials)", flush=True)
        costs = records_costs(cpu)
    finally:
        srv.stop()
    figures = {"count": a.count, "bytes": round(avg), "worker_per_s": round(graded), "worker_loop_thread_per_s": round(loop),
               "stub_per_s": round(stub) if stub else None,
               "stub_batch1_per_s": round(stub1) if stub1 else None,
               "engine_offline_per_s": round(offline), "ratio": round(graded / ceiling, 3),
               "p50_ms": round(p50, 3), "p99_ms": round(p99, 3), "max_ms": round(pmax, 3),
               "rss_kib": peak, "rss_100_rubrics_kib": rss100,
               "records_off_per_s": round(roff), "records_on_per_s": round(ron),
               "records_ratio": round(ron / roff, 3), "records_on_nocred_per_s": round(rnc),
               "records_ratio_nocred": round(rnc / roff, 3), **costs}
    print(json.dumps(figures))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(figures, f)


if __name__ == "__main__":
    main()
