"""Runs every example of docs/protocol.md (the blocks after an <!-- example: NAME --> marker)
against a private redis-server with a worker running, so the documented commands stay true.

- The redis-cli, Python and Node examples are clients with a reply list of their own: each
  must push a submission and print its graded result. Then 8 of them run at once (3 Python,
  3 Node, 2 redis-cli): each must receive exactly its own result - the id it sent - and no
  result may reach the shared list or be left behind (issue 14.1: with one shared list, 3 of
  8 such clients got another's result).
- The router example takes the results of submissions without reply_to off the shared list.
- The Python, Node and router examples are also run against a Redis with no worker, with
  ASSAY_RESULT_TIMEOUT=1: each must report "no result within 1 s" on stderr and exit 1.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile

from harness import SOURCE, RedisServer, T, Worker, make_submission, notes_on_failure

t = T()
doc = open(os.path.join(SOURCE, "docs", "protocol.md"), encoding="utf-8").read()
examples = {name: (lang, code) for name, lang, code in
            re.findall(r"<!-- example: ([\w-]+) -->\s*```(\w+)\n(.*?)```", doc, re.S)}
t.eq(sorted(examples), ["node", "python", "python-router", "redis-cli"],
     "docs/protocol.md has the redis-cli, Python, Node and router examples")

srv = RedisServer()
r = srv.client()
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


def command(name, env):
    lang, code = examples[name]
    # Written once: rewriting it for the next of the concurrent clients truncated the file
    # while an earlier one was still reading it, which then ran nothing and exited 0.
    path = os.path.join(work, f"example-{name}")
    if not os.path.exists(path):
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(code)
        os.rename(path + ".tmp", path)
    if lang == "sh":
        return ["bash", path], env
    if lang == "python":
        return ["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3", path], env
    return ["node", path], dict(env, NODE_PATH=node_modules())


def start(name, env):
    cmd, full = command(name, env)
    return subprocess.Popen(cmd, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(p):
    out, err = p.communicate(timeout=60)
    return p.returncode, out, err


def sent_and_got(name, out):
    """The id a client example sent, and the ids of the results it printed."""
    sent = re.findall(r"^sent (\S+)", out, re.M)
    if name == "redis-cli":
        got = [json.loads(line)["id"] for line in out.splitlines() if line.startswith("{")]
    else:
        got = re.findall(r"^sent \S+ got (\S+)", out, re.M)
    return sent, got


clients = ["redis-cli", "python", "node"]
for name in clients:
    rc, out, err = finish(start(name, env))
    t.eq(rc, 0, f"{name} example exits 0")
    sent, got = sent_and_got(name, out)
    t.ok(len(sent) == 1 and got == sent and "graded" in out,
         f"{name} example prints its own graded result")
    if rc != 0 or got != sent:
        t.note(out + err)

# Eight clients at once, each with its own reply list.
mix = ["python"] * 3 + ["node"] * 3 + ["redis-cli"] * 2
procs = [(name, start(name, env)) for name in mix]
outcomes = [(name,) + finish(p) for name, p in procs]
t.eq([rc for _, rc, _, _ in outcomes], [0] * 8, "8 concurrent clients all exit 0")
mine = [sent_and_got(name, out) for name, _, out, _ in outcomes]
t.ok(all(len(s) == 1 and g == s for s, g in mine),
     "each of the 8 received exactly its own result (the id it sent, once)")
for (name, rc, out, err), (s, g) in zip(outcomes, mine):
    if len(s) != 1 or g != s:
        t.note(f"{name}: sent {s}, got {g}\n{out}{err}")
t.eq(len({s[0] for s, _ in mine if s}), 8, "8 different submissions")
t.eq(r.llen("assay:results"), 0, "no result went to the shared list")
t.eq(sorted(k.decode() for k in r.keys("assay:results:*")), [],
     "every reply list was emptied by its client (a reply list is deleted when emptied)")

# The router: results of submissions without reply_to, off the shared list.
ids = [f"routed-{i}" for i in range(5)]
for i in ids:
    r.lpush("assay:submissions", make_submission(i))
rc, out, err = finish(start("python-router", dict(env, ASSAY_ROUTER_COUNT="5")))
t.eq(rc, 0, "the router exits 0 after 5 results")
t.eq(sorted(re.findall(r"^routed (\S+) graded$", out, re.M)), ids,
     "it routed the 5 results of the submissions without reply_to")
t.eq((r.llen("assay:results"), r.llen("assay:router:pending")), (0, 0),
     "the shared list and the router's pending list are empty")

# No worker: the wait for the result times out (after 1 s, from ASSAY_RESULT_TIMEOUT).
idle = RedisServer()
idle_env = dict(os.environ, REDIS_URL=idle.url, ASSAY_RESULT_TIMEOUT="1")
for name in ("python", "node", "python-router"):
    rc, out, err = finish(start(name, idle_env))
    t.eq(rc, 1, f"{name} example exits 1 when no result comes")
    t.eq(err.strip(), "no result within 1 s",
         f"{name} example says \"no result within 1 s\" on stderr, and nothing else")
    t.eq(out, "", f"{name} example prints nothing on stdout then")
idle.stop()

t.eq(w.stop(), 0, "the worker drains and exits 0")
notes_on_failure(t, w)
srv.stop()
shutil.rmtree(work, ignore_errors=True)
t.done()
