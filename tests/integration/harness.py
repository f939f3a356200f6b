"""harness.py - fixtures for Assay's integration tests.

Starts a real redis-server (Debian's) on a free loopback port in a temporary folder, never a
fixed port and never a mock; starts and signals assay-worker processes; helps enqueue
submissions and wait for results. Tests print TAP through the T class, so meson shows each
assertion.

Environment (set by tests/integration/meson.build):
  ASSAY_WORKER   path to assay-worker        ASSAY_CLI   path to the assay tool
  ASSAY_WORKER_HOOKS  path to assay-worker-hooks (the worker with the test hooks), set only
                 when the build has it (-Dtest_hooks=true)
  ASSAY_SOURCE   the source root (for rubrics/)
  ASSAY_WORKER_WRAPPER  optional command prefix for the worker, e.g. "valgrind ..."
  REDIS_SERVER   redis-server to use (default: redis-server on PATH)
A test exits 77 (skipped) only when redis-server cannot be found at all.
"""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import redis

SOURCE = os.environ.get("ASSAY_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
WORKER = os.environ.get("ASSAY_WORKER", "assay-worker")
WORKER_HOOKS = os.environ.get("ASSAY_WORKER_HOOKS", "")
CLI = os.environ.get("ASSAY_CLI", "assay")
RUBRICS = os.path.join(SOURCE, "rubrics")
# The example rubrics define a credential, so a worker needs an issuer key: a test key.
ISSUER_KEY = os.path.join(SOURCE, "tests", "credential", "data", "ed25519-rfc8037-pkcs8.pem")
ISSUER_PUBLIC = os.path.join(SOURCE, "tests", "credential", "data", "ed25519-rfc8037-spki.pem")
SUBMISSIONS = os.path.join(RUBRICS, "submissions")


_scratch_dirs = []


def scratch_dir(prefix):
    """A temporary directory for logs and files of this test: removed by T.done() when the
    test passed, kept (and named) when it failed."""
    d = tempfile.mkdtemp(prefix=prefix)
    _scratch_dirs.append(d)
    return d


class T:
    """A TAP producer that keeps going after a failure and refuses an empty test."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what):
        self.n += 1
        if not cond:
            self.failed += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {what}", flush=True)
        return cond

    def eq(self, got, want, what):
        good = got == want
        self.ok(good, what)
        if not good:
            print(f"#   got {got!r}", flush=True)
            print(f"#   expected {want!r}", flush=True)
        return good

    def note(self, text):
        for line in str(text).splitlines():
            print(f"# {line}", flush=True)

    def done(self):
        if self.n == 0:
            print("not ok 1 - the test made no assertion\n1..1")
            sys.exit(1)
        print(f"1..{self.n}", flush=True)
        for d in _scratch_dirs:
            if self.failed:
                print(f"# kept for inspection: {d}", flush=True)
            else:
                shutil.rmtree(d, ignore_errors=True)
        sys.exit(1 if self.failed else 0)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_path():
    path = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
    if not path:
        print("1..0 # SKIP redis-server not found")
        sys.exit(0)  # TAP: the plan says skip; meson calls any other status an error
    return path


class RedisServer:
    """A private redis-server on 127.0.0.1 and a free port, in its own folder."""

    def __init__(self, appendonly=False, extra=None):
        self.dir = tempfile.mkdtemp(prefix="assay-redis-")
        self.appendonly = appendonly
        self.extra = list(extra or [])
        self.proc = None
        self.port = None
        self.start()

    def start(self, port=None):
        exe = redis_server_path()
        for attempt in range(10):
            self.port = port or free_port()
            args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "yes" if self.appendonly else "no",
                    "--dir", self.dir, "--logfile", os.path.join(self.dir, "redis.log"),
                    "--daemonize", "no"] + self.extra
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
            if self._wait_ready(5):
                return
            self.proc.kill()
            self.proc.wait()
            if port:
                time.sleep(0.2)  # the same port: wait for it to be free again
        raise RuntimeError("redis-server did not start")

    def _wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if self.client(timeout=0.5).ping():
                    return True
            except redis.exceptions.RedisError:
                time.sleep(0.05)
        return False

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def client(self, timeout=5, **kw):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=timeout, **kw)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        """Kill -9 and start again on the same port (data kept only with appendonly)."""
        self.kill()
        self.start(port=self.port)

    def stop(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def require_hooks():
    """Skips the whole test (a TAP skip plan with the reason) unless assay-worker-hooks is built."""
    if not WORKER_HOOKS:
        print("1..0 # SKIP assay-worker-hooks is not built: it has the test hooks this test "
              "needs (configure with -Dtest_hooks=true, as scripts/test.sh does)", flush=True)
        sys.exit(0)  # TAP: the plan says skip; meson calls any other status an error


class Worker:
    """An assay-worker process with its log captured to a file; hooks=True runs
    assay-worker-hooks, the same worker with the test hooks (require_hooks() first)."""

    def __init__(self, server_url, *args, env=None, rubrics=RUBRICS, log_dir=None,
                 hooks=False):
        self.log_path = os.path.join(log_dir or scratch_dir("assay-worker-"),
                                     f"worker-{time.time_ns()}.log")
        wrapper = shlex.split(os.environ.get("ASSAY_WORKER_WRAPPER", ""))
        full_env = dict(os.environ)
        full_env.update({"REDIS_URL": server_url, "ASSAY_RUBRICS": rubrics,
                         "ASSAY_LOG_FORMAT": "text", "ASSAY_HEARTBEAT_TTL_MS": "1500",
                         "ASSAY_COMMAND_TIMEOUT_MS": "1000", "ASSAY_ISSUER_KEY": ISSUER_KEY})
        full_env.update(env or {})
        self.log = open(self.log_path, "wb")
        exe = WORKER_HOOKS if hooks else WORKER
        if not exe:
            raise RuntimeError("assay-worker-hooks is not built (-Dtest_hooks=true)")
        self.proc = subprocess.Popen(wrapper + [exe] + list(args), env=full_env,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def kill(self):
        self.signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit status (None if it had to be killed)."""
        self.signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def output(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, text, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if text in self.output():
                return True
            time.sleep(0.05)
        return False


def load_submission(name):
    with open(os.path.join(SUBMISSIONS, name), "rb") as f:
        return f.read()


def example_submissions():
    return sorted(n for n in os.listdir(SUBMISSIONS) if n.endswith(".json"))


def make_submission(sid, rubric="chem-molarity", responses=None, **extra):
    sub = {"id": sid, "rubric": rubric, "learner": f"learner-{sid}",
           "responses": responses if responses is not None else {"q1": "1.46 g"}}
    sub.update(extra)
    return json.dumps(sub)


def wait_for(predicate, timeout=20, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def results(r, prefix="assay"):
    return [json.loads(x) for x in r.lrange(f"{prefix}:results", 0, -1)]


def dead(r, prefix="assay"):
    return [json.loads(x) for x in r.lrange(f"{prefix}:dead", 0, -1)]


def processing_keys(r, prefix="assay"):
    return [k.decode() for k in r.keys(f"{prefix}:processing:*")]


# --- Helpers for the reliability tests (test_priority, test_sigkill, ...). ---------------

def redis_server_on(port, appendonly=False, extra=None):
    """A RedisServer started on a given port (e.g. one a worker already tries to reach)."""
    srv = RedisServer.__new__(RedisServer)
    srv.dir = tempfile.mkdtemp(prefix="assay-redis-")
    srv.appendonly = appendonly
    srv.extra = list(extra or [])
    srv.proc = None
    srv.port = port
    srv.start(port=port)
    return srv


def push_all(r, key, messages, chunk=500):
    """LPUSHes each message in order (oldest first), pipelined; returns how many."""
    n = 0
    for i in range(0, len(messages), chunk):
        p = r.pipeline(transaction=False)
        for m in messages[i:i + chunk]:
            p.lpush(key, m)
        p.execute()
        n += len(messages[i:i + chunk])
    return n


def results_in_order(r, prefix="assay"):
    """The results oldest first (the worker LPUSHes, so the list is read reversed)."""
    return list(reversed(results(r, prefix)))


def id_counts(items):
    """id -> how many times it occurs among results (or dead letters)."""
    counts = {}
    for x in items:
        counts[x.get("id")] = counts.get(x.get("id"), 0) + 1
    return counts


def queued_ids(r, key):
    """The ids of the submissions still in a queue (or processing list)."""
    return [json.loads(m)["id"] for m in r.lrange(key, 0, -1)]


def log_lines(worker, text):
    """The lines of a worker's log that contain text."""
    return [line for line in worker.output().splitlines() if text in line]


def stopped_counts(worker):
    """(graded, not graded, duplicates) from the worker's last "stopped:" line, or None."""
    import re
    lines = log_lines(worker, "stopped:")
    m = re.search(r"stopped: (\d+) graded, (\d+) not graded, (\d+) duplicates", lines[-1]) \
        if lines else None
    return tuple(int(g) for g in m.groups()) if m else None


def exactly_once(t, r, ids, what="", prefix="assay"):
    """Asserts that every id in ids has exactly one result and that there is no other."""
    res = results(r, prefix)
    counts = id_counts(res)
    missing = [i for i in ids if counts.get(i, 0) == 0]
    doubled = [i for i in ids if counts.get(i, 0) > 1]
    extra = [i for i in counts if i not in set(ids)]
    t.eq(len(missing), 0, f"{what}no id without a result" + (f" (e.g. {missing[:5]})"
                                                             if missing else ""))
    t.eq(len(doubled), 0, f"{what}no id with two results" + (f" (e.g. {doubled[:5]})"
                                                             if doubled else ""))
    t.eq(extra, [], f"{what}no result for an id that was not sent")
    t.eq(len(res), len(ids), f"{what}{len(ids)} results in all")
    return not missing and not doubled and not extra and len(res) == len(ids)


def notes_on_failure(t, *workers, lines=60):
    """When an assertion failed, prints the tail of each worker's log (for the TAP output)."""
    if not t.failed:
        return
    for w in workers:
        out = [x for x in w.output().splitlines() if " graded " not in x]
        t.note(f"--- {w.log_path} (last {lines} lines)")
        t.note("\n".join(out[-lines:]))


def reap_children_at_exit():
    """However the test ends (an exception, SIGTERM from meson's timeout), its redis-servers
    and workers are killed: every process whose parent is this one, by pid."""
    import atexit

    def reap():
        me = os.getpid()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                if ppid == me:
                    os.kill(int(entry), signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                continue

    atexit.register(reap)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
