"""Runs every example of docs/protocol.md (the blocks after an <!-- example: NAME --> marker)
against a private redis-server with a worker running, so the documented commands stay true:
each must push a submission and print its graded result. The Python and Node examples are
also run against a Redis with no worker, with ASSAY_RESULT_TIMEOUT=1: each must report
"no result within 1 s" on stderr and exit 1, not throw."""

import os
import re
import shutil
import subprocess
import tempfile

from harness import SOURCE, RedisServer, T, Worker

t = T()
doc = open(os.path.join(SOURCE, "docs", "protocol.md"), encoding="utf-8").read()
examples = re.findall(r"<!-- example: ([\w-]+) -->\s*```(\w+)\n(.*?)```", doc, re.S)
t.eq(sorted(name for name, _, _ in examples), ["node", "python", "redis-cli"],
     "docs/protocol.md has the redis-cli, Python and Node examples")

srv = RedisServer()
w = Worker(srv.url)
env = dict(os.environ, REDIS_URL=srv.url)
work = tempfile.mkdtemp(prefix="assay-examples-")


def node_modules():
    """ioredis, pinned by tests/integration/node/package-lock.json, installed once per build."""
    build = os.environ.get("ASSAY_BUILD", work)
    dest = os.path.join(build, "npm")
    if not os.path.isdir(os.path.join(dest, "node_modules", "ioredis")):
        os.makedirs(dest, exist_ok=True)
        for f in ("package.json", "package-lock.json"):
            shutil.copy(os.path.join(SOURCE, "tests", "integration", "node", f), dest)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=dest,
                       check=True, timeout=300)
    return os.path.join(dest, "node_modules")


def run_example(name, lang, code, env):
    path = os.path.join(work, f"example-{name}")
    with open(path, "w", encoding="utf-8") as f:
        f.write(code)
    if lang == "sh":
        cmd = ["bash", path]
    elif lang == "python":
        cmd = ["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3", path]
    else:
        env = dict(env, NODE_PATH=node_modules())
        cmd = ["node", path]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)


for name, lang, code in examples:
    p = run_example(name, lang, code, env)
    out = p.stdout + p.stderr
    t.eq(p.returncode, 0, f"{name} example exits 0")
    sid = {"redis-cli": "cli-1", "python": "py-1", "node": "js-1"}[name]
    t.ok(sid in out and "graded" in out, f"{name} example prints its graded result")
    if p.returncode != 0 or sid not in out:
        t.note(out)

# No worker: the wait for the result times out (after 1 s, from ASSAY_RESULT_TIMEOUT).
idle = RedisServer()
idle_env = dict(os.environ, REDIS_URL=idle.url, ASSAY_RESULT_TIMEOUT="1")
for name, lang, code in examples:
    if name == "redis-cli":
        continue  # BRPOP prints an empty reply on a timeout: nothing to throw
    p = run_example(name, lang, code, idle_env)
    t.eq(p.returncode, 1, f"{name} example exits 1 when no result comes")
    t.eq(p.stderr.strip(), "no result within 1 s",
         f"{name} example says \"no result within 1 s\" on stderr, and nothing else")
    t.eq(p.stdout, "", f"{name} example prints nothing on stdout then")
idle.stop()

t.eq(w.stop(), 0, "the worker drains and exits 0")
srv.stop()
shutil.rmtree(work, ignore_errors=True)
t.done()
