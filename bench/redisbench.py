"""redisbench.py - what the benches that drive a redis-server share: a redis-server under
callgrind whose counters can be zeroed and read, a queue staged under another name so that
it appears whole at once, and the two kinds of worker (assay-worker, bench/pyref/worker.py)
started, waited for and stopped. Used by e2e_callgrind.py, lua_costs.py and
side_by_side.py; it runs nothing on its own.
"""

import glob
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

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
PYWORKER = os.path.join(HERE, "pyref", "worker.py")
STAGING = "assay:staging"


class CallgrindRedis:
    """A private redis-server on loopback under valgrind's callgrind, in a directory of its
    own under parent (a new temporary one when None)."""

    def __init__(self, parent=None, prefix="cg-"):
        self.dir = tempfile.mkdtemp(prefix=prefix, dir=parent)
        self.out = os.path.join(self.dir, "callgrind.out")
        self.port = free_port()
        self.url = "redis://127.0.0.1:%d/0" % self.port
        try:
            self.proc = subprocess.Popen(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + self.out,
                 redis_server_path(), "--port", str(self.port), "--bind", "127.0.0.1", "--save",
                 "", "--appendonly", "no", "--dir", self.dir],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            shutil.rmtree(self.dir, ignore_errors=True)  # valgrind missing: leave nothing
            raise
        self.client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.client.ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise
                time.sleep(0.1)

    def _control(self, flag):
        subprocess.run(["callgrind_control", flag, str(self.proc.pid)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)

    def zero(self):
        """Zeroes the instruction counters."""
        self._control("-z")

    def dumped_total(self):
        """Dumps the counters and returns the instructions since the last zero."""
        self._control("-d")
        time.sleep(0.3)
        dumps = [f for f in glob.glob(self.out + ".*") if f.rsplit(".", 1)[1].isdigit()]
        newest = max(dumps, key=lambda f: int(f.rsplit(".", 1)[1]))
        with open(newest, encoding="utf-8") as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def stage(r, lines, key=STAGING):
    """LPUSHes lines onto key, pipelined; RENAME key to the queue to make it appear whole."""
    pipe = r.pipeline(transaction=False)
    for i, line in enumerate(lines):
        pipe.lpush(key, line)
        if i % 2000 == 1999:
            pipe.execute()
    pipe.execute()


def worker_cmd(kind, prog, url, rubrics, ready, stub):
    """The command of one worker: kind "python" (bench/pyref/worker.py, which creates the
    file ready once connected) or an assay-worker at prog (assay-worker-hooks for the stub
    grader, a test hook; --records off, since the Python worker keeps no learner records)."""
    if kind == "python":
        return [PYTHON, PYWORKER, "--redis", url, "--rubrics", rubrics, "--ready-file", ready] + (
            ["--stub"] if stub else [])
    return [prog + "-hooks" if stub else prog, "--records", "off"]


def start_workers(kind, prog, url, rubrics, ready_dir, stub, n=2):
    """Starts n workers of a kind; returns (processes, their ready files)."""
    env = dict(os.environ, REDIS_URL=url, ASSAY_RUBRICS=rubrics, ASSAY_LOG_LEVEL="warn")
    if stub:
        env["ASSAY_BENCH_STUB_GRADER"] = "1"
    procs, ready = [], []
    for k in range(n):
        path = os.path.join(ready_dir, "ready%d" % k)
        if os.path.exists(path):
            os.unlink(path)
        ready.append(path)
        procs.append(subprocess.Popen(worker_cmd(kind, prog, url, rubrics, path, stub), env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs, ready


def wait_workers(r, kind, ready, timeout):
    """Waits until every worker is connected (assay-workers register in assay:workers; the
    Python ones create their ready files). False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if kind == "python":
            if all(os.path.exists(p) for p in ready):
                return True
        elif r.scard("assay:workers") >= len(ready):
            return True
        time.sleep(0.02)
    return False


def stop_workers(procs, timeout=60):
    """SIGTERM to each, then waits; kills what does not stop within timeout."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
